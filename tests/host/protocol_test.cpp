// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// Region init/validate, slot claim/reclaim/release, rendezvous states, role
// pick, resync on attach, peer-gone detection, the liveness rule. Not
// covered: event channels (the module's business).
#include <atomic>
#include <thread>

#include "harness.hpp"

using namespace xt;

namespace {

struct Mem {
	uint8_t *p;
	uint64_t size;
	explicit Mem(uint64_t n, uint8_t fillb = 0) : size(n)
	{
		p = static_cast<uint8_t *>(std::aligned_alloc(4096, n));
		std::memset(p, fillb, n);
	}
	~Mem() { std::free(p); }
	region_header *hdr() { return reinterpret_cast<region_header *>(p); }
};

} // namespace

TEST(Region, DataSizeFor)
{
	EXPECT_EQ(xsr_data_size_for(16383), 0u);
	EXPECT_EQ(xsr_data_size_for(16384), 4096u);
	EXPECT_EQ(xsr_data_size_for(8192 + 2 * 65536), 65536u);
	EXPECT_EQ(xsr_data_size_for(8192 + 2 * 65536 - 1), 32768u);
	EXPECT_EQ(xsr_data_size_for(1ull << 40), 1u << 30);
	EXPECT_EQ(xsr_max_msg_for(4096), 2040u);
}

TEST(Region, InitThenValidate)
{
	Mem m(region_size_for(8192), 0x77);
	xsr_region a, b;
	EXPECT_EQ(xsr_region_validate(&b, m.p, m.size), XSR_EAGAIN); // no magic yet
	ASSERT_EQ(xsr_region_init(&a, m.p, m.size), 0);
	EXPECT_EQ(m.hdr()->magic, xenshm::wire::MAGIC);
	EXPECT_EQ(m.hdr()->data_size, 8192u);
	EXPECT_EQ(m.hdr()->region_size, m.size);
	EXPECT_EQ(reinterpret_cast<slot *>(m.p + 128)->domid, XSR_DOMID_NONE);
	EXPECT_EQ(reinterpret_cast<slot *>(m.p + 256)->state, XSR_SLOT_FREE);
	EXPECT_EQ(reinterpret_cast<ring_ctrl *>(m.p + 4352)->prod, 0u);
	EXPECT_EQ(xsr_region_validate(&b, m.p, m.size), 0);
	EXPECT_EQ(xsr_region_data_size(&b), 8192u);
	// A second init validates and does not wipe the slots.
	uint32_t ep;
	ASSERT_EQ(xsr_slot_claim(&a, -1, 7, 8, 0, &ep), 0);
	EXPECT_EQ(xsr_region_init(&b, m.p, m.size), 0);
	EXPECT_EQ(reinterpret_cast<slot *>(m.p + 128)->domid, 7u);
}

// One row per refusal.
TEST(Region, Refusals)
{
	struct Row {
		const char *what;
		void (*poke)(Mem &);
		uint64_t size_delta;
		int want;
	};
	const Row rows[] = {
		{"init in progress", [](Mem &m) { m.hdr()->magic = xenshm::wire::MAGIC_INIT; }, 0, XSR_EAGAIN},
		{"other major", [](Mem &m) { m.hdr()->version_major = xenshm::wire::ABI_MAJOR + 1; }, 0, XSR_EPROTO},
		{"no event_idx", [](Mem &m) { m.hdr()->features = 0; }, 0, XSR_EPROTO},
		{"region_size", [](Mem &m) { m.hdr()->region_size += 4096; }, 0, XSR_EIO},
		{"data_size", [](Mem &m) { m.hdr()->data_size = 4096; }, 0, XSR_EIO},
		{"told another size", [](Mem &) {}, 4096, XSR_EIO},
	};
	for (const Row &r : rows) {
		Mem m(region_size_for(8192) + 4096);
		xsr_region a;
		ASSERT_EQ(xsr_region_init(&a, m.p, region_size_for(8192)), 0);
		r.poke(m);
		xsr_region b;
		EXPECT_EQ(xsr_region_init(&b, m.p, region_size_for(8192) + r.size_delta), r.want) << r.what;
		EXPECT_EQ(xsr_region_validate(&b, m.p, region_size_for(8192) + r.size_delta), r.want)
			<< r.what;
		EXPECT_EQ(xsr_region_data_size(&b), 0u);
	}
	Mem m(region_size_for(4096));
	xsr_region a;
	EXPECT_EQ(xsr_region_init(&a, m.p + 4, m.size - 8), XSR_EINVAL); // misaligned
	EXPECT_EQ(xsr_region_init(&a, m.p, 16383), XSR_EINVAL);	   // too small
	EXPECT_EQ(xsr_region_init(&a, nullptr, m.size), XSR_EINVAL);
}

// Many threads race to initialise a region full of garbage: all end up with
// the same valid view, and slot claims made right after are never wiped.
TEST(RegionRace, ConcurrentInit)
{
	for (int round = 0; round < 50; round++) {
		Mem m(region_size_for(4096), uint8_t(round));
		std::atomic<int> go{0};
		std::atomic<int> ok{0};
		std::vector<std::thread> th;
		for (int t = 0; t < 4; t++) {
			th.emplace_back([&, t] {
				while (!go.load())
					;
				xsr_region r;
				int e;
				int spins = 0;
				while ((e = xsr_region_init(&r, m.p, m.size)) == XSR_EAGAIN && spins < 10000000)
					spins++;
				if (e == 0 && xsr_region_data_size(&r) == 4096) {
					uint32_t ep;
					if (t < 2 && xsr_slot_claim(&r, t, uint32_t(10 + t), 0, 0, &ep) == t)
						ok++;
					else if (t >= 2)
						ok++;
				}
			});
		}
		go = 1;
		for (auto &x : th)
			x.join();
		EXPECT_EQ(ok.load(), 4);
		xsr_region r;
		ASSERT_EQ(xsr_region_validate(&r, m.p, m.size), 0);
		xsr_slot_info si;
		ASSERT_EQ(xsr_slot_read(&r, 0, &si), 0);
		EXPECT_EQ(si.domid, 10u);
		ASSERT_EQ(xsr_slot_read(&r, 1, &si), 0);
		EXPECT_EQ(si.domid, 11u);
	}
}

TEST(Slot, ClaimReclaimRelease)
{
	Region reg(4096, false);
	uint32_t e0, e1, e;
	EXPECT_EQ(xsr_slot_claim(&reg.rg_a, -1, 5, 6, XSR_SLOT_FLAG_TX_MESSAGE, &e0), 0);
	EXPECT_EQ(xsr_slot_claim(&reg.rg_b, -1, 6, 5, 0, &e1), 1);
	EXPECT_EQ(xsr_slot_claim(&reg.rg_b, -1, 9, 5, 0, &e), XSR_EBUSY);
	EXPECT_EQ(xsr_slot_claim(&reg.rg_b, 0, 9, 5, 0, &e), XSR_EBUSY);
	xsr_slot_info si;
	ASSERT_EQ(xsr_slot_read(&reg.rg_b, 0, &si), 0);
	EXPECT_EQ(si.state, XSR_SLOT_ATTACHED);
	EXPECT_EQ(si.domid, 5u);
	EXPECT_EQ(si.epoch, e0);
	EXPECT_EQ(si.flags, XSR_SLOT_FLAG_TX_MESSAGE);
	EXPECT_EQ(si.peer_domid, 6u);
	EXPECT_EQ(si.port, 0u);
	// Restart of domid 5: reclaims slot 0 with a new epoch.
	EXPECT_EQ(xsr_slot_claim(&reg.rg_a, -1, 5, 6, 0, &e), 0);
	EXPECT_EQ(e, e0 + 1);
	EXPECT_EQ(xsr_peer_check(&reg.rg_b, 1, e0), XSR_ECONNRESET);
	EXPECT_EQ(xsr_peer_check(&reg.rg_b, 1, e), 0);
	// Release, then another domain may take it.
	xsr_slot_release(&reg.rg_a, 0);
	EXPECT_EQ(xsr_peer_check(&reg.rg_b, 1, e), XSR_ECONNRESET);
	ASSERT_EQ(xsr_slot_read(&reg.rg_b, 0, &si), 0);
	EXPECT_EQ(si.state, XSR_SLOT_FREE);
	EXPECT_EQ(si.domid, XSR_DOMID_NONE);
	EXPECT_EQ(xsr_slot_claim(&reg.rg_b, -1, 9, 6, 0, &e), 0);
	EXPECT_EQ(xsr_slot_claim(&reg.rg_b, -1, XSR_DOMID_NONE, 0, 0, &e), XSR_EINVAL);
	EXPECT_EQ(xsr_slot_claim(&reg.rg_b, 2, 1, 0, 0, &e), XSR_EINVAL);
}

// Loopback: both ends share a domid and pick their slots explicitly.
TEST(Slot, LoopbackExplicitSlots)
{
	Region reg(4096, false);
	uint32_t e;
	EXPECT_EQ(xsr_slot_claim(&reg.rg_a, 0, 0, 0, 0, &e), 0);
	EXPECT_EQ(xsr_slot_claim(&reg.rg_b, 1, 0, 0, 0, &e), 1);
	EXPECT_EQ(xsr_role_pick(XSR_ROLE_AUTO, 0, 0, 0), int(XSR_ROLE_RECEIVER));
	EXPECT_EQ(xsr_role_pick(XSR_ROLE_AUTO, 1, 0, 0), int(XSR_ROLE_SENDER));
}

TEST(SlotRace, ConcurrentClaims)
{
	for (int round = 0; round < 200; round++) {
		Region reg(4096, false);
		std::atomic<int> go{0};
		int got[2] = {-1, -1};
		std::thread t0([&] {
			while (!go.load())
				;
			uint32_t e;
			got[0] = xsr_slot_claim(&reg.rg_a, -1, 100, 0, 0, &e);
		});
		std::thread t1([&] {
			while (!go.load())
				;
			uint32_t e;
			got[1] = xsr_slot_claim(&reg.rg_b, -1, 200, 0, 0, &e);
		});
		go = 1;
		t0.join();
		t1.join();
		ASSERT_GE(got[0], 0);
		ASSERT_GE(got[1], 0);
		ASSERT_NE(got[0], got[1]);
		xsr_slot_info si;
		ASSERT_EQ(xsr_slot_read(&reg.rg_a, unsigned(got[0]), &si), 0);
		EXPECT_EQ(si.domid, 100u);
	}
}

TEST(Slot, RendezvousStates)
{
	Region reg(4096);
	xsr_slot_info si;
	EXPECT_EQ(xsr_slot_set_state(&reg.rg_a, 0, XSR_SLOT_GO, 0), XSR_EINVAL); // GO needs a port
	EXPECT_EQ(xsr_slot_set_state(&reg.rg_a, 0, XSR_SLOT_FREE, 0), XSR_EINVAL);
	EXPECT_EQ(xsr_slot_set_state(&reg.rg_a, 0, 9, 0), XSR_EINVAL);
	ASSERT_EQ(xsr_slot_set_state(&reg.rg_a, 0, XSR_SLOT_GO, 42), 0);
	ASSERT_EQ(xsr_slot_read(&reg.rg_b, 0, &si), 0);
	EXPECT_EQ(si.state, XSR_SLOT_GO);
	EXPECT_EQ(si.port, 42u);
	// ABI 2: the sender publishes its own port with CONNECTED.
	ASSERT_EQ(xsr_slot_set_state(&reg.rg_b, 1, XSR_SLOT_CONNECTED, 7), 0);
	ASSERT_EQ(xsr_slot_read(&reg.rg_a, 1, &si), 0);
	EXPECT_EQ(si.state, XSR_SLOT_CONNECTED);
	EXPECT_EQ(si.port, 7u);
	uint32_t hb = si.heartbeat;
	xsr_slot_heartbeat(&reg.rg_b, 1);
	ASSERT_EQ(xsr_slot_read(&reg.rg_a, 1, &si), 0);
	EXPECT_EQ(si.heartbeat, hb + 1);
}

TEST(Slot, FlagsPublishedWithTheNextState)
{
	Region reg(4096);
	xsr_slot_info si;
	EXPECT_EQ(xsr_slot_set_flags(&reg.rg_a, 0, 1u << 31), XSR_EINVAL); // unknown bit
	EXPECT_EQ(xsr_slot_set_flags(&reg.rg_a, 2, 0), XSR_EINVAL);
	ASSERT_EQ(xsr_slot_set_flags(&reg.rg_a, 0, XSR_SLOT_FLAG_STATIC_EVTCHN | XSR_SLOT_FLAG_TX_MESSAGE), 0);
	xsr_slot_set_heartbeat_ms(&reg.rg_a, 0, 250);
	ASSERT_EQ(xsr_slot_set_state(&reg.rg_a, 0, XSR_SLOT_GO, 10), 0);
	ASSERT_EQ(xsr_slot_read(&reg.rg_b, 0, &si), 0);
	EXPECT_EQ(si.flags, XSR_SLOT_FLAG_STATIC_EVTCHN | XSR_SLOT_FLAG_TX_MESSAGE);
	EXPECT_EQ(si.port, 10u);
	EXPECT_EQ(si.heartbeat_ms, 250u);
}

TEST(Slot, CorruptPeerSlot)
{
	Region reg(4096);
	xsr_slot_info si;
	reg.slot_at(1)->state = 9;
	EXPECT_EQ(xsr_slot_read(&reg.rg_a, 1, &si), XSR_EIO);
	EXPECT_EQ(xsr_peer_check(&reg.rg_a, 0, reg.epoch_b), XSR_EIO);
	reg.slot_at(1)->state = XSR_SLOT_GO;
	reg.slot_at(1)->port = 0;
	EXPECT_EQ(xsr_slot_read(&reg.rg_a, 1, &si), XSR_EIO);
	reg.slot_at(1)->state = XSR_SLOT_CONNECTED;
	reg.slot_at(1)->port = 3;
	reg.slot_at(1)->flags = 0xfffffff0u | XSR_SLOT_FLAG_TX_MESSAGE;
	ASSERT_EQ(xsr_slot_read(&reg.rg_a, 1, &si), 0);
	EXPECT_EQ(si.flags, XSR_SLOT_FLAG_TX_MESSAGE); // unknown bits dropped
}

TEST(Role, Pick)
{
	struct Row {
		uint32_t role, slot, me, peer;
		int want;
	};
	const Row rows[] = {
		{XSR_ROLE_AUTO, 0, 1, 2, int(XSR_ROLE_RECEIVER)}, {XSR_ROLE_AUTO, 1, 1, 2, int(XSR_ROLE_RECEIVER)},
		{XSR_ROLE_AUTO, 0, 2, 1, int(XSR_ROLE_SENDER)},	  {XSR_ROLE_AUTO, 0, 3, 3, int(XSR_ROLE_RECEIVER)},
		{XSR_ROLE_AUTO, 1, 3, 3, int(XSR_ROLE_SENDER)},	  {XSR_ROLE_SENDER, 0, 1, 2, int(XSR_ROLE_SENDER)},
		{XSR_ROLE_RECEIVER, 1, 9, 2, int(XSR_ROLE_RECEIVER)}, {3, 0, 1, 2, XSR_EINVAL},
		{XSR_ROLE_AUTO, 2, 1, 2, XSR_EINVAL},
	};
	for (const Row &r : rows)
		EXPECT_EQ(xsr_role_pick(r.role, r.slot, r.me, r.peer), r.want) << r.role << r.slot << r.me << r.peer;
}

// The consumer's attach discards what an earlier life left; the producer's
// attach keeps its index so a live consumer stays consistent.
TEST(Resync, ConsumerDiscardsStaleData)
{
	Pair p(4096, XSR_MODE_MESSAGE);
	uint8_t b[100] = {};
	ASSERT_EQ(p.send(b, 100), 100);
	ASSERT_EQ(p.send(b, 50), 50);
	// The consumer restarts.
	xsr_ring rx2;
	ASSERT_EQ(xsr_ring_attach(&rx2, &p.reg.rg_b, 1, XSR_RX, XSR_MODE_MESSAGE), 0);
	EXPECT_EQ(xsr_rx_avail(&rx2), 0);
	EXPECT_EQ(p.ctrl()->cons, p.ctrl()->prod);
	// The live producer sees the space and keeps going.
	EXPECT_EQ(xsr_tx_space(&p.tx), 2040);
	ASSERT_EQ(p.send(b, 7), 7);
	EXPECT_EQ(xsr_recv(&rx2, b, sizeof(b), xsr_copy_out_memcpy, nullptr, 0), 7);
}

TEST(Resync, ProducerRestartKeepsIndex)
{
	Pair p(4096, XSR_MODE_MESSAGE);
	uint8_t b[100] = {};
	ASSERT_EQ(p.send(b, 100), 100);
	xsr_ring tx2;
	ASSERT_EQ(xsr_ring_attach(&tx2, &p.reg.rg_a, 0, XSR_TX, XSR_MODE_MESSAGE), 0);
	ASSERT_EQ(xsr_send(&tx2, b, 10, xsr_copy_in_memcpy, nullptr, 0), 10);
	EXPECT_EQ(p.recv(b, sizeof(b)), 100); // the consumer drains what is left
	EXPECT_EQ(p.recv(b, sizeof(b)), 10);
	EXPECT_EQ(xsr_ring_error(&p.rx), 0);
}

// An earlier stream-mode life left a misaligned prod: both sides of a new
// message-mode ring round it up the same way, in either attach order.
TEST(Resync, StreamToMessageAlignment)
{
	for (int order = 0; order < 2; order++) {
		Pair p(4096, XSR_MODE_STREAM);
		uint8_t b[16] = {};
		ASSERT_EQ(p.write(b, 13), 13);
		xsr_ring tx2, rx2;
		if (order) {
			ASSERT_EQ(xsr_ring_attach(&rx2, &p.reg.rg_b, 1, XSR_RX, XSR_MODE_MESSAGE), 0);
			ASSERT_EQ(xsr_ring_attach(&tx2, &p.reg.rg_a, 0, XSR_TX, XSR_MODE_MESSAGE), 0);
		} else {
			ASSERT_EQ(xsr_ring_attach(&tx2, &p.reg.rg_a, 0, XSR_TX, XSR_MODE_MESSAGE), 0);
			ASSERT_EQ(xsr_ring_attach(&rx2, &p.reg.rg_b, 1, XSR_RX, XSR_MODE_MESSAGE), 0);
		}
		ASSERT_EQ(xsr_send(&tx2, b, 5, xsr_copy_in_memcpy, nullptr, 0), 5);
		EXPECT_EQ(xsr_recv(&rx2, b, 16, xsr_copy_out_memcpy, nullptr, 0), 5) << order;
	}
}

// A second user joins a live ring without disturbing it.
TEST(Resync, JoinAdoptsPublishedIndices)
{
	Pair p(4096, XSR_MODE_MESSAGE);
	uint8_t b[100] = {};
	ASSERT_EQ(p.send(b, 100), 100);
	ASSERT_EQ(p.send(b, 20), 20);
	ASSERT_EQ(p.recv(b, 100), 100);
	const uint32_t prod = p.ctrl()->prod, cons = p.ctrl()->cons;
	xsr_ring tx2, rx2;
	ASSERT_EQ(xsr_ring_join(&tx2, &p.reg.rg_a, 0, XSR_TX, XSR_MODE_MESSAGE), 0);
	ASSERT_EQ(xsr_ring_join(&rx2, &p.reg.rg_b, 1, XSR_RX, XSR_MODE_MESSAGE), 0);
	EXPECT_EQ(p.ctrl()->prod, prod);
	EXPECT_EQ(p.ctrl()->cons, cons);
	EXPECT_EQ(xsr_recv(&rx2, b, 100, xsr_copy_out_memcpy, nullptr, 0), 20);
	ASSERT_EQ(xsr_send(&tx2, b, 30, xsr_copy_in_memcpy, nullptr, 0), 30);
	EXPECT_EQ(xsr_recv(&rx2, b, 100, xsr_copy_out_memcpy, nullptr, 0), 30);
	p.ctrl()->cons = 3; // misaligned published cons: join refuses
	EXPECT_EQ(xsr_ring_join(&rx2, &p.reg.rg_b, 1, XSR_RX, XSR_MODE_MESSAGE), XSR_EIO);
}

TEST(PeerGone, DetectedByStateAndEpoch)
{
	Region reg(4096);
	EXPECT_EQ(xsr_peer_check(&reg.rg_a, 0, reg.epoch_b), 0);
	EXPECT_EQ(xsr_peer_check(&reg.rg_b, 1, reg.epoch_a), 0);
	uint32_t e;
	ASSERT_EQ(xsr_slot_claim(&reg.rg_b, 1, 2, 1, 0, &e), 1); // b restarts
	EXPECT_EQ(xsr_peer_check(&reg.rg_a, 0, reg.epoch_b), XSR_ECONNRESET);
	EXPECT_EQ(xsr_peer_check(&reg.rg_a, 0, e), 0);
	xsr_slot_release(&reg.rg_b, 1);
	EXPECT_EQ(xsr_peer_check(&reg.rg_a, 0, e), XSR_ECONNRESET);
	EXPECT_EQ(xsr_peer_check(&reg.rg_a, 2, e), XSR_EINVAL);
}

// The liveness rule (docs/protocol.md 6.2) as the ring core applies it for
// both the module and the peer library. End a (slot 0) watches b (slot 1).
TEST(Liveness, SilenceAfterTheLimit)
{
	Region reg(4096);
	xsr_liveness lv;
	reg.slot_at(1)->heartbeat_ms = 100; // limit: max(mine 300, 2 x 100)
	xsr_liveness_start(&lv, &reg.rg_a, 0, 1000);
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, 1100, 300, 0), 0u);
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, 1200, 300, 0), 0u);
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, 1299, 300, 0), 0u) << "1 ms short of the limit";
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, 1300, 300, 0), 300u);
}

TEST(Liveness, EachPulseWordRestartsTheWindow)
{
	Region reg(4096);
	xsr_liveness lv;
	reg.slot_at(1)->heartbeat_ms = 100;
	xsr_liveness_start(&lv, &reg.rg_a, 0, 0);
	uint64_t t = 0;
	for (int word = 0; word < 3; word++) {
		t += 150;
		EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, t, 200, 0), 0u);
		if (word == 0)
			reg.slot_at(1)->heartbeat++;
		else if (word == 1)
			reg.ctrl(1)->prod += 8; // b produces ring 1, a consumes it
		else
			reg.ctrl(0)->cons += 8; // b consumes ring 0
		t += 150;
		EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, t, 200, 0), 0u) << word;
	}
	// Words b does not write are no pulse: my own prod and my own heartbeat.
	reg.ctrl(0)->prod += 8;
	reg.slot_at(0)->heartbeat++;
	t += 150;
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, t, 200, 0), 0u);
	t += 49;
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, t, 200, 0), 0u);
	t += 1;
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, t, 200, 0), 200u);
}

TEST(Liveness, UnwatchedAndBoundedPeriods)
{
	Region reg(4096);
	xsr_liveness lv;
	xsr_liveness_start(&lv, &reg.rg_a, 0, 0);
	reg.slot_at(1)->heartbeat_ms = 0; // publishes no period: never judged
	for (uint64_t t = 100; t <= 10000; t += 100)
		ASSERT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, t, 200, 0), 0u) << t;
	// A hostile period counts as XENSHM_HEARTBEAT_MAX_MS: silence is judged
	// after twice that, not never.
	reg.slot_at(1)->heartbeat_ms = 0xffffffff;
	xsr_liveness_start(&lv, &reg.rg_a, 0, 0);
	const uint64_t limit = 2ull * xenshm::wire::HEARTBEAT_MAX_MS;
	uint64_t t = 0, silent = 0;
	while (!silent && t < 4 * limit) {
		t += 1000;
		silent = xsr_liveness_check(&lv, &reg.rg_a, 0, t, 200, 0);
	}
	EXPECT_EQ(t, limit);
	EXPECT_EQ(silent, limit);
}

TEST(Liveness, LateCheckRestartsTheWindow)
{
	Region reg(4096);
	xsr_liveness lv;
	reg.slot_at(1)->heartbeat_ms = 100;
	// late_ms 100 (the module's: half its limit of 200).
	xsr_liveness_start(&lv, &reg.rg_a, 0, 0);
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, 50, 200, 100), 0u);
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, 5000, 200, 100), 0u) << "I was not running";
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, 5100, 200, 100), 0u);
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, 5199, 200, 100), 0u);
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, 5200, 200, 100), 200u) << "then judged normally";
	// late_ms 0 (the peer library's): late means more than the limit.
	xsr_liveness_start(&lv, &reg.rg_a, 0, 0);
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, 190, 200, 0), 0u);
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, 380, 200, 0), 380u) << "gaps within the limit are judged";
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, 600, 200, 0), 0u) << "a gap over the limit is not";
}

TEST(Liveness, BadArgumentsJudgeNothing)
{
	Region reg(4096);
	xsr_liveness lv;
	reg.slot_at(1)->heartbeat_ms = 100;
	// 250 ms: past the 200 ms limit, and with late_ms 1000 not a late check
	// (which would also answer 0): only the bad argument answers 0.
	xsr_liveness_start(&lv, &reg.rg_a, 0, 0);
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 2, 250, 200, 1000), 0u);
	EXPECT_EQ(xsr_liveness_check(nullptr, &reg.rg_a, 0, 250, 200, 1000), 0u);
	EXPECT_EQ(xsr_liveness_check(&lv, nullptr, 0, 250, 200, 1000), 0u);
	EXPECT_EQ(xsr_liveness_check(&lv, &reg.rg_a, 0, 250, 200, 1000), 250u) << "the same, well formed";
}
