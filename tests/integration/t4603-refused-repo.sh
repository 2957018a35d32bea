#!/bin/bash
# t4603-refused-repo (issue 9): a refused hotpatch repository costs only its
# hotpatches, and status is right offline.
#  - hotpatch check/status over a good repo and an expired one: exit 1, the
#    good repo's answer printed (--json: the full object plus
#    "repos":[{"id","url","error"}]), exactly one stderr line naming the
#    refused repo and why; the rootfs state unchanged by the refusal.
#  - dnf upgrade --hotpatch -y with the fixture repo (hotpatches, hello 1.1)
#    and a second, expired hotpatch repo: the good repo's hotpatch and hello
#    are installed, kernel-core is still held, the exec hotpatch is made
#    live, and at the end dnf exits 1 with one line for the refused repo.
#  - a hotpatch repo that dnf skips as unavailable (skip_if_unavailable=1;
#    its cache holds hotpatch metadata from an earlier --hotpatch run): the
#    rest of the upgrade runs, one final line for it, exit 1.
#  - the only hotpatch repo expired: hello 1.1 is still installed, kernel-core
#    still held (reboot_requiring), no hotpatch installed, exit 1.
#  - offline (no repository at all): status/--json status name the running
#    builds (kernel by its /lib/modules/<uname -r>/, openssl-libs by the
#    installed hotpatch's provide), the engine from hotpatch-engine(), live
#    state from the engine; needs-reboot answers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t4009-dnf-fixture.sh"

dnf_prereqs
T=$(hp_tmpdir t4603)
dnf_fixture "$T"
state=$T/live
hp_exec_engine "$DNF_ROOT" "$state"
ssl=$(hp_exec_hotpatch_rpm "$T/local" hp-ssl openssl-libs 3.0.11-1)
hp_rpm_install "$DNF_ROOT" "$ssl"
# A second hotpatch repository, published to expire after one day.
S=$T/stale
cp -a "$DNF_REPO" "$S"
fpr=$(gpg --homedir "$DNF_GNUPG" --list-secret-keys --with-colons | awk -F: '/^fpr/ {print $10; exit}')
"$(hp_bin hotpatch-repo)" publish "$S" --sign-key "$fpr" --gnupg-home "$DNF_GNUPG" --expires-days 1 \
	>"$T/publish.log" 2>&1 || { cat "$T/publish.log" >&2; hp_fail "publish of the stale repo failed"; }
# five days from now: the stale repo has expired, the fixture's (30 days) has not
export HP_NOW=$(($(date +%s) + 5 * 86400))

# --- the hotpatch command: every repo read, the refused one reported --------
R=$T/c
dnf_copy_root "$DNF_ROOT" "$R"
H=("$DNF_HOTPATCH" --root "$R" --gpgkey "$DNF_KEY" --repo "$DNF_REPO" --repo "$S")
hp_assert_exit 1 "${H[@]}" --json check
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "check: one stderr line"
hp_assert_contains "$HP_ERR" "^hotpatch: error: repository '$S' refused: .*expire"
hp_assert_eq "kernel-hotpatch-6.1.0-57" "$(jq -r '.available[0].package' "$HP_OUT")" "check: the good repo answered"
hp_assert_eq "$(jq -r '.repos[0].id' "$HP_OUT")|$DNF_REPO|null" \
	"$(jq -r '.repos[0] | "\(.id)|\(.url)|\(.error)"' "$HP_OUT")" "check: good repo entry"
hp_assert_eq "$S|$S" "$(jq -r '.repos[1] | "\(.id)|\(.url)"' "$HP_OUT")" "check: refused repo entry"
hp_assert_contains "$(jq -r '.repos[1].error' "$HP_OUT")" 'expire'
hp_assert_exit 1 "${H[@]}" check
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "text check: one stderr line"
hp_assert_contains "$HP_OUT" 'kernel-hotpatch-6\.1\.0-57'
hp_assert_exit 1 "${H[@]}" --json status
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "status: one stderr line"
hp_assert_eq "null" "$(jq -c '.repos[0].error' "$HP_OUT")" "status: good repo verified"
hp_assert_contains "$(jq -r '.repos[1].error' "$HP_OUT")" 'expire'
hp_assert_eq "2026Q1" "$(jq -r '.baseline.id' "$HP_OUT")" "status: baseline from the good repo"
# only the refused repo: nothing verified to answer for (check), exit 1; with
# --json stdout holds only the error object (CLI convention, issue 13)
hp_assert_exit 1 "$DNF_HOTPATCH" --root "$R" --gpgkey "$DNF_KEY" --repo "$S" check --json
hp_assert_eq "1" "$(jq -r '.exit' "$HP_OUT")" "check, every repo refused: the error object's exit"
hp_assert_contains "$(jq -r '.error' "$HP_OUT")" "^repository '$S' refused: .*expire"
hp_assert_eq "null" "$(jq -c '.available' "$HP_OUT")" "check, every repo refused: no answer on stdout"
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "check, every repo refused: one line"
hp_log "check/status: per-repo results, exit 1, one line per refused repo"

# --- dnf: the stale repo costs only its hotpatches ---------------------------
LOG=$T/calls.log
cat >"$T/hotpatch-log" <<EOS
#!/bin/bash
printf '%s\n' "\$*" >>"$LOG"
# klp apply is refused by this kernel (no livepatch): logged, not run
for a; do case \$a in apply) echo "apply: not run (test log only)"; exit 0 ;; esac; done
exec "$DNF_HOTPATCH" "\$@"
EOS
chmod 0755 "$T/hotpatch-log"
sed -i "s|^hotpatch_command=.*|hotpatch_command=$T/hotpatch-log|" "$DNF_HPCONF"
cat >"$DNF_ETC/repos/stale.repo" <<EOS
[stale]
name=stale hotpatch repository
baseurl=file://$S
enabled=1
gpgcheck=0
repo_gpgcheck=1
gpgkey=file://$DNF_KEY
EOS
dnf_copy_root "$DNF_ROOT" "$T/d"
: >"$LOG"
: >"$state"
hp_assert_exit 1 dnf_run "$T/d" --enablerepo=stale upgrade --hotpatch -y
cat "$HP_OUT" "$HP_ERR" >"$T/out"
hp_assert_contains "$T/out" '^hotpatch: repository stale: hotpatch metadata refused \(.*expire.*\); its hotpatches are skipped, the rest of the upgrade runs$'
[ "$(grep -c '^hotpatch: repository stale refused: .*expire' "$T/out")" = 1 ] ||
	hp_fail "expected one final line for the refused repo"
hp_assert_contains "$T/out" '^Error: hotpatch: 1 hotpatch repository was refused; its hotpatches were not installed$'
hp_assert_contains "$(dnf_qa "$T/d")" '^hello-1\.1-1\.x86_64$'
hp_assert_contains "$(dnf_qa "$T/d")" '^kernel-hotpatch-6\.1\.0-57-2-1\.x86_64$'
hp_assert_not_contains "$(dnf_qa "$T/d")" '^kernel-core-6\.1\.0-60'
hp_assert_contains "$T/out" '^Held back until baseline 2026Q2: kernel-core-6\.1\.0-60'
# apply ran with the verified repo only
hp_assert_contains "$LOG" "--repo [^ ]+ --gpgkey $DNF_KEY apply --all"
[ "$(grep -c -- '--repo' <(grep ' apply ' "$LOG"))" = 1 ] && [ "$(grep ' apply ' "$LOG" | grep -o -- '--repo' | wc -l)" = 1 ] ||
	hp_fail "apply was given the refused repo"
hp_log "dnf: good repo's hotpatch installed, stale repo reported at the end, exit 1"

# --- unreachable, skipped by dnf (skip_if_unavailable=1): a hotpatch repo
# (its last download had hotpatch metadata) is reported like a refused one
rm -f "$DNF_ETC/repos/stale.repo"
cp -a "$DNF_REPO" "$T/hp2"
cat >"$DNF_ETC/repos/hp2.repo" <<EOS
[hp2]
name=second hotpatch repository
baseurl=file://$T/hp2
enabled=1
gpgcheck=0
repo_gpgcheck=1
gpgkey=file://$DNF_KEY
skip_if_unavailable=1
metadata_expire=0
EOS
dnf_copy_root "$DNF_ROOT" "$T/u"
# an earlier --hotpatch run downloaded hp2's hotpatch metadata (dry run)
DNF_CACHE=$T/cache-u dnf_run "$T/u" --enablerepo=hp2 -y makecache >/dev/null 2>&1 ||
	hp_fail "makecache with hp2 failed"
DNF_CACHE=$T/cache-u hp_assert_exit 1 dnf_run "$T/u" --enablerepo=hp2 upgrade --hotpatch --assumeno
mv "$T/hp2" "$T/hp2.gone"
# dnf compares the cache's age with metadata_expire in whole seconds: a cache
# written in the same second is still fresh even at metadata_expire=0, and dnf
# would not look at the (gone) repository at all.
sleep 1.1
: >"$LOG"
DNF_CACHE=$T/cache-u hp_assert_exit 1 dnf_run "$T/u" --enablerepo=hp2 upgrade --hotpatch -y
cat "$HP_OUT" "$HP_ERR" >"$T/out"
hp_assert_contains "$T/out" 'Ignoring repositories: hp2'
[ "$(grep -c '^hotpatch: repository hp2 refused: unavailable (skipped by skip_if_unavailable)$' "$T/out")" = 1 ] ||
	hp_fail "expected one final line for the unavailable hotpatch repo"
hp_assert_contains "$(dnf_qa "$T/u")" '^hello-1\.1-1\.x86_64$'
hp_assert_contains "$(dnf_qa "$T/u")" '^kernel-hotpatch-6\.1\.0-57-2-1\.x86_64$'
hp_assert_contains "$LOG" ' apply --all'
rm -f "$DNF_ETC/repos/hp2.repo"
hp_log "unavailable hotpatch repo skipped by dnf: the rest ran, reported at the end, exit 1"

# --- the only hotpatch repo refused: everything that needs no reboot still comes
sed -i "s|^hotpatch_command=.*|hotpatch_command=$DNF_HOTPATCH|" "$DNF_HPCONF"
dnf_copy_root "$DNF_ROOT" "$T/e"
: >"$state"
HP_NOW=$(($(date +%s) + 40 * 86400)) hp_assert_exit 1 dnf_run "$T/e" upgrade --hotpatch -y
cat "$HP_OUT" "$HP_ERR" >"$T/out"
[ "$(grep -c '^hotpatch: repository test refused: .*expire' "$T/out")" = 1 ] ||
	hp_fail "expected one final line for the refused repo"
hp_assert_eq "$(printf '%s\n' hello-1.1-1.x86_64 hp-ssl-1-1.x86_64 kernel-core-6.1.0-57.x86_64 openssl-libs-3.0.12-1.x86_64)" \
	"$(dnf_qa "$T/e")" "only repo refused: no hotpatch, hello upgraded, kernel-core held"
hp_assert_contains "$T/out" "^Held back until baseline \(next\): kernel-core-6\.1\.0-60 \(needs a reboot: 'kernel-core' in reboot_requiring\)"
# openssl-libs 3.0.12 came in (its reboot_suggested advisory is in the
# refused repo's updateinfo, which was not read): hp-ssl is for 3.0.11, so
# apply still runs and finds nothing for the running builds
hp_assert_contains "$T/out" '^No installed hotpatch for the running builds to apply\.$'
hp_assert_eq "" "$(cat "$state")" "only repo refused: nothing for the running builds made live"
hp_log "only hotpatch repo refused: the rest of the upgrade ran, exit 1"

# --- offline status ------------------------------------------------------------
O=$T/o
dnf_copy_root "$DNF_ROOT" "$O"
hp_rpm_install "$O" "$DNF_REPO"/kernel-hotpatch-6.1.0-57-2-1.x86_64.rpm
echo hp-ssl-1-1.x86_64 >"$state"
[ ! -e "$O/etc/yum.repos.d" ] || hp_fail "the offline root has repositories"
hp_assert_exit 0 "$DNF_HOTPATCH" --root "$O" --json status
hp_assert_eq '[{"name":"openssl-libs","evr":"3.0.11-1"},{"name":"kernel-core","evr":"6.1.0-57","release":"6.1.0-57-amd64"}]' \
	"$(jq -c '[.running[] | {name, evr} + (if .release then {release} else {} end)] | sort_by(.name) | reverse' "$HP_OUT")" \
	"offline: running builds from the rpmdb"
hp_assert_eq '{"package":"hp-ssl","engine":"hptest","for_running":true,"live":"yes"}' \
	"$(jq -c '.installed[] | select(.package == "hp-ssl") | {package, engine, for_running, live}' "$HP_OUT")" \
	"offline: the exec hotpatch, its engine and live state"
hp_assert_eq '{"package":"kernel-hotpatch-6.1.0-57","engine":"klp","for_running":true}' \
	"$(jq -c '.installed[] | select(.package == "kernel-hotpatch-6.1.0-57") | {package, engine, for_running}' "$HP_OUT")" \
	"offline: the klp hotpatch for the running kernel"
hp_assert_eq '[]' "$(jq -c '.repos' "$HP_OUT")" "offline: no repository"
hp_assert_exit 0 "$DNF_HOTPATCH" --root "$O" status
hp_assert_contains "$HP_OUT" '^  kernel-core-6\.1\.0-57$'
hp_assert_not_contains "$HP_OUT" 'not for a running build'
hp_assert_exit 0 "$DNF_HOTPATCH" --root "$O" needs-reboot
hp_log "offline status: running builds, engines and live state from the rpmdb and the engine"
