# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Do not edit directly, auto-generated from: codegen/spec/xenshm.yaml
# Regenerate with: make regen
"""xenshm ABI for Python: constants, enums, flag bits, ctypes structs, ioctl numbers.

xenshm moves data between two Xen domains (or two ends of a loopback pair) through two
single-producer/single-consumer rings in one shared-memory region, with Xen event channels for
notifications.

Run `python3 -m xenshm.abi` to self-test sizes and offsets against the spec.
"""

import ctypes
import enum

# major changes break the wire format or the ioctl ABI; minor adds optional features announced by
# feature bits. A peer with a different major refuses to attach (-EPROTO).
ABI_MAJOR = 2
ABI_MINOR = 0

# ---- Constants ----

# "XSHM" in little-endian byte order, first word of the region.
MAGIC = 0x4d485358
# Placed in the magic word (by compare-and-swap) by the side that initialises the region; replaced
# by magic once header, slots and ring control are written. A side that sees it retries later.
MAGIC_INIT = 0x4d485349
# Granule of the layout; all offsets below are multiples of it, independent of the kernel's page
# size.
PAGE_SIZE = 4096
# Spacing of words written by different sides; 128 covers adjacent-line prefetch on x86 and 128-byte
# lines on some Arm cores.
CACHELINE = 128
# Offset of the region header page (kernel-owned; userspace maps it read-only).
HEADER_OFF = 0
# Offset of slot 0 in the header page.
SLOT0_OFF = 128
# Offset of slot 1 in the header page.
SLOT1_OFF = 256
# Offset of the ring-control page (both rings' indices; userspace may map it writable).
CTRL_OFF = 4096
# Control block of ring 0 (produced by the owner of slot 0).
RING0_CTRL_OFF = 4096
# Control block of ring 1 (produced by the owner of slot 1).
RING1_CTRL_OFF = 4352
# Ring 0's data area starts here; ring 1's follows it at data_off + data_size.
DATA_OFF = 8192
# Smallest usable region: two pages of metadata and two 4 KiB data areas.
MIN_REGION_SIZE = 16384
# Smallest ring data area.
MIN_DATA_SIZE = 4096
# Largest ring data area (1 GiB) so free-running 32-bit indices stay unambiguous.
MAX_DATA_SIZE = 0x40000000
# Message records start and end on 8-byte boundaries.
RECORD_ALIGN = 8
# No domain (slot unowned, peer unknown).
DOMID_NONE = 0xffffffff
# No event-channel port (port 0 is never valid in Xen).
PORT_NONE = 0
# How long each side waits, once its binding is verified, for the peer's confirming event
# (docs/protocol.md 5.3 step 9, 5.4 step 7); none by then: the rendezvous is refused (EACCES) and
# the port freed.
CONFIRM_MS = 5000
# Largest heartbeat period a side honours when it watches its peer: a peer's slot.heartbeat_ms above
# it counts as this (the word is the peer's, so it cannot postpone the verdict without bound). Also
# the largest period Linux accepts in CONNECT.heartbeat_ms.
HEARTBEAT_MAX_MS = 60000

# ---- Enumerations ----


class SlotState(enum.IntEnum):
    """Rendezvous state machine of one side, written only by the side that owns the slot. FREE
    -> ATTACHED (owner claimed it, domid and epoch published) -> GO (receiver only: port
    published, then state stored with release) -> CONNECTED (sender: bound to the receiver's
    port, own port published; receiver: saw the sender connected, checked the binding with
    Xen and received its event). Detach returns the slot to FREE. ABI 2: each side sends one
    event right after publishing CONNECTED, and goes CONNECTED for its user only once it has
    received an event on its port (the proof that the domain Xen bound to the other end is
    the peer). docs/protocol.md specifies the whole protocol."""

    # Nobody owns the slot.
    FREE = 0
    # Owner present; domid and epoch valid; no event channel yet.
    ATTACHED = 1
    # Receiver published its port (unbound, or static with flag static_evtchn); the sender may bind
    # to it (or find its static end).
    GO = 2
    # The event channel is bound at both ends from this side's point of view; port holds this side's
    # own local port.
    CONNECTED = 3


class RecordType(enum.IntEnum):
    """Type word of a message record header."""

    # A message: len payload bytes follow the header.
    MSG = 1
    # Filler to the end of the data area; len covers the bytes after the header. The consumer skips
    # it.
    PAD = 2


class Role(enum.IntEnum):
    """Which side of the recipe a channel end plays. The receiver calls EVTCHNOP_alloc_unbound
    and publishes the port; the sender binds to it. AUTO picks by domid: the lower domid is
    the receiver; on equal domids (loopback) the owner of slot 0 is the receiver."""

    # Pick by the documented domid rule.
    AUTO = 0
    # Allocate the unbound port and publish it.
    RECEIVER = 1
    # Wait for go, then bind to the published port.
    SENDER = 2


class Mode(enum.IntEnum):
    """Framing of the data this end produces; the consumer follows the mode the producer
    publishes in its slot flags."""

    # Bytes; reads and writes may be partial.
    STREAM = 0
    # Length-prefixed records; send and receive are all-or-nothing and keep boundaries.
    MESSAGE = 1


class ChanState(enum.IntEnum):
    """State of a channel end as reported to userspace."""

    # Not connecting.
    IDLE = 0
    # Rendezvous in progress.
    CONNECTING = 1
    # Both ends bound; data may flow.
    CONNECTED = 2
    # The peer detached or re-attached (epoch changed); reads return 0 after draining, writes fail
    # with ECONNRESET.
    PEER_GONE = 3
    # Shared memory was found corrupt; every data call fails with EIO until RESET.
    BROKEN = 4


class Transport(enum.IntEnum):
    """What carries the channel."""

    # An in-kernel pair backed by one kernel-allocated region.
    LOOPBACK = 0
    # Xen static shared memory with Xen event channels.
    XEN = 1


SLOT_STATE_FREE = SlotState.FREE
SLOT_STATE_ATTACHED = SlotState.ATTACHED
SLOT_STATE_GO = SlotState.GO
SLOT_STATE_CONNECTED = SlotState.CONNECTED
RECORD_TYPE_MSG = RecordType.MSG
RECORD_TYPE_PAD = RecordType.PAD
ROLE_AUTO = Role.AUTO
ROLE_RECEIVER = Role.RECEIVER
ROLE_SENDER = Role.SENDER
MODE_STREAM = Mode.STREAM
MODE_MESSAGE = Mode.MESSAGE
CHAN_STATE_IDLE = ChanState.IDLE
CHAN_STATE_CONNECTING = ChanState.CONNECTING
CHAN_STATE_CONNECTED = ChanState.CONNECTED
CHAN_STATE_PEER_GONE = ChanState.PEER_GONE
CHAN_STATE_BROKEN = ChanState.BROKEN
TRANSPORT_LOOPBACK = Transport.LOOPBACK
TRANSPORT_XEN = Transport.XEN

# ---- Flag bits ----


class Features(enum.IntFlag):
    """Feature bits of the region header."""

    # Event-index notification suppression (always set in v1).
    EVENT_IDX = 1 << 0
    # Set by the initialiser (always in ABI 2): slots carry heartbeat_ms, and an owner with
    # heartbeat_ms != 0 advances its heartbeat word while CONNECTED.
    HEARTBEAT = 1 << 1


class SlotFlags(enum.IntFlag):
    """Flags a side publishes in its slot."""

    # The ring this side produces carries message records (else a byte stream).
    TX_MESSAGE = 1 << 0
    # Set by a receiver with GO: its port is a static event channel that Xen bound at boot
    # (xen,evtchn-v1 in the host device tree). The sender does not bind; it uses its own local port
    # whose remote end (EVTCHNOP_status) is this domid and port.
    STATIC_EVTCHN = 1 << 1


class ConnectFlags(enum.IntFlag):
    """Flags of XENSHM_IOC_CONNECT."""

    # peer_domid is valid: refuse any other peer with EACCES.
    PIN_PEER = 1 << 0


class EventfdFlags(enum.IntFlag):
    """Flags of XENSHM_IOC_SET_EVENTFD."""

    # Unregister the eventfd; fd must be 0.
    CLEAR = 1 << 0


class NotifyFlags(enum.IntFlag):
    """Flags of XENSHM_IOC_NOTIFY; at least one must be set."""

    # I produced into my TX ring through mmap; kick the peer if it asked.
    TX = 1 << 0
    # I consumed from my RX ring through mmap; kick the peer if it waits for space.
    RX = 1 << 1


FEATURES_EVENT_IDX = 1 << 0
FEATURES_HEARTBEAT = 1 << 1
FEATURES_ALL = 3
SLOT_FLAGS_TX_MESSAGE = 1 << 0
SLOT_FLAGS_STATIC_EVTCHN = 1 << 1
SLOT_FLAGS_ALL = 3
CONNECT_FLAGS_PIN_PEER = 1 << 0
CONNECT_FLAGS_ALL = 1
EVENTFD_FLAGS_CLEAR = 1 << 0
EVENTFD_FLAGS_ALL = 1
NOTIFY_FLAGS_TX = 1 << 0
NOTIFY_FLAGS_RX = 1 << 1
NOTIFY_FLAGS_ALL = 3

# ---- Structures ----
# Shared-memory structs are little-endian (the wire format); ioctl structs are native.


class RegionHeader(ctypes.LittleEndianStructure):
    """struct xenshm_region_header (shared, 128 bytes). First 128 bytes of the region. Written
    once, by the one side that wins the compare-and-swap of magic to magic_init, and
    published by storing magic with release ordering (docs/protocol.md, section 2). A side
    that finds a magic with another major version refuses the region."""

    _fields_ = [
        # @0: XENSHM_MAGIC.
        ("magic", ctypes.c_uint32),
        # @4: ABI major.
        ("version_major", ctypes.c_uint16),
        # @6: ABI minor.
        ("version_minor", ctypes.c_uint16),
        # @8: Bytes in the region, as both sides were told by the firmware.
        ("region_size", ctypes.c_uint64),
        # @16: Feature bits (features).
        ("features", ctypes.c_uint64),
        # @24: Bytes in each ring's data area: the largest power of two with data_off + 2*data_size
        # <= region_size, clamped to [min_data_size, max_data_size].
        ("data_size", ctypes.c_uint32),
        # @28: Zero.
        ("reserved0", ctypes.c_uint32),
        # @32: Zero.
        ("reserved1", ctypes.c_uint8 * 96),
    ]


class Slot(ctypes.LittleEndianStructure):
    """struct xenshm_slot (shared, 128 bytes). One side's public state, written only by its
    owner, on a cache line of its own. Slot i produces ring i and consumes ring 1-i."""

    _fields_ = [
        # @0: slot_state; stored last with release ordering.
        ("state", ctypes.c_uint32),
        # @4: Owner's domid (learnt from Xen), or domid_none.
        ("domid", ctypes.c_uint32),
        # @8: Bumped on every attach; a change tells the peer this side restarted.
        ("epoch", ctypes.c_uint32),
        # @12: Advanced (+1, wrapping) by the owner at least once every heartbeat_ms while its state
        # is CONNECTED. A peer that sees neither it nor the owner's ring indices (the prod of the
        # ring the owner produces, the cons of the one it consumes) change for its limit, max(its
        # own limit, 2 x min(heartbeat_ms, heartbeat_max_ms)), treats the owner as gone
        # (docs/protocol.md 6.2).
        ("heartbeat", ctypes.c_uint32),
        # @16: Owner's local event-channel port: the receiver's from GO on, the sender's from
        # CONNECTED on.
        ("port", ctypes.c_uint32),
        # @20: slot_flags.
        ("flags", ctypes.c_uint32),
        # @24: Domid this side expects as its peer, or domid_none; informational.
        ("peer_domid", ctypes.c_uint32),
        # @28: Period of the owner's heartbeat in milliseconds, written before the state leaves
        # ATTACHED; 0: the owner sends no heartbeat and cannot be watched for silence.
        ("heartbeat_ms", ctypes.c_uint32),
        # @32: Zero.
        ("reserved1", ctypes.c_uint8 * 96),
    ]


class RingCtrl(ctypes.LittleEndianStructure):
    """struct xenshm_ring_ctrl (shared, 256 bytes). Indices of one ring. Indices are
    free-running u32 byte counters, masked by data_size - 1. The producer's line and the
    consumer's line are separate cache lines. Event words follow the event-index scheme: a
    side wants a notification when the other side's index moves past the event word it wrote."""

    _fields_ = [
        # @0: Producer index: bytes ever produced. Written by the producer with release.
        ("prod", ctypes.c_uint32),
        # @4: Written by the producer: notify me when cons passes this value (I wait for space).
        ("cons_event", ctypes.c_uint32),
        # @8: Keeps the consumer's words off the producer's cache line.
        ("prod_pad", ctypes.c_uint8 * 120),
        # @128: Consumer index: bytes ever consumed. Written by the consumer with release.
        ("cons", ctypes.c_uint32),
        # @132: Written by the consumer: notify me when prod passes this value (I wait for data).
        ("prod_event", ctypes.c_uint32),
        # @136: Pads the control block to two cache lines.
        ("cons_pad", ctypes.c_uint8 * 120),
    ]


class RecordHeader(ctypes.LittleEndianStructure):
    """struct xenshm_record_header (shared, 8 bytes). Header of a message record in message
    mode. A record occupies 8 + align8(len) bytes and never wraps: when it would not fit
    before the end of the data area, the producer writes a pad record to the end and starts
    the message at offset 0. A message's payload is at most data_size / 2 - 8 bytes so it
    always fits in an empty ring."""

    _fields_ = [
        # @0: Payload bytes (msg) or bytes skipped after this header (pad).
        ("len", ctypes.c_uint32),
        # @4: record_type.
        ("type", ctypes.c_uint32),
    ]


class Info(ctypes.Structure):
    """struct xenshm_info (ioctl, 136 bytes). Argument of XENSHM_IOC_GET_INFO. The caller sets
    size (and flags = 0); the kernel fills the rest. mmap offsets are region offsets: map
    mmap_header_off read-only and mmap_rings_off read-write, both MAP_SHARED."""

    _fields_ = [
        # @0: sizeof(struct xenshm_info) as the caller knows it.
        ("size", ctypes.c_uint32),
        # @4: Must be 0.
        ("flags", ctypes.c_uint32),
        # @8: ABI major of the module.
        ("abi_major", ctypes.c_uint16),
        # @10: ABI minor of the module.
        ("abi_minor", ctypes.c_uint16),
        # @12: chan_state.
        ("state", ctypes.c_uint32),
        # @16: Feature bits in effect.
        ("features", ctypes.c_uint64),
        # @24: Bytes in the shared region.
        ("region_size", ctypes.c_uint64),
        # @32: Bytes in each ring's data area.
        ("data_size", ctypes.c_uint32),
        # @36: Largest message payload in message mode.
        ("max_msg_size", ctypes.c_uint32),
        # @40: mmap offset of the header page (read-only mapping).
        ("mmap_header_off", ctypes.c_uint64),
        # @48: Length of the header mapping.
        ("mmap_header_size", ctypes.c_uint64),
        # @56: mmap offset of the control page and data areas (read-write mapping).
        ("mmap_rings_off", ctypes.c_uint64),
        # @64: Length of the rings mapping.
        ("mmap_rings_size", ctypes.c_uint64),
        # @72: Region offset of this end's TX ring_ctrl.
        ("tx_ctrl_off", ctypes.c_uint64),
        # @80: Region offset of this end's TX data area.
        ("tx_data_off", ctypes.c_uint64),
        # @88: Region offset of this end's RX ring_ctrl.
        ("rx_ctrl_off", ctypes.c_uint64),
        # @96: Region offset of this end's RX data area.
        ("rx_data_off", ctypes.c_uint64),
        # @104: This domain's id, or domid_none.
        ("local_domid", ctypes.c_uint32),
        # @108: The peer's id, or domid_none.
        ("peer_domid", ctypes.c_uint32),
        # @112: Local event-channel port, or port_none.
        ("local_port", ctypes.c_uint32),
        # @116: Peer's event-channel port, or port_none.
        ("remote_port", ctypes.c_uint32),
        # @120: role in effect.
        ("role", ctypes.c_uint32),
        # @124: mode this end produces in.
        ("mode", ctypes.c_uint32),
        # @128: transport.
        ("transport", ctypes.c_uint32),
        # @132: Slot this end owns (0 or 1).
        ("slot", ctypes.c_uint32),
    ]


class Connect(ctypes.Structure):
    """struct xenshm_connect (ioctl, 32 bytes). Argument of XENSHM_IOC_CONNECT. Starts the
    rendezvous and returns at once: 0 if already connected, -EINPROGRESS otherwise; poll()
    reports EPOLLOUT when connected and EPOLLERR on timeout or refusal."""

    _fields_ = [
        # @0: sizeof(struct xenshm_connect) as the caller knows it.
        ("size", ctypes.c_uint32),
        # @4: connect_flags.
        ("flags", ctypes.c_uint32),
        # @8: Expected peer with pin_peer, else must be 0.
        ("peer_domid", ctypes.c_uint32),
        # @12: role; AUTO unless both ends are configured by hand.
        ("role", ctypes.c_uint32),
        # @16: mode of the data this end produces.
        ("mode", ctypes.c_uint32),
        # @20: Give up after this long (0: the module's default).
        ("timeout_ms", ctypes.c_uint32),
        # @24: Once connected, treat the peer as gone (PEER_GONE, as if it detached) when its
        # heartbeat stops for this long: 0 means 750; else 100 to 60000 (EINVAL otherwise). This
        # end's own heartbeat period, and the period of its check, is a quarter of it, so a dead
        # peer is noticed within 1.25 x heartbeat_ms (940 ms by default). A peer that publishes
        # heartbeat_ms = 0 is not watched; one with a longer period gets twice its period.
        ("heartbeat_ms", ctypes.c_uint32),
        # @28: Must be 0.
        ("reserved", ctypes.c_uint32),
    ]


class Eventfd(ctypes.Structure):
    """struct xenshm_eventfd (ioctl, 16 bytes). Argument of XENSHM_IOC_SET_EVENTFD: every
    notification from the peer and every channel state change signals this eventfd. One
    eventfd per open file; setting a new one replaces the old."""

    _fields_ = [
        # @0: sizeof(struct xenshm_eventfd) as the caller knows it.
        ("size", ctypes.c_uint32),
        # @4: eventfd_flags.
        ("flags", ctypes.c_uint32),
        # @8: An eventfd file descriptor (an int, carried as u32).
        ("fd", ctypes.c_uint32),
        # @12: Must be 0.
        ("reserved", ctypes.c_uint32),
    ]


class Notify(ctypes.Structure):
    """struct xenshm_notify (ioctl, 8 bytes). Argument of XENSHM_IOC_NOTIFY, for mmap users:
    after producing or consuming, ask the kernel to kick the peer. The kernel kicks only if
    the peer's event word asks for it; returns 1 if it sent an event, 0 if suppressed."""

    _fields_ = [
        # @0: sizeof(struct xenshm_notify) as the caller knows it.
        ("size", ctypes.c_uint32),
        # @4: notify_flags.
        ("flags", ctypes.c_uint32),
    ]


class Stats(ctypes.Structure):
    """struct xenshm_stats (ioctl, 72 bytes). Argument of XENSHM_IOC_STATS; counters since open
    or the last RESET."""

    _fields_ = [
        # @0: sizeof(struct xenshm_stats) as the caller knows it.
        ("size", ctypes.c_uint32),
        # @4: Must be 0.
        ("flags", ctypes.c_uint32),
        # @8: Bytes written through write().
        ("tx_bytes", ctypes.c_uint64),
        # @16: Bytes read through read().
        ("rx_bytes", ctypes.c_uint64),
        # @24: Messages sent through write() in message mode.
        ("tx_msgs", ctypes.c_uint64),
        # @32: Messages received through read() in message mode.
        ("rx_msgs", ctypes.c_uint64),
        # @40: Events sent to the peer.
        ("notify_sent", ctypes.c_uint64),
        # @48: Events received from the peer (upcalls).
        ("notify_recv", ctypes.c_uint64),
        # @56: Events not sent because the peer did not ask for one.
        ("notify_suppressed", ctypes.c_uint64),
        # @64: Corruption or protocol errors seen.
        ("errors", ctypes.c_uint64),
    ]


class Reset(ctypes.Structure):
    """struct xenshm_reset (ioctl, 8 bytes). Argument of XENSHM_IOC_RESET: drop the connection
    (the peer sees EPOLLHUP), clear a broken state and counters; the end returns to idle."""

    _fields_ = [
        # @0: sizeof(struct xenshm_reset) as the caller knows it.
        ("size", ctypes.c_uint32),
        # @4: Must be 0.
        ("flags", ctypes.c_uint32),
    ]


# ---- ioctls ----
# Generic Linux _IOC encoding (asm-generic/ioctl.h), used by x86_64 and arm64.
_IOC_NRSHIFT = 0
_IOC_TYPESHIFT = 8
_IOC_SIZESHIFT = 16
_IOC_DIRSHIFT = 30
_IOC_NONE = 0
_IOC_WRITE = 1
_IOC_READ = 2


def _IOC(dir_, type_, nr, size):
    assert 0 <= nr < 256 and 0 <= type_ < 256 and 0 <= size < (1 << 14)
    return (dir_ << _IOC_DIRSHIFT) | (type_ << _IOC_TYPESHIFT) | (nr << _IOC_NRSHIFT) | \
        (size << _IOC_SIZESHIFT)


# Magic 0xBB is free in Linux's Documentation/userspace-api/ioctl/ioctl-number.rst (0xB7 was first
# chosen but is taken by remoteproc_cdev.h and nsfs.h; 0xB8 by mshv.h and mrvl_cn10k_dpi.h, 0xBA by
# liveupdate.h). Every argument starts with size and flags. The kernel accepts size between the v1
# size and 4096; bytes beyond what it knows must be zero (E2BIG). Unknown flags and non-zero
# reserved fields give EINVAL, unknown commands ENOTTY.
IOC_MAGIC = 0xbb
# Describe the channel and its mmap layout.
IOC_GET_INFO = _IOC(_IOC_READ | _IOC_WRITE, IOC_MAGIC, 0, ctypes.sizeof(Info))
# Configure and start the rendezvous (non-blocking).
IOC_CONNECT = _IOC(_IOC_WRITE, IOC_MAGIC, 1, ctypes.sizeof(Connect))
# Register or clear the notification eventfd.
IOC_SET_EVENTFD = _IOC(_IOC_WRITE, IOC_MAGIC, 2, ctypes.sizeof(Eventfd))
# Kick the peer after mmap production or consumption, honouring suppression.
IOC_NOTIFY = _IOC(_IOC_WRITE, IOC_MAGIC, 3, ctypes.sizeof(Notify))
# Read the counters.
IOC_STATS = _IOC(_IOC_READ | _IOC_WRITE, IOC_MAGIC, 4, ctypes.sizeof(Stats))
# Drop the connection and clear errors and counters.
IOC_RESET = _IOC(_IOC_WRITE, IOC_MAGIC, 5, ctypes.sizeof(Reset))

# ioctl command -> argument struct
IOCTL_ARGS = {
    IOC_GET_INFO: Info,
    IOC_CONNECT: Connect,
    IOC_SET_EVENTFD: Eventfd,
    IOC_NOTIFY: Notify,
    IOC_STATS: Stats,
    IOC_RESET: Reset,
}


# ---- Derived layout ----


def data_size_for(region_size):
    """Bytes in each ring's data area for a region of region_size bytes: the largest power of
    two d with DATA_OFF + 2 * d <= region_size, clamped to [MIN_DATA_SIZE, MAX_DATA_SIZE]; 0
    if the region is smaller than DATA_OFF + 2 * MIN_DATA_SIZE. Bounded loop (at most 19
    steps)."""
    if region_size < DATA_OFF + 2 * MIN_DATA_SIZE:
        return 0
    d = MAX_DATA_SIZE
    while DATA_OFF + 2 * d > region_size:
        d >>= 1
    return d


def ring_data_off(ring, data_size):
    """Region offset of ring `ring`'s data area (ring 0 at DATA_OFF, ring 1 right after it); 0
    (never a valid data offset) if ring is not 0 or 1."""
    if ring not in (0, 1):
        return 0
    return DATA_OFF + ring * data_size


def max_msg_size_for(data_size):
    """Largest message payload in message mode for a data area of data_size bytes: data_size / 2 - 8, so one record always fits in an empty ring."""
    return data_size // 2 - 8 if data_size // 2 > 8 else 0


# ---- Self-test: the layout the generator computed from the spec ----
_LAYOUT = {
    RegionHeader: (128, [
        ("magic", 0, 4),
        ("version_major", 4, 2),
        ("version_minor", 6, 2),
        ("region_size", 8, 8),
        ("features", 16, 8),
        ("data_size", 24, 4),
        ("reserved0", 28, 4),
        ("reserved1", 32, 96),
    ]),
    Slot: (128, [
        ("state", 0, 4),
        ("domid", 4, 4),
        ("epoch", 8, 4),
        ("heartbeat", 12, 4),
        ("port", 16, 4),
        ("flags", 20, 4),
        ("peer_domid", 24, 4),
        ("heartbeat_ms", 28, 4),
        ("reserved1", 32, 96),
    ]),
    RingCtrl: (256, [
        ("prod", 0, 4),
        ("cons_event", 4, 4),
        ("prod_pad", 8, 120),
        ("cons", 128, 4),
        ("prod_event", 132, 4),
        ("cons_pad", 136, 120),
    ]),
    RecordHeader: (8, [
        ("len", 0, 4),
        ("type", 4, 4),
    ]),
    Info: (136, [
        ("size", 0, 4),
        ("flags", 4, 4),
        ("abi_major", 8, 2),
        ("abi_minor", 10, 2),
        ("state", 12, 4),
        ("features", 16, 8),
        ("region_size", 24, 8),
        ("data_size", 32, 4),
        ("max_msg_size", 36, 4),
        ("mmap_header_off", 40, 8),
        ("mmap_header_size", 48, 8),
        ("mmap_rings_off", 56, 8),
        ("mmap_rings_size", 64, 8),
        ("tx_ctrl_off", 72, 8),
        ("tx_data_off", 80, 8),
        ("rx_ctrl_off", 88, 8),
        ("rx_data_off", 96, 8),
        ("local_domid", 104, 4),
        ("peer_domid", 108, 4),
        ("local_port", 112, 4),
        ("remote_port", 116, 4),
        ("role", 120, 4),
        ("mode", 124, 4),
        ("transport", 128, 4),
        ("slot", 132, 4),
    ]),
    Connect: (32, [
        ("size", 0, 4),
        ("flags", 4, 4),
        ("peer_domid", 8, 4),
        ("role", 12, 4),
        ("mode", 16, 4),
        ("timeout_ms", 20, 4),
        ("heartbeat_ms", 24, 4),
        ("reserved", 28, 4),
    ]),
    Eventfd: (16, [
        ("size", 0, 4),
        ("flags", 4, 4),
        ("fd", 8, 4),
        ("reserved", 12, 4),
    ]),
    Notify: (8, [
        ("size", 0, 4),
        ("flags", 4, 4),
    ]),
    Stats: (72, [
        ("size", 0, 4),
        ("flags", 4, 4),
        ("tx_bytes", 8, 8),
        ("rx_bytes", 16, 8),
        ("tx_msgs", 24, 8),
        ("rx_msgs", 32, 8),
        ("notify_sent", 40, 8),
        ("notify_recv", 48, 8),
        ("notify_suppressed", 56, 8),
        ("errors", 64, 8),
    ]),
    Reset: (8, [
        ("size", 0, 4),
        ("flags", 4, 4),
    ]),
}
_IOCTL_NUMBERS = {
    "IOC_GET_INFO": 0xc088bb00,
    "IOC_CONNECT": 0x4020bb01,
    "IOC_SET_EVENTFD": 0x4010bb02,
    "IOC_NOTIFY": 0x4008bb03,
    "IOC_STATS": 0xc048bb04,
    "IOC_RESET": 0x4008bb05,
}
_DATA_SIZES = [
    (0, 0),
    (16383, 0),
    (16384, 4096),
    (20479, 4096),
    (32768, 8192),
    (1048576, 262144),
    (1064960, 524288),
    (2147491839, 536870912),
    (2147491840, 1073741824),
    (1099511627776, 1073741824),
    (18446744073709551615, 1073741824),
]


def self_test():
    """Compare ctypes sizes/offsets, ioctl numbers and the layout helpers with the spec."""
    errors = []
    for cls, (size, fields) in _LAYOUT.items():
        if ctypes.sizeof(cls) != size:
            errors.append("%s: sizeof %d != %d" % (cls.__name__, ctypes.sizeof(cls), size))
        if [f[0] for f in cls._fields_] != [f[0] for f in fields]:
            errors.append("%s: field list differs" % cls.__name__)
        for name, off, fsize in fields:
            d = getattr(cls, name)
            if d.offset != off or d.size != fsize:
                errors.append("%s.%s: offset/size %d/%d != %d/%d"
                              % (cls.__name__, name, d.offset, d.size, off, fsize))
    for name, num in _IOCTL_NUMBERS.items():
        if globals()[name] != num:
            errors.append("%s: %#x != %#x" % (name, globals()[name], num))
    for rs, ds in _DATA_SIZES:
        if data_size_for(rs) != ds:
            errors.append("data_size_for(%d) = %d != %d" % (rs, data_size_for(rs), ds))
    if ring_data_off(1, MIN_DATA_SIZE) != DATA_OFF + MIN_DATA_SIZE or ring_data_off(2, 4096) != 0:
        errors.append("ring_data_off")
    return errors


if __name__ == "__main__":
    import sys
    errs = self_test()
    for e in errs:
        print("FAIL:", e, file=sys.stderr)
    print("xenshm.abi self-test: %d structs, %d ioctls, %s"
          % (len(_LAYOUT), len(_IOCTL_NUMBERS), "FAILED" if errs else "ok"))
    sys.exit(1 if errs else 0)
