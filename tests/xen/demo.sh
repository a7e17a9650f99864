# SPDX-License-Identifier: GPL-2.0-only
#
# Per-domain script of `make xen-demo` (scripts/xen/run.sh --init all=THIS).
# Loads xenshm.ko, shows the devices and the event IRQs, moves
# a line each way on every channel with the shell's echo and cat, then
# XENSHM_DEMO_MIB MiB each way on every channel of this domain (read/write,
# then mmap + eventfd, checksummed) with throughput, shows which event
# channel each connect used (static between the domUs: Xen runs its default
# XSM policy, SILO), and unloads the module.

mib=${XENSHM_DEMO_MIB:-32}
# One channel at a time, in the same global order in every domain (sorted by
# name), so each transfer has the machine to itself.
# Regions with the bare-metal domain (domU3, run.sh --baremetal) go to its
# services instead.
chans=$(for r in $XENSHM_REGIONS; do case "$r" in *:domu3:*) ;; *) echo "${r%%:*}" ;; esac
	done | sort | tr '\n' ' ')
bmchans=$(for r in $XENSHM_REGIONS; do case "$r" in *:domu3:*) echo "${r%%:*}" ;; esac
	done | tr '\n' ' ')

demo() { xenshm_info "demo $*"; }

demo "Linux $(uname -r), xenshm.ko built for $(xenshm_ko_release)"
if ! xenshm_insmod; then
	xenshm_fail insmod
	exit 1
fi
xenshm_pass insmod
dmesg | grep 'xenshm: xen:' | sed 's/^\[[^]]*\] //' | cut -c1-90 |
	while IFS= read -r l; do demo "kernel: $l"; done
xenshm_wait_for 5 test -e "/dev/xenshm/${chans%% *}"
demo "devices: $(cd /dev/xenshm && echo *)"
# Plain shell tools first: echo on one side, cat on the other, no ioctl.
xenshm_echo_cat demo $chans
/xenshm/xenshm-e2e demo --serial --size "$mib" $chans
rc=$?
# The bare-metal peer: its echo service (Dom0) and its producer (domU1).
for c in $bmchans; do
	case "$c" in
	xenshm-0-*) out=$(/xenshm/xenshm-bmpeer echo "$c" message 1048576 bm-echo@"${c#xenshm-}") ;;
	*) out=$(/xenshm/xenshm-bmpeer consume "$c" 4194304 bm-consume@"${c#xenshm-}") ;;
	esac || rc=1
	printf '%s\n' "$out"
	demo "$c with bare-metal domU3: $(echo "$out" | sed 's/^XENSHM-RESULT [^ ]* [^ ]* //; s/, idle polls.*//')"
done
dmesg | grep ': connected to dom' | sed 's/^\[[^]]*\] xenshm: //; s/, tx .*//' | sort -u |
	cut -c1-90 | while IFS= read -r l; do demo "kernel: $l)"; done
if rmmod xenshm; then
	demo "rmmod xenshm: clean shutdown"
	xenshm_pass rmmod
else
	xenshm_fail rmmod
	rc=1
fi
exit $rc
