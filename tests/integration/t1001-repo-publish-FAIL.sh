#!/bin/bash
# hotpatch-repo publish must REFUSE (exit 1, one clear line per problem,
# repository byte-identical) every package that breaks the hotpatch
# packaging convention; one real rpmbuild package per lint rule.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild createrepo_c gpg jq
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)

base=$(hp_tmpdir base)
hp_build_rpm kernel-core "$base" >/dev/null
hp_build_rpm kernel-core "$base" --define 'krel 58' >/dev/null
hp_build_rpm openssl-libs "$base" >/dev/null
good=$(hp_build_rpm hotpatch "$base" --define "payload $klp/livepatch_cmdline_v1.ko")

gpghome=$HP_TEST_TMP/gnupg
fpr=$(hp_gpg_init "$gpghome")

# A spec for packages the fixture spec cannot express: any Provides, any
# files.  Parameters: n (name), provides (one per %{provides_N}), files_cmd.
custom=$HP_TEST_TMP/custom.spec
cat >"$custom" <<'EOF'
Name:		%{n}
Version:	1
Release:	1
Summary:	lint fixture
License:	GPL-2.0-only
%{?p1:Provides: %{p1}}
%{?p2:Provides: %{p2}}
%{?p3:Provides: %{p3}}
Requires:	kernel-core = 6.1.0-57
%description
lint fixture
%install
mkdir -p %{buildroot}/usr/lib/hotpatch/kernel-core/6.1.0-57
%{?f1:install -D -m 0644 %{f1} %{buildroot}%{d1}/%{basename:%{f1}}}
%{?f2:install -D -m 0644 %{f2} %{buildroot}%{d2}/%{basename:%{f2}}}
%files
/usr/lib/hotpatch
%{?f1:%{d1}/%{basename:%{f1}}}
%{?f2:%{d2}/%{basename:%{f2}}}
EOF
d57=/usr/lib/hotpatch/kernel-core/6.1.0-57

# refused NAME PATTERN SPEC [rpmbuild args...]: a repo with the base packages
# and the bad one; publish exits 1 with exactly one error line matching
# PATTERN and the repository is unchanged.
refused() {
	local name=$1 pattern=$2 spec=$3 repo before rpm nevra
	shift 3
	repo=$(hp_tmpdir "$name")
	cp "$base"/*.rpm "$repo/"
	rpm=$(hp_build_rpm "$spec" "$repo" "$@" | head -n1)
	nevra=$(hp_rpm_nevra "$rpm")
	hp_make_repo "$repo"
	"$HR" baseline add "$repo" --id 2026-Q3 --kind planned --issued 2026-07-01 \
		--build kernel-core=6.1.0-57 --build openssl-libs=3.0.11-1 >/dev/null
	before=$(hp_tree_hash "$repo")
	hp_assert_exit 1 "$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome"
	hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "$name: one line per problem"
	hp_assert_contains "$HP_ERR" "^hotpatch-repo: error: $(printf '%s' "$nevra" | sed 's/[.^$*+?()[\\]/\\&/g'): $pattern"
	hp_assert_eq "$before" "$(hp_tree_hash "$repo")" "$name: repository changed by a refused publish"
	[ ! -e "$repo/.hotpatch/revision" ] || hp_fail "$name: revision recorded"
	hp_log "$name: refused: $(cat "$HP_ERR")"
}

# --- build in no baseline (ulp engine, openssl-libs 3.0.12-1)
echo "ulp payload" >"$HP_TEST_TMP/lp.so"
refused not-in-baseline "build openssl-libs = 3.0.12-1 is in no baseline" \
	hotpatch --define "payload $HP_TEST_TMP/lp.so" --define 'hp_name openssl-hotpatch' \
	--define 'component openssl-libs' --define 'build 3.0.12-1' --define 'engine ulp'
# --- Provides and Requires disagree
refused requires-disagree "Provides hotpatch\(kernel-core\) = 6.1.0-57 but Requires kernel-core = 6.1.0-58" \
	hotpatch --define "payload $klp/livepatch_cmdline_v1.ko" --define 'bad_requires 6.1.0-58'
# --- payload missing
refused payload-missing "payload missing: no file under $d57/" hotpatch
# --- klp without a .ko
echo "not a module" >"$HP_TEST_TMP/readme.txt"
refused klp-no-ko "klp hotpatch has no .ko module under $d57/" \
	hotpatch --define "payload $HP_TEST_TMP/readme.txt"
# --- vermagic of another kernel
hp_klp_set_vermagic "$klp/livepatch_cmdline_v1.ko" "$HP_TEST_TMP/livepatch_cmdline_v1.ko" 6.1.0-99-amd64
refused vermagic "module '$d57/livepatch_cmdline_v1.ko' vermagic '6.1.0-99-amd64 .*' does not match the kernel build's release 6.1.0-57-amd64" \
	hotpatch --define "payload $HP_TEST_TMP/livepatch_cmdline_v1.ko"
# --- not a livepatch module
refused not-livepatch "module '$d57/stall_kthread.ko' is not a livepatch module" \
	hotpatch --define "payload $klp/stall_kthread.ko"
# --- no engine provide
refused no-engine "no 'Provides: hotpatch-engine\(<engine>\)'" \
	"$custom" --define 'n hp-noengine' --define 'p1 hotpatch(kernel-core) = 6.1.0-57' \
	--define "f1 $klp/livepatch_cmdline_v1.ko" --define "d1 $d57"
# --- an engine provide but no hotpatch() target
refused no-target "no 'Provides: hotpatch\(<component>\) = <build EVR>'" \
	"$custom" --define 'n hp-notarget' --define 'p1 hotpatch-engine(klp)' \
	--define "f1 $klp/livepatch_cmdline_v1.ko" --define "d1 $d57"
# --- two hotpatch() provides
refused two-targets "2 hotpatch\(\) provides" \
	"$custom" --define 'n hp-two' --define 'p1 hotpatch(kernel-core) = 6.1.0-57' \
	--define 'p2 hotpatch(openssl-libs) = 3.0.11-1' --define 'p3 hotpatch-engine(klp)' \
	--define "f1 $klp/livepatch_cmdline_v1.ko" --define "d1 $d57"
# --- a payload file outside /usr/lib/hotpatch/<C>/<build>/
refused outside "payload file '/usr/lib/hotpatch/kernel-core/6.1.0-58/readme.txt' is not under $d57/" \
	"$custom" --define 'n hp-outside' --define 'p1 hotpatch(kernel-core) = 6.1.0-57' \
	--define 'p2 hotpatch-engine(klp)' \
	--define "f1 $klp/livepatch_cmdline_v1.ko" --define "d1 $d57" \
	--define "f2 $HP_TEST_TMP/readme.txt" --define 'd2 /usr/lib/hotpatch/kernel-core/6.1.0-58'
# --- two modules
cp "$klp/livepatch_cmdline_v2.ko" "$HP_TEST_TMP/second.ko"
refused two-ko "klp hotpatch has 2 .ko modules under $d57/; exactly one allowed" \
	"$custom" --define 'n hp-twoko' --define 'p1 hotpatch(kernel-core) = 6.1.0-57' \
	--define 'p2 hotpatch-engine(klp)' \
	--define "f1 $klp/livepatch_cmdline_v1.ko" --define "d1 $d57" \
	--define "f2 $HP_TEST_TMP/second.ko" --define "d2 $d57"

# --- a published, signed repo gets a bad package: refused, nothing changes
repo=$(hp_tmpdir published)
cp "$base"/*.rpm "$repo/"
hp_make_repo "$repo"
"$HR" baseline add "$repo" --id 2026-Q3 --kind planned --issued 2026-07-01 \
	--build kernel-core=6.1.0-57 >/dev/null
hp_assert_exit 0 "$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome"
# an unusable signing key refuses before anything is written
before=$(hp_tree_hash "$repo")
hp_assert_exit 1 "$HR" publish "$repo" --sign-key 0000000000000000DEADBEEF --gnupg-home "$gpghome"
hp_assert_eq 1 "$(wc -l <"$HP_ERR")"
hp_assert_eq "$before" "$(hp_tree_hash "$repo")" "repo changed by a publish with a bad key"
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v2.ko" --define 'hp_version 2' \
	--define 'bad_requires 6.1.0-58' >/dev/null
hp_make_repo "$repo" --update --keep-all-metadata
hp_gpg_sign "$gpghome" "$repo/repodata/repomd.xml"
before=$(hp_tree_hash "$repo")
hp_assert_exit 1 "$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome"
hp_assert_contains "$HP_ERR" "^hotpatch-repo: error: kernel-hotpatch-2-1.x86_64: Provides hotpatch"
hp_assert_not_contains "$HP_ERR" "kernel-hotpatch-1-1"
hp_assert_eq "$before" "$(hp_tree_hash "$repo")" "published repo changed by a refused publish"
hp_assert_eq 1 "$(cat "$repo/.hotpatch/revision")"

# --- not a repository
norepo=$(hp_tmpdir norepo)
cp "$good" "$norepo/"
before=$(hp_tree_hash "$norepo")
hp_assert_exit 1 "$HR" publish "$norepo"
hp_assert_eq "hotpatch-repo: error: '$norepo': not a repository (no repodata/repomd.xml); run createrepo_c first" \
	"$(cat "$HP_ERR")"
hp_assert_eq "$before" "$(hp_tree_hash "$norepo")"
echo "t1001-repo-publish-FAIL: ok"
