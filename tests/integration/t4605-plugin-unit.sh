#!/bin/bash
# t4605-plugin-unit: the dnf plugin's policy pinned down by its own unit
# tests, run by Debian's dnf Python: every tests/plugin/test_*.py --
# test_hotpatch_plugin.py through the plugin file (maintenance window, dry
# runs, the installroot rule, needs-restarting.d, the default
# reboot-requiring set, check merges), test_dnf_hotpatch.py on the policy
# package plugin/dnf/dnf_hotpatch alone (window edge cases, repo groups,
# merges of two check runs, refusals, hold reasons, how the plugin finds
# the package).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

/usr/bin/python3 -c 'import dnf' 2>/dev/null || hp_skip "dnf's python module not importable by /usr/bin/python3"
n=0
for t in "$HP_SRC_DIR"/tests/plugin/test_*.py; do
	hp_assert_exit 0 /usr/bin/python3 "$t"
	hp_assert_contains "$HP_ERR" '^OK$'
	hp_log "$(basename "$t"): $(grep -E '^Ran [0-9]+ tests' "$HP_ERR")"
	n=$((n + 1))
done
[ "$n" -ge 2 ] || hp_fail "tests/plugin: $n test files found, expected test_hotpatch_plugin.py and test_dnf_hotpatch.py"
