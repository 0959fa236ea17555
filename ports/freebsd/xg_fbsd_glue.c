/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * FreeBSD-independent half of the FreeBSD interrupt glue: the source pool
 * that recycles registered host objects, the PIC methods mapped onto the
 * registry, and owed upcalls. See xg_fbsd_glue.h.
 */
#include "xg_fbsd_glue.h"

#include <xenguest/error.h>

void xg_fbsd_glue_init(struct xg_fbsd_glue *g, struct xg_evtchn *ev,
		       unsigned limit, xg_fbsd_create_fn *create,
		       xg_fbsd_reuse_fn *reuse, uint8_t *owed, unsigned ncpus)
{
	unsigned c;

	g->ev = ev;
	xg_port_lock_init(&g->lock);
	g->free_ = NULL;
	g->created = 0;
	g->bound = 0;
	g->free_count = 0;
	g->limit = limit;
	g->create_failures = 0;
	g->create = create;
	g->reuse = reuse;
	g->owed = owed;
	g->ncpus = ncpus;
	for (c = 0; c < ncpus; c++)
		owed[c] = 0;
}

/* ---- the pool ----------------------------------------------------------- */

/* Pop a recycled object, or reserve the index of a new one (*index). */
static struct xg_fbsd_src *pool_pop(struct xg_fbsd_glue *g, unsigned *index,
				    bool *can_create)
{
	xg_port_irqstate_t st = xg_port_lock(&g->lock);
	struct xg_fbsd_src *src = g->free_;

	*can_create = false;
	if (src != NULL) {
		g->free_ = src->next_free_;
		g->free_count--;
		g->bound++;
	} else if (g->created < g->limit) {
		/* The index is taken now so that two binds racing here get
		 * different ones; g->create runs without the lock. */
		*index = g->created++;
		*can_create = true;
	}
	xg_port_unlock(&g->lock, st);
	return src;
}

struct xg_isrc *xg_fbsd_isrc_get(struct xg_fbsd_glue *g, unsigned cpu)
{
	struct xg_fbsd_src *src;
	xg_port_irqstate_t st;
	unsigned index = 0;
	bool can_create;

	src = pool_pop(g, &index, &can_create);
	if (src != NULL) {
		g->reuse(g, src, cpu);
	} else if (can_create) {
		src = g->create(g, index);
		st = xg_port_lock(&g->lock);
		if (src != NULL)
			g->bound++;
		else
			g->create_failures++; /* the index stays unused */
		xg_port_unlock(&g->lock, st);
		if (src == NULL)
			return NULL;
		src->index = index;
		src->next_free_ = NULL;
	} else {
		return NULL;
	}
	__atomic_store_n(&src->bound_, true, __ATOMIC_RELEASE);
	return &src->xg;
}

void xg_fbsd_isrc_put(struct xg_fbsd_glue *g, struct xg_isrc *xg)
{
	struct xg_fbsd_src *src = xg_fbsd_src_of(xg);
	xg_port_irqstate_t st;

	if (!__atomic_load_n(&src->bound_, __ATOMIC_ACQUIRE))
		xg_port_panic(__FILE__, __LINE__,
			      "xg_port_isrc_release of a free source");
	__atomic_store_n(&src->bound_, false, __ATOMIC_RELEASE);
	st = xg_port_lock(&g->lock);
	src->next_free_ = g->free_;
	g->free_ = src;
	g->free_count++;
	g->bound--;
	xg_port_unlock(&g->lock, st);
}

/* ---- PIC methods -------------------------------------------------------- */

/* Framework calls can come for a released source (see the header). */
static bool is_bound(const struct xg_fbsd_src *src)
{
	return __atomic_load_n(&src->bound_, __ATOMIC_ACQUIRE);
}

void xg_fbsd_pic_enable(struct xg_fbsd_src *src)
{
	if (is_bound(src))
		xg_intr_enable(&src->xg);
}

void xg_fbsd_pic_disable(struct xg_fbsd_src *src)
{
	if (is_bound(src))
		xg_intr_disable(&src->xg);
}

void xg_fbsd_pic_post_filter(struct xg_fbsd_src *src)
{
	if (is_bound(src))
		xg_intr_post_filter(&src->xg);
}

void xg_fbsd_pic_pre_ithread(struct xg_fbsd_src *src)
{
	if (is_bound(src))
		xg_intr_pre_ithread(&src->xg);
}

void xg_fbsd_pic_post_ithread(struct xg_fbsd_src *src)
{
	if (is_bound(src))
		xg_intr_post_ithread(&src->xg);
}

int xg_fbsd_pic_bind(struct xg_fbsd_src *src, int first_cpu)
{
	/* An empty set means "no preference": leave the port where it is
	 * rather than pay a hypercall to move it somewhere arbitrary. */
	if (!is_bound(src) || first_cpu < 0 ||
	    (unsigned)first_cpu == src->xg.cpu)
		return 0;
	return xg_fbsd_errno(xg_intr_bind_cpu(&src->xg, (unsigned)first_cpu));
}

/* ---- owed upcalls ------------------------------------------------------- */

void xg_fbsd_note_owed(struct xg_fbsd_glue *g, unsigned cpu)
{
	if (cpu < g->ncpus)
		__atomic_store_n(&g->owed[cpu], 1, __ATOMIC_RELAXED);
}

bool xg_fbsd_run_owed(struct xg_fbsd_glue *g, unsigned cpu)
{
	/* Only this CPU sets or clears its flag, with interrupts off, so a
	 * relaxed exchange is enough; an upcall that ran meanwhile makes
	 * this one find nothing, which is harmless. */
	if (cpu >= g->ncpus ||
	    __atomic_exchange_n(&g->owed[cpu], 0, __ATOMIC_RELAXED) == 0)
		return false;
	xg_evtchn_upcall(g->ev);
	return true;
}

/* ---- errno -------------------------------------------------------------- */

int xg_fbsd_errno(int xg_err)
{
	static const struct {
		int8_t xg;
		uint8_t fbsd;
	} differ[] = {
		{ XG_EAGAIN, XG_FBSD_EAGAIN },
		{ XG_EDEADLK, XG_FBSD_EDEADLK },
		{ XG_ENAMETOOLONG, XG_FBSD_ENAMETOOLONG },
		{ XG_ENOLCK, XG_FBSD_ENOLCK },
		{ XG_ENOSYS, XG_FBSD_ENOSYS },
		{ XG_ENOTEMPTY, XG_FBSD_ENOTEMPTY },
		{ XG_ETIME, XG_FBSD_ETIMEDOUT },
		{ XG_EBADMSG, XG_FBSD_EBADMSG },
		{ XG_EOVERFLOW, XG_FBSD_EOVERFLOW },
		{ XG_EILSEQ, XG_FBSD_EILSEQ },
		{ XG_EOPNOTSUPP, XG_FBSD_EOPNOTSUPP },
		{ XG_EADDRINUSE, XG_FBSD_EADDRINUSE },
		{ XG_ENOBUFS, XG_FBSD_ENOBUFS },
		{ XG_ETIMEDOUT, XG_FBSD_ETIMEDOUT },
	};
	unsigned i;

	if (xg_err >= 0)
		return 0;
	/* EPERM (1) .. ERANGE (34) have the same numbers, except 11. */
	if (xg_err >= XG_ERANGE && xg_err != XG_EAGAIN)
		return -xg_err;
	for (i = 0; i < sizeof(differ) / sizeof(differ[0]); i++)
		if (differ[i].xg == xg_err)
			return differ[i].fbsd;
	return XG_FBSD_EIO;
}
