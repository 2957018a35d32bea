/* hotpatch revert PKG...|--all: make live hotpatches not live. The package
 * stays installed (installed-not-live); `reapply` or `apply` makes it live
 * again. Only patches whose installed package is known are reverted: the
 * engine's name for a patch comes from the installed payload. */
#include "hp_cli.h"
#include "hp_live.h"

int hp_cmd_revert(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	return hp_cli_live_command(ctx, HP_LIVE_REVERT, argc, argv);
}
