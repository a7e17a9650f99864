/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * Do not edit directly, auto-generated from: codegen/spec/xenshm.yaml
 * Regenerate with: make regen
 *
 * xenshm moves data between two Xen domains (or two ends of a loopback pair)
 * through two single-producer/single-consumer rings in one shared-memory
 * region, with Xen event channels for notifications.
 *
 * Linux uapi of xenshm: constants, enumerations, flag bits, the
 * shared-memory structures (for mmap users) and the ioctl interface of
 * /dev/xenshm/<name>. Only __u8..__u64, explicit padding; compiles alone as
 * C90 and as C++.
 */
#ifndef _UAPI_LINUX_XENSHM_H
#define _UAPI_LINUX_XENSHM_H

#include <linux/ioctl.h>
#include <linux/types.h>

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
	__u32 magic;
	/* @4: ABI major. */
	__u16 version_major;
	/* @6: ABI minor. */
	__u16 version_minor;
	/* @8: Bytes in the region, as both sides were told by the firmware. */
	__u64 region_size;
	/* @16: Feature bits (features). */
	__u64 features;
	/*
	 * @24: Bytes in each ring's data area: the largest power of two with
	 * data_off + 2*data_size <= region_size, clamped to [min_data_size,
	 * max_data_size].
	 */
	__u32 data_size;
	/* @28: Zero. */
	__u32 reserved0;
	/* @32: Zero. */
	__u8 reserved1[96];
};

/*
 * One side's public state, written only by its owner, on a cache line of its
 * own. Slot i produces ring i and consumes ring 1-i. (128 bytes.)
 */
struct xenshm_slot {
	/* @0: slot_state; stored last with release ordering. */
	__u32 state;
	/* @4: Owner's domid (learnt from Xen), or domid_none. */
	__u32 domid;
	/*
	 * @8: Bumped on every attach; a change tells the peer this side restarted.
	 */
	__u32 epoch;
	/*
	 * @12: Advanced (+1, wrapping) by the owner at least once every heartbeat_ms
	 * while its state is CONNECTED. A peer that sees neither it nor the owner's
	 * ring indices (the prod of the ring the owner produces, the cons of the one
	 * it consumes) change for its limit, max(its own limit, 2 x
	 * min(heartbeat_ms, heartbeat_max_ms)), treats the owner as gone
	 * (docs/protocol.md 6.2).
	 */
	__u32 heartbeat;
	/*
	 * @16: Owner's local event-channel port: the receiver's from GO on, the
	 * sender's from CONNECTED on.
	 */
	__u32 port;
	/* @20: slot_flags. */
	__u32 flags;
	/* @24: Domid this side expects as its peer, or domid_none; informational. */
	__u32 peer_domid;
	/*
	 * @28: Period of the owner's heartbeat in milliseconds, written before the
	 * state leaves ATTACHED; 0: the owner sends no heartbeat and cannot be
	 * watched for silence.
	 */
	__u32 heartbeat_ms;
	/* @32: Zero. */
	__u8 reserved1[96];
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
	__u32 prod;
	/*
	 * @4: Written by the producer: notify me when cons passes this value (I wait
	 * for space).
	 */
	__u32 cons_event;
	/* @8: Keeps the consumer's words off the producer's cache line. */
	__u8 prod_pad[120];
	/*
	 * @128: Consumer index: bytes ever consumed. Written by the consumer with
	 * release.
	 */
	__u32 cons;
	/*
	 * @132: Written by the consumer: notify me when prod passes this value (I
	 * wait for data).
	 */
	__u32 prod_event;
	/* @136: Pads the control block to two cache lines. */
	__u8 cons_pad[120];
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
	__u32 len;
	/* @4: record_type. */
	__u32 type;
};

/* ---- ioctl arguments (userspace <-> kernel; every one starts with size, flags) ---- */

/*
 * Argument of XENSHM_IOC_GET_INFO. The caller sets size (and flags = 0); the
 * kernel fills the rest. mmap offsets are region offsets: map mmap_header_off
 * read-only and mmap_rings_off read-write, both MAP_SHARED. (136 bytes.)
 */
struct xenshm_info {
	/* @0: sizeof(struct xenshm_info) as the caller knows it. */
	__u32 size;
	/* @4: Must be 0. */
	__u32 flags;
	/* @8: ABI major of the module. */
	__u16 abi_major;
	/* @10: ABI minor of the module. */
	__u16 abi_minor;
	/* @12: chan_state. */
	__u32 state;
	/* @16: Feature bits in effect. */
	__u64 features;
	/* @24: Bytes in the shared region. */
	__u64 region_size;
	/* @32: Bytes in each ring's data area. */
	__u32 data_size;
	/* @36: Largest message payload in message mode. */
	__u32 max_msg_size;
	/* @40: mmap offset of the header page (read-only mapping). */
	__u64 mmap_header_off;
	/* @48: Length of the header mapping. */
	__u64 mmap_header_size;
	/*
	 * @56: mmap offset of the control page and data areas (read-write mapping).
	 */
	__u64 mmap_rings_off;
	/* @64: Length of the rings mapping. */
	__u64 mmap_rings_size;
	/* @72: Region offset of this end's TX ring_ctrl. */
	__u64 tx_ctrl_off;
	/* @80: Region offset of this end's TX data area. */
	__u64 tx_data_off;
	/* @88: Region offset of this end's RX ring_ctrl. */
	__u64 rx_ctrl_off;
	/* @96: Region offset of this end's RX data area. */
	__u64 rx_data_off;
	/* @104: This domain's id, or domid_none. */
	__u32 local_domid;
	/* @108: The peer's id, or domid_none. */
	__u32 peer_domid;
	/* @112: Local event-channel port, or port_none. */
	__u32 local_port;
	/* @116: Peer's event-channel port, or port_none. */
	__u32 remote_port;
	/* @120: role in effect. */
	__u32 role;
	/* @124: mode this end produces in. */
	__u32 mode;
	/* @128: transport. */
	__u32 transport;
	/* @132: Slot this end owns (0 or 1). */
	__u32 slot;
};

/*
 * Argument of XENSHM_IOC_CONNECT. Starts the rendezvous and returns at once:
 * 0 if already connected, -EINPROGRESS otherwise; poll() reports EPOLLOUT
 * when connected and EPOLLERR on timeout or refusal. (32 bytes.)
 */
struct xenshm_connect {
	/* @0: sizeof(struct xenshm_connect) as the caller knows it. */
	__u32 size;
	/* @4: connect_flags. */
	__u32 flags;
	/* @8: Expected peer with pin_peer, else must be 0. */
	__u32 peer_domid;
	/* @12: role; AUTO unless both ends are configured by hand. */
	__u32 role;
	/* @16: mode of the data this end produces. */
	__u32 mode;
	/* @20: Give up after this long (0: the module's default). */
	__u32 timeout_ms;
	/*
	 * @24: Once connected, treat the peer as gone (PEER_GONE, as if it detached)
	 * when its heartbeat stops for this long: 0 means 750; else 100 to 60000
	 * (EINVAL otherwise). This end's own heartbeat period, and the period of its
	 * check, is a quarter of it, so a dead peer is noticed within 1.25 x
	 * heartbeat_ms (940 ms by default). A peer that publishes heartbeat_ms = 0
	 * is not watched; one with a longer period gets twice its period.
	 */
	__u32 heartbeat_ms;
	/* @28: Must be 0. */
	__u32 reserved;
};

/*
 * Argument of XENSHM_IOC_SET_EVENTFD: every notification from the peer and
 * every channel state change signals this eventfd. One eventfd per open file;
 * setting a new one replaces the old. (16 bytes.)
 */
struct xenshm_eventfd {
	/* @0: sizeof(struct xenshm_eventfd) as the caller knows it. */
	__u32 size;
	/* @4: eventfd_flags. */
	__u32 flags;
	/* @8: An eventfd file descriptor (an int, carried as u32). */
	__u32 fd;
	/* @12: Must be 0. */
	__u32 reserved;
};

/*
 * Argument of XENSHM_IOC_NOTIFY, for mmap users: after producing or
 * consuming, ask the kernel to kick the peer. The kernel kicks only if the
 * peer's event word asks for it; returns 1 if it sent an event, 0 if
 * suppressed. (8 bytes.)
 */
struct xenshm_notify {
	/* @0: sizeof(struct xenshm_notify) as the caller knows it. */
	__u32 size;
	/* @4: notify_flags. */
	__u32 flags;
};

/*
 * Argument of XENSHM_IOC_STATS; counters since open or the last RESET. (72
 * bytes.)
 */
struct xenshm_stats {
	/* @0: sizeof(struct xenshm_stats) as the caller knows it. */
	__u32 size;
	/* @4: Must be 0. */
	__u32 flags;
	/* @8: Bytes written through write(). */
	__u64 tx_bytes;
	/* @16: Bytes read through read(). */
	__u64 rx_bytes;
	/* @24: Messages sent through write() in message mode. */
	__u64 tx_msgs;
	/* @32: Messages received through read() in message mode. */
	__u64 rx_msgs;
	/* @40: Events sent to the peer. */
	__u64 notify_sent;
	/* @48: Events received from the peer (upcalls). */
	__u64 notify_recv;
	/* @56: Events not sent because the peer did not ask for one. */
	__u64 notify_suppressed;
	/* @64: Corruption or protocol errors seen. */
	__u64 errors;
};

/*
 * Argument of XENSHM_IOC_RESET: drop the connection (the peer sees EPOLLHUP),
 * clear a broken state and counters; the end returns to idle. (8 bytes.)
 */
struct xenshm_reset {
	/* @0: sizeof(struct xenshm_reset) as the caller knows it. */
	__u32 size;
	/* @4: Must be 0. */
	__u32 flags;
};

/* ---- ioctl commands ---- */

/*
 * Magic 0xBB is free in Linux's
 * Documentation/userspace-api/ioctl/ioctl-number.rst (0xB7 was first chosen
 * but is taken by remoteproc_cdev.h and nsfs.h; 0xB8 by mshv.h and
 * mrvl_cn10k_dpi.h, 0xBA by liveupdate.h). Every argument starts with size
 * and flags. The kernel accepts size between the v1 size and 4096; bytes
 * beyond what it knows must be zero (E2BIG). Unknown flags and non-zero
 * reserved fields give EINVAL, unknown commands ENOTTY.
 */
#define XENSHM_IOC_MAGIC 0xbb

/* Describe the channel and its mmap layout. */
#define XENSHM_IOC_GET_INFO _IOWR(XENSHM_IOC_MAGIC, 0, struct xenshm_info)

/* Configure and start the rendezvous (non-blocking). */
#define XENSHM_IOC_CONNECT _IOW(XENSHM_IOC_MAGIC, 1, struct xenshm_connect)

/* Register or clear the notification eventfd. */
#define XENSHM_IOC_SET_EVENTFD _IOW(XENSHM_IOC_MAGIC, 2, struct xenshm_eventfd)

/*
 * Kick the peer after mmap production or consumption, honouring suppression.
 */
#define XENSHM_IOC_NOTIFY _IOW(XENSHM_IOC_MAGIC, 3, struct xenshm_notify)

/* Read the counters. */
#define XENSHM_IOC_STATS _IOWR(XENSHM_IOC_MAGIC, 4, struct xenshm_stats)

/* Drop the connection and clear errors and counters. */
#define XENSHM_IOC_RESET _IOW(XENSHM_IOC_MAGIC, 5, struct xenshm_reset)

/* nr 6-31: reserved. Reserved for future xenshm commands. */

#endif /* _UAPI_LINUX_XENSHM_H */
