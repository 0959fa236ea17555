/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* Resume after suspend or migration: its own file so that a kernel
 * without suspend links none of it. */
#include "../evtchn/xg_evtchn.h"

/*
 * Resume: Xen forgot every port. Take every source out of the table
 * (remembering whether it was enabled), reset the ABI, register the
 * upcall vectors again, then bind each VIRQ and IPI source again, same
 * object, same CPU, new port. Other sources are marked dead.
 */
static void xg_intr_forget_ports(struct xg_evtchn *ev)
{
	xg_port_irqstate_t st = xg_port_lock(&ev->lock_);
	unsigned i, j;

	for (i = 0; i < XG_INTR_DIR_ENTRIES; i++) {
		struct xg_isrc **leaf = ev->dir_[i];

		for (j = 0; leaf != NULL && j < XG_INTR_LEAF_ENTRIES; j++) {
			struct xg_isrc *is = leaf[j];

			if (is == NULL)
				continue;
			if (!ev->ops_->mask(ev, is->port))
				is->state_ |= XG_ISRC_S_WAS_ON;
			if (is->type != XG_ISRC_VIRQ && is->type != XG_ISRC_IPI)
				is->state_ |= XG_ISRC_S_DEAD;
			is->state_ &= (uint8_t)~XG_ISRC_S_EOI_WAIT;
			is->eoi_next_ = NULL;
			__atomic_store_n(&leaf[j], NULL, __ATOMIC_SEQ_CST);
		}
	}
	ev->eoi_list_ = NULL;
	xg_port_unlock(&ev->lock_, st);
}

static int xg_intr_rebind(struct xg_evtchn *ev, struct xg_isrc *is)
{
	bool global = is->type == XG_ISRC_VIRQ && !xg_virq_is_percpu_(is->info);
	uint32_t port;
	int rc;

	if (is->type == XG_ISRC_VIRQ)
		rc = xg_evtchn_bind_virq(ev, is->info, global ? 0 : is->cpu,
					 &port);
	else
		rc = xg_evtchn_bind_ipi(ev, is->cpu, &port);
	if (rc == 0)
		rc = xg_intr_leaf_ensure_(ev, port);
	if (rc == 0 && global && is->cpu != 0)
		rc = xg_evtchn_bind_vcpu(ev, port, is->cpu);
	if (rc != 0)
		return rc;
	is->port = port;
	__atomic_store_n(xg_intr_slot_(ev, port), is, __ATOMIC_RELEASE);
	if (is->state_ & XG_ISRC_S_WAS_ON)
		xg_evtchn_unmask(ev, port);
	is->state_ &= (uint8_t)~XG_ISRC_S_WAS_ON;
	return 0;
}

int xg_intr_resume(struct xg_evtchn *ev)
{
	unsigned cpu, i;
	int rc;

	xg_intr_forget_ports(ev);
	rc = xg_evtchn_resume_(ev);
	for (cpu = 0; rc == 0 && cpu < ev->ncpus; cpu++) {
		struct xg_evtchn_cpu *c = &ev->cpus[cpu];

		if (ev->cpus[cpu].ready_)
			rc = xg_intr_upcall_vector_(ev, cpu);
		for (i = 0; rc == 0 && i < XG_EVTCHN_NR_VIRQS; i++)
			if (c->virq_[i] != NULL)
				rc = xg_intr_rebind(ev, c->virq_[i]);
		for (i = 0; rc == 0 && i < XG_INTR_NR_IPIS; i++)
			if (c->ipi_[i] != NULL)
				rc = xg_intr_rebind(ev, c->ipi_[i]);
	}
	return rc;
}
