// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite xenshm_proto: the rendezvous and liveness state machine of
 * module/rendezvous.c, with the event-channel hypercalls replaced by a fake
 * transport (struct xenshm_transport_ops). Linux 6.1 has no KUnit static
 * stubs (include/kunit/static_stub.h appeared in 6.3), so the ops table the
 * module already has is the seam (kunit/fake_transport.h describes the fake).
 *
 * Covered: roles by domid (lower receives, equal domids: slot 0), the
 * listen/bind recipe and the ports exchanged, timeout, pinned peer, transport
 * errors, hostile slot values during the rendezvous (one row each), peer gone
 * by event and by the periodic check, peer restart (epoch), corrupt slot ->
 * broken -> reset, foreign region header.
 *
 * Not covered here: the real Xen transport (module/xen.c: hypercalls, DT
 * discovery; the Xen end-to-end tests run it), the data path through user
 * pointers and poll/eventfd wakeups (the QEMU module tests), and races of
 * two ends connecting on two CPUs at once beyond what the work items give.
 */
#include <linux/delay.h>

#include "fake_transport.h"
#include "xenshm/xsr.h"

/* --- roles and the recipe ------------------------------------------------------ */

struct pair_case {
	const char *name;
	u32 domid_a, domid_b;
	unsigned int receiver;
};

static const struct pair_case pair_cases[] = {
	{ "lower_domid_a_receives",	1, 2, 0 },
	{ "lower_domid_b_receives",	5, 3, 1 },
	{ "dom0_receives",		0, 7, 0 },
	{ "equal_domids_slot0_receives", 4, 4, 0 },
};

static void pair_desc(const struct pair_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pair, pair_cases, pair_desc);

/* The receiver listens, the sender binds to exactly that port, both connect. */
static void xenshm_proto_pair_connects(struct kunit *test)
{
	const struct pair_case *c = test->param_value;
	struct fake_env *env = test->priv;
	unsigned int r = c->receiver, s = 1 - c->receiver;

	env->end[0].domid = c->domid_a;
	env->end[1].domid = c->domid_b;
	fake_connect_pair(test, env);

	KUNIT_EXPECT_EQ(test, env->ch[r]->role, (u32)XENSHM_ROLE_RECEIVER);
	KUNIT_EXPECT_EQ(test, env->ch[s]->role, (u32)XENSHM_ROLE_SENDER);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->end[r].listens), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->end[r].binds), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->end[s].listens), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->end[s].binds), 1);
	KUNIT_EXPECT_EQ(test, env->end[s].bind_remote, FAKE_PORT_LISTEN + r);
	KUNIT_EXPECT_EQ(test, env->ch[s]->remote_port, FAKE_PORT_LISTEN + r);
	KUNIT_EXPECT_EQ(test, env->ch[r]->peer_domid, env->end[s].domid);
	KUNIT_EXPECT_EQ(test, env->ch[s]->peer_domid, env->end[r].domid);
	/* the sender told the receiver it is connected */
	KUNIT_EXPECT_GE(test, atomic_read(&env->end[s].notifies), 1);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 0)->state, (u32)XENSHM_SLOT_STATE_CONNECTED);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 1)->state, (u32)XENSHM_SLOT_STATE_CONNECTED);
	KUNIT_EXPECT_EQ(test, fake_slot(env, r)->port, FAKE_PORT_LISTEN + r);
}

/* --- failures during the rendezvous -------------------------------------------------- */

/* Nobody comes: the connect times out, the slot is given back. */
static void xenshm_proto_timeout_frees_slot(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_channel *a = env->ch[0];

	KUNIT_EXPECT_EQ(test, fake_connect(a, 0, 0, XENSHM_ROLE_AUTO, 30), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 0)->state, (u32)XENSHM_SLOT_STATE_ATTACHED);
	KUNIT_ASSERT_TRUE(test, fake_wait_state(a, XENSHM_CHAN_STATE_IDLE));
	KUNIT_EXPECT_EQ(test, READ_ONCE(a->error), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 0)->state, (u32)XENSHM_SLOT_STATE_FREE);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->end[0].listens), 0);
}

/*
 * A region the other side began to initialise and never finished (it died
 * between its compare-and-swap to MAGIC_INIT and the final MAGIC): connect
 * waits, then times out cleanly, claiming nothing and writing nothing.
 */
static void xenshm_proto_region_stuck_in_init(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_channel *a = env->ch[0];
	struct xenshm_region_header *hdr = env->region->base;
	u32 slot_state = fake_slot(env, 0)->state;
	void *before;

	WRITE_ONCE(hdr->magic, XENSHM_MAGIC_INIT);
	/* A claim and its release would leave the slot FREE again: compare
	 * the whole metadata (header, slots, ring controls) instead.
	 */
	before = kunit_kmalloc(test, XENSHM_DATA_OFF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	memcpy(before, env->region->base, XENSHM_DATA_OFF);
	KUNIT_EXPECT_EQ(test, fake_connect(a, 0, 0, XENSHM_ROLE_AUTO, 30), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, fake_wait_state(a, XENSHM_CHAN_STATE_IDLE));
	KUNIT_EXPECT_EQ(test, READ_ONCE(a->error), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, READ_ONCE(hdr->magic), (u32)XENSHM_MAGIC_INIT);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 0)->state, slot_state);
	KUNIT_EXPECT_EQ(test, memcmp(before, env->region->base, XENSHM_DATA_OFF), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->end[0].listens), 0);
}

/* A peer that is not the pinned one is refused. */
static void xenshm_proto_pinned_peer_refused(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_channel *a = env->ch[0];
	int ret;

	ret = fake_connect(a, XENSHM_CONNECT_FLAGS_PIN_PEER, 9, XENSHM_ROLE_AUTO, 0);
	KUNIT_EXPECT_EQ(test, ret, -EINPROGRESS);
	fake_connect(env->ch[1], 0, 0, XENSHM_ROLE_AUTO, 0);
	xenshm_channel_event(a);
	KUNIT_ASSERT_TRUE(test, fake_wait_state(a, XENSHM_CHAN_STATE_IDLE));
	KUNIT_EXPECT_EQ(test, READ_ONCE(a->error), -EACCES);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->end[0].listens), 0);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 0)->state, (u32)XENSHM_SLOT_STATE_FREE);
}

/* A transport that cannot allocate a port fails the connect with its error. */
static void xenshm_proto_listen_error(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_channel *a = env->ch[0];

	env->end[0].listen_ret = -ENOSPC;
	KUNIT_EXPECT_EQ(test, fake_connect(a, 0, 0, XENSHM_ROLE_AUTO, 0), -EINPROGRESS);
	fake_connect(env->ch[1], 0, 0, XENSHM_ROLE_AUTO, 0);
	xenshm_channel_event(a);
	KUNIT_ASSERT_TRUE(test, fake_wait_state(a, XENSHM_CHAN_STATE_IDLE));
	KUNIT_EXPECT_EQ(test, READ_ONCE(a->error), -ENOSPC);
	/* never bound, so nothing to tear down */
	KUNIT_EXPECT_EQ(test, atomic_read(&env->end[0].teardowns), 0);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 0)->state, (u32)XENSHM_SLOT_STATE_FREE);
}

/* The hypervisor refuses the bind: the sender fails with that error. */
static void xenshm_proto_bind_refused(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_channel *b = env->ch[1];

	env->end[1].bind_ret = -EPERM;
	fake_connect(env->ch[0], 0, 0, XENSHM_ROLE_AUTO, 0);
	fake_connect(b, 0, 0, XENSHM_ROLE_AUTO, 0);
	KUNIT_ASSERT_TRUE(test, fake_wait_state(b, XENSHM_CHAN_STATE_IDLE));
	KUNIT_EXPECT_EQ(test, READ_ONCE(b->error), -EPERM);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->end[1].binds), 1);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 1)->state, (u32)XENSHM_SLOT_STATE_FREE);
}

/* A region with another ABI major is refused at once. */
static void xenshm_proto_foreign_region(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xsr_region rg;
	struct xenshm_region_header *h = env->region->base;

	KUNIT_ASSERT_EQ(test, xsr_region_init(&rg, env->region->base, FAKE_REGION), 0);
	WRITE_ONCE(h->version_major, XENSHM_ABI_MAJOR + 1);
	KUNIT_EXPECT_EQ(test, fake_connect(env->ch[0], 0, 0, XENSHM_ROLE_AUTO, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(env->ch[0]), (u32)XENSHM_CHAN_STATE_IDLE);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 0)->state, (u32)XENSHM_SLOT_STATE_FREE);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 0)->domid, XENSHM_DOMID_NONE); /* never claimed */
}

/* --- a hostile peer's slot during the rendezvous: one row per value ------------------ */

struct hostile_case {
	const char *name;
	u32 state, port;
	int expect;		/* error of the connect */
	u32 end_state;		/* user-visible state afterwards */
};

static const struct hostile_case hostile_cases[] = {
	{ "go_without_port",	XENSHM_SLOT_STATE_GO, 0, -EIO, XENSHM_CHAN_STATE_BROKEN },
	{ "state_unknown",	7, 5, -EIO, XENSHM_CHAN_STATE_BROKEN },
	{ "state_huge",		0x80000002u, 5, -EIO, XENSHM_CHAN_STATE_BROKEN },
	/* a port nobody listens on: the transport refuses it */
	{ "go_wrong_port",	XENSHM_SLOT_STATE_GO, 4242, -ECONNREFUSED, XENSHM_CHAN_STATE_IDLE },
};

static void hostile_desc(const struct hostile_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hostile, hostile_cases, hostile_desc);

static void xenshm_proto_hostile_peer_slot(struct kunit *test)
{
	const struct hostile_case *c = test->param_value;
	struct fake_env *env = test->priv;
	struct xenshm_channel *a = env->ch[0];
	struct xenshm_slot *peer = fake_slot(env, 1);

	/* a is dom2 (sender); the "peer" is dom1, written by hand */
	env->end[0].domid = 2;
	KUNIT_ASSERT_EQ(test, fake_connect(a, 0, 0, XENSHM_ROLE_AUTO, 0), -EINPROGRESS);
	WRITE_ONCE(peer->domid, 1);
	WRITE_ONCE(peer->epoch, 1);
	WRITE_ONCE(peer->port, c->port);
	smp_wmb();	/* the fields before the state, as a real owner would */
	WRITE_ONCE(peer->state, c->state);
	xenshm_channel_event(a);
	KUNIT_ASSERT_TRUE(test, fake_wait_state(a, c->end_state));
	KUNIT_EXPECT_EQ(test, READ_ONCE(a->error), c->expect);
	KUNIT_EXPECT_EQ(test, test_bit(XENSHM_CH_BOUND, &a->flags), 0);
	/* a broken end stays broken for CONNECT until RESET */
	if (c->end_state == XENSHM_CHAN_STATE_BROKEN) {
		KUNIT_EXPECT_EQ(test, fake_connect(a, 0, 0, XENSHM_ROLE_AUTO, 0), -EIO);
		KUNIT_EXPECT_EQ(test, xenshm_channel_reset(a), 0);
		KUNIT_EXPECT_EQ(test, xenshm_channel_state(a), (u32)XENSHM_CHAN_STATE_IDLE);
	}
}

/* --- a peer that names another domain (docs/threat-model.md) ------------------------ */

/* Bounded wait for a slot word written by the channel's work. */
static bool wait_slot_state(struct xenshm_slot *s, u32 state)
{
	int i;

	for (i = 0; i < FAKE_WAIT_MS / 20; i++) {
		/* pairs with the channel's release of the state word */
		if (smp_load_acquire(&s->state) == state)
			return true;
		msleep(20);
	}
	return false;
}

/* Write a hand-played peer slot: the fields, then the state. */
static void hand_slot(struct xenshm_slot *s, u32 domid, u32 state, u32 port)
{
	WRITE_ONCE(s->domid, domid);
	WRITE_ONCE(s->epoch, 1);
	WRITE_ONCE(s->port, port);
	/* the fields before the state, as a real owner publishes them */
	smp_store_release(&s->state, state);
}

/*
 * Receiver: the "sender" says CONNECTED with a port that is not bound to
 * ours (the transport's verify(), EVTCHNOP_status on Xen, says so): EACCES
 * at once, the slot is given back, the port torn down.
 */
static void xenshm_proto_receiver_verify_refused(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_channel *a = env->ch[0];
	struct xenshm_slot *peer = fake_slot(env, 1);

	KUNIT_ASSERT_EQ(test, fake_connect(a, 0, 0, XENSHM_ROLE_AUTO, 0), -EINPROGRESS);
	hand_slot(peer, 2, XENSHM_SLOT_STATE_ATTACHED, 0);
	xenshm_channel_event(a);
	KUNIT_ASSERT_TRUE(test, wait_slot_state(fake_slot(env, 0), XENSHM_SLOT_STATE_GO));
	hand_slot(peer, 2, XENSHM_SLOT_STATE_CONNECTED, 999);	/* never bound */
	xenshm_channel_event(a);
	KUNIT_ASSERT_TRUE(test, fake_wait_state(a, XENSHM_CHAN_STATE_IDLE));
	KUNIT_EXPECT_EQ(test, READ_ONCE(a->error), -EACCES);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->end[0].teardowns), 1);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 0)->state, (u32)XENSHM_SLOT_STATE_FREE);
}

/*
 * Sender: the "receiver" publishes GO with a port that binds (it is the
 * real listener's), then CONNECTED, but no event ever comes from the other
 * end of the port. The sender must not call itself connected on the slot
 * words alone, and refuses with EACCES once XENSHM_CONFIRM_MS is over.
 */
static void xenshm_proto_sender_unconfirmed_refused(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_channel *b = env->ch[1];
	struct xenshm_slot *peer = fake_slot(env, 0);
	unsigned long t0;

	/* end a never connects, but its fake port exists: the bind succeeds */
	env->end[0].port = FAKE_PORT_LISTEN;
	WRITE_ONCE(env->end[0].bound, true);
	KUNIT_ASSERT_EQ(test, fake_connect(b, 0, 0, XENSHM_ROLE_AUTO, 0), -EINPROGRESS);
	hand_slot(peer, 1, XENSHM_SLOT_STATE_GO, FAKE_PORT_LISTEN);
	xenshm_channel_event(b);
	KUNIT_ASSERT_TRUE(test, wait_slot_state(fake_slot(env, 1),
						XENSHM_SLOT_STATE_CONNECTED));
	t0 = jiffies;
	hand_slot(peer, 1, XENSHM_SLOT_STATE_CONNECTED, FAKE_PORT_LISTEN);
	msleep(1000);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(b), (u32)XENSHM_CHAN_STATE_CONNECTING);
	wait_event_interruptible_timeout(b->wq,
					 xenshm_channel_state(b) == XENSHM_CHAN_STATE_IDLE,
					 msecs_to_jiffies(10000));
	KUNIT_ASSERT_EQ(test, xenshm_channel_state(b), (u32)XENSHM_CHAN_STATE_IDLE);
	KUNIT_EXPECT_EQ(test, READ_ONCE(b->error), -EACCES);
	KUNIT_EXPECT_GE(test, jiffies_to_msecs(jiffies - t0), 4000u);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->end[1].teardowns), 1);
	WRITE_ONCE(env->end[0].bound, false);
}

/* --- liveness once connected --------------------------------------------------------- */

/* The peer hangs up: its event makes us see PEER_GONE at once. */
static void xenshm_proto_peer_leaves_event(struct kunit *test)
{
	struct fake_env *env = test->priv;

	fake_connect_pair(test, env);
	KUNIT_EXPECT_EQ(test, xenshm_channel_reset(env->ch[1]), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->end[1].teardowns), 1);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 1)->state, (u32)XENSHM_SLOT_STATE_FREE);
	xenshm_channel_event(env->ch[0]);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(env->ch[0]),
			(u32)XENSHM_CHAN_STATE_PEER_GONE);
}

/* Without any event, the periodic check finds the peer gone too. */
static void xenshm_proto_peer_leaves_silently(struct kunit *test)
{
	struct fake_env *env = test->priv;

	fake_connect_pair(test, env);
	WRITE_ONCE(fake_slot(env, 1)->state, XENSHM_SLOT_STATE_FREE);
	KUNIT_EXPECT_TRUE(test, fake_wait_state(env->ch[0], XENSHM_CHAN_STATE_PEER_GONE));
}

/* The peer re-attached (new epoch): the old connection is gone. */
static void xenshm_proto_peer_restart_epoch(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_slot *peer = fake_slot(env, 1);

	fake_connect_pair(test, env);
	WRITE_ONCE(peer->epoch, READ_ONCE(peer->epoch) + 1);
	xenshm_channel_event(env->ch[0]);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(env->ch[0]),
			(u32)XENSHM_CHAN_STATE_PEER_GONE);
}

/* Connect both ends with a heartbeat limit of 200 ms (heartbeat_ms 50). */
static void connect_hb200(struct kunit *test, struct fake_env *env)
{
	struct xenshm_connect arg = {
		.size = sizeof(arg), .role = XENSHM_ROLE_AUTO,
		.mode = XENSHM_MODE_STREAM, .heartbeat_ms = 200,
	};
	int i, ret;

	for (i = 0; i < 2; i++) {
		ret = xenshm_channel_connect(env->ch[i], &arg);
		KUNIT_ASSERT_TRUE_MSG(test, ret == 0 || ret == -EINPROGRESS, "connect: %d", ret);
	}
	KUNIT_ASSERT_TRUE(test, fake_wait_state(env->ch[0], XENSHM_CHAN_STATE_CONNECTED));
	KUNIT_ASSERT_TRUE(test, fake_wait_state(env->ch[1], XENSHM_CHAN_STATE_CONNECTED));
}

/*
 * A peer that dies without a word (its domain crashed: the slot stays
 * CONNECTED, no event comes) is gone once its heartbeat and ring indices
 * stand still for the limit; a live idle peer never is.
 */
static void xenshm_proto_peer_silent(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_channel *a = env->ch[0], *b = env->ch[1];
	unsigned long t0;

	connect_hb200(test, env);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 1)->heartbeat_ms, 50u);
	/* idle but alive: five limits later both are still connected */
	msleep(1000);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(a), (u32)XENSHM_CHAN_STATE_CONNECTED);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(b), (u32)XENSHM_CHAN_STATE_CONNECTED);
	/* b dies: its work (and so its heartbeat) stops, its slot stays */
	cancel_delayed_work_sync(&b->work);
	t0 = jiffies;
	KUNIT_ASSERT_TRUE(test, fake_wait_state(a, XENSHM_CHAN_STATE_PEER_GONE));
	KUNIT_EXPECT_GE(test, jiffies_to_msecs(jiffies - t0), 100u);
	KUNIT_EXPECT_LE(test, jiffies_to_msecs(jiffies - t0), 2000u);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 1)->state, (u32)XENSHM_SLOT_STATE_CONNECTED);
}

/*
 * Both sides stop running for longer than the limit (an overloaded host
 * pausing the whole VM): the first check after the pause runs late and must
 * not call the peer silent, and once both run again nobody is gone.  b
 * stops first, so a's last check before the pause saw b's last beat: without
 * the late-check rule a's first check after it would see b unchanged for
 * 700 ms and call it gone.
 */
static void xenshm_proto_own_pause_not_silence(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_channel *a = env->ch[0], *b = env->ch[1];

	connect_hb200(test, env);
	cancel_delayed_work_sync(&b->work);
	msleep(100);		/* half a limit: a still sees b alive */
	cancel_delayed_work_sync(&a->work);
	msleep(600);		/* three limits with nobody running */
	mod_delayed_work(system_wq, &a->work, 0);
	flush_delayed_work(&a->work);	/* a's late check, b still stopped */
	KUNIT_EXPECT_EQ_MSG(test, xenshm_channel_state(a), (u32)XENSHM_CHAN_STATE_CONNECTED,
			    "a late check judged the peer");
	mod_delayed_work(system_wq, &b->work, 0);
	msleep(1000);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(a), (u32)XENSHM_CHAN_STATE_CONNECTED);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(b), (u32)XENSHM_CHAN_STATE_CONNECTED);
}

/* After PEER_GONE, a new CONNECT meets the peer's next life. */
static void xenshm_proto_reconnect_after_peer_gone(struct kunit *test)
{
	struct fake_env *env = test->priv;
	u32 epoch;

	fake_connect_pair(test, env);
	epoch = fake_slot(env, 1)->epoch;
	xenshm_channel_reset(env->ch[1]);
	xenshm_channel_event(env->ch[0]);
	KUNIT_ASSERT_EQ(test, xenshm_channel_state(env->ch[0]),
			(u32)XENSHM_CHAN_STATE_PEER_GONE);
	fake_connect_pair(test, env);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 1)->epoch, epoch + 1);
	KUNIT_EXPECT_EQ(test, env->ch[0]->peer_epoch, epoch + 1);
}

/* A corrupt peer slot while connected breaks the end; RESET recovers it. */
static void xenshm_proto_corrupt_slot_breaks(struct kunit *test)
{
	struct fake_env *env = test->priv;
	struct xenshm_channel *a = env->ch[0];

	fake_connect_pair(test, env);
	WRITE_ONCE(fake_slot(env, 1)->state, 9);
	xenshm_channel_event(a);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(a), (u32)XENSHM_CHAN_STATE_BROKEN);
	KUNIT_EXPECT_EQ(test, fake_connect(a, 0, 0, XENSHM_ROLE_AUTO, 0), -EIO);
	KUNIT_EXPECT_EQ(test, xenshm_channel_reset(a), 0);
	KUNIT_EXPECT_EQ(test, xenshm_channel_state(a), (u32)XENSHM_CHAN_STATE_IDLE);
	KUNIT_EXPECT_EQ(test, fake_slot(env, 0)->state, (u32)XENSHM_SLOT_STATE_FREE);
}

static struct kunit_case xenshm_proto_cases[] = {
	KUNIT_CASE_PARAM(xenshm_proto_pair_connects, pair_gen_params),
	KUNIT_CASE(xenshm_proto_timeout_frees_slot),
	KUNIT_CASE(xenshm_proto_region_stuck_in_init),
	KUNIT_CASE(xenshm_proto_pinned_peer_refused),
	KUNIT_CASE(xenshm_proto_listen_error),
	KUNIT_CASE(xenshm_proto_bind_refused),
	KUNIT_CASE(xenshm_proto_foreign_region),
	KUNIT_CASE_PARAM(xenshm_proto_hostile_peer_slot, hostile_gen_params),
	KUNIT_CASE(xenshm_proto_receiver_verify_refused),
	KUNIT_CASE(xenshm_proto_sender_unconfirmed_refused),
	KUNIT_CASE(xenshm_proto_peer_leaves_event),
	KUNIT_CASE(xenshm_proto_peer_leaves_silently),
	KUNIT_CASE(xenshm_proto_peer_restart_epoch),
	KUNIT_CASE(xenshm_proto_peer_silent),
	KUNIT_CASE(xenshm_proto_own_pause_not_silence),
	KUNIT_CASE(xenshm_proto_reconnect_after_peer_gone),
	KUNIT_CASE(xenshm_proto_corrupt_slot_breaks),
	{}
};

static struct kunit_suite xenshm_proto_suite = {
	.name = "xenshm_proto",
	.init = fake_env_init,
	.exit = fake_env_exit,
	.test_cases = xenshm_proto_cases,
};

kunit_test_suites(&xenshm_proto_suite);
