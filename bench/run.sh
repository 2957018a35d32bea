#!/bin/bash
# bench/run.sh [--scale N] [--runs K] [--smoke] [--work DIR] [--keep]
#
# Benchmarks dnf-hotpatch at distribution scale, side by side with dnf and
# createrepo_c, on one generated repository (bench/gen.py: N packages with
# provides/requires/files/changelogs, 40 baselines, N/12 hotpatch packages,
# updateinfo with CVEs) and an installroot of N/40 installed packages:
#   1. hotpatch check, cold and warm     vs  dnf check-update, cold and warm
#   2. dnf upgrade --hotpatch --assumeno vs  dnf upgrade --assumeno
#   3. hotpatch-repo publish             vs  createrepo_c --update (one new
#      hotpatch package), and both from scratch
#   4. the floor: gunzip + expat over the same metadata once (bench/floor.c)
# Each is run K times (default 5); the table gives the median, min-max of the
# wall time (s, bash's $EPOCHREALTIME around the run) and the median peak RSS
# (from /usr/bin/time -f '%e %M').
#
# Output: one table on stdout and $WORK/results.tsv (name, median, min,
# max, rss_kib, exit codes); bench/report.py turns results.tsv files into
# the ratios of RESULTS.md.  --smoke: a tiny repository (300 packages,
# 3 baselines), one run each, for the test suite (no timing claims).
#
# Environment:
#   HP_BUILD_DIR   where hotpatch and hotpatch-repo are, used as they are
#                  (default: build-bench in the source tree, configured in
#                  Release when missing and brought up to date with make)
#   HP_CACHE_DIR   cache of the fixture kernel modules (default /tmp/hp-cache)
#   BENCH_DROP_CACHES=1  also drop the page cache before every cold run
#                  (root; slows the rest of the machine, so off by default)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/.." && pwd)
scale=60000
runs=5
smoke=0
keep=0
work=
while [ $# -gt 0 ]; do
	case "$1" in
	--scale) scale=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--smoke) smoke=1; shift ;;
	--work) work=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
gen_args=()
if [ "$smoke" = 1 ]; then
	scale=300
	runs=1
	gen_args=(--baselines 3 --hp-versions 2 --installed 20)
fi
own_build=0
[ -n "${HP_BUILD_DIR:-}" ] || own_build=1
: "${HP_BUILD_DIR:=$src/build-bench}"
: "${HP_CACHE_DIR:=/tmp/hp-cache}"
[ -n "$work" ] || work=/var/tmp/hp-bench/scale-$scale
PY=/usr/bin/python3
log() { echo "# $*" >&2; }
die() { echo "run.sh: $*" >&2; exit 1; }

# --- prerequisites -----------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
	log "installing the 'time' package (/usr/bin/time)"
	apt-get install -y time >/dev/null || die "cannot install the 'time' package"
fi
for c in rpmbuild rpm createrepo_c modifyrepo_c cc /usr/bin/dnf; do
	command -v "$c" >/dev/null || { echo "skip: '$c' not found" >&2; exit 77; }
done
if [ "$own_build" = 1 ] && [ -f "$HP_BUILD_DIR/Makefile" ]; then
	# our own build dir: bring it up to date with the tree (a no-op when
	# it is); a given HP_BUILD_DIR is used as it is
	nice make -C "$HP_BUILD_DIR" -j2 hotpatch hotpatch-repo >/dev/null ||
		die "cannot build the project in $HP_BUILD_DIR"
elif [ ! -x "$HP_BUILD_DIR/hotpatch" ] || [ ! -x "$HP_BUILD_DIR/hotpatch-repo" ]; then
	log "building hotpatch and hotpatch-repo (Release) in $HP_BUILD_DIR"
	cmake -S "$src" -B "$HP_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DHP_TESTS=OFF >/dev/null &&
		nice make -C "$HP_BUILD_DIR" -j2 hotpatch hotpatch-repo >/dev/null ||
		die "cannot build the project in $HP_BUILD_DIR"
fi
HOTPATCH=$HP_BUILD_DIR/hotpatch
HPREPO=$HP_BUILD_DIR/hotpatch-repo
RPMFORCE=()
rpm --help 2>/dev/null | grep -q -- --force-debian && RPMFORCE=(--force-debian)

kdir=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1 || true)
[ -n "$kdir" ] || { echo "skip: no kernel headers (livepatch fixture modules)" >&2; exit 77; }
kver=${kdir#/usr/src/linux-headers-}
klpcache=$HP_CACHE_DIR/klp-$kver
rc=0
"$src/tests/fixtures/klp/build.sh" "$klpcache" "$kver" >&2 || rc=$?
[ "$rc" = 77 ] && { echo "skip: cannot build the livepatch fixture modules" >&2; exit 77; }
[ "$rc" = 0 ] || die "building the livepatch fixture modules failed"

rm -rf "$work"
mkdir -p "$work"
[ "$keep" = 1 ] || trap 'rm -rf "$work/repo" "$work/root" "$work/snap" "$work/scratch" "$work/installed" "$work/top" "$work/cache" "$work/klp"' EXIT
T0=$SECONDS

# --- helpers ---------------------------------------------------------------------
results=$work/results.tsv
drop_caches() {
	if [ "${BENCH_DROP_CACHES:-0}" = 1 ]; then
		sync
		echo 3 >/proc/sys/vm/drop_caches
	fi
}
# measure NAME PREP -- CMD... : K runs of CMD, PREP (a shell snippet, not
# timed) before each; CMD's output goes to $work/out/NAME.N.  A run killed
# by a signal (a crash) is counted in the "crashes" column and run again
# (up to 10 times); the statistics are over the completed runs only (all
# runs if none completed); the last column lists every run's time.
measure() {
	local name=$1 prep=$2 i rc t0 t1 t m times=() rss=() rcs=() crashes=0 tries
	shift 3
	mkdir -p "$work/out"
	for ((i = 1; i <= runs; i++)); do
		tries=0
		while :; do
			eval "$prep"
			rc=0
			t0=$EPOCHREALTIME
			/usr/bin/time -f '%e %M' -o "$work/out/$name.time" "$@" >"$work/out/$name.$i" 2>&1 || rc=$?
			t1=$EPOCHREALTIME
			if [ "$rc" -ge 128 ] && [ "$tries" -lt 10 ]; then
				crashes=$((crashes + 1))
				tries=$((tries + 1))
				cp "$work/out/$name.$i" "$work/out/$name.$i.crash$tries"
				continue
			fi
			break
		done
		# wall time from bash's microsecond clock (time's %e has 10 ms
		# steps); peak RSS from time's %M
		read -r t m < <(tail -n1 "$work/out/$name.time") || die "no timing for $name"
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
		rss+=("$m")
		rcs+=("$rc")
	done
	"$PY" - "$name" "$(IFS=,; echo "${rcs[*]}")" "${times[*]}" "${rss[*]}" "$crashes" >>"$results" <<'EOF2'
import statistics, sys
name, rcs, t, m, crashes = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split(), sys.argv[5]
t = [float(x) for x in t]
m = [int(x) for x in m]
ok = [i for i, rc in enumerate(rcs.split(",")) if int(rc) < 128] or list(range(len(t)))
tt = [t[i] for i in ok]
mm = [m[i] for i in ok]
print("%s\t%.4f\t%.4f\t%.4f\t%d\t%s\t%s\t%s" % (name, statistics.median(tt), min(tt), max(tt),
      int(statistics.median(mm)), rcs, crashes, ",".join("%.4f" % x for x in t)))
EOF2
	tail -n1 "$results" >&2
}
# publish, run again when it crashes (see RESULTS.md: a use-after-free in
# reposcan.c makes it crash now and then); the crashes are counted.
setup_crashes=0
publish_retry() {
	local i rc
	for i in 1 2 3 4 5; do
		rc=0
		"$HPREPO" publish "$work/repo" >"$work/publish.log" 2>&1 || rc=$?
		[ "$rc" -ge 128 ] || return "$rc"
		setup_crashes=$((setup_crashes + 1))
	done
	return "$rc"
}
restore() { # SNAPSHOT
	rm -rf "$work/repo/repodata"
	cp -a "$work/snap/$1" "$work/repo/repodata"
}

# --- generation ----------------------------------------------------------------
mkdir -p "$work/klp"
log "generating the repository metadata (scale $scale)"
nice "$PY" "$here/gen.py" --out "$work" --scale "$scale" --klp-dir "$work/klp" "${gen_args[@]}" >"$work/gen.txt"
cat "$work/gen.txt" >&2
. "$work/running.txt"
while read -r krel; do
	for v in 1 2; do
		"$PY" "$src/tests/fixtures/klp/set-vermagic.py" "$klpcache/livepatch_cmdline_v$v.ko" \
			"$work/klp/livepatch-6.1.0-$krel-amd64-v$v.ko" "6.1.0-$krel-amd64"
	done
done <"$work/kernels.txt"

rpmbuild_spec() { # SPEC OUTDIR [args]
	local spec=$1 out=$2
	shift 2
	rm -rf "$work/top"
	nice rpmbuild -bb --target x86_64 --define "_topdir $work/top" \
		--define 'debug_package %{nil}' --define '__os_install_post %{nil}' \
		--define '__arch_install_post %{nil}' --define '_build_id_links none' \
		--define '_binary_payload w6.gzdio' "$@" "$spec" >"$work/rpmbuild.log" 2>&1 ||
		{ tail -n 30 "$work/rpmbuild.log" >&2; die "rpmbuild '$spec' failed"; }
	mkdir -p "$out"
	find "$work/top/RPMS" -name '*.rpm' -exec mv -t "$out" {} +
}
log "building the real RPMs: kernels, hotpatches, the installed set"
while read -r krel; do
	rpmbuild_spec "$src/tests/integration/fixtures/specs/kernel-core.spec" "$work/repo/Packages/kernel" \
		--define 'kver 6.1.0' --define "krel $krel"
done <"$work/kernels.txt"
for s in "$work"/specs/hp-*.spec; do
	rpmbuild_spec "$s" "$work/repo/Packages/hotpatch"
done
for s in "$work"/specs/inst-*.spec; do
	rpmbuild_spec "$s" "$work/installed"
done
rpmbuild_spec "$work/new-hotpatch.spec" "$work/new"
nhp=$(ls "$work/repo/Packages/hotpatch" | wc -l)
log "built $nhp hotpatch RPMs, $(ls "$work/installed" | wc -l) installed-set RPMs"

log "createrepo_c --update (reuses the generated metadata, reads the real RPMs)"
nice createrepo_c --quiet --update "$work/repo" >/dev/null
modifyrepo_c --quiet --compress-type gz --mdtype updateinfo "$work/updateinfo.xml" "$work/repo/repodata" >/dev/null 2>&1 ||
	modifyrepo_c --compress-type gz --mdtype updateinfo "$work/updateinfo.xml" "$work/repo/repodata" >/dev/null
while read -r id kind issued until builds; do
	bargs=()
	for b in $builds; do bargs+=(--build "$b"); done
	"$HPREPO" baseline add "$work/repo" --id "$id" --kind "$kind" --issued "$issued" \
		--supported-until "$until" "${bargs[@]}" >/dev/null
done <"$work/baselines.txt"
mkdir -p "$work/snap"
cp -a "$work/repo/repodata" "$work/snap/s0"          # before the first publish
cp -a "$work/repo/.hotpatch" "$work/snap/s0-state"
publish_retry ||
	{ tail -n 20 "$work/publish.log" >&2; die "hotpatch-repo publish failed"; }
cp -a "$work/repo/repodata" "$work/snap/s1"          # published, before the new package
cp "$work"/new/*.rpm "$work/repo/Packages/hotpatch/"
createrepo_c --quiet --update --keep-all-metadata "$work/repo" >/dev/null
cp -a "$work/repo/repodata" "$work/snap/s2"          # new package, stale hotpatch record
publish_retry ||
	{ tail -n 20 "$work/publish.log" >&2; die "hotpatch-repo publish (new package) failed"; }
# the real-file subset, for createrepo_c from scratch
mkdir -p "$work/scratch"
cp -al "$work/repo/Packages" "$work/scratch/"

log "installroot: rpm --justdb of $(ls "$work/installed" | wc -l) packages + the running kernel"
root=$work/root
mkdir -p "$root"
rpm --root "$root" --dbpath /root/.rpmdb --initdb
rpm "${RPMFORCE[@]}" --root "$root" --dbpath /root/.rpmdb -i --justdb --nodeps --noscripts \
	--nosignature "$work"/installed/*.rpm "$work"/repo/Packages/kernel/kernel-core-6.1.0-"$KREL".x86_64.rpm \
	2>&1 | grep -v -e 'should not be used directly' -e 'know what you are doing' >&2 || true
etc=$work/etc
mkdir -p "$etc/repos" "$etc/plugins"
cat >"$etc/dnf.conf" <<EOF
[main]
gpgcheck=0
install_weak_deps=0
best=False
metadata_expire=-1
installonlypkgs=kernel-core
EOF
cat >"$etc/repos/bench.repo" <<EOF
[bench]
name=bench
baseurl=file://$work/repo
enabled=1
gpgcheck=0
repo_gpgcheck=0
EOF
cat >"$etc/plugins/hotpatch.conf" <<EOF
[main]
enabled=1
hotpatch_command=$HOTPATCH
apply_timeout=60
EOF
export HP_UNAME_R TZ=UTC
dnf_cmd=(/usr/bin/dnf --installroot "$root" --setopt=pluginpath="$src/plugin/dnf"
	--setopt=pluginconfpath="$etc/plugins" --setopt=reposdir="$etc/repos"
	--setopt=cachedir="$work/cache" --releasever=12 --disablerepo='*' --enablerepo=bench
	-c "$etc/dnf.conf")
hp_cmd=("$HOTPATCH" --root "$root" --repo "$work/repo" --nogpgcheck)
cc -O2 -o "$work/floor" "$here/floor.c" -lz -lexpat || die "cannot compile floor.c"
md() { # TYPE - path of a metadata file of the repo
	local href
	href=$(sed -n "/<data type=\"$1\">/,/<\/data>/s/.*<location href=\"\([^\"]*\)\".*/\1/p" \
		"$work/repo/repodata/repomd.xml")
	[ -n "$href" ] || die "no $1 record in repomd.xml"
	printf '%s\n' "$work/repo/$href"
}
log "generation done in $((SECONDS - T0)) s"

# --- measurement ------------------------------------------------------------------
printf 'name\tmedian_s\tmin_s\tmax_s\trss_kib\texit\tcrashes\truns_s\n' >"$results"
log "1. hotpatch check vs dnf check-update"
# cold drops hotpatch's cache and state (and, with BENCH_DROP_CACHES=1, the
# page cache); dnf's cold removes its cachedir. The plugin runs
# `check --updateinfo` (reboot_suggested): timed too, cold and warm.
hp_forget='rm -rf "$root/var/lib/hotpatch" "$root/var/cache/hotpatch"; drop_caches'
measure hp_check_cold "$hp_forget" -- "${hp_cmd[@]}" check --json
measure hp_check_warm ':' -- "${hp_cmd[@]}" check --json
measure hp_check_ui_cold "$hp_forget" -- "${hp_cmd[@]}" check --json --updateinfo
measure hp_check_ui_warm ':' -- "${hp_cmd[@]}" check --json --updateinfo
measure dnf_checkupdate_cold 'rm -rf "$work/cache"; drop_caches' -- "${dnf_cmd[@]}" check-update
measure dnf_checkupdate_warm ':' -- "${dnf_cmd[@]}" check-update
grep -q '"available"' "$work/out/hp_check_warm.1" || die "hotpatch check printed no JSON"

log "2. dnf upgrade --hotpatch --assumeno vs dnf upgrade --assumeno (warm cache)"
measure dnf_upgrade_plain ':' -- "${dnf_cmd[@]}" --disableplugin=hotpatch upgrade --assumeno
plugin=ok
if ! "${dnf_cmd[@]}" upgrade --help 2>/dev/null | grep -q -- --hotpatch; then
	plugin="not measured: plugin not ready (no --hotpatch option)"
else
	measure dnf_upgrade_hotpatch ':' -- "${dnf_cmd[@]}" upgrade --hotpatch --assumeno
	if grep -q -e Traceback -e 'hotpatch.*error' "$work/out/dnf_upgrade_hotpatch.1"; then
		plugin="measured, but the plugin failed: see $work/out/dnf_upgrade_hotpatch.1"
	fi
fi
echo "plugin	$plugin" >"$work/notes.tsv"

log "3. hotpatch-repo publish vs createrepo_c"
measure createrepo_update_one 'restore s1' -- createrepo_c --quiet --update --keep-all-metadata "$work/repo"
measure createrepo_update_one_nodb 'restore s1' -- createrepo_c --quiet --update --keep-all-metadata --no-database "$work/repo"
measure publish_one 'restore s2' -- "$HPREPO" publish "$work/repo"
measure publish_scratch 'restore s0; rm -rf "$work/repo/.hotpatch"; cp -a "$work/snap/s0-state" "$work/repo/.hotpatch"' \
	-- "$HPREPO" publish "$work/repo"
measure createrepo_scratch_realfiles 'rm -rf "$work/scratch/repodata"' -- createrepo_c --quiet "$work/scratch"
publish_retry || die "hotpatch-repo publish failed"

log "4. the floor (gunzip + expat)"
measure floor_hotpatch ':' -- "$work/floor" "$(md hotpatch)"
measure floor_primary_updateinfo ':' -- "$work/floor" "$(md primary)" "$(md updateinfo)"
measure floor_dnf ':' -- "$work/floor" "$(md primary)" "$(md filelists)" "$(md updateinfo)"

{
	echo "scale	$scale"
	cat "$work/gen.txt" | tr ' ' '\n' | sed 's/=/\t/'
	for t in primary filelists other updateinfo hotpatch; do
		echo "size_$t	$(stat -c %s "$(md "$t")")"
	done
	echo "hotpatch_rpms	$nhp"
	echo "runs	$runs"
	echo "setup_publish_crashes	$setup_crashes"
} >>"$work/notes.tsv"
log "done in $((SECONDS - T0)) s; results in $results"
cat "$results"
cat "$work/notes.tsv"
