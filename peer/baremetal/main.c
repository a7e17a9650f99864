// SPDX-License-Identifier: GPL-2.0-only
/*
 * Main program of the bare-metal domain: the platform's smoke checks (make
 * xen-baremetal-smoke requires them), then the xenshm services. Prints
 * the harness's markers (scripts/xen/guest/lib.sh) on the vpl011:
 *   XENSHM-RESULT <dom> <test> PASS|FAIL [detail]
 *   XENSHM-INFO <dom> <text>
 *   XENSHM-DONE <dom> rc=<failures>
 * <dom>, the configured domid and regions come from the DT's
 * /chosen/bootargs, written by scripts/xen/gen-dt.py:
 *   dom=domu3 domid=3 regions=ID:GUEST:SIZE:PEER:ROLE:EVTCHN,...
 * (the XENSHM_REGIONS format of the Linux domains, comma separated), and
 * what run.sh --baremetal-args adds for the services (produce=, peerdeath=,
 * hang=: service.c).
 * After DONE it runs the services of service.h, sleeping in wfi between
 * events, as the Linux domUs stay up after their DONE.
 */
#include <stdarg.h>
#include "bm_internal.h"
#include "report.h"
#include "service.h"

static uint64_t parse_num(const char *s, const char **end)
{
	uint64_t v = 0;
	unsigned int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			break;
		v = v * base + d;
	}
	if (end)
		*end = s;
	return v;
}

/* "dom0" -> 0, "domuN" -> N, else -1 */
static int domid_of(const char *name)
{
	if (!strcmp(name, "dom0"))
		return 0;
	if (!strncmp(name, "domu", 4) && name[4] >= '0' && name[4] <= '9')
		return (int)parse_num(name + 4, 0);
	return -1;
}

/* Split "a:b:c" fields of one region (bounded copies). */
static const char *field(const char *p, char *out, size_t len)
{
	size_t n = 0;

	while (*p && *p != ':' && *p != ',') {
		if (n + 1 < len)
			out[n++] = *p;
		p++;
	}
	out[n] = '\0';
	return *p == ':' ? p + 1 : p;
}

static unsigned int parse_regions(const char *s, struct cfg_region *r, unsigned int max)
{
	unsigned int n = 0;
	char tmp[24];

	while (*s && n < max) {
		struct cfg_region *c = &r[n];

		memset(c, 0, sizeof(*c));
		s = field(s, c->id, sizeof(c->id));
		s = field(s, tmp, sizeof(tmp));
		c->addr = parse_num(tmp, 0);
		s = field(s, tmp, sizeof(tmp));
		c->size = parse_num(tmp, 0);
		s = field(s, c->peer, sizeof(c->peer));
		s = field(s, c->role, sizeof(c->role));
		s = field(s, tmp, sizeof(tmp));
		c->evtchn = (uint32_t)parse_num(tmp, 0);
		n++;
		while (*s && *s != ',')
			s++;
		if (*s == ',')
			s++;
	}
	return n;
}

struct loop_seen {
	uint32_t calls;
	uint32_t last_port;
};

static void loop_cb(uint32_t port, void *arg)
{
	struct loop_seen *s = arg;

	s->calls++;
	s->last_port = port;
}

static void test_regions(void)
{
	static char buf[400];
	struct cfg_region cfg[BM_MAX_REGIONS];
	unsigned int ncfg = 0, i, ok_all = 1;

	for (i = 0; i < bm_region_count(); i++) {
		const struct bm_region *r = bm_region(i);
		uint32_t first = *(volatile uint32_t *)(uintptr_t)r->addr;

		report_info("shm: xen,id=%s addr=0x%lx size=0x%lx first-word=0x%x", r->id, r->addr,
		     r->size, first);
	}
	if (bm_cmdline_get("regions", buf, sizeof(buf)) >= 0)
		ncfg = parse_regions(buf, cfg, BM_MAX_REGIONS);
	for (i = 0; i < ncfg; i++) {
		const struct bm_region *r = bm_region_find(cfg[i].id);
		char name[40];

		bm_snprintf(name, sizeof(name), "shm-%s", cfg[i].id);
		if (!r) {
			report_result(name, 0, "missing (peer %s)", cfg[i].peer);
			ok_all = 0;
		} else if (r->addr != cfg[i].addr || r->size != cfg[i].size) {
			report_result(name, 0, "at 0x%lx+0x%lx, configured 0x%lx+0x%lx", r->addr, r->size,
			       cfg[i].addr, cfg[i].size);
			ok_all = 0;
		} else {
			report_result(name, 1, "0x%lx+0x%lx peer=%s role=%s", r->addr, r->size,
			       cfg[i].peer, cfg[i].role);
		}
	}
	report_result("shm-regions", ok_all && ncfg > 0 && ncfg == bm_region_count(),
	       "%u in the DT, %u configured%s", bm_region_count(), ncfg,
	       bm_dt.regions_dropped ? " (some dropped: too many)" : "");

	/* Static event channels: Xen bound them at boot; the guest finds them
	 * by asking EVTCHNOP_status for each port until Xen says EINVAL. */
	{
		uint32_t port, found = 0, last = 0;
		int rc = 0;

		for (port = 1; port < BM_MAX_PORTS; port++) {
			uint32_t rdom, rport;

			rc = bm_evtchn_status(port, &rdom, &rport);
			if (rc < 0)
				break;
			last = port;
			if (rc == 0) {
				found++;
				report_info("evtchn: port %u <-> dom%u port %u, upcalls so far %u", port, rdom,
				     rport, bm_upcall_count(port));
			}
		}
		report_result("evtchn-scan", rc == -22 || port == BM_MAX_PORTS,
		       "%u interdomain; ports 1..%u valid, then rc=%d", found, last, rc);
		for (i = 0; i < ncfg; i++) {
			uint32_t rdom = 0, rport = 0;
			int want = domid_of(cfg[i].peer), st;
			char name[40];

			if (!cfg[i].evtchn)
				continue;
			bm_snprintf(name, sizeof(name), "evtchn-%s", cfg[i].id);
			st = bm_evtchn_status(cfg[i].evtchn, &rdom, &rport);
			report_result(name, st == 0 && (int)rdom == want,
			       "static port %u: rc=%d remote dom%u port %u (peer %s)",
			       cfg[i].evtchn, st, rdom, rport, cfg[i].peer);
		}
	}
}

static void test_events(void)
{
	int p, a, b;
	uint32_t rdom = 0, rport = 0;

	/* Toward Dom0 (runtime recipe: the owner side of xenshm-0-3 would bind it) */
	p = bm_alloc_unbound(0);
	if (p > 0) {
		int st = bm_evtchn_status((uint32_t)p, &rdom, &rport);

		report_result("alloc-unbound-dom0", st == 1 && rdom == 0,
		       "port %d, status %d remote dom%u; close rc=%d", p, st, rdom,
		       bm_close((uint32_t)p));
	} else {
		report_result("alloc-unbound-dom0", 0, "rc=%d", p);
	}

	/* Loopback: an unbound port for ourselves, bound by ourselves. */
	a = bm_alloc_unbound(BM_DOMID_SELF);
	b = a > 0 ? bm_bind_interdomain(BM_DOMID_SELF, (uint32_t)a) : a;
	if (a <= 0 || b <= 0) {
		report_result("upcall-loopback", 0, "alloc_unbound %d bind_interdomain %d", a, b);
		return;
	}
	{
		static struct loop_seen seen_a, seen_b;
		int st = bm_evtchn_status((uint32_t)a, &rdom, &rport);
		uint64_t irqs0, sleeps0, t0, dt;
		uint32_t ca0, cb0;
		unsigned int rounds;

		report_info("loopback: port %d <-> port %d (status of %d: %d, dom%u port %u)", a, b, a,
		     st, rdom, rport);
		bm_set_callback((uint32_t)a, loop_cb, &seen_a);
		bm_set_callback((uint32_t)b, loop_cb, &seen_b);
		bm_unmask((uint32_t)a);
		bm_unmask((uint32_t)b);
		/* Xen's bind_interdomain sets the new local port pending ("we may
		 * have lost notifications"): b has had its event already. Count
		 * from here on, after consuming that wake. */
		bm_wait_event(0);
		report_info("loopback: upcalls so far: port %d %u, port %d %u (bind's own event)", a,
		     bm_upcall_count((uint32_t)a), b, bm_upcall_count((uint32_t)b));
		ca0 = bm_upcall_count((uint32_t)a);
		cb0 = bm_upcall_count((uint32_t)b);
		irqs0 = bm_upcall_irqs();
		sleeps0 = bm_boot.wfi_sleeps;
		t0 = bm_now_us();
		/* send with IRQs masked: the upcall can only be taken from wfi */
		bm_irq_disable();
		p = bm_notify((uint32_t)b);
		for (rounds = 0; rounds < 4 && bm_upcall_count((uint32_t)a) == ca0; rounds++)
			bm_wait_event(1000);
		bm_irq_enable();
		dt = bm_now_us() - t0;
		report_result("upcall-loopback",
		       p == 0 && st == 0 && rport == (uint32_t)b &&
			       bm_upcall_count((uint32_t)a) == ca0 + 1 &&
			       bm_upcall_count((uint32_t)b) == cb0 && seen_a.calls == 1 &&
			       seen_a.last_port == (uint32_t)a && bm_upcall_irqs() > irqs0 &&
			       bm_boot.wfi_sleeps > sleeps0,
		       "send %d->%d rc=%d: +%u upcall on %d, PPI31 +%lu, wfi +%lu, %lu us", b, a, p,
		       bm_upcall_count((uint32_t)a) - ca0, a, bm_upcall_irqs() - irqs0,
		       bm_boot.wfi_sleeps - sleeps0, dt);
		/* and the other way, IRQs on: the upcall may come straight out of
		 * the hypercall, or wake the wait */
		ca0 = bm_upcall_count((uint32_t)a);
		p = bm_notify((uint32_t)a);
		for (rounds = 0; rounds < 4 && bm_upcall_count((uint32_t)b) == cb0; rounds++)
			bm_wait_event(1000);
		report_result("upcall-loopback-back",
		       p == 0 && bm_upcall_count((uint32_t)b) == cb0 + 1 &&
			       bm_upcall_count((uint32_t)a) == ca0 && seen_b.calls == 1 &&
			       seen_b.last_port == (uint32_t)b,
		       "send %d->%d rc=%d: +%u upcall on %d", a, b, p,
		       bm_upcall_count((uint32_t)b) - cb0, b);
		report_result("evtchn-close", bm_close((uint32_t)b) == 0 && bm_close((uint32_t)a) == 0 &&
			       bm_evtchn_status((uint32_t)a, 0, 0) == 1,
		       "ports %d and %d closed", a, b);
	}
}

static void test_timer(void)
{
	uint64_t t0, dt, irq0 = bm_boot.timer_irqs, s0;
	const uint32_t ms = 300;

	bm_wait_event(0);
	s0 = bm_boot.wfi_sleeps;
	t0 = bm_now_ms();
	bm_wait_event(ms);
	dt = bm_now_ms() - t0;
	report_result("timer-sleep", dt >= ms && dt < ms + 700 && bm_boot.timer_irqs > irq0 &&
		       bm_boot.wfi_sleeps > s0,
	       "asked %u ms, slept %lu ms, timer IRQs +%lu, wfi +%lu", ms, dt,
	       bm_boot.timer_irqs - irq0, bm_boot.wfi_sleeps - s0);
}

/* The xenshm services on every configured region (service.h); never returns. */
static void services_start(void)
{
	static char buf[400];
	static struct cfg_region cfg[BM_MAX_REGIONS];
	unsigned int n, i;

	if (bm_cmdline_get("regions", buf, sizeof(buf)) <= 0)
		bm_halt();
	n = parse_regions(buf, cfg, BM_MAX_REGIONS);
	for (i = 0; i < n; i++)
		cfg[i].peer_domid = domid_of(cfg[i].peer);
	services_run(cfg, n);
}

int main(void)
{
	char v[32];
	int want_domid = -1;
	unsigned int i;

	if (bm_cmdline_get("dom", v, sizeof(v)) > 0)
		memcpy(report_dom, v, sizeof(report_dom) - 1);
	bm_marker_dom = report_dom;
	if (bm_cmdline_get("domid", v, sizeof(v)) > 0)
		want_domid = (int)parse_num(v, 0);

	report_info("bare-metal up at %lu ms (counter), cmdline: %.60s", bm_now_ms(), bm_cmdline());
	report_result("platform", bm_boot.current_el == 1 && (bm_boot.sctlr & 0x1005) == 0x1005,
	       "EL%lu, MMU+caches on (sctlr=0x%lx), dtb 0x%lx, cntfrq %lu", bm_boot.current_el,
	       bm_boot.sctlr, bm_boot.dtb, bm_boot.cntfrq);
	for (i = 0; i < bm_dt.nram; i++)
		report_info("ram: 0x%lx+0x%lx", bm_dt.ram[i].base, bm_dt.ram[i].size);
	report_info("gic: GICD_TYPER=0x%x GICR_TYPER=0x%x", bm_boot.gicd_typer, bm_boot.gicr_typer_lo);
	/* /hypervisor interrupts = <1 15 0xf08>: PPI 15 = INTID 31 */
	report_result("dt", bm_fdt_rc == 0 && bm_dt.nram > 0 && bm_dt.hyp_irq_found &&
		       bm_dt.hyp_irq[0] == 1 && bm_dt.hyp_irq[1] + 16 == GUEST_EVTCHN_PPI &&
		       !strncmp(bm_dt.hyp_compat, "xen,xen", 7),
	       "rc=%d hypervisor %s, upcall PPI %u, %u RAM bank(s), %u region(s)", bm_fdt_rc,
	       bm_dt.hyp_compat, bm_dt.hyp_irq[1] + 16, bm_dt.nram, bm_dt.nregions);
	report_result("shared-info", bm_boot.shinfo_rc == 0 && bm_boot.shinfo_changed,
	       "XENMEM_add_to_physmap rc=%ld at gpfn 0x%lx, page replaced: %s",
	       bm_boot.shinfo_rc, bm_boot.shinfo_gpfn, bm_boot.shinfo_changed ? "yes" : "no");
	report_result("domid", bm_domid() >= 0 && (want_domid < 0 || bm_domid() == want_domid),
	       "%d from Xen (configured %d), rc=%ld", bm_domid(), want_domid, bm_boot.domid_rc);
	test_regions();
	test_events();
	test_timer();
	report_info("irqs: PPI31 %lu (%lu found no port), timer %lu, spurious %lu, other %lu, wfi %lu",
	     bm_upcall_irqs(), bm_boot.empty_upcalls, bm_boot.timer_irqs, bm_boot.spurious_irqs,
	     bm_boot.other_irqs, bm_boot.wfi_sleeps);
	bm_printf("XENSHM-DONE %s rc=%u\n", report_dom, report_failures);
	services_start();
	return 0;
}
