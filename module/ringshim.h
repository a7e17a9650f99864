/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ringshim: the kernel's only door to the ring core (ringcore/, C++ behind
 * the C facade xenshm/xsr.h).  The channel (channel.c, rendezvous.c,
 * datapath.c) calls these functions and never xsr_*() directly; this header
 * only borrows the facade's handle types so the channel can embed them.
 *
 * Errors are negative Linux errno values.  The caller serialises calls on
 * one direction (tx_lock / rx_lock), as the facade requires.
 */
#ifndef XENSHM_RINGSHIM_H
#define XENSHM_RINGSHIM_H

#include <linux/types.h>

#include "xenshm/xsr.h"

struct iov_iter;

/* What the peer's slot held when it was read (each word read once). */
struct xenshm_rs_peer {
	u32 state;		/* XENSHM_SLOT_STATE_* */
	u32 domid;
	u32 epoch;
	u32 port;
	u32 flags;		/* XENSHM_SLOT_FLAGS_* */
};

/* One end's view of a region: facade handles plus what the shim remembers. */
struct xenshm_rs {
	struct xsr_region rg;
	struct xsr_ring tx;
	struct xsr_ring rx;
	/* The same rings joined at attach, for xenshm_rs_mmap_*(). */
	struct xsr_ring tx_map;
	struct xsr_ring rx_map;
	u32 data_size;		/* 0 until the region was opened */
	int slot;		/* owned slot, or -1 */
	u32 tx_mode;		/* XENSHM_MODE_* of each ring */
	u32 rx_mode;
	struct xsr_liveness live;	/* the peer's liveness window */
};

/* Geometry for a region of @size bytes (no access to the region). */
u32 xenshm_rs_data_size_for(u64 size);
u32 xenshm_rs_max_msg_for(u32 data_size);

/* Initialise or validate the region: 0, -EAGAIN, -EPROTO, -EIO. */
int xenshm_rs_region_open(struct xenshm_rs *rs, void *base, u64 size);

/* Claim a slot (0, 1 or -1 for any): slot number or -EBUSY/-EINVAL. */
int xenshm_rs_claim(struct xenshm_rs *rs, int want_slot, u32 domid,
		    u32 peer_domid, u32 slot_flags, u32 *epoch);
/* Publish my slot's state (ATTACHED/GO/CONNECTED) and port. */
int xenshm_rs_publish(struct xenshm_rs *rs, u32 state, u32 port);
/* Replace my slot's flags; the next publish makes them visible. */
int xenshm_rs_set_flags(struct xenshm_rs *rs, u32 flags);
/* Advance my heartbeat word; publish my heartbeat period (ms, 0: none). */
void xenshm_rs_heartbeat(struct xenshm_rs *rs);
void xenshm_rs_set_heartbeat_ms(struct xenshm_rs *rs, u32 ms);
/* Leave the slot (state FREE).  No-op without a slot. */
void xenshm_rs_release(struct xenshm_rs *rs);
/* Read the peer's slot: 0 or -EIO (corrupt). */
int xenshm_rs_peer_read(struct xenshm_rs *rs, struct xenshm_rs_peer *peer);
/* 0 if the peer is the one seen with @epoch, -ECONNRESET if gone, -EIO. */
int xenshm_rs_peer_check(struct xenshm_rs *rs, u32 epoch);
/*
 * The liveness rule (docs/protocol.md 6.2), once connected: start the
 * window, then check (times in ms).  0: alive or not watched; else for how
 * many ms the peer has been silent.  A check more than @late_ms after the
 * previous one restarts the window instead of judging.
 */
void xenshm_rs_live_start(struct xenshm_rs *rs, u64 now_ms);
u64 xenshm_rs_live_check(struct xenshm_rs *rs, u64 now_ms, u32 own_limit_ms,
			 u32 late_ms);
/* XENSHM_ROLE_RECEIVER or _SENDER for @role (AUTO picks by the rule). */
int xenshm_rs_role_pick(u32 role, unsigned int slot, u32 my_domid,
			u32 peer_domid);

/* Attach (and resync) my TX ring / my RX ring in the given mode. */
int xenshm_rs_attach_tx(struct xenshm_rs *rs, u32 mode);
int xenshm_rs_attach_rx(struct xenshm_rs *rs, u32 mode);
u32 xenshm_rs_max_msg(struct xenshm_rs *rs);

/*
 * Data path (tx_lock / rx_lock held), on iov_iter_count() bytes of the
 * iterator.  Stream: partial, bytes moved or -EAGAIN.  Message: one whole
 * message (all the iterator holds / at most what it can take), its length,
 * -EAGAIN, -EMSGSIZE.  -EFAULT for a bad user buffer (nothing consumed or
 * produced in message mode; in stream mode the bytes moved before it, if
 * any, are returned instead), -EIO for corruption.  The iterator advances
 * by exactly the bytes moved (not at all on an error).
 */
ssize_t xenshm_rs_write(struct xenshm_rs *rs, struct iov_iter *from);
ssize_t xenshm_rs_read(struct xenshm_rs *rs, struct iov_iter *to);

long xenshm_rs_rx_avail(struct xenshm_rs *rs);
long xenshm_rs_tx_space(struct xenshm_rs *rs);
/* 1 if nothing to wait for; 0 armed (sleep); -EIO. */
int xenshm_rs_rx_arm(struct xenshm_rs *rs);
int xenshm_rs_tx_arm(struct xenshm_rs *rs, size_t want);
/* 1 if the peer asked for an event for the progress made, else 0. */
int xenshm_rs_tx_need_notify(struct xenshm_rs *rs);
int xenshm_rs_rx_need_notify(struct xenshm_rs *rs);

/*
 * For ends whose rings are mapped by userspace: the kernel's own handles do
 * not see indices moved through the mapping, so these ask the handles that
 * joined the rings at attach (xsr_joined_*()), which read the published
 * indices.
 *   mmap_rx_avail / mmap_tx_free: bytes, or -EIO if the indices are absurd;
 *   mmap_tx_need_notify / mmap_rx_need_notify: 1 if the peer asked for an
 *   event for the progress published since the previous call (or attach).
 */
long xenshm_rs_mmap_rx_avail(struct xenshm_rs *rs);
long xenshm_rs_mmap_tx_free(struct xenshm_rs *rs);
int xenshm_rs_mmap_tx_need_notify(struct xenshm_rs *rs);
int xenshm_rs_mmap_rx_need_notify(struct xenshm_rs *rs);

#endif /* XENSHM_RINGSHIM_H */
