/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The FreeBSD-independent half of the FreeBSD interrupt glue: what the
 * INTRNG PIC (xg_intrng_arm64.c) and the x86 PIC (xg_intr_x86.c) have in
 * common, kept free of FreeBSD headers so that it builds and is tested on
 * the host (tests/freebsd/) against the fake hypervisor.
 *
 * 1. A source pool. Neither framework can forget a source for good:
 *    INTRNG's intr_isrc_deregister() leaks the source's intr_event (and
 *    its ithread), x86 has no deregistration at all. So a host object
 *    (framework source + struct xg_fbsd_src) is registered once, when it
 *    is first made, and xg_port_isrc_release() puts it on a free list
 *    from which the next xg_port_isrc_alloc() takes it. The number of
 *    registered objects is the peak number of bound sources, whatever
 *    the number of bind/unbind cycles.
 *
 * 2. PIC methods mapped onto the registry (xg_fbsd_pic_*). Each ignores
 *    a source that is on the free list, so a framework call that comes
 *    after the release (a driver that unbinds before it tears down its
 *    handler) cannot mask or move a port number that now belongs to
 *    somebody else.
 *
 * 3. Owed upcalls. When an unmask finds an event pending on a port of
 *    the calling CPU, the library sets the selector bits as Xen would and
 *    asks the port to make the upcall interrupt pending on this CPU
 *    (xg_port_upcall_raise()). x86 does that with a self-IPI. The GIC
 *    has no interface in FreeBSD to make a PPI pending, so on arm64 the
 *    raise only notes the debt on this CPU, and every glue entry point
 *    that can unmask pays it before it returns: xg_fbsd_run_owed() runs
 *    the upcall on this CPU with interrupts disabled, as the interrupt
 *    would have. That costs no hypercall either.
 */
#ifndef XG_FBSD_GLUE_H
#define XG_FBSD_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenguest/evtchn.h>
#include <xenguest/intr.h>

/* What the host object around a library source carries for the pool. */
struct xg_fbsd_src {
	struct xg_isrc xg;              /* the library's; valid while bound */
	struct xg_fbsd_src *next_free_; /* on the pool's free list */
	unsigned index;                 /* 0, 1, ... in creation order */
	bool bound_;                    /* between alloc and release */
};

struct xg_fbsd_glue;

/*
 * Make a new host object and register it with the framework, once;
 * @index is unique and below the pool's limit (x86: IRQ first + index).
 * Returns the object's struct xg_fbsd_src, or NULL. Thread context, no
 * lock held: it may sleep.
 */
typedef struct xg_fbsd_src *xg_fbsd_create_fn(struct xg_fbsd_glue *g,
					      unsigned index);
/*
 * A recycled object is about to be bound on @cpu: reset the framework's
 * per-binding state (INTRNG: isrc_cpu). Thread context, no lock held.
 */
typedef void xg_fbsd_reuse_fn(struct xg_fbsd_glue *g, struct xg_fbsd_src *src,
			      unsigned cpu);

/* One per guest. Fields are private to xg_fbsd_glue.c except where noted. */
struct xg_fbsd_glue {
	struct xg_evtchn *ev;           /* the registry the PIC drives */
	xg_port_lock_t lock;            /* free list and counters */
	struct xg_fbsd_src *free_;
	unsigned created;               /* objects registered so far */
	unsigned bound;                 /* objects the library holds now */
	unsigned free_count;            /* objects on the free list */
	unsigned limit;                 /* most objects the framework takes */
	unsigned create_failures;
	xg_fbsd_create_fn *create;
	xg_fbsd_reuse_fn *reuse;
	uint8_t *owed;                  /* per CPU: an upcall is owed */
	unsigned ncpus;
};

/**
 * xg_fbsd_glue_init() - set up the pool and the owed-upcall flags
 * @g: caller-owned, fully written here
 * @ev: the registry (may be initialised later, before the first bind)
 * @limit: most host objects the framework can take (x86: the IRQ range)
 * @create: @reuse: the framework side, see the typedefs
 * @owed: caller-owned array of @ncpus bytes (FreeBSD: MAXCPU)
 * @ncpus: its length
 *
 * Context: thread. Locking: none.
 */
void xg_fbsd_glue_init(struct xg_fbsd_glue *g, struct xg_evtchn *ev,
		       unsigned limit, xg_fbsd_create_fn *create,
		       xg_fbsd_reuse_fn *reuse, uint8_t *owed, unsigned ncpus);

/**
 * xg_fbsd_isrc_get() - the body of xg_port_isrc_alloc()
 * @g: the glue
 * @cpu: CPU the source will be delivered on
 *
 * Takes a recycled object (calling @g->reuse) or, when none is free and
 * the limit allows, makes one with @g->create.
 *
 * Returns: the object's struct xg_isrc, or NULL (limit reached or
 * @g->create failed; the library then fails the bind with XG_ENOMEM).
 * Context: thread. Locking: takes @g->lock briefly.
 */
struct xg_isrc *xg_fbsd_isrc_get(struct xg_fbsd_glue *g, unsigned cpu);

/**
 * xg_fbsd_isrc_put() - the body of xg_port_isrc_release()
 * @g: the glue
 * @xg: a source xg_fbsd_isrc_get() returned and not put back since
 *
 * Puts the object on the free list; it stays registered with the
 * framework. Putting back a source twice is a bug (xg_port_panic()).
 *
 * Context: thread. Locking: takes @g->lock briefly.
 */
void xg_fbsd_isrc_put(struct xg_fbsd_glue *g, struct xg_isrc *xg);

/* The pool object of a library source. */
static inline struct xg_fbsd_src *xg_fbsd_src_of(struct xg_isrc *xg)
{
	return (struct xg_fbsd_src *)(void *)((char *)xg -
		offsetof(struct xg_fbsd_src, xg));
}

/*
 * PIC methods (INTRNG name / x86 struct pic name):
 *   pic_enable_intr / pic_enable_intr         xg_fbsd_pic_enable
 *   pic_disable_intr / pic_disable_intr       xg_fbsd_pic_disable
 *   pic_post_filter / pic_eoi_source          xg_fbsd_pic_post_filter
 *   pic_pre_ithread / pic_disable_source      xg_fbsd_pic_pre_ithread
 *   pic_post_ithread / pic_enable_source      xg_fbsd_pic_post_ithread
 *   pic_bind_intr / pic_assign_cpu            xg_fbsd_pic_bind
 * Each does nothing for a source on the free list. Context and locking
 * as the xg_intr_* call they make (<xenguest/intr.h>). The ones that may
 * unmask can leave an upcall owed on this CPU (see xg_fbsd_run_owed()).
 */
void xg_fbsd_pic_enable(struct xg_fbsd_src *src);
void xg_fbsd_pic_disable(struct xg_fbsd_src *src);
void xg_fbsd_pic_post_filter(struct xg_fbsd_src *src);
void xg_fbsd_pic_pre_ithread(struct xg_fbsd_src *src);
void xg_fbsd_pic_post_ithread(struct xg_fbsd_src *src);

/**
 * xg_fbsd_pic_bind() - move a source to the first CPU of a set
 * @src: the source
 * @first_cpu: the lowest CPU in the framework's CPU set, or -1 if the set
 *             is empty (unbind request: the source stays where it is)
 *
 * Returns: 0, or a FreeBSD errno (xg_fbsd_errno() of the library's).
 * Context: thread. Locking: as xg_intr_bind_cpu().
 */
int xg_fbsd_pic_bind(struct xg_fbsd_src *src, int first_cpu);

/**
 * xg_fbsd_note_owed() - the body of xg_port_upcall_raise() on arm64
 * @g: the glue
 * @cpu: the calling CPU
 *
 * Context: any, interrupts disabled. Locking: none.
 */
void xg_fbsd_note_owed(struct xg_fbsd_glue *g, unsigned cpu);

/**
 * xg_fbsd_run_owed() - run the upcall on this CPU if one is owed
 * @g: the glue
 * @cpu: the calling CPU; the caller keeps the thread on it (sched_pin)
 *       from the call that may have raised until this returns, and
 *       disables interrupts around this call
 *
 * Returns: whether the upcall ran.
 * Context: thread or interrupt, never inside xg_evtchn_upcall().
 * Locking: none held.
 */
bool xg_fbsd_run_owed(struct xg_fbsd_glue *g, unsigned cpu);

/*
 * FreeBSD's errno numbers for the library's Linux-numbered XG_E* codes
 * (1..34 are the same in both; the glue checks these constants against
 * <sys/errno.h> at compile time).
 */
#define XG_FBSD_EDEADLK 11
#define XG_FBSD_EAGAIN 35
#define XG_FBSD_EOPNOTSUPP 45
#define XG_FBSD_EADDRINUSE 48
#define XG_FBSD_ENOBUFS 55
#define XG_FBSD_ETIMEDOUT 60
#define XG_FBSD_ENAMETOOLONG 63
#define XG_FBSD_ENOTEMPTY 66
#define XG_FBSD_ENOLCK 77
#define XG_FBSD_ENOSYS 78
#define XG_FBSD_EOVERFLOW 84
#define XG_FBSD_EILSEQ 86
#define XG_FBSD_EBADMSG 89
#define XG_FBSD_EIO 5

/**
 * xg_fbsd_errno() - translate a library result for a FreeBSD caller
 * @xg_err: 0 or a negative XG_E* code
 *
 * Returns: 0 or a positive FreeBSD errno; codes FreeBSD has no
 * equivalent for become EIO.
 * Context: any. Locking: none.
 */
int xg_fbsd_errno(int xg_err);

#endif /* XG_FBSD_GLUE_H */
