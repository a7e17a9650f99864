/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bare-metal domain's xenshm services over the peer library
 * (ringcore/include/xenshm/xsr_peer.h), one per region given to it:
 *   peer Dom0  echo, as the RECEIVER (the recipe's EVTCHNOP_alloc_unbound,
 *              or its static port): every message or stream chunk it
 *              receives is checked against the pattern (pattern.h) and
 *              sent back as one message.
 *   any other  producer, as the SENDER (AUTO: the peer has the lower
 *              domid), stream mode: produce=N bytes of the pattern per
 *              connection, then wait for the peer to hang up.
 * Each connection ends with one marker when the peer hangs up:
 *   echo@<a-b>#<n> / producer@<a-b>#<n> PASS|FAIL with bytes, mode, port,
 *   upcalls on the port.
 * Sleeps in wfi between events; never returns.
 */
#ifndef XENSHM_BM_SERVICE_H
#define XENSHM_BM_SERVICE_H

#include <stdint.h>
#include "bm.h"

/* One region as the harness configured it (XENSHM_REGIONS format). */
struct cfg_region {
	char id[BM_REGION_ID_LEN], peer[16], role[12];
	uint64_t addr, size;
	uint32_t evtchn;	/* configured static port, 0: none */
	int peer_domid;		/* from peer ("dom0", "domuN"), -1 unknown */
};

void services_run(const struct cfg_region *cfg, unsigned int n) __attribute__((noreturn));

#endif
