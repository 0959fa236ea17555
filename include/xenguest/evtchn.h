/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/**
 * DOC: event channels
 *
 * Raw event-channel operations over either of Xen's two ABIs, behind one
 * internal ops table: 2-level (4096 ports on a 64-bit xen_ulong_t; the
 * pending and mask bitmaps live in shared_info, the selector in each
 * vCPU's vcpu_info) and FIFO (131072 ports, 16 priorities, a control
 * block per vCPU and an event array the guest grows on demand).
 *
 * Most hosts use the interrupt-source registry in <xenguest/intr.h> on
 * top of this: it binds ports to struct xg_isrc objects and dispatches
 * them from xg_evtchn_upcall(). The calls here are for code that manages
 * ports itself (a backend, a test, resume logic).
 *
 * Every port a library call binds starts masked and owned by CPU 0 (the
 * vCPU Xen delivers new ports to); xg_evtchn_unmask() enables it and
 * xg_evtchn_bind_vcpu() moves it. See docs/evtchn.md for the design,
 * the lock order and the context table.
 */
#ifndef XENGUEST_EVTCHN_H
#define XENGUEST_EVTCHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenguest/config.h>
#include <xenguest/core.h>
#include <xenguest/port.h>

/* Which ABI xg_evtchn_init() uses. */
#define XG_EVTCHN_ABI_AUTO 0 /* FIFO if built in and Xen accepts it */
#define XG_EVTCHN_ABI_2L   1
#define XG_EVTCHN_ABI_FIFO 2

#define XG_EVTCHN_2L_PORTS   4096u   /* 64 x 64 on a 64-bit xen_ulong_t */
#define XG_EVTCHN_FIFO_PORTS 131072u /* 1 << EVTCHN_FIFO_LINK_BITS */
#define XG_EVTCHN_FIFO_QUEUES 16u
#define XG_EVTCHN_FIFO_MAX_PAGES 128u /* 1024 event words per page */
#define XG_EVTCHN_NR_VIRQS 24u        /* NR_VIRQS */
#define XG_INTR_NR_IPIS 8u            /* per-CPU IPI slots of the registry */

/* The registry's port table: a directory of page-sized leaves. */
#define XG_INTR_LEAF_ENTRIES 512u
#define XG_INTR_DIR_ENTRIES (XG_EVTCHN_FIFO_PORTS / XG_INTR_LEAF_ENTRIES)

struct xg_isrc;

/*
 * Per-CPU event state; the host passes an array of xg_port_cpu_count()
 * entries, indexed by host CPU. All fields are private.
 */
struct xg_evtchn_cpu {
	uint64_t own_[XG_EVTCHN_2L_PORTS / 64];   /* 2L: ports bound here */
	uint64_t drain_[XG_EVTCHN_2L_PORTS / 64]; /* 2L: own_ + just moved away */
	uint32_t cursor_;            /* 2L: the scan resumes at this port */
	uint32_t moved_;             /* 2L: ports in drain_ but not in own_ */
	uint32_t seq_;               /* odd while this CPU runs the upcall */
	uint32_t fifo_head_[XG_EVTCHN_FIFO_QUEUES]; /* FIFO: local heads */
	void *fifo_cb_;              /* FIFO: this vCPU's control block page */
	struct xg_isrc *virq_[XG_EVTCHN_NR_VIRQS]; /* per-CPU VIRQ sources */
	struct xg_isrc *ipi_[XG_INTR_NR_IPIS];     /* per-CPU IPI sources */
	bool ready_;                 /* xg_intr_cpu_init() done */
	uint64_t upcalls;            /* statistics: upcalls taken */
};

/* What a source handler returns (see <xenguest/intr.h>). */
typedef int xg_isrc_handler_t(struct xg_isrc *isrc, void *arg);

/* Options for xg_evtchn_init(). */
struct xg_evtchn_config {
	unsigned abi;                /* XG_EVTCHN_ABI_*; 0 = AUTO */
	/*
	 * Per-CPU VIRQs (bit n = VIRQ n, e.g. 1u << VIRQ_TIMER) and IPIs
	 * (slots 0 .. nr_ipis-1) that xg_intr_cpu_init() binds, enabled, on
	 * every CPU. Their sources get these
	 * handlers; the handler tells them apart by isrc->type/info/cpu.
	 */
	uint32_t percpu_virqs;
	xg_isrc_handler_t *virq_handler;
	void *virq_arg;
	unsigned nr_ipis;
	xg_isrc_handler_t *ipi_handler;
	void *ipi_arg;
};

struct xg_evtchn_ops_;

/* One instance per guest. Caller-owned; every field is private. */
struct xg_evtchn {
	struct xg_xen *xen;
	struct xg_evtchn_cpu *cpus;
	unsigned ncpus;
	unsigned abi;                /* XG_EVTCHN_ABI_2L or _FIFO */
	uint32_t nr_ports;           /* ports the ABI can address now */
	const struct xg_evtchn_ops_ *ops_;
	struct xg_evtchn_config cfg_;
	struct xg_upcall upcall_;
	xg_port_lock_t lock_;        /* registry writes, ownership, growth */
	unsigned next_cpu_;          /* round-robin placement of new ports */
	uint64_t stray_;             /* events for ports without a source */
	void *fifo_pages_[XG_EVTCHN_FIFO_MAX_PAGES];
	unsigned fifo_npages_;
	struct xg_isrc **dir_[XG_INTR_DIR_ENTRIES]; /* port -> source */
	unsigned leaves_;            /* leaf pages allocated */
	struct xg_isrc *eoi_list_;   /* lateeoi sources waiting to unmask */
	struct xg_work eoi_work_;    /* runs the deferred unmasks */
};

/* Status of a port (EVTCHNOP_status). */
struct xg_evtchn_status {
	unsigned state;              /* EVTCHNSTAT_* */
	uint32_t vcpu;               /* vCPU it notifies */
	uint32_t a, b;               /* unbound: remote dom; interdomain:
	                              * dom, port; virq; pirq */
};

/**
 * xg_evtchn_init() - choose the ABI and set up event delivery
 * @ev: caller-owned instance, fully written here
 * @xen: an instance from xg_xen_init(), on the boot CPU
 * @cpus: caller-owned per-CPU array of @xen->ncpus entries
 * @cfg: options; NULL = defaults (AUTO ABI, no per-CPU VIRQs or IPIs)
 *
 * Masks every port, tries FIFO (EVTCHNOP_init_control for the boot CPU)
 * unless 2-level is forced and falls back to 2-level when Xen says
 * ENOSYS, attaches the upcall (xg_port_upcall_attach()) and, for an x86
 * vector upcall, registers it for the boot vCPU. Then call
 * xg_intr_cpu_init() on the boot CPU and every secondary.
 *
 * Returns: 0; XG_EINVAL for bad arguments; XG_EOPNOTSUPP if the forced
 * ABI is not built in; XG_ENOMEM; or the XG_E* code of the port hook or
 * hypercall that failed. On failure nothing stays allocated.
 * Context: thread, on the boot CPU. Locking: none held.
 */
int xg_evtchn_init(struct xg_evtchn *ev, struct xg_xen *xen,
		   struct xg_evtchn_cpu *cpus,
		   const struct xg_evtchn_config *cfg);

/**
 * xg_evtchn_fini() - free what the event layer allocated (tests, shutdown)
 * @ev: the instance; every source must have been unbound
 *
 * Context: thread. Locking: none held.
 */
void xg_evtchn_fini(struct xg_evtchn *ev);

/**
 * xg_evtchn_alloc_unbound() - allocate a port a remote domain can bind
 * @ev: the instance
 * @remote: domain allowed to connect
 * @port: out: the new local port (masked)
 *
 * Returns: 0, or Xen's error (XG_ENOSPC no free port, XG_ESRCH no such
 * domain, XG_EPERM).
 * Context: thread. Locking: takes ev->lock_ briefly.
 */
int xg_evtchn_alloc_unbound(struct xg_evtchn *ev, uint16_t remote,
			    uint32_t *port);

/**
 * xg_evtchn_bind_interdomain() - connect to a remote domain's unbound port
 * @ev: the instance
 * @remote: the remote domain
 * @remote_port: its port
 * @port: out: the new local port (masked)
 *
 * Returns: 0 or Xen's error (XG_EINVAL remote port not unbound for us,
 * XG_ESRCH, XG_ENOSPC).
 * Context: thread. Locking: takes ev->lock_ briefly.
 */
int xg_evtchn_bind_interdomain(struct xg_evtchn *ev, uint16_t remote,
			       uint32_t remote_port, uint32_t *port);

/**
 * xg_evtchn_bind_virq() - bind a virtual IRQ on a CPU
 * @ev: the instance
 * @virq: VIRQ_* number
 * @cpu: host CPU; must be 0 for a global VIRQ (Xen's rule)
 * @port: out: the new port (masked, owned by @cpu)
 *
 * Returns: 0; XG_EINVAL (bad VIRQ or CPU); XG_EEXIST (already bound on
 * that vCPU); or Xen's error.
 * Context: thread. Locking: takes ev->lock_ briefly.
 */
int xg_evtchn_bind_virq(struct xg_evtchn *ev, unsigned virq, unsigned cpu,
			uint32_t *port);

/**
 * xg_evtchn_bind_ipi() - allocate a port that signals one CPU
 * @ev: the instance
 * @cpu: the CPU it will notify
 * @port: out: the new port (masked, owned by @cpu)
 *
 * Returns: 0; XG_EINVAL for a bad CPU; or Xen's error.
 * Context: thread. Locking: takes ev->lock_ briefly.
 */
int xg_evtchn_bind_ipi(struct xg_evtchn *ev, unsigned cpu, uint32_t *port);

/**
 * xg_evtchn_bind_pirq() - bind a physical IRQ (dom0, passthrough)
 * @ev: the instance
 * @pirq: the PIRQ from PHYSDEVOP_map_pirq
 * @will_share: BIND_PIRQ__WILL_SHARE
 * @port: out: the new port (masked)
 *
 * Returns: 0 or Xen's error (XG_EPERM, XG_EINVAL, XG_EBUSY).
 * Context: thread. Locking: takes ev->lock_ briefly.
 */
int xg_evtchn_bind_pirq(struct xg_evtchn *ev, uint32_t pirq, bool will_share,
			uint32_t *port);

/**
 * xg_evtchn_adopt() - take over an existing local port (xenstore, console)
 * @ev: the instance
 * @port: a port the toolstack set up
 *
 * Masks it, gives it to CPU 0 and makes sure the ABI can address it.
 *
 * Returns: 0; XG_EINVAL if the port is beyond the ABI; XG_ENOMEM.
 * Context: thread. Locking: takes ev->lock_ briefly.
 */
int xg_evtchn_adopt(struct xg_evtchn *ev, uint32_t port);

/**
 * xg_evtchn_close() - close a port
 * @ev: the instance
 * @port: the port
 *
 * Masks it, drops its owner and calls EVTCHNOP_close.
 *
 * Returns: 0 or Xen's error (XG_EINVAL bad port).
 * Context: thread. Locking: takes ev->lock_ briefly.
 */
int xg_evtchn_close(struct xg_evtchn *ev, uint32_t port);

/**
 * xg_evtchn_send() - notify the other end of a port
 * @ev: the instance
 * @port: the port
 *
 * Returns: 0 or Xen's error (XG_EINVAL bad port).
 * Context: any. Locking: none.
 */
int xg_evtchn_send(struct xg_evtchn *ev, uint32_t port);

/**
 * xg_evtchn_status() - ask Xen about a port
 * @ev: the instance
 * @port: the port
 * @st: out
 *
 * Returns: 0 or Xen's error.
 * Context: any. Locking: none.
 */
int xg_evtchn_status(struct xg_evtchn *ev, uint32_t port,
		     struct xg_evtchn_status *st);

/**
 * xg_evtchn_mask() - stop delivery of a port (a shared-memory bit)
 * @ev: the instance
 * @port: the port (below ev->nr_ports)
 *
 * Context: any. Locking: none.
 */
void xg_evtchn_mask(struct xg_evtchn *ev, uint32_t port);

/**
 * xg_evtchn_unmask() - resume delivery, re-raising a pending event
 * @ev: the instance
 * @port: the port (below ev->nr_ports)
 *
 * 0 hypercalls unless the port is pending. A pending 2-level port owned
 * by the calling CPU is re-raised locally (selector and upcall bits, then
 * xg_port_upcall_raise() unless this CPU is inside the upcall); any other
 * pending port needs EVTCHNOP_unmask so Xen re-delivers it.
 *
 * Context: any. Locking: may take ev->lock_ briefly (pending case).
 */
void xg_evtchn_unmask(struct xg_evtchn *ev, uint32_t port);

/**
 * xg_evtchn_clear() - drop a pending event without handling it
 * @ev: the instance
 * @port: the port (below ev->nr_ports)
 *
 * Context: any. Locking: none.
 */
void xg_evtchn_clear(struct xg_evtchn *ev, uint32_t port);

/**
 * xg_evtchn_is_pending() - is an event pending on a port?
 * @ev: the instance
 * @port: the port
 *
 * Returns: the pending bit (false for a port beyond the ABI).
 * Context: any. Locking: none.
 */
bool xg_evtchn_is_pending(struct xg_evtchn *ev, uint32_t port);

/**
 * xg_evtchn_bind_vcpu() - move a port's delivery to another CPU
 * @ev: the instance
 * @port: an interdomain, unbound, PIRQ or global-VIRQ port
 * @cpu: the new owner
 *
 * Masks the port, moves ownership, makes EVTCHNOP_bind_vcpu and unmasks
 * again if it was unmasked, so that an event raised during the move is
 * delivered exactly once on the new CPU (see docs/evtchn.md).
 *
 * Returns: 0; XG_EINVAL for a bad CPU or a per-CPU port; or Xen's error
 * (the port then stays where it was).
 * Context: thread. Locking: takes ev->lock_ (the hypercall runs under it).
 */
int xg_evtchn_bind_vcpu(struct xg_evtchn *ev, uint32_t port, unsigned cpu);

/**
 * xg_evtchn_set_priority() - FIFO priority of a port
 * @ev: the instance
 * @port: the port
 * @priority: 0 (highest) .. 15; 7 is the default
 *
 * Returns: 0; XG_EOPNOTSUPP on the 2-level ABI; XG_EINVAL; Xen's error.
 * Context: any. Locking: none.
 */
int xg_evtchn_set_priority(struct xg_evtchn *ev, uint32_t port,
			   unsigned priority);

/**
 * xg_evtchn_reset() - EVTCHNOP_reset: close every port of this domain
 * @ev: the instance; the registry must hold no sources
 *
 * For kexec and for a resumed domain that re-creates its ports. FIFO
 * state is torn down by Xen, so the instance returns to 2-level delivery
 * until xg_evtchn_fini() and a fresh xg_evtchn_init().
 *
 * Returns: 0; XG_EBUSY if sources are still bound; Xen's error.
 * Context: thread, other CPUs quiet. Locking: none held.
 */
int xg_evtchn_reset(struct xg_evtchn *ev);

/**
 * xg_evtchn_stray_events() - events seen on ports without a source
 * @ev: the instance
 *
 * Returns: the count since xg_evtchn_init().
 * Context: any. Locking: none.
 */
uint64_t xg_evtchn_stray_events(const struct xg_evtchn *ev);

/**
 * xg_evtchn_upcall() - the upcall interrupt handler (section 2 of port.h)
 * @ev: the instance
 *
 * The port calls this from its upcall interrupt on the CPU that took it,
 * with interrupts disabled. Clears evtchn_upcall_pending, drains the
 * events this CPU owns (2-level: fair scan from a per-CPU cursor; FIFO:
 * queues in priority order), calls each source's handler, and loops
 * until evtchn_upcall_pending stays clear. Edge events cost no
 * hypercall.
 *
 * Context: interrupt, on the CPU that took the upcall.
 * Locking: none held; takes none on the delivery path.
 */
void xg_evtchn_upcall(struct xg_evtchn *ev);

#endif /* XENGUEST_EVTCHN_H */
