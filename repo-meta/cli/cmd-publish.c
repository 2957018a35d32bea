/* hotpatch-repo publish REPO [--sign-key KEYID] [--gnupg-home DIR] [--expires-days N]
 *                          [--createrepo] [--keep-going] [--lock-wait SECONDS]
 *                          [--repo-name NAME] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp_publish.h"
#include "repo_cli.h"

int hp_cmd_publish(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	const char *repo = argv[1];
	struct hp_publish_opts o = { NULL, NULL, HP_PUBLISH_DEFAULT_EXPIRES_DAYS,
				     HP_PUBLISH_DEFAULT_LOCK_WAIT, 0, 0, NULL };
	struct hp_publish_result res;
	struct hp_strbuf err = HP_STRBUF_INIT;
	int rc;

	memset(&res, 0, sizeof(res));
	o.sign_key = ctx->opts->sign_key;
	o.gnupg_home = ctx->opts->gnupg_home;
	o.repo_name = ctx->opts->repo_name;
	if (o.sign_key && !*o.sign_key)
		return hp_cli_usage_error("--sign-key needs a non-empty KEYID");
	if (o.repo_name && !hp_meta_repo_name_ok(o.repo_name))
		return hp_cli_usage_error("invalid --repo-name '%s': 1..64 of [A-Za-z0-9._-]",
					  o.repo_name);
	if (ctx->opts->expires_days)
		o.expires_days = (int)ctx->opts->expires_days;
	if (ctx->opts->lock_wait) {
		unsigned n = 0;

		hp_repo_cli_number("lock-wait", ctx->opts->lock_wait, 86400, &n, &err);   /* checked by the table */
		o.lock_wait = (int)n;
	}
	o.createrepo = ctx->opts->createrepo;
	o.keep_going = ctx->opts->keep_going;
	if (hp_publish(repo, &o, &res, &err)) {
		rc = hp_cli_error(err.buf);
		goto out;
	}
	if (!res.is_signed)
		hp_cli_warning("repository published UNSIGNED (no --sign-key); clients refuse it "
			       "unless told --nogpgcheck");
	printf("published '%s' revision %" PRIu64 ": %zu baselines, %zu hotpatches, %s%s",
	       repo, res.revision, res.nr_baselines, res.nr_hotpatches,
	       res.is_signed ? "signed by " : "UNSIGNED", res.is_signed ? o.sign_key : "");
	if (res.nr_cached)
		printf("; %zu unchanged packages from the scan cache", res.nr_cached);
	if (res.refused.nr)
		printf("; %zu refused", res.refused.nr);
	putchar('\n');
	if (res.location)
		hp_cli_info("hotpatch record: %s/%s", repo, res.location);
	for (size_t i = 0; i < res.refused.nr; i++)
		fprintf(stderr, "hotpatch-repo: refused: %s\n", res.refused.v[i]);
	rc = res.refused.nr ? HP_EXIT_SOME_REFUSED : HP_EXIT_OK;
out:
	hp_publish_result_release(&res);
	hp_strbuf_release(&err);
	return rc;
}
