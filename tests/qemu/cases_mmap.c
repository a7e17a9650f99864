// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmap cases: mapping rules (header read-only, MAP_SHARED only, bounds),
 * interoperation of the mapping with the peer's read()/write(), NOTIFY as
 * the doorbell, mappings outliving close(), and corruption: a process owns
 * the ring pages of its mapping and can write its peer's view of them (my
 * TX ring's prod is what the peer consumes). The peer must see EIO/POLLERR,
 * stay broken until RESET, and nothing else may break.
 * Not covered here: bulk mmap transfers (cases_data.c).
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bulk.h"

static int t_mmap_header_readonly(const void *arg)
{
	struct xenshm_info i;
	void *p;
	int fd;

	fd = xenshm_open("loop0-a", 0);
	CHECK(fd >= 0);
	CHECK_RET(xenshm_get_info(fd, &i), 0);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)i.mmap_header_off);
	if (p != MAP_FAILED)
		FAIL("header page mapped writable");
	if (errno != EACCES)
		FAIL("writable header mapping: %s, expected EACCES", errname(-errno));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, (off_t)i.mmap_header_off);
	CHECK(p != MAP_FAILED);
	CHECK_ERRNO(mprotect(p, 4096, PROT_READ | PROT_WRITE), EACCES);
	if (*(volatile uint32_t *)p != XENSHM_MAGIC)
		FAIL("header magic 0x%x", *(volatile uint32_t *)p);
	munmap(p, 4096);
	close(fd);
	return 0;
}

static int t_mmap_private_einval(const void *arg)
{
	struct xenshm_info i;
	int fd;

	fd = xenshm_open("loop0-a", 0);
	CHECK(fd >= 0);
	CHECK_RET(xenshm_get_info(fd, &i), 0);
	CHECK_ERRNO(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, (off_t)i.mmap_rings_off) == MAP_FAILED ? -1 : 0, EINVAL);
	close(fd);
	return 0;
}

static int t_mmap_out_of_bounds_einval(const void *arg)
{
	struct xenshm_info i;
	void *p;
	int fd;

	fd = xenshm_open("loop0-a", 0);
	CHECK(fd >= 0);
	CHECK_RET(xenshm_get_info(fd, &i), 0);
	/* One page too long. */
	p = mmap(NULL, i.mmap_rings_size + 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)i.mmap_rings_off);
	if (p != MAP_FAILED || errno != EINVAL)
		FAIL("rings mapping one page too long: %s", p == MAP_FAILED ? errname(-errno) : "mapped");
	/* Starting beyond the region. */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, (off_t)(i.region_size + 4096));
	if (p != MAP_FAILED || errno != EINVAL)
		FAIL("mapping beyond the region: %s", p == MAP_FAILED ? errname(-errno) : "mapped");
	/* The whole rings window is fine. */
	p = mmap(NULL, i.mmap_rings_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)i.mmap_rings_off);
	CHECK(p != MAP_FAILED);
	munmap(p, i.mmap_rings_size);
	close(fd);
	return 0;
}

/* The header and slots seen through the mapping match GET_INFO. */
static int t_mmap_header_matches_info(const void *arg)
{
	const volatile struct xenshm_region_header *h;
	const volatile struct xenshm_slot *sa, *sb;
	struct xenshm_map m;
	struct pair p;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_MESSAGE, XENSHM_MODE_STREAM, 0), 0);
	CHECK_RET(xenshm_map(p.a, &m), 0);
	h = m.header;
	if (h->magic != XENSHM_MAGIC || h->version_major != XENSHM_ABI_MAJOR)
		FAIL("magic 0x%x major %u", h->magic, h->version_major);
	if (h->region_size != p.ia.region_size || h->data_size != p.ia.data_size)
		FAIL("header sizes %llu/%u vs info %llu/%u", (unsigned long long)h->region_size,
		     h->data_size, (unsigned long long)p.ia.region_size, p.ia.data_size);
	sa = (const volatile struct xenshm_slot *)((const volatile uint8_t *)m.header +
		(p.ia.slot ? XENSHM_SLOT1_OFF : XENSHM_SLOT0_OFF));
	sb = (const volatile struct xenshm_slot *)((const volatile uint8_t *)m.header +
		(p.ib.slot ? XENSHM_SLOT1_OFF : XENSHM_SLOT0_OFF));
	if (sa->state != XENSHM_SLOT_STATE_CONNECTED || sb->state != XENSHM_SLOT_STATE_CONNECTED)
		FAIL("slot states %u %u, expected connected", sa->state, sb->state);
	if (!(sa->flags & XENSHM_SLOT_FLAGS_TX_MESSAGE) || (sb->flags & XENSHM_SLOT_FLAGS_TX_MESSAGE))
		FAIL("slot flags a 0x%x b 0x%x", sa->flags, sb->flags);
	if (m.tx_mode != XENSHM_MODE_MESSAGE || m.rx_mode != XENSHM_MODE_STREAM)
		FAIL("map modes tx %u rx %u", m.tx_mode, m.rx_mode);
	xenshm_unmap(&m);
	pair_close(&p);
	return 0;
}

/* Messages produced through the mapping arrive through the peer's read(), and back. */
static int t_mmap_interop_messages(const void *arg)
{
	struct xenshm_map m;
	struct pair p;
	char buf[256];
	ssize_t n;
	int i;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_MESSAGE, XENSHM_MODE_MESSAGE, 0), 0);
	/* Queued before mapping: the mapping must not discard it. */
	CHECK(write(p.b, "early", 5) == 5);
	CHECK_RET(xenshm_map(p.a, &m), 0);
	n = xenshm_map_recv(&m, buf, sizeof(buf));
	if (n != 5 || memcmp(buf, "early", 5))
		FAIL("message queued before mmap: recv %zd (%s)", n, n < 0 ? errname(n) : "");
	CHECK(xenshm_map_kick_rx(&m) >= 0);
	for (i = 0; i < 50; i++) {
		int len = 1 + i * 3;

		memset(buf, 'A' + i % 26, (size_t)len);
		CHECK_RET(xenshm_map_send(&m, buf, (size_t)len), 0);
		CHECK(xenshm_map_kick_tx(&m) >= 0);
		n = read(p.b, buf, sizeof(buf));
		if (n != len || buf[0] != 'A' + i % 26 || buf[len - 1] != 'A' + i % 26)
			FAIL("message %d: read %zd, expected %d", i, n, len);
		CHECK(write(p.b, buf, (size_t)len) == len);
		n = xenshm_map_recv(&m, buf, sizeof(buf));
		if (n != len)
			FAIL("reply %d: map_recv %zd (%s), expected %d", i, n, n < 0 ? errname(n) : "", len);
		CHECK(xenshm_map_kick_rx(&m) >= 0);
	}
	CHECK_RET(xenshm_map_recv(&m, buf, sizeof(buf)), -EAGAIN);
	xenshm_unmap(&m);
	pair_close(&p);
	return 0;
}

/* NOTIFY TX wakes a peer blocked in read() and says it sent an event. */
static int t_notify_wakes_blocked_reader(const void *arg)
{
	struct xenshm_map m;
	struct pair p;
	int status, r;
	pid_t pid;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	CHECK_RET(xenshm_map(p.a, &m), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char buf[8];

		alarm(10);
		_exit(read(p.b, buf, sizeof(buf)) == 4 && !memcmp(buf, "kick", 4) ? 0 : 1);
	}
	usleep(300000);		/* let the child block */
	CHECK(xenshm_map_write(&m, "kick", 4) == 4);
	r = xenshm_notify(p.a, XENSHM_NOTIFY_FLAGS_TX);
	if (r != 1)
		FAIL("NOTIFY TX towards a blocked reader returned %d (%s), expected 1", r, errname(r));
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		FAIL("blocked reader did not get the data (status 0x%x)", status);
	xenshm_unmap(&m);
	pair_close(&p);
	return 0;
}

/* NOTIFY when the peer asked for nothing: suppressed (0) and counted. */
static int t_notify_suppressed(const void *arg)
{
	struct xenshm_stats s0, s1;
	struct xenshm_map m;
	struct pair p;
	char buf[8];
	int r;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	CHECK_RET(xenshm_map(p.a, &m), 0);
	/* The first data consumes b's one-shot wakeup request... */
	CHECK(xenshm_map_write(&m, "1", 1) == 1);
	xenshm_notify(p.a, XENSHM_NOTIFY_FLAGS_TX);
	/* ... so more data, with b not reading, asks for no event. */
	CHECK(xenshm_map_write(&m, "2", 1) == 1);
	CHECK_RET(xenshm_get_stats(p.a, &s0), 0);
	r = xenshm_notify(p.a, XENSHM_NOTIFY_FLAGS_TX);
	if (r != 0)
		FAIL("NOTIFY with no waiter returned %d, expected 0 (suppressed)", r);
	CHECK_RET(xenshm_get_stats(p.a, &s1), 0);
	if (s1.notify_suppressed != s0.notify_suppressed + 1 || s1.notify_sent != s0.notify_sent)
		FAIL("counters: suppressed %llu->%llu sent %llu->%llu",
		     (unsigned long long)s0.notify_suppressed, (unsigned long long)s1.notify_suppressed,
		     (unsigned long long)s0.notify_sent, (unsigned long long)s1.notify_sent);
	CHECK_RET(read_all(p.b, buf, 2), 0);
	CHECK(!memcmp(buf, "12", 2));
	xenshm_unmap(&m);
	pair_close(&p);
	return 0;
}

/*
 * The mapping outlives close(): the VMA keeps the file (so the end stays
 * open and connected: no hang-up yet) and the memory; munmap() is the last
 * close, and only then does the peer see the hang-up.
 */
static int t_mmap_outlives_close(const void *arg)
{
	struct xenshm_info i;
	struct xenshm_map m;
	struct pair p;
	volatile uint8_t *rx;
	int rev, fd;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	CHECK(write(p.b, "hello", 5) == 5);
	CHECK_RET(xenshm_map(p.a, &m), 0);
	close(p.a);
	p.a = -1;
	/* The memory is still there and usable. */
	if (((const volatile struct xenshm_region_header *)m.header)->magic != XENSHM_MAGIC)
		FAIL("header magic gone after close");
	{
		/* Where "hello" sits: at my (untouched) consumer index. */
		const volatile struct xenshm_ring_ctrl *rc = xenshm_map_at(&m, m.info.rx_ctrl_off);

		rx = xenshm_map_at(&m, m.info.rx_data_off + (rc->cons & (m.info.data_size - 1)));
	}
	if (memcmp((const void *)rx, "hello", 5))
		FAIL("ring data gone after close");
	memset(xenshm_map_at(&m, m.info.tx_data_off), 0xab, 4096);	/* no SIGBUS */
	/* The end is still held by the mapping: no hang-up, still busy. */
	rev = poll1(p.b, POLLIN, 200);
	if (rev & (POLLHUP | POLLERR))
		FAIL("peer revents 0x%x while the mapping holds the end open", rev);
	fd = xenshm_open("loop0-a", 0);
	if (fd != -EBUSY)
		FAIL("open of an end held by a mapping: %s, expected EBUSY", errname(fd));
	xenshm_unmap(&m);
	/* munmap was the last close. */
	rev = poll1(p.b, POLLIN, 2000);
	if (!(rev & POLLHUP))
		FAIL("peer revents 0x%x after munmap of the closed end, expected POLLHUP", rev);
	CHECK_RET(xenshm_get_info(p.b, &i), 0);
	if (i.state != XENSHM_CHAN_STATE_PEER_GONE)
		FAIL("peer state %s, expected peer_gone", xenshm_state_name(i.state));
	fd = xenshm_open("loop0-a", 0);
	if (fd < 0)
		FAIL("reopen after munmap: %s", errname(fd));
	close(fd);
	pair_close(&p);
	return 0;
}

/* While an end's rings are mapped writable, its read()/write() refuse (EBUSY). */
static int t_rw_ebusy_while_mapped(const void *arg)
{
	struct xenshm_map m;
	struct pair p;
	char buf[8];

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	CHECK_RET(xenshm_map(p.a, &m), 0);
	CHECK_ERRNO(write(p.a, "x", 1), EBUSY);
	CHECK_ERRNO(read(p.a, buf, 1), EBUSY);
	/* The peer's own read()/write() are unaffected. */
	CHECK(write(p.b, "y", 1) == 1);
	CHECK(xenshm_map_read(&m, buf, sizeof(buf)) == 1 && buf[0] == 'y');
	xenshm_unmap(&m);
	/*
	 * Not asserted: read()/write() right after munmap (the module keeps
	 * refusing for the rest of the connection). After RESET and a new
	 * connection the fd path works again.
	 */
	CHECK_RET(xenshm_reset(p.a), 0);
	CHECK_RET(xenshm_reset(p.b), 0);
	CHECK_RET(pair_connect(&p, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM), 0);
	CHECK(write(p.a, "z", 1) == 1);
	CHECK(read(p.b, buf, 1) == 1 && buf[0] == 'z');
	pair_close(&p);
	return 0;
}

/* ---- corruption ---- */

/*
 * A file opened O_RDONLY maps every window read-only (the kernel drops
 * VM_SHARED for it, keeping VM_MAYSHARE), and nothing writable.
 */
static int t_mmap_rdonly_fd(const void *arg)
{
	struct xenshm_info i;
	char path[64];
	void *p;
	int fd;

	fd = open(xenshm_dev_path("loop0-a", path, sizeof(path)), O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_RET(xenshm_get_info(fd, &i), 0);
	p = mmap(NULL, (size_t)i.region_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		FAIL("read-only mapping of an O_RDONLY fd: %s", errname(-errno));
	if (*(volatile uint32_t *)p != XENSHM_MAGIC)
		FAIL("header magic 0x%x", *(volatile uint32_t *)p);
	CHECK_ERRNO(mprotect(p, 4096, PROT_READ | PROT_WRITE), EACCES);
	munmap(p, (size_t)i.region_size);
	p = mmap(NULL, i.mmap_rings_size, PROT_READ, MAP_SHARED, fd, (off_t)i.mmap_rings_off);
	CHECK(p != MAP_FAILED);
	munmap(p, i.mmap_rings_size);
	CHECK_ERRNO(mmap(NULL, i.mmap_rings_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 (off_t)i.mmap_rings_off) == MAP_FAILED ? -1 : 0, EACCES);
	CHECK_ERRNO(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd,
			 (off_t)i.mmap_rings_off) == MAP_FAILED ? -1 : 0, EINVAL);
	close(fd);
	return 0;
}

/* The most empty messages one read() may skip: 16 runs of 16 (datapath.c). */
#define EMPTY_FLOOD_BOUND 256u

/*
 * A peer producing nothing but zero-length messages (a scribbles them
 * through its mapping as fast as b consumes them) cannot keep b's read()
 * busy: a non-blocking read() returns EAGAIN at once, and a blocking one
 * still gets the real message that follows the flood.  Mappings are not
 * inherited (VM_DONTCOPY): the parent floods, a child reads.
 * First, without a race: a full ring of empty messages, one non-blocking
 * read() must stop after a bounded number of them (docs/uapi.md), not drain
 * the ring, which is what the unbounded loop did.
 * Not covered: CPU use of a blocking read() during an endless flood.
 */
static int t_empty_flood(const void *arg)
{
	volatile struct xenshm_record_header *h;
	volatile struct xenshm_ring_ctrl *txc;
	struct xenshm_map m;
	struct pair p;
	uint32_t ds, prod, cons0, queued, eaten;
	double t0, dt = -1;
	int status, pfd[2], e;
	char buf[64];
	pid_t reader;
	ssize_t n;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_MESSAGE, XENSHM_MODE_STREAM, 0), 0);
	CHECK_RET(xenshm_map(p.a, &m), 0);
	ds = m.info.data_size;
	txc = xenshm_map_at(&m, m.info.tx_ctrl_off);

	/* One call's work is bounded: fill the ring, read once, count. */
	cons0 = __atomic_load_n(&txc->cons, __ATOMIC_ACQUIRE);
	prod = txc->prod;
	queued = 0;
	while (prod + XENSHM_RECORD_ALIGN - cons0 <= ds) {
		h = xenshm_map_at(&m, m.info.tx_data_off + (prod & (ds - 1)));
		h->len = 0;
		h->type = XENSHM_RECORD_TYPE_MSG;
		prod += XENSHM_RECORD_ALIGN;
		queued++;
	}
	__atomic_store_n(&txc->prod, prod, __ATOMIC_RELEASE);
	CHECK(queued > EMPTY_FLOOD_BOUND);
	CHECK_OK(set_nonblock(p.b, 1));
	errno = 0;
	n = read(p.b, buf, sizeof(buf));
	e = errno;
	CHECK_OK(set_nonblock(p.b, 0));
	eaten = (__atomic_load_n(&txc->cons, __ATOMIC_ACQUIRE) - cons0) / XENSHM_RECORD_ALIGN;
	if (n != -1 || e != EAGAIN)
		FAIL("non-blocking read() of %u empty messages: %zd (%s), expected EAGAIN",
		     queued, n, errname(-e));
	if (!eaten || eaten > EMPTY_FLOOD_BOUND)
		FAIL("one non-blocking read() consumed %u of %u queued empty messages, expected 1..%u",
		     eaten, queued, EMPTY_FLOOD_BOUND);
	diag("one non-blocking read() skipped %u of %u queued empty messages", eaten, queued);

	CHECK_OK(pipe(pfd));
	reader = fork();
	CHECK(reader >= 0);
	if (reader == 0) {
		alarm(30);
		close(pfd[0]);
		usleep(200000);		/* the ring is full of empty messages */
		if (set_nonblock(p.b, 1))
			_exit(2);
		t0 = now_s();
		errno = 0;
		n = read(p.b, buf, sizeof(buf));
		dt = n == -1 && errno == EAGAIN ? now_s() - t0 : -1;
		if (write(pfd[1], &dt, sizeof(dt)) != sizeof(dt) || set_nonblock(p.b, 0))
			_exit(2);
		/* The rest of the flood, then a real message. */
		n = read(p.b, buf, sizeof(buf));
		_exit(n == 3 && !memcmp(buf, "end", 3) ? 0 : 1);
	}
	close(pfd[1]);
	/* Flood until the reader's non-blocking read() returns, at most 4 s. */
	t0 = now_s();
	prod = txc->prod;
	while (now_s() - t0 < 4 && !(poll1(pfd[0], POLLIN, 0) & POLLIN)) {
		uint32_t cons = __atomic_load_n(&txc->cons, __ATOMIC_ACQUIRE);

		if (prod - cons > ds - XENSHM_RECORD_ALIGN)
			continue;
		h = xenshm_map_at(&m, m.info.tx_data_off + (prod & (ds - 1)));
		h->len = 0;
		h->type = XENSHM_RECORD_TYPE_MSG;
		prod += XENSHM_RECORD_ALIGN;
		__atomic_store_n(&txc->prod, prod, __ATOMIC_RELEASE);
	}
	n = read(pfd[0], &dt, sizeof(dt));
	close(pfd[0]);
	if (n != sizeof(dt) || dt < 0)
		FAIL("non-blocking read() in a flood of empty messages: no EAGAIN");
	diag("non-blocking read() in the flood returned EAGAIN after %.3f s", dt);
	if (dt > 1.0)
		FAIL("non-blocking read() took %.3f s in a flood of empty messages", dt);

	/* Written by hand: the flood moved prod behind the library's back. */
	t0 = now_s();
	while (prod - __atomic_load_n(&txc->cons, __ATOMIC_ACQUIRE) > ds - 16 &&
	       now_s() - t0 < 30)
		usleep(1000);
	h = xenshm_map_at(&m, m.info.tx_data_off + (prod & (ds - 1)));
	h->len = 3;
	h->type = XENSHM_RECORD_TYPE_MSG;
	((volatile char *)(h + 1))[0] = 'e';
	((volatile char *)(h + 1))[1] = 'n';
	((volatile char *)(h + 1))[2] = 'd';
	__atomic_store_n(&txc->prod, prod + 16, __ATOMIC_RELEASE);
	CHECK_OK(xenshm_notify(p.a, XENSHM_NOTIFY_FLAGS_TX));
	waitpid(reader, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		FAIL("blocking read() after the flood did not get the message (status 0x%x)", status);
	diag("blocking read() got the message after %.3f s", now_s() - t0);
	xenshm_unmap(&m);
	pair_close(&p);
	return 0;
}

enum corrupt_kind { C_PROD_BEYOND, C_CONS_BEYOND, C_REC_LEN, C_REC_TYPE, C_PROD_MISALIGNED };

struct corrupt_arg {
	enum corrupt_kind kind;
	int blocked_reader;	/* b blocks in read() while a corrupts */
};

/* The other pair (loop1) still works. */
static int other_pair_ok(void)
{
	struct pair q;
	double s;

	CHECK_RET(pair_up(&q, 1, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	CHECK_RET(bulk_both_ways(&q, 1 << 20, 65536, 0, &s), 0);
	pair_close(&q);
	return 0;
}

static int t_corrupt(const void *varg)
{
	const struct corrupt_arg *c = varg;
	volatile struct xenshm_ring_ctrl *txc, *rxc;
	uint32_t amode = (c->kind == C_REC_LEN || c->kind == C_REC_TYPE ||
			  c->kind == C_PROD_MISALIGNED) ? XENSHM_MODE_MESSAGE : XENSHM_MODE_STREAM;
	struct xenshm_stats st;
	struct xenshm_info info;
	struct xenshm_map m;
	struct pair p;
	uint32_t ds, prod, cons;
	char buf[64];
	pid_t pid = -1;
	int rev, status;
	ssize_t n;

	CHECK_RET(pair_up(&p, 0, amode, XENSHM_MODE_STREAM, 0), 0);
	/* Some healthy traffic first (read()/write() refuse once a maps its rings). */
	CHECK(write(p.a, "healthy", 7) == 7);
	CHECK(read(p.b, buf, sizeof(buf)) == 7);
	CHECK(write(p.b, "fine", 4) == 4);
	CHECK(read(p.a, buf, sizeof(buf)) == 4);
	CHECK_RET(xenshm_map(p.a, &m), 0);
	ds = m.info.data_size;
	txc = xenshm_map_at(&m, m.info.tx_ctrl_off);	/* b consumes this ring */
	rxc = xenshm_map_at(&m, m.info.rx_ctrl_off);	/* b produces this ring */
	if (c->blocked_reader) {
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			alarm(10);
			errno = 0;
			n = read(p.b, buf, sizeof(buf));
			_exit(n == -1 && errno == EIO ? 0 : 1);
		}
		usleep(300000);
	}

	prod = txc->prod;
	cons = txc->cons;
	switch (c->kind) {
	case C_PROD_BEYOND:
		txc->prod = cons + ds + 64;
		break;
	case C_PROD_MISALIGNED:
		txc->prod = prod + 3;
		break;
	case C_CONS_BEYOND:
		/* b's TX ring: its consumer index jumps past what b produced. */
		rxc->cons = rxc->prod + ds + 64;
		break;
	case C_REC_LEN:
	case C_REC_TYPE: {
		volatile struct xenshm_record_header *h =
			xenshm_map_at(&m, m.info.tx_data_off + (prod & (ds - 1)));

		if ((prod & (ds - 1)) + 16 > ds)
			FAIL("test assumption: record at %u does not fit", prod & (ds - 1));
		if (c->kind == C_REC_LEN) {
			h->len = 0x7ffffff0u;
			h->type = XENSHM_RECORD_TYPE_MSG;
		} else {
			h->len = 8;
			h->type = 77;
		}
		__atomic_store_n(&txc->prod, prod + 16, __ATOMIC_RELEASE);
		break;
	}
	}
	if (c->blocked_reader)
		xenshm_notify(p.a, XENSHM_NOTIFY_FLAGS_TX | XENSHM_NOTIFY_FLAGS_RX);

	if (c->blocked_reader) {
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			FAIL("blocked reader did not return EIO (status 0x%x)", status);
	} else if (c->kind == C_CONS_BEYOND) {
		/*
		 * The producer may write into space it already knew was free
		 * without re-reading cons; it must fail as soon as it looks.
		 * Ask for more than the ring holds, a few times.
		 */
		static uint8_t big[1 << 21];
		int k;

		CHECK_OK(set_nonblock(p.b, 1));
		CHECK(2u * ds <= sizeof(big));
		for (k = 0; k < 4; k++) {
			errno = 0;
			n = write(p.b, big, 2u * ds);
			if (n < 0)
				break;
		}
		if (n >= 0 || errno != EIO)
			FAIL("writer over a corrupted cons: %zd %s, expected EIO", n,
			     n < 0 ? errname(-errno) : "(no error)");
		CHECK_OK(set_nonblock(p.b, 0));
	} else {
		CHECK_ERRNO(read(p.b, buf, sizeof(buf)), EIO);
	}
	/* Sticky: every data call fails, poll says POLLERR, state broken. */
	CHECK_ERRNO(read(p.b, buf, sizeof(buf)), EIO);
	CHECK_ERRNO(write(p.b, "x", 1), EIO);
	rev = poll1(p.b, POLLIN | POLLOUT, 0);
	if (!(rev & POLLERR))
		FAIL("poll revents 0x%x on a broken end, expected POLLERR", rev);
	CHECK_RET(xenshm_get_info(p.b, &info), 0);
	if (info.state != XENSHM_CHAN_STATE_BROKEN)
		FAIL("state %s, expected broken", xenshm_state_name(info.state));
	CHECK_RET(xenshm_get_stats(p.b, &st), 0);
	if (!st.errors)
		FAIL("errors counter still 0");

	/* Nothing else broke. */
	if (other_pair_ok())
		FAIL("the other pair stopped working");

	/* RESET both ends and reconnect: the rings resync and work again. */
	xenshm_unmap(&m);
	CHECK_RET(xenshm_reset(p.b), 0);
	CHECK_RET(xenshm_reset(p.a), 0);
	CHECK_RET(xenshm_get_info(p.b, &info), 0);
	if (info.state != XENSHM_CHAN_STATE_IDLE)
		FAIL("after RESET state %s, expected idle", xenshm_state_name(info.state));
	CHECK_RET(pair_connect(&p, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM), 0);
	CHECK(write(p.a, "again", 5) == 5);
	CHECK_RET(read_all(p.b, buf, 5), 0);
	CHECK(!memcmp(buf, "again", 5));
	CHECK(write(p.b, "back", 4) == 4);
	CHECK_RET(read_all(p.a, buf, 4), 0);
	CHECK(!memcmp(buf, "back", 4));
	pair_close(&p);
	return 0;
}

static const struct corrupt_arg c_prod = { C_PROD_BEYOND, 0 };
static const struct corrupt_arg c_prod_blocked = { C_PROD_BEYOND, 1 };
static const struct corrupt_arg c_cons = { C_CONS_BEYOND, 0 };
static const struct corrupt_arg c_len = { C_REC_LEN, 0 };
static const struct corrupt_arg c_type = { C_REC_TYPE, 0 };
static const struct corrupt_arg c_misaligned = { C_PROD_MISALIGNED, 0 };

void register_mmap_cases(void)
{
	add_case("mmap_header_readonly_eacces", t_mmap_header_readonly, NULL, 0);
	add_case("mmap_private_einval", t_mmap_private_einval, NULL, 0);
	add_case("mmap_out_of_bounds_einval", t_mmap_out_of_bounds_einval, NULL, 0);
	add_case("mmap_header_matches_info", t_mmap_header_matches_info, NULL, 0);
	add_case("mmap_interop_messages_with_read_write", t_mmap_interop_messages, NULL, 0);
	add_case("notify_wakes_blocked_reader_returns_1", t_notify_wakes_blocked_reader, NULL, 0);
	add_case("notify_suppressed_returns_0_counted", t_notify_suppressed, NULL, 0);
	add_case("mmap_outlives_close_munmap_is_last_close", t_mmap_outlives_close, NULL, 0);
	add_case("read_write_ebusy_while_rings_mapped", t_rw_ebusy_while_mapped, NULL, 0);
	add_case("mmap_rdonly_fd_maps_readonly", t_mmap_rdonly_fd, NULL, 0);
	add_case("message_empty_flood_nonblock_read_eagain", t_empty_flood, NULL, 60);
	add_case("corrupt_prod_beyond_size_eio_pollerr", t_corrupt, &c_prod, 60);
	add_case("corrupt_prod_wakes_blocked_reader_eio", t_corrupt, &c_prod_blocked, 60);
	add_case("corrupt_cons_beyond_prod_writer_eio", t_corrupt, &c_cons, 60);
	add_case("corrupt_record_len_eio", t_corrupt, &c_len, 60);
	add_case("corrupt_record_type_eio", t_corrupt, &c_type, 60);
	add_case("corrupt_message_prod_misaligned_eio", t_corrupt, &c_misaligned, 60);
}
