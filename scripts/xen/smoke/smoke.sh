# SPDX-License-Identifier: GPL-2.0-only
#
# Smoke test run in every domain by `make xen-smoke` (run.sh --init all=THIS).
# Sourced by /init in a subshell, with /xenshm/lib.sh and /xenshm/env loaded.
# Reports what the domain knows about itself and checks that Xen gave it
# exactly the shared regions the harness configured (XENSHM_REGIONS): same
# xen,id set, same guest address and size. Does not cover event channels.

xenshm_info "domid(configured)=$XENSHM_DOMID peers=$XENSHM_PEERS"
xenshm_info "cmdline: $(cat /proc/cmdline)"

# --- the hypervisor, as Linux sees it ------------------------------------------
hv=$(cat /sys/hypervisor/type 2>/dev/null)
ver=$(cat /sys/hypervisor/version/major 2>/dev/null).$(cat /sys/hypervisor/version/minor 2>/dev/null)$(cat /sys/hypervisor/version/extra 2>/dev/null)
compat=$(xenshm_dt_str /proc/device-tree/hypervisor/compatible 2>/dev/null)
xenshm_info "hypervisor: type=$hv version=$ver dt=$compat"
irq=$(xenshm_dt_hex /proc/device-tree/hypervisor/interrupts 2>/dev/null)
xenshm_info "hypervisor node interrupts=$irq"
if [ "$hv" = xen ] || case "$compat" in *xen,xen*) true ;; *) false ;; esac; then
	xenshm_pass hypervisor "$hv $ver"
else
	xenshm_fail hypervisor "type='$hv' dt='$compat'"
fi

# Dom0 keeps the host's devices; a domU has Xen's emulated SBSA UART instead.
if [ -d /proc/device-tree/sbsa-uart@22000000 ]; then kind=domU; else kind=dom0; fi
want=domU
[ "$XENSHM_DOMID" = 0 ] && want=dom0
if [ "$kind" = "$want" ]; then
	xenshm_pass domain-kind "$kind"
else
	xenshm_fail domain-kind "looks like $kind, configured as $XENSHM_DOM"
fi

# --- shared regions ---------------------------------------------------------------
seen=$(xenshm_dt_regions)
[ -n "$seen" ] || xenshm_info "no reserved-memory node with xen,id"
printf '%s\n' "$seen" | while read -r id addr size node; do
	[ -n "$id" ] && xenshm_info "shm: xen,id=$id addr=$addr size=$size node=$node"
done
ok=1
for r in $XENSHM_REGIONS; do
	IFS=: read -r id ga sz peer role _evtchn <<EOT
$r
EOT
	line=$(printf '%s\n' "$seen" | awk -v id="$id" '$1 == id')
	set -- $line
	if [ -z "$line" ]; then
		xenshm_fail "shm-$id" "missing (peer $peer)"; ok=
	elif [ "$(($2))" != "$((ga))" ] || [ "$(($3))" != "$((sz))" ]; then
		xenshm_fail "shm-$id" "at $2+$3, configured $ga+$sz"; ok=
	else
		xenshm_pass "shm-$id" "$2+$3 peer=$peer role=$role"
	fi
done
nseen=$(printf '%s\n' "$seen" | grep -c .)
nwant=$(echo $XENSHM_REGIONS | wc -w)
ids=$(printf '%s\n' "$seen" | awk '{print $1}' | sort | tr '\n' ',' | sed 's/,$//')
if [ "$nseen" = "$nwant" ] && [ -n "$ok" ]; then
	xenshm_pass shm-regions "exactly $ids"
else
	xenshm_fail shm-regions "saw $nseen ($ids), configured $nwant"
fi

# --- interrupts -----------------------------------------------------------------
xenshm_info_file interrupts /proc/interrupts
# The upcall is a per-CPU interrupt named "events": PPI 31 (GIC 31) in a domU
# (Xen's guest layout), a PPI Xen picks at boot in Dom0 (16 under QEMU).
ev=$(grep -E ' GICv3 +[0-9]+ +Level +events$' /proc/interrupts | tr -s ' ')
set -- $ev
if [ -z "$ev" ]; then
	xenshm_fail xen-upcall-irq "no 'events' interrupt in /proc/interrupts"
elif [ "$XENSHM_DOMID" != 0 ] && [ "$4" != 31 ]; then
	xenshm_fail xen-upcall-irq "events on GIC $4, a domU expects 31"
else
	xenshm_pass xen-upcall-irq "events on GIC $4"
fi
