#!/bin/bash
# Compressed kernel modules (issue 10): .ko.xz and .ko.zst payloads, as
# Fedora ships modules, are decompressed by the lint (xz, zstd command-line
# tools make them, as kmod's build does) and checked like plain ones:
# livepatch=Y, vermagic against the kernel build's release; the published
# sha256 is the shipped (compressed) file's.  Corrupt streams are refused
# with one line.  Real rpmbuild packages, real modules.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild createrepo_c jq xz zstd
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)
d57=/usr/lib/hotpatch/kernel-core/6.1.0-57
c=$HP_TEST_TMP/c
mkdir -p "$c"
xz --check=crc32 -c "$klp/livepatch_cmdline_v1.ko" >"$c/livepatch_cmdline_v1.ko.xz"
zstd -q -19 -c "$klp/livepatch_cmdline_v2.ko" >"$c/livepatch_cmdline_v2.ko.zst"


for case in "klp $c/livepatch_cmdline_v1.ko.xz" "kpatch $c/livepatch_cmdline_v2.ko.zst"; do
	set -- $case
	repo=$(hp_one_hotpatch_repo ok "$1" "$2")
	hp_assert_exit 0 "$HR" publish "$repo"
	hp_assert_exit 0 "$HR" list "$repo" --json
	hp_assert_eq "$1 $d57/${2##*/} $(sha256sum <"$2" | cut -d' ' -f1)" \
		"$(jq -r '.[0] | "\(.engine) \(.payload) \(.sha256)"' "$HP_OUT")"
done

# wrong vermagic inside a compressed module
hp_klp_set_vermagic "$klp/livepatch_cmdline_v1.ko" "$HP_TEST_TMP/livepatch_cmdline_v1.ko" 6.1.0-99-amd64
mkdir -p "$HP_TEST_TMP/bad"
xz --check=crc32 -c "$HP_TEST_TMP/livepatch_cmdline_v1.ko" >"$HP_TEST_TMP/bad/livepatch_cmdline_v1.ko.xz"
repo=$(hp_one_hotpatch_repo vermagic klp "$HP_TEST_TMP/bad/livepatch_cmdline_v1.ko.xz")
before=$(hp_tree_hash "$repo")
hp_assert_exit 1 "$HR" publish "$repo"
hp_assert_eq 1 "$(wc -l <"$HP_ERR")"
hp_assert_contains "$HP_ERR" "module '$d57/livepatch_cmdline_v1.ko.xz' vermagic '6.1.0-99-amd64 .*' does not match the kernel build's release 6.1.0-57-amd64"
hp_assert_eq "$before" "$(hp_tree_hash "$repo")"

# a truncated .ko.zst
mkdir -p "$HP_TEST_TMP/trunc"
head -c 2000 "$c/livepatch_cmdline_v2.ko.zst" >"$HP_TEST_TMP/trunc/livepatch_cmdline_v2.ko.zst"
repo=$(hp_one_hotpatch_repo trunc kpatch "$HP_TEST_TMP/trunc/livepatch_cmdline_v2.ko.zst")
hp_assert_exit 1 "$HR" publish "$repo"
hp_assert_eq 1 "$(wc -l <"$HP_ERR")"
hp_assert_contains "$HP_ERR" "kernel-hotpatch-1-1.x86_64: '$d57/livepatch_cmdline_v2.ko.zst': truncated or corrupt zstd data"
echo "t1104-publish-compressed-ko: ok"
