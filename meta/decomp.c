/* Decoding compressed metadata; see hp_decomp.h. */
#include "hp_decomp.h"

#include <string.h>

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

/* What every codec loop shares: the cap on decoded bytes and the sink. */
struct out {
	const char *what;
	size_t max, done;
	hp_decomp_fn fn;
	void *data;
	struct hp_strbuf *err;
};

static int emit(struct out *o, const unsigned char *buf, size_t n)
{
	if (n > o->max - o->done)
		return hp_error(o->err, "'%s': decompresses to more than %zu MiB, refused",
				o->what, o->max >> 20);
	o->done += n;
	return n ? o->fn(o->data, (const char *)buf, n) : 0;
}

static int corrupt(struct out *o)
{
	return hp_error(o->err, "'%s': truncated or corrupt compressed data", o->what);
}

/* Multi-member gzip (as `cat a.gz b.gz`); ends only after a trailer. */
static int gunzip(struct out *o, const unsigned char *in, size_t len)
{
	unsigned char buf[CHUNK];
	z_stream zs;
	int zret, ret = -1;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return hp_error(o->err, "'%s': cannot initialise zlib", o->what);
	zs.next_in = (unsigned char *)in;
	/* Inputs are capped far below 4 GiB (HP_READ_MAX_DEFAULT). */
	zs.avail_in = (uInt)len;
	for (;;) {
		uInt before_in = zs.avail_in;

		zs.next_out = buf;
		zs.avail_out = sizeof(buf);
		zret = inflate(&zs, Z_NO_FLUSH);
		if (zret != Z_OK && zret != Z_STREAM_END) {
			corrupt(o);
			goto out;
		}
		if (emit(o, buf, sizeof(buf) - zs.avail_out))
			goto out;
		if (zret == Z_STREAM_END) {
			if (!zs.avail_in)
				break;
			if (inflateReset(&zs) != Z_OK) {
				corrupt(o);
				goto out;
			}
			continue;
		}
		if (zs.avail_out && (!zs.avail_in || zs.avail_in == before_in)) {
			/* Input used up (or not consumed) before the end. */
			corrupt(o);
			goto out;
		}
	}
	ret = 0;
out:
	inflateEnd(&zs);
	return ret;
}

static int unxz(struct out *o, const unsigned char *in, size_t len)
{
	unsigned char buf[CHUNK];
	lzma_stream xs = LZMA_STREAM_INIT;
	lzma_ret lr;
	int ret = -1;

	/* 256 MiB of dictionary at most: more is a memory bomb, not metadata. */
	if (lzma_stream_decoder(&xs, 256u << 20, LZMA_CONCATENATED) != LZMA_OK)
		return hp_error(o->err, "'%s': cannot initialise liblzma", o->what);
	xs.next_in = in;
	xs.avail_in = len;
	for (;;) {
		size_t before_in = xs.avail_in;

		xs.next_out = buf;
		xs.avail_out = sizeof(buf);
		lr = lzma_code(&xs, xs.avail_in ? LZMA_RUN : LZMA_FINISH);
		if (lr != LZMA_OK && lr != LZMA_STREAM_END) {
			corrupt(o);
			goto out;
		}
		if (emit(o, buf, sizeof(buf) - xs.avail_out))
			goto out;
		if (lr == LZMA_STREAM_END)
			break;
		if (xs.avail_out == sizeof(buf) && xs.avail_in == before_in) {
			corrupt(o);
			goto out;
		}
	}
	ret = 0;
out:
	lzma_end(&xs);
	return ret;
}

static int unbz2(struct out *o, const unsigned char *in, size_t len)
{
	char buf[CHUNK];
	bz_stream bs;
	int br, ret = -1;

	memset(&bs, 0, sizeof(bs));
	if (BZ2_bzDecompressInit(&bs, 0, 0) != BZ_OK)
		return hp_error(o->err, "'%s': cannot initialise libbz2", o->what);
	bs.next_in = (char *)in;
	bs.avail_in = (unsigned)len;
	for (;;) {
		unsigned before_in = bs.avail_in;

		bs.next_out = buf;
		bs.avail_out = sizeof(buf);
		br = BZ2_bzDecompress(&bs);
		if (br != BZ_OK && br != BZ_STREAM_END) {
			corrupt(o);
			goto out;
		}
		if (emit(o, (unsigned char *)buf, sizeof(buf) - bs.avail_out))
			goto out;
		if (br == BZ_STREAM_END) {
			if (!bs.avail_in)
				break;
			/* Concatenated streams (pbzip2's output). */
			char *next = bs.next_in;
			unsigned left = bs.avail_in;

			BZ2_bzDecompressEnd(&bs);
			memset(&bs, 0, sizeof(bs));
			bs.next_in = next;
			bs.avail_in = left;
			if (BZ2_bzDecompressInit(&bs, 0, 0) != BZ_OK) {
				corrupt(o);
				goto out;
			}
			continue;
		}
		if (bs.avail_out && (!bs.avail_in || bs.avail_in == before_in)) {
			corrupt(o);
			goto out;
		}
	}
	ret = 0;
out:
	BZ2_bzDecompressEnd(&bs);
	return ret;
}

static int unzstd(struct out *o, const unsigned char *in, size_t len)
{
	unsigned char buf[CHUNK];
	ZSTD_DStream *zs = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, len, 0 };
	size_t r = 1;
	int ret = -1;

	if (!zs)
		return hp_error(o->err, "'%s': cannot initialise libzstd", o->what);
	/* Window at most 2^27 (128 MiB): zstd's own default limit. */
	ZSTD_DCtx_setParameter(zs, ZSTD_d_windowLogMax, 27);
	while (ib.pos < ib.size) {
		ZSTD_outBuffer ob = { buf, sizeof(buf), 0 };
		size_t before = ib.pos;

		r = ZSTD_decompressStream(zs, &ob, &ib);
		if (ZSTD_isError(r)) {
			corrupt(o);
			goto out;
		}
		if (emit(o, buf, ob.pos))
			goto out;
		/* No input consumed and no output made: the frame is stuck. */
		if (ib.pos == before && !ob.pos) {
			corrupt(o);
			goto out;
		}
	}
	/* Flush what the decoder still holds; r == 0 means a frame ended. */
	while (r) {
		ZSTD_outBuffer ob = { buf, sizeof(buf), 0 };

		r = ZSTD_decompressStream(zs, &ob, &ib);
		if (ZSTD_isError(r) || (r && !ob.pos)) {
			corrupt(o);
			goto out;
		}
		if (emit(o, buf, ob.pos))
			goto out;
	}
	ret = 0;
out:
	ZSTD_freeDStream(zs);
	return ret;
}

int hp_decompress(const char *what, const void *in, size_t len, size_t max,
		  hp_decomp_fn fn, void *data, struct hp_strbuf *err)
{
	struct out o = { what, max, 0, fn, data, err };

	switch (hp_comp_sniff(in, len)) {
	case HP_COMP_GZIP:
		return gunzip(&o, in, len);
	case HP_COMP_XZ:
		return unxz(&o, in, len);
	case HP_COMP_ZSTD:
		return unzstd(&o, in, len);
	case HP_COMP_BZIP2:
		return unbz2(&o, in, len);
	case HP_COMP_NONE:
		break;
	}
	return emit(&o, in, len);
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

int hp_decompress_file(const char *path, size_t max_in, size_t max_out,
		       struct hp_strbuf *out, struct hp_strbuf *err)
{
	struct hp_strbuf raw = HP_STRBUF_INIT;
	int ret = -1;

	if (hp_read_file_max(path, max_in, &raw, err))
		goto out;
	ret = hp_decompress_buf(path, raw.buf, raw.len, max_out, out, err);
out:
	hp_strbuf_release(&raw);
	return ret;
}
