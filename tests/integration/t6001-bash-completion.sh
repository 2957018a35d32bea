#!/bin/bash
# t6001-bash-completion: the bash completion of hotpatch, hotpatch-repo and
# the dnf plugin (packaging/completion/), run in bash as bash-completion
# runs it: Debian's /usr/share/bash-completion/bash_completion is sourced
# with the files laid out as installed (completions/hotpatch and
# completions/hotpatch-repo loaded on demand by command name,
# bash_completion.d/dnf-hotpatch sourced at start, dnf's own completions/dnf
# beside it), then COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT are set as
# readline sets them, the function `complete -p` names is called, and
# COMPREPLY is compared. The installed hotpatch names come from a real
# rpmdb in an installroot (--root / dnf --installroot).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpm rpmbuild
BC=/usr/share/bash-completion/bash_completion
[ -r "$BC" ] || hp_skip "bash-completion is not installed ($BC)"
[ -r /usr/share/bash-completion/completions/dnf ] || hp_skip "dnf's bash completion is not installed"
T=$(hp_tmpdir t6001)

# The layout of an installed system, from the source tree.
mkdir -p "$T/user/completions" "$T/compat"
cp "$HP_SRC_DIR/packaging/completion/hotpatch" "$HP_SRC_DIR/packaging/completion/hotpatch-repo" \
	"$T/user/completions/"
cp "$HP_SRC_DIR/packaging/completion/dnf-hotpatch" "$T/compat/"

# An installroot with one hotpatch package (and one other package).
R=$T/root
hp_installroot "$R"
echo payload >"$T/livepatch_x.ko"
hp_rpm_install "$R" "$(hp_build_rpm hotpatch "$T/rpms" --define 'hp_name kernel-hotpatch-6.1.0-57' \
	--define 'hp_version 2' --define "payload $T/livepatch_x.ko")" \
	"$(hp_build_rpm hello "$T/rpms" --define 'ver 1.0' --define '__requires_exclude ^/bin/sh$')"

# complete LINE: what bash offers for LINE (completing its last word; a
# trailing blank starts a new word), one candidate a line, sorted.
cat >"$T/complete.sh" <<'EOS'
BASH_COMPLETION_USER_DIR=$1/user BASH_COMPLETION_COMPAT_DIR=$1/compat
. /usr/share/bash-completion/bash_completion
line=$2
read -ra COMP_WORDS <<<"$line"
[[ $line == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$line COMP_POINT=${#line}
cmd=${COMP_WORDS[0]}
spec=$(complete -p "$cmd" 2>/dev/null) || { _completion_loader "$cmd"; spec=$(complete -p "$cmd"); }
fn=$(sed -E 's/.* -F ([^ ]+) .*/\1/' <<<"$spec")
COMPREPLY=()
"$fn" "$cmd" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort -u
# Which function serves the command afterwards (dnf's own file loaded by then).
echo "[$(complete -p "$cmd" | sed -E 's/.* -F ([^ ]+) .*/\1/')]"
EOS
complete_() {
	bash "$T/complete.sh" "$T" "$1" 2>"$T/complete.err" | sed '$d' | paste -sd' '
}
expect() { # LINE EXPECTED
	hp_assert_eq "$2" "$(complete_ "$1")" "completion of '$1'"
}

expect 'hotpatch ' 'apply check needs-reboot reapply revert status'
expect 'hotpatch re' 'reapply revert'
expect 'hotpatch --ro' '--root'
expect 'hotpatch --js' '--json'
expect 'hotpatch -' '--dbpath --gpgkey --help --json --nogpgcheck --quiet --repo --root --running --verbose --version -q -v'
expect 'hotpatch check --up' '--updateinfo'
expect 'hotpatch revert --a' '--all'
expect 'hotpatch --json apply --t' '--timeout'
expect 'hotpatch reapply --' '--dbpath --gpgkey --help --json --nogpgcheck --quiet --repo --root --running --timeout --verbose --version'
# Installed hotpatch names (not other packages), from --root's rpmdb,
# with the root before or after the command word.
expect "hotpatch --root $R revert " 'kernel-hotpatch-6.1.0-57'
expect "hotpatch apply --root $R --dbpath /root/.rpmdb k" 'kernel-hotpatch-6.1.0-57'
expect "hotpatch --root $R apply h" ''
expect "hotpatch --root $T/nonexistent revert " ''
expect "hotpatch --root $R status " ''
# Option values.
mkdir -p "$T/dirs/repo-a" "$T/dirs/repo-b"
expect "hotpatch --repo $T/dirs/repo-" "$T/dirs/repo-a $T/dirs/repo-b"
expect 'hotpatch --running ' ''

expect 'hotpatch-repo ' '--help --version baseline list publish verify'
expect 'hotpatch-repo baseline ' '--help add list'
expect "hotpatch-repo baseline add $T/dirs/repo-a --k" '--kind'
expect "hotpatch-repo baseline add $T/dirs/repo-a --kind " 'planned unplanned'
expect "hotpatch-repo baseline add $T/dirs/repo-a --id X --" '--build --help --id --issued --kind --supported-until'
expect 'hotpatch-repo publish --' '--expires-days --gnupg-home --help --sign-key'
expect 'hotpatch-repo verify --' '--gnupg-home --help --json'
expect "hotpatch-repo verify $T/dirs/repo-" "$T/dirs/repo-a $T/dirs/repo-b"
expect "hotpatch-repo verify $T/dirs/repo-a $T/dirs/" ''

# dnf: the plugin's words, dnf's own for the rest.
expect 'dnf hotpatch ' 'apply list revert status'
expect 'dnf -y hotpatch re' 'revert'
expect 'dnf -c /etc/dnf/dnf.conf hotpatch ' 'apply list revert status'
expect 'dnf hotpatch apply --' '--all --json --timeout'
expect 'dnf hotpatch status --' '--json'
expect "dnf --installroot $R hotpatch revert " 'kernel-hotpatch-6.1.0-57'
expect "dnf --installroot=$R -y hotpatch apply k" 'kernel-hotpatch-6.1.0-57'
expect 'dnf upgrade --hot' '--hotpatch'
expect 'dnf update --hotp' '--hotpatch'
# dnf's own completion still answers (and only plugin words were added).
expect 'dnf upgrade --refr' '--refresh'
expect 'dnf install --hot' ''
expect 'dnf --installr' '--installroot'
# After the first completion dnf's file is loaded and dnf is still ours.
hp_assert_eq '[_dnf_hotpatch]' "$(bash "$T/complete.sh" "$T" 'dnf upgrade --refr' 2>/dev/null | tail -n1)" \
	"dnf stays completed by _dnf_hotpatch after dnf's own file is loaded"
hp_log "bash completion: all candidates as expected"
