/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The kernel's view of Xen: the hypercall stubs (hypercall.S) and what
 * the device tree's /hypervisor node tells a guest.
 */
#ifndef BM_HYPERVISOR_H
#define BM_HYPERVISOR_H

#include "kernel.h"

/* hypercall.S */
long HYPERVISOR_console_io(int cmd, unsigned long count, const char *buf);
long HYPERVISOR_sched_op(int cmd, void *arg);
long HYPERVISOR_xen_version(int cmd, void *arg);
long HYPERVISOR_memory_op(unsigned long cmd, void *arg);
long HYPERVISOR_grant_table_op(unsigned long cmd, void *uop, unsigned long count);
long HYPERVISOR_event_channel_op(int cmd, void *arg);

/* A physical range (guest-physical: this kernel maps VA == PA). */
struct phys_range {
	uint64_t base;
	uint64_t size;
};

#define XEN_MAX_EXT_REGIONS 8

struct xen_info {
	bool present;          /* a /hypervisor node compatible "xen,xen" */
	bool is_dom0;          /* XENFEAT_dom0 */
	uint32_t version;      /* XENVER_version: major << 16 | minor */
	uint32_t features0;    /* XENVER_get_features submap 0 */
	/* From /hypervisor reg: where the grant table is meant to be mapped
	 * (XENMAPSPACE_grant_table) ... */
	struct phys_range grant_region;
	/* ... and unused guest-physical space for foreign mappings (the
	 * "extended regions"): mapping a peer's granted page needs a
	 * guest-physical address that RAM does not use. */
	struct phys_range ext[XEN_MAX_EXT_REGIONS];
	unsigned n_ext;
	uint32_t upcall_intid; /* /hypervisor interrupts: the event PPI */
	uint32_t upcall_flags; /* its trigger flags cell */
};

extern struct xen_info xen_info;

/* Fill xen_info from the hypervisor and the device tree. */
int hypervisor_init(const void *fdt);

/*
 * Hand out page-aligned guest-physical space from the extended regions,
 * for mapping other domains' pages (the MMU maps these regions as Normal
 * memory in advance). A bump allocator: space is never returned, which
 * is enough for a kernel that maps a bounded set of peer pages.
 * Returns 0 when the regions are exhausted or absent.
 */
uint64_t hypervisor_alloc_foreign_space(size_t npages);

#endif /* BM_HYPERVISOR_H */
