/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* Core bring-up on the fake hypervisor: shared_info, vcpu_info on every
 * CPU, failure paths with fault injection, deferred work. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xenguest/core.h>
#include <xenguest/error.h>

#include "fakexen/fakexen.h"
#include "xg_hosted.h"

static struct xg_xen xen;
static struct xg_cpu cpus[128];

static int setup(void **state)
{
	(void)state;
	fx_reset();
	xg_hosted_reset();
	memset(&xen, 0, sizeof(xen));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_true(xg_hosted_check_balanced());
	return 0;
}

static void test_init_domu(void **state)
{
	struct fx_domain *d = fx_domain_create(1, 1);

	(void)state;
	fx_enter(d, 0);
	assert_int_equal(xg_xen_init(&xen, cpus, 1, NULL), 0);
	assert_int_equal(xen.version, (4u << 16) | 17u);
	assert_false(xg_xen_is_dom0(&xen));
	assert_ptr_equal(xen.shared_info, d->shared_info);
	assert_true(d->vcpu[0].registered);
	assert_ptr_equal(cpus[0].vcpu_info, d->vcpu[0].vcpu_info);
	assert_true(cpus[0].online);
	assert_false(xen.have_fdt);
	xg_xen_fini(&xen);
}

static void test_init_dom0_features(void **state)
{
	struct fx_domain *d = fx_domain_create(0, 1);

	(void)state;
	fx_enter(d, 0);
	assert_int_equal(xg_xen_init(&xen, cpus, 1, NULL), 0);
	assert_true(xg_xen_is_dom0(&xen));
	assert_true(xg_xen_has_feature(&xen, 0)); /* writable_page_tables bit */
	assert_false(xg_xen_has_feature(&xen, 40));
	xg_xen_fini(&xen);
}

struct cpu_thread {
	struct fx_domain *d;
	unsigned cpu;
	int rc;
};

static void *bring_up(void *arg)
{
	struct cpu_thread *t = arg;

	fx_enter(t->d, xg_port_cpu_vcpu_id(t->cpu));
	xg_hosted_set_cpu(t->cpu);
	t->rc = xg_xen_cpu_init(&xen);
	return NULL;
}

/* 65 CPUs need two pages of slots; vCPU ids are mapped in reverse to
 * prove the library uses the port's id, not the CPU index. */
static void test_every_cpu_registers(void **state)
{
	enum { N = 65 };
	struct fx_domain *d = fx_domain_create(2, N);
	struct cpu_thread t[N];
	pthread_t th[N];
	unsigned i;

	(void)state;
	xg_hosted_set_cpu_count(N);
	for (i = 0; i < N; i++)
		xg_hosted_set_vcpu_id(i, N - 1 - i);
	fx_enter(d, N - 1);
	assert_int_equal(xg_xen_init(&xen, cpus, N, NULL), 0);
	assert_int_equal(xen.vcpu_info_npages, 2);
	for (i = 1; i < N; i++) {
		t[i] = (struct cpu_thread){ d, i, -1 };
		pthread_create(&th[i], NULL, bring_up, &t[i]);
	}
	for (i = 1; i < N; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(t[i].rc, 0);
	}
	for (i = 0; i < N; i++) {
		uintptr_t slot = (uintptr_t)cpus[i].vcpu_info;

		assert_int_equal(cpus[i].vcpu_id, N - 1 - i);
		assert_true(d->vcpu[N - 1 - i].registered);
		assert_ptr_equal(d->vcpu[N - 1 - i].vcpu_info, cpus[i].vcpu_info);
		assert_int_equal(slot % 64, 0);
		assert_true((slot & 4095) + sizeof(struct vcpu_info) <= 4096);
	}
	/* Registering twice is harmless for the caller. */
	xg_hosted_set_cpu(0);
	fx_enter(d, N - 1);
	assert_int_equal(xg_xen_cpu_init(&xen), 0);
	assert_int_equal(fx_count(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info), N);
	xg_xen_fini(&xen);
}

static void test_legacy_slot_when_enosys(void **state)
{
	struct fx_domain *d = fx_domain_create(1, 2);

	(void)state;
	fx_enter(d, 0);
	fx_fail_nth(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 1, 38);
	assert_int_equal(xg_xen_init(&xen, cpus, 2, NULL), 0);
	assert_ptr_equal(cpus[0].vcpu_info,
			 &((struct shared_info *)xen.shared_info)->vcpu_info[0]);
	xg_xen_fini(&xen);
}

static void test_failures_undo(void **state)
{
	struct fx_domain *d = fx_domain_create(1, 1);

	(void)state;
	fx_enter(d, 0);
	/* Version read fails: nothing allocated yet. */
	fx_fail_nth(__HYPERVISOR_xen_version, XENVER_get_features, 1, 1);
	assert_int_equal(xg_xen_init(&xen, cpus, 1, NULL), XG_EPERM);
	assert_int_equal(xg_hosted_pages_outstanding(), 0);
	/* Mapping shared_info fails: both pages go back. */
	fx_fail_nth(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, 1, 12);
	assert_int_equal(xg_xen_init(&xen, cpus, 1, NULL), XG_ENOMEM);
	assert_int_equal(xg_hosted_pages_outstanding(), 0);
	/* The allocator runs dry on the second page. */
	xg_hosted_fail_alloc_after(1);
	assert_int_equal(xg_xen_init(&xen, cpus, 1, NULL), XG_ENOMEM);
	assert_int_equal(xg_hosted_pages_outstanding(), 0);
	/* vcpu_info fails after shared_info went to Xen: that page stays
	 * with the instance until xg_xen_fini(). */
	fx_fail_nth(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 1, 22);
	assert_int_equal(xg_xen_init(&xen, cpus, 1, NULL), XG_EINVAL);
	assert_non_null(xen.shared_info);
	xg_xen_fini(&xen);
	/* Bad arguments. */
	assert_int_equal(xg_xen_init(&xen, cpus, 0, NULL), XG_EINVAL);
	assert_int_equal(xg_xen_init(&xen, NULL, 1, NULL), XG_EINVAL);
	xg_hosted_set_cpu(3);
	assert_int_equal(xg_xen_init(&xen, cpus, 2, NULL), XG_EINVAL);
}

static void *read_file(const char *name)
{
	char path[512];
	void *buf = calloc(1, 65536);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dtb", getenv("XG_TEST_DTB_DIR"),
		 name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_true(fread(buf, 1, 65536, f) > 0);
	fclose(f);
	return buf;
}

static void test_init_with_device_tree(void **state)
{
	struct fx_domain *d = fx_domain_create(0, 1);
	struct xg_xen_config cfg = { .fdt = read_file("dom0-xen417") };
	struct xg_xen_config plain = { .fdt = read_file("domu-plain") };

	(void)state;
	fx_enter(d, 0);
	assert_int_equal(xg_xen_init(&xen, cpus, 1, &plain), XG_ENODEV);
	assert_int_equal(fx_count(__HYPERVISOR_xen_version, -1), 0);
	assert_int_equal(xg_xen_init(&xen, cpus, 1, &cfg), 0);
	assert_true(xen.have_fdt);
	assert_int_equal(xen.fdt.evtchn_intid, 16);
	xg_xen_fini(&xen);
	free((void *)cfg.fdt);
	free((void *)plain.fdt);
}

static void test_console(void **state)
{
	struct fx_domain *d = fx_domain_create(1, 1);

	(void)state;
	fx_enter(d, 0);
	assert_int_equal(xg_console_write("hi there", 8), 0);
	assert_int_equal(d->console_len, 8);
	assert_memory_equal(d->console, "hi there", 8);
	fx_fail_nth(__HYPERVISOR_console_io, -1, 1, 38);
	assert_int_equal(xg_console_write("x", 1), XG_ENOSYS);
}

static unsigned work_runs;
static bool work_requeue;

static void count_work(struct xg_work *w)
{
	work_runs++;
	if (work_requeue) {
		work_requeue = false;
		xg_xen_work_queue(&xen, w, 60ull * 1000000000ull);
	}
}

static void test_work_queue(void **state)
{
	struct xg_work a = { .fn = count_work }, b = { .fn = count_work };

	(void)state;
	xg_port_lock_init(&xen.work_lock);
	work_runs = 0;
	xg_xen_work_queue(&xen, &a, 0);
	xg_xen_work_queue(&xen, &a, 0); /* already queued: one run */
	assert_int_equal(xg_hosted_worker_kicks(), 1);
	xg_xen_work_queue(&xen, &b, 0);
	assert_int_equal(xg_hosted_worker_kicks(), 2);
	xg_xen_run_work(&xen);
	assert_int_equal(work_runs, 2);
	xg_xen_run_work(&xen);
	assert_int_equal(work_runs, 2);

	/* An item that re-queues itself a minute out stays queued, and the
	 * port is asked to come back for it. */
	work_requeue = true;
	xg_xen_work_queue(&xen, &a, 0);
	xg_xen_run_work(&xen);
	assert_int_equal(work_runs, 3);
	assert_true(a.queued_);
	xg_xen_run_work(&xen);
	assert_int_equal(work_runs, 3);
	assert_true(xg_hosted_worker_last_delay() > 59ull * 1000000000ull);
	assert_true(a.queued_);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_domu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_dom0_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_cpu_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_slot_when_enosys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_with_device_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console, setup, teardown),
		cmocka_unit_test_setup_teardown(test_work_queue, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
