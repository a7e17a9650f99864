# SPDX-License-Identifier: GPL-2.0-only
#
# Per-domain script of `make bench-xen` (scripts/xen/run.sh --init all=THIS,
# Dom0 and domU1 with xenstore, tests/xen/xenshm-xbench.c): Dom0 (side a)
# and domU1 (side b) run the same sequence of runs, each a rendezvous.
#
#   Dom0:  Xen's device modules (from Debian's kernel package), xenfs,
#          xenstored, xen-init-dom0, init-dom0less (domU1 gets xenstore)
#   domU1: xen-evtchn, xen-gntdev, xen-gntalloc
#   then XENSHM_BENCH_PAIRS pairs; a pair is group X (insmod xenshm; rw,
#   mmap, zc at every size; rmmod) and group O (vchan, diy, memcpy at every
#   size), X then O in odd pairs and O then X in even ones. diy runs with
#   xenshm.ko unloaded on both sides, on xenshm-0-1's region.
# domU2 only reports DONE.

pairs=${XENSHM_BENCH_PAIRS:-3}
sizes=${XENSHM_BENCH_SIZES:-64 1024 65536}
V=/xenshm/vchan
XB=/xenshm/xenshm-xbench

case "$XENSHM_DOM" in
dom0) side=a ;;
domu1) side=b ;;
*) exit 0 ;;
esac

# The region of xenshm-0-1 as this domain sees it (for diy).
for r in $XENSHM_REGIONS; do
	IFS=: read -r id ga sz _ <<EOT
$r
EOT
	[ "$id" = xenshm-0-1 ] && { diy_addr=$ga; diy_size=$sz; }
done

mkdir -p /lib /run /var/lib/xenstored /var/lib/xen /var/log/xen /run/xen /run/xenstored
[ -e /var/run ] || ln -s /run /var/run
ln -sf $V/lib/ld-linux-aarch64.so.1 /lib/ld-linux-aarch64.so.1
export LD_LIBRARY_PATH=$V/lib
mods="xen-evtchn xen-gntdev xen-gntalloc"
[ "$side" = a ] && mods="$mods xen-privcmd xenfs"
for m in $mods; do insmod $V/ko/$m.ko || xenshm_info "insmod $m failed"; done
xenshm_info "vchan setup: $(ls /dev/xen | tr '\n' ' ')"
if [ "$side" = a ]; then
	mkdir -p /proc/xen && mount -t xenfs xenfs /proc/xen
	$V/bin/xenstored --no-fork > /tmp/xenstored.log 2>&1 &
	sleep 2
	$V/bin/xen-init-dom0 > /tmp/init-dom0.log 2>&1; xenshm_info "xen-init-dom0 rc=$?"
	$V/bin/init-dom0less > /tmp/init-dom0less.log 2>&1; rc=$?
	xenshm_info "init-dom0less rc=$rc"
	xenshm_info_file xenstored /tmp/xenstored.log
	xenshm_info_file init-dom0 /tmp/init-dom0.log
	xenshm_info_file init-dom0less /tmp/init-dom0less.log
	[ $rc = 0 ] && xenshm_pass xenstore "xenstored + init-dom0less" ||
		xenshm_fail xenstore "init-dom0less rc=$rc"
fi

# Known: after a vchan run domU1's balloon thread tries to hotplug memory
# (the pages gntdev ballooned out come back) and Linux 6.1 on arm64 warns in
# vmemmap_populate; make bench-xen runs with --expect-panic domu1 so that
# warning does not end the boot, and bench-report.py counts and reports it.

run() {	# run PATH SIZE PAIR
	$XB $side "$1" "$2" "$3" --diy-addr "$diy_addr" --diy-size "$diy_size" ||
		xenshm_info "xbench $1 $2 pair $3 rc=$?"
}
group_x() {
	xenshm_insmod || { xenshm_fail bench-insmod; return; }
	xenshm_wait_for 5 test -e /dev/xenshm/xenshm-0-1
	for s in $sizes; do for p in rw mmap zc; do run $p $s $1; done; done
	n=0
	until rmmod xenshm 2>/dev/null; do
		n=$((n + 1)); [ $n -lt 50 ] || { xenshm_fail bench-rmmod; return; }
		usleep 100000
	done
}
group_o() {
	for s in $sizes; do for p in vchan diy memcpy; do run $p $s $1; done; done
}

t0=$(cut -d' ' -f1 /proc/uptime)
for k in $(seq 1 "$pairs"); do
	if [ $((k % 2)) = 1 ]; then group_x $k; group_o $k; else group_o $k; group_x $k; fi
	xenshm_info "bench pair $k done at $(cut -d' ' -f1 /proc/uptime)s"
done
xenshm_pass bench "$pairs pairs in $(echo "$(cut -d' ' -f1 /proc/uptime) - $t0" | bc) s"
