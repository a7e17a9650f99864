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
chans=$(for r in $XENSHM_REGIONS; do echo "${r%%:*}"; done | sort | tr '\n' ' ')

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
