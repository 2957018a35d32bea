/* Wrappers and file I/O: see hp_wrapper.h. */
#include <errno.h>
#include <ctype.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp_wrapper.h"

void *hp_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "fatal: out of memory (%zu bytes)\n", n);
		abort();
	}
	return p;
}

void *hp_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p) {
		fprintf(stderr, "fatal: out of memory\n");
		abort();
	}
	return p;
}

void *hp_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "fatal: out of memory (%zu bytes)\n", n);
		abort();
	}
	return q;
}

char *hp_xstrdup(const char *s)
{
	return s ? hp_xstrndup(s, strlen(s)) : NULL;
}

char *hp_xstrndup(const char *s, size_t n)
{
	size_t l = strnlen(s, n);
	char *p = hp_xmalloc(l + 1);
	memcpy(p, s, l);
	p[l] = '\0';
	return p;
}

char *hp_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return hp_xstrdup("");
	p = hp_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

char *hp_oneline_inplace(char *s)
{
	char *o = s;
	int space = 0;

	if (!s)
		return NULL;
	for (const char *p = s; *p; p++) {
		/* Any run of whitespace (newlines, tabs) becomes one space, so a
		 * library's multi-line message stays one error line. */
		if (*p == '\n' || *p == '\r' || *p == '\t' || *p == ' ' || *p == '\v' ||
		    *p == '\f') {
			space = 1;
			continue;
		}
		if (space && o != s)
			*o++ = ' ';
		space = 0;
		*o++ = *p;
	}
	*o = '\0';
	return s;
}

char *hp_oneline(const char *msg)
{
	return hp_oneline_inplace(hp_xstrdup(msg));
}

int hp_open_regular(const char *path, int nofollow, struct hp_strbuf *err)
{
	struct stat st;
	int fd, fl;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0)
		return hp_error_errno(err, errno, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0) {
		hp_error_errno(err, errno, "cannot read '%s'", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		hp_error(err, "cannot read '%s': not a regular file", path);
		goto fail;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
fail:
	close(fd);
	return -1;
}

int hp_read_file_max(const char *path, size_t max, struct hp_strbuf *out,
		     struct hp_strbuf *err)
{
	int fd = hp_open_regular(path, 0, err);
	int ret;

	if (fd < 0)
		return -1;
	ret = hp_read_fd_max(fd, path, max, out, err);
	close(fd);
	return ret;
}

int hp_read_file(const char *path, struct hp_strbuf *out, struct hp_strbuf *err)
{
	return hp_read_file_max(path, HP_READ_MAX_DEFAULT, out, err);
}

int hp_read_fd(int fd, const char *what, struct hp_strbuf *out, struct hp_strbuf *err)
{
	return hp_read_fd_max(fd, what, HP_READ_MAX_DEFAULT, out, err);
}

int hp_read_fd_max(int fd, const char *what, size_t max, struct hp_strbuf *out,
		   struct hp_strbuf *err)
{
	char buf[65536];
	off_t off = 0;
	size_t got = 0;
	int seekable = 1;

	for (;;) {
		/* pread keeps the caller's file position; pipes have none. */
		ssize_t n = seekable ? pread(fd, buf, sizeof(buf), off) : read(fd, buf, sizeof(buf));
		if (n < 0 && errno == ESPIPE && seekable) {
			seekable = 0;
			continue;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return hp_error_errno(err, errno, "cannot read '%s'", what);
		}
		if (!n)
			return 0;
		/* Checked while reading: a sparse or endless file is refused
		 * after `max` bytes, never read whole first. */
		if ((size_t)n > max - got)
			return hp_error(err, "cannot read '%s': larger than %zu bytes, refused",
					what, max);
		got += (size_t)n;
		hp_strbuf_add(out, buf, (size_t)n);
		off += n;
	}
}

int hp_read_u64_file(const char *path, uint64_t *out, struct hp_strbuf *err)
{
	struct hp_strbuf buf = HP_STRBUF_INIT;
	unsigned long long v;
	struct stat st;
	char *end;
	int ret = -1;

	*out = 0;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		hp_error_errno(err, errno, "cannot read '%s'", path);
		goto out;
	}
	/* A symlink (even a dangling one) or a file another user could
	 * have planted never stands for a trusted number. */
	if (S_ISLNK(st.st_mode) || (S_ISREG(st.st_mode) && st.st_uid != geteuid() && st.st_uid)) {
		hp_error(err, "'%s': refused: not a regular file owned by this user or root", path);
		goto out;
	}
	if (hp_read_file_max(path, 64, &buf, err))
		goto out;
	errno = 0;
	v = strtoull(buf.buf, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || end == buf.buf || *end || !isdigit((unsigned char)buf.buf[0])) {
		hp_error(err, "'%s': corrupt number record (expected one decimal number)", path);
		goto out;
	}
	*out = v;
	ret = 0;
out:
	hp_strbuf_release(&buf);
	return ret;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void hp_remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int fsync_dir_of(const char *path)
{
	char *copy = hp_xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd >= 0) {
		ret = fsync(fd);
		close(fd);
	}
	free(copy);
	return ret;
}

int hp_write_file_atomic(const char *path, const void *data, size_t len, int mode,
			 struct hp_strbuf *err)
{
	char *tmp = hp_xasprintf("%s.tmp.XXXXXX", path);
	const char *p = data;
	int fd = -1, ret = -1;

	fd = mkstemp(tmp);
	if (fd < 0) {
		hp_error_errno(err, errno, "cannot create a temporary file beside '%s'", path);
		goto out;
	}
	if (fchmod(fd, (mode_t)mode) < 0) {
		hp_error_errno(err, errno, "cannot set the mode of '%s'", tmp);
		goto out;
	}
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			hp_error_errno(err, errno, "cannot write '%s'", tmp);
			goto out;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0) {
		hp_error_errno(err, errno, "cannot sync '%s'", tmp);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		hp_error_errno(err, errno, "cannot close '%s'", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		hp_error_errno(err, errno, "cannot rename '%s' to '%s'", tmp, path);
		goto out;
	}
	fsync_dir_of(path);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

int hp_mkdir_p(const char *path, int mode, struct hp_strbuf *err)
{
	char *copy = hp_xstrdup(path);
	int ret = -1;

	for (char *p = copy + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;
			*p = '\0';
			if (mkdir(copy, (mode_t)mode) < 0 && errno != EEXIST) {
				hp_error_errno(err, errno, "cannot create directory '%s'", copy);
				goto out;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

char *hp_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	if (!*b)
		return hp_xstrndup(a, la);
	return hp_xasprintf("%.*s/%s", (int)la, a, b);
}
