/* Shared unit test helpers: see testutil.h. */
#include <check.h>
#include <dirent.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

void hp_test_mkdtemp(char *buf, size_t len, const char *prefix)
{
	snprintf(buf, len, "/tmp/%s.XXXXXX", prefix);
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

void hp_test_rm_rf(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		char *c;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		c = hp_xasprintf("%s/%s", path, de->d_name);
		hp_test_rm_rf(c);
		free(c);
	}
	closedir(d);
	rmdir(path);
}

int hp_test_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

void hp_test_write_file(const char *path, const char *s, int mode)
{
	struct hp_strbuf err = HP_STRBUF_INIT;

	ck_assert_msg(hp_write_file_atomic(path, s, strlen(s), mode, &err) == 0, "%s", err.buf);
	hp_strbuf_release(&err);
}

void hp_test_write_str(const char *path, const char *s)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *d = hp_xstrdup(path);
	FILE *f;

	*strrchr(d, '/') = '\0';
	ck_assert_int_eq(hp_mkdir_p(d, 0755, &err), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(s, f);
	fclose(f);
	free(d);
	hp_strbuf_release(&err);
}

char *hp_test_read_str(const char *path)
{
	struct hp_strbuf sb = HP_STRBUF_INIT, err = HP_STRBUF_INIT;

	if (hp_read_file(path, &sb, &err)) {
		hp_strbuf_release(&sb);
		hp_strbuf_release(&err);
		return NULL;
	}
	hp_strbuf_release(&err);
	return hp_strbuf_detach(&sb);
}

unsigned char *hp_test_make_ko(const char *modinfo, size_t modinfo_len, size_t *len)
{
	static const char shstr[] = "\0.modinfo\0.shstrtab";
	size_t off_mi = sizeof(Elf64_Ehdr);
	size_t off_str = off_mi + modinfo_len;
	size_t off_sh = (off_str + sizeof(shstr) + 7) & ~(size_t)7;
	size_t total = off_sh + 3 * sizeof(Elf64_Shdr);
	unsigned char *b = hp_xcalloc(1, total);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	Elf64_Shdr sh[3];

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_REL;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_shoff = off_sh;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 3;
	eh->e_shstrndx = 2;
	memcpy(b + off_mi, modinfo, modinfo_len);
	memcpy(b + off_str, shstr, sizeof(shstr));
	memset(sh, 0, sizeof(sh));
	sh[1].sh_name = 1;
	sh[1].sh_type = SHT_PROGBITS;
	sh[1].sh_offset = off_mi;
	sh[1].sh_size = modinfo_len;
	sh[2].sh_name = 10;
	sh[2].sh_type = SHT_STRTAB;
	sh[2].sh_offset = off_str;
	sh[2].sh_size = sizeof(shstr);
	memcpy(b + off_sh, sh, sizeof(sh));
	*len = total;
	return b;
}
