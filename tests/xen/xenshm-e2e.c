// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm-e2e: end-to-end test of xenshm on real Xen (run inside each domain).
 *
 * Every domain runs this program on each of its channels; one child process
 * per channel, so the channels of a domain run concurrently. Both ends of a
 * channel run the same sequence; they synchronise only through the channel
 * itself, so no side channel between domains is needed.
 *
 *   xenshm-e2e run [--size MiB] [--reload-dom D] [--pin-test] CHAN...
 *       1. connect (stream), then one byte stream each way made of
 *          SIZE MiB through read()/write() (poll-driven, full duplex), then
 *          SIZE MiB through mmap + eventfd (libxenshm's ring API), then a
 *          trailer carrying the sender's checksum. Every received byte is
 *          checked against the sender's generator; checksums are compared.
 *          The event IRQ "xenshm-<chan>" must have risen in /proc/interrupts.
 *       2. close, reconnect in message mode: messages of many sizes, each
 *          read() must return exactly one whole message; then a poll wakeup
 *          test (one side sleeps in poll(), the other sends later).
 *       3. if one end is domain D (--reload-dom): that end closes and exits
 *          (its init script reloads the module, then runs "after-reload"),
 *          the other end must see POLLHUP and ECONNRESET, then reconnect and
 *          move data again.
 *          if --pin-test and neither end is D: the lower domid pins a wrong
 *          peer and must get a clear error quickly; then both reconnect.
 *   xenshm-e2e after-reload [--size MiB] CHAN...
 *       reconnect each channel after the module reload and move data again.
 *   xenshm-e2e refuse [--size MiB] CHAN...
 *       connect while a hostile peer (xenshm-liar) in the other slot claims
 *       to be another domain: the connect must fail with EACCES; then
 *       reconnect to the real peer (running "after-reload") and move data.
 *   xenshm-e2e soak [--size MiB] CHAN...
 *       message mode, both ways at once, random lengths (1..max_msg, seeded),
 *       every message checked, until SIZE MiB went each way (make soak-xen).
 *   xenshm-e2e soak-reloader CHAN...  /  soak-peer [--size N] CHAN
 *       one reload cycle of make soak-xen: the peer streams messages until the
 *       hang-up, N rounds (one per reload); the reloader connects, checks what
 *       arrives for 0.5 s and leaves mid-stream (its script then reloads the
 *       module). A message is whole and in order, or not delivered at all.
 *   xenshm-e2e demo [--size MiB] [--serial] CHAN...
 *       step 1 only, with human-readable "XENSHM-INFO <dom> demo" lines.
 *   --serial runs the channels one after the other, in the order given,
 *   instead of all at once (the demo's throughput figures then do not
 *   compete with each other).
 *
 * Output: one "XENSHM-RESULT PASS|FAIL <test> <details>" line per check (the
 * harness counts them) and "XENSHM-PERF" lines with throughput.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libxenshm.h"

#define MIB (1024u * 1024u)
#define CONNECT_TIMEOUT_MS 60000
#define WRONG_DOMID 77

static const char *g_chan = "-";	/* channel of this child */
static uint32_t g_dom = XENSHM_DOMID_NONE;
static unsigned int g_fail;
static int g_demo;		/* also print human-readable "demo" lines */

/* ------------------------------------------------------------------ output */

static const char *g_domname = "dom?";	/* XENSHM_DOM of the harness */

/*
 * One write() per line so lines of concurrent children never mix, and at
 * most 118 characters so Xen's console never splits a domU's line.
 */
static void emit(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, 119, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > 118)
		n = 118;
	line[n++] = '\n';
	if (write(STDOUT_FILENO, line, n) < 0)
		_exit(3);
}

/* Short channel name in markers: "xenshm-0-1" -> "0-1". */
static const char *short_chan(const char *chan)
{
	return strncmp(chan, "xenshm-", 7) ? chan : chan + 7;
}

static void result(int ok, const char *test, const char *fmt, ...)
{
	char det[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(det, sizeof(det), fmt, ap);
	va_end(ap);
	emit("XENSHM-RESULT %s %s@%s %s %s", g_domname, test, short_chan(g_chan),
	     ok ? "PASS" : "FAIL", det);
	if (!ok)
		g_fail++;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void watchdog(int sig)
{
	(void)sig;
	emit("XENSHM-RESULT %s watchdog@%s FAIL did not finish in time",
	     g_domname, short_chan(g_chan));
	_exit(2);
}

/* ------------------------------------------------------- data generator */

/*
 * Byte i of the stream sent by domain d is byte (i % 8) of mix(seed ^ i / 8),
 * so any chunk can be generated or checked at any offset.
 */
static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void gen(uint64_t seed, uint64_t pos, unsigned char *buf, size_t len)
{
	while (len && (pos & 7)) {
		*buf++ = (unsigned char)(mix(seed ^ (pos >> 3)) >> (8 * (pos & 7)));
		pos++;
		len--;
	}
	while (len >= 8) {
		uint64_t w = mix(seed ^ (pos >> 3));

		memcpy(buf, &w, 8);	/* little-endian on arm64 and x86 */
		buf += 8;
		pos += 8;
		len -= 8;
	}
	while (len) {
		*buf++ = (unsigned char)(mix(seed ^ (pos >> 3)) >> (8 * (pos & 7)));
		pos++;
		len--;
	}
}

/*
 * Checksum of a byte stream, independent of how it was cut into chunks:
 * FNV-1a over the stream's little-endian 64-bit words (the last one
 * zero-padded), so it costs one multiply per 8 bytes, not per byte.
 */
struct csum {
	uint64_t h;
	uint64_t acc;		/* the word being assembled */
	uint64_t pos;		/* bytes added so far */
};

static void csum_init(struct csum *c)
{
	c->h = 0xcbf29ce484222325ull;
	c->acc = 0;
	c->pos = 0;
}

static void csum_fold(struct csum *c)
{
	c->h = (c->h ^ c->acc) * 0x100000001b3ull;
	c->h ^= c->h >> 29;
	c->acc = 0;
}

static void csum_add(struct csum *c, const unsigned char *p, size_t n)
{
	while (n && (c->pos & 7)) {
		c->acc |= (uint64_t)*p++ << (8 * (c->pos & 7));
		c->pos++;
		n--;
		if (!(c->pos & 7))
			csum_fold(c);
	}
	while (n >= 8) {
		memcpy(&c->acc, p, 8);	/* little-endian on arm64 and x86 */
		csum_fold(c);
		c->pos += 8;
		p += 8;
		n -= 8;
	}
	while (n) {
		c->acc |= (uint64_t)*p++ << (8 * (c->pos & 7));
		c->pos++;
		n--;
	}
}

static uint64_t csum_final(const struct csum *c)
{
	struct csum t = *c;

	if (t.pos & 7)
		csum_fold(&t);
	return t.h ^ t.pos;
}

static uint64_t seed_of(uint32_t domid, uint32_t round)
{
	return 0x58454e53484d0000ull ^ ((uint64_t)domid << 8) ^ round;
}

/* ------------------------------------------------------ /proc/interrupts */

/*
 * Sum of all CPUs' counts of the IRQ named exactly @name, and a copy of its
 * /proc/interrupts line (spaces squeezed): -1 if absent, -2 if more than one
 * line carries the name (then the channel's count cannot be told: the module
 * must name an idle static port after the port, not after its last owner).
 */
static long long irq_count_once(const char *name, char *copy, size_t copylen)
{
	char line[1024];
	long long total = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':'), *end, *last;
		long long sum = 0;
		size_t nl;

		if (!p)
			continue;
		nl = strlen(line);
		while (nl && (line[nl - 1] == '\n' || line[nl - 1] == ' '))
			line[--nl] = 0;
		last = strrchr(line, ' ');
		if (!last || strcmp(last + 1, name))
			continue;
		if (total != -1) {
			total = -2;
			break;
		}
		if (copy && copylen) {
			size_t o = 0;

			for (const char *q = line; *q && o + 1 < copylen; q++)
				if (*q != ' ' || (o && copy[o - 1] != ' '))
					copy[o++] = *q;
			copy[o] = 0;
		}
		p++;
		for (;;) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			sum += v;
			p = end;
		}
		total = sum;
	}
	fclose(f);
	return total;
}

/*
 * The same, but a static port's name is rewritten in place when a channel
 * takes it, so a read may catch another port's name half rewritten into ours
 * for an instant: a duplicate is read again, 10 ms apart, and only one that
 * stays counts.
 */
static long long irq_count_line(const char *name, char *copy, size_t copylen)
{
	long long n = irq_count_once(name, copy, copylen);

	for (int i = 0; n == -2 && i < 5; i++) {
		usleep(10000);
		n = irq_count_once(name, copy, copylen);
	}
	return n;
}

static long long irq_count(const char *name)
{
	return irq_count_line(name, NULL, 0);
}

/* -------------------------------------------------------------- channel */

struct end {
	int fd;
	int efd;
	struct xenshm_info info;
	char irq_name[96];
};

static int open_connect(struct end *e, const char *chan, uint32_t mode,
			uint32_t pin, int timeout_ms)
{
	int ret;

	memset(e, 0, sizeof(*e));
	e->efd = -1;
	snprintf(e->irq_name, sizeof(e->irq_name), "xenshm-%s", chan);
	/* The end may still be held by our previous open for a moment. */
	for (int i = 0; i < 50; i++) {
		e->fd = xenshm_open(chan, O_NONBLOCK);
		if (e->fd != -EBUSY)
			break;
		usleep(100000);
	}
	if (e->fd < 0)
		return e->fd;
	ret = xenshm_connect(e->fd, mode, XENSHM_ROLE_AUTO, timeout_ms, pin);
	if (ret && ret != -EINPROGRESS)
		goto fail;
	ret = xenshm_wait_connected(e->fd, timeout_ms + 5000);
	if (ret == -ECONNREFUSED) {
		/* The connect failed: read() reports why. */
		char c;

		if (read(e->fd, &c, 1) < 0 && errno != EAGAIN)
			ret = -errno;
	}
	if (ret)
		goto fail;
	ret = xenshm_get_info(e->fd, &e->info);
	if (ret)
		goto fail;
	g_dom = e->info.local_domid;
	return 0;
fail:
	close(e->fd);
	e->fd = -1;
	return ret;
}

static void end_close(struct end *e)
{
	if (e->efd >= 0)
		close(e->efd);
	if (e->fd >= 0)
		close(e->fd);
	e->fd = e->efd = -1;
}

/* Duplex transfer state for one direction pair. */
struct duplex {
	uint64_t tx_seed, rx_seed;
	uint64_t tx_pos, rx_pos;	/* stream positions (continue across paths) */
	uint64_t tx_end, rx_end;
	struct csum tx_sum, rx_sum;
	uint64_t bad_at;		/* first mismatching rx position + 1, or 0 */
	unsigned char *txbuf, *rxbuf, *expbuf;
	size_t chunk;
};

static int check_rx(struct duplex *d, const unsigned char *buf, size_t n)
{
	gen(d->rx_seed, d->rx_pos, d->expbuf, n);
	if (memcmp(buf, d->expbuf, n)) {
		for (size_t i = 0; i < n; i++)
			if (buf[i] != d->expbuf[i]) {
				d->bad_at = d->rx_pos + i + 1;
				break;
			}
		return -EBADMSG;
	}
	csum_add(&d->rx_sum, buf, n);
	d->rx_pos += n;
	return 0;
}

/* read()/write() path, non-blocking fd driven by poll(). */
static int xfer_rw(struct end *e, struct duplex *d, unsigned int *wakeups)
{
	while (d->tx_pos < d->tx_end || d->rx_pos < d->rx_end) {
		struct pollfd p = { .fd = e->fd, .events = 0 };
		int r;

		if (d->tx_pos < d->tx_end)
			p.events |= POLLOUT;
		if (d->rx_pos < d->rx_end)
			p.events |= POLLIN;
		r = poll(&p, 1, 20000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r ? -errno : -ETIMEDOUT;
		(*wakeups)++;
		if (p.revents & POLLERR)
			return -EIO;
		if (p.revents & POLLIN) {
			size_t want = d->rx_end - d->rx_pos;
			ssize_t n;

			if (want > d->chunk)
				want = d->chunk;
			n = read(e->fd, d->rxbuf, want);
			if (n < 0 && errno != EAGAIN)
				return -errno;
			if (n == 0)
				return -ECONNRESET;
			if (n > 0 && check_rx(d, d->rxbuf, n))
				return -EBADMSG;
		}
		if (p.revents & POLLOUT) {
			size_t want = d->tx_end - d->tx_pos;
			ssize_t n;

			if (want > d->chunk)
				want = d->chunk;
			gen(d->tx_seed, d->tx_pos, d->txbuf, want);
			n = write(e->fd, d->txbuf, want);
			if (n < 0 && errno != EAGAIN)
				return -errno;
			if (n > 0) {
				csum_add(&d->tx_sum, d->txbuf, n);
				d->tx_pos += n;
			}
		}
		if ((p.revents & POLLHUP) && !(p.revents & POLLIN))
			return -ECONNRESET;
	}
	return 0;
}

/*
 * A kick (XENSHM_IOC_NOTIFY) fails with ECONNRESET once the peer has left;
 * that is no reason to stop draining what it sent before it left: mm_wait()
 * ends the transfer when the peer is gone and nothing is left to read.
 */
static int kick(int ret)
{
	return ret == -ECONNRESET ? 0 : ret;
}

/*
 * mmap + eventfd: nothing moved, so arm what we wait for, re-check, and
 * sleep on the eventfd. 0 to go on, or a negative errno.
 */
static int mm_wait(struct end *e, struct xenshm_map *m, int want_rx,
		   size_t want_tx, unsigned int *wakeups)
{
	struct pollfd p[2] = {
		{ .fd = e->efd, .events = POLLIN },
		{ .fd = e->fd, .events = 0 },
	};
	int ready = 0, r;
	uint64_t v;

	if (want_rx) {
		r = xenshm_map_arm_rx(m);
		if (r < 0)
			return r;
		ready |= r;
	}
	if (want_tx) {
		/* Like the kernel's write(): wake when half the ring is free. */
		if (want_tx > m->info.data_size / 2)
			want_tx = m->info.data_size / 2;
		r = xenshm_map_arm_tx(m, want_tx);
		if (r < 0)
			return r;
		ready |= r;
	}
	if (ready)
		return 0;
	r = poll(p, 2, 20000);
	if (r == 0)
		return -ETIMEDOUT;
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (p[1].revents & POLLERR)
		return -EIO;
	/* A peer that left may have queued data before it went: drain it. */
	if ((p[1].revents & POLLHUP) && !(want_rx && xenshm_map_rx_avail(m) > 0))
		return -ECONNRESET;
	if (p[0].revents & POLLIN) {
		(*wakeups)++;
		if (read(e->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return -errno;
	}
	return 0;
}

/* mmap + eventfd path through libxenshm's ring API. */
static int xfer_mmap(struct end *e, struct xenshm_map *m, struct duplex *d,
		     unsigned int *wakeups)
{
	int ret = 0;

	while (d->tx_pos < d->tx_end || d->rx_pos < d->rx_end) {
		int progress = 0;

		if (d->rx_pos < d->rx_end) {
			size_t want = d->rx_end - d->rx_pos;
			ssize_t n;

			if (want > d->chunk)
				want = d->chunk;
			n = xenshm_map_read(m, d->rxbuf, want);
			if (n > 0) {
				if (check_rx(d, d->rxbuf, n))
					return -EBADMSG;
				ret = kick(xenshm_map_kick_rx(m));
				if (ret < 0)
					return ret;
				progress = 1;
			} else if (n != -EAGAIN) {
				return n ? (int)n : -ECONNRESET;
			}
		}
		if (d->tx_pos < d->tx_end) {
			size_t want = d->tx_end - d->tx_pos;
			ssize_t n;

			if (want > d->chunk)
				want = d->chunk;
			gen(d->tx_seed, d->tx_pos, d->txbuf, want);
			n = xenshm_map_write(m, d->txbuf, want);
			if (n > 0) {
				csum_add(&d->tx_sum, d->txbuf, n);
				d->tx_pos += n;
				ret = kick(xenshm_map_kick_tx(m));
				if (ret < 0)
					return ret;
				progress = 1;
			} else if (n != -EAGAIN) {
				return n ? (int)n : -EIO;
			}
		}
		if (progress)
			continue;
		ret = mm_wait(e, m, d->rx_pos < d->rx_end,
			      d->tx_end - d->tx_pos, wakeups);
		if (ret)
			return ret;
	}
	return 0;
}

/* Exact exchange of a small record each way over the mapping. */
static int mm_exchange(struct end *e, struct xenshm_map *m, const void *tx,
		       size_t txlen, void *rx, size_t rxlen)
{
	size_t sent = 0, got = 0;
	unsigned int wk = 0;
	int ret;

	while (sent < txlen || got < rxlen) {
		int progress = 0;
		ssize_t n;

		if (got < rxlen) {
			n = xenshm_map_read(m, (char *)rx + got, rxlen - got);
			if (n > 0) {
				got += n;
				progress = 1;
				ret = kick(xenshm_map_kick_rx(m));
				if (ret < 0)
					return ret;
			} else if (n != -EAGAIN) {
				return n ? (int)n : -ECONNRESET;
			}
		}
		if (sent < txlen) {
			n = xenshm_map_write(m, (const char *)tx + sent,
					     txlen - sent);
			if (n > 0) {
				sent += n;
				progress = 1;
				ret = kick(xenshm_map_kick_tx(m));
				if (ret < 0)
					return ret;
			} else if (n != -EAGAIN) {
				return n ? (int)n : -EIO;
			}
		}
		if (!progress) {
			ret = mm_wait(e, m, got < rxlen, txlen - sent, &wk);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Blocking-ish exact read/write of a small record on the non-blocking fd. */
static int write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
	const char *p = buf;

	while (len) {
		struct pollfd q = { .fd = fd, .events = POLLOUT };
		ssize_t n = write(fd, p, len);

		if (n > 0) {
			p += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			return -errno;
		if (poll(&q, 1, timeout_ms) == 0)
			return -ETIMEDOUT;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len, int timeout_ms)
{
	char *p = buf;

	while (len) {
		struct pollfd q = { .fd = fd, .events = POLLIN };
		ssize_t n = read(fd, p, len);

		if (n > 0) {
			p += n;
			len -= n;
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno != EAGAIN)
			return -errno;
		if (poll(&q, 1, timeout_ms) == 0)
			return -ETIMEDOUT;
	}
	return 0;
}

/*
 * One event each way, by construction: the lower domid waits on an empty
 * ring, the other writes 300 ms later, when the reader has armed its event
 * index and must be kicked; then the roles swap. Event-index suppression may
 * rightly carry a whole bulk transfer without a single upcall (seen after a
 * reconnect), so the IRQ check must not rest on the transfer alone.
 */
static int kick_each_way(const struct end *e)
{
	int lower = e->info.local_domid < e->info.peer_domid;
	char buf[4];
	int ret = 0;

	for (int turn = 0; turn < 2 && !ret; turn++) {
		if ((turn == 0) == lower) {
			ret = read_all(e->fd, buf, sizeof(buf), 15000);
			if (!ret && memcmp(buf, "KICK", 4))
				ret = -EPROTO;
		} else {
			usleep(300000);
			ret = write_all(e->fd, "KICK", 4, 15000);
		}
	}
	return ret;
}

struct trailer {
	char tag[8];		/* "XSHMDONE" */
	uint64_t bytes;
	uint64_t csum;
};

/*
 * Stream phase: SIZE MiB via read/write, SIZE MiB via mmap, then the trailer.
 * Returns 0 when everything passed.
 */
static int phase_stream(const char *chan, size_t size_mib, uint32_t round,
			int do_mmap)
{
	struct end e;
	struct duplex d;
	struct trailer mine, theirs;
	struct xenshm_map m;
	int mapped = 0;
	unsigned int wk_rw = 0, wk_mm = 0;
	long long irq0, irq1;
	int kick = 0;
	struct xenshm_stats st, st0;
	double t0, t1, t2;
	uint64_t size = (uint64_t)size_mib * MIB;
	int ret;

	ret = open_connect(&e, chan, XENSHM_MODE_STREAM, XENSHM_DOMID_NONE,
			   CONNECT_TIMEOUT_MS);
	result(!ret, round ? "reconnect" : "connect", "err=%d peer=%u port=%u",
	       ret, ret ? 0 : e.info.peer_domid, ret ? 0 : e.info.local_port);
	if (ret)
		return ret;
	if (g_demo) {
		static const char *const attrs[] = {
			"state", "local_domid", "peer", "ports", "role", "slot",
		};
		char sys[256], all[160] = "", val[32];

		emit("XENSHM-INFO %s demo %s connected: dom%u<->dom%u port %u (%s)",
		     g_domname, chan, e.info.local_domid, e.info.peer_domid,
		     e.info.local_port, xenshm_role_name(e.info.role));
		/* What an administrator sees without opening the end. */
		for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
			FILE *f;

			snprintf(sys, sizeof(sys), "/sys/class/misc/xenshm!%s/%s",
				 chan, attrs[i]);
			f = fopen(sys, "r");
			if (!f || !fgets(val, sizeof(val), f))
				snprintf(val, sizeof(val), "?");
			if (f)
				fclose(f);
			val[strcspn(val, "\n")] = 0;
			snprintf(all + strlen(all), sizeof(all) - strlen(all),
				 " %s=%s", attrs[i], val);
		}
		emit("XENSHM-INFO %s demo %s sysfs:%s", g_domname, chan, all);
	}

	memset(&d, 0, sizeof(d));
	d.chunk = 256 * 1024;
	d.txbuf = malloc(d.chunk);
	d.rxbuf = malloc(d.chunk);
	d.expbuf = malloc(d.chunk);
	if (!d.txbuf || !d.rxbuf || !d.expbuf)
		return -ENOMEM;
	d.tx_seed = seed_of(e.info.local_domid, round);
	d.rx_seed = seed_of(e.info.peer_domid, round);
	csum_init(&d.tx_sum);
	csum_init(&d.rx_sum);

	irq0 = irq_count(e.irq_name);
	if (xenshm_get_stats(e.fd, &st0))
		memset(&st0, 0, sizeof(st0));
	t0 = now_s();
	d.tx_end = d.rx_end = size;
	ret = xfer_rw(&e, &d, &wk_rw);
	t1 = now_s();
	result(!ret, round ? "rw-after-reconnect" : "rw-stream",
	       "err=%d tx=%llu rx=%llu bad_at=%llu wakeups=%u",
	       ret, (unsigned long long)d.tx_pos, (unsigned long long)d.rx_pos,
	       (unsigned long long)d.bad_at, wk_rw);
	if (!ret)
		emit("XENSHM-INFO %s perf path=%s chan=%s peer=%u MiB=%zu+%zu s=%.3f MiB/s=%.1f",
		     g_domname, round ? "rw2" : "rw", short_chan(chan),
		     e.info.peer_domid, size_mib, size_mib, t1 - t0,
		     2.0 * size / MIB / (t1 - t0));
	if (!ret && g_demo)
		emit("XENSHM-INFO %s demo %s read/write: %zu MiB each way, %.2f s, %.1f MiB/s",
		     g_domname, chan, size_mib, t1 - t0,
		     2.0 * size / MIB / (t1 - t0));

	if (!ret && do_mmap) {
		d.tx_end += size;
		d.rx_end += size;
		e.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		ret = e.efd < 0 ? -errno : xenshm_set_eventfd(e.fd, e.efd);
		if (!ret) {
			ret = xenshm_map(e.fd, &m);
			mapped = !ret;
		}
		if (!ret)
			ret = xfer_mmap(&e, &m, &d, &wk_mm);
		t2 = now_s();
		result(!ret, "mmap-eventfd",
		       "err=%d tx=%llu rx=%llu bad_at=%llu efd_wakeups=%u",
		       ret, (unsigned long long)(d.tx_pos - size),
		       (unsigned long long)(d.rx_pos - size),
		       (unsigned long long)d.bad_at, wk_mm);
		if (!ret)
			emit("XENSHM-INFO %s perf path=mmap chan=%s peer=%u MiB=%zu+%zu s=%.3f MiB/s=%.1f",
			     g_domname, short_chan(chan), e.info.peer_domid,
			     size_mib, size_mib, t2 - t1,
			     2.0 * size / MIB / (t2 - t1));
		if (!ret && g_demo)
			emit("XENSHM-INFO %s demo %s mmap+eventfd: %zu MiB each way, %.2f s, %.1f MiB/s",
			     g_domname, chan, size_mib, t2 - t1,
			     2.0 * size / MIB / (t2 - t1));
	}

	if (!ret) {
		/* Trailer: the sender's checksum and count travel in-band. */
		memcpy(mine.tag, "XSHMDONE", 8);
		mine.bytes = d.tx_pos;
		mine.csum = csum_final(&d.tx_sum);
		/* After mmap the end stays in mmap mode until it detaches. */
		if (mapped) {
			ret = mm_exchange(&e, &m, &mine, sizeof(mine), &theirs,
					  sizeof(theirs));
		} else {
			ret = write_all(e.fd, &mine, sizeof(mine), 20000);
			if (!ret)
				ret = read_all(e.fd, &theirs, sizeof(theirs),
					       20000);
		}
		result(!ret && !memcmp(theirs.tag, "XSHMDONE", 8) &&
		       theirs.bytes == d.rx_pos &&
		       theirs.csum == csum_final(&d.rx_sum),
		       "checksum", "err=%d rx=%llu/%016llx peer_tx=%llu/%016llx",
		       ret, (unsigned long long)d.rx_pos,
		       (unsigned long long)csum_final(&d.rx_sum),
		       ret ? 0ull : (unsigned long long)theirs.bytes,
		       ret ? 0ull : (unsigned long long)theirs.csum);
	}

	if (!ret && g_demo)
		emit("XENSHM-INFO %s demo %s checksums match (%016llx), data verified",
		     g_domname, chan,
		     (unsigned long long)csum_final(&d.rx_sum));
	/* A mapped end stays in mmap mode: its transfer slept on the eventfd. */
	if (!ret && !mapped)
		kick = kick_each_way(&e);
	{
		char line[128] = "";

		irq1 = irq_count_line(e.irq_name, line, sizeof(line));
		if (g_demo)
			emit("XENSHM-INFO %s demo /proc/interrupts: %.80s",
			     g_domname, line);
	}
	/*
	 * The IRQ line must count the events the channel received. A mapped
	 * end gets no kick (read()/write() refuse in mmap mode), and a short
	 * transfer may never sleep, so no event at all is possible: then the
	 * count may stay, but only if the module also saw no event.
	 */
	if (xenshm_get_stats(e.fd, &st))
		memset(&st, 0, sizeof(st));
	result(!kick && irq0 >= 0 &&
	       (irq1 > irq0 || (mapped && st.notify_recv == st0.notify_recv)), "irq-count",
	       "irq=%s before=%lld after=%lld kick=%d events=%llu", e.irq_name, irq0, irq1,
	       kick, (unsigned long long)(st.notify_recv - st0.notify_recv));
	if (!xenshm_get_stats(e.fd, &st))
		emit("XENSHM-INFO %s stats chan=%s tx=%llu rx=%llu ev_sent=%llu ev_recv=%llu suppr=%llu err=%llu",
		     g_domname, short_chan(chan),
		     (unsigned long long)st.tx_bytes,
		     (unsigned long long)st.rx_bytes,
		     (unsigned long long)st.notify_sent,
		     (unsigned long long)st.notify_recv,
		     (unsigned long long)st.notify_suppressed,
		     (unsigned long long)st.errors);
	if (g_demo)
		emit("XENSHM-INFO %s demo %s upcalls: %lld on IRQ %s; events sent %llu, suppressed %llu",
		     g_domname, chan, irq1 - irq0, e.irq_name,
		     (unsigned long long)st.notify_sent,
		     (unsigned long long)st.notify_suppressed);

	/*
	 * Both trailers crossed: each side has received everything, so either
	 * may close now without the other losing data.
	 */
	if (mapped)
		xenshm_unmap(&m);
	end_close(&e);
	free(d.txbuf);
	free(d.rxbuf);
	free(d.expbuf);
	return ret;
}

/* Message phase; leaves the end open in *e for the phase that follows. */
static int phase_message(const char *chan, struct end *e)
{
	static unsigned char buf[1 << 20], exp[1 << 20];
	const unsigned int nmsg = 2000;
	unsigned int sent = 0, got = 0, bad = 0, max_msg;
	uint64_t seed_tx, seed_rx;
	int ret, lower;
	double t0;

	ret = open_connect(e, chan, XENSHM_MODE_MESSAGE, XENSHM_DOMID_NONE,
			   CONNECT_TIMEOUT_MS);
	result(!ret, "connect-message", "err=%d", ret);
	if (ret)
		return ret;
	max_msg = e->info.max_msg_size;
	if (max_msg > sizeof(buf))
		max_msg = sizeof(buf);
	seed_tx = seed_of(e->info.local_domid, 100);
	seed_rx = seed_of(e->info.peer_domid, 100);
	lower = e->info.local_domid < e->info.peer_domid;

	/*
	 * Message i has length len(i) in [1, max_msg]; its payload is the
	 * generator at position i << 32, so a merged or split message fails.
	 */
#define MSG_LEN(i) ((unsigned int)(1 + (mix((i) * 7919ull) % ((i) % 5 ? 600 : max_msg))))
	while (sent < nmsg || got < nmsg) {
		struct pollfd p = { .fd = e->fd, .events = 0 };

		if (sent < nmsg)
			p.events |= POLLOUT;
		if (got < nmsg)
			p.events |= POLLIN;
		if (poll(&p, 1, 20000) <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		if (p.revents & POLLIN) {
			ssize_t n = read(e->fd, buf, sizeof(buf));

			if (n > 0) {
				unsigned int want = MSG_LEN(got);

				gen(seed_rx, (uint64_t)got << 32, exp, want);
				if ((size_t)n != want || memcmp(buf, exp, want))
					bad++;
				got++;
			} else if (n == 0 || errno != EAGAIN) {
				ret = n ? -errno : -ECONNRESET;
				break;
			}
		}
		if ((p.revents & POLLOUT) && sent < nmsg) {
			unsigned int len = MSG_LEN(sent);
			ssize_t n;

			gen(seed_tx, (uint64_t)sent << 32, buf, len);
			n = write(e->fd, buf, len);
			if (n == (ssize_t)len) {
				sent++;
			} else if (n >= 0 || errno != EAGAIN) {
				ret = n < 0 ? -errno : -EPROTO;	/* partial: boundary broken */
				break;
			}
		}
	}
	result(!ret && !bad && got == nmsg, "message-boundaries",
	       "err=%d sent=%u received=%u bad=%u max_msg=%u", ret, sent, got,
	       bad, max_msg);
	if (ret)
		return ret;

	/*
	 * Poll wakeup: the lower domid sleeps in poll() on an empty ring; the
	 * other waits 300 ms, then sends one message. Then the roles swap.
	 */
	for (int turn = 0; turn < 2; turn++) {
		int sleeper = (turn == 0) == lower;

		if (sleeper) {
			struct pollfd p = { .fd = e->fd, .events = POLLIN };
			double t;
			int r;

			t0 = now_s();
			r = poll(&p, 1, 10000);
			t = now_s() - t0;
			ssize_t n = r > 0 ? read(e->fd, buf, sizeof(buf)) : -1;

			result(r == 1 && (p.revents & POLLIN) && n == 4 &&
			       !memcmp(buf, "WAKE", 4) && t > 0.1, "poll-wakeup",
			       "poll=%d revents=%#x read=%zd slept=%.3fs", r,
			       p.revents, n, t);
			/* Tell the sender we are done sleeping. */
			write_all(e->fd, "OK", 2, 10000);
		} else {
			usleep(300000);
			ret = write_all(e->fd, "WAKE", 4, 10000);
			if (!ret) {
				struct pollfd p = { .fd = e->fd, .events = POLLIN };

				ret = poll(&p, 1, 15000) == 1 ? 0 : -ETIMEDOUT;
				if (!ret && read(e->fd, buf, sizeof(buf)) != 2)
					ret = -EPROTO;
			}
			if (ret) {
				result(0, "poll-wakeup-peer", "err=%d", ret);
				return ret;
			}
		}
	}
	return 0;
}

/* The end whose peer is reloaded: wait for the hang-up, then reconnect. */
static int phase_peer_reload(const char *chan, struct end *e, size_t size_mib)
{
	struct pollfd p = { .fd = e->fd, .events = POLLIN };
	char buf[64];
	double t0;
	ssize_t n;
	int ret, r;

	/* Handshake: the reloading side closes only once we listen. */
	ret = read_all(e->fd, buf, 6, 30000);
	if (ret || memcmp(buf, "RELOAD", 6)) {
		result(0, "reload-handshake", "err=%d", ret);
		return ret ? ret : -EPROTO;
	}
	ret = write_all(e->fd, "READY", 5, 10000);
	if (ret) {
		result(0, "reload-handshake", "err=%d", ret);
		return ret;
	}
	t0 = now_s();
	r = poll(&p, 1, 60000);
	result(r == 1 && (p.revents & POLLHUP), "peer-hup",
	       "poll=%d revents=%#x after=%.3fs", r, p.revents, now_s() - t0);
	n = read(e->fd, buf, sizeof(buf));
	result(n == 0 || (n < 0 && errno == ECONNRESET), "peer-hup-read",
	       "read=%zd errno=%d", n, n < 0 ? errno : 0);
	n = write(e->fd, "x", 1);
	result(n < 0 && (errno == ECONNRESET || errno == EPIPE), "peer-hup-write",
	       "write=%zd errno=%d", n, n < 0 ? errno : 0);
	end_close(e);
	/* The peer comes back with a new module instance: data flows again. */
	return phase_stream(chan, size_mib, 1, 0);
}

/* The end in the reloading domain: hand over, close, exit. */
static int phase_reloader(const char *chan, struct end *e)
{
	char buf[8];
	int ret;

	(void)chan;
	ret = write_all(e->fd, "RELOAD", 6, 10000);
	if (!ret)
		ret = read_all(e->fd, buf, 5, 30000);
	result(!ret && !memcmp(buf, "READY", 5), "reload-handshake", "err=%d", ret);
	end_close(e);
	return ret;
}

/* Neither end reloads: a wrong pinned peer must fail fast, then recover. */
static int phase_pin(const char *chan, struct end *e, size_t size_mib)
{
	int lower = e->info.local_domid < e->info.peer_domid;
	struct end w;
	double t0;
	int ret;

	/* Agree on when to start: both ends close the message connection. */
	if (lower) {
		char b[2];

		ret = read_all(e->fd, b, 2, 30000);	/* "GO" */
		end_close(e);
		if (ret) {
			result(0, "wrong-peer", "handshake err=%d", ret);
			return ret;
		}
		t0 = now_s();
		ret = open_connect(&w, chan, XENSHM_MODE_STREAM, WRONG_DOMID, 15000);
		result(ret == -EACCES && now_s() - t0 < 10, "wrong-peer",
		       "pinned=%u err=%d (%s) after=%.3fs", WRONG_DOMID, ret, strerror(-ret), now_s() - t0);
		if (!ret)
			end_close(&w);
	} else {
		ret = write_all(e->fd, "GO", 2, 10000);
		end_close(e);
		if (ret)
			return ret;
	}
	/* Both reconnect without a pin (and the pinned domid accepted). */
	return phase_stream(chan, size_mib, 1, 0);
}

/* ------------------------------------------------------------------ soak */

/* Length of message i of a stream seeded with @seed: 1..max_msg. */
static unsigned int soak_len(uint64_t seed, uint64_t i, unsigned int max_msg)
{
	uint64_t r = mix(seed ^ (i * 0x9e3779b97f4a7c15ull));

	/* mostly short, some up to the maximum */
	return 1 + (unsigned int)(r % ((r >> 40) % 8 ? 2048 : max_msg));
}

/*
 * Message mode, sending if @send and receiving if @recv, until @bytes went
 * each way (0: no limit), @seconds passed (0: no limit) or the peer hung up
 * (-ECONNRESET); every message is checked against the sender's generator of
 * @round. Returns 0 or -errno; @sent_b and @got_b count bytes, @bad the
 * messages that were not exactly what the peer sent.
 */
static int soak_exchange(struct end *e, uint64_t bytes, int send, int recv, double seconds,
			 uint64_t round, uint64_t *sent_b, uint64_t *got_b, unsigned int *bad)
{
	static unsigned char buf[1 << 20], exp[1 << 20];
	uint64_t seed_tx = seed_of(e->info.local_domid, 200 + round);
	uint64_t seed_rx = seed_of(e->info.peer_domid, 200 + round);
	uint64_t sent = 0, got = 0;
	unsigned int max_msg = e->info.max_msg_size;
	double until = seconds > 0 ? now_s() + seconds : 0;

	if (max_msg > sizeof(buf))
		max_msg = sizeof(buf);
	*sent_b = *got_b = 0;
	*bad = 0;
	for (;;) {
		int want_tx = send && (!bytes || *sent_b < bytes);
		int want_rx = recv && (!bytes || *got_b < bytes);
		struct pollfd p = { .fd = e->fd };

		if ((!want_tx && !want_rx) || (until && now_s() >= until))
			break;
		p.events = (want_tx ? POLLOUT : 0) | (want_rx ? POLLIN : 0);
		if (poll(&p, 1, 20000) <= 0)
			return -ETIMEDOUT;
		if (p.revents & POLLIN) {
			ssize_t n = read(e->fd, buf, sizeof(buf));

			if (n > 0) {
				unsigned int len = soak_len(seed_rx, got, max_msg);

				gen(seed_rx, got << 32, exp, len);
				if ((size_t)n != len || memcmp(buf, exp, len))
					(*bad)++;
				got++;
				*got_b += (uint64_t)n;
			} else if (n == 0) {
				return -ECONNRESET;	/* the peer left, all read */
			} else if (errno != EAGAIN) {
				return -errno;
			}
		}
		if ((p.revents & POLLOUT) && want_tx) {
			unsigned int len = soak_len(seed_tx, sent, max_msg);
			ssize_t n;

			gen(seed_tx, sent << 32, buf, len);
			n = write(e->fd, buf, len);
			if (n == (ssize_t)len) {
				sent++;
				*sent_b += len;
			} else if (n >= 0) {
				return -EPROTO;	/* a message split: boundary broken */
			} else if (errno != EAGAIN) {
				return -errno;
			}
		}
		if ((p.revents & (POLLHUP | POLLERR)) && !(p.revents & POLLIN))
			return p.revents & POLLERR ? -EIO : -ECONNRESET;
	}
	return 0;
}

static int phase_soak(const char *chan, size_t size_mib)
{
	uint64_t sent, got, bytes = (uint64_t)size_mib * MIB;
	unsigned int bad;
	struct end e;
	double t0;
	int ret;

	ret = open_connect(&e, chan, XENSHM_MODE_MESSAGE, XENSHM_DOMID_NONE, CONNECT_TIMEOUT_MS);
	if (ret) {
		result(0, "soak-volume", "connect err=%d", ret);
		return ret;
	}
	t0 = now_s();
	ret = soak_exchange(&e, bytes, 1, 1, 0, 0, &sent, &got, &bad);
	result(!ret && !bad && sent >= bytes && got >= bytes, "soak-volume",
	       "err=%d tx=%lluMiB rx=%lluMiB bad=%u in %.0fs", ret,
	       (unsigned long long)(sent >> 20), (unsigned long long)(got >> 20), bad, now_s() - t0);
	end_close(&e);
	return ret;
}

/* One life of the reloading side: check what arrives for 0.5 s, then leave. */
static int phase_soak_reloader(const char *chan, unsigned int cycle)
{
	uint64_t sent, got;
	unsigned int bad;
	struct end e;
	int ret;

	ret = open_connect(&e, chan, XENSHM_MODE_MESSAGE, XENSHM_DOMID_NONE, CONNECT_TIMEOUT_MS);
	if (ret) {
		result(0, "soak-reload", "cycle %u connect err=%d", cycle, ret);
		return ret;
	}
	ret = soak_exchange(&e, 0, 0, 1, 0.5, cycle, &sent, &got, &bad);
	if (ret || bad || !got)
		result(0, "soak-reload", "cycle %u err=%d rx=%llu bad=%u", cycle, ret,
		       (unsigned long long)got, bad);
	end_close(&e);		/* mid-stream: the peer is writing */
	return ret || bad || !got ? -EIO : 0;
}

/* The other side: @cycles rounds of streaming until the hang-up. */
static int phase_soak_peer(const char *chan, unsigned int cycles)
{
	uint64_t sent, got, total = 0;
	unsigned int bad, i, fails = 0;
	struct end e;
	int ret;

	for (i = 1; i <= cycles; i++) {
		ret = open_connect(&e, chan, XENSHM_MODE_MESSAGE, XENSHM_DOMID_NONE,
				   CONNECT_TIMEOUT_MS);
		if (ret) {
			fails++;
			emit("XENSHM-INFO %s soak %s round %u connect err=%d", g_domname, chan, i, ret);
			continue;
		}
		ret = soak_exchange(&e, 0, 1, 0, 0, i, &sent, &got, &bad);
		total += sent;
		if (ret != -ECONNRESET && ret != -EPIPE) {
			fails++;
			emit("XENSHM-INFO %s soak %s round %u ended with %d", g_domname, chan, i, ret);
		}
		end_close(&e);
	}
	result(!fails, "soak-reload", "%u rounds, %u failed, %lluMiB sent mid-stream", cycles,
	       fails, (unsigned long long)(total >> 20));
	return fails ? -EIO : 0;
}

/* The peer lies about its domid: refuse it, then serve the real peer. */
static int phase_refuse(const char *chan, size_t size_mib)
{
	double t0 = now_s();
	struct end e;
	int ret;

	ret = open_connect(&e, chan, XENSHM_MODE_STREAM, XENSHM_DOMID_NONE,
			   30000);
	result(ret == -EACCES, "hijack-refused", "err=%d (%s) after=%.2fs", ret,
	       strerror(-ret), now_s() - t0);
	if (!ret)
		end_close(&e);
	/* The liar frees its slot once it sees ours go FREE. */
	sleep(2);
	return phase_stream(chan, size_mib, 1, 0);
}

static int run_channel(const char *chan, const char *cmd, size_t size_mib,
		       uint32_t reload_dom, int pin_test)
{
	struct end e;
	int ret;

	g_chan = chan;
	/* Well before the harness's global timeout, so a hang is reported. */
	signal(SIGALRM, watchdog);
	if (!strncmp(cmd, "soak", 4))
		alarm(3600);	/* the soak's own timeout is the harness's */
	else
		alarm(strcmp(cmd, "run") && strcmp(cmd, "demo") ? 90 : 180);

	if (!strcmp(cmd, "demo")) {
		g_demo = 1;
		ret = phase_stream(chan, size_mib, 0, 1);
		if (!ret)
			emit("XENSHM-INFO %s demo %s closed cleanly", g_domname,
			     chan);
		return ret;
	}
	if (!strcmp(cmd, "after-reload"))
		return phase_stream(chan, size_mib / 4 ? size_mib / 4 : 1, 1, 0);
	if (!strcmp(cmd, "refuse"))
		return phase_refuse(chan, size_mib / 4 ? size_mib / 4 : 1);
	if (!strcmp(cmd, "soak"))
		return phase_soak(chan, size_mib);
	if (!strcmp(cmd, "soak-reloader"))
		return phase_soak_reloader(chan, (unsigned int)size_mib);
	if (!strcmp(cmd, "soak-peer"))
		return phase_soak_peer(chan, (unsigned int)size_mib);

	ret = phase_stream(chan, size_mib, 0, 1);
	if (ret)
		return ret;
	ret = phase_message(chan, &e);
	if (ret) {
		end_close(&e);
		return ret;
	}
	if (reload_dom != XENSHM_DOMID_NONE && e.info.local_domid == reload_dom)
		return phase_reloader(chan, &e);
	if (reload_dom != XENSHM_DOMID_NONE && e.info.peer_domid == reload_dom)
		return phase_peer_reload(chan, &e, size_mib / 4 ? size_mib / 4 : 1);
	if (pin_test)
		return phase_pin(chan, &e, size_mib / 4 ? size_mib / 4 : 1);
	end_close(&e);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xenshm-e2e run|after-reload|refuse|demo|soak|soak-reloader|soak-peer [--size N]\n"
		"       [--reload-dom D] [--pin-test] [--serial] CHAN...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint32_t reload_dom = XENSHM_DOMID_NONE;
	size_t size_mib = 64;
	int pin_test = 0, serial = 0, i, nchan = 0, status, failed = 0;
	const char *cmd;

	if (getenv("XENSHM_DOM"))
		g_domname = getenv("XENSHM_DOM");
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 3)
		usage();
	cmd = argv[1];
	if (strcmp(cmd, "run") && strcmp(cmd, "after-reload") && strcmp(cmd, "refuse") &&
	    strcmp(cmd, "demo") && strcmp(cmd, "soak") && strcmp(cmd, "soak-reloader") &&
	    strcmp(cmd, "soak-peer"))
		usage();
	for (i = 2; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--size") && i + 1 < argc)
			size_mib = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--reload-dom") && i + 1 < argc)
			reload_dom = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--pin-test"))
			pin_test = 1;
		else if (!strcmp(argv[i], "--serial"))
			serial = 1;
		else
			usage();
	}
	if (i == argc || !size_mib)
		usage();
	for (; i < argc; i++, nchan++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			int ret = run_channel(argv[i], cmd, size_mib, reload_dom,
					      pin_test);

			if (ret && !g_fail)
				result(0, "channel", "err=%d (%s)", ret, strerror(-ret));
			_exit(g_fail ? 1 : 0);
		}
		if (serial) {
			/* One channel at a time: throughput without contention. */
			if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
			    WEXITSTATUS(status))
				failed++;
			nchan--;
		}
	}
	while (nchan-- > 0) {
		if (wait(&status) < 0)
			break;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	return failed ? 1 : 0;
}
