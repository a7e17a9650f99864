// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite xenshm_channel: what the character device reports, one layer
 * below the fops (module/channel.c, module/datapath.c): GET_INFO contents,
 * the poll mask in each channel state, NOTIFY's decisions and errors
 * (including for mmap users, whose production is only visible in the shared
 * index), and the event counters. Two ends on one region with the fake
 * transport of kunit/fake_transport.h.
 *
 * Not covered here: the file operations (read/write, poll, blocking and
 * wakeups, one opener per end) are xenshm_chardev's (chardev_test.c); what
 * needs a user address space (copying ioctl arguments, mmap) and a real
 * eventfd (only the eventfd2() syscall makes one in 6.1) is covered by the
 * QEMU module tests (tests/qemu).
 */
#include <linux/kthread.h>
#include <linux/poll.h>

#include "fake_transport.h"

/* --- GET_INFO ----------------------------------------------------------------- */

/* Before CONNECT: layout, ABI and identity are already there. */
static void xenshm_channel_info_idle(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_info info = { .size = sizeof(info) };

	xenshm_channel_info(env->ch[0], &info);
	KUNIT_EXPECT_EQ(test, info.abi_major, (u16)XENSHM_ABI_MAJOR);
	KUNIT_EXPECT_EQ(test, info.state, (u32)XENSHM_CHAN_STATE_IDLE);
	KUNIT_EXPECT_EQ(test, info.region_size, (u64)FAKE_REGION);
	KUNIT_EXPECT_EQ(test, info.data_size, 4096u);
	KUNIT_EXPECT_EQ(test, info.max_msg_size, 2040u);
	KUNIT_EXPECT_TRUE(test, info.features & XENSHM_FEATURES_EVENT_IDX);
	KUNIT_EXPECT_EQ(test, info.mmap_header_off, (u64)XENSHM_HEADER_OFF);
	KUNIT_EXPECT_EQ(test, info.mmap_header_size, (u64)XENSHM_CTRL_OFF);
	KUNIT_EXPECT_EQ(test, info.mmap_rings_off, (u64)XENSHM_CTRL_OFF);
	KUNIT_EXPECT_EQ(test, info.mmap_rings_size, (u64)FAKE_REGION - XENSHM_CTRL_OFF);
	KUNIT_EXPECT_EQ(test, info.slot, 0u);
	KUNIT_EXPECT_EQ(test, info.tx_ctrl_off, (u64)XENSHM_RING0_CTRL_OFF);
	KUNIT_EXPECT_EQ(test, info.rx_ctrl_off, (u64)XENSHM_RING1_CTRL_OFF);
	KUNIT_EXPECT_EQ(test, info.tx_data_off, (u64)XENSHM_DATA_OFF);
	KUNIT_EXPECT_EQ(test, info.rx_data_off, (u64)XENSHM_DATA_OFF + 4096);
	KUNIT_EXPECT_EQ(test, info.local_domid, 1u);
	KUNIT_EXPECT_EQ(test, info.peer_domid, XENSHM_DOMID_NONE);
	KUNIT_EXPECT_EQ(test, info.local_port, (u32)XENSHM_PORT_NONE);
	KUNIT_EXPECT_EQ(test, info.transport, (u32)XENSHM_TRANSPORT_LOOPBACK);
}

/* After CONNECT: the sender's view of ports, peer, role and its own slot's rings. */
static void xenshm_channel_info_connected(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_info info = { .size = sizeof(info) };

	fake_connect_pair(test, env);
	xenshm_channel_info(env->ch[1], &info);
	KUNIT_EXPECT_EQ(test, info.state, (u32)XENSHM_CHAN_STATE_CONNECTED);
	KUNIT_EXPECT_EQ(test, info.slot, 1u);
	KUNIT_EXPECT_EQ(test, info.tx_ctrl_off, (u64)XENSHM_RING1_CTRL_OFF);
	KUNIT_EXPECT_EQ(test, info.rx_ctrl_off, (u64)XENSHM_RING0_CTRL_OFF);
	KUNIT_EXPECT_EQ(test, info.tx_data_off, (u64)XENSHM_DATA_OFF + 4096);
	KUNIT_EXPECT_EQ(test, info.rx_data_off, (u64)XENSHM_DATA_OFF);
	KUNIT_EXPECT_EQ(test, info.local_domid, 2u);
	KUNIT_EXPECT_EQ(test, info.peer_domid, 1u);
	KUNIT_EXPECT_EQ(test, info.role, (u32)XENSHM_ROLE_SENDER);
	KUNIT_EXPECT_EQ(test, info.local_port, FAKE_PORT_BIND + 1);
	KUNIT_EXPECT_EQ(test, info.remote_port, FAKE_PORT_LISTEN + 0);
	KUNIT_EXPECT_EQ(test, info.mode, (u32)XENSHM_MODE_STREAM);
}

/* --- poll ------------------------------------------------------------------------- */

enum setup {
	S_IDLE,
	S_CONNECTING,
	S_FAILED,		/* connect timed out */
	S_CONNECTED,
	S_PEER_DATA,		/* the peer produced 10 bytes */
	S_PEER_GONE,		/* the peer's slot went FREE */
	S_RX_CORRUPT,		/* the peer published an impossible prod */
	S_MMAP_PRODUCED,	/* a mapping of a's rings produced 16 bytes */
	S_BROKEN,		/* the peer's slot turned to garbage, a saw it */
};

/* Bring end a (dom1, slot 0, receiver) into @s. */
static void setup(struct kunit *test, struct fake_env *env, enum setup s)
{
	struct xenshm_channel *a = env->ch[0];

	switch (s) {
	case S_IDLE:
		break;
	case S_CONNECTING:
		KUNIT_ASSERT_EQ(test, fake_connect(a, 0, 0, XENSHM_ROLE_AUTO, 0), -EINPROGRESS);
		break;
	case S_FAILED:
		KUNIT_ASSERT_EQ(test, fake_connect(a, 0, 0, XENSHM_ROLE_AUTO, 20), -EINPROGRESS);
		KUNIT_ASSERT_TRUE(test, fake_wait_state(a, XENSHM_CHAN_STATE_IDLE));
		break;
	case S_CONNECTED:
		fake_connect_pair(test, env);
		break;
	case S_PEER_DATA:
		fake_connect_pair(test, env);
		WRITE_ONCE(fake_ctrl(env, 1)->prod, READ_ONCE(fake_ctrl(env, 1)->prod) + 10);
		break;
	case S_PEER_GONE:
		fake_connect_pair(test, env);
		WRITE_ONCE(fake_slot(env, 1)->state, XENSHM_SLOT_STATE_FREE);
		break;
	case S_RX_CORRUPT:
		fake_connect_pair(test, env);
		WRITE_ONCE(fake_ctrl(env, 1)->prod, READ_ONCE(fake_ctrl(env, 1)->prod) + 5000);
		break;
	case S_MMAP_PRODUCED:
		fake_connect_pair(test, env);
		xenshm_channel_map_rings(a);
		WRITE_ONCE(fake_ctrl(env, 0)->prod, READ_ONCE(fake_ctrl(env, 0)->prod) + 16);
		break;
	case S_BROKEN:
		fake_connect_pair(test, env);
		WRITE_ONCE(fake_slot(env, 1)->state, 9);
		xenshm_channel_event(a);
		KUNIT_ASSERT_EQ(test, xenshm_channel_state(a), (u32)XENSHM_CHAN_STATE_BROKEN);
		break;
	}
}

struct poll_case {
	const char *name;
	enum setup setup;
	__poll_t mask;
};

static const struct poll_case poll_cases[] = {
	{ "idle",		S_IDLE,		0 },
	{ "connecting",		S_CONNECTING,	0 },
	{ "connect_failed",	S_FAILED,	EPOLLERR },
	{ "connected_empty",	S_CONNECTED,	EPOLLOUT | EPOLLWRNORM },
	{ "peer_data",		S_PEER_DATA,	EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM },
	{ "peer_gone",		S_PEER_GONE,	EPOLLHUP | EPOLLRDHUP },
	{ "rx_corrupt",		S_RX_CORRUPT,	EPOLLERR },
	{ "broken",		S_BROKEN,	EPOLLERR },
};

static void poll_desc(const struct poll_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(poll, poll_cases, poll_desc);

static void xenshm_channel_poll_in_state(struct kunit *test)
{
	const struct poll_case *c = test->param_value;
	struct fake_env *env = test->priv;

	setup(test, env, c->setup);
	KUNIT_EXPECT_EQ(test, (unsigned int)xenshm_channel_poll_mask(env->ch[0]),
			(unsigned int)c->mask);
}

/* --- NOTIFY ----------------------------------------------------------------------------- */

struct notify_case {
	const char *name;
	enum setup setup;
	u32 flags;
	int ret;		/* 1 kicked, 0 suppressed, or -errno */
	u64 suppressed;		/* stats.notify_suppressed afterwards */
};

static const struct notify_case notify_cases[] = {
	{ "idle",		S_IDLE,		XENSHM_NOTIFY_FLAGS_TX,	-ENOTCONN, 0 },
	{ "connecting",		S_CONNECTING,	XENSHM_NOTIFY_FLAGS_RX,	-ENOTCONN, 0 },
	{ "nothing_moved_tx",	S_CONNECTED,	XENSHM_NOTIFY_FLAGS_TX,	0, 1 },
	{ "nothing_moved_both",	S_CONNECTED,	XENSHM_NOTIFY_FLAGS_ALL, 0, 1 },
	{ "peer_gone",		S_PEER_GONE,	XENSHM_NOTIFY_FLAGS_TX,	-ECONNRESET, 0 },
	{ "mmap_tx_armed_peer",	S_MMAP_PRODUCED, XENSHM_NOTIFY_FLAGS_TX, 1, 0 },
	{ "broken",		S_BROKEN,	XENSHM_NOTIFY_FLAGS_RX,	-EIO, 0 },
};

static void notify_desc(const struct notify_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(notify, notify_cases, notify_desc);

static void xenshm_channel_notify_decision(struct kunit *test)
{
	const struct notify_case *c = test->param_value;
	struct fake_env *env = test->priv;
	struct xenshm_channel *a = env->ch[0];
	struct xenshm_stats st = {};
	int kicks;

	setup(test, env, c->setup);
	if (c->setup == S_PEER_GONE)
		xenshm_channel_event(a);
	kicks = atomic_read(&env->end[0].notifies);
	KUNIT_EXPECT_EQ(test, xenshm_channel_notify(a, c->flags), c->ret);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->end[0].notifies) - kicks, c->ret == 1 ? 1 : 0);
	xenshm_channel_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.notify_suppressed, c->suppressed);
	if (c->setup == S_MMAP_PRODUCED)
		xenshm_channel_unmap_rings(a);
}

/* An mmap producer's second NOTIFY without new data does not kick again. */
static void xenshm_channel_notify_mmap_once(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_channel *a = env->ch[0];

	setup(test, env, S_MMAP_PRODUCED);
	KUNIT_EXPECT_EQ(test, xenshm_channel_notify(a, XENSHM_NOTIFY_FLAGS_TX), 1);
	KUNIT_EXPECT_EQ(test, xenshm_channel_notify(a, XENSHM_NOTIFY_FLAGS_TX), 0);
	xenshm_channel_unmap_rings(a);
}

/* --- counters ---------------------------------------------------------------------------- */

/* Every event counts, whatever the state; RESET clears the counters. */
static void xenshm_channel_event_counters(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_channel *a = env->ch[0];
	struct xenshm_stats st = {};

	xenshm_channel_event(a);
	xenshm_channel_event(a);
	xenshm_channel_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.notify_recv, 2ull);
	KUNIT_EXPECT_EQ(test, xenshm_channel_reset(a), 0);
	xenshm_channel_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.notify_recv, 0ull);
}

/* --- events: spurious or work ----------------------------------------------------------- */

/*
 * xenshm_channel_event() returns false (spurious: Xen reports it to its
 * late-EOI backoff) for an event after which nothing it watches changed, and
 * true when the peer's RX producer index, its slot or my state moved.  Not
 * covered: the EOI flag itself and the backoff (xen.c, real Xen only).
 */
static void xenshm_channel_event_spurious(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_channel *a = env->ch[0];
	struct xenshm_ring_ctrl *rx = fake_ctrl(env, 1);	/* a's RX ring */
	struct xenshm_slot *peer = fake_slot(env, 1);
	u32 prod;

	xenshm_channel_event(a);
	KUNIT_EXPECT_FALSE(test, xenshm_channel_event(a));	/* idle, nothing */
	fake_connect_pair(test, env);
	KUNIT_EXPECT_TRUE(test, xenshm_channel_event(a));	/* my state moved */
	KUNIT_EXPECT_FALSE(test, xenshm_channel_event(a));
	KUNIT_EXPECT_FALSE(test, xenshm_channel_event(a));

	prod = READ_ONCE(rx->prod);
	WRITE_ONCE(rx->prod, prod + 8);				/* peer produced */
	KUNIT_EXPECT_TRUE(test, xenshm_channel_event(a));
	KUNIT_EXPECT_FALSE(test, xenshm_channel_event(a));	/* kick, no news */
	WRITE_ONCE(rx->prod, prod);
	KUNIT_EXPECT_TRUE(test, xenshm_channel_event(a));

	WRITE_ONCE(peer->epoch, READ_ONCE(peer->epoch) + 1);	/* peer restarted */
	KUNIT_EXPECT_TRUE(test, xenshm_channel_event(a));
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(a), (u32)XENSHM_CHAN_STATE_PEER_GONE);
	KUNIT_EXPECT_FALSE(test, xenshm_channel_event(a));
}

/* --- NOTIFY and kicks racing RESET ------------------------------------------------------- */

struct kicker {
	struct xenshm_channel *ch;
	bool notify;		/* XENSHM_IOC_NOTIFY, else a bare xenshm_kick() */
	unsigned long calls;
};

static int kicker_fn(void *data)
{
	struct kicker *k = data;

	while (!kthread_should_stop()) {
		if (k->notify)
			xenshm_channel_notify(k->ch, XENSHM_NOTIFY_FLAGS_TX |
					      XENSHM_NOTIFY_FLAGS_RX);
		else
			xenshm_kick(k->ch);
		k->calls++;
		cond_resched();
	}
	return 0;
}

/*
 * Threads NOTIFY and kick end a while the test resets and reconnects both
 * ends (teardown under them), with events delivered in hard irq: no lockdep
 * report, no use of a torn-down binding (the transport's notify() must
 * tolerate the race, channel.h), every reconnect succeeds.  Not covered:
 * xen.c's own notify/teardown lock (real Xen, make test-xen).
 */
static void xenshm_channel_notify_vs_reset(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct kicker k[2] = {
		{ .ch = env->ch[0], .notify = true },
		{ .ch = env->ch[0], .notify = false },
	};
	struct task_struct *t[2];
	int i, round;

	env->deliver = true;
	for (i = 0; i < 2; i++) {
		t[i] = kthread_run(kicker_fn, &k[i], "xenshm-kunit-kick%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
	}
	for (round = 0; round < 40; round++) {
		fake_connect_pair(test, env);
		KUNIT_EXPECT_EQ(test, xenshm_channel_reset(env->ch[0]), 0);
		KUNIT_EXPECT_EQ(test, xenshm_channel_reset(env->ch[1]), 0);
	}
	for (i = 0; i < 2; i++)
		kthread_stop(t[i]);
	KUNIT_EXPECT_GE(test, atomic_read(&env->end[0].teardowns), 40);
	KUNIT_EXPECT_GT(test, k[0].calls, 0ul);
	KUNIT_EXPECT_GT(test, k[1].calls, 0ul);
}

static struct kunit_case xenshm_channel_cases[] = {
	KUNIT_CASE(xenshm_channel_info_idle),
	KUNIT_CASE(xenshm_channel_info_connected),
	KUNIT_CASE_PARAM(xenshm_channel_poll_in_state, poll_gen_params),
	KUNIT_CASE_PARAM(xenshm_channel_notify_decision, notify_gen_params),
	KUNIT_CASE(xenshm_channel_notify_mmap_once),
	KUNIT_CASE(xenshm_channel_event_counters),
	KUNIT_CASE(xenshm_channel_event_spurious),
	KUNIT_CASE(xenshm_channel_notify_vs_reset),
	{}
};

static struct kunit_suite xenshm_channel_suite = {
	.name = "xenshm_channel",
	.init = fake_env_init,
	.exit = fake_env_exit,
	.test_cases = xenshm_channel_cases,
};

kunit_test_suites(&xenshm_channel_suite);
