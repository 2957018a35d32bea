#!/bin/bash
# t0001-fixtures: the test data every other integration test builds on is
# real and what it claims to be: livepatch modules (modinfo), RPM headers
# (rpm -qp), a createrepo_c repository with updateinfo, a gpg-signed
# repomd.xml, and an rpm installroot.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild rpm createrepo_c modifyrepo_c gpg jq modinfo make

T=$(hp_tmpdir t0001)
repo=$T/repo
kver=$(hp_kver)

# --- kernel livepatch modules -------------------------------------------
klp=$(hp_klp_build)
for m in livepatch_cmdline_v1 livepatch_cmdline_v2 livepatch_badinit livepatch_stall; do
	hp_assert_eq Y "$(modinfo -F livepatch "$klp/$m.ko")" "$m.ko is a livepatch module"
	hp_assert_contains "$(modinfo -F vermagic "$klp/$m.ko")" "^$kver "
done
hp_assert_eq "" "$(modinfo -F livepatch "$klp/stall_kthread.ko")" "stall_kthread.ko is not a livepatch"
hp_assert_contains "$(modinfo -F vermagic "$klp/stall_kthread.ko")" "^$kver "
hp_assert_contains "$(modinfo -F parm "$klp/stall_kthread.ko")" '^busy:'
# The replaced function and its target object are in the modules.
hp_assert_contains "$(strings -a "$klp/livepatch_cmdline_v1.ko")" '^cmdline_proc_show$'
hp_assert_contains "$(strings -a "$klp/livepatch_cmdline_v1.ko")" '^hotpatch-v1$'
hp_assert_contains "$(strings -a "$klp/livepatch_cmdline_v2.ko")" '^hotpatch-v2$'
hp_assert_contains "$(strings -a "$klp/livepatch_stall.ko")" '^stall_kthread$'
hp_assert_contains "$(nm "$klp/stall_kthread.ko")" ' T hp_busy_func$'

# Optionally (HP_VM_TESTS=1, ~25 s): the modules behave as the tests assume
# in the real Debian kernel under qemu (see tests/fixtures/klp/vm-smoke.sh).
if [ "${HP_VM_TESTS:-0}" = 1 ]; then
	rc=0
	"$HP_KLP_SRC/vm-smoke.sh" "$klp" "$kver" >"$T/vm.log" 2>&1 || rc=$?
	case "$rc" in
	0) hp_log "vm-smoke: modules behave in $kver" ;;
	77) hp_log "vm-smoke skipped: $(tail -n1 "$T/vm.log")" ;;
	*) cat "$T/vm.log" >&2; hp_fail "vm-smoke of the fixture modules failed" ;;
	esac
fi

# A second build is served from the cache.
stamp_before=$(stat -c %Y "$klp/livepatch_cmdline_v1.ko")
klp2=$(hp_klp_build)
hp_assert_eq "$klp" "$klp2" "cache directory is stable"
hp_assert_eq "$stamp_before" "$(stat -c %Y "$klp/livepatch_cmdline_v1.ko")" "cached module not rebuilt"

# Wrong-kernel copy: only the vermagic release differs.
other=6.1.0-58-amd64
[ "$kver" != "$other" ] || other=6.1.0-99-amd64
hp_klp_set_vermagic "$klp/livepatch_cmdline_v1.ko" "$T/wrong.ko" "$other"
hp_assert_contains "$(modinfo -F vermagic "$T/wrong.ko")" "^$other SMP "
hp_assert_eq Y "$(modinfo -F livepatch "$T/wrong.ko")" "wrong-vermagic copy is still a livepatch"
hp_assert_eq livepatch_cmdline_v1 "$(modinfo -F name "$T/wrong.ko")" "wrong-vermagic copy keeps its name"
hp_assert_eq "$(stat -c %s "$klp/livepatch_cmdline_v1.ko")" "$(stat -c %s "$T/wrong.ko")" "same size"
hp_assert_contains "$(modinfo -F vermagic "$klp/livepatch_cmdline_v1.ko")" "^$kver " # original untouched
# A shorter release is NUL-padded and still parses.
hp_klp_set_vermagic "$klp/livepatch_cmdline_v1.ko" "$T/short.ko" 6.1.0-1
hp_assert_contains "$(modinfo -F vermagic "$T/short.ko")" '^6\.1\.0-1 SMP '
# A longer one is refused.
hp_assert_exit 1 hp_klp_set_vermagic "$klp/livepatch_cmdline_v1.ko" "$T/long.ko" 6.1.0-57-amd64-much-longer
hp_assert_contains "$HP_ERR" 'longer'

# --- RPMs ----------------------------------------------------------------
k57=$(hp_build_rpm kernel-core "$repo" --define 'kver 6.1.0' --define 'krel 57' \
	--define 'uname_r 6.1.0-57-amd64')
k58=$(hp_build_rpm kernel-core "$repo" --define 'kver 6.1.0' --define 'krel 58' \
	--define 'uname_r 6.1.0-58-amd64')
kfc=$(hp_build_rpm kernel-core "$T/other" --define 'kver 6.5.0' --define 'krel 1.fc39' \
	--define 'uname_r 6.5.0-1.fc39.x86_64')
hp_assert_eq kernel-core-6.1.0-57.x86_64 "$(hp_rpm_nevra "$k57")" "kernel-core 57 NEVRA"
hp_assert_eq kernel-core-6.1.0-58.x86_64 "$(hp_rpm_nevra "$k58")" "kernel-core 58 NEVRA"
hp_assert_not_contains "$(rpm -qp --provides "$k57")" 'kernel-uname-r'
hp_assert_contains "$(rpm -qpl "$k57")" '^/lib/modules/6\.1\.0-57-amd64/vmlinuz$'
hp_assert_contains "$(rpm -qpl "$k57")" '^/lib/modules/6\.1\.0-57-amd64/modules\.dep$'
hp_assert_contains "$(rpm -qp --provides "$kfc")" '^kernel-uname-r = 6\.5\.0-1\.fc39\.x86_64$'

hp1=$(hp_build_rpm hotpatch "$repo" --define 'hp_name kernel-hotpatch-6.1.0-57' \
	--define 'hp_version 1' --define 'component kernel-core' --define 'build 6.1.0-57' \
	--define 'engine klp' --define "payload $klp/livepatch_cmdline_v1.ko")
hp_assert_eq kernel-hotpatch-6.1.0-57-1-1.x86_64 "$(hp_rpm_nevra "$hp1")" "hotpatch NEVRA"
prov=$(rpm -qp --provides "$hp1")
hp_assert_contains "$prov" '^hotpatch\(kernel-core\) = 6\.1\.0-57$'
hp_assert_contains "$prov" '^hotpatch-engine\(klp\)$'
hp_assert_contains "$(rpm -qp --requires "$hp1")" '^kernel-core = 6\.1\.0-57$'
hp_assert_contains "$(rpm -qpl "$hp1")" \
	'^/usr/lib/hotpatch/kernel-core/6\.1\.0-57/livepatch_cmdline_v1\.ko$'
# The payload reaches the package byte for byte (not stripped).
mkdir "$T/x"
(cd "$T/x" && rpm2cpio "$hp1" | cpio -id --quiet)
hp_assert_eq "$(sha256sum <"$klp/livepatch_cmdline_v1.ko")" \
	"$(sha256sum <"$T/x/usr/lib/hotpatch/kernel-core/6.1.0-57/livepatch_cmdline_v1.ko")" \
	"payload unchanged by rpmbuild"

# Lint variants: Requires disagreeing with Provides, and no payload.
bad=$(hp_build_rpm hotpatch "$T/bad" --define 'hp_name kernel-hotpatch-bad' \
	--define 'build 6.1.0-57' --define 'bad_requires 6.1.0-58' \
	--define "payload $T/wrong.ko")
hp_assert_contains "$(rpm -qp --provides "$bad")" '^hotpatch\(kernel-core\) = 6\.1\.0-57$'
hp_assert_contains "$(rpm -qp --requires "$bad")" '^kernel-core = 6\.1\.0-58$'
nopay=$(hp_build_rpm hotpatch "$T/bad" --define 'hp_name kernel-hotpatch-nopayload')
hp_assert_not_contains "$(rpm -qpl "$nopay")" '\.ko$'

ossl=$(hp_build_rpm openssl-libs "$repo" --define 'ver 3.0.11' --define 'rel 1')
hp_assert_eq openssl-libs-3.0.11-1.x86_64 "$(hp_rpm_nevra "$ossl")" "openssl-libs NEVRA"
hp_assert_contains "$(rpm -qpl "$ossl")" '^/usr/lib64/libssl\.so\.3$'
# A user-space hotpatch (exec engine) for it.
echo "dummy ulp patch" >"$T/openssl.ulp"
uhp=$(hp_build_rpm hotpatch "$repo" --define 'hp_name openssl-libs-hotpatch' \
	--define 'component openssl-libs' --define 'build 3.0.11-1' --define 'engine ulp' \
	--define "payload $T/openssl.ulp")
hp_assert_contains "$(rpm -qp --provides "$uhp")" '^hotpatch\(openssl-libs\) = 3\.0\.11-1$'
hp_assert_contains "$(rpm -qp --provides "$uhp")" '^hotpatch-engine\(ulp\)$'
hp_assert_contains "$(rpm -qp --requires "$uhp")" '^openssl-libs = 3\.0\.11-1$'

h10=$(hp_build_rpm hello "$repo" --define 'ver 1.0')
h11=$(hp_build_rpm hello "$repo" --define 'ver 1.1')
hp_assert_eq hello-1.0-1.x86_64 "$(hp_rpm_nevra "$h10")" "hello 1.0 NEVRA"
hp_assert_eq hello-1.1-1.x86_64 "$(hp_rpm_nevra "$h11")" "hello 1.1 NEVRA"

# --- repository + updateinfo --------------------------------------------
hp_make_repo "$repo"
hp_assert_contains "$repo/repodata/repomd.xml" '<data type="primary">'
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<updates>'
	hp_updateinfo_update HP-2026-0001 Important CVE-2026-0001,CVE-2026-0002 "$hp1"
	hp_updateinfo_update --reboot HP-2026-0002 Moderate CVE-2026-0003 kernel-core-6.1.0-58.x86_64
	hp_updateinfo_update --type bugfix HP-2026-0003 None - hello-1.1-1.x86_64 openssl-libs-1:3.0.11-1.x86_64
	echo '</updates>'
} >"$T/updateinfo.xml"
xmllint_ok=1
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$T/updateinfo.xml" || xmllint_ok=0
fi
hp_assert_eq 1 "$xmllint_ok" "updateinfo.xml is well-formed"
hp_assert_contains "$T/updateinfo.xml" '<reference href="[^"]*" id="CVE-2026-0002" type="cve"'
hp_assert_contains "$T/updateinfo.xml" \
	'<package name="kernel-hotpatch-6.1.0-57" epoch="0" version="1" release="1" arch="x86_64"'
hp_assert_contains "$T/updateinfo.xml" '<filename>kernel-hotpatch-6.1.0-57-1-1.x86_64.rpm</filename>'
hp_assert_contains "$T/updateinfo.xml" '<package name="openssl-libs" epoch="1" version="3.0.11"'
hp_assert_eq 1 "$(grep -c '<reboot_suggested>True</reboot_suggested>' "$T/updateinfo.xml")" \
	"one package with reboot_suggested"
hp_updateinfo_xml HP-2026-0009 Low - "$h11" >"$T/single.xml"
hp_assert_contains "$T/single.xml" '^<updates>$'
hp_assert_contains "$T/single.xml" '<id>HP-2026-0009</id>'

hp_add_updateinfo "$repo" "$T/updateinfo.xml"
hp_assert_contains "$repo/repodata/repomd.xml" '<data type="updateinfo">'
# createrepo_c reads it back: the advisories survive a --update that keeps
# all metadata.
hp_make_repo "$repo" --update --keep-all-metadata
hp_assert_contains "$repo/repodata/repomd.xml" '<data type="updateinfo">'
hp_assert_eq 7 "$(zcat -f "$repo"/repodata/*-primary.xml.* | grep -c '<package type="rpm"')" \
	"7 packages in primary.xml"
# --- gpg ---------------------------------------------------------------
fpr=$(hp_gpg_init "$T/gnupg")
hp_assert_contains "$fpr" '^[0-9A-F]{40}$'
hp_gpg_export "$T/gnupg" "$T/pubkey.asc"
hp_assert_contains "$T/pubkey.asc" 'BEGIN PGP PUBLIC KEY BLOCK'
hp_gpg_sign "$T/gnupg" "$repo/repodata/repomd.xml"
hp_assert_contains "$repo/repodata/repomd.xml.asc" 'BEGIN PGP SIGNATURE'
gpg --homedir "$T/gnupg" --batch --verify "$repo/repodata/repomd.xml.asc" "$repo/repodata/repomd.xml"
hp_gpg_verify "$T/pubkey.asc" "$repo/repodata/repomd.xml"
# A changed repomd.xml no longer verifies.
cp "$repo/repodata/repomd.xml" "$T/repomd.orig"
echo '<!-- tampered -->' >>"$repo/repodata/repomd.xml"
hp_assert_exit 1 hp_gpg_verify "$T/pubkey.asc" "$repo/repodata/repomd.xml"
cp "$T/repomd.orig" "$repo/repodata/repomd.xml"
# The key is an ed25519 signing key.
hp_assert_contains "$(gpg --homedir "$T/gnupg" --batch --with-colons --list-keys)" '^pub:[^:]*:255:22:'

# --- installroot -----------------------------------------------------------
root=$T/root
hp_installroot "$root"
[ -d "$root/root/.rpmdb" ] || hp_fail "no rpmdb at $root/root/.rpmdb"
hp_rpm_install "$root" "$k57" "$k58" "$h10"
qa=$(rpm --root "$root" --dbpath /root/.rpmdb -qa 2>/dev/null | sort)
hp_assert_eq "$(printf '%s\n' hello-1.0-1.x86_64 kernel-core-6.1.0-57.x86_64 kernel-core-6.1.0-58.x86_64)" \
	"$qa" "installroot rpmdb lists what was installed"
hp_assert_eq kernel-core-6.1.0-57.x86_64 \
	"$(hp_rpm_q "$root" -qf /lib/modules/6.1.0-57-amd64/vmlinuz)" "vmlinuz owned by kernel-core 57"
[ -f "$root/lib/modules/6.1.0-58-amd64/vmlinuz" ] || hp_fail "files really installed under the root"
[ -x "$root/usr/bin/hello" ] || hp_fail "hello installed executable"
# The hotpatch installs next to its kernel, payload included.
hp_rpm_install "$root" "$hp1"
hp_assert_eq "$(sha256sum <"$klp/livepatch_cmdline_v1.ko")" \
	"$(sha256sum <"$root/usr/lib/hotpatch/kernel-core/6.1.0-57/livepatch_cmdline_v1.ko")" \
	"installed payload"
hp_assert_contains "$(hp_rpm_q "$root" -q --whatprovides 'hotpatch(kernel-core)')" \
	'^kernel-hotpatch-6\.1\.0-57-1-1\.x86_64$'

# dnf (if present) reads the repository, the advisories and the installroot's
# rpmdb (rpm's %_dbpath under the root).
if command -v dnf >/dev/null 2>&1; then
	dnf=(dnf -q --releasever 1 --installroot "$root" --disablerepo='*'
		--repofrompath "t,file://$repo" --setopt t.gpgcheck=0
		--setopt "cachedir=$T/dnfcache" --setopt reposdir=/dev/null)
	"${dnf[@]}" updateinfo list --all >"$T/dnf.out" 2>"$T/dnf.err" ||
		{ cat "$T/dnf.err" >&2; hp_fail "dnf cannot read the fixture repo"; }
	hp_assert_contains "$T/dnf.out" 'HP-2026-0003 +bugfix +hello-1\.1-1\.x86_64'
	hp_assert_contains "$T/dnf.out" 'HP-2026-0002 +Moderate/Sec\. +kernel-core-6\.1\.0-58\.x86_64'
	hp_assert_exit 100 "${dnf[@]}" check-update
	hp_assert_contains "$HP_OUT" '^hello\.x86_64 +1\.1-1 +t'
fi

# --- tree hash -----------------------------------------------------------
h1=$(hp_tree_hash "$root")
hp_assert_eq "$h1" "$(hp_tree_hash "$root")" "tree hash is stable"
touch -d '2001-01-01' "$root/usr/bin/hello"
hp_assert_eq "$h1" "$(hp_tree_hash "$root")" "tree hash ignores times"
chmod 0700 "$root/usr/bin/hello"
h2=$(hp_tree_hash "$root")
[ "$h1" != "$h2" ] || hp_fail "tree hash sees mode changes"
echo x >>"$root/usr/bin/hello"
[ "$h2" != "$(hp_tree_hash "$root")" ] || hp_fail "tree hash sees content changes"
h3=$(hp_tree_hash "$root" 'usr/bin/*')
echo y >>"$root/usr/bin/hello"
hp_assert_eq "$h3" "$(hp_tree_hash "$root" 'usr/bin/*')" "tree hash honours excludes"

# --- json + hp_bin ---------------------------------------------------------
echo '{"available":[{"package":"kernel-hotpatch","cves":["CVE-1"]}],"baseline":null}' >"$T/j.json"
hp_assert_eq kernel-hotpatch "$(hp_json_get "$T/j.json" '.available[0].package')" "hp_json_get"
hp_assert_eq null "$(hp_json_get "$T/j.json" '.baseline')" "hp_json_get null"
echo 'not json' >"$T/bad.json"
if (hp_json_get "$T/bad.json" '.x') 2>/dev/null; then
	hp_fail "hp_json_get accepts invalid JSON"
fi
if (HP_BUILD_DIR=$T/nonexistent hp_bin hotpatch) 2>"$T/hp_bin.err"; then
	hp_fail "hp_bin succeeds for a missing binary"
fi
hp_assert_contains "$T/hp_bin.err" 'nonexistent/hotpatch'

hp_log "fixtures OK (kernel headers $kver, key $fpr)"
