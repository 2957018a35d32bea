#!/bin/bash
# Runs inside the qemu guest for tests/vm/demo.sh (HOTPATCH, REPO, KEY, KEVR
# come from its --env). A readable narrative on stdout.
set -euo pipefail
# The installroot stands for this guest's live system (see hotpatch.8, HP_ROOT_IS_LIVE).
export HP_ROOT_IS_LIVE=1
R=/hpshare/root
DB=/root/.rpmdb
FORCE=()
rpm --help 2>/dev/null | grep -q -- --force-debian && FORCE=(--force-debian)
say() { printf '\n-- %s\n' "$*"; }
run() { printf '# %s\n' "$*"; "$@"; }
rpm_i() {
	printf '# rpm --root %s -%s %s\n' "$R" "$1" "${2##*/}"
	rpm "${FORCE[@]}" --root "$R" --dbpath "$DB" "-$1" --nodeps --noscripts --nosignature "$2" \
		2>&1 | grep -v -e 'should not be used directly' -e 'know what you are doing' || true
}
hp() { "$HOTPATCH" --root "$R" --repo "$REPO" --gpgkey "$KEY" "$@"; }

say "Inside the VM: kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s; no livepatch loaded:"
run ls /sys/kernel/livepatch/
echo "/proc/cmdline: $(cat /proc/cmdline)"

say "The admin installs the running kernel's package and the hotpatch v1 (an installroot on /hpshare)"
rm -rf "$R"
mkdir -p "$R"
rpm --root "$R" --dbpath "$DB" --initdb
rpm_i i "$(ls "$REPO"/kernel-core-"$KEVR".x86_64.rpm)"
rpm_i i "$(ls "$REPO"/kernel-core-hotpatch-"$KEVR"-1-1.x86_64.rpm)"
rpm --root "$R" --dbpath "$DB" -qa | sed 's/^/  installed: /'

say "hotpatch check: what the signed repository offers for the running build"
rc=0
hp check || rc=$?
echo "(exit $rc: 100 = hotpatches available -- the cumulative v2 is newer than the installed v1)"

say "hotpatch apply: make the installed v1 live (the kernel's livepatch subsystem, no reboot)"
t0=$(date +%s.%N)
hp apply
t1=$(date +%s.%N)
echo "(apply took $(awk "BEGIN{printf \"%.2f\", $t1 - $t0}") s)"
echo "/proc/cmdline now: $(cat /proc/cmdline)"
echo "/sys/kernel/livepatch: $(ls /sys/kernel/livepatch/) enabled=$(cat /sys/kernel/livepatch/*/enabled)"

say "hotpatch status"
hp status || true

say "The cumulative v2 arrives: rpm -U, then apply (atomic replace: no unpatched moment)"
rpm_i U "$(ls "$REPO"/kernel-core-hotpatch-"$KEVR"-2-1.x86_64.rpm)"
hp apply
echo "/proc/cmdline now: $(cat /proc/cmdline)"
echo "/sys/kernel/livepatch: $(ls /sys/kernel/livepatch/)"

say "The journal of what was asked of the engine"
jq -r '"  #\(.seq) \(.op) \(.package): \(.phase)"' "$R/var/lib/hotpatch/journal/journal.jsonl"
say "Same boot, uptime $(cut -d' ' -f1 /proc/uptime) s: patched live, no reboot"
