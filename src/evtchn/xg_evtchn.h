/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* Event channels: the internal ABI ops table shared by src/evtchn and
 * src/intr. Not installed. */
#ifndef XG_EVTCHN_INTERNAL_H
#define XG_EVTCHN_INTERNAL_H

#include <xenguest/evtchn.h>
#include <xenguest/intr.h>

#include "../xg_abi.h"
#include "../xg_internal.h"
#include "../hypercall/xg_atomic.h"

/* The per-CPU ownership masks are uint64_t words laid over the
 * 2-level bitmaps, which are xen_ulong_t: the same width on arm64 (and
 * 32-bit arm) and x86_64, the targets. */
_Static_assert(sizeof(xen_ulong_t) == sizeof(uint64_t),
	       "2-level ABI needs a 64-bit xen_ulong_t");

struct xg_evtchn_ops_ {
	unsigned abi;
	/* Per-vCPU setup on the CPU coming up (FIFO control block). */
	int (*cpu_init)(struct xg_evtchn *ev, unsigned cpu);
	/* Make @port addressable (FIFO: grow the event array). Thread. */
	int (*port_setup)(struct xg_evtchn *ev, uint32_t port);
	/* Set the mask; returns whether it was already set. */
	bool (*mask)(struct xg_evtchn *ev, uint32_t port);
	void (*unmask)(struct xg_evtchn *ev, uint32_t port);
	/* The same, called with ev->lock_ held. */
	void (*unmask_locked)(struct xg_evtchn *ev, uint32_t port);
	bool (*test_and_clear)(struct xg_evtchn *ev, uint32_t port);
	bool (*is_pending)(struct xg_evtchn *ev, uint32_t port);
	void (*upcall)(struct xg_evtchn *ev, unsigned cpu);
	/* Re-register what Xen forgot over suspend/resume. Thread. */
	int (*resume)(struct xg_evtchn *ev);
	void (*fini)(struct xg_evtchn *ev);
};

extern const struct xg_evtchn_ops_ xg_evtchn_2l_ops_;
extern const struct xg_evtchn_ops_ xg_evtchn_fifo_ops_;

/* FIFO: switch the instance to FIFO on the boot CPU; 0 or Xen's error
 * (the instance is then untouched). */
int xg_evtchn_fifo_start_(struct xg_evtchn *ev, unsigned cpu);

/* Ownership bits (2-level); any context, atomics only. */
static inline bool xg_own_test_(const struct xg_evtchn_cpu *c, uint32_t port)
{
	return (__atomic_load_n(&c->own_[port / 64], __ATOMIC_RELAXED) >>
		(port % 64)) & 1u;
}

/* Move @port's ownership to @cpu (-1: nobody). Caller holds ev->lock_. */
void xg_evtchn_set_owner_(struct xg_evtchn *ev, uint32_t port, int cpu);

/* Switch the instance to the 2-level ops; mask every 2-level port. */
void xg_evtchn_use_2l_(struct xg_evtchn *ev);
void xg_evtchn_2l_mask_all_(struct xg_evtchn *ev);

/* After a resume: every port masked and unowned, the ABI's shared
 * state registered again (FIFO falls back to 2-level if Xen refuses). */
int xg_evtchn_resume_(struct xg_evtchn *ev);

/* Make EVTCHNOP_unmask: Xen clears the mask and re-raises if pending. */
void xg_evtchn_unmask_hc_(uint32_t port);

/* lateeoi: the deferred-unmask work item's function (src/intr). */
void xg_intr_eoi_work_(struct xg_work *w);

/* The rare cases of dispatch: no source (a stray event), lateeoi and
 * level PIRQ sources. */
void xg_intr_dispatch_slow_(struct xg_evtchn *ev, struct xg_isrc *isrc);

/* Is the calling CPU inside xg_evtchn_upcall()? (interrupts off) */
static inline bool xg_evtchn_in_upcall_(struct xg_evtchn *ev, unsigned cpu)
{
	uint32_t seq = __atomic_load_n(&ev->cpus[cpu].seq_, __ATOMIC_RELAXED);

	return (seq & 1u) != 0;
}

/* ---- registry internals shared by the src/intr files ---- */

/* flags_: fixed at bind, read by the upcall. */
#define XG_ISRC_F_LATEEOI 0x1u
#define XG_ISRC_F_NOCLOSE 0x2u
#define XG_ISRC_F_PIRQ_EOI 0x4u /* PHYSDEVOP_eoi after each event */
/* state_: written under ev->lock_, never read by the upcall. */
#define XG_ISRC_S_EOI_WAIT 0x1u /* on ev->eoi_list_ */
#define XG_ISRC_S_DEAD 0x2u     /* its port died in a resume */
#define XG_ISRC_S_WAS_ON 0x4u   /* resume: unmasked before it */

/* What a bind call asks for; XG_INTR_REQ fills it from its arguments. */
struct xg_intr_req {
	unsigned type;
	uint32_t info;
	unsigned cpu;
	const char *name;
	xg_isrc_handler_t *handler;
	void *arg;
	unsigned flags;
	uint8_t fixed;  /* extra XG_ISRC_F_* the bind call found out */
};

/* Xen's per-vCPU VIRQs; every other VIRQ is global (bound on vCPU 0,
 * movable with EVTCHNOP_bind_vcpu). */
static inline bool xg_virq_is_percpu_(unsigned virq)
{
	return virq == VIRQ_TIMER || virq == VIRQ_DEBUG ||
	       virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU;
}

static inline struct xg_isrc **xg_intr_slot_(struct xg_evtchn *ev,
					     uint32_t port)
{
	return &ev->dir_[port / XG_INTR_LEAF_ENTRIES]
			[port % XG_INTR_LEAF_ENTRIES];
}

/* Allocate the table leaf of @port if missing (thread, no lock held). */
int xg_intr_leaf_ensure_(struct xg_evtchn *ev, uint32_t port);
/* Second half of every bind (see intr.c). */
int xg_intr_attach_(struct xg_evtchn *ev, struct xg_intr_req *rq,
		    uint32_t port, bool opened, struct xg_isrc **out);
bool xg_intr_args_ok_(xg_isrc_handler_t *handler, unsigned flags,
		      struct xg_isrc **out);
/* x86: register the upcall vector of @cpu (and vCPU 0's callback). */
int xg_intr_upcall_vector_(struct xg_evtchn *ev, unsigned cpu);

/* Special sources take the slow path of dispatch. */
#define XG_ISRC_F_SLOW_ (XG_ISRC_F_LATEEOI | XG_ISRC_F_PIRQ_EOI)

/*
 * Dispatch one port whose pending bit this CPU just cleared: the hot
 * path of every event, inlined into both ABIs' scans. The table is read
 * lock-free (see the invariant in intr.c); @port is below the ABI's port
 * count, which the table covers.
 */
static inline void xg_intr_dispatch_(struct xg_evtchn *ev, uint32_t port)
{
	struct xg_isrc **leaf = __atomic_load_n(
		&ev->dir_[port / XG_INTR_LEAF_ENTRIES], __ATOMIC_ACQUIRE);
	struct xg_isrc *isrc =
		leaf ? __atomic_load_n(&leaf[port % XG_INTR_LEAF_ENTRIES],
				       __ATOMIC_ACQUIRE)
		     : NULL;

	if (XG_UNLIKELY(isrc == NULL || (isrc->flags_ & XG_ISRC_F_SLOW_))) {
		xg_intr_dispatch_slow_(ev, isrc);
		return;
	}
	/* Only the owning CPU counts; a lost increment during a rebind
	 * is acceptable for statistics and cheaper than a locked add. */
	XG_WRITE_ONCE(isrc->count, XG_READ_ONCE(isrc->count) + 1);
	if (XG_UNLIKELY(isrc->handler(isrc, isrc->arg) == XG_ISRC_DEFER))
		xg_intr_pre_ithread(isrc);
}

#define XG_INTR_REQ(t, i, c) \
	{ .type = (t), .info = (i), .cpu = (c), .name = name, \
	  .handler = handler, .arg = arg, .flags = flags }

#endif /* XG_EVTCHN_INTERNAL_H */
