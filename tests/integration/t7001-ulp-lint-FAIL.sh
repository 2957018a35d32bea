#!/bin/bash
# t7001-ulp-lint-FAIL: `hotpatch-repo publish` refuses a ulp hotpatch whose
# payload is not a packed libpulp patch for the component build's library
# in the repository, one line naming the package and the reason, exit 1,
# the repository left byte for byte as it was:
#  - a payload that is not ELF;
#  - an ELF shared object without libpulp metadata (not run through `ulp packer`);
#  - a patch packed against another build of the library (build-id differs);
#  - a component build whose package is not in the repository.
# The same repository with the right patch publishes (exit 0).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpm rpmbuild createrepo_c gcc flock
REPO_BIN=$(hp_bin hotpatch-repo)
PULP=$(hp_libpulp_build)
T=$(hp_tmpdir t7001)
F=$T/fixture
hp_ulp_fixture "$PULP" "$F"

# Another build of the library (one more function: another build-id), and
# a patch packed against it.
O=$T/other
mkdir -p "$O"
{ cat "$HP_FIXTURES/ulp/libhpdemo.c"; echo 'int hp_demo_other(void); int hp_demo_other(void) { return 1; }'; } >"$O/libhpdemo.c"
gcc -O2 -fPIC -shared -fpatchable-function-entry=16,14 -Wl,--build-id=sha1 \
	-Wl,-soname,libhpdemo.so.1 -o "$O/libhpdemo.so.1" "$O/libhpdemo.c"
"$PULP/bin/ulp" -q post "$O/libhpdemo.so.1"
cp "$F/libhpdemo_livepatch1.so" "$O/libhpdemo_livepatch9.so"
printf '%s\n@%s\nhp_demo_message:hp_demo_message_patched\n' \
	"$O/libhpdemo_livepatch9.so" "$O/libhpdemo.so.1" >"$O/p.dsc"
"$PULP/bin/ulp" -q packer "$O/p.dsc"
gcc -O2 -fPIC -shared -o "$T/unpacked.so" "$HP_FIXTURES/ulp/hpdemo_livepatch.c" -DHP_VERSION=7
echo "not a shared object" >"$T/text.so"

# publish_case NAME PAYLOAD BUILD EXPECTED-REGEX
publish_case() {
	local name=$1 payload=$2 build=$3 want=$4 repo=$T/repo-$1 before
	mkdir -p "$repo"
	hp_build_rpm hpdemo-libs "$repo" --define "lib $F/libhpdemo.so.1" >/dev/null
	hp_build_rpm hotpatch "$repo" --define 'hp_name hpdemo-libs-hotpatch' --define 'hp_version 1' \
		--define 'component hpdemo-libs' --define "build $build" --define 'engine ulp' \
		--define "payload $payload" >/dev/null
	hp_make_repo "$repo"
	"$REPO_BIN" baseline add "$repo" --id B --kind planned --issued 2026-10-01 \
		--build "hpdemo-libs=$build" >/dev/null
	before=$(hp_tree_hash "$repo")
	if [ -z "$want" ]; then
		hp_assert_exit 0 "$REPO_BIN" publish "$repo"
		return
	fi
	hp_assert_exit 1 "$REPO_BIN" publish "$repo"
	hp_assert_contains "$HP_ERR" "$want"
	hp_assert_eq 1 "$(grep -c '' "$HP_ERR")" "$name: one error line"
	hp_assert_eq "$before" "$(hp_tree_hash "$repo")" "$name: repository unchanged"
}

publish_case text "$T/text.so" 1.0-1 \
	"^hotpatch-repo: error: hpdemo-libs-hotpatch-1-1\\.x86_64: '/usr/lib/hotpatch/hpdemo-libs/1\\.0-1/text\\.so': not an ELF file$"
publish_case unpacked "$T/unpacked.so" 1.0-1 \
	"hpdemo-libs-hotpatch-1-1\\.x86_64: '/usr/lib/hotpatch/hpdemo-libs/1\\.0-1/unpacked\\.so': no libpulp metadata \\(\\.ulp section\\): not a packed live patch \\(run 'ulp packer'\\)$"
other_id=$(readelf -n "$O/libhpdemo.so.1" | sed -n 's/.*Build ID: //p')
real_id=$(readelf -n "$F/libhpdemo.so.1" | sed -n 's/.*Build ID: //p')
[ "$other_id" != "$real_id" ] || hp_fail "the other build has the same build-id"
publish_case otherbuild "$O/libhpdemo_livepatch9.so" 1.0-1 \
	"hpdemo-libs-hotpatch-1-1\\.x86_64: the patch targets libhpdemo\\.so\\.1 build-id $other_id, but in hpdemo-libs-1\\.0-1 /usr/lib64/libhpdemo\\.so\\.1 has build-id $real_id$"
publish_case nocomponent "$F/libhpdemo_livepatch1.so" 1.0-2 \
	"hpdemo-libs-hotpatch-1-1\\.x86_64: component package hpdemo-libs = 1\\.0-2 is not in the repository: cannot check the patch's target libhpdemo\\.so\\.1 \\(build-id $real_id\\)$"
publish_case good "$F/libhpdemo_livepatch1.so" 1.0-1 ""
