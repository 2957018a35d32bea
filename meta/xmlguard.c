/* Token-length guard for expat; see hp_xmlguard.h. */
#include "hp_xmlguard.h"

#include <string.h>

enum { TEXT, LT, BANG, TAG, COMMENT, PI, CDATA, DECL };

void hp_xml_guard_init(struct hp_xml_guard *g, size_t max)
{
	memset(g, 0, sizeof(*g));
	g->state = TEXT;
	g->max = max;
}

/* Keeps the last 8 bytes of the token (NUL-terminated). */
static void push_tail(struct hp_xml_guard *g, char c)
{
	size_t n = strlen(g->tail);

	if (n == sizeof(g->tail) - 1) {
		memmove(g->tail, g->tail + 1, n - 1);
		n--;
	}
	g->tail[n] = c;
	g->tail[n + 1] = '\0';
}

static int ends_with(const struct hp_xml_guard *g, const char *s)
{
	size_t n = strlen(g->tail), k = strlen(s);

	return n >= k && !memcmp(g->tail + n - k, s, k);
}

static void to_text(struct hp_xml_guard *g)
{
	g->state = TEXT;
	g->run = 0;
	g->quote = 0;
}

/* How many bytes from `buf` on cannot change the state: text up to the next
 * '<', a tag up to a quote or its '>', a quoted value up to its quote. Most
 * of a document is such runs; a tight loop over them keeps the guard far
 * below the cost of parsing (it sees every byte of a 200 MB primary). */
static size_t plain_run(const struct hp_xml_guard *g, const char *buf, size_t len)
{
	size_t n = 0;

	if (g->state == TEXT) {
		while (n < len && buf[n] != '<')
			n++;
	} else if ((g->state == TAG || g->state == DECL) && g->quote) {
		while (n < len && (unsigned char)buf[n] != g->quote)
			n++;
	} else if (g->state == TAG || g->state == DECL) {
		while (n < len && buf[n] != '"' && buf[n] != '\'' && buf[n] != '>')
			n++;
	}
	return n;
}

int hp_xml_guard_scan(struct hp_xml_guard *g, const char *buf, size_t len, const char *what,
		      struct hp_strbuf *err)
{
	for (size_t i = 0; i < len; i++, g->offset++) {
		size_t k = plain_run(g, buf + i, len - i);
		char c;

		/* Up to the limit at most: the byte after it is refused below. */
		if (k > g->max - g->run)
			k = g->max - g->run;
		g->run += k;
		g->offset += k;
		i += k;
		if (i == len)
			break;
		c = buf[i];
		if (++g->run > g->max)
			return hp_error(err, "'%s': XML token longer than %zu KiB at byte %llu, refused",
					what, g->max >> 10, (unsigned long long)g->offset);
		switch (g->state) {
		case TEXT:
			if (c == '<') {
				g->state = LT;
				g->run = 1;
				g->tail[0] = '\0';
			}
			break;
		case LT:
			if (c == '!') {
				g->state = BANG;
			} else if (c == '?') {
				g->state = PI;
			} else {
				g->state = TAG;
				if (c == '>')
					to_text(g);
			}
			break;
		case BANG:
			/* "<!--", "<![CDATA[" or a declaration (<!DOCTYPE ...). */
			push_tail(g, c);
			if (!strcmp(g->tail, "--")) {
				g->state = COMMENT;
				g->tail[0] = '\0';
			} else if (!strcmp(g->tail, "[CDATA[")) {
				g->state = CDATA;
				g->tail[0] = '\0';
			} else if (strncmp("--", g->tail, strlen(g->tail)) &&
				   strncmp("[CDATA[", g->tail, strlen(g->tail))) {
				g->state = DECL;
				if (c == '>')
					to_text(g);
			}
			break;
		case TAG:
		case DECL:
			if (g->quote) {
				if ((unsigned char)c == g->quote)
					g->quote = 0;
			} else if (c == '"' || c == '\'') {
				g->quote = (unsigned char)c;
			} else if (c == '>') {
				to_text(g);
			}
			break;
		case COMMENT:
			push_tail(g, c);
			if (ends_with(g, "-->"))
				to_text(g);
			break;
		case PI:
			push_tail(g, c);
			if (ends_with(g, "?>"))
				to_text(g);
			break;
		case CDATA:
			push_tail(g, c);
			if (ends_with(g, "]]>"))
				to_text(g);
			break;
		}
	}
	return 0;
}
