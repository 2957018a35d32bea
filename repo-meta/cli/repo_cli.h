/* The hotpatch-repo command layer: one command table (hotpatch-repo.c) from
 * which usage text is generated, one file per command (cmd-*.c), and a tiny
 * option parser shared by all of them. Only this layer prints and picks exit
 * codes (0 ok, 1 error/refused, 2 usage). */
#ifndef HP_REPO_CLI_H
#define HP_REPO_CLI_H

#include <stddef.h>

#include "hp_util.h"

enum {
	HP_EXIT_OK = 0,
	HP_EXIT_ERROR = 1,
	HP_EXIT_USAGE = 2,
};

#define HP_CLI_MAX_OPTS 8

struct hp_cli_opt {
	const char *name;     /* long name without "--" */
	const char *arg;      /* value placeholder ("ID"), NULL for a flag */
	int multi;            /* may be repeated (values collected in order) */
	int required;         /* shown without [] in the synopsis; checked by the command */
	const char *help;
};

struct hp_cli_args {
	struct hp_strvec values[HP_CLI_MAX_OPTS]; /* per option, in the table's order */
	int set[HP_CLI_MAX_OPTS];                /* times given */
	const char *positional[4];
	size_t nr_positional;
};

struct hp_cli_cmd {
	const char *name;
	const char *args;     /* positional synopsis, e.g. "REPO" */
	const char *summary;
	const struct hp_cli_opt *opts; /* NULL-name terminated, or NULL */
	int (*run)(const struct hp_cli_cmd *cmd, int argc, char **argv);
	const struct hp_cli_cmd *sub;  /* sub-commands (NULL-name terminated) */
};

/* Parses argv (after the command words) against cmd->opts. "--help"/"-h"
 * prints the command's usage and returns 0 with *exit_now set. Errors print
 * one usage line and return HP_EXIT_USAGE. `nr_pos` positional arguments
 * are required exactly. Release `a` with hp_cli_args_release in every case. */
int hp_cli_parse(const struct hp_cli_cmd *cmd, int argc, char **argv, size_t nr_pos,
		 struct hp_cli_args *a, int *exit_now);
void hp_cli_args_release(struct hp_cli_args *a);
/* The value of option `i` (the last one given), or NULL. */
const char *hp_cli_value(const struct hp_cli_args *a, int i);

/* Prints the usage of `cmd` ("hotpatch-repo <path> ...") to `to` (stdout/stderr). */
void hp_cli_usage(const struct hp_cli_cmd *cmd, int to_stderr);
/* Prints "hotpatch-repo: error: <line>" for each line of `msg`; returns HP_EXIT_ERROR. */
int hp_cli_error(const char *msg);
/* Prints "hotpatch-repo: error: <msg>" and "Try '... --help'." to stderr; returns HP_EXIT_USAGE. */
int hp_cli_usage_error(const struct hp_cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Full command path of `cmd` ("baseline add"). */
const char *hp_cli_path(const struct hp_cli_cmd *cmd);

int hp_cmd_baseline_add(const struct hp_cli_cmd *cmd, int argc, char **argv);
int hp_cmd_baseline_list(const struct hp_cli_cmd *cmd, int argc, char **argv);
int hp_cmd_publish(const struct hp_cli_cmd *cmd, int argc, char **argv);
int hp_cmd_verify(const struct hp_cli_cmd *cmd, int argc, char **argv);
int hp_cmd_list(const struct hp_cli_cmd *cmd, int argc, char **argv);

extern const struct hp_cli_opt hp_baseline_add_opts[];
extern const struct hp_cli_opt hp_json_opts[];
extern const struct hp_cli_opt hp_publish_opts[];
extern const struct hp_cli_opt hp_verify_opts[];

#endif
