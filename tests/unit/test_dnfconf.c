/* dnf configuration beyond one baseurl (hp_dnfconf.h): the issue-12 keys
 * of dnf.conf [main] and of repo sections as repo_conf.c reads them,
 * variables substituted in URLs and keys, and includepkgs/excludepkgs on
 * a repository's hotpatch records. Loading from mirrors and metalinks is
 * covered with real servers by t2201. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hp_dnfconf.h"
#include "testutil.h"

static void write_in(const char *root, const char *rel, const char *text)
{
	char *p = hp_path_join(root, rel);

	hp_test_write_str(p, text);
	free(p);
}

START_TEST(test_conf_keys)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repo_conf *c = NULL;
	struct hp_dnf_main m;
	struct hp_dnfvars v;
	char root[64], *p;
	size_t n = 0;

	hp_test_mkdtemp(root, sizeof(root), "dnfconf");
	write_in(root, "etc/dnf/dnf.conf",
		 "[main]\nreleasever=9\nskip_if_unavailable=True\nexclude=kernel-debug*, foo\n"
		 "includepkgs=\n");
	write_in(root, "etc/yum.repos.d/a.repo",
		 "[a]\n"
		 "baseurl=http://m1/$releasever/$basearch/, http://m2/${releasever}\n"
		 "        file:///srv/$basearch\n"
		 "metalink=https://mirrors.example/metalink?repo=a-$releasever&arch=$basearch\n"
		 "mirrorlist=https://mirrors.example/list\n"
		 "gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-$releasever-$basearch\n"
		 "includepkgs=kernel-hotpatch*\n"
		 "excludepkgs=kernel-hotpatch-0:1-*\n"
		 "[b]\n"
		 "baseurl=http://b/\n"
		 "skip_if_unavailable=false\n");
	hp_dnf_main_init(&m);
	ck_assert_msg(hp_dnf_conf_read(root, &m, &c, &n, &err) == 0, "%s", err.buf);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(m.releasever, "9");
	ck_assert_int_eq(m.skip_if_unavailable, 1);
	ck_assert_uint_eq(m.excludepkgs.nr, 2);
	ck_assert_str_eq(m.excludepkgs.v[1], "foo");
	ck_assert_uint_eq(m.includepkgs.nr, 0);
	ck_assert_int_eq(c[0].skip_if_unavailable, 1);   /* [main]'s default */
	ck_assert_int_eq(c[1].skip_if_unavailable, 0);   /* its own wins */
	ck_assert_uint_eq(c[0].baseurls.nr, 3);
	ck_assert_uint_eq(c[0].includepkgs.nr, 1);
	ck_assert_str_eq(c[0].excludepkgs.v[0], "kernel-hotpatch-0:1-*");

	hp_dnfvars_init(&v);
	hp_dnfvars_set(&v, "releasever", "9.4");
	hp_dnfvars_set(&v, "basearch", "aarch64");
	v.releasever_detected = 1;
	hp_dnfconf_expand(&c[0], &v);
	ck_assert_str_eq(c[0].baseurls.v[0], "http://m1/9.4/aarch64/");
	ck_assert_str_eq(c[0].baseurls.v[1], "http://m2/9.4");
	ck_assert_str_eq(c[0].baseurls.v[2], "file:///srv/aarch64");
	ck_assert_str_eq(c[0].baseurl, "http://m1/9.4/aarch64/");
	ck_assert_str_eq(c[0].metalink, "https://mirrors.example/metalink?repo=a-9.4&arch=aarch64");
	ck_assert_str_eq(c[0].mirrorlist, "https://mirrors.example/list");
	/* file:// keys live in the root, and are substituted too */
	p = hp_path_join(root, "etc/pki/rpm-gpg/RPM-GPG-KEY-9.4-aarch64");
	ck_assert_str_eq(c[0].gpgkeys.v[0], p);
	free(p);
	hp_dnfvars_release(&v);
	hp_repo_conf_free(c, n);
	hp_dnf_main_release(&m);
	hp_strbuf_release(&err);
	hp_test_rm_rf(root);
}
END_TEST

static void add_hotpatch(struct hp_meta *meta, const char *name, const char *epoch,
			 const char *version)
{
	struct hp_hotpatch *h;

	meta->hotpatches = hp_xrealloc(meta->hotpatches,
				       (meta->nr_hotpatches + 1) * sizeof(*meta->hotpatches));
	h = &meta->hotpatches[meta->nr_hotpatches++];
	memset(h, 0, sizeof(*h));
	hp_strvec_init(&h->cves);
	hp_strvec_init(&h->advisories);
	h->name = hp_xstrdup(name);
	h->epoch = hp_xstrdup(epoch);
	h->version = hp_xstrdup(version);
	h->release = hp_xstrdup("1");
	h->arch = hp_xstrdup("x86_64");
}

/* The names left after filtering a repo of kernel-hotpatch 1 and 2,
 * openssl-hotpatch 1:3 with the given lists, comma-joined. */
static char *filtered(const char *incl, const char *excl, const char *main_incl,
		      const char *main_excl)
{
	struct hp_repo r;
	struct hp_repo_conf c;
	struct hp_dnf_main m;
	struct hp_strbuf out = HP_STRBUF_INIT;

	hp_repo_init(&r);
	r.has_meta = 1;
	add_hotpatch(&r.meta, "kernel-hotpatch", NULL, "1");
	add_hotpatch(&r.meta, "kernel-hotpatch", "", "2");
	add_hotpatch(&r.meta, "openssl-hotpatch", "1", "3");
	memset(&c, 0, sizeof(c));
	hp_repo_conf_init_more(&c);
	hp_conf_split_list(&c.includepkgs, incl);
	hp_conf_split_list(&c.excludepkgs, excl);
	hp_dnf_main_init(&m);
	hp_conf_split_list(&m.includepkgs, main_incl);
	hp_conf_split_list(&m.excludepkgs, main_excl);
	hp_repo_filter_pkgs(&r, &c, &m);
	for (size_t i = 0; i < r.meta.nr_hotpatches; i++)
		hp_strbuf_addf(&out, "%s%s-%s", i ? "," : "", r.meta.hotpatches[i].name,
			       r.meta.hotpatches[i].version);
	hp_dnf_main_release(&m);
	hp_repo_conf_release_more(&c);
	hp_repo_release(&r);
	return hp_strbuf_detach(&out);
}

static void check_filter(const char *incl, const char *excl, const char *mi, const char *me,
			 const char *want)
{
	char *got = filtered(incl, excl, mi, me);

	ck_assert_msg(!strcmp(got, want), "include '%s' exclude '%s' main '%s'/'%s': '%s', "
		      "expected '%s'", incl, excl, mi, me, got, want);
	free(got);
}

START_TEST(test_filter)
{
	const char *all = "kernel-hotpatch-1,kernel-hotpatch-2,openssl-hotpatch-3";

	check_filter("", "", "", "", all);
	check_filter("", "kernel-hotpatch", "", "", "openssl-hotpatch-3");
	check_filter("", "kernel-hotpatch-2-1", "", "", "kernel-hotpatch-1,openssl-hotpatch-3");
	check_filter("", "kernel-hotpatch-0:1-1.x86_64", "", "", "kernel-hotpatch-2,openssl-hotpatch-3");
	check_filter("", "openssl-hotpatch-1:3-1", "", "", "kernel-hotpatch-1,kernel-hotpatch-2");
	check_filter("", "openssl-hotpatch-3-1", "", "", all);   /* epoch 1 must be written */
	check_filter("", "*.i686", "", "", all);
	check_filter("openssl*", "", "", "", "openssl-hotpatch-3");
	check_filter("openssl*", "", "kernel*", "", "");   /* both includes must hold */
	check_filter("", "", "", "*-2-*", "kernel-hotpatch-1,openssl-hotpatch-3");
	check_filter("kernel-hotpatch.x86_64", "kernel-hotpatch-2*", "", "",
		     "kernel-hotpatch-1");
}
END_TEST

Suite *dnfconf_suite(void)
{
	Suite *s = suite_create("dnfconf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_conf_keys);
	tcase_add_test(tc, test_filter);
	suite_add_tcase(s, tc);
	return s;
}
