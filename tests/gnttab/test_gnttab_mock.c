/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Strict hypercall mocks for the grant table: exactly these calls, in
 * this order, with these arguments (frame setup highest first, v2 status
 * frames, one hypercall per batch, eagain retries, unmap chunking, and
 * GNTST_* to XG_E* conversion).
 */
#include "mock/mock_xen.h"

#include <string.h>

#include <xenguest/core.h>
#include <xenguest/error.h>
#include <xenguest/gnttab.h>

#include "../src/xg_abi.h"
#include "xg_hosted.h"

static struct xg_xen xen;
static struct xg_gnttab gt;

static int setup(void **state)
{
	(void)state;
	xg_hosted_reset();
	memset(&xen, 0, sizeof(xen));
	xg_port_lock_init(&xen.work_lock);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_true(xg_hosted_check_balanced());
	return 0;
}

/* ---- frame setup ---------------------------------------------------------- */

static unsigned query_max = 4;

static void give_size(unsigned long a1, unsigned long a2, unsigned long a3)
{
	struct gnttab_query_size *q = (void *)(uintptr_t)a2;

	(void)a1, (void)a3;
	q->nr_frames = 0;
	q->max_nr_frames = query_max;
	q->status = GNTST_okay;
}

static int query_self(const LargestIntegralType value,
		      const LargestIntegralType data)
{
	const struct gnttab_query_size *q = (const void *)(uintptr_t)value;

	(void)data;
	return q->dom == DOMID_SELF;
}

/* add_to_physmap(DOMID_SELF, grant_table, idx == data, gpfn at the right
 * place in the region). */
static int grant_frame(const LargestIntegralType value,
		       const LargestIntegralType data)
{
	const struct xen_add_to_physmap *x = (const void *)(uintptr_t)value;
	unsigned long idx = (unsigned long)data;
	unsigned long slot = idx & XENMAPIDX_grant_table_status
				     ? gt.max_frames + (idx & 0xffff)
				     : idx;

	return x->domid == DOMID_SELF && x->space == XENMAPSPACE_grant_table &&
	       x->idx == idx && x->gpfn == gt.region_gfn + slot;
}

static void expect_frame(unsigned long idx, long rc)
{
	expect_hc_fx(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		     grant_frame, idx, 0, NULL, rc);
}

static void test_init_v1_highest_first(void **state)
{
	struct xg_gnttab_config cfg = { .initial_frames = 3 };

	(void)state;
	query_max = 4;
	expect_hc_fx(__HYPERVISOR_grant_table_op, GNTTABOP_query_size,
		     query_self, 0, 1, give_size, 0);
	expect_frame(2, 0);
	expect_frame(1, 0);
	expect_frame(0, 0);
	assert_int_equal(xg_gnttab_init(&gt, &xen, &cfg), 0);
	assert_int_equal(gt.nr_frames, 3);
	assert_int_equal(gt.max_frames, 4);
	assert_null(gt.status);
	xg_gnttab_fini(&gt);
}

static void take_v2(unsigned long a1, unsigned long a2, unsigned long a3)
{
	(void)a1, (void)a2, (void)a3;
}

static int asks_v2(const LargestIntegralType value,
		   const LargestIntegralType data)
{
	const struct gnttab_set_version *sv = (const void *)(uintptr_t)value;

	(void)data;
	return sv->version == 2;
}

static void test_init_v2_status_frames(void **state)
{
	struct xg_gnttab_config cfg = { .version = 2, .initial_frames = 9 };

	(void)state;
	if (!XG_CONFIG_GNTTAB_V2) {
		assert_int_equal(xg_gnttab_init(&gt, &xen, &cfg),
				 XG_EOPNOTSUPP);
		skip();
	}
	query_max = 16;
	expect_hc_fx(__HYPERVISOR_grant_table_op, GNTTABOP_set_version,
		     asks_v2, 0, 1, take_v2, 0);
	expect_hc_fx(__HYPERVISOR_grant_table_op, GNTTABOP_query_size,
		     query_self, 0, 1, give_size, 0);
	for (unsigned long i = 9; i-- > 0;)
		expect_frame(i, 0);
	/* 9 frames x 256 entries x 2 bytes = 2 status frames. */
	expect_frame(1 | XENMAPIDX_grant_table_status, 0);
	expect_frame(0 | XENMAPIDX_grant_table_status, 0);
	assert_int_equal(xg_gnttab_init(&gt, &xen, &cfg), 0);
	assert_int_equal(gt.version, 2);
	assert_non_null(gt.status);
	assert_int_equal(gt.region_frames, 16 + 2);
	xg_gnttab_fini(&gt);
}

static void test_init_failure_frees(void **state)
{
	(void)state;
	query_max = 4;
	expect_hc_fx(__HYPERVISOR_grant_table_op, GNTTABOP_query_size,
		     query_self, 0, 1, give_size, 0);
	expect_frame(0, XG_EPERM);
	assert_int_equal(xg_gnttab_init(&gt, &xen, NULL), XG_EPERM);
	assert_int_equal(xg_hosted_pages_outstanding(), 0);
	if (!XG_CONFIG_GNTTAB_V2)
		return;
	/* v2 refused by an old hypervisor. */
	expect_hc(__HYPERVISOR_grant_table_op, GNTTABOP_set_version,
		  MOCK_ANY_ARG, 1, XG_ENOSYS);
	struct xg_gnttab_config v2 = { .version = 2 };
	assert_int_equal(xg_gnttab_init(&gt, &xen, &v2), XG_ENOSYS);
}

/* ---- backend batches ----------------------------------------------------- */

static int16_t map_status[40];

static void map_effect(unsigned long a1, unsigned long a2, unsigned long a3)
{
	struct gnttab_map_grant_ref *op = (void *)(uintptr_t)a2;
	unsigned long i;

	(void)a1;
	for (i = 0; i < a3; i++) {
		op[i].status = map_status[i];
		op[i].handle = 100 + (uint32_t)i;
	}
}

static void map_ok_once(unsigned long a1, unsigned long a2, unsigned long a3)
{
	struct gnttab_map_grant_ref *op = (void *)(uintptr_t)a2;

	(void)a1, (void)a3;
	op->status = GNTST_okay;
	op->handle = 7;
}

static int is_ptr(const LargestIntegralType value,
		  const LargestIntegralType data)
{
	return value == data;
}

static int is_ptr_any(const LargestIntegralType value,
		      const LargestIntegralType data)
{
	(void)data;
	return value != 0;
}

static void test_map_one_call_eagain_retried(void **state)
{
	static char pages[4][4096] __attribute__((aligned(4096)));
	struct xg_gnttab_map_op ops[4];
	unsigned i;

	(void)state;
	for (i = 0; i < 4; i++)
		xg_gnttab_map_op_set(&ops[i], pages[i], 3, 10 + i, i == 1);
	assert_int_equal(ops[1].flags, GNTMAP_host_map | GNTMAP_readonly);
	assert_int_equal(ops[0].host_addr, (uint64_t)(uintptr_t)pages[0]);
	map_status[0] = GNTST_okay;
	map_status[1] = GNTST_eagain;
	map_status[2] = GNTST_permission_denied;
	map_status[3] = GNTST_bad_gntref;
	expect_hc_fx(__HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref,
		     is_ptr, (uintptr_t)ops, 4, map_effect, 0);
	expect_hc_fx(__HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref,
		     is_ptr, (uintptr_t)&ops[1], 1, map_ok_once, 0);
	assert_int_equal(xg_gnttab_map(ops, 4), XG_EACCES);
	assert_int_equal(ops[0].status, 0);
	assert_int_equal(ops[0].handle, 100);
	assert_int_equal(ops[1].status, 0);
	assert_int_equal(ops[1].handle, 7);
	assert_int_equal(ops[2].status, XG_EACCES);
	assert_int_equal(ops[3].status, XG_EBADF);
}

/* A page that stays paged out: about ten tries, then XG_EAGAIN. */
static void test_map_eagain_gives_up(void **state)
{
	static char page[4096] __attribute__((aligned(4096)));
	struct xg_gnttab_map_op op;
	unsigned i;

	(void)state;
	xg_gnttab_map_op_set(&op, page, 3, 10, false);
	map_status[0] = GNTST_eagain;
	for (i = 0; i < 11; i++)
		expect_hc_fx(__HYPERVISOR_grant_table_op,
			     GNTTABOP_map_grant_ref, is_ptr, (uintptr_t)&op, 1,
			     map_effect, 0);
	assert_int_equal(xg_gnttab_map(&op, 1), XG_EAGAIN);
	assert_int_equal(op.status, XG_EAGAIN);
}

static void test_map_hypercall_error(void **state)
{
	static char page[4096] __attribute__((aligned(4096)));
	struct xg_gnttab_map_op ops[2];

	(void)state;
	xg_gnttab_map_op_set(&ops[0], page, 3, 10, false);
	xg_gnttab_map_op_set(&ops[1], page, 3, 11, false);
	expect_hc(__HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref,
		  MOCK_ANY_ARG, 2, XG_EFAULT);
	assert_int_equal(xg_gnttab_map(ops, 2), XG_EFAULT);
	assert_int_equal(ops[0].status, XG_EFAULT);
	assert_int_equal(ops[1].status, XG_EFAULT);
	assert_int_equal(xg_gnttab_map(ops, 0), 0); /* no call */
}

static unsigned unmap_seen;

/* The unmap array carries each op's host address and handle. */
static void unmap_effect(unsigned long a1, unsigned long a2, unsigned long a3)
{
	struct gnttab_unmap_grant_ref *u = (void *)(uintptr_t)a2;
	unsigned long i;

	(void)a1;
	for (i = 0; i < a3; i++) {
		assert_int_equal(u[i].handle, 1000 + unmap_seen);
		assert_int_equal(u[i].host_addr, 4096ull * (1 + unmap_seen));
		u[i].status = unmap_seen == 5 ? GNTST_bad_handle : GNTST_okay;
		unmap_seen++;
		if (unmap_seen == 2) /* op 2 failed to map: skipped */
			unmap_seen++;
	}
}

static void test_unmap_chunks_skip_failed(void **state)
{
	struct xg_gnttab_map_op ops[20];
	unsigned i;

	(void)state;
	memset(ops, 0, sizeof(ops));
	for (i = 0; i < 20; i++) {
		ops[i].host_addr = 4096ull * (1 + i);
		ops[i].handle = 1000 + i;
	}
	ops[2].status = XG_EACCES;
	unmap_seen = 0;
	expect_hc_fx(__HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref,
		     is_ptr_any, 0, 15, unmap_effect, 0);
	expect_hc_fx(__HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref,
		     is_ptr_any, 0, 4, unmap_effect, 0);
	assert_int_equal(xg_gnttab_unmap(ops, 20), XG_ENOENT);
	assert_int_equal(unmap_seen, 20);
	assert_int_equal(ops[0].status, 0);
	assert_int_equal(ops[2].status, XG_EACCES); /* untouched */
	assert_int_equal(ops[5].status, XG_ENOENT);
	assert_int_equal(ops[19].status, 0);
}

static void copy_effect(unsigned long a1, unsigned long a2, unsigned long a3)
{
	struct gnttab_copy *c = (void *)(uintptr_t)a2;

	(void)a1;
	assert_int_equal(a3, 2);
	assert_int_equal(c[0].source.u.ref, 77);
	assert_int_equal(c[0].flags, GNTCOPY_source_gref);
	assert_int_equal(c[1].dest.u.gmfn, 0x123456789ull);
	assert_int_equal(c[1].len, 512);
	c[0].status = GNTST_okay;
	c[1].status = GNTST_bad_copy_arg;
}

static void test_copy_batch(void **state)
{
	struct xg_gnttab_copy_op c[2];

	(void)state;
	memset(c, 0, sizeof(c));
	c[0].source.u.ref = 77;
	c[0].flags = XG_GNTCOPY_SOURCE_GREF;
	c[1].dest.u.gfn = 0x123456789ull;
	c[1].len = 512;
	expect_hc_fx(__HYPERVISOR_grant_table_op, GNTTABOP_copy, is_ptr,
		     (uintptr_t)c, 2, copy_effect, 0);
	assert_int_equal(xg_gnttab_copy(c, 2), XG_ERANGE);
	assert_int_equal(c[0].status, 0);
	assert_int_equal(c[1].status, XG_ERANGE);
}

static void test_status_table(void **state)
{
	static const struct { int st, err; } t[] = {
		{ GNTST_okay, 0 },
		{ GNTST_general_error, XG_EIO },
		{ GNTST_bad_domain, XG_ESRCH },
		{ GNTST_bad_gntref, XG_EBADF },
		{ GNTST_bad_handle, XG_ENOENT },
		{ GNTST_bad_virt_addr, XG_EFAULT },
		{ GNTST_bad_dev_addr, XG_EFAULT },
		{ GNTST_no_device_space, XG_ENOBUFS },
		{ GNTST_permission_denied, XG_EACCES },
		{ GNTST_bad_page, XG_EINVAL },
		{ GNTST_bad_copy_arg, XG_ERANGE },
		{ GNTST_address_too_big, XG_EOVERFLOW },
		{ GNTST_eagain, XG_EAGAIN },
		{ GNTST_no_space, XG_ENOSPC },
		{ -99, XG_EIO },
		{ 5, XG_EIO },
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(xg_gnttab_status_to_errno(t[i].st), t[i].err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_v1_highest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_v2_status_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_failure_frees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_one_call_eagain_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_eagain_gives_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_hypercall_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_chunks_skip_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_table, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
