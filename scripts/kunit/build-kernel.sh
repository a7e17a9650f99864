#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (or restore) the KUnit kernel that xenshm's suites run in.
#
# Usage: scripts/kunit/build-kernel.sh <arm64|x86_64>
#
# Prints the path of a trimmed kernel build folder (KDIR for `make M=`, and
# the kernel image) on stdout, and nothing else; progress goes to stderr.
#
# The kernel is Debian's linux-source-6.1 configured as allnoconfig plus
# kunit/configs/{common,<arch>}.config (KUnit, KASAN, UBSAN, lockdep, Xen).
#
# Cache layout, under ${XENSHM_CACHE:-$HOME/.cache/xenshm}/kunit:
#   debs/                        downloaded linux-source-6.1 .deb   (keep in CI cache)
#   kdir-<arch>-<key>.tar.gz     trimmed build folder, ~5 MB        (keep in CI cache)
#   src/<version>/               unpacked source; FIXED place, since the
#                                build folder's Makefile includes it by
#                                absolute path (recreated in ~10 s)
#   kdir-<arch>-<key>/           the trimmed build folder, unpacked
#   obj-<arch>/                  full build folder (only needed to rebuild;
#                                kept so that a config change rebuilds
#                                incrementally)
# <key> hashes the source version, the merged config fragment, the compiler
# version and TRIM_VERSION. The fragment, not the resolved .config, is hashed:
# with the source and compiler fixed, kconfig is deterministic, and a warm run
# then needs no kconfig pass at all.
set -euo pipefail
# The whole script is one compound command, parsed before it runs: editing
# this file while a build is running cannot derail the running copy.
{

TRIM_VERSION=1
arch=${1:?usage: $0 <arm64|x86_64>}
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${XENSHM_CACHE:-$HOME/.cache/xenshm}/kunit
jobs=${JOBS:-$(nproc)}

case "$arch" in
arm64)
	karch=arm64; srcarch=arm64; cross=aarch64-linux-gnu-
	image_target=Image; image=arch/arm64/boot/Image ;;
x86_64)
	karch=x86_64; srcarch=x86; cross=
	image_target=bzImage; image=arch/x86/boot/bzImage ;;
*) echo "build-kernel.sh: unknown arch '$arch'" >&2; exit 2 ;;
esac

log() { echo "build-kernel.sh[$arch]: $*" >&2; }

mkdir -p "$cache/debs" "$cache/src"
exec 9>"$cache/.lock-$arch"
flock 9

# --- source -----------------------------------------------------------------
# Shared by both arches: one download and one unpack at a time.
exec 8>"$cache/.lock-src"
flock 8
# Debian renames nothing here, but the version moves with security updates:
# take the candidate apt knows, and reuse a downloaded .deb of that version.
# apt-cache is slow here (seconds, no pkgcache.bin): remember its answer for
# as long as apt's package lists are unchanged.
lists_stamp=$(stat -c %Y /var/lib/apt/lists/*Packages* 2>/dev/null | sort -n | tail -n1)
memo=$cache/.source-version
if [ -n "$lists_stamp" ] && [ -f "$memo" ] && [ "$(cut -d' ' -f1 "$memo")" = "$lists_stamp" ]; then
	ver=$(cut -d' ' -f2 "$memo")
else
	ver=$(apt-cache policy linux-source-6.1 | awk '/Candidate:/ { print $2 }')
	[ -z "$lists_stamp" ] || echo "$lists_stamp $ver" > "$memo"
fi
[ -n "$ver" ] && [ "$ver" != "(none)" ] || { log "apt knows no linux-source-6.1"; exit 1; }
deb=$cache/debs/linux-source-6.1_${ver}_all.deb
if [ ! -f "$deb" ]; then
	log "downloading linux-source-6.1 $ver"
	(cd "$cache/debs" && apt-get download -q "linux-source-6.1=$ver" 2>&1 |
		grep -v '^W: Download is performed unsandboxed' >&2 || true)
	[ -f "$deb" ] || { log "download of linux-source-6.1=$ver failed"; exit 1; }
	# keep only this version
	find "$cache/debs" -name 'linux-source-6.1_*.deb' ! -name "${deb##*/}" -delete
fi
src=$cache/src/$ver/linux-source-6.1
if [ ! -f "$src/.xenshm-unpacked" ]; then
	log "unpacking source to $src"
	# one version at a time (1.5 GB each)
	find "$cache/src" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
	mkdir -p "$cache/src/$ver"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz |
		tar -xJ -C "$cache/src/$ver"
	touch "$src/.xenshm-unpacked"
fi
flock -u 8

# --- key ----------------------------------------------------------------------
frag_dir=$top/kunit/configs
cc_ver=$("${cross}gcc" --version | head -n1)
key=$( { echo "$ver"; echo "$cc_ver"; echo "trim $TRIM_VERSION";
	 cat "$frag_dir/common.config" "$frag_dir/$arch.config"; } | sha256sum | cut -c1-16)
kdir=$cache/kdir-$arch-$key
tarball=$kdir.tar.gz

fix_makefile() {
	# The O= Makefile names the source by absolute path; point it at ours
	# (a cache restored under another $XENSHM_CACHE still works).
	printf '# Written by xenshm scripts/kunit/build-kernel.sh\ninclude %s/Makefile\n' \
		"$src" > "$1/Makefile"
}

if [ -f "$kdir/.xenshm-complete" ]; then
	fix_makefile "$kdir"
	log "up to date ($kdir)"
	echo "$kdir"; exit 0
fi
if [ -f "$tarball" ]; then
	log "restoring $tarball"
	rm -rf "$kdir"; mkdir -p "$kdir"
	tar -xzf "$tarball" -C "$kdir"
	fix_makefile "$kdir"
	touch "$kdir/.xenshm-complete"
	echo "$kdir"; exit 0
fi

# --- configure ----------------------------------------------------------------
obj=$cache/obj-$arch
mkdir -p "$obj"
frag=$obj/xenshm-kunit.config
cat "$frag_dir/common.config" "$frag_dir/$arch.config" > "$frag"
kmake() { make -s -C "$src" O="$obj" ARCH="$karch" CROSS_COMPILE="$cross" "$@"; }

log "configuring (allnoconfig + kunit/configs/{common,$arch}.config)"
kmake KCONFIG_ALLCONFIG="$frag" allnoconfig >/dev/null
# Every requested line must be in the result; kconfig drops a symbol whose
# dependencies are not met without a word.
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	sym=${line%%=*}; val=${line#*=}
	if [ "$val" = n ]; then
		grep -qx "# $sym is not set" "$obj/.config" && continue
	else
		grep -qxF "$line" "$obj/.config" && continue
	fi
	log "config: wanted '$line', got '$(grep -E "^(# )?$sym[= ]" "$obj/.config" || echo unset)'"
	missing=1
done < "$frag"
[ "$missing" = 0 ] || { log "config fragment not satisfied"; exit 1; }

# --- build ----------------------------------------------------------------------
log "building $image_target + modules with -j$jobs (log: $obj/build.log)"
start=$(date +%s)
if ! kmake -j"$jobs" "$image_target" modules > "$obj/build.log" 2>&1; then
	tail -n 40 "$obj/build.log" >&2
	log "kernel build failed"; exit 1
fi
log "kernel built in $(( $(date +%s) - start )) s"

# --- trim + cache -----------------------------------------------------------------
# What `make M=` needs from a build folder, plus the image.
tmp=$kdir.tmp
rm -rf "$tmp"; mkdir -p "$tmp"
(cd "$obj" && {
	echo .config; echo Module.symvers; echo System.map; echo "$image"
	echo include; echo "arch/$srcarch/include/generated"; echo scripts
	[ ! -x tools/objtool/objtool ] || echo tools/objtool/objtool
} | rsync -a --files-from=- --recursive --exclude='*.cmd' --exclude='*.o' . "$tmp/")
# fixdep, modpost & co. are needed; their objects are not.
fix_makefile "$tmp"
tar -czf "$tarball.tmp" -C "$tmp" .
mv "$tarball.tmp" "$tarball"
rm -rf "$kdir"; mv "$tmp" "$kdir"
touch "$kdir/.xenshm-complete"
# Older keys of this arch are stale.
find "$cache" -maxdepth 1 -name "kdir-$arch-*" ! -name "kdir-$arch-$key" ! -name "kdir-$arch-$key.tar.gz" \
	-exec rm -rf {} +
log "cached $(du -h "$tarball" | cut -f1) in $tarball"
echo "$kdir"
exit
}
