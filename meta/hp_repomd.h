/* repomd.xml: reading it (repomd_read.c: expat and rpm's digests, all the
 * client needs), and adding/replacing/removing one repodata record the way
 * createrepo_c and modifyrepo_c do (repomd.c: libcreaterepo_c), so that our
 * `hotpatch` type sits beside primary/updateinfo and survives re-publishing. */
#ifndef HP_REPOMD_H
#define HP_REPOMD_H

#include <stddef.h>
#include <stdint.h>

#include "hp_util.h"

struct hp_repomd_entry {
	char *type;            /* "primary", "updateinfo", "hotpatch", ... */
	char *location;        /* relative to the repo root, e.g. "repodata/<sha>-hotpatch.xml.gz" */
	char *location_base;   /* xml:base, NULL when none (we refuse such records) */
	char *checksum_type;   /* "sha256", ... */
	char *checksum;        /* lower-case hex of the (compressed) file */
	int64_t timestamp;
	int64_t size;
};

/* Owns its revision and every entry's strings. */
struct hp_repomd {
	char *revision;        /* NULL when repomd.xml has none */
	struct hp_repomd_entry *entries;
	size_t nr, alloc;
};

void hp_repomd_init(struct hp_repomd *md);
void hp_repomd_release(struct hp_repomd *md);

/* Parses repomd.xml at `repomd_path` into `md` (released first), accepting
 * what createrepo_c's parser accepts: unknown elements are ignored, a <data>
 * without type is "unknown", a repeated type replaces the earlier record. A
 * DOCTYPE and files over 16 MiB are refused. On error `md` is left empty and
 * the message names the path (and the line, for malformed XML). */
int hp_repomd_read(struct hp_repomd *md, const char *repomd_path, struct hp_strbuf *err);
/* The record of `type`, or NULL. Owned by `md`. */
const struct hp_repomd_entry *hp_repomd_find(const struct hp_repomd *md, const char *type);

/* Adds or replaces the record `type` of the repository `repodir` (the
 * directory holding repodata/). `file_path` is an already written
 * (compressed) file inside <repodir>/repodata. It is renamed to
 * <sha256>-<type><suffix> (createrepo_c's unique-md-filenames; the suffix is
 * taken from the file's name from ".xml" on), its record is filled (sha256,
 * open checksum, sizes, timestamp) and repomd.xml is rewritten atomically,
 * keeping every other record, the revision and the tags. The previous file
 * of that type is deleted afterwards when its name differs. On error the
 * repository is unchanged (the file keeps its original name). repomd.xml's
 * signature is NOT refreshed: the caller re-signs. */
int hp_repomd_set_record(const char *repodir, const char *type, const char *file_path,
			 struct hp_strbuf *err);
/* Removes the record `type` (if any) from repomd.xml, then its file. */
int hp_repomd_remove_record(const char *repodir, const char *type, struct hp_strbuf *err);

/* Whether `loc` is a relative path below repodata/ without "..". */
int hp_repomd_safe_location(const char *loc);
/* Refuses records whose file would not be below <repodir>/repodata/
 * (absolute, "..", xml:base pointing elsewhere). Reads nothing. */
int hp_repomd_check_location(const char *repodir, const struct hp_repomd_entry *e,
			     struct hp_strbuf *err);
/* Checks that the file of `e` (below `repodir`) has the checksum recorded in
 * repomd.xml ("'<file>': checksum mismatch with repomd.xml (expected X, got
 * Y)"). Accepts sha256, sha384, sha512, sha224 and sha1/sha; refuses md5,
 * unknown types, and locations hp_repomd_check_location refuses. */
int hp_repomd_check_entry(const char *repodir, const struct hp_repomd_entry *e,
			  struct hp_strbuf *err);

#endif
