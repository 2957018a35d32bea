/* Metalinks (metalink= in a .repo file, as MirrorManager serves them):
 * the mirrors of a repository and the size and hashes its current
 * repodata/repomd.xml must have, parsed with expat.
 *
 * What is read, as librepo reads it: the <file name="repomd.xml"> entry;
 * its <size> and <verification><hash type="..."> values; the
 * <mm0:alternates><mm0:alternate> entries (older repomd.xml versions a
 * lagging mirror may still serve, each with its own size and hashes); its
 * <resources><url protocol=".." preference="N"> list. Mirrors are kept in
 * preference order (highest first, document order among equals); only
 * http, https and file URLs are kept, and a URL ending in
 * "repodata/repomd.xml" is cut back to the repository's base URL. */
#ifndef HP_METALINK_H
#define HP_METALINK_H

#include <stdint.h>

#include "hp_util.h"

/* One acceptable version of repomd.xml: its size and hashes. */
struct hp_metalink_version {
	int64_t size;               /* -1 when not given */
	struct hp_strvec types;     /* hash types ("sha256", ...), lower case */
	struct hp_strvec values;    /* hex digests, parallel to types */
};

struct hp_metalink {
	struct hp_metalink_version *versions;   /* [0] the current one, then alternates */
	size_t nr_versions;
	struct hp_strvec mirrors;               /* base URLs, preference order */
};

void hp_metalink_init(struct hp_metalink *m);
void hp_metalink_release(struct hp_metalink *m);

/* Parses the metalink document `data` (`len` bytes); `what` names it in
 * errors. A document that is not XML, has no repomd.xml entry, or has no
 * usable mirror is an error (one line). */
int hp_metalink_parse(struct hp_metalink *m, const char *data, size_t len, const char *what,
		      struct hp_strbuf *err);

/* Checks the file at `path` (a downloaded repomd.xml) against the
 * metalink: it must equal one of the versions in size (when given) and in
 * its strongest hash, sha512 or else sha256; a version with neither cannot
 * vouch for anything. Errors: "'<what>': repomd.xml does not match the
 * metalink (<why>)". */
int hp_metalink_check_file(const struct hp_metalink *m, const char *path, const char *what,
			   struct hp_strbuf *err);

#endif
