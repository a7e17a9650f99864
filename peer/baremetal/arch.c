// SPDX-License-Identifier: GPL-2.0-only
/*
 * arm64 EL1 platform: identity MMU, GICv3 (distributor, vCPU0's
 * redistributor, ICC_* system registers), the virtual timer, exceptions and
 * sleeping in wfi.
 */
#include "bm_internal.h"

struct bm_boot bm_boot;
const char *bm_marker_dom = "bm";

/* --- MMU: 4 KiB granule, 32-bit VA (T0SZ = 32, walk starts at level 1), 2 MiB
 * blocks. MAIR index 0: Normal inner/outer write-back (0xff), index 1:
 * Device-nGnRnE (0x00). */
#define PTE_VALID_BLOCK 0x1UL
#define PTE_TABLE 0x3UL
#define PTE_ATTR_NORMAL (0UL << 2)
#define PTE_ATTR_DEVICE (1UL << 2)
#define PTE_SH_INNER (3UL << 8)
#define PTE_AF (1UL << 10)
#define PTE_PXN (1UL << 53)
#define PTE_UXN (1UL << 54)
#define MAP_NORMAL (PTE_VALID_BLOCK | PTE_ATTR_NORMAL | PTE_SH_INNER | PTE_AF)
#define MAP_NORMAL_XN (MAP_NORMAL | PTE_PXN | PTE_UXN)
#define MAP_DEVICE (PTE_VALID_BLOCK | PTE_ATTR_DEVICE | PTE_AF | PTE_PXN | PTE_UXN)
#define BLOCK 0x200000UL
#define VA_LIMIT (1UL << 32)

static uint64_t l1_table[512] __attribute__((aligned(4096)));
static uint64_t l2_tables[4][512] __attribute__((aligned(4096)));
static unsigned int mmu_unmapped;

static void map_range(uint64_t base, uint64_t size, uint64_t attrs)
{
	uint64_t a = base & ~(BLOCK - 1), end = (base + size + BLOCK - 1) & ~(BLOCK - 1);

	if (!size || end > VA_LIMIT || end < a) {
		mmu_unmapped++;
		return;
	}
	for (; a < end; a += BLOCK) {
		unsigned int g = (unsigned int)(a >> 30), i = (unsigned int)((a >> 21) & 511);

		l1_table[g] = (uint64_t)(uintptr_t)l2_tables[g] | PTE_TABLE;
		/* a block already mapped as device stays device */
		if (!(l2_tables[g][i] & PTE_VALID_BLOCK) || attrs == MAP_DEVICE)
			l2_tables[g][i] = a | attrs;
	}
}

static void dcache_inval_range(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p & ~63UL, end = (uintptr_t)p + len;

	for (; a < end; a += 64)
		__asm__ volatile("dc ivac, %0" :: "r"(a) : "memory");
	dsb(sy);
}

void bm_mmu_init(void)
{
	unsigned int i;
	uint64_t sctlr, pa = READ_SYSREG(id_aa64mmfr0_el1) & 7, tcr;

	if (bm_dt.nram == 0)
		map_range(GUEST_RAM0_BASE, 64UL << 20, MAP_NORMAL);
	for (i = 0; i < bm_dt.nram; i++)
		map_range(bm_dt.ram[i].base, bm_dt.ram[i].size, MAP_NORMAL);
	/* the DTB (it lies in RAM; mapped again in case it does not) */
	map_range(bm_boot.dtb, bm_dt.totalsize ? bm_dt.totalsize : 4096, MAP_NORMAL_XN);
	for (i = 0; i < bm_dt.nregions; i++)
		map_range(bm_dt.regions[i].addr, bm_dt.regions[i].size, MAP_NORMAL_XN);
	map_range(GUEST_GICV3_GICD_BASE, 0x10000, MAP_DEVICE);
	map_range(GUEST_GICV3_GICR0_BASE, 0x20000, MAP_DEVICE);
	map_range(GUEST_PL011_BASE, 0x1000, MAP_DEVICE);
	dcache_inval_range(l1_table, sizeof(l1_table));
	dcache_inval_range(l2_tables, sizeof(l2_tables));

	WRITE_SYSREG(mair_el1, 0x00ffUL);
	tcr = 32UL			/* T0SZ */
	      | (1UL << 8)		/* IRGN0: WB WA */
	      | (1UL << 10)		/* ORGN0: WB WA */
	      | (3UL << 12)		/* SH0: inner shareable */
	      | (0UL << 14)		/* TG0: 4 KiB */
	      | (1UL << 23)		/* EPD1: no TTBR1 walks */
	      | ((pa > 2 ? 2 : pa) << 32);	/* IPS: <= 40 bits */
	WRITE_SYSREG(tcr_el1, tcr);
	WRITE_SYSREG(ttbr0_el1, (uintptr_t)l1_table);
	isb();
	__asm__ volatile("tlbi vmalle1" ::: "memory");
	__asm__ volatile("ic iallu" ::: "memory");
	dsb(nsh);
	isb();
	sctlr = READ_SYSREG(sctlr_el1);
	sctlr |= (1UL << 0) | (1UL << 2) | (1UL << 12);	/* M, C, I */
	sctlr &= ~((1UL << 1) | (1UL << 19));		/* A, WXN */
	WRITE_SYSREG(sctlr_el1, sctlr);
	isb();
	bm_boot.sctlr = READ_SYSREG(sctlr_el1);
}

/* --- GICv3 ------------------------------------------------------------------ */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_CTLR_ENABLE_G1A (1u << 1)
#define GICD_CTLR_ARE_NS (1u << 4)
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_WAKER_PSLEEP (1u << 1)
#define GICR_WAKER_CASLEEP (1u << 2)
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 (GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI + 0x0180)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)

#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define SYSREG_R(r) READ_SYSREG(r)
#define SYSREG_W(r, v) WRITE_SYSREG(r, v)
#define XSTR(x) #x
#define MRS(r) ({ uint64_t _v; __asm__ volatile("mrs %0, " XSTR(r) : "=r"(_v)); _v; })
#define MSR(r, v) __asm__ volatile("msr " XSTR(r) ", %0" :: "r"((uint64_t)(v)) : "memory")

void bm_gic_init(void)
{
	const uintptr_t d = GUEST_GICV3_GICD_BASE, r = GUEST_GICV3_GICR0_BASE;
	unsigned int spin;

	bm_boot.gicd_typer = mmio_read32(d + GICD_TYPER);
	bm_boot.gicr_typer_lo = mmio_read32(r + GICR_TYPER);
	mmio_write32(d + GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1A);
	mmio_write32(r + GICR_WAKER, mmio_read32(r + GICR_WAKER) & ~GICR_WAKER_PSLEEP);
	for (spin = 0; spin < 100000 && (mmio_read32(r + GICR_WAKER) & GICR_WAKER_CASLEEP);
	     spin++)
		;
	mmio_write32(r + GICR_ICENABLER0, 0xffffffffu);
	mmio_write32(r + GICR_IGROUPR0, 0xffffffffu);	/* all group 1 */
	mmio_write8(r + GICR_IPRIORITYR + GUEST_TIMER_VIRT_PPI, 0xa0);
	mmio_write8(r + GICR_IPRIORITYR + GUEST_EVTCHN_PPI, 0xa0);
	mmio_write32(r + GICR_ISENABLER0,
		     (1u << GUEST_TIMER_VIRT_PPI) | (1u << GUEST_EVTCHN_PPI));

	MSR(ICC_SRE_EL1, MRS(ICC_SRE_EL1) | 1);	/* system register interface */
	isb();
	MSR(ICC_PMR_EL1, 0xff);
	MSR(ICC_BPR1_EL1, 0);
	MSR(ICC_CTLR_EL1, 0);			/* EOImode 0: EOI also deactivates */
	MSR(ICC_IGRPEN1_EL1, 1);
	isb();
}

/* --- generic timer ------------------------------------------------------------- */
static uint64_t cntfrq;

void bm_timer_init(void)
{
	cntfrq = READ_SYSREG(cntfrq_el0);
	if (!cntfrq)
		cntfrq = 62500000;	/* QEMU virt's, should Xen not set it */
	bm_boot.cntfrq = cntfrq;
	WRITE_SYSREG(cntv_ctl_el0, 0);
	isb();
}

static uint64_t counter(void)
{
	isb();
	return READ_SYSREG(cntvct_el0);
}

uint64_t bm_now_ms(void)
{
	uint64_t c = counter();

	return c / cntfrq * 1000 + c % cntfrq * 1000 / cntfrq;
}

uint64_t bm_now_us(void)
{
	uint64_t c = counter();

	return c / cntfrq * 1000000 + c % cntfrq * 1000000 / cntfrq;
}

void bm_timer_irq(void)
{
	WRITE_SYSREG(cntv_ctl_el0, 0);	/* level interrupt: disarm before EOI */
	isb();
	bm_boot.timer_irqs++;
}

void bm_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

void bm_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	isb();
}

/* Set by the upcall handler, consumed by bm_wait_event(). */
volatile uint32_t bm_wake;

void bm_wait_event(uint32_t timeout_ms)
{
	uint64_t deadline = counter() + (uint64_t)timeout_ms * cntfrq / 1000;
	unsigned int rounds;

	/* Each round ends with an interrupt (an upcall, the timer, anything) or
	 * a spurious wake; the timer fires by the deadline, so this is bounded
	 * in time; the round count bounds it too. */
	for (rounds = 0; rounds < (1u << 20); rounds++) {
		bm_irq_disable();
		if (bm_wake) {
			bm_wake = 0;
			bm_irq_enable();
			break;
		}
		if (counter() >= deadline) {
			bm_irq_enable();
			break;
		}
		WRITE_SYSREG(cntv_cval_el0, deadline);
		WRITE_SYSREG(cntv_ctl_el0, 1);	/* enabled, not masked */
		isb();
		/* With IRQs masked, wfi still wakes on a pending interrupt (Xen:
		 * vcpu_block_unless_event_pending ignores the guest's mask); it is
		 * taken once unmasked below, so nothing is lost in between. */
		__asm__ volatile("dsb sy\n\twfi" ::: "memory");
		bm_boot.wfi_sleeps++;
		bm_irq_enable();
	}
	WRITE_SYSREG(cntv_ctl_el0, 0);
	isb();
}

void bm_halt(void)
{
	WRITE_SYSREG(cntv_ctl_el0, 0);
	bm_irq_enable();
	for (;;)
		__asm__ volatile("wfi" ::: "memory");
}

/* --- exceptions ------------------------------------------------------------------ */
struct bm_frame {
	uint64_t x[31];
	uint64_t elr, spsr, pad;
};

static void irq_dispatch(void)
{
	unsigned int n;

	for (n = 0; n < 8; n++) {
		uint64_t iar = MRS(ICC_IAR1_EL1);
		uint32_t intid = (uint32_t)(iar & 0xffffff);

		if (intid >= 1020 && intid <= 1023) {
			if (n == 0)
				bm_boot.spurious_irqs++;
			return;
		}
		if (intid == GUEST_EVTCHN_PPI)
			bm_evtchn_upcall();
		else if (intid == GUEST_TIMER_VIRT_PPI)
			bm_timer_irq();
		else
			bm_boot.other_irqs++;
		MSR(ICC_EOIR1_EL1, iar);
		isb();
	}
}

void bm_exception(struct bm_frame *f, uint64_t kind);
void bm_exception(struct bm_frame *f, uint64_t kind)
{
	/* 5: IRQ taken from EL1 with SP_EL1 (the only one expected) */
	if (kind == 5) {
		irq_dispatch();
		return;
	}
	bm_printf("XENSHM-RESULT %s exception FAIL vector=%u esr=%lx elr=%lx far=%lx\n",
		  bm_marker_dom, (unsigned int)kind, READ_SYSREG(esr_el1), f->elr,
		  READ_SYSREG(far_el1));
	bm_printf("XENSHM-DONE %s rc=99\n", bm_marker_dom);
	for (;;)
		__asm__ volatile("msr daifset, #0xf\n\twfi" ::: "memory");
}

/* --- start ---------------------------------------------------------------------- */
extern void (*__init_array_start[])(void);
extern void (*__init_array_end[])(void);
int bm_fdt_rc;
void bm_start(uint64_t dtb);

void bm_start(uint64_t dtb)
{
	void (**ctor)(void);

	bm_boot.dtb = dtb;
	bm_boot.current_el = (READ_SYSREG(CurrentEL) >> 2) & 3;
	bm_fdt_rc = bm_fdt_parse((const void *)(uintptr_t)dtb);	/* MMU still off */
	bm_mmu_init();
	bm_timer_init();
	bm_gic_init();
	bm_xen_init();
	bm_irq_enable();
	for (ctor = __init_array_start; ctor < __init_array_end; ctor++)
		(*ctor)();
	main();
	bm_halt();
}
