/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Template port: every hook of include/xenguest/port.h with the least
 * code that compiles, and a comment saying what a real kernel does. It
 * is built in CI for each architecture so it never drifts from port.h.
 * ports/baremetal/ is a complete, running port to compare with.
 *
 * The template is single-CPU and has no allocator: it cannot run a guest
 * until the TODOs are filled in. It panics where pretending would hide a
 * missing piece.
 */
#include <stdarg.h>
#include <xenguest/error.h>
#include <xenguest/port.h>

/* ---- locks: take the kernel's spinlock with interrupts disabled ------ */

void xg_port_lock_init(xg_port_lock_t *lock)
{
	lock->word = 0;
}

xg_port_irqstate_t xg_port_lock(xg_port_lock_t *lock)
{
	/* TODO: save and disable local interrupts (arm64: mrs daif; msr
	 * daifset, #2), then spin on the lock with acquire ordering. */
	while (__atomic_exchange_n(&lock->word, 1, __ATOMIC_ACQUIRE) != 0)
		;
	return 0;
}

void xg_port_unlock(xg_port_lock_t *lock, xg_port_irqstate_t state)
{
	__atomic_store_n(&lock->word, 0, __ATOMIC_RELEASE);
	/* TODO: restore interrupts from @state. */
	(void)state;
}

/* ---- diagnostics -------------------------------------------------------- */

void xg_port_panic(const char *file, int line, const char *what)
{
	/* TODO: the kernel's panic("%s:%d: %s", file, line, what). */
	(void)file;
	(void)line;
	(void)what;
	for (;;)
		;
}

void xg_port_log(int level, const char *fmt, ...)
{
	/* TODO: vprintf to the kernel's console or log buffer; before the
	 * console is up, xg_console_write() reaches Xen's console. */
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	va_end(ap);
}

/* ---- CPUs ----------------------------------------------------------------- */

unsigned xg_port_cpu_self(void)
{
	return 0; /* TODO: the kernel's curcpu / smp_processor_id(). */
}

unsigned xg_port_cpu_count(void)
{
	return 1; /* TODO: mp_ncpus / the number of /cpus nodes. */
}

uint32_t xg_port_cpu_vcpu_id(unsigned cpu)
{
	/* TODO: arm64: the index of the CPU's /cpus node (Xen numbers
	 * vCPUs in that order); x86: xg_cpuid_probe() on that CPU, or its
	 * ACPI id. */
	return cpu;
}

/* ---- memory ----------------------------------------------------------- */

void *xg_port_page_alloc(size_t npages)
{
	/* TODO: zeroed, page-aligned, cacheable guest RAM (FreeBSD:
	 * kmem_malloc(npages * PAGE_SIZE, M_ZERO | M_WAITOK)). */
	(void)npages;
	return NULL;
}

void xg_port_page_free(void *va, size_t npages)
{
	(void)va;
	(void)npages;
	xg_port_panic(__FILE__, __LINE__, "template port has no allocator");
}

uint64_t xg_port_virt_to_gfn(const void *va)
{
	/* TODO: the guest-physical address >> 12 (FreeBSD: vtophys(va) >>
	 * PAGE_SHIFT when PAGE_SIZE is 4 KiB). Identity-mapped kernels can
	 * return the address itself >> 12. */
	return (uint64_t)(uintptr_t)va >> 12;
}

/* ---- grant tables ------------------------------------------------------- */

void *xg_port_gnttab_space_alloc(const struct xg_xen *xen, size_t nframes,
				 uint64_t *gfn)
{
	/* TODO: arm64: map xen->fdt.grant_region (it must hold @nframes
	 * frames) cacheable and return it with *gfn = base >> 12. x86: a
	 * range of the Xen platform PCI BAR or ballooned-out RAM frames. */
	(void)xen;
	(void)nframes;
	(void)gfn;
	return NULL;
}

void xg_port_gnttab_space_free(void *va, size_t nframes)
{
	(void)va;
	(void)nframes;
	xg_port_panic(__FILE__, __LINE__, "template port has no grant space");
}

/* ---- time, waiting, deferred work ------------------------------------------ */

uint64_t xg_port_time_ns(void)
{
	return 0; /* TODO: arm64 CNTVCT_EL0 scaled by CNTFRQ_EL0; x86 TSC. */
}

int xg_port_wait(const void *chan, bool (*done)(void *arg), void *arg,
		 uint64_t timeout_ns)
{
	/* A kernel without a scheduler can poll like this, with interrupts
	 * enabled so the upcall makes progress; a kernel with one sleeps on
	 * @chan (tsleep) and re-checks @done after each wakeup. */
	uint64_t end = xg_port_time_ns() + timeout_ns;

	(void)chan;
	while (!done(arg)) {
		if (timeout_ns != 0 && xg_port_time_ns() >= end)
			return XG_ETIMEDOUT;
	}
	return 0;
}

void xg_port_wakeup(const void *chan)
{
	(void)chan; /* TODO: wakeup(chan); nothing to do when polling. */
}

void xg_port_worker_kick(uint64_t delay_ns)
{
	/* TODO: schedule one run of xg_xen_run_work() in thread context
	 * (FreeBSD: taskqueue_enqueue_timeout; an RTOS: a work queue). */
	(void)delay_ns;
}

/* ---- the upcall interrupt ---------------------------------------------- */

int xg_port_upcall_attach(struct xg_upcall *up)
{
	/* TODO: arm64: install a handler for up->intid on every CPU's GIC
	 * redistributor that calls xg_evtchn_upcall(); x86: allocate an IDT
	 * vector, store it in up->vector, point it at the same handler. */
	(void)up;
	return XG_ENOSYS;
}

/* ---- interrupt sources ---------------------------------------------------- */

struct xg_isrc *xg_port_isrc_alloc(unsigned type, unsigned cpu,
				   const char *name)
{
	/* TODO: allocate (or take from a free list) the kernel's interrupt
	 * object with a struct xg_isrc member, register it with the
	 * interrupt framework under @name, return &obj->xg. */
	(void)type, (void)cpu, (void)name;
	return NULL;
}

void xg_port_isrc_release(struct xg_isrc *isrc)
{
	/* TODO: free the object around @isrc, or keep it for reuse when the
	 * framework cannot deregister sources. */
	(void)isrc;
	xg_port_panic(__FILE__, __LINE__, "template port has no sources");
}

void xg_port_upcall_raise(void)
{
	/* TODO: x86: self-IPI on the upcall vector; arm64: write the PPI's
	 * bit to this CPU's GICR_ISPENDR0. */
}
