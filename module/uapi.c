// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioctl argument validation; see uapi.h for the rules.  Pure functions: they
 * look only at their arguments, so KUnit tests them without a device.
 */
#include <linux/errno.h>
#include <linux/ioctl.h>
#include <linux/limits.h>

#include "uapi.h"

int xenshm_uapi_check_size(u32 usize, size_t v1_size)
{
	if (usize < v1_size)
		return -EINVAL;
	if (usize > XENSHM_UAPI_MAX_SIZE)
		return -E2BIG;
	return 0;
}

/*
 * The struct size encoded in the command number is ignored on purpose: a
 * caller built against a newer uapi header has a bigger struct and thus
 * another command number, and its size field is what counts.  Direction,
 * type and number must match exactly.
 */
#define XENSHM_IOC_NOSIZE(cmd) ((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

size_t xenshm_uapi_arg_size(unsigned int cmd)
{
	switch (XENSHM_IOC_NOSIZE(cmd)) {
	case XENSHM_IOC_NOSIZE(XENSHM_IOC_GET_INFO):
		return sizeof(struct xenshm_info);
	case XENSHM_IOC_NOSIZE(XENSHM_IOC_CONNECT):
		return sizeof(struct xenshm_connect);
	case XENSHM_IOC_NOSIZE(XENSHM_IOC_SET_EVENTFD):
		return sizeof(struct xenshm_eventfd);
	case XENSHM_IOC_NOSIZE(XENSHM_IOC_NOTIFY):
		return sizeof(struct xenshm_notify);
	case XENSHM_IOC_NOSIZE(XENSHM_IOC_STATS):
		return sizeof(struct xenshm_stats);
	case XENSHM_IOC_NOSIZE(XENSHM_IOC_RESET):
		return sizeof(struct xenshm_reset);
	default:
		return 0;
	}
}

/*
 * GET_INFO and STATS are output structs: only size and flags are inputs, the
 * rest of the caller's buffer is overwritten and therefore not checked.
 */
int xenshm_uapi_check_info(const struct xenshm_info *arg)
{
	return arg->flags ? -EINVAL : 0;
}

int xenshm_uapi_check_connect(const struct xenshm_connect *arg)
{
	if (arg->flags & ~(u32)XENSHM_CONNECT_FLAGS_ALL)
		return -EINVAL;
	if (arg->reserved)
		return -EINVAL;
	if (arg->heartbeat_ms &&
	    (arg->heartbeat_ms < 100 || arg->heartbeat_ms > XENSHM_HEARTBEAT_MAX_MS))
		return -EINVAL;
	if (arg->flags & XENSHM_CONNECT_FLAGS_PIN_PEER) {
		if (arg->peer_domid > XENSHM_UAPI_MAX_DOMID)
			return -EINVAL;
	} else if (arg->peer_domid) {
		return -EINVAL;
	}
	switch (arg->role) {
	case XENSHM_ROLE_AUTO:
	case XENSHM_ROLE_RECEIVER:
	case XENSHM_ROLE_SENDER:
		break;
	default:
		return -EINVAL;
	}
	switch (arg->mode) {
	case XENSHM_MODE_STREAM:
	case XENSHM_MODE_MESSAGE:
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

int xenshm_uapi_check_eventfd(const struct xenshm_eventfd *arg)
{
	if (arg->flags & ~(u32)XENSHM_EVENTFD_FLAGS_ALL)
		return -EINVAL;
	if (arg->reserved)
		return -EINVAL;
	if ((arg->flags & XENSHM_EVENTFD_FLAGS_CLEAR) && arg->fd)
		return -EINVAL;
	/* An fd is an int: larger values cannot be open files. */
	if (!(arg->flags & XENSHM_EVENTFD_FLAGS_CLEAR) && arg->fd > INT_MAX)
		return -EBADF;
	return 0;
}

int xenshm_uapi_check_notify(const struct xenshm_notify *arg)
{
	if (!arg->flags || (arg->flags & ~(u32)XENSHM_NOTIFY_FLAGS_ALL))
		return -EINVAL;
	return 0;
}

int xenshm_uapi_check_stats(const struct xenshm_stats *arg)
{
	return arg->flags ? -EINVAL : 0;
}

int xenshm_uapi_check_reset(const struct xenshm_reset *arg)
{
	return arg->flags ? -EINVAL : 0;
}
