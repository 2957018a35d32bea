/* Installed hotpatch packages (plugin/installed.c): what the rpmdb says is
 * installed, which of them an apply acts on for the running builds, the
 * engine item of each, and whether one is live now (asked from its engine).
 * The layer under the live runs (hp_live.h) and the orphan search
 * (hp_orphan.h). */
#ifndef HP_INSTALLED_H
#define HP_INSTALLED_H

#include <stddef.h>

#include "hp_engine.h"
#include "hp_meta.h"
#include "hp_resolve.h"
#include "hp_util.h"

/* One installed hotpatch package, as the rpmdb describes it. Owns its
 * strings (NULL when absent). */
struct hp_live_pkg {
	char *name;
	char *evr;             /* "[E:]V-R" (epoch only when set) */
	char *arch;
	char *nevra;           /* name-[E:]V-R.arch */
	char *component;       /* Provides: hotpatch(<component>) = <build> */
	char *build;
	char *engine;          /* Provides: hotpatch-engine(<engine>); NULL if none */
	char *payload;         /* the payload file below /usr/lib/hotpatch/<component>/<build>/
				* (the .ko when there is one), absolute; NULL if none */
	char *payload_sha256;  /* the rpmdb's digest of it when sha256, else NULL */
};

struct hp_live_pkgs {
	struct hp_live_pkg *v;
	size_t nr, alloc;
};

void hp_live_pkg_release(struct hp_live_pkg *p);
void hp_live_pkgs_init(struct hp_live_pkgs *s);
void hp_live_pkgs_release(struct hp_live_pkgs *s);
/* Appends a copy of every field of `p` (for tests and readers). */
struct hp_live_pkg *hp_live_pkgs_add(struct hp_live_pkgs *s, const struct hp_live_pkg *p);

/* Reads every installed package providing hotpatch(...) from the rpmdb of
 * `root` (NULL = "/"), `dbpath` as for hp_system_load (NULL = %_dbpath).
 * Appends them to `out`. Returns 0 or -1 with one line in `err`. */
int hp_live_read_installed(const char *root, const char *dbpath, struct hp_live_pkgs *out,
			   struct hp_strbuf *err);

/* The packages of `in` that an apply acts on, as indices into in->v, in
 * `in` order:
 *   - its component has a running build and its build equals it (hp_evr_match);
 *   - it is the newest installed version of its series (package name);
 *   - when `wanted` is not NULL and not empty, its name or NEVRA is one of
 *     the words (each word must name an installed package for a running
 *     build, else -1 with one line per bad word in `err`).
 * `notes` (may be NULL) receives one line per installed package left out and
 * why. *sel is malloc'd (caller frees), *nr may be 0. */
int hp_live_select(const struct hp_live_pkgs *in, const struct hp_running *running,
		   size_t nr_running, const struct hp_strvec *wanted, size_t **sel, size_t *nr,
		   struct hp_strvec *notes, struct hp_strbuf *err);

/* The published record of `p` (same NEVRA) in any of `metas`, or NULL. */
const struct hp_hotpatch *hp_live_find_published(const struct hp_meta *const *metas,
						 size_t nr_metas, const struct hp_live_pkg *p);

/* Fills `it` (borrowing `p`'s strings and the record's) for the engine. The
 * expected payload sha256 is the published one when `pub` is not NULL, else
 * the rpmdb's. Returns 0, or -1 when the package has no payload or the
 * published payload path differs from the installed one. */
int hp_live_item_fill(struct hp_engine_item *it, const struct hp_live_pkg *p,
		      const struct hp_hotpatch *pub, struct hp_strbuf *err);

/* The package named `name` (and at `evr` when not NULL) in `s`, or NULL. */
const struct hp_live_pkg *hp_live_pkgs_find(const struct hp_live_pkgs *s, const char *name,
					    const char *evr);

/* Whether `p` is live now, asked from its engine (is_live): 1, 0, or -1
 * with the reason in `err` (no engine named, no payload, engine error).
 * Payloads are found below `root` (NULL = "/"); `kernel_release` NULL =
 * uname -r. */
int hp_live_pkg_is_live(const struct hp_live_pkg *p, const char *root,
			const char *kernel_release, struct hp_strbuf *err);
/* As hp_live_pkg_is_live, also appending the engine's one-line account of
 * how live it is (ulp: "live in N of M processes; not live in ...") to
 * `detail` when the engine has one. */
int hp_live_pkg_is_live_detail(const struct hp_live_pkg *p, const char *root,
			       const char *kernel_release, struct hp_strbuf *detail,
			       struct hp_strbuf *err);

/* Fills `cfg` for `root` as the live runs do; returns the malloc'd exec
 * engine directory cfg->exec_conf_dir points at (caller frees it after
 * the last use of `cfg`), NULL when `root` is the host. */
char *hp_live_engine_config(struct hp_engine_config *cfg, const char *root,
			    const char *kernel_release, unsigned timeout);

#endif
