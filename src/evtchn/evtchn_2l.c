/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * 2-level ABI: pending and mask bitmaps in shared_info, a per-vCPU
 * selector word (one bit per bitmap word) and evtchn_upcall_pending in
 * vcpu_info. Xen sets pending, then, unless masked, the selector bit and
 * upcall_pending, and interrupts the vCPU the port notifies.
 */
#include "xg_evtchn.h"

#if XG_CONFIG_EVTCHN_2L

#define XG_2L_WORDS (XG_EVTCHN_2L_PORTS / XG_ULONG_BITS)

static inline struct shared_info *xg_2l_si(struct xg_evtchn *ev)
{
	return ev->xen->shared_info;
}

static int xg_2l_cpu_init(struct xg_evtchn *ev, unsigned cpu)
{
	(void)ev, (void)cpu;
	return 0;
}

static int xg_2l_port_setup(struct xg_evtchn *ev, uint32_t port)
{
	(void)ev;
	return port < XG_EVTCHN_2L_PORTS ? 0 : XG_EINVAL;
}

static bool xg_2l_mask(struct xg_evtchn *ev, uint32_t port)
{
	return xg_test_and_set_bit(port, xg_2l_si(ev)->evtchn_mask);
}

static bool xg_2l_test_and_clear(struct xg_evtchn *ev, uint32_t port)
{
	return xg_test_and_clear_bit(port, xg_2l_si(ev)->evtchn_pending);
}

static bool xg_2l_is_pending(struct xg_evtchn *ev, uint32_t port)
{
	return xg_test_bit(port, xg_2l_si(ev)->evtchn_pending);
}

/*
 * A pending port was just unmasked; the caller holds ev->lock_ (so
 * interrupts are off and the CPU cannot change). If this CPU owns the
 * port, do what Xen would: selector bit, upcall_pending, interrupt
 * ourselves (unless we are inside the upcall, whose loop re-checks
 * upcall_pending). Otherwise put the mask back and return true: the
 * caller makes EVTCHNOP_unmask, which re-raises it on its vCPU. If
 * someone masked it again meanwhile, their unmask will.
 */
static bool xg_2l_reraise_locked(struct xg_evtchn *ev, uint32_t port)
{
	unsigned cpu = xg_port_cpu_self();
	struct vcpu_info *vi = ev->xen->cpus[cpu].vcpu_info;

	if (!xg_own_test_(&ev->cpus[cpu], port))
		return !xg_test_and_set_bit(port, xg_2l_si(ev)->evtchn_mask);
	xg_set_bit(port / XG_ULONG_BITS, &vi->evtchn_pending_sel);
	__atomic_store_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
	if (!xg_evtchn_in_upcall_(ev, cpu))
		xg_port_upcall_raise();
	return false;
}

/* 0 hypercalls unless the port is pending on another CPU's port. */
static void xg_2l_unmask(struct xg_evtchn *ev, uint32_t port)
{
	struct shared_info *s = xg_2l_si(ev);
	xg_port_irqstate_t st;
	bool remote;

	xg_clear_bit(port, s->evtchn_mask);
	/* Xen sets pending, then tests the mask; we clear the mask, then
	 * test pending. Without a full barrier between our store and our
	 * load both sides can miss the other (arm64 reorders them) and the
	 * event stays pending with no selector bit. */
	xg_mb();
	if (!xg_test_bit(port, s->evtchn_pending))
		return;
	st = xg_port_lock(&ev->lock_);
	remote = xg_2l_reraise_locked(ev, port);
	xg_port_unlock(&ev->lock_, st);
	if (remote)
		xg_evtchn_unmask_hc_(port);
}

/* The same, for a caller that holds ev->lock_. */
static void xg_2l_unmask_locked(struct xg_evtchn *ev, uint32_t port)
{
	struct shared_info *s = xg_2l_si(ev);

	xg_clear_bit(port, s->evtchn_mask);
	xg_mb(); /* as in xg_2l_unmask() */
	if (xg_test_bit(port, s->evtchn_pending) &&
	    xg_2l_reraise_locked(ev, port))
		xg_evtchn_unmask_hc_(port);
}

/* Ports of word @w pending and unmasked. */
static inline xen_ulong_t xg_2l_live(struct shared_info *s, unsigned w)
{
	return XG_READ_ONCE(s->evtchn_pending[w]) &
	       ~XG_READ_ONCE(s->evtchn_mask[w]);
}

static inline xen_ulong_t xg_2l_own(const struct xg_evtchn_cpu *c, unsigned w)
{
	return (xen_ulong_t)__atomic_load_n(&c->own_[w], __ATOMIC_RELAXED);
}

/* Is CPU @cpu about to scan word @w (its selector bit is set)? */
static bool xg_2l_cpu_signalled(struct xg_evtchn *ev, unsigned cpu, unsigned w)
{
	const struct vcpu_info *vi = ev->xen->cpus[cpu].vcpu_info;

	return vi != NULL && xg_test_bit(w, &vi->evtchn_pending_sel);
}

/* The CPU that owns @port now, or ev->ncpus when none does. */
static unsigned xg_2l_owner(struct xg_evtchn *ev, uint32_t port)
{
	unsigned i;

	for (i = 0; i < ev->ncpus; i++)
		if (xg_own_test_(&ev->cpus[i], port))
			break;
	return i;
}

/*
 * @moved: live ports of word @w that moved away from this CPU. Serve
 * those whose new owner has not been told: a send that read Xen's old
 * notify vCPU delivered them here (see xg_evtchn_bind_vcpu()) and nobody
 * else will. When the owner's selector bit for the word is set, it scans
 * the word itself: leave them.
 */
__attribute__((noinline))
static void xg_2l_strays(struct xg_evtchn *ev, struct shared_info *s,
			 xen_ulong_t moved, unsigned w)
{
	while (moved != 0) {
		uint32_t port = w * XG_ULONG_BITS +
				(unsigned)__builtin_ctzll(moved);
		unsigned owner = xg_2l_owner(ev, port);

		moved &= moved - 1;
		if (owner < ev->ncpus && !xg_2l_cpu_signalled(ev, owner, w) &&
		    xg_test_and_clear_bit(port, s->evtchn_pending))
			xg_intr_dispatch_(ev, port);
	}
}

/* @x rotated right by @n (0..63): bit @n becomes bit 0. */
static inline xen_ulong_t xg_2l_rotate(xen_ulong_t x, unsigned n)
{
	return n ? (x >> n) | (x << (XG_ULONG_BITS - n)) : x;
}

/*
 * Serve the active ports of word @w from bit @b round to the bit before
 * it, and return the port after the last one served (the new cursor),
 * or @cursor if none was. Each pending bit is cleared before its handler
 * runs: an event raised while the handler runs sets it again and is not
 * lost. Only the CPU that cleared a bit dispatches it: no duplicates.
 */
static inline __attribute__((always_inline)) uint32_t
xg_2l_word(struct xg_evtchn *ev, struct shared_info *s,
	   const struct xg_evtchn_cpu *c, unsigned w, unsigned b,
	   uint32_t cursor, bool strays)
{
	xen_ulong_t live = xg_2l_live(s, w), own = xg_2l_own(c, w);
	xen_ulong_t bits = live & own;

	if (strays) {
		xen_ulong_t moved = live & ~own &
			(xen_ulong_t)__atomic_load_n(&c->drain_[w],
						     __ATOMIC_RELAXED);

		if (XG_UNLIKELY(moved != 0))
			xg_2l_strays(ev, s, moved, w);
	}
	/* A lone port needs no rotation: it is the common case. */
	if ((bits & (bits - 1)) != 0)
		bits = xg_2l_rotate(bits, b);
	else
		b = 0;

	while (bits != 0) {
		uint32_t port = w * XG_ULONG_BITS +
				(((unsigned)__builtin_ctzll(bits) + b) %
				 XG_ULONG_BITS);

		bits &= bits - 1;
		cursor = (port + 1) % XG_EVTCHN_2L_PORTS;
		if (xg_test_and_clear_bit(port, s->evtchn_pending))
			xg_intr_dispatch_(ev, port);
	}
	return cursor;
}

/*
 * upcall_pending is cleared before the selector is taken (the exchange
 * orders the two), and the loop runs again if Xen set it meanwhile: an
 * event whose selector bit lands after our exchange also sets
 * upcall_pending, so it cannot be lost.
 *
 * Each pass visits the words of the selector once, starting with the
 * cursor's word (from the cursor bit round), and the cursor moves past
 * the last port served: a port raised again and again gets one turn per
 * pass and cannot starve the others, below or above it.
 */
static inline __attribute__((always_inline)) void
xg_2l_scan(struct xg_evtchn *ev, struct vcpu_info *vi, struct xg_evtchn_cpu *c,
	   bool strays)
{
	struct shared_info *s = xg_2l_si(ev);
	uint32_t cursor = c->cursor_;

	do {
		xen_ulong_t sel;

		__atomic_store_n(&vi->evtchn_upcall_pending, 0,
				 __ATOMIC_RELAXED);
		sel = xg_xchg_ulong(&vi->evtchn_pending_sel, 0);
		while (sel != 0) {
			unsigned w0 = cursor / XG_ULONG_BITS;
			unsigned w = (unsigned)__builtin_ctzll(sel);

			/* With several words pending, start at the cursor's. */
			if ((sel & (sel - 1)) != 0)
				w = (w0 + (unsigned)__builtin_ctzll(
						  xg_2l_rotate(sel, w0))) %
				    XG_ULONG_BITS;

			sel &= ~xg_bit_mask(w);
			cursor = xg_2l_word(ev, s, c, w,
					    w == w0 ? cursor % XG_ULONG_BITS : 0,
					    cursor, strays);
		}
	} while (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST));
	c->cursor_ = cursor;
}

/* A CPU that gave ports away also looks for their strays (see
 * xg_2l_strays()): a second copy of the scan, so that the others pay
 * nothing for it. */
static void xg_2l_upcall(struct xg_evtchn *ev, unsigned cpu)
{
	struct vcpu_info *vi = ev->xen->cpus[cpu].vcpu_info;
	struct xg_evtchn_cpu *c = &ev->cpus[cpu];

	if (XG_UNLIKELY(__atomic_load_n(&c->moved_, __ATOMIC_RELAXED) != 0))
		xg_2l_scan(ev, vi, c, true);
	else
		xg_2l_scan(ev, vi, c, false);
}

static void xg_2l_fini(struct xg_evtchn *ev)
{
	(void)ev;
}

/* The bitmaps live in shared_info, which the core maps again. */
static int xg_2l_resume(struct xg_evtchn *ev)
{
	(void)ev;
	return 0;
}

const struct xg_evtchn_ops_ xg_evtchn_2l_ops_ = {
	.abi = XG_EVTCHN_ABI_2L,
	.cpu_init = xg_2l_cpu_init,
	.port_setup = xg_2l_port_setup,
	.mask = xg_2l_mask,
	.unmask = xg_2l_unmask,
	.unmask_locked = xg_2l_unmask_locked,
	.test_and_clear = xg_2l_test_and_clear,
	.is_pending = xg_2l_is_pending,
	.upcall = xg_2l_upcall,
	.resume = xg_2l_resume,
	.fini = xg_2l_fini,
};

#endif /* XG_CONFIG_EVTCHN_2L */
