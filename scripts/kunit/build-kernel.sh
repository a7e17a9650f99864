#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (or restore) the KUnit kernel that xenshm's suites run in.
#
# Usage: scripts/kunit/build-kernel.sh <arm64|x86_64> [6.1|6.12]
#   The series defaults to $XENSHM_KSERIES, else 6.1.
#
# Prints the path of a trimmed kernel build folder (KDIR for `make M=`, and
# the kernel image) on stdout, and nothing else; progress goes to stderr.
#
# The kernel is Debian's linux-source-<series> configured as allnoconfig plus
# kunit/configs/{common,<arch>}.config and, when it exists,
# kunit/configs/<series>.config (what differs between kernel series; merged
# last, so it can override) -- KUnit, KASAN, UBSAN, lockdep, Xen.
#
# Cache layout, under ${XENSHM_CACHE:-$HOME/.cache/xenshm}/kunit. The series
# are kept side by side: nothing of one series ever evicts the other's.
#   debs/linux-source-<series>_<ver>_all.deb
#                                downloaded source, newest version of each
#                                series only                 (keep in CI cache)
#   kdir-<series>-<arch>-<key>.tar.gz
#                                trimmed build folder, ~5 MB (keep in CI cache)
#   src/<ver>/linux-source-<series>/
#                                unpacked source, newest version of each
#                                series only; FIXED place, since the build
#                                folder's Makefile includes it by absolute
#                                path (recreated in ~10 s)
#   kdir-<series>-<arch>-<key>/  the trimmed build folder, unpacked
#   obj-<series>-<arch>/         full build folder (only needed to rebuild;
#                                kept so that a config change rebuilds
#                                incrementally)
#   .source-version-<series>     apt's candidate version, memoised
# <key> hashes the source version, the merged config fragment, the compiler
# version and TRIM_VERSION. The fragment, not the resolved .config, is hashed:
# with the source and compiler fixed, kconfig is deterministic, and a warm run
# then needs no kconfig pass at all.
#
# Before the series existed (one series, 6.1) the names had no series in
# them: kdir-<arch>-<key>[.tar.gz], obj-<arch>, .source-version, and older
# checkouts may still use those. A 6.1 key is computed exactly as then, so a
# tarball of that layout with the same key is adopted (hard link) instead of
# rebuilt, and its obj-<arch> is taken over when a rebuild is needed; 6.1
# runs also hold the old per-arch lock, so they never race an older checkout.
set -euo pipefail
# The whole script is one compound command, parsed before it runs: editing
# this file while a build is running cannot derail the running copy.
{

TRIM_VERSION=1
usage="usage: $0 <arm64|x86_64> [6.1|6.12]"
arch=${1:?$usage}
series=${2:-${XENSHM_KSERIES:-6.1}}
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
*) echo "build-kernel.sh: unknown arch '$arch' ($usage)" >&2; exit 2 ;;
esac
case "$series" in
6.1|6.12) ;;
*) echo "build-kernel.sh: unknown kernel series '$series' ($usage)" >&2; exit 2 ;;
esac
pkg=linux-source-$series

log() { echo "build-kernel.sh[$series/$arch]: $*" >&2; }

mkdir -p "$cache/debs" "$cache/src"
# One build per series and arch at a time; the two series of one arch build
# in parallel if asked to (they share nothing but the download lock below).
exec 9>"$cache/.lock-$series-$arch"
flock 9
if [ "$series" = 6.1 ]; then
	# The lock of the layout without series (see above).
	exec 7>"$cache/.lock-$arch"
	flock 7
fi

# --- source -----------------------------------------------------------------
# One download and one unpack at a time (disk and network, not CPU, are the
# limit; and a checkout of the layout without series takes the same lock
# before it clears src/).
exec 8>"$cache/.lock-src"
flock 8
# Debian renames nothing here, but the version moves with security updates:
# take the candidate apt knows, and reuse a downloaded .deb of that version.
# apt-cache is slow here (seconds, no pkgcache.bin): remember its answer for
# as long as apt's package lists are unchanged.
lists_stamp=$(stat -c %Y /var/lib/apt/lists/*Packages* 2>/dev/null | sort -n | tail -n1)
memo=$cache/.source-version-$series
if [ -n "$lists_stamp" ] && [ -f "$memo" ] && [ "$(cut -d' ' -f1 "$memo")" = "$lists_stamp" ]; then
	ver=$(cut -d' ' -f2 "$memo")
else
	ver=$(apt-cache policy "$pkg" | awk '/Candidate:/ { print $2 }')
	[ -z "$lists_stamp" ] || echo "$lists_stamp $ver" > "$memo"
fi
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then log "apt knows no $pkg"; exit 1; fi
# apt-get download spells an epoch's colon %3a in the file name.
deb=$cache/debs/${pkg}_${ver/:/%3a}_all.deb
if [ ! -f "$deb" ]; then
	log "downloading $pkg $ver"
	# Its status does not count (grep -v fails on no output); the file does.
	(cd "$cache/debs" && { apt-get download -q "$pkg=$ver" 2>&1 |
		grep -v '^W: Download is performed unsandboxed' >&2 || true; })
	[ -f "$deb" ] || { log "download of $pkg=$ver failed"; exit 1; }
	# keep only this version of this series
	find "$cache/debs" -name "${pkg}_*.deb" ! -name "${deb##*/}" -delete
fi
src=$cache/src/$ver/$pkg
if [ ! -f "$src/.xenshm-unpacked" ]; then
	log "unpacking source to $src"
	# One version per series (1.5 GB each): drop this series' older ones,
	# never another series'. A version folder holds only its own series'
	# tree (the Debian versions of two series never coincide).
	find "$cache/src" -mindepth 2 -maxdepth 2 -name "$pkg" ! -path "$src" -exec rm -rf {} +
	find "$cache/src" -mindepth 1 -maxdepth 1 -type d -empty -delete
	rm -rf "$src"
	mkdir -p "$cache/src/$ver"
	# The package ships the tree as usr/src/linux-source-<series>.tar.xz
	# (checked for 6.1 and 6.12).
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
		tar -xJ -C "$cache/src/$ver"
	[ -f "$src/Makefile" ] || { log "$deb did not unpack to $src"; exit 1; }
	touch "$src/.xenshm-unpacked"
fi
flock -u 8

# --- key ----------------------------------------------------------------------
frag_dir=$top/kunit/configs
frags=("$frag_dir/common.config" "$frag_dir/$arch.config")
[ ! -f "$frag_dir/$series.config" ] || frags+=("$frag_dir/$series.config")
cc_ver=$("${cross}gcc" --version | head -n1)
# Computed as before the series existed (6.1 has no series fragment), so
# that 6.1 tarballs of the older layout keep their key.
key=$( { echo "$ver"; echo "$cc_ver"; echo "trim $TRIM_VERSION"; cat "${frags[@]}"; } |
	sha256sum | cut -c1-16)
kdir=$cache/kdir-$series-$arch-$key
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
legacy_tarball=$cache/kdir-$arch-$key.tar.gz
if [ "$series" = 6.1 ] && [ ! -f "$tarball" ] && [ -f "$legacy_tarball" ]; then
	# Same key, older name: share the file (a hard link costs nothing, and
	# an older checkout keeps finding it).
	log "adopting $legacy_tarball"
	ln -f "$legacy_tarball" "$tarball" 2>/dev/null || cp "$legacy_tarball" "$tarball"
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
obj=$cache/obj-$series-$arch
if [ "$series" = 6.1 ] && [ ! -d "$obj" ] && [ -d "$cache/obj-$arch" ]; then
	# The folder names no path of its own (only the source's), so it can
	# move; taking it over makes this an incremental rebuild.
	log "taking over $cache/obj-$arch"
	mv "$cache/obj-$arch" "$obj"
fi
mkdir -p "$obj"
frag=$obj/xenshm-kunit.config
cat "${frags[@]}" > "$frag"
kmake() { make -s -C "$src" O="$obj" ARCH="$karch" CROSS_COMPILE="$cross" "$@"; }

log "configuring (allnoconfig + kunit/configs/{${frags[*]##*/}})"
kmake KCONFIG_ALLCONFIG="$frag" allnoconfig >/dev/null
# Every requested line must be in the result; kconfig drops a symbol whose
# dependencies are not met without a word. A symbol given twice (a series
# fragment overriding common.config) counts with its last value, as in
# kconfig.
missing=0
while IFS= read -r line; do
	sym=${line%%=*}; val=${line#*=}
	if [ "$val" = n ]; then
		grep -qx "# $sym is not set" "$obj/.config" && continue
	else
		grep -qxF "$line" "$obj/.config" && continue
	fi
	log "config: wanted '$line', got '$(grep -E "^(# )?${sym}[= ]" "$obj/.config" || echo unset)'"
	missing=1
done < <(grep -E '^CONFIG_[A-Za-z0-9_]+=' "$frag" | tac | awk -F= '!seen[$1]++' | tac)
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
# Older keys of this series and arch are stale; so is anything of this arch
# in the layout without series, once 6.1 has been rebuilt in the new one.
stale=("kdir-$series-$arch-*")
[ "$series" != 6.1 ] || stale+=("kdir-$arch-*")
for pat in "${stale[@]}"; do
	find "$cache" -maxdepth 1 -name "$pat" ! -name "kdir-$series-$arch-$key" \
		! -name "kdir-$series-$arch-$key.tar.gz" -exec rm -rf {} +
done
log "cached $(du -h "$tarball" | cut -f1) in $tarball"
echo "$kdir"
exit
}
