/* The system log's message text (the MESSAGE field and the syslog(3) line);
 * the records themselves are read back from a real journald by
 * tests/integration/t6000-system-log.sh. */
#include <check.h>
#include <stdlib.h>

#include "hp_syslog.h"

static void expect(const struct hp_syslog_record *r, const char *want)
{
	char *m = hp_syslog_message(r);

	ck_assert_str_eq(m, want);
	free(m);
}

START_TEST(t_events)
{
	struct hp_syslog_record r = { HP_SYSLOG_APPLY, "kpatch-x-2-1.x86_64", "klp", "livepatch_x",
				      "kernel-core", "6.1.0-57", 1, NULL };

	expect(&r, "kpatch-x-2-1.x86_64: applied, live now (engine klp, live name livepatch_x)");
	r.event = HP_SYSLOG_REVERT;
	expect(&r, "kpatch-x-2-1.x86_64: reverted, not live now (engine klp, live name livepatch_x)");
	r.event = HP_SYSLOG_REAPPLY;
	expect(&r, "kpatch-x-2-1.x86_64: re-applied, live now (engine klp, live name livepatch_x)");
	r.event = HP_SYSLOG_ORPHAN_REVERT;
	expect(&r, "kpatch-x-2-1.x86_64: orphan (package no longer installed) reverted, not live now "
		   "(engine klp, live name livepatch_x)");
}
END_TEST

/* A failure carries the engine's reason on the same line (a multi-line
 * message is flattened: one log line per step); absent names are left out. */
START_TEST(t_failure_and_missing_fields)
{
	struct hp_syslog_record r = { HP_SYSLOG_APPLY, "ulp-fix-1-1.x86_64", "ulp", NULL, NULL, NULL, 0,
				      "'/usr/bin/ulp' exited with status 1\n  no such process" };

	expect(&r, "ulp-fix-1-1.x86_64: apply FAILED (engine ulp): '/usr/bin/ulp' exited with status 1 "
		   "no such process");
	r.error = NULL;
	r.engine = NULL;
	r.package = NULL;
	expect(&r, "(unknown package): apply FAILED");
}
END_TEST

Suite *syslog_suite(void)
{
	Suite *s = suite_create("syslog");
	TCase *tc = tcase_create("syslog");

	tcase_add_test(tc, t_events);
	tcase_add_test(tc, t_failure_and_missing_fields);
	suite_add_tcase(s, tc);
	return s;
}
