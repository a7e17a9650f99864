// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// The xsr_joined_*() calls: a handle from xsr_ring_join() watching an end
// that another user drives (the kernel answering poll() and NOTIFY for a
// ring userspace maps). Here the Pair's own handles play that user (and the
// peer) and the tests' joined handles play the kernel. Checked: the answers
// follow the published words only, -EIO on absurd or misaligned indices
// (sticky), the event-index interval [old, new) and its one-shot use, that
// nothing is ever written to shared memory, and (Concurrent, also under
// TSan) no false -EIO while both indices move.
// Not covered: the kernel's use of these (KUnit and the QEMU mmap cases).
#include <atomic>
#include <random>
#include <thread>

#include "harness.hpp"

using namespace xt;

namespace {

// A Pair plus the watcher's handles: jtx joins end a's TX ring (ring 0),
// jrx end b's RX ring (the same ring 0).
struct Watched : Pair {
	xsr_ring jtx{}, jrx{};

	Watched(uint32_t data_size, unsigned m, uint32_t start = 0) : Pair(data_size, m, start) { join(); }
	void join()
	{
		EXPECT_EQ(xsr_ring_join(&jtx, &reg.rg_a, 0, XSR_TX, mode), 0);
		EXPECT_EQ(xsr_ring_join(&jrx, &reg.rg_b, 1, XSR_RX, mode), 0);
	}
	long avail() { return xsr_joined_rx_avail(&jrx); }
	long free() { return xsr_joined_tx_free(&jtx); }
	uint32_t used() { return ctrl()->prod - ctrl()->cons; }
};

// The whole shared region, to check that a call wrote none of it.
std::vector<uint8_t> snapshot(Pair &p)
{
	return std::vector<uint8_t>(p.reg.mem, p.reg.mem + p.reg.size);
}

} // namespace

// avail/free are prod - cons and size - (prod - cons) as published: what the
// user holds back with XSR_MORE is not seen until it is flushed.
TEST(Joined, AvailAndFreeFollowPublishedIndices)
{
	for (unsigned mode : {XSR_MODE_MESSAGE, XSR_MODE_STREAM}) {
		for (uint32_t start : {0u, 4096u - 16, 0xfffffff0u}) {
			SCOPED_TRACE(testing::Message() << "mode " << mode << " start " << start);
			Watched w(4096, mode, start);
			std::vector<uint8_t> b(4096);
			EXPECT_EQ(w.avail(), 0);
			EXPECT_EQ(w.free(), 4096);
			auto put = [&](size_t n, unsigned fl = 0) {
				return mode == XSR_MODE_MESSAGE ? w.send(b.data(), n, fl) : w.write(b.data(), n, fl);
			};
			auto get = [&](size_t n) {
				return mode == XSR_MODE_MESSAGE ? w.recv(b.data(), n) : w.read(b.data(), n);
			};
			ASSERT_EQ(put(100), 100);
			EXPECT_EQ(w.avail(), long(w.used()));
			EXPECT_EQ(w.free(), long(4096 - w.used()));
			ASSERT_EQ(put(30, XSR_MORE), 30); // not published yet
			const long before = w.avail();
			EXPECT_EQ(before, long(w.used()));
			xsr_tx_flush(&w.tx);
			EXPECT_GT(w.avail(), before);
			EXPECT_EQ(w.avail(), long(w.used()));
			ASSERT_EQ(get(100), 100);
			EXPECT_EQ(w.avail(), long(w.used()));
			EXPECT_EQ(w.free(), long(4096 - w.used()));
			ASSERT_EQ(get(100), 30);
			EXPECT_EQ(w.avail(), 0);
			EXPECT_EQ(w.free(), 4096);
			// Full: every byte used (stream), or as full as messages get.
			while (put(mode == XSR_MODE_MESSAGE ? 8 : 4096) > 0) {
			}
			EXPECT_EQ(w.avail(), long(w.used()));
			EXPECT_EQ(w.free(), long(4096 - w.used()));
			if (mode == XSR_MODE_STREAM) {
				EXPECT_EQ(w.avail(), 4096);
				EXPECT_EQ(w.free(), 0);
			}
			EXPECT_EQ(xsr_ring_error(&w.jrx), 0);
			EXPECT_EQ(xsr_ring_error(&w.jtx), 0);
		}
	}
}

// prod - cons == size is a full ring; one more is corruption, as is prod
// behind cons. -EIO is sticky on the handle that saw it.
TEST(Joined, EioWhenProdMinusConsExceedsSize)
{
	struct Row {
		const char *what;
		unsigned mode;
		int64_t prod_minus_cons; // written as cons + this
		bool eio;
	};
	const Row rows[] = {
		{"full", XSR_MODE_STREAM, 4096, false},	     {"size + 1", XSR_MODE_STREAM, 4097, true},
		{"prod behind cons", XSR_MODE_STREAM, -1, true}, {"full", XSR_MODE_MESSAGE, 4096, false},
		{"size + 8", XSR_MODE_MESSAGE, 4104, true},	     {"prod behind cons", XSR_MODE_MESSAGE, -8, true},
		{"huge", XSR_MODE_MESSAGE, 0x80000000ll, true},
	};
	for (const Row &r : rows) {
		for (bool rx : {true, false}) {
			SCOPED_TRACE(testing::Message() << r.what << " mode " << r.mode << (rx ? " rx" : " tx"));
			Watched w(4096, r.mode, 64);
			w.ctrl()->prod = w.ctrl()->cons + uint32_t(r.prod_minus_cons);
			const auto before = snapshot(w);
			const long got = rx ? w.avail() : w.free();
			EXPECT_EQ(snapshot(w), before);
			if (!r.eio) {
				EXPECT_EQ(got, rx ? 4096 : 0);
				continue;
			}
			EXPECT_EQ(got, XSR_EIO);
			w.ctrl()->prod = w.ctrl()->cons; // "repaired": stays broken
			EXPECT_EQ(rx ? w.avail() : w.free(), XSR_EIO);
			EXPECT_EQ(xsr_ring_error(rx ? &w.jrx : &w.jtx), XSR_EIO);
			EXPECT_EQ(xsr_joined_need_notify(rx ? &w.jrx : &w.jtx), 0);
			// The other watcher saw nothing wrong (its own handle).
			EXPECT_EQ(rx ? w.free() : w.avail(), rx ? 4096 : 0);
		}
	}
}

// Message mode: every index is 8-aligned; either index misaligned is -EIO.
// Stream mode: any index is fine.
TEST(Joined, EioOnMisalignedIndexInMessageMode)
{
	for (bool bad_prod : {true, false}) {
		for (bool rx : {true, false}) {
			SCOPED_TRACE(testing::Message() << (bad_prod ? "prod" : "cons") << (rx ? " rx" : " tx"));
			// prod - cons is 64 + 3 or 64 - 3: in range, only misaligned.
			Watched m(4096, XSR_MODE_MESSAGE, 64);
			m.ctrl()->prod += 64;
			if (bad_prod)
				m.ctrl()->prod += 3;
			else
				m.ctrl()->cons += 3;
			EXPECT_EQ(rx ? m.avail() : m.free(), XSR_EIO);
			EXPECT_EQ(xsr_ring_error(rx ? &m.jrx : &m.jtx), XSR_EIO);

			Watched s(4096, XSR_MODE_STREAM, 64);
			s.ctrl()->prod += 64;
			if (bad_prod)
				s.ctrl()->prod += 3;
			else
				s.ctrl()->cons += 3;
			EXPECT_EQ(rx ? s.avail() : s.free(), rx ? long(s.used()) : long(4096 - s.used()));
		}
	}
}

// Only a joined handle, in its own direction.
TEST(Joined, OnlyJoinedHandlesInTheirDirection)
{
	Watched w(4096, XSR_MODE_MESSAGE);
	xsr_ring zero;
	std::memset(&zero, 0, sizeof(zero));
	EXPECT_EQ(xsr_joined_rx_avail(&zero), XSR_EINVAL);
	EXPECT_EQ(xsr_joined_tx_free(&zero), XSR_EINVAL);
	EXPECT_EQ(xsr_joined_need_notify(&zero), XSR_EINVAL);
	// The attached (resyncing) handles are not joined.
	EXPECT_EQ(xsr_joined_rx_avail(&w.rx), XSR_EINVAL);
	EXPECT_EQ(xsr_joined_tx_free(&w.tx), XSR_EINVAL);
	EXPECT_EQ(xsr_joined_need_notify(&w.tx), XSR_EINVAL);
	EXPECT_EQ(xsr_joined_need_notify(&w.rx), XSR_EINVAL);
	// Wrong direction.
	EXPECT_EQ(xsr_joined_rx_avail(&w.jtx), XSR_EINVAL);
	EXPECT_EQ(xsr_joined_tx_free(&w.jrx), XSR_EINVAL);
	EXPECT_EQ(xsr_ring_error(&w.jtx), 0);
	EXPECT_EQ(xsr_ring_error(&w.jrx), 0);
}

// need_notify after the user moved its published index from old to new:
// 1 exactly when the peer's event word is in [old, new) (mod 2^32), for
// every event word around the move, both directions, across the wrap. The
// call writes no shared memory.
TEST(Joined, NeedNotifyExactlyForEventInOldNew)
{
	for (uint32_t base : {0x100u, 0xfffffff8u, 0xfffffffeu}) {
		for (bool tx : {true, false}) {
			for (int64_t d = -3; d <= 8; d++) {
				const uint32_t new_idx = base + 5, ev = uint32_t(base + d); // old: base
				SCOPED_TRACE(testing::Message() << "base " << base << (tx ? " tx" : " rx") << " ev "
								<< d);
				Watched w(4096, XSR_MODE_STREAM, base);
				xsr_ring *j = tx ? &w.jtx : &w.jrx;
				// The user moves its index (for rx: cons after data).
				w.ctrl()->prod = new_idx;
				if (!tx)
					w.ctrl()->cons = new_idx;
				(tx ? w.ctrl()->prod_event : w.ctrl()->cons_event) = ev;
				const auto before = snapshot(w);
				const int expect = d >= 0 && d < 5 ? 1 : 0;
				EXPECT_EQ(xsr_joined_need_notify(j), expect);
				EXPECT_EQ(snapshot(w), before);
				EXPECT_EQ(xsr_joined_need_notify(j), 0); // no move since: never again
			}
		}
	}
}

// One-shot: an event word asks once; the index moving past it again (it is
// behind now) asks nothing; a re-armed word (= current index) asks for the
// next move.
TEST(Joined, NeedNotifyOneShotUntilRearmed)
{
	for (bool tx : {true, false}) {
		SCOPED_TRACE(tx ? "tx" : "rx");
		const uint32_t base = 0xfffffff0u;
		Watched w(4096, XSR_MODE_STREAM, base);
		xsr_ring *j = tx ? &w.jtx : &w.jrx;
		uint32_t &ev = tx ? w.ctrl()->prod_event : w.ctrl()->cons_event;
		auto move_to = [&](uint32_t idx) {
			w.ctrl()->prod = idx;
			if (!tx)
				w.ctrl()->cons = idx;
		};
		ev = base + 2;
		move_to(base + 1);
		EXPECT_EQ(xsr_joined_need_notify(j), 0); // ev not reached: [base, base+1)
		move_to(base + 3);
		EXPECT_EQ(xsr_joined_need_notify(j), 1); // ev in [base+1, base+3)
		EXPECT_EQ(xsr_joined_need_notify(j), 0);
		move_to(base + 40); // across the wrap, far past ev
		EXPECT_EQ(xsr_joined_need_notify(j), 0);
		ev = base + 40; // re-armed at the current index
		EXPECT_EQ(xsr_joined_need_notify(j), 0);
		move_to(base + 41);
		EXPECT_EQ(xsr_joined_need_notify(j), 1);
		EXPECT_EQ(xsr_joined_need_notify(j), 0);
	}
}

// The watcher agrees with the users' own handles: a consumer that armed is
// notified once for data its producer published without a need_notify of
// its own (as userspace does before NOTIFY), and a producer waiting for
// space once its consumer freed enough.
TEST(Joined, NeedNotifyAgreesWithTheUsersArms)
{
	Watched w(4096, XSR_MODE_MESSAGE);
	std::vector<uint8_t> b(1000);
	ASSERT_EQ(xsr_rx_arm(&w.rx), 0); // empty: may sleep
	ASSERT_EQ(w.send(b.data(), 8), 8);
	EXPECT_EQ(xsr_joined_need_notify(&w.jtx), 1);
	ASSERT_EQ(w.send(b.data(), 8), 8);
	EXPECT_EQ(xsr_joined_need_notify(&w.jtx), 0); // not re-armed
	ASSERT_EQ(w.recv(b.data(), 8), 8);
	ASSERT_EQ(w.recv(b.data(), 8), 8);
	EXPECT_EQ(xsr_joined_need_notify(&w.jrx), 0); // the producer waits for nothing
	while (w.send(b.data(), 1000) == 1000) {
	}
	ASSERT_EQ(xsr_tx_arm(&w.tx, 1000), 0); // full: may sleep
	ASSERT_EQ(w.recv(b.data(), 1000), 1000);
	EXPECT_EQ(xsr_joined_need_notify(&w.jrx), 1); // 1008 freed: enough
	ASSERT_EQ(w.recv(b.data(), 1000), 1000);
	EXPECT_EQ(xsr_joined_need_notify(&w.jrx), 0);
}

// Seeded garbage in the four control words: every answer is in range or
// -EIO (then sticky), need_notify is 0 or 1, and shared memory is untouched.
TEST(Joined, HostileWordsGiveRangeOrEio)
{
	for (unsigned mode : {XSR_MODE_MESSAGE, XSR_MODE_STREAM}) {
		for (uint32_t seed = 1; seed <= 50; seed++) {
			std::mt19937 rng(seed);
			Watched w(4096, mode, rng() & ~7u);
			bool rx_broken = false, tx_broken = false;
			for (int step = 0; step < 200; step++) {
				uint32_t v = rng();
				if (rng() % 2)
					v = w.ctrl()->cons + (v % 4200) - 50; // near the valid range
				reinterpret_cast<uint32_t *>(w.ctrl())[(rng() % 2) * 32 + rng() % 2] = v;
				const auto before = snapshot(w);
				long a = w.avail(), f = w.free();
				ASSERT_TRUE((a >= 0 && a <= 4096 && !rx_broken) || a == XSR_EIO) << a;
				ASSERT_TRUE((f >= 0 && f <= 4096 && !tx_broken) || f == XSR_EIO) << f;
				rx_broken |= a == XSR_EIO;
				tx_broken |= f == XSR_EIO;
				int n = xsr_joined_need_notify(&w.jtx);
				ASSERT_TRUE(n == 0 || n == 1);
				n = xsr_joined_need_notify(&w.jrx);
				ASSERT_TRUE(n == 0 || n == 1);
				ASSERT_EQ(snapshot(w), before);
			}
		}
	}
}

// Both indices move (a producer and a consumer thread keep a small ring
// nearly full) while a watcher reads avail/free: prod - cons > size can be
// seen in a torn pair (space freed and refilled between the two loads), and
// must never be taken for corruption. Runs under TSan too.
TEST(JoinedConcurrent, NoFalseEioWhileBothIndicesMove)
{
	Watched w(4096, XSR_MODE_MESSAGE);
	const uint64_t total = 200000;
	std::atomic<bool> done{false};
	std::thread prod([&] {
		uint8_t b[24] = {};
		for (uint64_t i = 0; i < total;) {
			long r = w.send(b, 8 + i % 17);
			if (r >= 0)
				i++;
			else if (r == XSR_EAGAIN)
				std::this_thread::yield();
			else
				std::abort();
		}
	});
	std::thread cons([&] {
		uint8_t b[24];
		for (uint64_t i = 0; i < total;) {
			long r = w.recv(b, sizeof(b));
			if (r >= 0)
				i++;
			else if (r == XSR_EAGAIN)
				std::this_thread::yield();
			else
				std::abort();
		}
		done = true;
	});
	uint64_t polls = 0;
	long a = 0, f = 0;
	while (!done) {
		a = w.avail();
		f = w.free();
		if (a < 0 || a > 4096 || f < 0 || f > 4096)
			break; // the workers finish on their own
		polls++;
	}
	prod.join();
	cons.join();
	ASSERT_TRUE(a >= 0 && a <= 4096) << a << " after " << polls << " polls";
	ASSERT_TRUE(f >= 0 && f <= 4096) << f << " after " << polls << " polls";
	EXPECT_EQ(w.avail(), 0);
	EXPECT_EQ(w.free(), 4096);
	RecordProperty("polls", int(polls));
}
