/* SPDX-License-Identifier: GPL-2.0-only */
/* Bulk transfers both ways at once, one process per end, with checksums. */
#ifndef XENSHM_TEST_BULK_H
#define XENSHM_TEST_BULK_H

#include "harness.h"

struct bulk_result {
	uint64_t tx_pos, tx_sum1, tx_sum2;
	uint64_t rx_pos, rx_sum1, rx_sum2;
	double seconds;
	int err;
};

/*
 * Move @bytes from a to b and @bytes from b to a at the same time; a runs in
 * this process, b in a forked child. @use_mmap: through the mapping with
 * eventfd wakeups, else non-blocking read()/write() with poll().
 * Returns 0 when both streams arrived intact (byte-exact and checksums).
 */
int bulk_both_ways(struct pair *p, uint64_t bytes, size_t chunk, int use_mmap,
		   double *seconds);

/* One end's loop (exposed for the two-pairs case). */
int bulk_end(int fd, uint32_t tx_seed, uint32_t rx_seed, uint64_t bytes,
	     size_t chunk, int use_mmap, struct bulk_result *res);

#endif
