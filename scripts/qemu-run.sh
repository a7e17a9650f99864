#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot a kernel with an initramfs from scripts/mkinitramfs.sh in QEMU (TCG),
# log the serial console to a file and judge the run.
#
# Usage: scripts/qemu-run.sh --arch arm64|x86_64 --initrd FILE --log FILE \
#            [--kernel IMAGE] [--timeout SEC] [--append ARGS] [--mem MB] \
#            [--smp N] [--expect REGEX]... [--allow REGEX]... [--quiet] \
#            [-- extra qemu arguments]
#
#   --kernel   default: Debian's image (scripts/debian-kernel.sh image ARCH)
#   --timeout  seconds before QEMU is killed (default 180)
#   --append   added to the kernel command line
#   --expect   an extended regex that must match some console line
#              (repeatable), e.g. 'xenshm: selftest passed \('
#   --allow    lines matching this regex are exempt from the failure patterns
#   --quiet    do not print the log tail on failure
#
# The run passes when, in the console log:
#   - "xenshm-init: done" and "xenshm-init: exit=0" appear (see
#     mkinitramfs.sh), and every --expect regex matches;
#   - no line reports a kernel problem: WARNING:, BUG:, KASAN, Kernel panic,
#     Oops, Call trace (any case), UBSAN:, "unable to open an initial console";
#   - QEMU ended by itself before the timeout.
# Kernel command line: console on the serial port, oops=panic panic=-1 (an
# oops ends the run at once: QEMU runs with -no-reboot), rdinit=/init.
# Exit status: 0 pass, 1 fail, 2 usage.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
arch= kernel= initrd= log= append= timeout=180 mem=512 smp=2 quiet=
expects=()
allows=()
extra=()

die() { echo "qemu-run.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--expect) expects+=("$2"); shift 2 ;;
	--allow) allows+=("$2"); shift 2 ;;
	--quiet) quiet=1; shift ;;
	--) shift; extra=("$@"); break ;;
	-h|--help) sed -n '3,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1'" ;;
	esac
done
[ -n "$initrd" ] && [ -f "$initrd" ] || die "--initrd FILE required"
[ -n "$log" ] || die "--log FILE required"
case "$arch" in
arm64|aarch64)
	arch=arm64
	qemu=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on)
	console=ttyAMA0 ;;
x86_64|amd64)
	arch=x86_64
	qemu=(qemu-system-x86_64 -cpu max)
	console=ttyS0 ;;
*) die "--arch arm64|x86_64 required" ;;
esac
[ -n "$kernel" ] || kernel=$("$top/scripts/debian-kernel.sh" image "$arch")
[ -f "$kernel" ] || die "no kernel image $kernel"

mkdir -p "$(dirname "$log")"
: >"$log"
cmdline="console=$console oops=panic panic=-1 rdinit=/init$append"

start=$(date +%s.%N)
set +e
timeout --foreground -k 5 "$timeout" "${qemu[@]}" -accel tcg -m "$mem" -smp "$smp" \
	-nodefaults -display none -monitor none -no-reboot \
	-chardev file,id=con0,path="$log" -serial chardev:con0 \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
	"${extra[@]}" </dev/null >"$log.qemu" 2>&1
qrc=$?
set -e
secs=$(echo "$(date +%s.%N) - $start" | bc)

# Console logs carry \r\n; judge plain lines.
clean=$(tr -d '\r' <"$log")
problems=()
[ $qrc -ne 124 ] && [ $qrc -ne 137 ] || problems+=("timeout after ${timeout}s")
[ $qrc -eq 0 ] || [ $qrc -eq 124 ] || [ $qrc -eq 137 ] ||
	problems+=("qemu exited with $qrc: $(head -c 300 "$log.qemu")")
grep -qx 'xenshm-init: done' <<<"$clean" || problems+=("no 'xenshm-init: done' marker")
rcline=$(grep -m1 '^xenshm-init: exit=' <<<"$clean" || true)
[ -z "$rcline" ] || [ "$rcline" = 'xenshm-init: exit=0' ] ||
	problems+=("test script failed ($rcline)")
for re in "${expects[@]}"; do
	grep -Eq -- "$re" <<<"$clean" || problems+=("expected line not found: $re")
done
bad='WARNING:|BUG:|KASAN|Kernel panic|Oops|[Cc]all [Tt]race|UBSAN:|unable to open an initial console'
hits=$(grep -E -- "$bad" <<<"$clean" || true)
for re in "${allows[@]}"; do
	hits=$(grep -Ev -- "$re" <<<"$hits" || true)
done
[ -z "$hits" ] || problems+=("kernel reported a problem: $(head -n3 <<<"$hits" | tr '\n' '|')")

if [ ${#problems[@]} -eq 0 ]; then
	printf '  QEMU    %s PASS in %.1fs (log %s)\n' "$arch${XENSHM_KSERIES:+ $XENSHM_KSERIES}" "$secs" "$log"
	exit 0
fi
printf '  QEMU    %s FAIL in %.1fs (log %s)\n' "$arch${XENSHM_KSERIES:+ $XENSHM_KSERIES}" "$secs" "$log" >&2
for p in "${problems[@]}"; do echo "    - $p" >&2; done
if [ -z "$quiet" ]; then
	echo "    --- last 40 console lines ---" >&2
	tail -n 40 <<<"$clean" | sed 's/^/    | /' >&2
fi
exit 1
