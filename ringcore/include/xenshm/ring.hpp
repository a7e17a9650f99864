// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// One direction of a xenshm channel: a single-producer/single-consumer ring
// in shared memory, seen from one side (producer or consumer). The contract
// (who owns which word, how barriers pair, what is checked) is at the top of
// xenshm/xsr.h; this is its implementation in freestanding C++.
#pragma once

#include "xenshm/types.hpp"
#include "xenshm/wire.hpp"

namespace xenshm {

// Error codes (negative Linux errno), identical to XSR_E* in xsr.h.
namespace err {
inline constexpr int IO = -5;
inline constexpr int AGAIN = -11;
inline constexpr int FAULT = -14;
inline constexpr int BUSY = -16;
inline constexpr int INVAL = -22;
inline constexpr int PROTO = -71;
inline constexpr int MSGSIZE = -90;
inline constexpr int CONNRESET = -104;
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

// vring_need_event(): the side that moved its index from old_idx to new_idx
// must notify iff the event word lies in [old_idx, new_idx).
constexpr bool need_event(u32 event, u32 new_idx, u32 old_idx)
{
	return u32(new_idx - event - 1) < u32(new_idx - old_idx);
}

static_assert(need_event(5, 6, 5) && !need_event(6, 6, 5) && !need_event(4, 6, 5));
static_assert(need_event(0xffffffffu, 3, 0xfffffff0u));

enum class ring_dir : u8 { tx = 0, rx = 1 };

// The caller-side state of one ring. Trivial type: lives in the opaque
// xsr_ring storage; every field is private to this side.
struct ring {
	u8 *data;		// data area in shared memory
	wire::ring_ctrl *ctrl;	// control block in shared memory
	u32 size;		// data_size (power of two), from the private region copy
	u32 mask;		// size - 1
	u32 max_msg;		// largest payload in message mode
	u32 idx;		// my index (prod for tx, cons for rx), incl. unpublished progress
	u32 pub;		// value of my index last stored to shared memory
	u32 notified;		// my index at the last need_notify()
	u32 peer;		// last validated peer index (cons for tx, prod for rx)
	u32 zc_start;		// zero copy: index where the reserved/peeked record starts
	u32 zc_len;		// zero copy: payload bytes reserved/peeked
	u8 dir;			// ring_dir
	u8 message;		// 1: message records, 0: byte stream
	u8 broken;		// sticky corruption flag
	u8 zc_active;		// a reserve/peek is outstanding

	// Setup. attach(): resync as documented in xsr.h; join(): adopt the
	// published indices (a second user of a live ring, e.g. mmap).
	int attach(u8 *region_base, u32 data_size, u32 ring_index, ring_dir d, bool msg, bool resync);

	// Producer.
	long send(const void *src, usize len, copy_in_fn fn, void *ctx, bool more);
	long write(const void *src, usize len, copy_in_fn fn, void *ctx, bool more);
	long reserve(usize len, void **buf);
	int commit(usize len);
	long tx_space();
	void tx_flush();
	int tx_need_notify();
	int tx_arm(usize want);

	// Consumer.
	long recv(void *dst, usize cap, copy_out_fn fn, void *ctx, bool more);
	long next_len();
	long read(void *dst, usize cap, copy_out_fn fn, void *ctx, bool more);
	long peek(const void **buf);
	int release(usize len);
	long rx_avail();
	void rx_flush();
	int rx_need_notify();
	int rx_arm();

	int error() const { return broken ? err::IO : 0; }
	int fail()
	{
		broken = 1;
		zc_active = 0;
		return err::IO;
	}

private:
	bool refresh_cons();
	bool refresh_prod();
	void publish();
	// Message mode: locate the next message record at idx (skipping at most
	// one pad). Returns 0 and fills *len/*off, or a negative errno.
	int next_record(u32 *len, u32 *off);
};

static_assert(__is_trivial(ring) && __is_standard_layout(ring));

} // namespace xenshm
