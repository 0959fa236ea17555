/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/**
 * DOC: interrupt-source registry
 *
 * Binds event channels to interrupt sources and dispatches them from
 * xg_evtchn_upcall(). struct xg_isrc is public so that a host embeds it
 * in its own interrupt object (FreeBSD INTRNG: beside struct
 * intr_irqsrc) and gets back with container_of. The library asks the
 * port for that object when it binds (xg_port_isrc_alloc()) and hands it
 * back when it unbinds (xg_port_isrc_release()); a host that cannot
 * deregister sources from its framework recycles them there.
 *
 * The PIC-style calls map one to one onto a host framework's methods:
 *
 *   INTRNG pic_enable_intr, pic_disable_intr  xg_intr_enable, _disable
 *   pic_post_filter                           xg_intr_post_filter
 *   pic_pre_ithread, pic_post_ithread         xg_intr_pre_ithread,
 *                                             xg_intr_post_ithread
 *   pic_bind_intr                             xg_intr_bind_cpu
 *   pic_init_secondary                        xg_intr_cpu_init
 *   pic_ipi_send                              xg_intr_ipi_send
 *
 * Port to source lookup in the upcall is two loads and no lock: a
 * directory of page-sized leaves that are allocated on demand and never
 * freed before xg_evtchn_fini(). See docs/evtchn.md for the invariants.
 */
#ifndef XENGUEST_INTR_H
#define XENGUEST_INTR_H

#include <stdbool.h>
#include <stdint.h>
#include <xenguest/core.h>
#include <xenguest/evtchn.h>

/* Handler results. */
#define XG_ISRC_HANDLED 0 /* done in the upcall */
#define XG_ISRC_DEFER   1 /* the registry masks the source (pre_ithread);
			   * the host calls xg_intr_post_ithread() later */

/* Source types. */
enum xg_isrc_type {
	XG_ISRC_LOCAL = 1,   /* an existing local port (xg_intr_bind_port) */
	XG_ISRC_INTERDOMAIN, /* connected to a remote domain's port */
	XG_ISRC_UNBOUND,     /* allocated for a remote domain to connect */
	XG_ISRC_VIRQ,
	XG_ISRC_IPI,
	XG_ISRC_PIRQ,
};

/* Bind flags. */
#define XG_INTR_ENABLE  0x1u /* unmask at once (default: bound masked) */
#define XG_INTR_NOCLOSE 0x2u /* unbind leaves the port open */
#define XG_INTR_LATEEOI 0x4u /* mask before the handler; the host calls
			      * xg_intr_eoi() (storm control) */

#define XG_ISRC_NAME_MAX 24

/*
 * An interrupt source. The host allocates the memory (inside its own
 * object) in xg_port_isrc_alloc(); the library fills every field. Public
 * fields are read-only for the host; trailing-underscore ones private.
 */
struct xg_isrc {
	xg_isrc_handler_t *handler;  /* runs in the upcall */
	void *arg;
	struct xg_evtchn *ev;
	uint32_t port;
	uint32_t info;               /* VIRQ, IPI slot, PIRQ or remote domid */
	uint16_t cpu;                /* CPU that owns the port */
	uint8_t type;                /* enum xg_isrc_type */
	uint8_t flags_;              /* fixed at bind time */
	uint8_t state_;              /* changes under ev->lock_ */
	uint64_t count;              /* events dispatched (statistics) */
	uint32_t spurious_;          /* lateeoi: spurious events in a row */
	uint64_t eoi_due_ns_;        /* lateeoi: deferred unmask time */
	struct xg_isrc *eoi_next_;   /* lateeoi: on ev's deferred list */
	char name[XG_ISRC_NAME_MAX]; /* for the host's statistics */
};

/**
 * xg_intr_bind_port() - make a source of an existing local port
 * @ev: the instance
 * @port: the port (e.g. xenstore's event channel from HVM_PARAM)
 * @name: short name for statistics (copied, truncated)
 * @handler: filter-style handler, called in the upcall
 * @arg: its argument
 * @flags: XG_INTR_*
 * @out: out: the source
 *
 * Every xg_intr_bind_*() places the source with xg_port_isrc_alloc(),
 * records it in the port table and returns it masked unless
 * XG_INTR_ENABLE. Port sources (LOCAL, INTERDOMAIN, UNBOUND, PIRQ) go to
 * the online CPUs round-robin.
 *
 * Returns: 0; XG_EINVAL bad arguments; XG_EEXIST port already has a
 * source; XG_ENOMEM (leaf page or host object); a hypercall's error.
 * On failure the port is closed (unless it was passed in) and nothing
 * stays allocated.
 * Context: thread. Locking: takes ev->lock_ briefly; none held on entry.
 */
int xg_intr_bind_port(struct xg_evtchn *ev, uint32_t port, const char *name,
		      xg_isrc_handler_t *handler, void *arg, unsigned flags,
		      struct xg_isrc **out);

/**
 * xg_intr_bind_interdomain() - connect to a remote port, as a source
 * @ev: the instance
 * @remote: remote domain
 * @remote_port: its unbound port
 * @name: @handler: @arg: @flags: @out: as for xg_intr_bind_port()
 *
 * Returns: as xg_intr_bind_port(), plus EVTCHNOP_bind_interdomain's errors.
 * Context: thread. Locking: as xg_intr_bind_port().
 */
int xg_intr_bind_interdomain(struct xg_evtchn *ev, uint16_t remote,
			     uint32_t remote_port, const char *name,
			     xg_isrc_handler_t *handler, void *arg,
			     unsigned flags, struct xg_isrc **out);

/**
 * xg_intr_alloc_unbound() - allocate a port for a remote domain, as a source
 * @ev: the instance
 * @remote: the domain allowed to connect
 * @name: @handler: @arg: @flags: @out: as for xg_intr_bind_port()
 *
 * Returns: as xg_intr_bind_port(), plus EVTCHNOP_alloc_unbound's errors.
 * Context: thread. Locking: as xg_intr_bind_port().
 */
int xg_intr_alloc_unbound(struct xg_evtchn *ev, uint16_t remote,
			  const char *name, xg_isrc_handler_t *handler,
			  void *arg, unsigned flags, struct xg_isrc **out);

/**
 * xg_intr_bind_virq() - bind a VIRQ on a CPU, as a source
 * @ev: the instance
 * @virq: VIRQ_* (below XG_EVTCHN_NR_VIRQS)
 * @cpu: host CPU (0 for a global VIRQ)
 * @name: @handler: @arg: @flags: @out: as for xg_intr_bind_port()
 *
 * Returns: as xg_intr_bind_port(); XG_EEXIST if that CPU has it bound.
 * Context: thread. Locking: as xg_intr_bind_port().
 */
int xg_intr_bind_virq(struct xg_evtchn *ev, unsigned virq, unsigned cpu,
		      const char *name, xg_isrc_handler_t *handler, void *arg,
		      unsigned flags, struct xg_isrc **out);

/**
 * xg_intr_bind_ipi() - bind an IPI slot on a CPU, as a source
 * @ev: the instance
 * @ipi: slot, below XG_INTR_NR_IPIS
 * @cpu: host CPU
 * @name: @handler: @arg: @flags: @out: as for xg_intr_bind_port()
 *
 * Returns: as xg_intr_bind_port(); XG_EEXIST if the slot is taken.
 * Context: thread. Locking: as xg_intr_bind_port().
 */
int xg_intr_bind_ipi(struct xg_evtchn *ev, unsigned ipi, unsigned cpu,
		     const char *name, xg_isrc_handler_t *handler, void *arg,
		     unsigned flags, struct xg_isrc **out);

/**
 * xg_intr_bind_pirq() - bind a physical IRQ, as a source
 * @ev: the instance
 * @pirq: from PHYSDEVOP_map_pirq
 * @name: @handler: @arg: @flags: @out: as for xg_intr_bind_port()
 *
 * Asks Xen (PHYSDEVOP_irq_status_query) whether the line needs an EOI;
 * if so the registry makes PHYSDEVOP_eoi after each event the handler
 * completed, or in xg_intr_post_ithread() after a deferred one.
 *
 * Returns: as xg_intr_bind_port(), plus EVTCHNOP_bind_pirq's errors.
 * Context: thread. Locking: as xg_intr_bind_port().
 */
int xg_intr_bind_pirq(struct xg_evtchn *ev, uint32_t pirq, const char *name,
		      xg_isrc_handler_t *handler, void *arg, unsigned flags,
		      struct xg_isrc **out);

/**
 * xg_intr_unbind() - release a source completely
 * @isrc: a bound source
 *
 * Masks and unpublishes the port, closes it (unless XG_INTR_NOCLOSE),
 * waits until no CPU can still be dispatching it, and returns the host
 * object through xg_port_isrc_release(). @isrc is invalid afterwards.
 *
 * Returns: 0, or the error of EVTCHNOP_close (the source is released
 * anyway: the port is masked and no longer routed).
 * Context: thread; never from the upcall (a handler would wait for its
 * own CPU to leave it; asserted).
 * Locking: takes ev->lock_ briefly; none held on entry.
 */
int xg_intr_unbind(struct xg_isrc *isrc);

/**
 * xg_intr_enable() - unmask a source (pic_enable_intr)
 * @isrc: the source
 *
 * Context: any. Locking: as xg_evtchn_unmask().
 */
void xg_intr_enable(struct xg_isrc *isrc);

/**
 * xg_intr_disable() - mask a source (pic_disable_intr)
 * @isrc: the source
 *
 * Context: any. Locking: none.
 */
void xg_intr_disable(struct xg_isrc *isrc);

/**
 * xg_intr_post_filter() - the filter finished (pic_post_filter)
 * @isrc: the source
 *
 * Events are edge-triggered and their pending bit is cleared before the
 * handler runs, so there is nothing to acknowledge: no hypercall. (A
 * level-triggered PIRQ's EOI was made by the dispatch already.)
 *
 * Context: interrupt. Locking: none.
 */
void xg_intr_post_filter(struct xg_isrc *isrc);

/**
 * xg_intr_pre_ithread() - mask a source before its thread runs
 * @isrc: the source
 *
 * Context: interrupt. Locking: none.
 */
void xg_intr_pre_ithread(struct xg_isrc *isrc);

/**
 * xg_intr_post_ithread() - the thread is done: unmask (pic_post_ithread)
 * @isrc: the source
 *
 * No hypercall unless an event arrived meanwhile on a port of another
 * CPU (see xg_evtchn_unmask()), or the source is a PIRQ whose line needs
 * PHYSDEVOP_eoi.
 *
 * Context: any. Locking: as xg_evtchn_unmask().
 */
void xg_intr_post_ithread(struct xg_isrc *isrc);

/**
 * xg_intr_eoi() - end of a XG_INTR_LATEEOI event
 * @isrc: a lateeoi source
 * @spurious: the handler found no work
 *
 * Unmasks at once, unless the peer sent more than 8 spurious events in a
 * row: then the unmask is deferred (xg_xen_work_queue()) by 1 ms,
 * doubling per further spurious event up to 1 s.
 *
 * Context: any. Locking: as xg_evtchn_unmask(); may take xen->work_lock.
 */
void xg_intr_eoi(struct xg_isrc *isrc, bool spurious);

/**
 * xg_intr_bind_cpu() - move a source to another CPU (pic_bind_intr)
 * @isrc: a port source (LOCAL, INTERDOMAIN, UNBOUND, PIRQ) or global VIRQ
 * @cpu: the new CPU
 *
 * Returns: 0; XG_EINVAL for a per-CPU source or a bad CPU; Xen's error.
 * Context: thread. Locking: as xg_evtchn_bind_vcpu().
 */
int xg_intr_bind_cpu(struct xg_isrc *isrc, unsigned cpu);

/**
 * xg_intr_notify() - send an event on a source's port
 * @isrc: the source
 *
 * Returns: 0 or Xen's error.
 * Context: any. Locking: none.
 */
int xg_intr_notify(struct xg_isrc *isrc);

/**
 * xg_intr_ipi_send() - raise IPI slot @ipi on @cpu (pic_ipi_send)
 * @ev: the instance
 * @cpu: target CPU
 * @ipi: slot
 *
 * Returns: 0; XG_ENOENT if that CPU has no such IPI bound; Xen's error.
 * Context: any. Locking: none.
 */
int xg_intr_ipi_send(struct xg_evtchn *ev, unsigned cpu, unsigned ipi);

/**
 * xg_intr_describe() - rename a source for the host's statistics
 * @isrc: the source
 * @descr: new name (copied, truncated to XG_ISRC_NAME_MAX - 1)
 *
 * Context: thread. Locking: none; the host serialises calls per source.
 */
void xg_intr_describe(struct xg_isrc *isrc, const char *descr);

/**
 * xg_intr_lookup() - the source of a port
 * @ev: the instance
 * @port: the port
 *
 * Returns: the source, or NULL.
 * Context: any. Locking: none; the result is stable only while the
 * caller keeps the source from being unbound.
 */
struct xg_isrc *xg_intr_lookup(struct xg_evtchn *ev, uint32_t port);

/**
 * xg_intr_cpu_init() - per-CPU bring-up (pic_init_secondary)
 * @ev: the instance
 *
 * On the calling CPU: registers its vcpu_info (xg_xen_cpu_init()), its
 * FIFO control block, its upcall vector (x86), and binds the per-CPU
 * VIRQs and IPIs named in the config, enabled. Idempotent.
 *
 * Returns: 0 or the XG_E* code of the step that failed.
 * Context: thread, on the CPU being brought up. Locking: none held.
 */
int xg_intr_cpu_init(struct xg_evtchn *ev);

/**
 * xg_intr_resume() - bring event delivery back after the domain resumed
 * @ev: the instance
 *
 * Call on the boot CPU once shared_info and every CPU's vcpu_info are
 * registered again, with the other CPUs not taking upcalls. Xen forgot
 * every port (and the FIFO control blocks and event array, which are
 * registered again with the same pages; if Xen refuses, the instance
 * falls back to 2-level). Every VIRQ and IPI source is bound again on
 * its CPU with the same struct xg_isrc and a new port, enabled if it was
 * enabled; the x86 upcall vectors are registered again. Every other
 * source is dead: its driver must xg_intr_unbind() it (which then closes
 * nothing) and bind again; until then it must not be used.
 *
 * Returns: 0 or the error of the first step that failed.
 * Context: thread, boot CPU, other CPUs quiet. Locking: none held.
 */
int xg_intr_resume(struct xg_evtchn *ev);

#endif /* XENGUEST_INTR_H */
