/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Strict mocks: every event-channel operation makes exactly the expected
 * hypercalls with exactly the expected argument structures, and none
 * where none is due (an unexpected hypercall fails the test).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/xg_abi.h"
#include <xenguest/core.h>
#include <xenguest/error.h>
#include <xenguest/evtchn.h>
#include <xenguest/intr.h>

#include "mock/mock_xen.h"
#include "xg_hosted.h"

static struct xg_xen xen;
static struct xg_cpu cpus[2];
static struct xg_evtchn ev;
static struct xg_evtchn_cpu ecpus[2];
static struct shared_info *si;
static struct vcpu_info *vi;

/* An argument structure compared byte for byte over its first n bytes,
 * except a padding hole (pad bytes from pad_off) that compilers need not
 * initialise (clang leaves it as it was on the stack). */
struct want {
	const void *p;
	size_t n;
	size_t pad_off, pad;
};

static int same_struct(const LargestIntegralType value,
		       const LargestIntegralType data)
{
	const struct want *w = (const void *)(uintptr_t)data;
	const char *got = (const void *)(uintptr_t)value, *exp = w->p;

	if (w->pad == 0)
		return memcmp(got, exp, w->n) == 0;
	return memcmp(got, exp, w->pad_off) == 0 &&
	       memcmp(got + w->pad_off + w->pad, exp + w->pad_off + w->pad,
		      w->n - w->pad_off - w->pad) == 0;
}

/* domid_t first, then a 32-bit field: two bytes of padding at 2. */
#define DOMID_PAD 2, 2

#define EXPECT_EVTCHN(cmd, want_ptr, effect, rc) \
	expect_hc_fx(__HYPERVISOR_event_channel_op, (cmd), same_struct, \
		     (uintptr_t)(want_ptr), 0, (effect), (rc))

static uint32_t next_port;
static void give_port_at(unsigned long a2, size_t off)
{
	memcpy((char *)(uintptr_t)a2 + off, &next_port, sizeof(next_port));
}

static void give_alloc_port(unsigned long a1, unsigned long a2,
			    unsigned long a3)
{
	(void)a1, (void)a3;
	give_port_at(a2, offsetof(struct evtchn_alloc_unbound, port));
}

static void give_interdomain_port(unsigned long a1, unsigned long a2,
				  unsigned long a3)
{
	(void)a1, (void)a3;
	give_port_at(a2, offsetof(struct evtchn_bind_interdomain, local_port));
}

static void give_virq_port(unsigned long a1, unsigned long a2, unsigned long a3)
{
	(void)a1, (void)a3;
	give_port_at(a2, offsetof(struct evtchn_bind_virq, port));
}

static void give_ipi_port(unsigned long a1, unsigned long a2, unsigned long a3)
{
	(void)a1, (void)a3;
	give_port_at(a2, offsetof(struct evtchn_bind_ipi, port));
}

static void give_pirq_port(unsigned long a1, unsigned long a2, unsigned long a3)
{
	(void)a1, (void)a3;
	give_port_at(a2, offsetof(struct evtchn_bind_pirq, port));
}

static void give_status(unsigned long a1, unsigned long a2, unsigned long a3)
{
	struct evtchn_status *s = (void *)(uintptr_t)a2;

	(void)a1, (void)a3;
	s->status = EVTCHNSTAT_interdomain;
	s->vcpu = 1;
	s->u.interdomain.dom = 4;
	s->u.interdomain.port = 99;
}

static bool masked(uint32_t port)
{
	return (si->evtchn_mask[port / 64] >> (port % 64)) & 1;
}

static int setup(void **state)
{
	struct xg_evtchn_config cfg = { .abi = XG_EVTCHN_ABI_2L };
	unsigned i;

	(void)state;
	xg_hosted_reset();
	xg_hosted_set_cpu_count(2);
	si = aligned_alloc(4096, 4096);
	vi = aligned_alloc(64, 2 * sizeof(*vi));
	memset(si, 0, 4096);
	memset(vi, 0, 2 * sizeof(*vi));
	memset(&xen, 0, sizeof(xen));
	xen.shared_info = si;
	xen.cpus = cpus;
	xen.ncpus = 2;
	xen.vcpu_info_pages = vi; /* registered: cpu_init skips it */
	for (i = 0; i < 2; i++)
		cpus[i] = (struct xg_cpu){ .vcpu_id = 10 + i,
					   .vcpu_info = &vi[i],
					   .online = true };
	/* 2-level forced: no hypercall at init. */
	assert_int_equal(xg_evtchn_init(&ev, &xen, ecpus, &cfg), 0);
	assert_true(masked(1) && masked(4095));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	xg_evtchn_fini(&ev);
	free(si);
	free(vi);
	assert_true(xg_hosted_check_balanced());
	return 0;
}

static void test_alloc_unbound(void **state)
{
	struct evtchn_alloc_unbound want = { .dom = DOMID_SELF,
					     .remote_dom = 5 };
	struct want w = { &want, offsetof(struct evtchn_alloc_unbound, port),
			  0, 0 };
	uint32_t port = 0;

	(void)state;
	si->evtchn_mask[0] = 0; /* a port Xen left unmasked */
	next_port = 7;
	EXPECT_EVTCHN(EVTCHNOP_alloc_unbound, &w, give_alloc_port, 0);
	assert_int_equal(xg_evtchn_alloc_unbound(&ev, 5, &port), 0);
	assert_int_equal(port, 7);
	assert_true(masked(7));
	assert_true(ecpus[0].own_[0] & (1u << 7));
	EXPECT_EVTCHN(EVTCHNOP_alloc_unbound, &w, NULL, XG_ENOSPC);
	assert_int_equal(xg_evtchn_alloc_unbound(&ev, 5, &port), XG_ENOSPC);
}

static void test_bind_interdomain_and_close(void **state)
{
	struct evtchn_bind_interdomain want = { .remote_dom = 3,
						.remote_port = 44 };
	struct want w = { &want, offsetof(struct evtchn_bind_interdomain,
					  local_port), DOMID_PAD };
	struct evtchn_close cl = { .port = 9 };
	struct want wc = { &cl, sizeof(cl), 0, 0 };
	uint32_t port = 0;

	(void)state;
	next_port = 9;
	EXPECT_EVTCHN(EVTCHNOP_bind_interdomain, &w, give_interdomain_port, 0);
	assert_int_equal(xg_evtchn_bind_interdomain(&ev, 3, 44, &port), 0);
	assert_int_equal(port, 9);
	EXPECT_EVTCHN(EVTCHNOP_close, &wc, NULL, 0);
	assert_int_equal(xg_evtchn_close(&ev, 9), 0);
	assert_false(ecpus[0].own_[0] & (1u << 9));
	assert_true(masked(9));
}

static void test_bind_virq_ipi_pirq(void **state)
{
	struct evtchn_bind_virq v = { .virq = VIRQ_TIMER, .vcpu = 11 };
	struct want wv = { &v, offsetof(struct evtchn_bind_virq, port), 0, 0 };
	struct evtchn_bind_ipi ip = { .vcpu = 11 };
	struct want wi = { &ip, offsetof(struct evtchn_bind_ipi, port), 0, 0 };
	struct evtchn_bind_pirq pq = { .pirq = 33,
				       .flags = BIND_PIRQ__WILL_SHARE };
	struct want wp = { &pq, offsetof(struct evtchn_bind_pirq, port), 0, 0 };
	uint32_t port;

	(void)state;
	next_port = 65;
	EXPECT_EVTCHN(EVTCHNOP_bind_virq, &wv, give_virq_port, 0);
	assert_int_equal(xg_evtchn_bind_virq(&ev, VIRQ_TIMER, 1, &port), 0);
	assert_int_equal(port, 65);
	assert_true(ecpus[1].own_[1] & 2u);
	assert_false(ecpus[0].own_[1] & 2u);
	next_port = 66;
	EXPECT_EVTCHN(EVTCHNOP_bind_ipi, &wi, give_ipi_port, 0);
	assert_int_equal(xg_evtchn_bind_ipi(&ev, 1, &port), 0);
	next_port = 67;
	EXPECT_EVTCHN(EVTCHNOP_bind_pirq, &wp, give_pirq_port, 0);
	assert_int_equal(xg_evtchn_bind_pirq(&ev, 33, true, &port), 0);
	assert_int_equal(xg_evtchn_bind_virq(&ev, 24, 0, &port), XG_EINVAL);
	assert_int_equal(xg_evtchn_bind_ipi(&ev, 2, &port), XG_EINVAL);
}

static void test_send_status(void **state)
{
	struct evtchn_send s = { .port = 12 };
	struct want ws = { &s, sizeof(s), 0, 0 };
	struct evtchn_status st = { .dom = DOMID_SELF, .port = 12 };
	struct want wst = { &st, offsetof(struct evtchn_status, status),
			    DOMID_PAD };
	struct xg_evtchn_status out;

	(void)state;
	EXPECT_EVTCHN(EVTCHNOP_send, &ws, NULL, 0);
	assert_int_equal(xg_evtchn_send(&ev, 12), 0);
	EXPECT_EVTCHN(EVTCHNOP_status, &wst, give_status, 0);
	assert_int_equal(xg_evtchn_status(&ev, 12, &out), 0);
	assert_int_equal(out.state, EVTCHNSTAT_interdomain);
	assert_int_equal(out.a, 4);
	assert_int_equal(out.b, 99);
	assert_int_equal(out.vcpu, 1);
}

/* Unmask: 0 hypercalls unless pending on another CPU's port. */
static void test_unmask_paths(void **state)
{
	struct evtchn_unmask um = { .port = 70 };
	struct want wu = { &um, sizeof(um), 0, 0 };
	unsigned long raises = xg_hosted_upcall_raises();

	(void)state;
	ecpus[1].own_[1] |= 1ull << 6; /* port 70 on CPU 1 */
	ecpus[0].own_[1] |= 1ull << 7; /* port 71 on CPU 0 */
	xg_evtchn_unmask(&ev, 70);     /* not pending: no hypercall */
	assert_false(masked(70));
	xg_evtchn_mask(&ev, 70);
	si->evtchn_pending[1] |= 3ull << 6;
	xg_evtchn_unmask(&ev, 71);     /* ours: local re-raise */
	assert_true(vi[0].evtchn_pending_sel & 2u);
	assert_int_equal(vi[0].evtchn_upcall_pending, 1);
	assert_int_equal(xg_hosted_upcall_raises(), raises + 1);
	EXPECT_EVTCHN(EVTCHNOP_unmask, &wu, NULL, 0);
	xg_evtchn_unmask(&ev, 70);     /* CPU 1's: Xen re-delivers */
	assert_true(masked(70));       /* re-set for Xen to clear */
	assert_int_equal(vi[1].evtchn_upcall_pending, 0);
}

static void test_bind_vcpu(void **state)
{
	struct evtchn_bind_vcpu bv = { .port = 80, .vcpu = 11 };
	struct want wb = { &bv, sizeof(bv), 0, 0 };

	(void)state;
	ecpus[0].own_[1] |= 1ull << 16;
	EXPECT_EVTCHN(EVTCHNOP_bind_vcpu, &wb, NULL, 0);
	assert_int_equal(xg_evtchn_bind_vcpu(&ev, 80, 1), 0);
	assert_true(ecpus[1].own_[1] & (1ull << 16));
	assert_false(ecpus[0].own_[1] & (1ull << 16));
	assert_true(masked(80)); /* was masked, stays masked */
	EXPECT_EVTCHN(EVTCHNOP_bind_vcpu, &wb, NULL, XG_EINVAL);
	assert_int_equal(xg_evtchn_bind_vcpu(&ev, 80, 1), XG_EINVAL);
	assert_int_equal(xg_evtchn_bind_vcpu(&ev, 80, 5), XG_EINVAL);
}

static void test_upcall_vector_cpu_init(void **state)
{
	struct xen_hvm_evtchn_upcall_vector uv = { .vcpu = 10, .vector = 0xf3 };
	struct xen_hvm_param cb = { .domid = DOMID_SELF,
				    .index = HVM_PARAM_CALLBACK_IRQ,
				    .value = (2ull << 56) | 0xf3 };
	struct want wcb = { &cb, sizeof(cb), DOMID_PAD };
	struct want wv = { &uv, offsetof(struct xen_hvm_evtchn_upcall_vector,
				    vector) + 1, 0, 0 };
	unsigned long raises = xg_hosted_upcall_raises();

	(void)state;
	/* An upcall that came before init left upcall_pending set: init
	 * must raise the upcall again, since Xen only raises on 0 -> 1. */
	vi[0].evtchn_upcall_pending = 1;
	expect_hc_fx(__HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector,
		     same_struct, (uintptr_t)&wv, 0, NULL, 0);
	assert_int_equal(xg_intr_cpu_init(&ev), 0);
	assert_int_equal(xg_hosted_upcall_raises(), raises + 1);
	assert_int_equal(xg_intr_cpu_init(&ev), 0); /* once */
	assert_int_equal(xg_hosted_upcall_raises(), raises + 1);
	vi[0].evtchn_upcall_pending = 0;
	/* vCPU 0 also sets the domain-wide callback parameter. */
	cpus[1].vcpu_id = 0;
	xg_hosted_set_cpu(1);
	uv.vcpu = 0;
	expect_hc_fx(__HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector,
		     same_struct, (uintptr_t)&wv, 0, NULL, 0);
	expect_hc_fx(__HYPERVISOR_hvm_op, HVMOP_set_param, same_struct,
		     (uintptr_t)&wcb, 0, NULL, 0);
	assert_int_equal(xg_intr_cpu_init(&ev), 0);
	xg_hosted_set_cpu(0);
}

static void test_reset(void **state)
{
	struct evtchn_reset r = { .dom = DOMID_SELF };
	struct want wr = { &r, sizeof(r), 0, 0 };

	(void)state;
	si->evtchn_mask[3] = 0;
	EXPECT_EVTCHN(EVTCHNOP_reset, &wr, NULL, 0);
	assert_int_equal(xg_evtchn_reset(&ev), 0);
	assert_true(masked(3 * 64 + 5));
}

static void test_upcall_no_hypercall(void **state)
{
	(void)state;
	/* Port 130 pending, unmasked, ours, selector and upcall set: the
	 * upcall dispatches (as stray: no source) without a hypercall. */
	ecpus[0].own_[2] |= 1ull << 2;
	si->evtchn_mask[2] &= ~(1ull << 2);
	si->evtchn_pending[2] |= 1ull << 2;
	vi[0].evtchn_pending_sel |= 1ull << 2;
	vi[0].evtchn_upcall_pending = 1;
	/* Before the CPU's xg_intr_cpu_init() the upcall touches nothing. */
	ecpus[0].ready_ = false;
	xg_evtchn_upcall(&ev);
	assert_int_equal(vi[0].evtchn_upcall_pending, 1);
	assert_int_equal(xg_evtchn_stray_events(&ev), 0);
	ecpus[0].ready_ = true;
	xg_evtchn_upcall(&ev);
	assert_int_equal(xg_evtchn_stray_events(&ev), 1);
	assert_int_equal(vi[0].evtchn_upcall_pending, 0);
	assert_int_equal(vi[0].evtchn_pending_sel, 0);
	assert_false(si->evtchn_pending[2] & (1ull << 2));
	assert_int_equal(ecpus[0].cursor_, 131);
}

/* ---- FIFO -------------------------------------------------------------- */

static int check_init_control(const LargestIntegralType value,
			      const LargestIntegralType data)
{
	const struct evtchn_init_control *c = (const void *)(uintptr_t)value;

	(void)data;
	return c->vcpu == 10 && c->offset == 0 && c->control_gfn != 0;
}

static int check_expand(const LargestIntegralType value,
			const LargestIntegralType data)
{
	const struct evtchn_expand_array *x = (const void *)(uintptr_t)value;
	const uint32_t *page = (const void *)(uintptr_t)(x->array_gfn << 12);

	(void)data;
	/* New event words start masked. */
	return page[0] == (1u << EVTCHN_FIFO_MASKED) &&
	       page[1023] == (1u << EVTCHN_FIFO_MASKED);
}

static void test_fifo_init_and_priority(void **state)
{
	struct xg_evtchn_config cfg = { .abi = XG_EVTCHN_ABI_AUTO };
	struct evtchn_set_priority sp = { .port = 5, .priority = 2 };
	struct want wsp = { &sp, sizeof(sp), 0, 0 };

	(void)state;
	xg_evtchn_fini(&ev);
	expect_hc_fx(__HYPERVISOR_event_channel_op, EVTCHNOP_init_control,
		     check_init_control, 0, 0, NULL, 0);
	expect_hc_fx(__HYPERVISOR_event_channel_op, EVTCHNOP_expand_array,
		     check_expand, 0, 0, NULL, 0);
	assert_int_equal(xg_evtchn_init(&ev, &xen, ecpus, &cfg), 0);
	assert_int_equal(ev.abi, XG_EVTCHN_ABI_FIFO);
	assert_int_equal(ev.nr_ports, 1024);
	EXPECT_EVTCHN(EVTCHNOP_set_priority, &wsp, NULL, 0);
	assert_int_equal(xg_evtchn_set_priority(&ev, 5, 2), 0);
	/* Unmask of a non-pending port: no hypercall. */
	xg_evtchn_unmask(&ev, 5);
	assert_false(xg_evtchn_is_pending(&ev, 5));
	xg_evtchn_mask(&ev, 5);
	assert_true(ev.fifo_pages_[0] != NULL &&
		    (((uint32_t *)ev.fifo_pages_[0])[5] &
		     (1u << EVTCHN_FIFO_MASKED)));
}

static void test_fifo_fallback_to_2l(void **state)
{
	(void)state;
	xg_evtchn_fini(&ev);
	expect_hc_fx(__HYPERVISOR_event_channel_op, EVTCHNOP_init_control,
		     check_init_control, 0, 0, NULL, XG_ENOSYS);
	assert_int_equal(xg_evtchn_init(&ev, &xen, ecpus, NULL), 0);
	assert_int_equal(ev.abi, XG_EVTCHN_ABI_2L);
	assert_int_equal(ev.nr_ports, 4096);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_alloc_unbound),
		T(test_bind_interdomain_and_close),
		T(test_bind_virq_ipi_pirq),
		T(test_send_status),
		T(test_unmask_paths),
		T(test_bind_vcpu),
		T(test_upcall_vector_cpu_init),
		T(test_reset),
		T(test_upcall_no_hypercall),
		T(test_fifo_init_and_priority),
		T(test_fifo_fallback_to_2l),
	};

	xg_hosted_set_log_level(XG_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
