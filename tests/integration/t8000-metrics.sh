#!/bin/bash
# t8000-metrics: `hotpatch metrics` on a machine with a live hotpatch (hp-ssl
# 1-1, exec engine), an available one (hp-ssl 2-1) and a held-back update
# (kernel-core 6.1.0-60, baseline 2026Q2), parsed by the official Prometheus
# parser (python3-prometheus-client under /usr/bin/python3) and checked by
# `promtool check metrics` (Debian's prometheus package):
#  - every family of the issue is there, with the values of this machine;
#  - the last apply comes from the journal (the time of its record), success
#    1, then 0 after an apply the engine refused;
#  - --textfile DIR writes DIR/hotpatch.prom atomically (0644, the same text,
#    no temporary left beside it); a missing DIR is one error line and exit
#    1 with nothing written; --textfile without a value is a usage error (2).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t8009-fleet-fixture.sh"

fleet_prereqs
/usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null ||
	hp_skip "python3-prometheus-client not installed (packaging/debian-deps.txt)"
hp_require_cmd promtool
T=$(hp_tmpdir t8000)
fleet_fixture "$T"
R=$T/m1
fleet_root "$R"
H=("$FLEET_HOTPATCH" --root "$R")
J=$R/var/lib/hotpatch/journal/journal.jsonl

FLEET_SAMPLES=$T/samples
# parse FILE - the official parser and promtool both accept it.
parse() {
	fleet_prom_parse "$1"
	promtool check metrics <"$1" >"$T/promtool.out" 2>&1 ||
		{ cat "$T/promtool.out" >&2; hp_fail "promtool check metrics refused $1"; }
}
value() { fleet_prom_value "$@"; }

# Before any apply: installed, not live; no last apply recorded.
hp_assert_exit 0 "${H[@]}" metrics
parse "$HP_OUT"
hp_assert_eq 0 "$(value 'hotpatch_live{build="3.0.11-1",component="openssl-libs",engine="hptest",package="hp-ssl-1-1.x86_64"}')" \
	"installed, not live"
hp_assert_not_contains "$T/samples" '^hotpatch_last_apply'

hp_assert_exit 0 "${H[@]}" apply --all
hp_assert_eq hp-ssl-1-1.x86_64 "$(fleet_live "$R")" "hp-ssl 1-1 live"
hp_assert_exit 0 "${H[@]}" metrics
cp "$HP_OUT" "$T/m.prom"
hp_assert_eq "" "$(cat "$HP_ERR")" "nothing on stderr when every part was read"
parse "$T/m.prom"
# Every family with HELP and TYPE gauge.
for f in hotpatch_live hotpatch_available hotpatch_held_back hotpatch_reboot_required \
	hotpatch_baseline_support_end_timestamp_seconds hotpatch_metadata_expiry_timestamp_seconds \
	hotpatch_last_apply_timestamp_seconds hotpatch_last_apply_success hotpatch_repo_up \
	hotpatch_metadata_generated_timestamp_seconds hotpatch_metadata_revision; do
	hp_assert_contains "$T/samples" "^# family $f gauge\$"
	hp_assert_contains "$T/m.prom" "^# HELP $f "
done
hp_assert_eq 1 "$(value 'hotpatch_live{build="3.0.11-1",component="openssl-libs",engine="hptest",package="hp-ssl-1-1.x86_64"}')" "live"
hp_assert_eq 1 "$(grep -c '^hotpatch_live{' "$T/samples")" "one hotpatch_live sample"
hp_assert_eq 1 "$(value 'hotpatch_available{build="3.0.11-1",component="openssl-libs"}')" "hp-ssl 2-1 available"
hp_assert_eq 0 "$(value 'hotpatch_available{build="6.1.0-57",component="kernel-core"}')" "nothing for the kernel"
hp_assert_eq 1 "$(value 'hotpatch_held_back{baseline="2026Q2"}')" "kernel-core 60 held back"
hp_assert_eq 0 "$(value 'hotpatch_reboot_required{reason="newer_build_installed"}')" "no newer build installed"
hp_assert_eq 0 "$(value 'hotpatch_reboot_required{reason="baseline_support_ended"}')" "support not ended"
hp_assert_eq 1 "$(value 'hotpatch_reboot_required{reason="updates_held_back"}')" "updates wait for a reboot"
hp_assert_eq "$(($(date -u -d "$FLEET_Q1_UNTIL" +%s) + 86400))" \
	"$(value 'hotpatch_baseline_support_end_timestamp_seconds{baseline="2026Q1",kind="planned"}')" \
	"support ends the midnight after supported-until"
hp_assert_eq 1 "$(value 'hotpatch_repo_up{repo="fleet"}')" "repo read"
gen=$(value 'hotpatch_metadata_generated_timestamp_seconds{repo="fleet"}')
hp_assert_eq $((gen + 30 * 86400)) "$(value 'hotpatch_metadata_expiry_timestamp_seconds{repo="fleet"}')" \
	"expiry = generation + --expires-days 30"
hp_assert_eq "$(cat "$FLEET_REPO/.hotpatch/revision")" "$(value 'hotpatch_metadata_revision{repo="fleet"}')" \
	"revision as published"
hp_assert_eq "$(tail -n 1 "$J" | jq .time)" "$(value hotpatch_last_apply_timestamp_seconds)" \
	"last apply time = the journal's result record"
hp_assert_eq 1 "$(value hotpatch_last_apply_success)" "last apply succeeded"
hp_log "metrics: every family parsed, values of the scenario"

# Held back and reboot: with kernel-core 60 installed the kernel needs a reboot.
cp -a "$R" "$T/m2"
cp "$R.live" "$T/m2.live"
sed -i "s|$R|$T/m2|g" "$T/m2/etc/hotpatch/engines.d/hptest.conf"
hp_rpm_install "$T/m2" "$FLEET_REPO"/kernel-core-6.1.0-60.x86_64.rpm
hp_assert_exit 0 "$FLEET_HOTPATCH" --root "$T/m2" metrics
parse "$HP_OUT"
hp_assert_eq 1 "$(value 'hotpatch_reboot_required{reason="newer_build_installed"}')" "newer kernel installed"
# Support ended (HP_NOW two days past supported-until, the metadata still
# valid): the reason says so.
HP_NOW=$(($(date -u -d "$FLEET_Q1_UNTIL" +%s) + 2 * 86400)) \
	hp_assert_exit 0 "$FLEET_HOTPATCH" --root "$T/m2" metrics
parse "$HP_OUT"
hp_assert_eq 1 "$(value 'hotpatch_reboot_required{reason="baseline_support_ended"}')" "support ended"
hp_log "metrics: reboot reasons"

# A failed apply: hp-ssl 2-1 installed, the engine refuses.
fleet_rpm_upgrade "$R" "$FLEET_REPO"/hp-ssl-2-1.x86_64.rpm
touch "$R.live.fail"
hp_assert_exit 1 "${H[@]}" apply --all
rm -f "$R.live.fail"
hp_assert_exit 0 "${H[@]}" metrics
parse "$HP_OUT"
hp_assert_eq 0 "$(value hotpatch_last_apply_success)" "last apply failed"
hp_assert_eq "$(tail -n 1 "$J" | jq .time)" "$(value hotpatch_last_apply_timestamp_seconds)" "time of the failure"
hp_assert_eq 0 "$(value 'hotpatch_live{build="3.0.11-1",component="openssl-libs",engine="hptest",package="hp-ssl-2-1.x86_64"}')" \
	"hp-ssl 2-1 installed, not live"
hp_log "metrics: a refused apply is last_apply_success 0"

# --textfile: atomic write into a node_exporter textfile directory.
mkdir -p "$T/textfile"
hp_assert_exit 0 "${H[@]}" metrics --textfile "$T/textfile"
hp_assert_eq "" "$(cat "$HP_OUT")" "nothing on stdout with --textfile"
hp_assert_exit 0 "${H[@]}" metrics
cmp "$HP_OUT" "$T/textfile/hotpatch.prom" || hp_fail "textfile differs from stdout"
hp_assert_eq 644 "$(stat -c %a "$T/textfile/hotpatch.prom")" "textfile mode"
hp_assert_eq hotpatch.prom "$(ls -A "$T/textfile")" "no temporary file left"
parse "$T/textfile/hotpatch.prom"
# The option after the global ones and with '=' too.
hp_assert_exit 0 "$FLEET_HOTPATCH" metrics --root "$R" --textfile="$T/textfile"
hp_assert_exit 1 "${H[@]}" metrics --textfile "$T/no-such-dir"
hp_assert_eq 1 "$(grep -c '' "$HP_ERR")" "one error line"
hp_assert_contains "$HP_ERR" "^hotpatch: error: .*$T/no-such-dir"
[ ! -e "$T/no-such-dir" ] || hp_fail "missing textfile dir created"
hp_assert_exit 2 "${H[@]}" metrics --textfile
hp_assert_exit 2 "${H[@]}" metrics --bogus
hp_assert_contains "$HP_ERR" "unknown option '--bogus' for 'metrics'"
hp_log "metrics --textfile: atomic write, errors"
