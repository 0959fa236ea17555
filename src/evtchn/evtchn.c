/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Event channels, ABI-neutral part: init and ABI choice, the bind
 * hypercalls, ownership, rebind, and the upcall entry point. The ABI
 * specifics (bitmaps or FIFO queues) are behind ev->ops_.
 */
#include <xenguest/hypercall.h>

#include "xg_evtchn.h"

static int xg_evtchn_op(int cmd, void *arg)
{
	long rc = xg_hc_event_channel_op(cmd, arg);

	return rc < 0 ? (int)rc : 0;
}

static bool xg_evtchn_port_ok(const struct xg_evtchn *ev, uint32_t port)
{
	return port < __atomic_load_n(&ev->nr_ports, __ATOMIC_ACQUIRE);
}

/* ---- init ---------------------------------------------------------------- */

void xg_evtchn_use_2l_(struct xg_evtchn *ev)
{
#if XG_CONFIG_EVTCHN_2L
	ev->ops_ = &xg_evtchn_2l_ops_;
	ev->abi = XG_EVTCHN_ABI_2L;
	__atomic_store_n(&ev->nr_ports, XG_EVTCHN_2L_PORTS, __ATOMIC_RELEASE);
#else
	(void)ev;
#endif
}

static int xg_evtchn_choose_abi(struct xg_evtchn *ev, unsigned cpu)
{
	unsigned want = ev->cfg_.abi;
	int rc = XG_EOPNOTSUPP;

	if (want == XG_EVTCHN_ABI_FIFO && !XG_CONFIG_EVTCHN_FIFO)
		return XG_EOPNOTSUPP;
	if (want == XG_EVTCHN_ABI_2L && !XG_CONFIG_EVTCHN_2L)
		return XG_EOPNOTSUPP;
#if XG_CONFIG_EVTCHN_FIFO
	if (want != XG_EVTCHN_ABI_2L) {
		rc = xg_evtchn_fifo_start_(ev, cpu);
		if (rc == 0)
			return 0;
	}
#else
	(void)cpu;
#endif
	if (want == XG_EVTCHN_ABI_FIFO || !XG_CONFIG_EVTCHN_2L)
		return rc;
	if (want != XG_EVTCHN_ABI_2L)
		xg_notice("xenguest: FIFO event channels unavailable (%d), "
			  "using 2-level\n", rc);
	xg_evtchn_use_2l_(ev);
	return 0;
}

/* 2-level: every port starts masked, so an event on a port nobody
 * enabled waits, pending, for its source. */
void xg_evtchn_2l_mask_all_(struct xg_evtchn *ev)
{
	struct shared_info *s = ev->xen->shared_info;
	unsigned i;

	for (i = 0; i < XG_ARRAY_SIZE(s->evtchn_mask); i++)
		__atomic_store_n(&s->evtchn_mask[i], ~(xen_ulong_t)0,
				 __ATOMIC_SEQ_CST);
}

int xg_evtchn_init(struct xg_evtchn *ev, struct xg_xen *xen,
		   struct xg_evtchn_cpu *cpus,
		   const struct xg_evtchn_config *cfg)
{
	unsigned cpu = xg_port_cpu_self();
	int rc;

	if (ev == NULL || xen == NULL || cpus == NULL ||
	    xen->shared_info == NULL || cpu >= xen->ncpus)
		return XG_EINVAL;
	if (cfg != NULL && (cfg->abi > XG_EVTCHN_ABI_FIFO ||
			    cfg->nr_ipis > XG_INTR_NR_IPIS ||
			    (cfg->percpu_virqs >> XG_EVTCHN_NR_VIRQS) != 0))
		return XG_EINVAL;
	xg_memset(ev, 0, sizeof(*ev));
	xg_memset(cpus, 0, xen->ncpus * sizeof(*cpus));
	ev->xen = xen;
	ev->cpus = cpus;
	ev->ncpus = xen->ncpus;
	if (cfg != NULL)
		ev->cfg_ = *cfg;
	xg_port_lock_init(&ev->lock_);

	xg_evtchn_2l_mask_all_(ev);
	rc = xg_evtchn_choose_abi(ev, cpu);
	if (rc != 0)
		return rc;
	if (xen->have_fdt && xen->fdt.have_irq) {
		ev->upcall_.kind = XG_UPCALL_PPI;
		ev->upcall_.intid = xen->fdt.evtchn_intid;
		ev->upcall_.flags = xen->fdt.evtchn_irq_flags;
	} else {
		ev->upcall_.kind = XG_UPCALL_VECTOR;
	}
	rc = xg_port_upcall_attach(&ev->upcall_);
	if (rc != 0) {
		ev->ops_->fini(ev);
		return rc;
	}
	xg_notice("xenguest: %s event channels\n",
		  ev->abi == XG_EVTCHN_ABI_FIFO ? "FIFO" : "2-level");
	return 0;
}

void xg_evtchn_fini(struct xg_evtchn *ev)
{
	unsigned i;

	if (ev->ops_ != NULL)
		ev->ops_->fini(ev);
	for (i = 0; i < XG_INTR_DIR_ENTRIES; i++) {
		if (ev->dir_[i] != NULL)
			xg_port_page_free(ev->dir_[i], 1);
		ev->dir_[i] = NULL;
	}
	ev->leaves_ = 0;
	ev->ops_ = NULL;
}

/* ---- ownership --------------------------------------------------------- */

/* Adjust the count of @c's moved-away ports by @delta (lock held). */
static void xg_evtchn_moved_add(struct xg_evtchn_cpu *c, int delta)
{
	__atomic_store_n(&c->moved_, c->moved_ + (uint32_t)delta,
			 __ATOMIC_RELAXED);
}

void xg_evtchn_set_owner_(struct xg_evtchn *ev, uint32_t port, int cpu)
{
	uint64_t bit = (uint64_t)1 << (port % 64);
	unsigned i, w = port / 64;

	if (port >= XG_EVTCHN_2L_PORTS)
		return; /* FIFO beyond 4096: Xen's queues route by vCPU */
	if (cpu >= 0 && (ev->cpus[cpu].own_[w] & bit) != 0)
		return; /* already there: nothing moves */
	for (i = 0; i < ev->ncpus; i++) {
		struct xg_evtchn_cpu *c = &ev->cpus[i];
		bool owner = (c->own_[w] & bit) != 0;
		bool moved = !owner && (c->drain_[w] & bit) != 0;

		if ((int)i == cpu) {
			__atomic_fetch_or(&c->own_[w], bit, __ATOMIC_SEQ_CST);
			__atomic_fetch_or(&c->drain_[w], bit, __ATOMIC_SEQ_CST);
			if (moved)
				xg_evtchn_moved_add(c, -1);
		} else if (owner && cpu >= 0) {
			/* The old owner keeps draining the port until it
			 * moves on again: a send that read Xen's old notify
			 * vCPU may still land there (xg_evtchn_bind_vcpu()). */
			__atomic_fetch_and(&c->own_[w], ~bit, __ATOMIC_SEQ_CST);
			xg_evtchn_moved_add(c, 1);
		} else if (owner || moved) {
			__atomic_fetch_and(&c->own_[w], ~bit, __ATOMIC_SEQ_CST);
			__atomic_fetch_and(&c->drain_[w], ~bit, __ATOMIC_SEQ_CST);
			if (moved)
				xg_evtchn_moved_add(c, -1);
		}
	}
}

/* A port the hypervisor just gave us: addressable, masked, owned by the
 * CPU Xen notifies. Closes it again when it cannot be set up. */
static int xg_evtchn_take(struct xg_evtchn *ev, uint32_t port, unsigned cpu,
			  bool close_on_failure)
{
	xg_port_irqstate_t st;
	int rc = ev->ops_->port_setup(ev, port);

	if (rc != 0) {
		if (close_on_failure) {
			struct evtchn_close cl = { .port = port };

			(void)xg_evtchn_op(EVTCHNOP_close, &cl);
		}
		return rc;
	}
	ev->ops_->mask(ev, port);
	st = xg_port_lock(&ev->lock_);
	xg_evtchn_set_owner_(ev, port, (int)cpu);
	xg_port_unlock(&ev->lock_, st);
	return 0;
}

/* ---- binding ----------------------------------------------------------- */

/* Make the bind hypercall @cmd with @op, whose port output is at
 * @port_off, then take the new port for @cpu. */
static int xg_evtchn_bind_op(struct xg_evtchn *ev, int cmd, void *op,
			     size_t port_off, unsigned cpu, uint32_t *port)
{
	uint32_t p;
	int rc = xg_evtchn_op(cmd, op);

	if (rc != 0)
		return rc;
	xg_memcpy(&p, (char *)op + port_off, sizeof(p));
	rc = xg_evtchn_take(ev, p, cpu, true);
	if (rc == 0)
		*port = p;
	return rc;
}

int xg_evtchn_alloc_unbound(struct xg_evtchn *ev, uint16_t remote,
			    uint32_t *port)
{
	struct evtchn_alloc_unbound op = {
		.dom = DOMID_SELF,
		.remote_dom = remote,
	};

	return xg_evtchn_bind_op(ev, EVTCHNOP_alloc_unbound, &op,
				 offsetof(struct evtchn_alloc_unbound, port),
				 0, port);
}

int xg_evtchn_bind_interdomain(struct xg_evtchn *ev, uint16_t remote,
			       uint32_t remote_port, uint32_t *port)
{
	struct evtchn_bind_interdomain op = {
		.remote_dom = remote,
		.remote_port = remote_port,
	};

	return xg_evtchn_bind_op(ev, EVTCHNOP_bind_interdomain, &op,
				 offsetof(struct evtchn_bind_interdomain,
					  local_port), 0, port);
}

static bool xg_evtchn_cpu_ok(const struct xg_evtchn *ev, unsigned cpu)
{
	return cpu < ev->ncpus &&
	       __atomic_load_n(&ev->xen->cpus[cpu].online, __ATOMIC_ACQUIRE);
}

int xg_evtchn_bind_virq(struct xg_evtchn *ev, unsigned virq, unsigned cpu,
			uint32_t *port)
{
	struct evtchn_bind_virq op = { .virq = virq };

	if (virq >= XG_EVTCHN_NR_VIRQS || !xg_evtchn_cpu_ok(ev, cpu))
		return XG_EINVAL;
	op.vcpu = ev->xen->cpus[cpu].vcpu_id;
	return xg_evtchn_bind_op(ev, EVTCHNOP_bind_virq, &op,
				 offsetof(struct evtchn_bind_virq, port), cpu,
				 port);
}

int xg_evtchn_bind_ipi(struct xg_evtchn *ev, unsigned cpu, uint32_t *port)
{
	struct evtchn_bind_ipi op = { 0 };

	if (!xg_evtchn_cpu_ok(ev, cpu))
		return XG_EINVAL;
	op.vcpu = ev->xen->cpus[cpu].vcpu_id;
	return xg_evtchn_bind_op(ev, EVTCHNOP_bind_ipi, &op,
				 offsetof(struct evtchn_bind_ipi, port), cpu,
				 port);
}

int xg_evtchn_bind_pirq(struct xg_evtchn *ev, uint32_t pirq, bool will_share,
			uint32_t *port)
{
	struct evtchn_bind_pirq op = {
		.pirq = pirq,
		.flags = will_share ? BIND_PIRQ__WILL_SHARE : 0,
	};

	return xg_evtchn_bind_op(ev, EVTCHNOP_bind_pirq, &op,
				 offsetof(struct evtchn_bind_pirq, port), 0,
				 port);
}

int xg_evtchn_adopt(struct xg_evtchn *ev, uint32_t port)
{
	uint32_t limit = ev->abi == XG_EVTCHN_ABI_FIFO ? XG_EVTCHN_FIFO_PORTS
						       : XG_EVTCHN_2L_PORTS;

	if (port == 0 || port >= limit)
		return XG_EINVAL;
	return xg_evtchn_take(ev, port, 0, false);
}

int xg_evtchn_close(struct xg_evtchn *ev, uint32_t port)
{
	struct evtchn_close op = { .port = port };
	xg_port_irqstate_t st;

	if (xg_evtchn_port_ok(ev, port)) {
		ev->ops_->mask(ev, port);
		st = xg_port_lock(&ev->lock_);
		xg_evtchn_set_owner_(ev, port, -1);
		xg_port_unlock(&ev->lock_, st);
	}
	return xg_evtchn_op(EVTCHNOP_close, &op);
}

/* ---- per-port operations ----------------------------------------------- */

int xg_evtchn_send(struct xg_evtchn *ev, uint32_t port)
{
	struct evtchn_send op = { .port = port };

	(void)ev;
	return xg_evtchn_op(EVTCHNOP_send, &op);
}

int xg_evtchn_status(struct xg_evtchn *ev, uint32_t port,
		     struct xg_evtchn_status *st)
{
	struct evtchn_status op = { .dom = DOMID_SELF, .port = port };
	int rc = xg_evtchn_op(EVTCHNOP_status, &op);

	(void)ev;
	if (rc != 0)
		return rc;
	st->state = op.status;
	st->vcpu = op.vcpu;
	st->a = st->b = 0;
	switch (op.status) {
	case EVTCHNSTAT_unbound:
		st->a = op.u.unbound.dom;
		break;
	case EVTCHNSTAT_interdomain:
		st->a = op.u.interdomain.dom;
		st->b = op.u.interdomain.port;
		break;
	case EVTCHNSTAT_pirq:
		st->a = op.u.pirq;
		break;
	case EVTCHNSTAT_virq:
		st->a = op.u.virq;
		break;
	}
	return 0;
}

void xg_evtchn_mask(struct xg_evtchn *ev, uint32_t port)
{
	if (xg_evtchn_port_ok(ev, port))
		ev->ops_->mask(ev, port);
}

void xg_evtchn_unmask(struct xg_evtchn *ev, uint32_t port)
{
	if (xg_evtchn_port_ok(ev, port))
		ev->ops_->unmask(ev, port);
}

void xg_evtchn_clear(struct xg_evtchn *ev, uint32_t port)
{
	if (xg_evtchn_port_ok(ev, port))
		(void)ev->ops_->test_and_clear(ev, port);
}

bool xg_evtchn_is_pending(struct xg_evtchn *ev, uint32_t port)
{
	return xg_evtchn_port_ok(ev, port) && ev->ops_->is_pending(ev, port);
}

void xg_evtchn_unmask_hc_(uint32_t port)
{
	struct evtchn_unmask op = { .port = port };

	(void)xg_evtchn_op(EVTCHNOP_unmask, &op);
}

/*
 * Mask first, so no CPU dispatches the port while it moves; Xen's
 * notify vCPU and our ownership change under the lock; then the unmask
 * re-raises an event that arrived meanwhile, on the new owner, once.
 *
 * Xen does not order EVTCHNOP_bind_vcpu with a peer's EVTCHNOP_send:
 * the send reads our notify vCPU holding only the sender's channel lock,
 * so it can still set the event pending on the old vCPU (2-level: its
 * selector bit; FIFO: its queue) after we returned. FIFO drains any
 * event on a CPU's queue; 2-level keeps the port in the old owner's
 * drain_ mask until it moves again, or the old CPU would skip it, spend
 * the selector bit and leave it pending for good (lost under real Xen).
 */
int xg_evtchn_bind_vcpu(struct xg_evtchn *ev, uint32_t port, unsigned cpu)
{
	struct evtchn_bind_vcpu op = { .port = port };
	xg_port_irqstate_t st;
	bool was_masked;
	int rc;

	if (!xg_evtchn_cpu_ok(ev, cpu) || !xg_evtchn_port_ok(ev, port))
		return XG_EINVAL;
	op.vcpu = ev->xen->cpus[cpu].vcpu_id;
	st = xg_port_lock(&ev->lock_);
	was_masked = ev->ops_->mask(ev, port);
	rc = xg_evtchn_op(EVTCHNOP_bind_vcpu, &op);
	if (rc == 0)
		xg_evtchn_set_owner_(ev, port, (int)cpu);
	xg_port_unlock(&ev->lock_, st);
	if (!was_masked)
		ev->ops_->unmask(ev, port);
	return rc;
}

int xg_evtchn_set_priority(struct xg_evtchn *ev, uint32_t port,
			   unsigned priority)
{
	struct evtchn_set_priority op = { .port = port, .priority = priority };

	if (ev->abi != XG_EVTCHN_ABI_FIFO)
		return XG_EOPNOTSUPP;
	if (priority > EVTCHN_FIFO_PRIORITY_MIN)
		return XG_EINVAL;
	return xg_evtchn_op(EVTCHNOP_set_priority, &op);
}

uint64_t xg_evtchn_stray_events(const struct xg_evtchn *ev)
{
	return __atomic_load_n(&ev->stray_, __ATOMIC_RELAXED);
}

/* ---- the upcall -------------------------------------------------------- */

void xg_evtchn_upcall(struct xg_evtchn *ev)
{
	unsigned cpu = xg_port_cpu_self();
	struct xg_evtchn_cpu *c = &ev->cpus[cpu];
	uint32_t seq = c->seq_;

	/* An upcall that arrives before this CPU's xg_intr_cpu_init() has
	 * no vcpu_info to read. Nothing is lost: registering vcpu_info
	 * makes Xen mark every selector bit and upcall_pending again. */
	if (XG_UNLIKELY(!c->ready_))
		return;
	/* Odd while inside: xg_intr_unbind() waits for it to move on
	 * before it frees a source this CPU might be dispatching. The
	 * seq_cst store orders it before the port-table loads below. */
	__atomic_store_n(&c->seq_, seq + 1, __ATOMIC_SEQ_CST);
	XG_WRITE_ONCE(c->upcalls, c->upcalls + 1);
	ev->ops_->upcall(ev, cpu);
	__atomic_store_n(&c->seq_, seq + 2, __ATOMIC_RELEASE);
}
