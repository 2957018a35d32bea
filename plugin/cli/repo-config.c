/* Per-repository results of loading: `check` and `status` read every
 * repository even when one is refused (expired, rolled back, bad signature,
 * unreachable), report each refused one on its own line and in
 * "repos":[...], and exit 1 at the end -- a stale hotpatch repository costs
 * only its own hotpatches (DESIGN.md, issue 9). One skipped by
 * skip_if_unavailable is a note, not an error (issue 12). Which
 * repositories are read and how is hp_repos_load's (hp_repo.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hp_cli.h"
#include "hp_output.h"

/* Issue 16's fields of one entry: "revision", "generated", "expires",
 * "age_seconds" (seconds since the epoch; null when unknown, expires null =
 * never). Without metadata (refused, skipped), the revision is the last one
 * accepted (rollback state), when any. */
static void repo_meta_fields(struct json_object *x, const struct hp_meta *m, const char *state_dir,
			     const char *id, time_t now)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	uint64_t rev = 0;

	if (!m && !hp_repo_state_read(state_dir, id, &rev, &err) && rev)
		json_object_object_add(x, "revision", json_object_new_int64((int64_t)rev));
	else
		json_object_object_add(x, "revision",
				       m ? json_object_new_int64((int64_t)m->revision) : NULL);
	json_object_object_add(x, "generated", m ? json_object_new_int64(m->generated) : NULL);
	json_object_object_add(x, "expires",
			       m && m->expires ? json_object_new_int64(m->expires) : NULL);
	json_object_object_add(x, "age_seconds",
			       m ? json_object_new_int64((int64_t)now - m->generated) : NULL);
	hp_strbuf_release(&err);
}

const struct hp_meta *hp_cli_repo_meta(const struct hp_cli_ctx *ctx, const struct hp_repo_result *r)
{
	for (size_t j = 0; !r->error && j < ctx->nr_repos; j++)
		if (!strcmp(ctx->repos[j].id, r->id))
			return ctx->repos[j].has_meta ? &ctx->repos[j].meta : NULL;
	return NULL;
}

struct json_object *hp_cli_json_repos(const struct hp_cli_ctx *ctx, int meta_fields)
{
	struct json_object *a = json_object_new_array();
	const struct hp_repo_results *res = &ctx->repo_results;
	char *state_dir = hp_path_join(ctx->opts->root ? ctx->opts->root : "/",
				       HP_REPO_STATE_SUBDIR);
	time_t now = hp_now();

	for (size_t i = 0; i < res->nr; i++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "id", hp_json_str(res->v[i].id));
		json_object_object_add(x, "url", hp_json_str(res->v[i].url));
		json_object_object_add(x, "error", hp_json_str(res->v[i].error));
		if (res->v[i].skipped)
			json_object_object_add(x, "skipped", json_object_new_boolean(1));
		if (meta_fields)
			repo_meta_fields(x, hp_cli_repo_meta(ctx, &res->v[i]), state_dir,
					 res->v[i].id, now);
		json_object_array_add(a, x);
	}
	free(state_dir);
	return a;
}

size_t hp_cli_repos_refused(const struct hp_cli_ctx *ctx)
{
	const struct hp_repo_results *res = &ctx->repo_results;

	for (size_t i = 0; i < res->nr; i++) {
		struct hp_strbuf line = HP_STRBUF_INIT;
		char *named;
		const char *why = res->v[i].error;

		if (!why || res->v[i].skipped)
			continue;
		/* errors that name the repository already (dnf's configuration,
		 * issue 12) are not prefixed twice */
		named = hp_xasprintf("repository '%s': ", res->v[i].id);
		if (!strncmp(why, named, strlen(named)))
			why += strlen(named);
		/* One line per repository (hp_error joins the lines of its
		 * error), through the error printer: with --json the first one
		 * is also the {"error","exit"} object when nothing else was
		 * printed. */
		hp_error(&line, "repository '%s' refused: %s", res->v[i].id, why);
		hp_cli_error(line.buf);
		hp_strbuf_release(&line);
		free(named);
	}
	return hp_repo_results_refused(res);
}

int hp_cli_repos_none_verified(const struct hp_cli_ctx *ctx)
{
	const struct hp_repo_results *res = &ctx->repo_results;

	return hp_repo_results_refused(res) && hp_repo_results_refused(res) == res->nr;
}
