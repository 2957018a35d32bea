/* The hotpatch-repo command layer: one command table (hotpatch-repo.c) from
 * which usage text and the man page's synopsis are generated, one file per
 * command (cmd-*.c), parsed by the framework of hp_command.h. Only this
 * layer prints and picks exit codes (0 ok, 1 error/refused, 2 usage).
 *
 * Adding an option = one row in the command's option table (hotpatch-repo.c)
 * plus one field in struct hp_repo_cli_opts. */
#ifndef HP_REPO_CLI_H
#define HP_REPO_CLI_H

#include <stddef.h>

#include "hp_command.h"
#include "hp_util.h"

/* The options struct: every command's options, one field per option row. */
struct hp_repo_cli_opts {
	int json;                     /* --json (list, baseline list, verify) */
	const char *gnupg_home;       /* --gnupg-home DIR (publish, verify) */
	/* baseline add */
	const char *id;               /* --id ID */
	const char *kind;             /* --kind planned|unplanned */
	const char *issued;           /* --issued YYYY-MM-DD */
	const char *supported_until;  /* --supported-until YYYY-MM-DD */
	struct hp_strvec builds;      /* --build NAME=EVR (repeatable) */
	/* publish */
	const char *sign_key;         /* --sign-key KEYID */
	unsigned expires_days;        /* --expires-days N, 0 = the default */
	int createrepo;               /* --createrepo */
	int keep_going;               /* --keep-going */
	const char *lock_wait;        /* --lock-wait SECONDS (default HP_PUBLISH_DEFAULT_LOCK_WAIT) */
	const char *repo_name;        /* --repo-name NAME */
	/* verify */
	const char *min_days;         /* --min-days N */
};

/* A decimal 0..max (option values checked by the table, read by the
 * commands): 0 and *out set (when out), or -1 with one line in `err`. */
int hp_repo_cli_number(const char *name, const char *val, unsigned max, unsigned *out,
		       struct hp_strbuf *err);

/* Exit code of a --keep-going publish that left packages out. */
#define HP_EXIT_SOME_REFUSED 3

/* What a command gets: argv[1] is the REPO operand. */
struct hp_cli_ctx {
	const struct hp_repo_cli_opts *opts;
	const struct hp_command *cmd;
};

int hp_cmd_baseline_add(struct hp_cli_ctx *ctx, int argc, char **argv);
int hp_cmd_baseline_list(struct hp_cli_ctx *ctx, int argc, char **argv);
int hp_cmd_publish(struct hp_cli_ctx *ctx, int argc, char **argv);
int hp_cmd_verify(struct hp_cli_ctx *ctx, int argc, char **argv);
int hp_cmd_list(struct hp_cli_ctx *ctx, int argc, char **argv);

#endif
