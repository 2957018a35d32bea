/* Live apply glue: installed hotpatch packages -> engines. See hp_live.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <rpm/header.h>
#include <rpm/rpmds.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmpgp.h>

#include "hp_evr.h"
#include "hp_journal.h"
#include "hp_live.h"
#include "hp_lock.h"
#include "hp_pkgscan.h"
#include "hp_rpmdb.h"

#define PAYLOAD_ROOT "/usr/lib/hotpatch/"

void hp_live_pkg_release(struct hp_live_pkg *p)
{
	free(p->name);
	free(p->evr);
	free(p->arch);
	free(p->nevra);
	free(p->component);
	free(p->build);
	free(p->engine);
	free(p->payload);
	free(p->payload_sha256);
	memset(p, 0, sizeof(*p));
}

void hp_live_pkgs_init(struct hp_live_pkgs *s)
{
	memset(s, 0, sizeof(*s));
}

void hp_live_pkgs_release(struct hp_live_pkgs *s)
{
	for (size_t i = 0; i < s->nr; i++)
		hp_live_pkg_release(&s->v[i]);
	free(s->v);
	hp_live_pkgs_init(s);
}

struct hp_live_pkg *hp_live_pkgs_add(struct hp_live_pkgs *s, const struct hp_live_pkg *p)
{
	struct hp_live_pkg *n;

	HP_ALLOC_GROW(s->v, s->nr + 1, s->alloc);
	n = &s->v[s->nr++];
	n->name = hp_xstrdup(p->name);
	n->evr = hp_xstrdup(p->evr);
	n->arch = hp_xstrdup(p->arch);
	n->nevra = p->nevra ? hp_xstrdup(p->nevra)
			    : hp_xasprintf("%s-%s.%s", p->name, p->evr, p->arch ? p->arch : "noarch");
	n->component = hp_xstrdup(p->component);
	n->build = hp_xstrdup(p->build);
	n->engine = hp_xstrdup(p->engine);
	n->payload = hp_xstrdup(p->payload);
	n->payload_sha256 = hp_xstrdup(p->payload_sha256);
	return n;
}

const struct hp_live_pkg *hp_live_pkgs_find(const struct hp_live_pkgs *s, const char *name,
					    const char *evr)
{
	for (size_t i = 0; i < s->nr; i++)
		if (!strcmp(s->v[i].name, name) && (!evr || !hp_evr_match(s->v[i].evr, evr)))
			return &s->v[i];
	return NULL;
}

/* --- rpmdb --- */

/* Component, build and engine from the provides; 0 when it is no hotpatch. */
static int read_provides(Header h, struct hp_live_pkg *p)
{
	rpmds ds = rpmdsNew(h, RPMTAG_PROVIDENAME, 0);

	while (rpmdsNext(ds) >= 0) {
		const char *n = rpmdsN(ds), *evr = rpmdsEVR(ds);
		size_t len = strlen(n);

		if (!p->component && !strncmp(n, "hotpatch(", 9) && len > 10 && n[len - 1] == ')' &&
		    (rpmdsFlags(ds) & RPMSENSE_SENSEMASK) == RPMSENSE_EQUAL && evr && *evr) {
			p->component = hp_xstrndup(n + 9, len - 10);
			p->build = hp_xstrdup(evr);
		} else if (!p->engine && !strncmp(n, "hotpatch-engine(", 16) && len > 17 &&
			   n[len - 1] == ')') {
			p->engine = hp_xstrndup(n + 16, len - 17);
		}
	}
	rpmdsFree(ds);
	return p->component != NULL;
}

/* The payload: a regular file below /usr/lib/hotpatch/<component>/<build>/,
 * a module (.ko, .ko.xz, .ko.zst) preferred; its digest when the package
 * uses sha256. */
static void read_payload(Header h, struct hp_live_pkg *p)
{
	rpmfiles files = rpmfilesNew(NULL, h, 0, RPMFI_KEEPHEADER);
	rpmfi fi = files ? rpmfilesIter(files, RPMFI_ITER_FWD) : NULL;
	char *dir = hp_xasprintf(PAYLOAD_ROOT "%s/%s/", p->component, p->build);
	size_t dlen = strlen(dir);

	while (fi && rpmfiNext(fi) >= 0) {
		const char *fn = rpmfiFN(fi);
		int is_ko = hp_module_path(fn);
		char *hex;
		int algo = 0;

		if (strncmp(fn, dir, dlen) || !S_ISREG(rpmfiFMode(fi)))
			continue;
		if (p->payload && !is_ko)
			continue;
		hex = rpmfiFDigestHex(fi, &algo);
		free(p->payload);
		free(p->payload_sha256);
		p->payload = hp_xstrdup(fn);
		p->payload_sha256 = NULL;
		if (hex && algo == PGPHASHALGO_SHA256)
			p->payload_sha256 = hex;
		else
			free(hex);
		if (is_ko)
			break;
	}
	rpmfiFree(fi);
	rpmfilesFree(files);
	free(dir);
}

/* Appends the header to the hp_live_pkgs `data` when it is a hotpatch. */
static int add_installed(Header h, void *data)
{
	struct hp_live_pkg p = { 0 };

	if (!read_provides(h, &p))
		goto out;
	p.name = hp_xstrdup(headerGetString(h, RPMTAG_NAME));
	p.evr = headerGetAsString(h, RPMTAG_EVR);
	p.arch = hp_xstrdup(headerGetString(h, RPMTAG_ARCH));
	p.nevra = hp_xasprintf("%s-%s.%s", p.name, p.evr, p.arch ? p.arch : "noarch");
	read_payload(h, &p);
	hp_live_pkgs_add(data, &p);
out:
	hp_live_pkg_release(&p);
	return 0;
}

int hp_live_read_installed(const char *root, const char *dbpath, struct hp_live_pkgs *out,
			   struct hp_strbuf *err)
{
	struct hp_rpmdb db = HP_RPMDB_INIT;

	if (hp_rpmdb_open(&db, root, dbpath, err))
		return -1;
	hp_rpmdb_foreach(&db, add_installed, out);
	hp_rpmdb_close(&db);
	return 0;
}

/* --- selection --- */

static const struct hp_running *running_of(const struct hp_running *running, size_t nr,
					   const char *name)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(running[i].name, name))
			return &running[i];
	return NULL;
}

static int wanted_match(const struct hp_strvec *wanted, const struct hp_live_pkg *p)
{
	return hp_strvec_contains(wanted, p->name) || hp_strvec_contains(wanted, p->nevra);
}

int hp_live_select(const struct hp_live_pkgs *in, const struct hp_running *running,
		   size_t nr_running, const struct hp_strvec *wanted, size_t **sel, size_t *nr,
		   struct hp_strvec *notes, struct hp_strbuf *err)
{
	int *ok = hp_xcalloc(in->nr + 1, sizeof(*ok));
	int ret = 0;

	*sel = hp_xcalloc(in->nr + 1, sizeof(**sel));
	*nr = 0;
	for (size_t i = 0; i < in->nr; i++) {
		const struct hp_live_pkg *p = &in->v[i];
		const struct hp_running *r = running_of(running, nr_running, p->component);

		if (!r) {
			if (notes)
				hp_strvec_pushf(notes, "%s: %s is not running here", p->nevra,
						p->component);
			continue;
		}
		if (hp_evr_match(p->build, r->evr)) {
			if (notes)
				hp_strvec_pushf(notes, "%s: patches %s-%s, but %s-%s is running",
						p->nevra, p->component, p->build, r->name, r->evr);
			continue;
		}
		ok[i] = 1;
	}
	/* Newest of each series only (older versions may linger in an rpmdb
	 * after an interrupted upgrade, or be installed side by side). */
	for (size_t i = 0; i < in->nr; i++) {
		for (size_t k = 0; ok[i] && k < in->nr; k++) {
			if (k == i || !ok[k] || strcmp(in->v[i].name, in->v[k].name))
				continue;
			if (hp_evr_match(in->v[k].evr, in->v[i].evr) > 0 ||
			    (!hp_evr_match(in->v[k].evr, in->v[i].evr) && k < i)) {
				ok[i] = 0;
				if (notes)
					hp_strvec_pushf(notes, "%s: %s is newer in the same series",
							in->v[i].nevra, in->v[k].nevra);
			}
		}
	}
	for (size_t w = 0; wanted && w < wanted->nr; w++) {
		int known = 0, usable = 0;

		for (size_t i = 0; i < in->nr; i++) {
			struct hp_strvec one = HP_STRVEC_INIT;

			hp_strvec_push(&one, wanted->v[w]);
			if (wanted_match(&one, &in->v[i])) {
				known = 1;
				usable |= ok[i];
			}
			hp_strvec_release(&one);
		}
		if (!known)
			ret = hp_error(err, "'%s' is not an installed hotpatch package", wanted->v[w]);
		else if (!usable)
			ret = hp_error(err, "'%s' is not for a running build (or a newer version of "
				       "it is installed)", wanted->v[w]);
	}
	for (size_t i = 0; i < in->nr; i++)
		if (ok[i] && (!wanted || !wanted->nr || wanted_match(wanted, &in->v[i])))
			(*sel)[(*nr)++] = i;
	free(ok);
	return ret;
}

const struct hp_hotpatch *hp_live_find_published(const struct hp_meta *const *metas,
						 size_t nr_metas, const struct hp_live_pkg *p)
{
	for (size_t m = 0; m < nr_metas; m++) {
		for (size_t i = 0; metas[m] && i < metas[m]->nr_hotpatches; i++) {
			const struct hp_hotpatch *h = &metas[m]->hotpatches[i];
			char *evr;
			int same;

			if (strcmp(h->name, p->name) || (h->arch && p->arch && strcmp(h->arch, p->arch)))
				continue;
			evr = hp_hotpatch_evr(h);
			same = !hp_evr_match(evr, p->evr);
			free(evr);
			if (same)
				return h;
		}
	}
	return NULL;
}

int hp_live_item_fill(struct hp_engine_item *it, const struct hp_live_pkg *p,
		      const struct hp_hotpatch *pub, struct hp_strbuf *err)
{
	memset(it, 0, sizeof(*it));
	it->package = p->nevra;
	it->component = p->component;
	it->build = p->build;
	it->payload = p->payload;
	it->payload_sha256 = p->payload_sha256;
	if (!p->payload)
		return hp_error(err, "%s: no payload below " PAYLOAD_ROOT "%s/%s/ in the package",
				p->nevra, p->component, p->build);
	if (pub) {
		if (pub->payload && strcmp(pub->payload, p->payload))
			return hp_error(err, "%s: installed payload '%s' is not the published '%s'",
					p->nevra, p->payload, pub->payload);
		it->payload_sha256 = pub->payload_sha256;
	}
	return 0;
}

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

/* The engines' view of `root`. Returns the malloc'd exec engine directory
 * <root>HP_SYSCONFDIR/hotpatch/engines.d (<root>/etc/... in packages), the
 * one cfg->exec_conf_dir points at, which the caller frees after the last
 * use of `cfg`; NULL (the engines' default) when `root` is NULL or "/". */
char *hp_live_engine_config(struct hp_engine_config *cfg, const char *root,
			    const char *kernel_release, unsigned timeout)
{
	const char *env = getenv("HP_KLP_TIMEOUT");
	char *conf_dir = NULL;

	memset(cfg, 0, sizeof(*cfg));
	cfg->root_dir = root;
	if (root && *root && strcmp(root, "/")) {
		size_t n = strlen(root);

		while (n > 1 && root[n - 1] == '/')
			n--;
		conf_dir = hp_xasprintf("%.*s" HP_SYSCONFDIR "/hotpatch/engines.d", (int)n, root);
		cfg->exec_conf_dir = conf_dir;
	}
	cfg->kernel_release = kernel_release;
	cfg->transition_timeout = timeout;
	if (!timeout && env && *env)
		cfg->transition_timeout = (unsigned)strtoul(env, NULL, 10);
	return conf_dir;
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
 * the engine is asked again (by live name when the package is gone). */
static int journaled_op(struct hp_journal *j, struct hp_engine *e, const char *opname,
			const struct hp_engine_item *it, int ask_by_name,
			struct hp_live_result *res, struct hp_strbuf *why)
{
	double t0 = now_s();
	int ret = hp_journal_engine_op(j, e, opname, it, why);
	int live;

	res->seconds = now_s() - t0;
	live = ask_by_name ? listed_live(e, it->live_name, NULL) : hp_engine_is_live(e, it, NULL);
	res->live = live < 0 ? -1 : live;
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
	ret = journaled_op(j, e, op == HP_LIVE_REVERT ? "revert" : "apply", &it, 0, res, &why);
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
	ret = journaled_op(j, e, "revert", &it, 1, res, &why);
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

int hp_live_pkg_is_live(const struct hp_live_pkg *p, const char *root,
			const char *kernel_release, struct hp_strbuf *err)
{
	struct hp_engine_config cfg;
	struct hp_engine_item it;
	struct hp_engine *e = NULL;
	char *conf_dir;
	int ret = -1;

	if (!p->engine)
		return hp_error(err, "%s: the package names no engine", p->nevra);
	if (hp_live_item_fill(&it, p, NULL, err))
		return -1;
	it.payload_sha256 = NULL;   /* a question, not an apply */
	conf_dir = hp_live_engine_config(&cfg, root, kernel_release, 0);
	e = hp_engine_get(p->engine, &cfg, err);
	if (e)
		ret = hp_engine_is_live(e, &it, err);
	hp_engine_free(e);
	free(conf_dir);
	return ret;
}
