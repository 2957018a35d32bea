/* System state from the rpmdb (librpm) and uname: see hp_system.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmts.h>

#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_rpmdb.h>

#include "hp_cache.h"
#include "hp_evr.h"
#include "hp_rpmdb.h"
#include "hp_system.h"

void hp_system_init(struct hp_system *s)
{
	memset(s, 0, sizeof(*s));
	hp_strvec_init(&s->messages);
}

static void running_clear(struct hp_system *s)
{
	for (size_t i = 0; i < s->nr_running; i++)
		hp_running_release(&s->running[i]);
	free(s->running);
	s->running = NULL;
	s->nr_running = s->alloc_running = 0;
}

void hp_system_release(struct hp_system *s)
{
	free(s->root);
	free(s->dbpath);
	free(s->dbdir);
	free(s->uname_r);
	free(s->kernel_name);
	free(s->kernel_evr);
	if (s->pool)
		pool_free(s->pool);
	running_clear(s);
	hp_strvec_release(&s->messages);
	hp_system_init(s);
}

static const char *detect_uname(const struct hp_system_opts *o, char *buf, size_t len)
{
	struct utsname u;
	const char *env = getenv("HP_UNAME_R");

	if (o->uname_r && *o->uname_r)
		return o->uname_r;
	if (env && *env)
		return env;
	if (uname(&u))
		return NULL;
	snprintf(buf, len, "%s", u.release);
	return buf;
}

/* The installed package providing exactly `kernel-uname-r = <release>`
 * (exact string: libsolv's EVR match would accept a missing release). */
static Solvable *find_by_uname_provide(Pool *pool, const char *release)
{
	Id name = pool_str2id(pool, "kernel-uname-r", 0), p;
	Solvable *s;

	if (!name || !pool->installed)
		return NULL;
	FOR_REPO_SOLVABLES(pool->installed, p, s) {
		Id *pp;

		if (!s->provides)
			continue;
		for (pp = s->repo->idarraydata + s->provides; *pp; pp++) {
			Reldep *rd;

			if (!ISRELDEP(*pp))
				continue;
			rd = GETRELDEP(pool, *pp);
			if (rd->name == name && rd->flags == REL_EQ &&
			    !strcmp(pool_id2str(pool, rd->evr), release))
				return s;
		}
	}
	return NULL;
}

/* The installed package owning /lib/modules/<release>/vmlinuz (Debian-style
 * releases such as 6.1.0-57-amd64 cannot be an rpm version). */
static int find_by_vmlinuz(rpmts ts, const char *release, char **name, char **evr)
{
	static const char *const dirs[] = { "/lib/modules/", "/usr/lib/modules/" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *path = hp_xasprintf("%s%s/vmlinuz", dirs[i], release);
		rpmdbMatchIterator mi = rpmtsInitIterator(ts, RPMDBI_INSTFILENAMES, path, 0);
		Header h = mi ? rpmdbNextIterator(mi) : NULL;

		if (h) {
			*name = hp_xstrdup(headerGetString(h, RPMTAG_NAME));
			*evr = headerGetAsString(h, RPMTAG_EVR);
		}
		rpmdbFreeIterator(mi);
		free(path);
		if (h)
			return 1;
	}
	return 0;
}

/* Adds one installed header to the @System repo (hp_rpmdb_foreach). */
struct add_state {
	Repo *repo;
	void *rpm_state;
};

static int add_header(Header h, void *data)
{
	struct add_state *as = data;
	const char *name = headerGetString(h, RPMTAG_NAME);
	void *handle;

	/* Imported keys are pseudo-packages, as libsolv's own reader skips. */
	if (name && !strcmp(name, "gpg-pubkey"))
		return 0;
	handle = rpm_byrpmh(as->rpm_state, h);
	if (handle)
		repo_add_rpm_handle(as->repo, handle, RPM_ADD_NO_FILELIST | RPM_ADD_NO_RPMLIBREQS |
				    REPO_REUSE_REPODATA | REPO_NO_INTERNALIZE);
	return 0;
}

/* What the @System cache is keyed by: the database (its path) and its
 * state. rpmdbCookie() hashes every installed header's instance number,
 * and rpm gives each install a new one, so any install, erase or upgrade
 * changes it. NULL (no caching) when rpm cannot say. */
static char *system_cache_key(struct hp_rpmdb *db)
{
	rpmdb rdb = rpmtsGetRdb(db->ts);
	char *cookie = rdb ? rpmdbCookie(rdb) : NULL, *key = NULL;

	if (cookie && *cookie)
		key = hp_xasprintf("rpmdb %s %s", db->dbdir, cookie);
	free(cookie);
	return key;
}

int hp_system_load(struct hp_system *s, const struct hp_system_opts *o, struct hp_strbuf *err)
{
	struct hp_rpmdb db = HP_RPMDB_INIT;
	struct add_state as;
	char *key;
	Solvable *k;
	char unamebuf[256];
	const char *rel;

	hp_system_release(s);
	if (hp_rpmdb_open(&db, o->root, o->dbpath, err))
		return -1;
	s->root = hp_xstrdup(db.root);
	s->dbpath = hp_xstrdup(db.dbpath);
	s->dbdir = hp_xstrdup(db.dbdir);

	s->pool = pool_create();
	as.repo = repo_create(s->pool, "@System");
	key = system_cache_key(&db);
	if (!hp_cache_system_get(o->cache, key, as.repo)) {
		/* libsolv converts librpm headers through its own handle type. */
		as.rpm_state = rpm_state_create(s->pool, s->root);
		hp_rpmdb_foreach(&db, add_header, &as);
		rpm_state_free(as.rpm_state);
		repo_internalize(as.repo);
		hp_cache_system_put(o->cache, key, as.repo);
	}
	free(key);
	pool_set_installed(s->pool, as.repo);

	rel = detect_uname(o, unamebuf, sizeof(unamebuf));
	s->uname_r = hp_xstrdup(rel);
	if (rel) {
		k = find_by_uname_provide(s->pool, rel);
		if (k) {
			s->kernel_name = hp_xstrdup(pool_id2str(s->pool, k->name));
			s->kernel_evr = hp_xstrdup(pool_id2str(s->pool, k->evr));
		} else {
			find_by_vmlinuz(db.ts, rel, &s->kernel_name, &s->kernel_evr);
		}
	}
	hp_rpmdb_close(&db);
	return 0;
}

int hp_parse_name_evr(const char *arg, char **name, char **evr, struct hp_strbuf *err)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1] || strchr(eq + 1, '=') || strchr(arg, ' '))
		return hp_error(err, "invalid --running '%s': expected NAME=EVR", arg);
	/* A build is always a full [E:]V-R: "6.1.0-" or "x-" would match nothing
	 * installed and silently turn detection off for that component. */
	if (!hp_evr_valid(eq + 1))
		return hp_error(err, "invalid --running '%s': EVR '%s' is not of the form [E:]V-R",
				arg, eq + 1);
	*name = hp_xstrndup(arg, eq - arg);
	*evr = hp_xstrdup(eq + 1);
	return 0;
}

static struct hp_running *running_add(struct hp_system *s, const char *name, const char *evr)
{
	struct hp_running *r;

	for (size_t i = 0; i < s->nr_running; i++)
		if (!strcmp(s->running[i].name, name)) {
			r = &s->running[i];
			hp_running_release(r);
			goto fill;
		}
	HP_ALLOC_GROW(s->running, s->nr_running + 1, s->alloc_running);
	r = &s->running[s->nr_running++];
fill:
	memset(r, 0, sizeof(*r));
	r->name = hp_xstrdup(name);
	r->evr = hp_xstrdup(evr);
	return r;
}

int hp_system_detect_running(struct hp_system *s, const struct hp_strvec *components,
			     const struct hp_strvec *overrides, struct hp_strbuf *err)
{
	running_clear(s);
	for (size_t i = 0; components && i < components->nr; i++) {
		const char *c = components->v[i];
		const char *newest = s->pool ? hp_pool_newest_installed(s->pool, c) : NULL;
		struct hp_running *r;

		if (!newest)
			continue;   /* not installed here: nothing runs */
		if (!hp_is_kernel_component(c)) {
			running_add(s, c, newest);
			continue;
		}
		/* kernel-core and its siblings (kernel, kernel-modules) share the
		 * running kernel package's EVR. */
		if (s->kernel_name && (!strcmp(c, s->kernel_name) ||
				       hp_pool_is_installed(s->pool, c, s->kernel_evr))) {
			r = running_add(s, c, s->kernel_evr);
			r->release = hp_xstrdup(s->uname_r);
		} else if (!s->kernel_name) {
			const char *u = s->uname_r ? s->uname_r : "?";
			char *msg = hp_xasprintf("running kernel %s: no installed package provides "
						 "kernel-uname-r = %s or owns /lib/modules/%s/vmlinuz",
						 u, u, u);

			if (!hp_strvec_contains(&s->messages, msg))
				hp_strvec_push(&s->messages, msg);
			free(msg);
		}
	}
	for (size_t i = 0; overrides && i < overrides->nr; i++) {
		char *name = NULL, *evr = NULL;
		struct hp_running *r;

		if (hp_parse_name_evr(overrides->v[i], &name, &evr, err))
			return -1;
		r = running_add(s, name, evr);
		r->overridden = 1;
		free(name);
		free(evr);
	}
	return 0;
}

const struct hp_running *hp_system_running(const struct hp_system *s, const char *name)
{
	for (size_t i = 0; i < s->nr_running; i++)
		if (!strcmp(s->running[i].name, name))
			return &s->running[i];
	return NULL;
}
