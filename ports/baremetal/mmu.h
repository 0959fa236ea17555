/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Stage-1 MMU: an identity map (VA == guest-physical address) with 4 KiB
 * pages and 48-bit addresses. RAM and Xen's shared-memory regions are
 * Normal write-back cacheable memory; device registers (GIC, UART) are
 * Device-nGnRE. Everything else is unmapped, so a stray pointer faults.
 *
 * Why the MMU must be on: with it off every data access is Device
 * memory, and exclusive loads/stores (the atomics xenguest uses on pages
 * shared with Xen and other domains) are not guaranteed to work there.
 */
#ifndef BM_MMU_H
#define BM_MMU_H

#include "kernel.h"

enum mem_attr {
	MEM_NORMAL, /* write-back cacheable, inner shareable, executable */
	MEM_DEVICE, /* Device-nGnRE, never executable */
};

/* MAIR_EL1 attribute encodings, as AT/PAR_EL1 report them. */
#define MAIR_DEVICE_nGnRE 0x04
#define MAIR_NORMAL_WB 0xff

/* The register values that turn the MMU on; boot.S reads them by offset
 * (0, 8, 16, 24), before the MMU is on for secondary CPUs. */
struct mmu_regs {
	uint64_t mair;
	uint64_t tcr;
	uint64_t ttbr0;
	uint64_t sctlr;
};

extern struct mmu_regs mmu_boot_regs;      /* primary CPU, boot map */
extern struct mmu_regs mmu_secondary_regs; /* secondaries, final map */

/* MMU off, primary CPU: map just the kernel image and the DTB and fill
 * mmu_boot_regs for boot.S. */
void mmu_early_init(uintptr_t image_base, uintptr_t dtb);

/* MMU on: build the final map from the device tree (RAM, /hypervisor
 * regions, GIC, UARTs), switch the boot CPU to it and publish
 * mmu_secondary_regs. */
int mmu_init(const void *fdt);

/* Identity-map [base, base + size) in the live map. Only adds mappings
 * (an identical existing one is fine); changing a live mapping would
 * need break-before-make, which this kernel never does. */
int mmu_map(uint64_t base, uint64_t size, enum mem_attr attr);

/* Stage-1 memory attribute of @va (a MAIR encoding), or -1 if @va does
 * not translate; uses the AT instruction, so it reports what the MMU
 * really does. */
int mmu_probe_attr(uint64_t va);

/* Largest guest-physical address + 1 this CPU can output. */
uint64_t mmu_pa_limit(void);

#endif /* BM_MMU_H */
