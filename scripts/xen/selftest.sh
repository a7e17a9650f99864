#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Self-test of the Xen harness: each scenario must FAIL in the expected way.
#   panic  domu2's kernel crashes      -> run ends early, reason "panic"
#   fail   domu1 reports a FAIL result -> collector exit 1, "1 failed" counted
#   hang   domu1 never prints DONE     -> Dom0 powers off, domu1-done FAIL
#   kernel domu1 must run 6.12 but boots 6.1 -> domu1's "kernel" result FAILs
# and these that must PASS:
#   demux  demux.py on a fixed interleaved line -> both lines whole
#   flood  all domains print 300 markers at once -> every one is counted
#          (Dom0's and Xen's lines interleave mid-line: demux.py's job)
# Usage: scripts/xen/selftest.sh [OUTDIR]   (default build/xen-selftest)
# No "set -e": a scenario's condition failing must reach expect(), not end
# the script before it says which scenario failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/build/xen-selftest}
PY=${PYTHON:-/usr/bin/python3}
s=$here/selftest
bad=0

reason() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["reason"])' "$1/status.json"; }
expect() {   # NAME CONDITION-DESCRIPTION RESULT(0/1)
	if [ "$3" = 0 ]; then echo "selftest: PASS $1 ($2)"; else echo "selftest: FAIL $1 ($2)"; bad=1; fi
}

run() {      # NAME ARGS...
	local n=$1 rc=0
	shift
	t=$(date +%s)
	"$here/run.sh" --out "$out/$n" --init all="$s/ok.sh" "$@" > "$out/$n.txt" 2>&1 || rc=$?
	echo "selftest: $n: run.sh exit $rc after $(( $(date +%s) - t ))s, reason $(reason "$out/$n")"
	return $rc
}

mkdir -p "$out"

# demux.py on a fixed interleaving (its docstring's): a domU line inside a
# Dom0 line comes out whole, and so does the Dom0 line around it. (The flood
# scenario below shows it on a real console; how many lines interleave
# there is up to the scheduler.)
printf 'XENSHM-RESULT dom0 t PASS rx=1677(XEN) DOM2: XENSHM-RESULT domu2 u PASS\n7216\r\n' \
	>"$out/demux-in.log"
"$PY" "$here/demux.py" "$out/demux-in.log" "$out/demux-out.log" &&
	printf '(XEN) DOM2: XENSHM-RESULT domu2 u PASS\nXENSHM-RESULT dom0 t PASS rx=16777216\r\n' |
	cmp -s - "$out/demux-out.log"
expect demux "a domU line inside a Dom0 line: both come out whole" $?
rc=0; run panic --init domu2="$s/panic.sh" --timeout 120 || rc=$?
[ "$rc" != 0 ] && [ "$(reason "$out/panic")" = panic ] && grep -q 'Kernel panic' "$out/panic/status.json"
expect panic "run fails, watcher reason panic on a Kernel panic line" $?

rc=0; run fail --init domu1="$s/fail.sh" --timeout 120 || rc=$?
[ "$rc" = 1 ] && grep -q 'FAIL  selftest-bad' "$out/fail.txt" && grep -qx '.* 1 failed' "$out/fail.txt"
expect fail "collector fails with exactly one failure" $?

rc=0; run hang --init domu1="$s/hang.sh" --dom0-linger 5 --timeout 120 || rc=$?
[ "$rc" = 1 ] && [ "$(reason "$out/hang")" = exit ] && grep -q 'FAIL  domu1-done' "$out/hang.txt"
expect hang "Dom0 powers off, domu1 reported not DONE" $?

# The mixed-kernel runs (make test-xen) rely on each domain's "kernel" result:
# give domu1 a 6.1 Image while telling it to expect 6.12.
k61=$(XENSHM_KSERIES=6.1 "$top/scripts/debian-kernel.sh" image arm64) || exit 1
rc=0; run kernel --kseries domu1=6.12 --kernel domu1="$k61" --require domu1:kernel --timeout 120 || rc=$?
[ "$rc" = 1 ] && grep -q 'FAIL  kernel  6\.1\..* is not of series 6\.12' "$out/kernel.txt" &&
	grep -q 'FAIL  require domu1:kernel' "$out/kernel.txt" && grep -qx '.* 2 failed' "$out/kernel.txt"
expect kernel "domu1 on the wrong series: its kernel result and the require fail" $?

flood=300
rc=0; run flood --init all="$s/flood.sh" --env XENSHM_FLOOD=$flood --timeout 120 || rc=$?
n=$(grep -c '^  PASS  flood-' "$out/flood.txt")
mixed=$(grep -a -c 'XENSHM-.*XENSHM-' "$out/flood/console.log")
[ "$rc" = 0 ] && [ "$n" = $((3 * flood)) ]
expect flood "$n of $((3 * flood)) markers counted; $mixed raw console lines held two" $?

exit $bad
