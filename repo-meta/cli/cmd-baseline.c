/* hotpatch-repo baseline add|list */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <json-c/json.h>

#include "hp_json.h"
#include "hp_publish.h"
#include "hp_table.h"
#include "repo_cli.h"

enum { OPT_ID, OPT_KIND, OPT_ISSUED, OPT_UNTIL, OPT_BUILD };

const struct hp_cli_opt hp_baseline_add_opts[] = {
	[OPT_ID] = { "id", "ID", 0, 1, "unique baseline id, e.g. 2026-Q4 (required)" },
	[OPT_KIND] = { "kind", "planned|unplanned", 0, 1,
		       "on the release calendar, or an emergency rebuild (required)" },
	[OPT_ISSUED] = { "issued", "YYYY-MM-DD", 0, 1, "issue date (required)" },
	[OPT_UNTIL] = { "supported-until", "YYYY-MM-DD", 0, 0,
			"support end; no hotpatches for its builds after it" },
	[OPT_BUILD] = { "build", "NAME=EVR", 1, 1,
			"a component build, [E:]V-R (required, repeatable)" },
	{ NULL, NULL, 0, 0, NULL },
};

const struct hp_cli_opt hp_json_opts[] = {
	{ "json", NULL, 0, 0, "print JSON instead of a table" },
	{ NULL, NULL, 0, 0, NULL },
};

int hp_cmd_baseline_add(const struct hp_cli_cmd *cmd, int argc, char **argv)
{
	struct hp_cli_args a;
	struct hp_baseline b;
	struct hp_strbuf err = HP_STRBUF_INIT;
	static const int required[] = { OPT_ID, OPT_KIND, OPT_ISSUED, OPT_BUILD };
	int exit_now, rc;

	hp_baseline_init(&b);
	rc = hp_cli_parse(cmd, argc, argv, 1, &a, &exit_now);
	if (rc || exit_now)
		goto out;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!a.set[required[i]]) {
			rc = hp_cli_usage_error(cmd, "option '--%s' is required",
						hp_baseline_add_opts[required[i]].name);
			goto out;
		}
	/* Values of the wrong form are usage errors (exit 2), as --expires-days
	 * is; what only the repository can judge (a duplicate id, support
	 * ending before the issue date) stays an error (exit 1). */
	b.id = hp_xstrdup(hp_cli_value(&a, OPT_ID));
	if (hp_baseline_kind_parse(hp_cli_value(&a, OPT_KIND), &b.kind)) {
		rc = hp_cli_usage_error(cmd, "invalid --kind '%s': expected 'planned' or 'unplanned'",
					hp_cli_value(&a, OPT_KIND));
		goto out;
	}
	for (int o = OPT_ISSUED; o <= OPT_UNTIL; o++) {
		const char *v = hp_cli_value(&a, o);
		time_t t;

		if (v && hp_parse_date(v, &t)) {
			rc = hp_cli_usage_error(cmd, "invalid --%s '%s': expected a date YYYY-MM-DD",
						hp_baseline_add_opts[o].name, v);
			goto out;
		}
	}
	b.issued = hp_xstrdup(hp_cli_value(&a, OPT_ISSUED));
	b.supported_until = hp_xstrdup(hp_cli_value(&a, OPT_UNTIL));
	for (size_t i = 0; i < a.values[OPT_BUILD].nr; i++) {
		char *name, *evr;

		if (hp_build_arg_parse(a.values[OPT_BUILD].v[i], &name, &evr, &err)) {
			rc = hp_cli_usage_error(cmd, "%s", err.buf);
			goto out;
		}
		hp_baseline_add_build(&b, name, evr);
		free(name);
		free(evr);
	}
	if (hp_baselines_add(a.positional[0], &b, &err)) {
		rc = hp_cli_error(err.buf);
		goto out;
	}
	printf("added baseline '%s' to '%s'\n", hp_cli_value(&a, OPT_ID), a.positional[0]);
	rc = HP_EXIT_OK;
out:
	hp_baseline_release(&b);
	hp_cli_args_release(&a);
	hp_strbuf_release(&err);
	return rc;
}

int hp_cmd_baseline_list(const struct hp_cli_cmd *cmd, int argc, char **argv)
{
	struct hp_cli_args a;
	struct hp_meta m;
	struct hp_strbuf err = HP_STRBUF_INIT;
	int exit_now, rc;

	hp_meta_init(&m);
	rc = hp_cli_parse(cmd, argc, argv, 1, &a, &exit_now);
	if (rc || exit_now)
		goto out;
	/* Listing nothing from a directory that is no repository would read
	 * as "no baselines" (issue 11). */
	{
		char *md = hp_path_join(a.positional[0], "repodata/repomd.xml");
		int missing = access(md, F_OK) < 0;

		free(md);
		if (missing) {
			hp_error(&err, "'%s': not a repository (no repodata/repomd.xml)",
				 a.positional[0]);
			rc = hp_cli_error(err.buf);
			goto out;
		}
	}
	if (hp_baselines_load(&m, a.positional[0], &err)) {
		rc = hp_cli_error(err.buf);
		goto out;
	}
	if (a.set[0]) {
		struct json_object *arr = json_object_new_array();

		for (size_t i = 0; i < m.nr_baselines; i++) {
			const struct hp_baseline *b = &m.baselines[i];
			struct json_object *o = json_object_new_object();
			struct json_object *builds = json_object_new_array();

			json_object_object_add(o, "id", hp_json_str(b->id));
			json_object_object_add(o, "kind", hp_json_str(hp_baseline_kind_name(b->kind)));
			json_object_object_add(o, "issued", hp_json_str(b->issued));
			json_object_object_add(o, "supported_until", hp_json_str(b->supported_until));
			for (size_t j = 0; j < b->nr_builds; j++) {
				struct json_object *bo = json_object_new_object();

				json_object_object_add(bo, "name", hp_json_str(b->builds[j].name));
				json_object_object_add(bo, "evr", hp_json_str(b->builds[j].evr));
				json_object_array_add(builds, bo);
			}
			json_object_object_add(o, "builds", builds);
			json_object_array_add(arr, o);
		}
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	} else {
		struct hp_table t;

		hp_table_init(&t, 5);
		hp_table_row(&t, "ID", "KIND", "ISSUED", "SUPPORTED-UNTIL", "BUILDS");
		for (size_t i = 0; i < m.nr_baselines; i++) {
			const struct hp_baseline *b = &m.baselines[i];
			struct hp_strbuf builds = HP_STRBUF_INIT;

			for (size_t j = 0; j < b->nr_builds; j++)
				hp_strbuf_addf(&builds, "%s%s=%s", j ? ", " : "", b->builds[j].name,
					       b->builds[j].evr);
			hp_table_row(&t, b->id, hp_baseline_kind_name(b->kind), b->issued,
				     b->supported_until, builds.buf);
			hp_strbuf_release(&builds);
		}
		hp_table_print(stdout, &t, 0);
		hp_table_release(&t);
	}
	rc = HP_EXIT_OK;
out:
	hp_meta_release(&m);
	hp_cli_args_release(&a);
	hp_strbuf_release(&err);
	return rc;
}
