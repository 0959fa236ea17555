// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * GICv3 driver (see gic.h). Under Xen both dom0 and domUs see a virtual
 * GICv3 at the addresses their device tree gives; the driver is the same
 * as on hardware. All interrupts are Group 1 (the only group a
 * non-secure guest owns) with one priority, so none preempts another.
 */
#include "gic.h"
#include "arch.h"
#include "dt.h"
#include "smp.h"

/* Distributor registers */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000
#define GICD_CTLR_RWP (1U << 31)
#define GICD_CTLR_ARE_NS (1U << 4)      /* affinity routing */
#define GICD_CTLR_ENABLE_G1 (1U << 1)   /* EnableGrp1 (non-secure view) */

/* Redistributor: RD_base frame, then SGI_base frame 64 KiB above it */
#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI_BASE 0x10000
#define GICR_IGROUPR0 (GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI_BASE + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI_BASE + 0x0180)
#define GICR_ISPENDR0 (GICR_SGI_BASE + 0x0200)
#define GICR_ICPENDR0 (GICR_SGI_BASE + 0x0280)
#define GICR_IPRIORITYR (GICR_SGI_BASE + 0x0400)
#define GICR_CTLR_RWP (1U << 3)
#define GICR_TYPER_VLPIS (1UL << 1)
#define GICR_TYPER_LAST (1UL << 4)
#define GICR_WAKER_PROCESSOR_SLEEP (1U << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1U << 2)

#define DEFAULT_PRIORITY 0xa0
#define PRIORITY_MASK 0xf0 /* ICC_PMR_EL1: let every priority < 0xf0 in */
#define POLL_LIMIT 1000000

static uintptr_t gicd;
static uintptr_t gicr_base, gicr_size, gicr_stride;
static unsigned nr_lines;

/*
 * MMIO accessors. Written in assembly so that each access is one plain
 * LDR/STR with a base register: under Xen the GIC is emulated, and Xen
 * can only emulate a trapped access whose syndrome it gets from the CPU
 * (ESR ISV=1), which excludes e.g. the post-indexed forms the compiler
 * likes in loops.
 */
static inline uint32_t rd32(uintptr_t a)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline uint64_t rd64(uintptr_t a)
{
	uint64_t v;

	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void wr32(uintptr_t a, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"rZ"(v), "r"(a) : "memory");
}

static inline void wr64(uintptr_t a, uint64_t v)
{
	__asm__ volatile("str %x0, [%1]" ::"rZ"(v), "r"(a) : "memory");
}

static int wait_clear(uintptr_t reg, uint32_t bits)
{
	for (int i = 0; i < POLL_LIMIT; i++) {
		if (!(rd32(reg) & bits))
			return 0;
		cpu_relax();
	}
	return -ETIMEDOUT;
}

uintptr_t gic_dist_base(void)
{
	return gicd;
}

int gic_init(const void *fdt)
{
	int node = dt_find_compatible(fdt, "arm,gic-v3");
	uint64_t base, size;
	int len;
	const fdt32_t *stride;

	if (node < 0 || dt_reg(fdt, node, 0, &base, &size) != 0)
		return -ENOENT;
	gicd = base;
	/* One redistributor region is all QEMU virt and Xen guests have. */
	if (dt_reg(fdt, node, 1, &base, &size) != 0)
		return -ENOENT;
	gicr_base = base;
	gicr_size = size;
	stride = fdt_getprop(fdt, node, "redistributor-stride", &len);
	gicr_stride = stride && len == 4 ? fdt32_to_cpu(*stride) : 0;

	nr_lines = 32 * ((rd32(gicd + GICD_TYPER) & 0x1f) + 1);
	if (nr_lines > GIC_MAX_INTID)
		nr_lines = GIC_MAX_INTID;

	wr32(gicd + GICD_CTLR, 0);
	if (wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP))
		return -ETIMEDOUT;
	/* SPIs: disabled, not pending, Group 1, default priority. */
	for (unsigned i = GIC_FIRST_SPI; i < nr_lines; i += 32) {
		wr32(gicd + GICD_ICENABLER + i / 8, ~0U);
		wr32(gicd + GICD_ICPENDR + i / 8, ~0U);
		wr32(gicd + GICD_IGROUPR + i / 8, ~0U);
	}
	for (unsigned i = GIC_FIRST_SPI; i < nr_lines; i += 4)
		wr32(gicd + GICD_IPRIORITYR + i, DEFAULT_PRIORITY * 0x01010101U);
	wr32(gicd + GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1);
	return wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP);
}

/* MPIDR affinity in the GICR_TYPER layout: Aff3.Aff2.Aff1.Aff0. */
static uint32_t mpidr_to_gic_affinity(uint64_t mpidr)
{
	return (uint32_t)(((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff));
}

/* Walk the redistributor frames for the one whose affinity is ours. */
static uintptr_t find_redistributor(uint64_t mpidr)
{
	uint32_t aff = mpidr_to_gic_affinity(mpidr);

	for (uintptr_t rd = gicr_base; rd < gicr_base + gicr_size;) {
		uint64_t typer = rd64(rd + GICR_TYPER);

		if ((uint32_t)(typer >> 32) == aff)
			return rd;
		if (typer & GICR_TYPER_LAST)
			break;
		/* RD_base + SGI_base, plus two VLPI frames on GICv4 */
		rd += gicr_stride ? gicr_stride
				  : (typer & GICR_TYPER_VLPIS) ? 0x40000 : 0x20000;
	}
	return 0;
}

int gic_init_cpu(void)
{
	struct percpu *me = this_cpu();
	uintptr_t rd = find_redistributor(me->mpidr);

	if (!rd)
		return -ENOENT;
	me->gicr_rd = rd;

	/* Wake the redistributor: it then forwards interrupts to us. */
	wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	if (wait_clear(rd + GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP))
		return -ETIMEDOUT;

	/* SGIs and PPIs: disabled until a driver enables them, Group 1. */
	wr32(rd + GICR_ICENABLER0, ~0U);
	if (wait_clear(rd + GICR_CTLR, GICR_CTLR_RWP))
		return -ETIMEDOUT;
	wr32(rd + GICR_ICPENDR0, ~0U);
	wr32(rd + GICR_IGROUPR0, ~0U);
	for (unsigned i = 0; i < GIC_FIRST_SPI; i += 4)
		wr32(rd + GICR_IPRIORITYR + i, DEFAULT_PRIORITY * 0x01010101U);

	/* CPU interface: system-register access, priority mask, no
	 * preemption groups (BPR 0), EOI also deactivates, Group 1 on. */
	write_sysreg(icc_sre_el1, read_sysreg(icc_sre_el1) | 1);
	isb();
	write_sysreg(icc_pmr_el1, PRIORITY_MASK);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_ctlr_el1, read_sysreg(icc_ctlr_el1) & ~(1UL << 1)); /* EOImode */
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
	return 0;
}

void gic_enable(uint32_t intid)
{
	uint32_t bit = 1U << (intid % 32);

	if (intid < GIC_FIRST_SPI) {
		wr32(this_cpu()->gicr_rd + GICR_ISENABLER0, bit);
		return;
	}
	if (intid >= nr_lines)
		return;
	/* SPI: route to this CPU by affinity, then enable. */
	wr64(gicd + GICD_IROUTER + 8 * intid, this_cpu()->mpidr);
	wr32(gicd + GICD_ISENABLER + 4 * (intid / 32), bit);
}

void gic_disable(uint32_t intid)
{
	uint32_t bit = 1U << (intid % 32);

	if (intid < GIC_FIRST_SPI) {
		wr32(this_cpu()->gicr_rd + GICR_ICENABLER0, bit);
		wait_clear(this_cpu()->gicr_rd + GICR_CTLR, GICR_CTLR_RWP);
	} else if (intid < nr_lines) {
		wr32(gicd + GICD_ICENABLER + 4 * (intid / 32), bit);
		wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP);
	}
}

void gic_set_pending(uint32_t intid)
{
	uint32_t bit = 1U << (intid % 32);

	if (intid < GIC_FIRST_SPI)
		wr32(this_cpu()->gicr_rd + GICR_ISPENDR0, bit);
	else if (intid < nr_lines)
		wr32(gicd + GICD_ISPENDR + 4 * (intid / 32), bit);
}

void gic_ppi_state(uint32_t *pending, uint32_t *active, uint32_t *enabled)
{
	uintptr_t rd = this_cpu()->gicr_rd;

	*pending = rd32(rd + GICR_SGI_BASE + 0x0200);  /* GICR_ISPENDR0 */
	*active = rd32(rd + GICR_SGI_BASE + 0x0300);   /* GICR_ISACTIVER0 */
	*enabled = rd32(rd + GICR_SGI_BASE + 0x0100);  /* GICR_ISENABLER0 */
}

uint32_t gic_ack(void)
{
	uint32_t intid = (uint32_t)read_sysreg(icc_iar1_el1) & 0xffffff;

	/* The acknowledge must complete before the handler touches the
	 * device that raised the interrupt. */
	dsb_sy();
	return intid;
}

void gic_eoi(uint32_t intid)
{
	write_sysreg(icc_eoir1_el1, intid);
	isb();
}

void gic_send_sgi(unsigned sgi, uint64_t mpidr)
{
	/* ICC_SGI1R_EL1: INTID[27:24], Aff3[55:48], Aff2[39:32], Aff1[23:16],
	 * TargetList[15:0] = one bit per Aff0 value 0..15 (QEMU virt and Xen
	 * give each cluster at most 16 CPUs: no range selector needed). */
	uint64_t v = (uint64_t)(sgi & 0xf) << 24 |
		     ((mpidr >> 32) & 0xff) << 48 |
		     ((mpidr >> 16) & 0xff) << 32 |
		     ((mpidr >> 8) & 0xff) << 16 |
		     (1UL << (mpidr & 0xf));

	dsb_ishst(); /* memory writes the target will look at come first */
	write_sysreg(icc_sgi1r_el1, v);
	isb();
}
