/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* Each typed wrapper issues exactly its hypercall with its arguments in
 * Xen's register order, and passes Xen's return value through. */
#include "mock/mock_xen.h"

#include <xenguest/error.h>
#include <xenguest/hypercall.h>

#include "../src/xg_abi.h"

#define P(x) ((unsigned long)(uintptr_t)(x))

static void test_event_channel_op(void **state)
{
	int dummy;

	(void)state;
	expect_hc(__HYPERVISOR_event_channel_op, EVTCHNOP_send, P(&dummy), 0, 0);
	assert_int_equal(xg_hc_event_channel_op(EVTCHNOP_send, &dummy), 0);
	expect_hc(__HYPERVISOR_event_channel_op, EVTCHNOP_close, P(&dummy), 0,
		  XG_EINVAL);
	assert_int_equal(xg_hc_event_channel_op(EVTCHNOP_close, &dummy),
			 XG_EINVAL);
}

static void test_memory_op(void **state)
{
	int dummy;

	(void)state;
	expect_hc(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, P(&dummy), 0, 0);
	assert_int_equal(xg_hc_memory_op(XENMEM_add_to_physmap, &dummy), 0);
	/* memory_op may return a positive count. */
	expect_hc(__HYPERVISOR_memory_op, XENMEM_maximum_ram_page, 0, 0, 0x12345);
	assert_int_equal(xg_hc_memory_op(XENMEM_maximum_ram_page, NULL), 0x12345);
}

static void test_vcpu_op(void **state)
{
	int dummy;

	(void)state;
	expect_hc(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 3, P(&dummy),
		  0);
	assert_int_equal(xg_hc_vcpu_op(VCPUOP_register_vcpu_info, 3, &dummy), 0);
}

static void test_grant_table_op(void **state)
{
	int dummy[4];

	(void)state;
	expect_hc(__HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, P(dummy),
		  4, 0);
	assert_int_equal(xg_hc_grant_table_op(GNTTABOP_map_grant_ref, dummy, 4), 0);
}

static void test_hvm_version_console_sched_physdev(void **state)
{
	int dummy;
	static const char msg[] = "hello";

	(void)state;
	expect_hc(__HYPERVISOR_hvm_op, HVMOP_get_param, P(&dummy), 0, 0);
	assert_int_equal(xg_hc_hvm_op(HVMOP_get_param, &dummy), 0);
	expect_hc(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0x40011);
	assert_int_equal(xg_hc_xen_version(XENVER_version, NULL), 0x40011);
	expect_hc(__HYPERVISOR_console_io, CONSOLEIO_write, 5, P(msg), 0);
	assert_int_equal(xg_hc_console_io(CONSOLEIO_write, 5, msg), 0);
	expect_hc(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0);
	assert_int_equal(xg_hc_sched_op(SCHEDOP_yield, NULL), 0);
	expect_hc(__HYPERVISOR_physdev_op, PHYSDEVOP_eoi, P(&dummy), 0, XG_ENOSYS);
	assert_int_equal(xg_hc_physdev_op(PHYSDEVOP_eoi, &dummy), XG_ENOSYS);
}

static void test_no_hypercall_page_on_host(void **state)
{
	char page[64];

	(void)state;
	assert_int_equal(xg_hc_use_hypercall_page(page, 1, 0x40000000),
			 XG_EOPNOTSUPP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_channel_op),
		cmocka_unit_test(test_memory_op),
		cmocka_unit_test(test_vcpu_op),
		cmocka_unit_test(test_grant_table_op),
		cmocka_unit_test(test_hvm_version_console_sched_physdev),
		cmocka_unit_test(test_no_hypercall_page_on_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
