#!/usr/bin/env bash
# The main job on a built-in demo, from a fresh Debian 12 machine:
#   1. a mirror operator builds packages (two kernel builds, cumulative hotpatches v1 and v2 carrying real
#      kernel livepatch modules; a user-space library hpdemo-libs and its cumulative libpulp hotpatches v1
#      and v2), records two baselines, and publishes signed hotpatch metadata with hotpatch-repo;
#   2. a machine running kernel-core 6.1.0-57 asks `hotpatch check` / `status` what it can take live;
#   3. user space, live: two running services map hpdemo-libs' library; `hotpatch apply` makes v1, then v2,
#      live in both with libpulp (built from ../shared/vendor), same PIDs; status says in how many processes;
#      revert brings the original code back;
#   4. (when qemu and Debian's kernel are here) Debian's kernel boots in qemu and the machine live-applies
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
# User space: libpulp's ulp (built once from the vendored tarball, cached), a library built patchable,
# two packed live patches for it (cumulative v1, v2).
pulp=
if pulp=$(hp_libpulp_build); then
	hp_ulp_fixture "$pulp" "$D/ulp"
	hp_build_rpm hpdemo-libs "$repo" --define "lib $D/ulp/libhpdemo.so.1" >/dev/null
	for v in 1 2; do
		hp_build_rpm hotpatch "$repo" --define 'hp_name hpdemo-libs-hotpatch-1.0-1' \
			--define "hp_version $v" --define 'component hpdemo-libs' --define 'build 1.0-1' \
			--define 'engine ulp' --define "payload $D/ulp/libhpdemo_livepatch$v.so" >/dev/null
	done
else
	echo "(libpulp cannot be built here: the user-space part is left out)"
fi
ls "$repo"
hp_make_repo "$repo"
hp_updateinfo_xml HP-2026-1107 Important CVE-2026-31337,CVE-2026-31338 \
	"kernel-core-hotpatch-$KEVR-2-1.x86_64" >"$D/updateinfo.xml"
hp_add_updateinfo "$repo" "$D/updateinfo.xml"

say "Mirror operator: record baselines and publish signed hotpatch metadata"
fpr=$(hp_gpg_init "$D/gnupg")
hp_gpg_export "$D/gnupg" "$D/operator.asc"
run hotpatch-repo baseline add "$repo" --id 2026-Q4 --kind planned --issued 2026-10-01 \
	--supported-until 2027-01-31 --build "kernel-core=$KEVR" --build hpdemo-libs=1.0-1
run hotpatch-repo baseline add "$repo" --id 2026-12-EMERG --kind unplanned --issued 2026-12-02 \
	--build "kernel-core=$KEVR_NEXT" --build hpdemo-libs=1.0-1
run hotpatch-repo baseline list "$repo"
run hotpatch-repo publish "$repo" --sign-key "$fpr" --gnupg-home "$D/gnupg"
run hotpatch-repo verify "$repo" --gnupg-home "$D/gnupg"
run hotpatch-repo list "$repo"

say "Machine: running kernel-core $KEVR ($kver)${pulp:+ and hpdemo-libs 1.0-1}"
root=$D/root
hp_installroot "$root"
hp_rpm_install "$root" "$repo/kernel-core-$KEVR.x86_64.rpm" ${pulp:+"$repo"/hpdemo-libs-1.0-1.x86_64.rpm}
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

if [ -n "$pulp" ]; then
	say "Live, user space: two running services get hpdemo-libs' hotpatch with libpulp, no restart"
	# The installroot stands for this machine: its library is what the services run.
	export HP_ULP=$pulp/bin/ulp HP_ROOT_IS_LIVE=1
	svcs=()
	for s in a b; do
		LD_PRELOAD=$pulp/lib/libpulp.so.0 LD_LIBRARY_PATH=$root/usr/lib64 "$D/ulp/hpdemo-svc" \
			>"$D/svc-$s.out" 2>&1 &
		svcs+=($!)
	done
	hp_on_exit 'kill "${svcs[@]}" 2>/dev/null || true'
	show() { sleep 0.3; for s in a b; do printf '  service %s says: %s\n' "$s" "$(tail -n1 "$D/svc-$s.out")"; done; }
	H=(hotpatch --root "$root" --repo "$repo" --gpgkey "$D/operator.asc")
	show
	hp_rpm_install "$root" "$repo"/hpdemo-libs-hotpatch-1.0-1-1-1.x86_64.rpm
	run "${H[@]}" apply --all
	show
	run "${H[@]}" status | sed -n '/^Installed hotpatches/,/^Available/p'
	rpm "${HP_RPM_FORCE[@]}" --root "$root" --dbpath /root/.rpmdb -U --nodeps --noscripts --nosignature \
		"$repo"/hpdemo-libs-hotpatch-1.0-1-2-1.x86_64.rpm 2>/dev/null
	run "${H[@]}" apply --all
	show
	run "${H[@]}" revert --all
	show
	kill "${svcs[@]}" 2>/dev/null || true
fi

if [ "$novm" = 0 ] && [ -x tests/vm/demo-guest.sh ]; then
	say "Live: boot Debian's kernel $kver in qemu, install and live-apply the hotpatch, no reboot"
	bash tests/vm/demo.sh "$D" "$repo"
fi
say "Done."
