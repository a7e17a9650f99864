# SPDX-License-Identifier: GPL-2.0-only
#
# Per-domain script of `make bench-xen-many` (scripts/xen/run.sh --many N):
# domU1 and domU2 share N more regions (xm-0 .. xm-<N-1>, each with its own
# static event channel) besides the usual four. Each domU loads xenshm.ko,
# checks it got a device for each (Linux 6.1 hands out at most 128 dynamic
# misc minors system-wide, 6.12 has no such limit; Xen's 4 KiB domU device
# tree stops far earlier), then xenshm-scale streams on
# 1, 4, 16 and all the xm channels at once (XENSHM_MANY_MIB MiB each way per
# channel). Dom0 only loads the module.

mib=${XENSHM_MANY_MIB:-2}
counts=${XENSHM_MANY_COUNTS:-1,4,16,0}
xm=
nxm=0
for r in $XENSHM_REGIONS; do
	case "$r" in xm-*) xm="$xm ${r%%:*}"; nxm=$((nxm + 1)) ;; esac
done

if ! xenshm_insmod; then
	xenshm_fail insmod
	exit 1
fi
xenshm_pass insmod
[ "$XENSHM_DOM" = dom0 ] && exit 0

have_all() {
	for c in $xm; do [ -c "/dev/xenshm/$c" ] || return 1; done
}
xenshm_wait_for 10 have_all
got=
for c in $xm; do [ -c "/dev/xenshm/$c" ] && got="$got $c"; done
ngot=$(echo $got | wc -w)
fails=$(dmesg | grep -c 'xenshm.*xm-.*failed\|xenshm: xen: xm-.*: -' || true)
if [ "$ngot" = "$nxm" ]; then
	xenshm_pass many-devices "$ngot of $nxm regions have a device (Linux $(uname -r))"
else
	xenshm_fail many-devices "$ngot of $nxm regions have a device (Linux $(uname -r)); $fails log lines"
	dmesg | grep 'xenshm' | grep -v 'xen: xm-' | tail -n 5 | while IFS= read -r l; do
		xenshm_info "dmesg: $l"; done
fi
# Both ends must use the same list: only what both have is known to this
# end, so it uses what it got; a mismatch shows as a connect failure.
/xenshm/xenshm-scale --mib "$mib" --counts "$counts" $got
rc=$?
grep -E "xenshm[-:]" /proc/interrupts | wc -l | while read -r n; do xenshm_info "xenshm IRQ lines: $n"; done
exit $rc
