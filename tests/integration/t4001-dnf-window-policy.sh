#!/bin/bash
# t4001-dnf-window-policy: baseline_policy=window with a maintenance window
# (time from HP_NOW): outside it `dnf upgrade --hotpatch` holds back the
# reboot-requiring updates as with policy hold; inside it the full upgrade
# runs (held-back packages included) and, with reboot=when-needed, the
# reboot command runs exactly when `hotpatch needs-reboot` exits 1.  Also:
# window parsing (days, ranges, past midnight) and bad configuration values,
# which fail --hotpatch runs but never plain dnf.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t4009-dnf-fixture.sh"

dnf_prereqs
T=$(hp_tmpdir t4001)

# --- window parsing, in the plugin's policy package (dnf's python) -----------
TZ=UTC /usr/bin/python3 - "$HP_SRC_DIR/plugin/dnf" <<'EOF'
import calendar, sys
sys.path.insert(0, sys.argv[1])
import hotpatch  # noqa: F401  (the plugin loads its package from beside it)
import dnf_hotpatch.config as hp
import dnf.exceptions

def at(s):  # "YYYY-MM-DD HH:MM" UTC -> epoch
    import time
    return calendar.timegm(time.strptime(s, '%Y-%m-%d %H:%M'))

# 2026-11-29 is a Sunday.
cases = [
    ('Sun 02:00-04:00', '2026-11-29 02:00', True),
    ('Sun 02:00-04:00', '2026-11-29 03:59', True),
    ('Sun 02:00-04:00', '2026-11-29 04:00', False),
    ('Sun 02:00-04:00', '2026-11-29 01:59', False),
    ('Sun 02:00-04:00', '2026-11-30 03:00', False),      # Monday
    ('Sat,Sun 02:00-04:00', '2026-11-28 03:00', True),
    ('Mon-Fri 22:00-02:00', '2026-11-28 01:00', True),   # Saturday 01:00: Friday's window
    ('Mon-Fri 22:00-02:00', '2026-11-29 01:00', False),  # Sunday 01:00
    ('Sun 23:00-01:00', '2026-11-30 00:30', True),       # past midnight into Monday
    ('Sun 23:00-01:00', '2026-11-23 00:30', True),       # Monday after the previous Sunday
    ('Fri-Mon 01:00-02:00', '2026-11-30 01:30', True),   # range across the week end
    ('Fri-Mon 01:00-02:00', '2026-12-01 01:30', False),  # Tuesday
    ('03:00-04:00', '2026-12-02 03:30', True),           # every day
    ('sunday 02:00-04:00', '2026-11-29 03:00', True),
]
for text, when, want in cases:
    got = hp.in_window(hp.parse_window(text), at(when))
    assert got == want, (text, when, got, want)
for bad in ('Sun', 'Sun 2-4', 'Xyz 02:00-04:00', 'Sun 25:00-26:00', 'Sun 02:00-04:00 x', '02:60-03:00'):
    try:
        hp.parse_window(bad)
    except dnf.exceptions.ConfigError:
        continue
    raise AssertionError('accepted: %r' % bad)
print('window parsing: %d cases OK' % len(cases))
EOF

dnf_fixture "$T"
cat >>"$DNF_HPCONF" <<EOF
baseline_policy=window
maintenance_window=Sun 02:00-04:00
reboot=when-needed
reboot_command=touch $T/rebooted
EOF
# 2026-11-29 (Sunday)
inside=$(date -u -d '2026-11-29 03:00' +%s)
outside=$(date -u -d '2026-11-29 04:00' +%s)

# apply: real when the client has it and this kernel can load livepatches,
# else a no-op (the policy on the dnf side is what this test is about; the
# real apply through dnf is in t4000).
if ! "$DNF_HOTPATCH" --help 2>&1 | grep -Eq '^ +apply( |$)' || [ ! -d /sys/kernel/livepatch ]; then
	hp_log "no apply command or no livepatch support here: apply is a no-op in this test"
	mkdir -p "$T/bin"
	cat >"$T/bin/hotpatch" <<EOF
#!/bin/bash
for a; do case \$a in apply) exit 0 ;; esac; done
exec "$DNF_HOTPATCH" "\$@"
EOF
	chmod 0755 "$T/bin/hotpatch"
	sed -i "s|^hotpatch_command=.*|hotpatch_command=$T/bin/hotpatch|" "$DNF_HPCONF"
fi

held=$(printf '%s\n' hello-1.1-1.x86_64 kernel-core-6.1.0-57.x86_64 \
	kernel-hotpatch-6.1.0-57-2-1.x86_64 openssl-libs-3.0.11-1.x86_64)
full=$(printf '%s\n' hello-1.1-1.x86_64 kernel-core-6.1.0-57.x86_64 kernel-core-6.1.0-60.x86_64 \
	kernel-hotpatch-6.1.0-57-2-1.x86_64 openssl-libs-3.0.12-1.x86_64)

# --- outside the window: held back, no reboot ----------------------------------
dnf_copy_root "$DNF_ROOT" "$T/out"
rm -f "$T/rebooted"
HP_NOW=$outside hp_assert_exit 0 dnf_run "$T/out" upgrade --hotpatch -y
hp_assert_eq "$held" "$(dnf_qa "$T/out")" "outside the window: reboot-requiring updates held"
hp_assert_contains "$(cat "$HP_OUT" "$HP_ERR")" 'outside the maintenance window \(Sun 02:00-04:00\)'
hp_assert_contains "$(cat "$HP_OUT" "$HP_ERR")" '^Held back until baseline 2026Q2: kernel-core-6\.1\.0-60'
[ ! -e "$T/rebooted" ] || hp_fail "reboot outside the maintenance window"

# --- inside the window: full upgrade, reboot when needed ------------------------
dnf_copy_root "$DNF_ROOT" "$T/in"
rm -f "$T/rebooted"
HP_NOW=$inside hp_assert_exit 0 dnf_run "$T/in" upgrade --hotpatch -y
out=$(cat "$HP_OUT" "$HP_ERR")
hp_assert_eq "$full" "$(dnf_qa "$T/in")" "inside the window: full upgrade, hotpatch included"
hp_assert_contains "$out" 'inside the maintenance window'
hp_assert_not_contains "$out" '^Held back'
rc=0
"$DNF_HOTPATCH" --root "$T/in" needs-reboot >/dev/null 2>&1 || rc=$?
case $rc in
1)
	[ -e "$T/rebooted" ] || hp_fail "needs-reboot says yes, but the reboot command did not run"
	hp_assert_contains "$out" 'reboot needed'
	;;
0) [ ! -e "$T/rebooted" ] || hp_fail "needs-reboot says no, but the reboot command ran" ;;
*) hp_fail "hotpatch needs-reboot exited $rc" ;;
esac
hp_log "inside the window: needs-reboot exit $rc, reboot command $([ -e "$T/rebooted" ] && echo ran || echo not run)"

# reboot=never: the same full upgrade, never a reboot.
sed -i 's/^reboot=when-needed/reboot=never/' "$DNF_HPCONF"
dnf_copy_root "$DNF_ROOT" "$T/in2"
rm -f "$T/rebooted"
HP_NOW=$inside hp_assert_exit 0 dnf_run "$T/in2" upgrade --hotpatch -y
hp_assert_eq "$full" "$(dnf_qa "$T/in2")" "reboot=never: full upgrade inside the window"
[ ! -e "$T/rebooted" ] || hp_fail "reboot with reboot=never"

# --- bad configuration: --hotpatch refuses, plain dnf is unaffected -------------
for bad in 'baseline_policy=sometimes' 'maintenance_window=Funday 02:00-04:00' \
	'reboot=always' 'apply_timeout=-1'; do
	cp "$DNF_HPCONF" "$T/hotpatch.conf.good"
	key=${bad%%=*}
	sed -i "/^$key=/d" "$DNF_HPCONF"
	echo "$bad" >>"$DNF_HPCONF"
	dnf_copy_root "$DNF_ROOT" "$T/bad"
	hp_assert_exit 1 dnf_run "$T/bad" upgrade --hotpatch -y
	hp_assert_contains "$(cat "$HP_OUT" "$HP_ERR")" "hotpatch\.conf: $key"
	hp_assert_eq "$(dnf_qa "$DNF_ROOT")" "$(dnf_qa "$T/bad")" "$bad: nothing installed"
	# plain dnf does not read the bad value
	hp_assert_exit 0 dnf_run "$T/bad" upgrade -y
	hp_assert_not_contains "$(cat "$HP_OUT" "$HP_ERR")" 'hotpatch\.conf'
	hp_assert_contains "$(dnf_qa "$T/bad")" '^kernel-core-6\.1\.0-60\.x86_64$'
	cp "$T/hotpatch.conf.good" "$DNF_HPCONF"
done

hp_log "window policy OK"
