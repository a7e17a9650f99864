// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm-liar: a hostile peer for the e2e suite. It plays one side of a
 * region's rendezvous by writing the slot words itself (through /dev/mem,
 * no xenshm module involved) and lies about who it is: it claims another
 * domain's domid and names a port of its choosing. The victim, a real
 * xenshm end connecting on the other slot, must refuse (docs/threat-model.md,
 * "A peer that names another domain").
 *
 *   xenshm-liar ADDR SIZE --as DOMID --role sender|receiver
 *               [--port P] [--static] [--wait-s N]
 *
 * ADDR/SIZE: the region's guest-physical address and size. The liar waits
 * (at most N s, default 60) for the victim to claim a slot, takes the other
 * one as DOMID, and then:
 *   sender:   waits for the victim's GO, publishes CONNECTED with port P
 *             (default: the victim's port + 1) without ever binding;
 *   receiver: publishes GO with port P (--static: as a static event
 *             channel), then CONNECTED once the victim is.
 * It reports "hijack-liar PASS" when the victim gives up (its slot goes
 * FREE) within N s without having called itself connected first (a
 * receiver victim publishing CONNECTED means it accepted the lie), then
 * frees its own slot.
 *
 * Only for the emulated e2e: /dev/mem maps the region as device memory,
 * which is coherent with the victim's cached mapping under QEMU (TCG), not
 * necessarily on hardware.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "peer/xenshm_wire.h"

static const char *g_dom = "dom?";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void result(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void result(int ok, const char *fmt, ...)
{
	char detail[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("XENSHM-RESULT %s hijack-liar %s %s\n", g_dom, ok ? "PASS" : "FAIL",
	       detail);
}

static uint32_t rd(volatile uint32_t *p)
{
	uint32_t v = *p;

	__sync_synchronize();
	return v;
}

static void wr(volatile uint32_t *p, uint32_t v)
{
	__sync_synchronize();
	*p = v;
}

static volatile struct xenshm_slot *slot_at(volatile uint8_t *hdr, int i)
{
	return (volatile struct xenshm_slot *)(hdr + (i ? XENSHM_SLOT1_OFF : XENSHM_SLOT0_OFF));
}

static void usage(void)
{
	fprintf(stderr, "usage: xenshm-liar ADDR SIZE --as DOMID --role sender|receiver "
		"[--port P] [--static] [--wait-s N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint32_t as = XENSHM_DOMID_NONE, port = 0, flags = 0;
	int sender = -1, wait_s = 60, fd, v = -1, i;
	volatile struct xenshm_slot *me, *victim;
	volatile uint8_t *hdr;
	unsigned long long addr;
	int published = 0, victim_connected = 0, refused = 0;
	uint32_t vdomid, vepoch;
	double t0, deadline;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (getenv("XENSHM_DOM"))
		g_dom = getenv("XENSHM_DOM");
	if (argc < 3)
		usage();
	addr = strtoull(argv[1], NULL, 0);
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--as") && i + 1 < argc)
			as = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--role") && i + 1 < argc)
			sender = !strcmp(argv[++i], "sender");
		else if (!strcmp(argv[i], "--port") && i + 1 < argc)
			port = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--static"))
			flags |= XENSHM_SLOT_FLAGS_STATIC_EVTCHN;
		else if (!strcmp(argv[i], "--wait-s") && i + 1 < argc)
			wait_s = atoi(argv[++i]);
		else
			usage();
	}
	if (as == XENSHM_DOMID_NONE || sender < 0 || (!sender && !port))
		usage();

	fd = open("/dev/mem", O_RDWR | O_SYNC);
	if (fd < 0) {
		result(0, "open /dev/mem: %s", strerror(errno));
		return 1;
	}
	hdr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)addr);
	if (hdr == MAP_FAILED) {
		result(0, "mmap %#llx: %s", addr, strerror(errno));
		return 1;
	}

	/* The victim initialises the region and claims a slot. */
	t0 = now_s();
	deadline = t0 + wait_s;
	while (now_s() < deadline) {
		if (rd((volatile uint32_t *)hdr) == XENSHM_MAGIC) {
			for (i = 0; i < 2; i++)
				if (rd(&slot_at(hdr, i)->state) != XENSHM_SLOT_STATE_FREE)
					v = i;
		}
		if (v >= 0)
			break;
		usleep(10000);
	}
	if (v < 0) {
		result(0, "no victim within %d s", wait_s);
		return 1;
	}
	victim = slot_at(hdr, v);
	me = slot_at(hdr, 1 - v);
	vdomid = rd(&victim->domid);
	vepoch = rd(&victim->epoch);
	if (rd(&me->state) != XENSHM_SLOT_STATE_FREE) {
		result(0, "the other slot is taken");
		return 1;
	}
	/* Claim, lying: the domid is someone else's. */
	wr(&me->domid, as);
	wr(&me->epoch, rd(&me->epoch) + 1);
	wr(&me->flags, flags);
	wr(&me->port, XENSHM_PORT_NONE);
	wr(&me->peer_domid, vdomid);
	wr(&me->state, XENSHM_SLOT_STATE_ATTACHED);
	printf("XENSHM-INFO %s liar: slot %d as dom%u, victim dom%u in slot %d\n", g_dom,
	       1 - v, as, vdomid, v);

	while (now_s() < deadline) {
		uint32_t st = rd(&victim->state);

		if (st == XENSHM_SLOT_STATE_FREE || rd(&victim->epoch) != vepoch) {
			refused = 1;
			break;
		}
		if (sender && !published && st == XENSHM_SLOT_STATE_GO) {
			uint32_t p = port ? port : rd(&victim->port) + 1;

			wr(&me->port, p);
			wr(&me->state, XENSHM_SLOT_STATE_CONNECTED);
			printf("XENSHM-INFO %s liar: CONNECTED with port %u (never bound)\n", g_dom, p);
			published = 1;
		} else if (!sender && !published) {
			wr(&me->port, port);
			wr(&me->state, XENSHM_SLOT_STATE_GO);
			printf("XENSHM-INFO %s liar: GO with %s port %u\n", g_dom,
			       flags ? "static" : "runtime", port);
			published = 1;
		} else if (!sender && published == 1 && st == XENSHM_SLOT_STATE_CONNECTED) {
			wr(&me->state, XENSHM_SLOT_STATE_CONNECTED);
			published = 2;
		}
		/* A receiver victim publishes CONNECTED only when it accepts. */
		if (sender && st == XENSHM_SLOT_STATE_CONNECTED)
			victim_connected = 1;
		usleep(10000);
	}
	/* Leave: FREE first, then the words (as a detach does). */
	wr(&me->state, XENSHM_SLOT_STATE_FREE);
	wr(&me->port, XENSHM_PORT_NONE);
	wr(&me->domid, XENSHM_DOMID_NONE);
	result(refused && !victim_connected, "victim dom%u %s after %.2fs%s", vdomid,
	       refused ? "gave up" : "still attached", now_s() - t0,
	       victim_connected ? " (it had published CONNECTED)" : "");
	return refused && !victim_connected ? 0 : 1;
}
