/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * FIFO ABI: one 32-bit event word per port (PENDING, MASKED, LINKED,
 * BUSY, 17-bit LINK) in an event array the guest grows page by page
 * (EVTCHNOP_expand_array), and per vCPU a control block with a READY bit
 * and a HEAD per priority queue (EVTCHNOP_init_control). Xen links a
 * pending, unmasked event at the tail of its vCPU's queue; the guest
 * walks from the head, unlinking as it goes.
 */
#include <xenguest/hypercall.h>

#include "xg_evtchn.h"

#if XG_CONFIG_EVTCHN_FIFO

#define XG_FIFO_WORDS_PER_PAGE (XG_PAGE_SIZE / sizeof(event_word_t))
#define XG_FIFO_PENDING (1u << EVTCHN_FIFO_PENDING)
#define XG_FIFO_MASKED (1u << EVTCHN_FIFO_MASKED)
#define XG_FIFO_LINKED (1u << EVTCHN_FIFO_LINKED)
#define XG_FIFO_BUSY (1u << EVTCHN_FIFO_BUSY)
#define XG_FIFO_LINK ((uint32_t)EVTCHN_FIFO_LINK_MASK)

_Static_assert(XG_EVTCHN_FIFO_MAX_PAGES * XG_FIFO_WORDS_PER_PAGE ==
	       XG_EVTCHN_FIFO_PORTS, "FIFO array size");
_Static_assert(XG_EVTCHN_FIFO_QUEUES == EVTCHN_FIFO_MAX_QUEUES, "queues");

/* The word of a port below ev->nr_ports (checked by the caller). */
static inline event_word_t *xg_fifo_word(struct xg_evtchn *ev, uint32_t port)
{
	event_word_t *page = __atomic_load_n(
		&ev->fifo_pages_[port / XG_FIFO_WORDS_PER_PAGE],
		__ATOMIC_ACQUIRE);

	return page + port % XG_FIFO_WORDS_PER_PAGE;
}

static int xg_fifo_init_control(struct xg_evtchn *ev, unsigned cpu)
{
	struct xg_evtchn_cpu *c = &ev->cpus[cpu];
	struct evtchn_init_control op = {
		.vcpu = ev->xen->cpus[cpu].vcpu_id,
	};
	void *cb;
	long rc;

	if (c->fifo_cb_ != NULL)
		return 0;
	cb = xg_port_page_alloc(1);
	if (cb == NULL)
		return XG_ENOMEM;
	op.control_gfn = xg_port_virt_to_gfn(cb);
	op.offset = 0;
	rc = xg_hc_event_channel_op(EVTCHNOP_init_control, &op);
	if (rc < 0) {
		xg_port_page_free(cb, 1);
		return (int)rc;
	}
	xg_memset(c->fifo_head_, 0, sizeof(c->fifo_head_));
	c->fifo_cb_ = cb;
	return 0;
}

/* Grow the event array one page at a time until it covers @port. New
 * words start MASKED so an unclaimed port cannot interrupt us. */
static int xg_fifo_port_setup(struct xg_evtchn *ev, uint32_t port)
{
	if (port >= XG_EVTCHN_FIFO_PORTS)
		return XG_EINVAL;
	while (port >= __atomic_load_n(&ev->nr_ports, __ATOMIC_ACQUIRE)) {
		struct evtchn_expand_array op;
		event_word_t *page = xg_port_page_alloc(1);
		xg_port_irqstate_t st;
		unsigned i, n;
		long rc = 0;

		if (page == NULL)
			return XG_ENOMEM;
		for (i = 0; i < XG_FIFO_WORDS_PER_PAGE; i++)
			page[i] = XG_FIFO_MASKED;
		op.array_gfn = xg_port_virt_to_gfn(page);
		st = xg_port_lock(&ev->lock_);
		n = ev->fifo_npages_;
		if (port >= n * XG_FIFO_WORDS_PER_PAGE) {
			rc = xg_hc_event_channel_op(EVTCHNOP_expand_array, &op);
			if (rc == 0) {
				__atomic_store_n(&ev->fifo_pages_[n], page,
						 __ATOMIC_RELEASE);
				ev->fifo_npages_ = n + 1;
				__atomic_store_n(
					&ev->nr_ports,
					(n + 1) * XG_FIFO_WORDS_PER_PAGE,
					__ATOMIC_RELEASE);
				page = NULL;
			}
		}
		xg_port_unlock(&ev->lock_, st);
		if (page != NULL)
			xg_port_page_free(page, 1);
		if (rc < 0)
			return (int)rc;
	}
	return 0;
}

int xg_evtchn_fifo_start_(struct xg_evtchn *ev, unsigned cpu)
{
	int rc = xg_fifo_init_control(ev, cpu);

	if (rc != 0)
		return rc;
	ev->ops_ = &xg_evtchn_fifo_ops_;
	ev->abi = XG_EVTCHN_ABI_FIFO;
	ev->nr_ports = 0;
	/* Port 0 is never valid, but its page holds the first ports. */
	rc = xg_fifo_port_setup(ev, 0);
	if (rc != 0)
		xg_evtchn_fifo_ops_.fini(ev);
	return rc;
}

static int xg_fifo_cpu_init(struct xg_evtchn *ev, unsigned cpu)
{
	return xg_fifo_init_control(ev, cpu);
}

static bool xg_fifo_mask(struct xg_evtchn *ev, uint32_t port)
{
	return (__atomic_fetch_or(xg_fifo_word(ev, port), XG_FIFO_MASKED,
				  __ATOMIC_SEQ_CST) & XG_FIFO_MASKED) != 0;
}

/* Clear MASKED unless the event is pending: then only Xen can link it,
 * and EVTCHNOP_unmask clears the mask and links it. */
static void xg_fifo_unmask(struct xg_evtchn *ev, uint32_t port)
{
	event_word_t *wp = xg_fifo_word(ev, port);
	uint32_t w = __atomic_load_n(wp, __ATOMIC_SEQ_CST);

	/* Xen sets BUSY while it works on the word (linking it): expect it
	 * clear, so that MASKED never changes under Xen's feet; the loop
	 * spins the few instructions until Xen lets go. */
	while (!(w & XG_FIFO_PENDING)) {
		w &= ~XG_FIFO_BUSY;
		if (__atomic_compare_exchange_n(wp, &w, w & ~XG_FIFO_MASKED,
						false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return;
	}
	xg_evtchn_unmask_hc_(port);
}

static bool xg_fifo_test_and_clear(struct xg_evtchn *ev, uint32_t port)
{
	return (__atomic_fetch_and(xg_fifo_word(ev, port), ~XG_FIFO_PENDING,
				   __ATOMIC_SEQ_CST) & XG_FIFO_PENDING) != 0;
}

static bool xg_fifo_is_pending(struct xg_evtchn *ev, uint32_t port)
{
	return (__atomic_load_n(xg_fifo_word(ev, port), __ATOMIC_RELAXED) &
		XG_FIFO_PENDING) != 0;
}

/* Unlink the head: clear LINKED and LINK together, return the old word. */
static uint32_t xg_fifo_unlink(event_word_t *wp)
{
	const uint32_t link_bits = XG_FIFO_LINKED | XG_FIFO_LINK;
	uint32_t w = __atomic_load_n(wp, __ATOMIC_ACQUIRE);

	while (!__atomic_compare_exchange_n(wp, &w, w & ~link_bits, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
		;
	return w;
}

/*
 * Take the head event of queue @q. The local head follows LINK fields;
 * when it runs out, Xen has written a fresh head into the control block.
 * Port numbers come from shared memory: anything beyond the array ends
 * the walk instead of being followed.
 */
static void xg_fifo_consume_one(struct xg_evtchn *ev, struct xg_evtchn_cpu *c,
				struct evtchn_fifo_control_block *cb,
				unsigned q, uint32_t *ready)
{
	uint32_t port = c->fifo_head_[q], w, next;

	if (port == 0)
		port = __atomic_load_n(&cb->head[q], __ATOMIC_ACQUIRE);
	if (port == 0 || port >= __atomic_load_n(&ev->nr_ports,
						 __ATOMIC_ACQUIRE)) {
		c->fifo_head_[q] = 0;
		*ready &= ~(1u << q);
		return;
	}
	w = xg_fifo_unlink(xg_fifo_word(ev, port));
	next = w & XG_FIFO_LINK;
	if (next == 0)
		*ready &= ~(1u << q);
	c->fifo_head_[q] = next;
	if ((w & (XG_FIFO_PENDING | XG_FIFO_MASKED)) == XG_FIFO_PENDING &&
	    xg_fifo_test_and_clear(ev, port)) {
		xg_intr_dispatch_(ev, port);
	}
}

/* Highest priority first, one event at a time, so an event of a higher
 * priority that arrives meanwhile is served next. */
static void xg_fifo_upcall(struct xg_evtchn *ev, unsigned cpu)
{
	struct vcpu_info *vi = ev->xen->cpus[cpu].vcpu_info;
	struct xg_evtchn_cpu *c = &ev->cpus[cpu];
	struct evtchn_fifo_control_block *cb = c->fifo_cb_;

	do {
		uint32_t ready;

		__atomic_store_n(&vi->evtchn_upcall_pending, 0,
				 __ATOMIC_SEQ_CST);
		ready = xg_xchg32(&cb->ready, 0);
		while (ready != 0) {
			xg_fifo_consume_one(ev, c, cb,
					    (unsigned)__builtin_ctz(ready),
					    &ready);
			if (__atomic_load_n(&cb->ready, __ATOMIC_RELAXED))
				ready |= xg_xchg32(&cb->ready, 0);
		}
	} while (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST));
}

/*
 * Xen forgot the control blocks and the event array: register the same
 * pages again, cleared (blocks) and fully masked (array).
 */
static int xg_fifo_resume(struct xg_evtchn *ev)
{
	unsigned i, j;
	long rc;

	for (i = 0; i < ev->ncpus; i++) {
		struct xg_evtchn_cpu *c = &ev->cpus[i];
		struct evtchn_init_control op = {
			.vcpu = ev->xen->cpus[i].vcpu_id,
		};

		if (c->fifo_cb_ == NULL)
			continue;
		xg_memset(c->fifo_cb_, 0, XG_PAGE_SIZE);
		xg_memset(c->fifo_head_, 0, sizeof(c->fifo_head_));
		op.control_gfn = xg_port_virt_to_gfn(c->fifo_cb_);
		rc = xg_hc_event_channel_op(EVTCHNOP_init_control, &op);
		if (rc < 0)
			return (int)rc;
	}
	for (i = 0; i < ev->fifo_npages_; i++) {
		event_word_t *page = ev->fifo_pages_[i];
		struct evtchn_expand_array op = {
			.array_gfn = xg_port_virt_to_gfn(page),
		};

		for (j = 0; j < XG_FIFO_WORDS_PER_PAGE; j++)
			__atomic_store_n(&page[j], XG_FIFO_MASKED,
					 __ATOMIC_RELAXED);
		rc = xg_hc_event_channel_op(EVTCHNOP_expand_array, &op);
		if (rc < 0)
			return (int)rc;
	}
	return 0;
}

static void xg_fifo_fini(struct xg_evtchn *ev)
{
	unsigned i;

	for (i = 0; i < ev->ncpus; i++) {
		if (ev->cpus[i].fifo_cb_ != NULL)
			xg_port_page_free(ev->cpus[i].fifo_cb_, 1);
		ev->cpus[i].fifo_cb_ = NULL;
	}
	for (i = 0; i < ev->fifo_npages_; i++) {
		xg_port_page_free(ev->fifo_pages_[i], 1);
		ev->fifo_pages_[i] = NULL;
	}
	ev->fifo_npages_ = 0;
	ev->nr_ports = 0;
}

const struct xg_evtchn_ops_ xg_evtchn_fifo_ops_ = {
	.abi = XG_EVTCHN_ABI_FIFO,
	.cpu_init = xg_fifo_cpu_init,
	.port_setup = xg_fifo_port_setup,
	.mask = xg_fifo_mask,
	.unmask = xg_fifo_unmask,
	.unmask_locked = xg_fifo_unmask, /* takes no lock */
	.test_and_clear = xg_fifo_test_and_clear,
	.is_pending = xg_fifo_is_pending,
	.upcall = xg_fifo_upcall,
	.resume = xg_fifo_resume,
	.fini = xg_fifo_fini,
};

#endif /* XG_CONFIG_EVTCHN_FIFO */
