// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// Two threads, one producer and one consumer, each sleeping on a futex when
// it cannot progress, woken only when the other side's need_notify says so
// (event index + arm/recheck). Every payload byte is verified. A wait that
// times out while the awaited condition already holds is a lost wakeup and
// fails the test. Meant for TSan (make test-host runs these under it).
// Not covered: a hostile peer (hostile_test.cpp, fuzz/).
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <random>
#include <thread>

#include "harness.hpp"

using namespace xt;

namespace {

// Event count on a futex: read the count, arm, re-check, wait on the count.
struct Bell {
	std::atomic<uint32_t> seq{0};
	std::atomic<uint64_t> rings{0};
	void ring()
	{
		seq.fetch_add(1, std::memory_order_seq_cst);
		rings.fetch_add(1, std::memory_order_relaxed);
		syscall(SYS_futex, reinterpret_cast<uint32_t *>(&seq), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
	}
	uint32_t read() { return seq.load(std::memory_order_seq_cst); }
	// true if woken or the count moved, false on timeout.
	bool wait(uint32_t v, int ms)
	{
		timespec ts{ms / 1000, (ms % 1000) * 1000000L};
		long r = syscall(SYS_futex, reinterpret_cast<uint32_t *>(&seq), FUTEX_WAIT_PRIVATE, v, &ts, nullptr, 0);
		return !(r == -1 && errno == ETIMEDOUT);
	}
};

constexpr size_t kPat = 4u << 20;

// gtest's ASSERT_* only returns from the lambda and would leave the other
// thread waiting: a failed check in a worker thread aborts the run instead.
#define REQUIRE(cond)                                                                    \
	do {                                                                             \
		if (!(cond)) {                                                           \
			std::fprintf(stderr, "%s:%d: REQUIRE(%s) failed\n", __FILE__, __LINE__, #cond); \
			std::abort();                                                    \
		}                                                                        \
	} while (0)

const std::vector<uint8_t> &pat()
{
	static const std::vector<uint8_t> p = pattern(kPat + 65536, 42);
	return p;
}

struct Result {
	uint64_t bytes = 0, msgs = 0, lost = 0, sleeps = 0;
};

constexpr int kWaitMs = 3000;

// Message mode: lengths drawn from a seeded PRNG shared by both sides.
void run_messages(uint32_t data_size, uint64_t total_bytes, uint32_t max_len, Result *prod_r, Result *cons_r,
		  uint64_t *notes)
{
	Pair p(data_size, XSR_MODE_MESSAGE);
	Bell to_cons, to_prod;
	const uint32_t maxm = std::min(max_len, xsr_ring_max_msg(&p.tx));
	const auto &P = pat();
	std::atomic<uint64_t> nmsgs{0};

	auto len_of = [&](std::mt19937_64 &g) { return maxm <= 64 ? size_t(maxm) : size_t(g() % (maxm + 1)); };
	auto off_of = [](uint64_t seq) { return size_t((seq * 7919) % kPat); };

	std::thread prod([&] {
		std::mt19937_64 g(7);
		uint64_t bytes = 0, seq = 0;
		while (bytes < total_bytes) {
			size_t len = len_of(g);
			for (;;) {
				long r = p.send(P.data() + off_of(seq), len);
				if (r == long(len))
					break;
				REQUIRE((r) == (XSR_EAGAIN));
				uint32_t v = to_prod.read();
				int a = xsr_tx_arm(&p.tx, len);
				REQUIRE((a) >= (0));
				if (a)
					continue;
				prod_r->sleeps++;
				if (!to_prod.wait(v, kWaitMs) && xsr_tx_space(&p.tx) >= long(len))
					prod_r->lost++;
			}
			if (xsr_tx_need_notify(&p.tx))
				to_cons.ring();
			bytes += len;
			seq++;
		}
		nmsgs = seq;
		prod_r->bytes = bytes;
		prod_r->msgs = seq;
	});
	std::thread cons([&] {
		std::mt19937_64 g(7);
		std::vector<uint8_t> buf(maxm + 8);
		uint64_t bytes = 0, seq = 0;
		while (bytes < total_bytes) {
			long r = p.recv(buf.data(), buf.size(), XSR_MORE);
			if (r >= 0) {
				size_t len = len_of(g);
				REQUIRE((size_t(r)) == (len));
				REQUIRE((0) == (std::memcmp(buf.data(), P.data() + off_of(seq), len)));
				bytes += len;
				seq++;
				continue;
			}
			REQUIRE((r) == (XSR_EAGAIN));
			// Drained: hand the space back, then sleep until told.
			if (xsr_rx_need_notify(&p.rx))
				to_prod.ring();
			uint32_t v = to_cons.read();
			int a = xsr_rx_arm(&p.rx);
			REQUIRE((a) >= (0));
			if (a)
				continue;
			cons_r->sleeps++;
			if (!to_cons.wait(v, kWaitMs) && xsr_rx_avail(&p.rx) > 0)
				cons_r->lost++;
		}
		if (xsr_rx_need_notify(&p.rx))
			to_prod.ring();
		cons_r->bytes = bytes;
		cons_r->msgs = seq;
	});
	prod.join();
	cons.join();
	*notes = to_cons.rings.load();
	EXPECT_EQ(xsr_ring_error(&p.rx), 0);
	EXPECT_EQ(xsr_ring_error(&p.tx), 0);
}

} // namespace

TEST(Stress, MessagesRandomLengths1GiB)
{
	Result pr, cr;
	uint64_t notes = 0;
	run_messages(65536, 1ull << 30, 1u << 20, &pr, &cr, &notes);
	EXPECT_EQ(pr.bytes, cr.bytes);
	EXPECT_EQ(pr.msgs, cr.msgs);
	EXPECT_GE(cr.bytes, 1ull << 30);
	EXPECT_EQ(pr.lost, 0u);
	EXPECT_EQ(cr.lost, 0u);
	std::printf("[ stress  ] messages: %llu msgs, %llu bytes, %llu notifications, sleeps p=%llu c=%llu\n",
		    (unsigned long long)cr.msgs, (unsigned long long)cr.bytes, (unsigned long long)notes,
		    (unsigned long long)pr.sleeps, (unsigned long long)cr.sleeps);
}

TEST(Stress, SmallMessagesSmallRing)
{
	Result pr, cr;
	uint64_t notes = 0;
	run_messages(4096, 64ull << 20, 64, &pr, &cr, &notes);
	EXPECT_EQ(pr.msgs, cr.msgs);
	EXPECT_EQ(pr.lost, 0u);
	EXPECT_EQ(cr.lost, 0u);
	EXPECT_LT(notes, cr.msgs); // suppression: fewer notifications than messages
	std::printf("[ stress  ] 64 B: %llu msgs, %llu notifications, sleeps p=%llu c=%llu\n",
		    (unsigned long long)cr.msgs, (unsigned long long)notes, (unsigned long long)pr.sleeps,
		    (unsigned long long)cr.sleeps);
}

// Stream mode: random write sizes and read capacities, 1 GiB, byte-exact.
TEST(Stress, StreamRandom1GiB)
{
	Pair p(65536, XSR_MODE_STREAM);
	Bell to_cons, to_prod;
	const auto &P = pat();
	const uint64_t total = 1ull << 30;
	std::atomic<uint64_t> lost{0};
	std::thread prod([&] {
		std::mt19937_64 g(3);
		uint64_t pos = 0;
		while (pos < total) {
			size_t want = std::min<uint64_t>(1 + g() % 100000, total - pos);
			size_t at = size_t(pos % kPat);
			long r = p.write(P.data() + at, std::min(want, kPat - at));
			if (r > 0) {
				pos += uint64_t(r);
				if (xsr_tx_need_notify(&p.tx))
					to_cons.ring();
				continue;
			}
			REQUIRE((r) == (XSR_EAGAIN));
			uint32_t v = to_prod.read();
			const long w = long(1 + g() % 30000);
			int a = xsr_tx_arm(&p.tx, size_t(w));
			REQUIRE((a) >= (0));
			if (!a && !to_prod.wait(v, kWaitMs) && xsr_tx_space(&p.tx) >= w)
				lost++;
		}
	});
	std::thread cons([&] {
		std::mt19937_64 g(4);
		std::vector<uint8_t> buf(200000);
		uint64_t pos = 0;
		while (pos < total) {
			long r = p.read(buf.data(), 1 + g() % buf.size());
			if (r > 0) {
				size_t n = size_t(r), at = size_t(pos % kPat);
				size_t first = std::min(n, kPat - at);
				REQUIRE((0) == (std::memcmp(buf.data(), P.data() + at, first)));
				REQUIRE((0) == (std::memcmp(buf.data() + first, P.data(), n - first)));
				pos += n;
				if (xsr_rx_need_notify(&p.rx))
					to_prod.ring();
				continue;
			}
			REQUIRE((r) == (XSR_EAGAIN));
			uint32_t v = to_cons.read();
			int a = xsr_rx_arm(&p.rx);
			REQUIRE((a) >= (0));
			if (!a && !to_cons.wait(v, kWaitMs) && xsr_rx_avail(&p.rx) > 0)
				lost++;
		}
	});
	prod.join();
	cons.join();
	EXPECT_EQ(lost.load(), 0u);
	EXPECT_EQ(xsr_ring_error(&p.rx), 0);
}
