/* updateinfo through libsolv (updateinfo.c) and its reading by the client
 * loader (hp_repo_load with updateinfo): real documents, a real repository
 * made by createrepo_c, the record added as modifyrepo_c does. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp_repo.h"
#include "hp_repomd.h"
#include "hp_updateinfo.h"
#include "testutil.h"

static const char *pkg(const char *name, const char *epoch, const char *ver, const char *arch,
		       int reboot)
{
	static char buf[4][512];
	static int n;
	char *b = buf[n++ % 4];

	snprintf(b, sizeof(buf[0]),
		 "<package name=\"%s\" epoch=\"%s\" version=\"%s\" release=\"1\" arch=\"%s\">"
		 "<filename>x.rpm</filename>%s</package>",
		 name, epoch, ver, arch, reboot ? "<reboot_suggested>True</reboot_suggested>" : "");
	return b;
}

static char *update(const char *id, const char *severity, const char *cve, const char *pkgs)
{
	return hp_xasprintf(
		"<update from=\"t\" status=\"stable\" type=\"security\" version=\"2.0\">"
		"<id>%s</id><title>%s</title><issued date=\"2026-03-02 00:00:00\"/>"
		"<severity>%s</severity><references>%s%s%s</references>"
		"<pkglist><collection short=\"t\"><name>t</name>%s</collection></pkglist></update>\n",
		id, id, severity, cve ? "<reference type=\"cve\" id=\"" : "", cve ? cve : "",
		cve ? "\" href=\"x\" title=\"x\"/>" : "", pkgs);
}

/* <dir>/updateinfo.xml with: a reboot advisory for kernel-core (epoch 1)
 * and openssl, a second reboot advisory naming openssl again, a plain one. */
static char *write_doc(const char *dir)
{
	char *path = hp_path_join(dir, "updateinfo.xml");
	char *p1 = hp_xasprintf("%s%s", pkg("kernel-core", "1", "6.1.0", "x86_64", 1),
				pkg("openssl-libs", "0", "3.0.12", "x86_64", 0));
	char *u1 = update("HP-2", "Important", "CVE-2026-1111", p1);
	char *u2 = update("HP-1", "Low", NULL, pkg("openssl-libs", "0", "3.0.12", "x86_64", 1));
	char *u3 = update("HP-3", "Moderate", NULL, pkg("bash", "0", "5.2", "x86_64", 0));
	char *doc = hp_xasprintf("<?xml version=\"1.0\"?>\n<updates>\n%s%s%s</updates>\n",
				 u1, u2, u3);

	hp_test_write_file(path, doc, 0644);
	free(doc);
	free(u3);
	free(u2);
	free(u1);
	free(p1);
	return path;
}

struct seen {
	int calls;
	char *cves_of_hp2;
};

static void count(const struct hp_advisory *adv, const char *name, const char *evr,
		  const char *arch, void *data)
{
	struct seen *s = data;

	(void)name;
	(void)evr;
	(void)arch;
	s->calls++;
	if (!strcmp(adv->id, "HP-2") && !s->cves_of_hp2 && adv->cves->nr)
		s->cves_of_hp2 = hp_xstrdup(adv->cves->v[0]);
}

START_TEST(test_read_and_reboot_pkgs)
{
	char dir[64];
	char *path;
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_reboot_pkgs l;
	struct seen s = { 0, NULL };

	hp_test_mkdtemp(dir, sizeof(dir), "hp-ui-test");
	path = write_doc(dir);
	ck_assert_msg(hp_updateinfo_read(path, count, &s, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(s.calls, 4);
	ck_assert_str_eq(s.cves_of_hp2, "CVE-2026-1111");

	hp_reboot_pkgs_init(&l);
	ck_assert_msg(hp_updateinfo_reboot_pkgs(path, &l, &err) == 0, "%s", err.buf);
	/* libsolv keeps reboot_suggested per advisory: HP-2's openssl too;
	 * openssl once (smallest id), epoch kept when not zero, bash not. */
	ck_assert_int_eq(l.nr, 2);
	ck_assert_str_eq(l.v[0].name, "kernel-core");
	ck_assert_str_eq(l.v[0].evr, "1:6.1.0-1");
	ck_assert_str_eq(l.v[0].arch, "x86_64");
	ck_assert_str_eq(l.v[0].advisory, "HP-2");
	ck_assert_str_eq(l.v[1].name, "openssl-libs");
	ck_assert_str_eq(l.v[1].evr, "3.0.12-1");
	ck_assert_str_eq(l.v[1].advisory, "HP-1");
	/* adding again (a second repo) keeps one entry per NEVRA */
	ck_assert(hp_updateinfo_reboot_pkgs(path, &l, &err) == 0);
	ck_assert_int_eq(l.nr, 2);
	hp_reboot_pkgs_release(&l);
	free(s.cves_of_hp2);
	free(path);
	hp_strbuf_release(&err);
	hp_test_rm_rf(dir);
}
END_TEST

START_TEST(test_errors_keep_list)
{
	char dir[64];
	char *bad, *missing;
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_reboot_pkgs l;

	hp_test_mkdtemp(dir, sizeof(dir), "hp-ui-test");
	bad = hp_path_join(dir, "bad.xml");
	missing = hp_path_join(dir, "missing.xml");
	hp_test_write_file(bad, "<updates><update><id>X</id></upd", 0644);
	hp_reboot_pkgs_init(&l);
	hp_reboot_pkgs_add(&l, "a", "1-1", "noarch", "HP-0");
	ck_assert_int_eq(hp_updateinfo_reboot_pkgs(bad, &l, &err), -1);
	ck_assert_msg(strstr(err.buf, "cannot parse '") && strstr(err.buf, "bad.xml"), "%s",
		      err.buf);
	ck_assert_int_eq(l.nr, 1);
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_updateinfo_reboot_pkgs(missing, &l, &err), -1);
	ck_assert_msg(strstr(err.buf, "missing.xml") && strstr(err.buf, "No such file"), "%s",
		      err.buf);
	ck_assert_int_eq(l.nr, 1);
	hp_reboot_pkgs_release(&l);
	free(missing);
	free(bad);
	hp_strbuf_release(&err);
	hp_test_rm_rf(dir);
}
END_TEST

/* A createrepo_c repository with the document as its updateinfo record and
 * no hotpatch record: read only when asked, checksum enforced. */
START_TEST(test_repo_load_updateinfo)
{
	char dir[64];
	char *repo, *repodata, *cmd, *doc;
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repo_opts o;
	struct hp_repo r;
	struct hp_repomd md;
	char *file;

	hp_test_mkdtemp(dir, sizeof(dir), "hp-ui-test");
	repo = hp_path_join(dir, "repo");
	repodata = hp_path_join(repo, "repodata");
	cmd = hp_xasprintf("mkdir -p '%s' && createrepo_c -q '%s' >/dev/null 2>&1", repo, repo);
	ck_assert(system(cmd) == 0);
	doc = write_doc(repodata);
	ck_assert_msg(hp_repomd_set_record(repo, "updateinfo", doc, &err) == 0, "%s", err.buf);

	hp_repo_opts_init(&o);
	o.nogpgcheck = 1;
	hp_repo_init(&r);
	ck_assert_msg(hp_repo_load(&r, "t", repo, &o, 0, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(r.has_meta, 0);
	ck_assert_int_eq(r.has_updateinfo, 0);   /* not asked: not read */
	ck_assert_int_eq(r.reboot.nr, 0);
	o.updateinfo = 1;
	ck_assert_msg(hp_repo_load(&r, "t", repo, &o, 0, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(r.has_meta, 0);
	ck_assert_int_eq(r.has_updateinfo, 1);
	ck_assert_int_eq(r.reboot.nr, 2);
	ck_assert_str_eq(r.reboot.v[1].advisory, "HP-1");

	/* other bytes than repomd.xml names: refused, r left empty */
	hp_repomd_init(&md);
	file = hp_path_join(repodata, "repomd.xml");
	ck_assert(hp_repomd_read(&md, file, &err) == 0);
	free(file);
	file = hp_path_join(repo, hp_repomd_find(&md, "updateinfo")->location);
	hp_test_write_file(file, "<updates></updates>\n", 0644);
	ck_assert_int_eq(hp_repo_load(&r, "t", repo, &o, 0, &err), -1);
	ck_assert_msg(strstr(err.buf, "checksum mismatch with repomd.xml"), "%s", err.buf);
	ck_assert_int_eq(r.reboot.nr, 0);
	o.updateinfo = 0;
	hp_strbuf_reset(&err);
	ck_assert_msg(hp_repo_load(&r, "t", repo, &o, 0, &err) == 0, "%s", err.buf);

	free(file);
	hp_repomd_release(&md);
	hp_repo_release(&r);
	hp_repo_opts_release(&o);
	free(doc);
	free(cmd);
	free(repodata);
	free(repo);
	hp_strbuf_release(&err);
	hp_test_rm_rf(dir);
}
END_TEST

Suite *updateinfo_suite(void)
{
	Suite *s = suite_create("updateinfo");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_read_and_reboot_pkgs);
	tcase_add_test(tc, test_errors_keep_list);
	tcase_add_test(tc, test_repo_load_updateinfo);
	suite_add_tcase(s, tc);
	return s;
}
