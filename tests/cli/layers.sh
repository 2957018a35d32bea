#!/usr/bin/env bash
# The layers (CMakeLists.txt, docs/DESIGN.md "Architecture"): every
# '#include "hp_*.h"' of a folder names a header of that folder or of a
# layer below it. (The build enforces it too -- each library sees only
# those include directories -- this names the offending line.)
# Usage: layers.sh [BUILD_DIR]   (exit 0 ok, 1 a wrong-way include)
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
# folder: the folders whose headers it may include
declare -A allowed=(
	[lib]="lib"
	[meta]="lib meta"
	[repo-meta]="lib meta repo-meta"
	[repo-meta/cli]="lib meta repo-meta repo-meta/cli"
	[hooks/engines]="lib hooks/engines"
	[plugin]="lib meta hooks/engines plugin"
	[plugin/cli]="lib meta hooks/engines plugin plugin/cli"
)
for dir in "${!allowed[@]}"; do
	for f in "$src/$dir"/*.[ch]; do
		[ -f "$f" ] || continue
		while IFS=: read -r line hdr; do
			ok=0
			for a in ${allowed[$dir]}; do
				[ -f "$src/$a/$hdr" ] && ok=1
			done
			[ "$ok" = 1 ] || { echo "FAIL: ${f#"$src"/}:$line includes $hdr (not in: ${allowed[$dir]})" >&2; fail=1; }
		done < <(grep -n '^#include "hp_[a-z_]*\.h"' "$f" | sed -E 's/^([0-9]+):#include "([^"]*)".*/\1:\2/')
	done
done
[ "$fail" = 0 ] && echo "layers: ok"
exit "$fail"
