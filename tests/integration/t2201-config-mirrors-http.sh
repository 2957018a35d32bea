#!/bin/bash
# metalink= and mirrorlist= served over HTTP (python's http.server on
# 127.0.0.1), as Fedora/RHEL repo files use them (issue 12): mirrors tried
# in the metalink's preference order / the mirrorlist's order, a dead
# mirror moving on to the next; repomd.xml checked against the metalink's
# size and strongest hash (sha512 over sha256) -- a wrong hash refused, an
# alternate (previous repomd.xml) accepted; dnf variables substituted in
# the metalink URL and in mirrorlist entries; skip_if_unavailable=True (in
# the repo or dnf.conf [main]) skipping an unreachable repo with a note and
# "skipped": true in --json, while without it the command fails in one line
# naming the repo; a stale mirror (older revision) moving on to a current one.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild rpm createrepo_c gpg jq sha256sum sha512sum
[ -x /usr/bin/python3 ] || hp_skip "no /usr/bin/python3 for the HTTP server"
HP=$(hp_bin hotpatch)
HR=$(hp_bin hotpatch-repo)
klp=$(hp_klp_build)

repo=$(hp_tmpdir repo)
hp_build_rpm kernel-core "$repo" >/dev/null
hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v1.ko" >/dev/null
hp_make_repo "$repo"
"$HR" baseline add "$repo" --id B1 --kind planned --issued 2026-10-01 \
	--supported-until 2099-12-31 --build kernel-core=6.1.0-57 >/dev/null
gpghome=$HP_TEST_TMP/gnupg
fpr=$(hp_gpg_init "$gpghome")
key=$HP_TEST_TMP/key.asc
hp_gpg_export "$gpghome" "$key"

# Served: old/ (revision 1), then m1/ m2/ (revision 2, two mirrors of it)
srv=$(hp_tmpdir srv)
"$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" >/dev/null
cp -a "$repo" "$srv/old"
old_sha256=$(sha256sum "$srv/old/repodata/repomd.xml" | cut -d' ' -f1)
old_size=$(stat -c %s "$srv/old/repodata/repomd.xml")
"$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" >/dev/null
mkdir -p "$srv/pub/41"
cp -a "$repo" "$srv/m1"
cp -a "$repo" "$srv/pub/41/m2"
cp "$key" "$srv/key.asc"
md=$srv/m1/repodata/repomd.xml
size=$(stat -c %s "$md")
sha256=$(sha256sum "$md" | cut -d' ' -f1)
sha512=$(sha512sum "$md" | cut -d' ' -f1)

port=$(hp_free_port)
hp_serve "$port" /usr/bin/python3 -m http.server --bind 127.0.0.1 "$port" --directory "$srv"
base=http://127.0.0.1:$port
dead=http://127.0.0.1:$(hp_free_port)

# metalink FILE SIZE SHA256 SHA512 [ALT_SIZE ALT_SHA256] - a MirrorManager-
# style metalink: the dead mirror first (preference 100), m2 (90), m1 (80);
# an rsync URL that is never used.
metalink() {
	local f=$1 sz=$2 s256=$3 s512=$4 alt=""
	if [ $# -ge 6 ]; then
		alt="<mm0:alternates><mm0:alternate><mm0:timestamp>1</mm0:timestamp><size>$5</size>
	<verification><hash type=\"sha256\">$6</hash></verification></mm0:alternate></mm0:alternates>"
	fi
	cat >"$srv/$f" <<-XML
	<?xml version="1.0" encoding="utf-8"?>
	<metalink version="3.0" xmlns="http://www.metalinker.org/" type="dynamic" xmlns:mm0="http://fedorahosted.org/mirrormanager" generator="mirrormanager">
	 <files>
	  <file name="repomd.xml">
	   <mm0:timestamp>1700000000</mm0:timestamp>
	   <size>$sz</size>
	   <verification>
	    <hash type="md5">d41d8cd98f00b204e9800998ecf8427e</hash>
	    <hash type="sha256">$s256</hash>
	    <hash type="sha512">$s512</hash>
	   </verification>
	   $alt
	   <resources maxconnections="1">
	    <url protocol="rsync" type="rsync" location="US" preference="100">rsync://127.0.0.1/x/repodata/repomd.xml</url>
	    <url protocol="http" type="http" location="US" preference="100">$dead/x/repodata/repomd.xml</url>
	    <url protocol="http" type="http" location="US" preference="80">$base/m1/repodata/repomd.xml</url>
	    <url protocol="http" type="http" location="DE" preference="90">$base/pub/\$releasever/m2/repodata/repomd.xml</url>
	   </resources>
	  </file>
	 </files>
	</metalink>
	XML
}
zeros=$(printf '0%.0s' $(seq 64))

root=$(hp_tmpdir root)
hp_installroot "$root"
hp_rpm_install "$root" "$repo"/kernel-core-6.1.0-57.x86_64.rpm
export HP_UNAME_R=6.1.0-57-amd64
mkdir -p "$root/etc/yum.repos.d" "$root/etc/dnf"
write_repo() {   # ID KEY=VALUE...
	local id=$1
	shift
	{
		printf '[%s]\nname=%s\nrepo_gpgcheck=1\ngpgcheck=1\ngpgkey=%s\n' "$id" "$id" "$base/key.asc"
		for l; do printf '%s\n' "$l"; done
	} >"$root/etc/yum.repos.d/hp.repo"
}
offered() { jq -r '[.available[] | "\(.package) \(.evr) \(.repo)"] | join(",")' "$HP_OUT"; }
fetched() { grep -c "\"GET $1 HTTP" "$HP_TEST_TMP/http.log" || true; }
one_line() {   # WHAT REGEX ARGS...
	local what=$1 re=$2
	shift 2
	hp_assert_exit 1 "$HP" --root "$root" "$@" check --json
	hp_assert_eq 1 "$(wc -l <"$HP_ERR")" "$what: one error line"
	hp_assert_contains "$HP_ERR" "$re"
	# --json: stdout holds one object: the error object when no repository
	# verified (CLI convention, issue 13), else the other repositories'
	# answer with this one's error in "repos" (per-repository results, issue 9)
	hp_assert_eq true "$(jq -c 'if .available then ([.repos[] | select(.error != null)] | length > 0)
		else .exit == 1 end' "$HP_OUT")" "$what: one JSON object on stdout"
}

# --- metalink: the dead mirror fails, m2 (preference 90) is read, not m1
metalink ml.xml "$size" "$sha256" "$sha512"
write_repo hp-ml "metalink=$base/ml.xml?repo=hp-\$releasever&arch=\$basearch"
: >"$HP_TEST_TMP/http.log"
hp_assert_exit 100 "$HP" --root "$root" --releasever 41 check --json
hp_assert_eq "kernel-hotpatch 1-1 hp-ml" "$(offered)"
hp_assert_eq 1 "$(fetched "/ml.xml?repo=hp-41&arch=[^ ]*")" "metalink URL with variables substituted"
hp_assert_eq 1 "$(fetched /pub/41/m2/repodata/repomd.xml)" "m2 (preference 90) read"
hp_assert_eq 0 "$(fetched /m1/)" "m1 (preference 80) not needed"

# --- a wrong strongest hash: refused on every mirror, one line naming the
# repo; nothing but repomd.xml was read from the mirrors
metalink ml.xml "$size" "$sha256" "$zeros$zeros"
: >"$HP_TEST_TMP/http.log"
one_line "wrong sha512" "^hotpatch: error: repository 'hp-ml' refused: none of its 3 sources could be read; the last: '$base/ml\.xml\?repo=hp-41&arch=[^']*': repomd.xml does not match the metalink \(size and hash differ from every version it lists\)$" \
	--releasever 41
hp_assert_eq 0 "$(grep -c 'repomd.xml.asc\|hotpatch' "$HP_TEST_TMP/http.log" || true)" \
	"nothing after repomd.xml fetched from a mirror that does not match"
# a wrong size with the right hashes: refused as well
metalink ml.xml "$((size + 1))" "$sha256" "$sha512"
one_line "wrong size" "repomd.xml does not match the metalink" --releasever 41
# the right sha256 but only md5 strong enough? no: sha512 wrong wins over a right sha256
metalink ml.xml "$size" "$sha256" "$zeros$zeros"
one_line "sha512 decides" "repomd.xml does not match the metalink" --releasever 41
# an alternate naming the current repomd.xml is accepted (a mirror lagging
# behind or ahead of the metalink)
metalink ml.xml "$old_size" "$old_sha256" "$zeros$zeros" "$size" "$sha256"
hp_assert_exit 100 "$HP" --root "$root" --releasever 41 check --json
# a metalink that is not one
printf 'not xml\n' >"$srv/bad.xml"
write_repo hp-ml "metalink=$base/bad.xml"
one_line "not a metalink" "^hotpatch: error: repository 'hp-ml' refused: '$base/bad.xml': not a metalink: "

# --- mirrorlist: the dead mirror, then m1; variables substituted in entries
printf '# mirrors\n\n%s\n%s\n' "$dead/x/" "$base/pub/\$releasever/m2" >"$srv/mirrors.txt"
write_repo hp-mirrors "mirrorlist=$base/mirrors.txt"
: >"$HP_TEST_TMP/http.log"
hp_assert_exit 100 "$HP" --root "$root" --releasever 41 check --json
hp_assert_eq "kernel-hotpatch 1-1 hp-mirrors" "$(offered)"
hp_assert_eq 1 "$(fetched /pub/41/m2/repodata/repomd.xml)" "second mirror read"
# a baseurl comes first, the mirrorlist's mirrors after it
write_repo hp-mirrors "baseurl=$dead/y/" "mirrorlist=$base/mirrors.txt"
hp_assert_exit 100 "$HP" --root "$root" --releasever 41 check --json
# a stale mirror (revision 1 after 2 was seen) moves on to a current one
printf '%s\n%s\n' "$base/old" "$base/m1" >"$srv/mirrors.txt"
: >"$HP_TEST_TMP/http.log"
hp_assert_exit 100 "$HP" --root "$root" check --json
hp_assert_eq 1 "$(fetched /old/repodata/repomd.xml)" "stale mirror tried"
hp_assert_eq 1 "$(fetched /m1/repodata/repomd.xml)" "then the current one"

# --- skip_if_unavailable: every mirror dead
printf '%s\n' "$dead/a/" "$dead/b/" >"$srv/dead.txt"
write_repo hp-dead "mirrorlist=$base/dead.txt"
one_line "unavailable, default" "^hotpatch: error: repository 'hp-dead' refused: none of its 2 sources could be read; the last: cannot fetch '$dead/b/repodata/repomd.xml': "
write_repo hp-dead "mirrorlist=$base/dead.txt" "skip_if_unavailable=True"
hp_assert_exit 0 "$HP" --root "$root" check --json
hp_assert_eq "" "$(cat "$HP_ERR")" "skipped: nothing on stderr"
hp_assert_contains "$(jq -r '.messages[]' "$HP_OUT")" "^skipped \(skip_if_unavailable=True\): repository 'hp-dead': none of its 2 sources"
hp_assert_eq true "$(jq '.repos[] | select(.id == "hp-dead") | .skipped' "$HP_OUT")"
hp_assert_contains "$(jq -r '.repos[] | select(.id == "hp-dead") | .error' "$HP_OUT")" "^repository 'hp-dead': none of its 2 sources"
hp_assert_exit 0 "$HP" --root "$root" check
hp_assert_contains "$HP_ERR" "^note: skipped \(skip_if_unavailable=True\): repository 'hp-dead'"
# status reads the repositories the same way
hp_assert_exit 0 "$HP" --root "$root" status --json
hp_assert_eq true "$(jq '.repos[] | select(.id == "hp-dead") | .skipped' "$HP_OUT")"
# next to a good repository: the good one still offers
{
	printf '[hp-good]\nbaseurl=%s\nrepo_gpgcheck=1\ngpgkey=%s\n' "$base/m1" "$base/key.asc"
} >"$root/etc/yum.repos.d/good.repo"
hp_assert_exit 100 "$HP" --root "$root" check --json
hp_assert_eq "kernel-hotpatch 1-1 hp-good" "$(offered)"
hp_assert_eq '[{"id":"hp-good","error":false},{"id":"hp-dead","error":true}]' \
	"$(jq -c '[.repos[] | {id, error: (.error != null)}]' "$HP_OUT")"
# dnf.conf [main] skip_if_unavailable=True is the default for every repo;
# a repo's own False wins over it
write_repo hp-dead "mirrorlist=$base/dead.txt"
printf '[main]\nskip_if_unavailable=True\n' >"$root/etc/dnf/dnf.conf"
hp_assert_exit 100 "$HP" --root "$root" check --json
write_repo hp-dead "mirrorlist=$base/dead.txt" "skip_if_unavailable=False"
one_line "repo False over [main] True" "^hotpatch: error: repository 'hp-dead' refused: "
rm "$root/etc/dnf/dnf.conf"
# a mirrorlist that cannot be fetched is the repo's failure too
write_repo hp-dead "mirrorlist=$dead/list"
one_line "mirrorlist down" "^hotpatch: error: repository 'hp-dead' refused: cannot fetch '$dead/list': "
echo "t2201-config-mirrors-http: ok"
