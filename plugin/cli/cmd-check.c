/* hotpatch check: hotpatches available for the running builds.
 * Exit 0 none, 100 some, 1 error (DESIGN.md). */
#include "hp_cli.h"
#include "hp_output.h"

int hp_cmd_check(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	const struct hp_resolution *res = &ctx->res;

	if (ctx->opts->json) {
		if (hp_json_print(stdout, hp_json_check(ctx->sys.running, ctx->sys.nr_running, res,
							&ctx->messages)))
			return hp_cli_error("cannot write to standard output");
	} else {
		hp_output_check_text(stdout, ctx->sys.running, ctx->sys.nr_running, res,
				     &ctx->messages);
	}
	return res->nr_available ? HP_EXIT_UPDATES : HP_EXIT_OK;
}
