/* hotpatch-repo: the mirror operator's command. The command table below is
 * the single source of the usage text (and of the man page's synopsis). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repo_cli.h"

static const struct hp_cli_cmd baseline_cmds[] = {
	{ "add", "REPO", "record a baseline (a dated set of builds) in REPO/.hotpatch/baselines.xml",
	  hp_baseline_add_opts, hp_cmd_baseline_add, NULL },
	{ "list", "REPO", "show the baselines of REPO", hp_json_opts, hp_cmd_baseline_list, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct hp_cli_cmd commands[] = {
	{ "baseline", "COMMAND", "manage the repository's baselines", NULL, NULL, baseline_cmds },
	{ "publish", "REPO", "lint the hotpatch packages and publish the signed hotpatch metadata",
	  hp_publish_opts, hp_cmd_publish, NULL },
	{ "verify", "REPO", "check signature, checksum, validity and expiry of the published metadata",
	  hp_verify_opts, hp_cmd_verify, NULL },
	{ "list", "REPO", "show the published hotpatch records", hp_json_opts, hp_cmd_list, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct hp_cli_cmd root = {
	"", "COMMAND", "publish hotpatch metadata for an RPM repository", NULL, NULL, commands,
};

const char *hp_cli_path(const struct hp_cli_cmd *cmd)
{
	static char buf[128];

	if (cmd == &root)
		return "";
	for (const struct hp_cli_cmd *c = commands; c->name; c++) {
		if (c == cmd)
			return c->name;
		for (const struct hp_cli_cmd *s = c->sub; s && s->name; s++)
			if (s == cmd) {
				snprintf(buf, sizeof(buf), "%s %s", c->name, s->name);
				return buf;
			}
	}
	return cmd->name;
}

static void print_synopsis(FILE *f, const struct hp_cli_cmd *cmd, const char *indent)
{
	const char *path = hp_cli_path(cmd);

	fprintf(f, "%shotpatch-repo%s%s %s", indent, *path ? " " : "", path, cmd->args);
	for (const struct hp_cli_opt *o = cmd->opts; o && o->name; o++) {
		if (o->arg && o->required)
			fprintf(f, " --%s %s%s", o->name, o->arg, o->multi ? " [--" : "");
		else if (o->arg)
			fprintf(f, " [--%s %s]%s", o->name, o->arg, o->multi ? "..." : "");
		else
			fprintf(f, " [--%s]", o->name);
		if (o->arg && o->required && o->multi)
			fprintf(f, "%s %s ...]", o->name, o->arg);
	}
	fputc('\n', f);
}

void hp_cli_usage(const struct hp_cli_cmd *cmd, int to_stderr)
{
	FILE *f = to_stderr ? stderr : stdout;

	if (cmd->sub) {
		fprintf(f, "usage: hotpatch-repo%s%s COMMAND [ARGS] [--help]\n\n%s\n\ncommands:\n",
			*hp_cli_path(cmd) ? " " : "", hp_cli_path(cmd), cmd->summary);
		for (const struct hp_cli_cmd *s = cmd->sub; s->name; s++) {
			if (s->sub) {
				for (const struct hp_cli_cmd *ss = s->sub; ss->name; ss++)
					print_synopsis(f, ss, "  ");
			} else {
				print_synopsis(f, s, "  ");
			}
		}
		fprintf(f, "\nexit codes: 0 ok, 1 error or refused, 2 usage\n"
			   "Run 'hotpatch-repo%s%s COMMAND --help' for a command's options.\n",
			*hp_cli_path(cmd) ? " " : "", hp_cli_path(cmd));
		return;
	}
	fputs("usage: ", f);
	print_synopsis(f, cmd, "");
	fprintf(f, "\n%s\n", cmd->summary);
	if (cmd->opts && cmd->opts->name) {
		fputs("\noptions:\n", f);
		for (const struct hp_cli_opt *o = cmd->opts; o->name; o++) {
			char left[64];

			snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
			fprintf(f, "  %-28s %s\n", left, o->help);
		}
	}
	fprintf(f, "  %-28s %s\n", "--help", "show this help");
	fputs("\nexit codes: 0 ok, 1 error or refused, 2 usage\n", f);
}

int hp_cli_error(const char *msg)
{
	const char *p = msg;

	while (p && *p) {
		size_t n = strcspn(p, "\n");

		if (n)
			fprintf(stderr, "hotpatch-repo: error: %.*s\n", (int)n, p);
		p += n;
		if (*p)
			p++;
	}
	return HP_EXIT_ERROR;
}

int hp_cli_usage_error(const struct hp_cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	const char *path = hp_cli_path(cmd);

	fputs("hotpatch-repo: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'hotpatch-repo%s%s --help')\n", *path ? " " : "", path);
	return HP_EXIT_USAGE;
}

void hp_cli_args_release(struct hp_cli_args *a)
{
	for (int i = 0; i < HP_CLI_MAX_OPTS; i++)
		hp_strvec_release(&a->values[i]);
	memset(a, 0, sizeof(*a));
}

const char *hp_cli_value(const struct hp_cli_args *a, int i)
{
	return a->values[i].nr ? a->values[i].v[a->values[i].nr - 1] : NULL;
}

int hp_cli_parse(const struct hp_cli_cmd *cmd, int argc, char **argv, size_t nr_pos,
		 struct hp_cli_args *a, int *exit_now)
{
	int only_pos = 0;

	memset(a, 0, sizeof(*a));
	*exit_now = 0;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		const struct hp_cli_opt *o;
		const char *eq, *val = NULL;
		size_t nl;
		int idx;

		if (only_pos || arg[0] != '-' || !arg[1]) {
			if (a->nr_positional >= nr_pos || a->nr_positional >= 4)
				return hp_cli_usage_error(cmd, "unexpected argument '%s'", arg);
			a->positional[a->nr_positional++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_pos = 1;
			continue;
		}
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			hp_cli_usage(cmd, 0);
			*exit_now = 1;
			return HP_EXIT_OK;
		}
		if (arg[1] != '-')
			return hp_cli_usage_error(cmd, "unknown option '%s'", arg);
		eq = strchr(arg + 2, '=');
		nl = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		for (o = cmd->opts, idx = 0; o && o->name; o++, idx++)
			if (strlen(o->name) == nl && !strncmp(o->name, arg + 2, nl))
				break;
		if (!o || !o->name)
			return hp_cli_usage_error(cmd, "unknown option '%.*s'", (int)nl + 2, arg);
		if (o->arg) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return hp_cli_usage_error(cmd, "option '--%s' needs a value (%s)",
							  o->name, o->arg);
			if (a->set[idx] && !o->multi)
				return hp_cli_usage_error(cmd, "option '--%s' given twice", o->name);
			hp_strvec_push(&a->values[idx], val);
		} else if (eq) {
			return hp_cli_usage_error(cmd, "option '--%s' takes no value", o->name);
		}
		a->set[idx]++;
	}
	if (a->nr_positional < nr_pos)
		return hp_cli_usage_error(cmd, "missing argument REPO");
	return HP_EXIT_OK;
}

/* Walks the command words down the table, then runs the command. */
static int dispatch(const struct hp_cli_cmd *cmd, int argc, char **argv)
{
	const char *word;

	if (!cmd->sub)
		return cmd->run(cmd, argc, argv);
	if (argc < 1) {
		hp_cli_usage_error(cmd, "a command is required");
		return HP_EXIT_USAGE;
	}
	word = argv[0];
	if (!strcmp(word, "--help") || !strcmp(word, "-h") || !strcmp(word, "help")) {
		hp_cli_usage(cmd, 0);
		return HP_EXIT_OK;
	}
	if (cmd == &root && !strcmp(word, "--version")) {
		printf("hotpatch-repo %s\n", HP_VERSION);
		return HP_EXIT_OK;
	}
	for (const struct hp_cli_cmd *s = cmd->sub; s->name; s++)
		if (!strcmp(s->name, word))
			return dispatch(s, argc - 1, argv + 1);
	return hp_cli_usage_error(cmd, "unknown command '%s'", word);
}

int main(int argc, char **argv)
{
	return dispatch(&root, argc - 1, argv + 1);
}
