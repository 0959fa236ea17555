/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Frontend and backend exchanging data through real grant entries on the
 * fake hypervisor, for v1 and v2: grant, map, copy, Xen's permission
 * rules, end of access while the peer still maps (deferred, reclaimed
 * after unmap), hostile flag values, suspend and resume.
 */
#include "gt_fixture.h"

static struct xg_gnttab gt;
static unsigned gt_version;
static unsigned char *fpage, *bpage; /* frontend's page, backend's slot */

static unsigned reclaim_calls;
static xg_gref_t reclaim_ref;
static uint64_t reclaim_gfn;

static void on_reclaimed(struct xg_gnttab *g, xg_gref_t ref, uint64_t gfn)
{
	assert_ptr_equal(g, &gt);
	reclaim_calls++;
	reclaim_ref = ref;
	reclaim_gfn = gfn;
}

static int setup(void **state)
{
	struct xg_gnttab_config cfg = {
		.version = gt_version,
		.max_frames = 4,
		.reclaimed = on_reclaimed,
	};

	(void)state;
	gt_fixture_up();
	reclaim_calls = 0;
	assert_int_equal(xg_gnttab_init(&gt, &gt_xen, &cfg), 0);
	fpage = gt_low_page();
	bpage = gt_low_page();
	assert_non_null(fpage);
	assert_non_null(bpage);
	return 0;
}

static int setup_v1(void **state)
{
	gt_version = 1;
	return setup(state);
}

#if XG_CONFIG_GNTTAB_V2
static int setup_v2(void **state)
{
	gt_version = 2;
	return setup(state);
}
#endif

static int teardown(void **state)
{
	(void)state;
	gt_as_front();
	assert_int_equal(fx_gnttab_active_maps(), 0);
	gt_low_page_free(fpage);
	gt_low_page_free(bpage);
	xg_gnttab_fini(&gt);
	gt_fixture_down();
	assert_true(xg_hosted_check_balanced());
	return 0;
}

static xg_gref_t grant_page(bool readonly)
{
	xg_gref_t ref;

	gt_as_front();
	assert_int_equal(xg_gnttab_grant_alloc(&gt, GT_BACK,
					       xg_port_virt_to_gfn(fpage),
					       readonly, &ref), 0);
	return ref;
}

static int back_map(struct xg_gnttab_map_op *op, xg_gref_t ref, bool ro)
{
	int rc;

	gt_as_back();
	xg_gnttab_map_op_set(op, bpage, GT_FRONT, ref, ro);
	rc = xg_gnttab_map(op, 1);
	gt_as_front();
	return rc;
}

static void back_unmap(struct xg_gnttab_map_op *op)
{
	gt_as_back();
	assert_int_equal(xg_gnttab_unmap(op, 1), 0);
	assert_int_equal(op->status, 0);
	gt_as_front();
}

static bool peer_flag(xg_gref_t ref, uint16_t bit)
{
	uint16_t *w = gt_version == 2
			      ? fx_gnttab_status_word(gt_front_dom, ref)
			      : fx_gnttab_flags_word(gt_front_dom, ref);

	return (*w & bit) != 0;
}

static void test_version_selected(void **state)
{
	(void)state;
	assert_int_equal(gt.version, gt_version);
	assert_int_equal(fx_gnttab_version(gt_front_dom), gt_version);
	if (gt_version == 2)
		assert_non_null(gt.status);
}

/* The data exchange: the backend reads what the frontend wrote, writes
 * a reply, and the frontend sees it after the unmap. */
static void test_exchange_through_map(void **state)
{
	struct xg_gnttab_map_op op;
	xg_gref_t ref = grant_page(false);

	(void)state;
	memcpy(fpage, "request", 8);
	assert_int_equal(back_map(&op, ref, false), 0);
	assert_int_equal(op.status, 0);
	assert_true(peer_flag(ref, GTF_reading));
	assert_true(peer_flag(ref, GTF_writing));
	assert_string_equal((char *)bpage, "request");
	memcpy(bpage, "reply", 6);
	back_unmap(&op);
	assert_false(peer_flag(ref, GTF_reading | GTF_writing));
	assert_string_equal((char *)fpage, "reply");
	assert_int_equal(xg_gnttab_end_access_free(&gt, ref), 0);
}

static void test_readonly_map_rules(void **state)
{
	struct xg_gnttab_map_op op;
	xg_gref_t ref = grant_page(true);

	(void)state;
	assert_int_equal(back_map(&op, ref, false), XG_EIO);
	assert_int_equal(op.status, XG_EIO);
	assert_int_equal(back_map(&op, ref, true), 0);
	assert_true(peer_flag(ref, GTF_reading));
	assert_false(peer_flag(ref, GTF_writing));
	back_unmap(&op);
	assert_int_equal(xg_gnttab_end_access_free(&gt, ref), 0);
}

/* Only the domain named in the entry may map it. */
static void test_other_domain_cannot_map(void **state)
{
	struct fx_domain *third = fx_domain_create(7, 1);
	struct xg_gnttab_map_op op;
	xg_gref_t ref = grant_page(false);

	(void)state;
	fx_enter(third, 0);
	xg_gnttab_map_op_set(&op, bpage, GT_FRONT, ref, true);
	assert_int_equal(xg_gnttab_map(&op, 1), XG_EIO);
	xg_gnttab_map_op_set(&op, bpage, 42, ref, true);
	assert_int_equal(xg_gnttab_map(&op, 1), XG_ESRCH);
	xg_gnttab_map_op_set(&op, bpage, GT_FRONT, 4000, true);
	assert_int_equal(xg_gnttab_map(&op, 1), XG_EBADF);
	gt_as_front();
	assert_int_equal(xg_gnttab_end_access_free(&gt, ref), 0);
	/* After the end of access nobody can map it. */
	assert_int_equal(back_map(&op, ref, true), XG_EIO);
}

/* The heart of it: ending access to a mapped grant never frees it and
 * always reclaims it after the peer unmaps. */
static void test_end_access_while_mapped_defers(void **state)
{
	struct xg_gnttab_map_op op;
	struct xg_gnttab_stats s;
	xg_gref_t ref = grant_page(false), again;

	(void)state;
	assert_int_equal(back_map(&op, ref, false), 0);
	assert_int_equal(xg_gnttab_end_access(&gt, ref), XG_EBUSY);
	assert_int_equal(xg_gnttab_end_access_free(&gt, ref), XG_EBUSY);
	xg_gnttab_stats(&gt, &s);
	assert_int_equal(s.deferred, 1);
	assert_int_equal(s.pending, 1);
	/* The busy reference is not reused while mapped. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(xg_gnttab_alloc(&gt, &again), 0);
		assert_int_not_equal(again, ref);
		xg_gnttab_free(&gt, again);
	}
	gt_run_work();
	gt_run_work();
	xg_gnttab_stats(&gt, &s);
	assert_int_equal(s.pending, 1);
	assert_int_equal(reclaim_calls, 0);
	assert_true(s.reclaim_passes >= 2);
	/* Retries back off. */
	assert_true(xg_hosted_worker_last_delay() >= 4000000u);

	back_unmap(&op);
	gt_run_work();
	xg_gnttab_stats(&gt, &s);
	assert_int_equal(s.pending, 0);
	assert_int_equal(s.reclaimed, 1);
	assert_int_equal(reclaim_calls, 1);
	assert_int_equal(reclaim_ref, ref);
	assert_int_equal(reclaim_gfn, xg_port_virt_to_gfn(fpage));
	assert_int_equal(xg_gnttab_alloc(&gt, &again), 0);
	assert_int_equal(again, ref); /* back on the free list */
	xg_gnttab_free(&gt, again);
}

/* Plain end_access keeps the reference with the caller when busy. */
static void test_end_access_retry_by_caller(void **state)
{
	struct xg_gnttab_map_op op;
	xg_gref_t ref = grant_page(true);

	(void)state;
	assert_int_equal(back_map(&op, ref, true), 0);
	assert_int_equal(xg_gnttab_end_access(&gt, ref), XG_EBUSY);
	if (gt_version == 2) {
		/* v2 revoked the entry: no new mapping can start. */
		struct xg_gnttab_map_op op2;

		assert_int_equal(back_map(&op2, ref, true), XG_EIO);
	}
	back_unmap(&op);
	assert_int_equal(xg_gnttab_end_access(&gt, ref), 0);
	xg_gnttab_free(&gt, ref);
}

static void test_many_deferred_reclaimed(void **state)
{
	enum { N = 40 };
	struct xg_gnttab_map_op ops[N];
	xg_gref_t refs[N];
	struct xg_gnttab_stats s;
	unsigned i;

	(void)state;
	for (i = 0; i < N; i++)
		refs[i] = grant_page(true);
	gt_as_back();
	for (i = 0; i < N; i++)
		xg_gnttab_map_op_set(&ops[i], bpage + 0, GT_FRONT, refs[i], true);
	fx_counts_reset();
	assert_int_equal(xg_gnttab_map(ops, N), 0);
	assert_int_equal(fx_count(__HYPERVISOR_grant_table_op,
				  GNTTABOP_map_grant_ref), 1);
	gt_as_front();
	for (i = 0; i < N; i++)
		assert_int_equal(xg_gnttab_end_access_free(&gt, refs[i]),
				 XG_EBUSY);
	gt_as_back();
	assert_int_equal(xg_gnttab_unmap(ops, N), 0);
	assert_int_equal(fx_count(__HYPERVISOR_grant_table_op,
				  GNTTABOP_unmap_grant_ref), 3); /* 16+16+8 */
	gt_as_front();
	gt_run_work();
	xg_gnttab_stats(&gt, &s);
	assert_int_equal(s.pending, 0);
	assert_int_equal(s.reclaimed, N);
	assert_int_equal(reclaim_calls, N);
}

static void test_copy(void **state)
{
	xg_gref_t ro = grant_page(true), rw;
	struct xg_gnttab_copy_op c[3];

	(void)state;
	gt_as_front();
	assert_int_equal(xg_gnttab_grant_alloc(&gt, GT_BACK,
					       xg_port_virt_to_gfn(fpage) ,
					       false, &rw), 0);
	memcpy(fpage + 100, "from the frontend", 18);
	gt_as_back();
	memset(c, 0, sizeof(c));
	/* grant -> local */
	c[0].source.u.ref = ro;
	c[0].source.domid = GT_FRONT;
	c[0].source.offset = 100;
	c[0].dest.u.gfn = xg_port_virt_to_gfn(bpage);
	c[0].dest.domid = DOMID_SELF;
	c[0].dest.offset = 8;
	c[0].len = 18;
	c[0].flags = XG_GNTCOPY_SOURCE_GREF;
	/* local -> read-only grant: refused */
	c[1].source.u.gfn = xg_port_virt_to_gfn(bpage);
	c[1].source.domid = DOMID_SELF;
	c[1].dest.u.ref = ro;
	c[1].dest.domid = GT_FRONT;
	c[1].len = 4;
	c[1].flags = XG_GNTCOPY_DEST_GREF;
	/* local -> writable grant, crossing the page end: refused */
	c[2] = c[1];
	c[2].dest.u.ref = rw;
	c[2].dest.offset = 4094;
	fx_counts_reset();
	assert_int_equal(xg_gnttab_copy(c, 3), XG_EIO);
	assert_int_equal(fx_count(__HYPERVISOR_grant_table_op, GNTTABOP_copy), 1);
	assert_int_equal(c[0].status, 0);
	assert_int_equal(c[1].status, XG_EIO);
	assert_int_equal(c[2].status, XG_ERANGE);
	assert_string_equal((char *)bpage + 8, "from the frontend");
	/* local -> writable grant */
	memcpy(bpage, "ack", 4);
	c[2].dest.offset = 0;
	assert_int_equal(xg_gnttab_copy(&c[2], 1), 0);
	gt_as_front();
	assert_string_equal((char *)fpage, "ack");
	/* Copies leave no mapping behind. */
	assert_int_equal(xg_gnttab_end_access_free(&gt, ro), 0);
	assert_int_equal(xg_gnttab_end_access_free(&gt, rw), 0);
}

/* Hostile values in the words the hypervisor writes: the library must
 * stay safe (never free a reference whose flags say it is mapped) and
 * never assert. */
static void test_hostile_flags(void **state)
{
	static const uint16_t hostile[] = { 0xffff, GTF_reading, GTF_writing,
					    GTF_reading | 0x8000, 0xfff8 };
	struct xg_gnttab_stats s;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		xg_gref_t ref = grant_page(false);
		uint16_t *w = gt_version == 2
				      ? fx_gnttab_status_word(gt_front_dom, ref)
				      : fx_gnttab_flags_word(gt_front_dom, ref);

		__atomic_store_n(w, hostile[i], __ATOMIC_SEQ_CST);
		assert_int_equal(xg_gnttab_end_access_free(&gt, ref), XG_EBUSY);
		gt_run_work();
		xg_gnttab_stats(&gt, &s);
		assert_int_equal(s.pending, 1);
		/* The "peer" lets go. */
		__atomic_store_n(w, gt_version == 2 ? 0 : GTF_permit_access,
				 __ATOMIC_SEQ_CST);
		gt_run_work();
		xg_gnttab_stats(&gt, &s);
		assert_int_equal(s.pending, 0);
	}
	/* Harmless junk (no busy bits) does not stop the end of access. */
	{
		xg_gref_t ref = grant_page(false);
		uint16_t *w = fx_gnttab_flags_word(gt_front_dom, ref);

		__atomic_store_n(w, (uint16_t)(0xffe7), __ATOMIC_SEQ_CST);
		assert_int_equal(xg_gnttab_end_access(&gt, ref), 0);
		assert_int_equal(*w, 0);
		xg_gnttab_free(&gt, ref);
	}
}

static void test_suspend_resume(void **state)
{
	struct xg_gnttab_map_op op;
	struct xg_gnttab_stats s;
	xg_gref_t kept = grant_page(false), busy = grant_page(false), r;
	static xg_gref_t many[600];

	(void)state;
	/* Grow to two frames so resume has several to map. */
	assert_int_equal(xg_gnttab_alloc_batch(&gt, many, 600), 0);
	assert_int_equal(back_map(&op, busy, false), 0);
	assert_int_equal(xg_gnttab_end_access_free(&gt, busy), XG_EBUSY);
	xg_gnttab_suspend(&gt);
	fx_gnttab_restore(gt_front_dom); /* the backend's mapping is gone */
	assert_int_equal(fx_gnttab_nr_frames(gt_front_dom), 0);
	assert_int_equal(xg_gnttab_resume(&gt), 0);
	assert_int_equal(fx_gnttab_nr_frames(gt_front_dom), gt.nr_frames);
	assert_int_equal(fx_gnttab_version(gt_front_dom), gt_version);
	gt_run_work();
	xg_gnttab_stats(&gt, &s);
	assert_int_equal(s.pending, 0);
	assert_int_equal(reclaim_calls, 1);
	/* The kept reference is still ours: grant it again, it works. */
	xg_gnttab_grant(&gt, kept, GT_BACK, xg_port_virt_to_gfn(fpage), false);
	memcpy(fpage, "after resume", 13);
	assert_int_equal(back_map(&op, kept, true), 0);
	assert_string_equal((char *)bpage, "after resume");
	back_unmap(&op);
	assert_int_equal(xg_gnttab_end_access_free(&gt, kept), 0);
	xg_gnttab_free_batch(&gt, many, 600);
	assert_int_equal(xg_gnttab_alloc(&gt, &r), 0);
	xg_gnttab_free(&gt, r);
}

#if XG_CONFIG_GNTTAB_V2
#define T(fn) \
	cmocka_unit_test_setup_teardown(fn, setup_v1, teardown), \
	cmocka_unit_test_setup_teardown(fn, setup_v2, teardown)
#else
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_v1, teardown)
#endif

/* Built without v2: asking for it is refused cleanly. */
static void test_v2_refused_when_disabled(void **state)
{
	struct xg_gnttab_config cfg = { .version = 2 };
	struct xg_gnttab other;

	(void)state;
	assert_int_equal(xg_gnttab_init(&other, &gt_xen, &cfg),
			 XG_CONFIG_GNTTAB_V2 ? 0 : XG_EOPNOTSUPP);
	if (XG_CONFIG_GNTTAB_V2)
		xg_gnttab_fini(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v2_refused_when_disabled, setup_v1, teardown),
		T(test_version_selected),
		T(test_exchange_through_map),
		T(test_readonly_map_rules),
		T(test_other_domain_cannot_map),
		T(test_end_access_while_mapped_defers),
		T(test_end_access_retry_by_caller),
		T(test_many_deferred_reclaimed),
		T(test_copy),
		T(test_hostile_flags),
		T(test_suspend_resume),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
