/* Small shared helpers: growable strings (the error buffer of every module),
 * string vectors, file I/O with atomic replace, sha256, dates.
 *
 * Error convention (as git's `struct strbuf *err`): functions return 0 on
 * success and -1 on failure, after appending one line to `err` that names the
 * file or object and the system error, e.g.
 *   "cannot open '/var/lib/hotpatch/journal': Permission denied".
 * Only the command layer prints and chooses the exit code. */
#ifndef HP_UTIL_H
#define HP_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct hp_strbuf {
	char *buf;    /* always NUL-terminated; "" when empty, never NULL after init */
	size_t len;
	size_t alloc;
};

extern char hp_strbuf_slopbuf[1];
#define HP_STRBUF_INIT { hp_strbuf_slopbuf, 0, 0 }

void hp_strbuf_init(struct hp_strbuf *sb);
/* Frees the buffer; the struct can be reused after hp_strbuf_init. */
void hp_strbuf_release(struct hp_strbuf *sb);
void hp_strbuf_reset(struct hp_strbuf *sb);
void hp_strbuf_add(struct hp_strbuf *sb, const void *data, size_t len);
void hp_strbuf_adds(struct hp_strbuf *sb, const char *s);
void hp_strbuf_addf(struct hp_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Returns the buffer (caller frees) and leaves `sb` empty and initialised. */
char *hp_strbuf_detach(struct hp_strbuf *sb);
/* Appends "... : <strerror(errnum)>" style message lines. Always returns -1,
 * so error paths can `return hp_error(err, "...")`. A newline separates
 * messages when `err` already holds one. */
int hp_error(struct hp_strbuf *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int hp_error_errno(struct hp_strbuf *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends each non-empty line of `lines` (e.g. hp_meta_validate's problems)
 * to `err` as its own message, after `prefix` (may be NULL): one line per
 * problem, each naming the file or object it is about. */
void hp_error_lines(struct hp_strbuf *err, const char *prefix, const char *lines);

/* A NULL-terminated vector of malloc'd strings; the vector owns them. */
struct hp_strvec {
	char **v;     /* v[nr] == NULL once anything was pushed */
	size_t nr;
	size_t alloc;
};

#define HP_STRVEC_INIT { NULL, 0, 0 }

void hp_strvec_init(struct hp_strvec *sv);
void hp_strvec_push(struct hp_strvec *sv, const char *s);          /* copies s */
void hp_strvec_push_nodup(struct hp_strvec *sv, char *s);          /* takes ownership of s */
void hp_strvec_pushf(struct hp_strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int hp_strvec_contains(const struct hp_strvec *sv, const char *s);
void hp_strvec_release(struct hp_strvec *sv);

/* Allocation that cannot fail (aborts with a message on OOM, as git's xmalloc). */
void *hp_xmalloc(size_t n);
void *hp_xcalloc(size_t nmemb, size_t size);
void *hp_xrealloc(void *p, size_t n);
char *hp_xstrdup(const char *s);          /* NULL in, NULL out */
char *hp_xstrndup(const char *s, size_t n);
char *hp_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A foreign library's message (createrepo_c, gpgme, libarchive, rpm's log)
 * as one line: every run of whitespace, newlines included, becomes one space
 * and leading/trailing whitespace goes. Returns malloc'd, caller frees;
 * NULL in, NULL out. */
char *hp_oneline(const char *msg);
/* The same, rewriting `s` in place (it only shrinks); returns `s`. */
char *hp_oneline_inplace(char *s);
/* Grow an array `x` of `nr` used and `alloc` allocated elements to hold `want`. */
#define HP_ALLOC_GROW(x, want, alloc)                                          \
	do {                                                                   \
		if ((want) > (alloc)) {                                        \
			size_t hp_a_ = (alloc) ? (alloc) * 2 : 8;              \
			if (hp_a_ < (want))                                    \
				hp_a_ = (want);                                \
			(x) = hp_xrealloc((x), hp_a_ * sizeof(*(x)));          \
			(alloc) = hp_a_;                                       \
		}                                                              \
	} while (0)

/* Largest file hp_read_file / hp_read_fd read (the largest metadata a
 * mirror may send, HP_FETCH_MAX_DATA). */
#define HP_READ_MAX_DEFAULT ((size_t)256 << 20)
/* Opens `path` read-only for a reader that must neither block nor be fed a
 * device: O_NONBLOCK while opening (a FIFO cannot hang), then anything but a
 * regular file is refused: "cannot read '<path>': not a regular file".
 * `nofollow`: a symlink is refused too (O_NOFOLLOW). Returns the descriptor
 * (blocking again; caller closes) or -1. */
int hp_open_regular(const char *path, int nofollow, struct hp_strbuf *err);
/* Reads a whole regular file (hp_open_regular) into `out` (appends), at most
 * `max` bytes, checked while reading: "cannot read '<path>': larger than N
 * bytes, refused". hp_read_file: max HP_READ_MAX_DEFAULT. */
int hp_read_file_max(const char *path, size_t max, struct hp_strbuf *out,
		     struct hp_strbuf *err);
int hp_read_file(const char *path, struct hp_strbuf *out, struct hp_strbuf *err);
/* Writes `len` bytes to `path` atomically: a temp file in the same directory,
 * fsync, rename, fsync of the directory. `mode` as for open(2). */
int hp_write_file_atomic(const char *path, const void *data, size_t len, int mode,
			 struct hp_strbuf *err);
/* Reads everything from `fd`, starting at offset 0 (pread: the file position is
 * left alone), appending to `out`; `what` names the file in errors. */
int hp_read_fd(int fd, const char *what, struct hp_strbuf *out, struct hp_strbuf *err);
/* The same with a cap on the bytes read (hp_read_fd: HP_READ_MAX_DEFAULT). */
int hp_read_fd_max(int fd, const char *what, size_t max, struct hp_strbuf *out,
		   struct hp_strbuf *err);
/* Reads a file holding one decimal number (trailing whitespace allowed) into
 * *out. A missing file (ENOENT/ENOTDIR) sets *out = 0 and returns 0; any other
 * content is "'<path>': corrupt number record". A symlink, or a file owned
 * by another user than the caller or root, is refused. */
int hp_read_u64_file(const char *path, uint64_t *out, struct hp_strbuf *err);
/* rm -rf of our own temporary trees; never follows symlinks; best effort. */
void hp_remove_tree(const char *path);
/* mkdir -p; `mode` for created directories. */
int hp_mkdir_p(const char *path, int mode, struct hp_strbuf *err);
/* Joins two path pieces with exactly one '/'. Returns malloc'd, caller frees. */
char *hp_path_join(const char *a, const char *b);

/* Lower-case hex sha256 of a buffer / a file. `hex` must hold 65 bytes. */
void hp_sha256_hex(const void *data, size_t len, char hex[65]);
int hp_sha256_file(const char *path, char hex[65], struct hp_strbuf *err);
/* Lower-case hex digest (rpm's hash `algo`, e.g. RPM_HASH_SHA512) of what is
 * left to read from `fd` (not closed), malloc'd into *hex; `what` names it
 * in errors. */
int hp_digest_fd(int fd, int algo, const char *what, char **hex, struct hp_strbuf *err);

/* Dates "YYYY-MM-DD" (UTC midnight). Returns 0 and sets *out, or -1 if the
 * string is not a valid calendar date. */
int hp_parse_date(const char *s, time_t *out);
/* Formats `t` as "YYYY-MM-DD" in UTC into buf (11 bytes). */
void hp_format_date(time_t t, char buf[11]);
/* The time "now" for every decision; HP_NOW (seconds since the epoch) overrides
 * it so that expiry and support-end rules can be tested on real data. */
time_t hp_now(void);
/* Checks the environment variables that steer decisions (HP_NOW: 0..2^40;
 * HP_KLP_TIMEOUT: 1..86400 seconds): garbage or out of range is an error
 * ("invalid HP_NOW 'x': expected a number, 0..N"), never silently ignored.
 * Commands call it first and treat a failure as a usage error. */
int hp_env_check(struct hp_strbuf *err);

#endif
