// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm-stress: a randomized, seeded exerciser of /dev/xenshm from many
 * processes at once, meant to run under the KASAN + lockdep + UBSAN kernels
 * of `make test-kunit` (scripts/kunit/run.sh runs it after the suites).
 *
 *   xenshm-stress [--seconds S] [--seed N] [--procs P] END...
 *
 * ENDs are device names (e.g. loop0-a loop0-b loop1-a loop1-b). Each of the P
 * processes (default 4) loops for S seconds (default 10) doing random
 * operations on random ends: open/close, CONNECT with random (also invalid)
 * arguments, RESET, read/write of random sizes, mmap/munmap of the header and
 * the rings (mappings kept past close, and random words written into the
 * rings), poll, SET_EVENTFD with eventfds closed right after, NOTIFY,
 * GET_INFO/STATS. Every fd is O_NONBLOCK and every wait is bounded, so a
 * hang is the kernel's. Errors are expected and counted, never fatal: the
 * verdict is the kernel's (no report in the log, rmmod works afterwards)
 * plus this program's exit status (1 if a process died of a signal).
 * Process i draws from seed N + i: a run is reproducible given the same
 * timing, and the seed is printed for a rerun.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uapi/xenshm.h"

#define MAX_ENDS 8
#define MAX_MAPS 8
#define NR_OPS 12

static const char *const op_name[NR_OPS] = {
	"open", "close", "connect", "reset", "write", "read",
	"mmap", "munmap", "poll", "eventfd", "notify", "info",
};

struct map {
	void *addr;
	size_t len;
};

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned int pick(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dev_open(const char *end)
{
	char path[96];

	snprintf(path, sizeof(path), "/dev/xenshm/%s", end);
	return open(path, (pick(4) ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
}

static void do_connect(int fd)
{
	struct xenshm_connect c = {
		.size = sizeof(c), .mode = pick(2), .role = pick(3),
		.timeout_ms = 50 + pick(450), .heartbeat_ms = pick(2) ? 0 : 100 + pick(900),
	};

	switch (pick(8)) {
	case 0:
		c.flags = 1u << pick(32);	/* mostly unknown: EINVAL */
		break;
	case 1:
		c.reserved = (uint32_t)rnd();
		break;
	case 2:
		c.flags = XENSHM_CONNECT_FLAGS_PIN_PEER;
		c.peer_domid = pick(3) ? 0 : (uint32_t)rnd();
		break;
	case 3:
		c.size = pick(2) ? 8 : 4096 + pick(8);
		break;
	}
	ioctl(fd, XENSHM_IOC_CONNECT, &c);
}

static void do_map(int fd, struct map *maps)
{
	struct xenshm_info info = { .size = sizeof(info) };
	int slot = pick(MAX_MAPS), rings = pick(2);
	size_t len;
	off_t off;
	void *p;

	if (maps[slot].addr || ioctl(fd, XENSHM_IOC_GET_INFO, &info))
		return;
	len = rings ? info.mmap_rings_size : info.mmap_header_size;
	off = rings ? info.mmap_rings_off : info.mmap_header_off;
	if (!pick(8))
		len += 4096 * (1 + pick(4));	/* too long: EINVAL */
	p = mmap(NULL, len, rings ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, off);
	if (p == MAP_FAILED)
		return;
	maps[slot] = (struct map){ p, len };
	/* A hostile user scribbles its own rings now and then. */
	if (rings && !pick(4)) {
		volatile uint32_t *w = p;
		unsigned int n = 1 + pick(4);

		while (n--)
			w[pick(len / 4)] = (uint32_t)rnd();
	}
}

static void do_io(int fd, int wr)
{
	static char buf[1 << 17];
	size_t len = pick(4) ? pick(4096) : pick(sizeof(buf));

	if (wr)
		(void)!write(fd, buf, len);
	else
		(void)!read(fd, buf, len);
}

static int child(const char **ends, int nends, double seconds, uint64_t seed,
		 unsigned long *count)
{
	int fd[MAX_ENDS];
	struct map maps[MAX_MAPS] = { { 0 } };
	double until = now_s() + seconds;
	int i;

	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	for (i = 0; i < nends; i++)
		fd[i] = -1;
	while (now_s() < until) {
		unsigned int op = pick(NR_OPS), e = pick(nends);
		int f = fd[e];

		count[op]++;
		if (op == 0) {
			if (f < 0)
				fd[e] = dev_open(ends[e]);
			continue;
		}
		if (op == 7) {
			unsigned int s = pick(MAX_MAPS);

			if (maps[s].addr)
				munmap(maps[s].addr, maps[s].len);
			maps[s].addr = NULL;
			continue;
		}
		if (f < 0)
			continue;
		switch (op) {
		case 1:
			close(f);
			fd[e] = -1;
			break;
		case 2:
			do_connect(f);
			break;
		case 3: {
			struct xenshm_reset r = { .size = sizeof(r), .flags = pick(8) ? 0 : 1 };

			ioctl(f, XENSHM_IOC_RESET, &r);
			break;
		}
		case 4:
		case 5:
			do_io(f, op == 4);
			break;
		case 6:
			do_map(f, maps);
			break;
		case 8: {
			struct pollfd p = { .fd = f, .events = POLLIN | POLLOUT | POLLPRI };

			poll(&p, 1, pick(5));
			break;
		}
		case 9: {
			int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			struct xenshm_eventfd a = { .size = sizeof(a), .fd = (uint32_t)efd };

			if (!pick(4)) {
				a.flags = XENSHM_EVENTFD_FLAGS_CLEAR;
				a.fd = 0;
			}
			ioctl(f, XENSHM_IOC_SET_EVENTFD, &a);
			if (efd >= 0)
				close(efd);	/* the kernel holds its own reference */
			break;
		}
		case 10: {
			struct xenshm_notify n = { .size = sizeof(n), .flags = pick(5) };

			ioctl(f, XENSHM_IOC_NOTIFY, &n);
			break;
		}
		case 11: {
			struct xenshm_stats st = { .size = sizeof(st) };
			struct xenshm_info in = { .size = sizeof(in) };

			ioctl(f, pick(2) ? XENSHM_IOC_GET_INFO : XENSHM_IOC_STATS,
			      pick(2) ? (void *)&in : (void *)&st);
			break;
		}
		}
	}
	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].addr)
			munmap(maps[i].addr, maps[i].len);
	for (i = 0; i < nends; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long total[NR_OPS] = { 0 }, *count;
	double seconds = 10;
	uint64_t seed = (uint64_t)time(NULL);
	int procs = 4, i, nends = 0, bad = 0, status;
	const char *ends[MAX_ENDS];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--procs") && i + 1 < argc)
			procs = atoi(argv[++i]);
		else if (nends < MAX_ENDS && argv[i][0] != '-')
			ends[nends++] = argv[i];
		else
			goto usage;
	}
	if (!nends || procs < 1 || procs > 64 || seconds <= 0)
		goto usage;
	/* Per-process op counts, shared so the parent can sum them. */
	count = mmap(NULL, sizeof(unsigned long) * NR_OPS * procs, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (count == MAP_FAILED)
		return 1;
	printf("xenshm-stress: %d processes, %.0f s, seed %llu, ends:", procs, seconds,
	       (unsigned long long)seed);
	for (i = 0; i < nends; i++)
		printf(" %s", ends[i]);
	printf("\n");
	fflush(stdout);
	/* A write to an end whose peer left is EPIPE, an expected error here. */
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(child(ends, nends, seconds, seed + i, count + i * NR_OPS));
		if (pid < 0)
			bad++;
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("xenshm-stress: a process ended with status %#x\n", status);
			bad++;
		}
	for (i = 0; i < procs * NR_OPS; i++)
		total[i % NR_OPS] += count[i];
	printf("xenshm-stress: ops:");
	for (i = 0; i < NR_OPS; i++)
		printf(" %s=%lu", op_name[i], total[i]);
	printf("\nxenshm-stress: %s\n", bad ? "FAILED" : "done");
	return bad ? 1 : 0;
usage:
	fprintf(stderr, "usage: xenshm-stress [--seconds S] [--seed N] [--procs P] END...\n");
	return 2;
}
