#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Debian 12's arm64 Xen userland for the libxenvchan row of make bench-xen,
# from Debian's registry only: xen-utils-4.17 (xenstored, init-dom0less),
# libxenmisc4.17 (libxenvchan.so and the libxen* family), libxen-dev (headers
# and the static libxenvchan.a / libxengnttab.a / ... the bench links), their
# shared-library closure (glibc, yajl, ...), and the Xen device modules of the
# domains' Debian kernel (xen-evtchn, xen-gntdev, xen-gntalloc, xen-privcmd,
# xenfs: =m in Debian's config). Cached in
#   ${XENSHM_CACHE:-$HOME/.cache/xenshm}/xen-userland/<key>/
# keyed by the package versions and the kernel ABI.
#
# Usage: scripts/xen/xen-userland.sh sysroot   -> dir with usr/include, usr/lib/aarch64-linux-gnu
#        scripts/xen/xen-userland.sh payload   -> dir to copy into /xenshm/ (vchan/{bin,lib,ko})
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${XENSHM_CACHE:-$HOME/.cache/xenshm}/xen-userland
die() { echo "xen-userland.sh: $*" >&2; exit 1; }

what=${1:-payload}
pkgs=(xen-utils-4.17 libxenmisc4.17 libxen-dev libxencall1 libxenevtchn1 libxenforeignmemory1
      libxengnttab1 libxenstore4 libxentoollog1 libxentoolcore1 libxendevicemodel1 libxenhypfs1
      libyajl2 libc6 libext2fs2 libfdt1 libuuid1 zlib1g libncurses6 libtinfo6 libcom-err2)

abi=$("$top/scripts/debian-kernel.sh" abi)
image_deb=$("$top/scripts/debian-kernel.sh" image arm64 >/dev/null &&
	ls "${XENSHM_CACHE:-$HOME/.cache/xenshm}/debian-kernel/$abi/debs/"linux-image-"$abi"-arm64_*_arm64.deb)
vers=$(apt-cache policy "${pkgs[@]/%/:arm64}" 2>/dev/null | awk '/^[^ ]/{p=$1} /Candidate:/{print p, $2}')
[ "$(wc -l <<<"$vers")" -eq ${#pkgs[@]} ] || die "apt does not know every arm64 package (scripts/deps.sh xen?)"
key=$(printf '%s\n%s\n%s\n' "$vers" "$abi" "$(sha256sum "$0" | cut -c1-16)" | sha256sum | cut -c1-16)
dir=$cache/$key

if [ ! -f "$dir/.done" ]; then
	tmp=$cache/.tmp-$$
	rm -rf "$tmp"; mkdir -p "$tmp/debs" "$tmp/root"
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp/debs" && apt-get download -q=2 "${pkgs[@]/%/:arm64}" >/dev/null 2>&1) ||
		die "apt-get download failed"
	for f in "$tmp"/debs/*.deb; do dpkg-deb -x "$f" "$tmp/root"; done
	r=$tmp/root
	p=$tmp/payload/vchan
	mkdir -p "$p/bin" "$p/lib" "$p/ko" "$tmp/sysroot/usr"
	cp -a "$r/usr/include" "$tmp/sysroot/usr/"
	mkdir -p "$tmp/sysroot/usr/lib"
	cp -a "$r/usr/lib/aarch64-linux-gnu" "$tmp/sysroot/usr/lib/"
	for b in xenstored init-dom0less xen-init-dom0 xenstore-control; do
		cp "$r/usr/lib/xen-4.17/bin/$b" "$p/bin/"
	done
	# The shared-library closure of the binaries (DT_NEEDED, transitively).
	libpath=("$r/lib/aarch64-linux-gnu" "$r/usr/lib/aarch64-linux-gnu")
	todo=("$p"/bin/*)
	declare -A seen=()
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}; todo=("${todo[@]:1}")
		for n in $(aarch64-linux-gnu-readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ -z "${seen[$n]:-}" ] || continue
			seen[$n]=1
			src=
			for l in "${libpath[@]}"; do [ -e "$l/$n" ] && { src=$l/$n; break; }; done
			[ -n "$src" ] || die "no $n in the unpacked packages"
			cp -L "$src" "$p/lib/$n"
			todo+=("$p/lib/$n")
		done
	done
	cp -L "$r/lib/ld-linux-aarch64.so.1" "$p/lib/" 2>/dev/null ||
		cp -L "$r/usr/lib/ld-linux-aarch64.so.1" "$p/lib/"
	dpkg-deb --fsys-tarfile "$image_deb" | tar -x -C "$tmp" --wildcards '*drivers/xen/*'
	for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs; do
		cp "$(find "$tmp/lib/modules" -name "$m.ko" | head -n1)" "$p/ko/"
	done
	printf '%s\nkernel %s\n' "$vers" "$abi" > "$p/VERSIONS"
	rm -rf "$dir"; mkdir -p "$dir"
	mv "$tmp/payload" "$tmp/sysroot" "$dir/"
	touch "$dir/.done"
fi
case "$what" in
sysroot) echo "$dir/sysroot" ;;
payload) echo "$dir/payload" ;;
*) die "usage: $0 sysroot|payload" ;;
esac
