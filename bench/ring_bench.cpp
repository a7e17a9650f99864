// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// Ring core throughput against references, all in the same run:
//   ring      xenshm ring (message mode) through the inline C++ API
//             (xenshm::ring::send_with/recv_with, a memcpy that is fixed-size
//             at 64 B), producer and consumer threads,
//             full validation, event-index notifications with
//             futex sleeps (spin first, then arm + re-check + sleep). Both
//             sides batch: the producer sends with XSR_MORE and publishes
//             prod + checks need_notify once per ~1 KiB (and before it
//             waits); the consumer receives with XSR_MORE, publishes cons
//             when drained (no fence) and checks need_notify every 16 KiB
//             and before it sleeps.
//   ring_facade  the same through the C facade (xsr_send/xsr_recv with the
//             xsr_copy_*_memcpy callbacks): the path C callers get.
//   ring_var  the inline API with lengths that vary message to message
//             (32, 40, ..., 96 B at "64": mean 64 B, the copy's length not
//             known in advance).
//   handoff   bare two-thread copy-in/copy-out over a byte buffer of the same
//             size: acquire/release indices (each side caches the other's
//             index), no framing, no validation, no notification (spins).
//   memcpy    one thread copying a message-sized buffer.
//   spsc      boost::lockfree::spsc_queue of message-sized elements (64 B,
//             1 KiB, 64 KiB; same 256 KiB of storage), push/pop.
//   pipe      a Linux pipe, write()/read() of one message at a time.
// Every variant moves the same bytes per message (copy in at the producer,
// copy out at the consumer; the consumer touches every byte it receives).
// Threads are pinned, producer on CPU 0 and consumer on CPU 1
// (BENCH_RING_PIN=0: not pinned), and every run measures how long its
// threads waited for a CPU ("runq_wait_pct").
// After the runs it prints one ratio per line (medians of the repetitions,
// with the spread), and writes every repetition as JSON next to the binary
// (ring_bench.json; BENCH_RING_JSON=path to change) for scripts/plot-bench.py.
// BENCH_RING_PAIRS=N runs paired instead (see register_pairs()): ring and a
// reference back to back, N times per size, and reports the median of the
// per-pair ratios with its spread.
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <linux/futex.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/lockfree/spsc_queue.hpp>

#include "xenshm/ring.hpp"
#include "xenshm/xsr.h"
#include "xenshm/xsr_mem.h"

namespace {

constexpr uint32_t kDataSize = 256 * 1024; // each ring's data area (and the handoff buffer)
constexpr size_t kBytesPerIter = 8u << 20;  // bytes moved per benchmark iteration

inline void cpu_relax()
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	asm volatile("yield" ::: "memory");
#endif
}

// Threads pinned (BENCH_RING_PIN, default 1 on a machine with >= 2 CPUs):
// the producer (the benchmark's own thread) on CPU 0, the consumer on CPU 1,
// so the scheduler cannot stack both on one CPU or move them mid-run.
bool g_pin = true;

inline void pin_self(int cpu)
{
	if (!g_pin)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

inline void pin_producer()
{
	pin_self(0);
}

inline void pin_consumer()
{
	pin_self(1);
}

// Time the calling thread was runnable but waited for a CPU, in ns (the
// second field of /proc/thread-self/schedstat; 0 where it does not exist).
// On a shared machine a run in which the threads waited measured the
// scheduler: counter "runq_wait_pct", both threads' waits as a percentage
// of the run's wall time.
inline uint64_t runq_wait_ns()
{
	char buf[128];
	const int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	const ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	unsigned long long run = 0, wait = 0;
	return std::sscanf(buf, "%llu %llu", &run, &wait) == 2 ? uint64_t(wait) : 0;
}

// Round trip of one cache line between the producer's and the consumer's
// CPU, in ns (median of 9 rounds of 200 round trips), measured before each
// two-thread run (counter "line_rtt_ns"). The host places this guest's two
// vCPUs near (sharing a cache) or far apart, and switches between the two
// for seconds at a time; a reference that moves a line per message
// (spsc_queue) runs several times slower far apart, so a ratio means
// something only next to the placement it was measured in.
inline double line_rtt_ns()
{
	struct alignas(128) Line {
		std::atomic<uint32_t> v{0};
	};
	Line ping;
	constexpr uint32_t kTrips = 200;
	std::thread echo([&] {
		pin_consumer();
		for (uint32_t i = 0; i < 9 * kTrips; i++) {
			for (uint64_t spins = 0; ping.v.load(std::memory_order_acquire) != 2 * i + 1;)
				if (++spins > (1u << 26))
					return; // the other side gave up
			ping.v.store(2 * i + 2, std::memory_order_release);
		}
	});
	std::vector<double> rounds;
	uint32_t i = 0;
	for (int r = 0; r < 9; r++) {
		timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (uint32_t k = 0; k < kTrips; k++, i++) {
			ping.v.store(2 * i + 1, std::memory_order_release);
			for (uint64_t spins = 0; ping.v.load(std::memory_order_acquire) != 2 * i + 2;)
				if (++spins > (1u << 26)) {
					echo.join();
					return 0;
				}
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		rounds.push_back((double(b.tv_sec - a.tv_sec) * 1e9 + double(b.tv_nsec - a.tv_nsec)) / kTrips);
	}
	echo.join();
	std::sort(rounds.begin(), rounds.end());
	return rounds[rounds.size() / 2];
}

// The consumer's wait, stored when its lambda returns.
struct RunqWait {
	std::atomic<uint64_t> &out;
	uint64_t start = runq_wait_ns();
	~RunqWait() { out.store(runq_wait_ns() - start); }
};

struct Bell {
	alignas(64) std::atomic<uint32_t> seq{0};
	void ring()
	{
		seq.fetch_add(1, std::memory_order_seq_cst);
		syscall(SYS_futex, reinterpret_cast<uint32_t *>(&seq), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
	}
	uint32_t read() { return seq.load(std::memory_order_seq_cst); }
	void wait(uint32_t v)
	{
		syscall(SYS_futex, reinterpret_cast<uint32_t *>(&seq), FUTEX_WAIT_PRIVATE, v, nullptr, nullptr, 0);
	}
};

// ring: how long a side polls before it arms and sleeps (BENCH_RING_SPIN_US).
// Sleeping is cheap for the CPU but a futex wake of an idle vCPU costs tens of
// microseconds here, so both sides poll a while first (adaptive spinning).
long g_spin_ns = 50000;
// ring consumer: publish cons at least every this many bytes while draining.
uint32_t g_publish_every = kDataSize / 16;

inline uint64_t now_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

// Poll pred() for up to g_spin_ns; true as soon as it holds.
template <typename F>
bool spin_for(F pred)
{
	const uint64_t end = now_ns() + uint64_t(g_spin_ns);
	for (unsigned i = 1;; i++) {
		if (pred())
			return true;
		cpu_relax();
		if (!(i & 63) && now_ns() > end)
			return false;
	}
}
// ring producer: bytes per publish of prod (BENCH_RING_TX_BATCH, default
// 1 KiB: 16 messages of 64 B, every message of 1 KiB and up; a plain
// store-release), bytes per notification check (BENCH_RING_TX_CHECK, default
// 16 KiB: publish + full fence + event word, as the consumer's
// publish_every), and whether prod is published only then (default,
// BENCH_RING_TX_MORE=1) or after every message as well (BENCH_RING_TX_MORE=0).
// The check also runs before the producer waits and at the end of a burst,
// so no wakeup is lost; a consumer that fell asleep mid-stream is woken
// within 16 KiB of production.
unsigned g_tx_batch = 1024;
unsigned g_tx_check = 16384;
unsigned g_tx_more = XSR_MORE;
// ring consumer: need_notify (full fence) on every drain too
// (BENCH_RING_DRAIN_CHECK=1; default: only every publish_every bytes and
// before sleeping).
bool g_drain_check = false;

// Spin-waiting of the references: poll, and only after ~a million polls
// give the CPU away (sched_yield) in case the peer thread was descheduled.
// (Yielding early hands whole time slices to other processes on a busy
// machine; run the benchmark niced, see docs/benchmarks.md.)
struct Backoff {
	int n = 0;
	void pause()
	{
		if (++n < (1 << 20)) { // ~ milliseconds of polling
			cpu_relax();
		} else {
			n = 0;
			sched_yield();
		}
	}
};

// Consumer touches every byte (sums 8-byte words) so no variant can skip it.
inline uint64_t touch(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	for (size_t i = 0; i + 8 <= n; i += 64) {
		uint64_t w;
		std::memcpy(&w, p + i, 8);
		s += w;
	}
	return s;
}

std::atomic<uint64_t> g_sink{0};

// The harness's own shared words (stop flag, consumed count), each alone on
// its 128-byte line. On the producer's stack they shared a line with its
// spilled loop counters, which it writes every message, while the consumer
// polls `stop` every message: a line bouncing per message that belonged to
// the harness, not to any variant (it halved BM_ring at 64 B).
template <typename T>
struct alignas(128) own_line : std::atomic<T> {
	using std::atomic<T>::atomic;
	using std::atomic<T>::operator=;
};

// Bench bookkeeping of the spinning references' consumers ("consumed", read by
// the producer only at the end of an iteration): stored every 256 messages and
// when idle, as the ring's consumer does per batch, so no variant pays an
// extra shared-line store per message for the harness.
inline void report_busy(std::atomic<uint64_t> &consumed, uint64_t got)
{
	if (!(got & 255))
		consumed.store(got, std::memory_order_release);
}

inline void report_idle(std::atomic<uint64_t> &consumed, uint64_t got)
{
	if (consumed.load(std::memory_order_relaxed) != got)
		consumed.store(got, std::memory_order_release);
}

size_t msgs_per_iter(size_t msg)
{
	return kBytesPerIter / msg;
}

// ------------------------------------------------------------------ ring
// The copy a C++ caller with fixed-size messages writes: a 64-byte memcpy
// the compiler inlines (any other length still copies exactly n bytes).
inline int copy_fixed64(void *d, const void *s, size_t n)
{
	if (n == 64)
		std::memcpy(d, s, 64);
	else
		std::memcpy(d, s, n);
	return 0;
}

// ring: the C facade, every call out of line, copy through a callback.
struct FacadeApi {
	static long send(xsr_ring *r, const void *s, size_t n, unsigned fl)
	{
		return xsr_send(r, s, n, xsr_copy_in_memcpy, nullptr, fl);
	}
	static long recv(xsr_ring *r, void *d, size_t cap, unsigned fl)
	{
		return xsr_recv(r, d, cap, xsr_copy_out_memcpy, nullptr, fl);
	}
	static void tx_flush(xsr_ring *r) { xsr_tx_flush(r); }
	static void rx_flush(xsr_ring *r) { xsr_rx_flush(r); }
	static int tx_need_notify(xsr_ring *r) { return xsr_tx_need_notify(r); }
	static int rx_need_notify(xsr_ring *r) { return xsr_rx_need_notify(r); }
	static long tx_space(xsr_ring *r) { return xsr_tx_space(r); }
	static long rx_avail(xsr_ring *r) { return xsr_rx_avail(r); }
	static int tx_arm(xsr_ring *r, size_t want) { return xsr_tx_arm(r, want); }
	static int rx_arm(xsr_ring *r) { return xsr_rx_arm(r); }
};

// ring: the C++ API on the same handles. send/recv are the inline templates
// (the facade's xsr_send/xsr_recv are these very templates instantiated with
// the callback); the rarely called rest are the out-of-line members.
struct InlineApi {
	static long send(xsr_ring *r, const void *s, size_t n, unsigned fl)
	{
		return xenshm::ring::of(r)->send_with(s, n, [](void *d, const void *p, size_t k) {
			return copy_fixed64(d, p, k);
		}, fl & XSR_MORE);
	}
	static long recv(xsr_ring *r, void *d, size_t cap, unsigned fl)
	{
		return xenshm::ring::of(r)->recv_with(d, cap, [](void *p, const void *q, size_t k) {
			return copy_fixed64(p, q, k);
		}, fl & XSR_MORE);
	}
	static void tx_flush(xsr_ring *r) { xenshm::ring::of(r)->tx_flush(); }
	static void rx_flush(xsr_ring *r) { xenshm::ring::of(r)->rx_flush(); }
	static int tx_need_notify(xsr_ring *r) { return xenshm::ring::of(r)->tx_need_notify(); }
	static int rx_need_notify(xsr_ring *r) { return xenshm::ring::of(r)->rx_need_notify(); }
	static long tx_space(xsr_ring *r) { return xenshm::ring::of(r)->tx_space(); }
	static long rx_avail(xsr_ring *r) { return xenshm::ring::of(r)->rx_avail(); }
	static int tx_arm(xsr_ring *r, size_t want) { return xenshm::ring::of(r)->tx_arm(want); }
	static int rx_arm(xsr_ring *r) { return xenshm::ring::of(r)->rx_arm(); }
};

// vary: message lengths cycle through msg/2, msg/2 + msg/8, ..., 3*msg/2
// (nine lengths, mean msg), so the copies are of a length not known in
// advance and the records of different sizes (BM_ring_var).
template <typename Api>
void BM_ring_impl(benchmark::State &st, bool vary = false)
{
	const size_t msg = size_t(st.range(0));
	const size_t step = vary ? msg / 8 : 0, len0 = vary ? msg / 2 : msg, maxlen = len0 + 8 * step;
	const uint64_t region_size = 8192 + 2ull * kDataSize;
	auto *mem = static_cast<uint8_t *>(std::aligned_alloc(4096, region_size));
	std::memset(mem, 0, region_size);
	xsr_region ra, rb;
	uint32_t ep;
	if (xsr_region_init(&ra, mem, region_size) || xsr_region_validate(&rb, mem, region_size) ||
	    xsr_slot_claim(&ra, 0, 1, 2, XSR_SLOT_FLAG_TX_MESSAGE, &ep) != 0 ||
	    xsr_slot_claim(&rb, 1, 2, 1, 0, &ep) != 1) {
		st.SkipWithError("region setup");
		std::free(mem);
		return;
	}
	// The handles are written on every call by different threads: keep them
	// on separate cache lines (see xsr.h).
	alignas(128) xsr_ring tx;
	alignas(128) xsr_ring rx;
	if (xsr_ring_attach(&tx, &ra, 0, XSR_TX, XSR_MODE_MESSAGE) ||
	    xsr_ring_attach(&rx, &rb, 1, XSR_RX, XSR_MODE_MESSAGE)) {
		st.SkipWithError("ring attach");
		std::free(mem);
		return;
	}
	Bell to_cons, to_prod;
	own_line<uint64_t> consumed{0};
	own_line<bool> stop{false};
	uint64_t notes = 0, prod_sleeps = 0;
	std::atomic<uint64_t> cons_sleeps{0}, cons_notes{0};
	std::vector<uint8_t> src(maxlen, 0x3c);

	pin_producer();
	st.counters["line_rtt_ns"] = line_rtt_ns();
	std::atomic<uint64_t> cons_wait{0};
	const uint64_t prod_wait0 = runq_wait_ns(), wall0 = now_ns();
	std::thread cons([&] {
		pin_consumer();
		RunqWait rw{cons_wait};
		std::vector<uint8_t> dst(maxlen);
		uint64_t got = 0, sum = 0;
		uint32_t since = 0;
		const uint32_t publish_every = g_publish_every;
		while (!stop.load(std::memory_order_relaxed)) {
			long r = Api::recv(&rx, dst.data(), dst.size(), XSR_MORE);
			if (r >= 0) {
				sum += touch(dst.data(), size_t(r));
				got++;
				since += uint32_t(r) + 8;
				if (since >= publish_every) {
					since = 0;
					consumed.store(got, std::memory_order_release);
					if (Api::rx_need_notify(&rx)) {
						cons_notes++;
						to_prod.ring();
					}
				}
				continue;
			}
			// Drained: publish cons (a plain store-release, no fence) and
			// poll a while. A producer waiting for space is woken by the
			// need_notify check every publish_every bytes above, or by the
			// one before sleeping below (need_notify covers all progress
			// since the previous check, published or not).
			if (g_drain_check) { // the old way: fence + check on every drain
				since = 0;
				if (Api::rx_need_notify(&rx)) {
					cons_notes++;
					to_prod.ring();
				}
			} else {
				Api::rx_flush(&rx);
			}
			consumed.store(got, std::memory_order_release);
			if (spin_for([&] { return Api::rx_avail(&rx) > 0 || stop.load(std::memory_order_relaxed); }))
				continue;
			since = 0;
			if (Api::rx_need_notify(&rx)) {
				cons_notes++;
				to_prod.ring();
			}
			const uint32_t v = to_cons.read();
			if (Api::rx_arm(&rx) == 0 && !stop.load()) {
				cons_sleeps++;
				to_cons.wait(v);
			}
		}
		g_sink += sum;
	});

	auto kick = [&] {
		if (Api::tx_need_notify(&tx)) {
			notes++;
			to_cons.ring();
		}
	};
	uint64_t sent = 0, bytes = 0;
	unsigned since_check = 0, since_pub = 0; // bytes sent since the last check / publish
	size_t len = len0, k = 0;
	for (auto _ : st) {
		const size_t n = msgs_per_iter(msg);
		for (size_t i = 0; i < n; i++) {
			for (;;) {
				long r = Api::send(&tx, src.data(), len, g_tx_more);
				if (r >= 0)
					break;
				if (since_check) { // before waiting: publish and kick
					since_check = since_pub = 0;
					kick();
				}
				if (spin_for([&] { return Api::tx_space(&tx) >= long(len); }))
					continue;
				const uint32_t v = to_prod.read();
				if (Api::tx_arm(&tx, len) == 0) {
					prod_sleeps++;
					to_prod.wait(v);
				}
			}
			// Notification check (publish + full fence + event word) once per
			// g_tx_check bytes, like RING_PUSH_REQUESTS_AND_CHECK_NOTIFY
			// after a batch; always before waiting and at the end. In
			// between, publish prod every g_tx_batch bytes (no fence).
			since_check += unsigned(len);
			since_pub += unsigned(len);
			bytes += len;
			if (vary) {
				if (++k == 9)
					k = 0;
				len = len0 + k * step;
			}
			if (since_check >= g_tx_check) {
				since_check = since_pub = 0;
				kick();
			} else if (since_pub >= g_tx_batch) {
				since_pub = 0;
				Api::tx_flush(&tx);
			}
		}
		if (since_check) {
			since_check = since_pub = 0;
			kick();
		}
		sent += n;
		for (Backoff b; consumed.load(std::memory_order_acquire) < sent;)
			b.pause();
	}
	stop = true;
	to_cons.ring();
	cons.join();
	st.counters["runq_wait_pct"] =
		100.0 * double(runq_wait_ns() - prod_wait0 + cons_wait.load()) / double(now_ns() - wall0 + 1);
	st.SetBytesProcessed(int64_t(bytes));
	st.SetItemsProcessed(int64_t(sent));
	// Notifications in both directions (each would be an event channel send).
	st.counters["notify_per_msg"] = double(notes + cons_notes.load()) / double(sent ? sent : 1);
	st.counters["notify_p2c"] = double(notes);
	st.counters["notify_c2p"] = double(cons_notes.load());
	st.counters["sleeps_p"] = double(prod_sleeps);
	st.counters["sleeps_c"] = double(cons_sleeps.load());
	std::free(mem);
}

void BM_ring(benchmark::State &st)
{
	BM_ring_impl<InlineApi>(st);
}

void BM_ring_facade(benchmark::State &st)
{
	BM_ring_impl<FacadeApi>(st);
}

void BM_ring_var(benchmark::State &st)
{
	BM_ring_impl<InlineApi>(st, true);
}

// ------------------------------------------------------------------ handoff
struct Handoff {
	alignas(128) std::atomic<uint32_t> prod{0};
	alignas(128) std::atomic<uint32_t> cons{0};
	alignas(128) uint8_t buf[kDataSize];
};

void BM_handoff(benchmark::State &st)
{
	const size_t msg = size_t(st.range(0));
	auto *h = new Handoff;
	own_line<uint64_t> consumed{0};
	own_line<bool> stop{false};
	std::vector<uint8_t> src(msg, 0x3c);
	const uint32_t mask = kDataSize - 1;

	pin_producer();
	st.counters["line_rtt_ns"] = line_rtt_ns();
	std::atomic<uint64_t> cons_wait{0};
	const uint64_t prod_wait0 = runq_wait_ns(), wall0 = now_ns();
	std::thread cons([&] {
		pin_consumer();
		RunqWait rw{cons_wait};
		std::vector<uint8_t> dst(msg);
		uint32_t c = 0, p = 0;
		uint64_t got = 0, sum = 0;
		Backoff b;
		while (!stop.load(std::memory_order_relaxed)) {
			if (p - c < msg) {
				p = h->prod.load(std::memory_order_acquire);
				if (p - c < msg) {
					report_idle(consumed, got);
					b.pause();
					continue;
				}
			}
			const uint32_t off = c & mask, first = std::min<uint32_t>(uint32_t(msg), kDataSize - off);
			std::memcpy(dst.data(), h->buf + off, first);
			std::memcpy(dst.data() + first, h->buf, msg - first);
			c += uint32_t(msg);
			h->cons.store(c, std::memory_order_release);
			sum += touch(dst.data(), msg);
			report_busy(consumed, ++got);
		}
		g_sink += sum;
	});

	uint32_t p = 0, c = 0;
	uint64_t sent = 0;
	for (auto _ : st) {
		const size_t n = msgs_per_iter(msg);
		for (size_t i = 0; i < n; i++) {
			for (Backoff b; kDataSize - (p - c) < msg;) {
				c = h->cons.load(std::memory_order_acquire);
				if (kDataSize - (p - c) < msg)
					b.pause();
			}
			const uint32_t off = p & mask, first = std::min<uint32_t>(uint32_t(msg), kDataSize - off);
			std::memcpy(h->buf + off, src.data(), first);
			std::memcpy(h->buf, src.data() + first, msg - first);
			p += uint32_t(msg);
			h->prod.store(p, std::memory_order_release);
		}
		sent += n;
		for (Backoff b; consumed.load(std::memory_order_acquire) < sent;)
			b.pause();
	}
	stop = true;
	cons.join();
	st.counters["runq_wait_pct"] =
		100.0 * double(runq_wait_ns() - prod_wait0 + cons_wait.load()) / double(now_ns() - wall0 + 1);
	st.SetBytesProcessed(int64_t(sent * msg));
	st.SetItemsProcessed(int64_t(sent));
	delete h;
}

// ------------------------------------------------------------------ memcpy
void BM_memcpy(benchmark::State &st)
{
	const size_t msg = size_t(st.range(0));
	std::vector<uint8_t> src(msg, 0x3c), dst(msg);
	uint64_t done = 0;
	pin_producer();
	for (auto _ : st) {
		const size_t n = msgs_per_iter(msg);
		for (size_t i = 0; i < n; i++) {
			std::memcpy(dst.data(), src.data(), msg);
			benchmark::ClobberMemory();
		}
		done += n;
	}
	st.SetBytesProcessed(int64_t(done * msg));
	st.SetItemsProcessed(int64_t(done));
}

// ------------------------------------------------------------------ spsc_queue
// Elements of the message size, capacity the ring's data area in messages
// (boost's compile-time capacity<N> holds N messages in N + 1 slots: at
// 64 KiB that is 4 messages where the ring fits 3 records per lap, the
// reference's advantage is left in).
template <size_t N>
struct Msg {
	uint8_t b[N];
};

template <size_t N>
void BM_spsc_impl(benchmark::State &st)
{
	using Q = boost::lockfree::spsc_queue<Msg<N>, boost::lockfree::capacity<kDataSize / N>>;
	auto *q = new Q;
	own_line<uint64_t> consumed{0};
	own_line<bool> stop{false};
	auto *src = new Msg<N>;
	std::memset(src->b, 0x3c, N);
	pin_producer();
	st.counters["line_rtt_ns"] = line_rtt_ns();
	std::atomic<uint64_t> cons_wait{0};
	const uint64_t prod_wait0 = runq_wait_ns(), wall0 = now_ns();
	std::thread cons([&] {
		pin_consumer();
		RunqWait rw{cons_wait};
		auto *m = new Msg<N>;
		uint64_t got = 0, sum = 0;
		Backoff b;
		while (!stop.load(std::memory_order_relaxed)) {
			if (q->pop(*m)) {
				sum += touch(m->b, N);
				report_busy(consumed, ++got);
			} else {
				report_idle(consumed, got);
				b.pause();
			}
		}
		g_sink += sum;
		delete m;
	});
	uint64_t sent = 0;
	for (auto _ : st) {
		const size_t n = msgs_per_iter(N);
		for (size_t i = 0; i < n; i++)
			for (Backoff b; !q->push(*src);)
				b.pause();
		sent += n;
		for (Backoff b; consumed.load(std::memory_order_acquire) < sent;)
			b.pause();
	}
	stop = true;
	cons.join();
	st.counters["runq_wait_pct"] =
		100.0 * double(runq_wait_ns() - prod_wait0 + cons_wait.load()) / double(now_ns() - wall0 + 1);
	st.SetBytesProcessed(int64_t(sent * N));
	st.SetItemsProcessed(int64_t(sent));
	delete src;
	delete q;
}

void BM_spsc(benchmark::State &st)
{
	switch (st.range(0)) {
	case 64:
		return BM_spsc_impl<64>(st);
	case 1024:
		return BM_spsc_impl<1024>(st);
	case 65536:
		return BM_spsc_impl<65536>(st);
	default:
		st.SkipWithError("spsc: size not instantiated");
	}
}

// ------------------------------------------------------------------ pipe
void BM_pipe(benchmark::State &st)
{
	const size_t msg = size_t(st.range(0));
	int fds[2];
	if (pipe(fds)) {
		st.SkipWithError("pipe");
		return;
	}
	own_line<uint64_t> consumed{0};
	std::vector<uint8_t> src(msg, 0x3c);
	pin_producer();
	st.counters["line_rtt_ns"] = line_rtt_ns();
	std::atomic<uint64_t> cons_wait{0};
	const uint64_t prod_wait0 = runq_wait_ns(), wall0 = now_ns();
	std::thread cons([&] {
		pin_consumer();
		RunqWait rw{cons_wait};
		std::vector<uint8_t> dst(msg);
		uint64_t got = 0, sum = 0;
		for (;;) {
			size_t have = 0;
			while (have < msg) {
				ssize_t r = read(fds[0], dst.data() + have, msg - have);
				if (r <= 0) {
					g_sink += sum;
					return;
				}
				have += size_t(r);
			}
			sum += touch(dst.data(), msg);
			consumed.store(++got, std::memory_order_release);
		}
	});
	uint64_t sent = 0;
	for (auto _ : st) {
		const size_t n = msgs_per_iter(msg) / 16; // pipes are slow: fewer per iteration
		for (size_t i = 0; i < n; i++)
			if (write(fds[1], src.data(), msg) != ssize_t(msg))
				std::abort();
		sent += n;
		for (Backoff b; consumed.load(std::memory_order_acquire) < sent;)
			b.pause();
	}
	close(fds[1]);
	cons.join();
	st.counters["runq_wait_pct"] =
		100.0 * double(runq_wait_ns() - prod_wait0 + cons_wait.load()) / double(now_ns() - wall0 + 1);
	close(fds[0]);
	st.SetBytesProcessed(int64_t(sent * msg));
	st.SetItemsProcessed(int64_t(sent));
}

// ------------------------------------------------------------------ reporting
// The console shows the aggregates; this collects, per benchmark, the median,
// min and max over the repetitions of bytes/s and of the ring's counters.
struct Collector : benchmark::ConsoleReporter {
	struct Agg {
		double med = 0, lo = 0, hi = 0;
	};
	std::map<std::string, Agg> bps;
	std::map<std::string, std::map<std::string, double>> counters; // medians
	// Paired mode: every run in the order it ran (name without /real_time).
	struct One {
		std::string name;
		double bps, wait_pct, rtt;
	};
	std::vector<One> seq;
	void ReportRuns(const std::vector<Run> &runs) override
	{
		for (const Run &r : runs) {
			if (r.run_type != Run::RT_Aggregate) {
				auto it = r.counters.find("bytes_per_second");
				auto pre = r.counters.find("runq_wait_pct"), rtt = r.counters.find("line_rtt_ns");
				if (it != r.counters.end() && !r.error_occurred)
					seq.push_back({r.run_name.function_name + "/" + r.run_name.args, it->second.value,
						       pre != r.counters.end() ? pre->second.value : 0,
						       rtt != r.counters.end() ? rtt->second.value : 0});
				continue;
			}
			std::string name = r.run_name.function_name + "/" + r.run_name.args;
			auto it = r.counters.find("bytes_per_second");
			if (it != r.counters.end()) {
				if (r.aggregate_name == "median")
					bps[name].med = it->second.value;
				else if (r.aggregate_name == "min")
					bps[name].lo = it->second.value;
				else if (r.aggregate_name == "max")
					bps[name].hi = it->second.value;
			}
			if (r.aggregate_name == "median")
				for (auto &c : r.counters)
					counters[name][c.first] = c.second.value;
		}
		ConsoleReporter::ReportRuns(runs);
	}
};

} // namespace

// Per-repetition extremes (of each measure: for rates "max" is the best
// repetition, "min" the worst).
double min_of(const std::vector<double> &v)
{
	return v.empty() ? 0 : *std::min_element(v.begin(), v.end());
}
double max_of(const std::vector<double> &v)
{
	return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

#define STATS ComputeStatistics("min", min_of)->ComputeStatistics("max", max_of)
static void register_all()
{
	benchmark::RegisterBenchmark("BM_ring", BM_ring)->Arg(64)->Arg(1024)->Arg(65536)->UseRealTime()->STATS;
	benchmark::RegisterBenchmark("BM_ring_facade", BM_ring_facade)->Arg(64)->UseRealTime()->STATS;
	benchmark::RegisterBenchmark("BM_ring_var", BM_ring_var)->Arg(64)->UseRealTime()->STATS;
	benchmark::RegisterBenchmark("BM_handoff", BM_handoff)->Arg(64)->Arg(1024)->Arg(65536)->UseRealTime()->STATS;
	benchmark::RegisterBenchmark("BM_memcpy", BM_memcpy)->Arg(64)->Arg(1024)->Arg(65536)->STATS;
	benchmark::RegisterBenchmark("BM_spsc", BM_spsc)->Arg(64)->Arg(1024)->Arg(65536)->UseRealTime()->STATS;
	benchmark::RegisterBenchmark("BM_pipe", BM_pipe)->Arg(64)->UseRealTime()->STATS;
}

// Paired mode (BENCH_RING_PAIRS=N): N pairs per size, each pair variant A
// then reference B back to back (A, B, A, B, ...; one repetition each), so
// both halves of a pair see the same machine; the verdict is the median of
// the per-pair ratios A/B with its spread. BENCH_RING_PAIR_A (ring,
// ring_facade, ring_var; default ring), BENCH_RING_PAIR_B (spsc, handoff;
// default spsc), BENCH_RING_PAIR_SIZES (default 64,1024,65536).
using bench_fn = void (*)(benchmark::State &);
static bench_fn variant(const std::string &v)
{
	if (v == "ring")
		return BM_ring;
	if (v == "ring_facade")
		return BM_ring_facade;
	if (v == "ring_var")
		return BM_ring_var;
	if (v == "spsc")
		return BM_spsc;
	if (v == "handoff")
		return BM_handoff;
	return nullptr;
}

static std::string env_or(const char *name, const char *def)
{
	const char *v = std::getenv(name);
	return v && *v ? v : def;
}

static std::vector<long> pair_sizes()
{
	std::vector<long> out;
	std::string s = env_or("BENCH_RING_PAIR_SIZES", "64,1024,65536");
	for (size_t i = 0; i < s.size();) {
		size_t j = s.find(',', i);
		if (j == std::string::npos)
			j = s.size();
		out.push_back(std::atol(s.substr(i, j - i).c_str()));
		i = j + 1;
	}
	return out;
}

static bool register_pairs(int pairs, std::string &a, std::string &b)
{
	a = env_or("BENCH_RING_PAIR_A", "ring");
	b = env_or("BENCH_RING_PAIR_B", "spsc");
	bench_fn fa = variant(a), fb = variant(b);
	if (!fa || !fb)
		return false;
	const std::string na = "BM_" + a, nb = "BM_" + b;
	for (int k = 0; k < pairs; k++)
		for (long sz : pair_sizes()) {
			benchmark::RegisterBenchmark(na.c_str(), fa)->Arg(sz)->UseRealTime();
			benchmark::RegisterBenchmark(nb.c_str(), fb)->Arg(sz)->UseRealTime();
		}
	return true;
}

static double quantile(std::vector<double> v, double q)
{
	std::sort(v.begin(), v.end());
	const double pos = q * double(v.size() - 1);
	const size_t i = size_t(pos);
	const double f = pos - double(i);
	return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

static void print_ratios(const char *what, std::map<long, std::vector<double>> &ratios,
			 std::map<long, std::vector<double>> &bps_a, std::map<long, std::vector<double>> &bps_b,
			 const std::string &a, const std::string &b)
{
	std::printf("%s\n", what);
	for (auto &[n, v] : ratios) {
		if (v.empty())
			continue;
		std::printf("  %s/%s %6ld B: %.2f [%.2f .. %.2f] {%.2f .. %.2f}  %2zu pairs;  median MB/s %s %.0f, %s %.0f\n",
			    a.c_str(), b.c_str(), n, quantile(v, 0.5), quantile(v, 0.25), quantile(v, 0.75),
			    quantile(v, 0), quantile(v, 1), v.size(), a.c_str(), quantile(bps_a[n], 0.5) / 1e6,
			    b.c_str(), quantile(bps_b[n], 0.5) / 1e6);
	}
}

// Pairs in which the threads of neither run waited for a CPU more than
// BENCH_RING_CLEAN percent of the run (runq_wait_pct; default 2) are
// reported apart: on a shared machine the spinning references collapse when
// a thread of theirs waits, the ring much less, so a disturbed pair measures
// the scheduler rather than the queues. Those are split by vCPU placement
// (line_rtt_ns above BENCH_RING_FAR_NS, default 250: far apart).
static void report_pairs(const Collector &rep, const std::string &a, const std::string &b)
{
	const double clean_max = std::atof(env_or("BENCH_RING_CLEAN", "2").c_str());
	const double far_ns = std::atof(env_or("BENCH_RING_FAR_NS", "250").c_str());
	// [0] all pairs, [1] undisturbed near, [2] undisturbed far
	std::map<long, std::vector<double>> ratios[3], bps_a[3], bps_b[3];
	const auto &seq = rep.seq;
	for (size_t i = 0; i + 1 < seq.size(); i += 2) {
		const std::string &x = seq[i].name, &y = seq[i + 1].name;
		const std::string sx = x.substr(x.find('/') + 1), sy = y.substr(y.find('/') + 1);
		if (x.rfind("BM_" + a + "/", 0) || y.rfind("BM_" + b + "/", 0) || sx != sy || seq[i + 1].bps <= 0) {
			std::printf("pairs out of step at run %zu (%s, %s)\n", i, x.c_str(), y.c_str());
			return;
		}
		const long key = std::atol(sx.c_str());
		const double r = seq[i].bps / seq[i + 1].bps;
		int cls[2] = {0, -1};
		if (seq[i].wait_pct <= clean_max && seq[i + 1].wait_pct <= clean_max) {
			const bool far_a = seq[i].rtt > far_ns, far_b = seq[i + 1].rtt > far_ns;
			if (far_a == far_b) // a pair split across a placement change is neither
				cls[1] = far_a ? 2 : 1;
		}
		for (int c : cls) {
			if (c < 0)
				continue;
			ratios[c][key].push_back(r);
			bps_a[c][key].push_back(seq[i].bps);
			bps_b[c][key].push_back(seq[i + 1].bps);
		}
	}
	std::printf("\npaired runs (%s, %s, %s, ...), threads %s: per-pair ratio %s/%s, median [IQR] {min .. max}\n",
		    a.c_str(), b.c_str(), a.c_str(), g_pin ? "pinned (producer CPU 0, consumer CPU 1)" : "not pinned",
		    a.c_str(), b.c_str());
	print_ratios("all pairs:", ratios[0], bps_a[0], bps_b[0], a, b);
	const std::string clean = "undisturbed pairs (threads waited for a CPU <= " + env_or("BENCH_RING_CLEAN", "2") +
				  " % of each run), ";
	const std::string near = clean + "CPUs near (line round trip <= " + env_or("BENCH_RING_FAR_NS", "250") +
				 " ns in both runs):";
	const std::string far = clean + "CPUs far apart (line round trip > " + env_or("BENCH_RING_FAR_NS", "250") +
				" ns in both runs):";
	print_ratios(near.c_str(), ratios[1], bps_a[1], bps_b[1], a, b);
	print_ratios(far.c_str(), ratios[2], bps_a[2], bps_b[2], a, b);
}

int main(int argc, char **argv)
{
	std::vector<char *> args(argv, argv + argc);
	std::string reps = "--benchmark_repetitions=9", aggr = "--benchmark_display_aggregates_only=true";
	std::string mint = "--benchmark_min_time=0.2";
	std::string out = "--benchmark_out=", fmt = "--benchmark_out_format=json";
	bool user_reps = false, user_out = false;
	for (int i = 1; i < argc; i++) {
		if (!std::strncmp(argv[i], "--benchmark_repetitions", 23))
			user_reps = true;
		if (!std::strncmp(argv[i], "--benchmark_out=", 16))
			user_out = true;
	}
	if (!user_reps) {
		args.push_back(reps.data());
		args.push_back(aggr.data());
		args.push_back(mint.data());
	}
	if (!user_out) {
		// Next to the binary unless BENCH_RING_JSON says otherwise.
		if (const char *j = std::getenv("BENCH_RING_JSON")) {
			out += j;
		} else {
			char exe[4096];
			ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
			std::string dir = n > 0 ? std::string(exe, size_t(n)) : std::string("./x");
			out += dir.substr(0, dir.rfind('/') + 1) + "ring_bench.json";
		}
		args.push_back(out.data());
		args.push_back(fmt.data());
	}
	int pairs = 0;
	if (const char *pp = std::getenv("BENCH_RING_PAIRS"))
		pairs = std::atoi(pp);
	if (pairs > 0 && !user_reps) { // one repetition per run: the pairs are the repetitions
		args.erase(std::find(args.begin(), args.end(), reps.data()));
		args.erase(std::find(args.begin(), args.end(), aggr.data()));
	}
	if (const char *pin = std::getenv("BENCH_RING_PIN"))
		g_pin = std::atoi(pin) != 0;
	if (std::thread::hardware_concurrency() < 2)
		g_pin = false;
	std::string pa, pb;
	if (pairs > 0) {
		if (!register_pairs(pairs, pa, pb)) {
			std::fprintf(stderr, "BENCH_RING_PAIR_A/B: unknown variant\n");
			return 2;
		}
	} else {
		register_all();
	}
	int ac = int(args.size());
	benchmark::Initialize(&ac, args.data());
	if (const char *b = std::getenv("BENCH_RING_TX_BATCH"))
		g_tx_batch = std::atoi(b) > 0 ? unsigned(std::atoi(b)) : 1;
	if (const char *c = std::getenv("BENCH_RING_TX_CHECK"))
		g_tx_check = std::atoi(c) > 0 ? unsigned(std::atoi(c)) : 1;
	if (const char *m = std::getenv("BENCH_RING_TX_MORE"))
		g_tx_more = std::atoi(m) ? XSR_MORE : 0;
	if (const char *dc = std::getenv("BENCH_RING_DRAIN_CHECK"))
		g_drain_check = std::atoi(dc) != 0;
	if (const char *sp = std::getenv("BENCH_RING_SPIN_US"))
		g_spin_ns = std::atol(sp) * 1000;
	if (const char *pe = std::getenv("BENCH_RING_PUBLISH_EVERY"))
		g_publish_every = std::atoi(pe) > 0 ? uint32_t(std::atoi(pe)) : g_publish_every;
	Collector rep;
	benchmark::RunSpecifiedBenchmarks(&rep);
	benchmark::Shutdown();
	if (pairs > 0) {
		report_pairs(rep, pa, pb);
		return 0;
	}

	// Ratio of the medians; in brackets the range from the worst to the
	// best repetition pairing (min/max and max/min).
	auto ratio = [&](const char *label, const std::string &a, const std::string &b) {
		if (!rep.bps.count(a) || !rep.bps.count(b) || rep.bps[b].med <= 0)
			return;
		const auto &x = rep.bps[a], &y = rep.bps[b];
		std::printf("%s: %.2f  [%.2f .. %.2f]\n", label, x.med / y.med,
			    y.hi > 0 ? x.lo / y.hi : 0.0, y.lo > 0 ? x.hi / y.lo : 0.0);
	};
	std::printf("\nratios of the medians of the repetitions (bytes/s) [worst .. best pairing]:\n");
	ratio("ring/handoff 64B", "BM_ring/64", "BM_handoff/64");
	ratio("ring/handoff 1KiB", "BM_ring/1024", "BM_handoff/1024");
	ratio("ring/handoff 64KiB", "BM_ring/65536", "BM_handoff/65536");
	ratio("ring/memcpy 64KiB", "BM_ring/65536", "BM_memcpy/65536");
	ratio("ring/spsc_queue 64B", "BM_ring/64", "BM_spsc/64");
	ratio("ring/spsc_queue 1KiB", "BM_ring/1024", "BM_spsc/1024");
	ratio("ring/spsc_queue 64KiB", "BM_ring/65536", "BM_spsc/65536");
	ratio("ring_facade/spsc_queue 64B", "BM_ring_facade/64", "BM_spsc/64");
	ratio("ring_var/spsc_queue 64B (32..96 B, mean 64)", "BM_ring_var/64", "BM_spsc/64");
	ratio("ring/ring_facade 64B", "BM_ring/64", "BM_ring_facade/64");
	ratio("ring/pipe 64B", "BM_ring/64", "BM_pipe/64");
	if (rep.counters.count("BM_ring/64")) {
		auto &c = rep.counters["BM_ring/64"];
		std::printf("notifications per message streaming 64B: %.5f (1 per %.0f messages)\n",
			    c["notify_per_msg"], c["notify_per_msg"] > 0 ? 1.0 / c["notify_per_msg"] : 0.0);
	}
	return 0;
}
