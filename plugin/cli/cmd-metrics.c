/* hotpatch metrics [--textfile DIR]: the state as Prometheus text exposition
 * (hp_metrics.h does the work). Refused repositories are named on stderr;
 * they are hotpatch_repo_up 0 in the output, which is still
 * written (exit 0): a monitoring run must not lose the offline part because
 * a mirror is down. */
#include <stdlib.h>
#include <string.h>

#include "hp_cli.h"
#include "hp_metrics.h"

int hp_cmd_metrics(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	struct hp_metrics_input in;
	struct hp_metrics_repo *repos;
	struct hp_strbuf out = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
	struct hp_strvec notes = HP_STRVEC_INIT, why = HP_STRVEC_INIT;
	const char *textfile = ctx->opts->textfile;
	size_t n = 0;
	int code = HP_EXIT_ERROR;

	const struct hp_repo_results *rr = &ctx->repo_results;

	repos = hp_xcalloc(rr->nr + 1, sizeof(*repos));
	for (size_t i = 0; i < rr->nr; i++, n++) {
		repos[n].id = rr->v[i].id;
		repos[n].meta = hp_cli_repo_meta(ctx, &rr->v[i]);
		repos[n].error = rr->v[i].error;
	}
	/* Named on stderr; the output is still written (exit 0). */
	hp_cli_repos_refused(ctx);
	memset(&in, 0, sizeof(in));
	in.root = ctx->sys.root;
	in.dbpath = ctx->opts->dbpath;
	in.kernel_release = ctx->sys.uname_r;
	in.running = ctx->sys.running;
	in.nr_running = ctx->sys.nr_running;
	in.res = &ctx->res;
	in.repos = repos;
	in.nr_repos = n;
	in.reboot_newer_build = hp_cli_reboot_needed(ctx, &why);
	if (hp_metrics_render(&in, &out, &notes, &err)) {
		code = hp_cli_error(err.buf);
		goto out;
	}
	for (size_t i = 0; i < notes.nr; i++)
		hp_cli_note("%s", notes.v[i]);
	if (textfile) {
		if (hp_metrics_write_textfile(textfile, out.buf, out.len, &err)) {
			code = hp_cli_error(err.buf);
			goto out;
		}
	} else if (fwrite(out.buf, 1, out.len, stdout) != out.len) {
		code = hp_cli_error("cannot write to standard output");
		goto out;
	}
	code = HP_EXIT_OK;
out:
	free(repos);
	hp_strvec_release(&why);
	hp_strvec_release(&notes);
	hp_strbuf_release(&out);
	hp_strbuf_release(&err);
	return code;
}
