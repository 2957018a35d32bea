/* hotpatch: the admin's command. Global options are parsed here (before or
 * after the command word, as dnf does), the context each command asks for
 * is loaded, and the command from the table runs. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hp_cache.h"
#include "hp_cli.h"
#include "hp_dnfconf.h"
#include "hp_fetch.h"

/* The command table. One row per command: function suffix, command word,
 * operands usage, summary, flags (enum hp_cmd_flags). --help and the man
 * page's command list are generated from it. `check` loads its context
 * (HP_CMD_ALL) itself, after its options: --updateinfo changes what the
 * repositories' loading reads. */
#define HP_COMMANDS(X)                                                              \
	X(check, "check", "[--updateinfo]",                                         \
	  "hotpatches available for the running builds; exit 0 none, 100 some, 1 error; " \
	  "--updateinfo: also the packages of reboot_suggested advisories", HP_CMD_ARGS) \
	X(status, "status", "",                                                     \
	  "running builds, current baseline, live / installed-not-live hotpatches, " \
	  "held-back updates, reboot needed and why", HP_CMD_ALL | HP_CMD_REPOS_PARTIAL) \
	X(metrics, "metrics", "[--textfile DIR]",                                   \
	  "Prometheus metrics of the hotpatch state (offline parts from the rpmdb, engines " \
	  "and journal); --textfile: write DIR/hotpatch.prom atomically",             \
	  HP_CMD_ALL | HP_CMD_ARGS | HP_CMD_REPOS_PARTIAL)                          \
	X(needs_reboot, "needs-reboot", "",                                         \
	  "exit 0 no, 1 yes (as needs-restarting -r), but aware of live hotpatches", \
	  HP_CMD_SYSTEM)                                                            \
	X(apply, "apply", "[--all | PKG...] [--timeout S]",                         \
	  "live-apply installed hotpatch packages that match the running builds",  \
	  HP_CMD_SYSTEM | HP_CMD_ARGS | HP_CMD_ROOT | HP_CMD_LOCK)                  \
	X(revert, "revert", "PKG...|--all [--timeout S]",                          \
	  "make a live hotpatch not live", HP_CMD_SYSTEM | HP_CMD_ARGS | HP_CMD_ROOT | HP_CMD_LOCK) \
	X(reapply, "reapply", "[--timeout S]",                                      \
	  "at boot: apply every installed hotpatch for the running builds (idempotent)", \
	  HP_CMD_SYSTEM | HP_CMD_ARGS | HP_CMD_ROOT | HP_CMD_LOCK)

#define HP_CMD_DECL(fn, word, args, summary, flags) \
	int hp_cmd_##fn(struct hp_cli_ctx *ctx, int argc, char **argv);
#define HP_CMD_ROW(fn, word, args, summary, flags) { word, args, summary, flags, hp_cmd_##fn },

HP_COMMANDS(HP_CMD_DECL)

static const struct hp_cli_cmd commands[] = {
	HP_COMMANDS(HP_CMD_ROW)
	{ NULL, NULL, NULL, 0, NULL },
};

/* Global options: name, whether it takes a value. */
enum opt_id { OPT_ROOT, OPT_DBPATH, OPT_REPO, OPT_GPGKEY, OPT_NOGPGCHECK, OPT_RUNNING,
	      OPT_JSON, OPT_HELP, OPT_VERSION, OPT_RELEASEVER, OPT_REPO_NOGPGCHECK };
static const struct {
	const char *name;
	int has_arg;
	enum opt_id id;
	const char *help;
} options[] = {
	{ "--root", 1, OPT_ROOT, "DIR        read the rpmdb and state of the system installed in DIR" },
	{ "--dbpath", 1, OPT_DBPATH, "PATH     rpm database path inside the root (default: rpm's %_dbpath)" },
	{ "--repo", 1, OPT_REPO, "PATH|URL   use this repository (repeatable) instead of dnf's" },
	{ "--gpgkey", 1, OPT_GPGKEY, "FILE     trust this armored public key (repeatable)" },
	{ "--nogpgcheck", 0, OPT_NOGPGCHECK, "         do not verify repomd.xml signatures" },
	{ "--running", 1, OPT_RUNNING, "NAME=EVR  assume this build is running (repeatable)" },
	{ "--json", 0, OPT_JSON, "             print one JSON object" },
	{ "--help", 0, OPT_HELP, "             show this help" },
	{ "--version", 0, OPT_VERSION, "          show the version" },
	{ "--releasever", 1, OPT_RELEASEVER, "VER  $releasever in dnf's repository configuration" },
	{ "--repo-nogpgcheck", 1, OPT_REPO_NOGPGCHECK, "PATH|URL  as --repo, read unsigned (repo_gpgcheck=0)" },
};
#define NR_OPTIONS (sizeof(options) / sizeof(options[0]))

enum hp_live_state __attribute__((weak))
hp_cli_live_state(struct hp_cli_ctx *ctx, const struct hp_res_hotpatch *h, struct hp_strbuf *detail)
{
	return HP_LIVE_UNKNOWN;
}

const char *hp_live_state_name(enum hp_live_state s)
{
	switch (s) {
	case HP_LIVE_YES:
		return "yes";
	case HP_LIVE_NO:
		return "no";
	default:
		return "unknown";
	}
}

int hp_cli_error(const char *msg)
{
	const char *p = msg;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(stderr, "hotpatch: error: %.*s\n", len, p);
		p = nl ? nl + 1 : NULL;
	}
	return HP_EXIT_ERROR;
}

int hp_cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("hotpatch: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see 'hotpatch --help')\n", stderr);
	return HP_EXIT_USAGE;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: hotpatch [--root DIR] [--dbpath PATH] [--repo PATH|URL ...] [--gpgkey FILE ...] [--nogpgcheck]\n"
		   "                [--running NAME=EVR ...] [--json] COMMAND\n\nCommands:\n");
	for (const struct hp_cli_cmd *c = commands; c->name; c++) {
		char *w = hp_xasprintf("%s%s%s", c->name, *c->args ? " " : "", c->args);

		fprintf(f, "  %-22s %s\n", w, c->summary);
		free(w);
	}
	fprintf(f, "\nOptions (before or after the command word):\n");
	for (size_t i = 0; i < NR_OPTIONS; i++)
		fprintf(f, "  %s %s\n", options[i].name, options[i].help);
	fprintf(f, "\nExit codes: 0 success (check: nothing available), 1 error (needs-reboot: reboot needed),\n"
		   "2 usage error, 100 hotpatches available (check).\n");
}

static const struct hp_cli_cmd *find_command(const char *word)
{
	for (const struct hp_cli_cmd *c = commands; c->name; c++)
		if (!strcmp(c->name, word))
			return c;
	return NULL;
}

/* The global option `arg` names ("--x" or "--x=v"), or -1; *value points at
 * the "=v" part when present. */
static int find_option(const char *arg, const char **value)
{
	for (size_t i = 0; i < NR_OPTIONS; i++) {
		size_t n = strlen(options[i].name);

		if (strncmp(arg, options[i].name, n))
			continue;
		if (arg[n] == '\0') {
			*value = NULL;
			return (int)i;
		}
		if (arg[n] == '=') {
			*value = arg + n + 1;
			return (int)i;
		}
	}
	return -1;
}

/* When `arg` ("--x" or "--x=v") is an option of some commands, not a global
 * one: a usage error saying which commands take it and that it goes after
 * the command word (exit 2); else -1. */
static int command_option_misplaced(const char *arg)
{
	char *name = hp_xstrndup(arg, strcspn(arg, "="));
	size_t n = strlen(name);
	struct hp_strbuf which = HP_STRBUF_INIT;
	const char *first = NULL;
	int code = -1;

	for (const struct hp_cli_cmd *c = commands; c->name; c++) {
		/* the option as a whole word of the command's usage line */
		for (const char *at = strstr(c->args, name); at; at = strstr(at + n, name)) {
			if (at[n] == '\0' || at[n] == ' ' || at[n] == ']') {
				hp_strbuf_addf(&which, "%s%s", which.len ? "/" : "", c->name);
				first = first ? first : c->name;
				break;
			}
		}
	}
	if (first)
		code = hp_cli_usage_error("'%s' is an option of %s: it goes after the command "
					  "word (e.g. 'hotpatch %s %s ...')", name, which.buf, first,
					  name);
	hp_strbuf_release(&which);
	free(name);
	return code;
}

/* Removes the global options from argv (wherever they are) into `o`;
 * leaves the command word, then its own words, in *cmd_argv. Returns -1 when
 * the exit code in *code is final (usage error, --help, --version). */
static int parse_args(int argc, char **argv, struct hp_cli_opts *o, const struct hp_cli_cmd **cmd,
		      struct hp_strvec *cmd_argv, int *code)
{
	struct hp_strvec words = HP_STRVEC_INIT;   /* not global options, in order */
	int help = 0, only_operands = 0, ret = -1;
	size_t cmd_at = 0;

	*cmd = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		int k;

		if (only_operands || a[0] != '-' || !a[1]) {
			if (!*cmd) {
				*cmd = find_command(a);
				if (!*cmd) {
					*code = hp_cli_usage_error("unknown command '%s'", a);
					goto out;
				}
				cmd_at = words.nr;
			}
			hp_strvec_push(&words, a);
			continue;
		}
		if (!strcmp(a, "--")) {
			only_operands = 1;
			continue;
		}
		if (!strcmp(a, "-h")) {
			help = 1;
			continue;
		}
		k = find_option(a, &val);
		if (k < 0) {
			if (!*cmd && (*code = command_option_misplaced(a)) >= 0)
				goto out;
			/* Maybe the command's own option (e.g. apply --all). */
			hp_strvec_push(&words, a);
			continue;
		}
		if (options[k].has_arg && !val) {
			if (i + 1 >= argc) {
				*code = hp_cli_usage_error("option '%s' needs a value", a);
				goto out;
			}
			val = argv[++i];
		} else if (!options[k].has_arg && val) {
			*code = hp_cli_usage_error("option '%s' takes no value", options[k].name);
			goto out;
		}
		if (options[k].has_arg && !*val) {
			*code = hp_cli_usage_error("option '%s' needs a non-empty value", options[k].name);
			goto out;
		}
		switch (options[k].id) {
		case OPT_ROOT:
		case OPT_DBPATH: {
			const char **slot = options[k].id == OPT_ROOT ? &o->root : &o->dbpath;

			/* As hotpatch-repo's options: the last one silently winning
			 * would read another system than the one meant. */
			if (*slot) {
				*code = hp_cli_usage_error("option '%s' given twice", options[k].name);
				goto out;
			}
			*slot = val;
			break;
		}
		case OPT_REPO:
			hp_strvec_push(&o->repos, val);
			break;
		case OPT_GPGKEY:
			hp_strvec_push(&o->gpgkeys, val);
			break;
		case OPT_RELEASEVER:
			o->releasever = val;
			break;
		case OPT_REPO_NOGPGCHECK:
			hp_strvec_push(&o->repos, val);
			hp_strvec_push(&o->repos_nogpgcheck, val);
			break;
		case OPT_NOGPGCHECK:
			o->nogpgcheck = 1;
			break;
		case OPT_RUNNING: {
			char *n = NULL, *e = NULL;
			struct hp_strbuf err = HP_STRBUF_INIT;

			if (hp_parse_name_evr(val, &n, &e, &err)) {
				*code = hp_cli_usage_error("%s", err.buf);
				hp_strbuf_release(&err);
				goto out;
			}
			/* One running build per component: two different EVRs
			 * for one name is a contradiction, not an override. */
			for (size_t j = 0; j < o->running.nr; j++) {
				const char *prev = o->running.v[j];
				size_t len = strlen(n);

				if (!strncmp(prev, n, len) && prev[len] == '=' &&
				    strcmp(prev + len + 1, e)) {
					*code = hp_cli_usage_error("--running names '%s' twice (%s and %s)",
								   n, prev + len + 1, e);
					free(n);
					free(e);
					goto out;
				}
			}
			free(n);
			free(e);
			hp_strvec_push(&o->running, val);
			break;
		}
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_HELP:
			help = 1;
			break;
		case OPT_VERSION:
			printf("hotpatch %s\n", HP_VERSION);
			*code = HP_EXIT_OK;
			goto out;
		}
	}
	if (help) {
		usage(stdout);
		*code = HP_EXIT_OK;
		goto out;
	}
	if (!*cmd) {
		if (words.nr)
			*code = hp_cli_usage_error("unknown option '%s'", words.v[0]);
		else
			*code = hp_cli_usage_error("no command given");
		goto out;
	}
	hp_strvec_push(cmd_argv, (*cmd)->name);
	for (size_t i = 0; i < words.nr; i++)
		if (i != cmd_at)
			hp_strvec_push(cmd_argv, words.v[i]);
	if (!((*cmd)->flags & HP_CMD_ARGS) && cmd_argv->nr > 1) {
		const char *extra = cmd_argv->v[1];

		*code = hp_cli_usage_error(extra[0] == '-' ? "unknown option '%s' for '%s'"
							   : "unexpected argument '%s' for '%s'",
					   extra, (*cmd)->name);
		goto out;
	}
	ret = 0;
out:
	hp_strvec_release(&words);
	return ret;
}

/* --- the context --- */

static char *root_path(const struct hp_cli_opts *o, const char *path)
{
	if (!o->root || !*o->root || !strcmp(o->root, "/"))
		return hp_xstrdup(path);
	return hp_path_join(o->root, path);
}

static struct hp_repo *repo_slot(struct hp_cli_ctx *ctx, size_t *alloc)
{
	struct hp_repo *r;

	HP_ALLOC_GROW(ctx->repos, ctx->nr_repos + 1, *alloc);
	r = &ctx->repos[ctx->nr_repos];
	hp_repo_init(r);
	return r;
}

/* A repository that could not be loaded: fatal, or (repos_partial) one
 * stderr line naming it, recorded in ctx->refused_*, and the run goes on with
 * the others. Returns 0 when the run goes on. */
static int repo_refused(struct hp_cli_ctx *ctx, const char *id, struct hp_strbuf *err)
{
	if (!ctx->repos_partial)
		return -1;
	if (!strstr(err->buf, id)) {
		char *why = hp_xasprintf("repository '%s': %s", id, err->buf);

		hp_strbuf_reset(err);
		hp_strbuf_adds(err, why);
		free(why);
	}
	hp_cli_error(err->buf);
	hp_strvec_push(&ctx->refused_ids, id);
	hp_strvec_push(&ctx->refused_why, err->buf);
	hp_strbuf_reset(err);
	return 0;
}

static int load_repos(struct hp_cli_ctx *ctx, struct hp_strbuf *err)
{
	const struct hp_cli_opts *o = ctx->opts;
	struct hp_repo_opts ro;
	struct hp_repo_conf *confs = NULL;
	size_t nr_confs = 0, alloc = 0;
	char *state_dir = root_path(o, "/var/lib/hotpatch/repos");
	struct hp_dnf_main dnf_main;
	struct hp_dnfvars vars;
	int ret = -1;

	hp_dnf_main_init(&dnf_main);
	hp_dnfvars_init(&vars);
	hp_repo_opts_init(&ro);
	/* Keys are fetched only when a repository's own configuration names
	 * them (as dnf does); --gpgkey is a local file. */
	for (size_t i = 0; i < o->gpgkeys.nr; i++) {
		if (hp_url_kind(o->gpgkeys.v[i]) != HP_URL_LOCAL) {
			hp_error(err, "--gpgkey '%s': not a local file (give its path; keys named by "
				 "a repository's gpgkey= are fetched for that repository)",
				 o->gpgkeys.v[i]);
			goto out;
		}
	}
	ro.root = o->root;
	ro.state_dir = state_dir;
	ro.cache = &ctx->cache;
	ro.nogpgcheck = o->nogpgcheck;
	ro.updateinfo = ctx->updateinfo;
	for (size_t i = 0; i < o->gpgkeys.nr; i++)
		hp_strvec_push(&ro.gpgkeys, o->gpgkeys.v[i]);

	if (o->repos.nr) {
		for (size_t i = 0; i < o->repos.nr; i++) {
			struct hp_repo *r = repo_slot(ctx, &alloc);

			/* A refused --repo is named as given: its id is derived
			 * only once it is found. */
			if (hp_repo_load(r, NULL, o->repos.v[i], &ro,
					 !hp_strvec_contains(&o->repos_nogpgcheck, o->repos.v[i]), err)) {
				hp_repo_release(r);
				if (repo_refused(ctx, o->repos.v[i], err))
					goto out;
				continue;
			}
			ctx->nr_repos++;
		}
	} else {
		if (hp_dnf_conf_read(o->root, &dnf_main, &confs, &nr_confs, err))
			goto out;
		hp_cli_dnfvars_load(ctx, &vars, &dnf_main);
		for (size_t i = 0; i < nr_confs; i++) {
			struct hp_repo_conf *c = &confs[i];
			struct hp_repo_opts co;
			struct hp_repo *r;
			int rc;

			if (!c->enabled)
				continue;
			hp_dnfconf_expand(c, &vars);
			/* The repo's own keys are trusted for it, plus --gpgkey. */
			hp_repo_opts_init(&co);
			co.root = ro.root;
			co.state_dir = ro.state_dir;
			co.cache = ro.cache;
			co.nogpgcheck = ro.nogpgcheck;
			co.updateinfo = ro.updateinfo;
			for (size_t k = 0; k < ro.gpgkeys.nr; k++)
				hp_strvec_push(&co.gpgkeys, ro.gpgkeys.v[k]);
			for (size_t k = 0; k < c->gpgkeys.nr; k++)
				hp_strvec_push(&co.gpgkeys, c->gpgkeys.v[k]);
			r = repo_slot(ctx, &alloc);
			rc = hp_repo_load_conf(r, c, &co, &vars, err);
			hp_repo_opts_release(&co);
			if (rc && hp_cli_repo_skip(ctx, c, err))
				continue;
			if (rc) {
				hp_repo_release(r);
				if (repo_refused(ctx, c->id, err))
					goto out;
				continue;
			}
			hp_repo_filter_pkgs(r, c, &dnf_main);
			ctx->nr_repos++;
		}
	}
	ctx->rrepos = hp_xcalloc(ctx->nr_repos + 1, sizeof(*ctx->rrepos));
	for (size_t i = 0; i < ctx->nr_repos; i++) {
		if (!ctx->repos[i].has_meta) {
			hp_strvec_pushf(&ctx->messages, "repository '%s' publishes no hotpatch metadata",
					ctx->repos[i].id);
			continue;
		}
		ctx->rrepos[ctx->nr_rrepos].id = ctx->repos[i].id;
		ctx->rrepos[ctx->nr_rrepos++].meta = &ctx->repos[i].meta;
	}
	ret = 0;
out:
	hp_repo_conf_free(confs, nr_confs);
	hp_repo_opts_release(&ro);
	hp_dnfvars_release(&vars);
	hp_dnf_main_release(&dnf_main);
	free(state_dir);
	return ret;
}

static int resolve(struct hp_cli_ctx *ctx, struct hp_strbuf *err)
{
	struct hp_strvec components = HP_STRVEC_INIT;
	struct hp_resolve_input in;
	int ret = -1;

	hp_resolve_components(ctx->rrepos, ctx->nr_rrepos, &components);
	/* Installed hotpatches name components too: their running builds are
	 * known offline, when no repository could be read. */
	hp_resolve_installed_components(ctx->sys.pool, &components);
	if (hp_system_detect_running(&ctx->sys, &components, &ctx->opts->running, err))
		goto out;
	for (size_t i = 0; i < ctx->sys.messages.nr; i++)
		if (!hp_strvec_contains(&ctx->messages, ctx->sys.messages.v[i]))
			hp_strvec_push(&ctx->messages, ctx->sys.messages.v[i]);
	memset(&in, 0, sizeof(in));
	in.pool = ctx->sys.pool;
	in.running = ctx->sys.running;
	in.nr_running = ctx->sys.nr_running;
	in.repos = ctx->rrepos;
	in.nr_repos = ctx->nr_rrepos;
	in.now = hp_now();
	ret = hp_resolve(&in, &ctx->res, err);
out:
	hp_strvec_release(&components);
	return ret;
}

enum { LOADED_SYSTEM = 1 << 0, LOADED_REPOS = 1 << 1, LOADED_RESOLVE = 1 << 2 };

int hp_cli_ctx_load(struct hp_cli_ctx *ctx, unsigned flags, struct hp_strbuf *err)
{
	if (flags & HP_CMD_RESOLVE)
		flags |= HP_CMD_SYSTEM | HP_CMD_REPOS;
	if ((flags & HP_CMD_SYSTEM) && !(ctx->loaded & LOADED_SYSTEM)) {
		struct hp_system_opts so = { ctx->opts->root, ctx->opts->dbpath, NULL, &ctx->cache };

		if (hp_system_load(&ctx->sys, &so, err))
			return -1;
		ctx->loaded |= LOADED_SYSTEM;
	}
	if ((flags & HP_CMD_REPOS) && !(ctx->loaded & LOADED_REPOS)) {
		if (load_repos(ctx, err))
			return -1;
		ctx->loaded |= LOADED_REPOS;
	}
	if ((flags & HP_CMD_RESOLVE) && !(ctx->loaded & LOADED_RESOLVE)) {
		if (resolve(ctx, err))
			return -1;
		ctx->loaded |= LOADED_RESOLVE;
	}
	return 0;
}

void hp_cli_ctx_release(struct hp_cli_ctx *ctx)
{
	hp_system_release(&ctx->sys);
	for (size_t i = 0; i < ctx->nr_repos; i++)
		hp_repo_release(&ctx->repos[i]);
	free(ctx->repos);
	ctx->repos = NULL;
	ctx->nr_repos = 0;
	free(ctx->rrepos);
	ctx->rrepos = NULL;
	ctx->nr_rrepos = 0;
	hp_resolution_release(&ctx->res);
	hp_strvec_release(&ctx->messages);
	hp_strvec_release(&ctx->skipped);
	hp_strvec_release(&ctx->skipped_why);
	hp_strvec_release(&ctx->refused_ids);
	hp_strvec_release(&ctx->refused_why);
	ctx->loaded = 0;
}

int main(int argc, char **argv)
{
	struct hp_cli_opts opts;
	struct hp_cli_ctx ctx;
	struct hp_strvec cmd_argv = HP_STRVEC_INIT;
	struct hp_strbuf err = HP_STRBUF_INIT;
	const struct hp_cli_cmd *cmd = NULL;
	char *cache_dir;
	int code = HP_EXIT_ERROR;

	memset(&opts, 0, sizeof(opts));
	hp_strvec_init(&opts.repos);
	hp_strvec_init(&opts.gpgkeys);
	hp_strvec_init(&opts.running);
	hp_strvec_init(&opts.repos_nogpgcheck);
	memset(&ctx, 0, sizeof(ctx));
	hp_system_init(&ctx.sys);
	hp_resolution_init(&ctx.res);
	hp_strvec_init(&ctx.messages);
	hp_strvec_init(&ctx.refused_ids);
	hp_strvec_init(&ctx.refused_why);
	ctx.opts = &opts;
	hp_cache_init(&ctx.cache, NULL);

	if (parse_args(argc, argv, &opts, &cmd, &cmd_argv, &code))
		goto out;
	ctx.cmd = cmd;
	ctx.repos_partial = !!(cmd->flags & HP_CMD_REPOS_PARTIAL);
	cache_dir = root_path(&opts, HP_CACHE_SUBDIR);
	hp_cache_init(&ctx.cache, cache_dir);
	free(cache_dir);
	if (hp_cli_ctx_load(&ctx, cmd->flags, &err)) {
		code = hp_cli_error(err.buf);
		goto out;
	}
	code = cmd->fn(&ctx, (int)cmd_argv.nr, cmd_argv.v);
	/* What was parsed is kept only when the command succeeded: a failed
	 * one leaves the root as it found it. */
	if (code == HP_EXIT_OK || code == HP_EXIT_UPDATES)
		hp_cache_flush(&ctx.cache);
out:
	hp_cache_release(&ctx.cache);
	hp_cli_ctx_release(&ctx);
	hp_strvec_release(&cmd_argv);
	hp_strvec_release(&opts.repos);
	hp_strvec_release(&opts.gpgkeys);
	hp_strvec_release(&opts.running);
	hp_strvec_release(&opts.repos_nogpgcheck);
	hp_strbuf_release(&err);
	if (fflush(stdout) && code == HP_EXIT_OK)
		code = HP_EXIT_ERROR;
	return code;
}
