// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm-xbench: one run of make bench-xen (tests/xen/bench.sh), one path and
 * one message size between Dom0 (side a) and domU1 (side b).
 *
 *   xenshm-xbench a|b PATH SIZE PAIR [--count N] [--iters N] [--chan NAME]
 *                     [--diy-addr GPA] [--diy-size BYTES]
 *
 * PATH:
 *   rw      xenshm read()/write() (stream mode)
 *   mmap    xenshm mapping, copying API (xenshm_map_write/read)
 *   zc      xenshm mapping, zero copy (reserve/commit, peek/release)
 *   vchan   Debian's libxenvchan (Dom0 is the server, domU1 the client)
 *   diy     the region through /dev/mem, a ring per direction (an index pair
 *           each) and an event channel through /dev/xen/evtchn, a kick per
 *           write; xenshm.ko must not be loaded
 *   memcpy  side a only: generate, memcpy, check in one domain
 *
 * Same work in every path: the sender generates each message (64-bit word k
 * of a direction's stream is (k + 1) * K) and the receiver checks every word;
 * a mismatch fails the run. Copying paths generate into a buffer and copy
 * (write/send); zc generates into the ring and checks in place.
 *
 * A run: connect, one sync message b -> a, throughput (a sends COUNT messages,
 * b checks them and answers one ack message; a times first send .. ack),
 * then ITERS round trips (a sends, b checks and answers, a checks). Each side
 * prints one line:
 *   XB <dom> <pair> <path> <size> <a|b> ok t=<s> B=<bytes> ev=<events sent
 *      during throughput> cpu=<us user+sys during throughput> p50=<us> p99=<us>
 * or "XB ... FAIL <why>".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <libxenvchan.h>	/* Debian's libxen-dev (defines domid_t) */
#include <xen/evtchn.h>		/* Linux uapi: IOCTL_EVTCHN_* */

#include "libxenshm.h"

#define K 0x9e3779b97f4a7c15ull

static char side;		/* 'a' (Dom0) or 'b' (domU1) */
static const char *g_path, *g_dom;
static size_t g_size;
static int g_pair;

static void fail(const char *fmt, ...)
{
	char msg[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("XB %s %d %s %zu %c FAIL %s\n", g_dom, g_pair, g_path, g_size, side, msg);
	fflush(stdout);
	exit(1);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static uint64_t cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* Stream positions are byte offsets, always multiples of 8 here. */
static void gen(void *dst, uint64_t pos, size_t len)
{
	uint64_t *w = dst, k = pos / 8 + 1;

	for (size_t i = 0; i < len / 8; i++)
		w[i] = (k + i) * K;
}

static int check(const void *src, uint64_t pos, size_t len)
{
	const uint64_t *w = src;
	uint64_t k = pos / 8 + 1, bad = 0;

	for (size_t i = 0; i < len / 8; i++)
		bad |= w[i] ^ ((k + i) * K);
	return bad != 0;
}

/* ------------------------------------------------------------ transports */

struct xport {
	int (*send)(struct xport *t, uint64_t pos, size_t len);
	int (*recv)(struct xport *t, uint64_t pos, size_t len);
	uint64_t (*events)(struct xport *t);	/* events sent so far */
	void (*close)(struct xport *t);
	unsigned char *buf;
	/* xenshm */
	int fd, efd;
	struct xenshm_map m;
	/* vchan */
	struct libxenvchan *vc;
	/* diy */
	int evfd;
	uint32_t port;
	volatile unsigned char *reg;
	size_t reg_size;
	uint64_t kicks;
};

/* ---- xenshm ---- */

static uint64_t xs_events(struct xport *t)
{
	struct xenshm_stats st;

	if (xenshm_get_stats(t->fd, &st))
		return 0;
	return st.notify_sent;
}

static void xs_close(struct xport *t)
{
	if (t->m.base)
		xenshm_unmap(&t->m);
	if (t->efd >= 0)
		close(t->efd);
	close(t->fd);
}

static int rw_send(struct xport *t, uint64_t pos, size_t len)
{
	gen(t->buf, pos, len);
	for (size_t off = 0; off < len;) {
		ssize_t n = write(t->fd, t->buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += n;
	}
	return 0;
}

static int rw_recv(struct xport *t, uint64_t pos, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = read(t->fd, t->buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += n;
	}
	return check(t->buf, pos, len);
}

/* Nothing to do: arm what we wait for, re-check, sleep on the eventfd. */
static int mm_wait(struct xport *t, int rx, size_t want_tx)
{
	struct pollfd p = { .fd = t->efd, .events = POLLIN };
	uint64_t v;
	int r;

	if (rx)
		r = xenshm_map_arm_rx(&t->m);
	else
		r = xenshm_map_arm_tx(&t->m, want_tx > t->m.info.data_size / 2 ?
					      t->m.info.data_size / 2 : want_tx);
	if (r < 0)
		return r;
	if (r)
		return 0;
	r = poll(&p, 1, 30000);
	if (r <= 0)
		return r ? -errno : -ETIMEDOUT;
	if (read(t->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

static int mm_send(struct xport *t, uint64_t pos, size_t len)
{
	gen(t->buf, pos, len);
	for (size_t off = 0; off < len;) {
		ssize_t n = xenshm_map_write(&t->m, t->buf + off, len - off);

		if (n > 0) {
			off += n;
			if (xenshm_map_kick_tx(&t->m) < 0)
				return -1;
		} else if (n != -EAGAIN || mm_wait(t, 0, len - off)) {
			return -1;
		}
	}
	return 0;
}

static int mm_recv(struct xport *t, uint64_t pos, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = xenshm_map_read(&t->m, t->buf + off, len - off);

		if (n > 0) {
			off += n;
			if (xenshm_map_kick_rx(&t->m) < 0)
				return -1;
		} else if (n != -EAGAIN || mm_wait(t, 1, 0)) {
			return -1;
		}
	}
	return check(t->buf, pos, len);
}

static int zc_send(struct xport *t, uint64_t pos, size_t len)
{
	for (size_t off = 0; off < len;) {
		void *p;
		ssize_t n = xenshm_map_reserve(&t->m, len - off, &p);

		if (n > 0) {
			if (n & 7)
				return -1;
			gen(p, pos + off, n);
			if (xenshm_map_commit(&t->m, n) < 0)
				return -1;
			off += n;
		} else if (n != -EAGAIN || mm_wait(t, 0, len - off)) {
			return -1;
		}
	}
	return 0;
}

static int zc_recv(struct xport *t, uint64_t pos, size_t len)
{
	int bad = 0;

	for (size_t off = 0; off < len;) {
		const void *p;
		ssize_t n = xenshm_map_peek(&t->m, &p);

		if (n > 0) {
			size_t take = (size_t)n < len - off ? (size_t)n : len - off;

			if (take & 7)
				return -1;
			bad |= check(p, pos + off, take);
			if (xenshm_map_release(&t->m, take) < 0)
				return -1;
			off += take;
		} else if (n != -EAGAIN || mm_wait(t, 1, 0)) {
			return -1;
		}
	}
	return bad;
}

static void xs_open(struct xport *t, const char *chan, int map)
{
	int r = -EBUSY;

	/* The end may still be held by our previous run for a moment. */
	for (int i = 0; i < 100 && r == -EBUSY; i++) {
		r = t->fd = xenshm_open(chan, 0);
		if (r == -EBUSY)
			usleep(50000);
	}
	if (r < 0)
		fail("open %s: %s", chan, strerror(-r));
	r = xenshm_connect(t->fd, XENSHM_MODE_STREAM, XENSHM_ROLE_AUTO, 30000,
			   XENSHM_DOMID_NONE);
	if (r && r != -EINPROGRESS)
		fail("connect: %s", strerror(-r));
	r = xenshm_wait_connected(t->fd, 35000);
	if (r)
		fail("wait_connected: %s", strerror(-r));
	t->events = xs_events;
	t->close = xs_close;
	t->efd = -1;
	if (!map) {
		t->send = rw_send;
		t->recv = rw_recv;
		return;
	}
	r = xenshm_map(t->fd, &t->m);
	if (r)
		fail("map: %s", strerror(-r));
	t->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->efd < 0 || xenshm_set_eventfd(t->fd, t->efd))
		fail("eventfd");
}

/* ---- libxenvchan ---- */

/* Events libxenvchan sends: every xenevtchn_notify() it makes (-Wl,--wrap). */
static uint64_t vchan_notifies;
int __real_xenevtchn_notify(void *xce, uint32_t port);
int __wrap_xenevtchn_notify(void *xce, uint32_t port)
{
	vchan_notifies++;
	return __real_xenevtchn_notify(xce, port);
}

static uint64_t vc_events(struct xport *t)
{
	return vchan_notifies;
}

static void vc_close(struct xport *t)
{
	libxenvchan_close(t->vc);
}

static int vc_send(struct xport *t, uint64_t pos, size_t len)
{
	gen(t->buf, pos, len);
	return libxenvchan_send(t->vc, t->buf, len) == (int)len ? 0 : -1;
}

static int vc_recv(struct xport *t, uint64_t pos, size_t len)
{
	if (libxenvchan_recv(t->vc, t->buf, len) != (int)len)
		return -1;
	return check(t->buf, pos, len);
}

#define VCHAN_RING (1 << 20)

static void vc_open(struct xport *t)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/0/data/xbench/%d-%zu", g_pair, g_size);
	if (side == 'a') {
		t->vc = libxenvchan_server_init(NULL, 1, path, VCHAN_RING, VCHAN_RING);
		if (!t->vc)
			fail("libxenvchan_server_init: %s", strerror(errno));
	} else {
		for (int i = 0; i < 600 && !t->vc; i++) {
			t->vc = libxenvchan_client_init(NULL, 0, path);
			if (!t->vc)
				usleep(50000);
		}
		if (!t->vc)
			fail("libxenvchan_client_init: %s", strerror(errno));
	}
	t->vc->blocking = 1;
	t->send = vc_send;
	t->recv = vc_recv;
	t->events = vc_events;
	t->close = vc_close;
}

/* ---- do it yourself: /dev/mem + /dev/xen/evtchn ---- */

/*
 * Layout in the region (all 64-bit words, each written by one side only):
 * the control page is the region's last page, one cache line per word.
 * Ring 0 (a -> b) data at 1 MiB, ring 1 (b -> a) at 2 MiB, 1 MiB each.
 * /dev/mem maps memory outside the kernel's linear map as Device memory on
 * arm64: aligned 64-bit accesses only, no memcpy/memset on it.
 */
#define DIY_RING (1u << 20)
enum { C_HELLO_A, C_PORT_A, C_HELLO_B, C_HELLO2_A, C_HELLO2_B,
       C_PROD0, C_CONS0, C_PROD1, C_CONS1, C_WANT_A, C_WANT_B, C_NR };

static inline void dmb(void)
{
#ifdef __aarch64__
	__asm__ __volatile__("dmb sy" ::: "memory");
#else
	__sync_synchronize();
#endif
}

static volatile uint64_t *cw(struct xport *t, int i)
{
	return (volatile uint64_t *)(t->reg + t->reg_size - 4096 + 64 * i);
}

static volatile uint64_t *ring(struct xport *t, int r)
{
	return (volatile uint64_t *)(t->reg + (r ? 2 : 1) * DIY_RING);
}

static void diy_kick(struct xport *t)
{
	struct ioctl_evtchn_notify n = { .port = t->port };

	if (ioctl(t->evfd, IOCTL_EVTCHN_NOTIFY, &n))
		fail("IOCTL_EVTCHN_NOTIFY: %s", strerror(errno));
	t->kicks++;
}

static void diy_wait(struct xport *t)
{
	uint32_t p;

	if (read(t->evfd, &p, sizeof(p)) != sizeof(p))
		fail("read /dev/xen/evtchn: %s", strerror(errno));
	if (write(t->evfd, &p, sizeof(p)) != sizeof(p))	/* unmask */
		fail("unmask: %s", strerror(errno));
}

static int diy_send(struct xport *t, uint64_t pos, size_t len)
{
	int r = side == 'b';
	volatile uint64_t *prod = cw(t, r ? C_PROD1 : C_PROD0);
	volatile uint64_t *cons = cw(t, r ? C_CONS1 : C_CONS0);
	volatile uint64_t *want = cw(t, r ? C_WANT_B : C_WANT_A);
	volatile uint64_t *d = ring(t, r);
	const uint64_t *s = (const uint64_t *)t->buf;
	uint64_t p = *prod;

	gen(t->buf, pos, len);
	while (p + len - *cons > DIY_RING) {
		*want = 1;
		dmb();
		if (p + len - *cons <= DIY_RING)
			break;
		diy_wait(t);
	}
	if (*want)
		*want = 0;
	dmb();
	for (size_t i = 0; i < len / 8; i++)
		d[((p / 8) + i) % (DIY_RING / 8)] = s[i];
	dmb();
	*prod = p + len;
	dmb();
	diy_kick(t);
	return 0;
}

static int diy_recv(struct xport *t, uint64_t pos, size_t len)
{
	int r = side == 'a';	/* the ring the peer produces into */
	volatile uint64_t *prod = cw(t, r ? C_PROD1 : C_PROD0);
	volatile uint64_t *cons = cw(t, r ? C_CONS1 : C_CONS0);
	volatile uint64_t *want = cw(t, r ? C_WANT_B : C_WANT_A);
	volatile uint64_t *d = ring(t, r);
	uint64_t *o = (uint64_t *)t->buf, c = *cons;

	while (*prod - c < len)
		diy_wait(t);
	dmb();
	for (size_t i = 0; i < len / 8; i++)
		o[i] = d[((c / 8) + i) % (DIY_RING / 8)];
	dmb();
	*cons = c + len;
	dmb();
	if (*want)
		diy_kick(t);
	return check(t->buf, pos, len);
}

static uint64_t diy_events(struct xport *t)
{
	return t->kicks;
}

static void diy_close(struct xport *t)
{
	munmap((void *)t->reg, t->reg_size);
	close(t->evfd);	/* unbinds the port */
}

static void diy_open(struct xport *t, uint64_t gpa, size_t size)
{
	uint64_t run = (uint64_t)g_pair << 32 | g_size;
	int fd = open("/dev/mem", O_RDWR | O_SYNC);
	void *p;
	double t0 = now_us();

	if (fd < 0)
		fail("open /dev/mem: %s", strerror(errno));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, gpa);
	if (p == MAP_FAILED)
		fail("mmap /dev/mem %#llx: %s", (unsigned long long)gpa, strerror(errno));
	close(fd);
	t->reg = p;
	t->reg_size = size;
	t->evfd = open("/dev/xen/evtchn", O_RDWR);
	if (t->evfd < 0)
		fail("open /dev/xen/evtchn: %s", strerror(errno));
	/*
	 * Handshake: each side clears the words it owns and says hello with
	 * this run's id (rewritten while waiting: a module unloading on the
	 * other side may still write the region), then a second hello.
	 */
	if (side == 'a') {
		struct ioctl_evtchn_bind_unbound_port u = { .remote_domain = 1 };
		int port = ioctl(t->evfd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &u);

		if (port < 0)
			fail("BIND_UNBOUND_PORT: %s", strerror(errno));
		t->port = port;
		for (;;) {
			*cw(t, C_PROD0) = 0;
			*cw(t, C_CONS1) = 0;
			*cw(t, C_WANT_A) = 0;
			*cw(t, C_PORT_A) = port;
			dmb();
			*cw(t, C_HELLO_A) = run;
			dmb();
			if (*cw(t, C_HELLO_B) == run)
				break;
			if (now_us() - t0 > 60e6)
				fail("no hello from b");
			usleep(1000);
		}
		*cw(t, C_HELLO2_A) = run;
		while (*cw(t, C_HELLO2_B) != run) {
			if (now_us() - t0 > 60e6)
				fail("no second hello from b");
			usleep(1000);
		}
	} else {
		struct ioctl_evtchn_bind_interdomain b = { .remote_domain = 0 };
		int port;

		while (*cw(t, C_HELLO_A) != run) {
			if (now_us() - t0 > 60e6)
				fail("no hello from a");
			usleep(1000);
		}
		dmb();
		b.remote_port = *cw(t, C_PORT_A);
		port = ioctl(t->evfd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &b);
		if (port < 0)
			fail("BIND_INTERDOMAIN %u: %s", b.remote_port, strerror(errno));
		t->port = port;
		for (;;) {
			*cw(t, C_PROD1) = 0;
			*cw(t, C_CONS0) = 0;
			*cw(t, C_WANT_B) = 0;
			dmb();
			*cw(t, C_HELLO_B) = run;
			dmb();
			if (*cw(t, C_HELLO2_A) == run)
				break;
			if (now_us() - t0 > 60e6)
				fail("no second hello from a");
			usleep(1000);
		}
		*cw(t, C_HELLO2_B) = run;
	}
	t->send = diy_send;
	t->recv = diy_recv;
	t->events = diy_events;
	t->close = diy_close;
}

/* ------------------------------------------------------------------ main */

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *chan = "xenshm-0-1";
	uint64_t diy_addr = 0, tx = 0, rx = 0, ev0, c0;
	size_t diy_size = 0x400000;
	long count = 0, iters = 0;
	struct xport t = { .fd = -1, .efd = -1, .evfd = -1 };
	double t0, dt = 0, p50 = 0, p99 = 0, *rtt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 5 || (argv[1][0] != 'a' && argv[1][0] != 'b')) {
		fprintf(stderr, "usage: %s a|b PATH SIZE PAIR [--count N] [--iters N] "
			"[--chan NAME] [--diy-addr GPA] [--diy-size BYTES]\n", argv[0]);
		return 2;
	}
	side = argv[1][0];
	g_dom = side == 'a' ? "dom0" : "domu1";
	g_path = argv[2];
	g_size = strtoul(argv[3], NULL, 0);
	g_pair = atoi(argv[4]);
	for (int i = 5; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--count"))
			count = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--iters"))
			iters = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--chan"))
			chan = argv[i + 1];
		else if (!strcmp(argv[i], "--diy-addr"))
			diy_addr = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--diy-size"))
			diy_size = strtoull(argv[i + 1], NULL, 0);
	}
	if (!g_size || g_size % 8 || g_size > 65536)
		fail("size must be a multiple of 8, at most 64 KiB");
	if (!count)
		count = g_size <= 64 ? 8192 : g_size <= 1024 ? 2048 : 128;
	if (!iters)
		iters = g_size <= 1024 ? 200 : 50;
	t.buf = aligned_alloc(4096, 65536);
	rtt = calloc(iters, sizeof(*rtt));

	if (!strcmp(g_path, "memcpy")) {
		unsigned char *src = aligned_alloc(4096, 65536);
		int bad = 0;

		if (side != 'a')
			return 0;
		c0 = cpu_us();
		t0 = now_us();
		for (long i = 0; i < count; i++) {
			gen(src, tx, g_size);
			memcpy(t.buf, src, g_size);
			bad |= check(t.buf, tx, g_size);
			tx += g_size;
		}
		dt = now_us() - t0;
		if (bad)
			fail("payload mismatch");
		printf("XB %s %d %s %zu %c ok t=%.0f B=%llu ev=0 cpu=%llu p50=- p99=-\n", g_dom,
		       g_pair, g_path, g_size, side, dt, (unsigned long long)tx,
		       (unsigned long long)(cpu_us() - c0));
		return 0;
	}
	if (!strcmp(g_path, "rw"))
		xs_open(&t, chan, 0);
	else if (!strcmp(g_path, "mmap")) {
		xs_open(&t, chan, 1);
		t.send = mm_send;
		t.recv = mm_recv;
	} else if (!strcmp(g_path, "zc")) {
		xs_open(&t, chan, 1);
		t.send = zc_send;
		t.recv = zc_recv;
	} else if (!strcmp(g_path, "vchan"))
		vc_open(&t);
	else if (!strcmp(g_path, "diy")) {
		if (!diy_addr)
			fail("diy needs --diy-addr");
		diy_open(&t, diy_addr, diy_size);
	} else
		fail("unknown path");

	/* sync: b -> a, so a's clock starts with both ends up */
	if (side == 'b') {
		if (t.send(&t, tx, g_size))
			fail("sync send");
		tx += g_size;
	} else {
		if (t.recv(&t, rx, g_size))
			fail("sync recv");
		rx += g_size;
	}
	/* throughput a -> b, then one ack b -> a */
	ev0 = t.events(&t);
	c0 = cpu_us();
	t0 = now_us();
	if (side == 'a') {
		for (long i = 0; i < count; i++, tx += g_size)
			if (t.send(&t, tx, g_size))
				fail("send %ld", i);
		if (t.recv(&t, rx, g_size))
			fail("ack");
		rx += g_size;
	} else {
		for (long i = 0; i < count; i++, rx += g_size)
			if (t.recv(&t, rx, g_size))
				fail("recv %ld: error or payload mismatch", i);
		if (t.send(&t, tx, g_size))
			fail("ack");
		tx += g_size;
	}
	dt = now_us() - t0;
	c0 = cpu_us() - c0;
	ev0 = t.events(&t) - ev0;
	/* round trips */
	for (long i = 0; i < iters; i++) {
		double s = now_us();

		if (side == 'a') {
			if (t.send(&t, tx, g_size) || t.recv(&t, rx, g_size))
				fail("round trip %ld", i);
			rtt[i] = now_us() - s;
		} else {
			if (t.recv(&t, rx, g_size) || t.send(&t, tx, g_size))
				fail("round trip %ld", i);
		}
		tx += g_size;
		rx += g_size;
	}
	if (side == 'a') {
		qsort(rtt, iters, sizeof(*rtt), cmp_d);
		p50 = rtt[iters / 2];
		p99 = rtt[(iters * 99) / 100 < iters ? (iters * 99) / 100 : iters - 1];
	}
	t.close(&t);
	printf("XB %s %d %s %zu %c ok t=%.0f B=%llu ev=%llu cpu=%llu p50=%.0f p99=%.0f\n", g_dom,
	       g_pair, g_path, g_size, side, dt, (unsigned long long)count * g_size,
	       (unsigned long long)ev0, (unsigned long long)c0, p50, p99);
	return 0;
}
