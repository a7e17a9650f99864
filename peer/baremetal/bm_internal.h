/* SPDX-License-Identifier: GPL-2.0-only */
/* Internals shared by the platform's files (not for the peer library). */
#ifndef XENSHM_BM_INTERNAL_H
#define XENSHM_BM_INTERNAL_H

#include "bm.h"

/*
 * Xen's guest memory map and PPIs, Xen 4.17 public/arch-arm.h (checked
 * against the cached source, see docs/xen-setup.md section 8).
 */
#define GUEST_GICV3_GICD_BASE	0x03001000UL
#define GUEST_GICV3_GICR0_BASE	0x03020000UL	/* vCPU0's redistributor */
#define GUEST_PL011_BASE	0x22000000UL
#define GUEST_RAM0_BASE		0x40000000UL
#define GUEST_TIMER_VIRT_PPI	27
#define GUEST_EVTCHN_PPI	31

#define BM_PAGE_SIZE 4096UL

#define READ_SYSREG(r) ({ uint64_t _v; __asm__ volatile("mrs %0, " #r : "=r"(_v)); _v; })
#define WRITE_SYSREG(r, v) __asm__ volatile("msr " #r ", %0" :: "r"((uint64_t)(v)))
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(o) __asm__ volatile("dsb " #o ::: "memory")

static inline uint32_t mmio_read32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}

static inline void mmio_write32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static inline void mmio_write8(uintptr_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

/* RAM banks and regions found in the DT (fdt.c). */
struct bm_ram {
	uint64_t base, size;
};
struct bm_dtinfo {
	unsigned int nram;
	struct bm_ram ram[4];
	unsigned int nregions;
	struct bm_region regions[BM_MAX_REGIONS];
	unsigned int regions_dropped;
	char bootargs[512];
	char hyp_compat[64];
	uint32_t hyp_irq[3];		/* /hypervisor interrupts (first triple) */
	int hyp_irq_found;
	uint32_t totalsize;
};
extern struct bm_dtinfo bm_dt;
int bm_fdt_parse(const void *fdt);	/* 0 or a negative step number */

long bm_hypercall(unsigned long nr, unsigned long a0, unsigned long a1,
		  unsigned long a2, unsigned long a3, unsigned long a4);

void bm_mmu_init(void);
void bm_gic_init(void);
void bm_timer_init(void);
int bm_xen_init(void);		/* shared_info mapping + domid; 0 or -errno */
void bm_evtchn_upcall(void);
void bm_timer_irq(void);

/* Boot facts main() reports. */
struct bm_boot {
	uint64_t dtb;
	uint64_t current_el;
	uint64_t sctlr;
	uint64_t cntfrq;
	uint64_t shinfo_gpfn;
	long shinfo_rc;
	int shinfo_changed;		/* page no longer reads the fill pattern */
	long domid_rc;
	uint32_t gicd_typer, gicr_typer_lo;
	uint64_t timer_irqs;
	uint64_t wfi_sleeps;
	uint64_t spurious_irqs, other_irqs;
	uint64_t empty_upcalls;		/* PPI 31 with no port pending */
};
extern struct bm_boot bm_boot;

int main(void);
extern int bm_fdt_rc;
extern volatile uint32_t bm_wake;
extern const char *bm_marker_dom;

#endif
