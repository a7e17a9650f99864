// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// Ring data path. See the contract at the top of xenshm/xsr.h.
//
// Hostile peer: the peer's index is read once per refresh into a local and
// checked (0 <= prod - cons <= size; 8-byte aligned in message mode); record
// headers are read once into locals and checked before use. My own index is
// kept privately (idx) and only published; what the peer writes into my
// published word is never read back on the data path (only the joined_*()
// calls read it: there another user of my end moves it). Every loop is
// bounded by a constant (at most one pad record per call) or the bytes
// requested.
#include "xenshm/ring.hpp"
#include "xenshm/atomic.hpp"
#include "xenshm/xsr.h"

#include "xenshm/poison.hpp"

namespace xenshm {

using namespace atomic;
using namespace detail;

namespace {

template <typename T>
constexpr T min_of(T a, T b)
{
	return a < b ? a : b;
}

} // namespace

int ring::attach(u8 *base, u32 data_size, u32 ring_index, ring_dir d, bool msg, bool resync)
{
	data = base + wire::DATA_OFF + usize(ring_index) * data_size;
	ctrl = reinterpret_cast<wire::ring_ctrl *>(base + (ring_index ? wire::RING1_CTRL_OFF : wire::RING0_CTRL_OFF));
	size = data_size;
	mask = data_size - 1;
	max_msg = wire::max_msg_size_for(data_size);
	dir = u8(d);
	message = msg ? 1 : 0;
	broken = 0;
	zc_active = 0;
	zc_start = zc_len = 0;
	joined = resync ? 0 : 1;

	if (d == ring_dir::tx) {
		// The producer adopts its own published prod: the consumer's attach
		// (cons := prod) is the one resync of this ring, so two sides
		// attaching at once never cross-write each other's index.
		u32 p = read_once(&ctrl->prod);
		if (msg && (p & 7u)) {
			if (!resync)
				return fail();
			p = align8(p); // the consumer aligns the same way
		}
		idx = pub = notified = p;
		if (resync) {
			store_release(&ctrl->prod, p);	      // pairs with load_acquire(prod) in the consumer
			write_once(&ctrl->cons_event, p - 1); // not waiting for space (see xsr_ring_attach)
		}
		// pairs with store_release(cons) in the consumer's publish()
		u32 c = load_acquire(&ctrl->cons);
		if (u32(p - c) <= size && !(msg && (c & 7u)))
			peer = c;
		else
			peer = p - size; // unknown: assume full until a refresh validates cons
		return 0;
	}

	// pairs with store_release(prod) in the producer's publish()
	u32 p = load_acquire(&ctrl->prod);
	if (!resync) {
		u32 c = read_once(&ctrl->cons);
		if (msg && (c & 7u))
			return fail();
		idx = pub = notified = peer = c;
		return 0;
	}
	if (msg)
		p = align8(p);
	idx = pub = notified = peer = p;
	store_release(&ctrl->cons, p);	  // discard what an earlier life left unread
	write_once(&ctrl->prod_event, p); // armed: the first data wakes me
	return 0;
}

// ------------------------------------------------------------------ producer

// The C facade's path: the inline template with the copy callback.
long ring::send(const void *src, usize len, copy_in_fn fn, void *ctx, bool more)
{
	auto copy = [fn, ctx](void *d, const void *s, usize n) { return fn(ctx, d, s, n); };
	return send_with(src, len, copy, more);
}

long ring::write(const void *src, usize len, copy_in_fn fn, void *ctx, bool more)
{
	if (broken)
		return err::IO;
	if (message || dir != u8(ring_dir::tx))
		return err::INVAL;
	if (!len)
		return 0;
	zc_active = 0;
	u32 free = size - u32(idx - peer);
	if (free < len) {
		if (!refresh_cons())
			return fail();
		free = size - u32(idx - peer);
		if (!free)
			return err::AGAIN;
	}
	const u32 n = u32(min_of<usize>(len, free));
	const u32 off = idx & mask;
	const u32 first = min_of(n, size - off);
	int e = fn(ctx, data + off, src, first);
	if (e)
		return copy_err(e);
	u32 done = n;
	if (n > first) {
		e = fn(ctx, data, static_cast<const u8 *>(src) + first, n - first);
		if (e)
			done = first; // partial write: keep what was copied
	}
	idx += done;
	if (!more)
		publish();
	return long(done);
}

long ring::reserve(usize len, void **buf)
{
	if (broken)
		return err::IO;
	if (dir != u8(ring_dir::tx) || !buf)
		return err::INVAL;
	zc_active = 0;
	u32 off = idx & mask;
	const u32 tail = size - off;
	if (message) {
		if (len > max_msg)
			return err::MSGSIZE;
		const u32 rec = record_bytes(u32(len));
		const u32 need = rec <= tail ? rec : tail + rec;
		if (size - u32(idx - peer) < need) {
			if (!refresh_cons())
				return fail();
			if (size - u32(idx - peer) < need)
				return err::AGAIN;
		}
		u32 start = idx;
		if (rec > tail) {
			put_hdr(data, off, tail - REC_HDR, T_PAD); // unpublished until commit
			start += tail;
			off = 0;
		}
		zc_start = start;
		zc_len = u32(len);
		zc_active = 1;
		*buf = data + off + REC_HDR;
		return long(len);
	}
	u32 free = size - u32(idx - peer);
	if (free < min_of<usize>(len, tail)) {
		if (!refresh_cons())
			return fail();
		free = size - u32(idx - peer);
	}
	const u32 n = u32(min_of<usize>(min_of<usize>(len, free), tail));
	if (!n && len)
		return err::AGAIN;
	zc_start = idx;
	zc_len = n;
	zc_active = 1;
	*buf = data + off;
	return long(n);
}

int ring::commit(usize len)
{
	if (broken)
		return err::IO;
	if (dir != u8(ring_dir::tx) || !zc_active || len > zc_len)
		return err::INVAL;
	if (message) {
		put_hdr(data, zc_start & mask, u32(len), T_MSG);
		idx = zc_start + record_bytes(u32(len));
	} else {
		idx += u32(len);
	}
	zc_active = 0;
	publish();
	return 0;
}

long ring::tx_space()
{
	if (broken)
		return err::IO;
	if (dir != u8(ring_dir::tx))
		return err::INVAL;
	if (!refresh_cons())
		return fail();
	const u32 free = size - u32(idx - peer);
	if (!message)
		return long(free);
	// Largest payload that fits now: at idx, or at 0 after a pad.
	const u32 tail = size - (idx & mask);
	const u32 here = min_of(tail, free);
	u32 best = here >= REC_HDR ? here - REC_HDR : 0;
	if (free > tail && free - tail >= REC_HDR && free - tail - REC_HDR > best)
		best = free - tail - REC_HDR;
	return long(min_of(best, max_msg));
}

void ring::tx_flush()
{
	if (!broken && dir == u8(ring_dir::tx))
		publish();
}

int ring::event_check(u32 now)
{
	// Orders the store of my index (prod / cons) before the load of the
	// peer's event word; pairs with the full fence in the peer's arm (store
	// event word; fence; load my index): rx_arm() for prod_event, tx_arm()
	// for cons_event.
	fence_full();
	const u32 ev = read_once(dir == u8(ring_dir::tx) ? &ctrl->prod_event : &ctrl->cons_event);
	const u32 old = notified;
	notified = now;
	return need_event(ev, now, old) ? 1 : 0;
}

int ring::tx_need_notify()
{
	if (broken || dir != u8(ring_dir::tx))
		return 0;
	publish();
	return event_check(idx);
}

int ring::tx_arm(usize want)
{
	if (broken)
		return err::IO;
	if (dir != u8(ring_dir::tx))
		return err::INVAL;
	publish();
	u32 need;
	if (message) {
		const u32 rec = record_bytes(u32(min_of<usize>(want, max_msg)));
		const u32 tail = size - (idx & mask);
		need = rec <= tail ? rec : tail + rec;
	} else {
		need = u32(min_of<usize>(want ? want : 1, size));
	}
	// Wake me when cons reaches idx + need - size, i.e. passes that - 1.
	write_once(&ctrl->cons_event, idx + need - size - 1);
	// Orders the store of cons_event before the re-load of cons; pairs with
	// the full fence in the consumer's rx_need_notify().
	fence_full();
	if (!refresh_cons())
		return fail();
	return size - u32(idx - peer) >= need ? 1 : 0;
}

// ------------------------------------------------------------------ consumer

long ring::recv(void *dst, usize cap, copy_out_fn fn, void *ctx, bool more)
{
	auto copy = [fn, ctx](void *d, const void *s, usize n) { return fn(ctx, d, s, n); };
	return recv_with(dst, cap, copy, more);
}

long ring::next_len()
{
	if (broken)
		return err::IO;
	if (!message || dir != u8(ring_dir::rx))
		return err::INVAL;
	u32 l, off;
	int e = next_record(&l, &off);
	return e ? e : long(l);
}

long ring::read(void *dst, usize cap, copy_out_fn fn, void *ctx, bool more)
{
	if (broken)
		return err::IO;
	if (message || dir != u8(ring_dir::rx))
		return err::INVAL;
	if (!cap)
		return 0;
	zc_active = 0;
	u32 avail = peer - idx;
	if (avail < cap) {
		if (!refresh_prod())
			return fail();
		avail = peer - idx;
		if (!avail)
			return err::AGAIN;
	}
	const u32 n = u32(min_of<usize>(cap, avail));
	const u32 off = idx & mask;
	const u32 first = min_of(n, size - off);
	int e = fn(ctx, dst, data + off, first);
	if (e)
		return copy_err(e);
	u32 done = n;
	if (n > first) {
		e = fn(ctx, static_cast<u8 *>(dst) + first, data, n - first);
		if (e)
			done = first;
	}
	idx += done;
	if (!more)
		publish();
	return long(done);
}

long ring::peek(const void **buf)
{
	if (broken)
		return err::IO;
	if (dir != u8(ring_dir::rx) || !buf)
		return err::INVAL;
	zc_active = 0;
	if (message) {
		u32 l, off;
		int e = next_record(&l, &off);
		if (e)
			return e;
		zc_start = idx;
		zc_len = l;
		zc_active = 1;
		*buf = data + off + REC_HDR;
		return long(l);
	}
	const u32 off = idx & mask;
	const u32 tail = size - off;
	u32 avail = peer - idx;
	if (avail < tail) {
		if (!refresh_prod())
			return fail();
		avail = peer - idx;
	}
	const u32 n = min_of(avail, tail);
	if (!n)
		return err::AGAIN;
	zc_start = idx;
	zc_len = n;
	zc_active = 1;
	*buf = data + off;
	return long(n);
}

int ring::release(usize len)
{
	if (broken)
		return err::IO;
	if (dir != u8(ring_dir::rx) || !zc_active || zc_start != idx)
		return err::INVAL;
	if (message) {
		idx += record_bytes(zc_len);
	} else {
		if (len > zc_len)
			return err::INVAL;
		idx += u32(len);
	}
	zc_active = 0;
	publish();
	return 0;
}

long ring::rx_avail()
{
	if (broken)
		return err::IO;
	if (dir != u8(ring_dir::rx))
		return err::INVAL;
	if (!refresh_prod())
		return fail();
	return long(peer - idx);
}

void ring::rx_flush()
{
	if (!broken && dir == u8(ring_dir::rx))
		publish();
}

int ring::rx_need_notify()
{
	if (broken || dir != u8(ring_dir::rx))
		return 0;
	publish();
	return event_check(idx);
}

int ring::rx_arm()
{
	if (broken)
		return err::IO;
	if (dir != u8(ring_dir::rx))
		return err::INVAL;
	publish();
	write_once(&ctrl->prod_event, idx); // wake me when prod passes idx
	// Orders the store of prod_event before the re-load of prod; pairs with
	// the full fence in the producer's tx_need_notify().
	fence_full();
	if (!refresh_prod())
		return fail();
	return peer != idx ? 1 : 0;
}

// ------------------------------------------------------------------ joined
// A joined handle whose index another user (userspace, through a mapping)
// moves: idx/pub/peer are stale, so these read both indices as published.
// Both indices may move while they are read, one by that user and one by
// the peer.

bool ring::published_fill(u32 *fill)
{
	// Two snapshots at most: a torn one needs a refill within one load's
	// window (a preemption), two in a row do not happen; a hostile value
	// costs two passes, never a loop.
	for (int i = 0; i < 2; i++) {
		// cons first (acquire: prod is loaded after it): prod never falls
		// behind a cons already published, so the pair cannot show prod
		// behind cons. pairs with store_release(cons) in the consumer's publish()
		const u32 c = load_acquire(&ctrl->cons);
		// pairs with store_release(prod) in the producer's publish();
		// acquire orders the re-read of cons below after it
		const u32 p = load_acquire(&ctrl->prod);
		if (message && ((c | p) & 7u))
			return false;
		if (u32(p - c) <= size) {
			*fill = p - c;
			return true;
		}
		// The one honest way to see prod - cons > size: the consumer freed
		// space and the producer refilled it between the two loads. An
		// unchanged cons means the pair held at one instant: corruption.
		if (read_once(&ctrl->cons) == c)
			return false;
	}
	return false;
}

long ring::joined_rx_avail()
{
	if (broken)
		return err::IO;
	if (!joined || dir != u8(ring_dir::rx))
		return err::INVAL;
	u32 fill;
	if (!published_fill(&fill))
		return fail();
	return long(fill);
}

long ring::joined_tx_free()
{
	if (broken)
		return err::IO;
	if (!joined || dir != u8(ring_dir::tx))
		return err::INVAL;
	u32 fill;
	if (!published_fill(&fill))
		return fail();
	return long(size - fill);
}

int ring::joined_need_notify()
{
	if (!joined)
		return err::INVAL;
	if (broken)
		return 0;
	// My index as its user last published it; the store came before this
	// call (the user's NOTIFY). Any value is safe: it is only compared.
	return event_check(read_once(dir == u8(ring_dir::tx) ? &ctrl->prod : &ctrl->cons));
}

} // namespace xenshm

// ------------------------------------------------------------------ facade
// extern "C" wrappers of the data path (xenshm/xsr.h); the handle checks and
// the region/slot wrappers are in facade.cpp.

using namespace xenshm;

namespace {

inline ring *R(xsr_ring *r)
{
	return reinterpret_cast<ring *>(r);
}
inline const ring *R(const xsr_ring *r)
{
	return reinterpret_cast<const ring *>(r);
}

// The ring in r, or nullptr if r was never attached (a zeroed handle has no
// control block).
[[nodiscard]] inline ring *attached(xsr_ring *r)
{
	ring *x = R(r);
	return x->ctrl ? x : nullptr;
}

} // namespace

extern "C" {

int xsr_ring_error(const struct xsr_ring *r)
{
	return R(r)->error();
}

void xsr_ring_set_broken(struct xsr_ring *r)
{
	R(r)->fail();
}

uint32_t xsr_ring_max_msg(const struct xsr_ring *r)
{
	return R(r)->max_msg;
}

uint32_t xsr_ring_data_size(const struct xsr_ring *r)
{
	return R(r)->size;
}

long xsr_send(struct xsr_ring *r, const void *src, size_t len, xsr_copy_in_fn copy_in, void *ctx, unsigned int flags)
{
	if (!copy_in)
		return err::INVAL;
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->send(src, len, copy_in, ctx, flags & XSR_MORE);
}

long xsr_recv(struct xsr_ring *r, void *dst, size_t cap, xsr_copy_out_fn copy_out, void *ctx, unsigned int flags)
{
	if (!copy_out)
		return err::INVAL;
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->recv(dst, cap, copy_out, ctx, flags & XSR_MORE);
}

long xsr_rx_next_len(struct xsr_ring *r)
{
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->next_len();
}

long xsr_write(struct xsr_ring *r, const void *src, size_t len, xsr_copy_in_fn copy_in, void *ctx, unsigned int flags)
{
	if (!copy_in)
		return err::INVAL;
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->write(src, len, copy_in, ctx, flags & XSR_MORE);
}

long xsr_read(struct xsr_ring *r, void *dst, size_t cap, xsr_copy_out_fn copy_out, void *ctx, unsigned int flags)
{
	if (!copy_out)
		return err::INVAL;
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->read(dst, cap, copy_out, ctx, flags & XSR_MORE);
}

long xsr_tx_reserve(struct xsr_ring *r, size_t len, void **buf)
{
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->reserve(len, buf);
}

int xsr_tx_commit(struct xsr_ring *r, size_t len)
{
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->commit(len);
}

long xsr_rx_peek(struct xsr_ring *r, const void **buf)
{
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->peek(buf);
}

int xsr_rx_release(struct xsr_ring *r, size_t len)
{
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->release(len);
}

long xsr_tx_space(struct xsr_ring *r)
{
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->tx_space();
}

long xsr_rx_avail(struct xsr_ring *r)
{
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->rx_avail();
}

void xsr_tx_flush(struct xsr_ring *r)
{
	ring *x = attached(r);
	if (x)
		x->tx_flush();
}

void xsr_rx_flush(struct xsr_ring *r)
{
	ring *x = attached(r);
	if (x)
		x->rx_flush();
}

int xsr_tx_need_notify(struct xsr_ring *r)
{
	ring *x = attached(r);
	if (!x)
		return 0;
	return x->tx_need_notify();
}

int xsr_rx_need_notify(struct xsr_ring *r)
{
	ring *x = attached(r);
	if (!x)
		return 0;
	return x->rx_need_notify();
}

int xsr_rx_arm(struct xsr_ring *r)
{
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->rx_arm();
}

int xsr_tx_arm(struct xsr_ring *r, size_t want)
{
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->tx_arm(want);
}

long xsr_joined_rx_avail(struct xsr_ring *r)
{
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->joined_rx_avail();
}

long xsr_joined_tx_free(struct xsr_ring *r)
{
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->joined_tx_free();
}

int xsr_joined_need_notify(struct xsr_ring *r)
{
	ring *x = attached(r);
	if (!x)
		return err::INVAL;
	return x->joined_need_notify();
}

} // extern "C"
