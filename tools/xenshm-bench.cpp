// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm-bench: throughput and round-trip latency of a xenshm loopback pair
 * through the read()/write() path and through the mmap path (ringcore over
 * the mapping, eventfd wakeups), compared with a pipe in the same run.
 *
 * Usage: xenshm-bench [--pair N] [--csv FILE] [--scale F] [--sizes 64,1024,65536]
 *
 * Each measurement runs two processes (fork): one end each.
 *   throughput  one way: the sender writes messages of SIZE bytes, the
 *               receiver reads with a large buffer until it has them all;
 *               MiB/s from the first write to the receiver's last byte
 *   latency     ping-pong of SIZE bytes; per-round-trip times, p50/p99
 * The channel runs in stream mode for every path, so framing is the same as
 * a pipe's. Prints a table, writes CSV, and ratio lines:
 *   mmap/rw 64KiB: 3.1      throughput ratio (higher = first is faster)
 *   rw/pipe 64KiB: 1.2
 *   rtt rw/pipe 64B: 0.8    round-trip ratio (lower = first is faster)
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

#include "xenshm.hpp"

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

/* One end of a transport, in its own process. */
struct End {
	virtual ~End() = default;
	virtual int prepare() { return 0; }	/* after fork, in the process that uses it */
	virtual int send_all(const void *p, size_t n) = 0;
	virtual ssize_t recv_some(void *p, size_t cap) = 0;
	int recv_all(void *p, size_t n)
	{
		auto *b = static_cast<uint8_t *>(p);
		while (n) {
			ssize_t r = recv_some(b, n);
			if (r < 0)
				return (int)r;
			if (r == 0)
				return -ENODATA;
			b += r;
			n -= (size_t)r;
		}
		return 0;
	}
};

int fd_send_all(int fd, const void *p, size_t n)
{
	auto *b = static_cast<const uint8_t *>(p);
	while (n) {
		ssize_t w = ::write(fd, b, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

ssize_t fd_recv_some(int fd, void *p, size_t cap)
{
	for (;;) {
		ssize_t r = ::read(fd, p, cap);
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -errno : r;
	}
}

struct PipeEnd : End {
	int rfd, wfd;
	PipeEnd(int r, int w) : rfd(r), wfd(w) {}
	int send_all(const void *p, size_t n) override { return fd_send_all(wfd, p, n); }
	ssize_t recv_some(void *p, size_t cap) override { return fd_recv_some(rfd, p, cap); }
};

struct RwEnd : End {
	xenshm::Channel *ch;
	explicit RwEnd(xenshm::Channel *c) : ch(c) {}
	int send_all(const void *p, size_t n) override { return fd_send_all(ch->fd(), p, n); }
	ssize_t recv_some(void *p, size_t cap) override { return fd_recv_some(ch->fd(), p, cap); }
};

struct MmapEnd : End {
	xenshm::Channel *ch;
	explicit MmapEnd(xenshm::Channel *c) : ch(c) {}
	int prepare() override { return ch->map(); }
	int send_all(const void *p, size_t n) override { return ch->send(p, n, 20000); }
	ssize_t recv_some(void *p, size_t cap) override { return ch->recv(p, cap, 20000); }
};

struct Result {
	std::string path;
	size_t size = 0;
	double mibps = 0, msgs_per_s = 0;
	double rtt_mean_us = 0, rtt_p50_us = 0, rtt_p99_us = 0;
};

/*
 * Run @child_fn in a child with end b and @parent_fn with end a; the child's
 * double result comes back through a pipe.
 */
template <class P, class C>
double run_pair(End &a, End &b, P parent_fn, C child_fn)
{
	int res[2];
	if (pipe(res))
		die("pipe", errno);
	pid_t pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (pid == 0) {
		close(res[0]);
		int r = b.prepare();
		double v = r ? -1.0 : child_fn(b);
		if (r)
			fprintf(stderr, "xenshm-bench: child prepare: %s\n", strerror(-r));
		(void)!write(res[1], &v, sizeof(v));
		_exit(0);
	}
	close(res[1]);
	int r = a.prepare();
	if (r)
		die("prepare", r);
	double pv = parent_fn(a);
	double cv = -1;
	if (read(res[0], &cv, sizeof(cv)) != sizeof(cv))
		cv = -1;
	close(res[0]);
	waitpid(pid, nullptr, 0);
	if (pv < 0 || cv < 0) {
		fprintf(stderr, "xenshm-bench: a measurement failed\n");
		exit(1);
	}
	return pv;
}

void measure(const std::string &path, End &a, End &b, size_t size, double scale, Result &out)
{
	/* Budgets chosen so each measurement takes about a second under TCG. */
	uint64_t bytes = size <= 64 ? (1u << 20) : size <= 1024 ? (8u << 20) : (64u << 20);
	bytes = (uint64_t)((double)bytes * scale);
	uint64_t count = std::max<uint64_t>(1, bytes / size);
	bytes = count * size;
	int rounds = (int)(std::max(20.0, (size <= 1024 ? 1000 : 200) * scale));

	out.path = path;
	out.size = size;

	/* Throughput: parent sends, child receives and reports its end time. */
	double secs = run_pair(a, b,
		[&](End &e) -> double {
			std::vector<uint8_t> buf(size, 0x5a);
			double t0 = now();
			for (uint64_t i = 0; i < count; i++) {
				buf[0] = (uint8_t)i;
				if (int r = e.send_all(buf.data(), size); r < 0) {
					fprintf(stderr, "xenshm-bench: %s send: %s\n", path.c_str(), strerror(-r));
					return -1;
				}
			}
			/* Wait for the receiver's "done" byte. */
			uint8_t ack;
			if (e.recv_all(&ack, 1))
				return -1;
			return now() - t0;
		},
		[&](End &e) -> double {
			std::vector<uint8_t> buf(std::max<size_t>(size, 1 << 20));
			uint64_t got = 0;
			while (got < bytes) {
				ssize_t r = e.recv_some(buf.data(), std::min<uint64_t>(buf.size(), bytes - got));
				if (r <= 0) {
					fprintf(stderr, "xenshm-bench: %s recv: %s\n", path.c_str(),
						r ? strerror((int)-r) : "EOF");
					return -1;
				}
				got += (uint64_t)r;
			}
			uint8_t ack = 1;
			return e.send_all(&ack, 1) ? -1 : 0;
		});
	out.mibps = (double)bytes / 1048576.0 / secs;
	out.msgs_per_s = (double)count / secs;

	/* Latency: parent pings, child echoes. */
	std::vector<double> rtts(rounds);
	run_pair(a, b,
		[&](End &e) -> double {
			std::vector<uint8_t> buf(size, 0x33);
			for (int i = 0; i < rounds; i++) {
				double t0 = now();
				if (e.send_all(buf.data(), size) || e.recv_all(buf.data(), size))
					return -1;
				rtts[i] = now() - t0;
			}
			return 0;
		},
		[&](End &e) -> double {
			std::vector<uint8_t> buf(size);
			for (int i = 0; i < rounds; i++)
				if (e.recv_all(buf.data(), size) || e.send_all(buf.data(), size))
					return -1;
			return 0;
		});
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

} // namespace

int main(int argc, char **argv)
{
	int pair = 0;
	double scale = 1.0;
	const char *csv = nullptr;
	std::vector<size_t> sizes = { 64, 1024, 65536 };

	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		if (a == "--pair" && i + 1 < argc)
			pair = atoi(argv[++i]);
		else if (a == "--csv" && i + 1 < argc)
			csv = argv[++i];
		else if (a == "--scale" && i + 1 < argc)
			scale = atof(argv[++i]);
		else if (a == "--sizes" && i + 1 < argc) {
			sizes.clear();
			for (char *s = strtok(argv[++i], ","); s; s = strtok(nullptr, ","))
				sizes.push_back(strtoul(s, nullptr, 0));
		} else {
			fprintf(stderr, "usage: %s [--pair N] [--csv FILE] [--scale F] [--sizes 64,1024,65536]\n", argv[0]);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);

	std::vector<Result> results;
	for (size_t size : sizes) {
		/* A fresh connection per path and size: no state carried over. */
		{
			int p1[2], p2[2];
			if (pipe(p1) || pipe(p2))
				die("pipe", errno);
			fcntl(p1[1], F_SETPIPE_SZ, 1 << 20);
			fcntl(p2[1], F_SETPIPE_SZ, 1 << 20);
			PipeEnd a(p2[0], p1[1]), b(p1[0], p2[1]);
			results.emplace_back();
			measure("pipe", a, b, size, scale, results.back());
			close(p1[0]); close(p1[1]); close(p2[0]); close(p2[1]);
		}
		{
			xenshm::Channel ca, cb;
			open_pair(pair, ca, cb);
			RwEnd a(&ca), b(&cb);
			results.emplace_back();
			measure("rw", a, b, size, scale, results.back());
		}
		{
			xenshm::Channel ca, cb;
			open_pair(pair, ca, cb);
			MmapEnd a(&ca), b(&cb);
			results.emplace_back();
			measure("mmap", a, b, size, scale, results.back());
		}
	}

	printf("%-5s %7s %10s %12s %10s %10s %10s\n", "path", "size", "MiB/s", "msgs/s",
	       "rtt_us", "rtt_p50", "rtt_p99");
	for (auto &r : results)
		printf("%-5s %7s %10.1f %12.0f %10.1f %10.1f %10.1f\n", r.path.c_str(),
		       size_name(r.size).c_str(), r.mibps, r.msgs_per_s, r.rtt_mean_us,
		       r.rtt_p50_us, r.rtt_p99_us);
	if (csv) {
		FILE *f = fopen(csv, "w");
		if (!f)
			die(csv, errno);
		fprintf(f, "path,size,mib_per_s,msgs_per_s,rtt_mean_us,rtt_p50_us,rtt_p99_us\n");
		for (auto &r : results)
			fprintf(f, "%s,%zu,%.3f,%.1f,%.2f,%.2f,%.2f\n", r.path.c_str(), r.size, r.mibps,
				r.msgs_per_s, r.rtt_mean_us, r.rtt_p50_us, r.rtt_p99_us);
		fclose(f);
	}
	auto find = [&](const char *path, size_t size) -> const Result & {
		for (auto &r : results)
			if (r.path == path && r.size == size)
				return r;
		die("internal: missing result", EINVAL);
	};
	for (size_t size : sizes)
		printf("mmap/rw %s: %.2f\n", size_name(size).c_str(),
		       find("mmap", size).mibps / find("rw", size).mibps);
	for (size_t size : sizes)
		printf("rw/pipe %s: %.2f\n", size_name(size).c_str(),
		       find("rw", size).mibps / find("pipe", size).mibps);
	for (size_t size : sizes)
		printf("mmap/pipe %s: %.2f\n", size_name(size).c_str(),
		       find("mmap", size).mibps / find("pipe", size).mibps);
	for (size_t size : sizes)
		printf("rtt mmap/rw %s: %.2f\n", size_name(size).c_str(),
		       find("mmap", size).rtt_p50_us / find("rw", size).rtt_p50_us);
	for (size_t size : sizes)
		printf("rtt rw/pipe %s: %.2f\n", size_name(size).c_str(),
		       find("rw", size).rtt_p50_us / find("pipe", size).rtt_p50_us);
	return 0;
}
