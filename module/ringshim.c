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
 * core reports.  Sleeping in a callback (a user page fault) is fine: the
 * callers hold only mutexes.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/compiler.h>
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
	rs->base = base;
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

static struct xenshm_ring_ctrl *rs_ctrl(struct xenshm_rs *rs, unsigned int ring)
{
	return rs->base + (ring ? XENSHM_RING1_CTRL_OFF : XENSHM_RING0_CTRL_OFF);
}

static struct xenshm_ring_ctrl *rs_tx_ctrl(struct xenshm_rs *rs)
{
	return rs_ctrl(rs, rs->slot);
}

static struct xenshm_ring_ctrl *rs_rx_ctrl(struct xenshm_rs *rs)
{
	return rs_ctrl(rs, 1 - rs->slot);
}

int xenshm_rs_attach_tx(struct xenshm_rs *rs, u32 mode)
{
	int ret;

	if (rs->slot < 0)
		return -EINVAL;
	ret = xsr_ring_attach(&rs->tx, &rs->rg, rs->slot, XSR_TX, mode);
	if (ret)
		return ret;
	rs->tx_mode = mode;
	rs->tx_notified = READ_ONCE(rs_tx_ctrl(rs)->prod);
	return 0;
}

int xenshm_rs_attach_rx(struct xenshm_rs *rs, u32 mode)
{
	int ret;

	if (rs->slot < 0)
		return -EINVAL;
	ret = xsr_ring_attach(&rs->rx, &rs->rg, rs->slot, XSR_RX, mode);
	if (ret)
		return ret;
	rs->rx_mode = mode;
	rs->rx_notified = READ_ONCE(rs_rx_ctrl(rs)->cons);
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
 * mmap users.  Userspace drives this end's index through the mapping, with a
 * handle of its own (xsr_ring_join() in lib/), while the kernel still
 * answers poll() and NOTIFY for the end.  The facade has no call that
 * answers for an index another user moves (its handles keep their own index
 * privately; a joined handle does not follow the mapping's progress), so
 * these four read the published words themselves: each word once, nothing
 * indexed with them, nothing written to shared memory.  They are the one
 * place outside ringcore/ that reads the ring words; a facade call that
 * answers for a joined handle whose index another user moves would take
 * them over.
 *
 * cons is loaded first, with acquire, so that the load of prod comes after
 * it: cons <= prod then holds in what we read even while the mapping's user
 * moves its index, and prod - cons > data_size can only mean corruption.
 */
long xenshm_rs_mmap_rx_avail(struct xenshm_rs *rs)
{
	struct xenshm_ring_ctrl *c = rs_rx_ctrl(rs);
	u32 cons = smp_load_acquire(&c->cons);	/* before prod, see above */
	u32 prod = READ_ONCE(c->prod);

	if (prod - cons > rs->data_size)
		return -EIO;
	return prod - cons;
}

long xenshm_rs_mmap_tx_free(struct xenshm_rs *rs)
{
	struct xenshm_ring_ctrl *c = rs_tx_ctrl(rs);
	/* before prod, see above; pairs with the consumer's store-release */
	u32 cons = smp_load_acquire(&c->cons);
	u32 prod = READ_ONCE(c->prod);

	if (prod - cons > rs->data_size)
		return -EIO;
	return rs->data_size - (prod - cons);
}

/*
 * The formula of need_event() in xenshm/ring.hpp, where the rule is stated;
 * a copy only because the core cannot be asked for a mapped end (above).
 */
static int rs_need_event(u32 event, u32 new, u32 old)
{
	return (u32)(new - event - 1) < (u32)(new - old);
}

int xenshm_rs_mmap_tx_need_notify(struct xenshm_rs *rs)
{
	struct xenshm_ring_ctrl *c = rs_tx_ctrl(rs);
	u32 new = READ_ONCE(c->prod);
	u32 old = rs->tx_notified;

	/*
	 * Userspace stored prod before this syscall; the full fence orders
	 * that store before the load of prod_event.  Pairs with the fence of
	 * the consumer's arm (store prod_event, fence, re-read prod).
	 */
	smp_mb();
	rs->tx_notified = new;
	return rs_need_event(READ_ONCE(c->prod_event), new, old);
}

int xenshm_rs_mmap_rx_need_notify(struct xenshm_rs *rs)
{
	struct xenshm_ring_ctrl *c = rs_rx_ctrl(rs);
	u32 new = READ_ONCE(c->cons);
	u32 old = rs->rx_notified;

	/* As above, pairs with the fence of the producer's arm for space. */
	smp_mb();
	rs->rx_notified = new;
	return rs_need_event(READ_ONCE(c->cons_event), new, old);
}
