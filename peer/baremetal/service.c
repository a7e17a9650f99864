// SPDX-License-Identifier: GPL-2.0-only
/*
 * The bare-metal domain's xenshm services (service.h): the peer library
 * (xsr_peer.h) on this platform (bm.h). Everything protocol-related is the
 * library's; this file is the integrator's part an RTOS would write: the
 * hypercall glue, routing a port's upcall to xsr_peer_event(), and a main
 * loop that moves data while it can and sleeps in wfi when it cannot.
 */
#include "xenshm/xsr_peer.h"

#include "bm.h"
#include "pattern.h"
#include "report.h"
#include "service.h"

/* Bytes the producer sends per connection: four times a 4 MiB region's ring
 * (1 MiB: xsr_data_size_for()), so the ring fills and the consumer's events
 * wake the producer. */
#define PRODUCE_DEFAULT	(4u << 20)
/* My heartbeat period (published; the library beats at half of it). */
#define HEARTBEAT_MS	250u
/* With "peerdeath=1" in the bootargs (make test-xen-peer-faults) the Linux
 * peer dies while connected: a session must then end in silence
 * (XSR_ETIMEDOUT), noticed within the liveness limit plus this much after
 * the last event it had from the peer (the Linux side allows 3 s in all too:
 * a loaded host delays both the death's last event and the checks). */
#define SILENCE_SLACK_MS	2000u
/* Data calls per service and loop turn, so one service cannot starve the
 * other. */
#define IO_BURST	16
#define MAX_SERVICES	4

struct svc {
	struct xsr_peer peer;
	char tag[12];			/* "0-3" of "xenshm-0-3" */
	int echo;			/* echo (receiver) or producer (sender) */
	int peer_domid;
	uint32_t session;		/* connections so far */
	int connected;
	uint32_t port, upcalls0;
	uint64_t pos_rx, pos_tx, units, bad_at, produce;
	int bad;
	uint32_t plen;			/* echo: bytes in buf still to send */
	volatile uint64_t event_ms;	/* bm_now_ms() at the last upcall (IRQ) */
	uint8_t buf[4096];
};

static struct svc services[MAX_SERVICES];
static unsigned int nsvc;
static int peer_death;			/* "peerdeath=1": sessions end in silence */
static uint32_t silent_ends;		/* sessions that ended so (peer_death) */
/* "hang=BYTES": once the echo took that many bytes in a session (and, with
 * peerdeath=1, a silent end was seen), the main loop stops for good, as a
 * hung application would: IRQs still come, nothing beats or answers. The
 * Linux end must call this domain silent (make test-xen-peer-faults). */
static uint64_t hang_after;

/* ---- the platform glue: struct xsr_peer_platform over bm.h ---- */

static void svc_upcall(uint32_t port, void *arg)
{
	struct svc *s = arg;

	(void)port;
	s->event_ms = bm_now_ms();
	xsr_peer_event(&s->peer);
}

/*
 * A new port gets its upcall routed before the library can publish it, so
 * the peer's first event (the confirm of the rendezvous) is never missed.
 */
static int glue_port(void *ctx, int port)
{
	if (port > 0 && bm_set_callback((uint32_t)port, svc_upcall, ctx)) {
		(void)bm_close((uint32_t)port);	/* the library never sees it */
		return XSR_EINVAL;
	}
	return port;
}

static int glue_alloc_unbound(void *ctx, uint32_t remote)
{
	return glue_port(ctx, bm_alloc_unbound(remote));
}

static int glue_bind_interdomain(void *ctx, uint32_t remote, uint32_t rport)
{
	return glue_port(ctx, bm_bind_interdomain(remote, rport));
}

static int glue_status(void *ctx, uint32_t port, uint32_t *rdom, uint32_t *rport)
{
	int ret = bm_evtchn_status(port, rdom, rport);

	(void)ctx;
	return ret > 0 ? XSR_EINVAL : ret;	/* 1: not interdomain */
}

static int glue_notify(void *ctx, uint32_t port)
{
	(void)ctx;
	return bm_notify(port);
}

static int glue_close(void *ctx, uint32_t port)
{
	(void)ctx;
	return bm_close(port);
}

static uint64_t glue_now_ms(void *ctx)
{
	(void)ctx;
	return bm_now_ms();
}

/* My static event channel to @peer_domid (Xen bound it at boot), or 0. */
static uint32_t static_port_to(int peer_domid)
{
	uint32_t port, rdom, rport;

	for (port = 1; port < BM_MAX_PORTS; port++) {
		int st = bm_evtchn_status(port, &rdom, &rport);

		if (st < 0)
			break;		/* past the last port Xen set up */
		if (st == 0 && (int)rdom == peer_domid)
			return port;
	}
	return 0;
}

/* ---- sessions ---- */

static void session_start(struct svc *s)
{
	struct xsr_peer_info i;

	xsr_peer_get_info(&s->peer, &i);
	s->connected = 1;
	s->session++;
	s->pos_rx = s->pos_tx = s->units = s->bad_at = 0;
	s->bad = 0;
	s->plen = 0;
	s->port = i.local_port;
	s->upcalls0 = bm_upcall_count(s->port);
	report_info("%s@%s#%u: connected to dom%u as %s, %s port %u <-> %u", s->echo ? "echo" : "producer",
		    s->tag, s->session, i.peer_domid, i.role == XSR_ROLE_RECEIVER ? "receiver" : "sender",
		    i.is_static ? "static" : "runtime", i.local_port, i.remote_port);
}

static void session_end(struct svc *s, int err)
{
	uint32_t upcalls = bm_upcall_count(s->port) - s->upcalls0;
	char name[32];

	s->connected = 0;
	bm_snprintf(name, sizeof(name), "%s@%s#%u", s->echo ? "echo" : "producer", s->tag,
		    s->session);
	if (peer_death) {
		/* The peer died connected: only its silence tells (protocol.md 6.2). */
		uint64_t quiet = bm_now_ms() - s->event_ms;
		uint32_t limit = 4 * HEARTBEAT_MS;

		silent_ends++;
		report_result(s->echo ? "echo-peer-silent" : "producer-peer-silent",
			      err == XSR_ETIMEDOUT && !s->bad && (s->pos_rx || s->pos_tx) &&
			      quiet <= limit + SILENCE_SLACK_MS,
			      "%s#%u dom%d: %d after %lu ms silent (limit %u), %lu B sent",
			      s->tag, s->session, s->peer_domid, err, (unsigned long)quiet, limit,
			      (unsigned long)s->pos_tx);
	} else if (s->echo)
		report_result(name, err == XSR_ECONNRESET && !s->bad && s->pos_rx && !s->plen &&
				    upcalls,
			      "dom%d %s %lu B checked, %lu echoed, port %u, %u upcalls, end %d%s",
			      s->peer_domid,
			      xsr_peer_rx_mode(&s->peer) == XSR_MODE_MESSAGE ? "msgs" : "stream",
			      (unsigned long)s->pos_rx, (unsigned long)s->units, s->port, upcalls,
			      err, s->bad ? ", BAD DATA" : "");
	else
		report_result(name, err == XSR_ECONNRESET && s->pos_tx == s->produce && upcalls,
			      "dom%d stream %lu of %lu B, port %u, %u upcalls, end %d",
			      s->peer_domid, (unsigned long)s->pos_tx, (unsigned long)s->produce,
			      s->port, upcalls, err);
	if (s->bad)
		report_info("%s: first bad byte at %lu", name, (unsigned long)s->bad_at);
}

/* Check @n received bytes against the pattern at s->pos_rx. */
static void check_rx(struct svc *s, uint32_t n)
{
	uint32_t k;

	for (k = 0; k < n && !s->bad; k++) {
		if (s->buf[k] != xenshm_bm_pattern(s->pos_rx + k)) {
			s->bad = 1;
			s->bad_at = s->pos_rx + k;
		}
	}
	s->pos_rx += n;
}

/* Echo: send back what is pending, then take the next message or chunk. */
static int echo_io(struct svc *s)
{
	int i, progress = 0;
	long n;

	for (i = 0; i < IO_BURST; i++) {
		if (s->plen) {
			n = xsr_peer_send(&s->peer, s->buf, s->plen, 0);
			if (n < 0)
				break;		/* no room (arm), or gone (poll says) */
			s->plen = 0;
			s->units++;
			progress = 1;
		}
		if (xsr_peer_rx_mode(&s->peer) == XSR_MODE_MESSAGE)
			n = xsr_peer_recv(&s->peer, s->buf, sizeof(s->buf), 0);
		else
			n = xsr_peer_read(&s->peer, s->buf, sizeof(s->buf), 0);
		if (n <= 0)
			break;			/* empty (arm), or gone */
		check_rx(s, (uint32_t)n);
		s->plen = (uint32_t)n;
		progress = 1;
	}
	return progress;
}

/* Producer: the pattern from s->pos_tx, as far as the ring takes it. What
 * the consumer sends back is read and dropped: unread, it would keep
 * xsr_peer_rx_arm() from letting the loop sleep. */
static int produce_io(struct svc *s)
{
	int i, progress = 0;
	long n;

	for (i = 0; i < IO_BURST; i++) {
		n = xsr_peer_rx_mode(&s->peer) == XSR_MODE_MESSAGE ?
			    xsr_peer_recv(&s->peer, s->buf, sizeof(s->buf), 0) :
			    xsr_peer_read(&s->peer, s->buf, sizeof(s->buf), 0);
		if (n <= 0)
			break;
		s->pos_rx += (uint64_t)n;
		progress = 1;
	}

	for (i = 0; i < IO_BURST && s->pos_tx < s->produce; i++) {
		uint64_t left = s->produce - s->pos_tx;
		uint32_t k, len = left < sizeof(s->buf) ? (uint32_t)left : sizeof(s->buf);

		for (k = 0; k < len; k++)
			s->buf[k] = xenshm_bm_pattern(s->pos_tx + k);
		n = xsr_peer_write(&s->peer, s->buf, len, 0);
		if (n <= 0)
			break;
		s->pos_tx += (uint64_t)n;
		progress = 1;
	}
	return progress;
}

/* Before sleeping: 0 armed (sleep), else something to do now. */
static int svc_arm(struct svc *s)
{
	if (!s->connected)
		return 0;
	if (s->echo)
		return s->plen ? xsr_peer_tx_arm(&s->peer, s->plen) : xsr_peer_rx_arm(&s->peer);
	if (s->pos_tx < s->produce)
		return xsr_peer_tx_arm(&s->peer, sizeof(s->buf));
	return xsr_peer_rx_arm(&s->peer);	/* nothing comes; wakes on hang-up */
}

static int svc_step(struct svc *s)
{
	int progress = 0, ret;

	if (s->connected)
		progress = s->echo ? echo_io(s) : produce_io(s);
	if (hang_after && s->echo && s->connected && s->pos_rx >= hang_after &&
	    (!peer_death || silent_ends)) {
		report_info("echo@%s#%u: hanging on purpose after %lu B (hang=%lu)", s->tag, s->session,
			    (unsigned long)s->pos_rx, (unsigned long)hang_after);
		bm_halt();
	}
	ret = xsr_peer_poll(&s->peer);
	if (ret == 1 && !s->connected) {
		session_start(s);
		return 1;
	}
	if (ret >= 0)
		return progress;
	if (s->connected)
		session_end(s, ret);
	else
		report_info("%s@%s: rendezvous ended with %d, starting over", s->echo ? "echo" : "producer",
			    s->tag, ret);
	if (xsr_peer_reconnect(&s->peer))
		report_result(s->echo ? "echo-reconnect" : "producer-reconnect", 0, "%s", s->tag);
	return 1;
}

static void svc_add(const struct cfg_region *c, const struct bm_region *r, uint32_t produce)
{
	static const struct xsr_peer_platform glue_ops = {
		.alloc_unbound = glue_alloc_unbound,
		.bind_interdomain = glue_bind_interdomain,
		.status = glue_status,
		.notify = glue_notify,
		.close = glue_close,
		.now_ms = glue_now_ms,
	};
	struct svc *s = &services[nsvc];
	struct xsr_peer_platform plat = glue_ops;
	struct xsr_peer_config cfg = {
		.base = (void *)(uintptr_t)r->addr,
		.size = r->size,
		.my_domid = (uint32_t)bm_domid(),
		.peer_domid = (uint32_t)c->peer_domid,
		.heartbeat_ms = HEARTBEAT_MS,
	};
	const char *tag = c->id;
	int ret;

	if (!strncmp(tag, "xenshm-", 7))
		tag += 7;
	bm_snprintf(s->tag, sizeof(s->tag), "%s", tag);
	s->echo = c->peer_domid == 0;
	s->peer_domid = c->peer_domid;
	s->produce = produce;
	cfg.role = s->echo ? XSR_ROLE_RECEIVER : XSR_ROLE_AUTO;
	cfg.mode = s->echo ? XSR_MODE_MESSAGE : XSR_MODE_STREAM;
	cfg.static_port = static_port_to(c->peer_domid);
	plat.ctx = s;
	if (cfg.static_port)
		bm_set_callback(cfg.static_port, svc_upcall, s);
	ret = xsr_peer_init(&s->peer, &cfg, &plat);
	report_result(s->echo ? "echo-init" : "producer-init", !ret,
		      "%s: peer dom%d, %s, static port %u (0: the recipe), rc=%d", c->id,
		      c->peer_domid, s->echo ? "receiver, echo" : "sender, producer",
		      cfg.static_port, ret);
	if (!ret)
		nsvc++;
}

void services_run(const struct cfg_region *cfg, unsigned int n)
{
	uint32_t produce = PRODUCE_DEFAULT;
	unsigned int i;
	char v[24];

	peer_death = bm_cmdline_get("peerdeath", v, sizeof(v)) > 0 && v[0] == '1';
	if (bm_cmdline_get("hang", v, sizeof(v)) > 0)
		for (i = 0; v[i] >= '0' && v[i] <= '9' && i < 12; i++)
			hang_after = hang_after * 10 + (uint64_t)(v[i] - '0');
	if (bm_cmdline_get("produce", v, sizeof(v)) > 0) {
		produce = 0;
		for (i = 0; v[i] >= '0' && v[i] <= '9' && i < 10; i++)
			produce = produce * 10 + (uint32_t)(v[i] - '0');
	}
	for (i = 0; i < n && nsvc < MAX_SERVICES; i++) {
		const struct bm_region *r = bm_region_find(cfg[i].id);

		if (r && cfg[i].peer_domid >= 0 && bm_domid() >= 0)
			svc_add(&cfg[i], r, produce);
	}
	for (;;) {
		uint32_t timeout = 1000;
		int busy = 0;

		for (i = 0; i < nsvc; i++)
			busy |= svc_step(&services[i]);
		if (busy)
			continue;
		for (i = 0; i < nsvc; i++) {
			uint32_t t = xsr_peer_timeout_ms(&services[i].peer);

			if (t < timeout)
				timeout = t;
			busy |= svc_arm(&services[i]) != 0;
		}
		if (!busy)
			bm_wait_event(timeout ? timeout : 1);
	}
}
