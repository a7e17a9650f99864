// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringshim: the one C file that calls the ring core (xenshm/xsr.h).
 *
 * The core copies payload through callbacks; here they move bytes between
 * shared memory and an iov_iter (copy_from_iter() / copy_to_iter()), so the
 * same data path serves read()/write(), readv()/writev(), io_uring and
 * in-kernel callers (kernel_read()/kernel_write(), KUnit).  A short copy (a
 * bad user buffer) becomes -EFAULT inside the core, which then commits
 * (message mode) or consumes nothing, or returns the bytes already moved
 * (stream mode); the iterator is then wound back to exactly the bytes the
 * core reports.  The data path makes these calls with page faults disabled
 * (datapath.c), so a user page that is not there is a short copy here, never
 * a sleep under the ring locks.
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/uio.h>

#include "uapi/xenshm.h"
#include "ringshim.h"

/*
 * One copy through an iterator.  The core passes each callback "the
 * caller's pointer plus the offset reached", in ascending order without
 * gaps.  The caller's pointer is only a cookie here (the address of this
 * struct: never dereferenced), which lets the callbacks check that order
 * before they take the next bytes of the iterator.
 */
struct rs_io {
	struct iov_iter *iter;
	size_t off;		/* bytes the callbacks moved so far */
};

static bool rs_io_in_order(struct rs_io *io, const void *ptr)
{
	return !WARN_ON_ONCE((uintptr_t)ptr - (uintptr_t)io != io->off);
}

static int rs_copy_in(void *ctx, void *shm_dst, const void *src, size_t len)
{
	struct rs_io *io = ctx;
	size_t n;

	if (!rs_io_in_order(io, src))
		return -EFAULT;
	n = copy_from_iter(shm_dst, len, io->iter);
	io->off += n;
	return n == len ? 0 : -EFAULT;
}

static int rs_copy_out(void *ctx, void *dst, const void *shm_src, size_t len)
{
	struct rs_io *io = ctx;
	size_t n;

	if (!rs_io_in_order(io, dst))
		return -EFAULT;
	n = copy_to_iter(shm_src, len, io->iter);
	io->off += n;
	return n == len ? 0 : -EFAULT;
}

/*
 * After a core call: leave the iterator advanced by exactly the bytes the
 * core committed (@ret > 0), or not at all (@ret <= 0).  A failed copy may
 * have taken some bytes of the iterator that the core then dropped.
 */
static ssize_t rs_io_settle(struct rs_io *io, ssize_t ret)
{
	size_t keep = ret > 0 ? ret : 0;

	if (WARN_ON_ONCE(io->off < keep))
		return -EIO;
	if (io->off > keep)
		iov_iter_revert(io->iter, io->off - keep);
	return ret;
}

u32 xenshm_rs_data_size_for(u64 size)
{
	return xsr_data_size_for(size);
}

u32 xenshm_rs_max_msg_for(u32 data_size)
{
	return data_size ? xsr_max_msg_for(data_size) : 0;
}

int xenshm_rs_region_open(struct xenshm_rs *rs, void *base, u64 size)
{
	int ret;

	ret = xsr_region_init(&rs->rg, base, size);
	if (ret)
		return ret;
	rs->data_size = xsr_region_data_size(&rs->rg);
	return 0;
}

int xenshm_rs_claim(struct xenshm_rs *rs, int want_slot, u32 domid,
		    u32 peer_domid, u32 slot_flags, u32 *epoch)
{
	int slot;

	slot = xsr_slot_claim(&rs->rg, want_slot, domid, peer_domid,
			      slot_flags, epoch);
	if (slot >= 0)
		rs->slot = slot;
	return slot;
}

int xenshm_rs_publish(struct xenshm_rs *rs, u32 state, u32 port)
{
	if (rs->slot < 0)
		return -EINVAL;
	return xsr_slot_set_state(&rs->rg, rs->slot, state, port);
}

int xenshm_rs_set_flags(struct xenshm_rs *rs, u32 flags)
{
	if (rs->slot < 0)
		return -EINVAL;
	return xsr_slot_set_flags(&rs->rg, rs->slot, flags);
}

void xenshm_rs_release(struct xenshm_rs *rs)
{
	if (rs->slot < 0)
		return;
	xsr_slot_release(&rs->rg, rs->slot);
	rs->slot = -1;
}

int xenshm_rs_peer_read(struct xenshm_rs *rs, struct xenshm_rs_peer *peer)
{
	struct xsr_slot_info info;
	int ret;

	if (rs->slot < 0)
		return -EINVAL;
	ret = xsr_slot_read(&rs->rg, 1 - rs->slot, &info);
	if (ret)
		return ret;
	peer->state = info.state;
	peer->domid = info.domid;
	peer->epoch = info.epoch;
	peer->port = info.port;
	peer->flags = info.flags;
	return 0;
}

void xenshm_rs_heartbeat(struct xenshm_rs *rs)
{
	if (rs->slot >= 0)
		xsr_slot_heartbeat(&rs->rg, rs->slot);
}

void xenshm_rs_set_heartbeat_ms(struct xenshm_rs *rs, u32 ms)
{
	if (rs->slot >= 0)
		xsr_slot_set_heartbeat_ms(&rs->rg, rs->slot, ms);
}

void xenshm_rs_live_start(struct xenshm_rs *rs, u64 now_ms)
{
	if (rs->slot >= 0)
		xsr_liveness_start(&rs->live, &rs->rg, rs->slot, now_ms);
}

u64 xenshm_rs_live_check(struct xenshm_rs *rs, u64 now_ms, u32 own_limit_ms,
			 u32 late_ms)
{
	if (rs->slot < 0)
		return 0;
	return xsr_liveness_check(&rs->live, &rs->rg, rs->slot, now_ms,
				  own_limit_ms, late_ms);
}

int xenshm_rs_peer_check(struct xenshm_rs *rs, u32 epoch)
{
	if (rs->slot < 0)
		return -ECONNRESET;
	return xsr_peer_check(&rs->rg, rs->slot, epoch);
}

int xenshm_rs_role_pick(u32 role, unsigned int slot, u32 my_domid,
			u32 peer_domid)
{
	return xsr_role_pick(role, slot, my_domid, peer_domid);
}

int xenshm_rs_attach_tx(struct xenshm_rs *rs, u32 mode)
{
	int ret;

	if (rs->slot < 0)
		return -EINVAL;
	ret = xsr_ring_attach(&rs->tx, &rs->rg, rs->slot, XSR_TX, mode);
	if (!ret)	/* after the resync: joins what attach published */
		ret = xsr_ring_join(&rs->tx_map, &rs->rg, rs->slot, XSR_TX,
				    mode);
	if (ret)
		return ret;
	rs->tx_mode = mode;
	return 0;
}

int xenshm_rs_attach_rx(struct xenshm_rs *rs, u32 mode)
{
	int ret;

	if (rs->slot < 0)
		return -EINVAL;
	ret = xsr_ring_attach(&rs->rx, &rs->rg, rs->slot, XSR_RX, mode);
	if (!ret)	/* after the resync, as above */
		ret = xsr_ring_join(&rs->rx_map, &rs->rg, rs->slot, XSR_RX,
				    mode);
	if (ret)
		return ret;
	rs->rx_mode = mode;
	return 0;
}

u32 xenshm_rs_max_msg(struct xenshm_rs *rs)
{
	return xsr_ring_max_msg(&rs->tx);
}

ssize_t xenshm_rs_write(struct xenshm_rs *rs, struct iov_iter *from)
{
	struct rs_io io = { .iter = from };
	size_t len = iov_iter_count(from);
	ssize_t ret;

	if (rs->tx_mode == XENSHM_MODE_MESSAGE)
		ret = xsr_send(&rs->tx, &io, len, rs_copy_in, &io, 0);
	else
		ret = xsr_write(&rs->tx, &io, len, rs_copy_in, &io, 0);
	return rs_io_settle(&io, ret);
}

ssize_t xenshm_rs_read(struct xenshm_rs *rs, struct iov_iter *to)
{
	struct rs_io io = { .iter = to };
	size_t len = iov_iter_count(to);
	ssize_t ret;

	if (rs->rx_mode == XENSHM_MODE_MESSAGE)
		ret = xsr_recv(&rs->rx, &io, len, rs_copy_out, &io, 0);
	else
		ret = xsr_read(&rs->rx, &io, len, rs_copy_out, &io, 0);
	return rs_io_settle(&io, ret);
}

long xenshm_rs_rx_avail(struct xenshm_rs *rs)
{
	return xsr_rx_avail(&rs->rx);
}

long xenshm_rs_tx_space(struct xenshm_rs *rs)
{
	return xsr_tx_space(&rs->tx);
}

int xenshm_rs_rx_arm(struct xenshm_rs *rs)
{
	return xsr_rx_arm(&rs->rx);
}

int xenshm_rs_tx_arm(struct xenshm_rs *rs, size_t want)
{
	return xsr_tx_arm(&rs->tx, want);
}

int xenshm_rs_tx_need_notify(struct xenshm_rs *rs)
{
	return xsr_tx_need_notify(&rs->tx);
}

int xenshm_rs_rx_need_notify(struct xenshm_rs *rs)
{
	return xsr_rx_need_notify(&rs->rx);
}

/*
 * mmap users.  Userspace drives this end's indices through the mapping, with
 * handles of its own (xsr_ring_join() in lib/), while the kernel still
 * answers poll() and NOTIFY for the end.  The kernel's tx/rx handles keep
 * their index privately and do not follow the mapping, so these ask the
 * handles joined at attach, which read the published words and write
 * nothing shared.
 */
long xenshm_rs_mmap_rx_avail(struct xenshm_rs *rs)
{
	return xsr_joined_rx_avail(&rs->rx_map);
}

long xenshm_rs_mmap_tx_free(struct xenshm_rs *rs)
{
	return xsr_joined_tx_free(&rs->tx_map);
}

int xenshm_rs_mmap_tx_need_notify(struct xenshm_rs *rs)
{
	return xsr_joined_need_notify(&rs->tx_map);
}

int xenshm_rs_mmap_rx_need_notify(struct xenshm_rs *rs)
{
	return xsr_joined_need_notify(&rs->rx_map);
}
