/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * xsr_mem.h - copy callbacks for plain (userspace or kernel-virtual) memory,
 * for callers of xsr.h that copy between ordinary buffers and the ring.
 * Kernel code that copies to/from user pointers writes its own callbacks
 * around copy_{to,from}_user (module/ringshim.c).
 */
#ifndef XENSHM_XSR_MEM_H
#define XENSHM_XSR_MEM_H

#include "xenshm/xsr.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

static inline int xsr_copy_in_memcpy(void *ctx, void *shm_dst, const void *src,
				     size_t len)
{
	(void)ctx;
	memcpy(shm_dst, src, len);
	return 0;
}

static inline int xsr_copy_out_memcpy(void *ctx, void *dst, const void *shm_src,
				      size_t len)
{
	(void)ctx;
	memcpy(dst, shm_src, len);
	return 0;
}

#endif /* XENSHM_XSR_MEM_H */
