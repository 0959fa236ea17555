// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/* What the kernel learns about Xen at boot (see hypervisor.h). */
#include "hypervisor.h"
#include "dt.h"
#include "spinlock.h"
#include "xen_public.h"

struct xen_info xen_info;

static spinlock_t foreign_lock;
static unsigned foreign_region;  /* extended region being handed out */
static uint64_t foreign_used;    /* bytes used in it */

static void read_hypervisor_node(const void *fdt)
{
	int node = dt_find_compatible(fdt, "xen,xen");
	uint64_t base, size;

	/* A dom0less domU without "xen,enhanced" has no /hypervisor node:
	 * hypercalls work, but it has no event upcall PPI advertised and no
	 * extended regions. */
	if (node < 0)
		return;
	xen_info.present = true;
	if (dt_reg(fdt, node, 0, &base, &size) == 0)
		xen_info.grant_region = (struct phys_range){ base, size };
	for (int i = 1; i <= XEN_MAX_EXT_REGIONS; i++) {
		if (dt_reg(fdt, node, i, &base, &size) != 0)
			break;
		xen_info.ext[xen_info.n_ext++] = (struct phys_range){ base, size };
	}
	if (dt_irq(fdt, node, 0, &xen_info.upcall_intid, &xen_info.upcall_flags) != 0)
		xen_info.upcall_intid = 0;
}

int hypervisor_init(const void *fdt)
{
	struct xen_feature_info fi = { .submap_idx = 0 };
	long ver = HYPERVISOR_xen_version(XENVER_version, NULL);

	if (ver < 0)
		return (int)ver;
	xen_info.version = (uint32_t)ver;
	if (HYPERVISOR_xen_version(XENVER_get_features, &fi) == 0) {
		xen_info.features0 = fi.submap;
		xen_info.is_dom0 = fi.submap & (1U << XENFEAT_dom0);
	}
	read_hypervisor_node(fdt);
	return 0;
}

uint64_t hypervisor_alloc_foreign_space(size_t npages)
{
	uint64_t bytes = (uint64_t)npages * PAGE_SIZE, addr = 0;
	uint64_t flags = spin_lock_irqsave(&foreign_lock);

	while (foreign_region < xen_info.n_ext) {
		const struct phys_range *r = &xen_info.ext[foreign_region];

		if (bytes <= r->size - foreign_used) {
			addr = r->base + foreign_used;
			foreign_used += bytes;
			break;
		}
		foreign_region++;
		foreign_used = 0;
	}
	spin_unlock_irqrestore(&foreign_lock, flags);
	return addr;
}
