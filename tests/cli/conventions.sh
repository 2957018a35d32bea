#!/usr/bin/env bash
# CLI conventions shared by both programs (issue 13 item 5), from their
# command tables: COMMAND --help for every command, -q/-v accepted, usage
# and other errors one stderr line, and with --json the error is also one
# JSON object {"error", "exit"} on stdout -- but only one object when the
# command printed its own.
# Usage: conventions.sh BUILD_DIR   (exit 0 ok, 1 a failure)
set -uo pipefail
build=${1:?usage: conventions.sh BUILD_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAIL: $*" >&2; fail=1; }
run() { # WANT-EXIT ARGS...: runs, keeps out/err
	local want=$1 rc=0
	shift
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" = "$want" ] || no "'$*': exit $rc, expected $want"
}

for prog in hotpatch hotpatch-repo; do
	exe=$build/$prog
	# every command's --help, its usage first, -h alike
	n=0
	while read -r words; do
		n=$((n + 1))
		# shellcheck disable=SC2086
		run 0 "$exe" $words --help
		grep -q "^usage: $prog $words" "$tmp/out" || no "'$prog $words --help': no usage line"
		# shellcheck disable=SC2086
		run 0 "$exe" -q $words -h
		grep -q "^usage: $prog $words" "$tmp/out" || no "'$prog -q $words -h': no usage line"
	done < <("$exe" --help-synopsis | sed -n "s/^$prog \([a-z][a-z -]*[a-z]\)\( [A-Z[].*\)\{0,1\}$/\1/p")
	[ "$n" -ge 4 ] || no "$prog: only $n commands in --help-synopsis"
	run 0 "$exe" -v --version
	grep -q "^$prog [0-9]" "$tmp/out" || no "$prog --version"
done

# usage error with --json: one stderr line, the object on stdout
run 2 "$build/hotpatch" --json nosuch
[ "$(wc -l <"$tmp/err")" = 1 ] || no "hotpatch --json nosuch: not one stderr line"
[ "$(jq -r '"\(.exit) \(.error)"' "$tmp/out")" = "2 unknown command 'nosuch'" ] ||
	no "hotpatch --json nosuch: stdout $(cat "$tmp/out")"
run 2 "$build/hotpatch" status --json --bogus
[ "$(jq -r .exit "$tmp/out")" = 2 ] || no "hotpatch status --json --bogus: no JSON error"
# without --json nothing on stdout
run 2 "$build/hotpatch" nosuch
[ -s "$tmp/out" ] && no "hotpatch nosuch: stdout not empty"
# a failing command with --json
run 1 "$build/hotpatch-repo" list "$tmp/none" --json
[ "$(jq -r .exit "$tmp/out")" = 1 ] || no "hotpatch-repo list --json on a missing repo: no JSON error"
grep -q "^hotpatch-repo: error: " "$tmp/err" || no "hotpatch-repo list: no error line"
[ "$(jq -r .error "$tmp/out")" = "$(sed 's/^hotpatch-repo: error: //' "$tmp/err" | head -n1)" ] ||
	no "hotpatch-repo list --json: the JSON error is not the stderr line"
# a command that prints its own object on failure: exactly one object
run 1 "$build/hotpatch-repo" verify "$tmp/none" --json
[ "$(jq -s length "$tmp/out")" = 1 ] || no "hotpatch-repo verify --json: not one JSON object"
[ "$(jq -r .ok "$tmp/out")" = false ] || no "hotpatch-repo verify --json: ok is not false"

[ "$fail" = 0 ] && echo "conventions: ok"
exit "$fail"
