/* dnf's variables (hp_dnfvars.h): substitution as libdnf's
 * ConfigParser::substitute does it, dnf's basearch table, and where the
 * values come from (environment, uname, dnf.conf, vars directories,
 * --releasever) in dnf 4's order. Detection from a real rpmdb is covered by
 * the integration test t2200 (a release package built with rpmbuild). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp_dnfvars.h"
#include "testutil.h"

/* A set of variables that never opens an rpmdb. */
static void fixed_vars(struct hp_dnfvars *v)
{
	hp_dnfvars_init(v);
	hp_dnfvars_set(v, "releasever", "8.6");
	hp_dnfvars_set(v, "basearch", "x86_64");
	hp_dnfvars_set(v, "empty", "");
	v->releasever_detected = 1;
}

static void check_subst(struct hp_dnfvars *v, const char *in, const char *want)
{
	char *got = hp_dnfvars_subst(v, in);

	ck_assert_msg(!strcmp(got, want), "'%s' -> '%s', expected '%s'", in, got, want);
	free(got);
}

START_TEST(test_subst_forms)
{
	struct hp_dnfvars v;

	fixed_vars(&v);
	check_subst(&v, "http://m/$releasever/$basearch/os/", "http://m/8.6/x86_64/os/");
	check_subst(&v, "http://m/${releasever}x/${basearch}", "http://m/8.6x/x86_64");
	check_subst(&v, "$releasever_major-$releasever_minor", "8-6");
	/* unknown variables stay as written */
	check_subst(&v, "a/$nope/${nope}/b", "a/$nope/${nope}/b");
	check_subst(&v, "$", "$");
	check_subst(&v, "$$x", "$$x");
	check_subst(&v, "a$/b", "a$/b");
	/* default and alternate values, nested */
	check_subst(&v, "${nope:-def}", "def");
	check_subst(&v, "${empty:-def}", "def");
	check_subst(&v, "${releasever:-def}", "8.6");
	check_subst(&v, "${releasever:+alt}", "alt");
	check_subst(&v, "${nope:+alt}|${empty:+alt}", "|");
	check_subst(&v, "${nope:-${basearch}}", "x86_64");
	check_subst(&v, "${nope:-${other:-$releasever}-z}", "8.6-z");
	/* escapes: the next character is literal; a trailing '\' stays */
	check_subst(&v, "\\$releasever", "$releasever");
	check_subst(&v, "a\\\\b", "a\\b");
	check_subst(&v, "x\\", "x\\");
	check_subst(&v, "${nope:-a\\}b}", "a}b");
	/* not closed or malformed: left as written */
	check_subst(&v, "${nope:-word", "${nope:-word");
	check_subst(&v, "${releasever", "${releasever");
	check_subst(&v, "${", "${");
	check_subst(&v, "${releasever:", "${releasever:");
	check_subst(&v, "${releasever:xy}", "${releasever:xy}");
	check_subst(&v, "${releasever/x", "${releasever/x");
	hp_dnfvars_release(&v);
}
END_TEST

START_TEST(test_basearch)
{
	ck_assert_str_eq(hp_dnf_basearch("x86_64"), "x86_64");
	ck_assert_str_eq(hp_dnf_basearch("amd64"), "x86_64");
	ck_assert_str_eq(hp_dnf_basearch("i686"), "i386");
	ck_assert_str_eq(hp_dnf_basearch("athlon"), "i386");
	ck_assert_str_eq(hp_dnf_basearch("armv7hl"), "armhfp");
	ck_assert_str_eq(hp_dnf_basearch("armv7l"), "arm");
	ck_assert_str_eq(hp_dnf_basearch("ppc64p7"), "ppc64");
	ck_assert_str_eq(hp_dnf_basearch("ppc64le"), "ppc64le");
	ck_assert_str_eq(hp_dnf_basearch("aarch64"), "aarch64");
	ck_assert_str_eq(hp_dnf_basearch("sh4a"), "sh4");
	ck_assert_ptr_null(hp_dnf_basearch("i68"));
	ck_assert_ptr_null(hp_dnf_basearch("x86"));
	ck_assert_ptr_null(hp_dnf_basearch(""));
}
END_TEST

static char *get_dup(struct hp_dnfvars *v, const char *name)
{
	const char *x = hp_dnfvars_get(v, name);

	return x ? strdup(x) : NULL;
}

START_TEST(test_sources_order)
{
	char root[64], *s;
	struct hp_dnfvars v;
	struct hp_dnfvars_opts o = { NULL, NULL, NULL, "7" };
	char p[256];

	hp_test_mkdtemp(root, sizeof(root), "dnfvars");
	o.root = root;
	snprintf(p, sizeof(p), "%s/etc/yum/vars/site", root);
	hp_test_write_str(p, "yum-site\n");
	snprintf(p, sizeof(p), "%s/etc/yum/vars/onlyyum", root);
	hp_test_write_str(p, "y\nsecond line\n");
	snprintf(p, sizeof(p), "%s/etc/dnf/vars/site", root);
	hp_test_write_str(p, "dnf-site");
	snprintf(p, sizeof(p), "%s/etc/dnf/vars/fromenv", root);
	hp_test_write_str(p, "file\n");
	setenv("DNF_VAR_fromenv", "env", 1);
	setenv("DNF_VAR_onlyenv", "env2", 1);
	setenv("DNF3", "three", 1);
	setenv("HP_UNAME_M", "i686", 1);

	/* dnf.conf's releasever= when nothing else sets it */
	hp_dnfvars_init(&v);
	hp_dnfvars_load(&v, &o);
	s = hp_dnfvars_subst(&v, "$releasever $site $onlyyum $fromenv $onlyenv $DNF3 $arch $basearch");
	ck_assert_str_eq(s, "7 dnf-site y file env2 three i686 i386");
	free(s);
	hp_dnfvars_release(&v);

	/* a vars file wins over dnf.conf, --releasever over both */
	snprintf(p, sizeof(p), "%s/etc/dnf/vars/releasever", root);
	hp_test_write_str(p, "9\n");
	hp_dnfvars_init(&v);
	hp_dnfvars_load(&v, &o);
	s = get_dup(&v, "releasever");
	ck_assert_str_eq(s, "9");
	free(s);
	hp_dnfvars_release(&v);
	o.releasever = "10";
	hp_dnfvars_init(&v);
	hp_dnfvars_load(&v, &o);
	s = get_dup(&v, "releasever");
	ck_assert_str_eq(s, "10");
	free(s);
	hp_dnfvars_release(&v);

	/* an unknown machine leaves $arch and $basearch unset, as dnf refuses it */
	setenv("HP_UNAME_M", "vax", 1);
	hp_dnfvars_init(&v);
	hp_dnfvars_load(&v, &o);
	ck_assert_ptr_null(hp_dnfvars_get(&v, "basearch"));
	hp_dnfvars_release(&v);

	unsetenv("DNF_VAR_fromenv");
	unsetenv("DNF_VAR_onlyenv");
	unsetenv("DNF3");
	unsetenv("HP_UNAME_M");
	hp_test_rm_rf(root);
}
END_TEST

START_TEST(test_detect_without_rpmdb)
{
	char root[64];
	struct hp_dnfvars v;
	struct hp_dnfvars_opts o = { NULL, NULL, NULL, NULL };

	/* no rpmdb: releasever stays undefined, $releasever stays in the text */
	hp_test_mkdtemp(root, sizeof(root), "dnfvars");
	o.root = root;
	hp_dnfvars_init(&v);
	hp_dnfvars_load(&v, &o);
	ck_assert_ptr_null(hp_dnfvars_get(&v, "releasever"));
	check_subst(&v, "x/$releasever/", "x/$releasever/");
	hp_dnfvars_release(&v);
	hp_test_rm_rf(root);
}
END_TEST

Suite *dnfvars_suite(void)
{
	Suite *s = suite_create("dnfvars");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_subst_forms);
	tcase_add_test(tc, test_basearch);
	tcase_add_test(tc, test_sources_order);
	tcase_add_test(tc, test_detect_without_rpmdb);
	suite_add_tcase(s, tc);
	return s;
}
