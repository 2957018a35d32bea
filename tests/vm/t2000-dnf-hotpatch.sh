#!/bin/bash
# t2000-dnf-hotpatch: `dnf upgrade --hotpatch -y` (Debian's real dnf 4 with
# plugin/dnf/hotpatch.py) on the real Debian kernel in qemu, from a
# repository published and signed by hotpatch-repo (repo_gpgcheck=1, the
# packages rpmsign'd and checked with gpgcheck=1).
#
# Host: the repository holds kernel-core for the booted build (baseline
# 2026Q1) and for a newer build (baseline 2026Q2), the klp hotpatch series
# for the booted build in versions 1 (livepatch_cmdline_v1.ko) and 2
# (livepatch_cmdline_v2.ko), hello 1.0 and 1.1.  An installroot on the
# share holds kernel-core (booted build), hello 1.0 and hotpatch v1.
#
# Guest, one boot, the installroot's rpmdb (never the guest's /):
#   - before: /proc/cmdline is the original one, v1 installed but not live;
#   - `dnf upgrade --hotpatch -y` exits 0, installs hotpatch v2 and hello
#     1.1, holds back the newer kernel-core and lists it; afterwards
#     /proc/cmdline prints hotpatch-v2, livepatch_cmdline_v2 is enabled with
#     its transition done, `hotpatch status --json` says live, the journal
#     records the apply as done;
#   - a second `dnf upgrade --hotpatch -y` is a no-op: exit 0, "Nothing to
#     do", rpm -qa unchanged, the patch still live, no new journal record;
#   - no "Call Trace" / "WARNING:" in the guest's dmesg.
#
# Exit 0 pass, 1 fail, 77 skip.  HP_BUILD_DIR names the build to test.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
. "$here/../integration/lib.sh"
hp_vm_prereq
hp_require_cmd rpmbuild rpmsign createrepo_c gpg jq /usr/bin/dnf
/usr/bin/python3 -c 'import dnf' 2>/dev/null || hp_skip "dnf's python module not importable by /usr/bin/python3"
HOTPATCH=$(hp_bin hotpatch)

t=$HP_TEST_TMP
repo=$t/repo
local_rpms=$t/local
share=$t/share
R=$share/root
etc=$t/etc
mkdir -p "$repo" "$local_rpms" "$etc/repos" "$etc/plugins"

# Published besides kernel-core (booted build) and the series' v1 and v2:
# kernel-core for a newer build, hello 1.0 and 1.1; the baselines 2026Q1
# (the booted build) and 2026Q2 (the newer one).
more_rpms()
{
	KNEXT=$HP_VM_KV-$((HP_VM_KR + 3))
	hp_build_rpm kernel-core "$repo" --define "kver $HP_VM_KV" --define "krel $((HP_VM_KR + 3))" \
		--define "uname_r $KNEXT-amd64" >/dev/null
	# hello's scriptlet would require /bin/sh, which nothing in the
	# installroot provides.
	h10=$(hp_build_rpm hello "$repo" --define 'ver 1.0' --define '__requires_exclude ^/bin/sh$')
	hp_build_rpm hello "$repo" --define 'ver 1.1' --define '__requires_exclude ^/bin/sh$' >/dev/null
	HP_VM_BASELINES=(
		"--id 2026Q1 --kind planned --issued 2026-01-01 --supported-until 2036-12-31 --build kernel-core=$KEVR"
		"--id 2026Q2 --kind planned --issued 2026-04-01 --supported-until 2036-12-31 --build kernel-core=$KNEXT")
}
hp_vm_klp_repo --rpmsign --more more_rpms "$repo" 1 2
kver=$HP_KVER series=$HP_VM_SERIES
k_run=$HP_VM_KCORE v1=${HP_VM_KLP_RPMS[1]}

hp_installroot "$R"
hp_rpm_install "$R" "$k_run" "$h10" "$v1"

cat >"$etc/dnf.conf" <<EOF
[main]
gpgcheck=0
install_weak_deps=0
keepcache=0
# as Fedora's kernel-core (installonlypkg(kernel)): a new kernel is
# installed beside the running one
installonlypkgs=kernel-core
EOF
cat >"$etc/repos/test.repo" <<EOF
[test]
name=dnf-hotpatch test repository
baseurl=file://$repo
enabled=1
gpgcheck=1
repo_gpgcheck=1
gpgkey=file://$t/operator.asc
EOF
cat >"$etc/plugins/hotpatch.conf" <<EOF
[main]
enabled=1
hotpatch_command=$HOTPATCH
apply_timeout=60
EOF

guest_script()
{
	hp_vm_guest_prelude
	cat <<'GUEST'
has() { if grep -Eq -- "$2" "$3"; then ok "$1"; else notok "$1: no '$2' in $3"; fi; }
hasnt() { if grep -Eq -- "$2" "$3"; then notok "$1: '$2' in $3"; else ok "$1"; fi; }
nodir() { if [ -d "$2" ]; then notok "$1: $2 exists"; else ok "$1"; fi; }
show() { sed 's/^/#   /' "$@"; }
now() { date +%s.%N; }
secs() { awk "BEGIN{printf \"%.2f\", $2 - $1}"; }
rpmqa() { rpm --root $R --dbpath $DB -qa | LC_ALL=C sort; }
# Without the gpg-pubkey pseudo-packages dnf imports with gpgcheck=1.
pkgs() { rpmqa | grep -v '^gpg-pubkey-' | tr '\n' ' ' | sed 's/ $//'; }
livestate() {
	local d
	for d in $LP/*; do
		[ -d "$d" ] && echo "$(basename "$d") $(cat "$d/enabled") $(cat "$d/transition")"
	done
}
jlines() { if [ -f "$J" ]; then wc -l <"$J"; else echo 0; fi; }
live_of() { jq -r --arg p "$1" '.installed[] | select(.package == $p) | .live' "$2"; }
# Debian's dnf (/usr/bin/python3) on the installroot, the plugin from the
# source tree, one metadata cache in the guest's tmpfs for both runs.
dnfr() {
	/usr/bin/dnf --installroot $R \
		--setopt=pluginpath="$SRC/plugin/dnf" \
		--setopt=pluginconfpath="$ETC/plugins" \
		--setopt=reposdir="$ETC/repos" \
		--setopt=cachedir=/tmp/dnfcache \
		--setopt=install_weak_deps=0 \
		--releasever=12 --disablerepo='*' --enablerepo=test \
		-c "$ETC/dnf.conf" "$@"
}

orig=$(cat /proc/cmdline)
# 0. Before: v1 installed, nothing live.
check "before: rpmdb of the installroot" \
	"hello-1.0-1.x86_64 kernel-core-$KEVR.x86_64 $SERIES-1-1.x86_64" "$(pkgs)"
check "before: no livepatch loaded" "" "$(livestate)"
case "$orig" in
hotpatch-*) notok "before: /proc/cmdline is already patched: $orig" ;;
*) ok "before: /proc/cmdline is the original one" ;;
esac
hp status --json >/tmp/status0.json
check "before: status --json: v1 installed, not live" no "$(live_of "$SERIES" /tmp/status0.json)"

# 1. dnf upgrade --hotpatch -y
t0=$(now)
rc=0
dnfr upgrade --hotpatch -y >/tmp/dnf1.out 2>/tmp/dnf1.err || rc=$?
t1=$(now)
echo "# dnf upgrade --hotpatch -y (1), stdout:"; show /tmp/dnf1.out
echo "# stderr:"; show /tmp/dnf1.err
cat /tmp/dnf1.out /tmp/dnf1.err >/tmp/dnf1.all
check "upgrade --hotpatch: exit 0" 0 "$rc"
check "upgrade --hotpatch: installed set (v2, hello 1.1, the booted kernel only)" \
	"hello-1.1-1.x86_64 kernel-core-$KEVR.x86_64 $SERIES-2-1.x86_64" "$(pkgs)"
has "upgrade --hotpatch: the newer kernel-core is held back and listed" \
	"^Held back until baseline 2026Q2: kernel-core-$KNEXT \\(" /tmp/dnf1.all
has "upgrade --hotpatch: Complete!" '^Complete!' /tmp/dnf1.all
has "upgrade --hotpatch: the plugin reports the apply" "^$SERIES-2-1\\.x86_64: applied, live now" /tmp/dnf1.all
check "upgrade --hotpatch: /proc/cmdline" hotpatch-v2 "$(cat /proc/cmdline)"
check "upgrade --hotpatch: livepatch_cmdline_v2 enabled" 1 "$(cat $LP/livepatch_cmdline_v2/enabled 2>&1)"
check "upgrade --hotpatch: transition done" 0 "$(cat $LP/livepatch_cmdline_v2/transition 2>&1)"
nodir "upgrade --hotpatch: v1 never made live" $LP/livepatch_cmdline_v1
check "upgrade --hotpatch: only v2 loaded" "livepatch_cmdline_v2 1 0" "$(livestate)"
check "upgrade --hotpatch: the installed payload is v2" yes \
	"$([ -f "$R/usr/lib/hotpatch/kernel-core/$KEVR/livepatch_cmdline_v2.ko" ] && echo yes || echo no)"
check "journal: v2 apply done" done \
	"$(jq -rs --arg p "$SERIES-2-" '[.[] | select(.package | startswith($p))] | last | .phase' "$J")"
check "journal: nothing pending" 0 \
	"$(jq -s '[group_by(.seq)[] | select(all(.phase == "intent"))] | length' "$J")"
rc=0
hp status --json >/tmp/status1.json || rc=$?
check "status --json: exit 0" 0 "$rc"
check "status --json: v2 live" yes "$(live_of "$SERIES" /tmp/status1.json)"
echo "# MEASURED: dnf upgrade --hotpatch -y (install + live apply) $(secs "$t0" "$t1") s"

# 2. Again: nothing to install, nothing to apply.
before=$(rpmqa)
n=$(jlines)
t0=$(now)
rc=0
dnfr upgrade --hotpatch -y >/tmp/dnf2.out 2>/tmp/dnf2.err || rc=$?
t1=$(now)
echo "# dnf upgrade --hotpatch -y (2), stdout:"; show /tmp/dnf2.out
echo "# stderr:"; show /tmp/dnf2.err
cat /tmp/dnf2.out /tmp/dnf2.err >/tmp/dnf2.all
check "second run: exit 0" 0 "$rc"
has "second run: Nothing to do" '^Nothing to do\.' /tmp/dnf2.all
hasnt "second run: no transaction" '^ *(Installing|Upgrading|Installed:|Upgraded:|Running transaction)' /tmp/dnf2.all
has "second run: the hotpatch is already live" 'already live' /tmp/dnf2.all
has "second run: the newer kernel-core still held back" \
	"^Held back until baseline 2026Q2: kernel-core-$KNEXT \\(" /tmp/dnf2.all
check "second run: rpm -qa unchanged" "$before" "$(rpmqa)"
check "second run: no new journal record" "$n" "$(jlines)"
check "second run: /proc/cmdline" hotpatch-v2 "$(cat /proc/cmdline)"
check "second run: only v2 loaded, enabled" "livepatch_cmdline_v2 1 0" "$(livestate)"
hp status --json >/tmp/status2.json
check "second run: status --json: v2 live" yes "$(live_of "$SERIES" /tmp/status2.json)"
echo "# MEASURED: second dnf upgrade --hotpatch -y $(secs "$t0" "$t1") s"

echo "# $fails failed"
[ "$fails" = 0 ]
GUEST
}

guest_script >"$t/guest.sh"
out=$t/out
rc=0
hp_vm_run --timeout 400 --share "$share" --env "HOTPATCH=$HOTPATCH" --env "SRC=$HP_SRC_DIR" \
	--env "ETC=$etc" --env "KEVR=$KEVR" --env "KNEXT=$KNEXT" --env "SERIES=$series" \
	"$t/guest.sh" "$out" || rc=$?
cat "$out/stdout" 2>/dev/null || true
if [ "$rc" != 0 ]; then
	echo "--- guest stderr:" >&2
	tail -n 60 "$out/stderr" >&2 || true
	hp_fail "guest exited $rc"
fi
hp_vm_dmesg_clean "$out" || hp_fail "guest dmesg has warnings"
echo "# $(tr '\n' ' ' <"$out/timing")"
echo "ok - dnf upgrade --hotpatch makes the klp hotpatch live on $kver; a second run is a no-op"
