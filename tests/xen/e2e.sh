# SPDX-License-Identifier: GPL-2.0-only
#
# Per-domain test script of `make test-xen` (scripts/xen/run.sh --init all=THIS).
# Sourced by the harness's /init in a subshell with /xenshm/lib.sh and
# /xenshm/env loaded (XENSHM_DOM, XENSHM_DOMID, XENSHM_REGIONS, ...).
#
# Every domain: insmod xenshm.ko, check one /dev/xenshm/<xen,id> per region,
# echo a line each way through every channel with the shell's echo and cat
# (implicit connect), talk to the bare-metal domU3 if there is one, then run
# xenshm-e2e on all its channels at once (see tests/xen/xenshm-e2e.c).
# Each domain checks from its kernel log that every channel connected with
# the event channel it was configured with: static for a region with a
# static event channel (XENSHM_REGIONS' EVTCHN), the runtime recipe else.
# The domain XENSHM_E2E_RELOAD_DOM (default 1) then unloads the module, checks
# the devices went away, loads it again with every peer pinned by the peers=
# parameter and every static port named by evtchn=, and moves data again on
# each channel; its peers meanwhile see the hang-up and reconnect.
# With XENSHM_E2E_HIJACK=1 (default) Dom0 then connects xenshm-0-1 while
# domU1 plays a liar there (tests/xen/xenshm-liar.c, claiming to be domU2):
# Dom0 must refuse with EACCES and a clear log line while xenshm-0-2 moves
# data with the real domU2, then domU1's real module connects xenshm-0-1
# and moves data. Every domain ends by checking its kernel
# log for warnings.
#
# Environment (run.sh --env): XENSHM_E2E_MIB (default 64) MiB each way per
# path; XENSHM_E2E_RELOAD_DOM (default 1); XENSHM_E2E_HIJACK (default 1).

mib=${XENSHM_E2E_MIB:-64}
reload_dom=${XENSHM_E2E_RELOAD_DOM:-1}
hijack=${XENSHM_E2E_HIJACK:-1}
chans=
bmchans=
bmstatic=
pins=
evtchns=
modes=
for r in $XENSHM_REGIONS; do
	IFS=: read -r id _ga _sz peer _role evtchn <<EOT
$r
EOT
	# The bare-metal domain (run.sh --baremetal) runs its own services.
	if [ "$peer" = domu3 ]; then
		bmchans="$bmchans $id"
		[ "${evtchn:-0}" = 0 ] || bmstatic=1
	else
		chans="$chans $id"
	fi
	case "$peer" in
	dom0) pd=0 ;;
	domu*) pd=${peer#domu} ;;
	*) pd= ;;
	esac
	[ -n "$pd" ] && pins="$pins${pins:+,}$id:$pd"
	if [ "${evtchn:-0}" != 0 ]; then
		evtchns="$evtchns${evtchns:+,}$id:$evtchn"
		modes="$modes $id:static:$evtchn"
	else
		modes="$modes $id:runtime:"
	fi
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

# Plain shell tools, no ioctl: echo on one side, cat on the other.
xenshm_echo_cat echo-cat $chans

# The bare-metal peer (peer/baremetal/service.h): Dom0 talks to its echo
# service in both modes, domU1 consumes its producer; each reloads its
# module in between, and the peer must take the next connection.
bm_round() {
	for c in $bmchans; do
		case "$c" in
		xenshm-0-*)
			/xenshm/xenshm-bmpeer echo "$c" message 1048576 "bm-echo-msg$1@${c#xenshm-}" || rc=1
			/xenshm/xenshm-bmpeer echo "$c" stream 1048576 "bm-echo-stream$1@${c#xenshm-}" || rc=1 ;;
		*)
			/xenshm/xenshm-bmpeer consume "$c" 4194304 "bm-consume$1@${c#xenshm-}" || rc=1 ;;
		esac
	done
}
if [ -n "$bmchans" ]; then
	bm_round ""
	if [ "$XENSHM_KSERIES" = 6.1 ] && [ -n "$bmstatic" ]; then
		# A static port does not survive a reload on 6.1 (docs/xen-setup.md).
		xenshm_skip bm-reload "Linux 6.1 closes static ports on unload"
	elif rmmod xenshm && xenshm_insmod && xenshm_wait_for 5 check_devices; then
		xenshm_pass bm-reload "module reloaded mid-life of the bare-metal peer"
	else
		xenshm_fail bm-reload "rmmod/insmod"
		rc=1
	fi
	bm_round "-again"
fi

/xenshm/xenshm-e2e run --size "$mib" --reload-dom "$reload_dom" --pin-test $chans || rc=1

# Which event channel each channel connected with (rendezvous.c logs it):
# static for a region with a static channel, each on a port of its own
# (which one is the discovery's choice until evtchn= names it, below).
bad=
seen=
used=
for m in $modes; do
	IFS=: read -r id want port <<EOT
$m
EOT
	# The last connect: xenshm-e2e's, with every channel connecting at once
	# (the echo/cat before it connected one channel at a time, and a port
	# a closed channel freed may serve the next region).
	line=$(dmesg | grep "xenshm: $id: connected to dom" | tail -n 1)
	case "$line" in
	*"($want ports "*)
		got=$(echo "$line" | sed -n 's/.*(static ports \([0-9]*\)\/.*/\1/p')
		case " $used " in *" $got "*) [ -n "$got" ] && bad="$bad $id(port $got twice)" ;; esac
		used="$used $got"
		seen="$seen $id=$want${got:+($got)}" ;;
	*) bad="$bad $id(want $want: ${line:-never connected})" ;;
	esac
	# From finding the peer to CONNECTED, every connect of this channel.
	us=$(dmesg | sed -n "s/.*xenshm: $id: connected to dom.* in \([0-9]*\) us\$/\1/p" | tr '\n' ' ')
	xenshm_info "connect-time $id $want us: $us"
done
if [ -z "$bad" ]; then
	xenshm_pass evtchn-modes "$seen"
else
	xenshm_fail evtchn-modes "$bad"
	dmesg | grep 'connected to dom' | cut -c1-100 | while IFS= read -r l; do xenshm_info "dmesg: $l"; done
	rc=1
fi

# Every end is closed now: a runtime port is gone with its channel, a static
# one stays bound and must read "xenshm:static<port>", not the name of the
# channel that used it last (which may be on another port by now).
names=$(sed -n 's/.* \(xenshm[-:][^ ]*\)$/\1/p' /proc/interrupts | tr '\n' ' ')
owned=$(for n in $names; do case "$n" in xenshm:static[0-9]*) ;; *) echo "$n" ;; esac; done | tr '\n' ' ')
if [ -z "$owned" ]; then
	xenshm_pass irq-names-idle "${names:-no xenshm IRQ}"
else
	xenshm_fail irq-names-idle "every end closed, yet IRQs named after channels: $owned"
	rc=1
fi

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
	# Back with every peer pinned and every static port named.
	args="peers=$pins${evtchns:+ evtchn=$evtchns}"
	if xenshm_insmod $args && xenshm_wait_for 5 check_devices; then
		xenshm_pass reinsmod "$args"
	else
		xenshm_fail reinsmod "$args"
		rc=1
	fi
	/xenshm/xenshm-e2e after-reload --size "$mib" $chans || rc=1
	# evtchn= named each static port: the last connect used exactly it.
	bad=
	for m in $modes; do
		IFS=: read -r id want port <<EOT
$m
EOT
		[ "$want" = static ] || continue
		line=$(dmesg | grep "xenshm: $id: connected to dom" | tail -n 1)
		case "$line" in
		*"(static ports $port/"*) ;;
		*) bad="$bad $id(want static port $port: ${line:-never connected})" ;;
		esac
	done
	if [ -z "$bad" ]; then
		xenshm_pass evtchn-named "$evtchns"
	else
		xenshm_fail evtchn-named "$bad"
		rc=1
	fi
fi

# The hijack: domU1 claims to be domU2 in xenshm-0-1; Dom0 must refuse,
# while its channel to the real domU2 (xenshm-0-2) moves data meanwhile.
if [ "$hijack" = 1 ]; then
	case "$XENSHM_DOMID" in
	0)
		/xenshm/xenshm-e2e after-reload --size 16 xenshm-0-2 &
		other=$!
		/xenshm/xenshm-e2e refuse --size 16 xenshm-0-1 || rc=1
		wait "$other" || rc=1
		line=$(dmesg | grep 'xenshm-0-1: the peer says it is dom2' | head -n 1)
		if [ -n "$line" ]; then
			xenshm_pass hijack-log "$(echo "$line" | cut -c1-90)"
		else
			xenshm_fail hijack-log "no refusal line in dmesg"
			rc=1
		fi ;;
	1)
		set -- $(xenshm_region_of dom0)
		/xenshm/xenshm-liar "$2" "$3" --as 2 --role sender --wait-s 90 || rc=1
		/xenshm/xenshm-e2e after-reload --size 16 xenshm-0-1 || rc=1 ;;
	2)
		/xenshm/xenshm-e2e after-reload --size 16 xenshm-0-2 || rc=1 ;;
	esac
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
