#!/usr/bin/env bash
# The main job on a built-in demo, from a fresh Debian 12 machine:
#   1. a mirror operator builds packages (two kernel builds, cumulative hotpatches v1 and v2 carrying real
#      kernel livepatch modules, an openssl-libs hotpatch for a user-space engine), records two baselines,
#      and publishes signed hotpatch metadata with hotpatch-repo;
#   2. a machine running kernel-core 6.1.0-57 asks `hotpatch check` / `status` what it can take live;
#   3. (when qemu and Debian's kernel are here) Debian's kernel boots in qemu and the machine live-applies
#      the hotpatch with `hotpatch apply`: /proc/cmdline changes without a reboot.
# Usage: ./demo.sh [--no-vm]
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
novm=0
[ "${1:-}" = --no-vm ] && novm=1

bash packaging/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHP_TESTS=OFF >/dev/null
make -C build -j"$(nproc)" >/dev/null
export HP_BUILD_DIR=$top/build
# shellcheck source=tests/integration/lib.sh
. tests/integration/lib.sh
PATH=$top/build:$PATH

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" >&2; "$@"; }

D=$(hp_tmpdir demo)
repo=$D/repo
kver=$(hp_kver)
klp=$(hp_klp_build)

# The running kernel's build: Debian's 6.1.0-NN-amd64 becomes kernel-core 6.1.0-NN (the archive moves on,
# so NN is discovered, not written down); the next baseline brings NN+3.
kbase=${kver%-amd64}; kv=${kbase%-*}; kr=${kbase##*-}; kr_next=$((kr + 3))
KEVR=$kv-$kr; KEVR_NEXT=$kv-$kr_next

say "Mirror operator: build the packages"
hp_build_rpm kernel-core "$repo" --define "kver $kv" --define "krel $kr" --define "uname_r $kver" >/dev/null
hp_build_rpm kernel-core "$repo" --define "kver $kv" --define "krel $kr_next" \
	--define "uname_r $kv-$kr_next-amd64" >/dev/null
for v in 1 2; do
	hp_build_rpm hotpatch "$repo" --define "hp_name kernel-core-hotpatch-$KEVR" --define "hp_version $v" \
		--define 'component kernel-core' --define "build $KEVR" --define 'engine klp' \
		--define "payload $klp/livepatch_cmdline_v$v.ko" >/dev/null
done
hp_build_rpm openssl-libs "$repo" --define 'ver 3.0.11' --define 'rel 1' >/dev/null
printf 'ulp patch for openssl-libs 3.0.11-1\n' >"$D/openssl.ulp"
hp_build_rpm hotpatch "$repo" --define 'hp_name openssl-libs-hotpatch-3.0.11-1' --define 'hp_version 1' \
	--define 'component openssl-libs' --define 'build 3.0.11-1' --define 'engine ulp' \
	--define "payload $D/openssl.ulp" >/dev/null
ls "$repo"
hp_make_repo "$repo"
hp_updateinfo_xml HP-2026-1107 Important CVE-2026-31337,CVE-2026-31338 \
	"kernel-core-hotpatch-$KEVR-2-1.x86_64" >"$D/updateinfo.xml"
hp_add_updateinfo "$repo" "$D/updateinfo.xml"

say "Mirror operator: record baselines and publish signed hotpatch metadata"
fpr=$(hp_gpg_init "$D/gnupg")
hp_gpg_export "$D/gnupg" "$D/operator.asc"
run hotpatch-repo baseline add "$repo" --id 2026-Q4 --kind planned --issued 2026-10-01 \
	--supported-until 2027-01-31 --build "kernel-core=$KEVR" --build openssl-libs=3.0.11-1
run hotpatch-repo baseline add "$repo" --id 2026-12-EMERG --kind unplanned --issued 2026-12-02 \
	--build "kernel-core=$KEVR_NEXT" --build openssl-libs=3.0.11-1
run hotpatch-repo baseline list "$repo"
run hotpatch-repo publish "$repo" --sign-key "$fpr" --gnupg-home "$D/gnupg"
run hotpatch-repo verify "$repo" --gnupg-home "$D/gnupg"
run hotpatch-repo list "$repo"

say "Machine: running kernel-core $KEVR ($kver) and openssl-libs 3.0.11-1"
root=$D/root
hp_installroot "$root"
hp_rpm_install "$root" "$repo/kernel-core-$KEVR.x86_64.rpm" "$repo"/openssl-libs-3.0.11-1.x86_64.rpm
export HP_NOW=${HP_NOW:-$(date -d 2026-12-10 +%s)}
export HP_UNAME_R=$kver
rc=0
run hotpatch --root "$root" --repo "$repo" --gpgkey "$D/operator.asc" check || rc=$?
echo "(exit $rc: 100 = hotpatches available)"
run hotpatch --root "$root" --repo "$repo" --gpgkey "$D/operator.asc" check --json | jq . || true
run hotpatch --root "$root" --repo "$repo" --gpgkey "$D/operator.asc" status || true

say "A tampered mirror is refused"
cp -a "$repo" "$D/tampered"
printf ' ' >>"$D/tampered/repodata/repomd.xml"
rc=0
run hotpatch --root "$root" --repo "$D/tampered" --gpgkey "$D/operator.asc" check || rc=$?
echo "(exit $rc)"

if [ "$novm" = 0 ] && [ -x tests/vm/demo-guest.sh ]; then
	say "Live: boot Debian's kernel $kver in qemu, install and live-apply the hotpatch, no reboot"
	bash tests/vm/demo.sh "$D" "$repo"
fi
say "Done."
