// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm Xen transport: dom0less static shared memory + event channels.
 *
 * How this works
 *   Xen (4.17+, CONFIG_STATIC_SHM) gives a guest each region it shares as a
 *   /reserved-memory child compatible with "xen,shared-memory-v1", carrying
 *   "reg" and "xen,id" (the xen,shm-id of Xen's device tree). Nothing tells
 *   the guest its peer, its own domid or an event-channel port, so:
 *   - one channel per region, named after xen,id: /dev/xenshm/<xen,id>;
 *   - the own domid is learnt once from Xen: EVTCHNOP_alloc_unbound with
 *     remote_dom = DOMID_SELF makes Xen record our real domid as the remote
 *     end; EVTCHNOP_status reports it; the port is closed again;
 *   - rendezvous.c runs the rendezvous through the region's slots (each side
 *     publishes its domid there, the lower domid is the receiver) and calls
 *     the ops below for the Xen parts of the recipe: the receiver allocates
 *     an unbound port for the peer (listen), the sender binds to it (bind),
 *     and each checks with EVTCHNOP_status that its port leads to the
 *     domain and port the peer's slot names (verify).
 *   Static event channels (xen,evtchn-v1 in the host device tree, Xen
 *   4.17+) are bound by Xen at boot, also between domUs under XSM SILO,
 *   where the recipe's hypercalls get EPERM.  Xen tells the guest nothing
 *   about them, so at load this file asks EVTCHNOP_status about every
 *   local port and keeps those that are interdomain and not bound by Linux:
 *   the static ports.  A receiver uses a static port to its peer when it
 *   has one (the one named by evtchn=, else the lowest free one) and says
 *   so in its slot; the sender then uses its own port whose remote end is
 *   the published one.  A static port is bound to an IRQ at first use and
 *   stays bound, passing from channel to channel, until the module goes:
 *   unbind closes a static port on kernels before 6.5 (kcompat.h), and a
 *   closed static port is gone until the domain reboots.
 *   Local ports are bound with the late-EOI API (XSA-332): Xen masks the
 *   port from the upcall until xen_irq_lateeoi(), so a peer flooding events
 *   costs us at most one handler run in flight per channel. The IRQ appears
 *   in /proc/interrupts as "xenshm-<xen,id>"; a bound static port no
 *   channel uses as "xenshm:static<port>".
 *
 * Note to administrators
 *   A peer domid can be pinned per region: peers=<xen,id>:<domid>[,...].
 *   A pinned channel refuses any other peer (EACCES) instead of hanging.
 *   A region's static port can be named: evtchn=<xen,id>:<port>[,...];
 *   the channel then uses that port and no other (EACCES otherwise).
 *   Between two domUs without static event channels, EVTCHNOP_alloc_unbound
 *   needs XSM to allow it (xsm=dummy, or a FLASK policy); Xen's default
 *   SILO mode refuses (EPERM).
 *
 * Warning
 *   The peer owns half of every region and may write anything at any time;
 *   the only values this file takes from shared memory are the peer's domid,
 *   port and static flag, which the ring core reads once and this file
 *   range-checks before use.  Xen enforces who may bind what, not who the
 *   peer is: verify() and the rendezvous's confirming event do that
 *   (docs/threat-model.md).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": xen: " fmt

#include <linux/bits.h>
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <xen/xen.h>
#include <xen/events.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/xen.h>
#include <asm/xen/hypercall.h>

#include "channel.h"
#include "chardev.h"
#include "kcompat.h"
#include "xenshm_main.h"

static char *peers;
module_param(peers, charp, 0444);
MODULE_PARM_DESC(peers,
		 "Pin the peer of Xen regions: <xen,id>:<domid>[,...]; any other peer is refused");

static char *evtchn;
module_param(evtchn, charp, 0444);
MODULE_PARM_DESC(evtchn,
		 "Static event channel of Xen regions: <xen,id>:<local port>[,...]; default: found");

#define XENSHM_XEN_COMPAT "xen,shared-memory-v1"
/* Xen's FIFO ABI allows 2^17 ports; 2-level far fewer. Xen checks again. */
#define XENSHM_XEN_MAX_PORT BIT(17)
/* Ports asked about at load, looking for static event channels. */
#define XENSHM_XEN_SCAN_PORTS 4096

/*
 * A static event channel of this domain, found at load.  The list and each
 * entry's port, remote end and reserved_by are fixed after init; irq and
 * the owner change under xen_evtchn_lock (owner also under @lock).
 */
struct xenshm_xen_static {
	struct list_head node;
	evtchn_port_t port;
	domid_t remote_dom;		/* as EVTCHNOP_status said at load */
	evtchn_port_t remote_port;
	const char *reserved_by;	/* xen,id that evtchn= gave it to, or NULL */
	int irq;			/* bound at first use, or -1 */
	bool keeps;			/* Linux keeps it open on unbind */
	/* Irq-safe, a leaf: owner against the handler (xen_static_irq()). */
	spinlock_t lock;
	struct xenshm_channel *owner;	/* the channel using it, or NULL */
	/*
	 * The IRQ's name: "xenshm-<xen,id>" of the owner, as for a runtime
	 * port, else "xenshm:static<port>" (xen_static_name()).  Rewritten in
	 * place under xen_evtchn_lock (the IRQ stays bound), so
	 * /proc/interrupts may show a mix of two names for an instant.
	 */
	char irq_name[XENSHM_NAME_MAX + 8];
};

/* Per-region transport state (ch->tpriv). */
struct xenshm_xen_chan {
	struct list_head node;
	struct xenshm_channel *ch;
	struct xenshm_chardev *dev;		/* /dev/xenshm/<xen,id> */
	char irq_name[XENSHM_NAME_MAX + 8];	/* "xenshm-<xen,id>" */
	evtchn_port_t want_static;		/* from evtchn=, or 0 */
	struct xenshm_xen_static *sp;		/* static port in use, or NULL */
	evtchn_port_t last_static;		/* the one used last, or 0 */
	/*
	 * Irq-safe, a leaf: irq against notify.  notify() may run at any time,
	 * also beside teardown (see struct xenshm_transport_ops), so irq is
	 * read and used under kick_lock, and teardown takes it away under
	 * kick_lock before unbinding: no kick reaches a freed or recycled IRQ.
	 */
	spinlock_t kick_lock;
	/* bound IRQ or -1; written under xen_evtchn_lock and kick_lock */
	int irq;
	evtchn_port_t port;			/* local port, or 0 */
};

/* Regions found at init; written only at init and exit. */
static LIST_HEAD(xen_chans);
/* Static ports found at init (struct xenshm_xen_static). */
static LIST_HEAD(xen_statics);
/*
 * Serialises port allocation, binding and closing across channels, and
 * who owns which static port.
 */
static DEFINE_MUTEX(xen_evtchn_lock);
static domid_t xen_self = DOMID_INVALID;

static void xen_evtchn_close_port(evtchn_port_t port)
{
	struct evtchn_close close = { .port = port };

	if (HYPERVISOR_event_channel_op(EVTCHNOP_close, &close))
		pr_warn("closing port %u failed\n", port);
}

/*
 * Own domid without xenstore: Xen replaces remote_dom == DOMID_SELF with the
 * caller's real id when it allocates an unbound port, and EVTCHNOP_status
 * reports that remote end back.
 */
static int xen_learn_domid(domid_t *domid)
{
	struct evtchn_alloc_unbound au = {
		.dom = DOMID_SELF,
		.remote_dom = DOMID_SELF,
	};
	struct evtchn_status st = { .dom = DOMID_SELF };
	int ret;

	ret = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au);
	if (ret) {
		pr_err("EVTCHNOP_alloc_unbound(DOMID_SELF) failed: %d\n", ret);
		return ret;
	}
	st.port = au.port;
	ret = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
	xen_evtchn_close_port(au.port);
	if (ret) {
		pr_err("EVTCHNOP_status failed: %d\n", ret);
		return ret;
	}
	if (st.status != EVTCHNSTAT_unbound ||
	    st.u.unbound.dom >= DOMID_FIRST_RESERVED) {
		pr_err("cannot learn own domid (status %u, dom %u)\n",
		       st.status, st.u.unbound.dom);
		return -EIO;
	}
	*domid = st.u.unbound.dom;
	return 0;
}

static int xen_evtchn_status(evtchn_port_t port, struct evtchn_status *st)
{
	memset(st, 0, sizeof(*st));
	st->dom = DOMID_SELF;
	st->port = port;
	return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}

/* Linux has an IRQ for @port (a driver or /dev/xen/evtchn uses it). */
static bool xen_port_in_use(evtchn_port_t port)
{
	return irq_from_evtchn(port) != (unsigned int)-1;
}

/*
 * Find the static event channels: local ports that are interdomain before
 * anything of ours runs and that Linux has not bound.  Xen answers -EINVAL
 * past the last port it has set up for us, which ends the scan.
 */
static void xen_find_statics(void)
{
	struct xenshm_xen_static *sp;
	struct evtchn_status st;
	evtchn_port_t port;
	int ret;

	for (port = 1; port < XENSHM_XEN_SCAN_PORTS; port++) {
		ret = xen_evtchn_status(port, &st);
		if (ret)
			break;
		if (st.status != EVTCHNSTAT_interdomain || xen_port_in_use(port))
			continue;
		sp = kzalloc(sizeof(*sp), GFP_KERNEL);
		if (!sp) {
			pr_warn("out of memory: static port %u not used\n", port);
			continue;
		}
		sp->port = port;
		sp->remote_dom = st.u.interdomain.dom;
		sp->remote_port = st.u.interdomain.port;
		sp->irq = -1;
		spin_lock_init(&sp->lock);
		list_add_tail(&sp->node, &xen_statics);
		pr_info("dom%u: static event channel: port %u <-> dom%u port %u\n",
			xen_self, port, sp->remote_dom, sp->remote_port);
	}
}

static struct xenshm_xen_static *xen_static_by_port(evtchn_port_t port)
{
	struct xenshm_xen_static *sp;

	list_for_each_entry(sp, &xen_statics, node)
		if (sp->port == port)
			return sp;
	return NULL;
}

/* Unbind every static port (module exit: no channel owns one any more). */
static void xen_free_statics(void)
{
	struct xenshm_xen_static *sp, *tmp;

	list_for_each_entry_safe(sp, tmp, &xen_statics, node) {
		if (sp->irq >= 0) {
			unbind_from_irqhandler(sp->irq, sp);
			if (!sp->keeps)
				pr_warn("static port %u closed on unload (this kernel cannot keep static event channels): a reload in dom%u cannot use it until the domain reboots\n",
					sp->port, xen_self);
		}
		list_del(&sp->node);
		kfree(sp);
	}
}

/* ---- transport ops ---- */

static irqreturn_t xen_event_irq(int irq, void *dev_id)
{
	struct xenshm_channel *ch = dev_id;
	bool work = xenshm_channel_event(ch);

	/*
	 * Unmask the port only now: one upcall in flight per channel.  An
	 * event that brought nothing is reported spurious, so a peer that
	 * kicks without cause finds the port unmasked later and later
	 * (Linux's lateeoi backoff, up to 1 s); the next event that brings
	 * something resets it.
	 */
	xen_irq_lateeoi(irq, work ? 0 : XEN_EOI_FLAG_SPURIOUS);
	return IRQ_HANDLED;
}

/* A static port's upcall: to whichever channel owns the port now. */
static irqreturn_t xen_static_irq(int irq, void *dev_id)
{
	struct xenshm_xen_static *sp = dev_id;
	bool work = false;

	/* Under sp->lock: teardown waits for us before the owner goes. */
	spin_lock(&sp->lock);
	if (sp->owner)
		work = xenshm_channel_event(sp->owner);
	spin_unlock(&sp->lock);
	xen_irq_lateeoi(irq, work ? 0 : XEN_EOI_FLAG_SPURIOUS);
	return IRQ_HANDLED;
}

static int xen_op_local_domid(struct xenshm_channel *ch, u32 *domid)
{
	if (xen_self == DOMID_INVALID)
		return -ENODEV;
	*domid = xen_self;
	return 0;
}

static int xen_check_peer(u32 peer_domid)
{
	if (peer_domid >= DOMID_FIRST_RESERVED || peer_domid == xen_self)
		return -EINVAL;
	return 0;
}

/*
 * Route @port's events to @ch.  Takes @port over: on every path it is closed
 * at most once, by Linux or here.  On a bind failure it is not closed here:
 * bind_evtchn_to_irqhandler_lateeoi() closes it itself when request_irq()
 * fails or the port's setup fails after the IRQ was allocated (6.1 and 6.12:
 * __unbind_from_irq() -> xen_evtchn_close()), and returns the same errno
 * (-ENOMEM) for the cases where it does not (no IRQ descriptor).  A second
 * EVTCHNOP_close after Linux's could close a port number another driver was
 * given in between.  So a port Linux did not close stays open: a leak of one
 * port after an allocation failure, which Xen reclaims with the domain, and
 * not a close of someone else's port.
 */
static int xen_bind_port(struct xenshm_channel *ch, evtchn_port_t port)
{
	struct xenshm_xen_chan *xc = ch->tpriv;
	unsigned long flags;
	int irq;

	lockdep_assert_held(&xen_evtchn_lock);
	if (WARN_ON(xc->irq >= 0)) {
		xen_evtchn_close_port(port);	/* untouched by Linux: ours */
		return -EBUSY;
	}
	irq = bind_evtchn_to_irqhandler_lateeoi(port, xen_event_irq, 0,
						xc->irq_name, ch);
	if (irq < 0) {
		pr_warn("%s: binding port %u failed: %d (port left to Linux)\n",
			ch->name, port, irq);
		return irq;
	}
	spin_lock_irqsave(&xc->kick_lock, flags);
	xc->irq = irq;
	spin_unlock_irqrestore(&xc->kick_lock, flags);
	xc->port = port;
	return 0;
}

/*
 * Name @sp's IRQ after @ch, or after the port while no channel owns it.  A
 * port passes from channel to channel (evtchn=, a peer's reload), and an
 * idle port that kept its last owner's name would put that name on two
 * lines of /proc/interrupts once the owner takes another port: whoever
 * reads the count by name then reads the wrong line.  The colon keeps the
 * idle name apart from every channel's: a xen,id cannot hold one.
 */
static void xen_static_name(struct xenshm_xen_static *sp,
			    struct xenshm_channel *ch)
{
	struct xenshm_xen_chan *xc = ch ? ch->tpriv : NULL;

	lockdep_assert_held(&xen_evtchn_lock);
	if (xc)
		strscpy(sp->irq_name, xc->irq_name, sizeof(sp->irq_name));
	else
		snprintf(sp->irq_name, sizeof(sp->irq_name), "xenshm:static%u",
			 sp->port);
}

/*
 * Make @sp @ch's port: bind it to an IRQ at its first use (and ask Linux to
 * keep it open on unbind), then route its events to @ch.
 */
static int xen_static_attach(struct xenshm_channel *ch,
			     struct xenshm_xen_static *sp)
{
	struct xenshm_xen_chan *xc = ch->tpriv;
	unsigned long flags;
	int irq;

	lockdep_assert_held(&xen_evtchn_lock);
	if (sp->owner)
		return -EBUSY;
	xen_static_name(sp, ch);
	if (sp->irq < 0) {
		if (xen_port_in_use(sp->port)) {
			pr_warn("%s: static port %u was bound by someone else since load\n",
				ch->name, sp->port);
			return -EBUSY;
		}
		irq = bind_evtchn_to_irqhandler_lateeoi(sp->port, xen_static_irq,
							0, sp->irq_name, sp);
		if (irq < 0) {
			pr_warn("%s: binding static port %u failed: %d\n",
				ch->name, sp->port, irq);
			return irq;
		}
		sp->irq = irq;
		sp->keeps = xenshm_evtchn_keep_static(sp->port);
		if (!sp->keeps)
			pr_info("static port %u: this kernel closes it on unbind, so it stays bound until the module is unloaded\n",
				sp->port);
	}
	spin_lock_irqsave(&sp->lock, flags);
	sp->owner = ch;
	spin_unlock_irqrestore(&sp->lock, flags);
	spin_lock_irqsave(&xc->kick_lock, flags);
	xc->irq = sp->irq;
	spin_unlock_irqrestore(&xc->kick_lock, flags);
	xc->sp = sp;
	xc->port = sp->port;
	return 0;
}

/* May @ch take @sp for @peer_domid (free, leads there, not given away)? */
static bool xen_static_free_for(struct xenshm_channel *ch,
				struct xenshm_xen_static *sp, u32 peer_domid)
{
	return sp->remote_dom == peer_domid && !sp->owner &&
	       (!sp->reserved_by || !strcmp(sp->reserved_by, ch->name));
}

/*
 * The receiver's static port for @peer_domid: the one evtchn= names (which
 * must lead to @peer_domid), else the one this channel used last if it is
 * free (so reconnects keep their pairs and two regions between the same
 * domains do not swap ports), else the lowest free one leading there that
 * evtchn= gave no other region.  NULL: none, use the recipe.
 * ERR_PTR(-EAGAIN): the named port is still another channel's; wait.
 */
static struct xenshm_xen_static *xen_static_pick(struct xenshm_channel *ch,
						 u32 peer_domid)
{
	struct xenshm_xen_chan *xc = ch->tpriv;
	struct xenshm_xen_static *sp;

	if (xc->want_static) {
		sp = xen_static_by_port(xc->want_static);
		if (!sp) {
			pr_warn("%s: evtchn= names port %u, which was no static event channel at load\n",
				ch->name, xc->want_static);
			return ERR_PTR(-ENOENT);
		}
		if (sp->remote_dom != peer_domid) {
			pr_warn("%s: the peer says it is dom%u, but static port %u leads to dom%u: refusing\n",
				ch->name, peer_domid, sp->port, sp->remote_dom);
			return ERR_PTR(-EACCES);
		}
		if (sp->reserved_by && strcmp(sp->reserved_by, ch->name))
			return ERR_PTR(-EBUSY);	/* xen_reserve_statics() said so */
		return sp->owner ? ERR_PTR(-EAGAIN) : sp;
	}
	sp = xen_static_by_port(xc->last_static);
	if (sp && xen_static_free_for(ch, sp, peer_domid))
		return sp;
	list_for_each_entry(sp, &xen_statics, node)
		if (xen_static_free_for(ch, sp, peer_domid))
			return sp;
	return NULL;
}

static int xen_op_listen(struct xenshm_channel *ch, u32 peer_domid,
			 u32 *local_port, bool *is_static)
{
	struct xenshm_xen_chan *xc = ch->tpriv;
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF };
	struct xenshm_xen_static *sp;
	int ret;

	ret = xen_check_peer(peer_domid);
	if (ret)
		return ret;
	au.remote_dom = peer_domid;
	mutex_lock(&xen_evtchn_lock);
	sp = xen_static_pick(ch, peer_domid);
	if (IS_ERR(sp)) {
		ret = PTR_ERR(sp);
		goto out;
	}
	if (sp) {
		ret = xen_static_attach(ch, sp);
		if (ret)
			goto out;
		*local_port = sp->port;
		*is_static = true;
		pr_debug("%s: static port %u for dom%u\n", ch->name, sp->port,
			 peer_domid);
		goto out;
	}
	ret = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au);
	if (ret) {
		pr_warn("%s: EVTCHNOP_alloc_unbound for dom%u failed: %d%s\n",
			ch->name, peer_domid, ret,
			ret == -EPERM ? " (XSM refuses: xsm=dummy for domU<->domU)" : "");
		goto out;
	}
	ret = xen_bind_port(ch, au.port);
	if (ret)
		goto out;
	*local_port = au.port;
	*is_static = false;
	pr_debug("%s: listening on port %u for dom%u (irq %d)\n", ch->name,
		 au.port, peer_domid, xc->irq);
out:
	mutex_unlock(&xen_evtchn_lock);
	return ret;
}

/* Sender, static: my port whose remote end is @remote_port of @peer_domid. */
static int xen_static_bind(struct xenshm_channel *ch, u32 peer_domid,
			   u32 remote_port, u32 *local_port)
{
	struct xenshm_xen_chan *xc = ch->tpriv;
	struct xenshm_xen_static *sp;
	int ret;

	list_for_each_entry(sp, &xen_statics, node)
		if (sp->remote_dom == peer_domid &&
		    sp->remote_port == remote_port)
			break;
	if (list_entry_is_head(sp, &xen_statics, node)) {
		pr_warn("%s: the peer says it is dom%u with static port %u, but no static port of ours leads there: refusing\n",
			ch->name, peer_domid, remote_port);
		return -EACCES;
	}
	if (xc->want_static && sp->port != xc->want_static) {
		pr_warn("%s: evtchn= names port %u, but dom%u port %u leads to our port %u: refusing\n",
			ch->name, xc->want_static, peer_domid, remote_port,
			sp->port);
		return -EACCES;
	}
	if (sp->reserved_by && strcmp(sp->reserved_by, ch->name)) {
		pr_warn("%s: static port %u (to dom%u port %u) is given to %s by evtchn=: refusing\n",
			ch->name, sp->port, peer_domid, remote_port,
			sp->reserved_by);
		return -EACCES;
	}
	if (sp->owner) {
		/*
		 * Still ours for another channel, which has not let go yet
		 * (its own peer is reconnecting too): try again, within the
		 * connect timeout.  A peer that names a port another channel
		 * keeps using only waits here (docs/threat-model.md).
		 */
		pr_info_ratelimited("%s: static port %u (to dom%u port %u) still serves %s: waiting\n",
				    ch->name, sp->port, peer_domid, remote_port,
				    sp->owner->name);
		return -EAGAIN;
	}
	ret = xen_static_attach(ch, sp);
	if (ret)
		return ret == -EBUSY ? -EACCES : ret;
	*local_port = sp->port;
	return 0;
}

static int xen_op_bind(struct xenshm_channel *ch, u32 peer_domid,
		       u32 remote_port, bool is_static, u32 *local_port)
{
	struct xenshm_xen_chan *xc = ch->tpriv;
	struct evtchn_bind_interdomain bi = { 0 };
	int ret;

	ret = xen_check_peer(peer_domid);
	if (ret)
		return ret;
	/* From shared memory: hostile. */
	if (remote_port == 0 || remote_port >= XENSHM_XEN_MAX_PORT)
		return -EINVAL;
	if (is_static) {
		mutex_lock(&xen_evtchn_lock);
		ret = xen_static_bind(ch, peer_domid, remote_port, local_port);
		mutex_unlock(&xen_evtchn_lock);
		return ret;
	}
	if (xc->want_static) {
		pr_warn("%s: evtchn= names static port %u, but dom%u offers a runtime port: refusing\n",
			ch->name, xc->want_static, peer_domid);
		return -EACCES;
	}
	bi.remote_dom = peer_domid;
	bi.remote_port = remote_port;
	mutex_lock(&xen_evtchn_lock);
	ret = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bi);
	if (ret) {
		pr_warn("%s: EVTCHNOP_bind_interdomain to dom%u port %u failed: %d\n",
			ch->name, peer_domid, remote_port, ret);
		goto out;
	}
	ret = xen_bind_port(ch, bi.local_port);
	if (ret)
		goto out;
	*local_port = bi.local_port;
	pr_debug("%s: bound port %u to dom%u port %u (irq %d)\n", ch->name,
		 bi.local_port, peer_domid, remote_port, xc->irq);
out:
	mutex_unlock(&xen_evtchn_lock);
	return ret;
}

/* Any context; a no-op once teardown has begun (kick_lock). */
static void xen_op_notify(struct xenshm_channel *ch)
{
	struct xenshm_xen_chan *xc = ch->tpriv;
	unsigned long flags;

	spin_lock_irqsave(&xc->kick_lock, flags);
	if (xc->irq >= 0)
		notify_remote_via_irq(xc->irq);	/* EVTCHNOP_send: no sleep */
	spin_unlock_irqrestore(&xc->kick_lock, flags);
}

static void xen_op_teardown(struct xenshm_channel *ch)
{
	struct xenshm_xen_chan *xc = ch->tpriv;
	struct xenshm_xen_static *sp = xc->sp;
	unsigned long flags;
	int irq;

	mutex_lock(&xen_evtchn_lock);
	spin_lock_irqsave(&xc->kick_lock, flags);
	irq = xc->irq;
	xc->irq = -1;		/* from here on notify() does nothing */
	spin_unlock_irqrestore(&xc->kick_lock, flags);
	if (sp) {
		/* The port stays bound; a running handler finishes first. */
		spin_lock_irqsave(&sp->lock, flags);
		sp->owner = NULL;
		spin_unlock_irqrestore(&sp->lock, flags);
		xen_static_name(sp, NULL);
		xc->last_static = sp->port;
		xc->sp = NULL;
		xc->port = 0;
	} else if (irq >= 0) {
		/* free_irq() waits for a running handler; then the port closes. */
		unbind_from_irqhandler(irq, ch);
		xc->port = 0;
	}
	mutex_unlock(&xen_evtchn_lock);
}

static const char *xen_evtchn_state(u32 status)
{
	switch (status) {
	case EVTCHNSTAT_closed:
		return "closed";
	case EVTCHNSTAT_unbound:
		return "unbound";
	case EVTCHNSTAT_interdomain:
		return "interdomain";
	default:
		return "not interdomain";
	}
}

static int xen_op_verify(struct xenshm_channel *ch, u32 peer_domid,
			 u32 remote_port)
{
	struct xenshm_xen_chan *xc = ch->tpriv;
	struct evtchn_status st;
	int ret;

	ret = xen_evtchn_status(xc->port, &st);
	if (ret) {
		pr_warn("%s: EVTCHNOP_status(%u) failed: %d\n", ch->name,
			xc->port, ret);
		return ret;
	}
	if (st.status == EVTCHNSTAT_interdomain &&
	    st.u.interdomain.dom == peer_domid &&
	    st.u.interdomain.port == remote_port)
		return 0;
	if (st.status == EVTCHNSTAT_interdomain)
		pr_warn("%s: the peer says it is dom%u port %u, but Xen says our port %u leads to dom%u port %u: refusing\n",
			ch->name, peer_domid, remote_port, xc->port,
			st.u.interdomain.dom, st.u.interdomain.port);
	else
		pr_warn("%s: the peer says it is dom%u port %u, but Xen says our port %u is %s: refusing\n",
			ch->name, peer_domid, remote_port, xc->port,
			xen_evtchn_state(st.status));
	return -EACCES;
}

static const struct xenshm_transport_ops xen_ops = {
	.transport = XENSHM_TRANSPORT_XEN,
	.local_domid = xen_op_local_domid,
	.listen = xen_op_listen,
	.bind = xen_op_bind,
	.verify = xen_op_verify,
	.notify = xen_op_notify,
	.teardown = xen_op_teardown,
};

/* ---- discovery ---- */

static void xen_region_release(struct xenshm_region *region)
{
	memunmap(region->base);
	kfree(region);
}

/* A device name must stay a plain file name under /dev/xenshm. */
static bool xen_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n >= XENSHM_NAME_MAX || id[0] == '.')
		return false;
	for (; *id; id++)
		if (!isalnum(*id) && *id != '-' && *id != '_' && *id != '.')
			return false;
	return true;
}

/*
 * The number @param (a "<xen,id>:<number>[,...]" parameter called @what)
 * gives region @id, if it is in [@min, @max); else @none.
 */
static u32 xen_param_of(const char *param, const char *what, const char *id,
			u32 min, u32 max, u32 none)
{
	size_t idlen = strlen(id);
	const char *p = param;

	while (p && *p) {
		const char *end = strchrnul(p, ',');
		const char *colon = memchr(p, ':', end - p);

		if (colon && colon - p == idlen && !memcmp(p, id, idlen)) {
			char num[12];
			size_t len = end - colon - 1;
			u32 val;

			if (len && len < sizeof(num)) {
				memcpy(num, colon + 1, len);
				num[len] = 0;
				if (!kstrtou32(num, 0, &val) && val >= min &&
				    val < max)
					return val;
			}
			pr_err("%s=: bad value for %s, ignored\n", what, id);
			return none;
		}
		p = *end ? end + 1 : end;
	}
	return none;
}

/* Warn about entries of @param that name no region of this domain. */
static void xen_check_param(const char *param, const char *what)
{
	const char *p = param;

	while (p && *p) {
		const char *end = strchrnul(p, ',');
		const char *colon = memchr(p, ':', end - p);
		size_t idlen = colon ? colon - p : end - p;
		struct xenshm_xen_chan *xc;
		bool found = false;

		list_for_each_entry(xc, &xen_chans, node)
			if (strlen(xc->ch->name) == idlen &&
			    !memcmp(xc->ch->name, p, idlen))
				found = true;
		if (!colon)
			pr_err("%s=: entry \"%.*s\" is not <xen,id>:<number>, ignored\n",
			       what, (int)(end - p), p);
		else if (!found)
			pr_warn("%s=: no region with xen,id \"%.*s\" in this domain\n",
				what, (int)idlen, p);
		p = *end ? end + 1 : end;
	}
}

static int xen_add_region(struct device_node *np)
{
	struct xenshm_xen_chan *xc;
	struct xenshm_region *region;
	struct xenshm_channel *ch;
	struct xenshm_chardev *dev;
	struct resource res;
	const char *id;
	u64 offset = 0;
	u32 pin;
	int ret;

	if (of_property_read_string(np, "xen,id", &id)) {
		pr_warn("%pOF: no xen,id, skipped\n", np);
		return -EINVAL;
	}
	if (!xen_id_ok(id)) {
		pr_warn("%pOF: xen,id \"%s\" is not a usable device name, skipped\n",
			np, id);
		return -EINVAL;
	}
	ret = of_address_to_resource(np, 0, &res);
	if (ret) {
		pr_warn("%s: no usable reg (%d), skipped\n", id, ret);
		return ret;
	}
	/* Both ends must see the region from its start for the layout to match. */
	of_property_read_u64(np, "xen,offset", &offset);
	if (offset) {
		pr_warn("%s: xen,offset %#llx not supported, skipped\n", id, offset);
		return -EINVAL;
	}
	if (!PAGE_ALIGNED(res.start) || !PAGE_ALIGNED(resource_size(&res)) ||
	    resource_size(&res) < XENSHM_MIN_REGION_SIZE) {
		pr_warn("%s: region %pR is unaligned or smaller than %u bytes, skipped\n",
			id, &res, XENSHM_MIN_REGION_SIZE);
		return -EINVAL;
	}

	region = kzalloc(sizeof(*region), GFP_KERNEL);
	xc = kzalloc(sizeof(*xc), GFP_KERNEL);
	if (!region || !xc) {
		ret = -ENOMEM;
		goto err_free;
	}
	region->base = memremap(res.start, resource_size(&res), MEMREMAP_WB);
	if (!region->base) {
		pr_warn("%s: memremap of %pR failed\n", id, &res);
		ret = -ENOMEM;
		goto err_free;
	}
	kref_init(&region->ref);
	region->size = resource_size(&res);
	region->kind = XENSHM_REGION_PHYS;
	region->phys = res.start;
	region->release = xen_region_release;

	spin_lock_init(&xc->kick_lock);
	xc->irq = -1;
	snprintf(xc->irq_name, sizeof(xc->irq_name), "xenshm-%s", id);
	pin = xen_param_of(peers, "peers", id, 0, DOMID_FIRST_RESERVED,
			   XENSHM_DOMID_NONE);
	xc->want_static = xen_param_of(evtchn, "evtchn", id, 1,
				       XENSHM_XEN_MAX_PORT, 0);
	ch = xenshm_channel_create(id, region, &xen_ops, xc, -1, pin);
	if (IS_ERR(ch)) {
		/* The channel took over the region reference, even on error. */
		ret = PTR_ERR(ch);
		pr_err("%s: cannot create the channel: %d\n", id, ret);
		kfree(xc);
		return ret;
	}
	xc->ch = ch;
	dev = xenshm_chardev_add(ch);
	if (IS_ERR(dev)) {
		ret = PTR_ERR(dev);
		xenshm_channel_destroy(ch);
		kfree(xc);
		return ret;
	}
	xc->dev = dev;
	list_add_tail(&xc->node, &xen_chans);
	if (pin != XENSHM_DOMID_NONE)
		pr_info("%s: %pR, dom%u, peer pinned to dom%u: /dev/xenshm/%s\n",
			id, &res, xen_self, pin, id);
	else
		pr_info("%s: %pR, dom%u: /dev/xenshm/%s\n", id, &res, xen_self,
			id);
	return 0;

err_free:
	kfree(xc);
	kfree(region);
	return ret;
}

/* Give the ports evtchn= names to their regions, before any CONNECT. */
static void xen_reserve_statics(void)
{
	struct xenshm_xen_static *sp;
	struct xenshm_xen_chan *xc;

	list_for_each_entry(xc, &xen_chans, node) {
		if (!xc->want_static)
			continue;
		sp = xen_static_by_port(xc->want_static);
		if (!sp)
			pr_warn("evtchn=: port %u of %s is no static event channel of dom%u: connects will fail\n",
				xc->want_static, xc->ch->name, xen_self);
		else if (sp->reserved_by)
			pr_warn("evtchn=: port %u given to both %s and %s: %s keeps it\n",
				sp->port, sp->reserved_by, xc->ch->name,
				sp->reserved_by);
		else
			sp->reserved_by = xc->ch->name;
	}
}

/*
 * Find every Xen shared-memory region and create its channel and device.
 * Returns how many it created (0 when not running on Xen, or when Xen gave
 * no usable region: the module may still serve loopback pairs) or a
 * negative errno.
 */
int xenshm_xen_init(void)
{
	struct device_node *rmem, *np;
	int n = 0, ret;

	if (!xen_domain()) {
		pr_info("not running on Xen: no Xen channels\n");
		return 0;
	}

	ret = xen_learn_domid(&xen_self);
	if (ret)
		return ret;

	rmem = of_find_node_by_path("/reserved-memory");
	if (!rmem) {
		pr_info("dom%u: no /reserved-memory node, no Xen regions\n",
			xen_self);
		return 0;
	}
	/* Before any channel exists: every port ours would be is unbound. */
	xen_find_statics();
	for_each_available_child_of_node(rmem, np) {
		if (!of_device_is_compatible(np, XENSHM_XEN_COMPAT))
			continue;
		if (!xen_add_region(np))
			n++;
	}
	of_node_put(rmem);
	xen_check_param(peers, "peers");
	xen_check_param(evtchn, "evtchn");
	xen_reserve_statics();
	if (!n) {
		pr_info("dom%u: no usable %s regions\n", xen_self,
			XENSHM_XEN_COMPAT);
		xen_free_statics();	/* nothing will use them */
	}
	return n;
}

/* Destroy every Xen channel (module exit; no file is open). */
void xenshm_xen_exit(void)
{
	struct xenshm_xen_chan *xc, *tmp;

	list_for_each_entry_safe(xc, tmp, &xen_chans, node) {
		list_del(&xc->node);
		xenshm_chardev_remove(xc->dev);
		/* Detaches (slot FREE + a last event to the peer), tears down. */
		xenshm_channel_destroy(xc->ch);
		kfree(xc);
	}
	xen_free_statics();
}
