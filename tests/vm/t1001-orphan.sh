#!/bin/bash
# t1001-orphan: a live klp hotpatch whose package is erased (rpm -e) stays
# live as an "orphan"; `hotpatch status` finds it from the engine's list and
# the journal, and `hotpatch revert --all` takes it back by its live name --
# on the real Debian kernel in qemu (the host version with an exec engine is
# tests/integration/t4003-orphan-revert.sh).  One boot, the installroot, its
# rpmdb and the journal on /hpshare:
#   - rpm -i kernel-core (the booted build) + the v1 hotpatch, `apply --all`:
#     live (/proc/cmdline = hotpatch-v1), journaled with its live_name;
#   - rpm -e of the hotpatch package: still live; `status --json` lists it
#     under "orphans" (live_name livepatch_cmdline_v1, engine klp, the
#     package from the journal), the text status shows the orphans section;
#   - `revert --all`: exit 0, reported as an orphan revert, nothing left in
#     /sys/kernel/livepatch, the original /proc/cmdline, the module
#     unloaded, the journal's last record a finished revert with live_name;
#   - a second `revert --all` is a no-op (exit 0, nothing journaled) and
#     `status --json` lists no orphan;
#   - no "Call Trace" / "WARNING:" in the guest's dmesg.
#
# Exit 0 pass, 1 fail, 77 skip.  HP_BUILD_DIR names the build to test.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
. "$here/../integration/lib.sh"
hp_vm_prereq
hp_require_cmd rpmbuild createrepo_c gpg jq
HOTPATCH=$(hp_bin hotpatch)

t=$HP_TEST_TMP
repo=$t/repo
hp_vm_klp_repo "$repo" 1
kver=$HP_KVER series=$HP_VM_SERIES v1=${HP_VM_KLP_RPMS[1]}

guest_script()
{
	hp_vm_guest_prelude
	cat <<'GUEST'
NEVRA=$SERIES-1-1.x86_64
LIVE=livepatch_cmdline_v1
has() { if grep -q -- "$2" "$3"; then ok "$1"; else notok "$1: no '$2' in $3: $(cat "$3")"; fi; }
nodir() { if [ -d "$2" ]; then notok "$1: $2 exists"; else ok "$1"; fi; }
rpmqa() { rpm --root $R --dbpath $DB -qa | sort | tr '\n' ' ' | sed 's/ $//'; }
livelist() { ls -A $LP 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }
lsmod_has() { lsmod | awk '{print $1}' | grep -qx "$1" && echo yes || echo no; }
pending() {
	[ -s "$J" ] || { echo 0; return; }
	jq -s '[group_by(.seq)[] | select(all(.phase == "intent"))] | length' "$J"
}

orig=$(cat /proc/cmdline)
rm -rf $R
mkdir -p $R
rpm --root $R --dbpath $DB --initdb
rpmi -i "$REPO"/kernel-core-"$KEVR".x86_64.rpm
rpmi -i "$RPM_V1"
check "rpmdb: kernel and v1 installed" "kernel-core-$KEVR.x86_64 $NEVRA" "$(rpmqa)"

# 1. v1 live through hotpatch.
rc=0
hpr apply --all >/tmp/out 2>&1 || rc=$?
sed 's/^/#   /' /tmp/out
check "apply --all: exit 0" 0 "$rc"
check "apply: /proc/cmdline" hotpatch-v1 "$(cat /proc/cmdline)"
check "apply: sysfs enabled" 1 "$(cat $LP/$LIVE/enabled 2>&1)"
check "apply: module in lsmod" yes "$(lsmod_has $LIVE)"
check "apply: journaled with its live name" "apply $NEVRA $LIVE done" \
	"$(tail -n 1 "$J" | jq -r '"\(.op) \(.package) \(.live_name) \(.phase)"')"
hp status --json >/tmp/status.json
check "status --json before rpm -e: no orphan" '[]' "$(jq -c .orphans /tmp/status.json)"

# 2. The package erased while live: an orphan.
rpmi -e "$SERIES"
check "rpm -e: only the kernel left in the rpmdb" "kernel-core-$KEVR.x86_64" "$(rpmqa)"
check "rpm -e: the patch is still live" "hotpatch-v1" "$(cat /proc/cmdline)"
check "rpm -e: sysfs still enabled" 1 "$(cat $LP/$LIVE/enabled 2>&1)"
rc=0
hp status --json >/tmp/status.json 2>/tmp/err || rc=$?
check "status --json: exit 0" 0 "$rc"
check "status --json: the orphan" \
	"[{\"live_name\":\"$LIVE\",\"engine\":\"klp\",\"package\":\"$NEVRA\"}]" \
	"$(jq -c '[.orphans[] | {live_name, engine, package}]' /tmp/status.json)"
check "status --json: nothing foreign" '[]' "$(jq -c .foreign /tmp/status.json)"
check "status --json: the erased package is not installed" "" \
	"$(jq -r --arg p "$SERIES" '.installed[]? | select(.package == $p) | .package' /tmp/status.json)"
rc=0
hp status >/tmp/status.txt 2>&1 || rc=$?
sed 's/^/#   /' /tmp/status.txt
check "status: exit 0" 0 "$rc"
has "status: the orphans section" "Live but not installed (orphans):" /tmp/status.txt
has "status: the orphan's line" "  $NEVRA (klp $LIVE)" /tmp/status.txt
has "status: what to do" "hotpatch revert --all" /tmp/status.txt

# 3. revert --all takes it back.
n=$(wc -l <"$J")
rc=0
hp revert --all --json >/tmp/revert.json 2>/tmp/err || rc=$?
sed 's/^/#   /' /tmp/err
check "revert --all: exit 0" 0 "$rc"
check "revert --all: one orphan reverted" \
	"[{\"package\":\"$NEVRA\",\"engine\":\"klp\",\"live_name\":\"$LIVE\",\"action\":\"reverted\",\"orphan\":true}]" \
	"$(jq -c '[.results[] | {package, engine, live_name, action, orphan}]' /tmp/revert.json)"
check "revert --all: /sys/kernel/livepatch is empty" "" "$(livelist)"
check "revert --all: /proc/cmdline is the original" "$orig" "$(cat /proc/cmdline)"
nodir "revert --all: module gone from /sys/module" /sys/module/$LIVE
check "revert --all: module not in lsmod" no "$(lsmod_has $LIVE)"
check "revert --all: journal's last record" "revert $NEVRA klp $LIVE done" \
	"$(tail -n 1 "$J" | jq -r '"\(.op) \(.package) \(.engine) \(.live_name) \(.phase)"')"
check "revert --all: intent + result journaled" $((n + 2)) "$(wc -l <"$J")"
check "journal: nothing pending" 0 "$(pending)"

# 4. Again: nothing to do.
n=$(wc -l <"$J")
rc=0
hp revert --all >/tmp/out 2>&1 || rc=$?
sed 's/^/#   /' /tmp/out
check "second revert --all: exit 0" 0 "$rc"
has "second revert --all: nothing to revert" "nor orphaned live patch" /tmp/out
check "second revert --all: nothing journaled" "$n" "$(wc -l <"$J")"
rc=0
hp status --json >/tmp/status.json 2>/tmp/err || rc=$?
check "status --json after revert: exit 0" 0 "$rc"
check "status --json after revert: no orphan" '[]' "$(jq -c .orphans /tmp/status.json)"
hp status >/tmp/status.txt 2>&1
if grep -q "orphans" /tmp/status.txt; then
	notok "status after revert still shows orphans: $(cat /tmp/status.txt)"
else
	ok "status after revert: no orphans section"
fi
check "rpmdb: unchanged by the revert" "kernel-core-$KEVR.x86_64" "$(rpmqa)"
echo "# $fails failed"
[ "$fails" = 0 ]
GUEST
}

guest_script >"$t/guest.sh"
share=$t/share
mkdir -p "$share"
out=$t/out
rc=0
hp_vm_run --timeout 300 --share "$share" --env "HOTPATCH=$HOTPATCH" --env "REPO=$repo" \
	--env "KEY=$t/operator.asc" --env "KEVR=$KEVR" --env "SERIES=$series" \
	--env "RPM_V1=$v1" "$t/guest.sh" "$out" || rc=$?
cat "$out/stdout" 2>/dev/null || true
if [ "$rc" != 0 ]; then
	echo "--- guest stderr:" >&2
	tail -n 60 "$out/stderr" >&2 || true
	hp_fail "guest exited $rc"
fi
hp_vm_dmesg_clean "$out" || hp_fail "guest dmesg has warnings"
echo "# $(tr '\n' ' ' <"$out/timing")"
echo "ok - an erased live klp hotpatch is an orphan, found by status and reverted by revert --all on $kver"
