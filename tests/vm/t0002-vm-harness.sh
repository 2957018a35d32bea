#!/bin/bash
# t0002-vm-harness: the promises of tests/vm/lib.sh that VM tests rely on.
#
#   - the guest script's exit status, stdout and stderr come back;
#   - --share HOSTDIR is writable and keeps state from one boot to the next;
#   - host files are visible (read-only lower), guest writes to them go to a
#     tmpfs and neither reach the host nor survive the boot;
#   - stdin is /dev/null (a `read` does not hang);
#   - --env values reach the script;
#   - a guest that runs too long is killed: 124, console log kept.
# Exit 0 pass, 1 fail, 77 skip.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
hp_vm_prereq

work=$(mktemp -d "${TMPDIR:-/tmp}/hp-t0002.XXXXXX")
fails=0
trap '[ "$fails" = 0 ] && [ -z "${HP_KEEP:-}" ] && rm -rf "$work"' EXIT
ok()
{
	echo "ok - $*"
}
notok()
{
	echo "not ok - $*"
	fails=$((fails + 1))
}
check()
{
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		notok "$1: expected '$2', got '$3'"
	fi
}

share=$work/share
mkdir -p "$share"
echo "from-host" >"$work/hostfile"

# Boot 1: leave state in the share, scribble on host paths, exit 7.
cat >"$work/boot1.sh" <<EOF
#!/bin/sh
echo "stdout line"
echo "stderr line" >&2
cat "$work/hostfile"
echo "boot1-state" >/hpshare/state
echo "scribble" >"$work/hostfile" && echo "overlay write ok"
echo "scribble" >/etc/hp-vm-scratch && echo "etc write ok"
if read -r line; then echo "stdin gave: \$line"; else echo "stdin eof"; fi
echo "env=\$HP_T0002"
exit 7
EOF
hp_vm_run --timeout 120 --share "$share" --env HP_T0002="a b'c" "$work/boot1.sh" "$work/out1"
rc=$?
check "exit status comes back" 7 "$rc"
check "rc file" 7 "$(cat "$work/out1/rc" 2>/dev/null)"
check "stderr comes back" "stderr line" "$(cat "$work/out1/stderr" 2>/dev/null)"
check "stdout comes back" "stdout line
from-host
overlay write ok
etc write ok
stdin eof
env=a b'c" "$(cat "$work/out1/stdout" 2>/dev/null)"
check "share written" boot1-state "$(cat "$share/state" 2>/dev/null)"
check "host file untouched" from-host "$(cat "$work/hostfile")"
if [ -e /etc/hp-vm-scratch ]; then
	notok "guest write reached the host's /etc"
else
	ok "guest write did not reach the host's /etc"
fi
if grep -q 'Linux version' "$work/out1/dmesg" 2>/dev/null; then
	ok "dmesg collected"
else
	notok "no dmesg in $work/out1"
fi
if [ -s "$work/out1/console.log" ]; then ok "console log kept"; else notok "no console log"; fi

# Boot 2: the share kept its state, the overlay did not.
cat >"$work/boot2.sh" <<'EOF'
#!/bin/sh
cat /hpshare/state
[ -e /etc/hp-vm-scratch ] && echo "scratch survived" || echo "scratch gone"
EOF
hp_vm_run --timeout 120 --share "$share" "$work/boot2.sh" "$work/out2"
check "second boot exit status" 0 "$?"
check "state kept between boots, overlay writes gone" "boot1-state
scratch gone" "$(cat "$work/out2/stdout" 2>/dev/null)"
if hp_vm_dmesg_clean "$work/out2"; then ok "dmesg clean"; else notok "dmesg not clean"; fi

# hp_vm_dmesg_clean catches a warning.
mkdir -p "$work/fake"
printf '[    1.0] ok\n[    2.0] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x0/0x10\n' >"$work/fake/dmesg"
if hp_vm_dmesg_clean "$work/fake" 2>/dev/null; then
	notok "hp_vm_dmesg_clean missed a WARNING"
else
	ok "hp_vm_dmesg_clean catches a WARNING"
fi

# Boot 3: a stuck guest is killed.
printf '#!/bin/sh\necho sleeping\nsleep 600\n' >"$work/boot3.sh"
start=$(date +%s)
hp_vm_run --timeout 15 "$work/boot3.sh" "$work/out3" 2>"$work/out3.err"
rc=$?
check "timeout gives 124" 124 "$rc"
if [ $(($(date +%s) - start)) -lt 30 ]; then
	ok "timeout honoured"
else
	notok "timeout took $(($(date +%s) - start))s"
fi
if [ -s "$work/out3/console.log" ]; then
	ok "console log kept on timeout"
else
	notok "no console log on timeout"
fi

if [ "$fails" != 0 ]; then
	echo "# $fails check(s) failed; see $work" >&2
	exit 1
fi
exit 0
