/* Per-repository results of loading: `check` and `status` read every
 * repository even when one is refused (expired, rolled back, bad signature,
 * unreachable), report each refused one on its own line and in
 * "repos":[...], and exit 1 at the end -- a stale hotpatch repository costs
 * only its own hotpatches (DESIGN.md, issue 9). One skipped by
 * skip_if_unavailable is a note, not an error (issue 12). Which
 * repositories are read and how is hp_repos_load's (hp_repo.h). */
#include <stdio.h>

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

size_t hp_cli_repos_refused(const struct hp_cli_ctx *ctx)
{
	const struct hp_repo_results *res = &ctx->repo_results;

	for (size_t i = 0; i < res->nr; i++)
		if (res->v[i].error && !res->v[i].skipped)
			fprintf(stderr, "hotpatch: error: repository '%s' refused: %s\n", res->v[i].id,
				res->v[i].error);
	return hp_repo_results_refused(res);
}

int hp_cli_repos_none_verified(const struct hp_cli_ctx *ctx)
{
	const struct hp_repo_results *res = &ctx->repo_results;

	return hp_repo_results_refused(res) && hp_repo_results_refused(res) == res->nr;
}
