/* The command's side of dnf's configuration (issue 12): variables from the
 * options, repositories skipped by skip_if_unavailable and how --json
 * reports them. The rules themselves are in hp_dnfvars.h / hp_dnfconf.h. */
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

struct json_object *hp_cli_json_repos(const struct hp_cli_ctx *ctx)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < ctx->nr_repos; i++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "id", hp_json_str(ctx->repos[i].id));
		json_object_object_add(x, "error", NULL);
		json_object_array_add(a, x);
	}
	for (size_t i = 0; i < ctx->skipped.nr; i++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "id", hp_json_str(ctx->skipped.v[i]));
		json_object_object_add(x, "error", hp_json_str(ctx->skipped_why.v[i]));
		json_object_object_add(x, "skipped", json_object_new_boolean(1));
		json_object_array_add(a, x);
	}
	return a;
}
