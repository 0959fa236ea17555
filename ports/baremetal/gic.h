/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * GICv3 driver: the distributor (shared interrupts, SPIs), one
 * redistributor per CPU (that CPU's SGIs and PPIs) and the CPU interface,
 * which under GICv3 is a set of system registers (ICC_*_EL1).
 *
 * INTIDs: 0-15 SGIs (software, per CPU), 16-31 PPIs (per CPU: timers,
 * Xen's event upcall), 32-1019 SPIs (devices), 1020-1023 special.
 */
#ifndef BM_GIC_H
#define BM_GIC_H

#include "kernel.h"

#define GIC_NR_SGI 16
#define GIC_FIRST_SPI 32
#define GIC_INTID_SPURIOUS 1020 /* 1020..1023: no interrupt to take */
#define GIC_MAX_INTID 1020

/* Boot CPU, once: find the GIC in the device tree, set up the
 * distributor. */
int gic_init(const void *fdt);

/* Every CPU, on itself: wake its redistributor, configure its SGIs/PPIs
 * and its CPU interface. */
int gic_init_cpu(void);

/* SGI/PPI: on this CPU only (banked). SPI: routed to this CPU. */
void gic_enable(uint32_t intid);
void gic_disable(uint32_t intid);

/* Make @intid pending as if its source had fired (SGI/PPI: on this CPU).
 * Used to re-run an interrupt handler without the device. */
void gic_set_pending(uint32_t intid);

/* Acknowledge the highest-priority pending interrupt (ICC_IAR1_EL1);
 * returns its INTID, >= GIC_INTID_SPURIOUS if none. */
uint32_t gic_ack(void);

/* Diagnostics: this CPU's SGI/PPI pending, active and enable bits. */
void gic_ppi_state(uint32_t *pending, uint32_t *active, uint32_t *enabled);
/* Priority drop and deactivation (EOImode 0): ICC_EOIR1_EL1. */
void gic_eoi(uint32_t intid);

/* Raise SGI @sgi on the CPU with MPIDR affinity @mpidr. */
void gic_send_sgi(unsigned sgi, uint64_t mpidr);

/* Base addresses, for the self-test's MMU attribute checks. */
uintptr_t gic_dist_base(void);

#endif /* BM_GIC_H */
