/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Grant table frontend: frame setup and growth, granting and ending
 * access (v1 here, v2 in v2.c), the deferred reclaim of grants a peer
 * still maps, suspend and resume.
 */
#include <xenguest/hypercall.h>

#include "gnttab_internal.h"

/* Reclaim retries back off from 1 ms to about 1 s. */
#define XG_RECLAIM_DELAY_NS 1000000ull
#define XG_RECLAIM_MAX_SHIFT 10u
/* Grants released per locked pass of the reclaim work. */
#define XG_RECLAIM_BATCH 16u
/* A flags word that keeps changing under the compare-exchange is
 * treated as busy rather than spun on forever. */
#define XG_END_TRIES 64u

/* ---- frames ----------------------------------------------------------- */

static int xg_gnttab_map_frame(struct xg_gnttab *gt, xen_ulong_t idx,
			       uint64_t gfn)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_grant_table,
		.idx = idx,
		.gpfn = (xen_pfn_t)gfn,
	};
	long rc = xg_hc_memory_op(XENMEM_add_to_physmap, &xatp);

	(void)gt;
	if (rc < 0)
		xg_err("xenguest: grant frame %#lx: %ld\n", (unsigned long)idx,
		       rc);
	return (int)rc;
}

/*
 * Map frames [from, to) (and for v2 the status frames they need),
 * highest first: Xen grows its table to idx + 1 frames on the first
 * mapping beyond its size, so it grows once, not once per frame.
 */
static int xg_gnttab_map_frames(struct xg_gnttab *gt, unsigned from,
				unsigned to)
{
	unsigned i;
	int rc;

	for (i = to; i-- > from;) {
		rc = xg_gnttab_map_frame(gt, i, gt->region_gfn + i);
		if (rc != 0)
			return rc;
	}
	if (gt->version == 2) {
		unsigned s_to = xg_gnttab_status_frames(to);

		for (i = s_to; i-- > xg_gnttab_status_frames(from);) {
			rc = xg_gnttab_map_frame(gt,
				i | XENMAPIDX_grant_table_status,
				gt->region_gfn + gt->max_frames + i);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

int xg_gnttab_grow_locked_(struct xg_gnttab *gt, unsigned frames)
{
	int rc;

	if (frames <= gt->nr_frames)
		return 0;
	if (frames > gt->max_frames || gt->suspended_)
		return XG_ENOSPC;
	rc = xg_gnttab_map_frames(gt, gt->nr_frames, frames);
	if (rc != 0)
		return rc;
	gt->nr_frames = frames;
	gt->nr_refs_ = frames * xg_gnttab_per_frame(gt);
	gt->stats_.grows++;
	return 0;
}

static int xg_gnttab_set_version(unsigned version)
{
	struct gnttab_set_version sv = { .version = version };
	long rc = xg_hc_grant_table_op(GNTTABOP_set_version, &sv, 1);

	if (rc < 0)
		return (int)rc;
	return sv.version == version ? 0 : XG_EOPNOTSUPP;
}

static int xg_gnttab_query_max(unsigned *max)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	long rc = xg_hc_grant_table_op(GNTTABOP_query_size, &q, 1);

	if (rc < 0)
		return (int)rc;
	if (q.status != GNTST_okay)
		return xg_gnttab_status_to_errno(q.status);
	*max = q.max_nr_frames;
	return 0;
}

static int xg_gnttab_parse_config(struct xg_gnttab *gt,
				  const struct xg_gnttab_config *cfg,
				  unsigned *initial)
{
	unsigned version = cfg != NULL && cfg->version ? cfg->version : 1;
	unsigned cap = cfg != NULL && cfg->max_frames ? cfg->max_frames
						      : XG_GNTTAB_DEFAULT_MAX_FRAMES;

	if (version != 1 && version != 2)
		return XG_EINVAL;
	if (version == 2 && !XG_CONFIG_GNTTAB_V2)
		return XG_EOPNOTSUPP;
	/* The side array's link words hold 30-bit reference numbers. */
	if (cap > (XG_L_NEXT - 1) / XG_GNTTAB_V1_PER_FRAME)
		return XG_EINVAL;
	gt->version = version;
	gt->max_frames = cap;
	gt->reclaimed = cfg != NULL ? cfg->reclaimed : NULL;
	*initial = cfg != NULL && cfg->initial_frames ? cfg->initial_frames : 1;
	return 0;
}

static void xg_gnttab_release_memory(struct xg_gnttab *gt)
{
	if (gt->entries != NULL)
		xg_port_gnttab_space_free(gt->entries, gt->region_frames);
	if (gt->link_ != NULL)
		xg_port_page_free(gt->link_, gt->link_pages_);
	gt->entries = NULL;
	gt->status = NULL;
	gt->link_ = NULL;
}

static int xg_gnttab_alloc_memory(struct xg_gnttab *gt)
{
	size_t nrefs = (size_t)gt->max_frames * xg_gnttab_per_frame(gt);

	gt->region_frames = gt->max_frames;
	if (gt->version == 2)
		gt->region_frames += xg_gnttab_status_frames(gt->max_frames);
	gt->link_pages_ = (nrefs * sizeof(uint32_t) + XG_PAGE_SIZE - 1) /
			  XG_PAGE_SIZE;
	gt->entries = xg_port_gnttab_space_alloc(gt->xen, gt->region_frames,
						 &gt->region_gfn);
	gt->link_ = xg_port_page_alloc(gt->link_pages_);
	if (gt->entries == NULL || gt->link_ == NULL) {
		xg_gnttab_release_memory(gt);
		return XG_ENOMEM;
	}
	if (gt->version == 2)
		gt->status = (uint16_t *)(void *)((char *)gt->entries +
			(size_t)gt->max_frames * XG_PAGE_SIZE);
	return 0;
}

static void xg_gnttab_work_fn(struct xg_work *w);

int xg_gnttab_init(struct xg_gnttab *gt, struct xg_xen *xen,
		   const struct xg_gnttab_config *cfg)
{
	unsigned initial;
	int rc;

	if (gt == NULL || xen == NULL)
		return XG_EINVAL;
	xg_memset(gt, 0, sizeof(*gt));
	gt->xen = xen;
	rc = xg_gnttab_parse_config(gt, cfg, &initial);
	if (rc == 0 && gt->version == 2)
		rc = xg_gnttab_set_version(2);
	if (rc == 0)
		rc = xg_gnttab_query_max(&gt->xen_max_frames);
	if (rc != 0)
		return rc;
	if (gt->xen_max_frames < gt->max_frames)
		gt->max_frames = gt->xen_max_frames;
	if (gt->max_frames == 0)
		return XG_ENOSPC;
	if (initial > gt->max_frames)
		initial = gt->max_frames;
	xg_port_lock_init(&gt->lock);
	gt->work_.fn = xg_gnttab_work_fn;
	gt->free_head_ = XG_GREF_INVALID;
	gt->reclaim_head_ = XG_GREF_INVALID;
	gt->bump_ = XG_GNTTAB_FIRST_REF;
	rc = xg_gnttab_alloc_memory(gt);
	if (rc == 0)
		rc = xg_gnttab_grow_locked_(gt, initial); /* not yet shared */
	if (rc != 0) {
		xg_gnttab_release_memory(gt);
		return rc;
	}
	xg_info("xenguest: grant table v%u, %u of %u frames\n", gt->version,
		gt->nr_frames, gt->max_frames);
	return 0;
}

void xg_gnttab_fini(struct xg_gnttab *gt)
{
	xg_gnttab_release_memory(gt);
}

/* ---- v1 entries --------------------------------------------------------- */

static struct grant_entry_v1 *xg_gnttab_v1(const struct xg_gnttab *gt,
					   xg_gref_t ref)
{
	return &((struct grant_entry_v1 *)gt->entries)[ref];
}

static void xg_gnttab_v1_grant(struct xg_gnttab *gt, xg_gref_t ref,
			       uint16_t domid, uint64_t gfn, bool readonly)
{
	struct grant_entry_v1 *e = xg_gnttab_v1(gt, ref);

	XG_ASSERT(gfn <= UINT32_MAX); /* v1 frames are 32-bit: use v2 */
	XG_WRITE_ONCE(e->domid, domid);
	XG_WRITE_ONCE(e->frame, (uint32_t)gfn);
	/* Xen must see frame and domid before the entry becomes valid. */
	xg_wmb();
	XG_WRITE_ONCE(e->flags,
		      (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)));
}

/*
 * Xen sets GTF_reading/GTF_writing with a compare-exchange on the same
 * word, so clearing the flags with a compare-exchange against a value
 * without them cannot race with a new mapping.
 */
static int xg_gnttab_v1_try_end(struct xg_gnttab *gt, xg_gref_t ref)
{
	struct grant_entry_v1 *e = xg_gnttab_v1(gt, ref);
	uint16_t flags = XG_READ_ONCE(e->flags);
	unsigned i;

	for (i = 0; i < XG_END_TRIES; i++) {
		uint16_t seen;

		if (flags & (GTF_reading | GTF_writing))
			return XG_EBUSY;
		seen = xg_cmpxchg16(&e->flags, flags, 0);
		if (seen == flags)
			return 0;
		flags = seen;
	}
	return XG_EBUSY;
}

int xg_gnttab_try_end_(struct xg_gnttab *gt, xg_gref_t ref)
{
#if XG_CONFIG_GNTTAB_V2
	if (gt->version == 2)
		return xg_gnttab_v2_try_end_(gt, ref);
#endif
	return xg_gnttab_v1_try_end(gt, ref);
}

static uint64_t xg_gnttab_frame_of(const struct xg_gnttab *gt, xg_gref_t ref)
{
#if XG_CONFIG_GNTTAB_V2
	if (gt->version == 2)
		return xg_gnttab_v2_frame_(gt, ref);
#endif
	return XG_READ_ONCE(xg_gnttab_v1(gt, ref)->frame);
}

/* ---- grant and end access ----------------------------------------------- */

void xg_gnttab_grant(struct xg_gnttab *gt, xg_gref_t ref, uint16_t domid,
		     uint64_t gfn, bool readonly)
{
	xg_gnttab_check_ref(gt, ref);
	XG_ASSERT(xg_link_get(gt, ref) == XG_L_USED);
#if XG_CONFIG_GNTTAB_V2
	if (gt->version == 2)
		xg_gnttab_v2_grant_(gt, ref, domid, gfn, readonly);
	else
#endif
		xg_gnttab_v1_grant(gt, ref, domid, gfn, readonly);
	xg_link_set(gt, ref, XG_L_GRANTED);
}

int xg_gnttab_grant_alloc(struct xg_gnttab *gt, uint16_t domid, uint64_t gfn,
			  bool readonly, xg_gref_t *ref)
{
	int rc = xg_gnttab_alloc(gt, ref);

	if (rc == 0)
		xg_gnttab_grant(gt, *ref, domid, gfn, readonly);
	return rc;
}

int xg_gnttab_end_access(struct xg_gnttab *gt, xg_gref_t ref)
{
	int rc;

	xg_gnttab_check_ref(gt, ref);
	XG_ASSERT(xg_link_get(gt, ref) == XG_L_GRANTED);
	rc = xg_gnttab_try_end_(gt, ref);
	if (rc == 0)
		xg_link_set(gt, ref, XG_L_USED);
	return rc;
}

static uint64_t xg_reclaim_delay(const struct xg_gnttab *gt)
{
	return XG_RECLAIM_DELAY_NS << gt->backoff_shift_;
}

int xg_gnttab_end_access_free(struct xg_gnttab *gt, xg_gref_t ref)
{
	xg_port_irqstate_t st;
	uint64_t delay;

	xg_gnttab_check_ref(gt, ref);
	XG_ASSERT(xg_link_get(gt, ref) == XG_L_GRANTED);
	if (xg_gnttab_try_end_(gt, ref) == 0) {
		xg_link_set(gt, ref, XG_L_USED);
		xg_gnttab_free(gt, ref);
		return 0;
	}
	st = xg_port_lock(&gt->lock);
	xg_link_set(gt, ref, XG_L_RECLAIM | xg_link_next_enc(gt->reclaim_head_));
	gt->reclaim_head_ = ref;
	gt->stats_.pending++;
	gt->stats_.deferred++;
	delay = xg_reclaim_delay(gt);
	xg_port_unlock(&gt->lock, st);
	xg_xen_work_queue(gt->xen, &gt->work_, delay);
	return XG_EBUSY;
}

/* ---- deferred reclaim ---------------------------------------------------- */

struct xg_reclaimed {
	xg_gref_t ref;
	uint64_t gfn;
};

/* Unlink the reference after @prev (XG_GREF_INVALID: the head). */
static void xg_reclaim_unlink(struct xg_gnttab *gt, xg_gref_t prev,
			      xg_gref_t next)
{
	if (prev == XG_GREF_INVALID)
		gt->reclaim_head_ = next;
	else
		xg_link_set(gt, prev, XG_L_RECLAIM | xg_link_next_enc(next));
}

/*
 * One locked pass over the deferred list: free what the peer has
 * unmapped, up to XG_RECLAIM_BATCH of them, recording them in @out for
 * the callback that runs unlocked. Returns how many; *more says that
 * the pass stopped early.
 */
static unsigned xg_reclaim_pass(struct xg_gnttab *gt,
				struct xg_reclaimed *out, bool *more)
{
	xg_port_irqstate_t st = xg_port_lock(&gt->lock);
	xg_gref_t ref = gt->reclaim_head_, prev = XG_GREF_INVALID, next;
	unsigned n = 0;

	for (; ref != XG_GREF_INVALID && n < XG_RECLAIM_BATCH; ref = next) {
		next = xg_link_next(xg_link_get(gt, ref));
		if (gt->suspended_ || xg_gnttab_try_end_(gt, ref) != 0) {
			prev = ref;
			continue;
		}
		xg_reclaim_unlink(gt, prev, next);
		out[n].ref = ref;
		out[n].gfn = xg_gnttab_frame_of(gt, ref);
		n++;
		xg_gnttab_push_free_locked_(gt, ref);
	}
	*more = ref != XG_GREF_INVALID && n == XG_RECLAIM_BATCH;
	gt->stats_.pending -= n;
	gt->stats_.reclaimed += n;
	xg_port_unlock(&gt->lock, st);
	return n;
}

static void xg_gnttab_run_reclaim(struct xg_gnttab *gt)
{
	struct xg_reclaimed done[XG_RECLAIM_BATCH];
	xg_port_irqstate_t st;
	bool more, pending;
	uint64_t delay = 0;
	unsigned i, n;

	do {
		n = xg_reclaim_pass(gt, done, &more);
		for (i = 0; i < n && gt->reclaimed != NULL; i++)
			gt->reclaimed(gt, done[i].ref, done[i].gfn);
	} while (more);

	st = xg_port_lock(&gt->lock);
	gt->stats_.reclaim_passes++;
	pending = gt->reclaim_head_ != XG_GREF_INVALID;
	if (!pending) {
		gt->backoff_shift_ = 0;
	} else {
		if (gt->backoff_shift_ < XG_RECLAIM_MAX_SHIFT)
			gt->backoff_shift_++;
		delay = xg_reclaim_delay(gt);
	}
	xg_port_unlock(&gt->lock, st);
	if (pending)
		xg_xen_work_queue(gt->xen, &gt->work_, delay);
}

static void xg_gnttab_work_fn(struct xg_work *w)
{
	struct xg_gnttab *gt = XG_CONTAINER_OF(w, struct xg_gnttab, work_);

	xg_gnttab_run_reclaim(gt);
	xg_gnttab_run_waiters_(gt);
}

void xg_gnttab_stats(struct xg_gnttab *gt, struct xg_gnttab_stats *out)
{
	xg_port_irqstate_t st = xg_port_lock(&gt->lock);

	*out = gt->stats_;
	out->free = gt->nr_free_ + (gt->nr_refs_ - gt->bump_);
	out->nr_frames = gt->nr_frames;
	xg_port_unlock(&gt->lock, st);
}

/* ---- suspend and resume ---------------------------------------------------- */

void xg_gnttab_suspend(struct xg_gnttab *gt)
{
	xg_port_irqstate_t st = xg_port_lock(&gt->lock);

	gt->suspended_ = true;
	xg_port_unlock(&gt->lock, st);
}

/* After resume the table is empty and no peer maps anything: granted
 * references are merely allocated. Deferred ones now pass the reclaim
 * check (their entries read as zero), so the work frees them. */
static void xg_gnttab_forget_grants_locked(struct xg_gnttab *gt)
{
	xg_gref_t ref;

	for (ref = XG_GNTTAB_FIRST_REF; ref < gt->bump_; ref++)
		if (xg_link_get(gt, ref) == XG_L_GRANTED)
			xg_link_set(gt, ref, XG_L_USED);
}

int xg_gnttab_resume(struct xg_gnttab *gt)
{
	xg_port_irqstate_t st;
	int rc = 0;

	if (gt->version == 2)
		rc = xg_gnttab_set_version(2);
	if (rc == 0)
		rc = xg_gnttab_map_frames(gt, 0, gt->nr_frames);
	if (rc != 0)
		return rc;
	st = xg_port_lock(&gt->lock);
	xg_gnttab_forget_grants_locked(gt);
	gt->suspended_ = false;
	gt->backoff_shift_ = 0;
	xg_port_unlock(&gt->lock, st);
	/* Deferred references pass the check now: release them here
	 * rather than when the (possibly backed-off) work runs. */
	xg_gnttab_run_reclaim(gt);
	xg_gnttab_run_waiters_(gt);
	return 0;
}
