/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Multi-threaded stress on the fake hypervisor, for both ABIs: four vCPU
 * threads take upcalls while, between upcalls, CPU 0 moves ports between
 * CPUs, CPU 1 masks and unmasks them, and CPU 2 binds, signals and
 * unbinds other sources (unbind during delivery); a peer thread sends.
 *
 * Exactly-once check: the peer sends on a port only after the previous
 * event on it was handled, so every send must produce exactly one
 * handler call: a second call is a duplicate, a send never handled
 * (within 10 s after the run) is lost. FIFO may see a rare spurious
 * re-raise that Xen itself makes (see the assertion). Run it under
 * ThreadSanitizer.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ev_harness.h"

#define NCPU 4
#define NPORTS 16
#define NCHURN 4

static struct evh h;
static unsigned abi;
static int stop_cpus, stop_peer;

struct port_state {
	struct xg_isrc *isrc;
	uint32_t peer_port;
	int outstanding;      /* 1 between a send and its handler */
	unsigned long sent, handled, dups;
};

static struct port_state ports[NPORTS];
static uint32_t churn_peer[NCHURN];
static unsigned long churn_handled, churn_cycles;

static int exact_handler(struct xg_isrc *isrc, void *arg)
{
	struct port_state *p = arg;

	(void)isrc;
	if (__atomic_exchange_n(&p->outstanding, 0, __ATOMIC_ACQ_REL) != 1)
		__atomic_fetch_add(&p->dups, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&p->handled, 1, __ATOMIC_RELAXED);
	return XG_ISRC_HANDLED;
}

static int churn_handler(struct xg_isrc *isrc, void *arg)
{
	(void)isrc, (void)arg;
	__atomic_fetch_add(&churn_handled, 1, __ATOMIC_RELAXED);
	return XG_ISRC_HANDLED;
}

static unsigned rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static void cpu_chore(unsigned cpu, unsigned *seed)
{
	struct port_state *p = &ports[rnd(seed) % NPORTS];

	switch (cpu) {
	case 0:
		(void)xg_intr_bind_cpu(p->isrc, rnd(seed) % NCPU);
		break;
	case 1:
		xg_intr_disable(p->isrc);
		sched_yield();
		xg_intr_enable(p->isrc);
		break;
	case 2: {
		unsigned i = rnd(seed) % NCHURN;
		struct xg_isrc *s;

		if (xg_intr_bind_interdomain(&h.ev, 0, churn_peer[i], "churn",
					     churn_handler, NULL,
					     XG_INTR_ENABLE, &s) == 0) {
			fx_evtchn_peer_send(h.peer, churn_peer[i]);
			sched_yield();
			xg_intr_unbind(s);
			churn_cycles++;
		}
		break;
	}
	default:
		break;
	}
}

static void *vcpu_main(void *arg)
{
	unsigned cpu = (unsigned)(uintptr_t)arg, seed = cpu * 7919u + 1, n = 0;

	evh_as_cpu(&h, cpu);
	while (!__atomic_load_n(&stop_cpus, __ATOMIC_ACQUIRE)) {
		if (fx_evtchn_vcpu_should_upcall(h.d, cpu,
						 xg_hosted_irq_depth()))
			xg_evtchn_upcall(&h.ev);
		if (!__atomic_load_n(&stop_peer, __ATOMIC_ACQUIRE) &&
		    (++n & 7) == 0)
			cpu_chore(cpu, &seed);
		else
			sched_yield();
	}
	return NULL;
}

static void *peer_main(void *arg)
{
	unsigned i;

	(void)arg;
	fx_enter(h.peer, 0);
	while (!__atomic_load_n(&stop_peer, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < NPORTS; i++) {
			struct port_state *p = &ports[i];

			if (__atomic_load_n(&p->outstanding, __ATOMIC_ACQUIRE))
				continue;
			__atomic_store_n(&p->outstanding, 1, __ATOMIC_RELEASE);
			__atomic_fetch_add(&p->sent, 1, __ATOMIC_RELAXED);
			fx_evtchn_peer_send(h.peer, p->peer_port);
		}
		sched_yield();
	}
	return NULL;
}

static bool all_handled(void)
{
	unsigned i;

	for (i = 0; i < NPORTS; i++)
		if (__atomic_load_n(&ports[i].outstanding, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void run_stress(void **state)
{
	const char *env = getenv("XG_STRESS_MS");
	unsigned ms = env ? (unsigned)atoi(env) : 1500, i, waited = 0;
	pthread_t cpu_t[NCPU], peer_t;
	unsigned long sent = 0, handled = 0, dups = 0;

	(void)state;
	memset(ports, 0, sizeof(ports));
	stop_cpus = stop_peer = 0;
	churn_handled = churn_cycles = 0;
	assert_int_equal(evh_up(&h, NCPU, abi, NULL), 0);
	for (i = 0; i < NPORTS; i++) {
		struct port_state *p = &ports[i];

		p->peer_port = evh_connect(&h, "stress", exact_handler, p, 0,
					   &p->isrc);
		assert_int_not_equal(p->peer_port, 0);
		/* Drop the event Xen raises at bind time: it has no send. */
		xg_evtchn_clear(&h.ev, p->isrc->port);
		xg_intr_enable(p->isrc);
	}
	for (i = 0; i < NCHURN; i++)
		assert_int_equal(fx_evtchn_peer_alloc_unbound(
					 h.peer, 1, &churn_peer[i]), 0);
	evh_drain(&h);

	for (i = 0; i < NCPU; i++)
		pthread_create(&cpu_t[i], NULL, vcpu_main,
			       (void *)(uintptr_t)i);
	pthread_create(&peer_t, NULL, peer_main, NULL);
	sleep_ms(ms);
	__atomic_store_n(&stop_peer, 1, __ATOMIC_RELEASE);
	pthread_join(peer_t, NULL);
	while (!all_handled() && waited < 10000) {
		sleep_ms(10);
		waited += 10;
	}
	__atomic_store_n(&stop_cpus, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NCPU; i++)
		pthread_join(cpu_t[i], NULL);

	for (i = 0; i < NPORTS; i++) {
		sent += ports[i].sent;
		handled += ports[i].handled;
		dups += ports[i].dups;
		if (ports[i].outstanding) {
			fprintf(stderr, "port %u (guest %u): event lost\n", i,
				ports[i].isrc->port);
			fx_evtchn_debug_port(h.d, ports[i].isrc->port);
			fprintf(stderr, "  local heads:");
			for (unsigned c = 0; c < NCPU; c++)
				fprintf(stderr, " %u",
					h.ecpus[c].fifo_head_[7]);
			fprintf(stderr, "\n");
		}
	}
	fprintf(stderr, "  %s: %lu sent, %lu handled, %lu duplicates, "
		"%lu churn cycles (%lu churn events), %lu stray\n",
		abi == XG_EVTCHN_ABI_FIFO ? "fifo" : "2l", sent, handled, dups,
		churn_cycles, churn_handled,
		(unsigned long)xg_evtchn_stray_events(&h.ev));
	assert_true(all_handled());
	assert_int_equal(handled, sent + dups);
	/* 2-level: exactly once. FIFO: Xen's EVTCHNOP_unmask clears MASKED,
	 * tests PENDING and then sets PENDING again while linking, so an
	 * unmask that races with the owner consuming the event re-raises it
	 * once (a spurious event, which the ABI allows; the fake follows
	 * Xen). The library adds none of its own. */
	if (abi == XG_EVTCHN_ABI_2L)
		assert_int_equal(dups, 0);
	else
		assert_true(dups <= sent / 10000 + 2);
	assert_true(sent > 100);
	assert_true(churn_cycles > 0);

	evh_as_cpu(&h, 0);
	for (i = 0; i < NPORTS; i++) {
		assert_int_equal(xg_intr_unbind(ports[i].isrc), 0);
		fx_evtchn_peer_close(h.peer, ports[i].peer_port);
	}
	for (i = 0; i < NCHURN; i++)
		fx_evtchn_peer_close(h.peer, churn_peer[i]);
	evh_down(&h);
	assert_int_equal(fx_evtchn_ports_in_use(h.d), 0);
	assert_true(xg_hosted_check_balanced());
}

static void test_stress_2l(void **state)
{
	abi = XG_EVTCHN_ABI_2L;
	run_stress(state);
}

static void test_stress_fifo(void **state)
{
	abi = XG_EVTCHN_ABI_FIFO;
	run_stress(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress_2l),
		cmocka_unit_test(test_stress_fifo),
	};

	xg_hosted_set_log_level(XG_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
