/* The state journal: what hotpatch runs asked engines to do, and how it went.
 *
 * <dir>/journal.jsonl, one JSON object per line, appended and fsync'ed per
 * record (docs/engines.md has the format):
 *   {"seq":7,"time":1764444000,"op":"apply","package":"kpatch-...","engine":"klp",
 *    "component":"kernel-core","build":"6.1.0-57","payload":"/usr/lib/hotpatch/...",
 *    "live_name":"livepatch_cmdline_v2","phase":"intent","detail":null}
 * live_name (the item's, when the caller set it) is what lets a later run
 * find and revert a patch whose package was erased while live (orphan.c).
 * An intent is written BEFORE the engine call; the result (same seq, phase
 * done|failed|reversed|recovered) after it. An intent without a result is a
 * run that crashed midway: the next run asks the engine what is live now and
 * records "recovered" with detail "live" / "not live" -- the journal is
 * history, never the source of truth for live state (DESIGN.md safety rules).
 *
 * A line cut short by a crash mid-write is ignored when reading, and the next
 * record starts on a new line. One writer at a time: hold the hp_lock. */
#ifndef HP_JOURNAL_H
#define HP_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "hp_engine.h"
#include "hp_util.h"

/* One record. Owns its strings (NULL when absent). */
struct hp_journal_entry {
	uint64_t seq;
	int64_t time;       /* seconds since the epoch */
	char *op;           /* "apply" | "revert" */
	char *package, *engine, *component, *build, *payload;
	char *live_name;    /* the engine's name for it (klp: module); NULL in records
			     * written before it was recorded */
	char *phase;        /* "intent" | "done" | "failed" | "reversed" | "recovered" */
	char *detail;
};

void hp_journal_entry_release(struct hp_journal_entry *e);
/* Releases `nr` entries and frees the array. */
void hp_journal_entries_free(struct hp_journal_entry *v, size_t nr);

struct hp_journal;

/* <root>/var/lib/hotpatch/journal (root NULL or "/" = the system). Malloc'd,
 * caller frees. */
char *hp_journal_default_dir(const char *root);

/* Opens the journal in `dir`. A missing file (or `dir`) is an empty
 * journal: both are created by the first record written, so a run that
 * records nothing leaves nothing on disk. Returns NULL with `err` on
 * failure; free with hp_journal_close. */
struct hp_journal *hp_journal_open(const char *dir, struct hp_strbuf *err);
void hp_journal_close(struct hp_journal *j);   /* NULL is fine */
/* The journal file's path (owned by `j`). */
const char *hp_journal_path(const struct hp_journal *j);

/* Records the intent to run `op` ("apply" / "revert") for `it` with engine
 * `engine`; durable (fsync) when it returns 0. *seq receives the record's
 * number for hp_journal_result. */
int hp_journal_intent(struct hp_journal *j, const char *op, const char *engine,
		      const struct hp_engine_item *it, uint64_t *seq, struct hp_strbuf *err);
/* Records the result of intent `seq`: phase "done", "failed", "reversed" or
 * "recovered"; `detail` may be NULL (copied into the record). */
int hp_journal_result(struct hp_journal *j, uint64_t seq, const char *phase, const char *detail,
		      struct hp_strbuf *err);

/* The journaled engine call: records the intent, runs hp_engine_apply or
 * hp_engine_revert (op "apply" / "revert") for `it`, records the result --
 * "done", or "failed" with the engine's message and whether the package is
 * live now (asked from the engine, as it may have been reversed) -- and
 * returns 0 or -1 with the engine's message in `err`. An error writing the
 * intent stops before the engine runs. ("reversed" is for callers that undo
 * an earlier, successful op, e.g. the rest of a failed batch.) */
int hp_journal_engine_op(struct hp_journal *j, struct hp_engine *e, const char *op,
			 const struct hp_engine_item *it, struct hp_strbuf *err);

/* Every well-formed record in file order. *out: malloc'd, free with
 * hp_journal_entries_free. */
int hp_journal_read(struct hp_journal *j, struct hp_journal_entry **out, size_t *nr,
		    struct hp_strbuf *err);
/* The intents that have no result (a crash between intent and result): the
 * most recent 64 in the journal's tail (the last 2 MiB; see journal.c). */
int hp_journal_pending(struct hp_journal *j, struct hp_journal_entry **out, size_t *nr,
		       struct hp_strbuf *err);

/* For each pending intent: asks its engine (hp_engine_get(entry->engine,
 * cfg)) whether the package is live now and records phase "recovered" with
 * detail "live" or "not live". Appends one human line per recovered intent
 * to `report` (may be NULL). An intent whose engine cannot answer stays
 * pending and is named in `err`; returns -1 then, after handling the rest. */
int hp_journal_recover(struct hp_journal *j, const struct hp_engine_config *cfg,
		       struct hp_strbuf *report, struct hp_strbuf *err);

#endif
