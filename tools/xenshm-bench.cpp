// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm-bench: throughput and round-trip latency of a xenshm loopback pair
 * through each user path, compared with a pipe in the same run.
 *
 * Usage: xenshm-bench [--pair N] [--csv FILE] [--scale F] [--reps N]
 *                     [--spin US] [--sizes 64,1024,65536] [--paths pipe,rw,...]
 *                     [--payload check|none]
 *
 * Paths (all in stream mode, so framing is the same as a pipe's):
 *   pipe       a pipe pair (1 MiB pipe buffer): write()/read()
 *   rw         the device's write()/read(): copy user buffer -> ring -> user
 *              buffer in the kernel (copy_{from,to}_user)
 *   mmap-copy  the mapping, through Channel::send()/recv(): ringcore copies
 *              a user buffer into the ring and out of it (the same two
 *              copies as rw, done in userspace)
 *   mmap       the mapping, zero copy: the sender produces the payload
 *              directly in the ring (Channel::reserve()/commit()), the
 *              receiver checks it in place (Channel::peek()/release())
 * On the mapping, NOTIFY is issued only when the peer asked for an event
 * (event index) and a side that must wait polls the ring for a bounded time
 * (--spin US, default 50 µs, Channel::set_spin_us; 0 = the Channel default
 * of 200 polls) before it arms the event index and sleeps on its eventfd
 * (busy-poll, as a latency-minded mmap user does). rw and pipe sleep in the
 * kernel.
 *
 * Same work in every path: the sender generates the payload (a counter
 * pattern: 64-bit word k of the stream is (k + 1) * K) and the receiver
 * checks every word of it against its stream position. rw/pipe/mmap-copy
 * generate into a buffer and send it; mmap generates in the ring. Any
 * mismatch fails the run.
 *
 * Each measurement runs two processes (fork), one end each, on a fresh
 * connection:
 *   throughput  one way: the sender sends COUNT messages of SIZE bytes, the
 *               receiver receives up to 64 KiB per call (mmap: checks up to
 *               64 KiB in place, then releases it) until it has them all;
 *               MiB/s from the first send (both ends ready) to the
 *               receiver's last byte
 *   latency     ping-pong of SIZE bytes; per-round-trip times, p50/p99
 * Per path it also reports system calls and notifications per message (the
 * kernel's notify_sent counters of both ends, and for the mapping the
 * NOTIFY ioctls, eventfd sleeps and all syscalls the ends made).
 *
 * With --reps N the whole sweep runs N times; the table and the CSV carry
 * the median of each number and the ratios use the medians. Ratio lines:
 *   mmap/rw 64KiB: 3.1        throughput (higher = first is faster)
 *   mmap-copy/rw 64KiB: 0.9
 *   rw/pipe 64KiB: 1.2
 *   rtt mmap/rw 64B: 0.8      round trip p50 (lower = first is faster)
 */
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libxenshm.hpp"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "pattern bytes assume little endian");

namespace {

double now()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

[[noreturn]] void die(const char *what, int err)
{
	fprintf(stderr, "xenshm-bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

/* ---- the payload: word k of a stream is (k + 1) * K ---- */

constexpr uint64_t K = 0x9e3779b97f4a7c15ull;

/*
 * --payload none (diagnostic only, never the headline): no generation and
 * no check in any path, to see the transport's own cost: rw/pipe/mmap-copy
 * still copy a buffer, mmap touches nothing.
 */
bool g_payload = true;

inline uint8_t pattern_byte(uint64_t pos)
{
	return (uint8_t)(((pos >> 3) + 1) * K >> (8 * (pos & 7)));
}

/* Fill @n bytes at @p with the stream bytes starting at position @pos. */
void gen(uint8_t *p, size_t n, uint64_t pos)
{
	if (!g_payload)
		return;
	while (n && (pos & 7)) {
		*p++ = pattern_byte(pos++);
		n--;
	}
	uint64_t w = ((pos >> 3) + 1) * K;
	size_t words = n / 8;
	for (size_t i = 0; i < words; i++, w += K)
		memcpy(p + 8 * i, &w, 8);
	p += 8 * words;
	pos += 8 * words;
	n -= 8 * words;
	while (n--)
		*p++ = pattern_byte(pos++);
}

/* Check @n bytes at @p against the stream from @pos (each byte read once). */
bool check(const uint8_t *p, size_t n, uint64_t pos)
{
	if (!g_payload)
		return true;
	uint64_t bad = 0;
	while (n && (pos & 7)) {
		bad |= *p++ ^ pattern_byte(pos++);
		n--;
	}
	uint64_t w = ((pos >> 3) + 1) * K;
	size_t words = n / 8;
	for (size_t i = 0; i < words; i++, w += K) {
		uint64_t v;
		memcpy(&v, p + 8 * i, 8);
		bad |= v ^ w;
	}
	p += 8 * words;
	pos += 8 * words;
	n -= 8 * words;
	while (n--)
		bad |= *p++ ^ pattern_byte(pos++);
	return bad == 0;
}

/* ---- one end of a transport, used in its own process ---- */

/*
 * Every receiver takes at most this much per call and hands the space back
 * before the next (read() size for pipe/rw, recv() capacity for mmap-copy,
 * the bytes checked per peek/release for mmap): a quarter of the 256 KiB
 * loopback ring, so the sender can refill while the receiver works.
 */
constexpr size_t kRxChunk = 64 * 1024;

struct Calls {
	uint64_t tx = 0, rx = 0;	/* data-path system calls of this end */
	uint64_t notifies = 0, sleeps = 0;	/* mapping only */
};

struct End {
	virtual ~End() = default;
	virtual int prepare() { return 0; }	/* after fork, in the process that uses it */
	/* Generate @n stream bytes from @pos and send them all. */
	virtual int send_gen(size_t n, uint64_t pos) = 0;
	/* Receive 1..@cap bytes, check them against @pos; count, 0 EOF, -errno. */
	virtual ssize_t recv_check(size_t cap, uint64_t pos) = 0;
	virtual Calls calls() const = 0;

	int recv_check_all(size_t n, uint64_t pos)
	{
		while (n) {
			ssize_t r = recv_check(n, pos);
			if (r < 0)
				return (int)r;
			if (r == 0)
				return -ENODATA;
			pos += (uint64_t)r;
			n -= (size_t)r;
		}
		return 0;
	}
};

/* Paths that move a user buffer: generate into it, send; receive, check. */
struct CopyEnd : End {
	std::vector<uint8_t> txb, rxb;
	Calls c;
	CopyEnd() : rxb(kRxChunk) {}
	virtual int send_buf(const uint8_t *p, size_t n) = 0;
	virtual ssize_t recv_buf(uint8_t *p, size_t cap) = 0;
	int send_gen(size_t n, uint64_t pos) override
	{
		if (txb.size() < n)
			txb.resize(n);
		gen(txb.data(), n, pos);
		return send_buf(txb.data(), n);
	}
	ssize_t recv_check(size_t cap, uint64_t pos) override
	{
		ssize_t r = recv_buf(rxb.data(), std::min(cap, rxb.size()));
		if (r > 0 && !check(rxb.data(), (size_t)r, pos))
			return -EBADMSG;
		return r;
	}
	Calls calls() const override { return c; }
};

struct FdEnd : CopyEnd {
	int rfd, wfd;
	FdEnd(int r, int w) : rfd(r), wfd(w) {}
	int send_buf(const uint8_t *p, size_t n) override
	{
		while (n) {
			c.tx++;
			ssize_t w = ::write(wfd, p, n);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			p += w;
			n -= (size_t)w;
		}
		return 0;
	}
	ssize_t recv_buf(uint8_t *p, size_t cap) override
	{
		for (;;) {
			c.rx++;
			ssize_t r = ::read(rfd, p, cap);
			if (r < 0 && errno == EINTR)
				continue;
			return r < 0 ? -errno : r;
		}
	}
};

/* The mapping through ringcore's copies (Channel::send/recv). */
struct MmapCopyEnd : CopyEnd {
	xenshm::Channel *ch;
	unsigned spin;
	MmapCopyEnd(xenshm::Channel *c, unsigned s) : ch(c), spin(s) {}
	int prepare() override
	{
		ch->set_spin_us(spin);
		return ch->map();
	}
	int send_buf(const uint8_t *p, size_t n) override { return ch->send(p, n, 20000); }
	ssize_t recv_buf(uint8_t *p, size_t cap) override { return ch->recv(p, cap, 20000); }
	Calls calls() const override
	{
		auto &k = ch->counters();
		return { k.syscalls, k.syscalls, k.notifies, k.sleeps };
	}
};

/* The mapping, zero copy: produce and check in the ring itself. */
struct MmapZcEnd : End {
	xenshm::Channel *ch;
	unsigned spin;
	MmapZcEnd(xenshm::Channel *c, unsigned s) : ch(c), spin(s) {}
	int prepare() override
	{
		ch->set_spin_us(spin);
		return ch->map();
	}
	int send_gen(size_t n, uint64_t pos) override
	{
		while (n) {
			void *p;
			ssize_t r = ch->reserve(n, &p, 20000);
			if (r <= 0)
				return r ? (int)r : -EIO;
			gen(static_cast<uint8_t *>(p), (size_t)r, pos);
			if (int e = ch->commit((size_t)r))
				return e;
			pos += (uint64_t)r;
			n -= (size_t)r;
		}
		return 0;
	}
	ssize_t recv_check(size_t cap, uint64_t pos) override
	{
		const void *p;
		ssize_t r = ch->peek(&p, 20000);
		if (r <= 0)
			return r;
		size_t n = std::min({ (size_t)r, cap, kRxChunk });
		if (!check(static_cast<const uint8_t *>(p), n, pos))
			return -EBADMSG;
		int e = ch->release(n);
		return e ? e : (ssize_t)n;
	}
	Calls calls() const override
	{
		auto &k = ch->counters();
		return { k.syscalls, k.syscalls, k.notifies, k.sleeps };
	}
};

struct Result {
	std::string path;
	size_t size = 0;
	double mibps = 0, msgs_per_s = 0;
	double rtt_mean_us = 0, rtt_p50_us = 0, rtt_p99_us = 0;
	/* throughput run, per message */
	double tx_sys = 0, rx_sys = 0, kern_notify = 0, sleeps = 0;
};

/* What a child sends back through its result pipe. */
struct ChildOut {
	double value;	/* < 0: failed */
	Calls calls;
};

[[noreturn]] void fail(const char *path, const char *what, long r)
{
	fprintf(stderr, "xenshm-bench: %s %s: %s\n", path, what,
		r == 0 ? "EOF" : r == -EBADMSG ? "payload check FAILED" : strerror((int)-r));
	_exit(1);
}

/*
 * Run @child_fn(b) in a child and @parent_fn(a) here, once both ends are
 * prepared. Returns the child's output; the parent's value in *pv.
 */
template <class P, class C>
ChildOut run_pair(End &a, End &b, P parent_fn, C child_fn, double *pv, Calls *pcalls)
{
	int res[2], ready[2];
	if (pipe(res) || pipe(ready))
		die("pipe", errno);
	pid_t pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (pid == 0) {
		close(res[0]);
		close(ready[0]);
		ChildOut o{ -1, {} };
		int r = b.prepare();
		if (r)
			fprintf(stderr, "xenshm-bench: child prepare: %s\n", strerror(-r));
		char go = r ? 0 : 1;
		(void)!write(ready[1], &go, 1);
		if (!r) {
			o.value = child_fn(b);
			o.calls = b.calls();
		}
		(void)!write(res[1], &o, sizeof(o));
		_exit(0);
	}
	close(res[1]);
	close(ready[1]);
	int r = a.prepare();
	if (r)
		die("prepare", r);
	char go = 0;
	if (read(ready[0], &go, 1) != 1 || !go)
		die("child not ready", EIO);
	close(ready[0]);
	*pv = parent_fn(a);
	*pcalls = a.calls();
	ChildOut o{ -1, {} };
	if (read(res[0], &o, sizeof(o)) != sizeof(o))
		o.value = -1;
	close(res[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	if (*pv < 0 || o.value < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "xenshm-bench: a measurement failed\n");
		exit(1);
	}
	return o;
}

void measure(const std::string &path, End &a, End &b, size_t size, double scale, Result &out,
	     xenshm::Channel *ca, xenshm::Channel *cb)
{
	/*
	 * Budgets: 0.2-4 s per measurement under TCG on an idle 2-core host
	 * (the slowest path, pipe, at the top); --scale to change.
	 */
	uint64_t bytes = size <= 64 ? (4u << 20) : size <= 1024 ? (32u << 20) : (256u << 20);
	bytes = (uint64_t)((double)bytes * scale);
	uint64_t count = std::max<uint64_t>(1, bytes / size);
	bytes = count * size;
	int rounds = (int)(std::max(20.0, (size <= 1024 ? 1000 : 200) * scale));
	const char *pn = path.c_str();

	out.path = path;
	out.size = size;

	xenshm_stats s0a{}, s0b{}, s1a{}, s1b{};
	if (ca && (xenshm_get_stats(ca->fd(), &s0a) || xenshm_get_stats(cb->fd(), &s0b)))
		die("stats", EIO);

	/* Throughput: parent sends, child receives and reports its end time. */
	double t0 = 0, pv;
	Calls pc;
	ChildOut co = run_pair(a, b,
		[&](End &e) -> double {
			t0 = now();
			for (uint64_t i = 0; i < count; i++)
				if (int r = e.send_gen(size, i * size); r < 0)
					fail(pn, "send", r);
			return 0;
		},
		[&](End &e) -> double {
			uint64_t got = 0;
			while (got < bytes) {
				ssize_t r = e.recv_check(bytes - got, got);
				if (r <= 0)
					fail(pn, "recv", r);
				got += (uint64_t)r;
			}
			return now();
		}, &pv, &pc);
	double secs = co.value - t0;
	out.mibps = (double)bytes / 1048576.0 / secs;
	out.msgs_per_s = (double)count / secs;
	out.tx_sys = (double)pc.tx / count;
	out.rx_sys = (double)co.calls.rx / count;
	out.sleeps = (double)(pc.sleeps + co.calls.sleeps) / count;
	if (ca) {
		if (xenshm_get_stats(ca->fd(), &s1a) || xenshm_get_stats(cb->fd(), &s1b))
			die("stats", EIO);
		out.kern_notify = (double)(s1a.notify_sent - s0a.notify_sent +
					   s1b.notify_sent - s0b.notify_sent) / count;
	}

	/* Latency: parent pings, child checks and answers, parent checks. */
	std::vector<double> rtts(rounds);
	run_pair(a, b,
		[&](End &e) -> double {
			for (int i = 0; i < rounds; i++) {
				double t1 = now();
				int r = e.send_gen(size, (uint64_t)i * size);
				if (r)
					fail(pn, "ping", r);
				if ((r = e.recv_check_all(size, (uint64_t)i * size)))
					fail(pn, "pong", r);
				rtts[i] = now() - t1;
			}
			return 0;
		},
		[&](End &e) -> double {
			for (int i = 0; i < rounds; i++) {
				int r = e.recv_check_all(size, (uint64_t)i * size);
				if (r)
					fail(pn, "echo recv", r);
				if ((r = e.send_gen(size, (uint64_t)i * size)))
					fail(pn, "echo send", r);
			}
			return 0;
		}, &pv, &pc);
	std::sort(rtts.begin(), rtts.end());
	double sum = 0;
	for (double v : rtts)
		sum += v;
	out.rtt_mean_us = sum / rounds * 1e6;
	out.rtt_p50_us = rtts[rounds / 2] * 1e6;
	out.rtt_p99_us = rtts[std::min(rounds - 1, (int)(rounds * 0.99))] * 1e6;
}

std::string size_name(size_t s)
{
	char b[32];
	if (s >= 1024 && s % 1024 == 0)
		snprintf(b, sizeof(b), "%zuKiB", s / 1024);
	else
		snprintf(b, sizeof(b), "%zuB", s);
	return b;
}

void open_pair(int idx, xenshm::Channel &a, xenshm::Channel &b)
{
	char na[32], nb[32];
	snprintf(na, sizeof(na), "loop%d-a", idx);
	snprintf(nb, sizeof(nb), "loop%d-b", idx);
	if (int r = a.open(na); r)
		die(na, r);
	if (int r = b.open(nb); r)
		die(nb, r);
	int r = a.connect_async(XENSHM_MODE_STREAM, 10000);
	if (r && r != -EINPROGRESS)
		die("connect a", r);
	if ((r = b.connect(XENSHM_MODE_STREAM, 10000)))
		die("connect b", r);
	if ((r = xenshm_wait_connected(a.fd(), 10000)))
		die("connect a", r);
}

Result run_one(const std::string &path, int pair, size_t size, double scale, unsigned spin)
{
	Result res;
	if (path == "pipe") {
		int p1[2], p2[2];
		if (pipe(p1) || pipe(p2))
			die("pipe", errno);
		fcntl(p1[1], F_SETPIPE_SZ, 1 << 20);
		fcntl(p2[1], F_SETPIPE_SZ, 1 << 20);
		FdEnd a(p2[0], p1[1]), b(p1[0], p2[1]);
		measure(path, a, b, size, scale, res, nullptr, nullptr);
		close(p1[0]); close(p1[1]); close(p2[0]); close(p2[1]);
		return res;
	}
	/* A fresh connection per path and size: no state carried over. */
	xenshm::Channel ca, cb;
	open_pair(pair, ca, cb);
	if (path == "rw") {
		FdEnd a(ca.fd(), ca.fd()), b(cb.fd(), cb.fd());
		measure(path, a, b, size, scale, res, &ca, &cb);
	} else if (path == "mmap-copy") {
		MmapCopyEnd a(&ca, spin), b(&cb, spin);
		measure(path, a, b, size, scale, res, &ca, &cb);
	} else if (path == "mmap") {
		MmapZcEnd a(&ca, spin), b(&cb, spin);
		measure(path, a, b, size, scale, res, &ca, &cb);
	} else {
		die(path.c_str(), EINVAL);
	}
	return res;
}

double median(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	size_t n = v.size();
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<std::string> split(char *s)
{
	std::vector<std::string> out;
	for (char *t = strtok(s, ","); t; t = strtok(nullptr, ","))
		out.push_back(t);
	return out;
}

} // namespace

int main(int argc, char **argv)
{
	int pair = 0, reps = 1;
	unsigned spin = 50;
	double scale = 1.0;
	const char *csv = nullptr;
	std::vector<size_t> sizes = { 64, 1024, 65536 };
	std::vector<std::string> paths = { "pipe", "rw", "mmap-copy", "mmap" };

	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		if (a == "--pair" && i + 1 < argc)
			pair = atoi(argv[++i]);
		else if (a == "--csv" && i + 1 < argc)
			csv = argv[++i];
		else if (a == "--scale" && i + 1 < argc)
			scale = atof(argv[++i]);
		else if (a == "--reps" && i + 1 < argc)
			reps = std::max(1, atoi(argv[++i]));
		else if (a == "--spin" && i + 1 < argc)
			spin = (unsigned)strtoul(argv[++i], nullptr, 0);
		else if (a == "--sizes" && i + 1 < argc) {
			sizes.clear();
			for (auto &s : split(argv[++i]))
				sizes.push_back(strtoul(s.c_str(), nullptr, 0));
		} else if (a == "--paths" && i + 1 < argc)
			paths = split(argv[++i]);
		else if (a == "--payload" && i + 1 < argc)
			g_payload = std::string(argv[++i]) != "none";
		else {
			fprintf(stderr, "usage: %s [--pair N] [--csv FILE] [--scale F] [--reps N] [--spin US]"
				" [--sizes 64,1024,65536] [--paths pipe,rw,mmap-copy,mmap] [--payload check|none]\n", argv[0]);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);

	/* runs[path/size][rep]; the reps interleave so drift hits every path. */
	std::vector<std::vector<Result>> runs(sizes.size() * paths.size());
	for (int rep = 0; rep < reps; rep++)
		for (size_t si = 0; si < sizes.size(); si++)
			for (size_t pi = 0; pi < paths.size(); pi++) {
				Result r = run_one(paths[pi], pair, sizes[si], scale, spin);
				fprintf(stderr, "rep %d %-9s %6s %9.1f MiB/s rtt_p50 %8.1f us\n", rep,
					r.path.c_str(), size_name(r.size).c_str(), r.mibps, r.rtt_p50_us);
				runs[si * paths.size() + pi].push_back(r);
			}

	std::vector<Result> results;
	for (auto &v : runs) {
		Result m = v[0];
		auto med = [&](double Result::*f) {
			std::vector<double> x;
			for (auto &r : v)
				x.push_back(r.*f);
			m.*f = median(x);
		};
		for (auto f : { &Result::mibps, &Result::msgs_per_s, &Result::rtt_mean_us,
				&Result::rtt_p50_us, &Result::rtt_p99_us, &Result::tx_sys, &Result::rx_sys,
				&Result::kern_notify, &Result::sleeps })
			med(f);
		results.push_back(m);
	}

	printf("%-9s %6s %9s %10s %9s %9s %9s %7s %7s %8s %7s\n", "path", "size", "MiB/s", "msgs/s",
	       "rtt_us", "rtt_p50", "rtt_p99", "tx_sys", "rx_sys", "notify", "sleeps");
	for (auto &r : results)
		printf("%-9s %6s %9.1f %10.0f %9.1f %9.1f %9.1f %7.3f %7.3f %8.4f %7.3f\n",
		       r.path.c_str(), size_name(r.size).c_str(), r.mibps, r.msgs_per_s, r.rtt_mean_us,
		       r.rtt_p50_us, r.rtt_p99_us, r.tx_sys, r.rx_sys, r.kern_notify, r.sleeps);
	if (!g_payload)
		printf("(--payload none: NO generation and NO check, transport cost only)\n");
	printf("(medians of %d rep%s; tx_sys/rx_sys: data-path syscalls per message of the sender/"
	       "receiver, notify: events sent by both ends per message, sleeps: eventfd waits per"
	       " message; all from the throughput run)\n", reps, reps > 1 ? "s" : "");
	if (csv) {
		FILE *f = fopen(csv, "w");
		if (!f)
			die(csv, errno);
		fprintf(f, "path,size,mib_per_s,msgs_per_s,rtt_mean_us,rtt_p50_us,rtt_p99_us,"
			   "tx_sys_per_msg,rx_sys_per_msg,notify_per_msg,sleeps_per_msg,reps,"
			   "mib_per_s_min,mib_per_s_max\n");
		for (size_t i = 0; i < results.size(); i++) {
			auto &r = results[i];
			double lo = 1e300, hi = 0;
			for (auto &x : runs[i]) {
				lo = std::min(lo, x.mibps);
				hi = std::max(hi, x.mibps);
			}
			fprintf(f, "%s,%zu,%.3f,%.1f,%.2f,%.2f,%.2f,%.4f,%.4f,%.5f,%.5f,%d,%.3f,%.3f\n",
				r.path.c_str(), r.size, r.mibps, r.msgs_per_s, r.rtt_mean_us, r.rtt_p50_us,
				r.rtt_p99_us, r.tx_sys, r.rx_sys, r.kern_notify, r.sleeps, reps, lo, hi);
		}
		fclose(f);
	}
	auto find = [&](const char *path, size_t size) -> const Result * {
		for (auto &r : results)
			if (r.path == path && r.size == size)
				return &r;
		return nullptr;
	};
	auto ratio = [&](const char *label, const char *p1, const char *p2, bool rtt) {
		for (size_t size : sizes) {
			const Result *a = find(p1, size), *b = find(p2, size);
			if (!a || !b)
				continue;
			double v = rtt ? a->rtt_p50_us / b->rtt_p50_us : a->mibps / b->mibps;
			printf("%s %s: %.2f\n", label, size_name(size).c_str(), v);
		}
	};
	ratio("mmap/rw", "mmap", "rw", false);
	ratio("mmap-copy/rw", "mmap-copy", "rw", false);
	ratio("rw/pipe", "rw", "pipe", false);
	ratio("mmap/pipe", "mmap", "pipe", false);
	ratio("rtt mmap/rw", "mmap", "rw", true);
	ratio("rtt mmap-copy/rw", "mmap-copy", "rw", true);
	ratio("rtt rw/pipe", "rw", "pipe", true);
	return 0;
}
