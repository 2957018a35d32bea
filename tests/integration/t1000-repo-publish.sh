#!/bin/bash
# hotpatch-repo: baselines, publish (signed), verify, list, re-publish after
# `createrepo_c --update`, and verify refusing tampered metadata.  Real
# rpmbuild packages, a real livepatch .ko, createrepo_c, modifyrepo_c and gpg.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild createrepo_c modifyrepo_c gpg jq
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)

repo=$(hp_tmpdir repo)
hp_build_rpm kernel-core "$repo" >/dev/null
hp_build_rpm kernel-core "$repo" --define 'krel 58' >/dev/null
hp_build_rpm openssl-libs "$repo" >/dev/null
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v1.ko" >/dev/null
# v2 with a zstd payload (rpm 4.18's usual choice elsewhere; Debian's default is gzip)
kp2=$(hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v2.ko" \
	--define 'hp_version 2' --define '_binary_payload w19.zstdio')
ulp=$HP_TEST_TMP/libssl_livepatch1.so
echo "user-space live patch for libssl 3.0.11-1" >"$ulp"
sp=$(hp_build_rpm hotpatch "$repo" --define "payload $ulp" --define 'hp_name openssl-libs-hotpatch' \
	--define 'component openssl-libs' --define 'build 3.0.11-1' --define 'engine ucare')
hp_make_repo "$repo"
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<updates>'
	hp_updateinfo_update --issued '2026-03-02 00:00:00' HP-2026-0002 Important \
		CVE-2026-1111,CVE-2026-2222 "$kp2"
	hp_updateinfo_update --issued '2026-03-05 00:00:00' HP-2026-0003 Critical CVE-2026-3333 "$sp"
	echo '</updates>'
} >"$HP_TEST_TMP/updateinfo.xml"
hp_add_updateinfo "$repo" "$HP_TEST_TMP/updateinfo.xml"

gpghome=$HP_TEST_TMP/gnupg
fpr=$(hp_gpg_init "$gpghome")

# --- baselines
hp_assert_exit 0 "$HR" baseline add "$repo" --id 2026-Q3 --kind planned --issued 2026-07-01 \
	--supported-until 2026-12-31 --build kernel-core=6.1.0-57 --build openssl-libs=3.0.11-1
hp_assert_exit 0 "$HR" baseline add "$repo" --id 2026-Q4 --kind unplanned --issued 2026-10-01 \
	--build kernel-core=6.1.0-58
hp_assert_exit 1 "$HR" baseline add "$repo" --id 2026-Q4 --kind planned --issued 2026-10-01 \
	--build kernel-core=6.1.0-58
hp_assert_contains "$HP_ERR" "^hotpatch-repo: error: baseline '2026-Q4' already exists"
hp_assert_exit 1 "$HR" baseline add "$repo" --id X --kind planned --issued 2026-10-01 \
	--supported-until 2026-09-01 --build kernel-core=6.1.0-58
hp_assert_contains "$HP_ERR" "supported-until 2026-09-01 is before issued 2026-10-01"
# option values of the wrong form are usage errors (exit 2, as t3000 has it)
hp_assert_exit 2 "$HR" baseline add "$repo" --id X --kind planned --issued 2026-10-01 --build kernel-core=6.1.0
hp_assert_contains "$HP_ERR" "not of the form \[E:\]V-R"
hp_assert_exit 2 "$HR" baseline add "$repo" --id X --kind weekly --issued 2026-10-01 --build a=1-1
hp_assert_exit 2 "$HR" baseline add "$repo" --id X --kind planned --issued 2026-13-01 --build a=1-1
hp_assert_exit 2 "$HR" baseline add "$repo" --id X --kind planned --issued 2026-10-01 --build =1-1
hp_assert_exit 2 "$HR" baseline add "$repo" --id X --kind planned --issued 2026-10-01
hp_assert_contains "$HP_ERR" "option '--build' is required"
hp_assert_exit 2 "$HR" baseline add "$repo" --frobnicate
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "garbage arguments: one line"
hp_assert_exit 0 "$HR" baseline list "$repo"
hp_assert_contains "$HP_OUT" '^2026-Q3 +planned +2026-07-01 +2026-12-31 +kernel-core=6.1.0-57, openssl-libs=3.0.11-1'
hp_assert_exit 0 "$HR" baseline list "$repo" --json
hp_assert_eq 2 "$(jq length "$HP_OUT")"
hp_assert_eq "unplanned null kernel-core 6.1.0-58" \
	"$(jq -r '.[1] | "\(.kind) \(.supported_until) \(.builds[0].name) \(.builds[0].evr)"' "$HP_OUT")"

# --- publish, signed
hp_assert_exit 0 "$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" --expires-days 10
hp_assert_contains "$HP_OUT" "revision 1: 2 baselines, 3 hotpatches, signed by $fpr"
hp_assert_not_contains "$HP_ERR" UNSIGNED
hp_gpg_export "$gpghome" "$HP_TEST_TMP/key.asc"
hp_gpg_verify "$HP_TEST_TMP/key.asc" "$repo/repodata/repomd.xml"
ls "$repo"/repodata/*-hotpatch.xml.gz >/dev/null

hp_assert_exit 0 "$HR" verify "$repo" --gnupg-home "$gpghome"
hp_assert_contains "$HP_OUT" "^OK: .* revision 1, 2 baselines, 3 hotpatches"
hp_assert_exit 0 "$HR" verify "$repo" --gnupg-home "$gpghome" --json
hp_assert_eq "true 1 2 3 0" "$(jq -r '"\(.ok) \(.revision) \(.baselines) \(.hotpatches) \(.problems|length)"' "$HP_OUT")"
hp_assert_contains "$(jq -r .signed_by "$HP_OUT")" "$fpr"
hp_assert_eq "$(date -u -d '+10 days' +%F)" "$(jq -r .expires "$HP_OUT")"

hp_assert_exit 0 "$HR" list "$repo"
hp_assert_contains "$HP_OUT" '^kernel-hotpatch +2-1 +x86_64 +kernel-core +6.1.0-57 +klp +Important'
hp_assert_exit 0 "$HR" list "$repo" --json
hp_assert_eq 3 "$(jq length "$HP_OUT")"
k2='.[] | select(.package == "kernel-hotpatch" and .evr == "2-1")'
hp_assert_eq "x86_64 kernel-core 6.1.0-57 klp /usr/lib/hotpatch/kernel-core/6.1.0-57/livepatch_cmdline_v2.ko" \
	"$(jq -r "$k2 | \"\(.arch) \(.component) \(.build) \(.engine) \(.payload)\"" "$HP_OUT")"
hp_assert_eq "$(sha256sum <"$klp/livepatch_cmdline_v2.ko" | cut -d' ' -f1)" "$(jq -r "$k2 | .sha256" "$HP_OUT")"
hp_assert_eq "CVE-2026-1111 CVE-2026-2222 Important 2026-03-02" \
	"$(jq -r "$k2 | \"\(.cves | join(\" \")) \(.severity) \(.issued)\"" "$HP_OUT")"
s1='.[] | select(.package == "openssl-libs-hotpatch")'
hp_assert_eq "openssl-libs 3.0.11-1 ucare /usr/lib/hotpatch/openssl-libs/3.0.11-1/libssl_livepatch1.so CVE-2026-3333 Critical" \
	"$(jq -r "$s1 | \"\(.component) \(.build) \(.engine) \(.payload) \(.cves[0]) \(.severity)\"" "$HP_OUT")"
hp_assert_eq "[] null" "$(jq -c '.[] | select(.evr == "1-1" and .package == "kernel-hotpatch") | [.cves, .severity]' "$HP_OUT" | jq -r '"\(.[0]) \(.[1])"')"

# --- createrepo_c --update drops the record and leaves a stale signature
hp_make_repo "$repo" --update
hp_assert_exit 1 "$HR" verify "$repo" --gnupg-home "$gpghome"
hp_assert_contains "$HP_ERR" "BAD signature.*no hotpatch record in repomd.xml"
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "stale signature and dropped record: one line"
hp_assert_exit 0 "$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome"
hp_assert_contains "$HP_OUT" "revision 2: 2 baselines, 3 hotpatches, signed by $fpr; 3 unchanged packages from the scan cache"
hp_assert_eq 3 "$(jq '.packages | length' "$repo/.hotpatch/cache.json")"
hp_assert_exit 0 "$HR" verify "$repo" --gnupg-home "$gpghome" --json
hp_assert_eq "true 2" "$(jq -r '"\(.ok) \(.revision)"' "$HP_OUT")"
hp_assert_eq "$(date -u -d '+30 days' +%F)" "$(jq -r .expires "$HP_OUT")"

# --- unsigned publish removes the stale signature and warns; a garbage
# scan cache is ignored (and rewritten)
unsigned=$(hp_tmpdir unsigned)
cp -a "$repo/." "$unsigned/"
echo '{"version":1,"packages":{"x":' >"$unsigned/.hotpatch/cache.json"
hp_assert_exit 0 "$HR" publish "$unsigned"
hp_assert_contains "$HP_ERR" "published UNSIGNED"
hp_assert_contains "$HP_OUT" "revision 3: .* UNSIGNED"
hp_assert_not_contains "$HP_OUT" "scan cache"
[ ! -e "$unsigned/repodata/repomd.xml.asc" ] || hp_fail "stale repomd.xml.asc kept"
hp_assert_eq 3 "$(jq '.packages | length' "$unsigned/.hotpatch/cache.json")"
hp_assert_exit 1 "$HR" verify "$unsigned" --gnupg-home "$gpghome"
hp_assert_contains "$HP_ERR" "not signed"

# --- expired metadata
HP_NOW=$(($(date +%s) + 31 * 86400)) hp_assert_exit 1 "$HR" verify "$repo" --gnupg-home "$gpghome"
hp_assert_contains "$HP_ERR" "expired on"

# --- tampering: repomd.xml, then the hotpatch file
t1=$(hp_tmpdir tamper)
cp -a "$repo/." "$t1/"
sed -i 's|<revision>|<revision>9|' "$t1/repodata/repomd.xml"
hp_assert_exit 1 "$HR" verify "$t1" --gnupg-home "$gpghome" --json
hp_assert_eq false "$(jq -r .ok "$HP_OUT")"
hp_assert_contains "$(jq -r '.problems[]' "$HP_OUT")" "BAD signature"
t2=$(hp_tmpdir tamper)
cp -a "$repo/." "$t2/"
f=$(ls "$t2"/repodata/*-hotpatch.xml.gz)
zcat "$f" | sed 's/livepatch_cmdline_v2/livepatch_cmdline_v9/' | gzip -n >"$f.new"
mv "$f.new" "$f"
hp_assert_exit 1 "$HR" verify "$t2" --gnupg-home "$gpghome"
hp_assert_contains "$HP_ERR" "checksum mismatch"

# --- usage errors
hp_assert_exit 2 "$HR" publish
hp_assert_exit 2 "$HR" publish "$repo" --expires-days zero
hp_assert_exit 2 "$HR" nosuch
hp_assert_exit 0 "$HR" verify --help
hp_assert_contains "$HP_OUT" "usage: hotpatch-repo verify REPO"
hp_assert_exit 1 "$HR" publish "$HP_TEST_TMP"
hp_assert_contains "$HP_ERR" "not a repository \(no repodata/repomd.xml\); run createrepo_c first"
# --- the man page documents every command and option the help shows
if command -v man >/dev/null 2>&1; then
	page=$(MANWIDTH=1000 man -l "$HP_SRC_DIR/packaging/man/hotpatch-repo.8" 2>/dev/null | col -b)
	"$HR" --help >"$HP_TEST_TMP/help.txt"
	grep -o -- '--[a-z][a-z-]*' "$HP_TEST_TMP/help.txt" | sort -u | while read -r opt; do
		hp_assert_contains "$page" "$opt"
	done
	# each command's synopsis: tests/cli/man-synopsis.sh compares the SYNOPSIS section
	"$HR" --help-synopsis | awk '{print $2, $3}' | while read -r c1 c2; do
		[ "$c2" = REPO ] && c2=
		hp_assert_contains "$page" "hotpatch-repo $c1${c2:+ $c2} REPO"
	done
fi
echo "t1000-repo-publish: ok"
