// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm-test main program and helpers; see harness.h.
 *
 * Usage: xenshm-test [-m module.ko] [-p params] [-l] [filter...]
 *   -l       list the cases (number and name, no TAP)
 *   filter   run only cases whose name contains one of the words
 * Exit status: 0 when no case failed, 1 when one did, 2 on a usage error or
 * when nothing can run ("Bail out!").
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

const char *g_module_path = "/xenshm.ko";
const char *g_module_params = "loopback=2";

void diag(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("# %s\n", buf);
	fflush(stdout);
}

void diag_at(const char *file, int line, const char *fmt, ...)
{
	const char *base = strrchr(file, '/');
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("# %s:%d: %s\n", base ? base + 1 : file, line, buf);
	fflush(stdout);
}

/*
 * The reason of a SKIP(), written by the case's child process into a page
 * shared with the harness (kselftest_harness.h passes it the same way).
 * Empty while the case has not skipped.
 */
#define SKIP_REASON_LEN 256
static char *g_skip_reason;

void skip_reason(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(g_skip_reason, SKIP_REASON_LEN, fmt, ap);
	va_end(ap);
	if (!g_skip_reason[0])
		strcpy(g_skip_reason, "(no reason)");
	/* One TAP line: no line breaks in the reason. */
	for (p = g_skip_reason; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

const char *errname(long err)
{
	static char buf[8][32];
	static int slot;
	char *b = buf[slot++ & 7];

	if (err < 0)
		err = -err;
	switch (err) {
#define E(x) case x: return #x
	E(EPERM); E(ENOENT); E(EINTR); E(EIO); E(EBADF); E(EAGAIN);
	E(ENOMEM); E(EACCES); E(EFAULT); E(EBUSY); E(EEXIST); E(ENODEV);
	E(EINVAL); E(ENOSPC); E(EPIPE); E(ERANGE); E(ENOTTY); E(E2BIG);
	E(EMSGSIZE); E(ENOTCONN); E(ECONNRESET); E(ECONNREFUSED);
	E(ETIMEDOUT); E(EINPROGRESS); E(EALREADY); E(EPROTO); E(ENXIO);
	E(EOVERFLOW); E(ESHUTDOWN); E(ENOSYS); E(EOPNOTSUPP);
#undef E
	case 0: return "0";
	}
	snprintf(b, 32, "%ld", err);
	return b;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl) < 0 ? -errno : 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ENODATA;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int poll1(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r ? p.revents : 0;
}

/* ---- the kernel log ---- */

int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* Only what the kernel logs from now on. */
	if (lseek(fd, 0, SEEK_END) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

int kmsg_find(int fd, const char *needle, char *line, size_t len)
{
	char rec[1024];
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: read on */
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		rec[n] = 0;
		/* "prio,seq,usec,flags;message\n" then continuation lines */
		const char *msg = strchr(rec, ';');

		if (!msg)
			continue;
		msg++;
		if (!strstr(msg, needle))
			continue;
		snprintf(line, len, "%.*s", (int)strcspn(msg, "\n"), msg);
		return 1;
	}
}

/* ---- pairs ---- */

int pair_open(struct pair *p, int idx, int oflags)
{
	char name[32];

	p->a = p->b = -1;
	p->idx = idx;
	snprintf(name, sizeof(name), "loop%d-a", idx);
	p->a = xenshm_open(name, oflags);
	if (p->a < 0) {
		diag("open %s: %s", name, errname(p->a));
		return p->a;
	}
	snprintf(name, sizeof(name), "loop%d-b", idx);
	p->b = xenshm_open(name, oflags);
	if (p->b < 0) {
		diag("open %s: %s", name, errname(p->b));
		return p->b;
	}
	return 0;
}

int pair_connect(struct pair *p, uint32_t mode_a, uint32_t mode_b)
{
	int r;

	r = xenshm_connect(p->a, mode_a, XENSHM_ROLE_AUTO, 5000, XENSHM_DOMID_NONE);
	if (r && r != -EINPROGRESS) {
		diag("connect a: %s", errname(r));
		return r;
	}
	r = xenshm_connect(p->b, mode_b, XENSHM_ROLE_AUTO, 5000, XENSHM_DOMID_NONE);
	if (r && r != -EINPROGRESS) {
		diag("connect b: %s", errname(r));
		return r;
	}
	r = xenshm_wait_connected(p->a, 10000);
	if (r) {
		diag("wait connected a: %s", errname(r));
		return r;
	}
	r = xenshm_wait_connected(p->b, 10000);
	if (r) {
		diag("wait connected b: %s", errname(r));
		return r;
	}
	r = xenshm_get_info(p->a, &p->ia);
	if (!r)
		r = xenshm_get_info(p->b, &p->ib);
	if (r)
		diag("get_info: %s", errname(r));
	return r;
}

void pair_close(struct pair *p)
{
	if (p->a >= 0)
		close(p->a);
	if (p->b >= 0)
		close(p->b);
	p->a = p->b = -1;
}

int pair_up(struct pair *p, int idx, uint32_t mode_a, uint32_t mode_b, int oflags)
{
	int r = pair_open(p, idx, oflags);

	if (!r)
		r = pair_connect(p, mode_a, mode_b);
	return r;
}

/* ---- deterministic streams ---- */

int stream_init(struct stream *s, uint32_t seed, size_t window)
{
	uint64_t x = 0x9e3779b97f4a7c15ull ^ seed;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->window = window;
	s->dbl = malloc(PATLEN + window + 8);
	if (!s->dbl)
		return -ENOMEM;
	for (i = 0; i < PATLEN + 8; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(s->dbl + i, &x, 8);
	}
	for (i = 0; i < window; i++)
		s->dbl[PATLEN + i] = s->dbl[i % PATLEN];
	return 0;
}

void stream_free(struct stream *s)
{
	free(s->dbl);
	s->dbl = NULL;
}

void stream_advance(struct stream *s, const uint8_t *d, size_t n)
{
	uint64_t a = s->sum1, b = s->sum2;
	uint32_t pend = s->pend;
	size_t i = 0;

	/*
	 * Fletcher-like over the little-endian 32-bit words at stream offsets
	 * 4k (cheap enough under TCG), whatever the cuts: a short read or write
	 * of any length gives the same sums as one big one.
	 */
	for (; i < n && (s->pos + i) % 4; i++) {
		pend |= (uint32_t)d[i] << (8 * ((s->pos + i) % 4));
		if ((s->pos + i) % 4 == 3) {
			a += pend;
			b += a;
			pend = 0;
		}
	}
	for (; i + 4 <= n; i += 4) {
		uint32_t w = (uint32_t)d[i] | (uint32_t)d[i + 1] << 8 |
			     (uint32_t)d[i + 2] << 16 | (uint32_t)d[i + 3] << 24;

		a += w;
		b += a;
	}
	for (; i < n; i++)
		pend |= (uint32_t)d[i] << (8 * ((s->pos + i) % 4));
	s->sum1 = a;
	s->sum2 = b;
	s->pend = pend;
	s->pos += n;
}

int stream_check(struct stream *s, const uint8_t *d, size_t n)
{
	const uint8_t *want = stream_at(s);

	if (memcmp(d, want, n)) {
		size_t i = 0;

		while (i < n && d[i] == want[i])
			i++;
		diag("stream mismatch at byte %llu: got 0x%02x, expected 0x%02x",
		     (unsigned long long)(s->pos + i), d[i], want[i]);
		return -1;
	}
	stream_advance(s, d, n);
	return 0;
}

/* ---- main ---- */

static int matches(const char *name, int argc, char **argv, int first)
{
	int i;

	if (first >= argc)
		return 1;
	for (i = first; i < argc; i++)
		if (strstr(name, argv[i]))
			return 1;
	return 0;
}

enum case_result { CASE_PASS, CASE_FAIL, CASE_SKIP };

static enum case_result run_case(const struct tcase *c)
{
	unsigned int t = c->timeout_s ? c->timeout_s : 60;
	int status;
	pid_t pid;

	g_skip_reason[0] = '\0';
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		diag("fork: %s", errname(-errno));
		return CASE_FAIL;
	}
	if (pid == 0) {
		setpgid(0, 0);
		alarm(t);
		status = c->fn(c->arg);
		fflush(stdout);
		_exit(status ? 1 : 0);
	}
	setpgid(pid, pid);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* Reap what the case left behind (forked helpers holding fds). */
	kill(-pid, SIGKILL);
	while (waitpid(-pid, NULL, 0) > 0)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return g_skip_reason[0] ? CASE_SKIP : CASE_PASS;
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGALRM)
			diag("timeout after %u s", t);
		else
			diag("killed by signal %d", WTERMSIG(status));
	}
	return CASE_FAIL;
}

static struct tcase all_cases[256];
static size_t n_cases;

void add_case(const char *name, int (*fn)(const void *), const void *arg, unsigned int timeout_s)
{
	if (n_cases == sizeof(all_cases) / sizeof(all_cases[0])) {
		fprintf(stderr, "too many cases\n");
		exit(2);
	}
	all_cases[n_cases++] = (struct tcase){ name, fn, arg, timeout_s };
}

int main(int argc, char **argv)
{
	int list = 0, first = 1, plan = 0, n = 0, passed = 0, failed = 0, skipped = 0;
	double t0 = now_s();
	size_t k;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	while (first < argc && argv[first][0] == '-') {
		if (!strcmp(argv[first], "-l")) {
			list = 1;
			first++;
		} else if (!strcmp(argv[first], "-m") && first + 1 < argc) {
			g_module_path = argv[first + 1];
			first += 2;
		} else if (!strcmp(argv[first], "-p") && first + 1 < argc) {
			g_module_params = argv[first + 1];
			first += 2;
		} else {
			fprintf(stderr, "usage: %s [-l] [-m module.ko] [-p params] [filter...]\n", argv[0]);
			return 2;
		}
	}
	register_ioctl_cases();
	register_data_cases();
	register_mmap_cases();
	register_cpp_cases();
	register_fifo_cases();
	register_life_cases();
	for (k = 0; k < n_cases; k++) {
		if (!matches(all_cases[k].name, argc, argv, first))
			continue;
		plan++;
		if (list)
			printf("%d %s\n", plan, all_cases[k].name);
	}
	if (list)
		return 0;

	printf("TAP version 13\n");
	if (!plan) {
		/* A filter that matches nothing is a mistake, not a pass. */
		printf("Bail out! no case name contains any of:");
		for (; first < argc; first++)
			printf(" '%s'", argv[first]);
		printf("\n");
		return 2;
	}
	g_skip_reason = mmap(NULL, SKIP_REASON_LEN, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g_skip_reason == MAP_FAILED) {
		printf("Bail out! mmap of the skip-reason page: %s\n", errname(-errno));
		return 2;
	}
	printf("1..%d\n", plan);
	for (k = 0; k < n_cases; k++) {
		const struct tcase *c = &all_cases[k];
		enum case_result r;
		double t;

		if (!matches(c->name, argc, argv, first))
			continue;
		n++;
		printf("# RUN %s\n", c->name);
		t = now_s();
		r = run_case(c);
		t = now_s() - t;
		if (t >= 1.0)
			printf("# %s took %.1f s\n", c->name, t);
		switch (r) {
		case CASE_PASS:
			passed++;
			printf("ok %d - %s\n", n, c->name);
			break;
		case CASE_SKIP:
			skipped++;
			printf("ok %d - %s # SKIP %s\n", n, c->name, g_skip_reason);
			break;
		case CASE_FAIL:
			failed++;
			printf("not ok %d - %s\n", n, c->name);
			break;
		}
	}
	printf("# total %.1f s\n", now_s() - t0);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       passed, failed, skipped);
	return failed ? 1 : 0;
}
