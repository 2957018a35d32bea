/* JSON and text output of the client commands: see hp_output.h. */
#include <stdlib.h>
#include <string.h>

#include "hp_output.h"

struct json_object *hp_json_running(const struct hp_running *run, size_t nr)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < nr; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(run[i].name));
		json_object_object_add(o, "evr", json_object_new_string(run[i].evr));
		if (run[i].release)
			json_object_object_add(o, "release", json_object_new_string(run[i].release));
		if (run[i].overridden)
			json_object_object_add(o, "overridden", json_object_new_boolean(1));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *hp_json_baseline(const struct hp_res_baseline *b)
{
	struct json_object *o;

	if (!b)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(b->id));
	json_object_object_add(o, "kind", json_object_new_string(b->kind));
	json_object_object_add(o, "issued", hp_json_str(b->issued));
	json_object_object_add(o, "supported_until", hp_json_str(b->supported_until));
	json_object_object_add(o, "expired", json_object_new_boolean(b->expired));
	json_object_object_add(o, "repo", hp_json_str(b->repo));
	return o;
}

struct json_object *hp_json_hotpatch(const struct hp_res_hotpatch *h)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "package", json_object_new_string(h->package));
	json_object_object_add(o, "evr", json_object_new_string(h->evr));
	json_object_object_add(o, "arch", hp_json_str(h->arch));
	json_object_object_add(o, "component", hp_json_str(h->component));
	json_object_object_add(o, "build", hp_json_str(h->build));
	json_object_object_add(o, "engine", hp_json_str(h->engine));
	json_object_object_add(o, "cves", hp_json_strings(&h->cves, NULL));
	json_object_object_add(o, "repo", hp_json_str(h->repo));
	return o;
}

struct json_object *hp_json_hotpatches(const struct hp_res_hotpatch *h, size_t nr)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < nr; i++)
		json_object_array_add(a, hp_json_hotpatch(&h[i]));
	return a;
}

struct json_object *hp_json_held_back(const struct hp_res_held *h, size_t nr)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < nr; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(h[i].name));
		json_object_object_add(o, "evr", json_object_new_string(h[i].evr));
		json_object_object_add(o, "baseline", json_object_new_string(h[i].baseline));
		json_object_object_add(o, "reason", json_object_new_string(h[i].reason));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *hp_json_reboot_suggested(const struct hp_reboot_pkgs *l)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < l->nr; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(l->v[i].name));
		json_object_object_add(o, "evr", json_object_new_string(l->v[i].evr));
		json_object_object_add(o, "arch", json_object_new_string(l->v[i].arch));
		json_object_object_add(o, "advisory", json_object_new_string(l->v[i].advisory));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *hp_json_check(const struct hp_running *run, size_t nr_run,
				  const struct hp_resolution *res,
				  const struct hp_strvec *messages,
				  const struct hp_reboot_pkgs *reboot)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "running", hp_json_running(run, nr_run));
	json_object_object_add(o, "baseline", hp_json_baseline(res->baseline));
	json_object_object_add(o, "available", hp_json_hotpatches(res->available, res->nr_available));
	json_object_object_add(o, "installed", hp_json_hotpatches(res->installed, res->nr_installed));
	json_object_object_add(o, "held_back", hp_json_held_back(res->held_back, res->nr_held_back));
	if (reboot)
		json_object_object_add(o, "reboot_suggested", hp_json_reboot_suggested(reboot));
	json_object_object_add(o, "messages", hp_json_strings(messages, &res->messages));
	return o;
}

/* Short: the list can be long on a distribution's repos, but each line
 * is what an admin looks for (which update, which advisory). */
static void print_reboot(FILE *f, const struct hp_reboot_pkgs *l)
{
	if (!l->nr) {
		fprintf(f, "No advisory suggests a reboot.\n");
		return;
	}
	fprintf(f, "Reboot suggested by advisories (%zu package%s):\n", l->nr,
		l->nr == 1 ? "" : "s");
	for (size_t i = 0; i < l->nr; i++)
		fprintf(f, "  %s-%s.%s (%s)\n", l->v[i].name, l->v[i].evr, l->v[i].arch,
			l->v[i].advisory);
}

void hp_output_check_text(FILE *f, const struct hp_running *run, size_t nr_run,
			  const struct hp_resolution *res, const struct hp_reboot_pkgs *reboot)
{
	struct hp_table t;

	fprintf(f, "Running builds:");
	if (!nr_run)
		fprintf(f, " none of the components in the hotpatch metadata");
	fprintf(f, "\n");
	for (size_t i = 0; i < nr_run; i++)
		fprintf(f, "  %s-%s%s%s%s\n", run[i].name, run[i].evr,
			run[i].release ? " (uname " : "", run[i].release ? run[i].release : "",
			run[i].release ? ")" : "");
	if (res->baseline)
		fprintf(f, "Baseline: %s (%s, supported until %s%s)\n", res->baseline->id,
			res->baseline->kind,
			res->baseline->supported_until ? res->baseline->supported_until : "superseded",
			res->baseline->expired ? ", EXPIRED" : "");
	else
		fprintf(f, "Baseline: none matches the running builds\n");

	if (res->nr_available) {
		hp_table_init(&t, 5);
		hp_table_row(&t, "PACKAGE", "VERSION", "FOR BUILD", "ENGINE", "CVES");
		for (size_t i = 0; i < res->nr_available; i++) {
			const struct hp_res_hotpatch *h = &res->available[i];
			struct hp_strbuf cves = HP_STRBUF_INIT;
			char *nv = hp_xasprintf("%s.%s", h->evr, h->arch ? h->arch : "noarch");
			char *build = hp_xasprintf("%s-%s", h->component, h->build);

			for (size_t j = 0; j < h->cves.nr; j++)
				hp_strbuf_addf(&cves, "%s%s", j ? "," : "", h->cves.v[j]);
			hp_table_row(&t, h->package, nv, build, h->engine, cves.len ? cves.buf : NULL);
			free(nv);
			free(build);
			hp_strbuf_release(&cves);
		}
		fprintf(f, "\n");
		hp_table_print(f, &t, 0);
		hp_table_release(&t);
	}
	fprintf(f, "\n%zu hotpatch%s available for the running builds", res->nr_available,
		res->nr_available == 1 ? "" : "es");
	if (res->nr_installed) {
		size_t n = 0;

		for (size_t i = 0; i < res->nr_installed; i++)
			n += res->installed[i].for_running;
		fprintf(f, ", %zu installed", n);
	}
	fprintf(f, ".\n");
	if (res->nr_held_back) {
		fprintf(f, "Held back (need a reboot):\n");
		hp_table_init(&t, 3);
		for (size_t i = 0; i < res->nr_held_back; i++) {
			char *nevr = hp_xasprintf("%s-%s", res->held_back[i].name, res->held_back[i].evr);
			char *bl = hp_xasprintf("baseline %s", res->held_back[i].baseline);

			hp_table_row(&t, nevr, bl, res->held_back[i].reason);
			free(nevr);
			free(bl);
		}
		hp_table_print(f, &t, 2);
		hp_table_release(&t);
	}
	if (reboot)
		print_reboot(f, reboot);
}
