/* One hotpatch run at a time.
 *
 * An exclusive open-file-description lock (fcntl F_OFD_SETLK) on a lock
 * file, by default <root>/run/hotpatch.lock. It conflicts between processes
 * and between two acquisitions in one process alike, is not inherited across
 * exec (the file is O_CLOEXEC), and the kernel drops it when the holder dies
 * -- a crashed run never leaves a stale lock: that is the crash recovery
 * (the journal then tells the next run what was interrupted).
 *
 * The holder writes its pid into the file so that a waiting run can say who
 * holds it. */
#ifndef HP_LOCK_H
#define HP_LOCK_H

#include "hp_util.h"

struct hp_lock {
	int fd;       /* -1 when not held */
	char *path;   /* malloc'd while held */
};

#define HP_LOCK_INIT { -1, NULL }

/* <root>/run/hotpatch.lock (root NULL or "/" = the system); malloc'd,
 * caller frees. */
char *hp_lock_default_path(const char *root);

/* Takes the lock at `path` (creating the file and its directory), retrying
 * for up to `wait_seconds` (0 = try once). On failure returns -1 with
 * "another hotpatch run (pid N) holds '<path>'" or the system error.
 * `l` must be HP_LOCK_INIT / released. */
int hp_lock_acquire(struct hp_lock *l, const char *path, unsigned wait_seconds,
		    struct hp_strbuf *err);
/* Releases the lock (closing the file) and resets `l`; a released or
 * never-taken lock is fine. */
void hp_lock_release(struct hp_lock *l);

#endif
