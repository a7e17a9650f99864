/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A xenshm channel: one shared region and the local END of the conversation
 * carried in it.
 *
 * Objects
 *   struct xenshm_region   the shared memory (loopback: vmalloc_user();
 *                          Xen: memremap()ed static shared memory).  Refcounted
 *                          (kref): the channel holds one reference, every VMA
 *                          mapping it holds another.
 *   struct xenshm_channel  one local end: the slot it owns, its role and mode,
 *                          the rendezvous state, the event-channel ports, the
 *                          wait queue, the eventfd and the counters.  Created
 *                          and destroyed by a transport (loopback.c, xen.c); it
 *                          lives as long as the module, which cannot be
 *                          unloaded while a file or a mapping is open.
 *
 * Layering: transport -> channel -> char device.  A transport creates the
 * channel, hands it to the char device (chardev.h) and feeds it events
 * through xenshm_channel_event(); the channel reaches the transport only
 * through struct xenshm_transport_ops and knows nothing of the char device,
 * which calls the channel API below.
 *
 * The channel's code, one job per file:
 *   channel.c     the object: create/destroy, events, peer check, eventfd,
 *                 counters, GET_INFO
 *   rendezvous.c  CONNECT: the slot state machine, detach, reconnect, RESET,
 *                 open/release, the liveness check
 *   datapath.c    read/write, poll, NOTIFY, mmap bookkeeping
 *   ringshim.c    the ring core (ringcore/, through xenshm/xsr.h)
 *
 * Locking: the locks are declared in struct xenshm_channel, each with what it
 * protects; the order is lock -> tx_lock -> rx_lock -> conn_lock, ev_lock is
 * a leaf.  The connection (ch->state) changes only with all four held
 * (xenshm_set_state()); the slot and ring setup (ch->rs), the peer's
 * identity and the configuration change only under ch->lock while ch->state
 * is not CONNECTED.  So whoever holds any one of the four and sees CONNECTED
 * may read all of them; moving data through rs.tx / rs.rx takes tx_lock /
 * rx_lock.  The flag bits BROKEN and PEER_GONE are set with atomic bitops
 * from any context and cleared only with all four held.
 */
#ifndef XENSHM_CHANNEL_H
#define XENSHM_CHANNEL_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "uapi/xenshm.h"
#include "ringshim.h"

struct eventfd_ctx;
struct iov_iter;
struct xenshm_channel;

/* ---- shared region ---- */

enum xenshm_region_kind {
	XENSHM_REGION_VMALLOC,	/* base from vmalloc_user(): remap_vmalloc_range() */
	XENSHM_REGION_PHYS,	/* base = memremap(phys): remap_pfn_range() */
};

struct xenshm_region {
	struct kref ref;
	void *base;
	size_t size;		/* bytes, a multiple of PAGE_SIZE */
	enum xenshm_region_kind kind;
	phys_addr_t phys;	/* XENSHM_REGION_PHYS only */
	/* Frees the memory and the struct; called when the last ref goes. */
	void (*release)(struct xenshm_region *region);
};

static inline void xenshm_region_get(struct xenshm_region *region)
{
	kref_get(&region->ref);
}

void xenshm_region_put(struct xenshm_region *region);

/* ---- transport ---- */

struct xenshm_transport_ops {
	u32 transport;		/* XENSHM_TRANSPORT_* */
	/*
	 * Learn this domain's id.  Process context, may sleep.
	 */
	int (*local_domid)(struct xenshm_channel *ch, u32 *domid);
	/*
	 * Receiver: take a port for @peer_domid and route its events to
	 * xenshm_channel_event(ch): a static event channel to @peer_domid if
	 * the transport has one for this channel (*is_static = true), else an
	 * unbound port that @peer_domid may bind to (the recipe).  Process
	 * context, may sleep.  ch->lock held.
	 */
	int (*listen)(struct xenshm_channel *ch, u32 peer_domid, u32 *local_port,
		      bool *is_static);
	/*
	 * Sender: bind to @remote_port of @peer_domid, or with @is_static use
	 * the local static port whose remote end is that port, and route the
	 * local port's events to xenshm_channel_event(ch).  @remote_port and
	 * @is_static came from shared memory: hostile, the transport validates
	 * them.  Process context, may sleep.  ch->lock held.
	 */
	int (*bind)(struct xenshm_channel *ch, u32 peer_domid, u32 remote_port,
		    bool is_static, u32 *local_port);
	/*
	 * After listen/bind: 0 if the local port's remote end is @remote_port
	 * of @peer_domid as the transport itself (Xen) sees it, -EACCES if
	 * not.  The domid and port came from shared memory.  Process context,
	 * may sleep.  ch->lock held.
	 */
	int (*verify)(struct xenshm_channel *ch, u32 peer_domid, u32 remote_port);
	/*
	 * Send one event to the peer.  Any context (hard irq, spinlocks held).
	 * The channel calls it after a successful listen/bind, but tests that
	 * without a lock (xenshm_kick()), so a call may race with teardown or
	 * follow it: the transport serialises the two itself (a spinlock, not
	 * a sleeping lock) and makes such a call do nothing; it must never
	 * reach a binding teardown freed.
	 */
	void (*notify)(struct xenshm_channel *ch);
	/*
	 * Undo listen/bind.  When it returns, no xenshm_channel_event(ch)
	 * from this binding is running or will run, and no notify() is
	 * using the binding.  Process context, may sleep.  ch->lock held.
	 *
	 * Events reach the channel through xenshm_channel_event(), whose
	 * result tells the transport whether the event brought anything; a
	 * transport with a storm backoff (Xen's late EOI) reports the event
	 * spurious when it returns false.
	 */
	void (*teardown)(struct xenshm_channel *ch);
};

/* ---- channel ---- */

/* Bits of ch->flags. */
enum {
	XENSHM_CH_BROKEN,	/* sticky corruption: -EIO until RESET */
	XENSHM_CH_PEER_GONE,	/* peer slot FREE or epoch changed */
	XENSHM_CH_BOUND,	/* listen/bind done: notify() may be used */
	/* An event arrived while CONNECTING; the rendezvous clears it when
	 * it publishes its port and waits for it before CONNECTED.
	 */
	XENSHM_CH_KICKED,
	/* Rings mapped writable: data moves through the mapping, read() and
	 * write() refuse with EBUSY.
	 */
	XENSHM_CH_MMAP,
};

/* Rendezvous phases (ch->phase), see rendezvous.c. */
enum xenshm_phase {
	XENSHM_PH_REGION,	/* initialise or validate the region */
	XENSHM_PH_CLAIM,	/* claim a slot, attach my TX ring */
	XENSHM_PH_PEER,		/* wait for the peer, pick roles, listen */
	XENSHM_PH_WAIT_GO,	/* sender: wait for GO, then bind */
	XENSHM_PH_WAIT_CONNECTED, /* receiver: wait for the sender */
	XENSHM_PH_WAIT_CONFIRM,	/* sender: wait for the receiver's event */
};

/* Every field a sysfs file (chardev.c) and STATS report; only atomic64_t. */
struct xenshm_counters {
	atomic64_t tx_bytes;
	atomic64_t rx_bytes;
	atomic64_t tx_msgs;
	atomic64_t rx_msgs;
	atomic64_t notify_sent;
	atomic64_t notify_recv;
	atomic64_t notify_suppressed;
	atomic64_t errors;
};

#define XENSHM_NAME_MAX 32

struct xenshm_channel {
	/* ---- fixed at creation ---- */
	char name[XENSHM_NAME_MAX];	/* the device is /dev/xenshm/<name> */
	struct xenshm_region *region;
	const struct xenshm_transport_ops *ops;
	void *tpriv;			/* transport's per-channel data */
	int want_slot;			/* 0, 1, or -1 for "any free slot" */
	u32 default_peer;		/* XENSHM_DOMID_NONE, or a pinned peer */

	struct mutex lock;		/* control plane: the fields below, up to work */
	bool opened;			/* one opener per end */
	u32 state;			/* IDLE, CONNECTING or CONNECTED */
	enum xenshm_phase phase;	/* while CONNECTING */
	int error;			/* why the last connect failed, or 0 */
	u32 req_role;			/* role asked for by CONNECT */
	u32 role;			/* role in effect once picked */
	u32 mode;			/* mode this end produces */
	u32 pin_peer;			/* required peer domid or DOMID_NONE */
	bool connect_called;		/* CONNECT since open: no implicit connect */
	/*
	 * read(), write() or poll() started this connection with the
	 * defaults (FIFO rules: no deadline, EPIPE, drain on close).  Also
	 * read without ch->lock as a hint (READ_ONCE).
	 */
	bool implicit;
	u32 local_domid;
	u32 peer_domid;
	u32 peer_epoch;			/* peer's epoch seen at connect */
	u32 local_port;
	u32 remote_port;
	unsigned long deadline;		/* jiffies: connect timeout */
	unsigned long confirm_by;	/* jiffies: the peer's event is due, or 0 */
	ktime_t peer_seen;		/* the rendezvous found its peer (for the log) */
	unsigned int hb_limit_ms;	/* the peer is gone after this much silence */
	bool evtchn_static;		/* the port is a static event channel */
	unsigned long work_delay;	/* jiffies: next poll of the rendezvous */
	struct delayed_work work;	/* rendezvous steps and liveness check */

	struct mutex tx_lock;		/* this end is the single producer of rs.tx */
	struct mutex rx_lock;		/* this end is the single consumer of rs.rx */
	spinlock_t conn_lock;		/* irq-safe: the connection, for xenshm_channel_event() */
	struct xenshm_rs rs;		/* ring core handles (ringshim.h) */
	/* conn_lock: what the previous event saw (xenshm_channel_event()). */
	u32 ev_seen[7];
	/* conn_lock: jiffies before which an event may not run ch->work. */
	unsigned long ev_work_at;

	unsigned long flags;		/* XENSHM_CH_* bits, atomic bitops */
	atomic_t rings_mapped;		/* live writable VMAs of the rings */
	/*
	 * One wait queue for every sleeper: read() and write() sample
	 * event_seq before their last check and sleep on wq until it changes;
	 * poll() and state waiters wait on wq too.  xenshm_changed() bumps
	 * event_seq before waking wq, on every event and every state change,
	 * so no wakeup is lost.
	 */
	atomic_t event_seq;
	wait_queue_head_t wq;

	spinlock_t ev_lock;		/* irq-safe: evfd */
	struct eventfd_ctx *evfd;

	struct xenshm_counters stats;
};

/* ---- channel.c ---- */

/*
 * Create an end on @region (takes over the caller's region reference, even on
 * error).  @want_slot is 0 or 1 for a fixed slot, -1 to claim whichever is
 * free.  @pin_peer is XENSHM_DOMID_NONE or a domid to refuse every other
 * peer.  The caller then gives it a device (xenshm_chardev_add()).
 */
struct xenshm_channel *
xenshm_channel_create(const char *name, struct xenshm_region *region,
		      const struct xenshm_transport_ops *ops, void *tpriv,
		      int want_slot, u32 pin_peer);
/*
 * Detach and free.  No file may be open and no mapping may exist, and the
 * device must be gone (xenshm_chardev_remove()): call it only from module
 * exit or from the init that failed (fops.owner and the VMAs pin the module,
 * so a VMA may point at its channel).
 */
void xenshm_channel_destroy(struct xenshm_channel *ch);

/*
 * The one entry for notifications from the peer: wakes readers, writers,
 * pollers and state waiters, signals the eventfd, counts, and advances a
 * rendezvous in progress.  Any context, including hard irq.
 *
 * Returns true if the event may have brought something, false if it surely
 * brought nothing ("spurious"): the words the peer writes and an event
 * announces (its slot's state, epoch and port, the producer index of my RX
 * ring, the consumer index of my TX ring), and my own state and slot, are
 * all as at the previous event.  Heartbeat and event-index words do not
 * count: the peer sends no event for them.  A second kick for data the
 * first event already showed is spurious too, as in netback.  The words are
 * a hint compared for equality only: a hostile peer can make an event count
 * as work (at its own cost) or as spurious (delaying its own events).
 */
bool xenshm_channel_event(struct xenshm_channel *ch);

/* User-visible state (enum chan_state), folding in BROKEN and PEER_GONE. */
u32 xenshm_channel_state(struct xenshm_channel *ch);
int xenshm_channel_set_eventfd(struct xenshm_channel *ch, int fd);
void xenshm_channel_info(struct xenshm_channel *ch, struct xenshm_info *info);
void xenshm_channel_stats(struct xenshm_channel *ch, struct xenshm_stats *st);

/* ---- rendezvous.c ---- */

/* One opener per end: -EBUSY for a second one. */
int xenshm_channel_open(struct xenshm_channel *ch);
/*
 * The file went: detach, back to IDLE, eventfd dropped.  @drain: an
 * implicitly connected end first waits (bounded) for the peer to read
 * what is queued; false for an O_NONBLOCK file.
 */
void xenshm_channel_release(struct xenshm_channel *ch, bool drain);
/* CONNECT (docs/uapi.md): 0 connected, -EINPROGRESS, or -errno. */
int xenshm_channel_connect(struct xenshm_channel *ch,
			   const struct xenshm_connect *arg);
int xenshm_channel_reset(struct xenshm_channel *ch);
/*
 * read(), write() or poll() on an IDLE end nobody connected since open:
 * start the rendezvous with the defaults (stream mode, AUTO role, no
 * deadline), unless the implicit_connect parameter is off.  Sleeps.
 */
void xenshm_channel_connect_implicit(struct xenshm_channel *ch);

/* ---- datapath.c ---- */

/* How read()/write() may wait (chardev.c derives it from the kiocb). */
enum xenshm_io_wait {
	XENSHM_IO_BLOCK,	/* sleep for data, space, a connection, locks */
	XENSHM_IO_NONBLOCK,	/* O_NONBLOCK: -EAGAIN instead of sleeping for
				 * data, space or a connection
				 */
	XENSHM_IO_NOWAIT,	/* IOCB_NOWAIT (io_uring, RWF_NOWAIT): as
				 * NONBLOCK, and -EAGAIN for a busy lock too
				 */
};

/*
 * Move iov_iter_count() bytes (see docs/uapi.md "read() and write()"):
 * bytes moved or -errno; the iterator advances by the bytes moved.
 */
ssize_t xenshm_channel_read(struct xenshm_channel *ch, struct iov_iter *to,
			    enum xenshm_io_wait wait);
ssize_t xenshm_channel_write(struct xenshm_channel *ch, struct iov_iter *from,
			     enum xenshm_io_wait wait);
/* The poll mask; the caller waits on ch->wq. */
__poll_t xenshm_channel_poll_mask(struct xenshm_channel *ch);
/* NOTIFY: 1 the peer was kicked, 0 it did not ask, or -errno. */
int xenshm_channel_notify(struct xenshm_channel *ch, u32 flags);
/* A writable mapping of the rings appeared / went (chardev.c vm_ops). */
void xenshm_channel_map_rings(struct xenshm_channel *ch);
void xenshm_channel_unmap_rings(struct xenshm_channel *ch);

/* ---- inside the channel: channel.c for rendezvous.c and datapath.c ---- */

/* Something happened: bump event_seq, wake wq, signal the eventfd. */
void xenshm_changed(struct xenshm_channel *ch);
/* Shared memory is corrupt: BROKEN (sticky until RESET), counted, woken. */
void xenshm_mark_broken(struct xenshm_channel *ch);
/*
 * Is the peer gone (or the channel broken)?  Caller holds one of the four
 * locks and saw ch->state == CONNECTED under it; sets PEER_GONE or BROKEN.
 */
bool xenshm_check_peer(struct xenshm_channel *ch);
/* The peer went silent (rendezvous.c's heartbeat check): PEER_GONE. */
void xenshm_peer_silent(struct xenshm_channel *ch, unsigned int ms);
/* Kick the peer if bound.  Any context. */
void xenshm_kick(struct xenshm_channel *ch);
/* After a data move: kick if the peer asked (@need 1), count it if not (0),
 * mark the channel broken on a negative @need.
 */
void xenshm_kick_if(struct xenshm_channel *ch, int need);
void xenshm_stats_clear(struct xenshm_channel *ch);
/* rendezvous.c, for channel.c: the work item, and the detach of destroy. */
void xenshm_rendezvous_work(struct work_struct *work);
void xenshm_rendezvous_stop(struct xenshm_channel *ch);

#endif /* XENSHM_CHANNEL_H */
