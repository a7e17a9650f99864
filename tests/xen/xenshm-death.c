// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm-death: a peer dies without a word, or scribbles over the shared
 * control words, and the other side must notice (make test-xen-peer-faults,
 * tests/xen/faults.sh).
 *
 *   xenshm-death die --how poweroff|panic [--after-ms N] CHAN...
 *       connect every CHAN, read and drop what arrives for N ms (default
 *       2000) once all are connected, write "DYING\n" on each, then end the
 *       domain at once: reboot(RB_POWER_OFF) or a sysrq crash ('c'). The
 *       files stay open, so the module never detaches: the slots stay
 *       CONNECTED and no event tells the peers.
 *   xenshm-death read [--bound-ms B] CHAN
 *       survivor blocked in read(): after "DYING", read() must return 0
 *       (EOF, the peer is gone) within B ms (default 3000).
 *   xenshm-death write [--bound-ms B] CHAN
 *       survivor in mid-transfer: writes as fast as the peer reads; after
 *       "DYING" arrives, poll() must report POLLHUP, or write() ECONNRESET,
 *       within B ms.
 *   xenshm-death scribble --addr ADDR [--ms N] CHAN
 *       hostile: connect CHAN, read for 1 s, write "SCRIBBLE\n" and wait until
 *       the peer read it, then for N ms
 *       (default 2000) keep writing garbage through /dev/mem (ADDR: the
 *       region's guest-physical address) over its own slot's state and both
 *       rings' indices and event words, then close (its module frees the
 *       slot). The region header and the other side's slot are left alone:
 *       with those gone nobody could reconnect (docs/threat-model.md).
 *   xenshm-death victim [--bound-ms B] CHAN
 *       the scribbler's peer, writing and reading: after "SCRIBBLE", read(),
 *       write() or poll() must report EIO / POLLERR within B ms.
 *
 * The time printed is from reading "DYING" (a few microseconds before the
 * peer's domain ended) to the survivor's verdict: the detection latency,
 * whose bound is the heartbeat limit (CONNECT.heartbeat_ms, 750 ms by
 * default) plus one check period (a quarter of it): 0.94 s.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

#include "libxenshm.h"

#define MAX_CHANS 4
#define CONNECT_MS 60000

static const char *g_dom = "dom?";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *short_chan(const char *chan)
{
	return strncmp(chan, "xenshm-", 7) ? chan : chan + 7;
}

static int result(int ok, const char *test, const char *chan, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int result(int ok, const char *test, const char *chan, const char *fmt, ...)
{
	char detail[90];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("XENSHM-RESULT %s %s@%s %s %s\n", g_dom, test, short_chan(chan),
	       ok ? "PASS" : "FAIL", detail);
	return ok ? 0 : 1;
}

static int open_connected(const char *chan, int oflags)
{
	int fd = xenshm_open(chan, oflags), ret;

	if (fd < 0)
		return fd;
	ret = xenshm_connect(fd, XENSHM_MODE_STREAM, XENSHM_ROLE_AUTO, CONNECT_MS,
			     XENSHM_DOMID_NONE);
	if (ret == -EINPROGRESS)
		ret = xenshm_wait_connected(fd, CONNECT_MS + 5000);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* Looks for a word (at most 15 bytes) in a byte stream, also split across reads. */
struct marker {
	const char *word;
	char tail[16];		/* the last bytes seen, at most strlen(word) - 1 */
	size_t n;
};

static int marker_seen(struct marker *m, const char *buf, size_t len)
{
	size_t wl = strlen(m->word), t = wl - 1, k = len < t ? len : t, keep;
	char win[32];

	memcpy(win, m->tail, m->n);
	memcpy(win + m->n, buf, k);
	if (memmem(win, m->n + k, m->word, wl) || memmem(buf, len, m->word, wl))
		return 1;
	/* The new tail: the last t bytes of old tail + buf. */
	keep = m->n + k < t ? m->n + k : t;
	if (len >= t) {
		memcpy(m->tail, buf + len - t, t);
		m->n = t;
	} else {
		memmove(win, win + m->n + k - keep, keep);
		memcpy(m->tail, win, keep);
		m->n = keep;
	}
	return 0;
}

static int cmd_die(int argc, char **argv)
{
	const char *how = NULL;
	int after_ms = 2000, nfd = 0, fd[MAX_CHANS], i;
	char buf[65536];
	double until;

	for (i = 0; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--how") && i + 1 < argc)
			how = argv[++i];
		else if (!strcmp(argv[i], "--after-ms") && i + 1 < argc)
			after_ms = atoi(argv[++i]);
		else
			return 2;
	}
	if (!how || (strcmp(how, "poweroff") && strcmp(how, "panic")) || i == argc ||
	    argc - i > MAX_CHANS)
		return 2;
	for (; i < argc; i++) {
		fd[nfd] = open_connected(argv[i], O_NONBLOCK);
		if (fd[nfd] < 0)
			return result(0, "die", argv[i], "connect err=%d", fd[nfd]);
		nfd++;
	}
	/* Alive for a while: consume what the survivors send. */
	until = now_s() + after_ms / 1000.0;
	while (now_s() < until) {
		struct pollfd p[MAX_CHANS];

		for (i = 0; i < nfd; i++)
			p[i] = (struct pollfd){ .fd = fd[i], .events = POLLIN };
		if (poll(p, nfd, 50) < 0)
			break;
		for (i = 0; i < nfd; i++)
			if (p[i].revents & POLLIN)
				while (read(fd[i], buf, sizeof(buf)) > 0)
					;
	}
	printf("XENSHM-INFO %s death: %s now, %d channel(s) left connected\n", g_dom, how, nfd);
	for (i = 0; i < nfd; i++)
		if (write(fd[i], "DYING\n", 6) != 6)
			printf("XENSHM-INFO %s death: DYING not sent on fd %d\n", g_dom, fd[i]);
	if (!strcmp(how, "poweroff")) {
		reboot(RB_POWER_OFF);
	} else {
		int s = open("/proc/sysrq-trigger", O_WRONLY);

		if (s >= 0 && write(s, "c", 1) == 1)
			pause();
	}
	printf("XENSHM-INFO %s death: still alive (%s)\n", g_dom, strerror(errno));
	return 1;
}

static int cmd_read(const char *chan, int bound_ms)
{
	struct marker m = { .word = "DYING\n" };
	double t0 = 0, t;
	char buf[4096];
	ssize_t n;
	int fd = open_connected(chan, 0);

	if (fd < 0)
		return result(0, "death-read", chan, "connect err=%d", fd);
	for (;;) {
		n = read(fd, buf, sizeof(buf));	/* blocks */
		if (n <= 0)
			break;
		if (!t0 && marker_seen(&m, buf, n))
			t0 = now_s();
	}
	t = now_s();
	if (!t0)
		return result(0, "death-read", chan, "read=%zd (%s) before DYING", n,
			      n ? strerror(errno) : "EOF");
	return result(n == 0 && (t - t0) * 1000 <= bound_ms, "death-read", chan,
		      "read=%zd%s%s after=%.3fs bound=%.1fs", n, n ? " " : "",
		      n ? strerror(errno) : "", t - t0, bound_ms / 1000.0);
}

static int cmd_write(const char *chan, int bound_ms)
{
	struct marker m = { .word = "DYING\n" };
	unsigned long long sent = 0;
	static char out[65536], in[65536];
	double t0 = 0, t;
	const char *how = "nothing";
	int fd = open_connected(chan, O_NONBLOCK);

	if (fd < 0)
		return result(0, "death-write", chan, "connect err=%d", fd);
	memset(out, 'x', sizeof(out));
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
		ssize_t n;

		if (poll(&p, 1, 30000) <= 0) {
			how = "poll timeout";
			break;
		}
		if (p.revents & POLLIN) {
			n = read(fd, in, sizeof(in));
			if (n > 0 && !t0 && marker_seen(&m, in, n))
				t0 = now_s();
		}
		if (p.revents & (POLLHUP | POLLERR)) {
			how = p.revents & POLLHUP ? "POLLHUP" : "POLLERR";
			break;
		}
		if (p.revents & POLLOUT) {
			n = write(fd, out, sizeof(out));
			if (n > 0) {
				sent += n;
			} else if (n < 0 && errno != EAGAIN) {
				how = strerror(errno);
				break;
			}
		}
	}
	t = now_s();
	if (!t0)
		return result(0, "death-write", chan, "%s before DYING, sent=%llu", how, sent);
	return result(sent >= (1u << 20) && strcmp(how, "poll timeout") && (t - t0) * 1000 <= bound_ms,
		      "death-write", chan, "%s after=%.3fs bound=%.1fs sent=%lluMiB", how, t - t0,
		      bound_ms / 1000.0, sent >> 20);
}

static int cmd_scribble(const char *chan, unsigned long long addr, int ms)
{
	static const unsigned int ring_off[2] = { XENSHM_RING0_CTRL_OFF, XENSHM_RING1_CTRL_OFF };
	volatile uint32_t *w;
	struct xenshm_info info;
	unsigned int x = 0x9e3779b9u, n = 0, i;
	volatile uint8_t *base;
	char buf[65536];
	double until;
	int fd = open_connected(chan, O_NONBLOCK), mem;

	if (fd < 0)
		return result(0, "scribble", chan, "connect err=%d", fd);
	if (xenshm_get_info(fd, &info))
		return result(0, "scribble", chan, "GET_INFO failed");
	until = now_s() + 1.0;
	while (now_s() < until) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 50) > 0)
			while (read(fd, buf, sizeof(buf)) > 0)
				;
	}
	mem = open("/dev/mem", O_RDWR | O_SYNC);
	base = mem < 0 ? MAP_FAILED : mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mem,
					   (off_t)addr);
	if (base == MAP_FAILED)
		return result(0, "scribble", chan, "/dev/mem at %#llx: %s", addr, strerror(errno));
	if (write(fd, "SCRIBBLE\n", 9) != 9)
		return result(0, "scribble", chan, "SCRIBBLE not sent");
	/* Start once the victim has read it (my TX ring drained, at most 2 s). */
	until = now_s() + 2.0;
	while (now_s() < until) {
		volatile struct xenshm_ring_ctrl *tx =
			(volatile struct xenshm_ring_ctrl *)(base + ring_off[info.slot]);

		if (tx->cons == tx->prod)
			break;
		usleep(1000);
	}
	until = now_s() + ms / 1000.0;
	while (now_s() < until) {
		/* my slot's state, then every index and event word of both rings */
		w = (volatile uint32_t *)(base + (info.slot ? XENSHM_SLOT1_OFF : XENSHM_SLOT0_OFF));
		*w = 9 + (x & 0xff);
		for (i = 0; i < 2; i++) {
			volatile struct xenshm_ring_ctrl *c =
				(volatile struct xenshm_ring_ctrl *)(base + ring_off[i]);

			x = x * 1103515245u + 12345u;
			c->prod = x;
			c->cons_event = x >> 3;
			x = x * 1103515245u + 12345u;
			c->cons = x;
			c->prod_event = x >> 5;
		}
		n++;
		usleep(1000);
	}
	close(fd);		/* the module frees the slot */
	printf("XENSHM-INFO %s scribble: %u rounds over %d ms on %s, then closed\n", g_dom, n, ms,
	       chan);
	return 0;
}

static int cmd_victim(const char *chan, int bound_ms)
{
	struct marker m = { .word = "SCRIBBLE\n" };
	static char out[65536], in[65536];
	const char *how = "nothing";
	double t0 = 0, t;
	int fd = open_connected(chan, O_NONBLOCK), eio = 0;

	if (fd < 0)
		return result(0, "scribble-eio", chan, "connect err=%d", fd);
	memset(out, 'v', sizeof(out));
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
		ssize_t n;

		if (poll(&p, 1, 30000) <= 0) {
			how = "poll timeout";
			break;
		}
		if (p.revents & POLLERR) {
			how = "POLLERR";
			eio = 1;
		}
		if (p.revents & POLLIN) {
			n = read(fd, in, sizeof(in));
			if (n > 0 && !t0 && marker_seen(&m, in, n))
				t0 = now_s();
			if (n < 0 && errno == EIO) {
				how = "read EIO";
				eio = 1;
			}
		}
		if (!eio && (p.revents & POLLOUT) && write(fd, out, sizeof(out)) < 0 &&
		    errno == EIO) {
			how = "write EIO";
			eio = 1;
		}
		if (eio || (p.revents & POLLHUP)) {
			if (!eio)
				how = "POLLHUP";
			break;
		}
	}
	t = now_s();
	close(fd);		/* as RESET: back to IDLE, BROKEN cleared */
	if (!t0)
		return result(0, "scribble-eio", chan, "%s before SCRIBBLE", how);
	return result(eio && (t - t0) * 1000 <= bound_ms, "scribble-eio", chan,
		      "%s after=%.3fs bound=%.1fs", how, t - t0, bound_ms / 1000.0);
}

int main(int argc, char **argv)
{
	int bound_ms = 3000, i = 2;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (getenv("XENSHM_DOM"))
		g_dom = getenv("XENSHM_DOM");
	if (argc < 3)
		goto usage;
	if (!strcmp(argv[1], "die")) {
		int ret = cmd_die(argc - 2, argv + 2);

		if (ret != 2)
			return ret;
		goto usage;
	}
	if (!strcmp(argv[1], "scribble")) {
		unsigned long long addr = 0;
		int ms = 2000;

		for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
			if (!strcmp(argv[i], "--addr"))
				addr = strtoull(argv[i + 1], NULL, 0);
			else if (!strcmp(argv[i], "--ms"))
				ms = atoi(argv[i + 1]);
			else
				goto usage;
		}
		if (i + 1 != argc || !addr)
			goto usage;
		return cmd_scribble(argv[i], addr, ms);
	}
	if (!strcmp(argv[i], "--bound-ms") && i + 2 < argc) {
		bound_ms = atoi(argv[i + 1]);
		i += 2;
	}
	if (i + 1 != argc)
		goto usage;
	if (!strcmp(argv[1], "victim"))
		return cmd_victim(argv[i], bound_ms);
	if (!strcmp(argv[1], "read"))
		return cmd_read(argv[i], bound_ms);
	if (!strcmp(argv[1], "write"))
		return cmd_write(argv[i], bound_ms);
usage:
	fprintf(stderr, "usage: xenshm-death die --how poweroff|panic [--after-ms N] CHAN...\n"
		"       xenshm-death read|write|victim [--bound-ms B] CHAN\n"
		"       xenshm-death scribble --addr ADDR [--ms N] CHAN\n");
	return 2;
}
