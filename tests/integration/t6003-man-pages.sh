#!/bin/bash
# t6003-man-pages: every man page (packaging/man/) renders with
# `man --warnings` without a single warning, and the pages of the two
# commands are in sync with their --help: every command word and every
# option the binaries' help prints (the help is generated from the command
# tables) is in the rendered page, also for each `hotpatch-repo COMMAND
# --help`; the dnf plugin's page names every subcommand and option the
# plugin declares.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd man col
hp_require_bin hotpatch hotpatch-repo
T=$(hp_tmpdir t6003)
M=$HP_SRC_DIR/packaging/man
export LC_ALL=C.UTF-8 MANWIDTH=200

pages=(hotpatch.8 hotpatch-repo.8 dnf-hotpatch.8 hotpatch.conf.5 hotpatch-engines.5)
for p in "${pages[@]}"; do
	[ -f "$M/$p" ] || hp_fail "man page $p is missing"
	man --warnings -l "$M/$p" >"$T/$p.txt" 2>"$T/$p.warn" || hp_fail "man $p failed: $(cat "$T/$p.warn")"
	[ ! -s "$T/$p.warn" ] || hp_fail "man --warnings $p: $(cat "$T/$p.warn")"
	# Plain text, with every kind of hyphen as '-'.
	col -b <"$T/$p.txt" | sed 's/\xe2\x80\x90/-/g; s/\xe2\x88\x92/-/g' >"$T/$p.plain"
	section=${p##*.}
	hp_assert_contains "$T/$p.plain" "^NAME$"
	hp_assert_contains "$T/$p.plain" "^SEE ALSO$"
	hp_log "$p: renders without warnings ($(wc -l <"$T/$p.plain") lines, section $section)"
done

# in_page PAGE WORD: WORD (a literal) appears in the rendered PAGE.
in_page() {
	grep -qF -- "$2" "$T/$1.plain" || hp_fail "$1 does not mention '$2' (in the command's --help)"
}

# hotpatch: commands and options of --help.
HP=$(hp_bin hotpatch)
"$HP" --help >"$T/hotpatch.help"
cmds=$(sed -n '/^Commands:/,/^$/p' "$T/hotpatch.help" | awk 'NR > 1 && NF {print $1}')
[ -n "$cmds" ] || hp_fail "no commands in hotpatch --help"
for c in $cmds; do in_page hotpatch.8 "$c"; done
opts=$(grep -oE -- '(^| |\[)--?[a-z][a-z-]*' "$T/hotpatch.help" | tr -d ' [' | sort -u)
for o in $opts; do in_page hotpatch.8 "$o"; done
hp_log "hotpatch.8 names the $(wc -w <<<"$cmds") commands and $(wc -w <<<"$opts") options of --help"
# The documented system log identifiers are the ones in the code.
for id in $(sed -n 's/^#define HP_SYSLOG_ID_[A-Z_]* "\([0-9a-f]*\)"$/\1/p' "$HP_SRC_DIR/plugin/hp_syslog.h"); do
	in_page hotpatch.8 "$id"
done

# hotpatch-repo: every synopsis line and every command's options.
HR=$(hp_bin hotpatch-repo)
"$HR" --help >"$T/repo.help"
n=0
while read -r line; do
	sub=$(awk '{print $2 == "baseline" ? $2 " " $3 : $2}' <<<"$line")
	in_page hotpatch-repo.8 "$sub"
	# shellcheck disable=SC2086
	"$HR" $sub --help >"$T/sub.help"
	for o in $(grep -oE -- '--[a-z][a-z-]*' "$T/sub.help" | sort -u); do
		in_page hotpatch-repo.8 "$o"
		n=$((n + 1))
	done
done < <(grep -E '^  hotpatch-repo ' "$T/repo.help")
hp_log "hotpatch-repo.8 names every command and its $n options"

# dnf-hotpatch.8: the plugin's subcommands and options, read from the plugin.
sub=$(sed -n "/SUBCOMMANDS = {/,/}/p" "$HP_SRC_DIR/plugin/dnf/hotpatch.py" | grep -oE "^ +'[a-z-]+'" | tr -d " '")
[ -n "$sub" ] || hp_fail "no subcommands found in the plugin"
for s in $sub; do in_page dnf-hotpatch.8 "hotpatch $s"; done
for o in $(grep -oE "add_argument\('--[a-z-]+'" "$HP_SRC_DIR/plugin/dnf/hotpatch.py" | sed "s/.*('//; s/'//"); do
	in_page dnf-hotpatch.8 "$o"
done
# hotpatch.conf.5: every key of the plugin's defaults (its package's
# config.py) and of the shipped file.
keys=$(sed -n '/^DEFAULTS = {/,/^}/p' "$HP_SRC_DIR/plugin/dnf/dnf_hotpatch/config.py" | grep -oE "^ +'[a-z_]+'" | tr -d " '")
[ -n "$keys" ] || hp_fail "no DEFAULTS found in the plugin's config.py"
for k in $keys $(grep -oE '^#?[a-z_]+ *=' "$HP_SRC_DIR/plugin/dnf/hotpatch.conf" | tr -d '#= '); do
	in_page hotpatch.conf.5 "$k"
done
# hotpatch-engines.5: every key and placeholder the exec engine accepts.
for k in apply revert list is_live timeout '{payload}' '{package}' '{component}' '{build}'; do
	grep -qF -- "$k" "$HP_SRC_DIR/hooks/engines/exec.c" || hp_fail "exec.c no longer knows '$k'"
	in_page hotpatch-engines.5 "$k"
done
hp_log "man pages render cleanly and match the commands"
