/* The system log of engine steps; see hp_syslog.h. */
#include "hp_syslog.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>

#include <systemd/sd-journal.h>

#include "hp_util.h"

#define SYSTEMD_SONAME "libsystemd.so.0"
/* Where journald listens; sd_journal_sendv reports success when it is
 * missing ("journal not available" is silent there), so it is looked at
 * here first. */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* sd_journal_sendv, typed from <systemd/sd-journal.h>; resolved once. The
 * library stays loaded until exit. */
static __typeof__(sd_journal_sendv) *journal_sendv;
static int journal_tried;

static void load_journal(void)
{
	void *h;

	if (journal_tried)
		return;
	journal_tried = 1;
	h = dlopen(SYSTEMD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return;
	journal_sendv = (__typeof__(journal_sendv))dlsym(h, "sd_journal_sendv");
	if (!journal_sendv)
		dlclose(h);
}

static const char *event_word(enum hp_syslog_event ev)
{
	switch (ev) {
	case HP_SYSLOG_REVERT:
		return "revert";
	case HP_SYSLOG_REAPPLY:
		return "reapply";
	case HP_SYSLOG_ORPHAN_REVERT:
		return "orphan-revert";
	default:
		return "apply";
	}
}

static const char *event_id(enum hp_syslog_event ev)
{
	switch (ev) {
	case HP_SYSLOG_REVERT:
		return HP_SYSLOG_ID_REVERT;
	case HP_SYSLOG_REAPPLY:
		return HP_SYSLOG_ID_REAPPLY;
	case HP_SYSLOG_ORPHAN_REVERT:
		return HP_SYSLOG_ID_ORPHAN_REVERT;
	default:
		return HP_SYSLOG_ID_APPLY;
	}
}

/* What happened, as `hotpatch apply` words it on its own output. */
static const char *event_text(enum hp_syslog_event ev, int ok)
{
	switch (ev) {
	case HP_SYSLOG_REVERT:
		return ok ? "reverted, not live now" : "revert FAILED";
	case HP_SYSLOG_REAPPLY:
		return ok ? "re-applied, live now" : "re-apply FAILED";
	case HP_SYSLOG_ORPHAN_REVERT:
		return ok ? "orphan (package no longer installed) reverted, not live now"
			  : "revert of orphan (package no longer installed) FAILED";
	default:
		return ok ? "applied, live now" : "apply FAILED";
	}
}

char *hp_syslog_message(const struct hp_syslog_record *r)
{
	struct hp_strbuf sb = HP_STRBUF_INIT;
	char *reason = r->ok ? NULL : hp_oneline(r->error);

	hp_strbuf_addf(&sb, "%s: %s", r->package ? r->package : "(unknown package)",
		       event_text(r->event, r->ok));
	if (r->engine)
		hp_strbuf_addf(&sb, " (engine %s%s%s)", r->engine, r->live_name ? ", live name " : "",
			       r->live_name ? r->live_name : "");
	if (reason && *reason)
		hp_strbuf_addf(&sb, ": %s", reason);
	free(reason);
	return hp_strbuf_detach(&sb);
}

/* Appends "KEY=value" to `f` when `value` is set. */
static void field(struct hp_strvec *f, const char *key, const char *value)
{
	if (value)
		hp_strvec_pushf(f, "%s=%s", key, value);
}

enum hp_syslog_sink hp_syslog_log(const struct hp_syslog_record *r)
{
	struct hp_strvec f = HP_STRVEC_INIT;
	char *msg = hp_syslog_message(r);
	enum hp_syslog_sink sink = HP_SYSLOG_SINK_SYSLOG;
	int prio = r->ok ? LOG_INFO : LOG_ERR;
	struct stat st;

	load_journal();
	if (journal_sendv && !stat(JOURNAL_SOCKET, &st) && S_ISSOCK(st.st_mode)) {
		struct iovec *iov;

		field(&f, "MESSAGE", msg);
		field(&f, "MESSAGE_ID", event_id(r->event));
		hp_strvec_pushf(&f, "PRIORITY=%d", prio);
		field(&f, "SYSLOG_IDENTIFIER", "hotpatch");
		hp_strvec_pushf(&f, "SYSLOG_FACILITY=%d", LOG_DAEMON >> 3);
		field(&f, "HOTPATCH_EVENT", event_word(r->event));
		field(&f, "PACKAGE", r->package);
		field(&f, "ENGINE", r->engine);
		field(&f, "LIVE_NAME", r->live_name);
		field(&f, "COMPONENT", r->component);
		field(&f, "BUILD", r->build);
		field(&f, "RESULT", r->ok ? "done" : "failed");
		if (!r->ok)
			field(&f, "ERROR", r->error && *r->error ? r->error : "unknown error");
		iov = hp_xcalloc(f.nr, sizeof(*iov));
		for (size_t i = 0; i < f.nr; i++) {
			iov[i].iov_base = f.v[i];
			iov[i].iov_len = strlen(f.v[i]);
		}
		/* < 0: journald is gone (or refused it): syslog instead. */
		if (journal_sendv(iov, (int)f.nr) >= 0)
			sink = HP_SYSLOG_SINK_JOURNAL;
		free(iov);
	}
	if (sink == HP_SYSLOG_SINK_SYSLOG) {
		openlog("hotpatch", LOG_PID, LOG_DAEMON);
		syslog(prio, "%s", msg);
		closelog();
	}
	hp_strvec_release(&f);
	free(msg);
	return sink;
}
