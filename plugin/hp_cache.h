/* Caches of data derived from verified inputs, so that a warm `hotpatch
 * check` parses neither the hotpatch XML nor updateinfo nor every installed
 * rpm header again (bench/RESULTS.md: they were 90% of its time at
 * distribution scale).
 *
 * The directory is <root>/var/cache/hotpatch (HP_CACHE_SUBDIR below the
 * root); its files:
 *   <id>.hotpatch   repository <id>'s hotpatch record, parsed and validated,
 *                   keyed by the record's checksum in the repomd.xml whose
 *                   signature was just verified;
 *   <id>.reboot     the packages of its reboot_suggested advisories, keyed by
 *                   the updateinfo record's checksum;
 *   system.solv     the @System repository in libsolv's own solv format,
 *                   keyed by the rpmdb path and rpmdbCookie() (a hash of every
 *                   installed header's instance number, new on every
 *                   install or erase).
 * A key names exactly the bytes the data was derived from (plus this code's
 * version and the cache format), so an entry is never stale: it matches or
 * it is rebuilt. Anything unexpected -- another key or format, a short or
 * corrupt file, a file not owned by root or by us, or writable by others --
 * is a miss, never an error. Writes are atomic and best effort: a read-only
 * root or a user who may not write there simply runs uncached.
 * `rm -rf <root>/var/cache/hotpatch` is always safe. */
#ifndef HP_CACHE_H
#define HP_CACHE_H

#include <solv/repo.h>

#include "hp_meta.h"
#include "hp_updateinfo.h"

#define HP_CACHE_SUBDIR "/var/cache/hotpatch"
/* Bumped whenever what is stored, or how it is derived, changes. */
#define HP_CACHE_FORMAT 2

/* One cache directory and the entries to write into it. Puts are queued and
 * written by hp_cache_flush(), which the command calls only when it
 * succeeded: a refused input or a failed command leaves no trace.
 * Owns `dir` and the queued data. */
struct hp_cache {
	char *dir;
	struct hp_cache_entry *pending;
	size_t nr_pending, alloc_pending;
};

/* `dir` NULL: a cache that never hits and never writes. */
void hp_cache_init(struct hp_cache *c, const char *dir);
/* Drops what was not flushed. */
void hp_cache_release(struct hp_cache *c);
/* Writes the queued entries (atomically, best effort) and empties the queue. */
void hp_cache_flush(struct hp_cache *c);

/* The parsed and validated metadata of repository `id` whose record has
 * checksum `key` ("sha256:<hex>"): 1 and `m` filled (released first) on a
 * hit, 0 on a miss with `m` left empty. `c` NULL: always a miss. */
int hp_cache_meta_get(const struct hp_cache *c, const char *id, const char *key,
		      struct hp_meta *m);
/* Queues `m` (which must have passed hp_meta_validate) for `id` under `key`;
 * `c` NULL: nothing. The same for the other puts. */
void hp_cache_meta_put(struct hp_cache *c, const char *id, const char *key,
		       const struct hp_meta *m);

/* The same for the reboot_suggested packages of a repository's updateinfo;
 * a hit replaces the contents of `l`, a miss leaves it alone. */
int hp_cache_reboot_get(const struct hp_cache *c, const char *id, const char *key,
			struct hp_reboot_pkgs *l);
void hp_cache_reboot_put(struct hp_cache *c, const char *id, const char *key,
			 const struct hp_reboot_pkgs *l);

/* Loads the cached @System solvables into the empty `repo` when the cache's
 * key is `key`: 1 on a hit; 0 on a miss with `repo` left empty. */
int hp_cache_system_get(const struct hp_cache *c, const char *key, Repo *repo);
/* Queues `repo` (internalized) under `key`. */
void hp_cache_system_put(struct hp_cache *c, const char *key, Repo *repo);

#endif
