#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The arm64 xenshm-tools package's programs on arm64, in a guest booted by
# mk/deb.mk's test-deb-arm64: Debian's 6.1 arm64 kernel, the tree's module
# for it, /usr/bin/xenshm-{cat,info,bench} as dpkg-deb extracted them from
# xenshm-tools_*_arm64.deb, and the runtime it depends on: Debian's arm64
# libc6, libstdc++6, libgcc-s1 (installed on the host as multiarch packages).
# Exit status 0 = pass; the first failure is printed.
set -u

fail() { echo "arm64: FAIL: $*"; exit 1; }
ok() { echo "arm64: ok: $*"; }

[ "$(uname -m)" = aarch64 ] || fail "guest is $(uname -m)"
insmod /lib/xenshm.ko loopback=1 || fail "insmod loopback=1: exit $?"

out=$(/usr/bin/xenshm-info loop0-a 2>&1) || fail "xenshm-info loop0-a: exit $?: $out"
ok "xenshm-info loop0-a: $(echo "$out" | head -n 1)"

# A file through the pair, each mode, with the packaged xenshm-cat.
head -c 1048576 /dev/urandom >/tmp/in || fail "no input file"
for mode in stream message; do
	f=
	[ $mode = stream ] || f=-m
	rm -f /tmp/out
	/usr/bin/xenshm-cat $f -r loop0-b >/tmp/out &
	reader=$!
	/usr/bin/xenshm-cat $f -w loop0-a </tmp/in || fail "xenshm-cat $f -w loop0-a: exit $?"
	wait $reader || fail "xenshm-cat $f -r loop0-b: exit $?"
	cmp /tmp/in /tmp/out || fail "xenshm-cat, $mode mode: the copy differs"
	ok "xenshm-cat: 1 MiB from loop0-a to loop0-b in $mode mode, identical"
done

# The C++ program (libstdc++): every path, every byte checked.
rc=0
out=$(/usr/bin/xenshm-bench --scale 0.02 --sizes 64,65536 2>&1) || rc=$?
[ $rc = 0 ] || { echo "$out"; fail "xenshm-bench: exit $rc"; }
ok "xenshm-bench: $(echo "$out" | grep -c .) lines, exit 0; $(echo "$out" | tail -n 1)"

rmmod xenshm || fail "rmmod: exit $?"
echo "arm64: PASS"
