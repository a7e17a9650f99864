#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Check that freestanding C++ linked into a kernel module stayed freestanding,
# and that the module needs nothing the kernel does not export.
#
# Usage: scripts/check-cxx-object.sh [--arch arm64|x86_64] [--kdir KDIR] \
#            [--symvers FILE] MODULE.ko [CXX_OBJECT.o ...]
#
# On every file given (the .ko and the C++ objects):
#   - no symbol, defined or undefined, of the C++ runtime or libgcc:
#     __cxa_* (guards, atexit, pure virtual, throw), __gxx_personality*,
#     _Unwind_*, operator new/delete (_Znw* _Zna* _Zdl* _Zda*), __dso_handle,
#     guard variables of local statics (_ZGV*), typeinfo (_ZTI* _ZTS*),
#     128-bit and soft-float libgcc helpers (__udivti3, __divti3, __umodti3,
#     __modti3, __multi3, __ashlti3, __lshrti3, __ashrti3, __floatsidf, ...),
#     arm64 outline atomics (__aarch64_*);
#   - no section for static constructors/destructors or unwinding:
#     .init_array .fini_array .ctors .dtors .preinit_array .gcc_except_table
#     .eh_frame (the kernel builds without unwind tables); .init_array and
#     .fini_array are allowed when KDIR's kernel has CONFIG_CONSTRUCTORS
#     (sanitizer constructors of C objects), see below;
# On the .ko:
#   - every undefined symbol (nm -u) is exported by the kernel or one of its
#     modules: listed in KDIR/Module.symvers (or --symvers FILE).
# Exit status 1 with one line per finding.
set -euo pipefail

arch=
kdir=
symvers=
files=()
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--kdir) kdir=$2; shift 2 ;;
	--symvers) symvers=$2; shift 2 ;;
	-h|--help) sed -n '3,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) files+=("$1"); shift ;;
	esac
done
[ ${#files[@]} -gt 0 ] || { echo "check-cxx-object.sh: no files" >&2; exit 2; }
ko=${files[0]}
case "$ko" in *.ko) ;; *) ko= ;; esac

# Binutils of the target (GNU nm/readelf read any ELF, but be exact).
prefix=
case "$arch" in
arm64|aarch64) [ "$(uname -m)" = aarch64 ] || prefix=aarch64-linux-gnu- ;;
esac
NM=${NM:-${prefix}nm}
READELF=${READELF:-${prefix}readelf}
command -v "$NM" >/dev/null || NM=nm
command -v "$READELF" >/dev/null || READELF=readelf

bad_syms='^(_GLOBAL__sub_[ID]_|__cxa_|__gxx_personality|_Unwind_|_Znw|_Zna|_Zdl|_Zda|__dso_handle$|_ZGV|_ZTI|_ZTS|__(u?div|u?mod|mul)ti3$|__(ash[lr]|lshr)ti3$|__(add|sub|mul|div|neg|cmp|unord|eq|ne|lt|le|gt|ge)[sdtx]f[23]$|__(fix|fixuns)[sdtx]f[sdt]i$|__float(un)?[sdt]i[sdtx]f$|__(extend|trunc)[sdtx]f[sdtx]f2$|__aarch64_|__cxa_pure_virtual$)'
bad_secs='^\.(init_array|fini_array|preinit_array|ctors|dtors|gcc_except_table|eh_frame)(\.|$)'
# A kernel with CONFIG_CONSTRUCTORS (KASAN, GCOV: the KUnit kernel) gives
# instrumented objects .init_array/.fini_array entries of their own
# (_sub_I_65535_0 registering globals). Those sections are then allowed; a
# C++ static constructor still shows as a _GLOBAL__sub_I_* symbol above.
if [ -n "$kdir" ] && grep -q '^CONFIG_CONSTRUCTORS=y' "$kdir/.config" 2>/dev/null; then
	bad_secs='^\.(preinit_array|ctors|dtors|gcc_except_table|eh_frame)(\.|$)'
fi

fail=0
report() { echo "check-cxx-object: $*" >&2; fail=1; }

for f in "${files[@]}"; do
	[ -f "$f" ] || { report "$f: missing"; continue; }
	while read -r sym; do
		report "$f: forbidden symbol $sym"
	done < <("$NM" "$f" | awk '{print $NF}' | grep -E "$bad_syms" | sort -u || true)
	while read -r sec; do
		report "$f: forbidden section $sec"
	done < <("$READELF" -SW "$f" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) .*/\1/p' |
		 grep -E "$bad_secs" | sort -u || true)
done

if [ -n "$ko" ]; then
	[ -n "$symvers" ] || { [ -n "$kdir" ] && symvers=$kdir/Module.symvers; }
	if [ -z "$symvers" ] || [ ! -s "$symvers" ]; then
		report "no Module.symvers to check undefined symbols against (--kdir or --symvers)"
	else
		exports=$(mktemp)
		trap 'rm -f "$exports"' EXIT
		awk '{print $2}' "$symvers" | sort -u >"$exports"
		undef=$("$NM" -u "$ko" | awk '{print $NF}' | sort -u)
		n=$(printf '%s\n' "$undef" | grep -c . || true)
		while read -r sym; do
			[ -n "$sym" ] && report "$ko: undefined symbol $sym is not a kernel export"
		done < <(comm -23 <(printf '%s\n' "$undef") "$exports")
		[ $fail -ne 0 ] || echo "  CHECK   $(basename "$ko"): $n undefined symbols, all kernel exports; ${#files[@]} file(s) free of C++ runtime"
	fi
fi
exit $fail
