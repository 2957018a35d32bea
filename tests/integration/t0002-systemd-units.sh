#!/bin/bash
# t0002-systemd-units: every unit the project ships passes `systemd-analyze verify` against a root that
# holds the project's binaries where the units expect them, and keeps the switches the docs promise
# (boot re-apply skippable from the kernel command line; the upgrade timer daily with a random delay).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd systemd-analyze
T=$(hp_tmpdir t0002)
units=$HP_SRC_DIR/hooks/systemd
root=$T/root
mkdir -p "$root/usr/bin" "$root/usr/lib/hotpatch" "$root/etc/systemd/system" "$root/usr/lib/systemd"
# The standard targets our units order against (sysinit.target, timers.target, ...).
cp -a /lib/systemd/system "$root/usr/lib/systemd/system"
cp "$(hp_bin hotpatch)" "$root/usr/bin/hotpatch"
# dnf is Debian's own; the unit names it by its usual path.
cp /usr/bin/dnf "$root/usr/bin/dnf"
cp "$units"/*.service "$units"/*.timer "$root/etc/systemd/system/"
# Documentation=man:... is checked too: the project's man pages must exist.
mkdir -p "$T/man/man8"
cp "$HP_SRC_DIR"/packaging/man/*.8 "$T/man/man8/"
export MANPATH=$T/man
for u in hotpatch-reapply.service hotpatch-upgrade.service hotpatch-upgrade.timer; do
	hp_assert_exit 0 systemd-analyze --root="$root" verify "/etc/systemd/system/$u"
	hp_assert_not_contains "$HP_ERR" "$u"
done
hp_assert_contains "$units/hotpatch-reapply.service" '^ConditionKernelCommandLine=!hotpatch\.reapply=0$'
hp_assert_contains "$units/hotpatch-reapply.service" '^ExecStart=/usr/bin/hotpatch reapply$'
hp_assert_contains "$units/hotpatch-upgrade.timer" '^OnCalendar=daily$'
hp_assert_contains "$units/hotpatch-upgrade.timer" '^RandomizedDelaySec='
hp_assert_contains "$units/hotpatch-upgrade.service" '^ExecStart=/usr/bin/dnf upgrade --hotpatch -y'
# A unit with a typo is caught: the check can fail.
sed 's/^ExecStart=/ExecStrat=/' "$units/hotpatch-reapply.service" >"$root/etc/systemd/system/broken.service"
rc=0
systemd-analyze --root="$root" verify /etc/systemd/system/broken.service >"$T/broken.out" 2>&1 || rc=$?
hp_assert_contains "$T/broken.out" 'ExecStrat|Unknown key|Service has no ExecStart'
