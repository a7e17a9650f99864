// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rendezvous: how an end claims its slot, finds its peer, exchanges the
 * event-channel port and reaches CONNECTED; how it detaches, reconnects after
 * the peer left, and keeps checking that the peer is still there.
 *
 * How this works
 *   The wire protocol (region init, slot claim, role rule, ring resync) lives
 *   in the ring core and is specified in xenshm/xsr.h; this file drives it
 *   from process context and calls the transport (struct
 *   xenshm_transport_ops) for the event-channel parts of the recipe.
 *   CONNECT runs the steps first inline, then from ch->work, which polls with
 *   a backoff from 5 ms to 200 ms and is kicked by every event
 *   (xenshm_channel_event()).  Everything here runs under ch->lock.
 *
 * Phases (ch->phase, while ch->state is CONNECTING):
 *   REGION         init or validate the region header (retry on -EAGAIN)
 *   CLAIM          claim my slot (state ATTACHED, epoch + 1), attach my TX
 *                  ring (it keeps its published prod; the consumer's attach
 *                  discards whatever an earlier life left unread)
 *   PEER           wait until the peer's slot is ATTACHED (or GO, when I turn
 *                  out to be the sender); check a pinned peer (EACCES), pick
 *                  the role, attach my RX ring in the mode the peer produces.
 *                  Receiver: transport listen() (a static event channel to
 *                  the peer if there is one, else an unbound port), publish
 *                  the port (flag STATIC_EVTCHN for a static one), state GO.
 *   WAIT_GO        sender: wait for GO, bind() to the published port (or
 *                  find my end of the static one), verify(), publish
 *                  CONNECTED with my port, send one event.
 *   WAIT_CONFIRM   sender: wait until the receiver is CONNECTED and an event
 *                  arrived on my port.
 *   WAIT_CONNECTED receiver: wait until the sender is CONNECTED, verify()
 *                  its port, wait for an event on my port, publish
 *                  CONNECTED, send one event.
 *   A peer that restarts during the rendezvous (epoch change) sends us back
 *   to PEER; a receiver keeps its port when the peer's domid did not change
 *   (Xen returns an interdomain port to "unbound" when the remote end
 *   closes, so the peer's next life can bind to it again).
 *   The deadline (CONNECT.timeout_ms) turns into -ETIMEDOUT; an implicit
 *   connect (read(), write() or poll() on an end nobody connected) has none:
 *   it waits for its peer like a FIFO's open().
 *
 * Why each side waits for an event before it calls itself connected: the
 * domid and port in a slot are the peer's word only.  Xen's word is
 * verify() (EVTCHNOP_status: my port's remote end) and the event itself:
 * only the domain Xen bound to the other end of my port can raise it, and
 * an honest domain raises it only after finding my domid and port in its
 * own slot view of this region.  A peer that names another domain (to take
 * a port meant for another channel) gets no event and is refused with
 * EACCES within XENSHM_CONFIRM_MS, and the port is free again
 * (docs/threat-model.md).
 *
 * Once CONNECTED, ch->work runs every quarter of the heartbeat limit
 * (CONNECT.heartbeat_ms, default 750 ms): it advances my heartbeat word and
 * checks the peer (the other liveness checks are listed in channel.c).  A
 * peer silent for the limit is gone: a domain that crashed or powered off
 * never frees its slot, and nobody else tells us.  The rule (what counts as
 * silence, how a peer's period stretches the limit, why a late check
 * restarts the window) is the ring core's, stated at xsr_liveness_check()
 * in xenshm/xsr.h; the peer library applies the same one.
 * Detaching (RESET, the last close, a failed connect, a reconnect after
 * PEER_GONE) frees the slot and then sends one event, so the peer sees the
 * hang-up at once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/jiffies.h>
#include <linux/limits.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "channel.h"

#define XENSHM_CONNECT_TIMEOUT_MS	30000
#define XENSHM_POLL_MIN			max(1UL, msecs_to_jiffies(5))
#define XENSHM_POLL_MAX			msecs_to_jiffies(200)
/* CONNECT.heartbeat_ms == 0: a dead peer is seen within 1.25 x 750 ms < 1 s. */
#define XENSHM_HEARTBEAT_MS		750

/* ---- connection state changes ---- */

/*
 * The one place ch->state changes: all four locks held, so whoever holds
 * any one of them sees a stable connection (channel.h).  @clear drops
 * BROKEN / PEER_GONE.
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
	ch->evtchn_static = false;
	ch->confirm_by = 0;
}

/*
 * Leave mapping mode if no writable mapping of the rings is left.  mmap()
 * sets MMAP without ch->lock (xenshm_channel_map_rings()), so "read the
 * count, then clear" could clear the bit of a mapping made in between: clear
 * first, then read the count and set the bit back if a mapping exists.  The
 * bit may drop for that instant only while ch->state is not CONNECTED
 * (callers hold ch->lock and are detaching or connecting), when read(),
 * write(), poll() and NOTIFY all stop at the state before looking at it.
 */
static void xenshm_mmap_settle(struct xenshm_channel *ch)
{
	lockdep_assert_held(&ch->lock);
	WARN_ON_ONCE(ch->state == XENSHM_CHAN_STATE_CONNECTED);
	clear_bit(XENSHM_CH_MMAP, &ch->flags);
	smp_mb__after_atomic();	/* pairs with xenshm_channel_map_rings() */
	if (atomic_read(&ch->rings_mapped))
		set_bit(XENSHM_CH_MMAP, &ch->flags);
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
	xenshm_mmap_settle(ch);
}

/*
 * What the rendezvous was doing in @ph, for the log of a failed connect: an
 * administrator reading "-110" alone cannot tell a peer that never came
 * from one that stopped half-way.
 */
static const char *xenshm_phase_doing(enum xenshm_phase ph)
{
	switch (ph) {
	case XENSHM_PH_REGION:
		return "checking the region (or waiting for the other side to initialise it)";
	case XENSHM_PH_CLAIM:
		return "claiming a slot (both may be held)";
	case XENSHM_PH_PEER:
		return "meeting the peer (waiting for its slot, then checking it)";
	case XENSHM_PH_WAIT_GO:
		return "waiting for the receiver's GO";
	case XENSHM_PH_WAIT_CONNECTED:
		return "waiting for the sender's CONNECTED and its event";
	case XENSHM_PH_WAIT_CONFIRM:
		return "waiting for the receiver's CONNECTED and its event";
	}
	return "?";
}

static void xenshm_connect_failed(struct xenshm_channel *ch, int err)
{
	lockdep_assert_held(&ch->lock);
	if (err == -EIO || err == -EPROTO)
		atomic64_inc(&ch->stats.errors);
	if (err == -EIO)
		set_bit(XENSHM_CH_BROKEN, &ch->flags);
	pr_info("%s: connect failed: %d, while %s\n", ch->name, err,
		xenshm_phase_doing(ch->phase));
	WRITE_ONCE(ch->error, err);
	xenshm_detach(ch);
}

/* Period of ch->work while CONNECTED: my heartbeat and the peer check. */
static unsigned long xenshm_hb_period(struct xenshm_channel *ch)
{
	return max(1UL, msecs_to_jiffies(ch->hb_limit_ms / 4));
}

static void xenshm_connected(struct xenshm_channel *ch)
{
	lockdep_assert_held(&ch->lock);
	WRITE_ONCE(ch->error, 0);
	xenshm_rs_live_start(&ch->rs, jiffies64_to_msecs(get_jiffies_64()));
	xenshm_set_state(ch, XENSHM_CHAN_STATE_CONNECTED, false);
	mod_delayed_work(system_wq, &ch->work, xenshm_hb_period(ch));
	pr_info("%s: connected to dom%u as %s (%s ports %u/%u, tx %s, rx %s) in %lld us\n",
		ch->name, ch->peer_domid,
		ch->role == XENSHM_ROLE_RECEIVER ? "receiver" : "sender",
		ch->evtchn_static ? "static" : "runtime",
		ch->local_port, ch->remote_port,
		ch->mode == XENSHM_MODE_MESSAGE ? "message" : "stream",
		ch->rs.rx_mode == XENSHM_MODE_MESSAGE ? "message" : "stream",
		ktime_us_delta(ktime_get(), ch->peer_seen));
}

/* ---- the steps ---- */

/* My slot flags: the mode I produce in, and whether my port is static. */
static u32 xenshm_slot_flags(struct xenshm_channel *ch)
{
	return (ch->mode == XENSHM_MODE_MESSAGE ?
		XENSHM_SLOT_FLAGS_TX_MESSAGE : 0) |
	       (ch->evtchn_static ? XENSHM_SLOT_FLAGS_STATIC_EVTCHN : 0);
}

/* The peer restarted or changed during the rendezvous: start over at PEER. */
static int xenshm_peer_restarted(struct xenshm_channel *ch,
				 const struct xenshm_rs_peer *peer)
{
	int ret;

	lockdep_assert_held(&ch->lock);
	ch->confirm_by = 0;
	if (ch->phase == XENSHM_PH_WAIT_CONNECTED &&
	    peer->state != XENSHM_SLOT_STATE_FREE &&
	    peer->domid == ch->peer_domid) {
		/* Same domain, new life: it may bind to the port we hold. */
		ch->peer_epoch = peer->epoch;
		return xenshm_rs_attach_rx(&ch->rs, peer->flags &
					   XENSHM_SLOT_FLAGS_TX_MESSAGE ?
					   XENSHM_MODE_MESSAGE : XENSHM_MODE_STREAM);
	}
	xenshm_unbind(ch);
	ret = xenshm_rs_set_flags(&ch->rs, xenshm_slot_flags(ch));
	if (!ret)
		ret = xenshm_rs_publish(&ch->rs, XENSHM_SLOT_STATE_ATTACHED,
					XENSHM_PORT_NONE);
	ch->phase = XENSHM_PH_PEER;
	return ret;
}

/*
 * Read the peer's slot into @peer.  0: still the peer the rendezvous picked;
 * -EAGAIN: it left or restarted, and the rendezvous starts over at PEER;
 * else an error.
 */
static int xenshm_same_peer(struct xenshm_channel *ch,
			    struct xenshm_rs_peer *peer)
{
	int ret = xenshm_rs_peer_read(&ch->rs, peer);

	if (ret)
		return ret;
	if (peer->state == XENSHM_SLOT_STATE_FREE ||
	    peer->epoch != ch->peer_epoch || peer->domid != ch->peer_domid) {
		ret = xenshm_peer_restarted(ch, peer);
		return ret ? ret : -EAGAIN;
	}
	return 0;
}

/* Waiting for the peer's event: -EAGAIN, or -EACCES once it is overdue. */
static int xenshm_confirm_wait(struct xenshm_channel *ch)
{
	if (!ch->confirm_by) {
		ch->confirm_by = jiffies + msecs_to_jiffies(XENSHM_CONFIRM_MS) ?: 1;
		return -EAGAIN;
	}
	if (time_before_eq(jiffies, ch->confirm_by))
		return -EAGAIN;
	pr_warn("%s: no event from dom%u on port %u within %u ms: it is not the domain it claims, or not responding; refusing\n",
		ch->name, ch->peer_domid, ch->local_port, XENSHM_CONFIRM_MS);
	return -EACCES;
}

/*
 * Is the binding checked, and has the peer's event arrived since I published
 * my port?  0 yes, -EAGAIN not yet, -EACCES refused: Xen says my port leads
 * elsewhere, or no event came within XENSHM_CONFIRM_MS.  A verify() that
 * fails because the peer left or restarted meanwhile is a restart, not a
 * refusal: -EAGAIN, and the next step sees the change in the slot.
 */
static int xenshm_confirmed(struct xenshm_channel *ch,
			    const struct xenshm_rs_peer *peer)
{
	struct xenshm_rs_peer again;
	int ret;

	lockdep_assert_held(&ch->lock);
	ret = ch->ops->verify(ch, ch->peer_domid, peer->port);
	if (ret) {
		if (!xenshm_rs_peer_read(&ch->rs, &again) &&
		    (again.state != peer->state || again.epoch != peer->epoch))
			return -EAGAIN;
		return ret;
	}
	if (test_bit(XENSHM_CH_KICKED, &ch->flags))
		return 0;
	return xenshm_confirm_wait(ch);
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
		ret = xenshm_rs_claim(&ch->rs, ch->want_slot, ch->local_domid,
				      ch->pin_peer, xenshm_slot_flags(ch),
				      &epoch);
		if (ret == -EBUSY)
			return -EAGAIN;	/* someone holds it: until timeout */
		if (ret < 0)
			return ret;
		ret = xenshm_rs_attach_tx(&ch->rs, ch->mode);
		if (ret)
			return ret;
		/* Published with my next state: GO or CONNECTED. */
		xenshm_rs_set_heartbeat_ms(&ch->rs, ch->hb_limit_ms / 4);
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
		ch->peer_seen = ktime_get();
		ret = xenshm_rs_attach_rx(&ch->rs, peer.flags &
					  XENSHM_SLOT_FLAGS_TX_MESSAGE ?
					  XENSHM_MODE_MESSAGE : XENSHM_MODE_STREAM);
		if (ret)
			return ret;
		if (ch->role == XENSHM_ROLE_SENDER) {
			ch->phase = XENSHM_PH_WAIT_GO;
			return xenshm_rendezvous_step(ch);
		}
		ret = ch->ops->listen(ch, ch->peer_domid, &ch->local_port,
				      &ch->evtchn_static);
		if (ret)
			return ret;
		set_bit(XENSHM_CH_BOUND, &ch->flags);
		ret = xenshm_rs_set_flags(&ch->rs, xenshm_slot_flags(ch));
		if (ret)
			return ret;
		/* Only an event after GO counts: the sender binds after GO. */
		clear_bit(XENSHM_CH_KICKED, &ch->flags);
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
		ret = xenshm_confirmed(ch, &peer);
		if (ret)
			return ret;
		ch->remote_port = peer.port;
		ret = xenshm_rs_publish(&ch->rs, XENSHM_SLOT_STATE_CONNECTED,
					ch->local_port);
		if (ret)
			return ret;
		xenshm_connected(ch);
		/* The sender waits for this event to call itself connected. */
		xenshm_kick(ch);
		return 0;
	case XENSHM_PH_WAIT_GO:
		ret = xenshm_same_peer(ch, &peer);
		if (ret)
			return ret;
		if (peer.state != XENSHM_SLOT_STATE_GO)
			return -EAGAIN;
		ret = ch->ops->bind(ch, ch->peer_domid, peer.port,
				    peer.flags & XENSHM_SLOT_FLAGS_STATIC_EVTCHN,
				    &ch->local_port);
		if (ret) {
			/* The receiver may have restarted under us: look again. */
			if (!xenshm_rs_peer_read(&ch->rs, &peer) &&
			    peer.epoch != ch->peer_epoch)
				return xenshm_peer_restarted(ch, &peer) ?: -EAGAIN;
			return ret;
		}
		set_bit(XENSHM_CH_BOUND, &ch->flags);
		ch->evtchn_static = peer.flags & XENSHM_SLOT_FLAGS_STATIC_EVTCHN;
		ch->remote_port = peer.port;
		ret = ch->ops->verify(ch, ch->peer_domid, peer.port);
		if (ret)
			return ret;
		/* Only an event after my CONNECTED counts. */
		clear_bit(XENSHM_CH_KICKED, &ch->flags);
		ret = xenshm_rs_publish(&ch->rs, XENSHM_SLOT_STATE_CONNECTED,
					ch->local_port);
		if (ret)
			return ret;
		/* The receiver waits for this event before its CONNECTED. */
		xenshm_kick(ch);
		ch->phase = XENSHM_PH_WAIT_CONFIRM;
		fallthrough;
	case XENSHM_PH_WAIT_CONFIRM:
		ret = xenshm_same_peer(ch, &peer);
		if (ret)
			return ret;
		/* Still GO: the receiver has not seen us yet. */
		if (peer.state != XENSHM_SLOT_STATE_CONNECTED)
			return xenshm_confirm_wait(ch);
		if (peer.port != ch->remote_port) {
			pr_warn("%s: dom%u published port %u with GO and %u with CONNECTED\n",
				ch->name, ch->peer_domid, ch->remote_port,
				peer.port);
			return -EIO;
		}
		ret = xenshm_confirmed(ch, &peer);
		if (ret)
			return ret;
		xenshm_connected(ch);
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
	/* An implicit connect has no deadline: it waits like a FIFO's open(). */
	if (!ch->implicit && time_after_eq(jiffies, ch->deadline)) {
		xenshm_connect_failed(ch, -ETIMEDOUT);
		return;
	}
	mod_delayed_work(system_wq, &ch->work, ch->implicit ? ch->work_delay :
			 min_t(unsigned long, ch->work_delay,
			       ch->deadline - jiffies + 1));
	ch->work_delay = min_t(unsigned long, ch->work_delay * 2,
			       XENSHM_POLL_MAX);
}

/*
 * Connected: beat, and is the peer still there?  Returns false once the peer
 * is gone (slot, epoch, or silence), when the work stops.
 */
static bool xenshm_heartbeat(struct xenshm_channel *ch)
{
	u64 silent;

	lockdep_assert_held(&ch->lock);
	if (xenshm_check_peer(ch))
		return false;
	xenshm_rs_heartbeat(&ch->rs);
	/*
	 * A check more than two periods (half the limit) after the previous
	 * one means this domain, or the whole host, was not running: the
	 * ring core restarts the window instead of judging.
	 */
	silent = xenshm_rs_live_check(&ch->rs, jiffies64_to_msecs(get_jiffies_64()),
				      ch->hb_limit_ms, ch->hb_limit_ms / 2);
	if (!silent)
		return true;
	xenshm_peer_silent(ch, min_t(u64, silent, UINT_MAX));
	return false;
}

/* ch->work: the next rendezvous step, or the periodic liveness check. */
void xenshm_rendezvous_work(struct work_struct *work)
{
	struct xenshm_channel *ch =
		container_of(to_delayed_work(work), struct xenshm_channel, work);

	mutex_lock(&ch->lock);
	switch (ch->state) {
	case XENSHM_CHAN_STATE_CONNECTING:
		xenshm_rendezvous(ch);
		break;
	case XENSHM_CHAN_STATE_CONNECTED:
		if (xenshm_heartbeat(ch))
			mod_delayed_work(system_wq, &ch->work,
					 xenshm_hb_period(ch));
		break;
	default:
		break;
	}
	mutex_unlock(&ch->lock);
}

/* ---- what the file asks for: CONNECT, RESET, open, release ---- */

/*
 * Start a rendezvous from IDLE (or from PEER_GONE, dropping what was not
 * read): 0 connected, -EINPROGRESS, or the error it failed with at once.
 * @timeout_ms does not apply to an implicit connect (ch->implicit).
 */
static int xenshm_start_connect(struct xenshm_channel *ch, u32 role, u32 mode,
				u32 pin, u32 heartbeat_ms, u32 timeout_ms)
{
	lockdep_assert_held(&ch->lock);
	if (ch->state == XENSHM_CHAN_STATE_CONNECTED)
		xenshm_detach(ch);
	ch->req_role = role;
	ch->role = role;
	ch->mode = mode;
	ch->pin_peer = pin;
	ch->hb_limit_ms = heartbeat_ms ?: XENSHM_HEARTBEAT_MS;
	ch->deadline = jiffies + msecs_to_jiffies(timeout_ms);
	ch->work_delay = XENSHM_POLL_MIN;
	ch->phase = XENSHM_PH_REGION;
	WRITE_ONCE(ch->error, 0);
	xenshm_mmap_settle(ch);
	xenshm_set_state(ch, XENSHM_CHAN_STATE_CONNECTING, true);
	xenshm_rendezvous(ch);

	switch (ch->state) {
	case XENSHM_CHAN_STATE_CONNECTED:
		return 0;
	case XENSHM_CHAN_STATE_CONNECTING:
		return -EINPROGRESS;
	default:
		return ch->error ?: -EIO;
	}
}

int xenshm_channel_connect(struct xenshm_channel *ch,
			   const struct xenshm_connect *arg)
{
	u32 pin = ch->default_peer;
	int ret;

	if (arg->flags & XENSHM_CONNECT_FLAGS_PIN_PEER) {
		/* An administrator's pin cannot be overridden. */
		if (pin != XENSHM_DOMID_NONE && pin != arg->peer_domid)
			return -EACCES;
		pin = arg->peer_domid;
	}

	mutex_lock(&ch->lock);
	/*
	 * read(), write() or poll() connected this end with the defaults: a
	 * CONNECT now would silently change its mode or role under them.
	 */
	if (READ_ONCE(ch->implicit) &&
	    ch->state != XENSHM_CHAN_STATE_IDLE) {
		ret = -EISCONN;
		goto out;
	}
	ch->connect_called = true;
	WRITE_ONCE(ch->implicit, false);
	if (test_bit(XENSHM_CH_BROKEN, &ch->flags)) {
		ret = -EIO;
		goto out;
	}
	switch (ch->state) {
	case XENSHM_CHAN_STATE_CONNECTING:
		ret = -EINPROGRESS;
		goto out;
	case XENSHM_CHAN_STATE_CONNECTED:
		/* The peer left: reconnect (below), else nothing to do. */
		if (!test_bit(XENSHM_CH_PEER_GONE, &ch->flags)) {
			ret = 0;
			goto out;
		}
		break;
	default:
		break;
	}
	ret = xenshm_start_connect(ch, arg->role, arg->mode, pin,
				   arg->heartbeat_ms,
				   arg->timeout_ms ?: XENSHM_CONNECT_TIMEOUT_MS);
out:
	mutex_unlock(&ch->lock);
	return ret;
}

static bool implicit_connect = true;
module_param(implicit_connect, bool, 0644);
MODULE_PARM_DESC(implicit_connect,
		 "read(), write() or poll() on an end nobody connected starts the rendezvous with the defaults, like opening a FIFO (default: Y)");

void xenshm_channel_connect_implicit(struct xenshm_channel *ch)
{
	if (READ_ONCE(ch->state) != XENSHM_CHAN_STATE_IDLE ||
	    !READ_ONCE(implicit_connect))
		return;
	mutex_lock(&ch->lock);
	/* Not after CONNECT, not over a failed connect's error, not twice. */
	if (ch->state == XENSHM_CHAN_STATE_IDLE && !ch->connect_called &&
	    !ch->error && !test_bit(XENSHM_CH_BROKEN, &ch->flags)) {
		WRITE_ONCE(ch->implicit, true);
		/* No deadline: ch->implicit makes the timeout unused. */
		xenshm_start_connect(ch, XENSHM_ROLE_AUTO, XENSHM_MODE_STREAM,
				     ch->default_peer, 0, 0);
	}
	mutex_unlock(&ch->lock);
}

/*
 * Back to IDLE with no error, as RESET and the last close leave an end.
 * detach keeps BROKEN so a failed connect can report it; this drops it.
 */
static void xenshm_end_idle(struct xenshm_channel *ch)
{
	lockdep_assert_held(&ch->lock);
	xenshm_detach(ch);
	WRITE_ONCE(ch->error, 0);
	WRITE_ONCE(ch->implicit, false);
	xenshm_set_state(ch, XENSHM_CHAN_STATE_IDLE, true);
}

int xenshm_channel_reset(struct xenshm_channel *ch)
{
	mutex_lock(&ch->lock);
	xenshm_end_idle(ch);
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
		ch->connect_called = false;
		WRITE_ONCE(ch->error, 0);
		xenshm_stats_clear(ch);
	}
	mutex_unlock(&ch->lock);
	return ret;
}

/*
 * How long the last close of an implicitly connected end waits for the peer
 * to read what was written, as a tty's closing_wait does.
 */
static unsigned int close_drain_ms = 10000;
module_param(close_drain_ms, uint, 0644);
MODULE_PARM_DESC(close_drain_ms,
		 "Last close of an end connected by read()/write() waits up to this long for the peer to read what is queued (default: 10000)");

/*
 * Has the peer read everything this end wrote (or can it no longer)?  Arms
 * my TX ring's event word for "all free" when not.  tx_lock held.
 */
static bool xenshm_tx_drained(struct xenshm_channel *ch)
{
	long space;

	lockdep_assert_held(&ch->tx_lock);
	if (ch->state != XENSHM_CHAN_STATE_CONNECTED ||
	    test_bit(XENSHM_CH_MMAP, &ch->flags) || xenshm_check_peer(ch))
		return true;
	space = xenshm_rs_tx_space(&ch->rs);
	if (space >= 0 && space < ch->rs.data_size)
		space = xenshm_rs_tx_arm(&ch->rs, ch->rs.data_size) > 0 ?
			ch->rs.data_size : space;
	if (space < 0)
		xenshm_mark_broken(ch);
	return space < 0 || space >= ch->rs.data_size;
}

/*
 * An implicitly connected end is used like a FIFO: `echo hi > dev` writes
 * and closes at once.  Closing frees the slot; a peer that has not yet seen
 * this end CONNECTED (the receiver is connected one event before the
 * sender) would then start over and never read the data.  So the last close
 * of a blocking file waits until the peer has read it, left, or
 * close_drain_ms passed; a fatal signal ends the wait.  No lock is held
 * while waiting: ch->work (the heartbeat that notices a dead peer) needs
 * ch->lock.
 */
static void xenshm_drain_on_close(struct xenshm_channel *ch)
{
	unsigned long end = jiffies + msecs_to_jiffies(READ_ONCE(close_drain_ms));
	bool done;
	int seq;

	for (;;) {
		mutex_lock(&ch->tx_lock);
		seq = atomic_read(&ch->event_seq);
		done = !READ_ONCE(ch->implicit) || xenshm_tx_drained(ch);
		mutex_unlock(&ch->tx_lock);
		if (done)
			return;
		if (!time_before(jiffies, end)) {
			pr_info("%s: closed with data dom%u has not read after %u ms\n",
				ch->name, ch->peer_domid, READ_ONCE(close_drain_ms));
			return;
		}
		if (wait_event_killable_timeout(ch->wq,
						atomic_read(&ch->event_seq) != seq,
						end - jiffies) <= 0 &&
		    fatal_signal_pending(current))
			return;
	}
}

void xenshm_channel_release(struct xenshm_channel *ch, bool drain)
{
	if (drain)
		xenshm_drain_on_close(ch);
	mutex_lock(&ch->lock);
	xenshm_end_idle(ch);
	/*
	 * Drop the eventfd while the end is still ours: once opened is false
	 * a new opener may SET_EVENTFD, and clearing after that would wipe it.
	 */
	xenshm_channel_set_eventfd(ch, -1);
	ch->opened = false;
	mutex_unlock(&ch->lock);
}

/* Module exit, or an init that failed: no file is open (channel.h). */
void xenshm_rendezvous_stop(struct xenshm_channel *ch)
{
	mutex_lock(&ch->lock);
	WARN_ON(ch->opened);
	xenshm_detach(ch);
	mutex_unlock(&ch->lock);
	cancel_delayed_work_sync(&ch->work);
}
