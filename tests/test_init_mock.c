/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* xg_xen_init() issues exactly these hypercalls, in this order, with
 * these arguments (strict mocks: anything else fails the test). */
#include "mock/mock_xen.h"

#include <string.h>

#include <xenguest/core.h>
#include <xenguest/error.h>

#include "../src/xg_abi.h"
#include "xg_hosted.h"

static struct xg_xen xen;
static struct xg_cpu cpus[2];

static int setup(void **state)
{
	(void)state;
	xg_hosted_reset();
	return 0;
}

static void give_features(unsigned long a1, unsigned long a2, unsigned long a3)
{
	struct xen_feature_info *fi = (void *)(uintptr_t)a2;

	(void)a1, (void)a3;
	fi->submap = 1u << XENFEAT_dom0;
}

static int features_query(const LargestIntegralType value,
			  const LargestIntegralType data)
{
	const struct xen_feature_info *fi = (const void *)(uintptr_t)value;

	(void)data;
	return fi->submap_idx == 0;
}

/* add_to_physmap(DOMID_SELF, shared_info, idx 0, a page-aligned gfn). */
static int shared_info_map(const LargestIntegralType value,
			   const LargestIntegralType data)
{
	const struct xen_add_to_physmap *x = (const void *)(uintptr_t)value;

	(void)data;
	return x->domid == DOMID_SELF && x->space == XENMAPSPACE_shared_info &&
	       x->idx == 0 && x->gpfn != 0;
}

/* register_vcpu_info: a 64-byte aligned slot that fits in its page. */
static int vcpu_info_slot(const LargestIntegralType value,
			  const LargestIntegralType data)
{
	const struct vcpu_register_vcpu_info *r = (const void *)(uintptr_t)value;

	(void)data;
	return r->mfn != 0 && r->offset % 64 == 0 &&
	       r->offset + sizeof(struct vcpu_info) <= 4096;
}

/* vcpu_op(register_vcpu_info, vcpu, &slot): the slot pointer is in a3. */
static void expect_register_vcpu_info(unsigned long vcpu)
{
	expect_value(xg_host_hypercall, op, __HYPERVISOR_vcpu_op);
	expect_value(xg_host_hypercall, a1, VCPUOP_register_vcpu_info);
	expect_value(xg_host_hypercall, a2, vcpu);
	expect_check(xg_host_hypercall, a3, vcpu_info_slot, 0);
	expect_value(xg_host_hypercall, a4, 0);
	expect_value(xg_host_hypercall, a5, 0);
	will_return(xg_host_hypercall, (uintptr_t)NULL);
	will_return(xg_host_hypercall, 0);
}

static void test_init_sequence(void **state)
{
	(void)state;
	xg_hosted_set_cpu_count(2);
	xg_hosted_set_vcpu_id(0, 5);
	expect_hc(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0x4000d);
	expect_hc_fx(__HYPERVISOR_xen_version, XENVER_get_features,
		     features_query, 0, 0, give_features, 0);
	expect_hc_fx(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		     shared_info_map, 0, 0, NULL, 0);
	/* vCPU id 5 (from the port) travels in the second register. */
	expect_register_vcpu_info(5);
	assert_int_equal(xg_xen_init(&xen, cpus, 2, NULL), 0);
	assert_int_equal(xen.version, 0x4000d);
	assert_true(xg_xen_is_dom0(&xen));
	assert_int_equal(cpus[0].vcpu_id, 5);
	assert_int_equal(cpus[1].vcpu_id, 1);
	assert_false(cpus[1].online);
	xg_xen_fini(&xen);
	assert_true(xg_hosted_check_balanced());
}

static void test_secondary_cpu(void **state)
{
	(void)state;
	xg_hosted_set_cpu_count(2);
	expect_hc(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0x40011);
	expect_hc(__HYPERVISOR_xen_version, XENVER_get_features, MOCK_ANY_ARG, 0, 0);
	expect_hc(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, MOCK_ANY_ARG, 0, 0);
	expect_register_vcpu_info(0);
	assert_int_equal(xg_xen_init(&xen, cpus, 2, NULL), 0);
	/* CPU 1 comes up: exactly one registration, for vCPU 1. */
	xg_hosted_set_cpu(1);
	expect_register_vcpu_info(1);
	assert_int_equal(xg_xen_cpu_init(&xen), 0);
	assert_true(cpus[1].online);
	assert_int_equal((char *)cpus[1].vcpu_info - (char *)cpus[0].vcpu_info, 64);
	/* Again: no hypercall (strict mocks would fail on one). */
	assert_int_equal(xg_xen_cpu_init(&xen), 0);
	xg_hosted_set_cpu(0);
	xg_xen_fini(&xen);
	assert_true(xg_hosted_check_balanced());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_sequence, setup),
		cmocka_unit_test_setup(test_secondary_cpu, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
