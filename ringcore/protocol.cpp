// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// Region initialisation/validation and the slot rendezvous protocol.
//
// Ordering: the magic word and each slot's state word are "publication"
// words: everything they cover is written first, then they are stored with
// release; readers load them with acquire before reading the rest. Every
// other shared word is read once (relaxed) into a local and validated.
#include "xenshm/protocol.hpp"
#include "xenshm/atomic.hpp"

#include "xenshm/poison.hpp"

namespace xenshm {

using namespace atomic;

namespace {

constexpr u32 S_FREE = u32(wire::slot_state::free);
constexpr u32 S_ATTACHED = u32(wire::slot_state::attached);
constexpr u32 S_GO = u32(wire::slot_state::go);
constexpr u32 S_CONNECTED = u32(wire::slot_state::connected);

constexpr u32 ROLE_AUTO = u32(wire::role::auto_);
constexpr u32 ROLE_RECEIVER = u32(wire::role::receiver);
constexpr u32 ROLE_SENDER = u32(wire::role::sender);

static_assert(wire::SLOT1_OFF + sizeof(wire::slot) <= wire::CTRL_OFF);
static_assert(wire::RING1_CTRL_OFF + sizeof(wire::ring_ctrl) <= wire::DATA_OFF);

// Zero [from, to) of the region with single 4-byte stores (bounded: the
// metadata pages only).
void zero_words(u8 *base, u32 from, u32 to)
{
	for (u32 off = from; off < to; off += 4)
		write_once(reinterpret_cast<u32 *>(base + off), u32(0));
}

bool args_ok(const void *base, u64 size)
{
	return base && !(reinterpret_cast<uptr>(base) & 7u) && size >= wire::MIN_REGION_SIZE;
}

} // namespace

int region::validate(void *b, u64 size)
{
	valid = 0;
	if (!args_ok(b, size))
		return err::INVAL;
	auto *rb = static_cast<u8 *>(b);
	auto *h = reinterpret_cast<wire::region_header *>(rb);
	// pairs with store_release(magic) at the end of init()
	const u32 magic = load_acquire(&h->magic);
	if (magic != wire::MAGIC)
		return err::AGAIN;
	const u16 major = read_once(&h->version_major);
	const u64 features = read_once(&h->features);
	const u64 rsize = read_once(&h->region_size);
	const u32 dsize = read_once(&h->data_size);
	if (major != wire::ABI_MAJOR || !(features & wire::FEATURES_EVENT_IDX))
		return err::PROTO;
	const u32 want = wire::data_size_for(size);
	if (rsize != size || dsize != want || !want)
		return err::IO;
	base = rb;
	region_size = size;
	data_size = dsize;
	max_msg = wire::max_msg_size_for(dsize);
	valid = 1;
	reserved = 0;
	return 0;
}

int region::init(void *b, u64 size)
{
	valid = 0;
	if (!args_ok(b, size) || !wire::data_size_for(size))
		return err::INVAL;
	auto *rb = static_cast<u8 *>(b);
	auto *h = reinterpret_cast<wire::region_header *>(rb);
	u32 magic = load_acquire(&h->magic);
	if (magic == wire::MAGIC)
		return validate(b, size);
	if (magic == wire::MAGIC_INIT)
		return err::AGAIN;
	// Take the region: only one side can swap this value for MAGIC_INIT.
	if (!cmpxchg(&h->magic, &magic, wire::MAGIC_INIT)) {
		// Lost the race (magic now holds what the winner wrote) or the
		// word changed under us: classify once, never loop.
		return magic == wire::MAGIC ? validate(b, size) : err::AGAIN;
	}
	zero_words(rb, 4, wire::DATA_OFF); // header (after magic), slots, ring controls
	for (u32 i = 0; i < 2; i++) {
		wire::slot *s = reinterpret_cast<wire::slot *>(rb + (i ? wire::SLOT1_OFF : wire::SLOT0_OFF));
		write_once(&s->domid, wire::DOMID_NONE);
		write_once(&s->peer_domid, wire::DOMID_NONE);
	}
	write_once(&h->version_major, wire::ABI_MAJOR);
	write_once(&h->version_minor, wire::ABI_MINOR);
	write_once(&h->region_size, size);
	write_once(&h->features, u64(wire::FEATURES_EVENT_IDX | wire::FEATURES_HEARTBEAT));
	write_once(&h->data_size, wire::data_size_for(size));
	// Publish: pairs with load_acquire(magic) in validate().
	store_release(&h->magic, wire::MAGIC);
	return validate(b, size);
}

namespace {

// Take slot i for domid. Returns 1 on success, 0 if it is not mine to take.
int take_slot(const region &rg, u32 i, u32 domid, bool reclaim_only)
{
	wire::slot *s = rg.slot_at(i);
	u32 d = read_once(&s->domid);
	if (d == domid) {
		// Reclaim (my earlier life): show the peer a FREE slot while the
		// fields change (it will see the new epoch anyway).
		store_release(&s->state, S_FREE);
		return 1;
	}
	if (reclaim_only)
		return 0;
	// pairs with store_release(state) in slot_release()
	if (load_acquire(&s->state) != S_FREE || d != wire::DOMID_NONE)
		return 0;
	return cmpxchg(&s->domid, &d, domid) ? 1 : 0;
}

} // namespace

int slot_claim(const region &rg, int want, u32 domid, u32 peer_domid, u32 flags, u32 *epoch)
{
	if (!rg.valid || want < -1 || want > 1 || (want == -1 && domid == wire::DOMID_NONE))
		return err::INVAL;
	int got = -1;
	if (want >= 0) {
		if (take_slot(rg, u32(want), domid, false))
			got = want;
	} else {
		for (u32 i = 0; i < 2 && got < 0; i++)
			if (take_slot(rg, i, domid, true))
				got = int(i);
		for (u32 i = 0; i < 2 && got < 0; i++)
			if (take_slot(rg, i, domid, false))
				got = int(i);
	}
	if (got < 0)
		return err::BUSY;
	wire::slot *s = rg.slot_at(u32(got));
	const u32 e = read_once(&s->epoch) + 1;
	write_once(&s->epoch, e);
	write_once(&s->flags, flags & wire::SLOT_FLAGS_ALL);
	write_once(&s->peer_domid, peer_domid);
	write_once(&s->port, wire::PORT_NONE);
	write_once(&s->heartbeat, u32(0));
	write_once(&s->heartbeat_ms, u32(0));
	// Publish domid/epoch/flags: pairs with load_acquire(state) in slot_read().
	store_release(&s->state, S_ATTACHED);
	if (epoch)
		*epoch = e;
	return got;
}

int slot_set_state(const region &rg, u32 slot, u32 state, u32 port)
{
	if (!rg.valid || slot > 1 || state < S_ATTACHED || state > S_CONNECTED)
		return err::INVAL;
	if (state == S_GO && port == wire::PORT_NONE)
		return err::INVAL;
	wire::slot *s = rg.slot_at(slot);
	// The receiver's port with GO, the sender's own port with CONNECTED.
	if (state != S_ATTACHED)
		write_once(&s->port, port);
	store_release(&s->state, state); // pairs with load_acquire(state) in slot_read()
	return 0;
}

int slot_set_flags(const region &rg, u32 slot, u32 flags)
{
	if (!rg.valid || slot > 1 || (flags & ~wire::SLOT_FLAGS_ALL))
		return err::INVAL;
	// Published by the next slot_set_state()'s release.
	write_once(&rg.slot_at(slot)->flags, flags);
	return 0;
}

void slot_heartbeat(const region &rg, u32 slot)
{
	if (!rg.valid || slot > 1)
		return;
	wire::slot *s = rg.slot_at(slot);
	write_once(&s->heartbeat, read_once(&s->heartbeat) + 1);
}

void slot_set_heartbeat_ms(const region &rg, u32 slot, u32 ms)
{
	if (!rg.valid || slot > 1)
		return;
	// Published by the next slot_set_state()'s release.
	write_once(&rg.slot_at(slot)->heartbeat_ms, ms);
}

void slot_release(const region &rg, u32 slot)
{
	if (!rg.valid || slot > 1)
		return;
	wire::slot *s = rg.slot_at(slot);
	store_release(&s->state, S_FREE);
	write_once(&s->port, wire::PORT_NONE);
	// After state: a claimer that sees DOMID_NONE also sees FREE.
	store_release(&s->domid, wire::DOMID_NONE);
}

int slot_read(const region &rg, u32 slot, slot_info *out)
{
	if (!rg.valid || slot > 1 || !out)
		return err::INVAL;
	const wire::slot *s = rg.slot_at(slot);
	// pairs with store_release(state) in slot_claim()/slot_set_state()
	const u32 st = load_acquire(&s->state);
	const u32 domid = read_once(&s->domid);
	const u32 epoch = read_once(&s->epoch);
	const u32 port = read_once(&s->port);
	const u32 flags = read_once(&s->flags);
	const u32 hb = read_once(&s->heartbeat);
	const u32 hb_ms = read_once(&s->heartbeat_ms);
	const u32 pd = read_once(&s->peer_domid);
	if (st > S_CONNECTED)
		return err::IO;
	// GO always carries the receiver's port.
	if (st == S_GO && port == wire::PORT_NONE)
		return err::IO;
	out->state = st;
	out->domid = domid;
	out->epoch = epoch;
	out->port = port;
	out->flags = flags & wire::SLOT_FLAGS_ALL;
	out->heartbeat = hb;
	out->peer_domid = pd;
	out->heartbeat_ms = hb_ms;
	return 0;
}

int peer_check(const region &rg, u32 my_slot, u32 epoch_seen)
{
	if (my_slot > 1)
		return err::INVAL;
	slot_info si;
	int e = slot_read(rg, 1 - my_slot, &si);
	if (e)
		return e;
	if (si.state == S_FREE || si.epoch != epoch_seen)
		return err::CONNRESET;
	return 0;
}

int role_pick(u32 role, u32 my_slot, u32 my_domid, u32 peer_domid)
{
	if (my_slot > 1)
		return err::INVAL;
	if (role == ROLE_RECEIVER || role == ROLE_SENDER)
		return int(role);
	if (role != ROLE_AUTO)
		return err::INVAL;
	if (my_domid != peer_domid)
		return int(my_domid < peer_domid ? ROLE_RECEIVER : ROLE_SENDER);
	return int(my_slot == 0 ? ROLE_RECEIVER : ROLE_SENDER);
}

namespace {

// The words that show the peer is alive, each read once. Only compared for
// equality: any value is harmless.
void read_pulse(const region &rg, u32 me, u32 out[3])
{
	const u8 *base = rg.base;
	const auto *rx =
		reinterpret_cast<const wire::ring_ctrl *>(base + (me ? wire::RING0_CTRL_OFF : wire::RING1_CTRL_OFF));
	const auto *tx =
		reinterpret_cast<const wire::ring_ctrl *>(base + (me ? wire::RING1_CTRL_OFF : wire::RING0_CTRL_OFF));

	out[0] = read_once(&rg.slot_at(1 - me)->heartbeat);
	out[1] = read_once(&rx->prod);
	out[2] = read_once(&tx->cons);
}

} // namespace

void liveness_start(const region &rg, u32 my_slot, liveness *lv, u64 now_ms)
{
	*lv = liveness{};
	if (rg.valid && my_slot <= 1)
		read_pulse(rg, my_slot, lv->pulse);
	lv->pulse_at = now_ms;
	lv->checked_at = now_ms;
}

u64 liveness_check(const region &rg, u32 my_slot, liveness *lv, u64 now_ms, u32 own_limit_ms, u32 late_ms)
{
	if (!rg.valid || my_slot > 1)
		return 0;
	const u64 gap = now_ms - lv->checked_at;
	lv->checked_at = now_ms;

	u32 pulse[3];
	read_pulse(rg, my_slot, pulse);
	if (pulse[0] != lv->pulse[0] || pulse[1] != lv->pulse[1] || pulse[2] != lv->pulse[2]) {
		lv->pulse[0] = pulse[0];
		lv->pulse[1] = pulse[1];
		lv->pulse[2] = pulse[2];
		lv->pulse_at = now_ms;
		return 0;
	}
	slot_info si;
	if (slot_read(rg, 1 - my_slot, &si) || !si.heartbeat_ms)
		return 0; // unwatched (or corrupt: the caller's peer_check says so)
	// The peer's period is its word: bounded before it sets how long I wait.
	const u32 peer_ms = si.heartbeat_ms < wire::HEARTBEAT_MAX_MS ? si.heartbeat_ms : wire::HEARTBEAT_MAX_MS;
	const u64 limit = 2 * u64(peer_ms) > own_limit_ms ? 2 * u64(peer_ms) : own_limit_ms;
	// A check this late means I was not running (a paused VM, an
	// overloaded host), and the peer may not have been either: that gap
	// is nobody's silence, the peer gets a whole limit from now.
	if (gap > (late_ms ? u64(late_ms) : limit)) {
		lv->pulse_at = now_ms;
		return 0;
	}
	if (now_ms - lv->pulse_at < limit)
		return 0;
	return now_ms - lv->pulse_at;
}

} // namespace xenshm
