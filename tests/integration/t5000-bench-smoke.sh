#!/bin/bash
# t5000-bench-smoke: the benchmark command (bench/run.sh --smoke) runs end to
# end at a tiny scale -- generated repository, real hotpatch/kernel/installed
# RPMs, createrepo_c, hotpatch-repo publish, an rpm --justdb installroot,
# hotpatch check, dnf check-update/upgrade with and without the plugin, the
# floor program -- and produces a number for every measurement.  No timing
# is asserted: benchmarks are not part of pass/fail (bench/RESULTS.md).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_root
hp_require_cmd rpmbuild rpm createrepo_c modifyrepo_c cc /usr/bin/time /usr/bin/dnf
/usr/bin/python3 -c 'import dnf' 2>/dev/null || hp_skip "dnf's python module not importable by /usr/bin/python3"
hp_require_bin hotpatch hotpatch-repo
[ -f /usr/include/expat.h ] && [ -f /usr/include/zlib.h ] || hp_skip "expat/zlib headers missing (floor.c)"

W=$(hp_tmpdir bench)
rc=0
"$HP_SRC_DIR/bench/run.sh" --smoke --work "$W/work" >"$W/stdout" 2>"$W/stderr" || rc=$?
[ "$rc" = 77 ] && hp_skip "$(grep '^skip: ' "$W/stderr" | tail -n1 | sed 's/^skip: //')"
if [ "$rc" != 0 ]; then
	tail -n 40 "$W/stderr" >&2
	hp_fail "bench/run.sh --smoke exited $rc"
fi

R=$W/work/results.tsv
[ -f "$R" ] || hp_fail "no results file $R"
# Every measurement has a line: name, median, min, max (seconds), peak RSS
# (KiB), exit codes, crashes.
for name in hp_check_cold hp_check_warm dnf_checkupdate_cold dnf_checkupdate_warm \
	dnf_upgrade_plain createrepo_update_one publish_one publish_scratch \
	createrepo_scratch_realfiles floor_hotpatch floor_primary_updateinfo floor_dnf; do
	hp_assert_contains "$R" "^$name	[0-9]+\.[0-9]{4}	[0-9]+\.[0-9]{4}	[0-9]+\.[0-9]{4}	[1-9][0-9]*	[0-9,]+	[0-9]+	[0-9.,]+$"
done
# The commands did their job (exit codes as documented): hotpatches and
# updates available (100), publish and createrepo_c succeeded (0).
hp_assert_contains "$R" '^hp_check_warm	.*	100	[0-9]+	[0-9.,]+$'
hp_assert_contains "$R" '^dnf_checkupdate_cold	.*	100	[0-9]+	[0-9.,]+$'
hp_assert_contains "$R" '^publish_one	.*	0	[0-9]+	[0-9.,]+$'
hp_assert_contains "$R" '^createrepo_update_one	.*	0	[0-9]+	[0-9.,]+$'
hp_assert_contains "$W/work/out/hp_check_warm.1" '"available"'
# The plugin line: measured, or the documented "not measured" reason.
N=$W/work/notes.tsv
hp_assert_contains "$N" '^plugin	(ok|not measured: .*|measured, but .*)$'
if grep -q '^plugin	ok$' "$N"; then
	hp_assert_contains "$R" '^dnf_upgrade_hotpatch	[0-9]+\.[0-9]{4}	'
fi
hp_assert_contains "$N" '^hotpatch_rpms	[1-9][0-9]*$'
# report.py turns the results into the RESULTS.md tables.
/usr/bin/python3 "$HP_SRC_DIR/bench/report.py" "$W/work" >"$W/report.md" ||
	hp_fail "bench/report.py failed"
hp_assert_contains "$W/report.md" 'hotpatch check.*/ dnf check-update'
hp_log "bench smoke OK"
