#!/bin/bash
# t6004-rpm: the project's own RPM, as a packager builds it and an admin
# installs it. packaging/build-rpm.sh builds the source and binary RPMs
# with rpmbuild (git archive of the checkout; on Debian with
# packaging/rpm-macros.fedora-compat; %check runs the unit tests); the
# packages list exactly the files the build installs, with %license, %doc,
# %config, the systemd scriptlets and the preset; they are installed with
# rpm, scriptlets run, into an installroot (busybox as its /bin/sh), where
# `systemctl --root` applies the preset as %systemd_post would; then real
# dnf (/usr/bin/dnf) runs with the plugin AS INSTALLED in that root
# (pluginpath and pluginconfpath below it, and the installed hotpatch
# binary) against the signed hotpatch repository of the dnf tests:
# `dnf hotpatch list` and `dnf upgrade --hotpatch`. Finally rpm -e removes
# every file again.
#
# The RPMs are built once per source tree (cached in $HP_CACHE_DIR by the
# blobs build-rpm.sh archives, integration tests aside).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t4009-dnf-fixture.sh"

hp_require_cmd rpmbuild rpm git systemctl man
[ -x /bin/busybox ] || hp_skip "busybox-static is not installed (the installroot's /bin/sh)"
dnf_prereqs
T=$(hp_tmpdir t6004)

# --- build (or reuse) the RPMs -------------------------------------------------------
# Keyed by every blob build-rpm.sh archives but the integration tests
# (which the RPM build neither runs nor installs).
commit=$(git -C "$HP_SRC_DIR" stash create 2>/dev/null || true)
tree=$(git -C "$HP_SRC_DIR" ls-tree -r "${commit:-HEAD}" | grep -v $'\ttests/integration/' | sha256sum | cut -c1-40)
cache=$HP_CACHE_DIR/rpm-$tree
if [ ! -f "$cache/done" ]; then
	rm -rf "$cache"
	mkdir -p "$cache"
	hp_log "building the RPMs of tree $tree (rpmbuild, %check included)"
	bash "$HP_SRC_DIR/packaging/build-rpm.sh" "$cache" >"$T/built" ||
		hp_fail "packaging/build-rpm.sh failed"
	touch "$cache/done"
fi
V=$(sed -n 's/^Version: *//p' "$HP_SRC_DIR/packaging/dnf-hotpatch.spec")
MAIN=$cache/dnf-hotpatch-$V-1.x86_64.rpm
REPO=$cache/hotpatch-repo-$V-1.x86_64.rpm
SRPM=$cache/dnf-hotpatch-$V-1.src.rpm
for f in "$MAIN" "$REPO" "$SRPM"; do [ -f "$f" ] || hp_fail "build-rpm.sh made no $(basename "$f")"; done
grep -q '100% tests passed' "$cache/rpmbuild.log" || hp_fail "%check did not pass the unit tests"

q() { rpm -qp --nosignature "$@" 2>/dev/null; }

# --- what the packages hold ----------------------------------------------------------
# Every file with its rpm flags (c config, n noreplace, d doc, l license);
# build-id links and directories' own entries are rpm's.
files() { q --qf '[%{FILENAMES} %{FILEMODES:perms} %{FILEFLAGS:fflags}\n]' "$1" | grep -v '^/usr/lib/\.build-id' |
	sed -E 's/(\.[0-9])\.gz /\1 /; s/ $//' | LC_ALL=C sort; }
py=$(/usr/bin/python3 -c 'import sys; print("cpython-%d%d" % sys.version_info[:2])')
expected_main="/etc/bash_completion.d/dnf-hotpatch -rw-r--r--
/etc/dnf/plugins/hotpatch.conf -rw-r--r-- cn
/etc/hotpatch drwxr-xr-x
/etc/hotpatch/engines.d drwxr-xr-x
/usr/bin/hotpatch -rwxr-xr-x
/usr/lib/python3/dist-packages/dnf-plugins/__pycache__/hotpatch.$py.opt-1.pyc -rw-r--r--
/usr/lib/python3/dist-packages/dnf-plugins/__pycache__/hotpatch.$py.pyc -rw-r--r--
/usr/lib/python3/dist-packages/dnf-plugins/hotpatch.py -rw-r--r--
/usr/lib/python3/dist-packages/dnf_hotpatch drwxr-xr-x
/usr/lib/python3/dist-packages/dnf_hotpatch/__init__.py -rw-r--r--
/usr/lib/python3/dist-packages/dnf_hotpatch/__pycache__ drwxr-xr-x
$(for m in __init__ command config policy; do
	printf '/usr/lib/python3/dist-packages/dnf_hotpatch/__pycache__/%s.%s.%s -rw-r--r--\n' \
		"$m" "$py" opt-1.pyc "$m" "$py" pyc
done)
/usr/lib/python3/dist-packages/dnf_hotpatch/command.py -rw-r--r--
/usr/lib/python3/dist-packages/dnf_hotpatch/config.py -rw-r--r--
/usr/lib/python3/dist-packages/dnf_hotpatch/policy.py -rw-r--r--
/usr/lib/systemd/system-preset/80-dnf-hotpatch.preset -rw-r--r--
/usr/lib/systemd/system/hotpatch-reapply.service -rw-r--r--
/usr/lib/systemd/system/hotpatch-upgrade.service -rw-r--r--
/usr/lib/systemd/system/hotpatch-upgrade.timer -rw-r--r--
/usr/share/bash-completion/completions/hotpatch -rw-r--r--
/usr/share/doc/dnf-hotpatch/DESIGN.md -rw-r--r-- d
/usr/share/doc/dnf-hotpatch/README.md -rw-r--r-- d
/usr/share/doc/dnf-hotpatch/dnf-plugin.md -rw-r--r-- d
/usr/share/doc/dnf-hotpatch/engines.md -rw-r--r-- d
/usr/share/doc/dnf-hotpatch/hotpatch-metadata.md -rw-r--r-- d
/usr/share/licenses/dnf-hotpatch drwxr-xr-x
/usr/share/licenses/dnf-hotpatch/LICENSE -rw-r--r-- l
/usr/share/man/man5/hotpatch-engines.5 -rw-r--r-- d
/usr/share/man/man5/hotpatch.conf.5 -rw-r--r-- d
/usr/share/man/man8/dnf-hotpatch.8 -rw-r--r-- d
/usr/share/man/man8/hotpatch.8 -rw-r--r-- d
/var/cache/hotpatch drwxr-xr-x
/var/lib/hotpatch drwxr-xr-x"
hp_assert_eq "$(LC_ALL=C sort <<<"$expected_main")" "$(files "$MAIN")" "dnf-hotpatch: files and flags"
expected_repo="/usr/bin/hotpatch-repo -rwxr-xr-x
/usr/lib/rpm/macros.d/macros.hotpatch -rw-r--r--
/usr/lib/systemd/system/hotpatch-repo-refresh@.service -rw-r--r--
/usr/lib/systemd/system/hotpatch-repo-refresh@.timer -rw-r--r--
/usr/share/bash-completion/completions/hotpatch-repo -rw-r--r--
/usr/share/licenses/hotpatch-repo drwxr-xr-x
/usr/share/licenses/hotpatch-repo/LICENSE -rw-r--r-- l
/usr/share/man/man8/hotpatch-repo.8 -rw-r--r-- d"
hp_assert_eq "$(LC_ALL=C sort <<<"$expected_repo")" "$(files "$REPO")" "hotpatch-repo: files and flags"
hp_assert_eq "GPL-2.0-or-later GPL-2.0-or-later" "$(q --qf '%{LICENSE}\n' "$MAIN" "$REPO" | paste -sd' ')" "License tag"
hp_assert_contains "$(q --requires "$MAIN")" '^python3-dnf$'
hp_assert_contains "$(q --requires "$MAIN")" '^systemd$'
scripts=$(q --scripts "$MAIN")
hp_assert_contains "$scripts" 'systemctl --no-reload preset hotpatch-reapply\.service hotpatch-upgrade\.service hotpatch-upgrade\.timer'
hp_assert_contains "$scripts" 'systemctl --no-reload disable --now hotpatch-reapply\.service'
hp_assert_contains "$scripts" 'systemctl daemon-reload'
# The source package: the git archive and the spec.
hp_assert_eq "dnf-hotpatch-$V.tar.gz dnf-hotpatch.spec" "$(q -l "$SRPM" | LC_ALL=C sort | paste -sd' ')" "source RPM"
rpm2cpio "$SRPM" | (cd "$T" && cpio -idm --quiet "dnf-hotpatch-$V.tar.gz")
tar tzf "$T/dnf-hotpatch-$V.tar.gz" >"$T/tarball.list"
grep -qx "dnf-hotpatch-$V/LICENSE" "$T/tarball.list" || hp_fail "tarball has no LICENSE"
grep -qx "dnf-hotpatch-$V/packaging/dnf-hotpatch.spec" "$T/tarball.list" || hp_fail "tarball has no spec"
! grep -q "^dnf-hotpatch-$V/build" "$T/tarball.list" || hp_fail "tarball holds build output"

# --- install with rpm into the dnf tests' installroot, scriptlets run ---------------------
dnf_fixture "$T/fx"
R=$DNF_ROOT
install -D -m 0755 /bin/busybox "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
before=$(dnf_qa "$R")
# --nodeps: python3-dnf and systemd are the host's (the root's rpmdb has
# only the fixture's packages); scriptlets run (chrooted, busybox sh).
rpm "${HP_RPM_FORCE[@]}" --root "$R" --dbpath /root/.rpmdb -i --nodeps --nosignature "$MAIN" "$REPO" \
	>"$T/rpm-i.log" 2>&1 || { cat "$T/rpm-i.log" >&2; hp_fail "rpm -i of the built packages failed"; }
grep -iE 'scriptlet|error|warning: %post' "$T/rpm-i.log" | grep -v 'should not be used directly' && hp_fail "rpm -i reported: $(cat "$T/rpm-i.log")"
hp_assert_eq "$(printf '%s\n' $before "dnf-hotpatch-$V-1.x86_64" "hotpatch-repo-$V-1.x86_64" | LC_ALL=C sort)" \
	"$(dnf_qa "$R")" "both packages installed"
hp_rpm_q "$R" -V --nodeps dnf-hotpatch hotpatch-repo >"$T/verify.log" 2>&1 || { cat "$T/verify.log" >&2; hp_fail "rpm -V: installed files differ"; }
hp_assert_eq "hotpatch $V" "$("$R/usr/bin/hotpatch" --version)" "installed hotpatch runs"
hp_assert_eq "hotpatch-repo $V" "$("$R/usr/bin/hotpatch-repo" --version)" "installed hotpatch-repo runs"
for m in "$R"/usr/share/man/man[58]/*; do
	w=$(LC_ALL=C.UTF-8 man --warnings -l "$m" 2>&1 >/dev/null)
	[ -z "$w" ] || hp_fail "installed man page $m: $w"
done

# The preset, applied as %systemd_post applies it (systemctl preset), to the root.
systemctl --root="$R" preset hotpatch-reapply.service hotpatch-upgrade.service hotpatch-upgrade.timer >"$T/preset.log" 2>&1 ||
	{ cat "$T/preset.log" >&2; hp_fail "systemctl --root preset failed"; }
hp_assert_eq enabled "$(systemctl --root="$R" is-enabled hotpatch-reapply.service)" "preset enables hotpatch-reapply.service"
[ -L "$R/etc/systemd/system/sysinit.target.wants/hotpatch-reapply.service" ] || hp_fail "no sysinit.target.wants link"
hp_assert_eq disabled "$(systemctl --root="$R" is-enabled hotpatch-upgrade.timer || true)" "the upgrade timer is the admin's choice"

# --- real dnf with the plugin as installed in the root -------------------------------------
# The plugin and its configuration are the installed files; the only change
# is hotpatch_command, an absolute path that names the host's /usr/bin:
# the installed binary below the root.
conf=$T/installed-plugins
mkdir -p "$conf"
sed "s|^hotpatch_command = /usr/bin/hotpatch$|hotpatch_command = $R/usr/bin/hotpatch|" \
	"$R/etc/dnf/plugins/hotpatch.conf" >"$conf/hotpatch.conf"
hp_assert_eq 1 "$(grep -c "^hotpatch_command = $R/usr/bin/hotpatch$" "$conf/hotpatch.conf")" "installed conf names the command"
idnf() {
	/usr/bin/dnf --installroot "$R" \
		--setopt=pluginpath="$R/usr/lib/python3/dist-packages/dnf-plugins" \
		--setopt=pluginconfpath="$conf" \
		--setopt=reposdir="$DNF_ETC/repos" --setopt=cachedir="$T/dnfcache" \
		--setopt=install_weak_deps=0 --releasever=12 --disablerepo='*' --enablerepo=test \
		-c "$DNF_ETC/dnf.conf" "$@"
}
hp_assert_exit 0 idnf -y upgrade --help
hp_assert_contains "$HP_OUT" '--hotpatch'
hp_assert_exit 100 idnf -y hotpatch list --json
sed -n '/^{/,$p' "$HP_OUT" >"$T/list.json"
hp_assert_eq '["kernel-hotpatch-6.1.0-57 2-1"]' "$(jq -c '[.available[] | .package + " " + .evr]' "$T/list.json")" \
	"dnf hotpatch list: the hotpatch for the running build"
rc=0
idnf upgrade --hotpatch -y >"$T/upgrade.out" 2>&1 || rc=$?
hp_log "dnf upgrade --hotpatch -y: exit $rc"
# (rpm's own errors shown: dnf_qa hides them)
qa=$(hp_rpm_q "$R" -qa 2>"$T/qa.err") || { cat "$T/qa.err" >&2; hp_fail "rpm -qa in the root failed"; }
hp_assert_contains "$qa" '^kernel-hotpatch-6\.1\.0-57-2-1\.x86_64$'
hp_assert_contains "$qa" '^hello-1\.1-1\.x86_64$'
hp_assert_not_contains "$qa" '^kernel-core-6\.1\.0-60'
hp_assert_contains "$T/upgrade.out" '^Held back until baseline 2026Q2: kernel-core-6\.1\.0-60 \('
if [ -d /sys/kernel/livepatch ]; then
	hp_log "this kernel has livepatch: the apply's result is not asserted here (VM tests)"
else
	# The installed binary's real apply after the transaction: refused by
	# this kernel (no livepatch), so dnf exits 1 with the engine's reason.
	hp_assert_eq 1 "$rc" "upgrade --hotpatch exits 1 when the live apply is refused"
	hp_assert_contains "$T/upgrade.out" 'kernel-hotpatch-6\.1\.0-57-2-1\.x86_64: FAILED'
	hp_assert_contains "$T/upgrade.out" '^Error: hotpatch apply --all failed'
fi

# --- rpm -e: scriptlets run, every packaged file goes ----------------------------------------
hp_rpm_q "$R" -e dnf-hotpatch hotpatch-repo >"$T/rpm-e.log" 2>&1 || { cat "$T/rpm-e.log" >&2; hp_fail "rpm -e failed"; }
for f in usr/bin/hotpatch usr/bin/hotpatch-repo usr/lib/python3/dist-packages/dnf-plugins/hotpatch.py \
	usr/lib/python3/dist-packages/dnf_hotpatch \
	etc/dnf/plugins/hotpatch.conf usr/lib/systemd/system/hotpatch-reapply.service; do
	[ ! -e "$R/$f" ] || hp_fail "rpm -e left /$f"
done
hp_log "RPM built, installed, used by dnf and removed"
