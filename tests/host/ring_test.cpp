// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// Ring data path, single-threaded: wraparound at every offset, full/empty,
// all-or-nothing, stream partials, zero copy, notification decisions.
// Not covered here: concurrency (stress_test.cpp), hostile peers
// (hostile_test.cpp), the rendezvous (protocol_test.cpp).
#include "harness.hpp"

using namespace xt;

namespace {

const uint32_t kSizes[] = {4096, 8192, 16384};

// Free-running start indices: plain, and just below the u32 wrap.
uint32_t start_index(uint32_t base, uint32_t off)
{
	return base + off;
}

} // namespace

// Message mode: for every 8-aligned start offset, a set of lengths around
// the wrap (pad record) travel intact and in order.
TEST(RingMessage, WrapAtEveryOffset)
{
	for (uint32_t size : kSizes) {
		Pair p(size, XSR_MODE_MESSAGE);
		const uint32_t max = xsr_ring_max_msg(&p.tx);
		ASSERT_EQ(max, size / 2 - 8);
		const size_t lens[] = {0, 1, 7, 8, 9, 100, size / 4 - 3, max};
		std::vector<uint8_t> out(max);
		for (uint32_t base : {0u, 0xffffffffu - size * 2 + 1}) {
			base &= ~7u;
			for (uint32_t off = 0; off < size; off += 8) {
				p.restart(start_index(base, off));
				uint64_t seq = off;
				for (size_t len : lens) {
					auto m = pattern(len, seq);
					ASSERT_EQ(p.send(m.data(), len), long(len)) << size << " " << off << " " << len;
					ASSERT_EQ(p.recv(out.data(), out.size()), long(len));
					if (len) {
						ASSERT_EQ(0, std::memcmp(out.data(), m.data(), len));
					}
					seq++;
				}
				// Two in flight across the wrap.
				auto m1 = pattern(size / 4, 1), m2 = pattern(size / 4 + 5, 2);
				ASSERT_EQ(p.send(m1.data(), m1.size()), long(m1.size()));
				ASSERT_EQ(p.send(m2.data(), m2.size()), long(m2.size()));
				ASSERT_EQ(p.recv(out.data(), out.size()), long(m1.size()));
				ASSERT_EQ(0, std::memcmp(out.data(), m1.data(), m1.size()));
				ASSERT_EQ(p.recv(out.data(), out.size()), long(m2.size()));
				ASSERT_EQ(0, std::memcmp(out.data(), m2.data(), m2.size()));
				ASSERT_EQ(p.recv(out.data(), out.size()), XSR_EAGAIN);
				ASSERT_EQ(xsr_ring_error(&p.rx), 0);
			}
		}
	}
}

// Stream mode: for every byte offset, writes that wrap arrive intact.
TEST(RingStream, WrapAtEveryOffset)
{
	for (uint32_t size : kSizes) {
		Pair p(size, XSR_MODE_STREAM);
		std::vector<uint8_t> out(size);
		for (uint32_t base : {0u, 0xffffffffu - size * 2 + 1}) {
			for (uint32_t off = 0; off < size; off++) {
				p.restart(base + off);
				for (size_t len : {size_t(1), size_t(size / 3), size_t(size)}) {
					auto m = pattern(len, off + len);
					ASSERT_EQ(p.write(m.data(), len), long(len));
					ASSERT_EQ(p.read(out.data(), out.size()), long(len));
					ASSERT_EQ(0, std::memcmp(out.data(), m.data(), len)) << size << " " << off;
				}
			}
		}
	}
}

TEST(RingMessage, FullAndEmpty)
{
	Pair p(4096, XSR_MODE_MESSAGE);
	uint8_t buf[64] = {};
	EXPECT_EQ(p.recv(buf, sizeof(buf)), XSR_EAGAIN);
	EXPECT_EQ(xsr_rx_avail(&p.rx), 0);
	EXPECT_EQ(xsr_rx_next_len(&p.rx), XSR_EAGAIN);
	int n = 0;
	while (p.send(buf, 56) == 56)
		n++;
	EXPECT_EQ(n, 4096 / 64); // 8 + 56 bytes per record fill the ring exactly
	EXPECT_EQ(p.send(buf, 0), XSR_EAGAIN);
	EXPECT_EQ(xsr_tx_space(&p.tx), 0);
	EXPECT_EQ(xsr_rx_avail(&p.rx), 4096);
	EXPECT_EQ(xsr_rx_next_len(&p.rx), 56);
	for (int i = 0; i < n; i++)
		ASSERT_EQ(p.recv(buf, sizeof(buf)), 56);
	EXPECT_EQ(p.recv(buf, sizeof(buf)), XSR_EAGAIN);
	EXPECT_EQ(xsr_tx_space(&p.tx), 4096 / 2 - 8); // capped at max_msg
}

TEST(RingMessage, SizeLimits)
{
	Pair p(4096, XSR_MODE_MESSAGE);
	std::vector<uint8_t> big(4096);
	EXPECT_EQ(p.send(big.data(), 2041), XSR_EMSGSIZE);
	EXPECT_EQ(p.send(big.data(), 2040), 2040);
	EXPECT_EQ(p.recv(big.data(), 2039), XSR_EMSGSIZE); // stays queued
	EXPECT_EQ(xsr_rx_next_len(&p.rx), 2040);
	EXPECT_EQ(p.recv(big.data(), 2040), 2040);
	// Wrong mode calls are refused.
	EXPECT_EQ(p.write(big.data(), 1), XSR_EINVAL);
	EXPECT_EQ(p.read(big.data(), 1), XSR_EINVAL);
	EXPECT_EQ(xsr_send(&p.rx, big.data(), 1, xsr_copy_in_memcpy, nullptr, 0), XSR_EINVAL);
	EXPECT_EQ(xsr_ring_error(&p.tx), 0);
}

// Space accounting for message mode includes the pad at the wrap.
TEST(RingMessage, SpaceAccountsForPad)
{
	Pair p(4096, XSR_MODE_MESSAGE, 4096 - 64);
	uint8_t buf[2048] = {};
	// 64 bytes to the end; cons at 4032 too: free = 4096.
	// Here: 56 bytes; after a pad: 4032 - 8.
	EXPECT_EQ(xsr_tx_space(&p.tx), 2040);
	ASSERT_EQ(p.send(buf, 100), 100); // needs a pad: record at 0
	EXPECT_EQ(xsr_rx_avail(&p.rx), 64 + 8 + 104);
	EXPECT_EQ(p.recv(buf, sizeof(buf)), 100);
	EXPECT_EQ(xsr_rx_avail(&p.rx), 0);
}

// A failing copy commits nothing, with and without a pad.
TEST(RingMessage, AllOrNothingCopyFailure)
{
	for (uint32_t start : {0u, 4096u - 16u}) {
		Pair p(4096, XSR_MODE_MESSAGE, start);
		auto m = pattern(300, 7);
		FailingCopy f;
		f.fail_at = 1;
		EXPECT_EQ(xsr_send(&p.tx, m.data(), m.size(), FailingCopy::in, &f, 0), XSR_EFAULT);
		EXPECT_EQ(p.ctrl()->prod, start);
		EXPECT_EQ(xsr_rx_avail(&p.rx), 0);
		ASSERT_EQ(p.send(m.data(), m.size()), 300);
		std::vector<uint8_t> out(300);
		FailingCopy g;
		g.fail_at = 1;
		EXPECT_EQ(xsr_recv(&p.rx, out.data(), out.size(), FailingCopy::out, &g, 0), XSR_EFAULT);
		EXPECT_EQ(xsr_rx_next_len(&p.rx), 300); // still queued
		EXPECT_EQ(p.recv(out.data(), out.size()), 300);
		EXPECT_EQ(out, m);
		EXPECT_EQ(xsr_ring_error(&p.rx), 0);
		EXPECT_EQ(xsr_ring_error(&p.tx), 0);
	}
}

// No room: nothing is written, nothing is published.
TEST(RingMessage, AllOrNothingNoRoom)
{
	Pair p(4096, XSR_MODE_MESSAGE);
	std::vector<uint8_t> m(2000);
	ASSERT_EQ(p.send(m.data(), 2000), 2000);
	ASSERT_EQ(p.send(m.data(), 2000), 2000);
	const uint32_t prod = p.ctrl()->prod;
	EXPECT_EQ(p.send(m.data(), 100), XSR_EAGAIN);
	EXPECT_EQ(p.ctrl()->prod, prod);
}

TEST(RingStream, Partials)
{
	Pair p(4096, XSR_MODE_STREAM, 4000);
	auto m = pattern(5000, 3);
	EXPECT_EQ(p.write(m.data(), 5000), 4096);
	EXPECT_EQ(p.write(m.data(), 1), XSR_EAGAIN);
	std::vector<uint8_t> out(5000);
	EXPECT_EQ(p.read(out.data(), 10), 10);
	EXPECT_EQ(p.write(m.data() + 4096, 904), 10);
	long got = 10;
	while (got < 4106) {
		long r = p.read(out.data() + got, 5000 - size_t(got));
		ASSERT_GT(r, 0);
		got += r;
	}
	EXPECT_EQ(got, 4106);
	EXPECT_EQ(0, std::memcmp(out.data(), m.data(), 4106));
	EXPECT_EQ(p.read(out.data(), 1), XSR_EAGAIN);
	EXPECT_EQ(p.write(m.data(), 0), 0);
	EXPECT_EQ(p.read(out.data(), 0), 0);
}

// A copy failing in the second (wrapped) chunk keeps the first; failing in
// the first moves nothing.
TEST(RingStream, CopyFailurePartial)
{
	Pair p(4096, XSR_MODE_STREAM, 4096 - 100);
	auto m = pattern(300, 9);
	FailingCopy f;
	f.fail_at = 2;
	EXPECT_EQ(xsr_write(&p.tx, m.data(), 300, FailingCopy::in, &f, 0), 100);
	FailingCopy g;
	g.fail_at = 1;
	EXPECT_EQ(xsr_write(&p.tx, m.data() + 100, 200, FailingCopy::in, &g, 0), XSR_EFAULT);
	EXPECT_EQ(p.write(m.data() + 100, 200), 200);
	std::vector<uint8_t> out(300);
	FailingCopy h;
	h.fail_at = 1;
	EXPECT_EQ(xsr_read(&p.rx, out.data(), 300, FailingCopy::out, &h, 0), XSR_EFAULT);
	FailingCopy k;
	k.fail_at = 2;
	EXPECT_EQ(xsr_read(&p.rx, out.data(), 300, FailingCopy::out, &k, 0), 100);
	EXPECT_EQ(p.read(out.data() + 100, 200), 200);
	EXPECT_EQ(out, m);
}

TEST(RingZeroCopy, MessageReserveCommitPeekRelease)
{
	Pair p(4096, XSR_MODE_MESSAGE, 4096 - 24);
	void *w = nullptr;
	// Needs a pad: 24 bytes left, record of 8 + 40.
	ASSERT_EQ(xsr_tx_reserve(&p.tx, 40, &w), 40);
	EXPECT_EQ(static_cast<uint8_t *>(w), p.data() + 8);
	std::memset(w, 0x5c, 40);
	EXPECT_EQ(xsr_rx_avail(&p.rx), 0); // nothing visible before commit
	EXPECT_EQ(xsr_tx_commit(&p.tx, 41), XSR_EINVAL);
	ASSERT_EQ(xsr_tx_commit(&p.tx, 33), 0); // shorter than reserved
	EXPECT_EQ(xsr_tx_commit(&p.tx, 1), XSR_EINVAL); // nothing reserved
	const void *r = nullptr;
	ASSERT_EQ(xsr_rx_peek(&p.rx, &r), 33);
	EXPECT_EQ(r, p.data() + 8);
	EXPECT_EQ(static_cast<const uint8_t *>(r)[32], 0x5c);
	ASSERT_EQ(xsr_rx_release(&p.rx, 0), 0);
	EXPECT_EQ(xsr_rx_release(&p.rx, 0), XSR_EINVAL);
	EXPECT_EQ(xsr_rx_peek(&p.rx, &r), XSR_EAGAIN);
	EXPECT_EQ(p.ctrl()->cons, p.ctrl()->prod);
	EXPECT_EQ(xsr_tx_reserve(&p.tx, 5000, &w), XSR_EMSGSIZE);
}

TEST(RingZeroCopy, StreamContiguous)
{
	Pair p(4096, XSR_MODE_STREAM, 4096 - 100);
	void *w = nullptr;
	ASSERT_EQ(xsr_tx_reserve(&p.tx, 300, &w), 100); // contiguous to the end
	std::memset(w, 1, 100);
	ASSERT_EQ(xsr_tx_commit(&p.tx, 100), 0);
	ASSERT_EQ(xsr_tx_reserve(&p.tx, 300, &w), 300);
	EXPECT_EQ(w, p.data());
	std::memset(w, 2, 300);
	ASSERT_EQ(xsr_tx_commit(&p.tx, 250), 0);
	const void *r = nullptr;
	ASSERT_EQ(xsr_rx_peek(&p.rx, &r), 100);
	EXPECT_EQ(xsr_rx_release(&p.rx, 101), XSR_EINVAL);
	ASSERT_EQ(xsr_rx_release(&p.rx, 60), 0);
	ASSERT_EQ(xsr_rx_peek(&p.rx, &r), 40);
	ASSERT_EQ(xsr_rx_release(&p.rx, 40), 0);
	ASSERT_EQ(xsr_rx_peek(&p.rx, &r), 250);
	EXPECT_EQ(static_cast<const uint8_t *>(r)[249], 2);
	ASSERT_EQ(xsr_rx_release(&p.rx, 250), 0);
	EXPECT_EQ(xsr_rx_peek(&p.rx, &r), XSR_EAGAIN);
}

// XSR_MORE defers publication until a flush/need_notify/arm.
TEST(RingBatch, MoreDefersPublication)
{
	Pair p(4096, XSR_MODE_MESSAGE);
	uint8_t b[16] = {};
	ASSERT_EQ(p.send(b, 16, XSR_MORE), 16);
	ASSERT_EQ(p.send(b, 16, XSR_MORE), 16);
	EXPECT_EQ(p.ctrl()->prod, 0u);
	EXPECT_EQ(xsr_rx_avail(&p.rx), 0);
	xsr_tx_flush(&p.tx);
	EXPECT_EQ(p.ctrl()->prod, 48u);
	ASSERT_EQ(p.recv(b, 16, XSR_MORE), 16);
	EXPECT_EQ(p.ctrl()->cons, 0u);
	ASSERT_EQ(p.recv(b, 16, XSR_MORE), 16);
	EXPECT_EQ(xsr_rx_need_notify(&p.rx), 0);
	EXPECT_EQ(p.ctrl()->cons, 48u);
}

// Event index: a consumer that armed gets exactly one notification for the
// next production; without arming, none.
TEST(RingNotify, ConsumerArmOneShot)
{
	Pair p(4096, XSR_MODE_MESSAGE);
	uint8_t b[8] = {};
	// Attach armed the consumer: the first message notifies.
	ASSERT_EQ(p.send(b, 8), 8);
	EXPECT_EQ(xsr_tx_need_notify(&p.tx), 1);
	ASSERT_EQ(p.send(b, 8), 8);
	EXPECT_EQ(xsr_tx_need_notify(&p.tx), 0); // not re-armed
	ASSERT_EQ(p.recv(b, 8), 8);
	ASSERT_EQ(p.recv(b, 8), 8);
	EXPECT_EQ(xsr_rx_arm(&p.rx), 0); // empty: may sleep
	ASSERT_EQ(p.send(b, 8), 8);
	EXPECT_EQ(xsr_tx_need_notify(&p.tx), 1);
	EXPECT_EQ(xsr_tx_need_notify(&p.tx), 0); // no progress, no notify
	// Arm with data present: the re-check says do not sleep.
	EXPECT_EQ(xsr_rx_arm(&p.rx), 1);
}

// A producer waiting for space is notified only once enough was freed.
TEST(RingNotify, ProducerSpaceWait)
{
	Pair p(4096, XSR_MODE_MESSAGE);
	std::vector<uint8_t> m(2000);
	int n = 0;
	while (p.send(m.data(), 1000) == 1000)
		n++;
	ASSERT_EQ(n, 4); // 4 * 1008
	EXPECT_EQ(xsr_tx_arm(&p.tx, 2000), 0); // wants 2008 + pad bytes
	ASSERT_EQ(p.recv(m.data(), 1000), 1000);
	EXPECT_EQ(xsr_rx_need_notify(&p.rx), 0); // 1008 + 64 free: not enough
	ASSERT_EQ(p.recv(m.data(), 1000), 1000);
	EXPECT_EQ(xsr_rx_need_notify(&p.rx), 1); // 2080 free >= 64 (pad) + 2008
	ASSERT_EQ(p.recv(m.data(), 1000), 1000);
	EXPECT_EQ(xsr_rx_need_notify(&p.rx), 0); // one-shot
	ASSERT_EQ(p.recv(m.data(), 1000), 1000);
	EXPECT_EQ(xsr_rx_need_notify(&p.rx), 0);
	EXPECT_EQ(xsr_tx_arm(&p.tx, 2000), 1); // space is there: do not sleep
	EXPECT_EQ(p.send(m.data(), 2000), 2000);
}

TEST(RingNotify, StreamProducerWait)
{
	Pair p(4096, XSR_MODE_STREAM);
	std::vector<uint8_t> m(4096);
	ASSERT_EQ(p.write(m.data(), 4096), 4096);
	EXPECT_EQ(xsr_tx_arm(&p.tx, 0), 0); // any space
	ASSERT_EQ(p.read(m.data(), 1), 1);
	EXPECT_EQ(xsr_rx_need_notify(&p.rx), 1);
	ASSERT_EQ(p.read(m.data(), 1), 1);
	EXPECT_EQ(xsr_rx_need_notify(&p.rx), 0);
}

// Streaming with a consumer that drains in batches and arms only when the
// ring is empty: notifications are rare (suppression at work).
TEST(RingNotify, StreamingSuppression)
{
	for (uint32_t size : {4096u, 65536u}) {
		Pair p(size, XSR_MODE_MESSAGE);
		uint8_t b[64] = {};
		const int total = 100000;
		int sent = 0, received = 0, tx_notes = 0, rx_notes = 0;
		while (received < total) {
			// Producer: as much as fits, need_notify after every message.
			while (sent < total && p.send(b, 64) == 64) {
				sent++;
				tx_notes += xsr_tx_need_notify(&p.tx);
			}
			// Consumer: drain everything, then one notify check, then arm.
			while (p.recv(b, 64, XSR_MORE) == 64)
				received++;
			rx_notes += xsr_rx_need_notify(&p.rx);
			ASSERT_EQ(xsr_rx_arm(&p.rx), 0);
		}
		EXPECT_GE(tx_notes, 1);
		const int batch = int(size / 72); // messages per ring
		EXPECT_LE(tx_notes, total / batch + 1) << size;
		if (batch >= 64) {
			EXPECT_LE(tx_notes * 64, total) << "more than 1 notification per 64 messages";
		}
		EXPECT_EQ(rx_notes, 0); // the producer never waited for space
		RecordProperty("notifications", tx_notes);
	}
}

TEST(RingApi, UnattachedAndBadArgs)
{
	xsr_ring r;
	std::memset(&r, 0, sizeof(r));
	uint8_t b[8] = {};
	EXPECT_EQ(xsr_send(&r, b, 8, xsr_copy_in_memcpy, nullptr, 0), XSR_EINVAL);
	EXPECT_EQ(xsr_read(&r, b, 8, xsr_copy_out_memcpy, nullptr, 0), XSR_EINVAL);
	EXPECT_EQ(xsr_tx_need_notify(&r), 0);
	EXPECT_EQ(xsr_rx_arm(&r), XSR_EINVAL);
	Region reg(4096);
	EXPECT_EQ(xsr_ring_attach(&r, &reg.rg_a, 2, XSR_TX, 0), XSR_EINVAL);
	EXPECT_EQ(xsr_ring_attach(&r, &reg.rg_a, 0, 5, 0), XSR_EINVAL);
	EXPECT_EQ(xsr_ring_attach(&r, &reg.rg_a, 0, XSR_TX, 9), XSR_EINVAL);
	ASSERT_EQ(xsr_ring_attach(&r, &reg.rg_a, 0, XSR_TX, XSR_MODE_MESSAGE), 0);
	EXPECT_EQ(xsr_send(&r, b, 8, nullptr, nullptr, 0), XSR_EINVAL);
	EXPECT_EQ(xsr_ring_data_size(&r), 4096u);
}
