#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The packaged udev rule under Debian's own udevd, in a guest booted by
# tests/install/run.sh (make test-install). The initramfs carries, from the
# Debian root the packages were installed in: udevadm (which is also
# systemd-udevd) and its libraries, /usr/lib/udev/rules.d (Debian's rules and
# the package's 60-xenshm.rules), /etc/passwd and /etc/group (group xenshm
# as the package's sysusers/postinst made it, plus two test users: "member"
# in group xenshm, "outsider" not), and the DKMS-built xenshm.ko.
# Exit status 0 = pass; the first failure is printed.
set -u

fail() { echo "udev: FAIL: $*"; exit 1; }
ok() { echo "udev: ok: $*"; }
mode() { stat -c '%a %U:%G' "$1"; }
settle() { /usr/bin/udevadm settle --timeout=30 || fail "udevadm settle: exit $?"; }

mkdir -p /run/udev
# udevadm runs as the daemon when called by that name (Debian ships the link).
ln -s /usr/bin/udevadm /tmp/systemd-udevd
/tmp/systemd-udevd --daemon || fail "systemd-udevd --daemon: exit $?"
ok "systemd-udevd $(/usr/bin/udevadm --version) running"

insmod /lib/xenshm.ko loopback=1 || fail "insmod loopback=1: exit $?"
settle
for n in /dev/xenshm/loop0-a /dev/xenshm/loop0-b; do
	[ -c "$n" ] || fail "no $n"
	[ "$(mode "$n")" = "660 root:xenshm" ] || fail "$n is $(mode "$n"), want 660 root:xenshm"
done
ok "60-xenshm.rules applied: /dev/xenshm/loop0-{a,b} are 660 root:xenshm"

# What the rule is for: a member of group xenshm uses a channel without root
# (implicit connect: echo into one end, cat the other); anybody else cannot.
su -s /bin/sh member -c 'echo "hello from member" > /dev/xenshm/loop0-a' &
writer=$!
got=$(su -s /bin/sh member -c 'timeout 20 cat /dev/xenshm/loop0-b' 2>&1)
wait $writer || fail "member: echo > /dev/xenshm/loop0-a: exit $?"
[ "$got" = "hello from member" ] || fail "member: cat /dev/xenshm/loop0-b gave '$got'"
ok "user member (group xenshm): echo > loop0-a, cat loop0-b -> '$got'"
if out=$(su -s /bin/sh outsider -c 'cat /dev/xenshm/loop0-b' 2>&1); then
	fail "user outsider opened /dev/xenshm/loop0-b"
fi
case "$out" in
*"Permission denied"*) ok "user outsider: $out" ;;
*) fail "user outsider: '$out', want Permission denied" ;;
esac

# The documented opt-out (packaging/udev/60-xenshm.rules): a file of the
# same name in /etc/udev/rules.d keeps the nodes root-only.
rmmod xenshm || fail "rmmod: exit $?"
settle
mkdir -p /etc/udev/rules.d
: >/etc/udev/rules.d/60-xenshm.rules
/usr/bin/udevadm control --reload || fail "udevadm control --reload: exit $?"
insmod /lib/xenshm.ko loopback=1 || fail "insmod loopback=1 (again): exit $?"
settle
[ "$(mode /dev/xenshm/loop0-a)" = "600 root:root" ] ||
	fail "with the override, loop0-a is $(mode /dev/xenshm/loop0-a), want 600 root:root"
ok "an empty /etc/udev/rules.d/60-xenshm.rules keeps the nodes 600 root:root"
rmmod xenshm || fail "rmmod: exit $?"
echo "udev: PASS"
