// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// The extern "C" facade (xenshm/xsr.h) over ringcore's C++ objects.
#include "xenshm/xsr.h"
#include "xenshm/protocol.hpp"
#include "xenshm/ring.hpp"

#include "xenshm/poison.hpp"

using namespace xenshm;

// The opaque handles hold the C++ objects.
static_assert(sizeof(ring) <= sizeof(xsr_ring) && alignof(ring) <= alignof(xsr_ring));
static_assert(sizeof(region) <= sizeof(xsr_region) && alignof(region) <= alignof(xsr_region));
static_assert(sizeof(xsr_ring) == XSR_RING_BYTES && sizeof(xsr_region) == XSR_REGION_BYTES);
static_assert(sizeof(slot_info) == sizeof(xsr_slot_info));
static_assert(sizeof(liveness) == sizeof(xsr_liveness) && alignof(liveness) == alignof(xsr_liveness));

// The C mirrors equal the spec.
static_assert(XSR_EIO == err::IO && XSR_EAGAIN == err::AGAIN && XSR_EFAULT == err::FAULT);
static_assert(XSR_EBUSY == err::BUSY && XSR_EINVAL == err::INVAL && XSR_EPROTO == err::PROTO);
static_assert(XSR_EMSGSIZE == err::MSGSIZE && XSR_ECONNRESET == err::CONNRESET);
static_assert(XSR_EACCES == err::ACCES && XSR_ENOTCONN == err::NOTCONN && XSR_ETIMEDOUT == err::TIMEDOUT);
static_assert(XSR_MODE_STREAM == u32(wire::mode::stream) && XSR_MODE_MESSAGE == u32(wire::mode::message));
static_assert(XSR_SLOT_FREE == u32(wire::slot_state::free));
static_assert(XSR_SLOT_ATTACHED == u32(wire::slot_state::attached));
static_assert(XSR_SLOT_GO == u32(wire::slot_state::go));
static_assert(XSR_SLOT_CONNECTED == u32(wire::slot_state::connected));
static_assert(XSR_ROLE_AUTO == u32(wire::role::auto_) && XSR_ROLE_RECEIVER == u32(wire::role::receiver) &&
	      XSR_ROLE_SENDER == u32(wire::role::sender));
static_assert(XSR_SLOT_FLAG_TX_MESSAGE == wire::SLOT_FLAGS_TX_MESSAGE);
static_assert(XSR_SLOT_FLAG_STATIC_EVTCHN == wire::SLOT_FLAGS_STATIC_EVTCHN);
static_assert(XSR_DOMID_NONE == wire::DOMID_NONE);

namespace {

inline region *G(xsr_region *g)
{
	return reinterpret_cast<region *>(g);
}
inline const region *G(const xsr_region *g)
{
	return reinterpret_cast<const region *>(g);
}

int ring_setup(xsr_ring *r, const xsr_region *rg, unsigned int my_slot, unsigned int dir, unsigned int mode,
	       bool resync)
{
	if (!r || !rg || !G(rg)->valid || my_slot > 1 || dir > XSR_RX || mode > XSR_MODE_MESSAGE)
		return err::INVAL;
	ring *x = reinterpret_cast<ring *>(r);
	__builtin_memset(r, 0, sizeof(*r));
	const u32 idx = dir == XSR_TX ? my_slot : 1 - my_slot;
	return x->attach(G(rg)->base, G(rg)->data_size, idx, dir == XSR_TX ? ring_dir::tx : ring_dir::rx,
			 mode == XSR_MODE_MESSAGE, resync);
}

} // namespace

extern "C" {

uint32_t xsr_data_size_for(uint64_t region_size)
{
	return wire::data_size_for(region_size);
}

uint32_t xsr_max_msg_for(uint32_t data_size)
{
	return wire::max_msg_size_for(data_size);
}

int xsr_region_init(struct xsr_region *rg, void *base, uint64_t size)
{
	if (!rg)
		return err::INVAL;
	__builtin_memset(rg, 0, sizeof(*rg));
	return G(rg)->init(base, size);
}

int xsr_region_validate(struct xsr_region *rg, void *base, uint64_t size)
{
	if (!rg)
		return err::INVAL;
	__builtin_memset(rg, 0, sizeof(*rg));
	return G(rg)->validate(base, size);
}

uint32_t xsr_region_data_size(const struct xsr_region *rg)
{
	return rg && G(rg)->valid ? G(rg)->data_size : 0;
}

int xsr_slot_claim(const struct xsr_region *rg, int want_slot, uint32_t domid, uint32_t peer_domid, uint32_t flags,
		   uint32_t *epoch)
{
	return rg ? slot_claim(*G(rg), want_slot, domid, peer_domid, flags, epoch) : err::INVAL;
}

int xsr_slot_set_state(const struct xsr_region *rg, unsigned int slot, uint32_t state, uint32_t port)
{
	return rg ? slot_set_state(*G(rg), slot, state, port) : err::INVAL;
}

int xsr_slot_set_flags(const struct xsr_region *rg, unsigned int slot, uint32_t flags)
{
	return rg ? slot_set_flags(*G(rg), slot, flags) : err::INVAL;
}

void xsr_slot_heartbeat(const struct xsr_region *rg, unsigned int slot)
{
	if (rg)
		slot_heartbeat(*G(rg), slot);
}

void xsr_slot_set_heartbeat_ms(const struct xsr_region *rg, unsigned int slot, uint32_t ms)
{
	if (rg)
		slot_set_heartbeat_ms(*G(rg), slot, ms);
}

void xsr_slot_release(const struct xsr_region *rg, unsigned int slot)
{
	if (rg)
		slot_release(*G(rg), slot);
}

int xsr_slot_read(const struct xsr_region *rg, unsigned int slot, struct xsr_slot_info *out)
{
	return rg ? slot_read(*G(rg), slot, reinterpret_cast<slot_info *>(out)) : err::INVAL;
}

int xsr_peer_check(const struct xsr_region *rg, unsigned int my_slot, uint32_t epoch_seen)
{
	return rg ? peer_check(*G(rg), my_slot, epoch_seen) : err::INVAL;
}

void xsr_liveness_start(struct xsr_liveness *lv, const struct xsr_region *rg, unsigned int my_slot, uint64_t now_ms)
{
	if (lv && rg)
		liveness_start(*G(rg), my_slot, reinterpret_cast<liveness *>(lv), now_ms);
}

uint64_t xsr_liveness_check(struct xsr_liveness *lv, const struct xsr_region *rg, unsigned int my_slot, uint64_t now_ms,
			    uint32_t own_limit_ms, uint32_t late_ms)
{
	if (!lv || !rg)
		return 0;
	return liveness_check(*G(rg), my_slot, reinterpret_cast<liveness *>(lv), now_ms, own_limit_ms, late_ms);
}

int xsr_role_pick(uint32_t role, unsigned int my_slot, uint32_t my_domid, uint32_t peer_domid)
{
	return role_pick(role, my_slot, my_domid, peer_domid);
}

int xsr_ring_attach(struct xsr_ring *r, const struct xsr_region *rg, unsigned int my_slot, unsigned int dir,
		    unsigned int mode)
{
	return ring_setup(r, rg, my_slot, dir, mode, true);
}

int xsr_ring_join(struct xsr_ring *r, const struct xsr_region *rg, unsigned int my_slot, unsigned int dir,
		  unsigned int mode)
{
	return ring_setup(r, rg, my_slot, dir, mode, false);
}

// The ring data-path wrappers live at the end of ring.cpp, in the same
// translation unit as the methods they call, so those inline without LTO.

} // extern "C"
