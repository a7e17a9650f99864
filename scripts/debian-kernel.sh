#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Debian 12's own kernels, for building and booting xenshm without installing
# anything system-wide: headers (both arches, cross-build ready), kernel images
# and a static busybox, downloaded from Debian's registry into
#   ${XENSHM_CACHE:-$HOME/.cache/xenshm}/debian-kernel/<abi>/
# Two kernel series, chosen by XENSHM_KSERIES (default 6.1):
#   6.1   Debian 12's own kernel (meta packages linux-headers-{arm64,amd64})
#   6.12  the 6.12 series Debian 12 carries in bookworm-security for its LTS
#         (meta packages linux-headers-6.12-{arm64,amd64}); the same packages
#         as bookworm-backports' 6.12, built with bookworm's gcc-12
# The ABI name (6.1.0-NN, 6.12.NNN+deb12) is resolved from the series' meta
# packages on every call, so a security update that renames it is picked up;
# nothing pins a build number.
# Idempotent, safe to run concurrently, and silent on stdout except for the
# requested path (download progress goes to stderr).
#
# Usage: scripts/debian-kernel.sh abi
#        scripts/debian-kernel.sh series                    -> 6.1 | 6.12
#        scripts/debian-kernel.sh headers  <arm64|x86_64>   -> KDIR
#        scripts/debian-kernel.sh image    <arm64|x86_64>   -> arm64 Image / x86 bzImage
#        scripts/debian-kernel.sh config   <arm64|x86_64>   -> the kernel's .config
#        scripts/debian-kernel.sh busybox  <arm64|x86_64>   -> static busybox binary
#        scripts/debian-kernel.sh version                   -> Debian package version
#        scripts/debian-kernel.sh all                       -> fetch everything, print a summary
#
# Environment: XENSHM_KSERIES picks the series (6.1 or 6.12; default 6.1).
# XENSHM_DEBIAN_ABI overrides the resolved ABI (e.g. to stay on a cached one
# while offline).
set -euo pipefail

cache=${XENSHM_CACHE:-$HOME/.cache/xenshm}/debian-kernel

die() { echo "debian-kernel.sh: $*" >&2; exit 1; }
log() { echo "debian-kernel.sh: $*" >&2; }

# Debian architecture and kernel flavour of a kernel ARCH name.
deb_arch() {
	case "$1" in
	arm64|aarch64) echo arm64 ;;
	x86_64|amd64|x86) echo amd64 ;;
	*) die "unknown arch '$1' (arm64 or x86_64)" ;;
	esac
}

series=${XENSHM_KSERIES:-6.1}
# The series' meta packages: Debian 12's default ones carry 6.1, the
# versioned ones (linux-headers-6.12-amd64) any other series.
case "$series" in
6.1)  meta_suffix= ;;
6.12) meta_suffix=-$series ;;
*) die "unknown kernel series '$series' (XENSHM_KSERIES=6.1 or 6.12)" ;;
esac

resolve_abi() {
	if [ -n "${XENSHM_DEBIAN_ABI:-}" ]; then
		echo "$XENSHM_DEBIAN_ABI"
		return
	fi
	# apt-cache takes ~1.5 s per call here (no pkgcache.bin): remember the
	# answer for as long as apt's package lists are unchanged.
	local stamp memo=$cache/.abi-resolved-$series out abi_a abi_x
	stamp=$(stat -c %Y /var/lib/apt/lists/*Packages* 2>/dev/null | sort -n | tail -n1)
	if [ -n "$stamp" ] && [ -f "$memo" ] && [ "$(cut -d' ' -f1 "$memo")" = "$stamp" ]; then
		cut -d' ' -f2 "$memo"
		return
	fi
	out=$(apt-cache depends "linux-headers$meta_suffix-arm64:arm64" \
		"linux-headers$meta_suffix-amd64" 2>/dev/null)
	abi_a=$(sed -n 's/^ *Depends: linux-headers-\(.*\)-arm64\(:arm64\)\{0,1\}$/\1/p' <<<"$out" | head -n1)
	abi_x=$(sed -n 's/^ *Depends: linux-headers-\(.*\)-amd64$/\1/p' <<<"$out" | head -n1)
	[ -n "$abi_a" ] || die "cannot resolve the arm64 $series kernel ABI from linux-headers$meta_suffix-arm64:arm64 (is arm64 a foreign arch? run scripts/deps.sh; the 6.12 series needs bookworm-security in apt's sources)"
	[ -n "$abi_x" ] || die "cannot resolve the amd64 kernel ABI"
	[ "$abi_a" = "$abi_x" ] || die "arm64 ($abi_a) and amd64 ($abi_x) ABIs differ; apt-get update?"
	case "$abi_a" in
	"$series".*) ;;
	*) die "meta package linux-headers$meta_suffix-amd64 points at $abi_a, not a $series kernel" ;;
	esac
	if [ -n "$stamp" ]; then
		mkdir -p "$cache"
		echo "$stamp $abi_a" >"$memo.$$" && mv -f "$memo.$$" "$memo"
	fi
	echo "$abi_a"
}

# Candidate version of a package (what apt-get download fetches).
pkg_version() {
	apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n1
}

abi=$(resolve_abi)
root=$cache/$abi
mkdir -p "$root"

# Serialise concurrent callers (several helpers and make -j use this script).
exec 9>"$root/.lock"
flock 9

# download PKG=VERSION... into $root/debs (skips what is already there).
download() {
	local p name ver arch_q f missing=()
	mkdir -p "$root/debs"
	for p in "$@"; do
		name=${p%%=*}; ver=${p#*=}
		arch_q=${name#*:}; [ "$arch_q" != "$name" ] || arch_q='*'
		name=${name%%:*}
		# apt escapes ':' in epochs as %3a in file names.
		f=$(compgen -G "$root/debs/${name}_${ver//:/%3a}_${arch_q}.deb" || true)
		[ -n "$f" ] || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	log "downloading ${missing[*]}"
	# apt warns about an unsandboxed download as root: keep that quiet.
	(cd "$root/debs" && { apt-get download -qq "${missing[@]}" 2>&1 || true; } |
		{ grep -v 'unsandboxed as root' >&2 || true; })
	for p in "${missing[@]}"; do
		name=${p%%=*}; ver=${p#*=}; name=${name%%:*}
		compgen -G "$root/debs/${name}_${ver//:/%3a}_*.deb" >/dev/null ||
			die "download of $p failed"
	done
}

debfile() { # name version [arch]
	compgen -G "$root/debs/${1}_${2//:/%3a}_${3:-*}.deb" | head -n1
}

# Headers for both arches in one private tree (88 MB). Done once per ABI.
ensure_headers() {
	local dst=$root/headers
	[ -f "$dst/.done" ] && return 0
	local ver kver
	ver=$(pkg_version "linux-headers-$abi-common")
	[ -n "$ver" ] || die "no candidate for linux-headers-$abi-common"
	# The host tools (fixdep, modpost) come from the same source package:
	# pin them. Debian 12's own 6.1 names the package by series, the 6.12
	# series by ABI.
	kver=$ver kbuild=linux-kbuild-$abi
	[ -n "$(pkg_version "$kbuild")" ] || kbuild=linux-kbuild-$series
	download "linux-headers-$abi-common=$ver" "$kbuild=$kver" \
		"linux-headers-$abi-arm64:arm64=$ver" "linux-headers-$abi-amd64=$ver"
	local tmp=$root/.headers.tmp.$$
	rm -rf "$tmp" "$dst"
	mkdir -p "$tmp"
	dpkg-deb -x "$(debfile "linux-headers-$abi-common" "$ver" all)" "$tmp"
	dpkg-deb -x "$(debfile "$kbuild" "$kver" amd64)" "$tmp"
	dpkg-deb -x "$(debfile "linux-headers-$abi-arm64" "$ver" arm64)" "$tmp"
	dpkg-deb -x "$(debfile "linux-headers-$abi-amd64" "$ver" amd64)" "$tmp"
	# The flavour Makefiles include the common tree by absolute path.
	local fl
	for fl in arm64 amd64; do
		sed -i "s|^include /usr/src/linux-headers-$abi-common/Makefile|include \$(dir \$(lastword \$(MAKEFILE_LIST)))../linux-headers-$abi-common/Makefile|" \
			"$tmp/usr/src/linux-headers-$abi-$fl/Makefile"
		grep -q '^include /' "$tmp/usr/src/linux-headers-$abi-$fl/Makefile" &&
			die "unexpected Makefile in linux-headers-$abi-$fl"
	done
	# /lib/modules/*/build links are absolute and unused here.
	rm -rf "${tmp:?}/lib"
	echo "$ver" >"$tmp/.version"
	touch "$tmp/.done"
	mv -T "$tmp" "$dst"
}

# Kernel image (+ its config and System.map) of one flavour.
ensure_image() {
	local a=$1 da fl dst ver deb tmp
	da=$(deb_arch "$a"); fl=$da
	dst=$root/image-$da
	[ -f "$dst/.done" ] && return 0
	local pkg="linux-image-$abi-$fl"
	[ "$da" = amd64 ] || pkg="$pkg:$da"
	ver=$(pkg_version "$pkg")
	[ -n "$ver" ] || die "no candidate for $pkg"
	download "$pkg=$ver"
	deb=$(debfile "linux-image-$abi-$fl" "$ver" "$da")
	tmp=$root/.image-$da.tmp.$$
	rm -rf "$tmp" "$dst"
	mkdir -p "$tmp"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$tmp" "./boot/vmlinuz-$abi-$fl" "./boot/config-$abi-$fl" \
			"./boot/System.map-$abi-$fl"
	mv "$tmp/boot/config-$abi-$fl" "$tmp/config"
	mv "$tmp/boot/System.map-$abi-$fl" "$tmp/System.map"
	if [ "$da" = arm64 ]; then
		# Debian ships arm64's vmlinuz as a raw Image on 6.1; gunzip a
		# compressed one (QEMU's -kernel wants it raw for speed).
		if [ "$(od -An -tx1 -N2 "$tmp/boot/vmlinuz-$abi-$fl" | tr -d ' ')" = 1f8b ]; then
			gzip -dc "$tmp/boot/vmlinuz-$abi-$fl" >"$tmp/Image"
			rm "$tmp/boot/vmlinuz-$abi-$fl"
		else
			mv "$tmp/boot/vmlinuz-$abi-$fl" "$tmp/Image"
		fi
	else
		mv "$tmp/boot/vmlinuz-$abi-$fl" "$tmp/bzImage"
	fi
	rmdir "$tmp/boot"
	echo "$ver" >"$tmp/.version"
	touch "$tmp/.done"
	mv -T "$tmp" "$dst"
}

# Static busybox (not ABI-dependent, but cached next to the kernel it boots).
ensure_busybox() {
	local a=$1 da dst ver tmp
	da=$(deb_arch "$a")
	dst=$root/busybox-$da
	[ -f "$dst/.done" ] && return 0
	tmp=$root/.busybox-$da.tmp.$$
	rm -rf "$tmp" "$dst"
	mkdir -p "$tmp"
	if [ "$da" = amd64 ] && [ "$(dpkg --print-architecture)" = amd64 ] &&
	   dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed'; then
		cp "$(dpkg -L busybox-static | grep -m1 '/bin/busybox$')" "$tmp/busybox"
	else
		local pkg=busybox-static:$da
		ver=$(pkg_version "$pkg")
		[ -n "$ver" ] || die "no candidate for $pkg"
		download "$pkg=$ver"
		dpkg-deb -x "$(debfile busybox-static "$ver" "$da")" "$tmp/x"
		mv "$tmp/x/bin/busybox" "$tmp/busybox"
		rm -rf "$tmp/x"
	fi
	touch "$tmp/.done"
	mv -T "$tmp" "$dst"
}

cmd=${1:-}
arg=${2:-}
need_arch() { [ -n "$arg" ] || die "usage: $0 $cmd <arm64|x86_64>"; deb_arch "$arg" >/dev/null; }

case "$cmd" in
abi)
	echo "$abi" ;;
series)
	echo "$series" ;;
version)
	ensure_headers; cat "$root/headers/.version" ;;
headers|kdir)
	need_arch; ensure_headers
	echo "$root/headers/usr/src/linux-headers-$abi-$(deb_arch "$arg")" ;;
image)
	need_arch; ensure_image "$arg"
	if [ "$(deb_arch "$arg")" = arm64 ]; then echo "$root/image-arm64/Image"
	else echo "$root/image-amd64/bzImage"; fi ;;
config)
	need_arch; ensure_image "$arg"; echo "$root/image-$(deb_arch "$arg")/config" ;;
system-map)
	need_arch; ensure_image "$arg"; echo "$root/image-$(deb_arch "$arg")/System.map" ;;
busybox)
	need_arch; ensure_busybox "$arg"; echo "$root/busybox-$(deb_arch "$arg")/busybox" ;;
all)
	for a in arm64 x86_64; do
		ensure_headers; ensure_image "$a"; ensure_busybox "$a"
	done
	echo "series   $series"
	echo "abi      $abi"
	for a in arm64 x86_64; do
		da=$(deb_arch "$a")
		echo "$a headers $root/headers/usr/src/linux-headers-$abi-$da"
		echo "$a image   $(ls "$root/image-$da"/*Image)"
		echo "$a busybox $root/busybox-$da/busybox"
	done ;;
*)
	sed -n '/^# Usage:/,/^# Environment/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2 ;;
esac
