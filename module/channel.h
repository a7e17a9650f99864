/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A xenshm channel: one shared region and the local END of the conversation
 * carried in it.
 *
 * Objects
 *   struct xenshm_region   the shared memory (loopback: vmalloc_user();
 *                          Xen: memremap()ed static shared memory).  Refcounted
 *                          (kref): the channel holds one reference, every VMA
 *                          mapping it holds another, so memory outlives close().
 *   struct xenshm_channel  one local end: the slot it owns, its role and mode,
 *                          the rendezvous state, the event-channel ports, wait
 *                          queues, the eventfd and the counters.  Created by a
 *                          transport (loopback.c, xen.c) and destroyed by it; it
 *                          lives as long as the module, which cannot be
 *                          unloaded while a file or a mapping is open.
 *
 * Transports differ only in struct xenshm_transport_ops: how to learn the local
 * domid, how the receiver allocates its port, how the sender binds, how to kick
 * the peer and how to tear the binding down.  Every notification that reaches
 * this end, whatever carried it, enters through xenshm_channel_event().
 *
 * Locking (outer to inner; see channel.c for the details):
 *   ch->lock       mutex: configuration and rendezvous state (state, role,
 *                  mode, slot, ports, peer identity, connect error, opener,
 *                  transport binding).  Held by ioctls and the channel work.
 *   ch->tx_lock    mutex: the single producer of the TX ring (write(), NOTIFY tx).
 *   ch->rx_lock    mutex: the single consumer of the RX ring (read(), NOTIFY rx).
 *   ch->conn_lock  spinlock (irq-safe): the connection snapshot read by poll()
 *                  and by the event handler (state, peer epoch, ring handles).
 *   ch->ev_lock    spinlock (irq-safe): ch->evfd.
 *   The connection (ch->state, ch->rs, peer identity) changes only with ALL of
 *   lock, tx_lock, rx_lock and conn_lock held, so holding any one of them is
 *   enough to read it.  The flag bits in ch->flags (BROKEN, PEER_GONE) are set
 *   with atomic bitops from any context and cleared only with all four held.
 */
#ifndef XENSHM_CHANNEL_H
#define XENSHM_CHANNEL_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "uapi/xenshm.h"
#include "ringshim.h"

struct eventfd_ctx;
struct file;
struct iov_iter;
struct vm_area_struct;
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
	 * Receiver: allocate an unbound port that @peer_domid may bind to, and
	 * route its events to xenshm_channel_event(ch).  The start of the
	 * recipe.  Process context, may sleep.  ch->lock held.
	 */
	int (*listen)(struct xenshm_channel *ch, u32 peer_domid, u32 *local_port);
	/*
	 * Sender: bind to @remote_port of @peer_domid and route events of the
	 * new local port to xenshm_channel_event(ch).  The port came from
	 * shared memory: it is hostile, the transport validates it.  Process
	 * context, may sleep.  ch->lock held.
	 */
	int (*bind)(struct xenshm_channel *ch, u32 peer_domid, u32 remote_port,
		    u32 *local_port);
	/*
	 * Send one event to the peer.  Any context (hard irq, spinlocks held);
	 * only called between a successful listen/bind and teardown.
	 */
	void (*notify)(struct xenshm_channel *ch);
	/*
	 * Undo listen/bind.  When it returns, no xenshm_channel_event(ch)
	 * from this binding is running or will run.  Process context, may
	 * sleep.  ch->lock held.
	 */
	void (*teardown)(struct xenshm_channel *ch);
};

/* ---- channel ---- */

/* Bits of ch->flags. */
enum {
	XENSHM_CH_BROKEN,	/* sticky corruption: -EIO until RESET */
	XENSHM_CH_PEER_GONE,	/* peer slot FREE or epoch changed */
	XENSHM_CH_BOUND,	/* listen/bind done: notify() may be used */
	/* Rings mapped writable: data moves through the mapping, read() and
	 * write() refuse with EBUSY.
	 */
	XENSHM_CH_MMAP,
};

/* Rendezvous phases (ch->phase), see channel.c. */
enum xenshm_phase {
	XENSHM_PH_REGION,	/* initialise or validate the region */
	XENSHM_PH_CLAIM,	/* claim a slot, attach my TX ring */
	XENSHM_PH_PEER,		/* wait for the peer, pick roles, listen */
	XENSHM_PH_WAIT_GO,	/* sender: wait for GO, then bind */
	XENSHM_PH_WAIT_CONNECTED, /* receiver: wait for the sender */
};

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
	char name[XENSHM_NAME_MAX];
	char devname[XENSHM_NAME_MAX + 8];	/* "xenshm/<name>" */
	struct xenshm_region *region;
	const struct xenshm_transport_ops *ops;
	void *tpriv;			/* transport's per-channel data */
	int want_slot;			/* 0, 1, or -1 for "any free slot" */
	u32 default_peer;		/* XENSHM_DOMID_NONE, or a pinned peer */
	struct miscdevice misc;
	bool registered;

	/* ---- protected by lock ---- */
	struct mutex lock;		/* control plane, see above */
	bool opened;			/* one opener per end */
	u32 state;			/* IDLE, CONNECTING or CONNECTED */
	enum xenshm_phase phase;	/* while CONNECTING */
	int error;			/* why the last connect failed, or 0 */
	u32 req_role;			/* role asked for by CONNECT */
	u32 role;			/* role in effect once picked */
	u32 mode;			/* mode this end produces */
	u32 tx_flags;			/* slot flags published */
	u32 pin_peer;			/* required peer domid or DOMID_NONE */
	u32 local_domid;
	u32 peer_domid;
	u32 peer_epoch;			/* peer's epoch seen at connect */
	u32 peer_flags;			/* peer's slot flags seen at connect */
	u32 local_port;
	u32 remote_port;
	int slot;			/* slot owned, or -1 */
	unsigned long deadline;		/* jiffies: connect timeout */
	unsigned long work_delay;	/* jiffies: next poll of the rendezvous */
	struct delayed_work work;	/* rendezvous steps and liveness check */

	struct mutex tx_lock;		/* single producer of the TX ring */
	struct mutex rx_lock;		/* single consumer of the RX ring */
	spinlock_t conn_lock;		/* connection, for the event handler */
	struct xenshm_rs rs;		/* ring core handles (ringshim.h) */

	unsigned long flags;		/* XENSHM_CH_* bits */
	atomic_t event_seq;		/* bumped by every event / state change */
	atomic_t rings_mapped;		/* live writable VMAs of the rings */

	wait_queue_head_t rx_wq;	/* readers: data or a state change */
	wait_queue_head_t tx_wq;	/* writers: space or a state change */
	wait_queue_head_t state_wq;	/* poll: connect finished or failed */

	spinlock_t ev_lock;		/* protects evfd (irq-safe) */
	struct eventfd_ctx *evfd;

	struct xenshm_counters stats;
};

/*
 * Create an end on @region (takes over the caller's region reference) and
 * register /dev/xenshm/<name>.  @want_slot is 0 or 1 for a fixed slot, -1 to
 * claim whichever is free.  @pin_peer is XENSHM_DOMID_NONE or a domid to
 * refuse every other peer.
 */
struct xenshm_channel *
xenshm_channel_create(const char *name, struct xenshm_region *region,
		      const struct xenshm_transport_ops *ops, void *tpriv,
		      int want_slot, u32 pin_peer);
/*
 * Unregister and free.  No file may be open and no mapping may exist: call
 * it only from module exit (fops.owner and the VMAs pin the module), so a
 * VMA may point at its channel.
 */
void xenshm_channel_destroy(struct xenshm_channel *ch);

/*
 * The one entry for notifications from the peer: wakes readers, writers,
 * pollers and state waiters, signals the eventfd, counts, and advances a
 * rendezvous in progress.  Any context, including hard irq.
 */
void xenshm_channel_event(struct xenshm_channel *ch);

/* Used by chardev.c. */
int xenshm_channel_open(struct xenshm_channel *ch);
void xenshm_channel_release(struct xenshm_channel *ch);
int xenshm_channel_connect(struct xenshm_channel *ch,
			   const struct xenshm_connect *arg);
int xenshm_channel_reset(struct xenshm_channel *ch);
int xenshm_channel_set_eventfd(struct xenshm_channel *ch, int fd);
void xenshm_channel_info(struct xenshm_channel *ch, struct xenshm_info *info);
void xenshm_channel_stats(struct xenshm_channel *ch, struct xenshm_stats *st);
int xenshm_channel_notify(struct xenshm_channel *ch, u32 flags);

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
__poll_t xenshm_channel_poll_mask(struct xenshm_channel *ch);
/* A writable mapping of the rings appeared / went (chardev.c vm_ops). */
void xenshm_channel_map_rings(struct xenshm_channel *ch);
void xenshm_channel_unmap_rings(struct xenshm_channel *ch);
/* User-visible state (enum chan_state), folding in BROKEN and PEER_GONE. */
u32 xenshm_channel_state(struct xenshm_channel *ch);

extern const struct file_operations xenshm_fops;

/* An ioctl argument, once copied in (every one starts with size, flags). */
union xenshm_ioc_arg {
	struct xenshm_info info;
	struct xenshm_connect connect;
	struct xenshm_eventfd eventfd;
	struct xenshm_notify notify;
	struct xenshm_stats stats;
	struct xenshm_reset reset;
};

/*
 * chardev.c: the ioctl handler of @file after the user copies.  @u holds
 * the argument of @cmd, its size already checked; GET_INFO and STATS fill it
 * in.  Validates and executes the command: 0 (NOTIFY: 0 or 1) or -errno.
 * unlocked_ioctl wraps it; KUnit calls it with kernel structs.
 */
long xenshm_ioctl_arg(struct file *file, unsigned int cmd,
		      union xenshm_ioc_arg *u);
extern const struct attribute_group *xenshm_dev_groups[];

#endif /* XENSHM_CHANNEL_H */
