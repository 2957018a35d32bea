/* hotpatch apply [--all | PKG...] [--timeout S]: live-apply the installed
 * hotpatch packages that match the running builds (the newest installed
 * version of each series only).
 *
 * This file also holds what apply, revert and reapply share
 * (hp_cli_live_command) and the engines' answer to "is this installed
 * hotpatch live" for `status` (hp_cli_live_state). */
#include <stdlib.h>
#include <string.h>

#include "hp_cli.h"
#include "hp_live.h"
#include "hp_output.h"

static const char *op_word(enum hp_live_op op)
{
	return op == HP_LIVE_REVERT ? "revert" : op == HP_LIVE_REAPPLY ? "reapply" : "apply";
}

/* The operands (PKG words) and --all; the table took the options. */
static int parse_words(enum hp_live_op op, const struct hp_cli_opts *opts, int argc, char **argv,
		       struct hp_strvec *wanted)
{
	for (int i = 1; i < argc; i++)
		hp_strvec_push(wanted, argv[i]);
	if (opts->all && wanted->nr)
		return hp_cli_usage_error("'%s': give --all or package names, not both", op_word(op));
	if (op == HP_LIVE_REVERT && !opts->all && !wanted->nr)
		return hp_cli_usage_error("'revert' needs package names or --all");
	return 0;
}

/* Running builds of every component an installed hotpatch targets. */
static int detect_running(struct hp_cli_ctx *ctx, struct hp_strbuf *err)
{
	const struct hp_live_pkgs *inst = hp_cli_ctx_installed(ctx, err);
	struct hp_strvec comps = HP_STRVEC_INIT;
	int ret = -1;

	if (!inst)
		goto out;
	for (size_t i = 0; i < inst->nr; i++)
		if (!hp_strvec_contains(&comps, inst->v[i].component))
			hp_strvec_push(&comps, inst->v[i].component);
	ret = hp_system_detect_running(&ctx->sys, &comps, &ctx->opts->running, err);
out:
	hp_strvec_release(&comps);
	return ret;
}

static const char *action_text(const struct hp_live_result *r)
{
	if (!strcmp(r->action, "applied"))
		return "applied, live now";
	if (!strcmp(r->action, "already-live"))
		return "already live, nothing to do";
	if (!strcmp(r->action, "reverted"))
		return "reverted, not live now";
	if (!strcmp(r->action, "not-live"))
		return "not live, nothing to do";
	return "FAILED";
}

static struct json_object *report_json(enum hp_live_op op, const struct hp_live_report *rep,
				       int ok, const struct hp_strbuf *err)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(o, "operation", json_object_new_string(op_word(op)));
	for (size_t i = 0; i < rep->nr; i++) {
		const struct hp_live_result *r = &rep->results[i];
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "package", json_object_new_string(r->package));
		json_object_object_add(x, "engine", hp_json_str(r->engine));
		json_object_object_add(x, "live_name",
				       hp_json_str(r->live_name));
		json_object_object_add(x, "action", json_object_new_string(r->action));
		json_object_object_add(x, "live", r->live < 0 ? NULL : json_object_new_boolean(r->live));
		json_object_object_add(x, "seconds", json_object_new_double(r->seconds));
		json_object_object_add(x, "orphan", json_object_new_boolean(r->orphan));
		json_object_object_add(x, "message",
				       hp_json_str(r->message));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "results", a);
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	json_object_object_add(o, "error", ok || !err->len ? NULL : json_object_new_string(err->buf));
	json_object_object_add(o, "notes", hp_json_strings(&rep->notes, NULL));
	return o;
}

int hp_cli_live_command(struct hp_cli_ctx *ctx, enum hp_live_op op, int argc, char **argv)
{
	struct hp_strvec wanted = HP_STRVEC_INIT;
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_live_report rep;
	struct hp_live_run_opts o;
	const struct hp_meta **metas = NULL;
	int code, rc;

	hp_live_report_init(&rep);
	code = parse_words(op, ctx->opts, argc, argv, &wanted);
	if (code)
		goto out;
	/* After the usage checks (exit 2 first), before any lock, journal or
	 * engine: an image's hotpatches never go into this machine's kernel. */
	if (!hp_live_root_is_live(ctx->opts->root, op_word(op), &err)) {
		code = hp_cli_error(err.buf);
		goto out;
	}
	/* Published checksums when a repository is named; boot-time reapply
	 * and revert need no repository at all. */
	if (op == HP_LIVE_APPLY && ctx->opts->repos.nr && hp_cli_ctx_load(ctx, HP_CMD_REPOS, &err)) {
		code = hp_cli_error(err.buf);
		goto out;
	}
	if (detect_running(ctx, &err)) {
		code = hp_cli_error(err.buf);
		goto out;
	}
	metas = hp_xcalloc(ctx->nr_rrepos + 1, sizeof(*metas));
	for (size_t i = 0; i < ctx->nr_rrepos; i++)
		metas[i] = ctx->rrepos[i].meta;

	memset(&o, 0, sizeof(o));
	o.root = ctx->sys.root;
	o.dbpath = ctx->opts->dbpath;
	o.running = ctx->sys.running;
	o.nr_running = ctx->sys.nr_running;
	o.metas = metas;
	o.nr_metas = ctx->nr_rrepos;
	o.wanted = &wanted;
	o.kernel_release = ctx->sys.uname_r;
	o.timeout = ctx->opts->timeout;
	o.lock_wait = 30;
	rc = hp_live_run(op, &o, &rep, &err);
	code = rc ? HP_EXIT_ERROR : HP_EXIT_OK;

	if (ctx->opts->json) {
		if (hp_json_print(stdout, report_json(op, &rep, !rc, &err)))
			code = hp_cli_error("cannot write to standard output");
	} else {
		for (size_t i = 0; i < rep.nr; i++) {
			const struct hp_live_result *r = &rep.results[i];

			printf("%s%s: %s", r->package, r->orphan ? " (orphan)" : "", action_text(r));
			if (r->live_name)
				printf(" (%s %s", r->engine, r->live_name);
			if (r->live_name && r->seconds > 0)
				printf(", %.2f s", r->seconds);
			printf("%s\n", r->live_name ? ")" : "");
		}
		if (!rep.nr && !rc)
			printf("No installed hotpatch for the running builds%s to %s.\n",
			       op == HP_LIVE_REVERT ? " nor orphaned live patch" : "", op_word(op));
		/* On failure the error is the one line; the notes that explain
		 * it come with --verbose. */
		for (size_t i = 0; i < rep.notes.nr; i++) {
			if (rc)
				hp_cli_info("%s", rep.notes.v[i]);
			else
				hp_cli_note("%s", rep.notes.v[i]);
		}
	}
	if (rc)
		hp_cli_error(err.buf);
out:
	free(metas);
	hp_live_report_release(&rep);
	hp_strvec_release(&wanted);
	hp_strbuf_release(&err);
	return code;
}

int hp_cmd_apply(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	return hp_cli_live_command(ctx, HP_LIVE_APPLY, argc, argv);
}

/* --- live state for status --- */

enum hp_live_state hp_cli_live_state(struct hp_cli_ctx *ctx, const struct hp_res_hotpatch *h,
				     struct hp_strbuf *detail)
{
	const struct hp_live_pkgs *inst;
	const struct hp_live_pkg *p;
	struct hp_strbuf err = HP_STRBUF_INIT;
	enum hp_live_state state = HP_LIVE_UNKNOWN;
	int live;

	inst = hp_cli_ctx_installed(ctx, &err);
	if (!inst) {
		hp_strbuf_addf(detail, "%s", err.buf);
		goto out;
	}
	p = hp_live_pkgs_find(inst, h->package, h->evr);
	if (!p)
		goto out;
	live = hp_live_pkg_is_live_detail(p, ctx->sys.root, ctx->sys.uname_r, detail, &err);
	if (live < 0)
		hp_strbuf_addf(detail, "%s", err.buf);
	else
		state = live ? HP_LIVE_YES : HP_LIVE_NO;
out:
	hp_strbuf_release(&err);
	return state;
}
