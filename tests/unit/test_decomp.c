/* The metadata codecs (hp_decomp.h): every format round-trips, concatenated
 * streams included; every truncation and every flipped byte ends in an error
 * or a result, never a spin (the Check timeout bounds each test); the 10-byte
 * zstd frame that spun libsolv's reader is refused; bombs stop at the cap.
 * The incremental decoder and the file reader built on it give the same bytes
 * whatever the sizes of the pieces going in and out, and the guarded XML
 * stream (hp_xmlstream.h) refuses a huge token with its one line. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "hp_decomp.h"
#include "hp_xmlguard.h"
#include "hp_xmlstream.h"
#include "testutil.h"

static const char plain[] =
	"<?xml version=\"1.0\"?>\n<hotpatch format=\"1\">\n"
	"  <baseline name=\"kernel\"/>\n</hotpatch>\n";

/* `in` compressed with `c`, twice in a row when `twice`; malloc'd. */
static unsigned char *compress_with(enum hp_comp c, const void *in, size_t len, int twice,
				    size_t *out_len)
{
	size_t cap = len * 2 + 1024, n = 0;
	unsigned char *out = malloc(cap * 2);

	for (int round = 0; round < (twice ? 2 : 1); round++) {
		unsigned char *p = out + n;
		size_t got = 0;

		switch (c) {
		case HP_COMP_GZIP: {
			z_stream zs;

			memset(&zs, 0, sizeof(zs));
			ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
						      Z_DEFAULT_STRATEGY), Z_OK);
			zs.next_in = (unsigned char *)in;
			zs.avail_in = (uInt)len;
			zs.next_out = p;
			zs.avail_out = (uInt)cap;
			ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
			got = zs.total_out;
			deflateEnd(&zs);
			break;
		}
		case HP_COMP_XZ:
			ck_assert_int_eq(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, in, len,
								 p, &got, cap), LZMA_OK);
			break;
		case HP_COMP_ZSTD:
			got = ZSTD_compress(p, cap, in, len, 3);
			ck_assert(!ZSTD_isError(got));
			break;
		case HP_COMP_BZIP2: {
			unsigned int l = (unsigned int)cap;

			ck_assert_int_eq(BZ2_bzBuffToBuffCompress((char *)p, &l, (char *)in,
								  (unsigned int)len, 9, 0, 0), BZ_OK);
			got = l;
			break;
		}
		case HP_COMP_NONE:
			memcpy(p, in, len);
			got = len;
			break;
		}
		n += got;
	}
	*out_len = n;
	return out;
}

static const enum hp_comp codecs[] = { HP_COMP_GZIP, HP_COMP_XZ, HP_COMP_ZSTD, HP_COMP_BZIP2 };

START_TEST(test_round_trip)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		for (int twice = 0; twice < 2; twice++) {
			struct hp_strbuf out = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
			size_t len;
			unsigned char *z = compress_with(codecs[i], plain, strlen(plain), twice, &len);

			ck_assert_int_eq(hp_comp_sniff(z, len), codecs[i]);
			ck_assert_msg(hp_decompress_buf("x", z, len, 1 << 20, &out, &err) == 0,
				      "codec %d: %s", (int)codecs[i], err.buf);
			ck_assert_uint_eq(out.len, strlen(plain) * (twice ? 2 : 1));
			ck_assert(!memcmp(out.buf, plain, strlen(plain)));
			free(z);
			hp_strbuf_release(&out);
			hp_strbuf_release(&err);
		}
	}
}
END_TEST

/* Cut after the magic at every length: always an error, always the one line. */
START_TEST(test_truncated)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		size_t len;
		unsigned char *z = compress_with(codecs[i], plain, strlen(plain), 0, &len);

		for (size_t cut = 6; cut < len; cut++) {
			struct hp_strbuf out = HP_STRBUF_INIT, err = HP_STRBUF_INIT;

			ck_assert_msg(hp_decompress_buf("cut", z, cut, 1 << 20, &out, &err) < 0,
				      "codec %d accepted a stream cut at %zu of %zu",
				      (int)codecs[i], cut, len);
			ck_assert_str_eq(err.buf, "'cut': truncated or corrupt compressed data");
			hp_strbuf_release(&out);
			hp_strbuf_release(&err);
		}
		free(z);
	}
}
END_TEST

/* Every byte flipped in turn: a result or one error line, never a hang. */
START_TEST(test_corrupt)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		size_t len;
		unsigned char *z = compress_with(codecs[i], plain, strlen(plain), 0, &len);

		for (size_t at = 0; at < len; at++) {
			struct hp_strbuf out = HP_STRBUF_INIT, err = HP_STRBUF_INIT;

			z[at] ^= 0xa5;
			if (hp_decompress_buf("bad", z, len, 1 << 20, &out, &err) < 0)
				ck_assert_msg(!strchr(err.buf, '\n') && strstr(err.buf, "'bad'"),
					      "%s", err.buf);
			z[at] ^= 0xa5;
			hp_strbuf_release(&out);
			hp_strbuf_release(&err);
		}
		free(z);
	}
}
END_TEST

/* Issue 11 finding 1: these 10 bytes kept libsolv's zstd reader busy forever. */
START_TEST(test_zstd_spin)
{
	static const unsigned char spin[] = { 0x28, 0xb5, 0x2f, 0xfd, 0xb6,
					      0x64, 0x4b, 0x28, 0xb5, 0x12 };
	struct hp_strbuf out = HP_STRBUF_INIT, err = HP_STRBUF_INIT;

	ck_assert_int_eq(hp_decompress_buf("spin.zst", spin, sizeof(spin), 1 << 20, &out, &err),
			 -1);
	ck_assert_str_eq(err.buf, "'spin.zst': truncated or corrupt compressed data");
	hp_strbuf_release(&out);
	hp_strbuf_release(&err);
}
END_TEST

/* 8 MiB of zeros compress to almost nothing; the 1 MiB cap stops the decoder. */
START_TEST(test_bomb)
{
	size_t big = (size_t)8 << 20;
	char *zeros = calloc(1, big);

	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		struct hp_strbuf out = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
		size_t len;
		unsigned char *z = compress_with(codecs[i], zeros, big, 0, &len);

		ck_assert_int_eq(hp_decompress_buf("bomb", z, len, 1 << 20, &out, &err), -1);
		ck_assert_str_eq(err.buf, "'bomb': decompresses to more than 1 MiB, refused");
		ck_assert_uint_le(out.len, 1 << 20);
		free(z);
		hp_strbuf_release(&out);
		hp_strbuf_release(&err);
	}
	free(zeros);
}
END_TEST

/* --- the incremental decoder, the file reader and the XML stream --- */

static char dir[64];

static void setup(void)
{
	hp_test_mkdtemp(dir, sizeof(dir), "hp-decomp");
}

static void teardown(void)
{
	hp_test_rm_rf(dir);
}

/* ~400 KiB of XML that compresses badly (pseudo-random hex): several input
 * and output chunks whatever the codec. malloc'd, NUL-terminated. */
static char *big_doc(size_t *len)
{
	struct hp_strbuf b = HP_STRBUF_INIT;
	unsigned x = 12345;

	hp_strbuf_adds(&b, "<?xml version=\"1.0\"?>\n<r>\n");
	for (int i = 0; i < 6000; i++) {
		hp_strbuf_addf(&b, "  <p n=\"%d\">", i);
		for (int k = 0; k < 8; k++) {
			x = x * 1103515245u + 12345u;
			hp_strbuf_addf(&b, "%08x", x);
		}
		hp_strbuf_adds(&b, "</p>\n");
	}
	hp_strbuf_adds(&b, "</r>\n");
	*len = b.len;
	return hp_strbuf_detach(&b);
}

static char *write_bytes(const char *name, const void *data, size_t len)
{
	char *path = hp_path_join(dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
	return path;
}

static const enum hp_comp all[] = { HP_COMP_NONE, HP_COMP_GZIP, HP_COMP_XZ, HP_COMP_ZSTD,
				    HP_COMP_BZIP2 };

/* Input handed in `in_piece` bytes at a time, output taken `out_piece` at a
 * time: the decoded bytes are the document, twice for a concatenation. */
START_TEST(test_decoder_pieces)
{
	static const size_t pieces[][2] = { { 1, 1 }, { 1, 65536 }, { 7, 3 }, { 4096, 1 },
					    { 65536, 4096 }, { 1 << 20, 100000 } };
	size_t doc_len;
	char *doc = big_doc(&doc_len);
	unsigned char *out = malloc(1 << 20);

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		size_t zlen;
		unsigned char *z = compress_with(all[i], doc, doc_len, 1, &zlen);

		for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
			struct hp_strbuf got = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
			struct hp_decoder *d;
			size_t fed = 0, in_piece = pieces[k][0], out_piece = pieces[k][1];

			/* 1-byte input pieces of 800 KiB of xz take long: the
			 * small pieces go in on the gzip and plain runs only */
			if (in_piece < 16 && all[i] != HP_COMP_GZIP && all[i] != HP_COMP_NONE)
				continue;
			d = hp_decoder_new("p", z, zlen < 6 ? zlen : 6, 4 << 20, &err);
			ck_assert_ptr_nonnull(d);
			while (!hp_decoder_done(d)) {
				size_t n = zlen - fed < in_piece ? zlen - fed : in_piece, left = n, made;
				const unsigned char *p = z + fed;
				int last = fed + n == zlen;

				/* ck_assert marks its place on every call (a write):
				 * not in this loop of a million steps */
				do {
					if (hp_decoder_step(d, &p, &left, last, out, out_piece, &made))
						ck_abort_msg("codec %d pieces %zu/%zu: %s", (int)all[i],
							     in_piece, out_piece, err.buf);
					hp_strbuf_add(&got, (char *)out, made);
				} while (made || (last && !hp_decoder_done(d)));
				if (left)
					ck_abort_msg("codec %d: input left over", (int)all[i]);
				fed += n;
			}
			ck_assert_uint_eq(got.len, 2 * doc_len);
			ck_assert(!memcmp(got.buf, doc, doc_len));
			ck_assert(!memcmp(got.buf + doc_len, doc, doc_len));
			hp_decoder_free(d);
			hp_strbuf_release(&got);
			hp_strbuf_release(&err);
		}
		free(z);
	}
	free(out);
	free(doc);
}
END_TEST

/* The file reader: every codec, several read sizes, the same bytes; an
 * empty plain file is an empty document. */
START_TEST(test_file_reader)
{
	static const size_t caps[] = { 1, 13, 8192, 65536, 300000 };
	size_t doc_len;
	char *doc = big_doc(&doc_len), *buf = malloc(300000);

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		size_t zlen;
		unsigned char *z = compress_with(all[i], doc, doc_len, 0, &zlen);
		char *path = write_bytes("doc", z, zlen);

		for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
			struct hp_strbuf got = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
			struct hp_decomp_file *f = hp_decomp_open(path, 1 << 20, 1 << 20, &err);
			ssize_t n;

			ck_assert_ptr_nonnull(f);
			while ((n = hp_decomp_read(f, buf, caps[k])) > 0)
				hp_strbuf_add(&got, buf, (size_t)n);
			ck_assert_msg(n == 0, "codec %d: %s", (int)all[i], err.buf);
			ck_assert_int_eq(hp_decomp_read(f, buf, caps[k]), 0);
			ck_assert_uint_eq(got.len, doc_len);
			ck_assert(!memcmp(got.buf, doc, doc_len));
			hp_decomp_close(f);
			hp_strbuf_release(&got);
			hp_strbuf_release(&err);
		}
		free(path);
		free(z);
	}
	{
		struct hp_strbuf err = HP_STRBUF_INIT;
		char *path = write_bytes("empty", "", 0);
		struct hp_decomp_file *f = hp_decomp_open(path, 1 << 20, 1 << 20, &err);

		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(hp_decomp_read(f, buf, 10), 0);
		hp_decomp_close(f);
		free(path);
		hp_strbuf_release(&err);
	}
	free(buf);
	free(doc);
}
END_TEST

/* Cut anywhere after the magic (several input chunks in): -1 with the one
 * line, and -1 again with no second line. */
START_TEST(test_file_reader_truncated)
{
	size_t doc_len;
	char *doc = big_doc(&doc_len), buf[4096];

	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		size_t zlen;
		unsigned char *z = compress_with(codecs[i], doc, doc_len, 0, &zlen);
		size_t cuts[] = { 6, zlen / 3, zlen / 2, zlen - 1 };

		for (size_t k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
			struct hp_strbuf err = HP_STRBUF_INIT;
			char *path = write_bytes("cut.z", z, cuts[k]), *want;
			struct hp_decomp_file *f = hp_decomp_open(path, 1 << 20, 1 << 20, &err);
			ssize_t n;

			ck_assert_ptr_nonnull(f);
			while ((n = hp_decomp_read(f, buf, sizeof(buf))) > 0)
				;
			ck_assert_msg(n == -1, "codec %d accepted a cut at %zu of %zu", (int)codecs[i],
				      cuts[k], zlen);
			ck_assert_int_eq(hp_decomp_read(f, buf, sizeof(buf)), -1);
			want = hp_xasprintf("'%s': truncated or corrupt compressed data", path);
			ck_assert_str_eq(err.buf, want);
			hp_decomp_close(f);
			free(want);
			free(path);
			hp_strbuf_release(&err);
		}
		free(z);
	}
	free(doc);
}
END_TEST

/* The caps: decoded bytes (a bomb stops at 1 MiB, the reader never holds
 * more than its buffer) and stored bytes (checked while reading). */
START_TEST(test_file_reader_caps)
{
	size_t big = (size_t)8 << 20, doc_len;
	char *zeros = calloc(1, big), *doc = big_doc(&doc_len), buf[65536], *want;

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct hp_strbuf err = HP_STRBUF_INIT;
		size_t zlen, total = 0;
		unsigned char *z = compress_with(all[i], zeros, big, 0, &zlen);
		char *path = write_bytes("bomb", z, zlen);
		struct hp_decomp_file *f = hp_decomp_open(path, big, 1 << 20, &err);
		ssize_t n;

		ck_assert_ptr_nonnull(f);
		while ((n = hp_decomp_read(f, buf, sizeof(buf))) > 0)
			total += (size_t)n;
		ck_assert_int_eq(n, -1);
		ck_assert_uint_le(total, 1 << 20);
		want = hp_xasprintf("'%s': decompresses to more than 1 MiB, refused", path);
		ck_assert_str_eq(err.buf, want);
		hp_decomp_close(f);
		free(want);
		free(path);
		free(z);
		hp_strbuf_release(&err);
	}
	{
		struct hp_strbuf err = HP_STRBUF_INIT;
		char *path = write_bytes("doc.xml", doc, doc_len);
		struct hp_decomp_file *f = hp_decomp_open(path, 100000, 1 << 20, &err);
		ssize_t n;

		ck_assert_ptr_nonnull(f);
		while ((n = hp_decomp_read(f, buf, sizeof(buf))) > 0)
			;
		ck_assert_int_eq(n, -1);
		want = hp_xasprintf("cannot read '%s': larger than 100000 bytes, refused", path);
		ck_assert_str_eq(err.buf, want);
		hp_decomp_close(f);
		free(want);
		free(path);
		hp_strbuf_release(&err);
	}
	free(doc);
	free(zeros);
}
END_TEST

/* Everything a FILE reader gets through the stream, until EOF or an error. */
static size_t drain(FILE *fp, struct hp_strbuf *got)
{
	char buf[8192];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		hp_strbuf_add(got, buf, n);
	return got->len;
}

/* Tokens just under the limit pass whatever the stdio and codec chunks;
 * one byte over, in any codec, stops the reader with the guard's line and
 * the stream reports it at close. */
START_TEST(test_xml_stream)
{
	struct hp_strbuf doc = HP_STRBUF_INIT, big = HP_STRBUF_INIT;

	hp_strbuf_adds(&doc, "<?xml version=\"1.0\"?>\n<r>");
	for (int i = 0; i < 5; i++) {
		hp_strbuf_adds(&doc, "<p x=\"");
		for (size_t k = 0; k < HP_XML_MAX_TOKEN - 16; k++)
			hp_strbuf_addf(&doc, "%c", 'a' + (int)((k + (size_t)i) % 26));
		hp_strbuf_adds(&doc, "\"/>");
	}
	hp_strbuf_adds(&doc, "</r>\n");
	hp_strbuf_adds(&big, "<?xml version=\"1.0\"?>\n<r>text");
	for (size_t k = 0; k < HP_XML_MAX_TOKEN + 1; k++)
		hp_strbuf_adds(&big, "x");
	hp_strbuf_adds(&big, "</r>\n");
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct hp_strbuf got = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
		size_t zlen;
		unsigned char *z = compress_with(all[i], doc.buf, doc.len, 0, &zlen);
		char *path = write_bytes("ok.xml", z, zlen), *want;
		struct hp_xml_stream *xs = hp_xml_stream_open(path, 1 << 20, 1 << 20, &err);

		ck_assert_ptr_nonnull(xs);
		ck_assert_uint_eq(drain(hp_xml_stream_file(xs), &got), doc.len);
		ck_assert(!memcmp(got.buf, doc.buf, doc.len));
		ck_assert_int_eq(hp_xml_stream_close(xs), 0);
		ck_assert_uint_eq(err.len, 0);
		free(path);
		free(z);

		hp_strbuf_reset(&got);
		z = compress_with(all[i], big.buf, big.len, 0, &zlen);
		path = write_bytes("big.xml", z, zlen);
		xs = hp_xml_stream_open(path, 1 << 20, 1 << 20, &err);
		ck_assert_ptr_nonnull(xs);
		drain(hp_xml_stream_file(xs), &got);
		ck_assert(ferror(hp_xml_stream_file(xs)));
		/* the reader never saw the token's end */
		ck_assert_uint_lt(got.len, big.len - 5);
		ck_assert_int_eq(hp_xml_stream_close(xs), -1);
		want = hp_xasprintf("'%s': XML token longer than 64 KiB at byte %zu, refused", path,
				    strlen("<?xml version=\"1.0\"?>\n<r>") + HP_XML_MAX_TOKEN);
		ck_assert_str_eq(err.buf, want);
		free(want);
		free(path);
		free(z);
		hp_strbuf_release(&got);
		hp_strbuf_release(&err);
	}
	hp_strbuf_release(&doc);
	hp_strbuf_release(&big);
}
END_TEST

/* A codec failure and an open failure through the stream: one line each. */
START_TEST(test_xml_stream_errors)
{
	static const unsigned char spin[] = { 0x28, 0xb5, 0x2f, 0xfd, 0xb6,
					      0x64, 0x4b, 0x28, 0xb5, 0x12 };
	struct hp_strbuf got = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
	char *path = write_bytes("spin.zst", spin, sizeof(spin)), *want;
	struct hp_xml_stream *xs = hp_xml_stream_open(path, 1 << 20, 1 << 20, &err);

	ck_assert_ptr_nonnull(xs);
	ck_assert_uint_eq(drain(hp_xml_stream_file(xs), &got), 0);
	ck_assert_int_eq(hp_xml_stream_close(xs), -1);
	want = hp_xasprintf("'%s': truncated or corrupt compressed data", path);
	ck_assert_str_eq(err.buf, want);
	free(want);
	hp_strbuf_reset(&err);
	ck_assert_ptr_null(hp_xml_stream_open("/dev/zero", 1 << 20, 1 << 20, &err));
	ck_assert_str_eq(err.buf, "cannot read '/dev/zero': not a regular file");
	free(path);
	hp_strbuf_release(&got);
	hp_strbuf_release(&err);
}
END_TEST

Suite *decomp_suite(void)
{
	Suite *s = suite_create("decomp");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_corrupt);
	tcase_add_test(tc, test_zstd_spin);
	tcase_add_test(tc, test_bomb);
	suite_add_tcase(s, tc);
	tc = tcase_create("stream");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_decoder_pieces);
	tcase_add_test(tc, test_file_reader);
	tcase_add_test(tc, test_file_reader_truncated);
	tcase_add_test(tc, test_file_reader_caps);
	tcase_add_test(tc, test_xml_stream);
	tcase_add_test(tc, test_xml_stream_errors);
	suite_add_tcase(s, tc);
	return s;
}
