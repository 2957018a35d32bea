#!/bin/bash
# t4605-plugin-unit: the dnf plugin's policy functions (maintenance window,
# dry runs, the installroot rule, needs-restarting.d, the default
# reboot-requiring set, check merges) pinned down by their own unit tests
# (tests/plugin/test_hotpatch_plugin.py), run by Debian's dnf Python.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

/usr/bin/python3 -c 'import dnf' 2>/dev/null || hp_skip "dnf's python module not importable by /usr/bin/python3"
hp_assert_exit 0 /usr/bin/python3 "$HP_SRC_DIR/tests/plugin/test_hotpatch_plugin.py"
hp_assert_contains "$HP_ERR" '^OK$'
hp_log "plugin unit tests: $(grep -E '^Ran [0-9]+ tests' "$HP_ERR")"
