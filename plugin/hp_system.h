/* System state: the installed packages (read from the rpmdb with librpm,
 * converted by libsolv) and the running builds (uname -r for the kernel, the
 * installed build for user space).
 *
 * The rpmdb is the one rpm and `dnf --installroot` use: rpm's configured
 * %_dbpath under the root (on Debian `~/.rpmdb`, so <root>/root/.rpmdb);
 * `dbpath` overrides it and, as with rpm --dbpath, is taken relative to the
 * root. */
#ifndef HP_SYSTEM_H
#define HP_SYSTEM_H

#include <stddef.h>

#include <solv/pool.h>

#include "hp_cache.h"
#include "hp_resolve.h"
#include "hp_util.h"

struct hp_system_opts {
	const char *root;      /* NULL or "" = "/" */
	const char *dbpath;    /* NULL = rpm's %_dbpath */
	const char *uname_r;   /* NULL = $HP_UNAME_R, else uname(2) */
	struct hp_cache *cache; /* hp_cache.h (not owned); NULL = read every header */
};

struct hp_system {
	char *root;            /* "/" when none given */
	char *dbpath;          /* the %_dbpath used, as seen inside the root */
	char *dbdir;           /* <root><dbpath>, for messages */
	char *uname_r;         /* running kernel release */
	Pool *pool;            /* installed packages as pool->installed ("@System") */

	/* The installed kernel package whose release is uname_r, NULL if none. */
	char *kernel_name;
	char *kernel_evr;

	/* Running builds of the components asked for (hp_system_detect_running). */
	struct hp_running *running;
	size_t nr_running, alloc_running;
	struct hp_strvec messages;  /* notes for the user (e.g. kernel not found) */
};

void hp_system_init(struct hp_system *s);
/* Frees everything. */
void hp_system_release(struct hp_system *s);

/* Opens the rpmdb read-only, loads every installed header into s->pool
 * (or, when o->cache holds them for this very rpmdb state, the cached
 * solvables: hp_cache.h),
 * finds the running kernel package and closes the rpmdb again. Errors:
 *   "cannot open the rpm database at '<root><dbpath>': <reason>" */
int hp_system_load(struct hp_system *s, const struct hp_system_opts *o, struct hp_strbuf *err);

/* Fills s->running for each component in `components` that is installed:
 * kernel components by the running kernel package, others by the newest
 * installed build. `overrides` ("NAME=EVR" strings, may be NULL) replace
 * detection of their name (and add it when not in `components`). Replaces
 * any previous result. Fails only on a malformed override. */
int hp_system_detect_running(struct hp_system *s, const struct hp_strvec *components,
			     const struct hp_strvec *overrides, struct hp_strbuf *err);

/* The running build of `name`, or NULL. Owned by `s`. */
const struct hp_running *hp_system_running(const struct hp_system *s, const char *name);

/* Splits "NAME=EVR" (EVR as hp_evr_valid: [E:]V-R); returns 0 and malloc'd
 * *name and *evr (caller frees) or -1 with err set ("invalid --running 'x':
 * expected NAME=EVR"). */
int hp_parse_name_evr(const char *arg, char **name, char **evr, struct hp_strbuf *err);

#endif
