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
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)

# --- a published, signed repository; a machine running kernel-core 6.1.0-57
repo=$(hp_tmpdir repo)
hp_build_rpm kernel-core "$repo" >/dev/null
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v1.ko" >/dev/null
hp_make_repo "$repo"
"$HR" baseline add "$repo" --id B1 --kind planned --issued 2026-10-01 \
	--build kernel-core=6.1.0-57 >/dev/null
gpghome=$HP_TEST_TMP/gnupg
fpr=$(hp_gpg_init "$gpghome")
key=$HP_TEST_TMP/key.asc
hp_gpg_export "$gpghome" "$key"
"$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" >/dev/null
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

FAILS=()
NCASES=0

# bad WANT NAME CMD... - run CMD (hotpatch) on bad input: it must exit
# WANT, write exactly one stderr line "hotpatch: error: ...", no
# sanitizer report, and change nothing in $repo, $root (its rpmdb and
# the client state <root>/var/lib/hotpatch) nor in the directories of
# the array WATCH.  A failure is recorded (not fatal) with what was seen.
WATCH=()
# Not state, so not hashed: the run lock <root>/run/hotpatch.lock (and the
# run/ directory made for it), which every command that may change the
# system takes before it decides anything; and sqlite's '*.sqlite-shm', the
# shared-memory index rpm's sqlite backend maps on ANY open of the rpmdb,
# read-only included (rpm -q and dnf do the same).
tree_hash() {
	hp_tree_hash "$1" run run/hotpatch.lock '*.sqlite-shm'
}
bad() {
	local want=$1 name=$2 rc=0 d lines why=() before=() i
	shift 2
	NCASES=$((NCASES + 1))
	for d in "$repo" "$root" "${WATCH[@]}"; do
		before+=("$(tree_hash "$d")")
	done
	"$@" >"$W/.out" 2>"$W/.err" || rc=$?
	lines=$(wc -l <"$W/.err")
	[ "$rc" = "$want" ] || why+=("exit $rc, expected $want")
	[ "$lines" = 1 ] || why+=("$lines stderr lines, expected 1")
	grep -q '^hotpatch: error: ' "$W/.err" || why+=("no 'hotpatch: error:' line")
	if grep -Eq 'Sanitizer|runtime error:|Segmentation|Aborted|core dumped' "$W/.err"; then
		why+=("sanitizer report / crash")
	fi
	i=0
	for d in "$repo" "$root" "${WATCH[@]}"; do
		[ "${before[i]}" = "$(tree_hash "$d")" ] || why+=("'$d' changed")
		i=$((i + 1))
	done
	if [ ${#why[@]} -gt 0 ]; then
		FAILS+=("$name: $(IFS=';'; echo "${why[*]}") | stderr: $(head -c 400 "$W/.err" | tr '\n' '|')")
		hp_log "FAILED $name: ${why[*]}"
		sed 's/^/#   /' "$W/.err" | head -n 5 >&2
	else
		hp_log "ok $name: $(cat "$W/.err")"
	fi
}

# copy_repo NAME - a copy of the signed repository, printed.
copy_repo() {
	rm -rf "${W:?}/$1"
	cp -a "$repo" "$W/$1"
	printf '%s\n' "$W/$1"
}

# replace_md DIR XMLFILE - replace DIR's hotpatch record by XMLFILE
# (modifyrepo_c --remove, then add; repomd.xml checksums are right) and
# re-sign repomd.xml with the operator's key: a VALIDLY SIGNED bad repo.
replace_md() {
	local d=$1 md
	md=$(hp_tmpdir md)
	cp "$2" "$md/hotpatch.xml"
	modifyrepo_c --remove hotpatch "$d/repodata" >/dev/null
	modifyrepo_c --mdtype hotpatch "$md/hotpatch.xml" "$d/repodata" >/dev/null
	hp_gpg_sign "$gpghome" "$d/repodata/repomd.xml"
}

# swap_md DIR FILE - put FILE (raw bytes, e.g. a truncated .gz, which
# modifyrepo_c would recompress) in place of DIR's hotpatch record, with
# repomd.xml's checksum, location and size updated by hand; NOT re-signed.
swap_md() {
	local d=$1 f=$2 old oldsum sum
	old=$(ls "$d"/repodata/*-hotpatch.xml.gz)
	oldsum=$(basename "$old")
	oldsum=${oldsum%%-*}
	sum=$(sha256sum <"$f" | cut -d' ' -f1)
	rm -f "$old"
	cp "$f" "$d/repodata/$sum-hotpatch.xml.gz"
	sed -i -e "s/$oldsum/$sum/g" \
		-e "/type=\"hotpatch\"/,/<\/data>/ s#<size>[0-9]*</size>#<size>$(stat -c %s "$f")</size>#" \
		"$d/repodata/repomd.xml"
}

# === usage errors: exit 2 (t2001 has check's) ==============================
for c in status needs-reboot "apply --all" "revert --all" reapply; do
	# shellcheck disable=SC2086
	{
	bad 2 "$c: unknown option" "$HP" --root "$root" $c --bogus
	bad 2 "$c: --running without '='" "$HP" --root "$root" --running kernel-core $c
	bad 2 "$c: --running kernel-core=x-" "$HP" --root "$root" --running kernel-core=x- $c
	bad 2 "$c: --running =1-1" "$HP" --root "$root" --running =1-1 $c
	bad 2 "$c: --root without value" "$HP" $c --root
	bad 2 "$c: --root ''" "$HP" --root '' $c
	bad 2 "$c: --json=yes" "$HP" --root "$root" $c --json=yes
	bad 2 "$c: --nogpgcheck=1" "$HP" --root "$root" $c --nogpgcheck=1
	}
done
bad 2 "check: --running kernel-core=x-" "$HP" "${common[@]}" --running kernel-core=x- check
bad 2 "check: --running kernel-core=6.1.0-" "$HP" "${common[@]}" --running kernel-core=6.1.0- check
bad 2 "check: --running with two builds of one component" "$HP" "${common[@]}" \
	--running kernel-core=6.1.0-57 --running kernel-core=6.1.0-58 check
bad 2 "check: --root twice" "$HP" "${common[@]}" --root "$W" check
bad 2 "check: --dbpath twice" "$HP" "${common[@]}" --dbpath /root/.rpmdb --dbpath /x check
bad 2 "check: --repo ''" "$HP" --root "$root" --repo '' check
bad 2 "check: --gpgkey without value" "$HP" --root "$root" --repo "$repo" check --gpgkey
bad 2 "two commands" "$HP" --root "$root" status check
bad 2 "apply: --timeout abc" "$HP" --root "$root" apply --all --timeout abc
bad 2 "apply: --timeout -1" "$HP" --root "$root" apply --all --timeout -1
bad 2 "apply: --timeout 0" "$HP" --root "$root" apply --all --timeout 0
bad 2 "apply: --timeout huge" "$HP" --root "$root" apply --all --timeout 99999999999999999999999
bad 2 "apply: --timeout without value" "$HP" --root "$root" apply --all --timeout
bad 2 "apply: --all and a PKG" "$HP" --root "$root" apply --all kernel-hotpatch
bad 2 "revert: nothing named" "$HP" --root "$root" revert
bad 2 "revert: --all and a PKG" "$HP" --root "$root" revert --all kernel-hotpatch
bad 2 "reapply: an argument" "$HP" --root "$root" reapply kernel-hotpatch
bad 2 "reapply: --all" "$HP" --root "$root" reapply --all
bad 2 "needs-reboot: --all" "$HP" --root "$root" needs-reboot --all

# === paths that are not what they should be: exit 1 ========================
for c in check status needs-reboot "apply --all" "revert --all" reapply; do
	# shellcheck disable=SC2086
	bad 1 "$c: --root is a file" "$HP" --root "$W/file" --repo "$repo" --gpgkey "$key" $c
	# shellcheck disable=SC2086
	bad 1 "$c: --dbpath is a file" "$HP" --root "$root" --dbpath /etc/hostname \
		--repo "$repo" --gpgkey "$key" $c
done
[ ! -e "$W/file/var" ] || FAILS+=("something was created under the --root file")
for c in check status; do
	bad 1 "$c: --repo nonexistent" "$HP" --root "$root" --gpgkey "$key" --repo "$W/nonexistent" $c
	bad 1 "$c: --repo is a file" "$HP" --root "$root" --gpgkey "$key" --repo "$W/file" $c
	bad 1 "$c: --repo file:// nonexistent" "$HP" --root "$root" --gpgkey "$key" \
		--repo "file://$W/nonexistent" $c
	bad 1 "$c: --repo ftp://" "$HP" --root "$root" --gpgkey "$key" --repo ftp://example.invalid/r $c
	bad 1 "$c: --gpgkey nonexistent" "$HP" --root "$root" --repo "$repo" --gpgkey "$W/nonexistent" $c
	bad 1 "$c: --gpgkey not a key" "$HP" --root "$root" --repo "$repo" --gpgkey "$W/file" $c
	bad 1 "$c: --gpgkey an .rpm" "$HP" --root "$root" --repo "$repo" \
		--gpgkey "$repo"/kernel-core-6.1.0-57.x86_64.rpm $c
	bad 1 "$c: --gpgkey a directory" "$HP" --root "$root" --repo "$repo" --gpgkey "$W" $c
done
[ ! -e "$W/nonexistent" ] || FAILS+=("a command created '$W/nonexistent'")
r=$(copy_repo repodata-file)
rm -rf "$r/repodata"
echo "not a directory" >"$r/repodata"
WATCH=("$r")
bad 1 "check: repodata is a file" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
r=$(copy_repo repomd-dir)
rm -f "$r/repodata/repomd.xml"
mkdir "$r/repodata/repomd.xml"
WATCH=("$r")
bad 1 "check: repomd.xml is a directory" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
r=$(copy_repo repomd-malformed)
sed -i 's#</repomd>#</repomdx>#' "$r/repodata/repomd.xml"
hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
WATCH=("$r")
bad 1 "check: malformed repomd.xml (signed)" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
WATCH=()

# === bad hotpatch metadata in a VALIDLY SIGNED repository: refused on content
md_case() {
	local name=$1 xml=$2 pattern=$3 r
	r=$(copy_repo "md-$(basename "$xml" .xml)")
	replace_md "$r" "$xml"
	WATCH=("$r")
	for c in check status; do
		bad 1 "$c: signed, $name" "$HP" --root "$root" --gpgkey "$key" --repo "$r" $c
		if [ -n "$pattern" ] && ! grep -Eq "$pattern" "$W/.err"; then
			FAILS+=("$c: signed, $name: error does not match /$pattern/ | stderr: $(cat "$W/.err")")
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
	r=$(copy_repo "gz-$g")
	swap_md "$r" "$W/$g.gz"
	hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
	WATCH=("$r")
	bad 1 "check: signed, $g .gz" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
	grep -Eq "$hpfile" "$W/.err" || FAILS+=("check: signed, $g .gz: error does not name the file | stderr: $(cat "$W/.err")")
done
WATCH=()

# === tampered: refused on signature or checksum, even with --nogpgcheck for
# the checksum ==============================================================
sed 's#</patch>#</patchx>#' "$good_xml" | gzip -c >"$W/malformed.gz"
r=$(copy_repo tampered-resummed)
swap_md "$r" "$W/malformed.gz"
WATCH=("$r")
for c in check status; do
	bad 1 "$c: malformed metadata, repomd.xml re-summed, old signature" "$HP" --root "$root" \
		--gpgkey "$key" --repo "$r" $c
	grep -q 'BAD signature' "$W/.err" || FAILS+=("$c: tampered repo: not refused on its signature | stderr: $(cat "$W/.err")")
done
r=$(copy_repo tampered-file)
cp "$W/malformed.gz" "$(ls "$r"/repodata/*-hotpatch.xml.gz)"
WATCH=("$r")
bad 1 "check: hotpatch file replaced (checksum mismatch)" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
bad 1 "check: hotpatch file replaced, --nogpgcheck" "$HP" --root "$root" --nogpgcheck --repo "$r" check
for s in garbage empty; do
	r=$(copy_repo "sig-$s")
	if [ $s = garbage ]; then echo garbage >"$r/repodata/repomd.xml.asc"; else : >"$r/repodata/repomd.xml.asc"; fi
	WATCH=("$r")
	bad 1 "check: $s repomd.xml.asc" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
done
r=$(copy_repo md-missing)
rm -f "$r"/repodata/*-hotpatch.xml.gz
WATCH=("$r")
bad 1 "check: hotpatch file missing" "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
WATCH=()

# === a hotpatch installed for another kernel: apply/revert refuse it ======
root2=$(hp_tmpdir root2)
hp_installroot "$root2"
hp_rpm_install "$root2" "$repo"/kernel-core-6.1.0-57.x86_64.rpm "$repo"/kernel-hotpatch-1-1.x86_64.rpm
WATCH=("$root2")
HP_UNAME_R=6.1.0-58-amd64 bad 1 "apply: hotpatch for another kernel" "$HP" --root "$root2" \
	--running kernel-core=6.1.0-58 apply kernel-hotpatch
HP_UNAME_R=6.1.0-58-amd64 bad 1 "revert: hotpatch for another kernel" "$HP" --root "$root2" \
	--running kernel-core=6.1.0-58 revert kernel-hotpatch
bad 1 "apply: no such package" "$HP" --root "$root2" apply nosuch-hotpatch
bad 1 "revert: no such package" "$HP" --root "$root2" revert nosuch-hotpatch
WATCH=()

hp_log "$NCASES cases, ${#FAILS[@]} failed"
if [ ${#FAILS[@]} -gt 0 ]; then
	echo "FAIL: ${#FAILS[@]} of $NCASES bad-input cases break the standard:" >&2
	printf '  %s\n' "${FAILS[@]}" >&2
	exit 1
fi
echo "t3001-bad-input-client-FAIL: ok ($NCASES cases)"
