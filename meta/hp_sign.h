/* Signing and verifying repository metadata with OpenPGP (gpgme).
 *
 * Mirror operators sign repomd.xml with a detached, ASCII-armored signature
 * (repomd.xml.asc); clients verify it against a keyring that holds only the
 * keys they were told to trust.
 *
 * Trust decision (hp_keyring_verify_file): every signature must be
 * cryptographically good (status GPG_ERR_NO_ERROR) with no "red" summary flag
 * (bad, revoked/expired key, expired signature, missing key), made by a key
 * present in the keyring that is not revoked, expired, disabled or invalid.
 * Then:
 * - An ephemeral keyring contains exactly the keys the admin configured
 *   (gpgkey= / --gpgkey), so being imported IS the trust decision, as for
 *   librepo's and rpm's repo keys. We do not fake web-of-trust validity
 *   (gpgme_op_keysign would need a secret key in the throwaway home; gpg's
 *   "trust-model always" still reports validity "unknown"), so
 *   GPGME_SIGSUM_VALID is not required there.
 * - An opened home (the operator's ~/.gnupg) may hold any key ever imported;
 *   there presence is not trust: GPGME_SIGSUM_VALID is required (own keys are
 *   ultimately trusted; others must be certified). */
#ifndef HP_SIGN_H
#define HP_SIGN_H

#include "hp_util.h"

/* Makes a detached ASCII-armored signature of `path` with the secret key
 * `keyid` (fingerprint, long id or user id, as gpg accepts) and writes it
 * atomically to `sig_path` (mode 0644). `gnupg_home` NULL means gpg's
 * default ($GNUPGHOME or ~/.gnupg). Refuses keys that are missing, have no
 * secret part, are ambiguous (several secret keys match) or cannot sign. */
int hp_sign_file(const char *path, const char *sig_path, const char *keyid,
		 const char *gnupg_home, struct hp_strbuf *err);

struct hp_keyring;

/* Opens an existing GnuPG home (NULL = gpg's default). Nothing in it is
 * modified by verification. Returns NULL and sets err if the directory does
 * not exist. Free with hp_keyring_free. */
struct hp_keyring *hp_keyring_open(const char *gnupg_home, struct hp_strbuf *err);
/* Creates an empty, private GnuPG home (mkdtemp under $TMPDIR or /tmp, mode
 * 0700). hp_keyring_free stops any gpg daemon started for it and removes it. */
struct hp_keyring *hp_keyring_new_ephemeral(struct hp_strbuf *err);
/* Closes the keyring; for an ephemeral one, kills its agents and removes the
 * directory. NULL is a no-op. */
void hp_keyring_free(struct hp_keyring *kr);
/* The GnuPG home directory of the keyring (owned by the keyring). */
const char *hp_keyring_home(const struct hp_keyring *kr);

/* Imports the (armored or binary) public keys in `key_path`. Fails when the
 * file holds no OpenPGP key. */
int hp_keyring_import_file(struct hp_keyring *kr, const char *key_path,
			   struct hp_strbuf *err);

struct hp_verify_result {
	char *fpr;    /* fingerprint of the (first) signing key, malloc'd */
	char *uid;    /* its first user id, malloc'd, NULL when unknown */
};

void hp_verify_result_init(struct hp_verify_result *res);
void hp_verify_result_release(struct hp_verify_result *res);

/* Verifies the detached signature `sig_path` of `path`. Returns 0 only when
 * there is at least one signature and every signature is good and made by a
 * key in the keyring (see the trust decision above); then fills `res` (may be
 * NULL; released first). Errors name the file:
 *   "'<path>': no signature file '<sig>'"
 *   "'<path>': BAD signature from <uid> (<fpr>)"
 *   "'<path>': signed by unknown key <fpr>"
 *   "'<path>': signature is not a valid OpenPGP signature" */
int hp_keyring_verify_file(struct hp_keyring *kr, const char *path, const char *sig_path,
			   struct hp_verify_result *res, struct hp_strbuf *err);

/* Stops the gpg daemons of `home` (gpgconf --homedir HOME --kill all) and
 * removes the directory tree. For throwaway homes (tests, ephemeral rings). */
void hp_gnupg_home_remove(const char *home);

#endif
