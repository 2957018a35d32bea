/* OpenPGP signing and verification with gpgme; see hp_sign.h for the trust
 * decision. */
#include "hp_sign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gpgme.h>

#include "hp_tempdir.h"

struct hp_keyring {
	char *home;        /* NULL = gpg's default home */
	int ephemeral;     /* we created `home` and remove it */
	gpgme_ctx_t ctx;
};

/* gpgme's text for `e` as one line, in the caller's buffer `buf` (256
 * bytes): the error convention is one line per problem. */
static const char *gpg_msg(gpgme_error_t e, char *buf)
{
	if (gpgme_strerror_r(e, buf, 256))
		snprintf(buf, 256, "%s", gpgme_strerror(e));
	return hp_oneline_inplace(buf);
}
/* The compound literal lives to the end of the enclosing block: long
 * enough for the hp_error() call it is an argument of. */
#define GPG_MSG(e) gpg_msg((e), (char[256]){ 0 })
/* What is signed here is repomd.xml (16 MiB at most, as fetched); keys and
 * detached signatures are small. The caps apply while reading (issue 11). */
#define SIGNED_MAX ((size_t)16 << 20)
#define KEY_MAX ((size_t)1 << 20)

/* gpgme must be initialised once before any other call (gpgme(3)). The
 * library is not used from several threads at once here, so a flag is
 * enough. */
static int gpgme_setup(struct hp_strbuf *err)
{
	static int done;
	gpgme_error_t e;

	if (done)
		return 0;
	if (!gpgme_check_version(NULL))
		return hp_error(err, "cannot initialise gpgme: library version mismatch");
	e = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
	if (e)
		return hp_error(err, "cannot use gpg through gpgme: %s (is gnupg installed?)",
				GPG_MSG(e));
	done = 1;
	return 0;
}

static const char *home_name(const char *home)
{
	const char *e = getenv("GNUPGHOME");

	if (home)
		return home;
	return e && *e ? e : "~/.gnupg";
}

static int new_ctx(gpgme_ctx_t *ctx, const char *home, struct hp_strbuf *err)
{
	gpgme_error_t e;

	*ctx = NULL;
	if (gpgme_setup(err) < 0)
		return -1;
	e = gpgme_new(ctx);
	if (e)
		return hp_error(err, "cannot create a gpgme context: %s", GPG_MSG(e));
	e = gpgme_set_protocol(*ctx, GPGME_PROTOCOL_OpenPGP);
	if (!e && home)
		e = gpgme_ctx_set_engine_info(*ctx, GPGME_PROTOCOL_OpenPGP, NULL, home);
	if (e) {
		gpgme_release(*ctx);
		*ctx = NULL;
		return hp_error(err, "cannot use GnuPG home '%s': %s", home_name(home),
				GPG_MSG(e));
	}
	return 0;
}

/* Finds exactly one usable secret signing key for `keyid`. */
static int find_signing_key(gpgme_ctx_t ctx, const char *keyid, const char *home,
			    gpgme_key_t *out, struct hp_strbuf *err)
{
	gpgme_key_t key = NULL, k;
	gpgme_error_t e;
	int n = 0, ret = -1;

	*out = NULL;
	e = gpgme_op_keylist_start(ctx, keyid, 1);
	while (!e) {
		e = gpgme_op_keylist_next(ctx, &k);
		if (e)
			break;
		if (!key)
			key = k;
		else
			gpgme_key_unref(k);
		n++;
	}
	gpgme_op_keylist_end(ctx);
	if (gpg_err_code(e) != GPG_ERR_EOF) {
		hp_error(err, "cannot list the keys of '%s': %s", home_name(home),
			 GPG_MSG(e));
		goto out;
	}
	if (n > 1) {
		hp_error(err, "signing key '%s' is ambiguous in '%s': it matches %d secret keys "
			 "(give the full fingerprint)", keyid, home_name(home), n);
		goto out;
	}
	if (!n) {
		/* Say whether only the secret part is missing: a public key
		 * alone is the usual mistake after importing on a new host. */
		gpgme_key_t pub = NULL;

		if (!gpgme_get_key(ctx, keyid, &pub, 0) && pub) {
			hp_error(err, "no secret key for '%s' in '%s' (only the public key is there)",
				 keyid, home_name(home));
			gpgme_key_unref(pub);
		} else {
			hp_error(err, "signing key '%s' not found in '%s'", keyid, home_name(home));
		}
		goto out;
	}
	if (key->revoked || key->expired || key->disabled || key->invalid || !key->can_sign) {
		hp_error(err, "signing key '%s' in '%s' cannot sign (%s)", keyid, home_name(home),
			 key->revoked ? "revoked" : key->expired ? "expired" :
			 key->disabled ? "disabled" : key->invalid ? "invalid" :
			 "no signing capability");
		goto out;
	}
	*out = key;
	key = NULL;
	ret = 0;
out:
	if (key)
		gpgme_key_unref(key);
	return ret;
}

int hp_sign_file(const char *path, const char *sig_path, const char *keyid,
		 const char *gnupg_home, struct hp_strbuf *err)
{
	struct hp_strbuf content = HP_STRBUF_INIT;
	gpgme_ctx_t ctx = NULL;
	gpgme_key_t key = NULL;
	gpgme_data_t in = NULL, out = NULL;
	gpgme_sign_result_t sres;
	gpgme_error_t e;
	char *sig = NULL;
	size_t sig_len = 0;
	int ret = -1;

	if (!keyid || !*keyid)
		return hp_error(err, "cannot sign '%s': no signing key given", path);
	if (hp_read_file_max(path, SIGNED_MAX, &content, err) < 0)
		goto out;
	if (new_ctx(&ctx, gnupg_home, err) < 0)
		goto out;
	if (find_signing_key(ctx, keyid, gnupg_home, &key, err) < 0)
		goto out;
	gpgme_set_armor(ctx, 1);
	gpgme_set_textmode(ctx, 0);
	e = gpgme_signers_add(ctx, key);
	if (!e)
		e = gpgme_data_new_from_mem(&in, content.buf, content.len, 0);
	if (!e)
		e = gpgme_data_new(&out);
	if (!e)
		e = gpgme_op_sign(ctx, in, out, GPGME_SIG_MODE_DETACH);
	if (e) {
		hp_error(err, "cannot sign '%s' with key '%s': %s", path, keyid,
			 GPG_MSG(e));
		goto out;
	}
	sres = gpgme_op_sign_result(ctx);
	if (!sres || sres->invalid_signers || !sres->signatures) {
		hp_error(err, "cannot sign '%s' with key '%s': %s", path, keyid,
			 sres && sres->invalid_signers ?
			 GPG_MSG(sres->invalid_signers->reason) : "no signature made");
		goto out;
	}
	sig = gpgme_data_release_and_get_mem(out, &sig_len);
	out = NULL;
	if (!sig || !sig_len) {
		hp_error(err, "cannot sign '%s' with key '%s': empty signature", path, keyid);
		goto out;
	}
	if (hp_write_file_atomic(sig_path, sig, sig_len, 0644, err) < 0)
		goto out;
	ret = 0;
out:
	if (sig)
		gpgme_free(sig);
	gpgme_data_release(in);
	gpgme_data_release(out);
	if (key)
		gpgme_key_unref(key);
	if (ctx)
		gpgme_release(ctx);
	hp_strbuf_release(&content);
	return ret;
}

/* --- keyrings --- */

static struct hp_keyring *keyring_new(const char *home, int ephemeral, struct hp_strbuf *err)
{
	struct hp_keyring *kr = hp_xcalloc(1, sizeof(*kr));

	kr->home = hp_xstrdup(home);
	kr->ephemeral = ephemeral;
	if (new_ctx(&kr->ctx, home, err) < 0) {
		hp_keyring_free(kr);
		return NULL;
	}
	return kr;
}

struct hp_keyring *hp_keyring_open(const char *gnupg_home, struct hp_strbuf *err)
{
	struct stat st;

	if (gnupg_home) {
		if (stat(gnupg_home, &st) < 0) {
			hp_error_errno(err, errno, "cannot use GnuPG home '%s'", gnupg_home);
			return NULL;
		}
		if (!S_ISDIR(st.st_mode)) {
			hp_error(err, "cannot use GnuPG home '%s': not a directory", gnupg_home);
			return NULL;
		}
	}
	return keyring_new(gnupg_home, 0, err);
}

struct hp_keyring *hp_keyring_new_ephemeral(struct hp_strbuf *err)
{
	/* The keyring holds only the keys the admin named, so importing is
	 * the trust decision and gpg need not keep a trustdb ("trust-model
	 * always"; gpg then reports validity "unknown", which
	 * check_signature accepts for ephemeral homes only). No daemon is
	 * needed to import public keys or verify, so none is started
	 * ("no-autostart"), and keys are never fetched from the network. */
	static const char conf[] =
		"trust-model always\n"
		"no-autostart\n"
		"no-auto-key-retrieve\n";
	struct hp_keyring *kr;
	char *home, *conf_path;

	/* Registered: a fatal signal removes it too (hp_tempdir.h). */
	home = hp_tempdir_create("hp-gnupg-", err);
	if (!home)
		return NULL;
	conf_path = hp_path_join(home, "gpg.conf");
	if (hp_write_file_atomic(conf_path, conf, sizeof(conf) - 1, 0600, err) < 0) {
		free(conf_path);
		hp_gnupg_home_remove(home);
		free(home);
		return NULL;
	}
	free(conf_path);
	kr = keyring_new(home, 1, err);
	if (!kr)
		hp_gnupg_home_remove(home);
	free(home);
	return kr;
}

void hp_keyring_free(struct hp_keyring *kr)
{
	if (!kr)
		return;
	if (kr->ctx)
		gpgme_release(kr->ctx);
	if (kr->ephemeral && kr->home)
		hp_gnupg_home_remove(kr->home);
	free(kr->home);
	free(kr);
}

const char *hp_keyring_home(const struct hp_keyring *kr)
{
	return home_name(kr->home);
}

int hp_keyring_import_file(struct hp_keyring *kr, const char *key_path, struct hp_strbuf *err)
{
	struct hp_strbuf content = HP_STRBUF_INIT;
	gpgme_data_t data = NULL;
	gpgme_import_result_t ires;
	gpgme_error_t e;
	int ret = -1;

	if (hp_read_file_max(key_path, KEY_MAX, &content, err) < 0)
		goto out;
	e = gpgme_data_new_from_mem(&data, content.buf, content.len, 0);
	if (!e)
		e = gpgme_op_import(kr->ctx, data);
	if (e) {
		hp_error(err, "cannot import keys from '%s': %s", key_path, GPG_MSG(e));
		goto out;
	}
	ires = gpgme_op_import_result(kr->ctx);
	if (!ires || ires->imported + ires->unchanged == 0) {
		hp_error(err, "cannot import keys from '%s': no OpenPGP public key in it", key_path);
		goto out;
	}
	ret = 0;
out:
	gpgme_data_release(data);
	hp_strbuf_release(&content);
	return ret;
}

void hp_verify_result_init(struct hp_verify_result *res)
{
	res->fpr = NULL;
	res->uid = NULL;
}

void hp_verify_result_release(struct hp_verify_result *res)
{
	free(res->fpr);
	free(res->uid);
	hp_verify_result_init(res);
}

/* The key of `fpr` (a primary or subkey fingerprint) in the keyring, or NULL. */
static gpgme_key_t keyring_key(struct hp_keyring *kr, const char *fpr)
{
	gpgme_key_t key = NULL;

	if (!fpr || gpgme_get_key(kr->ctx, fpr, &key, 0))
		return NULL;
	return key;
}

static const char *key_uid(gpgme_key_t key)
{
	return key && key->uids && key->uids->uid ? key->uids->uid : "an unknown user id";
}

/* Checks one signature; 0 if acceptable, else -1 with the message. */
static int check_signature(struct hp_keyring *kr, const char *path, gpgme_signature_t sig,
			   struct hp_strbuf *err)
{
	const char *fpr = sig->fpr ? sig->fpr : "(no fingerprint)";
	gpgme_key_t key = keyring_key(kr, sig->fpr);
	gpgme_sigsum_t bad = GPGME_SIGSUM_RED | GPGME_SIGSUM_KEY_REVOKED |
			     GPGME_SIGSUM_KEY_EXPIRED | GPGME_SIGSUM_SIG_EXPIRED |
			     GPGME_SIGSUM_KEY_MISSING | GPGME_SIGSUM_BAD_POLICY |
			     GPGME_SIGSUM_SYS_ERROR;
	int ret = -1;

	switch (gpg_err_code(sig->status)) {
	case GPG_ERR_NO_ERROR:
		break;
	case GPG_ERR_NO_PUBKEY:
		hp_error(err, "'%s': signed by unknown key %s", path, fpr);
		goto out;
	case GPG_ERR_BAD_SIGNATURE:
		hp_error(err, "'%s': BAD signature from %s (%s)", path, key_uid(key), fpr);
		goto out;
	case GPG_ERR_KEY_EXPIRED:
		hp_error(err, "'%s': signature from %s (%s) made by an expired key", path,
			 key_uid(key), fpr);
		goto out;
	case GPG_ERR_SIG_EXPIRED:
		hp_error(err, "'%s': signature from %s (%s) has expired", path, key_uid(key), fpr);
		goto out;
	case GPG_ERR_CERT_REVOKED:
		hp_error(err, "'%s': signature from %s (%s) made by a revoked key", path,
			 key_uid(key), fpr);
		goto out;
	default:
		hp_error(err, "'%s': signature from %s (%s) cannot be verified: %s", path,
			 key_uid(key), fpr, GPG_MSG(sig->status));
		goto out;
	}
	if (!key) {
		hp_error(err, "'%s': signed by unknown key %s", path, fpr);
		goto out;
	}
	if (sig->summary & bad) {
		hp_error(err, "'%s': signature from %s (%s) is not valid (gpg summary 0x%x)", path,
			 key_uid(key), fpr, (unsigned)sig->summary);
		goto out;
	}
	/* In a shared home (the operator's) being present is not being
	 * trusted: gpg's own validity must say so. In an ephemeral home
	 * membership is the trust decision (see hp_sign.h). */
	if (!kr->ephemeral && !(sig->summary & GPGME_SIGSUM_VALID)) {
		hp_error(err, "'%s': good signature from %s (%s), but the key is not trusted in '%s'",
			 path, key_uid(key), fpr, home_name(kr->home));
		goto out;
	}
	if (key->revoked || key->expired || key->disabled || key->invalid) {
		hp_error(err, "'%s': signature from %s (%s): the key is %s", path, key_uid(key),
			 fpr, key->revoked ? "revoked" : key->expired ? "expired" :
			 key->disabled ? "disabled" : "invalid");
		goto out;
	}
	if (sig->wrong_key_usage) {
		hp_error(err, "'%s': signature from %s (%s) made by a key not meant for signing",
			 path, key_uid(key), fpr);
		goto out;
	}
	/* RHEL 9 / Fedora crypto policy: SHA-1 (and older) digests no
	 * longer make a signature; collisions are practical. */
	if (sig->hash_algo == GPGME_MD_SHA1 || sig->hash_algo == GPGME_MD_MD5 ||
	    sig->hash_algo == GPGME_MD_RMD160 || sig->hash_algo == GPGME_MD_MD2 ||
	    sig->hash_algo == GPGME_MD_MD4 || sig->hash_algo == GPGME_MD_TIGER ||
	    sig->hash_algo == GPGME_MD_HAVAL) {
		hp_error(err, "'%s': signature from %s (%s) uses the weak digest %s; refused",
			 path, key_uid(key), fpr, gpgme_hash_algo_name(sig->hash_algo) ?
			 gpgme_hash_algo_name(sig->hash_algo) : "(unknown)");
		goto out;
	}
	ret = 0;
out:
	if (key)
		gpgme_key_unref(key);
	return ret;
}

int hp_keyring_verify_file(struct hp_keyring *kr, const char *path, const char *sig_path,
			   struct hp_verify_result *res, struct hp_strbuf *err)
{
	struct hp_strbuf text = HP_STRBUF_INIT, sigbuf = HP_STRBUF_INIT;
	gpgme_data_t d_text = NULL, d_sig = NULL;
	gpgme_verify_result_t vres;
	gpgme_signature_t s;
	gpgme_error_t e;
	struct stat st;
	int ret = -1;

	if (res)
		hp_verify_result_release(res);
	if (stat(sig_path, &st) < 0 && errno == ENOENT)
		return hp_error(err, "'%s': no signature file '%s'", path, sig_path);
	if (hp_read_file_max(path, SIGNED_MAX, &text, err) < 0 ||
	    hp_read_file_max(sig_path, KEY_MAX, &sigbuf, err) < 0)
		goto out;
	e = gpgme_data_new_from_mem(&d_text, text.buf, text.len, 0);
	if (!e)
		e = gpgme_data_new_from_mem(&d_sig, sigbuf.buf, sigbuf.len, 0);
	if (e) {
		hp_error(err, "'%s': cannot verify: %s", path, GPG_MSG(e));
		goto out;
	}
	e = gpgme_op_verify(kr->ctx, d_sig, d_text, NULL);
	switch (gpg_err_code(e)) {
	case GPG_ERR_NO_ERROR:
		break;
	case GPG_ERR_NO_DATA:
	case GPG_ERR_BAD_DATA:
	case GPG_ERR_INV_PACKET:
	case GPG_ERR_UNKNOWN_PACKET:
	case GPG_ERR_INV_ARMOR:
		hp_error(err, "'%s': signature is not a valid OpenPGP signature", path);
		goto out;
	default:
		hp_error(err, "'%s': cannot verify signature '%s': %s", path, sig_path,
			 GPG_MSG(e));
		goto out;
	}
	vres = gpgme_op_verify_result(kr->ctx);
	if (!vres || !vres->signatures) {
		hp_error(err, "'%s': signature is not a valid OpenPGP signature", path);
		goto out;
	}
	for (s = vres->signatures; s; s = s->next)
		if (check_signature(kr, path, s, err) < 0)
			goto out;
	if (res) {
		gpgme_key_t key = keyring_key(kr, vres->signatures->fpr);

		/* Report the primary key's fingerprint: that is what admins
		 * configure and see in `gpg -k`, even for subkey signatures. */
		res->fpr = hp_xstrdup(key && key->fpr ? key->fpr : vres->signatures->fpr);
		res->uid = key && key->uids ? hp_xstrdup(key->uids->uid) : NULL;
		if (key)
			gpgme_key_unref(key);
	}
	ret = 0;
out:
	gpgme_data_release(d_text);
	gpgme_data_release(d_sig);
	hp_strbuf_release(&text);
	hp_strbuf_release(&sigbuf);
	return ret;
}

/* --- removing throwaway homes --- */

static const char *gpgconf_path(void)
{
	gpgme_engine_info_t info;

	if (gpgme_setup(NULL) < 0 || gpgme_get_engine_info(&info))
		return "gpgconf";
	for (; info; info = info->next)
		if (info->protocol == GPGME_PROTOCOL_GPGCONF && info->file_name)
			return info->file_name;
	return "gpgconf";
}

static void run_gpgconf(const char *home, const char *a1, const char *a2)
{
	const char *prog = gpgconf_path();
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (a2)
			execlp(prog, "gpgconf", "--homedir", home, a1, a2, (char *)NULL);
		else
			execlp(prog, "gpgconf", "--homedir", home, a1, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

void hp_gnupg_home_remove(const char *home)
{
	struct stat st;

	if (!home)
		return;
	if (stat(home, &st) == 0) {
		/* Agents started for the home (key generation, signing) would
		 * keep running and hold its sockets; socket dirs under
		 * /run/user go too. */
		run_gpgconf(home, "--kill", "all");
		run_gpgconf(home, "--remove-socketdir", NULL);
		hp_remove_tree(home);
	}
	/* unregistered last: a signal meanwhile still removes it */
	hp_tempdir_forget(home);
}
