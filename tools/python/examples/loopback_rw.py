#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""Talk to a xenshm loopback pair from Python with the generated ctypes ABI.

    python3 tools/python/examples/loopback_rw.py [--pair N] [--message]

Opens /dev/xenshm/loop<N>-a and -b (xenshm.ko loaded with loopback=N+1),
prints GET_INFO of both ends, connects them (CONNECT is non-blocking:
EINPROGRESS, then poll() for POLLOUT), writes on one end, reads on the
other, and prints the STATS counters. Uses only the standard library and
tools/python/xenshm/abi.py (generated from codegen/spec/xenshm.yaml).
"""
import argparse
import ctypes
import errno
import fcntl
import os
import select
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from xenshm import abi  # noqa: E402


def ioctl(fd, cmd, arg):
    """Issue an ioctl with a ctypes struct as in/out argument (size filled in)."""
    arg.size = ctypes.sizeof(arg)
    buf = bytearray(bytes(arg))
    ret = fcntl.ioctl(fd, cmd, buf, True)
    ctypes.memmove(ctypes.addressof(arg), bytes(buf), len(buf))
    return ret


def get_info(fd):
    info = abi.Info()
    ioctl(fd, abi.IOC_GET_INFO, info)
    return info


def connect(fd, mode):
    """Start the rendezvous; True if it is already connected."""
    c = abi.Connect(mode=mode, role=abi.ROLE_AUTO, timeout_ms=5000)
    try:
        ioctl(fd, abi.IOC_CONNECT, c)
        return True
    except OSError as e:
        if e.errno != errno.EINPROGRESS:
            raise
        return False


def wait_connected(fd, timeout_ms=10000):
    p = select.poll()
    p.register(fd, select.POLLOUT)
    for _, rev in p.poll(timeout_ms):
        if rev & (select.POLLERR | select.POLLHUP):
            raise OSError(errno.ECONNREFUSED, "connect failed")
    state = get_info(fd).state
    if state != abi.CHAN_STATE_CONNECTED:
        raise OSError(errno.ETIMEDOUT, "state %s" % abi.ChanState(state).name)


def show(name, info):
    print("%s: state %s, abi %d.%d, %s, slot %d, role %s, mode %s" % (
        name, abi.ChanState(info.state).name.lower(), info.abi_major, info.abi_minor,
        abi.Transport(info.transport).name.lower(), info.slot,
        abi.Role(info.role).name.lower(), abi.Mode(info.mode).name.lower()))
    print("  region %d bytes, rings %d bytes each, max message %d; mmap header @%d, rings @%d+%d" % (
        info.region_size, info.data_size, info.max_msg_size, info.mmap_header_off,
        info.mmap_rings_off, info.mmap_rings_size))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pair", type=int, default=0, help="loopback pair number (default 0)")
    ap.add_argument("--message", action="store_true", help="message mode instead of stream")
    args = ap.parse_args()

    errs = abi.self_test()
    if errs:
        sys.exit("abi.py self-test failed: %s" % errs)
    mode = abi.MODE_MESSAGE if args.message else abi.MODE_STREAM
    names = ["loop%d-a" % args.pair, "loop%d-b" % args.pair]
    fds = [os.open("/dev/xenshm/" + n, os.O_RDWR | os.O_CLOEXEC) for n in names]
    try:
        for n, fd in zip(names, fds):
            show(n, get_info(fd))
        done = [connect(fd, mode) for fd in fds]
        for fd, d in zip(fds, done):
            if not d:
                wait_connected(fd)
        for n, fd in zip(names, fds):
            show(n, get_info(fd))

        payload = b"hello from Python through xenshm"
        if os.write(fds[0], payload) != len(payload):
            sys.exit("short write")
        got = os.read(fds[1], 4096)
        print("%s -> %s: %r" % (names[0], names[1], got))
        if got != payload:
            sys.exit("payload mismatch")

        st = abi.Stats()
        ioctl(fds[0], abi.IOC_STATS, st)
        print("%s stats: tx_bytes %d tx_msgs %d notify_sent %d" % (
            names[0], st.tx_bytes, st.tx_msgs, st.notify_sent))
    finally:
        for fd in fds:
            os.close(fd)


if __name__ == "__main__":
    main()
