/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/**
 * DOC: the port contract
 *
 * This header is the whole contract between xenguest and the host kernel
 * it is vendored into. It has two sections:
 *
 * 1. IMPLEMENTED BY THE PORT: the xg_port_* functions below, plus a small
 *    header named by XG_PORT_TYPES_HEADER (default "xg_port_types.h",
 *    found on the include path) that defines two types:
 *
 *      xg_port_lock_t      an interrupt-safe spinlock
 *      xg_port_irqstate_t  the saved interrupt state xg_port_lock() returns
 *
 *    ports/template/ is a compilable skeleton with comments;
 *    ports/hosted/ (POSIX threads, used by the tests) and
 *    ports/baremetal/ (arm64, runs under real Xen) are complete examples.
 *
 * 2. CALLED BY THE PORT: the entry points the port wires into its upcall
 *    interrupt, its CPU bring-up and its deferred-work thread.
 *
 * The library calls no other host function, except mem* and str*
 * (memcpy, memset, memcmp, memmove, memchr, strlen, strnlen, strchr,
 * strrchr, strtoul: what a freestanding C compiler and libfdt expect) and
 * libfdt's fdt_*.
 *
 * Contexts used in this contract and in every "Context:" line:
 *   any        thread or interrupt context, interrupts on or off
 *   interrupt  the upcall interrupt handler (or code it calls)
 *   thread     may sleep or spin-wait; never called with a library lock held
 */
#ifndef XENGUEST_PORT_H
#define XENGUEST_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenguest/config.h>

#ifndef XG_PORT_TYPES_HEADER
#define XG_PORT_TYPES_HEADER "xg_port_types.h"
#endif
#include XG_PORT_TYPES_HEADER

#if defined(__GNUC__) || defined(__clang__)
#define XG_NORETURN __attribute__((noreturn))
#define XG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define XG_NORETURN
#define XG_PRINTF(f, a)
#endif

/* Log levels for xg_port_log(); XG_CONFIG_LOG_LEVEL caps what is built. */
#define XG_LOG_ERR    0 /* something failed that the caller will see */
#define XG_LOG_WARN   1 /* a peer misbehaved, a resource ran short */
#define XG_LOG_NOTICE 2 /* one-off facts: Xen version, ABI chosen */
#define XG_LOG_INFO   3 /* per-object events: port bound, frame mapped */
#define XG_LOG_DEBUG  4 /* tracing */

struct xg_xen;

/* ===================================================================== */
/* 1. IMPLEMENTED BY THE PORT                                            */
/* ===================================================================== */

/* ---- Locks ---------------------------------------------------------- */

/**
 * xg_port_lock_init() - initialise a spinlock to the unlocked state
 * @lock: storage inside a library object
 *
 * Context: thread.
 */
void xg_port_lock_init(xg_port_lock_t *lock);

/**
 * xg_port_lock() - disable local interrupts, then take the spinlock
 * @lock: the lock
 *
 * The library holds these locks only for short, bounded sections and
 * never sleeps or calls a blocking port hook while holding one. It may
 * take them from the upcall handler, so they must exclude interrupts on
 * the local CPU (FreeBSD: a spin mutex; Linux-style: spin_lock_irqsave).
 * Nesting follows the lock order in docs/design.md.
 *
 * Returns: the interrupt state to hand back to xg_port_unlock().
 * Context: any.
 */
xg_port_irqstate_t xg_port_lock(xg_port_lock_t *lock);

/**
 * xg_port_unlock() - release the spinlock, then restore interrupts
 * @lock: a lock taken by this CPU with xg_port_lock()
 * @state: what that xg_port_lock() returned
 *
 * Context: any.
 */
void xg_port_unlock(xg_port_lock_t *lock, xg_port_irqstate_t state);

/* ---- Diagnostics ---------------------------------------------------- */

/**
 * xg_port_panic() - a library invariant is broken; do not return
 * @file: source file of the failed check
 * @line: its line
 * @what: the failed expression or a short reason
 *
 * Called only for caller bugs (XG_CONFIG_ASSERT) and never for anything a
 * peer domain controls.
 *
 * Context: any.
 */
XG_NORETURN void xg_port_panic(const char *file, int line, const char *what);

/**
 * xg_port_log() - print a diagnostic
 * @level: XG_LOG_*
 * @fmt: printf format; the library uses only %s %c %d %u %x %p with the
 *       l, ll and z length modifiers, and no field widths beyond %08x
 *
 * Context: any. Must not take a library lock or sleep.
 */
XG_PRINTF(2, 3) void xg_port_log(int level, const char *fmt, ...);

/* ---- CPUs ----------------------------------------------------------- */

/**
 * xg_port_cpu_self() - index of the CPU running the caller
 *
 * Returns: 0 .. xg_port_cpu_count() - 1; the same numbering indexes the
 * per-CPU arrays the host passes to the library.
 * Context: any; the caller has preemption or interrupts disabled when the
 * answer must stay true (the library ensures this where it matters).
 */
unsigned xg_port_cpu_self(void);

/**
 * xg_port_cpu_count() - number of CPUs the host may bring up
 *
 * Returns: at least 1; constant after boot.
 * Context: any.
 */
unsigned xg_port_cpu_count(void);

/**
 * xg_port_cpu_vcpu_id() - Xen's vCPU id for a host CPU index
 * @cpu: host CPU index
 *
 * On arm64 Xen numbers vCPUs in the order of the /cpus nodes (MPIDR
 * Aff0 for QEMU's virt machine); on x86 it is the ACPI id or the value of
 * CPUID leaf base+4 EBX (see xg_cpuid_probe()).
 *
 * Returns: the vCPU id used in VCPUOP_* and EVTCHNOP_bind_* calls.
 * Context: any.
 */
uint32_t xg_port_cpu_vcpu_id(unsigned cpu);

/* ---- Memory --------------------------------------------------------- */

/**
 * xg_port_page_alloc() - allocate zeroed guest pages
 * @npages: number of 4 KiB pages, virtually contiguous
 *
 * Used for pages Xen shares with the guest (shared_info, vcpu_info,
 * grant frames, FIFO control blocks and event arrays, xenstore rings) and
 * for the library's own growing tables. The memory must be ordinary
 * cacheable RAM (atomics are used on it) and each page must be
 * translatable with xg_port_virt_to_gfn().
 *
 * Returns: a page-aligned pointer, or NULL when memory is short.
 * Context: thread; never called with a library lock held.
 */
void *xg_port_page_alloc(size_t npages);

/**
 * xg_port_page_free() - free pages from xg_port_page_alloc()
 * @va: what xg_port_page_alloc() returned
 * @npages: the same count
 *
 * Context: thread; never called with a library lock held.
 */
void xg_port_page_free(void *va, size_t npages);

/**
 * xg_port_virt_to_gfn() - guest frame number of a page of guest memory
 * @va: any address inside a page from xg_port_page_alloc() or other
 *      guest RAM the caller wants to share (grant)
 *
 * A gfn is the guest-physical address divided by 4096 (XEN_PAGE_SHIFT is
 * 12 on every architecture, whatever the host's page size).
 *
 * Returns: the gfn.
 * Context: any.
 */
uint64_t xg_port_virt_to_gfn(const void *va);

/* ---- Grant tables ----------------------------------------------------- */

/*
 * Grant frames are Xen's pages that XENMEM_add_to_physmap places at
 * guest-physical addresses the guest picks; whatever RAM was there is
 * given up. Foreign mappings made by a backend (xg_gnttab_map()) also
 * need guest-physical space without RAM behind it:
 *
 *   arm64  the device tree's first /hypervisor reg range
 *          (struct xg_fdt_info.grant_region) is for grant frames; the
 *          other ranges (xg_fdt_info.ext_regions) are free address space
 *          for foreign mappings. The port maps them cacheable in its MMU.
 *   x86    HVM/PVH has no such region: use an unused range such as the
 *          Xen platform PCI device's memory BAR, or RAM pages whose
 *          frames were released to Xen (XENMEM_decrease_reservation).
 *          Using ordinary pages from xg_port_page_alloc() works but costs
 *          that RAM for good.
 */

/**
 * xg_port_gnttab_space_alloc() - guest-physical space for grant frames
 * @xen: the instance (arm64: @xen->fdt.grant_region is the range to use)
 * @nframes: 4 KiB frames needed (the most the table may grow to; for
 *           grant table v2 this includes the status frames)
 * @gfn: out: the first gfn of @nframes contiguous guest frames
 *
 * The library maps grant frames there one by one as the table grows,
 * and reads and writes them through the returned address.
 *
 * Returns: a virtual address mapping the range (cacheable, writable), or
 * NULL if there is not enough space.
 * Context: thread; never called with a library lock held.
 */
void *xg_port_gnttab_space_alloc(const struct xg_xen *xen, size_t nframes,
				 uint64_t *gfn);

/**
 * xg_port_gnttab_space_free() - give back what the alloc hook returned
 * @va: the address it returned
 * @nframes: the same count
 *
 * Called only by xg_gnttab_fini() (tests, shutdown) and on init failure.
 *
 * Context: thread; never called with a library lock held.
 */
void xg_port_gnttab_space_free(void *va, size_t nframes);

/* ---- Time, waiting and deferred work --------------------------------- */

/**
 * xg_port_time_ns() - monotonic time in nanoseconds
 *
 * Used for timeouts and back-off; resolution of a millisecond is enough.
 *
 * Context: any.
 */
uint64_t xg_port_time_ns(void);

/**
 * xg_port_wait() - wait until a condition holds or time runs out
 * @chan: identifies what is waited for; xg_port_wakeup(chan) is called
 *        whenever the condition may have become true
 * @done: the condition; cheap, may be called any number of times, from
 *        this thread only
 * @arg: passed to @done
 * @timeout_ns: relative timeout; 0 means wait forever
 *
 * A kernel with a scheduler sleeps on @chan (BSD tsleep/wakeup). A kernel
 * without one may poll: loop calling @done, letting interrupts in (the
 * upcall advances the library) until it is true or time is up.
 *
 * Returns: 0 when @done returned true; XG_ETIMEDOUT otherwise.
 * Context: thread.
 */
int xg_port_wait(const void *chan, bool (*done)(void *arg), void *arg,
		 uint64_t timeout_ns);

/**
 * xg_port_wakeup() - wake the waiters of a channel
 * @chan: as passed to xg_port_wait()
 *
 * Context: any, including interrupt.
 */
void xg_port_wakeup(const void *chan);

/**
 * xg_port_worker_kick() - ask for xg_xen_run_work() to run soon
 * @delay_ns: run it no sooner than this from now; 0 = as soon as possible
 *
 * The library queues its own deferred work (xenstore watch callbacks,
 * retries of grant references a peer still maps) on the struct xg_xen
 * and asks the port for one thread-context call of xg_xen_run_work().
 * Kicks may coalesce: several kicks before the call need only one call,
 * at the earliest requested time.
 *
 * Context: any, including interrupt.
 */
void xg_port_worker_kick(uint64_t delay_ns);

/* ---- The upcall interrupt -------------------------------------------- */

/* How Xen signals pending events to this guest. */
enum xg_upcall_kind {
	/* arm: a per-CPU GIC PPI, from the /hypervisor "interrupts"
	 * property. Xen 4.17 gives dom0 INTID 16 and domUs INTID 31. */
	XG_UPCALL_PPI = 1,
	/* x86 HVM/PVH: a per-vCPU IDT vector the port chooses
	 * (HVMOP_set_evtchn_upcall_vector). */
	XG_UPCALL_VECTOR = 2,
};

struct xg_upcall {
	enum xg_upcall_kind kind;
	uint32_t intid;  /* XG_UPCALL_PPI: GIC INTID (16..31) */
	uint32_t flags;  /* XG_UPCALL_PPI: device-tree trigger flags cell */
	uint8_t vector;  /* XG_UPCALL_VECTOR: filled in by the port */
};

/**
 * xg_port_upcall_attach() - route Xen's upcall to the library
 * @up: the interrupt; for XG_UPCALL_VECTOR the port stores the IDT
 *      vector it dedicated in @up->vector
 *
 * The port installs a handler that calls xg_evtchn_upcall() on the CPU
 * that took the interrupt, and enables the interrupt on every CPU as it
 * comes up (a PPI is per CPU).
 *
 * Returns: 0, or an XG_E* code that the library passes back from init.
 * Context: thread.
 */
int xg_port_upcall_attach(struct xg_upcall *up);

/* ---- Interrupt sources ---------------------------------------------- */

struct xg_isrc;
struct xg_evtchn;

/**
 * xg_port_isrc_alloc() - get the host object for a new interrupt source
 * @type: enum xg_isrc_type (<xenguest/intr.h>)
 * @cpu: host CPU the source will be delivered on
 * @name: short name for interrupt statistics, or NULL
 *
 * The host allocates (or recycles) its own interrupt object with a
 * struct xg_isrc inside and returns a pointer to that member; the
 * library fills every field of it. This is where a host registers the
 * object with its PIC framework (FreeBSD INTRNG: intr_isrc_register()
 * on a struct intr_irqsrc beside the xg_isrc). The library calls it for
 * every bind and hands the object back through xg_port_isrc_release().
 *
 * Returns: the embedded struct xg_isrc, or NULL when memory is short.
 * Context: thread; never called with a library lock held.
 */
struct xg_isrc *xg_port_isrc_alloc(unsigned type, unsigned cpu,
				   const char *name);

/**
 * xg_port_isrc_release() - the library is done with a source
 * @isrc: what xg_port_isrc_alloc() returned
 *
 * The port is closed and no CPU dispatches the source any more. A host
 * whose framework cannot deregister sources (x86 FreeBSD, or INTRNG,
 * whose deregistration leaks the intr_event) keeps the object on a free
 * list for the next xg_port_isrc_alloc().
 *
 * Context: thread; never called with a library lock held.
 */
void xg_port_isrc_release(struct xg_isrc *isrc);

/**
 * xg_port_upcall_raise() - make the upcall interrupt pending on this CPU
 *
 * Used when an unmask finds an event pending on a port this CPU owns:
 * the library sets the selector and upcall bits itself, as Xen would,
 * and needs the upcall to run again without a hypercall. x86: a self-IPI
 * on the upcall vector; arm: set the PPI pending in the GIC
 * redistributor. A port whose upcall polls evtchn_upcall_pending may do
 * nothing. Never called from inside xg_evtchn_upcall() on this CPU.
 *
 * Context: any, with interrupts disabled.
 */
void xg_port_upcall_raise(void);

/* ===================================================================== */
/* 2. CALLED BY THE PORT                                                 */
/* ===================================================================== */

/**
 * xg_xen_cpu_init() - bring the library up on the calling CPU
 * @xen: the instance from xg_xen_init()
 *
 * Call on each secondary CPU, on that CPU, once it can take interrupts
 * but before it runs anything that uses Xen services. Registers the CPU's
 * vcpu_info (xg_xen_init() did it for the boot CPU).
 *
 * Returns: 0 or an XG_E* code from Xen.
 * Context: thread, on the CPU being brought up.
 * Locking: none held.
 */
int xg_xen_cpu_init(struct xg_xen *xen);

/**
 * xg_xen_run_work() - run the library's deferred work
 * @xen: the instance
 *
 * Call from thread context after xg_port_worker_kick(). Runs every item
 * queued so far; items queued while it runs kick the port again.
 *
 * Context: thread.
 * Locking: none held.
 */
void xg_xen_run_work(struct xg_xen *xen);

/**
 * xg_evtchn_upcall() - the event-channel upcall handler
 * @ev: the instance from xg_evtchn_init() (<xenguest/evtchn.h>)
 *
 * Call from the upcall interrupt (xg_port_upcall_attach()) on the CPU
 * that took it, with interrupts disabled. Drains this CPU's events and
 * runs their sources' handlers.
 *
 * Context: interrupt.
 * Locking: none held.
 */
void xg_evtchn_upcall(struct xg_evtchn *ev);

#endif /* XENGUEST_PORT_H */
