/* Helpers the unit tests share: temp dirs, rm -rf, small files, and a
 * minimal kernel module image. Failures inside them fail the calling test
 * (ck_assert). Strings returned are malloc'd; the caller frees them. */
#ifndef HP_TESTUTIL_H
#define HP_TESTUTIL_H

#include <stddef.h>

#include "hp_util.h"

/* Creates a fresh directory "/tmp/<prefix>.XXXXXX" and writes its path
 * into buf (len bytes, 64 is plenty). */
void hp_test_mkdtemp(char *buf, size_t len, const char *prefix);
/* rm -rf `path` (a file or a directory tree); missing is fine. */
void hp_test_rm_rf(const char *path);
/* 1 when `path` exists (stat), else 0. */
int hp_test_exists(const char *path);
/* Writes `s` to `path` atomically with `mode` (hp_write_file_atomic). */
void hp_test_write_file(const char *path, const char *s, int mode);
/* Writes `s` to `path` in place (fopen "w"), creating its parent
 * directories first: as a program (or the kernel) rewrites a file. */
void hp_test_write_str(const char *path, const char *s);
/* The whole file as a malloc'd string, or NULL when it cannot be read. */
char *hp_test_read_str(const char *path);
/* A minimal relocatable x86-64 ELF64 with the sections NULL, .modinfo
 * (`modinfo_len` bytes of `modinfo`) and .shstrtab; malloc'd, size in *len. */
unsigned char *hp_test_make_ko(const char *modinfo, size_t modinfo_len, size_t *len);

#endif
