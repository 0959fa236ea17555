/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* The fake hypervisor's event channels: both ABIs, see evtchn.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtchn.h"

#define FX_EINVAL 22
#define FX_ENOSYS 38
#define FX_ENOSPC 28
#define FX_EEXIST 17
#define FX_ESRCH 3
#define FX_EPERM 1
#define FX_EBUSY 16
#define FX_ENOENT_FAKE 2
/* HVMOP_set_evtchn_upcall_vector: Xen's header has it for x86 only. */
#define FX_HVMOP_UPCALL_VECTOR 23

#define FX_2L_PORTS 4096u
#define FX_FIFO_PORTS (1u << EVTCHN_FIFO_LINK_BITS)
#define FX_FIFO_PAGES 128u
#define FX_WORDS_PER_PAGE 1024u
#define FX_MAX_PIRQS 256u
#define FX_ULONG_BITS (8u * (unsigned)sizeof(xen_ulong_t))

#define W_PENDING (1u << EVTCHN_FIFO_PENDING)
#define W_MASKED (1u << EVTCHN_FIFO_MASKED)
#define W_LINKED (1u << EVTCHN_FIFO_LINKED)
#define W_LINK ((uint32_t)EVTCHN_FIFO_LINK_MASK)

struct fx_port {
	uint8_t state;          /* EVTCHNSTAT_* (closed = free) */
	uint8_t priority;
	uint8_t lastq_prio;     /* FIFO: queue it was last linked on */
	bool noword_pending;    /* FIFO: raised before its word existed */
	uint16_t notify_vcpu;
	uint16_t lastq_vcpu;
	domid_t remote_dom;
	uint32_t remote_port;
	uint32_t info;          /* VIRQ or PIRQ */
};

struct fx_fifo_vcpu {
	struct evtchn_fifo_control_block *cb;
	uint32_t tail[EVTCHN_FIFO_MAX_QUEUES];
};

struct fx_ev {
	struct fx_port ports[FX_FIFO_PORTS];
	uint32_t high;          /* ports below this may be in use */
	uint32_t max_ports;     /* 0: the ABI's limit */
	bool fifo;
	event_word_t *array[FX_FIFO_PAGES];
	unsigned npages;
	struct fx_fifo_vcpu fv[FX_MAX_VCPUS];
	uint32_t virq_port[FX_MAX_VCPUS][NR_VIRQS];
	uint32_t pirq_port[FX_MAX_PIRQS];
	uint8_t vector[FX_MAX_VCPUS];
	unsigned long kicks[FX_MAX_VCPUS];
	struct fx_domain *owner;
};

static struct fx_ev fx_evs[FX_MAX_DOMAINS];
static bool fx_fifo_available = true;

/* A domain's event state: a free slot is one whose owner is gone
 * (fx_reset() clears every domain's ext[]). */
static struct fx_ev *fx_ev(struct fx_domain *d)
{
	unsigned i;

	if (d->ext[FX_EXT_EVTCHN] != NULL)
		return d->ext[FX_EXT_EVTCHN];
	for (i = 0; i < FX_MAX_DOMAINS; i++) {
		struct fx_ev *e = &fx_evs[i];

		if (e->owner != NULL && e->owner->in_use &&
		    e->owner->ext[FX_EXT_EVTCHN] == e)
			continue;
		/* Ports at or above high are wiped when allocated. */
		memset((char *)e + sizeof(e->ports), 0,
		       sizeof(*e) - sizeof(e->ports));
		e->owner = d;
		e->high = 1;
		d->ext[FX_EXT_EVTCHN] = e;
		return e;
	}
	abort();
}

static bool fx_is_global_virq(unsigned virq)
{
	return !(virq == VIRQ_TIMER || virq == VIRQ_DEBUG ||
		 virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU);
}

static uint32_t fx_limit(struct fx_ev *e)
{
	uint32_t abi = e->fifo ? FX_FIFO_PORTS : FX_2L_PORTS;

	return e->max_ports && e->max_ports < abi ? e->max_ports : abi;
}

static struct fx_port *fx_port(struct fx_ev *e, uint32_t port)
{
	if (port == 0 || port >= fx_limit(e) || port >= e->high)
		return NULL;
	return e->ports[port].state == EVTCHNSTAT_closed ? NULL
							 : &e->ports[port];
}

static struct vcpu_info *fx_vcpu_info(struct fx_domain *d, unsigned v)
{
	if (v >= d->nr_vcpus)
		return NULL;
	if (d->vcpu[v].registered)
		return d->vcpu[v].vcpu_info;
	if (d->shared_info != NULL && v < XEN_LEGACY_MAX_VCPUS)
		return &d->shared_info->vcpu_info[v];
	return NULL;
}

static void fx_mark_pending(struct fx_domain *d, unsigned v)
{
	struct vcpu_info *vi = fx_vcpu_info(d, v);

	if (vi == NULL)
		return;
	if (!__atomic_exchange_n(&vi->evtchn_upcall_pending, 1,
				 __ATOMIC_SEQ_CST))
		fx_ev(d)->kicks[v]++;
}

/* ---- 2-level ---------------------------------------------------------- */

static bool fx_tas(xen_ulong_t *w, unsigned nr)
{
	xen_ulong_t m = (xen_ulong_t)1 << (nr % FX_ULONG_BITS);

	return (__atomic_fetch_or(&w[nr / FX_ULONG_BITS], m, __ATOMIC_SEQ_CST) &
		m) != 0;
}

static bool fx_tac(xen_ulong_t *w, unsigned nr)
{
	xen_ulong_t m = (xen_ulong_t)1 << (nr % FX_ULONG_BITS);

	return (__atomic_fetch_and(&w[nr / FX_ULONG_BITS], ~m,
				   __ATOMIC_SEQ_CST) & m) != 0;
}

static bool fx_tb(xen_ulong_t *w, unsigned nr)
{
	return (__atomic_load_n(&w[nr / FX_ULONG_BITS], __ATOMIC_SEQ_CST) >>
		(nr % FX_ULONG_BITS)) & 1u;
}

static void fx_2l_raise_sel(struct fx_domain *d, unsigned v, uint32_t port)
{
	struct vcpu_info *vi = fx_vcpu_info(d, v);

	if (vi != NULL &&
	    !fx_tas(&vi->evtchn_pending_sel, port / FX_ULONG_BITS))
		fx_mark_pending(d, v);
}

static void fx_2l_set_pending(struct fx_domain *d, struct fx_port *p,
			      uint32_t port)
{
	struct shared_info *s = d->shared_info;

	if (s == NULL || fx_tas(s->evtchn_pending, port))
		return;
	if (!fx_tb(s->evtchn_mask, port))
		fx_2l_raise_sel(d, p->notify_vcpu, port);
}

static void fx_2l_unmask(struct fx_domain *d, struct fx_port *p, uint32_t port)
{
	struct shared_info *s = d->shared_info;

	if (s != NULL && fx_tac(s->evtchn_mask, port) &&
	    fx_tb(s->evtchn_pending, port))
		fx_2l_raise_sel(d, p->notify_vcpu, port);
}

/* ---- FIFO ------------------------------------------------------------- */

static event_word_t *fx_word(struct fx_ev *e, uint32_t port)
{
	if (port / FX_WORDS_PER_PAGE >= e->npages)
		return NULL;
	return e->array[port / FX_WORDS_PER_PAGE] + port % FX_WORDS_PER_PAGE;
}

/* Set LINK of the old tail if it is still linked (the guest may have
 * consumed it); like Xen's compare-exchange loop. */
static bool fx_fifo_set_link(event_word_t *w, uint32_t port)
{
	uint32_t old = __atomic_load_n(w, __ATOMIC_SEQ_CST);

	for (;;) {
		uint32_t new_;

		if (!(old & W_LINKED))
			return false;
		new_ = (old & ~W_LINK) | port;
		if (__atomic_compare_exchange_n(w, &old, new_, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return true;
	}
}

static void fx_fifo_set_pending(struct fx_domain *d, struct fx_port *p,
				uint32_t port)
{
	struct fx_ev *e = fx_ev(d);
	event_word_t *w = fx_word(e, port);
	struct fx_fifo_vcpu *fv = &e->fv[p->notify_vcpu];
	unsigned q = p->priority;
	uint32_t old;
	bool linked = false;

	if (w == NULL) {
		p->noword_pending = true;
		return;
	}
	old = __atomic_fetch_or(w, W_PENDING, __ATOMIC_SEQ_CST);
	old |= __atomic_load_n(w, __ATOMIC_SEQ_CST);
	if (old & (W_MASKED | W_LINKED))
		return;
	if (fv->cb == NULL)
		return; /* vCPU without a control block: stays pending */
	if (__atomic_fetch_or(w, W_LINKED, __ATOMIC_SEQ_CST) & W_LINKED)
		return;
	/* A tail equal to @port was consumed (we just set its LINKED):
	 * the queue is empty. */
	if (fv->tail[q] != 0 && fv->tail[q] != port) {
		struct fx_port *t = &e->ports[fv->tail[q]];
		event_word_t *tw = fx_word(e, fv->tail[q]);

		if (t->lastq_vcpu == p->notify_vcpu && t->lastq_prio == q &&
		    tw != NULL)
			linked = fx_fifo_set_link(tw, port);
	}
	p->lastq_vcpu = p->notify_vcpu;
	p->lastq_prio = (uint8_t)q;
	if (!linked)
		__atomic_store_n(&fv->cb->head[q], port, __ATOMIC_SEQ_CST);
	fv->tail[q] = port;
	/* READY only for a new head (Xen's "only set READY for new heads"):
	 * setting it for an event added at the tail lets the guest read a
	 * stale HEAD and consume from another vCPU's queue. */
	if (!linked && !(__atomic_fetch_or(&fv->cb->ready, 1u << q,
					   __ATOMIC_SEQ_CST) & (1u << q)))
		fx_mark_pending(d, p->notify_vcpu);
}

static void fx_fifo_unmask(struct fx_domain *d, struct fx_port *p,
			   uint32_t port)
{
	event_word_t *w = fx_word(fx_ev(d), port);

	if (w == NULL)
		return;
	__atomic_fetch_and(w, ~W_MASKED, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(w, __ATOMIC_SEQ_CST) & W_PENDING)
		fx_fifo_set_pending(d, p, port);
}

/* ---- common ------------------------------------------------------------ */

static void fx_set_pending(struct fx_domain *d, uint32_t port)
{
	struct fx_ev *e = fx_ev(d);
	struct fx_port *p = fx_port(e, port);

	if (p == NULL)
		return;
	if (e->fifo)
		fx_fifo_set_pending(d, p, port);
	else
		fx_2l_set_pending(d, p, port);
}

static void fx_clear_pending(struct fx_domain *d, uint32_t port)
{
	struct fx_ev *e = fx_ev(d);

	if (e->fifo) {
		event_word_t *w = fx_word(e, port);

		if (w != NULL)
			__atomic_fetch_and(w, ~W_PENDING, __ATOMIC_SEQ_CST);
		e->ports[port].noword_pending = false;
	} else if (d->shared_info != NULL) {
		fx_tac(d->shared_info->evtchn_pending, port);
	}
}

static int fx_alloc_port(struct fx_domain *d, uint32_t *out)
{
	struct fx_ev *e = fx_ev(d);
	uint32_t p, lim = fx_limit(e);

	for (p = 1; p < lim; p++) {
		if (p < e->high && e->ports[p].state != EVTCHNSTAT_closed)
			continue;
		struct fx_port *fp = &e->ports[p];
		uint16_t lv = fp->lastq_vcpu;
		uint8_t lp = fp->lastq_prio;

		/* Like Xen, the queue an event was last linked on survives
		 * close and re-bind: the word may still be on that queue,
		 * and Xen must not link onto it from a different one. */
		memset(fp, 0, sizeof(*fp));
		fp->lastq_vcpu = p < e->high ? lv : 0;
		fp->lastq_prio = p < e->high ? lp : 0;
		fp->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
		if (p >= e->high)
			e->high = p + 1;
		*out = p;
		return 0;
	}
	return -FX_ENOSPC;
}

static void fx_free_port(struct fx_domain *d, uint32_t port)
{
	struct fx_ev *e = fx_ev(d);
	struct fx_port *p = &e->ports[port];

	/* Xen clears a closed port's pending bit so a re-bind starts clean. */
	fx_clear_pending(d, port);
	if (p->state == EVTCHNSTAT_virq) {
		unsigned v;

		/* A global VIRQ stays registered on the vCPU it was bound
		 * on, wherever it notifies now: clear it everywhere. */
		for (v = 0; v < d->nr_vcpus; v++)
			if (e->virq_port[v][p->info] == port)
				e->virq_port[v][p->info] = 0;
	}
	if (p->state == EVTCHNSTAT_pirq && p->info < FX_MAX_PIRQS)
		e->pirq_port[p->info] = 0;
	p->state = EVTCHNSTAT_closed;
}

static long fx_close(struct fx_domain *d, uint32_t port)
{
	struct fx_port *p = fx_port(fx_ev(d), port);

	if (p == NULL)
		return -FX_EINVAL;
	if (p->state == EVTCHNSTAT_interdomain) {
		struct fx_domain *r = fx_domain_get(p->remote_dom);
		struct fx_port *rp = r ? fx_port(fx_ev(r), p->remote_port)
				       : NULL;

		if (rp != NULL && rp->state == EVTCHNSTAT_interdomain) {
			rp->state = EVTCHNSTAT_unbound;
			rp->remote_dom = d->domid;
		}
	}
	fx_free_port(d, port);
	return 0;
}

static long fx_send(struct fx_domain *d, uint32_t port)
{
	struct fx_port *p = fx_port(fx_ev(d), port);

	if (p == NULL)
		return -FX_EINVAL;
	switch (p->state) {
	case EVTCHNSTAT_interdomain: {
		struct fx_domain *r = fx_domain_get(p->remote_dom);

		if (r != NULL)
			fx_set_pending(r, p->remote_port);
		return 0;
	}
	case EVTCHNSTAT_ipi:
		fx_set_pending(d, port);
		return 0;
	case EVTCHNSTAT_unbound:
		return 0; /* Xen drops it silently */
	default:
		return -FX_EINVAL;
	}
}

static long fx_alloc_unbound(struct fx_domain *d,
			     struct evtchn_alloc_unbound *a)
{
	uint32_t port;
	long rc;

	if (a->dom != DOMID_SELF && a->dom != d->domid)
		return -FX_EPERM;
	if (fx_domain_get(a->remote_dom) == NULL && a->remote_dom != DOMID_SELF)
		return -FX_ESRCH;
	rc = fx_alloc_port(d, &port);
	if (rc)
		return rc;
	fx_ev(d)->ports[port].state = EVTCHNSTAT_unbound;
	fx_ev(d)->ports[port].remote_dom =
		a->remote_dom == DOMID_SELF ? d->domid : a->remote_dom;
	a->port = port;
	return 0;
}

static long fx_bind_interdomain(struct fx_domain *d,
				struct evtchn_bind_interdomain *b)
{
	domid_t rid = b->remote_dom == DOMID_SELF ? d->domid : b->remote_dom;
	struct fx_domain *r = fx_domain_get(rid);
	struct fx_port *rp, *lp;
	uint32_t port;
	long rc;

	if (r == NULL)
		return -FX_ESRCH;
	rp = fx_port(fx_ev(r), b->remote_port);
	if (rp == NULL || rp->state != EVTCHNSTAT_unbound ||
	    rp->remote_dom != d->domid)
		return -FX_EINVAL;
	rc = fx_alloc_port(d, &port);
	if (rc)
		return rc;
	lp = &fx_ev(d)->ports[port];
	lp->state = EVTCHNSTAT_interdomain;
	lp->remote_dom = rid;
	lp->remote_port = b->remote_port;
	rp->state = EVTCHNSTAT_interdomain;
	rp->remote_dom = d->domid;
	rp->remote_port = port;
	b->local_port = port;
	/* Xen raises the new local port so nothing sent before is missed. */
	fx_set_pending(d, port);
	return 0;
}

static long fx_bind_virq(struct fx_domain *d, struct evtchn_bind_virq *b)
{
	struct fx_ev *e = fx_ev(d);
	uint32_t port;
	long rc;

	if (b->virq >= NR_VIRQS || b->vcpu >= d->nr_vcpus)
		return -FX_EINVAL;
	if (fx_is_global_virq(b->virq) && b->vcpu != 0)
		return -FX_EINVAL;
	if (e->virq_port[b->vcpu][b->virq] != 0)
		return -FX_EEXIST;
	rc = fx_alloc_port(d, &port);
	if (rc)
		return rc;
	e->ports[port].state = EVTCHNSTAT_virq;
	e->ports[port].info = b->virq;
	e->ports[port].notify_vcpu = (uint16_t)b->vcpu;
	e->virq_port[b->vcpu][b->virq] = port;
	b->port = port;
	return 0;
}

static long fx_bind_ipi(struct fx_domain *d, struct evtchn_bind_ipi *b)
{
	uint32_t port;
	long rc;

	if (b->vcpu >= d->nr_vcpus)
		return -FX_ENOENT_FAKE;
	rc = fx_alloc_port(d, &port);
	if (rc)
		return rc;
	fx_ev(d)->ports[port].state = EVTCHNSTAT_ipi;
	fx_ev(d)->ports[port].notify_vcpu = (uint16_t)b->vcpu;
	b->port = port;
	return 0;
}

static long fx_bind_pirq(struct fx_domain *d, struct evtchn_bind_pirq *b)
{
	struct fx_ev *e = fx_ev(d);
	uint32_t port;
	long rc;

	if (b->pirq >= FX_MAX_PIRQS)
		return -FX_EINVAL;
	if (e->pirq_port[b->pirq] != 0)
		return -FX_EBUSY;
	rc = fx_alloc_port(d, &port);
	if (rc)
		return rc;
	e->ports[port].state = EVTCHNSTAT_pirq;
	e->ports[port].info = b->pirq;
	e->pirq_port[b->pirq] = port;
	b->port = port;
	return 0;
}

static long fx_status(struct fx_domain *d, struct evtchn_status *s)
{
	struct fx_ev *e = fx_ev(d);
	struct fx_port *p;

	if (s->dom != DOMID_SELF && s->dom != d->domid)
		return -FX_ESRCH;
	if (s->port == 0 || s->port >= fx_limit(e))
		return -FX_EINVAL;
	p = fx_port(e, s->port);
	s->status = p ? p->state : EVTCHNSTAT_closed;
	s->vcpu = p ? p->notify_vcpu : 0;
	if (p == NULL)
		return 0;
	switch (p->state) {
	case EVTCHNSTAT_unbound:
		s->u.unbound.dom = p->remote_dom;
		break;
	case EVTCHNSTAT_interdomain:
		s->u.interdomain.dom = p->remote_dom;
		s->u.interdomain.port = p->remote_port;
		break;
	case EVTCHNSTAT_pirq:
		s->u.pirq = p->info;
		break;
	case EVTCHNSTAT_virq:
		s->u.virq = p->info;
		break;
	}
	return 0;
}

static long fx_bind_vcpu(struct fx_domain *d, struct evtchn_bind_vcpu *b)
{
	struct fx_port *p = fx_port(fx_ev(d), b->port);

	if (p == NULL || b->vcpu >= d->nr_vcpus)
		return -FX_EINVAL;
	switch (p->state) {
	case EVTCHNSTAT_virq:
		if (!fx_is_global_virq(p->info))
			return -FX_EINVAL;
		/* fall through */
	case EVTCHNSTAT_unbound:
	case EVTCHNSTAT_interdomain:
	case EVTCHNSTAT_pirq:
		p->notify_vcpu = (uint16_t)b->vcpu;
		return 0;
	default:
		return -FX_EINVAL;
	}
}

static long fx_unmask(struct fx_domain *d, uint32_t port)
{
	struct fx_port *p = fx_port(fx_ev(d), port);

	if (p == NULL)
		return -FX_EINVAL;
	if (fx_ev(d)->fifo)
		fx_fifo_unmask(d, p, port);
	else
		fx_2l_unmask(d, p, port);
	return 0;
}

static void fx_fifo_destroy(struct fx_ev *e)
{
	e->fifo = false;
	memset(e->array, 0, sizeof(e->array));
	e->npages = 0;
	memset(e->fv, 0, sizeof(e->fv));
}

static long fx_reset_dom(struct fx_domain *d, struct evtchn_reset *r)
{
	struct fx_ev *e = fx_ev(d);
	uint32_t p;

	if (r->dom != DOMID_SELF && r->dom != d->domid)
		return -FX_ESRCH;
	for (p = 1; p < e->high; p++)
		if (e->ports[p].state != EVTCHNSTAT_closed)
			fx_close(d, p);
	fx_fifo_destroy(e);
	return 0;
}

/* Switching to FIFO: ports already pending keep their event, which
 * shows once the array page holding their word is added. */
static long fx_init_control(struct fx_domain *d, struct evtchn_init_control *c)
{
	struct fx_ev *e = fx_ev(d);
	uint32_t p;

	if (!fx_fifo_available)
		return -FX_ENOSYS;
	if (c->vcpu >= d->nr_vcpus || c->offset > 4096 -
	    sizeof(struct evtchn_fifo_control_block) || (c->offset & 7))
		return -FX_EINVAL;
	if (e->fv[c->vcpu].cb != NULL)
		return -FX_EINVAL;
	e->fv[c->vcpu].cb = (void *)((char *)fx_gfn_to_virt(c->control_gfn) +
				     c->offset);
	memset(e->fv[c->vcpu].tail, 0, sizeof(e->fv[c->vcpu].tail));
	c->link_bits = EVTCHN_FIFO_LINK_BITS;
	if (!e->fifo) {
		e->fifo = true;
		for (p = 1; p < e->high && d->shared_info; p++)
			if (e->ports[p].state != EVTCHNSTAT_closed &&
			    fx_tb(d->shared_info->evtchn_pending, p))
				e->ports[p].noword_pending = true;
	}
	return 0;
}

static long fx_expand_array(struct fx_domain *d, struct evtchn_expand_array *x)
{
	struct fx_ev *e = fx_ev(d);
	uint32_t p, first;

	if (!e->fifo)
		return -FX_EINVAL;
	if (e->npages >= FX_FIFO_PAGES)
		return -FX_EINVAL;
	e->array[e->npages++] = fx_gfn_to_virt(x->array_gfn);
	first = (e->npages - 1) * FX_WORDS_PER_PAGE;
	for (p = first; p < first + FX_WORDS_PER_PAGE && p < e->high; p++) {
		if (!e->ports[p].noword_pending)
			continue;
		e->ports[p].noword_pending = false;
		fx_set_pending(d, p);
	}
	return 0;
}

static long fx_set_priority(struct fx_domain *d, struct evtchn_set_priority *s)
{
	struct fx_port *p = fx_port(fx_ev(d), s->port);

	if (!fx_ev(d)->fifo)
		return -FX_ENOSYS;
	if (p == NULL || s->priority > EVTCHN_FIFO_PRIORITY_MIN)
		return -FX_EINVAL;
	p->priority = (uint8_t)s->priority;
	return 0;
}

static long fx_event_channel_op(struct fx_domain *d, unsigned vcpu,
				unsigned long cmd, unsigned long arg,
				unsigned long a3, unsigned long a4,
				unsigned long a5)
{
	void *a = (void *)arg;

	(void)vcpu, (void)a3, (void)a4, (void)a5;
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		return fx_alloc_unbound(d, a);
	case EVTCHNOP_bind_interdomain:
		return fx_bind_interdomain(d, a);
	case EVTCHNOP_bind_virq:
		return fx_bind_virq(d, a);
	case EVTCHNOP_bind_ipi:
		return fx_bind_ipi(d, a);
	case EVTCHNOP_bind_pirq:
		return fx_bind_pirq(d, a);
	case EVTCHNOP_close:
		return fx_close(d, ((struct evtchn_close *)a)->port);
	case EVTCHNOP_send:
		return fx_send(d, ((struct evtchn_send *)a)->port);
	case EVTCHNOP_status:
		return fx_status(d, a);
	case EVTCHNOP_bind_vcpu:
		return fx_bind_vcpu(d, a);
	case EVTCHNOP_unmask:
		return fx_unmask(d, ((struct evtchn_unmask *)a)->port);
	case EVTCHNOP_reset:
		return fx_reset_dom(d, a);
	case EVTCHNOP_init_control:
		return fx_init_control(d, a);
	case EVTCHNOP_expand_array:
		return fx_expand_array(d, a);
	case EVTCHNOP_set_priority:
		return fx_set_priority(d, a);
	default:
		return -FX_ENOSYS;
	}
}

/* hvm_op: the core's get/set_param plus the per-vCPU upcall vector. */
static long fx_hvm_op(struct fx_domain *d, unsigned vcpu, unsigned long op,
		      unsigned long arg, unsigned long a3, unsigned long a4,
		      unsigned long a5)
{
	if (op == FX_HVMOP_UPCALL_VECTOR) {
		struct fx_upcall_vector {
			uint32_t vcpu;
			uint8_t vector;
		} *u = (void *)arg;

		if (u->vcpu >= d->nr_vcpus)
			return -FX_ENOENT_FAKE;
		if (u->vector < 0x10)
			return -FX_EINVAL;
		fx_ev(d)->vector[u->vcpu] = u->vector;
		return 0;
	}
	return fx_builtin_hvm_op(d, vcpu, op, arg, a3, a4, a5);
}

/* physdev_op: PIRQ status and EOI. By the fake's convention PIRQs 16
 * and up are level-triggered GSIs that need an EOI. */
static long fx_physdev_op(struct fx_domain *d, unsigned vcpu,
			  unsigned long cmd, unsigned long arg,
			  unsigned long a3, unsigned long a4, unsigned long a5)
{
	(void)d, (void)vcpu, (void)a3, (void)a4, (void)a5;
	if (cmd == PHYSDEVOP_irq_status_query) {
		struct physdev_irq_status_query *q = (void *)arg;

		q->flags = q->irq >= 16 ? XENIRQSTAT_needs_eoi : 0;
		return 0;
	}
	if (cmd == PHYSDEVOP_eoi)
		return ((struct physdev_eoi *)arg)->irq < FX_MAX_PIRQS ? 0
								       : -FX_EINVAL;
	return -FX_ENOSYS;
}

/* ---- test API ---------------------------------------------------------- */

void fx_evtchn_install(void)
{
	unsigned i;

	for (i = 0; i < FX_MAX_DOMAINS; i++) {
		struct fx_ev *e = &fx_evs[i];
		uint32_t high = e->high > FX_FIFO_PORTS ? FX_FIFO_PORTS
							: e->high;

		memset(e->ports, 0, high * sizeof(e->ports[0]));
		memset((char *)e + sizeof(e->ports), 0,
		       sizeof(*e) - sizeof(e->ports));
	}
	fx_fifo_available = true;
	fx_register_op(__HYPERVISOR_event_channel_op, fx_event_channel_op);
	fx_register_op(__HYPERVISOR_hvm_op, fx_hvm_op);
	fx_register_op(__HYPERVISOR_physdev_op, fx_physdev_op);
}

void fx_evtchn_set_fifo_available(bool on)
{
	fx_fifo_available = on;
}

void fx_evtchn_set_max_ports(struct fx_domain *d, uint32_t n)
{
	fx_lock();
	fx_ev(d)->max_ports = n;
	fx_unlock();
}

int fx_evtchn_inject_virq(struct fx_domain *d, unsigned vcpu, unsigned virq)
{
	struct fx_ev *e;
	uint32_t port;

	if (virq >= NR_VIRQS || vcpu >= d->nr_vcpus)
		return -FX_EINVAL;
	fx_lock();
	e = fx_ev(d);
	port = e->virq_port[fx_is_global_virq(virq) ? 0 : vcpu][virq];
	if (port != 0)
		fx_set_pending(d, port);
	fx_unlock();
	return port != 0 ? 0 : -FX_ENOENT_FAKE;
}

int fx_evtchn_inject_pirq(struct fx_domain *d, uint32_t pirq)
{
	uint32_t port;

	if (pirq >= FX_MAX_PIRQS)
		return -FX_EINVAL;
	fx_lock();
	port = fx_ev(d)->pirq_port[pirq];
	if (port != 0)
		fx_set_pending(d, port);
	fx_unlock();
	return port != 0 ? 0 : -FX_ENOENT_FAKE;
}

int fx_evtchn_peer_alloc_unbound(struct fx_domain *d, domid_t remote,
				 uint32_t *port)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF,
					  .remote_dom = remote };
	long rc;

	fx_lock();
	rc = fx_alloc_unbound(d, &a);
	fx_unlock();
	*port = a.port;
	return (int)rc;
}

int fx_evtchn_peer_bind_interdomain(struct fx_domain *d, domid_t remote,
				    uint32_t remote_port, uint32_t *port)
{
	struct evtchn_bind_interdomain b = { .remote_dom = remote,
					     .remote_port = remote_port };
	long rc;

	fx_lock();
	rc = fx_bind_interdomain(d, &b);
	fx_unlock();
	*port = b.local_port;
	return (int)rc;
}

int fx_evtchn_peer_send(struct fx_domain *d, uint32_t port)
{
	long rc;

	fx_lock();
	rc = fx_send(d, port);
	fx_unlock();
	return (int)rc;
}

int fx_evtchn_peer_send_via(struct fx_domain *d, uint32_t port, unsigned vcpu)
{
	struct fx_port *p, *rp = NULL;
	struct fx_domain *r = NULL;
	uint16_t notify = 0;
	long rc = -FX_EINVAL;

	fx_lock();
	p = fx_port(fx_ev(d), port);
	if (p != NULL && p->state == EVTCHNSTAT_interdomain)
		r = fx_domain_get(p->remote_dom);
	if (r != NULL && vcpu < r->nr_vcpus)
		rp = fx_port(fx_ev(r), p->remote_port);
	if (rp != NULL) {
		notify = rp->notify_vcpu;
		rp->notify_vcpu = (uint16_t)vcpu;
		rc = fx_send(d, port);
		rp->notify_vcpu = notify;
	}
	fx_unlock();
	return (int)rc;
}

int fx_evtchn_peer_close(struct fx_domain *d, uint32_t port)
{
	long rc;

	fx_lock();
	rc = fx_close(d, port);
	fx_unlock();
	return (int)rc;
}

unsigned fx_evtchn_port_state(struct fx_domain *d, uint32_t port)
{
	struct fx_port *p;
	unsigned st;

	fx_lock();
	p = fx_port(fx_ev(d), port);
	st = p ? p->state : EVTCHNSTAT_closed;
	fx_unlock();
	return st;
}

unsigned fx_evtchn_port_vcpu(struct fx_domain *d, uint32_t port)
{
	struct fx_port *p;
	unsigned v;

	fx_lock();
	p = fx_port(fx_ev(d), port);
	v = p ? p->notify_vcpu : ~0u;
	fx_unlock();
	return v;
}

unsigned fx_evtchn_port_priority(struct fx_domain *d, uint32_t port)
{
	struct fx_port *p;
	unsigned v;

	fx_lock();
	p = fx_port(fx_ev(d), port);
	v = p ? p->priority : ~0u;
	fx_unlock();
	return v;
}

bool fx_evtchn_is_fifo(struct fx_domain *d)
{
	return fx_ev(d)->fifo;
}

unsigned fx_evtchn_fifo_pages(struct fx_domain *d)
{
	return fx_ev(d)->npages;
}

unsigned fx_evtchn_upcall_vector(struct fx_domain *d, unsigned vcpu)
{
	return vcpu < FX_MAX_VCPUS ? fx_ev(d)->vector[vcpu] : 0;
}

unsigned fx_evtchn_ports_in_use(struct fx_domain *d)
{
	struct fx_ev *e;
	unsigned n = 0;
	uint32_t p;

	fx_lock();
	e = fx_ev(d);
	for (p = 1; p < e->high; p++)
		n += e->ports[p].state != EVTCHNSTAT_closed;
	fx_unlock();
	return n;
}

bool fx_evtchn_vcpu_should_upcall(struct fx_domain *d, unsigned vcpu,
				  unsigned irq_depth)
{
	struct vcpu_info *vi;

	if (irq_depth != 0 || vcpu >= d->nr_vcpus || !d->vcpu[vcpu].registered)
		return false;
	vi = d->vcpu[vcpu].vcpu_info;
	return __atomic_load_n(&vi->evtchn_upcall_pending,
			       __ATOMIC_ACQUIRE) != 0;
}

unsigned long fx_evtchn_kicks(struct fx_domain *d, unsigned vcpu)
{
	unsigned long k;

	fx_lock();
	k = vcpu < FX_MAX_VCPUS ? fx_ev(d)->kicks[vcpu] : 0;
	fx_unlock();
	return k;
}

void fx_evtchn_debug_port(struct fx_domain *d, uint32_t port)
{
	struct fx_ev *e;
	struct fx_port *p;
	event_word_t *w;
	unsigned v;

	fx_lock();
	e = fx_ev(d);
	p = &e->ports[port];
	w = e->fifo ? fx_word(e, port) : NULL;
	fprintf(stderr, "fx port %u: state %u vcpu %u prio %u lastq %u/%u "
		"word %08x\n", port, p->state, p->notify_vcpu, p->priority,
		p->lastq_vcpu, p->lastq_prio, w ? *w : 0);
	for (v = 0; v < d->nr_vcpus && e->fifo; v++) {
		struct fx_fifo_vcpu *fv = &e->fv[v];
		unsigned q = p->priority;

		if (fv->cb == NULL)
			continue;
		fprintf(stderr,
			"  vcpu %u: ready %x head %u tail %u upcall %u\n",
			v, fv->cb->ready, fv->cb->head[q], fv->tail[q],
			fx_vcpu_info(d, v)->evtchn_upcall_pending);
	}
	fx_unlock();
}

void fx_evtchn_restore(struct fx_domain *d)
{
	struct fx_ev *e;
	uint32_t p;

	fx_lock();
	e = fx_ev(d);
	for (p = 1; p < e->high; p++)
		if (e->ports[p].state != EVTCHNSTAT_closed)
			fx_close(d, p);
	fx_fifo_destroy(e);
	memset(e->vector, 0, sizeof(e->vector));
	fx_unlock();
}
