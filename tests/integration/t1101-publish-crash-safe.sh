#!/bin/bash
# Atomic publish (issue 10): `hotpatch-repo publish` (and publish
# --createrepo) SIGKILLed at random points many times; after every kill gpg
# itself verifies repomd.xml.asc against repomd.xml and every file repomd.xml
# lists exists.  Then: a complete publish cleans up what the kills left; two
# concurrent publishes give distinct increasing revisions and a verifying
# repository; a held lock gives one clear line after --lock-wait; a revision
# at 2^64-1 is refused.  Real rpms, createrepo_c, gpg.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild createrepo_c gpg flock
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)
KILLS=${HP_T1101_KILLS:-40}

repo=$(hp_tmpdir repo)
hp_build_rpm kernel-core "$repo" >/dev/null
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v1.ko" >/dev/null
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v2.ko" --define 'hp_version 2' >/dev/null
hp_make_repo "$repo"
"$HR" baseline add "$repo" --id B1 --kind planned --issued 2026-07-01 --build kernel-core=6.1.0-57 >/dev/null
gpghome=$HP_TEST_TMP/gnupg
fpr=$(hp_gpg_init "$gpghome")
hp_gpg_export "$gpghome" "$HP_TEST_TMP/key.asc"
# a keyring holding only the public key: what a client trusts
vhome=$HP_TEST_TMP/verify-gnupg
mkdir -m 700 "$vhome"
echo "$vhome" >>"$HP_TEST_TMP/.gnupg-homes"
gpg --homedir "$vhome" --batch --quiet --import "$HP_TEST_TMP/key.asc"

publish=("$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome")
hp_assert_exit 0 "${publish[@]}"

# check_repo WHAT: the visible pair verifies with gpg and every listed file exists
check_repo() {
	local md=$repo/repodata/repomd.xml href
	gpg --homedir "$vhome" --batch --verify "$md.asc" "$md" 2>"$HP_TEST_TMP/gpgv.log" || {
		cat "$HP_TEST_TMP/gpgv.log" >&2
		hp_fail "$1: repomd.xml.asc does not verify repomd.xml"
	}
	for href in $(grep -o '<location href="[^"]*"' "$md" | sed 's/.*href="//; s/"$//'); do
		[ -f "$repo/$href" ] || hp_fail "$1: repomd.xml lists '$href', which does not exist"
	done
	grep -q 'type="hotpatch"' "$md" || hp_fail "$1: no hotpatch record in repomd.xml"
}

# kill_loop N ARGS...: N runs of ARGS, each SIGKILLed after a random delay
# within the time one complete run takes here and now (measured first, so
# the kills land inside the run on a fast or a loaded machine alike);
# prints how many were killed while still running.
kill_loop() {
	local n=$1 i pid hit=0 delay t0 ms
	shift
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -ge 20 ] || ms=20
	for ((i = 1; i <= n; i++)); do
		"$@" >/dev/null 2>&1 &
		pid=$!
		delay=$(awk -v m=$((RANDOM % ms)) 'BEGIN { printf "%.3f", m / 1000 }')
		sleep "$delay"
		if kill -9 "$pid" 2>/dev/null; then
			hit=$((hit + 1))
		fi
		wait "$pid" 2>/dev/null || true
		check_repo "kill $i after ${delay}s"
	done
	echo "$hit"
}

hit=$(kill_loop "$KILLS" "${publish[@]}")
hp_log "publish: $KILLS runs, $hit killed while running; the repository verified after each"
[ "$hit" -ge $((KILLS / 4)) ] || hp_fail "only $hit of $KILLS publishes were killed mid-run"

# what the kills left is cleaned up by the next complete publish
hp_assert_exit 0 "${publish[@]}"
check_repo "complete publish"
[ ! -e "$repo/.hotpatch/stage" ] || hp_fail "staging directory left after a complete publish"
left=$(find "$repo" -name '*.tmp.*' | wc -l)
hp_assert_eq 0 "$left" "temporary files left after a complete publish"
hp_assert_exit 0 "$HR" verify "$repo" --gnupg-home "$gpghome"
rev1=$(cat "$repo/.hotpatch/revision")

# --- publish --createrepo, killed the same way while packages change
cp "$repo"/kernel-hotpatch-1-1.x86_64.rpm "$HP_TEST_TMP/"
hit=$(kill_loop $((KILLS / 2)) bash -c 'touch "$1"/*.rpm; exec "${@:2}"' _ "$repo" \
	"${publish[@]}" --createrepo)
hp_log "publish --createrepo: $((KILLS / 2)) runs, $hit killed while running"
[ "$hit" -ge $((KILLS / 8)) ] || hp_fail "only $hit publish --createrepo runs were killed mid-run"
hp_assert_exit 0 "${publish[@]}" --createrepo
check_repo "complete publish --createrepo"
[ ! -e "$repo/.hotpatch/stage" ] || hp_fail "staging directory left"
[ "$(cat "$repo/.hotpatch/revision")" -gt "$rev1" ] || hp_fail "revision did not increase"

# --- two concurrent publishes: both succeed, distinct increasing revisions
"${publish[@]}" >"$HP_TEST_TMP/p1.out" 2>"$HP_TEST_TMP/p1.err" &
p1=$!
"${publish[@]}" >"$HP_TEST_TMP/p2.out" 2>"$HP_TEST_TMP/p2.err" &
p2=$!
wait "$p1" || { cat "$HP_TEST_TMP/p1.err" >&2; hp_fail "first concurrent publish failed"; }
wait "$p2" || { cat "$HP_TEST_TMP/p2.err" >&2; hp_fail "second concurrent publish failed"; }
r1=$(sed -n 's/.* revision \([0-9]*\):.*/\1/p' "$HP_TEST_TMP/p1.out")
r2=$(sed -n 's/.* revision \([0-9]*\):.*/\1/p' "$HP_TEST_TMP/p2.out")
[ -n "$r1" ] && [ -n "$r2" ] && [ "$r1" != "$r2" ] || hp_fail "concurrent publishes: revisions '$r1' and '$r2'"
check_repo "two concurrent publishes"
hp_assert_exit 0 "$HR" verify "$repo" --gnupg-home "$gpghome" --json
hp_assert_eq "$((r1 > r2 ? r1 : r2))" "$(jq -r .revision "$HP_OUT")"

# --- a held lock: bounded wait, then one line; nothing changes
before=$(hp_tree_hash "$repo")
flock "$repo/.hotpatch/lock" sleep 30 &
holder=$!
sleep 0.3
hp_assert_exit 1 "${publish[@]}" --lock-wait 1
hp_assert_eq 1 "$(wc -l <"$HP_ERR")"
hp_assert_contains "$HP_ERR" "another publish holds the repository lock '$repo/.hotpatch/lock' \(waited 1 seconds\)"
kill "$holder"
wait "$holder" 2>/dev/null || true
hp_assert_eq "$before" "$(hp_tree_hash "$repo")" "repository changed by a publish that found the lock held"

# --- the largest revision: refused, nothing changes
echo 18446744073709551615 >"$repo/.hotpatch/revision"
before=$(hp_tree_hash "$repo")
hp_assert_exit 1 "${publish[@]}"
hp_assert_contains "$HP_ERR" "revision 18446744073709551615 is the largest there is; cannot publish past it"
hp_assert_eq "$before" "$(hp_tree_hash "$repo")" "repository changed at the largest revision"
echo "t1101-publish-crash-safe: ok"
