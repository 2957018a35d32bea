/* The hotpatch metadata model: what a mirror publishes as the `hotpatch`
 * repodata type (docs/hotpatch-metadata.md documents the XML field by field).
 *
 * Ownership: a struct hp_meta owns every baseline and hotpatch record in it,
 * and each record owns all of its strings. Records are added by value with
 * hp_meta_add_*(), which take ownership of the record's strings and reset the
 * passed record to empty. */
#ifndef HP_META_H
#define HP_META_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hp_util.h"

/* The format version this code writes; readers refuse versions above it. */
#define HP_META_FORMAT_VERSION 1
/* Name of the repodata type in repomd.xml. */
#define HP_META_REPODATA_TYPE "hotpatch"
/* Every payload path must lie below this directory (safety rule). */
#define HP_PAYLOAD_ROOT "/usr/lib/hotpatch/"

enum hp_baseline_kind {
	HP_BASELINE_PLANNED = 0,
	HP_BASELINE_UNPLANNED = 1,
};

struct hp_build {
	char *name;   /* component package name, e.g. "kernel-core" */
	char *evr;    /* "[E:]V-R", compared with rpmvercmp rules, never by hand */
};

struct hp_baseline {
	char *id;                   /* unique in the repo, e.g. "2026-Q4" */
	enum hp_baseline_kind kind;
	char *issued;               /* "YYYY-MM-DD" */
	char *supported_until;      /* "YYYY-MM-DD" or NULL: supported until superseded */
	struct hp_build *builds;
	size_t nr_builds, alloc_builds;
};

struct hp_hotpatch {
	char *name;                 /* package NEVRA, split */
	char *epoch;                /* NULL or "" when none */
	char *version;
	char *release;
	char *arch;
	char *component;            /* Provides: hotpatch(<component>) ... */
	char *build;                /* ... = <build EVR> */
	char *engine;               /* "klp", "kpatch" or a local exec engine name */
	char *payload;              /* absolute path below HP_PAYLOAD_ROOT */
	char *payload_sha256;       /* lower-case hex */
	char *location;             /* package path relative to the repo root */
	char *severity;             /* from updateinfo, NULL when none */
	char *issued;               /* "YYYY-MM-DD" from updateinfo or the build time */
	int reboot_suggested;       /* updateinfo said so */
	struct hp_strvec cves;      /* "CVE-2026-1234", ... */
	struct hp_strvec advisories; /* updateinfo ids naming the package */
};

struct hp_meta {
	unsigned format;            /* format version read (HP_META_FORMAT_VERSION when written) */
	uint64_t revision;          /* monotonic, never decreases for a repo */
	int64_t generated;          /* seconds since the epoch, UTC */
	int64_t expires;            /* seconds since the epoch; 0 = never (baselines file only) */
	char *repo;                 /* the repository's name as its publisher signs it
				       (hotpatch-repo publish --repo-name), malloc'd;
				       NULL in records of older publishers */
	struct hp_baseline *baselines;
	size_t nr_baselines, alloc_baselines;
	struct hp_hotpatch *hotpatches;
	size_t nr_hotpatches, alloc_hotpatches;
};

void hp_meta_init(struct hp_meta *m);
void hp_meta_release(struct hp_meta *m);

void hp_baseline_init(struct hp_baseline *b);
void hp_baseline_release(struct hp_baseline *b);
/* Copies name and evr. */
void hp_baseline_add_build(struct hp_baseline *b, const char *name, const char *evr);
/* The build of `name` in the baseline, or NULL. */
const struct hp_build *hp_baseline_find_build(const struct hp_baseline *b, const char *name);

void hp_hotpatch_init(struct hp_hotpatch *h);
void hp_hotpatch_release(struct hp_hotpatch *h);
/* "name-[epoch:]version-release.arch", malloc'd, caller frees. */
char *hp_hotpatch_nevra(const struct hp_hotpatch *h);
/* "[epoch:]version-release", malloc'd, caller frees. */
char *hp_hotpatch_evr(const struct hp_hotpatch *h);

/* Take ownership of the record's contents; `b`/`h` are left initialised and empty. */
struct hp_baseline *hp_meta_add_baseline(struct hp_meta *m, struct hp_baseline *b);
struct hp_hotpatch *hp_meta_add_hotpatch(struct hp_meta *m, struct hp_hotpatch *h);
struct hp_baseline *hp_meta_find_baseline(const struct hp_meta *m, const char *id);

const char *hp_baseline_kind_name(enum hp_baseline_kind k);
/* 0 and sets *k for "planned"/"unplanned"; -1 otherwise. */
int hp_baseline_kind_parse(const char *s, enum hp_baseline_kind *k);

/* Whether `s` may name a repository in a record: 1..64 characters of
 * [A-Za-z0-9._-], not starting with '.'. */
int hp_meta_repo_name_ok(const char *s);

/* Checks the model's own invariants (ids unique, dates valid, payload below
 * HP_PAYLOAD_ROOT without "..", sha256 is 64 hex, known kind, build EVRs of
 * the form [E:]V-R, package location relative, non-empty and without "..",
 * ...). Appends one line per problem to err; returns the number of
 * problems (0 = valid). */
int hp_meta_validate(const struct hp_meta *m, struct hp_strbuf *err);

/* --- XML codec (meta_xml.c, expat) --- */

/* Parses the XML document in `buf`. `what` names the source in error messages
 * (a path or URL). On error `m` is left empty (initialised) and -1 returned.
 * Refuses unknown format versions (> HP_META_FORMAT_VERSION), unknown
 * elements' required attributes missing, and malformed XML, with the line. */
int hp_meta_parse(struct hp_meta *m, const char *buf, size_t len, const char *what,
		  struct hp_strbuf *err);
/* Reads and parses a file, transparently decompressing .gz/.xz/.zst/.bz2
 * (by content), `m` as for hp_meta_parse. */
int hp_meta_read_file(struct hp_meta *m, const char *path, struct hp_strbuf *err);
/* Appends the XML document for `m` to `out` (deterministic order: as stored). */
void hp_meta_write(const struct hp_meta *m, struct hp_strbuf *out);
/* Writes the document gzip-compressed to `path` atomically. */
int hp_meta_write_file_gz(const struct hp_meta *m, const char *path, struct hp_strbuf *err);

#endif
