#!/bin/bash
# hotpatch check against a published, signed repository served over HTTP
# (python's http.server on 127.0.0.1 only): --repo http://... with --gpgkey
# gives the same answer as the local path; so does a yum.repos.d file with
# baseurl=http://... and gpgkey=http://... (repo_gpgcheck=1, the key fetched
# because the repo names it); a tampered hotpatch file, a server that is down,
# a 404 for the hotpatch file and an older revision after a newer one are
# refused with one error line; a dnf variable without a value fails the
# repository naming it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild rpm createrepo_c gpg jq
[ -x /usr/bin/python3 ] || hp_skip "no /usr/bin/python3 for the HTTP server"
HP=$(hp_bin hotpatch)
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)

# --- a signed repository (as t2000): kernels 57/58, hotpatch v1 and v2 for
# 57, baselines B1 (57) and B2 (60)
repo=$(hp_tmpdir repo)
hp_build_rpm kernel-core "$repo" >/dev/null
hp_build_rpm kernel-core "$repo" --define 'krel 58' >/dev/null
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v1.ko" >/dev/null
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v2.ko" \
	--define 'hp_version 2' >/dev/null
hp_make_repo "$repo"
"$HR" baseline add "$repo" --id B1 --kind planned --issued 2026-10-01 \
	--supported-until 2099-12-31 --build kernel-core=6.1.0-57 >/dev/null
"$HR" baseline add "$repo" --id B2 --kind planned --issued 2027-01-01 \
	--build kernel-core=6.1.0-60 >/dev/null
gpghome=$HP_TEST_TMP/gnupg
fpr=$(hp_gpg_init "$gpghome")
key=$HP_TEST_TMP/key.asc
hp_gpg_export "$gpghome" "$key"

# What the server serves: old/ (revision 1), good/ (revision 2), tampered/,
# missing/ (no hotpatch file), the key.
srv=$(hp_tmpdir srv)
"$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" >/dev/null
cp -a "$repo" "$srv/old"
"$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" >/dev/null
cp -a "$repo" "$srv/good"
cp -a "$repo" "$srv/tampered"
cp -a "$repo" "$srv/missing"
cp "$key" "$srv/key.asc"
hpfile=$(cd "$srv/good" && ls repodata/*hotpatch*)
[ -n "$hpfile" ] || hp_fail "no hotpatch file in repodata/"
printf 'x' >>"$srv/tampered/$hpfile"
rm "$srv/missing/$hpfile"

# --- the server: loopback only, killed at exit, bounded wait for it to answer
port=$(hp_free_port)
hp_serve "$port" /usr/bin/python3 -m http.server --bind 127.0.0.1 "$port" --directory "$srv"
base=http://127.0.0.1:$port

# --- the machine: kernels 57 and 58 installed, 57 running
root=$(hp_tmpdir root)
hp_installroot "$root"
hp_rpm_install "$root" "$repo"/kernel-core-6.1.0-57.x86_64.rpm \
	"$repo"/kernel-core-6.1.0-58.x86_64.rpm
export HP_UNAME_R=6.1.0-57-amd64
answer() { jq -c '{available: [.available[] | del(.repo)], held_back}' "$HP_OUT"; }

# --- the reference: the same repository read locally
hp_assert_exit 100 "$HP" --root "$root" --repo "$srv/good" --gpgkey "$key" check --json
local_answer=$(answer)
hp_assert_eq "kernel-hotpatch 2-1" "$(jq -r '.available[0] | "\(.package) \(.evr)"' "$HP_OUT")"

# --- --repo http://.../ --gpgkey KEY: the same answer
t0=$(date +%s%N)
hp_assert_exit 100 "$HP" --root "$root" --repo "$base/good/" --gpgkey "$key" check --json
hp_log "check over http: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
hp_assert_eq "$local_answer" "$(answer)"
hp_assert_exit 100 "$HP" --root "$root" --repo "$base/good" --gpgkey "$key" check
hp_assert_contains "$HP_OUT" '^kernel-hotpatch +2-1\.x86_64'
# an untrusted signature is refused as for a local repository
other=$HP_TEST_TMP/gnupg-other
hp_gpg_init "$other" >/dev/null
hp_gpg_export "$other" "$HP_TEST_TMP/other.asc"
hp_assert_exit 1 "$HP" --root "$root" --repo "$base/good" --gpgkey "$HP_TEST_TMP/other.asc" check
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "untrusted key: one error line"
# --gpgkey is a local file; remote keys only through a repo's gpgkey=
hp_assert_exit 1 "$HP" --root "$root" --repo "$base/good" --gpgkey "$base/key.asc" check
hp_assert_contains "$HP_ERR" "^hotpatch: error: --gpgkey '$base/key.asc': not a local file"

# --- dnf's configuration: baseurl=http://, gpgkey=http://, repo_gpgcheck=1
mkdir -p "$root/etc/yum.repos.d"
write_repo() {   # BASEURL [GPGKEY]
	cat >"$root/etc/yum.repos.d/hotpatch.repo" <<-REPO
	[hp-http]
	name=hotpatch over http
	baseurl=$1
	gpgcheck=0
	repo_gpgcheck=1
	gpgkey=${2:-$base/key.asc}
	REPO
}
write_repo "$base/good/"
hp_assert_exit 100 "$HP" --root "$root" check --json
hp_assert_eq "$local_answer" "$(answer)"
hp_assert_eq "hp-http" "$(jq -r '.available[0].repo' "$HP_OUT")"
# the key must be the one that signed it
cp "$HP_TEST_TMP/other.asc" "$srv/other.asc"
write_repo "$base/good/" "$base/other.asc"
hp_assert_exit 1 "$HP" --root "$root" check --json
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "untrusted fetched key: one error line"
# a key that cannot be fetched
write_repo "$base/good/" "$base/nokey.asc"
hp_assert_exit 1 "$HP" --root "$root" check --json
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "missing key: one error line"
hp_assert_contains "$HP_ERR" "cannot fetch '$base/nokey.asc': .*404"

# --- refused, one line each
# (a refused repository is named: "repository 'ID' refused: WHY", issue 9)
R_="(repository '[^']*' refused: )?"
one_line() {   # WHAT REGEX ARGS...
	local what=$1 re=$2
	shift 2
	hp_assert_exit 1 "$HP" --root "$root" "$@" check --json
	hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "$what: one error line"
	hp_assert_contains "$HP_ERR" "$re"
	# with --json the error is also one JSON object on stdout (issue 13)
	hp_assert_eq "1 $(sed 's/^hotpatch: error: //' "$HP_ERR")" \
		"$(jq -r '"\(.exit) \(.error)"' "$HP_OUT")" "$what: the error as JSON on stdout"
}
one_line "tampered" "^hotpatch: error: .*'$base/tampered/$hpfile': checksum mismatch" \
	--repo "$base/tampered" --gpgkey "$key"
one_line "404" "^hotpatch: error: ${R_}cannot fetch '$base/missing/$hpfile': .*404" \
	--repo "$base/missing" --gpgkey "$key"
down=$(hp_free_port)
one_line "server down" "^hotpatch: error: ${R_}cannot fetch 'http://127.0.0.1:$down/repodata/repomd.xml': " \
	--repo "http://127.0.0.1:$down/" --gpgkey "$key"
one_line "unsupported scheme" "^hotpatch: error: ${R_}'ftp://127.0.0.1/r': unsupported URL scheme" \
	--repo ftp://127.0.0.1/r --gpgkey "$key"
one_line "dnf variables" 'dnf variables \(\$releasever, \$basearch, \.\.\.\) in repository URLs are not substituted' \
	--repo "$base/\$releasever/" --gpgkey "$key"

# --- rollback: revision 2 was seen for hp-http; revision 1 is refused
write_repo "$base/old/"
hp_assert_exit 1 "$HP" --root "$root" check --json
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "rollback: one error line"
hp_assert_contains "$HP_ERR" "revision 1 is older than revision 2 seen before \(rollback refused\)"
write_repo "$base/good/"
hp_assert_exit 100 "$HP" --root "$root" check --json

# --- dnf variables are substituted (t22xx cover them); one without a value
# (no package provides system-release(releasever) here) fails the repo,
# in one line naming it
cat >"$root/etc/yum.repos.d/hotpatch.repo" <<REPO
[hp-vars]
baseurl=$base/\$releasever/\$basearch/
gpgkey=$base/key.asc
REPO
hp_assert_exit 1 "$HP" --root "$root" check --json
hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "undefined variable: one error line"
hp_assert_contains "$HP_ERR" "^hotpatch: error: repository 'hp-vars' refused: '$base/\\\$releasever/[^/]*/': a dnf variable in it has no value"
echo "t2003-check-http: ok"
