// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libxenshm.hpp: header-only C++ RAII wrapper over libxenshm (libxenshm.h).
 *
 *   xenshm::Channel ch;
 *   if (int r = ch.open("loop0-a"); r < 0) ...          // -EBUSY, -ENOENT
 *   if (int r = ch.connect(XENSHM_MODE_MESSAGE, 5000); r < 0) ...
 *   ch.write(buf, n); ch.read(buf, cap);                // the fd's read/write path
 *   ch.map();                                           // mmap + eventfd
 *   ch.send(buf, n, timeout_ms); ch.recv(buf, cap, timeout_ms);  // over the mapping
 *   n = ch.reserve(len, &p, timeout_ms); fill(p, n); ch.commit(n);  // zero copy
 *   n = ch.peek(&q, timeout_ms); use(q, n); ch.release(n);
 *
 * Errors are negative errno values (no exceptions), as in the C library.
 * A Channel owns its fd, its mapping and its eventfd; destruction unmaps and
 * closes them (the peer then sees a hang-up). Move-only.
 * Over the mapping, send()/recv() never enter the kernel on the fast path:
 * they copy through ringcore and issue XENSHM_IOC_NOTIFY only when the peer
 * asked for an event; they sleep on the eventfd (and watch the device fd
 * for POLLHUP/POLLERR) when the ring is full/empty.
 * reserve()/commit() and peek()/release() do the same without the copy: the
 * caller produces into / consumes from the shared ring itself.
 */
#ifndef XENSHM_LIB_XENSHM_HPP
#define XENSHM_LIB_XENSHM_HPP

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <ctime>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "libxenshm.h"

namespace xenshm {

class Channel {
public:
	Channel() = default;
	/* Adopt an open fd. */
	explicit Channel(int fd) : fd_(fd) {}
	~Channel() { close(); }
	Channel(const Channel &) = delete;
	Channel &operator=(const Channel &) = delete;
	Channel(Channel &&o) noexcept { take(o); }
	Channel &operator=(Channel &&o) noexcept
	{
		if (this != &o) {
			close();
			take(o);
		}
		return *this;
	}

	/* Open /dev/xenshm/<name> (or a path). */
	[[nodiscard]] int open(const char *name, int oflags = 0)
	{
		close();
		int r = xenshm_open(name, oflags);
		if (r < 0)
			return r;
		fd_ = r;
		return 0;
	}

	void close()
	{
		unmap();
		if (fd_ >= 0)
			::close(fd_);
		fd_ = -1;
	}

	int fd() const { return fd_; }
	bool is_open() const { return fd_ >= 0; }

	/* CONNECT and wait (timeout_ms < 0: forever) until connected. */
	[[nodiscard]] int connect(uint32_t mode = XENSHM_MODE_STREAM, int timeout_ms = 10000,
				  uint32_t role = XENSHM_ROLE_AUTO,
				  uint32_t pin_peer = XENSHM_DOMID_NONE)
	{
		uint32_t kto = timeout_ms > 0 ? (uint32_t)timeout_ms : 0;
		int r = xenshm_connect(fd_, mode, role, kto, pin_peer);

		if (r == -EINPROGRESS)
			r = xenshm_wait_connected(fd_, timeout_ms);
		return r;
	}
	/* CONNECT without waiting: 0 or -EINPROGRESS (poll fd() for POLLOUT). */
	[[nodiscard]] int connect_async(uint32_t mode = XENSHM_MODE_STREAM, uint32_t timeout_ms = 0,
					uint32_t role = XENSHM_ROLE_AUTO,
					uint32_t pin_peer = XENSHM_DOMID_NONE)
	{
		return xenshm_connect(fd_, mode, role, timeout_ms, pin_peer);
	}

	[[nodiscard]] int info(xenshm_info &i) const { return xenshm_get_info(fd_, &i); }
	[[nodiscard]] int stats(xenshm_stats &s) const { return xenshm_get_stats(fd_, &s); }
	[[nodiscard]] int reset() { return xenshm_reset(fd_); }

	/* The fd's read()/write() path: a count or a negative errno. */
	[[nodiscard]] ssize_t write(const void *buf, size_t len)
	{
		ssize_t n = ::write(fd_, buf, len);
		return n < 0 ? -errno : n;
	}
	[[nodiscard]] ssize_t read(void *buf, size_t cap)
	{
		ssize_t n = ::read(fd_, buf, cap);
		return n < 0 ? -errno : n;
	}

	/* ---- the mmap path ---- */

	/* Map the connected end and register an eventfd for wakeups. */
	[[nodiscard]] int map()
	{
		if (mapped_)
			return 0;
		int r = xenshm_map(fd_, &map_);
		if (r)
			return r;
		efd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (efd_ < 0) {
			r = -errno;
			xenshm_unmap(&map_);
			return r;
		}
		r = xenshm_set_eventfd(fd_, efd_);
		if (r) {
			::close(efd_);
			efd_ = -1;
			xenshm_unmap(&map_);
			return r;
		}
		mapped_ = true;
		return 0;
	}

	void unmap()
	{
		if (!mapped_)
			return;
		if (fd_ >= 0)
			(void)xenshm_clear_eventfd(fd_);
		::close(efd_);
		efd_ = -1;
		xenshm_unmap(&map_);
		mapped_ = false;
	}

	bool mapped() const { return mapped_; }
	struct xenshm_map &mapping() { return map_; }
	int eventfd() const { return efd_; }
	uint32_t tx_mode() const { return map_.tx_mode; }
	uint32_t rx_mode() const { return map_.rx_mode; }

	/*
	 * Send over the mapping. Message mode: one message, all or nothing.
	 * Stream mode: all @len bytes. Sleeps while the ring is full.
	 * Returns 0, -ETIMEDOUT, -ECONNRESET (peer gone), -EIO, -EMSGSIZE.
	 */
	[[nodiscard]] int send(const void *buf, size_t len, int timeout_ms = -1)
	{
		const uint8_t *p = static_cast<const uint8_t *>(buf);
		size_t done = 0;
		Deadline dl(timeout_ms);

		for (;;) {
			long r;

			if (map_.tx_mode == XENSHM_MODE_MESSAGE) {
				int s = xenshm_map_send(&map_, p, len);
				r = s == 0 ? (long)len : (long)s;
			} else
				r = xenshm_map_write(&map_, p + done, len - done);
			if (r >= 0) {
				done += (size_t)r;
				int k = kick_tx();
				if (k < 0)
					return k;
				if (done == len)
					return 0;
				continue;
			}
			if (r != -EAGAIN)
				return (int)r;
			size_t want = map_.tx_mode == XENSHM_MODE_MESSAGE ? len : len - done;
			if (spin_for_space(want))
				continue;
			int a = xenshm_map_arm_tx(&map_, want);
			if (a < 0)
				return a;
			if (a > 0)
				continue;
			int w = wait(dl, true);
			if (w)
				return w;
		}
	}

	/*
	 * Receive over the mapping. Message mode: one whole message (its
	 * length; -EMSGSIZE if cap is too small). Stream mode: 1..cap bytes.
	 * 0 = the peer hung up and everything was read. Sleeps while empty.
	 */
	[[nodiscard]] ssize_t recv(void *buf, size_t cap, int timeout_ms = -1)
	{
		Deadline dl(timeout_ms);

		for (;;) {
			ssize_t r = map_.rx_mode == XENSHM_MODE_MESSAGE
				? xenshm_map_recv(&map_, buf, cap)
				: xenshm_map_read(&map_, buf, cap);
			if (r >= 0) {
				int k = kick_rx();
				if (k < 0)
					return k;
				return r;
			}
			if (r != -EAGAIN)
				return r;
			if (spin_for_data())
				continue;
			int a = xenshm_map_arm_rx(&map_);
			if (a < 0)
				return a;
			if (a > 0)
				continue;
			int w = wait(dl, false);
			if (w == -ECONNRESET) {
				/* Drain what the peer left, then EOF. */
				r = map_.rx_mode == XENSHM_MODE_MESSAGE
					? xenshm_map_recv(&map_, buf, cap)
					: xenshm_map_read(&map_, buf, cap);
				return r == -EAGAIN ? 0 : r;
			}
			if (w)
				return w;
		}
	}

	/* Receive exactly @len bytes (stream mode). 0, -ENODATA on EOF, or errno. */
	[[nodiscard]] int recv_all(void *buf, size_t len, int timeout_ms = -1)
	{
		uint8_t *p = static_cast<uint8_t *>(buf);

		while (len) {
			ssize_t r = recv(p, len, timeout_ms);
			if (r < 0)
				return (int)r;
			if (r == 0)
				return -ENODATA;
			p += r;
			len -= (size_t)r;
		}
		return 0;
	}

	/*
	 * Zero copy, producer side: wait (sleeping while the ring is full) for
	 * free space and point *buf at it, in the shared ring. Stream mode: up
	 * to @len contiguous bytes (fewer at the ring's end or when less is
	 * free: the count is returned, > 0 for len > 0). Message mode: exactly
	 * @len bytes for one message. Produce into it, then commit().
	 * Returns the count, -ETIMEDOUT, -ECONNRESET, -EIO, -EMSGSIZE.
	 */
	[[nodiscard]] ssize_t reserve(size_t len, void **buf, int timeout_ms = -1)
	{
		Deadline dl(timeout_ms);

		for (;;) {
			ssize_t r = xenshm_map_reserve(&map_, len, buf);
			if (r != -EAGAIN)
				return r;
			size_t want = len;
			if (map_.tx_mode != XENSHM_MODE_MESSAGE) {
				size_t ds = xsr_ring_data_size(&map_.tx);
				want = want < ds ? want : ds;
			}
			if (spin_for_space(want))
				continue;
			int a = xenshm_map_arm_tx(&map_, want);
			if (a < 0)
				return a;
			if (a > 0)
				continue;
			int w = wait(dl, true);
			if (w)
				return w;
		}
	}

	/* Publish @len (<= reserved) bytes / the message; NOTIFY only if the
	 * peer asked. 0 or a negative errno. */
	[[nodiscard]] int commit(size_t len)
	{
		int r = xsr_tx_commit(&map_.tx, len);
		return r ? r : kick_tx();
	}

	/*
	 * Zero copy, consumer side: wait (sleeping while the ring is empty) for
	 * data and point *buf at it, in the shared ring. Stream mode: the
	 * contiguous readable bytes; message mode: the next message (its
	 * length). 0 = the peer hung up and everything was read (as recv()).
	 * The bytes belong to the peer: read each once and validate. Then
	 * release().
	 */
	[[nodiscard]] ssize_t peek(const void **buf, int timeout_ms = -1)
	{
		Deadline dl(timeout_ms);

		for (;;) {
			ssize_t r = xenshm_map_peek(&map_, buf);
			if (r != -EAGAIN)
				return r;
			if (spin_for_data())
				continue;
			int a = xenshm_map_arm_rx(&map_);
			if (a < 0)
				return a;
			if (a > 0)
				continue;
			int w = wait(dl, false);
			if (w == -ECONNRESET) {
				r = xenshm_map_peek(&map_, buf);
				return r == -EAGAIN ? 0 : r;
			}
			if (w)
				return w;
		}
	}

	/* Hand back @len (<= peeked) bytes; message mode: the whole message.
	 * NOTIFY only if the peer asked. 0 or a negative errno. */
	[[nodiscard]] int release(size_t len)
	{
		int r = xsr_rx_release(&map_.rx, len);
		return r ? r : kick_rx();
	}

	/* What the mmap path cost in system calls (since map() or the last
	 * reset_counters()). */
	struct Counters {
		uint64_t notifies = 0;	/* XENSHM_IOC_NOTIFY ioctls issued */
		uint64_t sleeps = 0;	/* poll() calls on the eventfd */
		uint64_t syscalls = 0;	/* all of them: NOTIFY, poll, eventfd reads */
	};
	const Counters &counters() const { return cnt_; }
	void reset_counters() { cnt_ = Counters(); }

	/*
	 * Before sleeping, poll the ring this many times (a peer running on
	 * another CPU often answers within microseconds; a sleep costs a
	 * NOTIFY ioctl on its side and an eventfd wakeup on ours). 0: never.
	 */
	void set_spin(unsigned int iterations) { spin_ = iterations; spin_us_ = 0; }
	/*
	 * Or poll for up to this long (busy-poll by time: what the peer's work
	 * between two events costs varies far more than a poll does, e.g.
	 * under emulation). 0: back to set_spin()'s iteration count.
	 */
	void set_spin_us(unsigned int us) { spin_us_ = us; }

private:
	static inline void cpu_relax()
	{
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#elif defined(__aarch64__)
		__asm__ __volatile__("yield" ::: "memory");
#endif
	}

	/* After producing/consuming: NOTIFY only if the peer asked (event index). */
	int kick_tx()
	{
		int r = xsr_tx_need_notify(&map_.tx);
		if (r <= 0)
			return r;
		cnt_.notifies++;
		cnt_.syscalls++;
		r = xenshm_notify(fd_, XENSHM_NOTIFY_FLAGS_TX);
		return r < 0 ? r : 0;
	}

	int kick_rx()
	{
		int r = xsr_rx_need_notify(&map_.rx);
		if (r <= 0)
			return r;
		cnt_.notifies++;
		cnt_.syscalls++;
		r = xenshm_notify(fd_, XENSHM_NOTIFY_FLAGS_RX);
		return r < 0 ? r : 0;
	}

	static long long now_ns()
	{
		timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
	}

	/* Poll @ready up to spin_ times, or for spin_us_ (clock read every 32 polls). */
	template <class F>
	bool spin(F ready)
	{
		if (spin_us_) {
			long long end = now_ns() + (long long)spin_us_ * 1000;
			for (unsigned int i = 1;; i++) {
				if (ready())
					return true;
				cpu_relax();
				if (!(i & 31) && now_ns() > end)
					return false;
			}
		}
		for (unsigned int i = 0; i < spin_; i++) {
			if (ready())
				return true;
			cpu_relax();
		}
		return false;
	}

	bool spin_for_data()
	{
		/* data, or an error the next call reports */
		return spin([this] { return xenshm_map_rx_avail(&map_) != 0; });
	}

	bool spin_for_space(size_t want)
	{
		return spin([this, want] {
			long s = xenshm_map_tx_space(&map_);
			return s < 0 || (size_t)s >= want;
		});
	}

	struct Deadline {
		long long end_ms;
		explicit Deadline(int timeout_ms)
			: end_ms(timeout_ms < 0 ? -1 : now_ms() + timeout_ms) {}
		int left() const
		{
			if (end_ms < 0)
				return -1;
			long long l = end_ms - now_ms();
			return l > 0 ? (int)l : 0;
		}
		static long long now_ms()
		{
			timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		}
	};

	/* Sleep on the eventfd; the device fd reports hang-up and errors. */
	int wait(const Deadline &dl, bool for_tx)
	{
		pollfd p[2] = { { efd_, POLLIN, 0 }, { fd_, 0, 0 } };
		int left = dl.left();

		if (left == 0)
			return -ETIMEDOUT;
		cnt_.sleeps++;
		cnt_.syscalls++;
		int n = ::poll(p, 2, left);
		if (n < 0)
			return errno == EINTR ? 0 : -errno;
		if (n == 0)
			return -ETIMEDOUT;
		if (p[0].revents & POLLIN) {
			uint64_t v;
			cnt_.syscalls++;
			(void)!::read(efd_, &v, sizeof(v));
		}
		if (p[1].revents & POLLERR)
			return -EIO;
		if (p[1].revents & POLLHUP)
			return -ECONNRESET;
		(void)for_tx;
		return 0;
	}

	void take(Channel &o)
	{
		fd_ = o.fd_;
		efd_ = o.efd_;
		mapped_ = o.mapped_;
		map_ = o.map_;
		spin_ = o.spin_;
		spin_us_ = o.spin_us_;
		cnt_ = o.cnt_;
		o.fd_ = -1;
		o.efd_ = -1;
		o.mapped_ = false;
	}

	int fd_ = -1;
	int efd_ = -1;
	bool mapped_ = false;
	unsigned int spin_ = 200;
	unsigned int spin_us_ = 0;
	Counters cnt_;
	struct xenshm_map map_{};
};

} // namespace xenshm

#endif
