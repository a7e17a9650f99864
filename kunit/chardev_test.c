// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite xenshm_chardev: the character device driven in the kernel, as a
 * user drives it.  Each case creates a pair of ends with the fixture of
 * kunit/fake_transport.h in its delivering mode (notify() raises an irq_work
 * on the peer end, which runs xenshm_channel_event() in hard-irq context, as
 * the loopback transport does), opens both misc devices, /dev/xenshm/kunit-a
 * and -b, with filp_open() (misc_open -> xenshm_open, one opener per end),
 * connects them through the ioctl handler minus its user copies
 * (xenshm_ioctl_arg), moves data with kernel_read()/kernel_write() and
 * vfs_iter_read()/vfs_iter_write() (the fops' read_iter/write_iter: the path
 * of read(), readv() and io_uring), polls with vfs_poll(), and releases the
 * files synchronously (__fput_sync: a kthread's fput() is deferred).
 *
 * Why not the loopback= pairs: a module's suites run at MODULE_STATE_COMING,
 * before its init function, so /dev/xenshm/loop0-* do not exist yet, and
 * loopback.c keeps its transport to itself.  The fixture's transport is the
 * same recipe (fake ports checked on bind, events delivered by irq_work);
 * the nodes come from devtmpfs, which scripts/kunit/run.sh mounts on /dev.
 *
 * Not covered here:
 *   - The eventfd counter itself.  Linux 6.1 creates an eventfd only through
 *     the eventfd2() syscall (do_eventfd() is static, eventfd_fops private),
 *     so a test has no eventfd context to register.  What is covered: the
 *     event from the peer reaching this end (notify_recv, the wait-queue
 *     wakeup; xenshm_changed() signals the eventfd in the same call), and
 *     SET_EVENTFD's refusals (bad fd, a file that is not an eventfd, CLEAR).
 *     tests/qemu registers a real eventfd from userspace.
 *   - A short copy part-way through a user buffer (stream mode returning the
 *     bytes before the fault): a kthread has no user address space, so a bad
 *     buffer here is rejected whole by access_ok(); the all-or-nothing rule
 *     is checked on that.  Signals (EINTR/restart), mmap, the user copies of
 *     the ioctl arguments, and io_uring itself: tests/qemu, from userspace.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include "fake_transport.h"

#define DEV_A		"/dev/xenshm/kunit-a"	/* slot 0, dom1: the receiver */
#define DEV_B		"/dev/xenshm/kunit-b"	/* slot 1, dom2: the sender */
/* 64 KiB rings: big enough for real transfers, small enough to wrap often. */
#define RING		65536u
#define REGION		(XENSHM_DATA_OFF + 2 * RING)
#define WAIT_MS		5000
#define STREAM		XENSHM_MODE_STREAM
#define MESSAGE		XENSHM_MODE_MESSAGE

struct pair {
	struct file *f[2];		/* a, b; NULL once released */
	struct xenshm_info info;	/* a's GET_INFO once connected */
	void *big;			/* kvmalloc'ed, freed by exit */
};

static struct xenshm_channel *chan(struct file *f)
{
	return f->private_data;
}

static struct pair *pair_of(struct kunit *test)
{
	return ((struct fake_env *)test->priv)->priv;
}

static int chardev_init(struct kunit *test)
{
	static const char *const path[2] = { DEV_A, DEV_B };
	struct pair *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct fake_env *env;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	env = fake_env_setup(test, REGION, true);
	env->priv = p;
	for (i = 0; i < 2; i++) {
		struct file *f = filp_open(path[i], O_RDWR, 0);

		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "open %s: %ld (devtmpfs on /dev?)",
				       path[i], PTR_ERR(f));
		p->f[i] = f;
		KUNIT_ASSERT_PTR_EQ(test, chan(f), env->ch[i]);
	}
	return 0;
}

static void release_end(struct pair *p, int i)
{
	if (p->f[i]) {
		__fput_sync(p->f[i]);
		p->f[i] = NULL;
	}
}

static void chardev_exit(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct pair *p = env ? env->priv : NULL;

	if (p) {
		release_end(p, 0);
		release_end(p, 1);
		kvfree(p->big);
	}
	if (env)
		fake_env_exit(test);	/* the ends may go once no file is open */
}

/* ---- helpers --------------------------------------------------------------- */

static bool wait_state(struct file *f, u32 state)
{
	struct xenshm_channel *ch = chan(f);

	wait_event_timeout(ch->wq, xenshm_channel_state(ch) == state,
			   msecs_to_jiffies(WAIT_MS));
	return xenshm_channel_state(ch) == state;
}

static struct xenshm_stats stats(struct kunit *test, struct file *f)
{
	union xenshm_ioc_arg u = { .stats = { .size = sizeof(u.stats) } };

	KUNIT_EXPECT_EQ(test, xenshm_ioctl_arg(f, XENSHM_IOC_STATS, &u), 0L);
	return u.stats;
}

/*
 * CONNECT both ends (a produces @mode_a, b @mode_b), wait until both are
 * CONNECTED and until a received the one event the sender sends on
 * connecting, so later cases count only their own events.
 */
static void connect_pair(struct kunit *test, struct pair *p, u32 mode_a,
			 u32 mode_b)
{
	union xenshm_ioc_arg u;
	unsigned long end;
	long ret;
	int i;

	for (i = 0; i < 2; i++) {
		memset(&u, 0, sizeof(u));
		u.connect.size = sizeof(u.connect);
		u.connect.mode = i ? mode_b : mode_a;
		ret = xenshm_ioctl_arg(p->f[i], XENSHM_IOC_CONNECT, &u);
		KUNIT_ASSERT_TRUE_MSG(test, ret == 0 || ret == -EINPROGRESS,
				      "CONNECT %c: %ld", 'a' + i, ret);
	}
	KUNIT_ASSERT_TRUE(test, wait_state(p->f[0], XENSHM_CHAN_STATE_CONNECTED));
	KUNIT_ASSERT_TRUE(test, wait_state(p->f[1], XENSHM_CHAN_STATE_CONNECTED));

	memset(&u, 0, sizeof(u));
	u.info.size = sizeof(u.info);
	KUNIT_ASSERT_EQ(test, xenshm_ioctl_arg(p->f[0], XENSHM_IOC_GET_INFO, &u), 0L);
	p->info = u.info;
	KUNIT_ASSERT_EQ(test, p->info.role, (u32)XENSHM_ROLE_RECEIVER);

	end = jiffies + msecs_to_jiffies(WAIT_MS);
	while (stats(test, p->f[0]).notify_recv < stats(test, p->f[1]).notify_sent &&
	       time_before(jiffies, end))
		usleep_range(1000, 2000);
	KUNIT_ASSERT_EQ(test, stats(test, p->f[0]).notify_recv,
			stats(test, p->f[1]).notify_sent);
}

static void fill(u8 *buf, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = seed + i * 7;
}

static void set_nonblock(struct file *f, bool on)
{
	spin_lock(&f->f_lock);
	if (on)
		f->f_flags |= O_NONBLOCK;
	else
		f->f_flags &= ~O_NONBLOCK;
	spin_unlock(&f->f_lock);
}

/* A read that must not block (the data is known to be there, or EAGAIN). */
static ssize_t read_nb(struct file *f, void *buf, size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter it;

	iov_iter_kvec(&it, ITER_DEST, &kv, 1, len);
	return vfs_iter_read(f, &it, NULL, RWF_NOWAIT);
}

/* Read exactly @len bytes of a stream (bounded number of calls). */
static void read_all(struct kunit *test, struct file *f, u8 *buf, size_t len)
{
	size_t got = 0;
	int calls = 0;
	ssize_t n;

	while (got < len && calls++ < 16) {
		n = kernel_read(f, buf + got, len - got, NULL);
		KUNIT_ASSERT_GT_MSG(test, n, 0L, "after %zu of %zu bytes", got, len);
		got += n;
	}
	KUNIT_ASSERT_EQ(test, got, len);
}

/* ---- stream ------------------------------------------------------------------ */

struct len_case {
	const char *name;
	size_t len;
};

static const struct len_case stream_cases[] = {
	{ "1_byte", 1 },
	{ "4095_bytes", 4095 },
	{ "40000_bytes", 40000 },	/* each direction wraps twice */
};

static void len_desc(const struct len_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(stream, stream_cases, len_desc);

/* Bytes written on one end are read, unchanged, on the other; both ways. */
static void xenshm_chardev_stream_round_trip(struct kunit *test)
{
	const struct len_case *c = test->param_value;
	struct pair *p = pair_of(test);
	u8 *out = kunit_kmalloc(test, c->len, GFP_KERNEL);
	u8 *in = kunit_kmalloc(test, c->len, GFP_KERNEL);
	int round;

	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, in);
	connect_pair(test, p, STREAM, STREAM);
	for (round = 0; round < 10; round++) {
		struct file *tx = p->f[!(round & 1)], *rx = p->f[round & 1];

		fill(out, c->len, round);
		memset(in, 0, c->len);
		KUNIT_ASSERT_EQ(test, kernel_write(tx, out, c->len, NULL), (ssize_t)c->len);
		read_all(test, rx, in, c->len);
		KUNIT_ASSERT_EQ_MSG(test, memcmp(in, out, c->len), 0, "round %d", round);
	}
	KUNIT_EXPECT_EQ(test, stats(test, p->f[0]).rx_bytes, 5ull * c->len);
	KUNIT_EXPECT_EQ(test, stats(test, p->f[1]).tx_bytes, 5ull * c->len);
}

/* ---- message mode --------------------------------------------------------------- */

/* Each write() is one read(): lengths and contents survive, nothing merges. */
static void xenshm_chardev_message_boundaries(struct kunit *test)
{
	struct pair *p = pair_of(test);
	size_t max, lens[4];
	u8 *out, *in;
	int i;

	connect_pair(test, p, MESSAGE, MESSAGE);
	max = p->info.max_msg_size;
	lens[0] = 1;
	lens[1] = 7;
	lens[2] = 100;
	lens[3] = max;
	out = kunit_kmalloc(test, max, GFP_KERNEL);
	in = kunit_kmalloc(test, max + 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, in);

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		fill(out, lens[i], i);
		KUNIT_ASSERT_EQ(test, kernel_write(p->f[1], out, lens[i], NULL),
				(ssize_t)lens[i]);
	}
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		fill(out, lens[i], i);
		KUNIT_ASSERT_EQ(test, kernel_read(p->f[0], in, max + 64, NULL),
				(ssize_t)lens[i]);
		KUNIT_EXPECT_EQ(test, memcmp(in, out, lens[i]), 0);
	}
	KUNIT_EXPECT_EQ(test, read_nb(p->f[0], in, max + 64), (ssize_t)-EAGAIN);
	KUNIT_EXPECT_EQ(test, stats(test, p->f[0]).rx_msgs, 4ull);
}

/* A message longer than max_msg_size is refused whole; nothing is sent. */
static void xenshm_chardev_message_too_big(struct kunit *test)
{
	struct pair *p = pair_of(test);
	size_t len;
	u8 *buf;

	connect_pair(test, p, MESSAGE, MESSAGE);
	len = p->info.max_msg_size + 1;
	buf = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, kernel_write(p->f[1], buf, len, NULL), (ssize_t)-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, read_nb(p->f[0], buf, len), (ssize_t)-EAGAIN);
}

/* A buffer shorter than the message: EMSGSIZE, and the message stays queued. */
static void xenshm_chardev_message_short_buffer(struct kunit *test)
{
	struct pair *p = pair_of(test);
	u8 in[32] = {};

	connect_pair(test, p, MESSAGE, MESSAGE);
	KUNIT_ASSERT_EQ(test, kernel_write(p->f[1], "0123456789", 10, NULL), 10L);
	KUNIT_EXPECT_EQ(test, kernel_read(p->f[0], in, 9, NULL), (ssize_t)-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, kernel_read(p->f[0], in, sizeof(in), NULL), 10L);
	KUNIT_EXPECT_EQ(test, memcmp(in, "0123456789", 10), 0);
}

/* writev(): all segments make one message; readv() scatters one message. */
static void xenshm_chardev_message_vectored(struct kunit *test)
{
	struct pair *p = pair_of(test);
	char in0[4], in1[64], in2[64];
	struct kvec out[3] = {
		{ .iov_base = "hello", .iov_len = 5 },
		{ .iov_base = "", .iov_len = 0 },
		{ .iov_base = " vectored", .iov_len = 9 },
	};
	struct kvec in[3] = {
		{ .iov_base = in0, .iov_len = sizeof(in0) },
		{ .iov_base = in1, .iov_len = sizeof(in1) },
		{ .iov_base = in2, .iov_len = sizeof(in2) },
	};
	struct iov_iter it;

	connect_pair(test, p, MESSAGE, MESSAGE);
	iov_iter_kvec(&it, ITER_SOURCE, out, ARRAY_SIZE(out), 14);
	KUNIT_ASSERT_EQ(test, vfs_iter_write(p->f[1], &it, NULL, 0), 14L);
	KUNIT_ASSERT_EQ(test, kernel_write(p->f[1], "next", 4, NULL), 4L);

	iov_iter_kvec(&it, ITER_DEST, in, ARRAY_SIZE(in), sizeof(in0) + sizeof(in1) + sizeof(in2));
	KUNIT_ASSERT_EQ(test, vfs_iter_read(p->f[0], &it, NULL, 0), 14L);
	KUNIT_EXPECT_EQ(test, memcmp(in0, "hell", 4), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in1, "o vectored", 10), 0);
	/* The second message was not pulled into the unused segments. */
	KUNIT_EXPECT_EQ(test, kernel_read(p->f[0], in1, sizeof(in1), NULL), 4L);
	KUNIT_EXPECT_EQ(test, memcmp(in1, "next", 4), 0);
}

/* ---- would block ------------------------------------------------------------------ */

enum nb_how { NB_O_NONBLOCK, NB_RWF_NOWAIT };

struct nb_case {
	const char *name;
	bool write;		/* write to a full ring, else read an empty one */
	enum nb_how how;
};

static const struct nb_case nb_cases[] = {
	{ "read_empty_o_nonblock",	false,	NB_O_NONBLOCK },
	{ "read_empty_rwf_nowait",	false,	NB_RWF_NOWAIT },
	{ "write_full_o_nonblock",	true,	NB_O_NONBLOCK },
	{ "write_full_rwf_nowait",	true,	NB_RWF_NOWAIT },
};

static void nb_desc(const struct nb_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(nb, nb_cases, nb_desc);

static ssize_t io_nb(struct file *f, bool write, void *buf, size_t len,
		     enum nb_how how)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter it;
	ssize_t ret;

	iov_iter_kvec(&it, write ? ITER_SOURCE : ITER_DEST, &kv, 1, len);
	if (how == NB_RWF_NOWAIT)
		return write ? vfs_iter_write(f, &it, NULL, RWF_NOWAIT) :
			vfs_iter_read(f, &it, NULL, RWF_NOWAIT);
	set_nonblock(f, true);
	ret = write ? vfs_iter_write(f, &it, NULL, 0) : vfs_iter_read(f, &it, NULL, 0);
	set_nonblock(f, false);
	return ret;
}

/*
 * O_NONBLOCK or RWF_NOWAIT (IOCB_NOWAIT, as io_uring asks first): EAGAIN
 * instead of sleeping.  A stream write into a ring with less room than asked
 * writes what fits, and only a write into a full ring fails.
 */
static void xenshm_chardev_would_block(struct kunit *test)
{
	const struct nb_case *c = test->param_value;
	struct pair *p = pair_of(test);
	struct file *a = p->f[0];
	size_t ds;

	connect_pair(test, p, STREAM, STREAM);
	ds = p->info.data_size;
	p->big = kvzalloc(ds + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p->big);
	if (!c->write) {
		KUNIT_EXPECT_EQ(test, io_nb(a, false, p->big, ds, c->how), (ssize_t)-EAGAIN);
		return;
	}
	KUNIT_EXPECT_EQ(test, io_nb(a, true, p->big, ds + 1, c->how), (ssize_t)ds);
	KUNIT_EXPECT_EQ(test, io_nb(a, true, p->big, 1, c->how), (ssize_t)-EAGAIN);
	/* Nothing was lost or doubled: the peer finds exactly the ring's worth. */
	KUNIT_EXPECT_EQ(test, read_nb(p->f[1], p->big, ds + 1), (ssize_t)ds);
}

/* ---- blocking calls woken by the peer ----------------------------------------------- */

struct blocker {
	struct file *f;
	bool write;
	void *buf;
	size_t len;
	ssize_t ret;
	struct completion done;
};

static int blocker_fn(void *arg)
{
	struct blocker *b = arg;

	b->ret = b->write ? kernel_write(b->f, b->buf, b->len, NULL) :
		kernel_read(b->f, b->buf, b->len, NULL);
	kthread_complete_and_exit(&b->done, 0);
}

struct woken_case {
	const char *name;
	bool write;		/* a writes into a full ring, else reads an empty one */
};

static const struct woken_case woken_cases[] = {
	{ "read_woken_by_peer_write",	false },
	{ "write_woken_by_peer_read",	true },
};

static void woken_desc(const struct woken_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(woken, woken_cases, woken_desc);

/*
 * A blocking read() on an empty ring sleeps until the peer writes; a
 * blocking write() on a full ring sleeps until the peer reads.  The wakeup
 * is the loopback event the peer's data move sends (event index armed by
 * the sleeper).  If it never comes, RESET wakes the sleeper and the case
 * fails on its result.
 */
static void xenshm_chardev_blocking_woken(struct kunit *test)
{
	const struct woken_case *c = test->param_value;
	struct pair *p = pair_of(test);
	struct xenshm_channel *a = chan(p->f[0]);
	bool write = c->write;
	struct blocker bl = { .f = p->f[0], .write = write, .len = 100 };
	struct task_struct *t;
	unsigned long end;
	bool woken;
	size_t ds;

	connect_pair(test, p, STREAM, STREAM);
	ds = p->info.data_size;
	p->big = kvzalloc(ds, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p->big);
	bl.buf = p->big;
	if (write)	/* fill a's TX ring */
		KUNIT_ASSERT_EQ(test, io_nb(p->f[0], true, p->big, ds, NB_O_NONBLOCK),
				(ssize_t)ds);
	init_completion(&bl.done);
	t = kthread_run(blocker_fn, &bl, "xenshm-kunit-blk");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	/* Until the blocker sleeps (or finished wrongly early). */
	end = jiffies + msecs_to_jiffies(WAIT_MS);
	while (!wq_has_sleeper(&a->wq) && !completion_done(&bl.done) &&
	       time_before(jiffies, end))
		usleep_range(1000, 2000);
	KUNIT_EXPECT_TRUE(test, wq_has_sleeper(&a->wq));
	KUNIT_EXPECT_FALSE(test, completion_done(&bl.done));

	if (write)
		KUNIT_EXPECT_EQ(test, kernel_read(p->f[1], p->big, 4096, NULL), 4096L);
	else
		KUNIT_EXPECT_EQ(test, kernel_write(p->f[1], "wake", 4, NULL), 4L);

	woken = wait_for_completion_timeout(&bl.done, msecs_to_jiffies(WAIT_MS));
	if (!woken) {
		xenshm_channel_reset(a);	/* ENOTCONN for the sleeper */
		wait_for_completion(&bl.done);
	}
	KUNIT_EXPECT_TRUE(test, woken);
	KUNIT_EXPECT_EQ(test, bl.ret, write ? 100L : 4L);
	if (!write)
		KUNIT_EXPECT_EQ(test, memcmp(p->big, "wake", 4), 0);
}

/* ---- poll ---------------------------------------------------------------------------- */

enum poll_setup {
	P_EMPTY,		/* connected, nothing queued either way */
	P_PEER_WROTE,		/* b wrote 10 bytes */
	P_TX_FULL,		/* a filled its TX ring */
	P_MAX_MSG_NO_ROOM,	/* a (message mode) has room, but not for max_msg */
	P_PEER_RELEASED,	/* b closed */
	P_PEER_RELEASED_DATA,	/* b wrote 10 bytes, then closed */
};

struct poll_case {
	const char *name;
	enum poll_setup setup;
	__poll_t mask;		/* a's poll mask */
};

#define IN	(EPOLLIN | EPOLLRDNORM)
#define OUT	(EPOLLOUT | EPOLLWRNORM)
#define HUP	(EPOLLHUP | EPOLLRDHUP)

static const struct poll_case poll_cases[] = {
	{ "empty",			P_EMPTY,		OUT },
	{ "peer_wrote",			P_PEER_WROTE,		IN | OUT },
	{ "tx_full",			P_TX_FULL,		0 },
	{ "max_msg_no_room",		P_MAX_MSG_NO_ROOM,	0 },
	{ "peer_released",		P_PEER_RELEASED,	HUP },
	{ "peer_released_with_data",	P_PEER_RELEASED_DATA,	IN | HUP },
};

static void poll_desc(const struct poll_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(poll, poll_cases, poll_desc);

static void xenshm_chardev_poll_mask(struct kunit *test)
{
	const struct poll_case *c = test->param_value;
	struct pair *p = pair_of(test);
	struct file *a = p->f[0];
	size_t ds;

	connect_pair(test, p, c->setup == P_MAX_MSG_NO_ROOM ? MESSAGE : STREAM, STREAM);
	ds = p->info.data_size;
	p->big = kvzalloc(ds, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p->big);
	switch (c->setup) {
	case P_EMPTY:
		break;
	case P_PEER_WROTE:
		KUNIT_ASSERT_EQ(test, kernel_write(p->f[1], p->big, 10, NULL), 10L);
		break;
	case P_TX_FULL:
		KUNIT_ASSERT_EQ(test, io_nb(a, true, p->big, ds, NB_O_NONBLOCK), (ssize_t)ds);
		break;
	case P_MAX_MSG_NO_ROOM:
		/* 16 + ds / 2 bytes of records: ds / 2 - 16 free < ds / 2 */
		KUNIT_ASSERT_EQ(test, kernel_write(a, p->big, 1, NULL), 1L);
		KUNIT_ASSERT_EQ(test, kernel_write(a, p->big, p->info.max_msg_size, NULL),
				(ssize_t)p->info.max_msg_size);
		/* ... though a small message still fits. */
		KUNIT_ASSERT_EQ(test, kernel_write(a, p->big, 1, NULL), 1L);
		break;
	case P_PEER_RELEASED_DATA:
		KUNIT_ASSERT_EQ(test, kernel_write(p->f[1], p->big, 10, NULL), 10L);
		fallthrough;
	case P_PEER_RELEASED:
		release_end(p, 1);
		break;
	}
	KUNIT_EXPECT_EQ(test, (unsigned int)vfs_poll(a, NULL), (unsigned int)c->mask);
}

/*
 * A poller of a (poll/epoll sleep on the wait queues vfs_poll registers) is
 * woken by b's write: b kicks because a's poll armed the event index, the
 * loopback delivers the event in hard-irq context, and the event handler
 * counts it and wakes the queues (and signals the eventfd, which is not
 * observable here, see the top).
 */
struct poll_probe {
	poll_table pt;
	struct {
		wait_queue_entry_t wait;
		wait_queue_head_t *head;
	} e[4];
	int n;
	atomic_t wakes;
};

static int probe_wake(wait_queue_entry_t *wait, unsigned int mode, int sync,
		      void *key)
{
	struct poll_probe *pp = wait->private;

	atomic_inc(&pp->wakes);
	return 0;
}

static void probe_queue(struct file *f, wait_queue_head_t *head, poll_table *pt)
{
	struct poll_probe *pp = container_of(pt, struct poll_probe, pt);

	if (WARN_ON(pp->n >= ARRAY_SIZE(pp->e)))
		return;
	init_waitqueue_func_entry(&pp->e[pp->n].wait, probe_wake);
	pp->e[pp->n].wait.private = pp;
	pp->e[pp->n].head = head;
	add_wait_queue(head, &pp->e[pp->n].wait);
	pp->n++;
}

static void xenshm_chardev_poll_woken_by_peer(struct kunit *test)
{
	struct pair *p = pair_of(test);
	struct poll_probe pp = { .n = 0 };
	unsigned long end;
	u64 recv;
	int i;

	connect_pair(test, p, STREAM, STREAM);
	recv = stats(test, p->f[0]).notify_recv;
	init_poll_funcptr(&pp.pt, probe_queue);
	atomic_set(&pp.wakes, 0);
	/* No ASSERT until the entries are off the queues again. */
	KUNIT_EXPECT_EQ(test, (unsigned int)vfs_poll(p->f[0], &pp.pt), (unsigned int)OUT);
	KUNIT_EXPECT_GT(test, pp.n, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&pp.wakes), 0);

	KUNIT_EXPECT_EQ(test, kernel_write(p->f[1], "x", 1, NULL), 1L);
	end = jiffies + msecs_to_jiffies(WAIT_MS);
	while (!atomic_read(&pp.wakes) && time_before(jiffies, end))
		usleep_range(1000, 2000);

	for (i = 0; i < pp.n; i++)
		remove_wait_queue(pp.e[i].head, &pp.e[i].wait);
	KUNIT_EXPECT_GT(test, atomic_read(&pp.wakes), 0);
	KUNIT_EXPECT_EQ(test, stats(test, p->f[0]).notify_recv, recv + 1);
	KUNIT_EXPECT_EQ(test, (unsigned int)vfs_poll(p->f[0], NULL), (unsigned int)(IN | OUT));
}

/* ---- hang-up --------------------------------------------------------------------------- */

/* After the peer closes: what it left is read first, then EOF; writes fail. */
static void xenshm_chardev_peer_release_eof(struct kunit *test)
{
	struct pair *p = pair_of(test);
	char in[16] = {};

	connect_pair(test, p, STREAM, STREAM);
	KUNIT_ASSERT_EQ(test, kernel_write(p->f[1], "bye!!", 5, NULL), 5L);
	release_end(p, 1);
	KUNIT_EXPECT_EQ(test, kernel_read(p->f[0], in, sizeof(in), NULL), 5L);
	KUNIT_EXPECT_EQ(test, memcmp(in, "bye!!", 5), 0);
	KUNIT_EXPECT_EQ(test, kernel_read(p->f[0], in, sizeof(in), NULL), 0L);
	KUNIT_EXPECT_EQ(test, kernel_write(p->f[0], "x", 1, NULL), (ssize_t)-ECONNRESET);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(chan(p->f[0])),
			(u32)XENSHM_CHAN_STATE_PEER_GONE);
}

/* ---- implicit connect (FIFO use) ------------------------------------------------------ */

static u32 end_info_mode(struct kunit *test, struct file *f, u32 *role)
{
	union xenshm_ioc_arg u = { .info = { .size = sizeof(u.info) } };

	KUNIT_EXPECT_EQ(test, xenshm_ioctl_arg(f, XENSHM_IOC_GET_INFO, &u), 0L);
	*role = u.info.role;
	return u.info.mode;
}

static long connect_default(struct file *f)
{
	union xenshm_ioc_arg u = { .connect = { .size = sizeof(u.connect) } };

	return xenshm_ioctl_arg(f, XENSHM_IOC_CONNECT, &u);
}

/*
 * write() and read() on ends nobody connected connect them (stream, AUTO
 * role), as opening a FIFO does; an explicit CONNECT then is refused and
 * changes nothing; the reader sees EOF once the writer closed, and a writer
 * whose reader left gets EPIPE (SIGPIPE, which a kthread ignores, is checked
 * by the QEMU suite).
 */
static void xenshm_chardev_implicit_connect(struct kunit *test)
{
	struct pair *p = pair_of(test);
	char in[16] = {};
	u32 role;

	set_nonblock(p->f[0], true);
	KUNIT_EXPECT_EQ(test, kernel_write(p->f[0], "hello", 5, NULL), (ssize_t)-EAGAIN);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(chan(p->f[0])),
			(u32)XENSHM_CHAN_STATE_CONNECTING);
	KUNIT_EXPECT_EQ(test, connect_default(p->f[0]), (long)-EISCONN);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(chan(p->f[0])),
			(u32)XENSHM_CHAN_STATE_CONNECTING);
	set_nonblock(p->f[0], false);

	/* poll() connects b. */
	KUNIT_EXPECT_EQ(test, (unsigned int)vfs_poll(p->f[1], NULL) & EPOLLERR, 0u);
	KUNIT_ASSERT_TRUE(test, wait_state(p->f[0], XENSHM_CHAN_STATE_CONNECTED));
	KUNIT_ASSERT_TRUE(test, wait_state(p->f[1], XENSHM_CHAN_STATE_CONNECTED));
	KUNIT_EXPECT_EQ(test, connect_default(p->f[1]), (long)-EISCONN);
	KUNIT_EXPECT_EQ(test, end_info_mode(test, p->f[1], &role), (u32)STREAM);
	KUNIT_EXPECT_EQ(test, role, (u32)XENSHM_ROLE_SENDER);

	KUNIT_EXPECT_EQ(test, kernel_write(p->f[0], "hello", 5, NULL), 5L);
	KUNIT_EXPECT_EQ(test, kernel_read(p->f[1], in, sizeof(in), NULL), 5L);
	KUNIT_EXPECT_EQ(test, memcmp(in, "hello", 5), 0);
	release_end(p, 0);	/* nothing queued: no drain wait */
	KUNIT_EXPECT_EQ(test, kernel_read(p->f[1], in, sizeof(in), NULL), 0L);
	KUNIT_EXPECT_EQ(test, kernel_write(p->f[1], "x", 1, NULL), (ssize_t)-EPIPE);
}

static int releaser_fn(void *arg)
{
	struct blocker *b = arg;

	__fput_sync(b->f);
	kthread_complete_and_exit(&b->done, 0);
}

/*
 * `echo hi > dev`: the last close of an implicitly connected end waits until
 * the peer has read what is queued, so the data is not lost with the slot.
 */
static void xenshm_chardev_implicit_close_drains(struct kunit *test)
{
	struct pair *p = pair_of(test);
	struct blocker bl = { .f = p->f[0] };
	struct task_struct *t;
	char in[16] = {};

	KUNIT_EXPECT_EQ(test, (unsigned int)vfs_poll(p->f[0], NULL) & EPOLLERR, 0u);
	KUNIT_EXPECT_EQ(test, (unsigned int)vfs_poll(p->f[1], NULL) & EPOLLERR, 0u);
	KUNIT_ASSERT_TRUE(test, wait_state(p->f[0], XENSHM_CHAN_STATE_CONNECTED));
	KUNIT_ASSERT_TRUE(test, wait_state(p->f[1], XENSHM_CHAN_STATE_CONNECTED));
	KUNIT_ASSERT_EQ(test, kernel_write(p->f[0], "bye", 3, NULL), 3L);

	init_completion(&bl.done);
	p->f[0] = NULL;		/* the releaser owns it now */
	t = kthread_run(releaser_fn, &bl, "xenshm-kunit-rel");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	msleep(100);
	KUNIT_EXPECT_FALSE(test, completion_done(&bl.done));
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(chan(p->f[1])),
			(u32)XENSHM_CHAN_STATE_CONNECTED);

	KUNIT_EXPECT_EQ(test, kernel_read(p->f[1], in, sizeof(in), NULL), 3L);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&bl.done,
							    msecs_to_jiffies(WAIT_MS)));
	KUNIT_EXPECT_EQ(test, kernel_read(p->f[1], in, sizeof(in), NULL), 0L);
}

/* After CONNECT, an end never connects by itself: RESET leaves it IDLE. */
static void xenshm_chardev_explicit_stays_explicit(struct kunit *test)
{
	struct pair *p = pair_of(test);
	char buf[4] = {};

	connect_pair(test, p, STREAM, STREAM);
	KUNIT_ASSERT_EQ(test, xenshm_channel_reset(chan(p->f[0])), 0);
	KUNIT_EXPECT_EQ(test, kernel_read(p->f[0], buf, sizeof(buf), NULL), (ssize_t)-ENOTCONN);
	KUNIT_EXPECT_EQ(test, kernel_write(p->f[0], buf, sizeof(buf), NULL), (ssize_t)-ENOTCONN);
	KUNIT_EXPECT_EQ(test, (unsigned int)vfs_poll(p->f[0], NULL), 0u);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(chan(p->f[0])), (u32)XENSHM_CHAN_STATE_IDLE);
}

/* ---- bad buffers -------------------------------------------------------------------------- */

struct fault_case {
	const char *name;
	u32 mode;
	bool write;
};

static const struct fault_case fault_cases[] = {
	{ "stream_write",	STREAM,		true },
	{ "stream_read",	STREAM,		false },
	{ "message_write",	MESSAGE,	true },
	{ "message_read",	MESSAGE,	false },
};

static void fault_desc(const struct fault_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fault, fault_cases, fault_desc);

/*
 * A buffer the kernel may not copy from/to (not a user address at all):
 * EFAULT, and nothing is produced or consumed: the peer finds nothing, or
 * the queued data is still there whole for the next read.
 */
static void xenshm_chardev_bad_buffer(struct kunit *test)
{
	const struct fault_case *c = test->param_value;
	struct pair *p = pair_of(test);
	void __user *bad = (void __user *)(uintptr_t)-PAGE_SIZE;
	char in[16] = {};
	struct iov_iter it;

	connect_pair(test, p, c->mode, c->mode);
	if (c->write) {
		iov_iter_ubuf(&it, ITER_SOURCE, bad, 8);
		KUNIT_EXPECT_EQ(test, vfs_iter_write(p->f[1], &it, NULL, 0), (ssize_t)-EFAULT);
		KUNIT_EXPECT_EQ(test, read_nb(p->f[0], in, sizeof(in)), (ssize_t)-EAGAIN);
		KUNIT_EXPECT_EQ(test, stats(test, p->f[1]).tx_bytes, 0ull);
		return;
	}
	KUNIT_ASSERT_EQ(test, kernel_write(p->f[1], "12345678", 8, NULL), 8L);
	iov_iter_ubuf(&it, ITER_DEST, bad, 8);
	KUNIT_EXPECT_EQ(test, vfs_iter_read(p->f[0], &it, NULL, 0), (ssize_t)-EFAULT);
	KUNIT_EXPECT_EQ(test, read_nb(p->f[0], in, sizeof(in)), 8L);
	KUNIT_EXPECT_EQ(test, memcmp(in, "12345678", 8), 0);
}

/* ---- SET_EVENTFD ---------------------------------------------------------------------------- */

enum efd_fd { EFD_ZERO, EFD_NOT_OPEN, EFD_NOT_EVENTFD };

struct efd_case {
	const char *name;
	u32 flags;
	enum efd_fd fd;
	long ret;
};

static const struct efd_case efd_cases[] = {
	{ "clear",		XENSHM_EVENTFD_FLAGS_CLEAR, EFD_ZERO,		0 },
	{ "clear_with_fd",	XENSHM_EVENTFD_FLAGS_CLEAR, EFD_NOT_OPEN,	-EINVAL },
	{ "not_an_open_fd",	0,			    EFD_NOT_OPEN,	-EBADF },
	{ "not_an_eventfd",	0,			    EFD_NOT_EVENTFD,	-EINVAL },
};

static void efd_desc(const struct efd_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(efd, efd_cases, efd_desc);

/*
 * SET_EVENTFD through the ioctl handler, with the fd looked up in the
 * calling task's table (for this kthread: the kernel threads' shared table,
 * where the case installs one of the loopback files for "not an eventfd").
 */
static void xenshm_chardev_set_eventfd(struct kunit *test)
{
	const struct efd_case *c = test->param_value;
	struct pair *p = pair_of(test);
	union xenshm_ioc_arg u = {
		.eventfd = { .size = sizeof(u.eventfd), .flags = c->flags },
	};
	int fd = -1;

	switch (c->fd) {
	case EFD_ZERO:
		break;
	case EFD_NOT_OPEN:
		u.eventfd.fd = INT_MAX;
		break;
	case EFD_NOT_EVENTFD:
		fd = get_unused_fd_flags(O_CLOEXEC);
		KUNIT_ASSERT_GE(test, fd, 0);
		fd_install(fd, get_file(p->f[1]));
		u.eventfd.fd = fd;
		break;
	}
	KUNIT_EXPECT_EQ(test, xenshm_ioctl_arg(p->f[0], XENSHM_IOC_SET_EVENTFD, &u), c->ret);
	KUNIT_EXPECT_NULL(test, chan(p->f[0])->evfd);
	if (fd >= 0)
		close_fd(fd);
}

/* ---- sysfs ---------------------------------------------------------------------------- */

static int sysfs_read(struct kunit *test, int end, const char *attr, char *buf,
		      size_t len)
{
	char path[96];
	struct file *f;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/misc/xenshm!kunit-%c/%s", 'a' + end, attr);
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f)) {
		KUNIT_FAIL(test, "open %s: %ld", path, PTR_ERR(f));
		return PTR_ERR(f);
	}
	n = kernel_read(f, buf, len - 1, NULL);
	__fput_sync(f);
	KUNIT_EXPECT_GT_MSG(test, n, 0L, "read %s", path);
	buf[n > 0 ? n : 0] = 0;
	return n > 0 ? 0 : -EIO;
}

/* Each stats/<counter> file reads what XENSHM_IOC_STATS reports. */
static void xenshm_chardev_sysfs_stats(struct kunit *test)
{
	static const struct {
		const char *name;
		size_t off;
	} counters[] = {
		{ "tx_bytes", offsetof(struct xenshm_stats, tx_bytes) },
		{ "rx_bytes", offsetof(struct xenshm_stats, rx_bytes) },
		{ "tx_msgs", offsetof(struct xenshm_stats, tx_msgs) },
		{ "rx_msgs", offsetof(struct xenshm_stats, rx_msgs) },
		{ "notify_sent", offsetof(struct xenshm_stats, notify_sent) },
		{ "notify_recv", offsetof(struct xenshm_stats, notify_recv) },
		{ "notify_suppressed", offsetof(struct xenshm_stats, notify_suppressed) },
		{ "errors", offsetof(struct xenshm_stats, errors) },
	};
	struct pair *p = pair_of(test);
	char buf[32], attr[32];
	int end, i;

	connect_pair(test, p, MESSAGE, STREAM);
	KUNIT_ASSERT_EQ(test, kernel_write(p->f[0], "abc", 3, NULL), 3L);
	KUNIT_ASSERT_EQ(test, kernel_write(p->f[0], "defgh", 5, NULL), 5L);
	KUNIT_ASSERT_EQ(test, kernel_read(p->f[1], buf, sizeof(buf), NULL), 3L);
	for (end = 0; end < 2; end++) {
		struct xenshm_stats st = stats(test, p->f[end]);

		for (i = 0; i < ARRAY_SIZE(counters); i++) {
			u64 want = *(u64 *)((char *)&st + counters[i].off);
			unsigned long long got;

			snprintf(attr, sizeof(attr), "stats/%s", counters[i].name);
			if (sysfs_read(test, end, attr, buf, sizeof(buf)))
				continue;
			KUNIT_EXPECT_EQ_MSG(test, kstrtoull(buf, 10, &got), 0, "%s", attr);
			KUNIT_EXPECT_EQ_MSG(test, (u64)got, want, "%c %s", 'a' + end, attr);
		}
	}
	/* Not all zero: the comparison above can fail. */
	KUNIT_EXPECT_EQ(test, stats(test, p->f[0]).tx_msgs, 2ull);
	KUNIT_EXPECT_EQ(test, stats(test, p->f[1]).rx_bytes, 3ull);
	if (!sysfs_read(test, 0, "state", buf, sizeof(buf)))
		KUNIT_EXPECT_STREQ(test, buf, "connected\n");
}

static struct kunit_case xenshm_chardev_cases[] = {
	KUNIT_CASE(xenshm_chardev_implicit_connect),
	KUNIT_CASE(xenshm_chardev_implicit_close_drains),
	KUNIT_CASE(xenshm_chardev_explicit_stays_explicit),
	KUNIT_CASE_PARAM(xenshm_chardev_stream_round_trip, stream_gen_params),
	KUNIT_CASE(xenshm_chardev_message_boundaries),
	KUNIT_CASE(xenshm_chardev_message_too_big),
	KUNIT_CASE(xenshm_chardev_message_short_buffer),
	KUNIT_CASE(xenshm_chardev_message_vectored),
	KUNIT_CASE_PARAM(xenshm_chardev_would_block, nb_gen_params),
	KUNIT_CASE_PARAM(xenshm_chardev_blocking_woken, woken_gen_params),
	KUNIT_CASE_PARAM(xenshm_chardev_poll_mask, poll_gen_params),
	KUNIT_CASE(xenshm_chardev_poll_woken_by_peer),
	KUNIT_CASE(xenshm_chardev_peer_release_eof),
	KUNIT_CASE_PARAM(xenshm_chardev_bad_buffer, fault_gen_params),
	KUNIT_CASE_PARAM(xenshm_chardev_set_eventfd, efd_gen_params),
	KUNIT_CASE(xenshm_chardev_sysfs_stats),
	{}
};

static struct kunit_suite xenshm_chardev_suite = {
	.name = "xenshm_chardev",
	.init = chardev_init,
	.exit = chardev_exit,
	.test_cases = xenshm_chardev_cases,
};

kunit_test_suites(&xenshm_chardev_suite);
