# SPDX-License-Identifier: GPL-2.0-only
# Harness self-test: every domain prints many markers at once, so Dom0's lines
# and Xen's (domU) lines interleave on the serial port; none may be lost.
i=0
while [ $i -lt "${XENSHM_FLOOD:-300}" ]; do
	xenshm_pass "flood-$i" "$XENSHM_DOM line $i of a burst, padded to look like a real result detail"
	i=$((i + 1))
done
