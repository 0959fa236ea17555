/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The interrupt-source registry: port -> struct xg_isrc table, binding
 * and release through the port's isrc hooks, per-CPU VIRQ/IPI tables,
 * PIC-style enable/disable/ithread hooks, rebind, lateeoi back-off.
 *
 * Table invariant (ev->lock_ serialises every writer): a slot is either
 * NULL or points to a fully initialised source whose port is masked or
 * live; a leaf, once published, stays until xg_evtchn_fini(). Readers
 * (the upcall) use acquire loads and no lock. A source leaves the table
 * before it is released, and release waits until every CPU that was
 * inside the upcall at that moment has left it (per-CPU seq_ counter),
 * so the upcall never touches freed memory.
 */
#include <xenguest/hypercall.h>

#include "../evtchn/xg_evtchn.h"

/* ---- the table --------------------------------------------------------- */

struct xg_isrc *xg_intr_lookup(struct xg_evtchn *ev, uint32_t port)
{
	struct xg_isrc **leaf;

	if (port >= XG_EVTCHN_FIFO_PORTS)
		return NULL;
	leaf = __atomic_load_n(&ev->dir_[port / XG_INTR_LEAF_ENTRIES],
			       __ATOMIC_ACQUIRE);
	if (leaf == NULL)
		return NULL;
	return __atomic_load_n(&leaf[port % XG_INTR_LEAF_ENTRIES],
			       __ATOMIC_ACQUIRE);
}

/* Allocate the leaf of @port if missing (thread, no lock held). */
int xg_intr_leaf_ensure_(struct xg_evtchn *ev, uint32_t port)
{
	unsigned i = port / XG_INTR_LEAF_ENTRIES;
	struct xg_isrc **page;
	xg_port_irqstate_t st;

	if (__atomic_load_n(&ev->dir_[i], __ATOMIC_ACQUIRE) != NULL)
		return 0;
	page = xg_port_page_alloc(1);
	if (page == NULL)
		return XG_ENOMEM;
	st = xg_port_lock(&ev->lock_);
	if (ev->dir_[i] == NULL) {
		__atomic_store_n(&ev->dir_[i], page, __ATOMIC_RELEASE);
		ev->leaves_++;
		page = NULL;
	}
	xg_port_unlock(&ev->lock_, st);
	if (page != NULL)
		xg_port_page_free(page, 1);
	return 0;
}



/* The per-CPU table a VIRQ or IPI source belongs in, or NULL. A global
 * VIRQ is listed under CPU 0 wherever it was moved. */
static struct xg_isrc **xg_intr_percpu_slot(struct xg_evtchn *ev,
					    unsigned type, unsigned info,
					    unsigned cpu)
{
	if (type == XG_ISRC_VIRQ)
		return &ev->cpus[xg_virq_is_percpu_(info) ? cpu : 0].virq_[info];
	if (type == XG_ISRC_IPI)
		return &ev->cpus[cpu].ipi_[info];
	return NULL;
}

/* ---- physical IRQs ----------------------------------------------------- */

static void xg_intr_pirq_eoi(struct xg_isrc *isrc)
{
	struct physdev_eoi e = { .irq = isrc->info };

	(void)xg_hc_physdev_op(PHYSDEVOP_eoi, &e);
}

/* ---- dispatch (upcall) ------------------------------------------------- */

/* Stray events, lateeoi and level PIRQ sources: off the hot path that
 * xg_intr_dispatch_() (xg_evtchn.h) inlines into the scans. */
void xg_intr_dispatch_slow_(struct xg_evtchn *ev, struct xg_isrc *isrc)
{
	if (isrc == NULL) {
		__atomic_fetch_add(&ev->stray_, 1, __ATOMIC_RELAXED);
		return;
	}
	XG_WRITE_ONCE(isrc->count, XG_READ_ONCE(isrc->count) + 1);
	if (isrc->flags_ & XG_ISRC_F_LATEEOI)
		ev->ops_->mask(ev, isrc->port);
	if (isrc->handler(isrc, isrc->arg) == XG_ISRC_DEFER)
		xg_intr_pre_ithread(isrc);
	else if (isrc->flags_ & XG_ISRC_F_PIRQ_EOI)
		xg_intr_pirq_eoi(isrc);
}

/* ---- binding ----------------------------------------------------------- */


void xg_intr_describe(struct xg_isrc *isrc, const char *descr)
{
	size_t n = descr ? xg_strnlen(descr, XG_ISRC_NAME_MAX - 1) : 0;

	xg_memset(isrc->name, 0, sizeof(isrc->name));
	if (n != 0)
		xg_memcpy(isrc->name, descr, n);
}

static void xg_intr_fill(struct xg_isrc *isrc, struct xg_evtchn *ev,
			 const struct xg_intr_req *rq, uint32_t port)
{

	isrc->handler = rq->handler;
	isrc->arg = rq->arg;
	isrc->ev = ev;
	isrc->port = port;
	isrc->info = rq->info;
	isrc->cpu = (uint16_t)rq->cpu;
	isrc->type = (uint8_t)rq->type;
	isrc->flags_ = (uint8_t)(((rq->flags & XG_INTR_LATEEOI) ?
				  XG_ISRC_F_LATEEOI : 0) |
				 ((rq->flags & XG_INTR_NOCLOSE) ?
				  XG_ISRC_F_NOCLOSE : 0) | rq->fixed);
	isrc->state_ = 0;
	isrc->count = 0;
	isrc->spurious_ = 0;
	isrc->eoi_due_ns_ = 0;
	isrc->eoi_next_ = NULL;
	xg_intr_describe(isrc, rq->name);
}

/* Publish @isrc for @port, unless the port or the per-CPU slot is
 * taken. */
static int xg_intr_publish(struct xg_evtchn *ev, struct xg_isrc *isrc)
{
	struct xg_isrc **pc = xg_intr_percpu_slot(ev, isrc->type, isrc->info,
						  isrc->cpu);
	struct xg_isrc **slot = xg_intr_slot_(ev, isrc->port);
	xg_port_irqstate_t st = xg_port_lock(&ev->lock_);
	int rc = 0;

	if (*slot != NULL || (pc != NULL && *pc != NULL)) {
		rc = XG_EEXIST;
	} else {
		if (pc != NULL)
			*pc = isrc;
		__atomic_store_n(slot, isrc, __ATOMIC_RELEASE);
	}
	xg_port_unlock(&ev->lock_, st);
	return rc;
}

/* Next online CPU for a new port source, round-robin. */
static unsigned xg_intr_pick_cpu(struct xg_evtchn *ev)
{
	xg_port_irqstate_t st = xg_port_lock(&ev->lock_);
	unsigned i, cpu = 0;

	for (i = 0; i < ev->ncpus; i++) {
		unsigned c = (ev->next_cpu_ + i) % ev->ncpus;

		if (__atomic_load_n(&ev->xen->cpus[c].online,
				    __ATOMIC_ACQUIRE)) {
			cpu = c;
			break;
		}
	}
	ev->next_cpu_ = (cpu + 1) % ev->ncpus;
	xg_port_unlock(&ev->lock_, st);
	return cpu;
}

static bool xg_intr_is_port_type(unsigned type)
{
	return type == XG_ISRC_LOCAL || type == XG_ISRC_INTERDOMAIN ||
	       type == XG_ISRC_UNBOUND || type == XG_ISRC_PIRQ;
}

/*
 * Second half of every bind: the port exists (bound by us unless
 * LOCAL) and is masked. Place it, get the host's object, publish it.
 * On failure undo everything, closing a port we opened.
 */
int xg_intr_attach_(struct xg_evtchn *ev, struct xg_intr_req *rq,
			  uint32_t port, bool opened, struct xg_isrc **out)
{
	struct xg_isrc *isrc = NULL;
	int rc = xg_intr_leaf_ensure_(ev, port);

	if (rc == 0 && xg_intr_is_port_type(rq->type)) {
		rq->cpu = xg_intr_pick_cpu(ev);
		if (rq->cpu != 0 &&
		    xg_evtchn_bind_vcpu(ev, port, rq->cpu) != 0)
			rq->cpu = 0; /* Xen said no: stay on CPU 0 */
	}
	if (rc == 0) {
		isrc = xg_port_isrc_alloc(rq->type, rq->cpu, rq->name);
		rc = isrc == NULL ? XG_ENOMEM : 0;
	}
	if (rc == 0) {
		xg_intr_fill(isrc, ev, rq, port);
		rc = xg_intr_publish(ev, isrc);
	}
	if (rc != 0) {
		if (isrc != NULL)
			xg_port_isrc_release(isrc);
		if (opened)
			(void)xg_evtchn_close(ev, port);
		return rc;
	}
	if (rq->flags & XG_INTR_ENABLE)
		xg_evtchn_unmask(ev, port);
	*out = isrc;
	return 0;
}

bool xg_intr_args_ok_(xg_isrc_handler_t *handler, unsigned flags,
			    struct xg_isrc **out)
{
	return handler != NULL && out != NULL &&
	       (flags & ~(XG_INTR_ENABLE | XG_INTR_NOCLOSE |
			  XG_INTR_LATEEOI)) == 0;
}

int xg_intr_bind_port(struct xg_evtchn *ev, uint32_t port, const char *name,
		      xg_isrc_handler_t *handler, void *arg, unsigned flags,
		      struct xg_isrc **out)
{
	struct xg_intr_req rq = XG_INTR_REQ(XG_ISRC_LOCAL, port, 0);
	int rc;

	if (!xg_intr_args_ok_(handler, flags, out))
		return XG_EINVAL;
	rc = xg_evtchn_adopt(ev, port);
	return rc != 0 ? rc : xg_intr_attach_(ev, &rq, port, false, out);
}

int xg_intr_bind_interdomain(struct xg_evtchn *ev, uint16_t remote,
			     uint32_t remote_port, const char *name,
			     xg_isrc_handler_t *handler, void *arg,
			     unsigned flags, struct xg_isrc **out)
{
	struct xg_intr_req rq = XG_INTR_REQ(XG_ISRC_INTERDOMAIN, remote, 0);
	uint32_t port;
	int rc;

	if (!xg_intr_args_ok_(handler, flags, out))
		return XG_EINVAL;
	rc = xg_evtchn_bind_interdomain(ev, remote, remote_port, &port);
	return rc != 0 ? rc : xg_intr_attach_(ev, &rq, port, true, out);
}

int xg_intr_alloc_unbound(struct xg_evtchn *ev, uint16_t remote,
			  const char *name, xg_isrc_handler_t *handler,
			  void *arg, unsigned flags, struct xg_isrc **out)
{
	struct xg_intr_req rq = XG_INTR_REQ(XG_ISRC_UNBOUND, remote, 0);
	uint32_t port;
	int rc;

	if (!xg_intr_args_ok_(handler, flags, out))
		return XG_EINVAL;
	rc = xg_evtchn_alloc_unbound(ev, remote, &port);
	return rc != 0 ? rc : xg_intr_attach_(ev, &rq, port, true, out);
}

int xg_intr_bind_virq(struct xg_evtchn *ev, unsigned virq, unsigned cpu,
		      const char *name, xg_isrc_handler_t *handler, void *arg,
		      unsigned flags, struct xg_isrc **out)
{
	struct xg_intr_req rq = XG_INTR_REQ(XG_ISRC_VIRQ, virq, cpu);
	uint32_t port;
	int rc;

	if (!xg_intr_args_ok_(handler, flags, out) ||
	    virq >= XG_EVTCHN_NR_VIRQS || cpu >= ev->ncpus)
		return XG_EINVAL;
	if (!xg_virq_is_percpu_(virq) && cpu != 0)
		return XG_EINVAL;
	if (__atomic_load_n(xg_intr_percpu_slot(ev, XG_ISRC_VIRQ, virq, cpu),
			    __ATOMIC_ACQUIRE))
		return XG_EEXIST;
	rc = xg_evtchn_bind_virq(ev, virq, cpu, &port);
	return rc != 0 ? rc : xg_intr_attach_(ev, &rq, port, true, out);
}

int xg_intr_bind_ipi(struct xg_evtchn *ev, unsigned ipi, unsigned cpu,
		     const char *name, xg_isrc_handler_t *handler, void *arg,
		     unsigned flags, struct xg_isrc **out)
{
	struct xg_intr_req rq = XG_INTR_REQ(XG_ISRC_IPI, ipi, cpu);
	uint32_t port;
	int rc;

	if (!xg_intr_args_ok_(handler, flags, out) || ipi >= XG_INTR_NR_IPIS ||
	    cpu >= ev->ncpus)
		return XG_EINVAL;
	if (__atomic_load_n(&ev->cpus[cpu].ipi_[ipi], __ATOMIC_ACQUIRE))
		return XG_EEXIST;
	rc = xg_evtchn_bind_ipi(ev, cpu, &port);
	return rc != 0 ? rc : xg_intr_attach_(ev, &rq, port, true, out);
}

/* ---- release ----------------------------------------------------------- */

#define XG_QUIESCE_POLL_NS 1000000u

struct xg_intr_quiesce {
	const uint32_t *seq;
	uint32_t seen;
};

static bool xg_intr_moved_on(void *arg)
{
	const struct xg_intr_quiesce *q = arg;

	return __atomic_load_n(q->seq, __ATOMIC_ACQUIRE) != q->seen;
}

/* Wait until no CPU can still be dispatching a source that left the
 * table before this call: each CPU that is inside the upcall now (odd
 * seq_) must get past it. The seq_cst loads pair with the upcall's
 * seq_cst entry store. */
static void xg_intr_quiesce(struct xg_evtchn *ev)
{
	unsigned i;

	for (i = 0; i < ev->ncpus; i++) {
		struct xg_intr_quiesce q = { .seq = &ev->cpus[i].seq_ };

		q.seen = __atomic_load_n(q.seq, __ATOMIC_SEQ_CST);
		/* Nothing wakes this channel (a wakeup from every upcall
		 * would cost every event a port call), so look again every
		 * millisecond; an upcall lasts far less. */
		while ((q.seen & 1u) &&
		       xg_port_wait(q.seq, xg_intr_moved_on, &q,
				    XG_QUIESCE_POLL_NS) == XG_ETIMEDOUT)
			;
	}
}

static void xg_intr_eoi_unlink(struct xg_evtchn *ev, struct xg_isrc *isrc)
{
	struct xg_isrc **pp;

	for (pp = &ev->eoi_list_; *pp != NULL; pp = &(*pp)->eoi_next_) {
		if (*pp == isrc) {
			*pp = isrc->eoi_next_;
			break;
		}
	}
	isrc->eoi_next_ = NULL;
	isrc->state_ &= (uint8_t)~XG_ISRC_S_EOI_WAIT;
}

/* A source whose port died in a resume is only taken out of the
 * registry: its port number may belong to a new source now. */
int xg_intr_unbind(struct xg_isrc *isrc)
{
	struct xg_evtchn *ev = isrc->ev;
	bool dead = (isrc->state_ & XG_ISRC_S_DEAD) != 0;
	bool keep_open = dead || (isrc->flags_ & XG_ISRC_F_NOCLOSE);
	struct xg_isrc **pc, **slot;
	xg_port_irqstate_t st;
	int rc = 0;

	/* From its own handler it would wait for itself to leave. */
	XG_ASSERT(!xg_evtchn_in_upcall_(ev, xg_port_cpu_self()));
	if (!dead)
		xg_evtchn_mask(ev, isrc->port);
	st = xg_port_lock(&ev->lock_);
	pc = xg_intr_percpu_slot(ev, isrc->type, isrc->info, isrc->cpu);
	if (pc != NULL && *pc == isrc)
		*pc = NULL;
	if (isrc->state_ & XG_ISRC_S_EOI_WAIT)
		xg_intr_eoi_unlink(ev, isrc);
	slot = xg_intr_slot_(ev, isrc->port);
	if (*slot == isrc)
		__atomic_store_n(slot, NULL, __ATOMIC_SEQ_CST);
	if (keep_open && !dead)
		xg_evtchn_set_owner_(ev, isrc->port, -1);
	xg_port_unlock(&ev->lock_, st);
	if (!keep_open)
		rc = xg_evtchn_close(ev, isrc->port);
	xg_intr_quiesce(ev);
	xg_port_isrc_release(isrc);
	return rc;
}

/* ---- PIC methods ------------------------------------------------------- */

void xg_intr_enable(struct xg_isrc *isrc)
{
	xg_evtchn_unmask(isrc->ev, isrc->port);
}

void xg_intr_disable(struct xg_isrc *isrc)
{
	xg_evtchn_mask(isrc->ev, isrc->port);
}

void xg_intr_post_filter(struct xg_isrc *isrc)
{
	(void)isrc;
}

void xg_intr_pre_ithread(struct xg_isrc *isrc)
{
	xg_evtchn_mask(isrc->ev, isrc->port);
}

void xg_intr_post_ithread(struct xg_isrc *isrc)
{
	if (isrc->flags_ & XG_ISRC_F_PIRQ_EOI)
		xg_intr_pirq_eoi(isrc);
	xg_evtchn_unmask(isrc->ev, isrc->port);
}

int xg_intr_bind_cpu(struct xg_isrc *isrc, unsigned cpu)
{
	int rc;

	if (!xg_intr_is_port_type(isrc->type) &&
	    !(isrc->type == XG_ISRC_VIRQ && !xg_virq_is_percpu_(isrc->info)))
		return XG_EINVAL;
	rc = xg_evtchn_bind_vcpu(isrc->ev, isrc->port, cpu);
	if (rc == 0)
		__atomic_store_n(&isrc->cpu, (uint16_t)cpu, __ATOMIC_RELAXED);
	return rc;
}

int xg_intr_notify(struct xg_isrc *isrc)
{
	return xg_evtchn_send(isrc->ev, isrc->port);
}

int xg_intr_ipi_send(struct xg_evtchn *ev, unsigned cpu, unsigned ipi)
{
	struct xg_isrc *isrc;

	if (cpu >= ev->ncpus || ipi >= XG_INTR_NR_IPIS)
		return XG_EINVAL;
	isrc = __atomic_load_n(&ev->cpus[cpu].ipi_[ipi], __ATOMIC_ACQUIRE);
	if (isrc == NULL)
		return XG_ENOENT;
	return xg_evtchn_send(ev, isrc->port);
}

/* ---- per-CPU bring-up and resume --------------------------------------- */

/*
 * HVMOP_set_evtchn_upcall_vector (23) and its argument, spelled out here:
 * Xen's header declares them for x86 builds only, and this file builds
 * for every architecture (an arm upcall is a PPI and never gets here).
 */
#define XG_HVMOP_set_evtchn_upcall_vector 23
struct xg_hvm_upcall_vector {
	uint32_t vcpu;
	uint8_t vector;
};

/* HVM_PARAM_CALLBACK_IRQ type "vector" (2, x86-only in Xen's header). */
#define XG_HVM_CALLBACK_TYPE_VECTOR 2ull

int xg_intr_upcall_vector_(struct xg_evtchn *ev, unsigned cpu)
{
	struct xg_hvm_upcall_vector op = {
		.vcpu = ev->xen->cpus[cpu].vcpu_id,
		.vector = ev->upcall_.vector,
	};
	struct xen_hvm_param cb = {
		.domid = DOMID_SELF,
		.index = HVM_PARAM_CALLBACK_IRQ,
		.value = XG_HVM_CALLBACK_TYPE_VECTOR << 56 |
			 ev->upcall_.vector,
	};
	long rc;

	if (ev->upcall_.kind != XG_UPCALL_VECTOR)
		return 0;
	rc = xg_hc_hvm_op(XG_HVMOP_set_evtchn_upcall_vector, &op);
	/* vCPU 0 also sets the domain-wide callback: the per-vCPU vector
	 * takes precedence for delivery, and toolstacks read this
	 * parameter to decide that the guest handles events (Linux and
	 * FreeBSD set it too). */
	if (rc == 0 && op.vcpu == 0)
		rc = xg_hc_hvm_op(HVMOP_set_param, &cb);
	return rc < 0 ? (int)rc : 0;
}

static int xg_intr_bind_percpu(struct xg_evtchn *ev, unsigned cpu)
{
	const struct xg_evtchn_config *cfg = &ev->cfg_;
	struct xg_isrc *isrc;
	unsigned v;
	int rc;

	for (v = 0; v < XG_EVTCHN_NR_VIRQS; v++) {
		if (!(cfg->percpu_virqs & (1u << v)) || ev->cpus[cpu].virq_[v])
			continue;
		rc = xg_intr_bind_virq(ev, v, cpu, "virq", cfg->virq_handler,
				       cfg->virq_arg, XG_INTR_ENABLE, &isrc);
		if (rc != 0)
			return rc;
	}
	for (v = 0; v < cfg->nr_ipis; v++) {
		if (ev->cpus[cpu].ipi_[v])
			continue;
		rc = xg_intr_bind_ipi(ev, v, cpu, "ipi", cfg->ipi_handler,
				      cfg->ipi_arg, XG_INTR_ENABLE, &isrc);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Let the upcall in on @cpu. An upcall that arrived before this returned
 * at once and left evtchn_upcall_pending set; Xen raises the upcall
 * interrupt only when that flag goes from 0 to 1, so raise it here or
 * this CPU would never take another one.
 */
static void xg_intr_cpu_ready(struct xg_evtchn *ev, unsigned cpu)
{
	struct vcpu_info *vi = ev->xen->cpus[cpu].vcpu_info;
	xg_port_irqstate_t st = xg_port_lock(&ev->lock_);

	__atomic_store_n(&ev->cpus[cpu].ready_, true, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST))
		xg_port_upcall_raise();
	xg_port_unlock(&ev->lock_, st);
}

int xg_intr_cpu_init(struct xg_evtchn *ev)
{
	unsigned cpu = xg_port_cpu_self();
	int rc;

	if (cpu >= ev->ncpus)
		return XG_EINVAL;
	if (ev->cpus[cpu].ready_)
		return 0;
	rc = xg_xen_cpu_init(ev->xen);
	if (rc == 0)
		rc = ev->ops_->cpu_init(ev, cpu);
	if (rc == 0)
		rc = xg_intr_upcall_vector_(ev, cpu);
	if (rc == 0)
		rc = xg_intr_bind_percpu(ev, cpu);
	if (rc == 0)
		xg_intr_cpu_ready(ev, cpu);
	return rc;
}
