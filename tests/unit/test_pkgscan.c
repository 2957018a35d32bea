/* pkgscan: the .modinfo ELF reader on a real module, on a module built in
 * memory, and on truncated / garbage input (must never crash: ASan/UBSan). */
#include <check.h>
#include <dirent.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hp_pkgscan.h"
#include "testutil.h"

static const char good_modinfo[] =
	"livepatch=Y\0license=GPL\0\0\0name=livepatch_x\0"
	"vermagic=6.1.0-57-amd64 SMP preempt mod_unload modversions ";

START_TEST(test_modinfo_synthetic)
{
	struct hp_modinfo mi;
	struct hp_strbuf err = HP_STRBUF_INIT;
	size_t len;
	unsigned char *ko = hp_test_make_ko(good_modinfo, sizeof(good_modinfo), &len);
	char *rel;

	hp_modinfo_init(&mi);
	ck_assert_int_eq(hp_modinfo_parse(&mi, ko, len, "x.ko", &err), 0);
	ck_assert_str_eq(mi.livepatch, "Y");
	ck_assert_str_eq(mi.name, "livepatch_x");
	ck_assert_str_eq(mi.vermagic, "6.1.0-57-amd64 SMP preempt mod_unload modversions ");
	rel = hp_vermagic_release(mi.vermagic);
	ck_assert_str_eq(rel, "6.1.0-57-amd64");
	free(rel);
	hp_modinfo_release(&mi);
	free(ko);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_modinfo_unterminated_last_string)
{
	static const char mi_text[] = "vermagic=6.1.0-57-amd64 SMP\0livepatch=Y";
	struct hp_modinfo mi;
	struct hp_strbuf err = HP_STRBUF_INIT;
	size_t len;
	/* no trailing NUL in the section */
	unsigned char *ko = hp_test_make_ko(mi_text, sizeof(mi_text) - 1, &len);

	hp_modinfo_init(&mi);
	ck_assert_int_eq(hp_modinfo_parse(&mi, ko, len, "x.ko", &err), 0);
	ck_assert_str_eq(mi.livepatch, "Y");
	ck_assert_ptr_null(mi.name);
	hp_modinfo_release(&mi);
	free(ko);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_modinfo_no_vermagic)
{
	static const char mi_text[] = "livepatch=Y\0name=x\0";
	struct hp_modinfo mi;
	struct hp_strbuf err = HP_STRBUF_INIT;
	size_t len;
	unsigned char *ko = hp_test_make_ko(mi_text, sizeof(mi_text), &len);

	hp_modinfo_init(&mi);
	ck_assert_int_eq(hp_modinfo_parse(&mi, ko, len, "x.ko", &err), -1);
	ck_assert_str_eq(err.buf, "'x.ko': .modinfo has no vermagic");
	ck_assert_ptr_null(mi.livepatch);
	free(ko);
	hp_strbuf_release(&err);
}
END_TEST

/* Every prefix of a module: error or success, never a crash. */
START_TEST(test_modinfo_truncated)
{
	struct hp_modinfo mi;
	struct hp_strbuf err = HP_STRBUF_INIT;
	size_t len;
	unsigned char *ko = hp_test_make_ko(good_modinfo, sizeof(good_modinfo), &len);

	hp_modinfo_init(&mi);
	for (size_t n = 0; n < len; n++) {
		/* copy so that ASan sees reads past the prefix */
		unsigned char *p = malloc(n ? n : 1);

		memcpy(p, ko, n);
		hp_strbuf_reset(&err);
		ck_assert_int_eq(hp_modinfo_parse(&mi, p, n, "t.ko", &err), -1);
		ck_assert_msg(strchr(err.buf, '\n') == NULL && err.len > 0, "one line: %s", err.buf);
		ck_assert_msg(!strncmp(err.buf, "'t.ko': ", 8), "names the file: %s", err.buf);
		free(p);
	}
	hp_modinfo_release(&mi);
	free(ko);
	hp_strbuf_release(&err);
}
END_TEST

/* Hostile header fields: huge offsets, counts, indexes, wrap-around. */
START_TEST(test_modinfo_hostile_fields)
{
	struct hp_modinfo mi;
	struct hp_strbuf err = HP_STRBUF_INIT;
	size_t len;
	unsigned char *ko = hp_test_make_ko(good_modinfo, sizeof(good_modinfo), &len);
	unsigned char *p = malloc(len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)p;
	Elf64_Shdr *sh;

	hp_modinfo_init(&mi);
#define RESET() memcpy(p, ko, len)
	RESET(); eh->e_shoff = UINT64_MAX - 10;
	ck_assert_int_eq(hp_modinfo_parse(&mi, p, len, "h.ko", &err), -1);
	RESET(); eh->e_shnum = 0xffff;
	ck_assert_int_eq(hp_modinfo_parse(&mi, p, len, "h.ko", &err), -1);
	RESET(); eh->e_shstrndx = 7;
	ck_assert_int_eq(hp_modinfo_parse(&mi, p, len, "h.ko", &err), -1);
	RESET(); eh->e_shentsize = 12;
	ck_assert_int_eq(hp_modinfo_parse(&mi, p, len, "h.ko", &err), -1);
	RESET(); p[EI_CLASS] = ELFCLASS32;
	ck_assert_int_eq(hp_modinfo_parse(&mi, p, len, "h.ko", &err), -1);
	RESET(); eh->e_type = ET_EXEC;
	ck_assert_int_eq(hp_modinfo_parse(&mi, p, len, "h.ko", &err), -1);
	sh = (Elf64_Shdr *)(p + eh->e_shoff);
	RESET(); sh[1].sh_size = UINT64_MAX;
	ck_assert_int_eq(hp_modinfo_parse(&mi, p, len, "h.ko", &err), -1);
	RESET(); sh[1].sh_offset = UINT64_MAX - 1;
	ck_assert_int_eq(hp_modinfo_parse(&mi, p, len, "h.ko", &err), -1);
	RESET(); sh[2].sh_size = UINT64_MAX;
	ck_assert_int_eq(hp_modinfo_parse(&mi, p, len, "h.ko", &err), -1);
	RESET(); sh[1].sh_name = 0xfffffff0;
	ck_assert_int_eq(hp_modinfo_parse(&mi, p, len, "h.ko", &err), -1);
	ck_assert_msg(strstr(err.buf, "no .modinfo section") != NULL, "%s", err.buf);
	/* the name table ends right in ".modin": no match, no overread */
	RESET(); sh[2].sh_size = 5;
	ck_assert_int_eq(hp_modinfo_parse(&mi, p, len, "h.ko", &err), -1);
	RESET(); sh[1].sh_type = SHT_NOBITS;
	ck_assert_int_eq(hp_modinfo_parse(&mi, p, len, "h.ko", &err), -1);
#undef RESET
	hp_modinfo_release(&mi);
	free(p);
	free(ko);
	hp_strbuf_release(&err);
}
END_TEST

/* Deterministic garbage: random bytes, and a module with random bytes
 * stamped over it. */
START_TEST(test_modinfo_garbage)
{
	struct hp_modinfo mi;
	struct hp_strbuf err = HP_STRBUF_INIT;
	size_t len;
	unsigned char *ko = hp_test_make_ko(good_modinfo, sizeof(good_modinfo), &len);
	unsigned char *p = malloc(len);
	uint32_t seed = 12345;

	hp_modinfo_init(&mi);
	for (int round = 0; round < 4000; round++) {
		memcpy(p, ko, len);
		for (int k = 0; k < 1 + round % 8; k++) {
			seed = seed * 1103515245u + 12345u;
			p[(seed >> 8) % len] = (unsigned char)(seed >> 24);
		}
		if (round % 100 == 0)
			for (size_t i = 0; i < len; i++) {
				seed = seed * 1103515245u + 12345u;
				p[i] = (unsigned char)(seed >> 24);
			}
		hp_strbuf_reset(&err);
		(void)hp_modinfo_parse(&mi, p, len, "g.ko", &err);
		hp_modinfo_release(&mi);
	}
	ck_assert_int_eq(hp_modinfo_parse(&mi, "garbage", 7, "g.ko", &err), -1);
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_modinfo_parse(&mi, "", 0, "g.ko", &err), -1);
	ck_assert_str_eq(err.buf, "'g.ko': not an ELF file");
	free(p);
	free(ko);
	hp_strbuf_release(&err);
}
END_TEST

/* A real module: the fixture livepatch module when built (HP_KLP_DIR or the
 * integration cache), else any module of the installed kernel. */
static char *find_real_ko(int *livepatch)
{
	const char *dir = getenv("HP_KLP_DIR");
	DIR *d;
	struct dirent *e;
	char *path = NULL;

	*livepatch = 1;
	if (dir) {
		path = hp_xasprintf("%s/livepatch_cmdline_v1.ko", dir);
		if (!access(path, R_OK))
			return path;
		free(path);
	}
	if ((d = opendir("/tmp/hp-cache"))) {
		while ((e = readdir(d)) && !path) {
			if (strncmp(e->d_name, "klp-", 4))
				continue;
			path = hp_xasprintf("/tmp/hp-cache/%s/livepatch_cmdline_v1.ko", e->d_name);
			if (access(path, R_OK)) {
				free(path);
				path = NULL;
			}
		}
		closedir(d);
		if (path)
			return path;
	}
	*livepatch = 0;
	if ((d = opendir("/lib/modules"))) {
		while ((e = readdir(d)) && !path) {
			if (e->d_name[0] == '.')
				continue;
			path = hp_xasprintf("/lib/modules/%s/kernel/lib/crc8.ko", e->d_name);
			if (access(path, R_OK)) {
				free(path);
				path = NULL;
			}
		}
		closedir(d);
	}
	return path;
}

START_TEST(test_modinfo_real_module)
{
	struct hp_modinfo mi;
	struct hp_strbuf err = HP_STRBUF_INIT, buf = HP_STRBUF_INIT;
	int livepatch;
	char *path = find_real_ko(&livepatch);

	/* linux-image-amd64 is in the test dependencies: no module is an error. */
	ck_assert_msg(path != NULL, "no kernel module found (fixture cache or /lib/modules/*/kernel/lib/crc8.ko)");
	hp_modinfo_init(&mi);
	ck_assert_int_eq(hp_read_file(path, &buf, &err), 0);
	ck_assert_msg(hp_modinfo_parse(&mi, buf.buf, buf.len, path, &err) == 0, "%s", err.buf);
	ck_assert_ptr_nonnull(mi.vermagic);
	ck_assert_msg(strchr(mi.vermagic, ' ') != NULL, "vermagic '%s'", mi.vermagic);
	if (livepatch) {
		ck_assert_str_eq(mi.livepatch, "Y");
		ck_assert_str_eq(mi.name, "livepatch_cmdline_v1");
	}
	/* Every truncation of the ELF image fails cleanly. A signed module (Debian's)
	 * carries its signature after the ELF: cutting there leaves a whole ELF,
	 * which rightly parses, so only cuts inside the ELF extent count. */
	size_t elf_end = buf.len;
	if (buf.len >= sizeof(Elf64_Ehdr)) {
		const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf.buf;
		size_t shend = (size_t)eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
		if (shend <= buf.len)
			elf_end = shend;
	}
	for (size_t n = 0; n < elf_end; n += 1 + n / 7) {
		unsigned char *p = malloc(n ? n : 1);

		memcpy(p, buf.buf, n);
		hp_strbuf_reset(&err);
		ck_assert_int_eq(hp_modinfo_parse(&mi, p, n, path, &err), -1);
		free(p);
	}
	hp_modinfo_release(&mi);
	hp_strbuf_release(&buf);
	hp_strbuf_release(&err);
	free(path);
}
END_TEST

START_TEST(test_pkghdr_not_rpm)
{
	struct hp_pkghdr h;
	struct hp_payload p;
	struct hp_strbuf err = HP_STRBUF_INIT;

	hp_pkghdr_init(&h);
	hp_payload_init(&p);
	ck_assert_int_eq(hp_pkghdr_read(&h, "/nonexistent/x.rpm", &err), -1);
	ck_assert_msg(strstr(err.buf, "'/nonexistent/x.rpm'") != NULL, "%s", err.buf);
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_pkghdr_read(&h, "/etc/passwd", &err), -1);
	ck_assert_msg(strstr(err.buf, "not an rpm package") != NULL, "%s", err.buf);
	hp_strbuf_reset(&err);
	ck_assert_int_eq(hp_payload_read(&p, "/etc/passwd", &err), -1);
	ck_assert_msg(strstr(err.buf, "cannot read payload of '/etc/passwd'") != NULL, "%s", err.buf);
	hp_pkghdr_release(&h);
	hp_payload_release(&p);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_reposcan_not_a_repo)
{
	struct hp_reposcan rs;
	struct hp_strbuf err = HP_STRBUF_INIT;

	hp_reposcan_init(&rs);
	ck_assert_int_eq(hp_reposcan_open(&rs, "/nonexistent-repo", &err), -1);
	ck_assert_str_eq(err.buf, "'/nonexistent-repo': not a repository (no repodata/repomd.xml); "
				  "run createrepo_c first");
	hp_reposcan_release(&rs);
	hp_strbuf_release(&err);
}
END_TEST

Suite *pkgscan_suite(void)
{
	Suite *s = suite_create("pkgscan");
	TCase *tc = tcase_create("modinfo");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_modinfo_synthetic);
	tcase_add_test(tc, test_modinfo_unterminated_last_string);
	tcase_add_test(tc, test_modinfo_no_vermagic);
	tcase_add_test(tc, test_modinfo_truncated);
	tcase_add_test(tc, test_modinfo_hostile_fields);
	tcase_add_test(tc, test_modinfo_garbage);
	tcase_add_test(tc, test_modinfo_real_module);
	suite_add_tcase(s, tc);
	tc = tcase_create("package");
	tcase_add_test(tc, test_pkghdr_not_rpm);
	tcase_add_test(tc, test_reposcan_not_a_repo);
	suite_add_tcase(s, tc);
	return s;
}
