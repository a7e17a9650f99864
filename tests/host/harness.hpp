// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// Shared helpers of the ringcore host tests: a region in ordinary memory,
// two ends (slot 0 = "a", slot 1 = "b"), copy callbacks and direct access to
// the shared words so a test can play the hostile peer.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "xenshm/wire.hpp"
#include "xenshm/xsr.h"
#include "xenshm/xsr_mem.h"

namespace xt {

using xenshm::wire::record_header;
using xenshm::wire::region_header;
using xenshm::wire::ring_ctrl;
using xenshm::wire::slot;

inline uint64_t region_size_for(uint32_t data_size)
{
	return xenshm::wire::DATA_OFF + 2ull * data_size;
}

// A region in private memory, initialised, with slot 0 and 1 claimed by
// domids 1 and 2.
struct Region {
	uint8_t *mem = nullptr;
	uint64_t size = 0;
	xsr_region rg_a{}, rg_b{};
	uint32_t epoch_a = 0, epoch_b = 0;

	explicit Region(uint32_t data_size, bool claim = true)
	{
		size = region_size_for(data_size);
		mem = static_cast<uint8_t *>(std::aligned_alloc(4096, size));
		std::memset(mem, 0xa5, size); // garbage, as firmware may leave it
		EXPECT_EQ(xsr_region_init(&rg_a, mem, size), 0);
		EXPECT_EQ(xsr_region_validate(&rg_b, mem, size), 0);
		if (claim) {
			EXPECT_EQ(xsr_slot_claim(&rg_a, 0, 1, 2, 0, &epoch_a), 0);
			EXPECT_EQ(xsr_slot_claim(&rg_b, 1, 2, 1, 0, &epoch_b), 1);
		}
	}
	~Region() { std::free(mem); }
	Region(const Region &) = delete;
	Region &operator=(const Region &) = delete;

	region_header *hdr() { return reinterpret_cast<region_header *>(mem); }
	slot *slot_at(unsigned i) { return reinterpret_cast<slot *>(mem + (i ? 256 : 128)); }
	ring_ctrl *ctrl(unsigned ring) { return reinterpret_cast<ring_ctrl *>(mem + (ring ? 4352 : 4096)); }
	uint8_t *data(unsigned ring) { return mem + 8192 + uint64_t(ring) * data_size(); }
	uint32_t data_size() { return xsr_region_data_size(&rg_a); }
};

// Ring 0: produced by end a (slot 0), consumed by end b (slot 1).
struct Pair {
	Region reg;
	alignas(128) xsr_ring tx{}; // separate lines: the stress test uses them from two threads
	alignas(128) xsr_ring rx{};
	unsigned mode;

	Pair(uint32_t data_size, unsigned m, uint32_t start = 0) : reg(data_size), mode(m) { restart(start); }

	// Put both indices at start (free-running) and attach both ends.
	void restart(uint32_t start)
	{
		reg.ctrl(0)->prod = start;
		reg.ctrl(0)->cons = start;
		EXPECT_EQ(xsr_ring_attach(&tx, &reg.rg_a, 0, XSR_TX, mode), 0);
		EXPECT_EQ(xsr_ring_attach(&rx, &reg.rg_b, 1, XSR_RX, mode), 0);
	}
	ring_ctrl *ctrl() { return reg.ctrl(0); }
	uint8_t *data() { return reg.data(0); }
	uint32_t size() { return reg.data_size(); }

	long send(const void *p, size_t n, unsigned fl = 0)
	{
		return xsr_send(&tx, p, n, xsr_copy_in_memcpy, nullptr, fl);
	}
	long recv(void *p, size_t n, unsigned fl = 0)
	{
		return xsr_recv(&rx, p, n, xsr_copy_out_memcpy, nullptr, fl);
	}
	long write(const void *p, size_t n, unsigned fl = 0)
	{
		return xsr_write(&tx, p, n, xsr_copy_in_memcpy, nullptr, fl);
	}
	long read(void *p, size_t n, unsigned fl = 0)
	{
		return xsr_read(&rx, p, n, xsr_copy_out_memcpy, nullptr, fl);
	}
};

// Deterministic bytes: the payload of message `seq`.
inline void fill(uint8_t *p, size_t n, uint64_t seq)
{
	uint64_t x = seq * 0x9e3779b97f4a7c15ull + 1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = uint8_t(x);
	}
}

inline std::vector<uint8_t> pattern(size_t n, uint64_t seq)
{
	std::vector<uint8_t> v(n);
	fill(v.data(), n, seq);
	return v;
}

// Copy callbacks that fail on the n-th call (1-based) with -EFAULT.
struct FailingCopy {
	int calls = 0;
	int fail_at = 1;
	static int in(void *ctx, void *dst, const void *src, size_t len)
	{
		auto *f = static_cast<FailingCopy *>(ctx);
		if (++f->calls == f->fail_at)
			return XSR_EFAULT;
		std::memcpy(dst, src, len);
		return 0;
	}
	static int out(void *ctx, void *dst, const void *src, size_t len)
	{
		auto *f = static_cast<FailingCopy *>(ctx);
		if (++f->calls == f->fail_at)
			return XSR_EFAULT;
		std::memcpy(dst, src, len);
		return 0;
	}
};

} // namespace xt
