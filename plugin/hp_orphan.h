/* Orphans and foreign live patches (plugin/orphan.c). */
#ifndef HP_ORPHAN_H
#define HP_ORPHAN_H

#include <stddef.h>

#include "hp_engine.h"
#include "hp_installed.h"
#include "hp_util.h"

/* A patch an engine reports live now is
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

#endif
