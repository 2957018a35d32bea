/* Client-side repository loading on real repositories: createrepo_c makes
 * them, gpg signs repomd.xml, and every attack (tampering, rollback, freeze)
 * must be refused without touching the recorded state. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <gpgme.h>

#include "hp_fetch.h"
#include "hp_meta.h"
#include "hp_repo.h"
#include "hp_repomd.h"
#include "hp_sign.h"
#include "hp_util.h"
#include "testutil.h"

#define T0 1790000000LL        /* 2026-09-21, "now" for the documents */
#define DAY 86400LL

static char *keyhome, *fpr, *pubkey;   /* once per case */
static char *work, *repo, *state;      /* per test */
static char *tmpdir;                   /* TMPDIR of the test: must end up empty */

static void keys_setup(void)
{
	char tmpl[] = "/tmp/hp-repo-keys-XXXXXX";
	gpgme_ctx_t ctx;
	gpgme_genkey_result_t res;
	gpgme_data_t d;
	char *mem;
	size_t len;
	struct hp_strbuf err = HP_STRBUF_INIT;

	ck_assert(mkdtemp(tmpl));
	keyhome = hp_xstrdup(tmpl);
	gpgme_check_version(NULL);
	ck_assert(!gpgme_new(&ctx));
	ck_assert(!gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, NULL, keyhome));
	ck_assert(!gpgme_op_createkey(ctx, "Repo Signer <repo@example.org>", "ed25519", 0, 0, NULL,
				      GPGME_CREATE_SIGN | GPGME_CREATE_NOPASSWD |
				      GPGME_CREATE_NOEXPIRE));
	res = gpgme_op_genkey_result(ctx);
	fpr = hp_xstrdup(res->fpr);
	ck_assert(!gpgme_data_new(&d));
	gpgme_set_armor(ctx, 1);
	ck_assert(!gpgme_op_export(ctx, fpr, 0, d));
	mem = gpgme_data_release_and_get_mem(d, &len);
	pubkey = hp_path_join(keyhome, "RPM-GPG-KEY-test");
	ck_assert(hp_write_file_atomic(pubkey, mem, len, 0644, &err) == 0);
	gpgme_free(mem);
	gpgme_release(ctx);
	hp_strbuf_release(&err);
}

static void keys_teardown(void)
{
	hp_gnupg_home_remove(keyhome);
	free(keyhome);
	free(fpr);
	free(pubkey);
}

static void run(const char *cmd)
{
	int rc = system(cmd);
	ck_assert_msg(rc == 0, "'%s' failed (%d)", cmd, rc);
}

static void repo_setup(void)
{
	char tmpl[] = "/tmp/hp-repo-test-XXXXXX";
	char *cmd;

	ck_assert(mkdtemp(tmpl));
	work = hp_xstrdup(tmpl);
	repo = hp_path_join(work, "repo");
	state = hp_path_join(work, "state");
	ck_assert(mkdir(repo, 0755) == 0);
	tmpdir = hp_path_join(work, "tmp");
	ck_assert(mkdir(tmpdir, 0700) == 0);
	setenv("TMPDIR", tmpdir, 1);
	cmd = hp_xasprintf("createrepo_c -q --repo hp-test-tag --content binary-x86_64 '%s' "
			   ">/dev/null 2>&1", repo);
	run(cmd);
	free(cmd);
}

static void repo_teardown(void)
{
	char *cmd = hp_xasprintf("rm -rf '%s'", work);
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	int n = 0;

	/* Snapshots and ephemeral GnuPG homes are all gone. */
	ck_assert(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	unsetenv("TMPDIR");
	free(tmpdir);
	ck_assert_msg(n == 0, "%d temporary files left behind", n);

	run(cmd);
	free(cmd);
	free(work);
	free(repo);
	free(state);
	unsetenv("HP_NOW");
}

static void sign_repomd(void)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *md = hp_path_join(repo, "repodata/repomd.xml");
	char *sig = hp_xasprintf("%s.asc", md);

	ck_assert_msg(hp_sign_file(md, sig, fpr, keyhome, &err) == 0, "%s", err.buf);
	free(sig);
	free(md);
	hp_strbuf_release(&err);
}

static void make_meta(struct hp_meta *m, uint64_t rev, int64_t expires)
{
	struct hp_baseline b;
	struct hp_hotpatch h;

	hp_meta_init(m);
	m->format = HP_META_FORMAT_VERSION;
	m->revision = rev;
	m->generated = T0;
	m->expires = expires;

	hp_baseline_init(&b);
	b.id = hp_xstrdup("2026-Q3");
	b.kind = HP_BASELINE_PLANNED;
	b.issued = hp_xstrdup("2026-07-01");
	hp_baseline_add_build(&b, "kernel-core", "6.1.0-57");
	hp_meta_add_baseline(m, &b);

	hp_hotpatch_init(&h);
	h.name = hp_xstrdup("kernel-hotpatch-6.1.0-57");
	h.version = hp_xstrdup("1");
	h.release = hp_xasprintf("%llu", (unsigned long long)rev);
	h.arch = hp_xstrdup("x86_64");
	h.component = hp_xstrdup("kernel-core");
	h.build = hp_xstrdup("6.1.0-57");
	h.engine = hp_xstrdup("klp");
	h.payload = hp_xstrdup("/usr/lib/hotpatch/kernel-core/6.1.0-57/livepatch.ko");
	h.payload_sha256 = hp_xstrdup("0123456789abcdef0123456789abcdef"
				      "0123456789abcdef0123456789abcdef");
	h.location = hp_xstrdup("Packages/kernel-hotpatch-6.1.0-57-1-1.x86_64.rpm");
	h.issued = hp_xstrdup("2026-09-01");
	hp_strvec_push(&h.cves, "CVE-2026-1234");
	hp_meta_add_hotpatch(m, &h);
}

/* Publishes metadata revision `rev` as the hotpatch record and re-signs. */
static void publish(uint64_t rev, int64_t expires)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_meta m;
	char *path = hp_path_join(repo, "repodata/hotpatch.xml.gz");

	make_meta(&m, rev, expires);
	ck_assert_msg(hp_meta_write_file_gz(&m, path, &err) == 0, "%s", err.buf);
	ck_assert_msg(hp_repomd_set_record(repo, "hotpatch", path, &err) == 0, "%s", err.buf);
	sign_repomd();
	hp_meta_release(&m);
	free(path);
	hp_strbuf_release(&err);
}

static struct hp_cache *cache;   /* set by the tests of the cache */

static int load(struct hp_repo *r, const char *url, int nogpgcheck, struct hp_strbuf *err)
{
	struct hp_repo_opts o;
	int ret;

	hp_repo_opts_init(&o);
	o.state_dir = state;
	o.cache = cache;
	o.nogpgcheck = nogpgcheck;
	hp_strvec_push(&o.gpgkeys, pubkey);
	ret = hp_repo_load(r, "test-repo", url ? url : repo, &o, 1, err);
	hp_repo_opts_release(&o);
	return ret;
}

/* The recorded revision, 0 when none. */
static uint64_t state_rev(void)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	uint64_t rev;

	ck_assert_msg(hp_repo_state_read(state, "test-repo", &rev, &err) == 0, "%s", err.buf);
	hp_strbuf_release(&err);
	return rev;
}

/* A refused load: one line containing `want`, `r` empty, state unchanged. */
static void assert_refused(const char *want, uint64_t rev_before)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repo r;

	hp_repo_init(&r);
	ck_assert(load(&r, NULL, 0, &err) == -1);
	ck_assert_msg(strstr(err.buf, want), "expected '%s' in: %s", want, err.buf);
	ck_assert_msg(!strchr(err.buf, '\n'), "more than one line: %s", err.buf);
	ck_assert(!r.id && !r.has_meta && !r.signer && !r.meta.nr_hotpatches);
	ck_assert_uint_eq(state_rev(), rev_before);
	hp_repo_release(&r);
	hp_strbuf_release(&err);
}

static int count_hotpatch_files(void)
{
	char *dir = hp_path_join(repo, "repodata");
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert(d);
	while ((e = readdir(d)))
		if (strstr(e->d_name, "hotpatch"))
			n++;
	closedir(d);
	free(dir);
	return n;
}

START_TEST(test_load_ok)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repomd md;
	const struct hp_repomd_entry *e;
	struct hp_repo r;
	char *md_path = hp_path_join(repo, "repodata/repomd.xml");
	char *url = hp_xasprintf("file://%s", repo);
	char *tmp_doc = hp_path_join(repo, "repodata/hotpatch.xml.gz");
	struct hp_strbuf text = HP_STRBUF_INIT;
	char *want, *revision;

	hp_repomd_init(&md);
	ck_assert_msg(hp_repomd_read(&md, md_path, &err) == 0, "%s", err.buf);
	ck_assert(md.revision);
	revision = hp_xstrdup(md.revision);
	hp_repomd_release(&md);

	publish(5, T0 + 30 * DAY);
	setenv("HP_NOW", "1790000100", 1);
	/* Publishing identical content again changes nothing. */
	publish(5, T0 + 30 * DAY);
	ck_assert(access(tmp_doc, F_OK) != 0);
	ck_assert(hp_read_file(md_path, &text, &err) == 0);
	ck_assert_msg(strstr(text.buf, "<repo>hp-test-tag</repo>") &&
		      strstr(text.buf, "<content>binary-x86_64</content>"), "tags lost: %s",
		      text.buf);

	/* repomd.xml keeps createrepo_c's records and gets ours, named by sha256. */
	ck_assert_msg(hp_repomd_read(&md, md_path, &err) == 0, "%s", err.buf);
	ck_assert_str_eq(md.revision, revision);   /* createrepo_c's revision is kept */
	ck_assert(hp_repomd_find(&md, "primary"));
	ck_assert(hp_repomd_find(&md, "filelists"));
	e = hp_repomd_find(&md, "hotpatch");
	ck_assert(e);
	ck_assert_str_eq(e->checksum_type, "sha256");
	want = hp_xasprintf("repodata/%s-hotpatch.xml.gz", e->checksum);
	ck_assert_str_eq(e->location, want);
	free(want);
	ck_assert_msg(hp_repomd_check_entry(repo, e, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(count_hotpatch_files(), 1);
	hp_repomd_release(&md);

	hp_repo_init(&r);
	ck_assert_msg(load(&r, url, 0, &err) == 0, "%s", err.buf);
	ck_assert_str_eq(r.id, "test-repo");
	ck_assert_str_eq(r.url, url);
	ck_assert_str_eq(r.dir, repo);
	ck_assert_int_eq(r.gpgcheck, 1);
	ck_assert_str_eq(r.signer, fpr);
	ck_assert_int_eq(r.has_meta, 1);
	ck_assert_uint_eq(r.meta.revision, 5);
	ck_assert_uint_eq(r.meta.nr_hotpatches, 1);
	ck_assert_str_eq(r.meta.hotpatches[0].cves.v[0], "CVE-2026-1234");
	ck_assert_uint_eq(state_rev(), 5);

	/* Loading the same revision again is fine. */
	ck_assert_msg(load(&r, NULL, 0, &err) == 0, "%s", err.buf);
	ck_assert_uint_eq(r.meta.revision, 5);
	hp_repo_release(&r);
	free(revision);
	free(tmp_doc);
	free(url);
	free(md_path);
	hp_strbuf_release(&text);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_tampered_hotpatch_refused)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repomd md;
	struct hp_meta m;
	struct hp_repo r;
	char *md_path = hp_path_join(repo, "repodata/repomd.xml");
	char *file;

	publish(5, 0);
	hp_repo_init(&r);
	ck_assert_msg(load(&r, NULL, 0, &err) == 0, "%s", err.buf);
	hp_repo_release(&r);

	/* Replace the hotpatch file by another valid document: repomd.xml
	 * (and its good signature) still names the old checksum. */
	hp_repomd_init(&md);
	ck_assert(hp_repomd_read(&md, md_path, &err) == 0);
	file = hp_path_join(repo, hp_repomd_find(&md, "hotpatch")->location);
	make_meta(&m, 9, 0);
	ck_assert(hp_meta_write_file_gz(&m, file, &err) == 0);
	hp_meta_release(&m);
	assert_refused("checksum mismatch with repomd.xml (expected ", 5);
	ck_assert_uint_eq(state_rev(), 5);
	hp_repomd_release(&md);
	free(file);
	free(md_path);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_tampered_repomd_refused)
{
	struct hp_strbuf err = HP_STRBUF_INIT, text = HP_STRBUF_INIT;
	char *md_path = hp_path_join(repo, "repodata/repomd.xml");
	char *want;

	publish(5, 0);
	ck_assert(hp_read_file(md_path, &text, &err) == 0);
	hp_strbuf_adds(&text, "<!-- evil -->\n");
	ck_assert(hp_write_file_atomic(md_path, text.buf, text.len, 0644, &err) == 0);
	want = hp_xasprintf("'%s': BAD signature from Repo Signer <repo@example.org> (", md_path);
	assert_refused(want, 0);
	ck_assert(access(state, F_OK) != 0);   /* nothing recorded at all */

	/* A repomd.xml re-signed by nobody we trust: no signature at all. */
	free(want);
	want = hp_xasprintf("%s.asc", md_path);
	ck_assert(unlink(want) == 0);
	free(want);
	want = hp_xasprintf("'%s': no signature file '%s.asc'", md_path, md_path);
	assert_refused(want, 0);
	free(want);
	free(md_path);
	hp_strbuf_release(&text);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_unsafe_location_refused)
{
	struct hp_strbuf err = HP_STRBUF_INIT, text = HP_STRBUF_INIT, out = HP_STRBUF_INIT;
	char *md_path = hp_path_join(repo, "repodata/repomd.xml");
	char *p, *q;

	publish(5, 0);
	/* A correctly signed repomd.xml whose hotpatch record points outside
	 * the repository: nothing is read from there. */
	ck_assert(hp_read_file(md_path, &text, &err) == 0);
	q = strstr(text.buf, "-hotpatch.xml.gz\"");
	ck_assert(q);
	for (p = q; p > text.buf && strncmp(p, "href=\"", 6); p--)
		;
	ck_assert(!strncmp(p, "href=\"repodata/", 15));
	hp_strbuf_add(&out, text.buf, (size_t)(p - text.buf));
	hp_strbuf_adds(&out, "href=\"repodata/../../../../etc/passwd\"");
	hp_strbuf_adds(&out, q + strlen("-hotpatch.xml.gz\""));
	ck_assert(hp_write_file_atomic(md_path, out.buf, out.len, 0644, &err) == 0);
	sign_repomd();
	assert_refused("has an unsafe location 'repodata/../../../../etc/passwd'", 0);
	free(md_path);
	hp_strbuf_release(&out);
	hp_strbuf_release(&text);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_rollback_refused)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repo r;
	char *want;

	publish(5, 0);
	hp_repo_init(&r);
	ck_assert_msg(load(&r, NULL, 0, &err) == 0, "%s", err.buf);
	hp_repo_release(&r);
	ck_assert_uint_eq(state_rev(), 5);

	/* A correctly signed but older document (a replayed mirror). */
	publish(4, 0);
	want = hp_xasprintf("'%s': hotpatch metadata revision 4 is older than revision 5 seen "
			    "before (rollback refused)", repo);
	assert_refused(want, 5);
	free(want);

	/* Newer revisions move the record forward. */
	publish(6, 0);
	ck_assert_msg(load(&r, NULL, 0, &err) == 0, "%s", err.buf);
	ck_assert_uint_eq(state_rev(), 6);
	hp_repo_release(&r);

	/* Dropping the hotpatch record after revisions were seen is refused too. */
	ck_assert(hp_repomd_remove_record(repo, "hotpatch", &err) == 0);
	ck_assert_int_eq(count_hotpatch_files(), 0);
	sign_repomd();
	assert_refused("repository has no hotpatch metadata although revision 6 was seen", 6);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_expired_refused)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repo r;
	char *want;

	publish(3, T0 + 7 * DAY);   /* expires 2026-09-28 */
	setenv("HP_NOW", "1790700000", 1);   /* 2026-09-29 */
	want = hp_xasprintf("'%s': hotpatch metadata expired on 2026-09-28 (revision 3); the "
			    "mirror is stale or frozen", repo);
	assert_refused(want, 0);
	free(want);

	setenv("HP_NOW", "1790500000", 1);   /* before expiry */
	hp_repo_init(&r);
	ck_assert_msg(load(&r, NULL, 0, &err) == 0, "%s", err.buf);
	ck_assert_uint_eq(state_rev(), 3);
	hp_repo_release(&r);
	hp_strbuf_release(&err);
}
END_TEST

/* With a cache: the second load takes the parsed document from it (the file
 * itself is gone), and expiry, rollback and the signature are still checked
 * on every load. */
START_TEST(test_cache_hit_still_checked)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_cache c;
	struct hp_repomd md;
	struct hp_repo r;
	char *cdir = hp_path_join(work, "cache"), *md_path = hp_path_join(repo, "repodata/repomd.xml");
	char *doc, *cached, *want, *sig = hp_xasprintf("%s.asc", md_path);

	hp_cache_init(&c, cdir);
	cache = &c;
	publish(3, T0 + 7 * DAY);   /* expires 2026-09-28 */
	setenv("HP_NOW", "1790500000", 1);
	hp_repo_init(&r);
	ck_assert_msg(load(&r, NULL, 0, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(r.meta.nr_hotpatches, 1);
	hp_repo_release(&r);
	hp_cache_flush(&c);
	cached = hp_path_join(cdir, "test-repo.hotpatch");
	ck_assert(access(cached, F_OK) == 0);

	hp_repomd_init(&md);
	ck_assert_msg(hp_repomd_read(&md, md_path, &err) == 0, "%s", err.buf);
	doc = hp_path_join(repo, hp_repomd_find(&md, "hotpatch")->location);
	ck_assert_int_eq(unlink(doc), 0);
	ck_assert_msg(load(&r, NULL, 0, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(r.meta.nr_hotpatches, 1);
	ck_assert_str_eq(r.meta.hotpatches[0].name, "kernel-hotpatch-6.1.0-57");
	ck_assert_str_eq(r.meta.hotpatches[0].cves.v[0], "CVE-2026-1234");
	ck_assert_uint_eq(r.meta.revision, 3);
	hp_repo_release(&r);

	setenv("HP_NOW", "1790700000", 1);   /* 2026-09-29: expired, cached or not */
	want = hp_xasprintf("'%s': hotpatch metadata expired on 2026-09-28", repo);
	assert_refused(want, 3);
	free(want);
	setenv("HP_NOW", "1790500000", 1);

	/* A signature that no longer matches is refused before the cache. */
	hp_test_write_str(sig, "-----BEGIN PGP SIGNATURE-----\ngarbage\n-----END PGP SIGNATURE-----\n");
	assert_refused("repomd.xml", 3);
	sign_repomd();

	/* An older document (a new checksum, so not from the cache) is still a
	 * rollback. */
	publish(2, T0 + 7 * DAY);
	assert_refused("hotpatch metadata revision 2 is older than revision 3", 3);
	cache = NULL;
	hp_cache_release(&c);
	hp_repomd_release(&md);
	hp_strbuf_release(&err);
	free(sig);
	free(doc);
	free(cached);
	free(md_path);
	free(cdir);
}
END_TEST

START_TEST(test_no_hotpatch_record)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repo r;

	sign_repomd();
	hp_repo_init(&r);
	ck_assert_msg(load(&r, NULL, 0, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(r.has_meta, 0);
	ck_assert_int_eq(r.gpgcheck, 1);
	ck_assert(!r.meta.nr_hotpatches);
	ck_assert(access(state, F_OK) != 0);
	hp_repo_release(&r);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_createrepo_update_then_republish)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repo r;
	char *cmd;

	publish(5, 0);
	cmd = hp_xasprintf("createrepo_c -q --update '%s' >/dev/null 2>&1", repo);
	run(cmd);
	free(cmd);
	/* createrepo_c rewrote repomd.xml: the old signature no longer fits. */
	assert_refused("BAD signature", 0);

	publish(6, 0);
	ck_assert_int_eq(count_hotpatch_files(), 1);   /* no stale copies */
	hp_repo_init(&r);
	ck_assert_msg(load(&r, NULL, 0, &err) == 0, "%s", err.buf);
	ck_assert_uint_eq(r.meta.revision, 6);
	ck_assert_uint_eq(state_rev(), 6);
	hp_repo_release(&r);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_gpg_options)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repo_opts o;
	struct hp_repo r;

	publish(2, 0);
	hp_repo_init(&r);
	hp_repo_opts_init(&o);
	o.state_dir = state;

	/* Signature required but no key configured. */
	ck_assert(hp_repo_load(&r, "test-repo", repo, &o, 1, &err) == -1);
	ck_assert_msg(strstr(err.buf, "no key to trust is configured"), "%s", err.buf);

	/* A key that did not sign it. */
	hp_strbuf_reset(&err);
	hp_strvec_push(&o.gpgkeys, "/nonexistent/key.asc");
	ck_assert(hp_repo_load(&r, "test-repo", repo, &o, 1, &err) == -1);
	ck_assert_msg(strstr(err.buf, "'/nonexistent/key.asc'"), "%s", err.buf);

	/* Only keys of schemes that are not read. */
	hp_strbuf_reset(&err);
	hp_strvec_release(&o.gpgkeys);
	hp_strvec_push(&o.gpgkeys, "ftp://example.org/RPM-GPG-KEY");
	ck_assert(hp_repo_load(&r, "test-repo", repo, &o, 1, &err) == -1);
	ck_assert_msg(strstr(err.buf, "no local key to verify repomd.xml with"), "%s", err.buf);

	/* An http key is fetched: nothing listens on port 1. */
	hp_strbuf_reset(&err);
	hp_strvec_push(&o.gpgkeys, "http://127.0.0.1:1/RPM-GPG-KEY");
	ck_assert(hp_repo_load(&r, "test-repo", repo, &o, 1, &err) == -1);
	ck_assert_msg(!strncmp(err.buf, "cannot fetch 'http://127.0.0.1:1/RPM-GPG-KEY': ", 47) &&
		      !strchr(err.buf, '\n'), "%s", err.buf);

	/* Not required (repo_gpgcheck=0) or --nogpgcheck: loads, says so. */
	hp_strbuf_reset(&err);
	ck_assert_msg(hp_repo_load(&r, "test-repo", repo, &o, 0, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(r.gpgcheck, 0);
	ck_assert(!r.signer);
	ck_assert_int_eq(r.has_meta, 1);
	o.nogpgcheck = 1;
	ck_assert_msg(hp_repo_load(&r, "test-repo", repo, &o, 1, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(r.gpgcheck, 0);

	/* Remote repositories are fetched (the server here is down);
	 * other schemes and dnf variables are refused. */
	hp_strbuf_reset(&err);
	ck_assert(hp_repo_load(&r, "x", "http://127.0.0.1:1/repo/", &o, 0, &err) == -1);
	ck_assert_msg(!strncmp(err.buf, "cannot fetch 'http://127.0.0.1:1/repo/repodata/repomd.xml': ",
			       60), "%s", err.buf);
	ck_assert(!r.id);
	hp_strbuf_reset(&err);
	ck_assert(hp_repo_load(&r, "x", "ftp://mirror.example.org/repo", &o, 0, &err) == -1);
	ck_assert_msg(strstr(err.buf, "'ftp://mirror.example.org/repo': unsupported URL scheme"),
		      "%s", err.buf);
	hp_strbuf_reset(&err);
	ck_assert(hp_repo_load(&r, "x", "https://mirror.example.org/$releasever/", &o, 0, &err) == -1);
	ck_assert_msg(strstr(err.buf, "dnf variables ($releasever, $basearch, ...) in repository "
			     "URLs are not substituted"), "%s", err.buf);
	ck_assert(!r.id);

	/* Not a repository / no such directory. */
	hp_strbuf_reset(&err);
	ck_assert(hp_repo_load(&r, "x", work, &o, 0, &err) == -1);
	ck_assert_msg(strstr(err.buf, "not a repository (no repodata/repomd.xml in '"), "%s",
		      err.buf);
	hp_strbuf_reset(&err);
	ck_assert(hp_repo_load(&r, "x", "file:///nonexistent/repo", &o, 0, &err) == -1);
	ck_assert_str_eq(err.buf, "cannot open repository 'file:///nonexistent/repo': "
			 "No such file or directory");

	/* A derived id, without state tracking. */
	hp_strbuf_reset(&err);
	o.state_dir = NULL;
	ck_assert_msg(hp_repo_load(&r, NULL, repo, &o, 0, &err) == 0, "%s", err.buf);
	ck_assert(r.id && !strchr(r.id, '/') && strstr(r.id, "repo"));
	hp_repo_release(&r);
	hp_repo_opts_release(&o);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_url_kind)
{
	ck_assert_int_eq(hp_url_kind("/srv/repo"), HP_URL_LOCAL);
	ck_assert_int_eq(hp_url_kind("repo"), HP_URL_LOCAL);
	ck_assert_int_eq(hp_url_kind("file:///srv/repo"), HP_URL_LOCAL);
	ck_assert_int_eq(hp_url_kind("http://mirror/repo"), HP_URL_REMOTE);
	ck_assert_int_eq(hp_url_kind("HTTPS://mirror/repo"), HP_URL_REMOTE);
	ck_assert_int_eq(hp_url_kind("ftp://mirror/repo"), HP_URL_UNSUPPORTED);
	ck_assert_int_eq(hp_url_kind("httpx://mirror/repo"), HP_URL_UNSUPPORTED);
	ck_assert(hp_url_has_vars("http://mirror/$releasever/x"));
	ck_assert(hp_url_has_vars("http://mirror/${basearch}/x"));
	ck_assert(!hp_url_has_vars("http://mirror/40/x86_64"));
}
END_TEST

START_TEST(test_state_dir_unwritable)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repo_opts o;
	struct hp_repo r;
	char *blocker = hp_path_join(work, "blocker");
	char *sdir = hp_path_join(blocker, "state");

	publish(2, 0);
	ck_assert(hp_write_file_atomic(blocker, "x", 1, 0644, &err) == 0);
	hp_repo_init(&r);
	hp_repo_opts_init(&o);
	o.state_dir = sdir;
	hp_strvec_push(&o.gpgkeys, pubkey);
	ck_assert(hp_repo_load(&r, "test-repo", repo, &o, 1, &err) == -1);
	ck_assert_msg(strstr(err.buf, "cannot record the hotpatch metadata revision of "
			     "'test-repo'") && !strchr(err.buf, '\n'), "%s", err.buf);
	ck_assert(!r.has_meta && !r.id);
	hp_repo_opts_release(&o);
	free(sdir);
	free(blocker);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_repomd_errors)
{
	struct hp_strbuf err = HP_STRBUF_INIT, before = HP_STRBUF_INIT, after = HP_STRBUF_INIT;
	struct hp_repomd md;
	char *md_path = hp_path_join(repo, "repodata/repomd.xml");
	char *outside = hp_path_join(work, "hotpatch.xml.gz");
	char *bad = hp_path_join(work, "bad.xml");
	struct hp_meta m;

	/* A file outside repodata/ is refused and nothing changes. */
	make_meta(&m, 1, 0);
	ck_assert(hp_meta_write_file_gz(&m, outside, &err) == 0);
	hp_meta_release(&m);
	ck_assert(hp_read_file(md_path, &before, &err) == 0);
	ck_assert(hp_repomd_set_record(repo, "hotpatch", outside, &err) == -1);
	ck_assert_msg(strstr(err.buf, "not inside"), "%s", err.buf);
	ck_assert(hp_read_file(md_path, &after, &err) == 0);
	ck_assert_str_eq(before.buf, after.buf);
	ck_assert(access(outside, F_OK) == 0);

	/* Malformed repomd.xml names the path. */
	hp_strbuf_reset(&err);
	ck_assert(hp_write_file_atomic(bad, "<repomd><data", 13, 0644, &err) == 0);
	hp_repomd_init(&md);
	ck_assert(hp_repomd_read(&md, bad, &err) == -1);
	ck_assert_msg(strstr(err.buf, bad) && strstr(err.buf, "malformed"), "%s", err.buf);
	hp_strbuf_reset(&err);
	ck_assert(hp_write_file_atomic(bad, "<other/>", 8, 0644, &err) == 0);
	ck_assert(hp_repomd_read(&md, bad, &err) == -1);
	ck_assert_msg(strstr(err.buf, "no <repomd> element"), "%s", err.buf);
	ck_assert_uint_eq(md.nr, 0);

	/* Unsafe locations and weak checksums are refused. */
	{
		struct hp_repomd_entry e = { "hotpatch", "repodata/../../etc/passwd", NULL,
					     "sha256", "00", 0, 0 };
		hp_strbuf_reset(&err);
		ck_assert(hp_repomd_check_entry(repo, &e, &err) == -1);
		ck_assert_msg(strstr(err.buf, "unsafe location"), "%s", err.buf);
		e.location = "repodata/repomd.xml";
		e.checksum_type = "md5";
		ck_assert(hp_repomd_check_entry(repo, &e, &err) == -1);
		ck_assert_msg(strstr(err.buf, "weak checksum type 'md5'"), "%s", err.buf);
	}
	hp_repomd_release(&md);
	free(bad);
	free(outside);
	free(md_path);
	hp_strbuf_release(&before);
	hp_strbuf_release(&after);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_conf_list)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repo_conf *c = NULL;
	size_t n = 0;
	char *root = hp_path_join(work, "root");
	char *p;

	p = hp_path_join(root, "etc/dnf");
	ck_assert(hp_mkdir_p(p, 0755, &err) == 0);
	free(p);
	p = hp_path_join(root, "etc/yum.repos.d");
	ck_assert(hp_mkdir_p(p, 0755, &err) == 0);
	free(p);
	p = hp_path_join(root, "etc/dnf/dnf.conf");
	ck_assert(hp_write_file_atomic(p, "[main]\ngpgcheck=1\nrepo_gpgcheck = True\n", 38, 0644,
				       &err) == 0);
	free(p);
	{
		static const char text[] =
			"# comment\n"
			"[hot]\n"
			"name=Hotpatches $releasever\n"
			"baseurl=file:///srv/hot, https://mirror/hot\n"
			"gpgkey=file:///etc/pki/rpm-gpg/KEY-1\n"
			"       file:///etc/pki/rpm-gpg/KEY-2, https://example.org/KEY-3\n"
			"\n"
			"[off]\n"
			"enabled=0\n"
			"repo_gpgcheck=no\n"
			"metalink=https://example.org/metalink\n";
		p = hp_path_join(root, "etc/yum.repos.d/a.repo");
		ck_assert(hp_write_file_atomic(p, text, sizeof(text) - 1, 0644, &err) == 0);
		free(p);
	}
	p = hp_path_join(root, "etc/yum.repos.d/b.repo");
	ck_assert(hp_write_file_atomic(p, "[hot]\nname=duplicate\n", 21, 0644, &err) == 0);
	free(p);

	ck_assert_msg(hp_repo_conf_list(root, &c, &n, &err) == 0, "%s", err.buf);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(c[0].id, "hot");
	ck_assert_str_eq(c[0].name, "Hotpatches $releasever");
	ck_assert_str_eq(c[0].baseurl, "file:///srv/hot");
	ck_assert_int_eq(c[0].enabled, 1);
	ck_assert_int_eq(c[0].gpgcheck, 1);
	ck_assert_int_eq(c[0].repo_gpgcheck, 1);   /* from [main] */
	ck_assert_uint_eq(c[0].gpgkeys.nr, 3);
	p = hp_path_join(root, "etc/pki/rpm-gpg/KEY-1");
	ck_assert_str_eq(c[0].gpgkeys.v[0], p);
	free(p);
	p = hp_path_join(root, "etc/pki/rpm-gpg/KEY-2");
	ck_assert_str_eq(c[0].gpgkeys.v[1], p);
	free(p);
	ck_assert_str_eq(c[0].gpgkeys.v[2], "https://example.org/KEY-3");
	ck_assert_str_eq(c[1].id, "off");
	ck_assert_int_eq(c[1].enabled, 0);
	ck_assert_int_eq(c[1].repo_gpgcheck, 0);
	ck_assert(!c[1].baseurl);
	hp_repo_conf_free(c, n);

	/* A bad boolean names the file. */
	p = hp_path_join(root, "etc/yum.repos.d/c.repo");
	ck_assert(hp_write_file_atomic(p, "[c]\nenabled=maybe\n", 18, 0644, &err) == 0);
	ck_assert(hp_repo_conf_list(root, &c, &n, &err) == -1);
	ck_assert_msg(strstr(err.buf, p) && strstr(err.buf, "invalid boolean 'maybe'"), "%s",
		      err.buf);
	ck_assert(!c && !n);
	free(p);

	/* An empty root is no error. */
	hp_strbuf_reset(&err);
	ck_assert(hp_repo_conf_list(work, &c, &n, &err) == 0);
	ck_assert_uint_eq(n, 0);
	hp_repo_conf_free(c, n);
	free(root);
	hp_strbuf_release(&err);
}
END_TEST

Suite *repo_suite(void)
{
	Suite *s = suite_create("repo");
	TCase *tc = tcase_create("load");

	tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
	tcase_add_checked_fixture(tc, repo_setup, repo_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_load_ok);
	tcase_add_test(tc, test_tampered_hotpatch_refused);
	tcase_add_test(tc, test_tampered_repomd_refused);
	tcase_add_test(tc, test_unsafe_location_refused);
	tcase_add_test(tc, test_rollback_refused);
	tcase_add_test(tc, test_expired_refused);
	tcase_add_test(tc, test_cache_hit_still_checked);
	tcase_add_test(tc, test_no_hotpatch_record);
	tcase_add_test(tc, test_createrepo_update_then_republish);
	tcase_add_test(tc, test_gpg_options);
	tcase_add_test(tc, test_url_kind);
	tcase_add_test(tc, test_state_dir_unwritable);
	tcase_add_test(tc, test_repomd_errors);
	tcase_add_test(tc, test_conf_list);
	suite_add_tcase(s, tc);
	return s;
}
