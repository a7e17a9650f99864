// SPDX-License-Identifier: GPL-2.0-only
/*
 * Load-time self-check of the ring core, in kernel memory, compiled with the
 * very flags and compiler the module uses (a miscompiled or mis-flagged C++
 * object shows up here before any peer does).
 *
 * A 16 KiB vmalloc'd buffer is laid out as a Xen shared region (header page,
 * control page, two 4 KiB rings); both ends live in this one function:
 *   - region init/validate, slot claims, role pick, ring attach;
 *   - message mode: records of many lengths across several wraps (pad
 *     records), an empty ring (-EAGAIN), an oversized send (-EMSGSIZE), a
 *     too small receive buffer (-EMSGSIZE, message kept), a full ring;
 *   - stream mode: writes and reads across the wrap, byte for byte;
 *   - corruption: a producer index poked beyond the ring makes the consumer
 *     fail with -EIO, and the error stays (sticky) after the index is fixed.
 * Not covered here: concurrency, event-index notification, the chardev and
 * the transports (KUnit suites and the QEMU tests do those).
 *
 * This is the one place besides ringshim.c that calls xsr_*: it tests the
 * facade itself, with plain memcpy callbacks.
 *
 * Prints exactly one line: "selftest passed (N checks)" or
 * "selftest FAILED: <what>", and returns 0 or -EIO.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "uapi/xenshm.h"
#include "xenshm/xsr.h"
#include "xenshm/xsr_mem.h"
#include "xenshm_main.h"

#define ST_REGION_SIZE	XENSHM_MIN_REGION_SIZE	/* two 4 KiB rings */
#define ST_DATA_SIZE	4096u
#define ST_BUF_SIZE	4096u
#define ST_DOMID	0u	/* loopback: both ends are this domain */

struct st {
	u8 *base;		/* the region */
	u8 *out, *in;		/* scratch buffers, ST_BUF_SIZE each */
	struct xsr_region rg;
	struct xsr_ring tx0, rx0;	/* ring 0: slot 0 produces messages */
	struct xsr_ring tx1, rx1;	/* ring 1: slot 1 produces a stream */
	unsigned int checks;
	char why[160];
};

/* Count a check; on failure record why. Returns @cond. */
static __printf(3, 4) bool st_ok(struct st *st, bool cond, const char *fmt, ...)
{
	va_list ap;

	st->checks++;
	if (cond)
		return true;
	va_start(ap, fmt);
	vsnprintf(st->why, sizeof(st->why), fmt, ap);
	va_end(ap);
	return false;
}

static struct xenshm_ring_ctrl *st_ctrl(struct st *st, unsigned int ring)
{
	return (struct xenshm_ring_ctrl *)(st->base + (ring ? XENSHM_RING1_CTRL_OFF :
							      XENSHM_RING0_CTRL_OFF));
}

static void st_fill(u8 *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(seed + i * 7 + (i >> 8));
}

static int st_setup(struct st *st)
{
	const struct xenshm_region_header *hdr = (const void *)st->base;
	struct xsr_region check;
	struct xsr_slot_info info;
	u32 epoch0, epoch1;
	int ret;

	if (!st_ok(st, xsr_data_size_for(ST_REGION_SIZE) == ST_DATA_SIZE,
		   "data_size_for(%u) = %u", ST_REGION_SIZE,
		   xsr_data_size_for(ST_REGION_SIZE)))
		return -EIO;
	ret = xsr_region_init(&st->rg, st->base, ST_REGION_SIZE);
	if (!st_ok(st, ret == 0, "region_init returned %d", ret))
		return -EIO;
	if (!st_ok(st, READ_ONCE(hdr->magic) == XENSHM_MAGIC &&
		   READ_ONCE(hdr->data_size) == ST_DATA_SIZE,
		   "region header magic %#x data_size %u", READ_ONCE(hdr->magic),
		   READ_ONCE(hdr->data_size)))
		return -EIO;
	ret = xsr_region_validate(&check, st->base, ST_REGION_SIZE);
	if (!st_ok(st, ret == 0, "region_validate returned %d", ret))
		return -EIO;
	if (!st_ok(st, xsr_region_data_size(&check) == ST_DATA_SIZE,
		   "validated data_size %u", xsr_region_data_size(&check)))
		return -EIO;

	ret = xsr_slot_claim(&st->rg, 0, ST_DOMID, ST_DOMID,
			     XSR_SLOT_FLAG_TX_MESSAGE, &epoch0);
	if (!st_ok(st, ret == 0, "claim of slot 0 returned %d", ret))
		return -EIO;
	ret = xsr_slot_claim(&st->rg, 1, ST_DOMID, ST_DOMID, 0, &epoch1);
	if (!st_ok(st, ret == 1, "claim of slot 1 returned %d", ret))
		return -EIO;
	ret = xsr_slot_read(&st->rg, 1, &info);
	if (!st_ok(st, ret == 0 && info.state == XSR_SLOT_ATTACHED &&
		   info.domid == ST_DOMID && info.epoch == epoch1 && info.flags == 0,
		   "slot 1 read: ret %d state %u domid %u epoch %u/%u flags %#x",
		   ret, info.state, info.domid, info.epoch, epoch1, info.flags))
		return -EIO;
	ret = xsr_role_pick(XSR_ROLE_AUTO, 0, ST_DOMID, ST_DOMID);
	if (!st_ok(st, ret == XSR_ROLE_RECEIVER, "loopback role of slot 0: %d", ret))
		return -EIO;
	ret = xsr_role_pick(XSR_ROLE_AUTO, 1, ST_DOMID, ST_DOMID);
	if (!st_ok(st, ret == XSR_ROLE_SENDER, "loopback role of slot 1: %d", ret))
		return -EIO;

	ret = xsr_ring_attach(&st->tx0, &st->rg, 0, XSR_TX, XSR_MODE_MESSAGE);
	if (!st_ok(st, ret == 0, "attach tx0 returned %d", ret))
		return -EIO;
	ret = xsr_ring_attach(&st->rx0, &st->rg, 1, XSR_RX, XSR_MODE_MESSAGE);
	if (!st_ok(st, ret == 0, "attach rx0 returned %d", ret))
		return -EIO;
	ret = xsr_ring_attach(&st->tx1, &st->rg, 1, XSR_TX, XSR_MODE_STREAM);
	if (!st_ok(st, ret == 0, "attach tx1 returned %d", ret))
		return -EIO;
	ret = xsr_ring_attach(&st->rx1, &st->rg, 0, XSR_RX, XSR_MODE_STREAM);
	if (!st_ok(st, ret == 0, "attach rx1 returned %d", ret))
		return -EIO;
	if (!st_ok(st, xsr_ring_max_msg(&st->tx0) == ST_DATA_SIZE / 2 - 8,
		   "max_msg %u", xsr_ring_max_msg(&st->tx0)))
		return -EIO;
	return 0;
}

/* Messages of many lengths, so records and pads land at every alignment. */
static int st_messages(struct st *st)
{
	static const u32 lens[] = { 1, 7, 8, 9, 100, 1000, 2040, 1500, 999, 64,
				    2039, 513, 3, 1777, 2040, 2040 };
	const u32 max = ST_DATA_SIZE / 2 - 8;
	u32 total = 0, prod;
	long ret;
	int i, n;

	ret = xsr_recv(&st->rx0, st->in, ST_BUF_SIZE, xsr_copy_out_memcpy, NULL, 0);
	if (!st_ok(st, ret == XSR_EAGAIN, "recv on an empty ring returned %ld", ret))
		return -EIO;
	ret = xsr_send(&st->tx0, st->out, max + 1, xsr_copy_in_memcpy, NULL, 0);
	if (!st_ok(st, ret == XSR_EMSGSIZE, "send of max_msg + 1 returned %ld", ret))
		return -EIO;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		u32 len = lens[i];

		st_fill(st->out, len, i);
		ret = xsr_send(&st->tx0, st->out, len, xsr_copy_in_memcpy, NULL, 0);
		if (!st_ok(st, ret == len, "send #%d of %u bytes returned %ld", i, len, ret))
			return -EIO;
		ret = xsr_rx_next_len(&st->rx0);
		if (!st_ok(st, ret == len, "next_len #%d: %ld, want %u", i, ret, len))
			return -EIO;
		if (len > 1) {
			ret = xsr_recv(&st->rx0, st->in, len - 1,
				       xsr_copy_out_memcpy, NULL, 0);
			if (!st_ok(st, ret == XSR_EMSGSIZE,
				   "recv #%d into %u bytes returned %ld", i, len - 1, ret))
				return -EIO;
		}
		memset(st->in, 0, ST_BUF_SIZE);
		ret = xsr_recv(&st->rx0, st->in, ST_BUF_SIZE,
			       xsr_copy_out_memcpy, NULL, 0);
		if (!st_ok(st, ret == len, "recv #%d returned %ld, want %u", i, ret, len))
			return -EIO;
		if (!st_ok(st, !memcmp(st->in, st->out, len),
			   "message #%d (%u bytes) corrupted", i, len))
			return -EIO;
		total += len;
	}
	prod = READ_ONCE(st_ctrl(st, 0)->prod);
	if (!st_ok(st, prod > 2 * ST_DATA_SIZE && prod >= total,
		   "ring 0 did not wrap twice (prod %u)", prod))
		return -EIO;

	/*
	 * Fill the ring, then drain it: nothing lost, nothing reordered. A
	 * 1000-byte message takes a 1008-byte record; wherever the ring
	 * stands, 3 records plus at most one pad fit, 5 never do.
	 */
	for (n = 0; n < 8; n++) {
		st_fill(st->out, 1000, 100 + n);
		ret = xsr_send(&st->tx0, st->out, 1000, xsr_copy_in_memcpy, NULL, 0);
		if (ret == XSR_EAGAIN)
			break;
		if (!st_ok(st, ret == 1000, "send #%d into a filling ring returned %ld",
			   n, ret))
			return -EIO;
	}
	if (!st_ok(st, n == 3 || n == 4, "ring took %d 1000-byte messages", n))
		return -EIO;
	ret = xsr_tx_space(&st->tx0);
	if (!st_ok(st, ret >= 0 && ret < 1000, "full ring reports space %ld", ret))
		return -EIO;
	for (i = 0; i < n; i++) {
		ret = xsr_recv(&st->rx0, st->in, ST_BUF_SIZE,
			       xsr_copy_out_memcpy, NULL, 0);
		st_fill(st->out, 1000, 100 + i);
		if (!st_ok(st, ret == 1000 && !memcmp(st->in, st->out, 1000),
			   "drain #%d: recv returned %ld or wrong bytes", i, ret))
			return -EIO;
	}
	ret = xsr_recv(&st->rx0, st->in, ST_BUF_SIZE, xsr_copy_out_memcpy, NULL, 0);
	if (!st_ok(st, ret == XSR_EAGAIN, "recv after drain returned %ld", ret))
		return -EIO;
	return 0;
}

/* Stream: 3000-byte chunks, so the second one straddles the end. */
static int st_stream(struct st *st)
{
	const u32 chunk = 3000;
	u32 done, got;
	long ret;
	int round, tries;

	for (round = 0; round < 3; round++) {
		st_fill(st->out, chunk, 50 + round);
		for (done = 0, tries = 0; done < chunk && tries < 4; tries++) {
			ret = xsr_write(&st->tx1, st->out + done, chunk - done,
					xsr_copy_in_memcpy, NULL, 0);
			if (!st_ok(st, ret > 0, "stream write round %d returned %ld",
				   round, ret))
				return -EIO;
			done += ret;
		}
		if (!st_ok(st, done == chunk, "stream round %d wrote %u bytes", round, done))
			return -EIO;
		ret = xsr_rx_avail(&st->rx1);
		if (!st_ok(st, ret == chunk, "stream avail %ld, want %u", ret, chunk))
			return -EIO;

		memset(st->in, 0, ST_BUF_SIZE);
		for (got = 0, tries = 0; got < chunk && tries < 4; tries++) {
			ret = xsr_read(&st->rx1, st->in + got, ST_BUF_SIZE - got,
				       xsr_copy_out_memcpy, NULL, 0);
			if (!st_ok(st, ret > 0, "stream read round %d returned %ld",
				   round, ret))
				return -EIO;
			got += ret;
		}
		if (!st_ok(st, got == chunk && !memcmp(st->in, st->out, chunk),
			   "stream round %d: read %u bytes or wrong bytes", round, got))
			return -EIO;
	}
	ret = xsr_read(&st->rx1, st->in, ST_BUF_SIZE, xsr_copy_out_memcpy, NULL, 0);
	if (!st_ok(st, ret == XSR_EAGAIN, "read of an empty stream returned %ld", ret))
		return -EIO;
	if (!st_ok(st, READ_ONCE(st_ctrl(st, 1)->prod) == 3 * chunk,
		   "ring 1 prod %u, want %u", READ_ONCE(st_ctrl(st, 1)->prod), 3 * chunk))
		return -EIO;
	return 0;
}

/* A hostile producer index: -EIO, and it stays. */
static int st_corruption(struct st *st)
{
	struct xenshm_ring_ctrl *ctrl = st_ctrl(st, 0);
	u32 prod = READ_ONCE(ctrl->prod);
	long ret;

	WRITE_ONCE(ctrl->prod, prod + ST_DATA_SIZE + 8);
	ret = xsr_recv(&st->rx0, st->in, ST_BUF_SIZE, xsr_copy_out_memcpy, NULL, 0);
	if (!st_ok(st, ret == XSR_EIO, "recv with prod beyond the ring returned %ld", ret))
		return -EIO;
	if (!st_ok(st, xsr_ring_error(&st->rx0) == XSR_EIO, "ring error %d after corruption",
		   xsr_ring_error(&st->rx0)))
		return -EIO;
	WRITE_ONCE(ctrl->prod, prod);
	ret = xsr_recv(&st->rx0, st->in, ST_BUF_SIZE, xsr_copy_out_memcpy, NULL, 0);
	if (!st_ok(st, ret == XSR_EIO, "broken ring not sticky: recv returned %ld", ret))
		return -EIO;
	return 0;
}

static int st_teardown(struct st *st)
{
	struct xsr_slot_info info;
	int ret;

	xsr_slot_release(&st->rg, 0);
	xsr_slot_release(&st->rg, 1);
	ret = xsr_slot_read(&st->rg, 0, &info);
	if (!st_ok(st, ret == 0 && info.state == XSR_SLOT_FREE,
		   "slot 0 after release: ret %d state %u", ret, info.state))
		return -EIO;
	return 0;
}

int xenshm_selftest(void)
{
	struct st *st;
	int ret;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->base = vzalloc(ST_REGION_SIZE + 2 * ST_BUF_SIZE);
	if (!st->base) {
		kfree(st);
		return -ENOMEM;
	}
	st->out = st->base + ST_REGION_SIZE;
	st->in = st->out + ST_BUF_SIZE;

	ret = st_setup(st);
	if (!ret)
		ret = st_messages(st);
	if (!ret)
		ret = st_stream(st);
	if (!ret)
		ret = st_corruption(st);
	if (!ret)
		ret = st_teardown(st);

	if (ret)
		pr_err("selftest FAILED: %s\n", st->why);
	else
		pr_info("selftest passed (%u checks)\n", st->checks);

	vfree(st->base);
	kfree(st);
	return ret;
}
