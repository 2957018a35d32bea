# shellcheck shell=bash
# tests/integration/lib.sh - the library every integration test (and the demo)
# sources to build REAL test data: livepatch modules, RPMs from tiny specs,
# repositories with updateinfo, throwaway GnuPG keys, rpm installroots; plus
# assertions.  Usage, at the top of a test:
#
#	#!/bin/bash
#	set -euo pipefail
#	. "$(dirname "$0")/lib.sh"
#
# Conventions:
# - Functions return non-zero (and print one line naming the object on
#   stderr) on failure, so `set -e` ends the test; assertions print what was
#   expected and what was seen.
# - A test that lacks a prerequisite calls `hp_skip REASON` (exit 77); the
#   runner (run.sh) reports it as SKIP, never as passed.
# - Sourcing creates one per-test temporary directory, $HP_TEST_TMP, removed
#   at exit (kept when HP_KEEP=1, for debugging).  Everything below that
#   needs cleanup registers it with hp_on_exit, or lives in $HP_TEST_TMP, so
#   it works even when called inside $(...) (a subshell cannot set traps for
#   the test).
#
# Environment:
#   HP_BUILD_DIR   where the project's binaries are (default: build/ of this checkout)
#   HP_CACHE_DIR   cache shared between tests/runs (default /tmp/hp-cache)
#   HP_KEEP=1      keep $HP_TEST_TMP after the test
#   HP_KVER        kernel headers version to build modules against
#                  (default: newest /usr/src/linux-headers-*-amd64)

# Guard against double sourcing (a helper script may source us again).
if [ -n "${HP_LIB_SOURCED:-}" ]; then
	return 0
fi
HP_LIB_SOURCED=1

# HP_SRC_DIR: root of the source tree (two levels above this file).
HP_SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HP_FIXTURES=$HP_SRC_DIR/tests/integration/fixtures
HP_SPECS=$HP_FIXTURES/specs
HP_KLP_SRC=$HP_SRC_DIR/tests/fixtures/klp
: "${HP_BUILD_DIR:=$HP_SRC_DIR/build}"
: "${HP_CACHE_DIR:=/tmp/hp-cache}"
export HP_SRC_DIR HP_FIXTURES HP_SPECS HP_KLP_SRC HP_BUILD_DIR HP_CACHE_DIR

# Debian's rpm warns on every install unless told it is used on purpose
# (--force-debian, install/erase only: rpmdb/query modes reject it); other
# distributions' rpm has no such option.
if rpm --help 2>/dev/null | grep -q -- --force-debian; then
	HP_RPM_FORCE=(--force-debian)
else
	HP_RPM_FORCE=()
fi

# ---------------------------------------------------------------------------
# Exit handling

# Commands run at exit, last registered first.
HP_EXIT_CMDS=()

# hp_on_exit CMD... - run CMD (one shell word list, eval'd) when the test
# exits, in reverse order of registration.  Only effective in the test's main
# shell (not inside $(...)).
hp_on_exit() {
	HP_EXIT_CMDS+=("$*")
}

_hp_exit() {
	local rc=$? i home
	set +e
	# GnuPG agents started by hp_gpg_init, possibly from a subshell.
	if [ -n "${HP_TEST_TMP:-}" ] && [ -f "$HP_TEST_TMP/.gnupg-homes" ]; then
		while read -r home; do
			GNUPGHOME=$home gpgconf --kill all >/dev/null 2>&1
		done <"$HP_TEST_TMP/.gnupg-homes"
	fi
	# Agents that dnf/librepo start for a repo's keyring in its cache (<cachedir>/<repo>/pubring).
	if [ -n "${HP_TEST_TMP:-}" ] && [ -d "$HP_TEST_TMP" ]; then
		find "$HP_TEST_TMP" -type d -name pubring 2>/dev/null | while read -r home; do
			gpgconf --homedir "$home" --kill all >/dev/null 2>&1
		done
	fi
	for ((i = ${#HP_EXIT_CMDS[@]} - 1; i >= 0; i--)); do
		eval "${HP_EXIT_CMDS[i]}"
	done
	if [ -n "${HP_TEST_TMP:-}" ] && [ -d "$HP_TEST_TMP" ]; then
		if [ "${HP_KEEP:-0}" = 1 ]; then
			echo "# kept $HP_TEST_TMP" >&2
		else
			rm -rf "$HP_TEST_TMP"
		fi
	fi
	exit "$rc"
}
trap _hp_exit EXIT
# Without these, a signal (run.sh's timeout sends TERM) would kill the shell
# without running the EXIT trap: no cleanup, gpg agents left behind.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

HP_TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hp-test.XXXXXX")
export HP_TEST_TMP

# ---------------------------------------------------------------------------
# Messages, skips, prerequisites

# hp_log MSG... - print a diagnostic line ("# MSG") on stderr.
hp_log() {
	echo "# $*" >&2
}

# hp_fail MSG... - print "FAIL: MSG" on stderr and exit the test with 1.
hp_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# hp_skip REASON... - end the test as skipped (exit 77).  The runner shows
# the last "skip: REASON" line of the test's output.
hp_skip() {
	echo "skip: $*" >&2
	exit 77
}

# hp_require_cmd CMD... - skip the test unless every CMD is on PATH.
hp_require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || hp_skip "command '$c' not found"
	done
}

# hp_require_root - skip the test unless running as root.
hp_require_root() {
	[ "$(id -u)" = 0 ] || hp_skip "needs root"
}

# hp_tmpdir [NAME] - create and print a fresh directory under the per-test
# temporary directory $HP_TEST_TMP (removed at exit).  Safe in $(...).
hp_tmpdir() {
	mktemp -d "$HP_TEST_TMP/${1:-tmp}.XXXXXX"
}

# hp_bin NAME - print the path of the project binary NAME
# ($HP_BUILD_DIR/NAME); fails with a clear message when it is missing.
hp_bin() {
	local p=$HP_BUILD_DIR/$1
	if [ ! -x "$p" ]; then
		echo "FAIL: project binary '$p' not found or not executable" \
			"(build the project, or set HP_BUILD_DIR)" >&2
		return 1
	fi
	printf '%s\n' "$p"
}

# hp_require_bin NAME... - skip the test unless the project binaries exist
# (for tests that may run before a component is built).
hp_require_bin() {
	local b
	for b in "$@"; do
		[ -x "$HP_BUILD_DIR/$b" ] || hp_skip "project binary '$HP_BUILD_DIR/$b' not built"
	done
}

# ---------------------------------------------------------------------------
# Kernel livepatch modules

# hp_kver - print the kernel headers version modules are built against:
# $HP_KVER, else the newest installed /usr/src/linux-headers-*-amd64.
hp_kver() {
	if [ -n "${HP_KVER:-}" ]; then
		printf '%s\n' "$HP_KVER"
		return 0
	fi
	local d
	d=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1 || true)
	if [ -z "$d" ]; then
		echo "FAIL: no /usr/src/linux-headers-*-amd64 installed" >&2
		return 1
	fi
	printf '%s\n' "${d#/usr/src/linux-headers-}"
}

# hp_klp_build - build (or reuse from the cache) the fixture kernel modules
# of tests/fixtures/klp and print the directory holding them:
# livepatch_cmdline_v1.ko, livepatch_cmdline_v2.ko, livepatch_badinit.ko,
# livepatch_stall.ko, stall_kthread.ko.  The directory is shared by all
# tests ($HP_CACHE_DIR/klp-KVER): copy a module before changing it.
# Skips the test (77) when no kernel headers are installed.
hp_klp_build() {
	local kver dir rc=0
	kver=$(hp_kver) || hp_skip "no kernel headers installed"
	dir=$HP_CACHE_DIR/klp-$kver
	"$HP_KLP_SRC/build.sh" "$dir" "$kver" >&2 || rc=$?
	[ "$rc" = 77 ] && hp_skip "cannot build kernel modules for $kver"
	[ "$rc" = 0 ] || return "$rc"
	printf '%s\n' "$dir"
}

# hp_klp_set_vermagic IN.ko OUT.ko RELEASE - copy a module, replacing the
# release in its vermagic with RELEASE (not longer than the original), to
# make a "built for another kernel" module for lint tests.
hp_klp_set_vermagic() {
	/usr/bin/python3 "$HP_KLP_SRC/set-vermagic.py" "$1" "$2" "$3"
}

# ---------------------------------------------------------------------------
# RPMs

# hp_build_rpm SPECNAME OUTDIR [rpmbuild args...] - build the fixture spec
# tests/integration/fixtures/specs/SPECNAME(.spec) for x86_64 in a private
# _topdir, copy the binary RPM(s) to OUTDIR and print their paths, one a
# line.  Extra arguments go to rpmbuild, typically --define 'NAME VALUE'
# (see each spec's header for its parameters), e.g.
#	hp_build_rpm kernel-core "$repo" --define 'krel 58'
#	hp_build_rpm hotpatch "$repo" --define "payload $ko" --define 'build 6.1.0-57'
# debuginfo and the brp-* post-install scripts are disabled: the payload
# must reach the package byte for byte (no stripping of .ko files).
hp_build_rpm() {
	local spec=$1 outdir=$2 top log f
	shift 2
	case "$spec" in
	/*) ;;
	*) spec=$HP_SPECS/${spec%.spec}.spec ;;
	esac
	[ -f "$spec" ] || { echo "FAIL: spec '$spec' not found" >&2; return 1; }
	mkdir -p "$outdir"
	top=$(mktemp -d "$HP_TEST_TMP/rpmbuild.XXXXXX")
	log=$top/build.log
	if ! rpmbuild -bb --target x86_64 \
		--define "_topdir $top" \
		--define 'debug_package %{nil}' \
		--define '__os_install_post %{nil}' \
		--define '__arch_install_post %{nil}' \
		--define '_build_id_links none' \
		"$@" "$spec" >"$log" 2>&1; then
		cat "$log" >&2
		echo "FAIL: rpmbuild of '$spec' failed" >&2
		rm -rf "$top"
		return 1
	fi
	for f in "$top"/RPMS/*/*.rpm; do
		[ -f "$f" ] || { echo "FAIL: rpmbuild of '$spec' made no RPM" >&2; return 1; }
		cp "$f" "$outdir/"
		printf '%s\n' "$outdir/${f##*/}"
	done
	rm -rf "$top"
}

# hp_rpm_nevra RPMFILE - print the package's N-[E:]V-R.A (epoch only if set).
hp_rpm_nevra() {
	rpm -qp --nosignature --qf '%{NAME}-%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}.%{ARCH}\n' "$1"
}

# ---------------------------------------------------------------------------
# Repositories and updateinfo

# hp_make_repo DIR [createrepo_c args...] - (re)generate DIR/repodata with
# createrepo_c, quietly.  Pass --update --keep-all-metadata to keep extra
# metadata types (updateinfo, hotpatch) of an existing repo.
hp_make_repo() {
	local dir=$1
	shift
	mkdir -p "$dir"
	createrepo_c --quiet "$@" "$dir" >/dev/null || {
		echo "FAIL: createrepo_c '$dir' failed" >&2
		return 1
	}
}

# hp_add_updateinfo DIR FILE - add FILE (an updateinfo.xml document) to the
# repo DIR as metadata type updateinfo (modifyrepo_c; replaces an older one).
hp_add_updateinfo() {
	local dir=$1 file=$2 tmp
	tmp=$(mktemp -d "$HP_TEST_TMP/updateinfo.XXXXXX")
	# modifyrepo_c names the record after the file, so give it the
	# conventional name whatever the caller's file is called.
	cp "$file" "$tmp/updateinfo.xml"
	modifyrepo_c --mdtype updateinfo "$tmp/updateinfo.xml" "$dir/repodata" >/dev/null || {
		echo "FAIL: modifyrepo_c updateinfo into '$dir/repodata' failed" >&2
		return 1
	}
	rm -rf "$tmp"
}

_hp_xml_escape() {
	local s=$1
	s=${s//&/&amp;}
	s=${s//</&lt;}
	s=${s//>/&gt;}
	s=${s//\"/&quot;}
	printf '%s' "$s"
}

# _hp_nevra_split NEVRA - set _N _E _V _R _A from "name-[epoch:]ver-rel.arch"
# or from an .rpm file's header.
_hp_nevra_split() {
	local s=$1 vr
	if [ -f "$s" ] && [ "${s%.rpm}" != "$s" ]; then
		s=$(hp_rpm_nevra "$s")
	fi
	_A=${s##*.}
	s=${s%.*}
	_R=${s##*-}
	s=${s%-*}
	vr=${s##*-}
	_N=${s%-*}
	if [ "${vr#*:}" != "$vr" ]; then
		_E=${vr%%:*}
		_V=${vr#*:}
	else
		_E=0
		_V=$vr
	fi
	if [ -z "$_N" ] || [ "$_N" = "$s" ] || [ -z "$_V" ] || [ -z "$_R" ]; then
		echo "FAIL: cannot parse NEVRA '$1'" >&2
		return 1
	fi
}

# hp_updateinfo_update [--reboot] [--type TYPE] [--issued DATE] [--title T]
#                      ID SEVERITY CVES PKG...
# Print one <update> element (no <updates> wrapper).  CVES is a
# comma-separated list of CVE ids, or "-" for none.  Each PKG is a NEVRA
# "name-[epoch:]version-release.arch" or the path of an .rpm file.
# --reboot adds <reboot_suggested>True</reboot_suggested> to the packages.
# TYPE defaults to security, DATE to 2026-01-01 00:00:00.
hp_updateinfo_update() {
	local reboot=0 type=security issued='2026-01-01 00:00:00' title=
	while [ $# -gt 0 ]; do
		case "$1" in
		--reboot) reboot=1; shift ;;
		--type) type=$2; shift 2 ;;
		--issued) issued=$2; shift 2 ;;
		--title) title=$2; shift 2 ;;
		*) break ;;
		esac
	done
	if [ $# -lt 4 ]; then
		echo "FAIL: usage: hp_updateinfo_update [opts] ID SEVERITY CVES PKG..." >&2
		return 1
	fi
	local id=$1 sev=$2 cves=$3 cve p _N _E _V _R _A
	shift 3
	[ -n "$title" ] || title="Update $id"
	printf '  <update from="hotpatch-tests@example.invalid" status="stable" type="%s" version="2.0">\n' "$(_hp_xml_escape "$type")"
	printf '    <id>%s</id>\n' "$(_hp_xml_escape "$id")"
	printf '    <title>%s</title>\n' "$(_hp_xml_escape "$title")"
	printf '    <issued date="%s"/>\n' "$(_hp_xml_escape "$issued")"
	printf '    <updated date="%s"/>\n' "$(_hp_xml_escape "$issued")"
	printf '    <rights>Copyright 2026 dnf-hotpatch tests</rights>\n'
	printf '    <release>dnf-hotpatch tests</release>\n'
	printf '    <severity>%s</severity>\n' "$(_hp_xml_escape "$sev")"
	printf '    <summary>%s</summary>\n' "$(_hp_xml_escape "$title")"
	printf '    <description>%s</description>\n' "$(_hp_xml_escape "$title")"
	printf '    <references>\n'
	if [ "$cves" != - ]; then
		local -a cvelist
		IFS=, read -r -a cvelist <<<"$cves"
		for cve in "${cvelist[@]}"; do
			cve=$(_hp_xml_escape "$cve")
			printf '      <reference href="https://www.cve.org/CVERecord?id=%s" id="%s" type="cve" title="%s"/>\n' \
				"$cve" "$cve" "$cve"
		done
	fi
	printf '    </references>\n'
	printf '    <pkglist>\n'
	printf '      <collection short="hotpatch-tests">\n'
	printf '        <name>dnf-hotpatch tests</name>\n'
	for p in "$@"; do
		_hp_nevra_split "$p" || return 1
		printf '        <package name="%s" epoch="%s" version="%s" release="%s" arch="%s" src="%s">\n' \
			"$(_hp_xml_escape "$_N")" "$_E" "$(_hp_xml_escape "$_V")" \
			"$(_hp_xml_escape "$_R")" "$(_hp_xml_escape "$_A")" \
			"$(_hp_xml_escape "$_N-$_V-$_R.src.rpm")"
		printf '          <filename>%s</filename>\n' "$(_hp_xml_escape "$_N-$_V-$_R.$_A.rpm")"
		if [ "$reboot" = 1 ]; then
			printf '          <reboot_suggested>True</reboot_suggested>\n'
		fi
		printf '        </package>\n'
	done
	printf '      </collection>\n'
	printf '    </pkglist>\n'
	printf '  </update>\n'
}

# hp_updateinfo_xml [--reboot] [--type T] [--issued D] [--title T]
#                   ID SEVERITY CVES PKG...
# Print a whole updateinfo.xml document with one advisory (arguments as for
# hp_updateinfo_update).  For several advisories:
#	{ echo '<?xml version="1.0" encoding="UTF-8"?>'; echo '<updates>'
#	  hp_updateinfo_update ...; hp_updateinfo_update ...; echo '</updates>'; }
hp_updateinfo_xml() {
	local body
	body=$(hp_updateinfo_update "$@") || return 1
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<updates>\n%s\n</updates>\n' "$body"
}

# ---------------------------------------------------------------------------
# GnuPG

# hp_gpg_init DIR - make DIR a throwaway GNUPGHOME holding one ed25519
# signing key without passphrase, and print the key's fingerprint.  The
# agent it starts is killed when the test exits (also when called in $(...)).
hp_gpg_init() {
	local home=$1 fpr
	mkdir -p "$home"
	chmod 700 "$home"
	echo "$home" >>"$HP_TEST_TMP/.gnupg-homes"
	if ! gpg --homedir "$home" --batch --quiet --pinentry-mode loopback --passphrase '' \
		--quick-generate-key 'dnf-hotpatch test <hotpatch-tests@example.invalid>' \
		ed25519 sign never >/dev/null 2>"$home/keygen.log"; then
		cat "$home/keygen.log" >&2
		echo "FAIL: cannot generate a gpg key in '$home'" >&2
		return 1
	fi
	fpr=$(gpg --homedir "$home" --batch --with-colons --list-secret-keys 2>/dev/null |
		awk -F: '$1 == "fpr" { print $10; exit }')
	[ -n "$fpr" ] || { echo "FAIL: no key found in '$home'" >&2; return 1; }
	printf '%s\n' "$fpr"
}

# hp_gpg_export DIR FILE - write the armored public key(s) of GNUPGHOME DIR
# to FILE.
hp_gpg_export() {
	if ! gpg --homedir "$1" --batch --quiet --armor --export >"$2" || [ ! -s "$2" ]; then
		echo "FAIL: cannot export the public key of '$1'" >&2
		return 1
	fi
}

# hp_gpg_sign DIR FILE - write the detached armored signature FILE.asc made
# with the key of GNUPGHOME DIR (as a mirror operator signs repomd.xml).
hp_gpg_sign() {
	rm -f "$2.asc"
	gpg --homedir "$1" --batch --quiet --yes --pinentry-mode loopback --passphrase '' \
		--armor --detach-sign --output "$2.asc" "$2" ||
		{ echo "FAIL: cannot sign '$2'" >&2; return 1; }
}

# hp_gpg_verify KEYFILE FILE - verify FILE.asc against FILE trusting only
# the armored public key KEYFILE (imported into a fresh keyring).
hp_gpg_verify() {
	local home
	home=$(mktemp -d "$HP_TEST_TMP/gpgv.XXXXXX")
	chmod 700 "$home"
	echo "$home" >>"$HP_TEST_TMP/.gnupg-homes"
	if ! gpg --homedir "$home" --batch --quiet --import "$1" 2>"$home/verify.log" ||
		! gpg --homedir "$home" --batch --verify "$2.asc" "$2" 2>>"$home/verify.log"; then
		cat "$home/verify.log" >&2
		echo "FAIL: signature '$2.asc' does not verify with the key in '$1'" >&2
		return 1
	fi
}

# ---------------------------------------------------------------------------
# Installroots

# hp_installroot DIR - create an empty installroot at DIR with an rpmdb at
# DIR/root/.rpmdb (Debian's rpm default %_dbpath ~/.rpmdb, as root, under
# the root; --dbpath is taken relative to --root).  Use with
# `rpm --root DIR --dbpath /root/.rpmdb` or `hotpatch --root DIR`.
hp_installroot() {
	mkdir -p "$1"
	rpm --root "$1" --dbpath /root/.rpmdb --initdb || {
		echo "FAIL: cannot create an rpmdb under '$1'" >&2
		return 1
	}
}

# hp_rpm_install DIR RPM... - install the RPMs into the installroot DIR for
# real (files are written under DIR), without dependencies or scriptlets:
# rpm --root DIR --dbpath /root/.rpmdb -i --nodeps --noscripts.
hp_rpm_install() {
	local root=$1 rc=0 err
	shift
	err=$(mktemp "$HP_TEST_TMP/rpm-i.XXXXXX")
	rpm "${HP_RPM_FORCE[@]}" --root "$root" --dbpath /root/.rpmdb -i --nodeps --noscripts \
		--nosignature "$@" 2>"$err" || rc=$?
	# Drop Debian's "RPM should not be used directly" notice, keep the rest.
	grep -v -e 'RPM should not be used directly' -e 'assuming you know what you are doing' \
		"$err" >&2 || true
	rm -f "$err"
	if [ "$rc" != 0 ]; then
		echo "FAIL: rpm -i into '$root' failed: $*" >&2
		return 1
	fi
}

# hp_rpm_q DIR ARGS... - rpm query in the installroot DIR (e.g. hp_rpm_q "$r" -qa).
hp_rpm_q() {
	local root=$1
	shift
	rpm --root "$root" --dbpath /root/.rpmdb "$@"
}

# ---------------------------------------------------------------------------
# Assertions

# hp_assert_eq EXPECTED ACTUAL [MSG] - fail unless the strings are equal.
hp_assert_eq() {
	if [ "$1" != "$2" ]; then
		echo "FAIL: ${3:-values differ}" >&2
		echo "  expected: '$1'" >&2
		echo "  actual:   '$2'" >&2
		exit 1
	fi
}

# hp_assert_exit CODE CMD... - run CMD, with its stdout in the file $HP_OUT
# and its stderr in the file $HP_ERR (both paths, overwritten by each call),
# and fail unless it exits with CODE.  The files stay for later assertions:
#	hp_assert_exit 100 "$(hp_bin hotpatch)" check --json
#	hp_assert_eq kernel-hotpatch "$(hp_json_get "$HP_OUT" '.available[0].package')"
#	hp_assert_contains "$HP_ERR" 'not signed'
hp_assert_exit() {
	local want=$1 rc=0
	shift
	HP_OUT=$HP_TEST_TMP/.out
	HP_ERR=$HP_TEST_TMP/.err
	"$@" >"$HP_OUT" 2>"$HP_ERR" || rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL: exit code $rc, expected $want: $*" >&2
		echo "--- stdout:" >&2
		tail -n 40 "$HP_OUT" >&2
		echo "--- stderr:" >&2
		tail -n 40 "$HP_ERR" >&2
		exit 1
	fi
}

# _hp_grep GREP-ARGS... FILE|STRING - grep the file's contents if FILE
# names an existing file, else the string.  No pipe: with pipefail, a
# `printf | grep -q` fails when grep exits before reading everything.
_hp_grep() {
	local subject=${*: -1}
	if [ -f "$subject" ]; then
		grep "${@:1:$#-1}" "$subject"
	else
		grep "${@:1:$#-1}" <<<"$subject"
	fi
}

# hp_assert_contains FILE|STRING PATTERN - fail unless the file's contents
# (when FILE names an existing file) or the string match the extended
# regular expression PATTERN (grep -E).
hp_assert_contains() {
	if ! _hp_grep -Eq -- "$2" "$1"; then
		echo "FAIL: no match for /$2/ in:" >&2
		_hp_grep -E -- '' "$1" | tail -n 40 >&2
		exit 1
	fi
}

# hp_assert_not_contains FILE|STRING PATTERN - the opposite.
hp_assert_not_contains() {
	if _hp_grep -Eq -- "$2" "$1"; then
		echo "FAIL: unexpected match for /$2/ in:" >&2
		_hp_grep -E -- "$2" "$1" | head -n 20 >&2
		exit 1
	fi
}

# hp_json_get FILE JQ-PATH - print the value at JQ-PATH of the JSON document
# FILE (jq -r: strings raw, null as "null"); fails if FILE is not JSON.
# Use `jq -e` directly for richer checks.
hp_json_get() {
	jq -r "$2" "$1" || {
		echo "FAIL: cannot evaluate '$2' on JSON file '$1'" >&2
		return 1
	}
}

# hp_tree_hash DIR [EXCLUDE-PATH...] - print a sha256 over every entry
# below DIR: relative path, type, mode, owner, and the content of regular
# files / the target of symlinks (not times), to prove that a command
# changed nothing on disk.  EXCLUDE-PATHs are relative to DIR (find -path
# patterns, e.g. 'root/.rpmdb/*').
hp_tree_hash() {
	local dir=$1 ex args=()
	shift
	for ex in "$@"; do
		args+=(! -path "./$ex")
	done
	(
		cd "$dir" || exit 1
		find . -mindepth 1 "${args[@]}" -printf '%p %y %m %U:%G %l\n' | LC_ALL=C sort
		find . -mindepth 1 -type f "${args[@]}" -print0 | LC_ALL=C sort -z |
			xargs -0 -r sha256sum
	) | sha256sum | cut -d' ' -f1
}

# ---------------------------------------------------------------------------
# Bad-input tests (t2001, t3000, t3001)

# hp_bad_test_repo REPO GNUPGHOME KEYFILE [publish args...] - the signed
# repository the bad-input tests start from: kernel-core 6.1.0-57 and
# kernel-hotpatch 1 (livepatch_cmdline_v1.ko) in REPO, createrepo_c,
# baseline B1 (planned, issued 2026-10-01, kernel-core=6.1.0-57), a
# throwaway key made in GNUPGHOME (its public key written to KEYFILE), then
# `hotpatch-repo publish --sign-key` with the extra arguments.  Prints the
# key's fingerprint.  Skips (77) without kernel headers.
hp_bad_test_repo() {
	local repo=$1 gpghome=$2 key=$3 hr klp fpr
	shift 3
	hr=$(hp_bin hotpatch-repo)
	klp=$(hp_klp_build)
	hp_build_rpm kernel-core "$repo" >/dev/null
	hp_build_rpm hotpatch "$repo" --define "payload $klp/livepatch_cmdline_v1.ko" >/dev/null
	hp_make_repo "$repo"
	"$hr" baseline add "$repo" --id B1 --kind planned --issued 2026-10-01 \
		--build kernel-core=6.1.0-57 >/dev/null
	fpr=$(hp_gpg_init "$gpghome")
	hp_gpg_export "$gpghome" "$key"
	"$hr" publish "$repo" --sign-key "$fpr" --gnupg-home "$gpghome" "$@" >/dev/null
	printf '%s\n' "$fpr"
}

# The bad-input case runner.  Every case runs even when an earlier one
# fails; hp_bad_report lists the failures at the end.  The test sets:
#   HP_BAD_TOOL     the program, as its error lines name it ("hotpatch")
#   HP_BAD_DIRS     (array) directories no case may change
#   HP_BAD_EXCLUDE  (array) hp_tree_hash EXCLUDE-PATHs for them (not state,
#                   e.g. a run lock)
#   WATCH           (array) more such directories, for the cases that
#                   follow (the test resets it per group)
# The runner keeps FAILS (array, one line per failure; the test may add its
# own) and NCASES; HP_BAD_OUT / HP_BAD_ERR hold the last case's stdout and
# stderr.
HP_BAD_TOOL=
HP_BAD_DIRS=()
HP_BAD_EXCLUDE=()
WATCH=()
FAILS=()
NCASES=0
HP_BAD_OUT=$HP_TEST_TMP/bad.out
HP_BAD_ERR=$HP_TEST_TMP/bad.err

# hp_bad WANT NAME CMD... - run CMD on bad input: it must exit WANT, write
# exactly one stderr line "$HP_BAD_TOOL: error: ...", no sanitizer report,
# and change nothing in HP_BAD_DIRS nor WATCH.  A failure is recorded in
# FAILS (not fatal) with what was seen.
hp_bad() {
	local want=$1 name=$2 rc=0 d lines why=() before=() i
	shift 2
	NCASES=$((NCASES + 1))
	for d in "${HP_BAD_DIRS[@]}" "${WATCH[@]}"; do
		before+=("$(hp_tree_hash "$d" "${HP_BAD_EXCLUDE[@]}")")
	done
	"$@" >"$HP_BAD_OUT" 2>"$HP_BAD_ERR" || rc=$?
	# Notes and warnings are informational (stderr by the CLI convention,
	# silenced by -q); the fault itself must be exactly one line. (grep -c
	# exits 1 when it counts 0: a silent case is a failure to list, not
	# the end of the test.)
	lines=$(grep -cvE '^([a-z-]+: )?(note|warning): ' "$HP_BAD_ERR" || true)
	[ "$rc" = "$want" ] || why+=("exit $rc, expected $want")
	[ "$lines" = 1 ] || why+=("$lines stderr lines, expected 1")
	grep -q "^$HP_BAD_TOOL: error: " "$HP_BAD_ERR" || why+=("no '$HP_BAD_TOOL: error:' line")
	if grep -Eq 'Sanitizer|runtime error:|Segmentation|Aborted|core dumped' "$HP_BAD_ERR"; then
		why+=("sanitizer report / crash")
	fi
	i=0
	for d in "${HP_BAD_DIRS[@]}" "${WATCH[@]}"; do
		[ "${before[i]}" = "$(hp_tree_hash "$d" "${HP_BAD_EXCLUDE[@]}")" ] || why+=("'$d' changed")
		i=$((i + 1))
	done
	if [ ${#why[@]} -gt 0 ]; then
		FAILS+=("$name: $(IFS=';'; echo "${why[*]}") | stderr: $(head -c 400 "$HP_BAD_ERR" | tr '\n' '|')")
		hp_log "FAILED $name: ${why[*]}"
		sed 's/^/#   /' "$HP_BAD_ERR" | head -n 5 >&2
	else
		hp_log "ok $name: $(cat "$HP_BAD_ERR")"
	fi
}

# hp_bad_report NAME - the end of a bad-input test: log the count; with
# failures list them and exit 1, else print "NAME: ok (N cases)".
hp_bad_report() {
	hp_log "$NCASES cases, ${#FAILS[@]} failed"
	if [ ${#FAILS[@]} -gt 0 ]; then
		echo "FAIL: ${#FAILS[@]} of $NCASES bad-input cases break the standard:" >&2
		printf '  %s\n' "${FAILS[@]}" >&2
		exit 1
	fi
	echo "$1: ok ($NCASES cases)"
}

# hp_repo_copy SRC DEST - replace DEST by a copy of the repository SRC
# (cp -a) and print DEST: a bad-input case spoils the copy, not SRC.
hp_repo_copy() {
	rm -rf "${2:?}"
	cp -a "$1" "$2"
	printf '%s\n' "$2"
}

# hp_md_replace DIR XMLFILE GNUPGHOME - replace the hotpatch record of the
# repository DIR by XMLFILE (modifyrepo_c --remove, then add; repomd.xml
# checksums are right) and re-sign repomd.xml with the key of GNUPGHOME:
# a VALIDLY SIGNED bad repo.
hp_md_replace() {
	local d=$1 md
	md=$(hp_tmpdir md)
	cp "$2" "$md/hotpatch.xml"
	modifyrepo_c --remove hotpatch "$d/repodata" >/dev/null
	modifyrepo_c --mdtype hotpatch "$md/hotpatch.xml" "$d/repodata" >/dev/null
	hp_gpg_sign "$3" "$d/repodata/repomd.xml"
}

# hp_md_swap DIR FILE - put FILE (raw bytes, e.g. a truncated .gz, which
# modifyrepo_c would recompress) in place of DIR's hotpatch record, with
# repomd.xml's checksum, location and size updated by hand; NOT re-signed.
hp_md_swap() {
	local d=$1 f=$2 old oldsum sum
	old=$(ls "$d"/repodata/*-hotpatch.xml.gz)
	oldsum=$(basename "$old")
	oldsum=${oldsum%%-*}
	sum=$(sha256sum <"$f" | cut -d' ' -f1)
	rm -f "$old"
	cp "$f" "$d/repodata/$sum-hotpatch.xml.gz"
	sed -i -e "s/$oldsum/$sum/g" \
		-e "/type=\"hotpatch\"/,/<\/data>/ s#<size>[0-9]*</size>#<size>$(stat -c %s "$f")</size>#" \
		"$d/repodata/repomd.xml"
}

# ---------------------------------------------------------------------------
# Publishing (issue 10)

# hp_one_hotpatch_repo NAME ENGINE PAYLOAD - make a repository (createrepo_c)
# with kernel-core 6.1.0-57, one kernel-hotpatch of ENGINE carrying PAYLOAD
# and baseline B1 holding that build; print its path.
hp_one_hotpatch_repo() {
	local repo
	repo=$(hp_tmpdir "$1")
	hp_build_rpm kernel-core "$repo" >/dev/null
	hp_build_rpm hotpatch "$repo" --define "payload $3" --define "engine $2" >/dev/null
	hp_make_repo "$repo"
	"$(hp_bin hotpatch-repo)" baseline add "$repo" --id B1 --kind planned --issued 2026-07-01 \
		--build kernel-core=6.1.0-57 >/dev/null
	printf '%s\n' "$repo"
}

# ---------------------------------------------------------------------------
# User-space live patching with libpulp (issue 15)

# hp_vendor_dir - print the directory of the peer tools' sources
# (../shared/vendor beside the source tree, else /work/shared/vendor;
# HP_VENDOR_DIR overrides); fails when there is none.
hp_vendor_dir() {
	local d
	for d in ${HP_VENDOR_DIR:-} "$HP_SRC_DIR/../shared/vendor" /work/shared/vendor; do
		[ -d "$d" ] && { (cd "$d" && pwd); return 0; }
	done
	echo "FAIL: no vendor directory (../shared/vendor); set HP_VENDOR_DIR" >&2
	return 1
}

# hp_libpulp_build - build libpulp from the vendored tarball (used by path,
# never copied into the tree) into $HP_CACHE_DIR/libpulp-<tarball name>,
# reused by later runs, and print that prefix: PREFIX/bin/ulp and
# PREFIX/lib/libpulp.so.0. Concurrent callers wait for one build (flock).
# Skips the test (77) when the tarball is not there.
hp_libpulp_build() {
	local vendor tarball name prefix src log
	vendor=$(hp_vendor_dir) || hp_skip "no vendor directory with libpulp"
	tarball=$(ls "$vendor"/libpulp/libpulp-*.tar.xz 2>/dev/null | sort -V | tail -n1)
	[ -n "$tarball" ] || hp_skip "no libpulp tarball in $vendor/libpulp"
	name=$(basename "$tarball" .tar.xz)
	prefix=$HP_CACHE_DIR/$name
	mkdir -p "$HP_CACHE_DIR"
	(
		flock 9
		[ -x "$prefix/bin/ulp" ] && [ -e "$prefix/lib/libpulp.so.0" ] && exit 0
		src=$(mktemp -d "$HP_CACHE_DIR/$name.build.XXXXXX")
		log=$src.log
		# PYTHON=: configure insists on a python3 with pexpect and psutil
		# (its own test suite), which a pyenv python first on PATH lacks.
		if ! { tar -C "$src" -xf "$tarball" && cd "$src" && sh ./bootstrap &&
			./configure --prefix="$prefix" PYTHON=/usr/bin/python3 &&
			make -j2 && make install; } >"$log" 2>&1; then
			tail -n 30 "$log" >&2
			echo "FAIL: building libpulp from $tarball failed (log: $log)" >&2
			exit 1
		fi
		rm -rf "$src" "$log"
	) 9>"$HP_CACHE_DIR/$name.lock" || return 1
	printf '%s\n' "$prefix"
}

# hp_ulp_fixture PULP DIR - build the user-space fixture of
# tests/integration/fixtures/ulp into DIR with libpulp's ulp (PULP/bin/ulp):
#   DIR/libhpdemo.so.1               patchable library (ulp post), says "original";
#                                    DIR is built in, so its build-id is DIR's own
#   DIR/hpdemo-svc                   service printing "PID MESSAGE" every 50 ms
#   DIR/libhpdemo_livepatch{1,2}.so  packed live patches: "patched-v1", "patched-v2"
hp_ulp_fixture() {
	local pulp=$1 d=$2 src=$HP_FIXTURES/ulp v
	mkdir -p "$d"
	gcc -O2 -fPIC -shared -fpatchable-function-entry=16,14 -Wl,--build-id=sha1 \
		-DHP_TAG="\"$d\"" -Wl,-soname,libhpdemo.so.1 -o "$d/libhpdemo.so.1" "$src/libhpdemo.c" &&
		ln -sf libhpdemo.so.1 "$d/libhpdemo.so" &&
		"$pulp/bin/ulp" -q post "$d/libhpdemo.so.1" &&
		gcc -O2 -o "$d/hpdemo-svc" "$src/hpdemo-svc.c" -L"$d" -lhpdemo || {
		echo "FAIL: building the ulp fixture library and service failed" >&2
		return 1
	}
	for v in 1 2; do
		gcc -O2 -fPIC -shared -DHP_VERSION="$v" -o "$d/libhpdemo_livepatch$v.so" \
			"$src/hpdemo_livepatch.c" || return 1
		printf '%s\n@%s\nhp_demo_message:hp_demo_message_patched\n' \
			"$d/libhpdemo_livepatch$v.so" "$d/libhpdemo.so.1" >"$d/libhpdemo_livepatch$v.dsc"
		"$pulp/bin/ulp" -q packer "$d/libhpdemo_livepatch$v.dsc" || {
			echo "FAIL: ulp packer of libhpdemo_livepatch$v failed" >&2
			return 1
		}
	done
}

# hp_ulp_wait FILE PID REGEX - wait (at most 10 s) until the last line
# process PID wrote to FILE matches "PID REGEX"; fails showing that line.
hp_ulp_wait() {
	local f=$1 pid=$2 re=$3 i last
	for ((i = 0; i < 200; i++)); do
		last=$(grep "^$pid " "$f" | tail -n1 || true)
		[[ $last =~ ^$pid\ $re$ ]] && return 0
		sleep 0.05
	done
	echo "FAIL: process $pid's output is '$last', expected '$pid $re'" >&2
	return 1
}

# hp_ulp_start FIXTURE LIBDIR OUTFILE [VAR=VALUE...] - start the fixture's
# hpdemo-svc on the library in LIBDIR (LD_LIBRARY_PATH), its output in
# OUTFILE, with the environment additions given (LD_PRELOAD=.../libpulp.so.0
# for a patchable process). Sets HP_SVC to its PID and adds it to
# HP_ULP_PIDS; `hp_on_exit hp_ulp_stop` ends them all.
HP_ULP_PIDS=()
hp_ulp_start() {
	local fx=$1 libdir=$2 out=$3
	shift 3
	env "$@" LD_LIBRARY_PATH="$libdir" "$fx/hpdemo-svc" >"$out" 2>&1 &
	HP_SVC=$!
	HP_ULP_PIDS+=("$HP_SVC")
}
hp_ulp_stop() {
	local p
	for p in "${HP_ULP_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${HP_ULP_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}

# ---------------------------------------------------------------------------
# Live state without a livepatch-capable kernel (issue 9/17 tests)

# hp_exec_engine ROOT STATE - configure the real exec engine "hptest" under
# ROOT (a root-owned 0644 ROOT/etc/hotpatch/engines.d/hptest.conf) whose
# commands keep the live state in the file STATE (one NEVRA a line): what is
# live is what the engine lists, observed by the test without any kernel.
hp_exec_engine() {
	local root=$1 state=$2 dir
	dir=$(dirname "$state")
	: >"$state"
	cat >"$dir/hptest-engine" <<EOS
#!/bin/bash
case \$1 in
apply) grep -qxF "\$2" "$state" || echo "\$2" >>"$state" ;;
revert) grep -vxF "\$2" "$state" >"$state.new" || true; mv "$state.new" "$state" ;;
list) cat "$state" ;;
esac
EOS
	chmod 0755 "$dir/hptest-engine" "$dir"
	mkdir -p "$root/etc/hotpatch/engines.d"
	chmod 0755 "$root" "$root/etc" "$root/etc/hotpatch" "$root/etc/hotpatch/engines.d"
	cat >"$root/etc/hotpatch/engines.d/hptest.conf" <<EOS
apply = $dir/hptest-engine apply {package}
revert = $dir/hptest-engine revert {package}
list = $dir/hptest-engine list
EOS
	chmod 0644 "$root/etc/hotpatch/engines.d/hptest.conf"
	# the engine's probe wants every directory of its program root-owned 0755
	chmod 0755 "$HP_TEST_TMP" 2>/dev/null || true
}

# hp_exec_hotpatch_rpm OUTDIR NAME COMPONENT BUILD - build a hotpatch package
# NAME-1-1.x86_64 for COMPONENT's build BUILD made live by the hptest exec
# engine (hp_exec_engine); prints the RPM's path.
hp_exec_hotpatch_rpm() {
	local out=$1 name=$2 comp=$3 build=$4 spec
	spec=$(mktemp "$HP_TEST_TMP/exec-hp.XXXXXX.spec")
	cat >"$spec" <<EOS
Name: $name
Version: 1
Release: 1
Summary: test hotpatch made live by the hptest exec engine
License: MIT
BuildArch: x86_64
Provides: hotpatch($comp) = $build
Provides: hotpatch-engine(hptest)
%description
test
%install
mkdir -p %{buildroot}/usr/lib/hotpatch/$comp/$build
echo payload >%{buildroot}/usr/lib/hotpatch/$comp/$build/$name.so
%files
/usr/lib/hotpatch/$comp/$build/$name.so
EOS
	hp_build_rpm "$spec" "$out"
}

# hp_plain_rpm OUTDIR NAME VERSION - a plain package NAME-VERSION-1.x86_64
# with one file (/usr/share/NAME/VERSION); prints the RPM's path.
hp_plain_rpm() {
	local out=$1 name=$2 ver=$3 spec
	spec=$(mktemp "$HP_TEST_TMP/plain.XXXXXX.spec")
	cat >"$spec" <<EOS
Name: $name
Version: $ver
Release: 1
Summary: test package $name
License: MIT
BuildArch: x86_64
%description
test
%install
mkdir -p %{buildroot}/usr/share/$name
echo $ver >%{buildroot}/usr/share/$name/version
%files
/usr/share/$name/version
EOS
	hp_build_rpm "$spec" "$out"
}

# ---------------------------------------------------------------------------
# Exec engines (i13-pkg)

# hp_exec_engine_conf ROOT NAME PROGRAM - configure the exec engine NAME under
# the installroot ROOT (ROOT/etc/hotpatch/engines.d/NAME.conf, root-owned,
# modes the engine accepts) as `PROGRAM apply|revert {package}` and
# `PROGRAM list` (one live NEVRA a line).  PROGRAM and its directories must
# be root-owned and not group/world-writable.
hp_exec_engine_conf() {
	local d=$1/etc/hotpatch/engines.d
	mkdir -p "$d"
	chmod 0755 "$1" "$1/etc" "$1/etc/hotpatch" "$d"
	printf 'apply = %s apply {package}\nrevert = %s revert {package}\nlist = %s list\n' \
		"$3" "$3" "$3" >"$d/$2.conf"
	chmod 0644 "$d/$2.conf"
}

# hp_record_swap DIR TYPE FILE - put FILE's raw bytes in place of the record
# TYPE of the repository DIR (any type; checksum, size and location fixed by
# hand, open-checksum/open-size dropped; repomd.xml not re-signed). The new
# file is named <sha256>-TYPE.xml.<FILE's extension>.
hp_record_swap() {
	local d=$1 type=$2 f=$3 old sum
	old=$(awk -v t="$type" '$0 ~ "<data type=\""t"\"" { on = 1 } on && /<location/ {
		sub(/.*href="/, ""); sub(/".*/, ""); print; exit }' "$d/repodata/repomd.xml")
	[ -n "$old" ] || hp_fail "no $type record in $d"
	sum=$(sha256sum <"$f" | cut -d' ' -f1)
	rm -f "${d:?}/$old"
	cp "$f" "$d/repodata/$sum-$type.xml.${f##*.}"
	/usr/bin/python3 - "$d/repodata/repomd.xml" "$type" "$sum" "repodata/$sum-$type.xml.${f##*.}" \
		"$(stat -c %s "$f")" <<'PY'
import re, sys
path, t, s, loc, size = sys.argv[1:]
x = open(path).read()
def fix(m):
    b = m.group(0)
    b = re.sub(r'<checksum type="[^"]*">[^<]*</checksum>', '<checksum type="sha256">%s</checksum>' % s, b)
    b = re.sub(r'<location href="[^"]*"/>', '<location href="%s"/>' % loc, b)
    b = re.sub(r'<size>[0-9]*</size>', '<size>%s</size>' % size, b)
    b = re.sub(r'<open-checksum[^>]*>[^<]*</open-checksum>\s*', '', b)
    b = re.sub(r'<open-size>[0-9]*</open-size>\s*', '', b)
    return b
x = re.sub(r'<data type="%s">.*?</data>' % re.escape(t), fix, x, flags=re.S)
open(path, 'w').write(x)
PY
}

# hp_free_port - a TCP port on 127.0.0.1 that was free a moment ago.
hp_free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# hp_serve PORT CMD... - run the test server CMD in the background (output in
# $HP_TEST_TMP/http.log, killed at exit) and wait, at most 10 s, until it
# answers on 127.0.0.1:PORT; fail if it exits or never answers.
hp_serve() {
	local port=$1 pid
	shift
	"$@" >"$HP_TEST_TMP/http.log" 2>&1 &
	pid=$!
	hp_on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || hp_fail "test server exited: $(cat "$HP_TEST_TMP/http.log")"
		sleep 0.1
	done
	hp_fail "the test server does not answer on $port"
}
