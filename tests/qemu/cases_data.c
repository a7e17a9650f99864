// SPDX-License-Identifier: GPL-2.0-only
/*
 * Data-path cases through read()/write(): stream and message framing,
 * O_NONBLOCK, poll() and eventfd wakeups, signals, bulk transfers with
 * checksums, several processes at once.
 * Not covered here: mmap (cases_mmap.c), peer death (cases_life.c).
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bulk.h"

#define MiB (1024ull * 1024)

static int t_stream_roundtrip(const void *arg)
{
	char buf[64];
	struct pair p;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	CHECK(write(p.a, "hello, b", 8) == 8);
	CHECK(write(p.b, "hi a", 4) == 4);
	CHECK_RET(read_all(p.b, buf, 8), 0);
	CHECK(!memcmp(buf, "hello, b", 8));
	CHECK_RET(read_all(p.a, buf, 4), 0);
	CHECK(!memcmp(buf, "hi a", 4));
	/* Zero-length calls move nothing. */
	CHECK(write(p.a, buf, 0) == 0);
	CHECK(read(p.b, buf, 0) == 0);
	pair_close(&p);
	return 0;
}

/* Stream mode merges writes: one read may return bytes of two writes. */
static int t_stream_merges(const void *arg)
{
	char buf[64];
	struct pair p;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	CHECK(write(p.a, "abc", 3) == 3);
	CHECK(write(p.a, "defg", 4) == 4);
	CHECK(read(p.b, buf, sizeof(buf)) == 7);
	CHECK(!memcmp(buf, "abcdefg", 7));
	/* ... and a short read leaves the rest. */
	CHECK(write(p.a, "0123456789", 10) == 10);
	CHECK(read(p.b, buf, 4) == 4);
	CHECK(read(p.b, buf + 4, sizeof(buf) - 4) == 6);
	CHECK(!memcmp(buf, "0123456789", 10));
	pair_close(&p);
	return 0;
}

static int t_nonblock_read_eagain(const void *arg)
{
	char buf[16];
	struct pair p;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_MESSAGE, O_NONBLOCK), 0);
	CHECK_ERRNO(read(p.b, buf, sizeof(buf)), EAGAIN);
	CHECK_ERRNO(read(p.a, buf, sizeof(buf)), EAGAIN);	/* message mode too */
	pair_close(&p);
	return 0;
}

/* Fill the ring: exactly data_size bytes fit, then EAGAIN; partial writes. */
static int t_nonblock_write_full_eagain(const void *arg)
{
	struct pair p;
	uint8_t *buf;
	size_t ds, total = 0;
	ssize_t n;
	int rev;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, O_NONBLOCK), 0);
	ds = p.ia.data_size;
	buf = calloc(1, 2 * ds);
	CHECK(buf);
	n = write(p.a, buf, 2 * ds);
	if (n != (ssize_t)ds)
		FAIL("write of 2*data_size into an empty ring: %zd, expected partial %zu", n, ds);
	total = (size_t)n;
	CHECK_ERRNO(write(p.a, buf, 1), EAGAIN);
	rev = poll1(p.a, POLLOUT, 0);
	if (rev & POLLOUT)
		FAIL("POLLOUT on a full ring");
	/* Free 100 bytes: exactly 100 more fit. */
	CHECK(read(p.b, buf, 100) == 100);
	rev = poll1(p.a, POLLOUT, 1000);
	if (!(rev & POLLOUT))
		FAIL("no POLLOUT after the reader made room (revents 0x%x)", rev);
	n = write(p.a, buf, 1000);
	if (n != 100)
		FAIL("write after freeing 100 bytes: %zd", n);
	total += (size_t)n;
	CHECK(total == ds + 100);
	free(buf);
	pair_close(&p);
	return 0;
}

/* poll() on an empty end sleeps and wakes with POLLIN when the peer writes. */
static int t_poll_pollin_wakeup(const void *arg)
{
	struct pair p;
	double t0;
	pid_t pid;
	int rev;
	char c;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	rev = poll1(p.b, POLLIN | POLLOUT, 0);
	if (rev & POLLIN)
		FAIL("POLLIN on an empty ring");
	if (!(rev & POLLOUT))
		FAIL("no POLLOUT on a connected end with an empty TX ring (0x%x)", rev);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		usleep(200000);
		_exit(write(p.a, "x", 1) == 1 ? 0 : 1);
	}
	t0 = now_s();
	rev = poll1(p.b, POLLIN, 5000);
	if (!(rev & POLLIN))
		FAIL("poll revents 0x%x, expected POLLIN", rev);
	if (now_s() - t0 < 0.1)
		FAIL("poll returned after %.3f s, before the write", now_s() - t0);
	CHECK(read(p.b, &c, 1) == 1 && c == 'x');
	waitpid(pid, NULL, 0);
	pair_close(&p);
	return 0;
}

/* A writer blocked in poll(POLLOUT) on a full ring wakes when the peer reads. */
static int t_poll_pollout_wakeup(const void *arg)
{
	struct pair p;
	uint8_t *buf;
	size_t ds;
	pid_t pid;
	int rev;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, O_NONBLOCK), 0);
	ds = p.ia.data_size;
	buf = calloc(1, ds);
	CHECK(buf);
	CHECK(write(p.a, buf, ds) == (ssize_t)ds);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		usleep(200000);
		_exit(read(p.b, buf, ds) > 0 ? 0 : 1);
	}
	rev = poll1(p.a, POLLOUT, 5000);
	if (!(rev & POLLOUT))
		FAIL("poll revents 0x%x, expected POLLOUT after the peer read", rev);
	waitpid(pid, NULL, 0);
	free(buf);
	pair_close(&p);
	return 0;
}

/* A blocking write larger than the ring completes as the peer drains it. */
static int t_blocking_write_bigger_than_ring(const void *arg)
{
	struct pair p;
	struct stream s;
	size_t ds, len;
	pid_t pid;
	int status;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	ds = p.ia.data_size;
	len = 4 * ds + 123;
	CHECK_RET(stream_init(&s, 7, len), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct stream r;
		uint8_t *buf = malloc(len);

		stream_init(&r, 7, len);
		usleep(100000);
		if (read_all(p.b, buf, len) || stream_check(&r, buf, len))
			_exit(1);
		_exit(0);
	}
	CHECK(write(p.a, stream_at(&s), len) == (ssize_t)len);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	stream_free(&s);
	pair_close(&p);
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A blocked read is interrupted by a signal (EINTR), not stuck. */
static int t_blocking_read_eintr(const void *arg)
{
	struct sigaction sa;
	struct pair p;
	char c;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	{
		pid_t parent = getpid(), pid = fork();

		CHECK(pid >= 0);
		if (pid == 0) {
			usleep(200000);
			kill(parent, SIGUSR1);
			_exit(0);
		}
		CHECK_ERRNO(read(p.b, &c, 1), EINTR);
		waitpid(pid, NULL, 0);
	}
	pair_close(&p);
	return 0;
}

static int t_eventfd_on_data(const void *arg)
{
	struct pair p;
	uint64_t v;
	int efd, rev;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(efd >= 0);
	CHECK_RET(xenshm_set_eventfd(p.b, efd), 0);
	/* Drain anything signalled by the registration itself. */
	while (read(efd, &v, 8) == 8)
		;
	CHECK(write(p.a, "ping", 4) == 4);
	rev = poll1(efd, POLLIN, 2000);
	if (!(rev & POLLIN))
		FAIL("eventfd not signalled after the peer wrote");
	CHECK(read(efd, &v, 8) == 8 && v >= 1);
	close(efd);
	pair_close(&p);
	return 0;
}

static int t_eventfd_cleared_silent(const void *arg)
{
	struct pair p;
	uint64_t v;
	int efd;
	char buf[4];

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(efd >= 0);
	CHECK_RET(xenshm_set_eventfd(p.b, efd), 0);
	CHECK_RET(xenshm_clear_eventfd(p.b), 0);
	while (read(efd, &v, 8) == 8)
		;
	CHECK(write(p.a, "ping", 4) == 4);
	CHECK_RET(read_all(p.b, buf, 4), 0);
	CHECK(write(p.a, "pong", 4) == 4);
	if (poll1(efd, POLLIN, 300) & POLLIN)
		FAIL("a cleared eventfd was signalled");
	close(efd);
	pair_close(&p);
	return 0;
}

/* After SET_EVENTFD with a new fd only the new one is signalled. */
static int t_eventfd_replaced(const void *arg)
{
	struct pair p;
	uint64_t v;
	int e1, e2;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	e1 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	e2 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(e1 >= 0 && e2 >= 0);
	CHECK_RET(xenshm_set_eventfd(p.b, e1), 0);
	CHECK_RET(xenshm_set_eventfd(p.b, e2), 0);
	while (read(e1, &v, 8) == 8)
		;
	while (read(e2, &v, 8) == 8)
		;
	CHECK(write(p.a, "ping", 4) == 4);
	if (!(poll1(e2, POLLIN, 2000) & POLLIN))
		FAIL("the new eventfd was not signalled");
	if (poll1(e1, POLLIN, 0) & POLLIN)
		FAIL("the replaced eventfd was signalled");
	close(e1);
	close(e2);
	pair_close(&p);
	return 0;
}

static int t_message_boundaries(const void *arg)
{
	static const size_t sizes[] = { 1, 7, 8, 9, 100, 4000, 0 };
	static uint8_t out[8192], in[16384];
	struct pair p;
	size_t i, k;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_MESSAGE, XENSHM_MODE_STREAM, 0), 0);
	for (k = 0; k < sizeof(out); k++)
		out[k] = (uint8_t)(k * 31 + 7);
	for (i = 0; sizes[i]; i++) {
		ssize_t n = write(p.a, out + i, sizes[i]);

		if (n != (ssize_t)sizes[i])
			FAIL("send of %zu: %zd", sizes[i], n);
	}
	for (i = 0; sizes[i]; i++) {
		ssize_t n = read(p.b, in, sizeof(in));

		if (n != (ssize_t)sizes[i])
			FAIL("message %zu: read returned %zd, expected %zu", i, n, sizes[i]);
		if (memcmp(in, out + i, sizes[i]))
			FAIL("message %zu: payload differs", i);
	}
	pair_close(&p);
	return 0;
}

/* Many messages across the ring's end (pad records) keep their boundaries. */
static int t_message_wrap(const void *arg)
{
	struct pair p;
	uint8_t *buf, *in;
	size_t ds, len, i;
	uint32_t round;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_MESSAGE, XENSHM_MODE_STREAM, 0), 0);
	ds = p.ia.data_size;
	buf = malloc(ds);
	in = malloc(ds);
	CHECK(buf && in);
	for (round = 0; round < 200; round++) {
		len = 1 + (round * 2654435761u) % (ds / 3);
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)(round + i);
		if (write(p.a, buf, len) != (ssize_t)len)
			FAIL("round %u: send %zu: %s", round, len, errname(-errno));
		if (read(p.b, in, ds) != (ssize_t)len)
			FAIL("round %u: message length lost", round);
		if (memcmp(in, buf, len))
			FAIL("round %u: payload differs", round);
	}
	free(buf);
	free(in);
	pair_close(&p);
	return 0;
}

static int t_message_too_big(const void *arg)
{
	struct pair p;
	uint8_t *buf;
	size_t max;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_MESSAGE, XENSHM_MODE_STREAM, 0), 0);
	max = p.ia.max_msg_size;
	buf = calloc(1, max + 1);
	CHECK(buf);
	CHECK_ERRNO(write(p.a, buf, max + 1), EMSGSIZE);
	if (write(p.a, buf, max) != (ssize_t)max)
		FAIL("send of max_msg_size %zu: %s", max, errname(-errno));
	if (read(p.b, buf, max + 1) != (ssize_t)max)
		FAIL("receive of max_msg_size");
	free(buf);
	pair_close(&p);
	return 0;
}

/* A read buffer smaller than the message: EMSGSIZE and the message stays. */
static int t_message_short_buffer(const void *arg)
{
	char buf[64];
	struct pair p;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_MESSAGE, XENSHM_MODE_STREAM, 0), 0);
	CHECK(write(p.a, "0123456789", 10) == 10);
	CHECK_ERRNO(read(p.b, buf, 4), EMSGSIZE);
	CHECK(read(p.b, buf, sizeof(buf)) == 10);
	CHECK(!memcmp(buf, "0123456789", 10));
	pair_close(&p);
	return 0;
}

/* Non-blocking sends into a full ring: all-or-nothing, then EAGAIN. */
static int t_message_full_all_or_nothing(const void *arg)
{
	struct pair p;
	uint8_t buf[1000];
	uint8_t in[1000];
	int sent = 0, got = 0;
	ssize_t n;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_MESSAGE, XENSHM_MODE_STREAM, O_NONBLOCK), 0);
	for (;;) {
		memset(buf, sent & 0xff, sizeof(buf));
		n = write(p.a, buf, sizeof(buf));
		if (n < 0) {
			if (errno != EAGAIN)
				FAIL("send %d: %s", sent, errname(-errno));
			break;
		}
		if (n != (ssize_t)sizeof(buf))
			FAIL("message send %d was partial: %zd", sent, n);
		sent++;
		if (sent > 1000000)
			FAIL("ring never filled");
	}
	if ((size_t)sent * (sizeof(buf) + 8) > p.ia.data_size)
		FAIL("%d messages of %zu bytes in a %u-byte ring", sent, sizeof(buf), p.ia.data_size);
	while ((n = read(p.b, in, sizeof(in))) > 0) {
		if (n != (ssize_t)sizeof(in) || in[0] != (got & 0xff) || in[999] != (got & 0xff))
			FAIL("message %d damaged (len %zd)", got, n);
		got++;
	}
	CHECK(n < 0 && errno == EAGAIN);
	if (got != sent)
		FAIL("sent %d, received %d", sent, got);
	pair_close(&p);
	return 0;
}

struct bulk_arg {
	uint64_t bytes;
	size_t chunk;
	int use_mmap;
};

static int t_bulk(const void *varg)
{
	const struct bulk_arg *b = varg;
	struct pair p;
	double s;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	CHECK_RET(bulk_both_ways(&p, b->bytes, b->chunk, b->use_mmap, &s), 0);
	pair_close(&p);
	return 0;
}

/* Two processes that each open their own end (no shared file). */
static int t_two_processes(const void *arg)
{
	struct bulk_result ra;
	int status, fd, r;
	pid_t pid;

	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct bulk_result rb;
		int b = xenshm_open("loop0-b", 0);

		if (b < 0)
			_exit(10);
		if (xenshm_connect(b, XENSHM_MODE_STREAM, XENSHM_ROLE_AUTO, 10000,
				   XENSHM_DOMID_NONE) != -EINPROGRESS &&
		    xenshm_wait_connected(b, 0))
			_exit(11);
		if (xenshm_wait_connected(b, 10000))
			_exit(12);
		_exit(bulk_end(b, 22, 11, 16 * MiB, 65536, 0, &rb) ? 13 : 0);
	}
	fd = xenshm_open("loop0-a", 0);
	CHECK(fd >= 0);
	r = xenshm_connect(fd, XENSHM_MODE_STREAM, XENSHM_ROLE_AUTO, 10000, XENSHM_DOMID_NONE);
	CHECK(r == 0 || r == -EINPROGRESS);
	CHECK_RET(xenshm_wait_connected(fd, 10000), 0);
	CHECK_RET(bulk_end(fd, 11, 22, 16 * MiB, 65536, 0, &ra), 0);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		FAIL("process of end b failed (status 0x%x)", status);
	close(fd);
	return 0;
}

/* Both loopback pairs busy at once, four processes. */
static int t_two_pairs_concurrently(const void *arg)
{
	pid_t pid;
	int status, r1;
	struct pair p;
	double s;

	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct pair q;

		if (pair_up(&q, 1, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0))
			_exit(10);
		_exit(bulk_both_ways(&q, 32 * MiB, 65536, 0, &s) ? 11 : 0);
	}
	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	r1 = bulk_both_ways(&p, 32 * MiB, 65536, 1, &s);
	waitpid(pid, &status, 0);
	if (r1)
		FAIL("pair 0 (mmap): %s", errname(r1));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		FAIL("pair 1 (read/write) failed (status 0x%x)", status);
	pair_close(&p);
	return 0;
}

static const struct bulk_arg bulk_rw_256 = { 256 * MiB, 256 * 1024, 0 };
static const struct bulk_arg bulk_mmap_256 = { 256 * MiB, 256 * 1024, 1 };

/*
 * A channel is a pipe-like stream: lseek() has no meaning and must say so on
 * every kernel (the module sets no .llseek; 6.12 removed no_llseek).
 */
static int t_lseek_espipe(const void *arg)
{
	int fd, e_set, e_cur;
	off_t r_set, r_cur;

	fd = xenshm_open("loop0-a", 0);
	CHECK(fd >= 0);
	errno = 0;
	r_set = lseek(fd, 0, SEEK_SET);
	e_set = errno;
	errno = 0;
	r_cur = lseek(fd, 0, SEEK_CUR);
	e_cur = errno;
	close(fd);
	if (r_set != -1 || e_set != ESPIPE)
		FAIL("lseek(SEEK_SET) = %lld, errno %d, expected ESPIPE", (long long)r_set, e_set);
	if (r_cur != -1 || e_cur != ESPIPE)
		FAIL("lseek(SEEK_CUR) = %lld, errno %d, expected ESPIPE", (long long)r_cur, e_cur);
	return 0;
}

struct uffd_reader {
	int fd;
	void *buf;
	ssize_t n;
	int err;
};

static void *uffd_read(void *arg)
{
	struct uffd_reader *r = arg;

	r->n = read(r->fd, r->buf, 4096);
	r->err = errno;
	return NULL;
}

/*
 * A read() whose buffer faults into userfaultfd (as a FUSE- or uffd-backed
 * buffer would) may wait as long as that fault does, but it must not hold
 * the end's locks meanwhile: poll() and RESET on the same end return at
 * once. (With the copy done under rx_lock, both hung in D state.)
 */
static int t_user_fault_blocks_only_its_read(const void *arg)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffdio_zeropage zp;
	struct xenshm_reset rst = { .size = sizeof(rst) };
	struct uffd_reader r;
	struct pair p;
	pthread_t th;
	char data[4096];
	long page = sysconf(_SC_PAGESIZE);
	double t0, dt;
	int uffd, rev;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP("userfaultfd: %s", strerror(errno));
	CHECK_OK(ioctl(uffd, UFFDIO_API, &api));
	r.buf = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(r.buf != MAP_FAILED);
	reg = (struct uffdio_register){ .range = { (unsigned long)r.buf, (unsigned long)page },
					.mode = UFFDIO_REGISTER_MODE_MISSING };
	CHECK_OK(ioctl(uffd, UFFDIO_REGISTER, &reg));

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	memset(data, 0x5a, sizeof(data));
	CHECK_RET(write_all(p.a, data, sizeof(data)), 0);
	r.fd = p.b;
	CHECK(pthread_create(&th, NULL, uffd_read, &r) == 0);
	/* The reader reached its fault: userfaultfd has the event. */
	rev = poll1(uffd, POLLIN, 5000);
	if (rev <= 0) {
		diag("no userfaultfd event within 5 s (poll: %d)", rev);
		return 1;
	}
	t0 = now_s();
	rev = poll1(p.b, POLLIN, 0);
	CHECK_OK(ioctl(p.b, XENSHM_IOC_RESET, &rst));
	dt = now_s() - t0;
	/* Let the reader go: its page appears, zero-filled. */
	zp = (struct uffdio_zeropage){ .range = { (unsigned long)r.buf, (unsigned long)page } };
	CHECK_OK(ioctl(uffd, UFFDIO_ZEROPAGE, &zp));
	pthread_join(th, NULL);
	diag("poll+RESET took %.3f s beside the faulting read; read then: %zd (%s)", dt, r.n,
	     r.n < 0 ? errname(-r.err) : "bytes");
	if (rev < 0 || dt > 1.0)
		FAIL("poll (revents %d) and RESET took %.3f s while a read faulted", rev, dt);
	close(uffd);
	munmap(r.buf, page);
	pair_close(&p);
	return 0;
}

void register_data_cases(void)
{
	add_case("lseek_espipe", t_lseek_espipe, NULL, 0);
	add_case("user_fault_blocks_only_its_read", t_user_fault_blocks_only_its_read, NULL, 0);
	add_case("stream_roundtrip", t_stream_roundtrip, NULL, 0);
	add_case("stream_writes_merge_short_read_keeps_rest", t_stream_merges, NULL, 0);
	add_case("nonblock_read_empty_eagain", t_nonblock_read_eagain, NULL, 0);
	add_case("nonblock_write_full_eagain_partial", t_nonblock_write_full_eagain, NULL, 0);
	add_case("poll_pollin_wakeup", t_poll_pollin_wakeup, NULL, 0);
	add_case("poll_pollout_wakeup", t_poll_pollout_wakeup, NULL, 0);
	add_case("blocking_write_bigger_than_ring", t_blocking_write_bigger_than_ring, NULL, 0);
	add_case("blocking_read_eintr", t_blocking_read_eintr, NULL, 0);
	add_case("eventfd_signalled_on_data", t_eventfd_on_data, NULL, 0);
	add_case("eventfd_cleared_not_signalled", t_eventfd_cleared_silent, NULL, 0);
	add_case("eventfd_replaced_only_new_signalled", t_eventfd_replaced, NULL, 0);
	add_case("message_boundaries_kept", t_message_boundaries, NULL, 0);
	add_case("message_boundaries_across_wrap", t_message_wrap, NULL, 0);
	add_case("message_too_big_emsgsize", t_message_too_big, NULL, 0);
	add_case("message_short_buffer_emsgsize_keeps", t_message_short_buffer, NULL, 0);
	add_case("message_full_all_or_nothing", t_message_full_all_or_nothing, NULL, 0);
	add_case("two_processes_own_opens_16MiB", t_two_processes, NULL, 0);
	add_case("two_pairs_concurrently_32MiB", t_two_pairs_concurrently, NULL, 120);
	add_case("bulk_rw_256MiB_each_way_checksums", t_bulk, &bulk_rw_256, 600);
	add_case("bulk_mmap_eventfd_256MiB_each_way_checksums", t_bulk, &bulk_mmap_256, 600);
}
