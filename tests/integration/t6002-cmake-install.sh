#!/bin/bash
# t6002-cmake-install: `cmake --install` lays the project out as a
# distribution does -- configuration in /etc and state in /var when the
# prefix is /usr, the dnf plugin where the build machine's dnf looks for
# plugins and its python package beside dnf's own -- and `cmake --install
# --prefix P` and DESTDIR=D write nothing outside P or D (the install
# manifest and the trees are compared with the exact expected lists).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd cmake
hp_require_bin hotpatch hotpatch-repo
/usr/bin/python3 -c 'import dnf.const' 2>/dev/null || hp_skip "/usr/bin/python3 cannot import dnf"
T=$(hp_tmpdir t6002)
B=$HP_BUILD_DIR
grep -q '^CMAKE_INSTALL_PREFIX:PATH=/usr$' "$B/CMakeCache.txt" ||
	hp_skip "$B is not configured with the default prefix /usr"
plugindir=$(/usr/bin/python3 -c 'import dnf.const; print(dnf.const.PLUGINPATH)')
hp_assert_eq /usr/lib/python3/dist-packages/dnf-plugins "$plugindir" "Debian's dnf plugin directory"

# What a /usr build installs, relative to the prefix or the root.
usr_files="bin/hotpatch
bin/hotpatch-repo
lib/python3/dist-packages/dnf-plugins/hotpatch.py
lib/python3/dist-packages/dnf_hotpatch/__init__.py
lib/python3/dist-packages/dnf_hotpatch/command.py
lib/python3/dist-packages/dnf_hotpatch/config.py
lib/python3/dist-packages/dnf_hotpatch/policy.py
lib/rpm/macros.d/macros.hotpatch
lib/systemd/system-preset/80-dnf-hotpatch.preset
lib/systemd/system/hotpatch-reapply.service
lib/systemd/system/hotpatch-repo-refresh@.service
lib/systemd/system/hotpatch-repo-refresh@.timer
lib/systemd/system/hotpatch-upgrade.service
lib/systemd/system/hotpatch-upgrade.timer
share/bash-completion/completions/hotpatch
share/bash-completion/completions/hotpatch-repo
share/doc/dnf-hotpatch/DESIGN.md
share/doc/dnf-hotpatch/README.md
share/doc/dnf-hotpatch/dnf-plugin.md
share/doc/dnf-hotpatch/engines.md
share/doc/dnf-hotpatch/hotpatch-metadata.md
share/man/man5/hotpatch-engines.5
share/man/man5/hotpatch.conf.5
share/man/man8/dnf-hotpatch.8
share/man/man8/hotpatch-repo.8
share/man/man8/hotpatch.8"
etc_files="etc/bash_completion.d/dnf-hotpatch
etc/dnf/plugins/hotpatch.conf"
dirs="etc/hotpatch/engines.d
var/cache/hotpatch
var/lib/hotpatch"
tree() { # DIR: files and empty directories below DIR, relative, sorted
	(cd "$1" && find . \( -type f -o -type d -empty \) | sed 's|^\./||' | LC_ALL=C sort)
}

# --- cmake --install --prefix P: everything below P ------------------------------
P=$T/prefix
cmake --install "$B" --prefix "$P" >"$T/install-p.log" 2>&1 || { cat "$T/install-p.log" >&2; hp_fail "cmake --install --prefix failed"; }
hp_assert_eq "$(printf '%s\n' $usr_files $etc_files $dirs | LC_ALL=C sort)" "$(tree "$P")" \
	"cmake --install --prefix P: the tree below P"
outside=$(grep -v "^$P/" "$B/install_manifest.txt" || true)
[ -z "$outside" ] || hp_fail "installed outside the prefix $P: $outside"
hp_assert_eq "$(printf '%s\n' $usr_files $etc_files | wc -l)" "$(grep -c "" "$B/install_manifest.txt")" \
	"every installed file is in the manifest"

# --- DESTDIR=D, prefix /usr: /usr, /etc, /var below D ----------------------------
D=$T/destdir
DESTDIR=$D cmake --install "$B" >"$T/install-d.log" 2>&1 || { cat "$T/install-d.log" >&2; hp_fail "DESTDIR install failed"; }
expected=$( { printf 'usr/%s\n' $usr_files; printf '%s\n' $etc_files $dirs; } | LC_ALL=C sort)
hp_assert_eq "$expected" "$(tree "$D")" "DESTDIR=D with prefix /usr: /etc and /var for configuration and state"
# The manifest names the files without DESTDIR: each must be below D.
while read -r f; do
	[ -n "$f" ] || continue
	[ -f "$D$f" ] || hp_fail "installed file '$f' is not below DESTDIR $D"
done < <(cat "$B/install_manifest.txt"; echo)
# Installed files are the sources, with a package's modes.
cmp "$D/etc/dnf/plugins/hotpatch.conf" "$HP_SRC_DIR/plugin/dnf/hotpatch.conf"
hp_assert_eq "644 755" "$(stat -c %a "$D/etc/dnf/plugins/hotpatch.conf" "$D/usr/bin/hotpatch" | paste -sd' ')" "modes"

# --- configure: the plugin directory from /usr/bin/python3's dnf, overridable ----
# (configure only: nothing is built; HP_TESTS=OFF needs no Check)
C1=$T/conf-detect
cmake -S "$HP_SRC_DIR" -B "$C1" -DHP_TESTS=OFF >"$T/conf1.log" 2>&1 || { cat "$T/conf1.log" >&2; hp_fail "configure failed"; }
hp_assert_contains "$T/conf1.log" "dnf plugin directory \(from /usr/bin/python3's dnf\): $plugindir"
hp_assert_contains "$C1/cmake_install.cmake" 'CMAKE_INSTALL_PREFIX\}/lib/python3/dist-packages/dnf-plugins"'
# The plugin's package beside dnf's own module (its site-packages directory).
sitedir=$(/usr/bin/python3 -c 'import os, dnf; print(os.path.dirname(os.path.dirname(os.path.abspath(dnf.__file__))))')
hp_assert_contains "$T/conf1.log" "dnf plugin's python package directory \(from /usr/bin/python3's dnf\): $sitedir\$"
hp_assert_contains "$C1/cmake_install.cmake" 'CMAKE_INSTALL_PREFIX\}/lib/python3/dist-packages/dnf_hotpatch"'
# Fedora's spec passes an absolute %{python3_sitelib}/dnf-plugins: still
# relative to the prefix in the install rules, so --prefix relocates it.
C2=$T/conf-fedora
cmake -S "$HP_SRC_DIR" -B "$C2" -DHP_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr \
	-DHP_DNF_PLUGIN_DIR=/usr/lib/python3.12/site-packages/dnf-plugins \
	-DHP_PYTHON_SITE_DIR=/usr/lib/python3.12/site-packages >"$T/conf2.log" 2>&1 ||
	{ cat "$T/conf2.log" >&2; hp_fail "configure with HP_DNF_PLUGIN_DIR failed"; }
hp_assert_contains "$C2/cmake_install.cmake" 'CMAKE_INSTALL_PREFIX\}/lib/python3.12/site-packages/dnf-plugins"'
hp_assert_contains "$C2/cmake_install.cmake" 'CMAKE_INSTALL_PREFIX\}/lib/python3.12/site-packages/dnf_hotpatch"'
# Another prefix: configuration below it (GNUInstallDirs: only /usr and / mean /etc).
C3=$T/conf-local
cmake -S "$HP_SRC_DIR" -B "$C3" -DHP_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr/local >"$T/conf3.log" 2>&1 ||
	{ cat "$T/conf3.log" >&2; hp_fail "configure with prefix /usr/local failed"; }
hp_assert_contains "$C3/cmake_install.cmake" 'set\(_d "/usr/local/etc/dnf/plugins"\)'
# ... and the plugin too (dnf's /usr path re-rooted, not written into /usr).
hp_assert_contains "$C3/cmake_install.cmake" 'CMAKE_INSTALL_PREFIX\}/lib/python3/dist-packages/dnf-plugins"'
hp_assert_contains "$T/conf3.log" 'dnf plugin directory below the prefix /usr/local: /usr/local/lib/python3/dist-packages/dnf-plugins'
hp_assert_contains "$C3/cmake_install.cmake" 'CMAKE_INSTALL_PREFIX\}/lib/python3/dist-packages/dnf_hotpatch"'
hp_assert_contains "$T/conf3.log" "dnf plugin's python package directory below the prefix /usr/local: /usr/local/lib/python3/dist-packages "
hp_assert_contains "$C1/cmake_install.cmake" 'set\(_d "/etc/dnf/plugins"\)'
hp_log "install layout as expected"
