/* hotpatch: the admin's command. Its command and option tables are here
 * (parsed by the framework of hp_command.h, global options before or after
 * the command word, as dnf's), the context each command asks for is loaded,
 * and the command from the table runs. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hp_cache.h"
#include "hp_cli.h"
#include "hp_fetch.h"

/* --running NAME=EVR: of that form, and one running build per component:
 * two different EVRs for one name is a contradiction, not an override. */
static int check_running(const char *val, const void *opts, struct hp_strbuf *err)
{
	const struct hp_cli_opts *o = opts;
	char *n = NULL, *e = NULL;
	int ret = -1;

	if (hp_parse_name_evr(val, &n, &e, err))
		return -1;
	for (size_t j = 0; j < o->running.nr; j++) {
		const char *prev = o->running.v[j];
		size_t len = strlen(n);

		if (!strncmp(prev, n, len) && prev[len] == '=' && strcmp(prev + len + 1, e)) {
			hp_error(err, "--running names '%s' twice (%s and %s)", n, prev + len + 1, e);
			goto out;
		}
	}
	ret = 0;
out:
	free(n);
	free(e);
	return ret;
}

#define O struct hp_cli_opts

/* Global options: before or after the command word, as dnf's. */
static const struct hp_option global_options[] = {
	HP_OPT_STRING_ROW(0, "root", O, root, "DIR",
			  "read the rpmdb and state of the system installed in DIR", HP_OPT_NONEMPTY),
	HP_OPT_STRING_ROW(0, "dbpath", O, dbpath, "PATH",
			  "rpm database path inside the root (default: rpm's %_dbpath)",
			  HP_OPT_NONEMPTY),
	HP_OPT_LIST_ROW(0, "repo", O, repos, "PATH|URL",
			"use this repository (repeatable) instead of dnf's", HP_OPT_NONEMPTY, NULL),
	HP_OPT_LIST_ROW(0, "gpgkey", O, gpgkeys, "FILE", "trust this armored public key (repeatable)",
			HP_OPT_NONEMPTY, NULL),
	HP_OPT_BOOL_ROW(0, "nogpgcheck", O, nogpgcheck, "do not verify repomd.xml signatures"),
	HP_OPT_LIST_ROW(0, "running", O, running, "NAME=EVR",
			"assume this build is running (repeatable)", HP_OPT_NONEMPTY, check_running),
	HP_OPT_JSON_ROW(O, json, "print one JSON object (errors too)"),
	HP_OPT_STRING_ROW(0, "releasever", O, releasever, "VER",
			  "$releasever in dnf's repository configuration", HP_OPT_NONEMPTY),
	HP_OPT_LIST_ROW(0, "repo-nogpgcheck", O, repos_nogpgcheck, "PATH|URL",
			"as --repo, read unsigned (repo_gpgcheck=0)", HP_OPT_NONEMPTY, NULL),
	HP_OPT_UINT_ROW(0, "fetch-timeout", O, fetch_timeout, "S",
			"seconds all network fetches of the command may take (default 300)", 1, 86400),
	HP_OPT_END_ROW,
};

static const struct hp_option check_options[] = {
	HP_OPT_BOOL_ROW(0, "updateinfo", O, updateinfo,
			"also the packages of the repositories' reboot_suggested advisories"),
	HP_OPT_END_ROW,
};

#define TIMEOUT_ROW                                                                 \
	HP_OPT_UINT_ROW(0, "timeout", O, timeout, "S",                              \
			"seconds to wait for the engine's transition", 1, 86400)

static const struct hp_option apply_options[] = {
	HP_OPT_BOOL_ROW(0, "all", O, all, "every installed hotpatch (the default for apply)"),
	TIMEOUT_ROW,
	HP_OPT_END_ROW,
};

static const struct hp_option metrics_options[] = {
	HP_OPT_STRING_ROW(0, "textfile", O, textfile, "DIR",
			  "write DIR/hotpatch.prom atomically (node_exporter's textfile collector)",
			  HP_OPT_NONEMPTY),
	HP_OPT_END_ROW,
};

static const struct hp_option reapply_options[] = {
	TIMEOUT_ROW,
	HP_OPT_END_ROW,
};

/* The command table; --help, COMMAND --help and the man page's synopsis
 * are generated from it. `check` loads its context (HP_CMD_ALL) itself:
 * --updateinfo changes what the repositories' loading reads. */
static const struct hp_command commands[] = {
	{ "check", "", "hotpatches available for the running builds; exit 0 none, 100 some, 1 error",
	  check_options, 0, 0, HP_CMD_REPO_RESULTS, hp_cmd_check, NULL },
	{ "status", "", "running builds, current baseline, live / installed-not-live hotpatches, "
	  "held-back updates, reboot needed and why", NULL, 0, 0, HP_CMD_ALL | HP_CMD_REPO_RESULTS,
	  hp_cmd_status, NULL },
	{ "metrics", "", "Prometheus metrics of the hotpatch state (offline parts from the rpmdb, "
	  "engines and journal)", metrics_options, 0, 0, HP_CMD_ALL | HP_CMD_REPO_RESULTS,
	  hp_cmd_metrics, NULL },
	{ "needs-reboot", "", "exit 0 no, 1 yes (as needs-restarting -r), but aware of live hotpatches",
	  NULL, 0, 0, HP_CMD_SYSTEM, hp_cmd_needs_reboot, NULL },
	{ "apply", "[PKG...]", "live-apply installed hotpatch packages that match the running builds",
	  apply_options, 0, -1, HP_CMD_SYSTEM | HP_CMD_ROOT | HP_CMD_LOCK, hp_cmd_apply, NULL },
	{ "revert", "[PKG...]", "make a live hotpatch not live (PKG... or --all)", apply_options, 0, -1,
	  HP_CMD_SYSTEM | HP_CMD_ROOT | HP_CMD_LOCK, hp_cmd_revert, NULL },
	{ "reapply", "", "at boot: apply every installed hotpatch for the running builds (idempotent)",
	  reapply_options, 0, 0, HP_CMD_SYSTEM | HP_CMD_ROOT | HP_CMD_LOCK, hp_cmd_reapply, NULL },
	{ NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};

#undef O

static const struct hp_program program = {
	"hotpatch",
	"Find, apply and report live patches (hotpatches) for the running builds.",
	HP_VERSION,
	global_options,
	commands,
	"Exit codes: 0 success (check: nothing available), 1 error (needs-reboot: reboot needed),\n"
	"2 usage error, 100 hotpatches available (check).",
};

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

/* --- the context --- */

static char *root_path(const struct hp_cli_opts *o, const char *path)
{
	if (!o->root || !*o->root || !strcmp(o->root, "/"))
		return hp_xstrdup(path);
	return hp_path_join(o->root, path);
}

static int load_repos(struct hp_cli_ctx *ctx, struct hp_strbuf *err)
{
	const struct hp_cli_opts *o = ctx->opts;
	struct hp_repos_opts ro = {
		.root = o->root, .dbpath = o->dbpath, .releasever = o->releasever,
		.urls = &o->repos, .urls_nogpgcheck = &o->repos_nogpgcheck, .gpgkeys = &o->gpgkeys,
		.nogpgcheck = o->nogpgcheck, .updateinfo = ctx->updateinfo, .cache = &ctx->cache,
		.results = &ctx->repo_results,
		.keep_going = ctx->cmd && (ctx->cmd->flags & HP_CMD_REPO_RESULTS),
	};

	if (hp_repos_load(&ro, &ctx->repos, &ctx->nr_repos, &ctx->messages, err))
		return -1;
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
	return 0;
}

static int resolve(struct hp_cli_ctx *ctx, struct hp_strbuf *err)
{
	struct hp_strvec components = HP_STRVEC_INIT;
	struct hp_resolve_input in;
	int ret = -1;

	hp_resolve_components(ctx->rrepos, ctx->nr_rrepos, &components);
	/* Offline too: the installed hotpatches' components and the running
	 * kernel are known from the rpmdb, metadata only adds baselines. */
	hp_resolve_installed_components(ctx->sys.pool, &components);
	if (ctx->sys.kernel_name && !hp_strvec_contains(&components, ctx->sys.kernel_name))
		hp_strvec_push(&components, ctx->sys.kernel_name);
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

enum { LOADED_SYSTEM = 1 << 0, LOADED_REPOS = 1 << 1, LOADED_RESOLVE = 1 << 2,
       LOADED_INSTALLED = 1 << 3 };

const struct hp_live_pkgs *hp_cli_ctx_installed(struct hp_cli_ctx *ctx, struct hp_strbuf *err)
{
	if (!(ctx->loaded & LOADED_INSTALLED)) {
		hp_live_pkgs_release(&ctx->installed);
		if (hp_live_read_installed(ctx->sys.root, ctx->opts->dbpath, &ctx->installed, err))
			return NULL;
		ctx->loaded |= LOADED_INSTALLED;
	}
	return &ctx->installed;
}

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
		for (size_t i = 0; i < ctx->nr_repos; i++) {
			const struct hp_repo *r = &ctx->repos[i];

			hp_cli_info("repository '%s' (%s): %zu hotpatch records, %s", r->id, r->url,
				    r->meta.nr_hotpatches, r->signer ? "signature verified" :
				    r->gpgcheck ? "signed" : "signature not checked");
		}
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
	hp_live_pkgs_release(&ctx->installed);
	hp_repo_results_release(&ctx->repo_results);
	ctx->loaded = 0;
}

int main(int argc, char **argv)
{
	struct hp_cli_opts opts;
	struct hp_cli_ctx ctx;
	struct hp_cli_parsed parsed;
	struct hp_strbuf err = HP_STRBUF_INIT;
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
	hp_live_pkgs_init(&ctx.installed);
	ctx.opts = &opts;
	hp_cache_init(&ctx.cache, NULL);
	hp_cli_parsed_init(&parsed);

	/* A closed stdout would be taken by the first file opened (the
	 * journal, a cache entry) and receive the output: refuse. */
	if (fcntl(STDOUT_FILENO, F_GETFD) < 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0 && fd != STDOUT_FILENO)
			close(fd);
		code = hp_cli_error("standard output is closed");
		goto out;
	}
	if (hp_cli_parse(&program, argc, argv, &opts, &parsed, &code))
		goto out;
	if (hp_env_check(&err)) {
		code = hp_cli_usage_error("%s", err.buf);
		goto out;
	}
	if (opts.fetch_timeout)
		hp_fetch_set_timeout(opts.fetch_timeout);
	ctx.cmd = parsed.cmd;
	cache_dir = root_path(&opts, HP_CACHE_SUBDIR);
	hp_cache_init(&ctx.cache, cache_dir);
	free(cache_dir);
	if (hp_cli_ctx_load(&ctx, ctx.cmd->flags, &err)) {
		code = hp_cli_error(err.buf);
		goto out;
	}
	code = ctx.cmd->fn(&ctx, (int)parsed.argv.nr, parsed.argv.v);
	/* What was parsed is kept only when the command succeeded: a failed
	 * one leaves the root as it found it. */
	if (code == HP_EXIT_OK || code == HP_EXIT_UPDATES)
		hp_cache_flush(&ctx.cache);
out:
	hp_cache_release(&ctx.cache);
	hp_cli_ctx_release(&ctx);
	hp_cli_parsed_release(&parsed);
	hp_strvec_release(&opts.repos);
	hp_strvec_release(&opts.gpgkeys);
	hp_strvec_release(&opts.running);
	hp_strvec_release(&opts.repos_nogpgcheck);
	hp_strbuf_release(&err);
	return hp_cli_finish(code);
}
