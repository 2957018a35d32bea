#!/usr/bin/env bash
# Runs every test of dnf-hotpatch on a Debian 12 machine, installing what is missing:
#   1. build twice, warnings fatal: a plain build (build/) and an ASan+UBSan build (build-asan/);
#   2. unit tests (Check, one CTest test per suite, and tests/cli) in the ASan build, then
#      under valgrind (leaks) in the plain build;
#   3. integration tests on real rpmbuild / createrepo_c / gpg / rpm / dnf (ASan binaries);
#   4. VM tests: Debian's kernel in qemu, a real kernel livepatch applied by the project's binaries;
#   5. fuzz: every libFuzzer target of tests/fuzz for a short fixed budget (FUZZ_SECONDS, default 12).
# Phases 2-4 run through CTest (labels unit, integration, vm; see CMakeLists.txt), so that
# `ctest -L integration -R t2000` or `ctest --rerun-failed` in build-asan/ do the same.
# Ends with one line "N passed, N failed" over all of them; exit status non-zero on any failure.
# Usage: ./test.sh [unit|valgrind|integration|vm|fuzz ...]   (default: all)
set -uo pipefail
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
phases=("$@")
[ ${#phases[@]} -gt 0 ] || phases=(unit valgrind integration vm fuzz)
want() { local p; for p in "${phases[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

bash packaging/install-deps.sh || { echo "test.sh: cannot install dependencies" >&2; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
build() { # DIR CMAKE-ARGS...
	local dir=$1; shift
	# HP_TESTS=ON explicitly: demo.sh configures build/ with HP_TESTS=OFF and the cache keeps it.
	cmake -S "$top" -B "$top/$dir" -DHP_WERROR=ON -DHP_TESTS=ON "$@" >"$top/$dir/cmake.log" 2>&1 &&
		make -C "$top/$dir" -j"$jobs" >"$top/$dir/make.log" 2>&1 ||
		{ cat "$top/$dir/cmake.log" "$top/$dir/make.log" >&2 2>/dev/null; echo "test.sh: build in $dir failed" >&2; exit 1; }
}
mkdir -p "$top/build" "$top/build-asan"
build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
build build-asan -DCMAKE_BUILD_TYPE=Debug -DHP_SANITIZE=ON

passed=0 failed=0 skipped=0
logdir="$top/build/test-logs"
mkdir -p "$logdir"
# ctest_phase BUILD-DIR LABEL LOG [ENV...]: runs CTest's tests of LABEL
# (tests registered in CMakeLists.txt, by label unit|integration|vm) and
# counts its per-test lines: Passed, ***Skipped (exit 77), anything else
# failed. No result line at all is a failure too.
ctest_phase() {
	local dir=$1 label=$2 log=$3 n p s
	shift 3
	(cd "$top/$dir" && env "$@" ctest -L "^$label\$" --output-on-failure --timeout 3600) 2>&1 | tee "$log"
	n=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: ' "$log")
	p=$(grep -E '^ *[0-9]+/[0-9]+ Test +#[0-9]+: ' "$log" | grep -cE ' Passed +[0-9.]+ sec')
	s=$(grep -E '^ *[0-9]+/[0-9]+ Test +#[0-9]+: ' "$log" | grep -cE 'Skipped')
	if [ "$n" -eq 0 ]; then failed=$((failed + 1)); return; fi
	passed=$((passed + p)); skipped=$((skipped + s)); failed=$((failed + n - p - s))
}

if want unit; then
	echo "== unit tests (ASan+UBSan): one CTest test per Check suite, plus tests/cli"
	ctest_phase build-asan unit "$logdir/unit.log" ASAN_OPTIONS=detect_leaks=1
fi
if want valgrind; then
	echo "== unit tests under valgrind (no leaks, no memory errors)"
	# One log per process: tests fork helper processes (a fake kernel, lock holders, crashing
	# writers) that exit without tidying up on purpose; only the runner's own log is judged.
	rm -f "$logdir"/valgrind.*
	CK_FORK=no valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --suppressions="$top/tests/valgrind.supp" \
		--log-file="$logdir/valgrind.%p" "$top/build/hp-unit-tests" >"$logdir/valgrind-run.log" 2>&1 &
	vgpid=$!
	wait "$vgpid"
	rc=$?
	if [ "$rc" -eq 0 ] && [ ! -s "$logdir/valgrind.$vgpid" ]; then
		echo "valgrind: clean"; passed=$((passed + 1))
	else
		tail -n 20 "$logdir/valgrind-run.log"; head -n 80 "$logdir/valgrind.$vgpid" 2>/dev/null
		echo "valgrind: FAILED (exit $rc; see $logdir/valgrind.$vgpid)"
		failed=$((failed + 1))
	fi
fi
if want integration; then
	echo "== integration tests (real rpm, createrepo_c, gpg, dnf)"
	ctest_phase build-asan integration "$logdir/integration.log" ASAN_OPTIONS=detect_leaks=0
fi
if want vm; then
	echo "== VM tests (Debian kernel in qemu, real livepatch)"
	ctest_phase build vm "$logdir/vm.log"
fi
if want fuzz; then
	echo "== fuzz targets (libFuzzer, clang; smoke budget per target)"
	bash tests/fuzz/run.sh 2>&1 | tee "$logdir/fuzz.log"
	# tests/fuzz/run.sh ends with "N passed, N failed"; none = the phase failed
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logdir/fuzz.log" | tail -n 1)
	if [ -z "$line" ]; then
		failed=$((failed + 1))
	else
		set -- $line
		passed=$((passed + $1)); failed=$((failed + $3))
	fi
fi
echo
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
