/* hotpatch reapply: at boot, make every installed hotpatch for the running
 * builds live again (the newest of each series). Idempotent: what the
 * engine reports live already is left alone. Reads no repository, so that
 * boot does not depend on mirrors; the payloads are checked against the
 * rpm database's digests. */
#include "hp_cli.h"
#include "hp_live.h"

int hp_cmd_reapply(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	return hp_cli_live_command(ctx, HP_LIVE_REAPPLY, argc, argv);
}
