/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness of xenshm-test, the static test program run inside QEMU guests
 * booted from Debian's own kernels with xenshm.ko loaded (loopback=2).
 *
 * Each case runs in a child process of its own (crash and fd isolation,
 * a per-case timeout through alarm()), returns 0 for pass, and explains a
 * failure with diag() lines ("# ...") before returning non-zero; SKIP()
 * ends it as skipped, with a reason.
 *
 * Output is TAP version 13 as Linux's kselftest prints it
 * (tools/testing/selftests/kselftest.h), on stdout:
 *
 *   TAP version 13
 *   1..N                       the plan: the cases selected by the filter
 *   # RUN name                 before each case: names the case a crash hit
 *   # file.c:123: ...          diagnostics of the case
 *   ok 1 - name                or "not ok 1 - name",
 *                              or "ok 1 - name # SKIP reason"
 *   # Totals: pass:P fail:F xfail:0 xpass:0 skip:S error:0
 *   Bail out! reason           instead of a plan when nothing can run
 *
 * Cases the filter leaves out are not in the plan and not numbered (as
 * kselftest_harness.h does with its -t/-T filters), so a filtered run is
 * numbered 1..N of what it runs. scripts/tap-verdict.py judges the stream.
 */
#ifndef XENSHM_TEST_HARNESS_H
#define XENSHM_TEST_HARNESS_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "libxenshm.h"

struct tcase {
	const char *name;
	int (*fn)(const void *arg);
	const void *arg;
	unsigned int timeout_s;		/* 0: default */
};

void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_at(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Fail the case with a message naming the source line. */
#define FAIL(...) do { diag_at(__FILE__, __LINE__, __VA_ARGS__); return 1; } while (0)
/*
 * End the case as skipped ("ok N - name # SKIP reason"): for a case that
 * cannot run here, never for one that found a bug.
 */
void skip_reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define SKIP(...) do { skip_reason(__VA_ARGS__); return 0; } while (0)
#define CHECK(cond) do { if (!(cond)) FAIL("check failed: %s", #cond); } while (0)
/* Expect a call returning a negative errno (library style) to equal @want. */
#define CHECK_RET(call, want) do { long _r = (long)(call); long _w = (long)(want); \
	if (_r != _w) FAIL("%s: expected %ld (%s), got %ld (%s)", #call, _w, errname(_w), _r, errname(_r)); } while (0)
/* Expect a syscall returning -1/errno to fail with @err. */
#define CHECK_ERRNO(call, err) do { errno = 0; long _r = (long)(call); int _e = errno; \
	if (_r != -1 || _e != (err)) FAIL("%s: expected -1 %s, got %ld %s", #call, errname(-(err)), _r, _r == -1 ? errname(-_e) : "(no error)"); } while (0)
#define CHECK_OK(call) do { errno = 0; long _r = (long)(call); \
	if (_r < 0) FAIL("%s: failed: %ld (%s)", #call, _r, _r == -1 ? errname(-errno) : errname(_r)); } while (0)

/* "EINVAL" for -EINVAL (or EINVAL), a number otherwise. */
const char *errname(long err);

/* Module parameters of the run (filled from the command line). */
extern const char *g_module_path;	/* for the reload case */
extern const char *g_module_params;	/* "loopback=2" */

/* ---- a loopback pair ---- */
struct pair {
	int a, b;		/* fds of loop<N>-a / -b, -1 when closed */
	int idx;
	struct xenshm_info ia, ib;
};

int pair_open(struct pair *p, int idx, int oflags);
/* Connect both ends (modes of what each produces) and wait for connected. */
int pair_connect(struct pair *p, uint32_t mode_a, uint32_t mode_b);
void pair_close(struct pair *p);
/* open + connect stream/stream; diagnostics on failure. */
int pair_up(struct pair *p, int idx, uint32_t mode_a, uint32_t mode_b, int oflags);

/* ---- data helpers ---- */
double now_s(void);
int set_nonblock(int fd, int on);
/* Write/read exactly @len bytes (blocking fds); 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);
int read_all(int fd, void *buf, size_t len);
/* poll one fd: returns revents, 0 on timeout, -errno on error. */
int poll1(int fd, short events, int timeout_ms);

/* The kernel log from now on (/dev/kmsg, non-blocking), or -errno. */
int kmsg_open(void);
/* 1 and the record's message in @line if one logged since holds @needle,
 * 0 if none (yet), -errno. */
int kmsg_find(int fd, const char *needle, char *line, size_t len);

/* A deterministic byte stream: byte at position p = pattern(seed)[p % PATLEN]. */
struct stream {
	uint8_t *dbl;		/* PATLEN + window bytes: any window is contiguous */
	size_t window;
	uint64_t pos;
	/*
	 * Fletcher-style checksum of what went through, over the 32-bit words
	 * at stream positions 4k: the same however the stream was cut into
	 * reads and writes. pend holds the bytes of the word in progress.
	 */
	uint64_t sum1, sum2;
	uint32_t pend;
};
#define PATLEN ((size_t)(1u << 20) + 4093)
int stream_init(struct stream *s, uint32_t seed, size_t window);
void stream_free(struct stream *s);
/* Where the next @n (<= window) bytes of the stream start. */
static inline const uint8_t *stream_at(const struct stream *s)
{
	return s->dbl + (size_t)(s->pos % PATLEN);
}
void stream_advance(struct stream *s, const uint8_t *data, size_t n);
/* Check @n received bytes against the stream; 0 or -1 (with a diag). */
int stream_check(struct stream *s, const uint8_t *data, size_t n);

/* Case registration, in running order. */
void add_case(const char *name, int (*fn)(const void *), const void *arg, unsigned int timeout_s);
void register_ioctl_cases(void);
void register_data_cases(void);
void register_mmap_cases(void);
void register_fifo_cases(void);
void register_life_cases(void);
void register_cpp_cases(void);

#endif
