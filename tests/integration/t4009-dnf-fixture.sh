#!/bin/bash
# t4009-dnf-fixture: the fixture every t4*-dnf-* test builds on, and (run as
# a test) a check that it is what it claims: a repository published and
# signed by hotpatch-repo (repo_gpgcheck=1), an installroot running
# kernel-core 6.1.0-57 with hello 1.0 and openssl-libs 3.0.11, and real dnf
# reading both with the plugin from the source tree.
#
# Sourced by the other t4*-dnf-* tests (after lib.sh) for:
#   dnf_fixture DIR   build everything under DIR, set the variables below
#   dnf_run ROOT ARGS...   /usr/bin/dnf on ROOT with the test's options
#   dnf_qa ROOT       sorted `rpm -qa` of ROOT
# Variables: DNF_GPGCHECK (1: packages signed with rpmsign), DNF_REPO DNF_ROOT DNF_ETC DNF_KEY DNF_GNUPG DNF_CONF_DIR DNF_HPCONF
#            DNF_HOTPATCH (hotpatch binary used by the plugin)
# The repository holds: kernel-core 6.1.0-57 and -60 (baselines 2026Q1 and
# 2026Q2), kernel-hotpatch-6.1.0-57 1-1 and 2-1 (klp, cumulative),
# kernel-hotpatch-6.1.0-60 1-1, hello 1.1, openssl-libs 3.0.12 (advisory
# HP-2026-0002 with reboot_suggested).

dnf_prereqs() {
	hp_require_cmd rpmbuild rpm createrepo_c modifyrepo_c gpg jq /usr/bin/dnf
	/usr/bin/python3 -c 'import dnf' 2>/dev/null || hp_skip "dnf's python module not importable by /usr/bin/python3"
	hp_require_bin hotpatch hotpatch-repo
	DNF_HOTPATCH=$(hp_bin hotpatch)
	# The running kernel, as the hotpatch client sees it (uname -r).
	export HP_UNAME_R=6.1.0-57-amd64
	# The installroot stands for the running system (as HP_UNAME_R for its
	# kernel): apply into it is what these tests exercise. Tests of the
	# installroot rule (image builds) unset it.
	export HP_ROOT_IS_LIVE=1
	export TZ=UTC
}

# hp_build_rpm with an explicit result check.
_dnf_rpm() {
	local out
	out=$(hp_build_rpm "$@") || exit 1
	printf '%s\n' "$out"
}

dnf_fixture() {
	local T=$1 klp fpr
	DNF_REPO=$T/repo
	DNF_ROOT=$T/root
	DNF_ETC=$T/etc
	DNF_GNUPG=$T/gnupg
	DNF_KEY=$T/pubkey.asc
	DNF_CONF_DIR=$DNF_ETC/plugins
	DNF_HPCONF=$DNF_CONF_DIR/hotpatch.conf
	mkdir -p "$DNF_REPO" "$DNF_ETC/repos" "$DNF_CONF_DIR"

	klp=$(hp_klp_build)
	hp_klp_set_vermagic "$klp/livepatch_cmdline_v1.ko" "$T/livepatch_cmdline_60.ko" 6.1.0-60-amd64

	local k57 k60 h10 h11 o11 o12
	k57=$(_dnf_rpm kernel-core "$DNF_REPO" --define 'kver 6.1.0' --define 'krel 57')
	k60=$(_dnf_rpm kernel-core "$DNF_REPO" --define 'kver 6.1.0' --define 'krel 60')
	_dnf_rpm hotpatch "$DNF_REPO" --define 'hp_name kernel-hotpatch-6.1.0-57' \
		--define 'hp_version 1' --define 'build 6.1.0-57' \
		--define "payload $klp/livepatch_cmdline_v1.ko" >/dev/null
	_dnf_rpm hotpatch "$DNF_REPO" --define 'hp_name kernel-hotpatch-6.1.0-57' \
		--define 'hp_version 2' --define 'build 6.1.0-57' \
		--define "payload $klp/livepatch_cmdline_v2.ko" >/dev/null
	_dnf_rpm hotpatch "$DNF_REPO" --define 'hp_name kernel-hotpatch-6.1.0-60' \
		--define 'hp_version 1' --define 'build 6.1.0-60' \
		--define "payload $T/livepatch_cmdline_60.ko" >/dev/null
	# hello's script would require /bin/sh, which nothing in the
	# installroot provides.
	h10=$(_dnf_rpm hello "$T/local" --define 'ver 1.0' --define '__requires_exclude ^/bin/sh$')
	h11=$(_dnf_rpm hello "$DNF_REPO" --define 'ver 1.1' --define '__requires_exclude ^/bin/sh$')
	o11=$(_dnf_rpm openssl-libs "$T/local" --define 'ver 3.0.11')
	o12=$(_dnf_rpm openssl-libs "$DNF_REPO" --define 'ver 3.0.12')

	fpr=$(hp_gpg_init "$DNF_GNUPG")
	hp_gpg_export "$DNF_GNUPG" "$DNF_KEY"
	# Packages signed with the same key (rpm's %__gpg is gpg2 on Debian,
	# which is not installed): dnf checks them with gpgcheck=1.
	DNF_GPGCHECK=1
	if ! rpmsign --addsign --define '__gpg /usr/bin/gpg' --define "_gpg_name $fpr" \
		--define "_gpg_path $DNF_GNUPG" "$DNF_REPO"/*.rpm </dev/null >"$T/rpmsign.log" 2>&1; then
		cat "$T/rpmsign.log" >&2
		hp_log "rpmsign failed: packages unsigned, gpgcheck=0"
		DNF_GPGCHECK=0
	fi
	hp_make_repo "$DNF_REPO"
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<updates>'
		hp_updateinfo_update HP-2026-0001 Important CVE-2026-0001 \
			kernel-hotpatch-6.1.0-57-2-1.x86_64
		hp_updateinfo_update --reboot HP-2026-0002 Moderate CVE-2026-0002 "$o12"
		hp_updateinfo_update --type bugfix HP-2026-0003 None - "$h11"
		echo '</updates>'
	} >"$T/updateinfo.xml"
	hp_add_updateinfo "$DNF_REPO" "$T/updateinfo.xml"

	local repo_bin
	repo_bin=$(hp_bin hotpatch-repo)
	"$repo_bin" baseline add "$DNF_REPO" --id 2026Q1 --kind planned --issued 2026-01-01 \
		--supported-until 2036-12-31 --build kernel-core=6.1.0-57 >/dev/null
	"$repo_bin" baseline add "$DNF_REPO" --id 2026Q2 --kind planned --issued 2026-04-01 \
		--supported-until 2036-12-31 --build kernel-core=6.1.0-60 >/dev/null
	"$repo_bin" publish "$DNF_REPO" --sign-key "$fpr" --gnupg-home "$DNF_GNUPG" >"$T/publish.log" 2>&1 ||
		{ cat "$T/publish.log" >&2; hp_fail "hotpatch-repo publish failed"; }

	hp_installroot "$DNF_ROOT"
	hp_rpm_install "$DNF_ROOT" "$k57" "$h10" "$o11"

	cat >"$DNF_ETC/dnf.conf" <<-EOF
	[main]
	gpgcheck=0
	install_weak_deps=0
	keepcache=0
	# as Fedora's kernel-core (installonlypkg(kernel)): a new kernel is
	# installed beside the running one
	installonlypkgs=kernel-core
	EOF
	cat >"$DNF_ETC/repos/test.repo" <<-EOF
	[test]
	name=dnf-hotpatch test repository
	baseurl=file://$DNF_REPO
	enabled=1
	gpgcheck=$DNF_GPGCHECK
	repo_gpgcheck=1
	gpgkey=file://$DNF_KEY
	EOF
	cat >"$DNF_HPCONF" <<-EOF
	[main]
	enabled=1
	hotpatch_command=$DNF_HOTPATCH
	apply_timeout=60
	EOF
	: "$k60"
}

# dnf_run ROOT ARGS... - real dnf (Debian's, /usr/bin/python3) on the
# installroot ROOT with the plugin from the source tree and a metadata cache
# of its own (a fresh download each time: no expiry games), or $DNF_CACHE.
# Without -y (or a cache where the repo key was imported), dnf asks before
# importing the repo_gpgcheck key and fails with stdin closed.
DNF_RUNS=0
dnf_run() {
	local root=$1
	shift
	DNF_RUNS=$((DNF_RUNS + 1))
	/usr/bin/dnf --installroot "$root" \
		--setopt=pluginpath="$HP_SRC_DIR/plugin/dnf" \
		--setopt=pluginconfpath="$DNF_CONF_DIR" \
		--setopt=reposdir="$DNF_ETC/repos" \
		--setopt=cachedir="${DNF_CACHE:-$HP_TEST_TMP/dnfcache.$DNF_RUNS}" \
		--setopt=install_weak_deps=0 \
		--releasever=12 --disablerepo='*' --enablerepo=test \
		-c "$DNF_ETC/dnf.conf" "$@"
}

# dnf_qa ROOT - sorted `rpm -qa` of ROOT, without the gpg-pubkey
# pseudo-packages (dnf imports the repo key there when gpgcheck=1).
dnf_qa() {
	hp_rpm_q "$1" -qa 2>/dev/null | grep -v '^gpg-pubkey-' | LC_ALL=C sort || true
}

# dnf_copy_root SRC DST - a second installroot in the same state.
dnf_copy_root() {
	rm -rf "$2"
	cp -a "$1" "$2"
}

# Run as a test: check the fixture.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	. "$(dirname "$0")/lib.sh"
	dnf_prereqs
	T=$(hp_tmpdir t4009)
	dnf_fixture "$T"

	"$(hp_bin hotpatch-repo)" verify "$DNF_REPO" --gnupg-home "$DNF_GNUPG" >/dev/null ||
		hp_fail "published repository does not verify"
	hp_assert_contains "$DNF_REPO/repodata/repomd.xml" '<data type="hotpatch">'
	hp_assert_contains "$DNF_REPO/repodata/repomd.xml" '<data type="updateinfo">'
	hp_gpg_verify "$DNF_KEY" "$DNF_REPO/repodata/repomd.xml"
	hp_assert_eq "$(printf '%s\n' hello-1.0-1.x86_64 kernel-core-6.1.0-57.x86_64 openssl-libs-3.0.11-1.x86_64)" \
		"$(dnf_qa "$DNF_ROOT")" "installroot content"

	# The hotpatch client sees the running build and the hotpatches.
	hp_assert_exit 100 "$DNF_HOTPATCH" --root "$DNF_ROOT" --repo "$DNF_REPO" --gpgkey "$DNF_KEY" check --json
	hp_assert_eq kernel-core "$(hp_json_get "$HP_OUT" '.running[0].name')" "running component"
	hp_assert_eq 6.1.0-57 "$(hp_json_get "$HP_OUT" '.running[0].evr')" "running build (HP_UNAME_R)"

	# dnf reads the signed repo (repo_gpgcheck=1) and the installroot.
	hp_assert_exit 100 dnf_run "$DNF_ROOT" -y check-update
	hp_assert_contains "$HP_OUT" '^hello\.x86_64 +1\.1-1 +test'
	hp_assert_contains "$HP_OUT" '^kernel-core\.x86_64 +6\.1\.0-60 +test'
	hp_log "dnf fixture OK"
fi
