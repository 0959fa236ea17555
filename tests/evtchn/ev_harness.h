/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Shared by the event-channel tests and benchmarks: a guest domain
 * (domid 1) with NCPU vCPUs and a peer (dom0) on the fake hypervisor,
 * the library brought up with a chosen ABI, and helpers that act as a
 * given CPU (the calling thread takes that CPU's identity).
 */
#ifndef EV_HARNESS_H
#define EV_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <xenguest/core.h>
#include <xenguest/error.h>
#include <xenguest/evtchn.h>
#include <xenguest/intr.h>

#include "fakexen/evtchn.h"
#include "fakexen/fakexen.h"
#include "xg_hosted.h"

#define EVH_MAX_CPUS 8

struct evh {
	struct fx_domain *d, *peer;
	struct xg_xen xen;
	struct xg_cpu cpus[EVH_MAX_CPUS];
	struct xg_evtchn ev;
	struct xg_evtchn_cpu ecpus[EVH_MAX_CPUS];
	unsigned ncpus;
};

/* Act as @cpu of the guest. */
static inline void evh_as_cpu(struct evh *h, unsigned cpu)
{
	xg_hosted_set_cpu(cpu);
	fx_enter(h->d, cpu);
}

/* Bring up fake Xen and the library on @ncpus CPUs with @abi. */
static inline int evh_up(struct evh *h, unsigned ncpus, unsigned abi,
			 const struct xg_evtchn_config *cfg_in)
{
	struct xg_evtchn_config cfg = { 0 };
	unsigned c;
	int rc;

	memset(h, 0, sizeof(*h));
	fx_reset();
	fx_evtchn_install();
	xg_hosted_reset();
	xg_hosted_set_cpu_count(ncpus);
	h->ncpus = ncpus;
	h->peer = fx_domain_create(0, 1);
	h->d = fx_domain_create(1, ncpus);
	if (cfg_in != NULL)
		cfg = *cfg_in;
	cfg.abi = abi;
	evh_as_cpu(h, 0);
	rc = xg_xen_init(&h->xen, h->cpus, ncpus, NULL);
	if (rc != 0)
		return rc;
	rc = xg_evtchn_init(&h->ev, &h->xen, h->ecpus, &cfg);
	if (rc != 0)
		return rc;
	for (c = 0; c < ncpus; c++) {
		evh_as_cpu(h, c);
		rc = xg_intr_cpu_init(&h->ev);
		if (rc != 0)
			return rc;
	}
	evh_as_cpu(h, 0);
	return 0;
}

static inline void evh_down(struct evh *h)
{
	unsigned c, i;

	for (c = 0; c < h->ncpus; c++) {
		evh_as_cpu(h, c);
		for (i = 0; i < XG_EVTCHN_NR_VIRQS; i++)
			if (h->ecpus[c].virq_[i] != NULL)
				xg_intr_unbind(h->ecpus[c].virq_[i]);
		for (i = 0; i < XG_INTR_NR_IPIS; i++)
			if (h->ecpus[c].ipi_[i] != NULL)
				xg_intr_unbind(h->ecpus[c].ipi_[i]);
	}
	evh_as_cpu(h, 0);
	xg_evtchn_fini(&h->ev);
	xg_xen_fini(&h->xen);
}

/* Run the upcall on @cpu if Xen raised it; returns whether it ran. */
static inline bool evh_poll(struct evh *h, unsigned cpu)
{
	evh_as_cpu(h, cpu);
	if (!fx_evtchn_vcpu_should_upcall(h->d, cpu, xg_hosted_irq_depth()))
		return false;
	xg_evtchn_upcall(&h->ev);
	return true;
}

/* Poll every CPU until none has an upcall pending. */
static inline void evh_drain(struct evh *h)
{
	bool any;
	unsigned c;

	do {
		any = false;
		for (c = 0; c < h->ncpus; c++)
			any |= evh_poll(h, c);
	} while (any);
	evh_as_cpu(h, 0);
}

/* A peer port connected to a new guest source: returns the peer port. */
static inline uint32_t evh_connect(struct evh *h, const char *name,
				   xg_isrc_handler_t *fn, void *arg,
				   unsigned flags, struct xg_isrc **out)
{
	uint32_t pport = 0;

	if (fx_evtchn_peer_alloc_unbound(h->peer, 1, &pport) != 0)
		return 0;
	if (xg_intr_bind_interdomain(&h->ev, 0, pport, name, fn, arg, flags,
				     out) != 0)
		return 0;
	return pport;
}

static inline unsigned long evh_hypercalls(void)
{
	return fx_count(__HYPERVISOR_event_channel_op, -1);
}

#endif /* EV_HARNESS_H */
