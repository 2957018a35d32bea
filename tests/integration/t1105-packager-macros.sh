#!/bin/bash
# Packager macros (issue 10): `cmake --install` puts packaging/macros.hotpatch
# into the rpm macro directory; rpmbuild, reading it from there (the default
# macro path with the installed file), builds the spec template of
# docs/hotpatch-template.spec around a kpatch-style livepatch .ko; the package
# follows the convention byte for byte and `hotpatch-repo publish` takes it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild createrepo_c cmake jq
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)
T=$(hp_tmpdir t1105)

# --- installed where rpm reads macro files
macrodir=$(sed -n 's/^HP_RPM_MACROS_DIR:PATH=//p' "$HP_BUILD_DIR/CMakeCache.txt")
[ -n "$macrodir" ] || hp_fail "HP_RPM_MACROS_DIR not in $HP_BUILD_DIR/CMakeCache.txt"
DESTDIR=$T/dest cmake --install "$HP_BUILD_DIR" >"$T/install.log" 2>&1 || { cat "$T/install.log" >&2; hp_fail "cmake --install failed"; }
installed=$T/dest$macrodir/macros.hotpatch
cmp "$installed" "$HP_SRC_DIR/packaging/macros.hotpatch" || hp_fail "macros.hotpatch not installed to $macrodir"
unitdir=$(sed -n 's/^HP_SYSTEMD_UNIT_DIR:PATH=//p' "$HP_BUILD_DIR/CMakeCache.txt")
for u in hotpatch-repo-refresh@.service hotpatch-repo-refresh@.timer; do
	[ -f "$T/dest$unitdir/$u" ] || hp_fail "$u not installed to $unitdir"
done
# rpm's own macro path, with the installed file read as /usr/lib/rpm/macros.d/macros.* would be
path=$(rpm --showrc | sed -n 's/^Macro path: //p')
path=${path/\/usr\/lib\/rpm\/macros.d\/macros.\*/\/usr\/lib\/rpm\/macros.d\/macros.*:$T/dest$macrodir/macros.*}
macros=(--macros "$path")

# --- a missing value is one clear error, not a package publish would refuse
rc=0
rpm "${macros[@]}" --eval '%hotpatch_dir' >"$T/eval.out" 2>"$T/eval.err" || rc=$?
hp_assert_contains "$T/eval.err" 'hotpatch: %hotpatch_component is not set'

# --- the template builds a conforming package from a kpatch-style module
src=$T/src
mkdir -p "$src"
cp "$klp/livepatch_cmdline_v1.ko" "$src/livepatch-cve-2026-1111.ko"
repo=$(hp_tmpdir repo)
hp_build_rpm kernel-core "$repo" >/dev/null
rpm_file=$(hp_build_rpm "$HP_SRC_DIR/docs/hotpatch-template.spec" "$repo" "${macros[@]}" \
	--define "_sourcedir $src")
hp_assert_eq "hotpatch(kernel-core) = 6.1.0-57 hotpatch-engine(kpatch) kernel-core = 6.1.0-57" \
	"$(rpm -qp --nosignature --qf '[%{PROVIDES} %{PROVIDEFLAGS:depflags} %{PROVIDEVERSION}\n]' "$rpm_file" |
		grep '^hotpatch' | sed 's/  *$//' | tr '\n' ' ')$(rpm -qp --nosignature --requires "$rpm_file" | grep -v rpmlib | tr -d '\n')"
d57=/usr/lib/hotpatch/kernel-core/6.1.0-57
rpm2cpio "$rpm_file" | (cd "$T" && cpio -idm --quiet ".$d57/livepatch-cve-2026-1111.ko")
cmp "$T$d57/livepatch-cve-2026-1111.ko" "$src/livepatch-cve-2026-1111.ko" || hp_fail "payload not byte for byte"

hp_make_repo "$repo"
"$HR" baseline add "$repo" --id B1 --kind planned --issued 2026-07-01 --build kernel-core=6.1.0-57 >/dev/null
hp_assert_exit 0 "$HR" publish "$repo"
hp_assert_exit 0 "$HR" list "$repo" --json
hp_assert_eq "kernel-hotpatch-CVE-2026-1111 kernel-core 6.1.0-57 kpatch $d57/livepatch-cve-2026-1111.ko" \
	"$(jq -r '.[0] | "\(.package) \(.component) \(.build) \(.engine) \(.payload)"' "$HP_OUT")"
echo "t1105-packager-macros: ok"
