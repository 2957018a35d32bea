/* The mirror operator's side: baselines kept in the repository directory
 * (baselines.c), the lint that decides whether a hotpatch package may be
 * published (lint.c), and publish / verify / list of the `hotpatch` repodata
 * record (publish.c). The command layer (repo-meta/cli) only parses
 * arguments, prints and picks exit codes.
 *
 * Files kept in the repository directory (operator state, not part of
 * repodata/; written only by successful commands):
 *   REPO/.hotpatch/baselines.xml   the baselines, the hotpatch XML format with
 *                                  only <baseline> elements (hp_meta codec)
 *   REPO/.hotpatch/revision        the last published revision (decimal)
 *   REPO/.hotpatch/cache.json      facts read from hotpatch rpms, by pkgid */
#ifndef HP_PUBLISH_H
#define HP_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "hp_meta.h"
#include "hp_evr.h"
#include "hp_pkgscan.h"
#include "hp_util.h"

#define HP_REPO_STATE_DIR ".hotpatch"
#define HP_PUBLISH_DEFAULT_EXPIRES_DAYS 30

/* --- EVRs and build arguments --- */

/* hp_evr_valid / hp_evr_cmp: see hp_evr.h. */
/* Parses "NAME=EVR" into malloc'd *name and *evr (caller frees); -1 and one
 * error line when the name is empty or the EVR is not [E:]V-R. */
int hp_build_arg_parse(const char *arg, char **name, char **evr, struct hp_strbuf *err);

/* --- baselines (baselines.c) --- */

/* Loads REPO/.hotpatch/baselines.xml into `m` (initialised by the caller,
 * who releases it in every case) and validates it (hp_meta_validate; one
 * error line per problem, each naming the file). A missing file gives an
 * empty model and 0; a REPO that is missing or not a directory is an error. */
int hp_baselines_load(struct hp_meta *m, const char *repodir, struct hp_strbuf *err);
/* Checks `b` (kind, dates, supported-until >= issued, at least one build,
 * builds valid and not repeated, id not already in REPO) and appends it to
 * REPO/.hotpatch/baselines.xml atomically. May take b's contents (leaving
 * it empty): the caller releases b afterwards in every case. */
int hp_baselines_add(const char *repodir, struct hp_baseline *b, struct hp_strbuf *err);

/* --- lint (lint.c) --- */

/* Every raw fact about one hotpatch package that the lint judges. */
struct hp_candidate {
	struct hp_pkghdr hdr;
	char *location;            /* relative to the repo root */
	char *pkgid;               /* from primary, may be NULL */
	struct hp_payload payload;
	char *payload_error;       /* the payload could not be read: why; else NULL */
	char *kernel_release;      /* klp: the component build's release string */
	char *kernel_release_error;/* klp: why it is unknown; else NULL */
	const struct hp_pkg_advisories *adv; /* from updateinfo, or NULL; not owned */
};

void hp_candidate_init(struct hp_candidate *c);
void hp_candidate_release(struct hp_candidate *c);

/* The package's target as its Provides say: the component and build of its
 * single versioned `hotpatch(C) = EVR` provide and the engine of its single
 * `hotpatch-engine(E)` provide: malloc'd strings the caller frees (NULL when
 * missing or ambiguous); returns 0 when all three are found unambiguously. */
int hp_candidate_target(const struct hp_pkghdr *h, char **component, char **build,
			char **engine);

/* Judges one candidate against the baselines in `baselines`. Appends one
 * line "<package NEVRA>: <problem>" to `problems` per problem and returns
 * their number. With no problem, fills `out` (released first) with the
 * hotpatch record, including the updateinfo facts of c->adv (issued falls
 * back to the package's build date). */
int hp_publish_lint(const struct hp_candidate *c, const struct hp_meta *baselines,
		    struct hp_hotpatch *out, struct hp_strbuf *problems);

/* --- scan cache (scancache.c): REPO/.hotpatch/cache.json --- */

/* Facts read from hotpatch rpms, keyed by pkgid and checked against the
 * rpm's size and mtime; entries not used in a run are dropped on save. */
struct hp_scan_cache {
	void *old;                 /* json-c object of the loaded cache, or NULL */
	void *fresh;               /* entries for the next cache */
	size_t hits, misses;
};

void hp_scan_cache_init(struct hp_scan_cache *sc);
void hp_scan_cache_release(struct hp_scan_cache *sc);
/* Loads the cache of `repodir`; a missing or unreadable cache is empty. */
void hp_scan_cache_load(struct hp_scan_cache *sc, const char *repodir);
/* Fills c->hdr and c->payload (empty on entry) from the cache and returns 0
 * when `pkgid` is cached and `rpm_path` has the cached size and mtime; else -1
 * with `c` untouched. */
int hp_scan_cache_get(struct hp_scan_cache *sc, const char *pkgid, const char *rpm_path,
		      struct hp_candidate *c);
/* Records the facts of `c` (read from `rpm_path`) for the next cache. */
void hp_scan_cache_put(struct hp_scan_cache *sc, const char *pkgid, const char *rpm_path,
		       const struct hp_candidate *c);
/* Writes the entries used or put in this run to REPO/.hotpatch/cache.json. */
int hp_scan_cache_save(struct hp_scan_cache *sc, const char *repodir, struct hp_strbuf *err);

/* --- publish, verify, list (publish.c) --- */

struct hp_publish_opts {
	const char *sign_key;      /* NULL: publish unsigned */
	const char *gnupg_home;    /* NULL: gpg's default */
	int expires_days;          /* > 0 */
	int lock_wait;             /* seconds to wait for the repository lock */
	int keep_going;            /* leave refused packages out instead of refusing all */
	int createrepo;            /* regenerate primary & co. first (libcreaterepo_c) */
};

#define HP_PUBLISH_DEFAULT_LOCK_WAIT 60

struct hp_publish_result {
	uint64_t revision;
	size_t nr_baselines;
	size_t nr_hotpatches;
	int is_signed;
	size_t nr_cached;          /* hotpatch rpms whose facts came from the scan cache */
	char *location;            /* repodata/<sha>-hotpatch.xml.gz, malloc'd */
	struct hp_strvec refused;  /* keep_going: one "<NEVRA>: <problem>" line each */
};

void hp_publish_result_release(struct hp_publish_result *r);

/* Scans REPO, lints every hotpatch package, and when there is no problem
 * writes the `hotpatch` record (revision = max(last published, record in
 * repomd) + 1; refused past UINT64_MAX), updates repomd.xml and signs it (or
 * drops a stale repomd.xml.asc when unsigned). Any problem: -1 with one line
 * per problem in `err` and the repository left byte-identical. With
 * keep_going, refused packages are left out and named in res->refused
 * instead (still 0). The writing half runs under the repository lock and
 * swaps in a staged repodata/ (stage.c): a kill at any point leaves the old
 * or the new signed pair. With createrepo, the staged repodata/ is first
 * regenerated from the packages (createrepo.c). */
int hp_publish(const char *repodir, const struct hp_publish_opts *opts,
	       struct hp_publish_result *res, struct hp_strbuf *err);

/* --- repository lock and staging (stage.c) --- */

/* Takes the exclusive lock REPO/.hotpatch/lock (flock; the directory is
 * created), waiting at most `wait_seconds`. Returns the fd holding it, or -1
 * and one line naming the lock. */
int hp_repo_lock(const char *repodir, int wait_seconds, struct hp_strbuf *err);
void hp_repo_unlock(int fd);
/* fsync of a file or directory by name; one line naming it on error. */
int hp_fsync_path(const char *path, struct hp_strbuf *err);

/* A new repodata/ built at REPO/.hotpatch/stage/repodata and swapped in
 * whole. `root` is a repository root holding it, for functions that take
 * one (hp_repomd_set_record). */
struct hp_stage {
	char *repodir;
	char *root;                /* REPO/.hotpatch/stage */
	char *repodata;            /* root/repodata */
};

void hp_stage_init(struct hp_stage *st);
/* Removes the staging directory (after a commit: the old repodata). */
void hp_stage_release(struct hp_stage *st);
/* With the lock held: removes what a killed publish left (the staging
 * directory, temporary files), restoring repodata/ if a kill fell between
 * the two renames of the fallback commit. */
int hp_stage_cleanup(const char *repodir, struct hp_strbuf *err);
/* Creates the staging directory; with `with_repodata`, fills it with the
 * live repodata/ (files hard-linked, repomd.xml copied, the signature left
 * out). */
int hp_stage_open(struct hp_stage *st, const char *repodir, int with_repodata,
		  struct hp_strbuf *err);
/* Makes the staged files durable and swaps the staged and the live
 * repodata/ atomically (renameat2 RENAME_EXCHANGE; on file systems without
 * it, two renames and a moment without repodata/). */
int hp_stage_commit(struct hp_stage *st, struct hp_strbuf *err);

/* --- publish --createrepo (createrepo.c) --- */

/* Regenerates primary, filelists and other of the repository root
 * `stage_root` (a stage, already holding the live repodata/ if any) from
 * every *.rpm below `repodir`, as `createrepo_c --update --no-database`
 * would: unchanged packages reused, other records kept, sqlite records
 * dropped. */
int hp_createrepo_stage(const char *repodir, const char *stage_root, struct hp_strbuf *err);

struct hp_verify_report {
	int is_signed;
	char *signed_by;           /* "uid (fpr)" or fingerprint, NULL when unsigned */
	uint64_t revision;
	int64_t expires;
	size_t nr_baselines;
	size_t nr_hotpatches;
	struct hp_strvec problems; /* one line each; empty = ok */
};

void hp_verify_report_init(struct hp_verify_report *r);
void hp_verify_report_release(struct hp_verify_report *r);
/* Checks REPO's repomd.xml signature (keyring of `gnupg_home`, NULL =
 * default), the hotpatch record's checksum, its parse, validation and expiry.
 * Returns 0 when there is no problem, else -1 (problems in r->problems). */
int hp_repo_verify(const char *repodir, const char *gnupg_home, struct hp_verify_report *r);

/* Monitoring: adds a problem to `r` (filled by hp_repo_verify) and returns
 * -1 when the verified metadata expires within `days` days from now. */
int hp_verify_min_days(const char *repodir, struct hp_verify_report *r, int days);

/* Reads the published hotpatch record of REPO into `m` (initialised). */
int hp_repo_read_published(const char *repodir, struct hp_meta *m, struct hp_strbuf *err);

#endif
