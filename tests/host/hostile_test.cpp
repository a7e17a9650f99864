// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// The peer is hostile: it writes anything into the shared words between our
// calls. Each corruption of a checked value must give -EIO (sticky), never a
// crash, a hang, or data from outside the ring. Event words are not checked
// (any value only changes whether a notification is sent), so corrupting
// them must keep the ring working. Run under ASan+UBSan.
// Not covered: a peer writing concurrently with our copy (that changes only
// payload bytes, which are the peer's to choose anyway).
#include <random>

#include "harness.hpp"

using namespace xt;

namespace {

// Every data/space call, which must all report -EIO once the ring is broken.
void expect_all_eio(Pair &p)
{
	uint8_t b[64];
	void *w;
	const void *r;
	if (p.mode == XSR_MODE_MESSAGE) {
		EXPECT_EQ(p.send(b, 8), XSR_EIO);
		EXPECT_EQ(p.recv(b, 64), XSR_EIO);
		EXPECT_EQ(xsr_rx_next_len(&p.rx), XSR_EIO);
	} else {
		EXPECT_EQ(p.write(b, 8), XSR_EIO);
		EXPECT_EQ(p.read(b, 64), XSR_EIO);
	}
	EXPECT_EQ(xsr_tx_reserve(&p.tx, 8, &w), XSR_EIO);
	EXPECT_EQ(xsr_tx_commit(&p.tx, 8), XSR_EIO);
	EXPECT_EQ(xsr_rx_peek(&p.rx, &r), XSR_EIO);
	EXPECT_EQ(xsr_rx_release(&p.rx, 8), XSR_EIO);
	EXPECT_EQ(xsr_tx_space(&p.tx), XSR_EIO);
	EXPECT_EQ(xsr_rx_avail(&p.rx), XSR_EIO);
	EXPECT_EQ(xsr_rx_arm(&p.rx), XSR_EIO);
	EXPECT_EQ(xsr_tx_arm(&p.tx, 1), XSR_EIO);
	EXPECT_EQ(xsr_tx_need_notify(&p.tx), 0);
	EXPECT_EQ(xsr_rx_need_notify(&p.rx), 0);
	EXPECT_EQ(xsr_ring_error(&p.tx), XSR_EIO);
	EXPECT_EQ(xsr_ring_error(&p.rx), XSR_EIO);
}

// Break both ends: the consumer through a bad prod/record, the producer
// through a bad cons. Returns after checking stickiness.
struct Case {
	const char *what;
	unsigned mode;
	uint32_t start;		      // ring index before the messages are sent
	void (*poke)(Pair &);	      // the hostile write (after two messages are queued)
	bool consumer_side;	      // which end must detect it
};

void hdr(Pair &p, uint32_t off, uint32_t len, uint32_t type)
{
	auto *h = reinterpret_cast<record_header *>(p.data() + off);
	h->len = len;
	h->type = type;
}

const Case kCases[] = {
	{"prod beyond cons+size", XSR_MODE_MESSAGE, 0, [](Pair &p) { p.ctrl()->prod = p.ctrl()->cons + 4096 + 8; }, true},
	{"prod behind cons", XSR_MODE_MESSAGE, 0, [](Pair &p) { p.ctrl()->prod = p.ctrl()->cons - 8; }, true},
	{"prod misaligned", XSR_MODE_MESSAGE, 0, [](Pair &p) { p.ctrl()->prod += 3; }, true},
	{"record len > max_msg", XSR_MODE_MESSAGE, 0, [](Pair &p) { hdr(p, 0, 2041, 1); }, true},
	{"record len huge", XSR_MODE_MESSAGE, 0, [](Pair &p) { hdr(p, 0, 0xfffffff9u, 1); }, true},
	{"record beyond prod", XSR_MODE_MESSAGE, 0, [](Pair &p) { hdr(p, 0, 1000, 1); }, true},
	{"record type 0", XSR_MODE_MESSAGE, 0, [](Pair &p) { hdr(p, 0, 16, 0); }, true},
	{"record type 3", XSR_MODE_MESSAGE, 0, [](Pair &p) { hdr(p, 0, 16, 3); }, true},
	{"pad at offset 0", XSR_MODE_MESSAGE, 0, [](Pair &p) { hdr(p, 0, 4088, 2); }, true},
	{"pad short of the end", XSR_MODE_MESSAGE, 4096 - 16, [](Pair &p) { hdr(p, 4096 - 16, 0, 2); }, true},
	{"pad beyond the end", XSR_MODE_MESSAGE, 4096 - 16, [](Pair &p) { hdr(p, 4096 - 16, 16, 2); }, true},
	{"pad beyond prod", XSR_MODE_MESSAGE, 4096 - 16,
	 [](Pair &p) {
		 // Queue ends inside the pad's span (pad at 4080, 16 bytes).
		 p.ctrl()->prod = 4096 - 16 + 8;
	 },
	 true},
	{"record crosses the end", XSR_MODE_MESSAGE, 4096 - 16,
	 [](Pair &p) {
		 // Replace the pad by a message that would run past the end.
		 hdr(p, 4096 - 16, 100, 1);
	 },
	 true},
	{"cons beyond prod", XSR_MODE_MESSAGE, 0, [](Pair &p) { p.ctrl()->cons = p.ctrl()->prod + 8; }, false},
	{"cons far behind", XSR_MODE_MESSAGE, 0, [](Pair &p) { p.ctrl()->cons = p.ctrl()->prod - 4096 - 8; }, false},
	{"cons misaligned", XSR_MODE_MESSAGE, 0, [](Pair &p) { p.ctrl()->cons = 5; }, false},
	{"stream prod beyond", XSR_MODE_STREAM, 0, [](Pair &p) { p.ctrl()->prod = p.ctrl()->cons + 4097; }, true},
	{"stream prod behind", XSR_MODE_STREAM, 0, [](Pair &p) { p.ctrl()->prod = p.ctrl()->cons - 1; }, true},
	{"stream cons beyond", XSR_MODE_STREAM, 0, [](Pair &p) { p.ctrl()->cons = p.ctrl()->prod + 1; }, false},
	{"stream cons behind", XSR_MODE_STREAM, 0, [](Pair &p) { p.ctrl()->cons = p.ctrl()->prod - 4097; }, false},
};

} // namespace

TEST(Hostile, EachSharedFieldCorrupted)
{
	for (const Case &c : kCases) {
		SCOPED_TRACE(c.what);
		Pair p(4096, c.mode, c.start);
		uint8_t b[200] = {};
		if (c.mode == XSR_MODE_MESSAGE) {
			// With start 4080 the first record is a pad (8 + 8 bytes).
			ASSERT_EQ(p.send(b, 40), 40);
			ASSERT_EQ(p.send(b, 100), 100);
		} else {
			ASSERT_EQ(p.write(b, 100), 100);
		}
		c.poke(p);
		if (c.consumer_side) {
			long r = c.mode == XSR_MODE_MESSAGE ? p.recv(b, 200) : xsr_rx_avail(&p.rx);
			EXPECT_EQ(r, XSR_EIO);
			EXPECT_EQ(xsr_ring_error(&p.rx), XSR_EIO);
			xsr_ring_set_broken(&p.tx);
		} else {
			EXPECT_EQ(xsr_tx_space(&p.tx), XSR_EIO);
			EXPECT_EQ(xsr_ring_error(&p.tx), XSR_EIO);
			xsr_ring_set_broken(&p.rx);
		}
		// Sticky, even after the peer "repairs" the words.
		p.ctrl()->prod = p.ctrl()->cons;
		expect_all_eio(p);
	}
}

// Event words carry no trust: any value only changes notification decisions.
TEST(Hostile, EventWordsAreHarmless)
{
	std::mt19937 rng(12345);
	Pair p(4096, XSR_MODE_MESSAGE);
	uint8_t b[100];
	for (int i = 0; i < 10000; i++) {
		p.ctrl()->prod_event = rng();
		p.ctrl()->cons_event = rng();
		ASSERT_EQ(p.send(b, 100), 100);
		int n = xsr_tx_need_notify(&p.tx);
		ASSERT_TRUE(n == 0 || n == 1);
		ASSERT_EQ(p.recv(b, 100), 100);
		n = xsr_rx_need_notify(&p.rx);
		ASSERT_TRUE(n == 0 || n == 1);
		ASSERT_GE(xsr_rx_arm(&p.rx), 0);
		ASSERT_GE(xsr_tx_arm(&p.tx, 100), 0);
	}
	EXPECT_EQ(xsr_ring_error(&p.rx), 0);
}

// The peer also owns words we publish: what it writes there is never read
// back on the data path (our private index is authoritative).
TEST(Hostile, OwnPublishedWordOverwritten)
{
	Pair p(4096, XSR_MODE_MESSAGE);
	uint8_t b[16] = {};
	ASSERT_EQ(p.send(b, 16), 16);
	p.ctrl()->prod = 0x12345; // the hostile side scribbles on the producer's word...
	// ...which the consumer reads as corruption (misaligned), and the
	// producer never trusts.
	EXPECT_EQ(xsr_tx_space(&p.tx), 2040);
	EXPECT_EQ(p.recv(b, 16), XSR_EIO);
}

// Seeded random garbage in every shared word and the data area, mixed with
// legitimate traffic. Every call returns a valid result or an error from the
// documented set; after -EIO the ring stays broken; received lengths respect
// the limits. (Bounded work per call is implied: the test finishes.)
TEST(Hostile, RandomGarbage)
{
	for (unsigned mode : {XSR_MODE_MESSAGE, XSR_MODE_STREAM}) {
		for (uint32_t seed = 1; seed <= 200; seed++) {
			std::mt19937 rng(seed);
			Pair p(4096, mode, rng());
			std::vector<uint8_t> buf(4096);
			bool rx_broken = false, tx_broken = false;
			for (int step = 0; step < 300; step++) {
				const unsigned op = rng() % 12;
				uint32_t v = rng();
				long r = 0;
				switch (op) {
				case 0: // garbage in a ctrl word
					reinterpret_cast<uint32_t *>(p.ctrl())[(rng() % 2) * 32 + rng() % 2] = v;
					break;
				case 1: { // garbage in the data area (often a header)
					uint32_t off = (rng() % 4096) & ~3u;
					*reinterpret_cast<uint32_t *>(p.data() + off) = rng() % 3 ? v % 4200 : v;
					break;
				}
				case 2:
				case 3:
				case 4: {
					size_t len = rng() % 3000;
					r = mode == XSR_MODE_MESSAGE ? p.send(buf.data(), len) : p.write(buf.data(), len);
					if (mode == XSR_MODE_MESSAGE) {
						ASSERT_TRUE(r == long(len) || r == XSR_EAGAIN || r == XSR_EMSGSIZE || r == XSR_EIO) << r;
					} else {
						ASSERT_TRUE((r >= 0 && r <= long(len)) || r == XSR_EAGAIN || r == XSR_EIO) << r;
					}
					break;
				}
				case 5:
				case 6:
				case 7: {
					size_t cap = rng() % 4096;
					r = mode == XSR_MODE_MESSAGE ? p.recv(buf.data(), cap) : p.read(buf.data(), cap);
					if (mode == XSR_MODE_MESSAGE) {
						ASSERT_TRUE((r >= 0 && r <= long(cap) && r <= 2040) || r == XSR_EAGAIN ||
							    r == XSR_EMSGSIZE || r == XSR_EIO) << r;
					} else {
						ASSERT_TRUE((r >= 0 && r <= long(cap)) || r == XSR_EAGAIN || r == XSR_EIO) << r;
					}
					break;
				}
				case 8: {
					const void *q;
					r = xsr_rx_peek(&p.rx, &q);
					if (r >= 0) {
						const uint8_t *qq = static_cast<const uint8_t *>(q);
						ASSERT_GE(qq, p.data());
						ASSERT_LE(qq + r, p.data() + 4096);
						ASSERT_EQ(xsr_rx_release(&p.rx, size_t(r)), 0);
					}
					break;
				}
				case 9: {
					void *q;
					r = xsr_tx_reserve(&p.tx, rng() % 3000, &q);
					if (r >= 0) {
						uint8_t *qq = static_cast<uint8_t *>(q);
						ASSERT_GE(qq, p.data());
						ASSERT_LE(qq + r, p.data() + 4096);
						std::memset(qq, 0xee, size_t(r));
						ASSERT_EQ(xsr_tx_commit(&p.tx, size_t(r)), 0);
					}
					break;
				}
				case 10:
					r = xsr_rx_arm(&p.rx);
					ASSERT_TRUE(r == 0 || r == 1 || r == XSR_EIO);
					r = xsr_rx_avail(&p.rx);
					ASSERT_TRUE((r >= 0 && r <= 4096) || r == XSR_EIO);
					break;
				case 11:
					r = xsr_tx_arm(&p.tx, rng() % 5000);
					ASSERT_TRUE(r == 0 || r == 1 || r == XSR_EIO);
					r = xsr_tx_space(&p.tx);
					ASSERT_TRUE((r >= 0 && r <= 4096) || r == XSR_EIO);
					break;
				}
				// Sticky: once broken, always broken.
				if (rx_broken) {
					ASSERT_EQ(xsr_ring_error(&p.rx), XSR_EIO);
				}
				if (tx_broken) {
					ASSERT_EQ(xsr_ring_error(&p.tx), XSR_EIO);
				}
				rx_broken = xsr_ring_error(&p.rx) != 0;
				tx_broken = xsr_ring_error(&p.tx) != 0;
			}
		}
	}
}
