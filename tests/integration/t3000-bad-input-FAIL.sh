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

# --- a published, signed repository
repo=$(hp_tmpdir repo)
gpghome=$HP_TEST_TMP/gnupg
fpr=$(hp_bad_test_repo "$repo" "$gpghome" "$HP_TEST_TMP/key.asc")
good_xml=$HP_TEST_TMP/good-hotpatch.xml
zcat "$repo"/repodata/*-hotpatch.xml.gz >"$good_xml"
W=$(hp_tmpdir work)
echo "just a file" >"$W/file"

# Every case (hp_bad, see lib.sh): exit code, exactly one stderr line
# "hotpatch-repo: error: ...", no sanitizer report, nothing changed in $repo
# nor in the directories of the array WATCH.
HP_BAD_TOOL=hotpatch-repo
HP_BAD_DIRS=("$repo")

add=(--id X --kind planned --issued 2026-01-01 --build a=1-1)

# === usage errors: exit 2 ==================================================
hp_bad 2 "no command" "$HR"
hp_bad 2 "unknown command" "$HR" frobnicate "$repo"
hp_bad 2 "baseline without subcommand" "$HR" baseline
hp_bad 2 "baseline unknown subcommand" "$HR" baseline frob "$repo"
hp_bad 2 "unknown global option" "$HR" --bogus list "$repo"
hp_bad 2 "baseline add: no REPO" "$HR" baseline add
hp_bad 2 "baseline add: no options" "$HR" baseline add "$repo"
hp_bad 2 "baseline add: no --build" "$HR" baseline add "$repo" --id X --kind planned --issued 2026-01-01
hp_bad 2 "baseline add: --id without value" "$HR" baseline add "$repo" --id
hp_bad 2 "baseline add: --id twice" "$HR" baseline add "$repo" --id X --id Y --kind planned \
	--issued 2026-01-01 --build a=1-1
hp_bad 2 "baseline add: --issued twice" "$HR" baseline add "$repo" "${add[@]}" --issued 2026-01-02
hp_bad 2 "baseline add: two REPOs" "$HR" baseline add "$repo" "$repo" "${add[@]}"
hp_bad 2 "baseline add: unknown option" "$HR" baseline add "$repo" "${add[@]}" --frob
# option values of the wrong type: usage errors, as --expires-days,
# hotpatch's --timeout and --running are
hp_bad 2 "baseline add: --kind weekly" "$HR" baseline add "$repo" --id X --kind weekly \
	--issued 2026-01-01 --build a=1-1
hp_bad 2 "baseline add: --issued 2026-02-30" "$HR" baseline add "$repo" --id X --kind planned \
	--issued 2026-02-30 --build a=1-1
hp_bad 2 "baseline add: --issued 2026-1-1" "$HR" baseline add "$repo" --id X --kind planned \
	--issued 2026-1-1 --build a=1-1
hp_bad 2 "baseline add: --supported-until 2027-13-01" "$HR" baseline add "$repo" "${add[@]}" \
	--supported-until 2027-13-01
hp_bad 2 "baseline add: --build without '='" "$HR" baseline add "$repo" --id X --kind planned \
	--issued 2026-01-01 --build kernel-core
hp_bad 2 "baseline add: --build a=x-" "$HR" baseline add "$repo" --id X --kind planned \
	--issued 2026-01-01 --build a=x-
hp_bad 2 "baseline add: --build =1-1" "$HR" baseline add "$repo" --id X --kind planned \
	--issued 2026-01-01 --build =1-1
hp_bad 2 "baseline list: no REPO" "$HR" baseline list
hp_bad 2 "baseline list: extra argument" "$HR" baseline list "$repo" extra
hp_bad 2 "baseline list: --json=1" "$HR" baseline list "$repo" --json=1
hp_bad 2 "publish: no REPO" "$HR" publish
hp_bad 2 "publish: two REPOs" "$HR" publish "$repo" "$repo"
hp_bad 2 "publish: unknown option" "$HR" publish "$repo" --bogus
hp_bad 2 "publish: --sign-key without value" "$HR" publish "$repo" --sign-key
hp_bad 2 "publish: --sign-key twice" "$HR" publish "$repo" --sign-key "$fpr" --sign-key "$fpr" \
	--gnupg-home "$gpghome"
for v in -1 abc 99999999999999999999999 0 3651 1.5 ''; do
	hp_bad 2 "publish: --expires-days '$v'" "$HR" publish "$repo" --expires-days "$v"
done
hp_bad 2 "publish: --expires-days twice" "$HR" publish "$repo" --expires-days 1 --expires-days 2
hp_bad 2 "verify: no REPO" "$HR" verify
hp_bad 2 "verify: extra argument" "$HR" verify "$repo" extra
hp_bad 2 "verify: --gnupg-home without value" "$HR" verify "$repo" --gnupg-home
hp_bad 2 "list: no REPO" "$HR" list
hp_bad 2 "list: unknown option" "$HR" list "$repo" --all

# === semantic errors in good-looking arguments: exit 1 =====================
hp_bad 1 "baseline add: supported-until before issued" "$HR" baseline add "$repo" "${add[@]}" \
	--supported-until 2025-01-01
hp_bad 1 "baseline add: component listed twice" "$HR" baseline add "$repo" "${add[@]}" --build a=1-2
hp_bad 1 "baseline add: existing id" "$HR" baseline add "$repo" --id B1 --kind planned \
	--issued 2026-01-01 --build a=1-1
hp_bad 1 "baseline add: id with a space" "$HR" baseline add "$repo" --id 'a b' --kind planned \
	--issued 2026-01-01 --build a=1-1
hp_bad 1 "baseline add: empty id" "$HR" baseline add "$repo" --id '' --kind planned \
	--issued 2026-01-01 --build a=1-1

# === REPO that is not a repository ==========================================
for c in "baseline list" publish verify list; do
	# shellcheck disable=SC2086
	hp_bad 1 "$c: nonexistent REPO" "$HR" $c "$W/nonexistent"
	# shellcheck disable=SC2086
	hp_bad 1 "$c: REPO is a file" "$HR" $c "$W/file"
done
[ ! -e "$W/nonexistent" ] || FAILS+=("a command created the nonexistent REPO '$W/nonexistent'")
hp_bad 1 "baseline add: nonexistent REPO" "$HR" baseline add "$W/nonexistent" "${add[@]}"
hp_bad 1 "baseline add: REPO is a file" "$HR" baseline add "$W/file" "${add[@]}"
# the message must not blame a missing file for a file that exists
if grep -q 'No such file or directory' "$HP_BAD_ERR"; then
	FAILS+=("baseline add: REPO is a file: misleading strerror | stderr: $(cat "$HP_BAD_ERR")")
fi
[ ! -e "$W/nonexistent" ] || FAILS+=("baseline add created the nonexistent REPO '$W/nonexistent'")

# repodata/ is a file where a directory is expected (root ignores chmod 000)
r=$(hp_repo_copy "$repo" "$W/repodata-file")
rm -rf "$r/repodata"
echo "not a directory" >"$r/repodata"
WATCH=("$r")
for c in publish verify list; do
	# shellcheck disable=SC2086
	hp_bad 1 "$c: repodata is a file" "$HR" $c "$r"
done
# repodata/repomd.xml is a directory
r=$(hp_repo_copy "$repo" "$W/repomd-dir")
rm -f "$r/repodata/repomd.xml"
mkdir "$r/repodata/repomd.xml"
WATCH=("$r")
for c in publish verify list; do
	# shellcheck disable=SC2086
	hp_bad 1 "$c: repomd.xml is a directory" "$HR" $c "$r"
done
# a malformed repomd.xml, validly signed
r=$(hp_repo_copy "$repo" "$W/repomd-malformed")
sed -i 's#</repomd>#</repomdx>#' "$r/repodata/repomd.xml"
hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
WATCH=("$r")
hp_bad 1 "publish: malformed repomd.xml" "$HR" publish "$r"
hp_bad 1 "verify: malformed repomd.xml" "$HR" verify "$r" --gnupg-home "$gpghome"
hp_bad 1 "list: malformed repomd.xml" "$HR" list "$r"
# .hotpatch is a file
r=$(hp_repo_copy "$repo" "$W/dothotpatch-file")
rm -rf "$r/.hotpatch"
echo "not a directory" >"$r/.hotpatch"
WATCH=("$r")
hp_bad 1 "baseline list: .hotpatch is a file" "$HR" baseline list "$r"
hp_bad 1 "baseline add: .hotpatch is a file" "$HR" baseline add "$r" "${add[@]}"
hp_bad 1 "publish: .hotpatch is a file" "$HR" publish "$r"
# --gnupg-home is a file
WATCH=()
hp_bad 1 "publish: --gnupg-home is a file" "$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$W/file"
hp_bad 1 "publish: --gnupg-home nonexistent" "$HR" publish "$repo" --sign-key "$fpr" \
	--gnupg-home "$W/nonexistent"

# === corrupted .hotpatch/baselines.xml =====================================
for v in truncated garbage empty format2 directory badkind baddate; do
	r=$(hp_repo_copy "$repo" "$W/baselines-$v")
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
	hp_bad 1 "baseline list: baselines.xml $v" "$HR" baseline list "$r"
	hp_bad 1 "baseline add: baselines.xml $v" "$HR" baseline add "$r" "${add[@]}"
	hp_bad 1 "publish: baselines.xml $v" "$HR" publish "$r" --sign-key "$fpr" --gnupg-home "$gpghome"
done
r=$(hp_repo_copy "$repo" "$W/revision-garbage")
echo abc >"$r/.hotpatch/revision"
WATCH=("$r")
hp_bad 1 "publish: .hotpatch/revision garbage" "$HR" publish "$r" --sign-key "$fpr" --gnupg-home "$gpghome"

# === bad hotpatch metadata in a VALIDLY SIGNED repository ==================
# verify must refuse it; list must not present it as good metadata
md_case() {
	local name=$1 xml=$2 r
	r=$(hp_repo_copy "$repo" "$W/md-$(basename "$xml" .xml)")
	hp_md_replace "$r" "$xml" "$gpghome"
	WATCH=("$r")
	hp_bad 1 "verify: signed, $name" "$HR" verify "$r" --gnupg-home "$gpghome"
	hp_bad 1 "list: signed, $name" "$HR" list "$r"
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
	r=$(hp_repo_copy "$repo" "$W/gz-$g")
	hp_md_swap "$r" "$W/$g.gz"
	hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
	WATCH=("$r")
	hp_bad 1 "verify: signed, $g .gz" "$HR" verify "$r" --gnupg-home "$gpghome"
	hp_bad 1 "list: signed, $g .gz" "$HR" list "$r"
done

# === tampered signatures ===================================================
# malformed metadata with a right repomd.xml checksum but the OLD signature
sed 's#</patch>#</patchx>#' "$good_xml" | gzip -c >"$W/malformed.gz"
r=$(hp_repo_copy "$repo" "$W/tampered-resummed")
hp_md_swap "$r" "$W/malformed.gz"
WATCH=("$r")
hp_bad 1 "verify: tampered metadata, repomd.xml re-summed, not re-signed" "$HR" verify "$r" \
	--gnupg-home "$gpghome"
# the hotpatch file replaced, repomd.xml untouched: checksum mismatch
r=$(hp_repo_copy "$repo" "$W/tampered-file")
cp "$W/malformed.gz" "$(ls "$r"/repodata/*-hotpatch.xml.gz)"
WATCH=("$r")
hp_bad 1 "verify: hotpatch file replaced (checksum mismatch)" "$HR" verify "$r" --gnupg-home "$gpghome"
# garbage / empty signature file
for s in garbage empty; do
	r=$(hp_repo_copy "$repo" "$W/sig-$s")
	if [ $s = garbage ]; then echo garbage >"$r/repodata/repomd.xml.asc"; else : >"$r/repodata/repomd.xml.asc"; fi
	WATCH=("$r")
	hp_bad 1 "verify: $s repomd.xml.asc" "$HR" verify "$r" --gnupg-home "$gpghome"
done
# the hotpatch record's file is missing
r=$(hp_repo_copy "$repo" "$W/md-missing")
rm -f "$r"/repodata/*-hotpatch.xml.gz
WATCH=("$r")
hp_bad 1 "verify: hotpatch file missing" "$HR" verify "$r" --gnupg-home "$gpghome"
hp_bad 1 "list: hotpatch file missing" "$HR" list "$r"

hp_bad_report t3000-bad-input-FAIL
