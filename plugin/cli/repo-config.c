/* How check and status --json report the repositories they tried: one
 * entry per repository, loaded, refused or skipped (skip_if_unavailable).
 * Which repositories are read and how is hp_repos_load's (hp_repo.h). */
#include <json-c/json.h>

#include "hp_cli.h"
#include "hp_output.h"

struct json_object *hp_cli_json_repos(const struct hp_cli_ctx *ctx)
{
	struct json_object *a = json_object_new_array();
	const struct hp_repo_results *res = &ctx->repo_results;

	for (size_t i = 0; i < res->nr; i++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "id", hp_json_str(res->v[i].id));
		json_object_object_add(x, "url", hp_json_str(res->v[i].url));
		json_object_object_add(x, "error", hp_json_str(res->v[i].error));
		if (res->v[i].skipped)
			json_object_object_add(x, "skipped", json_object_new_boolean(1));
		json_object_array_add(a, x);
	}
	return a;
}
