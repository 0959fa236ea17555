/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* Fake hypervisor: grant tables (see gnttab.h). */
#include <stdbool.h>
#include <string.h>

#include "gnttab.h"

#define FX_EINVAL 22
#define FX_EBUSY 16
#define FX_EPERM 1
#define FX_ENOSYS 38

#define FX_V1_PER_FRAME 512u
#define FX_V2_PER_FRAME 256u
#define FX_STATUS_PER_FRAME 2048u
#define FX_GT_MAX_REFS (FX_GT_MAX_FRAMES * FX_V1_PER_FRAME)

struct fx_gt {
	struct fx_domain *d;
	unsigned version;
	unsigned nr_frames;
	unsigned max_frames;
	unsigned grows;
	void *frame[FX_GT_MAX_FRAMES];      /* guest page of each frame */
	uint16_t *sframe[FX_GT_MAX_FRAMES]; /* guest page of status frames */
	uint16_t status_shadow[FX_GT_MAX_REFS]; /* until a status frame is mapped */
	uint16_t pin_ro[FX_GT_MAX_REFS];
	uint16_t pin_rw[FX_GT_MAX_REFS];
};

struct fx_map {
	bool in_use;
	domid_t mapper;
	struct fx_gt *granter;
	uint32_t ref;
	uint64_t host_addr;
	void *granted_page;
	bool readonly;
};

static struct fx_gt fx_gts[FX_MAX_DOMAINS];
static struct fx_map fx_maps[FX_GT_MAX_MAPS];
static unsigned fx_nmaps;

static struct fx_gt *fx_gt(struct fx_domain *d)
{
	unsigned i;

	if (d == NULL)
		return NULL;
	if (d->ext[FX_EXT_GNTTAB] != NULL)
		return d->ext[FX_EXT_GNTTAB];
	for (i = 0; i < FX_MAX_DOMAINS; i++) {
		if (fx_gts[i].d != NULL)
			continue;
		memset(&fx_gts[i], 0, sizeof(fx_gts[i]));
		fx_gts[i].d = d;
		fx_gts[i].version = 1;
		fx_gts[i].max_frames = FX_GT_MAX_FRAMES;
		d->ext[FX_EXT_GNTTAB] = &fx_gts[i];
		return &fx_gts[i];
	}
	return NULL;
}

static unsigned fx_per_frame(const struct fx_gt *gt)
{
	return gt->version == 2 ? FX_V2_PER_FRAME : FX_V1_PER_FRAME;
}

static unsigned fx_nr_entries(const struct fx_gt *gt)
{
	return gt->nr_frames * fx_per_frame(gt);
}

static unsigned fx_status_frames(unsigned nr_frames)
{
	return (nr_frames * FX_V2_PER_FRAME + FX_STATUS_PER_FRAME - 1) /
	       FX_STATUS_PER_FRAME;
}

/* The entry's header (flags, domid), or NULL if its frame is unmapped. */
static struct grant_entry_header *fx_entry(const struct fx_gt *gt,
					   uint32_t ref)
{
	unsigned per = fx_per_frame(gt), size = 4096 / per;
	char *page;

	if (ref >= fx_nr_entries(gt))
		return NULL;
	page = gt->frame[ref / per];
	if (page == NULL)
		return NULL;
	return (void *)(page + (ref % per) * size);
}

static uint64_t fx_entry_frame(const struct fx_gt *gt,
			       struct grant_entry_header *h)
{
	if (gt->version == 2)
		return __atomic_load_n(&((union grant_entry_v2 *)(void *)h)
						->full_page.frame,
				       __ATOMIC_RELAXED);
	return __atomic_load_n(&((struct grant_entry_v1 *)(void *)h)->frame,
			       __ATOMIC_RELAXED);
}

static uint16_t *fx_status(struct fx_gt *gt, uint32_t ref)
{
	uint16_t *page = gt->sframe[ref / FX_STATUS_PER_FRAME];

	return page != NULL ? &page[ref % FX_STATUS_PER_FRAME]
			    : &gt->status_shadow[ref];
}

/* ---- pinning: what Xen does to the entry on map and unmap -------------- */

static bool fx_entry_grants(uint16_t flags, domid_t domid, domid_t to,
			    bool readonly)
{
	if ((flags & GTF_type_mask) != GTF_permit_access || domid != to)
		return false;
	if (flags & GTF_sub_page)
		return false; /* copy only */
	return readonly || !(flags & GTF_readonly);
}

static uint16_t fx_busy_bits(bool readonly)
{
	return (uint16_t)(GTF_reading | (readonly ? 0 : GTF_writing));
}

/* v1: check and set in one compare-exchange, as the granter's
 * end-of-access races with us on the same word. */
static int fx_pin_v1(struct fx_gt *gt, uint32_t ref, domid_t to, bool ro)
{
	struct grant_entry_header *h = fx_entry(gt, ref);
	uint32_t *combo = (uint32_t *)(void *)h, old, new_;

	old = __atomic_load_n(combo, __ATOMIC_SEQ_CST);
	do {
		struct grant_entry_header v;

		memcpy(&v, &old, sizeof(v));
		if (!fx_entry_grants(v.flags, v.domid, to, ro))
			return GNTST_general_error;
		v.flags |= fx_busy_bits(ro);
		memcpy(&new_, &v, sizeof(new_));
	} while (!__atomic_compare_exchange_n(combo, &old, new_, false,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	return GNTST_okay;
}

/* v2: set the status bits, then re-check the entry and back out if the
 * granter revoked it meanwhile. */
static int fx_pin_v2(struct fx_gt *gt, uint32_t ref, domid_t to, bool ro)
{
	struct grant_entry_header *h = fx_entry(gt, ref);
	uint16_t *st = fx_status(gt, ref);
	uint16_t flags = __atomic_load_n(&h->flags, __ATOMIC_SEQ_CST);
	domid_t domid = __atomic_load_n(&h->domid, __ATOMIC_SEQ_CST);

	if (!fx_entry_grants(flags, domid, to, ro))
		return GNTST_general_error;
	__atomic_fetch_or(st, fx_busy_bits(ro), __ATOMIC_SEQ_CST);
	flags = __atomic_load_n(&h->flags, __ATOMIC_SEQ_CST);
	domid = __atomic_load_n(&h->domid, __ATOMIC_SEQ_CST);
	if (!fx_entry_grants(flags, domid, to, ro)) {
		uint16_t keep = 0;

		if (gt->pin_rw[ref])
			keep |= GTF_writing | GTF_reading;
		if (gt->pin_ro[ref])
			keep |= GTF_reading;
		__atomic_fetch_and(st, (uint16_t)(keep | ~fx_busy_bits(ro)),
				   __ATOMIC_SEQ_CST);
		return GNTST_general_error;
	}
	return GNTST_okay;
}

static int fx_pin(struct fx_gt *gt, uint32_t ref, domid_t to, bool ro)
{
	int rc = gt->version == 2 ? fx_pin_v2(gt, ref, to, ro)
				  : fx_pin_v1(gt, ref, to, ro);

	if (rc == GNTST_okay) {
		if (ro)
			gt->pin_ro[ref]++;
		else
			gt->pin_rw[ref]++;
	}
	return rc;
}

static void fx_unpin(struct fx_gt *gt, uint32_t ref, bool ro)
{
	uint16_t clear = 0;

	if (ro)
		gt->pin_ro[ref]--;
	else
		gt->pin_rw[ref]--;
	if (gt->pin_rw[ref] == 0)
		clear |= GTF_writing;
	if (gt->pin_rw[ref] == 0 && gt->pin_ro[ref] == 0)
		clear |= GTF_reading;
	if (gt->version == 2) {
		__atomic_fetch_and(fx_status(gt, ref), (uint16_t)~clear,
				   __ATOMIC_SEQ_CST);
	} else {
		struct grant_entry_header *h = fx_entry(gt, ref);

		if (h != NULL)
			__atomic_fetch_and(&h->flags, (uint16_t)~clear,
					   __ATOMIC_SEQ_CST);
	}
}

/* ---- GNTTABOP_map_grant_ref / unmap_grant_ref ---------------------------- */

static struct fx_map *fx_map_alloc(uint32_t *handle)
{
	unsigned i;

	for (i = 0; i < FX_GT_MAX_MAPS; i++) {
		if (!fx_maps[i].in_use) {
			*handle = i;
			fx_nmaps++;
			return &fx_maps[i];
		}
	}
	return NULL;
}

/* Resolve (domid, ref) of a granter for @mapper. */
static int fx_lookup(domid_t dom, uint32_t ref, struct fx_gt **out)
{
	struct fx_domain *g = fx_domain_get(dom);
	struct fx_gt *gt = g != NULL ? fx_gt(g) : NULL;

	if (gt == NULL)
		return GNTST_bad_domain;
	if (ref >= fx_nr_entries(gt))
		return GNTST_bad_gntref;
	if (fx_entry(gt, ref) == NULL)
		return GNTST_general_error;
	*out = gt;
	return GNTST_okay;
}

static int16_t fx_map_one(struct fx_domain *d, struct gnttab_map_grant_ref *op)
{
	bool ro = (op->flags & GNTMAP_readonly) != 0;
	struct fx_gt *gt;
	struct fx_map *m;
	uint32_t handle = 0;
	int rc;

	if (!(op->flags & GNTMAP_host_map))
		return GNTST_general_error;
	if (op->host_addr == 0 || (op->host_addr & 4095) != 0)
		return GNTST_bad_virt_addr;
	rc = fx_lookup(op->dom, op->ref, &gt);
	if (rc != GNTST_okay)
		return (int16_t)rc;
	if (fx_nmaps == FX_GT_MAX_MAPS)
		return GNTST_no_space;
	rc = fx_pin(gt, op->ref, d->domid, ro);
	if (rc != GNTST_okay)
		return (int16_t)rc;
	m = fx_map_alloc(&handle);
	*m = (struct fx_map){
		.in_use = true,
		.mapper = d->domid,
		.granter = gt,
		.ref = op->ref,
		.host_addr = op->host_addr,
		.granted_page = fx_gfn_to_virt(
			fx_entry_frame(gt, fx_entry(gt, op->ref))),
		.readonly = ro,
	};
	memcpy(fx_gfn_to_virt(op->host_addr >> 12), m->granted_page, 4096);
	op->handle = handle;
	op->dev_bus_addr = 0;
	return GNTST_okay;
}

static int16_t fx_unmap_one(struct fx_domain *d,
			    struct gnttab_unmap_grant_ref *op)
{
	struct fx_map *m;

	if (op->handle >= FX_GT_MAX_MAPS || !fx_maps[op->handle].in_use ||
	    fx_maps[op->handle].mapper != d->domid)
		return GNTST_bad_handle;
	m = &fx_maps[op->handle];
	if (op->host_addr != m->host_addr)
		return GNTST_general_error;
	if (!m->readonly)
		memcpy(m->granted_page, fx_gfn_to_virt(op->host_addr >> 12),
		       4096);
	fx_unpin(m->granter, m->ref, m->readonly);
	m->in_use = false;
	fx_nmaps--;
	return GNTST_okay;
}

/* ---- GNTTABOP_copy ---------------------------------------------------------- */

static int fx_copy_side(struct fx_domain *d, struct gnttab_copy_ptr *p,
			bool is_gref, bool write, struct fx_gt **pinned,
			char **page)
{
	struct fx_gt *gt;
	int rc;

	if (!is_gref) {
		if (p->domid != DOMID_SELF && p->domid != d->domid)
			return GNTST_permission_denied;
		*page = fx_gfn_to_virt(p->u.gmfn);
		return GNTST_okay;
	}
	rc = fx_lookup(p->domid, p->u.ref, &gt);
	if (rc == GNTST_okay)
		rc = fx_pin(gt, p->u.ref, d->domid, !write);
	if (rc != GNTST_okay)
		return rc;
	*pinned = gt;
	*page = fx_gfn_to_virt(fx_entry_frame(gt, fx_entry(gt, p->u.ref)));
	return GNTST_okay;
}

static int16_t fx_copy_one(struct fx_domain *d, struct gnttab_copy *op)
{
	struct fx_gt *sgt = NULL, *dgt = NULL;
	char *src = NULL, *dst = NULL;
	int rc;

	if ((unsigned)op->source.offset + op->len > 4096 ||
	    (unsigned)op->dest.offset + op->len > 4096)
		return GNTST_bad_copy_arg;
	rc = fx_copy_side(d, &op->source, op->flags & GNTCOPY_source_gref,
			  false, &sgt, &src);
	if (rc == GNTST_okay)
		rc = fx_copy_side(d, &op->dest, op->flags & GNTCOPY_dest_gref,
				  true, &dgt, &dst);
	if (rc == GNTST_okay)
		memmove(dst + op->dest.offset, src + op->source.offset,
			op->len);
	if (sgt != NULL)
		fx_unpin(sgt, op->source.u.ref, true);
	if (dgt != NULL)
		fx_unpin(dgt, op->dest.u.ref, false);
	return (int16_t)rc;
}

/* ---- table management --------------------------------------------------------- */

static bool fx_table_active(const struct fx_gt *gt)
{
	unsigned i;

	for (i = 0; i < FX_GT_MAX_MAPS; i++)
		if (fx_maps[i].in_use && fx_maps[i].granter == gt)
			return true;
	return false;
}

static long fx_gt_set_version(struct fx_gt *gt, struct gnttab_set_version *sv)
{
	unsigned i;

	if (sv->version != 1 && sv->version != 2)
		return -FX_EINVAL;
	if (sv->version != gt->version) {
		if (fx_table_active(gt))
			return -FX_EBUSY;
		/* Entries do not survive a version change; the guest maps
		 * its frames again. */
		for (i = 0; i < FX_GT_MAX_FRAMES; i++)
			gt->frame[i] = NULL, gt->sframe[i] = NULL;
		memset(gt->status_shadow, 0, sizeof(gt->status_shadow));
		gt->version = sv->version;
	}
	sv->version = gt->version;
	return 0;
}

static long fx_grant_table_op(struct fx_domain *d, unsigned vcpu,
			      unsigned long cmd, unsigned long arg,
			      unsigned long count, unsigned long a4,
			      unsigned long a5)
{
	struct fx_gt *self = fx_gt(d);
	unsigned long i;

	(void)vcpu, (void)a4, (void)a5;
	switch (cmd) {
	case GNTTABOP_map_grant_ref: {
		struct gnttab_map_grant_ref *op = (void *)arg;

		for (i = 0; i < count; i++)
			op[i].status = fx_map_one(d, &op[i]);
		return 0;
	}
	case GNTTABOP_unmap_grant_ref: {
		struct gnttab_unmap_grant_ref *op = (void *)arg;

		for (i = 0; i < count; i++)
			op[i].status = fx_unmap_one(d, &op[i]);
		return 0;
	}
	case GNTTABOP_copy: {
		struct gnttab_copy *op = (void *)arg;

		for (i = 0; i < count; i++)
			op[i].status = fx_copy_one(d, &op[i]);
		return 0;
	}
	case GNTTABOP_query_size: {
		struct gnttab_query_size *q = (void *)arg;

		if (count != 1)
			return -FX_EINVAL;
		if (q->dom != DOMID_SELF && q->dom != d->domid) {
			q->status = GNTST_permission_denied;
			return 0;
		}
		q->nr_frames = self->nr_frames;
		q->max_nr_frames = self->max_frames;
		q->status = GNTST_okay;
		return 0;
	}
	case GNTTABOP_set_version:
		return count == 1 ? fx_gt_set_version(self, (void *)arg)
				  : -FX_EINVAL;
	case GNTTABOP_get_version: {
		struct gnttab_get_version *gv = (void *)arg;

		if (gv->dom != DOMID_SELF && gv->dom != d->domid)
			return -FX_EPERM;
		gv->version = self->version;
		return 0;
	}
	default:
		return -FX_ENOSYS;
	}
}

/* XENMAPSPACE_grant_table: the frame's content moves to the new page (a
 * fresh frame reads as zero), like Xen's frame appearing at that gfn. */
static long fx_map_grant_space(struct fx_domain *d, xen_ulong_t idx,
			       xen_pfn_t gpfn)
{
	struct fx_gt *gt = fx_gt(d);
	void *page = fx_gfn_to_virt(gpfn);

	if (idx & XENMAPIDX_grant_table_status) {
		unsigned s = (unsigned)(idx & ~XENMAPIDX_grant_table_status);
		uint16_t *old;

		if (gt->version != 2 || s >= fx_status_frames(gt->nr_frames))
			return -FX_EINVAL;
		old = gt->sframe[s] != NULL
			      ? gt->sframe[s]
			      : &gt->status_shadow[s * FX_STATUS_PER_FRAME];
		if (old != page)
			memcpy(page, old, 4096);
		gt->sframe[s] = page;
		return 0;
	}
	if (idx >= gt->max_frames)
		return -FX_EINVAL;
	if (idx >= gt->nr_frames) {
		gt->nr_frames = (unsigned)idx + 1;
		gt->grows++;
	}
	if (gt->frame[idx] == NULL)
		memset(page, 0, 4096);
	else if (gt->frame[idx] != page)
		memcpy(page, gt->frame[idx], 4096);
	gt->frame[idx] = page;
	return 0;
}

/* ---- test controls ----------------------------------------------------------- */

void fx_gnttab_install(void)
{
	memset(fx_gts, 0, sizeof(fx_gts));
	memset(fx_maps, 0, sizeof(fx_maps));
	fx_nmaps = 0;
	fx_register_op(__HYPERVISOR_grant_table_op, fx_grant_table_op);
	fx_register_space(XENMAPSPACE_grant_table, fx_map_grant_space);
}

void fx_gnttab_set_max_frames(struct fx_domain *d, unsigned n)
{
	fx_gt(d)->max_frames = n < FX_GT_MAX_FRAMES ? n : FX_GT_MAX_FRAMES;
}

unsigned fx_gnttab_nr_frames(struct fx_domain *d)
{
	return fx_gt(d)->nr_frames;
}

unsigned fx_gnttab_version(struct fx_domain *d)
{
	return fx_gt(d)->version;
}

unsigned fx_gnttab_grows(struct fx_domain *d)
{
	return fx_gt(d)->grows;
}

unsigned fx_gnttab_active_maps(void)
{
	return fx_nmaps;
}

void fx_gnttab_restore(struct fx_domain *d)
{
	struct fx_gt *gt = fx_gt(d);
	unsigned i, max = gt->max_frames;

	fx_lock();
	for (i = 0; i < FX_GT_MAX_MAPS; i++) {
		if (fx_maps[i].in_use && fx_maps[i].granter == gt) {
			fx_maps[i].in_use = false;
			fx_nmaps--;
		}
	}
	memset(gt->frame, 0, sizeof(gt->frame));
	memset(gt->sframe, 0, sizeof(gt->sframe));
	memset(gt->status_shadow, 0, sizeof(gt->status_shadow));
	memset(gt->pin_ro, 0, sizeof(gt->pin_ro));
	memset(gt->pin_rw, 0, sizeof(gt->pin_rw));
	gt->nr_frames = 0;
	gt->version = 1;
	gt->max_frames = max;
	fx_unlock();
}

uint16_t *fx_gnttab_flags_word(struct fx_domain *d, uint32_t ref)
{
	struct grant_entry_header *h = fx_entry(fx_gt(d), ref);

	return h != NULL ? &h->flags : NULL;
}

uint16_t *fx_gnttab_status_word(struct fx_domain *d, uint32_t ref)
{
	struct fx_gt *gt = fx_gt(d);

	if (gt->version != 2 || ref >= fx_nr_entries(gt))
		return NULL;
	return fx_status(gt, ref);
}
