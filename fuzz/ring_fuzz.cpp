// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// libFuzzer target: the input drives our producer and consumer of one ring
// and, between operations, plays the hostile peer by writing arbitrary
// values into the shared control words and the data area.
//
// Oracles:
//  - every call returns a documented value; pointers handed out stay inside
//    the data area; lengths respect max_msg and the caller's capacity;
//  - once a handle reports -EIO it stays broken;
//  - while the input has not tampered with shared memory, the ring is never
//    broken and delivers exactly what was sent (a model queue);
//  - ASan/UBSan: no out-of-bounds access, no UB; libFuzzer: no hang.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <vector>

#include "xenshm/xsr.h"
#include "xenshm/xsr_mem.h"

namespace {

constexpr uint32_t kData = 4096;
constexpr uint64_t kRegion = 8192 + 2 * kData;

struct Input {
	const uint8_t *p;
	size_t n;
	uint8_t u8() { return n ? (n--, *p++) : 0; }
	uint16_t u16() { return uint16_t(u8() | (u8() << 8)); }
	uint32_t u32() { return uint32_t(u16()) | (uint32_t(u16()) << 16); }
};

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			__builtin_printf("check failed: %s (line %d)\n", #c, __LINE__);            \
			std::abort();                                                              \
		}                                                                                  \
	} while (0)


} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Input in{data, size};
	// Ring 1 is used: its data area ends the region, and the region is a
	// heap block, so any access past the end of the ring hits ASan's redzone.
	struct Mem {
		uint8_t *p = static_cast<uint8_t *>(std::aligned_alloc(4096, kRegion));
		~Mem() { std::free(p); }
	} m;
	uint8_t *g_mem = m.p;
	std::memset(g_mem, 0, kRegion);
	xsr_region rg;
	CHECK(xsr_region_init(&rg, g_mem, kRegion) == 0);
	uint32_t e;
	CHECK(xsr_slot_claim(&rg, 0, 1, 2, 0, &e) == 0);
	CHECK(xsr_slot_claim(&rg, 1, 2, 1, 0, &e) == 1);
	const unsigned mode = in.u8() & 1;
	const uint32_t start = in.u32();
	auto *ctrl = reinterpret_cast<uint32_t *>(g_mem + 4352); // ring 1: prod @0, cons @32 (words)
	uint8_t *ring = g_mem + 8192 + kData;
	ctrl[0] = start;
	ctrl[32] = start;
	xsr_ring tx, rx;
	CHECK(xsr_ring_attach(&tx, &rg, 1, XSR_TX, mode) == 0);
	CHECK(xsr_ring_attach(&rx, &rg, 0, XSR_RX, mode) == 0);
	const long max = long(xsr_ring_max_msg(&tx));

	bool tampered = false, tx_broken = false, rx_broken = false;
	// Model: what the consumer can see (published) and what the producer
	// has queued with XSR_MORE but not published yet.
	std::deque<std::vector<uint8_t>> msgs, pend_msgs; // message mode
	std::deque<uint8_t> bytes, pend_bytes;		  // stream mode
	auto publish = [&] {
		msgs.insert(msgs.end(), pend_msgs.begin(), pend_msgs.end());
		bytes.insert(bytes.end(), pend_bytes.begin(), pend_bytes.end());
		pend_msgs.clear();
		pend_bytes.clear();
	};
	std::vector<uint8_t> src(kData + 64), dst(kData + 64);
	uint8_t counter = 0;
	auto make = [&](size_t len) {
		for (size_t i = 0; i < len; i++)
			src[i] = uint8_t(counter + i * 7);
		counter++;
	};
	auto in_ring = [&](const void *q, long len) {
		auto *b = static_cast<const uint8_t *>(q);
		return b >= ring && b + len <= ring + kData;
	};

	for (int step = 0; step < 2000 && in.n; step++) {
		const uint8_t op = in.u8() % 13;
		long r;
		switch (op) {
		case 0: { // send / write
			size_t len = in.u16() % (kData + 32);
			unsigned fl = in.u8() & XSR_MORE;
			make(len);
			if (mode) {
				r = xsr_send(&tx, src.data(), len, xsr_copy_in_memcpy, nullptr, fl);
				CHECK(r == long(len) || r == XSR_EAGAIN || r == XSR_EMSGSIZE || r == XSR_EIO);
				CHECK((r == XSR_EMSGSIZE) == (long(len) > max) || r == XSR_EIO);
				if (r >= 0) {
					pend_msgs.emplace_back(src.begin(), src.begin() + r);
					if (!fl)
						publish();
				}
			} else {
				r = xsr_write(&tx, src.data(), len, xsr_copy_in_memcpy, nullptr, fl);
				CHECK((r >= 0 && r <= long(len)) || r == XSR_EAGAIN || r == XSR_EIO);
				CHECK(r != 0 || len == 0);
				if (r > 0) {
					pend_bytes.insert(pend_bytes.end(), src.begin(), src.begin() + r);
					if (!fl)
						publish();
				}
			}
			break;
		}
		case 1: { // recv / read
			size_t cap = in.u16() % (kData + 32);
			unsigned fl = in.u8() & XSR_MORE;
			if (mode) {
				r = xsr_recv(&rx, dst.data(), cap, xsr_copy_out_memcpy, nullptr, fl);
				CHECK((r >= 0 && r <= long(cap) && r <= max) || r == XSR_EAGAIN || r == XSR_EMSGSIZE ||
				      r == XSR_EIO);
				if (!tampered) {
					if (msgs.empty()) {
						CHECK(r == XSR_EAGAIN);
					} else if (msgs.front().size() > cap) {
						CHECK(r == XSR_EMSGSIZE);
					} else {
						CHECK(r == long(msgs.front().size()));
						CHECK(!r || !std::memcmp(dst.data(), msgs.front().data(), size_t(r)));
						msgs.pop_front();
					}
				}
			} else {
				r = xsr_read(&rx, dst.data(), cap, xsr_copy_out_memcpy, nullptr, fl);
				CHECK((r >= 0 && r <= long(cap)) || r == XSR_EAGAIN || r == XSR_EIO);
				if (!tampered) {
					if (!cap)
						CHECK(r == 0);
					else if (bytes.empty())
						CHECK(r == XSR_EAGAIN);
					else
						CHECK(r == long(cap < bytes.size() ? cap : bytes.size()));
					for (long i = 0; i < r; i++) {
						CHECK(dst[size_t(i)] == bytes.front());
						bytes.pop_front();
					}
				}
			}
			break;
		}
		case 2: { // zero-copy produce
			size_t len = in.u16() % (kData + 32);
			size_t k = in.u16();
			void *w;
			r = xsr_tx_reserve(&tx, len, &w);
			CHECK(r >= 0 || r == XSR_EAGAIN || r == XSR_EMSGSIZE || r == XSR_EIO);
			if (r >= 0) {
				CHECK(r <= long(len) && in_ring(w, r));
				CHECK(!mode || r == long(len));
				k = r ? k % size_t(r + 1) : 0;
				make(k);
				std::memcpy(w, src.data(), k);
				CHECK(xsr_tx_commit(&tx, k) == 0);
				if (mode)
					pend_msgs.emplace_back(src.begin(), src.begin() + long(k));
				else
					pend_bytes.insert(pend_bytes.end(), src.begin(), src.begin() + long(k));
				publish(); // commit publishes
			}
			break;
		}
		case 3: { // zero-copy consume
			const void *q;
			r = xsr_rx_peek(&rx, &q);
			CHECK(r >= 0 || r == XSR_EAGAIN || r == XSR_EIO);
			if (r >= 0) {
				CHECK(in_ring(q, r));
				size_t k = mode ? size_t(r) : in.u16() % size_t(r + 1);
				if (!tampered) {
					if (mode) {
						CHECK(!msgs.empty() && msgs.front().size() == size_t(r));
						CHECK(!r || !std::memcmp(q, msgs.front().data(), size_t(r)));
						msgs.pop_front();
					} else {
						CHECK(bytes.size() >= k);
						for (size_t i = 0; i < k; i++) {
							CHECK(static_cast<const uint8_t *>(q)[i] == bytes.front());
							bytes.pop_front();
						}
					}
				}
				CHECK(xsr_rx_release(&rx, k) == 0);
			}
			break;
		}
		case 4: {
			int a = xsr_tx_need_notify(&tx), b = xsr_rx_need_notify(&rx);
			publish();
			CHECK((a == 0 || a == 1) && (b == 0 || b == 1));
			break;
		}
		case 5: {
			int a = xsr_rx_arm(&rx);
			CHECK(a == 0 || a == 1 || a == XSR_EIO);
			if (!tampered && a >= 0)
				CHECK(a == (mode ? !msgs.empty() : !bytes.empty()));
			a = xsr_tx_arm(&tx, in.u16());
			CHECK(a == 0 || a == 1 || a == XSR_EIO);
			if (a >= 0)
				publish();
			break;
		}
		case 6: {
			r = xsr_rx_avail(&rx);
			CHECK((r >= 0 && r <= long(kData)) || r == XSR_EIO);
			if (!tampered && !mode)
				CHECK(r == long(bytes.size()));
			r = xsr_tx_space(&tx);
			CHECK((r >= 0 && r <= long(kData)) || r == XSR_EIO);
			if (mode && r > 0 && !tampered) {
				// What space promises, send delivers.
				make(size_t(r));
				CHECK(xsr_send(&tx, src.data(), size_t(r), xsr_copy_in_memcpy, nullptr, 0) == r);
				pend_msgs.emplace_back(src.begin(), src.begin() + r);
				publish();
			}
			r = xsr_rx_next_len(&rx);
			CHECK(r >= 0 || r == XSR_EAGAIN || r == XSR_EIO || r == XSR_EINVAL);
			break;
		}
		case 7: { // hostile: a control word
			static const unsigned words[] = {0, 1, 32, 33};
			unsigned w = words[in.u8() & 3];
			uint32_t v = in.u32();
			if (in.u8() & 1)
				v = ctrl[w] + (v % 64) - 32; // near the current value
			if (ctrl[w] != v && (w == 0 || w == 32))
				tampered = true;
			ctrl[w] = v;
			break;
		}
		case 8: { // hostile: the data area (often the next header the consumer reads)
			const uint8_t how = in.u8();
			uint32_t off = how & 1 ? (ctrl[32] + 4 * (how >> 1 & 7)) % kData & ~3u
					       : in.u16() % kData & ~3u;
			uint32_t v = in.u32();
			if (in.u8() & 1)
				v %= 4200; // plausible lengths and types
			std::memcpy(ring + off, &v, 4);
			tampered = true;
			break;
		}
		case 12: { // hostile: a whole record header where the consumer reads next
			const uint32_t off = (ctrl[32] + 8 * (in.u8() & 3)) % kData & ~7u;
			const uint8_t t = in.u8();
			const uint32_t hdr[2] = {in.u16() % (kData + 64), t < 200 ? 1u : t < 250 ? 2u : uint32_t(t)};
			std::memcpy(ring + off, hdr, 8);
			tampered = true;
			break;
		}
		case 9:
			xsr_tx_flush(&tx);
			xsr_rx_flush(&rx);
			publish();
			break;
		case 10: // the consumer restarts: discards what is queued
			if (!tampered) {
				xsr_tx_flush(&tx);
				publish();
				CHECK(xsr_ring_attach(&rx, &rg, 0, XSR_RX, mode) == 0);
				rx_broken = false;
				msgs.clear();
				bytes.clear();
			}
			break;
		case 11: { // the producer restarts: keeps its published index
			if (!tampered) {
				xsr_tx_flush(&tx);
				publish();
				CHECK(xsr_ring_attach(&tx, &rg, 1, XSR_TX, mode) == 0);
				tx_broken = false;
			}
			break;
		}
		}
		if (tx_broken)
			CHECK(xsr_ring_error(&tx) == XSR_EIO);
		if (rx_broken)
			CHECK(xsr_ring_error(&rx) == XSR_EIO);
		tx_broken = xsr_ring_error(&tx) != 0;
		rx_broken = xsr_ring_error(&rx) != 0;
		if (!tampered)
			CHECK(!tx_broken && !rx_broken);
	}
	return 0;
}
