#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Bad build input gets one clear message naming what is missing, before any
# compiler output:
#   - a folder that is not a kernel build folder;
#   - a kernel that is not configured (no .config) or not prepared;
#   - a kernel without Xen support (CONFIG_XEN unset), through the wrapper
#     (make module) and by hand (make -C KDIR M=...), where Kbuild says it;
#   - and the same kernel with XENSHM_LOOPBACK_ONLY=1 builds (loopback only).
# The broken kernels are copies of Debian's 6.1 amd64 headers (3 MB; the
# common tree and the host tools are linked, not copied).
#
# Usage: tests/build/kdir-errors.sh WORKDIR
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:?usage: $0 WORKDIR}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
fails=0
pass() { echo "  ok: $*"; }
fail() { echo "  FAIL: $*"; fails=$((fails + 1)); }

# expect NAME REGEX CMD...: CMD fails, its output matches REGEX, and no
# compiler ran before the message (no "  CC " / "  CXX " line).
expect() {
	local name=$1 re=$2 out rc=0
	shift 2
	out=$("$@" 2>&1) || rc=$?
	if [ $rc -eq 0 ]; then
		fail "$name: succeeded"
	elif ! grep -Eq -- "$re" <<<"$out"; then
		fail "$name: no message matching /$re/; got: $(tail -n 3 <<<"$out" | tr '\n' '|')"
	elif grep -Eq '^ +(CC|CXX|LD) ' <<<"$out"; then
		fail "$name: the compiler ran before the message"
	else
		pass "$name: $(grep -Em1 -- "$re" <<<"$out" | sed 's/^ *//')"
	fi
}

kdir=$(XENSHM_KSERIES=6.1 "$top/scripts/debian-kernel.sh" headers x86_64)
src=$(dirname "$kdir")            # .../usr/src
flavour=$(basename "$kdir")
common=$(sed -n 's|^include .*\.\./\(linux-headers-[^/]*\)/Makefile$|\1|p' "$kdir/Makefile")
[ -n "$common" ] || { echo "kdir-errors.sh: cannot read $kdir/Makefile" >&2; exit 2; }

# A copy of the headers: usr/src/<flavour> copied, the common tree and
# usr/lib/linux-kbuild-* linked, so the relative links keep working.
copy_headers() {
	local dst=$1
	mkdir -p "$dst/usr/src" "$dst/usr/lib"
	ln -s "$src/$common" "$dst/usr/src/$common"
	cp -a "$kdir" "$dst/usr/src/$flavour"
	for l in "$src"/../lib/linux-kbuild-*; do ln -s "$(cd "$l" && pwd)" "$dst/usr/lib/"; done
	echo "$dst/usr/src/$flavour"
}

mk() { make --no-print-directory -C "$top" BUILD="$work/build" "$@"; }

mkdir -p "$work/empty"
expect "not a kernel folder" 'not a kernel build folder' \
	mk module ARCH=x86_64 KDIR="$work/empty"

unconf=$(copy_headers "$work/unconfigured")
rm "$unconf/.config"
expect "unconfigured kernel" 'not configured' mk module ARCH=x86_64 KDIR="$unconf"

unprep=$(copy_headers "$work/unprepared")
rm "$unprep/include/generated/autoconf.h"
expect "unprepared kernel" 'not prepared' mk module ARCH=x86_64 KDIR="$unprep"

noxen=$(copy_headers "$work/noxen")
sed -i 's/^CONFIG_XEN=y$/# CONFIG_XEN is not set/' "$noxen/.config"
sed -i '/^CONFIG_XEN=y$/d' "$noxen/include/config/auto.conf"
sed -i '/^#define CONFIG_XEN 1$/d' "$noxen/include/generated/autoconf.h"
expect "kernel without Xen (make module)" 'CONFIG_XEN is not set' \
	mk module ARCH=x86_64 KDIR="$noxen"
# By hand, in a mirror like the wrapper's (objects never land in the clone).
mkdir -p "$work/byhand"
ln -s "$top/Kbuild" "$work/byhand/Kbuild"
for d in module ringcore uapi kunit; do cp -rs "$top/$d" "$work/byhand/"; done
expect "kernel without Xen (make -C KDIR M=)" 'xenshm: CONFIG_XEN is not set' \
	make --no-print-directory -C "$noxen" M="$work/byhand" modules
out=$(XENSHM_LOOPBACK_ONLY=1 mk module ARCH=x86_64 KDIR="$noxen" MODULE_OUT="$work/loopback" 2>&1) &&
	[ -f "$work/loopback/xenshm.ko" ] &&
	! nm "$work/loopback/xenshm.ko" | grep -q xenshm_xen_ &&
	pass "kernel without Xen, XENSHM_LOOPBACK_ONLY=1: builds, no Xen transport inside" ||
	fail "XENSHM_LOOPBACK_ONLY=1 build: $(tail -n 5 <<<"$out" | tr '\n' '|')"

if [ $fails -ne 0 ]; then
	echo "kdir-errors: $fails failed"
	exit 1
fi
echo "kdir-errors: all passed"
