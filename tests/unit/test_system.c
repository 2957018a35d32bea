/* System state from a real rpmdb: fixture RPMs are built with rpmbuild from
 * tests/integration/fixtures/specs (through lib.sh's hp_build_rpm) and
 * installed with `rpm --root R --dbpath /root/.rpmdb -i --nodeps` into
 * throwaway roots, then read back with system.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp_resolve.h"
#include "hp_system.h"

#define LIB_SH HP_TEST_DATA "/../integration/lib.sh"

static char tmpdir[] = "/tmp/hp-test-system.XXXXXX";
static int fixture_ok;

/* Roots: deb (Debian-style kernel releases, /root/.rpmdb), fed (Fedora-style
 * kernel-uname-r provide), alt (rpmdb at /var/lib/altdb). */
static const char script[] =
	"set -e\n"
	"T=$1\n"
	"HP_TEST_TMP=$(mktemp -d)\n"
	"export HP_TEST_TMP\n"
	". '" LIB_SH "'\n"
	"R=$T/rpms\n"
	"hp_build_rpm kernel-core $R --define 'krel 57' >/dev/null\n"
	"hp_build_rpm kernel-core $R --define 'krel 58' >/dev/null\n"
	"hp_build_rpm kernel-core $R/fed --define 'kver 6.5.6' --define 'krel 300.fc39'"
	"  --define 'uname_r 6.5.6-300.fc39.x86_64' >/dev/null\n"
	"hp_build_rpm openssl-libs $R --define 'ver 3.0.11' --define 'rel 1' >/dev/null\n"
	"hp_build_rpm hotpatch $R --define 'hp_name kpatch-57' --define 'hp_version 2'"
	"  --define 'build 6.1.0-57' >/dev/null\n"
	"hp_installroot $T/deb\n"
	"hp_rpm_install $T/deb $R/*.rpm\n"
	"hp_installroot $T/fed\n"
	"hp_rpm_install $T/fed $R/fed/*.rpm\n"
	"mkdir -p $T/alt\n"
	"rpm --root $T/alt --dbpath /var/lib/altdb --initdb\n"
	"rpm \"${HP_RPM_FORCE[@]}\" --root $T/alt --dbpath /var/lib/altdb -i --nodeps --noscripts"
	"  --nosignature $R/openssl-libs-*.rpm 2>/dev/null\n";

static void setup(void)
{
	char *path, *cmd;
	FILE *f;

	if (!mkdtemp(tmpdir))
		return;
	path = hp_path_join(tmpdir, "setup.sh");
	f = fopen(path, "w");
	if (f) {
		fputs(script, f);
		fclose(f);
		cmd = hp_xasprintf("bash %s %s >%s/setup.log 2>&1 || { cat %s/setup.log >&2; exit 1; }",
				   path, tmpdir, tmpdir, tmpdir);
		fixture_ok = system(cmd) == 0;
		free(cmd);
	}
	free(path);
}

static void teardown(void)
{
	char *cmd = hp_xasprintf("rm -rf %s", tmpdir);

	if (system(cmd)) {
		/* leftovers in /tmp are harmless */
	}
	free(cmd);
}

static void load(struct hp_system *s, const char *root, const char *dbpath, const char *uname_r)
{
	struct hp_system_opts o = { NULL, dbpath, uname_r, NULL };
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *r = hp_path_join(tmpdir, root);

	ck_assert_msg(fixture_ok, "fixture setup failed (see the log above)");
	o.root = r;
	hp_system_init(s);
	ck_assert_msg(hp_system_load(s, &o, &err) == 0, "load %s: %s", root, err.buf);
	free(r);
	hp_strbuf_release(&err);
}

static void detect(struct hp_system *s, const char *const *components, const char *override)
{
	struct hp_strvec c = HP_STRVEC_INIT, ov = HP_STRVEC_INIT;
	struct hp_strbuf err = HP_STRBUF_INIT;

	for (size_t i = 0; components[i]; i++)
		hp_strvec_push(&c, components[i]);
	if (override)
		hp_strvec_push(&ov, override);
	ck_assert_msg(hp_system_detect_running(s, &c, &ov, &err) == 0, "%s", err.buf);
	hp_strvec_release(&c);
	hp_strvec_release(&ov);
	hp_strbuf_release(&err);
}

static const char *const components[] = { "kernel-core", "openssl-libs", "glibc", NULL };

START_TEST(test_debian_vmlinuz)
{
	struct hp_system s;
	const struct hp_running *r;

	load(&s, "deb", "/root/.rpmdb", "6.1.0-57-amd64");
	ck_assert_str_eq(s.kernel_name, "kernel-core");
	ck_assert_str_eq(s.kernel_evr, "6.1.0-57");
	ck_assert_ptr_nonnull(hp_pool_newest_installed(s.pool, "kernel-core"));
	ck_assert_str_eq(hp_pool_newest_installed(s.pool, "kernel-core"), "6.1.0-58");
	detect(&s, components, NULL);
	r = hp_system_running(&s, "kernel-core");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->evr, "6.1.0-57");
	ck_assert_str_eq(r->release, "6.1.0-57-amd64");
	r = hp_system_running(&s, "openssl-libs");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->evr, "3.0.11-1");
	ck_assert_ptr_null(hp_system_running(&s, "glibc"));
	hp_system_release(&s);

	/* The other installed kernel when that one runs. */
	load(&s, "deb", "/root/.rpmdb", "6.1.0-58-amd64");
	ck_assert_str_eq(s.kernel_evr, "6.1.0-58");
	hp_system_release(&s);
}
END_TEST

START_TEST(test_default_dbpath_and_env_uname)
{
	struct hp_system s;

	/* Debian's rpm %_dbpath is ~/.rpmdb = /root/.rpmdb for root. */
	setenv("HP_UNAME_R", "6.1.0-58-amd64", 1);
	load(&s, "deb", NULL, NULL);
	unsetenv("HP_UNAME_R");
	ck_assert_str_eq(s.dbpath, "/root/.rpmdb");
	ck_assert_str_eq(s.uname_r, "6.1.0-58-amd64");
	ck_assert_str_eq(s.kernel_evr, "6.1.0-58");
	hp_system_release(&s);
}
END_TEST

START_TEST(test_fedora_provide)
{
	struct hp_system s;
	const struct hp_running *r;

	load(&s, "fed", "/root/.rpmdb", "6.5.6-300.fc39.x86_64");
	ck_assert_str_eq(s.kernel_name, "kernel-core");
	ck_assert_str_eq(s.kernel_evr, "6.5.6-300.fc39");
	detect(&s, components, NULL);
	r = hp_system_running(&s, "kernel-core");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->evr, "6.5.6-300.fc39");
	hp_system_release(&s);
}
END_TEST

START_TEST(test_unknown_kernel_and_override)
{
	struct hp_system s;
	const struct hp_running *r;

	load(&s, "deb", "/root/.rpmdb", "5.10.0-1-amd64");
	ck_assert_ptr_null(s.kernel_name);
	detect(&s, components, NULL);
	ck_assert_ptr_null(hp_system_running(&s, "kernel-core"));
	ck_assert_int_eq(s.messages.nr, 1);
	ck_assert_ptr_nonnull(strstr(s.messages.v[0], "5.10.0-1-amd64"));
	detect(&s, components, "kernel-core=6.1.0-58");
	r = hp_system_running(&s, "kernel-core");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->evr, "6.1.0-58");
	ck_assert_int_eq(r->overridden, 1);
	hp_system_release(&s);
}
END_TEST

START_TEST(test_dbpath_override)
{
	struct hp_system s;

	load(&s, "alt", "/var/lib/altdb", "6.1.0-57-amd64");
	ck_assert_str_eq(s.dbpath, "/var/lib/altdb");
	ck_assert_str_eq(hp_pool_newest_installed(s.pool, "openssl-libs"), "3.0.11-1");
	ck_assert_ptr_null(hp_pool_newest_installed(s.pool, "kernel-core"));
	hp_system_release(&s);

	/* The macro was popped: the default is back. */
	load(&s, "deb", NULL, "6.1.0-57-amd64");
	ck_assert_str_eq(s.dbpath, "/root/.rpmdb");
	hp_system_release(&s);
}
END_TEST

START_TEST(test_installed_hotpatch_from_headers)
{
	struct hp_system s;
	struct hp_resolution res;
	struct hp_resolve_input in;
	struct hp_strbuf err = HP_STRBUF_INIT;

	load(&s, "deb", NULL, "6.1.0-57-amd64");
	detect(&s, components, NULL);
	memset(&in, 0, sizeof(in));
	in.pool = s.pool;
	in.running = s.running;
	in.nr_running = s.nr_running;
	in.now = hp_now();
	hp_resolution_init(&res);
	ck_assert_int_eq(hp_resolve(&in, &res, &err), 0);
	/* Found by its real `Provides: hotpatch(kernel-core) = 6.1.0-57`. */
	ck_assert_int_eq(res.nr_installed, 1);
	ck_assert_str_eq(res.installed[0].package, "kpatch-57");
	ck_assert_str_eq(res.installed[0].evr, "2-1");
	ck_assert_str_eq(res.installed[0].component, "kernel-core");
	ck_assert_str_eq(res.installed[0].build, "6.1.0-57");
	ck_assert_int_eq(res.installed[0].for_running, 1);
	hp_resolution_release(&res);
	hp_strbuf_release(&err);
	hp_system_release(&s);
}
END_TEST

/* The @System cache: the second load of an unchanged rpmdb reads the cache
 * (the file is not rewritten), and any rpm transaction changes the key. */
START_TEST(test_system_cache)
{
	struct hp_system_opts o = { NULL, "/root/.rpmdb", "6.1.0-57-amd64", NULL };
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_cache c;
	struct hp_system s;
	struct stat st1, st2;
	char *root, *cache, *solv, *cmd;

	ck_assert_msg(fixture_ok, "fixture setup failed (see the log above)");
	/* A root of its own: the erase below must not change the others. */
	cmd = hp_xasprintf("cp -a %s/deb %s/cached", tmpdir, tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	root = hp_path_join(tmpdir, "cached");
	cache = hp_path_join(root, "var/cache/hotpatch");
	solv = hp_path_join(cache, "system.solv");
	o.root = root;
	hp_cache_init(&c, cache);
	o.cache = &c;
	hp_system_init(&s);
	ck_assert_msg(hp_system_load(&s, &o, &err) == 0, "%s", err.buf);
	hp_cache_flush(&c);
	ck_assert_int_eq(stat(solv, &st1), 0);
	ck_assert_str_eq(hp_pool_newest_installed(s.pool, "openssl-libs"), "3.0.11-1");

	ck_assert_msg(hp_system_load(&s, &o, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(c.nr_pending, 0);   /* a hit queues nothing */
	hp_cache_flush(&c);
	ck_assert_int_eq(stat(solv, &st2), 0);
	ck_assert_int_eq(st1.st_ino, st2.st_ino);   /* read, not rewritten */
	ck_assert_str_eq(s.kernel_evr, "6.1.0-57");
	ck_assert_str_eq(hp_pool_newest_installed(s.pool, "kernel-core"), "6.1.0-58");
	ck_assert_str_eq(hp_pool_newest_installed(s.pool, "openssl-libs"), "3.0.11-1");

	cmd = hp_xasprintf("rpm --root %s --dbpath /root/.rpmdb -e --nodeps openssl-libs", root);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	ck_assert_msg(hp_system_load(&s, &o, &err) == 0, "%s", err.buf);
	ck_assert_ptr_null(hp_pool_newest_installed(s.pool, "openssl-libs"));
	hp_cache_flush(&c);
	ck_assert_int_eq(stat(solv, &st2), 0);
	ck_assert_int_ne(st1.st_ino, st2.st_ino);   /* rebuilt for the new state */
	hp_system_release(&s);
	hp_cache_release(&c);
	hp_strbuf_release(&err);
	free(solv);
	free(cache);
	free(root);
}
END_TEST

START_TEST(test_missing_rpmdb)
{
	struct hp_system s;
	struct hp_system_opts o = { "/nonexistent-root", NULL, NULL, NULL };
	struct hp_strbuf err = HP_STRBUF_INIT;

	hp_system_init(&s);
	ck_assert_int_eq(hp_system_load(&s, &o, &err), -1);
	ck_assert_msg(strstr(err.buf, "cannot use root '/nonexistent-root'"), "%s", err.buf);
	hp_strbuf_reset(&err);

	o.root = tmpdir;   /* exists, but has no rpmdb at /root/.rpmdb */
	ck_assert_int_eq(hp_system_load(&s, &o, &err), -1);
	ck_assert_msg(strstr(err.buf, "cannot open the rpm database at '") &&
		      strstr(err.buf, "/root/.rpmdb': No such file or directory"), "%s", err.buf);
	ck_assert_ptr_null(s.pool);
	hp_strbuf_release(&err);
	hp_system_release(&s);
}
END_TEST

Suite *system_suite(void)
{
	Suite *s = suite_create("system");
	TCase *tc = tcase_create("rpmdb");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_debian_vmlinuz);
	tcase_add_test(tc, test_system_cache);
	tcase_add_test(tc, test_default_dbpath_and_env_uname);
	tcase_add_test(tc, test_fedora_provide);
	tcase_add_test(tc, test_unknown_kernel_and_override);
	tcase_add_test(tc, test_dbpath_override);
	tcase_add_test(tc, test_installed_hotpatch_from_headers);
	tcase_add_test(tc, test_missing_rpmdb);
	suite_add_tcase(s, tc);
	return s;
}
