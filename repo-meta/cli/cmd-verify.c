/* hotpatch-repo verify REPO [--gnupg-home DIR] [--min-days N] [--json] */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>

#include <json-c/json.h>

#include "hp_json.h"
#include "hp_publish.h"
#include "repo_cli.h"

enum { OPT_HOME, OPT_JSON, OPT_MIN_DAYS };

const struct hp_cli_opt hp_verify_opts[] = {
	[OPT_HOME] = { "gnupg-home", "DIR", 0, 0, "keyring to check the signature with (default: gpg's)" },
	[OPT_JSON] = { "json", NULL, 0, 0, "print one JSON object" },
	[OPT_MIN_DAYS] = { "min-days", "N", 0, 0, "also fail when the metadata expires within N days" },
	{ NULL, NULL, 0, 0, NULL },
};

int hp_cmd_verify(const struct hp_cli_cmd *cmd, int argc, char **argv)
{
	struct hp_cli_args a;
	struct hp_verify_report r;
	char date[11] = "";
	int exit_now, rc, ok, min_days = -1;

	hp_verify_report_init(&r);
	rc = hp_cli_parse(cmd, argc, argv, 1, &a, &exit_now);
	if (rc || exit_now)
		goto out;
	if (a.set[OPT_MIN_DAYS]) {
		const char *s = hp_cli_value(&a, OPT_MIN_DAYS);
		char *end;
		long n;

		errno = 0;
		n = strtol(s, &end, 10);
		if (errno || end == s || *end || n < 0 || n > 3650) {
			rc = hp_cli_usage_error(cmd, "invalid --min-days '%s': expected 0..3650", s);
			goto out;
		}
		min_days = (int)n;
	}
	ok = !hp_repo_verify(a.positional[0], hp_cli_value(&a, OPT_HOME), &r);
	if (min_days >= 0)
		ok = !hp_verify_min_days(a.positional[0], &r, min_days) && ok;
	if (r.expires)
		hp_format_date((time_t)r.expires, date);
	if (a.set[OPT_JSON]) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "ok", json_object_new_boolean(ok));
		json_object_object_add(o, "signed_by",
				       hp_json_str(r.signed_by));
		json_object_object_add(o, "revision", json_object_new_int64((int64_t)r.revision));
		json_object_object_add(o, "expires", *date ? json_object_new_string(date) : NULL);
		json_object_object_add(o, "baselines", json_object_new_int64((int64_t)r.nr_baselines));
		json_object_object_add(o, "hotpatches", json_object_new_int64((int64_t)r.nr_hotpatches));
		json_object_object_add(o, "problems", hp_json_strings(&r.problems, NULL));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		for (size_t i = 0; i < r.problems.nr; i++)
			fprintf(stderr, "hotpatch-repo: error: %s\n", r.problems.v[i]);
		printf("%s: '%s' revision %" PRIu64 ", %zu baselines, %zu hotpatches, expires %s, %s%s\n",
		       ok ? "OK" : "FAILED", a.positional[0], r.revision, r.nr_baselines,
		       r.nr_hotpatches, *date ? date : "-", r.signed_by ? "signed by " : "not verified",
		       r.signed_by ? r.signed_by : "");
	}
	rc = ok ? HP_EXIT_OK : HP_EXIT_ERROR;
out:
	hp_verify_report_release(&r);
	hp_cli_args_release(&a);
	return rc;
}
