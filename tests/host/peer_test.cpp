// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// The peer library (xenshm/xsr_peer.h) against a fake Xen event-channel
// layer: ports per domain (unbound / interdomain, remote ends, close turns
// the remote end unbound again, static channels bound from the start), and
// EVTCHNOP_send delivering to the other domain's xsr_peer_event(). Two
// endpoints on one region: the rendezvous in both roles, with the runtime
// recipe and with static ports, checksummed transfers both ways in message
// and stream mode from two threads, a peer restart, a peer that lies about
// its port, a peer that never confirms, and a silent peer (fake clock).
// Not covered: the real hypercalls and upcalls (the bare-metal guest's
// business), and interoperation with the Linux module (make test-xen).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "harness.hpp"
#include "xenshm/xsr_peer.h"

using namespace xt;

namespace {

// ---- the fake Xen ----

struct FakePort {
	int state = 0; // 1 unbound, 2 interdomain
	uint32_t rdom = 0, rport = 0;
	bool is_static = false;
};

struct FakeDom {
	std::map<uint32_t, FakePort> ports;
	uint32_t next = 1;
	xsr_peer *ep = nullptr;	      // whose xsr_peer_event() its upcalls call
	uint64_t delivered = 0;	      // events delivered to this domain
	int static_closes = 0;	      // closes of a static port (must stay 0)
	std::condition_variable cv;   // delivered changed
};

struct FakeXen {
	std::mutex m;
	std::map<uint32_t, std::unique_ptr<FakeDom>> doms;

	FakeDom &dom(uint32_t d)
	{
		auto &p = doms[d];
		if (!p)
			p = std::make_unique<FakeDom>();
		return *p;
	}
	int alloc_unbound(uint32_t d, uint32_t rdom)
	{
		std::lock_guard<std::mutex> g(m);
		FakeDom &me = dom(d);
		uint32_t port = me.next++;
		me.ports[port] = FakePort{1, rdom, 0, false};
		return int(port);
	}
	int bind(uint32_t d, uint32_t rdom, uint32_t rport)
	{
		std::lock_guard<std::mutex> g(m);
		FakeDom &r = dom(rdom);
		auto it = r.ports.find(rport);
		// Xen: the remote port must be unbound and offered to me.
		if (it == r.ports.end() || it->second.state != 1 || it->second.rdom != d)
			return XSR_EINVAL;
		FakeDom &me = dom(d);
		uint32_t port = me.next++;
		me.ports[port] = FakePort{2, rdom, rport, false};
		it->second = FakePort{2, d, port, false};
		return int(port);
	}
	void make_static(uint32_t a, uint32_t pa, uint32_t b, uint32_t pb)
	{
		std::lock_guard<std::mutex> g(m);
		dom(a).ports[pa] = FakePort{2, b, pb, true};
		dom(b).ports[pb] = FakePort{2, a, pa, true};
		dom(a).next = std::max(dom(a).next, pa + 1);
		dom(b).next = std::max(dom(b).next, pb + 1);
	}
	int status(uint32_t d, uint32_t port, uint32_t *rd, uint32_t *rp)
	{
		std::lock_guard<std::mutex> g(m);
		FakeDom &me = dom(d);
		auto it = me.ports.find(port);
		if (it == me.ports.end())
			return XSR_EINVAL;
		if (it->second.state != 2)
			return XSR_ENOTCONN; // unbound: not what the caller asks about
		*rd = it->second.rdom;
		*rp = it->second.rport;
		return 0;
	}
	int send(uint32_t d, uint32_t port)
	{
		std::lock_guard<std::mutex> g(m);
		auto it = dom(d).ports.find(port);
		if (it == dom(d).ports.end() || it->second.state != 2)
			return XSR_ENOTCONN;
		FakeDom &r = dom(it->second.rdom);
		r.delivered++;
		if (r.ep)
			xsr_peer_event(r.ep);
		r.cv.notify_all();
		return 0;
	}
	int close(uint32_t d, uint32_t port)
	{
		std::lock_guard<std::mutex> g(m);
		FakeDom &me = dom(d);
		auto it = me.ports.find(port);
		if (it == me.ports.end())
			return XSR_EINVAL;
		if (it->second.is_static)
			me.static_closes++;
		if (it->second.state == 2) {
			// The remote end goes back to unbound, offered to me.
			FakeDom &r = dom(it->second.rdom);
			auto rit = r.ports.find(it->second.rport);
			if (rit != r.ports.end())
				rit->second = FakePort{1, d, 0, false};
		}
		me.ports.erase(it);
		return 0;
	}
	size_t open_ports(uint32_t d)
	{
		std::lock_guard<std::mutex> g(m);
		return dom(d).ports.size();
	}
	uint64_t delivered(uint32_t d)
	{
		std::lock_guard<std::mutex> g(m);
		return dom(d).delivered;
	}
	// Wait until domain d got an event after `seen`, at most ms.
	bool wait_event(uint32_t d, uint64_t seen, int ms)
	{
		std::unique_lock<std::mutex> g(m);
		FakeDom &me = dom(d);
		return me.cv.wait_for(g, std::chrono::milliseconds(ms), [&] { return me.delivered != seen; });
	}
};

// ---- an endpoint: the platform callbacks of one domain ----

struct Ep {
	FakeXen &fx;
	uint32_t dom;
	std::atomic<uint64_t> *clock; // fake ms, or nullptr for the real clock
	xsr_peer p{};
	xsr_peer_platform plat{};
	xsr_peer_config cfg{};

	Ep(FakeXen &x, uint32_t d, Region &rg, std::atomic<uint64_t> *clk = nullptr) : fx(x), dom(d), clock(clk)
	{
		plat = {this, alloc_cb, bind_cb, status_cb, notify_cb, close_cb, now_cb};
		cfg.base = rg.mem;
		cfg.size = rg.size;
		cfg.my_domid = d;
		cfg.peer_domid = XSR_DOMID_NONE;
		cfg.role = XSR_ROLE_AUTO;
		cfg.mode = XSR_MODE_MESSAGE;
		std::lock_guard<std::mutex> g(fx.m);
		fx.dom(d).ep = &p;
	}
	int init() { return xsr_peer_init(&p, &cfg, &plat); }
	int poll() { return xsr_peer_poll(&p); }
	xsr_peer_info info()
	{
		xsr_peer_info i;
		xsr_peer_get_info(&p, &i);
		return i;
	}

	static Ep *E(void *ctx) { return static_cast<Ep *>(ctx); }
	static int alloc_cb(void *c, uint32_t rd) { return E(c)->fx.alloc_unbound(E(c)->dom, rd); }
	static int bind_cb(void *c, uint32_t rd, uint32_t rp) { return E(c)->fx.bind(E(c)->dom, rd, rp); }
	static int status_cb(void *c, uint32_t port, uint32_t *rd, uint32_t *rp)
	{
		return E(c)->fx.status(E(c)->dom, port, rd, rp);
	}
	static int notify_cb(void *c, uint32_t port) { return E(c)->fx.send(E(c)->dom, port); }
	static int close_cb(void *c, uint32_t port) { return E(c)->fx.close(E(c)->dom, port); }
	static uint64_t now_cb(void *c)
	{
		if (E(c)->clock)
			return E(c)->clock->load();
		return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
					std::chrono::steady_clock::now().time_since_epoch())
					.count());
	}
};

// Poll both in turn (single thread; the fake delivers events at once)
// until both are connected: true, or false after `rounds`.
bool connect_both(Ep &a, Ep &b, int rounds = 20)
{
	int ra = 0, rb = 0;
	for (int i = 0; i < rounds && (ra != 1 || rb != 1); i++) {
		ra = a.poll();
		rb = b.poll();
		if (ra < 0 || rb < 0) {
			ADD_FAILURE() << "poll: a " << ra << " b " << rb;
			return false;
		}
	}
	return ra == 1 && rb == 1;
}

// ---- configuration ----

TEST(Peer, InitRefusals)
{
	FakeXen fx;
	Region rg(4096, false);
	struct Row {
		const char *what;
		void (*poke)(xsr_peer_config &, xsr_peer_platform &);
	};
	const Row rows[] = {
		{"role", [](xsr_peer_config &c, xsr_peer_platform &) { c.role = 3; }},
		{"mode", [](xsr_peer_config &c, xsr_peer_platform &) { c.mode = 2; }},
		{"flags", [](xsr_peer_config &c, xsr_peer_platform &) { c.flags = 1; }},
		{"reserved", [](xsr_peer_config &c, xsr_peer_platform &) { c.reserved = 1; }},
		{"no base", [](xsr_peer_config &c, xsr_peer_platform &) { c.base = nullptr; }},
		{"unaligned", [](xsr_peer_config &c, xsr_peer_platform &) { c.base = static_cast<char *>(c.base) + 4; }},
		{"too small", [](xsr_peer_config &c, xsr_peer_platform &) { c.size = 16383; }},
		{"my domid reserved", [](xsr_peer_config &c, xsr_peer_platform &) { c.my_domid = 0x7ff0; }},
		{"peer domid reserved", [](xsr_peer_config &c, xsr_peer_platform &) { c.peer_domid = 0x7ff1; }},
		{"peer is me", [](xsr_peer_config &c, xsr_peer_platform &) { c.peer_domid = c.my_domid; }},
		{"port range", [](xsr_peer_config &c, xsr_peer_platform &) { c.static_port = 1u << 17; }},
		{"heartbeat", [](xsr_peer_config &c, xsr_peer_platform &) { c.heartbeat_ms = 60001; }},
		{"no status", [](xsr_peer_config &, xsr_peer_platform &p) { p.status = nullptr; }},
		{"no notify", [](xsr_peer_config &, xsr_peer_platform &p) { p.notify = nullptr; }},
		{"no clock", [](xsr_peer_config &, xsr_peer_platform &p) { p.now_ms = nullptr; }},
		{"recipe without alloc", [](xsr_peer_config &, xsr_peer_platform &p) { p.alloc_unbound = nullptr; }},
		{"recipe without bind", [](xsr_peer_config &, xsr_peer_platform &p) { p.bind_interdomain = nullptr; }},
		{"recipe without close", [](xsr_peer_config &, xsr_peer_platform &p) { p.close = nullptr; }},
	};
	for (const Row &r : rows) {
		Ep e(fx, 1, rg);
		r.poke(e.cfg, e.plat);
		EXPECT_EQ(e.init(), XSR_EINVAL) << r.what;
		EXPECT_EQ(e.poll(), XSR_EINVAL) << r.what << ": a refused handle stays unusable";
	}
	Ep e(fx, 1, rg);
	e.cfg.static_port = 5; // static only: the recipe's callbacks may be missing
	e.plat.alloc_unbound = nullptr;
	e.plat.bind_interdomain = nullptr;
	e.plat.close = nullptr;
	EXPECT_EQ(e.init(), 0);
	EXPECT_EQ(xsr_peer_init(nullptr, &e.cfg, &e.plat), XSR_EINVAL);
	EXPECT_EQ(xsr_peer_init(&e.p, nullptr, &e.plat), XSR_EINVAL);
	char buf[8];
	EXPECT_EQ(xsr_peer_send(&e.p, "x", 1, 0), XSR_ENOTCONN);
	EXPECT_EQ(xsr_peer_recv(&e.p, buf, sizeof(buf), 0), XSR_ENOTCONN);
	EXPECT_EQ(xsr_peer_port(&e.p), 0u);
}

// ---- single-threaded rendezvous ----

// A pair of ends (a: dom 1, b: dom 2) as a case asks: a static event channel
// between ports pa and pb instead of the recipe, and explicit roles with the
// higher domid receiving instead of AUTO.
void configure_pair(FakeXen &fx, Ep &a, Ep &b, bool is_static, bool reversed, uint32_t pa, uint32_t pb)
{
	if (is_static) {
		fx.make_static(1, pa, 2, pb);
		a.cfg.static_port = pa;
		b.cfg.static_port = pb;
	}
	if (reversed) {
		a.cfg.role = XSR_ROLE_SENDER;
		b.cfg.role = XSR_ROLE_RECEIVER;
	}
}

struct RvCase {
	bool is_static;
	bool reversed; // explicit roles: the higher domid receives
};

class PeerRendezvous : public ::testing::TestWithParam<RvCase> {};

TEST_P(PeerRendezvous, ConnectsThenMovesData)
{
	const RvCase c = GetParam();
	FakeXen fx;
	Region rg(4096, false);
	Ep a(fx, 1, rg), b(fx, 2, rg);
	configure_pair(fx, a, b, c.is_static, c.reversed, 31, 41);
	b.cfg.mode = XSR_MODE_STREAM;
	ASSERT_EQ(a.init(), 0);
	ASSERT_EQ(b.init(), 0);
	ASSERT_TRUE(connect_both(a, b));
	Ep &rx = c.reversed ? b : a, &tx = c.reversed ? a : b;
	EXPECT_EQ(xsr_peer_role(&rx.p), XSR_ROLE_RECEIVER);
	EXPECT_EQ(xsr_peer_role(&tx.p), XSR_ROLE_SENDER);
	xsr_peer_info ia = a.info(), ib = b.info();
	EXPECT_EQ(ia.phase, XSR_PEER_CONNECTED);
	EXPECT_EQ(ia.peer_domid, 2u);
	EXPECT_EQ(ib.peer_domid, 1u);
	EXPECT_EQ(ia.remote_port, ib.local_port);
	EXPECT_EQ(ib.remote_port, ia.local_port);
	EXPECT_EQ(ia.is_static, c.is_static ? 1u : 0u);
	if (c.is_static) {
		EXPECT_EQ(ia.local_port, 31u);
		EXPECT_EQ(ib.local_port, 41u);
	}
	// The two events of the handshake, one each way.
	EXPECT_EQ(ia.events_sent, 1u);
	EXPECT_EQ(ib.events_sent, 1u);
	EXPECT_EQ(ia.events_seen, 1u);
	EXPECT_EQ(ib.events_seen, 1u);
	EXPECT_EQ(ia.connects, 1u);
	// The slots say what the wire sequence says.
	for (unsigned i = 0; i < 2; i++) {
		EXPECT_EQ(rg.slot_at(i)->state, XSR_SLOT_CONNECTED);
		EXPECT_NE(rg.slot_at(i)->port, 0u);
	}
	EXPECT_EQ(xsr_peer_rx_mode(&a.p), XSR_MODE_STREAM);
	EXPECT_EQ(xsr_peer_rx_mode(&b.p), XSR_MODE_MESSAGE);

	// a sends messages, b writes bytes; mode mismatches are refused.
	char buf[64];
	EXPECT_EQ(xsr_peer_write(&a.p, "x", 1, 0), XSR_EINVAL);
	EXPECT_EQ(xsr_peer_read(&b.p, buf, sizeof(buf), 0), XSR_EINVAL);
	EXPECT_EQ(xsr_peer_recv(&b.p, buf, sizeof(buf), 0), XSR_EAGAIN);
	EXPECT_EQ(xsr_peer_rx_arm(&b.p), 0); // armed: the next send notifies
	uint64_t seen = fx.delivered(2);
	EXPECT_EQ(xsr_peer_send(&a.p, "hello", 5, 0), 5);
	EXPECT_EQ(fx.delivered(2), seen + 1) << "the armed receiver was notified";
	EXPECT_EQ(xsr_peer_send(&a.p, "again", 5, 0), 5);
	EXPECT_EQ(fx.delivered(2), seen + 1) << "no second event: it did not re-arm";
	EXPECT_EQ(xsr_peer_recv(&b.p, buf, sizeof(buf), 0), 5);
	EXPECT_EQ(std::memcmp(buf, "hello", 5), 0);
	EXPECT_EQ(xsr_peer_recv(&b.p, buf, sizeof(buf), 0), 5);
	EXPECT_EQ(xsr_peer_write(&b.p, "bytes", 5, 0), 5);
	EXPECT_EQ(xsr_peer_read(&a.p, buf, 3, 0), 3);
	EXPECT_EQ(xsr_peer_read(&a.p, buf + 3, 10, 0), 2);
	EXPECT_EQ(std::memcmp(buf, "bytes", 5), 0);
	EXPECT_EQ(a.poll(), 1);
	EXPECT_EQ(b.poll(), 1);

	// Zero copy through the handles, then the kick helpers.
	void *w;
	ASSERT_EQ(xsr_tx_reserve(xsr_peer_tx_ring(&a.p), 3, &w), 3);
	std::memcpy(w, "zc!", 3);
	ASSERT_EQ(xsr_tx_commit(xsr_peer_tx_ring(&a.p), 3), 0);
	EXPECT_EQ(xsr_peer_kick_tx(&a.p), 0) << "b did not re-arm: no event";
	const void *r;
	ASSERT_EQ(xsr_rx_peek(xsr_peer_rx_ring(&b.p), &r), 3);
	EXPECT_EQ(std::memcmp(r, "zc!", 3), 0);
	ASSERT_EQ(xsr_rx_release(xsr_peer_rx_ring(&b.p), 3), 0);
	EXPECT_EQ(xsr_peer_kick_rx(&b.p), 0) << "a waits for no space: no event";
	seen = fx.delivered(2);
	ASSERT_EQ(xsr_peer_rx_arm(&b.p), 0);
	ASSERT_EQ(xsr_tx_reserve(xsr_peer_tx_ring(&a.p), 3, &w), 3);
	std::memcpy(w, "zc2", 3);
	ASSERT_EQ(xsr_tx_commit(xsr_peer_tx_ring(&a.p), 3), 0);
	EXPECT_EQ(xsr_peer_kick_tx(&a.p), 1) << "b armed: one event";
	EXPECT_EQ(fx.delivered(2), seen + 1);
	ASSERT_EQ(xsr_rx_peek(xsr_peer_rx_ring(&b.p), &r), 3);
	ASSERT_EQ(xsr_rx_release(xsr_peer_rx_ring(&b.p), 3), 0);

	// Detach: slot FREE, one event, runtime ports closed, static kept.
	uint64_t a_seen = a.info().events_seen;
	const uint32_t b_slot = b.info().slot;
	xsr_peer_detach(&b.p);
	EXPECT_EQ(rg.slot_at(b_slot)->state, XSR_SLOT_FREE);
	EXPECT_EQ(b.info().slot, 0xffffffffu);
	EXPECT_EQ(a.info().events_seen, a_seen + 1) << "the detach event";
	EXPECT_EQ(a.poll(), XSR_ECONNRESET);
	EXPECT_EQ(xsr_peer_send(&a.p, "x", 1, 0), XSR_ECONNRESET);
	EXPECT_EQ(b.poll(), XSR_ENOTCONN);
	xsr_peer_detach(&a.p);
	EXPECT_EQ(rg.slot_at(0)->state, XSR_SLOT_FREE);
	EXPECT_EQ(rg.slot_at(1)->state, XSR_SLOT_FREE);
	EXPECT_EQ(fx.open_ports(1), c.is_static ? 1u : 0u);
	EXPECT_EQ(fx.open_ports(2), c.is_static ? 1u : 0u);
	EXPECT_EQ(fx.dom(1).static_closes + fx.dom(2).static_closes, 0);
}

INSTANTIATE_TEST_SUITE_P(, PeerRendezvous,
			 ::testing::Values(RvCase{false, false}, RvCase{false, true}, RvCase{true, false},
					   RvCase{true, true}),
			 [](const ::testing::TestParamInfo<RvCase> &i) {
				 return std::string(i.param.is_static ? "Static" : "Runtime") +
					(i.param.reversed ? "Reversed" : "Auto");
			 });

// A peer restart: the survivor sees ECONNRESET, both reconnect, and the
// receiver keeps its runtime port (the same domain came back).
TEST(Peer, RestartAndReconnect)
{
	FakeXen fx;
	Region rg(4096, false);
	Ep a(fx, 1, rg), b(fx, 2, rg);
	ASSERT_EQ(a.init(), 0);
	ASSERT_EQ(b.init(), 0);
	ASSERT_TRUE(connect_both(a, b));
	const uint32_t a_port = xsr_peer_port(&a.p);
	const uint32_t epoch_b = rg.slot_at(b.info().slot)->epoch;
	EXPECT_EQ(xsr_peer_send(&b.p, "before", 6, 0), 6);

	// b restarts: detach + reconnect (the sender's port is closed).
	xsr_peer_detach(&b.p);
	ASSERT_EQ(xsr_peer_reconnect(&b.p), 0);
	char buf[16];
	EXPECT_EQ(a.poll(), XSR_ECONNRESET);
	EXPECT_EQ(a.info().phase, XSR_PEER_GONE);
	// What b published before it left is still read, then the error.
	EXPECT_EQ(xsr_peer_recv(&a.p, buf, sizeof(buf), 0), 6);
	EXPECT_EQ(xsr_peer_recv(&a.p, buf, sizeof(buf), 0), XSR_ECONNRESET);
	EXPECT_EQ(xsr_peer_rx_arm(&a.p), XSR_ECONNRESET);
	EXPECT_EQ(b.poll(), 0); // a's slot is still CONNECTED (a previous life)
	ASSERT_EQ(xsr_peer_reconnect(&a.p), 0);
	ASSERT_TRUE(connect_both(a, b));
	EXPECT_EQ(xsr_peer_port(&a.p), a_port) << "the receiver kept its port";
	EXPECT_NE(rg.slot_at(b.info().slot)->epoch, epoch_b);
	EXPECT_EQ(a.info().connects, 2u);
	EXPECT_EQ(xsr_peer_send(&b.p, "after", 5, 0), 5);
	EXPECT_EQ(xsr_peer_recv(&a.p, buf, sizeof(buf), 0), 5);
	EXPECT_EQ(std::memcmp(buf, "after", 5), 0);
	EXPECT_EQ(fx.open_ports(1), 1u) << "no port leaked";
	EXPECT_EQ(fx.open_ports(2), 1u);
}

// A survivor that reconnects first, while the peer's slot still shows its
// old life: it waits, then connects with the peer's next life.
TEST(Peer, SurvivorReconnectsFirst)
{
	FakeXen fx;
	Region rg(4096, false);
	Ep a(fx, 1, rg), b(fx, 2, rg);
	ASSERT_EQ(a.init(), 0);
	ASSERT_EQ(b.init(), 0);
	ASSERT_TRUE(connect_both(a, b));
	xsr_peer_detach(&a.p); // the receiver leaves this time
	EXPECT_EQ(b.poll(), XSR_ECONNRESET);
	ASSERT_EQ(xsr_peer_reconnect(&b.p), 0);
	for (int i = 0; i < 5; i++)
		EXPECT_EQ(b.poll(), 0);
	ASSERT_EQ(xsr_peer_reconnect(&a.p), 0);
	ASSERT_TRUE(connect_both(a, b));
	EXPECT_EQ(fx.open_ports(1), 1u);
	EXPECT_EQ(fx.open_ports(2), 1u);
}

// ---- hostile peers, played by hand on the other slot ----

// The liar drives slot 1 by hand through the ring core's slot calls; the
// test makes its hypercalls on the fake directly, as whatever domain it
// pretends to be.
struct Liar {
	Region &rg;
	xsr_region r{};
	uint32_t epoch = 0;
	int slot = -1;
	explicit Liar(Region &g) : rg(g)
	{
		EXPECT_EQ(xsr_region_init(&r, rg.mem, rg.size), 0);
	}
	void claim(uint32_t as_domid)
	{
		slot = xsr_slot_claim(&r, 1, as_domid, XSR_DOMID_NONE, XSR_SLOT_FLAG_TX_MESSAGE, &epoch);
		ASSERT_EQ(slot, 1);
	}
	void publish(uint32_t state, uint32_t port, uint32_t flags = XSR_SLOT_FLAG_TX_MESSAGE)
	{
		ASSERT_EQ(xsr_slot_set_flags(&r, 1, flags), 0);
		ASSERT_EQ(xsr_slot_set_state(&r, 1, state, port), 0);
	}
};

// The honest end (dom 1) is the receiver and claims slot 0 first.
void honest_receiver_at_go(Ep &a)
{
	ASSERT_EQ(a.init(), 0);
	EXPECT_EQ(a.poll(), 0); // slot 0 ATTACHED, no peer yet
}

// Xen says the receiver's port leads to another port than the one the peer
// published with CONNECTED: refused at once, slot freed, port closed.
TEST(PeerHostile, PortLeadsElsewhere)
{
	FakeXen fx;
	Region rg(4096, false);
	std::atomic<uint64_t> clk{1000};
	Ep a(fx, 1, rg, &clk);
	honest_receiver_at_go(a);
	Liar l(rg);
	l.claim(2);
	EXPECT_EQ(a.poll(), 0); // GO
	ASSERT_EQ(rg.slot_at(0)->state, XSR_SLOT_GO);
	const uint32_t go_port = rg.slot_at(0)->port;
	int q = fx.bind(2, 1, go_port);
	ASSERT_GT(q, 0);
	l.publish(XSR_SLOT_CONNECTED, uint32_t(q) + 5); // lies about its port
	ASSERT_EQ(fx.send(2, uint32_t(q)), 0);
	EXPECT_EQ(a.poll(), XSR_EACCES);
	EXPECT_EQ(a.info().phase, XSR_PEER_FAILED);
	EXPECT_EQ(rg.slot_at(0)->state, XSR_SLOT_FREE);
	EXPECT_EQ(fx.open_ports(1), 0u);
	EXPECT_EQ(a.poll(), XSR_EACCES) << "sticky until reconnect";
}

// A peer that names another domain: the receiver's port is offered to that
// domain, the liar cannot bind it, and Xen says the port is unbound.
TEST(PeerHostile, ClaimsAnotherDomid)
{
	FakeXen fx;
	Region rg(4096, false);
	std::atomic<uint64_t> clk{1000};
	Ep a(fx, 1, rg, &clk);
	honest_receiver_at_go(a);
	Liar l(rg);
	l.claim(2);
	EXPECT_EQ(a.poll(), 0);
	const uint32_t go_port = rg.slot_at(0)->port;
	EXPECT_LT(fx.bind(3, 1, go_port), 0) << "Xen refuses the liar";
	int own = fx.alloc_unbound(3, 1);
	l.publish(XSR_SLOT_CONNECTED, uint32_t(own));
	EXPECT_EQ(a.poll(), XSR_EACCES);
}

// A pinned peer that is someone else: EACCES before any port exists.
TEST(PeerHostile, PinnedPeerMismatch)
{
	FakeXen fx;
	Region rg(4096, false);
	Ep a(fx, 1, rg);
	a.cfg.peer_domid = 2;
	honest_receiver_at_go(a);
	Liar l(rg);
	l.claim(3);
	EXPECT_EQ(a.poll(), XSR_EACCES);
	EXPECT_EQ(fx.open_ports(1), 0u);
}

// A sender whose static port does not lead to the port a receiver
// publishes with STATIC_EVTCHN is refused (no static port of mine leads
// there), as is a runtime port offered to an end that has a static one.
TEST(PeerHostile, StaticPortLeadsElsewhere)
{
	for (int offer_runtime = 0; offer_runtime < 2; offer_runtime++) {
		FakeXen fx;
		Region rg(4096, false);
		fx.make_static(1, 31, 2, 41);
		Ep b(fx, 2, rg); // honest sender, dom 2, slot 0
		b.cfg.static_port = 41;
		ASSERT_EQ(b.init(), 0);
		EXPECT_EQ(b.poll(), 0);
		Liar l(rg);
		l.claim(1);
		EXPECT_EQ(b.poll(), 0); // waits for GO
		if (offer_runtime)
			l.publish(XSR_SLOT_GO, uint32_t(fx.alloc_unbound(1, 2)));
		else
			l.publish(XSR_SLOT_GO, 32, XSR_SLOT_FLAG_TX_MESSAGE | XSR_SLOT_FLAG_STATIC_EVTCHN);
		EXPECT_EQ(b.poll(), XSR_EACCES) << offer_runtime;
		EXPECT_EQ(fx.dom(2).static_closes, 0);
	}
}

// No confirming event within XSR_PEER_CONFIRM_MS: refused, in both roles.
TEST(PeerHostile, NoConfirmingEvent)
{
	// Receiver: the sender binds and publishes CONNECTED, sends nothing.
	{
		FakeXen fx;
		Region rg(4096, false);
		std::atomic<uint64_t> clk{1000};
		Ep a(fx, 1, rg, &clk);
		honest_receiver_at_go(a);
		Liar l(rg);
		l.claim(2);
		EXPECT_EQ(a.poll(), 0);
		int q = fx.bind(2, 1, rg.slot_at(0)->port);
		ASSERT_GT(q, 0);
		l.publish(XSR_SLOT_CONNECTED, uint32_t(q));
		EXPECT_EQ(a.poll(), 0); // the wait begins
		clk += XSR_PEER_CONFIRM_MS;
		EXPECT_EQ(a.poll(), 0) << "still within the bound";
		clk += 1;
		EXPECT_EQ(a.poll(), XSR_EACCES);
		EXPECT_EQ(fx.open_ports(1), 0u);
	}
	// Sender: the receiver goes CONNECTED but never sends its event.
	{
		FakeXen fx;
		Region rg(4096, false);
		std::atomic<uint64_t> clk{1000};
		Ep b(fx, 2, rg, &clk);
		ASSERT_EQ(b.init(), 0);
		EXPECT_EQ(b.poll(), 0);
		Liar l(rg);
		l.claim(1);
		int go = fx.alloc_unbound(1, 2);
		l.publish(XSR_SLOT_GO, uint32_t(go));
		EXPECT_EQ(b.poll(), 0); // bound, CONNECTED, sent its event
		EXPECT_EQ(fx.delivered(1), 1u);
		EXPECT_EQ(rg.slot_at(0)->state, XSR_SLOT_CONNECTED);
		l.publish(XSR_SLOT_CONNECTED, uint32_t(go));
		EXPECT_EQ(b.poll(), 0);
		clk += XSR_PEER_CONFIRM_MS + 1;
		EXPECT_EQ(b.poll(), XSR_EACCES);
		EXPECT_EQ(rg.slot_at(0)->state, XSR_SLOT_FREE);
		EXPECT_EQ(fx.open_ports(2), 0u);
	}
}

// A corrupt slot while connected: EIO.
TEST(PeerHostile, CorruptSlot)
{
	FakeXen fx;
	Region rg(4096, false);
	Ep a(fx, 1, rg), b(fx, 2, rg);
	ASSERT_EQ(a.init(), 0);
	ASSERT_EQ(b.init(), 0);
	ASSERT_TRUE(connect_both(a, b));
	rg.slot_at(1)->state = 77;
	EXPECT_EQ(a.poll(), XSR_EIO);
	EXPECT_EQ(xsr_peer_send(&a.p, "x", 1, 0), XSR_EIO);
}

// ---- heartbeat ----

TEST(PeerHeartbeat, SilenceIsDetected)
{
	FakeXen fx;
	Region rg(4096, false);
	std::atomic<uint64_t> clk{1000};
	Ep a(fx, 1, rg, &clk), b(fx, 2, rg, &clk);
	a.cfg.heartbeat_ms = 100;
	b.cfg.heartbeat_ms = 100;
	ASSERT_EQ(a.init(), 0);
	ASSERT_EQ(b.init(), 0);
	ASSERT_TRUE(connect_both(a, b));
	EXPECT_EQ(rg.slot_at(0)->heartbeat_ms, 100u);
	EXPECT_LE(xsr_peer_timeout_ms(&a.p), 50u);
	// Both alive for 10 s, polling every 50 ms: nobody times out.
	const uint32_t hb0 = rg.slot_at(1)->heartbeat;
	for (int i = 0; i < 200; i++) {
		clk += 50;
		ASSERT_EQ(a.poll(), 1) << i;
		ASSERT_EQ(b.poll(), 1) << i;
	}
	EXPECT_GE(rg.slot_at(1)->heartbeat - hb0, 100u) << "b beat at least every period";
	// b stops (crashed: no FREE, no event). a's first poll still sees b's
	// last beat; from then on a's limit, max(2 x 100, 4 x 100) = 400 ms.
	clk += 50;
	ASSERT_EQ(a.poll(), 1);
	for (int i = 0; i < 7; i++) {
		clk += 50;
		ASSERT_EQ(a.poll(), 1) << i;
	}
	clk += 49;
	ASSERT_EQ(a.poll(), 1) << "399 ms of silence";
	clk += 1;
	EXPECT_EQ(a.poll(), XSR_ETIMEDOUT);
	EXPECT_EQ(xsr_peer_send(&a.p, "x", 1, 0), XSR_ETIMEDOUT);
	EXPECT_EQ(a.info().error, XSR_ETIMEDOUT);
}

// Both sides paused longer than the limit (a host that stopped the VMs):
// the first poll after the pause is late, which is nobody's silence; once
// both run again nobody times out, and a real silence is still seen.
TEST(PeerHeartbeat, OwnPauseIsNotSilence)
{
	FakeXen fx;
	Region rg(4096, false);
	std::atomic<uint64_t> clk{1000};
	Ep a(fx, 1, rg, &clk), b(fx, 2, rg, &clk);
	a.cfg.heartbeat_ms = 100;
	b.cfg.heartbeat_ms = 100;
	ASSERT_EQ(a.init(), 0);
	ASSERT_EQ(b.init(), 0);
	ASSERT_TRUE(connect_both(a, b));
	clk += 50;
	ASSERT_EQ(a.poll(), 1);
	ASSERT_EQ(b.poll(), 1);
	clk += 5000; // nobody ran
	ASSERT_EQ(a.poll(), 1) << "a late poll";
	for (int i = 0; i < 40; i++) {
		clk += 50;
		ASSERT_EQ(a.poll(), 1) << i;
		ASSERT_EQ(b.poll(), 1) << i;
	}
	// b stops for good: a notices within its limit (400 ms) plus a poll.
	int i;
	for (i = 0; i < 20; i++) {
		clk += 50;
		if (a.poll() != 1)
			break;
	}
	EXPECT_LT(i, 20);
	EXPECT_EQ(a.info().error, XSR_ETIMEDOUT);
}

// A peer that publishes no period is not watched; ring progress counts as
// a pulse too.
TEST(PeerHeartbeat, UnwatchedAndRingProgress)
{
	FakeXen fx;
	Region rg(4096, false);
	std::atomic<uint64_t> clk{1000};
	Ep a(fx, 1, rg, &clk), b(fx, 2, rg, &clk);
	a.cfg.heartbeat_ms = 100;
	ASSERT_EQ(a.init(), 0);
	ASSERT_EQ(b.init(), 0); // b: heartbeat_ms 0
	ASSERT_TRUE(connect_both(a, b));
	// 100 s of b's silence in polls 50 ms apart (a gap over a's 400 ms
	// limit would restart the window and prove nothing).
	for (int i = 0; i < 2000; i++) {
		clk += 50;
		ASSERT_EQ(a.poll(), 1) << "b publishes no period: unwatched, poll " << i;
	}
	// b watches a (a publishes 100) but never beats itself; a beats only
	// when polled. Ring progress alone keeps a alive in b's eyes.
	char buf[8];
	for (int i = 0; i < 20; i++) {
		clk += 150;
		ASSERT_EQ(xsr_peer_send(&a.p, "p", 1, 0), 1);
		ASSERT_EQ(b.poll(), 1) << i;
		ASSERT_EQ(xsr_peer_recv(&b.p, buf, sizeof(buf), 0), 1);
	}
	// a stops sending: silent once 200 ms pass, seen by a poll that is not
	// itself a limit late (one after a whole limit is a pause of b's own).
	clk += 150;
	ASSERT_EQ(b.poll(), 1);
	clk += 60;
	EXPECT_EQ(b.poll(), XSR_ETIMEDOUT);
}

// How long the integrator may sleep while connected: half my period; with no
// period of my own, the peer's, but its word never makes me spin.
TEST(PeerHeartbeat, TimeoutFollowsPeriodsBounded)
{
	FakeXen fx;
	Region rg(4096, false);
	Ep a(fx, 1, rg), b(fx, 2, rg);
	b.cfg.heartbeat_ms = 100; // a publishes none
	ASSERT_EQ(a.init(), 0);
	ASSERT_EQ(b.init(), 0);
	ASSERT_TRUE(connect_both(a, b));
	EXPECT_EQ(xsr_peer_timeout_ms(&b.p), 50u);
	EXPECT_EQ(xsr_peer_timeout_ms(&a.p), 100u);
	rg.slot_at(b.info().slot)->heartbeat_ms = 1; // hostile
	EXPECT_EQ(xsr_peer_timeout_ms(&a.p), 50u);
	rg.slot_at(b.info().slot)->heartbeat_ms = 0;
	EXPECT_EQ(xsr_peer_timeout_ms(&a.p), 1000u);
}

// ---- two threads, one endpoint each ----

struct XferCase {
	bool is_static;
	bool reversed;
	unsigned mode;
};

uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

struct XferResult {
	uint64_t sent_hash = 0xcbf29ce484222325ull, recv_hash = 0xcbf29ce484222325ull;
	uint64_t lost_wakeups = 0;
	int error = 0;
};

// Connect, then send `total` bytes (messages of varying length, or stream
// chunks) while receiving as many, sleeping on the fake's events only after
// arming. A wait that times out with nothing delivered is a lost wakeup.
void run_end(FakeXen &fx, Ep &e, size_t total, uint64_t seed, XferResult &res)
{
	auto fail = [&](int err) { res.error = err; };
	for (int i = 0;; i++) {
		int r = e.poll();
		if (r == 1)
			break;
		if (r < 0 || i > 20000)
			return fail(r < 0 ? r : -1);
		uint64_t seen = fx.delivered(e.dom);
		(void)fx.wait_event(e.dom, seen, 1);
	}
	const bool msg_tx = e.cfg.mode == XSR_MODE_MESSAGE;
	const bool msg_rx = xsr_peer_rx_mode(&e.p) == XSR_MODE_MESSAGE;
	const uint32_t max_msg = xsr_ring_max_msg(xsr_peer_tx_ring(&e.p));
	std::vector<uint8_t> out(max_msg), in(max_msg);
	size_t sent = 0, recvd = 0, out_len = 0, out_off = 0;
	uint64_t seq = seed, x = seed;
	while (sent < total || recvd < total) {
		bool progress = false;
		if (sent < total && out_off == out_len) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			out_len = std::min<size_t>(1 + (x >> 33) % max_msg, total - sent);
			fill(out.data(), out_len, seq++);
			out_off = 0;
		}
		if (sent < total) {
			long n = msg_tx ? xsr_peer_send(&e.p, out.data(), out_len, 0)
					: xsr_peer_write(&e.p, out.data() + out_off, out_len - out_off, 0);
			if (n > 0) {
				res.sent_hash = fnv(res.sent_hash, out.data() + out_off, size_t(n));
				out_off += size_t(n);
				sent += size_t(n);
				progress = true;
			} else if (n != XSR_EAGAIN) {
				return fail(int(n));
			}
		}
		if (recvd < total) {
			long n = msg_rx ? xsr_peer_recv(&e.p, in.data(), in.size(), 0)
					: xsr_peer_read(&e.p, in.data(), in.size(), 0);
			if (n > 0) {
				res.recv_hash = fnv(res.recv_hash, in.data(), size_t(n));
				recvd += size_t(n);
				progress = true;
			} else if (n != XSR_EAGAIN) {
				return fail(int(n));
			}
		}
		if (progress)
			continue;
		int r = e.poll();
		if (r != 1)
			return fail(r);
		// Sleep only if both directions still say so after arming.
		uint64_t seen = fx.delivered(e.dom);
		int wake = 0;
		if (recvd < total)
			wake |= xsr_peer_rx_arm(&e.p);
		if (sent < total)
			wake |= xsr_peer_tx_arm(&e.p, msg_tx ? out_len : 1);
		if (wake < 0)
			return fail(wake);
		if (!wake && !fx.wait_event(e.dom, seen, 5000))
			res.lost_wakeups++;
	}
}

class PeerConcurrent : public ::testing::TestWithParam<XferCase> {};

TEST_P(PeerConcurrent, ChecksummedTransferBothWays)
{
	const XferCase c = GetParam();
	FakeXen fx;
	Region rg(8192, false);
	Ep a(fx, 1, rg), b(fx, 2, rg);
	configure_pair(fx, a, b, c.is_static, c.reversed, 11, 22);
	a.cfg.mode = b.cfg.mode = c.mode;
	ASSERT_EQ(a.init(), 0);
	ASSERT_EQ(b.init(), 0);
	const size_t total = 8u << 20;
	XferResult ra, rb;
	std::thread ta([&] { run_end(fx, a, total, 1, ra); });
	std::thread tb([&] { run_end(fx, b, total, 2, rb); });
	ta.join();
	tb.join();
	ASSERT_EQ(ra.error, 0);
	ASSERT_EQ(rb.error, 0);
	EXPECT_EQ(ra.sent_hash, rb.recv_hash);
	EXPECT_EQ(rb.sent_hash, ra.recv_hash);
	EXPECT_EQ(ra.lost_wakeups + rb.lost_wakeups, 0u);
	xsr_peer_info ia = a.info(), ib = b.info();
	EXPECT_EQ(ia.role, c.reversed ? XSR_ROLE_SENDER : XSR_ROLE_RECEIVER);
	EXPECT_EQ(ia.notify_errors + ib.notify_errors, 0u);
	// Events seen by one end were sent by the other (none after detach yet).
	EXPECT_EQ(ia.events_seen, ib.events_sent);
	EXPECT_EQ(ib.events_seen, ia.events_sent);
	xsr_peer_detach(&a.p);
	xsr_peer_detach(&b.p);
}

INSTANTIATE_TEST_SUITE_P(, PeerConcurrent,
			 ::testing::Values(XferCase{false, false, XSR_MODE_MESSAGE},
					   XferCase{false, true, XSR_MODE_STREAM},
					   XferCase{true, false, XSR_MODE_STREAM},
					   XferCase{true, true, XSR_MODE_MESSAGE}),
			 [](const ::testing::TestParamInfo<XferCase> &i) {
				 return std::string(i.param.is_static ? "Static" : "Runtime") +
					(i.param.reversed ? "Reversed" : "Auto") +
					(i.param.mode == XSR_MODE_MESSAGE ? "Message" : "Stream");
			 });

// A restart in the middle of a transfer, from two threads: the survivor
// sees ECONNRESET and both reconnect.
TEST(PeerRestartConcurrent, MidStream)
{
	FakeXen fx;
	Region rg(8192, false);
	Ep a(fx, 1, rg), b(fx, 2, rg);
	ASSERT_EQ(a.init(), 0);
	ASSERT_EQ(b.init(), 0);
	std::atomic<int> a_err{0};
	std::thread ta([&] {
		// a: connect, then read until the peer leaves.
		std::vector<uint8_t> in(8192);
		for (int i = 0; i < 200000; i++) {
			int r = a.poll();
			if (r < 0) {
				a_err = r;
				break;
			}
			if (r == 1) {
				long n = xsr_peer_recv(&a.p, in.data(), in.size(), 0);
				if (n < 0 && n != XSR_EAGAIN) {
					a_err = int(n);
					break;
				}
			}
			std::this_thread::yield();
		}
	});
	for (int i = 0; i < 200000 && b.poll() != 1; i++)
		std::this_thread::yield();
	ASSERT_EQ(b.poll(), 1);
	for (int i = 0; i < 100; i++)
		(void)xsr_peer_send(&b.p, "data", 4, 0);
	xsr_peer_detach(&b.p);
	ta.join();
	EXPECT_EQ(a_err.load(), XSR_ECONNRESET);
	ASSERT_EQ(xsr_peer_reconnect(&a.p), 0);
	ASSERT_EQ(xsr_peer_reconnect(&b.p), 0);
	XferResult ra, rb;
	std::thread t1([&] { run_end(fx, a, 65536, 3, ra); });
	std::thread t2([&] { run_end(fx, b, 65536, 4, rb); });
	t1.join();
	t2.join();
	ASSERT_EQ(ra.error, 0);
	ASSERT_EQ(rb.error, 0);
	EXPECT_EQ(ra.sent_hash, rb.recv_hash);
	EXPECT_EQ(rb.sent_hash, ra.recv_hash);
}

} // namespace
