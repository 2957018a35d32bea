#!/bin/bash
# t3001-klp-compressed-module (issue 10): klp hotpatches whose payload is a
# compressed module, as Fedora ships them (.ko.xz, then a cumulative .ko.zst),
# published by hotpatch-repo, go live on the real Debian kernel in qemu: the
# klp engine checks the shipped file's sha256, decompresses those bytes and
# loads them with finit_module from a sealed memfd (6.1 cannot decompress
# modules itself); revert restores the original /proc/cmdline.
# Exit 0 pass, 1 fail, 77 skip.  HP_BUILD_DIR names the build to test.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
. "$here/../integration/lib.sh"
hp_vm_prereq
hp_require_cmd rpmbuild createrepo_c gpg jq xz zstd
HOTPATCH=$(hp_bin hotpatch)

t=$HP_TEST_TMP
repo=$t/repo
compressed_rpms()
{
	mkdir -p "$t/c"
	xz --check=crc32 -c "$HP_VM_KLP/livepatch_cmdline_v1.ko" >"$t/c/livepatch_cmdline_v1.ko.xz"
	zstd -q -19 -c "$HP_VM_KLP/livepatch_cmdline_v2.ko" >"$t/c/livepatch_cmdline_v2.ko.zst"
	series=kernel-core-klpz-$KEVR
	rpm1=$(hp_vm_klp_rpm "$repo" "$series" 1 "$t/c/livepatch_cmdline_v1.ko.xz")
	rpm2=$(hp_vm_klp_rpm "$repo" "$series" 2 "$t/c/livepatch_cmdline_v2.ko.zst")
}
hp_vm_klp_repo --more compressed_rpms "$repo"
"$(hp_bin hotpatch-repo)" list "$repo" --json >"$t/list.json"
[ "$(jq -r '[.[].payload | select(endswith(".ko.xz") or endswith(".ko.zst"))] | length' "$t/list.json")" = 2 ] ||
	hp_fail "the compressed hotpatches are not published: $(cat "$t/list.json")"

guest_script()
{
	hp_vm_guest_prelude
	cat <<'GUEST'
nodir() { if [ -d "$2" ]; then notok "$1: $2 exists"; else ok "$1"; fi; }
orig=$(cat /proc/cmdline)
rm -rf $R
mkdir -p $R
rpm --root $R --dbpath $DB --initdb
rpmi -i "$REPO"/kernel-core-"$KEVR".x86_64.rpm
v=0
for op in "-i $RPM_V1" "-U $RPM_V2"; do
	v=$((v + 1))
	rpmi $op
	rc=0
	hpr apply --all >/tmp/out 2>&1 || rc=$?
	sed 's/^/#   /' /tmp/out
	check "apply v$v (compressed): exit 0" 0 "$rc"
	check "apply v$v: /proc/cmdline" "hotpatch-v$v" "$(cat /proc/cmdline)"
	check "apply v$v: sysfs enabled" 1 "$(cat $LP/livepatch_cmdline_v$v/enabled 2>&1)"
done
nodir "apply v2: v1 replaced and unloaded" /sys/module/livepatch_cmdline_v1
rc=0
hp revert --all >/tmp/out 2>&1 || rc=$?
check "revert: exit 0" 0 "$rc"
check "revert: /proc/cmdline is the original" "$orig" "$(cat /proc/cmdline)"
nodir "revert: module unloaded" /sys/module/livepatch_cmdline_v2
echo "# $fails failed"
[ "$fails" = 0 ]
GUEST
}

guest_script >"$t/guest.sh"
mkdir -p "$t/share"
hp_vm_run_checked "$t/out" --timeout 400 --share "$t/share" --env "HOTPATCH=$HOTPATCH" --env "REPO=$repo" \
	--env "KEY=$t/operator.asc" --env "KEVR=$KEVR" --env "RPM_V1=$rpm1" --env "RPM_V2=$rpm2" "$t/guest.sh"
echo "ok - klp engine loads .ko.xz and .ko.zst hotpatches on $HP_KVER"
