/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Concurrency (run it under TSan too): several CPUs allocating and
 * freeing at once, and a backend mapping a grant while the frontend
 * ends access to it. The invariant checked in the race: once
 * end-of-access has succeeded, no mapping of that grant can succeed.
 */
#include "gt_fixture.h" /* first: it sets _GNU_SOURCE */

#include <pthread.h>

static struct xg_gnttab gt;
static unsigned gt_version;
static unsigned char *fpage, *bpage;

static int setup_version(unsigned version)
{
	struct xg_gnttab_config cfg = { .version = version, .max_frames = 8 };

	gt_version = version;
	gt_fixture_up();
	assert_int_equal(xg_gnttab_init(&gt, &gt_xen, &cfg), 0);
	fpage = gt_low_page();
	bpage = gt_low_page();
	return 0;
}

static int setup_v1(void **state)
{
	(void)state;
	return setup_version(1);
}

#if XG_CONFIG_GNTTAB_V2
static int setup_v2(void **state)
{
	(void)state;
	return setup_version(2);
}
#endif

static int teardown(void **state)
{
	(void)state;
	gt_as_front();
	gt_low_page_free(fpage);
	gt_low_page_free(bpage);
	xg_gnttab_fini(&gt);
	gt_fixture_down();
	assert_true(xg_hosted_check_balanced());
	return 0;
}

/* ---- allocator under contention ------------------------------------------ */

struct worker {
	unsigned cpu;
	unsigned long ops;
};

static void *alloc_worker(void *arg)
{
	struct worker *w = arg;
	struct xg_gnttab_pool pool = { 0 };
	xg_gref_t refs[8], r;
	unsigned i, k;

	fx_enter(gt_front_dom, 0);
	xg_hosted_set_cpu(w->cpu);
	for (i = 0; i < 3000; i++) {
		assert_int_equal(xg_gnttab_alloc(&gt, &r), 0);
		xg_gnttab_grant(&gt, r, GT_BACK, 0x1000 + i, i & 1);
		assert_int_equal(xg_gnttab_end_access_free(&gt, r), 0);
		assert_int_equal(xg_gnttab_alloc_batch(&gt, refs, 8), 0);
		xg_gnttab_free_batch(&gt, refs, 8);
		if (i % 100 == 0) {
			assert_int_equal(xg_gnttab_pool_fill(&gt, &pool, 8), 0);
			for (k = 0; k < 8; k++)
				refs[k] = xg_gnttab_pool_alloc(&gt, &pool);
			for (k = 0; k < 8; k++)
				xg_gnttab_pool_free(&gt, &pool, refs[k]);
			xg_gnttab_pool_drain(&gt, &pool);
		}
		w->ops++;
	}
	return NULL;
}

static void test_parallel_alloc_free(void **state)
{
	enum { N = 4 };
	struct worker w[N];
	pthread_t th[N];
	struct xg_gnttab_stats before, after;
	unsigned i;

	(void)state;
	xg_hosted_set_cpu_count(N);
	xg_gnttab_stats(&gt, &before);
	for (i = 0; i < N; i++) {
		w[i] = (struct worker){ .cpu = i };
		pthread_create(&th[i], NULL, alloc_worker, &w[i]);
	}
	for (i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].ops, 3000);
	}
	xg_gnttab_stats(&gt, &after);
	assert_int_equal(after.free, before.free);
	assert_int_equal(after.pending, 0);
}

/* ---- end of access racing a map -------------------------------------------- */

#define ROUNDS 400

static unsigned round_no, back_done;
static xg_gref_t cur_ref;
static unsigned ended_ok;
static unsigned violations, back_mapped;

static void *backend(void *arg)
{
	unsigned r;

	(void)arg;
	gt_as_back();
	for (r = 1; r <= ROUNDS; r++) {
		struct xg_gnttab_map_op op;

		while (__atomic_load_n(&round_no, __ATOMIC_ACQUIRE) != r)
			;
		xg_gnttab_map_op_set(&op, bpage, GT_FRONT,
				     __atomic_load_n(&cur_ref, __ATOMIC_RELAXED),
				     r & 1);
		if (xg_gnttab_map(&op, 1) == 0) {
			back_mapped++;
			if (__atomic_load_n(&ended_ok, __ATOMIC_ACQUIRE))
				violations++;
			assert_int_equal(xg_gnttab_unmap(&op, 1), 0);
		}
		__atomic_store_n(&back_done, r, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void test_end_access_races_map(void **state)
{
	struct xg_gnttab_stats s;
	unsigned r, ended_first = 0;
	pthread_t th;

	(void)state;
	round_no = back_done = ended_ok = violations = back_mapped = 0;
	pthread_create(&th, NULL, backend, NULL);
	for (r = 1; r <= ROUNDS; r++) {
		xg_gref_t ref;
		int rc;

		assert_int_equal(xg_gnttab_grant_alloc(&gt, GT_BACK,
			xg_port_virt_to_gfn(fpage), r & 1, &ref), 0);
		__atomic_store_n(&cur_ref, ref, __ATOMIC_RELAXED);
		__atomic_store_n(&ended_ok, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&round_no, r, __ATOMIC_RELEASE);
		/* Vary the timing so both orders happen. */
		for (volatile unsigned spin = 0; spin < (r % 7) * 300; spin++)
			;
		rc = xg_gnttab_end_access_free(&gt, ref);
		if (rc == 0) {
			__atomic_store_n(&ended_ok, 1, __ATOMIC_RELEASE);
			ended_first++;
		} else {
			assert_int_equal(rc, XG_EBUSY);
		}
		while (__atomic_load_n(&back_done, __ATOMIC_ACQUIRE) != r)
			;
		if (rc != 0) {
			do {
				gt_run_work();
				xg_gnttab_stats(&gt, &s);
			} while (s.pending != 0);
		}
	}
	pthread_join(th, NULL);
	assert_int_equal(violations, 0);
	xg_gnttab_stats(&gt, &s);
	assert_int_equal(s.pending, 0);
	assert_int_equal(s.reclaimed, s.deferred);
	print_message("v%u: %u rounds, %u ended at once, %u mapped, %lu deferred\n",
		      gt_version, ROUNDS, ended_first, back_mapped,
		      (unsigned long)s.deferred);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parallel_alloc_free, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_end_access_races_map, setup_v1, teardown),
#if XG_CONFIG_GNTTAB_V2
		cmocka_unit_test_setup_teardown(test_parallel_alloc_free, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_end_access_races_map, setup_v2, teardown),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
