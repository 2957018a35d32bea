/* State journal: records, pending intents after a real crash (a child that
 * _exits between intent and result), a torn last line, and recovery that
 * asks real (exec) engines what is live. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hp_journal.h"
#include "testutil.h"

static char tmp[64];
static char *dir;

static void setup(void)
{
	hp_test_mkdtemp(tmp, sizeof(tmp), "hp-journal-test");
	dir = hp_xasprintf("%s/var/lib/hotpatch/journal", tmp);
}

static void teardown(void)
{
	hp_test_rm_rf(tmp);
	free(dir);
}

static const struct hp_engine_item item = {
	"kernel-hotpatch-6.1.0_57-2-1.x86_64", "kernel-core", "6.1.0-57",
	"/usr/lib/hotpatch/kernel-core/6.1.0-57/livepatch_cmdline_v2.ko", NULL, NULL
};

START_TEST(t_intent_result)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_journal *j = hp_journal_open(dir, &err);
	struct hp_journal_entry *v;
	size_t nr;
	uint64_t s1, s2;
	char *def = hp_journal_default_dir("/x");

	ck_assert_str_eq(def, "/x/var/lib/hotpatch/journal");
	free(def);
	ck_assert_msg(j != NULL, "%s", err.buf);
	ck_assert_int_eq(hp_journal_intent(j, "apply", "klp", &item, &s1, &err), 0);
	ck_assert_uint_eq(s1, 1);
	ck_assert_int_eq(hp_journal_pending(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 1);
	hp_journal_entries_free(v, nr);
	ck_assert_int_eq(hp_journal_result(j, s1, "done", NULL, &err), 0);
	ck_assert_int_eq(hp_journal_intent(j, "revert", "klp", &item, &s2, &err), 0);
	ck_assert_uint_eq(s2, 2);
	ck_assert_int_eq(hp_journal_result(j, s2, "failed", "klp: stalled", &err), 0);
	ck_assert_int_eq(hp_journal_result(j, 99, "done", NULL, &err), -1);
	ck_assert_msg(strstr(err.buf, "no intent with seq 99"), "%s", err.buf);
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_journal_result(j, s2, "maybe", NULL, &err), -1);
	ck_assert_int_eq(hp_journal_intent(j, "rm", "klp", &item, &s2, &err), -1);
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_journal_pending(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 0);
	free(v);
	hp_journal_close(j);

	/* Reopened: the history is there and numbering continues. */
	j = hp_journal_open(dir, &err);
	ck_assert_int_eq(hp_journal_read(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 4);
	ck_assert_str_eq(v[0].phase, "intent");
	ck_assert_str_eq(v[0].op, "apply");
	ck_assert_str_eq(v[0].package, item.package);
	ck_assert_str_eq(v[0].engine, "klp");
	ck_assert_str_eq(v[0].payload, item.payload);
	ck_assert_ptr_null(v[0].detail);
	ck_assert_str_eq(v[3].phase, "failed");
	ck_assert_str_eq(v[3].op, "revert");
	ck_assert_str_eq(v[3].detail, "klp: stalled");
	ck_assert_int_gt(v[3].time, 1700000000);
	hp_journal_entries_free(v, nr);
	ck_assert_int_eq(hp_journal_intent(j, "apply", "klp", &item, &s1, &err), 0);
	ck_assert_uint_eq(s1, 3);
	hp_journal_close(j);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_crash_pending)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_journal *j;
	struct hp_journal_entry *v;
	size_t nr;
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		uint64_t seq;
		struct hp_journal *cj = hp_journal_open(dir, &err);
		if (!cj || hp_journal_intent(cj, "apply", "klp", &item, &seq, &err))
			_exit(1);
		_exit(0); /* "crash" between the intent and the result */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	j = hp_journal_open(dir, &err);
	ck_assert_msg(j != NULL, "%s", err.buf);
	ck_assert_int_eq(hp_journal_pending(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 1);
	ck_assert_uint_eq(v[0].seq, 1);
	ck_assert_str_eq(v[0].package, item.package);
	ck_assert_str_eq(v[0].component, "kernel-core");
	ck_assert_str_eq(v[0].build, "6.1.0-57");
	hp_journal_entries_free(v, nr);
	hp_journal_close(j);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_torn_line)
{
	struct hp_strbuf err = HP_STRBUF_INIT, sb = HP_STRBUF_INIT;
	struct hp_journal *j = hp_journal_open(dir, &err);
	struct hp_journal_entry *v;
	size_t nr;
	uint64_t seq;
	int fd;

	ck_assert_int_eq(hp_journal_intent(j, "apply", "klp", &item, &seq, &err), 0);
	fd = open(hp_journal_path(j), O_WRONLY | O_APPEND);
	/* The crash hit in the middle of writing intent 2. */
	ck_assert_int_eq(write(fd, "{\"seq\":2,\"time\":17644", 21), 21);
	close(fd);
	hp_journal_close(j);

	j = hp_journal_open(dir, &err);
	ck_assert_msg(j != NULL, "%s", err.buf);
	ck_assert_int_eq(hp_journal_pending(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 1);
	ck_assert_uint_eq(v[0].seq, 1);
	hp_journal_entries_free(v, nr);
	/* The next record is a line of its own, not glued to the torn one. */
	ck_assert_int_eq(hp_journal_result(j, 1, "done", NULL, &err), 0);
	ck_assert_int_eq(hp_journal_read(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 2);
	ck_assert_str_eq(v[1].phase, "done");
	hp_journal_entries_free(v, nr);
	ck_assert_int_eq(hp_read_file(hp_journal_path(j), &sb, &err), 0);
	ck_assert_msg(strstr(sb.buf, "\"time\":17644\n{\"seq\":1,"), "%s", sb.buf);
	hp_journal_close(j);
	hp_strbuf_release(&sb);
	hp_strbuf_release(&err);
}
END_TEST

/* Recovery asks the engine: one exec engine says live, one says not. */
START_TEST(t_recover)
{
	struct hp_strbuf err = HP_STRBUF_INIT, report = HP_STRBUF_INIT;
	struct hp_engine_config cfg = { 0 };
	char *confdir = hp_xasprintf("%s/engines.d", tmp), *p;
	struct hp_journal *j;
	struct hp_journal_entry *v;
	size_t nr;
	uint64_t seq;
	struct hp_engine_item other = item;
	static const char yes[] = "apply = /bin/true\nrevert = /bin/true\nis_live = /bin/true {package}\n";
	static const char no[] = "apply = /bin/true\nrevert = /bin/true\nis_live = /bin/false\n";

	ck_assert_int_eq(hp_mkdir_p(confdir, 0755, &err), 0);
	p = hp_xasprintf("%s/yes.conf", confdir);
	ck_assert_int_eq(hp_write_file_atomic(p, yes, strlen(yes), 0644, &err), 0);
	free(p);
	p = hp_xasprintf("%s/no.conf", confdir);
	ck_assert_int_eq(hp_write_file_atomic(p, no, strlen(no), 0644, &err), 0);
	free(p);
	cfg.exec_conf_dir = confdir;

	j = hp_journal_open(dir, &err);
	ck_assert_int_eq(hp_journal_intent(j, "apply", "yes", &item, &seq, &err), 0);
	other.package = "b-1-1.x86_64";
	ck_assert_int_eq(hp_journal_intent(j, "apply", "no", &other, &seq, &err), 0);
	other.package = "c-1-1.x86_64";
	ck_assert_int_eq(hp_journal_intent(j, "apply", "gone", &other, &seq, &err), 0);
	ck_assert_int_eq(hp_journal_intent(j, "apply", "no", &other, &seq, &err), 0);
	ck_assert_int_eq(hp_journal_result(j, seq, "done", NULL, &err), 0);
	ck_assert_uint_eq(err.len, 0);

	ck_assert_int_eq(hp_journal_recover(j, &cfg, &report, &err), -1);
	ck_assert_msg(strstr(err.buf, "cannot recover apply of c-1-1.x86_64 (seq 3): unknown engine "
				      "'gone'"), "%s", err.buf);
	ck_assert_msg(strstr(report.buf, "apply of kernel-hotpatch-6.1.0_57-2-1.x86_64 (seq 1) was "
					 "interrupted; recovered: live\n"), "%s", report.buf);
	ck_assert_msg(strstr(report.buf, "(seq 2) was interrupted; recovered: not live\n"), "%s",
		      report.buf);
	ck_assert_int_eq(hp_journal_read(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 7);
	ck_assert_str_eq(v[5].phase, "recovered");
	ck_assert_str_eq(v[5].detail, "live");
	ck_assert_str_eq(v[5].package, item.package);
	ck_assert_str_eq(v[6].detail, "not live");
	hp_journal_entries_free(v, nr);
	/* Only the intent whose engine could not answer stays pending. */
	ck_assert_int_eq(hp_journal_pending(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 1);
	ck_assert_uint_eq(v[0].seq, 3);
	hp_journal_entries_free(v, nr);
	hp_journal_close(j);
	free(confdir);
	hp_strbuf_release(&report);
	hp_strbuf_release(&err);
}
END_TEST

/* The journaled engine call, with real exec engines. */
START_TEST(t_engine_op)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine_config cfg = { 0 };
	char *confdir = hp_xasprintf("%s/engines.d", tmp), *p;
	static const char ok[] = "apply = /bin/true\nrevert = /bin/true\n";
	static const char bad[] = "apply = /bin/false\nrevert = /bin/true\nis_live = /bin/false\n";
	struct hp_engine *e1, *e2;
	struct hp_journal *j;
	struct hp_journal_entry *v;
	size_t nr;

	ck_assert_int_eq(hp_mkdir_p(confdir, 0755, &err), 0);
	p = hp_xasprintf("%s/ok.conf", confdir);
	ck_assert_int_eq(hp_write_file_atomic(p, ok, strlen(ok), 0644, &err), 0);
	free(p);
	p = hp_xasprintf("%s/bad.conf", confdir);
	ck_assert_int_eq(hp_write_file_atomic(p, bad, strlen(bad), 0644, &err), 0);
	free(p);
	cfg.exec_conf_dir = confdir;
	cfg.root_dir = tmp;
	e1 = hp_engine_get("ok", &cfg, &err);
	e2 = hp_engine_get("bad", &cfg, &err);
	ck_assert_msg(e1 && e2, "%s", err.buf);
	j = hp_journal_open(dir, &err);
	ck_assert_int_eq(hp_journal_engine_op(j, e1, "apply", &item, &err), 0);
	ck_assert_int_eq(hp_journal_engine_op(j, e1, "revert", &item, &err), 0);
	ck_assert_int_eq(hp_journal_engine_op(j, e2, "apply", &item, &err), -1);
	ck_assert_msg(strstr(err.buf, "exited with status 1") && strstr(err.buf, "(live now: no)"),
		      "%s", err.buf);
	ck_assert_int_eq(hp_journal_read(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 6);
	ck_assert_str_eq(v[1].phase, "done");
	ck_assert_str_eq(v[2].op, "revert");
	ck_assert_str_eq(v[4].engine, "bad");
	ck_assert_str_eq(v[5].phase, "failed");
	ck_assert_msg(strstr(v[5].detail, "(live now: no)"), "%s", v[5].detail);
	hp_journal_entries_free(v, nr);
	ck_assert_int_eq(hp_journal_pending(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 0);
	free(v);
	hp_journal_close(j);
	hp_engine_free(e1);
	hp_engine_free(e2);
	free(confdir);
	hp_strbuf_release(&err);
}
END_TEST

/* A run that writes no record leaves nothing on disk: the journal (and its
 * directory) appear with the first record. */
START_TEST(t_lazy_create)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_journal *j = hp_journal_open(dir, &err);
	struct hp_journal_entry *v;
	char *parent = hp_xasprintf("%s/var", tmp);
	size_t nr = 1;
	uint64_t seq;

	ck_assert_msg(j != NULL, "%s", err.buf);
	ck_assert(!hp_test_exists(parent));
	ck_assert_int_eq(hp_journal_read(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 0);
	free(v);
	ck_assert_int_eq(hp_journal_pending(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 0);
	free(v);
	ck_assert_int_eq(hp_journal_recover(j, NULL, NULL, &err), 0);
	hp_journal_close(j);
	ck_assert(!hp_test_exists(parent));

	j = hp_journal_open(dir, &err);
	ck_assert_msg(j != NULL, "%s", err.buf);
	ck_assert_int_eq(hp_journal_intent(j, "apply", "klp", &item, &seq, &err), 0);
	ck_assert_uint_eq(seq, 1);
	ck_assert(hp_test_exists(hp_journal_path(j)));
	ck_assert_int_eq(hp_journal_read(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 1);
	hp_journal_entries_free(v, nr);
	hp_journal_close(j);
	free(parent);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_open_error)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *f = hp_xasprintf("%s/file", tmp), *d = hp_xasprintf("%s/file/journal", tmp);

	ck_assert_int_eq(hp_write_file_atomic(f, "x", 1, 0644, &err), 0);
	ck_assert_ptr_null(hp_journal_open(d, &err));
	ck_assert_msg(strstr(err.buf, "Not a directory"), "%s", err.buf);
	free(f);
	free(d);
	hp_strbuf_release(&err);
}
END_TEST

Suite *journal_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *tc = tcase_create("journal");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_intent_result);
	tcase_add_test(tc, t_crash_pending);
	tcase_add_test(tc, t_torn_line);
	tcase_add_test(tc, t_lazy_create);
	tcase_add_test(tc, t_recover);
	tcase_add_test(tc, t_engine_op);
	tcase_add_test(tc, t_open_error);
	suite_add_tcase(s, tc);
	return s;
}
