/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/**
 * DOC: core: detection, shared_info, per-vCPU setup, deferred work
 *
 * A host brings xenguest up in three steps:
 *
 *  1. xg_fdt_probe() (arm, from the device tree) or xg_cpuid_probe()
 *     (x86) tells whether this is Xen and where its resources are;
 *  2. xg_xen_init() on the boot CPU maps shared_info and registers the
 *     boot CPU's vcpu_info;
 *  3. xg_xen_cpu_init() on each secondary CPU as it comes up.
 *
 * All state lives in a struct xg_xen and a per-CPU array of struct
 * xg_cpu, both owned by the caller (static storage in a kernel is fine).
 * Fields are public only so that the caller can allocate them; treat
 * them as read-only.
 */
#ifndef XENGUEST_CORE_H
#define XENGUEST_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenguest/config.h>
#include <xenguest/port.h>

/* Extended regions recorded by xg_fdt_probe() (Xen 4.17 gives two). */
#define XG_FDT_MAX_EXT_REGIONS 8

/* A range of guest-physical address space. */
struct xg_range {
	uint64_t base;
	uint64_t size;
};

/* What the /hypervisor device-tree node says (arm). */
struct xg_fdt_info {
	int node;                    /* offset of the node in the blob */
	uint32_t version_major;      /* from "xen,xen-X.Y"; 0 if absent */
	uint32_t version_minor;
	struct xg_range grant_region; /* first reg range: grant frames go here */
	struct xg_range ext_regions[XG_FDT_MAX_EXT_REGIONS]; /* for foreign maps */
	unsigned ext_count;
	unsigned ext_dropped;        /* ranges beyond XG_FDT_MAX_EXT_REGIONS */
	bool have_irq;
	uint32_t evtchn_intid;       /* GIC INTID of the event upcall */
	uint32_t evtchn_irq_flags;   /* third interrupt cell (trigger type) */
};

/* A static shared-memory region Xen gave this domain (dom0less). */
struct xg_shmem {
	struct xg_range range;
	char id[32];                 /* "xen,id", NUL-terminated, may be "" */
};

/* What the Xen CPUID leaves say (x86). */
struct xg_cpuid_info {
	uint32_t base;               /* 0x40000000 + n * 0x100 */
	uint32_t max_leaf;           /* highest leaf of the Xen block */
	uint32_t version_major;
	uint32_t version_minor;
	uint32_t hypercall_pages;    /* pages of the classic hypercall page */
	uint32_t hypercall_msr;      /* MSR that installs it */
	bool have_vcpu_id;           /* leaf base+4 reports the vCPU id */
	uint32_t vcpu_id;            /* of the CPU that ran the probe */
};

/* Per-CPU core state; the host passes an array of these, one per CPU. */
struct xg_cpu {
	uint32_t vcpu_id;            /* Xen's id for this CPU */
	void *vcpu_info;             /* this CPU's registered struct vcpu_info */
	bool online;                 /* vcpu_info registered */
};

/* Deferred work item, run in thread context by xg_xen_run_work(). */
struct xg_work {
	void (*fn)(struct xg_work *w);
	struct xg_work *next_;       /* private */
	uint64_t due_ns_;            /* private: earliest run time */
	bool queued_;                /* private: true while on the queue */
};

/* Options for xg_xen_init(). */
struct xg_xen_config {
	/* Flattened device tree (arm), or NULL (x86 or no device tree). */
	const void *fdt;
};

/* One instance per guest: the root of the library's state. */
struct xg_xen {
	uint32_t version;            /* XENVER_version: major << 16 | minor */
	uint32_t features;           /* XENVER_get_features submap 0 */
	void *shared_info;           /* struct shared_info, mapped */
	struct xg_cpu *cpus;         /* caller's per-CPU array */
	unsigned ncpus;
	void *vcpu_info_pages;       /* vcpu_info slots, one per CPU */
	size_t vcpu_info_npages;
	struct xg_fdt_info fdt;      /* valid if have_fdt */
	bool have_fdt;
	xg_port_lock_t work_lock;    /* protects the work queue */
	struct xg_work *work_head_;  /* private: FIFO of deferred work */
	struct xg_work *work_tail_;
};

/**
 * xg_fdt_probe() - find Xen in a flattened device tree
 * @fdt: the blob the host booted with
 * @info: filled in on success
 *
 * Looks for the node compatible with "xen,xen" (normally /hypervisor),
 * parses the version from a "xen,xen-X.Y" compatible string, every reg
 * range (the first is where grant frames are mapped, the others are
 * extended regions usable for foreign mappings) and the event-channel
 * interrupt (a 3-cell GIC specifier; never assume the INTID). A dom0less
 * domU without xen,enhanced has no such node: that is XG_ENODEV, not an
 * error in the blob.
 *
 * Returns: 0; XG_ENODEV if the tree has no Xen node; XG_EINVAL if the blob
 * or the node is malformed (bad header, reg not a multiple of the cell
 * size, interrupts of the wrong shape).
 * Context: any. Locking: none.
 */
int xg_fdt_probe(const void *fdt, struct xg_fdt_info *info);

/**
 * xg_fdt_shared_mem() - list static shared-memory regions
 * @fdt: the blob
 * @out: array to fill
 * @max: its length
 *
 * Xen describes each "xen,shared-mem" region of a dom0less domain to the
 * guest as a node compatible with "xen,shared-memory-v1" (under
 * /reserved-memory) with its guest-physical reg and an "xen,id" string.
 *
 * Returns: the number of regions found (which may exceed @max: only @max
 * are stored), or XG_EINVAL for a malformed blob or region node.
 * Context: any. Locking: none.
 */
int xg_fdt_shared_mem(const void *fdt, struct xg_shmem *out, unsigned max);

/**
 * xg_cpuid_probe() - find Xen through CPUID (x86)
 * @info: filled in on success
 *
 * Scans leaves 0x40000000 to 0x40010000 in steps of 0x100 for the
 * "XenVMMXenVMM" signature with at least two more leaves (a hypervisor
 * such as Hyper-V may sit first and Xen later).
 *
 * Returns: 0; XG_ENODEV if there is no Xen signature or the CPU has no
 * CPUID (arm).
 * Context: any. Locking: none.
 */
int xg_cpuid_probe(struct xg_cpuid_info *info);

/**
 * xg_xen_init() - bring the library up on the boot CPU
 * @xen: caller-owned instance, zeroed or not; fully written here
 * @cpus: caller-owned per-CPU array of xg_port_cpu_count() entries
 * @ncpus: its length
 * @cfg: options; may be NULL
 *
 * Reads the version and feature flags, maps shared_info into a page
 * from xg_port_page_alloc() (XENMEM_add_to_physmap), allocates vcpu_info
 * slots for every CPU (arm has one legacy slot and x86 32, so the library
 * registers its own with VCPUOP_register_vcpu_info) and registers the
 * calling CPU's. With @cfg->fdt it also runs xg_fdt_probe() and keeps the
 * result in @xen->fdt.
 *
 * Returns: 0; XG_EINVAL for bad arguments; XG_ENODEV if the device tree
 * has no Xen node; XG_ENOMEM if the port gave no pages; or the XG_E* code
 * of the hypercall that failed. On failure everything is undone.
 * Context: thread, on the boot CPU.
 * Locking: none held.
 */
int xg_xen_init(struct xg_xen *xen, struct xg_cpu *cpus, unsigned ncpus,
		const struct xg_xen_config *cfg);

/**
 * xg_xen_fini() - undo xg_xen_init() for a clean shutdown or a test
 * @xen: the instance
 *
 * Frees the pages the library allocated. It cannot unregister vcpu_info
 * or unmap shared_info (Xen has no call for that), so use it only when
 * the domain is going away or in tests; kexec uses EVTCHNOP_reset etc.
 *
 * Context: thread. Locking: none held.
 */
void xg_xen_fini(struct xg_xen *xen);

/**
 * xg_xen_has_feature() - test a XENFEAT_* flag
 * @xen: an initialised instance
 * @feature: a XENFEAT_* number from xen/features.h (below 32)
 *
 * Returns: whether XENVER_get_features reported it.
 * Context: any. Locking: none.
 */
bool xg_xen_has_feature(const struct xg_xen *xen, unsigned feature);

/**
 * xg_xen_is_dom0() - is this the control domain?
 * @xen: an initialised instance
 *
 * Returns: true if XENVER_get_features reports XENFEAT_dom0.
 * Context: any. Locking: none.
 */
bool xg_xen_is_dom0(const struct xg_xen *xen);

/**
 * xg_xen_work_queue() - queue deferred work
 * @xen: the instance
 * @w: the item; @w->fn must be set. Queuing an item that is already
 *     queued does nothing (it runs once, at its first due time).
 * @delay_ns: run it no sooner than this from now; 0 = at the next
 *     xg_xen_run_work()
 *
 * The item runs in thread context from xg_xen_run_work(); it may queue
 * itself again (a retry with back-off).
 *
 * Context: any, including interrupt.
 * Locking: takes xen->work_lock.
 */
void xg_xen_work_queue(struct xg_xen *xen, struct xg_work *w,
		       uint64_t delay_ns);

/**
 * xg_console_write() - write to Xen's emergency console
 * @s: bytes to write
 * @len: how many
 *
 * CONSOLEIO_write: usable before anything else is set up. Xen prints
 * only a domain's first messages unless it runs with guest_loglvl=all or
 * the domain is dom0.
 *
 * Returns: 0 or the XG_E* code from Xen.
 * Context: any. Locking: none.
 */
int xg_console_write(const char *s, size_t len);

#endif /* XENGUEST_CORE_H */
