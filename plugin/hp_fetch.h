/* Fetching single files of a remote (http/https) repository with libcurl
 * (what librepo, dnf's fetcher, uses underneath). Only whole files, one at a time,
 * into local paths the caller owns; verifying them is the caller's job
 * (hp_repo_load verifies the copies exactly as it does local ones).
 * Proxies: curl's defaults, i.e. http_proxy/https_proxy/
 * no_proxy from the environment. */
#ifndef HP_FETCH_H
#define HP_FETCH_H

#include <stdint.h>

#include "hp_util.h"

/* What a repository location (baseurl, --repo) is. */
enum hp_url_kind {
	HP_URL_LOCAL,        /* a path, or file:// */
	HP_URL_REMOTE,       /* http:// or https:// */
	HP_URL_UNSUPPORTED,  /* another scheme (ftp://, ...) */
};

enum hp_url_kind hp_url_kind(const char *url);

/* `url` with any user information (user:password@) shown as "***@", for
 * messages and names; malloc'd, caller frees (NULL in, NULL out). */
char *hp_url_redact(const char *url);

/* Whether `url` uses dnf variables ($releasever, $basearch, ${x}), which
 * this client does not substitute. */
int hp_url_has_vars(const char *url);

/* Upper bounds on what a mirror may make us download. */
#define HP_FETCH_MAX_REPOMD   (16ULL << 20)   /* repomd.xml */
#define HP_FETCH_MAX_SMALL    (1ULL << 20)    /* repomd.xml.asc, gpg keys */
#define HP_FETCH_MAX_DATA     (256ULL << 20)  /* hotpatch, updateinfo */

/* Every fetch of a command shares one deadline, `seconds` after the first
 * fetch starts (default HP_FETCH_TIMEOUT_DEFAULT; --fetch-timeout). Past it a
 * fetch fails with "cannot fetch '<url>': the fetch deadline of N s passed
 * (--fetch-timeout)". Calling it again restarts the clock. */
#define HP_FETCH_TIMEOUT_DEFAULT 300u
void hp_fetch_set_timeout(unsigned seconds);

/* Downloads `url` (http:// or https://) into `path` (created or truncated,
 * mode 0600; its directory must exist), at most `max_size` bytes; redirects
 * are followed. Timeouts: 30 s to connect, a transfer slower than
 * 1000 B/s for 30 s is abandoned, and the command's fetch deadline above. On error `path` is removed and `err`
 * gets one line: "cannot fetch '<url>': <reason>". libcurl.so.4 is loaded
 * (dlopen) by the first call, so that commands without a remote repository
 * do not pay for it; without it: "cannot fetch '<url>': libcurl is not
 * available (dlopen libcurl.so.4: <dlerror>)". */
int hp_fetch_file(const char *url, const char *path, uint64_t max_size, struct hp_strbuf *err);

#endif
