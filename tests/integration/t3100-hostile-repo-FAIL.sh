#!/bin/bash
# Issue 11, hostile repositories and local files (findings 1, 2, 7 and the
# checksum/credential parts of 9).  Each case reproduces an attack that used to
# spin, hang, read GBs or be accepted; now each ends in exit 1 (2 for usage),
# ONE stderr line "hotpatch: error: ...", no sanitizer report, nothing changed
# in the repository or the root.  Time is bounded by `timeout` (a spin or a
# hang shows as exit 124) and memory by ASan's hard_rss_limit_mb (a process
# reading a 3 GiB file whole dies with a sanitizer report).
#  1. compressed records: the 10-byte zstd frame that spun libsolv's reader
#     (as the hotpatch record, signed and unsigned, and as a .zst updateinfo
#     with check --updateinfo); truncated/corrupt xz, bzip2, zstd, gzip.
#  2. repomd.xml.asc a symlink to /dev/zero or a FIFO; a 3 GiB sparse
#     repomd.xml; --gpgkey a FIFO, /dev/zero or 2 MiB.
#  4. a 16 MiB attribute in the signed record: refused by the token guard.
#  7. repomd.xml signed with SHA-1; the hotpatch record bound by sha1/md5.
#  9. a checksum mismatch through a symlink does not tell the target's digest.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild rpm createrepo_c modifyrepo_c gpg gzip xz bzip2 zstd timeout
HP=$(hp_bin hotpatch)

repo=$(hp_tmpdir repo)
gpghome=$HP_TEST_TMP/gnupg
key=$HP_TEST_TMP/key.asc
hp_bad_test_repo "$repo" "$gpghome" "$key" >/dev/null
good_xml=$HP_TEST_TMP/good-hotpatch.xml
zcat "$repo"/repodata/*-hotpatch.xml.gz >"$good_xml"
W=$(hp_tmpdir work)

root=$(hp_tmpdir root)
hp_installroot "$root"
hp_rpm_install "$root" "$repo"/kernel-core-6.1.0-57.x86_64.rpm
export HP_UNAME_R=6.1.0-57-amd64
hp_assert_exit 100 "$HP" --root "$root" --repo "$repo" --gpgkey "$key" check

HP_BAD_TOOL=hotpatch
HP_BAD_DIRS=("$repo" "$root")
HP_BAD_EXCLUDE=(run run/hotpatch.lock '*.sqlite-shm')
# Bounded: 60 s and 1 GiB of resident memory (ASan aborts above it).
bounded() {
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:hard_rss_limit_mb=1024" timeout -k 5 60 "$@"
}

# --- 1. compressed records ---------------------------------------------------
printf '\x28\xb5\x2f\xfd\xb6\x64\x4b\x28\xb5\x12' >"$W/spin.zst"
r=$(hp_repo_copy "$repo" "$W/spin-signed")
hp_record_swap "$r" hotpatch "$W/spin.zst"
hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
WATCH=("$r")
hp_bad 1 "10-byte zstd spin as the signed hotpatch record" bounded "$HP" --root "$root" \
	--gpgkey "$key" --repo "$r" check
hp_assert_contains "$HP_BAD_ERR" "hotpatch\\.xml\\.zst': truncated or corrupt compressed data"
hp_bad 1 "10-byte zstd spin, --nogpgcheck" bounded "$HP" --root "$root" --nogpgcheck --repo "$r" check

# As updateinfo, read by check --updateinfo.
r=$(hp_repo_copy "$repo" "$W/spin-updateinfo")
hp_add_updateinfo "$r" <(printf '<?xml version="1.0"?>\n<updates/>\n')
hp_record_swap "$r" updateinfo "$W/spin.zst"
hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
WATCH=("$r")
hp_bad 1 "10-byte zstd spin as updateinfo.xml.zst (check --updateinfo)" bounded "$HP" --root "$root" \
	--gpgkey "$key" --repo "$r" check --updateinfo
hp_assert_contains "$HP_BAD_ERR" "updateinfo\\.xml\\.zst': truncated or corrupt compressed data"

# Every codec: cut in half, and one byte flipped in the middle.
for tool in gzip xz bzip2 zstd; do
	ext=$tool
	case $tool in gzip) ext=gz ;; bzip2) ext=bz2 ;; zstd) ext=zst ;; esac
	"$tool" -c "$good_xml" >"$W/full.$ext"
	head -c $(($(stat -c %s "$W/full.$ext") / 2)) "$W/full.$ext" >"$W/cut.$ext"
	for kind in cut flip; do
		f=$W/$kind.$ext
		if [ $kind = flip ]; then
			cp "$W/full.$ext" "$f"
			n=$(stat -c %s "$f")
			printf '\xff' | dd of="$f" bs=1 seek=$((n / 2)) conv=notrunc status=none
		fi
		r=$(hp_repo_copy "$repo" "$W/$kind-$ext")
		hp_record_swap "$r" hotpatch "$f"
		hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
		WATCH=("$r")
		hp_bad 1 "$kind $tool hotpatch record (signed)" bounded "$HP" --root "$root" \
			--gpgkey "$key" --repo "$r" check
	done
done
# A decompression bomb: 300 MiB of small well-formed elements as a zstd
# updateinfo (decoded as libsolv parses it, and all of it is XML libsolv
# reads on through: only the 256 MiB cap on decoded bytes stops it).
{ printf '<?xml version="1.0"?>\n<updates>'; head -c $((300 << 20)) < <(yes '<a/>'); } |
	zstd -q -c >"$W/bomb.zst"
r=$(hp_repo_copy "$repo" "$W/bomb")
hp_add_updateinfo "$r" <(printf '<?xml version="1.0"?>\n<updates/>\n')
hp_record_swap "$r" updateinfo "$W/bomb.zst"
hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
WATCH=("$r")
hp_bad 1 "zstd bomb (300 MiB of <a/> as updateinfo)" bounded "$HP" --root "$root" --gpgkey "$key" \
	--repo "$r" check --updateinfo
hp_assert_contains "$HP_BAD_ERR" "decompresses to more than 256 MiB, refused"

# --- 4. a 16 MiB attribute (quadratic in expat before) ------------------------
/usr/bin/python3 - "$good_xml" <<'PY' | gzip -c >"$W/token.gz"
import sys
x = open(sys.argv[1]).read()
sys.stdout.write(x.replace('<hotpatch ', '<hotpatch x="%s" ' % ('A' * (16 << 20)), 1))
PY
r=$(hp_repo_copy "$repo" "$W/token")
hp_record_swap "$r" hotpatch "$W/token.gz"
hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
WATCH=("$r")
hp_bad 1 "16 MiB attribute in the signed hotpatch record" bounded "$HP" --root "$root" \
	--gpgkey "$key" --repo "$r" check
hp_assert_contains "$HP_BAD_ERR" "XML token longer than 64 KiB at byte [0-9]+, refused"

# --- 2. files that are not what they claim -----------------------------------
r=$(hp_repo_copy "$repo" "$W/asc-zero")
ln -sf /dev/zero "$r/repodata/repomd.xml.asc"
WATCH=("$r")
hp_bad 1 "repomd.xml.asc -> /dev/zero" bounded "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
hp_assert_contains "$HP_BAD_ERR" "repomd\\.xml\\.asc': not a regular file"
r=$(hp_repo_copy "$repo" "$W/asc-fifo")
rm "$r/repodata/repomd.xml.asc"
mkfifo "$r/repodata/repomd.xml.asc"
WATCH=("$r")
hp_bad 1 "repomd.xml.asc a FIFO" bounded "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
hp_assert_contains "$HP_BAD_ERR" "not a regular file"
r=$(hp_repo_copy "$repo" "$W/md-sparse")
truncate -s 3G "$r/repodata/repomd.xml"
WATCH=("$r")
hp_bad 1 "3 GiB sparse repomd.xml" bounded "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
hp_assert_contains "$HP_BAD_ERR" "larger than 16777216 bytes, refused"
r=$(hp_repo_copy "$repo" "$W/asc-big")
head -c $((2 << 20)) /dev/zero >"$r/repodata/repomd.xml.asc"
WATCH=("$r")
hp_bad 1 "2 MiB repomd.xml.asc" bounded "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
mkfifo "$W/key.fifo"
head -c $((2 << 20)) /dev/zero >"$W/key.big"
WATCH=()
hp_bad 1 "--gpgkey a FIFO" bounded "$HP" --root "$root" --gpgkey "$W/key.fifo" --repo "$repo" check
hp_assert_contains "$HP_BAD_ERR" "key\\.fifo': not a regular file"
hp_bad 1 "--gpgkey /dev/zero" bounded "$HP" --root "$root" --gpgkey /dev/zero --repo "$repo" check
hp_bad 1 "--gpgkey 2 MiB" bounded "$HP" --root "$root" --gpgkey "$W/key.big" --repo "$repo" check
hp_assert_contains "$HP_BAD_ERR" "larger than 1048576 bytes, refused"

# --- 7. weak crypto ----------------------------------------------------------
r=$(hp_repo_copy "$repo" "$W/sig-sha1")
rm -f "$r/repodata/repomd.xml.asc"
gpg --homedir "$gpghome" --batch --quiet --yes --pinentry-mode loopback --passphrase '' \
	--digest-algo SHA1 --armor --detach-sign --output "$r/repodata/repomd.xml.asc" \
	"$r/repodata/repomd.xml"
WATCH=("$r")
hp_bad 1 "repomd.xml signed with SHA-1" bounded "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
hp_assert_contains "$HP_BAD_ERR" "uses the weak digest SHA1; refused"
for algo in sha1 sha md5; do
	r=$(hp_repo_copy "$repo" "$W/sum-$algo")
	hpf=$(ls "$r"/repodata/*-hotpatch.xml.gz)
	tool=${algo/#sha/sha1}sum; tool=${tool/sha11/sha1}
	[ $algo = md5 ] && tool=md5sum
	sum=$($tool <"$hpf" | cut -d' ' -f1)
	/usr/bin/python3 - "$r/repodata/repomd.xml" "$algo" "$sum" <<'PY'
import re, sys
path, algo, s = sys.argv[1:]
x = open(path).read()
def fix(m):
    return re.sub(r'<checksum type="[^"]*">[^<]*</checksum>',
                  '<checksum type="%s">%s</checksum>' % (algo, s), m.group(0))
x = re.sub(r'<data type="hotpatch">.*?</data>', fix, x, flags=re.S)
open(path, 'w').write(x)
PY
	hp_gpg_sign "$gpghome" "$r/repodata/repomd.xml"
	WATCH=("$r")
	hp_bad 1 "hotpatch record bound by $algo (right digest, signed)" bounded "$HP" --root "$root" \
		--gpgkey "$key" --repo "$r" check
	hp_assert_contains "$HP_BAD_ERR" "weak checksum type '$algo' in repomd\\.xml refused"
done

# --- 9. a mismatch through a symlink tells no digest of the target ----------
r=$(hp_repo_copy "$repo" "$W/symlink-target")
hpf=$(ls "$r"/repodata/*-hotpatch.xml.gz)
rm "$hpf"
ln -s /etc/shadow "$hpf"
WATCH=("$r")
hp_bad 1 "hotpatch record a symlink to /etc/shadow" bounded "$HP" --root "$root" --gpgkey "$key" --repo "$r" check
shadow_sum=$(sha256sum </etc/shadow | cut -d' ' -f1)
hp_assert_not_contains "$HP_BAD_ERR" "$shadow_sum"
WATCH=()

hp_bad_report "t3100-hostile-repo-FAIL"
