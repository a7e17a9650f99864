#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The Debian packages on a Debian 12 amd64 system (make test-install).
#
# Usage: tests/install/run.sh DEB_DIR
#
# 1. A minimal Debian 12 root made by debootstrap from Debian's registry, with
#    the headers of Debian's 6.1 and 6.12 amd64 kernels (the ABIs
#    scripts/debian-kernel.sh resolves: 6.12 comes from bookworm-security),
#    dkms, g++, pkg-config, man-db and python3, is cached in
#      ${XENSHM_CACHE:-~/.cache/xenshm}/install-root/<key>/
#    keyed by its inputs (suite, mirrors, package list). Cold: a few minutes.
# 2. Each run mounts an overlay on that root (the cache stays pristine) and
#    runs `apt-get install ./xenshm-dkms_*.deb ./xenshm-tools_*.deb
#    ./libxenshm-dev_*.deb ./python3-xenshm_*.deb` in it, offline. Checked:
#    DKMS built and installed xenshm.ko for both kernels; group xenshm, the
#    udev rule and the man pages are installed (man -w finds each page);
#    `pkg-config --cflags --libs xenshm` works and a C program built with it
#    links; the Python module imports and passes its layout self-test; the
#    tools run; `apt-get purge xenshm-dkms` removes the modules; then the
#    tree's own `make dkms-install KVER=<6.1>` and `make dkms-remove` work
#    in the same root. A third "kernel", 6.1's headers without CONFIG_XEN,
#    is skipped by DKMS (BUILD_EXCLUSIVE_CONFIG: apt-get install still
#    succeeds) and refused by `make dkms-install` with check-kdir's message.
# 3. The 6.1 xenshm.ko that DKMS built is booted in QEMU on Debian's 6.1
#    kernel with the smoke test of `make test-qemu-smoke`
#    (scripts/qemu-smoke-init.sh).
# 4. And again with Debian's own systemd-udevd from that root, which must
#    apply the package's udev rule: nodes 660 root:xenshm, a member of group
#    xenshm moves a line through a loopback pair, a non-member is refused,
#    and the documented opt-out keeps the nodes 600 (tests/install/udev-guest.sh).
#
# Environment: XENSHM_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# XENSHM_DEBIAN_SECURITY (default http://deb.debian.org/debian-security).
# Needs root (debootstrap, chroot, mount).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
debs=${1:?usage: $0 DEB_DIR}
debs=$(cd "$debs" && pwd)
cache=${XENSHM_CACHE:-$HOME/.cache/xenshm}
build=${BUILD:-$top/build}/install-test
suite=bookworm
mirror=${XENSHM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${XENSHM_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}

t0=$(date +%s)
die() { echo "test-install: FAIL: $*" >&2; exit 1; }
log() { echo "test-install: $*"; }
ok() { echo "test-install: ok: $*"; }

[ "$(id -u)" -eq 0 ] ||
	die "needs root (debootstrap, chroot and mount): run 'sudo make test-install'"
[ "$(dpkg --print-architecture)" = amd64 ] || die "runs on an amd64 host (the root is amd64)"
for d in xenshm-dkms xenshm-tools libxenshm-dev python3-xenshm; do
	compgen -G "$debs/${d}_*.deb" >/dev/null || die "no $debs/${d}_*.deb (make deb DEB_ARCHES=amd64)"
done

abi61=$(XENSHM_KSERIES=6.1 "$top/scripts/debian-kernel.sh" abi)
abi612=$(XENSHM_KSERIES=6.12 "$top/scripts/debian-kernel.sh" abi)
kernels=("$abi61-amd64" "$abi612-amd64")
pkgs=(adduser dkms g++ make pkg-config man-db python3 kmod
      "linux-headers-$abi61-amd64" "linux-headers-$abi612-amd64")

# ---- 1. the cached root ---------------------------------------------------
key=$(printf '%s\n' "$suite" "$mirror" "$security" "${pkgs[@]}" | sha256sum | cut -c1-16)
croot=$cache/install-root/$suite-amd64-$key
mkdir -p "$croot"
exec 9>"$croot/.lock"
flock 9

chroot_mounts() { # root
	mount -t proc proc "$1/proc"
	mount -t sysfs sysfs "$1/sys"
	mount --bind /dev "$1/dev"
	mount --bind /dev/pts "$1/dev/pts"
}
chroot_umounts() { # root
	local m
	for m in dev/pts dev sys proc; do
		mountpoint -q "$1/$m" && umount -l "$1/$m"
	done
	return 0
}

if [ ! -f "$croot/.done" ]; then
	log "building the Debian 12 root (cached in $croot)"
	start=$(date +%s)
	tmp=$croot/root.tmp
	rm -rf "$tmp" "$croot/root"
	debootstrap --variant=minbase --arch=amd64 "$suite" "$tmp" "$mirror" \
		>"$croot/debootstrap.log" 2>&1 ||
		die "debootstrap failed (log: $croot/debootstrap.log)"
	cat >"$tmp/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
EOF
	# The kernel images the headers pull in need no initramfs here.
	mkdir -p "$tmp/etc/initramfs-tools"
	echo 'update_initramfs=no' >"$tmp/etc/initramfs-tools/update-initramfs.conf"
	trap 'chroot_umounts "$tmp"' EXIT
	chroot_mounts "$tmp"
	{
		chroot "$tmp" apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive chroot "$tmp" apt-get install -y -qq \
			--no-install-recommends -o Dpkg::Options::=--force-confold "${pkgs[@]}" &&
		chroot "$tmp" apt-get clean
	} >"$croot/apt.log" 2>&1 || die "apt-get in the root failed (log: $croot/apt.log)"
	chroot_umounts "$tmp"
	trap - EXIT
	mv "$tmp" "$croot/root"
	printf '%s\n' "$suite" "$mirror" "$security" "${pkgs[@]}" >"$croot/inputs"
	touch "$croot/.done"
	log "root ready in $(( $(date +%s) - start )) s"
fi
exec 9>&-

# ---- 2. the packages in an overlay of it ----------------------------------
rm -rf "$build" && mkdir -p "$build"/{upper,work,merged}
root=$build/merged
cleanup() {
	chroot_umounts "$root"
	mountpoint -q "$root" && umount -l "$root"
	return 0
}
trap cleanup EXIT
mount -t overlay overlay -o "lowerdir=$croot/root,upperdir=$build/upper,workdir=$build/work" "$root"
chroot_mounts "$root"
mkdir -p "$root/tmp/debs"
cp "$debs"/xenshm-dkms_*_all.deb "$debs"/xenshm-tools_*_amd64.deb \
	"$debs"/libxenshm-dev_*_amd64.deb "$debs"/python3-xenshm_*_all.deb "$root/tmp/debs/"

# A third kernel whose headers lack Xen guest support (6.1's, CONFIG_XEN
# removed): DKMS must skip it without failing the installation.
noxen=${abi61}-noxen
chroot "$root" sh -c "cp -a /usr/src/linux-headers-$abi61-amd64 /usr/src/linux-headers-$noxen &&
	sed -i '/^CONFIG_XEN=/d' /usr/src/linux-headers-$noxen/.config &&
	mkdir -p /lib/modules/$noxen && ln -s /usr/src/linux-headers-$noxen /lib/modules/$noxen/build" ||
	die "cannot make the headers of a kernel without Xen"

log "apt-get install of the four packages (DKMS builds for ${kernels[*]}; skips $noxen)"
start=$(date +%s)
# (apt in a chroot wants the files' absolute paths; ./ would do outside one)
if ! DEBIAN_FRONTEND=noninteractive chroot "$root" sh -c \
	'apt-get install -y -q --no-install-recommends /tmp/debs/xenshm-dkms_*.deb \
		/tmp/debs/xenshm-tools_*.deb /tmp/debs/libxenshm-dev_*.deb /tmp/debs/python3-xenshm_*.deb' \
	>"$build/apt.log" 2>&1; then
	tail -n 30 "$build/apt.log" >&2
	for l in "$root"/var/lib/dkms/xenshm/*/build/make.log; do
		[ -f "$l" ] && { echo "--- $l" >&2; tail -n 20 "$l" >&2; }
	done
	die "apt-get install failed (log: $build/apt.log)"
fi
ok "apt-get install in $(( $(date +%s) - start )) s"

for k in "${kernels[@]}"; do
	st=$(chroot "$root" dkms status -m xenshm -k "$k" 2>/dev/null)
	grep -q ': installed' <<<"$st" || die "dkms status for $k: '$st'"
	ko=$(compgen -G "$root/lib/modules/$k/updates/dkms/xenshm.ko*" | head -n1) ||
		die "no xenshm.ko for $k in /lib/modules/$k/updates/dkms"
	[ -n "$ko" ] || die "no xenshm.ko for $k"
	vm=$(chroot "$root" modinfo -F vermagic "${ko#"$root"}" | cut -d' ' -f1)
	[ "$vm" = "$k" ] || die "$ko: vermagic $vm, want $k"
	ok "DKMS: ${ko#"$root"} (vermagic $vm)"
done

! compgen -G "$root/lib/modules/$noxen/updates/dkms/xenshm.ko*" >/dev/null ||
	die "DKMS built xenshm.ko for $noxen, whose headers have no CONFIG_XEN"
rc=0; chroot "$root" dkms build -m xenshm -v "$(cat "$root"/usr/src/xenshm-*/dkms.conf |
	sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p')" -k "$noxen" >"$build/noxen.log" 2>&1 || rc=$?
[ "$rc" -eq 77 ] && grep -q 'BUILD_EXCLUSIVE directive which does not match' "$build/noxen.log" ||
	{ cat "$build/noxen.log" >&2; die "dkms build for $noxen: exit $rc, want 77 (BUILD_EXCLUSIVE_CONFIG)"; }
ok "DKMS skips $noxen (no CONFIG_XEN): \"$(grep -m1 -o 'includes a BUILD_EXCLUSIVE.*' "$build/noxen.log")\""

chroot "$root" getent group xenshm >/dev/null || die "no group xenshm"
grep -q 'GROUP="xenshm", MODE="0660"' "$root/lib/udev/rules.d/60-xenshm.rules" ||
	die "udev rule /lib/udev/rules.d/60-xenshm.rules missing or without group xenshm"
ok "group xenshm, /lib/udev/rules.d/60-xenshm.rules"

for p in 4:xenshm 1:xenshm-cat 1:xenshm-info 1:xenshm-bench 3:libxenshm; do
	chroot "$root" man -w "${p%%:*}" "${p#*:}" >/dev/null || die "man ${p%%:*} ${p#*:}: not found"
done
ok "man pages: xenshm(4) xenshm-cat(1) xenshm-info(1) xenshm-bench(1) libxenshm(3)"

flags=$(chroot "$root" pkg-config --cflags --libs xenshm | sed "s/ *$//") || die "pkg-config --cflags --libs xenshm failed"
cat >"$root/tmp/pc-test.c" <<'EOF'
#include <libxenshm.h>
#include <stdio.h>

int main(void)
{
	char buf[64];

	printf("%s %s\n", xenshm_dev_path("x", buf, sizeof(buf)), xenshm_state_name(XENSHM_CHAN_STATE_IDLE));
	return 0;
}
EOF
chroot "$root" sh -c "gcc -Wall -Werror -o /tmp/pc-test /tmp/pc-test.c $flags && /tmp/pc-test" >"$build/pc-test.out" 2>&1 ||
	{ cat "$build/pc-test.out" >&2; die "a C program built with pkg-config's flags ($flags) failed"; }
echo '#include <libxenshm.hpp>' >"$root/tmp/pc-test.cpp"
chroot "$root" sh -c "g++ -Wall -Werror -fsyntax-only /tmp/pc-test.cpp $flags" >"$build/pc-test-cxx.out" 2>&1 ||
	{ cat "$build/pc-test-cxx.out" >&2; die "#include <libxenshm.hpp> with pkg-config's flags failed"; }
ok "pkg-config --cflags --libs xenshm: $flags; a C program links and runs, libxenshm.hpp compiles"

chroot "$root" sh -c 'python3 -m xenshm.abi && python3 -c "import xenshm; print(xenshm.Channel)"' \
	>"$build/python.out" 2>&1 || { cat "$build/python.out" >&2; die "python3-xenshm: import failed"; }
ok "python3 -m xenshm.abi; import xenshm.Channel"

for t in xenshm-info xenshm-cat xenshm-bench; do
	[ -x "$root/usr/bin/$t" ] || die "no /usr/bin/$t"
	rc=0; chroot "$root" "$t" --no-such-option >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 2 ] || die "$t --no-such-option exited $rc, want 2 (usage)"
done
ok "tools installed and runnable"

# The 6.1 module for step 3, before the package goes.
ko=$(compgen -G "$root/lib/modules/$abi61-amd64/updates/dkms/xenshm.ko*" | head -n1)
smoke=$build/smoke
mkdir -p "$smoke"
case "$ko" in
*.ko) cp "$ko" "$smoke/xenshm.ko" ;;
*.ko.xz) xz -dc "$ko" >"$smoke/xenshm.ko" ;;
*.ko.zst) zstd -qdc "$ko" >"$smoke/xenshm.ko" ;;
*) die "unknown module file $ko" ;;
esac

# What step 4 takes from this root, before it goes: Debian's udevadm (also
# systemd-udevd) with the libraries it loads, the rules (Debian's and the
# package's 60-xenshm.rules), the users and groups, with two test users.
staged=$smoke/udev-root
rm -rf "$staged" && mkdir -p "$staged"
udev_adds=()
stage() {   # PATH in the root, staged under the same path in the guest
	local real
	real=$(chroot "$root" readlink -f "$1") || die "stage $1: not in the root"
	mkdir -p "$staged$(dirname "$1")"
	cp "$root$real" "$staged$1" || die "stage $1: cannot copy"
	udev_adds+=(--add "$staged$1:$1")
}
[ -x "$root/usr/bin/udevadm" ] || die "no /usr/bin/udevadm in the root (package udev)"
stage /usr/bin/udevadm
for lib in $(chroot "$root" ldd /usr/bin/udevadm | grep -o '/[^ ]*'); do stage "$lib"; done
for r in "$root"/usr/lib/udev/rules.d/*.rules; do stage "/usr/lib/udev/rules.d/${r##*/}"; done
[ -f "$staged/usr/lib/udev/rules.d/60-xenshm.rules" ] || die "the package's 60-xenshm.rules is not in /usr/lib/udev/rules.d"
gid=$(chroot "$root" getent group xenshm | cut -d: -f3)
mkdir -p "$staged/etc"
{ cat "$root/etc/passwd"; echo "member:x:1000:1000::/tmp:/bin/sh"; echo "outsider:x:1001:1001::/tmp:/bin/sh"; } \
	>"$staged/etc/passwd"
{ sed "s/^xenshm:x:$gid:.*/xenshm:x:$gid:member/" "$root/etc/group"; echo "member:x:1000:"; echo "outsider:x:1001:"; } \
	>"$staged/etc/group"
udev_adds+=(--add "$staged/etc/passwd:/etc/passwd" --add "$staged/etc/group:/etc/group")

DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get purge -y -q xenshm-dkms >"$build/purge.log" 2>&1 ||
	die "apt-get purge xenshm-dkms failed (log: $build/purge.log)"
! compgen -G "$root/lib/modules/*/updates/dkms/xenshm.ko*" >/dev/null ||
	die "xenshm.ko still installed after apt-get purge xenshm-dkms"
ok "apt-get purge xenshm-dkms removes the modules"

# make dkms-install / dkms-remove from the tree, in the same root.
start=$(date +%s)
mkdir -p "$root/tmp/src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -x -C "$root/tmp/src"
chroot "$root" make -C /tmp/src --no-print-directory dkms-install KVER="$abi61-amd64" \
	>"$build/dkms-install.log" 2>&1 || { tail -n 20 "$build/dkms-install.log" >&2; die "make dkms-install failed"; }
compgen -G "$root/lib/modules/$abi61-amd64/updates/dkms/xenshm.ko*" >/dev/null ||
	die "make dkms-install: no xenshm.ko for $abi61-amd64"
rc=0; chroot "$root" make -C /tmp/src --no-print-directory dkms-install KVER="$noxen" \
	>"$build/dkms-install-noxen.log" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && grep -q 'CONFIG_XEN is not set: xenshm needs a kernel with Xen guest support' \
	"$build/dkms-install-noxen.log" ||
	{ cat "$build/dkms-install-noxen.log" >&2; die "make dkms-install KVER=$noxen: no clear refusal"; }
chroot "$root" make -C /tmp/src --no-print-directory dkms-remove >"$build/dkms-remove.log" 2>&1 ||
	{ tail -n 20 "$build/dkms-remove.log" >&2; die "make dkms-remove failed"; }
! compgen -G "$root/lib/modules/$abi61-amd64/updates/dkms/xenshm.ko*" >/dev/null &&
	[ ! -e "$root/usr/src/xenshm-"* ] || die "make dkms-remove left the module or its source"
ok "make dkms-install KVER=$abi61-amd64, make dkms-remove; KVER=$noxen refused: CONFIG_XEN is not set ($(( $(date +%s) - start )) s)"

cleanup
trap - EXIT

# ---- 3. the DKMS-built 6.1 module in QEMU --------------------------------
printf 'release=%s\nversion=%s\nsrcversion=%s\n' \
	"$(modinfo -F vermagic "$smoke/xenshm.ko" | cut -d' ' -f1)" \
	"$(modinfo -F version "$smoke/xenshm.ko")" \
	"$(modinfo -F srcversion "$smoke/xenshm.ko")" >"$smoke/expect"
XENSHM_KSERIES=6.1 "$top/scripts/mkinitramfs.sh" --arch x86_64 \
	--out "$smoke/initramfs.cpio.gz" --init "$top/scripts/qemu-smoke-init.sh" \
	--add "$smoke/xenshm.ko:/lib/xenshm.ko" --add "$smoke/expect:/etc/xenshm-expect"
XENSHM_KSERIES=6.1 "$top/scripts/qemu-run.sh" --arch x86_64 --timeout "${SMOKE_TIMEOUT:-240}" \
	--initrd "$smoke/initramfs.cpio.gz" --log "$smoke/console.log" \
	--expect 'xenshm: selftest passed \([0-9]+ checks\)' --expect '^smoke: PASS$' ||
	die "the DKMS-built module failed the QEMU smoke test (log: $smoke/console.log)"
ok "DKMS-built xenshm.ko ($abi61-amd64) passes the QEMU smoke test"

# ---- 4. the packaged udev rule under Debian's udevd, in QEMU --------------
XENSHM_KSERIES=6.1 "$top/scripts/mkinitramfs.sh" --arch x86_64 \
	--out "$smoke/udev-initramfs.cpio.gz" --init "$top/tests/install/udev-guest.sh" \
	--add "$smoke/xenshm.ko:/lib/xenshm.ko" "${udev_adds[@]}"
XENSHM_KSERIES=6.1 "$top/scripts/qemu-run.sh" --arch x86_64 --timeout "${SMOKE_TIMEOUT:-240}" \
	--initrd "$smoke/udev-initramfs.cpio.gz" --log "$smoke/udev-console.log" \
	--expect '^udev: PASS$' ||
	die "the udev rule test failed (log: $smoke/udev-console.log)"
grep '^udev: ok: ' "$smoke/udev-console.log" | sed 's/^udev: ok: /test-install: ok: udev: /'
echo "test-install: PASS ($(( $(date +%s) - t0 )) s)"
