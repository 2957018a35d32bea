/* Shared by the libFuzzer targets (tests/fuzz/README.md): a private work
 * directory made once per process, and writing an input to a file there for
 * the readers that take paths (they read files exactly as the client does). */
#ifndef HP_FUZZ_UTIL_H
#define HP_FUZZ_UTIL_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hp_util.h"

/* "/tmp/hp-fuzz.XXXXXX", created on first use (mode 0700, ours). */
static inline const char *fuzz_dir(void)
{
	static char dir[64];

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/hp-fuzz.XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	return dir;
}

/* Writes `data` to <fuzz_dir>/<name> (parents made); returns the path,
 * malloc'd. */
static inline char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *path = hp_path_join(fuzz_dir(), name), *slash = strrchr(path, '/');

	*slash = '\0';
	if (hp_mkdir_p(path, 0700, &err))
		abort();
	*slash = '/';
	/* Plain write, no fsync: thousands of inputs a second. */
	{
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || close(fd))
			abort();
	}
	hp_strbuf_release(&err);
	return path;
}

#endif
