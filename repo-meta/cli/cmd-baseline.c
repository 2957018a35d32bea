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

int hp_cmd_baseline_add(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	const struct hp_repo_cli_opts *a = ctx->opts;
	const char *repo = argv[1];
	const struct { const char *name, *value; } dates[] = {
		{ "issued", a->issued }, { "supported-until", a->supported_until },
	};
	struct hp_baseline b;
	struct hp_strbuf err = HP_STRBUF_INIT;
	int rc;

	hp_baseline_init(&b);
	/* Values of the wrong form are usage errors (exit 2), as --expires-days
	 * is; what only the repository can judge (a duplicate id, support
	 * ending before the issue date) stays an error (exit 1). */
	b.id = hp_xstrdup(a->id);
	if (hp_baseline_kind_parse(a->kind, &b.kind)) {
		rc = hp_cli_usage_error("invalid --kind '%s': expected 'planned' or 'unplanned'",
					a->kind);
		goto out;
	}
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		time_t t;

		if (dates[i].value && hp_parse_date(dates[i].value, &t)) {
			rc = hp_cli_usage_error("invalid --%s '%s': expected a date YYYY-MM-DD",
						dates[i].name, dates[i].value);
			goto out;
		}
	}
	b.issued = hp_xstrdup(a->issued);
	b.supported_until = hp_xstrdup(a->supported_until);
	for (size_t i = 0; i < a->builds.nr; i++) {
		char *name, *evr;

		if (hp_build_arg_parse(a->builds.v[i], &name, &evr, &err)) {
			rc = hp_cli_usage_error("%s", err.buf);
			goto out;
		}
		hp_baseline_add_build(&b, name, evr);
		free(name);
		free(evr);
	}
	if (hp_baselines_add(repo, &b, &err)) {
		rc = hp_cli_error(err.buf);
		goto out;
	}
	printf("added baseline '%s' to '%s'\n", a->id, repo);
	rc = HP_EXIT_OK;
out:
	hp_baseline_release(&b);
	hp_strbuf_release(&err);
	return rc;
}

int hp_cmd_baseline_list(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	struct hp_meta m;
	struct hp_strbuf err = HP_STRBUF_INIT;
	int rc;

	hp_meta_init(&m);
	/* Listing nothing from a directory that is no repository would read
	 * as "no baselines" (issue 11). */
	{
		char *md = hp_path_join(argv[1], "repodata/repomd.xml");
		int missing = access(md, F_OK) < 0;

		free(md);
		if (missing) {
			hp_error(&err, "'%s': not a repository (no repodata/repomd.xml)", argv[1]);
			rc = hp_cli_error(err.buf);
			goto out;
		}
	}
	if (hp_baselines_load(&m, argv[1], &err)) {
		rc = hp_cli_error(err.buf);
		goto out;
	}
	if (ctx->opts->json) {
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
		if (hp_json_print_flags(stdout, arr, 0)) {
			rc = hp_cli_error("cannot write to standard output");
			goto out;
		}
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
	hp_strbuf_release(&err);
	return rc;
}
