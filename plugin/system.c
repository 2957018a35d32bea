/* System state from the rpmdb (librpm) and uname: see hp_system.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmts.h>

#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_rpmdb.h>

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

/* rpm's log goes to our error message instead of stderr. */
static int rpmlog_capture(rpmlogRec rec, rpmlogCallbackData data)
{
	struct hp_strbuf *sb = data;
	const char *msg = rpmlogRecMessage(rec);
	size_t len = msg ? strlen(msg) : 0;

	if (rpmlogRecPriority(rec) > RPMLOG_WARNING)
		return 0;
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;
	if (len) {
		if (sb->len)
			hp_strbuf_adds(sb, "; ");
		hp_strbuf_add(sb, msg, len);
	}
	return 0;   /* not RPMLOG_DEFAULT: rpm prints nothing itself */
}

static int read_config_once(struct hp_strbuf *err)
{
	static int done;

	if (done)
		return 0;
	if (rpmReadConfigFiles(NULL, NULL))
		return hp_error(err, "cannot read rpm's configuration (rpmrc, macros)");
	done = 1;
	return 0;
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

int hp_system_load(struct hp_system *s, const struct hp_system_opts *o, struct hp_strbuf *err)
{
	struct hp_strbuf log = HP_STRBUF_INIT;
	rpmts ts = NULL;
	rpmdbMatchIterator mi = NULL;
	Header h;
	Repo *repo;
	Solvable *k;
	rpmlogCallback old_cb;
	void *state = NULL;
	char resolved[PATH_MAX], unamebuf[256];
	const char *rel;
	struct stat st;
	int pushed = 0, ret = -1;

	hp_system_release(s);
	if (read_config_once(err))
		return -1;
	old_cb = rpmlogSetCallback(rpmlog_capture, &log);

	if (o->root && *o->root && strcmp(o->root, "/")) {
		if (!realpath(o->root, resolved)) {
			hp_error_errno(err, errno, "cannot use root '%s'", o->root);
			goto out;
		}
		s->root = hp_xstrdup(resolved);
	} else {
		s->root = hp_xstrdup("/");
	}
	if (o->dbpath && *o->dbpath) {
		rpmPushMacro(NULL, "_dbpath", NULL, o->dbpath, RMIL_CMDLINE);
		pushed = 1;
	}
	s->dbpath = rpmExpand("%{_dbpath}", NULL);
	s->dbdir = strcmp(s->root, "/") ? hp_path_join(s->root, s->dbpath) : hp_xstrdup(s->dbpath);
	if (s->dbpath[0] != '/') {
		hp_error(err, "cannot open the rpm database at '%s': the db path is not absolute",
			 s->dbdir);
		goto out;
	}
	/* rpm would create an empty database where there is none: a typo'd
	 * root must not look like an empty system. */
	if (stat(s->dbdir, &st)) {
		hp_error_errno(err, errno, "cannot open the rpm database at '%s'", s->dbdir);
		goto out;
	}

	ts = rpmtsCreate();
	if (rpmtsSetRootDir(ts, s->root)) {
		hp_error(err, "cannot open the rpm database at '%s': invalid root", s->dbdir);
		goto out;
	}
	if (rpmtsOpenDB(ts, O_RDONLY)) {
		hp_error(err, "cannot open the rpm database at '%s': %s", s->dbdir,
			 log.len ? log.buf : "unknown rpm error");
		goto out;
	}

	s->pool = pool_create();
	repo = repo_create(s->pool, "@System");
	/* libsolv converts librpm headers through its own handle type. */
	state = rpm_state_create(s->pool, s->root);
	mi = rpmtsInitIterator(ts, RPMDBI_PACKAGES, NULL, 0);
	while (mi && (h = rpmdbNextIterator(mi))) {
		const char *name = headerGetString(h, RPMTAG_NAME);
		void *handle;

		/* Imported keys are pseudo-packages, as libsolv's own reader skips. */
		if (name && !strcmp(name, "gpg-pubkey"))
			continue;
		handle = rpm_byrpmh(state, h);
		if (handle)
			repo_add_rpm_handle(repo, handle, RPM_ADD_NO_FILELIST | RPM_ADD_NO_RPMLIBREQS |
					   REPO_REUSE_REPODATA | REPO_NO_INTERNALIZE);
	}
	mi = rpmdbFreeIterator(mi);
	state = rpm_state_free(state);
	repo_internalize(repo);
	pool_set_installed(s->pool, repo);

	rel = detect_uname(o, unamebuf, sizeof(unamebuf));
	s->uname_r = hp_xstrdup(rel);
	if (rel) {
		k = find_by_uname_provide(s->pool, rel);
		if (k) {
			s->kernel_name = hp_xstrdup(pool_id2str(s->pool, k->name));
			s->kernel_evr = hp_xstrdup(pool_id2str(s->pool, k->evr));
		} else {
			find_by_vmlinuz(ts, rel, &s->kernel_name, &s->kernel_evr);
		}
	}
	ret = 0;
out:
	rpmdbFreeIterator(mi);
	if (state)
		rpm_state_free(state);
	if (ts) {
		rpmtsCloseDB(ts);
		rpmtsFree(ts);
	}
	if (pushed)
		rpmPopMacro(NULL, "_dbpath");
	rpmlogSetCallback(old_cb, NULL);
	hp_strbuf_release(&log);
	if (ret)
		hp_system_release(s);
	return ret;
}

int hp_parse_name_evr(const char *arg, char **name, char **evr, struct hp_strbuf *err)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1] || strchr(eq + 1, '=') || strchr(arg, ' '))
		return hp_error(err, "invalid --running '%s': expected NAME=EVR", arg);
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
