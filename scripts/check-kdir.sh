#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Is KDIR a kernel build folder xenshm can be built against?  Checked before
# kbuild runs, so a wrong folder gives one message naming what is missing
# instead of pages of compiler output.  Kbuild repeats the CONFIG_XEN check
# for builds by hand (make -C $KDIR M=$PWD).
#
# Usage: scripts/check-kdir.sh KDIR
# Environment: XENSHM_LOOPBACK_ONLY=1 accepts a kernel without CONFIG_XEN
# (the module then offers only loopback pairs, for development).
set -euo pipefail

kdir=${1:?usage: $0 KDIR}
die() {
	echo "xenshm: cannot build against $kdir:" >&2
	echo "  $*" >&2
	exit 1
}

[ -f "$kdir/Makefile" ] ||
	die "no Makefile: not a kernel build folder (want /lib/modules/<release>/build, an O= build folder or a headers package)"
[ -f "$kdir/.config" ] ||
	die "no .config: the kernel is not configured (make olddefconfig && make modules_prepare)"
for f in include/generated/autoconf.h include/config/auto.conf; do
	[ -f "$kdir/$f" ] ||
		die "no $f: the kernel is configured but not prepared (make modules_prepare)"
done
grep -qx 'CONFIG_MODULES=y' "$kdir/.config" ||
	die "CONFIG_MODULES is not set: this kernel cannot load modules"
[ -f "$kdir/Module.symvers" ] ||
	die "no Module.symvers: build the kernel (make modules) or use its headers package"
if ! grep -qx 'CONFIG_XEN=y' "$kdir/.config" && [ "${XENSHM_LOOPBACK_ONLY:-0}" != 1 ]; then
	die "CONFIG_XEN is not set: xenshm needs a kernel with Xen guest support (CONFIG_XEN=y; event channels come with it); XENSHM_LOOPBACK_ONLY=1 builds the loopback transport alone"
fi
