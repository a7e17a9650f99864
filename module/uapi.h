/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Validation of ioctl arguments coming from userspace.
 *
 * Every argument struct of uapi/xenshm.h starts with { __u32 size; __u32
 * flags; }.  The rules, in the order they are applied:
 *
 *   size < v1 size of the struct          -> -EINVAL
 *   size > XENSHM_UAPI_MAX_SIZE (4096)    -> -E2BIG
 *   any non-zero byte beyond the v1 size  -> -E2BIG  (copy_struct_from_user)
 *   unknown flag bits, non-zero reserved  -> -EINVAL
 *   enum value out of range               -> -EINVAL
 *
 * The functions here are pure (no locks, no side effects) so that KUnit can
 * test them row by row; chardev.c does the copying.
 */
#ifndef XENSHM_UAPI_CHECK_H
#define XENSHM_UAPI_CHECK_H

#include <linux/types.h>
#include "uapi/xenshm.h"

#define XENSHM_UAPI_MAX_SIZE 4096u

/* Highest domid a real domain can have (Xen's DOMID_FIRST_RESERVED - 1). */
#define XENSHM_UAPI_MAX_DOMID 0x7fefu

int xenshm_uapi_check_size(u32 usize, size_t v1_size);
/* Size of the v1 argument of @cmd, or 0 for an unknown command. */
size_t xenshm_uapi_arg_size(unsigned int cmd);

int xenshm_uapi_check_info(const struct xenshm_info *arg);
int xenshm_uapi_check_connect(const struct xenshm_connect *arg);
int xenshm_uapi_check_eventfd(const struct xenshm_eventfd *arg);
int xenshm_uapi_check_notify(const struct xenshm_notify *arg);
int xenshm_uapi_check_stats(const struct xenshm_stats *arg);
int xenshm_uapi_check_reset(const struct xenshm_reset *arg);

#endif /* XENSHM_UAPI_CHECK_H */
