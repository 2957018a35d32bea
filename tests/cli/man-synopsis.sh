#!/usr/bin/env bash
# The man pages' SYNOPSIS agrees with the command tables: each program's
# synopsis as its framework generates it (--help-synopsis, from the same
# tables as --help and COMMAND --help) must equal the SYNOPSIS section of
# packaging/man/PROGRAM.8, rendered as text (line breaks at .br). Also every
# option that --help shows is documented in the page.
# Usage: man-synopsis.sh BUILD_DIR   (exit 0 ok, 1 a difference)
set -euo pipefail
build=${1:?usage: man-synopsis.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
fail=0

# The SYNOPSIS section as text: each request's arguments joined as troff
# joins them (.B/.I: with spaces; .RB/.IR/.BR/.IB/.RI: alternating fonts,
# no space), lines filled with one space, a new line at .br.
synopsis() {
	awk '
	function args(s,   out, n, a, i, q) {
		out = ""; n = 0
		while (length(s)) {
			sub(/^ +/, "", s)
			if (s == "") break
			if (substr(s, 1, 1) == "\"") { q = index(substr(s, 2), "\""); a[++n] = substr(s, 2, q - 1); s = substr(s, q + 2) }
			else { q = index(s, " "); if (!q) q = length(s) + 1; a[++n] = substr(s, 1, q - 1); s = substr(s, q + 1) }
		}
		for (i = 1; i <= n; i++) out = out (joined ? "" : (i > 1 ? " " : "")) a[i]
		return out
	}
	/^\.SH / { insyn = ($2 == "SYNOPSIS"); if (!insyn && line != "") { print line; line = "" } next }
	!insyn { next }
	/^\.br/ { print line; line = ""; next }
	{
		req = $1; rest = $0
		if (req ~ /^\./) { sub(/^\.[A-Z]+ ?/, "", rest); joined = (length(req) == 3) } else joined = 0
		gsub(/\\-/, "-", rest)
		t = args(rest)
		line = line (line == "" ? "" : " ") t
	}
	END { if (line != "") print line }' "$1"
}

for prog in hotpatch hotpatch-repo; do
	page="$src/packaging/man/$prog.8"
	want=$("$build/$prog" --help-synopsis)
	got=$(synopsis "$page" | grep -v -- '--help$' || true)
	if [ "$want" != "$got" ]; then
		echo "FAIL: $page SYNOPSIS differs from '$prog --help-synopsis':" >&2
		diff <(echo "$want") <(echo "$got") >&2 || true
		fail=1
	fi
	# every option --help (and each COMMAND --help) shows is in the page
	text=$(sed 's/\\-/-/g' "$page")
	for opt in $("$build/$prog" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "$opt" <<<"$text" || { echo "FAIL: $page does not document $opt" >&2; fail=1; }
	done
done
[ "$fail" = 0 ] && echo "man-synopsis: ok"
exit "$fail"
