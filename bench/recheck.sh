#!/bin/bash
# bench/recheck.sh WORK RUNS OLD_HOTPATCH NEW_HOTPATCH [publish]: re-times rows
# 1-2 of bench/run.sh on a kept work dir (same commands, same method: bash
# $EPOCHREALTIME around the run, /usr/bin/time %M), old and new binaries
# interleaved run by run so machine load hits both alike. WORK is a
# directory that `bench/run.sh --keep` left; the plugin rows use the
# hotpatch_command of WORK/etc/plugins/hotpatch.conf (build-bench/hotpatch).
# With `publish`: instead the rows that read updateinfo and primary through
# libsolv -- hp_check_ui_cold (row 1) and publish_one / publish_scratch
# (row 3, each run from the same restored repodata as run.sh does), with
# the hotpatch-repo next to each hotpatch binary.
set -u
work=$1 runs=$2 old=$3 new=$4 rows=${5:-check}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$work/running.txt"
export HP_UNAME_R TZ=UTC
root=$work/root etc=$work/etc
dnf_cmd=(/usr/bin/dnf --installroot "$root" --setopt=pluginpath="$src/plugin/dnf"
	--setopt=pluginconfpath="$etc/plugins" --setopt=reposdir="$etc/repos"
	--setopt=cachedir="$work/cache" --releasever=12 --disablerepo='*' --enablerepo=bench
	-c "$etc/dnf.conf")
declare -A T M R
one() { # NAME CMD...
	local name=$1 t0 t1 rc=0 t m; shift
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%e %M' -o "$work/out/recheck.time" "$@" >"$work/out/recheck.out" 2>&1 || rc=$?
	t1=$EPOCHREALTIME
	read -r t m < <(tail -n1 "$work/out/recheck.time")
	T[$name]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }') "
	M[$name]+="$m "
	R[$name]+="$rc,"
}
names=(hp_check_warm_old hp_check_warm_new dnf_checkupdate_warm dnf_upgrade_plain dnf_upgrade_hotpatch)
if [ "$rows" = publish ]; then
	names=()
	restore() { # SNAPSHOT [STATE]
		rm -rf "$work/repo/repodata"
		cp -a "$work/snap/$1" "$work/repo/repodata"
		if [ -n "${2:-}" ]; then
			rm -rf "$work/repo/.hotpatch"
			cp -a "$work/snap/$2" "$work/repo/.hotpatch"
		fi
	}
	# both NAME PREP TOOL ARGS...: RUNS rounds of PREP (a shell snippet, not
	# timed), then TOOL (hotpatch or hotpatch-repo) of the old build, the same
	# for the new one
	both() {
		local name=$1 prep=$2 tool=$3 i v bin
		shift 3
		names+=("${name}_old" "${name}_new")
		for ((i = 1; i <= runs; i++)); do
			for v in old new; do
				[ $v = old ] && bin=$old || bin=$new
				eval "$prep"
				one "${name}_$v" "$(dirname "$bin")/$tool" "$@"
			done
		done
	}
	both hp_check_ui_cold 'rm -rf "$root/var/lib/hotpatch" "$root/var/cache/hotpatch"' \
		hotpatch --root "$root" --repo "$work/repo" --nogpgcheck check --json --updateinfo
	both publish_one 'restore s2' hotpatch-repo publish "$work/repo"
	both publish_scratch 'restore s0 s0-state' hotpatch-repo publish "$work/repo"
	# leave the repository published, as run.sh does
	"$(dirname "$new")/hotpatch-repo" publish "$work/repo" >/dev/null
else
	for ((i = 1; i <= runs; i++)); do
		one hp_check_warm_old "$old" --root "$root" --repo "$work/repo" --nogpgcheck check --json
		one hp_check_warm_new "$new" --root "$root" --repo "$work/repo" --nogpgcheck check --json
		one dnf_checkupdate_warm "${dnf_cmd[@]}" check-update
	done
	for ((i = 1; i <= runs; i++)); do
		one dnf_upgrade_plain "${dnf_cmd[@]}" --disableplugin=hotpatch upgrade --assumeno
		one dnf_upgrade_hotpatch "${dnf_cmd[@]}" upgrade --hotpatch --assumeno
	done
fi
for n in "${names[@]}"; do
	/usr/bin/python3 - "$n" "${T[$n]}" "${M[$n]}" "${R[$n]}" <<'P'
import statistics, sys
n, t, m, r = sys.argv[1], [float(x) for x in sys.argv[2].split()], [int(x) for x in sys.argv[3].split()], sys.argv[4]
print("%s\t%.4f\t%.4f\t%.4f\t%d\t%s\t%s" % (n, statistics.median(t), min(t), max(t), statistics.median(m), r.rstrip(","), ",".join("%.4f" % x for x in t)))
P
done
