#!/bin/bash
# t1000-live-apply: `hotpatch apply / revert / reapply` on the real Debian
# kernel in qemu, with real RPMs from a signed repository published by
# hotpatch-repo.  Two boots sharing /hpshare (the installroot, its rpmdb and
# the journal live there):
#
# Boot 1 (the guest script below, phase 1):
#   - a payload whose sha256 differs from the published one is refused;
#   - rpm -i v1, `apply --all`: live (/proc/cmdline, sysfs, status --json),
#     the time from the end of the rpm transaction to live is measured;
#     a second apply is a no-op;
#   - rpm -U v2 + apply: atomic replace, /proc/cmdline sampled during the
#     switch never shows the unpatched text, v1 gone;
#   - refused or reversed, each leaving rpmdb, live state and journal as
#     they were and exiting 1: wrong vermagic, init failure (badinit), a
#     stalled transition (stall_kthread busy, HP_KLP_TIMEOUT=5: reversed,
#     the blocking task named in the error and the journal);
#   - revert --all: original /proc/cmdline; a second revert is a no-op.
# Boot 2 (phase 2): a pending journal intent (a crashed run) is recovered;
#   `reapply` makes v2 live again; a second `reapply` does nothing.
# Both boots: no "Call Trace" / "WARNING:" in the guest's dmesg.
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
extra=$t/extra      # packages that are not published (refusal cases)
mkdir -p "$repo" "$extra"

# Published besides kernel-core and the series' v1 and v2: a hotpatch
# whose init fails, one whose transition stalls.
more_rpms()
{
	badinit=$(hp_vm_klp_rpm "$repo" "kernel-core-hotpatch-badinit-$KEVR" 1 "$HP_VM_KLP/livepatch_badinit.ko")
	stall=$(hp_vm_klp_rpm "$repo" "kernel-core-hotpatch-stall-$KEVR" 1 "$HP_VM_KLP/livepatch_stall.ko")
}
hp_vm_klp_repo --more more_rpms "$repo" 1 2
kver=$HP_KVER klp=$HP_VM_KLP series=$HP_VM_SERIES
kv=$HP_VM_KV kr=$HP_VM_KR
v1=${HP_VM_KLP_RPMS[1]} v2=${HP_VM_KLP_RPMS[2]}

# A newer kernel, installed but not booted (needs-reboot).
knext=$(hp_build_rpm kernel-core "$extra" --define "kver $kv" --define "krel $((kr + 3))" \
	--define "uname_r $kv-$((kr + 3))-amd64")
# Not published: v1's NEVRA with a payload one byte longer; a module for
# another kernel release (the repository lint would refuse it).
mkdir -p "$t/evil" "$t/vermagic"
cp "$klp/livepatch_cmdline_v1.ko" "$t/evil/livepatch_cmdline_v1.ko"
printf '\0' >>"$t/evil/livepatch_cmdline_v1.ko"
evil=$(hp_vm_klp_rpm "$extra/evil" "$series" 1 "$t/evil/livepatch_cmdline_v1.ko")
other=$(echo "$kver" | sed 's/^\([0-9]*\.[0-9]*\.\)[0-9]*/\19/')
hp_klp_set_vermagic "$klp/livepatch_cmdline_v1.ko" "$t/vermagic/livepatch_othervermagic.ko" "$other"
vermagic=$(hp_vm_klp_rpm "$extra" "kernel-core-hotpatch-vermagic-$KEVR" 1 \
	"$t/vermagic/livepatch_othervermagic.ko")

# The guest side: one script, PHASE=1 or 2 (see the header).
guest_script()
{
	hp_vm_guest_prelude
	cat <<'GUEST'
livestate() {
	local d
	for d in $LP/*; do
		[ -d "$d" ] && echo "$(basename "$d") $(cat "$d/enabled" 2>/dev/null) $(cat "$d/transition" 2>/dev/null)"
	done
}
rpmqa() { rpm --root $R --dbpath $DB -qa | sort; }
pending() {
	[ -s "$J" ] || { echo 0; return; }
	jq -s '[group_by(.seq)[] | select(all(.phase == "intent"))] | length' "$J"
}
last_phase() { jq -rs --arg p "$1" '[.[] | select(.package | startswith($p))] | last | .phase' "$J"; }
last_detail() { jq -rs --arg p "$1" '[.[] | select(.package | startswith($p))] | last | .detail' "$J"; }
snapshot() { printf '%s|%s|%s' "$(rpmqa)" "$(livestate)" "$(cat /proc/cmdline)"; }
now() { date +%s.%N; }
secs() { awk "BEGIN{printf \"%.2f\", $2 - $1}"; }
# refused NAME CMD...: CMD exits 1 and changes neither the rpmdb, nor the
# live patches, nor /proc/cmdline; no journal intent stays pending.
refused() {
	local name=$1 before after rc=0
	shift
	before=$(snapshot)
	"$@" >/tmp/out 2>/tmp/err || rc=$?
	after=$(snapshot)
	check "$name: exit 1" 1 "$rc"
	check "$name: rpmdb, live patches and /proc/cmdline unchanged" "$before" "$after"
	check "$name: no pending journal intent" 0 "$(pending)"
	sed 's/^/#   /' /tmp/err
}
has() { if grep -q -- "$2" "$3"; then ok "$1"; else notok "$1: no '$2' in $3: $(cat "$3")"; fi; }
nodir() { if [ -d "$2" ]; then notok "$1: $2 exists"; else ok "$1"; fi; }

if [ "$PHASE" = 1 ]; then
	orig=$(cat /proc/cmdline)
	echo "$orig" >/hpshare/orig-cmdline
	rm -rf $R
	mkdir -p $R
	rpm --root $R --dbpath $DB --initdb
	rpmi -i "$REPO"/kernel-core-"$KEVR".x86_64.rpm

	# 1. The payload is not the published one (same NEVRA as v1).
	rpmi -i "$RPM_EVIL"
	refused "checksum mismatch" hpr apply --all
	has "checksum mismatch: the error names the sha256" "does not match the expected" /tmp/err
	check "checksum mismatch: journal says failed" failed "$(last_phase "$SERIES-1-")"
	rpmi -e "$SERIES"

	# 2. v1: installed by rpm, made live by apply.
	rpmi -i "$RPM_V1"
	t0=$(now)
	rc=0
	hpr apply --all --json >/tmp/apply.json || rc=$?
	t1=$(now)
	check "apply v1: exit 0" 0 "$rc"
	check "apply v1: /proc/cmdline" hotpatch-v1 "$(cat /proc/cmdline)"
	check "apply v1: sysfs enabled" 1 "$(cat $LP/livepatch_cmdline_v1/enabled 2>&1)"
	check "apply v1: JSON says applied" applied "$(jq -r '.results[0].action' /tmp/apply.json)"
	echo "# MEASURED: end of rpm transaction to v1 live (hotpatch apply wall): $(secs "$t0" "$t1") s;" \
		"engine call: $(jq -r '.results[0].seconds * 100 | round / 100' /tmp/apply.json) s"
	rc=0
	hp needs-reboot >/tmp/out || rc=$?
	check "needs-reboot with v1 live: exit 0" 0 "$rc"
	has "needs-reboot: the live hotpatch covers the build" \
		"No reboot is required: live hotpatch $SERIES-1-1.x86_64 covers kernel-core-$KEVR" /tmp/out
	hp status --json >/tmp/status.json
	check "status --json: v1 live" yes \
		"$(jq -r --arg p "$SERIES" '.installed[] | select(.package == $p) | .live' /tmp/status.json)"
	n=$(wc -l <"$J")
	rc=0
	hpr apply --all >/tmp/out || rc=$?
	check "second apply: exit 0" 0 "$rc"
	has "second apply: already live" "already live" /tmp/out
	check "second apply: nothing journaled" "$n" "$(wc -l <"$J")"

	# 3. v2 by rpm -U + apply: atomic replace, never unpatched.
	rm -f /tmp/stop
	(while [ ! -e /tmp/stop ]; do cat /proc/cmdline; done) >/tmp/samples &
	spid=$!
	rpmi -U "$RPM_V2"
	t0=$(now)
	rc=0
	hpr apply --all >/tmp/out || rc=$?
	t1=$(now)
	sleep 0.3
	touch /tmp/stop
	wait $spid
	check "apply v2: exit 0" 0 "$rc"
	check "apply v2: /proc/cmdline" hotpatch-v2 "$(cat /proc/cmdline)"
	check "apply v2: enabled" 1 "$(cat $LP/livepatch_cmdline_v2/enabled 2>&1)"
	nodir "apply v2: v1 gone from the livepatch list" $LP/livepatch_cmdline_v1
	nodir "apply v2: v1 module unloaded" /sys/module/livepatch_cmdline_v1
	check "apply v2: /proc/cmdline during the switch showed only v1 and v2" \
		"hotpatch-v1 hotpatch-v2" "$(sort -u /tmp/samples | tr '\n' ' ' | sed 's/ $//')"
	echo "# MEASURED: v1->v2 apply $(secs "$t0" "$t1") s; $(wc -l </tmp/samples) samples of /proc/cmdline"

	# 4. A module built for another kernel release.
	rpmi -i "$RPM_VERMAGIC"
	refused "wrong vermagic" hp apply "kernel-core-hotpatch-vermagic-$KEVR"
	has "wrong vermagic: the error says so" "vermagic" /tmp/err
	check "wrong vermagic: journal says failed" failed "$(last_phase "kernel-core-hotpatch-vermagic-")"
	rpmi -e "kernel-core-hotpatch-vermagic-$KEVR"

	# 5. A livepatch module whose init fails.
	rpmi -i "$RPM_BADINIT"
	refused "init fails" hpr apply "kernel-core-hotpatch-badinit-$KEVR"
	has "init fails: the error says the load failed" "cannot load" /tmp/err
	nodir "init fails: no module left" /sys/module/livepatch_badinit
	check "init fails: journal says failed" failed "$(last_phase "kernel-core-hotpatch-badinit-")"
	rpmi -e "kernel-core-hotpatch-badinit-$KEVR"

	# 6. A transition that stalls: detected, reversed, the blocker named.
	insmod "$KLP/stall_kthread.ko"
	rpmi -i "$RPM_STALL"
	t0=$(now)
	refused "stalled transition" env HP_KLP_TIMEOUT=5 "$HOTPATCH" --root $R --repo "$REPO" \
		--gpgkey "$KEY" apply "kernel-core-hotpatch-stall-$KEVR"
	t1=$(now)
	echo "# MEASURED: stalled apply detected and reversed in $(secs "$t0" "$t1") s (timeout 5 s)"
	has "stalled transition: the blocking task is named" "hp_stall" /tmp/err
	has "stalled transition: reversed" "revers" /tmp/err
	nodir "stalled transition: module unloaded" /sys/module/livepatch_stall
	check "stalled transition: journal says failed" failed "$(last_phase "kernel-core-hotpatch-stall-")"
	case "$(last_detail "kernel-core-hotpatch-stall-")" in
	*hp_stall*) ok "stalled transition: the journal names the blocking task" ;;
	*) notok "stalled transition: journal detail: $(last_detail "kernel-core-hotpatch-stall-")" ;;
	esac
	if grep -q 'force' /tmp/err || [ "$(cat /sys/kernel/livepatch/*/force 2>/dev/null)" = 1 ]; then
		notok "stalled transition: force was used"
	fi
	echo 0 >/sys/module/stall_kthread/parameters/busy
	rmmod stall_kthread
	rpmi -e "kernel-core-hotpatch-stall-$KEVR"

	# 7. revert: back to the original text; again: nothing to do.
	rc=0
	hp revert --all >/tmp/out 2>&1 || rc=$?
	check "revert: exit 0" 0 "$rc"
	check "revert: /proc/cmdline is the original" "$orig" "$(cat /proc/cmdline)"
	nodir "revert: patch gone" $LP/livepatch_cmdline_v2
	nodir "revert: module unloaded" /sys/module/livepatch_cmdline_v2
	rc=0
	hp revert --all >/tmp/out 2>&1 || rc=$?
	check "second revert: exit 0" 0 "$rc"
	has "second revert: not live" "not live" /tmp/out
	rc=0
	hp needs-reboot >/tmp/out 2>/tmp/err || rc=$?
	check "needs-reboot after revert: exit 0" 0 "$rc"
	# notes go to stderr (issue 13), the answer to stdout
	has "needs-reboot after revert: not-live note" "^note: .*installed but not live" /tmp/err
	has "needs-reboot after revert: the answer" "No reboot is required" /tmp/out
	hp status --json >/tmp/status.json
	check "status --json after revert: installed, not live" no \
		"$(jq -r --arg p "$SERIES" '.installed[] | select(.package == $p) | .live' /tmp/status.json)"
	check "rpmdb: kernel and v2 installed" "kernel-core-$KEVR.x86_64 $SERIES-2-1.x86_64" \
		"$(rpmqa | tr '\n' ' ' | sed 's/ $//')"
	check "journal: nothing pending" 0 "$(pending)"
else
	orig=$(cat /hpshare/orig-cmdline)
	check "boot 2: nothing live after the reboot" "$orig" "$(cat /proc/cmdline)"
	# A run that crashed between its intent and its result.
	seq=$(($(jq -s 'map(.seq) | max' "$J") + 1))
	printf '{"seq":%s,"time":%s,"op":"apply","package":"%s-2-1.x86_64","engine":"klp","component":"kernel-core","build":"%s","payload":"/usr/lib/hotpatch/kernel-core/%s/livepatch_cmdline_v2.ko","phase":"intent","detail":null}\n' \
		"$seq" "$(date +%s)" "$SERIES" "$KEVR" "$KEVR" >>"$J"
	check "boot 2: a pending intent" 1 "$(pending)"
	t0=$(now)
	rc=0
	hp reapply >/tmp/out 2>&1 || rc=$?
	t1=$(now)
	sed 's/^/#   /' /tmp/out
	check "reapply: exit 0" 0 "$rc"
	check "reapply: /proc/cmdline" hotpatch-v2 "$(cat /proc/cmdline)"
	check "reapply: enabled" 1 "$(cat $LP/livepatch_cmdline_v2/enabled 2>&1)"
	check "reapply: the crashed run is recovered" 0 "$(pending)"
	has "reapply: says what was interrupted" "interrupted" /tmp/out
	check "reapply: recovered as not live" "not live" \
		"$(jq -rs --argjson s "$seq" '[.[] | select(.seq == $s)] | last | .detail' "$J")"
	echo "# MEASURED: boot reapply $(secs "$t0" "$t1") s"
	n=$(wc -l <"$J")
	rc=0
	hp reapply >/tmp/out 2>&1 || rc=$?
	check "second reapply: exit 0" 0 "$rc"
	has "second reapply: already live" "already live" /tmp/out
	check "second reapply: nothing journaled" "$n" "$(wc -l <"$J")"
	hp status --json >/tmp/status.json
	check "status --json: v2 live" yes \
		"$(jq -r --arg p "$SERIES" '.installed[] | select(.package == $p) | .live' /tmp/status.json)"
	# A newer kernel installed: the live hotpatch does not replace it.
	rpmi -i "$RPM_KNEXT"
	rc=0
	hp needs-reboot --json >/tmp/out || rc=$?
	check "needs-reboot with a newer kernel installed: exit 1" 1 "$rc"
	check "needs-reboot --json: v2 live, reboot needed" "true true" \
		"$(jq -r '"\(.hotpatches[0].live) \(.reboot_needed)"' /tmp/out)"
	rpmi -e "$(basename "$RPM_KNEXT" .rpm)"
fi
echo "# $fails failed"
[ "$fails" = 0 ]
GUEST
}

guest_script >"$t/guest.sh"
share=$t/share
mkdir -p "$share"
envs=(--env "HOTPATCH=$HOTPATCH" --env "REPO=$repo" --env "KEY=$t/operator.asc"
	--env "KEVR=$KEVR" --env "KLP=$klp" --env "SERIES=$series"
	--env "RPM_V1=$v1" --env "RPM_V2=$v2" --env "RPM_BADINIT=$badinit"
	--env "RPM_STALL=$stall" --env "RPM_EVIL=$evil" --env "RPM_VERMAGIC=$vermagic" --env "RPM_KNEXT=$knext")

rc=0
for phase in 1 2; do
	out=$t/out$phase
	rc=0
	hp_vm_run --timeout 400 --share "$share" "${envs[@]}" --env "PHASE=$phase" \
		"$t/guest.sh" "$out" || rc=$?
	cat "$out/stdout" 2>/dev/null || true
	if [ "$rc" != 0 ]; then
		echo "--- guest stderr (phase $phase):" >&2
		tail -n 60 "$out/stderr" >&2 || true
		hp_fail "guest phase $phase exited $rc"
	fi
	hp_vm_dmesg_clean "$out" || hp_fail "guest dmesg of phase $phase has warnings"
	echo "# phase $phase: $(tr '\n' ' ' <"$out/timing")"
done
echo "ok - live apply, replace, refusals, revert and boot reapply on $kver"
