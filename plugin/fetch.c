/* Single files of http(s) repositories, fetched with libcurl; see hp_fetch.h.
 * libcurl is dlopen'ed on the first fetch, as systemd loads its optional
 * libraries: linked, it and its dependencies (TLS, HTTP/2, SSH, LDAP, ...)
 * made up most of the client's start-up time, for every command, while only
 * a remote repository needs it.
 * (libcurl, not librepo: Debian 12's librepo-dev conflicts with
 * libcreaterepo-c-dev; librepo fetches with this same libcurl, and the
 * interface here is small enough to move onto librepo later.)
 * One easy handle per file: a run fetches a handful of files, and a fresh
 * handle carries no state (cookies, connections) from one repository to
 * the next. */
#include "hp_fetch.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

/* libcurl's entry points, typed from <curl/curl.h> so that the compiler
 * checks every call; `handle` is set once all of them are resolved. The
 * library stays loaded until exit (no dlclose: nothing to gain). */
static struct {
	void *handle;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
} curl;

#define CURL_SONAME "libcurl.so.4"

/* Loads libcurl on first use; `url` names the fetch in the error. */
static int load_curl(const char *url, struct hp_strbuf *err)
{
	void *h;

	if (curl.handle)
		return 0;
	h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();

		return hp_error(err, "cannot fetch '%s': libcurl is not available (dlopen "
				CURL_SONAME ": %s)", url, e ? e : "unknown error");
	}
#define RESOLVE(field, name)                                                              \
	do {                                                                              \
		curl.field = (__typeof__(curl.field))dlsym(h, #name);                     \
		if (!curl.field) {                                                        \
			dlclose(h);                                                       \
			return hp_error(err, "cannot fetch '%s': libcurl is not available " \
					"(" CURL_SONAME " lacks " #name ")", url);        \
		}                                                                         \
	} while (0)
	RESOLVE(easy_init, curl_easy_init);
	RESOLVE(easy_setopt, curl_easy_setopt);
	RESOLVE(easy_perform, curl_easy_perform);
	RESOLVE(easy_strerror, curl_easy_strerror);
	RESOLVE(easy_cleanup, curl_easy_cleanup);
#undef RESOLVE
	curl.handle = h;
	return 0;
}

enum hp_url_kind hp_url_kind(const char *url)
{
	if (!strstr(url, "://") || !strncasecmp(url, "file://", 7))
		return HP_URL_LOCAL;
	if (!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8))
		return HP_URL_REMOTE;
	return HP_URL_UNSUPPORTED;
}

char *hp_url_redact(const char *url)
{
	const char *host = url ? strstr(url, "://") : NULL, *at, *end;

	if (!host)
		return hp_xstrdup(url);
	host += 3;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (!at)
		return hp_xstrdup(url);
	/* The last '@' before the path ends the user information. */
	while (memchr(at + 1, '@', (size_t)(end - at - 1)))
		at = memchr(at + 1, '@', (size_t)(end - at - 1));
	return hp_xasprintf("%.*s***%s", (int)(host - url), url, at);
}

int hp_url_has_vars(const char *url)
{
	return strchr(url, '$') != NULL;
}

/* The total time every fetch of one command may take together (issue 11: a
 * mirror dripping just above the low-speed limit kept `check` alive for
 * hours). The clock starts at the first fetch. */
static unsigned fetch_timeout = HP_FETCH_TIMEOUT_DEFAULT;
static struct timespec deadline;
static int deadline_set;

void hp_fetch_set_timeout(unsigned seconds)
{
	fetch_timeout = seconds;
	deadline_set = 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until the deadline (started now when not yet). */
static long long time_left_ms(void)
{
	if (!deadline_set) {
		long long end = now_ms() + (long long)fetch_timeout * 1000;

		deadline.tv_sec = (time_t)(end / 1000);
		deadline.tv_nsec = (long)(end % 1000) * 1000000;
		deadline_set = 1;
	}
	return (long long)deadline.tv_sec * 1000 + deadline.tv_nsec / 1000000 - now_ms();
}

static void deadline_error(const char *url, struct hp_strbuf *err)
{
	hp_error(err, "cannot fetch '%s': the fetch deadline of %u s passed (--fetch-timeout)",
		 url, fetch_timeout);
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
	long long left;
	int ret = -1;
	/* Messages never echo credentials (user:password@host). */
	char *shown = hp_url_redact(url);

	if (hp_url_kind(url) != HP_URL_REMOTE) {
		hp_error(err, "cannot fetch '%s': not an http:// or https:// URL", shown);
		goto out;
	}
	if (load_curl(shown, err) < 0)
		goto out;
	left = time_left_ms();
	if (left <= 0) {
		deadline_error(shown, err);
		goto out;
	}
	sink.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (sink.fd < 0) {
		hp_error_errno(err, errno, "cannot create '%s'", path);
		goto out;
	}
	c = curl.easy_init();
	if (!c) {
		hp_error(err, "cannot fetch '%s': cannot initialise libcurl", shown);
		goto out;
	}
	curl.easy_setopt(c, CURLOPT_URL, url);
	curl.easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* HTTP errors (404, 500) are errors, not bodies to verify. */
	curl.easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	/* Mirrors redirect; never to another scheme (file://, ftp://). */
	curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl.easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* dnf's (librepo's) defaults: 30 s to connect; abandon a transfer
	 * below 1000 B/s for 30 s. */
	curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
	curl.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1000L);
	curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)left);
	curl.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_size);
	curl.easy_setopt(c, CURLOPT_USERAGENT, "hotpatch/" HP_VERSION);
	curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl.easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	rc = curl.easy_perform(c);
	if (sink.exceeded || rc == CURLE_FILESIZE_EXCEEDED) {
		hp_error(err, "cannot fetch '%s': larger than the limit of %llu bytes", shown,
			 (unsigned long long)max_size);
		goto out;
	}
	if (sink.write_errno) {
		hp_error_errno(err, sink.write_errno, "cannot write '%s'", path);
		goto out;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT && time_left_ms() <= 0) {
		deadline_error(shown, err);
		goto out;
	}
	if (rc != CURLE_OK) {
		msg = hp_oneline(*ebuf ? ebuf : curl.easy_strerror(rc));
		hp_error(err, "cannot fetch '%s': %s", shown, msg);
		goto out;
	}
	if (fsync(sink.fd) < 0) {
		hp_error_errno(err, errno, "cannot write '%s'", path);
		goto out;
	}
	ret = 0;
out:
	if (c)
		curl.easy_cleanup(c);
	if (sink.fd >= 0)
		close(sink.fd);
	if (ret < 0 && sink.fd >= 0)
		unlink(path);
	free(msg);
	free(shown);
	return ret;
}
