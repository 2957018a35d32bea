#!/bin/bash
# hotpatch-repo-refresh@.service/.timer (issue 10): both pass
# `systemd-analyze verify` for an instance named by `systemd-escape --path`,
# the timer is daily with a random delay, and the service's ExecStart, with
# %f expanded by systemd's own rule (unescaped instance) and the variables of
# /etc/hotpatch/repo-refresh.conf, re-publishes the repository (new revision,
# later expiry).  No systemd runs here as PID 1, so the command line is
# expanded from the unit file, not started by systemctl.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd systemd-analyze systemd-escape rpmbuild createrepo_c gpg jq
HR=$(hp_bin hotpatch-repo)
units=$HP_SRC_DIR/hooks/systemd
T=$(hp_tmpdir t1103)
root=$T/root
mkdir -p "$root/usr/bin" "$root/etc/systemd/system" "$root/usr/lib/systemd" "$T/man/man8"
cp -a /lib/systemd/system "$root/usr/lib/systemd/system"
cp "$HR" "$root/usr/bin/hotpatch-repo"
cp "$units"/hotpatch-repo-refresh@.* "$root/etc/systemd/system/"
cp "$HP_SRC_DIR"/packaging/man/*.8 "$T/man/man8/"
export MANPATH=$T/man

repo=$(hp_tmpdir 'srv repo')
inst=$(systemd-escape --path "$repo")
for u in service timer; do
	hp_assert_exit 0 systemd-analyze --root="$root" verify "/etc/systemd/system/hotpatch-repo-refresh@$inst.$u"
	hp_assert_not_contains "$HP_ERR" "hotpatch-repo-refresh"
done
hp_assert_contains "$units/hotpatch-repo-refresh@.timer" '^OnCalendar=daily$'
hp_assert_contains "$units/hotpatch-repo-refresh@.timer" '^RandomizedDelaySec='
hp_assert_contains "$HP_SRC_DIR/CMakeLists.txt" 'hotpatch-repo-refresh@.service hooks/systemd/hotpatch-repo-refresh@.timer'

# --- the ExecStart line, expanded as systemd does, re-publishes
klp=$(hp_klp_build)
hp_build_rpm kernel-core "$repo" >/dev/null
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v1.ko" >/dev/null
hp_make_repo "$repo"
"$HR" baseline add "$repo" --id B1 --kind planned --issued 2026-07-01 --build kernel-core=6.1.0-57 >/dev/null
gpghome=$T/gnupg
fpr=$(hp_gpg_init "$gpghome")
"$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" --expires-days 2 >/dev/null
conf=$T/repo-refresh.conf
echo "HOTPATCH_REPO_PUBLISH_ARGS=\"--sign-key $fpr --gnupg-home $gpghome\"" >"$conf"
exec_start=$(sed -n 's/^ExecStart=//p' "$units/hotpatch-repo-refresh@.service")
f=$(systemd-escape --path --unescape "$inst")
hp_assert_eq "$repo" "$f" "%f of the instance is the repository path"
# shellcheck disable=SC1090
. "$conf"
cmd=${exec_start//%f/\"$f\"}
cmd=${cmd//\/usr\/bin\/hotpatch-repo/\"$HR\"}
cmd=${cmd//\$HOTPATCH_REPO_PUBLISH_ARGS/$HOTPATCH_REPO_PUBLISH_ARGS}
hp_assert_exit 0 eval "$cmd"
hp_assert_contains "$HP_OUT" "revision 2: .* signed by $fpr"
hp_assert_exit 0 "$HR" verify "$repo" --gnupg-home "$gpghome" --min-days 7
echo "t1103-repo-refresh-units: ok"
