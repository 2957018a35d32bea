#!/bin/bash
# t4600-dnf-dry-runs (issues 9 and 17): dnf does only what the admin asked.
#  - Dry runs stay dry: `dnf upgrade --hotpatch --assumeno` (exit 1, "Operation
#    aborted."), a declined prompt (exit 1), --downloadonly -y (exit 0),
#    --setopt=tsflags=test -y (exit 0), and --assumeno on "Nothing to do"
#    (exit 0) leave the rpmdb and the engine's live state as they were, never
#    run `hotpatch apply`, print the holds with reason and baseline before the
#    prompt, and say what a real run would make live.
#  - dnf's selection rules win: a hotpatch excluded with --exclude, with
#    excludepkgs= in the repo file or by dnf-plugins-core's versionlock
#    plugin is skipped with a note, the rest of the
#    upgrade runs (hello 1.1, the exec hotpatch made live), exit 0.
# Live state: the real exec engine (hp_exec_engine) keeps it in a file; an
# installed-but-not-live exec hotpatch for the running openssl-libs is what a
# real run makes live.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t4009-dnf-fixture.sh"

dnf_prereqs
T=$(hp_tmpdir t4600)
dnf_fixture "$T"
state=$T/live
hp_exec_engine "$DNF_ROOT" "$state"
ssl=$(hp_exec_hotpatch_rpm "$T/local" hp-ssl openssl-libs 3.0.11-1)
hp_rpm_install "$DNF_ROOT" "$ssl"

# Every hotpatch call is logged, then run for real.
LOG=$T/calls.log
cat >"$T/hotpatch-log" <<EOS
#!/bin/bash
printf '%s\n' "\$*" >>"$LOG"
exec "$DNF_HOTPATCH" "\$@"
EOS
chmod 0755 "$T/hotpatch-log"
sed -i "s|^hotpatch_command=.*|hotpatch_command=$T/hotpatch-log|" "$DNF_HPCONF"

# One metadata cache with the repo key imported (--assumeno would decline it).
export DNF_CACHE=$T/cache
dnf_run "$DNF_ROOT" -y makecache >/dev/null 2>&1 || hp_fail "dnf makecache failed"
initial=$(dnf_qa "$DNF_ROOT")

holds() {
	hp_assert_contains "$1" '^Held back until baseline 2026Q2: kernel-core-6\.1\.0-60 \(needs a reboot \(baseline component\)\)'
	hp_assert_contains "$1" '^Held back until baseline \(next\): openssl-libs-3\.0\.12-1 \(advisory HP-2026-0002 suggests a reboot\)'
}
# dry NAME ROOT: rpmdb as before, nothing live, no apply, holds printed
# before dnf's summary/prompt.
dry() {
	local name=$1 root=$2 out=$3 want=$4
	hp_assert_eq "$want" "$(dnf_qa "$root")" "$name: rpmdb unchanged"
	hp_assert_eq "" "$(cat "$state")" "$name: nothing made live"
	hp_assert_not_contains "$LOG" ' apply '
	holds "$out"
	# the holds come before dnf's transaction summary (and so the prompt)
	local held summary
	held=$(grep -n '^Held back until baseline 2026Q2' "$out" | head -n 1 | cut -d: -f1)
	summary=$(grep -nE '^(Transaction Summary|Nothing to do)' "$out" | head -n 1 | cut -d: -f1)
	[ -n "$held" ] && [ -n "$summary" ] && [ "$held" -lt "$summary" ] ||
		hp_fail "$name: holds not printed before the transaction summary"
}

# --- --assumeno with a transaction: exit 1, nothing changes ------------------
dnf_copy_root "$DNF_ROOT" "$T/r"
: >"$LOG"
hp_assert_exit 1 dnf_run "$T/r" upgrade --hotpatch --assumeno
cat "$HP_OUT" "$HP_ERR" >"$T/out"
hp_assert_contains "$T/out" 'Operation aborted'
hp_assert_contains "$T/out" '^hotpatch: to be made live after the transaction: kernel-hotpatch-6\.1\.0-57-2-1\.x86_64'
dry "--assumeno" "$T/r" "$T/out" "$initial"
hp_log "--assumeno: exit 1, rpmdb and live state unchanged, holds and plan printed"

# --- a declined prompt --------------------------------------------------------
dnf_copy_root "$DNF_ROOT" "$T/r"
: >"$LOG"
hp_assert_exit 1 dnf_run "$T/r" upgrade --hotpatch <<<n
cat "$HP_OUT" "$HP_ERR" >"$T/out"
hp_assert_contains "$T/out" 'Is this ok \[y/N\]'
hp_assert_contains "$T/out" 'Operation aborted'
dry "declined prompt" "$T/r" "$T/out" "$initial"
hp_log "declined prompt: exit 1, rpmdb and live state unchanged"

# --- --downloadonly -y and tsflags=test -y: exit 0, nothing made live --------
for mode in --downloadonly --setopt=tsflags=test; do
	dnf_copy_root "$DNF_ROOT" "$T/r"
	: >"$LOG"
	hp_assert_exit 0 dnf_run "$T/r" upgrade --hotpatch -y "$mode"
	cat "$HP_OUT" "$HP_ERR" >"$T/out"
	word=${mode#--setopt=}
	hp_assert_contains "$T/out" "^hotpatch: $word: nothing is made live \(dry run\); a real run makes live: hp-ssl-1-1\.x86_64, kernel-hotpatch-6\.1\.0-57-2-1\.x86_64\$"
	dry "$mode" "$T/r" "$T/out" "$initial"
	hp_log "$mode: exit 0, rpmdb and live state unchanged, plan printed"
done

# --- excluded hotpatch: skipped with a note, the rest runs, exit 0 -----------
# versionlock: dnf-plugins-core's real plugin (Debian package dnf-plugins-core)
# loaded beside ours, locking kernel-hotpatch-6.1.0-57 to version 1.
VL=/usr/lib/python3/dist-packages/dnf-plugins/versionlock.py
hows="cmdline repofile"
if [ -f "$VL" ]; then
	hows="$hows versionlock"
	printf '[main]\nenabled = 1\nlocklist = %s\n' "$T/versionlock.list" >"$DNF_CONF_DIR/versionlock.conf"
	echo 'kernel-hotpatch-6.1.0-57-0:1-1.*' >"$T/versionlock.list"
else
	hp_log "no dnf-plugins-core here: the versionlock case is not tested"
fi
for how in $hows; do
	dnf_copy_root "$DNF_ROOT" "$T/x"
	: >"$state"
	: >"$LOG"
	if [ $how = cmdline ]; then
		hp_assert_exit 0 dnf_run "$T/x" upgrade --hotpatch -y --exclude='kernel-hotpatch*'
	elif [ $how = versionlock ]; then
		hp_assert_exit 0 dnf_run "$T/x" upgrade --hotpatch -y \
			--setopt=pluginpath="$HP_SRC_DIR/plugin/dnf,$(dirname "$VL")"
	else
		cp "$DNF_ETC/repos/test.repo" "$T/test.repo.orig"
		echo 'excludepkgs=kernel-hotpatch*' >>"$DNF_ETC/repos/test.repo"
		hp_assert_exit 0 dnf_run "$T/x" upgrade --hotpatch -y
		cp "$T/test.repo.orig" "$DNF_ETC/repos/test.repo"
	fi
	cat "$HP_OUT" "$HP_ERR" >"$T/out"
	hp_assert_contains "$T/out" '^hotpatch: kernel-hotpatch-6\.1\.0-57-2-1\.x86_64 is excluded \(--exclude, excludepkgs or versionlock\): skipped$'
	hp_assert_eq "$(printf '%s\n' hello-1.1-1.x86_64 hp-ssl-1-1.x86_64 kernel-core-6.1.0-57.x86_64 openssl-libs-3.0.11-1.x86_64)" \
		"$(dnf_qa "$T/x")" "excluded ($how): the rest of the upgrade ran"
	hp_assert_eq "hp-ssl-1-1.x86_64" "$(cat "$state")" "excluded ($how): the installed hotpatch made live"
	hp_assert_contains "$LOG" ' apply --all --timeout 60$'
	holds "$T/out"
	hp_log "excluded by $how: note, rest of the upgrade, exit 0"
done

# --- "Nothing to do" with --assumeno: exit 0, nothing made live ---------------
# Everything the repo offers for this machine is installed; hp-ssl is not live.
dnf_copy_root "$DNF_ROOT" "$T/n"
hp_rpm_q "$T/n" -e --nodeps --noscripts hello 2>/dev/null
hp_rpm_install "$T/n" "$DNF_REPO"/kernel-hotpatch-6.1.0-57-2-1.x86_64.rpm "$DNF_REPO"/hello-1.1-1.x86_64.rpm
before=$(dnf_qa "$T/n")
: >"$state"
: >"$LOG"
hp_assert_exit 0 dnf_run "$T/n" upgrade --hotpatch --assumeno
cat "$HP_OUT" "$HP_ERR" >"$T/out"
hp_assert_contains "$T/out" '^Nothing to do\.'
hp_assert_contains "$T/out" '^hotpatch: --assumeno: nothing is made live \(dry run\); a real run makes live: hp-ssl-1-1\.x86_64, kernel-hotpatch-6\.1\.0-57-2-1\.x86_64$'
dry "Nothing to do --assumeno" "$T/n" "$T/out" "$before"
# The same without --assumeno is a real run: it makes hp-ssl live (the klp
# hotpatch is refused by this kernel, which has no livepatch: exit 1, said).
hp_assert_exit 1 dnf_run "$T/n" upgrade --hotpatch -y --exclude='kernel-hotpatch*'
hp_assert_eq "hp-ssl-1-1.x86_64" "$(cat "$state")" "Nothing to do -y: hp-ssl made live"
hp_log "Nothing to do: --assumeno changes nothing, -y applies"
