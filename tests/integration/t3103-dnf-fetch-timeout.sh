#!/bin/bash
# Issue 11, finding 3 through dnf: hotpatch.conf's fetch_timeout reaches the
# hotpatch command as --fetch-timeout (real dnf, the plugin from the tree, a
# logging wrapper around the real command); the default (300, the command's
# own) adds nothing; a value that is not a positive number is dnf's config
# error, with one message naming the key.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t4009-dnf-fixture.sh"

dnf_prereqs
T=$(hp_tmpdir t3103)
dnf_fixture "$T"
cat >"$T/hotpatch-log" <<WRAPPER
#!/bin/bash
printf '%s\n' "\$*" >>"$T/calls.log"
exec "$DNF_HOTPATCH" "\$@"
WRAPPER
chmod 0755 "$T/hotpatch-log"
sed -i "s|^hotpatch_command=.*|hotpatch_command=$T/hotpatch-log|" "$DNF_HPCONF"

: >"$T/calls.log"
hp_assert_exit 100 dnf_run "$DNF_ROOT" -y hotpatch list
hp_assert_not_contains "$T/calls.log" "fetch-timeout"

echo "fetch_timeout = 7" >>"$DNF_HPCONF"
: >"$T/calls.log"
hp_assert_exit 100 dnf_run "$DNF_ROOT" -y hotpatch list
hp_assert_contains "$T/calls.log" "^--fetch-timeout 7 --root $DNF_ROOT .* check"

sed -i 's/^fetch_timeout = 7$/fetch_timeout = soon/' "$DNF_HPCONF"
rc=0
dnf_run "$DNF_ROOT" -y hotpatch list >"$T/bad.out" 2>&1 || rc=$?
[ "$rc" != 0 ] || hp_fail "fetch_timeout = soon accepted"
hp_assert_contains "$T/bad.out" "fetch_timeout must be a positive number of seconds, not 'soon'"
echo "t3103-dnf-fetch-timeout: ok"
