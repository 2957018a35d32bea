#!/bin/bash
# hotpatch check with dnf's variables in stock-style .repo files (issue 12):
# $releasever from the installed package providing system-release(releasever)
# (built with rpmbuild, installed in the root; the same value as dnf's own
# dnf.rpm.detect_releasever on that root), --releasever and dnf.conf
# releasever= overriding it, $basearch as dnf maps this machine, custom
# variables from the root's /etc/dnf/vars (over /etc/yum/vars), ${var}
# forms; gpgkey= with variables, inside the root; includepkgs/excludepkgs
# (repo and dnf.conf [main]) filtering the hotpatches offered.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild rpm createrepo_c gpg jq
/usr/bin/python3 -c 'import dnf, hawkey' 2>/dev/null || hp_skip "dnf's python module not importable by /usr/bin/python3"
HP=$(hp_bin hotpatch)
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)

# --- a signed repository: kernel 57, hotpatch v1 and v2 for it
repo=$(hp_tmpdir repo)
hp_build_rpm kernel-core "$repo" >/dev/null
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v1.ko" >/dev/null
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v2.ko" \
	--define 'hp_version 2' >/dev/null
hp_make_repo "$repo"
"$HR" baseline add "$repo" --id B1 --kind planned --issued 2026-10-01 \
	--supported-until 2099-12-31 --build kernel-core=6.1.0-57 >/dev/null
gpghome=$HP_TEST_TMP/gnupg
fpr=$(hp_gpg_init "$gpghome")
"$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" >/dev/null

# dnf's own answers on this machine: $arch and $basearch
arch=$(/usr/bin/python3 -c 'import hawkey; print(hawkey.detect_arch())')
basearch=$(/usr/bin/python3 -c 'import dnf.rpm, hawkey; print(dnf.rpm.basearch(hawkey.detect_arch()))')
hp_log "dnf: arch $arch, basearch $basearch"

# The mirror tree, as a distribution lays it out: <releasever>/<basearch>/
srv=$(hp_tmpdir srv)
mkdir -p "$srv/40" "$srv/41" "$srv/stable"
cp -a "$repo" "$srv/40/$basearch"
cp -a "$repo" "$srv/41/$basearch"
cp -a "$repo" "$srv/stable/$arch"

# --- the machine: kernel 57 running, the release package installed
root=$(hp_tmpdir root)
hp_installroot "$root"
hp_rpm_install "$root" "$repo"/kernel-core-6.1.0-57.x86_64.rpm
rel=$(hp_build_rpm release "$HP_TEST_TMP/rel")
hp_rpm_install "$root" "$rel"
export HP_UNAME_R=6.1.0-57-amd64
mkdir -p "$root/etc/yum.repos.d" "$root/etc/pki/rpm-gpg" "$root/etc/dnf"
hp_gpg_export "$gpghome" "$root/etc/pki/rpm-gpg/RPM-GPG-KEY-hp-40-$basearch"

# dnf itself detects 40 on this root (the provide's version, not the
# package's 1.0)
dnf_rv=$(/usr/bin/python3 -c 'import sys, dnf.rpm; print(dnf.rpm.detect_releasever(sys.argv[1]))' "$root")
hp_assert_eq 40 "$dnf_rv" "dnf.rpm.detect_releasever on the root"

write_repo() {   # ID BASEURL [EXTRA LINE...]
	local id=$1 url=$2
	shift 2
	{
		printf '[%s]\nname=%s $releasever - $basearch\nbaseurl=%s\n' "$id" "$id" "$url"
		printf 'repo_gpgcheck=1\ngpgcheck=1\n'
		printf 'gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-hp-$releasever-$basearch\n'
		for l; do printf '%s\n' "$l"; done
	} >"$root/etc/yum.repos.d/hp.repo"
}
offered() { jq -r '[.available[] | "\(.package) \(.evr) \(.repo)"] | join(",")' "$HP_OUT"; }

# --- $releasever detected, $basearch mapped, the key found inside the root
write_repo hp-rel "file://$srv/\$releasever/\$basearch/"
hp_assert_exit 100 "$HP" --root "$root" check --json
hp_assert_eq "kernel-hotpatch 2-1 hp-rel" "$(offered)"
hp_assert_eq '[{"id":"hp-rel","error":null}]' "$(jq -c '[.repos[] | {id, error}]' "$HP_OUT")"
# ${var} forms read the same
write_repo hp-rel "file://$srv/\${releasever}/\${basearch}"
hp_assert_exit 100 "$HP" --root "$root" check --json
hp_assert_eq "kernel-hotpatch 2-1 hp-rel" "$(offered)"

# --- --releasever wins; the key file then is ...-41-..., which is missing:
# refused, one line naming the repository
hp_assert_exit 1 "$HP" --root "$root" --releasever 41 check
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "--releasever 41 without its key: one error line"
hp_assert_contains "$HP_ERR" "^hotpatch: error: repository 'hp-rel' refused: .*RPM-GPG-KEY-hp-41-$basearch"
hp_gpg_export "$gpghome" "$root/etc/pki/rpm-gpg/RPM-GPG-KEY-hp-41-$basearch"
rm -rf "$srv/40"
hp_assert_exit 100 "$HP" --root "$root" --releasever 41 check --json
hp_assert_eq "kernel-hotpatch 2-1 hp-rel" "$(offered)"
# dnf.conf's releasever= is used instead of the detected one ...
printf '[main]\nreleasever=41\n' >"$root/etc/dnf/dnf.conf"
hp_assert_exit 100 "$HP" --root "$root" check --json
# ... and --releasever wins over it (40 is gone now)
hp_assert_exit 1 "$HP" --root "$root" --releasever 40 check
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "releasever 40: one error line"
hp_assert_contains "$HP_ERR" "^hotpatch: error: repository 'hp-rel' refused: .*'file://$srv/40/$basearch"
# a vars file wins over dnf.conf (dnf reads /etc/dnf/vars after dnf.conf)
mkdir -p "$root/etc/dnf/vars"
printf '40\n' >"$root/etc/dnf/vars/releasever"
hp_assert_exit 1 "$HP" --root "$root" check
hp_assert_contains "$HP_ERR" "'file://$srv/40/$basearch"
rm "$root/etc/dnf/vars/releasever" "$root/etc/dnf/dnf.conf"

# --- custom variables: /etc/dnf/vars over /etc/yum/vars, under --root
mkdir -p "$root/etc/yum/vars"
printf 'old\n' >"$root/etc/yum/vars/channel"
printf 'stable\n' >"$root/etc/dnf/vars/channel"
printf 'ignored\n' >"$HP_TEST_TMP/not-in-root"
write_repo hp-chan "file://$srv/\$channel/\${arch}" "gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-hp-\${nope:-\$releasever}-$basearch"
hp_assert_exit 100 "$HP" --root "$root" check --json
hp_assert_eq "kernel-hotpatch 2-1 hp-chan" "$(offered)"
rm "$root/etc/dnf/vars/channel"
hp_assert_exit 1 "$HP" --root "$root" check
hp_assert_contains "$HP_ERR" "^hotpatch: error: repository 'hp-chan' refused: .*'file://$srv/old/$arch"

# --- includepkgs / excludepkgs
printf 'stable\n' >"$root/etc/dnf/vars/channel"
write_repo hp-f "file://$srv/\$channel/\$arch" "excludepkgs=kernel-hotpatch-0:2-1*"
hp_assert_exit 100 "$HP" --root "$root" check --json
hp_assert_eq "kernel-hotpatch 1-1 hp-f" "$(offered)" "v2 excluded by NAME-E:V-R glob: v1 offered"
write_repo hp-f "file://$srv/\$channel/\$arch" "exclude=kernel-hot*"
hp_assert_exit 0 "$HP" --root "$root" check --json
hp_assert_eq "" "$(offered)" "excluded by name glob (exclude= alias)"
write_repo hp-f "file://$srv/\$channel/\$arch" "includepkgs=openssl*, hello"
hp_assert_exit 0 "$HP" --root "$root" check --json
hp_assert_eq "" "$(offered)" "not in includepkgs"
write_repo hp-f "file://$srv/\$channel/\$arch" "includepkgs=hello kernel-hotpatch.x86_64"
hp_assert_exit 100 "$HP" --root "$root" check --json
hp_assert_eq "kernel-hotpatch 2-1 hp-f" "$(offered)" "in includepkgs (NAME.ARCH)"
printf '[main]\nexcludepkgs=kernel-hotpatch\n' >"$root/etc/dnf/dnf.conf"
hp_assert_exit 0 "$HP" --root "$root" check --json
hp_assert_eq "" "$(offered)" "dnf.conf [main] excludepkgs applies to every repo"
rm "$root/etc/dnf/dnf.conf"

# --- no release package and no releasever anywhere: $releasever has no
# value: one line naming the repository
hp_rpm_q "$root" -e --nodeps hp-test-release 2>/dev/null
write_repo hp-rel "file://$srv/\$releasever/\$basearch/"
hp_assert_exit 1 "$HP" --root "$root" check
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "no releasever: one error line"
hp_assert_contains "$HP_ERR" "^hotpatch: error: repository 'hp-rel' refused: 'file://$srv/\\\$releasever/$basearch/': a dnf variable in it has no value"
hp_assert_exit 100 "$HP" --root "$root" --releasever 41 check
echo "t2200-config-vars: ok"
