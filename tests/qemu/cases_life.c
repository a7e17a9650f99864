// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lifetime cases: one opener per end, the peer going away (close, RESET)
 * seen as POLLHUP / EOF / ECONNRESET and through the eventfd, reconnecting,
 * and module unload refused while a file or a mapping is open, then allowed
 * (the module is loaded again afterwards, with the same parameters).
 * These run last: the unload cases reload the module.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bulk.h"

static int t_second_opener_ebusy(const void *arg)
{
	int fd, fd2, r;

	fd = xenshm_open("loop0-a", 0);
	CHECK(fd >= 0);
	r = xenshm_open("loop0-a", 0);
	if (r != -EBUSY)
		FAIL("second open of loop0-a: %s, expected EBUSY", errname(r));
	/* The other end and the other pair are independent. */
	fd2 = xenshm_open("loop0-b", 0);
	if (fd2 < 0)
		FAIL("open loop0-b while loop0-a is open: %s", errname(fd2));
	close(fd2);
	/* dup() and fork() share the one open file: no EBUSY there. */
	fd2 = dup(fd);
	CHECK(fd2 >= 0);
	CHECK_RET(xenshm_get_info(fd2, &(struct xenshm_info){ 0 }), 0);
	close(fd2);
	close(fd);
	/* Once closed, the end opens again. */
	fd = xenshm_open("loop0-a", 0);
	if (fd < 0)
		FAIL("reopen after close: %s", errname(fd));
	close(fd);
	return 0;
}

/* A peer that closes: POLLHUP, queued data still readable, then EOF; writes ECONNRESET. */
static int t_peer_close_hup(const void *arg)
{
	struct xenshm_info i;
	struct pair p;
	char buf[256];
	int rev;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	memset(buf, 'q', 100);
	CHECK(write(p.a, buf, 100) == 100);
	close(p.a);
	p.a = -1;
	rev = poll1(p.b, POLLIN, 2000);
	if (!(rev & POLLHUP))
		FAIL("revents 0x%x after the peer closed, expected POLLHUP", rev);
	if (!(rev & POLLIN))
		FAIL("revents 0x%x: queued data not reported (POLLIN)", rev);
	CHECK_RET(xenshm_get_info(p.b, &i), 0);
	if (i.state != XENSHM_CHAN_STATE_PEER_GONE)
		FAIL("state %s, expected peer_gone", xenshm_state_name(i.state));
	if (read(p.b, buf, sizeof(buf)) != 100)
		FAIL("data queued before the hang-up lost");
	CHECK(read(p.b, buf, sizeof(buf)) == 0);
	CHECK_ERRNO(write(p.b, "x", 1), ECONNRESET);
	pair_close(&p);
	return 0;
}

static int t_peer_close_wakes_reader(const void *arg)
{
	struct pair p;
	int status;
	pid_t pid;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char c;

		close(p.a);
		alarm(10);
		_exit(read(p.b, &c, 1) == 0 ? 0 : 1);
	}
	close(p.b);
	p.b = -1;
	usleep(300000);
	close(p.a);
	p.a = -1;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		FAIL("blocked reader did not get EOF when the peer closed (status 0x%x)", status);
	return 0;
}

static int t_peer_close_wakes_writer(const void *arg)
{
	struct pair p;
	int status;
	pid_t pid;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		size_t len = (size_t)p.ib.data_size * 2;
		char *buf = calloc(1, len);
		ssize_t n;

		close(p.a);
		alarm(10);
		/* Blocks on the full ring; the hang-up ends it. */
		n = write(p.b, buf, len);
		_exit((n >= 0 && (size_t)n < len) || (n < 0 && errno == ECONNRESET) ? 0 : 1);
	}
	close(p.b);
	p.b = -1;
	usleep(300000);
	close(p.a);
	p.a = -1;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		FAIL("writer blocked on a full ring not released by the hang-up (status 0x%x)", status);
	return 0;
}

static int t_peer_close_signals_eventfd(const void *arg)
{
	struct pair p;
	uint64_t v;
	int efd;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(efd >= 0);
	CHECK_RET(xenshm_set_eventfd(p.b, efd), 0);
	while (read(efd, &v, 8) == 8)
		;
	close(p.a);
	p.a = -1;
	if (!(poll1(efd, POLLIN, 2000) & POLLIN))
		FAIL("eventfd not signalled when the peer closed");
	close(efd);
	pair_close(&p);
	return 0;
}

/* After a hang-up the survivor RESETs, the peer comes back, data flows. */
static int t_reconnect_after_peer_gone(const void *arg)
{
	struct pair p;
	double s;
	int r;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	CHECK(write(p.a, "old life", 8) == 8);
	close(p.a);
	p.a = xenshm_open("loop0-a", 0);
	CHECK(p.a >= 0);
	CHECK_RET(xenshm_reset(p.b), 0);
	r = pair_connect(&p, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM);
	CHECK_RET(r, 0);
	/* Data of the earlier life is gone (resync on attach), new data flows. */
	CHECK(write(p.a, "new", 3) == 3);
	{
		char buf[16];

		if (read(p.b, buf, sizeof(buf)) != 3 || memcmp(buf, "new", 3))
			FAIL("stale data of the earlier life came through");
	}
	CHECK_RET(bulk_both_ways(&p, 4 << 20, 65536, 0, &s), 0);
	pair_close(&p);
	return 0;
}

/* ---- module unload ---- */

static int unload(void)
{
	return syscall(SYS_delete_module, "xenshm", O_NONBLOCK) ? -errno : 0;
}

static int reload(void)
{
	int fd = open(g_module_path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0) {
		diag("open %s: %s", g_module_path, errname(-errno));
		return -errno;
	}
	r = syscall(SYS_finit_module, fd, g_module_params, 0) ? -errno : 0;
	close(fd);
	if (r)
		diag("finit_module(%s, \"%s\"): %s", g_module_path, g_module_params, errname(r));
	return r;
}

static int t_unload_refused_with_open_fd(const void *arg)
{
	int fd, r;

	fd = xenshm_open("loop1-b", 0);
	CHECK(fd >= 0);
	r = unload();
	if (r == 0) {
		reload();
		FAIL("module unloaded while /dev/xenshm/loop1-b was open");
	}
	/* Linux's delete_module() answers a module in use with EWOULDBLOCK. */
	if (r != -EAGAIN)
		FAIL("delete_module with an open fd: %s, expected EAGAIN (EWOULDBLOCK)", errname(r));
	/* Still fully usable. */
	CHECK_RET(xenshm_get_info(fd, &(struct xenshm_info){ 0 }), 0);
	close(fd);
	return 0;
}

static int t_unload_refused_with_mapping(const void *arg)
{
	struct xenshm_info i;
	void *p;
	int fd, r;

	fd = xenshm_open("loop1-a", 0);
	CHECK(fd >= 0);
	CHECK_RET(xenshm_get_info(fd, &i), 0);
	p = mmap(NULL, i.mmap_rings_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)i.mmap_rings_off);
	CHECK(p != MAP_FAILED);
	close(fd);
	r = unload();
	if (r == 0) {
		reload();
		FAIL("module unloaded while a mapping was alive");
	}
	/* Linux's delete_module() answers a module in use with EWOULDBLOCK. */
	if (r != -EAGAIN)
		FAIL("delete_module with a mapping: %s, expected EAGAIN (EWOULDBLOCK)", errname(r));
	memset(p, 0, 64);	/* the mapping is still valid */
	munmap(p, i.mmap_rings_size);
	return 0;
}

static int t_unload_ok_then_reload(const void *arg)
{
	struct stat st;
	int r, tries;

	/* Earlier cases' processes are gone; their files are closed. */
	for (tries = 0; tries < 50; tries++) {
		r = unload();
		if (r != -EAGAIN)
			break;
		usleep(100000);
	}
	if (r)
		FAIL("delete_module with nothing open: %s", errname(r));
	if (stat("/dev/xenshm/loop0-a", &st) == 0)
		FAIL("/dev/xenshm/loop0-a still exists after unload");
	CHECK_RET(reload(), 0);
	for (tries = 0; tries < 50 && stat("/dev/xenshm/loop0-a", &st); tries++)
		usleep(100000);
	if (stat("/dev/xenshm/loop0-a", &st))
		FAIL("/dev/xenshm/loop0-a missing after reload");
	return 0;
}

static int t_after_reload_pairs_work(const void *arg)
{
	struct pair p;
	double s;
	int i;

	for (i = 0; i < 2; i++) {
		CHECK_RET(pair_up(&p, i, XENSHM_MODE_STREAM, XENSHM_MODE_MESSAGE, 0), 0);
		CHECK_RET(bulk_both_ways(&p, 1 << 20, 4096, 0, &s), 0);
		pair_close(&p);
	}
	return 0;
}

void register_life_cases(void)
{
	add_case("second_opener_ebusy_dup_ok_reopen_ok", t_second_opener_ebusy, NULL, 0);
	add_case("peer_close_hup_drain_eof_econnreset", t_peer_close_hup, NULL, 0);
	add_case("peer_close_wakes_blocked_reader_eof", t_peer_close_wakes_reader, NULL, 0);
	add_case("peer_close_wakes_blocked_writer", t_peer_close_wakes_writer, NULL, 0);
	add_case("peer_close_signals_eventfd", t_peer_close_signals_eventfd, NULL, 0);
	add_case("reconnect_after_peer_gone", t_reconnect_after_peer_gone, NULL, 0);
	add_case("unload_refused_with_open_fd", t_unload_refused_with_open_fd, NULL, 0);
	add_case("unload_refused_with_mapping_after_close", t_unload_refused_with_mapping, NULL, 0);
	add_case("unload_ok_after_close_then_reload", t_unload_ok_then_reload, NULL, 0);
	add_case("after_reload_both_pairs_work", t_after_reload_pairs_work, NULL, 0);
}
