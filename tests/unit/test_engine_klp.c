/* klp engine: the state machine against a fake sysfs/proc tree in a temp
 * dir. finit_module/delete_module are replaced through the engine config's
 * syscall table (the real load is proven in qemu by the vm tests); every
 * other step -- sha256, .modinfo, transition wait, blockers, reversal,
 * cumulative replace, list_live -- runs the real code on real files. */
#include <check.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lzma.h>
#include <zstd.h>

#include "hp_engine.h"
#include "hp_pkgscan.h"
#include "testutil.h"

#define KREL "6.1.0-test-amd64"

static char tmp[64];
static char *sysfs, *proc, *root;

enum fake_mode { FAKE_OK, FAKE_STALL, FAKE_FAIL, FAKE_EEXIST };
static enum fake_mode mode;
static const char *fake_mod;       /* the module finit_module "loads" */
static const char *fake_replaces;  /* livepatch dir atomic replace removes */
static int finit_calls;
static struct hp_strvec deleted;
static struct hp_strbuf loaded;    /* what the last finit_module's fd held */

/* A fake livepatch directory as the kernel shows it. */
static void make_patch(const char *mod, int enabled, int transition)
{
	char *p;

	p = hp_xasprintf("%s/kernel/livepatch/%s/enabled", sysfs, mod);
	hp_test_write_str(p, enabled ? "1\n" : "0\n");
	free(p);
	p = hp_xasprintf("%s/kernel/livepatch/%s/transition", sysfs, mod);
	hp_test_write_str(p, transition ? "1\n" : "0\n");
	free(p);
	p = hp_xasprintf("%s/kernel/livepatch/%s/force", sysfs, mod);
	hp_test_write_str(p, "");
	free(p);
	p = hp_xasprintf("%s/module/%s/refcnt", sysfs, mod);
	hp_test_write_str(p, "0\n");
	free(p);
}

static char *lp(const char *mod, const char *file)
{
	return file ? hp_xasprintf("%s/kernel/livepatch/%s/%s", sysfs, mod, file)
		    : hp_xasprintf("%s/kernel/livepatch/%s", sysfs, mod);
}

static int fake_finit(int fd, const char *params, int flags)
{
	char buf[4096];
	ssize_t n;
	off_t off = 0;

	finit_calls++;
	/* The kernel reads the whole file from offset 0, whatever the fd's offset. */
	hp_strbuf_reset(&loaded);
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		hp_strbuf_add(&loaded, buf, (size_t)n);
		off += n;
	}
	if (mode == FAKE_FAIL) {
		errno = ENOEXEC;
		return -1;
	}
	if (mode == FAKE_EEXIST) {
		errno = EEXIST;
		return -1;
	}
	make_patch(fake_mod, 1, mode == FAKE_STALL);
	if (fake_replaces) {
		char *d = lp(fake_replaces, NULL);
		hp_test_rm_rf(d);   /* atomic replace: the kernel drops the old patch */
		free(d);
	}
	return 0;
}

static int fake_delete(const char *name, unsigned int flags)
{
	char *p = hp_xasprintf("%s/module/%s", sysfs, name);

	ck_assert_uint_eq(flags, O_NONBLOCK);
	hp_strvec_push(&deleted, name);
	hp_test_rm_rf(p);
	free(p);
	return 0;
}

static const struct hp_klp_syscalls fake_sys = { fake_finit, fake_delete };

/* A minimal ELF64 relocatable file with a .modinfo section, like a .ko. */
static void make_ko(const char *path, const char *modinfo, size_t milen)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *d = hp_xstrdup(path);
	size_t len;
	unsigned char *buf = hp_test_make_ko(modinfo, milen, &len);

	*strrchr(d, '/') = '\0';
	ck_assert_int_eq(hp_mkdir_p(d, 0755, &err), 0);
	ck_assert_int_eq(hp_write_file_atomic(path, buf, len, 0644, &err), 0);
	free(buf);
	free(d);
	hp_strbuf_release(&err);
}

#define PAYLOAD_DIR "/usr/lib/hotpatch/kernel-core/6.1.0-1/"

/* Installs a fake livepatch .ko for module `mod`; returns its installed path. */
static char *install_ko(const char *mod, const char *vermagic, int livepatch)
{
	char *rel = hp_xasprintf(PAYLOAD_DIR "%s.ko", mod);
	char *abs = hp_path_join(root, rel);
	struct hp_strbuf mi = HP_STRBUF_INIT;

	hp_strbuf_add(&mi, "license=GPL", 12);
	hp_strbuf_addf(&mi, "name=%s", mod);
	hp_strbuf_add(&mi, "", 1);
	hp_strbuf_addf(&mi, "vermagic=%s SMP mod_unload", vermagic);
	hp_strbuf_add(&mi, "", 1);
	hp_strbuf_adds(&mi, livepatch ? "livepatch=Y" : "intree=Y");
	hp_strbuf_add(&mi, "\0\0\0", 3); /* padding, as in real modules */
	make_ko(abs, mi.buf, mi.len);
	hp_strbuf_release(&mi);
	free(abs);
	return rel;
}

static struct hp_engine *get_engine(int timeout, int force)
{
	struct hp_engine_config cfg = { 0 };
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e;

	cfg.sysfs_root = sysfs;
	cfg.proc_root = proc;
	cfg.root_dir = root;
	cfg.kernel_release = KREL;
	cfg.transition_timeout = (unsigned)timeout;
	cfg.poll_interval_ms = 10;
	cfg.force = force;
	cfg.klp_syscalls = &fake_sys;
	e = hp_engine_get("klp", &cfg, &err);
	ck_assert_msg(e != NULL, "%s", err.buf);
	hp_strbuf_release(&err);
	return e;
}

static void setup(void)
{
	hp_test_mkdtemp(tmp, sizeof(tmp), "hp-klp-test");
	sysfs = hp_xasprintf("%s/sys", tmp);
	proc = hp_xasprintf("%s/proc", tmp);
	root = hp_xasprintf("%s/root", tmp);
	{
		char *p = hp_xasprintf("%s/kernel/livepatch/.keep", sysfs);
		hp_test_write_str(p, "");
		unlink(p);
		free(p);
	}
	mode = FAKE_OK;
	fake_mod = NULL;
	fake_replaces = NULL;
	finit_calls = 0;
	hp_strvec_init(&deleted);
	hp_strbuf_init(&loaded);
}

static void teardown(void)
{
	hp_test_rm_rf(tmp);
	free(sysfs);
	free(proc);
	free(root);
	hp_strvec_release(&deleted);
	hp_strbuf_release(&loaded);
}

/* A process that plays the kernel's part after `enabled` is set to 0:
 * the patch directory goes away (as klp_free_patch_async does). */
static pid_t kernel_remover(const char *mod)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *en = lp(mod, "enabled"), *d = lp(mod, NULL), *f = lp(mod, "force");
		for (int i = 0; i < 1000; i++) {
			char *s = hp_test_read_str(en);
			int zero = s && s[0] == '0';
			free(s);
			if (zero) {
				/* `force` was never written (no operator flag). */
				s = hp_test_read_str(f);
				zero = s && !*s;
				free(s);
				hp_test_rm_rf(d);
				_exit(zero ? 0 : 2);
			}
			usleep(5000);
		}
		_exit(1);
	}
	return pid;
}

START_TEST(t_ko_info)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_ko_info ki;
	char *rel = install_ko("lp_one", KREL, 1), *abs = hp_path_join(root, rel);
	char *bad = hp_xasprintf("%s/bad.ko", tmp);
	struct hp_strbuf sb = HP_STRBUF_INIT;

	ck_assert_int_eq(hp_ko_info_read(abs, &ki, &err), 0);
	ck_assert_str_eq(ki.name, "lp_one");
	ck_assert_str_eq(ki.vermagic, KREL " SMP mod_unload");
	ck_assert_int_eq(ki.livepatch, 1);
	hp_ko_info_release(&ki);

	/* Truncated: the section headers point past the end. */
	ck_assert_int_eq(hp_read_file(abs, &sb, &err), 0);
	ck_assert_int_eq(hp_write_file_atomic(bad, sb.buf, sb.len - 10, 0644, &err), 0);
	ck_assert_int_eq(hp_ko_info_read(bad, &ki, &err), -1);
	ck_assert_msg(strstr(err.buf, bad) && strstr(err.buf, "truncated"), "%s", err.buf);
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_write_file_atomic(bad, "hello", 5, 0644, &err), 0);
	ck_assert_int_eq(hp_ko_info_read(bad, &ki, &err), -1);
	ck_assert_msg(strstr(err.buf, "not an ELF file"), "%s", err.buf);
	hp_strbuf_release(&sb);
	hp_strbuf_release(&err);
	free(rel);
	free(abs);
	free(bad);
}
END_TEST

/* A real module of the running kernel, when one is installed uncompressed. */
START_TEST(t_ko_info_real)
{
	struct utsname u;
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_ko_info ki;
	char *ko;

	uname(&u);
	ko = hp_xasprintf("/lib/modules/%s/kernel/fs/fat/vfat.ko", u.release);
	if (!hp_test_exists(ko)) {
		free(ko);
		ko = hp_xasprintf("/lib/modules/6.1.0-57-amd64/kernel/fs/fat/vfat.ko");
	}
	if (hp_test_exists(ko)) {
		ck_assert_msg(hp_ko_info_read(ko, &ki, &err) == 0, "%s", err.buf);
		ck_assert_str_eq(ki.name, "vfat");
		ck_assert_ptr_nonnull(ki.vermagic);
		ck_assert_int_eq(ki.livepatch, 0);
		hp_ko_info_release(&ki);
	}
	free(ko);
	hp_strbuf_release(&err);
}
END_TEST

/* The project's real fixture modules (tests/fixtures/klp/build.sh OUTDIR),
 * when HP_KLP_KO_DIR names that OUTDIR; skipped otherwise. */
START_TEST(t_ko_info_fixtures)
{
	const char *dir = getenv("HP_KLP_KO_DIR");
	static const char *const mods[] = { "livepatch_cmdline_v1", "livepatch_cmdline_v2",
					    "livepatch_badinit", "livepatch_stall", "stall_kthread" };
	struct hp_strbuf err = HP_STRBUF_INIT;

	for (size_t i = 0; dir && i < sizeof(mods) / sizeof(*mods); i++) {
		struct hp_ko_info ki;
		char *ko = hp_xasprintf("%s/%s.ko", dir, mods[i]);

		ck_assert_msg(hp_ko_info_read(ko, &ki, &err) == 0, "%s", err.buf);
		ck_assert_str_eq(ki.name, mods[i]);
		ck_assert_msg(ki.vermagic && strchr(ki.vermagic, ' '), "%s", ki.vermagic);
		ck_assert_int_eq(ki.livepatch, strcmp(mods[i], "stall_kthread") != 0);
		hp_ko_info_release(&ki);
		free(ko);
	}
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_probe)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e = get_engine(1, 0);
	char *d = hp_xasprintf("%s/kernel/livepatch", sysfs);

	ck_assert_int_eq(hp_engine_probe(e, &err), 0);
	rmdir(d);
	ck_assert_int_eq(hp_engine_probe(e, &err), -1);
	ck_assert_msg(strstr(err.buf, "CONFIG_LIVEPATCH"), "%s", err.buf);
	hp_engine_free(e);
	free(d);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_list_live)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e = get_engine(1, 0);
	struct hp_live_patch *v;
	size_t nr;
	char *gone = lp("lp_gone", NULL);

	make_patch("lp_a", 1, 0);
	make_patch("lp_b", 0, 1);
	/* A directory that vanished between readdir and the reads: skipped. */
	ck_assert_int_eq(mkdir(gone, 0755), 0);
	ck_assert_int_eq(hp_engine_list_live(e, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 2);
	for (size_t i = 0; i < nr; i++) {
		if (!strcmp(v[i].name, "lp_a")) {
			ck_assert_int_eq(v[i].enabled, 1);
			ck_assert_int_eq(v[i].transition, 0);
		} else {
			ck_assert_str_eq(v[i].name, "lp_b");
			ck_assert_int_eq(v[i].enabled, 0);
			ck_assert_int_eq(v[i].transition, 1);
		}
	}
	hp_live_patches_free(v, nr);
	hp_engine_free(e);
	free(gone);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_apply_ok)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e = get_engine(1, 0);
	char *rel = install_ko("lp_ok", KREL, 1), *abs = hp_path_join(root, rel);
	char hex[65];
	struct hp_engine_item it = { "kpatch-x-1-1.x86_64", "kernel-core", "6.1.0-1", rel, hex, NULL };
	char *name;

	ck_assert_int_eq(hp_sha256_file(abs, hex, &err), 0);
	fake_mod = "lp_ok";
	ck_assert_int_eq(hp_engine_is_live(e, &it, &err), 0);
	ck_assert_msg(hp_engine_apply(e, &it, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(finit_calls, 1);
	ck_assert_int_eq(hp_engine_is_live(e, &it, &err), 1);
	name = hp_engine_live_name(e, &it, &err);
	ck_assert_str_eq(name, "lp_ok");
	ck_assert_uint_eq(deleted.nr, 0);
	free(name);
	free(rel);
	free(abs);
	hp_engine_free(e);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_apply_refused)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e = get_engine(1, 0);
	char *rel = install_ko("lp_r", KREL, 1);
	char *other = install_ko("lp_oldkernel", "6.1.0-other-amd64", 1);
	char *plain = install_ko("lp_plain", KREL, 0);
	struct hp_engine_item it = { "p", "kernel-core", "6.1.0-1", rel,
				     "0000000000000000000000000000000000000000000000000000000000000000", NULL };

	fake_mod = "lp_r";
	ck_assert_int_eq(hp_engine_apply(e, &it, &err), -1);
	ck_assert_msg(strstr(err.buf, "sha256"), "%s", err.buf);
	it.payload_sha256 = NULL;
	it.payload = other;
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_engine_apply(e, &it, &err), -1);
	ck_assert_msg(strstr(err.buf, "vermagic '6.1.0-other-amd64 SMP mod_unload' is not for the "
				      "running kernel '" KREL "'"), "%s", err.buf);
	it.payload = plain;
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_engine_apply(e, &it, &err), -1);
	ck_assert_msg(strstr(err.buf, "not a livepatch module"), "%s", err.buf);
	/* Payloads outside /usr/lib/hotpatch/ are never loaded. */
	it.payload = "/lib/modules/x.ko";
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_engine_apply(e, &it, &err), -1);
	ck_assert_msg(strstr(err.buf, "is not below /usr/lib/hotpatch/"), "%s", err.buf);
	it.payload = "/usr/lib/hotpatch/../../../etc/x.ko";
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_engine_apply(e, &it, &err), -1);
	ck_assert_msg(strstr(err.buf, "contains '..'"), "%s", err.buf);
	ck_assert_int_eq(finit_calls, 0);
	free(rel);
	free(other);
	free(plain);
	hp_engine_free(e);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_apply_finit_fails)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e = get_engine(1, 0);
	char *rel = install_ko("lp_bad", KREL, 1);
	struct hp_engine_item it = { "p", "kernel-core", "6.1.0-1", rel, NULL, NULL };
	char *d = lp("lp_bad", NULL);

	mode = FAKE_FAIL;
	ck_assert_int_eq(hp_engine_apply(e, &it, &err), -1);
	ck_assert_msg(strstr(err.buf, "cannot load '") && strstr(err.buf, "(lp_bad): Exec format error"),
		      "%s", err.buf);
	ck_assert_int_eq(hp_test_exists(d), 0);
	ck_assert_int_eq(hp_engine_is_live(e, &it, &err), 0);
	free(rel);
	free(d);
	hp_engine_free(e);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_apply_eexist)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e = get_engine(1, 0);
	char *rel = install_ko("lp_there", KREL, 1);
	struct hp_engine_item it = { "p", "kernel-core", "6.1.0-1", rel, NULL, NULL };
	char *en = lp("lp_there", "enabled");

	mode = FAKE_EEXIST;
	make_patch("lp_there", 1, 0);
	ck_assert_msg(hp_engine_apply(e, &it, &err) == 0, "%s", err.buf);
	hp_test_write_str(en, "0\n");
	ck_assert_int_eq(hp_engine_apply(e, &it, &err), -1);
	ck_assert_msg(strstr(err.buf, "already loaded but its patch is not enabled"), "%s", err.buf);
	free(en);
	free(rel);
	hp_engine_free(e);
	hp_strbuf_release(&err);
}
END_TEST

static void fake_task(const char *pid, const char *tid, int state, const char *comm)
{
	char *base = tid ? hp_xasprintf("%s/%s/task/%s", proc, pid, tid) : hp_xasprintf("%s/%s", proc, pid);
	char *p = hp_xasprintf("%s/patch_state", base);
	char *c = hp_xasprintf("%s/comm", base);
	char st[8];

	snprintf(st, sizeof(st), "%d\n", state);
	hp_test_write_str(p, st);
	hp_test_write_str(c, comm);
	free(base);
	free(p);
	free(c);
}

START_TEST(t_apply_stall)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e = get_engine(1, 0);
	char *rel = install_ko("lp_stall", KREL, 1);
	struct hp_engine_item it = { "p", "kernel-core", "6.1.0-1", rel, NULL, NULL };
	char *d = lp("lp_stall", NULL);
	int status;
	pid_t k;

	fake_task("1", "1", 1, "systemd\n");
	fake_task("100", "100", 1, "worker\n");
	fake_task("100", "101", 0, "worker-io\n");   /* one thread of a process still old */
	fake_task("200", NULL, 0, "stall_kthread\n"); /* no task/ dir: read directly */
	mode = FAKE_STALL;
	fake_mod = "lp_stall";
	k = kernel_remover("lp_stall");
	ck_assert_int_eq(hp_engine_apply(e, &it, &err), -1);
	ck_assert_int_eq(waitpid(k, &status, 0), k);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_msg(strstr(err.buf, "klp: transition of 'lp_stall' did not finish within 1 s; "
				      "blocked by: "), "%s", err.buf);
	ck_assert_msg(strstr(err.buf, "101 (worker-io)"), "%s", err.buf);
	ck_assert_msg(strstr(err.buf, "200 (stall_kthread)"), "%s", err.buf);
	ck_assert_msg(!strstr(err.buf, "(systemd)") && !strstr(err.buf, "100 (worker)"), "%s", err.buf);
	ck_assert_msg(strstr(err.buf, "'lp_stall' reversed and unloaded"), "%s", err.buf);
	ck_assert_int_eq(hp_test_exists(d), 0);
	ck_assert_uint_eq(deleted.nr, 1);
	ck_assert_str_eq(deleted.v[0], "lp_stall");
	free(d);
	free(rel);
	hp_engine_free(e);
	hp_strbuf_release(&err);
}
END_TEST

/* The stalled apply without the remover: the reversal stalls too, and the
 * `force` attribute still is not touched. */
START_TEST(t_stall_never_forces)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e = get_engine(1, 0);
	char *rel = install_ko("lp_stuck", KREL, 1);
	struct hp_engine_item it = { "p", "kernel-core", "6.1.0-1", rel, NULL, NULL };
	char *force = lp("lp_stuck", "force"), *en = lp("lp_stuck", "enabled"), *s;

	mode = FAKE_STALL;
	fake_mod = "lp_stuck";
	ck_assert_int_eq(hp_engine_apply(e, &it, &err), -1);
	ck_assert_msg(strstr(err.buf, "reversing 'lp_stuck' did not finish within 1 s either"),
		      "%s", err.buf);
	s = hp_test_read_str(force);
	ck_assert_str_eq(s, "");
	free(s);
	s = hp_test_read_str(en);
	ck_assert_str_eq(s, "0");
	free(s);
	ck_assert_uint_eq(deleted.nr, 0);
	free(force);
	free(en);
	free(rel);
	hp_engine_free(e);
	hp_strbuf_release(&err);
}
END_TEST

/* With the operator's force flag, a stall is forced (and then completes). */
START_TEST(t_stall_force_flag)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e = get_engine(1, 1);
	char *rel = install_ko("lp_forced", KREL, 1);
	struct hp_engine_item it = { "p", "kernel-core", "6.1.0-1", rel, NULL, NULL };
	char *force = lp("lp_forced", "force"), *tr = lp("lp_forced", "transition");
	int status;
	pid_t k;

	mode = FAKE_STALL;
	fake_mod = "lp_forced";
	k = fork();
	ck_assert_int_ge(k, 0);
	if (k == 0) {
		/* The kernel: forcing completes the transition. */
		for (int i = 0; i < 1000; i++) {
			char *s = hp_test_read_str(force);
			int one = s && s[0] == '1';
			free(s);
			if (one) {
				hp_test_write_str(tr, "0\n");
				_exit(0);
			}
			usleep(5000);
		}
		_exit(1);
	}
	ck_assert_msg(hp_engine_apply(e, &it, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(waitpid(k, &status, 0), k);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	free(force);
	free(tr);
	free(rel);
	hp_engine_free(e);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_cumulative_replace)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e = get_engine(1, 0);
	char *rel = install_ko("lp_v2", KREL, 1);
	struct hp_engine_item it = { "p-2", "kernel-core", "6.1.0-1", rel, NULL, NULL };
	struct hp_live_patch *v;
	size_t nr;

	make_patch("lp_v1", 1, 0);
	make_patch("lp_other", 1, 0); /* a patch that is not replaced stays */
	fake_mod = "lp_v2";
	fake_replaces = "lp_v1";
	ck_assert_msg(hp_engine_apply(e, &it, &err) == 0, "%s", err.buf);
	ck_assert_uint_eq(deleted.nr, 1);
	ck_assert_str_eq(deleted.v[0], "lp_v1");
	ck_assert_int_eq(hp_engine_list_live(e, &v, &nr, &err), 0);
	ck_assert_uint_eq(nr, 2);
	hp_live_patches_free(v, nr);
	free(rel);
	hp_engine_free(e);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_revert)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e = get_engine(1, 0);
	char *rel = install_ko("lp_rv", KREL, 1);
	struct hp_engine_item it = { "p", "kernel-core", "6.1.0-1", rel, NULL, NULL };
	struct hp_engine_item by_name = { "p", NULL, NULL, NULL, NULL, "lp_rv" };
	int status;
	pid_t k;

	make_patch("lp_rv", 1, 0);
	ck_assert_int_eq(hp_engine_is_live(e, &it, &err), 1);
	k = kernel_remover("lp_rv");
	ck_assert_msg(hp_engine_revert(e, &it, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(waitpid(k, &status, 0), k);
	ck_assert_uint_eq(deleted.nr, 1);
	ck_assert_str_eq(deleted.v[0], "lp_rv");
	ck_assert_int_eq(hp_engine_is_live(e, &it, &err), 0);
	/* Not live any more: revert again is a no-op, also by live name only. */
	ck_assert_msg(hp_engine_revert(e, &by_name, &err) == 0, "%s", err.buf);
	ck_assert_uint_eq(deleted.nr, 1);
	ck_assert_uint_eq(err.len, 0);
	free(rel);
	hp_engine_free(e);
	hp_strbuf_release(&err);
}
END_TEST

/* A revert whose transition stalls goes back to enabled and says who blocks. */
START_TEST(t_revert_stall)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine *e = get_engine(1, 0);
	struct hp_engine_item it = { "p", NULL, NULL, NULL, NULL, "lp_rs" };
	char *tr = lp("lp_rs", "transition"), *en = lp("lp_rs", "enabled"), *s;

	fake_task("300", "300", 1, "busy\n");
	make_patch("lp_rs", 1, 0);
	hp_test_write_str(tr, "1\n"); /* the disable transition never finishes */
	ck_assert_int_eq(hp_engine_revert(e, &it, &err), -1);
	ck_assert_msg(strstr(err.buf, "disabling 'lp_rs' did not finish within 1 s; blocked by: "
				      "300 (busy)"), "%s", err.buf);
	s = hp_test_read_str(en);
	ck_assert_str_eq(s, "1");
	free(s);
	ck_assert_uint_eq(deleted.nr, 0);
	free(tr);
	free(en);
	hp_engine_free(e);
	hp_strbuf_release(&err);
}
END_TEST

/* .ko.xz and .ko.zst (issue 10): the digest checked is the shipped file's,
 * the kernel is handed the decompressed module through a read-only fd. */
START_TEST(t_apply_compressed)
{
	static const char *const kinds[] = { "xz", "zst" };

	for (int k = 0; k < 2; k++) {
		struct hp_strbuf err = HP_STRBUF_INIT, plain = HP_STRBUF_INIT;
		struct hp_engine *e = get_engine(1, 0);
		char *mod = hp_xasprintf("lp_%s", kinds[k]);
		char *rel = install_ko(mod, KREL, 1), *abs = hp_path_join(root, rel);
		char *crel = hp_xasprintf("%s.%s", rel, kinds[k]), *cabs = hp_path_join(root, crel);
		size_t cap, clen = 0;
		unsigned char *c;
		char hex[65];
		struct hp_engine_item it = { "kpatch-x-1-1.x86_64", "kernel-core", "6.1.0-1", crel, hex,
					     NULL };

		ck_assert_int_eq(hp_read_file(abs, &plain, &err), 0);
		cap = plain.len + 65536;
		c = hp_xmalloc(cap);
		if (k == 0) {
			ck_assert_int_eq(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL,
								 (const uint8_t *)plain.buf, plain.len,
								 c, &clen, cap), LZMA_OK);
		} else {
			clen = ZSTD_compress(c, cap, plain.buf, plain.len, 19);
			ck_assert(!ZSTD_isError(clen));
		}
		ck_assert_int_eq(hp_write_file_atomic(cabs, c, clen, 0644, &err), 0);
		unlink(abs);
		ck_assert_int_eq(hp_sha256_file(cabs, hex, &err), 0);
		fake_mod = mod;
		ck_assert_msg(hp_engine_apply(e, &it, &err) == 0, "%s", err.buf);
		ck_assert_uint_eq(loaded.len, plain.len);
		ck_assert(!memcmp(loaded.buf, plain.buf, plain.len));
		/* a corrupt stream: refused before the kernel sees anything */
		c[clen / 2] ^= 0x55;
		c[clen - 2] ^= 0x55;
		ck_assert_int_eq(hp_write_file_atomic(cabs, c, clen, 0644, &err), 0);
		ck_assert_int_eq(hp_sha256_file(cabs, hex, &err), 0);
		hp_strbuf_reset(&err);
		finit_calls = 0;
		ck_assert_int_eq(hp_engine_apply(e, &it, &err), -1);
		ck_assert_int_eq(finit_calls, 0);
		ck_assert_msg(strstr(err.buf, "truncated or corrupt"), "%s", err.buf);
		free(c);
		free(mod);
		free(rel);
		free(abs);
		free(crel);
		free(cabs);
		hp_engine_free(e);
		hp_strbuf_release(&plain);
		hp_strbuf_release(&err);
	}
}
END_TEST

/* Module names as Fedora and Debian ship them. */
START_TEST(t_module_path)
{
	ck_assert(hp_module_path("/x/a.ko"));
	ck_assert(hp_module_path("/x/a.ko.xz"));
	ck_assert(hp_module_path("/x/a.ko.zst"));
	ck_assert(!hp_module_path("/x/a.ko.gz.txt"));
	ck_assert(!hp_module_path(".ko"));
	ck_assert(!hp_module_path("/x/a.so"));
}
END_TEST

Suite *engine_klp_suite(void)
{
	Suite *s = suite_create("engine_klp");
	TCase *tc = tcase_create("klp");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_ko_info);
	tcase_add_test(tc, t_ko_info_real);
	tcase_add_test(tc, t_ko_info_fixtures);
	tcase_add_test(tc, t_probe);
	tcase_add_test(tc, t_list_live);
	tcase_add_test(tc, t_apply_ok);
	tcase_add_test(tc, t_apply_compressed);
	tcase_add_test(tc, t_module_path);
	tcase_add_test(tc, t_apply_refused);
	tcase_add_test(tc, t_apply_finit_fails);
	tcase_add_test(tc, t_apply_eexist);
	tcase_add_test(tc, t_apply_stall);
	tcase_add_test(tc, t_stall_never_forces);
	tcase_add_test(tc, t_stall_force_flag);
	tcase_add_test(tc, t_cumulative_replace);
	tcase_add_test(tc, t_revert);
	tcase_add_test(tc, t_revert_stall);
	suite_add_tcase(s, tc);
	return s;
}
