/* Orphans and foreign live patches: what the engines report live now that
 * no installed package accounts for, sorted with the journal (hp_orphan.h).
 *
 * The rpmdb, the live state and the journal are three records of one
 * truth that can drift apart: `rpm -e` of a live hotpatch package leaves
 * the patch live in the kernel and unknown to rpm. This file finds such
 * patches so that `status` shows them and `revert` can take them back. */
#include <stdlib.h>
#include <string.h>

#include "hp_journal.h"
#include "hp_orphan.h"

void hp_live_orphans_init(struct hp_live_orphans *o)
{
	memset(o, 0, sizeof(*o));
}

static void orphan_release(struct hp_live_orphan *x)
{
	free(x->live_name);
	free(x->engine);
	free(x->package);
	free(x->component);
	free(x->build);
	free(x->payload);
}

void hp_live_orphans_release(struct hp_live_orphans *o)
{
	for (size_t i = 0; i < o->nr_orphans; i++)
		orphan_release(&o->orphans[i]);
	for (size_t i = 0; i < o->nr_foreign; i++)
		orphan_release(&o->foreign[i]);
	free(o->orphans);
	free(o->foreign);
	hp_live_orphans_init(o);
}

/* Module engines name a patch by its module; exec engines by the NEVRA. */
static int names_by_module(const char *engine)
{
	return !strcmp(engine, "klp") || !strcmp(engine, "kpatch");
}

/* Whether journal record `e` is an apply by `engine` of live patch `name`. */
static int applied_as(const struct hp_journal_entry *e, const char *engine, const char *name)
{
	if (!e->op || strcmp(e->op, "apply") || !e->engine || strcmp(e->engine, engine))
		return 0;
	if (e->live_name)
		return !strcmp(e->live_name, name);
	/* Older records carry no live_name: an exec engine's is the NEVRA. */
	return !names_by_module(engine) && e->package && !strcmp(e->package, name);
}

void hp_live_classify(const char *engine, const struct hp_live_patch *live, size_t nr_live,
		      const struct hp_strvec *installed, const struct hp_journal_entry *j,
		      size_t nr_j, struct hp_live_orphans *out)
{
	for (size_t i = 0; i < nr_live; i++) {
		const struct hp_journal_entry *rec = NULL;
		struct hp_live_orphan *x;

		if (!live[i].name || hp_strvec_contains(installed, live[i].name))
			continue;
		for (size_t k = 0; k < nr_j; k++)
			if (applied_as(&j[k], engine, live[i].name))
				rec = &j[k];
		if (rec) {
			HP_ALLOC_GROW(out->orphans, out->nr_orphans + 1, out->alloc_orphans);
			x = &out->orphans[out->nr_orphans++];
		} else {
			HP_ALLOC_GROW(out->foreign, out->nr_foreign + 1, out->alloc_foreign);
			x = &out->foreign[out->nr_foreign++];
		}
		memset(x, 0, sizeof(*x));
		x->live_name = hp_xstrdup(live[i].name);
		x->engine = hp_xstrdup(engine);
		if (rec) {
			x->package = hp_xstrdup(rec->package);
			x->component = hp_xstrdup(rec->component);
			x->build = hp_xstrdup(rec->build);
			x->payload = hp_xstrdup(rec->payload);
		}
	}
}

/* One engine: its live patches against the installed packages' names. */
static void classify_engine(const struct hp_engine_config *cfg, const char *engine,
			    const struct hp_live_pkgs *inst, const struct hp_journal_entry *j,
			    size_t nr_j, struct hp_live_orphans *out, struct hp_strvec *notes)
{
	struct hp_strbuf why = HP_STRBUF_INIT;
	struct hp_strvec names = HP_STRVEC_INIT;
	struct hp_live_patch *live = NULL;
	size_t nr_live = 0;
	struct hp_engine *e = hp_engine_get(engine, cfg, &why);

	/* An engine that cannot run here has nothing live. */
	if (!e || hp_engine_probe(e, &why))
		goto out;
	if (hp_engine_list_live(e, &live, &nr_live, &why)) {
		hp_strvec_pushf(notes, "cannot ask engine '%s' what is live: %s", engine, why.buf);
		goto out;
	}
	if (!nr_live)
		goto out;
	for (size_t i = 0; i < inst->nr; i++) {
		const struct hp_live_pkg *p = &inst->v[i];
		struct hp_engine_item it;
		char *name;

		if (!p->engine || strcmp(p->engine, engine))
			continue;
		hp_strbuf_reset(&why);
		name = hp_live_item_fill(&it, p, NULL, &why) ? NULL
			: hp_engine_live_name(e, &it, &why);
		if (!name) {
			hp_strvec_pushf(notes, "%s: cannot tell its live name: %s", p->nevra, why.buf);
			continue;
		}
		hp_strvec_push_nodup(&names, name);
	}
	hp_live_classify(engine, live, nr_live, &names, j, nr_j, out);
out:
	hp_live_patches_free(live, nr_live);
	hp_engine_free(e);
	hp_strvec_release(&names);
	hp_strbuf_release(&why);
}

int hp_live_find_orphans(const struct hp_engine_config *cfg, const struct hp_live_pkgs *inst,
			 const struct hp_journal_entry *j, size_t nr_j,
			 struct hp_live_orphans *out, struct hp_strvec *notes)
{
	struct hp_strvec engines = HP_STRVEC_INIT;

	hp_strvec_push(&engines, "klp");
	for (size_t i = 0; i < inst->nr; i++)
		if (inst->v[i].engine && !hp_strvec_contains(&engines, inst->v[i].engine))
			hp_strvec_push(&engines, inst->v[i].engine);
	for (size_t i = 0; i < nr_j; i++)
		if (j[i].engine && !hp_strvec_contains(&engines, j[i].engine))
			hp_strvec_push(&engines, j[i].engine);
	for (size_t i = 0; i < engines.nr; i++)
		classify_engine(cfg, engines.v[i], inst, j, nr_j, out, notes);
	hp_strvec_release(&engines);
	return 0;
}

int hp_live_status_orphans(const char *root, const char *dbpath, const char *kernel_release,
			   const char *journal_dir, struct hp_live_orphans *out,
			   struct hp_strvec *notes, struct hp_strbuf *err)
{
	struct hp_engine_config cfg;
	struct hp_live_pkgs inst;
	struct hp_journal *jn = NULL;
	struct hp_journal_entry *j = NULL;
	size_t nr_j = 0;
	char *jdir = journal_dir ? hp_xstrdup(journal_dir) : hp_journal_default_dir(root);
	char *conf_dir = hp_live_engine_config(&cfg, root, kernel_release, 0);
	int ret = -1;

	hp_live_pkgs_init(&inst);
	if (hp_live_read_installed(root, dbpath, &inst, err))
		goto out;
	jn = hp_journal_open(jdir, err);
	if (!jn || hp_journal_read(jn, &j, &nr_j, err))
		goto out;
	ret = hp_live_find_orphans(&cfg, &inst, j, nr_j, out, notes);
out:
	hp_journal_entries_free(j, nr_j);
	hp_journal_close(jn);
	hp_live_pkgs_release(&inst);
	free(conf_dir);
	free(jdir);
	return ret;
}
