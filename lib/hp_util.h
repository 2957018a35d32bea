/* The base helpers, one header each: growable strings and the error buffer
 * (hp_strbuf.h), string vectors (hp_strvec.h), wrappers and file I/O
 * (hp_wrapper.h), digests (hp_digest.h), dates (hp_date.h). This header
 * includes them all.
 *
 * Error convention (as git's `struct strbuf *err`): functions return 0 on
 * success and -1 on failure, after appending one line to `err` that names the
 * file or object and the system error, e.g.
 *   "cannot open '/var/lib/hotpatch/journal': Permission denied".
 * Only the command layer prints and chooses the exit code. */
#ifndef HP_UTIL_H
#define HP_UTIL_H

#include "hp_date.h"
#include "hp_digest.h"
#include "hp_strbuf.h"
#include "hp_strvec.h"
#include "hp_wrapper.h"

#endif
