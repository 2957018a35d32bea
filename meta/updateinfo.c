/* updateinfo.xml through libsolv, for publish and for the client; see
 * hp_updateinfo.h. Each read has a pool of its own: the callers keep plain
 * strings, never libsolv ids. */
#include "hp_updateinfo.h"
#include "hp_xmlstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <solv/dataiterator.h>
#include <solv/knownid.h>
#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_updateinfoxml.h>
#include <solv/solvable.h>

/* libsolv's EVR strings may carry "0:"; ours never do, so that keys match. */
static const char *strip_zero_epoch(const char *evr)
{
	return strncmp(evr, "0:", 2) ? evr : evr + 2;
}

static void collect_cves(Pool *pool, Repo *repo, Id p, struct hp_strvec *cves)
{
	Dataiterator di;

	dataiterator_init(&di, pool, repo, p, UPDATE_REFERENCE, 0, 0);
	while (dataiterator_step(&di)) {
		const char *type, *id;

		dataiterator_setpos(&di);
		type = pool_lookup_str(pool, SOLVID_POS, UPDATE_REFERENCE_TYPE);
		id = pool_lookup_str(pool, SOLVID_POS, UPDATE_REFERENCE_ID);
		if (type && id && !strcmp(type, "cve") && !hp_strvec_contains(cves, id))
			hp_strvec_push(cves, id);
	}
	dataiterator_free(&di);
}

static void each_package(Pool *pool, Repo *repo, Id p, const struct hp_advisory *adv,
			 hp_updateinfo_fn fn, void *data)
{
	Dataiterator di;

	dataiterator_init(&di, pool, repo, p, UPDATE_COLLECTION, 0, 0);
	while (dataiterator_step(&di)) {
		Id n, e, a;

		dataiterator_setpos(&di);
		n = pool_lookup_id(pool, SOLVID_POS, UPDATE_COLLECTION_NAME);
		e = pool_lookup_id(pool, SOLVID_POS, UPDATE_COLLECTION_EVR);
		a = pool_lookup_id(pool, SOLVID_POS, UPDATE_COLLECTION_ARCH);
		if (!n || !e)
			continue;
		fn(adv, pool_id2str(pool, n), strip_zero_epoch(pool_id2str(pool, e)),
		   a ? pool_id2str(pool, a) : "noarch", data);
	}
	dataiterator_free(&di);
}

int hp_updateinfo_read(const char *path, hp_updateinfo_fn fn, void *data,
		       struct hp_strbuf *err)
{
	struct hp_strvec cves = HP_STRVEC_INIT;
	Pool *pool = pool_create();
	struct hp_xml_stream *xs;
	Repo *repo;
	Solvable *s;
	Id p;
	int ret = -1, parsed;

	pool_setdisttype(pool, DISTTYPE_RPM);
	repo = repo_create(pool, "updateinfo");
	/* Decoded and guarded as libsolv reads, not by its solv_xfopen: our
	 * codecs check progress and size (a 10-byte zstd frame spun libsolv's
	 * forever), the guard caps tokens (expat is quadratic on huge ones). */
	if (!(xs = hp_xml_stream_open(path, HP_READ_MAX_DEFAULT, HP_READ_MAX_DEFAULT, err)))
		goto out;
	parsed = repo_add_updateinfoxml(repo, hp_xml_stream_file(xs), 0);
	/* A refused read stopped libsolv: ours is the line to report. */
	if (hp_xml_stream_close(xs))
		goto out;
	if (parsed) {
		hp_error(err, "cannot parse '%s': %s", path, pool_errstr(pool));
		goto out;
	}
	FOR_REPO_SOLVABLES(repo, p, s) {
		const char *name = pool_id2str(pool, s->name);
		struct hp_advisory adv;

		if (strncmp(name, "patch:", 6))
			continue;
		hp_strvec_release(&cves);
		collect_cves(pool, repo, p, &cves);
		adv.id = name + 6;
		adv.severity = solvable_lookup_str(s, UPDATE_SEVERITY);
		adv.issued = (time_t)solvable_lookup_num(s, SOLVABLE_BUILDTIME, 0);
		adv.reboot_suggested = solvable_lookup_void(s, UPDATE_REBOOT);
		adv.cves = &cves;
		each_package(pool, repo, p, &adv, fn, data);
	}
	ret = 0;
out:
	hp_strvec_release(&cves);
	pool_free(pool);
	return ret;
}

/* --- reboot_suggested packages --- */

void hp_reboot_pkgs_init(struct hp_reboot_pkgs *l)
{
	l->v = NULL;
	l->nr = l->alloc = 0;
}

static void reboot_pkg_release(struct hp_reboot_pkg *p)
{
	free(p->name);
	free(p->evr);
	free(p->arch);
	free(p->advisory);
}

void hp_reboot_pkgs_release(struct hp_reboot_pkgs *l)
{
	for (size_t i = 0; i < l->nr; i++)
		reboot_pkg_release(&l->v[i]);
	free(l->v);
	hp_reboot_pkgs_init(l);
}

static int same_nevra(const struct hp_reboot_pkg *p, const char *name, const char *evr,
		      const char *arch)
{
	return !strcmp(p->name, name) && !strcmp(p->evr, evr) && !strcmp(p->arch, arch);
}

static void push(struct hp_reboot_pkgs *l, const char *name, const char *evr, const char *arch,
		 const char *advisory)
{
	struct hp_reboot_pkg *p;

	HP_ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	p = &l->v[l->nr++];
	p->name = hp_xstrdup(name);
	p->evr = hp_xstrdup(evr);
	p->arch = hp_xstrdup(arch);
	p->advisory = hp_xstrdup(advisory);
}

void hp_reboot_pkgs_add(struct hp_reboot_pkgs *l, const char *name, const char *evr,
			const char *arch, const char *advisory)
{
	for (size_t i = 0; i < l->nr; i++)
		if (same_nevra(&l->v[i], name, evr, arch))
			return;
	push(l, name, evr, arch, advisory);
}

static void add_if_reboot(const struct hp_advisory *adv, const char *name, const char *evr,
			  const char *arch, void *data)
{
	if (adv->reboot_suggested)
		push(data, name, evr, arch, adv->id);
}

/* By NEVRA, then advisory id: the smallest id survives the unique pass. */
static int cmp_pkg(const void *a, const void *b)
{
	const struct hp_reboot_pkg *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (!c)
		c = strcmp(x->evr, y->evr);
	if (!c)
		c = strcmp(x->arch, y->arch);
	return c ? c : strcmp(x->advisory, y->advisory);
}

int hp_updateinfo_reboot_pkgs(const char *path, struct hp_reboot_pkgs *l,
			      struct hp_strbuf *err)
{
	struct hp_reboot_pkgs found;
	int fresh, ret = -1;

	hp_reboot_pkgs_init(&found);
	if (hp_updateinfo_read(path, add_if_reboot, &found, err) < 0)
		goto out;
	/* Sorting and one unique pass instead of a search per package: big
	 * distributions list thousands of kernel subpackages. */
	if (found.nr)
		qsort(found.v, found.nr, sizeof(*found.v), cmp_pkg);
	fresh = !l->nr;
	for (size_t i = 0; i < found.nr; i++) {
		struct hp_reboot_pkg *p = &found.v[i];

		if (i && same_nevra(&found.v[i - 1], p->name, p->evr, p->arch))
			continue;
		if (fresh)
			push(l, p->name, p->evr, p->arch, p->advisory);
		else
			hp_reboot_pkgs_add(l, p->name, p->evr, p->arch, p->advisory);
	}
	ret = 0;
out:
	hp_reboot_pkgs_release(&found);
	return ret;
}
