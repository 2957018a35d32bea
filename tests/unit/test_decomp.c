/* The metadata codecs (hp_decomp.h): every format round-trips, concatenated
 * streams included; every truncation and every flipped byte ends in an error
 * or a result, never a spin (the Check timeout bounds each test); the 10-byte
 * zstd frame that spun libsolv's reader is refused; bombs stop at the cap. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "hp_decomp.h"

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
	return s;
}
