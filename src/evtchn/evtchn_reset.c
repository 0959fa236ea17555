/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* EVTCHNOP_reset and the event side of resume: their own file so that a
 * kernel that uses neither links none of it. */
#include <xenguest/hypercall.h>

#include "xg_evtchn.h"

static int xg_evtchn_op_reset(void)
{
	struct evtchn_reset op = { .dom = DOMID_SELF };
	long rc = xg_hc_event_channel_op(EVTCHNOP_reset, &op);

	return rc < 0 ? (int)rc : 0;
}

static bool xg_evtchn_has_sources(const struct xg_evtchn *ev)
{
	unsigned i, j;

	for (i = 0; i < XG_INTR_DIR_ENTRIES; i++) {
		struct xg_isrc **leaf = ev->dir_[i];

		for (j = 0; leaf != NULL && j < XG_INTR_LEAF_ENTRIES; j++)
			if (leaf[j] != NULL)
				return true;
	}
	return false;
}

/* Every port masked, owned by nobody; the scan starts from the top. */
static void xg_evtchn_forget(struct xg_evtchn *ev)
{
	unsigned i;

	for (i = 0; i < ev->ncpus; i++) {
		xg_memset(ev->cpus[i].own_, 0, sizeof(ev->cpus[i].own_));
		xg_memset(ev->cpus[i].drain_, 0, sizeof(ev->cpus[i].drain_));
		ev->cpus[i].moved_ = 0;
		ev->cpus[i].cursor_ = 0;
	}
	xg_evtchn_2l_mask_all_(ev);
}

/*
 * EVTCHNOP_reset closes every port and, for FIFO, tears down the control
 * blocks and event array: Xen is back to 2-level, so is the instance.
 */
int xg_evtchn_reset(struct xg_evtchn *ev)
{
	int rc;

	if (xg_evtchn_has_sources(ev))
		return XG_EBUSY;
	if (!XG_CONFIG_EVTCHN_2L)
		return XG_EOPNOTSUPP;
	rc = xg_evtchn_op_reset();
	if (rc != 0)
		return rc;
	ev->ops_->fini(ev);
	xg_evtchn_forget(ev);
	xg_evtchn_use_2l_(ev);
	return 0;
}

int xg_evtchn_resume_(struct xg_evtchn *ev)
{
	int rc;

	xg_evtchn_forget(ev);
	rc = ev->ops_->resume(ev);
	if (rc != 0 && ev->abi == XG_EVTCHN_ABI_FIFO && XG_CONFIG_EVTCHN_2L) {
		xg_warn("xenguest: FIFO events lost on resume (%d), using "
			"2-level\n", rc);
		ev->ops_->fini(ev);
		xg_evtchn_use_2l_(ev);
		rc = 0;
	}
	return rc;
}

