// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// One direction of a xenshm channel: a single-producer/single-consumer ring
// in shared memory, seen from one side (producer or consumer). The contract
// (who owns which word, how barriers pair, what is checked) is at the top of
// xenshm/xsr.h; this is its implementation in freestanding C++. The one rule
// stated here rather than there is when to notify: need_event() below.
//
// [[nodiscard]] marks every function whose result is an error or a decision
// the caller must act on (notify, sleep, bytes moved).
#pragma once

#include "xenshm/atomic.hpp"
#include "xenshm/types.hpp"
#include "xenshm/wire.hpp"

struct xsr_ring; // xenshm/xsr.h: the opaque C handle that holds a xenshm::ring

namespace xenshm {

// Error codes (negative Linux errno), identical to XSR_E* in xsr.h.
namespace err {
inline constexpr int IO = -5;
inline constexpr int AGAIN = -11;
inline constexpr int ACCES = -13;
inline constexpr int FAULT = -14;
inline constexpr int BUSY = -16;
inline constexpr int INVAL = -22;
inline constexpr int PROTO = -71;
inline constexpr int MSGSIZE = -90;
inline constexpr int CONNRESET = -104;
inline constexpr int NOTCONN = -107;
inline constexpr int TIMEDOUT = -110;
} // namespace err

// Copy callbacks, same signatures as xsr_copy_in_fn / xsr_copy_out_fn.
using copy_in_fn = int (*)(void *ctx, void *shm_dst, const void *src, usize len);
using copy_out_fn = int (*)(void *ctx, void *dst, const void *shm_src, usize len);

inline constexpr u32 REC_HDR = sizeof(wire::record_header);
static_assert(REC_HDR == wire::RECORD_ALIGN);

constexpr u32 align8(u32 v)
{
	return (v + 7u) & ~7u;
}

// Bytes a record with a payload of len bytes occupies.
constexpr u32 record_bytes(u32 len)
{
	return REC_HDR + align8(len);
}

// The event-index rule. This comment is its one statement in the tree (other
// comments point here) and need_event() below its one implementation: every
// need-notify decision, the kernel's for rings userspace maps included, is
// made by event_check() in ring.cpp, which calls it.
//
// Each side owns one event word in the control block with which it asks the
// other side for a notification: the consumer writes prod_event ("wake me
// when prod passes this"), the producer cons_event ("wake me when cons
// passes this"). A side that moved its own index from old_idx to new_idx
// since its previous check must notify iff the peer's event word lies in
//     [old_idx, new_idx)
// counted modulo 2^32 from old_idx: the index stepped from the event word to
// beyond it. An event word equal to old_idx asks for this move; one equal to
// new_idx asks for the next one. The test below is that interval in wrapping
// u32 arithmetic: virtio's vring_need_event(). (Xen's ring.h has the same
// scheme with the event word one further on -- req_event = req_cons + 1,
// "wake me when prod reaches this" -- hence its (old, new]; do not mix the
// two.) How an event word is armed and re-checked without losing a wakeup is
// in xenshm/xsr.h, "Notification"; ring.cpp implements it in
// tx_need_notify()/rx_arm() and rx_need_notify()/tx_arm(), and
// joined_need_notify() for an index another user moves.
[[nodiscard]] constexpr bool need_event(u32 event, u32 new_idx, u32 old_idx)
{
	return u32(new_idx - event - 1) < u32(new_idx - old_idx);
}

static_assert(need_event(5, 6, 5) && !need_event(6, 6, 5) && !need_event(4, 6, 5));
static_assert(need_event(0xffffffffu, 3, 0xfffffff0u));

namespace detail {

inline constexpr u32 T_MSG = u32(wire::record_type::msg);
inline constexpr u32 T_PAD = u32(wire::record_type::pad);

// A record header as one 8-byte word: records start 8-byte aligned in an
// 8-byte aligned data area, so the header is written and read with one
// access (read once, as xsr.h asks, and never torn). The word holds the
// wire layout (len at offset 0, type at offset 4) in the host's byte order,
// the order both sides of a ring use for every word.
inline u64 *hdr_word(u8 *data, u32 off)
{
	return reinterpret_cast<u64 *>(data + off);
}

static_assert(__builtin_offsetof(wire::record_header, len) == 0 && __builtin_offsetof(wire::record_header, type) == 4);

constexpr u64 hdr_pack(u32 len, u32 type)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return u64(len) | u64(type) << 32;
#else
	return u64(len) << 32 | u64(type);
#endif
}

constexpr u32 hdr_len(u64 w)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return u32(w);
#else
	return u32(w >> 32);
#endif
}

constexpr u32 hdr_type(u64 w)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return u32(w >> 32);
#else
	return u32(w);
#endif
}

static_assert(hdr_len(hdr_pack(72, T_MSG)) == 72 && hdr_type(hdr_pack(72, T_MSG)) == T_MSG);

inline void put_hdr(u8 *data, u32 off, u32 len, u32 type)
{
	atomic::write_once(hdr_word(data, off), hdr_pack(len, type));
}

// A copy that failed with e: the caller's negative errno, or -EFAULT.
inline int copy_err(int e)
{
	return e < 0 ? e : err::FAULT;
}

} // namespace detail

enum class ring_dir : u8 { tx = 0, rx = 1 };

// The caller-side state of one ring. Trivial type: lives in the opaque
// xsr_ring storage; every field is private to this side.
struct ring {
	u8 *data;	       // data area in shared memory
	wire::ring_ctrl *ctrl; // control block in shared memory
	u32 size;	       // data_size (power of two), from the private region copy
	u32 mask;	       // size - 1
	u32 max_msg;	       // largest payload in message mode
	u32 idx;	       // my index (prod for tx, cons for rx), incl. unpublished progress
	u32 pub;	       // value of my index last stored to shared memory
	u32 notified;	       // my index at the last need_notify()
	u32 peer;	       // last validated peer index (cons for tx, prod for rx)
	u32 zc_start;	       // zero copy: index where the reserved/peeked record starts
	u32 zc_len;	       // zero copy: payload bytes reserved/peeked
	u8 dir;		       // ring_dir
	u8 message;	       // 1: message records, 0: byte stream
	u8 broken;	       // sticky corruption flag
	u8 zc_active;	       // a reserve/peek is outstanding
	u8 joined;	       // set up by xsr_ring_join(): the joined_*() calls apply

	// Setup of ring ring_index of the region at region_base, as direction d.
	// resync = true is xsr_ring_attach() (the consumer resyncs the ring);
	// resync = false is xsr_ring_join() (adopt the published indices, write
	// nothing: a second user of a live ring, e.g. through mmap). Both are
	// documented in xsr.h.
	[[nodiscard]] int attach(u8 *region_base, u32 data_size, u32 ring_index, ring_dir d, bool msg, bool resync);

	// Inline fast path for C++ callers (message mode): the same code as
	// send()/recv() -- which are these templates instantiated with the C
	// copy callback -- with the copy as a callable
	//   int copy(void *dst, const void *src, usize len)
	// returning 0 or a negative errno (like xsr_copy_in_fn without ctx), so a
	// plain fixed-size memcpy inlines. Same checks, same errors, same
	// all-or-nothing and sticky -EIO. Only for a handle that was attached
	// (a zeroed one fails with -EINVAL as its mode is 0).
	template <typename CopyIn>
	[[nodiscard]] long send_with(const void *src, usize len, CopyIn &&copy, bool more);
	template <typename CopyOut>
	[[nodiscard]] long recv_with(void *dst, usize cap, CopyOut &&copy, bool more);

	// The ring inside an attached C handle, for C++ callers that use the
	// inline path on a handle set up through xsr.h (the facade keeps the
	// ring in the handle's storage, see facade.cpp).
	static ring *of(xsr_ring *r) { return reinterpret_cast<ring *>(r); }

	// Producer.
	[[nodiscard]] long send(const void *src, usize len, copy_in_fn fn, void *ctx, bool more);
	[[nodiscard]] long write(const void *src, usize len, copy_in_fn fn, void *ctx, bool more);
	[[nodiscard]] long reserve(usize len, void **buf);
	[[nodiscard]] int commit(usize len);
	[[nodiscard]] long tx_space();
	void tx_flush();
	[[nodiscard]] int tx_need_notify();
	[[nodiscard]] int tx_arm(usize want);

	// Consumer.
	[[nodiscard]] long recv(void *dst, usize cap, copy_out_fn fn, void *ctx, bool more);
	[[nodiscard]] long next_len();
	[[nodiscard]] long read(void *dst, usize cap, copy_out_fn fn, void *ctx, bool more);
	[[nodiscard]] long peek(const void **buf);
	[[nodiscard]] int release(usize len);
	[[nodiscard]] long rx_avail();
	void rx_flush();
	[[nodiscard]] int rx_need_notify();
	[[nodiscard]] int rx_arm();

	// A joined handle whose index another user moves through a mapping
	// (the kernel answering poll() and NOTIFY for userspace): answers from
	// the published words; writes this handle, never shared memory.
	[[nodiscard]] long joined_rx_avail();
	[[nodiscard]] long joined_tx_free();
	[[nodiscard]] int joined_need_notify();

	[[nodiscard]] int error() const { return broken ? err::IO : 0; }
	// Marks the ring broken (sticky); returns -EIO for `return fail();`.
	int fail()
	{
		broken = 1;
		zc_active = 0;
		return err::IO;
	}

private:
	// Re-read the peer's index once and validate it; false: corrupt.
	[[nodiscard]] bool refresh_cons();
	[[nodiscard]] bool refresh_prod();
	void publish();
	// My index is now at now (published): fence, read the peer's event
	// word, need_event() over [notified, now), notified = now.
	[[nodiscard]] int event_check(u32 now);
	// prod - cons as published, validated; false: corrupt.
	[[nodiscard]] bool published_fill(u32 *fill);
	// Message mode: locate the next message record at idx (skipping at most
	// one pad). Returns 0 and fills *len/*off, or a negative errno.
	[[nodiscard]] int next_record(u32 *len, u32 *off);
};

static_assert(__is_trivial(ring) && __is_standard_layout(ring));

// ---------------------------------------------------------------- hot path
// Hostile peer: the peer's index is read once per refresh into a local and
// checked; record headers are read once into locals and checked before use
// (see ring.cpp). These are inline so that C++ callers get them without a
// call; ring.cpp instantiates the same code for the C facade.

inline bool ring::refresh_cons()
{
	// pairs with store_release(cons) in the consumer's publish()
	u32 c = atomic::load_acquire(&ctrl->cons);
	if (u32(idx - c) > size || (message && (c & 7u)))
		return false;
	peer = c;
	return true;
}

inline bool ring::refresh_prod()
{
	// pairs with store_release(prod) in the producer's publish()
	u32 p = atomic::load_acquire(&ctrl->prod);
	if (u32(p - idx) > size || (message && (p & 7u)))
		return false;
	peer = p;
	return true;
}

inline void ring::publish()
{
	if (pub == idx)
		return;
	u32 *w = dir == u8(ring_dir::tx) ? &ctrl->prod : &ctrl->cons;
	// tx: data written before it becomes visible (pairs with load_acquire(prod) in refresh_prod);
	// rx: data read before the space is handed back (pairs with load_acquire(cons) in refresh_cons).
	atomic::store_release(w, idx);
	pub = idx;
}

template <typename CopyIn>
__attribute__((always_inline)) inline long ring::send_with(const void *src, usize len, CopyIn &&copy, bool more)
{
	if (broken)
		return err::IO;
	if (!message || dir != u8(ring_dir::tx))
		return err::INVAL;
	if (len > max_msg)
		return err::MSGSIZE;
	if (zc_active) // an outstanding reserve() is dropped (no store when there is none)
		zc_active = 0;
	// Handle fields in locals: the copy writes through a byte pointer, which
	// would otherwise make the compiler reload them all after it.
	u8 *const d = data;
	const u32 sz = size;
	const u32 l = u32(len);
	const u32 rec = record_bytes(l);
	u32 pos = idx;
	u32 off = pos & mask;
	const u32 tail = sz - off;
	const u32 need = rec <= tail ? rec : tail + rec;
	// The cached cons is re-read only when the space it shows is short.
	if (sz - u32(pos - peer) < need) {
		if (!refresh_cons())
			return fail();
		if (sz - u32(pos - peer) < need)
			return err::AGAIN;
	}
	if (rec > tail) {
		detail::put_hdr(d, off, tail - REC_HDR, detail::T_PAD);
		pos += tail;
		off = 0;
	}
	if (l) {
		int e = copy(d + off + REC_HDR, src, usize(l));
		if (e)
			return detail::copy_err(e); // nothing published: the space stays free
	}
	detail::put_hdr(d, off, l, detail::T_MSG);
	idx = pos + rec;
	if (!more)
		publish();
	return long(l);
}

__attribute__((always_inline)) inline int ring::next_record(u32 *len, u32 *off_out)
{
	// At most two iterations: a pad moves idx to offset 0, and a pad at
	// offset 0 is corruption.
	for (int i = 0; i < 2; i++) {
		u32 avail = peer - idx;
		if (!avail) {
			if (!refresh_prod())
				return fail();
			avail = peer - idx;
			if (!avail)
				return err::AGAIN;
		}
		const u32 off = idx & mask;
		const u32 tail = size - off;
		// avail >= 8: prod and idx are both 8-aligned and differ. The
		// header is read once, whole.
		const u64 w = atomic::read_once(detail::hdr_word(data, off));
		const u32 l = detail::hdr_len(w);
		const u32 t = detail::hdr_type(w);
		if (t == detail::T_PAD) {
			if (!off || l != tail - REC_HDR || tail > avail)
				return fail();
			idx += tail; // published with the next publish()
			continue;
		}
		if (t != detail::T_MSG || l > max_msg)
			return fail();
		const u32 rec = record_bytes(l);
		if (rec > avail || rec > tail)
			return fail();
		*len = l;
		*off_out = off;
		return 0;
	}
	return fail();
}

template <typename CopyOut>
__attribute__((always_inline)) inline long ring::recv_with(void *dst, usize cap, CopyOut &&copy, bool more)
{
	if (broken)
		return err::IO;
	if (!message || dir != u8(ring_dir::rx))
		return err::INVAL;
	if (zc_active) // an outstanding peek() is dropped (no store when there is none)
		zc_active = 0;
	u32 l, off;
	int e = next_record(&l, &off);
	if (e)
		return e;
	if (cap < l)
		return err::MSGSIZE;
	if (l) {
		e = copy(dst, data + off + REC_HDR, usize(l));
		if (e)
			return detail::copy_err(e); // the message stays queued
	}
	idx += record_bytes(l);
	if (!more)
		publish();
	return long(l);
}

} // namespace xenshm
