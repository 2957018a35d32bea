/* Fleet monitoring: the machine's hotpatch state as Prometheus text
 * exposition (format 0.0.4, what node_exporter's textfile collector and the
 * official parsers read), and the last apply run from the state journal.
 *
 * The caller (the command layer) gathers what it has -- running builds and
 * the resolution, the per-repository load results, the reboot decision --
 * and this module adds what it reads itself (installed hotpatch packages
 * from the rpmdb, their live state from the engines, the journal) and
 * renders it. Parts that cannot be read are left out of the exposition and
 * named in `notes`; the families that depend on repositories are then
 * incomplete, which hotpatch_repo_up{repo} 0 says in the data itself. */
#ifndef HP_METRICS_H
#define HP_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hp_meta.h"
#include "hp_resolve.h"
#include "hp_util.h"

/* The last journaled apply attempt (op "apply" with a result). */
struct hp_last_apply {
	int found;          /* 0: the journal records no apply result */
	int64_t time;       /* seconds since the epoch, of the result record */
	char *package;      /* NEVRA (owned) */
	char *result;       /* "success" | "failed" (static) */
	char *phase;        /* the journal's phase: done, failed, reversed, recovered (owned) */
};

void hp_last_apply_release(struct hp_last_apply *a);

/* Reads the journal in `journal_dir` (a missing one is an empty journal)
 * into *out: the last result record of an "apply" intent. "done" and
 * "recovered" with detail "live" count as success; "failed", "reversed" and
 * "recovered" with "not live" as failure. Returns 0 or -1 with `err`. */
int hp_last_apply_read(const char *journal_dir, struct hp_last_apply *out, struct hp_strbuf *err);

/* One repository as loaded for this run. */
struct hp_metrics_repo {
	const char *id;
	const char *error;          /* why it was refused, NULL when it loaded */
	const struct hp_meta *meta; /* its hotpatch metadata, NULL when none or refused */
};

struct hp_metrics_input {
	const char *root;                   /* NULL = "/" */
	const char *dbpath;                 /* NULL = %_dbpath */
	const char *kernel_release;         /* uname -r (klp); NULL = the host's */
	const struct hp_running *running;   /* the running builds */
	size_t nr_running;
	const struct hp_resolution *res;    /* available, held back, baseline */
	const struct hp_metrics_repo *repos;
	size_t nr_repos;
	int reboot_newer_build;             /* the needs-reboot decision (1 = reboot needed) */
	const char *journal_dir;            /* NULL = hp_journal_default_dir(root) */
};

/* Renders the exposition into `out` (appended). Families whose input could
 * not be read are left out, with one line per missing part in `notes`.
 * Returns 0; -1 only when nothing sensible can be written (err). */
int hp_metrics_render(const struct hp_metrics_input *in, struct hp_strbuf *out,
		      struct hp_strvec *notes, struct hp_strbuf *err);

/* Appends `s` to `out` escaped as a label value (backslash, double quote
 * and newline, as the exposition format requires). */
void hp_metrics_escape(struct hp_strbuf *out, const char *s);

/* Writes `text` as <dir>/hotpatch.prom for node_exporter's textfile
 * collector: temp file in `dir`, fsync, rename, fsync of `dir` (the
 * collector never reads a half-written file), mode 0644. `dir` must exist. */
int hp_metrics_write_textfile(const char *dir, const char *text, size_t len,
			      struct hp_strbuf *err);

#define HP_METRICS_TEXTFILE "hotpatch.prom"

#endif
