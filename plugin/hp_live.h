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
 * installed version of a series is ever applied.
 *
 * Layers: live.c (the runs) uses orphan.c (hp_orphan.h), which uses
 * installed.c (hp_installed.h: the installed packages, selection, items,
 * is-live); none of them calls back up. */
#ifndef HP_LIVE_H
#define HP_LIVE_H

#include <stddef.h>

#include "hp_engine.h"
#include "hp_meta.h"
#include "hp_resolve.h"
#include "hp_installed.h"
#include "hp_orphan.h"
#include "hp_util.h"

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

/* Whether `root` may be live-patched from this machine: "/" (or NULL, or a
 * path resolving to "/"), or any root when the environment has
 * HP_ROOT_IS_LIVE=1 (tests and what-if runs where the root stands for the
 * running system, as HP_UNAME_R stands for its kernel). Otherwise 0 with
 * one line in `err`: an image's hotpatch must never be loaded into the
 * build host's kernel because the kernel versions happen to match. */
int hp_live_root_is_live(const char *root, const char *op, struct hp_strbuf *err);

#endif
