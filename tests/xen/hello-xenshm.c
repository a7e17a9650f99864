// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The example of docs/xen-setup.md, run by make test-xen on xenshm-0-1. */
/* hello-xenshm.c: send a line to the peer domain and print its reply. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uapi/xenshm.h"	/* from the xenshm tree */

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/xenshm/xenshm-0-1";
	struct xenshm_connect c = { .size = sizeof(c), .mode = XENSHM_MODE_MESSAGE,
				    .role = XENSHM_ROLE_AUTO, .timeout_ms = 30000 };
	struct xenshm_info info = { .size = sizeof(info) };
	struct pollfd p;
	char buf[4096];
	ssize_t n;
	int fd;

	fd = open(dev, O_RDWR | O_CLOEXEC);		/* one opener per end */
	if (fd < 0 || (ioctl(fd, XENSHM_IOC_CONNECT, &c) && errno != EINPROGRESS)) {
		perror(dev);
		return 1;
	}
	/* The rendezvous runs in the kernel: POLLOUT once connected,
	 * POLLERR if it failed (read() then tells why). */
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, 35000) != 1 || !(p.revents & POLLOUT)) {
		n = read(fd, buf, sizeof(buf));
		fprintf(stderr, "connect: %s\n", n < 0 ? strerror(errno) : "timed out");
		return 1;
	}
	ioctl(fd, XENSHM_IOC_GET_INFO, &info);
	printf("connected: dom%u <-> dom%u, event channel port %u\n",
	       info.local_domid, info.peer_domid, info.local_port);

	n = snprintf(buf, sizeof(buf), "hello from dom%u", info.local_domid);
	if (write(fd, buf, n) != n)			/* one message, all or nothing */
		perror("write");
	n = read(fd, buf, sizeof(buf) - 1);		/* blocks; one whole message */
	if (n > 0)
		printf("peer says: %.*s\n", (int)n, buf);
	else
		printf("peer hung up (%s)\n", n ? strerror(errno) : "EOF");
	close(fd);					/* frees the slot, kicks the peer */
	return 0;
}
