#!/bin/bash
# t4000-dnf-upgrade-hotpatch: real dnf 4 with the plugin from the tree, on a
# repository published and signed by hotpatch-repo (repo_gpgcheck=1):
#  - without --hotpatch, dnf's output, exit status and transaction are those
#    of dnf without the plugin, and the hotpatch command is never run;
#  - `dnf upgrade --hotpatch -y` installs exactly the newest hotpatch for the
#    running kernel build and hello 1.1, holds back kernel-core 6.1.0-60
#    (baseline 2026Q2) and openssl-libs 3.0.12 (reboot_suggested advisory),
#    lists them, runs `hotpatch apply --all` (with the repo: published
#    checksums), exits 0;
#  - with the real apply on a kernel without livepatch support, dnf installs,
#    reports the engine's refusal, lists the held-back updates and exits 1;
#  - run again ("Nothing to do") it still runs `hotpatch apply --all`;
#  - the timer's service ExecStart runs the same path;
#  - a tampered repository is refused and nothing is installed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t4009-dnf-fixture.sh"

dnf_prereqs
T=$(hp_tmpdir t4000)
dnf_fixture "$T"

# Every run of the hotpatch command is logged by a wrapper that then runs
# the real binary.  `apply` of these klp hotpatches is passed through only
# when the client has the command and this kernel can load livepatches
# (the VM tests); otherwise it is only logged, and said so.  The real
# apply path through dnf is t4003 (exec engine).
HP_LOG=$T/hotpatch-calls.log
HAVE_APPLY=0
if ! "$DNF_HOTPATCH" --help 2>&1 | grep -Eq '^ +apply( |$)'; then
	hp_log "hotpatch has no 'apply' command yet: apply calls are logged, not run"
elif [ ! -d /sys/kernel/livepatch ]; then
	hp_log "this kernel cannot load livepatches: klp apply calls are logged, not run"
else
	HAVE_APPLY=1
fi
mkdir -p "$T/bin"
cat >"$T/bin/hotpatch" <<EOF
#!/bin/bash
printf '%s\n' "\$*" >>"$HP_LOG"
if [ "$HAVE_APPLY" = 0 ]; then
	for a; do
		case \$a in apply) echo "hotpatch apply: not run (test log only)"; exit 0 ;; esac
	done
fi
exec "$DNF_HOTPATCH" "\$@"
EOF
chmod 0755 "$T/bin/hotpatch"
sed -i "s|^hotpatch_command=.*|hotpatch_command=$T/bin/hotpatch|" "$DNF_HPCONF"

initial=$(dnf_qa "$DNF_ROOT")

# Output of dnf without what varies from run to run (speeds, times).
normalize() {
	grep -Ev -e '[0-9.]+ +[kMG]?B/s' -e '^Last metadata expiration check' "$1" || true
}

# --- without --hotpatch: dnf as if the plugin were not there --------------
# One metadata cache for both runs, the repo key imported beforehand
# (--assumeno would decline the import).
for mode in --assumeno -y; do
	dnf_copy_root "$DNF_ROOT" "$T/plain"
	dnf_copy_root "$DNF_ROOT" "$T/with"
	export DNF_CACHE=$T/cache-cmp$mode
	dnf_run "$T/plain" -y --disableplugin=hotpatch makecache >/dev/null 2>&1 ||
		hp_fail "dnf makecache failed"
	rc_plain=0 rc_with=0
	dnf_run "$T/plain" --disableplugin=hotpatch upgrade "$mode" >"$T/plain.out" 2>&1 || rc_plain=$?
	: >"$HP_LOG"
	dnf_run "$T/with" upgrade "$mode" >"$T/with.out" 2>&1 || rc_with=$?
	hp_assert_eq "$rc_plain" "$rc_with" "upgrade $mode: exit status with the plugin"
	if ! diff -u <(normalize "$T/plain.out") <(normalize "$T/with.out") >&2; then
		hp_fail "upgrade $mode: output differs with the plugin loaded"
	fi
	hp_assert_eq "$(dnf_qa "$T/plain")" "$(dnf_qa "$T/with")" "upgrade $mode: same transaction"
	hp_assert_eq "" "$(cat "$HP_LOG")" "upgrade $mode: hotpatch command not run without --hotpatch"
	unset DNF_CACHE
done
# The plain upgrade did update the kernel (so the comparison is not vacuous).
hp_assert_contains "$(dnf_qa "$T/with")" '^kernel-core-6\.1\.0-60\.x86_64$'
hp_assert_contains "$(dnf_qa "$T/with")" '^hello-1\.1-1\.x86_64$'
# The plugin is loaded in those runs (its option exists).
hp_assert_exit 0 dnf_run "$T/with" upgrade --help
hp_assert_contains "$HP_OUT" '--hotpatch'

# --- dnf upgrade --hotpatch -y ------------------------------------------------
expected=$(printf '%s\n' hello-1.1-1.x86_64 kernel-core-6.1.0-57.x86_64 \
	kernel-hotpatch-6.1.0-57-2-1.x86_64 openssl-libs-3.0.11-1.x86_64)
dnf_copy_root "$DNF_ROOT" "$T/hp"
: >"$HP_LOG"
hp_assert_exit 0 dnf_run "$T/hp" upgrade --hotpatch -y
out=$(cat "$HP_OUT" "$HP_ERR")
hp_assert_eq "$expected" "$(dnf_qa "$T/hp")" "upgrade --hotpatch: installed set"
hp_assert_contains "$out" '^Held back until baseline 2026Q2: kernel-core-6\.1\.0-60 \('
hp_assert_contains "$out" \
	'^Held back until baseline \(next\): openssl-libs-3\.0\.12-1 \(advisory HP-2026-0002 suggests a reboot\)'
hp_assert_not_contains "$out" 'Held back.*hello'
hp_assert_contains "$out" '^Complete!'
# The hotpatch went through dnf's transaction (history, signature check).
if [ "$DNF_GPGCHECK" = 1 ]; then
	hp_assert_contains "$(hp_rpm_q "$T/hp" -qa)" '^gpg-pubkey-'
	hp_assert_contains "$(hp_rpm_q "$T/hp" -q --qf '%{DSAHEADER:pgpsig} %{RSAHEADER:pgpsig}\n' kernel-hotpatch-6.1.0-57)" 'Key ID'
fi
hp_assert_exit 0 dnf_run "$T/hp" -y history info last
hp_assert_contains "$HP_OUT" 'kernel-hotpatch-6\.1\.0-57-2-1\.x86_64'
hp_assert_contains "$HP_OUT" 'upgrade --hotpatch'
# What the plugin asked the hotpatch command (--updateinfo: the command, not
# the plugin, reads the reboot_suggested advisories held back above).
hp_assert_contains "$HP_LOG" "^--root $T/hp --repo [^ ]+ --gpgkey $DNF_KEY check --json --updateinfo\$"
hp_assert_not_contains "$HP_LOG" 'nogpgcheck'
hp_assert_contains "$HP_LOG" "^--root $T/hp --repo [^ ]+ --gpgkey $DNF_KEY apply --all --timeout 60\$"
[ "$(grep -c '' "$HP_LOG")" = 2 ] || { cat "$HP_LOG" >&2; hp_fail "expected exactly check + apply"; }
# check, apply, in that order
hp_assert_contains "$(sed -n 1p "$HP_LOG")" ' check --json --updateinfo$'
# The installed payload is the v2 (cumulative) one.
[ -f "$T/hp/usr/lib/hotpatch/kernel-core/6.1.0-57/livepatch_cmdline_v2.ko" ] ||
	hp_fail "payload of kernel-hotpatch-6.1.0-57-2 not installed"
if [ "$HAVE_APPLY" = 1 ]; then
	hp_assert_exit 0 "$DNF_HOTPATCH" --root "$T/hp" status --json
	hp_log "status after apply: $(jq -c . "$HP_OUT")"
fi

# --- again: "Nothing to do" still applies installed-but-not-live hotpatches
: >"$HP_LOG"
hp_assert_exit 0 dnf_run "$T/hp" upgrade --hotpatch -y
out=$(cat "$HP_OUT" "$HP_ERR")
hp_assert_contains "$out" '^Nothing to do\.'
hp_assert_contains "$HP_LOG" "^--root $T/hp --repo [^ ]+ --gpgkey $DNF_KEY apply --all --timeout 60\$"
hp_assert_contains "$out" '^Held back until baseline 2026Q2: kernel-core-6\.1\.0-60 \('
hp_assert_eq "$expected" "$(dnf_qa "$T/hp")" "second run changes nothing"

# --- running 6.1.0-60 with 57 still installed: the hotpatch for the running
# build is chosen by the hotpatch command, not by rpm's "newest" ------------
dnf_copy_root "$DNF_ROOT" "$T/k60"
hp_rpm_install "$T/k60" "$DNF_REPO"/kernel-core-6.1.0-60.x86_64.rpm \
	"$DNF_REPO"/kernel-hotpatch-6.1.0-57-1-1.x86_64.rpm
: >"$HP_LOG"
DNF_CACHE=$T/cache-k60 HP_UNAME_R=6.1.0-60-amd64 hp_assert_exit 0 dnf_run "$T/k60" upgrade --hotpatch -y
out=$(cat "$HP_OUT" "$HP_ERR")
hp_assert_contains "$(dnf_qa "$T/k60")" '^kernel-hotpatch-6\.1\.0-60-1-1\.x86_64$'
# The 57 hotpatch (not running) is not upgraded by --hotpatch ...
hp_assert_contains "$(dnf_qa "$T/k60")" '^kernel-hotpatch-6\.1\.0-57-1-1\.x86_64$'
hp_assert_not_contains "$out" 'Held back.*kernel-core'
# ... which plain dnf would have done.
DNF_CACHE=$T/cache-k60 hp_assert_exit 1 dnf_run "$T/k60" --disableplugin=hotpatch upgrade --assumeno
hp_assert_contains "$HP_OUT" 'kernel-hotpatch-6\.1\.0-57 +x86_64 +2-1'

# --- the real apply, where this kernel cannot live-patch: the transaction
# stands, the engine's refusal is reported, dnf exits 1 ----------------------
if "$DNF_HOTPATCH" --help 2>&1 | grep -Eq '^ +apply( |$)' && [ ! -d /sys/kernel/livepatch ]; then
	sed -i "s|^hotpatch_command=.*|hotpatch_command=$DNF_HOTPATCH|" "$DNF_HPCONF"
	dnf_copy_root "$DNF_ROOT" "$T/real"
	hp_assert_exit 1 dnf_run "$T/real" upgrade --hotpatch -y
	out=$(cat "$HP_OUT" "$HP_ERR")
	hp_assert_eq "$expected" "$(dnf_qa "$T/real")" "failed apply: the transaction stands"
	hp_assert_contains "$out" 'kernel-hotpatch-6\.1\.0-57-2-1\.x86_64: FAILED'
	hp_assert_contains "$out" "livepatch"
	hp_assert_contains "$out" '^Error: hotpatch apply --all failed \(exit status 1\)'
	hp_assert_contains "$out" '^Held back until baseline 2026Q2: kernel-core-6\.1\.0-60'
	# Installed, not live: what status says (asked from the engine).
	hp_assert_exit 0 dnf_run "$T/real" -y hotpatch status --json
	sed -n '/^{/,$p' "$HP_OUT" >"$T/status.json"
	hp_log "status after the refused apply: $(jq -c '.installed // .hotpatches // .' "$T/status.json" | head -c 400)"
	hp_assert_not_contains "$(jq -c '.' "$T/status.json")" '"live":true'
	sed -i "s|^hotpatch_command=.*|hotpatch_command=$T/bin/hotpatch|" "$DNF_HPCONF"
else
	hp_log "real apply not exercised here (no apply command, or a livepatch-capable kernel: see the VM tests)"
fi

# --- the timer's service runs the same path ----------------------------------
unit=$HP_SRC_DIR/hooks/systemd/hotpatch-upgrade.service
exec_line=$(sed -n 's/^ExecStart=//p' "$unit")
read -r -a exec_words <<<"$exec_line"
hp_assert_eq /usr/bin/dnf "${exec_words[0]}" "ExecStart runs /usr/bin/dnf"
dnf_copy_root "$DNF_ROOT" "$T/timer"
: >"$HP_LOG"
# dnf_run, with the unit's words instead of its own argv[0] and arguments.
DNF_RUNS=$((DNF_RUNS + 1))
hp_assert_exit 0 "${exec_words[@]}" --installroot "$T/timer" \
	--setopt=pluginpath="$HP_SRC_DIR/plugin/dnf" --setopt=pluginconfpath="$DNF_CONF_DIR" \
	--setopt=reposdir="$DNF_ETC/repos" --setopt=cachedir="$T/cache-timer" \
	--setopt=install_weak_deps=0 --releasever=12 --disablerepo='*' --enablerepo=test \
	-c "$DNF_ETC/dnf.conf"
hp_assert_eq "$expected" "$(dnf_qa "$T/timer")" "timer's ExecStart: installed set"
hp_assert_contains "$(cat "$HP_OUT" "$HP_ERR")" '^Held back until baseline 2026Q2: kernel-core-6\.1\.0-60'
hp_assert_contains "$HP_LOG" "^--root $T/timer --repo [^ ]+ --gpgkey $DNF_KEY apply --all --timeout 60\$"
if command -v systemd-analyze >/dev/null 2>&1; then
	hp_assert_exit 0 systemd-analyze verify "$unit" "$HP_SRC_DIR/hooks/systemd/hotpatch-upgrade.timer"
fi

# --- a tampered repository is refused -----------------------------------------
cp -a "$DNF_REPO" "$T/repo-bad"
# repomd.xml changed after signing: its signature no longer verifies.
echo '<!-- tampered -->' >>"$T/repo-bad/repodata/repomd.xml"
sed -i "s|^baseurl=.*|baseurl=file://$T/repo-bad|" "$DNF_ETC/repos/test.repo"
dnf_copy_root "$DNF_ROOT" "$T/bad"
: >"$HP_LOG"
rc=0
dnf_run "$T/bad" upgrade --hotpatch -y >"$T/bad.out" 2>&1 || rc=$?
[ "$rc" != 0 ] || { cat "$T/bad.out" >&2; hp_fail "tampered repository accepted (exit 0)"; }
hp_assert_contains "$T/bad.out" '[Ss]ignature|GPG|gpg'
hp_assert_eq "$initial" "$(dnf_qa "$T/bad")" "nothing installed from a tampered repository"
hp_assert_not_contains "$HP_LOG" 'apply'
sed -i "s|^baseurl=.*|baseurl=file://$DNF_REPO|" "$DNF_ETC/repos/test.repo"

hp_log "dnf upgrade --hotpatch OK (klp apply in the main runs: $([ "$HAVE_APPLY" = 1 ] && echo real || echo logged only))"
