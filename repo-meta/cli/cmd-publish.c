/* hotpatch-repo publish REPO [--sign-key KEYID] [--gnupg-home DIR] [--expires-days N]
 *                            [--repo-name NAME] */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp_publish.h"
#include "repo_cli.h"

enum { OPT_KEY, OPT_HOME, OPT_EXPIRES, OPT_REPO_NAME };

const struct hp_cli_opt hp_publish_opts[] = {
	[OPT_KEY] = { "sign-key", "KEYID", 0, 0, "sign repomd.xml with this secret key (else UNSIGNED)" },
	[OPT_HOME] = { "gnupg-home", "DIR", 0, 0, "GnuPG home holding the key (default: gpg's)" },
	[OPT_EXPIRES] = { "expires-days", "N", 0, 0, "metadata expires N days from now (default 30)" },
	[OPT_REPO_NAME] = { "repo-name", "NAME", 0, 0,
			    "repository name signed into the record (default: the directory's name)" },
	{ NULL, NULL, 0, 0, NULL },
};

int hp_cmd_publish(const struct hp_cli_cmd *cmd, int argc, char **argv)
{
	struct hp_cli_args a;
	struct hp_publish_opts o = { NULL, NULL, HP_PUBLISH_DEFAULT_EXPIRES_DAYS, NULL };
	struct hp_publish_result res;
	struct hp_strbuf err = HP_STRBUF_INIT;
	int exit_now, rc;

	memset(&res, 0, sizeof(res));
	rc = hp_cli_parse(cmd, argc, argv, 1, &a, &exit_now);
	if (rc || exit_now)
		goto out;
	o.sign_key = hp_cli_value(&a, OPT_KEY);
	o.gnupg_home = hp_cli_value(&a, OPT_HOME);
	o.repo_name = hp_cli_value(&a, OPT_REPO_NAME);
	if (o.sign_key && !*o.sign_key) {
		rc = hp_cli_usage_error(cmd, "--sign-key needs a non-empty KEYID");
		goto out;
	}
	if (o.repo_name && !hp_meta_repo_name_ok(o.repo_name)) {
		rc = hp_cli_usage_error(cmd, "invalid --repo-name '%s': 1..64 of [A-Za-z0-9._-]",
					o.repo_name);
		goto out;
	}
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
	putchar('\n');
	rc = HP_EXIT_OK;
out:
	hp_publish_result_release(&res);
	hp_cli_args_release(&a);
	hp_strbuf_release(&err);
	return rc;
}
