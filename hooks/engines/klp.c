/* The klp engine: kernel livepatch modules loaded directly.
 *
 * Lifecycle, as kpatch's kmod loader does it: check the module's identity
 * (sha256, modinfo vermagic/livepatch) before loading; finit_module(2); wait
 * for <sysfs>/kernel/livepatch/<mod>/transition to read 0 with a timeout;
 * on a stall name the tasks that block it (/proc/<pid>/task/<tid>/patch_state
 * differs from the target state) and reverse (write 0 to `enabled`, wait for
 * the directory to go, delete_module). `force` is written only when the
 * operator asked for it (config force=1).
 *
 * Cumulative hotpatches use atomic replace: when v2's transition finishes,
 * the kernel removes v1's livepatch directory by itself, but v1's module
 * stays loaded (disabled); we unload it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hp_engine.h"

/* A blocked transition is reported with at most this many task names. */
#define MAX_BLOCKERS 16
/* delete_module can race with the kernel's async release of a patch that
 * just vanished from sysfs (module_put comes after the kobject is gone). */
#define DELETE_RETRY_MS 5000

static int real_finit_module(int fd, const char *params, int flags)
{
	return (int)syscall(SYS_finit_module, fd, params, flags);
}

static int real_delete_module(const char *name, unsigned int flags)
{
	return (int)syscall(SYS_delete_module, name, flags);
}

static const struct hp_klp_syscalls real_syscalls = { real_finit_module, real_delete_module };

static const struct hp_klp_syscalls *sys_of(struct hp_engine *e)
{
	return e->klp_syscalls ? e->klp_syscalls : &real_syscalls;
}

static char *lp_path(struct hp_engine *e, const char *mod, const char *file)
{
	if (file)
		return hp_xasprintf("%s/kernel/livepatch/%s/%s", e->sysfs_root, mod, file);
	return hp_xasprintf("%s/kernel/livepatch/%s", e->sysfs_root, mod);
}

/* Reads an integer attribute. Returns 0 and *val, 1 when the file is gone
 * (the patch directory vanished: the kernel frees it asynchronously, so it
 * can disappear between two reads), or -1 with `err`. */
static int read_attr(const char *path, int *val, struct hp_strbuf *err)
{
	char buf[64], *end;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	long v;

	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV)
			return 1;
		return hp_error_errno(err, errno, "cannot open '%s'", path);
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		int e = errno;
		close(fd);
		if (e == ENOENT || e == ENODEV)
			return 1;
		return hp_error_errno(err, e, "cannot read '%s'", path);
	}
	close(fd);
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf || errno)
		return hp_error(err, "'%s': unexpected content '%.20s'", path, buf);
	*val = (int)v;
	return 0;
}

/* Writes a value to a sysfs attribute; never creates files. Returns 0, 1
 * when the attribute is gone, 2 when the kernel refuses the value (EINVAL:
 * e.g. the patch is already disabled), or -1 with `err`. */
static int write_attr(const char *path, const char *val, struct hp_strbuf *err)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;
	int e;

	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV)
			return 1;
		return hp_error_errno(err, errno, "cannot open '%s'", path);
	}
	n = write(fd, val, strlen(val));
	e = errno;
	close(fd);
	if (n >= 0)
		return 0;
	if (e == ENOENT || e == ENODEV)
		return 1;
	if (e == EINVAL)
		return 2;
	return hp_error_errno(err, e, "cannot write '%s' to '%s'", val, path);
}

static int path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int module_loaded(struct hp_engine *e, const char *mod)
{
	char *p = hp_xasprintf("%s/module/%s", e->sysfs_root, mod);
	int r = path_exists(p);

	free(p);
	return r;
}

/* delete_module with O_NONBLOCK (never wait in the kernel), retried while
 * the module is still busy from the patch's asynchronous release. */
static int unload_module(struct hp_engine *e, const char *mod, struct hp_strbuf *err)
{
	unsigned waited = 0;

	for (;;) {
		if (sys_of(e)->delete_module(mod, O_NONBLOCK) == 0 || errno == ENOENT)
			return 0;
		if ((errno != EBUSY && errno != EAGAIN) || waited >= DELETE_RETRY_MS)
			return hp_error_errno(err, errno, "cannot unload kernel module '%s'", mod);
		hp_engine_sleep_ms(e->poll_interval_ms);
		waited += e->poll_interval_ms;
	}
}

enum wait_result { WAIT_DONE, WAIT_GONE, WAIT_TIMEOUT };

/* Waits until the patch's transition reads 0 (WAIT_DONE), its directory is
 * gone (WAIT_GONE), or the timeout passes (WAIT_TIMEOUT). With `want_gone`,
 * only the directory's disappearance counts as done. -1 on read errors. */
static int wait_transition(struct hp_engine *e, const char *mod, int want_gone,
			   struct hp_strbuf *err)
{
	char *tpath = lp_path(e, mod, "transition");
	char *dpath = lp_path(e, mod, NULL);
	unsigned long waited = 0, limit = (unsigned long)e->transition_timeout * 1000;
	int ret;

	for (;;) {
		int t = 0, r = read_attr(tpath, &t, err);

		if (r < 0) {
			ret = -1;
			break;
		}
		if (r == 1 || !path_exists(dpath)) {
			ret = WAIT_GONE;
			break;
		}
		if (!want_gone && t == 0) {
			ret = WAIT_DONE;
			break;
		}
		if (waited >= limit) {
			ret = WAIT_TIMEOUT;
			break;
		}
		hp_engine_sleep_ms(e->poll_interval_ms);
		waited += e->poll_interval_ms;
	}
	free(tpath);
	free(dpath);
	return ret;
}

static int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Adds "tid (comm)" to `out` when the task in `dir` is not in `target`. */
static void check_task(const char *dir, const char *tid, int target, struct hp_strbuf *out,
		       unsigned *nr)
{
	struct hp_strbuf tmp = HP_STRBUF_INIT, comm = HP_STRBUF_INIT;
	char *p = hp_xasprintf("%s/patch_state", dir);
	int state;

	if (read_attr(p, &state, &tmp) == 0 && state != target) {
		free(p);
		p = hp_xasprintf("%s/comm", dir);
		if (hp_read_file(p, &comm, &tmp) == 0 && comm.len && comm.buf[comm.len - 1] == '\n')
			comm.buf[--comm.len] = '\0';
		if (*nr < MAX_BLOCKERS)
			hp_strbuf_addf(out, "%s%s (%s)", *nr ? ", " : "", tid,
				       comm.len ? comm.buf : "?");
		(*nr)++;
	}
	free(p);
	hp_strbuf_release(&tmp);
	hp_strbuf_release(&comm);
}

/* Names the tasks whose patch_state is not `target` (the state the
 * transition moves to): these block it. Threads are listed by tid from
 * <proc>/<pid>/task/<tid>/; a <pid> without task/ is read directly. */
static void find_blockers(struct hp_engine *e, int target, struct hp_strbuf *out)
{
	DIR *d = opendir(e->proc_root);
	struct dirent *de;
	unsigned nr = 0;

	if (!d) {
		hp_strbuf_adds(out, "(cannot read the task list)");
		return;
	}
	while ((de = readdir(d))) {
		char *pdir, *tdir;
		DIR *td;
		struct dirent *te;

		if (!is_number(de->d_name))
			continue;
		pdir = hp_xasprintf("%s/%s", e->proc_root, de->d_name);
		tdir = hp_xasprintf("%s/task", pdir);
		td = opendir(tdir);
		if (!td) {
			check_task(pdir, de->d_name, target, out, &nr);
		} else {
			while ((te = readdir(td))) {
				char *x;
				if (!is_number(te->d_name))
					continue;
				x = hp_xasprintf("%s/%s", tdir, te->d_name);
				check_task(x, te->d_name, target, out, &nr);
				free(x);
			}
			closedir(td);
		}
		free(pdir);
		free(tdir);
	}
	closedir(d);
	if (nr > MAX_BLOCKERS)
		hp_strbuf_addf(out, " and %u more", nr - MAX_BLOCKERS);
	if (!nr)
		hp_strbuf_adds(out, "(no task found in the old state)");
}

/* Names of the livepatch directories present now. */
static int live_names(struct hp_engine *e, struct hp_strvec *names, struct hp_strbuf *err)
{
	char *p = hp_xasprintf("%s/kernel/livepatch", e->sysfs_root);
	DIR *d = opendir(p);
	struct dirent *de;

	if (!d) {
		int en = errno;
		if (en == ENOENT) {
			free(p);
			return 0;
		}
		hp_error_errno(err, en, "cannot open '%s'", p);
		free(p);
		return -1;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			hp_strvec_push(names, de->d_name);
	closedir(d);
	free(p);
	return 0;
}

static int klp_probe(struct hp_engine *e, struct hp_strbuf *err)
{
	char *p = hp_xasprintf("%s/kernel/livepatch", e->sysfs_root);
	struct stat st;
	int ret = 0;

	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
		ret = hp_error(err, "klp engine: '%s' does not exist: the kernel has no livepatch "
			       "support (CONFIG_LIVEPATCH)", p);
	else if (!e->kernel_release)
		ret = hp_error(err, "klp engine: cannot tell the running kernel release");
	free(p);
	return ret;
}

/* Reverses the stalled transition of `mod` (write 0 to enabled), waits for
 * the patch to go, unloads it. Appends to `err` what happened. */
static int reverse_apply(struct hp_engine *e, const char *mod, struct hp_strbuf *err)
{
	char *en = lp_path(e, mod, "enabled");
	int r, ret = -1;

	r = write_attr(en, "0", err);
	if (r < 0)
		goto out;
	if (r != 1) {
		r = wait_transition(e, mod, 1, err);
		if (r < 0)
			goto out;
		if (r == WAIT_TIMEOUT) {
			hp_error(err, "klp: reversing '%s' did not finish within %u s either; "
				 "module left loaded", mod, e->transition_timeout);
			goto out;
		}
	}
	ret = unload_module(e, mod, err);
out:
	free(en);
	return ret;
}

/* A read-only fd of a sealed memfd holding `image`: a compressed module,
 * decompressed from the very bytes whose digest was checked, loaded with
 * finit_module like a plain one (kernels before 6.4 cannot decompress, and
 * the kernel refuses a file that still has a writer, hence the read-only
 * reopen after the writable fd is closed). */
static int image_fd(const void *image, size_t len, const char *path, struct hp_strbuf *err)
{
	const char *p = image;
	char *self = NULL;
	int wfd, rfd = -1;

	wfd = memfd_create("hotpatch-module", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (wfd < 0)
		return hp_error_errno(err, errno, "cannot hold the decompressed '%s'", path);
	while (len) {
		ssize_t n = write(wfd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			hp_error_errno(err, errno, "cannot hold the decompressed '%s'", path);
			goto out;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fcntl(wfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		hp_error_errno(err, errno, "cannot seal the decompressed '%s'", path);
		goto out;
	}
	self = hp_xasprintf("/proc/self/fd/%d", wfd);
	rfd = open(self, O_RDONLY | O_CLOEXEC);
	if (rfd < 0)
		hp_error_errno(err, errno, "cannot reopen the decompressed '%s'", path);
out:
	close(wfd);
	free(self);
	return rfd;
}

static int klp_apply(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err)
{
	struct hp_ko_info ki = { 0 };
	struct hp_strvec before = HP_STRVEC_INIT;
	struct hp_strbuf blockers = HP_STRBUF_INIT;
	char *path = NULL, *en = NULL, *force = NULL;
	const char *mod;
	size_t klen;
	int fd = -1, ret = -1, r, enabled = 0;

	path = hp_engine_payload_path(e, it, err);
	if (!path)
		goto out;
	/* Identity is checked on the very file descriptor finit_module loads. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		hp_error_errno(err, errno, "cannot open '%s'", path);
		goto out;
	}
	if (hp_ko_info_read_fd(fd, path, it, &ki, err))
		goto out;
	if (!ki.name) {
		hp_error(err, "'%s': .modinfo has no name=", path);
		goto out;
	}
	if (!ki.livepatch) {
		hp_error(err, "'%s' is not a livepatch module (no livepatch=Y in .modinfo)", path);
		goto out;
	}
	klen = e->kernel_release ? strlen(e->kernel_release) : 0;
	if (!ki.vermagic || !klen || strncmp(ki.vermagic, e->kernel_release, klen) ||
	    (ki.vermagic[klen] && ki.vermagic[klen] != ' ')) {
		hp_error(err, "'%s': vermagic '%s' is not for the running kernel '%s'", path,
			 ki.vermagic ? ki.vermagic : "", e->kernel_release ? e->kernel_release : "?");
		goto out;
	}
	if (ki.image) {
		int ifd = image_fd(ki.image, ki.image_len, path, err);

		if (ifd < 0)
			goto out;
		close(fd);
		fd = ifd;
	}
	mod = ki.name;
	en = lp_path(e, mod, "enabled");
	force = lp_path(e, mod, "force");
	if (live_names(e, &before, err))
		goto out;

	if (sys_of(e)->finit_module(fd, "", 0) < 0) {
		int er = errno;
		if (er != EEXIST) {
			/* A failing module init is unloaded by the kernel itself. */
			hp_error_errno(err, er, "cannot load '%s' (%s)", path, mod);
			goto out;
		}
		/* Already loaded: live if the kernel says it is enabled. */
		r = read_attr(en, &enabled, err);
		if (r < 0)
			goto out;
		if (r == 1 || !enabled) {
			hp_error(err, "klp: module '%s' is already loaded but its patch is not "
				 "enabled; revert it first", mod);
			goto out;
		}
	}
	r = wait_transition(e, mod, 0, err);
	if (r < 0)
		goto reverse;
	if (r == WAIT_GONE) {
		hp_error(err, "klp: '%s' loaded but '%s/kernel/livepatch/%s' is gone: the patch "
			 "did not stay enabled", mod, e->sysfs_root, mod);
		goto reverse;
	}
	if (r == WAIT_TIMEOUT) {
		r = read_attr(en, &enabled, err);
		find_blockers(e, r == 0 ? enabled : 1, &blockers);
		if (e->force) {
			/* Operator's choice: forced patches can never be unloaded. */
			if (write_attr(force, "1", err) == 0 && wait_transition(e, mod, 0, err) == WAIT_DONE)
				goto check_enabled;
		}
		hp_error(err, "klp: transition of '%s' did not finish within %u s; blocked by: %s; "
			 "reversing", mod, e->transition_timeout, blockers.buf);
		if (reverse_apply(e, mod, err) == 0)
			hp_error(err, "klp: '%s' reversed and unloaded; the previous live state "
				 "is unchanged", mod);
		goto out;
	}
check_enabled:
	r = read_attr(en, &enabled, err);
	if (r != 0 || enabled != 1) {
		if (r >= 0)
			hp_error(err, "klp: '%s' finished its transition but is not enabled", mod);
		goto reverse;
	}
	/* Atomic replace removed the patches it replaced; unload their modules. */
	for (size_t i = 0; i < before.nr; i++) {
		char *d = lp_path(e, before.v[i], NULL);
		struct hp_strbuf ign = HP_STRBUF_INIT;
		if (strcmp(before.v[i], mod) && !path_exists(d) && module_loaded(e, before.v[i]))
			unload_module(e, before.v[i], &ign); /* a leftover disabled module is harmless */
		hp_strbuf_release(&ign);
		free(d);
	}
	ret = 0;
	goto out;
reverse:
	if (reverse_apply(e, mod, err) == 0)
		hp_error(err, "klp: '%s' reversed and unloaded", mod);
out:
	if (fd >= 0)
		close(fd);
	hp_strvec_release(&before);
	hp_strbuf_release(&blockers);
	hp_ko_info_release(&ki);
	free(path);
	free(en);
	free(force);
	return ret;
}

static int klp_revert(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err)
{
	struct hp_strbuf blockers = HP_STRBUF_INIT;
	char *mod = NULL, *en = NULL, *force = NULL;
	int r, ret = -1;

	mod = hp_engine_live_name(e, it, err);
	if (!mod)
		goto out;
	en = lp_path(e, mod, "enabled");
	force = lp_path(e, mod, "force");
	/* 2 (EINVAL): already disabled and on its way out; wait for that. */
	if (write_attr(en, "0", err) < 0)
		goto out;
	r = wait_transition(e, mod, 1, err);
	if (r < 0)
		goto out;
	if (r == WAIT_TIMEOUT) {
		find_blockers(e, 0, &blockers);
		if (e->force && write_attr(force, "1", err) == 0 &&
		    wait_transition(e, mod, 1, err) == WAIT_GONE)
			goto unload;
		hp_error(err, "klp: disabling '%s' did not finish within %u s; blocked by: %s",
			 mod, e->transition_timeout, blockers.buf);
		/* Reverse the reversal: the patch goes back to fully enabled. */
		if (write_attr(en, "1", err) == 0 && wait_transition(e, mod, 0, err) == WAIT_DONE)
			hp_error(err, "klp: '%s' left enabled", mod);
		goto out;
	}
unload:
	if (module_loaded(e, mod) && unload_module(e, mod, err))
		goto out;
	ret = 0;
out:
	hp_strbuf_release(&blockers);
	free(mod);
	free(en);
	free(force);
	return ret;
}

static int klp_list_live(struct hp_engine *e, struct hp_live_patch **out, size_t *nr,
			 struct hp_strbuf *err)
{
	struct hp_strvec names = HP_STRVEC_INIT;
	struct hp_live_patch *v = NULL;
	size_t n = 0;
	int ret = -1;

	if (live_names(e, &names, err))
		goto out;
	v = hp_xcalloc(names.nr + 1, sizeof(*v));
	for (size_t i = 0; i < names.nr; i++) {
		char *pe = lp_path(e, names.v[i], "enabled");
		char *pt = lp_path(e, names.v[i], "transition");
		int en = 0, tr = 0, r1, r2;

		r1 = read_attr(pe, &en, err);
		r2 = r1 ? r1 : read_attr(pt, &tr, err);
		free(pe);
		free(pt);
		if (r1 < 0 || r2 < 0)
			goto out;
		if (r1 || r2) /* vanished while we looked: not live */
			continue;
		v[n].name = hp_xstrdup(names.v[i]);
		v[n].enabled = en;
		v[n].transition = tr;
		n++;
	}
	*out = v;
	*nr = n;
	v = NULL;
	ret = 0;
out:
	hp_live_patches_free(v, n);
	hp_strvec_release(&names);
	return ret;
}

static int klp_is_live(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err)
{
	char *mod = hp_engine_live_name(e, it, err), *pe = NULL, *pt = NULL;
	int en = 0, tr = 0, r, ret = -1;

	if (!mod)
		return -1;
	pe = lp_path(e, mod, "enabled");
	pt = lp_path(e, mod, "transition");
	r = read_attr(pe, &en, err);
	if (r == 0)
		r = read_attr(pt, &tr, err);
	if (r >= 0)
		ret = r == 0 && en == 1 && tr == 0;
	free(mod);
	free(pe);
	free(pt);
	return ret;
}

static const struct hp_engine_ops klp_ops = {
	.name = "klp",
	.probe = klp_probe,
	.apply = klp_apply,
	.revert = klp_revert,
	.list_live = klp_list_live,
	.is_live = klp_is_live,
	.release = NULL,
};

int hp_klp_engine_init(struct hp_engine *e, struct hp_strbuf *err)
{
	e->ops = &klp_ops;
	return 0;
}
