/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The reference allocator on the fake hypervisor: O(1) LIFO reuse,
 * batches, contiguous runs, pools, growth to the maximum, exhaustion
 * with free callbacks, and the asserts that catch caller bugs.
 */
#include "gt_fixture.h"

static struct xg_gnttab gt;

static int setup(void **state)
{
	(void)state;
	gt_fixture_up();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gt_as_front();
	xg_gnttab_fini(&gt);
	gt_fixture_down();
	assert_true(xg_hosted_check_balanced());
	return 0;
}

static void init_small(unsigned max_frames)
{
	struct xg_gnttab_config cfg = { .max_frames = max_frames };

	assert_int_equal(xg_gnttab_init(&gt, &gt_xen, &cfg), 0);
}

static void test_init_maps_one_frame(void **state)
{
	struct xg_gnttab_stats s;

	(void)state;
	fx_gnttab_set_max_frames(gt_front_dom, 8);
	assert_int_equal(xg_gnttab_init(&gt, &gt_xen, NULL), 0);
	assert_int_equal(gt.version, 1);
	assert_int_equal(gt.max_frames, 8); /* capped by query_size */
	assert_int_equal(fx_gnttab_nr_frames(gt_front_dom), 1);
	xg_gnttab_stats(&gt, &s);
	assert_int_equal(s.nr_frames, 1);
	assert_int_equal(s.free, 512 - 8); /* 8 reserved for the toolstack */
}

static void test_alloc_skips_reserved_and_reuses_lifo(void **state)
{
	xg_gref_t a, b, c;

	(void)state;
	init_small(4);
	assert_int_equal(xg_gnttab_alloc(&gt, &a), 0);
	assert_int_equal(a, 8);
	assert_int_equal(xg_gnttab_alloc(&gt, &b), 0);
	assert_int_equal(b, 9);
	xg_gnttab_free(&gt, a);
	assert_int_equal(xg_gnttab_alloc(&gt, &c), 0);
	assert_int_equal(c, a); /* popped from the free list, no search */
	xg_gnttab_free(&gt, b);
	xg_gnttab_free(&gt, c);
}

static void test_growth_to_max_then_enospc(void **state)
{
	static xg_gref_t refs[4 * 512];
	unsigned n = 4 * 512 - 8, i;
	xg_gref_t extra;

	(void)state;
	init_small(4);
	for (i = 0; i < n; i++)
		assert_int_equal(xg_gnttab_alloc(&gt, &refs[i]), 0);
	assert_int_equal(fx_gnttab_nr_frames(gt_front_dom), 4);
	assert_int_equal(gt.nr_frames, 4);
	assert_int_equal(xg_gnttab_alloc(&gt, &extra), XG_ENOSPC);
	for (i = 0; i < n; i++)
		assert_true(refs[i] >= 8 && refs[i] < 4 * 512);
	xg_gnttab_free_batch(&gt, refs, n);
	assert_int_equal(xg_gnttab_alloc(&gt, &extra), 0);
	xg_gnttab_free(&gt, extra);
}

/* A batch that needs three more frames maps them highest first, so the
 * hypervisor grows once. */
static void test_batch_grows_once(void **state)
{
	static xg_gref_t refs[2048];
	unsigned grows;

	(void)state;
	init_small(8);
	grows = fx_gnttab_grows(gt_front_dom);
	assert_int_equal(xg_gnttab_alloc_batch(&gt, refs, 1500), 0);
	assert_int_equal(gt.nr_frames, 3);
	assert_int_equal(fx_gnttab_grows(gt_front_dom), grows + 1);
	xg_gnttab_free_batch(&gt, refs, 1500);
}

static void test_batch_all_or_nothing(void **state)
{
	static xg_gref_t refs[2 * 512];
	struct xg_gnttab_stats before, after;

	(void)state;
	init_small(2);
	xg_gnttab_stats(&gt, &before);
	assert_int_equal(xg_gnttab_alloc_batch(&gt, refs, 2 * 512),
			 XG_ENOSPC);
	xg_gnttab_stats(&gt, &after);
	assert_int_equal(after.free, before.free);
	assert_int_equal(xg_gnttab_alloc_batch(&gt, refs, 2 * 512 - 8), 0);
	xg_gnttab_free_batch(&gt, refs, 2 * 512 - 8);
}

static void test_contig_runs(void **state)
{
	xg_gref_t first, second, one;
	unsigned i;

	(void)state;
	init_small(4);
	assert_int_equal(xg_gnttab_alloc(&gt, &one), 0);
	assert_int_equal(xg_gnttab_alloc_contig(&gt, 600, &first), 0);
	assert_int_equal(first, one + 1);
	assert_true(gt.nr_frames >= 2);
	assert_int_equal(xg_gnttab_alloc_contig(&gt, 4, &second), 0);
	assert_int_equal(second, first + 600);
	assert_int_equal(xg_gnttab_alloc_contig(&gt, 0, &second), XG_EINVAL);
	assert_int_equal(xg_gnttab_alloc_contig(&gt, 4 * 512, &second),
			 XG_ENOSPC);
	for (i = 0; i < 600; i++)
		xg_gnttab_free(&gt, first + i);
	for (i = 0; i < 4; i++)
		xg_gnttab_free(&gt, second + i);
	xg_gnttab_free(&gt, one);
}

static void test_pool(void **state)
{
	struct xg_gnttab_pool pool = { 0 };
	struct xg_gnttab_stats s;
	xg_gref_t a, b;

	(void)state;
	init_small(1);
	assert_int_equal(xg_gnttab_pool_fill(&gt, &pool, 10), 0);
	assert_int_equal(xg_gnttab_pool_count(&pool), 10);
	xg_gnttab_stats(&gt, &s);
	assert_int_equal(s.free, 512 - 8 - 10);
	a = xg_gnttab_pool_alloc(&gt, &pool);
	b = xg_gnttab_pool_alloc(&gt, &pool);
	assert_int_not_equal(a, XG_GREF_INVALID);
	assert_int_not_equal(a, b);
	xg_gnttab_grant(&gt, a, GT_BACK, 0x1234, false);
	assert_int_equal(xg_gnttab_end_access(&gt, a), 0);
	xg_gnttab_pool_free(&gt, &pool, a);
	assert_int_equal(xg_gnttab_pool_count(&pool), 9);
	xg_gnttab_pool_drain(&gt, &pool);
	assert_int_equal(xg_gnttab_pool_count(&pool), 0);
	assert_int_equal(xg_gnttab_pool_alloc(&gt, &pool), XG_GREF_INVALID);
	xg_gnttab_free(&gt, b);
	xg_gnttab_stats(&gt, &s);
	assert_int_equal(s.free, 512 - 8);
	/* A pool cannot take more than the table can give. */
	assert_int_equal(xg_gnttab_pool_fill(&gt, &pool, 600), XG_ENOSPC);
	assert_int_equal(xg_gnttab_pool_count(&pool), 0);
}

static unsigned waiter_calls;
static xg_gref_t waiter_got[4];

static void waiter_fn(struct xg_gnttab_waiter *w)
{
	waiter_calls++;
	assert_int_equal(xg_gnttab_alloc_batch(&gt, waiter_got, w->count), 0);
}

static void test_exhaustion_free_callback(void **state)
{
	static xg_gref_t refs[512];
	struct xg_gnttab_waiter w = { .fn = waiter_fn, .count = 2 };
	unsigned n = 512 - 8;

	(void)state;
	init_small(1);
	assert_int_equal(xg_gnttab_alloc_batch(&gt, refs, n), 0);
	assert_int_equal(xg_gnttab_alloc(&gt, &waiter_got[0]), XG_ENOSPC);
	xg_gnttab_wait(&gt, &w);
	xg_xen_run_work(&gt_xen);
	assert_int_equal(waiter_calls, 0);
	xg_gnttab_free(&gt, refs[0]); /* one is not enough */
	xg_xen_run_work(&gt_xen);
	assert_int_equal(waiter_calls, 0);
	xg_gnttab_free(&gt, refs[1]);
	xg_xen_run_work(&gt_xen);
	assert_int_equal(waiter_calls, 1);
	assert_false(w.queued_);
	xg_gnttab_free_batch(&gt, waiter_got, 2);
	xg_gnttab_free_batch(&gt, refs + 2, n - 2);
}

/* Registering when enough are free already must not lose the wakeup. */
static void test_wait_when_available_runs_at_once(void **state)
{
	struct xg_gnttab_waiter w = { .fn = waiter_fn, .count = 1 };

	(void)state;
	init_small(1);
	waiter_calls = 0;
	xg_gnttab_wait(&gt, &w);
	xg_xen_run_work(&gt_xen);
	assert_int_equal(waiter_calls, 1);
	xg_gnttab_free(&gt, waiter_got[0]);
	/* Cancelled waiters are not called. */
	xg_gnttab_wait(&gt, &w);
	assert_true(xg_gnttab_wait_cancel(&gt, &w));
	assert_false(xg_gnttab_wait_cancel(&gt, &w));
	xg_xen_run_work(&gt_xen);
	assert_int_equal(waiter_calls, 1);
}

static void test_init_errors(void **state)
{
	struct xg_gnttab_config bad = { .version = 3 };

	(void)state;
	assert_int_equal(xg_gnttab_init(&gt, &gt_xen, &bad), XG_EINVAL);
	xg_hosted_fail_alloc_after(1); /* grant space ok, side array fails */
	assert_int_equal(xg_gnttab_init(&gt, &gt_xen, NULL), XG_ENOMEM);
	assert_int_equal(xg_hosted_pages_outstanding(), 2); /* xen core */
	fx_fail_nth(__HYPERVISOR_grant_table_op, GNTTABOP_query_size, 1, 38);
	assert_int_equal(xg_gnttab_init(&gt, &gt_xen, NULL), XG_ENOSYS);
	fx_fail_nth(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, 1, 12);
	assert_int_equal(xg_gnttab_init(&gt, &gt_xen, NULL), XG_ENOMEM);
	assert_int_equal(xg_hosted_pages_outstanding(), 2);
	fx_gnttab_set_max_frames(gt_front_dom, 0);
	assert_int_equal(xg_gnttab_init(&gt, &gt_xen, NULL), XG_ENOSPC);
	memset(&gt, 0, sizeof(gt));
}

/* A growth the hypervisor refuses is reported, not hidden. */
static void test_growth_failure(void **state)
{
	static xg_gref_t refs[512];
	xg_gref_t r;

	(void)state;
	init_small(2);
	assert_int_equal(xg_gnttab_alloc_batch(&gt, refs, 512 - 8), 0);
	fx_fail_nth(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, 1, 12);
	assert_int_equal(xg_gnttab_alloc(&gt, &r), XG_ENOMEM);
	assert_int_equal(gt.nr_frames, 1);
	assert_int_equal(xg_gnttab_alloc(&gt, &r), 0);
	assert_int_equal(gt.nr_frames, 2);
	xg_gnttab_free(&gt, r);
	xg_gnttab_free_batch(&gt, refs, 512 - 8);
}

/* ---- caller bugs are caught -------------------------------------------- */

static void test_double_free_asserts(void **state)
{
	xg_gref_t r;

	(void)state;
	init_small(1);
	assert_int_equal(xg_gnttab_alloc(&gt, &r), 0);
	xg_gnttab_free(&gt, r);
	xg_hosted_set_panic_hook(gt_panic_to_cmocka);
	expect_assert_failure(xg_gnttab_free(&gt, r));
	/* Never allocated at all (above the high-water mark). */
	expect_assert_failure(xg_gnttab_free(&gt, 400));
	/* A reserved reference. */
	expect_assert_failure(xg_gnttab_free(&gt, 1));
	xg_hosted_set_panic_hook(NULL);
	assert_int_equal(xg_hosted_locks_held(), 0);
}

static void test_unallocated_use_asserts(void **state)
{
	xg_gref_t r, s;

	(void)state;
	init_small(1);
	assert_int_equal(xg_gnttab_alloc(&gt, &r), 0);
	assert_int_equal(xg_gnttab_alloc(&gt, &s), 0);
	xg_gnttab_free(&gt, r); /* r is free now: using it is a bug */
	xg_hosted_set_panic_hook(gt_panic_to_cmocka);
	expect_assert_failure(xg_gnttab_grant(&gt, r, GT_BACK, 1, true));
	expect_assert_failure(xg_gnttab_end_access(&gt, r));
	expect_assert_failure(xg_gnttab_end_access(&gt, s)); /* not granted */
	expect_assert_failure(xg_gnttab_end_access_free(&gt, s));
	xg_gnttab_grant(&gt, s, GT_BACK, 1, true);
	expect_assert_failure(xg_gnttab_grant(&gt, s, GT_BACK, 1, true));
	expect_assert_failure(xg_gnttab_free(&gt, s)); /* still granted */
	/* A v1 entry holds a 32-bit frame: a larger gfn needs v2. */
	assert_int_equal(xg_gnttab_alloc(&gt, &r), 0);
	expect_assert_failure(xg_gnttab_grant(&gt, r, GT_BACK, 1ull << 32,
					      false));
	xg_gnttab_free(&gt, r);
	xg_hosted_set_panic_hook(NULL);
	assert_int_equal(xg_gnttab_end_access_free(&gt, s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_maps_one_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_skips_reserved_and_reuses_lifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_growth_to_max_then_enospc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_grows_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contig_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion_free_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_when_available_runs_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_growth_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_free_asserts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unallocated_use_asserts, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
