/* The command framework (hp_command.h) on a toy program declared as data:
 * options of every type stored into their fields, global options before
 * or after the command word, sub-commands, operand counts, required
 * options, ranges, a command's option before the command word, --json
 * errors as one object, and usage generated from the same tables. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hp_command.h"
#include "hp_json.h"

struct toy_opts {
	const char *root;
	struct hp_strvec repos;
	int json;
	int all;
	unsigned timeout;
	const char *id;
};

static int no_x(const char *value, const void *opts, struct hp_strbuf *err)
{
	return strchr(value, 'x') ? hp_error(err, "'%s' has an x", value) : 0;
}

#define O struct toy_opts
static const struct hp_option global[] = {
	HP_OPT_STRING_ROW(0, "root", O, root, "DIR", "the root", HP_OPT_NONEMPTY),
	HP_OPT_LIST_ROW('r', "repo", O, repos, "URL", "a repository", 0, no_x),
	HP_OPT_JSON_ROW(O, json, "JSON"),
	HP_OPT_END_ROW,
};
static const struct hp_option run_opts[] = {
	HP_OPT_BOOL_ROW(0, "all", O, all, "all of them"),
	HP_OPT_UINT_ROW(0, "timeout", O, timeout, "S", "seconds", 1, 60),
	HP_OPT_END_ROW,
};
static const struct hp_option add_opts[] = {
	HP_OPT_STRING_ROW(0, "id", O, id, "ID", "the id", HP_OPT_REQUIRED),
	HP_OPT_END_ROW,
};
#undef O

static int toy_fn(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	return HP_EXIT_OK;
}

static const struct hp_command sub[] = {
	{ "add", "REPO", "add one", add_opts, 1, 1, 0, toy_fn, NULL },
	{ NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
static const struct hp_command cmds[] = {
	{ "run", "[PKG...]", "run things", run_opts, 0, -1, 7, toy_fn, NULL },
	{ "base", "COMMAND", "sub-commands", NULL, 0, 0, 0, NULL, sub },
	{ NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
static const struct hp_program toy = { "toy", "A toy.", "1.0", global, cmds, "Exit codes: 0, 1, 2." };

/* Parses the words (NULL-terminated) with stdout/stderr sent to files;
 * returns hp_cli_parse's result, *code and the parsed command. */
struct run {
	struct toy_opts o;
	struct hp_cli_parsed p;
	int ret, code;
	char out[4096], err[4096];
};

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void parse(struct run *r, ...)
{
	char *argv[32];
	int argc = 0, so = dup(1), se = dup(2);
	FILE *fo = tmpfile(), *fe = tmpfile();
	va_list ap;

	memset(&r->o, 0, sizeof(r->o));
	hp_strvec_init(&r->o.repos);
	hp_cli_parsed_init(&r->p);
	argv[argc++] = "toy";
	va_start(ap, r);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	r->code = -1;
	r->ret = hp_cli_parse(&toy, argc, argv, &r->o, &r->p, &r->code);
	if (r->ret)
		r->code = hp_cli_finish(r->code);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(fo, r->out, sizeof(r->out));
	slurp(fe, r->err, sizeof(r->err));
}

static void done(struct run *r)
{
	hp_strvec_release(&r->o.repos);
	hp_cli_parsed_release(&r->p);
	hp_cli_reset();
}

START_TEST(test_fields_and_order)
{
	struct run r;

	/* global options on both sides of the command word, -r short */
	parse(&r, "--root", "/r", "run", "a", "--timeout=5", "-r", "u1", "--all", "--repo", "u2",
	      "b", "--json", NULL);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_str_eq(r.p.cmd->name, "run");
	ck_assert_int_eq(r.p.cmd->flags, 7);
	ck_assert_str_eq(r.o.root, "/r");
	ck_assert_int_eq(r.o.timeout, 5);
	ck_assert_int_eq(r.o.all, 1);
	ck_assert_int_eq(r.o.json, 1);
	ck_assert_int_eq(hp_cli_json(), 1);
	ck_assert_uint_eq(r.o.repos.nr, 2);
	ck_assert_str_eq(r.o.repos.v[1], "u2");
	ck_assert_uint_eq(r.p.argv.nr, 3);   /* path, then the operands in order */
	ck_assert_str_eq(r.p.argv.v[0], "run");
	ck_assert_str_eq(r.p.argv.v[1], "a");
	ck_assert_str_eq(r.p.argv.v[2], "b");
	done(&r);
	/* "--" ends the options; -q and -v are everyone's */
	parse(&r, "-q", "run", "-v", "--", "--all", NULL);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_int_eq(r.o.all, 0);
	ck_assert_str_eq(r.p.argv.v[1], "--all");
	ck_assert_int_eq(hp_cli_quiet(), 1);
	ck_assert_int_eq(hp_cli_verbose(), 1);
	done(&r);
	/* sub-commands and their path */
	parse(&r, "base", "add", "R", "--id", "x1", NULL);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_str_eq(r.p.argv.v[0], "base add");
	ck_assert_str_eq(r.o.id, "x1");
	done(&r);
}
END_TEST

/* Each usage error: exit 2, one stderr line with the message and where to
 * look, nothing on stdout without --json. */
static void usage_error(const char *want, ...)
{
	struct run r;
	char *argv[16];
	int n = 0;
	va_list ap;

	va_start(ap, want);
	for (char *a; (a = va_arg(ap, char *));)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	ck_assert_int_le(n, 4);
	parse(&r, argv[0], n > 1 ? argv[1] : NULL, n > 2 ? argv[2] : NULL, n > 3 ? argv[3] : NULL,
	      NULL);
	ck_assert_msg(r.ret == -1 && r.code == HP_EXIT_USAGE, "%s: ret %d code %d", want, r.ret,
		      r.code);
	ck_assert_msg(strstr(r.err, want), "'%s' not in '%s'", want, r.err);
	ck_assert_msg(!strncmp(r.err, "toy: error: ", 12), "%s", r.err);
	ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "not one line: %s", r.err);
	ck_assert_str_eq(r.out, "");
	done(&r);
}

START_TEST(test_usage_errors)
{
	usage_error("unknown command 'nosuch' (see 'toy --help')", "nosuch", NULL);
	usage_error("no command given", "--root", "/", NULL);
	usage_error("no command given (see 'toy base --help')", "base", NULL);
	usage_error("unknown option '--bogus' for 'run' (see 'toy run --help')", "run", "--bogus", NULL);
	usage_error("'--timeout' is an option of run: it goes after the command word", "--timeout",
		    "5", "run", NULL);
	usage_error("option '--timeout' needs a value", "run", "--timeout", NULL);
	usage_error("invalid --timeout '0': expected S, 1..60", "run", "--timeout", "0", NULL);
	usage_error("invalid --timeout '61'", "run", "--timeout", "61", NULL);
	usage_error("invalid --timeout '-1'", "run", "--timeout", "-1", NULL);
	usage_error("option '--all' takes no value", "run", "--all=1", NULL);
	usage_error("option '--root' given twice", "--root", "/a", "run", "--root=/b", NULL);
	usage_error("option '--root' needs a non-empty value", "--root", "", "run", NULL);
	usage_error("'ux' has an x", "-r", "ux", "run", NULL);
	usage_error("option '--id' is required", "base", "add", "R", NULL);
	usage_error("missing argument REPO", "base", "add", "--id", "i", NULL);
	usage_error("unexpected argument 'S' for 'base add'", "base", "add", "R", "S", NULL);
}
END_TEST

START_TEST(test_json_error)
{
	struct run r;

	parse(&r, "--json", "nosuch", NULL);
	ck_assert_int_eq(r.code, HP_EXIT_USAGE);
	ck_assert_msg(strstr(r.out, "\"error\": \"unknown command 'nosuch'\""), "%s", r.out);
	ck_assert_msg(strstr(r.out, "\"exit\": 2"), "%s", r.out);
	done(&r);
}
END_TEST

START_TEST(test_help_from_tables)
{
	struct run r;

	parse(&r, "run", "--help", NULL);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_int_eq(r.code, HP_EXIT_OK);
	ck_assert_msg(strstr(r.out, "usage: toy run [PKG...] [--all] [--timeout S]\n"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "  --timeout S"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "  -r, --repo URL"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "  -q, --quiet"), "%s", r.out);
	done(&r);
	parse(&r, "-h", NULL);
	ck_assert_msg(strstr(r.out, "usage: toy [--root DIR] [--repo URL ...] [--json] COMMAND\n"),
		      "%s", r.out);
	ck_assert_msg(strstr(r.out, "  base add REPO --id ID"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "Exit codes: 0, 1, 2."), "%s", r.out);
	done(&r);
	parse(&r, "--help-synopsis", NULL);
	ck_assert_str_eq(r.out, "toy [--root DIR] [--repo URL ...] [--json] COMMAND\n"
				"toy run [PKG...] [--all] [--timeout S]\n"
				"toy base add REPO --id ID\n");
	done(&r);
}
END_TEST

Suite *command_suite(void)
{
	Suite *s = suite_create("command");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_fields_and_order);
	tcase_add_test(tc, test_usage_errors);
	tcase_add_test(tc, test_json_error);
	tcase_add_test(tc, test_help_from_tables);
	suite_add_tcase(s, tc);
	return s;
}
