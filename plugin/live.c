/* Live apply runs: installed hotpatch packages -> engines, under the lock
 * and the journal. See hp_live.h. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hp_journal.h"
#include "hp_live.h"
#include "hp_lock.h"
#include "hp_syslog.h"

/* --- runs --- */

void hp_live_report_init(struct hp_live_report *r)
{
	memset(r, 0, sizeof(*r));
	hp_strvec_init(&r->notes);
}

void hp_live_report_release(struct hp_live_report *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		free(r->results[i].package);
		free(r->results[i].engine);
		free(r->results[i].live_name);
		free(r->results[i].action);
		free(r->results[i].message);
	}
	free(r->results);
	hp_strvec_release(&r->notes);
	hp_live_report_init(r);
}

static struct hp_live_result *add_result(struct hp_live_report *rep, const struct hp_live_pkg *p)
{
	struct hp_live_result *res;

	HP_ALLOC_GROW(rep->results, rep->nr + 1, rep->alloc);
	res = &rep->results[rep->nr++];
	memset(res, 0, sizeof(*res));
	res->package = hp_xstrdup(p->nevra);
	res->engine = hp_xstrdup(p->engine);
	res->live = -1;
	return res;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Whether the engine lists `name` now, enabled or in transition. */
static int listed_live(struct hp_engine *e, const char *name, struct hp_strbuf *err)
{
	struct hp_live_patch *v = NULL;
	size_t nr = 0;
	int found = 0;

	if (hp_engine_list_live(e, &v, &nr, err))
		return -1;
	for (size_t i = 0; i < nr; i++)
		if (v[i].name && !strcmp(v[i].name, name))
			found = 1;
	hp_live_patches_free(v, nr);
	return found;
}

/* The journaled engine call both paths share: intent, engine, result, then
 * the engine is asked again (by live name when the package is gone), and
 * the step goes to the system log (`ev` says which it was). */
static int journaled_op(struct hp_journal *j, struct hp_engine *e, const char *opname,
			enum hp_syslog_event ev, const struct hp_engine_item *it, int ask_by_name,
			struct hp_live_result *res, struct hp_strbuf *why)
{
	double t0 = now_s();
	int ret = hp_journal_engine_op(j, e, opname, it, why);
	int live;
	struct hp_syslog_record rec = { ev, it->package, hp_engine_name(e), it->live_name,
					it->component, it->build, !ret, why->buf };

	res->seconds = now_s() - t0;
	live = ask_by_name ? listed_live(e, it->live_name, NULL) : hp_engine_is_live(e, it, NULL);
	res->live = live < 0 ? -1 : live;
	hp_syslog_log(&rec);
	return ret;
}

/* Marks `res` failed with the reason in `why`; returns the message (owned by res). */
static const char *result_failed(struct hp_live_result *res, const struct hp_strbuf *why)
{
	free(res->action);
	res->action = hp_xstrdup("failed");
	res->message = hp_xstrdup(why->len ? why->buf : "unknown error");
	return res->message;
}

/* One package: ask, act when needed, ask again. 0 when it ended as asked. */
static int run_one(enum hp_live_op op, struct hp_journal *j, const struct hp_engine_config *cfg,
		   const struct hp_live_pkg *p, const struct hp_hotpatch *pub,
		   struct hp_live_report *rep, struct hp_strbuf *err)
{
	struct hp_live_result *res = add_result(rep, p);
	struct hp_strbuf why = HP_STRBUF_INIT;
	struct hp_engine *e = NULL;
	struct hp_engine_item it;
	int live, ret = -1;

	if (hp_live_item_fill(&it, p, pub, &why))
		goto fail;
	if (!p->engine) {
		hp_error(&why, "%s: the package names no engine (Provides: hotpatch-engine(...))",
			 p->nevra);
		goto fail;
	}
	e = hp_engine_get(p->engine, cfg, &why);
	if (!e || hp_engine_probe(e, &why))
		goto fail;
	res->live_name = hp_engine_live_name(e, &it, &why);
	if (!res->live_name)
		goto fail;
	/* Journaled with the item: what finds it again once the package is gone. */
	it.live_name = res->live_name;
	if (op == HP_LIVE_REVERT) {
		live = listed_live(e, res->live_name, &why);
		if (live < 0)
			goto fail;
		if (!live) {
			res->action = hp_xstrdup("not-live");
			res->live = 0;
			ret = 0;
			goto out;
		}
	} else {
		live = hp_engine_is_live(e, &it, &why);
		if (live < 0)
			goto fail;
		if (live) {
			res->action = hp_xstrdup("already-live");
			res->live = 1;
			ret = 0;
			goto out;
		}
	}
	ret = journaled_op(j, e, op == HP_LIVE_REVERT ? "revert" : "apply",
			   op == HP_LIVE_REVERT    ? HP_SYSLOG_REVERT
			   : op == HP_LIVE_REAPPLY ? HP_SYSLOG_REAPPLY
						   : HP_SYSLOG_APPLY,
			   &it, 0, res, &why);
	if (ret)
		goto fail;
	res->action = hp_xstrdup(op == HP_LIVE_REVERT ? "reverted" : "applied");
	goto out;
fail:
	ret = -1;
	hp_error(err, "%s: %s", p->nevra, result_failed(res, &why));
out:
	hp_engine_free(e);
	hp_strbuf_release(&why);
	return ret;
}

/* Reverts orphan `x` by its live name through its engine, journaled as
 * any revert (the item is the journal's: the package is gone). */
static int run_orphan(struct hp_journal *j, const struct hp_engine_config *cfg,
		      const struct hp_live_orphan *x, struct hp_live_report *rep,
		      struct hp_strbuf *err)
{
	struct hp_live_pkg p = { .nevra = x->package, .engine = x->engine };
	struct hp_live_result *res = add_result(rep, &p);
	struct hp_engine_item it = { x->package, x->component, x->build, x->payload, NULL,
				     x->live_name };
	struct hp_strbuf why = HP_STRBUF_INIT;
	struct hp_engine *e = NULL;
	int live, ret = -1;

	res->orphan = 1;
	res->live_name = hp_xstrdup(x->live_name);
	e = hp_engine_get(x->engine, cfg, &why);
	if (!e || hp_engine_probe(e, &why))
		goto fail;
	live = listed_live(e, x->live_name, &why);
	if (live < 0)
		goto fail;
	if (!live) {
		res->action = hp_xstrdup("not-live");
		res->live = 0;
		ret = 0;
		goto out;
	}
	ret = journaled_op(j, e, "revert", HP_SYSLOG_ORPHAN_REVERT, &it, 1, res, &why);
	if (ret)
		goto fail;
	res->action = hp_xstrdup("reverted");
	hp_strvec_pushf(&rep->notes, "%s (%s %s) was live but no longer installed (orphan): "
			"reverted", x->package, x->engine, x->live_name);
	goto out;
fail:
	ret = -1;
	hp_error(err, "%s (orphan %s): %s", x->package, x->live_name, result_failed(res, &why));
out:
	hp_engine_free(e);
	hp_strbuf_release(&why);
	return ret;
}

/* Whether `word` names orphan `x`: its live name, NEVRA, or the name part
 * of the NEVRA (name-[E:]V-R.arch: exactly one '-' after the name). */
static int orphan_match(const struct hp_live_orphan *x, const char *word)
{
	size_t len = strlen(word);
	const char *rest;

	if (!strcmp(x->live_name, word) || (x->package && !strcmp(x->package, word)))
		return 1;
	if (!x->package || strncmp(x->package, word, len) || x->package[len] != '-')
		return 0;
	rest = strchr(x->package + len + 1, '-');
	return rest && !strchr(rest + 1, '-');
}

static int installed_match(const struct hp_live_pkgs *inst, const char *word)
{
	for (size_t i = 0; i < inst->nr; i++)
		if (!strcmp(inst->v[i].name, word) || !strcmp(inst->v[i].nevra, word))
			return 1;
	return 0;
}

/* Revert: finds the orphans (under the lock, after recovery), marks in
 * in *todop (malloc'd, one flag per orphan) those the words (none = all) name, and leaves in `rest` the words
 * for the installed packages. *skip_pkgs when every word named only
 * orphans (an empty `rest` would mean "all" to hp_live_select). */
static int revert_orphans_plan(struct hp_journal *j, const struct hp_engine_config *cfg,
			       const struct hp_live_pkgs *inst, const struct hp_strvec *wanted,
			       struct hp_live_orphans *orph, int **todop, struct hp_strvec *rest,
			       int *skip_pkgs, struct hp_live_report *rep, struct hp_strbuf *err)
{
	struct hp_journal_entry *v = NULL;
	size_t nr = 0;
	int *todo;

	*skip_pkgs = 0;
	if (hp_journal_read(j, &v, &nr, err))
		return -1;
	hp_live_find_orphans(cfg, inst, v, nr, orph, &rep->notes);
	hp_journal_entries_free(v, nr);
	todo = *todop = hp_xcalloc(orph->nr_orphans + 1, sizeof(*todo));
	for (size_t k = 0; k < orph->nr_orphans; k++)
		todo[k] = !wanted || !wanted->nr;
	for (size_t w = 0; wanted && w < wanted->nr; w++) {
		int hit = 0;

		for (size_t k = 0; k < orph->nr_orphans; k++)
			if (orphan_match(&orph->orphans[k], wanted->v[w]))
				hit = todo[k] = 1;
		if (!hit || installed_match(inst, wanted->v[w]))
			hp_strvec_push(rest, wanted->v[w]);
	}
	*skip_pkgs = wanted && wanted->nr && !rest->nr;
	return 0;
}

int hp_live_run(enum hp_live_op op, const struct hp_live_run_opts *o, struct hp_live_report *rep,
		struct hp_strbuf *err)
{
	struct hp_lock lock = HP_LOCK_INIT;
	struct hp_journal *j = NULL;
	struct hp_live_pkgs inst;
	struct hp_engine_config cfg;
	struct hp_strbuf recovered = HP_STRBUF_INIT;
	struct hp_strvec rest = HP_STRVEC_INIT;
	struct hp_live_orphans orph;
	int *todo = NULL, skip_pkgs = 0;
	char *lock_path = o->lock_path ? hp_xstrdup(o->lock_path) : hp_lock_default_path(o->root);
	char *jdir = o->journal_dir ? hp_xstrdup(o->journal_dir) : hp_journal_default_dir(o->root);
	char *conf_dir;
	size_t *sel = NULL, nr_sel = 0;
	int ret = -1, failed = 0;

	hp_live_pkgs_init(&inst);
	hp_live_orphans_init(&orph);
	conf_dir = hp_live_engine_config(&cfg, o->root, o->kernel_release, o->timeout);
	cfg.sysfs_root = o->sysfs_root;
	cfg.proc_root = o->proc_root;

	if (hp_lock_acquire(&lock, lock_path, o->lock_wait, err))
		goto out;
	j = hp_journal_open(jdir, err);
	if (!j)
		goto out;
	/* A run that crashed between intent and result: say what is true now. */
	if (hp_journal_recover(j, &cfg, &recovered, err))
		failed = 1;
	for (char *line = recovered.buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (*line)
			hp_strvec_push(&rep->notes, line);
	}
	if (hp_live_read_installed(o->root, o->dbpath, &inst, err))
		goto out;
	if (op == HP_LIVE_REVERT) {
		if (revert_orphans_plan(j, &cfg, &inst, o->wanted, &orph, &todo, &rest, &skip_pkgs,
					rep, err))
			goto out;
	}
	if (!skip_pkgs && hp_live_select(&inst, o->running, o->nr_running,
					 op == HP_LIVE_REVERT ? &rest : o->wanted, &sel, &nr_sel,
					 &rep->notes, err))
		goto out;
	for (size_t i = 0; i < nr_sel; i++) {
		const struct hp_live_pkg *p = &inst.v[sel[i]];
		const struct hp_hotpatch *pub = hp_live_find_published(o->metas, o->nr_metas, p);

		if (o->nr_metas && !pub && op != HP_LIVE_REVERT)
			hp_strvec_pushf(&rep->notes, "%s is in no repository's hotpatch metadata: "
					"its payload is checked against the rpm database only",
					p->nevra);
		if (run_one(op, j, &cfg, p, pub, rep, err))
			failed = 1;
	}
	for (size_t k = 0; todo && k < orph.nr_orphans; k++)
		if (todo[k] && run_orphan(j, &cfg, &orph.orphans[k], rep, err))
			failed = 1;
	ret = failed ? -1 : 0;
out:
	free(todo);
	hp_live_orphans_release(&orph);
	hp_strvec_release(&rest);
	free(sel);
	hp_live_pkgs_release(&inst);
	hp_strbuf_release(&recovered);
	hp_journal_close(j);
	hp_lock_release(&lock);
	free(lock_path);
	free(jdir);
	free(conf_dir);
	return ret;
}

int hp_live_root_is_live(const char *root, const char *op, struct hp_strbuf *err)
{
	const char *env = getenv("HP_ROOT_IS_LIVE");
	char real[PATH_MAX];

	if (!root || !*root || !strcmp(root, "/"))
		return 1;
	if (realpath(root, real) && !strcmp(real, "/"))
		return 1;
	if (env && !strcmp(env, "1"))
		return 1;
	hp_error(err, "%s: --root %s is not the running system: its hotpatches go live when it "
		 "runs ('hotpatch reapply' at its boot); set HP_ROOT_IS_LIVE=1 only when %s is "
		 "the live system", op, root, root);
	return 0;
}
