// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm-scale: every channel of a domain streaming at once (make
 * bench-xen-many). Both ends of every channel run the same command with the
 * same channel list; they meet through the channels only.
 *
 *   xenshm-scale [--mib M] [--counts 1,4,16,0] CHAN...
 *
 * For each count K (0: all the channels given) the first K channels are
 * opened, connected (stream mode) and move M MiB each way at once, full
 * duplex, from one poll() loop; every byte is checked against the sender's
 * generator. Then all are closed and the next count starts. Per round one
 * line (under the 118 characters of a vpl011 line):
 *   XENSHM-PERF <dom> scale K=<k> MiB/s=<total> chan=<min>/<median>/<max>
 *     ev/MiB=.. irq/MiB=.. cpu_ms/MiB=..
 * (MiB counts both directions; events: this end's notify_sent + notify_recv
 * from XENSHM_IOC_STATS; upcalls: the rise of every xenshm IRQ line in
 * /proc/interrupts; CPU: busy jiffies of /proc/stat, all CPUs of this
 * domain) and a result "scale@K" PASS when every byte arrived intact.
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
#include <time.h>
#include <unistd.h>

#include "libxenshm.h"

#define MAX_CHANS	256
#define CHUNK		65536
#define CONNECT_MS	60000
#define ROUND_S		300

struct chan {
	const char *name;
	int fd;
	uint64_t sent, got;	/* bytes */
	double done_at;		/* both directions finished */
	int bad;
	struct xenshm_stats st0;
};

static const char *dom = "?";
static struct chan chans[MAX_CHANS];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void result(const char *test, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void result(const char *test, int ok, const char *fmt, ...)
{
	char detail[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("XENSHM-RESULT %s %s %s %.90s\n", dom, test, ok ? "PASS" : "FAIL", detail);
	fflush(stdout);
}

/* The byte at stream position @pos (the same generator at both ends). */
static inline uint8_t gen(uint64_t pos)
{
	return (uint8_t)(((uint32_t)pos * 0x9e3779b1u) >> 24);
}

/*
 * Sum of every xenshm IRQ line's counts in /proc/interrupts: channels'
 * ("xenshm-<xen,id>") and idle static ports' ("xenshm:static<port>"), so a
 * static port that goes idle mid-run keeps its count in the sum.
 */
static uint64_t xenshm_irqs(void)
{
	char line[512];
	uint64_t sum = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (!strstr(line, "xenshm-") && !strstr(line, "xenshm:static"))
			continue;
		p = strchr(line, ':');
		if (!p)
			continue;
		for (p++;; p = end) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			sum += v;
		}
	}
	fclose(f);
	return sum;
}

/* Busy jiffies of all CPUs (user + nice + system + irq + softirq). */
static uint64_t busy_jiffies(void)
{
	unsigned long long u = 0, n = 0, s = 0, idle = 0, io = 0, irq = 0, sirq = 0;
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &u, &n, &s, &idle, &io, &irq,
		   &sirq) != 7)
		u = n = s = irq = sirq = 0;
	fclose(f);
	return u + n + s + irq + sirq;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int connect_all(int k)
{
	int i, ret;

	for (i = 0; i < k; i++) {
		struct chan *c = &chans[i];

		c->sent = c->got = 0;
		c->bad = 0;
		c->done_at = 0;
		c->fd = xenshm_open(c->name, O_NONBLOCK);
		if (c->fd < 0) {
			result("scale-open", 0, "%s: %s", c->name, strerror(-c->fd));
			return -1;
		}
		ret = xenshm_connect(c->fd, XENSHM_MODE_STREAM, XENSHM_ROLE_AUTO, CONNECT_MS,
				     XENSHM_DOMID_NONE);
		if (ret && ret != -EINPROGRESS) {
			result("scale-connect", 0, "%s: %s", c->name, strerror(-ret));
			return -1;
		}
	}
	for (i = 0; i < k; i++) {
		ret = xenshm_wait_connected(chans[i].fd, CONNECT_MS + 5000);
		if (ret) {
			result("scale-connect", 0, "%s: %s", chans[i].name, strerror(-ret));
			return -1;
		}
		xenshm_get_stats(chans[i].fd, &chans[i].st0);
	}
	return 0;
}

static void close_all(int k)
{
	int i;

	for (i = 0; i < k; i++)
		if (chans[i].fd >= 0) {
			close(chans[i].fd);
			chans[i].fd = -1;
		}
}

/* One round with @k channels moving @bytes each way. 0 if all intact. */
static int round_k(int k, uint64_t bytes)
{
	static struct pollfd q[MAX_CHANS];
	static uint8_t buf[CHUNK];
	double t0, per[MAX_CHANS], total_mib, wall;
	uint64_t irq0, cpu0, events = 0;
	int i, left = k, bad = 0;
	char test[32];

	snprintf(test, sizeof(test), "scale@%d", k);
	if (connect_all(k)) {
		close_all(k);
		return -1;
	}
	irq0 = xenshm_irqs();
	cpu0 = busy_jiffies();
	t0 = now_s();
	while (left && now_s() - t0 < ROUND_S) {
		int n = 0;

		for (i = 0; i < k; i++) {
			struct chan *c = &chans[i];

			if (c->done_at)
				continue;
			q[n].fd = c->fd;
			q[n].events = POLLIN | (c->sent < bytes ? POLLOUT : 0);
			q[n].revents = 0;
			n++;
		}
		if (poll(q, n, 1000) < 0 && errno != EINTR)
			break;
		for (i = 0, n = 0; i < k; i++) {
			struct chan *c = &chans[i];
			struct pollfd *p;
			ssize_t r;

			if (c->done_at)
				continue;
			p = &q[n++];
			if (p->revents & POLLOUT && c->sent < bytes) {
				size_t len = bytes - c->sent < CHUNK ? bytes - c->sent : CHUNK;
				size_t j;

				for (j = 0; j < len; j++)
					buf[j] = gen(c->sent + j);
				r = write(c->fd, buf, len);
				if (r > 0)
					c->sent += (uint64_t)r;
			}
			if (p->revents & (POLLIN | POLLHUP | POLLERR)) {
				r = read(c->fd, buf, sizeof(buf));
				if (r > 0) {
					ssize_t j;

					for (j = 0; j < r && !c->bad; j++)
						c->bad = buf[j] != gen(c->got + (uint64_t)j);
					c->got += (uint64_t)r;
				} else if (r == 0 || (r < 0 && errno != EAGAIN)) {
					c->bad = 1;	/* hang-up or error mid-round */
				}
			}
			if ((c->sent == bytes && c->got >= bytes) || c->bad) {
				c->done_at = now_s();
				left--;
			}
		}
	}
	wall = now_s() - t0;
	for (i = 0; i < k; i++) {
		struct chan *c = &chans[i];
		struct xenshm_stats st;

		if (!xenshm_get_stats(c->fd, &st))
			events += (st.notify_sent - c->st0.notify_sent) +
				  (st.notify_recv - c->st0.notify_recv);
		bad += c->bad || c->got != bytes;
		per[i] = c->done_at ? 2.0 * bytes / (1 << 20) / (c->done_at - t0) : 0;
	}
	total_mib = 2.0 * bytes * k / (1 << 20);
	qsort(per, k, sizeof(per[0]), cmp_double);
	printf("XENSHM-PERF %s scale K=%d MiB/s=%.1f chan=%.1f/%.1f/%.1f ev/MiB=%.1f "
	       "irq/MiB=%.1f cpu_ms/MiB=%.2f\n",
	       dom, k, total_mib / wall, per[0], per[k / 2], per[k - 1], events / total_mib,
	       (xenshm_irqs() - irq0) / total_mib,
	       (busy_jiffies() - cpu0) * 1000.0 / sysconf(_SC_CLK_TCK) / total_mib);
	fflush(stdout);
	result(test, !bad, "%d channels x %llu MiB each way, %.1f MiB/s in all, %d bad", k,
	       (unsigned long long)(bytes >> 20), total_mib / wall, bad);
	/* The peer still reads what we sent after we close: it drains, then
	 * sees EOF, and its next round meets our next connect. */
	close_all(k);
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *counts = "1,4,16,0";
	uint64_t mib = 2;
	int i, n = 0, rc = 0, last = -1;
	char *dup, *tok, *save;

	if (getenv("XENSHM_DOM"))
		dom = getenv("XENSHM_DOM");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mib") && i + 1 < argc)
			mib = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--counts") && i + 1 < argc)
			counts = argv[++i];
		else if (n < MAX_CHANS)
			chans[n++].name = argv[i];
	}
	if (!n || !mib) {
		fprintf(stderr, "usage: xenshm-scale [--mib M] [--counts 1,4,16,0] CHAN...\n");
		return 2;
	}
	for (i = 0; i < n; i++)
		chans[i].fd = -1;
	dup = strdup(counts);
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int k = atoi(tok);

		if (k <= 0 || k > n)
			k = n;
		if (k == last)
			continue;	/* "all" may be the previous count */
		rc |= round_k(k, mib << 20) ? 1 : 0;
		last = k;
	}
	free(dup);
	return rc;
}
