/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Do not edit directly, auto-generated from: codegen/spec/xenshm.yaml
 * Regenerate with: make regen
 *
 * Compile-time checks of the uapi layout against the spec: every struct size
 * and field offset, and the size and number encoded in every ioctl. Call
 * xenshm_abi_check() once (module init); it generates no code.
 */
#ifndef XENSHM_ABI_CHECK_H
#define XENSHM_ABI_CHECK_H

#include <linux/build_bug.h>
#include <linux/ioctl.h>
#include <linux/stddef.h>

#include "uapi/xenshm.h"

static inline void xenshm_abi_check(void)
{
	/* struct xenshm_region_header */
	BUILD_BUG_ON(sizeof(struct xenshm_region_header) != 128);
	BUILD_BUG_ON(offsetof(struct xenshm_region_header, magic) != 0);
	BUILD_BUG_ON(offsetof(struct xenshm_region_header, version_major) != 4);
	BUILD_BUG_ON(offsetof(struct xenshm_region_header, version_minor) != 6);
	BUILD_BUG_ON(offsetof(struct xenshm_region_header, region_size) != 8);
	BUILD_BUG_ON(offsetof(struct xenshm_region_header, features) != 16);
	BUILD_BUG_ON(offsetof(struct xenshm_region_header, data_size) != 24);
	BUILD_BUG_ON(offsetof(struct xenshm_region_header, reserved0) != 28);
	BUILD_BUG_ON(offsetof(struct xenshm_region_header, reserved1) != 32);
	/* struct xenshm_slot */
	BUILD_BUG_ON(sizeof(struct xenshm_slot) != 128);
	BUILD_BUG_ON(offsetof(struct xenshm_slot, state) != 0);
	BUILD_BUG_ON(offsetof(struct xenshm_slot, domid) != 4);
	BUILD_BUG_ON(offsetof(struct xenshm_slot, epoch) != 8);
	BUILD_BUG_ON(offsetof(struct xenshm_slot, heartbeat) != 12);
	BUILD_BUG_ON(offsetof(struct xenshm_slot, port) != 16);
	BUILD_BUG_ON(offsetof(struct xenshm_slot, flags) != 20);
	BUILD_BUG_ON(offsetof(struct xenshm_slot, peer_domid) != 24);
	BUILD_BUG_ON(offsetof(struct xenshm_slot, heartbeat_ms) != 28);
	BUILD_BUG_ON(offsetof(struct xenshm_slot, reserved1) != 32);
	/* struct xenshm_ring_ctrl */
	BUILD_BUG_ON(sizeof(struct xenshm_ring_ctrl) != 256);
	BUILD_BUG_ON(offsetof(struct xenshm_ring_ctrl, prod) != 0);
	BUILD_BUG_ON(offsetof(struct xenshm_ring_ctrl, cons_event) != 4);
	BUILD_BUG_ON(offsetof(struct xenshm_ring_ctrl, prod_pad) != 8);
	BUILD_BUG_ON(offsetof(struct xenshm_ring_ctrl, cons) != 128);
	BUILD_BUG_ON(offsetof(struct xenshm_ring_ctrl, prod_event) != 132);
	BUILD_BUG_ON(offsetof(struct xenshm_ring_ctrl, cons_pad) != 136);
	/* struct xenshm_record_header */
	BUILD_BUG_ON(sizeof(struct xenshm_record_header) != 8);
	BUILD_BUG_ON(offsetof(struct xenshm_record_header, len) != 0);
	BUILD_BUG_ON(offsetof(struct xenshm_record_header, type) != 4);
	/* struct xenshm_info */
	BUILD_BUG_ON(sizeof(struct xenshm_info) != 136);
	BUILD_BUG_ON(offsetof(struct xenshm_info, size) != 0);
	BUILD_BUG_ON(offsetof(struct xenshm_info, flags) != 4);
	BUILD_BUG_ON(offsetof(struct xenshm_info, abi_major) != 8);
	BUILD_BUG_ON(offsetof(struct xenshm_info, abi_minor) != 10);
	BUILD_BUG_ON(offsetof(struct xenshm_info, state) != 12);
	BUILD_BUG_ON(offsetof(struct xenshm_info, features) != 16);
	BUILD_BUG_ON(offsetof(struct xenshm_info, region_size) != 24);
	BUILD_BUG_ON(offsetof(struct xenshm_info, data_size) != 32);
	BUILD_BUG_ON(offsetof(struct xenshm_info, max_msg_size) != 36);
	BUILD_BUG_ON(offsetof(struct xenshm_info, mmap_header_off) != 40);
	BUILD_BUG_ON(offsetof(struct xenshm_info, mmap_header_size) != 48);
	BUILD_BUG_ON(offsetof(struct xenshm_info, mmap_rings_off) != 56);
	BUILD_BUG_ON(offsetof(struct xenshm_info, mmap_rings_size) != 64);
	BUILD_BUG_ON(offsetof(struct xenshm_info, tx_ctrl_off) != 72);
	BUILD_BUG_ON(offsetof(struct xenshm_info, tx_data_off) != 80);
	BUILD_BUG_ON(offsetof(struct xenshm_info, rx_ctrl_off) != 88);
	BUILD_BUG_ON(offsetof(struct xenshm_info, rx_data_off) != 96);
	BUILD_BUG_ON(offsetof(struct xenshm_info, local_domid) != 104);
	BUILD_BUG_ON(offsetof(struct xenshm_info, peer_domid) != 108);
	BUILD_BUG_ON(offsetof(struct xenshm_info, local_port) != 112);
	BUILD_BUG_ON(offsetof(struct xenshm_info, remote_port) != 116);
	BUILD_BUG_ON(offsetof(struct xenshm_info, role) != 120);
	BUILD_BUG_ON(offsetof(struct xenshm_info, mode) != 124);
	BUILD_BUG_ON(offsetof(struct xenshm_info, transport) != 128);
	BUILD_BUG_ON(offsetof(struct xenshm_info, slot) != 132);
	/* struct xenshm_connect */
	BUILD_BUG_ON(sizeof(struct xenshm_connect) != 32);
	BUILD_BUG_ON(offsetof(struct xenshm_connect, size) != 0);
	BUILD_BUG_ON(offsetof(struct xenshm_connect, flags) != 4);
	BUILD_BUG_ON(offsetof(struct xenshm_connect, peer_domid) != 8);
	BUILD_BUG_ON(offsetof(struct xenshm_connect, role) != 12);
	BUILD_BUG_ON(offsetof(struct xenshm_connect, mode) != 16);
	BUILD_BUG_ON(offsetof(struct xenshm_connect, timeout_ms) != 20);
	BUILD_BUG_ON(offsetof(struct xenshm_connect, heartbeat_ms) != 24);
	BUILD_BUG_ON(offsetof(struct xenshm_connect, reserved) != 28);
	/* struct xenshm_eventfd */
	BUILD_BUG_ON(sizeof(struct xenshm_eventfd) != 16);
	BUILD_BUG_ON(offsetof(struct xenshm_eventfd, size) != 0);
	BUILD_BUG_ON(offsetof(struct xenshm_eventfd, flags) != 4);
	BUILD_BUG_ON(offsetof(struct xenshm_eventfd, fd) != 8);
	BUILD_BUG_ON(offsetof(struct xenshm_eventfd, reserved) != 12);
	/* struct xenshm_notify */
	BUILD_BUG_ON(sizeof(struct xenshm_notify) != 8);
	BUILD_BUG_ON(offsetof(struct xenshm_notify, size) != 0);
	BUILD_BUG_ON(offsetof(struct xenshm_notify, flags) != 4);
	/* struct xenshm_stats */
	BUILD_BUG_ON(sizeof(struct xenshm_stats) != 72);
	BUILD_BUG_ON(offsetof(struct xenshm_stats, size) != 0);
	BUILD_BUG_ON(offsetof(struct xenshm_stats, flags) != 4);
	BUILD_BUG_ON(offsetof(struct xenshm_stats, tx_bytes) != 8);
	BUILD_BUG_ON(offsetof(struct xenshm_stats, rx_bytes) != 16);
	BUILD_BUG_ON(offsetof(struct xenshm_stats, tx_msgs) != 24);
	BUILD_BUG_ON(offsetof(struct xenshm_stats, rx_msgs) != 32);
	BUILD_BUG_ON(offsetof(struct xenshm_stats, notify_sent) != 40);
	BUILD_BUG_ON(offsetof(struct xenshm_stats, notify_recv) != 48);
	BUILD_BUG_ON(offsetof(struct xenshm_stats, notify_suppressed) != 56);
	BUILD_BUG_ON(offsetof(struct xenshm_stats, errors) != 64);
	/* struct xenshm_reset */
	BUILD_BUG_ON(sizeof(struct xenshm_reset) != 8);
	BUILD_BUG_ON(offsetof(struct xenshm_reset, size) != 0);
	BUILD_BUG_ON(offsetof(struct xenshm_reset, flags) != 4);
	/* ioctl numbers */
	BUILD_BUG_ON(XENSHM_IOC_MAGIC != 0xbb);
	BUILD_BUG_ON(_IOC_NR(XENSHM_IOC_GET_INFO) != 0);
	BUILD_BUG_ON(_IOC_SIZE(XENSHM_IOC_GET_INFO) != 136);
	BUILD_BUG_ON(_IOC_TYPE(XENSHM_IOC_GET_INFO) != XENSHM_IOC_MAGIC);
	/* XENSHM_IOC_GET_INFO == 0xc088bb00 with the generic _IOC encoding */
	BUILD_BUG_ON(_IOC_NR(XENSHM_IOC_CONNECT) != 1);
	BUILD_BUG_ON(_IOC_SIZE(XENSHM_IOC_CONNECT) != 32);
	BUILD_BUG_ON(_IOC_TYPE(XENSHM_IOC_CONNECT) != XENSHM_IOC_MAGIC);
	/* XENSHM_IOC_CONNECT == 0x4020bb01 with the generic _IOC encoding */
	BUILD_BUG_ON(_IOC_NR(XENSHM_IOC_SET_EVENTFD) != 2);
	BUILD_BUG_ON(_IOC_SIZE(XENSHM_IOC_SET_EVENTFD) != 16);
	BUILD_BUG_ON(_IOC_TYPE(XENSHM_IOC_SET_EVENTFD) != XENSHM_IOC_MAGIC);
	/* XENSHM_IOC_SET_EVENTFD == 0x4010bb02 with the generic _IOC encoding */
	BUILD_BUG_ON(_IOC_NR(XENSHM_IOC_NOTIFY) != 3);
	BUILD_BUG_ON(_IOC_SIZE(XENSHM_IOC_NOTIFY) != 8);
	BUILD_BUG_ON(_IOC_TYPE(XENSHM_IOC_NOTIFY) != XENSHM_IOC_MAGIC);
	/* XENSHM_IOC_NOTIFY == 0x4008bb03 with the generic _IOC encoding */
	BUILD_BUG_ON(_IOC_NR(XENSHM_IOC_STATS) != 4);
	BUILD_BUG_ON(_IOC_SIZE(XENSHM_IOC_STATS) != 72);
	BUILD_BUG_ON(_IOC_TYPE(XENSHM_IOC_STATS) != XENSHM_IOC_MAGIC);
	/* XENSHM_IOC_STATS == 0xc048bb04 with the generic _IOC encoding */
	BUILD_BUG_ON(_IOC_NR(XENSHM_IOC_RESET) != 5);
	BUILD_BUG_ON(_IOC_SIZE(XENSHM_IOC_RESET) != 8);
	BUILD_BUG_ON(_IOC_TYPE(XENSHM_IOC_RESET) != XENSHM_IOC_MAGIC);
	/* XENSHM_IOC_RESET == 0x4008bb05 with the generic _IOC encoding */
}

#endif /* XENSHM_ABI_CHECK_H */
