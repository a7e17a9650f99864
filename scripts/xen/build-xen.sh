#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build Xen/arm64 (hypervisor only) from Debian's bookworm source with static
# shared memory enabled, starting from Debian's own arm64 config.
#
# Debian's stock xen-hypervisor-4.17-arm64 is built without CONFIG_STATIC_SHM and
# panics on a device tree with xen,domain-shared-memory-v1 nodes, hence this.
#
# The result is cached under $XENSHM_CACHE/xen/<key>/ where <key> hashes the
# source version, the merged config and the cross compiler's version.
# On success the path of the Xen binary is the only line printed on stdout;
# progress goes to stderr.
#
# Usage: scripts/xen/build-xen.sh [--force]
# Env:   XENSHM_CACHE (default ~/.cache/xenshm), XEN_SRC_VERSION (default: the
#        candidate of "apt-cache showsrc xen"), CROSS_COMPILE (aarch64-linux-gnu-)
set -euo pipefail

force=
[ "${1:-}" = --force ] && force=1

cache=${XENSHM_CACHE:-$HOME/.cache/xenshm}/xen
cross=${CROSS_COMPILE:-aarch64-linux-gnu-}
stock_pkg=xen-hypervisor-4.17-arm64:arm64
# What we add to Debian's config. Static shm is a Tech Preview in 4.17, hence UNSUPPORTED.
extra_config='CONFIG_UNSUPPORTED=y
CONFIG_STATIC_MEMORY=y
CONFIG_STATIC_SHM=y'

log() { echo "build-xen: $*" >&2; }
die() { echo "build-xen: error: $*" >&2; exit 1; }

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

# --- inputs -------------------------------------------------------------------
if [ -z "${XEN_SRC_VERSION:-}" ]; then
	XEN_SRC_VERSION=$(apt-cache showsrc xen 2>/dev/null |
		awk '/^Version:/ {print $2}' | sort -V | tail -n1)
	[ -n "$XEN_SRC_VERSION" ] ||
		die "no xen source package known to apt (run scripts/deps.sh xen: it adds a deb-src entry)"
fi
srcver=$XEN_SRC_VERSION
upver=${srcver%-*}         # 4.17.5+72-g01140da4e8
upver=${upver#*:}

# Debian's own config from the stock binary package (cached per package version).
stock_ver=$(apt-cache policy "$stock_pkg" | awk '/Candidate:/ {print $2}')
[ -n "$stock_ver" ] && [ "$stock_ver" != "(none)" ] || die "$stock_pkg not known to apt (dpkg --add-architecture arm64?)"
stock_cfg=$cache/stock-config/$stock_ver/xen-4.17-arm64.config
if [ ! -s "$stock_cfg" ]; then
	log "fetching Debian's config from $stock_pkg $stock_ver"
	tmp=$(mktemp -d "$cache/.dl.XXXXXX")
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$stock_pkg=$stock_ver" >&2)
	dpkg-deb -x "$tmp"/*.deb "$tmp/x"
	cfg=$(ls "$tmp"/x/boot/xen-*-arm64.config 2>/dev/null | head -n1)
	[ -n "$cfg" ] || die "no /boot/xen-*-arm64.config in $stock_pkg"
	mkdir -p "${stock_cfg%/*}"
	cp "$cfg" "$stock_cfg.tmp" && mv "$stock_cfg.tmp" "$stock_cfg"
	rm -rf "$tmp"
fi

ccver=$(${cross}gcc --version | head -n1)
key=$( { echo "xen-src $srcver"; echo "cc $ccver"; cat "$stock_cfg"; echo "$extra_config"; } |
	sha256sum | cut -c1-16)
out=$cache/$key
if [ -z "$force" ] && [ -s "$out/xen" ]; then
	log "cached: $out (xen $srcver, $ccver)"
	echo "$out/xen"
	exit 0
fi

# --- source (downloads cached per version) ------------------------------------
srcdl=$cache/src/$srcver
if ! ls "$srcdl"/*.dsc >/dev/null 2>&1; then
	log "downloading xen source $srcver"
	tmp=$(mktemp -d "$cache/.dl.XXXXXX")
	(cd "$tmp" && apt-get source -q -o APT::Sandbox::User=root --download-only "xen=$srcver" >&2) ||
		die "apt-get source xen=$srcver failed"
	mkdir -p "${srcdl%/*}"
	rm -rf "$srcdl"
	mv "$tmp" "$srcdl"
fi

t0=$(date +%s)
work=$cache/.work-$key
rm -rf "$work"
mkdir -p "$work"
log "unpacking into $work"
dpkg-source --no-check -x "$srcdl"/*.dsc "$work/src" >/dev/null 2>&1 ||
	dpkg-source --no-check -x "$srcdl"/*.dsc "$work/src" >&2
src=$work/src

# --- configure + build ----------------------------------------------------------
mk=(make -C "$src/xen" XEN_TARGET_ARCH=arm64 CROSS_COMPILE="$cross" PYTHON=/usr/bin/python3)
{ cat "$stock_cfg"; echo "$extra_config"; } > "$src/xen/.config"
log "configuring (Debian config + STATIC_SHM)"
"${mk[@]}" olddefconfig > "$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; die "olddefconfig failed"; }
for opt in CONFIG_UNSUPPORTED CONFIG_STATIC_MEMORY CONFIG_STATIC_SHM; do
	grep -qx "$opt=y" "$src/xen/.config" || die "$opt did not survive olddefconfig"
done
log "building the hypervisor (log: $work/build.log)"
"${mk[@]}" -j"$(nproc)" >> "$work/build.log" 2>&1 ||
	{ tail -n 40 "$work/build.log" >&2; die "xen build failed (log: $work/build.log)"; }
[ -s "$src/xen/xen" ] || die "no xen/xen produced"

tmpout=$cache/.out-$key
rm -rf "$tmpout"
mkdir -p "$tmpout"
cp "$src/xen/xen" "$src/xen/xen-syms" "$tmpout/"
cp "$src/xen/.config" "$tmpout/xen.config"
cp "$work/build.log" "$tmpout/"
printf 'xen-src %s\ncc %s\nstock-config %s %s\nbuilt %s in %ss\n' "$srcver" "$ccver" \
	"$stock_pkg" "$stock_ver" "$(date -u +%FT%TZ)" "$(( $(date +%s) - t0 ))" > "$tmpout/INPUTS"
rm -rf "$out"
mv "$tmpout" "$out"
rm -rf "$work"
log "built in $(( $(date +%s) - t0 ))s: $out"
echo "$out/xen"
