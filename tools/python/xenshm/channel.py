# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""xenshm.Channel: one end of a xenshm channel (/dev/xenshm/<name>) from Python.

    import xenshm

    with xenshm.Channel("loop0-a") as ch:       # open(); close() at the end
        ch.connect(mode="message")               # XENSHM_IOC_CONNECT, waits until connected
        ch.send(b"ping")                         # one message
        print(ch.recv())                         # one message (the peer's framing)
        print(ch.info().state, ch.stats().tx_msgs)

Without connect(), read()/write() connect by themselves in stream mode, as on a
named pipe (xenshm(4), "Implicit connect"). Every struct and ioctl number comes
from xenshm.abi, generated from codegen/spec/xenshm.yaml; nothing here spells
out a layout. Errors are OSError with the kernel's errno, so Python's own
subclasses apply: BlockingIOError (EAGAIN), BrokenPipeError (EPIPE),
ConnectionResetError (ECONNRESET), TimeoutError (ETIMEDOUT), PermissionError
(EACCES), ... and errno.EIO for a corrupt region (reset() clears it).
"""

import ctypes
import errno
import fcntl
import os
import select
import time

from . import abi

__all__ = ["Channel", "DEV_DIR"]

DEV_DIR = "/dev/xenshm"

_MODES = {"stream": abi.MODE_STREAM, "message": abi.MODE_MESSAGE}
_ROLES = {"auto": abi.ROLE_AUTO, "receiver": abi.ROLE_RECEIVER, "sender": abi.ROLE_SENDER}


def _enum(value, names, what):
    if isinstance(value, str):
        try:
            return names[value]
        except KeyError:
            raise ValueError("unknown %s %r (one of %s)" % (what, value, ", ".join(names))) from None
    return int(value)


class Channel:
    """One open end of a xenshm channel.

    name: an end ("loop0-a", "xenshm-0-1") under /dev/xenshm, or a path with a '/'.
    nonblock: open with O_NONBLOCK (read/write raise BlockingIOError instead of waiting).
    """

    def __init__(self, name, nonblock=False):
        self.path = name if "/" in name else os.path.join(DEV_DIR, name)
        flags = os.O_RDWR | os.O_CLOEXEC | (os.O_NONBLOCK if nonblock else 0)
        self._fd = os.open(self.path, flags)

    # ---- the file ---------------------------------------------------------

    def fileno(self):
        """The file descriptor (for select/poll/selectors, or os functions)."""
        if self._fd < 0:
            raise ValueError("I/O operation on a closed channel")
        return self._fd

    @property
    def closed(self):
        return self._fd < 0

    def close(self):
        """Release the end (the peer sees a hang-up). Idempotent."""
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        return "<xenshm.Channel %s%s>" % (self.path, " closed" if self.closed else "")

    def _ioctl(self, cmd, arg):
        """cmd with the ctypes struct arg (size filled in) as in/out argument."""
        arg.size = ctypes.sizeof(arg)
        buf = bytearray(bytes(arg))
        ret = fcntl.ioctl(self.fileno(), cmd, buf, True)
        ctypes.memmove(ctypes.addressof(arg), bytes(buf), len(buf))
        return ret

    # ---- connecting -------------------------------------------------------

    def connect(self, mode="stream", role="auto", timeout_ms=0, peer=None, heartbeat_ms=0,
                wait=True):
        """Configure this end and start the rendezvous (XENSHM_IOC_CONNECT).

        mode: "stream" or "message" (what this end produces); role: "auto",
        "receiver" or "sender"; timeout_ms: 0 = the kernel's 30 s; peer: pin
        the peer's domid; heartbeat_ms: 0 = the kernel's default. With wait
        (default) returns once connected or raises the connect's error; else
        returns True if connected, False while connecting (poll for POLLOUT).
        """
        c = abi.Connect(mode=_enum(mode, _MODES, "mode"), role=_enum(role, _ROLES, "role"),
                        timeout_ms=timeout_ms, heartbeat_ms=heartbeat_ms)
        if peer is not None:
            c.flags |= abi.CONNECT_FLAGS_PIN_PEER
            c.peer_domid = peer
        try:
            self._ioctl(abi.IOC_CONNECT, c)
            return True
        except OSError as e:
            if e.errno != errno.EINPROGRESS:
                raise
        if not wait:
            return False
        self.wait_connected(None if timeout_ms == 0 else timeout_ms + 1000)
        return True

    def wait_connected(self, timeout_ms=None):
        """Wait until the end is connected; raise the failed connect's error.

        timeout_ms: None waits as long as the kernel's own connect timeout.
        """
        p = select.poll()
        p.register(self.fileno(), select.POLLOUT)
        deadline = None if timeout_ms is None else time.monotonic() + timeout_ms / 1000
        while True:
            left = None if deadline is None else max(0, int((deadline - time.monotonic()) * 1000))
            events = p.poll(left)
            state = self.info().state
            if state == abi.CHAN_STATE_CONNECTED:
                return
            if any(rev & (select.POLLERR | select.POLLHUP) for _, rev in events) or \
                    state in (abi.CHAN_STATE_IDLE, abi.CHAN_STATE_BROKEN, abi.CHAN_STATE_PEER_GONE):
                self._raise_connect_error(state)
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(errno.ETIMEDOUT, os.strerror(errno.ETIMEDOUT), self.path)

    def _raise_connect_error(self, state):
        """The recorded error of a failed connect: NOTIFY returns it."""
        if state == abi.CHAN_STATE_BROKEN:
            raise OSError(errno.EIO, os.strerror(errno.EIO), self.path)
        try:
            self._ioctl(abi.IOC_NOTIFY, abi.Notify(flags=abi.NOTIFY_FLAGS_RX))
        except OSError as e:
            raise OSError(e.errno, os.strerror(e.errno), self.path) from None
        raise OSError(errno.ENOTCONN, os.strerror(errno.ENOTCONN), self.path)

    def reset(self):
        """Drop the connection, clear a broken state and the counters (XENSHM_IOC_RESET)."""
        self._ioctl(abi.IOC_RESET, abi.Reset())

    # ---- data -------------------------------------------------------------

    def write(self, data):
        """write(): stream: the bytes written; message: one message, all or nothing."""
        return os.write(self.fileno(), data)

    def read(self, n=65536):
        """read(): up to n bytes (stream) or one message; b"" at end of file."""
        return os.read(self.fileno(), n)

    def send(self, data):
        """Send all of data: one message in message mode, every byte in stream mode."""
        view = memoryview(data)
        if self.info().mode == abi.MODE_MESSAGE:
            return os.write(self.fileno(), view)
        total = 0
        while total < len(view):
            total += os.write(self.fileno(), view[total:])
        return total

    def recv(self, bufsize=None):
        """One message (or a stream's queued bytes); bufsize defaults to max_msg_size."""
        return os.read(self.fileno(), bufsize or self.info().max_msg_size)

    # ---- state ------------------------------------------------------------

    def info(self):
        """XENSHM_IOC_GET_INFO as an abi.Info (state, role, mode, sizes, mmap offsets)."""
        info = abi.Info()
        self._ioctl(abi.IOC_GET_INFO, info)
        return info

    def stats(self):
        """XENSHM_IOC_STATS as an abi.Stats (byte, message and event counters)."""
        st = abi.Stats()
        self._ioctl(abi.IOC_STATS, st)
        return st

    @property
    def state(self):
        """The state as an abi.ChanState (IDLE, CONNECTING, CONNECTED, PEER_GONE, BROKEN)."""
        return abi.ChanState(self.info().state)

    def set_eventfd(self, efd):
        """Signal eventfd efd on every event from the peer and state change; None removes it."""
        if efd is None:
            self._ioctl(abi.IOC_SET_EVENTFD, abi.Eventfd(flags=abi.EVENTFD_FLAGS_CLEAR))
        else:
            self._ioctl(abi.IOC_SET_EVENTFD, abi.Eventfd(fd=efd))

    def notify(self, tx=True, rx=True):
        """XENSHM_IOC_NOTIFY (for mapping users): True if an event was sent."""
        flags = (abi.NOTIFY_FLAGS_TX if tx else 0) | (abi.NOTIFY_FLAGS_RX if rx else 0)
        return self._ioctl(abi.IOC_NOTIFY, abi.Notify(flags=flags)) == 1
