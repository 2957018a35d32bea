/* hotpatch revert PKG...|LIVE_NAME...|--all: make live hotpatches not live.
 * The package stays installed (installed-not-live); `reapply` or `apply`
 * makes it live again. Orphans -- patches we applied (the journal says so)
 * whose package was erased while live -- are reverted too, by their live
 * name through their engine (--all, or a word naming the live name, the
 * recorded NEVRA or its name). Foreign live patches are never touched. */
#include "hp_cli.h"
#include "hp_live.h"

int hp_cmd_revert(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	return hp_cli_live_command(ctx, HP_LIVE_REVERT, argc, argv);
}
