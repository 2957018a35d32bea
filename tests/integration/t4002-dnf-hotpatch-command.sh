#!/bin/bash
# t4002-dnf-hotpatch-command: `dnf hotpatch status|list|apply|revert` runs
# the hotpatch command on dnf's installroot and repositories; repositories
# without hotpatch metadata (the common case) break nothing, and cost only
# `check --updateinfo` under upgrade --hotpatch (their reboot_suggested
# advisories); a missing hotpatch command fails --hotpatch runs only.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t4009-dnf-fixture.sh"

dnf_prereqs
T=$(hp_tmpdir t4002)
dnf_fixture "$T"
HAVE_APPLY=0
if "$DNF_HOTPATCH" --help 2>&1 | grep -Eq '^ +apply( |$)'; then
	HAVE_APPLY=1
fi

# --- dnf hotpatch list = hotpatch check --------------------------------------
hp_assert_exit 100 dnf_run "$DNF_ROOT" -y hotpatch list --json
sed -n '/^{/,$p' "$HP_OUT" >"$T/list.json"
hp_assert_exit 100 "$DNF_HOTPATCH" --root "$DNF_ROOT" --repo "$DNF_REPO" --gpgkey "$DNF_KEY" check --json
cp "$HP_OUT" "$T/check.json"
hp_assert_eq "$(jq -c '[.available[] | del(.repo)]' "$T/check.json")" "$(jq -c '[.available[] | del(.repo)]' "$T/list.json")" \
	"dnf hotpatch list --json = hotpatch check --json (available)"
hp_assert_eq "$(jq -c '[.held_back[] | del(.repo)]' "$T/check.json")" "$(jq -c '[.held_back[] | del(.repo)]' "$T/list.json")" \
	"dnf hotpatch list --json = hotpatch check --json (held_back)"
hp_assert_eq '["kernel-hotpatch-6.1.0-57 2-1"]' \
	"$(jq -c '[.available[] | .package + " " + .evr]' "$T/list.json")" "the newest hotpatch of the running build"
# Human output too.
hp_assert_exit 100 dnf_run "$DNF_ROOT" -y hotpatch list
hp_assert_contains "$HP_OUT" 'kernel-hotpatch-6\.1\.0-57'

# --- dnf hotpatch status ------------------------------------------------------------
hp_assert_exit 0 dnf_run "$DNF_ROOT" -y hotpatch status --json
sed -n '/^{/,$p' "$HP_OUT" | jq -e . >/dev/null || hp_fail "dnf hotpatch status --json is not JSON"
hp_assert_exit 0 dnf_run "$DNF_ROOT" -y hotpatch status

# --- apply / revert (when the client has them) --------------------------------------
if [ "$HAVE_APPLY" = 1 ]; then
	dnf_copy_root "$DNF_ROOT" "$T/ap"
	hp_assert_exit 0 dnf_run "$T/ap" install -y kernel-hotpatch-6.1.0-57-2-1.x86_64
	rc=0
	dnf_run "$T/ap" -y hotpatch apply --all >"$T/apply.out" 2>&1 || rc=$?
	hp_log "dnf hotpatch apply --all: exit $rc: $(tail -n 3 "$T/apply.out" | tr '\n' ' ')"
	hp_assert_exit "$rc" "$DNF_HOTPATCH" --root "$T/ap" apply --all
	hp_log "(same exit status as hotpatch apply --all)"
	rc=0
	dnf_run "$T/ap" -y hotpatch revert --all >"$T/revert.out" 2>&1 || rc=$?
	hp_log "dnf hotpatch revert --all: exit $rc: $(tail -n 2 "$T/revert.out" | tr '\n' ' ')"
	hp_assert_exit "$rc" "$DNF_HOTPATCH" --root "$T/ap" revert --all
	# --all reaches the command (not read as dnf's --allowerasing).
	hp_assert_not_contains "$T/revert.out" "needs package names"
else
	hp_log "hotpatch has no 'apply' command yet: dnf hotpatch apply/revert not tested"
fi
# Unknown subcommand: dnf's usage error.
hp_assert_exit 2 dnf_run "$DNF_ROOT" -y hotpatch frobnicate

# --- a repository without hotpatch metadata ------------------------------------------
plain=$T/plain-repo
mkdir -p "$plain"
cp "$DNF_REPO"/*.rpm "$plain/"
hp_make_repo "$plain"
hp_add_updateinfo "$plain" "$T/updateinfo.xml"
hp_gpg_sign "$DNF_GNUPG" "$plain/repodata/repomd.xml"
sed -i "s|^baseurl=.*|baseurl=file://$plain|" "$DNF_ETC/repos/test.repo"
# The hotpatch command runs only to read the updateinfo (check --updateinfo:
# the reboot_suggested advisory below comes from it): point the plugin at a logger.
cat >"$T/hotpatch-log" <<EOF
#!/bin/bash
printf '%s\n' "\$*" >>"$T/calls.log"
for a; do case \$a in apply) exit 0 ;; esac; done
exec "$DNF_HOTPATCH" "\$@"
EOF
chmod 0755 "$T/hotpatch-log"
sed -i "s|^hotpatch_command=.*|hotpatch_command=$T/hotpatch-log|" "$DNF_HPCONF"
: >"$T/calls.log"
dnf_copy_root "$DNF_ROOT" "$T/np"
hp_assert_exit 0 dnf_run "$T/np" upgrade --hotpatch -y
out=$(cat "$HP_OUT" "$HP_ERR")
hp_assert_eq "$(printf '%s\n' hello-1.1-1.x86_64 kernel-core-6.1.0-57.x86_64 openssl-libs-3.0.11-1.x86_64)" \
	"$(dnf_qa "$T/np")" "no hotpatch metadata: reboot-requiring updates still held"
hp_assert_contains "$out" \
	"^Held back until baseline \(next\): kernel-core-6\.1\.0-60 \(needs a reboot: 'kernel-core' in reboot_requiring\)"
hp_assert_contains "$out" \
	'^Held back until baseline \(next\): openssl-libs-3\.0\.12-1 \(advisory HP-2026-0002 suggests a reboot\)'
hp_assert_contains "$T/calls.log" "^--root $T/np --repo [^ ]+ --gpgkey $DNF_KEY check --json --updateinfo\$"
[ "$(grep -c ' check ' "$T/calls.log")" = 1 ] || { cat "$T/calls.log" >&2; hp_fail "expected one check"; }
hp_assert_contains "$T/calls.log" "^--root $T/np apply --all --timeout 60\$"
hp_assert_exit 0 dnf_run "$T/np" -y hotpatch list
hp_assert_contains "$(cat "$HP_OUT" "$HP_ERR")" 'No enabled repository has hotpatch metadata'

# Plain dnf on it is not slowed down by the plugin (loaded, not used).
t0=$(date +%s%N)
dnf_run "$T/np" -y --disableplugin=hotpatch check-update >/dev/null 2>&1 || true
t1=$(date +%s%N)
dnf_run "$T/np" -y check-update >/dev/null 2>&1 || true
t2=$(date +%s%N)
without=$(((t1 - t0) / 1000000)) with=$(((t2 - t1) / 1000000))
hp_log "dnf check-update: ${without} ms without the plugin, ${with} ms with it"
[ "$with" -lt $((without * 2 + 1000)) ] || hp_fail "plugin slows plain dnf down: $with ms vs $without ms"

# --- a missing hotpatch command -----------------------------------------------------
sed -i "s|^hotpatch_command=.*|hotpatch_command=$T/no-such-hotpatch|" "$DNF_HPCONF"
sed -i "s|^baseurl=.*|baseurl=file://$DNF_REPO|" "$DNF_ETC/repos/test.repo"
dnf_copy_root "$DNF_ROOT" "$T/nc"
hp_assert_exit 1 dnf_run "$T/nc" upgrade --hotpatch -y
hp_assert_contains "$(cat "$HP_OUT" "$HP_ERR")" "cannot run '$T/no-such-hotpatch'"
hp_assert_eq "$(dnf_qa "$DNF_ROOT")" "$(dnf_qa "$T/nc")" "missing command: nothing installed"
hp_assert_exit 0 dnf_run "$T/nc" upgrade -y
hp_assert_contains "$(dnf_qa "$T/nc")" '^hello-1\.1-1\.x86_64$'

hp_log "dnf hotpatch command OK"
