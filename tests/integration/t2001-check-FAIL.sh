#!/bin/bash
# hotpatch check must refuse, with exit 1 and one clear line: an unsigned or
# wrongly signed repository, expired metadata, a metadata rollback, a missing
# rpmdb; and exit 2 with one line for usage errors.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild rpm createrepo_c gpg jq
HP=$(hp_bin hotpatch)
HR=$(hp_bin hotpatch-repo)

repo=$(hp_tmpdir repo)
gpghome=$HP_TEST_TMP/gnupg
key=$HP_TEST_TMP/key.asc
fpr=$(hp_bad_test_repo "$repo" "$gpghome" "$key" --expires-days 5)

root=$(hp_tmpdir root)
hp_installroot "$root"
hp_rpm_install "$root" "$repo"/kernel-core-6.1.0-57.x86_64.rpm
export HP_UNAME_R=6.1.0-57-amd64

# one error line, "hotpatch: error: ...", exit 1
refused() {
	local pattern=$1
	shift
	hp_assert_exit 1 "$HP" "$@"
	hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "one error line for: $*"
	hp_assert_contains "$HP_ERR" "^hotpatch: error: $pattern"
	hp_assert_eq "" "$(cat "$HP_OUT")" "nothing on stdout for: $*"
}

# the good case first (records revision 1 in the root's state)
hp_assert_exit 100 "$HP" --root "$root" --repo "$repo" --gpgkey "$key" check

# no key to trust / a key that did not sign it
refused ".*no key to trust is configured" --root "$root" --repo "$repo" check
other=$HP_TEST_TMP/gnupg-other
hp_gpg_init "$other" >/dev/null
hp_gpg_export "$other" "$HP_TEST_TMP/other.asc"
refused ".*signed by unknown key" --root "$root" --repo "$repo" --gpgkey "$HP_TEST_TMP/other.asc" check

# unsigned, also as a file:// URL; accepted with --nogpgcheck
unsigned=$(hp_tmpdir unsigned)
cp -a "$repo/." "$unsigned/"
"$HR" publish "$unsigned" >/dev/null 2>&1
refused ".*no signature file" --root "$root" --repo "$unsigned" --gpgkey "$key" check
refused ".*no signature file" --root "$root" --repo "file://$unsigned" --gpgkey "$key" check
hp_assert_exit 100 "$HP" --root "$root" --repo "file://$unsigned" --nogpgcheck check

# expired metadata (published with --expires-days 5)
HP_NOW=$(($(date +%s) + 6 * 86400)) refused '.*expired on' --root "$root" --repo "$repo" \
	--gpgkey "$key" check

# rollback: an older copy of the same repository after a newer one was seen
old=$HP_TEST_TMP/old-repo
cp -a "$repo" "$old"
"$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" >/dev/null
hp_assert_exit 100 "$HP" --root "$root" --repo "$repo" --gpgkey "$key" check
rm -rf "$repo"
mv "$old" "$repo"
refused '.*rollback refused' --root "$root" --repo "$repo" --gpgkey "$key" check

# the rpmdb: root missing, no rpmdb there, wrong --dbpath
refused "cannot use root '$HP_TEST_TMP/nowhere'" --root "$HP_TEST_TMP/nowhere" needs-reboot
empty=$(hp_tmpdir empty)
refused "cannot open the rpm database at '$empty/root/.rpmdb': No such file or directory" \
	--root "$empty" --repo "$repo" --nogpgcheck check
refused "cannot open the rpm database at '$root/var/lib/nodb'" \
	--root "$root" --dbpath /var/lib/nodb --nogpgcheck --repo "$repo" check

# usage errors: exit 2, one line, nothing run
for args in "check --bogus" "frobnicate" "" "check extra" "--root" "check --running kernel-core" \
	"--running =1-1 check" "--json=yes check" "--bogus" "status --all" "needs-reboot now"; do
	# shellcheck disable=SC2086
	hp_assert_exit 2 "$HP" $args
	hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "usage error for '$args': one line"
	hp_assert_contains "$HP_ERR" "^hotpatch: error: "
done
# a command's own option before the command word: say where it goes
for args in "--timeout 5 apply" "--timeout=5 revert --all" "--all apply"; do
	# shellcheck disable=SC2086
	hp_assert_exit 2 "$HP" $args
	hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "usage error for '$args': one line"
	hp_assert_contains "$HP_ERR" "is an option of .*apply.*: it goes after the command word"
done
hp_assert_exit 2 "$HP" --timeout 5 apply
hp_assert_contains "$HP_ERR" "^hotpatch: error: '--timeout' is an option of apply/revert/reapply"
hp_assert_not_contains "$HP_ERR" "unknown command"
echo "t2001-check-FAIL: ok"
