/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Event-channel benchmark on the fake hypervisor (not a test).
 *
 *   bench_evtchn upcall ABI BOUND PENDING ROUNDS
 *       ABI 2l|fifo; BOUND sources bound on CPU 0, of which PENDING
 *       (spread over the port space) are raised before each of ROUNDS
 *       upcalls. Run under callgrind with --toggle-collect=xg_evtchn_upcall
 *       (bench/evtchn/callgrind.sh) to get instructions per event; the
 *       program itself prints the events delivered.
 *   bench_evtchn upcall-moved ABI BOUND PENDING ROUNDS
 *       The same with two CPUs, the idle sources moved on to CPU 1: CPU 0
 *       still drains their strays (2-level, evtchn.md "Strays").
 *   bench_evtchn hypercalls ABI
 *       Hypercalls per send, receive, unmask (idle / pending own /
 *       pending other CPU), rebind, bind, unbind.
 *   bench_evtchn memory ABI BOUND
 *       Registry bytes per bound port.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tests/evtchn/ev_harness.h"

static struct evh h;
static unsigned long delivered;

static int count_handler(struct xg_isrc *isrc, void *arg)
{
	(void)isrc, (void)arg;
	delivered++;
	return XG_ISRC_HANDLED;
}

static unsigned parse_abi(const char *s)
{
	if (strcmp(s, "2l") == 0)
		return XG_EVTCHN_ABI_2L;
	if (strcmp(s, "fifo") == 0)
		return XG_EVTCHN_ABI_FIFO;
	fprintf(stderr, "ABI is 2l or fifo\n");
	exit(2);
}

static void up(unsigned abi, unsigned ncpus)
{
	if (evh_up(&h, ncpus, abi, NULL) != 0) {
		fprintf(stderr, "bring-up failed\n");
		exit(1);
	}
}

/* upcall-moved: idle sources go on to CPU 1 after CPU 0. */
static bool move_idle;

static struct xg_isrc **bind_many(unsigned n, unsigned npeer, uint32_t *peer)
{
	struct xg_isrc **s = calloc(n, sizeof(*s));
	unsigned i, stride = npeer ? n / npeer : 1, k = 0;

	for (i = 0; i < n; i++) {
		int rc;

		/* Connected sources spread evenly through the port range;
		 * the rest are idle unbound ports. */
		bool idle = !(k < npeer && i % stride == 0);

		if (!idle) {
			peer[k] = evh_connect(&h, "b", count_handler, NULL, 0,
					      &s[i]);
			rc = peer[k++] ? 0 : -1;
		} else {
			rc = xg_intr_alloc_unbound(&h.ev, 0, "i", count_handler,
						   NULL, 0, &s[i]);
		}
		if (rc != 0) {
			fprintf(stderr, "bind %u failed\n", i);
			exit(1);
		}
		xg_intr_bind_cpu(s[i], 0);
		if (idle && move_idle)
			xg_intr_bind_cpu(s[i], 1);
		xg_intr_enable(s[i]);
	}
	evh_drain(&h);
	return s;
}

static void unbind_all(struct xg_isrc **s, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		xg_intr_unbind(s[i]);
	free(s);
}

static int run_upcall(unsigned abi, unsigned bound, unsigned pending,
		      unsigned rounds)
{
	uint32_t *peer = calloc(pending, sizeof(*peer));
	struct xg_isrc **s;
	unsigned r, i;

	up(abi, move_idle ? 2 : 1);
	s = bind_many(bound, pending, peer);
	delivered = 0;
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < pending; i++)
			fx_evtchn_peer_send(h.peer, peer[i]);
		evh_poll(&h, 0);
	}
	printf("upcall %s bound=%u pending=%u rounds=%u delivered=%lu\n",
	       abi == XG_EVTCHN_ABI_2L ? "2l" : "fifo", bound, pending,
	       rounds, delivered);
	unbind_all(s, bound);
	free(peer);
	evh_down(&h);
	return delivered == (unsigned long)pending * rounds ? 0 : 1;
}

static unsigned long hc_of(void (*fn)(void *), void *arg)
{
	unsigned long before = evh_hypercalls();

	fn(arg);
	return evh_hypercalls() - before;
}

static struct xg_isrc *hs;
static uint32_t hpeer;

static void op_send(void *a)
{
	(void)a;
	xg_intr_notify(hs);
}

static void op_receive(void *a)
{
	(void)a;
	evh_as_cpu(&h, hs->cpu);
	fx_evtchn_peer_send(h.peer, hpeer);
	/* the peer's send is not ours: counted from here */
}

static void op_unmask_idle(void *a)
{
	(void)a;
	xg_intr_enable(hs);
}

static void op_unmask_own(void *a)
{
	(void)a;
	evh_as_cpu(&h, hs->cpu);
	xg_intr_enable(hs);
}

static void op_unmask_other(void *a)
{
	(void)a;
	evh_as_cpu(&h, 1 - hs->cpu);
	xg_intr_enable(hs);
}

static void op_rebind(void *a)
{
	(void)a;
	xg_intr_bind_cpu(hs, 1 - hs->cpu);
}

static void op_drain(void *a)
{
	(void)a;
	evh_drain(&h);
}

static int run_hypercalls(unsigned abi)
{
	unsigned long send, recv, idle, own, other, rebind, bind, unbind, b;

	up(abi, 2);
	b = evh_hypercalls();
	hpeer = evh_connect(&h, "h", count_handler, NULL, 0, &hs);
	bind = evh_hypercalls() - b;
	xg_intr_enable(hs);
	evh_drain(&h);
	send = hc_of(op_send, NULL);
	fx_evtchn_peer_send(h.peer, hpeer);
	recv = hc_of(op_drain, NULL);
	xg_intr_disable(hs);
	idle = hc_of(op_unmask_idle, NULL);
	xg_intr_disable(hs);
	op_receive(NULL);
	own = hc_of(op_unmask_own, NULL);
	evh_drain(&h);
	xg_intr_disable(hs);
	op_receive(NULL);
	other = hc_of(op_unmask_other, NULL);
	evh_drain(&h);
	rebind = hc_of(op_rebind, NULL);
	evh_as_cpu(&h, 0);
	b = evh_hypercalls();
	xg_intr_unbind(hs);
	unbind = evh_hypercalls() - b;
	printf("hypercalls %s: send=%lu receive=%lu unmask_idle=%lu "
	       "unmask_pending_own=%lu unmask_pending_other_cpu=%lu "
	       "rebind=%lu bind_interdomain=%lu unbind=%lu\n",
	       abi == XG_EVTCHN_ABI_2L ? "2l" : "fifo", send, recv, idle, own,
	       other, rebind, bind, unbind);
	fx_evtchn_peer_close(h.peer, hpeer);
	evh_down(&h);
	return 0;
}

static int run_memory(unsigned abi, unsigned bound)
{
	struct xg_isrc **s;
	size_t table;

	up(abi, move_idle ? 2 : 1);
	s = bind_many(bound, 0, NULL);
	table = (size_t)h.ev.leaves_ * 4096u;
	printf("memory %s bound=%u: isrc=%zu B, table leaves=%u (%zu B), "
	       "per port=%.1f B (+%zu B fixed directory in struct xg_evtchn)\n",
	       abi == XG_EVTCHN_ABI_2L ? "2l" : "fifo", bound,
	       sizeof(struct xg_isrc), h.ev.leaves_, table,
	       (double)sizeof(struct xg_isrc) + (double)table / bound,
	       sizeof(h.ev.dir_));
	unbind_all(s, bound);
	evh_down(&h);
	return 0;
}

int main(int argc, char **argv)
{
	xg_hosted_set_log_level(XG_LOG_ERR);
	move_idle = argc == 6 && strcmp(argv[1], "upcall-moved") == 0;
	if (argc == 6 && (strcmp(argv[1], "upcall") == 0 || move_idle))
		return run_upcall(parse_abi(argv[2]), (unsigned)atoi(argv[3]),
				  (unsigned)atoi(argv[4]),
				  (unsigned)atoi(argv[5]));
	if (argc == 3 && strcmp(argv[1], "hypercalls") == 0)
		return run_hypercalls(parse_abi(argv[2]));
	if (argc == 4 && strcmp(argv[1], "memory") == 0)
		return run_memory(parse_abi(argv[2]), (unsigned)atoi(argv[3]));
	fprintf(stderr, "usage: %s upcall|upcall-moved 2l|fifo BOUND PENDING ROUNDS\n"
			"       %s hypercalls 2l|fifo\n"
			"       %s memory 2l|fifo BOUND\n",
		argv[0], argv[0], argv[0]);
	return 2;
}
