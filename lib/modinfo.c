/* A kernel module's `.modinfo` section, read from the ELF image in memory.
 * Packages are hostile input: every offset, size and count is checked against
 * the buffer before it is used; no pointer is formed outside it. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "hp_modinfo.h"

void hp_modinfo_init(struct hp_modinfo *mi)
{
	memset(mi, 0, sizeof(*mi));
}

void hp_modinfo_release(struct hp_modinfo *mi)
{
	free(mi->name);
	free(mi->vermagic);
	free(mi->livepatch);
	hp_modinfo_init(mi);
}

char *hp_vermagic_release(const char *vermagic)
{
	size_t n = strcspn(vermagic, " \t");

	return hp_xstrndup(vermagic, n);
}

/* 1 when [off, off+size) lies inside a buffer of `len` bytes. */
static int in_bounds(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

static void set_once(char **slot, const char *v, size_t n)
{
	/* The first occurrence wins, as modinfo -F prints it first. */
	if (!*slot)
		*slot = hp_xstrndup(v, n);
}

int hp_modinfo_parse(struct hp_modinfo *mi, const void *buf, size_t len, const char *what,
		     struct hp_strbuf *err)
{
	const unsigned char *p = buf;
	Elf64_Ehdr eh;
	Elf64_Shdr sh, strsh;
	const char *strtab;
	uint64_t strtab_size;
	int found = 0;

	hp_modinfo_release(mi);
	if (len < sizeof(eh) || memcmp(p, ELFMAG, SELFMAG))
		return hp_error(err, "'%s': not an ELF file", what);
	memcpy(&eh, p, sizeof(eh));
	if (p[EI_CLASS] != ELFCLASS64)
		return hp_error(err, "'%s': not a 64-bit ELF file", what);
	if (p[EI_DATA] != ELFDATA2LSB)
		return hp_error(err, "'%s': not a little-endian ELF file", what);
	if (eh.e_type != ET_REL)
		return hp_error(err, "'%s': not a relocatable ELF object (kernel module)", what);
	if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 ||
	    !in_bounds(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr), len))
		return hp_error(err, "'%s': truncated or corrupt ELF section header table", what);
	if (eh.e_shstrndx >= eh.e_shnum)
		return hp_error(err, "'%s': corrupt ELF section name table index", what);
	memcpy(&strsh, p + eh.e_shoff + (uint64_t)eh.e_shstrndx * sizeof(Elf64_Shdr),
	       sizeof(strsh));
	if (strsh.sh_type == SHT_NOBITS || !in_bounds(strsh.sh_offset, strsh.sh_size, len))
		return hp_error(err, "'%s': truncated ELF section name table", what);
	strtab = (const char *)p + strsh.sh_offset;
	strtab_size = strsh.sh_size;

	for (unsigned i = 0; i < eh.e_shnum; i++) {
		const char *sec;
		uint64_t off;

		memcpy(&sh, p + eh.e_shoff + (uint64_t)i * sizeof(Elf64_Shdr), sizeof(sh));
		if (sh.sh_name >= strtab_size)
			continue;
		/* ".modinfo" plus its NUL must fit inside the name table. */
		if (strtab_size - sh.sh_name < sizeof(".modinfo") ||
		    memcmp(strtab + sh.sh_name, ".modinfo", sizeof(".modinfo")))
			continue;
		if (sh.sh_type == SHT_NOBITS || !in_bounds(sh.sh_offset, sh.sh_size, len))
			return hp_error(err, "'%s': truncated .modinfo section", what);
		sec = (const char *)p + sh.sh_offset;
		found = 1;
		/* A sequence of NUL-terminated "key=value" strings, possibly with
		 * NUL padding between them; an unterminated last string ends at
		 * the section end. */
		for (off = 0; off < sh.sh_size;) {
			const char *s = sec + off;
			const char *nul = memchr(s, '\0', sh.sh_size - off);
			size_t n = nul ? (size_t)(nul - s) : (size_t)(sh.sh_size - off);
			const char *eq = memchr(s, '=', n);

			if (eq) {
				size_t klen = (size_t)(eq - s), vlen = n - klen - 1;

				if (klen == 4 && !memcmp(s, "name", 4))
					set_once(&mi->name, eq + 1, vlen);
				else if (klen == 8 && !memcmp(s, "vermagic", 8))
					set_once(&mi->vermagic, eq + 1, vlen);
				else if (klen == 9 && !memcmp(s, "livepatch", 9))
					set_once(&mi->livepatch, eq + 1, vlen);
			}
			off += n + 1;
		}
		break;
	}
	if (!found)
		return hp_error(err, "'%s': no .modinfo section (not a kernel module)", what);
	if (!mi->vermagic) {
		hp_modinfo_release(mi);
		return hp_error(err, "'%s': .modinfo has no vermagic", what);
	}
	return 0;
}
