/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Module-internal declarations shared by the C files of module/ (the uapi is
 * uapi/xenshm.h, included as "uapi/xenshm.h").
 *
 * main.c brings the parts up in this order and takes them down in reverse:
 *   1. xenshm_abi_check()      compile-time layout checks (module/abi_check.h)
 *   2. xenshm_selftest()       ring core self-check in kernel memory
 *   3. xenshm_loopback_init()  loopback pairs (channels and their devices)
 *   4. xenshm_xen_init()       Xen regions (channels and their devices)
 * The transports' *_init return the number of channels they created or a
 * negative errno; a failure unwinds what came before it. A load that would
 * create no channel at all fails with -ENODEV: a module with no device is a
 * configuration mistake the administrator should hear about.
 *
 * Kbuild defines XENSHM_HAVE_LOOPBACK when module/loopback.c is built and
 * XENSHM_HAVE_XEN when module/xen.c is built (it is only built on kernels
 * with CONFIG_XEN). Without them the hooks are no-op stubs.
 */
#ifndef XENSHM_MODULE_XENSHM_MAIN_H
#define XENSHM_MODULE_XENSHM_MAIN_H

#include <linux/types.h>

/*
 * Version of the module (modinfo "version"); the wire/ioctl ABI version is
 * XENSHM_ABI_MAJOR.XENSHM_ABI_MINOR in uapi/xenshm.h.
 */
#define XENSHM_VERSION "0.1.0"

/* selftest.c: returns 0 or -EIO, prints exactly one summary line. */
int xenshm_selftest(void);

#ifdef XENSHM_HAVE_LOOPBACK
/* loopback.c: the loopback pairs; returns how many ends it created. */
int xenshm_loopback_init(void);
void xenshm_loopback_exit(void);
#else
static inline int xenshm_loopback_init(void)
{
	return 0;
}

static inline void xenshm_loopback_exit(void)
{
}
#endif

#ifdef XENSHM_HAVE_XEN
/*
 * xen.c: discovers the static shared-memory regions and exposes them.
 * Returns the number of channels created, 0 when not running on Xen.
 */
int xenshm_xen_init(void);
void xenshm_xen_exit(void);
#else
static inline int xenshm_xen_init(void)
{
	return 0;
}

static inline void xenshm_xen_exit(void)
{
}
#endif

#endif /* XENSHM_MODULE_XENSHM_MAIN_H */
