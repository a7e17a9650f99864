/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * xsr_peer.h - a xenshm endpoint for programs that are not Linux (an RTOS, a
 * bare-metal Xen guest) and for host tests: the protocol steps of
 * docs/protocol.md (the normative wire protocol), on top of the ring core
 * (xenshm/xsr.h), with the hypercalls left to the integrator.
 *
 * It is the same ring core the kernel module links: this file adds only the
 * sequence module/rendezvous.c drives (attach, roles, port, confirm,
 * heartbeat, detach), so a peer built on it interoperates with the Linux
 * driver. Compiles as userspace C90/C99, C++ and freestanding (only the
 * compiler's stddef.h/stdint.h, like xsr.h).
 *
 * How to use it
 *   1. Fill a struct xsr_peer_platform with your event-channel hypercalls
 *      and a millisecond clock, and a struct xsr_peer_config with the region
 *      and the domids; xsr_peer_init().
 *   2. Route a port's upcalls to xsr_peer_event() before the library can
 *      publish it: in your alloc_unbound() and bind_interdomain() callbacks,
 *      before they return the port, and for a static port before
 *      xsr_peer_init(). The peer may answer inside the same
 *      xsr_peer_poll() that published the port; an upcall for a port with
 *      no handler yet is lost, and the rendezvous is refused after
 *      XSR_PEER_CONFIRM_MS.
 *      Then call xsr_peer_poll() until it returns 1 (connected) or a
 *      negative errno. 0 means "not yet": wait for an event or a short
 *      timeout (xsr_peer_timeout_ms()) and call it again.
 *   3. Move data with send/recv (message mode) or write/read (stream mode);
 *      each notifies the peer when the peer asked for it. Before sleeping,
 *      xsr_peer_rx_arm() / xsr_peer_tx_arm() (0: sleep until the next event).
 *   4. Keep calling xsr_peer_poll() while connected, at least every
 *      heartbeat_ms / 2 and after every event: it beats, and it tells you
 *      when the peer left (XSR_ECONNRESET), went silent (XSR_ETIMEDOUT) or
 *      scribbled over its slot (XSR_EIO). Then xsr_peer_reconnect() and
 *      poll again, or xsr_peer_detach().
 *
 * Calling contract
 *   - Every call on one struct xsr_peer is serialised by the caller (one
 *     thread, or a lock), except xsr_peer_event(), which may run at any time
 *     on any CPU, from an interrupt handler too: it only counts.
 *   - Platform callbacks are called from the caller's context (never from
 *     xsr_peer_event()); notify() from the data calls too.
 *   - The peer owns half of the region and may write anything at any time:
 *     every word taken from its slot is read once and checked, and no call
 *     loops on a shared value.
 *   - No call blocks; the library never sleeps and never allocates.
 */
#ifndef XENSHM_XSR_PEER_H
#define XENSHM_XSR_PEER_H

#include "xenshm/xsr.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How long each side waits for the peer's confirming event (step 5, 6):
 * the spec's XENSHM_CONFIRM_MS (docs/abi.md). */
#define XSR_PEER_CONFIRM_MS	5000u
/* Largest heartbeat period a side may publish, and that a peer's counts as:
 * the spec's XENSHM_HEARTBEAT_MAX_MS. */
#define XSR_PEER_HEARTBEAT_MAX_MS	60000u
/* Xen's FIFO ABI has 2^17 ports; a port from shared memory must be below. */
#define XSR_PEER_MAX_PORT	(1u << 17)
/* Domids from DOMID_FIRST_RESERVED on are Xen's own, never a peer's. */
#define XSR_PEER_DOMID_FIRST_RESERVED	0x7ff0u

/*
 * The integrator's hypercall layer, Xen's event-channel operations on the
 * calling domain (DOMID_SELF). Ports are local port numbers; every call
 * returns a negative errno on failure.
 */
struct xsr_peer_platform {
	void *ctx;
	/* EVTCHNOP_alloc_unbound(remote_dom): > 0 the new local port. */
	int (*alloc_unbound)(void *ctx, uint32_t remote_domid);
	/* EVTCHNOP_bind_interdomain(remote_dom, remote_port): > 0 local port. */
	int (*bind_interdomain)(void *ctx, uint32_t remote_domid,
				uint32_t remote_port);
	/*
	 * EVTCHNOP_status(port): 0 if port is interdomain-bound, with its
	 * remote end filled in; a negative errno for any other state.
	 */
	int (*status)(void *ctx, uint32_t port, uint32_t *remote_domid,
		      uint32_t *remote_port);
	/* EVTCHNOP_send(port). */
	int (*notify)(void *ctx, uint32_t port);
	/* EVTCHNOP_close(port); never called for a static port. */
	int (*close)(void *ctx, uint32_t port);
	/* A monotonic clock in milliseconds. */
	uint64_t (*now_ms)(void *ctx);
};

/*
 * What this end is. Copied by xsr_peer_init(). alloc_unbound,
 * bind_interdomain and close may be NULL when static_port is set.
 */
struct xsr_peer_config {
	void *base;		/* the region, 8-byte aligned */
	uint64_t size;		/* its size as Xen gave it (>= 16 KiB) */
	uint32_t my_domid;	/* learnt from Xen (see module/xen.c) */
	uint32_t peer_domid;	/* pinned peer (else EACCES); XSR_DOMID_NONE: any */
	uint32_t role;		/* XSR_ROLE_*; AUTO: lower domid receives */
	uint32_t mode;		/* XSR_MODE_* of the ring I produce */
	uint32_t static_port;	/* my static event channel to the peer; 0: recipe */
	uint32_t heartbeat_ms;	/* my beat period, published; 0: none */
	uint32_t flags;		/* 0 */
	uint32_t reserved;	/* 0 */
};

/* Where the rendezvous is (xsr_peer_info.phase). */
#define XSR_PEER_IDLE		0u	/* after detach: reconnect to start */
#define XSR_PEER_CONNECTING	1u
#define XSR_PEER_CONNECTED	2u
#define XSR_PEER_GONE		3u	/* peer left/silent/corrupt: reconnect */
#define XSR_PEER_FAILED		4u	/* the rendezvous was refused: reconnect */

/* What an integrator may print. */
struct xsr_peer_info {
	uint32_t phase;		/* XSR_PEER_* */
	int error;		/* why GONE/FAILED (negative errno), else 0 */
	uint32_t role;		/* XSR_ROLE_RECEIVER/SENDER once picked, else 0 */
	uint32_t slot;		/* my slot, or 0xffffffff */
	uint32_t peer_domid;	/* as the peer's slot says, or XSR_DOMID_NONE */
	uint32_t local_port;	/* 0 until known */
	uint32_t remote_port;	/* 0 until known */
	uint32_t is_static;	/* 1: local_port is a static event channel */
	uint64_t events_sent;	/* notify() calls that succeeded */
	uint64_t events_seen;	/* xsr_peer_event() calls */
	uint64_t notify_errors;	/* notify() calls that failed */
	uint64_t connects;	/* times the rendezvous reached CONNECTED */
};

/* Opaque, caller-allocated, fixed size (static_assert in peer.cpp). */
#define XSR_PEER_BYTES	768
struct xsr_peer {
	uint64_t opaque[XSR_PEER_BYTES / 8];
};

/*
 * Check *cfg and *plat, copy them, and start connecting (nothing touches
 * shared memory or Xen before the first xsr_peer_poll()). XSR_EINVAL for a
 * NULL pointer, a missing callback, unknown role/mode/flags, non-zero
 * reserved, a region that is unaligned or too small, a reserved or equal
 * domid, a port >= XSR_PEER_MAX_PORT or heartbeat_ms above
 * XSR_PEER_HEARTBEAT_MAX_MS.
 */
XSR_MUST_CHECK int xsr_peer_init(struct xsr_peer *p,
				 const struct xsr_peer_config *cfg,
				 const struct xsr_peer_platform *plat);

/* The upcall of xsr_peer_port() fired. Any context; only counts. */
void xsr_peer_event(struct xsr_peer *p);

/*
 * Advance the rendezvous, or check a connected peer and beat. Never blocks.
 * 1: connected. 0: still connecting (call again after an event or a short
 * wait). Negative, sticky until xsr_peer_reconnect():
 *   XSR_ECONNRESET  the peer left or restarted (slot FREE, new epoch)
 *   XSR_ETIMEDOUT   the peer's heartbeat and ring indices stood still for
 *                   twice its published period (or four of mine if longer);
 *                   a poll that comes a whole such limit after the previous
 *                   one restarts the window instead (the caller was not
 *                   running, so nobody watched)
 *   XSR_EIO         the peer's slot or a ring is corrupt
 *   XSR_EACCES      refused: a pinned peer did not match, Xen says a port
 *                   leads elsewhere, no static port of mine leads to the
 *                   receiver's, or no event came within XSR_PEER_CONFIRM_MS
 *   XSR_EPROTO      the region has another ABI major
 *   other           a platform callback's error, or a bad peer domid/port
 *                   (XSR_EINVAL)
 * A failed rendezvous has already freed the slot (as xsr_peer_detach()).
 */
XSR_MUST_CHECK int xsr_peer_poll(struct xsr_peer *p);

/* Milliseconds the caller may wait for an event before polling again. */
uint32_t xsr_peer_timeout_ms(const struct xsr_peer *p);

/* Local port, 0 until known (its upcalls must already reach
 * xsr_peer_event(): step 2 above). */
uint32_t xsr_peer_port(const struct xsr_peer *p);
/* XSR_ROLE_RECEIVER or XSR_ROLE_SENDER once picked, else XSR_ROLE_AUTO. */
uint32_t xsr_peer_role(const struct xsr_peer *p);
void xsr_peer_get_info(const struct xsr_peer *p, struct xsr_peer_info *out);

/*
 * Leave: slot FREE, one event to the peer, the runtime port closed (a
 * static port is never closed). xsr_peer_reconnect() starts again.
 */
void xsr_peer_detach(struct xsr_peer *p);
/*
 * Start over with a new epoch, after an error from xsr_peer_poll() or a
 * detach (any time, in fact): leaves as xsr_peer_detach() does, except that
 * a receiver keeps its runtime port for the next rendezvous if the peer
 * comes back with the same domid and Xen shows the port unbound again
 * (module/rendezvous.c keeps it the same way). Then poll again. 0 or
 * XSR_EINVAL.
 */
XSR_MUST_CHECK int xsr_peer_reconnect(struct xsr_peer *p);

/*
 * Data, with copies by memcpy and the notify decision included (flags:
 * XSR_MORE defers publishing and notifying to the next call without it or
 * to xsr_peer_kick_tx/rx()). Results as xsr_send/recv/write/read, and:
 *   XSR_ENOTCONN  not connected yet
 *   XSR_EINVAL    message call on a stream ring or the other way round
 *                 (recv/read follow the mode the peer produces)
 *   the error xsr_peer_poll() returns once the peer is gone: send/write at
 *   once, recv/read once the ring is empty (what was published is read).
 */
XSR_MUST_CHECK long xsr_peer_send(struct xsr_peer *p, const void *buf,
				  size_t len, unsigned int flags);
XSR_MUST_CHECK long xsr_peer_recv(struct xsr_peer *p, void *buf, size_t cap,
				  unsigned int flags);
XSR_MUST_CHECK long xsr_peer_write(struct xsr_peer *p, const void *buf,
				   size_t len, unsigned int flags);
XSR_MUST_CHECK long xsr_peer_read(struct xsr_peer *p, void *buf, size_t cap,
				  unsigned int flags);
/* XSR_MODE_* of my RX ring (the peer's) once connected; before, my TX mode
 * or what the last peer's ring carried. */
uint32_t xsr_peer_rx_mode(const struct xsr_peer *p);

/*
 * Before sleeping (as xsr_rx_arm/xsr_tx_arm): 0 armed, sleep until an
 * event; 1 do not sleep. When the peer is gone: rx_arm returns 1 while data
 * is left, then the poll error; tx_arm the poll error.
 */
XSR_MUST_CHECK int xsr_peer_rx_arm(struct xsr_peer *p);
XSR_MUST_CHECK int xsr_peer_tx_arm(struct xsr_peer *p, size_t want);

/*
 * Zero copy: the ring handles (NULL unless connected or gone), for
 * xsr_tx_reserve/commit and xsr_rx_peek/release; then xsr_peer_kick_tx()
 * after commits, xsr_peer_kick_rx() after releases: 1 the peer was
 * notified, 0 it had not asked, or a negative errno.
 */
struct xsr_ring *xsr_peer_tx_ring(struct xsr_peer *p);
struct xsr_ring *xsr_peer_rx_ring(struct xsr_peer *p);
XSR_MUST_CHECK int xsr_peer_kick_tx(struct xsr_peer *p);
XSR_MUST_CHECK int xsr_peer_kick_rx(struct xsr_peer *p);

#ifdef __cplusplus
}
#endif

#endif /* XENSHM_XSR_PEER_H */
