/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * FreeBSD port, INTRNG (arm64, and any INTRNG architecture whose Xen
 * upcall is a device-tree interrupt): Xen event channels as an interrupt
 * controller.
 *
 * The /hypervisor node ("xen,xen") attaches as a PIC. Its "interrupts"
 * property is the upcall PPI, taken through the GIC like any device
 * interrupt, with a filter that calls xg_evtchn_upcall(). Every event
 * source is a struct xg_intrng_src: INTRNG's struct intr_irqsrc beside
 * the library's struct xg_isrc (in struct xg_fbsd_src). The PIC methods
 * are the xg_fbsd_pic_* mapping of xg_fbsd_glue.c; a source's handler in
 * the registry is a trampoline into intr_isrc_dispatch(), so drivers use
 * bus_setup_intr() filters and ithreads as usual.
 *
 * Release without a leak: intr_isrc_deregister() would leave the
 * source's intr_event (and ithread) behind, so a source is registered
 * once, when the pool makes it, and recycled after release (see
 * xg_fbsd_glue.h).
 *
 * Per-CPU init: this PIC is not a root PIC; INTRNG calls
 * pic_init_secondary(dev, INTR_ROOT_COUNT) on every registered PIC as
 * each AP starts, which registers that CPU's vcpu_info; the allocating
 * rest of xg_intr_cpu_init() follows from xg_port_freebsd.c's SYSINIT.
 * No extra interrupt root is needed.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/bus.h>
#include <sys/cpuset.h>
#include <sys/interrupt.h>
#include <sys/intr.h>
#include <sys/kernel.h>
#include <sys/linker.h>
#include <sys/lock.h>
#include <sys/malloc.h>
#include <sys/module.h>
#include <sys/mutex.h>
#include <sys/pcpu.h>
#include <sys/proc.h>
#include <sys/rman.h>
#include <sys/sched.h>
#include <sys/smp.h>

#include <machine/bus.h>
#include <machine/cpufunc.h>
#include <machine/intr.h>
#include <machine/metadata.h>
#include <machine/resource.h>

#include <dev/ofw/openfirm.h>
#include <dev/ofw/ofw_bus.h>
#include <dev/ofw/ofw_bus_subr.h>

#include <xenguest/error.h>

#include "xg_freebsd.h"

#include "pic_if.h"

/* The host object around a library source. */
struct xg_intrng_src {
	struct intr_irqsrc isrc; /* INTRNG's part */
	struct xg_fbsd_src src;  /* xenguest's (struct xg_isrc inside) */
};

/* Map data naming a bound source by its port (pic_map_intr). */
struct xg_intrng_map_data {
	struct intr_map_data hdr; /* type INTR_MAP_DATA_PLAT_1 */
	uint32_t port;
};

#define XG_INTRNG_MAP_TYPE INTR_MAP_DATA_PLAT_1

static device_t xg_pic_dev;
static intptr_t xg_pic_xref;
static struct resource *xg_upcall_res;
static void *xg_upcall_cookie;

static struct xg_intrng_src *
isrc_to_src(struct intr_irqsrc *isrc)
{
	return (__containerof(isrc, struct xg_intrng_src, isrc));
}

static struct xg_intrng_src *
xg_to_src(struct xg_isrc *xg)
{
	return (__containerof(xg_fbsd_src_of(xg), struct xg_intrng_src, src));
}

/* ---- owed upcalls (see xg_fbsd_glue.h) ---------------------------------- */

/*
 * Pay an upcall that an unmask on this CPU left owed: run it here, as
 * the PPI would have, with interrupts off and in a critical section. The
 * caller has been pinned since the call that may have owed it.
 */
static void
xg_pay_owed(void)
{
	struct thread *td = curthread;
	register_t s;

	critical_enter();
	s = intr_disable();
	td->td_intr_nesting_level++;
	(void)xg_fbsd_run_owed(&xg_fbsd_glue, curcpu);
	td->td_intr_nesting_level--;
	intr_restore(s);
	critical_exit();
}

/* ---- port hooks: sources and the upcall --------------------------------- */

static struct xg_fbsd_src *
xg_intrng_create(struct xg_fbsd_glue *g, unsigned index)
{
	struct xg_intrng_src *s;

	(void)g;
	s = malloc(sizeof(*s), M_XENGUEST, M_WAITOK | M_ZERO);
	/* Once per object: it is recycled, never deregistered. */
	if (intr_isrc_register(&s->isrc, xg_pic_dev, 0, "xen%u", index) != 0) {
		free(s, M_XENGUEST);
		return (NULL);
	}
	return (&s->src);
}

static void
xg_intrng_reuse(struct xg_fbsd_glue *g, struct xg_fbsd_src *src,
    unsigned cpu)
{
	struct xg_intrng_src *s = __containerof(src, struct xg_intrng_src, src);

	(void)g;
	(void)cpu; /* isrc_cpu is set for every allocation, below */
	/* A previous user's cpuset(1) binding says nothing about the
	 * new port. */
	s->isrc.isrc_flags &= ~INTR_ISRCF_BOUND;
}

struct xg_isrc *
xg_port_isrc_alloc(unsigned type, unsigned cpu, const char *name)
{
	struct xg_isrc *xg;

	(void)type;
	(void)name; /* INTRNG names sources at registration: "xenN" */
	xg = xg_fbsd_isrc_get(&xg_fbsd_glue, cpu);
	if (xg != NULL)
		CPU_SETOF(cpu, &xg_to_src(xg)->isrc.isrc_cpu);
	return (xg);
}

void
xg_port_isrc_release(struct xg_isrc *isrc)
{
	KASSERT(xg_to_src(isrc)->isrc.isrc_handlers == 0,
	    ("xenguest: source %s released with handlers",
	    xg_to_src(isrc)->isrc.isrc_name));
	xg_fbsd_isrc_put(&xg_fbsd_glue, isrc);
}

/* No FreeBSD interface makes a GIC PPI pending: note the debt. */
void
xg_port_upcall_raise(void)
{
	xg_fbsd_note_owed(&xg_fbsd_glue, curcpu);
}

static int
xg_upcall_filter(void *arg)
{
	xg_evtchn_upcall(arg);
	return (FILTER_HANDLED);
}

int
xg_port_upcall_attach(struct xg_upcall *up)
{
	int rid = 0;

	if (up->kind != XG_UPCALL_PPI)
		return (XG_EOPNOTSUPP);
	/* The node's "interrupts" property, mapped by the GIC; a PPI is
	 * enabled on each CPU by the GIC driver as the CPU starts. */
	xg_upcall_res = bus_alloc_resource_any(xg_pic_dev, SYS_RES_IRQ, &rid,
	    RF_ACTIVE);
	if (xg_upcall_res == NULL)
		return (XG_ENXIO);
	if (bus_setup_intr(xg_pic_dev, xg_upcall_res,
	    INTR_TYPE_MISC | INTR_MPSAFE, xg_upcall_filter, NULL, &xg_fbsd_ev,
	    &xg_upcall_cookie) != 0) {
		bus_release_resource(xg_pic_dev, SYS_RES_IRQ, rid,
		    xg_upcall_res);
		xg_upcall_res = NULL;
		return (XG_EBUSY);
	}
	return (0);
}

/*
 * The registry handler of every source: hand the event to INTRNG, which
 * runs the filters and, if one schedules the ithread, calls
 * pic_pre_ithread itself. The PPI filter set td_intr_frame.
 */
static int
xg_intrng_trampoline(struct xg_isrc *xg, void *arg)
{
	struct xg_intrng_src *s = xg_to_src(xg);

	(void)arg;
	if (intr_isrc_dispatch(&s->isrc, curthread->td_intr_frame) != 0) {
		/* No handler (stray): keep it quiet until one is set up. */
		xg_intr_disable(xg);
	}
	return (XG_ISRC_HANDLED);
}

/* ---- PIC methods -------------------------------------------------------- */

static void
xg_pic_enable_intr(device_t dev, struct intr_irqsrc *isrc)
{
	(void)dev;
	sched_pin();
	xg_fbsd_pic_enable(&isrc_to_src(isrc)->src);
	xg_pay_owed();
	sched_unpin();
}

static void
xg_pic_disable_intr(device_t dev, struct intr_irqsrc *isrc)
{
	(void)dev;
	xg_fbsd_pic_disable(&isrc_to_src(isrc)->src);
}

static void
xg_pic_post_filter(device_t dev, struct intr_irqsrc *isrc)
{
	(void)dev;
	xg_fbsd_pic_post_filter(&isrc_to_src(isrc)->src);
}

static void
xg_pic_pre_ithread(device_t dev, struct intr_irqsrc *isrc)
{
	(void)dev;
	xg_fbsd_pic_pre_ithread(&isrc_to_src(isrc)->src);
}

static void
xg_pic_post_ithread(device_t dev, struct intr_irqsrc *isrc)
{
	(void)dev;
	sched_pin();
	xg_fbsd_pic_post_ithread(&isrc_to_src(isrc)->src);
	xg_pay_owed();
	sched_unpin();
}

static int
xg_pic_bind_intr(device_t dev, struct intr_irqsrc *isrc)
{
	struct xg_intrng_src *s = isrc_to_src(isrc);
	int error;

	(void)dev;
	sched_pin();
	error = xg_fbsd_pic_bind(&s->src, CPU_FFS(&isrc->isrc_cpu) - 1);
	xg_pay_owed();
	sched_unpin();
	/* INTRNG's view follows where the port really is. */
	if (error != 0 || CPU_EMPTY(&isrc->isrc_cpu))
		CPU_SETOF(s->src.xg.cpu, &isrc->isrc_cpu);
	return (error);
}

static int
xg_pic_map_intr(device_t dev, struct intr_map_data *data,
    struct intr_irqsrc **isrcp)
{
	struct xg_intrng_map_data *md;
	struct xg_isrc *xg;

	(void)dev;
	if (data->type != XG_INTRNG_MAP_TYPE)
		return (ENOTSUP);
	md = (struct xg_intrng_map_data *)data;
	xg = xg_intr_lookup(&xg_fbsd_ev, md->port);
	if (xg == NULL || xg->handler != xg_intrng_trampoline)
		return (ENOENT);
	*isrcp = &xg_to_src(xg)->isrc;
	return (0);
}

static void
xg_pic_init_secondary(device_t dev, uint32_t rootnum)
{
	int rc;

	(void)dev;
	(void)rootnum; /* a non-root PIC: INTR_ROOT_COUNT */
	/* Interrupts are off and this is the idle thread: only the step
	 * that neither allocates nor sleeps, the vcpu_info registration. */
	rc = xg_xen_cpu_init(&xg_fbsd_xen);
	if (rc != 0)
		printf("xenguest: cpu%u: vcpu_info: %d\n", curcpu, rc);
}

/* ---- for drivers -------------------------------------------------------- */

/**
 * xg_intrng_bind_interdomain() - bind a remote port as an INTRNG interrupt
 * @remote: @remote_port: the peer's unbound port
 * @flags: XG_INTR_* (XG_INTR_LATEEOI for a backend)
 * @irqp: out: an INTRNG IRQ number for bus_alloc_resource(SYS_RES_IRQ)
 *        and bus_setup_intr() through the /hypervisor device
 * @out: out: the library source (xg_intr_unbind() after the teardown)
 *
 * Returns: 0 or a FreeBSD errno.
 */
int xg_intrng_bind_interdomain(uint16_t remote, uint32_t remote_port,
    unsigned flags, u_int *irqp, struct xg_isrc **out);

int
xg_intrng_bind_interdomain(uint16_t remote, uint32_t remote_port,
    unsigned flags, u_int *irqp, struct xg_isrc **out)
{
	struct xg_intrng_map_data *md;
	int rc;

	rc = xg_intr_bind_interdomain(&xg_fbsd_ev, remote, remote_port, NULL,
	    xg_intrng_trampoline, NULL, flags, out);
	if (rc != 0)
		return (xg_fbsd_errno(rc));
	md = (struct xg_intrng_map_data *)intr_alloc_map_data(
	    XG_INTRNG_MAP_TYPE, sizeof(*md), M_WAITOK | M_ZERO);
	md->port = (*out)->port;
	*irqp = intr_map_irq(xg_pic_dev, xg_pic_xref, &md->hdr);
	return (0);
}

/* ---- the device --------------------------------------------------------- */

/* The blob the loader passed: the library reads the Xen node itself. */
static const void *
xg_intrng_fdt_blob(void)
{
	caddr_t kmdp;

	kmdp = preload_search_by_type("elf kernel");
	if (kmdp == NULL)
		kmdp = preload_search_by_type("elf64 kernel");
	if (kmdp == NULL)
		return (NULL);
	return ((const void *)MD_FETCH(kmdp, MODINFOMD_DTBP, vm_offset_t));
}

static int
xg_intrng_probe(device_t dev)
{
	if (!ofw_bus_status_okay(dev) || !ofw_bus_is_compatible(dev, "xen,xen"))
		return (ENXIO);
	device_set_desc(dev, "Xen event channels (xenguest)");
	return (BUS_PROBE_DEFAULT);
}

static int
xg_intrng_attach(device_t dev)
{
	const void *fdt;
	int error;

	if (xg_pic_dev != NULL)
		return (ENXIO);
	fdt = xg_intrng_fdt_blob();
	if (fdt == NULL) {
		device_printf(dev, "no device-tree blob\n");
		return (ENXIO);
	}
	xg_pic_dev = dev;
	xg_pic_xref = OF_xref_from_node(ofw_bus_get_node(dev));
	if (intr_pic_register(dev, xg_pic_xref) == NULL) {
		xg_pic_dev = NULL;
		return (ENXIO);
	}
	/* xg_fbsd_start() calls xg_port_upcall_attach() above. */
	error = xg_fbsd_start(fdt, UINT_MAX, xg_intrng_create,
	    xg_intrng_reuse);
	if (error != 0) {
		/* The upcall goes; INTRNG cannot deregister a PIC, so that
		 * stays, without sources, and this device fails to attach. */
		if (xg_upcall_cookie != NULL)
			bus_teardown_intr(dev, xg_upcall_res, xg_upcall_cookie);
		if (xg_upcall_res != NULL)
			bus_release_resource(dev, SYS_RES_IRQ, 0,
			    xg_upcall_res);
		xg_upcall_cookie = NULL;
		xg_upcall_res = NULL;
		device_printf(dev, "xenguest bring-up failed: %d\n", error);
		return (error);
	}
	return (0);
}

static device_method_t xg_intrng_methods[] = {
	DEVMETHOD(device_probe,		xg_intrng_probe),
	DEVMETHOD(device_attach,	xg_intrng_attach),

	DEVMETHOD(pic_enable_intr,	xg_pic_enable_intr),
	DEVMETHOD(pic_disable_intr,	xg_pic_disable_intr),
	DEVMETHOD(pic_map_intr,		xg_pic_map_intr),
	DEVMETHOD(pic_post_filter,	xg_pic_post_filter),
	DEVMETHOD(pic_pre_ithread,	xg_pic_pre_ithread),
	DEVMETHOD(pic_post_ithread,	xg_pic_post_ithread),
	DEVMETHOD(pic_bind_intr,	xg_pic_bind_intr),
	DEVMETHOD(pic_init_secondary,	xg_pic_init_secondary),

	DEVMETHOD_END
};

static driver_t xg_intrng_driver = {
	"xenguest",
	xg_intrng_methods,
	0,
};

/* After the GIC (its interrupt parent), before any Xen device. */
#if __FreeBSD_version >= 1400058
EARLY_DRIVER_MODULE(xenguest, simplebus, xg_intrng_driver, 0, 0,
    BUS_PASS_INTERRUPT + BUS_PASS_ORDER_LATE);
EARLY_DRIVER_MODULE(xenguest, ofwbus, xg_intrng_driver, 0, 0,
    BUS_PASS_INTERRUPT + BUS_PASS_ORDER_LATE);
#else
static devclass_t xg_intrng_devclass;
EARLY_DRIVER_MODULE(xenguest, simplebus, xg_intrng_driver, xg_intrng_devclass,
    0, 0, BUS_PASS_INTERRUPT + BUS_PASS_ORDER_LATE);
EARLY_DRIVER_MODULE(xenguest, ofwbus, xg_intrng_driver, xg_intrng_devclass,
    0, 0, BUS_PASS_INTERRUPT + BUS_PASS_ORDER_LATE);
#endif
