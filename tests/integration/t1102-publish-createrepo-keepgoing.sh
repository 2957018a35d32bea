#!/bin/bash
# publish --createrepo, --keep-going, verify --min-days and the refresh
# units (issue 10), on real rpms, createrepo_c, modifyrepo_c and gpg.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild createrepo_c modifyrepo_c gpg jq
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)
gpghome=$HP_TEST_TMP/gnupg
fpr=$(hp_gpg_init "$gpghome")
hp_gpg_export "$gpghome" "$HP_TEST_TMP/key.asc"
sign=(--sign-key "$fpr" --gnupg-home "$gpghome")

# --- --createrepo on a directory of rpms with no repodata yet
repo=$(hp_tmpdir repo)
hp_build_rpm kernel-core "$repo" >/dev/null
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v1.ko" >/dev/null
"$HR" baseline add "$repo" --id B1 --kind planned --issued 2026-07-01 --build kernel-core=6.1.0-57 >/dev/null
hp_assert_exit 0 "$HR" publish "$repo" --createrepo "${sign[@]}"
hp_assert_contains "$HP_OUT" "revision 1: 1 baselines, 1 hotpatches, signed by $fpr"
hp_gpg_verify "$HP_TEST_TMP/key.asc" "$repo/repodata/repomd.xml"
hp_assert_exit 0 "$HR" verify "$repo" --gnupg-home "$gpghome"
# dnf (libsolv) reads what libcreaterepo_c wrote: both packages are there
names=$(dnf -q --installroot "$HP_TEST_TMP/dnfroot" --setopt=reposdir=/nonexistent --nogpgcheck \
	--repofrompath "t,file://$repo" --repo t repoquery --qf '%{name}' 2>"$HP_TEST_TMP/dnf.err" | sort -u | tr '\n' ' ')
hp_assert_eq "kernel-core kernel-hotpatch " "$names" "dnf reads the metadata --createrepo wrote"

# --- new package + updateinfo: --createrepo keeps updateinfo, adds the new rpm
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v2.ko" --define 'hp_version 2' >/dev/null
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<updates>'
	hp_updateinfo_update --issued '2026-03-02 00:00:00' HP-2026-0002 Important CVE-2026-1111 \
		"$repo/kernel-hotpatch-2-1.x86_64.rpm"
	echo '</updates>'
} >"$HP_TEST_TMP/updateinfo.xml"
hp_add_updateinfo "$repo" "$HP_TEST_TMP/updateinfo.xml"
# modifyrepo_c left repomd.xml unsigned-matching: the next publish signs it again
hp_assert_exit 0 "$HR" publish "$repo" --createrepo "${sign[@]}"
hp_assert_contains "$HP_OUT" "revision 2: 1 baselines, 2 hotpatches"
grep -q 'type="updateinfo"' "$repo/repodata/repomd.xml" || hp_fail "--createrepo dropped updateinfo"
hp_gpg_verify "$HP_TEST_TMP/key.asc" "$repo/repodata/repomd.xml"
hp_assert_exit 0 "$HR" list "$repo" --json
hp_assert_eq "CVE-2026-1111" "$(jq -r '.[] | select(.evr == "2-1") | .cves[0]' "$HP_OUT")"
# every file repomd.xml lists exists, and repodata holds nothing else but the signature
listed=$(grep -o '<location href="[^"]*"' "$repo/repodata/repomd.xml" | sed 's/.*href="//; s/"$//' | sort)
for f in $listed; do [ -f "$repo/$f" ] || hp_fail "listed '$f' missing"; done
hp_assert_eq "$(printf '%s\n' $listed repodata/repomd.xml repodata/repomd.xml.asc | sort | tr '\n' ' ')" \
	"$(cd "$repo" && ls repodata/* | sort | tr '\n' ' ')" "repodata holds stale files"

# --- plain publish after an external createrepo_c --update keeps working
hp_make_repo "$repo" --update
hp_assert_exit 0 "$HR" publish "$repo" "${sign[@]}"
hp_assert_contains "$HP_OUT" "revision 3: 1 baselines, 2 hotpatches"
hp_assert_exit 0 "$HR" verify "$repo" --gnupg-home "$gpghome"

# --- --keep-going: a bad package is left out and named, exit 3
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v2.ko" --define 'hp_version 3' \
	--define 'bad_requires 6.1.0-58' >/dev/null
hp_make_repo "$repo" --update
before=$(hp_tree_hash "$repo")
hp_assert_exit 1 "$HR" publish "$repo" "${sign[@]}"
hp_assert_contains "$HP_ERR" "^hotpatch-repo: error: kernel-hotpatch-3-1.x86_64: Provides hotpatch"
hp_assert_eq "$before" "$(hp_tree_hash "$repo")" "default publish must change nothing"
hp_assert_exit 3 "$HR" publish "$repo" --keep-going "${sign[@]}"
hp_assert_contains "$HP_OUT" "revision 4: 1 baselines, 2 hotpatches, signed by $fpr; .*1 refused"
hp_assert_eq 1 "$(wc -l <"$HP_ERR")"
hp_assert_contains "$HP_ERR" "^hotpatch-repo: refused: kernel-hotpatch-3-1.x86_64: Provides hotpatch\(kernel-core\) = 6.1.0-57 but Requires kernel-core = 6.1.0-58"
hp_assert_exit 0 "$HR" list "$repo" --json
hp_assert_eq "1-1 2-1" "$(jq -r '[.[].evr] | sort | join(" ")' "$HP_OUT")"
hp_assert_exit 0 "$HR" verify "$repo" --gnupg-home "$gpghome"
# --keep-going with --createrepo, the same
hp_assert_exit 3 "$HR" publish "$repo" --keep-going --createrepo "${sign[@]}"
hp_assert_contains "$HP_OUT" "revision 5: .*1 refused"

# --- verify --min-days: 0 while far from expiry, 1 within N days
hp_assert_exit 3 "$HR" publish "$repo" --keep-going --expires-days 10 "${sign[@]}"
hp_assert_exit 0 "$HR" verify "$repo" --gnupg-home "$gpghome" --min-days 7
hp_assert_exit 1 "$HR" verify "$repo" --gnupg-home "$gpghome" --min-days 14
hp_assert_contains "$HP_ERR" "hotpatch metadata expires on $(date -u -d '+10 days' +%F), within 14 days; publish again"
hp_assert_exit 1 "$HR" verify "$repo" --gnupg-home "$gpghome" --min-days 14 --json
hp_assert_eq false "$(jq -r .ok "$HP_OUT")"
hp_assert_exit 2 "$HR" verify "$repo" --min-days soon
echo "t1102-publish-createrepo-keepgoing: ok"
