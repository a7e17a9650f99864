// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite xenshm_ring: the ring core's data path (ringcore, through its C
 * facade xsr.h), compiled with the kernel's flags and run on a vmalloc'ed
 * region under KASAN/UBSAN. Both ends live in one region, as in the loopback
 * transport: slot 0 produces ring 0, slot 1 consumes it.
 *
 * Covered: message round trips over ring sizes x wrap points (including the
 * 2^32 wrap of the free-running indices, pad records, exact fits);
 * all-or-nothing send/recv; the stream mode's partial transfers; failing copy
 * callbacks; deferred publication (XSR_MORE); zero copy; event-index
 * notification decisions, step by step; one row per corrupted shared field
 * (indices, record headers) -> sticky -EIO.
 *
 * Not covered here: concurrency between producer and consumer on two CPUs
 * (memory ordering is argued in xsr.h and exercised by the host tests under
 * TSan and by the module tests in QEMU), copies from user pointers
 * (module/ringshim.c, tested through the char device), and the region/slot
 * handling (xenshm_region).
 */
#include <kunit/test.h>
#include <linux/vmalloc.h>

#include "xenshm/xsr.h"
#include "uapi/xenshm.h"

#define R16K	16384u			/* data_size 4096 */
#define R24K	24576u			/* data_size 8192 */
#define R1M	(8192u + 2 * 524288u)	/* data_size 512 KiB */

struct ring_env {
	void *mem;
	u64 size;
	u32 ds;
	struct xsr_region rg0, rg1;
	struct xsr_ring tx;	/* slot 0's TX: produces ring 0 */
	struct xsr_ring rx;	/* slot 1's RX: consumes ring 0 */
	u8 *a, *b;		/* two scratch buffers of ds bytes */
};

static int ring_env_init(struct kunit *test)
{
	struct ring_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	test->priv = env;
	return 0;
}

static void ring_env_exit(struct kunit *test)
{
	struct ring_env *env = test->priv;

	vfree(env->mem);
	vfree(env->a);
	vfree(env->b);
}

static struct xenshm_ring_ctrl *ctrl0(struct ring_env *env)
{
	return env->mem + XENSHM_RING0_CTRL_OFF;
}

static u8 *data0(struct ring_env *env)
{
	return env->mem + XENSHM_DATA_OFF;
}

static struct xenshm_record_header *rec_at(struct ring_env *env, u32 index)
{
	return (void *)(data0(env) + (index & (env->ds - 1)));
}

/*
 * Region of @size, both slots claimed, ring 0's indices placed at @start
 * (attach resyncs both ends to them), TX and RX handles attached in @mode.
 */
static struct ring_env *ring_setup(struct kunit *test, u64 size, unsigned int mode, u32 start)
{
	struct ring_env *env = test->priv;
	u32 flags = mode == XSR_MODE_MESSAGE ? XSR_SLOT_FLAG_TX_MESSAGE : 0;
	u32 epoch;

	env->mem = vzalloc(size);
	KUNIT_ASSERT_NOT_NULL(test, env->mem);
	env->size = size;
	KUNIT_ASSERT_EQ(test, xsr_region_init(&env->rg0, env->mem, size), 0);
	KUNIT_ASSERT_EQ(test, xsr_region_validate(&env->rg1, env->mem, size), 0);
	env->ds = xsr_region_data_size(&env->rg0);
	KUNIT_ASSERT_EQ(test, env->ds, xsr_data_size_for(size));
	env->a = vmalloc(env->ds);
	env->b = vmalloc(env->ds);
	KUNIT_ASSERT_NOT_NULL(test, env->a);
	KUNIT_ASSERT_NOT_NULL(test, env->b);

	KUNIT_ASSERT_EQ(test, xsr_slot_claim(&env->rg0, 0, 1, 2, flags, &epoch), 0);
	KUNIT_ASSERT_EQ(test, xsr_slot_claim(&env->rg1, 1, 2, 1, 0, &epoch), 1);
	WRITE_ONCE(ctrl0(env)->prod, start);
	WRITE_ONCE(ctrl0(env)->cons, start);
	KUNIT_ASSERT_EQ(test, xsr_ring_attach(&env->tx, &env->rg0, 0, XSR_TX, mode), 0);
	KUNIT_ASSERT_EQ(test, xsr_ring_attach(&env->rx, &env->rg1, 1, XSR_RX, mode), 0);
	return env;
}

/* A pattern that differs per byte and per @seed, so misplaced bytes show. */
static void fill(u8 *p, size_t n, u32 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (u8)(seed * 131 + i * 7 + (i >> 8));
}

/* Copy callbacks that count calls and can fail the n-th one. */
struct copy_ctx {
	int calls;
	int fail_at;		/* 1-based call number that fails; 0: never */
	size_t bytes;
};

static int copy_in(void *ctx, void *shm_dst, const void *src, size_t len)
{
	struct copy_ctx *c = ctx;

	if (++c->calls == c->fail_at)
		return -EFAULT;
	memcpy(shm_dst, src, len);
	c->bytes += len;
	return 0;
}

static int copy_out(void *ctx, void *dst, const void *shm_src, size_t len)
{
	struct copy_ctx *c = ctx;

	if (++c->calls == c->fail_at)
		return -EFAULT;
	memcpy(dst, shm_src, len);
	c->bytes += len;
	return 0;
}

static long send(struct ring_env *env, const void *p, size_t len, unsigned int flags)
{
	struct copy_ctx c = {};

	return xsr_send(&env->tx, p, len, copy_in, &c, flags);
}

static long recv(struct ring_env *env, void *p, size_t cap)
{
	struct copy_ctx c = {};

	return xsr_recv(&env->rx, p, cap, copy_out, &c, 0);
}

static long wr(struct ring_env *env, const void *p, size_t len, unsigned int flags)
{
	struct copy_ctx c = {};

	return xsr_write(&env->tx, p, len, copy_in, &c, flags);
}

static long rd(struct ring_env *env, void *p, size_t cap)
{
	struct copy_ctx c = {};

	return xsr_read(&env->rx, p, cap, copy_out, &c, 0);
}

static u32 rec_bytes(u32 len)
{
	return 8 + ALIGN(len, 8);
}

/* --- messages: sizes x wrap points -------------------------------------------- */

struct msg_case {
	const char *name;
	u64 region;
	u32 start;
	u32 len;
};

static const struct msg_case msg_cases[] = {
	{ "4k_len1",			R16K, 0,		1 },
	{ "4k_len13_mid",		R16K, 1000,		13 },
	{ "4k_max",			R16K, 0,		2040 },
	{ "4k_exact_fit_at_end",	R16K, 4080,		8 },
	{ "4k_pad_one_byte_short",	R16K, 4080,		9 },
	{ "4k_only_header_left",	R16K, 4088,		100 },
	{ "4k_u32_wrap_pad",		R16K, 0xfffffff8u,	64 },
	{ "4k_u32_wrap_max_exact",	R16K, 0xfffff800u,	2040 },
	{ "8k_max_after_pad",		R24K, 8000,		4088 },
	{ "512k_64k_at_2g",		R1M,  0x7ffffff8u,	65536 },
	{ "512k_max",			R1M,  12345 * 8,	262136 },
};

static void msg_desc(const struct msg_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(msg, msg_cases, msg_desc);

/* A message sent at any wrap point comes out whole; the wire shows its record. */
static void xenshm_ring_msg_roundtrip(struct kunit *test)
{
	const struct msg_case *c = test->param_value;
	struct ring_env *env = ring_setup(test, c->region, XSR_MODE_MESSAGE, c->start);
	u32 off = c->start & (env->ds - 1);
	u32 pad = off + rec_bytes(c->len) > env->ds ? env->ds - off : 0;
	struct xenshm_record_header *h;

	fill(env->a, c->len, c->start);
	KUNIT_ASSERT_EQ(test, send(env, env->a, c->len, 0), (long)c->len);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctrl0(env)->prod), c->start + pad + rec_bytes(c->len));
	KUNIT_EXPECT_EQ(test, xsr_rx_avail(&env->rx), (long)(pad + rec_bytes(c->len)));
	if (pad) {
		h = rec_at(env, c->start);
		KUNIT_EXPECT_EQ(test, h->type, (u32)XENSHM_RECORD_TYPE_PAD);
		KUNIT_EXPECT_EQ(test, h->len, pad - 8);
	}
	h = rec_at(env, c->start + pad);
	KUNIT_EXPECT_EQ(test, h->type, (u32)XENSHM_RECORD_TYPE_MSG);
	KUNIT_EXPECT_EQ(test, h->len, c->len);

	KUNIT_EXPECT_EQ(test, xsr_rx_next_len(&env->rx), (long)c->len);
	memset(env->b, 0, env->ds);
	KUNIT_ASSERT_EQ(test, recv(env, env->b, env->ds), (long)c->len);
	KUNIT_EXPECT_EQ(test, memcmp(env->a, env->b, c->len), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctrl0(env)->cons), c->start + pad + rec_bytes(c->len));
	KUNIT_EXPECT_EQ(test, xsr_rx_avail(&env->rx), 0L);
	KUNIT_EXPECT_EQ(test, recv(env, env->b, env->ds), (long)XSR_EAGAIN);
	KUNIT_EXPECT_EQ(test, xsr_ring_error(&env->rx), 0);
}

/* Many messages of growing size keep order and boundaries across several laps. */
static void xenshm_ring_msg_many_laps(struct kunit *test)
{
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_MESSAGE, 0xffff0000u);
	u32 i, len;

	for (i = 0; i < 200; i++) {
		len = (i * 37) % 700 + 1;
		fill(env->a, len, i);
		KUNIT_ASSERT_EQ(test, send(env, env->a, len, 0), (long)len);
		if (i % 2 == 1)
			continue;	/* let two queue */
		while (xsr_rx_avail(&env->rx) > 0) {
			long got = recv(env, env->b, env->ds);

			KUNIT_ASSERT_GT(test, got, 0L);
		}
	}
	while (xsr_rx_avail(&env->rx) > 0)
		KUNIT_ASSERT_GT(test, recv(env, env->b, env->ds), 0L);
	/* the last one can be checked byte for byte */
	len = 333;
	fill(env->a, len, 4242);
	KUNIT_ASSERT_EQ(test, send(env, env->a, len, 0), (long)len);
	KUNIT_ASSERT_EQ(test, recv(env, env->b, env->ds), (long)len);
	KUNIT_EXPECT_EQ(test, memcmp(env->a, env->b, len), 0);
}

/* --- all or nothing ---------------------------------------------------------------- */

/* A send that does not fit writes nothing and publishes nothing. */
static void xenshm_ring_msg_full_is_all_or_nothing(struct kunit *test)
{
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_MESSAGE, 0);
	u32 prod;

	fill(env->a, 2040, 1);
	KUNIT_ASSERT_EQ(test, send(env, env->a, 2040, 0), 2040L);	/* 0..2048 */
	KUNIT_ASSERT_EQ(test, send(env, env->a, 2000, 0), 2000L);	/* 2048..4056 */
	prod = READ_ONCE(ctrl0(env)->prod);
	KUNIT_EXPECT_EQ(test, xsr_tx_space(&env->tx), 32L);		/* 40 free */
	KUNIT_EXPECT_EQ(test, send(env, env->a, 33, 0), (long)XSR_EAGAIN);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctrl0(env)->prod), prod);
	KUNIT_EXPECT_EQ(test, send(env, env->a, 32, 0), 32L);
	KUNIT_EXPECT_EQ(test, xsr_tx_space(&env->tx), 0L);
	KUNIT_EXPECT_EQ(test, send(env, env->a, 1, 0), (long)XSR_EAGAIN);
	/* freeing the first message makes room again */
	KUNIT_ASSERT_EQ(test, recv(env, env->b, env->ds), 2040L);
	KUNIT_EXPECT_EQ(test, send(env, env->a, 1000, 0), 1000L);
}

/*
 * When a record does not fit before the end and the pad plus the record do
 * not fit in the free space, the send fails without writing the pad.
 */
static void xenshm_ring_msg_pad_needs_room(struct kunit *test)
{
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_MESSAGE, 0);
	u32 prod;

	fill(env->a, 2040, 2);
	KUNIT_ASSERT_EQ(test, send(env, env->a, 24, 0), 24L);		/* 0..32 */
	KUNIT_ASSERT_EQ(test, send(env, env->a, 2040, 0), 2040L);	/* 32..2080 */
	KUNIT_ASSERT_EQ(test, send(env, env->a, 1960, 0), 1960L);	/* 2080..4048 */
	KUNIT_ASSERT_EQ(test, recv(env, env->b, env->ds), 24L);	/* frees 0..32 */
	prod = READ_ONCE(ctrl0(env)->prod);
	/* 48 bytes at the end, 32 at the start: a 56-byte record fits nowhere */
	KUNIT_EXPECT_EQ(test, send(env, env->a, 41, 0), (long)XSR_EAGAIN);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctrl0(env)->prod), prod);
	KUNIT_EXPECT_EQ(test, rec_at(env, 4048)->type, 0u);
	KUNIT_EXPECT_EQ(test, xsr_tx_space(&env->tx), 40L);
	/* once the 2040 is consumed, pad + record go in */
	KUNIT_ASSERT_EQ(test, recv(env, env->b, env->ds), 2040L);
	KUNIT_EXPECT_EQ(test, memcmp(env->a, env->b, 2040), 0);
	KUNIT_ASSERT_EQ(test, send(env, env->a, 41, 0), 41L);
	KUNIT_EXPECT_EQ(test, rec_at(env, 4048)->type, (u32)XENSHM_RECORD_TYPE_PAD);
	KUNIT_ASSERT_EQ(test, recv(env, env->b, env->ds), 1960L);
	KUNIT_ASSERT_EQ(test, recv(env, env->b, env->ds), 41L);
	KUNIT_EXPECT_EQ(test, memcmp(env->a, env->b, 41), 0);
}

static void xenshm_ring_msg_too_big(struct kunit *test)
{
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_MESSAGE, 0);

	KUNIT_EXPECT_EQ(test, xsr_ring_max_msg(&env->tx), 2040u);
	KUNIT_EXPECT_EQ(test, send(env, env->a, 2041, 0), (long)XSR_EMSGSIZE);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctrl0(env)->prod), 0u);
	KUNIT_EXPECT_EQ(test, xsr_ring_error(&env->tx), 0);
}

/* A receive buffer that is too small leaves the message queued. */
static void xenshm_ring_msg_cap_too_small(struct kunit *test)
{
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_MESSAGE, 0);

	fill(env->a, 100, 3);
	KUNIT_ASSERT_EQ(test, send(env, env->a, 100, 0), 100L);
	KUNIT_EXPECT_EQ(test, recv(env, env->b, 99), (long)XSR_EMSGSIZE);
	KUNIT_EXPECT_EQ(test, xsr_rx_next_len(&env->rx), 100L);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctrl0(env)->cons), 0u);
	KUNIT_ASSERT_EQ(test, recv(env, env->b, 100), 100L);
	KUNIT_EXPECT_EQ(test, memcmp(env->a, env->b, 100), 0);
}

/* A failing copy-in commits nothing; a failing copy-out consumes nothing. */
static void xenshm_ring_msg_copy_fault(struct kunit *test)
{
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_MESSAGE, 0);
	struct copy_ctx c = { .fail_at = 1 };

	fill(env->a, 64, 4);
	KUNIT_EXPECT_EQ(test, xsr_send(&env->tx, env->a, 64, copy_in, &c, 0), (long)XSR_EFAULT);
	KUNIT_EXPECT_EQ(test, xsr_rx_avail(&env->rx), 0L);
	KUNIT_ASSERT_EQ(test, send(env, env->a, 64, 0), 64L);
	c = (struct copy_ctx){ .fail_at = 1 };
	KUNIT_EXPECT_EQ(test, xsr_recv(&env->rx, env->b, 64, copy_out, &c, 0), (long)XSR_EFAULT);
	KUNIT_EXPECT_EQ(test, xsr_rx_next_len(&env->rx), 64L);
	KUNIT_ASSERT_EQ(test, recv(env, env->b, 64), 64L);
	KUNIT_EXPECT_EQ(test, memcmp(env->a, env->b, 64), 0);
	KUNIT_EXPECT_EQ(test, xsr_ring_error(&env->tx), 0);
}

/* XSR_MORE batches: nothing is visible to the consumer until the flush. */
static void xenshm_ring_more_defers_publication(struct kunit *test)
{
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_MESSAGE, 0);

	KUNIT_ASSERT_EQ(test, send(env, env->a, 10, XSR_MORE), 10L);
	KUNIT_ASSERT_EQ(test, send(env, env->a, 20, XSR_MORE), 20L);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctrl0(env)->prod), 0u);
	KUNIT_EXPECT_EQ(test, xsr_rx_avail(&env->rx), 0L);
	xsr_tx_flush(&env->tx);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctrl0(env)->prod), rec_bytes(10) + rec_bytes(20));
	KUNIT_EXPECT_EQ(test, recv(env, env->b, 100), 10L);
	KUNIT_EXPECT_EQ(test, recv(env, env->b, 100), 20L);
}

/* --- stream -------------------------------------------------------------------------- */

struct stream_case {
	const char *name;
	u64 region;
	u32 start;
	u32 len;
	u32 moved;	/* what the ring can take */
};

static const struct stream_case stream_cases[] = {
	{ "4k_small",		R16K, 0,		100,	100 },
	{ "4k_fill",		R16K, 0,		4096,	4096 },
	{ "4k_overfill",	R16K, 0,		5000,	4096 },
	{ "4k_wrap",		R16K, 4000,		200,	200 },
	{ "4k_odd_start",	R16K, 4095,		2,	2 },
	{ "4k_u32_wrap",	R16K, 0xffffff9cu,	300,	300 },
	{ "4k_u32_wrap_fill",	R16K, 0xfffffffdu,	9000,	4096 },
	{ "8k_wrap_fill",	R24K, 5001,		8192,	8192 },
	{ "512k_wrap",		R1M,  0x7fffff00u,	100000,	100000 },
};

static void stream_desc(const struct stream_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(stream, stream_cases, stream_desc);

/*
 * Stream bytes at any wrap point: the writer moves what fits (in at most two
 * calls: a writer may stop at the end of the area), the reader gets the same
 * bytes back, and a full ring refuses more.
 */
static void xenshm_ring_stream_roundtrip(struct kunit *test)
{
	const struct stream_case *c = test->param_value;
	struct ring_env *env = ring_setup(test, c->region, XSR_MODE_STREAM, c->start);
	u8 *src, *dst;
	long n, done = 0;
	int i;

	src = vmalloc(c->len);
	dst = vzalloc(c->len);
	if (!src || !dst) {
		vfree(src);
		vfree(dst);
		KUNIT_FAIL(test, "out of memory");
		return;
	}
	fill(src, c->len, c->start);
	for (i = 0; i < 2 && done < c->moved; i++) {
		n = wr(env, src + done, c->len - done, 0);
		if (n <= 0)
			break;
		done += n;
	}
	KUNIT_EXPECT_EQ(test, done, (long)c->moved);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctrl0(env)->prod), c->start + c->moved);
	KUNIT_EXPECT_EQ(test, xsr_rx_avail(&env->rx), (long)c->moved);
	if (c->moved == env->ds) {
		KUNIT_EXPECT_EQ(test, xsr_tx_space(&env->tx), 0L);
		KUNIT_EXPECT_EQ(test, wr(env, src, 1, 0), (long)XSR_EAGAIN);
	}
	done = 0;
	for (i = 0; i < 2 && done < c->moved; i++) {
		n = rd(env, dst + done, c->len - done);
		if (n <= 0)
			break;
		done += n;
	}
	KUNIT_EXPECT_EQ(test, done, (long)c->moved);
	KUNIT_EXPECT_EQ(test, memcmp(src, dst, c->moved), 0);
	KUNIT_EXPECT_EQ(test, rd(env, dst, 1), (long)XSR_EAGAIN);
	KUNIT_EXPECT_EQ(test, xsr_tx_space(&env->tx), (long)env->ds);
	vfree(src);
	vfree(dst);
}

/* Zero-length stream calls move nothing and are not errors. */
static void xenshm_ring_stream_zero_len(struct kunit *test)
{
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_STREAM, 0);

	KUNIT_EXPECT_EQ(test, wr(env, env->a, 0, 0), 0L);
	KUNIT_ASSERT_EQ(test, wr(env, env->a, 5, 0), 5L);
	KUNIT_EXPECT_EQ(test, rd(env, env->b, 0), 0L);
	KUNIT_EXPECT_EQ(test, xsr_rx_avail(&env->rx), 5L);
}

/* A copy that fails after the wrap returns what was moved before it. */
static void xenshm_ring_stream_copy_fault_partial(struct kunit *test)
{
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_STREAM, 4000);
	struct copy_ctx c = { .fail_at = 2 };
	long n;

	fill(env->a, 200, 5);
	n = xsr_write(&env->tx, env->a, 200, copy_in, &c, 0);
	/* 96 bytes up to the end went in one copy, the second copy failed */
	KUNIT_EXPECT_EQ(test, n, 96L);
	KUNIT_EXPECT_EQ(test, xsr_rx_avail(&env->rx), 96L);
	c = (struct copy_ctx){ .fail_at = 1 };
	KUNIT_EXPECT_EQ(test, xsr_write(&env->tx, env->a, 10, copy_in, &c, 0), (long)XSR_EFAULT);
	KUNIT_EXPECT_EQ(test, xsr_rx_avail(&env->rx), 96L);
}

/* --- zero copy ------------------------------------------------------------------------- */

static void xenshm_ring_zero_copy_message(struct kunit *test)
{
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_MESSAGE, 4064);
	const void *rbuf;
	void *wbuf;

	/* 32 bytes to the end: a 100-byte reservation pads and starts at 0 */
	KUNIT_ASSERT_EQ(test, xsr_tx_reserve(&env->tx, 100, &wbuf), 100L);
	KUNIT_EXPECT_PTR_EQ(test, wbuf, (void *)(data0(env) + 8));
	fill(wbuf, 100, 6);
	KUNIT_EXPECT_EQ(test, xsr_rx_avail(&env->rx), 0L);
	KUNIT_EXPECT_EQ(test, xsr_tx_commit(&env->tx, 101), XSR_EINVAL);
	KUNIT_ASSERT_EQ(test, xsr_tx_commit(&env->tx, 60), 0);
	KUNIT_EXPECT_EQ(test, rec_at(env, 4064)->type, (u32)XENSHM_RECORD_TYPE_PAD);

	KUNIT_ASSERT_EQ(test, xsr_rx_peek(&env->rx, &rbuf), 60L);
	KUNIT_EXPECT_PTR_EQ(test, rbuf, (const void *)(data0(env) + 8));
	fill(env->a, 60, 6);
	KUNIT_EXPECT_EQ(test, memcmp(rbuf, env->a, 60), 0);
	KUNIT_ASSERT_EQ(test, xsr_rx_release(&env->rx, 0), 0);
	KUNIT_EXPECT_EQ(test, xsr_rx_avail(&env->rx), 0L);
	KUNIT_EXPECT_EQ(test, xsr_rx_peek(&env->rx, &rbuf), (long)XSR_EAGAIN);
}

static void xenshm_ring_zero_copy_stream_contiguous(struct kunit *test)
{
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_STREAM, 4000);
	const void *rbuf;
	void *wbuf;

	/* only the 96 bytes up to the end are contiguous */
	KUNIT_ASSERT_EQ(test, xsr_tx_reserve(&env->tx, 500, &wbuf), 96L);
	KUNIT_EXPECT_PTR_EQ(test, wbuf, (void *)(data0(env) + 4000));
	KUNIT_ASSERT_EQ(test, xsr_tx_commit(&env->tx, 90), 0);
	KUNIT_ASSERT_EQ(test, xsr_rx_peek(&env->rx, &rbuf), 90L);
	KUNIT_EXPECT_EQ(test, xsr_rx_release(&env->rx, 91), XSR_EINVAL);
	KUNIT_ASSERT_EQ(test, xsr_rx_release(&env->rx, 40), 0);
	KUNIT_EXPECT_EQ(test, xsr_rx_avail(&env->rx), 50L);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctrl0(env)->cons), 4040u);
}

/* --- notification decisions ------------------------------------------------------------- */

enum nstep_op { N_END, N_WRITE, N_READ, N_TX_NOTIFY, N_RX_NOTIFY, N_RX_ARM, N_TX_ARM };

struct nstep {
	enum nstep_op op;
	u32 arg;	/* bytes for WRITE/READ/TX_ARM */
	int expect;	/* result of NOTIFY/ARM */
};

struct notify_case {
	const char *name;
	struct nstep steps[10];
};

static const struct notify_case notify_cases[] = {
	{ "first_write_after_attach_notifies",
	  { { N_WRITE, 10 }, { N_TX_NOTIFY, 0, 1 } } },
	{ "second_write_suppressed",
	  { { N_WRITE, 10 }, { N_TX_NOTIFY, 0, 1 }, { N_WRITE, 10 }, { N_TX_NOTIFY, 0, 0 } } },
	{ "batched_writes_notify_once",
	  { { N_WRITE, 10 }, { N_WRITE, 10 }, { N_TX_NOTIFY, 0, 1 }, { N_TX_NOTIFY, 0, 0 } } },
	{ "rearmed_empty_sleeps_then_notified",
	  { { N_WRITE, 10 }, { N_TX_NOTIFY, 0, 1 }, { N_READ, 10 }, { N_RX_ARM, 0, 0 },
	    { N_WRITE, 5 }, { N_TX_NOTIFY, 0, 1 } } },
	{ "arm_with_data_pending_no_sleep",
	  { { N_WRITE, 10 }, { N_TX_NOTIFY, 0, 1 }, { N_RX_ARM, 0, 1 } } },
	{ "consumer_quiet_when_producer_not_waiting",
	  { { N_WRITE, 100 }, { N_READ, 100 }, { N_RX_NOTIFY, 0, 0 } } },
	{ "producer_woken_when_enough_space",
	  { { N_WRITE, 4096 }, { N_TX_ARM, 100, 0 }, { N_READ, 50 }, { N_RX_NOTIFY, 0, 0 },
	    { N_READ, 60 }, { N_RX_NOTIFY, 0, 1 }, { N_READ, 10 }, { N_RX_NOTIFY, 0, 0 } } },
	{ "tx_arm_with_space_no_sleep",
	  { { N_WRITE, 100 }, { N_TX_ARM, 100, 1 } } },
	{ "tx_arm_after_partial_drain",
	  { { N_WRITE, 4096 }, { N_READ, 10 }, { N_RX_NOTIFY, 0, 0 }, { N_TX_ARM, 100, 0 },
	    { N_READ, 100 }, { N_RX_NOTIFY, 0, 1 } } },
};

static void notify_desc(const struct notify_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(notify, notify_cases, notify_desc);

/* Event-index decisions on a 4 KiB stream ring, one scripted scenario per row. */
static void xenshm_ring_notify_decisions(struct kunit *test)
{
	const struct notify_case *c = test->param_value;
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_STREAM, 0x7ffffff0u);
	const struct nstep *s;
	int i;

	fill(env->a, env->ds, 7);
	for (i = 0; i < ARRAY_SIZE(c->steps) && c->steps[i].op != N_END; i++) {
		s = &c->steps[i];
		switch (s->op) {
		case N_WRITE:
			KUNIT_ASSERT_EQ_MSG(test, wr(env, env->a, s->arg, 0), (long)s->arg,
					    "step %d", i);
			break;
		case N_READ:
			KUNIT_ASSERT_EQ_MSG(test, rd(env, env->b, s->arg), (long)s->arg,
					    "step %d", i);
			break;
		case N_TX_NOTIFY:
			KUNIT_EXPECT_EQ_MSG(test, xsr_tx_need_notify(&env->tx), s->expect,
					    "step %d", i);
			break;
		case N_RX_NOTIFY:
			KUNIT_EXPECT_EQ_MSG(test, xsr_rx_need_notify(&env->rx), s->expect,
					    "step %d", i);
			break;
		case N_RX_ARM:
			KUNIT_EXPECT_EQ_MSG(test, xsr_rx_arm(&env->rx), s->expect,
					    "step %d", i);
			break;
		case N_TX_ARM:
			KUNIT_EXPECT_EQ_MSG(test, xsr_tx_arm(&env->tx, s->arg), s->expect,
					    "step %d", i);
			break;
		case N_END:
			break;
		}
	}
}

/* --- corruption: one row per shared field ------------------------------------------------- */

enum fault {
	F_PROD_AHEAD,
	F_PROD_BEHIND,
	F_PROD_MISALIGNED,
	F_CONS_AHEAD,
	F_CONS_BEHIND,
	F_CONS_MISALIGNED,
	F_REC_TYPE_UNKNOWN,
	F_REC_TYPE_ZERO,
	F_REC_LEN_OVER_MAX,
	F_REC_LEN_OVER_PUBLISHED,
	F_REC_CROSSES_END,
	F_PAD_SHORT,
	F_PAD_PAST_END,
	F_PAD_AT_ZERO,
	F_STREAM_PROD_AHEAD,
	F_STREAM_CONS_AHEAD,
};

enum fault_op { OP_RECV, OP_PEEK, OP_SEND, OP_RESERVE, OP_READ, OP_WRITE };

struct fault_case {
	const char *name;
	enum fault fault;
	unsigned int mode;
	u32 start;
	enum fault_op op;
};

#define MSG XSR_MODE_MESSAGE
#define STR XSR_MODE_STREAM
static const struct fault_case fault_cases[] = {
	{ "prod_ahead_recv",		F_PROD_AHEAD,		MSG, 0,    OP_RECV },
	{ "prod_ahead_peek",		F_PROD_AHEAD,		MSG, 0,    OP_PEEK },
	{ "prod_behind_recv",		F_PROD_BEHIND,		MSG, 0,    OP_RECV },
	{ "prod_misaligned_recv",	F_PROD_MISALIGNED,	MSG, 0,    OP_RECV },
	{ "cons_ahead_send",		F_CONS_AHEAD,		MSG, 0,    OP_SEND },
	{ "cons_ahead_reserve",		F_CONS_AHEAD,		MSG, 0,    OP_RESERVE },
	{ "cons_behind_send",		F_CONS_BEHIND,		MSG, 0,    OP_SEND },
	{ "cons_misaligned_send",	F_CONS_MISALIGNED,	MSG, 0,    OP_SEND },
	{ "rec_type_unknown_recv",	F_REC_TYPE_UNKNOWN,	MSG, 0,    OP_RECV },
	{ "rec_type_zero_peek",		F_REC_TYPE_ZERO,	MSG, 0,    OP_PEEK },
	{ "rec_len_over_max_recv",	F_REC_LEN_OVER_MAX,	MSG, 0,    OP_RECV },
	{ "rec_len_over_published_recv", F_REC_LEN_OVER_PUBLISHED, MSG, 0, OP_RECV },
	{ "rec_crosses_end_recv",	F_REC_CROSSES_END,	MSG, 4080, OP_RECV },
	{ "pad_short_recv",		F_PAD_SHORT,		MSG, 4000, OP_RECV },
	{ "pad_past_end_recv",		F_PAD_PAST_END,		MSG, 4000, OP_RECV },
	{ "pad_at_zero_recv",		F_PAD_AT_ZERO,		MSG, 0,    OP_RECV },
	{ "stream_prod_ahead_read",	F_STREAM_PROD_AHEAD,	STR, 0,    OP_READ },
	{ "stream_prod_ahead_peek",	F_STREAM_PROD_AHEAD,	STR, 0,    OP_PEEK },
	{ "stream_cons_ahead_write",	F_STREAM_CONS_AHEAD,	STR, 0,    OP_WRITE },
};

#undef MSG
#undef STR

static void fault_desc(const struct fault_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fault, fault_cases, fault_desc);

static void put_rec(struct ring_env *env, u32 index, u32 len, u32 type)
{
	struct xenshm_record_header *h = rec_at(env, index);

	WRITE_ONCE(h->len, len);
	WRITE_ONCE(h->type, type);
}

static long fault_op(struct ring_env *env, enum fault_op op)
{
	const void *rbuf;
	void *wbuf;

	switch (op) {
	case OP_RECV:
		return recv(env, env->b, env->ds);
	case OP_PEEK:
		return xsr_rx_peek(&env->rx, &rbuf);
	case OP_SEND:
		return send(env, env->a, 8, 0);
	case OP_RESERVE:
		return xsr_tx_reserve(&env->tx, 8, &wbuf);
	case OP_READ:
		return rd(env, env->b, 16);
	case OP_WRITE:
		return wr(env, env->a, 16, 0);
	}
	return 0;
}

/*
 * The peer writes one field wrong: the call fails with -EIO and the ring stays
 * broken. The producer re-reads cons only when its cached view has no room
 * left (as Linux's own ring buffers do), so the rows on the producer's side
 * fill the ring first: the corrupt cons is then read by the very next call.
 */
static void xenshm_ring_corrupt_field(struct kunit *test)
{
	const struct fault_case *c = test->param_value;
	struct ring_env *env = ring_setup(test, R16K, c->mode, c->start);
	struct xenshm_ring_ctrl *ctl = ctrl0(env);
	bool tx_side = c->op == OP_SEND || c->op == OP_RESERVE || c->op == OP_WRITE;
	struct xsr_ring *victim = tx_side ? &env->tx : &env->rx;
	u32 s = c->start, full = s + env->ds;

	fill(env->a, env->ds, 8);
	if (tx_side) {
		if (c->mode == XSR_MODE_MESSAGE) {
			KUNIT_ASSERT_EQ(test, send(env, env->a, 2040, 0), 2040L);
			KUNIT_ASSERT_EQ(test, send(env, env->a, 2040, 0), 2040L);
		} else {
			KUNIT_ASSERT_EQ(test, wr(env, env->a, env->ds, 0), (long)env->ds);
		}
		KUNIT_ASSERT_EQ(test, READ_ONCE(ctl->prod), full);
	}
	switch (c->fault) {
	case F_PROD_AHEAD:
		WRITE_ONCE(ctl->prod, s + env->ds + 8);
		break;
	case F_PROD_BEHIND:
		WRITE_ONCE(ctl->prod, s - 8);
		break;
	case F_PROD_MISALIGNED:
		put_rec(env, s, 4, XENSHM_RECORD_TYPE_MSG);
		WRITE_ONCE(ctl->prod, s + 12);
		break;
	case F_CONS_AHEAD:
		WRITE_ONCE(ctl->cons, full + 8);
		break;
	case F_CONS_BEHIND:
		WRITE_ONCE(ctl->cons, s - 8);
		break;
	case F_CONS_MISALIGNED:
		WRITE_ONCE(ctl->cons, s + 4);
		break;
	case F_REC_TYPE_UNKNOWN:
		put_rec(env, s, 8, 7);
		WRITE_ONCE(ctl->prod, s + 16);
		break;
	case F_REC_TYPE_ZERO:
		put_rec(env, s, 8, 0);
		WRITE_ONCE(ctl->prod, s + 16);
		break;
	case F_REC_LEN_OVER_MAX:
		put_rec(env, s, 2041, XENSHM_RECORD_TYPE_MSG);
		WRITE_ONCE(ctl->prod, s + 8 + 2048);
		break;
	case F_REC_LEN_OVER_PUBLISHED:
		put_rec(env, s, 100, XENSHM_RECORD_TYPE_MSG);
		WRITE_ONCE(ctl->prod, s + 16);
		break;
	case F_REC_CROSSES_END:
		put_rec(env, s, 64, XENSHM_RECORD_TYPE_MSG);
		WRITE_ONCE(ctl->prod, s + 72);
		break;
	case F_PAD_SHORT:
		put_rec(env, s, 8, XENSHM_RECORD_TYPE_PAD);
		put_rec(env, s + 16, 8, XENSHM_RECORD_TYPE_MSG);
		WRITE_ONCE(ctl->prod, s + 32);
		break;
	case F_PAD_PAST_END:
		put_rec(env, s, 4096, XENSHM_RECORD_TYPE_PAD);
		WRITE_ONCE(ctl->prod, s + 96 + 16);
		break;
	case F_PAD_AT_ZERO:
		put_rec(env, s, 4088, XENSHM_RECORD_TYPE_PAD);
		WRITE_ONCE(ctl->prod, s + 4096);
		break;
	case F_STREAM_PROD_AHEAD:
		WRITE_ONCE(ctl->prod, s + env->ds + 1);
		break;
	case F_STREAM_CONS_AHEAD:
		WRITE_ONCE(ctl->cons, full + 1);
		break;
	}

	KUNIT_EXPECT_EQ(test, fault_op(env, c->op), (long)XSR_EIO);
	KUNIT_EXPECT_EQ(test, xsr_ring_error(victim), XSR_EIO);
	/*
	 * Sticky, even after the peer "repairs" the shared words (an empty ring
	 * for the consumer, a full one for the producer: -EAGAIN if not sticky).
	 */
	WRITE_ONCE(ctl->prod, tx_side ? full : s);
	WRITE_ONCE(ctl->cons, s);
	KUNIT_EXPECT_EQ(test, fault_op(env, c->op), (long)XSR_EIO);
	KUNIT_EXPECT_EQ(test, xsr_ring_error(victim), XSR_EIO);
}

/* A broken ring also refuses notification and arming, so no caller sleeps on it. */
static void xenshm_ring_broken_refuses_arm(struct kunit *test)
{
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_STREAM, 0);

	xsr_ring_set_broken(&env->rx);
	xsr_ring_set_broken(&env->tx);
	KUNIT_EXPECT_EQ(test, xsr_rx_arm(&env->rx), XSR_EIO);
	KUNIT_EXPECT_EQ(test, xsr_tx_arm(&env->tx, 1), XSR_EIO);
	KUNIT_EXPECT_EQ(test, rd(env, env->b, 1), (long)XSR_EIO);
	KUNIT_EXPECT_EQ(test, wr(env, env->a, 1, 0), (long)XSR_EIO);
}

/* Attach discards what an earlier life left in the ring. */
static void xenshm_ring_attach_discards_stale(struct kunit *test)
{
	struct ring_env *env = ring_setup(test, R16K, XSR_MODE_MESSAGE, 0);
	struct xsr_ring rx2;

	KUNIT_ASSERT_EQ(test, send(env, env->a, 100, 0), 100L);
	KUNIT_ASSERT_EQ(test, xsr_ring_attach(&rx2, &env->rg1, 1, XSR_RX, XSR_MODE_MESSAGE), 0);
	KUNIT_EXPECT_EQ(test, xsr_rx_avail(&rx2), 0L);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctrl0(env)->cons), rec_bytes(100));
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctrl0(env)->prod_event), rec_bytes(100));
}

static struct kunit_case xenshm_ring_cases[] = {
	KUNIT_CASE_PARAM(xenshm_ring_msg_roundtrip, msg_gen_params),
	KUNIT_CASE(xenshm_ring_msg_many_laps),
	KUNIT_CASE(xenshm_ring_msg_full_is_all_or_nothing),
	KUNIT_CASE(xenshm_ring_msg_pad_needs_room),
	KUNIT_CASE(xenshm_ring_msg_too_big),
	KUNIT_CASE(xenshm_ring_msg_cap_too_small),
	KUNIT_CASE(xenshm_ring_msg_copy_fault),
	KUNIT_CASE(xenshm_ring_more_defers_publication),
	KUNIT_CASE_PARAM(xenshm_ring_stream_roundtrip, stream_gen_params),
	KUNIT_CASE(xenshm_ring_stream_zero_len),
	KUNIT_CASE(xenshm_ring_stream_copy_fault_partial),
	KUNIT_CASE(xenshm_ring_zero_copy_message),
	KUNIT_CASE(xenshm_ring_zero_copy_stream_contiguous),
	KUNIT_CASE_PARAM(xenshm_ring_notify_decisions, notify_gen_params),
	KUNIT_CASE_PARAM(xenshm_ring_corrupt_field, fault_gen_params),
	KUNIT_CASE(xenshm_ring_broken_refuses_arm),
	KUNIT_CASE(xenshm_ring_attach_discards_stale),
	{}
};

static struct kunit_suite xenshm_ring_suite = {
	.name = "xenshm_ring",
	.init = ring_env_init,
	.exit = ring_env_exit,
	.test_cases = xenshm_ring_cases,
};

kunit_test_suites(&xenshm_ring_suite);
