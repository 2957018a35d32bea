/* Per-repository results of loading: `check` and `status` read every
 * repository even when one is refused (expired, rolled back, bad signature,
 * unreachable), report each refused one on its own line and in
 * "repos":[...], and exit 1 at the end -- a stale hotpatch repository costs
 * only its own hotpatches (DESIGN.md, issue 9). */
#include <stdlib.h>

#include "hp_cli.h"
#include "hp_output.h"

void hp_cli_repo_result_add(struct hp_cli_ctx *ctx, const char *id, const char *url,
			    const char *error)
{
	struct hp_cli_repo_result *r;

	HP_ALLOC_GROW(ctx->repo_results, ctx->nr_repo_results + 1, ctx->alloc_repo_results);
	r = &ctx->repo_results[ctx->nr_repo_results++];
	r->id = hp_xstrdup(id ? id : url);
	r->url = hp_xstrdup(url);
	r->error = error ? hp_xstrdup(error) : NULL;
}

size_t hp_cli_repos_refused(const struct hp_cli_ctx *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < ctx->nr_repo_results; i++) {
		const struct hp_cli_repo_result *r = &ctx->repo_results[i];

		if (!r->error)
			continue;
		fprintf(stderr, "hotpatch: error: repository '%s' refused: %s\n", r->id, r->error);
		n++;
	}
	return n;
}

int hp_cli_repos_none_verified(const struct hp_cli_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nr_repo_results; i++)
		if (!ctx->repo_results[i].error)
			return 0;
	return ctx->nr_repo_results > 0;
}

struct json_object *hp_cli_repos_json(const struct hp_cli_ctx *ctx)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < ctx->nr_repo_results; i++) {
		const struct hp_cli_repo_result *r = &ctx->repo_results[i];
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "id", hp_json_str(r->id));
		json_object_object_add(x, "url", hp_json_str(r->url));
		json_object_object_add(x, "error", hp_json_str(r->error));
		json_object_array_add(a, x);
	}
	return a;
}

void hp_cli_repo_results_release(struct hp_cli_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nr_repo_results; i++) {
		free(ctx->repo_results[i].id);
		free(ctx->repo_results[i].url);
		free(ctx->repo_results[i].error);
	}
	free(ctx->repo_results);
	ctx->repo_results = NULL;
	ctx->nr_repo_results = ctx->alloc_repo_results = 0;
}
