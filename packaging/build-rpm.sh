#!/bin/bash
# packaging/build-rpm.sh OUTDIR - build the source and binary RPMs of
# dnf-hotpatch with rpmbuild, into OUTDIR; prints the paths of the RPMs made.
#
# The tarball is `git archive` of the checkout: HEAD plus the uncommitted
# changes to tracked files (git stash create; new files count once they are
# added to git). The spec is packaging/dnf-hotpatch.spec. Where rpm lacks
# Fedora's packaging macros (Debian: no %cmake), rpmbuild also loads
# packaging/rpm-macros.fedora-compat; on Fedora the spec builds as is.
# rpmbuild runs in a private _topdir; its log is OUTDIR/rpmbuild.log.
# Exit status: 0 built, 1 failed (the log's tail on stderr), 2 usage.
set -euo pipefail

if [ $# -ne 1 ] || [ "${1:0:1}" = - ]; then
	echo "usage: packaging/build-rpm.sh OUTDIR" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(git -C "$here" rev-parse --show-toplevel)
spec=$top/packaging/dnf-hotpatch.spec
mkdir -p "$1"
out=$(cd "$1" && pwd)
log=$out/rpmbuild.log

name=$(sed -n 's/^Name: *//p' "$spec")
version=$(sed -n 's/^Version: *//p' "$spec")
work=$(mktemp -d "${TMPDIR:-/tmp}/build-rpm.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/SOURCES" "$work/SPECS"

commit=$(git -C "$top" stash create 2>/dev/null || true)
commit=${commit:-HEAD}
git -C "$top" archive --format=tar.gz --prefix="$name-$version/" \
	-o "$work/SOURCES/$name-$version.tar.gz" "$commit"
cp "$spec" "$work/SPECS/"

macros=()
if [ -z "$(rpm --eval '%{?cmake}')" ]; then
	macros=(--load "$top/packaging/rpm-macros.fedora-compat")
fi
# --nodeps: BuildRequires name Fedora's packages; on Debian the same
# libraries come from the -dev packages of packaging/debian-deps.txt.
nodeps=()
[ -r /etc/debian_version ] && nodeps=(--nodeps)
if ! rpmbuild -ba "${macros[@]}" "${nodeps[@]}" --define "_topdir $work" \
	"$work/SPECS/${spec##*/}" >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	echo "build-rpm.sh: rpmbuild failed (log: $log)" >&2
	exit 1
fi
for f in "$work"/SRPMS/*.src.rpm "$work"/RPMS/*/*.rpm; do
	cp "$f" "$out/"
	printf '%s\n' "$out/${f##*/}"
done
