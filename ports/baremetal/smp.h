/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * CPUs and per-CPU data. A CPU's index is the position of its node under
 * /cpus, which is also Xen's vCPU id on arm64. TPIDR_EL1 points at the
 * running CPU's struct percpu.
 */
#ifndef BM_SMP_H
#define BM_SMP_H

#include "arch.h"
#include "kernel.h"

#define MAX_CPUS 8
#define CPU_STACK_PAGES 4

struct percpu {
	unsigned index;
	uint64_t mpidr;          /* affinity bits of MPIDR_EL1 */
	uintptr_t gicr_rd;       /* this CPU's GIC redistributor (RD_base) */
	bool online;             /* written once by the CPU itself */
	const void *wait_chan;   /* what xg_port_wait() sleeps on, or NULL */
	int xenguest_rc;         /* xenguest_cpu_init() on this CPU */
	/* statistics the self-test checks */
	uint64_t irqs;
	uint64_t timer_irqs;
	uint64_t sgi_irqs;
	uint64_t upcall_irqs;    /* Xen's event upcall PPI (port.c) */
	uint64_t spurious_irqs;
	/* last fault recovered by probe_read64() */
	uint64_t last_fault_esr;
	uint64_t last_fault_far;
};

extern struct percpu cpus[MAX_CPUS];
extern unsigned ncpus;
/* Initial stack pointer per CPU index, read by boot.S. */
extern uintptr_t smp_stack_tops[MAX_CPUS];

static inline struct percpu *this_cpu(void)
{
	return (struct percpu *)read_sysreg(tpidr_el1);
}

/* Before anything else: make this_cpu() usable on the boot CPU. */
void smp_early_init(void);

/* Enumerate /cpus; give the boot CPU its real index. */
int smp_init(const void *fdt);

/* Index of the CPU with this MPIDR affinity, or -ENOENT. */
int smp_cpu_index(uint64_t mpidr);

/* Start CPU @idx with PSCI CPU_ON and wait (bounded) until it reports in.
 * Returns 0, a negative PSCI-derived error or -ETIMEDOUT. */
int smp_start_cpu(unsigned idx);

/* Wake CPU @idx if it sleeps in WFI (sends it the kick SGI). */
void smp_kick(unsigned idx);

/* A starting CPU announces it is up (after its GIC and timer setup). */
void smp_mark_online(void);

/* The C entry of a secondary CPU (boot.S). */
__noreturn void secondary_main(unsigned idx);

#endif /* BM_SMP_H */
