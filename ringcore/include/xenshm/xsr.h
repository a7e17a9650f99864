/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * xsr.h - the C facade of xenshm's ring core ("xenshm shared rings").
 *
 * The ring core is freestanding C++ (the .cpp files in ringcore/) linked
 * into the kernel module and, in userspace, into libxenshm and the host
 * tests. This header is all that C sees: opaque caller-allocated handles,
 * plain integers, negative Linux errno values.
 * It compiles as kernel C (__KERNEL__), userspace C99 and C++.
 *
 * ===================== Shared-memory contract =====================
 *
 * Region (offsets from codegen/spec/xenshm.yaml):
 *   page 0: region_header @0, slot 0 @128, slot 1 @256
 *   page 1: ring 0 ctrl @4096, ring 1 ctrl @4352
 *   data:   ring 0 @8192, ring 1 @8192 + data_size
 * The owner of slot i produces ring i and consumes ring 1 - i.
 *
 * Who writes what (everything else is read-only to that side):
 *   region_header  whoever initialises the region (see xsr_region_init);
 *                  afterwards nobody. Each side copies region_size and
 *                  data_size into its private xsr_region and never re-reads.
 *   slot i         only its owner (states FREE/ATTACHED/GO/CONNECTED).
 *   ring_ctrl.prod        only the producer; store-release after writing the
 *                         data it covers.  pairs with the consumer's
 *                         load-acquire of prod before reading data.
 *   ring_ctrl.cons        only the consumer; store-release after it finished
 *                         reading the data it frees.  pairs with the
 *                         producer's load-acquire of cons before it
 *                         overwrites that space.
 *   ring_ctrl.prod_event  only the consumer ("wake me when prod passes this").
 *   ring_ctrl.cons_event  only the producer ("wake me when cons passes this").
 * Indices are free-running u32 byte counters masked by data_size - 1.
 * Each side keeps its own index in private memory (the copy in shared memory
 * is only a publication) and reads the peer's index ONCE per operation into
 * a local, checking 0 <= prod - cons <= data_size (and 8-byte alignment in
 * message mode). Every record header is read once into locals and checked
 * (type known, len <= max_msg, record fits in what was published and does
 * not cross the end, pad runs exactly to the end, no pad at offset 0).
 * Any violation makes the ring BROKEN: sticky, every later data call returns
 * XSR_EIO. No call loops on a shared value: the work of each call is bounded
 * by the bytes requested (at most one pad record is skipped per call).
 *
 * Notification (event index): a side that moved its index notifies only if
 *   the peer's event word asks for that move. The rule (which interval, in
 *   which arithmetic) is stated once, at need_event() in xenshm/ring.hpp;
 *   below, "need_event" means that rule applied to my index's old and new
 *   value since my previous check.
 *   Sleeping consumer:  xsr_rx_arm():  store prod_event = cons; FULL FENCE;
 *                       re-read prod; sleep only if still empty.
 *   Producer:           store-release prod; FULL FENCE (xsr_tx_need_notify);
 *                       read prod_event; notify if need_event.
 *   Sleeping producer:  xsr_tx_arm(): store cons_event = point where enough
 *                       space is free; FULL FENCE; re-read cons; sleep only
 *                       if still not enough space.
 *   Consumer:           store-release cons; FULL FENCE (xsr_rx_need_notify);
 *                       read cons_event; notify if need_event.
 *   The two full fences pair with each other (store->fence->load on both
 *   sides, Dekker style): either the armer sees the new index or the mover
 *   sees the new event word, so no wakeup is lost. An event word is one-shot
 *   by construction: once the index has moved past it, it never asks again.
 *   When another user stores the index (a mapping), xsr_joined_need_notify()
 *   does the mover's part after that store: read it, FULL FENCE, read the
 *   event word.
 *
 * Message mode: a record is an 8-byte header {len, type} and the payload,
 * 8 + align8(len) bytes, starting on an 8-byte boundary and never wrapping;
 * when it does not fit before the end, a PAD record fills the rest and the
 * message starts at offset 0. Largest payload: data_size / 2 - 8.
 * Stream mode: plain bytes, reads and writes may be partial.
 *
 * ===================== Calling contract =====================
 * - One producer and one consumer per ring: the caller serialises all calls
 *   on one xsr_ring (the kernel holds a mutex per direction).
 * - Every call writes its handle: when the TX and RX handles (or a handle
 *   and a hot lock) are used from different CPUs at once, keep them on
 *   different cache lines (e.g. ____cacheline_aligned_in_smp / alignas(128))
 *   or they false-share.
 * - Copies go through callbacks, issued in ascending order of offset; each
 *   returns 0 or a negative errno (e.g. -EFAULT). In message mode a failed
 *   copy commits/consumes nothing and its error is returned. In stream mode a
 *   failed copy after some bytes were moved returns the bytes moved so far.
 * - Bytes in shared memory are hostile: zero-copy users (peek) must read
 *   them once and validate what they parse.
 * - flags XSR_MORE on send/write/recv/read: do not publish the index yet
 *   (batching). xsr_*_flush, xsr_*_need_notify and xsr_*_arm publish it.
 */
#ifndef XENSHM_XSR_H
#define XENSHM_XSR_H

#if defined(__KERNEL__) && !defined(__cplusplus)
#include <linux/types.h>
#elif defined(__KERNEL__)
/* ringcore's own C++ inside the kernel build (-nostdinc): compiler types. */
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __SIZE_TYPE__ size_t;
#else
#include <stddef.h>
#include <stdint.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * XSR_MUST_CHECK: the result is an error, or a decision (notify, sleep,
 * bytes moved) the caller must act on. C++ callers get [[nodiscard]]; C
 * callers (the module, lib/) get nothing from it: ISO C has [[nodiscard]]
 * only from C23.
 */
#if defined(__cplusplus) && __cplusplus >= 201703L
#define XSR_MUST_CHECK [[nodiscard]]
#else
#define XSR_MUST_CHECK
#endif

/* Negative Linux errno values (asm-generic numbers: x86, arm, arm64). */
#define XSR_EIO		(-5)
#define XSR_EAGAIN	(-11)
#define XSR_EACCES	(-13)
#define XSR_EFAULT	(-14)
#define XSR_EBUSY	(-16)
#define XSR_EINVAL	(-22)
#define XSR_EPROTO	(-71)
#define XSR_EMSGSIZE	(-90)
#define XSR_ECONNRESET	(-104)
#define XSR_ENOTCONN	(-107)
#define XSR_ETIMEDOUT	(-110)

/* Mirrors of the spec's enums (checked against wire.hpp in facade.cpp). */
#define XSR_MODE_STREAM		0u
#define XSR_MODE_MESSAGE	1u
#define XSR_SLOT_FREE		0u
#define XSR_SLOT_ATTACHED	1u
#define XSR_SLOT_GO		2u
#define XSR_SLOT_CONNECTED	3u
#define XSR_ROLE_AUTO		0u
#define XSR_ROLE_RECEIVER	1u
#define XSR_ROLE_SENDER		2u
#define XSR_SLOT_FLAG_TX_MESSAGE	(1u << 0)
#define XSR_SLOT_FLAG_STATIC_EVTCHN	(1u << 1)
#define XSR_DOMID_NONE		0xffffffffu

/* Ring direction for xsr_ring_attach(). */
#define XSR_TX	0u	/* I produce ring[my_slot] */
#define XSR_RX	1u	/* I consume ring[1 - my_slot] */

/* flags of send/write/recv/read */
#define XSR_MORE	(1u << 0)	/* defer publishing the index */

/* Opaque handles: caller-allocated, sizes fixed (static_assert in C++). */
#define XSR_REGION_BYTES	48
#define XSR_RING_BYTES		96
struct xsr_region {
	uint64_t opaque[XSR_REGION_BYTES / 8];
};
struct xsr_ring {
	uint64_t opaque[XSR_RING_BYTES / 8];
};

/* What xsr_slot_read() saw in a slot (each field read once, validated). */
struct xsr_slot_info {
	uint32_t state;		/* XSR_SLOT_* */
	uint32_t domid;
	uint32_t epoch;
	uint32_t port;		/* owner's port: non-zero in GO; CONNECTED: its own */
	uint32_t flags;		/* XSR_SLOT_FLAG_* (unknown bits dropped) */
	uint32_t heartbeat;
	uint32_t peer_domid;
	uint32_t heartbeat_ms;	/* owner's heartbeat period, 0: none */
};

/*
 * Liveness of the peer (docs/protocol.md 6.2): caller-allocated, fields
 * private to xsr_liveness_*(). Times are milliseconds of any clock that
 * only moves forward.
 */
struct xsr_liveness {
	uint32_t pulse[3];
	uint32_t reserved;
	uint64_t pulse_at;
	uint64_t checked_at;
};

/* copy_in: caller source -> shared memory; copy_out: shared memory -> caller
 * destination. src/dst is the caller's pointer plus the offset reached, cast
 * back by the callee (e.g. to a __user pointer). Return 0 or -errno. */
typedef int (*xsr_copy_in_fn)(void *ctx, void *shm_dst, const void *src,
			      size_t len);
typedef int (*xsr_copy_out_fn)(void *ctx, void *dst, const void *shm_src,
			       size_t len);

/* ---------------- region ---------------- */

/* data_size for a region of region_size bytes, 0 if it is too small. */
uint32_t xsr_data_size_for(uint64_t region_size);
/* Largest message payload for a data_size (data_size / 2 - 8). */
uint32_t xsr_max_msg_for(uint32_t data_size);

/*
 * Initialise the region if it carries no magic, else validate it, and fill
 * *rg. base must be 8-byte aligned, size >= 16 KiB.
 * Init: CAS magic (any value but MAGIC/MAGIC_INIT) -> MAGIC_INIT, zero the
 * header, slots (domid := DOMID_NONE) and ring controls, write the header,
 * store-release MAGIC (pairs with the load-acquire of magic in validate).
 * Returns 0; XSR_EAGAIN: the other side is initialising (retry later);
 * XSR_EPROTO: another ABI major or no event_idx feature; XSR_EIO: header
 * inconsistent with size; XSR_EINVAL: bad arguments.
 */
XSR_MUST_CHECK int xsr_region_init(struct xsr_region *rg, void *base,
				   uint64_t size);
/* Same checks without initialising; XSR_EAGAIN if no MAGIC yet. */
XSR_MUST_CHECK int xsr_region_validate(struct xsr_region *rg, void *base,
				       uint64_t size);
uint32_t xsr_region_data_size(const struct xsr_region *rg);

/* ---------------- slots and rendezvous ---------------- */

/*
 * Claim a slot: want_slot 0 or 1, or -1 for any. A FREE slot is taken by a
 * CAS of its domid word from DOMID_NONE to domid (so two claimers never both
 * win); a slot whose domid already equals domid is reclaimed (restart).
 * Then epoch + 1, flags, peer_domid, port = 0, and state = ATTACHED stored
 * last with release (pairs with xsr_slot_read's load-acquire of state).
 * Returns the slot number (0/1) and *epoch, or XSR_EBUSY / XSR_EINVAL.
 * With want_slot == -1 a slot holding my domid is preferred (reclaim).
 */
XSR_MUST_CHECK int xsr_slot_claim(const struct xsr_region *rg, int want_slot,
				  uint32_t domid, uint32_t peer_domid,
				  uint32_t flags, uint32_t *epoch);
/* Owner publishes progress: port (GO: the receiver's; CONNECTED: the
 * owner's own) is written before state, which is stored with release.
 * state must be ATTACHED, GO or CONNECTED; GO needs port != 0. Returns 0 or
 * XSR_EINVAL. */
XSR_MUST_CHECK int xsr_slot_set_state(const struct xsr_region *rg,
				      unsigned int slot, uint32_t state,
				      uint32_t port);
/* Owner replaces its slot flags (XSR_SLOT_FLAG_*); the next
 * xsr_slot_set_state() publishes them. XSR_EINVAL for an unknown bit. */
XSR_MUST_CHECK int xsr_slot_set_flags(const struct xsr_region *rg,
				      unsigned int slot, uint32_t flags);
/* Advance my heartbeat word (feature heartbeat). */
void xsr_slot_heartbeat(const struct xsr_region *rg, unsigned int slot);
/* Publish my heartbeat period in ms (0: none); the next xsr_slot_set_state()
 * makes it visible. */
void xsr_slot_set_heartbeat_ms(const struct xsr_region *rg, unsigned int slot,
			       uint32_t ms);
/* Owner leaves: state = FREE (release), then port 0, domid = DOMID_NONE. */
void xsr_slot_release(const struct xsr_region *rg, unsigned int slot);
/* Read a slot (normally the peer's, 1 - my_slot): state with acquire, then
 * the other words once each. XSR_EIO if state is unknown or GO without a
 * port. */
XSR_MUST_CHECK int xsr_slot_read(const struct xsr_region *rg, unsigned int slot,
				 struct xsr_slot_info *out);
/* 0 if the peer (slot 1 - my_slot) is still the one seen with epoch_seen;
 * XSR_ECONNRESET if its slot is FREE or its epoch changed; XSR_EIO corrupt. */
XSR_MUST_CHECK int xsr_peer_check(const struct xsr_region *rg,
				  unsigned int my_slot, uint32_t epoch_seen);
/*
 * The liveness rule, once connected. Start the window at now_ms; then call
 * check every so often (at least once per limit, below). The peer is alive
 * while its heartbeat word, the prod of the ring it produces or the cons of
 * the ring it consumes changed within the limit: max(own_limit_ms,
 * 2 * min(its heartbeat_ms, XENSHM_HEARTBEAT_MAX_MS)). A peer that
 * publishes heartbeat_ms = 0 is never judged. A check that comes more than
 * late_ms after the previous one (0: more than the limit) restarts the
 * window instead of judging: the caller was not running, and the peer may
 * not have been either. Returns 0 (alive, or not watched), or for how many
 * ms the peer has been silent (at least the limit): it is gone. Checks only
 * silence: the caller does xsr_peer_check() for FREE, epoch and corruption.
 */
void xsr_liveness_start(struct xsr_liveness *lv, const struct xsr_region *rg,
			unsigned int my_slot, uint64_t now_ms);
XSR_MUST_CHECK uint64_t xsr_liveness_check(struct xsr_liveness *lv,
					   const struct xsr_region *rg,
					   unsigned int my_slot,
					   uint64_t now_ms,
					   uint32_t own_limit_ms,
					   uint32_t late_ms);
/* XSR_ROLE_RECEIVER or XSR_ROLE_SENDER. AUTO: lower domid receives; equal
 * domids (loopback): slot 0 receives. XSR_EINVAL for an unknown role. */
XSR_MUST_CHECK int xsr_role_pick(uint32_t role, unsigned int my_slot,
				 uint32_t my_domid, uint32_t peer_domid);

/* ---------------- rings ---------------- */

/*
 * Attach a ring handle after a slot claim and resync. The CONSUMER is the
 * one side that resyncs a ring, so two sides attaching at the same moment
 * never cross-write each other's index:
 * XSR_RX: ring 1 - my_slot: cons := its current prod (discards what an
 *         earlier life left unread), prod_event := cons (armed: the first
 *         data wakes me).
 * XSR_TX: ring my_slot: adopt my published prod (a restarted consumer
 *         resyncs to it), cons_event := prod - 1 (not waiting for space: at
 *         most one event, when the consumer has drained the ring).
 * In message mode both sides round a misaligned prod (left by an earlier
 * stream-mode life) up to 8 the same way.
 * mode: XSR_MODE_* this ring carries (TX: mine; RX: the producer's flag).
 * Returns 0 or XSR_EINVAL.
 */
XSR_MUST_CHECK int xsr_ring_attach(struct xsr_ring *r,
				   const struct xsr_region *rg,
				   unsigned int my_slot, unsigned int dir,
				   unsigned int mode);
/*
 * Join a LIVE ring as a second user of the same end (e.g. userspace through
 * mmap while the kernel end is connected): adopt the published indices
 * (TX: my prod; RX: my cons), write nothing. XSR_EIO if my published index
 * is misaligned in message mode. The handle may move data itself, or only
 * watch an end that another user drives (xsr_joined_*() below).
 */
XSR_MUST_CHECK int xsr_ring_join(struct xsr_ring *r,
				 const struct xsr_region *rg,
				 unsigned int my_slot, unsigned int dir,
				 unsigned int mode);
/* 0 or XSR_EIO (sticky). */
XSR_MUST_CHECK int xsr_ring_error(const struct xsr_ring *r);
/* Mark the ring broken by hand (e.g. the caller found corruption). */
void xsr_ring_set_broken(struct xsr_ring *r);
uint32_t xsr_ring_max_msg(const struct xsr_ring *r);
uint32_t xsr_ring_data_size(const struct xsr_ring *r);

/* Message mode, all-or-nothing. send: len on success; XSR_EAGAIN no room
 * (nothing written); XSR_EMSGSIZE len > max_msg. recv: payload length;
 * XSR_EAGAIN empty; XSR_EMSGSIZE cap too small (message stays queued). */
XSR_MUST_CHECK long xsr_send(struct xsr_ring *r, const void *src, size_t len,
			     xsr_copy_in_fn copy_in, void *ctx,
			     unsigned int flags);
XSR_MUST_CHECK long xsr_recv(struct xsr_ring *r, void *dst, size_t cap,
			     xsr_copy_out_fn copy_out, void *ctx,
			     unsigned int flags);
/* Length of the next message without consuming it, or XSR_EAGAIN. */
XSR_MUST_CHECK long xsr_rx_next_len(struct xsr_ring *r);

/* Stream mode, partial: bytes moved (> 0), 0 if len/cap is 0, XSR_EAGAIN
 * if the ring is full/empty. */
XSR_MUST_CHECK long xsr_write(struct xsr_ring *r, const void *src, size_t len,
			      xsr_copy_in_fn copy_in, void *ctx,
			      unsigned int flags);
XSR_MUST_CHECK long xsr_read(struct xsr_ring *r, void *dst, size_t cap,
			     xsr_copy_out_fn copy_out, void *ctx,
			     unsigned int flags);

/*
 * Zero copy. reserve: message mode reserves one contiguous payload of len
 * bytes (returns len); stream mode returns up to len contiguous bytes (>0).
 * *buf points into shared memory. commit(len <= reserved) publishes (message
 * mode writes the header, and the pad if one was needed). peek: message mode
 * returns the next payload length and pointer; stream mode the contiguous
 * readable bytes. release(len): message mode releases the peeked message
 * (len ignored), stream mode len <= peeked bytes. A new reserve/peek
 * replaces an uncommitted/unreleased one. XSR_EINVAL on misuse.
 */
XSR_MUST_CHECK long xsr_tx_reserve(struct xsr_ring *r, size_t len, void **buf);
XSR_MUST_CHECK int xsr_tx_commit(struct xsr_ring *r, size_t len);
XSR_MUST_CHECK long xsr_rx_peek(struct xsr_ring *r, const void **buf);
XSR_MUST_CHECK int xsr_rx_release(struct xsr_ring *r, size_t len);

/* TX: stream mode: free bytes; message mode: largest payload that can be
 * sent now (0 if none). RX: bytes published and not consumed (both modes). */
XSR_MUST_CHECK long xsr_tx_space(struct xsr_ring *r);
XSR_MUST_CHECK long xsr_rx_avail(struct xsr_ring *r);

/* Publish a deferred (XSR_MORE) index. */
void xsr_tx_flush(struct xsr_ring *r);
void xsr_rx_flush(struct xsr_ring *r);

/* After producing / consuming: publish, full fence, read the peer's event
 * word; 1 if the peer asked to be notified for the progress made since the
 * previous call, else 0. */
XSR_MUST_CHECK int xsr_tx_need_notify(struct xsr_ring *r);
XSR_MUST_CHECK int xsr_rx_need_notify(struct xsr_ring *r);

/* Before sleeping. rx_arm: 0 = armed and still empty (sleep), 1 = data
 * arrived (do not sleep). tx_arm: want = payload length (message mode) or
 * bytes (stream mode, clamped to 1..data_size) needed; 0 = armed and not
 * enough space (sleep), 1 = space is there. XSR_EIO if broken. */
XSR_MUST_CHECK int xsr_rx_arm(struct xsr_ring *r);
XSR_MUST_CHECK int xsr_tx_arm(struct xsr_ring *r, size_t want);

/*
 * Watching an end that another user drives through a mapping (the kernel
 * answering poll() and NOTIFY for userspace), on a handle from
 * xsr_ring_join(): the handle's own index does not follow that user, so
 * these read the published words. They write only the handle, never shared
 * memory, and are serialised like every call on the handle.
 * joined_rx_avail (XSR_RX): prod - cons, the bytes published and not
 * consumed. joined_tx_free (XSR_TX): data_size - (prod - cons), free bytes
 * (not the largest message: see xsr_tx_space). Both read cons, then prod,
 * then cons again if prod - cons > data_size (a refill between the loads
 * shows so): XSR_EIO (sticky) if cons had not moved, or the second pair is
 * out of range too, or an index is misaligned in message mode.
 * joined_need_notify: read my index as published, FULL FENCE, read the
 * peer's event word; 1 if it asks for the move since the previous call (or
 * the join), else 0 (also when broken).
 * XSR_EINVAL: not a joined handle, or the other direction.
 */
XSR_MUST_CHECK long xsr_joined_rx_avail(struct xsr_ring *r);
XSR_MUST_CHECK long xsr_joined_tx_free(struct xsr_ring *r);
XSR_MUST_CHECK int xsr_joined_need_notify(struct xsr_ring *r);

#ifdef __cplusplus
}
#endif

#endif /* XENSHM_XSR_H */
