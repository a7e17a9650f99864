// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// Region initialisation/validation and the slot rendezvous protocol.
// Contract and error codes: xenshm/xsr.h.
#pragma once

#include "xenshm/ring.hpp"
#include "xenshm/types.hpp"
#include "xenshm/wire.hpp"

namespace xenshm {

// Private copy of what was validated in the region header: later calls never
// re-read the header (the peer could rewrite it).
struct region {
	u8 *base;
	u64 region_size;
	u32 data_size;
	u32 max_msg;
	u32 valid;
	u32 reserved;

	[[nodiscard]] int init(void *base, u64 size);
	[[nodiscard]] int validate(void *base, u64 size);

	wire::slot *slot_at(u32 i) const
	{
		return reinterpret_cast<wire::slot *>(base + (i ? wire::SLOT1_OFF : wire::SLOT0_OFF));
	}
};
static_assert(__is_trivial(region) && __is_standard_layout(region));

struct slot_info {
	u32 state, domid, epoch, port, flags, heartbeat, peer_domid, heartbeat_ms;
};

// [[nodiscard]]: the result is an error or what the caller asked for.
[[nodiscard]] int slot_claim(const region &rg, int want, u32 domid, u32 peer_domid, u32 flags, u32 *epoch);
[[nodiscard]] int slot_set_state(const region &rg, u32 slot, u32 state, u32 port);
[[nodiscard]] int slot_set_flags(const region &rg, u32 slot, u32 flags);
void slot_heartbeat(const region &rg, u32 slot);
void slot_set_heartbeat_ms(const region &rg, u32 slot, u32 ms);
void slot_release(const region &rg, u32 slot);
[[nodiscard]] int slot_read(const region &rg, u32 slot, slot_info *out);
[[nodiscard]] int peer_check(const region &rg, u32 my_slot, u32 epoch_seen);
[[nodiscard]] int role_pick(u32 role, u32 my_slot, u32 my_domid, u32 peer_domid);

// The liveness rule (docs/protocol.md 6.2), one implementation for the
// module and the peer library. Trivial: lives in the caller's xsr_liveness.
struct liveness {
	u32 pulse[3]; // the peer's heartbeat, my RX prod, my TX cons: at pulse_at
	u32 reserved;
	u64 pulse_at;	// ms: when pulse last changed (or the window restarted)
	u64 checked_at; // ms: the previous check
};
static_assert(__is_trivial(liveness) && __is_standard_layout(liveness));

void liveness_start(const region &rg, u32 my_slot, liveness *lv, u64 now_ms);
[[nodiscard]] u64 liveness_check(const region &rg, u32 my_slot, liveness *lv, u64 now_ms, u32 own_limit_ms,
				 u32 late_ms);

} // namespace xenshm
