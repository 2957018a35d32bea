#!/bin/bash
# t8009-fleet-fixture: the machine every t80xx-t84xx fleet test builds on, and
# (run as a test) a check that it is what it claims.
#
# A repository published and signed by hotpatch-repo holds kernel-core
# 6.1.0-57 and -60 (baselines 2026Q1 and 2026Q2, the latter bringing the new
# kernel), openssl-libs 3.0.11-1 (in both baselines) and the cumulative
# hotpatch hp-ssl 1-1 and 2-1 for openssl-libs 3.0.11-1, applied by a real
# exec engine `hptest` configured in the root (as t4003: its commands keep
# the live state in a file; this kernel has no livepatch support).
#
# The installroot (standing for a live system, HP_ROOT_IS_LIVE=1) runs
# kernel-core 6.1.0-57 and openssl-libs 3.0.11-1 and has hp-ssl 1-1
# installed. dnf and `hotpatch --root` both read the repository from the
# root's own /etc/yum.repos.d/fleet.repo (repo_gpgcheck=1; the key is at the
# same absolute path on the host, for dnf, and under the root, for hotpatch),
# and dnf loads the plugin from the source tree through the root's
# /etc/dnf/dnf.conf -- so `dnf --installroot R upgrade --hotpatch` and
# `hotpatch --root R status` need no other option, as an admin types them.
#
# Sourced (after lib.sh) for:
#   fleet_prereqs
#   fleet_fixture DIR    build the repository (once) under DIR
#   fleet_root ROOT      a fresh machine at ROOT (hp-ssl 1-1 installed, not live)
#   fleet_live ROOT      the engine's live state of ROOT
#   fleet_rpm_upgrade ROOT RPM...   rpm -U into ROOT (no deps, no scripts)
#   fleet_prom_parse FILE    parse a metrics exposition with the official parser
#                            (python3-prometheus-client): samples into $FLEET_SAMPLES
#   fleet_prom_value SAMPLE  the value of the sample named exactly so (labels sorted)
# Variables: FLEET_REPO FLEET_KEY FLEET_GNUPG FLEET_FPR FLEET_HOTPATCH (hotpatch
#            binary) FLEET_Q1_UNTIL (2026Q1's supported-until: today + 10 days)
# The engine's live state of ROOT is ROOT.live (one NEVRA a line).

fleet_prereqs() {
	hp_require_cmd rpmbuild rpm createrepo_c gpg jq
	hp_require_bin hotpatch hotpatch-repo
	FLEET_HOTPATCH=$(hp_bin hotpatch)
	export HP_UNAME_R=6.1.0-57-amd64 TZ=UTC HP_ROOT_IS_LIVE=1
}

fleet_fixture() {
	local T=$1 repo_bin payload
	FLEET_REPO=$T/repo
	FLEET_GNUPG=$T/gnupg
	FLEET_KEY=$T/pubkey.asc
	FLEET_RPMS=$T/local
	mkdir -p "$FLEET_REPO" "$FLEET_RPMS"
	# The engine program's directories are checked (root-owned, not
	# writable by others) before it runs.
	chmod 0755 "$T" "$HP_TEST_TMP" 2>/dev/null || true

	hp_build_rpm kernel-core "$FLEET_REPO" --define 'kver 6.1.0' --define 'krel 57' >/dev/null
	hp_build_rpm kernel-core "$FLEET_REPO" --define 'kver 6.1.0' --define 'krel 60' >/dev/null
	hp_build_rpm openssl-libs "$FLEET_REPO" --define 'ver 3.0.11' >/dev/null
	payload=$T/hp-ssl.so
	echo "payload" >"$payload"
	for v in 1 2; do
		echo "hp-ssl v$v" >"$payload"
		hp_build_rpm hotpatch "$FLEET_REPO" --define 'hp_name hp-ssl' --define "hp_version $v" \
			--define 'component openssl-libs' --define 'build 3.0.11-1' \
			--define 'engine hptest' --define "payload $payload" >/dev/null
	done
	hp_make_repo "$FLEET_REPO"
	repo_bin=$(hp_bin hotpatch-repo)
	# 2026Q1's support ends in 10 days, the metadata expires in 30: tests
	# move HP_NOW in between to see support end with valid metadata.
	FLEET_Q1_UNTIL=$(date -u -d '+10 days' +%F)
	"$repo_bin" baseline add "$FLEET_REPO" --id 2026Q1 --kind planned --issued 2026-01-01 \
		--supported-until "$FLEET_Q1_UNTIL" --build kernel-core=6.1.0-57 \
		--build openssl-libs=3.0.11-1 >/dev/null
	"$repo_bin" baseline add "$FLEET_REPO" --id 2026Q2 --kind planned --issued 2026-04-01 \
		--supported-until 2036-12-31 --build kernel-core=6.1.0-60 \
		--build openssl-libs=3.0.11-1 >/dev/null
	FLEET_FPR=$(hp_gpg_init "$FLEET_GNUPG")
	hp_gpg_export "$FLEET_GNUPG" "$FLEET_KEY"
	"$repo_bin" publish "$FLEET_REPO" --sign-key "$FLEET_FPR" --gnupg-home "$FLEET_GNUPG" \
		--expires-days 30 >"$T/publish.log" 2>&1 ||
		{ cat "$T/publish.log" >&2; hp_fail "hotpatch-repo publish failed"; }

	# The engine: `engine STATE apply|revert|list [NEVRA]`.
	FLEET_ENGINE=$T/engine
	cat >"$FLEET_ENGINE" <<-'EOS'
	#!/bin/bash
	state=$1
	case $2 in
	apply)
		# A fault the tests switch on: the engine refuses to apply.
		if [ -e "$state.fail" ]; then echo "hptest: refused (test fault)" >&2; exit 1; fi
		grep -qxF "$3" "$state" 2>/dev/null || echo "$3" >>"$state" ;;
	revert) grep -vxF "$3" "$state" >"$state.new" || true; mv "$state.new" "$state" ;;
	list) cat "$state" 2>/dev/null || true ;;
	esac
	EOS
	chmod 0755 "$FLEET_ENGINE"
}

# fleet_root ROOT - a machine: kernel-core 57, openssl-libs 3.0.11-1 and
# hp-ssl 1-1 installed (not live), the repository configured in the root,
# the engine configured for it.
fleet_root() {
	local R=$1
	rm -rf "$R" "$R.live" "$R.live.fail"
	hp_installroot "$R"
	hp_rpm_install "$R" "$FLEET_REPO"/kernel-core-6.1.0-57.x86_64.rpm \
		"$FLEET_REPO"/openssl-libs-3.0.11-1.x86_64.rpm "$FLEET_REPO"/hp-ssl-1-1.x86_64.rpm
	: >"$R.live"
	mkdir -p "$R/etc/hotpatch/engines.d" "$R/etc/yum.repos.d" "$R/etc/dnf/plugins" \
		"$R$(dirname "$FLEET_KEY")"
	chmod 0755 "$R" "$R/etc" "$R/etc/hotpatch" "$R/etc/hotpatch/engines.d"
	cat >"$R/etc/hotpatch/engines.d/hptest.conf" <<-EOS
	apply = $FLEET_ENGINE $R.live apply {package}
	revert = $FLEET_ENGINE $R.live revert {package}
	list = $FLEET_ENGINE $R.live list
	EOS
	chmod 0644 "$R/etc/hotpatch/engines.d/hptest.conf"
	cp "$FLEET_KEY" "$R$FLEET_KEY"
	cat >"$R/etc/yum.repos.d/fleet.repo" <<-EOF
	[fleet]
	name=dnf-hotpatch fleet test repository
	baseurl=file://$FLEET_REPO
	enabled=1
	gpgcheck=0
	repo_gpgcheck=1
	gpgkey=file://$FLEET_KEY
	EOF
	cat >"$R/etc/dnf/dnf.conf" <<-EOF
	[main]
	gpgcheck=0
	install_weak_deps=0
	keepcache=0
	installonlypkgs=kernel-core
	pluginpath=$HP_SRC_DIR/plugin/dnf
	pluginconfpath=$R/etc/dnf/plugins
	EOF
	cat >"$R/etc/dnf/plugins/hotpatch.conf" <<-EOF
	[main]
	enabled=1
	hotpatch_command=$FLEET_HOTPATCH
	apply_timeout=60
	EOF
}

# fleet_live ROOT - the engine's live state of ROOT, sorted.
fleet_live() {
	LC_ALL=C sort "$1.live"
}

fleet_prom_parse() {
	FLEET_SAMPLES=${FLEET_SAMPLES:-$HP_TEST_TMP/fleet-samples}
	/usr/bin/python3 "$HP_FIXTURES/fleet/prom-samples.py" "$1" >"$FLEET_SAMPLES" ||
		hp_fail "the official Prometheus parser refused $1"
}

fleet_prom_value() {
	local v
	v=$(awk -v s="$1" '$1 == s {print $2}' "$FLEET_SAMPLES")
	[ -n "$v" ] || { cat "$FLEET_SAMPLES" >&2; hp_fail "no sample '$1'"; }
	printf '%s\n' "$v"
}

fleet_rpm_upgrade() {
	local root=$1
	shift
	rpm "${HP_RPM_FORCE[@]}" --root "$root" --dbpath /root/.rpmdb -U --nodeps --noscripts \
		--nosignature "$@" 2>/dev/null || hp_fail "rpm -U into $root failed: $*"
}

# Run as a test: check the fixture.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	. "$(dirname "$0")/lib.sh"
	fleet_prereqs
	T=$(hp_tmpdir t8009)
	fleet_fixture "$T"
	fleet_root "$T/m1"
	"$(hp_bin hotpatch-repo)" verify "$FLEET_REPO" --gnupg-home "$FLEET_GNUPG" >/dev/null ||
		hp_fail "published repository does not verify"
	# hotpatch reads the root's configured repository, with its key.
	hp_assert_exit 100 "$FLEET_HOTPATCH" --root "$T/m1" check --json
	hp_assert_eq '["hp-ssl-2-1"]' "$(jq -c '[.available[] | .package + "-" + .evr]' "$HP_OUT")" \
		"hp-ssl 2-1 available"
	hp_assert_eq 2026Q1 "$(hp_json_get "$HP_OUT" .baseline.id)" "baseline"
	hp_assert_eq '["kernel-core-6.1.0-60"]' "$(jq -c '[.held_back[] | .name + "-" + .evr]' "$HP_OUT")" \
		"kernel held back"
	hp_log "fleet fixture OK"
fi
