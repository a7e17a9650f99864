// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libxenshm fd helpers: open and the ioctls of /dev/xenshm/<name>.
 * Every helper returns 0 (or a positive value) or a negative errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "libxenshm.h"

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

const char *xenshm_dev_path(const char *name, char *buf, size_t len)
{
	if (strchr(name, '/'))
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, XENSHM_DEV_DIR "/%s", name);
	return buf;
}

int xenshm_open(const char *name, int oflags)
{
	char path[256];
	int fd;

	fd = open(xenshm_dev_path(name, path, sizeof(path)),
		  O_RDWR | O_CLOEXEC | oflags);
	return fd < 0 ? neg_errno() : fd;
}

int xenshm_get_info(int fd, struct xenshm_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return ioctl(fd, XENSHM_IOC_GET_INFO, info) < 0 ? neg_errno() : 0;
}

int xenshm_get_stats(int fd, struct xenshm_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->size = sizeof(*stats);
	return ioctl(fd, XENSHM_IOC_STATS, stats) < 0 ? neg_errno() : 0;
}

int xenshm_connect(int fd, uint32_t mode, uint32_t role, uint32_t timeout_ms,
		   uint32_t peer_domid)
{
	struct xenshm_connect c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.mode = mode;
	c.role = role;
	c.timeout_ms = timeout_ms;
	if (peer_domid != XENSHM_DOMID_NONE) {
		c.flags |= XENSHM_CONNECT_FLAGS_PIN_PEER;
		c.peer_domid = peer_domid;
	}
	return ioctl(fd, XENSHM_IOC_CONNECT, &c) < 0 ? neg_errno() : 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int xenshm_wait_connected(int fd, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	struct xenshm_info info;
	struct pollfd p;
	int ret, left;

	for (;;) {
		ret = xenshm_get_info(fd, &info);
		if (ret)
			return ret;
		switch (info.state) {
		case XENSHM_CHAN_STATE_CONNECTED:
			return 0;
		case XENSHM_CHAN_STATE_CONNECTING:
			break;
		default:
			return -ECONNREFUSED;
		}
		left = -1;
		if (deadline >= 0) {
			long long l = deadline - now_ms();

			if (l <= 0)
				return -ETIMEDOUT;
			left = (int)l;
		}
		p.fd = fd;
		p.events = POLLOUT;
		p.revents = 0;
		ret = poll(&p, 1, left);
		if (ret < 0 && errno != EINTR)
			return neg_errno();
		/* Whatever woke us, GET_INFO above says what happened. */
	}
}

int xenshm_set_eventfd(int fd, int efd)
{
	struct xenshm_eventfd e;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.fd = (uint32_t)efd;
	return ioctl(fd, XENSHM_IOC_SET_EVENTFD, &e) < 0 ? neg_errno() : 0;
}

int xenshm_clear_eventfd(int fd)
{
	struct xenshm_eventfd e;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.flags = XENSHM_EVENTFD_FLAGS_CLEAR;
	return ioctl(fd, XENSHM_IOC_SET_EVENTFD, &e) < 0 ? neg_errno() : 0;
}

int xenshm_notify(int fd, uint32_t flags)
{
	struct xenshm_notify n;
	int ret;

	memset(&n, 0, sizeof(n));
	n.size = sizeof(n);
	n.flags = flags;
	ret = ioctl(fd, XENSHM_IOC_NOTIFY, &n);
	return ret < 0 ? neg_errno() : ret;
}

int xenshm_reset(int fd)
{
	struct xenshm_reset r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	return ioctl(fd, XENSHM_IOC_RESET, &r) < 0 ? neg_errno() : 0;
}

const char *xenshm_state_name(uint32_t state)
{
	switch (state) {
	case XENSHM_CHAN_STATE_IDLE: return "idle";
	case XENSHM_CHAN_STATE_CONNECTING: return "connecting";
	case XENSHM_CHAN_STATE_CONNECTED: return "connected";
	case XENSHM_CHAN_STATE_PEER_GONE: return "peer_gone";
	case XENSHM_CHAN_STATE_BROKEN: return "broken";
	}
	return "?";
}

const char *xenshm_role_name(uint32_t role)
{
	switch (role) {
	case XENSHM_ROLE_AUTO: return "auto";
	case XENSHM_ROLE_RECEIVER: return "receiver";
	case XENSHM_ROLE_SENDER: return "sender";
	}
	return "?";
}

const char *xenshm_mode_name(uint32_t mode)
{
	switch (mode) {
	case XENSHM_MODE_STREAM: return "stream";
	case XENSHM_MODE_MESSAGE: return "message";
	}
	return "?";
}

const char *xenshm_transport_name(uint32_t transport)
{
	switch (transport) {
	case XENSHM_TRANSPORT_LOOPBACK: return "loopback";
	case XENSHM_TRANSPORT_XEN: return "xen";
	}
	return "?";
}
