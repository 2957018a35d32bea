#!/bin/bash
# t4604-dnf-automatic (issue 9): Debian's real dnf-automatic
# (dnf.automatic.main, /usr/bin/python3) on the fixture's installroot.
#  - automatic = no (the default): dnf-automatic is unchanged: it installs
#    kernel-core 6.1.0-60, no hotpatch, nothing is made live.
#  - automatic = yes: it holds back kernel-core (baseline 2026Q2) and
#    openssl-libs (reboot_suggested advisory), installs hello 1.1 and the
#    running build's hotpatch exactly as `dnf upgrade --hotpatch`, then runs
#    `hotpatch apply --all`: the exec hotpatch goes live; the klp one is
#    refused by this kernel (no livepatch), which dnf-automatic reports with
#    exit 1 -- the same answer `dnf upgrade --hotpatch -y` gives here (t4000).
# $releasever: Debian has no system-release package to detect it from (and
# dnf-automatic reads dnf.conf before [base] sets the installroot): it is
# passed as DNF_VAR_releasever, dnf's own way, as a Fedora machine detects it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t4009-dnf-fixture.sh"

dnf_prereqs
/usr/bin/python3 -c 'import dnf.automatic.main' 2>/dev/null ||
	hp_skip "Debian's dnf.automatic is not importable by /usr/bin/python3"
T=$(hp_tmpdir t4604)
dnf_fixture "$T"
state=$T/live
hp_exec_engine "$DNF_ROOT" "$state"
ssl=$(hp_exec_hotpatch_rpm "$T/local" hp-ssl openssl-libs 3.0.11-1)
hp_rpm_install "$DNF_ROOT" "$ssl"
# unattended: the package key is trusted beforehand (dnf-automatic never
# imports keys), the repo_gpgcheck key imported by a first dnf run's cache
rpm --root "$DNF_ROOT" --dbpath /root/.rpmdb --import "$DNF_KEY"
initial=$(dnf_qa "$DNF_ROOT")

# automatic ROOT CACHE - dnf-automatic with apply_updates = yes on ROOT
automatic() {
	local root=$1 cache=$2
	cat >"$T/automatic.conf" <<EOS
[commands]
upgrade_type = default
random_sleep = 0
network_online_timeout = 0
download_updates = yes
apply_updates = yes
[emitters]
emit_via = stdio
[base]
installroot = $root
cachedir = $cache
reposdir = $DNF_ETC/repos
pluginpath = $HP_SRC_DIR/plugin/dnf
pluginconfpath = $DNF_CONF_DIR
install_weak_deps = 0
installonlypkgs = kernel-core
debuglevel = 2
EOS
	DNF_VAR_releasever=12 /usr/bin/python3 -c 'import sys, dnf.automatic.main as m; sys.exit(m.main(sys.argv[1:]))' \
		"$T/automatic.conf"
}

# --- automatic = no: dnf-automatic as it is -----------------------------------
dnf_copy_root "$DNF_ROOT" "$T/no"
dnf_run "$T/no" -y --setopt=cachedir="$T/cache-no" makecache >/dev/null 2>&1 || hp_fail "makecache failed"
: >"$state"
hp_assert_exit 0 automatic "$T/no" "$T/cache-no"
hp_assert_contains "$(dnf_qa "$T/no")" '^kernel-core-6\.1\.0-60\.x86_64$'
hp_assert_not_contains "$(dnf_qa "$T/no")" '^kernel-hotpatch'
hp_assert_eq "" "$(cat "$state")" "automatic = no: nothing made live"
hp_log "automatic = no: dnf-automatic unchanged (kernel 6.1.0-60 installed, no hotpatch)"

# --- automatic = yes ---------------------------------------------------------------
echo 'automatic = yes' >>"$DNF_HPCONF"
dnf_copy_root "$DNF_ROOT" "$T/yes"
dnf_run "$T/yes" -y --setopt=cachedir="$T/cache-yes" makecache >/dev/null 2>&1 || hp_fail "makecache failed"
: >"$state"
hp_assert_exit 1 automatic "$T/yes" "$T/cache-yes"
cat "$HP_OUT" "$HP_ERR" >"$T/out"
hp_assert_eq "$(printf '%s\n' hello-1.1-1.x86_64 hp-ssl-1-1.x86_64 kernel-core-6.1.0-57.x86_64 \
	kernel-hotpatch-6.1.0-57-2-1.x86_64 openssl-libs-3.0.11-1.x86_64)" "$(dnf_qa "$T/yes")" \
	"automatic = yes: the --hotpatch transaction"
hp_assert_eq "hp-ssl-1-1.x86_64" "$(cat "$state")" "automatic = yes: made live after the transaction"
hp_assert_contains "$T/out" 'kernel-hotpatch-6\.1\.0-57-2-1\.x86_64: FAILED'
hp_assert_contains "$T/out" 'hotpatch apply --all failed'
hp_log "automatic = yes: held back, hotpatch installed, exec hotpatch live, klp refusal reported"
