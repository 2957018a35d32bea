/* Issue 11's local-file rules and record fields, module by module: readers
 * take regular files only (a FIFO is refused at once, never waited on; a
 * device such as /dev/zero is refused before a byte is read), caps apply
 * while reading, trusted number records are refused when they are symlinks,
 * and the repository name signed into a record round-trips and is checked. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hp_engine.h"
#include "hp_journal.h"
#include "hp_meta.h"
#include "hp_repomd.h"
#include "hp_xmlguard.h"
#include "hp_util.h"
#include "testutil.h"

static char dir[64];

static void setup(void)
{
	hp_test_mkdtemp(dir, sizeof(dir), "hp-harden");
}

static void teardown(void)
{
	hp_test_rm_rf(dir);
}

START_TEST(test_regular_files_only)
{
	struct hp_strbuf out = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
	char *fifo = hp_path_join(dir, "fifo"), *want;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(hp_read_file(fifo, &out, &err), -1);
	want = hp_xasprintf("cannot read '%s': not a regular file", fifo);
	ck_assert_str_eq(err.buf, want);
	free(want);
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_read_file("/dev/zero", &out, &err), -1);
	ck_assert_str_eq(err.buf, "cannot read '/dev/zero': not a regular file");
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_read_file(dir, &out, &err), -1);
	ck_assert_uint_eq(out.len, 0);
	free(fifo);
	hp_strbuf_release(&out);
	hp_strbuf_release(&err);
}
END_TEST

/* A 3 GiB sparse file is refused after the cap, not read whole. */
START_TEST(test_cap_while_reading)
{
	struct hp_strbuf out = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
	char *big = hp_path_join(dir, "sparse"), *want;

	hp_test_write_file(big, "", 0644);
	ck_assert_int_eq(truncate(big, (off_t)3 << 30), 0);
	ck_assert_int_eq(hp_read_file_max(big, 1 << 20, &out, &err), -1);
	want = hp_xasprintf("cannot read '%s': larger than 1048576 bytes, refused", big);
	ck_assert_str_eq(err.buf, want);
	ck_assert_uint_le(out.len, 1 << 20);
	free(want);
	free(big);
	hp_strbuf_release(&out);
	hp_strbuf_release(&err);
}
END_TEST

/* A dangling symlink used to read as revision 0. */
START_TEST(test_number_record_symlink)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *rec = hp_path_join(dir, "x.revision");
	uint64_t v = 99;

	ck_assert_int_eq(hp_read_u64_file(rec, &v, &err), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(symlink("/nonexistent/target", rec), 0);
	ck_assert_int_eq(hp_read_u64_file(rec, &v, &err), -1);
	ck_assert_msg(strstr(err.buf, "not a regular file owned by this user or root"), "%s",
		      err.buf);
	unlink(rec);
	hp_test_write_file(rec, "12\n", 0644);
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_read_u64_file(rec, &v, &err), 0);
	ck_assert_uint_eq(v, 12);
	free(rec);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_repo_name)
{
	static const char doc[] =
		"<hotpatch xmlns=\"http://dnf-hotpatch.org/metadata/hotpatch/1\" format=\"1\" "
		"revision=\"3\" generated=\"1700000000\" repo=\"%s\"/>";
	struct hp_strbuf err = HP_STRBUF_INIT, out = HP_STRBUF_INIT;
	struct hp_meta m;
	char *xml = hp_xasprintf(doc, "rhel-9_hotpatch.x86-64");

	hp_meta_init(&m);
	ck_assert_msg(hp_meta_parse(&m, xml, strlen(xml), "doc", &err) == 0, "%s", err.buf);
	ck_assert_str_eq(m.repo, "rhel-9_hotpatch.x86-64");
	hp_meta_write(&m, &out);
	ck_assert_msg(strstr(out.buf, " repo=\"rhel-9_hotpatch.x86-64\""), "%s", out.buf);
	hp_meta_release(&m);
	free(xml);
	for (int i = 0; i < 3; i++) {
		const char *bad[] = { "a b", ".hidden", "" };

		xml = hp_xasprintf(doc, bad[i]);
		hp_strbuf_reset(&err);
		ck_assert_int_eq(hp_meta_parse(&m, xml, strlen(xml), "doc", &err), -1);
		ck_assert_msg(strstr(err.buf, "attribute 'repo' is not a repository name"), "%s",
			      err.buf);
		free(xml);
	}
	hp_strbuf_release(&out);
	hp_strbuf_release(&err);
}
END_TEST

/* Finding 4: a 16 MiB attribute (and comment, PI, CDATA, text) is refused by
 * the guard before expat buffers it; the Check timeout bounds the time. */
START_TEST(test_huge_tokens)
{
	static const char *const shapes[][2] = {
		{ "<hotpatch xmlns=\"http://dnf-hotpatch.org/metadata/hotpatch/1\" format=\"1\" "
		  "revision=\"1\" generated=\"1\" x=\"", "\"/>" },
		{ "<!--", "-->" }, { "<?pi ", "?>" }, { "<a><![CDATA[", "]]></a>" }, { "<a>", "</a>" },
	};
	size_t big = (size_t)16 << 20;
	char *fill = malloc(big + 1);

	memset(fill, 'A', big);
	fill[big] = '\0';
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		struct hp_strbuf err = HP_STRBUF_INIT;
		struct hp_meta m;
		char *doc = hp_xasprintf("%s%s%s", shapes[i][0], fill, shapes[i][1]);
		char *path = hp_path_join(dir, "repomd.xml");
		struct hp_repomd md;

		ck_assert_int_eq(hp_meta_parse(&m, doc, strlen(doc), "doc", &err), -1);
		ck_assert_msg(strstr(err.buf, "'doc': XML token longer than 64 KiB at byte "),
			      "%zu: %s", i, err.buf);
		ck_assert(!strchr(err.buf, '\n'));
		hp_test_write_file(path, doc, 0644);
		hp_repomd_init(&md);
		hp_strbuf_reset(&err);
		ck_assert_int_eq(hp_repomd_read(&md, path, &err), -1);
		ck_assert_msg(strstr(err.buf, "XML token longer than 64 KiB"), "%zu: %s", i, err.buf);
		hp_repomd_release(&md);
		free(path);
		free(doc);
		hp_strbuf_release(&err);
	}
	free(fill);
}
END_TEST

/* Tokens split across feeds at every byte, quotes holding '>', comments
 * holding '-' and '>', all within limits: the guard never refuses them. */
START_TEST(test_guard_boundaries)
{
	static const char doc[] =
		"<?xml version=\"1.0\"?><!DOCTYPE x><!-- a -> b > c --><a x='>\"' y=\"'>\">"
		"t<![CDATA[ ] ]> ]]><?p ? > ?></a>";

	for (size_t cut = 0; cut <= sizeof(doc) - 1; cut++) {
		struct hp_strbuf err = HP_STRBUF_INIT;
		struct hp_xml_guard g;

		hp_xml_guard_init(&g, 32);
		ck_assert_int_eq(hp_xml_guard_scan(&g, doc, cut, "d", &err), 0);
		ck_assert_int_eq(hp_xml_guard_scan(&g, doc + cut, sizeof(doc) - 1 - cut, "d", &err), 0);
		hp_strbuf_release(&err);
	}
	{
		struct hp_strbuf err = HP_STRBUF_INIT;
		struct hp_xml_guard g;

		hp_xml_guard_init(&g, 16);
		ck_assert_int_eq(hp_xml_guard_scan(&g, "<a x='0123456789>0123'>", 23, "d", &err), -1);
		ck_assert_str_eq(err.buf, "'d': XML token longer than 0 KiB at byte 16, refused");
		hp_strbuf_release(&err);
	}
}
END_TEST

/* The guard counts plain runs (text, tags, quoted values) in bulk: fed in
 * pieces of any size it refuses at the same byte as fed whole. */
START_TEST(test_guard_pieces)
{
	static const char *const docs[] = {
		"<r><a x='0123456789'/>0123456789012345678901234567890123456789</r>",
		"<r><a x='01234567890123456789012345678901234567'/></r>",
		"<r><a                                          x='0'/></r>",
	};
	static const char *const want[] = {
		"'d': XML token longer than 0 KiB at byte 54, refused",
		"'d': XML token longer than 0 KiB at byte 35, refused",
		"'d': XML token longer than 0 KiB at byte 35, refused",
	};

	for (size_t d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
		size_t len = strlen(docs[d]);

		for (size_t piece = 1; piece <= len; piece++) {
			struct hp_strbuf err = HP_STRBUF_INIT;
			struct hp_xml_guard g;
			int ret = 0;

			hp_xml_guard_init(&g, 32);
			for (size_t at = 0; at < len && !ret; at += piece)
				ret = hp_xml_guard_scan(&g, docs[d] + at, len - at < piece ? len - at : piece,
							"d", &err);
			ck_assert_int_eq(ret, -1);
			ck_assert_str_eq(err.buf, want[d]);
			hp_strbuf_release(&err);
		}
	}
}
END_TEST

/* Finding 5: 50 MB on stderr ends in one error line of about 1 KiB. */
START_TEST(test_engine_output_capped)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *sh = hp_path_join(dir, "noisy.sh");
	const char *argv[] = { sh, NULL };

	hp_test_write_file(sh, "#!/bin/sh\nhead -c 50000000 /dev/zero | tr '\\0' x >&2\n"
			   "printf '\\nlast words\\n' >&2\nexit 3\n", 0755);
	ck_assert_int_eq(hp_run_command(argv, 60, NULL, &err), 3);
	ck_assert_msg(strstr(err.buf, "exited with status 3: last words"), "%.200s", err.buf);
	ck_assert_uint_le(err.len, HP_ENGINE_MSG_MAX + 256);
	hp_strbuf_reset(&err);
	hp_test_write_file(sh, "#!/bin/sh\nhead -c 50000000 /dev/zero | tr '\\0' x >&2\nexit 3\n",
			   0755);
	ck_assert_int_eq(hp_run_command(argv, 60, NULL, &err), 3);
	ck_assert(!strchr(err.buf, '\n'));
	ck_assert_uint_le(err.len, HP_ENGINE_MSG_MAX + 256);
	free(sh);
	hp_strbuf_release(&err);
}
END_TEST

/* Finding 9: a helper that leaves a daemon holding its stderr has finished
 * when it exits; it is not reported as timed out. */
START_TEST(test_engine_daemon_holds_pipe)
{
	struct hp_strbuf err = HP_STRBUF_INIT, out = HP_STRBUF_INIT;
	char *sh = hp_path_join(dir, "daemon.sh");
	const char *argv[] = { sh, NULL };
	time_t t0 = time(NULL);

	hp_test_write_file(sh, "#!/bin/sh\n(sleep 20 &) \necho started\nexit 0\n", 0755);
	ck_assert_msg(hp_run_command(argv, 10, &out, &err) == 0, "%s", err.buf);
	ck_assert_str_eq(out.buf, "started\n");
	ck_assert_int_le(time(NULL) - t0, 5);
	free(sh);
	hp_strbuf_release(&out);
	hp_strbuf_release(&err);
}
END_TEST

/* Finding 5/9: the journal is a regular file of its own (no FIFO, no
 * symlink); records beyond range are ignored; it is compacted once past
 * 1 MiB and reading it is bounded. */
START_TEST(test_journal_bounds)
{
	static const struct hp_engine_item it = { "p-1-1.x86_64", "kernel-core", "6.1.0-57",
						  "/usr/lib/hotpatch/x.ko", NULL, "x" };
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *jdir = hp_path_join(dir, "journal"), *jfile = hp_path_join(jdir, "journal.jsonl");
	char *old = hp_xasprintf("%s.1", jfile);
	struct hp_journal *j;
	struct hp_journal_entry *v;
	size_t nr;
	uint64_t seq;
	FILE *f;

	ck_assert_int_eq(hp_mkdir_p(jdir, 0755, &err), 0);
	ck_assert_int_eq(mkfifo(jfile, 0600), 0);
	ck_assert_ptr_null(hp_journal_open(jdir, &err));
	ck_assert_msg(strstr(err.buf, "is not a regular file; refused"), "%s", err.buf);
	unlink(jfile);
	ck_assert_int_eq(symlink("/etc/passwd", jfile), 0);
	hp_strbuf_reset(&err);
	ck_assert_ptr_null(hp_journal_open(jdir, &err));
	ck_assert_msg(strstr(err.buf, "is a symlink; refused"), "%s", err.buf);
	unlink(jfile);

	/* 200k pending intents (no result for any), and records with
	 * out-of-range numbers: reading, pending and compaction are bounded. */
	f = fopen(jfile, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"seq\":9223372036854775807,\"time\":1,\"op\":\"apply\",\"phase\":\"intent\"}\n");
	fprintf(f, "{\"seq\":5,\"time\":-1,\"op\":\"apply\",\"phase\":\"intent\"}\n");
	for (unsigned i = 1; i <= 200000; i++)
		fprintf(f, "{\"seq\":%u,\"time\":1700000000,\"op\":\"apply\",\"package\":\"p\","
			"\"engine\":\"klp\",\"phase\":\"intent\"}\n", i);
	fclose(f);
	hp_strbuf_reset(&err);
	j = hp_journal_open(jdir, &err);
	ck_assert_msg(j != NULL, "%s", err.buf);
	ck_assert_int_eq(hp_journal_read(j, &v, &nr, &err), 0);
	/* Only the tail is read (2 MiB of ~100-byte lines). */
	ck_assert_uint_lt(nr, 30000);
	ck_assert_uint_eq(v[nr - 1].seq, 200000);
	hp_journal_entries_free(v, nr);
	ck_assert_int_eq(hp_journal_pending(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 64);
	ck_assert_uint_eq(v[63].seq, 200000);
	hp_journal_entries_free(v, nr);
	ck_assert_int_eq(hp_journal_intent(j, "apply", "klp", &it, &seq, &err), 0);
	ck_assert_uint_eq(seq, 200001);
	ck_assert_int_eq(hp_journal_result(j, seq, "failed", "x", &err), 0);
	/* Compacted: the old file kept as .1, the new one small. */
	ck_assert(hp_test_exists(old));
	{
		struct stat st;

		ck_assert_int_eq(stat(jfile, &st), 0);
		ck_assert_int_lt(st.st_size, 1 << 20);
	}
	hp_journal_close(j);
	hp_strbuf_reset(&err);
	j = hp_journal_open(jdir, &err);
	ck_assert_msg(j != NULL, "%s", err.buf);
	ck_assert_int_eq(hp_journal_intent(j, "apply", "klp", &it, &seq, &err), 0);
	ck_assert_uint_eq(seq, 200002);
	/* A huge engine message is cut in the record. */
	{
		char *big = malloc(100000);

		memset(big, 'y', 99999);
		big[99999] = '\0';
		ck_assert_int_eq(hp_journal_result(j, seq, "failed", big, &err), 0);
		free(big);
	}
	ck_assert_int_eq(hp_journal_read(j, &v, &nr, &err), 0);
	ck_assert_uint_eq(strlen(v[nr - 1].detail), HP_ENGINE_MSG_MAX + 3);
	hp_journal_entries_free(v, nr);
	hp_journal_close(j);
	free(old);
	free(jfile);
	free(jdir);
	hp_strbuf_release(&err);
}
END_TEST

/* Finding 8: trust follows the whole ancestor chain. */
START_TEST(test_exec_ancestor_chain)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine_config cfg = { 0 };
	struct hp_engine *e;
	char *open_dir = hp_path_join(dir, "open"), *sticky = hp_path_join(dir, "sticky");
	char *prog = hp_path_join(open_dir, "ulp"), *prog2 = hp_path_join(sticky, "ulp");
	char *etc = hp_path_join(dir, "etc"), *confdir = hp_path_join(etc, "engines.d");
	char *conf = hp_path_join(confdir, "u.conf"), *text;

	ck_assert_int_eq(mkdir(open_dir, 0755), 0);
	ck_assert_int_eq(mkdir(sticky, 0755), 0);
	ck_assert_int_eq(hp_mkdir_p(confdir, 0755, &err), 0);
	chmod(open_dir, 0777);     /* world-writable, not sticky */
	chmod(sticky, 01777);      /* as /tmp */
	hp_test_write_file(prog, "#!/bin/sh\nexit 0\n", 0755);
	hp_test_write_file(prog2, "#!/bin/sh\nexit 0\n", 0755);
	cfg.exec_conf_dir = confdir;
	cfg.root_dir = "/";

	text = hp_xasprintf("apply = %s\nrevert = /bin/true\n", prog);
	hp_test_write_file(conf, text, 0644);
	free(text);
	e = hp_engine_get("u", &cfg, &err);
	ck_assert_msg(e != NULL, "%s", err.buf);
	ck_assert_int_eq(hp_engine_probe(e, &err), -1);
	ck_assert_msg(strstr(err.buf, "is group- or world-writable (mode 0777); refusing it") &&
		      strstr(err.buf, open_dir), "%s", err.buf);
	hp_engine_free(e);

	text = hp_xasprintf("apply = %s\nrevert = /bin/true\n", prog2);
	hp_test_write_file(conf, text, 0644);
	free(text);
	hp_strbuf_reset(&err);
	e = hp_engine_get("u", &cfg, &err);
	ck_assert_msg(e != NULL, "%s", err.buf);
	ck_assert_msg(hp_engine_probe(e, &err) == 0, "sticky dir refused: %s", err.buf);
	hp_engine_free(e);

	/* A world-writable /etc/hotpatch above engines.d. */
	chmod(etc, 0777);
	hp_strbuf_reset(&err);
	ck_assert_ptr_null(hp_engine_get("u", &cfg, &err));
	ck_assert_msg(strstr(err.buf, "exec engine directory") &&
		      strstr(err.buf, "is group- or world-writable (mode 0777)"), "%s", err.buf);
	chmod(etc, 0755);
	free(open_dir);
	free(sticky);
	free(prog);
	free(prog2);
	free(etc);
	free(confdir);
	free(conf);
	hp_strbuf_release(&err);
}
END_TEST

Suite *harden_suite(void)
{
	Suite *s = suite_create("harden");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_regular_files_only);
	tcase_add_test(tc, test_cap_while_reading);
	tcase_add_test(tc, test_number_record_symlink);
	tcase_add_test(tc, test_repo_name);
	tcase_add_test(tc, test_huge_tokens);
	tcase_add_test(tc, test_guard_boundaries);
	tcase_add_test(tc, test_guard_pieces);
	tcase_add_test(tc, test_engine_output_capped);
	tcase_add_test(tc, test_engine_daemon_holds_pipe);
	tcase_add_test(tc, test_journal_bounds);
	tcase_add_test(tc, test_exec_ancestor_chain);
	suite_add_tcase(s, tc);
	return s;
}
