/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The blkfront example's response path against a hostile backend, with
 * real grant entries on the fake hypervisor (frontend domain 1, backend
 * domain 0). The driver's own file is included so that its static
 * functions (issue, collect, reap) can be driven one step at a time; the
 * "backend" writes responses straight into the shared ring.
 */
#include "gnttab/gt_fixture.h"
#include "blkfront.c"

static struct xg_gnttab gt;
static struct blkfront bf;
static struct blkif_sring *sring;
static unsigned char *data_page, *bpage;
static uint32_t free_at_start;

static uint32_t gt_free(void)
{
	struct xg_gnttab_stats s;

	xg_gnttab_stats(&gt, &s);
	return s.free;
}

static int setup(void **state)
{
	struct xg_gnttab_config cfg = { .max_frames = 4 };

	(void)state;
	gt_fixture_up();
	assert_int_equal(xg_gnttab_init(&gt, &gt_xen, &cfg), 0);
	sring = gt_low_page();
	data_page = gt_low_page();
	bpage = gt_low_page();
	memset(&bf, 0, sizeof(bf));
	bf.cfg.gt = &gt;
	bf.backend_id = GT_BACK;
	bf.max_segs = DIRECT_SEGS;
	xg_port_lock_init(&bf.lock);
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&bf.ring, sring, BLKFRONT_PAGE);
	free_at_start = gt_free();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gt_as_front();
	assert_int_equal(fx_gnttab_active_maps(), 0);
	gt_low_page_free(sring);
	gt_low_page_free(data_page);
	gt_low_page_free(bpage);
	xg_gnttab_fini(&gt);
	gt_fixture_down();
	return 0;
}

/* One request of one page in slot @id, as blkfront_io() issues it. */
static void issue(unsigned id, bool write)
{
	gt_as_front();
	assert_int_equal(blkfront_issue(&bf, id, write, 8, data_page, 8), 0);
	RING_PUSH_REQUESTS(&bf.ring);
	assert_true(bf.slots[id].busy);
}

/* The backend's side: one response at rsp_prod. */
static void respond(uint64_t id, uint8_t op, int16_t status)
{
	RING_IDX i = sring->rsp_prod;
	struct blkif_response *r = &sring->ring[i & (RING_SIZE(&bf.ring) - 1)].rsp;

	r->id = id;
	r->operation = op;
	r->status = status;
	sring->rsp_prod = i + 1;
}

static void all_grants_ended(void)
{
	assert_int_equal(bf.stats.grants_made, bf.stats.grants_ended);
	assert_int_equal(bf.stats.grants_deferred, 0);
	assert_int_equal(gt_free(), free_at_start);
}

static void test_good_response(void **state)
{
	(void)state;
	issue(0, true);
	/* The request the backend sees: one segment of 8 sectors. */
	assert_int_equal(sring->req_prod, 1);
	assert_int_equal(sring->ring[0].req.operation, BLKIF_OP_WRITE);
	assert_int_equal(sring->ring[0].req.nr_segments, 1);
	assert_int_equal(sring->ring[0].req.seg[0].last_sect, 7);
	respond(0, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
	blkfront_collect(&bf);
	assert_true(blkfront_any_done(&bf));
	assert_int_equal(blkfront_reap(&bf, 0), 0);
	assert_false(bf.slots[0].busy);
	assert_int_equal(bf.stats.bad_responses, 0);
	all_grants_ended();
}

/* Ids out of range, for an idle slot, with the wrong operation, and a
 * second answer to the same request: all ignored and counted. */
static void test_bad_ids_and_duplicates(void **state)
{
	(void)state;
	issue(0, false);
	respond(1000, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	respond(UINT64_MAX, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	respond(5, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	respond(0, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
	blkfront_collect(&bf);
	assert_false(blkfront_any_done(&bf));
	respond(0, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	respond(0, BLKIF_OP_READ, BLKIF_RSP_ERROR);
	blkfront_collect(&bf);
	assert_int_equal(bf.stats.bad_responses, 5);
	assert_int_equal(bf.slots[0].status, BLKIF_RSP_OKAY);
	assert_false(bf.broken);
	assert_int_equal(blkfront_reap(&bf, 0), 0);
	all_grants_ended();
}

static void test_error_status(void **state)
{
	(void)state;
	issue(3, true);
	respond(3, BLKIF_OP_WRITE, BLKIF_RSP_ERROR);
	blkfront_collect(&bf);
	assert_int_equal(blkfront_reap(&bf, 3), XG_EIO);
	all_grants_ended();
}

/* A producer index claiming more responses than the ring holds, or one
 * that went backwards: the ring is broken, nothing is consumed, and the
 * request in flight is abandoned with its grant ended. */
static void test_producer_overflow(void **state)
{
	(void)state;
	issue(1, true);
	sring->rsp_prod = bf.ring.rsp_cons + RING_SIZE(&bf.ring) + 1;
	blkfront_collect(&bf);
	assert_true(bf.broken);
	assert_int_equal(bf.ring.rsp_cons, 0);
	assert_true(blkfront_any_done(&bf)); /* the waiter wakes up */
	blkfront_abandon(&bf);
	assert_false(bf.slots[1].busy);
	all_grants_ended();
}

static void test_producer_backwards(void **state)
{
	(void)state;
	issue(1, true);
	respond(1, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
	blkfront_collect(&bf);
	assert_int_equal(blkfront_reap(&bf, 1), 0);
	sring->rsp_prod = 0; /* behind rsp_cons (1) */
	blkfront_collect(&bf);
	assert_true(bf.broken);
	all_grants_ended();
}

/* A backend that keeps a data page mapped after answering: the grant
 * cannot end; it goes to the reclaim queue, the driver stops (EBUSY),
 * and the reference comes back once the backend unmaps. */
static void test_page_still_mapped(void **state)
{
	struct xg_gnttab_map_op op;
	struct xg_gnttab_stats s;

	(void)state;
	issue(2, false);
	gt_as_back();
	xg_gnttab_map_op_set(&op, bpage, GT_FRONT, bf.slots[2].refs[0], false);
	assert_int_equal(xg_gnttab_map(&op, 1), 0);
	gt_as_front();
	respond(2, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	blkfront_collect(&bf);
	assert_int_equal(blkfront_reap(&bf, 2), XG_EBUSY);
	assert_int_equal(bf.stats.grants_deferred, 1);
	assert_true(bf.broken);
	xg_gnttab_stats(&gt, &s);
	assert_int_equal(s.pending, 1);
	gt_as_back();
	assert_int_equal(xg_gnttab_unmap(&op, 1), 0);
	gt_as_front();
	gt_run_work();
	xg_gnttab_stats(&gt, &s);
	assert_int_equal(s.pending, 0);
	assert_int_equal(gt_free(), free_at_start);
}

/* More than BLKFRONT_MAX_SEGS pages... no: more than 11 pages make an
 * indirect request whose descriptors live in a granted page. */
static void test_indirect_request(void **state)
{
	static unsigned char *pages[12];
	void *ind;

	(void)state;
	/* 12 contiguous low pages: the buffer blkfront_issue() splits. */
	pages[0] = gt_low_page();
	for (unsigned i = 1; i < 12; i++) {
		pages[i] = gt_low_page();
		assert_ptr_equal(pages[i], pages[i - 1] + 4096);
	}
	ind = gt_low_page();
	bf.indirect_pages = ind;
	bf.max_segs = 12;
	gt_as_front();
	assert_int_equal(blkfront_issue(&bf, 0, true, 0, pages[0], 96), 0);
	RING_PUSH_REQUESTS(&bf.ring);
	{
		struct blkif_request_indirect *r = (void *)&sring->ring[0].req;
		struct blkif_request_segment *seg = ind;

		assert_int_equal(r->operation, BLKIF_OP_INDIRECT);
		assert_int_equal(r->indirect_op, BLKIF_OP_WRITE);
		assert_int_equal(r->nr_segments, 12);
		assert_int_equal(r->indirect_grefs[0], bf.slots[0].ind_ref);
		assert_int_equal(seg[11].gref, bf.slots[0].refs[11]);
		assert_int_equal(seg[11].last_sect, 7);
	}
	/* Linux answers an indirect request with its inner operation. */
	respond(0, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
	blkfront_collect(&bf);
	assert_int_equal(blkfront_reap(&bf, 0), 0);
	assert_int_equal(bf.stats.grants_made, 13);
	all_grants_ended();
	for (unsigned i = 0; i < 12; i++)
		gt_low_page_free(pages[i]);
	gt_low_page_free(ind);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_good_response),
		T(test_bad_ids_and_duplicates),
		T(test_error_status),
		T(test_producer_overflow),
		T(test_producer_backwards),
		T(test_page_still_mapped),
		T(test_indirect_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
