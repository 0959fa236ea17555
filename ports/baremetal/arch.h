/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * arm64 helpers: system registers, barriers, interrupt masking and cache
 * maintenance. Everything is a static inline so the compiler sees the
 * barriers where they are used.
 */
#ifndef BM_ARCH_H
#define BM_ARCH_H

#include <stdint.h>

#define read_sysreg(reg)                                                \
	({                                                              \
		uint64_t v__;                                           \
		__asm__ volatile("mrs %0, " #reg : "=r"(v__));          \
		v__;                                                    \
	})

#define write_sysreg(reg, val)                                          \
	__asm__ volatile("msr " #reg ", %0" ::"r"((uint64_t)(val)) : "memory")

static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
static inline void dsb_ishst(void) { __asm__ volatile("dsb ishst" ::: "memory"); }
static inline void dsb_sy(void) { __asm__ volatile("dsb sy" ::: "memory"); }
static inline void dmb_ish(void) { __asm__ volatile("dmb ish" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("yield" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }

/* DAIF.I is bit 7; "daifset/daifclr #2" touches only the I bit. */
#define DAIF_IRQ (1UL << 7)

static inline void irq_disable(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }

/* Disable IRQs and return the previous DAIF value for irq_restore(). */
static inline uint64_t irq_save(void)
{
	uint64_t daif = read_sysreg(daif);

	irq_disable();
	return daif;
}

static inline void irq_restore(uint64_t daif) { write_sysreg(daif, daif); }

static inline int irqs_enabled(void) { return !(read_sysreg(daif) & DAIF_IRQ); }

/* MPIDR_EL1 affinity fields Aff3..Aff0; bit 31 is RES1 and bit 30 (U) and
 * 24 (MT) are not part of the CPU's identity. */
#define MPIDR_AFF_MASK 0xff00ffffffUL

static inline uint64_t cpu_mpidr(void) { return read_sysreg(mpidr_el1) & MPIDR_AFF_MASK; }

/* Smallest data cache line, from CTR_EL0.DminLine (log2 of words). */
static inline uintptr_t dcache_line_size(void)
{
	return 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
}

/* Clean [start, end) to the point of coherency: makes data written with
 * the MMU on visible to an observer that reads memory with its MMU off
 * (a secondary CPU that has not enabled its MMU yet). */
static inline void dcache_clean_range(const void *start, const void *end)
{
	uintptr_t line = dcache_line_size();
	uintptr_t p = (uintptr_t)start & ~(line - 1);

	for (; p < (uintptr_t)end; p += line)
		__asm__ volatile("dc cvac, %0" ::"r"(p) : "memory");
	dsb_sy();
}

#endif /* BM_ARCH_H */
