#!/bin/bash
# t8004-alert-rules: the example alerting rules of docs/operations.md
# (packaging/prometheus/hotpatch-alerts.yml) and the optional systemd
# drop-ins that refresh the textfile.
#  - `promtool check rules` accepts the rules file;
#  - `promtool test rules` evaluates them on input series made from REAL
#    `hotpatch metrics` output of fleet machines: m1 with hp-ssl 2-1
#    offered and hp-ssl 1-1 installed but not live, m2 the same but its apply
#    was refused by the engine, m4 (applied) whose repository is gone -- and asserts which
#    alerts fire when (available-not-live only after 24 h, installed-not-live,
#    last apply failed, repository down after 6 h) and that the real
#    timestamps of this repository (metadata valid 30 days, support until
#    today + 10 days) fire none of the time-based alerts. promtool starts its
#    clock at 0, so the time-based rules (metadata expiring, support ended or
#    ending) are also evaluated on one synthetic machine, m3, whose
#    timestamps are set relative to that clock;
#  - the drop-ins pass `systemd-analyze verify` with their units, and the
#    command line they add writes the textfile on a machine (installroot).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t8009-fleet-fixture.sh"

fleet_prereqs
hp_require_cmd promtool
/usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null ||
	hp_skip "python3-prometheus-client not installed (packaging/debian-deps.txt)"
RULES=$HP_SRC_DIR/packaging/prometheus/hotpatch-alerts.yml
TOSERIES=$HP_FIXTURES/fleet/prom-to-series.py
T=$(hp_tmpdir t8004)

hp_assert_exit 0 promtool check rules "$RULES"
hp_assert_contains "$HP_OUT" 'SUCCESS: 8 rules found'

fleet_fixture "$T"
# m1: hp-ssl 1-1 installed, not live; hp-ssl 2-1 offered.
fleet_root "$T/m1"
hp_assert_exit 0 "$FLEET_HOTPATCH" --root "$T/m1" metrics
cp "$HP_OUT" "$T/m1.prom"
# m2: the engine refused the apply.
fleet_root "$T/m2"
touch "$T/m2.live.fail"
hp_assert_exit 1 "$FLEET_HOTPATCH" --root "$T/m2" apply --all
hp_assert_exit 0 "$FLEET_HOTPATCH" --root "$T/m2" metrics
cp "$HP_OUT" "$T/m2.prom"
# m4: applied, then the repository went away.
fleet_root "$T/m4"
hp_assert_exit 0 "$FLEET_HOTPATCH" --root "$T/m4" apply --all
mv "$FLEET_REPO" "$FLEET_REPO.away"
hp_assert_exit 0 "$FLEET_HOTPATCH" --root "$T/m4" metrics
cp "$HP_OUT" "$T/m4.prom"
mv "$FLEET_REPO.away" "$FLEET_REPO"

steps=1800   # 30 h of 1-minute samples
{
	cat <<EOF
rule_files:
  - $RULES
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
EOF
	for m in m1 m2 m4; do
		/usr/bin/python3 "$TOSERIES" "$T/$m.prom" "$m" "$steps"
	done
	cat <<EOF
      - series: 'hotpatch_metadata_expiry_timestamp_seconds{instance="m3",repo="fleet"}'
        values: '200000+0x$steps'
      - series: 'hotpatch_baseline_support_end_timestamp_seconds{baseline="2026Q1",instance="m3",kind="planned"}'
        values: '3600+0x$steps'
    alert_rule_test:
      - eval_time: 23h
        alertname: HotpatchAvailableNotLive
      - eval_time: 25h
        alertname: HotpatchAvailableNotLive
        exp_alerts:
          - exp_labels: {severity: warning, instance: m1, component: openssl-libs, build: 3.0.11-1}
            exp_annotations:
              summary: "m1: 1 hotpatch(es) for openssl-libs 3.0.11-1 available but not live for 24 h"
          - exp_labels: {severity: warning, instance: m2, component: openssl-libs, build: 3.0.11-1}
            exp_annotations:
              summary: "m2: 1 hotpatch(es) for openssl-libs 3.0.11-1 available but not live for 24 h"
      - eval_time: 2h
        alertname: HotpatchInstalledNotLive
        exp_alerts:
          - exp_labels: {severity: warning, instance: m1, package: hp-ssl-1-1.x86_64, component: openssl-libs, build: 3.0.11-1, engine: hptest}
            exp_annotations:
              summary: "m1: hp-ssl-1-1.x86_64 is installed but not live (hptest)"
          - exp_labels: {severity: warning, instance: m2, package: hp-ssl-1-1.x86_64, component: openssl-libs, build: 3.0.11-1, engine: hptest}
            exp_annotations:
              summary: "m2: hp-ssl-1-1.x86_64 is installed but not live (hptest)"
      - eval_time: 10m
        alertname: HotpatchLastApplyFailed
        exp_alerts:
          - exp_labels: {severity: critical, instance: m2}
            exp_annotations:
              summary: "m2: the last live apply failed (see hotpatch status and the journal)"
      - eval_time: 5h
        alertname: HotpatchRepositoryDown
      - eval_time: 7h
        alertname: HotpatchRepositoryDown
        exp_alerts:
          - exp_labels: {severity: warning, instance: m4, repo: fleet}
            exp_annotations:
              summary: "m4: hotpatch repository fleet cannot be read"
      - eval_time: 2h
        alertname: HotpatchMetadataExpiringSoon
        exp_alerts:
          - exp_labels: {severity: warning, instance: m3, repo: fleet}
            exp_annotations:
              summary: "m3: hotpatch metadata of repository fleet expires in less than 3 days"
      - eval_time: 2h
        alertname: HotpatchBaselineSupportEnded
        exp_alerts:
          - exp_labels: {severity: critical, instance: m3, baseline: 2026Q1, kind: planned}
            exp_annotations:
              summary: "m3: support of its baseline has ended; reboot into a newer baseline"
      - eval_time: 2h
        alertname: HotpatchBaselineSupportEndingSoon
        exp_alerts:
          - exp_labels: {severity: info, instance: m3, baseline: 2026Q1, kind: planned}
            exp_annotations:
              summary: "m3: support of baseline 2026Q1 ends within 14 days; plan the reboot"
EOF
} >"$T/rules-test.yml"
hp_assert_exit 0 promtool test rules "$T/rules-test.yml"
hp_assert_contains "$HP_OUT" 'SUCCESS'
# The series really came from the machines (not an empty input).
hp_assert_contains "$T/rules-test.yml" "hotpatch_live\\{build=\"3.0.11-1\",component=\"openssl-libs\",engine=\"hptest\",instance=\"m4\",package=\"hp-ssl-1-1.x86_64\"\\}'"
hp_assert_contains "$T/rules-test.yml" "hotpatch_repo_up\\{instance=\"m4\",repo=\"fleet\"\\}'"
hp_log "alert rules: promtool check and test on real metrics"

# --- the optional drop-ins --------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	root=$T/sysroot
	mkdir -p "$root/usr/bin" "$root/usr/lib/hotpatch" "$root/etc/systemd/system" "$root/usr/lib/systemd"
	cp -a /lib/systemd/system "$root/usr/lib/systemd/system"
	cp "$FLEET_HOTPATCH" "$root/usr/bin/hotpatch"
	cp /usr/bin/dnf "$root/usr/bin/dnf" 2>/dev/null || printf '#!/bin/sh\n' >"$root/usr/bin/dnf"
	chmod 0755 "$root/usr/bin/dnf"
	mkdir -p "$T/man/man8"
	cp "$HP_SRC_DIR"/packaging/man/*.8 "$T/man/man8/"
	for u in hotpatch-upgrade hotpatch-reapply; do
		cp "$HP_SRC_DIR/hooks/systemd/$u.service" "$root/etc/systemd/system/"
		mkdir -p "$root/etc/systemd/system/$u.service.d"
		cp "$HP_SRC_DIR/hooks/systemd/metrics/$u-metrics.conf" "$root/etc/systemd/system/$u.service.d/metrics.conf"
		MANPATH=$T/man hp_assert_exit 0 systemd-analyze --root="$root" verify "/etc/systemd/system/$u.service"
		hp_assert_not_contains "$HP_ERR" "$u"
		hp_assert_contains "$HP_SRC_DIR/hooks/systemd/metrics/$u-metrics.conf" \
			'^ExecStartPost=-/usr/bin/hotpatch metrics --textfile /var/lib/prometheus/node-exporter$'
	done
	hp_log "drop-ins verify with their units"
else
	hp_log "no systemd-analyze: the drop-ins are not verified here"
fi
# Their command, as systemd runs it (ExecStartPost without the '-'), on a machine.
cmd=$(sed -n 's/^ExecStartPost=-//p' "$HP_SRC_DIR/hooks/systemd/metrics/hotpatch-upgrade-metrics.conf")
read -r -a words <<<"$cmd"
dir=$T/m1${words[-1]}
mkdir -p "$dir"
hp_assert_exit 0 "$FLEET_HOTPATCH" --root "$T/m1" "${words[@]:1:${#words[@]}-2}" "$dir"
fleet_prom_parse "$dir/hotpatch.prom"
hp_assert_eq 1 "$(fleet_prom_value 'hotpatch_repo_up{repo="fleet"}')" "textfile written by the drop-in's command"
hp_log "the drop-in's command writes the textfile"
