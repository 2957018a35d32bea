/* hotpatch-repo publish REPO [--sign-key KEYID] [--gnupg-home DIR] [--expires-days N]
 *                          [--createrepo] [--keep-going] [--lock-wait SECONDS] */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp_publish.h"
#include "repo_cli.h"

enum { OPT_KEY, OPT_HOME, OPT_EXPIRES, OPT_CREATEREPO, OPT_KEEP_GOING, OPT_LOCK_WAIT };

/* Exit code of a --keep-going publish that left packages out. */
#define EXIT_SOME_REFUSED 3

const struct hp_cli_opt hp_publish_opts[] = {
	[OPT_KEY] = { "sign-key", "KEYID", 0, 0, "sign repomd.xml with this secret key (else UNSIGNED)" },
	[OPT_HOME] = { "gnupg-home", "DIR", 0, 0, "GnuPG home holding the key (default: gpg's)" },
	[OPT_EXPIRES] = { "expires-days", "N", 0, 0, "metadata expires N days from now (default 30)" },
	[OPT_CREATEREPO] = { "createrepo", NULL, 0, 0,
			     "regenerate primary/filelists/other first (createrepo_c --update), in the same swap" },
	[OPT_KEEP_GOING] = { "keep-going", NULL, 0, 0,
			     "publish the valid hotpatches, leave out and name refused ones (exit 3)" },
	[OPT_LOCK_WAIT] = { "lock-wait", "SECONDS", 0, 0,
			    "wait at most this long for another publish's lock (default 60)" },
	{ NULL, NULL, 0, 0, NULL },
};

int hp_cmd_publish(const struct hp_cli_cmd *cmd, int argc, char **argv)
{
	struct hp_cli_args a;
	struct hp_publish_opts o = { NULL, NULL, HP_PUBLISH_DEFAULT_EXPIRES_DAYS,
				     HP_PUBLISH_DEFAULT_LOCK_WAIT, 0, 0 };
	struct hp_publish_result res;
	struct hp_strbuf err = HP_STRBUF_INIT;
	int exit_now, rc;

	memset(&res, 0, sizeof(res));
	rc = hp_cli_parse(cmd, argc, argv, 1, &a, &exit_now);
	if (rc || exit_now)
		goto out;
	o.sign_key = hp_cli_value(&a, OPT_KEY);
	o.gnupg_home = hp_cli_value(&a, OPT_HOME);
	if (a.set[OPT_EXPIRES]) {
		const char *s = hp_cli_value(&a, OPT_EXPIRES);
		char *end;
		long n;

		errno = 0;
		n = strtol(s, &end, 10);
		if (errno || end == s || *end || n < 1 || n > 3650) {
			rc = hp_cli_usage_error(cmd, "invalid --expires-days '%s': expected 1..3650", s);
			goto out;
		}
		o.expires_days = (int)n;
	}
	if (a.set[OPT_LOCK_WAIT]) {
		const char *s = hp_cli_value(&a, OPT_LOCK_WAIT);
		char *end;
		long n;

		errno = 0;
		n = strtol(s, &end, 10);
		if (errno || end == s || *end || n < 0 || n > 86400) {
			rc = hp_cli_usage_error(cmd, "invalid --lock-wait '%s': expected 0..86400", s);
			goto out;
		}
		o.lock_wait = (int)n;
	}
	o.createrepo = a.set[OPT_CREATEREPO] > 0;
	o.keep_going = a.set[OPT_KEEP_GOING] > 0;
	if (hp_publish(a.positional[0], &o, &res, &err)) {
		rc = hp_cli_error(err.buf);
		goto out;
	}
	if (!res.is_signed)
		fprintf(stderr, "hotpatch-repo: warning: repository published UNSIGNED (no --sign-key); "
				"clients refuse it unless told --nogpgcheck\n");
	printf("published '%s' revision %" PRIu64 ": %zu baselines, %zu hotpatches, %s%s",
	       a.positional[0], res.revision, res.nr_baselines, res.nr_hotpatches,
	       res.is_signed ? "signed by " : "UNSIGNED", res.is_signed ? o.sign_key : "");
	if (res.nr_cached)
		printf("; %zu unchanged packages from the scan cache", res.nr_cached);
	if (res.refused.nr)
		printf("; %zu refused", res.refused.nr);
	putchar('\n');
	for (size_t i = 0; i < res.refused.nr; i++)
		fprintf(stderr, "hotpatch-repo: refused: %s\n", res.refused.v[i]);
	rc = res.refused.nr ? EXIT_SOME_REFUSED : HP_EXIT_OK;
out:
	hp_publish_result_release(&res);
	hp_cli_args_release(&a);
	hp_strbuf_release(&err);
	return rc;
}
