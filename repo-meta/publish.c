/* publish / verify / list of a repository's `hotpatch` record.
 *
 * publish never leaves a half-published repository: every package is scanned
 * and linted, the record is built and validated, and the signing key is
 * tried, all before the first byte is written below REPO. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp_publish.h"
#include "hp_repomd.h"
#include "hp_sign.h"

void hp_publish_result_release(struct hp_publish_result *r)
{
	free(r->location);
	hp_strvec_release(&r->refused);
	memset(r, 0, sizeof(*r));
	hp_strvec_init(&r->refused);
}

void hp_verify_report_init(struct hp_verify_report *r)
{
	memset(r, 0, sizeof(*r));
	hp_strvec_init(&r->problems);
}

void hp_verify_report_release(struct hp_verify_report *r)
{
	free(r->signed_by);
	hp_strvec_release(&r->problems);
	hp_verify_report_init(r);
}

/* "name-[e:]v-r.arch" with a zero epoch omitted, as updateinfo is indexed. */
static char *nevra_key(const struct hp_pkghdr *h)
{
	int epoch = h->epoch && strcmp(h->epoch, "0");

	return hp_xasprintf("%s-%s%s%s-%s.%s", h->name, epoch ? h->epoch : "", epoch ? ":" : "",
			    h->version, h->release, h->arch);
}

/* Gathers the facts about one hotpatch package; errors that make it
 * impossible to judge the package at all go to `problems`. */
static int scan_candidate(struct hp_reposcan *rs, struct hp_scan_cache *sc,
			  const struct hp_repo_pkg *rp, struct hp_candidate *c,
			  struct hp_strbuf *problems)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *path = NULL;
	char *component = NULL, *build = NULL, *engine = NULL;
	char *key;
	int ret = -1;

	/* primary is input too: the package must lie inside the repository */
	if (!rp->location || rp->location[0] == '/' || !strncmp(rp->location, "../", 3) ||
	    strstr(rp->location, "/../")) {
		if (problems->len)
			hp_strbuf_adds(problems, "\n");
		hp_strbuf_addf(problems, "%s-%s.%s: package location '%s' is outside the repository",
			       rp->name, rp->evr, rp->arch, rp->location ? rp->location : "");
		goto out;
	}
	path = hp_path_join(rs->repodir, rp->location);
	c->location = hp_xstrdup(rp->location);
	c->pkgid = hp_xstrdup(rp->pkgid);
	if (!hp_scan_cache_get(sc, rp->pkgid, path, c))
		goto derive;
	if (hp_pkghdr_read(&c->hdr, path, &err)) {
		if (problems->len)
			hp_strbuf_adds(problems, "\n");
		hp_strbuf_addf(problems, "%s-%s.%s: %s", rp->name, rp->evr, rp->arch, err.buf);
		goto out;
	}
	if (hp_payload_read(&c->payload, path, &err)) {
		c->payload_error = hp_strbuf_detach(&err);
		hp_strbuf_init(&err);
	}
	hp_scan_cache_put(sc, rp->pkgid, path, c);
derive:
	hp_candidate_target(&c->hdr, &component, &build, &engine);
	if (component && build && engine && (!strcmp(engine, "klp") || !strcmp(engine, "kpatch")) &&
	    hp_reposcan_kernel_release(rs, component, build, &c->kernel_release, &err)) {
		c->kernel_release_error = hp_strbuf_detach(&err);
		hp_strbuf_init(&err);
	}
	key = nevra_key(&c->hdr);
	c->adv = hp_reposcan_advisories(rs, key);
	free(key);
	ret = 0;
out:
	free(component);
	free(build);
	free(engine);
	hp_strbuf_release(&err);
	free(path);
	return ret;
}

/* The revision of the currently published record, 0 when there is none. */
static uint64_t published_revision(const char *repodir)
{
	struct hp_meta m;
	struct hp_strbuf err = HP_STRBUF_INIT;
	uint64_t rev = 0;

	hp_meta_init(&m);
	if (!hp_repo_read_published(repodir, &m, &err))
		rev = m.revision;
	hp_meta_release(&m);
	hp_strbuf_release(&err);
	return rev;
}

static int last_revision(const char *repodir, uint64_t *out, struct hp_strbuf *err)
{
	char *path = hp_xasprintf("%s/%s/revision", repodir, HP_REPO_STATE_DIR);
	int ret = hp_read_u64_file(path, out, err);

	free(path);
	return ret;
}

/* Signs a throwaway file with the key first, so that a missing or unusable
 * key refuses the publish before the repository is touched. */
static int try_key(const struct hp_publish_opts *o, struct hp_strbuf *err)
{
	char dir[] = "/tmp/hotpatch-repo-sign.XXXXXX";
	char *file, *sig;
	int ret;

	if (!mkdtemp(dir))
		return hp_error_errno(err, errno, "cannot create a temporary directory in /tmp");
	file = hp_path_join(dir, "probe");
	sig = hp_path_join(dir, "probe.asc");
	ret = hp_write_file_atomic(file, "probe\n", 6, 0600, err);
	if (!ret)
		ret = hp_sign_file(file, sig, o->sign_key, o->gnupg_home, err);
	unlink(sig);
	unlink(file);
	rmdir(dir);
	free(file);
	free(sig);
	return ret;
}

/* max(last published, record in repomd.xml): the revision the next
 * publish must exceed. */
static int current_revision(const char *repodir, uint64_t *rev, struct hp_strbuf *err)
{
	uint64_t prev;

	if (last_revision(repodir, rev, err))
		return -1;
	prev = published_revision(repodir);
	if (prev > *rev)
		*rev = prev;
	if (*rev == UINT64_MAX)
		return hp_error(err, "'%s': revision %" PRIu64 " is the largest there is; "
				"cannot publish past it", repodir, *rev);
	return 0;
}

/* Scans and lints every hotpatch package into `m`; problems of packages
 * left out go to `problems`, or with keep_going to `refused`. */
static void lint_all(struct hp_reposcan *rs, struct hp_scan_cache *sc, struct hp_meta *m,
		     int keep_going, struct hp_strbuf *problems, struct hp_strvec *refused)
{
	struct hp_strbuf one = HP_STRBUF_INIT;

	for (size_t i = 0; i < rs->nr_hotpatches; i++) {
		struct hp_candidate c;
		struct hp_hotpatch h;

		hp_candidate_init(&c);
		hp_hotpatch_init(&h);
		hp_strbuf_reset(&one);
		if (!scan_candidate(rs, sc, &rs->hotpatches[i], &c, &one) &&
		    !hp_publish_lint(&c, m, &h, &one))
			hp_meta_add_hotpatch(m, &h);
		if (one.len && keep_going) {
			for (char *l = one.buf, *nl; l && *l; l = nl ? nl + 1 : NULL) {
				nl = strchr(l, '\n');
				hp_strvec_push_nodup(refused, nl ? hp_xstrndup(l, (size_t)(nl - l)) :
						     hp_xstrdup(l));
			}
		} else if (one.len) {
			if (problems->len)
				hp_strbuf_adds(problems, "\n");
			hp_strbuf_add(problems, one.buf, one.len);
		}
		hp_hotpatch_release(&h);
		hp_candidate_release(&c);
	}
	hp_strbuf_release(&one);
}

/* The writing half, with the lock held and `st` open: the record,
 * repomd.xml and its signature are staged, the operator state is saved,
 * and the staged repodata/ is swapped in. */
static int write_locked(const char *repodir, const struct hp_publish_opts *o, struct hp_meta *m,
			struct hp_scan_cache *sc, struct hp_stage *st,
			struct hp_publish_result *res, struct hp_strbuf *err)
{
	char *tmp = NULL, *repomd = NULL, *asc = NULL, *revpath = NULL;
	char revbuf[32];
	uint64_t rev;
	int ret = -1;

	/* Again under the lock: another publish may have run since. */
	if (current_revision(repodir, &rev, err))
		goto out;
	m->revision = rev + 1;
	tmp = hp_path_join(st->repodata, "hotpatch.xml.gz");
	if (hp_meta_write_file_gz(m, tmp, err) ||
	    hp_repomd_set_record(st->root, HP_META_REPODATA_TYPE, tmp, err))
		goto out;
	if (o->sign_key) {
		repomd = hp_path_join(st->repodata, "repomd.xml");
		asc = hp_xasprintf("%s.asc", repomd);
		if (hp_sign_file(repomd, asc, o->sign_key, o->gnupg_home, err))
			goto out;
		res->is_signed = 1;
	}
	/* The state first: a kill after it and before the swap only skips a
	 * revision number, never reuses one. */
	revpath = hp_xasprintf("%s/%s/revision", repodir, HP_REPO_STATE_DIR);
	snprintf(revbuf, sizeof(revbuf), "%" PRIu64 "\n", m->revision);
	if (hp_write_file_atomic(revpath, revbuf, strlen(revbuf), 0644, err) ||
	    hp_scan_cache_save(sc, repodir, err) ||
	    hp_stage_commit(st, err))
		goto out;
	ret = 0;
out:
	free(tmp);
	free(repomd);
	free(asc);
	free(revpath);
	return ret;
}

/* Takes the lock and opens a stage holding the live repodata/ (with
 * createrepo: regenerated from the packages). */
static int lock_and_stage(const char *repodir, const struct hp_publish_opts *o, int *lock,
			  struct hp_stage *st, struct hp_strbuf *err)
{
	if ((*lock = hp_repo_lock(repodir, o->lock_wait, err)) < 0 ||
	    hp_stage_cleanup(repodir, err))
		return -1;
	if (hp_stage_open(st, repodir, 1, err))
		return -1;
	return o->createrepo ? hp_createrepo_stage(repodir, st->root, err) : 0;
}

int hp_publish(const char *repodir, const struct hp_publish_opts *o,
	       struct hp_publish_result *res, struct hp_strbuf *err)
{
	struct hp_reposcan rs;
	struct hp_scan_cache sc;
	struct hp_meta m;
	struct hp_stage st;
	struct hp_strbuf problems = HP_STRBUF_INIT;
	struct hp_repomd md;
	const struct hp_repomd_entry *e;
	char *repomd = NULL;
	uint64_t rev;
	int lock = -1, ret = -1;
	struct stat sb;

	hp_reposcan_init(&rs);
	hp_scan_cache_init(&sc);
	hp_meta_init(&m);
	hp_repomd_init(&md);
	hp_stage_init(&st);
	memset(res, 0, sizeof(*res));
	hp_strvec_init(&res->refused);
	hp_scan_cache_load(&sc, repodir);
	if (o->createrepo) {
		/* The packages are judged by the metadata about to be
		 * published, so createrepo runs first, under the lock. */
		if (stat(repodir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			hp_error(err, "'%s': not a directory", repodir);
			goto out;
		}
		if (lock_and_stage(repodir, o, &lock, &st, err) ||
		    hp_reposcan_open(&rs, st.root, err))
			goto out;
		/* metadata from the stage, packages from REPO */
		free(rs.repodir);
		rs.repodir = hp_xstrdup(repodir);
	} else if (hp_reposcan_open(&rs, repodir, err)) {
		goto out;
	}
	if (hp_baselines_load(&m, repodir, err))
		goto out;
	lint_all(&rs, &sc, &m, o->keep_going, &problems, &res->refused);
	if (problems.len) {
		hp_strbuf_adds(err, problems.buf);
		goto out;
	}
	/* Everything that can refuse is checked before a plain publish takes
	 * the lock, so that a refused publish leaves the repository
	 * byte-identical. */
	if (current_revision(repodir, &rev, err))
		goto out;
	m.format = HP_META_FORMAT_VERSION;
	m.revision = rev + 1;
	m.generated = (int64_t)hp_now();
	m.expires = m.generated + (int64_t)o->expires_days * 86400;
	if (hp_meta_validate(&m, &problems)) {
		/* One line per problem, each naming the repository. */
		char *prefix = hp_xasprintf("'%s': invalid hotpatch metadata: ", repodir);

		hp_error_lines(err, prefix, problems.buf);
		free(prefix);
		goto out;
	}
	if (o->sign_key && try_key(o, err))
		goto out;

	/* From here on the repository changes. */
	if ((!o->createrepo && lock_and_stage(repodir, o, &lock, &st, err)) ||
	    write_locked(repodir, o, &m, &sc, &st, res, err))
		goto out;
	repomd = hp_xasprintf("%s/repodata/repomd.xml", repodir);
	if (!hp_repomd_read(&md, repomd, err) && (e = hp_repomd_find(&md, HP_META_REPODATA_TYPE)))
		res->location = hp_xstrdup(e->location);
	hp_strbuf_reset(err);
	res->nr_cached = sc.hits;
	res->revision = m.revision;
	res->nr_baselines = m.nr_baselines;
	res->nr_hotpatches = m.nr_hotpatches;
	ret = 0;
out:
	hp_stage_release(&st);
	hp_repo_unlock(lock);
	hp_reposcan_release(&rs);
	hp_scan_cache_release(&sc);
	hp_meta_release(&m);
	hp_repomd_release(&md);
	hp_strbuf_release(&problems);
	free(repomd);
	return ret;
}

int hp_repo_read_published(const char *repodir, struct hp_meta *m, struct hp_strbuf *err)
{
	struct hp_repomd md;
	const struct hp_repomd_entry *e;
	char *repomd = hp_xasprintf("%s/repodata/repomd.xml", repodir);
	char *path = NULL;
	struct stat st;
	int ret = -1;

	hp_repomd_init(&md);
	if (stat(repomd, &st)) {
		hp_error(err, "'%s': not a repository (no repodata/repomd.xml); run createrepo_c first",
			 repodir);
		goto out;
	}
	if (hp_repomd_read(&md, repomd, err))
		goto out;
	if (!(e = hp_repomd_find(&md, HP_META_REPODATA_TYPE))) {
		hp_error(err, "'%s': no hotpatch record in repomd.xml; run 'hotpatch-repo publish'",
			 repomd);
		goto out;
	}
	path = hp_path_join(repodir, e->location);
	ret = hp_meta_read_file(m, path, err);
out:
	hp_repomd_release(&md);
	free(repomd);
	free(path);
	return ret;
}

static void add_problems(struct hp_verify_report *r, const char *lines)
{
	const char *p = lines;

	while (p && *p) {
		size_t n = strcspn(p, "\n");

		if (n)
			hp_strvec_push_nodup(&r->problems, hp_xstrndup(p, n));
		p += n;
		if (*p)
			p++;
	}
}

/* After a signature that does not verify, nothing in repomd.xml is the
 * operator's, so verify stops there -- but the usual cause is worth naming
 * on the same line: createrepo_c (--update) rewrote repomd.xml, dropping
 * the hotpatch record and leaving the old signature (DESIGN.md). */
static void stale_signature_hint(const char *repomd, struct hp_strbuf *err)
{
	struct hp_strbuf ignored = HP_STRBUF_INIT;
	struct hp_repomd md;

	hp_repomd_init(&md);
	if (!hp_repomd_read(&md, repomd, &ignored) && !hp_repomd_find(&md, HP_META_REPODATA_TYPE))
		hp_strbuf_adds(err, "; and no hotpatch record in repomd.xml: was it rewritten by "
			       "createrepo_c? run 'hotpatch-repo publish'");
	hp_repomd_release(&md);
	hp_strbuf_release(&ignored);
}

int hp_repo_verify(const char *repodir, const char *gnupg_home, struct hp_verify_report *r)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_strbuf problems = HP_STRBUF_INIT;
	struct hp_repomd md;
	const struct hp_repomd_entry *e;
	struct hp_keyring *kr = NULL;
	struct hp_verify_result vr;
	struct hp_meta m;
	char *repomd = hp_xasprintf("%s/repodata/repomd.xml", repodir);
	char *asc = hp_xasprintf("%s.asc", repomd);
	char *path = NULL;
	struct stat st;

	hp_repomd_init(&md);
	hp_meta_init(&m);
	hp_verify_result_init(&vr);
	if (stat(repomd, &st)) {
		hp_error(&err, "'%s': not a repository (no repodata/repomd.xml); run createrepo_c first",
			 repodir);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			hp_error_errno(&err, EISDIR, "cannot read '%s'", repomd);
		else
			hp_error(&err, "cannot read '%s': not a regular file", repomd);
		goto out;
	}
	/* Unsigned metadata is reported and still checked (the operator wants
	 * every problem), but a signature that does not verify makes the rest
	 * meaningless: the bytes are not the operator's, so stop there. */
	if (stat(asc, &st)) {
		hp_error(&err, "'%s': not signed (no repomd.xml.asc)", repomd);
	} else {
		if (!(kr = hp_keyring_open(gnupg_home, &err)))
			goto out;
		if (hp_keyring_verify_file(kr, repomd, asc, &vr, &err)) {
			stale_signature_hint(repomd, &err);
			goto out;
		}
		r->is_signed = 1;
		r->signed_by = vr.uid ? hp_xasprintf("%s (%s)", vr.uid, vr.fpr) :
			hp_xstrdup(vr.fpr);
	}
	if (hp_repomd_read(&md, repomd, &err))
		goto out;
	if (!(e = hp_repomd_find(&md, HP_META_REPODATA_TYPE))) {
		hp_error(&err, "'%s': no hotpatch record in repomd.xml; run 'hotpatch-repo publish'",
			 repomd);
		goto out;
	}
	if (hp_repomd_check_entry(repodir, e, &err))
		goto out;
	path = hp_path_join(repodir, e->location);
	if (hp_meta_read_file(&m, path, &err))
		goto out;
	r->revision = m.revision;
	r->expires = m.expires;
	r->nr_baselines = m.nr_baselines;
	r->nr_hotpatches = m.nr_hotpatches;
	if (hp_meta_validate(&m, &problems)) {
		char *prefix = hp_xasprintf("'%s': invalid hotpatch metadata: ", path);

		hp_error_lines(&err, prefix, problems.buf);
		free(prefix);
	}
	if (m.expires && m.expires <= (int64_t)hp_now()) {
		char date[11];

		hp_format_date((time_t)m.expires, date);
		hp_error(&err, "'%s': hotpatch metadata expired on %s; publish again", path, date);
	}
out:
	add_problems(r, err.buf);
	hp_keyring_free(kr);
	hp_verify_result_release(&vr);
	hp_repomd_release(&md);
	hp_meta_release(&m);
	hp_strbuf_release(&err);
	hp_strbuf_release(&problems);
	free(repomd);
	free(asc);
	free(path);
	return r->problems.nr ? -1 : 0;
}

int hp_verify_min_days(const char *repodir, struct hp_verify_report *r, int days)
{
	char date[11];

	/* Already expired, or never read: hp_repo_verify said why. */
	if (!r->expires || r->expires <= (int64_t)hp_now() ||
	    r->expires - (int64_t)hp_now() >= (int64_t)days * 86400)
		return 0;
	hp_format_date((time_t)r->expires, date);
	hp_strvec_pushf(&r->problems, "'%s': hotpatch metadata expires on %s, within %d days; "
			"publish again", repodir, date, days);
	return -1;
}
