#!/bin/bash
# t7000-ulp-live: user-space hotpatches made live in running services with
# SUSE's libpulp (built from the vendored tarball, cached), through the
# built-in ulp engine and `hotpatch apply|status|reapply|revert`:
#  - a component RPM (hpdemo-libs 1.0-1) ships a library built with patchable
#    entries; two services map it from the installroot standing for the live
#    system, started with LD_PRELOAD=libpulp.so.0;
#  - hotpatch RPMs v1 and v2 (packed libpulp patches) are published by
#    hotpatch-repo (its ulp lint passes) and installed;
#  - apply v1: both services print v1's text, same PIDs; status says
#    "live in 2 of 2 processes";
#  - a third service started afterwards runs the unpatched library: status
#    says 2 of 3 and names it, the hotpatch is not live; reapply brings it in;
#  - v2 replaces v1 in every process (--revert-all=LIB + v2 in one stop of
#    the process): no process prints "original" between v1 and v2;
#  - a process without libpulp.so mapping the build: apply is refused naming
#    it, nothing changes;
#  - revert restores the original output, same PIDs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpm rpmbuild createrepo_c gcc jq flock
HP=$(hp_bin hotpatch)
REPO_BIN=$(hp_bin hotpatch-repo)
PULP=$(hp_libpulp_build)
export HP_ULP=$PULP/bin/ulp
T=$(hp_tmpdir t7000)
F=$T/fixture
hp_ulp_fixture "$PULP" "$F"

# --- the packages, published ---------------------------------------------------
repo=$T/repo
comp=$(hp_build_rpm hpdemo-libs "$repo" --define "lib $F/libhpdemo.so.1")
for v in 1 2; do
	hp_build_rpm hotpatch "$repo" --define 'hp_name hpdemo-libs-hotpatch-1.0-1' \
		--define "hp_version $v" --define 'component hpdemo-libs' --define 'build 1.0-1' \
		--define 'engine ulp' --define "payload $F/libhpdemo_livepatch$v.so" >/dev/null
done
hp_make_repo "$repo"
"$REPO_BIN" baseline add "$repo" --id 2026Q4 --kind planned --issued 2026-10-01 \
	--build hpdemo-libs=1.0-1 >/dev/null
hp_assert_exit 0 "$REPO_BIN" publish "$repo"
hp_assert_exit 0 "$REPO_BIN" list "$repo" --json
hp_assert_contains "$HP_OUT" '"engine": ?"ulp"'

# --- the live system: installroot + services using its library ---------------
R=$T/root
hp_installroot "$R"
hp_rpm_install "$R" "$comp"
cmp "$F/libhpdemo.so.1" "$R/usr/lib64/libhpdemo.so.1"
export HP_ROOT_IS_LIVE=1
H=("$HP" --root "$R" --running hpdemo-libs=1.0-1)

# No process runs the build yet: apply has nothing to patch (exit 0), and
# status does not call it live.
hp_rpm_install "$R" "$repo"/hpdemo-libs-hotpatch-1.0-1-1-1.x86_64.rpm
hp_assert_exit 0 "${H[@]}" apply --all --json
hp_assert_eq '"applied" false' "$(jq -r '.results[0] | "\"\(.action)\" \(.live)"' "$HP_OUT")"
hp_assert_exit 0 "${H[@]}" status --json
hp_assert_eq '"no"' "$(jq -c '.installed[0].live' "$HP_OUT")" "no process: not live"
hp_assert_eq '"live in 0 of 0 processes (no running process maps the patched library build)"' \
	"$(jq -c '.installed[0].live_detail' "$HP_OUT")"

hp_on_exit hp_ulp_stop
start_svc() { # OUTFILE [VAR=VALUE...]: a service on the installroot's library
	hp_ulp_start "$F" "$R/usr/lib64" "$@"
	SVC=$HP_SVC
}
start_svc "$T/a.out" LD_PRELOAD="$PULP/lib/libpulp.so.0"
A=$SVC
start_svc "$T/b.out" LD_PRELOAD="$PULP/lib/libpulp.so.0"
B=$SVC
hp_ulp_wait "$T/a.out" "$A" original
hp_ulp_wait "$T/b.out" "$B" original

# --- v1 -------------------------------------------------------------------------
hp_assert_exit 0 "${H[@]}" status --json
hp_assert_eq '"no"' "$(jq -c '.installed[0].live' "$HP_OUT")" "v1 installed, not live yet"
hp_assert_exit 0 "${H[@]}" apply --all
hp_ulp_wait "$T/a.out" "$A" patched-v1
hp_ulp_wait "$T/b.out" "$B" patched-v1
kill -0 "$A" && kill -0 "$B"
hp_assert_exit 0 "${H[@]}" status --json
hp_assert_eq '"yes"' "$(jq -c '.installed[0].live' "$HP_OUT")" "v1 live"
hp_assert_eq '"live in 2 of 2 processes"' "$(jq -c '.installed[0].live_detail' "$HP_OUT")"
hp_assert_exit 0 "${H[@]}" status
hp_assert_contains "$HP_OUT" '^  hpdemo-libs-hotpatch-1\.0-1-1-1: live in 2 of 2 processes$'

# --- a service started after the apply runs the unpatched library ------------
start_svc "$T/c.out" LD_PRELOAD="$PULP/lib/libpulp.so.0"
C=$SVC
hp_ulp_wait "$T/c.out" "$C" original
hp_assert_exit 0 "${H[@]}" status --json
hp_assert_eq '"no"' "$(jq -c '.installed[0].live' "$HP_OUT")" "a straggler: not live everywhere"
hp_assert_contains "$(jq -r '.installed[0].live_detail' "$HP_OUT")" \
	"^live in 2 of 3 processes; not live in hpdemo-svc \\(pid $C\\)"
hp_assert_exit 0 "${H[@]}" reapply
hp_ulp_wait "$T/c.out" "$C" patched-v1
hp_assert_exit 0 "${H[@]}" status --json
hp_assert_eq '"live in 3 of 3 processes"' "$(jq -c '.installed[0].live_detail' "$HP_OUT")"

# --- v2 replaces v1 in every process --------------------------------------------
rpm "${HP_RPM_FORCE[@]}" --root "$R" --dbpath /root/.rpmdb -U --nodeps --noscripts --nosignature \
	"$repo"/hpdemo-libs-hotpatch-1.0-1-2-1.x86_64.rpm 2>/dev/null
hp_assert_exit 0 "${H[@]}" apply --all --json
hp_assert_eq '"applied"' "$(jq -c '.results[0].action' "$HP_OUT")"
for x in "$A:a" "$B:b" "$C:c"; do
	hp_ulp_wait "$T/${x#*:}.out" "${x%%:*}" patched-v2
	# After the first v1 line, never the original again before v2.
	sed -n '/patched-v1/,$p' "$T/${x#*:}.out" >"$T/after-v1"
	hp_assert_not_contains "$T/after-v1" ' original$'
done
hp_assert_exit 0 "${H[@]}" status --json
hp_assert_eq '"yes"' "$(jq -c '.installed[0].live' "$HP_OUT")" "v2 live"
hp_assert_eq '"live in 3 of 3 processes"' "$(jq -c '.installed[0].live_detail' "$HP_OUT")"
# Only v2 is live in the processes (libpulp's own list).
"$PULP/bin/ulp" patches -p "$A" >"$T/patches"
hp_assert_contains "$T/patches" 'livepatch: libhpdemo_livepatch2\.so'
hp_assert_not_contains "$T/patches" 'livepatch1'

# --- a process without libpulp.so: refused, named, nothing changes ------------
kill "$C"
wait "$C" 2>/dev/null || true
start_svc "$T/d.out"
D=$SVC
hp_ulp_wait "$T/d.out" "$D" original
hp_assert_exit 1 "${H[@]}" apply --all
hp_assert_contains "$HP_ERR" "hpdemo-svc \\(pid $D\\) maps libhpdemo\\.so\\.1 but was started without libpulp\\.so preloaded"
hp_ulp_wait "$T/a.out" "$A" patched-v2
hp_assert_exit 0 "${H[@]}" status --json
hp_assert_contains "$(jq -r '.installed[0].live_detail' "$HP_OUT")" "hpdemo-svc \\(pid $D\\) without libpulp\\.so"
kill "$D"
wait "$D" 2>/dev/null || true

# --- revert ------------------------------------------------------------------------
hp_assert_exit 0 "${H[@]}" revert --all
hp_ulp_wait "$T/a.out" "$A" original
hp_ulp_wait "$T/b.out" "$B" original
kill -0 "$A" && kill -0 "$B"
hp_assert_exit 0 "${H[@]}" status --json
hp_assert_eq '"no"' "$(jq -c '.installed[0].live' "$HP_OUT")" "reverted"
hp_assert_eq '"live in 0 of 2 processes; not live in hpdemo-svc (pid '"$A"'), hpdemo-svc (pid '"$B"') (hotpatch reapply brings in processes started with libpulp.so)"' \
	"$(jq -c '.installed[0].live_detail' "$HP_OUT")"
# The journal has every step.
hp_assert_eq 5 "$(grep -c '"phase":"done"' "$R/var/lib/hotpatch/journal/journal.jsonl")" \
	"journal: apply (no process), apply, reapply, apply v2, revert"

# --- an orphan: the package erased while live (its patch file is gone) --------
hp_assert_exit 0 "${H[@]}" apply --all
hp_ulp_wait "$T/a.out" "$A" patched-v2
hp_rpm_q "$R" -e --nodeps --noscripts hpdemo-libs-hotpatch-1.0-1 2>/dev/null
[ ! -e "$R/usr/lib/hotpatch/hpdemo-libs/1.0-1/libhpdemo_livepatch2.so" ] || hp_fail "payload not erased"
hp_assert_exit 0 "${H[@]}" status --json
hp_assert_eq '[{"live_name":"libhpdemo_livepatch2.so","engine":"ulp","package":"hpdemo-libs-hotpatch-1.0-1-2-1.x86_64"}]' \
	"$(jq -c .orphans "$HP_OUT")" "status lists the orphan"
hp_assert_exit 0 "${H[@]}" revert --all --json
hp_assert_eq '"reverted" true' "$(jq -r '.results[0] | "\"\(.action)\" \(.orphan)"' "$HP_OUT")"
hp_ulp_wait "$T/a.out" "$A" original
hp_ulp_wait "$T/b.out" "$B" original
hp_assert_exit 0 "${H[@]}" status --json
hp_assert_eq '[]' "$(jq -c .orphans "$HP_OUT")" "orphan reverted"
