/* libpulp patch metadata (.ulp) and GNU build-ids from ELF images in
 * memory. Every offset and length is checked against the buffer before use:
 * the images come from packages and from files other processes map. */
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hp_ulpmeta.h"

#define ULP_SECTION ".ulp"
#define ULP_ID_LEN 32

void hp_ulp_meta_init(struct hp_ulp_meta *m)
{
	memset(m, 0, sizeof(*m));
}

void hp_ulp_meta_release(struct hp_ulp_meta *m)
{
	free(m->target);
	hp_ulp_meta_init(m);
}

/* 1 when `n` bytes at `off` lie inside `len`. */
static int fits(uint64_t off, uint64_t n, size_t len)
{
	return off <= len && n <= len - off;
}

static void to_hex(const unsigned char *b, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 15];
	}
	hex[2 * n] = '\0';
}

/* The ELF header of `buf` when it is an ELF64 little-endian image. */
static int elf64_header(const unsigned char *p, size_t len, const char *what, Elf64_Ehdr *eh,
			struct hp_strbuf *err)
{
	if (len < sizeof(*eh) || memcmp(p, ELFMAG, SELFMAG))
		return hp_error(err, "'%s': not an ELF file", what);
	if (p[EI_CLASS] != ELFCLASS64 || p[EI_DATA] != ELFDATA2LSB)
		return hp_error(err, "'%s': not a 64-bit little-endian ELF file", what);
	memcpy(eh, p, sizeof(*eh));
	return 0;
}

/* Finds section `name`: its offset and size inside the buffer; 1 found,
 * 0 absent, -1 corrupt. */
static int find_section(const unsigned char *p, size_t len, const Elf64_Ehdr *eh,
			const char *name, uint64_t *off, uint64_t *size, const char *what,
			struct hp_strbuf *err)
{
	Elf64_Shdr names, sh;
	size_t nlen = strlen(name) + 1;

	if (eh->e_shnum == 0)
		return 0;
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shstrndx >= eh->e_shnum ||
	    !fits(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), len))
		return hp_error(err, "'%s': corrupt ELF section header table", what);
	memcpy(&names, p + eh->e_shoff + (uint64_t)eh->e_shstrndx * sizeof(sh), sizeof(names));
	if (!fits(names.sh_offset, names.sh_size, len))
		return hp_error(err, "'%s': truncated ELF section name table", what);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		memcpy(&sh, p + eh->e_shoff + (uint64_t)i * sizeof(sh), sizeof(sh));
		if (sh.sh_name >= names.sh_size || names.sh_size - sh.sh_name < nlen ||
		    memcmp(p + names.sh_offset + sh.sh_name, name, nlen))
			continue;
		if (sh.sh_type == SHT_NOBITS || !fits(sh.sh_offset, sh.sh_size, len))
			return hp_error(err, "'%s': truncated %s section", what, name);
		*off = sh.sh_offset;
		*size = sh.sh_size;
		return 1;
	}
	return 0;
}

/* A cursor over a section's bytes. */
struct cursor {
	const unsigned char *p;
	uint64_t left;
};

static int take(struct cursor *c, void *to, uint64_t n)
{
	if (n > c->left)
		return -1;
	if (to)
		memcpy(to, c->p, n);
	c->p += n;
	c->left -= n;
	return 0;
}

int hp_ulp_meta_parse(struct hp_ulp_meta *m, const void *buf, size_t len, const char *what,
		      struct hp_strbuf *err)
{
	const unsigned char *p = buf;
	unsigned char id[ULP_ID_LEN], bid[64];
	uint8_t type;
	uint32_t bid_len, name_len;
	uint64_t off = 0, size = 0;
	Elf64_Ehdr eh;
	struct cursor c;
	int r;

	hp_ulp_meta_release(m);
	if (elf64_header(p, len, what, &eh, err))
		return -1;
	if (eh.e_type != ET_DYN)
		return hp_error(err, "'%s': not an ELF shared object", what);
	r = find_section(p, len, &eh, ULP_SECTION, &off, &size, what, err);
	if (r < 0)
		return -1;
	if (!r)
		return hp_error(err, "'%s': no libpulp metadata (.ulp section): not a packed live "
				"patch (run 'ulp packer')", what);
	c.p = p + off;
	c.left = size;
	if (take(&c, &type, 1) || take(&c, id, sizeof(id)) || take(&c, &bid_len, 4))
		return hp_error(err, "'%s': truncated .ulp section", what);
	if (type != 1)
		return hp_error(err, "'%s': .ulp section of type %u is not a patch", what, type);
	if (bid_len < 1 || bid_len > sizeof(bid) || take(&c, bid, bid_len))
		return hp_error(err, "'%s': .ulp section has a corrupt target build-id", what);
	if (take(&c, &name_len, 4) || name_len < 2 || name_len > c.left ||
	    c.p[name_len - 1] != '\0' || memchr(c.p, '\0', name_len - 1))
		return hp_error(err, "'%s': .ulp section has a corrupt target library name", what);
	m->target = hp_xstrndup((const char *)c.p, name_len - 1);
	take(&c, NULL, name_len);
	if (take(&c, &m->nr_units, 4)) {
		hp_ulp_meta_release(m);
		return hp_error(err, "'%s': truncated .ulp section", what);
	}
	to_hex(id, sizeof(id), m->patch_id);
	to_hex(bid, bid_len, m->target_build_id);
	return 0;
}

int hp_elf_build_id(const void *buf, size_t len, const char *what, char hex[HP_BUILD_ID_HEX],
		    struct hp_strbuf *err)
{
	const unsigned char *p = buf;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	if (elf64_header(p, len, what, &eh, err))
		return -1;
	if (eh.e_phnum && (eh.e_phentsize != sizeof(Elf64_Phdr) ||
			   !fits(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(ph), len)))
		return hp_error(err, "'%s': corrupt ELF program header table", what);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct cursor c;

		memcpy(&ph, p + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_NOTE || !fits(ph.p_offset, ph.p_filesz, len))
			continue;
		c.p = p + ph.p_offset;
		c.left = ph.p_filesz;
		/* Notes: namesz, descsz, type, then name and desc, each padded to 4. */
		while (c.left >= sizeof(Elf64_Nhdr)) {
			Elf64_Nhdr nh;
			const unsigned char *name, *desc;
			uint64_t nsz, dsz;

			take(&c, &nh, sizeof(nh));
			nsz = ((uint64_t)nh.n_namesz + 3) & ~3ULL;
			dsz = ((uint64_t)nh.n_descsz + 3) & ~3ULL;
			name = c.p;
			if (take(&c, NULL, nsz))
				break;
			desc = c.p;
			if (take(&c, NULL, dsz))
				break;
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp(name, "GNU", 4) && nh.n_descsz >= 1 && nh.n_descsz <= 64) {
				to_hex(desc, nh.n_descsz, hex);
				return 0;
			}
		}
	}
	return hp_error(err, "'%s': has no GNU build-id note", what);
}
