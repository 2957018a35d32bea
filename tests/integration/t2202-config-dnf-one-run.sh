#!/bin/bash
# The dnf plugin checks signed and unsigned repositories in ONE run of the
# hotpatch command (issue 12): a repo with repo_gpgcheck=1 is passed with
# --repo and its key (it must verify), one with repo_gpgcheck=0 with
# --repo-nogpgcheck (read unsigned, as dnf reads it); the signed one still
# fails when its signature does not verify, even next to an unsigned one.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t4009-dnf-fixture.sh"

dnf_prereqs
T=$(hp_tmpdir t2202)
dnf_fixture "$T"

# A second repository with hotpatch metadata, published unsigned: the
# running kernel and a hotpatch for it under another name.
klp=$(hp_klp_build)
unsigned=$T/unsigned
mkdir -p "$unsigned"
cp "$DNF_REPO"/kernel-core-6.1.0-57.x86_64.rpm "$unsigned/"
hp_build_rpm hotpatch "$unsigned" --define 'hp_name extra-hotpatch-6.1.0-57' \
	--define 'hp_version 1' --define 'build 6.1.0-57' \
	--define "payload $klp/livepatch_cmdline_v1.ko" >/dev/null
hp_make_repo "$unsigned"
HR=$(hp_bin hotpatch-repo)
"$HR" baseline add "$unsigned" --id U1 --kind planned --issued 2026-01-01 \
	--supported-until 2036-12-31 --build kernel-core=6.1.0-57 >/dev/null
"$HR" publish "$unsigned" >"$T/publish-unsigned.log" 2>&1 ||
	{ cat "$T/publish-unsigned.log" >&2; hp_fail "unsigned publish failed"; }
[ ! -e "$unsigned/repodata/repomd.xml.asc" ] || hp_fail "the unsigned repo has a signature"
cat >"$DNF_ETC/repos/unsigned.repo" <<REPO
[unsigned]
name=unsigned hotpatch repository
baseurl=file://$unsigned
gpgcheck=0
repo_gpgcheck=0
REPO

# every run of the command logged, then the real binary
HP_LOG=$T/calls.log
cat >"$T/hotpatch-log" <<WRAPPER
#!/bin/bash
printf '%s\n' "\$*" >>"$HP_LOG"
exec "$DNF_HOTPATCH" "\$@"
WRAPPER
chmod 0755 "$T/hotpatch-log"
sed -i "s|^hotpatch_command=.*|hotpatch_command=$T/hotpatch-log|" "$DNF_HPCONF"
run_dnf() { dnf_run "$DNF_ROOT" --enablerepo=unsigned -y "$@"; }

: >"$HP_LOG"
hp_assert_exit 100 run_dnf hotpatch list --json
sed -n '/^{/,$p' "$HP_OUT" >"$T/list.json"
hp_assert_eq '["extra-hotpatch-6.1.0-57 1-1","kernel-hotpatch-6.1.0-57 2-1"]' \
	"$(jq -c '[.available[] | .package + " " + .evr] | sort' "$T/list.json")" \
	"both repositories' hotpatches in one answer"
hp_assert_eq 1 "$(grep -c ' check ' "$HP_LOG")" "one run of hotpatch check"
hp_assert_contains "$HP_LOG" "^--root $DNF_ROOT (--repo [^ ]+ --gpgkey $DNF_KEY --repo-nogpgcheck [^ ]+|--repo-nogpgcheck [^ ]+ --repo [^ ]+ --gpgkey $DNF_KEY) check --json\$"
hp_assert_not_contains "$HP_LOG" ' --nogpgcheck'

# The same arguments with a key that did not sign the signed repo: refused,
# the unsigned repo next to it is no excuse to skip the check.
other=$T/gnupg-other
hp_gpg_init "$other" >/dev/null
hp_gpg_export "$other" "$T/other.asc"
read -r -a args <<<"$(sed -n '1p' "$HP_LOG" | sed "s|$DNF_KEY|$T/other.asc|")"
hp_assert_exit 1 "$DNF_HOTPATCH" "${args[@]}"
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "bad signature next to an unsigned repo: one error line"
hp_assert_contains "$HP_ERR" "^hotpatch: error: .*repomd\.xml.: signed by unknown key "
echo "t2202-config-dnf-one-run: ok"
