/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Differences between the kernels xenshm builds against (Debian 12's 6.1,
 * Debian's 6.12, vendor kernels in between), each behind a XENSHM_HAVE_*
 * macro that Kbuild sets from a probe of the kernel's own headers, never
 * from a version number.  The probes and the kernel change each one covers
 * are listed once, in Kbuild ("Kernel API probes").
 */
#ifndef XENSHM_KCOMPAT_H
#define XENSHM_KCOMPAT_H

#include <linux/eventfd.h>
#include <linux/mm.h>

/* Linux 6.8 dropped eventfd_signal()'s count: it always adds 1. */
static inline void xenshm_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef XENSHM_HAVE_EVENTFD_SIGNAL_COUNT
	eventfd_signal(ctx, 1);
#else
	eventfd_signal(ctx);
#endif
}

/* Linux 6.3 made vma->vm_flags read-only behind vm_flags_mod(). */
static inline void xenshm_vm_flags_mod(struct vm_area_struct *vma,
				       unsigned long set, unsigned long clear)
{
#ifdef XENSHM_HAVE_VM_FLAGS_MOD
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

/*
 * Linux 6.5 learnt static event channels (bound by Xen at boot): marked
 * static, a port survives unbind.  Before, unbind always closes the port,
 * and a closed static port is gone until the domain reboots.  Returns true
 * if the port will survive.  Call it right after binding the port.
 */
#ifdef XENSHM_HAVE_XEN
#include <xen/events.h>

static inline bool xenshm_evtchn_keep_static(evtchn_port_t port)
{
#ifdef XENSHM_HAVE_STATIC_EVTCHN
	return evtchn_make_refcounted(port, true) == 0;
#else
	return false;
#endif
}
#endif

#endif /* XENSHM_KCOMPAT_H */
