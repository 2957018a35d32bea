/* A lexical guard in front of expat (issue 11). Expat buffers a markup token
 * (a start tag with all its attributes, a comment, a processing instruction,
 * a CDATA section, a declaration) until it ends and re-scans it on every feed,
 * so one 16 MiB attribute cost seconds and 200 MiB minutes. No field of our
 * formats needs more than a few KiB: the guard follows the token boundaries
 * byte by byte and refuses any token, or run of text, longer than its limit
 * before expat sees it. */
#ifndef HP_XMLGUARD_H
#define HP_XMLGUARD_H

#include <stddef.h>
#include <stdint.h>

#include "hp_util.h"

/* The limit our readers use: 64 KiB per token or text run. */
#define HP_XML_MAX_TOKEN ((size_t)64 << 10)

struct hp_xml_guard {
	int state;
	unsigned char quote;   /* the quote an attribute value is in, or 0 */
	char tail[9];          /* the last bytes of a token, to find its end */
	size_t run;            /* bytes of the current token or text run */
	size_t max;
	uint64_t offset;       /* bytes scanned so far */
};

void hp_xml_guard_init(struct hp_xml_guard *g, size_t max);
/* Scans the next `len` bytes of the document; -1 with one line naming
 * `what` when a token or text run grows past the limit:
 * "'<what>': XML token longer than N KiB at byte B, refused". */
int hp_xml_guard_scan(struct hp_xml_guard *g, const char *buf, size_t len, const char *what,
		      struct hp_strbuf *err);

#endif
