/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The FreeBSD glue's framework-independent half (ports/freebsd/
 * xg_fbsd_glue.c) on the fake hypervisor. The library's source and raise
 * hooks are redirected (ld --wrap) to the same calls the FreeBSD glue
 * makes, with a fake framework standing in for INTRNG / x86 intr: like
 * them it can register a source but never deregister one, and a filter
 * that defers the work makes the framework call pre_ithread, the
 * ithread later post_ithread.
 *
 * What must hold: no bind/unbind sequence, failure or limit leaves a
 * host object outside the pool (registered == bound + free, and
 * registrations stay at the peak number of bound sources), and
 * post_ithread on a port with nothing pending makes no hypercall.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <cmocka.h>

#include "evtchn/ev_harness.h"
#include "../../ports/freebsd/xg_fbsd_glue.h"

#define MAX_OBJS 256

/* The framework's source (struct intr_irqsrc / struct intsrc). */
struct fw_src {
	unsigned registrations;  /* must stay 1 for the object's life */
	int cpu;                 /* isrc_cpu: reset on every reuse */
	unsigned dispatched;
	bool defer;              /* its filter schedules the ithread */
	bool ithread_due;
};

struct host_obj {
	struct fw_src fw;
	struct xg_fbsd_src src;
};

static unsigned abi;
static struct evh h;
static struct xg_fbsd_glue glue;
static uint8_t owed[EVH_MAX_CPUS];
static struct host_obj *objs[MAX_OBJS];
static unsigned nobjs, registrations, reuses, raises;
static bool fail_next_create;

#define OBJ(xg) ((struct host_obj *)(void *)((char *)xg_fbsd_src_of(xg) - \
	offsetof(struct host_obj, src)))

static struct xg_fbsd_src *fw_create(struct xg_fbsd_glue *g, unsigned index)
{
	struct host_obj *o;

	(void)g;
	assert_true(index < MAX_OBJS);
	if (fail_next_create) {
		fail_next_create = false;
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	assert_non_null(o);
	o->fw.registrations = 1;
	__atomic_fetch_add(&registrations, 1, __ATOMIC_RELAXED);
	objs[__atomic_fetch_add(&nobjs, 1, __ATOMIC_RELAXED)] = o;
	return &o->src;
}

static void fw_reuse(struct xg_fbsd_glue *g, struct xg_fbsd_src *src,
		     unsigned cpu)
{
	struct host_obj *o = (struct host_obj *)(void *)((char *)src -
		offsetof(struct host_obj, src));

	(void)g;
	o->fw.cpu = (int)cpu;
	__atomic_fetch_add(&reuses, 1, __ATOMIC_RELAXED);
}

/* The hooks, as ports/freebsd/xg_intrng_arm64.c defines them. */
struct xg_isrc *__wrap_xg_port_isrc_alloc(unsigned type, unsigned cpu,
					  const char *name);
void __wrap_xg_port_isrc_release(struct xg_isrc *isrc);
void __wrap_xg_port_upcall_raise(void);

struct xg_isrc *__wrap_xg_port_isrc_alloc(unsigned type, unsigned cpu,
					  const char *name)
{
	(void)type, (void)name;
	return xg_fbsd_isrc_get(&glue, cpu);
}

void __wrap_xg_port_isrc_release(struct xg_isrc *isrc)
{
	xg_fbsd_isrc_put(&glue, isrc);
}

void __wrap_xg_port_upcall_raise(void)
{
	raises++;
	xg_fbsd_note_owed(&glue, xg_port_cpu_self());
}

/* The glue's source handler: the framework runs the filter and, if it
 * defers, calls the PIC's pre_ithread (INTRNG intr_event_handle). */
static int trampoline(struct xg_isrc *xg, void *arg)
{
	struct host_obj *o = OBJ(xg);

	(void)arg;
	o->fw.dispatched++;
	if (o->fw.defer) {
		xg_fbsd_pic_pre_ithread(&o->src);
		o->fw.ithread_due = true;
	} else {
		xg_fbsd_pic_post_filter(&o->src);
	}
	return XG_ISRC_HANDLED;
}

/* The ithread finished, on @cpu: post_ithread, then pay an owed upcall
 * as the arm64 glue does. */
static void ithread_done(struct host_obj *o, unsigned cpu)
{
	evh_as_cpu(&h, cpu);
	assert_true(o->fw.ithread_due);
	o->fw.ithread_due = false;
	xg_fbsd_pic_post_ithread(&o->src);
	xg_fbsd_run_owed(&glue, cpu);
	evh_as_cpu(&h, 0);
}

static unsigned long hypercalls(void)
{
	return fx_count(__HYPERVISOR_event_channel_op, -1) +
	       fx_count(__HYPERVISOR_physdev_op, -1) +
	       fx_count(__HYPERVISOR_hvm_op, -1);
}

static void check_pool_balanced(void)
{
	const struct xg_fbsd_src *f;
	unsigned on_list = 0;

	/* Walk the list itself: counters alone could hide a lost object. */
	for (f = glue.free_; f != NULL && on_list <= nobjs; f = f->next_free_)
		on_list++;
	assert_int_equal(on_list, nobjs);
	assert_int_equal(glue.bound, 0);
	assert_int_equal(glue.free_count, nobjs);
	assert_int_equal(glue.created, nobjs + glue.create_failures);
	assert_int_equal(registrations, nobjs);
}

static int setup_limit(unsigned limit)
{
	nobjs = registrations = reuses = raises = 0;
	fail_next_create = false;
	assert_int_equal(evh_up(&h, 2, abi, NULL), 0);
	xg_fbsd_glue_init(&glue, &h.ev, limit, fw_create, fw_reuse, owed, 2);
	return 0;
}

static int virq_handler(struct xg_isrc *xg, void *arg)
{
	(void)arg;
	OBJ(xg)->fw.dispatched++;
	return XG_ISRC_HANDLED;
}

/* Per-CPU VIRQs bound by xg_intr_cpu_init(), as the SYSINIT does. */
static int setup_percpu(void **state)
{
	struct xg_evtchn_config cfg = {
		.percpu_virqs = 1u << VIRQ_TIMER,
		.virq_handler = virq_handler,
	};

	(void)state;
	nobjs = registrations = reuses = raises = 0;
	fail_next_create = false;
	xg_fbsd_glue_init(&glue, &h.ev, MAX_OBJS, fw_create, fw_reuse, owed,
			  2);
	assert_int_equal(evh_up(&h, 2, abi, &cfg), 0);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_limit(MAX_OBJS);
}

static int setup_small(void **state)
{
	(void)state;
	return setup_limit(4);
}

static int teardown(void **state)
{
	unsigned i;

	(void)state;
	evh_down(&h);
	assert_int_equal(fx_evtchn_ports_in_use(h.d), 0);
	check_pool_balanced();
	for (i = 0; i < nobjs; i++) {
		assert_int_equal(objs[i]->fw.registrations, 1);
		free(objs[i]);
	}
	assert_true(xg_hosted_check_balanced());
	return 0;
}

/* A connected, enabled source whose bind-time event is drained. */
static struct host_obj *connect(uint32_t *pport, bool defer)
{
	struct xg_isrc *xg = NULL;
	struct host_obj *o;

	*pport = evh_connect(&h, "t", trampoline, NULL, 0, &xg);
	assert_int_not_equal(*pport, 0);
	o = OBJ(xg);
	o->fw.defer = defer;
	/* As the glue's pic_enable_intr: enable, then pay an owed upcall
	 * (the bind-time event is pending when the port is ours). */
	xg_fbsd_pic_enable(&o->src);
	xg_fbsd_run_owed(&glue, 0);
	evh_drain(&h);
	if (o->fw.ithread_due)
		ithread_done(o, xg->cpu);
	o->fw.dispatched = 0;
	raises = 0;
	return o;
}

static void test_recycle_bind_unbind(void **state)
{
	struct host_obj *o;
	uint32_t pport;
	unsigned i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		o = connect(&pport, i % 2);
		assert_int_equal(fx_evtchn_peer_send(h.peer, pport), 0);
		evh_drain(&h);
		if (o->fw.ithread_due)
			ithread_done(o, o->src.xg.cpu);
		assert_int_equal(o->fw.dispatched, 1);
		xg_fbsd_pic_disable(&o->src);
		assert_int_equal(xg_intr_unbind(&o->src.xg), 0);
		assert_int_equal(glue.bound, 0);
	}
	/* One object, registered once, served 1000 bindings. */
	assert_int_equal(registrations, 1);
	assert_int_equal(reuses, 999);
}

/* Registrations follow the peak number of bound sources. */
static void test_registrations_follow_peak(void **state)
{
	struct host_obj *o[16];
	uint32_t pport;
	unsigned round, i, n;

	(void)state;
	for (round = 0; round < 50; round++) {
		n = 1 + round % 16;
		for (i = 0; i < n; i++)
			o[i] = connect(&pport, false);
		assert_int_equal(glue.bound, n);
		for (i = 0; i < n; i++)
			assert_int_equal(xg_intr_unbind(&o[i]->src.xg), 0);
		check_pool_balanced();
	}
	assert_int_equal(registrations, 16);
}

/* A reused object gets the new binding's CPU (INTRNG isrc_cpu). */
static void test_reuse_resets_cpu(void **state)
{
	struct host_obj *a, *b;
	uint32_t pa, pb;

	(void)state;
	a = connect(&pa, false);
	b = connect(&pb, false);
	assert_int_not_equal(a->src.xg.cpu, b->src.xg.cpu);
	assert_int_equal(xg_intr_unbind(&a->src.xg), 0);
	assert_int_equal(xg_intr_unbind(&b->src.xg), 0);
	a = connect(&pa, false);
	assert_int_equal(a->fw.cpu, (int)a->src.xg.cpu);
	assert_int_equal(xg_intr_unbind(&a->src.xg), 0);
}

/* Every failing bind gives its object back. */
static void test_failed_binds_keep_pool(void **state)
{
	struct host_obj *o;
	struct xg_isrc *xg = NULL;
	uint32_t pport, before;

	(void)state;
	/* The framework cannot make an object (the pool is empty):
	 * XG_ENOMEM, the port is closed again, the next bind works. */
	before = fx_evtchn_ports_in_use(h.d);
	fail_next_create = true;
	assert_int_equal(fx_evtchn_peer_alloc_unbound(h.peer, 1, &pport), 0);
	assert_int_equal(xg_intr_bind_interdomain(&h.ev, 0, pport, "x",
						  trampoline, NULL, 0, &xg),
			 XG_ENOMEM);
	assert_int_equal(fx_evtchn_ports_in_use(h.d), before);
	assert_int_equal(glue.create_failures, 1);
	assert_int_equal(glue.bound, 0);
	fx_evtchn_peer_close(h.peer, pport);

	o = connect(&pport, false);
	assert_int_equal(glue.bound, 1);
	/* The port already has a source: an object is taken, then given
	 * back when the publish step finds the slot in use. */
	xg = NULL;
	assert_int_equal(xg_intr_bind_port(&h.ev, o->src.xg.port, "dup",
					   trampoline, NULL, XG_INTR_NOCLOSE,
					   &xg), XG_EEXIST);
	assert_null(xg);
	assert_int_equal(glue.bound, 1);
	assert_int_equal(glue.free_count + glue.bound, nobjs);
	assert_int_equal(xg_intr_unbind(&o->src.xg), 0);
}

/* At the framework's limit a bind fails cleanly and works again once a
 * source is released. */
static void test_limit(void **state)
{
	struct host_obj *o[4];
	struct xg_isrc *xg = NULL;
	uint32_t pport, extra;
	unsigned i;

	(void)state;
	for (i = 0; i < 4; i++)
		o[i] = connect(&pport, false);
	assert_int_equal(fx_evtchn_peer_alloc_unbound(h.peer, 1, &extra), 0);
	assert_int_equal(xg_intr_bind_interdomain(&h.ev, 0, extra, "x",
						  trampoline, NULL, 0, &xg),
			 XG_ENOMEM);
	assert_int_equal(xg_intr_unbind(&o[3]->src.xg), 0);
	assert_int_equal(xg_intr_bind_interdomain(&h.ev, 0, extra, "x",
						  trampoline, NULL, 0, &xg), 0);
	assert_int_equal(registrations, 4);
	assert_int_equal(xg_intr_unbind(xg), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(xg_intr_unbind(&o[i]->src.xg), 0);
}

/* Filter defers, ithread runs, post_ithread unmasks: with nothing
 * pending that is 0 hypercalls, whatever CPU the ithread runs on. */
static void test_post_ithread_idle_no_hypercall(void **state)
{
	struct host_obj *o;
	unsigned long hc;
	uint32_t pport;
	unsigned i;

	(void)state;
	o = connect(&pport, true);
	for (i = 0; i < 100; i++) {
		assert_int_equal(fx_evtchn_peer_send(h.peer, pport), 0);
		hc = hypercalls();
		evh_drain(&h);
		assert_true(o->fw.ithread_due);
		assert_false(xg_evtchn_is_pending(&h.ev, o->src.xg.port));
		ithread_done(o, i % 2);
		assert_int_equal(hypercalls(), hc);
	}
	assert_int_equal(o->fw.dispatched, 100);
	assert_int_equal(raises, 0);
	assert_int_equal(xg_intr_unbind(&o->src.xg), 0);
}

/* An event that arrived while the ithread ran: on the owning CPU the
 * 2-level unmask re-raises it locally (0 hypercalls) and the owed
 * upcall delivers it at once; from another CPU (or on FIFO) it takes
 * exactly one EVTCHNOP_unmask. */
static void test_post_ithread_pending(void **state)
{
	struct host_obj *o;
	unsigned long hc, unmasks;
	uint32_t pport;
	unsigned own, other;

	(void)state;
	o = connect(&pport, true);
	own = o->src.xg.cpu;
	other = 1 - own;

	assert_int_equal(fx_evtchn_peer_send(h.peer, pport), 0);
	evh_drain(&h);
	assert_int_equal(fx_evtchn_peer_send(h.peer, pport), 0); /* masked */
	evh_drain(&h);
	assert_int_equal(o->fw.dispatched, 1);
	hc = hypercalls();
	unmasks = fx_count(__HYPERVISOR_event_channel_op, EVTCHNOP_unmask);
	ithread_done(o, own);
	if (abi == XG_EVTCHN_ABI_2L) {
		assert_int_equal(hypercalls(), hc);
		assert_int_equal(raises, 1);
		/* run_owed delivered it, no poll needed */
		assert_int_equal(o->fw.dispatched, 2);
	} else {
		assert_int_equal(hypercalls(), hc + 1);
		assert_int_equal(fx_count(__HYPERVISOR_event_channel_op,
					  EVTCHNOP_unmask), unmasks + 1);
		evh_drain(&h);
		assert_int_equal(o->fw.dispatched, 2);
	}
	ithread_done(o, own);

	/* Pending again, ithread finishes on the other CPU. */
	assert_int_equal(fx_evtchn_peer_send(h.peer, pport), 0);
	hc = hypercalls();
	unmasks = fx_count(__HYPERVISOR_event_channel_op, EVTCHNOP_unmask);
	xg_fbsd_pic_pre_ithread(&o->src); /* as if a filter deferred */
	o->fw.ithread_due = true;
	ithread_done(o, other);
	assert_int_equal(fx_count(__HYPERVISOR_event_channel_op,
				  EVTCHNOP_unmask), unmasks + 1);
	assert_int_equal(hypercalls(), hc + 1);
	evh_drain(&h);
	assert_int_equal(o->fw.dispatched, 3);
	if (o->fw.ithread_due)
		ithread_done(o, own);
	assert_int_equal(xg_intr_unbind(&o->src.xg), 0);
}

/* pic_bind_intr / pic_assign_cpu: move to the first CPU of the set;
 * an empty set or the current CPU costs nothing. */
static void test_bind_first_cpu(void **state)
{
	struct host_obj *o;
	unsigned long hc;
	uint32_t pport;
	unsigned from, to;

	(void)state;
	o = connect(&pport, false);
	from = o->src.xg.cpu;
	to = 1 - from;
	hc = hypercalls();
	assert_int_equal(xg_fbsd_pic_bind(&o->src, -1), 0);
	assert_int_equal(xg_fbsd_pic_bind(&o->src, (int)from), 0);
	assert_int_equal(hypercalls(), hc);
	assert_int_equal(xg_fbsd_pic_bind(&o->src, (int)to), 0);
	assert_int_equal(o->src.xg.cpu, to);
	assert_int_equal(fx_evtchn_port_vcpu(h.d, o->src.xg.port), to);
	assert_int_equal(fx_evtchn_peer_send(h.peer, pport), 0);
	evh_drain(&h);
	assert_int_equal(o->fw.dispatched, 1);
	assert_int_equal(xg_fbsd_pic_bind(&o->src, 7), 22 /* EINVAL */);
	assert_int_equal(xg_intr_unbind(&o->src.xg), 0);
}

/* A framework call for a released source touches nothing. */
static void test_released_source_ignored(void **state)
{
	struct host_obj *o;
	unsigned long hc;
	uint32_t pport;

	(void)state;
	o = connect(&pport, false);
	assert_int_equal(xg_intr_unbind(&o->src.xg), 0);
	hc = hypercalls();
	xg_fbsd_pic_enable(&o->src);
	xg_fbsd_pic_disable(&o->src);
	xg_fbsd_pic_pre_ithread(&o->src);
	xg_fbsd_pic_post_ithread(&o->src);
	xg_fbsd_pic_post_filter(&o->src);
	assert_int_equal(xg_fbsd_pic_bind(&o->src, 1 - (int)o->src.xg.cpu), 0);
	assert_int_equal(hypercalls(), hc);
}

/* The per-CPU sources of xg_intr_cpu_init() come from the pool too, and
 * cannot be moved (a per-CPU VIRQ stays on its vCPU: Xen's rule). */
static void test_percpu_sources(void **state)
{
	struct xg_isrc *t0 = h.ecpus[0].virq_[VIRQ_TIMER];
	struct xg_isrc *t1 = h.ecpus[1].virq_[VIRQ_TIMER];
	unsigned long hc;

	(void)state;
	assert_non_null(t0);
	assert_non_null(t1);
	assert_int_equal(registrations, 2);
	assert_int_equal(glue.bound, 2);
	assert_int_equal(fx_evtchn_inject_virq(h.d, 1, VIRQ_TIMER), 0);
	evh_drain(&h);
	assert_int_equal(OBJ(t1)->fw.dispatched, 1);
	assert_int_equal(OBJ(t0)->fw.dispatched, 0);
	hc = hypercalls();
	assert_int_equal(xg_fbsd_pic_bind(xg_fbsd_src_of(t1), 0),
			 22 /* EINVAL */);
	assert_int_equal(hypercalls(), hc);
	assert_int_equal(fx_evtchn_port_vcpu(h.d, t1->port), 1);
}

/* Two threads taking and giving back sources: the list stays whole. */
#define POOL_ROUNDS 100000

static unsigned pool_misses;

static void *pool_thread(void *arg)
{
	unsigned i, cpu = (unsigned)(uintptr_t)arg;
	struct xg_isrc *xg;

	xg_hosted_set_cpu(cpu);
	for (i = 0; i < POOL_ROUNDS; i++) {
		xg = xg_fbsd_isrc_get(&glue, cpu);
		if (xg == NULL) {
			__atomic_fetch_add(&pool_misses, 1, __ATOMIC_RELAXED);
			continue;
		}
		xg_fbsd_isrc_put(&glue, xg);
	}
	return NULL;
}

static void test_pool_threads(void **state)
{
	pthread_t t[2];
	uintptr_t i;

	(void)state;
	pool_misses = 0;
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, pool_thread,
						(void *)i), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(pool_misses, 0);
	assert_true(registrations >= 1 && registrations <= 2);
	assert_int_equal(reuses, 2 * POOL_ROUNDS - registrations);
}

static jmp_buf panic_jmp;
static unsigned panics;

static void panic_hook(const char *file, int line, const char *what)
{
	(void)file, (void)line, (void)what;
	panics++;
	longjmp(panic_jmp, 1);
}

static void test_double_release_panics(void **state)
{
	struct host_obj *o;
	struct xg_isrc *xg;
	uint32_t pport;

	(void)state;
	o = connect(&pport, false);
	xg = &o->src.xg;
	assert_int_equal(xg_intr_unbind(xg), 0);
	panics = 0;
	xg_hosted_set_panic_hook(panic_hook);
	if (setjmp(panic_jmp) == 0)
		xg_fbsd_isrc_put(&glue, xg);
	xg_hosted_set_panic_hook(NULL);
	assert_int_equal(panics, 1);
	assert_int_equal(glue.free_count, 1); /* not pushed twice */
}

static void test_errno(void **state)
{
	(void)state;
	assert_int_equal(xg_fbsd_errno(0), 0);
	assert_int_equal(xg_fbsd_errno(XG_EINVAL), 22);
	assert_int_equal(xg_fbsd_errno(XG_ENOMEM), 12);
	assert_int_equal(xg_fbsd_errno(XG_ENOSPC), 28);
	assert_int_equal(xg_fbsd_errno(XG_ERANGE), 34);
	assert_int_equal(xg_fbsd_errno(XG_EAGAIN), 35);
	assert_int_equal(xg_fbsd_errno(XG_EDEADLK), 11);
	assert_int_equal(xg_fbsd_errno(XG_ENOSYS), 78);
	assert_int_equal(xg_fbsd_errno(XG_EOPNOTSUPP), 45);
	assert_int_equal(xg_fbsd_errno(XG_ETIMEDOUT), 60);
	assert_int_equal(xg_fbsd_errno(XG_ENOTCONN), 5); /* no mapping: EIO */
}

#define GLUE_TESTS(prefix)                                                   \
	cmocka_unit_test_setup_teardown(test_recycle_bind_unbind, setup,     \
					teardown),                           \
	cmocka_unit_test_setup_teardown(test_registrations_follow_peak,      \
					setup, teardown),                    \
	cmocka_unit_test_setup_teardown(test_reuse_resets_cpu, setup,        \
					teardown),                           \
	cmocka_unit_test_setup_teardown(test_failed_binds_keep_pool, setup,  \
					teardown),                           \
	cmocka_unit_test_setup_teardown(test_limit, setup_small, teardown),  \
	cmocka_unit_test_setup_teardown(test_post_ithread_idle_no_hypercall, \
					setup, teardown),                    \
	cmocka_unit_test_setup_teardown(test_post_ithread_pending, setup,    \
					teardown),                           \
	cmocka_unit_test_setup_teardown(test_bind_first_cpu, setup,          \
					teardown),                           \
	cmocka_unit_test_setup_teardown(test_released_source_ignored, setup, \
					teardown),                           \
	cmocka_unit_test_setup_teardown(test_double_release_panics, setup,   \
					teardown),                           \
	cmocka_unit_test_setup_teardown(test_percpu_sources, setup_percpu,   \
					teardown),                           \
	cmocka_unit_test_setup_teardown(test_pool_threads, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = { GLUE_TESTS(x) };
	const struct CMUnitTest plain[] = { cmocka_unit_test(test_errno) };
	int failed = 0;

	abi = XG_EVTCHN_ABI_2L;
	failed += cmocka_run_group_tests_name("freebsd_glue_2l", tests, NULL,
					      NULL);
	abi = XG_EVTCHN_ABI_FIFO;
	failed += cmocka_run_group_tests_name("freebsd_glue_fifo", tests, NULL,
					      NULL);
	failed += cmocka_run_group_tests_name("freebsd_errno", plain, NULL,
					      NULL);
	return failed;
}
