/* A kernel module's `.modinfo` section, read from the ELF image in memory,
 * and the decompression of .ko.xz / .ko.zst images (as Fedora ships them).
 * Packages are hostile input: every offset, size and count is checked against
 * the buffer before it is used; no pointer is formed outside it. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include <lzma.h>
#include <zstd.h>

#include "hp_pkgscan.h"

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

int hp_module_path(const char *path)
{
	static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst" };
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		size_t l = strlen(suffixes[i]);

		if (n > l && !strcmp(path + n - l, suffixes[i]))
			return 1;
	}
	return 0;
}

static int unxz(const void *buf, size_t len, const char *what, struct hp_strbuf *out,
		struct hp_strbuf *err)
{
	lzma_stream zs = LZMA_STREAM_INIT;
	unsigned char chunk[65536];
	lzma_ret r;
	int ret = -1;

	/* The memory limit bounds the decoder's dictionary, not the output. */
	if (lzma_stream_decoder(&zs, 256u << 20, 0) != LZMA_OK)
		return hp_error(err, "'%s': cannot start the xz decoder", what);
	zs.next_in = buf;
	zs.avail_in = len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		r = lzma_code(&zs, LZMA_FINISH);
		if (r != LZMA_OK && r != LZMA_STREAM_END) {
			hp_error(err, "'%s': truncated or corrupt xz data", what);
			goto out;
		}
		hp_strbuf_add(out, chunk, sizeof(chunk) - zs.avail_out);
		if (out->len > HP_MODULE_MAX) {
			hp_error(err, "'%s': module decompresses to more than %u bytes", what,
				 HP_MODULE_MAX);
			goto out;
		}
	} while (r != LZMA_STREAM_END);
	ret = 0;
out:
	lzma_end(&zs);
	return ret;
}

static int unzstd(const void *buf, size_t len, const char *what, struct hp_strbuf *out,
		  struct hp_strbuf *err)
{
	ZSTD_DStream *zs = ZSTD_createDStream();
	unsigned char chunk[65536];
	ZSTD_inBuffer in = { buf, len, 0 };
	size_t r = 1;
	int ret = -1;

	if (!zs || ZSTD_isError(ZSTD_initDStream(zs))) {
		hp_error(err, "'%s': cannot start the zstd decoder", what);
		goto out;
	}
	/* r == 0: a frame ended; the module is exactly one frame. */
	while (r) {
		ZSTD_outBuffer o = { chunk, sizeof(chunk), 0 };

		r = ZSTD_decompressStream(zs, &o, &in);
		if (ZSTD_isError(r) || (r && in.pos == in.size && o.pos == 0)) {
			hp_error(err, "'%s': truncated or corrupt zstd data", what);
			goto out;
		}
		hp_strbuf_add(out, chunk, o.pos);
		if (out->len > HP_MODULE_MAX) {
			hp_error(err, "'%s': module decompresses to more than %u bytes", what,
				 HP_MODULE_MAX);
			goto out;
		}
	}
	ret = 0;
out:
	ZSTD_freeDStream(zs);
	return ret;
}

int hp_module_decompress(const void *buf, size_t len, const char *what, struct hp_strbuf *out,
			 struct hp_strbuf *err)
{
	static const unsigned char xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const unsigned char zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

	/* By content, as the kernel's and kmod's loaders do. */
	if (len >= sizeof(xz_magic) && !memcmp(buf, xz_magic, sizeof(xz_magic)))
		return unxz(buf, len, what, out, err) ? -1 : 1;
	if (len >= sizeof(zstd_magic) && !memcmp(buf, zstd_magic, sizeof(zstd_magic)))
		return unzstd(buf, len, what, out, err) ? -1 : 1;
	return 0;
}
