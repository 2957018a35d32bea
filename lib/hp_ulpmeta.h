/* What a libpulp live patch and its target library say about themselves,
 * read from their ELF images in memory (bounds-checked, ELF64
 * little-endian: packages and mapped files are untrusted input).
 *
 * A libpulp patch is a shared object in which `ulp packer` embedded the
 * section `.ulp`: a type byte (1 = patch), a 32-byte patch id, the target
 * library's GNU build-id (u32 length + bytes), the target library's file
 * name (u32 length + NUL-terminated string), then the replaced functions.
 * The target library itself carries its build-id in a PT_NOTE
 * NT_GNU_BUILD_ID note. `hotpatch-repo publish` (lint_ulp.c) and the ulp
 * engine (hooks/engines/ulp.c) both judge patches with these readers. */
#ifndef HP_ULPMETA_H
#define HP_ULPMETA_H

#include <stddef.h>

#include "hp_util.h"

/* A GNU build-id as lower-case hex: at most 64 bytes (128 digits) + NUL. */
#define HP_BUILD_ID_HEX 129

struct hp_ulp_meta {
	char *target;                  /* the target library's file name (libfoo.so.1) */
	char target_build_id[HP_BUILD_ID_HEX];
	char patch_id[65];             /* hex of the 32-byte patch id */
	unsigned nr_units;             /* replaced functions */
};

void hp_ulp_meta_init(struct hp_ulp_meta *m);
void hp_ulp_meta_release(struct hp_ulp_meta *m);

/* Parses the libpulp metadata of the patch image `buf`. Errors (one line,
 * naming `what`): not an ELF64 little-endian shared object, no `.ulp`
 * section ("not a libpulp live patch: run 'ulp packer'"), or a truncated or
 * corrupt one. */
int hp_ulp_meta_parse(struct hp_ulp_meta *m, const void *buf, size_t len, const char *what,
		      struct hp_strbuf *err);

/* The GNU build-id of the ELF64 little-endian image `buf` (from its PT_NOTE
 * segments, as the dynamic loader sees them) into `hex`; -1 and one line
 * naming `what` when it is not such an image or has no build-id. */
int hp_elf_build_id(const void *buf, size_t len, const char *what, char hex[HP_BUILD_ID_HEX],
		    struct hp_strbuf *err);

#endif
