#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Smoke test run inside the guest by /init (scripts/mkinitramfs.sh): load
# xenshm.ko, check the self-check line and the module's sysfs state against
# what modinfo said on the host (/etc/xenshm-expect), unload, reload with
# selftest=0, unload. Exit status 0 = pass; the first failure is printed.
#
# /etc/xenshm-expect holds shell assignments written by mk/qemu.mk:
#   release=... (the module's vermagic release) version=... srcversion=...
set -u

ko=/lib/xenshm.ko
m=/sys/module/xenshm
fail() { echo "smoke: FAIL: $*"; exit 1; }
ok() { echo "smoke: ok: $*"; }

. /etc/xenshm-expect

# The matrix is only real if each cell boots the kernel it built for.
[ "$(uname -r)" = "$release" ] ||
	fail "guest runs $(uname -r), the module was built for $release"
ok "guest kernel $release"

# Not on Xen and no loopback pairs asked for: nothing to offer, so the load
# must fail with a message that says how to get a channel. (busybox insmod
# may try a load twice; each step clears the log first and counts its own.)
dmesg -c >/dev/null
if insmod "$ko" 2>/dev/null; then
	fail "insmod without loopback= succeeded outside Xen"
fi
[ ! -d $m ] || fail "$m exists after a refused load"
dmesg | grep -q 'xenshm: no channel to offer: .*load with loopback=N' ||
	fail "no clear message for a load with nothing to offer"
ok "load outside Xen without loopback= refused with a clear message"

dmesg -c >/dev/null
insmod "$ko" loopback=1 || fail "insmod loopback=1 returned $?"
n=$(dmesg | grep -c 'xenshm: selftest ')
[ "$n" -eq 1 ] || fail "$n selftest lines, want exactly 1"
[ -c /dev/xenshm/loop0-a ] && [ -c /dev/xenshm/loop0-b ] || fail "no /dev/xenshm/loop0-{a,b}"
dmesg | grep -q 'xenshm: selftest passed ([1-9][0-9]* checks)$' ||
	fail "selftest: $(dmesg | grep 'xenshm: selftest ')"
ok "$(dmesg | grep -o 'xenshm: selftest passed.*')"

[ -d $m ] || fail "no $m"
[ "$(cat $m/initstate)" = live ] || fail "initstate $(cat $m/initstate)"
[ "$(cat $m/version)" = "$version" ] || fail "version $(cat $m/version), modinfo says $version"
[ "$(cat $m/srcversion)" = "$srcversion" ] ||
	fail "srcversion $(cat $m/srcversion), modinfo says $srcversion"
[ "$(cat $m/parameters/selftest)" = Y ] || fail "parameter selftest $(cat $m/parameters/selftest)"
grep -q O $m/taint || fail "taint '$(cat $m/taint)' lacks O (out-of-tree)"
[ "$(cat $m/refcnt)" = 0 ] || fail "refcnt $(cat $m/refcnt)"
grep -q '^xenshm ' /proc/modules || fail "not in /proc/modules"
ok "sysfs: version $version, srcversion $srcversion, taint $(cat $m/taint)"

rmmod xenshm || fail "rmmod returned $?"
[ ! -d $m ] || fail "$m still there after rmmod"
dmesg | grep -q 'xenshm: unloaded' || fail "no unload message"
ok "rmmod"

dmesg -c >/dev/null
insmod "$ko" selftest=0 loopback=1 || fail "insmod selftest=0 returned $?"
[ "$(cat $m/parameters/selftest)" = N ] || fail "parameter selftest not N"
[ "$(dmesg | grep -c 'xenshm: selftest ')" -eq 0 ] || fail "selftest ran with selftest=0"
rmmod xenshm || fail "second rmmod returned $?"
ok "reload with selftest=0, rmmod"
echo "smoke: PASS"
