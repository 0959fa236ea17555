/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Where the store is: HVM_PARAM_STORE_PFN and _EVTCHN, and the dom0less
 * late start, where the PFN reads as all ones until the toolstack has
 * set the page up and signalled the store event.
 */
#include "xs_internal.h"

#include <xenguest/hypercall.h>

static int xs_hvm_param(uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p;
	long rc;

	xg_memset(&p, 0, sizeof(p));
	p.domid = DOMID_SELF;
	p.index = index;
	rc = xg_hc_hvm_op(HVMOP_get_param, &p);
	if (rc < 0)
		return (int)rc;
	*value = p.value;
	return 0;
}

int xg_xs_store_params(uint64_t *gfn, uint32_t *port)
{
	uint64_t pfn = 0, evtchn = 0;
	int rc = xs_hvm_param(HVM_PARAM_STORE_EVTCHN, &evtchn);

	if (rc == 0)
		rc = xs_hvm_param(HVM_PARAM_STORE_PFN, &pfn);
	if (rc < 0)
		return rc;
	*port = (uint32_t)evtchn;
	if (pfn == ~(uint64_t)0)
		return XG_EAGAIN;
	if (pfn == 0 || evtchn == 0 || evtchn > UINT32_MAX)
		return XG_ENODEV;
	*gfn = pfn;
	return 0;
}

/* What xg_xs_store_wait() sleeps on; only its address matters. */
static const char xs_store_chan;

struct xs_store_wait {
	uint64_t *gfn;
	uint32_t *port;
	int rc;
};

static bool xs_store_ready(void *arg)
{
	struct xs_store_wait *w = arg;

	w->rc = xg_xs_store_params(w->gfn, w->port);
	return w->rc != XG_EAGAIN;
}

int xg_xs_store_wait(uint64_t *gfn, uint32_t *port, uint64_t timeout_ns)
{
	struct xs_store_wait w = { gfn, port, XG_EAGAIN };
	int rc = xg_port_wait(&xs_store_chan, xs_store_ready, &w, timeout_ns);

	return rc < 0 ? rc : w.rc;
}

void xg_xs_store_event(void)
{
	xg_port_wakeup(&xs_store_chan);
}
