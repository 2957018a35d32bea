/* hotpatch-repo list REPO [--json] */
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "hp_publish.h"
#include "repo_cli.h"

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

int hp_cmd_list(const struct hp_cli_cmd *cmd, int argc, char **argv)
{
	struct hp_cli_args a;
	struct hp_meta m;
	struct hp_strbuf err = HP_STRBUF_INIT;
	int exit_now, rc;

	hp_meta_init(&m);
	rc = hp_cli_parse(cmd, argc, argv, 1, &a, &exit_now);
	if (rc || exit_now)
		goto out;
	if (hp_repo_read_published(a.positional[0], &m, &err)) {
		rc = hp_cli_error(err.buf);
		goto out;
	}
	if (a.set[0]) {
		struct json_object *arr = json_object_new_array();

		for (size_t i = 0; i < m.nr_hotpatches; i++) {
			const struct hp_hotpatch *h = &m.hotpatches[i];
			struct json_object *o = json_object_new_object();
			struct json_object *cves = json_object_new_array();
			char *evr = hp_hotpatch_evr(h);

			json_object_object_add(o, "package", jstr(h->name));
			json_object_object_add(o, "evr", jstr(evr));
			json_object_object_add(o, "arch", jstr(h->arch));
			json_object_object_add(o, "component", jstr(h->component));
			json_object_object_add(o, "build", jstr(h->build));
			json_object_object_add(o, "engine", jstr(h->engine));
			json_object_object_add(o, "payload", jstr(h->payload));
			json_object_object_add(o, "sha256", jstr(h->payload_sha256));
			for (size_t j = 0; j < h->cves.nr; j++)
				json_object_array_add(cves, json_object_new_string(h->cves.v[j]));
			json_object_object_add(o, "cves", cves);
			json_object_object_add(o, "severity", jstr(h->severity));
			json_object_object_add(o, "issued", jstr(h->issued));
			json_object_array_add(arr, o);
			free(evr);
		}
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	} else {
		printf("%-24s %-12s %-7s %-14s %-16s %-7s %-10s %-10s %s\n", "PACKAGE", "EVR", "ARCH",
		       "COMPONENT", "BUILD", "ENGINE", "SEVERITY", "ISSUED", "CVES");
		for (size_t i = 0; i < m.nr_hotpatches; i++) {
			const struct hp_hotpatch *h = &m.hotpatches[i];
			char *evr = hp_hotpatch_evr(h);

			printf("%-24s %-12s %-7s %-14s %-16s %-7s %-10s %-10s", h->name, evr, h->arch,
			       h->component, h->build, h->engine, h->severity ? h->severity : "-",
			       h->issued ? h->issued : "-");
			for (size_t j = 0; j < h->cves.nr; j++)
				printf("%s%s", j ? "," : " ", h->cves.v[j]);
			if (!h->cves.nr)
				printf(" -");
			putchar('\n');
			free(evr);
		}
	}
	rc = HP_EXIT_OK;
out:
	hp_meta_release(&m);
	hp_cli_args_release(&a);
	hp_strbuf_release(&err);
	return rc;
}
