#!/bin/bash
# tests/integration/run.sh [-v] [TEST...] - run the integration tests.
#
# Runs every tests/integration/tNNNN-*.sh, or only the TESTs named (as
# t0001, t0001-fixtures, t0001-fixtures.sh or a path), each in its own
# process with a timeout, and prints one line per test on stdout:
#	ok NAME
#	FAIL NAME REASON
#	SKIP NAME REASON
# then exactly one summary line, "N passed, N failed" (plus ", N skipped"
# when any were skipped), and exits 1 if any test failed (2 on usage
# errors).  A test skips by exiting 77 (a prerequisite is missing); the
# reason is its last "skip: ..." line on stderr.  A skip never counts as a
# pass.  Each test's output goes to $HP_LOG_DIR/NAME.log; the tail of a
# failing test's log is copied to stderr (all of it with -v).
# With --ctest (one TEST, as CTest runs it) the exit status is the test's
# own: 0 pass, 77 skip (CTest's SKIP_RETURN_CODE), else fail.
#
# Environment:
#   HP_TEST_TIMEOUT  seconds per test (default 900)
#   HP_LOG_DIR       where logs go (default $HP_BUILD_DIR/integration-logs
#                    if that build dir exists, else /tmp/hp-integration-logs)
#   HP_BUILD_DIR, HP_CACHE_DIR, HP_KEEP  passed to the tests (see lib.sh)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
verbose=0
ctest=0
while [ $# -gt 0 ]; do
	case "$1" in
	-v) verbose=1 ;;
	--ctest) ctest=1 ;;
	*) break ;;
	esac
	shift
done
case "${1:-}" in
-h|--help)
	sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 0
	;;
esac

: "${HP_TEST_TIMEOUT:=900}"
: "${HP_BUILD_DIR:=$(cd "$here/../.." && pwd)/build}"
export HP_BUILD_DIR
if [ -z "${HP_LOG_DIR:-}" ]; then
	if [ -d "$HP_BUILD_DIR" ]; then
		HP_LOG_DIR=$HP_BUILD_DIR/integration-logs
	else
		HP_LOG_DIR=${TMPDIR:-/tmp}/hp-integration-logs
	fi
fi
mkdir -p "$HP_LOG_DIR" || exit 2

tests=()
if [ $# -eq 0 ]; then
	for t in "$here"/t[0-9][0-9][0-9][0-9]-*.sh; do
		[ -f "$t" ] && tests+=("$t")
	done
else
	for a in "$@"; do
		if [ -f "$a" ]; then
			tests+=("$(cd "$(dirname "$a")" && pwd)/$(basename "$a")")
			continue
		fi
		a=${a%.sh}
		match=
		for t in "$here/$a.sh" "$here/$a"-*.sh; do
			if [ -f "$t" ]; then
				match=$t
				break
			fi
		done
		if [ -z "$match" ]; then
			echo "run.sh: no test named '$a' in $here" >&2
			exit 2
		fi
		tests+=("$match")
	done
fi

passed=0
failed=0
skipped=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	log=$HP_LOG_DIR/$name.log
	start=$SECONDS
	# Own process (timeout kills its whole process group), an empty
	# working directory, stdin closed so that a test waiting for input
	# fails instead of hanging.
	wd=$(mktemp -d "${TMPDIR:-/tmp}/hp-run.XXXXXX") || exit 2
	(cd "$wd" &&
		exec timeout --kill-after=10 "$HP_TEST_TIMEOUT" bash "$t") </dev/null >"$log" 2>&1
	rc=$?
	last_rc=$rc
	rm -rf "$wd"
	secs=$((SECONDS - start))
	case "$rc" in
	0)
		echo "ok $name"
		passed=$((passed + 1))
		;;
	77)
		reason=$(grep -E '^skip: ' "$log" | tail -n1 | sed 's/^skip: //')
		echo "SKIP $name ${reason:-(no reason given)}"
		skipped=$((skipped + 1))
		;;
	*)
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			reason="timed out after ${HP_TEST_TIMEOUT}s"
		else
			reason="exit $rc after ${secs}s"
		fi
		echo "FAIL $name $reason (log: $log)"
		failed=$((failed + 1))
		{
			echo "--- $name log"
			if [ "$verbose" = 1 ]; then
				cat "$log"
			else
				tail -n 60 "$log"
			fi
			echo "--- end of $name log"
		} >&2
		;;
	esac
done

summary="$passed passed, $failed failed"
if [ "$skipped" -gt 0 ]; then
	summary="$summary, $skipped skipped"
fi
echo "$summary"
if [ "$ctest" = 1 ] && [ ${#tests[@]} = 1 ]; then
	exit "$last_rc"
fi
[ "$failed" = 0 ]
