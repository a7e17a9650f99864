// SPDX-License-Identifier: GPL-2.0-only
/*
 * Minimal, bounded reader of the flattened device tree Xen builds for a
 * dom0less domU. It only collects:
 *   /memory*               reg (root #address-cells / #size-cells)
 *   /chosen                bootargs
 *   /hypervisor            compatible, interrupts (the event-channel PPI)
 *   /reserved-memory/<n>   reg and xen,id of each node carrying xen,id: the
 *                          static shared-memory regions (Xen 4.17
 *                          make_shm_memory_node(): xen-shmem@<addr> nodes)
 * Every offset is checked against the blob's own sizes; runs with the MMU
 * off, so the code is built with -mstrict-align and reads bytes.
 */
#include "bm_internal.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define FDT_MAX_SIZE (2u << 20)
#define FDT_MAX_DEPTH 16

struct bm_dtinfo bm_dt;

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t cells(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--) {
		v = v << 32 | be32(p);
		p += 4;
	}
	return v;
}

static int name_is(const char *name, const char *want)
{
	size_t n = strlen(want);

	return !strncmp(name, want, n) && (name[n] == '\0' || name[n] == '@');
}

static void copy_str(char *dst, size_t len, const uint8_t *src, uint32_t srclen)
{
	size_t i;

	for (i = 0; i + 1 < len && i < srclen && src[i]; i++)
		dst[i] = (char)src[i];
	dst[i] = '\0';
}

int bm_fdt_parse(const void *blob)
{
	const uint8_t *f = blob;
	uint32_t total, off_struct, off_strings, size_struct, size_strings, pos;
	const char *path[FDT_MAX_DEPTH];
	int depth = 0;
	unsigned int root_ac = 2, root_sc = 2, rm_ac = 2, rm_sc = 2;
	/* the current /reserved-memory child: its reg and xen,id */
	struct bm_region cur;
	int cur_has_id = 0, cur_has_reg = 0;
	unsigned int steps;

	memset(&bm_dt, 0, sizeof(bm_dt));
	if (!f || ((uintptr_t)f & 3) || be32(f) != FDT_MAGIC)
		return -1;
	total = be32(f + 4);
	off_struct = be32(f + 8);
	off_strings = be32(f + 12);
	size_strings = be32(f + 32);
	size_struct = be32(f + 36);
	if (total > FDT_MAX_SIZE || off_struct > total || size_struct > total - off_struct ||
	    off_strings > total || size_strings > total - off_strings || (off_struct & 3))
		return -2;
	bm_dt.totalsize = total;
	memset(&cur, 0, sizeof(cur));

	pos = 0;
	for (steps = 0; steps < size_struct / 4 + 1; steps++) {
		uint32_t tok;

		if (pos + 4 > size_struct)
			return -3;
		tok = be32(f + off_struct + pos);
		pos += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)f + off_struct + pos;
			uint32_t n = 0;

			while (pos + n < size_struct && name[n])
				n++;
			if (pos + n >= size_struct)
				return -4;
			pos = (pos + n + 1 + 3) & ~3u;
			if (depth >= FDT_MAX_DEPTH)
				return -5;
			path[depth++] = name;
			if (depth == 3 && name_is(path[1], "reserved-memory")) {
				memset(&cur, 0, sizeof(cur));
				cur_has_id = cur_has_reg = 0;
			}
		} else if (tok == FDT_END_NODE) {
			if (depth == 0)
				return -6;
			if (depth == 3 && name_is(path[1], "reserved-memory") && cur_has_id &&
			    cur_has_reg) {
				if (bm_dt.nregions < BM_MAX_REGIONS)
					bm_dt.regions[bm_dt.nregions++] = cur;
				else
					bm_dt.regions_dropped++;
			}
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len, nameoff;
			const uint8_t *val;
			const char *pn;

			if (pos + 8 > size_struct)
				return -7;
			len = be32(f + off_struct + pos);
			nameoff = be32(f + off_struct + pos + 4);
			pos += 8;
			if (len > size_struct - pos || nameoff >= size_strings)
				return -8;
			val = f + off_struct + pos;
			pos = (pos + len + 3) & ~3u;
			pn = (const char *)f + off_strings + nameoff;
			/* the property name must end inside the strings block */
			{
				uint32_t k = 0;

				while (nameoff + k < size_strings && pn[k])
					k++;
				if (nameoff + k >= size_strings)
					return -9;
			}
			if (depth == 1) {
				if (!strcmp(pn, "#address-cells") && len == 4)
					root_ac = be32(val);
				else if (!strcmp(pn, "#size-cells") && len == 4)
					root_sc = be32(val);
			} else if (depth == 2 && name_is(path[1], "memory") && !strcmp(pn, "reg")) {
				uint32_t per = 4 * (root_ac + root_sc), o;

				if (root_ac < 1 || root_ac > 2 || root_sc < 1 || root_sc > 2)
					return -10;
				for (o = 0; o + per <= len && bm_dt.nram < 4; o += per) {
					bm_dt.ram[bm_dt.nram].base = cells(val + o, root_ac);
					bm_dt.ram[bm_dt.nram].size = cells(val + o + 4 * root_ac,
									   root_sc);
					bm_dt.nram++;
				}
			} else if (depth == 2 && name_is(path[1], "chosen") &&
				   !strcmp(pn, "bootargs")) {
				copy_str(bm_dt.bootargs, sizeof(bm_dt.bootargs), val, len);
			} else if (depth == 2 && name_is(path[1], "hypervisor")) {
				if (!strcmp(pn, "compatible"))
					copy_str(bm_dt.hyp_compat, sizeof(bm_dt.hyp_compat), val,
						 len);
				else if (!strcmp(pn, "interrupts") && len >= 12) {
					bm_dt.hyp_irq[0] = be32(val);
					bm_dt.hyp_irq[1] = be32(val + 4);
					bm_dt.hyp_irq[2] = be32(val + 8);
					bm_dt.hyp_irq_found = 1;
				}
			} else if (depth == 2 && name_is(path[1], "reserved-memory")) {
				if (!strcmp(pn, "#address-cells") && len == 4)
					rm_ac = be32(val);
				else if (!strcmp(pn, "#size-cells") && len == 4)
					rm_sc = be32(val);
			} else if (depth == 3 && name_is(path[1], "reserved-memory")) {
				if (!strcmp(pn, "xen,id")) {
					copy_str(cur.id, sizeof(cur.id), val, len);
					cur_has_id = 1;
				} else if (!strcmp(pn, "reg")) {
					if (rm_ac < 1 || rm_ac > 2 || rm_sc < 1 || rm_sc > 2 ||
					    len < 4 * (rm_ac + rm_sc))
						return -11;
					cur.addr = cells(val, rm_ac);
					cur.size = cells(val + 4 * rm_ac, rm_sc);
					cur_has_reg = 1;
				}
			}
		} else if (tok == FDT_NOP) {
			continue;
		} else if (tok == FDT_END) {
			return depth == 0 ? 0 : -12;
		} else {
			return -13;
		}
	}
	return -14;
}
