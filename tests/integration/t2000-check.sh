#!/bin/bash
# hotpatch check / status / needs-reboot against a real repository published
# and signed by hotpatch-repo and a real rpm installroot: the newest
# cumulative hotpatch for the running 6.1.0-57 (v2 over v1), nothing once it
# is installed, held-back kernel from baseline B2, unsigned repos refused
# unless --nogpgcheck, --running, options after the command word, dnf's repo
# configuration, usage errors.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild rpm createrepo_c modifyrepo_c gpg jq
HP=$(hp_bin hotpatch)
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)

# --- a signed repository: kernels 57/58, hotpatch v1 and v2 for 57, a
# user-space component with its hotpatch; baselines B1 (57) and B2 (60)
repo=$(hp_tmpdir repo)
hp_build_rpm kernel-core "$repo" >/dev/null
hp_build_rpm kernel-core "$repo" --define 'krel 58' >/dev/null
hp_build_rpm openssl-libs "$repo" >/dev/null
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v1.ko" >/dev/null
kp2=$(hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v2.ko" \
	--define 'hp_version 2')
ulp=$HP_TEST_TMP/libssl_livepatch1.so
echo "user-space live patch for libssl 3.0.11-1" >"$ulp"
hp_build_rpm hotpatch "$repo" --define "payload $ulp" --define 'hp_name openssl-libs-hotpatch' \
	--define 'component openssl-libs' --define 'build 3.0.11-1' --define 'engine ucare' >/dev/null
hp_make_repo "$repo"
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<updates>'
	hp_updateinfo_update --issued '2026-03-02 00:00:00' HP-2026-0002 Important \
		CVE-2026-1111,CVE-2026-2222 "$kp2"
	echo '</updates>'
} >"$HP_TEST_TMP/updateinfo.xml"
hp_add_updateinfo "$repo" "$HP_TEST_TMP/updateinfo.xml"
"$HR" baseline add "$repo" --id B1 --kind planned --issued 2026-10-01 \
	--supported-until 2099-12-31 --build kernel-core=6.1.0-57 --build openssl-libs=3.0.11-1 >/dev/null
"$HR" baseline add "$repo" --id B2 --kind planned --issued 2027-01-01 \
	--build kernel-core=6.1.0-60 >/dev/null
gpghome=$HP_TEST_TMP/gnupg
fpr=$(hp_gpg_init "$gpghome")
hp_gpg_export "$gpghome" "$HP_TEST_TMP/key.asc"
key=$HP_TEST_TMP/key.asc
"$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" >/dev/null

# --- the machine: kernels 57 and 58 installed, 57 running (Debian-style)
root=$(hp_tmpdir root)
hp_installroot "$root"
hp_rpm_install "$root" "$repo"/kernel-core-6.1.0-57.x86_64.rpm \
	"$repo"/kernel-core-6.1.0-58.x86_64.rpm
export HP_UNAME_R=6.1.0-57-amd64
common=(--root "$root" --repo "$repo" --gpgkey "$key")

# --- available: v2 (cumulative) for the running build; held back: B2's kernel
hp_assert_exit 100 "$HP" "${common[@]}" --json check
hp_assert_eq '[{"name":"kernel-core","evr":"6.1.0-57","release":"6.1.0-57-amd64"}]' \
	"$(jq -c .running "$HP_OUT")"
hp_assert_eq "B1 planned 2026-10-01 2099-12-31 false" \
	"$(jq -r '.baseline | "\(.id) \(.kind) \(.issued) \(.supported_until) \(.expired)"' "$HP_OUT")"
hp_assert_eq 1 "$(jq '.available | length' "$HP_OUT")"
hp_assert_eq "kernel-hotpatch 2-1 x86_64 kernel-core 6.1.0-57 klp CVE-2026-1111,CVE-2026-2222" \
	"$(jq -r '.available[0] | "\(.package) \(.evr) \(.arch) \(.component) \(.build) \(.engine) \(.cves | join(","))"' "$HP_OUT")"
hp_assert_eq '[{"name":"kernel-core","evr":"6.1.0-60","baseline":"B2","reason":"needs a reboot (baseline component)"}]' \
	"$(jq -c .held_back "$HP_OUT")"
hp_assert_eq "[]" "$(jq -c .installed "$HP_OUT")"
jq -e '.messages | type == "array"' "$HP_OUT" >/dev/null

# text output: a table and a summary
hp_assert_exit 100 "$HP" "${common[@]}" check
hp_assert_contains "$HP_OUT" '^kernel-hotpatch +2-1\.x86_64 +kernel-core-6\.1\.0-57 +klp +CVE-2026-1111,CVE-2026-2222'
hp_assert_contains "$HP_OUT" '^1 hotpatch available for the running builds'
hp_assert_contains "$HP_OUT" 'kernel-core-6\.1\.0-60 +baseline B2'

# options after the command word, --opt=value form
hp_assert_exit 100 "$HP" check --json --root="$root" --repo "$repo" --gpgkey "$key"
hp_assert_eq "kernel-hotpatch 2-1" "$(jq -r '.available[0] | "\(.package) \(.evr)"' "$HP_OUT")"

# --running replaces detection: nothing is published for 58
hp_assert_exit 0 "$HP" "${common[@]}" check --json --running kernel-core=6.1.0-58
hp_assert_eq '{"name":"kernel-core","evr":"6.1.0-58","overridden":true}' "$(jq -c '.running[0]' "$HP_OUT")"
hp_assert_eq 0 "$(jq '.available | length' "$HP_OUT")"
hp_assert_eq "null" "$(jq -c .baseline "$HP_OUT")"
# ... and the same through uname (the other installed kernel runs)
HP_UNAME_R=6.1.0-58-amd64 hp_assert_exit 0 "$HP" "${common[@]}" check --json
hp_assert_eq "6.1.0-58" "$(jq -r '.running[0].evr' "$HP_OUT")"

# the user-space component once installed: its hotpatch is offered too
hp_rpm_install "$root" "$repo"/openssl-libs-3.0.11-1.x86_64.rpm
hp_assert_exit 100 "$HP" "${common[@]}" check --json
hp_assert_eq "kernel-hotpatch openssl-libs-hotpatch" "$(jq -r '[.available[].package] | join(" ")' "$HP_OUT")"
hp_assert_eq "ucare" "$(jq -r '.available[] | select(.component == "openssl-libs") | .engine' "$HP_OUT")"

# --- signatures: an unsigned repo is refused (one line) unless --nogpgcheck
unsigned=$(hp_tmpdir unsigned)
cp -a "$repo/." "$unsigned/"
"$HR" publish "$unsigned" >/dev/null 2>&1
hp_assert_exit 1 "$HP" --root "$root" --repo "$unsigned" --gpgkey "$key" check
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "unsigned repo: one error line"
hp_assert_contains "$HP_ERR" '^hotpatch: error: .*'
hp_assert_exit 100 "$HP" --root "$root" --repo "$unsigned" --nogpgcheck check --json
hp_assert_eq "kernel-hotpatch 2-1" "$(jq -r '.available[0] | "\(.package) \(.evr)"' "$HP_OUT")"
# signed by a key that is not trusted
other=$HP_TEST_TMP/gnupg-other
hp_gpg_init "$other" >/dev/null
hp_gpg_export "$other" "$HP_TEST_TMP/other.asc"
hp_assert_exit 1 "$HP" --root "$root" --repo "$repo" --gpgkey "$HP_TEST_TMP/other.asc" check
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "untrusted key: one error line"

# --- the newest installed: nothing available, reported as installed
hp_rpm_install "$root" "$kp2"
hp_assert_exit 100 "$HP" "${common[@]}" check --json   # the openssl one is still there
hp_assert_eq "openssl-libs-hotpatch" "$(jq -r '[.available[].package] | join(" ")' "$HP_OUT")"
hp_assert_eq "kernel-hotpatch 2-1 kernel-core 6.1.0-57" \
	"$(jq -r '.installed[0] | "\(.package) \(.evr) \(.component) \(.build)"' "$HP_OUT")"
hp_assert_exit 0 "$HP" "${common[@]}" check --json --running openssl-libs=3.0.11-9
hp_assert_eq 0 "$(jq '.available | length' "$HP_OUT")"

# --- status: baseline, installed hotpatch not live (its module is not
# loaded: the engine says "no", or "unknown" when it cannot tell -- never
# "yes"), held back, reboot needed (58 is newer than 57)
hp_assert_exit 0 "$HP" "${common[@]}" status --json
hp_assert_eq "B1" "$(jq -r .baseline.id "$HP_OUT")"
hp_assert_contains "$(jq -r '.installed[0] | "\(.package) \(.live)"' "$HP_OUT")" '^kernel-hotpatch (no|unknown)$'
hp_assert_eq "true" "$(jq -r .reboot.needed "$HP_OUT")"
hp_assert_contains "$(jq -r '.reboot.reasons[0]' "$HP_OUT")" 'kernel-core-6\.1\.0-58 is installed'
hp_assert_exit 0 "$HP" "${common[@]}" status
hp_assert_contains "$HP_OUT" '^Baseline: B1 \(planned'
hp_assert_contains "$HP_OUT" '^  kernel-hotpatch +2-1 +kernel-core-6\.1\.0-57 +(no|unknown)'
hp_assert_contains "$HP_OUT" '^Reboot needed: yes'

# --- needs-reboot: 1 while an older kernel runs, 0 on the newest
hp_assert_exit 1 "$HP" --root "$root" needs-reboot
hp_assert_contains "$HP_OUT" 'newer kernel kernel-core-6\.1\.0-58'
HP_UNAME_R=6.1.0-58-amd64 hp_assert_exit 0 "$HP" --root "$root" needs-reboot

# --- without --repo: dnf's repo configuration under the root
mkdir -p "$root/etc/yum.repos.d" "$root/etc/pki/rpm-gpg"
cp "$key" "$root/etc/pki/rpm-gpg/RPM-GPG-KEY-hotpatch"
cat >"$root/etc/yum.repos.d/hotpatch.repo" <<EOF
[hotpatch-test]
name=hotpatch test
baseurl=file://$repo
gpgcheck=0
repo_gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-hotpatch
EOF
hp_assert_exit 100 "$HP" --root "$root" check --json
hp_assert_eq "openssl-libs-hotpatch" "$(jq -r '[.available[].package] | join(" ")' "$HP_OUT")"
hp_assert_eq "hotpatch-test" "$(jq -r '.available[0].repo' "$HP_OUT")"

hp_assert_exit 0 "$HP" --help
hp_assert_contains "$HP_OUT" '^  check '
hp_assert_contains "$HP_OUT" '^  needs-reboot '
hp_assert_exit 0 "$HP" --version
hp_assert_contains "$HP_OUT" '^hotpatch [0-9]'
# the man page documents every command of the table (usage is generated from it)
"$HP" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }' >"$HP_TEST_TMP/cmds"
hp_assert_contains "$HP_TEST_TMP/cmds" '^check$'
while read -r c; do
	hp_assert_contains "$HP_SRC_DIR/packaging/man/hotpatch.8" "^\\.B ${c//-/\\\\-}\$"
done <"$HP_TEST_TMP/cmds"
echo "t2000-check: ok"
