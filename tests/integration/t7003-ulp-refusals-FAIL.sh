#!/bin/bash
# t7003-ulp-refusals-FAIL: what the ulp engine does when a process cannot be
# patched, with real libpulp and real services (see t7000 for the setup):
#  - all or nothing: two services; the second one (higher PID, patched
#    second) runs under a seccomp filter that makes libpulp's dlopen of the
#    patch fail: apply exits 1 with one line naming that PID and ulp's
#    reason, and the first service, already patched, is reversed: both print
#    the original text and libpulp lists no live patch in either;
#  - ptrace refused (the service is already traced by another process):
#    refused before anything changed, naming the PID and the tracer's;
#  - a library not built patchable (no -fpatchable-function-entry, no
#    `ulp post`): refused, naming the library and build-id.
# Every refusal: exit 1, one error line, the journal records "failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpm rpmbuild gcc jq flock
HP=$(hp_bin hotpatch)
PULP=$(hp_libpulp_build)
export HP_ULP=$PULP/bin/ulp HP_ROOT_IS_LIVE=1
T=$(hp_tmpdir t7003)
F=$T/fixture
hp_ulp_fixture "$PULP" "$F"

# install_root DIR LIB PATCH BUILD-RELEASE: an installroot with the component
# (LIB as /usr/lib64/libhpdemo.so.1) and the hotpatch (PATCH) for it.
install_root() {
	local r=$1 rpms=$T/rpms-$4
	hp_installroot "$r"
	hp_build_rpm hpdemo-libs "$rpms" --define "lib $2" --define "rel $4" >/dev/null
	hp_build_rpm hotpatch "$rpms" --define 'hp_name hpdemo-libs-hotpatch' --define 'hp_version 1' \
		--define 'component hpdemo-libs' --define "build 1.0-$4" --define 'engine ulp' \
		--define "payload $3" >/dev/null
	hp_rpm_install "$r" "$rpms"/*.rpm
}
R=$T/root
install_root "$R" "$F/libhpdemo.so.1" "$F/libhpdemo_livepatch1.so" 1
H=("$HP" --root "$R" --running hpdemo-libs=1.0-1)

hp_on_exit hp_ulp_stop
start_svc() { # ROOT OUTFILE [VAR=VALUE...]: a service with libpulp on ROOT's library
	local root=$1
	shift
	hp_ulp_start "$F" "$root/usr/lib64" "$@" LD_PRELOAD="$PULP/lib/libpulp.so.0"
	SVC=$HP_SVC
}
# one_error: exactly one "hotpatch: error:" line, matching REGEX.
one_error() {
	hp_assert_eq 1 "$(grep -c '' "$HP_ERR")" "one error line"
	hp_assert_contains "$HP_ERR" "$1"
}
failed_records() {
	grep -c '"phase":"failed"' "$1/var/lib/hotpatch/journal/journal.jsonl"
}

# --- a failure in the second process reverses the first --------------------
start_svc "$R" "$T/a.out"
A=$SVC
start_svc "$R" "$T/b.out" HPDEMO_SECCOMP=1
B=$SVC
[ "$A" -lt "$B" ] || hp_fail "PIDs wrapped around ($A, $B): cannot order the processes; run again"
hp_ulp_wait "$T/a.out" "$A" original
hp_ulp_wait "$T/b.out" "$B" original
hp_assert_exit 1 "${H[@]}" apply --all
one_error "^hotpatch: error: hpdemo-libs-hotpatch-1-1\\.x86_64: ulp engine: hpdemo-svc \\(pid $B\\): .*FAILED .*libhpdemo_livepatch1\\.so: Failure in dlopen; libhpdemo_livepatch1\\.so reversed in the other processes \\(live now: no\\)$"
hp_ulp_wait "$T/a.out" "$A" original
hp_ulp_wait "$T/b.out" "$B" original
for p in "$A" "$B"; do
	"$PULP/bin/ulp" patches -p "$p" >"$T/patches"
	hp_assert_not_contains "$T/patches" 'livepatch:'
done
hp_assert_eq 1 "$(failed_records "$R")" "journal: the apply failed"
kill "$B"
wait "$B" 2>/dev/null || true

# --- ptrace refused: another tracer holds the process -----------------------
cat >"$T/tracer.c" <<'EOF'
/* Holds PID traced (PTRACE_SEIZE: it keeps running) until killed. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	if (argc != 2 || ptrace(PTRACE_SEIZE, atoi(argv[1]), 0, 0)) {
		perror("tracer");
		return 1;
	}
	puts("tracing");
	fflush(stdout);
	pause();
	return 0;
}
EOF
gcc -O2 -o "$T/tracer" "$T/tracer.c"
start_svc "$R" "$T/c.out"
C=$SVC
hp_ulp_wait "$T/c.out" "$C" original
"$T/tracer" "$C" >"$T/tracer.out" &
TR=$!
HP_ULP_PIDS+=("$TR")
for ((i = 0; i < 100; i++)); do grep -q tracing "$T/tracer.out" && break; sleep 0.05; done
hp_assert_contains "$T/tracer.out" '^tracing$'
hp_assert_exit 1 "${H[@]}" apply --all
# Asked whether it is live before anything is done: the question fails, naming
# the process and the tracer; nothing is tried, nothing journaled.
one_error "^hotpatch: error: hpdemo-libs-hotpatch-1-1\\.x86_64: ulp engine: hpdemo-svc \\(pid $C\\): ptrace refused: already traced by pid $TR; 'ulp check' failed: .*error gathering target process information\\.$"
hp_ulp_wait "$T/a.out" "$A" original
"$PULP/bin/ulp" patches -p "$A" >"$T/patches"
hp_assert_not_contains "$T/patches" 'livepatch:'
hp_assert_eq 1 "$(failed_records "$R")" "journal: no new record"
kill "$C"

# --- a library not built patchable ----------------------------------------------
N=$T/nonpatchable
mkdir -p "$N"
gcc -O2 -fPIC -shared -Wl,--build-id=sha1 -DHP_TAG="\"$N\"" -Wl,-soname,libhpdemo.so.1 \
	-o "$N/libhpdemo.so.1" "$HP_FIXTURES/ulp/libhpdemo.c"
cp "$F/libhpdemo_livepatch1.so" "$N/libhpdemo_livepatch1.so"
printf '%s\n@%s\nhp_demo_message:hp_demo_message_patched\n' \
	"$N/libhpdemo_livepatch1.so" "$N/libhpdemo.so.1" >"$N/p.dsc"
"$PULP/bin/ulp" -q packer "$N/p.dsc"
R2=$T/root2
install_root "$R2" "$N/libhpdemo.so.1" "$N/libhpdemo_livepatch1.so" 2
id=$(readelf -n "$N/libhpdemo.so.1" | sed -n 's/.*Build ID: //p')
start_svc "$R2" "$T/d.out"
D=$SVC
hp_ulp_wait "$T/d.out" "$D" original
hp_assert_exit 1 "$HP" --root "$R2" --running hpdemo-libs=1.0-2 apply --all
one_error "ulp engine: libhpdemo\\.so\\.1 \\(build-id $id\\) is not live-patchable: .*Missing __patchable_function_entries section.*; nothing changed \\(live now: no\\)$"
hp_ulp_wait "$T/d.out" "$D" original
hp_assert_eq 1 "$(failed_records "$R2")" "journal: the apply failed"
