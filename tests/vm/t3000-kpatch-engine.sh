#!/bin/bash
# t3000-kpatch-engine (issue 10): the real, unmodified upstream kpatch CLI
# (../shared/vendor/kpatch/kpatch, used from there through PATH, never
# copied) drives the kpatch engine on the real Debian kernel in qemu.  The
# repository is published by hotpatch-repo with kpatch-engine hotpatches
# (Provides: hotpatch-engine(kpatch), the livepatch .ko as payload, signed):
#   - rpm -i v1, `hotpatch apply --all`: `kpatch load` makes it live
#     (/proc/cmdline, `kpatch list`, status --json);
#   - rpm -U v2 (cumulative, atomic replace), apply: v2 live, v1's patch gone;
#   - revert --all: `kpatch unload`, the original /proc/cmdline back.
# No "Call Trace" / "WARNING:" in the guest's dmesg.
# Exit 0 pass, 1 fail, 77 skip.  HP_BUILD_DIR names the build to test.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
. "$here/../integration/lib.sh"
hp_vm_prereq
hp_require_cmd rpmbuild createrepo_c gpg jq readelf
HOTPATCH=$(hp_bin hotpatch)
KPATCH_DIR=$(cd "$HP_SRC_DIR/../shared/vendor/kpatch" 2>/dev/null && pwd) ||
	KPATCH_DIR=/work/shared/vendor/kpatch
[ -x "$KPATCH_DIR/kpatch" ] || hp_skip "the upstream kpatch CLI is not at $KPATCH_DIR/kpatch"

t=$HP_TEST_TMP
repo=$t/repo
# kpatch-engine hotpatches, cumulative: v1 and v2 of one series
kpatch_rpms()
{
	local v
	series=kernel-core-kpatch-$KEVR
	for v in 1 2; do
		rpms[v]=$(hp_build_rpm hotpatch "$repo" --define "hp_name $series" --define "hp_version $v" \
			--define 'component kernel-core' --define "build $KEVR" --define 'engine kpatch' \
			--define "payload $HP_VM_KLP/livepatch_cmdline_v$v.ko")
	done
}
rpms=()
hp_vm_klp_repo --more kpatch_rpms "$repo"
"$(hp_bin hotpatch-repo)" list "$repo" --json >"$t/list.json"
[ "$(jq -r '[.[] | select(.engine == "kpatch")] | length' "$t/list.json")" = 2 ] ||
	hp_fail "the repository does not publish the two kpatch hotpatches: $(cat "$t/list.json")"

guest_script()
{
	hp_vm_guest_prelude
	cat <<'GUEST'
export PATH=$KPATCH_DIR:$PATH
has() { if grep -q -- "$2" "$3"; then ok "$1"; else notok "$1: no '$2' in $3: $(cat "$3")"; fi; }
nodir() { if [ -d "$2" ]; then notok "$1: $2 exists"; else ok "$1"; fi; }
check "the engine finds the upstream kpatch CLI" "$KPATCH_DIR/kpatch" "$(command -v kpatch)"
orig=$(cat /proc/cmdline)
rm -rf $R
mkdir -p $R
rpm --root $R --dbpath $DB --initdb
rpmi -i "$REPO"/kernel-core-"$KEVR".x86_64.rpm

# apply_v V RPM-ARGS...: install hotpatch vV by rpm, `apply --all`, and
# check that the kpatch engine made it live
apply_v() {
	local v=$1 rc=0
	shift
	rpmi "$@"
	hpr apply --all >/tmp/out 2>&1 || rc=$?
	sed 's/^/#   /' /tmp/out
	check "apply v$v (kpatch): exit 0" 0 "$rc"
	check "apply v$v: /proc/cmdline" "hotpatch-v$v" "$(cat /proc/cmdline)"
	check "apply v$v: sysfs enabled" 1 "$(cat $LP/livepatch_cmdline_v$v/enabled 2>&1)"
	has "apply v$v: made live by the kpatch engine" "(kpatch livepatch_cmdline_v$v" /tmp/out
	kpatch list >/tmp/list 2>&1
	has "apply v$v: kpatch list shows it enabled" "livepatch_cmdline_v$v \[enabled\]" /tmp/list
}

# v1: kpatch load
apply_v 1 -i "$RPM_V1"
hp status --json >/tmp/status.json
check "status --json: v1 live" yes \
	"$(jq -r --arg p "$SERIES" '.installed[] | select(.package == $p) | .live' /tmp/status.json)"

# v2: cumulative, replaces v1
apply_v 2 -U "$RPM_V2"
nodir "apply v2: v1's patch replaced" $LP/livepatch_cmdline_v1
if [ -d /sys/module/livepatch_cmdline_v1 ]; then
	echo "# NOTE: v1's module stays loaded (disabled) after kpatch's atomic replace"
fi

# revert: kpatch unload
rc=0
hp revert --all >/tmp/out 2>&1 || rc=$?
sed 's/^/#   /' /tmp/out
check "revert (kpatch unload): exit 0" 0 "$rc"
check "revert: /proc/cmdline is the original" "$orig" "$(cat /proc/cmdline)"
nodir "revert: patch gone" $LP/livepatch_cmdline_v2
nodir "revert: module unloaded" /sys/module/livepatch_cmdline_v2
echo "# $fails failed"
[ "$fails" = 0 ]
GUEST
}

guest_script >"$t/guest.sh"
share=$t/share
mkdir -p "$share"
hp_vm_run_checked "$t/out" --timeout 400 --share "$share" --env "HOTPATCH=$HOTPATCH" --env "REPO=$repo" \
	--env "KEY=$t/operator.asc" --env "KEVR=$KEVR" --env "SERIES=$series" --env "KPATCH_DIR=$KPATCH_DIR" \
	--env "RPM_V1=${rpms[1]}" --env "RPM_V2=${rpms[2]}" "$t/guest.sh"
echo "ok - kpatch engine through the upstream kpatch CLI: load, cumulative replace, unload on $HP_KVER"
