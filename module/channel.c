// SPDX-License-Identifier: GPL-2.0-only
/*
 * A xenshm channel end: the object, the events that reach it, the peer check,
 * the eventfd, the counters and GET_INFO.
 *
 * How this works
 *   A transport creates the end (xenshm_channel_create()) on a region it
 *   found or allocated, and routes every notification from the peer to
 *   xenshm_channel_event().  The rendezvous that connects the end runs in
 *   rendezvous.c, the data path in datapath.c; both report what they saw
 *   through the helpers here (xenshm_changed(), xenshm_check_peer(),
 *   xenshm_mark_broken(), xenshm_kick*()), so every wakeup, every eventfd
 *   signal and every counter has one source.  channel.h says what each lock
 *   protects and the order they nest in.
 *
 * Liveness: once connected, the peer is checked (slot FREE or epoch changed
 *   => PEER_GONE) on every event, when a read finds the ring empty, before
 *   every write, and periodically from ch->work (rendezvous.c).  A detaching
 *   peer frees its slot and then sends an event, so a clean hang-up is seen
 *   at once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/eventfd.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "channel.h"
#include "kcompat.h"

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

/* ---- state and events ---- */

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

void xenshm_changed(struct xenshm_channel *ch)
{
	atomic_inc(&ch->event_seq);
	/* Not only interruptible sleepers: the drain on close is killable. */
	wake_up_all(&ch->wq);
	xenshm_signal_eventfd(ch);
}

void xenshm_mark_broken(struct xenshm_channel *ch)
{
	if (!test_and_set_bit(XENSHM_CH_BROKEN, &ch->flags)) {
		atomic64_inc(&ch->stats.errors);
		pr_warn_ratelimited("%s: shared memory corrupt, channel broken\n",
				    ch->name);
		xenshm_changed(ch);
	}
}

bool xenshm_check_peer(struct xenshm_channel *ch)
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

void xenshm_peer_silent(struct xenshm_channel *ch, unsigned int ms)
{
	if (!test_and_set_bit(XENSHM_CH_PEER_GONE, &ch->flags)) {
		pr_warn("%s: dom%u silent for %u ms (no heartbeat, no ring progress): treating it as gone\n",
			ch->name, ch->peer_domid, ms);
		xenshm_changed(ch);
	}
}

/*
 * Events run the rendezvous work at most this often: a peer that kicks in a
 * loop (changing its slot words each time) cannot make ch->work spin, and
 * the work's own backoff (rendezvous.c) is only shortened, never disabled.
 */
#define XENSHM_EV_WORK_GAP	msecs_to_jiffies(10)

/*
 * The words an event announces (channel.h, xenshm_channel_event()), each read
 * once.  Only compared for equality: any value is harmless.  ch->rs.slot
 * changes under ch->lock only, and every offset is inside the region.
 */
static void xenshm_event_words(struct xenshm_channel *ch, u32 w[7])
{
	void *base = ch->region->base;
	int slot = READ_ONCE(ch->rs.slot);
	const struct xenshm_slot *peer;
	const struct xenshm_ring_ctrl *rx, *tx;

	w[0] = ch->state;
	w[1] = slot;
	if (slot < 0) {
		memset(&w[2], 0, 5 * sizeof(*w));
		return;
	}
	peer = base + (slot ? XENSHM_SLOT0_OFF : XENSHM_SLOT1_OFF);
	rx = base + (slot ? XENSHM_RING0_CTRL_OFF : XENSHM_RING1_CTRL_OFF);
	tx = base + (slot ? XENSHM_RING1_CTRL_OFF : XENSHM_RING0_CTRL_OFF);
	w[2] = READ_ONCE(peer->state);
	w[3] = READ_ONCE(peer->epoch);
	w[4] = READ_ONCE(peer->port);
	w[5] = READ_ONCE(rx->prod);
	w[6] = READ_ONCE(tx->cons);
}

bool xenshm_channel_event(struct xenshm_channel *ch)
{
	unsigned long irqflags, delay = 0;
	u32 state, seen[ARRAY_SIZE(ch->ev_seen)];
	bool work;

	atomic64_inc(&ch->stats.notify_recv);
	spin_lock_irqsave(&ch->conn_lock, irqflags);
	state = ch->state;
	if (state == XENSHM_CHAN_STATE_CONNECTED)
		xenshm_check_peer(ch);
	else if (state == XENSHM_CHAN_STATE_CONNECTING)
		set_bit(XENSHM_CH_KICKED, &ch->flags);	/* rendezvous.c */
	xenshm_event_words(ch, seen);
	work = memcmp(seen, ch->ev_seen, sizeof(seen)) != 0;
	memcpy(ch->ev_seen, seen, sizeof(seen));
	if (work && state == XENSHM_CHAN_STATE_CONNECTING) {
		unsigned long now = jiffies;

		if (time_before(now, ch->ev_work_at))
			delay = ch->ev_work_at - now;
		ch->ev_work_at = now + delay + XENSHM_EV_WORK_GAP;
	}
	spin_unlock_irqrestore(&ch->conn_lock, irqflags);
	if (work && state == XENSHM_CHAN_STATE_CONNECTING)
		mod_delayed_work(system_wq, &ch->work, delay);
	/*
	 * Wake on every event, even one that looks spurious: the words are
	 * a hint, a lost wakeup is not.
	 */
	xenshm_changed(ch);
	return work;
}

void xenshm_kick(struct xenshm_channel *ch)
{
	if (test_bit(XENSHM_CH_BOUND, &ch->flags)) {
		ch->ops->notify(ch);
		atomic64_inc(&ch->stats.notify_sent);
	}
}

void xenshm_kick_if(struct xenshm_channel *ch, int need)
{
	if (need > 0)
		xenshm_kick(ch);
	else if (!need)
		atomic64_inc(&ch->stats.notify_suppressed);
	else
		xenshm_mark_broken(ch);
}

/* ---- eventfd and counters ---- */

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

void xenshm_stats_clear(struct xenshm_channel *ch)
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
	init_waitqueue_head(&ch->wq);
	INIT_DELAYED_WORK(&ch->work, xenshm_rendezvous_work);
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
	xenshm_rendezvous_stop(ch);
	xenshm_channel_set_eventfd(ch, -1);
	xenshm_region_put(ch->region);
	kfree(ch);
}
