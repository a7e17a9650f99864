/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test fixture shared by the suites that drive a channel (module/channel.h):
 * two ends on one vmalloc'ed region, each with its own fake domid, and a fake
 * transport (struct xenshm_transport_ops) in place of the event-channel
 * hypercalls. Linux 6.1 has no KUnit static stubs (include/kunit/static_stub.h
 * appeared in 6.3); the ops table the module already has is the seam.
 *
 * The fake records listen/bind/notify/teardown; bind succeeds only on the
 * port the peer listens on (as Xen refuses a wrong port), and verify
 * checks the peer end's port as EVTCHNOP_status would. By default
 * notifications are counted, and delivered only to a peer end that is
 * CONNECTING (the rendezvous waits for the peer's event before CONNECTED):
 * a test that wants a connected end to see an event calls
 * xenshm_channel_event() itself, so each case states which path (event or
 * periodic check) it exercises. An env set up with deliver = true delivers
 * every notification as the loopback transport does. Delivery is an
 * irq_work on the bound peer end that calls xenshm_channel_event() in
 * hard-irq context. A hostile peer is played by writing the peer's slot or ring words
 * directly.
 *
 * Both ends are registered misc devices, /dev/xenshm/kunit-a and -b (with
 * devtmpfs on /dev), so a suite can also open them as a user would.
 *
 * Use: .init = fake_env_init, .exit = fake_env_exit; test->priv is the env
 * (or call fake_env_setup() from the suite's own init; env->priv is the
 * suite's).
 */
#ifndef XENSHM_KUNIT_FAKE_TRANSPORT_H
#define XENSHM_KUNIT_FAKE_TRANSPORT_H

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/irq_work.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "channel.h"
#include "chardev.h"

#define FAKE_REGION	16384u	/* data_size 4096 */
#define FAKE_WAIT_MS	5000
#define FAKE_PORT_LISTEN 100u	/* + end index */
#define FAKE_PORT_BIND	200u	/* + end index */

struct fake_env;

struct fake_end {
	struct fake_env *env;
	unsigned int idx;
	u32 domid;
	int listen_ret;		/* forced error of listen(), or 0 */
	int bind_ret;		/* forced error of bind(), or 0 */
	bool bound;
	u32 port;		/* local port once listening / bound */
	u32 bind_remote;	/* remote_port passed to bind() */
	atomic_t listens, binds, notifies, teardowns;
	struct irq_work irq_work;	/* deliver: one event to this end */
};

struct fake_env {
	struct xenshm_region *region;
	struct xenshm_channel *ch[2];
	struct xenshm_chardev *dev[2];	/* /dev/xenshm/kunit-a, -b */
	struct fake_end end[2];
	bool deliver;		/* notify() raises an event on the bound peer */
	spinlock_t lock;	/* deliver: a peer's teardown vs. notify() */
	void *priv;		/* the suite's own */
};

static inline struct fake_end *fake_of(struct xenshm_channel *ch)
{
	return ch->tpriv;
}

static inline int fake_local_domid(struct xenshm_channel *ch, u32 *domid)
{
	*domid = fake_of(ch)->domid;
	return 0;
}

static inline int fake_listen(struct xenshm_channel *ch, u32 peer_domid, u32 *local_port,
			      bool *is_static)
{
	struct fake_end *e = fake_of(ch);

	atomic_inc(&e->listens);
	if (e->listen_ret)
		return e->listen_ret;
	e->port = FAKE_PORT_LISTEN + e->idx;
	WRITE_ONCE(e->bound, true);
	*local_port = e->port;
	*is_static = false;
	return 0;
}

static inline int fake_bind(struct xenshm_channel *ch, u32 peer_domid, u32 remote_port,
			    bool is_static, u32 *local_port)
{
	struct fake_end *e = fake_of(ch);
	struct fake_end *peer = &e->env->end[1 - e->idx];

	atomic_inc(&e->binds);
	e->bind_remote = remote_port;
	if (e->bind_ret)
		return e->bind_ret;
	if (is_static || !READ_ONCE(peer->bound) || peer->port != remote_port)
		return -ECONNREFUSED;
	e->port = FAKE_PORT_BIND + e->idx;
	WRITE_ONCE(e->bound, true);
	*local_port = e->port;
	return 0;
}

/* As Xen would answer EVTCHNOP_status: the peer end holds @remote_port. */
static inline int fake_verify(struct xenshm_channel *ch, u32 peer_domid, u32 remote_port)
{
	struct fake_end *e = fake_of(ch);
	struct fake_end *peer = &e->env->end[1 - e->idx];

	if (peer_domid != peer->domid || !READ_ONCE(peer->bound) || peer->port != remote_port)
		return -EACCES;
	return 0;
}

static inline void fake_notify(struct xenshm_channel *ch)
{
	struct fake_end *e = fake_of(ch);
	struct fake_end *peer = &e->env->end[1 - e->idx];
	struct xenshm_channel *pch = READ_ONCE(e->env->ch[1 - e->idx]);
	unsigned long flags;

	atomic_inc(&e->notifies);
	/* pch is NULL once fake_env_exit() destroyed it (a detach kicks). */
	if (!e->env->deliver &&
	    (!pch || READ_ONCE(pch->state) != XENSHM_CHAN_STATE_CONNECTING))
		return;
	spin_lock_irqsave(&e->env->lock, flags);
	if (READ_ONCE(peer->bound))
		irq_work_queue(&peer->irq_work);
	spin_unlock_irqrestore(&e->env->lock, flags);
}

static inline void fake_teardown(struct xenshm_channel *ch)
{
	struct fake_end *e = fake_of(ch);
	unsigned long flags;

	atomic_inc(&e->teardowns);
	spin_lock_irqsave(&e->env->lock, flags);
	WRITE_ONCE(e->bound, false);
	spin_unlock_irqrestore(&e->env->lock, flags);
	e->port = 0;
	/* Nothing can queue it any more; wait for one in flight. */
	irq_work_sync(&e->irq_work);
}

static inline void fake_irq_work(struct irq_work *work)
{
	struct fake_end *e = container_of(work, struct fake_end, irq_work);

	xenshm_channel_event(e->env->ch[e->idx]);
}

static const struct xenshm_transport_ops fake_ops = {
	.transport = XENSHM_TRANSPORT_LOOPBACK,
	.local_domid = fake_local_domid,
	.listen = fake_listen,
	.bind = fake_bind,
	.verify = fake_verify,
	.notify = fake_notify,
	.teardown = fake_teardown,
};

static inline void fake_region_release(struct xenshm_region *region)
{
	vfree(region->base);
	kfree(region);
}

/*
 * Ends "kunit-a" (slot 0, dom1) and "kunit-b" (slot 1, dom2), idle, on a
 * region of @region_size bytes; test->priv is the env.
 */
static inline struct fake_env *fake_env_setup(struct kunit *test, size_t region_size,
					      bool deliver)
{
	struct fake_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);
	struct xenshm_region *region;
	void *base;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, env);
	test->priv = env;
	env->deliver = deliver;
	spin_lock_init(&env->lock);
	region = kzalloc(sizeof(*region), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, region);
	/*
	 * An unconditional abort is spelt KUNIT_ASSERT_FAILURE on 6.1 and
	 * KUNIT_FAIL_AND_ABORT on 6.12: assert on the pointer instead.
	 */
	base = vmalloc_user(region_size);
	if (!base)
		kfree(region);
	KUNIT_ASSERT_NOT_NULL_MSG(test, base, "vmalloc_user(%zu) failed", region_size);
	region->base = base;
	region->size = region_size;
	region->kind = XENSHM_REGION_VMALLOC;
	region->release = fake_region_release;
	kref_init(&region->ref);
	env->region = region;

	for (i = 0; i < 2; i++) {
		env->end[i].env = env;
		env->end[i].idx = i;
		env->end[i].domid = i + 1;
		init_irq_work(&env->end[i].irq_work, fake_irq_work);
	}
	/* each channel owns one reference */
	xenshm_region_get(region);
	for (i = 0; i < 2; i++) {
		struct xenshm_channel *ch;

		ch = xenshm_channel_create(i ? "kunit-b" : "kunit-a", region,
					   &fake_ops, &env->end[i], i, XENSHM_DOMID_NONE);
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(ch), "channel_create: %ld", PTR_ERR(ch));
		env->ch[i] = ch;
	}
	for (i = 0; i < 2; i++) {
		struct xenshm_chardev *dev = xenshm_chardev_add(env->ch[i]);

		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(dev), "chardev_add: %ld", PTR_ERR(dev));
		env->dev[i] = dev;
	}
	return env;
}

static inline int fake_env_init(struct kunit *test)
{
	fake_env_setup(test, FAKE_REGION, false);
	return 0;
}

static inline void fake_env_exit(struct kunit *test)
{
	struct fake_env *env = test->priv;
	int i;

	for (i = 0; i < 2; i++)
		if (!IS_ERR_OR_NULL(env->dev[i]))
			xenshm_chardev_remove(env->dev[i]);
	for (i = 0; i < 2; i++) {
		if (!IS_ERR_OR_NULL(env->ch[i]))
			xenshm_channel_destroy(env->ch[i]);
		WRITE_ONCE(env->ch[i], NULL);	/* fake_notify() of the other end */
	}
}

static inline struct xenshm_slot *fake_slot(struct fake_env *env, unsigned int i)
{
	return env->region->base + (i ? XENSHM_SLOT1_OFF : XENSHM_SLOT0_OFF);
}

static inline struct xenshm_ring_ctrl *fake_ctrl(struct fake_env *env, unsigned int ring)
{
	return env->region->base + (ring ? XENSHM_RING1_CTRL_OFF : XENSHM_RING0_CTRL_OFF);
}

static inline int fake_connect(struct xenshm_channel *ch, u32 flags, u32 peer, u32 role,
			       u32 timeout_ms)
{
	struct xenshm_connect arg = {
		.size = sizeof(arg), .flags = flags, .peer_domid = peer,
		.role = role, .mode = XENSHM_MODE_STREAM, .timeout_ms = timeout_ms,
	};

	return xenshm_channel_connect(ch, &arg);
}

/*
 * Wait (bounded) until @ch shows @state; returns whether it did.  The state
 * is published (and ch->wq woken) part-way through a transition that runs
 * under ch->lock: a detach shows IDLE first, then frees the slot and tears
 * the binding down.  Taking ch->lock once waits for the rest, so a case can
 * check the slot, ports and counters right after; GET_INFO, which takes the
 * lock, never sees the half-done transition either.  (Without it,
 * xenshm_proto_pinned_peer_refused read slot 0 still ATTACHED on 6.12/arm64.)
 */
static inline bool fake_wait_state(struct xenshm_channel *ch, u32 state)
{
	bool reached;

	wait_event_interruptible_timeout(ch->wq, xenshm_channel_state(ch) == state,
					 msecs_to_jiffies(FAKE_WAIT_MS));
	mutex_lock(&ch->lock);
	reached = xenshm_channel_state(ch) == state;
	mutex_unlock(&ch->lock);
	return reached;
}

/* Connect both ends (domids as set) and wait for CONNECTED on both. */
static inline void fake_connect_pair(struct kunit *test, struct fake_env *env)
{
	int ret;

	ret = fake_connect(env->ch[0], 0, 0, XENSHM_ROLE_AUTO, 0);
	KUNIT_ASSERT_TRUE_MSG(test, ret == 0 || ret == -EINPROGRESS, "connect a: %d", ret);
	ret = fake_connect(env->ch[1], 0, 0, XENSHM_ROLE_AUTO, 0);
	KUNIT_ASSERT_TRUE_MSG(test, ret == 0 || ret == -EINPROGRESS, "connect b: %d", ret);
	KUNIT_ASSERT_TRUE(test, fake_wait_state(env->ch[0], XENSHM_CHAN_STATE_CONNECTED));
	KUNIT_ASSERT_TRUE(test, fake_wait_state(env->ch[1], XENSHM_CHAN_STATE_CONNECTED));
}

#endif /* XENSHM_KUNIT_FAKE_TRANSPORT_H */
