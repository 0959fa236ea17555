/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The grant reference allocator. Free references form a LIFO list
 * threaded through the side array (gnttab_internal.h), so allocation and
 * release are O(1) with no search. References that were never handed
 * out lie above gt->bump_ and are taken in order, which is also where
 * contiguous runs come from; the table grows one frame at a time when
 * both run dry. Nothing here blocks: an empty table is XG_ENOSPC and a
 * waiter queue calls back from deferred work.
 */
#include "gnttab_internal.h"

/* References obtainable now without growing. */
static uint32_t xg_avail_locked(const struct xg_gnttab *gt)
{
	return gt->nr_free_ + (gt->nr_refs_ - gt->bump_);
}

/* ... and counting what growth could still add. */
static uint32_t xg_avail_max_locked(const struct xg_gnttab *gt)
{
	if (gt->suspended_)
		return xg_avail_locked(gt);
	return xg_avail_locked(gt) +
	       (gt->max_frames - gt->nr_frames) * xg_gnttab_per_frame(gt);
}

/* Grow so that @need references are available without growing. */
static int xg_ensure_locked(struct xg_gnttab *gt, uint32_t need)
{
	uint32_t avail = xg_avail_locked(gt), per = xg_gnttab_per_frame(gt);

	if (XG_LIKELY(avail >= need))
		return 0;
	if (need > xg_avail_max_locked(gt))
		return XG_ENOSPC;
	return xg_gnttab_grow_locked_(gt, gt->nr_frames +
				      (need - avail + per - 1) / per);
}

/* Take one reference; xg_ensure_locked() said there is one. */
static xg_gref_t xg_take_locked(struct xg_gnttab *gt)
{
	xg_gref_t ref = gt->free_head_;

	if (ref != XG_GREF_INVALID) {
		gt->free_head_ = xg_link_next(xg_link_get(gt, ref));
		gt->nr_free_--;
	} else {
		ref = gt->bump_;
		/* Read without the lock by xg_gnttab_check_ref(). */
		__atomic_store_n(&gt->bump_, ref + 1, __ATOMIC_RELAXED);
	}
	xg_link_set(gt, ref, XG_L_USED);
	return ref;
}

void xg_gnttab_push_free_locked_(struct xg_gnttab *gt, xg_gref_t ref)
{
	xg_link_set(gt, ref, XG_L_FREE | xg_link_next_enc(gt->free_head_));
	gt->free_head_ = ref;
	gt->nr_free_++;
}

bool xg_gnttab_waiters_ready_locked_(const struct xg_gnttab *gt)
{
	return gt->wait_head_ != NULL &&
	       xg_avail_max_locked(gt) >= gt->wait_head_->count;
}

int xg_gnttab_alloc(struct xg_gnttab *gt, xg_gref_t *ref)
{
	xg_port_irqstate_t st = xg_port_lock(&gt->lock);
	xg_gref_t r = gt->free_head_;
	int rc = 0;

	if (XG_LIKELY(r != XG_GREF_INVALID)) {
		/* The hot path: pop the free list. */
		gt->free_head_ = xg_link_next(xg_link_get(gt, r));
		gt->nr_free_--;
		xg_link_set(gt, r, XG_L_USED);
	} else {
		rc = xg_ensure_locked(gt, 1);
		if (rc == 0)
			r = xg_take_locked(gt);
	}
	xg_port_unlock(&gt->lock, st);
	*ref = r;
	return rc;
}

int xg_gnttab_alloc_batch(struct xg_gnttab *gt, xg_gref_t *refs, unsigned n)
{
	xg_port_irqstate_t st = xg_port_lock(&gt->lock);
	int rc = xg_ensure_locked(gt, n);
	unsigned i;

	for (i = 0; rc == 0 && i < n; i++)
		refs[i] = xg_take_locked(gt);
	xg_port_unlock(&gt->lock, st);
	return rc;
}

int xg_gnttab_alloc_contig(struct xg_gnttab *gt, unsigned n, xg_gref_t *first)
{
	xg_port_irqstate_t st;
	uint32_t per = xg_gnttab_per_frame(gt), end;
	int rc = 0;
	unsigned i;

	if (n == 0)
		return XG_EINVAL;
	st = xg_port_lock(&gt->lock);
	end = gt->bump_ + n;
	if (end < gt->bump_ || end > gt->max_frames * per)
		rc = XG_ENOSPC;
	else if (end > gt->nr_refs_)
		rc = xg_gnttab_grow_locked_(gt, (end + per - 1) / per);
	if (rc == 0) {
		*first = gt->bump_;
		for (i = 0; i < n; i++)
			xg_link_set(gt, gt->bump_ + i, XG_L_USED);
		__atomic_store_n(&gt->bump_, end, __ATOMIC_RELAXED);
	}
	xg_port_unlock(&gt->lock, st);
	return rc;
}

/* A reference may be freed only if it is allocated and grants nothing. */
static void xg_check_freeable(const struct xg_gnttab *gt, xg_gref_t ref)
{
	uint32_t w;

	xg_gnttab_check_ref(gt, ref);
	w = xg_link_get(gt, ref);
	XG_ASSERT(w != XG_L_GRANTED); /* end access first */
	XG_ASSERT(w == XG_L_USED);    /* double free */
}

/* Queue the work if a waiter can now be satisfied; gt->lock held. */
static bool xg_free_done_locked(struct xg_gnttab *gt)
{
	return XG_UNLIKELY(gt->wait_head_ != NULL) &&
	       xg_gnttab_waiters_ready_locked_(gt);
}

void xg_gnttab_free(struct xg_gnttab *gt, xg_gref_t ref)
{
	xg_port_irqstate_t st;
	bool wake;

	xg_check_freeable(gt, ref);
	st = xg_port_lock(&gt->lock);
	xg_gnttab_push_free_locked_(gt, ref);
	wake = xg_free_done_locked(gt);
	xg_port_unlock(&gt->lock, st);
	if (wake)
		xg_xen_work_queue(gt->xen, &gt->work_, 0);
}

void xg_gnttab_free_batch(struct xg_gnttab *gt, const xg_gref_t *refs,
			  unsigned n)
{
	xg_port_irqstate_t st;
	unsigned i;
	bool wake;

	for (i = 0; i < n; i++)
		xg_check_freeable(gt, refs[i]);
	st = xg_port_lock(&gt->lock);
	for (i = 0; i < n; i++)
		xg_gnttab_push_free_locked_(gt, refs[i]);
	wake = xg_free_done_locked(gt);
	xg_port_unlock(&gt->lock, st);
	if (wake)
		xg_xen_work_queue(gt->xen, &gt->work_, 0);
}

/* ---- pools ------------------------------------------------------------- */

static void xg_pool_push(struct xg_gnttab *gt, struct xg_gnttab_pool *pool,
			 xg_gref_t ref)
{
	if (pool->count_ == 0)
		pool->tail_ = ref;
	xg_link_set(gt, ref, XG_L_FREE | xg_link_next_enc(
		pool->count_ ? pool->head_ : XG_GREF_INVALID));
	pool->head_ = ref;
	pool->count_++;
}

int xg_gnttab_pool_fill(struct xg_gnttab *gt, struct xg_gnttab_pool *pool,
			unsigned n)
{
	xg_port_irqstate_t st = xg_port_lock(&gt->lock);
	int rc = xg_ensure_locked(gt, n);
	unsigned i;

	for (i = 0; rc == 0 && i < n; i++)
		xg_pool_push(gt, pool, xg_take_locked(gt));
	xg_port_unlock(&gt->lock, st);
	return rc;
}

xg_gref_t xg_gnttab_pool_alloc(struct xg_gnttab *gt,
			       struct xg_gnttab_pool *pool)
{
	xg_gref_t ref = pool->head_;

	if (pool->count_ == 0)
		return XG_GREF_INVALID;
	pool->head_ = xg_link_next(xg_link_get(gt, ref));
	pool->count_--;
	xg_link_set(gt, ref, XG_L_USED);
	return ref;
}

void xg_gnttab_pool_free(struct xg_gnttab *gt, struct xg_gnttab_pool *pool,
			 xg_gref_t ref)
{
	xg_check_freeable(gt, ref);
	xg_pool_push(gt, pool, ref);
}

void xg_gnttab_pool_drain(struct xg_gnttab *gt, struct xg_gnttab_pool *pool)
{
	xg_port_irqstate_t st;
	bool wake;

	if (pool->count_ == 0)
		return;
	st = xg_port_lock(&gt->lock);
	xg_link_set(gt, pool->tail_,
		    XG_L_FREE | xg_link_next_enc(gt->free_head_));
	gt->free_head_ = pool->head_;
	gt->nr_free_ += pool->count_;
	wake = xg_free_done_locked(gt);
	xg_port_unlock(&gt->lock, st);
	pool->count_ = 0;
	pool->head_ = pool->tail_ = XG_GREF_INVALID;
	if (wake)
		xg_xen_work_queue(gt->xen, &gt->work_, 0);
}

unsigned xg_gnttab_pool_count(const struct xg_gnttab_pool *pool)
{
	return pool->count_;
}

/* ---- waiters ------------------------------------------------------------- */

void xg_gnttab_wait(struct xg_gnttab *gt, struct xg_gnttab_waiter *w)
{
	xg_port_irqstate_t st;
	bool wake;

	XG_ASSERT(w->fn != NULL);
	st = xg_port_lock(&gt->lock);
	if (!w->queued_) {
		w->queued_ = true;
		w->next_ = NULL;
		if (gt->wait_tail_ != NULL)
			gt->wait_tail_->next_ = w;
		else
			gt->wait_head_ = w;
		gt->wait_tail_ = w;
	}
	wake = xg_gnttab_waiters_ready_locked_(gt);
	xg_port_unlock(&gt->lock, st);
	if (wake)
		xg_xen_work_queue(gt->xen, &gt->work_, 0);
}

bool xg_gnttab_wait_cancel(struct xg_gnttab *gt, struct xg_gnttab_waiter *w)
{
	xg_port_irqstate_t st = xg_port_lock(&gt->lock);
	struct xg_gnttab_waiter **pp, *prev = NULL;
	bool found = false;

	for (pp = &gt->wait_head_; *pp != NULL; prev = *pp, pp = &(*pp)->next_) {
		if (*pp != w)
			continue;
		*pp = w->next_;
		if (gt->wait_tail_ == w)
			gt->wait_tail_ = prev;
		w->queued_ = false;
		found = true;
		break;
	}
	xg_port_unlock(&gt->lock, st);
	return found;
}

/* Pop the head waiter if what it asks for is available. */
static struct xg_gnttab_waiter *xg_pop_ready_waiter(struct xg_gnttab *gt)
{
	xg_port_irqstate_t st = xg_port_lock(&gt->lock);
	struct xg_gnttab_waiter *w = NULL;

	if (xg_gnttab_waiters_ready_locked_(gt)) {
		w = gt->wait_head_;
		gt->wait_head_ = w->next_;
		if (gt->wait_head_ == NULL)
			gt->wait_tail_ = NULL;
		w->queued_ = false;
	}
	xg_port_unlock(&gt->lock, st);
	return w;
}

/* Waiters called per run of the work; a callback that registers again
 * without allocating must not keep the worker busy forever. */
#define XG_WAITERS_PER_RUN 64u

/* In FIFO order, so a large request is not starved by small ones. */
void xg_gnttab_run_waiters_(struct xg_gnttab *gt)
{
	struct xg_gnttab_waiter *w;
	unsigned i;

	for (i = 0; i < XG_WAITERS_PER_RUN; i++) {
		w = xg_pop_ready_waiter(gt);
		if (w == NULL)
			return;
		w->fn(w);
	}
	xg_xen_work_queue(gt->xen, &gt->work_, 0);
}
