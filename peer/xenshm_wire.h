/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Do not edit directly, auto-generated from: codegen/spec/xenshm.yaml
 * Regenerate with: make regen
 *
 * xenshm wire format for peers that are not Linux (RTOS, bare metal):
 * freestanding C99, only <stdint.h>. Never include it together with
 * uapi/xenshm.h (same names). It gives the layout only: the protocol (who
 * writes which word, in which order, with which memory ordering; the
 * rendezvous, the ring resync and the notification rule) is specified in
 * docs/protocol.md.
 */
#ifndef XENSHM_WIRE_H
#define XENSHM_WIRE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * major changes break the wire format or the ioctl ABI; minor adds optional
 * features announced by feature bits. A peer with a different major refuses
 * to attach (-EPROTO).
 */
#define XENSHM_ABI_MAJOR 2
#define XENSHM_ABI_MINOR 0

/* ---- Constants ---- */

/* "XSHM" in little-endian byte order, first word of the region. */
#define XENSHM_MAGIC 0x4d485358U
/*
 * Placed in the magic word (by compare-and-swap) by the side that initialises
 * the region; replaced by magic once header, slots and ring control are
 * written. A side that sees it retries later.
 */
#define XENSHM_MAGIC_INIT 0x4d485349U
/*
 * Granule of the layout; all offsets below are multiples of it, independent
 * of the kernel's page size.
 */
#define XENSHM_PAGE_SIZE 4096U
/*
 * Spacing of words written by different sides; 128 covers adjacent-line
 * prefetch on x86 and 128-byte lines on some Arm cores.
 */
#define XENSHM_CACHELINE 128U
/*
 * Offset of the region header page (kernel-owned; userspace maps it
 * read-only).
 */
#define XENSHM_HEADER_OFF 0U
/* Offset of slot 0 in the header page. */
#define XENSHM_SLOT0_OFF 128U
/* Offset of slot 1 in the header page. */
#define XENSHM_SLOT1_OFF 256U
/*
 * Offset of the ring-control page (both rings' indices; userspace may map it
 * writable).
 */
#define XENSHM_CTRL_OFF 4096U
/* Control block of ring 0 (produced by the owner of slot 0). */
#define XENSHM_RING0_CTRL_OFF 4096U
/* Control block of ring 1 (produced by the owner of slot 1). */
#define XENSHM_RING1_CTRL_OFF 4352U
/*
 * Ring 0's data area starts here; ring 1's follows it at data_off +
 * data_size.
 */
#define XENSHM_DATA_OFF 8192U
/* Smallest usable region: two pages of metadata and two 4 KiB data areas. */
#define XENSHM_MIN_REGION_SIZE 16384U
/* Smallest ring data area. */
#define XENSHM_MIN_DATA_SIZE 4096U
/*
 * Largest ring data area (1 GiB) so free-running 32-bit indices stay
 * unambiguous.
 */
#define XENSHM_MAX_DATA_SIZE 0x40000000U
/* Message records start and end on 8-byte boundaries. */
#define XENSHM_RECORD_ALIGN 8U
/* No domain (slot unowned, peer unknown). */
#define XENSHM_DOMID_NONE 0xffffffffU
/* No event-channel port (port 0 is never valid in Xen). */
#define XENSHM_PORT_NONE 0U
/*
 * How long each side waits, once its binding is verified, for the peer's
 * confirming event (docs/protocol.md 5.3 step 9, 5.4 step 7); none by then:
 * the rendezvous is refused (EACCES) and the port freed.
 */
#define XENSHM_CONFIRM_MS 5000U
/*
 * Largest heartbeat period a side honours when it watches its peer: a peer's
 * slot.heartbeat_ms above it counts as this (the word is the peer's, so it
 * cannot postpone the verdict without bound). Also the largest period Linux
 * accepts in CONNECT.heartbeat_ms.
 */
#define XENSHM_HEARTBEAT_MAX_MS 60000U

/* ---- Enumerations (carried in u32 fields) ---- */

/*
 * Rendezvous state machine of one side, written only by the side that owns
 * the slot. FREE -> ATTACHED (owner claimed it, domid and epoch published) ->
 * GO (receiver only: port published, then state stored with release) ->
 * CONNECTED (sender: bound to the receiver's port, own port published;
 * receiver: saw the sender connected, checked the binding with Xen and
 * received its event). Detach returns the slot to FREE. ABI 2: each side
 * sends one event right after publishing CONNECTED, and goes CONNECTED for
 * its user only once it has received an event on its port (the proof that the
 * domain Xen bound to the other end is the peer). docs/protocol.md specifies
 * the whole protocol.
 */
enum xenshm_slot_state {
	/* Nobody owns the slot. */
	XENSHM_SLOT_STATE_FREE = 0,
	/* Owner present; domid and epoch valid; no event channel yet. */
	XENSHM_SLOT_STATE_ATTACHED = 1,
	/*
	 * Receiver published its port (unbound, or static with flag static_evtchn);
	 * the sender may bind to it (or find its static end).
	 */
	XENSHM_SLOT_STATE_GO = 2,
	/*
	 * The event channel is bound at both ends from this side's point of view;
	 * port holds this side's own local port.
	 */
	XENSHM_SLOT_STATE_CONNECTED = 3
};

/* Type word of a message record header. */
enum xenshm_record_type {
	/* A message: len payload bytes follow the header. */
	XENSHM_RECORD_TYPE_MSG = 1,
	/*
	 * Filler to the end of the data area; len covers the bytes after the header.
	 * The consumer skips it.
	 */
	XENSHM_RECORD_TYPE_PAD = 2
};

/*
 * Which side of the recipe a channel end plays. The receiver calls
 * EVTCHNOP_alloc_unbound and publishes the port; the sender binds to it. AUTO
 * picks by domid: the lower domid is the receiver; on equal domids (loopback)
 * the owner of slot 0 is the receiver.
 */
enum xenshm_role {
	/* Pick by the documented domid rule. */
	XENSHM_ROLE_AUTO = 0,
	/* Allocate the unbound port and publish it. */
	XENSHM_ROLE_RECEIVER = 1,
	/* Wait for go, then bind to the published port. */
	XENSHM_ROLE_SENDER = 2
};

/*
 * Framing of the data this end produces; the consumer follows the mode the
 * producer publishes in its slot flags.
 */
enum xenshm_mode {
	/* Bytes; reads and writes may be partial. */
	XENSHM_MODE_STREAM = 0,
	/*
	 * Length-prefixed records; send and receive are all-or-nothing and keep
	 * boundaries.
	 */
	XENSHM_MODE_MESSAGE = 1
};

/* State of a channel end as reported to userspace. */
enum xenshm_chan_state {
	/* Not connecting. */
	XENSHM_CHAN_STATE_IDLE = 0,
	/* Rendezvous in progress. */
	XENSHM_CHAN_STATE_CONNECTING = 1,
	/* Both ends bound; data may flow. */
	XENSHM_CHAN_STATE_CONNECTED = 2,
	/*
	 * The peer detached or re-attached (epoch changed); reads return 0 after
	 * draining, writes fail with ECONNRESET.
	 */
	XENSHM_CHAN_STATE_PEER_GONE = 3,
	/*
	 * Shared memory was found corrupt; every data call fails with EIO until
	 * RESET.
	 */
	XENSHM_CHAN_STATE_BROKEN = 4
};

/* What carries the channel. */
enum xenshm_transport {
	/* An in-kernel pair backed by one kernel-allocated region. */
	XENSHM_TRANSPORT_LOOPBACK = 0,
	/* Xen static shared memory with Xen event channels. */
	XENSHM_TRANSPORT_XEN = 1
};

/* ---- Flag bits ---- */

/* Feature bits of the region header. */
/* Event-index notification suppression (always set in v1). */
#define XENSHM_FEATURES_EVENT_IDX (1U << 0)
/*
 * Set by the initialiser (always in ABI 2): slots carry heartbeat_ms, and an
 * owner with heartbeat_ms != 0 advances its heartbeat word while CONNECTED.
 */
#define XENSHM_FEATURES_HEARTBEAT (1U << 1)
/* Every bit of features known to this ABI version. */
#define XENSHM_FEATURES_ALL (XENSHM_FEATURES_EVENT_IDX | XENSHM_FEATURES_HEARTBEAT)

/* Flags a side publishes in its slot. */
/*
 * The ring this side produces carries message records (else a byte stream).
 */
#define XENSHM_SLOT_FLAGS_TX_MESSAGE (1U << 0)
/*
 * Set by a receiver with GO: its port is a static event channel that Xen
 * bound at boot (xen,evtchn-v1 in the host device tree). The sender does not
 * bind; it uses its own local port whose remote end (EVTCHNOP_status) is this
 * domid and port.
 */
#define XENSHM_SLOT_FLAGS_STATIC_EVTCHN (1U << 1)
/* Every bit of slot_flags known to this ABI version. */
#define XENSHM_SLOT_FLAGS_ALL (XENSHM_SLOT_FLAGS_TX_MESSAGE | XENSHM_SLOT_FLAGS_STATIC_EVTCHN)

/* Flags of XENSHM_IOC_CONNECT. */
/* peer_domid is valid: refuse any other peer with EACCES. */
#define XENSHM_CONNECT_FLAGS_PIN_PEER (1U << 0)
/* Every bit of connect_flags known to this ABI version. */
#define XENSHM_CONNECT_FLAGS_ALL (XENSHM_CONNECT_FLAGS_PIN_PEER)

/* Flags of XENSHM_IOC_SET_EVENTFD. */
/* Unregister the eventfd; fd must be 0. */
#define XENSHM_EVENTFD_FLAGS_CLEAR (1U << 0)
/* Every bit of eventfd_flags known to this ABI version. */
#define XENSHM_EVENTFD_FLAGS_ALL (XENSHM_EVENTFD_FLAGS_CLEAR)

/* Flags of XENSHM_IOC_NOTIFY; at least one must be set. */
/* I produced into my TX ring through mmap; kick the peer if it asked. */
#define XENSHM_NOTIFY_FLAGS_TX (1U << 0)
/*
 * I consumed from my RX ring through mmap; kick the peer if it waits for
 * space.
 */
#define XENSHM_NOTIFY_FLAGS_RX (1U << 1)
/* Every bit of notify_flags known to this ABI version. */
#define XENSHM_NOTIFY_FLAGS_ALL (XENSHM_NOTIFY_FLAGS_TX | XENSHM_NOTIFY_FLAGS_RX)

/* ---- Shared memory (little-endian; every field naturally aligned) ---- */

/*
 * First 128 bytes of the region. Written once, by the one side that wins the
 * compare-and-swap of magic to magic_init, and published by storing magic
 * with release ordering (docs/protocol.md, section 2). A side that finds a
 * magic with another major version refuses the region. (128 bytes.)
 */
struct xenshm_region_header {
	/* @0: XENSHM_MAGIC. */
	uint32_t magic;
	/* @4: ABI major. */
	uint16_t version_major;
	/* @6: ABI minor. */
	uint16_t version_minor;
	/* @8: Bytes in the region, as both sides were told by the firmware. */
	uint64_t region_size;
	/* @16: Feature bits (features). */
	uint64_t features;
	/*
	 * @24: Bytes in each ring's data area: the largest power of two with
	 * data_off + 2*data_size <= region_size, clamped to [min_data_size,
	 * max_data_size].
	 */
	uint32_t data_size;
	/* @28: Zero. */
	uint32_t reserved0;
	/* @32: Zero. */
	uint8_t reserved1[96];
};

/*
 * One side's public state, written only by its owner, on a cache line of its
 * own. Slot i produces ring i and consumes ring 1-i. (128 bytes.)
 */
struct xenshm_slot {
	/* @0: slot_state; stored last with release ordering. */
	uint32_t state;
	/* @4: Owner's domid (learnt from Xen), or domid_none. */
	uint32_t domid;
	/*
	 * @8: Bumped on every attach; a change tells the peer this side restarted.
	 */
	uint32_t epoch;
	/*
	 * @12: Advanced (+1, wrapping) by the owner at least once every heartbeat_ms
	 * while its state is CONNECTED. A peer that sees neither it nor the owner's
	 * ring indices (the prod of the ring the owner produces, the cons of the one
	 * it consumes) change for its limit, max(its own limit, 2 x
	 * min(heartbeat_ms, heartbeat_max_ms)), treats the owner as gone
	 * (docs/protocol.md 6.2).
	 */
	uint32_t heartbeat;
	/*
	 * @16: Owner's local event-channel port: the receiver's from GO on, the
	 * sender's from CONNECTED on.
	 */
	uint32_t port;
	/* @20: slot_flags. */
	uint32_t flags;
	/* @24: Domid this side expects as its peer, or domid_none; informational. */
	uint32_t peer_domid;
	/*
	 * @28: Period of the owner's heartbeat in milliseconds, written before the
	 * state leaves ATTACHED; 0: the owner sends no heartbeat and cannot be
	 * watched for silence.
	 */
	uint32_t heartbeat_ms;
	/* @32: Zero. */
	uint8_t reserved1[96];
};

/*
 * Indices of one ring. Indices are free-running u32 byte counters, masked by
 * data_size - 1. The producer's line and the consumer's line are separate
 * cache lines. Event words follow the event-index scheme: a side wants a
 * notification when the other side's index moves past the event word it
 * wrote. (256 bytes.)
 */
struct xenshm_ring_ctrl {
	/*
	 * @0: Producer index: bytes ever produced. Written by the producer with
	 * release.
	 */
	uint32_t prod;
	/*
	 * @4: Written by the producer: notify me when cons passes this value (I wait
	 * for space).
	 */
	uint32_t cons_event;
	/* @8: Keeps the consumer's words off the producer's cache line. */
	uint8_t prod_pad[120];
	/*
	 * @128: Consumer index: bytes ever consumed. Written by the consumer with
	 * release.
	 */
	uint32_t cons;
	/*
	 * @132: Written by the consumer: notify me when prod passes this value (I
	 * wait for data).
	 */
	uint32_t prod_event;
	/* @136: Pads the control block to two cache lines. */
	uint8_t cons_pad[120];
};

/*
 * Header of a message record in message mode. A record occupies 8 +
 * align8(len) bytes and never wraps: when it would not fit before the end of
 * the data area, the producer writes a pad record to the end and starts the
 * message at offset 0. A message's payload is at most data_size / 2 - 8 bytes
 * so it always fits in an empty ring. (8 bytes.)
 */
struct xenshm_record_header {
	/* @0: Payload bytes (msg) or bytes skipped after this header (pad). */
	uint32_t len;
	/* @4: record_type. */
	uint32_t type;
};

/* ---- Derived layout ---- */

/*
 * Bytes in each ring's data area for a region of region_size bytes: the
 * largest power of two d with XENSHM_DATA_OFF + 2 * d <= region_size, clamped
 * to [XENSHM_MIN_DATA_SIZE, XENSHM_MAX_DATA_SIZE]; 0 if the region is smaller
 * than XENSHM_DATA_OFF + 2 * XENSHM_MIN_DATA_SIZE. Bounded loop (at most 19
 * steps).
 */
static inline uint32_t xenshm_data_size_for(uint64_t region_size)
{
	uint32_t d = XENSHM_MAX_DATA_SIZE;

	if (region_size < (uint64_t)XENSHM_DATA_OFF + 2 * (uint64_t)XENSHM_MIN_DATA_SIZE)
		return 0;
	while ((uint64_t)XENSHM_DATA_OFF + 2 * (uint64_t)d > region_size)
		d >>= 1;
	return d;
}

/*
 * Region offset of ring `ring`'s data area (ring 0 at XENSHM_DATA_OFF, ring 1
 * right after it); 0 (never a valid data offset) if ring is not 0 or 1.
 */
static inline uint64_t xenshm_ring_data_off(uint32_t ring, uint32_t data_size)
{
	if (ring > 1)
		return 0;
	return (uint64_t)XENSHM_DATA_OFF + (uint64_t)ring * data_size;
}

/*
 * Largest message payload in message mode for a data area of data_size bytes:
 * data_size / 2 - 8, so one record always fits in an empty ring.
 */
static inline uint32_t xenshm_max_msg_size_for(uint32_t data_size)
{
	return data_size / 2 > 8 ? data_size / 2 - 8 : 0;
}

/*
 * Layout checks (C99 has no static_assert: a negative array size fails).
 * Offsets need offsetof, from <stddef.h>; to keep to <stdint.h> they use the
 * GCC/Clang builtin and are checked with those compilers only.
 */
typedef char xenshm_check_region_header_size[sizeof(struct xenshm_region_header) == 128 ? 1 : -1];
typedef char xenshm_check_slot_size[sizeof(struct xenshm_slot) == 128 ? 1 : -1];
typedef char xenshm_check_ring_ctrl_size[sizeof(struct xenshm_ring_ctrl) == 256 ? 1 : -1];
typedef char xenshm_check_record_header_size[sizeof(struct xenshm_record_header) == 8 ? 1 : -1];
#if defined(__GNUC__) || defined(__clang__)
typedef char xenshm_check_region_header_offsets[(
	__builtin_offsetof(struct xenshm_region_header, magic) == 0 &&
	__builtin_offsetof(struct xenshm_region_header, version_major) == 4 &&
	__builtin_offsetof(struct xenshm_region_header, version_minor) == 6 &&
	__builtin_offsetof(struct xenshm_region_header, region_size) == 8 &&
	__builtin_offsetof(struct xenshm_region_header, features) == 16 &&
	__builtin_offsetof(struct xenshm_region_header, data_size) == 24 &&
	__builtin_offsetof(struct xenshm_region_header, reserved0) == 28 &&
	__builtin_offsetof(struct xenshm_region_header, reserved1) == 32) ? 1 : -1];
typedef char xenshm_check_slot_offsets[(
	__builtin_offsetof(struct xenshm_slot, state) == 0 &&
	__builtin_offsetof(struct xenshm_slot, domid) == 4 &&
	__builtin_offsetof(struct xenshm_slot, epoch) == 8 &&
	__builtin_offsetof(struct xenshm_slot, heartbeat) == 12 &&
	__builtin_offsetof(struct xenshm_slot, port) == 16 &&
	__builtin_offsetof(struct xenshm_slot, flags) == 20 &&
	__builtin_offsetof(struct xenshm_slot, peer_domid) == 24 &&
	__builtin_offsetof(struct xenshm_slot, heartbeat_ms) == 28 &&
	__builtin_offsetof(struct xenshm_slot, reserved1) == 32) ? 1 : -1];
typedef char xenshm_check_ring_ctrl_offsets[(
	__builtin_offsetof(struct xenshm_ring_ctrl, prod) == 0 &&
	__builtin_offsetof(struct xenshm_ring_ctrl, cons_event) == 4 &&
	__builtin_offsetof(struct xenshm_ring_ctrl, prod_pad) == 8 &&
	__builtin_offsetof(struct xenshm_ring_ctrl, cons) == 128 &&
	__builtin_offsetof(struct xenshm_ring_ctrl, prod_event) == 132 &&
	__builtin_offsetof(struct xenshm_ring_ctrl, cons_pad) == 136) ? 1 : -1];
typedef char xenshm_check_record_header_offsets[(
	__builtin_offsetof(struct xenshm_record_header, len) == 0 &&
	__builtin_offsetof(struct xenshm_record_header, type) == 4) ? 1 : -1];
#endif

#ifdef __cplusplus
}
#endif

#endif /* XENSHM_WIRE_H */
