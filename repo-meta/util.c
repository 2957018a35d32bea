/* Shared helpers; see hp_util.h for the conventions. */
#include "hp_util.h"

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

#include <rpm/rpmpgp.h>

char hp_strbuf_slopbuf[1];

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

void hp_strbuf_init(struct hp_strbuf *sb)
{
	sb->buf = hp_strbuf_slopbuf;
	sb->len = 0;
	sb->alloc = 0;
}

void hp_strbuf_release(struct hp_strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	hp_strbuf_init(sb);
}

void hp_strbuf_reset(struct hp_strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
	else
		sb->buf = hp_strbuf_slopbuf;
}

static void strbuf_grow(struct hp_strbuf *sb, size_t extra)
{
	size_t want = sb->len + extra + 1;

	if (!sb->alloc) {
		/* buf points at the shared empty string: nothing to keep. */
		sb->buf = NULL;
		sb->len = 0;
	}
	HP_ALLOC_GROW(sb->buf, want, sb->alloc);
}

void hp_strbuf_add(struct hp_strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void hp_strbuf_adds(struct hp_strbuf *sb, const char *s)
{
	hp_strbuf_add(sb, s, strlen(s));
}

static void strbuf_vaddf(struct hp_strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	strbuf_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void hp_strbuf_addf(struct hp_strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

char *hp_strbuf_detach(struct hp_strbuf *sb)
{
	char *r;

	if (!sb->alloc)
		r = hp_xstrdup("");
	else
		r = sb->buf;
	hp_strbuf_init(sb);
	return r;
}

int hp_error(struct hp_strbuf *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	if (err->len && err->buf[err->len - 1] != '\n')
		hp_strbuf_adds(err, "\n");
	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return -1;
}

int hp_error_errno(struct hp_strbuf *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	if (err->len && err->buf[err->len - 1] != '\n')
		hp_strbuf_adds(err, "\n");
	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	hp_strbuf_addf(err, ": %s", strerror(errnum));
	return -1;
}

void hp_error_lines(struct hp_strbuf *err, const char *prefix, const char *lines)
{
	for (const char *p = lines; p && *p;) {
		size_t n = strcspn(p, "\n");

		if (n)
			hp_error(err, "%s%.*s", prefix ? prefix : "", (int)n, p);
		p += n;
		if (*p)
			p++;
	}
}

void hp_strvec_init(struct hp_strvec *sv)
{
	sv->v = NULL;
	sv->nr = 0;
	sv->alloc = 0;
}

void hp_strvec_push_nodup(struct hp_strvec *sv, char *s)
{
	HP_ALLOC_GROW(sv->v, sv->nr + 2, sv->alloc);
	sv->v[sv->nr++] = s;
	sv->v[sv->nr] = NULL;
}

void hp_strvec_push(struct hp_strvec *sv, const char *s)
{
	hp_strvec_push_nodup(sv, hp_xstrdup(s));
}

void hp_strvec_pushf(struct hp_strvec *sv, const char *fmt, ...)
{
	struct hp_strbuf sb = HP_STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	hp_strvec_push_nodup(sv, hp_strbuf_detach(&sb));
}

int hp_strvec_contains(const struct hp_strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->nr; i++)
		if (!strcmp(sv->v[i], s))
			return 1;
	return 0;
}

void hp_strvec_release(struct hp_strvec *sv)
{
	for (size_t i = 0; i < sv->nr; i++)
		free(sv->v[i]);
	free(sv->v);
	hp_strvec_init(sv);
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

void hp_sha256_hex(const void *data, size_t len, char hex[65])
{
	DIGEST_CTX ctx = rpmDigestInit(RPM_HASH_SHA256, RPMDIGEST_NONE);
	char *s = NULL;

	rpmDigestUpdate(ctx, data, len);
	rpmDigestFinal(ctx, (void **)&s, NULL, 1);
	snprintf(hex, 65, "%s", s ? s : "");
	free(s);
}

int hp_digest_fd(int fd, int algo, const char *what, char **hex, struct hp_strbuf *err)
{
	char buf[65536];
	DIGEST_CTX ctx = rpmDigestInit(algo, RPMDIGEST_NONE);

	*hex = NULL;
	if (!ctx)
		return hp_error(err, "cannot read '%s': rpm cannot compute this checksum", what);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			rpmDigestFinal(ctx, NULL, NULL, 0);
			return hp_error_errno(err, e, "cannot read '%s'", what);
		}
		if (!n)
			break;
		rpmDigestUpdate(ctx, buf, (size_t)n);
	}
	rpmDigestFinal(ctx, (void **)hex, NULL, 1);
	if (!*hex)
		return hp_error(err, "cannot read '%s': checksum failed", what);
	return 0;
}

int hp_sha256_file(const char *path, char hex[65], struct hp_strbuf *err)
{
	char *s = NULL;
	int fd = hp_open_regular(path, 0, err), ret;

	if (fd < 0)
		return -1;
	ret = hp_digest_fd(fd, RPM_HASH_SHA256, path, &s, err);
	close(fd);
	if (!ret)
		snprintf(hex, 65, "%s", s);
	free(s);
	return ret;
}

int hp_parse_date(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	char back[11];
	int y, m, d;
	char extra;

	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*out = timegm(&tm);
	/* timegm normalises 2026-02-30 to March: reject what does not round-trip. */
	hp_format_date(*out, back);
	return strcmp(back, s) ? -1 : 0;
}

void hp_format_date(time_t t, char buf[11])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
}

time_t hp_now(void)
{
	const char *e = getenv("HP_NOW");

	if (e && *e) {
		char *end;
		long long v = strtoll(e, &end, 10);
		if (!*end && v >= 0)
			return (time_t)v;
	}
	return time(NULL);
}

/* A decimal in [min, max], nothing else. */
static int env_number(const char *name, unsigned long long min, unsigned long long max,
		      struct hp_strbuf *err)
{
	const char *e = getenv(name);
	unsigned long long v;
	char *end;

	if (!e)
		return 0;
	errno = 0;
	v = strtoull(e, &end, 10);
	if (!isdigit((unsigned char)*e) || *end || errno || v < min || v > max)
		return hp_error(err, "invalid %s '%s': expected a number, %llu..%llu", name, e,
				min, max);
	return 0;
}

int hp_env_check(struct hp_strbuf *err)
{
	/* Year 36812 at most: no date computed from it overflows. */
	if (env_number("HP_NOW", 0, 1ULL << 40, err) ||
	    env_number("HP_KLP_TIMEOUT", 1, 86400, err))
		return -1;
	return 0;
}
