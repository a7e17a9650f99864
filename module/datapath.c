// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data path of a connected end: read() and write(), poll(), NOTIFY, and
 * the bookkeeping of rings mapped by userspace.
 *
 * How this works
 *   Each direction has one mutex (tx_lock, rx_lock, see channel.h) that makes
 *   this end the single producer / consumer the ring core requires.  It is
 *   held across one ring-core call and its user copies, but never while
 *   sleeping: not for space or data (a sleeper drops it, waits on ch->wq for
 *   ch->event_seq to move, and tries again), and not for a page fault on the
 *   user's buffer.  The copies run with page faults disabled (a missing page
 *   makes the ring core stop with -EFAULT, having consumed or produced
 *   nothing of a message, and only whole bytes of a stream); the caller then
 *   faults the buffer in with no lock held and tries again.  A buffer behind
 *   userfaultfd or FUSE can make its own read() wait forever, but never
 *   poll(), RESET, the rendezvous or sysfs, which take these locks too.
 *   Before sleeping, the ring core arms the event index (xenshm_rs_*_arm())
 *   and re-checks, so the peer's next move sends the event that wakes us;
 *   after moving data, this end kicks the peer only if it asked
 *   (xenshm_kick_if()).  The rule and its barriers are specified once, in
 *   xenshm/xsr.h.
 *
 * Rings mapped writable by userspace (XENSHM_CH_MMAP): data moves through
 *   the mapping, read() and write() refuse with EBUSY, and poll() and NOTIFY
 *   look at the indices userspace published (xenshm_rs_mmap_*()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include "channel.h"

/*
 * Fault-ins of the user's buffer per read()/write() before it gives up with
 * -EFAULT: each one means the page went away again between the fault-in and
 * the copy, which only its owner can keep doing.
 */
#define XENSHM_MAX_FAULT_INS		16

/*
 * A copy under the lock hit a page that is not there: bring the buffer in,
 * as much of it as one ring-core call can move (@max), with no lock held.
 * true: try again; false: the buffer is bad (-EFAULT) or *@tries ran out.
 * Only a user buffer of a task with an mm can be brought in (kernel_read()
 * and a kthread's copies fail for good).
 */
static bool xenshm_fault_in(struct iov_iter *it, bool writeable, size_t max,
			    int *tries)
{
	size_t len = min(iov_iter_count(it), max);

	if (!len || !user_backed_iter(it) || !current->mm ||
	    ++*tries > XENSHM_MAX_FAULT_INS || fatal_signal_pending(current))
		return false;
	return (writeable ? fault_in_iov_iter_writeable(it, len) :
		fault_in_iov_iter_readable(it, len)) < len;
}

/* Empty messages skipped per read() before it gives up the lock. */
#define XENSHM_MAX_EMPTY_SKIP		16
/*
 * Runs of XENSHM_MAX_EMPTY_SKIP a read() goes through before it stops
 * (non-blocking: -EAGAIN) or sleeps a tick (blocking): a peer that produces
 * nothing but empty messages gets bounded work per call, never a spin.
 */
#define XENSHM_MAX_EMPTY_RUNS		16

/*
 * Can this end move data?  0 yes; -EAGAIN wait for the connection; else the
 * error to return.  Caller holds tx_lock or rx_lock.
 */
static int xenshm_data_ready(struct xenshm_channel *ch)
{
	int err;

	if (test_bit(XENSHM_CH_BROKEN, &ch->flags))
		return -EIO;
	switch (ch->state) {
	case XENSHM_CHAN_STATE_CONNECTED:
		return 0;
	case XENSHM_CHAN_STATE_CONNECTING:
		return -EAGAIN;
	default:
		err = READ_ONCE(ch->error);
		return err ?: -ENOTCONN;
	}
}

/*
 * Take the data-path lock of one direction.  Even O_NONBLOCK callers wait
 * for it (it is held only across one ring operation); IOCB_NOWAIT callers
 * must not sleep at all.
 */
static int xenshm_io_lock(struct mutex *lock, enum xenshm_io_wait wait)
{
	if (wait == XENSHM_IO_NOWAIT)
		return mutex_trylock(lock) ? 0 : -EAGAIN;
	return mutex_lock_interruptible(lock) ? -ERESTARTSYS : 0;
}

/*
 * One non-blocking read attempt; rx_lock held.  -EAGAIN: sleep, unless
 * *@retry says there is more to look at (a run of empty messages).
 */
static ssize_t xenshm_try_read(struct xenshm_channel *ch, struct iov_iter *to,
			       bool *retry)
{
	int skipped = 0, rearmed = 0;
	ssize_t ret;

	lockdep_assert_held(&ch->rx_lock);
	ret = xenshm_data_ready(ch);
	if (ret)
		return ret;
	if (test_bit(XENSHM_CH_MMAP, &ch->flags))
		return -EBUSY;
	if (!iov_iter_count(to))
		return 0;
again:
	pagefault_disable();	/* see "How this works" */
	ret = xenshm_rs_read(&ch->rs, to);
	pagefault_enable();
	if (ret >= 0) {
		int need = xenshm_rs_rx_need_notify(&ch->rs);

		xenshm_kick_if(ch, need);
		if (ch->rs.rx_mode == XENSHM_MODE_MESSAGE) {
			atomic64_inc(&ch->stats.rx_msgs);
			/* read() == 0 means EOF: empty messages are dropped. */
			if (!ret && ++skipped < XENSHM_MAX_EMPTY_SKIP)
				goto again;
			if (!ret) {
				*retry = true;
				return -EAGAIN;
			}
		}
		atomic64_add(ret, &ch->stats.rx_bytes);
		return ret;
	}
	if (ret == -EAGAIN) {
		/* Empty.  Drain what a departed peer left, then EOF. */
		if (xenshm_check_peer(ch)) {
			if (test_bit(XENSHM_CH_BROKEN, &ch->flags))
				return -EIO;
			/*
			 * The peer published its last prod before it freed
			 * its slot (store-release), and the peer check read
			 * the slot with load-acquire: one more read sees all
			 * it left.
			 */
			if (!rearmed++)
				goto again;
			return 0;
		}
		ret = xenshm_rs_rx_arm(&ch->rs);
		if (ret > 0 && rearmed++ < 2)
			goto again;
		if (ret < 0) {
			xenshm_mark_broken(ch);
			return -EIO;
		}
		return -EAGAIN;
	}
	if (ret == -EIO)
		xenshm_mark_broken(ch);
	return ret;
}

ssize_t xenshm_channel_read(struct xenshm_channel *ch, struct iov_iter *to,
			    enum xenshm_io_wait wait)
{
	int runs = 0, faults = 0;
	bool retry;
	ssize_t ret;
	int seq;

	if (wait != XENSHM_IO_NOWAIT)
		xenshm_channel_connect_implicit(ch);
	for (;;) {
		ret = xenshm_io_lock(&ch->rx_lock, wait);
		if (ret)
			return ret;
		seq = atomic_read(&ch->event_seq);
		retry = false;
		ret = xenshm_try_read(ch, to, &retry);
		mutex_unlock(&ch->rx_lock);
		if (ret == -EFAULT &&
		    xenshm_fault_in(to, true, READ_ONCE(ch->rs.data_size), &faults))
			continue;
		if (retry && ++runs < XENSHM_MAX_EMPTY_RUNS &&
		    !signal_pending(current)) {
			cond_resched();
			continue;
		}
		if (ret != -EAGAIN || wait != XENSHM_IO_BLOCK)
			return ret;
		if (retry) {
			/*
			 * More empty messages may be queued, so no event
			 * will come for them: sleep a tick (a signal ends
			 * it), then go on skipping.
			 */
			runs = 0;
			schedule_timeout_interruptible(1);
			if (signal_pending(current))
				return -ERESTARTSYS;
			continue;
		}
		if (wait_event_interruptible(ch->wq,
					     atomic_read(&ch->event_seq) != seq))
			return -ERESTARTSYS;
	}
}

/* One non-blocking write attempt; tx_lock held.  -EAGAIN: sleep. */
static ssize_t xenshm_try_write(struct xenshm_channel *ch,
				struct iov_iter *from)
{
	size_t len = iov_iter_count(from);
	int rearmed = 0;
	ssize_t ret;
	size_t want;

	lockdep_assert_held(&ch->tx_lock);
	ret = xenshm_data_ready(ch);
	if (ret)
		return ret;
	if (test_bit(XENSHM_CH_MMAP, &ch->flags))
		return -EBUSY;
	if (xenshm_check_peer(ch))
		return test_bit(XENSHM_CH_BROKEN, &ch->flags) ? -EIO : -ECONNRESET;
	if (!len)
		return 0;
	if (ch->mode == XENSHM_MODE_MESSAGE && len > xenshm_rs_max_msg(&ch->rs))
		return -EMSGSIZE;
again:
	pagefault_disable();	/* see "How this works" */
	ret = xenshm_rs_write(&ch->rs, from);
	pagefault_enable();
	if (ret > 0) {
		xenshm_kick_if(ch, xenshm_rs_tx_need_notify(&ch->rs));
		atomic64_add(ret, &ch->stats.tx_bytes);
		if (ch->mode == XENSHM_MODE_MESSAGE)
			atomic64_inc(&ch->stats.tx_msgs);
		return ret;
	}
	if (ret == -EAGAIN) {
		/* Ask for an event once enough space is free, then re-check. */
		want = ch->mode == XENSHM_MODE_MESSAGE ? len :
			min_t(size_t, len, ch->rs.data_size / 2);
		ret = xenshm_rs_tx_arm(&ch->rs, want);
		if (ret > 0 && rearmed++ < 2)
			goto again;
		if (ret < 0) {
			xenshm_mark_broken(ch);
			return -EIO;
		}
		return -EAGAIN;
	}
	if (ret == -EIO)
		xenshm_mark_broken(ch);
	return ret;
}

/*
 * Message mode: the whole iterator is one message (one attempt, all or
 * nothing).  Stream mode: loop until the iterator is drained, or, once some
 * bytes went, until something would make the caller wait or fail.
 */
ssize_t xenshm_channel_write(struct xenshm_channel *ch, struct iov_iter *from,
			     enum xenshm_io_wait wait)
{
	size_t done = 0;
	int faults = 0;
	ssize_t ret;
	int seq;

	if (wait != XENSHM_IO_NOWAIT)
		xenshm_channel_connect_implicit(ch);
	for (;;) {
		ret = xenshm_io_lock(&ch->tx_lock, wait);
		if (ret)
			return done ?: ret;
		seq = atomic_read(&ch->event_seq);
		ret = xenshm_try_write(ch, from);
		mutex_unlock(&ch->tx_lock);
		if (ret == -EFAULT &&
		    xenshm_fault_in(from, false, READ_ONCE(ch->rs.data_size),
				    &faults))
			continue;
		if (ret > 0) {
			done += ret;
			if (!iov_iter_count(from))
				return done;
			continue;	/* stream: the rest may fit now */
		}
		if (ret == -ECONNRESET && !done && READ_ONCE(ch->implicit)) {
			/* The FIFO rule for a writer whose reader left. */
			send_sig(SIGPIPE, current, 0);
			return -EPIPE;
		}
		if (ret != -EAGAIN)
			return done ?: ret;
		if (wait != XENSHM_IO_BLOCK)
			return done ?: -EAGAIN;
		if (wait_event_interruptible(ch->wq,
					     atomic_read(&ch->event_seq) != seq))
			return done ?: -ERESTARTSYS;
	}
}

/* ---- poll ---- */

static __poll_t xenshm_poll_rx(struct xenshm_channel *ch)
{
	__poll_t mask = 0;
	long avail;

	mutex_lock(&ch->rx_lock);
	if (ch->state != XENSHM_CHAN_STATE_CONNECTED)
		goto out;
	if (test_bit(XENSHM_CH_MMAP, &ch->flags)) {
		avail = xenshm_rs_mmap_rx_avail(&ch->rs);
	} else {
		avail = xenshm_rs_rx_avail(&ch->rs);
		if (!avail)
			avail = xenshm_rs_rx_arm(&ch->rs);
	}
	if (avail > 0)
		mask |= EPOLLIN | EPOLLRDNORM;
	else if (avail < 0)
		xenshm_mark_broken(ch);
	if (xenshm_check_peer(ch))
		mask |= EPOLLHUP | EPOLLRDHUP;
out:
	mutex_unlock(&ch->rx_lock);
	return mask;
}

static __poll_t xenshm_poll_tx(struct xenshm_channel *ch)
{
	__poll_t mask = 0;
	long space, need;

	mutex_lock(&ch->tx_lock);
	if (ch->state != XENSHM_CHAN_STATE_CONNECTED ||
	    test_bit(XENSHM_CH_PEER_GONE, &ch->flags))
		goto out;
	/* Message mode: writable when a message of the largest size fits. */
	need = ch->mode == XENSHM_MODE_MESSAGE ? xenshm_rs_max_msg(&ch->rs) : 1;
	if (test_bit(XENSHM_CH_MMAP, &ch->flags)) {
		space = xenshm_rs_mmap_tx_free(&ch->rs);
		need = 1;
	} else {
		space = xenshm_rs_tx_space(&ch->rs);
		if (space >= 0 && space < need)
			space = xenshm_rs_tx_arm(&ch->rs, need) > 0 ? need : 0;
	}
	if (space >= need)
		mask |= EPOLLOUT | EPOLLWRNORM;
	else if (space < 0)
		xenshm_mark_broken(ch);
out:
	mutex_unlock(&ch->tx_lock);
	return mask;
}

__poll_t xenshm_channel_poll_mask(struct xenshm_channel *ch)
{
	__poll_t mask;

	xenshm_channel_connect_implicit(ch);
	if (test_bit(XENSHM_CH_BROKEN, &ch->flags))
		return EPOLLERR;
	switch (READ_ONCE(ch->state)) {
	case XENSHM_CHAN_STATE_CONNECTED:
		mask = xenshm_poll_rx(ch) | xenshm_poll_tx(ch);
		if (test_bit(XENSHM_CH_BROKEN, &ch->flags))
			return EPOLLERR;
		return mask;
	case XENSHM_CHAN_STATE_CONNECTING:
		return 0;
	default:
		/* A failed connect (timeout, refusal) until CONNECT/RESET. */
		return READ_ONCE(ch->error) ? EPOLLERR : 0;
	}
}

/* ---- NOTIFY ---- */

/*
 * Does the peer want an event for what this end produced (@tx) or consumed
 * through the mapping?  1 yes, 0 no, or a negative errno.
 */
static int xenshm_notify_need(struct xenshm_channel *ch, bool tx)
{
	struct mutex *lock = tx ? &ch->tx_lock : &ch->rx_lock;
	bool mapped;
	int ret;

	if (mutex_lock_interruptible(lock))
		return -ERESTARTSYS;
	ret = xenshm_data_ready(ch);
	if (!ret && test_bit(XENSHM_CH_PEER_GONE, &ch->flags))
		ret = -ECONNRESET;
	if (!ret) {
		mapped = test_bit(XENSHM_CH_MMAP, &ch->flags);
		if (tx)
			ret = mapped ? xenshm_rs_mmap_tx_need_notify(&ch->rs) :
				       xenshm_rs_tx_need_notify(&ch->rs);
		else
			ret = mapped ? xenshm_rs_mmap_rx_need_notify(&ch->rs) :
				       xenshm_rs_rx_need_notify(&ch->rs);
	}
	mutex_unlock(lock);
	return ret;
}

int xenshm_channel_notify(struct xenshm_channel *ch, u32 flags)
{
	int need = 0, ret;

	if (flags & XENSHM_NOTIFY_FLAGS_TX) {
		ret = xenshm_notify_need(ch, true);
		if (ret < 0)
			goto err;
		need |= ret > 0;
	}
	if (flags & XENSHM_NOTIFY_FLAGS_RX) {
		ret = xenshm_notify_need(ch, false);
		if (ret < 0)
			goto err;
		need |= ret > 0;
	}
	xenshm_kick_if(ch, need);
	return need;
err:
	if (ret == -EAGAIN)	/* still connecting */
		ret = -ENOTCONN;
	if (ret == -EIO)
		xenshm_mark_broken(ch);
	return ret;
}

/* ---- mmap bookkeeping (chardev.c's vm_ops, mmap_lock held) ---- */

/*
 * MMAP is set here without a channel lock (mmap_lock is taken inside
 * rx_lock by the data path's faults) and cleared by rendezvous.c only while
 * no writable mapping is counted: count first, then set; the barrier pairs
 * with the one in rendezvous.c's xenshm_mmap_settle(), which clears first,
 * then reads the count, so one of the two sees the other.
 */
void xenshm_channel_map_rings(struct xenshm_channel *ch)
{
	atomic_inc(&ch->rings_mapped);
	smp_mb__after_atomic();	/* pairs with xenshm_mmap_settle() */
	set_bit(XENSHM_CH_MMAP, &ch->flags);
}

void xenshm_channel_unmap_rings(struct xenshm_channel *ch)
{
	atomic_dec(&ch->rings_mapped);
}

