/* Decoding the compressed metadata a repository serves (gzip, xz, bzip2,
 * zstd; picked by magic bytes, never by file name) with zlib, liblzma,
 * libbz2 and libzstd directly. Every codec loop checks progress: a stream
 * that neither consumes input nor produces output is corrupt, so a hostile
 * frame ends in an error instead of a spin (issue 11). */
#ifndef HP_DECOMP_H
#define HP_DECOMP_H

#include <stddef.h>
#include <sys/types.h>

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

/* The incremental decoder the calls above and below are built on: input is
 * handed in as it arrives, decoded bytes are taken out into the caller's
 * buffer, so that nothing needs the whole input or output in memory. */
struct hp_decoder;

/* A decoder for the stream that starts with `head` (`head_len` bytes: the
 * format is sniffed from them, so at least 6 unless the stream is shorter),
 * at most `max` decoded bytes; errors name `what` (kept, not copied). NULL
 * with one line when the codec cannot start. */
struct hp_decoder *hp_decoder_new(const char *what, const void *head, size_t head_len,
				  size_t max, struct hp_strbuf *err);
/* Decodes from *in (*len bytes; both advanced past what was used) into
 * `out` (room for `cap` bytes) and sets *made. `last`: nothing follows what
 * *in holds. 0 and *made == 0 means more input is needed (never when `last`)
 * or the data ended (hp_decoder_done); -1 with one of the lines above. */
int hp_decoder_step(struct hp_decoder *d, const unsigned char **in, size_t *len, int last,
		    void *out, size_t cap, size_t *made);
/* The data ended cleanly: every stream complete, no input after them. */
int hp_decoder_done(const struct hp_decoder *d);
void hp_decoder_free(struct hp_decoder *d);

struct hp_decomp_file;

/* The regular file `path` (hp_open_regular; at most `max_in` bytes, checked
 * while reading), decoded as it is read: at most `max_out` decoded bytes.
 * NULL with one line when it cannot be opened or started. */
struct hp_decomp_file *hp_decomp_open(const char *path, size_t max_in, size_t max_out,
				      struct hp_strbuf *err);
/* Up to `cap` decoded bytes into `buf`: their count, 0 at the clean end, or
 * -1 with one line (a truncated file is an error, not an end); after -1,
 * -1 again and no further line. */
ssize_t hp_decomp_read(struct hp_decomp_file *f, void *buf, size_t cap);
void hp_decomp_close(struct hp_decomp_file *f);

#endif
