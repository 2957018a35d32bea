/* Live glue: which installed hotpatch packages an apply acts on (running
 * build match, newest of a series, PKG words), and the engine item built
 * from a package and its published record; orphans (live, applied by us
 * per the journal, package gone) versus foreign live patches. Inputs are
 * fake package lists and journal records;
 * the engines and the rpmdb are proven in tests/vm/t1000-live-apply.sh. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hp_journal.h"
#include "hp_live.h"
#include "testutil.h"

static struct hp_live_pkgs pkgs;
static struct hp_strvec notes;

static void add(const char *name, const char *evr, const char *component, const char *build)
{
	struct hp_live_pkg p = { 0 };
	char *payload = hp_xasprintf("/usr/lib/hotpatch/%s/%s/%s.ko", component, build, name);

	p.name = (char *)name;
	p.evr = (char *)evr;
	p.arch = (char *)"x86_64";
	p.component = (char *)component;
	p.build = (char *)build;
	p.engine = (char *)"klp";
	p.payload = payload;
	p.payload_sha256 = (char *)"aa";
	hp_live_pkgs_add(&pkgs, &p);
	free(payload);
}

static struct hp_running running[] = {
	{ (char *)"kernel-core", (char *)"6.1.0-57", (char *)"6.1.0-57-amd64", 0 },
	{ (char *)"openssl-libs", (char *)"1:3.0.11-1", NULL, 0 },
};

static void setup(void)
{
	hp_live_pkgs_init(&pkgs);
	hp_strvec_init(&notes);
}

static void teardown(void)
{
	hp_live_pkgs_release(&pkgs);
	hp_strvec_release(&notes);
}

/* Selected package names, space-separated. */
static char *select_names(const struct hp_strvec *wanted, int *rc, struct hp_strbuf *err)
{
	struct hp_strbuf out = HP_STRBUF_INIT;
	size_t *sel = NULL, nr = 0;

	*rc = hp_live_select(&pkgs, running, 2, wanted, &sel, &nr, &notes, err);
	for (size_t i = 0; i < nr; i++)
		hp_strbuf_addf(&out, "%s%s-%s", i ? " " : "", pkgs.v[sel[i]].name,
			       pkgs.v[sel[i]].evr);
	free(sel);
	return hp_strbuf_detach(&out);
}

START_TEST(test_select_running_builds_only)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *got;
	int rc;

	add("kpatch-57", "1-1", "kernel-core", "6.1.0-57");
	add("kpatch-58", "1-1", "kernel-core", "6.1.0-58");     /* another kernel */
	add("ssl-hp", "1-1", "openssl-libs", "1:3.0.11-1");
	add("ssl-old", "1-1", "openssl-libs", "3.0.11-1");      /* epoch differs */
	add("glibc-hp", "1-1", "glibc", "2.36-9");              /* not running */
	got = select_names(NULL, &rc, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(got, "kpatch-57-1-1 ssl-hp-1-1");
	ck_assert_uint_eq(notes.nr, 3);
	ck_assert_ptr_nonnull(strstr(notes.v[0], "kernel-core-6.1.0-57 is running"));
	ck_assert_ptr_nonnull(strstr(notes.v[2], "glibc is not running"));
	free(got);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_select_newest_of_series)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *got;
	int rc;

	add("kpatch-57", "2-1", "kernel-core", "6.1.0-57");
	add("kpatch-57", "10-1", "kernel-core", "6.1.0-57");    /* rpmvercmp: 10 > 2 */
	add("kpatch-57", "9-1", "kernel-core", "6.1.0-57");
	add("other-57", "1-1", "kernel-core", "6.1.0-57");      /* another series */
	got = select_names(NULL, &rc, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(got, "kpatch-57-10-1 other-57-1-1");
	ck_assert_uint_eq(notes.nr, 2);
	ck_assert_ptr_nonnull(strstr(notes.v[0], "kpatch-57-10-1.x86_64 is newer"));
	free(got);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_select_newest_ignores_other_builds)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *got;
	int rc;

	/* A newer version for a kernel that does not run does not hide the
	 * one for the running kernel. */
	add("kpatch", "1-1", "kernel-core", "6.1.0-57");
	add("kpatch", "5-1", "kernel-core", "6.1.0-60");
	got = select_names(NULL, &rc, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(got, "kpatch-1-1");
	free(got);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_select_wanted)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_strvec w = HP_STRVEC_INIT;
	char *got;
	int rc;

	add("kpatch-57", "1-1", "kernel-core", "6.1.0-57");
	add("kpatch-57", "2-1", "kernel-core", "6.1.0-57");
	add("ssl-hp", "1-1", "openssl-libs", "1:3.0.11-1");
	add("kpatch-58", "1-1", "kernel-core", "6.1.0-58");

	hp_strvec_push(&w, "ssl-hp-1-1.x86_64");   /* by NEVRA */
	got = select_names(&w, &rc, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(got, "ssl-hp-1-1");
	free(got);

	hp_strvec_push(&w, "kpatch-57");             /* by name: the newest */
	got = select_names(&w, &rc, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(got, "kpatch-57-2-1 ssl-hp-1-1");
	free(got);

	hp_strvec_push(&w, "kpatch-57-1-1.x86_64");  /* an older one: refused */
	hp_strvec_push(&w, "kpatch-58");             /* not for a running build */
	hp_strvec_push(&w, "nosuch");
	got = select_names(&w, &rc, &err);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(strstr(err.buf, "'kpatch-57-1-1.x86_64' is not for a running build"));
	ck_assert_ptr_nonnull(strstr(err.buf, "'kpatch-58' is not for a running build"));
	ck_assert_ptr_nonnull(strstr(err.buf, "'nosuch' is not an installed hotpatch package"));
	free(got);
	hp_strvec_release(&w);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_item_from_published)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine_item it;
	struct hp_meta meta;
	struct hp_hotpatch h;
	const struct hp_meta *metas[1] = { &meta };
	const struct hp_hotpatch *pub;

	add("kpatch-57", "2-1", "kernel-core", "6.1.0-57");
	hp_meta_init(&meta);
	hp_hotpatch_init(&h);
	h.name = hp_xstrdup("kpatch-57");
	h.version = hp_xstrdup("2");
	h.release = hp_xstrdup("1");
	h.arch = hp_xstrdup("x86_64");
	h.payload = hp_xstrdup("/usr/lib/hotpatch/kernel-core/6.1.0-57/kpatch-57.ko");
	h.payload_sha256 = hp_xstrdup("bb");
	hp_meta_add_hotpatch(&meta, &h);

	/* Without a published record: the rpmdb's digest. */
	ck_assert_int_eq(hp_live_item_fill(&it, &pkgs.v[0], NULL, &err), 0);
	ck_assert_str_eq(it.payload_sha256, "aa");
	ck_assert_str_eq(it.package, "kpatch-57-2-1.x86_64");

	pub = hp_live_find_published(metas, 1, &pkgs.v[0]);
	ck_assert_ptr_nonnull(pub);
	ck_assert_int_eq(hp_live_item_fill(&it, &pkgs.v[0], pub, &err), 0);
	ck_assert_str_eq(it.payload_sha256, "bb");

	/* Another version is not the same package. */
	free(pkgs.v[0].evr);
	pkgs.v[0].evr = hp_xstrdup("3-1");
	ck_assert_ptr_null(hp_live_find_published(metas, 1, &pkgs.v[0]));

	/* A published payload elsewhere than installed is refused. */
	free(meta.hotpatches[0].payload);
	meta.hotpatches[0].payload = hp_xstrdup("/usr/lib/hotpatch/kernel-core/6.1.0-57/x.ko");
	ck_assert_int_eq(hp_live_item_fill(&it, &pkgs.v[0], &meta.hotpatches[0], &err), -1);
	ck_assert_ptr_nonnull(strstr(err.buf, "is not the published"));

	hp_meta_release(&meta);
	hp_strbuf_release(&err);
}
END_TEST

/* --root: the exec engines come from <root>/<sysconfdir>/hotpatch/engines.d,
 * not from the host's. */
START_TEST(test_exec_engines_below_root)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char tmp[64], *dir, *file;
	struct hp_live_pkg *p;

	hp_test_mkdtemp(tmp, sizeof(tmp), "hp-live-test");
	add("ulp-hotpatch", "1-1", "openssl-libs", "1:3.0.11-1");
	p = &pkgs.v[0];
	free(p->engine);
	p->engine = hp_xstrdup("hptestroot");
	/* no such engine file yet: the root's directory is where it is looked for */
	ck_assert_int_eq(hp_live_pkg_is_live(p, tmp, NULL, &err), -1);
	ck_assert_msg(strstr(err.buf, tmp) != NULL, "%s", err.buf);
	hp_strbuf_reset(&err);

	dir = hp_xasprintf("%s" HP_SYSCONFDIR "/hotpatch/engines.d", tmp);
	ck_assert_int_eq(hp_mkdir_p(dir, 0755, &err), 0);
	file = hp_xasprintf("%s/hptestroot.conf", dir);
	hp_test_write_file(file, "apply = /bin/true\nrevert = /bin/true\n"
			   "is_live = /bin/true {package}\n", 0644);
	ck_assert_msg(hp_live_pkg_is_live(p, tmp, NULL, &err) == 1, "%s", err.buf);

	hp_test_rm_rf(tmp);
	free(dir);
	free(file);
	hp_strbuf_release(&err);
}
END_TEST

static struct hp_journal_entry rec(const char *op, const char *engine, const char *package,
				   const char *live_name)
{
	struct hp_journal_entry e = { 0 };

	e.op = (char *)op;
	e.engine = (char *)engine;
	e.package = (char *)package;
	e.live_name = (char *)live_name;
	e.phase = (char *)"done";
	return e;
}

/* klp: installed -> accounted for; journaled apply -> orphan (package from
 * the LAST matching record); unknown -> foreign; a revert record or another
 * engine's record makes nothing ours; a module engine's record without
 * live_name is not guessed from. */
START_TEST(test_classify_klp)
{
	struct hp_live_patch live[] = {
		{ (char *)"lp_installed", NULL, 1, 0 }, { (char *)"lp_gone", NULL, 1, 0 },
		{ (char *)"lp_other", NULL, 1, 0 }, { (char *)"lp_reverted_only", NULL, 1, 0 },
		{ (char *)"lp_kpatch", NULL, 1, 0 }, { (char *)"lp_old", NULL, 1, 0 },
	};
	struct hp_journal_entry j[] = {
		rec("apply", "klp", "kpatch-a-1-1.x86_64", "lp_installed"),
		rec("apply", "klp", "kpatch-b-1-1.x86_64", "lp_gone"),
		rec("apply", "klp", "kpatch-b-2-1.x86_64", "lp_gone"),
		rec("revert", "klp", "kpatch-c-1-1.x86_64", "lp_reverted_only"),
		rec("apply", "kpatch", "kpatch-d-1-1.x86_64", "lp_kpatch"),
		rec("apply", "klp", "lp_old", NULL),
	};
	struct hp_strvec installed = HP_STRVEC_INIT;
	struct hp_live_orphans o;

	hp_live_orphans_init(&o);
	hp_strvec_push(&installed, "lp_installed");
	hp_live_classify("klp", live, 6, &installed, j, 6, &o);
	ck_assert_uint_eq(o.nr_orphans, 1);
	ck_assert_str_eq(o.orphans[0].live_name, "lp_gone");
	ck_assert_str_eq(o.orphans[0].engine, "klp");
	ck_assert_str_eq(o.orphans[0].package, "kpatch-b-2-1.x86_64");
	ck_assert_uint_eq(o.nr_foreign, 4);
	ck_assert_str_eq(o.foreign[0].live_name, "lp_other");
	ck_assert_str_eq(o.foreign[1].live_name, "lp_reverted_only");
	ck_assert_str_eq(o.foreign[2].live_name, "lp_kpatch");
	ck_assert_str_eq(o.foreign[3].live_name, "lp_old");
	ck_assert_ptr_null(o.foreign[0].package);
	hp_live_orphans_release(&o);
	hp_strvec_release(&installed);
}
END_TEST

/* Exec engines name patches by NEVRA: records from before live_name was
 * journaled still identify them; an upgraded package (another NEVRA
 * installed) leaves the old NEVRA live as an orphan. */
START_TEST(test_classify_exec_by_nevra)
{
	struct hp_live_patch live[] = { { (char *)"ulp-1-1.x86_64", NULL, 1, 0 },
					{ (char *)"ulp-2-1.x86_64", NULL, 1, 0 } };
	struct hp_journal_entry j[] = { rec("apply", "ulp", "ulp-1-1.x86_64", NULL),
					rec("apply", "ulp", "ulp-2-1.x86_64",
					    "ulp-2-1.x86_64") };
	struct hp_strvec installed = HP_STRVEC_INIT;
	struct hp_live_orphans o;

	hp_live_orphans_init(&o);
	hp_strvec_push(&installed, "ulp-2-1.x86_64");
	hp_live_classify("ulp", live, 2, &installed, j, 2, &o);
	ck_assert_uint_eq(o.nr_orphans, 1);
	ck_assert_str_eq(o.orphans[0].package, "ulp-1-1.x86_64");
	ck_assert_uint_eq(o.nr_foreign, 0);
	hp_live_orphans_release(&o);
	hp_strvec_release(&installed);
}
END_TEST

/* hp_live_find_orphans against a real exec engine (its `list` command
 * prints two live names) and journal records: one orphan, one foreign, and
 * the installed package accounted for. klp is asked too (a fake empty sysfs
 * here: nothing live). */
START_TEST(test_find_orphans_exec_engine)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_strvec n = HP_STRVEC_INIT;
	struct hp_engine_config cfg;
	struct hp_live_orphans o;
	struct hp_journal_entry j[] = { rec("apply", "hptestorph", "gone-1-1.x86_64",
					    "gone-1-1.x86_64") };
	char tmp[64], *dir, *file, *sys, *conf_dir;

	hp_test_mkdtemp(tmp, sizeof(tmp), "hp-orphan-test");
	dir = hp_xasprintf("%s" HP_SYSCONFDIR "/hotpatch/engines.d", tmp);
	sys = hp_xasprintf("%s/sys", tmp);
	ck_assert_int_eq(hp_mkdir_p(dir, 0755, &err), 0);
	ck_assert_int_eq(hp_mkdir_p(sys, 0755, &err), 0);
	file = hp_xasprintf("%s/hptestorph.conf", dir);
	hp_test_write_file(file, "apply = /bin/true\nrevert = /bin/true\n"
			   "list = /usr/bin/printf %s\\n gone-1-1.x86_64 foreign-1 here-1-1.x86_64\n",
			   0644);
	add("here", "1-1", "openssl-libs", "1:3.0.11-1");
	free(pkgs.v[0].engine);
	pkgs.v[0].engine = hp_xstrdup("hptestorph");

	hp_live_orphans_init(&o);
	conf_dir = hp_live_engine_config(&cfg, tmp, NULL, 0);
	cfg.sysfs_root = sys;
	ck_assert_int_eq(hp_live_find_orphans(&cfg, &pkgs, j, 1, &o, &n), 0);
	ck_assert_msg(n.nr == 0, "%s", n.nr ? n.v[0] : "");
	ck_assert_uint_eq(o.nr_orphans, 1);
	ck_assert_str_eq(o.orphans[0].live_name, "gone-1-1.x86_64");
	ck_assert_str_eq(o.orphans[0].engine, "hptestorph");
	ck_assert_uint_eq(o.nr_foreign, 1);
	ck_assert_str_eq(o.foreign[0].live_name, "foreign-1");

	hp_live_orphans_release(&o);
	hp_test_rm_rf(tmp);
	free(conf_dir);
	free(dir);
	free(sys);
	free(file);
	hp_strvec_release(&n);
	hp_strbuf_release(&err);
}
END_TEST

Suite *live_suite(void)
{
	Suite *s = suite_create("live");
	TCase *tc = tcase_create("select");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_select_running_builds_only);
	tcase_add_test(tc, test_select_newest_of_series);
	tcase_add_test(tc, test_select_newest_ignores_other_builds);
	tcase_add_test(tc, test_select_wanted);
	tcase_add_test(tc, test_item_from_published);
	tcase_add_test(tc, test_exec_engines_below_root);
	tcase_add_test(tc, test_classify_klp);
	tcase_add_test(tc, test_classify_exec_by_nevra);
	tcase_add_test(tc, test_find_orphans_exec_engine);
	suite_add_tcase(s, tc);
	return s;
}
