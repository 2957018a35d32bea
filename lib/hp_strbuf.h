/* Growable strings (lib/strbuf.c), the error buffer of every module, and
 * the error helpers that append to it (see hp_util.h for the convention). */
#ifndef HP_STRBUF_H
#define HP_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

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
void hp_strbuf_vaddf(struct hp_strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Returns the buffer (caller frees) and leaves `sb` empty and initialised. */
char *hp_strbuf_detach(struct hp_strbuf *sb);
/* Makes the bytes of `sb` from offset `from` on one printable line: a
 * newline becomes "; ", any other control byte '?'. Messages echo paths,
 * URLs and names from files and the command line; a newline or an escape
 * sequence in one must not split the message or reach the terminal. */
void hp_strbuf_sanitize_line(struct hp_strbuf *sb, size_t from);

/* Appends "... : <strerror(errnum)>" style message lines. Always returns -1,
 * so error paths can `return hp_error(err, "...")`. A newline separates
 * messages when `err` already holds one; each message is made one line
 * (hp_strbuf_sanitize_line), so one call is one line whatever its arguments hold
 * (hp_error_lines keeps the lines of a list of messages apart). */
int hp_error(struct hp_strbuf *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int hp_error_errno(struct hp_strbuf *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends each non-empty line of `lines` (e.g. hp_meta_validate's problems)
 * to `err` as its own message, after `prefix` (may be NULL): one line per
 * problem, each naming the file or object it is about. */
void hp_error_lines(struct hp_strbuf *err, const char *prefix, const char *lines);

#endif
