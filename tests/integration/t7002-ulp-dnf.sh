#!/bin/bash
# t7002-ulp-dnf: the admin's path for a user-space hotpatch, with real dnf 4
# and the plugin from the tree, on an installroot standing for the live
# system (HP_ROOT_IS_LIVE=1) whose library two running services map
# (started with LD_PRELOAD=libpulp.so.0, libpulp built from the vendored
# tarball):
#  - `dnf upgrade --hotpatch -y` on a signed repository published by
#    hotpatch-repo installs hotpatch v1 and makes it live: both services
#    print v1's text, same PIDs; `dnf hotpatch status` says "live in 2 of 2
#    processes";
#  - v2 is published; `dnf upgrade --hotpatch -y` upgrades the package and
#    v2 replaces v1 in both services, which never print the original text
#    in between;
#  - `dnf hotpatch revert --all` restores the original output.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpm rpmbuild createrepo_c gcc jq gpg flock /usr/bin/dnf
/usr/bin/python3 -c 'import dnf' 2>/dev/null || hp_skip "dnf's python module not importable by /usr/bin/python3"
HP=$(hp_bin hotpatch)
REPO_BIN=$(hp_bin hotpatch-repo)
PULP=$(hp_libpulp_build)
export HP_ULP=$PULP/bin/ulp HP_ROOT_IS_LIVE=1 TZ=UTC
T=$(hp_tmpdir t7002)
F=$T/fixture
hp_ulp_fixture "$PULP" "$F"

# --- the repository: the component and hotpatch v1, signed ------------------
repo=$T/repo
comp=$(hp_build_rpm hpdemo-libs "$T/local" --define "lib $F/libhpdemo.so.1")
mkdir -p "$repo"
cp "$comp" "$repo/"
hotpatch_rpm() { # VERSION
	hp_build_rpm hotpatch "$repo" --define 'hp_name hpdemo-libs-hotpatch-1.0-1' \
		--define "hp_version $1" --define 'component hpdemo-libs' --define 'build 1.0-1' \
		--define 'engine ulp' --define "payload $F/libhpdemo_livepatch$1.so" \
		--define '__requires_exclude ^(rtld|libc\.so).*$' >/dev/null
}
hotpatch_rpm 1
fpr=$(hp_gpg_init "$T/gnupg")
hp_gpg_export "$T/gnupg" "$T/pubkey.asc"
hp_make_repo "$repo"
"$REPO_BIN" baseline add "$repo" --id 2026Q4 --kind planned --issued 2026-10-01 \
	--supported-until 2036-12-31 --build hpdemo-libs=1.0-1 >/dev/null
hp_assert_exit 0 "$REPO_BIN" publish "$repo" --sign-key "$fpr" --gnupg-home "$T/gnupg"

# --- dnf on the installroot ---------------------------------------------------
R=$T/root
hp_installroot "$R"
hp_rpm_install "$R" "$comp"
E=$T/etc
mkdir -p "$E/repos" "$E/plugins"
cat >"$E/dnf.conf" <<EOF
[main]
gpgcheck=0
install_weak_deps=0
keepcache=0
EOF
cat >"$E/repos/test.repo" <<EOF
[test]
name=ulp test repository
baseurl=file://$repo
enabled=1
gpgcheck=0
repo_gpgcheck=1
gpgkey=file://$T/pubkey.asc
EOF
cat >"$E/plugins/hotpatch.conf" <<EOF
[main]
enabled=1
hotpatch_command=$HP
apply_timeout=60
EOF
runs=0
dnf_run() {
	runs=$((runs + 1))
	/usr/bin/dnf --installroot "$R" --setopt=pluginpath="$HP_SRC_DIR/plugin/dnf" \
		--setopt=pluginconfpath="$E/plugins" --setopt=reposdir="$E/repos" \
		--setopt=cachedir="$T/dnfcache.$runs" --releasever=12 --disablerepo='*' \
		--enablerepo=test -c "$E/dnf.conf" "$@"
}

# --- the services ----------------------------------------------------------------
hp_on_exit hp_ulp_stop
hp_ulp_start "$F" "$R/usr/lib64" "$T/a.out" LD_PRELOAD="$PULP/lib/libpulp.so.0"
A=$HP_SVC
hp_ulp_start "$F" "$R/usr/lib64" "$T/b.out" LD_PRELOAD="$PULP/lib/libpulp.so.0"
B=$HP_SVC
hp_ulp_wait "$T/a.out" "$A" original
hp_ulp_wait "$T/b.out" "$B" original

# --- v1 through dnf ----------------------------------------------------------------
hp_assert_exit 0 dnf_run upgrade --hotpatch -y
hp_assert_contains "$(hp_rpm_q "$R" -qa)" '^hpdemo-libs-hotpatch-1\.0-1-1-1\.x86_64$'
hp_ulp_wait "$T/a.out" "$A" patched-v1
hp_ulp_wait "$T/b.out" "$B" patched-v1
kill -0 "$A" && kill -0 "$B"
hp_assert_exit 0 dnf_run -y hotpatch status
hp_assert_contains "$HP_OUT" '^  hpdemo-libs-hotpatch-1\.0-1-1-1: live in 2 of 2 processes$'

# --- v2 published, through dnf: replaces v1 in each process -----------------------
hotpatch_rpm 2
hp_make_repo "$repo" --update --keep-all-metadata
hp_assert_exit 0 "$REPO_BIN" publish "$repo" --sign-key "$fpr" --gnupg-home "$T/gnupg"
hp_assert_exit 0 dnf_run upgrade --hotpatch -y
hp_assert_eq hpdemo-libs-hotpatch-1.0-1-2-1.x86_64 "$(hp_rpm_q "$R" -qa 'hpdemo-libs-hotpatch*')" "v2 replaced v1 in the rpmdb"
for x in "$A:a" "$B:b"; do
	hp_ulp_wait "$T/${x#*:}.out" "${x%%:*}" patched-v2
	sed -n '/patched-v1/,$p' "$T/${x#*:}.out" >"$T/after-v1"
	hp_assert_not_contains "$T/after-v1" ' original$'
done
kill -0 "$A" && kill -0 "$B"
hp_assert_exit 0 "$HP" --root "$R" status --json
hp_assert_eq '"yes"' "$(jq -c '.installed[0].live' "$HP_OUT")"
hp_assert_eq '"live in 2 of 2 processes"' "$(jq -c '.installed[0].live_detail' "$HP_OUT")"

# --- revert through dnf ------------------------------------------------------------
hp_assert_exit 0 dnf_run -y hotpatch revert --all
hp_ulp_wait "$T/a.out" "$A" original
hp_ulp_wait "$T/b.out" "$B" original
kill -0 "$A" && kill -0 "$B"
