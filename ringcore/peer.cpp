// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// The peer library (xenshm/xsr_peer.h): the rendezvous of docs/protocol.md
// (summarised in docs/xen-setup.md, steps 1-7), for an endpoint that is not the
// Linux module, driven by xsr_peer_poll() and hypercalls the integrator
// supplies. Only the sequence lives here: every shared word is read and
// written through the ring core's facade (xenshm/xsr.h), the same code the
// module runs, so there is one implementation of the slots and rings.
//
// The phases and their order are module/rendezvous.c's, step for step
// (including which events count, when a peer that restarted sends us back,
// and when a receiver keeps its port); where this file differs, it says why.
// The module is not built with this file (Kbuild leaves peer.o out): it has
// its own driver of the same steps in kernel C.
#include "xenshm/xsr_peer.h"
#include "xenshm/atomic.hpp"
#include "xenshm/ring.hpp"
#include "xenshm/types.hpp"
#include "xenshm/wire.hpp"

#include "xenshm/poison.hpp"

using namespace xenshm;
using namespace xenshm::atomic;

namespace {

constexpr u32 PEER_MAGIC = 0x52454550; // "PEER"
constexpr int CONT = 1;		       // a phase handler: go on to the next phase now
constexpr u32 SLOT_NONE = 0xffffffffu;
constexpr u32 PEER_POLL_MIN_MS = 50; // the fastest a peer's period makes me poll

enum class phase : u32 {
	idle,		// detached
	region,		// step 1: init or validate the header
	claim,		// step 1: claim a slot, attach my TX ring
	peer,		// step 2 (+ step 3 as receiver): pick the role
	wait_go,	// sender, step 4: wait for GO, bind, CONNECTED, event
	wait_confirm,	// sender, step 6: wait for CONNECTED and an event
	wait_connected, // receiver, step 5: wait for CONNECTED, verify, event
	connected,	// step 7
	gone,		// the peer left, went silent or is corrupt
	failed,		// the rendezvous was refused
};

struct peer {
	u32 magic;
	phase ph;
	int error; // sticky error of gone/failed
	xsr_peer_config cfg;
	xsr_peer_platform plat;
	xsr_region rg;
	xsr_ring tx;
	xsr_ring rx;
	// Written by xsr_peer_event() in any context, read with acquire here.
	u64 events_seen;
	u64 events_mark; // events_seen when the last "forget any event" happened
	u64 events_sent;
	u64 notify_errors;
	u64 connects;
	u64 confirm_by; // deadline of the confirming event, if confirm_armed
	u64 beat_at;	// when I last advanced my heartbeat
	xsr_liveness live;
	s32 slot;	// mine, or -1
	u32 role;	// XSR_ROLE_RECEIVER/SENDER once picked, else 0
	u32 peer_domid; // as its slot said when the role was picked
	u32 peer_epoch;
	u32 rx_mode;
	u32 local_port;
	u32 remote_port;
	u32 kept_port; // a receiver's runtime port kept over a reconnect, or 0
	u32 kept_domid;
	bool bound; // local_port is in use (a runtime one is ours to close)
	bool is_static;
	bool confirm_armed;
};

static_assert(sizeof(peer) <= sizeof(xsr_peer) && alignof(peer) <= alignof(xsr_peer));
static_assert(sizeof(xsr_peer) == XSR_PEER_BYTES);
static_assert(XSR_PEER_HEARTBEAT_MAX_MS == wire::HEARTBEAT_MAX_MS);
static_assert(XSR_PEER_CONFIRM_MS == wire::CONFIRM_MS);
static_assert(__is_standard_layout(peer));
static_assert(XSR_PEER_MAX_PORT == 1u << 17 && XSR_DOMID_NONE == wire::DOMID_NONE);

inline peer *P(xsr_peer *p)
{
	peer *x = reinterpret_cast<peer *>(p);
	return p && x->magic == PEER_MAGIC ? x : nullptr;
}

inline const peer *P(const xsr_peer *p)
{
	const peer *x = reinterpret_cast<const peer *>(p);
	return p && x->magic == PEER_MAGIC ? x : nullptr;
}

u64 now(const peer *x)
{
	return x->plat.now_ms(x->plat.ctx);
}

u32 mode_of(u32 slot_flags)
{
	return slot_flags & XSR_SLOT_FLAG_TX_MESSAGE ? XSR_MODE_MESSAGE : XSR_MODE_STREAM;
}

// My slot flags: the mode I produce in, and whether my port is static.
u32 my_flags(const peer *x)
{
	return (x->cfg.mode == XSR_MODE_MESSAGE ? XSR_SLOT_FLAG_TX_MESSAGE : 0) |
	       (x->is_static ? XSR_SLOT_FLAG_STATIC_EVTCHN : 0);
}

// A domid taken from the peer's slot: a real domain, and not me.
bool peer_domid_ok(const peer *x, u32 domid)
{
	return domid < XSR_PEER_DOMID_FIRST_RESERVED && domid != x->cfg.my_domid;
}

// The platform gave back a port: Xen's are 1 .. 2^17 - 1.
int port_from(int ret)
{
	if (ret < 0)
		return ret;
	return ret > 0 && u32(ret) < XSR_PEER_MAX_PORT ? ret : err::IO;
}

// ---- events ----

// Has an event arrived since forget_events()?
bool kicked(const peer *x)
{
	return load_acquire(&x->events_seen) != x->events_mark; // pairs with fetch_add in xsr_peer_event()
}

void forget_events(peer *x)
{
	x->events_mark = load_acquire(&x->events_seen);
}

// One event to the peer: 0, or the platform's error (counted either way).
int kick(peer *x)
{
	int ret;

	if (!x->bound)
		return 0;
	ret = x->plat.notify(x->plat.ctx, x->local_port);
	if (ret < 0)
		x->notify_errors++;
	else
		x->events_sent++;
	return ret < 0 ? ret : 0;
}

// ---- ports ----

void drop_kept(peer *x)
{
	if (x->kept_port)
		x->plat.close(x->plat.ctx, x->kept_port);
	x->kept_port = 0;
	x->kept_domid = XSR_DOMID_NONE;
}

// Give the binding back (rendezvous.c's xenshm_unbind): a runtime port is
// closed, a static one only forgotten (a closed static port is gone until
// the domain reboots).
void unbind(peer *x)
{
	if (x->bound && !x->is_static)
		x->plat.close(x->plat.ctx, x->local_port);
	x->bound = false;
	x->is_static = false;
	x->local_port = 0;
	x->remote_port = 0;
	x->confirm_armed = false;
}

// Free the slot, send the peer one event (after FREE, so it sees it), give
// the port back, or keep a receiver's runtime port for the next round.
void leave(peer *x, bool keep_port)
{
	if (x->slot >= 0) {
		xsr_slot_release(&x->rg, u32(x->slot)); // FREE, with release
		x->slot = -1;
		(void)kick(x);
	}
	drop_kept(x);
	if (keep_port && x->bound && !x->is_static && x->role == XSR_ROLE_RECEIVER) {
		x->kept_port = x->local_port;
		x->kept_domid = x->peer_domid;
		x->bound = false;
	}
	unbind(x);
	x->role = XSR_ROLE_AUTO;
	x->peer_domid = XSR_DOMID_NONE;
	x->peer_epoch = 0;
}

int fail(peer *x, int e)
{
	leave(x, false);
	x->ph = phase::failed;
	x->error = e;
	return e;
}

// Connected until now: the slot stays (the caller may still read what the
// peer published) until reconnect or detach.
int gone(peer *x, int e)
{
	x->ph = phase::gone;
	x->error = e;
	return e;
}

// Xen's word on my port (EVTCHNOP_status): it leads to the peer's domid and
// remote_port. Any other answer, "not interdomain" included, is EACCES.
int verify(peer *x, u32 remote_port)
{
	u32 d = XSR_DOMID_NONE, port = 0;

	if (x->plat.status(x->plat.ctx, x->local_port, &d, &port))
		return err::ACCES;
	return d == x->peer_domid && port == remote_port ? 0 : err::ACCES;
}

// From now on @port is mine for this round (a static one is never closed).
int use_port(peer *x, u32 port, bool is_static)
{
	x->local_port = port;
	x->is_static = is_static;
	x->bound = true;
	return 0;
}

// Step 3: the receiver's port. The static port when configured (it must
// lead to the peer), else the port kept from the previous round if the peer
// is the same domain and Xen shows it unbound again (its old remote end
// closed), else a new unbound port for the peer.
int listen(peer *x)
{
	u32 d = XSR_DOMID_NONE, port = 0;
	int ret;

	if (x->cfg.static_port) {
		drop_kept(x);
		ret = x->plat.status(x->plat.ctx, x->cfg.static_port, &d, &port);
		if (ret || d != x->peer_domid)
			return err::ACCES;
		return use_port(x, x->cfg.static_port, true);
	}
	if (x->kept_port) {
		if (x->kept_domid == x->peer_domid && x->plat.status(x->plat.ctx, x->kept_port, &d, &port)) {
			const u32 kept = x->kept_port;

			x->kept_port = 0;
			return use_port(x, kept, false);
		}
		drop_kept(x); // still bound to someone, or another peer
	}
	ret = port_from(x->plat.alloc_unbound(x->plat.ctx, x->peer_domid));
	if (ret < 0)
		return ret;
	return use_port(x, u32(ret), false);
}

// Step 4: the sender's port for the receiver's published one.
int bind(peer *x, const xsr_slot_info &si)
{
	u32 d = XSR_DOMID_NONE, port = 0;
	int ret;

	if (si.port == wire::PORT_NONE || si.port >= XSR_PEER_MAX_PORT)
		return err::INVAL; // from shared memory: hostile
	if (si.flags & XSR_SLOT_FLAG_STATIC_EVTCHN) {
		// No binding: my static port must be the one whose remote end
		// is the receiver's.
		if (!x->cfg.static_port)
			return err::ACCES;
		ret = x->plat.status(x->plat.ctx, x->cfg.static_port, &d, &port);
		if (ret || d != x->peer_domid || port != si.port)
			return err::ACCES;
		return use_port(x, x->cfg.static_port, true);
	}
	// A configured static port is the only one this end uses (evtchn=).
	if (x->cfg.static_port)
		return err::ACCES;
	ret = port_from(x->plat.bind_interdomain(x->plat.ctx, x->peer_domid, si.port));
	if (ret < 0)
		return ret;
	return use_port(x, u32(ret), false);
}

// ---- the rendezvous ----

int attach_rx(peer *x, u32 slot_flags)
{
	x->rx_mode = mode_of(slot_flags);
	return xsr_ring_attach(&x->rx, &x->rg, u32(x->slot), XSR_RX, x->rx_mode);
}

int read_peer(peer *x, xsr_slot_info *si)
{
	return xsr_slot_read(&x->rg, 1 - u32(x->slot), si);
}

// The peer restarted or changed during the rendezvous: start over at PEER,
// except that a receiver waiting for CONNECTED keeps its port (and GO) for
// the same domain's next life, which may bind to it again.
int peer_restarted(peer *x, const xsr_slot_info &si)
{
	int ret;

	x->confirm_armed = false;
	if (x->ph == phase::wait_connected && si.state != XSR_SLOT_FREE && si.domid == x->peer_domid) {
		x->peer_epoch = si.epoch;
		return attach_rx(x, si.flags);
	}
	unbind(x);
	ret = xsr_slot_set_flags(&x->rg, u32(x->slot), my_flags(x));
	if (!ret)
		ret = xsr_slot_set_state(&x->rg, u32(x->slot), XSR_SLOT_ATTACHED, wire::PORT_NONE);
	x->ph = phase::peer;
	return ret;
}

// 0: still the peer the role was picked with; AGAIN: it left or restarted
// and the rendezvous went back; else an error.
int same_peer(peer *x, xsr_slot_info *si)
{
	int ret = read_peer(x, si);

	if (ret)
		return ret;
	if (si->state == XSR_SLOT_FREE || si->epoch != x->peer_epoch || si->domid != x->peer_domid) {
		ret = peer_restarted(x, *si);
		return ret ? ret : err::AGAIN;
	}
	return 0;
}

// Waiting for the peer's event: AGAIN, or EACCES once XSR_PEER_CONFIRM_MS
// passed since the wait began.
int confirm_wait(peer *x)
{
	const u64 t = now(x);

	if (!x->confirm_armed) {
		x->confirm_armed = true;
		x->confirm_by = t + XSR_PEER_CONFIRM_MS;
		return err::AGAIN;
	}
	return t <= x->confirm_by ? err::AGAIN : err::ACCES;
}

// Binding checked, and the peer's event here since I published? 0 yes, AGAIN
// not yet, EACCES refused. A verify that fails because the peer left or
// restarted meanwhile is not a refusal: AGAIN, the next poll sees the change.
int confirmed(peer *x, const xsr_slot_info &si)
{
	xsr_slot_info again;
	int ret;

	ret = verify(x, si.port);
	if (ret) {
		if (!read_peer(x, &again) && (again.state != si.state || again.epoch != si.epoch))
			return err::AGAIN;
		return ret;
	}
	return kicked(x) ? 0 : confirm_wait(x);
}

void connected(peer *x)
{
	const u64 t = now(x);

	x->ph = phase::connected;
	x->connects++;
	x->beat_at = t;
	xsr_liveness_start(&x->live, &x->rg, u32(x->slot), t);
}

int step_region(peer *x)
{
	const int ret = xsr_region_init(&x->rg, x->cfg.base, x->cfg.size);

	if (ret)
		return ret; // AGAIN: the other side is initialising
	x->ph = phase::claim;
	return CONT;
}

int step_claim(peer *x)
{
	u32 epoch;
	int ret = xsr_slot_claim(&x->rg, -1, x->cfg.my_domid, x->cfg.peer_domid, my_flags(x), &epoch);

	if (ret == err::BUSY)
		return err::AGAIN; // someone holds both slots: the caller's timeout decides
	if (ret < 0)
		return ret;
	x->slot = ret;
	// My TX ring keeps its published prod; the consumer resyncs to it.
	ret = xsr_ring_attach(&x->tx, &x->rg, u32(x->slot), XSR_TX, x->cfg.mode);
	if (ret)
		return ret;
	// Step 7: published with my next state (GO or CONNECTED).
	xsr_slot_set_heartbeat_ms(&x->rg, u32(x->slot), x->cfg.heartbeat_ms);
	x->ph = phase::peer;
	return CONT;
}

int step_peer(peer *x)
{
	xsr_slot_info si;
	int ret = read_peer(x, &si);

	if (ret)
		return ret;
	if (si.state == XSR_SLOT_FREE)
		return err::AGAIN;
	if (x->cfg.peer_domid != XSR_DOMID_NONE && si.domid != x->cfg.peer_domid)
		return err::ACCES;
	if (!peer_domid_ok(x, si.domid))
		return err::INVAL;
	ret = xsr_role_pick(x->cfg.role, u32(x->slot), x->cfg.my_domid, si.domid);
	if (ret < 0)
		return ret;
	// Only a peer at the start of the same round: ATTACHED, or GO if it
	// is the receiver. A CONNECTED peer is a previous life that has not
	// noticed our new epoch yet.
	if (si.state != XSR_SLOT_ATTACHED && !(si.state == XSR_SLOT_GO && u32(ret) == XSR_ROLE_SENDER))
		return err::AGAIN;
	x->role = u32(ret);
	x->peer_domid = si.domid;
	x->peer_epoch = si.epoch;
	ret = attach_rx(x, si.flags);
	if (ret)
		return ret;
	if (x->role == XSR_ROLE_SENDER) {
		drop_kept(x);
		x->ph = phase::wait_go;
		return CONT;
	}
	ret = listen(x);
	if (ret)
		return ret;
	ret = xsr_slot_set_flags(&x->rg, u32(x->slot), my_flags(x));
	if (ret)
		return ret;
	// Only an event after GO counts: the sender binds after GO.
	forget_events(x);
	ret = xsr_slot_set_state(&x->rg, u32(x->slot), XSR_SLOT_GO, x->local_port);
	if (ret)
		return ret;
	x->ph = phase::wait_connected;
	return CONT;
}

int step_wait_connected(peer *x)
{
	xsr_slot_info si;
	int ret = read_peer(x, &si);

	if (ret)
		return ret;
	if (si.state == XSR_SLOT_FREE || si.epoch != x->peer_epoch || si.domid != x->peer_domid) {
		ret = peer_restarted(x, si);
		if (ret)
			return ret;
		if (x->ph != phase::wait_connected)
			return err::AGAIN;
	}
	if (si.state != XSR_SLOT_CONNECTED)
		return err::AGAIN;
	ret = confirmed(x, si);
	if (ret)
		return ret;
	x->remote_port = si.port;
	ret = xsr_slot_set_state(&x->rg, u32(x->slot), XSR_SLOT_CONNECTED, x->local_port);
	if (ret)
		return ret;
	connected(x);
	(void)kick(x); // the sender waits for this event to call itself connected
	return 0;
}

int step_wait_go(peer *x)
{
	xsr_slot_info si, again;
	int ret = same_peer(x, &si);

	if (ret)
		return ret;
	if (si.state != XSR_SLOT_GO)
		return err::AGAIN;
	ret = bind(x, si);
	if (ret) {
		// The receiver may have restarted under us: look again.
		if (!read_peer(x, &again) && again.epoch != x->peer_epoch) {
			ret = peer_restarted(x, again);
			return ret ? ret : err::AGAIN;
		}
		return ret;
	}
	x->remote_port = si.port;
	ret = verify(x, si.port);
	if (ret)
		return ret;
	// Only an event after my CONNECTED counts.
	forget_events(x);
	ret = xsr_slot_set_state(&x->rg, u32(x->slot), XSR_SLOT_CONNECTED, x->local_port);
	if (ret)
		return ret;
	(void)kick(x); // the receiver waits for this event before its CONNECTED
	x->ph = phase::wait_confirm;
	return CONT;
}

int step_wait_confirm(peer *x)
{
	xsr_slot_info si;
	int ret = same_peer(x, &si);

	if (ret)
		return ret;
	if (si.state != XSR_SLOT_CONNECTED)
		return confirm_wait(x); // still GO: the receiver has not seen us yet
	if (si.port != x->remote_port)
		return err::IO; // GO and CONNECTED name different ports
	ret = confirmed(x, si);
	if (ret)
		return ret;
	connected(x);
	return 0;
}

int step(peer *x)
{
	switch (x->ph) {
	case phase::region:
		return step_region(x);
	case phase::claim:
		return step_claim(x);
	case phase::peer:
		return step_peer(x);
	case phase::wait_go:
		return step_wait_go(x);
	case phase::wait_confirm:
		return step_wait_confirm(x);
	case phase::wait_connected:
		return step_wait_connected(x);
	default:
		return err::INVAL;
	}
}

// Step 7 while connected: is the peer still there, and my own beat.
int check_connected(peer *x)
{
	u64 t;
	int ret = xsr_peer_check(&x->rg, u32(x->slot), x->peer_epoch);

	if (ret)
		return gone(x, ret); // CONNRESET: FREE or new epoch; IO: corrupt
	if (xsr_ring_error(&x->tx) || xsr_ring_error(&x->rx))
		return gone(x, err::IO);
	t = now(x);
	// Beat at half my published period, so a caller that polls at the
	// period itself still beats at least once in every period.
	if (x->cfg.heartbeat_ms && t - x->beat_at >= (x->cfg.heartbeat_ms + 1) / 2) {
		xsr_slot_heartbeat(&x->rg, u32(x->slot));
		x->beat_at = t;
	}
	// My own limit is four of my periods, as Linux waits for four of the
	// periods it publishes. Late means a whole limit without a poll (late_ms
	// 0): the integrator's cadence is its own, and one that polls at least
	// once per limit is judged by the rule, not by its pauses.
	if (!xsr_liveness_check(&x->live, &x->rg, u32(x->slot), t, 4 * x->cfg.heartbeat_ms, 0))
		return 1;
	return gone(x, err::TIMEDOUT);
}

// ---- data ----

int copy_in(void *, void *shm_dst, const void *src, usize len)
{
	__builtin_memcpy(shm_dst, src, len);
	return 0;
}

int copy_out(void *, void *dst, const void *shm_src, usize len)
{
	__builtin_memcpy(dst, shm_src, len);
	return 0;
}

// May I produce? Checks the peer first, as the module does before every
// write: a peer that left gets nothing more.
int tx_ready(peer *x)
{
	int ret;

	if (x->ph == phase::gone)
		return x->error;
	if (x->ph != phase::connected)
		return err::NOTCONN;
	ret = xsr_peer_check(&x->rg, u32(x->slot), x->peer_epoch);
	return ret ? gone(x, ret) : 0;
}

// May I consume? After the peer left, what it published is still read.
int rx_ready(const peer *x)
{
	return x->ph == phase::connected || x->ph == phase::gone ? 0 : err::NOTCONN;
}

// need: an xsr_*_need_notify() result. 1 notified, 0 not asked, or -errno.
int kick_if(peer *x, int need)
{
	int ret;

	if (need <= 0)
		return need;
	ret = kick(x);
	return ret ? ret : 1;
}

long tx_done(peer *x, long n, unsigned int flags)
{
	if (n >= 0 && !(flags & XSR_MORE))
		(void)kick_if(x, xsr_tx_need_notify(&x->tx));
	return n;
}

long rx_done(peer *x, long n, unsigned int flags)
{
	if (n >= 0 && !(flags & XSR_MORE))
		(void)kick_if(x, xsr_rx_need_notify(&x->rx));
	return n;
}

// The RX ring was empty while connected: tell an ended connection from a
// quiet one (AGAIN).
long rx_empty(peer *x)
{
	const int ret = xsr_peer_check(&x->rg, u32(x->slot), x->peer_epoch);

	return ret ? gone(x, ret) : err::AGAIN;
}

long rx_once(peer *x, void *buf, usize cap, unsigned int flags, bool message)
{
	return message ? xsr_recv(&x->rx, buf, cap, copy_out, nullptr, flags) :
			 xsr_read(&x->rx, buf, cap, copy_out, nullptr, flags);
}

long rx_call(peer *x, void *buf, usize cap, unsigned int flags, bool message)
{
	long n;
	int ret = rx_ready(x);

	if (ret)
		return ret;
	if ((x->rx_mode == XSR_MODE_MESSAGE) != message)
		return err::INVAL;
	n = rx_once(x, buf, cap, flags, message);
	if (n != err::AGAIN)
		return rx_done(x, n, flags);
	if (x->ph == phase::gone)
		return x->error;
	n = rx_empty(x);
	if (n == err::AGAIN)
		return n;
	// Just found gone: what it published before its FREE (stored after
	// the data, with release) is read before its departure is reported.
	n = rx_once(x, buf, cap, flags, message);
	return n == err::AGAIN ? x->error : rx_done(x, n, flags);
}

long tx_call(peer *x, const void *buf, usize len, unsigned int flags, bool message)
{
	long n;
	int ret = tx_ready(x);

	if (ret)
		return ret;
	if ((x->cfg.mode == XSR_MODE_MESSAGE) != message)
		return err::INVAL;
	n = message ? xsr_send(&x->tx, buf, len, copy_in, nullptr, flags) :
		      xsr_write(&x->tx, buf, len, copy_in, nullptr, flags);
	return tx_done(x, n, flags);
}

} // namespace

extern "C" {

int xsr_peer_init(struct xsr_peer *p, const struct xsr_peer_config *cfg, const struct xsr_peer_platform *plat)
{
	if (!p || !cfg || !plat)
		return err::INVAL;
	__builtin_memset(p, 0, sizeof(*p));
	// Hostile-input discipline for the caller's words too: every field
	// known, every value in range.
	if (!cfg->base || (reinterpret_cast<uptr>(cfg->base) & 7u) || !xsr_data_size_for(cfg->size))
		return err::INVAL;
	if (cfg->my_domid >= XSR_PEER_DOMID_FIRST_RESERVED || cfg->peer_domid == cfg->my_domid ||
	    (cfg->peer_domid >= XSR_PEER_DOMID_FIRST_RESERVED && cfg->peer_domid != XSR_DOMID_NONE))
		return err::INVAL;
	if (cfg->role > XSR_ROLE_SENDER || cfg->mode > XSR_MODE_MESSAGE || cfg->static_port >= XSR_PEER_MAX_PORT ||
	    cfg->heartbeat_ms > XSR_PEER_HEARTBEAT_MAX_MS || cfg->flags || cfg->reserved)
		return err::INVAL;
	if (!plat->status || !plat->notify || !plat->now_ms)
		return err::INVAL;
	if (!cfg->static_port && (!plat->alloc_unbound || !plat->bind_interdomain || !plat->close))
		return err::INVAL;
	peer *x = reinterpret_cast<peer *>(p);
	x->cfg = *cfg;
	x->plat = *plat;
	x->slot = -1;
	x->peer_domid = XSR_DOMID_NONE;
	x->kept_domid = XSR_DOMID_NONE;
	x->rx_mode = cfg->mode;
	x->ph = phase::region;
	x->magic = PEER_MAGIC;
	return 0;
}

void xsr_peer_event(struct xsr_peer *p)
{
	if (p)
		(void)fetch_add(&reinterpret_cast<peer *>(p)->events_seen, u64(1));
}

int xsr_peer_poll(struct xsr_peer *p)
{
	peer *x = P(p);
	int ret = err::AGAIN;

	if (!x)
		return err::INVAL;
	switch (x->ph) {
	case phase::idle:
		return err::NOTCONN;
	case phase::gone:
	case phase::failed:
		return x->error;
	case phase::connected:
		return check_connected(x);
	default:
		break;
	}
	// Each CONT moves to a later phase, and a step that goes back returns
	// AGAIN: bounded by the number of phases.
	for (int i = 0; i < 8; i++) {
		ret = step(x);
		if (ret != CONT)
			break;
	}
	if (ret == 0)
		return 1;
	if (ret == err::AGAIN || ret == CONT)
		return 0;
	return fail(x, ret);
}

uint32_t xsr_peer_timeout_ms(const struct xsr_peer *p)
{
	const peer *x = P(p);
	xsr_slot_info si;
	u32 t;

	if (!x)
		return 1000;
	switch (x->ph) {
	case phase::connected:
		// At half my period I beat. Judging the peer takes a poll per half
		// its limit, max(4 x my period, 2 x its period): no more than my
		// beat needs, unless I publish no period; then its period, which is
		// its word, so never below PEER_POLL_MIN_MS (it must not make me
		// spin: a faster peer goes unjudged, its checks all count as late).
		if (x->cfg.heartbeat_ms)
			return (x->cfg.heartbeat_ms + 1) / 2;
		t = 1000;
		if (!xsr_slot_read(&x->rg, 1 - u32(x->slot), &si) && si.heartbeat_ms && si.heartbeat_ms < t)
			t = si.heartbeat_ms > PEER_POLL_MIN_MS ? si.heartbeat_ms : PEER_POLL_MIN_MS;
		return t;
	case phase::idle:
	case phase::gone:
	case phase::failed:
		return 1000;
	default:
		// A slot change brings no event (claim, GO): poll like the
		// module's work does at its fastest.
		return 5;
	}
}

uint32_t xsr_peer_port(const struct xsr_peer *p)
{
	const peer *x = P(p);

	return x && x->bound ? x->local_port : 0;
}

uint32_t xsr_peer_role(const struct xsr_peer *p)
{
	const peer *x = P(p);

	return x ? x->role : XSR_ROLE_AUTO;
}

void xsr_peer_get_info(const struct xsr_peer *p, struct xsr_peer_info *out)
{
	const peer *x = P(p);

	if (!out)
		return;
	__builtin_memset(out, 0, sizeof(*out));
	out->slot = SLOT_NONE;
	out->peer_domid = XSR_DOMID_NONE;
	if (!x)
		return;
	switch (x->ph) {
	case phase::idle:
		out->phase = XSR_PEER_IDLE;
		break;
	case phase::connected:
		out->phase = XSR_PEER_CONNECTED;
		break;
	case phase::gone:
		out->phase = XSR_PEER_GONE;
		break;
	case phase::failed:
		out->phase = XSR_PEER_FAILED;
		break;
	default:
		out->phase = XSR_PEER_CONNECTING;
		break;
	}
	out->error = x->error;
	out->role = x->role;
	out->slot = x->slot >= 0 ? u32(x->slot) : SLOT_NONE;
	out->peer_domid = x->peer_domid;
	out->local_port = x->bound ? x->local_port : 0;
	out->remote_port = x->remote_port;
	out->is_static = x->bound && x->is_static;
	out->events_sent = x->events_sent;
	out->events_seen = load_acquire(&x->events_seen);
	out->notify_errors = x->notify_errors;
	out->connects = x->connects;
}

void xsr_peer_detach(struct xsr_peer *p)
{
	peer *x = P(p);

	if (!x)
		return;
	leave(x, false);
	x->ph = phase::idle;
	x->error = 0;
}

int xsr_peer_reconnect(struct xsr_peer *p)
{
	peer *x = P(p);

	if (!x)
		return err::INVAL;
	leave(x, true);
	x->ph = phase::region;
	x->error = 0;
	return 0;
}

long xsr_peer_send(struct xsr_peer *p, const void *buf, size_t len, unsigned int flags)
{
	peer *x = P(p);

	return x ? tx_call(x, buf, len, flags, true) : err::INVAL;
}

long xsr_peer_write(struct xsr_peer *p, const void *buf, size_t len, unsigned int flags)
{
	peer *x = P(p);

	return x ? tx_call(x, buf, len, flags, false) : err::INVAL;
}

long xsr_peer_recv(struct xsr_peer *p, void *buf, size_t cap, unsigned int flags)
{
	peer *x = P(p);

	return x ? rx_call(x, buf, cap, flags, true) : err::INVAL;
}

long xsr_peer_read(struct xsr_peer *p, void *buf, size_t cap, unsigned int flags)
{
	peer *x = P(p);

	return x ? rx_call(x, buf, cap, flags, false) : err::INVAL;
}

uint32_t xsr_peer_rx_mode(const struct xsr_peer *p)
{
	const peer *x = P(p);

	return x ? x->rx_mode : XSR_MODE_STREAM;
}

int xsr_peer_rx_arm(struct xsr_peer *p)
{
	peer *x = P(p);
	int ret;

	if (!x)
		return err::INVAL;
	ret = rx_ready(x);
	if (ret)
		return ret;
	ret = xsr_rx_arm(&x->rx);
	// Gone and drained: nothing will wake a sleeper.
	return ret == 0 && x->ph == phase::gone ? x->error : ret;
}

int xsr_peer_tx_arm(struct xsr_peer *p, size_t want)
{
	peer *x = P(p);

	if (!x)
		return err::INVAL;
	if (x->ph == phase::gone)
		return x->error;
	if (x->ph != phase::connected)
		return err::NOTCONN;
	return xsr_tx_arm(&x->tx, want);
}

struct xsr_ring *xsr_peer_tx_ring(struct xsr_peer *p)
{
	peer *x = P(p);

	return x && !rx_ready(x) ? &x->tx : nullptr;
}

struct xsr_ring *xsr_peer_rx_ring(struct xsr_peer *p)
{
	peer *x = P(p);

	return x && !rx_ready(x) ? &x->rx : nullptr;
}

int xsr_peer_kick_tx(struct xsr_peer *p)
{
	peer *x = P(p);

	if (!x)
		return err::INVAL;
	if (rx_ready(x))
		return err::NOTCONN;
	return kick_if(x, xsr_tx_need_notify(&x->tx));
}

int xsr_peer_kick_rx(struct xsr_peer *p)
{
	peer *x = P(p);

	if (!x)
		return err::INVAL;
	if (rx_ready(x))
		return err::NOTCONN;
	return kick_if(x, xsr_rx_need_notify(&x->rx));
}

} // extern "C"
