#!/bin/bash
# t8002-ansible-modules: the collection dnf_hotpatch.hotpatch under
# packaging/ansible, run by Debian's ansible-core (modules under
# /usr/bin/python3) over local connections whose `root` is an installroot
# standing for a live system (HP_ROOT_IS_LIVE=1, passed through the
# environment like every HP_* variable):
#  - ansible-doc reads both modules (and lists them in the collection);
#    ansible-galaxy builds the collection;
#  - hotpatch_facts: the status object as facts, reboot for baseline 2026Q2,
#    never changed;
#  - hotpatch state=live in check mode: changed (hp-ssl 2-1 offered), nothing
#    installed or applied; for real: dnf upgrade --hotpatch installs hp-ssl
#    2-1, it is live (the engine's state), changed; again: not changed, in
#    check mode too;
#  - state=reverted (check mode, real, again), state=live update=false;
#  - an apply the engine refuses fails the task with the reason;
#  - an unreadable repository is a warning, the facts still hold the
#    installed hotpatches and their live state.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t8009-fleet-fixture.sh"

fleet_prereqs
hp_require_cmd ansible ansible-doc /usr/bin/dnf
/usr/bin/python3 -c 'import dnf' 2>/dev/null || hp_skip "dnf's python module not importable by /usr/bin/python3"
T=$(hp_tmpdir t8002)
fleet_fixture "$T"
R=$T/m1
fleet_root "$R"

export ANSIBLE_COLLECTIONS_PATH=$HP_SRC_DIR/packaging/ansible ANSIBLE_HOME=$T/ansible-home \
	ANSIBLE_LOCAL_TEMP=$T/ansible-tmp ANSIBLE_REMOTE_TEMP=$T/ansible-rtmp ANSIBLE_NOCOLOR=1 \
	ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_LOAD_CALLBACK_PLUGINS=1 \
	ANSIBLE_CALLBACKS_ENABLED=tree ANSIBLE_CALLBACK_TREE_DIR=$T/tree \
	ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_LOCALHOST_WARNING=0 \
	ANSIBLE_INVENTORY_UNPARSED_WARNING=0
C=dnf_hotpatch.hotpatch

# --- ansible-doc ------------------------------------------------------------
for m in hotpatch hotpatch_facts; do
	hp_assert_exit 0 ansible-doc "$C.$m"
	hp_assert_contains "$HP_OUT" "^> .*$(echo "$C.$m" | tr a-z A-Z)"
	hp_assert_contains "$HP_OUT" 'root'
	hp_assert_exit 0 ansible-doc --json "$C.$m"
	hp_assert_eq true "$(jq "has(\"$C.$m\")" "$HP_OUT")" "ansible-doc --json $m"
done
hp_assert_exit 0 ansible-doc --json "$C.hotpatch"
hp_assert_eq '["live","reverted"]' "$(jq -c ".\"$C.hotpatch\".doc.options.state.choices" "$HP_OUT")" "state choices"
hp_assert_exit 0 ansible-doc -l "$C"
hp_assert_contains "$HP_OUT" "$C.hotpatch "
hp_assert_contains "$HP_OUT" "$C.hotpatch_facts "
hp_log "ansible-doc reads both modules"
# The collection builds (galaxy.yml valid, the test files left out).
hp_assert_exit 0 ansible-galaxy collection build --output-path "$T/dist" \
	"$HP_SRC_DIR/packaging/ansible/ansible_collections/dnf_hotpatch/hotpatch"
tar -tzf "$T/dist/dnf_hotpatch-hotpatch-0.1.0.tar.gz" >"$T/dist.list"
hp_assert_contains "$T/dist.list" '^plugins/modules/hotpatch\.py$'
hp_assert_contains "$T/dist.list" '^playbooks/rollout\.yml$'

# run MODULE ARGS [ansible options...] - ad hoc on localhost; the host's
# result (ansible-core's tree callback) in $T/res.json; the exit status of
# ansible in $rc.
run() {
	local m=$1 a=$2
	shift 2
	rc=0
	rm -rf "$T/tree"
	ansible localhost -c local -m "$C.$m" -a "$a" "$@" >"$T/ansible.out" 2>"$T/ansible.err" || rc=$?
	jq . "$T/tree/localhost" >"$T/res.json" 2>/dev/null ||
		{ cat "$T/ansible.out" "$T/ansible.err" >&2; hp_fail "no JSON result from ansible ($m $a)"; }
}
res() { jq -c "$1" "$T/res.json"; }
state() { printf '%s\n' "$(hp_rpm_q "$R" -qa 'hp-ssl*' | sort | tr '\n' ' ')| $(fleet_live "$R" | tr '\n' ' ')"; }
ARGS="root=$R hotpatch_command=$FLEET_HOTPATCH"
LIVE_ARGS="$ARGS dnf_command=/usr/bin/dnf dnf_args=--releasever=12"

# --- hotpatch_facts ----------------------------------------------------------
run hotpatch_facts "$ARGS"
hp_assert_eq 0 "$rc" "facts: ansible exit"
hp_assert_eq false "$(res .changed)" "facts never change"
hp_assert_eq '["hp-ssl"]' "$(res '[.ansible_facts.hotpatch.available[].package]')" "facts: offered"
hp_assert_eq '[{"package":"hp-ssl","evr":"1-1","live":"no"}]' \
	"$(res '[.ansible_facts.hotpatch.installed[] | {package, evr, live}]')" "facts: installed, not live"
hp_assert_eq '["2026Q2"]' "$(res .reboot.for_baseline)" "facts: reboot for baseline 2026Q2"
hp_assert_eq '"fleet"' "$(res '.ansible_facts.hotpatch.repos[0].id')" "facts: repos"

# --- state=live ----------------------------------------------------------------
before=$(state)
run hotpatch "state=live $LIVE_ARGS" --check
hp_assert_eq 0 "$rc" "live --check: exit"
hp_assert_eq true "$(res .changed)" "live --check: would change"
hp_assert_eq "$before" "$(state)" "live --check changed nothing"
run hotpatch "state=live $LIVE_ARGS"
[ "$rc" = 0 ] || { cat "$T/res.json" >&2; hp_fail "live: ansible exit $rc"; }
hp_assert_eq true "$(res .changed)" "live: changed"
hp_assert_eq "hp-ssl-2-1.x86_64 | hp-ssl-2-1.x86_64 " "$(state)" "live: hp-ssl 2-1 installed and live"
hp_assert_eq '[{"package":"hp-ssl","evr":"2-1","live":"yes"}]' \
	"$(res '[.ansible_facts.hotpatch.installed[] | {package, evr, live}]')" "live: facts after"
hp_assert_eq '["2026Q2"]' "$(res .reboot.for_baseline)" "live: kernel still waits for 2026Q2"
run hotpatch "state=live $LIVE_ARGS"
hp_assert_eq false "$(res .changed)" "live again: not changed"
run hotpatch "state=live $LIVE_ARGS" --check
hp_assert_eq false "$(res .changed)" "live again in check mode: not changed"
hp_log "state=live: check mode, real, idempotent"

# --- state=reverted, then live without update ------------------------------
run hotpatch "state=reverted $ARGS" --check
hp_assert_eq true "$(res .changed)" "reverted --check: would change"
hp_assert_eq "hp-ssl-2-1.x86_64 | hp-ssl-2-1.x86_64 " "$(state)" "reverted --check changed nothing"
run hotpatch "state=reverted $ARGS"
hp_assert_eq 0 "$rc" "reverted: exit"
hp_assert_eq true "$(res .changed)" "reverted: changed"
hp_assert_eq "hp-ssl-2-1.x86_64 | " "$(state)" "reverted: installed, not live"
run hotpatch "state=reverted $ARGS packages=hp-ssl"
hp_assert_eq false "$(res .changed)" "reverted again: not changed"
run hotpatch "state=live update=false $ARGS"
hp_assert_eq true "$(res .changed)" "live update=false: applied"
hp_assert_eq "hp-ssl-2-1.x86_64 | hp-ssl-2-1.x86_64 " "$(state)" "live again"
hp_log "state=reverted and state=live update=false"

# --- a refused apply fails the task ----------------------------------------
run hotpatch "state=reverted $ARGS"
touch "$R.live.fail"
run hotpatch "state=live update=false $ARGS"
rm -f "$R.live.fail"
hp_assert_eq 2 "$rc" "refused apply: ansible exit"
hp_assert_contains "$T/ansible.out" '^localhost \| FAILED!'
jq -e '.msg | test("apply --all.*failed")' "$T/res.json" >/dev/null || hp_fail "msg: $(res .msg)"
hp_assert_eq '"no"' "$(res '.status.installed[0].live')" "refused apply: not live"
hp_log "a refused apply fails the task"

# --- repository unreadable: a warning, facts from the machine ---------------
run hotpatch "state=live update=false $ARGS"
mv "$FLEET_REPO" "$FLEET_REPO.away"
run hotpatch_facts "$ARGS"
mv "$FLEET_REPO.away" "$FLEET_REPO"
hp_assert_eq 0 "$rc" "facts offline: exit"
hp_assert_contains "$T/ansible.out" '^localhost \| SUCCESS'
jq -e '.warnings | map(test("fleet")) | any' "$T/res.json" >/dev/null || hp_fail "no warning naming the repo: $(res .warnings)"
hp_assert_eq '[{"package":"hp-ssl","live":"yes"}]' \
	"$(res '[.ansible_facts.hotpatch.installed[] | {package, live}]')" "facts offline: live state"
jq -e '.ansible_facts.hotpatch.repos[0].error | test("fleet")' "$T/res.json" >/dev/null ||
	hp_fail "facts offline: no repo error"
hp_log "unreadable repository: warning, offline facts"
