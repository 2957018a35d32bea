/* A stdio stream for XML readers that take a FILE * (libsolv's
 * repo_add_rpmmd, repo_add_updateinfoxml): the file is decoded as the reader
 * asks for bytes (hp_decomp.h: any of the four codecs, progress checked, the
 * decoded size capped) and every piece passes the token guard
 * (hp_xmlguard.h, HP_XML_MAX_TOKEN) before the reader sees it. The whole
 * document is never in memory, and a refusal stops the reader with OUR line
 * (the codec's, the cap's or the guard's, naming the file), not the
 * reader's generic parse error. */
#ifndef HP_XMLSTREAM_H
#define HP_XMLSTREAM_H

#include <stddef.h>
#include <stdio.h>

#include "hp_util.h"

struct hp_xml_stream;

/* Opens `path` (a regular file, at most `max_in` bytes as stored and
 * `max_out` decoded). `err` is kept: the line of a refusal met while the
 * reader reads goes there. NULL with one line when it cannot be opened. */
struct hp_xml_stream *hp_xml_stream_open(const char *path, size_t max_in, size_t max_out,
					 struct hp_strbuf *err);
/* The stream to hand the reader; a refusal makes its read fail (EIO). */
FILE *hp_xml_stream_file(struct hp_xml_stream *s);
/* Closes; -1 when a read was refused (its line is in `err` already): the
 * caller then reports that, whatever the reader returned. */
int hp_xml_stream_close(struct hp_xml_stream *s);

#endif
