/* Temporary directories removed on a fatal signal; see hp_tempdir.h. */
#include "hp_tempdir.h"
#include "hp_wrapper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The slots the handler reads. `used` is set last and cleared first, with
 * the signals blocked around the change, so the handler never sees half a
 * path. `owner` keeps a forked child (between fork and exec) from removing
 * its parent's directories. */
static struct {
	volatile sig_atomic_t used;
	pid_t owner;
	char path[PATH_MAX];
} slots[HP_TEMPDIR_MAX];

static const int fatal_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE };

/* Removes what `dirfd` holds, `depth` levels deep at most (snapshots are a
 * few levels: repodata/, keys/). Only open, getdents64, unlinkat and close:
 * all async-signal-safe (no malloc, no stdio, no opendir). */
static void remove_contents(int dirfd, int depth)
{
	char buf[2048];
	long n;

	while ((n = (long)getdents64(dirfd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);
			const char *name = de->d_name;

			off += de->d_reclen;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			if (unlinkat(dirfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM))
				continue;
			if (depth > 0) {
				int fd = openat(dirfd, name,
						O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

				if (fd >= 0) {
					remove_contents(fd, depth - 1);
					close(fd);
				}
			}
			unlinkat(dirfd, name, AT_REMOVEDIR);
		}
	}
}

static void remove_on_signal(int sig)
{
	int saved = errno;
	pid_t self = getpid();

	for (size_t i = 0; i < HP_TEMPDIR_MAX; i++) {
		int fd;

		if (!slots[i].used || slots[i].owner != self)
			continue;
		/* A helper still running (gpg holding its lock file) may add
		 * an entry behind the scan: a few more rounds, 10 ms apart. */
		for (int round = 0; round < 20; round++) {
			struct timespec pause = { 0, 10 * 1000 * 1000 };

			fd = open(slots[i].path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0) {
				remove_contents(fd, 8);
				close(fd);
			}
			if (rmdir(slots[i].path) == 0 || errno != ENOTEMPTY)
				break;
			nanosleep(&pause, NULL);
		}
		slots[i].used = 0;
	}
	errno = saved;
	/* Die of the signal, as without us: the parent (dnf, systemd, a
	 * shell) sees the status it expects. */
	signal(sig, SIG_DFL);
	raise(sig);
}

#define NR_FATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static void fatal_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < NR_FATAL; i++)
		sigaddset(set, fatal_signals[i]);
}

/* On every registration, for the signals still at their default: one the
 * caller ignores (nohup's SIGHUP, SIGPIPE under a supervisor) stays ignored,
 * one with a handler of its own keeps it. */
static void install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = remove_on_signal;
	fatal_set(&sa.sa_mask);
	for (size_t i = 0; i < NR_FATAL; i++) {
		struct sigaction old;

		if (sigaction(fatal_signals[i], NULL, &old) < 0 ||
		    (old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
			continue;
		sigaction(fatal_signals[i], &sa, NULL);
	}
}

static void block_signals(sigset_t *old)
{
	sigset_t set;

	fatal_set(&set);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* Called with the signals blocked. */
static void track(const char *dir)
{
	if (strlen(dir) >= PATH_MAX)
		return;
	install_handlers();
	for (size_t i = 0; i < HP_TEMPDIR_MAX; i++) {
		if (slots[i].used)
			continue;
		memcpy(slots[i].path, dir, strlen(dir) + 1);
		slots[i].owner = getpid();
		slots[i].used = 1;
		break;
	}
}

void hp_tempdir_forget(const char *dir)
{
	sigset_t old;

	if (!dir)
		return;
	block_signals(&old);
	for (size_t i = 0; i < HP_TEMPDIR_MAX; i++)
		if (slots[i].used && !strcmp(slots[i].path, dir))
			slots[i].used = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Removes <tmp>/<prefix><pid>-* of ours whose process is gone: what
 * SIGKILL (or a helper racing the handler) left behind. Once per prefix and
 * process: a check of many repositories makes one snapshot each, and /tmp
 * need not be read for every one. */
static void sweep_dead(const char *tmp, const char *prefix)
{
	static char swept[HP_TEMPDIR_MAX][32];
	size_t plen = strlen(prefix), i;
	struct dirent *de;
	DIR *d;

	for (i = 0; i < HP_TEMPDIR_MAX && swept[i][0]; i++)
		if (!strcmp(swept[i], prefix))
			return;
	if (i < HP_TEMPDIR_MAX && plen < sizeof(swept[i]))
		memcpy(swept[i], prefix, plen + 1);
	d = opendir(tmp);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;
		char *end, *path;
		long pid;

		if (strncmp(de->d_name, prefix, plen))
			continue;
		pid = strtol(de->d_name + plen, &end, 10);
		if (end == de->d_name + plen || *end != '-' || pid <= 0 || pid == (long)getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		path = hp_path_join(tmp, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid())
			hp_remove_tree(path);
		free(path);
	}
	closedir(d);
}

char *hp_tempdir_create(const char *prefix, struct hp_strbuf *err)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;
	sigset_t old;
	int made;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	sweep_dead(tmp, prefix);
	/* The pid in the name lets a later run sweep it if this one dies
	 * of SIGKILL. */
	dir = hp_xasprintf("%s/%s%ld-XXXXXX", tmp, prefix, (long)getpid());
	/* Created and registered as one step: a signal in between would
	 * leave it for the next run's sweep. */
	block_signals(&old);
	made = mkdtemp(dir) != NULL;
	if (made)
		track(dir);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (!made) {
		hp_error_errno(err, errno, "cannot create a temporary directory in '%s'", tmp);
		free(dir);
		return NULL;
	}
	return dir;
}

void hp_tempdir_remove(char *dir)
{
	if (!dir)
		return;
	/* Still registered while it goes: a signal meanwhile finishes the
	 * job (the handler needs no lock and no allocation). */
	hp_remove_tree(dir);
	hp_tempdir_forget(dir);
	free(dir);
}
