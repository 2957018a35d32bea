/* A kernel module's `.modinfo` section (name, vermagic, livepatch), read
 * from the ELF image in memory: the publisher's lint and the klp engine's
 * identity check read modules the same way. */
#ifndef HP_MODINFO_H
#define HP_MODINFO_H

#include <stddef.h>

#include "hp_util.h"

struct hp_modinfo {
	char *name;       /* "name=" or NULL */
	char *vermagic;   /* "vermagic=" or NULL */
	char *livepatch;  /* "livepatch=" or NULL ("Y" for livepatch modules) */
};

void hp_modinfo_init(struct hp_modinfo *mi);
void hp_modinfo_release(struct hp_modinfo *mi);
/* Parses the `.modinfo` section of the 64-bit little-endian ELF image in
 * `buf` (not modified, not kept). `what` names the file in error messages.
 * Every offset and size is bounds-checked: truncated or garbage input gives
 * -1 and one error line, never a crash. */
int hp_modinfo_parse(struct hp_modinfo *mi, const void *buf, size_t len, const char *what,
		     struct hp_strbuf *err);
/* The kernel release a vermagic names: its first word; malloc'd, caller frees. */
char *hp_vermagic_release(const char *vermagic);

/* Kernel modules are read into memory (for .modinfo) up to this size,
 * compressed or decompressed. */
#define HP_MODULE_MAX (64u << 20)
/* Whether `path` names a kernel module: "*.ko", "*.ko.xz" or "*.ko.zst". */
int hp_module_path(const char *path);
/* Decompresses a module image compressed with xz or zstd (recognised by its
 * magic, not its name) into `out`: returns 1. A plain image: 0, `out`
 * untouched. Corrupt or truncated data, or an image decompressing to more
 * than HP_MODULE_MAX bytes: -1 and one line naming `what`. */
int hp_module_decompress(const void *buf, size_t len, const char *what, struct hp_strbuf *out,
			 struct hp_strbuf *err);

#endif
