#!/bin/bash
# hotpatch-repo publish with kpatch engine payloads (issue 10): a kpatch
# hotpatch carries the .ko that kpatch-build makes; it publishes (it used to
# crash publish) and is linted like a klp module: livepatch=Y and a vermagic
# naming the kernel build's release.  Real rpmbuild packages, real modules.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild createrepo_c jq
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)
d57=/usr/lib/hotpatch/kernel-core/6.1.0-57


# --- a kpatch .ko publishes, listed with its engine and payload digest
repo=$(hp_one_hotpatch_repo good kpatch "$klp/livepatch_cmdline_v1.ko")
hp_assert_exit 0 "$HR" publish "$repo"
hp_assert_contains "$HP_OUT" "revision 1: 1 baselines, 1 hotpatches"
hp_assert_exit 0 "$HR" list "$repo" --json
hp_assert_eq "kpatch $d57/livepatch_cmdline_v1.ko $(sha256sum <"$klp/livepatch_cmdline_v1.ko" | cut -d' ' -f1)" \
	"$(jq -r '.[0] | "\(.engine) \(.payload) \(.sha256)"' "$HP_OUT")"

# --- refused like klp: wrong vermagic, not a livepatch module; nothing changes
hp_klp_set_vermagic "$klp/livepatch_cmdline_v1.ko" "$HP_TEST_TMP/livepatch_cmdline_v1.ko" 6.1.0-99-amd64
repo=$(hp_one_hotpatch_repo vermagic kpatch "$HP_TEST_TMP/livepatch_cmdline_v1.ko")
before=$(hp_tree_hash "$repo")
hp_assert_exit 1 "$HR" publish "$repo"
hp_assert_eq 1 "$(wc -l <"$HP_ERR")"
hp_assert_contains "$HP_ERR" "^hotpatch-repo: error: kernel-hotpatch-1-1.x86_64: module '$d57/livepatch_cmdline_v1.ko' vermagic '6.1.0-99-amd64 .*' does not match the kernel build's release 6.1.0-57-amd64"
hp_assert_eq "$before" "$(hp_tree_hash "$repo")" "refused kpatch publish changed the repository"

repo=$(hp_one_hotpatch_repo notlp kpatch "$klp/stall_kthread.ko")
hp_assert_exit 1 "$HR" publish "$repo"
hp_assert_contains "$HP_ERR" "module '$d57/stall_kthread.ko' is not a livepatch module"

echo "not a module" >"$HP_TEST_TMP/readme.txt"
repo=$(hp_one_hotpatch_repo noko kpatch "$HP_TEST_TMP/readme.txt")
hp_assert_exit 1 "$HR" publish "$repo"
hp_assert_contains "$HP_ERR" "kpatch hotpatch has no .ko module under $d57/"
echo "t1100-publish-kpatch: ok"
