/* The repomd.xml reader (repomd_read.c, expat) on real documents:
 * createrepo_c makes the repository, modifyrepo_c adds one record per
 * checksum type, and every field read back is checked against the files
 * themselves (stat, sha*sum), not against the XML text. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp_repomd.h"
#include "testutil.h"

static char work[64];

static void setup(void)
{
	hp_test_mkdtemp(work, sizeof(work), "hp-repomd-read");
}

static void teardown(void)
{
	hp_test_rm_rf(work);
}

static void run(const char *cmd)
{
	int rc = system(cmd);

	ck_assert_msg(rc == 0, "command failed (%d): %s", rc, cmd);
}

/* The first word of a command's output (a digest from sha*sum); malloc'd. */
static char *first_word(const char *cmd)
{
	char buf[256] = "";
	FILE *f = popen(cmd, "r");
	size_t n;

	ck_assert_msg(f != NULL, "popen %s", cmd);
	ck_assert_msg(fgets(buf, sizeof(buf), f) != NULL, "no output from %s", cmd);
	ck_assert_int_eq(pclose(f), 0);
	n = strcspn(buf, " \t\n");
	return hp_xstrndup(buf, n);
}

/* A repository made by createrepo_c (revision and timestamps fixed, tags),
 * plus a record per checksum type made by modifyrepo_c ("t-<type>"). */
static char *make_repo(void)
{
	static const char *sums[] = { "sha", "sha1", "sha224", "sha256", "sha384", "sha512",
				      "md5" };
	char *repo = hp_path_join(work, "repo");
	char *cmd;

	cmd = hp_xasprintf("mkdir -p '%s' && createrepo_c -q --revision 1700000000 "
			   "--set-timestamp-to-revision --distro 'cpe:/o:hp:test,HP Test' "
			   "--content binary-x86_64 --repo hp-tag '%s' >/dev/null 2>&1",
			   repo, repo);
	run(cmd);
	free(cmd);
	for (size_t i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
		char *in = hp_xasprintf("%s/t-%s.xml", work, sums[i]);
		char *doc = hp_xasprintf("<t>%s</t>\n", sums[i]);

		hp_test_write_file(in, doc, 0644);
		cmd = hp_xasprintf("modifyrepo_c --mdtype=t-%s -s %s '%s' '%s/repodata' "
				   ">/dev/null 2>&1", sums[i], sums[i], in, repo);
		run(cmd);
		free(cmd);
		free(doc);
		free(in);
	}
	return repo;
}

static const char *digest_tool(const char *type)
{
	if (!strcmp(type, "sha") || !strcmp(type, "sha1"))
		return "sha1sum";
	if (!strcmp(type, "sha224"))
		return "sha224sum";
	if (!strcmp(type, "sha256"))
		return "sha256sum";
	if (!strcmp(type, "sha384"))
		return "sha384sum";
	if (!strcmp(type, "sha512"))
		return "sha512sum";
	return NULL;
}

START_TEST(test_createrepo_fields)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repomd md;
	char *repo = make_repo();
	char *md_path = hp_path_join(repo, "repodata/repomd.xml");
	static const char *base_types[] = { "primary", "filelists", "other", "primary_db",
					    "filelists_db", "other_db" };
	size_t nsha = 0;

	hp_repomd_init(&md);
	ck_assert_msg(hp_repomd_read(&md, md_path, &err) == 0, "%s", err.buf);
	ck_assert_str_eq(md.revision, "1700000000");
	/* In the file's order: createrepo_c's six records, then the others
	 * sorted by name (as createrepo_c writes them). */
	ck_assert_uint_eq(md.nr, 6 + 7);
	for (size_t i = 0; i < 6; i++)
		ck_assert_str_eq(md.entries[i].type, base_types[i]);
	ck_assert_str_eq(md.entries[6].type, "t-md5");
	ck_assert_str_eq(md.entries[7].type, "t-sha");
	ck_assert_str_eq(md.entries[12].type, "t-sha512");

	for (size_t i = 0; i < md.nr; i++) {
		const struct hp_repomd_entry *e = &md.entries[i];
		char *path, *cmd, *want;
		const char *tool;
		struct stat st;

		ck_assert(hp_repomd_find(&md, e->type) == e);
		ck_assert_ptr_null(e->location_base);
		ck_assert_msg(!strncmp(e->location, "repodata/", 9), "%s", e->location);
		path = hp_path_join(repo, e->location);
		ck_assert_msg(stat(path, &st) == 0, "%s", path);
		ck_assert_int_eq(e->size, (int64_t)st.st_size);
		if (i < 6)
			ck_assert_int_eq(e->timestamp, 1700000000);
		else
			ck_assert_int_eq(e->timestamp, (int64_t)st.st_mtime);
		if (i < 6)
			ck_assert_str_eq(e->checksum_type, "sha256");
		else
			ck_assert_str_eq(e->checksum_type, e->type + 2);
		/* The digest as coreutils computes it, and the file named by it. */
		tool = digest_tool(e->checksum_type);
		if (tool && strcmp(tool, "sha1sum")) {
			cmd = hp_xasprintf("%s '%s'", tool, path);
			want = first_word(cmd);
			ck_assert_str_eq(e->checksum, want);
			ck_assert_msg(strstr(e->location, want), "%s", e->location);
			hp_strbuf_reset(&err);
			ck_assert_msg(hp_repomd_check_entry(repo, e, &err) == 0, "%s: %s",
				      e->type, err.buf);
			nsha++;
			free(want);
			free(cmd);
		} else {
			/* md5 and sha1 are read, but refused as checksums (issue 11). */
			char *line = hp_xasprintf("'%s': weak checksum type '%s' in repomd.xml "
						  "refused (sha224 or stronger needed)",
						  path, e->checksum_type);

			ck_assert_msg(!strcmp(e->checksum_type, "md5") ||
				      !strcmp(e->checksum_type, "sha") ||
				      !strcmp(e->checksum_type, "sha1"), "%s", e->checksum_type);
			hp_strbuf_reset(&err);
			ck_assert(hp_repomd_check_entry(repo, e, &err) == -1);
			ck_assert_str_eq(err.buf, line);
			free(line);
		}
		free(path);
	}
	ck_assert_uint_eq(nsha, 6 + 4);
	ck_assert_ptr_null(hp_repomd_find(&md, "updateinfo"));
	hp_repomd_release(&md);
	ck_assert_uint_eq(md.nr, 0);
	ck_assert_ptr_null(md.revision);
	hp_strbuf_release(&err);
	free(md_path);
	free(repo);
}
END_TEST

/* A file changed after publishing: the message names it and the digest expected. */
START_TEST(test_checksum_mismatch)
{
	static const char *types[] = { "t-sha224", "primary", "t-sha384", "t-sha512" };
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repomd md;
	char *repo = make_repo();
	char *md_path = hp_path_join(repo, "repodata/repomd.xml");

	hp_repomd_init(&md);
	ck_assert_msg(hp_repomd_read(&md, md_path, &err) == 0, "%s", err.buf);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const struct hp_repomd_entry *e = hp_repomd_find(&md, types[i]);
		char *path, *cmd, *got, *want;
		FILE *f;

		ck_assert_ptr_nonnull(e);
		path = hp_path_join(repo, e->location);
		f = fopen(path, "a");
		ck_assert_ptr_nonnull(f);
		fputs("tampered", f);
		fclose(f);
		cmd = hp_xasprintf("%s '%s'", digest_tool(e->checksum_type), path);
		got = first_word(cmd);
		/* The digest found is not told (issue 11: through a symlink it
		 * would leak the hash of an unreadable file). */
		ck_assert_str_ne(got, e->checksum);
		want = hp_xasprintf("'%s': checksum mismatch with repomd.xml (expected %s)",
				    path, e->checksum);
		hp_strbuf_reset(&err);
		ck_assert(hp_repomd_check_entry(repo, e, &err) == -1);
		ck_assert_str_eq(err.buf, want);
		/* A missing file is a read error naming it. */
		ck_assert(unlink(path) == 0);
		hp_strbuf_reset(&err);
		ck_assert(hp_repomd_check_entry(repo, e, &err) == -1);
		free(want);
		want = hp_xasprintf("cannot read '%s': No such file or directory", path);
		ck_assert_str_eq(err.buf, want);
		free(want);
		free(got);
		free(cmd);
		free(path);
	}
	hp_repomd_release(&md);
	hp_strbuf_release(&err);
	free(md_path);
	free(repo);
}
END_TEST

static void write_md(const char *path, const char *xml)
{
	hp_test_write_file(path, xml, 0644);
}

/* Reading `xml` fails with a message containing `want` and the path. */
static void assert_refused(const char *xml, const char *want)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repomd md;
	char *path = hp_path_join(work, "repomd.xml");

	write_md(path, xml);
	hp_repomd_init(&md);
	ck_assert_msg(hp_repomd_read(&md, path, &err) == -1, "accepted: %s", xml);
	ck_assert_msg(strstr(err.buf, want), "'%s' not in '%s'", want, err.buf);
	ck_assert_msg(strstr(err.buf, path), "%s", err.buf);
	ck_assert_msg(!strchr(err.buf, '\n'), "not one line: %s", err.buf);
	ck_assert_uint_eq(md.nr, 0);
	ck_assert_ptr_null(md.revision);
	hp_repomd_release(&md);
	hp_strbuf_release(&err);
	free(path);
}

START_TEST(test_malformed)
{
	char *repo = make_repo();
	char *md_path = hp_path_join(repo, "repodata/repomd.xml");
	char *real = hp_test_read_str(md_path);
	char *cut;
	struct hp_strbuf big = HP_STRBUF_INIT;

	ck_assert_ptr_nonnull(real);
	/* A real repomd.xml cut short anywhere is refused, with its line. */
	for (size_t n = 1; n < strlen(real) - 2; n += 97) {
		cut = hp_xstrndup(real, n);
		assert_refused(cut, "malformed repomd.xml: line ");
		free(cut);
	}
	assert_refused("", "malformed repomd.xml: line 1: no element found");
	assert_refused("<repomd><data", "malformed repomd.xml: line 1: ");
	assert_refused("<repomd>\n<data type=\"x\">\n</repomd>", "malformed repomd.xml: line 3: ");
	assert_refused("<repomd/>junk", "malformed repomd.xml: line 1: ");
	assert_refused("<repomd a=\"1\" a=\"2\"/>", "malformed repomd.xml");
	assert_refused("<repomd><revision>\xff</revision></repomd>", "malformed repomd.xml");
	assert_refused("<other/>", "malformed repomd.xml: no <repomd> element");
	/* <repomd> must be the root, as for createrepo_c. */
	assert_refused("<other><repomd><data type=\"x\"/></repomd></other>",
		       "malformed repomd.xml: no <repomd> element");
	/* No DTD, hence no entity expansion. */
	assert_refused("<?xml version=\"1.0\"?>\n<!DOCTYPE repomd [ <!ENTITY e \"x\"> ]>\n"
		       "<repomd><revision>&e;</revision></repomd>",
		       "malformed repomd.xml: line 2: a DOCTYPE is not allowed");
	/* A runaway file is refused before it is all read. */
	hp_strbuf_adds(&big, "<repomd>");
	while (big.len <= (16u << 20))
		hp_strbuf_adds(&big, "<!-- padding padding padding padding padding padding -->\n");
	hp_strbuf_adds(&big, "</repomd>");
	assert_refused(big.buf, "repomd.xml larger than 16 MiB refused");
	hp_strbuf_release(&big);
	free(real);
	free(md_path);
	free(repo);
}
END_TEST

START_TEST(test_not_a_file)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repomd md;
	char *missing = hp_path_join(work, "missing.xml");
	char *dir = hp_path_join(work, "dir.xml");
	char *fifo = hp_path_join(work, "fifo.xml");
	char *want;

	hp_repomd_init(&md);
	ck_assert(hp_repomd_read(&md, missing, &err) == -1);
	want = hp_xasprintf("cannot read '%s': No such file or directory", missing);
	ck_assert_str_eq(err.buf, want);
	free(want);
	ck_assert(mkdir(dir, 0755) == 0);
	hp_strbuf_reset(&err);
	ck_assert(hp_repomd_read(&md, dir, &err) == -1);
	want = hp_xasprintf("cannot read '%s': Is a directory", dir);
	ck_assert_str_eq(err.buf, want);
	free(want);
	ck_assert(mkfifo(fifo, 0644) == 0);
	hp_strbuf_reset(&err);
	ck_assert(hp_repomd_read(&md, fifo, &err) == -1);
	want = hp_xasprintf("cannot read '%s': not a regular file", fifo);
	ck_assert_str_eq(err.buf, want);
	free(want);
	hp_repomd_release(&md);
	hp_strbuf_release(&err);
	free(fifo);
	free(dir);
	free(missing);
}
END_TEST

/* What createrepo_c's parser accepted: namespaces, tags, every element of a
 * record, unknown elements (skipped with their content), repeated types
 * (the last wins), a missing type, numbers as strtoll base 0. */
START_TEST(test_accepted_forms)
{
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" "
		"xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n"
		"  <revision>rev &amp; 1</revision>\n"
		"  <revision></revision>\n"
		"  <future-element><data type=\"hidden\"/></future-element>\n"
		"  <tags><repo>r</repo><content>binary</content>"
		"<distro cpeid=\"cpe:/o:x\">X</distro></tags>\n"
		"  <data type=\"primary\"><location href=\"repodata/old.xml.gz\"/></data>\n"
		"  <data type=\"updateinfo\">\n"
		"    <checksum type=\"SHA256\">ABCDEF</checksum>\n"
		"    <open-checksum type=\"sha256\">0123</open-checksum>\n"
		"    <header-checksum type=\"sha256\">4567</header-checksum>\n"
		"    <location xml:base=\"http://mirror/\" href=\"repodata/u.xml.gz\"/>\n"
		"    <timestamp> 1700000001</timestamp>\n"
		"    <size>0x10</size>\n"
		"    <open-size>99</open-size>\n"
		"    <header-size>7</header-size>\n"
		"    <database_version>10</database_version>\n"
		"    <unknown><checksum type=\"md5\">ff</checksum><size>1</size></unknown>\n"
		"    <rpm:extra>x</rpm:extra>\n"
		"  </data>\n"
		"  <rpm:data type=\"prefixed\"/>\n"
		"  <data><location href=\"repodata/../&lt;x&gt;\"/><size>12abc</size>"
		"<timestamp>junk</timestamp></data>\n"
		"  <data type=\"primary\"><checksum type=\"sha512\"><![CDATA[aa]]>bb</checksum>"
		"<location href=\"repodata/new.xml.gz\"/><size>99999999999999999999999</size>"
		"</data>\n"
		"</repomd>\n";
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repomd md;
	const struct hp_repomd_entry *e;
	char *path = hp_path_join(work, "repomd.xml");

	write_md(path, doc);
	hp_repomd_init(&md);
	ck_assert_msg(hp_repomd_read(&md, path, &err) == 0, "%s", err.buf);
	ck_assert_str_eq(md.revision, "rev & 1");
	ck_assert_uint_eq(md.nr, 3);
	ck_assert_ptr_null(hp_repomd_find(&md, "hidden"));
	ck_assert_ptr_null(hp_repomd_find(&md, "prefixed"));

	e = &md.entries[0];
	ck_assert_str_eq(e->type, "updateinfo");
	ck_assert_str_eq(e->checksum_type, "SHA256");
	ck_assert_str_eq(e->checksum, "ABCDEF");
	ck_assert_str_eq(e->location, "repodata/u.xml.gz");
	ck_assert_str_eq(e->location_base, "http://mirror/");
	ck_assert_int_eq(e->timestamp, 1700000001);
	ck_assert_int_eq(e->size, 16);

	e = &md.entries[1];
	ck_assert_str_eq(e->type, "unknown");
	ck_assert_str_eq(e->location, "repodata/../<x>");
	ck_assert_ptr_null(e->checksum_type);
	ck_assert_ptr_null(e->checksum);
	ck_assert_int_eq(e->size, 12);
	ck_assert_int_eq(e->timestamp, 0);

	e = &md.entries[2];
	ck_assert(hp_repomd_find(&md, "primary") == e);
	ck_assert_str_eq(e->location, "repodata/new.xml.gz");
	ck_assert_str_eq(e->checksum_type, "sha512");
	ck_assert_str_eq(e->checksum, "aabb");
	ck_assert_int_eq(e->size, INT64_MAX);

	/* xml:base and unsafe locations are refused by the checks. */
	ck_assert(hp_repomd_check_entry(work, &md.entries[0], &err) == -1);
	ck_assert_msg(strstr(err.buf, "points to another location (xml:base 'http://mirror/')"),
		      "%s", err.buf);
	hp_strbuf_reset(&err);
	ck_assert(hp_repomd_check_location(work, &md.entries[1], &err) == -1);
	ck_assert_msg(strstr(err.buf, "has an unsafe location 'repodata/../<x>'"), "%s", err.buf);

	/* Re-reading replaces everything; an empty <repomd/> has nothing. */
	write_md(path, "<repomd/>");
	ck_assert(hp_repomd_read(&md, path, &err) == 0);
	ck_assert_uint_eq(md.nr, 0);
	ck_assert_ptr_null(md.revision);
	hp_repomd_release(&md);
	hp_strbuf_release(&err);
	free(path);
}
END_TEST

START_TEST(test_checksum_types)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *file = hp_path_join(work, "repodata/f.xml");
	char *cmd, *sum;
	struct hp_repomd_entry e = { "x", "repodata/f.xml", NULL, NULL, NULL, 0, 0 };
	static const struct {
		const char *type, *tool;
	} ok[] = {
		{ "sha224", "sha224sum" },  { "sha256", "sha256sum" },
		{ "SHA256", "sha256sum" },  { "sha384", "sha384sum" },  { "sha512", "sha512sum" },
	};

	hp_test_write_str(file, "<x>content</x>\n");
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cmd = hp_xasprintf("%s '%s'", ok[i].tool, file);
		sum = first_word(cmd);
		e.checksum_type = (char *)ok[i].type;
		e.checksum = sum;
		hp_strbuf_reset(&err);
		ck_assert_msg(hp_repomd_check_entry(work, &e, &err) == 0, "%s: %s", ok[i].type,
			      err.buf);
		/* Upper-case hex in repomd.xml is the same digest. */
		for (char *p = sum; *p; p++)
			if (*p >= 'a' && *p <= 'f')
				*p = (char)(*p - 'a' + 'A');
		ck_assert(hp_repomd_check_entry(work, &e, &err) == 0);
		free(sum);
		free(cmd);
	}
	e.checksum = "00";
	{
		static const char *weak[] = { "md5", "MD5", "sha", "SHA", "sha1", "Sha1" };
		static const char *bad[] = { "sha3", "sha-256", "", "crc32" };

		/* Issue 11: right digests of weak types are refused all the same. */
		for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
			char *want = hp_xasprintf("weak checksum type '%s' in repomd.xml refused",
						  weak[i]);

			cmd = hp_xasprintf("%s '%s'", weak[i][0] == 'm' || weak[i][0] == 'M' ?
					   "md5sum" : "sha1sum", file);
			sum = first_word(cmd);
			e.checksum_type = (char *)weak[i];
			e.checksum = sum;
			hp_strbuf_reset(&err);
			ck_assert(hp_repomd_check_entry(work, &e, &err) == -1);
			ck_assert_msg(strstr(err.buf, want) && !strchr(err.buf, '\n'), "%s", err.buf);
			free(want);
			free(sum);
			free(cmd);
		}
		e.checksum = "00";

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *want = hp_xasprintf("unsupported checksum type '%s' in repomd.xml",
						  bad[i]);

			e.checksum_type = (char *)bad[i];
			hp_strbuf_reset(&err);
			ck_assert(hp_repomd_check_entry(work, &e, &err) == -1);
			ck_assert_msg(strstr(err.buf, want), "%s", err.buf);
			free(want);
		}
	}
	e.checksum_type = NULL;
	hp_strbuf_reset(&err);
	ck_assert(hp_repomd_check_entry(work, &e, &err) == -1);
	ck_assert_msg(strstr(err.buf, "unsupported checksum type '' in repomd.xml"), "%s", err.buf);
	e.checksum_type = "sha256";
	e.checksum = "";
	hp_strbuf_reset(&err);
	ck_assert(hp_repomd_check_entry(work, &e, &err) == -1);
	ck_assert_msg(strstr(err.buf, "f.xml': no checksum in repomd.xml"), "%s", err.buf);
	hp_strbuf_release(&err);
	free(file);
}
END_TEST

Suite *repomd_read_suite(void)
{
	Suite *s = suite_create("repomd_read");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_createrepo_fields);
	tcase_add_test(tc, test_checksum_mismatch);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_not_a_file);
	tcase_add_test(tc, test_accepted_forms);
	tcase_add_test(tc, test_checksum_types);
	suite_add_tcase(s, tc);
	return s;
}
