/* hp_ulpmeta: libpulp's .ulp section and GNU build-ids read from ELF images
 * built here byte by byte (the layout `ulp packer` and ld write), then cut
 * at every length and corrupted: never a crash, always one error line. */
#include <check.h>
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hp_ulpmeta.h"

static const unsigned char bid[20] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6,
				       7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static void put(unsigned char *img, size_t *off, const void *p, size_t n)
{
	memcpy(img + *off, p, n);
	*off += n;
}

/* An ELF64 shared object: a PT_NOTE segment with a GNU build-id note and
 * sections "", ".shstrtab" and (when `ulp`) ".ulp" naming libdemo.so.1. */
static size_t make_image(unsigned char *img, int ulp, uint16_t type)
{
	static const char names[] = "\0.shstrtab\0.ulp";
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };
	Elf64_Shdr sh[3] = { { 0 } };
	Elf64_Nhdr nh = { 4, sizeof(bid), NT_GNU_BUILD_ID };
	unsigned char id[32] = { 0xab };
	uint32_t bl = sizeof(bid), nl = sizeof("libdemo.so.1"), units = 1;
	uint8_t kind = 1;
	size_t off = sizeof(eh) + sizeof(ph), note, strs, sec;

	memset(img, 0, 4096);
	note = off;
	put(img, &off, &nh, sizeof(nh));
	put(img, &off, "GNU", 4);
	put(img, &off, bid, sizeof(bid));
	strs = off;
	put(img, &off, names, sizeof(names));
	sec = off;
	put(img, &off, &kind, 1);
	put(img, &off, id, sizeof(id));
	put(img, &off, &bl, 4);
	put(img, &off, bid, sizeof(bid));
	put(img, &off, &nl, 4);
	put(img, &off, "libdemo.so.1", nl);
	put(img, &off, &units, 4);
	off = (off + 7) & ~(size_t)7;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = type;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	eh.e_shoff = off;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = ulp ? 3 : 2;
	eh.e_shstrndx = 1;
	ph.p_type = PT_NOTE;
	ph.p_offset = note;
	ph.p_filesz = sizeof(nh) + 4 + sizeof(bid);
	sh[1].sh_name = 1;
	sh[1].sh_type = SHT_STRTAB;
	sh[1].sh_offset = strs;
	sh[1].sh_size = sizeof(names);
	sh[2].sh_name = 11;
	sh[2].sh_type = SHT_PROGBITS;
	sh[2].sh_offset = sec;
	sh[2].sh_size = 1 + 32 + 4 + sizeof(bid) + 4 + nl + 4;
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + sizeof(eh), &ph, sizeof(ph));
	put(img, &off, sh, eh.e_shnum * sizeof(Elf64_Shdr));
	return off;
}

START_TEST(test_parse)
{
	unsigned char img[4096];
	size_t len = make_image(img, 1, ET_DYN);
	struct hp_ulp_meta m;
	struct hp_strbuf err = HP_STRBUF_INIT;
	char hex[HP_BUILD_ID_HEX];

	hp_ulp_meta_init(&m);
	ck_assert_int_eq(hp_ulp_meta_parse(&m, img, len, "p.so", &err), 0);
	ck_assert_str_eq(m.target, "libdemo.so.1");
	ck_assert_str_eq(m.target_build_id, "deadbeef0102030405060708090a0b0c0d0e0f10");
	ck_assert_int_eq(m.nr_units, 1);
	ck_assert_int_eq(strncmp(m.patch_id, "ab00", 4), 0);
	ck_assert_int_eq(hp_elf_build_id(img, len, "p.so", hex, &err), 0);
	ck_assert_str_eq(hex, "deadbeef0102030405060708090a0b0c0d0e0f10");
	hp_ulp_meta_release(&m);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_refusals)
{
	unsigned char img[4096];
	size_t len;
	struct hp_ulp_meta m;
	struct hp_strbuf err = HP_STRBUF_INIT;

	hp_ulp_meta_init(&m);
	len = make_image(img, 0, ET_DYN);
	ck_assert_int_eq(hp_ulp_meta_parse(&m, img, len, "p.so", &err), -1);
	ck_assert_str_eq(err.buf, "'p.so': no libpulp metadata (.ulp section): not a packed live "
			 "patch (run 'ulp packer')");
	hp_strbuf_reset(&err);
	len = make_image(img, 1, ET_REL);
	ck_assert_int_eq(hp_ulp_meta_parse(&m, img, len, "p.o", &err), -1);
	ck_assert_str_eq(err.buf, "'p.o': not an ELF shared object");
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_ulp_meta_parse(&m, "text\n", 5, "t", &err), -1);
	ck_assert_str_eq(err.buf, "'t': not an ELF file");
	hp_ulp_meta_release(&m);
	hp_strbuf_release(&err);
}
END_TEST

/* Every prefix and every single-byte corruption: parses or one error line. */
START_TEST(test_hostile)
{
	unsigned char img[4096], bad[4096];
	size_t len = make_image(img, 1, ET_DYN);
	struct hp_ulp_meta m;
	struct hp_strbuf err = HP_STRBUF_INIT;
	char hex[HP_BUILD_ID_HEX];

	hp_ulp_meta_init(&m);
	for (size_t n = 0; n < len; n++) {
		/* a copy of exactly n bytes: ASan sees any read past it */
		unsigned char *cut = malloc(n ? n : 1);

		memcpy(cut, img, n);
		hp_strbuf_reset(&err);
		if (hp_ulp_meta_parse(&m, cut, n, "cut", &err))
			ck_assert_ptr_null(strchr(err.buf, '\n'));
		hp_elf_build_id(cut, n, "cut", hex, &err);
		free(cut);
	}
	for (size_t i = 0; i < len; i++) {
		memcpy(bad, img, len);
		bad[i] ^= 0xff;
		hp_strbuf_reset(&err);
		if (hp_ulp_meta_parse(&m, bad, len, "bad", &err))
			ck_assert_ptr_null(strchr(err.buf, '\n'));
		hp_elf_build_id(bad, len, "bad", hex, &err);
	}
	hp_ulp_meta_release(&m);
	hp_strbuf_release(&err);
}
END_TEST

Suite *ulpmeta_suite(void)
{
	Suite *s = suite_create("ulpmeta");
	TCase *tc = tcase_create("ulpmeta");

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_hostile);
	suite_add_tcase(s, tc);
	return s;
}
