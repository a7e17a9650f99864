// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
// Do not edit directly, auto-generated from: codegen/spec/xenshm.yaml
// Regenerate with: make regen
//
// xenshm wire format for ringcore (freestanding C++20): constants, enums, flag bits, the
// shared-memory structs with static_assert on every size and offset, and the derived layout
// helpers. Includes only "xenshm/types.hpp".
#pragma once

#include "xenshm/types.hpp"

namespace xenshm::wire {

// major changes break the wire format or the ioctl ABI; minor adds optional features announced by
// feature bits. A peer with a different major refuses to attach (-EPROTO).
inline constexpr u16 ABI_MAJOR = 2;
inline constexpr u16 ABI_MINOR = 0;

// ---- Constants ----

// "XSHM" in little-endian byte order, first word of the region.
inline constexpr u32 MAGIC = 0x4d485358u;
// Placed in the magic word (by compare-and-swap) by the side that initialises the region; replaced
// by magic once header, slots and ring control are written. A side that sees it retries later.
inline constexpr u32 MAGIC_INIT = 0x4d485349u;
// Granule of the layout; all offsets below are multiples of it, independent of the kernel's page
// size.
inline constexpr u32 PAGE_SIZE = 4096u;
// Spacing of words written by different sides; 128 covers adjacent-line prefetch on x86 and
// 128-byte lines on some Arm cores.
inline constexpr u32 CACHELINE = 128u;
// Offset of the region header page (kernel-owned; userspace maps it read-only).
inline constexpr u32 HEADER_OFF = 0u;
// Offset of slot 0 in the header page.
inline constexpr u32 SLOT0_OFF = 128u;
// Offset of slot 1 in the header page.
inline constexpr u32 SLOT1_OFF = 256u;
// Offset of the ring-control page (both rings' indices; userspace may map it writable).
inline constexpr u32 CTRL_OFF = 4096u;
// Control block of ring 0 (produced by the owner of slot 0).
inline constexpr u32 RING0_CTRL_OFF = 4096u;
// Control block of ring 1 (produced by the owner of slot 1).
inline constexpr u32 RING1_CTRL_OFF = 4352u;
// Ring 0's data area starts here; ring 1's follows it at data_off + data_size.
inline constexpr u32 DATA_OFF = 8192u;
// Smallest usable region: two pages of metadata and two 4 KiB data areas.
inline constexpr u32 MIN_REGION_SIZE = 16384u;
// Smallest ring data area.
inline constexpr u32 MIN_DATA_SIZE = 4096u;
// Largest ring data area (1 GiB) so free-running 32-bit indices stay unambiguous.
inline constexpr u32 MAX_DATA_SIZE = 0x40000000u;
// Message records start and end on 8-byte boundaries.
inline constexpr u32 RECORD_ALIGN = 8u;
// No domain (slot unowned, peer unknown).
inline constexpr u32 DOMID_NONE = 0xffffffffu;
// No event-channel port (port 0 is never valid in Xen).
inline constexpr u32 PORT_NONE = 0u;
// How long each side waits, once its binding is verified, for the peer's confirming event
// (docs/protocol.md 5.3 step 9, 5.4 step 7); none by then: the rendezvous is refused (EACCES) and
// the port freed.
inline constexpr u32 CONFIRM_MS = 5000u;
// Largest heartbeat period a side honours when it watches its peer: a peer's slot.heartbeat_ms
// above it counts as this (the word is the peer's, so it cannot postpone the verdict without
// bound). Also the largest period Linux accepts in CONNECT.heartbeat_ms.
inline constexpr u32 HEARTBEAT_MAX_MS = 60000u;

// ---- Enumerations ----

// Rendezvous state machine of one side, written only by the side that owns the slot. FREE ->
// ATTACHED (owner claimed it, domid and epoch published) -> GO (receiver only: port published, then
// state stored with release) -> CONNECTED (sender: bound to the receiver's port, own port
// published; receiver: saw the sender connected, checked the binding with Xen and received its
// event). Detach returns the slot to FREE. ABI 2: each side sends one event right after publishing
// CONNECTED, and goes CONNECTED for its user only once it has received an event on its port (the
// proof that the domain Xen bound to the other end is the peer). docs/protocol.md specifies the
// whole protocol.
enum class slot_state : u32 {
    // Nobody owns the slot.
    free = 0,
    // Owner present; domid and epoch valid; no event channel yet.
    attached = 1,
    // Receiver published its port (unbound, or static with flag static_evtchn); the sender may bind
    // to it (or find its static end).
    go = 2,
    // The event channel is bound at both ends from this side's point of view; port holds this
    // side's own local port.
    connected = 3,
};

// Type word of a message record header.
enum class record_type : u32 {
    // A message: len payload bytes follow the header.
    msg = 1,
    // Filler to the end of the data area; len covers the bytes after the header. The consumer skips
    // it.
    pad = 2,
};

// Which side of the recipe a channel end plays. The receiver calls EVTCHNOP_alloc_unbound and
// publishes the port; the sender binds to it. AUTO picks by domid: the lower domid is the receiver;
// on equal domids (loopback) the owner of slot 0 is the receiver.
enum class role : u32 {
    // Pick by the documented domid rule.
    auto_ = 0,
    // Allocate the unbound port and publish it.
    receiver = 1,
    // Wait for go, then bind to the published port.
    sender = 2,
};

// Framing of the data this end produces; the consumer follows the mode the producer publishes in
// its slot flags.
enum class mode : u32 {
    // Bytes; reads and writes may be partial.
    stream = 0,
    // Length-prefixed records; send and receive are all-or-nothing and keep boundaries.
    message = 1,
};

// State of a channel end as reported to userspace.
enum class chan_state : u32 {
    // Not connecting.
    idle = 0,
    // Rendezvous in progress.
    connecting = 1,
    // Both ends bound; data may flow.
    connected = 2,
    // The peer detached or re-attached (epoch changed); reads return 0 after draining, writes fail
    // with ECONNRESET.
    peer_gone = 3,
    // Shared memory was found corrupt; every data call fails with EIO until RESET.
    broken = 4,
};

// What carries the channel.
enum class transport : u32 {
    // An in-kernel pair backed by one kernel-allocated region.
    loopback = 0,
    // Xen static shared memory with Xen event channels.
    xen = 1,
};

// ---- Flag bits ----

// Feature bits of the region header.
// Event-index notification suppression (always set in v1).
inline constexpr u32 FEATURES_EVENT_IDX = 1u << 0;
// Set by the initialiser (always in ABI 2): slots carry heartbeat_ms, and an owner with
// heartbeat_ms != 0 advances its heartbeat word while CONNECTED.
inline constexpr u32 FEATURES_HEARTBEAT = 1u << 1;
inline constexpr u32 FEATURES_ALL = FEATURES_EVENT_IDX | FEATURES_HEARTBEAT;

// Flags a side publishes in its slot.
// The ring this side produces carries message records (else a byte stream).
inline constexpr u32 SLOT_FLAGS_TX_MESSAGE = 1u << 0;
// Set by a receiver with GO: its port is a static event channel that Xen bound at boot
// (xen,evtchn-v1 in the host device tree). The sender does not bind; it uses its own local port
// whose remote end (EVTCHNOP_status) is this domid and port.
inline constexpr u32 SLOT_FLAGS_STATIC_EVTCHN = 1u << 1;
inline constexpr u32 SLOT_FLAGS_ALL = SLOT_FLAGS_TX_MESSAGE | SLOT_FLAGS_STATIC_EVTCHN;

// Flags of XENSHM_IOC_CONNECT.
// peer_domid is valid: refuse any other peer with EACCES.
inline constexpr u32 CONNECT_FLAGS_PIN_PEER = 1u << 0;
inline constexpr u32 CONNECT_FLAGS_ALL = CONNECT_FLAGS_PIN_PEER;

// Flags of XENSHM_IOC_SET_EVENTFD.
// Unregister the eventfd; fd must be 0.
inline constexpr u32 EVENTFD_FLAGS_CLEAR = 1u << 0;
inline constexpr u32 EVENTFD_FLAGS_ALL = EVENTFD_FLAGS_CLEAR;

// Flags of XENSHM_IOC_NOTIFY; at least one must be set.
// I produced into my TX ring through mmap; kick the peer if it asked.
inline constexpr u32 NOTIFY_FLAGS_TX = 1u << 0;
// I consumed from my RX ring through mmap; kick the peer if it waits for space.
inline constexpr u32 NOTIFY_FLAGS_RX = 1u << 1;
inline constexpr u32 NOTIFY_FLAGS_ALL = NOTIFY_FLAGS_TX | NOTIFY_FLAGS_RX;

// ---- Shared memory (little-endian; every field naturally aligned) ----

// First 128 bytes of the region. Written once, by the one side that wins the compare-and-swap of
// magic to magic_init, and published by storing magic with release ordering (docs/protocol.md,
// section 2). A side that finds a magic with another major version refuses the region.
struct region_header {
    // @0: XENSHM_MAGIC.
    u32 magic;
    // @4: ABI major.
    u16 version_major;
    // @6: ABI minor.
    u16 version_minor;
    // @8: Bytes in the region, as both sides were told by the firmware.
    u64 region_size;
    // @16: Feature bits (features).
    u64 features;
    // @24: Bytes in each ring's data area: the largest power of two with data_off + 2*data_size <=
    // region_size, clamped to [min_data_size, max_data_size].
    u32 data_size;
    // @28: Zero.
    u32 reserved0;
    // @32: Zero.
    u8 reserved1[96];
};
static_assert(sizeof(region_header) == 128, "region_header: size");
static_assert(alignof(region_header) == 8, "region_header: alignment");
static_assert(__is_standard_layout(region_header) && __is_trivial(region_header), "region_header: plain data");
static_assert(__builtin_offsetof(region_header, magic) == 0, "region_header.magic");
static_assert(__builtin_offsetof(region_header, version_major) == 4, "region_header.version_major");
static_assert(__builtin_offsetof(region_header, version_minor) == 6, "region_header.version_minor");
static_assert(__builtin_offsetof(region_header, region_size) == 8, "region_header.region_size");
static_assert(__builtin_offsetof(region_header, features) == 16, "region_header.features");
static_assert(__builtin_offsetof(region_header, data_size) == 24, "region_header.data_size");
static_assert(__builtin_offsetof(region_header, reserved0) == 28, "region_header.reserved0");
static_assert(__builtin_offsetof(region_header, reserved1) == 32, "region_header.reserved1");

// One side's public state, written only by its owner, on a cache line of its own. Slot i produces
// ring i and consumes ring 1-i.
struct slot {
    // @0: slot_state; stored last with release ordering.
    u32 state;
    // @4: Owner's domid (learnt from Xen), or domid_none.
    u32 domid;
    // @8: Bumped on every attach; a change tells the peer this side restarted.
    u32 epoch;
    // @12: Advanced (+1, wrapping) by the owner at least once every heartbeat_ms while its state is
    // CONNECTED. A peer that sees neither it nor the owner's ring indices (the prod of the ring the
    // owner produces, the cons of the one it consumes) change for its limit, max(its own limit, 2 x
    // min(heartbeat_ms, heartbeat_max_ms)), treats the owner as gone (docs/protocol.md 6.2).
    u32 heartbeat;
    // @16: Owner's local event-channel port: the receiver's from GO on, the sender's from CONNECTED
    // on.
    u32 port;
    // @20: slot_flags.
    u32 flags;
    // @24: Domid this side expects as its peer, or domid_none; informational.
    u32 peer_domid;
    // @28: Period of the owner's heartbeat in milliseconds, written before the state leaves
    // ATTACHED; 0: the owner sends no heartbeat and cannot be watched for silence.
    u32 heartbeat_ms;
    // @32: Zero.
    u8 reserved1[96];
};
static_assert(sizeof(slot) == 128, "slot: size");
static_assert(alignof(slot) == 4, "slot: alignment");
static_assert(__is_standard_layout(slot) && __is_trivial(slot), "slot: plain data");
static_assert(__builtin_offsetof(slot, state) == 0, "slot.state");
static_assert(__builtin_offsetof(slot, domid) == 4, "slot.domid");
static_assert(__builtin_offsetof(slot, epoch) == 8, "slot.epoch");
static_assert(__builtin_offsetof(slot, heartbeat) == 12, "slot.heartbeat");
static_assert(__builtin_offsetof(slot, port) == 16, "slot.port");
static_assert(__builtin_offsetof(slot, flags) == 20, "slot.flags");
static_assert(__builtin_offsetof(slot, peer_domid) == 24, "slot.peer_domid");
static_assert(__builtin_offsetof(slot, heartbeat_ms) == 28, "slot.heartbeat_ms");
static_assert(__builtin_offsetof(slot, reserved1) == 32, "slot.reserved1");

// Indices of one ring. Indices are free-running u32 byte counters, masked by data_size - 1. The
// producer's line and the consumer's line are separate cache lines. Event words follow the
// event-index scheme: a side wants a notification when the other side's index moves past the event
// word it wrote.
struct ring_ctrl {
    // @0: Producer index: bytes ever produced. Written by the producer with release.
    u32 prod;
    // @4: Written by the producer: notify me when cons passes this value (I wait for space).
    u32 cons_event;
    // @8: Keeps the consumer's words off the producer's cache line.
    u8 prod_pad[120];
    // @128: Consumer index: bytes ever consumed. Written by the consumer with release.
    u32 cons;
    // @132: Written by the consumer: notify me when prod passes this value (I wait for data).
    u32 prod_event;
    // @136: Pads the control block to two cache lines.
    u8 cons_pad[120];
};
static_assert(sizeof(ring_ctrl) == 256, "ring_ctrl: size");
static_assert(alignof(ring_ctrl) == 4, "ring_ctrl: alignment");
static_assert(__is_standard_layout(ring_ctrl) && __is_trivial(ring_ctrl), "ring_ctrl: plain data");
static_assert(__builtin_offsetof(ring_ctrl, prod) == 0, "ring_ctrl.prod");
static_assert(__builtin_offsetof(ring_ctrl, cons_event) == 4, "ring_ctrl.cons_event");
static_assert(__builtin_offsetof(ring_ctrl, prod_pad) == 8, "ring_ctrl.prod_pad");
static_assert(__builtin_offsetof(ring_ctrl, cons) == 128, "ring_ctrl.cons");
static_assert(__builtin_offsetof(ring_ctrl, prod_event) == 132, "ring_ctrl.prod_event");
static_assert(__builtin_offsetof(ring_ctrl, cons_pad) == 136, "ring_ctrl.cons_pad");

// Header of a message record in message mode. A record occupies 8 + align8(len) bytes and never
// wraps: when it would not fit before the end of the data area, the producer writes a pad record to
// the end and starts the message at offset 0. A message's payload is at most data_size / 2 - 8
// bytes so it always fits in an empty ring.
struct record_header {
    // @0: Payload bytes (msg) or bytes skipped after this header (pad).
    u32 len;
    // @4: record_type.
    u32 type;
};
static_assert(sizeof(record_header) == 8, "record_header: size");
static_assert(alignof(record_header) == 4, "record_header: alignment");
static_assert(__is_standard_layout(record_header) && __is_trivial(record_header), "record_header: plain data");
static_assert(__builtin_offsetof(record_header, len) == 0, "record_header.len");
static_assert(__builtin_offsetof(record_header, type) == 4, "record_header.type");

// ---- Derived layout ----

// Bytes in each ring's data area for a region of region_size bytes: the largest power of two d with
// DATA_OFF + 2 * d <= region_size, clamped to [MIN_DATA_SIZE, MAX_DATA_SIZE]; 0 if the region is
// smaller than DATA_OFF + 2 * MIN_DATA_SIZE. Bounded loop (at most 19 steps).
constexpr u32 data_size_for(u64 region_size)
{
    if (region_size < u64{DATA_OFF} + 2 * u64{MIN_DATA_SIZE})
        return 0;
    u32 d = MAX_DATA_SIZE;
    while (u64{DATA_OFF} + 2 * u64{d} > region_size)
        d >>= 1;
    return d;
}

// Region offset of ring `ring`'s data area (ring 0 at DATA_OFF, ring 1 right after it); 0 (never a
// valid data offset) if ring is not 0 or 1.
constexpr u64 ring_data_off(u32 ring, u32 data_size)
{
    if (ring > 1)
        return 0;
    return u64{DATA_OFF} + u64{ring} * data_size;
}

// Largest message payload in message mode for a data area of data_size bytes: data_size / 2 - 8, so
// one record always fits in an empty ring.
constexpr u32 max_msg_size_for(u32 data_size)
{
    return data_size / 2 > 8 ? data_size / 2 - 8 : 0;
}

// Compile-time tests of the helpers, values computed by the generator.
static_assert(data_size_for(0ull) == 0u, "data_size_for(0)");
static_assert(data_size_for(16383ull) == 0u, "data_size_for(16383)");
static_assert(data_size_for(16384ull) == 4096u, "data_size_for(16384)");
static_assert(data_size_for(20479ull) == 4096u, "data_size_for(20479)");
static_assert(data_size_for(32768ull) == 8192u, "data_size_for(32768)");
static_assert(data_size_for(1048576ull) == 262144u, "data_size_for(1048576)");
static_assert(data_size_for(1064960ull) == 524288u, "data_size_for(1064960)");
static_assert(data_size_for(2147491839ull) == 536870912u, "data_size_for(2147491839)");
static_assert(data_size_for(2147491840ull) == 1073741824u, "data_size_for(2147491840)");
static_assert(data_size_for(1099511627776ull) == 1073741824u, "data_size_for(1099511627776)");
static_assert(data_size_for(18446744073709551615ull) == 1073741824u, "data_size_for(18446744073709551615)");
static_assert(ring_data_off(0, MIN_DATA_SIZE) == DATA_OFF, "ring 0");
static_assert(ring_data_off(1, MIN_DATA_SIZE) == DATA_OFF + MIN_DATA_SIZE, "ring 1");
static_assert(ring_data_off(2, MIN_DATA_SIZE) == 0, "no ring 2");

} // namespace xenshm::wire
