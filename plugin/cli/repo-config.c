/* The command's side of dnf's configuration (issue 12): variables from the
 * options, repositories skipped by skip_if_unavailable and how --json
 * reports them. The rules themselves are in hp_dnfvars.h / hp_dnfconf.h. */
#include <stdlib.h>

#include <json-c/json.h>

#include "hp_cli.h"
#include "hp_dnfconf.h"
#include "hp_output.h"

void hp_cli_dnfvars_load(struct hp_cli_ctx *ctx, struct hp_dnfvars *vars,
			 const struct hp_dnf_main *m)
{
	struct hp_dnfvars_opts vo = { ctx->opts->root, ctx->opts->dbpath, ctx->opts->releasever,
				      m->releasever };

	hp_dnfvars_load(vars, &vo);
}

int hp_cli_repo_skip(struct hp_cli_ctx *ctx, const struct hp_repo_conf *c, struct hp_strbuf *err)
{
	if (c->skip_if_unavailable <= 0)
		return 0;
	hp_strvec_push(&ctx->skipped, c->id);
	hp_strvec_push(&ctx->skipped_why, err->buf ? err->buf : "");
	hp_strvec_pushf(&ctx->messages, "skipped (skip_if_unavailable=True): %s",
			err->buf ? err->buf : c->id);
	hp_strbuf_reset(err);
	return 1;
}

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
		json_object_object_add(x, "revision", m ? json_object_new_int64((int64_t)m->revision) : NULL);
	json_object_object_add(x, "generated", m ? json_object_new_int64(m->generated) : NULL);
	json_object_object_add(x, "expires", m && m->expires ? json_object_new_int64(m->expires) : NULL);
	json_object_object_add(x, "age_seconds",
			       m ? json_object_new_int64((int64_t)now - m->generated) : NULL);
	hp_strbuf_release(&err);
}

static void repo_entry(struct json_object *a, const char *id, const char *error, int skipped,
		       const struct hp_meta *m, const char *state_dir, time_t now, int meta_fields)
{
	struct json_object *x = json_object_new_object();

	json_object_object_add(x, "id", hp_json_str(id));
	json_object_object_add(x, "error", error ? hp_json_str(error) : NULL);
	if (skipped)
		json_object_object_add(x, "skipped", json_object_new_boolean(1));
	if (meta_fields)
		repo_meta_fields(x, m, state_dir, id, now);
	json_object_array_add(a, x);
}

struct json_object *hp_cli_json_repos(const struct hp_cli_ctx *ctx, int meta_fields)
{
	struct json_object *a = json_object_new_array();
	char *state_dir = hp_path_join(ctx->opts->root ? ctx->opts->root : "/",
				       "var/lib/hotpatch/repos");
	time_t now = hp_now();

	for (size_t i = 0; i < ctx->nr_repos; i++)
		repo_entry(a, ctx->repos[i].id, NULL, 0,
			   ctx->repos[i].has_meta ? &ctx->repos[i].meta : NULL, state_dir, now,
			   meta_fields);
	for (size_t i = 0; i < ctx->skipped.nr; i++)
		repo_entry(a, ctx->skipped.v[i], ctx->skipped_why.v[i], 1, NULL, state_dir, now,
			   meta_fields);
	for (size_t i = 0; i < ctx->refused_ids.nr; i++)
		repo_entry(a, ctx->refused_ids.v[i], ctx->refused_why.v[i], 0, NULL, state_dir, now,
			   meta_fields);
	free(state_dir);
	return a;
}
