/* Digests: see hp_digest.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpm/rpmpgp.h>

#include "hp_digest.h"
#include "hp_wrapper.h"

void hp_sha256_hex(const void *data, size_t len, char hex[65])
{
	DIGEST_CTX ctx = rpmDigestInit(RPM_HASH_SHA256, RPMDIGEST_NONE);
	char *s = NULL;

	rpmDigestUpdate(ctx, data, len);
	rpmDigestFinal(ctx, (void **)&s, NULL, 1);
	snprintf(hex, 65, "%s", s ? s : "");
	free(s);
}

int hp_digest_fd(int fd, int algo, const char *what, char **hex, struct hp_strbuf *err)
{
	char buf[65536];
	DIGEST_CTX ctx = rpmDigestInit(algo, RPMDIGEST_NONE);

	*hex = NULL;
	if (!ctx)
		return hp_error(err, "cannot read '%s': rpm cannot compute this checksum", what);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			rpmDigestFinal(ctx, NULL, NULL, 0);
			return hp_error_errno(err, e, "cannot read '%s'", what);
		}
		if (!n)
			break;
		rpmDigestUpdate(ctx, buf, (size_t)n);
	}
	rpmDigestFinal(ctx, (void **)hex, NULL, 1);
	if (!*hex)
		return hp_error(err, "cannot read '%s': checksum failed", what);
	return 0;
}

int hp_sha256_file(const char *path, char hex[65], struct hp_strbuf *err)
{
	char *s = NULL;
	int fd = hp_open_regular(path, 0, err), ret;

	if (fd < 0)
		return -1;
	ret = hp_digest_fd(fd, RPM_HASH_SHA256, path, &s, err);
	close(fd);
	if (!ret)
		snprintf(hex, 65, "%s", s);
	free(s);
	return ret;
}
