#!/bin/bash
# t8001-offline-status-metrics: what monitoring sees when the repository
# cannot be read. On the fleet machine with hp-ssl 1-1 live:
#  - status --json while the repository is readable: repos[] with revision,
#    generated, expires, age_seconds; last_apply from the journal;
#    baseline.support_end;
#  - repository gone (directory moved away): `metrics` still exits 0 and
#    prints the offline part (hotpatch_live 1 from the rpmdb and the engine,
#    the last apply from the journal, the reboot decision from the rpmdb),
#    hotpatch_repo_up{repo="fleet"} 0, no metadata samples for it, and one
#    error line naming the repo plus notes naming the missing parts;
#    `status --json` exits 1 with the full object: repos[0].error names why,
#    its revision is the last one accepted, the installed hotpatch is live,
#    last_apply is there;
#  - metadata expired (HP_NOW past its expiry): the same, the error says
#    expired;
#  - a second repository that is fine next to a broken one: its part is
#    there (repo_up 1, its metadata families), the broken one is repo_up 0.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t8009-fleet-fixture.sh"

fleet_prereqs
/usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null ||
	hp_skip "python3-prometheus-client not installed (packaging/debian-deps.txt)"
T=$(hp_tmpdir t8001)
fleet_fixture "$T"
R=$T/m1
fleet_root "$R"
H=("$FLEET_HOTPATCH" --root "$R")
J=$R/var/lib/hotpatch/journal/journal.jsonl
LIVE='hotpatch_live{build="3.0.11-1",component="openssl-libs",engine="hptest",package="hp-ssl-1-1.x86_64"}'

FLEET_SAMPLES=$T/samples
value() { fleet_prom_value "$@"; }
parse() { fleet_prom_parse "$@"; }

hp_assert_exit 0 "${H[@]}" apply --all
apply_time=$(tail -n 1 "$J" | jq .time)

# --- readable: the monitoring fields of status --json ----------------------
hp_assert_exit 0 "${H[@]}" status --json
hp_assert_eq fleet "$(jq -r '.repos[0].id' "$HP_OUT")" "repo id"
hp_assert_eq null "$(jq -r '.repos[0].error' "$HP_OUT")" "no error"
hp_assert_eq "$(cat "$FLEET_REPO/.hotpatch/revision")" "$(jq -r '.repos[0].revision' "$HP_OUT")" "revision"
gen=$(jq -r '.repos[0].generated' "$HP_OUT")
hp_assert_eq $((gen + 30 * 86400)) "$(jq -r '.repos[0].expires' "$HP_OUT")" "expires"
age=$(jq -r '.repos[0].age_seconds' "$HP_OUT")
[ "$age" -ge 0 ] && [ "$age" -lt 86400 ] || hp_fail "age_seconds $age: the repo was just published"
hp_assert_eq "{\"time\":$apply_time,\"result\":\"success\",\"package\":\"hp-ssl-1-1.x86_64\"}" \
	"$(jq -c .last_apply "$HP_OUT")" "last_apply from the journal"
hp_assert_eq "$(($(date -u -d "$FLEET_Q1_UNTIL" +%s) + 86400))" "$(jq -r .baseline.support_end "$HP_OUT")" \
	"baseline.support_end"
hp_assert_exit 0 "${H[@]}" status
hp_assert_contains "$HP_OUT" '^Last apply: .* success \(hp-ssl-1-1\.x86_64\)$'
hp_assert_contains "$HP_OUT" '^Repository fleet: revision [0-9]+, generated .*, expires '
hp_log "status --json: repos, last_apply, support_end"

# --- repository gone -------------------------------------------------------
mv "$FLEET_REPO" "$FLEET_REPO.away"
hp_assert_exit 0 "${H[@]}" metrics
cp "$HP_OUT" "$T/offline.prom"
parse "$T/offline.prom"
promtool check metrics <"$T/offline.prom" || hp_fail "promtool refused the offline metrics"
hp_assert_eq 1 "$(grep -c '^hotpatch: error: ' "$HP_ERR")" "one error line"
hp_assert_contains "$HP_ERR" "^hotpatch: error: .*'fleet'"
hp_assert_contains "$HP_ERR" "^note: repository 'fleet' not read"
hp_assert_eq 0 "$(value 'hotpatch_repo_up{repo="fleet"}')" "repo down"
hp_assert_eq 1 "$(value "$LIVE")" "live state read offline"
hp_assert_eq 1 "$(value hotpatch_last_apply_success)" "last apply read offline"
hp_assert_eq "$apply_time" "$(value hotpatch_last_apply_timestamp_seconds)" "last apply time offline"
hp_assert_eq 0 "$(value 'hotpatch_reboot_required{reason="newer_build_installed"}')" "reboot decision offline"
hp_assert_not_contains "$T/samples" '^hotpatch_metadata_expiry_timestamp_seconds'
hp_assert_not_contains "$T/samples" '^hotpatch_baseline_support_end_timestamp_seconds'
hp_assert_not_contains "$T/samples" 'reason="updates_held_back"'

hp_assert_exit 1 "${H[@]}" status --json
hp_assert_eq 1 "$(grep -c '' "$HP_ERR")" "status: one stderr line"
hp_assert_contains "$HP_ERR" "'fleet'"
hp_assert_eq fleet "$(jq -r '.repos[0].id' "$HP_OUT")" "refused repo listed"
jq -e '.repos[0].error | test("repo")' "$HP_OUT" >/dev/null || hp_fail "no error for the refused repo"
hp_assert_eq "$(cat "$FLEET_REPO.away/.hotpatch/revision")" "$(jq -r '.repos[0].revision' "$HP_OUT")" \
	"last accepted revision of the refused repo"
hp_assert_eq '[null,null,null]' "$(jq -c '[.repos[0].generated, .repos[0].expires, .repos[0].age_seconds]' "$HP_OUT")" \
	"no metadata times for it"
hp_assert_eq '[{"package":"hp-ssl","live":"yes"}]' "$(jq -c '[.installed[] | {package, live}]' "$HP_OUT")" \
	"installed hotpatch live, offline"
hp_assert_eq success "$(jq -r .last_apply.result "$HP_OUT")" "last_apply offline"
hp_assert_eq null "$(jq -r .baseline "$HP_OUT")" "no baseline without metadata"
hp_assert_exit 1 "${H[@]}" status
hp_assert_contains "$HP_OUT" '^Repository fleet: not read: '
hp_assert_contains "$HP_OUT" '^Installed hotpatches:'
mv "$FLEET_REPO.away" "$FLEET_REPO"
hp_log "repository gone: metrics exit 0 with the offline part, status --json exits 1 with repos[].error"

# --- metadata expired -------------------------------------------------------
NOW=$((gen + 31 * 86400))
HP_NOW=$NOW hp_assert_exit 0 "${H[@]}" metrics
parse "$HP_OUT"
hp_assert_contains "$HP_ERR" "^hotpatch: error: .*expired"
hp_assert_eq 0 "$(value 'hotpatch_repo_up{repo="fleet"}')" "expired repo down"
hp_assert_eq 1 "$(value "$LIVE")" "live state with expired metadata"
HP_NOW=$NOW hp_assert_exit 1 "${H[@]}" status --json
jq -e '.repos[0].error | test("expired")' "$HP_OUT" >/dev/null || hp_fail "error does not say expired"
hp_log "expired metadata: refused per repo, offline part kept"

# --- one broken repository next to a good one ------------------------------
cat >>"$R/etc/yum.repos.d/fleet.repo" <<EOF

[broken]
name=a mirror that is down
baseurl=file://$T/no-such-mirror
enabled=1
repo_gpgcheck=1
gpgkey=file://$FLEET_KEY
EOF
hp_assert_exit 0 "${H[@]}" metrics
parse "$HP_OUT"
hp_assert_eq 1 "$(value 'hotpatch_repo_up{repo="fleet"}')" "good repo up"
hp_assert_eq 0 "$(value 'hotpatch_repo_up{repo="broken"}')" "broken repo down"
hp_assert_eq 1 "$(value 'hotpatch_available{build="3.0.11-1",component="openssl-libs"}')" "good repo's part"
value 'hotpatch_metadata_expiry_timestamp_seconds{repo="fleet"}' >/dev/null
hp_assert_eq 1 "$(grep -c '^hotpatch: error: ' "$HP_ERR")" "one error line, for the broken repo"
hp_assert_contains "$HP_ERR" "^hotpatch: error: .*broken"
hp_assert_exit 1 "${H[@]}" status --json
hp_assert_eq '[["fleet",true],["broken",false]]' "$(jq -c '[.repos[] | [.id, (.error == null)]]' "$HP_OUT")" \
	"both repos listed"
hp_assert_eq '["hp-ssl"]' "$(jq -c '[.available[].package]' "$HP_OUT")" "good repo's offer kept"
# check still refuses (its contract is unchanged here).
hp_assert_exit 1 "${H[@]}" check
hp_log "one broken repo among two: the good one's part is kept"

# --- label escaping through the official parser: a refused --repo named by a
# path with a double quote, a backslash and a newline ----------------------
weird=$T/we\"ird\\dir$'\n'x
hp_assert_exit 0 "${H[@]}" --repo "$FLEET_REPO" --gpgkey "$FLEET_KEY" --repo "$weird" metrics
promtool check metrics <"$HP_OUT" || hp_fail "promtool refused escaped labels"
WEIRD=$weird /usr/bin/python3 - "$HP_OUT" <<'EOF' || hp_fail "escaped repo label not read back"
import os, sys
from prometheus_client.parser import text_string_to_metric_families
up = {s.labels["repo"]: s.value for f in text_string_to_metric_families(open(sys.argv[1]).read())
      if f.name == "hotpatch_repo_up" for s in f.samples}
assert up.get(os.environ["WEIRD"]) == 0, up
assert sorted(up.values()) == [0, 1], up
EOF
hp_log "label values escaped: the parser reads the refused repo's path back exactly"
