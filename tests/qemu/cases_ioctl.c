// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioctl cases: every command's happy path, then one row per invalid field
 * with the errno the uapi promises (docs/threat-model.md §6, module/uapi.h).
 * Each invalid row also checks that the failed call changed no state.
 * Not covered here: data movement (cases_data.c), mmap (cases_mmap.c).
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* ---- happy paths ---- */

static int t_devices_present(const void *arg)
{
	const char *names[] = { "loop0-a", "loop0-b", "loop1-a", "loop1-b" };
	char path[64];
	struct stat st;
	size_t i;

	for (i = 0; i < 4; i++) {
		xenshm_dev_path(names[i], path, sizeof(path));
		if (stat(path, &st))
			FAIL("stat %s: %s", path, errname(-errno));
		if (!S_ISCHR(st.st_mode))
			FAIL("%s is not a character device", path);
	}
	return 0;
}

static int check_layout(const struct xenshm_info *i, const char *end)
{
	uint64_t ds = i->data_size;

	if (i->abi_major != XENSHM_ABI_MAJOR)
		FAIL("%s: abi_major %u, expected %u", end, i->abi_major, XENSHM_ABI_MAJOR);
	if (!(i->features & XENSHM_FEATURES_EVENT_IDX))
		FAIL("%s: features 0x%llx lack event_idx", end, (unsigned long long)i->features);
	if (ds < XENSHM_MIN_DATA_SIZE || ds > XENSHM_MAX_DATA_SIZE || (ds & (ds - 1)))
		FAIL("%s: data_size %llu not a power of two in range", end, (unsigned long long)ds);
	if (XENSHM_DATA_OFF + 2 * ds > i->region_size || XENSHM_DATA_OFF + 4 * ds <= i->region_size)
		FAIL("%s: data_size %llu is not the largest fitting region_size %llu", end,
		     (unsigned long long)ds, (unsigned long long)i->region_size);
	if (i->max_msg_size != ds / 2 - 8)
		FAIL("%s: max_msg_size %u, expected %llu", end, i->max_msg_size,
		     (unsigned long long)(ds / 2 - 8));
	if (i->mmap_header_size < XENSHM_PAGE_SIZE)
		FAIL("%s: mmap_header_size %llu", end, (unsigned long long)i->mmap_header_size);
	if (i->mmap_rings_size != i->region_size - XENSHM_CTRL_OFF)
		FAIL("%s: mmap_rings_size %llu, expected %llu", end,
		     (unsigned long long)i->mmap_rings_size,
		     (unsigned long long)(i->region_size - XENSHM_CTRL_OFF));
	if (i->transport != XENSHM_TRANSPORT_LOOPBACK)
		FAIL("%s: transport %u", end, i->transport);
	return 0;
}

static int t_get_info_idle(const void *arg)
{
	struct pair p;
	struct xenshm_info ia, ib;

	CHECK_RET(pair_open(&p, 0, 0), 0);
	CHECK_RET(xenshm_get_info(p.a, &ia), 0);
	CHECK_RET(xenshm_get_info(p.b, &ib), 0);
	if (ia.state != XENSHM_CHAN_STATE_IDLE || ib.state != XENSHM_CHAN_STATE_IDLE)
		FAIL("fresh ends not idle: a %s, b %s", xenshm_state_name(ia.state),
		     xenshm_state_name(ib.state));
	if (check_layout(&ia, "a") || check_layout(&ib, "b"))
		return 1;
	CHECK(ia.region_size == ib.region_size);
	pair_close(&p);
	return 0;
}

/* A newer caller's bigger struct with a zero tail is accepted and the tail untouched. */
static int t_get_info_big_size(const void *arg)
{
	static uint8_t buf[4096] __attribute__((aligned(8)));
	struct xenshm_info *i = (struct xenshm_info *)buf;
	size_t k;
	int fd;

	fd = xenshm_open("loop0-a", 0);
	CHECK(fd >= 0);
	i->size = sizeof(buf);
	CHECK_OK(ioctl(fd, XENSHM_IOC_GET_INFO, buf));
	if (i->abi_major != XENSHM_ABI_MAJOR)
		FAIL("abi_major %u", i->abi_major);
	for (k = sizeof(*i); k < sizeof(buf); k++)
		if (buf[k])
			FAIL("kernel wrote byte %zu beyond struct xenshm_info", k);
	close(fd);
	return 0;
}

/*
 * A caller built against a newer header has a bigger struct, hence another
 * command number: the size encoded in the number is ignored, the size field
 * counts (module/uapi.c).
 */
static int t_cmd_encoded_size_ignored(const void *arg)
{
	static uint8_t buf[256] __attribute__((aligned(8)));
	struct xenshm_info *i = (struct xenshm_info *)buf;
	int fd;

	fd = xenshm_open("loop0-a", 0);
	CHECK(fd >= 0);
	i->size = sizeof(buf);
	CHECK_OK(ioctl(fd, _IOWR(XENSHM_IOC_MAGIC, 0, uint8_t[256]), buf));
	if (i->abi_major != XENSHM_ABI_MAJOR)
		FAIL("abi_major %u", i->abi_major);
	close(fd);
	return 0;
}

static int t_connect_inprogress_pollout(const void *arg)
{
	struct xenshm_info ia, ib;
	struct pair p;
	int r, rev;

	CHECK_RET(pair_open(&p, 0, 0), 0);
	r = xenshm_connect(p.a, XENSHM_MODE_STREAM, XENSHM_ROLE_AUTO, 5000, XENSHM_DOMID_NONE);
	CHECK_RET(r, -EINPROGRESS);
	CHECK_RET(xenshm_get_info(p.a, &ia), 0);
	if (ia.state != XENSHM_CHAN_STATE_CONNECTING)
		FAIL("after CONNECT of one end: state %s, expected connecting",
		     xenshm_state_name(ia.state));
	/* Nobody to talk to yet: no POLLOUT. */
	rev = poll1(p.a, POLLOUT, 100);
	if (rev & (POLLOUT | POLLERR))
		FAIL("half-connected end polls 0x%x", rev);
	r = xenshm_connect(p.b, XENSHM_MODE_STREAM, XENSHM_ROLE_AUTO, 5000, XENSHM_DOMID_NONE);
	if (r && r != -EINPROGRESS)
		FAIL("connect b: %s", errname(r));
	rev = poll1(p.a, POLLOUT, 5000);
	if (!(rev & POLLOUT) || (rev & (POLLERR | POLLHUP)))
		FAIL("a: poll revents 0x%x, expected POLLOUT", rev);
	rev = poll1(p.b, POLLOUT, 5000);
	if (!(rev & POLLOUT) || (rev & (POLLERR | POLLHUP)))
		FAIL("b: poll revents 0x%x, expected POLLOUT", rev);
	CHECK_RET(xenshm_get_info(p.a, &ia), 0);
	CHECK_RET(xenshm_get_info(p.b, &ib), 0);
	if (ia.state != XENSHM_CHAN_STATE_CONNECTED || ib.state != XENSHM_CHAN_STATE_CONNECTED)
		FAIL("states a %s b %s", xenshm_state_name(ia.state), xenshm_state_name(ib.state));
	pair_close(&p);
	return 0;
}

static int t_connect_again_is_0(const void *arg)
{
	struct pair p;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	CHECK_RET(xenshm_connect(p.a, XENSHM_MODE_STREAM, XENSHM_ROLE_AUTO, 0, XENSHM_DOMID_NONE), 0);
	pair_close(&p);
	return 0;
}

/* Both ends agree on the layout: my TX ring is the peer's RX ring. */
static int t_get_info_connected(const void *arg)
{
	struct xenshm_info *a, *b;
	struct pair p;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_MESSAGE, 0), 0);
	a = &p.ia;
	b = &p.ib;
	if (a->slot > 1 || b->slot > 1 || a->slot == b->slot)
		FAIL("slots a %u b %u", a->slot, b->slot);
	if (a->tx_ctrl_off != b->rx_ctrl_off || a->rx_ctrl_off != b->tx_ctrl_off ||
	    a->tx_data_off != b->rx_data_off || a->rx_data_off != b->tx_data_off)
		FAIL("ring offsets do not mirror each other");
	if (a->tx_ctrl_off != (a->slot ? XENSHM_RING1_CTRL_OFF : XENSHM_RING0_CTRL_OFF))
		FAIL("a tx_ctrl_off %llu for slot %u", (unsigned long long)a->tx_ctrl_off, a->slot);
	if (a->tx_data_off != XENSHM_DATA_OFF + (uint64_t)a->slot * a->data_size)
		FAIL("a tx_data_off %llu for slot %u", (unsigned long long)a->tx_data_off, a->slot);
	/* AUTO with equal domids: the owner of slot 0 receives. */
	if ((a->slot == 0 ? a->role : b->role) != XENSHM_ROLE_RECEIVER ||
	    (a->slot == 0 ? b->role : a->role) != XENSHM_ROLE_SENDER)
		FAIL("roles a %s (slot %u) b %s", xenshm_role_name(a->role), a->slot,
		     xenshm_role_name(b->role));
	if (a->mode != XENSHM_MODE_STREAM || b->mode != XENSHM_MODE_MESSAGE)
		FAIL("modes a %s b %s", xenshm_mode_name(a->mode), xenshm_mode_name(b->mode));
	if (check_layout(a, "a") || check_layout(b, "b"))
		return 1;
	pair_close(&p);
	return 0;
}

static int t_connect_timeout_pollerr(const void *arg)
{
	struct xenshm_info i;
	char line[256];
	double t0;
	int fd, r, rev, kfd;

	kfd = kmsg_open();
	CHECK(kfd >= 0);
	fd = xenshm_open("loop0-a", 0);
	CHECK(fd >= 0);
	t0 = now_s();
	r = xenshm_connect(fd, XENSHM_MODE_STREAM, XENSHM_ROLE_AUTO, 300, XENSHM_DOMID_NONE);
	CHECK_RET(r, -EINPROGRESS);
	rev = poll1(fd, POLLOUT, 5000);
	if (!(rev & POLLERR) || (rev & POLLOUT))
		FAIL("revents 0x%x after the connect timeout, expected POLLERR", rev);
	if (now_s() - t0 < 0.25)
		FAIL("POLLERR after %.3f s, before the 300 ms timeout", now_s() - t0);
	CHECK_RET(xenshm_get_info(fd, &i), 0);
	if (i.state == XENSHM_CHAN_STATE_CONNECTED || i.state == XENSHM_CHAN_STATE_CONNECTING)
		FAIL("state %s after timeout", xenshm_state_name(i.state));
	/* The log says what the rendezvous was waiting for, not just -110. */
	r = kmsg_find(kfd, "loop0-a: connect failed: -110, while meeting the peer", line, sizeof(line));
	if (r != 1)
		FAIL("no \"connect failed: -110, while meeting the peer\" in the kernel log (%d)", r);
	diag("%s", line);
	close(kfd);
	close(fd);
	return 0;
}

/* CONNECT pinned to a domid that is not the peer's: refused (POLLERR). */
static int t_connect_pin_wrong_peer(const void *arg)
{
	struct xenshm_info i;
	struct pair p;
	char line[256];
	int r, rev, kfd;

	kfd = kmsg_open();
	CHECK(kfd >= 0);
	CHECK_RET(pair_open(&p, 0, 0), 0);
	CHECK_RET(xenshm_get_info(p.a, &i), 0);
	r = xenshm_connect(p.a, XENSHM_MODE_STREAM, XENSHM_ROLE_AUTO, 3000,
			   i.local_domid == 5 ? 6 : 5);
	if (r && r != -EINPROGRESS && r != -EACCES)
		FAIL("pinned connect: %s", errname(r));
	xenshm_connect(p.b, XENSHM_MODE_STREAM, XENSHM_ROLE_AUTO, 3000, XENSHM_DOMID_NONE);
	if (r == -EINPROGRESS) {
		rev = poll1(p.a, POLLOUT, 5000);
		if (!(rev & POLLERR))
			FAIL("pinned end revents 0x%x, expected POLLERR (refusal)", rev);
	}
	CHECK_RET(xenshm_get_info(p.a, &i), 0);
	if (i.state == XENSHM_CHAN_STATE_CONNECTED)
		FAIL("connected to a peer that is not the pinned one");
	if (r == -EINPROGRESS) {
		r = kmsg_find(kfd, "loop0-a: connect failed: -13, while meeting the peer", line, sizeof(line));
		if (r != 1)
			FAIL("no \"connect failed: -13, while meeting the peer\" in the kernel log (%d)", r);
		diag("%s", line);
	}
	close(kfd);
	pair_close(&p);
	return 0;
}

static int t_set_and_clear_eventfd(const void *arg)
{
	int fd, e1, e2;

	fd = xenshm_open("loop0-a", 0);
	CHECK(fd >= 0);
	e1 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	e2 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(e1 >= 0 && e2 >= 0);
	CHECK_RET(xenshm_set_eventfd(fd, e1), 0);
	CHECK_RET(xenshm_set_eventfd(fd, e2), 0);	/* replaces */
	CHECK_RET(xenshm_clear_eventfd(fd), 0);
	CHECK_RET(xenshm_clear_eventfd(fd), 0);		/* clearing nothing is fine */
	close(e1);
	close(e2);
	close(fd);
	return 0;
}

static int t_notify_happy(const void *arg)
{
	struct pair p;
	int r;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	r = xenshm_notify(p.a, XENSHM_NOTIFY_FLAGS_TX);
	if (r != 0 && r != 1)
		FAIL("NOTIFY TX: %d (%s)", r, errname(r));
	r = xenshm_notify(p.a, XENSHM_NOTIFY_FLAGS_RX);
	if (r != 0 && r != 1)
		FAIL("NOTIFY RX: %d (%s)", r, errname(r));
	r = xenshm_notify(p.a, XENSHM_NOTIFY_FLAGS_TX | XENSHM_NOTIFY_FLAGS_RX);
	if (r != 0 && r != 1)
		FAIL("NOTIFY TX|RX: %d (%s)", r, errname(r));
	pair_close(&p);
	return 0;
}

static int t_stats_counters(const void *arg)
{
	struct xenshm_stats sa, sb;
	static char buf[3000];
	struct pair p;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_MESSAGE, 0), 0);
	CHECK_RET(xenshm_get_stats(p.a, &sa), 0);
	if (sa.tx_bytes || sa.rx_bytes || sa.tx_msgs || sa.rx_msgs || sa.errors)
		FAIL("fresh counters not zero");
	memset(buf, 'x', sizeof(buf));
	CHECK_RET(write_all(p.a, buf, 1000), 0);
	CHECK_RET(read_all(p.b, buf, 1000), 0);
	CHECK(write(p.b, buf, 100) == 100);
	CHECK(write(p.b, buf, 200) == 200);
	CHECK(read(p.a, buf, sizeof(buf)) == 100);
	CHECK(read(p.a, buf, sizeof(buf)) == 200);
	CHECK_RET(xenshm_get_stats(p.a, &sa), 0);
	CHECK_RET(xenshm_get_stats(p.b, &sb), 0);
	if (sa.tx_bytes != 1000 || sb.rx_bytes != 1000)
		FAIL("a.tx_bytes %llu b.rx_bytes %llu, expected 1000",
		     (unsigned long long)sa.tx_bytes, (unsigned long long)sb.rx_bytes);
	if (sb.tx_msgs != 2 || sa.rx_msgs != 2)
		FAIL("b.tx_msgs %llu a.rx_msgs %llu, expected 2",
		     (unsigned long long)sb.tx_msgs, (unsigned long long)sa.rx_msgs);
	if (sb.tx_bytes != 300 || sa.rx_bytes != 300)
		FAIL("b.tx_bytes %llu a.rx_bytes %llu, expected 300",
		     (unsigned long long)sb.tx_bytes, (unsigned long long)sa.rx_bytes);
	if (sa.errors || sb.errors)
		FAIL("errors a %llu b %llu", (unsigned long long)sa.errors,
		     (unsigned long long)sb.errors);
	pair_close(&p);
	return 0;
}

static int t_reset_happy(const void *arg)
{
	struct xenshm_stats s;
	struct xenshm_info i;
	struct pair p;
	int rev;

	CHECK_RET(pair_up(&p, 0, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM, 0), 0);
	CHECK(write(p.a, "abc", 3) == 3);
	CHECK_RET(xenshm_reset(p.a), 0);
	CHECK_RET(xenshm_get_info(p.a, &i), 0);
	if (i.state != XENSHM_CHAN_STATE_IDLE)
		FAIL("after RESET state %s, expected idle", xenshm_state_name(i.state));
	CHECK_RET(xenshm_get_stats(p.a, &s), 0);
	if (s.tx_bytes)
		FAIL("after RESET tx_bytes %llu", (unsigned long long)s.tx_bytes);
	rev = poll1(p.b, POLLIN, 2000);
	if (!(rev & POLLHUP))
		FAIL("peer revents 0x%x after RESET, expected POLLHUP", rev);
	/* The end can connect again. */
	CHECK_RET(xenshm_reset(p.b), 0);
	CHECK_RET(pair_connect(&p, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM), 0);
	pair_close(&p);
	return 0;
}

/* ---- invalid arguments, one row each ---- */

enum need { N_IDLE, N_CONNECTED };
enum base { B_NONE, B_NOTIFY_TX, B_EVENTFD, B_PIN, B_PIPE };

struct bad_row {
	const char *name;
	unsigned long cmd;
	uint32_t v1;		/* v1 size of the struct */
	int64_t size;		/* size field; -1: v1 */
	int off;		/* patch: 4-byte word at off (-1 none) */
	uint32_t val;
	int byte_off;		/* patch: one byte at byte_off (-1 none) */
	enum base base;
	enum need need;
	int expect;		/* errno */
	int null_arg;		/* pass NULL as the argument */
};

#define ROW(n, c, T, sz, o, v, bo, b, nd, e) \
	{ .name = n, .cmd = c, .v1 = sizeof(struct T), .size = sz, .off = o, .val = v, \
	  .byte_off = bo, .base = b, .need = nd, .expect = e }

#define SIZE_ROWS(pfx, c, T, b, nd) \
	ROW(pfx "_size_0_einval", c, T, 0, -1, 0, -1, b, nd, EINVAL), \
	ROW(pfx "_size_small_einval", c, T, sizeof(struct T) - 4, -1, 0, -1, b, nd, EINVAL), \
	ROW(pfx "_size_4097_e2big", c, T, 4097, -1, 0, -1, b, nd, E2BIG), \
	ROW(pfx "_size_huge_e2big", c, T, 0xffffffffll, -1, 0, -1, b, nd, E2BIG), \
	ROW(pfx "_tail_nonzero_e2big", c, T, sizeof(struct T) + 8, -1, 0, sizeof(struct T) + 3, b, nd, E2BIG), \
	ROW(pfx "_tail_4095_nonzero_e2big", c, T, 4096, -1, 0, 4095, b, nd, E2BIG)

#define BADCMD(n, c) { .name = n, .cmd = c, .v1 = 8, .size = -1, .off = -1, .byte_off = -1, \
	.need = N_IDLE, .expect = ENOTTY }

static const struct bad_row bad_rows[] = {
	SIZE_ROWS("get_info", XENSHM_IOC_GET_INFO, xenshm_info, B_NONE, N_IDLE),
	ROW("get_info_flags_einval", XENSHM_IOC_GET_INFO, xenshm_info, -1, 4, 1, -1, B_NONE, N_IDLE, EINVAL),
	ROW("get_info_flags_high_einval", XENSHM_IOC_GET_INFO, xenshm_info, -1, 4, 0x80000000u, -1, B_NONE, N_IDLE, EINVAL),

	SIZE_ROWS("connect", XENSHM_IOC_CONNECT, xenshm_connect, B_NONE, N_IDLE),
	ROW("connect_flags_unknown_einval", XENSHM_IOC_CONNECT, xenshm_connect, -1, 4, 2, -1, B_NONE, N_IDLE, EINVAL),
	ROW("connect_heartbeat_99_einval", XENSHM_IOC_CONNECT, xenshm_connect, -1, 24, 99, -1, B_NONE, N_IDLE, EINVAL),
	ROW("connect_heartbeat_60001_einval", XENSHM_IOC_CONNECT, xenshm_connect, -1, 24, 60001, -1, B_NONE, N_IDLE, EINVAL),
	ROW("connect_reserved_einval", XENSHM_IOC_CONNECT, xenshm_connect, -1, 28, 1, -1, B_NONE, N_IDLE, EINVAL),
	ROW("connect_reserved_high_einval", XENSHM_IOC_CONNECT, xenshm_connect, -1, 28, 0x80000000u, -1, B_NONE, N_IDLE, EINVAL),
	ROW("connect_role_3_einval", XENSHM_IOC_CONNECT, xenshm_connect, -1, 12, 3, -1, B_NONE, N_IDLE, EINVAL),
	ROW("connect_role_huge_einval", XENSHM_IOC_CONNECT, xenshm_connect, -1, 12, 0xffffffffu, -1, B_NONE, N_IDLE, EINVAL),
	ROW("connect_mode_2_einval", XENSHM_IOC_CONNECT, xenshm_connect, -1, 16, 2, -1, B_NONE, N_IDLE, EINVAL),
	ROW("connect_peer_without_pin_einval", XENSHM_IOC_CONNECT, xenshm_connect, -1, 8, 5, -1, B_NONE, N_IDLE, EINVAL),
	ROW("connect_pin_domid_reserved_einval", XENSHM_IOC_CONNECT, xenshm_connect, -1, 8, 0x7ff0, -1, B_PIN, N_IDLE, EINVAL),
	ROW("connect_pin_domid_none_einval", XENSHM_IOC_CONNECT, xenshm_connect, -1, 8, 0xffffffffu, -1, B_PIN, N_IDLE, EINVAL),

	SIZE_ROWS("set_eventfd", XENSHM_IOC_SET_EVENTFD, xenshm_eventfd, B_EVENTFD, N_IDLE),
	ROW("set_eventfd_flags_unknown_einval", XENSHM_IOC_SET_EVENTFD, xenshm_eventfd, -1, 4, 2, -1, B_EVENTFD, N_IDLE, EINVAL),
	ROW("set_eventfd_reserved_einval", XENSHM_IOC_SET_EVENTFD, xenshm_eventfd, -1, 12, 1, -1, B_EVENTFD, N_IDLE, EINVAL),
	ROW("set_eventfd_clear_with_fd_einval", XENSHM_IOC_SET_EVENTFD, xenshm_eventfd, -1, 4, XENSHM_EVENTFD_FLAGS_CLEAR, -1, B_EVENTFD, N_IDLE, EINVAL),
	ROW("set_eventfd_fd_minus1_ebadf", XENSHM_IOC_SET_EVENTFD, xenshm_eventfd, -1, 8, 0xffffffffu, -1, B_EVENTFD, N_IDLE, EBADF),
	ROW("set_eventfd_fd_not_open_ebadf", XENSHM_IOC_SET_EVENTFD, xenshm_eventfd, -1, 8, 1000, -1, B_EVENTFD, N_IDLE, EBADF),
	ROW("set_eventfd_fd_not_eventfd_einval", XENSHM_IOC_SET_EVENTFD, xenshm_eventfd, -1, -1, 0, -1, B_PIPE, N_IDLE, EINVAL),

	SIZE_ROWS("notify", XENSHM_IOC_NOTIFY, xenshm_notify, B_NOTIFY_TX, N_CONNECTED),
	ROW("notify_flags_0_einval", XENSHM_IOC_NOTIFY, xenshm_notify, -1, 4, 0, -1, B_NOTIFY_TX, N_CONNECTED, EINVAL),
	ROW("notify_flags_unknown_einval", XENSHM_IOC_NOTIFY, xenshm_notify, -1, 4, 4 | XENSHM_NOTIFY_FLAGS_TX, -1, B_NOTIFY_TX, N_CONNECTED, EINVAL),

	SIZE_ROWS("stats", XENSHM_IOC_STATS, xenshm_stats, B_NONE, N_CONNECTED),
	ROW("stats_flags_einval", XENSHM_IOC_STATS, xenshm_stats, -1, 4, 1, -1, B_NONE, N_CONNECTED, EINVAL),

	SIZE_ROWS("reset", XENSHM_IOC_RESET, xenshm_reset, B_NONE, N_CONNECTED),
	ROW("reset_flags_einval", XENSHM_IOC_RESET, xenshm_reset, -1, 4, 1, -1, B_NONE, N_CONNECTED, EINVAL),

	BADCMD("cmd_nr_6_enotty", _IOWR(XENSHM_IOC_MAGIC, 6, struct xenshm_reset)),
	BADCMD("cmd_nr_31_enotty", _IOW(XENSHM_IOC_MAGIC, 31, struct xenshm_reset)),
	BADCMD("cmd_nr_255_none_enotty", _IO(XENSHM_IOC_MAGIC, 255)),
	BADCMD("cmd_other_magic_enotty", _IOWR(0xB7, 0, struct xenshm_info)),
	BADCMD("cmd_get_info_wrong_dir_enotty", _IOR(XENSHM_IOC_MAGIC, 0, struct xenshm_info)),
	BADCMD("cmd_reset_wrong_type_enotty", _IOW('X', 5, struct xenshm_reset)),
	BADCMD("cmd_tcgets_enotty", 0x5401 /* TCGETS */),
	{ .name = "get_info_null_arg_efault", .cmd = XENSHM_IOC_GET_INFO, .v1 = 136, .size = -1,
	  .off = -1, .byte_off = -1, .need = N_IDLE, .expect = EFAULT, .null_arg = 1 },
	{ .name = "connect_null_arg_efault", .cmd = XENSHM_IOC_CONNECT, .v1 = 32, .size = -1,
	  .off = -1, .byte_off = -1, .need = N_IDLE, .expect = EFAULT, .null_arg = 1 },
};

static int t_bad_row(const void *varg)
{
	const struct bad_row *row = varg;
	static uint8_t buf[8192] __attribute__((aligned(8)));
	struct xenshm_stats st;
	struct xenshm_info before, after;
	struct pair p;
	uint32_t size;
	int efd = -1, r, e;

	CHECK_RET(pair_open(&p, 0, 0), 0);
	if (row->need == N_CONNECTED)
		CHECK_RET(pair_connect(&p, XENSHM_MODE_STREAM, XENSHM_MODE_STREAM), 0);
	/* Something in flight that a wrongly accepted call could disturb. */
	if (row->need == N_CONNECTED)
		CHECK(write(p.a, "12345678", 8) == 8);
	CHECK_RET(xenshm_get_info(p.a, &before), 0);

	memset(buf, 0, sizeof(buf));
	size = row->size < 0 ? row->v1 : (uint32_t)row->size;
	memcpy(buf, &size, 4);
	switch (row->base) {
	case B_NOTIFY_TX: {
		uint32_t f = XENSHM_NOTIFY_FLAGS_TX;

		memcpy(buf + 4, &f, 4);
		break;
	}
	case B_PIPE:
	case B_EVENTFD: {
		uint32_t fd;
		int pfd[2];

		if (row->base == B_PIPE) {
			CHECK_OK(pipe(pfd));
			close(pfd[1]);
			efd = pfd[0];
		} else {
			efd = eventfd(0, EFD_CLOEXEC);
		}
		CHECK(efd >= 0);
		fd = (uint32_t)efd;
		memcpy(buf + 8, &fd, 4);
		break;
	}
	case B_PIN: {
		uint32_t f = XENSHM_CONNECT_FLAGS_PIN_PEER;

		memcpy(buf + 4, &f, 4);
		break;
	}
	default:
		break;
	}
	if (row->off >= 0)
		memcpy(buf + row->off, &row->val, 4);
	if (row->byte_off >= 0)
		buf[row->byte_off] = 0x5a;

	errno = 0;
	r = ioctl(p.a, row->cmd, row->null_arg ? NULL : buf);
	e = errno;
	if (r != -1 || e != row->expect)
		FAIL("ioctl returned %d errno %s, expected -1 errno %s", r,
		     r == -1 ? errname(e) : "-", errname(row->expect));

	/* Rejected input changes nothing. */
	CHECK_RET(xenshm_get_info(p.a, &after), 0);
	if (after.state != before.state)
		FAIL("state changed by a rejected call: %s -> %s",
		     xenshm_state_name(before.state), xenshm_state_name(after.state));
	if (row->need == N_CONNECTED) {
		char got[9] = { 0 };

		CHECK_RET(read_all(p.b, got, 8), 0);
		if (memcmp(got, "12345678", 8))
			FAIL("data in flight changed: '%s'", got);
		CHECK_RET(xenshm_get_stats(p.a, &st), 0);
		if (st.tx_bytes != 8)
			FAIL("counters reset by a rejected call: tx_bytes %llu",
			     (unsigned long long)st.tx_bytes);
	}
	if (efd >= 0)
		close(efd);
	pair_close(&p);
	return 0;
}

void register_ioctl_cases(void)
{
	size_t i;

	add_case("devices_present", t_devices_present, NULL, 0);
	add_case("get_info_idle", t_get_info_idle, NULL, 0);
	add_case("get_info_size_4096_zero_tail_ok", t_get_info_big_size, NULL, 0);
	add_case("ioctl_encoded_size_ignored_newer_caller", t_cmd_encoded_size_ignored, NULL, 0);
	add_case("connect_einprogress_then_pollout", t_connect_inprogress_pollout, NULL, 0);
	add_case("connect_again_returns_0", t_connect_again_is_0, NULL, 0);
	add_case("get_info_connected_layout", t_get_info_connected, NULL, 0);
	add_case("connect_timeout_pollerr", t_connect_timeout_pollerr, NULL, 0);
	add_case("connect_pin_wrong_peer_refused", t_connect_pin_wrong_peer, NULL, 0);
	add_case("set_eventfd_replace_clear", t_set_and_clear_eventfd, NULL, 0);
	add_case("notify_returns_0_or_1", t_notify_happy, NULL, 0);
	add_case("stats_counters", t_stats_counters, NULL, 0);
	add_case("reset_idle_counters_peer_hup", t_reset_happy, NULL, 0);
	for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++)
		add_case(bad_rows[i].name, t_bad_row, &bad_rows[i], 0);
}
