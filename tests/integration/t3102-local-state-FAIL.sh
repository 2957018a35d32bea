#!/bin/bash
# Issue 11, local state and the command line (findings 2, 5, 9): the journal
# as a FIFO or a symlink, HP_NOW / HP_KLP_TIMEOUT garbage, a closed or full
# stdout, raw newlines in arguments, `baseline list` on a non-repository,
# credentials in repository URLs (never echoed, never in state or cache file
# names), and snapshot directories of a killed check swept by the next run.
# Each: the exit code, ONE stderr line, bounded time (timeout), no sanitizer
# report, the root (state and journal) unchanged.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild rpm createrepo_c gpg timeout
HP=$(hp_bin hotpatch)
HR=$(hp_bin hotpatch-repo)

repo=$(hp_tmpdir repo)
gpghome=$HP_TEST_TMP/gnupg
key=$HP_TEST_TMP/key.asc
hp_bad_test_repo "$repo" "$gpghome" "$key" >/dev/null
W=$(hp_tmpdir work)
root=$(hp_tmpdir root)
hp_installroot "$root"
hp_rpm_install "$root" "$repo"/kernel-core-6.1.0-57.x86_64.rpm
export HP_UNAME_R=6.1.0-57-amd64 HP_ROOT_IS_LIVE=1
hp_assert_exit 100 "$HP" --root "$root" --repo "$repo" --gpgkey "$key" check

HP_BAD_TOOL=hotpatch
HP_BAD_DIRS=("$repo" "$root")
HP_BAD_EXCLUDE=(run run/hotpatch.lock '*.sqlite-shm')
bounded() { timeout -k 5 60 "$@"; }

# --- the journal is a FIFO / a symlink --------------------------------------
jdir=$root/var/lib/hotpatch/journal
mkdir -p "$jdir"
mkfifo "$jdir/journal.jsonl"
hp_bad 1 "journal a FIFO (reapply)" bounded "$HP" --root "$root" reapply
hp_assert_contains "$HP_BAD_ERR" "journal\\.jsonl' is not a regular file; refused"
rm "$jdir/journal.jsonl"
ln -s /etc/passwd "$jdir/journal.jsonl"
hp_bad 1 "journal a symlink to /etc/passwd (reapply)" bounded "$HP" --root "$root" reapply
hp_assert_contains "$HP_BAD_ERR" "journal\\.jsonl' is a symlink; refused"
rm -rf "$jdir"

# --- environment that steers decisions ----------------------------------------
for v in garbage -5 1e9 99999999999999999999; do
	hp_bad 2 "HP_NOW='$v'" env HP_NOW="$v" "$HP" --root "$root" --repo "$repo" --gpgkey "$key" check
	hp_assert_contains "$HP_BAD_ERR" "invalid HP_NOW"
done
for v in garbage 0 -1 100000; do
	hp_bad 2 "HP_KLP_TIMEOUT='$v'" env HP_KLP_TIMEOUT="$v" "$HP" --root "$root" reapply
	hp_assert_contains "$HP_BAD_ERR" "invalid HP_KLP_TIMEOUT"
done

# --- stdout closed or full ------------------------------------------------------
hp_bad 1 "stdout closed" bash -c '"$@" >&-' _ "$HP" --root "$root" --repo "$repo" --gpgkey "$key" status
hp_assert_contains "$HP_BAD_ERR" "standard output is closed"
hp_bad 1 "stdout /dev/full" bash -c '"$@" >/dev/full' _ "$HP" --root "$root" --repo "$repo" \
	--gpgkey "$key" status
hp_assert_contains "$HP_BAD_ERR" "cannot write to standard output: No space left on device"

# --- a raw newline in an argument stays on one line ---------------------------
hp_bad 2 "newline in --running" "$HP" --root "$root" --running $'kernel-core=x-\nhotpatch: error: forged' check
hp_bad 2 "newline in an unknown option" "$HP" --root "$root" $'--bo\ngus' check
# ... and in errors that are no usage errors: the library's messages echo
# paths and URLs too. A newline becomes "; ", an escape sequence '?'.
esc=$'\e[2J'
hp_bad 1 "newline and escape in a --repo path (check)" "$HP" --root "$root" \
	--repo $'/nonexistent/a\nhotpatch: error: forged'"$esc" --nogpgcheck check
hp_assert_contains "$HP_BAD_ERR" "cannot open repository '/nonexistent/a; hotpatch: error: forged[?]\\[2J'"
hp_bad 1 "newline and escape in --root (status)" "$HP" --root $'/nonexistent/r\noot'"$esc" status
hp_assert_contains "$HP_BAD_ERR" "cannot use root '/nonexistent/r; oot[?]\\[2J'"
hp_bad 2 "newline in HP_NOW" env HP_NOW=$'1\n2' "$HP" --root "$root" status
if grep -q $'\e' "$HP_BAD_ERR" "$HP_BAD_OUT"; then
	FAILS+=("an escape byte reached the terminal")
fi

# --- credentials in a repository URL -------------------------------------------
hp_bad 1 "user:password in an unreachable URL" bounded "$HP" --root "$root" --fetch-timeout 5 \
	--nogpgcheck --repo "http://alice:s3cret@127.0.0.1:9/r" check
hp_assert_not_contains "$HP_BAD_ERR" "s3cret"
hp_assert_contains "$HP_BAD_ERR" "http://\\*\\*\\*@127\\.0\\.0\\.1:9/r"
if find "$root" -name '*s3cret*' | grep -q .; then
	FAILS+=("a state or cache file name holds the password: $(find "$root" -name '*s3cret*')")
fi

# --- hotpatch-repo ----------------------------------------------------------------
HP_BAD_TOOL=hotpatch-repo
HP_BAD_DIRS=("$W")
hp_bad 1 "baseline list on a directory that is no repository" "$HR" baseline list "$W"
hp_assert_contains "$HP_BAD_ERR" "not a repository"
hp_bad 1 "newline and escape in a publish path" "$HR" publish $'/nonexistent/a\nb'"$esc" --sign-key ABCD
hp_assert_contains "$HP_BAD_ERR" "'/nonexistent/a; b[?]\\[2J': not a repository"
hp_bad 1 "newline in a baseline list path" "$HR" baseline list $'/nonexistent/x\ny'
hp_assert_contains "$HP_BAD_ERR" "'/nonexistent/x; y': not a repository"
# A package of the repository replaced by a FIFO after createrepo_c: publish
# refuses it at once instead of hanging.
pr=$(hp_repo_copy "$repo" "$W/fifo-rpm")
hpkg=$(cd "$pr" && ls -- *hotpatch*.rpm | head -n 1)
rm "$pr/$hpkg"
mkfifo "$pr/$hpkg"
HP_BAD_DIRS=("$pr")
hp_bad 1 "publish: a package is a FIFO" timeout -k 5 60 "$HR" publish "$pr" --sign-key "$(gpg --homedir "$gpghome" \
	--batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')" \
	--gnupg-home "$gpghome"
hp_assert_contains "$HP_BAD_ERR" "not a regular file"

# --- snapshots of a killed check are swept -------------------------------------
snaps=$(hp_tmpdir snaps)
# A check that is killed while it holds its snapshot: a stalled mirror.
cat >"$HP_TEST_TMP/stall.py" <<'PY'
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 0)); s.listen(5)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
PY
/usr/bin/python3 "$HP_TEST_TMP/stall.py" >"$HP_TEST_TMP/stall.port" &
stall=$!
hp_on_exit "kill $stall 2>/dev/null; wait $stall 2>/dev/null"
for _ in $(seq 50); do [ -s "$HP_TEST_TMP/stall.port" ] && break; sleep 0.1; done
port=$(cat "$HP_TEST_TMP/stall.port")
TMPDIR=$snaps "$HP" --root "$root" --nogpgcheck --repo "http://127.0.0.1:$port/r" check >/dev/null 2>&1 &
victim=$!
for _ in $(seq 100); do ls "$snaps" | grep -q '^hp-repo-' && break; sleep 0.1; done
kill -KILL "$victim"; wait "$victim" 2>/dev/null || true
ls "$snaps" | grep -q "^hp-repo-$victim-" || hp_fail "no snapshot of the killed check in $snaps: $(ls "$snaps")"
TMPDIR=$snaps hp_assert_exit 100 "$HP" --root "$root" --repo "$repo" --gpgkey "$key" check
if ls "$snaps" | grep -q '^hp-repo-'; then
	FAILS+=("snapshot of the killed check not swept: $(ls "$snaps")")
fi

# --- a check stopped by a catchable signal removes its snapshot at once -------
# SIGTERM (the dnf plugin aborting it, systemctl stop), SIGHUP (a closed
# terminal), SIGINT (Ctrl-C) and SIGPIPE (both reset to default here: a
# script's background job starts with SIGINT ignored, python ignores
# SIGPIPE, and a signal the parent ignores stays ignored): it still dies of
# the signal (status 128+N, what its parent expects), and neither its
# snapshot nor its temporary GnuPG home is left behind.
for sig in TERM HUP INT PIPE; do
	rm -rf "${snaps:?}"/*
	TMPDIR=$snaps /usr/bin/python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGPIPE): signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$HP" --root "$root" --gpgkey "$key" \
		--repo "http://127.0.0.1:$port/r" check >/dev/null 2>&1 &
	victim=$!
	for _ in $(seq 200); do ls "$snaps" | grep -q '^hp-repo-' && break; sleep 0.05; done
	ls "$snaps" | grep -q "^hp-repo-$victim-" || hp_fail "SIG$sig: no snapshot of check yet in $snaps"
	kill -s "$sig" "$victim"
	rc=0
	wait "$victim" || rc=$?
	want=$((128 + $(kill -l "$sig")))
	[ "$rc" = "$want" ] || FAILS+=("SIG$sig: check exited $rc, expected $want (death by the signal)")
	left=$(ls -A "$snaps")
	[ -z "$left" ] || FAILS+=("SIG$sig: temporary directories left behind: $left")
	NCASES=$((NCASES + 1))
done

# ... at any point of a run: SIGTERM at random moments inside one measured
# check of the signed local repository (snapshot, GnuPG home, verification,
# parsing, state writes). Each run either finishes (100) or dies of the
# signal (143); none leaves a temporary directory, and the state it may have
# written still lets the next check pass.
rm -rf "${snaps:?}"/*
t0=$(date +%s%N)
TMPDIR=$snaps "$HP" --root "$root" --repo "$repo" --gpgkey "$key" check >/dev/null 2>&1 || true
span=$(( ($(date +%s%N) - t0) / 1000 ))
killed=0
for i in $(seq 30); do
	TMPDIR=$snaps "$HP" --root "$root" --repo "$repo" --gpgkey "$key" check >/dev/null 2>&1 &
	victim=$!
	sleep "$(awk -v s="$span" -v r="$RANDOM" 'BEGIN { printf "%.6f", s * r / 32767 / 1e6 }')"
	kill -TERM "$victim" 2>/dev/null || true
	rc=0
	wait "$victim" || rc=$?
	case $rc in
	143) killed=$((killed + 1)) ;;
	100) ;;
	*) FAILS+=("SIGTERM loop $i: check exited $rc (expected 100 or 143)") ;;
	esac
	left=$(ls -A "$snaps")
	[ -z "$left" ] || FAILS+=("SIGTERM loop $i (exit $rc): left behind: $left")
	NCASES=$((NCASES + 1))
done
hp_log "SIGTERM loop: $killed of 30 runs killed mid-run (span ${span} us)"
[ "$killed" -ge 10 ] || FAILS+=("SIGTERM loop: only $killed of 30 kills landed inside a run")
TMPDIR=$snaps hp_assert_exit 100 "$HP" --root "$root" --repo "$repo" --gpgkey "$key" check

hp_bad_report "t3102-local-state-FAIL"
