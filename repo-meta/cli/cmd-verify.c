/* hotpatch-repo verify REPO [--gnupg-home DIR] [--min-days N] [--json] */
#include <inttypes.h>
#include <stdio.h>

#include <json-c/json.h>

#include "hp_json.h"
#include "hp_publish.h"
#include "repo_cli.h"

int hp_cmd_verify(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	const char *repo = argv[1];
	struct hp_verify_report r;
	char date[11] = "";
	int rc, ok;

	hp_verify_report_init(&r);
	ok = !hp_repo_verify(repo, ctx->opts->gnupg_home, &r);
	if (ctx->opts->min_days) {
		struct hp_strbuf ign = HP_STRBUF_INIT;
		unsigned n = 0;

		hp_repo_cli_number("min-days", ctx->opts->min_days, 3650, &n, &ign);   /* checked by the table */
		hp_strbuf_release(&ign);
		ok = !hp_verify_min_days(repo, &r, (int)n) && ok;
	}
	if (r.expires)
		hp_format_date((time_t)r.expires, date);
	if (ctx->opts->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "ok", json_object_new_boolean(ok));
		json_object_object_add(o, "signed_by",
				       hp_json_str(r.signed_by));
		json_object_object_add(o, "revision", json_object_new_int64((int64_t)r.revision));
		json_object_object_add(o, "expires", *date ? json_object_new_string(date) : NULL);
		json_object_object_add(o, "baselines", json_object_new_int64((int64_t)r.nr_baselines));
		json_object_object_add(o, "hotpatches", json_object_new_int64((int64_t)r.nr_hotpatches));
		json_object_object_add(o, "problems", hp_json_strings(&r.problems, NULL));
		if (hp_json_print_flags(stdout, o, 0)) {
			rc = hp_cli_error("cannot write to standard output");
			goto out;
		}
	} else {
		for (size_t i = 0; i < r.problems.nr; i++)
			hp_cli_error(r.problems.v[i]);
		printf("%s: '%s' revision %" PRIu64 ", %zu baselines, %zu hotpatches, expires %s, %s%s\n",
		       ok ? "OK" : "FAILED", repo, r.revision, r.nr_baselines,
		       r.nr_hotpatches, *date ? date : "-", r.signed_by ? "signed by " : "not verified",
		       r.signed_by ? r.signed_by : "");
	}
	rc = ok ? HP_EXIT_OK : HP_EXIT_ERROR;
out:
	hp_verify_report_release(&r);
	return rc;
}
