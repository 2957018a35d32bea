#!/bin/bash
# Issue 11, findings 3 and 6 (and the --sign-key '' usage error of 9).
#  3. A mirror dripping 1500 B/s (above curl's low-speed limit) used to keep
#     `check` alive for hours: --fetch-timeout S bounds all fetches of the
#     command; the run ends with exit 1 and one line naming the deadline,
#     well inside the test's own `timeout`.  Bad values are usage errors.
#  6. Rollback protection keyed by the signer and the repository name signed
#     into the record: after revision 2 was seen via one spelling of the
#     location, revision 1 is refused via every other one (localhost for
#     127.0.0.1, //srv//old/, a symlinked path, an http redirect) and the
#     state is unchanged.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hp_require_cmd rpmbuild rpm createrepo_c gpg timeout
[ -x /usr/bin/python3 ] || hp_skip "no /usr/bin/python3 for the HTTP server"
HP=$(hp_bin hotpatch)
HR=$(hp_bin hotpatch-repo)

repo=$(hp_tmpdir repo)
gpghome=$HP_TEST_TMP/gnupg
key=$HP_TEST_TMP/key.asc
fpr=$(hp_bad_test_repo "$repo" "$gpghome" "$key" --repo-name hp-test)
srv=$(hp_tmpdir srv)
cp -a "$repo" "$srv/old"
"$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" --repo-name hp-test >/dev/null
cp -a "$repo" "$srv/good"
zcat "$srv/good"/repodata/*-hotpatch.xml.gz | grep -q ' repo="hp-test"' ||
	hp_fail "the record does not carry repo=\"hp-test\""
ln -s "$srv/old" "$srv/old-link"

root=$(hp_tmpdir root)
hp_installroot "$root"
hp_rpm_install "$root" "$repo"/kernel-core-6.1.0-57.x86_64.rpm
export HP_UNAME_R=6.1.0-57-amd64

# The server: http.server for the repositories, plus /drip/ (1500 B/s of a
# long repomd.xml) and /redirect/ (302 to /old/).
port=$(hp_free_port)
cat >"$HP_TEST_TMP/server.py" <<'PY'
import functools, http.server, sys, time
port, root = int(sys.argv[1]), sys.argv[2]
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        if self.path.startswith('/drip/'):
            self.send_response(200)
            self.send_header('Content-Length', str(10 << 20))
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b' ' * 150)
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                return
        if self.path.startswith('/redirect/'):
            self.send_response(302)
            self.send_header('Location', '/old/' + self.path[len('/redirect/'):])
            self.end_headers()
            return
        return super().do_GET()
http.server.ThreadingHTTPServer(('127.0.0.1', port),
                                functools.partial(H, directory=root)).serve_forever()
PY
hp_serve "$port" /usr/bin/python3 "$HP_TEST_TMP/server.py" "$port" "$srv"

HP_BAD_TOOL=hotpatch
HP_BAD_DIRS=("$root" "$srv")
HP_BAD_EXCLUDE=(run run/hotpatch.lock '*.sqlite-shm')

# --- 3. the fetch deadline ----------------------------------------------------
hp_bad 1 "drip at 1500 B/s, --fetch-timeout 3" timeout -k 5 60 "$HP" --root "$root" --nogpgcheck \
	--fetch-timeout 3 --repo "http://127.0.0.1:$port/drip" check
hp_assert_contains "$HP_BAD_ERR" "drip/repodata/repomd\\.xml': the fetch deadline of 3 s passed \\(--fetch-timeout\\)"
for v in abc 0 -1 86401 ''; do
	hp_bad 2 "--fetch-timeout '$v'" "$HP" --root "$root" --fetch-timeout "$v" --repo "$srv/good" check
done

# --- 6. rollback keyed by signer and repository name ---------------------------
hp_assert_exit 100 "$HP" --root "$root" --gpgkey "$key" --repo "http://127.0.0.1:$port/good" check
[ -f "$root/var/lib/hotpatch/repos/signed-$fpr-hp-test.revision" ] ||
	hp_fail "no signed rollback record: $(find "$root/var/lib/hotpatch" -name '*.revision')"
for loc in "http://localhost:$port/old" "http://127.0.0.1:$port//old/" \
	"http://127.0.0.1:$port/redirect" "$srv/old" "$srv//old/" "$srv/old-link" "file://$srv/old"; do
	hp_bad 1 "revision 1 via $loc after revision 2 via 127.0.0.1" "$HP" --root "$root" \
		--gpgkey "$key" --repo "$loc" check
	hp_assert_contains "$HP_BAD_ERR" "revision 1 is older than revision 2 seen before \\(rollback refused\\)"
done
# The newest revision still reads everywhere.
hp_assert_exit 100 "$HP" --root "$root" --gpgkey "$key" --repo "$srv/good" check

# --- 9. publish --sign-key '' and a bad --repo-name are usage errors ----------
HP_BAD_TOOL=hotpatch-repo
HP_BAD_DIRS=("$repo")
hp_bad 2 "publish --sign-key ''" "$HR" publish "$repo" --sign-key '' --gnupg-home "$gpghome"
hp_bad 2 "publish --repo-name 'a b'" "$HR" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" \
	--repo-name 'a b'

hp_bad_report "t3101-fetch-deadline-rollback-FAIL"
