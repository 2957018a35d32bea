#!/bin/bash
# tests/vm/run.sh [-v] [TEST...] - run the VM tests (tests/vm/t*.sh, or the
# ones named) one after the other and summarise.
#
# Prints "ok NAME", "FAIL NAME" or "SKIP NAME (reason)" per test and then
# "N passed, N failed" (", N skipped" when some were skipped).  A failed
# test's output is printed; -v prints every test's output.  Logs stay in
# $HP_VM_LOGDIR (default: a new directory under /tmp).  Exits 1 if any test
# failed, else 0.  Tests exit 0 (pass), 77 (skip) or anything else (fail).
# With --ctest (one TEST, as CTest runs it) the exit status is the test's
# own, so that CTest's SKIP_RETURN_CODE 77 reports a skip.
set -u

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
if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=("$here"/t[0-9]*.sh)
fi
logdir=${HP_VM_LOGDIR:-$(mktemp -d "${TMPDIR:-/tmp}/hp-vm-logs.XXXXXX")}
mkdir -p "$logdir" || exit 1

passed=0 failed=0 skipped=0
for t in "${tests[@]}"; do
	[ -f "$t" ] || t=$here/$t
	name=$(basename "$t" .sh)
	log=$logdir/$name.log
	start=$(date +%s.%N)
	bash "$t" >"$log" 2>&1 </dev/null
	rc=$?
	last_rc=$rc
	secs=$(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $start}")
	case "$rc" in
	0)
		echo "ok $name (${secs}s)"
		passed=$((passed + 1))
		;;
	77)
		reason=$(grep -m1 '^SKIP' "$log" | sed 's/^SKIP:* *//')
		echo "SKIP $name${reason:+ ($reason)}"
		skipped=$((skipped + 1))
		;;
	*)
		echo "FAIL $name (exit $rc, ${secs}s, log $log)"
		failed=$((failed + 1))
		sed 's/^/    /' "$log"
		;;
	esac
	if [ "$verbose" = 1 ] && { [ "$rc" = 0 ] || [ "$rc" = 77 ]; }; then
		sed 's/^/    /' "$log"
	fi
done

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
if [ "$ctest" = 1 ] && [ ${#tests[@]} = 1 ]; then
	exit "$last_rc"
fi
[ "$failed" = 0 ]
