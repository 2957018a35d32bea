/* Metalink documents (hp_metalink.h): a document shaped as MirrorManager
 * serves them (namespaces, alternates, several protocols), mirrors in
 * preference order, and repomd.xml checked against size and the strongest
 * of sha256/sha512 -- or refused. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp_metalink.h"
#include "testutil.h"

#define REPOMD "<?xml version=\"1.0\"?>\n<repomd/>\n"

/* A metalink for a repomd.xml of `size` bytes with `sha256` and `sha512`
 * (either may be NULL), one alternate of `alt_sha256`, and five mirrors. */
static char *metalink_doc(long size, const char *sha256, const char *sha512, const char *alt_sha256)
{
	return hp_xasprintf(
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<metalink version=\"3.0\" xmlns=\"http://www.metalinker.org/\" type=\"dynamic\" "
		"xmlns:mm0=\"http://fedorahosted.org/mirrormanager\">\n"
		" <files>\n"
		"  <file name=\"other.xml\"><resources><url protocol=\"http\">http://wrong/x</url>"
		"</resources></file>\n"
		"  <file name=\"repomd.xml\">\n"
		"   <mm0:timestamp>1700000000</mm0:timestamp>\n"
		"   <size>%ld</size>\n"
		"   <verification>\n"
		"    <hash type=\"md5\">00000000000000000000000000000000</hash>\n"
		"    %s%s%s\n"
		"    %s%s%s\n"
		"   </verification>\n"
		"   <mm0:alternates><mm0:alternate>\n"
		"     <mm0:timestamp>1690000000</mm0:timestamp><size>%ld</size>\n"
		"     <verification><hash type=\"sha256\">%s</hash></verification>\n"
		"   </mm0:alternate></mm0:alternates>\n"
		"   <resources maxconnections=\"1\">\n"
		"    <url protocol=\"rsync\" type=\"rsync\" preference=\"100\">rsync://r/repodata/repomd.xml</url>\n"
		"    <url protocol=\"https\" type=\"https\" location=\"DE\" preference=\"90\">\n"
		"      https://b.example/pub/40/x86_64/os/repodata/repomd.xml\n    </url>\n"
		"    <url protocol=\"http\" type=\"http\" preference=\"100\">http://a.example/40/repodata/repomd.xml</url>\n"
		"    <url protocol=\"ftp\" type=\"ftp\" preference=\"99\">ftp://f/repodata/repomd.xml</url>\n"
		"    <url protocol=\"https\" type=\"https\" preference=\"90\">https://c.example/40/</url>\n"
		"   </resources>\n"
		"  </file>\n"
		" </files>\n"
		"</metalink>\n",
		size, sha256 ? "<hash type=\"sha256\">" : "", sha256 ? sha256 : "",
		sha256 ? "</hash>" : "", sha512 ? "<hash type=\"SHA512\">" : "",
		sha512 ? sha512 : "", sha512 ? "</hash>" : "", size + 1,
		alt_sha256 ? alt_sha256 : "ab");
}

static void parse_ok(struct hp_metalink *m, const char *doc)
{
	struct hp_strbuf err = HP_STRBUF_INIT;

	hp_metalink_init(m);
	ck_assert_msg(hp_metalink_parse(m, doc, strlen(doc), "ml", &err) == 0, "%s", err.buf);
	hp_strbuf_release(&err);
}

START_TEST(test_mirrors_in_preference_order)
{
	struct hp_metalink m;
	char *doc = metalink_doc(10, "aa", NULL, NULL);

	parse_ok(&m, doc);
	ck_assert_int_eq(m.mirrors.nr, 3);
	ck_assert_str_eq(m.mirrors.v[0], "http://a.example/40");
	ck_assert_str_eq(m.mirrors.v[1], "https://b.example/pub/40/x86_64/os");
	ck_assert_str_eq(m.mirrors.v[2], "https://c.example/40");
	ck_assert_int_eq(m.nr_versions, 2);
	ck_assert_int_eq(m.versions[0].size, 10);
	ck_assert_int_eq(m.versions[1].size, 11);
	ck_assert_int_eq(m.versions[0].types.nr, 2);
	ck_assert_str_eq(m.versions[0].types.v[1], "sha256");
	hp_metalink_release(&m);
	free(doc);
}
END_TEST

/* The repomd.xml file and its digests. */
static void repomd_file(char *dir, size_t dlen, char **path, char sha256[65], char **sha512)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char cmd[512];
	FILE *p;
	char buf[200];

	hp_test_mkdtemp(dir, dlen, "metalink");
	*path = hp_path_join(dir, "repomd.xml");
	hp_test_write_str(*path, REPOMD);
	ck_assert_int_eq(hp_sha256_file(*path, sha256, &err), 0);
	snprintf(cmd, sizeof(cmd), "sha512sum '%s'", *path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), p));
	pclose(p);
	*sha512 = hp_xstrndup(buf, 128);
	hp_strbuf_release(&err);
}

static int check(const char *doc, const char *path, struct hp_strbuf *err)
{
	struct hp_metalink m;
	int rc;

	parse_ok(&m, doc);
	hp_strbuf_reset(err);
	rc = hp_metalink_check_file(&m, path, "http://ml/metalink", err);
	hp_metalink_release(&m);
	return rc;
}

START_TEST(test_check_repomd)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char dir[64], sha256[65], *path, *sha512, *doc, *upper;
	long size = (long)strlen(REPOMD);
	char wrong[65];

	repomd_file(dir, sizeof(dir), &path, sha256, &sha512);
	memset(wrong, 'f', 64);
	wrong[64] = '\0';

	/* sha256 only, right size */
	doc = metalink_doc(size, sha256, NULL, NULL);
	ck_assert_msg(check(doc, path, &err) == 0, "%s", err.buf);
	free(doc);
	/* sha512 is the strongest: it decides, even when sha256 is wrong */
	doc = metalink_doc(size, wrong, sha512, NULL);
	ck_assert_msg(check(doc, path, &err) == 0, "%s", err.buf);
	free(doc);
	doc = metalink_doc(size, sha256, wrong, wrong);
	ck_assert_int_eq(check(doc, path, &err), -1);
	ck_assert_str_eq(err.buf, "'http://ml/metalink': repomd.xml does not match the metalink "
			 "(size and hash differ from every version it lists)");
	free(doc);
	/* upper-case hex is the same hash */
	upper = hp_xstrdup(sha256);
	for (char *c = upper; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	doc = metalink_doc(size, upper, NULL, NULL);
	ck_assert_msg(check(doc, path, &err) == 0, "%s", err.buf);
	free(doc);
	free(upper);
	/* the right hash with the wrong size is refused */
	doc = metalink_doc(size + 5, sha256, NULL, "00");
	ck_assert_int_eq(check(doc, path, &err), -1);
	free(doc);
	/* the alternate's size is the main one's + 1 (metalink_doc): its hash
	 * with another size is refused, with the right size accepted (a
	 * mirror still serving the previous repomd.xml) */
	doc = metalink_doc(size - 2, wrong, NULL, sha256);
	ck_assert_int_eq(check(doc, path, &err), -1);
	free(doc);
	doc = metalink_doc(size - 1, wrong, NULL, sha256);
	ck_assert_msg(check(doc, path, &err) == 0, "%s", err.buf);
	free(doc);
	/* md5 only: nothing strong enough vouches for it */
	doc = metalink_doc(size, NULL, NULL, NULL);
	{
		struct hp_metalink m;

		parse_ok(&m, doc);
		hp_strvec_release(&m.versions[1].types);
		hp_strvec_release(&m.versions[1].values);
		hp_strbuf_reset(&err);
		ck_assert_int_eq(hp_metalink_check_file(&m, path, "x", &err), -1);
		ck_assert_str_eq(err.buf, "'x': repomd.xml does not match the metalink (it gives no "
				 "sha256 or sha512 hash)");
		hp_metalink_release(&m);
	}
	free(doc);
	hp_test_rm_rf(dir);
	free(path);
	free(sha512);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_bad_documents)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_metalink m;
	const char *not_xml = "http://a/\nhttp://b/\n";
	const char *no_entry = "<metalink><files><file name=\"x\"/></files></metalink>";
	const char *no_mirror = "<metalink><files><file name=\"repomd.xml\"><size>1</size>"
				"<resources><url protocol=\"rsync\">rsync://x/</url></resources>"
				"</file></files></metalink>";

	hp_metalink_init(&m);
	ck_assert_int_eq(hp_metalink_parse(&m, not_xml, strlen(not_xml), "ml", &err), -1);
	ck_assert_msg(strstr(err.buf, "'ml': not a metalink: ") == err.buf, "%s", err.buf);
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_metalink_parse(&m, no_entry, strlen(no_entry), "ml", &err), -1);
	ck_assert_str_eq(err.buf, "'ml': the metalink has no entry for repomd.xml");
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_metalink_parse(&m, no_mirror, strlen(no_mirror), "ml", &err), -1);
	ck_assert_str_eq(err.buf, "'ml': the metalink lists no http, https or file mirror");
	ck_assert_int_eq(m.nr_versions, 0);
	hp_metalink_release(&m);
	hp_strbuf_release(&err);
}
END_TEST

Suite *metalink_suite(void)
{
	Suite *s = suite_create("metalink");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_mirrors_in_preference_order);
	tcase_add_test(tc, test_check_repomd);
	tcase_add_test(tc, test_bad_documents);
	suite_add_tcase(s, tc);
	return s;
}
