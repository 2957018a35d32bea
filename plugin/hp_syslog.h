/* The system log: one record per live-patch engine step, for admins.
 *
 * Every apply, revert, boot re-apply and orphan revert that reached an
 * engine is logged once, after the engine answered, so that
 * `journalctl -t hotpatch` shows what was made live, reverted or re-applied
 * at boot, and when. The state journal (hp_journal.h) is hotpatch's own
 * crash-recovery record; this is the admin's history, in the system's log.
 *
 * Where: systemd's journal, natively (sd_journal_sendv of libsystemd.so.0,
 * dlopen'ed on the first record, so that commands that log nothing never
 * load it), with these fields:
 *   MESSAGE            one line, e.g. "hp-ssl-1-1.x86_64: applied, live now
 *                      (engine ulp, live name hp-ssl-1-1.x86_64)"
 *   MESSAGE_ID         one per event (HP_SYSLOG_ID_* below)
 *   PRIORITY           6 (info) on success, 3 (err) on failure
 *   SYSLOG_IDENTIFIER  hotpatch
 *   SYSLOG_FACILITY    3 (daemon)
 *   HOTPATCH_EVENT     apply | revert | reapply | orphan-revert
 *   PACKAGE            the hotpatch package's NEVRA
 *   ENGINE             klp | kpatch | <exec engine name>
 *   LIVE_NAME          the engine's name for the live patch (klp: module)
 *   COMPONENT, BUILD   the build it patches (when known)
 *   RESULT             done | failed
 *   ERROR              the engine's reason (failures only)
 * When libsystemd cannot be loaded, or the journal's socket
 * (/run/systemd/journal/socket) is missing or does not take the record (no
 * journald on this machine), the same MESSAGE goes to syslog(3) instead
 * (identifier "hotpatch", facility daemon, with the pid).
 *
 * Logging is best effort: it never fails or delays the operation it
 * records (a full or missing log is not a reason to leave a patch
 * unapplied), and nothing is printed. */
#ifndef HP_SYSLOG_H
#define HP_SYSLOG_H

/* MESSAGE_IDs (journalctl MESSAGE_ID=...): stable, part of the contract. */
#define HP_SYSLOG_ID_APPLY "e39e354253b949ab9d96647a474e0af6"
#define HP_SYSLOG_ID_REVERT "82b206c718384e58a3a4a9e2d5fd6985"
#define HP_SYSLOG_ID_REAPPLY "413c94ec6c0049bbb4e92dc8bf1ab5b1"
#define HP_SYSLOG_ID_ORPHAN_REVERT "41a9a644e8ec446ca5a4c6c8a13747d6"

enum hp_syslog_event {
	HP_SYSLOG_APPLY,          /* hotpatch apply (and dnf's apply after a transaction) */
	HP_SYSLOG_REVERT,         /* hotpatch revert of an installed package */
	HP_SYSLOG_REAPPLY,        /* hotpatch reapply (boot) */
	HP_SYSLOG_ORPHAN_REVERT,  /* revert of a live patch whose package is gone */
};

/* One engine step. Nothing is owned; every string but `package` may be NULL. */
struct hp_syslog_record {
	enum hp_syslog_event event;
	const char *package;      /* NEVRA */
	const char *engine;
	const char *live_name;
	const char *component, *build;
	int ok;                   /* 1: the engine did it; 0: it failed */
	const char *error;        /* the engine's reason when !ok */
};

enum hp_syslog_sink { HP_SYSLOG_SINK_JOURNAL, HP_SYSLOG_SINK_SYSLOG };

/* The MESSAGE text of `r`: malloc'd, caller frees. */
char *hp_syslog_message(const struct hp_syslog_record *r);

/* Logs `r` (see above). Returns where it went. */
enum hp_syslog_sink hp_syslog_log(const struct hp_syslog_record *r);

#endif
