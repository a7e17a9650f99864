// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bulk transfers for the QEMU tests: each end sends a deterministic stream
 * (tests/qemu/harness.c) and checks the one it receives byte by byte, and
 * both sides keep Fletcher-style checksums that are compared at the end.
 */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bulk.h"

static int bulk_rw(int fd, struct stream *tx, struct stream *rx, uint64_t bytes,
		   size_t chunk, uint8_t *rbuf)
{
	int r;

	r = set_nonblock(fd, 1);
	if (r)
		return r;
	while (tx->pos < bytes || rx->pos < bytes) {
		short ev = 0;
		int progress = 0;

		if (tx->pos < bytes) {
			size_t n = bytes - tx->pos < chunk ? (size_t)(bytes - tx->pos) : chunk;
			ssize_t w = write(fd, stream_at(tx), n);

			if (w > 0) {
				stream_advance(tx, stream_at(tx), (size_t)w);
				progress = 1;
			} else if (w < 0 && errno != EAGAIN) {
				diag("write at %llu: %s", (unsigned long long)tx->pos, errname(-errno));
				return -errno;
			} else {
				ev |= POLLOUT;
			}
		}
		if (rx->pos < bytes) {
			size_t n = bytes - rx->pos < chunk ? (size_t)(bytes - rx->pos) : chunk;
			ssize_t got = read(fd, rbuf, n);

			if (got > 0) {
				if (stream_check(rx, rbuf, (size_t)got))
					return -EBADMSG;
				progress = 1;
			} else if (got == 0) {
				diag("EOF at %llu", (unsigned long long)rx->pos);
				return -ENODATA;
			} else if (errno != EAGAIN) {
				diag("read at %llu: %s", (unsigned long long)rx->pos, errname(-errno));
				return -errno;
			} else {
				ev |= POLLIN;
			}
		}
		if (progress || !ev)
			continue;
		r = poll1(fd, ev, 20000);
		if (r == 0) {
			diag("stalled: tx %llu rx %llu, poll(0x%x) timed out",
			     (unsigned long long)tx->pos, (unsigned long long)rx->pos, ev);
			return -ETIMEDOUT;
		}
		if (r < 0)
			return r;
		/* A hang-up with data still queued is fine: read to the end. */
		if ((r & (POLLERR | POLLNVAL)) ||
		    ((r & POLLHUP) && (tx->pos < bytes || !(r & POLLIN)))) {
			diag("poll revents 0x%x at tx %llu rx %llu", r,
			     (unsigned long long)tx->pos, (unsigned long long)rx->pos);
			return -EIO;
		}
	}
	return 0;
}

static int bulk_mmap(int fd, struct stream *tx, struct stream *rx, uint64_t bytes,
		     size_t chunk, uint8_t *rbuf)
{
	struct xenshm_map m;
	uint64_t eventfd_wakeups = 0;
	int efd, r;

	r = xenshm_map(fd, &m);
	if (r) {
		diag("xenshm_map: %s", errname(r));
		return r;
	}
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0)
		return -errno;
	r = xenshm_set_eventfd(fd, efd);
	if (r) {
		diag("set_eventfd: %s", errname(r));
		goto out;
	}
	while (tx->pos < bytes || rx->pos < bytes) {
		int progress = 0;

		if (tx->pos < bytes) {
			size_t n = bytes - tx->pos < chunk ? (size_t)(bytes - tx->pos) : chunk;
			ssize_t w = xenshm_map_write(&m, stream_at(tx), n);

			if (w > 0) {
				stream_advance(tx, stream_at(tx), (size_t)w);
				progress = 1;
				r = xenshm_map_kick_tx(&m);
				if (r < 0) {
					diag("kick tx: %s", errname(r));
					goto out;
				}
			} else if (w != -EAGAIN) {
				diag("map_write at %llu: %s", (unsigned long long)tx->pos, errname(w));
				r = (int)w;
				goto out;
			}
		}
		if (rx->pos < bytes) {
			size_t n = bytes - rx->pos < chunk ? (size_t)(bytes - rx->pos) : chunk;
			ssize_t got = xenshm_map_read(&m, rbuf, n);

			if (got > 0) {
				if (stream_check(rx, rbuf, (size_t)got)) {
					r = -EBADMSG;
					goto out;
				}
				progress = 1;
				r = xenshm_map_kick_rx(&m);
				if (r < 0) {
					diag("kick rx: %s", errname(r));
					goto out;
				}
			} else if (got != -EAGAIN) {
				diag("map_read at %llu: %s", (unsigned long long)rx->pos, errname(got));
				r = (int)got;
				goto out;
			}
		}
		if (progress)
			continue;
		/* Nothing to do: arm, re-check, sleep on the eventfd. */
		r = 0;
		if (rx->pos < bytes)
			r |= xenshm_map_arm_rx(&m);
		if (tx->pos < bytes) {
			uint64_t left = bytes - tx->pos;

			r |= xenshm_map_arm_tx(&m, left < chunk / 2 ? (size_t)left : chunk / 2);
		}
		if (r < 0) {
			diag("arm: %s", errname(r));
			goto out;
		}
		if (r)
			continue;
		r = poll1(efd, POLLIN, 20000);
		if (r == 0) {
			diag("stalled: tx %llu rx %llu, no eventfd wakeup in 20 s",
			     (unsigned long long)tx->pos, (unsigned long long)rx->pos);
			r = -ETIMEDOUT;
			goto out;
		}
		if (r < 0)
			goto out;
		{
			uint64_t v;

			if (read(efd, &v, 8) == 8)
				eventfd_wakeups += v;
		}
	}
	r = 0;
	diag("mmap end: %llu eventfd wakeups", (unsigned long long)eventfd_wakeups);
out:
	xenshm_clear_eventfd(fd);
	close(efd);
	xenshm_unmap(&m);
	return r;
}

int bulk_end(int fd, uint32_t tx_seed, uint32_t rx_seed, uint64_t bytes,
	     size_t chunk, int use_mmap, struct bulk_result *res)
{
	struct stream tx, rx;
	uint8_t *rbuf;
	double t0 = now_s();
	int r;

	memset(res, 0, sizeof(*res));
	if (stream_init(&tx, tx_seed, chunk) || stream_init(&rx, rx_seed, chunk))
		return -ENOMEM;
	rbuf = malloc(chunk);
	if (!rbuf)
		return -ENOMEM;
	if (use_mmap)
		r = bulk_mmap(fd, &tx, &rx, bytes, chunk, rbuf);
	else
		r = bulk_rw(fd, &tx, &rx, bytes, chunk, rbuf);
	res->seconds = now_s() - t0;
	res->tx_pos = tx.pos;
	res->tx_sum1 = tx.sum1;
	res->tx_sum2 = tx.sum2;
	res->rx_pos = rx.pos;
	res->rx_sum1 = rx.sum1;
	res->rx_sum2 = rx.sum2;
	res->err = r;
	free(rbuf);
	stream_free(&tx);
	stream_free(&rx);
	return r;
}

int bulk_both_ways(struct pair *p, uint64_t bytes, size_t chunk, int use_mmap,
		   double *seconds)
{
	struct bulk_result ra, rb;
	int fds[2], status, r;
	double t0 = now_s();
	pid_t pid;

	if (pipe(fds))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(fds[0]);
		close(p->a);
		bulk_end(p->b, 2, 1, bytes, chunk, use_mmap, &rb);
		if (write(fds[1], &rb, sizeof(rb)) != sizeof(rb))
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	r = bulk_end(p->a, 1, 2, bytes, chunk, use_mmap, &ra);
	if (r) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(fds[0]);
		return r;
	}
	if (read(fds[0], &rb, sizeof(rb)) != sizeof(rb)) {
		diag("child (end b) died");
		waitpid(pid, NULL, 0);
		close(fds[0]);
		return -EIO;
	}
	waitpid(pid, &status, 0);
	close(fds[0]);
	*seconds = now_s() - t0;
	if (rb.err) {
		diag("end b failed: %s", errname(rb.err));
		return rb.err;
	}
	if (ra.tx_pos != bytes || rb.rx_pos != bytes || rb.tx_pos != bytes || ra.rx_pos != bytes) {
		diag("positions a->b %llu/%llu b->a %llu/%llu",
		     (unsigned long long)ra.tx_pos, (unsigned long long)rb.rx_pos,
		     (unsigned long long)rb.tx_pos, (unsigned long long)ra.rx_pos);
		return -EIO;
	}
	if (ra.tx_sum1 != rb.rx_sum1 || ra.tx_sum2 != rb.rx_sum2 ||
	    rb.tx_sum1 != ra.rx_sum1 || rb.tx_sum2 != ra.rx_sum2) {
		diag("checksum mismatch");
		return -EBADMSG;
	}
	diag("%llu MiB each way in %.2f s: %.1f MiB/s each way; a->b checksum %016llx%016llx",
	     (unsigned long long)(bytes >> 20), *seconds, (bytes / 1048576.0) / *seconds,
	     (unsigned long long)ra.tx_sum2, (unsigned long long)ra.tx_sum1);
	return 0;
}
