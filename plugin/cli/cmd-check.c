/* hotpatch check [--updateinfo]: hotpatches available for the running
 * builds; with --updateinfo also the packages that the repositories'
 * reboot_suggested advisories list (what the dnf plugin holds back).
 * Exit 0 none, 100 some, 1 error (DESIGN.md). */
#include "hp_cli.h"
#include "hp_output.h"

int hp_cmd_check(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	const struct hp_resolution *res = &ctx->res;
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_reboot_pkgs reboot;
	int code;

	hp_reboot_pkgs_init(&reboot);
	ctx->updateinfo = ctx->opts->updateinfo;
	/* Loaded here, not by main: whether the repos' updateinfo is read
	 * depends on the option (by default check reads none). */
	if (hp_cli_ctx_load(ctx, HP_CMD_ALL, &err)) {
		code = hp_cli_error(err.buf);
		goto out;
	}
	if (hp_cli_repos_none_verified(ctx)) {
		hp_cli_repos_refused(ctx);
		code = HP_EXIT_ERROR;
		goto out;
	}
	/* One list over every repository, one entry per NEVRA (the first
	 * repository's advisory wins, in the order the repos were given). */
	for (size_t i = 0; ctx->updateinfo && i < ctx->nr_repos; i++) {
		const struct hp_reboot_pkgs *l = &ctx->repos[i].reboot;

		for (size_t j = 0; j < l->nr; j++)
			hp_reboot_pkgs_add(&reboot, l->v[j].name, l->v[j].evr, l->v[j].arch,
					   l->v[j].advisory);
	}
	if (ctx->opts->json) {
		struct json_object *j = hp_json_check(ctx->sys.running, ctx->sys.nr_running, res,
						       &ctx->messages, ctx->updateinfo ? &reboot : NULL);

		json_object_object_add(j, "repos", hp_cli_json_repos(ctx, 0));
		if (hp_json_print(stdout, j)) {
			code = hp_cli_error("cannot write to standard output");
			goto out;
		}
	} else {
		hp_output_check_text(stdout, ctx->sys.running, ctx->sys.nr_running, res,
				     ctx->updateinfo ? &reboot : NULL);
		for (size_t i = 0; i < ctx->messages.nr; i++)
			hp_cli_note("%s", ctx->messages.v[i]);
		for (size_t i = 0; i < res->messages.nr; i++)
			hp_cli_note("%s", res->messages.v[i]);
	}
	code = res->nr_available ? HP_EXIT_UPDATES : HP_EXIT_OK;
	/* The verified repositories were answered for above; a refused one
	 * still makes the run fail, at the end, so timers see it. */
	if (hp_cli_repos_refused(ctx))
		code = HP_EXIT_ERROR;
out:
	hp_reboot_pkgs_release(&reboot);
	hp_strbuf_release(&err);
	return code;
}
