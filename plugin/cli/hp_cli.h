/* What a `hotpatch` command gets: the parsed global options and a ready
 * context (system state, loaded repositories, resolution).
 *
 * Adding a command = one file plugin/cli/cmd-NAME.c defining
 *   int hp_cmd_NAME(struct hp_cli_ctx *ctx, int argc, char **argv);
 * plus one row in the table in hotpatch.c (name, operands, summary, options,
 * flags); adding an option = one row in an option table there plus one
 * field in struct hp_cli_opts.
 * The flags say what the context must hold before the command runs; the
 * main program loads it, prints errors and maps them to exit codes. */
#ifndef HP_CLI_H
#define HP_CLI_H

#include <stdio.h>

#include "hp_command.h"
#include "hp_live.h"
#include "hp_repo.h"
#include "hp_resolve.h"
#include "hp_system.h"
#include "hp_util.h"

/* The options struct (hp_command.h): the global options, accepted before or
 * after the command word, then the commands' own. One field per option row
 * of the tables in hotpatch.c. */
struct hp_cli_opts {
	const char *root;           /* --root, NULL = "/" */
	const char *dbpath;         /* --dbpath */
	struct hp_strvec repos;     /* --repo PATH|URL (repeatable) */
	struct hp_strvec gpgkeys;   /* --gpgkey FILE (repeatable) */
	struct hp_strvec running;   /* --running NAME=EVR (repeatable) */
	int nogpgcheck;             /* --nogpgcheck */
	int json;                   /* --json */
	int updateinfo;             /* check --updateinfo */
	int all;                    /* apply/revert --all */
	unsigned timeout;           /* apply/revert/reapply --timeout S, 0 = the engine's default */
	const char *releasever;     /* --releasever: $releasever in dnf's configuration */
	struct hp_strvec repos_nogpgcheck;   /* --repo-nogpgcheck PATH|URL: read unsigned */
	unsigned fetch_timeout;     /* --fetch-timeout S, 0 = the default (300) */
	const char *textfile;       /* metrics --textfile DIR */
};

/* Command flags: what the context must hold when the command runs. */
enum hp_cmd_flags {
	HP_CMD_SYSTEM = 1 << 0,     /* rpmdb + running kernel loaded (ctx->sys) */
	HP_CMD_REPOS = 1 << 1,      /* repositories loaded (ctx->repos) */
	HP_CMD_RESOLVE = 1 << 2,    /* running builds detected and resolved (ctx->res) */
	HP_CMD_ROOT = 1 << 4,       /* needs root privileges (documentation; engines enforce) */
	HP_CMD_LOCK = 1 << 5,       /* takes the run lock (engines) */
	HP_CMD_REPO_RESULTS = 1 << 6, /* a refused repository is recorded in ctx->repo_results
					 and the others still load (check, status); without
					 it the first refused repository fails the load */
	HP_CMD_ALL = HP_CMD_SYSTEM | HP_CMD_REPOS | HP_CMD_RESOLVE,
};

struct hp_cli_ctx {
	const struct hp_cli_opts *opts;
	const struct hp_command *cmd;
	struct hp_system sys;                /* HP_CMD_SYSTEM */
	struct hp_repo *repos;               /* HP_CMD_REPOS; every loaded repo */
	size_t nr_repos;
	struct hp_resolve_repo *rrepos;      /* the same as resolver input (has_meta only) */
	size_t nr_rrepos;
	struct hp_resolution res;            /* HP_CMD_RESOLVE */
	struct hp_strvec messages;           /* notes from loading (system, repos) */
	int updateinfo;                      /* load_repos also reads each repo's updateinfo
						(check --updateinfo); set before loading */
	struct hp_cache cache;               /* <root>/var/cache/hotpatch; flushed by main when
						the command succeeded */
	struct hp_live_pkgs installed;       /* hp_cli_ctx_installed */
	struct hp_repo_results repo_results; /* HP_CMD_REPOS: every repository tried */
	unsigned loaded;                     /* what is loaded already (private) */
};

/* Loads what `flags` ask for into ctx (opts must be set). Returns 0 or -1
 * with one line in err. Used by main; engines' commands may call it again
 * with more flags (already loaded parts are kept). */
int hp_cli_ctx_load(struct hp_cli_ctx *ctx, unsigned flags, struct hp_strbuf *err);
void hp_cli_ctx_release(struct hp_cli_ctx *ctx);

/* The installed hotpatch packages (from the rpmdb), read into the context
 * on first use and kept until hp_cli_ctx_release. NULL with one line in
 * `err` when the rpmdb cannot be read. Needs HP_CMD_SYSTEM. */
const struct hp_live_pkgs *hp_cli_ctx_installed(struct hp_cli_ctx *ctx, struct hp_strbuf *err);

/* Live state of an installed hotpatch, as its engine says now (cmd-apply.c).
 * `detail` may receive a short note (e.g. "module kpatch_57 enabled"). */
enum hp_live_state {
	HP_LIVE_UNKNOWN = 0,
	HP_LIVE_NO,
	HP_LIVE_YES,
};
enum hp_live_state hp_cli_live_state(struct hp_cli_ctx *ctx, const struct hp_res_hotpatch *h,
				     struct hp_strbuf *detail);
const char *hp_live_state_name(enum hp_live_state s);   /* "unknown", "no", "yes" */

/* Reboot decision shared by status and needs-reboot: 1 = needed (reasons
 * appended to `why`, one per line entry), 0 = not. Needs HP_CMD_SYSTEM. */
int hp_cli_reboot_needed(struct hp_cli_ctx *ctx, struct hp_strvec *why);

/* "repos" of check/status --json (repo-config.c): {"id", "url", "error":
 * null|"why"} per repository tried, plus "skipped": true for those skipped
 * by skip_if_unavailable; with `meta_fields` (status) also "revision",
 * "generated", "expires" and "age_seconds" (issue 16). */
struct json_object *hp_cli_json_repos(const struct hp_cli_ctx *ctx, int meta_fields);
/* The metadata of a repository that was read, or NULL (refused, skipped,
 * none published). */
const struct hp_meta *hp_cli_repo_meta(const struct hp_cli_ctx *ctx, const struct hp_repo_result *r);
/* Prints "hotpatch: error: repository 'ID' refused: WHY" on stderr for each
 * refused repository (not the skipped ones) and returns how many there were. */
size_t hp_cli_repos_refused(const struct hp_cli_ctx *ctx);
/* Whether repositories were tried and every one was refused: then check
 * has nothing verified to answer for and prints nothing on stdout (the
 * fault rule), only the refusals. status still answers from the rpmdb
 * (offline status) and exits 1. */
int hp_cli_repos_none_verified(const struct hp_cli_ctx *ctx);

/* The commands (one file each). */
int hp_cmd_check(struct hp_cli_ctx *ctx, int argc, char **argv);
int hp_cmd_status(struct hp_cli_ctx *ctx, int argc, char **argv);
int hp_cmd_needs_reboot(struct hp_cli_ctx *ctx, int argc, char **argv);
int hp_cmd_metrics(struct hp_cli_ctx *ctx, int argc, char **argv);
int hp_cmd_apply(struct hp_cli_ctx *ctx, int argc, char **argv);
int hp_cmd_revert(struct hp_cli_ctx *ctx, int argc, char **argv);
int hp_cmd_reapply(struct hp_cli_ctx *ctx, int argc, char **argv);

/* The `hotpatch apply|revert|reapply` runner shared by the three command
 * files (cmd-apply.c): takes the command's operands, detects the running
 * builds of the installed hotpatches' components, runs hp_live_run and
 * prints the report. Returns an exit code (0 ok, 1 error, 2 usage). */
int hp_cli_live_command(struct hp_cli_ctx *ctx, enum hp_live_op op, int argc, char **argv);

#endif
