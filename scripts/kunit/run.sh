#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run xenshm's KUnit suites: boot the KUnit kernel in QEMU (TCG) with a busybox
# initramfs that loads xenshm.ko (its suites run as it loads: on 6.1 before
# its init function, at MODULE_STATE_COMING; on 6.12 right after it, at
# MODULE_STATE_LIVE), unloads it, and dumps the kernel log. The KTAP cut from
# that log (scripts/kunit/ktap.py) goes to the kernel's own parser,
# tools/testing/kunit/kunit.py parse (of the kernel's own source, so each
# series parses its own KTAP dialect), which decides pass/fail.
#
# Usage: scripts/kunit/run.sh <arm64|x86_64> [KDIR] [MODULE] [STRESS]
#   KDIR    trimmed KUnit build folder
#           (default: scripts/kunit/build-kernel.sh <arch> <series>)
#   MODULE  xenshm.ko built against it
#           (default: build/kunit/<series>/<arch>/xenshm.ko)
#   STRESS  tests/stress/xenshm-stress built for <arch>: after the suites, while
#           the module is still loaded, it runs for $XENSHM_STRESS_S seconds
#           (default 10; seed $XENSHM_STRESS_SEED, default the date) on the
#           two loopback pairs, under the same checkers; it must exit 0 and
#           rmmod must work afterwards.
# The defaults' series is $XENSHM_KSERIES, else 6.1; with KDIR given, the
# series is the one of KDIR's source tree.
#
# The run fails if kunit.py reports anything but a clean pass, if a suite
# declared in kunit/*_test.c did not run to its end, if loading or unloading
# the module fails, if the guest does not finish (crash, hang: oops=panic and
# -no-reboot end it; a timeout catches the rest), or if the console shows a
# KASAN/UBSAN/lockdep/might_sleep/BUG/WARNING report.
#
# Outputs next to MODULE: console.log, results.ktap, parse.log, reports.txt,
# and summary.txt, one line for `make test-kunit`'s table:
# "<n> passed, <n> failed, <n> skipped (<n> suites)", or "FAILED: <why>".
set -euo pipefail
# The whole script is one compound command, parsed before it runs: editing
# this file while a build is running cannot derail the running copy.
{

arch=${1:?usage: $0 <arm64|x86_64> [KDIR] [MODULE]}
top=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-/usr/bin/python3}
kdir=${2:-}
series=${XENSHM_KSERIES:-6.1}
module=${3:-$top/build/kunit/$series/$arch/xenshm.ko}
stress=${4:-}
stress_s=${XENSHM_STRESS_S:-10}
stress_seed=${XENSHM_STRESS_SEED:-$(date +%Y%m%d)}
out=$(cd "$(dirname "$module")" 2>/dev/null && pwd || echo "$top/build/kunit/$series/$arch")
timeout_s=${XENSHM_KUNIT_TIMEOUT:-300}

log() { echo "kunit/run.sh[$series/$arch]: $*" >&2; }
# A failure says why in summary.txt too (when the output folder exists).
die() { log "$*"; [ ! -d "$out" ] || echo "FAILED: $*" > "$out/summary.txt"; exit 1; }

[ -n "$kdir" ] || kdir=$("$top/scripts/kunit/build-kernel.sh" "$arch" "$series")
[ -f "$kdir/.config" ] || die "no KUnit kernel build folder at '$kdir'"
[ -f "$module" ] || die "no module at $module (make test-kunit builds it)"
mkdir -p "$out"
rm -f "$out/summary.txt"

case "$arch" in
arm64)
	image=$kdir/arch/arm64/boot/Image
	# pauth-impdef: the architected pointer-auth emulation is ~3.5x slower
	# shellcheck disable=SC2054 # -cpu takes a comma-separated list
	qemu=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on)
	console=ttyAMA0
	off='poweroff -f' ;;	# PSCI SYSTEM_OFF
x86_64)
	image=$kdir/arch/x86/boot/bzImage
	qemu=(qemu-system-x86_64 -M pc -cpu max)
	console=ttyS0
	off='reboot -f' ;;	# no ACPI here; -no-reboot turns a reboot into an exit
*) die "unknown arch '$arch'" ;;
esac
[ -f "$image" ] || die "no kernel image at $image"

# The source tree the build folder was made from (for kunit.py), and its
# series (build-kernel.sh unpacks linux-source-<series>).
src=$(sed -n 's/^include \(.*\)\/Makefile$/\1/p' "$kdir/Makefile")
[ -f "$src/tools/testing/kunit/kunit.py" ] || die "cannot find kunit.py under '$src'"
case "${src##*/}" in linux-source-*) series=${src##*/linux-source-} ;; esac

busybox=$("$top/scripts/debian-kernel.sh" busybox "$arch" | tail -n1)
[ -x "$busybox" ] || die "no busybox for $arch"

# --- initramfs ------------------------------------------------------------------
root=$out/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys}
cp "$busybox" "$root/bin/busybox"
cp "$module" "$root/xenshm.ko"
if [ -n "$stress" ]; then
	[ -x "$stress" ] || die "no stress program at $stress"
	cp "$stress" "$root/xenshm-stress"
fi
cat > "$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
# The suites run while the module loads (6.1: MODULE_STATE_COMING, before
# its init function; 6.12: MODULE_STATE_LIVE, right after it, still inside
# insmod) and print KTAP to the kernel log; these markers delimit that part
# of the log.
echo XENSHM-KUNIT-KTAP-BEGIN > /dev/kmsg
# Not on Xen, the module refuses a load that offers no channel; loopback=1
# gives it one (the suites build their own ends with a fake transport). On
# 6.12 a refused load would also mean no suite runs (they run only once the
# module is live); the check that every suite ran catches that.
insmod /xenshm.ko loopback=2
rc=\$?
echo XENSHM-KUNIT-KTAP-END > /dev/kmsg
echo "XENSHM-KUNIT-INSMOD-RC \$rc"
echo "XENSHM-KUNIT-DEBUGFS \$(ls /sys/kernel/debug/kunit 2>/dev/null | tr '\n' ' ')"
if [ -x /xenshm-stress ]; then
	dmesg -n 1	# its connects and failures are logged; keep them off the console
	/xenshm-stress --seconds $stress_s --seed $stress_seed --procs 4 \
		loop0-a loop0-b loop1-a loop1-b
	echo "XENSHM-KUNIT-STRESS-RC \$?"
	dmesg -n 7
fi
rmmod xenshm
echo "XENSHM-KUNIT-RMMOD-RC \$?"
# The whole kernel log once more, with the console quiet (log level 1)
# meanwhile, so no line of it is split by another message.
dmesg -n 1
echo XENSHM-KUNIT-DMESG-BEGIN
dmesg
echo XENSHM-KUNIT-DMESG-END
echo XENSHM-KUNIT-DONE
$off
INIT
chmod +x "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$out/initramfs.cpio.gz"

# --- boot -------------------------------------------------------------------------
consolelog=$out/console.log
log "booting $image (timeout ${timeout_s}s)"
start=$(date +%s)
set +e
timeout --foreground -k 5 "$timeout_s" "${qemu[@]}" -smp 2 -m 1G -nographic -no-reboot \
	-kernel "$image" -initrd "$out/initramfs.cpio.gz" \
	-append "console=$console kunit.enable=1 oops=panic panic=-1 loglevel=7" \
	</dev/null > "$consolelog" 2>&1
qrc=$?
set -e
log "QEMU exited with $qrc after $(( $(date +%s) - start )) s; console in $consolelog"
tr -d '\r' < "$consolelog" > "$consolelog.tmp" && mv "$consolelog.tmp" "$consolelog"

fail=0
grep -q '^XENSHM-KUNIT-DONE' "$consolelog" || { log "guest did not finish (crash or timeout)"; fail=1; }
grep -q '^XENSHM-KUNIT-INSMOD-RC 0$' "$consolelog" || { log "insmod failed"; fail=1; }
grep -q '^XENSHM-KUNIT-RMMOD-RC 0$' "$consolelog" || { log "rmmod failed"; fail=1; }
if [ -n "$stress" ]; then
	grep '^xenshm-stress:' "$consolelog" | sed 's/^/  /' >&2 || true
	grep -q '^XENSHM-KUNIT-STRESS-RC 0$' "$consolelog" || { log "the stress run failed"; fail=1; }
fi

# --- KTAP -------------------------------------------------------------------------
ktap=$out/results.ktap
"$python" "$top/scripts/kunit/ktap.py" "$consolelog" "$ktap" > "$out/suites.txt"

# Every suite the sources declare must have run to its end.
want=$(sed -n 's/^[[:space:]]*\.name[[:space:]]*=[[:space:]]*"\(xenshm_[a-z0-9_]*\)".*/\1/p' \
	"$top"/kunit/*_test.c | sort -u)
for s in $want; do
	grep -qx "$s" "$out/suites.txt" || { log "suite $s did not run (or did not finish)"; fail=1; }
done
[ -s "$out/suites.txt" ] || { log "no suite ran"; fail=1; }

log "kunit.py parse $ktap"
if ! (cd "$src" && "$python" tools/testing/kunit/kunit.py parse "$ktap") 2>&1 | tee "$out/parse.log"; then
	fail=1
fi
# kunit.py's exit status is its verdict, but 6.1's exits 0 on parse errors
# (a missing result line, a wrong test number): read its summary too.
summary=$(grep -E 'Testing complete\.' "$out/parse.log" | tail -n1 | sed 's/^\[[0-9:]*\] //' || true)
if ! grep -Eq 'passed: [1-9]' <<<"$summary" || grep -Eq 'failed|crashed|errors' <<<"$summary"; then
	log "kunit.py summary is not a clean pass: ${summary:-none}"
	fail=1
fi

# --- kernel checkers --------------------------------------------------------------
# Any report of KASAN, UBSAN, lockdep, might_sleep or a BUG/WARN fails the run.
pat='BUG:|WARNING:|UBSAN:|KASAN:|possible circular locking|possible recursive locking'
pat+='|inconsistent lock state|Kernel panic|Oops|Call trace:|Call Trace:|kernel BUG'
if grep -En "$pat" "$consolelog" > "$out/reports.txt"; then
	log "kernel reported problems (first lines; all in $consolelog):"
	head -n 20 "$out/reports.txt" >&2
	fail=1
fi

# kunit.py's counts, for the table of `make test-kunit`.
count() { grep -Eo "$1: [0-9]+" <<<"$summary" | grep -Eo '[0-9]+$' || echo 0; }
counts="$(count passed) passed, $(( $(count failed) + $(count crashed) + $(count errors) )) failed,"
counts+=" $(count skipped) skipped ($(wc -l < "$out/suites.txt") suites)"
if [ "$fail" != 0 ]; then
	echo "FAILED: $counts; see $out" > "$out/summary.txt"
	log "FAILED ($counts)"
	exit 1
fi
echo "$counts" > "$out/summary.txt"
log "passed: $counts, no kernel reports ($summary)"
exit
}
