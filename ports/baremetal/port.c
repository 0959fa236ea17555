// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * The xenguest port for this kernel: every xg_port_* hook of
 * include/xenguest/port.h on top of the kernel's own primitives, plus the
 * bring-up calls the kernel makes (xenguest_boot_init() on the boot CPU,
 * xenguest_cpu_init() on each secondary).
 *
 * Mapping of the contract onto the kernel:
 *   locks            spinlock.h spin_lock_irqsave()
 *   log, panic       kvprintf(), panic()
 *   CPUs             smp.c: index = /cpus node order = Xen vCPU id
 *   pages, gfn       page.c; identity map, so gfn = address >> 12
 *   grant frames     /hypervisor reg 0 (mapped Normal by mmu.c), else RAM
 *   time, wait       timer.c counter; pic.c cpu_wait_until() in WFI,
 *                    woken by the kick SGI
 *   worker kick      a pic.c deferred work item that runs xg_xen_run_work()
 *   upcall           a pic.c filter on the /hypervisor PPI, enabled on
 *                    every CPU; raise = set the PPI pending in the GICR
 *   interrupt srcs   a recycled pool of host objects embedding xg_isrc
 */
#include <xenguest/error.h>
#include <xenguest/gnttab.h>
#include <xenguest/intr.h>
#include <xenguest/port.h>

#include "gic.h"
#include "hypervisor.h"
#include "page.h"
#include "pic.h"
#include "bm_xenguest.h"
#include "smp.h"
#include "timer.h"
#include "xen_public.h"
#include <xen/event_channel.h>

/* The library's state: static storage, as core.h suggests for kernels. */
struct xg_xen xg_xen;
struct xg_evtchn xg_ev;
struct xg_gnttab xg_gt;
struct xg_cpu xg_cpus[MAX_CPUS];
struct xg_evtchn_cpu xg_ev_cpus[MAX_CPUS];

static struct work worker;          /* runs xg_xen_run_work() */
static uint32_t upcall_intid;       /* 0 until xg_port_upcall_attach() */
static unsigned long upcall_raises; /* statistics for the self-test */
static long isrcs_outstanding;
int xenguest_gnttab_v2_rc;          /* v2 asked for and refused: Xen's error */

/* ---- locks ---------------------------------------------------------- */

void xg_port_lock_init(xg_port_lock_t *lock)
{
	*lock = (spinlock_t)SPINLOCK_INIT;
}

xg_port_irqstate_t xg_port_lock(xg_port_lock_t *lock)
{
	return spin_lock_irqsave(lock);
}

void xg_port_unlock(xg_port_lock_t *lock, xg_port_irqstate_t state)
{
	spin_unlock_irqrestore(lock, state);
}

/* ---- diagnostics ---------------------------------------------------- */

void xg_port_panic(const char *file, int line, const char *what)
{
	panic("xenguest: %s:%d: %s", file, line, what);
}

void xg_port_log(int level, const char *fmt, ...)
{
	static const char tag[][7] = { "err", "warn", "notice", "info", "debug" };
	char msg[200];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	/* "#" keeps the line a TAP comment for run.sh. */
	kprintf("# [%s] %s\n", level >= 0 && level <= XG_LOG_DEBUG ? tag[level] : "?", msg);
}

/* ---- CPUs ------------------------------------------------------------- */

unsigned xg_port_cpu_self(void)
{
	return this_cpu()->index;
}

unsigned xg_port_cpu_count(void)
{
	return ncpus;
}

uint32_t xg_port_cpu_vcpu_id(unsigned cpu)
{
	return cpu; /* Xen numbers an arm guest's vCPUs in /cpus order */
}

/* ---- memory ----------------------------------------------------------- */

void *xg_port_page_alloc(size_t npages)
{
	return page_alloc(npages); /* zeroed, Normal cacheable RAM */
}

void xg_port_page_free(void *va, size_t npages)
{
	page_free(va, npages);
}

uint64_t xg_port_virt_to_gfn(const void *va)
{
	return (uintptr_t)va >> PAGE_SHIFT; /* identity map */
}

/* ---- grant frames ------------------------------------------------------ */

static bool grant_region_used;

void *xg_port_gnttab_space_alloc(const struct xg_xen *xen, size_t nframes, uint64_t *gfn)
{
	/* The range Xen suggests, from the library's own device-tree probe
	 * (mmu.c mapped it as Normal memory from the same /hypervisor reg). */
	const struct xg_range *r = &xen->fdt.grant_region;
	void *va;

	if (xen->have_fdt && !grant_region_used && (uint64_t)nframes * PAGE_SIZE <= r->size) {
		grant_region_used = true;
		*gfn = r->base >> PAGE_SHIFT;
		return (void *)(uintptr_t)r->base;
	}
	/* No /hypervisor node (plain dom0less domU): give up RAM pages. */
	va = page_alloc(nframes);
	if (va)
		*gfn = (uintptr_t)va >> PAGE_SHIFT;
	return va;
}

void xg_port_gnttab_space_free(void *va, size_t nframes)
{
	if (grant_region_used && (uintptr_t)va == xg_xen.fdt.grant_region.base) {
		grant_region_used = false;
		return;
	}
	/* RAM pages handed to grant frames are Xen's now (their gfns map
	 * Xen's frames or nothing): never reuse them. */
	(void)nframes;
}

/* ---- time, waiting, deferred work -------------------------------------- */

uint64_t xg_port_time_ns(void)
{
	return timer_ns();
}

int xg_port_wait(const void *chan, bool (*done)(void *arg), void *arg,
		 uint64_t timeout_ns)
{
	struct percpu *me = this_cpu();
	uint64_t deadline = timeout_ns ? timer_ticks() + timer_ns_to_ticks(timeout_ns) : 0;
	bool ok;

	KASSERT(irqs_enabled()); /* the upcall must be able to run */
	__atomic_store_n(&me->wait_chan, chan, __ATOMIC_RELEASE);
	/* Store wait_chan, then load the condition; the waker stores the
	 * condition, then loads wait_chan. Without a full barrier on both
	 * sides each may see the other's old value (a store-buffer race):
	 * no kick, and this CPU sleeps in WFI with the condition true. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ok = cpu_wait_until(done, arg, deadline);
	__atomic_store_n(&me->wait_chan, NULL, __ATOMIC_RELEASE);
	return ok ? 0 : XG_ETIMEDOUT;
}

void xg_port_wakeup(const void *chan)
{
	/* A waiter on this CPU re-checks when the interrupt we are in
	 * returns; one on another CPU sleeps in WFI and needs a kick. The
	 * fence pairs with xg_port_wait()'s: the caller's update of the
	 * condition is visible before we look for waiters. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < ncpus; i++) {
		if (i != this_cpu()->index &&
		    __atomic_load_n(&cpus[i].wait_chan, __ATOMIC_ACQUIRE) == chan)
			smp_kick(i);
	}
}

static void worker_fn(struct work *w)
{
	(void)w;
	xg_xen_run_work(&xg_xen);
}

void xg_port_worker_kick(uint64_t delay_ns)
{
	work_schedule(&worker, delay_ns);
}

/* ---- the upcall ---------------------------------------------------------- */

static void upcall_filter(uint32_t intid, void *arg)
{
	struct percpu *me = this_cpu();

	(void)intid;
	(void)arg;
	me->upcall_irqs++;
	xg_evtchn_upcall(&xg_ev);
	/* xg_intr_unbind() waits (xg_port_wait, no timeout) for a CPU inside
	 * the upcall to leave it, on that CPU's xg_evtchn_cpu.seq_, but the
	 * library signals nothing when the upcall ends: wake such a waiter
	 * here, or it sleeps until some other interrupt arrives. */
	xg_port_wakeup(&xg_ev_cpus[me->index].seq_);
}

int xg_port_upcall_attach(struct xg_upcall *up)
{
	int rc;

	if (up->kind != XG_UPCALL_PPI || up->intid < 16 || up->intid >= 32)
		return XG_EINVAL;
	rc = intr_register(up->intid, upcall_filter, NULL);
	if (rc)
		return rc == -EEXIST ? XG_EEXIST : XG_EINVAL;
	/* Enabled per CPU only after xg_intr_cpu_init() there (boot CPU:
	 * xenguest_boot_init(); others: xenguest_cpu_init()): registering
	 * vcpu_info makes Xen raise the upcall at once, and an upcall the
	 * library takes before that CPU is ready is dropped with
	 * evtchn_upcall_pending left set, after which Xen never raises it
	 * again. */
	upcall_intid = up->intid;
	return 0;
}

void xg_port_upcall_raise(void)
{
	if (upcall_intid) {
		gic_set_pending(upcall_intid);
		__atomic_fetch_add(&upcall_raises, 1, __ATOMIC_RELAXED);
	}
}

/* ---- interrupt sources ------------------------------------------------- */

#define ISRC_MAGIC 0x69737263 /* "isrc" */

/* The host's interrupt object: here just the library's part, a magic
 * to catch bad releases, and a free-list link. */
struct bm_isrc {
	struct xg_isrc isrc;
	uint32_t magic;
	struct bm_isrc *next_free;
};

static spinlock_t isrc_lock;
static struct bm_isrc *isrc_free;

/* Carve one page into objects for the free list. */
static bool isrc_refill(void)
{
	struct bm_isrc *objs = page_alloc(1);
	size_t n = PAGE_SIZE / sizeof(*objs);
	uint64_t flags;

	if (!objs)
		return false;
	flags = spin_lock_irqsave(&isrc_lock);
	for (size_t i = 0; i < n; i++) {
		objs[i].next_free = isrc_free;
		isrc_free = &objs[i];
	}
	spin_unlock_irqrestore(&isrc_lock, flags);
	return true;
}

struct xg_isrc *xg_port_isrc_alloc(unsigned type, unsigned cpu, const char *name)
{
	struct bm_isrc *h;
	uint64_t flags;

	(void)type;
	(void)cpu;
	(void)name;
	for (;;) {
		flags = spin_lock_irqsave(&isrc_lock);
		h = isrc_free;
		if (h)
			isrc_free = h->next_free;
		spin_unlock_irqrestore(&isrc_lock, flags);
		if (h)
			break;
		if (!isrc_refill())
			return NULL;
	}
	memset(h, 0, sizeof(*h));
	h->magic = ISRC_MAGIC;
	__atomic_fetch_add(&isrcs_outstanding, 1, __ATOMIC_RELAXED);
	return &h->isrc;
}

void xg_port_isrc_release(struct xg_isrc *isrc)
{
	struct bm_isrc *h = (struct bm_isrc *)(void *)((char *)isrc - offsetof(struct bm_isrc, isrc));
	uint64_t flags;

	if (h->magic != ISRC_MAGIC)
		panic("xg_port_isrc_release(%p): not a source from xg_port_isrc_alloc()", isrc);
	h->magic = 0;
	__atomic_fetch_sub(&isrcs_outstanding, 1, __ATOMIC_RELAXED);
	flags = spin_lock_irqsave(&isrc_lock);
	h->next_free = isrc_free;
	isrc_free = h;
	spin_unlock_irqrestore(&isrc_lock, flags);
}

/* Diagnostics for a test that timed out waiting for an event: what the
 * upcall sees on this CPU (Xen's flags, the GIC's view of the PPI). */
void xenguest_dump_cpu(const char *why)
{
	unsigned cpu = this_cpu()->index;
	const struct vcpu_info *vi = xg_cpus[cpu].vcpu_info;
	const struct evtchn_fifo_control_block *cb = xg_ev_cpus[cpu].fifo_cb_;
	uint32_t pend, act, en;

	gic_ppi_state(&pend, &act, &en);
	kprintf("# cpu %u state (%s): upcall_pending %u, fifo ready %#x, "
		"upcalls %lu, PPI %u pending %u active %u enabled %u, irqs %s\n",
		cpu, why, vi ? vi->evtchn_upcall_pending : 0,
		cb ? cb->ready : 0, xg_ev_cpus[cpu].upcalls, upcall_intid,
		(pend >> upcall_intid) & 1, (act >> upcall_intid) & 1, (en >> upcall_intid) & 1,
		irqs_enabled() ? "on" : "off");
}

/* Diagnostics for an event that never arrived: where the port stands
 * (pending, masked, which CPU the library and Xen deliver it to) and
 * each CPU's upcall flags as Xen left them. */
void xenguest_dump_port(uint32_t port)
{
	struct xg_evtchn_status st = { 0 };
	int rc = xg_evtchn_status(&xg_ev, port, &st);
	const struct xg_isrc *is = xg_intr_lookup(&xg_ev, port);
	const struct shared_info *si = xg_xen.shared_info;
	unsigned w = port / 64, b = port % 64;

	uint32_t word = 0;

	if (xg_ev.abi == XG_EVTCHN_ABI_FIFO && port / 1024 < xg_ev.fifo_npages_)
		word = ((volatile uint32_t *)xg_ev.fifo_pages_[port / 1024])[port % 1024];
	kprintf("# port %u: pending %d, %s, event word %#x, library cpu %d, Xen vcpu %u "
		"(status rc %d state %u)\n",
		port, xg_evtchn_is_pending(&xg_ev, port),
		xg_ev.abi == XG_EVTCHN_ABI_FIFO ? "FIFO"
		: (si->evtchn_mask[w] >> b) & 1 ? "2L masked" : "2L unmasked",
		word, is ? is->cpu : -1, st.vcpu, rc, st.state);
	for (unsigned i = 0; i < ncpus; i++) {
		const struct vcpu_info *vi = xg_cpus[i].vcpu_info;

		const struct evtchn_fifo_control_block *cb = xg_ev_cpus[i].fifo_cb_;

		if (vi)
			kprintf("#   cpu %u: upcall_pending %u, pending_sel %#lx, fifo ready %#x "
				"head[7] %u, upcalls %lu, upcall PPIs %lu\n",
				i, vi->evtchn_upcall_pending, (unsigned long)vi->evtchn_pending_sel,
				cb ? cb->ready : 0, cb ? cb->head[7] : 0, xg_ev_cpus[i].upcalls,
				cpus[i].upcall_irqs);
	}
}

unsigned long xenguest_upcall_raises(void)
{
	return __atomic_load_n(&upcall_raises, __ATOMIC_RELAXED);
}

long xenguest_isrcs_outstanding(void)
{
	return __atomic_load_n(&isrcs_outstanding, __ATOMIC_RELAXED);
}

/* ---- bring-up ---------------------------------------------------------------- */

int xenguest_boot_init(const void *fdt, const struct xg_evtchn_config *cfg,
		       const struct xg_gnttab_config *gcfg)
{
	struct xg_xen_config xcfg = { .fdt = fdt };
	int rc;

	work_init(&worker, worker_fn);
	rc = xg_xen_init(&xg_xen, xg_cpus, ncpus, &xcfg);
	if (rc)
		return rc;
	rc = xg_evtchn_init(&xg_ev, &xg_xen, xg_ev_cpus, cfg);
	if (rc)
		return rc;
	rc = xg_intr_cpu_init(&xg_ev);
	if (rc)
		return rc;
	intr_enable(upcall_intid); /* now the upcall may run on this CPU */
	/* The grant table last: its frames go to the /hypervisor region,
	 * which the library found in the device tree above. */
	rc = xg_gnttab_init(&xg_gt, &xg_xen, gcfg);
	if (rc == XG_ENOSYS && gcfg && gcfg->version == 2) {
		/* Xen on arm has no grant table v2 (disabled by XSA-268):
		 * GNTTABOP_set_version says ENOSYS. Carry on with v1. */
		struct xg_gnttab_config v1 = *gcfg;

		xenguest_gnttab_v2_rc = rc;
		v1.version = 1;
		rc = xg_gnttab_init(&xg_gt, &xg_xen, &v1);
	}
	return rc;
}

int xenguest_cpu_init(void)
{
	int rc;

	if (!upcall_intid)
		return XG_ENODEV; /* the boot CPU did not bring xenguest up */
	/* Registers this CPU's vcpu_info (and FIFO control block). Only
	 * then may the upcall run here: Xen may have it pending already. */
	rc = xg_intr_cpu_init(&xg_ev);
	if (rc == 0)
		intr_enable(upcall_intid);
	return rc;
}
