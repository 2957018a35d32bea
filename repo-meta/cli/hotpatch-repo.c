/* hotpatch-repo: the mirror operator's command. The command and option
 * tables below are the single source of the usage text and of the man
 * page's synopsis (parsed by the framework of hp_command.h). */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp_publish.h"
#include "repo_cli.h"

/* Values where 0 is meaningful (no wait, expiring today) are kept as
 * strings, checked here, and read by the command: a uint row's 0 means
 * "not given". */
static int check_seconds(const char *val, const void *opts, struct hp_strbuf *err)
{
	return hp_repo_cli_number("lock-wait", val, 86400, NULL, err);
}

static int check_days(const char *val, const void *opts, struct hp_strbuf *err)
{
	return hp_repo_cli_number("min-days", val, 3650, NULL, err);
}

int hp_repo_cli_number(const char *name, const char *val, unsigned max, unsigned *out,
		       struct hp_strbuf *err)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(val, &end, 10);
	if (errno || end == val || *end || !isdigit((unsigned char)*val) || n > max)
		return hp_error(err, "invalid --%s '%s': expected 0..%u", name, val, max);
	if (out)
		*out = (unsigned)n;
	return 0;
}

#define O struct hp_repo_cli_opts

static const struct hp_option baseline_add_options[] = {
	HP_OPT_STRING_ROW(0, "id", O, id, "ID", "unique baseline id, e.g. 2026-Q4 (required)",
			  HP_OPT_REQUIRED),
	HP_OPT_STRING_ROW(0, "kind", O, kind, "planned|unplanned",
			  "on the release calendar, or an emergency rebuild (required)",
			  HP_OPT_REQUIRED),
	HP_OPT_STRING_ROW(0, "issued", O, issued, "YYYY-MM-DD", "issue date (required)",
			  HP_OPT_REQUIRED),
	HP_OPT_STRING_ROW(0, "supported-until", O, supported_until, "YYYY-MM-DD",
			  "support end; no hotpatches for its builds after it", 0),
	HP_OPT_LIST_ROW(0, "build", O, builds, "NAME=EVR",
			"a component build, [E:]V-R (required, repeatable)", HP_OPT_REQUIRED, NULL),
	HP_OPT_END_ROW,
};

static const struct hp_option json_options[] = {
	HP_OPT_JSON_ROW(O, json, "print JSON instead of a table"),
	HP_OPT_END_ROW,
};

static const struct hp_option publish_options[] = {
	HP_OPT_STRING_ROW(0, "sign-key", O, sign_key, "KEYID",
			  "sign repomd.xml with this secret key (else UNSIGNED)", 0),
	HP_OPT_STRING_ROW(0, "gnupg-home", O, gnupg_home, "DIR",
			  "GnuPG home holding the key (default: gpg's)", 0),
	HP_OPT_UINT_ROW(0, "expires-days", O, expires_days, "N",
			"metadata expires N days from now (default 30)", 1, 3650),
	HP_OPT_BOOL_ROW(0, "createrepo", O, createrepo,
			"regenerate primary/filelists/other first (createrepo_c --update), in the "
			"same swap"),
	HP_OPT_BOOL_ROW(0, "keep-going", O, keep_going,
			"publish the valid hotpatches, leave out and name refused ones (exit 3)"),
	{ HP_OPT_STRING, 0, "lock-wait", offsetof(O, lock_wait), "SECONDS",
	  "wait at most this long for another publish's lock (default 60)", 0, 0, 0, check_seconds },
	HP_OPT_STRING_ROW(0, "repo-name", O, repo_name, "NAME",
			  "repository name signed into the record (default: the directory's name)", 0),
	HP_OPT_END_ROW,
};

static const struct hp_option verify_options[] = {
	HP_OPT_STRING_ROW(0, "gnupg-home", O, gnupg_home, "DIR",
			  "keyring to check the signature with (default: gpg's)", 0),
	{ HP_OPT_STRING, 0, "min-days", offsetof(O, min_days), "N",
	  "also fail when the metadata expires within N days", 0, 0, 0, check_days },
	HP_OPT_JSON_ROW(O, json, "print one JSON object"),
	HP_OPT_END_ROW,
};

#undef O

static const struct hp_command baseline_commands[] = {
	{ "add", "REPO", "record a baseline (a dated set of builds) in REPO/.hotpatch/baselines.xml",
	  baseline_add_options, 1, 1, 0, hp_cmd_baseline_add, NULL },
	{ "list", "REPO", "show the baselines of REPO", json_options, 1, 1, 0, hp_cmd_baseline_list,
	  NULL },
	{ NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};

static const struct hp_command commands[] = {
	{ "baseline", "COMMAND", "manage the repository's baselines", NULL, 0, 0, 0, NULL,
	  baseline_commands },
	{ "publish", "REPO", "lint the hotpatch packages and publish the signed hotpatch metadata",
	  publish_options, 1, 1, 0, hp_cmd_publish, NULL },
	{ "verify", "REPO", "check signature, checksum, validity and expiry of the published metadata",
	  verify_options, 1, 1, 0, hp_cmd_verify, NULL },
	{ "list", "REPO", "show the published hotpatch records", json_options, 1, 1, 0, hp_cmd_list,
	  NULL },
	{ NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};

static const struct hp_program program = {
	"hotpatch-repo",
	"Publish hotpatch metadata for an RPM repository.",
	HP_VERSION,
	NULL,
	commands,
	"Exit codes: 0 ok, 1 error or refused, 2 usage, 3 published with some hotpatches left out\n"
	"(publish --keep-going).",
};

int main(int argc, char **argv)
{
	struct hp_repo_cli_opts opts;
	struct hp_cli_ctx ctx = { &opts, NULL };
	struct hp_cli_parsed parsed;
	int code = HP_EXIT_ERROR;

	memset(&opts, 0, sizeof(opts));
	hp_strvec_init(&opts.builds);
	hp_cli_parsed_init(&parsed);
	if (hp_cli_parse(&program, argc, argv, &opts, &parsed, &code))
		goto out;
	ctx.cmd = parsed.cmd;
	code = ctx.cmd->fn(&ctx, (int)parsed.argv.nr, parsed.argv.v);
out:
	hp_cli_parsed_release(&parsed);
	hp_strvec_release(&opts.builds);
	return hp_cli_finish(code);
}
