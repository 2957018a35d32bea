#!/bin/bash
# t0001-vm-livepatch-smoke: the VM harness works with a real kernel livepatch.
#
# Builds the classic livepatch sample (tests/fixtures/klp's
# livepatch_cmdline_v1 when present, else an embedded copy) against the
# headers of the kernel the guest boots, then in the guest: insmod, wait for
# the transition, /proc/cmdline shows the patched text, disable, wait for the
# sysfs directory to go, rmmod, /proc/cmdline is the original again.  Also
# runs the host's rpm and dnf (python3) in the guest.  The guest's dmesg must
# be free of warnings.  Exit 0 pass, 1 fail, 77 skip.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
hp_vm_prereq

t_start=$(date +%s.%N)
kver=$(hp_vm_kver)
kdir=/usr/src/linux-headers-$kver
if [ ! -d "$kdir" ]; then
	echo "SKIP: $kdir missing (linux-headers-$kver)" >&2
	exit 77
fi
command -v make >/dev/null 2>&1 || { echo "SKIP: make not installed" >&2; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/hp-t0001.XXXXXX")
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup()
{
	if [ "${fails:-1}" = 0 ] && [ -z "${HP_KEEP:-}" ]; then
		rm -rf "$work"
	else
		echo "# kept $work" >&2
	fi
}
trap cleanup EXIT

fails=0
ok()
{
	echo "ok - $*"
}
notok()
{
	echo "not ok - $*"
	fails=$((fails + 1))
}
# check DESCRIPTION EXPECTED ACTUAL
check()
{
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		notok "$1: expected '$2', got '$3'"
	fi
}

# --- the livepatch module -------------------------------------------------
fixtures=$here/../fixtures/klp
if [ -x "$fixtures/build.sh" ] && [ -f "$fixtures/livepatch_cmdline_v1.c" ]; then
	kodir=${HP_CACHE_DIR:-/tmp/hp-cache}/klp
	"$fixtures/build.sh" "$kodir" "$kver"
	rc=$?
	[ "$rc" = 77 ] && exit 77
	[ "$rc" = 0 ] || { echo "not ok - fixture build failed ($rc)"; exit 1; }
	mod=livepatch_cmdline_v1
	expect=hotpatch-v1
	ko=$kodir/$mod.ko
else
	# Fixtures not there (yet): the kernel's samples/livepatch in short.
	mod=hp_vm_smoke
	expect=hp-vm-smoke-patched
	mkdir -p "$work/src"
	cat >"$work/src/$mod.c" <<EOF
// SPDX-License-Identifier: GPL-2.0-or-later
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int smoke_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", "$expect");
	return 0;
}

static struct klp_func funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = smoke_cmdline_proc_show, },
	{ }
};
static struct klp_object objs[] = { { .funcs = funcs, }, { } };
static struct klp_patch patch = { .mod = THIS_MODULE, .objs = objs, };

static int smoke_init(void)
{
	return klp_enable_patch(&patch);
}
static void smoke_exit(void)
{
}
module_init(smoke_init);
module_exit(smoke_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
EOF
	echo "obj-m := $mod.o" >"$work/src/Kbuild"
	if ! make -C "$kdir" M="$work/src" modules >"$work/build.log" 2>&1; then
		cat "$work/build.log" >&2
		echo "not ok - building $mod.ko against $kdir"
		exit 1
	fi
	ko=$work/src/$mod.ko
fi
t_built=$(date +%s.%N)
if [ -f "$ko" ]; then
	ok "built $ko"
else
	notok "no $ko"
	exit 1
fi

# --- the guest ------------------------------------------------------------
cat >"$work/guest.sh" <<'EOF'
#!/bin/sh
# Runs in the guest; prints key=value lines for the host to check.
ms() { echo $(($(date +%s%N) / 1000000)); }
# wait_for MAX_MS COMMAND...: poll COMMAND every 10 ms until it succeeds.
wait_for() {
	end=$(($(ms) + $1)); shift
	until "$@"; do
		[ "$(ms)" -ge "$end" ] && return 1
		sleep 0.01
	done
}
d=/sys/kernel/livepatch/$HP_MOD
transition_done() { [ "$(cat "$d/transition" 2>/dev/null)" = 0 ]; }
gone() { [ ! -e "$d" ]; }

echo "hp_vm=$HP_VM"
echo "cmdline0=$(cat /proc/cmdline)"
t0=$(ms)
insmod "$HP_KO"
echo "insmod_rc=$?"
wait_for 30000 transition_done
echo "transition=$(cat "$d/transition" 2>/dev/null)"
echo "enabled=$(cat "$d/enabled" 2>/dev/null)"
echo "enable_ms=$(($(ms) - t0))"
echo "cmdline1=$(cat /proc/cmdline)"
t0=$(ms)
echo 0 >"$d/enabled"
echo "disable_rc=$?"
if wait_for 30000 gone; then echo "sysfs_gone=yes"; else echo "sysfs_gone=no"; fi
echo "disable_ms=$(($(ms) - t0))"
rmmod "$HP_MOD"
echo "rmmod_rc=$?"
if grep -q "^$HP_MOD " /proc/modules; then echo "module_left=yes"; else echo "module_left=no"; fi
echo "cmdline2=$(cat /proc/cmdline)"
echo "tainted_k=$(( ($(cat /proc/sys/kernel/tainted) >> 15) & 1 ))"

t0=$(ms)
echo "rpm=$(rpm --version 2>&1)"
echo "rpm_ms=$(($(ms) - t0))"
t0=$(ms)
echo "dnf=$(/usr/bin/python3 -c 'import dnf, dnf.const; print("ok", dnf.const.VERSION)' 2>&1)"
echo "dnf_ms=$(($(ms) - t0))"
echo "share_file=$(echo hi >/hpshare/written && cat /hpshare/written)"
EOF

out=$work/out
hp_vm_run --timeout 180 --env HP_KO="$ko" --env HP_MOD="$mod" "$work/guest.sh" "$out"
rc=$?
t_end=$(date +%s.%N)
check "guest script exit status" 0 "$rc"
if [ ! -f "$out/stdout" ]; then
	notok "no guest output"
	exit 1
fi
get()
{
	sed -n "s/^$1=//p" "$out/stdout" | head -n 1
}

check "guest sees HP_VM" 1 "$(get hp_vm)"
cmdline0=$(get cmdline0)
case "$cmdline0" in
*console=ttyS0*) ok "original /proc/cmdline: $cmdline0" ;;
*) notok "original /proc/cmdline is '$cmdline0'" ;;
esac
check "insmod $mod" 0 "$(get insmod_rc)"
check "transition finished" 0 "$(get transition)"
check "patch enabled" 1 "$(get enabled)"
check "patched /proc/cmdline" "$expect" "$(get cmdline1)"
check "echo 0 > enabled" 0 "$(get disable_rc)"
check "/sys/kernel/livepatch/$mod went away" yes "$(get sysfs_gone)"
check "rmmod $mod" 0 "$(get rmmod_rc)"
check "module unloaded" no "$(get module_left)"
check "/proc/cmdline is the original again" "$cmdline0" "$(get cmdline2)"
check "kernel tainted with TAINT_LIVEPATCH (K)" 1 "$(get tainted_k)"
case "$(get rpm)" in
"RPM version "*) ok "rpm in the guest: $(get rpm)" ;;
*) notok "rpm --version in the guest: '$(get rpm)'" ;;
esac
case "$(get dnf)" in
"ok "*) ok "import dnf in the guest: $(get dnf | cut -d' ' -f2)" ;;
*) notok "import dnf in the guest: '$(get dnf)'" ;;
esac
check "writable share" hi "$(get share_file)"
check "share written on the host" hi "$(cat "$work/out/share/written" 2>/dev/null)"
if grep -q "livepatch: '$mod': starting patching transition" "$out/dmesg"; then
	ok "dmesg shows the patching transition"
else
	notok "no patching transition in the guest dmesg"
fi
if hp_vm_dmesg_clean "$out"; then
	ok "guest dmesg clean"
else
	notok "guest dmesg has warnings"
fi

guest_script_start=$(sed -n 's/^guest_script_start=//p' "$out/timing")
host_wall=$(sed -n 's/^host_wall=//p' "$out/timing")
echo "# timing: build $(awk "BEGIN{printf \"%.1f\", $t_built - $t_start}")s;" \
	"boot to script start ${guest_script_start}s (guest uptime);" \
	"insmod to enabled $(get enable_ms)ms; disable to sysfs gone $(get disable_ms)ms;" \
	"rpm --version $(get rpm_ms)ms; import dnf $(get dnf_ms)ms;" \
	"qemu ${host_wall}s; whole test $(awk "BEGIN{printf \"%.1f\", $t_end - $t_start}")s"
if [ "$fails" != 0 ]; then
	echo "# $fails check(s) failed; guest output in $out" >&2
	sed 's/^/# stdout: /' "$out/stdout" >&2
	sed 's/^/# stderr: /' "$out/stderr" >&2
	exit 1
fi
exit 0
