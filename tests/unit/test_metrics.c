/* Metrics: label escaping, the last apply from a real journal (written by
 * hp_journal), and the exposition of refused repositories and of a machine
 * whose rpmdb cannot be read (families present, missing parts named). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp_journal.h"
#include "hp_metrics.h"
#include "testutil.h"

static char tmp[64];

static void setup(void)
{
	hp_test_mkdtemp(tmp, sizeof(tmp), "hp-metrics-test");
}

static void teardown(void)
{
	hp_test_rm_rf(tmp);
}

START_TEST(t_escape)
{
	struct hp_strbuf sb = HP_STRBUF_INIT;

	hp_metrics_escape(&sb, "a\"b\\c\nd");
	ck_assert_str_eq(sb.buf, "a\\\"b\\\\c\\nd");
	hp_strbuf_release(&sb);
}
END_TEST

static void journal_op(struct hp_journal *j, const char *op, const char *pkg, const char *phase)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine_item it = { pkg, "openssl-libs", "3.0.11-1", "/usr/lib/hotpatch/x", NULL,
				     NULL };
	uint64_t seq;

	ck_assert_int_eq(hp_journal_intent(j, op, "hptest", &it, &seq, &err), 0);
	if (phase)
		ck_assert_int_eq(hp_journal_result(j, seq, phase, NULL, &err), 0);
	hp_strbuf_release(&err);
}

START_TEST(t_last_apply)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *dir = hp_xasprintf("%s/journal", tmp);
	struct hp_last_apply la;
	struct hp_journal *j;

	/* No journal at all: nothing found, no error, nothing created. */
	ck_assert_int_eq(hp_last_apply_read(dir, &la, &err), 0);
	ck_assert_int_eq(la.found, 0);
	ck_assert_int_eq(access(dir, F_OK), -1);
	hp_last_apply_release(&la);

	j = hp_journal_open(dir, &err);
	ck_assert_ptr_nonnull(j);
	journal_op(j, "apply", "hp-a-1-1.x86_64", "done");
	ck_assert_int_eq(hp_last_apply_read(dir, &la, &err), 0);
	ck_assert_int_eq(la.found, 1);
	ck_assert_str_eq(la.result, "success");
	ck_assert_str_eq(la.package, "hp-a-1-1.x86_64");
	ck_assert_int_gt(la.time, 0);
	hp_last_apply_release(&la);

	/* A later failed apply wins; a later revert and a pending intent do not
	 * count as applies. */
	journal_op(j, "apply", "hp-b-1-1.x86_64", "failed");
	journal_op(j, "revert", "hp-a-1-1.x86_64", "done");
	journal_op(j, "apply", "hp-c-1-1.x86_64", NULL);
	ck_assert_int_eq(hp_last_apply_read(dir, &la, &err), 0);
	ck_assert_int_eq(la.found, 1);
	ck_assert_str_eq(la.result, "failed");
	ck_assert_str_eq(la.phase, "failed");
	ck_assert_str_eq(la.package, "hp-b-1-1.x86_64");
	hp_last_apply_release(&la);
	hp_journal_close(j);
	free(dir);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_render_partial)
{
	struct hp_strbuf out = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
	struct hp_strvec notes = HP_STRVEC_INIT;
	struct hp_resolution res;
	struct hp_running run = { "openssl-libs", "3.0.11-1", NULL, 0 };
	struct hp_meta meta;
	struct hp_metrics_repo repos[2];
	struct hp_metrics_input in;
	char *root = hp_xasprintf("%s/no-such-root", tmp);

	hp_resolution_init(&res);
	memset(&meta, 0, sizeof(meta));
	meta.revision = 7;
	meta.generated = 1790000000;
	meta.expires = 0;
	memset(repos, 0, sizeof(repos));
	repos[0].id = "ok";
	repos[0].meta = &meta;
	repos[1].id = "we\"ird";
	repos[1].error = "cannot read it";
	memset(&in, 0, sizeof(in));
	in.root = root;
	in.running = &run;
	in.nr_running = 1;
	in.res = &res;
	in.repos = repos;
	in.nr_repos = 2;
	ck_assert_int_eq(hp_metrics_render(&in, &out, &notes, &err), 0);
	/* Every family is declared, even when its samples are missing. */
	ck_assert_ptr_nonnull(strstr(out.buf, "# TYPE hotpatch_live gauge\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "# TYPE hotpatch_last_apply_success gauge\n"));
	ck_assert_ptr_nonnull(strstr(out.buf,
		"hotpatch_available{component=\"openssl-libs\",build=\"3.0.11-1\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "hotpatch_repo_up{repo=\"ok\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "hotpatch_repo_up{repo=\"we\\\"ird\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(out.buf,
		"hotpatch_metadata_expiry_timestamp_seconds{repo=\"ok\"} +Inf\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "hotpatch_metadata_revision{repo=\"ok\"} 7\n"));
	ck_assert_ptr_null(strstr(out.buf, "hotpatch_live{"));
	/* The missing parts are named: the rpmdb and the refused repo. */
	ck_assert_uint_ge(notes.nr, 2);
	ck_assert_ptr_nonnull(strstr(notes.v[0], "hotpatch_live missing"));
	ck_assert_ptr_nonnull(strstr(notes.v[notes.nr - 1], "repository 'we\"ird' not read"));
	hp_resolution_release(&res);
	hp_strvec_release(&notes);
	hp_strbuf_release(&out);
	hp_strbuf_release(&err);
	free(root);
}
END_TEST

START_TEST(t_textfile)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *path = hp_xasprintf("%s/%s", tmp, HP_METRICS_TEXTFILE);
	char *missing = hp_xasprintf("%s/none", tmp);
	struct stat st;

	ck_assert_int_eq(hp_metrics_write_textfile(tmp, "a 1\n", 4, &err), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(st.st_size, 4);
	ck_assert_int_eq(hp_metrics_write_textfile(missing, "a 1\n", 4, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.buf, missing));
	free(path);
	free(missing);
	hp_strbuf_release(&err);
}
END_TEST

Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_escape);
	tcase_add_test(tc, t_last_apply);
	tcase_add_test(tc, t_render_partial);
	tcase_add_test(tc, t_textfile);
	suite_add_tcase(s, tc);
	return s;
}
