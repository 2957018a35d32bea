#!/bin/bash
# t6000-system-log: every apply, revert, reapply and orphan revert that
# reaches an engine is one record in the system log, found by an admin
# with `journalctl -t hotpatch`, with MESSAGE_ID per event and the fields
# PACKAGE, ENGINE, LIVE_NAME, RESULT (plugin/hp_syslog.h); without a
# journal, syslog(3) gets the same line.
#
# Nothing is trusted: the records are read back from a REAL systemd-journald
# (Debian's /lib/systemd/systemd-journald) started in a private mount
# namespace (unshare -m) on a tmpfs /run and /var/log/journal, where it
# binds /run/systemd/journal/socket as on a booted system -- libsystemd's
# sd_journal_sendv in the hotpatch command sends there -- and read with
# journalctl. The sandbox has no journald of its own (PID 1 is not
# systemd), and the namespace leaves the host's /run untouched.
# The fallback: a second namespace with no journal socket and a private
# /dev whose /dev/log is a datagram socket this test reads (syslog(3)'s
# path), asserting the RFC 3164 line.
#
# The engine is a real exec engine under --root, as in t4003 (the host
# kernel has no livepatch).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpm rpmbuild jq unshare journalctl /usr/bin/python3
hp_require_root
[ -x /lib/systemd/systemd-journald ] || hp_skip "no /lib/systemd/systemd-journald"
unshare -m --propagation private true 2>/dev/null || hp_skip "cannot create a mount namespace (unshare -m)"
HP=$(hp_bin hotpatch)
T=$(hp_tmpdir t6000)
R=$T/root
hp_installroot "$R"
export HP_ROOT_IS_LIVE=1

# The engine: live state in $T/live (one NEVRA a line); apply fails while
# $T/fail exists, with a reason on stderr.
state=$T/live
: >"$state"
cat >"$T/engine" <<EOS
#!/bin/bash
case \$1 in
apply) if [ -e "$T/fail" ]; then echo "engine says no: test failure" >&2; exit 3; fi
	grep -qxF "\$2" "$state" || echo "\$2" >>"$state" ;;
revert) grep -vxF "\$2" "$state" >"$state.new" || true; mv "$state.new" "$state" ;;
list) cat "$state" ;;
esac
EOS
chmod 0755 "$T/engine" "$T" "$HP_TEST_TMP"
hp_exec_engine_conf "$R" hptest "$T/engine"

echo payload >"$T/hp-ssl.so"
rpmfile=$(hp_build_rpm hotpatch "$T/rpms" --define 'hp_name hp-ssl' --define 'component openssl-libs' \
	--define 'build 3.0.11-1' --define 'engine hptest' --define "payload $T/hp-ssl.so")
hp_rpm_install "$R" "$rpmfile"

# --- the journal -------------------------------------------------------------
# Runs inside the namespace: journald up, the seven engine steps, the log
# read back as JSON (one object a line) and as an admin reads it.
cat >"$T/in-ns.sh" <<EOS
set -eu
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/log/journal 2>/dev/null || mount -t tmpfs tmpfs /var/log
mkdir -p /run/systemd/journal /run/log/journal
/lib/systemd/systemd-journald </dev/null >"$T/journald.log" 2>&1 &
jpid=\$!
trap 'kill \$jpid 2>/dev/null; wait \$jpid 2>/dev/null || true' EXIT
# journald binds its sockets when it starts: wait for it (bounded).
for i in \$(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
[ -S /run/systemd/journal/socket ] || { echo "journald did not start" >&2; exit 1; }
H=("$HP" --root "$R" --dbpath /root/.rpmdb --running openssl-libs=3.0.11-1)
step() { local want=\$1; shift; rc=0; "\$@" >>"$T/steps.log" 2>&1 || rc=\$?
	[ "\$rc" = "\$want" ] || { echo "exit \$rc, expected \$want: \$*" >&2; exit 1; }; }
step 0 "\${H[@]}" apply --all
step 0 "\${H[@]}" revert hp-ssl
step 0 "\${H[@]}" reapply
step 0 "\${H[@]}" revert --all
touch "$T/fail"
step 1 "\${H[@]}" apply hp-ssl
rm -f "$T/fail"
step 0 "\${H[@]}" apply --all
rpm --root "$R" --dbpath /root/.rpmdb -e --nodeps --noscripts hp-ssl 2>/dev/null
step 0 "\${H[@]}" revert --all
# Nothing to do is no engine step: no record.
step 0 "\${H[@]}" revert --all
journalctl --sync 2>/dev/null || true
# Bounded wait until journald has written all seven (it reads its socket
# asynchronously).
for i in \$(seq 100); do
	n=\$(journalctl -t hotpatch -o json --no-pager 2>/dev/null | wc -l)
	[ "\$n" -ge 7 ] && break
	sleep 0.1
done
journalctl -t hotpatch -o json --no-pager >"$T/log.json"
journalctl -t hotpatch --no-pager >"$T/log.txt"
EOS
unshare -m --propagation private bash "$T/in-ns.sh" || {
	cat "$T/steps.log" "$T/journald.log" >&2 2>/dev/null
	hp_fail "the engine steps under a private journald failed"
}
hp_log "journalctl -t hotpatch:"
sed 's/^/#   /' "$T/log.txt" >&2

hp_assert_eq 7 "$(wc -l <"$T/log.json")" "seven engine steps, seven records (nothing for a no-op revert)"
ev() { jq -r '.HOTPATCH_EVENT' "$T/log.json" | paste -sd' '; }
hp_assert_eq "apply revert reapply revert apply apply orphan-revert" "$(ev)" "events in order"
hp_assert_eq "done done done done failed done done" "$(jq -r .RESULT "$T/log.json" | paste -sd' ')" "RESULT"
A=e39e354253b949ab9d96647a474e0af6 V=82b206c718384e58a3a4a9e2d5fd6985
P=413c94ec6c0049bbb4e92dc8bf1ab5b1 O=41a9a644e8ec446ca5a4c6c8a13747d6
hp_assert_eq "$A $V $P $V $A $A $O" "$(jq -r .MESSAGE_ID "$T/log.json" | paste -sd' ')" \
	"one MESSAGE_ID per event (hp_syslog.h)"
for f in PACKAGE LIVE_NAME; do
	hp_assert_eq "hp-ssl-1-1.x86_64" "$(jq -r ".$f" "$T/log.json" | sort -u)" "$f in every record"
done
hp_assert_eq hptest "$(jq -r .ENGINE "$T/log.json" | sort -u)" "ENGINE in every record"
hp_assert_eq "openssl-libs 3.0.11-1" "$(jq -r '.COMPONENT + " " + .BUILD' "$T/log.json" | sort -u)" \
	"COMPONENT and BUILD"
hp_assert_eq "hotpatch journal" "$(jq -r '.SYSLOG_IDENTIFIER + " " + ._TRANSPORT' "$T/log.json" | sort -u)" \
	"native journal records of identifier hotpatch"
hp_assert_eq "6 6 6 6 3 6 6" "$(jq -r .PRIORITY "$T/log.json" | paste -sd' ')" "PRIORITY info, err on failure"
failed=$(jq -c 'select(.RESULT == "failed")' "$T/log.json")
jq -e '.ERROR | test("engine says no: test failure")' <<<"$failed" >/dev/null ||
	hp_fail "the failed record's ERROR carries the engine's reason: $failed"
[ "$(jq -r 'select(.RESULT == "done") | has("ERROR")' "$T/log.json" | sort -u)" = false ] ||
	hp_fail "ERROR only on failures"
# The pid is the hotpatch process's, as the kernel tells journald: journald
# reads _COMM from /proc when the record arrives, so a process that has
# exited by then leaves it out (a race, not an error); where present it is
# the hotpatch command, and _PID is always there.
hp_assert_eq "$(basename "$HP")" "$(jq -r 'select(._COMM != null) | ._COMM' "$T/log.json" | sort -u)" \
	"_COMM: the hotpatch command"
hp_assert_eq 0 "$(jq -r 'select(._PID == null) | 1' "$T/log.json" | wc -l)" "_PID on every record"
# What an admin reads.
hp_assert_contains "$T/log.txt" 'hotpatch\[[0-9]+\]: hp-ssl-1-1\.x86_64: applied, live now \(engine hptest, live name hp-ssl-1-1\.x86_64\)$'
hp_assert_contains "$T/log.txt" 'hotpatch\[[0-9]+\]: hp-ssl-1-1\.x86_64: re-applied, live now'
hp_assert_contains "$T/log.txt" 'hp-ssl-1-1\.x86_64: apply FAILED \(engine hptest, live name hp-ssl-1-1\.x86_64\): .*engine says no: test failure'
hp_assert_contains "$T/log.txt" 'hp-ssl-1-1\.x86_64: orphan \(package no longer installed\) reverted, not live now'

# --- no journal: syslog(3) ---------------------------------------------------
hp_rpm_install "$R" "$rpmfile"
: >"$state"
cat >"$T/dev-log.py" <<'EOS'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('/dev/log')
open(sys.argv[1] + '.ready', 'w').close()
s.settimeout(30)
with open(sys.argv[1], 'wb') as out:
    out.write(s.recv(65536) + b'\n')
EOS
cat >"$T/in-ns2.sh" <<EOS
set -eu
mount -t tmpfs tmpfs /run
# A private /dev with the nodes the command uses and our own /dev/log.
mkdir /run/dev
for n in null zero full random urandom; do touch /run/dev/\$n; mount --bind /dev/\$n /run/dev/\$n; done
mount --bind /run/dev /dev
/usr/bin/python3 "$T/dev-log.py" "$T/syslog.out" &
spid=\$!
for i in \$(seq 100); do [ -e "$T/syslog.out.ready" ] && break; sleep 0.1; done
[ -S /dev/log ] || { echo "no /dev/log socket" >&2; exit 1; }
[ ! -e /run/systemd/journal/socket ] || exit 1
"$HP" --root "$R" --dbpath /root/.rpmdb --running openssl-libs=3.0.11-1 apply --all >"$T/apply2.log" 2>&1
wait \$spid
EOS
unshare -m --propagation private bash "$T/in-ns2.sh" || {
	cat "$T/apply2.log" >&2 2>/dev/null
	hp_fail "apply with syslog(3) as the only log failed"
}
hp_log "syslog(3) datagram: $(cat "$T/syslog.out")"
# <30> = facility daemon (3) * 8 + info (6); the identifier with the pid.
hp_assert_contains "$T/syslog.out" '^<30>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} hotpatch\[[0-9]+\]: hp-ssl-1-1\.x86_64: applied, live now \(engine hptest, live name hp-ssl-1-1\.x86_64\)$'
hp_log "journal and syslog(3) records as documented"
