/* Prometheus text exposition of the hotpatch state (hp_metrics.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hp_evr.h"
#include "hp_journal.h"
#include "hp_live.h"
#include "hp_metrics.h"

void hp_last_apply_release(struct hp_last_apply *a)
{
	free(a->package);
	free(a->phase);
	memset(a, 0, sizeof(*a));
}

int hp_last_apply_read(const char *journal_dir, struct hp_last_apply *out, struct hp_strbuf *err)
{
	struct hp_journal *j;
	struct hp_journal_entry *v = NULL;
	size_t nr = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	j = hp_journal_open(journal_dir, err);
	if (!j)
		return -1;
	if (hp_journal_read(j, &v, &nr, err))
		goto out;
	/* Results repeat their intent's op; the last one in file order is the
	 * newest (records are appended under the run lock). */
	for (size_t i = nr; i-- > 0;) {
		const struct hp_journal_entry *e = &v[i];
		int ok;

		if (!e->op || strcmp(e->op, "apply") || !e->phase || !strcmp(e->phase, "intent"))
			continue;
		ok = !strcmp(e->phase, "done") ||
		     (!strcmp(e->phase, "recovered") && e->detail && !strcmp(e->detail, "live"));
		out->found = 1;
		out->time = e->time;
		out->package = e->package ? hp_xstrdup(e->package) : NULL;
		out->phase = hp_xstrdup(e->phase);
		out->result = ok ? "success" : "failed";
		break;
	}
	ret = 0;
out:
	hp_journal_entries_free(v, nr);
	hp_journal_close(j);
	return ret;
}

void hp_metrics_escape(struct hp_strbuf *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			hp_strbuf_adds(out, "\\\\");
		else if (*s == '"')
			hp_strbuf_adds(out, "\\\"");
		else if (*s == '\n')
			hp_strbuf_adds(out, "\\n");
		else
			hp_strbuf_add(out, s, 1);
	}
}

static void family(struct hp_strbuf *out, const char *name, const char *help)
{
	hp_strbuf_addf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* name{k1="v1",...} value; `labels` is NULL-terminated key, value pairs. */
static void sample(struct hp_strbuf *out, const char *name, const char *const *labels,
		   const char *value)
{
	hp_strbuf_adds(out, name);
	if (labels && labels[0]) {
		hp_strbuf_adds(out, "{");
		for (size_t i = 0; labels[i]; i += 2) {
			hp_strbuf_addf(out, "%s%s=\"", i ? "," : "", labels[i]);
			hp_metrics_escape(out, labels[i + 1] ? labels[i + 1] : "");
			hp_strbuf_adds(out, "\"");
		}
		hp_strbuf_adds(out, "}");
	}
	hp_strbuf_addf(out, " %s\n", value);
}

static void sample_int(struct hp_strbuf *out, const char *name, const char *const *labels,
		       int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	sample(out, name, labels, buf);
}

/* hotpatch_live: per installed hotpatch package that apply acts on (for a
 * running build, newest of its series): 1 live, 0 not live, asked from its
 * engine now. */
static void live_family(const struct hp_metrics_input *in, struct hp_strbuf *out,
			struct hp_strvec *notes)
{
	struct hp_live_pkgs pkgs;
	struct hp_strbuf err = HP_STRBUF_INIT;
	size_t *sel = NULL, nr = 0;

	hp_live_pkgs_init(&pkgs);
	family(out, "hotpatch_live",
	       "Installed hotpatch for a running build: 1 live (asked from its engine), 0 not live.");
	if (hp_live_read_installed(in->root, in->dbpath, &pkgs, &err) ||
	    hp_live_select(&pkgs, in->running, in->nr_running, NULL, &sel, &nr, NULL, &err)) {
		hp_strvec_pushf(notes, "hotpatch_live missing: %s", err.buf);
		goto out;
	}
	for (size_t i = 0; i < nr; i++) {
		const struct hp_live_pkg *p = &pkgs.v[sel[i]];
		const char *labels[] = { "package", p->nevra, "component", p->component,
					 "build", p->build, "engine", p->engine, NULL };
		int live;

		hp_strbuf_reset(&err);
		live = hp_live_pkg_is_live(p, in->root, in->kernel_release, &err);
		if (live < 0) {
			hp_strvec_pushf(notes, "hotpatch_live{package=\"%s\"} missing: %s", p->nevra,
					err.buf);
			continue;
		}
		sample_int(out, "hotpatch_live", labels, live);
	}
out:
	free(sel);
	hp_live_pkgs_release(&pkgs);
	hp_strbuf_release(&err);
}

static int repos_complete(const struct hp_metrics_input *in)
{
	for (size_t i = 0; i < in->nr_repos; i++)
		if (in->repos[i].error)
			return 0;
	return 1;
}

/* hotpatch_available{component,build}: hotpatches offered for each running
 * build; hotpatch_held_back{baseline}: reboot-requiring updates waiting for
 * a baseline. Both from the repositories that could be read. */
static void offer_families(const struct hp_metrics_input *in, struct hp_strbuf *out)
{
	const struct hp_resolution *res = in->res;
	struct hp_strvec baselines = HP_STRVEC_INIT;

	family(out, "hotpatch_available",
	       "Hotpatches offered by the repositories for a running build, not installed yet.");
	for (size_t i = 0; i < in->nr_running; i++) {
		const char *labels[] = { "component", in->running[i].name,
					 "build", in->running[i].evr, NULL };
		int64_t n = 0;

		for (size_t k = 0; res && k < res->nr_available; k++)
			if (!strcmp(res->available[k].component, in->running[i].name) &&
			    !hp_evr_match(res->available[k].build, in->running[i].evr))
				n++;
		sample_int(out, "hotpatch_available", labels, n);
	}
	family(out, "hotpatch_held_back",
	       "Updates held back because they need a reboot, by the baseline that brings them.");
	for (size_t i = 0; res && i < res->nr_held_back; i++) {
		const char *b = res->held_back[i].baseline ? res->held_back[i].baseline : "";
		const char *labels[] = { "baseline", b, NULL };
		int64_t n = 0;

		if (hp_strvec_contains(&baselines, b))
			continue;
		hp_strvec_push(&baselines, b);
		for (size_t k = i; k < res->nr_held_back; k++)
			if (!strcmp(res->held_back[k].baseline ? res->held_back[k].baseline : "", b))
				n++;
		sample_int(out, "hotpatch_held_back", labels, n);
	}
	hp_strvec_release(&baselines);
}

static void reboot_family(const struct hp_metrics_input *in, int have_meta, struct hp_strbuf *out)
{
	const struct hp_resolution *res = in->res;
	static const char *const newer[] = { "reason", "newer_build_installed", NULL };
	static const char *const ended[] = { "reason", "baseline_support_ended", NULL };
	static const char *const held[] = { "reason", "updates_held_back", NULL };

	family(out, "hotpatch_reboot_required",
	       "1 when a reboot is needed or due, by reason: newer_build_installed (as needs-reboot), "
	       "baseline_support_ended, updates_held_back.");
	sample_int(out, "hotpatch_reboot_required", (const char *const *)newer,
		   in->reboot_newer_build ? 1 : 0);
	/* Both need metadata: without any, "0" would be a claim we cannot make. */
	if (!have_meta)
		return;
	sample_int(out, "hotpatch_reboot_required", (const char *const *)ended,
		   res && res->baseline && res->baseline->expired);
	sample_int(out, "hotpatch_reboot_required", (const char *const *)held,
		   res && res->nr_held_back > 0);
}

static void baseline_family(const struct hp_metrics_input *in, struct hp_strbuf *out,
			    struct hp_strvec *notes)
{
	const struct hp_res_baseline *b = in->res ? in->res->baseline : NULL;
	time_t t;

	family(out, "hotpatch_baseline_support_end_timestamp_seconds",
	       "End of support of the running baseline (the midnight after supported-until, UTC); "
	       "+Inf until superseded.");
	if (!b)
		return;
	{
		const char *labels[] = { "baseline", b->id, "kind", b->kind, NULL };

		if (!b->supported_until) {
			sample(out, "hotpatch_baseline_support_end_timestamp_seconds", labels, "+Inf");
		} else if (hp_parse_date(b->supported_until, &t)) {
			hp_strvec_pushf(notes, "baseline '%s': supported-until '%s' is no date",
					b->id, b->supported_until);
		} else {
			/* Supported *until* that day, as the resolver decides. */
			sample_int(out, "hotpatch_baseline_support_end_timestamp_seconds", labels,
				   (int64_t)t + 86400);
		}
	}
}

static void repo_families(const struct hp_metrics_input *in, struct hp_strbuf *out)
{
	family(out, "hotpatch_repo_up",
	       "1 when the repository's metadata was read and verified this run, 0 when refused "
	       "(then the families from repositories lack its part).");
	for (size_t i = 0; i < in->nr_repos; i++) {
		const char *labels[] = { "repo", in->repos[i].id, NULL };

		sample_int(out, "hotpatch_repo_up", labels, in->repos[i].error ? 0 : 1);
	}
	family(out, "hotpatch_metadata_expiry_timestamp_seconds",
	       "When the repository's hotpatch metadata expires (then it is refused); +Inf never.");
	for (size_t i = 0; i < in->nr_repos; i++) {
		const struct hp_meta *m = in->repos[i].meta;
		const char *labels[] = { "repo", in->repos[i].id, NULL };

		if (!m)
			continue;
		if (m->expires)
			sample_int(out, "hotpatch_metadata_expiry_timestamp_seconds", labels, m->expires);
		else
			sample(out, "hotpatch_metadata_expiry_timestamp_seconds", labels, "+Inf");
	}
	family(out, "hotpatch_metadata_generated_timestamp_seconds",
	       "When the repository's hotpatch metadata was generated (published).");
	for (size_t i = 0; i < in->nr_repos; i++) {
		const char *labels[] = { "repo", in->repos[i].id, NULL };

		if (in->repos[i].meta)
			sample_int(out, "hotpatch_metadata_generated_timestamp_seconds", labels,
				   in->repos[i].meta->generated);
	}
	family(out, "hotpatch_metadata_revision",
	       "Revision of the repository's hotpatch metadata (monotonic).");
	for (size_t i = 0; i < in->nr_repos; i++) {
		const char *labels[] = { "repo", in->repos[i].id, NULL };

		if (in->repos[i].meta)
			sample_int(out, "hotpatch_metadata_revision", labels,
				   (int64_t)in->repos[i].meta->revision);
	}
}

static void last_apply_families(const struct hp_metrics_input *in, struct hp_strbuf *out,
				struct hp_strvec *notes)
{
	struct hp_last_apply la;
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *dir = in->journal_dir ? hp_xstrdup(in->journal_dir) : hp_journal_default_dir(in->root);
	int rc = hp_last_apply_read(dir, &la, &err);

	family(out, "hotpatch_last_apply_timestamp_seconds",
	       "When the last journaled live apply ended (absent: none recorded).");
	if (rc)
		hp_strvec_pushf(notes, "hotpatch_last_apply_* missing: %s", err.buf);
	else if (la.found)
		sample_int(out, "hotpatch_last_apply_timestamp_seconds", NULL, la.time);
	family(out, "hotpatch_last_apply_success",
	       "1 when the last journaled live apply succeeded, 0 when it failed or was reversed.");
	if (!rc && la.found)
		sample_int(out, "hotpatch_last_apply_success", NULL, !strcmp(la.result, "success"));
	hp_last_apply_release(&la);
	hp_strbuf_release(&err);
	free(dir);
}

int hp_metrics_render(const struct hp_metrics_input *in, struct hp_strbuf *out,
		      struct hp_strvec *notes, struct hp_strbuf *err)
{
	int have_meta = 0;

	if (!in)
		return hp_error(err, "metrics: no input");
	for (size_t i = 0; i < in->nr_repos; i++)
		if (in->repos[i].meta)
			have_meta = 1;
	live_family(in, out, notes);
	offer_families(in, out);
	reboot_family(in, have_meta, out);
	baseline_family(in, out, notes);
	repo_families(in, out);
	last_apply_families(in, out, notes);
	if (!repos_complete(in)) {
		for (size_t i = 0; i < in->nr_repos; i++)
			if (in->repos[i].error)
				hp_strvec_pushf(notes, "repository '%s' not read: hotpatch_available, "
						"hotpatch_held_back, the baseline and its metadata "
						"families lack its part", in->repos[i].id);
	}
	if (!have_meta)
		hp_strvec_push(notes, "no repository metadata read: hotpatch_available and "
			       "hotpatch_held_back count nothing, the baseline and "
			       "hotpatch_reboot_required{reason=\"baseline_support_ended\"|"
			       "\"updates_held_back\"} are unknown");
	return 0;
}

int hp_metrics_write_textfile(const char *dir, const char *text, size_t len,
			      struct hp_strbuf *err)
{
	char *path = hp_path_join(dir, HP_METRICS_TEXTFILE);
	int ret = hp_write_file_atomic(path, text, len, 0644, err);

	free(path);
	return ret;
}
