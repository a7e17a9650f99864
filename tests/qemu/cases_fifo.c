// SPDX-License-Identifier: GPL-2.0-only
/*
 * FIFO use: plain Unix tools (busybox's sh, echo, cat, dd, md5sum) on the
 * devices, with no CONNECT anywhere. read(), write() and poll() on an end
 * nobody connected start the rendezvous with the defaults (docs/uapi.md,
 * "Implicit connect"); the reader sees EOF once the writer is gone, a writer
 * whose reader left gets EPIPE and SIGPIPE.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define DEV "/dev/xenshm/"

/* Start `sh -c CMD`; its pid, or -1. */
static pid_t sh_start(const char *cmd)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* The harness ignores SIGPIPE; a shell user's tools do not. */
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/*
 * Wait for @pid at most @timeout_ms; its wait status, or -1 after killing
 * it on timeout.
 */
static int sh_wait(pid_t pid, int timeout_ms)
{
	double end = now_s() + timeout_ms / 1000.0;
	int status;

	while (now_s() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			return -1;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static int exited_ok(int status)
{
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The whole content of a small file into @buf (NUL-terminated); length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

struct echo_case {
	const char *writer, *reader;	/* end names */
	int reader_first;
};

/* echo hello > one end; cat the other: the line arrives, cat ends at EOF. */
static int t_echo_cat(const void *arg)
{
	const struct echo_case *c = arg;
	char cmd[160], out[64];
	pid_t w, r = -1;
	int ws, rs;

	snprintf(cmd, sizeof(cmd), "cat " DEV "%s > /tmp/fifo-out", c->reader);
	unlink("/tmp/fifo-out");
	if (c->reader_first) {
		r = sh_start(cmd);
		usleep(200000);	/* cat is waiting for its peer */
	}
	snprintf(cmd, sizeof(cmd), "echo hello from %s > " DEV "%s", c->writer, c->writer);
	w = sh_start(cmd);
	if (!c->reader_first) {
		usleep(200000);	/* echo is waiting for its peer */
		snprintf(cmd, sizeof(cmd), "cat " DEV "%s > /tmp/fifo-out", c->reader);
		r = sh_start(cmd);
	}
	CHECK(w > 0 && r > 0);
	ws = sh_wait(w, 10000);
	rs = sh_wait(r, 10000);
	if (!exited_ok(ws) || !exited_ok(rs))
		FAIL("echo: status %#x, cat: status %#x (-1: still running after 10 s)", ws, rs);
	CHECK(slurp("/tmp/fifo-out", out, sizeof(out)) > 0);
	snprintf(cmd, sizeof(cmd), "hello from %s\n", c->writer);
	if (strcmp(out, cmd))
		FAIL("cat printed \"%s\", expected \"%s\"", out, cmd);
	return 0;
}

/* The first line of a small file as a string (a checksum), or "". */
static void first_word(const char *path, char *buf, size_t cap)
{
	char *sp;

	if (slurp(path, buf, cap) < 0)
		buf[0] = 0;
	sp = strpbrk(buf, " \n");
	if (sp)
		*sp = 0;
}

/* dd 64 MiB through loop1, checksummed on both sides. */
static int t_dd_64m(const void *arg)
{
	char in_sum[80], out_sum[80];
	pid_t w, r;
	int ws, rs;

	CHECK(exited_ok(sh_wait(sh_start("head -c 67108864 /dev/urandom > /tmp/dd-in && "
					 "md5sum /tmp/dd-in > /tmp/dd-in.sum"), 60000)));
	r = sh_start("dd if=" DEV "loop1-b bs=65536 2>/tmp/dd-r.err | md5sum > /tmp/dd-out.sum");
	w = sh_start("dd if=/tmp/dd-in of=" DEV "loop1-a bs=65536 2>/tmp/dd-w.err");
	CHECK(w > 0 && r > 0);
	ws = sh_wait(w, 120000);
	rs = sh_wait(r, 120000);
	unlink("/tmp/dd-in");
	if (!exited_ok(ws) || !exited_ok(rs))
		FAIL("dd writer: status %#x, dd reader: status %#x", ws, rs);
	first_word("/tmp/dd-in.sum", in_sum, sizeof(in_sum));
	first_word("/tmp/dd-out.sum", out_sum, sizeof(out_sum));
	diag("64 MiB: sent %s, received %s", in_sum, out_sum);
	CHECK(in_sum[0] && !strcmp(in_sum, out_sum));
	return 0;
}

/* A writer that keeps the end open between lines; cat ends when it exits. */
static int t_cat_eof_on_writer_exit(const void *arg)
{
	char out[64];
	pid_t w, r;
	int ws, rs;

	unlink("/tmp/fifo-out");
	r = sh_start("cat " DEV "loop0-a > /tmp/fifo-out");
	w = sh_start("exec 3>" DEV "loop0-b; echo one >&3; sleep 1; echo two >&3");
	CHECK(w > 0 && r > 0);
	usleep(500000);
	/* Between the two lines: cat got the first and is still waiting. */
	CHECK(slurp("/tmp/fifo-out", out, sizeof(out)) >= 0);
	if (strcmp(out, "one\n"))
		FAIL("after the first line cat printed \"%s\"", out);
	if (waitpid(r, &rs, WNOHANG) != 0)
		FAIL("cat ended while the writer still had the end open");
	ws = sh_wait(w, 10000);
	rs = sh_wait(r, 10000);
	if (!exited_ok(ws) || !exited_ok(rs))
		FAIL("writer: status %#x, cat: status %#x", ws, rs);
	CHECK(slurp("/tmp/fifo-out", out, sizeof(out)) > 0);
	if (strcmp(out, "one\ntwo\n"))
		FAIL("cat printed \"%s\"", out);
	return 0;
}

static uint32_t end_state(int fd)
{
	struct xenshm_info i;

	return xenshm_get_info(fd, &i) ? 0xffffffffu : i.state;
}

/*
 * O_NONBLOCK: the first read() starts connecting and says EAGAIN; an
 * explicit CONNECT on an implicitly connecting (then connected) end fails
 * with EISCONN and changes nothing.
 */
static int t_nonblock_then_connect(const void *arg)
{
	struct xenshm_connect c = { .size = sizeof(c), .mode = XENSHM_MODE_MESSAGE };
	struct xenshm_info i;
	int a, b, rev;
	char buf[8];

	a = open(DEV "loop0-a", O_RDWR | O_NONBLOCK);
	CHECK(a >= 0);
	CHECK_ERRNO(read(a, buf, sizeof(buf)), EAGAIN);
	CHECK(end_state(a) == XENSHM_CHAN_STATE_CONNECTING);
	CHECK_ERRNO(ioctl(a, XENSHM_IOC_CONNECT, &c), EISCONN);
	CHECK(end_state(a) == XENSHM_CHAN_STATE_CONNECTING);

	b = open(DEV "loop0-b", O_RDWR);
	CHECK(b >= 0);
	CHECK(write(b, "ping", 4) == 4);	/* blocks until connected */
	rev = poll1(a, POLLIN, 5000);
	CHECK(rev & POLLIN);
	CHECK(end_state(a) == XENSHM_CHAN_STATE_CONNECTED);
	CHECK_ERRNO(ioctl(a, XENSHM_IOC_CONNECT, &c), EISCONN);
	CHECK_RET(xenshm_get_info(a, &i), 0);
	CHECK(i.state == XENSHM_CHAN_STATE_CONNECTED && i.mode == XENSHM_MODE_STREAM);
	CHECK(read(a, buf, sizeof(buf)) == 4 && !memcmp(buf, "ping", 4));
	close(b);
	close(a);
	return 0;
}

/* The reader left: write() fails with EPIPE, and SIGPIPE ends a shell writer. */
static int t_writer_epipe(const void *arg)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	char buf[8];
	int a, b, st;
	pid_t w;

	a = open(DEV "loop1-a", O_RDWR);
	b = open(DEV "loop1-b", O_RDWR | O_NONBLOCK);
	CHECK(a >= 0 && b >= 0);
	CHECK_ERRNO(read(b, buf, 1), EAGAIN);	/* b starts connecting */
	CHECK_OK(set_nonblock(b, 0));
	CHECK(write(a, "x", 1) == 1);	/* blocks until both are connected */
	CHECK(read(b, buf, 1) == 1);
	close(b);
	sigaction(SIGPIPE, &ign, &old);
	errno = 0;
	st = write(a, "y", 1);
	sigaction(SIGPIPE, &old, NULL);
	if (st != -1 || errno != EPIPE)
		FAIL("write after the reader left: %d %s, expected EPIPE", st, errname(-errno));
	close(a);

	/* A shell writer whose reader went away is killed by SIGPIPE. */
	w = sh_start("exec 3>" DEV "loop1-a; echo first >&3; sleep 1; echo second >&3; exit 3");
	b = open(DEV "loop1-b", O_RDWR);
	CHECK(w > 0 && b >= 0);
	CHECK(read(b, buf, sizeof(buf)) == 6);
	close(b);
	st = sh_wait(w, 10000);
	if (st < 0 || !WIFSIGNALED(st) || WTERMSIG(st) != SIGPIPE)
		FAIL("writer status %#x, expected killed by SIGPIPE", st);
	return 0;
}

static int set_param(const char *name, const char *val)
{
	char path[96];
	int fd, ok;

	snprintf(path, sizeof(path), "/sys/module/xenshm/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -EIO;
}

/* implicit_connect=0: read() and write() before CONNECT are ENOTCONN again. */
static int t_implicit_off(const void *arg)
{
	char buf[4];
	int a, ret = 0;

	CHECK_RET(set_param("implicit_connect", "0"), 0);
	a = open(DEV "loop0-a", O_RDWR);
	if (a < 0) {
		ret = 1;
		diag("open loop0-a: %s", errname(-errno));
	} else {
		errno = 0;
		if (read(a, buf, sizeof(buf)) != -1 || errno != ENOTCONN ||
		    write(a, buf, sizeof(buf)) != -1 || errno != ENOTCONN ||
		    poll1(a, POLLIN | POLLOUT, 50) != 0 ||
		    end_state(a) != XENSHM_CHAN_STATE_IDLE) {
			diag("with implicit_connect=0 an end connected by itself (%s)",
			     errname(-errno));
			ret = 1;
		}
		close(a);
	}
	CHECK_RET(set_param("implicit_connect", "1"), 0);
	return ret;
}

static const struct echo_case echo_cases[] = {
	{ "loop0-a", "loop0-b", 0 },	/* writer is the receiver, first */
	{ "loop0-a", "loop0-b", 1 },
	{ "loop0-b", "loop0-a", 0 },	/* writer is the sender */
	{ "loop0-b", "loop0-a", 1 },
};

void register_fifo_cases(void)
{
	static const char *const names[] = {
		"fifo_echo_cat_a_to_b_writer_first", "fifo_echo_cat_a_to_b_reader_first",
		"fifo_echo_cat_b_to_a_writer_first", "fifo_echo_cat_b_to_a_reader_first",
	};
	size_t k;

	for (k = 0; k < sizeof(echo_cases) / sizeof(echo_cases[0]); k++)
		add_case(names[k], t_echo_cat, &echo_cases[k], 30);
	add_case("fifo_dd_64m_checksummed", t_dd_64m, NULL, 300);
	add_case("fifo_cat_eof_on_writer_exit", t_cat_eof_on_writer_exit, NULL, 30);
	add_case("fifo_nonblock_then_connect_eisconn", t_nonblock_then_connect, NULL, 30);
	add_case("fifo_writer_epipe_sigpipe", t_writer_epipe, NULL, 30);
	add_case("fifo_implicit_connect_off", t_implicit_off, NULL, 30);
}
