// SPDX-License-Identifier: GPL-2.0-only
/*
 * Xen interface by hand, following the recipe: shared_info mapped with
 * XENMEM_add_to_physmap(XENMAPSPACE_shared_info) into a page of our own,
 * EVTCHNOP_* as raw hypercalls, and the PPI 31 upcall walking the 2-level
 * pending bitmaps. Numbers and layouts are Xen 4.17's public headers
 * (xen.h, event_channel.h, memory.h, sched.h), asserted below.
 */
#include "bm_internal.h"

#define __HYPERVISOR_memory_op 12
#define __HYPERVISOR_sched_op 29
#define __HYPERVISOR_event_channel_op 32
#define XENMEM_add_to_physmap 7
#define XENMAPSPACE_shared_info 0
#define SCHEDOP_shutdown 2
#define SHUTDOWN_poweroff 0
#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_status 5
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_unmask 9
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_unbound 1

/* 2-level ABI on arm64: xen_ulong_t is 64 bits, 64 x 64 ports. */
#define NWORDS 64

struct xen_vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t pad[7];
	uint64_t evtchn_pending_sel;
	uint8_t time[32];		/* struct vcpu_time_info */
};
struct xen_shared_info {
	struct xen_vcpu_info vcpu_info[1];	/* XEN_LEGACY_MAX_VCPUS = 1 on arm */
	uint64_t evtchn_pending[NWORDS];
	uint64_t evtchn_mask[NWORDS];
	uint32_t wc_version, wc_sec, wc_nsec, wc_sec_hi;
};
_Static_assert(sizeof(struct xen_vcpu_info) == 48, "vcpu_info");
_Static_assert(__builtin_offsetof(struct xen_vcpu_info, evtchn_pending_sel) == 8, "sel");
_Static_assert(__builtin_offsetof(struct xen_shared_info, evtchn_pending) == 48, "pending");
_Static_assert(__builtin_offsetof(struct xen_shared_info, evtchn_mask) == 560, "mask");
_Static_assert(__builtin_offsetof(struct xen_shared_info, wc_version) == 1072, "wc");

struct xen_add_to_physmap {
	uint16_t domid, size;
	uint32_t space;
	uint64_t idx, gpfn;
};
_Static_assert(sizeof(struct xen_add_to_physmap) == 24, "xatp");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap, gpfn) == 16, "xatp.gpfn");

struct evtchn_alloc_unbound {
	uint16_t dom, remote_dom;
	uint32_t port;
};
struct evtchn_bind_interdomain {
	uint16_t remote_dom;
	uint32_t remote_port, local_port;
};
struct evtchn_status {
	uint16_t dom;
	uint32_t port, status, vcpu;
	union {
		struct {
			uint16_t dom;
		} unbound;
		struct {
			uint16_t dom;
			uint32_t port;
		} interdomain;
		uint32_t pirq, virq;
	} u;
};
struct evtchn_port_arg {		/* send, close, unmask */
	uint32_t port;
};
_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "alloc_unbound");
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "bind_interdomain");
_Static_assert(__builtin_offsetof(struct evtchn_bind_interdomain, local_port) == 8, "bind");
_Static_assert(sizeof(struct evtchn_status) == 24, "status");
_Static_assert(__builtin_offsetof(struct evtchn_status, status) == 8, "status.status");
_Static_assert(__builtin_offsetof(struct evtchn_status, u) == 16, "status.u");
_Static_assert(__builtin_offsetof(struct evtchn_status, u.interdomain.port) == 20, "status.u.port");

/* The page Xen's shared_info replaces in our physmap. */
static uint8_t shinfo_page[BM_PAGE_SIZE] __attribute__((aligned(BM_PAGE_SIZE)));
static struct xen_shared_info *shinfo;
static int own_domid = -1;

static uint32_t port_count[BM_MAX_PORTS];
static bm_evtchn_cb port_cb[BM_MAX_PORTS];
static void *port_arg[BM_MAX_PORTS];
static uint64_t upcall_irqs;

static long evtchn_op(unsigned int cmd, void *arg)
{
	return bm_hypercall(__HYPERVISOR_event_channel_op, cmd, (uintptr_t)arg, 0, 0, 0);
}

int bm_alloc_unbound(uint32_t remote)
{
	struct evtchn_alloc_unbound a = { .dom = BM_DOMID_SELF, .remote_dom = (uint16_t)remote };
	long rc = evtchn_op(EVTCHNOP_alloc_unbound, &a);

	return rc ? (int)rc : (int)a.port;
}

int bm_bind_interdomain(uint32_t remote, uint32_t rport)
{
	struct evtchn_bind_interdomain b = { .remote_dom = (uint16_t)remote, .remote_port = rport };
	long rc = evtchn_op(EVTCHNOP_bind_interdomain, &b);

	return rc ? (int)rc : (int)b.local_port;
}

int bm_evtchn_status(uint32_t port, uint32_t *rdom, uint32_t *rport)
{
	struct evtchn_status s;
	long rc;

	memset(&s, 0, sizeof(s));
	s.dom = BM_DOMID_SELF;
	s.port = port;
	rc = evtchn_op(EVTCHNOP_status, &s);
	if (rc)
		return (int)rc;
	if (s.status == EVTCHNSTAT_interdomain) {
		if (rdom)
			*rdom = s.u.interdomain.dom;
		if (rport)
			*rport = s.u.interdomain.port;
		return 0;
	}
	if (rdom)
		*rdom = s.status == EVTCHNSTAT_unbound ? s.u.unbound.dom : 0xffffffffu;
	if (rport)
		*rport = 0;
	return 1;
}

int bm_notify(uint32_t port)
{
	struct evtchn_port_arg a = { port };

	return (int)evtchn_op(EVTCHNOP_send, &a);
}

int bm_unmask(uint32_t port)
{
	struct evtchn_port_arg a = { port };

	return (int)evtchn_op(EVTCHNOP_unmask, &a);
}

int bm_close(uint32_t port)
{
	struct evtchn_port_arg a = { port };

	bm_set_callback(port, 0, 0);
	return (int)evtchn_op(EVTCHNOP_close, &a);
}

int bm_set_callback(uint32_t port, bm_evtchn_cb cb, void *arg)
{
	if (port >= BM_MAX_PORTS)
		return -22;
	uint64_t daif = READ_SYSREG(daif);

	bm_irq_disable();
	port_cb[port] = cb;
	port_arg[port] = arg;
	WRITE_SYSREG(daif, daif);
	return 0;
}

uint32_t bm_upcall_count(uint32_t port)
{
	return port < BM_MAX_PORTS ? __atomic_load_n(&port_count[port], __ATOMIC_RELAXED) : 0;
}

uint64_t bm_upcall_irqs(void)
{
	return __atomic_load_n(&upcall_irqs, __ATOMIC_RELAXED);
}

int bm_domid(void)
{
	return own_domid;
}

void bm_poweroff(void)
{
	uint32_t reason = SHUTDOWN_poweroff;

	bm_hypercall(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (uintptr_t)&reason, 0, 0, 0);
	bm_halt();
}

/*
 * PPI 31. Xen sets the port's pending bit, then its word's bit in
 * evtchn_pending_sel, then evtchn_upcall_pending, and injects the PPI.
 * Clear upcall_pending first, take the selector atomically, and walk
 * pending & ~mask, clearing each bit before its callback. Bounded: at most
 * 4 rounds of 64 words of 64 ports.
 */
void bm_evtchn_upcall(void)
{
	struct xen_vcpu_info *vi;
	unsigned int round, ports = 0;

	upcall_irqs++;
	if (!shinfo)
		return;
	vi = &shinfo->vcpu_info[0];
	for (round = 0; round < 4; round++) {
		uint64_t sel;

		__atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
		sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
		while (sel) {
			unsigned int w = (unsigned int)__builtin_ctzll(sel);
			uint64_t pend;

			sel &= sel - 1;
			pend = __atomic_load_n(&shinfo->evtchn_pending[w], __ATOMIC_ACQUIRE) &
			       ~__atomic_load_n(&shinfo->evtchn_mask[w], __ATOMIC_ACQUIRE);
			while (pend) {
				unsigned int b = (unsigned int)__builtin_ctzll(pend);
				uint32_t port = w * 64 + b;

				pend &= pend - 1;
				ports++;
				__atomic_fetch_and(&shinfo->evtchn_pending[w], ~(1ULL << b),
						   __ATOMIC_SEQ_CST);
				if (port < BM_MAX_PORTS) {
					port_count[port]++;
					if (port_cb[port])
						port_cb[port](port, port_arg[port]);
				}
			}
		}
		bm_wake = 1;
		if (!__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST))
			break;
	}
	if (!ports)
		bm_boot.empty_upcalls++;
}

int bm_xen_init(void)
{
	struct xen_add_to_physmap xatp;
	unsigned int i, same = 0;
	uint32_t rdom = 0;
	int port;

	/* Fill the page: once Xen's shared_info is mapped over it, the
	 * pattern must be gone (the proof the mapping took). */
	memset(shinfo_page, 0xa5, sizeof(shinfo_page));
	dsb(sy);
	xatp.domid = BM_DOMID_SELF;
	xatp.size = 0;
	xatp.space = XENMAPSPACE_shared_info;
	xatp.idx = 0;
	xatp.gpfn = (uintptr_t)shinfo_page >> 12;
	bm_boot.shinfo_gpfn = xatp.gpfn;
	bm_boot.shinfo_rc = bm_hypercall(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
					 (uintptr_t)&xatp, 0, 0, 0);
	if (bm_boot.shinfo_rc)
		return (int)bm_boot.shinfo_rc;
	__asm__ volatile("tlbi vmalle1\n\tdsb sy\n\tisb" ::: "memory");
	for (i = 0; i < sizeof(shinfo_page); i++)
		same += ((volatile uint8_t *)shinfo_page)[i] == 0xa5;
	bm_boot.shinfo_changed = same < sizeof(shinfo_page) / 2;
	shinfo = (struct xen_shared_info *)shinfo_page;

	/* Own domid: Xen's evtchn_alloc_unbound() replaces remote DOMID_SELF
	 * by the caller's domid, EVTCHNOP_status reports it back. */
	port = bm_alloc_unbound(BM_DOMID_SELF);
	if (port < 0) {
		bm_boot.domid_rc = port;
		return port;
	}
	bm_boot.domid_rc = bm_evtchn_status((uint32_t)port, &rdom, 0);
	if (bm_boot.domid_rc == 1 && rdom < BM_DOMID_SELF) {
		own_domid = (int)rdom;
		bm_boot.domid_rc = 0;
	} else if (bm_boot.domid_rc == 0) {
		bm_boot.domid_rc = -1000;	/* interdomain already: cannot be */
	}
	bm_close((uint32_t)port);
	return (int)bm_boot.domid_rc;
}

/* --- regions and command line (from the DT) ---------------------------------- */
unsigned int bm_region_count(void)
{
	return bm_dt.nregions;
}

const struct bm_region *bm_region(unsigned int i)
{
	return i < bm_dt.nregions ? &bm_dt.regions[i] : 0;
}

const struct bm_region *bm_region_find(const char *id)
{
	unsigned int i;

	for (i = 0; i < bm_dt.nregions; i++)
		if (!strncmp(bm_dt.regions[i].id, id, BM_REGION_ID_LEN))
			return &bm_dt.regions[i];
	return 0;
}

const char *bm_cmdline(void)
{
	return bm_dt.bootargs;
}

int bm_cmdline_get(const char *key, char *buf, size_t len)
{
	const char *p = bm_dt.bootargs;
	size_t klen = strlen(key);

	while (*p) {
		const char *w = p;
		size_t n = 0;

		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - w) > klen && !strncmp(w, key, klen) && w[klen] == '=') {
			w += klen + 1;
			while (w < p && n + 1 < len)
				buf[n++] = *w++;
			if (len)
				buf[n] = '\0';
			return (int)n;
		}
		while (*p == ' ')
			p++;
	}
	return -1;
}
