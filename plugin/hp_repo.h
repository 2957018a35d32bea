/* How a client loads one repository's hotpatch metadata, safely:
 * repomd.xml signature (when required) -> `hotpatch` record -> its checksum
 * -> the document -> validation -> expiry -> rollback protection.
 *
 * Local directories and file:// URLs are read in place; http:// and https://
 * repositories are fetched file by file (hp_fetch.h, libcurl). Either
 * way the files are first copied into a private snapshot and only the
 * copies are verified and parsed.
 *
 * Rollback state: <state_dir>/<id>.revision holds the highest metadata
 * revision accepted for repository <id> (decimal, one line). */
#ifndef HP_REPO_H
#define HP_REPO_H

#include "hp_cache.h"
#include "hp_meta.h"
#include "hp_updateinfo.h"
#include "hp_util.h"

struct hp_repo_opts {
	const char *root;          /* installroot ("/" or NULL); hp_repo_load itself reads no
				      config (state_dir and gpgkeys are already full paths) */
	const char *state_dir;     /* where last-seen revisions live, e.g.
				      <root>/var/lib/hotpatch/repos; NULL = don't track */
	struct hp_strvec gpgkeys;  /* armored public keys to trust (owned): local files, or
				      http(s) URLs that are fetched -- callers put a URL
				      here only when the repository's own configuration
				      names it (gpgkey=), as dnf does */
	struct hp_cache *cache;    /* hp_cache.h (not owned): documents already parsed are
				      taken from it, new ones queued; NULL = parse every time */
	int nogpgcheck;            /* never verify repomd.xml's signature */
	int updateinfo;            /* also read the `updateinfo` record (reboot_suggested) */
	/* Called with the private copy of repodata/repomd.xml before its
	 * signature or anything else is read (a metalink's size and hash,
	 * hp_dnfconf.h); NULL = none. */
	int (*repomd_check)(const char *path, const void *data, struct hp_strbuf *err);
	const void *repomd_check_data;
};

void hp_repo_opts_init(struct hp_repo_opts *o);
void hp_repo_opts_release(struct hp_repo_opts *o);   /* frees gpgkeys only */

struct hp_repo {
	char *id;        /* repo id (from config) or derived from the path */
	char *url;       /* as given */
	char *dir;       /* local directory holding repodata/, or the http(s) base URL
			    (no trailing '/') when remote */
	int remote;      /* fetched over http(s) */
	int gpgcheck;    /* whether the signature was required and verified */
	char *signer;    /* fingerprint that signed repomd.xml, or NULL */
	int has_meta;    /* repo publishes hotpatch metadata */
	struct hp_meta meta;
	int has_updateinfo;            /* an updateinfo record was read (o->updateinfo) */
	struct hp_reboot_pkgs reboot;  /* packages of its reboot_suggested advisories (owned) */
};

void hp_repo_init(struct hp_repo *r);
void hp_repo_release(struct hp_repo *r);

/* Loads the repository `path_or_url` (a directory, file://, http:// or
 * https:// URL; dnf variables such as $releasever are refused, not guessed).
 * `id` NULL derives one from the directory's absolute path ("srv_repos_x" for
 * /srv/repos/x) or from the URL without its scheme ("mirror.example.org_x").
 * Remote files are size-capped (hp_fetch.h); a file that cannot be fetched
 * is an error naming its URL. The signature of repodata/repomd.xml (repomd.xml.asc) is
 * verified with a private keyring holding exactly o->gpgkeys, unless
 * o->nogpgcheck or !gpgcheck_required. A repository without a `hotpatch`
 * record loads with has_meta = 0 -- unless a revision was recorded for it
 * before, which is refused like a rollback. With o->updateinfo, its
 * `updateinfo` record (if any) is read too, through the same checks (path
 * inside repodata/, checksum from the verified repomd.xml, parsed from the
 * private copy), into r->reboot -- with or without a hotpatch record. On success the revision is
 * recorded in o->state_dir (created 0755). On error `r` is left empty
 * (initialised), the state is untouched, and `err` gets one line. */
int hp_repo_load(struct hp_repo *r, const char *id, const char *path_or_url,
		 const struct hp_repo_opts *o, int gpgcheck_required, struct hp_strbuf *err);

/* The highest revision recorded for `id` in `state_dir`: 0 and *rev = 0 when
 * none is recorded, -1 on errors (unreadable or corrupt file). */
int hp_repo_state_read(const char *state_dir, const char *id, uint64_t *rev,
		       struct hp_strbuf *err);

/* One repository section of dnf's configuration. */
struct hp_repo_conf {
	char *id;
	char *name;                /* NULL when not set */
	char *baseurl;             /* the first baseurl, NULL when none (mirrorlist/metalink only) */
	int enabled;               /* default 1 */
	int gpgcheck;              /* package signatures; default from [main], else 1 */
	int repo_gpgcheck;         /* repomd.xml signature required; default from [main], else 0 */
	struct hp_strvec gpgkeys;  /* file:// keys as local paths (under root); other URLs as given */
	char *file;                /* the file the section came from */
	/* issue 12 (hp_dnfconf.h): raw values; hp_dnfconf_expand substitutes
	 * dnf's variables in the URLs and keys */
	struct hp_strvec baseurls; /* every baseurl, in order */
	char *mirrorlist;          /* NULL when not set */
	char *metalink;            /* NULL when not set */
	int skip_if_unavailable;   /* default from [main], else 0 (dnf 4) */
	struct hp_strvec includepkgs, excludepkgs;   /* the repo's own ([main]'s: hp_dnf_main) */
};

/* Reads <root>/etc/dnf/dnf.conf ([main] defaults for gpgcheck/repo_gpgcheck
 * and any repo sections) and <root>/etc/yum.repos.d/ *.repo in name order.
 * Values are taken literally: $releasever, $basearch and other dnf variables
 * are substituted afterwards (hp_dnfconf_expand). `reposdir=` is not honoured. Missing files/directories are not
 * errors. Returns a malloc'd array in *out (free with hp_repo_conf_free). */
int hp_repo_conf_list(const char *root, struct hp_repo_conf **out, size_t *nr,
		      struct hp_strbuf *err);
/* The same, also filling `main` (hp_dnfconf.h: releasever=, excludepkgs=,
 * includepkgs=, skip_if_unavailable= of [main], already applied to the
 * repositories' defaults). */
struct hp_dnf_main;
int hp_dnf_conf_read(const char *root, struct hp_dnf_main *main, struct hp_repo_conf **out,
		     size_t *nr, struct hp_strbuf *err);
void hp_repo_conf_free(struct hp_repo_conf *confs, size_t nr);

#endif
