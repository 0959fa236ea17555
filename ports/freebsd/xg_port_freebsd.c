/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * FreeBSD port: the library instance, its bring-up, and the port hooks
 * that do not depend on the interrupt framework (locks, log, CPUs, pages,
 * grant space, time, waiting, deferred work). The interrupt-source and
 * upcall hooks are in xg_intrng_arm64.c or xg_intr_x86.c.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/bus.h>
#include <sys/callout.h>
#include <sys/errno.h>
#include <sys/kernel.h>
#include <sys/lock.h>
#include <sys/malloc.h>
#include <sys/mutex.h>
#include <sys/pcpu.h>
#include <sys/proc.h>
#include <sys/sched.h>
#include <sys/sleepqueue.h>
#include <sys/smp.h>
#include <sys/taskqueue.h>
#include <sys/time.h>

#include <vm/vm.h>
#include <vm/pmap.h>

#include <machine/stdarg.h>

#include <xenguest/error.h>

#include "xg_freebsd.h"

MALLOC_DEFINE(M_XENGUEST, "xenguest", "Xen guest library (xenguest)");

#define XG_FBSD_XEN_PAGE 4096u /* Xen's page, whatever PAGE_SIZE is */

/* xg_fbsd_glue.c translates errors with these numbers (no FreeBSD
 * header there); check them against the tree being built. */
_Static_assert(XG_FBSD_EDEADLK == EDEADLK && XG_FBSD_EAGAIN == EAGAIN &&
    XG_FBSD_EOPNOTSUPP == EOPNOTSUPP && XG_FBSD_EADDRINUSE == EADDRINUSE &&
    XG_FBSD_ENOBUFS == ENOBUFS && XG_FBSD_ETIMEDOUT == ETIMEDOUT &&
    XG_FBSD_ENAMETOOLONG == ENAMETOOLONG &&
    XG_FBSD_ENOTEMPTY == ENOTEMPTY && XG_FBSD_ENOLCK == ENOLCK &&
    XG_FBSD_ENOSYS == ENOSYS && XG_FBSD_EOVERFLOW == EOVERFLOW &&
    XG_FBSD_EILSEQ == EILSEQ && XG_FBSD_EBADMSG == EBADMSG &&
    XG_FBSD_EIO == EIO && ERANGE == 34 && EPERM == 1,
    "FreeBSD errno numbers differ from xg_fbsd_glue.h");

struct xg_xen xg_fbsd_xen;
struct xg_evtchn xg_fbsd_ev;
struct xg_fbsd_glue xg_fbsd_glue;

static struct xg_cpu *xg_fbsd_cpus;
static struct xg_evtchn_cpu *xg_fbsd_ecpus;
static uint8_t xg_fbsd_owed[MAXCPU];
static bool xg_fbsd_up;

/* ---- locks and diagnostics ---------------------------------------------- */

void
xg_port_lock_init(xg_port_lock_t *lock)
{
	mtx_init(lock, "xenguest", NULL, MTX_SPIN);
}

xg_port_irqstate_t
xg_port_lock(xg_port_lock_t *lock)
{
	mtx_lock_spin(lock);
	return (0);
}

void
xg_port_unlock(xg_port_lock_t *lock, xg_port_irqstate_t state)
{
	(void)state;
	mtx_unlock_spin(lock);
}

void
xg_port_panic(const char *file, int line, const char *what)
{
	panic("xenguest: %s:%d: %s", file, line, what);
}

void
xg_port_log(int level, const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	if (level > (bootverbose ? XG_LOG_DEBUG : XG_LOG_NOTICE))
		return;
	/* One printf per message, so CPUs do not interleave fragments. */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("xenguest: %s", buf);
}

/* ---- CPUs --------------------------------------------------------------- */

unsigned
xg_port_cpu_self(void)
{
	return (curcpu);
}

unsigned
xg_port_cpu_count(void)
{
	return (mp_maxid + 1);
}

uint32_t
xg_port_cpu_vcpu_id(unsigned cpu)
{
#if defined(__aarch64__) && __FreeBSD_version >= 1400000
	/* Xen gives vCPU n the MPIDR Aff0 = n[3:0], Aff1 = n[11:4],
	 * Aff2 = n[19:12], Aff3 = n[27:20]; invert that. */
	uint64_t mpidr = pcpu_find(cpu)->pc_mpidr;

	return ((uint32_t)((mpidr & 0xf) | ((mpidr >> 8) & 0xff) << 4 |
	    ((mpidr >> 16) & 0xff) << 12 | ((mpidr >> 32) & 0xff) << 20));
#elif defined(__amd64__) || defined(__i386__)
	/* Xen's MADT numbers processors by vCPU id. */
	return (pcpu_find(cpu)->pc_acpi_id);
#else
	/* Trees without pc_mpidr: CPUs are numbered in /cpus order, which
	 * is Xen's vCPU order. */
	return (cpu);
#endif
}

/* ---- memory ------------------------------------------------------------- */

void *
xg_port_page_alloc(size_t npages)
{
	/* Wired, page-aligned, translatable with vtophys(). */
	return (contigmalloc(npages * XG_FBSD_XEN_PAGE, M_XENGUEST,
	    M_WAITOK | M_ZERO, 0, ~(vm_paddr_t)0, PAGE_SIZE, 0));
}

void
xg_port_page_free(void *va, size_t npages)
{
	contigfree(va, npages * XG_FBSD_XEN_PAGE, M_XENGUEST);
}

uint64_t
xg_port_virt_to_gfn(const void *va)
{
	return ((uint64_t)vtophys(va) / XG_FBSD_XEN_PAGE);
}

void *
xg_port_gnttab_space_alloc(const struct xg_xen *xen, size_t nframes,
    uint64_t *gfn)
{
	size_t size = nframes * XG_FBSD_XEN_PAGE;
#if defined(__aarch64__)
	const struct xg_range *r = &xen->fdt.grant_region;

	if (!xen->have_fdt || r->size < size)
		return (NULL);
	*gfn = r->base / XG_FBSD_XEN_PAGE;
	return (pmap_mapdev_attr(r->base, size, VM_MEMATTR_WRITE_BACK));
#else
	void *va;

	/* No grant region on x86: give up RAM pages for the frames. */
	(void)xen;
	va = contigmalloc(size, M_XENGUEST, M_WAITOK | M_ZERO, 0,
	    ~(vm_paddr_t)0, PAGE_SIZE, 0);
	if (va != NULL)
		*gfn = vtophys(va) / XG_FBSD_XEN_PAGE;
	return (va);
#endif
}

void
xg_port_gnttab_space_free(void *va, size_t nframes)
{
#if defined(__aarch64__)
#if __FreeBSD_version >= 1400000
	pmap_unmapdev(va, nframes * XG_FBSD_XEN_PAGE);
#else
	pmap_unmapdev((vm_offset_t)va, nframes * XG_FBSD_XEN_PAGE);
#endif
#else
	/*
	 * The RAM behind these frames went to Xen when grant frames were
	 * placed there; the pages cannot go back to the VM system, so they
	 * stay allocated (this runs only at shutdown or failed init).
	 */
	(void)va;
	(void)nframes;
#endif
}

/* ---- time, waiting ------------------------------------------------------ */

uint64_t
xg_port_time_ns(void)
{
	return ((uint64_t)sbttons(sbinuptime()));
}

int
xg_port_wait(const void *chan, bool (*done)(void *arg), void *arg,
    uint64_t timeout_ns)
{
	void *wchan = __DECONST(void *, chan);
	sbintime_t deadline;

	deadline = sbinuptime() + nstosbt((int64_t)timeout_ns);
	for (;;) {
		if (cold || SCHEDULER_STOPPED()) {
			/* No scheduler yet (or any more): poll. */
			if (done(arg))
				return (0);
			if (timeout_ns != 0 && sbinuptime() >= deadline)
				return (XG_ETIMEDOUT);
			DELAY(10);
			continue;
		}
		/* done() is checked under the sleep queue's lock, which
		 * wakeup() takes too: a wakeup cannot fall in between. */
		sleepq_lock(wchan);
		if (done(arg)) {
			sleepq_release(wchan);
			return (0);
		}
		if (timeout_ns != 0 && sbinuptime() >= deadline) {
			sleepq_release(wchan);
			return (XG_ETIMEDOUT);
		}
		sleepq_add(wchan, NULL, "xgwait", SLEEPQ_SLEEP, 0);
		if (timeout_ns != 0) {
			sleepq_set_timeout_sbt(wchan, deadline, 0, C_ABSOLUTE);
			(void)sleepq_timedwait(wchan, 0);
		} else {
			sleepq_wait(wchan, 0);
		}
	}
}

void
xg_port_wakeup(const void *chan)
{
	wakeup(__DECONST(void *, chan));
}

/* ---- deferred work ------------------------------------------------------ */

/*
 * A kick may come from the upcall, where only spin locks are allowed: it
 * arms a callout (spin-locked) for the earliest time asked for; the
 * callout, in the softclock thread, queues the task that calls
 * xg_xen_run_work() in thread context.
 */
static struct mtx xg_fbsd_work_mtx;
static struct callout xg_fbsd_work_callout;
static struct task xg_fbsd_work_task;
static sbintime_t xg_fbsd_work_due; /* 0: callout not armed */

static void
xg_fbsd_work_run(void *arg, int pending)
{
	(void)arg;
	(void)pending;
	xg_xen_run_work(&xg_fbsd_xen);
}

static void
xg_fbsd_work_fire(void *arg)
{
	(void)arg;
	mtx_lock_spin(&xg_fbsd_work_mtx);
	xg_fbsd_work_due = 0;
	mtx_unlock_spin(&xg_fbsd_work_mtx);
	taskqueue_enqueue(taskqueue_thread, &xg_fbsd_work_task);
}

void
xg_port_worker_kick(uint64_t delay_ns)
{
	sbintime_t due = sbinuptime() + nstosbt((int64_t)delay_ns);

	mtx_lock_spin(&xg_fbsd_work_mtx);
	if (xg_fbsd_work_due == 0 || due < xg_fbsd_work_due) {
		xg_fbsd_work_due = due;
		callout_reset_sbt(&xg_fbsd_work_callout, due, 0,
		    xg_fbsd_work_fire, NULL, C_ABSOLUTE);
	}
	mtx_unlock_spin(&xg_fbsd_work_mtx);
}

/* ---- bring-up ----------------------------------------------------------- */

bool
xg_fbsd_started(void)
{
	return (xg_fbsd_up);
}

int
xg_fbsd_start(const void *fdt, unsigned limit, xg_fbsd_create_fn *create,
    xg_fbsd_reuse_fn *reuse)
{
	struct xg_xen_config cfg = { .fdt = fdt };
	unsigned ncpus = mp_maxid + 1;
	int rc;

	mtx_init(&xg_fbsd_work_mtx, "xenguest work", NULL, MTX_SPIN);
	callout_init(&xg_fbsd_work_callout, 1);
	TASK_INIT(&xg_fbsd_work_task, 0, xg_fbsd_work_run, NULL);

	xg_fbsd_cpus = malloc(ncpus * sizeof(*xg_fbsd_cpus), M_XENGUEST,
	    M_WAITOK | M_ZERO);
	xg_fbsd_ecpus = malloc(ncpus * sizeof(*xg_fbsd_ecpus), M_XENGUEST,
	    M_WAITOK | M_ZERO);
	xg_fbsd_glue_init(&xg_fbsd_glue, &xg_fbsd_ev, limit, create, reuse,
	    xg_fbsd_owed, ncpus);

	/* Everything below runs on the boot CPU. */
	sched_pin();
	rc = xg_xen_init(&xg_fbsd_xen, xg_fbsd_cpus, ncpus, &cfg);
	if (rc == 0) {
		/* A failed xg_evtchn_init() leaves nothing to undo. */
		rc = xg_evtchn_init(&xg_fbsd_ev, &xg_fbsd_xen, xg_fbsd_ecpus,
		    NULL);
		if (rc == 0) {
			rc = xg_intr_cpu_init(&xg_fbsd_ev);
			if (rc != 0)
				xg_evtchn_fini(&xg_fbsd_ev);
		}
		if (rc != 0)
			xg_xen_fini(&xg_fbsd_xen);
	}
	sched_unpin();
	if (rc != 0) {
		free(xg_fbsd_ecpus, M_XENGUEST);
		free(xg_fbsd_cpus, M_XENGUEST);
		printf("xenguest: bring-up failed: %d\n", rc);
		return (xg_fbsd_errno(rc));
	}
	xg_fbsd_up = true;
	return (0);
}

/*
 * The other CPUs, once SMP runs. xg_intr_cpu_init() allocates (FIFO
 * control block, table leaves, per-CPU sources), which the AP start-up
 * path (interrupts off, idle thread) must not do; so this thread binds
 * itself to each CPU in turn and runs it there. On INTRNG the PIC's
 * pic_init_secondary has already registered the CPU's vcpu_info.
 */
static void
xg_fbsd_cpus_init(void *arg)
{
	struct thread *td = curthread;
	int cpu, rc;

	(void)arg;
	if (!xg_fbsd_up || !smp_started)
		return;
	CPU_FOREACH(cpu) {
		thread_lock(td);
		sched_bind(td, cpu);
		thread_unlock(td);
		rc = xg_intr_cpu_init(&xg_fbsd_ev);
		if (rc != 0)
			printf("xenguest: cpu%d: per-CPU init failed: %d\n",
			    cpu, rc);
	}
	thread_lock(td);
	sched_unbind(td);
	thread_unlock(td);
}
SYSINIT(xg_fbsd_cpus_init, SI_SUB_SMP, SI_ORDER_ANY, xg_fbsd_cpus_init, NULL);
