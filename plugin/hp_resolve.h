/* Resolution: which hotpatches fit the running builds, which baseline the
 * machine is on, and which updates wait for a reboot.
 *
 * Works on a libsolv pool whose installed repo (pool->installed) holds the
 * installed packages, plus the hotpatch metadata of every loaded repository.
 * It knows nothing about the rpmdb or about how repositories are fetched, so
 * the scenario tests (tests/resolver/ scenario files) feed it directly.
 *
 * Versions are always compared by libsolv (pool_evrcmp_str, rpmvercmp
 * rules); matching a hotpatch to a build is a whatprovides query on
 * `hotpatch(<component>) = <running EVR>`. */
#ifndef HP_RESOLVE_H
#define HP_RESOLVE_H

#include <stddef.h>
#include <time.h>

#include <solv/pool.h>

#include "hp_meta.h"
#include "hp_util.h"

/* One running build of a component. */
struct hp_running {
	char *name;      /* component package name */
	char *evr;       /* "[E:]V-R" */
	char *release;   /* kernel: the `uname -r` string it was found by; else NULL */
	int overridden;  /* set with --running NAME=EVR */
};

void hp_running_release(struct hp_running *r);

/* One repository's metadata, borrowed by the resolver for one call. */
struct hp_resolve_repo {
	const char *id;
	const struct hp_meta *meta;
};

struct hp_resolve_input {
	Pool *pool;                         /* pool->installed may be NULL (nothing installed) */
	const struct hp_running *running;
	size_t nr_running;
	const struct hp_resolve_repo *repos;
	size_t nr_repos;
	time_t now;                         /* hp_now() normally */
};

/* A hotpatch package: offered (available) or installed. */
struct hp_res_hotpatch {
	char *package;
	char *evr;
	char *arch;
	char *component;
	char *build;
	char *engine;        /* NULL when unknown (installed, not in any repo) */
	char *repo;          /* repo id offering it; NULL when in none */
	struct hp_strvec cves;
	int for_running;     /* installed: targets a running build */
	int newest;          /* installed: no newer version is offered for its build */
};

/* An update held back because it needs a reboot. */
struct hp_res_held {
	char *name;
	char *evr;
	char *baseline;      /* id of the baseline that brings it */
	char *reason;
};

struct hp_res_baseline {
	char *id;
	char *kind;              /* "planned" | "unplanned" */
	char *issued;
	char *supported_until;   /* NULL: until superseded */
	char *repo;
	int expired;             /* past supported_until at `now` */
};

/* The result. Owns every string in it. */
struct hp_resolution {
	struct hp_res_baseline *baseline;   /* NULL when no baseline matches */
	struct hp_res_hotpatch *available;
	size_t nr_available, alloc_available;
	struct hp_res_hotpatch *installed;
	size_t nr_installed, alloc_installed;
	struct hp_res_held *held_back;
	size_t nr_held_back, alloc_held_back;
	struct hp_strvec messages;          /* human-readable notes, one line each */
};

void hp_resolution_init(struct hp_resolution *res);
void hp_resolution_release(struct hp_resolution *res);

/* Resolves `in` into `res` (released first). Adds temporary repos to
 * in->pool and removes them before returning; the installed repo is left as
 * it was. Returns 0, or -1 with err set for invalid input (no pool). */
int hp_resolve(const struct hp_resolve_input *in, struct hp_resolution *res,
	       struct hp_strbuf *err);

/* Appends to `out` (without duplicates, in order of appearance) every
 * component named in the metadata: baseline builds and hotpatch targets. */
void hp_resolve_components(const struct hp_resolve_repo *repos, size_t nr_repos,
			   struct hp_strvec *out);

/* Appends to `out` (without duplicates) the component of every installed
 * hotpatch package (`Provides: hotpatch(C) = B` in pool->installed): what
 * has running builds to detect even when no repository could be read. */
void hp_resolve_installed_components(Pool *pool, struct hp_strvec *out);

/* The EVR of the newest installed package named `name` in pool->installed,
 * or NULL. The string belongs to the pool. */
const char *hp_pool_newest_installed(Pool *pool, const char *name);
/* Whether pool->installed holds `name` at exactly `evr` (rpmvercmp equal). */
int hp_pool_is_installed(Pool *pool, const char *name, const char *evr);

/* Kernel components are found by `uname -r`; everything else by the
 * installed build. */
int hp_is_kernel_component(const char *name);

#endif
