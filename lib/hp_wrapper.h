/* Wrappers (lib/wrapper.c): allocation that cannot fail, one-line
 * messages, whole-file reads, atomic writes, mkdir -p, paths. */
#ifndef HP_WRAPPER_H
#define HP_WRAPPER_H

#include <stddef.h>
#include <stdint.h>

#include "hp_strbuf.h"

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

#endif
