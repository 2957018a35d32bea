#!/bin/bash
# The bad-input standard for the hotpatch client: garbage, missing,
# duplicated arguments and option values of the wrong type for every command
# (check, status, apply, revert, reapply, needs-reboot), --root / --repo /
# --gpgkey / --dbpath that are files or missing, and repositories with bad
# hotpatch metadata -- malformed XML, truncated gz, format="2", payload paths
# outside /usr/lib/hotpatch -- both validly signed (refused on content) and
# tampered (refused on signature/checksum), and installed hotpatches for
# another kernel.  Each gets ONE line "hotpatch: error: ...", exit 2 for
# usage errors and 1 otherwise, no sanitizer report, and leaves the
# repository and the root (rpmdb, <root>/var/lib/hotpatch) byte-identical.
# Cases already in t2001 are not repeated.  Every case runs even when an
# earlier one fails; the failures are listed at the end.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild rpm createrepo_c modifyrepo_c gpg gzip
HP=$(hp_bin hotpatch)

# --- a published, signed repository; a machine running kernel-core 6.1.0-57
repo=$(hp_tmpdir repo)
gpghome=$HP_TEST_TMP/gnupg
key=$HP_TEST_TMP/key.asc
hp_bad_test_repo "$repo" "$gpghome" "$key" >/dev/null
good_xml=$HP_TEST_TMP/good-hotpatch.xml
zcat "$repo"/repodata/*-hotpatch.xml.gz >"$good_xml"
W=$(hp_tmpdir work)
echo "just a file" >"$W/file"

root=$(hp_tmpdir root)
hp_installroot "$root"
hp_rpm_install "$root" "$repo"/kernel-core-6.1.0-57.x86_64.rpm
export HP_UNAME_R=6.1.0-57-amd64
# the good case first: records the repository's revision in the root's state
hp_assert_exit 100 "$HP" --root "$root" --repo "$repo" --gpgkey "$key" check
[ -d "$root/var/lib/hotpatch" ] || hp_fail "no client state dir after a good check"
common=(--root "$root" --repo "$repo" --gpgkey "$key")

# Every case (hp_bad, see lib.sh): exit code, exactly one stderr line
# "hotpatch: error: ...", no sanitizer report, nothing changed in $repo,
# $root (its rpmdb and the client state <root>/var/lib/hotpatch) nor in the
# directories of the array WATCH.
HP_BAD_TOOL=hotpatch
HP_BAD_DIRS=("$repo" "$root")
# Not state, so not hashed: the run lock <root>/run/hotpatch.lock (and the
# run/ directory made for it), which every command that may change the
# system takes before it decides anything; and sqlite's '*.sqlite-shm', the
# shared-memory index rpm's sqlite backend maps on ANY open of the rpmdb,
# read-only included (rpm -q and dnf do the same).
HP_BAD_EXCLUDE=(run run/hotpatch.lock '*.sqlite-shm')

# === usage errors: exit 2 (t2001 has check's) ==============================
for c in status needs-reboot "apply --all" "revert --all" reapply; do
	# shellcheck disable=SC2086
	{
	hp_bad 2 "$c: unknown option" "$HP" --root "$root" $c --bogus
	hp_bad 2 "$c: --running without '='" "$HP" --root "$root" --running kernel-core $c
	hp_bad 2 "$c: --running kernel-core=x-" "$HP" --root "$root" --running kernel-core=x- $c
	hp_bad 2 "$c: --running =1-1" "$HP" --root "$root" --running =1-1 $c
	hp_bad 2 "$c: --root without value" "$HP" $c --root
	hp_bad 2 "$c: --root ''" "$HP" --root '' $c
	hp_bad 2 "$c: --json=yes" "$HP" --root "$root" $c --json=yes
	hp_bad 2 "$c: --nogpgcheck=1" "$HP" --root "$root" $c --nogpgcheck=1
	}
done
hp_bad 2 "check: --running kernel-core=x-" "$HP" "${common[@]}" --running kernel-core=x- check
hp_bad 2 "check: --running kernel-core=6.1.0-" "$HP" "${common[@]}" --running kernel-core=6.1.0- check
hp_bad 2 "check: --running with two builds of one component" "$HP" "${common[@]}" \
	--running kernel-core=6.1.0-57 --running kernel-core=6.1.0-58 check
hp_bad 2 "check: --root twice" "$HP" "${common[@]}" --root "$W" check
hp_bad 2 "check: --dbpath twice" "$HP" "${common[@]}" --dbpath /root/.rpmdb --dbpath /x check
hp_bad 2 "check: --repo ''" "$HP" --root "$root" --repo '' check
hp_bad 2 "check: --gpgkey without value" "$HP" --root "$root" --repo "$repo" check --gpgkey
hp_bad 2 "two commands" "$HP" --root "$root" status check
hp_bad 2 "apply: --timeout abc" "$HP" --root "$root" apply --all --timeout abc
hp_bad 2 "apply: --timeout -1" "$HP" --root "$root" apply --all --timeout -1
hp_bad 2 "apply: --timeout 0" "$HP" --root "$root" apply --all --timeout 0
hp_bad 2 "apply: --timeout huge" "$HP" --root "$root" apply --all --timeout 99999999999999999999999
hp_bad 2 "apply: --timeout without value" "$HP" --root "$root" apply --all --timeout
hp_bad 2 "apply: --all and a PKG" "$HP" --root "$root" apply --all kernel-hotpatch
hp_bad 2 "revert: nothing named" "$HP" --root "$root" revert
hp_bad 2 "revert: --all and a PKG" "$HP" --root "$root" revert --all kernel-hotpatch
hp_bad 2 "reapply: an argument" "$HP" --root "$root" reapply kernel-hotpatch
hp_bad 2 "reapply: --all" "$HP" --root "$root" reapply --all
hp_bad 2 "needs-reboot: --all" "$HP" --root "$root" needs-reboot --all

# === paths that are not what they should be: exit 1 ========================
for c in check status needs-reboot "apply --all" "revert --all" reapply; do
	# shellcheck disable=SC2086
	hp_bad 1 "$c: --root is a file" "$HP" --root "$W/file" --repo "$repo" --gpgkey "$key" $c
	# shellcheck disable=SC2086
	hp_bad 1 "$c: --dbpath is a file" "$HP" --root "$root" --dbpath /etc/hostname \
		--repo "$repo" --gpgkey "$key" $c
done
[ ! -e "$W/file/var" ] || FAILS+=("something was created under the --root file")
for c in check status; do
	hp_bad 1 "$c: --repo nonexistent" "$HP" --root "$root" --gpgkey "$key" --repo "$W/nonexistent" $c
	hp_bad 1 "$c: --repo is a file" "$HP" --root "$root" --gpgkey "$key" --repo "$W/file" $c
	hp_bad 1 "$c: --repo file:// nonexistent" "$HP" --root "$root" --gpgkey "$key" \
		--repo "file://$W/nonexistent" $c
	hp_bad 1 "$c: --repo ftp://" "$HP" --root "$root" --gpgkey "$key" --repo ftp://example.invalid/r $c
	hp_bad 1 "$c: --gpgkey nonexistent" "$HP" --root "$root" --repo "$repo" --gpgkey "$W/nonexistent" $c
	hp_bad 1 "$c: --gpgkey not a key" "$HP" --root "$root" --repo "$repo" --gpgkey "$W/file" $c
	hp_bad 1 "$c: --gpgkey an .rpm" "$HP" --root "$root" --repo "$repo" \
		--gpgkey "$repo"/kernel-core-6.1.0-57.x86_64.rpm $c
	hp_bad 1 "$c: --gpgkey a directory" "$HP" --root "$root" --repo "$repo" --gpgkey "$W" $c
done
[ ! -e "$W/nonexistent" ] || FAILS+=("a command created '$W/nonexistent'")
r=$(hp_repo_copy "$repo" "$W/repodata-file")
rm -rf "$r/repodata"
echo "not a directory" >"$r/repodata"
WATCH=("$r")
hp_bad 1 "check: repodata is a file" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
r=$(hp_repo_copy "$repo" "$W/repomd-dir")
rm -f "$r/repodata/repomd.xml"
mkdir "$r/repodata/repomd.xml"
WATCH=("$r")
hp_bad 1 "check: repomd.xml is a directory" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
r=$(hp_repo_copy "$repo" "$W/repomd-malformed")
sed -i 's#</repomd>#</repomdx>#' "$r/repodata/repomd.xml"
hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
WATCH=("$r")
hp_bad 1 "check: malformed repomd.xml (signed)" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
WATCH=()

# === bad hotpatch metadata in a VALIDLY SIGNED repository: refused on content
md_case() {
	local name=$1 xml=$2 pattern=$3 r
	r=$(hp_repo_copy "$repo" "$W/md-$(basename "$xml" .xml)")
	hp_md_replace "$r" "$xml" "$gpghome"
	WATCH=("$r")
	for c in check status; do
		hp_bad 1 "$c: signed, $name" "$HP" --root "$root" --gpgkey "$key" --repo "$r" $c
		if [ -n "$pattern" ] && ! grep -Eq "$pattern" "$HP_BAD_ERR"; then
			FAILS+=("$c: signed, $name: error does not match /$pattern/ | stderr: $(cat "$HP_BAD_ERR")")
		fi
	done
	WATCH=()
}
hpfile="repodata/[0-9a-f]{64}-hotpatch\\.xml\\.gz'"
sed 's#</patch>#</patchx>#' "$good_xml" >"$W/malformed.xml"
md_case "malformed XML" "$W/malformed.xml" "$hpfile: malformed XML"
head -c 300 "$good_xml" >"$W/truncated.xml"
md_case "truncated XML" "$W/truncated.xml" "$hpfile: malformed XML"
sed 's/format="1"/format="2"/' "$good_xml" >"$W/format2.xml"
md_case "format=2" "$W/format2.xml" "unsupported hotpatch metadata format 2"
sed 's#path="[^"]*"#path="/etc/passwd"#' "$good_xml" >"$W/etc-passwd.xml"
md_case "payload /etc/passwd" "$W/etc-passwd.xml" "'/etc/passwd' is not below /usr/lib/hotpatch"
sed 's#path="[^"]*"#path="/usr/lib/hotpatch/../../etc/passwd"#' "$good_xml" >"$W/dotdot.xml"
md_case "payload /usr/lib/hotpatch/../../etc" "$W/dotdot.xml" "'\\.\\.'"
sed 's#path="[^"]*"#path="/usr/lib/hotpatch/kernel-core/6.1.0-57/x.ko"#; s#sha256="[^"]*"#sha256="zz"#' \
	"$good_xml" >"$W/badsha.xml"
md_case "payload sha256 'zz'" "$W/badsha.xml" ""
sed 's#location="[^"]*"#location="../../../../etc/passwd"#' "$good_xml" >"$W/location.xml"
md_case "package location ../../../../etc/passwd" "$W/location.xml" ""
sed 's#engine="klp"#engine="../../bin/sh"#' "$good_xml" >"$W/engine.xml"
md_case "engine ../../bin/sh" "$W/engine.xml" ""
sed 's#build="6.1.0-57"#build="x-"#' "$good_xml" >"$W/build.xml"
md_case "hotpatch build EVR x-" "$W/build.xml" ""
sed 's#issued="2026-10-01"#issued="2026-02-30"#' "$good_xml" >"$W/bdate.xml"
md_case "baseline issued 2026-02-30" "$W/bdate.xml" ""
sed 's#revision="[0-9]*"#revision="abc"#' "$good_xml" >"$W/revision.xml"
md_case "revision abc" "$W/revision.xml" ""

# truncated .gz / not gz at all / empty, checksums right, re-signed
gzip -c "$good_xml" | head -c 200 >"$W/truncated.gz"
echo "garbage" >"$W/garbage.gz"
: >"$W/empty.gz"
for g in truncated garbage empty; do
	r=$(hp_repo_copy "$repo" "$W/gz-$g")
	hp_md_swap "$r" "$W/$g.gz"
	hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
	WATCH=("$r")
	hp_bad 1 "check: signed, $g .gz" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
	grep -Eq "$hpfile" "$HP_BAD_ERR" || FAILS+=("check: signed, $g .gz: error does not name the file | stderr: $(cat "$HP_BAD_ERR")")
done
WATCH=()

# === tampered: refused on signature or checksum, even with --nogpgcheck for
# the checksum ==============================================================
sed 's#</patch>#</patchx>#' "$good_xml" | gzip -c >"$W/malformed.gz"
r=$(hp_repo_copy "$repo" "$W/tampered-resummed")
hp_md_swap "$r" "$W/malformed.gz"
WATCH=("$r")
for c in check status; do
	hp_bad 1 "$c: malformed metadata, repomd.xml re-summed, old signature" "$HP" --root "$root" \
		--gpgkey "$key" --repo "$r" $c
	grep -q 'BAD signature' "$HP_BAD_ERR" || FAILS+=("$c: tampered repo: not refused on its signature | stderr: $(cat "$HP_BAD_ERR")")
done
r=$(hp_repo_copy "$repo" "$W/tampered-file")
cp "$W/malformed.gz" "$(ls "$r"/repodata/*-hotpatch.xml.gz)"
WATCH=("$r")
hp_bad 1 "check: hotpatch file replaced (checksum mismatch)" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
hp_bad 1 "check: hotpatch file replaced, --nogpgcheck" "$HP" --root "$root" --nogpgcheck --repo "$r" check
for s in garbage empty; do
	r=$(hp_repo_copy "$repo" "$W/sig-$s")
	if [ $s = garbage ]; then echo garbage >"$r/repodata/repomd.xml.asc"; else : >"$r/repodata/repomd.xml.asc"; fi
	WATCH=("$r")
	hp_bad 1 "check: $s repomd.xml.asc" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
done
r=$(hp_repo_copy "$repo" "$W/md-missing")
rm -f "$r"/repodata/*-hotpatch.xml.gz
WATCH=("$r")
hp_bad 1 "check: hotpatch file missing" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
WATCH=()

# === a hotpatch installed for another kernel: apply/revert refuse it ======
root2=$(hp_tmpdir root2)
hp_installroot "$root2"
hp_rpm_install "$root2" "$repo"/kernel-core-6.1.0-57.x86_64.rpm "$repo"/kernel-hotpatch-1-1.x86_64.rpm
WATCH=("$root2")
HP_UNAME_R=6.1.0-58-amd64 hp_bad 1 "apply: hotpatch for another kernel" "$HP" --root "$root2" \
	--running kernel-core=6.1.0-58 apply kernel-hotpatch
HP_UNAME_R=6.1.0-58-amd64 hp_bad 1 "revert: hotpatch for another kernel" "$HP" --root "$root2" \
	--running kernel-core=6.1.0-58 revert kernel-hotpatch
hp_bad 1 "apply: no such package" "$HP" --root "$root2" apply nosuch-hotpatch
hp_bad 1 "revert: no such package" "$HP" --root "$root2" revert nosuch-hotpatch
WATCH=()

hp_bad_report t3001-bad-input-client-FAIL
