/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * FreeBSD port, x86 (HVM and PVH): Xen event channels as a struct pic.
 *
 * Upcall: Xen's per-vCPU vector callback. xg_port_upcall_attach() names
 * IDT_EVTCHN, the vector FreeBSD's XENHVM kernel reserves and whose
 * assembly stub calls xen_arch_intr_handle_upcall(); the library's
 * per-CPU init (xg_intr_cpu_init()) then makes
 * HVMOP_set_evtchn_upcall_vector with it for each vCPU. A per-vCPU
 * vector is acknowledged at the local APIC, so the handler ends with
 * lapic_eoi().
 *
 * Sources: a struct xg_x86_src is x86's struct intsrc beside the
 * library's struct xg_isrc (in struct xg_fbsd_src); its IRQ number comes
 * from a range reserved behind the MSI range by xen_intr_alloc_irqs(),
 * which XENHVM's local_apic.c calls at boot. x86 cannot deregister an
 * interrupt source, so the pool of xg_fbsd_glue.c registers each object
 * once and recycles it. The struct pic methods are its xg_fbsd_pic_*
 * mapping; the intr_event hooks x86 installs (intr_disable_src,
 * intr_enable_src, intr_eoi_src, intr_assign_cpu) call them.
 *
 * This file replaces FreeBSD's own Xen interrupt layer
 * (sys/dev/xen/bus/xen_intr.c, sys/x86/xen/xen_arch_intr.c), which
 * defines the same two entry points; see README.md.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/bus.h>
#include <sys/interrupt.h>
#include <sys/kernel.h>
#include <sys/limits.h>
#include <sys/lock.h>
#include <sys/malloc.h>
#include <sys/mutex.h>
#include <sys/pcpu.h>
#include <sys/proc.h>
#include <sys/smp.h>

#include <machine/frame.h>
#include <machine/intr_machdep.h>
#include <machine/segments.h>
#include <x86/apicvar.h>

#include <xenguest/error.h>

#include "xg_freebsd.h"

/* Sources that can be bound at once: FreeBSD reserves as many IRQ
 * numbers for its own 2-level-only Xen code. */
#define XG_X86_NR_IRQS XG_EVTCHN_2L_PORTS

struct xg_x86_src {
	struct intsrc is;       /* x86's part */
	struct xg_fbsd_src src; /* xenguest's (struct xg_isrc inside) */
};

static struct pic xg_x86_pic;
static u_int xg_x86_first_irq;

static struct xg_x86_src *
is_to_src(struct intsrc *is)
{
	return (__containerof(is, struct xg_x86_src, is));
}

static struct xg_x86_src *
xg_to_src(struct xg_isrc *xg)
{
	return (__containerof(xg_fbsd_src_of(xg), struct xg_x86_src, src));
}

/* ---- entry points FreeBSD's XENHVM code calls --------------------------- */

/* From apic_setup_io(): reserve IRQ numbers before the tables are sized. */
void
xen_intr_alloc_irqs(void)
{
	if (num_io_irqs > UINT_MAX - XG_X86_NR_IRQS)
		panic("xenguest: IRQ numbers exhausted");
	xg_x86_first_irq = num_io_irqs;
	num_io_irqs += XG_X86_NR_IRQS;
}

/* From the IDT_EVTCHN stub (amd64/apic_vector.S), interrupts off. */
void xen_arch_intr_handle_upcall(struct trapframe *tf);

void
xen_arch_intr_handle_upcall(struct trapframe *tf)
{
	struct thread *td = curthread;
	struct trapframe *old;

	critical_enter();
	td->td_intr_nesting_level++;
	old = td->td_intr_frame;
	td->td_intr_frame = tf;
	xg_evtchn_upcall(&xg_fbsd_ev);
	td->td_intr_frame = old;
	td->td_intr_nesting_level--;
	lapic_eoi();
	critical_exit();
}

/* ---- port hooks: sources and the upcall --------------------------------- */

static struct xg_fbsd_src *
xg_x86_create(struct xg_fbsd_glue *g, unsigned index)
{
	struct xg_x86_src *s;

	(void)g;
	s = malloc(sizeof(*s), M_XENGUEST, M_WAITOK | M_ZERO);
	s->is.is_pic = &xg_x86_pic;
	s->src.index = index; /* pic_vector() needs it to register */
	if (intr_register_source(&s->is) != 0) {
		/* The IRQ number stays taken: x86 has no way back. */
		return (NULL);
	}
	return (&s->src);
}

static void
xg_x86_reuse(struct xg_fbsd_glue *g, struct xg_fbsd_src *src, unsigned cpu)
{
	/* Nothing to reset: is_cpu is set for every allocation, below. */
	(void)g;
	(void)cpu;
	KASSERT(__containerof(src, struct xg_x86_src, src)->is.is_handlers == 0,
	    ("xenguest: recycled irq%u has handlers", xg_x86_first_irq +
	    src->index));
}

struct xg_isrc *
xg_port_isrc_alloc(unsigned type, unsigned cpu, const char *name)
{
	struct xg_isrc *xg;

	(void)type;
	(void)name; /* intr_describe() names handlers; sources are irqN */
	xg = xg_fbsd_isrc_get(&xg_fbsd_glue, cpu);
	if (xg != NULL)
		xg_to_src(xg)->is.is_cpu = pcpu_find(cpu)->pc_apic_id;
	return (xg);
}

void
xg_port_isrc_release(struct xg_isrc *isrc)
{
	KASSERT(xg_to_src(isrc)->is.is_handlers == 0,
	    ("xenguest: irq%u released with handlers",
	    xg_x86_first_irq + xg_fbsd_src_of(isrc)->index));
	xg_fbsd_isrc_put(&xg_fbsd_glue, isrc);
}

int
xg_port_upcall_attach(struct xg_upcall *up)
{
	if (up->kind != XG_UPCALL_VECTOR)
		return (XG_EOPNOTSUPP);
	/* XENHVM's machdep installed the stub at IDT_EVTCHN. */
	up->vector = IDT_EVTCHN;
	return (0);
}

/* The local APIC keeps a self-IPI pending until interrupts are on. */
void
xg_port_upcall_raise(void)
{
	lapic_ipi_vectored(IDT_EVTCHN, APIC_IPI_DEST_SELF);
}

/*
 * The registry handler of every source: run the intr_event's handlers.
 * x86 calls pic_disable_source (pre_ithread) when a filter defers, and
 * on a stray event.
 */
static int
xg_x86_trampoline(struct xg_isrc *xg, void *arg)
{
	(void)arg;
	intr_execute_handlers(&xg_to_src(xg)->is, curthread->td_intr_frame);
	return (XG_ISRC_HANDLED);
}

/* ---- struct pic --------------------------------------------------------- */

static void
xg_x86_register_sources(struct pic *pic)
{
	/* Nothing at boot: the pool registers sources as they are bound. */
	(void)pic;
}

static void
xg_x86_enable_source(struct intsrc *is)
{
	xg_fbsd_pic_post_ithread(&is_to_src(is)->src);
}

static void
xg_x86_disable_source(struct intsrc *is, int eoi)
{
	/* No EOI to make: the upcall acknowledged the APIC already. */
	(void)eoi;
	xg_fbsd_pic_pre_ithread(&is_to_src(is)->src);
}

static void
xg_x86_eoi_source(struct intsrc *is)
{
	xg_fbsd_pic_post_filter(&is_to_src(is)->src);
}

static void
xg_x86_enable_intr(struct intsrc *is)
{
	xg_fbsd_pic_enable(&is_to_src(is)->src);
}

static void
xg_x86_disable_intr(struct intsrc *is)
{
	xg_fbsd_pic_disable(&is_to_src(is)->src);
}

static int
xg_x86_vector(struct intsrc *is)
{
	return ((int)(xg_x86_first_irq + is_to_src(is)->src.index));
}

static int
xg_x86_source_pending(struct intsrc *is)
{
	/* Events are edges whose pending bit the upcall clears. */
	(void)is;
	return (0);
}

static int
xg_x86_config_intr(struct intsrc *is, enum intr_trigger trig,
    enum intr_polarity pol)
{
	(void)is;
	(void)pol;
	return (trig == INTR_TRIGGER_EDGE || trig == INTR_TRIGGER_CONFORM ?
	    0 : EINVAL);
}

static int
xg_x86_assign_cpu(struct intsrc *is, u_int apic_id)
{
	struct xg_x86_src *s = is_to_src(is);
	int error;

	error = xg_fbsd_pic_bind(&s->src, (int)apic_cpuid(apic_id));
	if (error == 0)
		s->is.is_cpu = apic_id;
	return (error);
}

static struct pic xg_x86_pic = {
	.pic_register_sources = xg_x86_register_sources,
	.pic_enable_source = xg_x86_enable_source,
	.pic_disable_source = xg_x86_disable_source,
	.pic_eoi_source = xg_x86_eoi_source,
	.pic_enable_intr = xg_x86_enable_intr,
	.pic_disable_intr = xg_x86_disable_intr,
	.pic_vector = xg_x86_vector,
	.pic_source_pending = xg_x86_source_pending,
	.pic_config_intr = xg_x86_config_intr,
	.pic_assign_cpu = xg_x86_assign_cpu,
};

/* ---- for drivers -------------------------------------------------------- */

/**
 * xg_x86_bind_interdomain() - bind a remote port as an x86 interrupt
 * @remote: @remote_port: the peer's unbound port
 * @flags: XG_INTR_* (XG_INTR_LATEEOI for a backend)
 * @irqp: out: the IRQ number, for intr_add_handler() / intr_describe()
 * @out: out: the library source (xg_intr_unbind() after
 *       intr_remove_handler())
 *
 * Returns: 0 or a FreeBSD errno.
 */
int xg_x86_bind_interdomain(uint16_t remote, uint32_t remote_port,
    unsigned flags, u_int *irqp, struct xg_isrc **out);

int
xg_x86_bind_interdomain(uint16_t remote, uint32_t remote_port,
    unsigned flags, u_int *irqp, struct xg_isrc **out)
{
	int rc;

	rc = xg_intr_bind_interdomain(&xg_fbsd_ev, remote, remote_port, NULL,
	    xg_x86_trampoline, NULL, flags, out);
	if (rc != 0)
		return (xg_fbsd_errno(rc));
	*irqp = xg_x86_first_irq + xg_fbsd_src_of(*out)->index;
	return (0);
}

/* ---- bring-up ----------------------------------------------------------- */

static bool xg_x86_on_xen;

/* With the other PICs, before intr_init_sources() sizes the tables. */
static void
xg_x86_register_pic(void *arg)
{
	struct xg_cpuid_info ci;

	(void)arg;
	if (xg_cpuid_probe(&ci) != 0)
		return;
	xg_x86_on_xen = true;
	if (intr_register_pic(&xg_x86_pic) != 0)
		panic("xenguest: cannot register the event-channel PIC");
}
SYSINIT(xg_x86_register_pic, SI_SUB_INTR, SI_ORDER_SECOND,
    xg_x86_register_pic, NULL);

/* After the interrupt tables exist, before interrupts are enabled. */
static void
xg_x86_start(void *arg)
{
	int error;

	(void)arg;
	if (!xg_x86_on_xen)
		return;
	error = xg_fbsd_start(NULL, XG_X86_NR_IRQS, xg_x86_create,
	    xg_x86_reuse);
	if (error != 0)
		printf("xenguest: bring-up failed: %d\n", error);
}
SYSINIT(xg_x86_start, SI_SUB_INTR, SI_ORDER_MIDDLE, xg_x86_start, NULL);
