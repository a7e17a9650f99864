/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The char device of a channel end: /dev/xenshm/<name>, its file operations
 * and its sysfs files (chardev.c).  It sits on top of the channel: whoever
 * creates a channel (a transport) adds its device right after
 * xenshm_channel_create() and removes it right before
 * xenshm_channel_destroy(); the channel never calls back up here.
 */
#ifndef XENSHM_CHARDEV_H
#define XENSHM_CHARDEV_H

#include <linux/types.h>

#include "uapi/xenshm.h"

struct file;
struct xenshm_channel;
struct xenshm_chardev;

/* Register /dev/xenshm/<ch->name> for @ch: the device or an ERR_PTR(). */
struct xenshm_chardev *xenshm_chardev_add(struct xenshm_channel *ch);
/* Unregister and free (NULL is a no-op).  No file of it may be open. */
void xenshm_chardev_remove(struct xenshm_chardev *dev);

/* An ioctl argument, once copied in (every one starts with size, flags). */
union xenshm_ioc_arg {
	struct xenshm_info info;
	struct xenshm_connect connect;
	struct xenshm_eventfd eventfd;
	struct xenshm_notify notify;
	struct xenshm_stats stats;
	struct xenshm_reset reset;
};

/*
 * The ioctl handler of @file after the user copies.  @u holds the argument
 * of @cmd, its size already checked; GET_INFO and STATS fill it in.
 * Validates and executes the command: 0 (NOTIFY: 0 or 1) or -errno.
 * unlocked_ioctl wraps it; KUnit calls it with kernel structs.
 */
long xenshm_ioctl_arg(struct file *file, unsigned int cmd,
		      union xenshm_ioc_arg *u);

#endif /* XENSHM_CHARDEV_H */
