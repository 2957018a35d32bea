/* The one way this project opens an rpmdb with librpm: rpm's configuration
 * read once, the root resolved, %_dbpath overridden as with rpm --dbpath,
 * rpm's log captured into our error message, read-only, never created.
 * Used by hp_system_load (system.c) and hp_live_read_installed (live.c).
 *
 *	struct hp_rpmdb db = HP_RPMDB_INIT;
 *	if (hp_rpmdb_open(&db, root, dbpath, err)) ... ;
 *	hp_rpmdb_foreach(&db, fn, data);     (or rpmtsInitIterator(db.ts, ...))
 *	hp_rpmdb_close(&db);
 */
#ifndef HP_RPMDB_H
#define HP_RPMDB_H

#include <rpm/rpmlog.h>
#include <rpm/rpmts.h>

#include "hp_util.h"

struct hp_rpmdb {
	rpmts ts;              /* open read-only; NULL when closed */
	char *root;            /* resolved root, "/" for the host */
	char *dbpath;          /* %_dbpath as rpm expanded it, e.g. "/root/.rpmdb" */
	char *dbdir;           /* <root><dbpath>, the directory named in errors */
	struct hp_strbuf log;  /* rpm's warnings and errors while open */
	rpmlogCallback old_cb; /* restored at close when `capturing` */
	int capturing;
	int pushed;            /* %_dbpath was pushed and must be popped */
};
#define HP_RPMDB_INIT { NULL, NULL, NULL, NULL, HP_STRBUF_INIT, NULL, 0, 0 }

/* Opens the rpmdb of `root` (NULL, "" or "/" = the host) at `dbpath` (NULL
 * = rpm's %_dbpath; relative to the root, as rpm --dbpath). A missing
 * database is an error (rpm would create an empty one). Errors, one line:
 *   "cannot use root '<root>': <strerror>"
 *   "cannot open the rpm database at '<root><dbpath>': <reason>"
 * On error `db` is closed again; on success hp_rpmdb_close must follow. */
int hp_rpmdb_open(struct hp_rpmdb *db, const char *root, const char *dbpath,
		  struct hp_strbuf *err);

/* Calls fn(h, data) for every installed header (rpm owns `h`; it is valid
 * during the call only), stopping when fn returns non-zero, which is then
 * returned; else 0. */
int hp_rpmdb_foreach(struct hp_rpmdb *db, int (*fn)(Header h, void *data), void *data);

/* Closes the database, restores %_dbpath and rpm's log; frees all fields and
 * leaves `db` as HP_RPMDB_INIT. Safe on a closed or never opened `db`. */
void hp_rpmdb_close(struct hp_rpmdb *db);

#endif
