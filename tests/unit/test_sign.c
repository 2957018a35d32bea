/* Signing and verification with real gpg: throwaway keys in a private
 * GNUPGHOME, real signatures, real tampering. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gpgme.h>

#include "hp_sign.h"
#include "hp_util.h"

static char *work;      /* scratch directory */
static char *home;      /* signing GNUPGHOME with keys A and B */
static char *fpr_a, *fpr_b;
static char *pub_a;     /* armored public key of A */

static void write_text(const char *path, const char *text)
{
	struct hp_strbuf err = HP_STRBUF_INIT;

	ck_assert_msg(hp_write_file_atomic(path, text, strlen(text), 0644, &err) == 0, "%s",
		      err.buf);
	hp_strbuf_release(&err);
}

static char *gen_key(gpgme_ctx_t ctx, const char *uid)
{
	gpgme_genkey_result_t res;
	gpgme_error_t e;

	e = gpgme_op_createkey(ctx, uid, "ed25519", 0, 0, NULL,
			       GPGME_CREATE_SIGN | GPGME_CREATE_NOPASSWD | GPGME_CREATE_NOEXPIRE);
	ck_assert_msg(!e, "createkey: %s", gpgme_strerror(e));
	res = gpgme_op_genkey_result(ctx);
	ck_assert(res && res->fpr);
	return hp_xstrdup(res->fpr);
}

static void export_key(gpgme_ctx_t ctx, const char *fpr, const char *path)
{
	gpgme_data_t d;
	char *mem;
	size_t len;

	ck_assert(!gpgme_data_new(&d));
	gpgme_set_armor(ctx, 1);
	ck_assert(!gpgme_op_export(ctx, fpr, 0, d));
	mem = gpgme_data_release_and_get_mem(d, &len);
	ck_assert(mem && len > 0);
	{
		struct hp_strbuf err = HP_STRBUF_INIT;
		ck_assert(hp_write_file_atomic(path, mem, len, 0644, &err) == 0);
		hp_strbuf_release(&err);
	}
	gpgme_free(mem);
}

static void setup(void)
{
	gpgme_ctx_t ctx;
	char tmpl[] = "/tmp/hp-sign-test-XXXXXX";

	ck_assert(mkdtemp(tmpl));
	work = hp_xstrdup(tmpl);
	home = hp_path_join(work, "gnupg");
	ck_assert(mkdir(home, 0700) == 0);
	gpgme_check_version(NULL);
	ck_assert(!gpgme_new(&ctx));
	ck_assert(!gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, NULL, home));
	fpr_a = gen_key(ctx, "Test A <a@example.org>");
	fpr_b = gen_key(ctx, "Test B <b@example.org>");
	pub_a = hp_path_join(work, "a.asc");
	export_key(ctx, fpr_a, pub_a);
	gpgme_release(ctx);
}

static void teardown(void)
{
	hp_gnupg_home_remove(home);   /* kills the agent key generation started */
	hp_gnupg_home_remove(work);
	free(work);
	free(home);
	free(fpr_a);
	free(fpr_b);
	free(pub_a);
}

/* Signs `text` in work/<name> with `keyid`; returns the file path. */
static char *signed_file(const char *name, const char *text, const char *keyid)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *path = hp_path_join(work, name);
	char *sig = hp_xasprintf("%s.asc", path);

	write_text(path, text);
	ck_assert_msg(hp_sign_file(path, sig, keyid, home, &err) == 0, "%s", err.buf);
	free(sig);
	hp_strbuf_release(&err);
	return path;
}

/* Verifies `path` with an ephemeral keyring trusting key A only. */
static int verify_with_a(const char *path, struct hp_verify_result *res, struct hp_strbuf *err)
{
	struct hp_keyring *kr = hp_keyring_new_ephemeral(err);
	char *sig = hp_xasprintf("%s.asc", path);
	int ret;

	ck_assert_msg(kr, "%s", err->buf);
	ck_assert_msg(hp_keyring_import_file(kr, pub_a, err) == 0, "%s", err->buf);
	ret = hp_keyring_verify_file(kr, path, sig, res, err);
	hp_keyring_free(kr);
	free(sig);
	return ret;
}

START_TEST(test_sign_verify_ok)
{
	struct hp_strbuf err = HP_STRBUF_INIT, sig = HP_STRBUF_INIT;
	struct hp_verify_result res;
	char *path = signed_file("repomd.xml", "<repomd/>\n", fpr_a);
	char *sig_path = hp_xasprintf("%s.asc", path);

	ck_assert(hp_read_file(sig_path, &sig, &err) == 0);
	ck_assert_msg(strstr(sig.buf, "-----BEGIN PGP SIGNATURE-----"), "not armored: %s", sig.buf);
	hp_verify_result_init(&res);
	ck_assert_msg(verify_with_a(path, &res, &err) == 0, "%s", err.buf);
	ck_assert_str_eq(res.fpr, fpr_a);
	ck_assert_str_eq(res.uid, "Test A <a@example.org>");
	hp_verify_result_release(&res);
	free(sig_path);
	free(path);
	hp_strbuf_release(&sig);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_verify_operator_home)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_verify_result res;
	struct hp_keyring *kr;
	char *path = signed_file("b.xml", "signed by b\n", fpr_b);
	char *sig_path = hp_xasprintf("%s.asc", path);

	/* The operator's own home knows both keys. */
	kr = hp_keyring_open(home, &err);
	ck_assert_msg(kr, "%s", err.buf);
	hp_verify_result_init(&res);
	ck_assert_msg(hp_keyring_verify_file(kr, path, sig_path, &res, &err) == 0, "%s", err.buf);
	ck_assert_str_eq(res.fpr, fpr_b);
	hp_verify_result_release(&res);
	hp_keyring_free(kr);
	ck_assert(access(home, F_OK) == 0);   /* an opened home is never removed */

	/* A shared home holding A's public key without trusting it: present
	 * is not trusted there. */
	{
		struct hp_keyring *eph = hp_keyring_new_ephemeral(&err);
		char *a_path = signed_file("a.xml", "signed by a\n", fpr_a);
		char *a_sig = hp_xasprintf("%s.asc", a_path);
		char *want;

		ck_assert(eph && hp_keyring_import_file(eph, pub_a, &err) == 0);
		kr = hp_keyring_open(hp_keyring_home(eph), &err);
		ck_assert_msg(kr, "%s", err.buf);
		ck_assert(hp_keyring_verify_file(kr, a_path, a_sig, NULL, &err) == -1);
		want = hp_xasprintf("'%s': good signature from Test A <a@example.org> (%s), but the "
				    "key is not trusted in '%s'", a_path, fpr_a,
				    hp_keyring_home(eph));
		ck_assert_str_eq(err.buf, want);
		hp_strbuf_reset(&err);
		/* The same key is trusted by the keyring made for it. */
		ck_assert_msg(hp_keyring_verify_file(eph, a_path, a_sig, NULL, &err) == 0, "%s",
			      err.buf);
		hp_keyring_free(kr);
		hp_keyring_free(eph);
		free(want);
		free(a_sig);
		free(a_path);
	}

	ck_assert(hp_keyring_open("/nonexistent/gnupg", &err) == NULL);
	ck_assert_msg(strstr(err.buf, "'/nonexistent/gnupg'"), "%s", err.buf);
	free(sig_path);
	free(path);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_tampered_is_bad)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *path = signed_file("t.xml", "<repomd>ok</repomd>\n", fpr_a);
	char *want;

	write_text(path, "<repomd>evil</repomd>\n");
	ck_assert(verify_with_a(path, NULL, &err) == -1);
	want = hp_xasprintf("'%s': BAD signature from Test A <a@example.org> (", path);
	ck_assert_msg(strstr(err.buf, want), "%s", err.buf);
	ck_assert_msg(strstr(err.buf, fpr_a + 24), "%s", err.buf);
	ck_assert(!strchr(err.buf, '\n'));
	free(want);
	free(path);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_wrong_key_is_unknown)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *path = signed_file("w.xml", "<repomd/>\n", fpr_b);
	char *want;

	ck_assert(verify_with_a(path, NULL, &err) == -1);
	want = hp_xasprintf("'%s': signed by unknown key ", path);
	ck_assert_msg(strstr(err.buf, want), "%s", err.buf);
	free(want);
	free(path);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_missing_and_garbage_signature)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *path = hp_path_join(work, "m.xml");
	char *sig = hp_xasprintf("%s.asc", path);
	char *want;

	write_text(path, "<repomd/>\n");
	ck_assert(verify_with_a(path, NULL, &err) == -1);
	want = hp_xasprintf("'%s': no signature file '%s'", path, sig);
	ck_assert_str_eq(err.buf, want);
	free(want);

	hp_strbuf_reset(&err);
	write_text(sig, "this is not a signature\n");
	ck_assert(verify_with_a(path, NULL, &err) == -1);
	want = hp_xasprintf("'%s': signature is not a valid OpenPGP signature", path);
	ck_assert_str_eq(err.buf, want);

	hp_strbuf_reset(&err);
	write_text(sig, "-----BEGIN PGP SIGNATURE-----\n\nAAAAAAAAAAAAAAAAAAAAAAAA\n"
		   "=AAAA\n-----END PGP SIGNATURE-----\n");
	ck_assert(verify_with_a(path, NULL, &err) == -1);
	ck_assert_str_eq(err.buf, want);
	free(want);
	free(sig);
	free(path);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_sign_key_errors)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_keyring *kr;
	char *path = hp_path_join(work, "k.xml");
	char *sig = hp_xasprintf("%s.asc", path);

	write_text(path, "x\n");
	ck_assert(hp_sign_file(path, sig, "nobody@example.org", home, &err) == -1);
	ck_assert_msg(strstr(err.buf, "'nobody@example.org' not found in '") &&
		      strstr(err.buf, home), "%s", err.buf);

	hp_strbuf_reset(&err);
	ck_assert(hp_sign_file(path, sig, "example.org", home, &err) == -1);
	ck_assert_msg(strstr(err.buf, "'example.org' is ambiguous"), "%s", err.buf);

	/* A home with A's public key only. */
	hp_strbuf_reset(&err);
	kr = hp_keyring_new_ephemeral(&err);
	ck_assert(kr);
	ck_assert(hp_keyring_import_file(kr, pub_a, &err) == 0);
	ck_assert(hp_sign_file(path, sig, fpr_a, hp_keyring_home(kr), &err) == -1);
	ck_assert_msg(strstr(err.buf, "no secret key for"), "%s", err.buf);
	ck_assert(access(sig, F_OK) != 0);   /* nothing written */

	/* Importing something that is no key fails. */
	hp_strbuf_reset(&err);
	ck_assert(hp_keyring_import_file(kr, path, &err) == -1);
	ck_assert_msg(strstr(err.buf, path), "%s", err.buf);
	{
		char *khome = hp_xstrdup(hp_keyring_home(kr));
		hp_keyring_free(kr);
		ck_assert_msg(access(khome, F_OK) != 0, "ephemeral home '%s' left behind", khome);
		free(khome);
	}
	free(sig);
	free(path);
	hp_strbuf_release(&err);
}
END_TEST

/* Issue 11: a good signature made with SHA-1 is refused with one line; the
 * same key and file signed with SHA-256 verify. Also: the signature and key
 * must be regular files (a FIFO is refused at once, not waited on). */
START_TEST(test_weak_digest_refused)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *path = signed_file("sha1.xml", "<repomd/>\n", fpr_a);
	char *cmd = hp_xasprintf("gpg --batch -q --homedir '%s' --yes --digest-algo SHA1 -u '%s' "
				 "--armor --detach-sign -o '%s.asc' '%s' 2>/dev/null",
				 home, fpr_a, path, path);
	char *fifo = hp_path_join(work, "fifo.asc");

	ck_assert_int_eq(verify_with_a(path, NULL, &err), 0);
	ck_assert_int_eq(system(cmd), 0);
	hp_strbuf_reset(&err);
	ck_assert_int_eq(verify_with_a(path, NULL, &err), -1);
	ck_assert_msg(strstr(err.buf, "uses the weak digest SHA1; refused") &&
		      !strchr(err.buf, '\n'), "%s", err.buf);

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	{
		struct hp_keyring *kr = hp_keyring_new_ephemeral(&err);
		char *want = hp_xasprintf("cannot read '%s': not a regular file", fifo);

		hp_strbuf_reset(&err);
		ck_assert_int_eq(hp_keyring_import_file(kr, fifo, &err), -1);
		ck_assert_str_eq(err.buf, want);
		hp_strbuf_reset(&err);
		ck_assert_int_eq(hp_keyring_verify_file(kr, path, fifo, NULL, &err), -1);
		ck_assert_str_eq(err.buf, want);
		hp_keyring_free(kr);
		free(want);
	}
	free(fifo);
	free(cmd);
	free(path);
	hp_strbuf_release(&err);
}
END_TEST

Suite *sign_suite(void)
{
	Suite *s = suite_create("sign");
	TCase *tc = tcase_create("gpg");

	/* Key generation is the slow part: once for the case. */
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sign_verify_ok);
	tcase_add_test(tc, test_verify_operator_home);
	tcase_add_test(tc, test_tampered_is_bad);
	tcase_add_test(tc, test_wrong_key_is_unknown);
	tcase_add_test(tc, test_missing_and_garbage_signature);
	tcase_add_test(tc, test_sign_key_errors);
	tcase_add_test(tc, test_weak_digest_refused);
	suite_add_tcase(s, tc);
	return s;
}
