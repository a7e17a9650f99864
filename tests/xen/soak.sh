# SPDX-License-Identifier: GPL-2.0-only
#
# Per-domain script of `make soak-xen` (scripts/xen/run.sh --init all=THIS):
#   1. volume: every channel, message mode both ways at once, random lengths,
#      every message checked, XENSHM_SOAK_MIB MiB each way (default 1024);
#   2. reloads: domU1 reloads xenshm XENSHM_SOAK_RELOADS times (default 100),
#      each time in the middle of its peers' streams (Dom0 on xenshm-0-1,
#      domU2 on xenshm-1-2 and xenshm-1-2b write messages until the hang-up,
#      domU1 checks what arrives for 0.5 s and leaves); every delivered
#      message must be whole and in order, every round must reconnect;
#   3. a checksummed 16 MiB transfer each way on every channel after the last
#      reload, and a clean kernel log everywhere.

mib=${XENSHM_SOAK_MIB:-1024}
reloads=${XENSHM_SOAK_RELOADS:-100}
chans=
for r in $XENSHM_REGIONS; do chans="$chans ${r%%:*}"; done
rc=0
if xenshm_insmod; then
	xenshm_pass insmod "on $(uname -r)"
else
	xenshm_fail insmod
	exit 1
fi
xenshm_wait_for 5 test -e /dev/xenshm/xenshm-0-1 -o -e /dev/xenshm/xenshm-0-2
t0=$(cut -d' ' -f1 /proc/uptime)
/xenshm/xenshm-e2e soak --size "$mib" $chans || rc=1
xenshm_info "soak volume: $mib MiB each way per channel in $(echo "$(cut -d' ' -f1 /proc/uptime) - $t0" | bc) s"

case "$XENSHM_DOMID" in
1)
	fails=0
	i=1
	while [ "$i" -le "$reloads" ]; do
		/xenshm/xenshm-e2e soak-reloader --size "$i" $chans || fails=$((fails + 1))
		if ! rmmod xenshm || ! xenshm_insmod > /dev/null ||
		   ! xenshm_wait_for 5 test -e /dev/xenshm/xenshm-0-1; then
			fails=$((fails + 1))
			xenshm_info "reload $i failed"
			break
		fi
		i=$((i + 1))
	done
	if [ "$fails" = 0 ]; then
		xenshm_pass soak-reloads "$reloads reloads mid-stream"
	else
		xenshm_fail soak-reloads "$fails of $reloads cycles failed"
		rc=1
	fi ;;
*)
	pids=
	for r in $XENSHM_REGIONS; do
		IFS=: read -r c _ga _sz peer _rest <<EOT
$r
EOT
		[ "$peer" = domu1 ] || continue
		/xenshm/xenshm-e2e soak-peer --size "$reloads" "$c" &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || rc=1; done ;;
esac

/xenshm/xenshm-e2e after-reload --size 64 $chans || rc=1
if dmesg | grep -E -q 'WARNING: CPU: |BUG: |Oops|Call trace:|Internal error: '; then
	xenshm_fail kernel-log "kernel warnings"
	rc=1
else
	xenshm_pass kernel-log "no warnings"
fi
exit $rc
