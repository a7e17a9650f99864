# SPDX-License-Identifier: GPL-2.0-only
#
# Per-domain test script of `make test-xen` (scripts/xen/run.sh --init all=THIS).
# Sourced by the harness's /init in a subshell with /xenshm/lib.sh and
# /xenshm/env loaded (XENSHM_DOM, XENSHM_DOMID, XENSHM_REGIONS, ...).
#
# Every domain: insmod xenshm.ko, check one /dev/xenshm/<xen,id> per region,
# then run xenshm-e2e on all its channels at once (see tests/xen/xenshm-e2e.c).
# The domain XENSHM_E2E_RELOAD_DOM (default 1) then unloads the module, checks
# the devices went away, loads it again with every peer pinned by the peers=
# parameter, and moves data again on each channel; its peers meanwhile see the
# hang-up and reconnect. Every domain ends by checking its kernel log for
# warnings.
#
# Environment (run.sh --env): XENSHM_E2E_MIB (default 64) MiB each way per
# path; XENSHM_E2E_RELOAD_DOM (default 1).

mib=${XENSHM_E2E_MIB:-64}
reload_dom=${XENSHM_E2E_RELOAD_DOM:-1}
chans=
pins=
for r in $XENSHM_REGIONS; do
	IFS=: read -r id _ga _sz peer _role <<EOT
$r
EOT
	chans="$chans $id"
	case "$peer" in
	dom0) pd=0 ;;
	domu*) pd=${peer#domu} ;;
	*) pd= ;;
	esac
	[ -n "$pd" ] && pins="$pins${pins:+,}$id:$pd"
done
rc=0

check_devices() {
	for c in $chans; do
		[ -c "/dev/xenshm/$c" ] || return 1
	done
}

kernel_clean() {
	! dmesg | grep -E -q 'WARNING: CPU: |BUG: |Oops|Call trace:|Internal error: |refcount_t: |kernel BUG'
}

xenshm_info "e2e: channels:$chans mib=$mib reload_dom=$reload_dom"
if xenshm_insmod; then
	xenshm_pass insmod "$(dmesg | grep -c 'xenshm: xen:') xen lines, on $(uname -r)"
else
	xenshm_fail insmod "insmod failed"
	dmesg | grep xenshm | tail -n 20 | while IFS= read -r l; do xenshm_info "dmesg: $l"; done
	exit 1
fi
dmesg | grep 'xenshm' | cut -c1-100 | while IFS= read -r l; do xenshm_info "dmesg: $l"; done
if xenshm_wait_for 5 check_devices; then
	xenshm_pass devices "$(ls /dev/xenshm | tr '\n' ' ')"
else
	xenshm_fail devices "have: $(ls /dev/xenshm 2>&1 | tr '\n' ' ')"
	rc=1
fi

# The example of docs/xen-setup.md, on the Dom0 <-> domU1 channel.
case " $chans " in
*" xenshm-0-1 "*)
	out=$(/xenshm/hello-xenshm /dev/xenshm/xenshm-0-1 2>&1)
	printf '%s\n' "$out" | while IFS= read -r l; do xenshm_info "hello: $l"; done
	peer=1
	[ "$XENSHM_DOMID" = 0 ] || peer=0
	if printf '%s\n' "$out" | grep -q "^peer says: hello from dom$peer\$"; then
		xenshm_pass doc-example "$(printf '%s\n' "$out" | head -n1)"
	else
		xenshm_fail doc-example "$(printf '%s' "$out" | tr '\n' ' ')"
		rc=1
	fi ;;
esac

/xenshm/xenshm-e2e run --size "$mib" --reload-dom "$reload_dom" --pin-test $chans || rc=1

if [ "$XENSHM_DOMID" = "$reload_dom" ]; then
	if rmmod xenshm; then
		xenshm_pass rmmod
	else
		xenshm_fail rmmod "$(lsmod | grep xenshm)"
		rc=1
	fi
	if [ -z "$(ls /dev/xenshm 2>/dev/null)" ] && ! grep -q xenshm /proc/interrupts; then
		xenshm_pass rmmod-clean "no devices, no IRQs left"
	else
		xenshm_fail rmmod-clean "left: $(ls /dev/xenshm 2>/dev/null | tr '\n' ' ')"
		rc=1
	fi
	# Back with every peer pinned to its configured domid.
	if xenshm_insmod "peers=$pins" && xenshm_wait_for 5 check_devices; then
		xenshm_pass reinsmod "peers=$pins"
	else
		xenshm_fail reinsmod "peers=$pins"
		rc=1
	fi
	/xenshm/xenshm-e2e after-reload --size "$mib" $chans || rc=1
fi

if kernel_clean; then
	xenshm_pass kernel-log "no warnings"
else
	dmesg | grep -E -A3 'WARNING: CPU: |BUG: |Oops|Call trace:|Internal error: ' | head -n 20 | cut -c1-100 |
		while IFS= read -r l; do xenshm_info "dmesg: $l"; done
	xenshm_fail kernel-log "kernel warnings"
	rc=1
fi
exit $rc
