/* What a `hotpatch` command gets: the parsed global options and a ready
 * context (system state, loaded repositories, resolution).
 *
 * Adding a command = one file plugin/cli/cmd-NAME.c defining
 *   int hp_cmd_NAME(struct hp_cli_ctx *ctx, int argc, char **argv);
 * plus one row in the table in hotpatch.c (name, usage, summary, flags).
 * The flags say what the context must hold before the command runs; the
 * main program loads it, prints errors and maps them to exit codes. */
#ifndef HP_CLI_H
#define HP_CLI_H

#include <stdio.h>

#include "hp_repo.h"
#include "hp_resolve.h"
#include "hp_system.h"
#include "hp_util.h"

/* Exit codes (DESIGN.md). */
enum hp_exit {
	HP_EXIT_OK = 0,
	HP_EXIT_ERROR = 1,       /* also "yes" for needs-reboot */
	HP_EXIT_USAGE = 2,
	HP_EXIT_UPDATES = 100,   /* check: hotpatches available */
};

/* Global options, accepted before or after the command word. */
struct hp_cli_opts {
	const char *root;           /* --root, NULL = "/" */
	const char *dbpath;         /* --dbpath */
	struct hp_strvec repos;     /* --repo PATH|URL (repeatable) */
	struct hp_strvec gpgkeys;   /* --gpgkey FILE (repeatable) */
	struct hp_strvec running;   /* --running NAME=EVR (repeatable) */
	int nogpgcheck;             /* --nogpgcheck */
	int json;                   /* --json */
	const char *releasever;     /* --releasever: $releasever in dnf's configuration */
	struct hp_strvec repos_nogpgcheck;   /* --repo-nogpgcheck (also in `repos`) */
};

/* Command flags: what the context must hold when the command runs. */
enum hp_cmd_flags {
	HP_CMD_SYSTEM = 1 << 0,     /* rpmdb + running kernel loaded (ctx->sys) */
	HP_CMD_REPOS = 1 << 1,      /* repositories loaded (ctx->repos) */
	HP_CMD_RESOLVE = 1 << 2,    /* running builds detected and resolved (ctx->res) */
	HP_CMD_ARGS = 1 << 3,       /* takes operands/own options (else extra args = usage error) */
	HP_CMD_ROOT = 1 << 4,       /* needs root privileges (documentation; engines enforce) */
	HP_CMD_LOCK = 1 << 5,       /* takes the run lock (engines) */
	HP_CMD_REPOS_PARTIAL = 1 << 6, /* a refused repository is recorded in ctx->refused
					  (one stderr line), not fatal (status, metrics) */
	HP_CMD_ALL = HP_CMD_SYSTEM | HP_CMD_REPOS | HP_CMD_RESOLVE,
};

struct hp_cli_ctx;

/* A command: returns an exit code (enum hp_exit). argv holds the words after
 * the global options were removed, argv[0] being the command word. */
typedef int (*hp_cmd_fn)(struct hp_cli_ctx *ctx, int argc, char **argv);

struct hp_cli_cmd {
	const char *name;
	const char *args;           /* usage of its operands, "" for none */
	const char *summary;        /* one line for --help and the man page */
	unsigned flags;             /* enum hp_cmd_flags */
	hp_cmd_fn fn;
};

struct hp_cli_ctx {
	const struct hp_cli_opts *opts;
	const struct hp_cli_cmd *cmd;
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
	int repos_partial;                   /* HP_CMD_REPOS_PARTIAL: keep going past refused repos */
	struct hp_strvec refused_ids;        /* repositories refused this run (repos_partial) ... */
	struct hp_strvec refused_why;        /* ... and why, one line each (same index) */
	unsigned loaded;                     /* what is loaded already (private) */
	struct hp_strvec skipped, skipped_why;   /* repos skipped by skip_if_unavailable */
};

/* Loads what `flags` ask for into ctx (opts must be set). Returns 0 or -1
 * with one line in err. Used by main; engines' commands may call it again
 * with more flags (already loaded parts are kept). */
int hp_cli_ctx_load(struct hp_cli_ctx *ctx, unsigned flags, struct hp_strbuf *err);
void hp_cli_ctx_release(struct hp_cli_ctx *ctx);

/* Prints "hotpatch: error: <msg>" (each line of msg) to stderr; returns
 * HP_EXIT_ERROR. */
int hp_cli_error(const char *msg);
/* Prints "hotpatch: error: <fmt>" and the hint to see --help; returns
 * HP_EXIT_USAGE. */
int hp_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Live state of an installed hotpatch. The default (weak, in hotpatch.c)
 * answers "unknown"; the engines provide a strong definition in a
 * plugin/cli/ file (objects of the executable, so it overrides at link time;
 * do not put it in the static library, where the weak one would win).
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

/* dnf configuration (repo-config.c, issue 12): fills `vars` as dnf would for
 * ctx->opts (--root, --dbpath, --releasever) and dnf.conf's releasever=. */
struct hp_dnfvars;
struct hp_dnf_main;
void hp_cli_dnfvars_load(struct hp_cli_ctx *ctx, struct hp_dnfvars *vars,
			 const struct hp_dnf_main *m);
/* When `c` has skip_if_unavailable: records it as skipped with the error
 * in `err` (then emptied) as a note, and returns 1; else 0. */
int hp_cli_repo_skip(struct hp_cli_ctx *ctx, const struct hp_repo_conf *c, struct hp_strbuf *err);
/* "repos" of check/status --json: {"id", "error": null} per loaded repo,
 * {"id", "error": "why", "skipped": true} per skipped one, {"id", "error":
 * "why"} per refused one (repos_partial); with `meta_fields` (status) each
 * also has "revision", "generated", "expires", "age_seconds" (issue 16;
 * not in check's output, which stays the same from run to run). */
struct json_object *hp_cli_json_repos(const struct hp_cli_ctx *ctx, int meta_fields);

/* The commands (one file each). */
int hp_cmd_check(struct hp_cli_ctx *ctx, int argc, char **argv);
int hp_cmd_status(struct hp_cli_ctx *ctx, int argc, char **argv);
int hp_cmd_needs_reboot(struct hp_cli_ctx *ctx, int argc, char **argv);
int hp_cmd_metrics(struct hp_cli_ctx *ctx, int argc, char **argv);

#endif
