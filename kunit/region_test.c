// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite xenshm_region: the ring core's region and slot handling
 * (ringcore, through its C facade xsr.h), compiled with the kernel's flags and
 * run in kernel memory under KASAN/UBSAN.
 *
 * Covered: data_size for a region size; region init and validation, with one
 * row per corrupted or foreign header field and its errno; slot claim, reclaim
 * and exhaustion; one row per corrupted slot field; peer liveness (epoch,
 * FREE); the role rule.
 *
 * Not covered here: concurrent claimers racing on the same slot (the CAS is
 * exercised single-threaded only; the host tests run it under TSan), the
 * heartbeat word's liveness policy (the module's rendezvous driver decides it:
 * xenshm_proto), and the data path (xenshm_ring).
 */
#include <kunit/test.h>
#include <linux/vmalloc.h>

#include "xenshm/xsr.h"
#include "uapi/xenshm.h"

#define REGION_16K	16384u

struct region_env {
	void *mem;
	u64 size;
	struct xsr_region rg;
};

static int region_env_init(struct kunit *test)
{
	struct region_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	test->priv = env;
	return 0;
}

static void region_env_exit(struct kunit *test)
{
	struct region_env *env = test->priv;

	vfree(env->mem);
}

/* A zeroed region of @size bytes, in vmalloc space (KASAN sees its bounds). */
static void *region_alloc(struct kunit *test, u64 size)
{
	struct region_env *env = test->priv;

	env->mem = vzalloc(size);
	KUNIT_ASSERT_NOT_NULL(test, env->mem);
	env->size = size;
	return env->mem;
}

/* A fresh, initialised 16 KiB region in env->rg. */
static void region_fresh(struct kunit *test)
{
	struct region_env *env = test->priv;
	void *mem = region_alloc(test, REGION_16K);

	KUNIT_ASSERT_EQ(test, xsr_region_init(&env->rg, mem, REGION_16K), 0);
}

static struct xenshm_region_header *hdr(struct region_env *env)
{
	return env->mem + XENSHM_HEADER_OFF;
}

static struct xenshm_slot *slot(struct region_env *env, unsigned int i)
{
	return env->mem + (i ? XENSHM_SLOT1_OFF : XENSHM_SLOT0_OFF);
}

/* --- data size -------------------------------------------------------------- */

struct data_size_case {
	const char *name;
	u64 region;
	u32 data_size;
};

static const struct data_size_case data_size_cases[] = {
	{ "below_minimum",	16383,			0 },
	{ "minimum",		16384,			4096 },
	{ "minimum_plus_page",	20480,			4096 },
	{ "8k_rings",		24576,			8192 },
	{ "just_below_16k",	8192 + 2 * 16384 - 1,	8192 },
	{ "1m_rings",		8192 + 2 * 1048576,	1048576 },
	{ "clamped_to_1g",	8192 + 2ull * 0x40000000, 0x40000000 },
	{ "huge_clamped",	1ull << 40,		0x40000000 },
};

static void data_size_desc(const struct data_size_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(data_size, data_size_cases, data_size_desc);

static void xenshm_region_data_size_for(struct kunit *test)
{
	const struct data_size_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, xsr_data_size_for(c->region), c->data_size);
	if (c->data_size)
		KUNIT_EXPECT_EQ(test, xsr_max_msg_for(c->data_size), c->data_size / 2 - 8);
}

/* --- init -------------------------------------------------------------------- */

/* A fresh region gets the header the spec describes and is valid for the peer. */
static void xenshm_region_init_writes_header(struct kunit *test)
{
	struct region_env *env = test->priv;
	struct xsr_region peer;
	void *mem = region_alloc(test, 24576);

	memset(mem, 0xa5, 24576);	/* garbage, not a magic */
	KUNIT_ASSERT_EQ(test, xsr_region_init(&env->rg, mem, 24576), 0);
	KUNIT_EXPECT_EQ(test, hdr(env)->magic, XENSHM_MAGIC);
	KUNIT_EXPECT_EQ(test, hdr(env)->version_major, XENSHM_ABI_MAJOR);
	KUNIT_EXPECT_EQ(test, hdr(env)->region_size, 24576ull);
	KUNIT_EXPECT_EQ(test, hdr(env)->data_size, 8192u);
	KUNIT_EXPECT_TRUE(test, hdr(env)->features & XENSHM_FEATURES_EVENT_IDX);
	KUNIT_EXPECT_EQ(test, slot(env, 0)->state, (u32)XENSHM_SLOT_STATE_FREE);
	KUNIT_EXPECT_EQ(test, slot(env, 0)->domid, XENSHM_DOMID_NONE);
	KUNIT_EXPECT_EQ(test, slot(env, 1)->domid, XENSHM_DOMID_NONE);
	KUNIT_EXPECT_EQ(test, xsr_region_data_size(&env->rg), 8192u);

	KUNIT_EXPECT_EQ(test, xsr_region_validate(&peer, mem, 24576), 0);
	KUNIT_EXPECT_EQ(test, xsr_region_data_size(&peer), 8192u);
}

/* Init of an already initialised region keeps it (it validates, no re-zeroing). */
static void xenshm_region_init_keeps_live_region(struct kunit *test)
{
	struct region_env *env = test->priv;
	struct xsr_region second;
	u32 epoch;
	void *mem = region_alloc(test, REGION_16K);

	KUNIT_ASSERT_EQ(test, xsr_region_init(&env->rg, mem, REGION_16K), 0);
	KUNIT_ASSERT_EQ(test, xsr_slot_claim(&env->rg, 0, 7, 9, 0, &epoch), 0);
	KUNIT_EXPECT_EQ(test, xsr_region_init(&second, mem, REGION_16K), 0);
	KUNIT_EXPECT_EQ(test, slot(env, 0)->domid, 7u);
	KUNIT_EXPECT_EQ(test, slot(env, 0)->state, (u32)XENSHM_SLOT_STATE_ATTACHED);
}

struct bad_args_case {
	const char *name;
	u64 size;
	unsigned int misalign;
};

static const struct bad_args_case bad_args_cases[] = {
	{ "too_small",		REGION_16K - 8,	0 },
	{ "zero_size",		0,		0 },
	{ "misaligned_base",	REGION_16K,	4 },
};

static void bad_args_desc(const struct bad_args_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_args, bad_args_cases, bad_args_desc);

static void xenshm_region_init_rejects_bad_args(struct kunit *test)
{
	const struct bad_args_case *c = test->param_value;
	struct region_env *env = test->priv;
	u8 *mem = region_alloc(test, REGION_16K + 8);

	KUNIT_EXPECT_EQ(test, xsr_region_init(&env->rg, mem + c->misalign, c->size), XSR_EINVAL);
}

/* --- validate: one row per header field ----------------------------------------- */

enum hdr_fault {
	HDR_NO_MAGIC,
	HDR_MAGIC_INIT,
	HDR_MAJOR_NEWER,
	HDR_MAJOR_ZERO,
	HDR_MINOR_NEWER,
	HDR_NO_EVENT_IDX,
	HDR_REGION_SIZE_BIGGER,
	HDR_REGION_SIZE_SMALLER,
	HDR_DATA_SIZE_HALF,
	HDR_DATA_SIZE_NOT_POW2,
	HDR_DATA_SIZE_HUGE,
};

struct hdr_case {
	const char *name;
	enum hdr_fault fault;
	int expect;
};

static const struct hdr_case hdr_cases[] = {
	{ "no_magic",		HDR_NO_MAGIC,		XSR_EAGAIN },
	{ "magic_init",		HDR_MAGIC_INIT,		XSR_EAGAIN },
	{ "major_newer",	HDR_MAJOR_NEWER,	XSR_EPROTO },
	{ "major_zero",		HDR_MAJOR_ZERO,		XSR_EPROTO },
	{ "minor_newer_ok",	HDR_MINOR_NEWER,	0 },
	{ "no_event_idx",	HDR_NO_EVENT_IDX,	XSR_EPROTO },
	{ "region_size_bigger",	HDR_REGION_SIZE_BIGGER,	XSR_EIO },
	{ "region_size_smaller", HDR_REGION_SIZE_SMALLER, XSR_EIO },
	{ "data_size_half",	HDR_DATA_SIZE_HALF,	XSR_EIO },
	{ "data_size_not_pow2",	HDR_DATA_SIZE_NOT_POW2,	XSR_EIO },
	{ "data_size_huge",	HDR_DATA_SIZE_HUGE,	XSR_EIO },
};

static void hdr_desc(const struct hdr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hdr, hdr_cases, hdr_desc);

static void xenshm_region_validate_header(struct kunit *test)
{
	const struct hdr_case *c = test->param_value;
	struct region_env *env = test->priv;
	struct xenshm_region_header *h;
	struct xsr_region peer;
	void *mem = region_alloc(test, 24576);

	KUNIT_ASSERT_EQ(test, xsr_region_init(&env->rg, mem, 24576), 0);
	h = hdr(env);
	switch (c->fault) {
	case HDR_NO_MAGIC:
		h->magic = 0;
		break;
	case HDR_MAGIC_INIT:
		h->magic = XENSHM_MAGIC_INIT;
		break;
	case HDR_MAJOR_NEWER:
		h->version_major = XENSHM_ABI_MAJOR + 1;
		break;
	case HDR_MAJOR_ZERO:
		h->version_major = 0;
		break;
	case HDR_MINOR_NEWER:
		h->version_minor = XENSHM_ABI_MINOR + 1;
		break;
	case HDR_NO_EVENT_IDX:
		h->features &= ~(u64)XENSHM_FEATURES_EVENT_IDX;
		break;
	case HDR_REGION_SIZE_BIGGER:
		h->region_size = 1ull << 40;
		break;
	case HDR_REGION_SIZE_SMALLER:
		h->region_size = REGION_16K;
		break;
	case HDR_DATA_SIZE_HALF:
		h->data_size = 4096;
		break;
	case HDR_DATA_SIZE_NOT_POW2:
		h->data_size = 8192 - 8;
		break;
	case HDR_DATA_SIZE_HUGE:
		h->data_size = 0x80000000u;
		break;
	}
	KUNIT_EXPECT_EQ(test, xsr_region_validate(&peer, mem, 24576), c->expect);
	/*
	 * init refuses what validate refuses (it must not re-zero a region that
	 * carries a magic); without a magic it initialises.
	 */
	KUNIT_EXPECT_EQ(test, xsr_region_init(&peer, mem, 24576),
			c->fault == HDR_NO_MAGIC ? 0 : c->expect);
}

/* --- slots ------------------------------------------------------------------------ */

/* Two sides get the two slots; a third is refused. */
static void xenshm_region_claim_two_then_busy(struct kunit *test)
{
	struct region_env *env = test->priv;
	u32 e0 = 0, e1 = 0, e2 = 0;

	region_fresh(test);
	KUNIT_EXPECT_EQ(test, xsr_slot_claim(&env->rg, -1, 1, 2, 0, &e0), 0);
	KUNIT_EXPECT_EQ(test, xsr_slot_claim(&env->rg, -1, 2, 1, 0, &e1), 1);
	KUNIT_EXPECT_EQ(test, xsr_slot_claim(&env->rg, -1, 3, 1, 0, &e2), XSR_EBUSY);
	KUNIT_EXPECT_EQ(test, slot(env, 0)->domid, 1u);
	KUNIT_EXPECT_EQ(test, slot(env, 1)->domid, 2u);
	KUNIT_EXPECT_EQ(test, slot(env, 1)->peer_domid, 1u);
	KUNIT_EXPECT_EQ(test, slot(env, 1)->state, (u32)XENSHM_SLOT_STATE_ATTACHED);
	KUNIT_EXPECT_EQ(test, slot(env, 1)->epoch, e1);
}

/* A slot taken by someone else cannot be claimed by number. */
static void xenshm_region_claim_taken_slot_busy(struct kunit *test)
{
	struct region_env *env = test->priv;
	u32 e;

	region_fresh(test);
	KUNIT_ASSERT_EQ(test, xsr_slot_claim(&env->rg, 1, 5, 6, 0, &e), 1);
	KUNIT_EXPECT_EQ(test, xsr_slot_claim(&env->rg, 1, 6, 5, 0, &e), XSR_EBUSY);
	KUNIT_EXPECT_EQ(test, xsr_slot_claim(&env->rg, 2, 6, 5, 0, &e), XSR_EINVAL);
}

/* Restarting with my domid takes my old slot back with a new epoch. */
static void xenshm_region_reclaim_bumps_epoch(struct kunit *test)
{
	struct region_env *env = test->priv;
	u32 e_first = 0, e_again = 0;

	region_fresh(test);
	KUNIT_ASSERT_EQ(test, xsr_slot_claim(&env->rg, -1, 4, 9, 0, &e_first), 0);
	KUNIT_ASSERT_EQ(test, xsr_slot_set_state(&env->rg, 0, XSR_SLOT_GO, 33), 0);
	KUNIT_EXPECT_EQ(test, xsr_slot_claim(&env->rg, -1, 4, 9, 0, &e_again), 0);
	KUNIT_EXPECT_EQ(test, e_again, e_first + 1);
	KUNIT_EXPECT_EQ(test, slot(env, 0)->port, 0u);
	KUNIT_EXPECT_EQ(test, slot(env, 0)->state, (u32)XENSHM_SLOT_STATE_ATTACHED);
}

/* Release frees the slot for anyone. */
static void xenshm_region_release_frees_slot(struct kunit *test)
{
	struct region_env *env = test->priv;
	u32 e;

	region_fresh(test);
	KUNIT_ASSERT_EQ(test, xsr_slot_claim(&env->rg, 0, 4, 9, 0, &e), 0);
	xsr_slot_release(&env->rg, 0);
	KUNIT_EXPECT_EQ(test, slot(env, 0)->state, (u32)XENSHM_SLOT_STATE_FREE);
	KUNIT_EXPECT_EQ(test, slot(env, 0)->domid, XENSHM_DOMID_NONE);
	KUNIT_EXPECT_EQ(test, xsr_slot_claim(&env->rg, 0, 8, 9, 0, &e), 0);
}

/* GO without a port is refused; GO publishes the port. */
static void xenshm_region_go_needs_port(struct kunit *test)
{
	struct region_env *env = test->priv;
	struct xsr_slot_info si;
	u32 e;

	region_fresh(test);
	KUNIT_ASSERT_EQ(test, xsr_slot_claim(&env->rg, 0, 4, 9, 0, &e), 0);
	KUNIT_EXPECT_EQ(test, xsr_slot_set_state(&env->rg, 0, XSR_SLOT_GO, 0), XSR_EINVAL);
	KUNIT_EXPECT_EQ(test, xsr_slot_set_state(&env->rg, 0, XSR_SLOT_FREE, 0), XSR_EINVAL);
	KUNIT_EXPECT_EQ(test, xsr_slot_set_state(&env->rg, 0, 9, 5), XSR_EINVAL);
	KUNIT_ASSERT_EQ(test, xsr_slot_set_state(&env->rg, 0, XSR_SLOT_GO, 77), 0);
	KUNIT_ASSERT_EQ(test, xsr_slot_read(&env->rg, 0, &si), 0);
	KUNIT_EXPECT_EQ(test, si.state, XSR_SLOT_GO);
	KUNIT_EXPECT_EQ(test, si.port, 77u);
	KUNIT_EXPECT_EQ(test, si.domid, 4u);
	KUNIT_EXPECT_EQ(test, si.epoch, e);
}

/* --- slot read: one row per slot field the peer can corrupt --------------------------- */

struct slot_case {
	const char *name;
	u32 state, port, flags;
	int expect;
	u32 want_flags;
};

static const struct slot_case slot_cases[] = {
	{ "attached_ok",	XENSHM_SLOT_STATE_ATTACHED, 0, 0, 0, 0 },
	{ "go_ok",		XENSHM_SLOT_STATE_GO, 12, 0, 0, 0 },
	{ "state_unknown",	4, 12, 0, XSR_EIO, 0 },
	{ "state_huge",		0xffffffffu, 12, 0, XSR_EIO, 0 },
	{ "go_without_port",	XENSHM_SLOT_STATE_GO, 0, 0, XSR_EIO, 0 },
	/* only the receiver publishes a port; a connected sender has none */
	{ "connected_sender_no_port_ok", XENSHM_SLOT_STATE_CONNECTED, 0, 0, 0, 0 },
	{ "unknown_flags_dropped", XENSHM_SLOT_STATE_ATTACHED, 0, 0xfffffff1u, 0,
	  XENSHM_SLOT_FLAGS_TX_MESSAGE },
};

static void slot_desc(const struct slot_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(slot, slot_cases, slot_desc);

static void xenshm_region_slot_read_checks(struct kunit *test)
{
	const struct slot_case *c = test->param_value;
	struct region_env *env = test->priv;
	struct xsr_slot_info si;
	u32 e;

	region_fresh(test);
	KUNIT_ASSERT_EQ(test, xsr_slot_claim(&env->rg, 1, 2, 1, 0, &e), 1);
	/* the peer (slot 1) writes whatever it likes */
	slot(env, 1)->port = c->port;
	slot(env, 1)->flags = c->flags;
	slot(env, 1)->state = c->state;
	KUNIT_EXPECT_EQ(test, xsr_slot_read(&env->rg, 1, &si), c->expect);
	if (c->expect == 0) {
		KUNIT_EXPECT_EQ(test, si.state, c->state);
		KUNIT_EXPECT_EQ(test, si.flags, c->want_flags);
	}
}

/* --- peer liveness -------------------------------------------------------------------- */

enum peer_event { PEER_STAYS, PEER_LEAVES, PEER_RESTARTS, PEER_GARBAGE };

struct peer_case {
	const char *name;
	enum peer_event ev;
	int expect;
};

static const struct peer_case peer_cases[] = {
	{ "stays",	PEER_STAYS,	0 },
	{ "leaves",	PEER_LEAVES,	XSR_ECONNRESET },
	{ "restarts",	PEER_RESTARTS,	XSR_ECONNRESET },
	{ "garbage_state", PEER_GARBAGE, XSR_EIO },
};

static void peer_desc(const struct peer_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(peer, peer_cases, peer_desc);

static void xenshm_region_peer_check(struct kunit *test)
{
	const struct peer_case *c = test->param_value;
	struct region_env *env = test->priv;
	u32 mine, peer, again;

	region_fresh(test);
	KUNIT_ASSERT_EQ(test, xsr_slot_claim(&env->rg, 0, 1, 2, 0, &mine), 0);
	KUNIT_ASSERT_EQ(test, xsr_slot_claim(&env->rg, 1, 2, 1, 0, &peer), 1);
	switch (c->ev) {
	case PEER_STAYS:
		KUNIT_ASSERT_EQ(test, xsr_slot_set_state(&env->rg, 1, XSR_SLOT_GO, 3), 0);
		break;
	case PEER_LEAVES:
		xsr_slot_release(&env->rg, 1);
		break;
	case PEER_RESTARTS:
		KUNIT_ASSERT_EQ(test, xsr_slot_claim(&env->rg, 1, 2, 1, 0, &again), 1);
		break;
	case PEER_GARBAGE:
		slot(env, 1)->state = 0x55;
		break;
	}
	KUNIT_EXPECT_EQ(test, xsr_peer_check(&env->rg, 0, peer), c->expect);
}

/* --- roles ----------------------------------------------------------------------------- */

struct role_case {
	const char *name;
	u32 role;
	unsigned int my_slot;
	u32 me, peer;
	int expect;
};

static const struct role_case role_cases[] = {
	{ "auto_lower_receives",	XSR_ROLE_AUTO, 1, 1, 2, XSR_ROLE_RECEIVER },
	{ "auto_higher_sends",		XSR_ROLE_AUTO, 0, 2, 1, XSR_ROLE_SENDER },
	{ "auto_dom0_receives",		XSR_ROLE_AUTO, 1, 0, 7, XSR_ROLE_RECEIVER },
	{ "auto_loopback_slot0_receives", XSR_ROLE_AUTO, 0, 3, 3, XSR_ROLE_RECEIVER },
	{ "auto_loopback_slot1_sends",	XSR_ROLE_AUTO, 1, 3, 3, XSR_ROLE_SENDER },
	{ "forced_receiver",		XSR_ROLE_RECEIVER, 0, 9, 1, XSR_ROLE_RECEIVER },
	{ "forced_sender",		XSR_ROLE_SENDER, 0, 1, 9, XSR_ROLE_SENDER },
	{ "unknown_role",		3, 0, 1, 2, XSR_EINVAL },
};

static void role_desc(const struct role_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(role, role_cases, role_desc);

static void xenshm_region_role_pick(struct kunit *test)
{
	const struct role_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, xsr_role_pick(c->role, c->my_slot, c->me, c->peer), c->expect);
}

static struct kunit_case xenshm_region_cases[] = {
	KUNIT_CASE_PARAM(xenshm_region_data_size_for, data_size_gen_params),
	KUNIT_CASE(xenshm_region_init_writes_header),
	KUNIT_CASE(xenshm_region_init_keeps_live_region),
	KUNIT_CASE_PARAM(xenshm_region_init_rejects_bad_args, bad_args_gen_params),
	KUNIT_CASE_PARAM(xenshm_region_validate_header, hdr_gen_params),
	KUNIT_CASE(xenshm_region_claim_two_then_busy),
	KUNIT_CASE(xenshm_region_claim_taken_slot_busy),
	KUNIT_CASE(xenshm_region_reclaim_bumps_epoch),
	KUNIT_CASE(xenshm_region_release_frees_slot),
	KUNIT_CASE(xenshm_region_go_needs_port),
	KUNIT_CASE_PARAM(xenshm_region_slot_read_checks, slot_gen_params),
	KUNIT_CASE_PARAM(xenshm_region_peer_check, peer_gen_params),
	KUNIT_CASE_PARAM(xenshm_region_role_pick, role_gen_params),
	{}
};

static struct kunit_suite xenshm_region_suite = {
	.name = "xenshm_region",
	.init = region_env_init,
	.exit = region_env_exit,
	.test_cases = xenshm_region_cases,
};

kunit_test_suites(&xenshm_region_suite);
