/* exec engine (real programs: /bin/true, /bin/false, /bin/sleep, shell
 * scripts writing files) and its config safety checks; kpatch probe. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hp_engine.h"
#include "testutil.h"

static char tmp[64];
static char *confdir, *root;

static void setup(void)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *payload;

	hp_test_mkdtemp(tmp, sizeof(tmp), "hp-exec-test");
	confdir = hp_xasprintf("%s/engines.d", tmp);
	root = hp_xasprintf("%s/root", tmp);
	ck_assert_int_eq(mkdir(confdir, 0755), 0);
	payload = hp_xasprintf("%s/usr/lib/hotpatch/openssl-libs/3.0.11-1", root);
	ck_assert_int_eq(hp_mkdir_p(payload, 0755, &err), 0);
	free(payload);
	payload = hp_xasprintf("%s/usr/lib/hotpatch/openssl-libs/3.0.11-1/fix.ulp", root);
	hp_test_write_file(payload, "payload\n", 0644);
	free(payload);
	hp_strbuf_release(&err);
}

static void teardown(void)
{
	hp_test_rm_rf(tmp);
	free(confdir);
	free(root);
}

static struct hp_engine *get(const char *name, struct hp_strbuf *err)
{
	struct hp_engine_config cfg = { 0 };

	cfg.exec_conf_dir = confdir;
	cfg.root_dir = root;
	return hp_engine_get(name, &cfg, err);
}

static void conf(const char *name, const char *text)
{
	char *p = hp_xasprintf("%s/%s.conf", confdir, name);

	hp_test_write_file(p, text, 0644);
	free(p);
}

static const struct hp_engine_item item = {
	"openssl-libs-hotpatch-1-1.x86_64", "openssl-libs", "3.0.11-1",
	"/usr/lib/hotpatch/openssl-libs/3.0.11-1/fix.ulp", NULL, NULL
};

START_TEST(t_names)
{
	struct hp_strbuf err = HP_STRBUF_INIT;

	ck_assert_ptr_null(get("../evil", &err));
	ck_assert_msg(strstr(err.buf, "invalid engine name '../evil': must match [a-z0-9_-]+"), "%s",
		      err.buf);
	hp_strbuf_reset(&err);
	ck_assert_ptr_null(get("Ulp", &err));
	ck_assert_ptr_null(get("", &err));
	hp_strbuf_reset(&err);
	ck_assert_ptr_null(get("nosuch", &err));
	ck_assert_msg(strstr(err.buf, "unknown engine 'nosuch': no '"), "%s", err.buf);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_unsafe_files)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *p = hp_xasprintf("%s/ucare.conf", confdir);
	char *link = hp_xasprintf("%s/lnk.conf", confdir);

	conf("ucare", "apply = /bin/true\nrevert = /bin/true\n");
	chmod(p, 0664);
	ck_assert_ptr_null(get("ucare", &err));
	ck_assert_msg(strstr(err.buf, "is group- or world-writable (mode 0664); refusing it"), "%s",
		      err.buf);
	chmod(p, 0646);
	hp_strbuf_reset(&err);
	ck_assert_ptr_null(get("ucare", &err));
	ck_assert_msg(strstr(err.buf, "world-writable (mode 0646)"), "%s", err.buf);
	chmod(p, 0644);
	ck_assert_int_eq(chown(p, 65534, 65534), 0);
	hp_strbuf_reset(&err);
	ck_assert_ptr_null(get("ucare", &err));
	ck_assert_msg(strstr(err.buf, "is not owned by root (uid 65534); refusing it"), "%s", err.buf);
	ck_assert_int_eq(chown(p, 0, 0), 0);
	/* The directory counts too: a writable one lets anyone swap the file. */
	chmod(confdir, 0777);
	hp_strbuf_reset(&err);
	ck_assert_ptr_null(get("ucare", &err));
	ck_assert_msg(strstr(err.buf, "exec engine directory"), "%s", err.buf);
	chmod(confdir, 0755);
	/* Symlinks are not followed. */
	ck_assert_int_eq(symlink(p, link), 0);
	hp_strbuf_reset(&err);
	ck_assert_ptr_null(get("lnk", &err));
	ck_assert_msg(strstr(err.buf, "cannot open"), "%s", err.buf);
	hp_strbuf_reset(&err);
	{
		struct hp_engine *e = get("ulp", &err);
		ck_assert_msg(e != NULL, "%s", err.buf);
		hp_engine_free(e);
	}
	free(p);
	free(link);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_bad_config)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "apply = /usr/bin/ulp trigger -p {pid} {payload}\nrevert = /bin/true\n",
		  "bad.conf:1: unknown placeholder in '{pid}'" },
		{ "apply = ulp trigger {payload}\nrevert = /bin/true\n",
		  "bad.conf:1: 'apply' must start with an absolute program path" },
		{ "apply = /bin/true\n", "'apply' and 'revert' are required" },
		{ "# c\n\napply = /bin/true\nrevert = /bin/true\nshell = /bin/sh\n",
		  "bad.conf:5: unknown key 'shell'" },
		{ "apply = /bin/true\nrevert = /bin/true\ntimeout = x\n",
		  "bad.conf:3: timeout must be 1..86400 seconds" },
		{ "apply = /bin/true\napply = /bin/true\n", "bad.conf:2: 'apply' given twice" },
		{ "apply = {payload}\nrevert = /bin/true\n",
		  "bad.conf:1: 'apply' must start with an absolute program path" },
	};
	struct hp_strbuf err = HP_STRBUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		conf("bad", cases[i].text);
		hp_strbuf_reset(&err);
		ck_assert_ptr_null(get("bad", &err));
		ck_assert_msg(strstr(err.buf, cases[i].msg), "case %zu: %s", i, err.buf);
	}
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_apply_true)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e;

	conf("t", "apply = /bin/true {payload}\nrevert = /bin/true\n");
	e = get("t", &err);
	ck_assert_msg(e != NULL, "%s", err.buf);
	ck_assert_msg(hp_engine_probe(e, &err) == 0, "%s", err.buf);
	ck_assert_msg(hp_engine_apply(e, &item, &err) == 0, "%s", err.buf);
	ck_assert_msg(hp_engine_revert(e, &item, &err) == 0, "%s", err.buf);
	/* Neither is_live nor list: the engine cannot tell, and says so. */
	ck_assert_int_eq(hp_engine_is_live(e, &item, &err), -1);
	ck_assert_msg(strstr(err.buf, "cannot tell what is live"), "%s", err.buf);
	hp_engine_free(e);
	hp_strbuf_release(&err);
}
END_TEST

/* A script engine that really keeps state in a file. */
START_TEST(t_script_engine)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e;
	struct hp_live_patch *v;
	size_t nr;
	char *state = hp_xasprintf("%s/state", tmp), *args = hp_xasprintf("%s/args", tmp);
	char *apply = hp_xasprintf("%s/apply.sh", tmp), *revert = hp_xasprintf("%s/revert.sh", tmp);
	char *islive = hp_xasprintf("%s/islive.sh", tmp), *list = hp_xasprintf("%s/list.sh", tmp);
	char *s, *text, *want;
	struct hp_engine_item other = item;

	text = hp_xasprintf("#!/bin/sh\necho \"$@\" > %s\necho \"$3\" >> %s\necho env=$PATH:$HOME >> %s\n",
			    args, state, args);
	hp_test_write_file(apply, text, 0755);
	free(text);
	text = hp_xasprintf("#!/bin/sh\ngrep -v -x -F \"$1\" %s > %s.new; mv %s.new %s\n", state, state,
			    state, state);
	hp_test_write_file(revert, text, 0755);
	free(text);
	text = hp_xasprintf("#!/bin/sh\ngrep -q -x -F \"$1\" %s\n", state);
	hp_test_write_file(islive, text, 0755);
	free(text);
	text = hp_xasprintf("#!/bin/sh\ncat %s\n", state);
	hp_test_write_file(list, text, 0755);
	free(text);
	text = hp_xasprintf("apply = %s --file={payload} {component} {package} {build}\n"
			    "revert = %s {package}\nis_live = %s {package}\nlist = %s\ntimeout = 5\n",
			    apply, revert, islive, list);
	conf("script", text);
	free(text);

	e = get("script", &err);
	ck_assert_msg(e != NULL, "%s", err.buf);
	ck_assert_msg(hp_engine_probe(e, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(hp_engine_is_live(e, &item, &err), 0);
	ck_assert_msg(hp_engine_apply(e, &item, &err) == 0, "%s", err.buf);
	s = hp_test_read_str(args);
	want = hp_xasprintf("--file=%s/usr/lib/hotpatch/openssl-libs/3.0.11-1/fix.ulp openssl-libs "
			    "openssl-libs-hotpatch-1-1.x86_64 3.0.11-1\n"
			    "env=/usr/sbin:/usr/bin:/sbin:/bin:\n", root);
	ck_assert_str_eq(s, want);
	free(s);
	free(want);
	ck_assert_int_eq(hp_engine_is_live(e, &item, &err), 1);
	other.package = "other-1-1.x86_64";
	ck_assert_int_eq(hp_engine_is_live(e, &other, &err), 0);
	ck_assert_int_eq(hp_engine_list_live(e, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 1);
	ck_assert_str_eq(v[0].name, item.package);
	hp_live_patches_free(v, nr);
	ck_assert_msg(hp_engine_revert(e, &item, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(hp_engine_is_live(e, &item, &err), 0);
	ck_assert_uint_eq(err.len, 0);
	/* The sha256 is checked before the engine runs. */
	other = item;
	other.payload_sha256 = "00";
	ck_assert_int_eq(hp_engine_apply(e, &other, &err), -1);
	ck_assert_msg(strstr(err.buf, "does not match the expected 00"), "%s", err.buf);
	hp_engine_free(e);
	free(state);
	free(args);
	free(apply);
	free(revert);
	free(islive);
	free(list);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_apply_fails_reverts)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e;
	char *rev = hp_xasprintf("%s/rev.sh", tmp), *mark = hp_xasprintf("%s/reverted", tmp);
	char *fail = hp_xasprintf("%s/fail.sh", tmp), *text;

	text = hp_xasprintf("#!/bin/sh\ntouch %s\n", mark);
	hp_test_write_file(rev, text, 0755);
	free(text);
	hp_test_write_file(fail, "#!/bin/sh\necho 'ulp: process 42 is not patchable' >&2\nexit 3\n", 0755);
	text = hp_xasprintf("apply = %s\nrevert = %s\n", fail, rev);
	conf("f", text);
	free(text);
	e = get("f", &err);
	ck_assert_msg(e != NULL, "%s", err.buf);
	ck_assert_int_eq(hp_engine_apply(e, &item, &err), -1);
	ck_assert_msg(strstr(err.buf, "exec engine 'f': apply of openssl-libs-hotpatch-1-1.x86_64 "
				      "failed: '") &&
		      strstr(err.buf, "fail.sh' exited with status 3: ulp: process 42 is not patchable"),
		      "%s", err.buf);
	ck_assert_msg(strstr(err.buf, "reverted"), "%s", err.buf);
	ck_assert_int_eq(access(mark, F_OK), 0);
	hp_engine_free(e);
	free(rev);
	free(mark);
	free(fail);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_timeout)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e;
	time_t t0;

	conf("slow", "apply = /bin/sleep 30\nrevert = /bin/true\ntimeout = 1\n");
	e = get("slow", &err);
	ck_assert_msg(e != NULL, "%s", err.buf);
	t0 = time(NULL);
	ck_assert_int_eq(hp_engine_apply(e, &item, &err), -1);
	ck_assert_int_le(time(NULL) - t0, 5);
	ck_assert_msg(strstr(err.buf, "'/bin/sleep' did not finish within 1 s; killed"), "%s", err.buf);
	hp_engine_free(e);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_unsafe_program)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e;
	char *prog = hp_xasprintf("%s/prog.sh", tmp), *text;

	hp_test_write_file(prog, "#!/bin/sh\nexit 0\n", 0777);
	chmod(prog, 0777);
	text = hp_xasprintf("apply = %s\nrevert = /bin/true\n", prog);
	conf("w", text);
	free(text);
	e = get("w", &err);
	ck_assert_msg(e != NULL, "%s", err.buf);
	ck_assert_int_eq(hp_engine_probe(e, &err), -1);
	ck_assert_msg(strstr(err.buf, "is group- or world-writable (mode 0777)"), "%s", err.buf);
	ck_assert_msg(strstr(err.buf, "exec engine 'w' ("), "%s", err.buf);
	hp_engine_free(e);
	free(prog);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_kpatch_missing)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e;
	char *old = hp_xstrdup(getenv("PATH"));
	struct hp_live_patch *v;
	size_t nr;

	setenv("PATH", tmp, 1);
	e = get("kpatch", &err);
	ck_assert_msg(e != NULL, "%s", err.buf);
	ck_assert_int_eq(hp_engine_probe(e, &err), -1);
	ck_assert_str_eq(err.buf, "kpatch engine: 'kpatch' not found in PATH");
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_engine_list_live(e, &v, &nr, &err), -1);
	ck_assert_msg(strstr(err.buf, "'kpatch' not found in PATH"), "%s", err.buf);
	setenv("PATH", old, 1);
	free(old);
	hp_engine_free(e);
	hp_strbuf_release(&err);
}
END_TEST

/* The kpatch engine's CLI contract (argv, `kpatch list` parsing) against a
 * stand-in script: kpatch itself is not packaged for Debian 12, so this is
 * not proof that kpatch works, only that we drive it as its CLI documents.
 * The payload is a real module of the installed kernel (skipped without). */
START_TEST(t_kpatch_cli)
{
	const char *ko = "/lib/modules/6.1.0-57-amd64/kernel/fs/fat/vfat.ko";
	struct hp_strbuf err = HP_STRBUF_INIT, sb = HP_STRBUF_INIT;
	struct hp_engine_config cfg = { 0 };
	struct hp_engine_item it = { "kpatch-vfat-1-1.x86_64", "kernel-core", "6.1.0-57",
				     "/usr/lib/hotpatch/kernel-core/6.1.0-57/vfat.ko", NULL, NULL };
	char *kp = hp_xasprintf("%s/kpatch", tmp), *log = hp_xasprintf("%s/kpatch.log", tmp);
	char *state = hp_xasprintf("%s/kpatch.state", tmp), *fail = hp_xasprintf("%s/kpatch.fail", tmp);
	char *dst = hp_path_join(root, it.payload), *text, *s2, *want;
	struct hp_live_patch *v;
	size_t nr;
	struct hp_engine *e;

	if (access(ko, R_OK)) {
		free(kp); free(log); free(state); free(fail); free(dst);
		return;
	}
	ck_assert_int_eq(hp_read_file(ko, &sb, &err), 0);
	ck_assert_int_eq(hp_mkdir_p(root, 0755, &err), 0);
	s2 = hp_xasprintf("%s/usr/lib/hotpatch/kernel-core/6.1.0-57", root);
	ck_assert_int_eq(hp_mkdir_p(s2, 0755, &err), 0);
	free(s2);
	ck_assert_int_eq(hp_write_file_atomic(dst, sb.buf, sb.len, 0644, &err), 0);
	text = hp_xasprintf("#!/bin/sh\necho \"$@\" >> %s\ncase \"$1\" in\n"
			    "load) [ -e %s ] && { echo 'kpatch: module failed to load' >&2; exit 1; }\n"
			    "      basename \"$2\" .ko > %s;;\n"
			    "unload) : > %s;;\n"
			    "list) echo 'Loaded patch modules:'; [ -s %s ] && echo \"$(cat %s) [enabled]\"\n"
			    "      echo 'stalled [enabling...]'; echo; echo 'Installed patch modules:'\n"
			    "      echo 'vfat (6.1.0-57-amd64)';;\nesac\n", log, fail, state, state, state,
			    state);
	hp_test_write_file(kp, text, 0755);
	free(text);
	cfg.root_dir = root;
	cfg.kpatch_path = kp;
	cfg.kernel_release = "6.1.0-57-amd64";
	e = hp_engine_get("kpatch", &cfg, &err);
	ck_assert_msg(e != NULL, "%s", err.buf);
	ck_assert_msg(hp_engine_probe(e, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(hp_engine_is_live(e, &it, &err), 0);
	ck_assert_msg(hp_engine_apply(e, &it, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(hp_engine_is_live(e, &it, &err), 1);
	ck_assert_int_eq(hp_engine_list_live(e, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 2);
	ck_assert_str_eq(v[0].name, "vfat");
	ck_assert_int_eq(v[0].enabled, 1);
	ck_assert_str_eq(v[1].name, "stalled");   /* in transition: not enabled */
	ck_assert_int_eq(v[1].enabled, 0);
	hp_live_patches_free(v, nr);
	ck_assert_msg(hp_engine_revert(e, &it, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(hp_engine_is_live(e, &it, &err), 0);
	hp_test_write_file(fail, "", 0644);
	ck_assert_int_eq(hp_engine_apply(e, &it, &err), -1);
	ck_assert_msg(strstr(err.buf, "'kpatch load ") && strstr(err.buf, "kpatch: module failed to load"),
		      "%s", err.buf);
	hp_engine_free(e);
	/* A module for another kernel never reaches kpatch. */
	hp_strbuf_reset(&err);
	cfg.kernel_release = "6.1.0-58-amd64";
	e = hp_engine_get("kpatch", &cfg, &err);
	ck_assert_int_eq(hp_engine_apply(e, &it, &err), -1);
	ck_assert_msg(strstr(err.buf, "not a module for the running kernel '6.1.0-58-amd64'"), "%s",
		      err.buf);
	hp_engine_free(e);
	s2 = hp_test_read_str(log);
	want = hp_xasprintf("list\nload %s\nlist\nlist\nlist\nlist\nunload vfat\nlist\nload %s\nlist\n",
			    dst, dst);
	ck_assert_str_eq(s2, want);
	free(s2);
	free(want);
	free(kp);
	free(log);
	free(state);
	free(fail);
	free(dst);
	hp_strbuf_release(&sb);
	hp_strbuf_release(&err);
}
END_TEST

Suite *engine_exec_suite(void)
{
	Suite *s = suite_create("engine_exec");
	TCase *tc = tcase_create("exec");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_names);
	tcase_add_test(tc, t_unsafe_files);
	tcase_add_test(tc, t_bad_config);
	tcase_add_test(tc, t_apply_true);
	tcase_add_test(tc, t_script_engine);
	tcase_add_test(tc, t_apply_fails_reverts);
	tcase_add_test(tc, t_timeout);
	tcase_add_test(tc, t_unsafe_program);
	tcase_add_test(tc, t_kpatch_missing);
	tcase_add_test(tc, t_kpatch_cli);
	suite_add_tcase(s, tc);
	return s;
}
