#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install what xenshm's build, tests and demo need, from Debian's registry only.
# Idempotent and quiet when everything is already there.
#
# Usage: scripts/deps.sh [host|module|qemu|xen|kunit|deb|all]...
set -euo pipefail

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(all)

pkgs_host=(build-essential g++ make python3 python3-yaml python3-jsonschema clang-format
	   libgtest-dev libbenchmark-dev libboost-dev clang libclang-rt-14-dev llvm
	   python3-matplotlib mandoc)
pkgs_module=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
	     kmod bc bison flex libelf-dev libssl-dev dwarves xz-utils)
pkgs_qemu=(qemu-system-arm qemu-system-x86 cpio busybox-static)
pkgs_xen=(device-tree-compiler dpkg-dev u-boot-tools)
pkgs_kunit=(rsync)
# Debian packages (make deb) and their install test (make test-install). The
# arm64 packages are cross-built (dpkg-buildpackage -aarm64); dpkg-shlibdeps
# reads the dependencies of their tools from arm64's own runtime libraries.
pkgs_deb=(debhelper dh-dkms dkms dh-python lintian mandoc debootstrap fakeroot
	  libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64)

list=()
for w in "${want[@]}"; do
	case "$w" in
	host)   list+=("${pkgs_host[@]}") ;;
	module) list+=("${pkgs_host[@]}" "${pkgs_module[@]}") ;;
	qemu)   list+=("${pkgs_host[@]}" "${pkgs_module[@]}" "${pkgs_qemu[@]}") ;;
	xen)    list+=("${pkgs_host[@]}" "${pkgs_module[@]}" "${pkgs_qemu[@]}" "${pkgs_xen[@]}") ;;
	kunit)  list+=("${pkgs_host[@]}" "${pkgs_module[@]}" "${pkgs_qemu[@]}" "${pkgs_kunit[@]}") ;;
	deb)    list+=("${pkgs_host[@]}" "${pkgs_module[@]}" "${pkgs_qemu[@]}" "${pkgs_deb[@]}") ;;
	all)    list+=("${pkgs_host[@]}" "${pkgs_module[@]}" "${pkgs_qemu[@]}" "${pkgs_xen[@]}" "${pkgs_kunit[@]}" "${pkgs_deb[@]}") ;;
	*) echo "deps.sh: unknown group '$w'" >&2; exit 2 ;;
	esac
done

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

# arm64 packages (kernel image, headers, busybox, Xen) are downloaded, never
# installed: the foreign architecture only has to be known to apt (the deb
# group's arm64 runtime libraries aside, see above).
need_update=
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	$sudo dpkg --add-architecture arm64
	need_update=1
fi
# Xen's source (rebuilt with CONFIG_STATIC_SHM) comes from a deb-src entry.
src_list=/etc/apt/sources.list.d/xenshm-src.sources
if [ ! -f "$src_list" ]; then
	$sudo tee "$src_list" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	need_update=1
fi

missing=()
for p in $(printf '%s\n' "${list[@]}" | sort -u); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ -n "$need_update" ] || [ ${#missing[@]} -gt 0 ]; then
	$sudo apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps.sh: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi
