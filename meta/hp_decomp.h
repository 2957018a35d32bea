/* Decoding the compressed metadata a repository serves (gzip, xz, bzip2,
 * zstd; picked by magic bytes, never by file name) with zlib, liblzma,
 * libbz2 and libzstd directly. Every codec loop checks progress: a stream
 * that neither consumes input nor produces output is corrupt, so a hostile
 * frame ends in an error instead of a spin (issue 11). */
#ifndef HP_DECOMP_H
#define HP_DECOMP_H

#include <stddef.h>

#include "hp_util.h"

enum hp_comp { HP_COMP_NONE, HP_COMP_GZIP, HP_COMP_XZ, HP_COMP_ZSTD, HP_COMP_BZIP2 };

enum hp_comp hp_comp_sniff(const void *buf, size_t len);

/* Receives decoded bytes in order; returns 0, or -1 to stop (it has put
 * its own line in the error buffer). */
typedef int (*hp_decomp_fn)(void *data, const char *buf, size_t len);

/* Decodes `in` (`len` bytes; uncompressed input is passed through) into
 * `fn`, at most `max` decoded bytes. Errors, naming `what`:
 * "'<what>': truncated or corrupt compressed data",
 * "'<what>': decompresses to more than N MiB, refused". */
int hp_decompress(const char *what, const void *in, size_t len, size_t max,
		  hp_decomp_fn fn, void *data, struct hp_strbuf *err);

/* The same, appending the decoded bytes to `out`. */
int hp_decompress_buf(const char *what, const void *in, size_t len, size_t max,
		      struct hp_strbuf *out, struct hp_strbuf *err);

/* Reads the regular file `path` (at most `max_in` bytes) and decodes it into
 * `out` (at most `max_out` bytes). */
int hp_decompress_file(const char *path, size_t max_in, size_t max_out,
		       struct hp_strbuf *out, struct hp_strbuf *err);

#endif
