#!/bin/bash
# t4003-orphan-revert: a hotpatch package erased while live (rpm -e) leaves
# an orphan -- live in the engine, unknown to rpm. `status` shows it (from
# the engine's list and the journal), `revert --all` takes it back by its
# live name, and the journal records the revert. A patch the engine lists
# that hotpatch never applied is "foreign" and left alone.
#
# The engine is a real exec engine configured under --root (a root-owned
# 0644 <root>/etc/hotpatch/engines.d/hptest.conf) whose commands are a
# small script keeping the live state in a file: the host kernel has no
# livepatch; the klp case runs in qemu (tests/vm).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpm rpmbuild jq
HP=$(hp_bin hotpatch)
# The installroot stands for the live system (the exec engine's state file).
export HP_ROOT_IS_LIVE=1
T=$(hp_tmpdir t4003)
R=$T/root
hp_installroot "$R"

# The engine: live state in $T/live (one NEVRA a line).
state=$T/live
hp_exec_engine "$R" "$state"

# The hotpatch package: openssl-libs 3.0.11-1 patched by the hptest engine.
cat >"$T/hp-ssl.spec" <<'EOS'
Name: hp-ssl
Version: 1
Release: 1
Summary: test hotpatch for the orphan test
License: MIT
BuildArch: x86_64
Provides: hotpatch(openssl-libs) = 3.0.11-1
Provides: hotpatch-engine(hptest)
%description
test
%install
mkdir -p %{buildroot}/usr/lib/hotpatch/openssl-libs/3.0.11-1
echo payload >%{buildroot}/usr/lib/hotpatch/openssl-libs/3.0.11-1/hp-ssl.so
%files
/usr/lib/hotpatch/openssl-libs/3.0.11-1/hp-ssl.so
EOS
rpmfile=$(hp_build_rpm "$T/hp-ssl.spec" "$T/rpms")
hp_rpm_install "$R" "$rpmfile"
H=("$HP" --root "$R" --dbpath /root/.rpmdb --running openssl-libs=3.0.11-1)

hp_assert_exit 0 "${H[@]}" apply --all
hp_assert_contains "$state" '^hp-ssl-1-1\.x86_64$'
echo foreign-patch >>"$state"
hp_assert_exit 0 "${H[@]}" --json status
hp_assert_eq '[]' "$(jq -c .orphans "$HP_OUT")" "no orphan while the package is installed"
hp_assert_eq '["foreign-patch"]' "$(jq -c '[.foreign[].live_name]' "$HP_OUT")" "foreign patch listed"

# Erase the package while it is live: an orphan.
hp_rpm_q "$R" -e --nodeps --noscripts hp-ssl 2>/dev/null
hp_assert_eq "" "$(hp_rpm_q "$R" -qa 'hp-ssl*')" "package erased"
hp_assert_exit 0 "${H[@]}" --json status
hp_assert_eq '[{"live_name":"hp-ssl-1-1.x86_64","engine":"hptest","package":"hp-ssl-1-1.x86_64"}]' \
	"$(jq -c .orphans "$HP_OUT")" "status --json lists the orphan"
hp_assert_exit 0 "${H[@]}" status
hp_assert_contains "$HP_OUT" 'Live but not installed \(orphans\)'
hp_assert_contains "$HP_OUT" 'hp-ssl-1-1\.x86_64 \(hptest hp-ssl-1-1\.x86_64\)'
hp_assert_contains "$HP_OUT" 'not applied by hotpatch'

# revert --all reverts the orphan (and never the foreign patch).
hp_assert_exit 0 "${H[@]}" --json revert --all
hp_assert_eq '[{"package":"hp-ssl-1-1.x86_64","action":"reverted","orphan":true}]' \
	"$(jq -c '[.results[] | {package, action, orphan}]' "$HP_OUT")" "revert --all reverted the orphan"
hp_assert_not_contains "$state" 'hp-ssl'
hp_assert_contains "$state" '^foreign-patch$'
J=$R/var/lib/hotpatch/journal/journal.jsonl
hp_assert_eq '{"op":"revert","package":"hp-ssl-1-1.x86_64","live_name":"hp-ssl-1-1.x86_64","phase":"done"}' \
	"$(tail -n 1 "$J" | jq -c '{op, package, live_name, phase}')" "journal records the revert"
hp_assert_exit 0 "${H[@]}" --json status
hp_assert_eq '[]' "$(jq -c .orphans "$HP_OUT")" "no orphan after the revert"

# revert LIVE_NAME works for an orphan too.
hp_rpm_install "$R" "$rpmfile"
hp_assert_exit 0 "${H[@]}" apply hp-ssl
hp_rpm_q "$R" -e --nodeps --noscripts hp-ssl 2>/dev/null
hp_assert_exit 0 "${H[@]}" revert hp-ssl-1-1.x86_64
hp_assert_contains "$HP_OUT" 'hp-ssl-1-1\.x86_64 \(orphan\): reverted'
hp_assert_not_contains "$state" 'hp-ssl'
# A foreign live name is not ours to revert.
hp_assert_exit 1 "${H[@]}" revert foreign-patch
hp_assert_contains "$state" '^foreign-patch$'
hp_log "orphan found by status and reverted by revert --all / revert NAME"

# --- dnf remove of a live hotpatch package: the plugin reverts it -----------
if [ -x /usr/bin/dnf ] && /usr/bin/python3 -c 'import dnf' 2>/dev/null; then
	mkdir -p "$T/dnf/plugins" "$T/dnf/repos"
	printf '[main]\ngpgcheck=0\nreposdir=%s\n' "$T/dnf/repos" >"$T/dnf/dnf.conf"
	printf '[main]\nenabled=1\nhotpatch_command=%s\n' "$HP" >"$T/dnf/plugins/hotpatch.conf"
	D=(/usr/bin/dnf --installroot "$R" --setopt=pluginpath="$HP_SRC_DIR/plugin/dnf"
	   --setopt=pluginconfpath="$T/dnf/plugins" --setopt=reposdir="$T/dnf/repos"
	   --setopt=cachedir="$T/dnf/cache" --releasever=12 -c "$T/dnf/dnf.conf")
	hp_rpm_install "$R" "$rpmfile"
	hp_assert_exit 0 "${H[@]}" apply hp-ssl
	hp_assert_contains "$state" '^hp-ssl-1-1\.x86_64$'
	hp_assert_exit 0 "${D[@]}" -y remove hp-ssl
	cat "$HP_ERR" >>"$HP_OUT"
	hp_assert_contains "$HP_OUT" 'removed while live'
	hp_assert_eq "" "$(hp_rpm_q "$R" -qa 'hp-ssl*')" "dnf removed the package"
	hp_assert_not_contains "$state" 'hp-ssl'
	hp_assert_contains "$state" '^foreign-patch$'
	hp_log "dnf remove of a live hotpatch package: reverted by the plugin"
else
	hp_log "no dnf here: the dnf remove case is not tested"
fi
