/* hotpatch-repo list REPO [--json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hp_json.h"
#include "hp_publish.h"
#include "hp_table.h"
#include "repo_cli.h"

int hp_cmd_list(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	const char *repo = argv[1];
	struct hp_meta m;
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_strbuf problems = HP_STRBUF_INIT;
	int rc;

	hp_meta_init(&m);
	if (hp_repo_read_published(repo, &m, &err)) {
		rc = hp_cli_error(err.buf);
		goto out;
	}
	/* The same rules as verify and the client: metadata they refuse is
	 * not listed as if it were good (the signature is verify's job). */
	if (hp_meta_validate(&m, &problems)) {
		char *prefix = hp_xasprintf("'%s': invalid hotpatch metadata: ", repo);

		hp_error_lines(&err, prefix, problems.buf);
		free(prefix);
		rc = hp_cli_error(err.buf);
		goto out;
	}
	if (ctx->opts->json) {
		struct json_object *arr = json_object_new_array();

		for (size_t i = 0; i < m.nr_hotpatches; i++) {
			const struct hp_hotpatch *h = &m.hotpatches[i];
			struct json_object *o = json_object_new_object();
			char *evr = hp_hotpatch_evr(h);

			json_object_object_add(o, "package", hp_json_str(h->name));
			json_object_object_add(o, "evr", hp_json_str(evr));
			json_object_object_add(o, "arch", hp_json_str(h->arch));
			json_object_object_add(o, "component", hp_json_str(h->component));
			json_object_object_add(o, "build", hp_json_str(h->build));
			json_object_object_add(o, "engine", hp_json_str(h->engine));
			json_object_object_add(o, "payload", hp_json_str(h->payload));
			json_object_object_add(o, "sha256", hp_json_str(h->payload_sha256));
			json_object_object_add(o, "cves", hp_json_strings(&h->cves, NULL));
			json_object_object_add(o, "severity", hp_json_str(h->severity));
			json_object_object_add(o, "issued", hp_json_str(h->issued));
			json_object_array_add(arr, o);
			free(evr);
		}
		if (hp_json_print_flags(stdout, arr, 0)) {
			rc = hp_cli_error("cannot write to standard output");
			goto out;
		}
	} else {
		struct hp_table t;

		hp_table_init(&t, 9);
		hp_table_row(&t, "PACKAGE", "EVR", "ARCH", "COMPONENT", "BUILD", "ENGINE", "SEVERITY",
			     "ISSUED", "CVES");
		for (size_t i = 0; i < m.nr_hotpatches; i++) {
			const struct hp_hotpatch *h = &m.hotpatches[i];
			char *evr = hp_hotpatch_evr(h);
			struct hp_strbuf cves = HP_STRBUF_INIT;

			for (size_t j = 0; j < h->cves.nr; j++)
				hp_strbuf_addf(&cves, "%s%s", j ? "," : "", h->cves.v[j]);
			hp_table_row(&t, h->name, evr, h->arch, h->component, h->build, h->engine,
				     h->severity, h->issued, cves.len ? cves.buf : NULL);
			free(evr);
			hp_strbuf_release(&cves);
		}
		hp_table_print(stdout, &t, 0);
		hp_table_release(&t);
	}
	rc = HP_EXIT_OK;
out:
	hp_meta_release(&m);
	hp_strbuf_release(&err);
	hp_strbuf_release(&problems);
	return rc;
}
