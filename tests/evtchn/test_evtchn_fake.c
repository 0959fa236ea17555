/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Event channels and the interrupt-source registry on the fake
 * hypervisor. Every behavioural test runs twice, once per ABI (groups
 * "2l" and "fifo"); a few ABI-specific tests follow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ev_harness.h"

static unsigned abi;
static struct evh h;

struct rec {
	unsigned n;
	unsigned cpu[64];
	uint32_t port[64];
	int ret;             /* what the handler returns */
	uint32_t resend;     /* peer port to send on again, while budget */
	unsigned budget;
};

static struct rec rec_a, rec_b, rec_c;
static uint32_t order[256];
static unsigned norder;

static int handler(struct xg_isrc *isrc, void *arg)
{
	struct rec *r = arg;

	if (r->n < 64) {
		r->cpu[r->n] = xg_port_cpu_self();
		r->port[r->n] = isrc->port;
	}
	r->n++;
	if (norder < 256)
		order[norder++] = isrc->port;
	if (r->budget > 0) {
		r->budget--;
		fx_evtchn_peer_send(h.peer, r->resend);
	}
	return r->ret;
}

static int setup(void **state)
{
	(void)state;
	memset(&rec_a, 0, sizeof(rec_a));
	memset(&rec_b, 0, sizeof(rec_b));
	memset(&rec_c, 0, sizeof(rec_c));
	norder = 0;
	assert_int_equal(evh_up(&h, 2, abi, NULL), 0);
	assert_int_equal(h.ev.abi, abi);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	evh_down(&h);
	assert_int_equal(fx_evtchn_ports_in_use(h.d), 0);
	assert_true(xg_hosted_check_balanced());
	return 0;
}

/* A connected source, enabled, its bind-time event drained. */
static uint32_t connect_enabled(struct rec *r, struct xg_isrc **out)
{
	uint32_t pport = evh_connect(&h, "t", handler, r, 0, out);

	assert_int_not_equal(pport, 0);
	xg_intr_enable(*out);
	evh_drain(&h);
	r->n = 0;
	norder = 0;
	return pport;
}

static void test_deliver_zero_hypercalls(void **state)
{
	struct xg_isrc *s;
	uint32_t pport = connect_enabled(&rec_a, &s);
	unsigned long hc;
	unsigned i;

	(void)state;
	for (i = 0; i < 10; i++) {
		assert_int_equal(fx_evtchn_peer_send(h.peer, pport), 0);
		hc = evh_hypercalls();
		evh_drain(&h);
		assert_int_equal(evh_hypercalls(), hc); /* receive: 0 */
	}
	assert_int_equal(rec_a.n, 10);
	assert_int_equal(rec_a.port[0], s->port);
	assert_int_equal(s->count, 11); /* and the bind-time event */
	assert_int_equal(rec_a.cpu[0], s->cpu);
	assert_int_equal(xg_intr_unbind(s), 0);
}

static void test_round_robin_and_rebind(void **state)
{
	struct xg_isrc *s1, *s2;
	uint32_t p1 = connect_enabled(&rec_a, &s1);
	uint32_t p2 = connect_enabled(&rec_b, &s2);

	(void)state;
	assert_int_not_equal(s1->cpu, s2->cpu); /* spread over 2 CPUs */
	assert_int_equal(fx_evtchn_port_vcpu(h.d, s1->port), s1->cpu);
	fx_evtchn_peer_send(h.peer, p1);
	fx_evtchn_peer_send(h.peer, p2);
	evh_drain(&h);
	assert_int_equal(rec_a.cpu[0], s1->cpu);
	assert_int_equal(rec_b.cpu[0], s2->cpu);

	/* Move s1 to the other CPU: delivery follows. */
	assert_int_equal(xg_intr_bind_cpu(s1, s2->cpu), 0);
	assert_int_equal(fx_evtchn_port_vcpu(h.d, s1->port), s2->cpu);
	fx_evtchn_peer_send(h.peer, p1);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 2);
	assert_int_equal(rec_a.cpu[1], s2->cpu);
	assert_int_equal(xg_intr_bind_cpu(s1, 7), XG_EINVAL);
	xg_intr_unbind(s1);
	xg_intr_unbind(s2);
}

/* An event raised while the port moves is delivered once, on the new
 * CPU, whatever CPU the rebind runs on. */
static void test_rebind_pending_not_lost(void **state)
{
	struct xg_isrc *s;
	uint32_t p = connect_enabled(&rec_a, &s);
	unsigned from = s->cpu, to = 1 - s->cpu;

	(void)state;
	xg_intr_disable(s);
	fx_evtchn_peer_send(h.peer, p);  /* pending while masked */
	evh_drain(&h);
	assert_int_equal(rec_a.n, 0);
	xg_intr_enable(s);
	evh_as_cpu(&h, from);
	assert_int_equal(xg_intr_bind_cpu(s, to), 0);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	/* FIFO: an event already linked on the old vCPU's queue is
	 * consumed there (Xen does not move queued events). */
	if (abi == XG_EVTCHN_ABI_2L)
		assert_int_equal(rec_a.cpu[0], to);
	xg_intr_unbind(s);
}

/* A send that read the old notify vCPU lands there after the rebind
 * returned (Xen does not order evtchn_send with EVTCHNOP_bind_vcpu):
 * it is handled, once, and the port keeps working. Found under real Xen
 * (rebind-while-flooding): the old CPU's scan skipped the port it no
 * longer owned, its selector bit was spent, the port stayed pending. */
static void test_rebind_late_send_to_old_cpu(void **state)
{
	struct xg_isrc *s;
	uint32_t p = connect_enabled(&rec_a, &s);
	unsigned from = s->cpu, to = 1 - s->cpu;

	(void)state;
	evh_as_cpu(&h, from);
	assert_int_equal(xg_intr_bind_cpu(s, to), 0);
	assert_int_equal(fx_evtchn_peer_send_via(h.peer, p, from), 0);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	assert_false(xg_evtchn_is_pending(&h.ev, s->port));
	fx_evtchn_peer_send(h.peer, p);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 2);
	assert_int_equal(rec_a.cpu[1], to);
	xg_intr_unbind(s);
}

/* The old owner serves only strays its new owner was not told about:
 * an event Xen delivered to the new owner stays the new owner's even
 * when the old one scans the same word first. */
static void test_rebind_old_cpu_leaves_owners_events(void **state)
{
	struct xg_isrc *s, *q;
	uint32_t p = connect_enabled(&rec_a, &s);
	uint32_t pq = connect_enabled(&rec_b, &q);
	unsigned from = q->cpu, to = 1 - q->cpu;

	(void)state;
	assert_int_equal(s->port / 64, q->port / 64); /* one 2L word */
	evh_as_cpu(&h, s->cpu);
	assert_int_equal(xg_intr_bind_cpu(s, from), 0);
	assert_int_equal(xg_intr_bind_cpu(s, to), 0); /* from -> to */
	fx_evtchn_peer_send(h.peer, p);  /* to `to` */
	fx_evtchn_peer_send(h.peer, pq); /* to `from`, same word */
	assert_true(evh_poll(&h, from));
	assert_int_equal(rec_b.n, 1);
	assert_int_equal(rec_a.n, 0); /* left for `to` */
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	assert_int_equal(rec_a.cpu[0], to);
	xg_intr_unbind(s);
	xg_intr_unbind(q);
}

static void test_masked_then_enable(void **state)
{
	struct xg_isrc *s;
	uint32_t pport = evh_connect(&h, "m", handler, &rec_a, 0, &s);
	unsigned long hc, raises;

	(void)state;
	assert_int_not_equal(pport, 0);
	fx_evtchn_peer_send(h.peer, pport);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 0); /* bound masked */
	assert_true(xg_evtchn_is_pending(&h.ev, s->port));
	evh_as_cpu(&h, s->cpu);
	hc = evh_hypercalls();
	raises = xg_hosted_upcall_raises();
	xg_intr_enable(s);
	if (abi == XG_EVTCHN_ABI_2L) {
		/* Own port: re-raised locally, no hypercall. */
		assert_int_equal(evh_hypercalls(), hc);
		assert_int_equal(xg_hosted_upcall_raises(), raises + 1);
	} else {
		assert_int_equal(evh_hypercalls(), hc + 1);
	}
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1); /* the two events coalesced */
	xg_intr_unbind(s);
}

static void test_unmask_from_other_cpu(void **state)
{
	struct xg_isrc *s;
	uint32_t p = connect_enabled(&rec_a, &s);
	unsigned long hc;

	(void)state;
	xg_intr_disable(s);
	fx_evtchn_peer_send(h.peer, p);
	evh_as_cpu(&h, 1 - s->cpu);
	hc = evh_hypercalls();
	xg_intr_enable(s);
	assert_int_equal(evh_hypercalls(), hc + 1); /* Xen re-delivers */
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	assert_int_equal(rec_a.cpu[0], s->cpu);
	xg_intr_unbind(s);
}

static void test_unmask_not_pending_is_free(void **state)
{
	struct xg_isrc *s;
	unsigned long hc;
	unsigned c;

	(void)state;
	connect_enabled(&rec_a, &s);
	for (c = 0; c < 2; c++) {
		evh_as_cpu(&h, c);
		xg_intr_disable(s);
		hc = evh_hypercalls();
		xg_intr_enable(s);
		assert_int_equal(evh_hypercalls(), hc);
	}
	xg_intr_unbind(s);
}

static void test_deferred_ithread(void **state)
{
	struct xg_isrc *s;
	uint32_t p = connect_enabled(&rec_a, &s);

	(void)state;
	rec_a.ret = XG_ISRC_DEFER;
	fx_evtchn_peer_send(h.peer, p);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	fx_evtchn_peer_send(h.peer, p); /* masked by pre_ithread */
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	rec_a.ret = XG_ISRC_HANDLED;
	xg_intr_post_filter(s);
	evh_as_cpu(&h, 0);
	xg_intr_post_ithread(s);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 2);
	xg_intr_unbind(s);
}

/* A port that is raised again from its own handler must not starve the
 * ports after it, nor the ones before it. */
static void test_fairness(void **state)
{
	struct xg_isrc *sa, *sb, *sc;
	uint32_t pa, pb, pc;
	unsigned i, first_b = 999, first_c = 999, a_before = 0;

	(void)state;
	pa = connect_enabled(&rec_a, &sa);
	pb = connect_enabled(&rec_b, &sb);
	pc = connect_enabled(&rec_c, &sc);
	/* All on CPU 0, so one upcall serves them. */
	xg_intr_bind_cpu(sa, 0);
	xg_intr_bind_cpu(sb, 0);
	xg_intr_bind_cpu(sc, 0);
	evh_drain(&h);
	rec_a.n = rec_b.n = rec_c.n = 0;
	norder = 0;
	rec_a.resend = pa;
	rec_a.budget = 1000;
	fx_evtchn_peer_send(h.peer, pa);
	fx_evtchn_peer_send(h.peer, pb);
	fx_evtchn_peer_send(h.peer, pc);
	evh_as_cpu(&h, 0);
	assert_true(evh_poll(&h, 0));
	for (i = 0; i < norder; i++) {
		if (order[i] == sb->port && first_b == 999)
			first_b = i;
		if (order[i] == sc->port && first_c == 999)
			first_c = i;
		if (order[i] == sa->port && (first_b == 999 || first_c == 999))
			a_before++;
	}
	assert_int_equal(rec_b.n, 1);
	assert_int_equal(rec_c.n, 1);
	assert_true(a_before <= 2);
	assert_int_equal(rec_a.n, 1001);
	(void)pc;
	(void)pb;
	xg_intr_unbind(sa);
	xg_intr_unbind(sb);
	xg_intr_unbind(sc);
}

static void test_virq_percpu_and_global(void **state)
{
	struct xg_isrc *t0, *t1, *g;

	(void)state;
	assert_int_equal(xg_intr_bind_virq(&h.ev, VIRQ_TIMER, 1, "timer",
					   handler, &rec_a, XG_INTR_ENABLE,
					   &t1), 0);
	assert_int_equal(xg_intr_bind_virq(&h.ev, VIRQ_TIMER, 0, "timer",
					   handler, &rec_b, XG_INTR_ENABLE,
					   &t0), 0);
	assert_int_equal(xg_intr_bind_virq(&h.ev, VIRQ_TIMER, 1, "timer",
					   handler, &rec_a, 0, &g), XG_EEXIST);
	assert_int_equal(xg_intr_bind_virq(&h.ev, VIRQ_CON_RING, 1, "con",
					   handler, &rec_c, 0, &g), XG_EINVAL);
	assert_int_equal(xg_intr_bind_virq(&h.ev, VIRQ_CON_RING, 0, "con",
					   handler, &rec_c, XG_INTR_ENABLE,
					   &g), 0);
	assert_ptr_equal(h.ecpus[1].virq_[VIRQ_TIMER], t1);
	assert_int_equal(fx_evtchn_inject_virq(h.d, 1, VIRQ_TIMER), 0);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	assert_int_equal(rec_a.cpu[0], 1);
	assert_int_equal(rec_b.n, 0);
	/* A per-CPU VIRQ cannot move; a global one can. */
	assert_int_equal(xg_intr_bind_cpu(t1, 0), XG_EINVAL);
	assert_int_equal(xg_intr_bind_cpu(g, 1), 0);
	fx_evtchn_inject_virq(h.d, 0, VIRQ_CON_RING);
	evh_drain(&h);
	assert_int_equal(rec_c.n, 1);
	assert_int_equal(rec_c.cpu[0], 1);
	xg_intr_unbind(t0);
	xg_intr_unbind(t1);
	xg_intr_unbind(g);
	assert_null(h.ecpus[0].virq_[VIRQ_CON_RING]);
}

static void test_ipi(void **state)
{
	struct xg_isrc *i1;

	(void)state;
	assert_int_equal(xg_intr_bind_ipi(&h.ev, 2, 1, "ipi", handler, &rec_a,
					  XG_INTR_ENABLE, &i1), 0);
	assert_int_equal(xg_intr_ipi_send(&h.ev, 1, 2), 0);
	assert_int_equal(xg_intr_ipi_send(&h.ev, 0, 2), XG_ENOENT);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	assert_int_equal(rec_a.cpu[0], 1);
	assert_int_equal(xg_intr_bind_cpu(i1, 0), XG_EINVAL);
	xg_intr_unbind(i1);
	assert_int_equal(xg_intr_ipi_send(&h.ev, 1, 2), XG_ENOENT);
}

static void test_pirq(void **state)
{
	struct xg_isrc *s;

	(void)state;
	assert_int_equal(xg_intr_bind_pirq(&h.ev, 5, "pirq", handler, &rec_a,
					   XG_INTR_ENABLE, &s), 0);
	assert_int_equal(xg_intr_bind_pirq(&h.ev, 5, "pirq", handler, &rec_a,
					   0, &s + 0), XG_EBUSY);
	fx_evtchn_inject_pirq(h.d, 5);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	/* An edge PIRQ needs no EOI. */
	assert_int_equal(fx_count(__HYPERVISOR_physdev_op, PHYSDEVOP_eoi), 0);
	xg_intr_unbind(s);
}

/* A level-triggered PIRQ gets PHYSDEVOP_eoi after the handler, or after
 * the deferred thread. */
static void test_pirq_level_eoi(void **state)
{
	struct xg_isrc *s;

	(void)state;
	assert_int_equal(xg_intr_bind_pirq(&h.ev, 20, "gsi", handler, &rec_a,
					   XG_INTR_ENABLE, &s), 0);
	fx_evtchn_inject_pirq(h.d, 20);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	assert_int_equal(fx_count(__HYPERVISOR_physdev_op, PHYSDEVOP_eoi), 1);
	rec_a.ret = XG_ISRC_DEFER;
	fx_evtchn_inject_pirq(h.d, 20);
	evh_drain(&h);
	assert_int_equal(fx_count(__HYPERVISOR_physdev_op, PHYSDEVOP_eoi), 1);
	rec_a.ret = XG_ISRC_HANDLED;
	xg_intr_post_ithread(s);
	assert_int_equal(fx_count(__HYPERVISOR_physdev_op, PHYSDEVOP_eoi), 2);
	xg_intr_unbind(s);
}

static void test_stray_counted(void **state)
{
	uint32_t pport, port;

	(void)state;
	assert_int_equal(fx_evtchn_peer_alloc_unbound(h.peer, 1, &pport), 0);
	assert_int_equal(xg_evtchn_bind_interdomain(&h.ev, 0, pport, &port), 0);
	xg_evtchn_unmask(&h.ev, port);
	evh_drain(&h);
	fx_evtchn_peer_send(h.peer, pport);
	evh_drain(&h);
	assert_true(xg_evtchn_stray_events(&h.ev) >= 2);
	assert_int_equal(xg_evtchn_close(&h.ev, port), 0);
}

static void test_local_port_and_status(void **state)
{
	struct xg_evtchn_status st;
	struct xg_isrc *s;
	uint32_t port, pport;

	(void)state;
	assert_int_equal(fx_evtchn_peer_alloc_unbound(h.peer, 1, &pport), 0);
	assert_int_equal(xg_evtchn_alloc_unbound(&h.ev, 0, &port), 0);
	assert_int_equal(xg_evtchn_status(&h.ev, port, &st), 0);
	assert_int_equal(st.state, EVTCHNSTAT_unbound);
	assert_int_equal(st.a, 0);
	assert_int_equal(xg_intr_bind_port(&h.ev, port, "xs", handler, &rec_a,
					   XG_INTR_ENABLE | XG_INTR_NOCLOSE,
					   &s), 0);
	assert_int_equal(s->type, XG_ISRC_LOCAL);
	assert_string_equal(s->name, "xs");
	xg_intr_describe(s, "xenstore-event-channel-long-name");
	assert_string_equal(s->name, "xenstore-event-channel-");
	assert_ptr_equal(xg_intr_lookup(&h.ev, port), s);
	assert_int_equal(xg_intr_bind_port(&h.ev, port, "xs", handler, &rec_a,
					   0, &s + 0), XG_EEXIST);
	xg_intr_unbind(s);
	assert_null(xg_intr_lookup(&h.ev, port));
	/* NOCLOSE: the port is still open. */
	assert_int_equal(fx_evtchn_port_state(h.d, port), EVTCHNSTAT_unbound);
	assert_int_equal(xg_evtchn_close(&h.ev, port), 0);
	assert_int_equal(xg_evtchn_status(&h.ev, port, &st), 0);
	assert_int_equal(st.state, EVTCHNSTAT_closed);
	fx_evtchn_peer_close(h.peer, pport);
}

static void test_bind_failures_leave_nothing(void **state)
{
	struct xg_isrc *s;
	uint32_t pport;

	(void)state;
	assert_int_equal(fx_evtchn_peer_alloc_unbound(h.peer, 1, &pport), 0);
	xg_hosted_fail_isrc_after(0);
	assert_int_equal(xg_intr_bind_interdomain(&h.ev, 0, pport, "f", handler,
						  &rec_a, 0, &s), XG_ENOMEM);
	assert_int_equal(fx_evtchn_ports_in_use(h.d), 0);
	assert_int_equal(xg_intr_bind_interdomain(&h.ev, 0, 4000, "f", handler,
						  &rec_a, 0, &s), XG_EINVAL);
	assert_int_equal(xg_intr_bind_interdomain(&h.ev, 0, pport, "f", NULL,
						  &rec_a, 0, &s), XG_EINVAL);
	fx_fail_nth(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, 1,
		    28);
	assert_int_equal(xg_intr_bind_interdomain(&h.ev, 0, pport, "f", handler,
						  &rec_a, 0, &s), XG_ENOSPC);
	fx_evtchn_peer_close(h.peer, pport);
}

static void test_lateeoi_backoff(void **state)
{
	struct xg_isrc *s;
	uint32_t p;
	unsigned i;
	unsigned long kicks;

	(void)state;
	p = evh_connect(&h, "be", handler, &rec_a, XG_INTR_LATEEOI, &s);
	xg_intr_enable(s);
	evh_drain(&h);
	for (i = 0; i < 8; i++) {
		xg_intr_eoi(s, true); /* tolerated: unmask at once */
		fx_evtchn_peer_send(h.peer, p);
		evh_drain(&h);
	}
	assert_int_equal(rec_a.n, 9);
	kicks = xg_hosted_worker_kicks();
	xg_intr_eoi(s, true); /* 9th spurious in a row: back off */
	assert_int_equal(xg_hosted_worker_kicks(), kicks + 1);
	assert_int_equal(xg_hosted_worker_last_delay(), 1000000);
	fx_evtchn_peer_send(h.peer, p);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 9); /* still masked */
	xg_xen_run_work(&h.xen);      /* not due yet */
	evh_drain(&h);
	assert_int_equal(rec_a.n, 9);
	{
		uint64_t t = xg_port_time_ns() + 1500000;

		while (xg_port_time_ns() < t)
			;
	}
	xg_xen_run_work(&h.xen);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 10);
	xg_intr_eoi(s, false);
	assert_int_equal(s->spurious_, 0);
	xg_intr_unbind(s);
}

static void test_percpu_init_config(void **state)
{
	struct xg_evtchn_config cfg = {
		.percpu_virqs = 1u << VIRQ_TIMER,
		.virq_handler = handler, .virq_arg = &rec_a,
		.nr_ipis = 2, .ipi_handler = handler, .ipi_arg = &rec_b,
	};

	(void)state;
	evh_down(&h);
	assert_true(xg_hosted_check_balanced());
	assert_int_equal(evh_up(&h, 2, abi, &cfg), 0);
	assert_non_null(h.ecpus[1].virq_[VIRQ_TIMER]);
	assert_non_null(h.ecpus[1].ipi_[1]);
	assert_int_equal(fx_evtchn_upcall_vector(h.d, 1), 0xf3);
	assert_int_equal(h.d->hvm_param[HVM_PARAM_CALLBACK_IRQ],
			 (2ull << 56) | 0xf3);
	assert_int_equal(xg_intr_cpu_init(&h.ev), 0); /* idempotent */
	fx_evtchn_inject_virq(h.d, 1, VIRQ_TIMER);
	xg_intr_ipi_send(&h.ev, 0, 1);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	assert_int_equal(rec_a.cpu[0], 1);
	assert_int_equal(rec_b.n, 1);
	assert_int_equal(rec_b.cpu[0], 0);
}

/* Bind/unbind cycles return everything: host objects, pages, ports. */
static void test_bind_unbind_cycles(void **state)
{
	const char *env = getenv("XG_EVTCHN_CYCLES");
	unsigned long n = env ? strtoul(env, NULL, 0) : 1000000ul, i;
	uint32_t pport;
	long pages;

	(void)state;
	assert_int_equal(fx_evtchn_peer_alloc_unbound(h.peer, 1, &pport), 0);
	pages = -1;
	for (i = 0; i < n; i++) {
		struct xg_isrc *s;
		int rc = xg_intr_bind_interdomain(&h.ev, 0, pport, "c", handler,
						  &rec_a, XG_INTR_ENABLE, &s);

		if (rc != 0)
			fail_msg("cycle %lu: bind %d", i, rc);
		if (xg_intr_unbind(s) != 0)
			fail_msg("cycle %lu: unbind", i);
		/* The first cycle allocates the table leaf, kept till fini. */
		if (i == 0)
			pages = xg_hosted_pages_outstanding();
		/* Xen made the peer's port unbound again: reuse it. */
	}
	/* Each cycle really went to Xen: bind and close. */
	assert_true(fx_count(__HYPERVISOR_event_channel_op,
			     EVTCHNOP_bind_interdomain) >= n);
	assert_true(fx_count(__HYPERVISOR_event_channel_op,
			     EVTCHNOP_close) >= n);
	fprintf(stderr, "  %lu bind/unbind cycles\n", n);
	assert_int_equal(xg_hosted_pages_outstanding(), pages);
	assert_int_equal(xg_hosted_isrcs_outstanding(), 0);
	assert_int_equal(xg_hosted_locks_held(), 0);
	assert_int_equal(fx_evtchn_ports_in_use(h.d), 0);
	fx_evtchn_peer_close(h.peer, pport);
}

static void test_reset(void **state)
{
	struct xg_isrc *s;
	uint32_t port;

	(void)state;
	connect_enabled(&rec_a, &s);
	assert_int_equal(xg_evtchn_reset(&h.ev), XG_EBUSY);
	xg_intr_unbind(s);
	assert_int_equal(xg_evtchn_alloc_unbound(&h.ev, 0, &port), 0);
	assert_int_equal(xg_evtchn_reset(&h.ev), 0);
	assert_int_equal(h.ev.abi, XG_EVTCHN_ABI_2L);
	assert_int_equal(fx_evtchn_ports_in_use(h.d), 0);
	assert_false(fx_evtchn_is_fifo(h.d));
}

static void test_resume(void **state)
{
	struct xg_evtchn_config cfg = {
		.percpu_virqs = 1u << VIRQ_TIMER,
		.virq_handler = handler, .virq_arg = &rec_a,
		.nr_ipis = 1, .ipi_handler = handler, .ipi_arg = &rec_b,
	};
	struct xg_isrc *dead, *g, *t1;
	uint32_t old_port, close_before;
	unsigned in_use;

	(void)state;
	evh_down(&h);
	assert_int_equal(evh_up(&h, 2, abi, &cfg), 0);
	connect_enabled(&rec_c, &dead);
	assert_int_equal(xg_intr_bind_virq(&h.ev, VIRQ_CON_RING, 0, "con",
					   handler, &rec_c, 0, &g), 0);
	assert_int_equal(xg_intr_bind_cpu(g, 1), 0);
	t1 = h.ecpus[1].virq_[VIRQ_TIMER];
	old_port = t1->port;
	in_use = fx_evtchn_ports_in_use(h.d);

	fx_evtchn_restore(h.d);
	assert_int_equal(fx_evtchn_ports_in_use(h.d), 0);
	assert_int_equal(xg_intr_resume(&h.ev), 0);
	assert_int_equal(h.ev.abi, abi);
	assert_int_equal(fx_evtchn_is_fifo(h.d), abi == XG_EVTCHN_ABI_FIFO);
	assert_int_equal(fx_evtchn_upcall_vector(h.d, 1), 0xf3);
	/* Same objects, new ports, all but the dead one bound again. */
	assert_ptr_equal(h.ecpus[1].virq_[VIRQ_TIMER], t1);
	assert_ptr_equal(xg_intr_lookup(&h.ev, t1->port), t1);
	assert_int_equal(fx_evtchn_ports_in_use(h.d), in_use - 1);
	assert_int_equal(fx_evtchn_port_vcpu(h.d, g->port), 1);
	(void)old_port;

	fx_evtchn_inject_virq(h.d, 1, VIRQ_TIMER);
	xg_intr_ipi_send(&h.ev, 0, 0);
	fx_evtchn_inject_virq(h.d, 0, VIRQ_CON_RING);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	assert_int_equal(rec_a.cpu[0], 1);
	assert_int_equal(rec_b.n, 1);
	assert_int_equal(rec_c.n, 0); /* the global VIRQ was bound masked */
	xg_intr_enable(g);
	fx_evtchn_inject_virq(h.d, 0, VIRQ_CON_RING);
	evh_drain(&h);
	assert_int_equal(rec_c.n, 1);
	assert_int_equal(rec_c.cpu[0], 1);

	/* The dead source goes without closing anyone's port. */
	close_before = (uint32_t)fx_count(__HYPERVISOR_event_channel_op,
					  EVTCHNOP_close);
	assert_int_equal(xg_intr_unbind(dead), 0);
	assert_int_equal(fx_count(__HYPERVISOR_event_channel_op,
				  EVTCHNOP_close), close_before);
	assert_int_equal(fx_evtchn_ports_in_use(h.d), in_use - 1);
	xg_intr_unbind(g);
}

/* ---- FIFO only --------------------------------------------------------- */

/* The peer raises @lo's port, then @hi's: @hi must be served first
 * (FIFO priority, or the 2-level cursor). Unbinds both. */
static void expect_high_first(uint32_t plo, struct xg_isrc *lo, uint32_t phi,
			      struct xg_isrc *hi)
{
	norder = 0;
	fx_evtchn_peer_send(h.peer, plo);
	fx_evtchn_peer_send(h.peer, phi);
	evh_drain(&h);
	assert_int_equal(norder, 2);
	assert_int_equal(order[0], hi->port);
	assert_int_equal(order[1], lo->port);
	xg_intr_unbind(lo);
	xg_intr_unbind(hi);
}

static void test_fifo_priorities(void **state)
{
	struct xg_isrc *lo, *hi;
	uint32_t plo, phi;

	(void)state;
	plo = connect_enabled(&rec_a, &lo);
	phi = connect_enabled(&rec_b, &hi);
	xg_intr_bind_cpu(lo, 0);
	xg_intr_bind_cpu(hi, 0);
	assert_int_equal(xg_evtchn_set_priority(&h.ev, lo->port, 15), 0);
	assert_int_equal(xg_evtchn_set_priority(&h.ev, hi->port, 0), 0);
	assert_int_equal(xg_evtchn_set_priority(&h.ev, hi->port, 16),
			 XG_EINVAL);
	assert_int_equal(fx_evtchn_port_priority(h.d, hi->port), 0);
	expect_high_first(plo, lo, phi, hi);
}

static void test_fifo_array_growth(void **state)
{
	static struct xg_isrc *s[1100];
	static uint32_t pp[1100];
	unsigned i;

	(void)state;
	assert_int_equal(fx_evtchn_fifo_pages(h.d), 1);
	for (i = 0; i < 1100; i++) {
		assert_int_equal(fx_evtchn_peer_alloc_unbound(h.peer, 1,
							      &pp[i]), 0);
		assert_int_equal(xg_intr_bind_interdomain(&h.ev, 0, pp[i], "g",
							  handler, &rec_a,
							  XG_INTR_ENABLE,
							  &s[i]), 0);
	}
	assert_int_equal(fx_evtchn_fifo_pages(h.d), 2);
	assert_true(h.ev.nr_ports >= 2048);
	evh_drain(&h);
	rec_a.n = 0;
	fx_evtchn_peer_send(h.peer, pp[1099]);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	assert_true(rec_a.port[0] > 1024);
	for (i = 0; i < 1100; i++)
		xg_intr_unbind(s[i]);
	assert_int_equal(h.ev.leaves_, 3);
}

/* Shared memory is hostile: a HEAD beyond the event array, and a LINK
 * cycle, end the walk; nothing is dispatched twice or out of range. */
static void test_fifo_hostile_queue(void **state)
{
	struct evtchn_fifo_control_block *cb = h.ecpus[0].fifo_cb_;
	uint32_t *words = h.ev.fifo_pages_[0];
	struct vcpu_info *vi = h.cpus[0].vcpu_info;
	const uint32_t p = 1u << EVTCHN_FIFO_PENDING,
		       l = 1u << EVTCHN_FIFO_LINKED;

	(void)state;
	evh_as_cpu(&h, 0);
	cb->head[3] = 200000; /* beyond the array */
	cb->ready = 1u << 3;
	vi->evtchn_upcall_pending = 1;
	xg_evtchn_upcall(&h.ev);
	assert_int_equal(xg_evtchn_stray_events(&h.ev), 0);
	assert_int_equal(h.ecpus[0].fifo_head_[3], 0);

	/* 5 -> 6 -> 5: each unlink clears LINK, so the walk ends. */
	words[5] = p | l | 6;
	words[6] = p | l | 5;
	cb->head[4] = 5;
	cb->ready = 1u << 4;
	vi->evtchn_upcall_pending = 1;
	xg_evtchn_upcall(&h.ev);
	assert_int_equal(xg_evtchn_stray_events(&h.ev), 2);
	assert_int_equal(words[5] & (p | l), 0);
	assert_int_equal(words[6] & (p | l), 0);
	assert_int_equal(vi->evtchn_upcall_pending, 0);
}

/* A resume onto a Xen without FIFO: the instance falls back to 2-level
 * and its per-CPU sources still work. */
static void test_fifo_resume_refused(void **state)
{
	struct xg_evtchn_config cfg = {
		.percpu_virqs = 1u << VIRQ_TIMER,
		.virq_handler = handler, .virq_arg = &rec_a,
	};
	long pages;

	(void)state;
	evh_down(&h);
	assert_int_equal(evh_up(&h, 2, abi, &cfg), 0);
	pages = xg_hosted_pages_outstanding();
	fx_evtchn_restore(h.d);
	fx_evtchn_set_fifo_available(false);
	assert_int_equal(xg_intr_resume(&h.ev), 0);
	assert_int_equal(h.ev.abi, XG_EVTCHN_ABI_2L);
	assert_false(fx_evtchn_is_fifo(h.d));
	/* The control blocks and the event array page went back. */
	assert_int_equal(xg_hosted_pages_outstanding(), pages - 3);
	fx_evtchn_inject_virq(h.d, 1, VIRQ_TIMER);
	evh_drain(&h);
	assert_int_equal(rec_a.n, 1);
	assert_int_equal(rec_a.cpu[0], 1);
	fx_evtchn_set_fifo_available(true);
}

static void test_fifo_fallback(void **state)
{
	(void)state;
	evh_down(&h);
	fx_reset();
	fx_evtchn_install();
	xg_hosted_reset();
	xg_hosted_set_cpu_count(1);
	h.d = fx_domain_create(1, 1);
	h.peer = fx_domain_create(0, 1);
	fx_enter(h.d, 0);
	fx_evtchn_set_fifo_available(false);
	h.ncpus = 1;
	assert_int_equal(xg_xen_init(&h.xen, h.cpus, 1, NULL), 0);
	assert_int_equal(xg_evtchn_init(&h.ev, &h.xen, h.ecpus, NULL), 0);
	assert_int_equal(h.ev.abi, XG_EVTCHN_ABI_2L);
	xg_evtchn_fini(&h.ev);
	{
		struct xg_evtchn_config cfg = { .abi = XG_EVTCHN_ABI_FIFO };

		assert_int_equal(xg_evtchn_init(&h.ev, &h.xen, h.ecpus, &cfg),
				 XG_ENOSYS);
	}
	fx_evtchn_set_fifo_available(true);
	assert_int_equal(xg_evtchn_init(&h.ev, &h.xen, h.ecpus, NULL), 0);
	assert_int_equal(h.ev.abi, XG_EVTCHN_ABI_FIFO);
	/* evh_down in teardown frees it. */
}

/* The scan resumes after the last port served: with the low port just
 * served, a higher pending port goes first next time. */
static void test_2l_cursor_resumes(void **state)
{
	struct xg_isrc *lo, *hi;
	uint32_t plo, phi;

	(void)state;
	plo = connect_enabled(&rec_a, &lo);
	phi = connect_enabled(&rec_b, &hi);
	xg_intr_bind_cpu(lo, 0);
	xg_intr_bind_cpu(hi, 0);
	assert_true(lo->port < hi->port);
	assert_true(lo->port / 64 == hi->port / 64);
	fx_evtchn_peer_send(h.peer, plo);
	evh_drain(&h);
	assert_int_equal(h.ecpus[0].cursor_, lo->port + 1);
	expect_high_first(plo, lo, phi, hi);
}

static void test_2l_priority_unsupported(void **state)
{
	(void)state;
	assert_int_equal(xg_evtchn_set_priority(&h.ev, 1, 3), XG_EOPNOTSUPP);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

static int use_2l(void **state)
{
	(void)state;
	abi = XG_EVTCHN_ABI_2L;
	return 0;
}

static int use_fifo(void **state)
{
	(void)state;
	abi = XG_EVTCHN_ABI_FIFO;
	return 0;
}

int main(void)
{
	const struct CMUnitTest common[] = {
		T(test_deliver_zero_hypercalls),
		T(test_round_robin_and_rebind),
		T(test_rebind_pending_not_lost),
		T(test_rebind_late_send_to_old_cpu),
		T(test_rebind_old_cpu_leaves_owners_events),
		T(test_masked_then_enable),
		T(test_unmask_from_other_cpu),
		T(test_unmask_not_pending_is_free),
		T(test_deferred_ithread),
		T(test_fairness),
		T(test_virq_percpu_and_global),
		T(test_ipi),
		T(test_pirq),
		T(test_pirq_level_eoi),
		T(test_stray_counted),
		T(test_local_port_and_status),
		T(test_bind_failures_leave_nothing),
		T(test_lateeoi_backoff),
		T(test_percpu_init_config),
		T(test_bind_unbind_cycles),
		T(test_reset),
		T(test_resume),
	};
	const struct CMUnitTest only_fifo[] = {
		T(test_fifo_priorities),
		T(test_fifo_array_growth),
		T(test_fifo_fallback),
		T(test_fifo_resume_refused),
		T(test_fifo_hostile_queue),
	};
	const struct CMUnitTest only_2l[] = {
		T(test_2l_priority_unsupported),
		T(test_2l_cursor_resumes),
	};
	int rc = 0;

	xg_hosted_set_log_level(XG_LOG_ERR);
	rc |= cmocka_run_group_tests_name("2l", common, use_2l, NULL);
	rc |= cmocka_run_group_tests_name("2l-only", only_2l, use_2l, NULL);
	rc |= cmocka_run_group_tests_name("fifo", common, use_fifo, NULL);
	rc |= cmocka_run_group_tests_name("fifo-only", only_fifo, use_fifo,
					  NULL);
	return rc;
}

