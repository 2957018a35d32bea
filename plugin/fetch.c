/* Single files of http(s) repositories, fetched with libcurl; see hp_fetch.h.
 * (libcurl, not librepo: Debian 12's librepo-dev conflicts with
 * libcreaterepo-c-dev; librepo fetches with this same libcurl, and the
 * interface here is small enough to move onto librepo later.)
 * One easy handle per file: a run fetches a handful of files, and a fresh
 * handle carries no state (cookies, connections) from one repository to
 * the next. */
#include "hp_fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

enum hp_url_kind hp_url_kind(const char *url)
{
	if (!strstr(url, "://") || !strncasecmp(url, "file://", 7))
		return HP_URL_LOCAL;
	if (!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8))
		return HP_URL_REMOTE;
	return HP_URL_UNSUPPORTED;
}

int hp_url_has_vars(const char *url)
{
	return strchr(url, '$') != NULL;
}

/* Where the body goes, and the size cap, enforced on every chunk so a
 * hostile mirror cannot fill the disk first (CURLOPT_MAXFILESIZE only
 * catches an announced Content-Length). */
struct sink {
	int fd;
	uint64_t written, max;
	int exceeded, write_errno;
};

static size_t write_cb(char *data, size_t size, size_t nmemb, void *p)
{
	struct sink *s = p;
	size_t n = size * nmemb, done = 0;

	if (s->written + n > s->max) {
		s->exceeded = 1;
		return 0;
	}
	while (done < n) {
		ssize_t w = write(s->fd, data + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			s->write_errno = errno;
			return 0;
		}
		done += (size_t)w;
	}
	s->written += n;
	return n;
}

int hp_fetch_file(const char *url, const char *path, uint64_t max_size, struct hp_strbuf *err)
{
	char ebuf[CURL_ERROR_SIZE] = "";
	struct sink sink = { -1, 0, max_size, 0, 0 };
	CURL *c = NULL;
	CURLcode rc;
	char *msg = NULL;
	int ret = -1;

	if (hp_url_kind(url) != HP_URL_REMOTE) {
		hp_error(err, "cannot fetch '%s': not an http:// or https:// URL", url);
		goto out;
	}
	sink.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (sink.fd < 0) {
		hp_error_errno(err, errno, "cannot create '%s'", path);
		goto out;
	}
	c = curl_easy_init();
	if (!c) {
		hp_error(err, "cannot fetch '%s': cannot initialise libcurl", url);
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* HTTP errors (404, 500) are errors, not bodies to verify. */
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	/* Mirrors redirect; never to another scheme (file://, ftp://). */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* dnf's (librepo's) defaults: 30 s to connect; abandon a transfer
	 * below 1000 B/s for 30 s. */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1000L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_size);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "hotpatch/" HP_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	rc = curl_easy_perform(c);
	if (sink.exceeded || rc == CURLE_FILESIZE_EXCEEDED) {
		hp_error(err, "cannot fetch '%s': larger than the limit of %llu bytes", url,
			 (unsigned long long)max_size);
		goto out;
	}
	if (sink.write_errno) {
		hp_error_errno(err, sink.write_errno, "cannot write '%s'", path);
		goto out;
	}
	if (rc != CURLE_OK) {
		msg = hp_oneline(*ebuf ? ebuf : curl_easy_strerror(rc));
		hp_error(err, "cannot fetch '%s': %s", url, msg);
		goto out;
	}
	if (fsync(sink.fd) < 0) {
		hp_error_errno(err, errno, "cannot write '%s'", path);
		goto out;
	}
	ret = 0;
out:
	if (c)
		curl_easy_cleanup(c);
	if (sink.fd >= 0)
		close(sink.fd);
	if (ret < 0 && sink.fd >= 0)
		unlink(path);
	free(msg);
	return ret;
}
