// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cases for the header-only C++ wrapper lib/libxenshm.hpp: RAII and moves,
 * send()/recv() over the mapping with eventfd wakeups in both framing
 * modes, timeouts, and the hang-up seen through the wrapper.
 * Not covered here: the C layer underneath (the other cases_*.c).
 */
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libxenshm.hpp"

extern "C" {
#include "harness.h"
}

namespace {

int connect_both(xenshm::Channel &a, xenshm::Channel &b, uint32_t mode_a, uint32_t mode_b)
{
	int r = a.connect_async(mode_a, 5000);
	if (r && r != -EINPROGRESS)
		FAIL("connect_async a: %s", errname(r));
	r = b.connect(mode_b, 10000);
	if (r)
		FAIL("connect b: %s", errname(r));
	r = xenshm_wait_connected(a.fd(), 10000);
	if (r)
		FAIL("wait a: %s", errname(r));
	return 0;
}

uint8_t pattern(uint32_t msg, uint32_t i)
{
	return (uint8_t)(msg * 131u + i * 7u + (i >> 8));
}

/* Messages of many sizes both ways through the wrapper, content checked. */
int t_cpp_messages(const void *)
{
	xenshm::Channel a, b;
	const uint32_t n_msgs = 3000;

	CHECK_RET(a.open("loop0-a"), 0);
	CHECK_RET(b.open("loop0-b"), 0);
	if (connect_both(a, b, XENSHM_MODE_MESSAGE, XENSHM_MODE_MESSAGE))
		return 1;
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		/* Echo every message back, checking it on the way. */
		/* This process only uses b and leaves by _exit (no destructors). */
		if (b.map())
			_exit(10);
		std::vector<uint8_t> buf(65536);
		for (uint32_t m = 0; m < n_msgs; m++) {
			ssize_t len = b.recv(buf.data(), buf.size(), 10000);
			if (len != (ssize_t)(1 + (m * 2654435761u) % 9000))
				_exit(11);
			for (ssize_t i = 0; i < len; i++)
				if (buf[i] != pattern(m, (uint32_t)i))
					_exit(12);
			if (b.send(buf.data(), (size_t)len, 10000))
				_exit(13);
		}
		_exit(0);
	}
	CHECK_RET(a.map(), 0);
	std::vector<uint8_t> out(9000), in(65536);
	uint32_t sent = 0, got = 0;
	/* Keep up to 8 messages in flight so both rings fill and wrap. */
	while (got < n_msgs) {
		while (sent < n_msgs && sent - got < 8) {
			size_t len = 1 + (sent * 2654435761u) % 9000;
			for (size_t i = 0; i < len; i++)
				out[i] = pattern(sent, (uint32_t)i);
			int r = a.send(out.data(), len, 10000);
			if (r)
				FAIL("send %u: %s", sent, errname(r));
			sent++;
		}
		ssize_t len = a.recv(in.data(), in.size(), 10000);
		size_t want = 1 + (got * 2654435761u) % 9000;
		if (len != (ssize_t)want)
			FAIL("echo %u: recv %zd (%s), expected %zu", got, len, len < 0 ? errname(len) : "", want);
		for (size_t i = 0; i < want; i++)
			if (in[i] != pattern(got, (uint32_t)i))
				FAIL("echo %u: byte %zu differs", got, i);
		got++;
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		FAIL("echo process failed (status 0x%x)", status);
	return 0;
}

/* Stream mode: recv_all over the mapping, a timeout, then EOF at hang-up. */
int t_cpp_stream_timeout_eof(const void *)
{
	xenshm::Channel a, b;
	uint8_t buf[4096];

	CHECK_RET(a.open("loop0-a"), 0);
	CHECK_RET(b.open("loop0-b"), 0);
	if (connect_both(a, b, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM))
		return 1;
	CHECK_RET(b.map(), 0);
	/* Nothing queued: times out, roughly on time. */
	double t0 = now_s();
	CHECK_RET(b.recv(buf, sizeof(buf), 200), -ETIMEDOUT);
	if (now_s() - t0 < 0.15 || now_s() - t0 > 5)
		FAIL("recv timeout took %.3f s for 200 ms", now_s() - t0);
	/* Data written through a's fd path arrives through b's mapping. */
	std::vector<uint8_t> big(100000);
	for (size_t i = 0; i < big.size(); i++)
		big[i] = (uint8_t)(i * 13);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(write_all(a.fd(), big.data(), big.size()) ? 1 : 0);
	std::vector<uint8_t> got(big.size());
	CHECK_RET(b.recv_all(got.data(), got.size(), 10000), 0);
	CHECK(got == big);
	waitpid(pid, nullptr, 0);
	/* Hang-up: the remaining bytes, then 0 (EOF). */
	CHECK(write(a.fd(), "tail", 4) == 4);
	a.close();
	ssize_t n = b.recv(buf, sizeof(buf), 5000);
	if (n != 4 || memcmp(buf, "tail", 4))
		FAIL("bytes queued before the hang-up: %zd", n);
	n = b.recv(buf, sizeof(buf), 5000);
	if (n != 0)
		FAIL("after the hang-up recv returned %zd (%s), expected 0 (EOF)", n, n < 0 ? errname(n) : "");
	CHECK_RET(b.send("x", 1, 1000), -ECONNRESET);
	return 0;
}

/* Moves transfer ownership; destruction is the last close. */
int t_cpp_raii_move(const void *)
{
	xenshm::Channel b;

	CHECK_RET(b.open("loop0-b"), 0);
	{
		xenshm::Channel a;
		CHECK_RET(a.open("loop0-a"), 0);
		if (connect_both(a, b, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM))
			return 1;
		CHECK_RET(a.map(), 0);
		xenshm::Channel moved(std::move(a));
		CHECK(!a.is_open() && !a.mapped());
		CHECK(moved.is_open() && moved.mapped());
		CHECK_RET(moved.send("mv", 2, 1000), 0);
		xenshm::Channel other;
		other = std::move(moved);
		CHECK(other.mapped());
		/* Still ours: a second opener is refused. */
		CHECK_RET(xenshm_open("loop0-a", 0), -EBUSY);
	}	/* destructors: unmap + close */
	char buf[4];
	CHECK(read(b.fd(), buf, sizeof(buf)) == 2);
	int rev = poll1(b.fd(), POLLIN, 2000);
	if (!(rev & POLLHUP))
		FAIL("peer revents 0x%x after the Channel was destroyed, expected POLLHUP", rev);
	int fd = xenshm_open("loop0-a", 0);
	if (fd < 0)
		FAIL("reopen after destruction: %s", errname(fd));
	close(fd);
	return 0;
}

/*
 * Zero copy through the wrapper: the child produces into the ring
 * (reserve/commit), the parent checks in place (peek/release). Message mode
 * one way (sizes up to 9000, many laps of the ring, a message never split),
 * stream mode the other (reserve returns what is contiguous; the bytes are
 * counted and checked against their stream position). Then misuse and EOF.
 */
int t_cpp_zero_copy(const void *)
{
	xenshm::Channel a, b;
	const uint32_t n_msgs = 2000;
	const uint64_t stream_bytes = 3u << 20;

	CHECK_RET(a.open("loop0-a"), 0);
	CHECK_RET(b.open("loop0-b"), 0);
	/* a produces stream, b produces messages */
	if (connect_both(a, b, XENSHM_MODE_STREAM, XENSHM_MODE_MESSAGE))
		return 1;
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (b.map())
			_exit(10);
		for (uint32_t m = 0; m < n_msgs; m++) {
			size_t len = 1 + (m * 2654435761u) % 9000;
			void *p;
			if (b.reserve(len, &p, 10000) != (ssize_t)len)
				_exit(11);
			for (size_t i = 0; i < len; i++)
				static_cast<uint8_t *>(p)[i] = pattern(m, (uint32_t)i);
			if (b.commit(len))
				_exit(12);
		}
		/* Then read a's stream in place. */
		uint64_t pos = 0;
		while (pos < stream_bytes) {
			const void *q;
			ssize_t n = b.peek(&q, 10000);
			if (n <= 0)
				_exit(13);
			for (ssize_t i = 0; i < n; i++)
				if (static_cast<const uint8_t *>(q)[i] != (uint8_t)((pos + i) * 11 + ((pos + i) >> 12)))
					_exit(14);
			if (b.release((size_t)n))
				_exit(15);
			pos += (uint64_t)n;
		}
		_exit(pos == stream_bytes ? 0 : 16);
	}
	CHECK_RET(a.map(), 0);
	CHECK(a.tx_mode() == XENSHM_MODE_STREAM && a.rx_mode() == XENSHM_MODE_MESSAGE);
	for (uint32_t m = 0; m < n_msgs; m++) {
		const void *q;
		ssize_t len = a.peek(&q, 10000);
		size_t want = 1 + (m * 2654435761u) % 9000;
		if (len != (ssize_t)want)
			FAIL("message %u: peek %zd (%s), expected %zu", m, len, len < 0 ? errname(len) : "", want);
		for (size_t i = 0; i < want; i++)
			if (static_cast<const uint8_t *>(q)[i] != pattern(m, (uint32_t)i))
				FAIL("message %u: byte %zu differs", m, i);
		CHECK_RET(a.release(0), 0);
	}
	/* Releasing again without a peek is misuse. */
	CHECK_RET(a.release(0), -EINVAL);
	uint64_t pos = 0;
	size_t partial = 0;
	while (pos < stream_bytes) {
		void *p;
		size_t want = (size_t)std::min<uint64_t>(stream_bytes - pos, 40000);
		ssize_t n = a.reserve(want, &p, 10000);
		if (n <= 0 || (size_t)n > want)
			FAIL("reserve %zu at %llu: %zd (%s)", want, (unsigned long long)pos, n,
			     n < 0 ? errname(n) : "");
		if ((size_t)n < want)
			partial++;
		for (ssize_t i = 0; i < n; i++)
			static_cast<uint8_t *>(p)[i] = (uint8_t)((pos + i) * 11 + ((pos + i) >> 12));
		CHECK_RET(a.commit((size_t)n), 0);
		pos += (uint64_t)n;
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		FAIL("zero-copy peer failed (status 0x%x)", status);
	/* 3 MiB through a 256 KiB ring: reserve must have stopped at the end. */
	if (!partial)
		FAIL("no reserve was cut at the ring's end in %llu bytes", (unsigned long long)pos);
	/* Close the peer (its last fd) and everything was read: peek reports EOF. */
	b.close();
	const void *q;
	CHECK_RET(a.peek(&q, 5000), 0);
	/* Commit more than reserved is refused. */
	void *p;
	CHECK(a.reserve(16, &p, 1000) != 0);
	CHECK_RET(a.commit(1u << 30), -EINVAL);
	return 0;
}

} // namespace

extern "C" void register_cpp_cases(void)
{
	add_case("cpp_channel_zero_copy_reserve_peek", t_cpp_zero_copy, nullptr, 120);
	add_case("cpp_channel_messages_mmap_echo_3000", t_cpp_messages, nullptr, 120);
	add_case("cpp_channel_stream_timeout_eof_econnreset", t_cpp_stream_timeout_eof, nullptr, 0);
	add_case("cpp_channel_raii_move_last_close", t_cpp_raii_move, nullptr, 0);
}
