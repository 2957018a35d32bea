#!/bin/bash
# t4602-dnf-installroot (issue 9): only the running system is live-patched.
#  - `hotpatch --root DIR apply|revert|reapply` with DIR other than / refuses
#    (exit 1, one line, live state and DIR unchanged) unless HP_ROOT_IS_LIVE=1;
#    with it, apply and revert act (the exec engine's state says so).
#  - `dnf --installroot IMG upgrade --hotpatch -y` (an image build) installs
#    the hotpatch packages, says they go live when that system runs, never
#    calls an engine (no `hotpatch apply`, live state unchanged), exit 0.
#  - `dnf --installroot IMG hotpatch apply` is refused by the command (exit 1).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t4009-dnf-fixture.sh"

dnf_prereqs
unset HP_ROOT_IS_LIVE    # the rule under test: an installroot is an image
T=$(hp_tmpdir t4602)
dnf_fixture "$T"
state=$T/live
hp_exec_engine "$DNF_ROOT" "$state"
ssl=$(hp_exec_hotpatch_rpm "$T/local" hp-ssl openssl-libs 3.0.11-1)
hp_rpm_install "$DNF_ROOT" "$ssl"

# --- the hotpatch command ------------------------------------------------------
R=$T/img
dnf_copy_root "$DNF_ROOT" "$R"
H=("$DNF_HOTPATCH" --root "$R")
for c in "apply --all" "apply hp-ssl" "revert --all" reapply; do
	# (reading the rpmdb rewrites sqlite's shared-memory index only)
	sum=$(hp_tree_hash "$R" '*.sqlite-shm')
	# shellcheck disable=SC2086
	hp_assert_exit 1 "${H[@]}" $c
	hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "$c: one error line"
	hp_assert_contains "$HP_ERR" "^hotpatch: error: ${c%% *}: --root $R is not the running system: its hotpatches go live when it runs"
	hp_assert_contains "$HP_ERR" 'HP_ROOT_IS_LIVE=1'
	hp_assert_eq "" "$(cat "$state")" "$c: nothing made live"
	hp_assert_eq "$sum" "$(hp_tree_hash "$R" '*.sqlite-shm')" "$c: the root unchanged"
done
# status and needs-reboot only read: allowed
hp_assert_exit 0 "${H[@]}" status
hp_assert_exit 0 "${H[@]}" needs-reboot
# the hook: the root stands for the live system
HP_ROOT_IS_LIVE=1 hp_assert_exit 0 "${H[@]}" apply --all
hp_assert_eq "hp-ssl-1-1.x86_64" "$(cat "$state")" "HP_ROOT_IS_LIVE=1: applied"
HP_ROOT_IS_LIVE=1 hp_assert_exit 0 "${H[@]}" revert --all
hp_assert_eq "" "$(cat "$state")" "HP_ROOT_IS_LIVE=1: reverted"
# --root / is the running system: no hook needed (nothing installed there to apply)
hp_log "hotpatch --root: refused without HP_ROOT_IS_LIVE=1, acts with it"

# --- dnf --installroot: installs, never calls an engine ------------------------
LOG=$T/calls.log
cat >"$T/hotpatch-log" <<EOS
#!/bin/bash
printf '%s\n' "\$*" >>"$LOG"
exec "$DNF_HOTPATCH" "\$@"
EOS
chmod 0755 "$T/hotpatch-log"
sed -i "s|^hotpatch_command=.*|hotpatch_command=$T/hotpatch-log|" "$DNF_HPCONF"
dnf_copy_root "$DNF_ROOT" "$T/i"
: >"$LOG"
hp_assert_exit 0 dnf_run "$T/i" upgrade --hotpatch -y
cat "$HP_OUT" "$HP_ERR" >"$T/out"
hp_assert_eq "$(printf '%s\n' hello-1.1-1.x86_64 hp-ssl-1-1.x86_64 kernel-core-6.1.0-57.x86_64 \
	kernel-hotpatch-6.1.0-57-2-1.x86_64 openssl-libs-3.0.11-1.x86_64)" "$(dnf_qa "$T/i")" \
	"installroot: hotpatch installed, holds as on the running system"
hp_assert_contains "$T/out" "^hotpatch: installed into $T/i only; live when that system runs: kernel-hotpatch-6\\.1\\.0-57-2-1\\.x86_64\$"
hp_assert_contains "$T/out" "^hotpatch: $T/i is not the running system: its hotpatches go live when it runs \\(hotpatch reapply at its boot\\); no engine is called\$"
hp_assert_contains "$T/out" '^Held back until baseline 2026Q2: kernel-core-6\.1\.0-60'
hp_assert_not_contains "$LOG" 'apply'
hp_assert_eq "" "$(cat "$state")" "installroot: nothing made live"
# a second run ("Nothing to do") does not apply either
hp_assert_exit 0 dnf_run "$T/i" upgrade --hotpatch -y
hp_assert_contains "$HP_OUT" '^Nothing to do'
hp_assert_not_contains "$LOG" 'apply'
hp_assert_eq "" "$(cat "$state")" "installroot, Nothing to do: nothing made live"
# dnf hotpatch apply on the image: the command refuses
hp_assert_exit 1 dnf_run "$T/i" -y hotpatch apply --all
hp_assert_contains "$(cat "$HP_OUT" "$HP_ERR")" 'is not the running system'
hp_assert_eq "" "$(cat "$state")" "dnf hotpatch apply on an image: nothing made live"
hp_log "dnf --installroot: installed, no engine called, exit 0"
