/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The payload of the bare-metal peer's tests, shared by both ends (the
 * bare-metal services and tests/xen/xenshm-bmpeer.c): byte @pos of a
 * session's stream. A multiplicative hash of the position, so a dropped,
 * doubled or shifted byte anywhere shows.
 */
#ifndef XENSHM_BM_PATTERN_H
#define XENSHM_BM_PATTERN_H

#include <stdint.h>

static inline uint8_t xenshm_bm_pattern(uint64_t pos)
{
	uint32_t x = (uint32_t)pos * 0x9e3779b1u;

	return (uint8_t)((x >> 24) ^ (uint32_t)(pos >> 32));
}

#endif
