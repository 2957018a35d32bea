/* Decoding compressed metadata; see hp_decomp.h. */
#include "hp_decomp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#define CHUNK 65536

enum hp_comp hp_comp_sniff(const void *buf, size_t n)
{
	const unsigned char *b = buf;

	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return HP_COMP_GZIP;
	if (n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6))
		return HP_COMP_XZ;
	if (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4))
		return HP_COMP_ZSTD;
	if (n >= 3 && !memcmp(b, "BZh", 3))
		return HP_COMP_BZIP2;
	return HP_COMP_NONE;
}

/* One call into a codec: `in`/`len` what there is of the input, `out`/`cap`
 * room for output; `last`: no input follows. The codec reports what it used
 * and made and sets `ended` when a stream (gzip member, xz file, bzip2 stream,
 * zstd frame) ended in this call. */
struct io {
	const unsigned char *in;
	size_t len;
	unsigned char *out;
	size_t cap;
	int last;
	size_t used, made;
};

struct hp_decoder {
	const struct codec *codec;
	const char *what;
	size_t max, done;     /* the cap on decoded bytes, and the count */
	int ended;            /* between two streams (or before any, for NONE) */
	int full;             /* the last call filled `out`: output may be pending */
	int finished;
	struct hp_strbuf *err;
	union {
		z_stream z;
		lzma_stream x;
		bz_stream b;
		ZSTD_DStream *zs;
	} u;
};

/* Each codec: start, one call, the next stream of a concatenation, end. */
struct codec {
	const char *lib;
	int (*init)(struct hp_decoder *d);
	int (*run)(struct hp_decoder *d, struct io *io);
	int (*restart)(struct hp_decoder *d);
	void (*end)(struct hp_decoder *d);
};

/* zlib and libbz2 count in unsigned int: hand them at most 1 GiB a call. */
static unsigned clamp(size_t n)
{
	return n > (1u << 30) ? 1u << 30 : (unsigned)n;
}

/* gzip, multi-member (as `cat a.gz b.gz`). */
static int gz_init(struct hp_decoder *d)
{
	return inflateInit2(&d->u.z, 16 + MAX_WBITS) == Z_OK ? 0 : -1;
}

static int gz_run(struct hp_decoder *d, struct io *io)
{
	z_stream *zs = &d->u.z;
	unsigned in = clamp(io->len), out = clamp(io->cap);
	int r;

	zs->next_in = (unsigned char *)io->in;
	zs->avail_in = in;
	zs->next_out = io->out;
	zs->avail_out = out;
	r = inflate(zs, Z_NO_FLUSH);
	io->used = in - zs->avail_in;
	io->made = out - zs->avail_out;
	if (r == Z_STREAM_END)
		d->ended = 1;
	/* Z_BUF_ERROR: no progress was possible; the caller judges that. */
	return r == Z_OK || r == Z_STREAM_END || r == Z_BUF_ERROR ? 0 : -1;
}

static int gz_restart(struct hp_decoder *d)
{
	return inflateReset(&d->u.z) == Z_OK ? 0 : -1;
}

static void gz_end(struct hp_decoder *d)
{
	inflateEnd(&d->u.z);
}

/* xz: liblzma follows concatenated files itself and says where the data
 * ends only when told that no input follows (LZMA_FINISH). */
static int xz_init(struct hp_decoder *d)
{
	d->u.x = (lzma_stream)LZMA_STREAM_INIT;
	/* 256 MiB of dictionary at most: more is a memory bomb, not metadata. */
	return lzma_stream_decoder(&d->u.x, 256u << 20, LZMA_CONCATENATED) == LZMA_OK ? 0 : -1;
}

static int xz_run(struct hp_decoder *d, struct io *io)
{
	lzma_stream *xs = &d->u.x;
	lzma_ret r;

	xs->next_in = io->in;
	xs->avail_in = io->len;
	xs->next_out = io->out;
	xs->avail_out = io->cap;
	r = lzma_code(xs, io->last && !io->len ? LZMA_FINISH : LZMA_RUN);
	io->used = io->len - xs->avail_in;
	io->made = io->cap - xs->avail_out;
	if (r == LZMA_STREAM_END)
		d->ended = 1;
	return r == LZMA_OK || r == LZMA_STREAM_END || r == LZMA_BUF_ERROR ? 0 : -1;
}

/* Input after LZMA_FINISH's end cannot be: the caller said there was none. */
static int xz_restart(struct hp_decoder *d)
{
	(void)d;
	return -1;
}

static void xz_end(struct hp_decoder *d)
{
	lzma_end(&d->u.x);
}

/* bzip2, concatenated streams (pbzip2's output) included. */
static int bz_init(struct hp_decoder *d)
{
	memset(&d->u.b, 0, sizeof(d->u.b));
	return BZ2_bzDecompressInit(&d->u.b, 0, 0) == BZ_OK ? 0 : -1;
}

static int bz_run(struct hp_decoder *d, struct io *io)
{
	bz_stream *bs = &d->u.b;
	unsigned in = clamp(io->len), out = clamp(io->cap);
	int r;

	bs->next_in = (char *)io->in;
	bs->avail_in = in;
	bs->next_out = (char *)io->out;
	bs->avail_out = out;
	r = BZ2_bzDecompress(bs);
	io->used = in - bs->avail_in;
	io->made = out - bs->avail_out;
	if (r == BZ_STREAM_END)
		d->ended = 1;
	return r == BZ_OK || r == BZ_STREAM_END ? 0 : -1;
}

static int bz_restart(struct hp_decoder *d)
{
	BZ2_bzDecompressEnd(&d->u.b);
	return bz_init(d);
}

static void bz_end(struct hp_decoder *d)
{
	BZ2_bzDecompressEnd(&d->u.b);
}

/* zstd: the decoder starts the next frame by itself. */
static int zst_init(struct hp_decoder *d)
{
	if (!(d->u.zs = ZSTD_createDStream()))
		return -1;
	/* Window at most 2^27 (128 MiB): zstd's own default limit. */
	ZSTD_DCtx_setParameter(d->u.zs, ZSTD_d_windowLogMax, 27);
	return 0;
}

static int zst_run(struct hp_decoder *d, struct io *io)
{
	ZSTD_inBuffer ib = { io->in, io->len, 0 };
	ZSTD_outBuffer ob = { io->out, io->cap, 0 };
	size_t r = ZSTD_decompressStream(d->u.zs, &ob, &ib);

	io->used = ib.pos;
	io->made = ob.pos;
	if (ZSTD_isError(r))
		return -1;
	/* 0: a frame ended and all of it is flushed. */
	d->ended = !r;
	return 0;
}

/* zstd goes on with the next frame by itself; plain data has no frames. */
static int restart_nothing(struct hp_decoder *d)
{
	(void)d;
	return 0;
}

static void zst_end(struct hp_decoder *d)
{
	ZSTD_freeDStream(d->u.zs);
}

/* Uncompressed: passed through; every byte is a boundary. */
static int none_init(struct hp_decoder *d)
{
	d->ended = 1;
	return 0;
}

static int none_run(struct hp_decoder *d, struct io *io)
{
	size_t n = io->len < io->cap ? io->len : io->cap;

	memcpy(io->out, io->in, n);
	io->used = io->made = n;
	d->ended = 1;
	return 0;
}

static void none_end(struct hp_decoder *d)
{
	(void)d;
}

static const struct codec codecs[] = {
	[HP_COMP_NONE] = { "", none_init, none_run, restart_nothing, none_end },
	[HP_COMP_GZIP] = { "zlib", gz_init, gz_run, gz_restart, gz_end },
	[HP_COMP_XZ] = { "liblzma", xz_init, xz_run, xz_restart, xz_end },
	[HP_COMP_ZSTD] = { "libzstd", zst_init, zst_run, restart_nothing, zst_end },
	[HP_COMP_BZIP2] = { "libbz2", bz_init, bz_run, bz_restart, bz_end },
};

struct hp_decoder *hp_decoder_new(const char *what, const void *head, size_t head_len,
				  size_t max, struct hp_strbuf *err)
{
	struct hp_decoder *d = hp_xcalloc(1, sizeof(*d));

	d->codec = &codecs[hp_comp_sniff(head, head_len)];
	d->what = what;
	d->max = max;
	d->err = err;
	if (d->codec->init(d)) {
		hp_error(err, "'%s': cannot initialise %s", what, d->codec->lib);
		free(d);
		return NULL;
	}
	return d;
}

void hp_decoder_free(struct hp_decoder *d)
{
	if (!d)
		return;
	d->codec->end(d);
	free(d);
}

int hp_decoder_done(const struct hp_decoder *d)
{
	return d->finished;
}

static int corrupt(struct hp_decoder *d)
{
	return hp_error(d->err, "'%s': truncated or corrupt compressed data", d->what);
}

int hp_decoder_step(struct hp_decoder *d, const unsigned char **in, size_t *len, int last,
		    void *out, size_t cap, size_t *made)
{
	*made = 0;
	while (!d->finished) {
		struct io io = { *in, *len, out, cap, last, 0, 0 };

		if (d->ended) {
			if (!*len) {
				/* A clean end, unless more input may follow. */
				d->finished = last;
				return 0;
			}
			if (d->codec->restart(d))
				return corrupt(d);
			d->ended = 0;
		} else if (!*len && !d->full && !last) {
			return 0;
		}
		if (d->codec->run(d, &io))
			return corrupt(d);
		*in += io.used;
		*len -= io.used;
		d->full = io.made == cap;
		if (io.made) {
			if (io.made > d->max - d->done)
				return hp_error(d->err, "'%s': decompresses to more than %zu MiB, refused",
						d->what, d->max >> 20);
			d->done += io.made;
			*made = io.made;
			return 0;
		}
		/* Neither input used nor output made: a stuck frame, or the
		 * input ended inside a stream. */
		if (!io.used && (!d->ended || *len)) {
			if (!*len && !last)
				return 0;
			return corrupt(d);
		}
	}
	return 0;
}

int hp_decompress(const char *what, const void *in, size_t len, size_t max,
		  hp_decomp_fn fn, void *data, struct hp_strbuf *err)
{
	unsigned char buf[CHUNK];
	const unsigned char *p = in;
	struct hp_decoder *d = hp_decoder_new(what, in, len, max, err);
	int ret = -1;

	if (!d)
		return -1;
	while (!hp_decoder_done(d)) {
		size_t n;

		if (hp_decoder_step(d, &p, &len, 1, buf, sizeof(buf), &n) ||
		    (n && fn(data, (const char *)buf, n)))
			goto out;
	}
	ret = 0;
out:
	hp_decoder_free(d);
	return ret;
}

static int add_buf(void *data, const char *buf, size_t len)
{
	hp_strbuf_add(data, buf, len);
	return 0;
}

int hp_decompress_buf(const char *what, const void *in, size_t len, size_t max,
		      struct hp_strbuf *out, struct hp_strbuf *err)
{
	return hp_decompress(what, in, len, max, add_buf, out, err);
}

/* --- a file, decoded piece by piece --- */

struct hp_decomp_file {
	int fd;
	char *path;
	size_t max_in, got_in;
	int eof, failed;
	const unsigned char *next;   /* undecoded input in `in` */
	size_t avail;
	struct hp_decoder *dec;
	struct hp_strbuf *err;
	unsigned char in[CHUNK];
};

/* Refills `in` (until full or the end of the file): the first fill gives
 * the sniffer the magic bytes whatever sizes read(2) returns. */
static int fill(struct hp_decomp_file *f)
{
	size_t n = 0;

	while (n < sizeof(f->in) && !f->eof) {
		ssize_t r = read(f->fd, f->in + n, sizeof(f->in) - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return hp_error_errno(f->err, errno, "cannot read '%s'", f->path);
		if (!r)
			f->eof = 1;
		/* Checked while reading, as hp_read_file_max does. */
		if ((size_t)r > f->max_in - f->got_in)
			return hp_error(f->err, "cannot read '%s': larger than %zu bytes, refused",
					f->path, f->max_in);
		f->got_in += (size_t)r;
		n += (size_t)r;
	}
	f->next = f->in;
	f->avail = n;
	return 0;
}

struct hp_decomp_file *hp_decomp_open(const char *path, size_t max_in, size_t max_out,
				      struct hp_strbuf *err)
{
	struct hp_decomp_file *f = hp_xcalloc(1, sizeof(*f));

	f->path = hp_xstrdup(path);
	f->max_in = max_in;
	f->err = err;
	f->fd = hp_open_regular(path, 0, err);
	if (f->fd < 0 || fill(f) ||
	    !(f->dec = hp_decoder_new(f->path, f->in, f->avail, max_out, err))) {
		hp_decomp_close(f);
		return NULL;
	}
	return f;
}

ssize_t hp_decomp_read(struct hp_decomp_file *f, void *buf, size_t cap)
{
	while (!f->failed && !hp_decoder_done(f->dec)) {
		size_t n;

		if (!f->avail && !f->eof && fill(f))
			break;
		if (hp_decoder_step(f->dec, &f->next, &f->avail, f->eof, buf, cap, &n))
			break;
		if (n)
			return (ssize_t)n;
	}
	if (!f->failed && hp_decoder_done(f->dec))
		return 0;
	/* One line in the error buffer, however often the caller asks again. */
	f->failed = 1;
	return -1;
}

void hp_decomp_close(struct hp_decomp_file *f)
{
	if (!f)
		return;
	hp_decoder_free(f->dec);
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f);
}
