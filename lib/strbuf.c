/* Growable strings and the error buffer: see hp_strbuf.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp_strbuf.h"
#include "hp_wrapper.h"

char hp_strbuf_slopbuf[1];

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

void hp_strbuf_vaddf(struct hp_strbuf *sb, const char *fmt, va_list ap)
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
	hp_strbuf_vaddf(sb, fmt, ap);
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

/* A new line for the next error: messages already in `err` stay, one per line. */
static void error_line(struct hp_strbuf *err)
{
	if (err->len && err->buf[err->len - 1] != '\n')
		hp_strbuf_adds(err, "\n");
}

void hp_strbuf_sanitize_line(struct hp_strbuf *sb, size_t from)
{
	struct hp_strbuf tail = HP_STRBUF_INIT;

	if (from >= sb->len)
		return;
	for (size_t i = from; i < sb->len; i++) {
		unsigned char c = (unsigned char)sb->buf[i];

		if (c == '\n')
			hp_strbuf_adds(&tail, "; ");
		else if (c < 0x20 || c == 0x7f)
			hp_strbuf_add(&tail, "?", 1);
		else
			hp_strbuf_add(&tail, &sb->buf[i], 1);
	}
	sb->len = from;
	sb->buf[from] = '\0';
	hp_strbuf_add(sb, tail.buf, tail.len);
	hp_strbuf_release(&tail);
}

int hp_error(struct hp_strbuf *err, const char *fmt, ...)
{
	va_list ap;
	size_t from;

	if (!err)
		return -1;
	error_line(err);
	from = err->len;
	va_start(ap, fmt);
	hp_strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	hp_strbuf_sanitize_line(err, from);
	return -1;
}

int hp_error_errno(struct hp_strbuf *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t from;

	if (!err)
		return -1;
	error_line(err);
	from = err->len;
	va_start(ap, fmt);
	hp_strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	hp_strbuf_addf(err, ": %s", strerror(errnum));
	hp_strbuf_sanitize_line(err, from);
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
