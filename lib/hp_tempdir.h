/* Private temporary directories that a fatal signal does not leak
 * (lib/tempdir.c; issue 11). A `check` stopped with SIGTERM (the dnf plugin
 * aborting it, systemd stopping a timer's unit, Ctrl-C) used to leave its
 * repository snapshot behind until a later run swept it. As git's
 * tempfile.c: the directories in use are registered; on SIGTERM, SIGINT,
 * SIGHUP, SIGQUIT or SIGPIPE a handler removes them with async-signal-safe
 * calls only, then lets the signal take its default course, so the exit
 * status is the one the signal gives. SIGKILL cannot be caught, and a
 * helper process still writing into a directory can outlast the handler:
 * each name carries the pid, and creating one removes those of dead
 * processes of the same user. */
#ifndef HP_TEMPDIR_H
#define HP_TEMPDIR_H

#include "hp_strbuf.h"

/* mkdtemp of "$TMPDIR/<prefix><pid>-XXXXXX" (TMPDIR unset or empty: /tmp),
 * mode 0700, registered for removal on a fatal signal, after removing the
 * "<prefix><pid>-*" of dead processes. Returns the path (caller
 * owns it; give it back with hp_tempdir_remove), or NULL with one line in
 * `err`. At most HP_TEMPDIR_MAX are registered at once; more still work but
 * are only removed on the normal path. */
#define HP_TEMPDIR_MAX 8
char *hp_tempdir_create(const char *prefix, struct hp_strbuf *err);

/* Unregisters `dir`, removes the tree and frees `dir`. NULL is a no-op. */
void hp_tempdir_remove(char *dir);

/* Unregisters `dir` without removing it (for a caller that removes it its
 * own way, e.g. after stopping agents that live in it). */
void hp_tempdir_forget(const char *dir);

#endif
