/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xenshm bare-metal platform: the API a freestanding peer library links
 * against when it runs as a dom0less Xen/arm64 domU without an OS.
 *
 * Everything here is single-vCPU and not reentrant except where noted:
 * callbacks registered with bm_set_callback() run in IRQ context.
 * Return values of the event-channel calls are 0 or a port number on success
 * and a negative Xen errno (-22 EINVAL, -1 EPERM, ...) on failure.
 */
#ifndef XENSHM_BM_H
#define XENSHM_BM_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BM_DOMID_SELF 0x7FF0u	/* DOMID_SELF, xen/include/public/xen.h */
#define BM_MAX_PORTS 1024u	/* a dom0less domU's max_evtchn_port is 1023 */
#define BM_MAX_REGIONS 8u
#define BM_REGION_ID_LEN 16u	/* xen,shm-id: at most 15 characters in 4.17 */

/* --- event channels (EVTCHNOP_* as raw hypercalls) ------------------------ */
/* A port for REMOTE to bind to (REMOTE may be BM_DOMID_SELF): port or -errno. */
int bm_alloc_unbound(uint32_t remote);
/* Bind to REMOTE's unbound port RPORT: the local port or -errno. */
int bm_bind_interdomain(uint32_t remote, uint32_t rport);
/* 0 if PORT is interdomain (then *rdom, *rport = the other end), 1 if it is
 * in another state (closed, unbound, ...; *rdom = the unbound port's remote
 * domain, *rport = 0), -errno on error (-22: PORT beyond the allocated ones). */
int bm_evtchn_status(uint32_t port, uint32_t *rdom, uint32_t *rport);
int bm_notify(uint32_t port);	/* EVTCHNOP_send */
int bm_close(uint32_t port);	/* EVTCHNOP_close; also drops the callback */
int bm_unmask(uint32_t port);	/* EVTCHNOP_unmask (re-delivers if pending) */

/* Per-port callback, called from the PPI 31 upcall handler (IRQ context,
 * interrupts masked) after the port's pending bit was cleared. NULL removes. */
typedef void (*bm_evtchn_cb)(uint32_t port, void *arg);
int bm_set_callback(uint32_t port, bm_evtchn_cb cb, void *arg);
/* Upcalls seen per port (events delivered for PORT since boot) and in total
 * (PPI 31 interrupts taken). */
uint32_t bm_upcall_count(uint32_t port);
uint64_t bm_upcall_irqs(void);

/* --- time and sleeping ---------------------------------------------------- */
uint64_t bm_now_ms(void);	/* CNTVCT / CNTFRQ since boot of the counter */
uint64_t bm_now_us(void);
/* Sleep in wfi until an event-channel upcall arrived since the last call
 * (sticky: one that came before the call returns at once) or TIMEOUT_MS
 * passed (the virtual timer is armed for it). No polling. Not from IRQ
 * context; may be entered with IRQs masked (an upcall already pending
 * still ends the wfi) and always returns with IRQs enabled. A port just
 * bound (bm_bind_interdomain, or a static one at boot) has one event
 * pending from Xen itself. */
void bm_wait_event(uint32_t timeout_ms);

/* --- who am I, what do I share -------------------------------------------- */
/* Own domid, learned from Xen at boot (EVTCHNOP_alloc_unbound toward
 * DOMID_SELF, EVTCHNOP_status, EVTCHNOP_close); -1 if that failed. */
int bm_domid(void);
struct bm_region {
	char id[BM_REGION_ID_LEN];	/* xen,id of the reserved-memory node */
	uint64_t addr, size;		/* guest physical = virtual (identity map) */
};
/* The static shared-memory regions Xen put into this domain's device tree
 * (/reserved-memory/xen-shmem@...). Mapped Normal WB inner-shareable. */
unsigned int bm_region_count(void);
const struct bm_region *bm_region(unsigned int i);
const struct bm_region *bm_region_find(const char *id);
/* /chosen/bootargs of the device tree ("" if none), and one "key=value"
 * word of it: copies value into BUF (NUL-terminated), returns its length or
 * -1 when KEY is absent. */
const char *bm_cmdline(void);
int bm_cmdline_get(const char *key, char *buf, size_t len);

/* --- console (vpl011, polled) --------------------------------------------- */
void bm_putc(char c);
void bm_puts(const char *s);	/* no newline added */
int bm_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int bm_snprintf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int bm_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
/* Formatting: %s %c %d %i %u %x %X %p %%, flags '0' '-', width, .precision
 * (strings), length l ll z. Returns the full length, like snprintf. */

/* --- misc ----------------------------------------------------------------- */
void bm_irq_disable(void);
void bm_irq_enable(void);
void bm_halt(void) __attribute__((noreturn));		/* wfi forever, IRQs on */
void bm_poweroff(void) __attribute__((noreturn));	/* SCHEDOP_shutdown */

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* XENSHM_BM_H */
