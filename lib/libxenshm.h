/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * libxenshm: the userspace side of /dev/xenshm/<name>.
 *
 * Two layers:
 *  - fd helpers: thin wrappers around open() and the ioctls of uapi/xenshm.h
 *    that fill size/flags for the caller and return 0 (or a positive value)
 *    on success and a negative errno on failure (never -1 + errno);
 *  - the mmap ring API: map a channel's header page (read-only) and rings
 *    (read-write) and move data through them with ringcore's C facade
 *    (ringcore/include/xenshm/xsr.h), the very code the kernel runs, with
 *    XENSHM_IOC_NOTIFY as the doorbell and an eventfd as the wakeup.
 *
 * Note to users of the mmap API: the peer (and the kernel's read()/write()
 * path of this same end) move the same indices. Use either read()/write() or
 * the mapping on one end, not both at once. Everything read from the mapping
 * is untrusted; ringcore checks it and reports corruption as -EIO, after
 * which the end stays broken until XENSHM_IOC_RESET.
 *
 * Link with libxenshm.a (lib/ and ringcore/ compiled for userspace).
 */
#ifndef XENSHM_LIB_XENSHM_H
#define XENSHM_LIB_XENSHM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "uapi/xenshm.h"
#include "xenshm/xsr.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XENSHM_DEV_DIR "/dev/xenshm"

/* ---- fd helpers ---- */

/*
 * Open /dev/xenshm/<name> (or @name itself when it contains a '/').
 * @oflags is added to O_RDWR | O_CLOEXEC (e.g. O_NONBLOCK).
 * Returns the fd or a negative errno (-EBUSY: the end is already open).
 */
int xenshm_open(const char *name, int oflags);

/* Device path of @name into @buf; returns @buf. */
const char *xenshm_dev_path(const char *name, char *buf, size_t len);

int xenshm_get_info(int fd, struct xenshm_info *info);
int xenshm_get_stats(int fd, struct xenshm_stats *stats);

/*
 * Start the rendezvous. @peer_domid: XENSHM_DOMID_NONE for any peer, else
 * the only peer accepted (pin_peer). @timeout_ms: 0 for the module default.
 * Returns 0 if connected, -EINPROGRESS if the rendezvous runs (poll() the fd:
 * POLLOUT when connected, POLLERR on timeout/refusal), or a negative errno.
 */
int xenshm_connect(int fd, uint32_t mode, uint32_t role, uint32_t timeout_ms,
		   uint32_t peer_domid);

/*
 * Wait up to @timeout_ms (-1: forever) for a connect to finish.
 * Returns 0 when connected, -ETIMEDOUT, -ECONNREFUSED when the rendezvous
 * failed (POLLERR/POLLHUP), or another negative errno.
 */
int xenshm_wait_connected(int fd, int timeout_ms);

/* Register @efd (an eventfd) for peer notifications and state changes. */
int xenshm_set_eventfd(int fd, int efd);
int xenshm_clear_eventfd(int fd);

/* XENSHM_IOC_NOTIFY with XENSHM_NOTIFY_FLAGS_*: 1 = event sent, 0 = suppressed. */
int xenshm_notify(int fd, uint32_t flags);

/* XENSHM_IOC_RESET: drop the connection, clear errors and counters. */
int xenshm_reset(int fd);

const char *xenshm_state_name(uint32_t state);
const char *xenshm_role_name(uint32_t role);
const char *xenshm_mode_name(uint32_t mode);
const char *xenshm_transport_name(uint32_t transport);

/* ---- mmap ring API ---- */

struct xenshm_map {
	int fd;				/* not owned: the caller closes it */
	struct xenshm_info info;	/* as returned by GET_INFO at map time */
	void *base;			/* the region as this process sees it */
	size_t base_len;
	const volatile void *header;	/* base: header page, read-only */
	void *rings;			/* base + XENSHM_CTRL_OFF, read-write */
	struct xsr_region rg;		/* ringcore views over the mapping */
	struct xsr_ring tx;
	struct xsr_ring rx;
	uint32_t tx_mode;		/* mode this end produces in */
	uint32_t rx_mode;		/* mode the peer produces in */
};

/*
 * Map a connected end. Returns 0 or a negative errno (-ENOTCONN if the end
 * is not connected yet). The mapping stays valid after close(fd) until
 * xenshm_unmap().
 */
int xenshm_map(int fd, struct xenshm_map *m);
void xenshm_unmap(struct xenshm_map *m);

/* Pointer into the mapping at region offset @off. */
void *xenshm_map_at(const struct xenshm_map *m, uint64_t off);

/*
 * Data calls over the mapping. They never block and never enter the kernel:
 *  stream:  xenshm_map_write/read move up to @len bytes (partial), return
 *           the count, -EAGAIN when the ring is full/empty;
 *  message: xenshm_map_send/recv move one whole message (recv returns its
 *           length; -EMSGSIZE if @len is too small, the message stays).
 *  Corruption: -EIO (sticky).
 * After producing call xenshm_map_kick_tx(), after consuming
 * xenshm_map_kick_rx(): they issue XENSHM_IOC_NOTIFY only when the peer asked
 * for an event (event index), so a busy stream costs few syscalls.
 */
ssize_t xenshm_map_write(struct xenshm_map *m, const void *buf, size_t len);
ssize_t xenshm_map_read(struct xenshm_map *m, void *buf, size_t len);
int xenshm_map_send(struct xenshm_map *m, const void *buf, size_t len);
ssize_t xenshm_map_recv(struct xenshm_map *m, void *buf, size_t len);
int xenshm_map_kick_tx(struct xenshm_map *m);
int xenshm_map_kick_rx(struct xenshm_map *m);

/*
 * Zero copy over the mapping (never blocks, never enters the kernel except
 * for the NOTIFY of commit/release when the peer asked for an event):
 *  xenshm_map_reserve: point *buf at free space of the TX ring to produce
 *      into. Stream mode: up to @len contiguous bytes (fewer at the ring's
 *      end or when less is free; returns the count > 0). Message mode:
 *      exactly @len bytes of one message (returns @len; -EMSGSIZE if it can
 *      never fit). -EAGAIN when full.
 *  xenshm_map_commit: publish @len (<= reserved) bytes / the message and
 *      notify the peer if it asked (event index): at most one NOTIFY ioctl.
 *  xenshm_map_peek: point *buf at the next readable bytes of the RX ring.
 *      Stream mode: contiguous readable bytes (count > 0); message mode: the
 *      next message (its length). -EAGAIN when empty. The bytes are the
 *      peer's and may change under you: read each once, validate.
 *  xenshm_map_release: hand back @len (<= peeked) bytes (message mode: the
 *      whole message, @len ignored) and notify the peer if it asked.
 * Returns of commit/release: 0, 1 if the peer was sent an event, or -errno.
 */
ssize_t xenshm_map_reserve(struct xenshm_map *m, size_t len, void **buf);
int xenshm_map_commit(struct xenshm_map *m, size_t len);
ssize_t xenshm_map_peek(struct xenshm_map *m, const void **buf);
int xenshm_map_release(struct xenshm_map *m, size_t len);

/*
 * Before sleeping on the eventfd: arm the event word and re-check.
 * Return 1 if there is already something to do (data / space), 0 if it is
 * safe to sleep, or a negative errno (-EIO).
 */
int xenshm_map_arm_rx(struct xenshm_map *m);
int xenshm_map_arm_tx(struct xenshm_map *m, size_t want);

/* Bytes readable / writable right now (or negative errno). */
long xenshm_map_rx_avail(struct xenshm_map *m);
long xenshm_map_tx_space(struct xenshm_map *m);

#ifdef __cplusplus
}
#endif

#endif /* XENSHM_LIB_XENSHM_H */
