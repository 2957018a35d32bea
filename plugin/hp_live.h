/* Live apply: the glue between the installed hotpatch packages (rpmdb), the
 * running builds and the engines.
 *
 *   installed hotpatch packages (hp_live_read_installed, librpm)
 *     -> the ones for a running build, newest of each series (hp_live_select)
 *     -> engine items: payload under the root, expected sha256 from the
 *        published metadata when a repository is given, else the rpmdb's
 *        file digest (hp_live_item_fill)
 *     -> lock -> journal recovery -> journal intent -> engine -> journal result
 *        (hp_live_run)
 *
 * Live state is never remembered: every "live" / "not live" below is asked
 * from the engine at that moment (DESIGN.md safety rules). A failed or
 * stalled apply is reversed by the engine before it returns; the package
 * stays installed and is reported installed-not-live, the journal records
 * "failed" with the engine's reason, and the run exits non-zero.
 *
 * A series is one package name: its successive versions are the cumulative
 * updates of one hotpatch (DESIGN.md packaging convention). Only the newest
 * installed version of a series is ever applied. */
#ifndef HP_LIVE_H
#define HP_LIVE_H

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

enum hp_live_op {
	HP_LIVE_APPLY,     /* make live; already live = nothing to do */
	HP_LIVE_REVERT,    /* make not live; not live = nothing to do */
	HP_LIVE_REAPPLY,   /* as APPLY, for boot: every selected package */
};

/* What happened to one package in a run. Owns its strings. */
struct hp_live_result {
	char *package;     /* NEVRA */
	char *engine;
	char *live_name;   /* the engine's name for it (klp: module), may be NULL */
	char *action;      /* "applied", "already-live", "reverted", "not-live", "failed" */
	int orphan;        /* a revert of a live patch whose package is gone */
	char *message;     /* the engine's reason on failure, else NULL */
	int live;          /* asked from the engine after the operation: 1, 0, -1 unknown */
	double seconds;    /* wall time of the engine call */
};

struct hp_live_run_opts {
	const char *root;                 /* NULL = "/"; exec engines: <root>/etc/hotpatch/engines.d */
	const char *dbpath;               /* NULL = %_dbpath */
	const struct hp_running *running; /* the running builds */
	size_t nr_running;
	const struct hp_meta *const *metas; /* published metadata (sha256), may be empty */
	size_t nr_metas;
	const struct hp_strvec *wanted;   /* PKG words; NULL/empty = all (--all); for
					   * revert also orphans' live names, NEVRAs
					   * or names (--all reverts every orphan) */
	const char *kernel_release;       /* for klp vermagic; NULL = uname -r */
	unsigned timeout;                 /* klp transition timeout, s; 0 = $HP_KLP_TIMEOUT or 60 */
	const char *journal_dir;          /* NULL = hp_journal_default_dir(root) */
	const char *lock_path;            /* NULL = hp_lock_default_path(root) */
	unsigned lock_wait;               /* seconds to wait for the lock */
	const char *sysfs_root, *proc_root; /* NULL = /sys, /proc (tests) */
};

struct hp_live_report {
	struct hp_live_result *results;
	size_t nr, alloc;
	struct hp_strvec notes;           /* packages left out, recovered intents */
};

void hp_live_report_init(struct hp_live_report *r);
void hp_live_report_release(struct hp_live_report *r);

/* Runs `op` for the selected packages: takes the lock, recovers pending
 * journal intents (hp_journal_recover), then per package asks the engine
 * whether it is live, and only when there is something to do journals and
 * runs the engine call. Returns 0 when every package ended as asked, -1
 * otherwise (or on a setup error: lock, journal, rpmdb, selection), with one
 * line per problem in `err`; `rep` holds what happened either way. */
int hp_live_run(enum hp_live_op op, const struct hp_live_run_opts *o, struct hp_live_report *rep,
		struct hp_strbuf *err);

/* The package named `name` (and at `evr` when not NULL) in `s`, or NULL. */
const struct hp_live_pkg *hp_live_pkgs_find(const struct hp_live_pkgs *s, const char *name,
					    const char *evr);

/* Whether `p` is live now, asked from its engine (is_live): 1, 0, or -1
 * with the reason in `err` (no engine named, no payload, engine error).
 * Payloads are found below `root` (NULL = "/"); `kernel_release` NULL =
 * uname -r. */
int hp_live_pkg_is_live(const struct hp_live_pkg *p, const char *root,
			const char *kernel_release, struct hp_strbuf *err);

/* --- orphans (plugin/orphan.c) ---
 *
 * A patch an engine reports live now is
 *   - accounted for when an installed hotpatch package of that engine has
 *     that live name (klp/kpatch: its payload's module name; exec: NEVRA);
 *   - an ORPHAN when not, but the journal says we applied it (an "apply"
 *     record of that engine with that live_name; records without live_name,
 *     from before it was recorded, count for exec engines by package NEVRA):
 *     its package was erased while live (rpm -e, dnf remove), or another
 *     version is installed whose payload has another live name;
 *   - FOREIGN otherwise: loaded by someone else; shown, never touched.
 * Everything comes from the engines (list_live) and the journal at the
 * moment of asking, never from memory. */

/* One live patch no installed package accounts for. Owns its strings; the
 * item fields are the journal's (NULL for foreign patches). */
struct hp_live_orphan {
	char *live_name;
	char *engine;
	char *package;                    /* NEVRA recorded in the journal */
	char *component, *build, *payload;
};

struct hp_live_orphans {
	struct hp_live_orphan *orphans;   /* applied by us, package gone */
	size_t nr_orphans, alloc_orphans;
	struct hp_live_orphan *foreign;   /* not applied by us */
	size_t nr_foreign, alloc_foreign;
};

void hp_live_orphans_init(struct hp_live_orphans *o);
void hp_live_orphans_release(struct hp_live_orphans *o);

struct hp_journal_entry;

/* Sorts the patches `live` of engine `engine` into out->orphans and
 * out->foreign: `installed` holds the live names of the installed packages
 * of that engine, `j` the journal records (file order; the last matching
 * apply record names the package). Pure: no I/O. */
void hp_live_classify(const char *engine, const struct hp_live_patch *live, size_t nr_live,
		      const struct hp_strvec *installed, const struct hp_journal_entry *j,
		      size_t nr_j, struct hp_live_orphans *out);

/* Asks every engine that an installed package or the journal names, and
 * klp, what is live now, and classifies it (hp_live_classify) against the
 * installed packages `inst` (their live names asked from the engine, e.g.
 * a .ko's modinfo below cfg->root_dir) and the journal records `j`. An
 * engine that cannot be used here (probe fails) has nothing live and is
 * skipped; one whose list fails, or a package whose live name cannot be
 * read, adds a line to `notes`. Returns 0 (errors are notes). */
int hp_live_find_orphans(const struct hp_engine_config *cfg, const struct hp_live_pkgs *inst,
			 const struct hp_journal_entry *j, size_t nr_j,
			 struct hp_live_orphans *out, struct hp_strvec *notes);

/* hp_live_find_orphans for `hotpatch status`: reads the rpmdb of `root` at
 * `dbpath` and the journal in `journal_dir` (NULL = the default below
 * root); takes no lock and writes nothing (but the end of a torn last
 * journal line, as every journal open does). -1 with `err` when the rpmdb or
 * the journal cannot be read. */
int hp_live_status_orphans(const char *root, const char *dbpath, const char *kernel_release,
			   const char *journal_dir, struct hp_live_orphans *out,
			   struct hp_strvec *notes, struct hp_strbuf *err);

/* Fills `cfg` for `root` as the live runs do; returns the malloc'd exec
 * engine directory cfg->exec_conf_dir points at (caller frees it after
 * the last use of `cfg`), NULL when `root` is the host. */
char *hp_live_engine_config(struct hp_engine_config *cfg, const char *root,
			    const char *kernel_release, unsigned timeout);

/* The `hotpatch apply|revert|reapply` runner shared by the three command
 * files (defined in plugin/cli/cmd-apply.c, the executable's side): parses
 * the command's own words, detects the running builds of the installed
 * hotpatches' components, runs hp_live_run and prints the report. Returns
 * an exit code (0 ok, 1 error, 2 usage). */
struct hp_cli_ctx;
int hp_cli_live_command(struct hp_cli_ctx *ctx, enum hp_live_op op, int argc, char **argv);

/* Whether `root` may be live-patched from this machine: "/" (or NULL, or a
 * path resolving to "/"), or any root when the environment has
 * HP_ROOT_IS_LIVE=1 (tests and what-if runs where the root stands for the
 * running system, as HP_UNAME_R stands for its kernel). Otherwise 0 with
 * one line in `err`: an image's hotpatch must never be loaded into the
 * build host's kernel because the kernel versions happen to match. */
int hp_live_root_is_live(const char *root, const char *op, struct hp_strbuf *err);

#endif
