/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Grant table v2 entries: 16 bytes with a 64-bit frame; Xen reports
 * GTF_reading/GTF_writing in a separate array of 16-bit status words
 * (the status frames) rather than in the entry's flags.
 */
#include "gnttab_internal.h"

static union grant_entry_v2 *xg_gnttab_v2(const struct xg_gnttab *gt,
					  xg_gref_t ref)
{
	return &((union grant_entry_v2 *)gt->entries)[ref];
}

void xg_gnttab_v2_grant_(struct xg_gnttab *gt, xg_gref_t ref,
			 uint16_t domid, uint64_t gfn, bool readonly)
{
	union grant_entry_v2 *e = xg_gnttab_v2(gt, ref);

	XG_WRITE_ONCE(e->full_page.frame, gfn);
	XG_WRITE_ONCE(e->hdr.domid, domid);
	xg_wmb();
	XG_WRITE_ONCE(e->hdr.flags,
		      (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)));
}

/*
 * Xen sets the status bits first and then re-reads the flags, backing
 * out if the entry was revoked meanwhile. So: clear the flags (no new
 * mapping can start), full barrier, then read the status once; if it
 * shows no mapping, none can appear any more. Clearing again on a retry
 * is harmless.
 */
int xg_gnttab_v2_try_end_(struct xg_gnttab *gt, xg_gref_t ref)
{
	union grant_entry_v2 *e = xg_gnttab_v2(gt, ref);
	uint16_t status;

	XG_WRITE_ONCE(e->hdr.flags, 0);
	xg_mb();
	status = XG_READ_ONCE(gt->status[ref]);
	if (status & (GTF_reading | GTF_writing))
		return XG_EBUSY;
	/* Later reuse of the page must not move before this check. */
	xg_rmb();
	return 0;
}

uint64_t xg_gnttab_v2_frame_(const struct xg_gnttab *gt, xg_gref_t ref)
{
	return XG_READ_ONCE(xg_gnttab_v2(gt, ref)->full_page.frame);
}
