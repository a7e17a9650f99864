#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""Unit tests of xenshm.Channel on a loopback pair (xenshm.ko loaded with loopback=N).

    python3 tools/python/tests/test_channel.py [--pair N] [-v]

Run in the x86_64 QEMU guest by tests/qemu/guest.sh (pair 1). One behaviour per
case; every case opens both ends and closes them, so the pair is free between
cases. Not covered: Xen transport, mmap (Channel has no mapping API), the
eventfd firing (only its registration), heartbeat expiry.
"""
import asyncio
import errno
import os
import select
import signal
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import xenshm  # noqa: E402
from xenshm import abi  # noqa: E402

PAIR = 1
CASE_TIMEOUT_S = 30


def _timeout(signum, frame):
    raise TimeoutError("test case took more than %d s" % CASE_TIMEOUT_S)


class ChannelTest(unittest.TestCase):
    def setUp(self):
        signal.signal(signal.SIGALRM, _timeout)
        signal.alarm(CASE_TIMEOUT_S)  # a hung case fails instead of hanging the guest
        self.a = xenshm.Channel("loop%d-a" % PAIR)
        self.b = xenshm.Channel("/dev/xenshm/loop%d-b" % PAIR)

    def tearDown(self):
        self.a.close()
        self.b.close()
        signal.alarm(0)

    def connect_implicitly(self):
        """Both ends start the implicit rendezvous (non-blocking calls), then wait for it."""
        for ch in (self.a, self.b):
            os.set_blocking(ch.fileno(), False)
        with self.assertRaises(BlockingIOError):
            self.a.write(b"x")
        with self.assertRaises(BlockingIOError):
            self.b.read()
        p = select.poll()
        p.register(self.a.fileno(), select.POLLOUT)
        self.assertTrue(p.poll(10000))
        for ch in (self.a, self.b):
            os.set_blocking(ch.fileno(), True)

    def connect_both(self, mode):
        done = self.a.connect(mode=mode, timeout_ms=5000, wait=False)
        self.b.connect(mode=mode, timeout_ms=5000)
        if not done:
            self.a.wait_connected(10000)

    def test_info_before_connect(self):
        info = self.a.info()
        self.assertEqual(info.abi_major, abi.ABI_MAJOR)
        self.assertEqual(info.transport, abi.TRANSPORT_LOOPBACK)
        self.assertEqual(self.a.state, abi.ChanState.IDLE)
        self.assertGreater(info.max_msg_size, 0)

    def test_fileno_and_close(self):
        self.assertEqual(self.a.fileno(), self.a._fd)
        self.a.close()
        self.assertTrue(self.a.closed)
        self.a.close()  # idempotent
        with self.assertRaises(ValueError):
            self.a.fileno()

    def test_second_open_is_ebusy(self):
        with self.assertRaises(OSError) as cm:
            xenshm.Channel("loop%d-a" % PAIR)
        self.assertEqual(cm.exception.errno, errno.EBUSY)

    def test_context_manager_releases_the_end(self):
        self.a.close()
        with xenshm.Channel("loop%d-a" % PAIR) as ch:
            self.assertFalse(ch.closed)
        self.assertTrue(ch.closed)
        xenshm.Channel("loop%d-a" % PAIR).close()  # free again

    def test_message_send_recv_and_stats(self):
        self.connect_both("message")
        self.assertEqual(self.a.state, abi.ChanState.CONNECTED)
        self.assertEqual(self.a.send(b"one"), 3)
        self.assertEqual(self.a.send(b"two!"), 4)
        self.assertEqual(self.b.recv(), b"one")
        self.assertEqual(self.b.recv(), b"two!")
        st = self.a.stats()
        self.assertEqual((st.tx_msgs, st.tx_bytes), (2, 7))
        self.assertEqual(self.b.stats().rx_msgs, 2)

    def test_message_too_long_for_buffer_is_emsgsize(self):
        self.connect_both("message")
        self.a.send(b"0123456789")
        with self.assertRaises(OSError) as cm:
            self.b.recv(4)
        self.assertEqual(cm.exception.errno, errno.EMSGSIZE)
        self.assertEqual(self.b.recv(), b"0123456789")  # still queued

    def test_stream_read_write(self):
        self.connect_both("stream")
        self.assertEqual(self.a.send(b"x" * 100000), 100000)
        got = b""
        while len(got) < 100000:
            got += self.b.read(65536)
        self.assertEqual(got, b"x" * 100000)

    def test_implicit_connect_then_eof(self):
        self.connect_implicitly()  # read()/write() connected both ends, like a FIFO
        self.assertEqual(self.a.state, abi.ChanState.CONNECTED)
        self.assertEqual(self.a.write(b"hello"), 5)
        self.assertEqual(self.b.read(), b"hello")
        self.a.close()
        self.assertEqual(self.b.read(), b"")  # writer gone: EOF

    def test_nonblocking_read_empty_is_blockingioerror(self):
        self.connect_both("stream")
        os.set_blocking(self.b.fileno(), False)
        with self.assertRaises(BlockingIOError):
            self.b.read()

    def test_explicit_peer_gone_write_is_connectionreseterror(self):
        self.connect_both("stream")
        self.b.close()
        with self.assertRaises(ConnectionResetError):
            for _ in range(100):  # the hang-up arrives as an event
                self.a.write(b"x")
                os.sched_yield()

    def test_connect_after_implicit_is_eisconn(self):
        self.connect_implicitly()
        with self.assertRaises(OSError) as cm:
            self.a.connect(mode="message")
        self.assertEqual(cm.exception.errno, errno.EISCONN)

    def test_asyncio_echo(self):
        """An echo server and a client on one event loop, woken through fileno()."""
        self.connect_both("message")
        for ch in (self.a, self.b):
            os.set_blocking(ch.fileno(), False)
        msgs = [bytes([i]) * (1 + 97 * i) for i in range(40)]

        async def readable(ch):
            loop = asyncio.get_running_loop()
            ready = loop.create_future()
            loop.add_reader(ch.fileno(), ready.set_result, None)
            try:
                await ready
            finally:
                loop.remove_reader(ch.fileno())

        async def recv(ch):
            while True:
                try:
                    return ch.recv()
                except BlockingIOError:
                    await readable(ch)

        async def server():
            for _ in msgs:
                self.b.send(await recv(self.b))

        async def client():
            got = []
            for m in msgs:
                self.a.send(m)
                got.append(await recv(self.a))
            return got

        async def both():
            got, _ = await asyncio.gather(client(), server())
            return got

        self.assertEqual(asyncio.run(asyncio.wait_for(both(), 20)), msgs)

    def test_reset_returns_to_idle(self):
        self.connect_both("stream")
        self.a.reset()
        self.assertEqual(self.a.state, abi.ChanState.IDLE)
        self.assertEqual(self.a.stats().tx_bytes, 0)

    def test_eventfd_registration(self):
        efd = os.eventfd(0)
        try:
            self.a.set_eventfd(efd)
            self.a.set_eventfd(None)
            with self.assertRaises(OSError) as cm:
                self.a.set_eventfd(self.b.fileno())  # not an eventfd
            self.assertEqual(cm.exception.errno, errno.EINVAL)
        finally:
            os.close(efd)

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            self.a.connect(mode="datagram")
        with self.assertRaises(FileNotFoundError):
            xenshm.Channel("no-such-end")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--pair":
        PAIR = int(sys.argv[2])
        del sys.argv[1:3]
    unittest.main()
