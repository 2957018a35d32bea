# shellcheck shell=bash
# tests/vm/lib.sh - run a shell script inside a qemu guest booted from
# Debian's own kernel, with the whole host userland visible.  Sourced by
# tests/vm/t*.sh.
#
#   hp_vm_prereq                    exit 77 (skip) unless qemu, a kernel and
#                                   its modules are there
#   hp_vm_kver                      kernel release to boot (newest
#                                   /boot/vmlinuz-*-amd64)
#   hp_vm_run [--timeout S] [--share HOSTDIR] [--env NAME=VALUE]...
#             GUEST_SCRIPT [OUTDIR] run GUEST_SCRIPT in the guest; returns
#                                   its exit code (124 on timeout, 125 when
#                                   the guest never ran it); sets HP_VM_OUT
#   hp_vm_dmesg_clean OUTDIR        fail (printing them) on "Call Trace" or
#                                   "WARNING:" lines in the guest's dmesg
#   hp_vm_kevr KVER                 kernel-core EVR of a Debian kernel release
#                                   (6.1.0-NN-amd64 -> 6.1.0-NN)
#   hp_vm_klp_rpm OUTDIR NAME VERSION KO
#                                   build a klp hotpatch RPM for $KEVR
#   hp_vm_klp_repo [--rpmsign] [--more FN] REPO [VERSION...]
#                                   kernel-core + klp hotpatch series in a
#                                   repository signed by hotpatch-repo (the
#                                   tests' common setup; see its comment)
#
# The guest: a cached, uncompressed initramfs (busybox-static and the few
# modules virtio-pci/9p/overlay need, in modules.dep order) mounts the host's
# / read-only over 9p (multidevs=remap, cache=loose: nothing on the host
# changes while the guest runs), puts an overlay with a tmpfs upper on it,
# mounts fresh /proc /sys /dev /dev/pts /dev/shm /run in it and chroots into
# it.  Host /tmp is NOT hidden by a tmpfs (so /tmp/hp-cache/... stays
# visible); like every other path, writes to it land in the tmpfs upper and
# vanish at poweroff.  Writable, persistent across boots: /hpshare (--share
# HOSTDIR as a second 9p mount, cache=mmap so sqlite's shared mmap works;
# without --share it is OUTDIR/share).  OUTDIR itself is the 9p mount
# /run/hp-vm in the guest.  The script runs as root with stdin </dev/null,
# env -i plus HP_VM=1, PATH, HOME=/root, LANG=C.UTF-8 and the --env values.
#
# OUTDIR afterwards: stdout, stderr, rc (the script's exit code), dmesg
# (taken after the script), console.log (serial console, kernel messages of
# the init and qemu's own errors), timing (guest uptime at script start and
# end, host wall time), guest-script (the copy that ran).
#
# Knobs (environment): HP_CACHE_DIR (default /tmp/hp-cache; the initramfs
# and the extracted kernel are cached in its vm/), HP_VM_ACCEL (tcg|kvm,
# default tcg unless the CPU has vmx/svm), HP_VM_MEM (default 1G),
# HP_VM_APPEND (extra kernel parameters), HP_VM_BZIMAGE=1 (boot the bzImage
# instead of the extracted vmlinux).
#
# Measured 2026-11-29 (2 host cores shared with other builds, no vmx/svm so
# TCG, Debian 6.1.0-57-amd64, qemu 7.2; numbers vary by ~50% with host load):
#   - cache build, first run only: initramfs (busybox + 11 modules, 3.4 MB,
#     uncompressed cpio) ~0.9 s; vmlinux extraction from the bzImage ~0.9 s.
#   - booting the bzImage: qemu start to exit for a `true` script 4.7-4.9 s,
#     of which ~2.5 s is the kernel's xz self-decompression under TCG.
#     Booting the extracted vmlinux through PVH: 2.1-2.5 s.  Hence the cache.
#   - guest uptime when the script starts: 1.8-2.0 s (kernel to /init
#     ~1.3 s, insmod of the 11 modules and the mounts ~0.5 s); poweroff and
#     qemu exit after the script ~0.3 s.
#   - in the guest: `rpm --version` 0.13-0.18 s; first
#     `/usr/bin/python3 -c 'import dnf'` 3.4-3.7 s (second one 1.5 s);
#     cache=loose on the read-only root brings the first from 4.8 s to 3.6 s.
#   - insmod of the livepatch fixture to transition=0/enabled=1 as a shell
#     sees it (exec of insmod and polling included): 0.33-0.55 s;
#     `echo 0 > enabled` to the sysfs directory gone: 0.15-0.27 s.
#   - t0001 (cached module build, one boot with rpm and dnf): 8.5-13 s wall.
# Tried without a clear gain (lost in the noise of a shared host):
# mitigations=off, tsc=reliable no_timer_check, 8250.nr_uarts=1, and dropping
# `quiet` (loglevel=5 is used: warnings and oopses reach console.log).  The
# shared notes say -smp 2 is slower under TCG.

# Where this file lives, for tests that want their neighbours.
# shellcheck disable=SC2034
HP_VM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Modules the guest needs; their dependencies come from modules.dep.
HP_VM_MODULES="virtio_pci 9pnet_virtio 9p overlay"

hp_vm_kver()
{
	local k
	k=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|^/boot/vmlinuz-||' |
		sort -V | tail -n1)
	[ -n "$k" ] || return 1
	echo "$k"
}

# hp_vm_kevr KVER: Debian's 6.1.0-NN-amd64 is kernel-core 6.1.0-NN.
hp_vm_kevr()
{
	local kbase=${1%-amd64}
	echo "${kbase%-*}-${kbase##*-}"
}

# hp_vm_klp_rpm OUTDIR NAME VERSION KO: build the hotpatch RPM NAME-VERSION
# (engine klp, payload KO) for kernel-core $KEVR into OUTDIR and print its
# path.  Needs tests/integration/lib.sh and hp_vm_klp_repo's variables.
hp_vm_klp_rpm()
{
	hp_build_rpm hotpatch "$1" --define "hp_name $2" --define "hp_version $3" \
		--define 'component kernel-core' --define "build $KEVR" --define 'engine klp' \
		--define "payload $4"
}

# hp_vm_klp_repo [--rpmsign] [--more FN] REPO [VERSION...] - the setup the
# klp tests share (needs tests/integration/lib.sh, run in the test's main
# shell, not in $(...)): skip (77) without the headers of the kernel the
# guest boots, build the klp fixture modules for it, then in REPO:
# kernel-core for the booted build and, for each VERSION, the hotpatch
# $HP_VM_SERIES-VERSION carrying livepatch_cmdline_vVERSION.ko.  Then FN
# (a shell function of the test, called without arguments) adds its own
# packages; a throwaway key is made in $HP_TEST_TMP/gnupg (public key in
# $HP_TEST_TMP/operator.asc); with --rpmsign every REPO/*.rpm is rpmsign'd
# with it; createrepo_c, then `hotpatch-repo baseline add` once for each
# element of HP_VM_BASELINES (word-split arguments; FN may change it; the
# default is base-1, planned, issued 2026-10-01, kernel-core=$KEVR) and
# `hotpatch-repo publish --sign-key`.  Sets (globals):
#   HP_KVER (exported)  the booted release, 6.1.0-NN-amd64
#   HP_VM_KV, HP_VM_KR  kernel-core's version and release, 6.1.0 and NN
#   KEVR                kernel-core's EVR, 6.1.0-NN
#   HP_VM_KLP           the fixture modules' directory (hp_klp_build)
#   HP_VM_SERIES        kernel-core-hotpatch-$KEVR
#   HP_VM_KCORE         the kernel-core RPM of the booted build
#   HP_VM_KLP_RPMS[V]   the hotpatch RPM of VERSION V
#   HP_VM_FPR           the signing key's fingerprint
hp_vm_klp_repo()
{
	local sign=0 more='' repo v b
	while [ $# -gt 0 ]; do
		case "$1" in
		--rpmsign) sign=1; shift ;;
		--more) more=$2; shift 2 ;;
		*) break ;;
		esac
	done
	repo=${1:?usage: hp_vm_klp_repo [--rpmsign] [--more FN] REPO [VERSION...]}
	shift

	HP_KVER=$(hp_vm_kver)
	[ -d "/usr/src/linux-headers-$HP_KVER" ] || hp_skip "no headers for the booted kernel $HP_KVER"
	export HP_KVER
	HP_VM_KLP=$(hp_klp_build)
	KEVR=$(hp_vm_kevr "$HP_KVER")
	HP_VM_KV=${KEVR%-*}
	HP_VM_KR=${KEVR##*-}
	HP_VM_SERIES=kernel-core-hotpatch-$KEVR

	mkdir -p "$repo"
	HP_VM_KCORE=$(hp_build_rpm kernel-core "$repo" --define "kver $HP_VM_KV" \
		--define "krel $HP_VM_KR" --define "uname_r $HP_KVER")
	HP_VM_KLP_RPMS=()
	for v in "$@"; do
		HP_VM_KLP_RPMS[v]=$(hp_vm_klp_rpm "$repo" "$HP_VM_SERIES" "$v" \
			"$HP_VM_KLP/livepatch_cmdline_v$v.ko")
	done
	HP_VM_BASELINES=("--id base-1 --kind planned --issued 2026-10-01 --build kernel-core=$KEVR")
	[ -z "$more" ] || "$more"

	HP_VM_FPR=$(hp_gpg_init "$HP_TEST_TMP/gnupg")
	hp_gpg_export "$HP_TEST_TMP/gnupg" "$HP_TEST_TMP/operator.asc"
	if [ "$sign" = 1 ]; then
		# rpm's %__gpg is gpg2 on Debian, which is not installed.
		rpmsign --addsign --define '__gpg /usr/bin/gpg' --define "_gpg_name $HP_VM_FPR" \
			--define "_gpg_path $HP_TEST_TMP/gnupg" "$repo"/*.rpm </dev/null \
			>"$HP_TEST_TMP/rpmsign.log" 2>&1 ||
			{ cat "$HP_TEST_TMP/rpmsign.log" >&2; hp_fail "rpmsign failed"; }
	fi
	hp_make_repo "$repo"
	for b in "${HP_VM_BASELINES[@]}"; do
		# shellcheck disable=SC2086 # one string, several arguments
		"$(hp_bin hotpatch-repo)" baseline add "$repo" $b >/dev/null
	done
	"$(hp_bin hotpatch-repo)" publish "$repo" --sign-key "$HP_VM_FPR" \
		--gnupg-home "$HP_TEST_TMP/gnupg" >"$HP_TEST_TMP/publish.log" 2>&1 ||
		{ cat "$HP_TEST_TMP/publish.log" >&2; hp_fail "hotpatch-repo publish failed"; }
}

# hp_vm_guest_prelude - prints the start every guest script shares: bash
# with set -u, the paths (R: the installroot on the share, DB: its rpmdb,
# J: the journal, LP: /sys/kernel/livepatch), the TAP-like ok/notok/check
# (failures counted in $fails), rpmi (rpm into $R, no scripts or deps,
# Debian's warning filtered) and hp/hpr (hotpatch on $R; hpr with the
# test's $REPO and $KEY). A test's guest_script() prints it, then its own.
hp_vm_guest_prelude()
{
	cat <<'GUEST'
#!/bin/bash
set -u
R=/hpshare/root
DB=/root/.rpmdb
J=$R/var/lib/hotpatch/journal/journal.jsonl
LP=/sys/kernel/livepatch
fails=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1: expected '$2', got '$3'"; fi; }
FORCE=
rpm --help 2>/dev/null | grep -q -- --force-debian && FORCE=--force-debian
rpmi() {
	rpm $FORCE --root $R --dbpath $DB --nodeps --noscripts --nosignature "$@" 2>/tmp/rpm.err
	local rc=$?
	grep -v -e 'should not be used directly' -e 'know what you are doing' /tmp/rpm.err >&2
	[ "$rc" = 0 ] || notok "rpm $*: exit $rc"
}
hp() { "$HOTPATCH" --root $R "$@"; }
hpr() { "$HOTPATCH" --root $R --repo "$REPO" --gpgkey "$KEY" "$@"; }
GUEST
}

hp_vm_prereq()
{
	local kver
	if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
		echo "SKIP: qemu-system-x86_64 not installed (qemu-system-x86)" >&2
		exit 77
	fi
	if ! kver=$(hp_vm_kver); then
		echo "SKIP: no /boot/vmlinuz-*-amd64 (linux-image-amd64)" >&2
		exit 77
	fi
	if [ ! -r "/boot/vmlinuz-$kver" ]; then
		echo "SKIP: /boot/vmlinuz-$kver is not readable" >&2
		exit 77
	fi
	if [ ! -f "/lib/modules/$kver/modules.dep" ]; then
		echo "SKIP: /lib/modules/$kver/modules.dep missing" >&2
		exit 77
	fi
	if ! _hp_vm_busybox >/dev/null; then
		echo "SKIP: no statically linked busybox (busybox-static)" >&2
		exit 77
	fi
	if ! command -v cpio >/dev/null 2>&1; then
		echo "SKIP: cpio not installed" >&2
		exit 77
	fi
	if ! _hp_vm_modpaths "$kver" >/dev/null; then
		echo "SKIP: kernel modules for 9p/virtio/overlay missing in /lib/modules/$kver" >&2
		exit 77
	fi
}

# Print a statically linked busybox's path (the initramfs has no libc).
_hp_vm_busybox()
{
	local b
	for b in /bin/busybox /usr/bin/busybox /usr/lib/initramfs-tools/bin/busybox; do
		[ -x "$b" ] || continue
		# "statically linked" (file) or no PT_INTERP: check with ldd's
		# exit status, which fails on static binaries.
		if ! ldd "$b" >/dev/null 2>&1; then
			echo "$b"
			return 0
		fi
	done
	return 1
}

# _hp_vm_modpaths KVER: print the module files (relative to
# /lib/modules/KVER) for HP_VM_MODULES and their dependencies, each after
# everything it depends on.  Fails when one is missing.
_hp_vm_modpaths()
{
	awk -v want="$HP_VM_MODULES" '
	function modname(p,   n) {
		n = p; sub(/.*\//, "", n); sub(/\.ko(\.(xz|zst|gz))?$/, "", n)
		gsub(/-/, "_", n); return n
	}
	function visit(n,   i, k, d) {
		if (n in done) return
		if (!(n in path)) { missing = missing " " n; return }
		done[n] = 1
		k = split(deps[n], d, " ")
		for (i = 1; i <= k; i++) visit(modname(d[i]))
		print path[n]
	}
	{
		p = $1; sub(/:$/, "", p); n = modname(p)
		path[n] = p; deps[n] = ""
		for (i = 2; i <= NF; i++) deps[n] = deps[n] " " $i
	}
	END {
		k = split(want, w, " ")
		for (i = 1; i <= k; i++) { x = w[i]; gsub(/-/, "_", x); visit(x) }
		if (missing != "") {
			print "lib.sh: modules not found:" missing > "/dev/stderr"
			exit 1
		}
	}' "/lib/modules/$1/modules.dep"
}

# The guest's /init (busybox sh).  Per-run details come from the kernel
# command line (hp.share=1) and from the OUTDIR mount, so the initramfs is
# the same for every run and can be cached.
_hp_vm_init_script()
{
	cat <<'EOF'
#!/bin/sh
# dnf-hotpatch test guest init (tests/vm/lib.sh)
export PATH=/bin
die() {
	echo "hp-vm-init: $*" >/dev/console
	[ -d /hpout ] && echo "hp-vm-init: $*" >>/hpout/init-error 2>/dev/null
	sync
	poweroff -f
	reboot -f
}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Read our parameters now: the chroot gets a fresh /proc later.
share=0
for w in $(cat /proc/cmdline); do
	case "$w" in
	hp.share=1) share=1 ;;
	esac
done
while read -r m; do
	insmod "/lib/modules/$m" || die "insmod $m failed"
done </modules.order
o9p=trans=virtio,version=9p2000.L,msize=512000
mkdir -p /host /hpout /ovl /newroot
mount -t 9p -o "$o9p,ro,cache=loose" hproot /host || die "mount of host / failed"
mount -t 9p -o "$o9p,rw,cache=mmap" hpout /hpout || die "mount of OUTDIR failed"
mount -t tmpfs -o mode=0755 tmpfs /ovl
mkdir -p /ovl/upper /ovl/work
mount -t overlay -o lowerdir=/host,upperdir=/ovl/upper,workdir=/ovl/work overlay /newroot ||
	die "overlay mount failed"
r=/newroot
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts $r/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $r/dev/shm
mount -t tmpfs -o mode=0755 tmpfs $r/run
mkdir -p $r/run/hp-vm $r/hpshare $r/run/lock
mount -o bind /hpout $r/run/hp-vm
if [ "$share" = 1 ]; then
	mount -t 9p -o "$o9p,rw,cache=mmap" hpshare $r/hpshare || die "mount of the share failed"
else
	mkdir -p /hpout/share
	mount -o bind /hpout/share $r/hpshare
fi
read -r up _ </proc/uptime
echo "guest_script_start=$up" >/hpout/timing
env -i HP_VM=1 HOME=/root LANG=C.UTF-8 TERM=dumb \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	/bin/chroot $r /bin/sh -c '
		[ -r /run/hp-vm/env ] && . /run/hp-vm/env
		cd /
		exec "$0"' /run/hp-vm/guest-script \
	</dev/null >/hpout/stdout 2>/hpout/stderr
rc=$?
read -r up _ </proc/uptime
echo "guest_script_end=$up" >>/hpout/timing
dmesg >/hpout/dmesg
echo "$rc" >/hpout/rc
sync
umount $r/hpshare $r/run/hp-vm 2>/dev/null
umount /hpout 2>/dev/null
poweroff -f
reboot -f
EOF
}

# _hp_vm_initramfs KVER: print the path of the cached initramfs for KVER,
# building it first when the inputs changed.
_hp_vm_initramfs()
{
	local kver=$1 cache bb mods key img stage m src dst a rc=0
	cache=${HP_CACHE_DIR:-/tmp/hp-cache}/vm
	bb=$(_hp_vm_busybox) || { echo "lib.sh: no static busybox" >&2; return 1; }
	mods=$(_hp_vm_modpaths "$kver") || return 1
	mkdir -p "$cache" || return 1
	key=$( { echo "$kver"; echo "$mods"; _hp_vm_init_script;
		sha256sum "$bb" | cut -d' ' -f1;
		for m in $mods; do stat -c '%s %Y' "/lib/modules/$kver/$m"; done; } |
		sha256sum | cut -c1-16)
	img=$cache/initramfs-$kver-$key.cpio
	if [ -s "$img" ]; then
		echo "$img"
		return 0
	fi
	(
		flock 9
		[ -s "$img" ] && exit 0
		stage=$(mktemp -d "$cache/stage.XXXXXX") || exit 1
		trap 'rm -rf "$stage"' EXIT
		mkdir -p "$stage"/{bin,dev,proc,sys,lib/modules} || exit 1
		cp "$bb" "$stage/bin/busybox" || exit 1
		for a in $("$bb" --list); do
			[ "$a" = busybox ] || ln -s busybox "$stage/bin/$a"
		done
		mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
		: >"$stage/modules.order"
		for m in $mods; do
			src=/lib/modules/$kver/$m
			dst=$(basename "$m")
			# insmod wants a plain ELF; decompress here, it
			# is cheaper than in an emulated CPU anyway.
			case "$m" in
			*.ko.xz) dst=${dst%.xz}; xz -dc "$src" >"$stage/lib/modules/$dst" ;;
			*.ko.zst) dst=${dst%.zst}; zstd -qdc "$src" >"$stage/lib/modules/$dst" ;;
			*.ko.gz) dst=${dst%.gz}; gzip -dc "$src" >"$stage/lib/modules/$dst" ;;
			*) cp "$src" "$stage/lib/modules/$dst" ;;
			esac || { echo "lib.sh: cannot copy $src" >&2; exit 1; }
			echo "$dst" >>"$stage/modules.order"
		done
		_hp_vm_init_script >"$stage/init"
		chmod 755 "$stage/init"
		(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --quiet) >"$img.tmp" || exit 1
		mv -f "$img.tmp" "$img"
	) 9>"$cache/.lock" || rc=1
	[ "$rc" = 0 ] || { echo "lib.sh: cannot build the initramfs in $cache" >&2; return 1; }
	echo "$img"
}

# _hp_vm_kernel KVER: print the kernel image to boot.  The bzImage's own
# decompressor (xz) takes ~2.5 s of emulated CPU under TCG, so the vmlinux
# ELF inside it is extracted once on the host (cached) and booted directly
# through its PVH entry point (CONFIG_PVH=y in Debian's kernels).  Falls back
# to the bzImage when that is not possible.  It is the same kernel; only
# KASLR (done by the decompressor) is skipped.
_hp_vm_kernel()
{
	local kver=$1 bz cache key img off magic rc=0
	bz=/boot/vmlinuz-$kver
	cache=${HP_CACHE_DIR:-/tmp/hp-cache}/vm
	if [ "${HP_VM_BZIMAGE:-0}" = 1 ] || ! command -v readelf >/dev/null 2>&1; then
		echo "$bz"
		return 0
	fi
	mkdir -p "$cache" || { echo "$bz"; return 0; }
	key=$(stat -c '%s %Y' "$bz" | sha256sum | cut -c1-16)
	img=$cache/vmlinux-$kver-$key
	if [ -s "$img" ]; then
		echo "$img"
		return 0
	fi
	(
		flock 9
		[ -s "$img" ] && exit 0
		# Try each compressor's magic: the first offset that
		# decompresses to an ELF with a PVH entry note wins.
		for magic in 'xz \xfd7zXZ\x00' 'zstd \x28\xb5\x2f\xfd' 'gzip \x1f\x8b\x08'; do
			for off in $(LC_ALL=C grep -obUaP "${magic#* }" "$bz" |
				cut -d: -f1 | head -n 3); do
				tail -c +$((off + 1)) "$bz" |
					"${magic%% *}" -dcq >"$img.tmp" 2>/dev/null
				if [ "$(head -c 4 "$img.tmp" | od -An -c | tr -d ' ')" = 177ELF ] &&
					readelf -n "$img.tmp" 2>/dev/null |
					grep -q 'Xen.*(0x00000012)'; then
					mv -f "$img.tmp" "$img"
					exit 0
				fi
			done
		done
		rm -f "$img.tmp"
		exit 1
	) 9>"$cache/.lock" || rc=1
	if [ "$rc" = 0 ]; then
		echo "$img"
	else
		echo "$bz"
	fi
}

_hp_vm_now()
{
	date +%s.%N
}

hp_vm_run()
{
	local timeout=300 share="" script out kver initrd accel=(-accel tcg)
	local append rc t0 t1 envs=() e kernel
	while [ $# -gt 0 ]; do
		case "$1" in
		--timeout) timeout=$2; shift 2 ;;
		--share) share=$2; shift 2 ;;
		--env) envs+=("$2"); shift 2 ;;
		--) shift; break ;;
		-*) echo "hp_vm_run: unknown option '$1'" >&2; return 2 ;;
		*) break ;;
		esac
	done
	script=${1:-}
	out=${2:-}
	if [ -z "$script" ] || [ ! -r "$script" ]; then
		echo "hp_vm_run: guest script '$script' is not readable" >&2
		return 2
	fi
	if [ -z "$out" ]; then
		out=$(mktemp -d "${TMPDIR:-/tmp}/hp-vm.XXXXXX") || return 2
	fi
	mkdir -p "$out" || return 2
	out=$(cd "$out" && pwd)
	# For callers that let hp_vm_run pick OUTDIR.
	# shellcheck disable=SC2034
	HP_VM_OUT=$out
	if [ -n "$share" ]; then
		mkdir -p "$share" || return 2
		share=$(cd "$share" && pwd)
	fi
	kver=$(hp_vm_kver) || { echo "hp_vm_run: no /boot/vmlinuz-*-amd64" >&2; return 2; }
	initrd=$(_hp_vm_initramfs "$kver") || return 2
	kernel=$(_hp_vm_kernel "$kver")

	rm -f "$out"/{stdout,stderr,rc,dmesg,console.log,timing,init-error,env}
	cp "$script" "$out/guest-script" && chmod 755 "$out/guest-script" || return 2
	for e in "${envs[@]}"; do
		case "$e" in
		[A-Za-z_]*=*) printf 'export %s=%q\n' "${e%%=*}" "${e#*=}" >>"$out/env" ;;
		*) echo "hp_vm_run: bad --env '$e' (want NAME=VALUE)" >&2; return 2 ;;
		esac
	done

	# KVM only with hardware virtualisation: on nested setups without
	# vmx/svm /dev/kvm opens but guests hang (shared notes).
	if [ -w /dev/kvm ] && grep -qw -e vmx -e svm /proc/cpuinfo; then
		accel=(-accel kvm -cpu host)
	fi
	[ -n "${HP_VM_ACCEL:-}" ] && accel=(-accel "$HP_VM_ACCEL")
	# loglevel=5: boot chatter stays off the (emulated, slow) serial
	# line, but warnings and oopses reach console.log even when the guest
	# dies before its dmesg is saved.
	append="console=ttyS0 loglevel=5 panic=-1 hp.share=$([ -n "$share" ] && echo 1 || echo 0)"
	append="$append${HP_VM_APPEND:+ $HP_VM_APPEND}"

	local qemu=(qemu-system-x86_64 "${accel[@]}" -m "${HP_VM_MEM:-1G}" -nographic
		-no-reboot -net none -vga none
		-kernel "$kernel" -initrd "$initrd" -append "$append"
		-virtfs "local,path=/,mount_tag=hproot,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$out,mount_tag=hpout,security_model=none,multidevs=remap")
	[ -n "$share" ] && qemu+=(-virtfs
		"local,path=$share,mount_tag=hpshare,security_model=none,multidevs=remap")

	t0=$(_hp_vm_now)
	timeout -k 5 "$timeout" "${qemu[@]}" </dev/null >"$out/console.log" 2>&1
	rc=$?
	t1=$(_hp_vm_now)
	echo "host_wall=$(awk "BEGIN{printf \"%.2f\", $t1 - $t0}")" \
		>>"$out/timing"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "hp_vm_run: guest timed out after ${timeout}s; console ($out/console.log):" >&2
		tail -n 30 "$out/console.log" >&2
		return 124
	fi
	if [ ! -s "$out/rc" ]; then
		echo "hp_vm_run: guest did not run the script (qemu exit $rc); console ($out/console.log):" >&2
		tail -n 30 "$out/console.log" >&2
		[ -f "$out/init-error" ] && cat "$out/init-error" >&2
		return 125
	fi
	return "$(cat "$out/rc")"
}

hp_vm_dmesg_clean()
{
	local out=${1:?usage: hp_vm_dmesg_clean OUTDIR}
	if [ ! -f "$out/dmesg" ]; then
		echo "hp_vm_dmesg_clean: no $out/dmesg" >&2
		return 1
	fi
	if grep -qE 'Call Trace|WARNING:' "$out/dmesg"; then
		echo "hp_vm_dmesg_clean: the guest kernel complained ($out/dmesg):" >&2
		grep -nE -B2 -A12 'Call Trace|WARNING:' "$out/dmesg" >&2
		return 1
	fi
	return 0
}

# hp_vm_run_checked OUTDIR [hp_vm_run options...] GUEST_SCRIPT - (issue 10)
# hp_vm_run into OUTDIR, print the guest's stdout, and fail the test (with
# the guest's stderr) when the script did not exit 0 or the guest's dmesg
# has warnings.
hp_vm_run_checked()
{
	local out=$1 rc=0
	shift
	hp_vm_run "$@" "$out" || rc=$?
	cat "$out/stdout" 2>/dev/null || true
	if [ "$rc" != 0 ]; then
		echo "--- guest stderr:" >&2
		tail -n 60 "$out/stderr" >&2 || true
		hp_fail "guest exited $rc"
	fi
	hp_vm_dmesg_clean "$out" || hp_fail "guest dmesg has warnings"
}
