// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm channel ends: rendezvous driver, data path, events, eventfd, stats.
 *
 * How this works
 *   The wire protocol (region init, slot claim, role rule, ring resync,
 *   event-index suppression) lives in the ring core; this file drives it
 *   from process context and owns everything Linux-specific: locks, wait
 *   queues, the eventfd, timers, and the transport (struct
 *   xenshm_transport_ops) for the event-channel parts of the recipe.
 *
 * Rendezvous (CONNECT; runs first inline, then from ch->work, which polls
 *   with a backoff from 5 ms to 200 ms and is kicked by every event):
 *   REGION         init or validate the region header (retry on -EAGAIN)
 *   CLAIM          claim my slot (state ATTACHED, epoch + 1), attach my TX
 *                  ring (it keeps its published prod; the consumer's attach
 *                  discards whatever an earlier life left unread)
 *   PEER           wait until the peer's slot is ATTACHED (or GO, when I turn
 *                  out to be the sender); check a pinned peer (EACCES), pick
 *                  the role, attach my RX ring in the mode the peer produces.
 *                  Receiver: transport listen(), publish the port, state GO.
 *   WAIT_GO        sender: wait for GO, bind() to the published port,
 *                  publish CONNECTED, send one event.
 *   WAIT_CONNECTED receiver: wait until the sender is CONNECTED, publish
 *                  CONNECTED.
 *   A peer that restarts during the rendezvous (epoch change) sends us back
 *   to PEER; a receiver keeps its port when the peer's domid did not change
 *   (Xen returns an interdomain port to "unbound" when the remote end
 *   closes, so the peer's next life can bind to it again).
 *   The deadline (CONNECT.timeout_ms) turns into -ETIMEDOUT.
 *
 * Liveness: once connected, the peer is checked (slot FREE or epoch changed
 *   => PEER_GONE) on every event, when a read finds the ring empty, before
 *   every write, and every 250 ms from ch->work.  A detaching peer frees its
 *   slot and then sends an event, so a clean hang-up is seen at once.
 *
 * Locking (see also channel.h)
 *   ch->lock (mutex) serialises the control plane: CONNECT, RESET, open,
 *     release, GET_INFO and ch->work.  Transport listen/bind/teardown run
 *     under it.
 *   ch->tx_lock / ch->rx_lock (mutexes) make this end the single producer /
 *     consumer the ring core requires; held across one ring-core call
 *     (including its user copies), never while sleeping for space or data.
 *   ch->conn_lock (irq-safe spinlock) lets the event handler look at the
 *     connection from hard-irq context.
 *   Order: lock -> tx_lock -> rx_lock -> conn_lock.  ev_lock is a leaf.
 *   The connection (ch->state, ch->rs, peer identity) changes only with
 *   all of lock, tx_lock, rx_lock and conn_lock held (xenshm_set_state()),
 *   so any one of them keeps it stable; the ring handles are only used while
 *   ch->state == CONNECTED.
 *   Sleepers (read, write, poll) sample ch->event_seq before their last
 *   check and sleep until it changes; every event and every state change
 *   bumps it before waking the queues, so no wakeup is lost.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/eventfd.h>
#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>

#include "channel.h"
#include "kcompat.h"

#define XENSHM_CONNECT_TIMEOUT_MS	30000
#define XENSHM_POLL_MIN			max(1UL, msecs_to_jiffies(5))
#define XENSHM_POLL_MAX			msecs_to_jiffies(200)
#define XENSHM_LIVENESS			msecs_to_jiffies(250)
/* Empty messages skipped per read() before it gives up the lock. */
#define XENSHM_MAX_EMPTY_SKIP		16

/* ---- region ---- */

static void xenshm_region_free(struct kref *ref)
{
	struct xenshm_region *region = container_of(ref, struct xenshm_region, ref);

	region->release(region);
}

void xenshm_region_put(struct xenshm_region *region)
{
	kref_put(&region->ref, xenshm_region_free);
}

/* ---- state, events, eventfd ---- */

u32 xenshm_channel_state(struct xenshm_channel *ch)
{
	u32 state = READ_ONCE(ch->state);

	if (test_bit(XENSHM_CH_BROKEN, &ch->flags))
		return XENSHM_CHAN_STATE_BROKEN;
	if (state == XENSHM_CHAN_STATE_CONNECTED &&
	    test_bit(XENSHM_CH_PEER_GONE, &ch->flags))
		return XENSHM_CHAN_STATE_PEER_GONE;
	return state;
}

static void xenshm_signal_eventfd(struct xenshm_channel *ch)
{
	unsigned long irqflags;

	spin_lock_irqsave(&ch->ev_lock, irqflags);
	if (ch->evfd)
		xenshm_eventfd_signal(ch->evfd);
	spin_unlock_irqrestore(&ch->ev_lock, irqflags);
}

/* Something happened: wake every sleeper and poller.  Any context. */
static void xenshm_changed(struct xenshm_channel *ch)
{
	atomic_inc(&ch->event_seq);
	wake_up_interruptible_all(&ch->rx_wq);
	wake_up_interruptible_all(&ch->tx_wq);
	wake_up_interruptible_all(&ch->state_wq);
	xenshm_signal_eventfd(ch);
}

static void xenshm_mark_broken(struct xenshm_channel *ch)
{
	if (!test_and_set_bit(XENSHM_CH_BROKEN, &ch->flags)) {
		atomic64_inc(&ch->stats.errors);
		pr_warn_ratelimited("%s: shared memory corrupt, channel broken\n",
				    ch->name);
		xenshm_changed(ch);
	}
}

/*
 * Is the peer still the one we connected to?  Caller holds one of lock,
 * tx_lock, rx_lock, conn_lock and saw ch->state == CONNECTED under it.
 * Returns true if the peer is (now known to be) gone or the channel broke.
 */
static bool xenshm_check_peer(struct xenshm_channel *ch)
{
	int ret;

	if (test_bit(XENSHM_CH_PEER_GONE, &ch->flags) ||
	    test_bit(XENSHM_CH_BROKEN, &ch->flags))
		return true;
	ret = xenshm_rs_peer_check(&ch->rs, ch->peer_epoch);
	if (!ret)
		return false;
	if (ret == -ECONNRESET) {
		if (!test_and_set_bit(XENSHM_CH_PEER_GONE, &ch->flags)) {
			pr_debug("%s: peer dom%u left\n", ch->name, ch->peer_domid);
			xenshm_changed(ch);
		}
	} else {
		xenshm_mark_broken(ch);
	}
	return true;
}

void xenshm_channel_event(struct xenshm_channel *ch)
{
	unsigned long irqflags;
	u32 state;

	atomic64_inc(&ch->stats.notify_recv);
	spin_lock_irqsave(&ch->conn_lock, irqflags);
	state = ch->state;
	if (state == XENSHM_CHAN_STATE_CONNECTED)
		xenshm_check_peer(ch);
	spin_unlock_irqrestore(&ch->conn_lock, irqflags);
	if (state == XENSHM_CHAN_STATE_CONNECTING)
		mod_delayed_work(system_wq, &ch->work, 0);
	xenshm_changed(ch);
}

/* Kick the peer if we are bound.  Any context. */
static void xenshm_kick(struct xenshm_channel *ch)
{
	if (test_bit(XENSHM_CH_BOUND, &ch->flags)) {
		ch->ops->notify(ch);
		atomic64_inc(&ch->stats.notify_sent);
	}
}

/* After a data move: kick the peer if it asked (need = 1). */
static void xenshm_kick_if(struct xenshm_channel *ch, int need)
{
	if (need > 0)
		xenshm_kick(ch);
	else if (!need)
		atomic64_inc(&ch->stats.notify_suppressed);
	else
		xenshm_mark_broken(ch);
}

int xenshm_channel_set_eventfd(struct xenshm_channel *ch, int fd)
{
	struct eventfd_ctx *new = NULL, *old;
	unsigned long irqflags;

	if (fd >= 0) {
		new = eventfd_ctx_fdget(fd);
		if (IS_ERR(new))
			return PTR_ERR(new);
	}
	spin_lock_irqsave(&ch->ev_lock, irqflags);
	old = ch->evfd;
	ch->evfd = new;
	spin_unlock_irqrestore(&ch->ev_lock, irqflags);
	if (old)
		eventfd_ctx_put(old);
	return 0;
}

static void xenshm_stats_clear(struct xenshm_channel *ch)
{
	struct xenshm_counters *s = &ch->stats;

	atomic64_set(&s->tx_bytes, 0);
	atomic64_set(&s->rx_bytes, 0);
	atomic64_set(&s->tx_msgs, 0);
	atomic64_set(&s->rx_msgs, 0);
	atomic64_set(&s->notify_sent, 0);
	atomic64_set(&s->notify_recv, 0);
	atomic64_set(&s->notify_suppressed, 0);
	atomic64_set(&s->errors, 0);
}

void xenshm_channel_stats(struct xenshm_channel *ch, struct xenshm_stats *st)
{
	struct xenshm_counters *s = &ch->stats;

	st->tx_bytes = atomic64_read(&s->tx_bytes);
	st->rx_bytes = atomic64_read(&s->rx_bytes);
	st->tx_msgs = atomic64_read(&s->tx_msgs);
	st->rx_msgs = atomic64_read(&s->rx_msgs);
	st->notify_sent = atomic64_read(&s->notify_sent);
	st->notify_recv = atomic64_read(&s->notify_recv);
	st->notify_suppressed = atomic64_read(&s->notify_suppressed);
	st->errors = atomic64_read(&s->errors);
}

/* ---- connection state changes ---- */

/*
 * The one place the connection changes: all four locks held, so readers of
 * any one lock see a stable connection.  @clear drops BROKEN / PEER_GONE.
 */
static void xenshm_set_state(struct xenshm_channel *ch, u32 state, bool clear)
{
	unsigned long irqflags;

	lockdep_assert_held(&ch->lock);
	mutex_lock(&ch->tx_lock);
	mutex_lock(&ch->rx_lock);
	spin_lock_irqsave(&ch->conn_lock, irqflags);
	WRITE_ONCE(ch->state, state);
	if (clear) {
		clear_bit(XENSHM_CH_BROKEN, &ch->flags);
		clear_bit(XENSHM_CH_PEER_GONE, &ch->flags);
	}
	spin_unlock_irqrestore(&ch->conn_lock, irqflags);
	mutex_unlock(&ch->rx_lock);
	mutex_unlock(&ch->tx_lock);
	xenshm_changed(ch);
}

/* Give the transport binding back (ports closed, no more events). */
static void xenshm_unbind(struct xenshm_channel *ch)
{
	lockdep_assert_held(&ch->lock);
	if (test_and_clear_bit(XENSHM_CH_BOUND, &ch->flags))
		ch->ops->teardown(ch);
	ch->local_port = XENSHM_PORT_NONE;
	ch->remote_port = XENSHM_PORT_NONE;
}

/*
 * Detach: back to IDLE, slot FREE, one last event so the peer sees the
 * hang-up at once, binding torn down.  Keeps ch->error (the reason a
 * connect failed) for the caller to report.
 */
static void xenshm_detach(struct xenshm_channel *ch)
{
	lockdep_assert_held(&ch->lock);
	cancel_delayed_work(&ch->work);	/* the work re-checks the state */
	xenshm_set_state(ch, XENSHM_CHAN_STATE_IDLE, false);
	if (ch->rs.slot >= 0) {
		xenshm_rs_release(&ch->rs);	/* FREE, with release */
		xenshm_kick(ch);		/* after FREE: the peer sees it */
	}
	xenshm_unbind(ch);
	ch->role = ch->req_role;
	ch->peer_domid = XENSHM_DOMID_NONE;
	ch->peer_epoch = 0;
	ch->peer_flags = 0;
	if (!atomic_read(&ch->rings_mapped))
		clear_bit(XENSHM_CH_MMAP, &ch->flags);
}

static void xenshm_connect_failed(struct xenshm_channel *ch, int err)
{
	lockdep_assert_held(&ch->lock);
	if (err == -EIO || err == -EPROTO)
		atomic64_inc(&ch->stats.errors);
	if (err == -EIO)
		set_bit(XENSHM_CH_BROKEN, &ch->flags);
	pr_info("%s: connect failed: %d\n", ch->name, err);
	WRITE_ONCE(ch->error, err);
	xenshm_detach(ch);
}

static void xenshm_connected(struct xenshm_channel *ch)
{
	lockdep_assert_held(&ch->lock);
	WRITE_ONCE(ch->error, 0);
	xenshm_set_state(ch, XENSHM_CHAN_STATE_CONNECTED, false);
	mod_delayed_work(system_wq, &ch->work, XENSHM_LIVENESS);
	pr_debug("%s: connected to dom%u as %s (ports %u/%u, tx %s, rx %s)\n",
		 ch->name, ch->peer_domid,
		 ch->role == XENSHM_ROLE_RECEIVER ? "receiver" : "sender",
		 ch->local_port, ch->remote_port,
		 ch->mode == XENSHM_MODE_MESSAGE ? "message" : "stream",
		 ch->rs.rx_mode == XENSHM_MODE_MESSAGE ? "message" : "stream");
}

/* ---- rendezvous ---- */

/* The peer restarted or changed during the rendezvous: start over at PEER. */
static int xenshm_peer_restarted(struct xenshm_channel *ch,
				 const struct xenshm_rs_peer *peer)
{
	int ret;

	lockdep_assert_held(&ch->lock);
	if (ch->phase == XENSHM_PH_WAIT_CONNECTED &&
	    peer->state != XENSHM_SLOT_STATE_FREE &&
	    peer->domid == ch->peer_domid) {
		/* Same domain, new life: it may bind to the port we hold. */
		ch->peer_epoch = peer->epoch;
		ch->peer_flags = peer->flags;
		return xenshm_rs_attach_rx(&ch->rs, peer->flags &
					   XENSHM_SLOT_FLAGS_TX_MESSAGE ?
					   XENSHM_MODE_MESSAGE : XENSHM_MODE_STREAM);
	}
	xenshm_unbind(ch);
	ret = xenshm_rs_publish(&ch->rs, XENSHM_SLOT_STATE_ATTACHED,
				XENSHM_PORT_NONE);
	ch->phase = XENSHM_PH_PEER;
	return ret;
}

/* One pass through as many phases as possible: 0 connected, -EAGAIN wait. */
static int xenshm_rendezvous_step(struct xenshm_channel *ch)
{
	struct xenshm_region *region = ch->region;
	struct xenshm_rs_peer peer;
	u32 epoch;
	int ret;

	lockdep_assert_held(&ch->lock);
	switch (ch->phase) {
	case XENSHM_PH_REGION:
		ret = xenshm_rs_region_open(&ch->rs, region->base, region->size);
		if (ret)
			return ret;
		ch->phase = XENSHM_PH_CLAIM;
		fallthrough;
	case XENSHM_PH_CLAIM:
		ret = ch->ops->local_domid(ch, &ch->local_domid);
		if (ret)
			return ret;
		ch->tx_flags = ch->mode == XENSHM_MODE_MESSAGE ?
			XENSHM_SLOT_FLAGS_TX_MESSAGE : 0;
		ret = xenshm_rs_claim(&ch->rs, ch->want_slot, ch->local_domid,
				      ch->pin_peer, ch->tx_flags, &epoch);
		if (ret == -EBUSY)
			return -EAGAIN;	/* someone holds it: until timeout */
		if (ret < 0)
			return ret;
		ret = xenshm_rs_attach_tx(&ch->rs, ch->mode);
		if (ret)
			return ret;
		ch->phase = XENSHM_PH_PEER;
		fallthrough;
	case XENSHM_PH_PEER:
		ret = xenshm_rs_peer_read(&ch->rs, &peer);
		if (ret)
			return ret;
		if (peer.state == XENSHM_SLOT_STATE_FREE)
			return -EAGAIN;
		if (ch->pin_peer != XENSHM_DOMID_NONE &&
		    peer.domid != ch->pin_peer) {
			pr_warn("%s: peer dom%u is not the pinned dom%u\n",
				ch->name, peer.domid, ch->pin_peer);
			return -EACCES;
		}
		ret = xenshm_rs_role_pick(ch->req_role, ch->rs.slot,
					  ch->local_domid, peer.domid);
		if (ret < 0)
			return ret;
		/*
		 * Go on only with a peer at the start of the same round:
		 * ATTACHED, or GO if it is the receiver.  A CONNECTED peer is
		 * a previous life that has not noticed our new epoch yet.
		 */
		if (peer.state != XENSHM_SLOT_STATE_ATTACHED &&
		    !(peer.state == XENSHM_SLOT_STATE_GO &&
		      ret == XENSHM_ROLE_SENDER))
			return -EAGAIN;
		ch->role = ret;
		ch->peer_domid = peer.domid;
		ch->peer_epoch = peer.epoch;
		ch->peer_flags = peer.flags;
		ret = xenshm_rs_attach_rx(&ch->rs, peer.flags &
					  XENSHM_SLOT_FLAGS_TX_MESSAGE ?
					  XENSHM_MODE_MESSAGE : XENSHM_MODE_STREAM);
		if (ret)
			return ret;
		if (ch->role == XENSHM_ROLE_SENDER) {
			ch->phase = XENSHM_PH_WAIT_GO;
			return xenshm_rendezvous_step(ch);
		}
		ret = ch->ops->listen(ch, ch->peer_domid, &ch->local_port);
		if (ret)
			return ret;
		set_bit(XENSHM_CH_BOUND, &ch->flags);
		ret = xenshm_rs_publish(&ch->rs, XENSHM_SLOT_STATE_GO,
					ch->local_port);
		if (ret)
			return ret;
		ch->phase = XENSHM_PH_WAIT_CONNECTED;
		fallthrough;
	case XENSHM_PH_WAIT_CONNECTED:
		ret = xenshm_rs_peer_read(&ch->rs, &peer);
		if (ret)
			return ret;
		if (peer.state == XENSHM_SLOT_STATE_FREE ||
		    peer.epoch != ch->peer_epoch || peer.domid != ch->peer_domid) {
			ret = xenshm_peer_restarted(ch, &peer);
			if (ret)
				return ret;
			if (ch->phase != XENSHM_PH_WAIT_CONNECTED)
				return -EAGAIN;
		}
		if (peer.state != XENSHM_SLOT_STATE_CONNECTED)
			return -EAGAIN;
		ch->remote_port = peer.port;
		ret = xenshm_rs_publish(&ch->rs, XENSHM_SLOT_STATE_CONNECTED,
					ch->local_port);
		if (ret)
			return ret;
		xenshm_connected(ch);
		return 0;
	case XENSHM_PH_WAIT_GO:
		ret = xenshm_rs_peer_read(&ch->rs, &peer);
		if (ret)
			return ret;
		if (peer.state == XENSHM_SLOT_STATE_FREE ||
		    peer.epoch != ch->peer_epoch || peer.domid != ch->peer_domid) {
			ret = xenshm_peer_restarted(ch, &peer);
			return ret ? ret : -EAGAIN;
		}
		if (peer.state != XENSHM_SLOT_STATE_GO)
			return -EAGAIN;
		ret = ch->ops->bind(ch, ch->peer_domid, peer.port,
				    &ch->local_port);
		if (ret) {
			/* The receiver may have restarted under us: look again. */
			if (!xenshm_rs_peer_read(&ch->rs, &peer) &&
			    peer.epoch != ch->peer_epoch)
				return xenshm_peer_restarted(ch, &peer) ?: -EAGAIN;
			return ret;
		}
		set_bit(XENSHM_CH_BOUND, &ch->flags);
		ch->remote_port = peer.port;
		ret = xenshm_rs_publish(&ch->rs, XENSHM_SLOT_STATE_CONNECTED,
					ch->local_port);
		if (ret)
			return ret;
		xenshm_connected(ch);
		/* The receiver waits for our CONNECTED: tell it now. */
		xenshm_kick(ch);
		return 0;
	}
	return -EINVAL;
}

/* Drive the rendezvous once: connected, failed, or re-armed for later. */
static void xenshm_rendezvous(struct xenshm_channel *ch)
{
	int ret;

	lockdep_assert_held(&ch->lock);
	if (ch->state != XENSHM_CHAN_STATE_CONNECTING)
		return;
	ret = xenshm_rendezvous_step(ch);
	if (!ret)
		return;
	if (ret != -EAGAIN) {
		xenshm_connect_failed(ch, ret);
		return;
	}
	if (time_after_eq(jiffies, ch->deadline)) {
		xenshm_connect_failed(ch, -ETIMEDOUT);
		return;
	}
	mod_delayed_work(system_wq, &ch->work,
			 min_t(unsigned long, ch->work_delay,
			       ch->deadline - jiffies + 1));
	ch->work_delay = min_t(unsigned long, ch->work_delay * 2,
			       XENSHM_POLL_MAX);
}

static void xenshm_channel_work(struct work_struct *work)
{
	struct xenshm_channel *ch =
		container_of(to_delayed_work(work), struct xenshm_channel, work);

	mutex_lock(&ch->lock);
	switch (ch->state) {
	case XENSHM_CHAN_STATE_CONNECTING:
		xenshm_rendezvous(ch);
		break;
	case XENSHM_CHAN_STATE_CONNECTED:
		if (!xenshm_check_peer(ch))
			mod_delayed_work(system_wq, &ch->work, XENSHM_LIVENESS);
		break;
	default:
		break;
	}
	mutex_unlock(&ch->lock);
}

int xenshm_channel_connect(struct xenshm_channel *ch,
			   const struct xenshm_connect *arg)
{
	u32 pin = ch->default_peer;
	u32 timeout_ms;
	int ret;

	if (arg->flags & XENSHM_CONNECT_FLAGS_PIN_PEER) {
		/* An administrator's pin cannot be overridden. */
		if (pin != XENSHM_DOMID_NONE && pin != arg->peer_domid)
			return -EACCES;
		pin = arg->peer_domid;
	}
	timeout_ms = arg->timeout_ms ?: XENSHM_CONNECT_TIMEOUT_MS;

	mutex_lock(&ch->lock);
	if (test_bit(XENSHM_CH_BROKEN, &ch->flags)) {
		ret = -EIO;
		goto out;
	}
	switch (ch->state) {
	case XENSHM_CHAN_STATE_CONNECTING:
		ret = -EINPROGRESS;
		goto out;
	case XENSHM_CHAN_STATE_CONNECTED:
		if (!test_bit(XENSHM_CH_PEER_GONE, &ch->flags)) {
			ret = 0;
			goto out;
		}
		/* The peer left: reconnect, dropping what was not read. */
		xenshm_detach(ch);
		break;
	default:
		break;
	}

	ch->req_role = arg->role;
	ch->role = arg->role;
	ch->mode = arg->mode;
	ch->pin_peer = pin;
	ch->deadline = jiffies + msecs_to_jiffies(timeout_ms);
	ch->work_delay = XENSHM_POLL_MIN;
	ch->phase = XENSHM_PH_REGION;
	WRITE_ONCE(ch->error, 0);
	if (!atomic_read(&ch->rings_mapped))
		clear_bit(XENSHM_CH_MMAP, &ch->flags);
	xenshm_set_state(ch, XENSHM_CHAN_STATE_CONNECTING, true);
	xenshm_rendezvous(ch);

	switch (ch->state) {
	case XENSHM_CHAN_STATE_CONNECTED:
		ret = 0;
		break;
	case XENSHM_CHAN_STATE_CONNECTING:
		ret = -EINPROGRESS;
		break;
	default:
		ret = ch->error ?: -EIO;
		break;
	}
out:
	mutex_unlock(&ch->lock);
	return ret;
}

int xenshm_channel_reset(struct xenshm_channel *ch)
{
	mutex_lock(&ch->lock);
	xenshm_detach(ch);
	WRITE_ONCE(ch->error, 0);
	/* detach kept BROKEN so a failed connect can report it; drop it now */
	xenshm_set_state(ch, XENSHM_CHAN_STATE_IDLE, true);
	xenshm_stats_clear(ch);
	mutex_unlock(&ch->lock);
	return 0;
}

int xenshm_channel_open(struct xenshm_channel *ch)
{
	int ret = 0;

	mutex_lock(&ch->lock);
	if (ch->opened) {
		ret = -EBUSY;
	} else {
		ch->opened = true;
		WRITE_ONCE(ch->error, 0);
		xenshm_stats_clear(ch);
	}
	mutex_unlock(&ch->lock);
	return ret;
}

void xenshm_channel_release(struct xenshm_channel *ch)
{
	mutex_lock(&ch->lock);
	xenshm_detach(ch);
	WRITE_ONCE(ch->error, 0);
	xenshm_set_state(ch, XENSHM_CHAN_STATE_IDLE, true);
	ch->opened = false;
	mutex_unlock(&ch->lock);
	xenshm_channel_set_eventfd(ch, -1);
}

/* ---- GET_INFO ---- */

void xenshm_channel_info(struct xenshm_channel *ch, struct xenshm_info *info)
{
	u64 size = ch->region->size;
	u32 ds = xenshm_rs_data_size_for(size);
	u32 domid;
	int slot;

	mutex_lock(&ch->lock);
	info->abi_major = XENSHM_ABI_MAJOR;
	info->abi_minor = XENSHM_ABI_MINOR;
	info->state = xenshm_channel_state(ch);
	info->features = XENSHM_FEATURES_EVENT_IDX;
	info->region_size = size;
	info->data_size = ds;
	info->max_msg_size = xenshm_rs_max_msg_for(ds);
	info->mmap_header_off = XENSHM_HEADER_OFF;
	info->mmap_header_size = XENSHM_CTRL_OFF;
	info->mmap_rings_off = XENSHM_CTRL_OFF;
	info->mmap_rings_size = size - XENSHM_CTRL_OFF;

	slot = ch->rs.slot >= 0 ? ch->rs.slot : ch->want_slot;
	if (slot >= 0) {
		info->slot = slot;
		info->tx_ctrl_off = slot ? XENSHM_RING1_CTRL_OFF : XENSHM_RING0_CTRL_OFF;
		info->rx_ctrl_off = slot ? XENSHM_RING0_CTRL_OFF : XENSHM_RING1_CTRL_OFF;
		info->tx_data_off = XENSHM_DATA_OFF + (u64)slot * ds;
		info->rx_data_off = XENSHM_DATA_OFF + (u64)(1 - slot) * ds;
	} else {
		info->slot = ~0u;	/* not claimed yet (Xen: either slot) */
	}

	if (ch->ops->local_domid(ch, &domid))
		domid = XENSHM_DOMID_NONE;
	info->local_domid = domid;
	info->peer_domid = ch->peer_domid;
	info->local_port = ch->local_port;
	info->remote_port = ch->remote_port;
	info->role = ch->role;
	info->mode = ch->mode;
	info->transport = ch->ops->transport;
	mutex_unlock(&ch->lock);
}

/* ---- data path ---- */

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
	ret = xenshm_rs_read(&ch->rs, to);
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
			/* pairs with the peer's release of its slot */
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
	bool retry;
	ssize_t ret;
	int seq;

	for (;;) {
		ret = xenshm_io_lock(&ch->rx_lock, wait);
		if (ret)
			return ret;
		seq = atomic_read(&ch->event_seq);
		retry = false;
		ret = xenshm_try_read(ch, to, &retry);
		mutex_unlock(&ch->rx_lock);
		if (retry && !signal_pending(current)) {
			cond_resched();
			continue;
		}
		if (ret != -EAGAIN || wait != XENSHM_IO_BLOCK)
			return ret;
		if (wait_event_interruptible(ch->rx_wq,
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
	ret = xenshm_rs_write(&ch->rs, from);
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
	ssize_t ret;
	int seq;

	for (;;) {
		ret = xenshm_io_lock(&ch->tx_lock, wait);
		if (ret)
			return done ?: ret;
		seq = atomic_read(&ch->event_seq);
		ret = xenshm_try_write(ch, from);
		mutex_unlock(&ch->tx_lock);
		if (ret > 0) {
			done += ret;
			if (!iov_iter_count(from))
				return done;
			continue;	/* stream: the rest may fit now */
		}
		if (ret != -EAGAIN)
			return done ?: ret;
		if (wait != XENSHM_IO_BLOCK)
			return done ?: -EAGAIN;
		if (wait_event_interruptible(ch->tx_wq,
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

/* ---- NOTIFY (mmap users) ---- */

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

/* ---- mmap bookkeeping (called by chardev.c with mmap_lock held) ---- */

void xenshm_channel_map_rings(struct xenshm_channel *ch)
{
	atomic_inc(&ch->rings_mapped);
	set_bit(XENSHM_CH_MMAP, &ch->flags);
}

void xenshm_channel_unmap_rings(struct xenshm_channel *ch)
{
	atomic_dec(&ch->rings_mapped);
}

/* ---- create / destroy ---- */

struct xenshm_channel *
xenshm_channel_create(const char *name, struct xenshm_region *region,
		      const struct xenshm_transport_ops *ops, void *tpriv,
		      int want_slot, u32 pin_peer)
{
	struct xenshm_channel *ch;
	int ret;

	if (want_slot < -1 || want_slot > 1 || !region->release ||
	    region->size < XENSHM_MIN_REGION_SIZE ||
	    !PAGE_ALIGNED(region->size)) {
		ret = -EINVAL;
		goto err_put;
	}
	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch) {
		ret = -ENOMEM;
		goto err_put;
	}
	if (strscpy(ch->name, name, sizeof(ch->name)) < 0) {
		ret = -ENAMETOOLONG;
		goto err_free;
	}
	snprintf(ch->devname, sizeof(ch->devname), "xenshm/%s", ch->name);
	ch->region = region;
	ch->ops = ops;
	ch->tpriv = tpriv;
	ch->want_slot = want_slot;
	ch->default_peer = pin_peer;
	ch->pin_peer = pin_peer;
	ch->state = XENSHM_CHAN_STATE_IDLE;
	ch->req_role = XENSHM_ROLE_AUTO;
	ch->role = XENSHM_ROLE_AUTO;
	ch->mode = XENSHM_MODE_STREAM;
	ch->local_domid = XENSHM_DOMID_NONE;
	ch->peer_domid = XENSHM_DOMID_NONE;
	ch->rs.slot = -1;
	mutex_init(&ch->lock);
	mutex_init(&ch->tx_lock);
	mutex_init(&ch->rx_lock);
	spin_lock_init(&ch->conn_lock);
	spin_lock_init(&ch->ev_lock);
	init_waitqueue_head(&ch->rx_wq);
	init_waitqueue_head(&ch->tx_wq);
	init_waitqueue_head(&ch->state_wq);
	INIT_DELAYED_WORK(&ch->work, xenshm_channel_work);

	ch->misc.minor = MISC_DYNAMIC_MINOR;
	ch->misc.name = ch->devname;
	ch->misc.fops = &xenshm_fops;
	ch->misc.groups = xenshm_dev_groups;
	ch->misc.mode = 0600;
	ret = misc_register(&ch->misc);
	if (ret) {
		pr_err("%s: misc_register failed: %d\n", ch->devname, ret);
		goto err_free;
	}
	ch->registered = true;
	return ch;

err_free:
	kfree(ch);
err_put:
	xenshm_region_put(region);
	return ERR_PTR(ret);
}

void xenshm_channel_destroy(struct xenshm_channel *ch)
{
	if (!ch)
		return;
	if (ch->registered)
		misc_deregister(&ch->misc);
	mutex_lock(&ch->lock);
	WARN_ON(ch->opened);
	xenshm_detach(ch);
	mutex_unlock(&ch->lock);
	cancel_delayed_work_sync(&ch->work);
	xenshm_channel_set_eventfd(ch, -1);
	xenshm_region_put(ch->region);
	kfree(ch);
}
