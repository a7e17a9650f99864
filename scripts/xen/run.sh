#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot Xen/arm64 in QEMU (TCG) with Dom0 and two dom0less domUs (domu1, domu2)
# sharing four static memory regions (xenshm-0-1, xenshm-1-2, xenshm-0-2,
# xenshm-1-2b; scripts/xen/gen-dt.py), run one test script per domain, and
# collect the results. By default Xen keeps its own XSM policy (Debian's
# build: SILO, which refuses the recipe's hypercalls between two domUs) and
# the domU<->domU regions get static event channels.
#
# Usage: scripts/xen/run.sh [options]
#   --init DOM=FILE      shell script run by DOM's /init (DOM: dom0|domu1|domu2|all);
#                        default for all: scripts/xen/smoke/smoke.sh
#   --payload [DOM=]DIR  copy DIR's contents into /xenshm/ of DOM's (default: every)
#                        initramfs, e.g. a folder holding xenshm.ko and test tools
#   --env KEY=VALUE      exported to every domain's test script (repeatable)
#   --require DOM:TEST   the collector fails unless DOM reported TEST PASS (repeatable)
#   --out DIR            outputs (default: build/xen-e2e)
#   --timeout SEC        global timeout from QEMU start (default 300)
#   --dom0-linger SEC    Dom0 powers off SEC s after its own DONE (default 30);
#                        normally the harness ends QEMU first, once all are DONE
#   --shm-size BYTES     size of each shared region (default 0x400000)
#   --guest-args ARGS    appended to every domain's kernel command line
#   --xen FILE           Xen binary (default: scripts/xen/build-xen.sh's)
#   --kernel [DOM=]FILE  arm64 Image of DOM (default: every domain); repeatable,
#                        later ones win. Default: Debian's Image of the domain's
#                        --kseries, else of $XENSHM_KSERIES (6.1 unless set)
#   --kseries [DOM=]SERIES  Linux series DOM must run (6.1|6.12; default: every
#                        domain). Without --kernel for DOM, DOM boots Debian's
#                        Image of SERIES (scripts/debian-kernel.sh). Each domain's
#                        /init reports "kernel" (uname -r): FAIL unless it is of
#                        the expected series (the default kernel's series when
#                        neither option names one; no expectation for a --kernel
#                        FILE without --kseries)
#   --cpu CPU            QEMU -cpu (default cortex-a57)
#   --xsm MODE           Xen's xsm= (e.g. dummy); default: none given, Xen's own
#   --many N             N more domU1<->domU2 regions xm-0..xm-<N-1> (static
#                        event channels), --many-size BYTES each (default 0x10000)
#   --no-static-evtchn   no static event channels: domU<->domU regions use the
#                        recipe's runtime hypercalls (needs --xsm dummy)
#   --expect-panic DOM   DOM (a domU) is meant to panic: its console lines do not
#                        end the run (repeatable)
#   --baremetal IMAGE    a fourth domain, domu3 (domid 3, 32 MiB, no initrd),
#                        boots the bare-metal arm64 IMAGE (make baremetal) with
#                        two more regions, xenshm-0-3 (Dom0 <-> domU3, runtime
#                        recipe) and xenshm-1-3 (domU1 <-> domU3, static
#                        channel unless --no-static-evtchn); they appear in Dom0's
#                        and domU1's XENSHM_REGIONS. domu3 must print its DONE
#                        like the others. Without it nothing changes.
#   --baremetal-args ARGS  appended to domu3's bootargs (peer/baremetal reads
#                        e.g. produce=BYTES, peerdeath=1: service.c)
#   --xenstore DOM       DOM (domu1|domu2) gets xenstore: xen,enhanced = "enabled"
#                        instead of "no-xenstore"; Dom0's script must then start
#                        xenstored and init-dom0less (repeatable)
#   --verbose            the collector also prints the INFO markers
#
# Outputs in --out: console.log (the whole serial console), console.demux.log
# (the same, Dom0's lines and Xen's taken apart: demux.py), status.json (why and
# when the run ended), results.txt / results.json (the collector's report),
# xen.dts / xen.dtb / xen.json (device tree and layout), initrd-<dom>.cpio.
# Exit status: the collector's (0 = nothing failed).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
DOMS=(dom0 domu1 domu2)

out=$top/build/xen-e2e
timeout=300
linger=30
shm_size=0x400000
guest_args=
xen=
cpu=cortex-a57
verbose=
xsm=
static_evtchn=--static-evtchn
ignores=()
many=()
many_size=()
baremetal=
bm_args=
xenstore=()
declare -A init payload kernel kseries
envs=()
requires=()
for d in "${DOMS[@]}"; do init[$d]=$here/smoke/smoke.sh; payload[$d]=; kernel[$d]=; kseries[$d]=; done

die() { echo "run.sh: $*" >&2; exit 2; }
log() { echo "run.sh: $*" >&2; }
dom_ok() { case "$1" in dom0|domu1|domu2|all) ;; *) die "unknown domain '$1'" ;; esac; }

while [ $# -gt 0 ]; do
	case "$1" in
	--init)
		[ $# -ge 2 ] || die "--init needs DOM=FILE"
		d=${2%%=*}; f=${2#*=}; dom_ok "$d"
		[ -f "$f" ] || die "no such init script: $f"
		f=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
		if [ "$d" = all ]; then for x in "${DOMS[@]}"; do init[$x]=$f; done; else init[$d]=$f; fi
		shift 2 ;;
	--payload)
		[ $# -ge 2 ] || die "--payload needs [DOM=]DIR"
		case "$2" in *=*) d=${2%%=*}; f=${2#*=} ;; *) d=all; f=$2 ;; esac
		dom_ok "$d"; [ -d "$f" ] || die "no such payload folder: $f"
		f=$(cd "$f" && pwd)
		if [ "$d" = all ]; then for x in "${DOMS[@]}"; do payload[$x]+=" $f"; done
		else payload[$d]+=" $f"; fi
		shift 2 ;;
	--env)       [[ "${2:-}" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env needs KEY=VALUE"
	             envs+=("$2"); shift 2 ;;
	--require)   requires+=(--require "$2"); shift 2 ;;
	--out)       out=$2; shift 2 ;;
	--timeout)   timeout=$2; shift 2 ;;
	--dom0-linger) linger=$2; shift 2 ;;
	--shm-size)  shm_size=$2; shift 2 ;;
	--guest-args) guest_args=$2; shift 2 ;;
	--xen)       xen=$2; shift 2 ;;
	--kernel)
		[ $# -ge 2 ] || die "--kernel needs [DOM=]FILE"
		case "$2" in *=*) d=${2%%=*}; f=${2#*=} ;; *) d=all; f=$2 ;; esac
		dom_ok "$d"; [ -s "$f" ] || die "no such kernel Image: $f"
		f=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
		if [ "$d" = all ]; then for x in "${DOMS[@]}"; do kernel[$x]=$f; done; else kernel[$d]=$f; fi
		shift 2 ;;
	--kseries)
		[ $# -ge 2 ] || die "--kseries needs [DOM=]SERIES"
		case "$2" in *=*) d=${2%%=*}; f=${2#*=} ;; *) d=all; f=$2 ;; esac
		dom_ok "$d"
		[[ "$f" =~ ^[0-9]+\.[0-9]+$ ]] || die "--kseries: '$f' is not a kernel series like 6.1 or 6.12"
		if [ "$d" = all ]; then for x in "${DOMS[@]}"; do kseries[$x]=$f; done; else kseries[$d]=$f; fi
		shift 2 ;;
	--cpu)       cpu=$2; shift 2 ;;
	--xsm)       [[ "${2:-}" =~ ^[a-z]+$ ]] || die "--xsm needs a mode like dummy"
	             xsm=$2; shift 2 ;;
	--no-static-evtchn) static_evtchn=; shift ;;
	--many)      [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--many needs a number"
	             many=(--many "$2"); shift 2 ;;
	--many-size) many_size=(--many-size "$2"); shift 2 ;;
	--expect-panic)
		case "${2:-}" in domu1|domu2|domu3) ;; *) die "--expect-panic needs domu1, domu2 or domu3" ;; esac
		ignores+=(--ignore "^\(XEN\) DOM${2#domu}: "); shift 2 ;;
	--baremetal)
		[ -s "${2:-}" ] || die "--baremetal needs an arm64 Image (make baremetal)"
		baremetal=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
	--baremetal-args) bm_args=$2; shift 2 ;;
	--xenstore)
		case "${2:-}" in domu1|domu2) ;; *) die "--xenstore needs domu1 or domu2" ;; esac
		xenstore+=(--xenstore "$2"); shift 2 ;;
	--verbose|-v) verbose=-v; shift ;;
	-h|--help)   sed -n '4,/^set -e/p' "$0" | sed -e '/^set -e/d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done

mkdir -p "$out"
out=$(cd "$out" && pwd)

# --- inputs -------------------------------------------------------------------
t0=$(date +%s.%N)
[ -n "$xen" ] || xen=$("$here/build-xen.sh")
# Each domain's kernel: --kernel, else Debian's Image of its --kseries, else of
# the caller's XENSHM_KSERIES (debian-kernel.sh's default series). A domain
# booting a Debian Image is expected to run that Image's series.
for d in "${DOMS[@]}"; do
	[ -n "${kernel[$d]}" ] && continue
	s=${kseries[$d]:-$("$top/scripts/debian-kernel.sh" series)}
	kernel[$d]=$(XENSHM_KSERIES=$s "$top/scripts/debian-kernel.sh" image arm64) ||
		die "no Debian arm64 kernel of series $s for $d"
	kseries[$d]=$s
done
busybox=$("$top/scripts/debian-kernel.sh" busybox arm64)
for f in "$xen" "${kernel[@]}" "$busybox"; do [ -s "$f" ] || die "missing $f"; done

qemu_machine=(-machine virt,virtualization=on,gic-version=3 -cpu "$cpu" -m 4G -smp 2)
qemu-system-aarch64 "${qemu_machine[@]}" -display none -machine dumpdtb="$out/base.dtb" \
	>/dev/null 2>&1 || die "QEMU could not dump its device tree"

# One initramfs per domain: busybox, the common /init, /xenshm/{env,lib.sh,
# test.sh} and the payload folders.
build_initrd() {
	local d=$1 domid=$2 regions=$3 peers=$4 stage p
	stage=$out/stage-$d
	rm -rf "$stage"
	mkdir -p "$stage"
	{
		echo "XENSHM_DOM=$d"
		echo "XENSHM_DOMID=$domid"
		echo "XENSHM_REGIONS='$regions'"
		echo "XENSHM_PEERS='$peers'"
		echo "XENSHM_DOM0_LINGER=$linger"
		echo "XENSHM_KSERIES=${kseries[$d]}"
		for e in "${envs[@]+"${envs[@]}"}"; do printf "%s='%s'\n" "${e%%=*}" "${e#*=}"; done
	} > "$stage/env"
	for p in ${payload[$d]}; do cp -a "$p/." "$stage/"; done
	cp "$here/guest/lib.sh" "$stage/lib.sh"
	cp "${init[$d]}" "$stage/test.sh"
	"$PY" "$here/mkcpio.py" "$out/initrd-$d.cpio" \
		file:/bin/busybox="$busybox":755 file:/init="$here/guest/init":755 \
		cdev:/dev/console=5,1 dir:/proc dir:/sys dir:/tmp tree:/xenshm="$stage"
}

# gen-dt.py owns the topology: run it once with empty initrds to learn each
# domain's regions (they go into its env), then again with the real initrds,
# whose sizes go into the DT.
tmpl=$out/layout-probe
for d in "${DOMS[@]}"; do : > "$out/initrd-$d.cpio"; done
dtargs=(--base-dtb "$out/base.dtb" --shm-size "$shm_size" $static_evtchn
	"${many[@]+"${many[@]}"}" "${many_size[@]+"${many_size[@]}"}" ${xenstore[@]+"${xenstore[@]}"})
[ -z "$baremetal" ] || dtargs+=(--baremetal-kernel "$baremetal" --baremetal-args "$bm_args")
expect=dom0,domu1,domu2${baremetal:+,domu3}
for d in "${DOMS[@]}"; do dtargs+=(--$d-kernel "${kernel[$d]}" --$d-initrd "$out/initrd-$d.cpio"); done
"$PY" "$here/gen-dt.py" "${dtargs[@]}" --out "$tmpl"
i=0
for d in "${DOMS[@]}"; do
	regions=$("$PY" -c 'import json,sys; l=json.load(open(sys.argv[1])); print(" ".join(
		"%s:%#x:%#x:%s:%s:%d" % (r["id"], r["guest"], r["size"], r["peer"], r["role"], r["evtchn"])
		for r in l["domains"][sys.argv[2]]["regions"]))' "$tmpl.json" "$d")
	peers=$("$PY" -c 'import json,sys; l=json.load(open(sys.argv[1])); print(" ".join(
		r["peer"] for r in l["domains"][sys.argv[2]]["regions"]))' "$tmpl.json" "$d")
	build_initrd "$d" "$i" "$regions" "$peers"
	i=$((i + 1))
done
rm -f "$tmpl".*

xen_args="console=dtuart dtuart=/pl011@9000000 bootscrub=0${xsm:+ xsm=$xsm} noreboot dom0_mem=512M dom0_max_vcpus=1"
"$PY" "$here/gen-dt.py" "${dtargs[@]}" --out "$out/xen" --xen-bootargs "$xen_args" \
	--dom0-bootargs "console=hvc0 earlycon=xen rdinit=/init $guest_args" \
	--domu-bootargs "console=ttyAMA0 rdinit=/init $guest_args"

loaders=()
while read -r addr file; do
	loaders+=(-device "loader,file=$file,addr=$addr,force-raw=on")
done < "$out/xen.loaders"

prep=$(echo "$(date +%s.%N) - $t0" | bc)
log "inputs ready in ${prep%.*}s: xen=$xen"
log "xen command line: $xen_args; domU<->domU event channels: ${static_evtchn:+static}${static_evtchn:-runtime (recipe)}"
for d in "${DOMS[@]}"; do log "$d: kernel=${kernel[$d]}${kseries[$d]:+ (series ${kseries[$d]})}"; done
[ -z "$baremetal" ] || log "domu3: bare-metal $baremetal"
log "booting (timeout ${timeout}s), console: $out/console.log"
rc=0
"$PY" "$here/watch.py" --log "$out/console.log" --status "$out/status.json" \
	--timeout "$timeout" --expect "$expect" "${ignores[@]+"${ignores[@]}"}" -- \
	qemu-system-aarch64 "${qemu_machine[@]}" -display none -monitor none -no-reboot \
	-chardev stdio,id=con0,signal=off -serial chardev:con0 \
	-kernel "$xen" -dtb "$out/xen.dtb" "${loaders[@]}" || rc=$?
# Readers get the console with Dom0's lines and Xen's (domU) lines taken apart
# again (see demux.py); console.log stays as the serial port printed it.
"$PY" "$here/demux.py" "$out/console.log" "$out/console.demux.log"
"$PY" "$here/collect.py" "$out/console.demux.log" --status "$out/status.json" --expect "$expect" \
	--json "$out/results.json" $verbose "${requires[@]+"${requires[@]}"}" | tee "$out/results.txt"
exit "${PIPESTATUS[0]}"
