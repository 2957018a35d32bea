/* Digests (lib/digest.c): sha256 of buffers and files, rpm's hash of a file
 * descriptor. */
#ifndef HP_DIGEST_H
#define HP_DIGEST_H

#include <stddef.h>

#include "hp_strbuf.h"

/* Lower-case hex sha256 of a buffer / a file. `hex` must hold 65 bytes. */
void hp_sha256_hex(const void *data, size_t len, char hex[65]);
int hp_sha256_file(const char *path, char hex[65], struct hp_strbuf *err);
/* Lower-case hex digest (rpm's hash `algo`, e.g. RPM_HASH_SHA512) of what is
 * left to read from `fd` (not closed), malloc'd into *hex; `what` names it
 * in errors. */
int hp_digest_fd(int fd, int algo, const char *what, char **hex, struct hp_strbuf *err);

#endif
