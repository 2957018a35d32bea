#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan; build-fuzz/) and runs each
# for a fixed budget from its seed corpus (tests/fuzz/corpus/NAME): a smoke
# test that every reader still survives hostile input. A crash, a leak, a
# timeout (-timeout per input) or running out of memory (-rss_limit_mb) fails
# the target; its reproducer is kept in build-fuzz/artifacts/.
# Ends with "N passed, N failed" (one per target).
# Usage: tests/fuzz/run.sh [TARGET...]   FUZZ_SECONDS (default 12) per target.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bdir=${HP_FUZZ_BUILD_DIR:-$top/build-fuzz}
secs=${FUZZ_SECONDS:-12}
mkdir -p "$bdir"
if ! { CC=clang cmake -S "$top" -B "$bdir" -DHP_FUZZ=ON -DHP_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug \
	>"$bdir/cmake.log" 2>&1 && make -C "$bdir" -j"$(nproc 2>/dev/null || echo 2)" >"$bdir/make.log" 2>&1; }; then
	tail -n 30 "$bdir/cmake.log" "$bdir/make.log" >&2
	echo "fuzz: build failed"
	echo "0 passed, 1 failed"
	exit 1
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$top"/tests/fuzz/fuzz_*.c; do
		n=$(basename "$f" .c)
		targets+=("${n#fuzz_}")
	done
fi
passed=0 failed=0
mkdir -p "$bdir/artifacts" "$bdir/logs"
for t in "${targets[@]}"; do
	# A scratch corpus: what the run finds is not written into the tree.
	work=$(mktemp -d "/tmp/hp-fuzz-corpus-$t.XXXXXX")
	# detect_leaks: libFuzzer reports a leak as a failure.
	if ASAN_OPTIONS=detect_leaks=1 "$bdir/fuzz_$t" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -max_len=1048576 -artifact_prefix="$bdir/artifacts/$t-" \
		-print_final_stats=1 "$work" "$top/tests/fuzz/corpus/$t" >"$bdir/logs/$t.log" 2>&1; then
		runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$bdir/logs/$t.log" | grep -o '[0-9]*$')
		echo "ok fuzz_$t (${runs:-?} inputs in ${secs}s)"
		passed=$((passed + 1))
	else
		echo "FAIL fuzz_$t (log: $bdir/logs/$t.log)"
		grep -E 'ERROR|SUMMARY|Test unit written' "$bdir/logs/$t.log" | head -n 5
		failed=$((failed + 1))
	fi
	rm -rf "$work"
done
rm -rf /tmp/hp-fuzz.??????
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
