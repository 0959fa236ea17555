/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* The x86 CPUID scan, against mocked leaves. */
#include "mock/mock_xen.h"

#include <xenguest/core.h>
#include <xenguest/error.h>

#define XENV 0x566e6558u
#define MMXE 0x65584d4du
#define NVMM 0x4d4d566eu

static int reset(void **state)
{
	(void)state;
	mock_cpuid_reset();
	return 0;
}

static void xen_at(uint32_t base, uint32_t max_off)
{
	mock_cpuid_set(base, base + max_off, XENV, MMXE, NVMM);
	mock_cpuid_set(base + 1, (4u << 16) | 17u, 0, 0, 0);
	mock_cpuid_set(base + 2, 1, 0x40000000u, 0, 0);
	mock_cpuid_set(base + 4, 1u << 3, 7, 0, 0);
}

static void test_found_at_first_leaf(void **state)
{
	struct xg_cpuid_info info;

	(void)state;
	xen_at(0x40000000u, 5);
	assert_int_equal(xg_cpuid_probe(&info), 0);
	assert_int_equal(info.base, 0x40000000u);
	assert_int_equal(info.version_major, 4);
	assert_int_equal(info.version_minor, 17);
	assert_int_equal(info.hypercall_pages, 1);
	assert_int_equal(info.hypercall_msr, 0x40000000u);
	assert_true(info.have_vcpu_id);
	assert_int_equal(info.vcpu_id, 7);
}

/* Viridian first (Xen with Hyper-V enlightenments): Xen moves to 0x100. */
static void test_found_behind_viridian(void **state)
{
	struct xg_cpuid_info info;

	(void)state;
	mock_cpuid_set(0x40000000u, 0x40000006u, 0x7263694d, 0x666f736f,
		       0x76482074); /* "Microsoft Hv" */
	xen_at(0x40000100u, 5);
	assert_int_equal(xg_cpuid_probe(&info), 0);
	assert_int_equal(info.base, 0x40000100u);
}

static void test_last_possible_base(void **state)
{
	struct xg_cpuid_info info;

	(void)state;
	xen_at(0x40010000u, 2);
	assert_int_equal(xg_cpuid_probe(&info), 0);
	assert_int_equal(info.base, 0x40010000u);
	assert_false(info.have_vcpu_id); /* only leaves base+1, base+2 */
}

static void test_signature_without_enough_leaves(void **state)
{
	struct xg_cpuid_info info;

	(void)state;
	mock_cpuid_set(0x40000000u, 0x40000001u, XENV, MMXE, NVMM);
	assert_int_equal(xg_cpuid_probe(&info), XG_ENODEV);
}

static void test_not_xen(void **state)
{
	struct xg_cpuid_info info;

	(void)state;
	assert_int_equal(xg_cpuid_probe(&info), XG_ENODEV);
	/* every candidate base was looked at: 0x40000000..0x40010000 */
	assert_int_equal(mock_cpuid_calls(), 0x101);
	mock_cpuid_reset();
	mock_cpuid_absent();
	assert_int_equal(xg_cpuid_probe(&info), XG_ENODEV);
	assert_int_equal(xg_cpuid_probe(NULL), XG_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_found_at_first_leaf, reset),
		cmocka_unit_test_setup(test_found_behind_viridian, reset),
		cmocka_unit_test_setup(test_last_possible_base, reset),
		cmocka_unit_test_setup(test_signature_without_enough_leaves, reset),
		cmocka_unit_test_setup(test_not_xen, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
