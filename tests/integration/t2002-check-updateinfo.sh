#!/bin/bash
# hotpatch check --updateinfo: the packages that reboot_suggested advisories
# list, read by the C loader through libsolv from each repository's
# updateinfo (checksum from the signed repomd.xml, the private copy parsed),
# for repositories with hotpatch metadata and without; nothing read (and no
# field) without the option; a tampered updateinfo refused only when read;
# unsigned repos as for the hotpatch record; the option after the command word.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild rpm createrepo_c modifyrepo_c gpg jq xz
HP=$(hp_bin hotpatch)
HR=$(hp_bin hotpatch-repo)

gpghome=$HP_TEST_TMP/gnupg
fpr=$(hp_gpg_init "$gpghome")
key=$HP_TEST_TMP/key.asc
hp_gpg_export "$gpghome" "$key"

root=$(hp_tmpdir root)
hp_installroot "$root"

# --- a plain distribution repo (no hotpatch metadata): openssl-libs 3.0.12
# (advisory with reboot_suggested) and 3.0.13 (advisory without), the same
# NEVRA in a second reboot advisory (listed once, smallest id)
plain=$(hp_tmpdir plain)
o12=$(hp_build_rpm openssl-libs "$plain" --define 'ver 3.0.12')
o13=$(hp_build_rpm openssl-libs "$plain" --define 'ver 3.0.13')
hp_make_repo "$plain"
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<updates>'
	hp_updateinfo_update --reboot HP-2026-0003 Important - "$o12"
	hp_updateinfo_update --reboot HP-2026-0002 Important CVE-2026-1111 "$o12"
	hp_updateinfo_update HP-2026-0004 Low - "$o13"
	echo '</updates>'
} >"$HP_TEST_TMP/plain-ui.xml"
hp_add_updateinfo "$plain" "$HP_TEST_TMP/plain-ui.xml"
hp_gpg_sign "$gpghome" "$plain/repodata/repomd.xml"

# --- default: no updateinfo read, no field
hp_assert_exit 0 "$HP" --root "$root" --repo "$plain" --gpgkey "$key" check --json
hp_assert_eq null "$(jq -c .reboot_suggested "$HP_OUT")" "no reboot_suggested without --updateinfo"
hp_assert_contains "$HP_OUT" 'publishes no hotpatch metadata'

# --- --updateinfo on a repo without hotpatch metadata
hp_assert_exit 0 "$HP" --root "$root" --repo "$plain" --gpgkey "$key" check --json --updateinfo
hp_assert_eq '[{"name":"openssl-libs","evr":"3.0.12-1","arch":"x86_64","advisory":"HP-2026-0002"}]' \
	"$(jq -c .reboot_suggested "$HP_OUT")"
# text: a short section
hp_assert_exit 0 "$HP" --root "$root" --repo "$plain" --gpgkey "$key" check --updateinfo
hp_assert_contains "$HP_OUT" '^Reboot suggested by advisories \(1 package\):$'
hp_assert_contains "$HP_OUT" '^  openssl-libs-3\.0\.12-1\.x86_64 \(HP-2026-0002\)$'

# --- a tampered updateinfo (repomd.xml, still validly signed, names other
# bytes): refused with --updateinfo, unseen without it
tampered=$(hp_tmpdir tampered)
cp -a "$plain/." "$tampered/"
ui=$(ls "$tampered"/repodata/*-updateinfo.xml.gz)
zcat "$ui" | sed 's/HP-2026-0004/HP-2026-0666/' | gzip -n >"$ui.new"
mv "$ui.new" "$ui"
hp_assert_exit 1 "$HP" --root "$root" --repo "$tampered" --gpgkey "$key" check --updateinfo
hp_assert_contains "$HP_ERR" 'updateinfo\.xml\.gz.*checksum mismatch with repomd\.xml'
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "tampered updateinfo: one error line"
hp_assert_exit 0 "$HP" --root "$root" --repo "$tampered" --gpgkey "$key" check

# --- unsigned: refused unless --nogpgcheck, as for the hotpatch record;
# xz-compressed updateinfo (libsolv opens it)
unsigned=$(hp_tmpdir unsigned)
cp -a "$plain/." "$unsigned/"
rm -f "$unsigned/repodata/repomd.xml.asc"
cp "$HP_TEST_TMP/plain-ui.xml" "$HP_TEST_TMP/updateinfo.xml"
modifyrepo_c --compress-type xz --mdtype updateinfo "$HP_TEST_TMP/updateinfo.xml" \
	"$unsigned/repodata" >/dev/null 2>&1
ls "$unsigned"/repodata/*-updateinfo.xml.xz >/dev/null
hp_assert_exit 1 "$HP" --root "$root" --repo "$unsigned" --gpgkey "$key" check --updateinfo
hp_assert_exit 0 "$HP" --root "$root" --repo "$unsigned" --nogpgcheck check --json --updateinfo
hp_assert_eq 'openssl-libs 3.0.12-1 HP-2026-0002' \
	"$(jq -r '.reboot_suggested[] | "\(.name) \(.evr) \(.advisory)"' "$HP_OUT")"

# --- a hotpatch repo (user-space hotpatch, published and signed by
# hotpatch-repo) whose updateinfo suggests a reboot for kernel-core 58,
# checked together with the plain repo: both lists, hotpatch still offered
hprepo=$(hp_tmpdir hprepo)
hp_build_rpm kernel-core "$hprepo" >/dev/null
k58=$(hp_build_rpm kernel-core "$hprepo" --define 'krel 58')
o11=$(hp_build_rpm openssl-libs "$hprepo")
hp_rpm_install "$root" "$o11"
ulp=$HP_TEST_TMP/libssl_livepatch1.so
echo "user-space live patch for libssl 3.0.11-1" >"$ulp"
hp_build_rpm hotpatch "$hprepo" --define "payload $ulp" --define 'hp_name openssl-libs-hotpatch' \
	--define 'component openssl-libs' --define 'build 3.0.11-1' --define 'engine ucare' >/dev/null
hp_make_repo "$hprepo"
hp_updateinfo_xml --reboot HP-2026-0010 Important CVE-2026-3333 "$k58" >"$HP_TEST_TMP/hp-ui.xml"
hp_add_updateinfo "$hprepo" "$HP_TEST_TMP/hp-ui.xml"
"$HR" baseline add "$hprepo" --id B1 --kind planned --issued 2026-10-01 \
	--supported-until 2099-12-31 --build openssl-libs=3.0.11-1 >/dev/null
"$HR" publish "$hprepo" --sign-key "$fpr" --gnupg-home "$gpghome" >/dev/null
common=(--root "$root" --repo "$hprepo" --repo "$plain" --gpgkey "$key"
	--running openssl-libs=3.0.11-1)
hp_assert_exit 100 "$HP" "${common[@]}" check --json --updateinfo
hp_assert_eq "openssl-libs-hotpatch" "$(jq -r '[.available[].package] | join(" ")' "$HP_OUT")"
hp_assert_eq 'kernel-core 6.1.0-58 HP-2026-0010,openssl-libs 3.0.12-1 HP-2026-0002' \
	"$(jq -r '[.reboot_suggested[] | "\(.name) \(.evr) \(.advisory)"] | join(",")' "$HP_OUT")"
hp_assert_exit 100 "$HP" "${common[@]}" check --json
hp_assert_eq null "$(jq -c .reboot_suggested "$HP_OUT")"

# --- usage: a check option, after the command word; unknown options refused
hp_assert_exit 2 "$HP" --root "$root" --repo "$plain" --updateinfo check
hp_assert_contains "$HP_ERR" "'--updateinfo' is an option of check"
hp_assert_exit 2 "$HP" --root "$root" --repo "$plain" check --bogus
hp_assert_contains "$HP_ERR" "unknown option '--bogus' for 'check'"
hp_assert_exit 0 "$HP" --help
hp_assert_contains "$HP_OUT" '^  check \[--updateinfo\] '

echo "t2002-check-updateinfo: ok"
