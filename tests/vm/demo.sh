#!/bin/bash
# tests/vm/demo.sh D REPO - the live part of demo.sh (top of the tree): boot the
# machine's own Debian kernel in qemu and, inside it, install kernel-core
# and the v1 hotpatch from REPO (published and signed by demo.sh; D holds
# the operator's public key operator.asc) into an installroot, then
# `hotpatch check`, `hotpatch apply`, /proc/cmdline before and after,
# `hotpatch status`, and the cumulative v2 replacing v1 -- no reboot.
# Prints the guest's narrative. Without qemu or a kernel it says so and
# exits 0 (the demo goes on).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
D=$(cd "${1:?usage: demo.sh D REPO}" && pwd)
repo=$(cd "${2:?usage: demo.sh D REPO}" && pwd)

if ! (hp_vm_prereq) 2>/dev/null; then
	echo "(no qemu or no Debian kernel image here: the live part is skipped)"
	exit 0
fi
kver=$(hp_vm_kver)
KEVR=$(hp_vm_kevr "$kver")
hotpatch=${HP_BUILD_DIR:-$(cd "$here/../.." && pwd)/build}/hotpatch
mkdir -p "$D/vm-share" "$D/vm-out"
echo "Booting $kver in qemu (TCG, ~10-20 s); the guest's narrative follows."
# The demo's clock (HP_NOW), if it set one, holds in the guest too.
envs=(--env "HOTPATCH=$hotpatch" --env "REPO=$repo" --env "KEY=$D/operator.asc" --env "KEVR=$KEVR")
[ -n "${HP_NOW:-}" ] && envs+=(--env "HP_NOW=$HP_NOW")
rc=0
hp_vm_run --timeout 300 --share "$D/vm-share" "${envs[@]}" "$here/demo-guest.sh" "$D/vm-out" || rc=$?
cat "$D/vm-out/stdout" 2>/dev/null || true
if [ "$rc" != 0 ]; then
	echo "--- guest stderr:" >&2
	tail -n 40 "$D/vm-out/stderr" >&2 || true
	echo "demo: the guest failed (exit $rc)" >&2
	exit 1
fi
hp_vm_dmesg_clean "$D/vm-out"
echo "(guest kernel log clean: no warnings, no call traces; $(grep -o 'host_wall=.*' "$D/vm-out/timing") s)"
