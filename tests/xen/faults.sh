# SPDX-License-Identifier: GPL-2.0-only
#
# Per-domain test script of `make test-xen-peer-faults` (scripts/xen/run.sh
# --init all=THIS --expect-panic domu2): a peer scribbles over the shared
# control words, then two domUs die without a word; the other side must
# notice each within a bound, and a channel must recover after the scribbler.
#
#   1. Scribbler: domU2 (connected on xenshm-0-2 through its module) writes
#      garbage through /dev/mem over its own slot state and both rings'
#      indices and event words while Dom0 writes and reads: Dom0 must see
#      EIO or POLLERR within 3 s (scribble-eio), while xenshm-0-1 moves
#      checksummed data with domU1 meanwhile. Then both close (RESET) and
#      reconnect xenshm-0-2 and move checksummed data again.
#   2. domU2 panics (sysrq 'c') while Dom0 is blocked in read() on xenshm-0-2
#      and domU1 is writing as fast as domU2 reads on xenshm-1-2: read() must
#      return 0 (EOF) and the writer must see POLLHUP or ECONNRESET.
#   3. domU1 powers off (reboot(2), no rmmod) while Dom0 is blocked in read()
#      on xenshm-0-1: read() must return 0. With the bare-metal domU3 booted
#      (run.sh --baremetal ... --baremetal-args peerdeath=1), domU1 is also
#      connected to its producer on xenshm-1-3 when it dies: the peer
#      library must call domU1 silent (domu3's producer-peer-silent).
#   4. Then the bare-metal domain hangs ("hang=" bootarg: its main loop stops
#      after 1 MiB of an echo session with Dom0; IRQs still come, nothing
#      beats or answers): Dom0's echo on xenshm-0-3 must see the hang-up
#      within 3 s of the last echo (bm-hang@0-3).
# The dying domains keep their files open, so their slots stay CONNECTED and
# no event comes: only the heartbeat tells. Each verdict carries the measured
# detection time (from the other side's last words, "SCRIBBLE" or "DYING",
# to the verdict). A dying domain prints DONE before it dies (its killer runs
# in the background).

rc=0
if xenshm_insmod; then
	xenshm_pass insmod "on $(uname -r)"
else
	xenshm_fail insmod "insmod failed"
	exit 1
fi
case "$XENSHM_DOMID" in
0)
	/xenshm/xenshm-e2e after-reload --size 16 xenshm-0-1 &
	other=$!
	/xenshm/xenshm-death victim xenshm-0-2 || rc=1
	# The scribbler goes on for 2 s: reconnect once it has stopped and left.
	sleep 3
	/xenshm/xenshm-e2e after-reload --size 16 xenshm-0-2 || rc=1
	wait "$other" || rc=1
	/xenshm/xenshm-death read xenshm-0-2 || rc=1
	/xenshm/xenshm-death read xenshm-0-1 || rc=1
	case " $XENSHM_PEERS " in
	*" domu3 "*) /xenshm/xenshm-bmpeer survive xenshm-0-3 bm-hang@0-3 || rc=1 ;;
	esac
	dmesg | grep -E 'silent for|corrupt' | cut -c1-100 | while IFS= read -r l; do xenshm_info "dmesg: $l"; done
	if dmesg | grep -E -q 'WARNING: CPU: |BUG: |Oops|Call trace:|Internal error: '; then
		xenshm_fail kernel-log "kernel warnings"
		rc=1
	else
		xenshm_pass kernel-log "no warnings"
	fi ;;
1)
	/xenshm/xenshm-e2e after-reload --size 16 xenshm-0-1 || rc=1
	/xenshm/xenshm-death write xenshm-1-2 || rc=1
	bm=
	case " $XENSHM_PEERS " in *" domu3 "*) bm=xenshm-1-3 ;; esac
	/xenshm/xenshm-death die --how poweroff --after-ms 1000 xenshm-0-1 $bm & ;;
2)
	set -- $(xenshm_region_of dom0)
	/xenshm/xenshm-death scribble --addr "$2" xenshm-0-2 || rc=1
	/xenshm/xenshm-e2e after-reload --size 16 xenshm-0-2 || rc=1
	/xenshm/xenshm-death die --how panic --after-ms 2000 xenshm-0-2 xenshm-1-2 & ;;
esac
exit $rc
