/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Physical IRQs (dom0, passthrough): bind, and the EOI a level-triggered
 * line needs. Its own file so that a domU kernel links none of it.
 */
#include <xenguest/hypercall.h>

#include "../evtchn/xg_evtchn.h"

/* Does Xen want PHYSDEVOP_eoi after each event of this PIRQ (a
 * level-triggered line)? */
static bool xg_intr_pirq_needs_eoi(uint32_t pirq)
{
	struct physdev_irq_status_query q = { .irq = pirq };

	return xg_hc_physdev_op(PHYSDEVOP_irq_status_query, &q) == 0 &&
	       (q.flags & XENIRQSTAT_needs_eoi) != 0;
}

int xg_intr_bind_pirq(struct xg_evtchn *ev, uint32_t pirq, const char *name,
		      xg_isrc_handler_t *handler, void *arg, unsigned flags,
		      struct xg_isrc **out)
{
	struct xg_intr_req rq = XG_INTR_REQ(XG_ISRC_PIRQ, pirq, 0);
	uint32_t port;
	int rc;

	if (!xg_intr_args_ok_(handler, flags, out))
		return XG_EINVAL;
	rq.fixed = xg_intr_pirq_needs_eoi(pirq) ? XG_ISRC_F_PIRQ_EOI : 0;
	rc = xg_evtchn_bind_pirq(ev, pirq, false, &port);
	return rc != 0 ? rc : xg_intr_attach_(ev, &rq, port, true, out);
}

