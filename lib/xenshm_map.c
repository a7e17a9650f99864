// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libxenshm mmap ring API: ringcore's facade over a channel's mapping.
 *
 * Layout in this process: one reserved range of region_size bytes at base,
 * so ringcore sees the region exactly as the kernel does:
 *   base + 0     header page, mapped read-only from info.mmap_header_off
 *   base + 4096  ring control page and both data areas, mapped read-write
 *                from info.mmap_rings_off
 *
 * Joining a live ring: the end is already connected and the kernel (or the
 * peer) may have queued data, so the handles adopt the published indices
 * with xsr_ring_join() (which writes nothing) instead of xsr_ring_attach()
 * (which resyncs, discarding what was queued).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libxenshm.h"
#include "xenshm/xsr_mem.h"

#define PAGE 4096u

static int map_fail(struct xenshm_map *m, int err)
{
	xenshm_unmap(m);
	return err;
}

void *xenshm_map_at(const struct xenshm_map *m, uint64_t off)
{
	return (uint8_t *)m->base + off;
}

int xenshm_map(int fd, struct xenshm_map *m)
{
	struct xenshm_info *in = &m->info;
	unsigned int my_slot;
	void *p;
	int ret;

	memset(m, 0, sizeof(*m));
	m->fd = fd;
	ret = xenshm_get_info(fd, in);
	if (ret)
		return ret;
	if (in->state != XENSHM_CHAN_STATE_CONNECTED)
		return -ENOTCONN;
	if (in->mmap_header_size < PAGE ||
	    in->region_size < XENSHM_MIN_REGION_SIZE ||
	    in->mmap_rings_size != in->region_size - XENSHM_CTRL_OFF ||
	    in->slot > 1)
		return -EPROTO;

	/* Reserve the whole region, then map its two parts over it. */
	m->base_len = in->region_size;
	m->base = mmap(NULL, m->base_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->base == MAP_FAILED) {
		m->base = NULL;
		return -errno;
	}
	p = mmap(m->base, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, fd,
		 (off_t)in->mmap_header_off);
	if (p == MAP_FAILED)
		return map_fail(m, -errno);
	p = mmap((uint8_t *)m->base + XENSHM_CTRL_OFF, in->mmap_rings_size,
		 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 (off_t)in->mmap_rings_off);
	if (p == MAP_FAILED)
		return map_fail(m, -errno);
	m->header = m->base;
	m->rings = (uint8_t *)m->base + XENSHM_CTRL_OFF;

	ret = xsr_region_validate(&m->rg, m->base, in->region_size);
	if (ret)
		return map_fail(m, ret);
	if (xsr_region_data_size(&m->rg) != in->data_size)
		return map_fail(m, -EPROTO);

	my_slot = in->slot;
	m->tx_mode = in->mode;
	{
		const volatile struct xenshm_slot *peer = (const volatile struct xenshm_slot *)
			((const uint8_t *)m->base + (my_slot ? XENSHM_SLOT0_OFF : XENSHM_SLOT1_OFF));

		m->rx_mode = (peer->flags & XENSHM_SLOT_FLAGS_TX_MESSAGE) ?
			XENSHM_MODE_MESSAGE : XENSHM_MODE_STREAM;
	}

	ret = xsr_ring_join(&m->tx, &m->rg, my_slot, XSR_TX, m->tx_mode);
	if (!ret)
		ret = xsr_ring_join(&m->rx, &m->rg, my_slot, XSR_RX, m->rx_mode);
	if (ret)
		return map_fail(m, ret);
	return 0;
}

void xenshm_unmap(struct xenshm_map *m)
{
	if (m->base)
		munmap(m->base, m->base_len);
	m->base = NULL;
	m->header = NULL;
	m->rings = NULL;
}

ssize_t xenshm_map_write(struct xenshm_map *m, const void *buf, size_t len)
{
	return xsr_write(&m->tx, buf, len, xsr_copy_in_memcpy, NULL, 0);
}

ssize_t xenshm_map_read(struct xenshm_map *m, void *buf, size_t len)
{
	return xsr_read(&m->rx, buf, len, xsr_copy_out_memcpy, NULL, 0);
}

int xenshm_map_send(struct xenshm_map *m, const void *buf, size_t len)
{
	long r = xsr_send(&m->tx, buf, len, xsr_copy_in_memcpy, NULL, 0);

	return r < 0 ? (int)r : 0;
}

ssize_t xenshm_map_recv(struct xenshm_map *m, void *buf, size_t len)
{
	return xsr_recv(&m->rx, buf, len, xsr_copy_out_memcpy, NULL, 0);
}

int xenshm_map_kick_tx(struct xenshm_map *m)
{
	int r = xsr_tx_need_notify(&m->tx);

	if (r <= 0)
		return r;
	return xenshm_notify(m->fd, XENSHM_NOTIFY_FLAGS_TX);
}

int xenshm_map_kick_rx(struct xenshm_map *m)
{
	int r = xsr_rx_need_notify(&m->rx);

	if (r <= 0)
		return r;
	return xenshm_notify(m->fd, XENSHM_NOTIFY_FLAGS_RX);
}

ssize_t xenshm_map_reserve(struct xenshm_map *m, size_t len, void **buf)
{
	return xsr_tx_reserve(&m->tx, len, buf);
}

int xenshm_map_commit(struct xenshm_map *m, size_t len)
{
	int r = xsr_tx_commit(&m->tx, len);

	if (r)
		return r;
	r = xenshm_map_kick_tx(m);
	return r < 0 ? r : (r > 0);
}

ssize_t xenshm_map_peek(struct xenshm_map *m, const void **buf)
{
	return xsr_rx_peek(&m->rx, buf);
}

int xenshm_map_release(struct xenshm_map *m, size_t len)
{
	int r = xsr_rx_release(&m->rx, len);

	if (r)
		return r;
	r = xenshm_map_kick_rx(m);
	return r < 0 ? r : (r > 0);
}

int xenshm_map_arm_rx(struct xenshm_map *m)
{
	return xsr_rx_arm(&m->rx);
}

int xenshm_map_arm_tx(struct xenshm_map *m, size_t want)
{
	return xsr_tx_arm(&m->tx, want);
}

long xenshm_map_rx_avail(struct xenshm_map *m)
{
	return xsr_rx_avail(&m->rx);
}

long xenshm_map_tx_space(struct xenshm_map *m)
{
	return xsr_tx_space(&m->tx);
}
