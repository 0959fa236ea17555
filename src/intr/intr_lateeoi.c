/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * lateeoi storm control: a peer that keeps signalling a backend-facing
 * port without work is backed off by leaving the port masked for a
 * while. Its own file so that a kernel that never uses XG_INTR_LATEEOI
 * links none of it.
 */
#include <xenguest/core.h>

#include "../evtchn/xg_evtchn.h"

#define XG_EOI_SPURIOUS_FREE 8u           /* spurious events tolerated */
#define XG_EOI_DELAY_MIN_NS 1000000ull    /* 1 ms */
#define XG_EOI_DELAY_MAX_NS 1000000000ull /* 1 s */

/* ---- lateeoi ----------------------------------------------------------- */

static uint64_t xg_intr_eoi_delay(uint32_t spurious)
{
	uint32_t n = spurious - XG_EOI_SPURIOUS_FREE - 1;

	if (n >= 10)
		return XG_EOI_DELAY_MAX_NS;
	return XG_EOI_DELAY_MIN_NS << n;
}

void xg_intr_eoi(struct xg_isrc *isrc, bool spurious)
{
	struct xg_evtchn *ev = isrc->ev;
	xg_port_irqstate_t st;
	uint64_t delay;

	if (!spurious) {
		isrc->spurious_ = 0;
		xg_evtchn_unmask(ev, isrc->port);
		return;
	}
	if (++isrc->spurious_ <= XG_EOI_SPURIOUS_FREE) {
		xg_evtchn_unmask(ev, isrc->port);
		return;
	}
	/* A peer that keeps signalling without work: leave the port masked
	 * and unmask it later, from the work queue. */
	delay = xg_intr_eoi_delay(isrc->spurious_);
	st = xg_port_lock(&ev->lock_);
	ev->eoi_work_.fn = xg_intr_eoi_work_;
	isrc->eoi_due_ns_ = xg_port_time_ns() + delay;
	if (!(isrc->state_ & XG_ISRC_S_EOI_WAIT)) {
		isrc->state_ |= XG_ISRC_S_EOI_WAIT;
		isrc->eoi_next_ = ev->eoi_list_;
		ev->eoi_list_ = isrc;
	}
	xg_port_unlock(&ev->lock_, st);
	xg_xen_work_queue(ev->xen, &ev->eoi_work_, delay);
}

/* Unmask the deferred sources that are due, under the lock: unbind
 * unlinks under it, so each source on the list is still bound and its
 * port still its own. Come back for the rest. */
void xg_intr_eoi_work_(struct xg_work *w)
{
	struct xg_evtchn *ev = XG_CONTAINER_OF(w, struct xg_evtchn, eoi_work_);
	uint64_t now = xg_port_time_ns(), next = UINT64_MAX;
	xg_port_irqstate_t st = xg_port_lock(&ev->lock_);
	struct xg_isrc **pp = &ev->eoi_list_, *is;

	while ((is = *pp) != NULL) {
		if (is->eoi_due_ns_ <= now) {
			*pp = is->eoi_next_;
			is->eoi_next_ = NULL;
			is->state_ &= (uint8_t)~XG_ISRC_S_EOI_WAIT;
			ev->ops_->unmask_locked(ev, is->port);
			continue;
		}
		if (is->eoi_due_ns_ < next)
			next = is->eoi_due_ns_;
		pp = &is->eoi_next_;
	}
	xg_port_unlock(&ev->lock_, st);
	if (next != UINT64_MAX)
		xg_xen_work_queue(ev->xen, w, next > now ? next - now : 1);
}
