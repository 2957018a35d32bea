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
 * revision accepted for repository <id> (decimal, one line). A verified
 * repository whose record names itself (repo="NAME", hotpatch-repo publish
 * --repo-name) also has <state_dir>/signed-<fingerprint>-<NAME>.revision:
 * that one does not depend on how the URL or path is spelled (issue 11), and
 * a revision below either record is refused. */
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

/* Where the revisions seen are recorded, below the root. */
#define HP_REPO_STATE_SUBDIR "/var/lib/hotpatch/repos"

/* One repository hp_repos_load tried, in the order tried. */
struct hp_repo_result {
	char *id;        /* dnf's repo id; for --repo the derived id, or the path or URL as
			    given when it did not load */
	char *url;       /* as configured (baseurl, else metalink/mirrorlist) or given */
	char *error;     /* NULL: verified and read; else why not (one line) */
	int skipped;     /* not read and skip_if_unavailable=True: a note, not an error */
};

struct hp_repo_results {
	struct hp_repo_result *v;
	size_t nr, alloc;
};

void hp_repo_results_release(struct hp_repo_results *r);
/* How many were refused (error set, not skipped). */
size_t hp_repo_results_refused(const struct hp_repo_results *r);

/* Which repositories hp_repos_load reads, and how. */
struct hp_repos_opts {
	const char *root;                 /* the system's root; NULL = "/" */
	const char *dbpath;               /* rpmdb path inside the root ($releasever detection) */
	const char *releasever;           /* --releasever, NULL = detected as dnf does */
	const struct hp_strvec *urls;     /* given (--repo): exactly these, not dnf's; NULL = none */
	const struct hp_strvec *urls_nogpgcheck;   /* given (--repo-nogpgcheck): read unsigned */
	const struct hp_strvec *gpgkeys;  /* local key files trusted for every repository, or NULL */
	int nogpgcheck;                   /* as hp_repo_opts */
	int updateinfo;                   /* as hp_repo_opts */
	int keep_going;                   /* a refused repository is recorded in `results` and the
					     others still load; else the first refused one fails */
	struct hp_cache *cache;           /* as hp_repo_opts, may be NULL */
	struct hp_repo_results *results;  /* every repository tried, or NULL */
};

/* Loads the repositories the client reads: o->urls (and o->urls_nogpgcheck)
 * when given, else every enabled repository of dnf's configuration in the
 * root (hp_dnf_conf_read: variables substituted, every source tried in turn,
 * includepkgs/excludepkgs applied), each trusting its own gpgkey= files plus
 * o->gpgkeys and requiring a signature as its repo_gpgcheck= says. A
 * configured repository that cannot be read is skipped with a note in
 * `messages` when its skip_if_unavailable= says so. Appends to the malloc'd
 * array *repos of *nr entries (the caller releases each with
 * hp_repo_release, then frees it). Returns 0, or -1 with `err` naming the
 * first repository that failed (those loaded before it stay in *repos);
 * with o->keep_going refused repositories are only recorded. */
int hp_repos_load(const struct hp_repos_opts *o, struct hp_repo **repos, size_t *nr,
		  struct hp_strvec *messages, struct hp_strbuf *err);

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
