// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm-bmpeer: the Linux end of the bare-metal peer's services
 * (peer/baremetal/service.h), for tests/xen/e2e.sh and the demo.
 *
 *   xenshm-bmpeer echo CHAN message|stream BYTES TEST
 *       connect as the SENDER in that mode, send BYTES of the pattern
 *       (peer/baremetal/pattern.h; messages of 1..4000 bytes, or a stream)
 *       while reading back the echoed messages; every byte must come back
 *       in order
 *   xenshm-bmpeer consume CHAN BYTES TEST
 *       connect (AUTO role), read BYTES of the producer's stream, check it
 *   xenshm-bmpeer survive CHAN TEST
 *       echo as above (message mode) with no end, until the channel ends:
 *       the peer hangs (its "hang=" bootarg) and only its silence tells;
 *       PASS if the echo was right, the end is a hang-up, and it came within
 *       SURVIVE_BOUND_S of the last echo received
 *
 * Prints one marker, XENSHM-RESULT $XENSHM_DOM TEST PASS|FAIL detail, with
 * this end's event counters (both must be > 0: the peer's upcalls woke us
 * and ours woke it). Bounded: 60 s to connect, 120 s in all.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libxenshm.h"
#include "pattern.h"

#define CONNECT_MS	60000
#define TOTAL_S		120
#define MSG_MAX		4000
/* Design bound for noticing a silent peer: the default limit (750 ms, or
 * twice the peer's period if longer) plus one check period; 3 s allows a
 * loaded host, as tests/xen/xenshm-death.c does. */
#define SURVIVE_BOUND_S	3.0

static const char *dom = "?";
/* poll() calls that waited their full second: a lost wakeup shows here. */
static unsigned int idle_polls;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int result(const char *test, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int result(const char *test, int ok, const char *fmt, ...)
{
	char detail[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("XENSHM-RESULT %s %s %s %.96s\n", dom, test, ok ? "PASS" : "FAIL", detail);
	fflush(stdout);
	return ok ? 0 : 1;
}

static int open_connected(const char *chan, uint32_t mode, uint32_t role, const char *test)
{
	int fd = xenshm_open(chan, O_NONBLOCK), ret;

	if (fd < 0)
		return -result(test, 0, "open %s: %s", chan, strerror(-fd));
	ret = xenshm_connect(fd, mode, role, CONNECT_MS, XENSHM_DOMID_NONE);
	if (ret == -EINPROGRESS)
		ret = xenshm_wait_connected(fd, CONNECT_MS + 5000);
	if (ret) {
		close(fd);
		return -result(test, 0, "connect %s: %s", chan, strerror(-ret));
	}
	return fd;
}

static void fill(uint8_t *buf, uint64_t pos, size_t len)
{
	size_t k;

	for (k = 0; k < len; k++)
		buf[k] = xenshm_bm_pattern(pos + k);
}

/* First offset in @buf that is not the pattern at @pos, or -1. */
static long check(const uint8_t *buf, uint64_t pos, size_t len)
{
	size_t k;

	for (k = 0; k < len; k++)
		if (buf[k] != xenshm_bm_pattern(pos + k))
			return (long)k;
	return -1;
}

static int finish(int fd, const char *test, const char *what, int ok, double t0)
{
	struct xenshm_stats st = { 0 };
	int sret = xenshm_get_stats(fd, &st);

	close(fd);
	return result(test, ok && !sret && st.notify_recv && st.notify_sent,
		      "%s, %.2f s, events out %llu in %llu, idle polls %u", what,
		      now_s() - t0, (unsigned long long)st.notify_sent,
		      (unsigned long long)st.notify_recv, idle_polls);
}

/* bytes == 0: echo until the channel ends (survive). */
static int do_echo(const char *chan, const char *mode_s, uint64_t bytes, const char *test)
{
	uint32_t mode = strcmp(mode_s, "message") ? XENSHM_MODE_STREAM : XENSHM_MODE_MESSAGE;
	static uint8_t out[65536], in[65536];
	uint64_t sent = 0, got = 0, k = 0;
	const int until_end = !bytes;
	double t0 = now_s(), last_rx = t0;
	char what[96];
	int fd, hup = 0;

	if (until_end)
		bytes = UINT64_MAX;
	fd = open_connected(chan, mode, XENSHM_ROLE_SENDER, test);
	if (fd < 0)
		return 1;
	while (got < bytes && now_s() - t0 < TOTAL_S) {
		struct pollfd q = { .fd = fd, .events = POLLIN | (sent < bytes ? POLLOUT : 0) };
		ssize_t n;

		int pr = poll(&q, 1, 1000);

		if (pr < 0 && errno != EINTR)
			break;
		idle_polls += pr == 0;
		if (q.revents & (POLLERR | POLLHUP)) {
			hup = !(q.revents & POLLERR);
			break;
		}
		if (sent < bytes && (q.revents & POLLOUT)) {
			size_t len = mode == XENSHM_MODE_MESSAGE ? 1 + (k * 977) % MSG_MAX : sizeof(out);

			if (len > bytes - sent)
				len = bytes - sent;
			fill(out, sent, len);
			n = write(fd, out, len);
			if (n > 0) {
				sent += (uint64_t)n;
				k++;
			} else if (n < 0 && errno != EAGAIN) {
				hup = errno == ECONNRESET;
				break;
			}
		}
		n = read(fd, in, sizeof(in));
		if (n > 0) {
			long bad = check(in, got, (size_t)n);

			if (bad >= 0) {
				close(fd);
				return result(test, 0, "echo differs at byte %llu",
					      (unsigned long long)(got + (uint64_t)bad));
			}
			got += (uint64_t)n;
			last_rx = now_s();
		} else if (n == 0 || (n < 0 && errno != EAGAIN)) {
			hup = n == 0 || errno == ECONNRESET;
			break;
		}
	}
	if (until_end) {
		double quiet = now_s() - last_rx;

		snprintf(what, sizeof(what), "%llu B echoed, hang-up %.2f s after the last echo",
			 (unsigned long long)got, quiet);
		return finish(fd, test, what, hup && got && quiet <= SURVIVE_BOUND_S, t0);
	}
	snprintf(what, sizeof(what), "%s %llu B out, %llu back", mode_s,
		 (unsigned long long)sent, (unsigned long long)got);
	return finish(fd, test, what, got == bytes, t0);
}

static int do_consume(const char *chan, uint64_t bytes, const char *test)
{
	static uint8_t in[65536];
	double t0 = now_s();
	uint64_t got = 0;
	char what[96];
	int fd;

	fd = open_connected(chan, XENSHM_MODE_STREAM, XENSHM_ROLE_AUTO, test);
	if (fd < 0)
		return 1;
	while (got < bytes && now_s() - t0 < TOTAL_S) {
		struct pollfd q = { .fd = fd, .events = POLLIN };
		ssize_t n;

		int pr = poll(&q, 1, 1000);

		if (pr < 0 && errno != EINTR)
			break;
		idle_polls += pr == 0;
		n = read(fd, in, bytes - got < sizeof(in) ? bytes - got : sizeof(in));
		if (n > 0) {
			long bad = check(in, got, (size_t)n);

			if (bad >= 0) {
				close(fd);
				return result(test, 0, "stream differs at byte %llu",
					      (unsigned long long)(got + (uint64_t)bad));
			}
			got += (uint64_t)n;
		} else if (n == 0 || (n < 0 && errno != EAGAIN)) {
			break;
		}
	}
	snprintf(what, sizeof(what), "stream %llu/%llu B", (unsigned long long)got,
		 (unsigned long long)bytes);
	return finish(fd, test, what, got == bytes, t0);
}

int main(int argc, char **argv)
{
	if (getenv("XENSHM_DOM"))
		dom = getenv("XENSHM_DOM");
	if (argc == 6 && !strcmp(argv[1], "echo") &&
	    (!strcmp(argv[3], "message") || !strcmp(argv[3], "stream")))
		return do_echo(argv[2], argv[3], strtoull(argv[4], NULL, 0), argv[5]);
	if (argc == 5 && !strcmp(argv[1], "consume"))
		return do_consume(argv[2], strtoull(argv[3], NULL, 0), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "survive"))
		return do_echo(argv[2], "message", 0, argv[3]);
	fprintf(stderr, "usage: xenshm-bmpeer echo CHAN message|stream BYTES TEST\n"
			"       xenshm-bmpeer consume CHAN BYTES TEST\n"
			"       xenshm-bmpeer survive CHAN TEST\n");
	return 2;
}
