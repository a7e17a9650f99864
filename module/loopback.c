// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loopback transport: in-kernel connected pairs for testing.
 *
 * How this works
 *   loopback=N creates N pairs.  Pair i is one vmalloc_user() region laid
 *   out exactly as a Xen region (same header, slots, rings, same protocol:
 *   the rendezvous really runs through the slots) and two channel ends,
 *   /dev/xenshm/loop<i>-a owning slot 0 and /dev/xenshm/loop<i>-b owning
 *   slot 1.  Both ends are "domain 0", so the role rule for equal domids
 *   applies: slot 0 (the a end) is the receiver.
 *
 *   "Event channels" are emulated: the receiver's listen() allocates a fake,
 *   non-zero port (1000 + 2 * i + slot), the sender's bind() must name
 *   exactly the port the receiver is listening on (else -ECONNREFUSED, as Xen
 *   would refuse a wrong port), and notify() raises an irq_work on the peer
 *   end, which calls xenshm_channel_event() in hard-irq context, as the Xen
 *   event-channel interrupt does.  An end that is not bound drops events,
 *   as Xen does for a closed port.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": loopback: " fmt

#include <linux/irq_work.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "channel.h"
#include "chardev.h"
#include "xenshm_main.h"

static unsigned int loopback;
module_param(loopback, uint, 0444);
MODULE_PARM_DESC(loopback,
		 "Number of in-kernel loopback pairs /dev/xenshm/loop<N>-a|b (default 0, max 64)");

static unsigned int loopback_ring_size = 256 * 1024;
module_param(loopback_ring_size, uint, 0444);
MODULE_PARM_DESC(loopback_ring_size,
		 "Bytes in each ring's data area of a loopback pair: a power of two, 4096..16777216 (default 262144)");

#define LB_MAX_PAIRS	64
#define LB_MAX_RING	(16u << 20)
#define LB_DOMID	0u
#define LB_PORT_BASE	1000u

struct lb_pair;

struct lb_end {
	struct lb_pair *pair;
	struct xenshm_channel *ch;
	struct xenshm_chardev *dev;	/* /dev/xenshm/loop<i>-<a|b> */
	struct irq_work irq_work;	/* delivers one event to this end */
	unsigned int slot;
	bool bound;			/* pair->lock */
	u32 port;			/* pair->lock: local port, or 0 */
};

struct lb_pair {
	/* Protects both ends' bound/port: notify vs. listen/bind/teardown. */
	spinlock_t lock;
	unsigned int index;
	struct lb_end end[2];
};

static struct lb_pair *lb_pairs;
static unsigned int lb_count;

static void lb_irq_work(struct irq_work *work)
{
	struct lb_end *end = container_of(work, struct lb_end, irq_work);

	xenshm_channel_event(end->ch);
}

static struct lb_end *lb_end_of(struct xenshm_channel *ch)
{
	return ch->tpriv;
}

static struct lb_end *lb_peer_of(struct lb_end *end)
{
	return &end->pair->end[1 - end->slot];
}

static int lb_local_domid(struct xenshm_channel *ch, u32 *domid)
{
	*domid = LB_DOMID;
	return 0;
}

static int lb_listen(struct xenshm_channel *ch, u32 peer_domid, u32 *local_port,
		     bool *is_static)
{
	struct lb_end *end = lb_end_of(ch);
	unsigned long flags;

	if (peer_domid != LB_DOMID)
		return -EINVAL;
	spin_lock_irqsave(&end->pair->lock, flags);
	end->port = LB_PORT_BASE + 2 * end->pair->index + end->slot;
	end->bound = true;
	spin_unlock_irqrestore(&end->pair->lock, flags);
	*local_port = end->port;
	*is_static = false;
	return 0;
}

static int lb_bind(struct xenshm_channel *ch, u32 peer_domid, u32 remote_port,
		   bool is_static, u32 *local_port)
{
	struct lb_end *end = lb_end_of(ch);
	struct lb_end *peer = lb_peer_of(end);
	unsigned long flags;
	int ret = 0;

	/* No static event channels in a loopback pair. */
	if (peer_domid != LB_DOMID || is_static)
		return -EINVAL;
	spin_lock_irqsave(&end->pair->lock, flags);
	if (!peer->bound || peer->port != remote_port) {
		ret = -ECONNREFUSED;
	} else {
		end->port = LB_PORT_BASE + 2 * end->pair->index + end->slot;
		end->bound = true;
		*local_port = end->port;
	}
	spin_unlock_irqrestore(&end->pair->lock, flags);
	return ret;
}

/* The other end is bound with @remote_port (the pair knows, like Xen). */
static int lb_verify(struct xenshm_channel *ch, u32 peer_domid, u32 remote_port)
{
	struct lb_end *end = lb_end_of(ch);
	struct lb_end *peer = lb_peer_of(end);
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&end->pair->lock, flags);
	if (peer_domid != LB_DOMID || !peer->bound || peer->port != remote_port)
		ret = -EACCES;
	spin_unlock_irqrestore(&end->pair->lock, flags);
	return ret;
}

static void lb_notify(struct xenshm_channel *ch)
{
	struct lb_end *end = lb_end_of(ch);
	struct lb_end *peer = lb_peer_of(end);
	unsigned long flags;

	spin_lock_irqsave(&end->pair->lock, flags);
	if (peer->bound)
		irq_work_queue(&peer->irq_work);
	spin_unlock_irqrestore(&end->pair->lock, flags);
}

static void lb_teardown(struct xenshm_channel *ch)
{
	struct lb_end *end = lb_end_of(ch);
	unsigned long flags;

	spin_lock_irqsave(&end->pair->lock, flags);
	end->bound = false;
	end->port = 0;
	spin_unlock_irqrestore(&end->pair->lock, flags);
	/* Nothing can queue it any more; wait for one in flight. */
	irq_work_sync(&end->irq_work);
}

static const struct xenshm_transport_ops lb_ops = {
	.transport = XENSHM_TRANSPORT_LOOPBACK,
	.local_domid = lb_local_domid,
	.listen = lb_listen,
	.bind = lb_bind,
	.verify = lb_verify,
	.notify = lb_notify,
	.teardown = lb_teardown,
};

static void lb_region_release(struct xenshm_region *region)
{
	vfree(region->base);
	kfree(region);
}

/* Both devices go before either channel: no end is opened without its peer. */
static void lb_pair_exit(struct lb_pair *pair)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		xenshm_chardev_remove(pair->end[i].dev);
		pair->end[i].dev = NULL;
	}
	for (i = 0; i < 2; i++) {
		xenshm_channel_destroy(pair->end[i].ch);
		pair->end[i].ch = NULL;
	}
}

static int lb_pair_init(struct lb_pair *pair, unsigned int index)
{
	struct xenshm_chardev *dev;
	struct xenshm_region *region;
	char name[XENSHM_NAME_MAX];
	unsigned int i;
	int ret;

	region = kzalloc(sizeof(*region), GFP_KERNEL);
	if (!region)
		return -ENOMEM;
	region->size = XENSHM_DATA_OFF + 2 * (size_t)loopback_ring_size;
	/* Zeroed, and marked for remap_vmalloc_range(). */
	region->base = vmalloc_user(region->size);
	if (!region->base) {
		kfree(region);
		return -ENOMEM;
	}
	kref_init(&region->ref);
	region->kind = XENSHM_REGION_VMALLOC;
	region->release = lb_region_release;

	spin_lock_init(&pair->lock);
	pair->index = index;
	for (i = 0; i < 2; i++) {
		struct lb_end *end = &pair->end[i];

		end->pair = pair;
		end->slot = i;
		init_irq_work(&end->irq_work, lb_irq_work);
	}
	for (i = 0; i < 2; i++) {
		struct lb_end *end = &pair->end[i];
		struct xenshm_channel *ch;

		snprintf(name, sizeof(name), "loop%u-%c", index, 'a' + i);
		/* Each end owns one region reference. */
		if (i == 0)
			xenshm_region_get(region);
		ch = xenshm_channel_create(name, region, &lb_ops, end, i,
					   XENSHM_DOMID_NONE);
		if (IS_ERR(ch)) {
			ret = PTR_ERR(ch);
			if (i == 0)
				xenshm_region_put(region);
			goto err;
		}
		end->ch = ch;
	}
	/* Both ends exist before either can be opened. */
	for (i = 0; i < 2; i++) {
		dev = xenshm_chardev_add(pair->end[i].ch);
		if (IS_ERR(dev)) {
			ret = PTR_ERR(dev);
			goto err;
		}
		pair->end[i].dev = dev;
	}
	return 0;

err:
	lb_pair_exit(pair);
	return ret;
}

int xenshm_loopback_init(void)
{
	unsigned int i;
	int ret;

	if (!loopback)
		return 0;
	if (loopback > LB_MAX_PAIRS) {
		pr_err("loopback=%u: at most %u pairs\n", loopback, LB_MAX_PAIRS);
		return -EINVAL;
	}
	if (!is_power_of_2(loopback_ring_size) ||
	    loopback_ring_size < XENSHM_MIN_DATA_SIZE ||
	    loopback_ring_size > LB_MAX_RING) {
		pr_err("loopback_ring_size=%u: need a power of two in [%u, %u]\n",
		       loopback_ring_size, XENSHM_MIN_DATA_SIZE, LB_MAX_RING);
		return -EINVAL;
	}
	lb_pairs = kcalloc(loopback, sizeof(*lb_pairs), GFP_KERNEL);
	if (!lb_pairs)
		return -ENOMEM;
	for (i = 0; i < loopback; i++) {
		ret = lb_pair_init(&lb_pairs[i], i);
		if (ret) {
			pr_err("pair %u: %d\n", i, ret);
			xenshm_loopback_exit();
			return ret;
		}
		lb_count++;
	}
	pr_info("%u pair(s), %u-byte rings: /dev/xenshm/loop0-a .. loop%u-b\n",
		lb_count, loopback_ring_size, lb_count - 1);
	return lb_count;
}

void xenshm_loopback_exit(void)
{
	while (lb_count)
		lb_pair_exit(&lb_pairs[--lb_count]);
	kfree(lb_pairs);
	lb_pairs = NULL;
}
