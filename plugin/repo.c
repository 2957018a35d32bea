/* Loading one repository's hotpatch metadata on a client; see hp_repo.h.
 * Every check happens before anything is kept or recorded, so a refused
 * repository leaves neither partial metadata nor a new state revision. */
#include "hp_repo.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp_cache.h"
#include "hp_dnfconf.h"
#include "hp_fetch.h"
#include "hp_repomd.h"
#include "hp_sign.h"
#include "hp_tempdir.h"
#include "hp_updateinfo.h"

void hp_repo_opts_init(struct hp_repo_opts *o)
{
	o->root = NULL;
	o->state_dir = NULL;
	o->cache = NULL;
	hp_strvec_init(&o->gpgkeys);
	o->nogpgcheck = 0;
	o->updateinfo = 0;
	o->repomd_check = NULL;
	o->repomd_check_data = NULL;
}

void hp_repo_opts_release(struct hp_repo_opts *o)
{
	hp_strvec_release(&o->gpgkeys);
}

void hp_repo_init(struct hp_repo *r)
{
	r->id = NULL;
	r->url = NULL;
	r->dir = NULL;
	r->remote = 0;
	r->gpgcheck = 0;
	r->signer = NULL;
	r->has_meta = 0;
	hp_meta_init(&r->meta);
	r->has_updateinfo = 0;
	hp_reboot_pkgs_init(&r->reboot);
}

void hp_repo_release(struct hp_repo *r)
{
	free(r->id);
	free(r->url);
	free(r->dir);
	free(r->signer);
	hp_meta_release(&r->meta);
	hp_reboot_pkgs_release(&r->reboot);
	hp_repo_init(r);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The local directory named by a path or file:// URL, made absolute. */
static int resolve_dir(const char *url, char **dir, struct hp_strbuf *err)
{
	struct hp_strbuf path = HP_STRBUF_INIT;
	char real[PATH_MAX];
	const char *p = url;
	struct stat st;
	int ret = -1;

	*dir = NULL;
	if (!strncasecmp(url, "file://", 7)) {
		p = url + 7;
		if (!strncmp(p, "localhost/", 10))
			p += 9;
		if (*p != '/') {
			hp_error(err, "'%s': a file:// URL needs an absolute path", url);
			goto out;
		}
		/* URLs may escape characters (%20); paths do not. */
		for (; *p; p++) {
			int h, l;

			if (*p == '%' && (h = hexval(p[1])) >= 0 && (l = hexval(p[2])) >= 0) {
				char c = (char)(h * 16 + l);
				hp_strbuf_add(&path, &c, 1);
				p += 2;
			} else {
				hp_strbuf_add(&path, p, 1);
			}
		}
	} else {
		hp_strbuf_adds(&path, url);
	}
	if (!realpath(path.buf, real) || stat(real, &st) < 0) {
		hp_error_errno(err, errno, "cannot open repository '%s'", url);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		hp_error(err, "cannot open repository '%s': not a directory", url);
		goto out;
	}
	*dir = hp_xstrdup(real);
	ret = 0;
out:
	hp_strbuf_release(&path);
	return ret;
}

/* Repo ids become file names: keep dnf's id characters, replace the rest. */
static char *sanitize_id(const char *s)
{
	char *id, *q;

	while (*s == '/')
		s++;
	if (!*s)
		s = "root";
	id = hp_xstrdup(s);
	for (q = id; *q; q++)
		if (!isalnum((unsigned char)*q) && !strchr("._:-", *q))
			*q = '_';
	if (id[0] == '.')
		id[0] = '_';
	return id;
}

static char *state_path(const char *state_dir, const char *id)
{
	char *sid = sanitize_id(id);
	char *name = hp_xasprintf("%s.revision", sid);
	char *path = hp_path_join(state_dir, name);

	free(name);
	free(sid);
	return path;
}

int hp_repo_state_read(const char *state_dir, const char *id, uint64_t *rev,
		       struct hp_strbuf *err)
{
	char *path = state_path(state_dir, id);
	/* A missing record (also ENOTDIR: a state dir that cannot exist yet)
	 * reads as revision 0; writing will say why it cannot be created. */
	int ret = hp_read_u64_file(path, rev, err);

	free(path);
	return ret;
}

static int state_write(const char *state_dir, const char *id, uint64_t rev,
		       struct hp_strbuf *err)
{
	char *path = NULL, *text = NULL;
	struct hp_strbuf e2 = HP_STRBUF_INIT;
	int ret = -1;

	if (hp_mkdir_p(state_dir, 0755, &e2) < 0)
		goto fail;
	path = state_path(state_dir, id);
	text = hp_xasprintf("%" PRIu64 "\n", rev);
	if (hp_write_file_atomic(path, text, strlen(text), 0644, &e2) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	hp_error(err, "cannot record the hotpatch metadata revision of '%s' for rollback "
		 "protection: %s", id, e2.buf);
out:
	hp_strbuf_release(&e2);
	free(text);
	free(path);
	return ret;
}

static void unsnapshot_message(struct hp_strbuf *err, size_t from, const char *snap,
			       const char *real);

/* Fetches the http(s) key `url` into <snap>/keys/<n>.asc and imports it;
 * messages name the URL, not the copy. */
static int import_remote_key(struct hp_keyring *kr, const char *snap, size_t n, const char *url,
			     struct hp_strbuf *err)
{
	struct hp_strbuf e2 = HP_STRBUF_INIT;
	char *dir = hp_path_join(snap, "keys"), *name = hp_xasprintf("%zu.asc", n);
	char *path = hp_path_join(dir, name);
	int ret = -1;

	if (hp_mkdir_p(dir, 0700, err) < 0 ||
	    hp_fetch_file(url, path, HP_FETCH_MAX_SMALL, err) < 0)
		goto out;
	if (hp_keyring_import_file(kr, path, &e2) < 0) {
		unsnapshot_message(&e2, 0, path, url);
		hp_error_lines(err, NULL, e2.buf);
		goto out;
	}
	ret = 0;
out:
	hp_strbuf_release(&e2);
	free(path);
	free(name);
	free(dir);
	return ret;
}

static int verify_repomd(struct hp_repo *r, const char *snap, const char *repomd_path,
			 const struct hp_repo_opts *o, struct hp_strbuf *err)
{
	struct hp_verify_result res;
	struct hp_keyring *kr = NULL;
	char *sig_path = hp_xasprintf("%s.asc", repomd_path);
	const char *remote = NULL;
	int imported = 0, ret = -1;

	hp_verify_result_init(&res);
	if (!o->gpgkeys.nr) {
		hp_error(err, "'%s': the repository's signature must be checked but no key to "
			 "trust is configured (gpgkey= in its .repo file, or --gpgkey FILE; "
			 "--nogpgcheck to skip)", r->url);
		goto out;
	}
	kr = hp_keyring_new_ephemeral(err);
	if (!kr)
		goto out;
	for (size_t i = 0; i < o->gpgkeys.nr; i++) {
		const char *k = o->gpgkeys.v[i];

		/* http(s) keys are in o->gpgkeys only when the repository's
		 * configuration names them (see hp_repo_opts); other schemes
		 * are not read (verification fails below if only they could
		 * help). */
		switch (hp_url_kind(k)) {
		case HP_URL_REMOTE:
			if (import_remote_key(kr, snap, i, k, err) < 0)
				goto out;
			break;
		case HP_URL_UNSUPPORTED:
			remote = k;
			continue;
		case HP_URL_LOCAL:
			if (hp_keyring_import_file(kr, k, err) < 0)
				goto out;
			break;
		}
		imported++;
	}
	if (!imported) {
		hp_error(err, "'%s': no local key to verify repomd.xml with (gpgkey '%s' is not a "
			 "local file; use --gpgkey FILE)", r->url, remote);
		goto out;
	}
	if (hp_keyring_verify_file(kr, repomd_path, sig_path, &res, err) < 0)
		goto out;
	r->gpgcheck = 1;
	r->signer = res.fpr;
	res.fpr = NULL;
	ret = 0;
out:
	hp_verify_result_release(&res);
	hp_keyring_free(kr);
	free(sig_path);
	return ret;
}

/* hp_meta_validate's problems as one line. */
static int validate_meta(const struct hp_meta *m, const char *url, const char *file,
			 struct hp_strbuf *err)
{
	struct hp_strbuf problems = HP_STRBUF_INIT;
	int n = hp_meta_validate(m, &problems);
	char *nl;

	if (!n) {
		hp_strbuf_release(&problems);
		return 0;
	}
	nl = strchr(problems.buf, '\n');
	if (nl)
		*nl = '\0';
	if (n > 1)
		hp_error(err, "'%s': invalid hotpatch metadata '%s': %s (and %d more problems)",
			 url, file, problems.buf, n - 1);
	else
		hp_error(err, "'%s': invalid hotpatch metadata '%s': %s", url, file, problems.buf);
	hp_strbuf_release(&problems);
	return -1;
}

/* --- snapshots ---
 * The files are copied once into a private directory and every check and
 * parse reads the copies: the bytes whose signature and checksum were
 * verified are the bytes that are used, even if the repository (a dnf
 * cache being refreshed, a shared mount) changes meanwhile. */

/* hp-repo-<pid>-XXXXXX: removed on a fatal signal, swept by a later run
 * after SIGKILL (hp_tempdir.h). */
static char *snapshot_new(struct hp_strbuf *err)
{
	return hp_tempdir_create("hp-repo-", err);
}

static void snapshot_free(char *dir)
{
	hp_tempdir_remove(dir);
}

/* Creates the directory that will hold the snapshot file `path` (0700). */
static int make_parent(const char *path, struct hp_strbuf *err)
{
	char *dir = hp_xstrdup(path), *slash = strrchr(dir, '/');
	int ret = 0;

	if (slash) {
		*slash = '\0';
		ret = hp_mkdir_p(dir, 0700, err);
	}
	free(dir);
	return ret;
}

/* Copies <src>/<rel> to <snap>/<rel>; a missing source is only an error
 * when !optional. `rel` must not leave the directory (checked by callers).
 * Regular files only, at most `max` bytes: the caps of remote fetches. */
static int snapshot_copy(const char *src, const char *snap, const char *rel, int optional,
			 uint64_t max, struct hp_strbuf *err)
{
	struct hp_strbuf buf = HP_STRBUF_INIT;
	char *from = hp_path_join(src, rel), *to = hp_path_join(snap, rel);
	struct stat st;
	int ret = -1;

	if (optional && lstat(from, &st) < 0 && errno == ENOENT) {
		ret = 0;
		goto out;
	}
	if (hp_read_file_max(from, (size_t)max, &buf, err) < 0 || make_parent(to, err) < 0 ||
	    hp_write_file_atomic(to, buf.buf, buf.len, 0600, err) < 0)
		goto out;
	ret = 0;
out:
	hp_strbuf_release(&buf);
	free(to);
	free(from);
	return ret;
}

/* <repo>/<rel> into <snap>/<rel>: copied when local, fetched (at most
 * `max` bytes) when remote. A missing local file is only an error when
 * !optional; remote callers ask only for the files they need. */
static int snapshot_get(const struct hp_repo *r, const char *snap, const char *rel, int optional,
			uint64_t max, struct hp_strbuf *err)
{
	char *url, *to;
	int ret = -1;

	if (!r->remote)
		return snapshot_copy(r->dir, snap, rel, optional, max, err);
	url = hp_xasprintf("%s/%s", r->dir, rel);
	to = hp_path_join(snap, rel);
	if (make_parent(to, err) < 0 || hp_fetch_file(url, to, max, err) < 0)
		goto out;
	ret = 0;
out:
	free(to);
	free(url);
	return ret;
}

/* Messages about the copies name the repository's files instead. */
static void unsnapshot_message(struct hp_strbuf *err, size_t from, const char *snap,
			       const char *real)
{
	struct hp_strbuf out = HP_STRBUF_INIT;
	size_t n = strlen(snap);
	const char *p, *q;

	if (!err || err->len <= from)
		return;
	hp_strbuf_add(&out, err->buf, from);
	for (p = err->buf + from; (q = strstr(p, snap)); p = q + n) {
		hp_strbuf_add(&out, p, (size_t)(q - p));
		hp_strbuf_adds(&out, real);
	}
	hp_strbuf_adds(&out, p);
	hp_strbuf_release(err);
	*err = out;
}

static int is_repo(const char *dir)
{
	char *p = hp_path_join(dir, "repodata/repomd.xml");
	struct stat st;
	int ok = stat(p, &st) == 0 || errno != ENOENT;

	free(p);
	return ok;
}

/* The cache key of a repomd.xml record: its checksum, which the verified
 * repomd.xml vouches for. NULL (no caching) without one. */
static char *cache_key(const struct hp_repomd_entry *e)
{
	if (!e->checksum_type || !e->checksum || !*e->checksum_type || !*e->checksum)
		return NULL;
	return hp_xasprintf("%s:%s", e->checksum_type, e->checksum);
}

/* The `updateinfo` record, read the way the hotpatch record is: location
 * checked, copied into the snapshot, checksum against the (verified)
 * repomd.xml, then parsed from the copy -- or its reboot list taken from
 * the cache under that checksum. No record: nothing to read. */
static int load_updateinfo(struct hp_repo *tmp, const char *snap, const struct hp_repomd *md,
			   const struct hp_repo_opts *o, char **put_key, struct hp_strbuf *err)
{
	const struct hp_repomd_entry *e = hp_repomd_find(md, "updateinfo");
	char *path = NULL, *key = NULL;
	int ret = -1;

	if (!e)
		return 0;
	if (hp_repomd_check_location(tmp->dir, e, err) < 0)
		goto out;
	key = cache_key(e);
	/* updateinfo is the biggest file a check reads (11,870 advisories,
	 * 1.7 MB gz at 60,000 packages): only its reboot list is kept. */
	if (hp_cache_reboot_get(o->cache, tmp->id, key, &tmp->reboot)) {
		tmp->has_updateinfo = 1;
		ret = 0;
		goto out;
	}
	if (snapshot_get(tmp, snap, e->location, 0, HP_FETCH_MAX_DATA, err) < 0 ||
	    hp_repomd_check_entry(snap, e, err) < 0)
		goto out;
	path = hp_path_join(snap, e->location);
	if (hp_updateinfo_reboot_pkgs(path, &tmp->reboot, err) < 0)
		goto out;
	tmp->has_updateinfo = 1;
	*put_key = key;   /* cached once the whole repository is accepted */
	key = NULL;
	ret = 0;
out:
	free(key);
	free(path);
	return ret;
}

/* The rollback record of a verified repository whose record names itself:
 * "signed-<fingerprint>-<name>", malloc'd; NULL otherwise (then only the
 * record of its id counts). */
static char *signed_state_id(const struct hp_repo *r)
{
	if (!r->gpgcheck || !r->signer || !r->meta.repo)
		return NULL;
	return hp_xasprintf("signed-%s-%s", r->signer, r->meta.repo);
}

/* repomd.xml (and its signature) into the snapshot, verified when a
 * signature is required, and read into `md`. */
static int load_repomd(struct hp_repo *tmp, const char *snap, const struct hp_repo_opts *o,
		       int verify, struct hp_repomd *md, struct hp_strbuf *err)
{
	char *repomd_path = hp_path_join(snap, "repodata/repomd.xml");
	int ret = -1;

	if (!tmp->remote && !is_repo(tmp->dir)) {
		hp_error(err, "'%s': not a repository (no repodata/repomd.xml in '%s')", tmp->url,
			 tmp->dir);
		goto out;
	}
	/* A remote signature is fetched only when it is checked: its
	 * absence is then the error, with the server's reason. */
	if (snapshot_get(tmp, snap, "repodata/repomd.xml", 0, HP_FETCH_MAX_REPOMD, err) < 0 ||
	    (o->repomd_check && o->repomd_check(repomd_path, o->repomd_check_data, err) < 0) ||
	    ((!tmp->remote || verify) &&
	     snapshot_get(tmp, snap, "repodata/repomd.xml.asc", 1, HP_FETCH_MAX_SMALL, err) < 0))
		goto out;
	/* The signature first: nothing unauthenticated is parsed when one
	 * is required. */
	if (verify && verify_repomd(tmp, snap, repomd_path, o, err) < 0)
		goto out;
	ret = hp_repomd_read(md, repomd_path, err);
out:
	free(repomd_path);
	return ret;
}

/* The hotpatch record `e` names into tmp->meta. The checksum in the
 * verified repomd.xml names the document: one that was parsed and validated
 * before comes from the cache (not parsed again, nor fetched when remote);
 * otherwise *put_meta says it is to be cached once the repository is
 * accepted. */
static int load_record(struct hp_repo *tmp, const char *snap, const struct hp_repo_opts *o,
		       const struct hp_repomd_entry *e, const char *key, int *put_meta,
		       struct hp_strbuf *err)
{
	char *meta_path;
	int ret = -1;

	/* Where the record points is checked before anything is read. */
	if (hp_repomd_check_location(tmp->dir, e, err) < 0)
		return -1;
	if (hp_cache_meta_get(o->cache, tmp->id, key, &tmp->meta))
		return 0;
	if (snapshot_get(tmp, snap, e->location, 0, HP_FETCH_MAX_DATA, err) < 0 ||
	    hp_repomd_check_entry(snap, e, err) < 0)
		return -1;
	meta_path = hp_path_join(snap, e->location);
	if (hp_meta_read_file(&tmp->meta, meta_path, err) < 0 ||
	    validate_meta(&tmp->meta, tmp->url, meta_path, err) < 0)
		goto out;
	*put_meta = 1;
	ret = 0;
out:
	free(meta_path);
	return ret;
}

/* Expiry and rollback of the record just read, against the highest
 * revision seen before (`last`, keyed by repo id), then the new high-water
 * marks written. */
static int check_fresh(struct hp_repo *tmp, const struct hp_repo_opts *o, uint64_t last,
		       struct hp_strbuf *err)
{
	char *signed_id = NULL;
	uint64_t last_signed = 0;
	int ret = -1;

	if (tmp->meta.expires && tmp->meta.expires < (int64_t)hp_now()) {
		char day[11];

		hp_format_date((time_t)tmp->meta.expires, day);
		return hp_error(err, "'%s': hotpatch metadata expired on %s (revision %" PRIu64
				"); the mirror is stale or frozen", tmp->url, day,
				tmp->meta.revision);
	}
	/* Keyed by what the signed record says, not how the URL is spelled
	 * (issue 11): the signer and the repository name it published. */
	signed_id = signed_state_id(tmp);
	if (o->state_dir && signed_id &&
	    hp_repo_state_read(o->state_dir, signed_id, &last_signed, err) < 0)
		goto out;
	if (last_signed > last)
		last = last_signed;
	if (tmp->meta.revision < last) {
		hp_error(err, "'%s': hotpatch metadata revision %" PRIu64 " is older than revision "
			 "%" PRIu64 " seen before (rollback refused)", tmp->url, tmp->meta.revision,
			 last);
		goto out;
	}
	if (o->state_dir && (tmp->meta.revision > last || !last) &&
	    (state_write(o->state_dir, tmp->id, tmp->meta.revision, err) < 0 ||
	     (signed_id && state_write(o->state_dir, signed_id, tmp->meta.revision, err) < 0)))
		goto out;
	ret = 0;
out:
	free(signed_id);
	return ret;
}

static int load_snapshot(struct hp_repo *tmp, const char *snap, const struct hp_repo_opts *o,
			 int gpgcheck_required, struct hp_strbuf *err)
{
	struct hp_repomd md;
	const struct hp_repomd_entry *e;
	char *key = NULL, *reboot_key = NULL;
	uint64_t last = 0;
	int verify = gpgcheck_required && !o->nogpgcheck, put_meta = 0, ret = -1;

	hp_repomd_init(&md);
	if (load_repomd(tmp, snap, o, verify, &md, err) < 0)
		goto out;
	if (o->state_dir && hp_repo_state_read(o->state_dir, tmp->id, &last, err) < 0)
		goto out;
	/* Asked for only (check --updateinfo): check stays fast by default. */
	if (o->updateinfo && load_updateinfo(tmp, snap, &md, o, &reboot_key, err) < 0)
		goto out;

	e = hp_repomd_find(&md, HP_META_REPODATA_TYPE);
	if (!e) {
		/* A repository that published revision M before and now has
		 * none is what replaying an old repomd.xml looks like. */
		if (last) {
			hp_error(err, "'%s': repository has no hotpatch metadata although revision "
				 "%" PRIu64 " was seen before (rollback refused)", tmp->url, last);
			goto out;
		}
		ret = 0;
		goto out;
	}
	key = cache_key(e);
	if (load_record(tmp, snap, o, e, key, &put_meta, err) < 0 ||
	    check_fresh(tmp, o, last, err) < 0)
		goto out;
	tmp->has_meta = 1;
	/* Cached only once everything was accepted: a refused repository
	 * leaves no trace. */
	if (put_meta)
		hp_cache_meta_put(o->cache, tmp->id, key, &tmp->meta);
	ret = 0;
out:
	if (!ret && reboot_key)
		hp_cache_reboot_put(o->cache, tmp->id, reboot_key, &tmp->reboot);
	free(reboot_key);
	hp_repomd_release(&md);
	free(key);
	return ret;
}

/* Sets tmp->dir (and tmp->remote) from `url`, or says why it cannot be read. */
static int locate(struct hp_repo *tmp, const char *url, struct hp_strbuf *err)
{
	size_t n;

	switch (hp_url_kind(url)) {
	case HP_URL_UNSUPPORTED:
		return hp_error(err, "'%s': unsupported URL scheme (repositories are read from "
				"paths, file://, http:// and https:// URLs)", tmp->url);
	case HP_URL_REMOTE:
		/* Substituting them means knowing the release and arch the
		 * way dnf does; a wrong guess would read another repo. */
		if (hp_url_has_vars(url))
			return hp_error(err, "'%s': dnf variables ($releasever, $basearch, ...) in "
					"repository URLs are not substituted; give the URL with "
					"them expanded", tmp->url);
		n = strlen(url);
		while (n && url[n - 1] == '/')
			n--;
		tmp->dir = hp_xstrndup(url, n);
		tmp->remote = 1;
		return 0;
	case HP_URL_LOCAL:
		break;
	}
	return resolve_dir(url, &tmp->dir, err);
}

int hp_repo_load(struct hp_repo *r, const char *id, const char *path_or_url,
		 const struct hp_repo_opts *o, int gpgcheck_required, struct hp_strbuf *err)
{
	struct hp_repo tmp;
	char *snap = NULL, *shown_dir = NULL;
	size_t err_from = err ? err->len : 0;
	int ret = -1;

	hp_repo_init(&tmp);
	hp_repo_release(r);
	/* Credentials in the URL are used to fetch, never shown nor used in
	 * state or cache names (issue 11). */
	tmp.url = hp_url_redact(path_or_url);
	if (locate(&tmp, path_or_url, err) < 0)
		goto out;
	shown_dir = hp_url_redact(tmp.dir);
	if (id)
		tmp.id = hp_xstrdup(id);
	else if (tmp.remote)
		tmp.id = sanitize_id(strstr(shown_dir, "://") + 3);
	else
		tmp.id = sanitize_id(tmp.dir);
	snap = snapshot_new(err);
	if (!snap)
		goto out;
	ret = load_snapshot(&tmp, snap, o, gpgcheck_required, err);
	if (ret < 0)
		unsnapshot_message(err, err_from, snap, shown_dir);
out:
	if (!ret) {
		*r = tmp;
	} else {
		hp_repo_release(&tmp);
	}
	snapshot_free(snap);
	free(shown_dir);
	return ret;
}

/* --- every repository the client reads --- */

static struct hp_repo *repo_slot(struct hp_repo **repos, size_t nr, size_t *alloc)
{
	struct hp_repo *r;

	HP_ALLOC_GROW(*repos, nr + 1, *alloc);
	r = &(*repos)[nr];
	hp_repo_init(r);
	return r;
}

void hp_repo_results_release(struct hp_repo_results *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		free(r->v[i].id);
		free(r->v[i].url);
		free(r->v[i].error);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

size_t hp_repo_results_refused(const struct hp_repo_results *r)
{
	size_t n = 0;

	for (size_t i = 0; r && i < r->nr; i++)
		n += r->v[i].error && !r->v[i].skipped;
	return n;
}

static void result_add(struct hp_repo_results *res, const char *id, const char *url,
		       const char *error, int skipped)
{
	struct hp_repo_result *x;

	if (!res)
		return;
	HP_ALLOC_GROW(res->v, res->nr + 1, res->alloc);
	x = &res->v[res->nr++];
	/* Credentials in a URL are never echoed (issue 11). */
	x->id = id ? hp_xstrdup(id) : hp_url_redact(url);
	x->url = hp_url_redact(url);
	x->error = NULL;
	if (error) {
		/* one line: the stderr report and the JSON entry are line-based */
		x->error = hp_xstrdup(*error ? error : "cannot be read");
		for (char *p = x->error; *p; p++)
			if (*p == '\n')
				*p = ' ';
	}
	x->skipped = skipped;
}

/* After hp_repo_load*(r, ...) returned `rc`: records the result and counts
 * the repository in. A refused one fails the load (-1, err kept) unless it
 * is skipped (skip_if_unavailable, a note) or o->keep_going (recorded, err
 * cleared); then the next repository is read. */
static int repo_loaded(const struct hp_repos_opts *o, struct hp_repo *r, size_t *nr,
		       const char *id, const char *url, int skip, int rc,
		       struct hp_strvec *messages, struct hp_strbuf *err)
{
	if (!rc) {
		result_add(o->results, r->id, url, NULL, 0);
		(*nr)++;
		return 0;
	}
	hp_repo_release(r);
	if (skip) {
		hp_strvec_pushf(messages, "skipped (skip_if_unavailable=True): %s",
				err->len ? err->buf : id);
		result_add(o->results, id, url, err->buf ? err->buf : "", 1);
	} else if (o->keep_going) {
		result_add(o->results, id, url, err->buf ? err->buf : "", 0);
	} else {
		return -1;
	}
	hp_strbuf_reset(err);
	return 0;
}

static const char *conf_url(const struct hp_repo_conf *c)
{
	return c->baseurl ? c->baseurl : c->metalink ? c->metalink : c->mirrorlist;
}

/* The configured repositories (dnf's configuration under o->root). */
static int load_configured(const struct hp_repos_opts *o, const struct hp_repo_opts *ro,
			   struct hp_repo **repos, size_t *nr, size_t *alloc,
			   struct hp_strvec *messages, struct hp_strbuf *err)
{
	struct hp_repo_conf *confs = NULL;
	size_t nr_confs = 0;
	struct hp_dnf_main dnf_main;
	struct hp_dnfvars vars;
	int ret = -1;

	hp_dnf_main_init(&dnf_main);
	hp_dnfvars_init(&vars);
	if (hp_dnf_conf_read(o->root, &dnf_main, &confs, &nr_confs, err))
		goto out;
	{
		struct hp_dnfvars_opts vo = { o->root, o->dbpath, o->releasever,
					      dnf_main.releasever };

		hp_dnfvars_load(&vars, &vo);
	}
	for (size_t i = 0; i < nr_confs; i++) {
		struct hp_repo_conf *c = &confs[i];
		struct hp_repo_opts co;
		struct hp_repo *r;
		int rc;

		if (!c->enabled)
			continue;
		hp_dnfconf_expand(c, &vars);
		/* The repo's own keys are trusted for it, plus --gpgkey. */
		hp_repo_opts_init(&co);
		co.root = ro->root;
		co.state_dir = ro->state_dir;
		co.cache = ro->cache;
		co.nogpgcheck = ro->nogpgcheck;
		co.updateinfo = ro->updateinfo;
		for (size_t k = 0; k < ro->gpgkeys.nr; k++)
			hp_strvec_push(&co.gpgkeys, ro->gpgkeys.v[k]);
		for (size_t k = 0; k < c->gpgkeys.nr; k++)
			hp_strvec_push(&co.gpgkeys, c->gpgkeys.v[k]);
		r = repo_slot(repos, *nr, alloc);
		rc = hp_repo_load_conf(r, c, &co, &vars, err);
		hp_repo_opts_release(&co);
		if (!rc)
			hp_repo_filter_pkgs(r, c, &dnf_main);
		if (repo_loaded(o, r, nr, c->id, conf_url(c), c->skip_if_unavailable > 0, rc,
				messages, err))
			goto out;
	}
	ret = 0;
out:
	hp_repo_conf_free(confs, nr_confs);
	hp_dnfvars_release(&vars);
	hp_dnf_main_release(&dnf_main);
	return ret;
}

int hp_repos_load(const struct hp_repos_opts *o, struct hp_repo **repos, size_t *nr,
		  struct hp_strvec *messages, struct hp_strbuf *err)
{
	struct hp_repo_opts ro;
	size_t alloc = *nr;
	char *state_dir = o->root && *o->root && strcmp(o->root, "/") ?
			  hp_path_join(o->root, HP_REPO_STATE_SUBDIR) : hp_xstrdup(HP_REPO_STATE_SUBDIR);
	int ret = -1;

	hp_repo_opts_init(&ro);
	/* Keys are fetched only when a repository's own configuration names
	 * them (as dnf does); --gpgkey is a local file. */
	for (size_t i = 0; o->gpgkeys && i < o->gpgkeys->nr; i++) {
		if (hp_url_kind(o->gpgkeys->v[i]) != HP_URL_LOCAL) {
			hp_error(err, "--gpgkey '%s': not a local file (give its path; keys named by "
				 "a repository's gpgkey= are fetched for that repository)",
				 o->gpgkeys->v[i]);
			goto out;
		}
	}
	ro.root = o->root;
	ro.state_dir = state_dir;
	ro.cache = o->cache;
	ro.nogpgcheck = o->nogpgcheck;
	ro.updateinfo = o->updateinfo;
	for (size_t i = 0; o->gpgkeys && i < o->gpgkeys->nr; i++)
		hp_strvec_push(&ro.gpgkeys, o->gpgkeys->v[i]);

	if ((o->urls && o->urls->nr) || (o->urls_nogpgcheck && o->urls_nogpgcheck->nr)) {
		for (int unsigned_ = 0; unsigned_ < 2; unsigned_++) {
			const struct hp_strvec *urls = unsigned_ ? o->urls_nogpgcheck : o->urls;

			for (size_t i = 0; urls && i < urls->nr; i++) {
				struct hp_repo *r = repo_slot(repos, *nr, &alloc);
				int rc = hp_repo_load(r, NULL, urls->v[i], &ro, !unsigned_, err);

				if (repo_loaded(o, r, nr, NULL, urls->v[i], 0, rc, messages, err))
					goto out;
			}
		}
	} else if (load_configured(o, &ro, repos, nr, &alloc, messages, err)) {
		goto out;
	}
	ret = 0;
out:
	hp_repo_opts_release(&ro);
	free(state_dir);
	return ret;
}
