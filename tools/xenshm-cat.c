// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm-cat: stdin -> channel and channel -> stdout, like socat.
 *
 * Usage: xenshm-cat [-m] [-r|-w] [-q] [-n BYTES] [-t MS] NAME
 *   -m        message mode: each read() of stdin (at most max_msg bytes)
 *             becomes one message; received messages are written as they come
 *   -w        write only: copy stdin into the channel, then close
 *   -r        read only: copy the channel to stdout until the peer hangs up
 *   -q        quit at stdin EOF (default: keep receiving until the peer
 *             hangs up)
 *   -n BYTES  stop after receiving BYTES
 *   -t MS     connect timeout (default 30000)
 * Both directions run at once through one poll() loop; the device fd is
 * non-blocking. Exit 0 on a clean end (EOF/hang-up), 1 on errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libxenshm.h"

static int write_out(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int mode = XENSHM_MODE_STREAM, do_tx = 1, do_rx = 1, quit_on_eof = 0;
	long long limit = -1, received = 0;
	int timeout_ms = 30000, fd, r, opt;
	size_t cap, pend_off = 0, pend_len = 0;
	struct xenshm_info info;
	char *txbuf, *rxbuf;
	int stdin_eof = 0;

	while ((opt = getopt(argc, argv, "mrwqn:t:h")) != -1) {
		switch (opt) {
		case 'm': mode = XENSHM_MODE_MESSAGE; break;
		case 'r': do_tx = 0; break;
		case 'w': do_rx = 0; break;
		case 'q': quit_on_eof = 1; break;
		case 'n': limit = atoll(optarg); break;
		case 't': timeout_ms = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-m] [-r|-w] [-q] [-n BYTES] [-t MS] NAME\n", argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind + 1 != argc || (!do_tx && !do_rx)) {
		fprintf(stderr, "usage: %s [-m] [-r|-w] [-q] [-n BYTES] [-t MS] NAME\n", argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	fd = xenshm_open(argv[optind], O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "xenshm-cat: %s: %s\n", argv[optind], strerror(-fd));
		return 1;
	}
	r = xenshm_connect(fd, (uint32_t)mode, XENSHM_ROLE_AUTO, (uint32_t)timeout_ms,
			   XENSHM_DOMID_NONE);
	if (r == -EINPROGRESS)
		r = xenshm_wait_connected(fd, timeout_ms);
	if (!r)
		r = xenshm_get_info(fd, &info);
	if (r) {
		fprintf(stderr, "xenshm-cat: connect %s: %s\n", argv[optind], strerror(-r));
		return 1;
	}
	cap = mode == XENSHM_MODE_MESSAGE ? info.max_msg_size : 65536;
	if (cap > (1u << 20))
		cap = 1u << 20;
	txbuf = malloc(cap);
	rxbuf = malloc(info.max_msg_size > 65536 ? info.max_msg_size : 65536);
	if (!txbuf || !rxbuf)
		return 1;
	if (!do_tx)
		stdin_eof = 1;

	for (;;) {
		struct pollfd p[2] = { { 0, 0, 0 }, { fd, 0, 0 } };
		int n;

		if (stdin_eof && !pend_len && (!do_rx || quit_on_eof))
			break;
		if (!stdin_eof && !pend_len)
			p[0].events = POLLIN;
		else
			p[0].fd = -1;
		if (pend_len)
			p[1].events |= POLLOUT;
		if (do_rx)
			p[1].events |= POLLIN;
		n = poll(p, 2, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("xenshm-cat: poll");
			return 1;
		}
		if (p[1].revents & POLLERR) {
			fprintf(stderr, "xenshm-cat: channel error (corrupt shared memory or failed connection)\n");
			return 1;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			ssize_t got = read(0, txbuf, cap);

			if (got < 0 && errno != EINTR && errno != EAGAIN) {
				perror("xenshm-cat: stdin");
				return 1;
			}
			if (got == 0)
				stdin_eof = 1;
			if (got > 0) {
				pend_off = 0;
				pend_len = (size_t)got;
			}
		}
		if (pend_len) {
			ssize_t w = write(fd, txbuf + pend_off, pend_len);

			if (w > 0) {
				pend_off += (size_t)w;
				pend_len -= (size_t)w;
			} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "xenshm-cat: write: %s\n", strerror(errno));
				return 1;
			}
		}
		if (do_rx && (p[1].revents & (POLLIN | POLLHUP))) {
			ssize_t got = read(fd, rxbuf, info.max_msg_size > 65536 ? info.max_msg_size : 65536);

			if (got < 0 && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "xenshm-cat: read: %s\n", strerror(errno));
				return 1;
			}
			if (got == 0)
				break;	/* the peer hung up and everything was read */
			if (got > 0) {
				if (limit >= 0 && received + got > limit)
					got = (ssize_t)(limit - received);
				if (write_out(1, rxbuf, (size_t)got)) {
					perror("xenshm-cat: stdout");
					return 1;
				}
				received += got;
				if (limit >= 0 && received >= limit)
					break;
			}
		}
		if ((p[1].revents & POLLHUP) && !do_rx) {
			fprintf(stderr, "xenshm-cat: peer hung up\n");
			return pend_len || !stdin_eof ? 1 : 0;
		}
	}
	close(fd);
	return 0;
}
