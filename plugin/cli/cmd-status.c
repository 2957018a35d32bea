/* hotpatch status: running builds, current baseline, live and
 * installed-not-live hotpatches, orphans (live but no longer installed) and
 * foreign live patches, held-back updates, reboot needed and why.
 * Live state comes from hp_cli_live_state(): what the engine says now, or
 * "unknown" -- never claimed. */
#include <inttypes.h>
#include <stdlib.h>

#include "hp_cli.h"
#include "hp_journal.h"
#include "hp_live.h"
#include "hp_metrics.h"
#include "hp_output.h"

/* {"time","result":"success"|"failed","package"} of the last journaled
 * apply, or null. */
static struct json_object *last_apply_json(const struct hp_last_apply *la)
{
	struct json_object *x;

	if (!la->found)
		return NULL;
	x = json_object_new_object();
	json_object_object_add(x, "time", json_object_new_int64(la->time));
	json_object_object_add(x, "result", hp_json_str(la->result));
	json_object_object_add(x, "package", hp_json_str(la->package));
	return x;
}

/* baseline.support_end: seconds since the epoch when support ends (the
 * midnight after supported_until), null until superseded. */
static void baseline_support_end(struct json_object *b, const struct hp_res_baseline *rb)
{
	time_t t;

	if (!b || !rb)
		return;
	json_object_object_add(b, "support_end",
			       rb->supported_until && !hp_parse_date(rb->supported_until, &t)
			       ? json_object_new_int64((int64_t)t + 86400) : NULL);
}

/* [{"live_name","engine","package"}]; foreign ones have no package. */
static struct json_object *orphans_json(const struct hp_live_orphan *v, size_t nr, int package)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < nr; i++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "live_name", hp_json_str(v[i].live_name));
		json_object_object_add(x, "engine", hp_json_str(v[i].engine));
		if (package)
			json_object_object_add(x, "package", hp_json_str(v[i].package));
		json_object_array_add(a, x);
	}
	return a;
}

static void orphans_text(const struct hp_live_orphans *o)
{
	if (o->nr_orphans) {
		printf("Live but not installed (orphans):\n");
		for (size_t i = 0; i < o->nr_orphans; i++)
			printf("  %s (%s %s)\n", o->orphans[i].package, o->orphans[i].engine,
			       o->orphans[i].live_name);
		printf("  hotpatch applied these, then their packages were removed while live: the\n"
		       "  code runs, but rpm no longer knows it. 'hotpatch revert --all' (or\n"
		       "  'hotpatch revert LIVE_NAME') takes them back; a reboot drops them.\n");
	}
	if (o->nr_foreign) {
		printf("Live patches not applied by hotpatch (left alone):\n");
		for (size_t i = 0; i < o->nr_foreign; i++)
			printf("  %s (%s)\n", o->foreign[i].live_name, o->foreign[i].engine);
	}
}

static struct json_object *status_json(struct hp_cli_ctx *ctx, const enum hp_live_state *live,
				       const struct hp_strvec *details,
				       const struct hp_live_orphans *orph,
				       const struct hp_strvec *orph_notes, int reboot,
				       const struct hp_strvec *why, const struct hp_last_apply *la)
{
	const struct hp_resolution *res = &ctx->res;
	struct json_object *o = json_object_new_object();
	struct json_object *inst = json_object_new_array(), *rb = json_object_new_object();
	struct json_object *bl = hp_json_baseline(res->baseline);

	json_object_object_add(o, "running", hp_json_running(ctx->sys.running, ctx->sys.nr_running));
	json_object_object_add(o, "uname_r", hp_json_str(ctx->sys.uname_r));
	baseline_support_end(bl, res->baseline);
	json_object_object_add(o, "baseline", bl);
	for (size_t i = 0; i < res->nr_installed; i++) {
		struct json_object *h = hp_json_hotpatch(&res->installed[i]);

		json_object_object_add(h, "for_running", json_object_new_boolean(res->installed[i].for_running));
		json_object_object_add(h, "newest", json_object_new_boolean(res->installed[i].newest));
		json_object_object_add(h, "live", json_object_new_string(hp_live_state_name(live[i])));
		/* The engine's account, e.g. ulp's "live in 1 of 2 processes; ...". */
		json_object_object_add(h, "live_detail", *details->v[i] ? hp_json_str(details->v[i]) : NULL);
		json_object_array_add(inst, h);
	}
	json_object_object_add(o, "installed", inst);
	json_object_object_add(o, "orphans", orphans_json(orph->orphans, orph->nr_orphans, 1));
	json_object_object_add(o, "foreign", orphans_json(orph->foreign, orph->nr_foreign, 0));
	json_object_object_add(o, "available", hp_json_hotpatches(res->available, res->nr_available));
	json_object_object_add(o, "held_back", hp_json_held_back(res->held_back, res->nr_held_back));
	json_object_object_add(rb, "needed", json_object_new_boolean(reboot));
	json_object_object_add(rb, "reasons", hp_json_strings(why, NULL));
	json_object_object_add(o, "reboot", rb);
	json_object_object_add(o, "repos", hp_cli_json_repos(ctx, 1));
	json_object_object_add(o, "last_apply", last_apply_json(la));
	json_object_object_add(o, "messages", hp_json_strings(&ctx->messages, &res->messages));
	for (size_t i = 0; i < orph_notes->nr; i++)
		json_object_array_add(json_object_object_get(o, "messages"),
				      json_object_new_string(orph_notes->v[i]));
	return o;
}

static void repos_text(struct hp_cli_ctx *ctx, time_t now)
{
	char gen[11], exp[11];

	for (size_t i = 0; i < ctx->nr_repos; i++) {
		const struct hp_repo *r = &ctx->repos[i];

		if (!r->has_meta) {
			printf("Repository %s: no hotpatch metadata\n", r->id);
			continue;
		}
		hp_format_date((time_t)r->meta.generated, gen);
		hp_format_date((time_t)r->meta.expires, exp);
		printf("Repository %s: revision %" PRIu64 ", generated %s (%" PRId64 " h ago), %s%s\n",
		       r->id, r->meta.revision, gen, ((int64_t)now - r->meta.generated) / 3600,
		       r->meta.expires ? "expires " : "never expires", r->meta.expires ? exp : "");
	}
	for (size_t i = 0; i < ctx->repo_results.nr; i++) {
		const struct hp_repo_result *r = &ctx->repo_results.v[i];

		if (r->error)
			printf("Repository %s: not read%s: %s\n", r->id,
			       r->skipped ? " (skip_if_unavailable)" : "", r->error);
	}
}

static void last_apply_text(const struct hp_last_apply *la)
{
	char day[11];

	if (!la->found)
		return;
	hp_format_date((time_t)la->time, day);
	printf("Last apply: %s %s (%s)\n", day, la->result, la->package ? la->package : "?");
}

static void status_text(struct hp_cli_ctx *ctx, const enum hp_live_state *live,
			const struct hp_strvec *details, const struct hp_live_orphans *orph,
			const struct hp_strvec *orph_notes,
			int reboot, const struct hp_strvec *why, const struct hp_last_apply *la)
{
	const struct hp_resolution *res = &ctx->res;
	const struct hp_res_baseline *b = res->baseline;
	struct hp_table t;

	printf("Running kernel: %s\n", ctx->sys.uname_r ? ctx->sys.uname_r : "unknown");
	printf("Running builds:\n");
	if (!ctx->sys.nr_running)
		printf("  none of the components in the hotpatch metadata\n");
	for (size_t i = 0; i < ctx->sys.nr_running; i++)
		printf("  %s-%s%s\n", ctx->sys.running[i].name, ctx->sys.running[i].evr,
		       ctx->sys.running[i].overridden ? " (--running)" : "");
	if (b)
		printf("Baseline: %s (%s, issued %s, supported until %s%s)\n", b->id, b->kind,
		       b->issued ? b->issued : "?",
		       b->supported_until ? b->supported_until : "superseded",
		       b->expired ? ", support ended" : "");
	else
		printf("Baseline: none matches the running builds\n");

	printf("Installed hotpatches:%s\n", res->nr_installed ? "" : " none");
	if (res->nr_installed) {
		hp_table_init(&t, 5);
		hp_table_row(&t, "PACKAGE", "VERSION", "FOR BUILD", "LIVE", "NOTE");
		for (size_t i = 0; i < res->nr_installed; i++) {
			const struct hp_res_hotpatch *h = &res->installed[i];
			char *build = hp_xasprintf("%s-%s", h->component, h->build);
			const char *note = !h->for_running ? "not for a running build"
					 : !h->newest ? "newer version available" : NULL;

			hp_table_row(&t, h->package, h->evr, build, hp_live_state_name(live[i]), note);
			free(build);
		}
		hp_table_print(stdout, &t, 2);
		hp_table_release(&t);
		for (size_t i = 0; i < res->nr_installed; i++)
			if (*details->v[i])
				printf("  %s-%s: %s\n", res->installed[i].package,
				       res->installed[i].evr, details->v[i]);
	}
	orphans_text(orph);
	printf("Available hotpatches: %zu%s\n", res->nr_available,
	       res->nr_available ? " (see 'hotpatch check')" : "");
	if (res->nr_held_back) {
		printf("Held back (need a reboot):\n");
		for (size_t i = 0; i < res->nr_held_back; i++)
			printf("  %s-%s from baseline %s\n", res->held_back[i].name,
			       res->held_back[i].evr, res->held_back[i].baseline);
	}
	printf("Reboot needed: %s\n", reboot ? "yes" : "no");
	for (size_t i = 0; i < why->nr; i++)
		printf("  * %s\n", why->v[i]);
	last_apply_text(la);
	repos_text(ctx, hp_now());
	for (size_t i = 0; i < ctx->messages.nr; i++)
		hp_cli_note("%s", ctx->messages.v[i]);
	for (size_t i = 0; i < res->messages.nr; i++)
		hp_cli_note("%s", res->messages.v[i]);
	for (size_t i = 0; i < orph_notes->nr; i++)
		hp_cli_note("%s", orph_notes->v[i]);
}

int hp_cmd_status(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	struct hp_strvec why = HP_STRVEC_INIT, orph_notes = HP_STRVEC_INIT, details = HP_STRVEC_INIT;
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_live_orphans orph;
	struct hp_last_apply la;
	char *jdir = hp_journal_default_dir(ctx->sys.root);
	enum hp_live_state *live = hp_xcalloc(ctx->res.nr_installed + 1, sizeof(*live));
	int reboot, code = HP_EXIT_OK;

	for (size_t i = 0; i < ctx->res.nr_installed; i++) {
		struct hp_strbuf detail = HP_STRBUF_INIT;

		live[i] = hp_cli_live_state(ctx, &ctx->res.installed[i], &detail);
		hp_strvec_push(&details, live[i] == HP_LIVE_UNKNOWN ? "" : detail.buf);
		hp_strbuf_release(&detail);
	}
	/* Asked from the engines and the journal now; status still answers
	 * when they cannot be read, and says so. */
	hp_live_orphans_init(&orph);
	if (hp_live_status_orphans(ctx->sys.root, ctx->opts->dbpath, ctx->sys.uname_r, NULL,
				   &orph, &orph_notes, &err))
		hp_strvec_pushf(&orph_notes, "cannot look for orphaned live patches: %s", err.buf);
	reboot = hp_cli_reboot_needed(ctx, &why);
	hp_strbuf_reset(&err);
	if (hp_last_apply_read(jdir, &la, &err))
		hp_strvec_pushf(&orph_notes, "cannot read the last apply: %s", err.buf);
	if (ctx->opts->json) {
		if (hp_json_print(stdout, status_json(ctx, live, &details, &orph, &orph_notes, reboot, &why,
						      &la)))
			code = hp_cli_error("cannot write to standard output");
	} else {
		status_text(ctx, live, &details, &orph, &orph_notes, reboot, &why, &la);
	}
	/* The answer above is partial when a repository was refused: each is
	 * named on stderr and the run fails (DESIGN.md: per-repository results). */
	if (hp_cli_repos_refused(ctx))
		code = HP_EXIT_ERROR;
	hp_last_apply_release(&la);
	free(jdir);
	hp_live_orphans_release(&orph);
	hp_strvec_release(&orph_notes);
	hp_strbuf_release(&err);
	hp_strvec_release(&why);
	hp_strvec_release(&details);
	free(live);
	return code;
}
