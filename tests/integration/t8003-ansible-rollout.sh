#!/bin/bash
# t8003-ansible-rollout: the example playbook dnf_hotpatch.hotpatch.rollout
# (packaging/ansible) with Debian's ansible-core on three machines -- local
# connections whose hotpatch_root is an installroot standing for a live
# system (HP_ROOT_IS_LIVE=1): m1 the canary, m2 and m3 the fleet (m3 has the
# 6.1.0-60 kernel installed already, so it needs a reboot).
#  - --check: exit 0, nothing installed or applied anywhere; the report (the
#    one task that writes, on the controller) lists every machine as waiting
#    for baseline 2026Q2;
#  - for real: hp-ssl 2-1 installed and live on all three, in the order canary,
#    then the waves; the report names m3's newer kernel;
#  - run again: nothing changed (changed=0 for every host);
#  - the canary's apply refused by its engine: the rollout stops there (exit
#    non-zero), m2 and m3 are untouched, no report;
#  - the first wave's machine refused: max_fail_percentage stops the rollout,
#    the next wave's machine is untouched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t8009-fleet-fixture.sh"

fleet_prereqs
hp_require_cmd ansible-playbook /usr/bin/dnf
/usr/bin/python3 -c 'import dnf' 2>/dev/null || hp_skip "dnf's python module not importable by /usr/bin/python3"
T=$(hp_tmpdir t8003)
fleet_fixture "$T"

export ANSIBLE_COLLECTIONS_PATH=$HP_SRC_DIR/packaging/ansible ANSIBLE_HOME=$T/ansible-home \
	ANSIBLE_LOCAL_TEMP=$T/ansible-tmp ANSIBLE_REMOTE_TEMP=$T/ansible-rtmp ANSIBLE_NOCOLOR=1 \
	ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_RETRY_FILES_ENABLED=0

machines() {
	fleet_root "$T/m1"
	fleet_root "$T/m2"
	fleet_root "$T/m3"
	hp_rpm_install "$T/m3" "$FLEET_REPO"/kernel-core-6.1.0-60.x86_64.rpm
}
cat >"$T/inventory.yml" <<EOF
all:
  vars:
    ansible_connection: local
    ansible_python_interpreter: /usr/bin/python3
    hotpatch_command: $FLEET_HOTPATCH
    hotpatch_dnf_args: ["--releasever=12"]
  children:
    hotpatch_canary:
      hosts:
        m1: {hotpatch_root: $T/m1}
    hotpatch_fleet:
      hosts:
        m2: {hotpatch_root: $T/m2}
        m3: {hotpatch_root: $T/m3}
EOF
PB=(ansible-playbook -i "$T/inventory.yml" dnf_hotpatch.hotpatch.rollout -e "hotpatch_report=$T/report.txt")
# state - installed hp-ssl packages and live state of every machine.
state() {
	local m
	for m in m1 m2 m3; do
		printf '%s: %s| %s\n' "$m" "$(hp_rpm_q "$T/$m" -qa 'hp-ssl*' | sort | tr '\n' ' ')" \
			"$(fleet_live "$T/$m" | tr '\n' ' ')"
	done
}
# recap HOST - the PLAY RECAP line of HOST in the last run.
recap() { grep -E "^$1 +:" "$HP_OUT" | tail -n 1; }

# --- check mode ---------------------------------------------------------------
machines
before=$(state)
hp_assert_exit 0 "${PB[@]}" --check
hp_assert_eq "$before" "$(state)" "--check changed no machine"
hp_assert_contains "$(recap m1)" 'failed=0'
hp_assert_eq "m1: reboot for baseline 2026Q2: kernel-core-6.1.0-60 waits for baseline 2026Q2" \
	"$(grep '^m1:' "$T/report.txt")" "check mode report, m1"
hp_assert_contains "$(grep '^m3:' "$T/report.txt")" '^m3: reboot for baseline 2026Q2: newer kernel kernel-core-6\.1\.0-60 is installed'
hp_log "rollout --check: nothing changed, report written"

# --- for real -------------------------------------------------------------
rm -f "$T/report.txt"
hp_assert_exit 0 "${PB[@]}"
hp_assert_eq "$(printf '%s\n' 'm1: hp-ssl-2-1.x86_64 | hp-ssl-2-1.x86_64 ' \
	'm2: hp-ssl-2-1.x86_64 | hp-ssl-2-1.x86_64 ' 'm3: hp-ssl-2-1.x86_64 | hp-ssl-2-1.x86_64 ')" \
	"$(state)" "hp-ssl 2-1 installed and live everywhere"
# Canary first, then the waves (serial: one play per batch, in order).
order=$(grep -E '^(PLAY \[|changed: \[m[0-9]\])' "$HP_OUT" | grep -v 'PLAY \[Reboot' | tr '\n' ' ')
hp_assert_contains "$order" '^PLAY \[Canary\] \*+ changed: \[m1\] PLAY \[Fleet, in waves\] \*+ changed: \[m[23]\] PLAY \[Fleet, in waves\] \*+ changed: \[m[23]\] $'
hp_assert_eq 3 "$(grep -c '' "$T/report.txt")" "one report line per machine"
hp_assert_contains "$(grep '^m2:' "$T/report.txt")" '^m2: reboot for baseline 2026Q2: '
hp_assert_contains "$(grep '^m3:' "$T/report.txt")" 'newer kernel kernel-core-6\.1\.0-60 is installed, kernel-core-6\.1\.0-57 is running'
hp_log "rollout: canary, then waves; all live; reboot report"

hp_assert_exit 0 "${PB[@]}"
for m in m1 m2 m3; do
	hp_assert_contains "$(recap $m)" 'changed=0 ' "second run: $m"
done
hp_log "rollout again: changed=0 everywhere"

# --- the canary fails: nothing else is touched -----------------------------
machines
touch "$T/m1.live.fail"
rm -f "$T/report.txt"
hp_assert_exit 2 "${PB[@]}"
hp_assert_eq "$(printf '%s\n' 'm1: hp-ssl-2-1.x86_64 | ' 'm2: hp-ssl-1-1.x86_64 | ' 'm3: hp-ssl-1-1.x86_64 | ')" \
	"$(state)" "canary failed: m2 and m3 untouched"
hp_assert_contains "$HP_OUT" 'refused \(test fault\)'
hp_assert_not_contains "$HP_OUT" 'PLAY \[Fleet, in waves\]'
[ ! -e "$T/report.txt" ] || hp_fail "report written after a failed canary"
hp_log "a failed canary stops the rollout"

# --- a wave fails: max_fail_percentage stops the later waves ----------------
# The canary passes; the first wave (10 % of two machines = m2) fails, which
# is more than 10 % of it: m3, in the next wave, is never touched.
machines
touch "$T/m2.live.fail"
hp_assert_exit 2 "${PB[@]}"
hp_assert_eq "$(printf '%s\n' 'm1: hp-ssl-2-1.x86_64 | hp-ssl-2-1.x86_64 ' 'm2: hp-ssl-2-1.x86_64 | ' \
	'm3: hp-ssl-1-1.x86_64 | ')" "$(state)" "failed wave: m1 live, m2 failed, m3 untouched"
hp_assert_contains "$HP_OUT" 'refused \(test fault\)'
[ ! -e "$T/report.txt" ] || hp_fail "report written after a failed wave"
hp_log "a failed wave stops the rollout (max_fail_percentage)"
