/* The command framework of both programs (hotpatch, hotpatch-repo), in the
 * manner of git's parse-options: commands and their options are declared as
 * data -- tables of `struct hp_command` and `struct hp_option` -- and one
 * parser, one usage generator and one error printer work from the tables.
 *
 * Options are stored into one struct per program ("the options struct"):
 * every option row names the offset of its field. Adding an option is one
 * row in a table plus one field in that struct:
 *
 *   HP_OPT_STRING(0, "gnupg-home", struct hp_repo_cli_opts, gnupg_home, "DIR",
 *                 "GnuPG home holding the key (default: gpg's)", 0),
 *
 * Conventions shared by every command of both programs (issue 13):
 * -h/--help (the command's usage, generated from its row), -q/--quiet (no
 * notes or warnings), -v/--verbose (more notes), notes and warnings on
 * stderr, and with an option flagged HP_OPT_JSON given, an error also prints
 * {"error": "...", "exit": N} on stdout unless the command printed its own
 * JSON object. Only the command layer prints and picks exit codes. */
#ifndef HP_COMMAND_H
#define HP_COMMAND_H

#include <stddef.h>
#include <stdio.h>

#include "hp_util.h"

/* Exit codes of both programs (DESIGN.md). Detail goes into the message or
 * the JSON, never into a code. */
enum hp_exit {
	HP_EXIT_OK = 0,
	HP_EXIT_ERROR = 1,       /* error or refused; also "yes" for needs-reboot */
	HP_EXIT_USAGE = 2,
	HP_EXIT_UPDATES = 100,   /* hotpatch check: hotpatches available */
};

enum hp_opt_type {
	HP_OPT_END = 0,
	HP_OPT_BOOL,     /* int field set to 1; "--x=v" is a usage error */
	HP_OPT_STRING,   /* const char * field (points into argv); given twice = usage error */
	HP_OPT_LIST,     /* struct hp_strvec field; repeatable, values kept in order */
	HP_OPT_UINT,     /* unsigned field, decimal in [min, max]; given twice = usage error */
};

enum hp_opt_flags {
	HP_OPT_REQUIRED = 1 << 0,   /* must be given (synopsis shows it without []) */
	HP_OPT_NONEMPTY = 1 << 1,   /* an empty value is a usage error */
	HP_OPT_JSON = 1 << 2,       /* selects JSON output: errors also as a JSON object */
};

struct hp_option {
	enum hp_opt_type type;
	char short_name;            /* 0 for none */
	const char *long_name;      /* without "--" */
	size_t offset;              /* of its field in the program's options struct */
	const char *argh;           /* the value's placeholder ("DIR"), NULL for BOOL */
	const char *help;
	unsigned flags;             /* enum hp_opt_flags */
	unsigned long min, max;     /* HP_OPT_UINT range */
	/* Optional check of a value before it is stored (`opts` is the options
	 * struct, with the earlier values): 0, or -1 with a message in err,
	 * reported as a usage error (exit 2). */
	int (*check)(const char *value, const void *opts, struct hp_strbuf *err);
};

#define HP_OPT_BOOL_ROW(s, l, type, field, help) \
	{ HP_OPT_BOOL, s, l, offsetof(type, field), NULL, help, 0, 0, 0, NULL }
#define HP_OPT_JSON_ROW(type, field, help) \
	{ HP_OPT_BOOL, 0, "json", offsetof(type, field), NULL, help, HP_OPT_JSON, 0, 0, NULL }
#define HP_OPT_STRING_ROW(s, l, type, field, argh, help, flags) \
	{ HP_OPT_STRING, s, l, offsetof(type, field), argh, help, flags, 0, 0, NULL }
#define HP_OPT_LIST_ROW(s, l, type, field, argh, help, flags, check) \
	{ HP_OPT_LIST, s, l, offsetof(type, field), argh, help, flags, 0, 0, check }
#define HP_OPT_UINT_ROW(s, l, type, field, argh, help, min, max) \
	{ HP_OPT_UINT, s, l, offsetof(type, field), argh, help, 0, min, max, NULL }
#define HP_OPT_END_ROW { HP_OPT_END, 0, NULL, 0, NULL, NULL, 0, 0, 0, NULL }

/* Each program defines `struct hp_cli_ctx`, what its commands get (the
 * framework only passes the pointer through). */
struct hp_cli_ctx;
/* A command: returns an exit code (enum hp_exit). argv[0] is the command's
 * path ("check", "baseline add"), then its operands; options are in the
 * program's options struct already. */
typedef int hp_cmd_fn(struct hp_cli_ctx *ctx, int argc, char **argv);

struct hp_command {
	const char *name;
	const char *args;                    /* operands' synopsis, "" for none */
	const char *summary;                 /* one line for --help and the man page */
	const struct hp_option *options;     /* its own options (HP_OPT_END_ROW-terminated), or NULL */
	int min_args, max_args;              /* operands; max_args -1 = any number */
	unsigned flags;                      /* the program's (hotpatch: what to load) */
	hp_cmd_fn *fn;                       /* NULL when it has sub-commands */
	const struct hp_command *sub;        /* sub-commands (NULL-name terminated), or NULL */
};

struct hp_program {
	const char *name;                    /* "hotpatch" */
	const char *summary;
	const char *version;
	/* Options accepted before or after the command word (NULL for none):
	 * those of the whole program. */
	const struct hp_option *options;
	const struct hp_command *commands;   /* NULL-name terminated */
	const char *exit_codes;              /* one paragraph for --help */
};

/* What hp_cli_parse found: the command to run and its argv (the command's
 * path, then its operands). Release with hp_cli_parsed_release. */
struct hp_cli_parsed {
	const struct hp_command *cmd;
	struct hp_strvec argv;
};

void hp_cli_parsed_init(struct hp_cli_parsed *p);
void hp_cli_parsed_release(struct hp_cli_parsed *p);

/* Parses argv[1..] against `prog`'s tables into `opts` (the program's
 * options struct, zeroed and initialised by the caller) and `out`. Returns 0
 * when out->cmd is to run, or -1 when *code is final: --help / --version
 * printed (0), or a usage error printed (2). */
int hp_cli_parse(const struct hp_program *prog, int argc, char **argv, void *opts,
		 struct hp_cli_parsed *out, int *code);

/* The usage of `cmd` (NULL: the whole program), as --help prints it. */
void hp_cli_usage(FILE *f, const struct hp_program *prog, const struct hp_command *cmd);
/* The synopsis lines only ("hotpatch-repo publish REPO [--sign-key KEYID]
 * ..."), one per leaf command, or the program's one line when it has global
 * options: what the man page's SYNOPSIS must say (tests/cli checks it). */
void hp_cli_synopsis(FILE *f, const struct hp_program *prog);

/* Output conventions, set by hp_cli_parse. */
int hp_cli_quiet(void);
int hp_cli_verbose(void);
int hp_cli_json(void);

/* Prints "<prog>: error: <line>" for each line of msg to stderr and, in
 * JSON mode, remembers the first for hp_cli_finish. Returns HP_EXIT_ERROR. */
int hp_cli_error(const char *msg);
/* Prints "<prog>: error: <fmt> (see '<prog> [<command>] --help')" to
 * stderr; returns HP_EXIT_USAGE. */
int hp_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "<prog>: warning: ..." on stderr, unless --quiet. */
void hp_cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "note: ..." on stderr, unless --quiet; hp_cli_info only with --verbose. */
void hp_cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hp_cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The end of main: in JSON mode, when the command failed (exit 1 or 2)
 * after an error was printed and printed no JSON object of its own, writes
 * {"error": "<first error>", "exit": code} to stdout. Flushes stdout: a
 * write error turns success into HP_EXIT_ERROR. Returns the exit code. */
int hp_cli_finish(int code);
/* Frees what the error printer remembered (valgrind-clean ends). */
void hp_cli_reset(void);

#endif
