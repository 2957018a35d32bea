/* The run lock (hp_lock.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hp_lock.h"

#define RETRY_MS 100

char *hp_lock_default_path(const char *root)
{
	return hp_path_join(root && *root ? root : "/", "run/hotpatch.lock");
}

/* The pid the holder wrote, or 0 when it has not written it yet. */
static long holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int hp_lock_acquire(struct hp_lock *l, const char *path, unsigned wait_seconds,
		    struct hp_strbuf *err)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	unsigned long waited = 0;
	char *dir = hp_xstrdup(path);
	char pid[32];
	int fd = -1, ret = -1;

	if (hp_mkdir_p(dirname(dir), 0755, err))
		goto out;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		hp_error_errno(err, errno, "cannot open '%s'", path);
		goto out;
	}
	for (;;) {
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			break;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
			hp_error_errno(err, errno, "cannot lock '%s'", path);
			goto out;
		}
		if (waited >= (unsigned long)wait_seconds * 1000) {
			long holder = holder_pid(fd);
			if (holder > 0)
				hp_error(err, "another hotpatch run (pid %ld) holds '%s'", holder, path);
			else
				hp_error(err, "another hotpatch run holds '%s'", path);
			goto out;
		}
		usleep(RETRY_MS * 1000);
		waited += RETRY_MS;
	}
	/* For the message of whoever waits next (not for locking). */
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0) {
		hp_error_errno(err, errno, "cannot write '%s'", path);
		goto out;
	}
	l->fd = fd;
	l->path = hp_xstrdup(path);
	fd = -1;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	return ret;
}

void hp_lock_release(struct hp_lock *l)
{
	if (l->fd >= 0) {
		/* Leave no stale pid behind; the file itself stays (unlinking
		 * a lock file races with a waiter that opened it). */
		if (ftruncate(l->fd, 0) < 0) {
			/* harmless: the next holder rewrites it */
		}
		close(l->fd);
	}
	free(l->path);
	l->fd = -1;
	l->path = NULL;
}
