#!/bin/bash
# t4601-dnf-holds (issue 17): the default reboot-requiring set is dnf's
# needs-restarting's (kernel, kernel-core, kernel-rt, glibc, linux-firmware,
# systemd, dbus, dbus-broker, dbus-daemon; plus microcode_ctl), the running
# kernel's build packages (installonlypkg(kernel)) and the names in
# needs-restarting.d/*.conf -- nothing more.  With kernel-headers,
# kernel-tools, dbus-libs, systemd, kernel-modules (installonlypkg(kernel))
# and mydaemon (needs-restarting.d) updates in a second signed repository:
#  - `dnf upgrade --hotpatch -y` installs kernel-headers, kernel-tools and
#    dbus-libs, holds kernel-core (baseline 2026Q2), systemd, kernel-modules
#    and mydaemon, and lists each hold with its reason and baseline;
#  - `--assumeno` prints the same holds, exits 1 and changes nothing;
#  - `dnf hotpatch list` prints the same holds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t4009-dnf-fixture.sh"

dnf_prereqs
T=$(hp_tmpdir t4601)
dnf_fixture "$T"

# The second repository: plain packages (no hotpatch metadata), repomd.xml
# signed with the fixture's key (repo_gpgcheck=1).
X=$T/extra
old=()
for p in "kernel-headers 6.1.0" "kernel-tools 6.1.0" "dbus-libs 1.14.8" "systemd 252" "mydaemon 1.0"; do
	set -- $p
	old+=("$(hp_plain_rpm "$T/old" "$1" "$2")")
done
for p in "kernel-headers 6.1.1" "kernel-tools 6.1.1" "dbus-libs 1.14.10" "systemd 253" "mydaemon 1.1"; do
	set -- $p
	hp_plain_rpm "$X" "$1" "$2" >/dev/null
done
# kernel-modules of the running build and of the next: installonlypkg(kernel)
kmod_spec=$T/kernel-modules.spec
cat >"$kmod_spec" <<'EOS'
Name: kernel-modules
Version: 6.1.0
Release: %{krel}
Summary: test kernel modules
License: MIT
BuildArch: x86_64
Provides: installonlypkg(kernel)
%description
test
%install
mkdir -p %{buildroot}/lib/modules/6.1.0-%{krel}-amd64/extra
echo mod >%{buildroot}/lib/modules/6.1.0-%{krel}-amd64/extra/m.ko
%files
/lib/modules/6.1.0-%{krel}-amd64/extra/m.ko
EOS
old+=("$(hp_build_rpm "$kmod_spec" "$T/old" --define 'krel 57')")
hp_build_rpm "$kmod_spec" "$X" --define 'krel 60' >/dev/null
hp_make_repo "$X"
hp_gpg_sign "$DNF_GNUPG" "$X/repodata/repomd.xml"
cat >"$DNF_ETC/repos/extra.repo" <<EOS
[extra]
name=plain updates
baseurl=file://$X
enabled=1
gpgcheck=0
repo_gpgcheck=1
gpgkey=file://$DNF_KEY
EOS
hp_rpm_install "$DNF_ROOT" "${old[@]}"
mkdir -p "$DNF_ROOT/etc/dnf/plugins/needs-restarting.d"
echo mydaemon >"$DNF_ROOT/etc/dnf/plugins/needs-restarting.d/mydaemon.conf"
initial=$(dnf_qa "$DNF_ROOT")
# the hotpatch command's klp apply is refused by this kernel: log it only
cat >"$T/hotpatch-log" <<EOS
#!/bin/bash
for a; do case \$a in apply) echo "apply: not run (test log only)"; exit 0 ;; esac; done
exec "$DNF_HOTPATCH" "\$@"
EOS
chmod 0755 "$T/hotpatch-log"
sed -i "s|^hotpatch_command=.*|hotpatch_command=$T/hotpatch-log|" "$DNF_HPCONF"
export DNF_CACHE=$T/cache
dnf_run "$DNF_ROOT" --enablerepo=extra -y makecache >/dev/null 2>&1 || hp_fail "dnf makecache failed"

holds() {
	hp_assert_contains "$1" '^Held back until baseline 2026Q2: kernel-core-6\.1\.0-60 \(needs a reboot \(baseline component\)\)$'
	hp_assert_contains "$1" "^Held back until baseline \(next\): systemd-253-1 \(needs a reboot: 'systemd' in reboot_requiring\)\$"
	hp_assert_contains "$1" '^Held back until baseline \(next\): kernel-modules-6\.1\.0-60 \(needs a reboot: a kernel build package \(installonlypkg\(kernel\), installonlypkgs\)\)$'
	hp_assert_contains "$1" '^Held back until baseline \(next\): mydaemon-1\.1-1 \(needs a reboot: listed in needs-restarting\.d\)$'
	hp_assert_contains "$1" '^Held back until baseline \(next\): openssl-libs-3\.0\.12-1 \(advisory HP-2026-0002 suggests a reboot\)$'
	hp_assert_not_contains "$1" '^Held back.*(kernel-headers|kernel-tools|dbus-libs|hello)'
	[ "$(grep -c '^Held back until baseline' "$1")" = 5 ] || hp_fail "expected exactly 5 holds"
}

# --- --assumeno: the plan, nothing changes -------------------------------------
dnf_copy_root "$DNF_ROOT" "$T/a"
hp_assert_exit 1 dnf_run "$T/a" --enablerepo=extra upgrade --hotpatch --assumeno
cat "$HP_OUT" "$HP_ERR" >"$T/out"
holds "$T/out"
hp_assert_contains "$T/out" '^ kernel-headers +x86_64 +6\.1\.1-1 +extra'
hp_assert_contains "$T/out" '^ dbus-libs +x86_64 +1\.14\.10-1 +extra'
hp_assert_not_contains "$T/out" '^ (systemd|kernel-modules|mydaemon) '
hp_assert_eq "$initial" "$(dnf_qa "$T/a")" "--assumeno: rpmdb unchanged"
hp_log "--assumeno: holds listed, nothing changed"

# --- -y: what needs no reboot is installed, the rest held ---------------------
dnf_copy_root "$DNF_ROOT" "$T/y"
hp_assert_exit 0 dnf_run "$T/y" --enablerepo=extra upgrade --hotpatch -y
cat "$HP_OUT" "$HP_ERR" >"$T/out"
holds "$T/out"
qa=$(dnf_qa "$T/y")
for want in kernel-headers-6.1.1-1 kernel-tools-6.1.1-1 dbus-libs-1.14.10-1 hello-1.1-1 \
	kernel-hotpatch-6.1.0-57-2-1 systemd-252-1 kernel-core-6.1.0-57 kernel-modules-6.1.0-57 \
	mydaemon-1.0-1 openssl-libs-3.0.11-1; do
	hp_assert_contains "$qa" "^${want//./\\.}\\.x86_64\$"
done
for not in systemd-253 kernel-core-6.1.0-60 kernel-modules-6.1.0-60 mydaemon-1.1; do
	hp_assert_not_contains "$qa" "^${not//./\\.}"
done
hp_log "-y: kernel-headers, kernel-tools, dbus-libs installed; kernel-core, systemd, kernel-modules, mydaemon held"

# --- dnf hotpatch list shows the same holds ----------------------------------
hp_assert_exit 100 dnf_run "$DNF_ROOT" --enablerepo=extra hotpatch list
cat "$HP_OUT" "$HP_ERR" >"$T/out"
holds "$T/out"
hp_log "dnf hotpatch list: the same holds"

# --- microcode_ctl and the others are in the default set ------------------------
hp_assert_contains "$HP_SRC_DIR/plugin/dnf/hotpatch.conf" \
	'^reboot_requiring = kernel kernel-core kernel-rt glibc linux-firmware systemd dbus dbus-broker dbus-daemon microcode_ctl$'
