#!/bin/bash
# The bad-input standard for hotpatch-repo: garbage, missing, duplicated
# arguments, option values of the wrong type, repository paths that are not
# repositories, corrupted baselines and hotpatch metadata (malformed XML,
# truncated gz, format="2", paths outside /usr/lib/hotpatch, tampered
# signatures) each get ONE clear error line ("hotpatch-repo: error: ..."),
# exit 2 for usage errors and 1 otherwise, no sanitizer report, and leave the
# repository byte-identical (hp_tree_hash).  Cases already in t1001 (lint
# rules, bad signing key, not a repository for publish) are not repeated.
# Every case runs even when an earlier one fails; the failures are listed at
# the end (the client side is t3001).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild createrepo_c modifyrepo_c gpg gzip
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)

# --- a published, signed repository
repo=$(hp_tmpdir repo)
hp_build_rpm kernel-core "$repo" >/dev/null
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v1.ko" >/dev/null
hp_make_repo "$repo"
"$HR" baseline add "$repo" --id B1 --kind planned --issued 2026-10-01 \
	--build kernel-core=6.1.0-57 >/dev/null
gpghome=$HP_TEST_TMP/gnupg
fpr=$(hp_gpg_init "$gpghome")
"$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" >/dev/null
good_xml=$HP_TEST_TMP/good-hotpatch.xml
zcat "$repo"/repodata/*-hotpatch.xml.gz >"$good_xml"
W=$(hp_tmpdir work)
echo "just a file" >"$W/file"

FAILS=()
NCASES=0

# bad WANT NAME CMD... - run CMD (hotpatch-repo) on bad input: it must exit
# WANT, write exactly one stderr line "hotpatch-repo: error: ...", no
# sanitizer report, and change nothing in $repo nor in the directories of
# the array WATCH.  A failure is recorded (not fatal) with what was seen.
WATCH=()
bad() {
	local want=$1 name=$2 rc=0 d lines why=() before=() i
	shift 2
	NCASES=$((NCASES + 1))
	for d in "$repo" "${WATCH[@]}"; do
		before+=("$(hp_tree_hash "$d")")
	done
	"$@" >"$W/.out" 2>"$W/.err" || rc=$?
	lines=$(wc -l <"$W/.err")
	[ "$rc" = "$want" ] || why+=("exit $rc, expected $want")
	[ "$lines" = 1 ] || why+=("$lines stderr lines, expected 1")
	grep -q '^hotpatch-repo: error: ' "$W/.err" || why+=("no 'hotpatch-repo: error:' line")
	if grep -Eq 'Sanitizer|runtime error:|Segmentation|Aborted|core dumped' "$W/.err"; then
		why+=("sanitizer report / crash")
	fi
	i=0
	for d in "$repo" "${WATCH[@]}"; do
		[ "${before[i]}" = "$(hp_tree_hash "$d")" ] || why+=("'$d' changed")
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

add=(--id X --kind planned --issued 2026-01-01 --build a=1-1)

# === usage errors: exit 2 ==================================================
bad 2 "no command" "$HR"
bad 2 "unknown command" "$HR" frobnicate "$repo"
bad 2 "baseline without subcommand" "$HR" baseline
bad 2 "baseline unknown subcommand" "$HR" baseline frob "$repo"
bad 2 "unknown global option" "$HR" --bogus list "$repo"
bad 2 "baseline add: no REPO" "$HR" baseline add
bad 2 "baseline add: no options" "$HR" baseline add "$repo"
bad 2 "baseline add: no --build" "$HR" baseline add "$repo" --id X --kind planned --issued 2026-01-01
bad 2 "baseline add: --id without value" "$HR" baseline add "$repo" --id
bad 2 "baseline add: --id twice" "$HR" baseline add "$repo" --id X --id Y --kind planned \
	--issued 2026-01-01 --build a=1-1
bad 2 "baseline add: --issued twice" "$HR" baseline add "$repo" "${add[@]}" --issued 2026-01-02
bad 2 "baseline add: two REPOs" "$HR" baseline add "$repo" "$repo" "${add[@]}"
bad 2 "baseline add: unknown option" "$HR" baseline add "$repo" "${add[@]}" --frob
# option values of the wrong type: usage errors, as --expires-days,
# hotpatch's --timeout and --running are
bad 2 "baseline add: --kind weekly" "$HR" baseline add "$repo" --id X --kind weekly \
	--issued 2026-01-01 --build a=1-1
bad 2 "baseline add: --issued 2026-02-30" "$HR" baseline add "$repo" --id X --kind planned \
	--issued 2026-02-30 --build a=1-1
bad 2 "baseline add: --issued 2026-1-1" "$HR" baseline add "$repo" --id X --kind planned \
	--issued 2026-1-1 --build a=1-1
bad 2 "baseline add: --supported-until 2027-13-01" "$HR" baseline add "$repo" "${add[@]}" \
	--supported-until 2027-13-01
bad 2 "baseline add: --build without '='" "$HR" baseline add "$repo" --id X --kind planned \
	--issued 2026-01-01 --build kernel-core
bad 2 "baseline add: --build a=x-" "$HR" baseline add "$repo" --id X --kind planned \
	--issued 2026-01-01 --build a=x-
bad 2 "baseline add: --build =1-1" "$HR" baseline add "$repo" --id X --kind planned \
	--issued 2026-01-01 --build =1-1
bad 2 "baseline list: no REPO" "$HR" baseline list
bad 2 "baseline list: extra argument" "$HR" baseline list "$repo" extra
bad 2 "baseline list: --json=1" "$HR" baseline list "$repo" --json=1
bad 2 "publish: no REPO" "$HR" publish
bad 2 "publish: two REPOs" "$HR" publish "$repo" "$repo"
bad 2 "publish: unknown option" "$HR" publish "$repo" --bogus
bad 2 "publish: --sign-key without value" "$HR" publish "$repo" --sign-key
bad 2 "publish: --sign-key twice" "$HR" publish "$repo" --sign-key "$fpr" --sign-key "$fpr" \
	--gnupg-home "$gpghome"
for v in -1 abc 99999999999999999999999 0 3651 1.5 ''; do
	bad 2 "publish: --expires-days '$v'" "$HR" publish "$repo" --expires-days "$v"
done
bad 2 "publish: --expires-days twice" "$HR" publish "$repo" --expires-days 1 --expires-days 2
bad 2 "verify: no REPO" "$HR" verify
bad 2 "verify: extra argument" "$HR" verify "$repo" extra
bad 2 "verify: --gnupg-home without value" "$HR" verify "$repo" --gnupg-home
bad 2 "list: no REPO" "$HR" list
bad 2 "list: unknown option" "$HR" list "$repo" --all

# === semantic errors in good-looking arguments: exit 1 =====================
bad 1 "baseline add: supported-until before issued" "$HR" baseline add "$repo" "${add[@]}" \
	--supported-until 2025-01-01
bad 1 "baseline add: component listed twice" "$HR" baseline add "$repo" "${add[@]}" --build a=1-2
bad 1 "baseline add: existing id" "$HR" baseline add "$repo" --id B1 --kind planned \
	--issued 2026-01-01 --build a=1-1
bad 1 "baseline add: id with a space" "$HR" baseline add "$repo" --id 'a b' --kind planned \
	--issued 2026-01-01 --build a=1-1
bad 1 "baseline add: empty id" "$HR" baseline add "$repo" --id '' --kind planned \
	--issued 2026-01-01 --build a=1-1

# === REPO that is not a repository ==========================================
for c in "baseline list" publish verify list; do
	# shellcheck disable=SC2086
	bad 1 "$c: nonexistent REPO" "$HR" $c "$W/nonexistent"
	# shellcheck disable=SC2086
	bad 1 "$c: REPO is a file" "$HR" $c "$W/file"
done
[ ! -e "$W/nonexistent" ] || FAILS+=("a command created the nonexistent REPO '$W/nonexistent'")
bad 1 "baseline add: nonexistent REPO" "$HR" baseline add "$W/nonexistent" "${add[@]}"
bad 1 "baseline add: REPO is a file" "$HR" baseline add "$W/file" "${add[@]}"
# the message must not blame a missing file for a file that exists
if grep -q 'No such file or directory' "$W/.err"; then
	FAILS+=("baseline add: REPO is a file: misleading strerror | stderr: $(cat "$W/.err")")
fi
[ ! -e "$W/nonexistent" ] || FAILS+=("baseline add created the nonexistent REPO '$W/nonexistent'")

# repodata/ is a file where a directory is expected (root ignores chmod 000)
r=$(copy_repo repodata-file)
rm -rf "$r/repodata"
echo "not a directory" >"$r/repodata"
WATCH=("$r")
for c in publish verify list; do
	# shellcheck disable=SC2086
	bad 1 "$c: repodata is a file" "$HR" $c "$r"
done
# repodata/repomd.xml is a directory
r=$(copy_repo repomd-dir)
rm -f "$r/repodata/repomd.xml"
mkdir "$r/repodata/repomd.xml"
WATCH=("$r")
for c in publish verify list; do
	# shellcheck disable=SC2086
	bad 1 "$c: repomd.xml is a directory" "$HR" $c "$r"
done
# a malformed repomd.xml, validly signed
r=$(copy_repo repomd-malformed)
sed -i 's#</repomd>#</repomdx>#' "$r/repodata/repomd.xml"
hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
WATCH=("$r")
bad 1 "publish: malformed repomd.xml" "$HR" publish "$r"
bad 1 "verify: malformed repomd.xml" "$HR" verify "$r" --gnupg-home "$gpghome"
bad 1 "list: malformed repomd.xml" "$HR" list "$r"
# .hotpatch is a file
r=$(copy_repo dothotpatch-file)
rm -rf "$r/.hotpatch"
echo "not a directory" >"$r/.hotpatch"
WATCH=("$r")
bad 1 "baseline list: .hotpatch is a file" "$HR" baseline list "$r"
bad 1 "baseline add: .hotpatch is a file" "$HR" baseline add "$r" "${add[@]}"
bad 1 "publish: .hotpatch is a file" "$HR" publish "$r"
# --gnupg-home is a file
WATCH=()
bad 1 "publish: --gnupg-home is a file" "$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$W/file"
bad 1 "publish: --gnupg-home nonexistent" "$HR" publish "$repo" --sign-key "$fpr" \
	--gnupg-home "$W/nonexistent"

# === corrupted .hotpatch/baselines.xml =====================================
for v in truncated garbage empty format2 directory badkind baddate; do
	r=$(copy_repo "baselines-$v")
	f=$r/.hotpatch/baselines.xml
	case $v in
	truncated) head -c 150 "$repo/.hotpatch/baselines.xml" >"$f" ;;
	garbage) echo 'not xml at all' >"$f" ;;
	empty) : >"$f" ;;
	format2) sed -i 's/format="1"/format="2"/' "$f" ;;
	directory) rm -f "$f"; mkdir "$f" ;;
	badkind) sed -i 's/kind="planned"/kind="weekly"/' "$f" ;;
	baddate) sed -i 's/issued="2026-10-01"/issued="2026-02-30"/' "$f" ;;
	esac
	WATCH=("$r")
	bad 1 "baseline list: baselines.xml $v" "$HR" baseline list "$r"
	bad 1 "baseline add: baselines.xml $v" "$HR" baseline add "$r" "${add[@]}"
	bad 1 "publish: baselines.xml $v" "$HR" publish "$r" --sign-key "$fpr" --gnupg-home "$gpghome"
done
r=$(copy_repo revision-garbage)
echo abc >"$r/.hotpatch/revision"
WATCH=("$r")
bad 1 "publish: .hotpatch/revision garbage" "$HR" publish "$r" --sign-key "$fpr" --gnupg-home "$gpghome"

# === bad hotpatch metadata in a VALIDLY SIGNED repository ==================
# verify must refuse it; list must not present it as good metadata
md_case() {
	local name=$1 xml=$2 r
	r=$(copy_repo "md-$(basename "$xml" .xml)")
	replace_md "$r" "$xml"
	WATCH=("$r")
	bad 1 "verify: signed, $name" "$HR" verify "$r" --gnupg-home "$gpghome"
	bad 1 "list: signed, $name" "$HR" list "$r"
}
sed 's#</patch>#</patchx>#' "$good_xml" >"$W/malformed.xml"
md_case "malformed XML" "$W/malformed.xml"
head -c 300 "$good_xml" >"$W/truncated.xml"
md_case "truncated XML" "$W/truncated.xml"
sed 's/format="1"/format="2"/' "$good_xml" >"$W/format2.xml"
md_case "format=2" "$W/format2.xml"
sed 's#path="[^"]*"#path="/etc/passwd"#' "$good_xml" >"$W/etc-passwd.xml"
md_case "payload /etc/passwd" "$W/etc-passwd.xml"
sed 's#path="[^"]*"#path="/usr/lib/hotpatch/../../etc/passwd"#' "$good_xml" >"$W/dotdot.xml"
md_case "payload /usr/lib/hotpatch/../../etc/passwd" "$W/dotdot.xml"
sed 's#location="[^"]*"#location="../../../../etc/passwd"#' "$good_xml" >"$W/location.xml"
md_case "package location ../../../../etc/passwd" "$W/location.xml"
sed 's#engine="klp"#engine="../../bin/sh"#' "$good_xml" >"$W/engine.xml"
md_case "engine ../../bin/sh" "$W/engine.xml"
sed 's#revision="[0-9]*"#revision="-1"#' "$good_xml" >"$W/revision.xml"
md_case "revision -1" "$W/revision.xml"

# truncated .gz / not gz at all, checksums right, re-signed
gzip -c "$good_xml" | head -c 200 >"$W/truncated.gz"
echo "garbage" >"$W/garbage.gz"
for g in truncated garbage; do
	r=$(copy_repo "gz-$g")
	swap_md "$r" "$W/$g.gz"
	hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
	WATCH=("$r")
	bad 1 "verify: signed, $g .gz" "$HR" verify "$r" --gnupg-home "$gpghome"
	bad 1 "list: signed, $g .gz" "$HR" list "$r"
done

# === tampered signatures ===================================================
# malformed metadata with a right repomd.xml checksum but the OLD signature
sed 's#</patch>#</patchx>#' "$good_xml" | gzip -c >"$W/malformed.gz"
r=$(copy_repo tampered-resummed)
swap_md "$r" "$W/malformed.gz"
WATCH=("$r")
bad 1 "verify: tampered metadata, repomd.xml re-summed, not re-signed" "$HR" verify "$r" \
	--gnupg-home "$gpghome"
# the hotpatch file replaced, repomd.xml untouched: checksum mismatch
r=$(copy_repo tampered-file)
cp "$W/malformed.gz" "$(ls "$r"/repodata/*-hotpatch.xml.gz)"
WATCH=("$r")
bad 1 "verify: hotpatch file replaced (checksum mismatch)" "$HR" verify "$r" --gnupg-home "$gpghome"
# garbage / empty signature file
for s in garbage empty; do
	r=$(copy_repo "sig-$s")
	if [ $s = garbage ]; then echo garbage >"$r/repodata/repomd.xml.asc"; else : >"$r/repodata/repomd.xml.asc"; fi
	WATCH=("$r")
	bad 1 "verify: $s repomd.xml.asc" "$HR" verify "$r" --gnupg-home "$gpghome"
done
# the hotpatch record's file is missing
r=$(copy_repo md-missing)
rm -f "$r"/repodata/*-hotpatch.xml.gz
WATCH=("$r")
bad 1 "verify: hotpatch file missing" "$HR" verify "$r" --gnupg-home "$gpghome"
bad 1 "list: hotpatch file missing" "$HR" list "$r"

hp_log "$NCASES cases, ${#FAILS[@]} failed"
if [ ${#FAILS[@]} -gt 0 ]; then
	echo "FAIL: ${#FAILS[@]} of $NCASES bad-input cases break the standard:" >&2
	printf '  %s\n' "${FAILS[@]}" >&2
	exit 1
fi
echo "t3000-bad-input-FAIL: ok ($NCASES cases)"
