#!/bin/bash
# The client cache (<root>/var/cache/hotpatch, plugin/cache.c) with real rpm,
# createrepo_c and gpg: the first successful check writes it, a second check
# answers the same from it (the hotpatch document and updateinfo are not
# even read: deleted, the answer stands), an rpm transaction or a republish
# is seen at once (never stale), expiry and the signature are checked on
# every run, a damaged or foreign-writable entry is ignored, and a failed
# command writes nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild rpm createrepo_c modifyrepo_c gpg jq
HP=$(hp_bin hotpatch)
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)

repo=$(hp_tmpdir repo)
hp_build_rpm kernel-core "$repo" >/dev/null
hp_build_rpm openssl-libs "$repo" >/dev/null
kp1=$(hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v1.ko")
hp_make_repo "$repo"
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<updates>'
	hp_updateinfo_update --reboot HP-2026-0007 Important - "$repo/openssl-libs-3.0.11-1.x86_64.rpm"
	echo '</updates>'
} >"$HP_TEST_TMP/updateinfo.xml"
hp_add_updateinfo "$repo" "$HP_TEST_TMP/updateinfo.xml"
"$HR" baseline add "$repo" --id B1 --kind planned --issued 2026-10-01 \
	--build kernel-core=6.1.0-57 >/dev/null
gpghome=$HP_TEST_TMP/gnupg
fpr=$(hp_gpg_init "$gpghome")
key=$HP_TEST_TMP/key.asc
hp_gpg_export "$gpghome" "$key"
"$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" >/dev/null

root=$(hp_tmpdir root)
hp_installroot "$root"
hp_rpm_install "$root" "$repo"/kernel-core-6.1.0-57.x86_64.rpm
export HP_UNAME_R=6.1.0-57-amd64
cache=$root/var/cache/hotpatch
common=(--root "$root" --repo "$repo" --gpgkey "$key")

# --- a failed command leaves no cache behind
hp_assert_exit 1 "$HP" "${common[@]}" apply nosuch-hotpatch
[ ! -e "$cache" ] || hp_fail "a failed command wrote $cache"

# --- first check: the answer, and the cache written (root-owned, 0644)
hp_assert_exit 100 "$HP" "${common[@]}" check --json --updateinfo
cp "$HP_OUT" "$HP_TEST_TMP/first.json"
hp_assert_eq "kernel-hotpatch 1-1" "$(jq -r '.available[0] | "\(.package) \(.evr)"' "$HP_OUT")"
hp_assert_eq "openssl-libs HP-2026-0007" \
	"$(jq -r '.reboot_suggested[0] | "\(.name) \(.advisory)"' "$HP_OUT")"
id=$(basename "$(ls "$cache"/*.hotpatch)" .hotpatch)
for f in "$id.hotpatch" "$id.reboot" system.solv; do
	[ -f "$cache/$f" ] || hp_fail "no cache entry $f"
	hp_assert_eq 644 "$(stat -c %a "$cache/$f")" "mode of $f"
done

# --- second check from the cache: the same answer even with the documents
# gone (what repomd.xml names was parsed before; repomd.xml itself and its
# signature are still read and checked)
saved=$(hp_tmpdir saved)
cp -a "$repo/repodata/." "$saved/"
rm -f "$repo"/repodata/*-hotpatch.xml.gz "$repo"/repodata/*-updateinfo.xml.gz
hp_assert_exit 100 "$HP" "${common[@]}" check --json --updateinfo
hp_assert_eq "$(cat "$HP_TEST_TMP/first.json")" "$(cat "$HP_OUT")" "cached answer"
# ... and without the cache the missing file is the error it is
rm -rf "$cache"
hp_assert_exit 1 "$HP" "${common[@]}" check --json
hp_assert_contains "$HP_ERR" 'hotpatch\.xml\.gz'
[ ! -e "$cache" ] || hp_fail "a refused repository was cached"
cp -a "$saved/." "$repo/repodata/"
hp_assert_exit 100 "$HP" "${common[@]}" check --json --updateinfo
hp_assert_eq "$(cat "$HP_TEST_TMP/first.json")" "$(cat "$HP_OUT")" "rebuilt cache"

# --- the signature is checked before any cache: a tampered repomd.xml fails
cp "$repo/repodata/repomd.xml" "$HP_TEST_TMP/repomd.xml"
sed -i 's|<revision>|<revision>9|' "$repo/repodata/repomd.xml"
hp_assert_exit 1 "$HP" "${common[@]}" check --json
hp_assert_contains "$HP_ERR" 'signature'
cp "$HP_TEST_TMP/repomd.xml" "$repo/repodata/repomd.xml"

# --- expiry is checked on every load, cached or not
expires=$(zcat "$repo"/repodata/*-hotpatch.xml.gz | sed -n 's/.* expires="\([0-9]*\)".*/\1/p' | head -n1)
[ -n "$expires" ] || hp_fail "no expires attribute in the hotpatch document"
HP_NOW=$((expires + 86400)) hp_assert_exit 1 "$HP" "${common[@]}" check --json
hp_assert_contains "$HP_ERR" 'expired on'

# --- an rpm transaction is seen at once: the hotpatch installed, then erased
hp_rpm_install "$root" "$kp1"
hp_assert_exit 0 "$HP" "${common[@]}" check --json
hp_assert_eq "kernel-hotpatch" "$(jq -r '.installed[0].package' "$HP_OUT")"
hp_assert_eq 0 "$(jq '.available | length' "$HP_OUT")"
rpm --root "$root" --dbpath /root/.rpmdb -e kernel-hotpatch
hp_assert_exit 100 "$HP" "${common[@]}" check --json
hp_assert_eq "[]" "$(jq -c .installed "$HP_OUT")"

# --- a republish (v2, new checksum) is seen at once
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v2.ko" \
	--define 'hp_version 2' >/dev/null
hp_make_repo "$repo"
hp_add_updateinfo "$repo" "$HP_TEST_TMP/updateinfo.xml"
"$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" >/dev/null
hp_assert_exit 100 "$HP" "${common[@]}" check --json --updateinfo
hp_assert_eq "kernel-hotpatch 2-1" "$(jq -r '.available[0] | "\(.package) \(.evr)"' "$HP_OUT")"
cp "$HP_OUT" "$HP_TEST_TMP/v2.json"

# --- damaged or foreign-writable entries are ignored (and rewritten)
for f in "$id.hotpatch" "$id.reboot" system.solv; do
	truncate -s -3 "$cache/$f"
done
hp_assert_exit 100 "$HP" "${common[@]}" check --json --updateinfo
hp_assert_eq "$(cat "$HP_TEST_TMP/v2.json")" "$(cat "$HP_OUT")" "answer with damaged entries"
chmod 0666 "$cache/$id.hotpatch"
printf 'hotpatch-cache garbage\n' >>"$cache/$id.hotpatch"
hp_assert_exit 100 "$HP" "${common[@]}" check --json --updateinfo
hp_assert_eq "$(cat "$HP_TEST_TMP/v2.json")" "$(cat "$HP_OUT")" "answer with a world-writable entry"
hp_assert_eq 644 "$(stat -c %a "$cache/$id.hotpatch")" "entry replaced"
hp_log "cache: hit, invalidation, checks on every load, damage and failures all as promised"
