// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite xenshm_uapi: validation of ioctl arguments (module/uapi.c),
 * one row per invalid (or boundary) input with its expected errno.
 *
 * Covered: the size rules (v1 size, 4096 cap), command decoding (size bits
 * ignored, direction/type/number exact), and the field checks of every
 * argument struct: unknown flags, non-zero reserved words, enum ranges,
 * domid and fd ranges, flag combinations.
 *
 * Not covered here: the copy itself (copy_struct_from_user's "non-zero bytes
 * beyond v1 -> E2BIG", done in module/chardev.c: the QEMU module tests drive
 * it through real ioctls), -ENOTTY for unknown commands at the fops level,
 * and what the ioctls do once their argument is accepted.
 */
#include <kunit/test.h>
#include <linux/ioctl.h>
#include <linux/limits.h>

#include "uapi.h"

#define DESC(type)							\
static void type##_desc(const struct type *c, char *desc)		\
{									\
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);			\
}

/* --- size ------------------------------------------------------------------ */

struct size_case {
	const char *name;
	u32 usize;
	size_t v1;
	int expect;
};

#define INFO_SIZE sizeof(struct xenshm_info)

static const struct size_case size_cases[] = {
	{ "zero",		0,		16,	-EINVAL },
	{ "one_short",		15,		16,	-EINVAL },
	{ "exact_v1",		16,		16,	0 },
	{ "bigger_v2",		24,		16,	0 },
	{ "at_cap",		4096,		16,	0 },
	{ "over_cap",		4097,		16,	-E2BIG },
	{ "u32_max",		0xffffffffu,	16,	-E2BIG },
	{ "info_v1",		INFO_SIZE,	INFO_SIZE, 0 },
	{ "info_short",		INFO_SIZE - 8,	INFO_SIZE, -EINVAL },
};

DESC(size_case)

KUNIT_ARRAY_PARAM(size, size_cases, size_case_desc);

static void xenshm_uapi_size_rule(struct kunit *test)
{
	const struct size_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, xenshm_uapi_check_size(c->usize, c->v1), c->expect);
}

/* --- command decoding ------------------------------------------------------------ */

struct cmd_case {
	const char *name;
	unsigned int cmd;
	size_t expect;
};

#define CONNECT_SIZE sizeof(struct xenshm_connect)

static const struct cmd_case cmd_cases[] = {
	{ "get_info",	XENSHM_IOC_GET_INFO,	sizeof(struct xenshm_info) },
	{ "connect",	XENSHM_IOC_CONNECT,	sizeof(struct xenshm_connect) },
	{ "set_eventfd", XENSHM_IOC_SET_EVENTFD, sizeof(struct xenshm_eventfd) },
	{ "notify",	XENSHM_IOC_NOTIFY,	sizeof(struct xenshm_notify) },
	{ "stats",	XENSHM_IOC_STATS,	sizeof(struct xenshm_stats) },
	{ "reset",	XENSHM_IOC_RESET,	sizeof(struct xenshm_reset) },
	/* a newer header's bigger struct: same command, its size field counts */
	{ "connect_v2_size_bits", _IOC(_IOC_WRITE, XENSHM_IOC_MAGIC, 1, 48),
	  sizeof(struct xenshm_connect) },
	{ "get_info_wrong_dir",	_IOC(_IOC_READ, XENSHM_IOC_MAGIC, 0, INFO_SIZE), 0 },
	{ "connect_no_dir",	_IOC(_IOC_NONE, XENSHM_IOC_MAGIC, 1, CONNECT_SIZE), 0 },
	{ "wrong_magic",	_IOC(_IOC_WRITE, 0xb7, 1, CONNECT_SIZE), 0 },
	{ "reserved_nr_6",	_IOC(_IOC_WRITE, XENSHM_IOC_MAGIC, 6, 8), 0 },
	{ "reserved_nr_31",	_IOC(_IOC_READ | _IOC_WRITE, XENSHM_IOC_MAGIC, 31, 8), 0 },
	{ "zero",		0, 0 },
	{ "tcgets",		0x5401, 0 },
};

DESC(cmd_case)

KUNIT_ARRAY_PARAM(cmd, cmd_cases, cmd_case_desc);

static void xenshm_uapi_cmd_decoding(struct kunit *test)
{
	const struct cmd_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, xenshm_uapi_arg_size(c->cmd), c->expect);
}

/* --- CONNECT ------------------------------------------------------------------------ */

struct connect_case {
	const char *name;
	struct xenshm_connect arg;
	int expect;
};

#define CONNECT(f, dom, r, m, res) { .size = sizeof(struct xenshm_connect), .flags = (f), \
	.peer_domid = (dom), .role = (r), .mode = (m), .reserved = (res) }
/* A default connect with CONNECT.heartbeat_ms = ms. */
#define HB(ms) { .size = sizeof(struct xenshm_connect), .role = XENSHM_ROLE_AUTO, \
	.mode = XENSHM_MODE_STREAM, .heartbeat_ms = (ms) }
#define PIN XENSHM_CONNECT_FLAGS_PIN_PEER
#define AUTO XENSHM_ROLE_AUTO
#define STREAM XENSHM_MODE_STREAM
#define MESSAGE XENSHM_MODE_MESSAGE

static const struct connect_case connect_cases[] = {
	{ "auto_stream_ok",	CONNECT(0, 0, AUTO, STREAM, 0), 0 },
	{ "receiver_message_ok", CONNECT(0, 0, XENSHM_ROLE_RECEIVER, MESSAGE, 0), 0 },
	{ "sender_ok",		CONNECT(0, 0, XENSHM_ROLE_SENDER, STREAM, 0), 0 },
	{ "pin_dom0_ok",	CONNECT(PIN, 0, AUTO, STREAM, 0), 0 },
	{ "pin_max_domid_ok",	CONNECT(PIN, 0x7fef, AUTO, STREAM, 0), 0 },
	{ "pin_reserved_domid",	CONNECT(PIN, 0x7ff0, AUTO, STREAM, 0), -EINVAL },
	{ "pin_domid_none",	CONNECT(PIN, 0xffffffffu, AUTO, STREAM, 0), -EINVAL },
	{ "domid_without_pin",	CONNECT(0, 3, AUTO, STREAM, 0), -EINVAL },
	{ "unknown_flag",	CONNECT(1u << 1, 0, AUTO, STREAM, 0), -EINVAL },
	{ "top_flag",		CONNECT(1u << 31, 0, AUTO, STREAM, 0), -EINVAL },
	{ "role_out_of_range",	CONNECT(0, 0, 3, STREAM, 0), -EINVAL },
	{ "role_huge",		CONNECT(0, 0, 0xffffffffu, STREAM, 0), -EINVAL },
	{ "mode_out_of_range",	CONNECT(0, 0, AUTO, 2, 0), -EINVAL },
	{ "reserved_set",	CONNECT(0, 0, AUTO, STREAM, 1), -EINVAL },
	{ "reserved_high_bit",	CONNECT(0, 0, AUTO, STREAM, 1u << 31), -EINVAL },
	{ "heartbeat_default_ok", HB(0), 0 },
	{ "heartbeat_min_ok",	HB(100), 0 },
	{ "heartbeat_max_ok",	HB(60000), 0 },
	{ "heartbeat_too_short", HB(99), -EINVAL },
	{ "heartbeat_too_long",	HB(60001), -EINVAL },
};

DESC(connect_case)

KUNIT_ARRAY_PARAM(connect, connect_cases, connect_case_desc);

static void xenshm_uapi_connect_fields(struct kunit *test)
{
	const struct connect_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, xenshm_uapi_check_connect(&c->arg), c->expect);
}

/* --- SET_EVENTFD ------------------------------------------------------------------------- */

struct eventfd_case {
	const char *name;
	u32 flags, fd, reserved;
	int expect;
};

#define CLEAR XENSHM_EVENTFD_FLAGS_CLEAR
static const struct eventfd_case eventfd_cases[] = {
	{ "fd_ok",		0,		3,		0, 0 },
	{ "fd_zero_ok",		0,		0,		0, 0 },
	{ "fd_int_max_ok",	0,		INT_MAX,	0, 0 },
	{ "fd_negative",	0,		0x80000000u,	0, -EBADF },
	{ "fd_minus_one",	0,		0xffffffffu,	0, -EBADF },
	{ "clear_ok",		CLEAR,		0,		0, 0 },
	{ "clear_with_fd",	CLEAR,		3,		0, -EINVAL },
	{ "unknown_flag",	1u << 1,	3,		0, -EINVAL },
	{ "reserved_set",	0,		3,		7, -EINVAL },
};

DESC(eventfd_case)

KUNIT_ARRAY_PARAM(eventfd, eventfd_cases, eventfd_case_desc);

static void xenshm_uapi_eventfd_fields(struct kunit *test)
{
	const struct eventfd_case *c = test->param_value;
	struct xenshm_eventfd arg = {
		.size = sizeof(arg), .flags = c->flags, .fd = c->fd, .reserved = c->reserved,
	};

	KUNIT_EXPECT_EQ(test, xenshm_uapi_check_eventfd(&arg), c->expect);
}

/* --- NOTIFY ------------------------------------------------------------------------------- */

struct notify_case {
	const char *name;
	u32 flags;
	int expect;
};

static const struct notify_case notify_cases[] = {
	{ "none",	0,					-EINVAL },
	{ "tx",		XENSHM_NOTIFY_FLAGS_TX,			0 },
	{ "rx",		XENSHM_NOTIFY_FLAGS_RX,			0 },
	{ "both",	XENSHM_NOTIFY_FLAGS_ALL,		0 },
	{ "unknown",	1u << 2,				-EINVAL },
	{ "tx_unknown",	XENSHM_NOTIFY_FLAGS_TX | 1u << 7,	-EINVAL },
};

DESC(notify_case)

KUNIT_ARRAY_PARAM(notify, notify_cases, notify_case_desc);

static void xenshm_uapi_notify_flags(struct kunit *test)
{
	const struct notify_case *c = test->param_value;
	struct xenshm_notify arg = { .size = sizeof(arg), .flags = c->flags };

	KUNIT_EXPECT_EQ(test, xenshm_uapi_check_notify(&arg), c->expect);
}

/* --- flag-only structs (GET_INFO, STATS, RESET) ------------------------------------------- */

enum flags_only { FO_INFO, FO_STATS, FO_RESET };

struct flags_case {
	const char *name;
	enum flags_only which;
	u32 flags;
	int expect;
};

static const struct flags_case flags_cases[] = {
	{ "info_ok",		FO_INFO,	0,		0 },
	{ "info_flag",		FO_INFO,	1,		-EINVAL },
	{ "stats_ok",		FO_STATS,	0,		0 },
	{ "stats_flag",		FO_STATS,	1u << 31,	-EINVAL },
	{ "reset_ok",		FO_RESET,	0,		0 },
	{ "reset_flag",		FO_RESET,	2,		-EINVAL },
};

DESC(flags_case)

KUNIT_ARRAY_PARAM(flags, flags_cases, flags_case_desc);

/* Output structs: only size and flags are inputs; garbage elsewhere is fine. */
static void xenshm_uapi_output_struct_flags(struct kunit *test)
{
	const struct flags_case *c = test->param_value;
	struct xenshm_info info;
	struct xenshm_stats stats;
	struct xenshm_reset reset;
	int rc = 0;

	memset(&info, 0xff, sizeof(info));
	memset(&stats, 0xff, sizeof(stats));
	memset(&reset, 0xff, sizeof(reset));
	switch (c->which) {
	case FO_INFO:
		info.size = sizeof(info);
		info.flags = c->flags;
		rc = xenshm_uapi_check_info(&info);
		break;
	case FO_STATS:
		stats.size = sizeof(stats);
		stats.flags = c->flags;
		rc = xenshm_uapi_check_stats(&stats);
		break;
	case FO_RESET:
		reset.size = sizeof(reset);
		reset.flags = c->flags;
		rc = xenshm_uapi_check_reset(&reset);
		break;
	}
	KUNIT_EXPECT_EQ(test, rc, c->expect);
}

static struct kunit_case xenshm_uapi_cases[] = {
	KUNIT_CASE_PARAM(xenshm_uapi_size_rule, size_gen_params),
	KUNIT_CASE_PARAM(xenshm_uapi_cmd_decoding, cmd_gen_params),
	KUNIT_CASE_PARAM(xenshm_uapi_connect_fields, connect_gen_params),
	KUNIT_CASE_PARAM(xenshm_uapi_eventfd_fields, eventfd_gen_params),
	KUNIT_CASE_PARAM(xenshm_uapi_notify_flags, notify_gen_params),
	KUNIT_CASE_PARAM(xenshm_uapi_output_struct_flags, flags_gen_params),
	{}
};

static struct kunit_suite xenshm_uapi_suite = {
	.name = "xenshm_uapi",
	.test_cases = xenshm_uapi_cases,
};

kunit_test_suites(&xenshm_uapi_suite);
