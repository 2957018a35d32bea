/* The command framework: see hp_command.h. One parser, one usage generator
 * and one error printer for both programs' command tables. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hp_command.h"
#include "hp_json.h"

/* What the printers need to know about the run; one per process, as the
 * process has one program and one command line. */
static struct {
	const struct hp_program *prog;
	const struct hp_command *cmd;     /* the command named so far, NULL = none */
	char path[128];                   /* its words ("baseline add") */
	int quiet, verbose, json;
	char *first_error;                /* JSON mode: for hp_cli_finish */
	unsigned long json_before;        /* JSON objects printed before the command ran */
} cli;

static const char *prog_name(void)
{
	return cli.prog ? cli.prog->name : "hotpatch";
}

int hp_cli_quiet(void)
{
	return cli.quiet;
}

int hp_cli_verbose(void)
{
	return cli.verbose;
}

int hp_cli_json(void)
{
	return cli.json;
}

void hp_cli_parsed_init(struct hp_cli_parsed *p)
{
	p->cmd = NULL;
	hp_strvec_init(&p->argv);
}

void hp_cli_parsed_release(struct hp_cli_parsed *p)
{
	hp_strvec_release(&p->argv);
	p->cmd = NULL;
}

/* --- printers --- */

int hp_cli_error(const char *msg)
{
	const char *p = msg;

	while (p && *p) {
		size_t n = strcspn(p, "\n");

		if (n) {
			struct hp_strbuf line = HP_STRBUF_INIT;

			/* hp_error made each message one line; text that
			 * reached `msg` some other way is cleaned here. */
			hp_strbuf_add(&line, p, n);
			hp_strbuf_sanitize_line(&line, 0);
			fprintf(stderr, "%s: error: %s\n", prog_name(), line.buf);
			if (!cli.first_error)
				cli.first_error = hp_strbuf_detach(&line);
			hp_strbuf_release(&line);
		}
		p += n;
		if (*p)
			p++;
	}
	return HP_EXIT_ERROR;
}

int hp_cli_usage_error(const char *fmt, ...)
{
	struct hp_strbuf msg = HP_STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	hp_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	/* Arguments are echoed: a newline or escape in one stays on this line. */
	hp_strbuf_sanitize_line(&msg, 0);
	fprintf(stderr, "%s: error: %s (see '%s%s%s --help')\n", prog_name(), msg.buf, prog_name(),
		*cli.path ? " " : "", cli.path);
	if (!cli.first_error)
		cli.first_error = hp_strbuf_detach(&msg);
	hp_strbuf_release(&msg);
	return HP_EXIT_USAGE;
}

/* Prints "<prefix><message>" as one line (see hp_strbuf_sanitize_line). */
static void print_line_v(const char *prefix, const char *fmt, va_list ap)
{
	struct hp_strbuf msg = HP_STRBUF_INIT;

	hp_strbuf_vaddf(&msg, fmt, ap);
	hp_strbuf_sanitize_line(&msg, 0);
	fprintf(stderr, "%s%s\n", prefix, msg.buf);
	hp_strbuf_release(&msg);
}

void hp_cli_warning(const char *fmt, ...)
{
	char prefix[64];
	va_list ap;

	if (cli.quiet)
		return;
	snprintf(prefix, sizeof(prefix), "%s: warning: ", prog_name());
	va_start(ap, fmt);
	print_line_v(prefix, fmt, ap);
	va_end(ap);
}

void hp_cli_note(const char *fmt, ...)
{
	va_list ap;

	if (cli.quiet)
		return;
	va_start(ap, fmt);
	print_line_v("note: ", fmt, ap);
	va_end(ap);
}

void hp_cli_info(const char *fmt, ...)
{
	va_list ap;

	if (cli.quiet || !cli.verbose)
		return;
	va_start(ap, fmt);
	print_line_v("note: ", fmt, ap);
	va_end(ap);
}

int hp_cli_finish(int code)
{
	if (cli.json && (code == HP_EXIT_ERROR || code == HP_EXIT_USAGE) && cli.first_error &&
	    hp_json_printed() == cli.json_before) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "error", json_object_new_string(cli.first_error));
		json_object_object_add(o, "exit", json_object_new_int(code));
		hp_json_print(stdout, o);
	}
	/* Output that could not be written is an error, not a success. */
	if ((fflush(stdout) || ferror(stdout)) && code != HP_EXIT_ERROR && code != HP_EXIT_USAGE) {
		fprintf(stderr, "%s: error: cannot write to standard output: %s\n", prog_name(),
			strerror(errno ? errno : EIO));
		code = HP_EXIT_ERROR;
	}
	hp_cli_reset();
	return code;
}

void hp_cli_reset(void)
{
	free(cli.first_error);
	memset(&cli, 0, sizeof(cli));
}

/* --- usage --- */

/* " [--x ARG]" for one option, as the synopsis shows it. */
static void synopsis_option(struct hp_strbuf *sb, const struct hp_option *o)
{
	const char *open = (o->flags & HP_OPT_REQUIRED) ? "" : "[";
	const char *close = (o->flags & HP_OPT_REQUIRED) ? "" : "]";

	if (!o->argh) {
		hp_strbuf_addf(sb, " %s--%s%s", open, o->long_name, close);
		return;
	}
	if (o->type == HP_OPT_LIST && (o->flags & HP_OPT_REQUIRED))
		hp_strbuf_addf(sb, " --%s %s [--%s %s ...]", o->long_name, o->argh, o->long_name,
			       o->argh);
	else if (o->type == HP_OPT_LIST)
		hp_strbuf_addf(sb, " [--%s %s ...]", o->long_name, o->argh);
	else
		hp_strbuf_addf(sb, " %s--%s %s%s", open, o->long_name, o->argh, close);
}

static void synopsis_options(struct hp_strbuf *sb, const struct hp_option *opts)
{
	for (const struct hp_option *o = opts; o && o->type != HP_OPT_END; o++)
		synopsis_option(sb, o);
}

/* "PATH ARGS [OPTIONS]" of one command. */
static void command_synopsis(struct hp_strbuf *sb, const char *path, const struct hp_command *c)
{
	hp_strbuf_addf(sb, "%s%s%s", path, *c->args ? " " : "", c->args);
	synopsis_options(sb, c->options);
}

static void program_synopsis(struct hp_strbuf *sb, const struct hp_program *prog)
{
	hp_strbuf_adds(sb, prog->name);
	synopsis_options(sb, prog->options);
	hp_strbuf_adds(sb, " COMMAND");
}

/* Calls fn for every leaf command with its path ("baseline add"). */
static void each_leaf(const struct hp_command *cmds, const char *prefix,
		      void (*fn)(const char *path, const struct hp_command *c, void *data), void *data)
{
	for (const struct hp_command *c = cmds; c && c->name; c++) {
		char *path = hp_xasprintf("%s%s%s", prefix, *prefix ? " " : "", c->name);

		if (c->sub)
			each_leaf(c->sub, path, fn, data);
		else
			fn(path, c, data);
		free(path);
	}
}

static void list_command(const char *path, const struct hp_command *c, void *data)
{
	struct hp_strbuf sb = HP_STRBUF_INIT;

	command_synopsis(&sb, path, c);
	fprintf(data, "  %-22s %s\n", sb.buf, c->summary);
	hp_strbuf_release(&sb);
}

static void print_options(FILE *f, const struct hp_option *opts)
{
	for (const struct hp_option *o = opts; o && o->type != HP_OPT_END; o++) {
		char *left = hp_xasprintf("%s%c%s--%s%s%s", o->short_name ? "-" : "",
					  o->short_name ? o->short_name : ' ', o->short_name ? ", " : "",
					  o->long_name, o->argh ? " " : "", o->argh ? o->argh : "");

		fprintf(f, "  %-26s %s\n", o->short_name ? left : left + 1, o->help);
		free(left);
	}
}

static const struct hp_option common_help[] = {
	{ HP_OPT_BOOL, 'h', "help", 0, NULL, "show this help", 0, 0, 0, NULL },
	{ HP_OPT_BOOL, 'q', "quiet", 0, NULL, "no notes or warnings (errors still)", 0, 0, 0, NULL },
	{ HP_OPT_BOOL, 'v', "verbose", 0, NULL, "more notes on stderr", 0, 0, 0, NULL },
	HP_OPT_END_ROW,
};

void hp_cli_usage(FILE *f, const struct hp_program *prog, const struct hp_command *cmd)
{
	struct hp_strbuf sb = HP_STRBUF_INIT;

	if (cmd && !cmd->sub) {
		command_synopsis(&sb, cli.path, cmd);
		fprintf(f, "usage: %s %s\n\n%s\n", prog->name, sb.buf, cmd->summary);
		if (cmd->options && cmd->options->type != HP_OPT_END) {
			fputs("\nOptions:\n", f);
			print_options(f, cmd->options);
		}
	} else {
		program_synopsis(&sb, prog);
		fprintf(f, "usage: %s\n\n%s\n\nCommands:\n", sb.buf, prog->summary);
		each_leaf(cmd ? cmd->sub : prog->commands, cmd ? cli.path : "", list_command, f);
	}
	if (prog->options && prog->options->type != HP_OPT_END) {
		fputs("\nOptions (before or after the command word):\n", f);
		print_options(f, prog->options);
	}
	fputs("\nCommon options (every command):\n", f);
	print_options(f, common_help);
	if (!cmd)
		fprintf(f, "  %-26s %s\n", "--version", "show the version");
	if (!cmd || cmd->sub)
		fprintf(f, "\nRun '%s%s%s COMMAND --help' for a command's options.\n", prog->name,
			cmd ? " " : "", cmd ? cli.path : "");
	fprintf(f, "\n%s\n", prog->exit_codes);
	hp_strbuf_release(&sb);
}

static void synopsis_line(const char *path, const struct hp_command *c, void *data)
{
	struct hp_strbuf sb = HP_STRBUF_INIT;

	command_synopsis(&sb, path, c);
	fprintf(data, "%s %s\n", prog_name(), sb.buf);
	hp_strbuf_release(&sb);
}

void hp_cli_synopsis(FILE *f, const struct hp_program *prog)
{
	struct hp_strbuf sb = HP_STRBUF_INIT;

	if (prog->options && prog->options->type != HP_OPT_END) {
		program_synopsis(&sb, prog);
		fprintf(f, "%s\n", sb.buf);
	}
	each_leaf(prog->commands, "", synopsis_line, f);
	hp_strbuf_release(&sb);
}

/* --- parsing --- */

static const struct hp_option *find_long(const struct hp_option *opts, const char *name, size_t n)
{
	for (const struct hp_option *o = opts; o && o->type != HP_OPT_END; o++)
		if (strlen(o->long_name) == n && !strncmp(o->long_name, name, n))
			return o;
	return NULL;
}

static const struct hp_option *find_short(const struct hp_option *opts, char c)
{
	for (const struct hp_option *o = opts; o && o->type != HP_OPT_END; o++)
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

struct misplaced {
	const char *name;      /* "timeout" */
	size_t len;
	struct hp_strbuf which;
	char *first;
};

static void find_misplaced(const char *path, const struct hp_command *c, void *data)
{
	struct misplaced *m = data;

	if (!find_long(c->options, m->name, m->len))
		return;
	hp_strbuf_addf(&m->which, "%s%s", m->which.len ? "/" : "", path);
	if (!m->first)
		m->first = hp_xstrdup(path);
}

/* A long option given before the command word that is not the program's
 * but some commands' own: say which and where it goes (exit 2), else -1. */
static int option_misplaced(const struct hp_program *prog, const char *name, size_t n)
{
	struct misplaced m = { name, n, HP_STRBUF_INIT, NULL };
	int code = -1;

	each_leaf(prog->commands, "", find_misplaced, &m);
	if (m.first)
		code = hp_cli_usage_error("'--%.*s' is an option of %s: it goes after the command "
					  "word (e.g. '%s %s --%.*s ...')", (int)n, name, m.which.buf,
					  prog->name, m.first, (int)n, name);
	hp_strbuf_release(&m.which);
	free(m.first);
	return code;
}

/* Stores `value` (NULL for a flag) into the field of `o`. 0, or a usage
 * error's exit code. */
static int store(const struct hp_option *o, const char *value, void *opts)
{
	char *field = (char *)opts + o->offset;
	struct hp_strbuf err = HP_STRBUF_INIT;
	int code = 0;

	if (value && (o->flags & HP_OPT_NONEMPTY) && !*value)
		return hp_cli_usage_error("option '--%s' needs a non-empty value", o->long_name);
	if (value && o->check && o->check(value, opts, &err)) {
		code = hp_cli_usage_error("%s", err.buf);
		goto out;
	}
	switch (o->type) {
	case HP_OPT_BOOL:
		*(int *)field = 1;
		if (o->flags & HP_OPT_JSON)
			cli.json = 1;
		break;
	case HP_OPT_STRING:
		/* The last one silently winning would act on another object
		 * than the one meant. */
		if (*(const char **)field) {
			code = hp_cli_usage_error("option '--%s' given twice", o->long_name);
			goto out;
		}
		*(const char **)field = value;
		break;
	case HP_OPT_LIST:
		hp_strvec_push((struct hp_strvec *)field, value);
		break;
	case HP_OPT_UINT: {
		char *end;
		unsigned long n;

		errno = 0;
		n = strtoul(value, &end, 10);
		if (errno || end == value || *end || value[0] == '-' || n < o->min || n > o->max) {
			code = hp_cli_usage_error("invalid --%s '%s': expected %s, %lu..%lu",
						  o->long_name, value, o->argh, o->min, o->max);
			goto out;
		}
		if (*(unsigned *)field) {
			code = hp_cli_usage_error("option '--%s' given twice", o->long_name);
			goto out;
		}
		*(unsigned *)field = (unsigned)n;
		break;
	}
	case HP_OPT_END:
		break;
	}
out:
	hp_strbuf_release(&err);
	return code;
}

struct parse_state {
	const struct hp_program *prog;
	const struct hp_command *node;    /* command named so far */
	void *opts;
	int help, only_operands;
	struct hp_strvec operands;
};

static void descend(struct parse_state *st, const struct hp_command *c)
{
	size_t n = strlen(cli.path);

	snprintf(cli.path + n, sizeof(cli.path) - n, "%s%s", n ? " " : "", c->name);
	st->node = c;
	cli.cmd = c;
}

/* The built-in options of every command; 1 when `a` was one. */
static int builtin_option(struct parse_state *st, const char *a, int *code)
{
	if (!strcmp(a, "-h") || !strcmp(a, "--help"))
		st->help = 1;
	else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
		cli.quiet = 1;
	else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
		cli.verbose = 1;
	else if (!strcmp(a, "--version")) {
		printf("%s %s\n", st->prog->name, st->prog->version);
		*code = HP_EXIT_OK;
		return -1;
	} else if (!strcmp(a, "--help-synopsis")) {
		/* not in --help: what the man page test compares */
		hp_cli_synopsis(stdout, st->prog);
		*code = HP_EXIT_OK;
		return -1;
	} else
		return 0;
	return 1;
}

/* One option word at argv[*i] (may take argv[*i + 1]). 0, or -1 with *code. */
static int parse_option(struct parse_state *st, int argc, char **argv, int *i, int *code)
{
	const char *a = argv[*i], *val = NULL, *name;
	const struct hp_option *o = NULL;
	const struct hp_option *own = st->node ? st->node->options : NULL;
	size_t n;
	int b = builtin_option(st, a, code);

	if (b)
		return b < 0 ? -1 : 0;
	if (a[1] == '-') {
		name = a + 2;
		n = strcspn(name, "=");
		val = name[n] == '=' ? name + n + 1 : NULL;
		o = find_long(st->prog->options, name, n);
		if (!o)
			o = find_long(own, name, n);
		if (!o && !st->node && (*code = option_misplaced(st->prog, name, n)) >= 0)
			return -1;
	} else if (!a[2]) {
		o = find_short(st->prog->options, a[1]);
		if (!o)
			o = find_short(own, a[1]);
	}
	if (!o) {
		if (st->node && !st->node->sub)
			*code = hp_cli_usage_error("unknown option '%.*s' for '%s'",
						   (int)strcspn(a, "="), a, cli.path);
		else
			*code = hp_cli_usage_error("unknown option '%.*s'", (int)strcspn(a, "="), a);
		return -1;
	}
	if (o->type == HP_OPT_BOOL && val) {
		*code = hp_cli_usage_error("option '--%s' takes no value", o->long_name);
		return -1;
	}
	if (o->type != HP_OPT_BOOL && !val) {
		if (*i + 1 >= argc) {
			*code = hp_cli_usage_error("option '--%s' needs a value (%s)", o->long_name,
						   o->argh);
			return -1;
		}
		val = argv[++*i];
	}
	*code = store(o, val, st->opts);
	return *code ? -1 : 0;
}

/* A word that is not an option: the next command word while the node has
 * sub-commands, else an operand. 0, or -1 with *code. */
static int parse_word(struct parse_state *st, const char *a, int *code)
{
	const struct hp_command *subs = st->node ? st->node->sub : st->prog->commands;

	if (subs) {
		for (const struct hp_command *c = subs; c->name; c++) {
			if (!strcmp(c->name, a)) {
				descend(st, c);
				return 0;
			}
		}
		*code = hp_cli_usage_error("unknown command '%s'", a);
		return -1;
	}
	hp_strvec_push(&st->operands, a);
	return 0;
}

/* After the words: the command's operands and required options. */
static int check_command(struct parse_state *st, int *code)
{
	const struct hp_command *c = st->node;

	if (!c || c->sub) {
		*code = hp_cli_usage_error("no command given");
		return -1;
	}
	if (st->operands.nr < (size_t)c->min_args) {
		*code = hp_cli_usage_error("missing argument %s", c->args);
		return -1;
	}
	if (c->max_args >= 0 && st->operands.nr > (size_t)c->max_args) {
		*code = hp_cli_usage_error("unexpected argument '%s' for '%s'",
					   st->operands.v[c->max_args], cli.path);
		return -1;
	}
	for (const struct hp_option *o = c->options; o && o->type != HP_OPT_END; o++) {
		const char *field = (const char *)st->opts + o->offset;
		int given = o->type == HP_OPT_LIST ? ((const struct hp_strvec *)field)->nr > 0 :
			    o->type == HP_OPT_STRING ? *(const char *const *)field != NULL :
			    *(const int *)field != 0;

		if ((o->flags & HP_OPT_REQUIRED) && !given) {
			*code = hp_cli_usage_error("option '--%s' is required", o->long_name);
			return -1;
		}
	}
	return 0;
}

int hp_cli_parse(const struct hp_program *prog, int argc, char **argv, void *opts,
		 struct hp_cli_parsed *out, int *code)
{
	struct parse_state st = { prog, NULL, opts, 0, 0, HP_STRVEC_INIT };
	int ret = -1;

	hp_cli_reset();
	cli.prog = prog;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (st.only_operands || a[0] != '-' || !a[1]) {
			if (parse_word(&st, a, code))
				goto out;
		} else if (!strcmp(a, "--")) {
			st.only_operands = 1;
		} else if (parse_option(&st, argc, argv, &i, code)) {
			goto out;
		}
	}
	if (st.help) {
		hp_cli_usage(stdout, prog, st.node);
		*code = HP_EXIT_OK;
		goto out;
	}
	if (check_command(&st, code))
		goto out;
	out->cmd = st.node;
	hp_strvec_push(&out->argv, cli.path);
	for (size_t k = 0; k < st.operands.nr; k++)
		hp_strvec_push(&out->argv, st.operands.v[k]);
	cli.json_before = hp_json_printed();
	ret = 0;
out:
	hp_strvec_release(&st.operands);
	return ret;
}
