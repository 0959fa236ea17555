/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * arm64: hypercalls, CPUID (none) and barrier overrides.
 *
 * Xen's arm ABI (xen/include/public/arch-arm.h): the hypercall number is
 * in x16, arguments in x0..x4, the result in x0; the immediate of the
 * HVC instruction is XEN_HYPERCALL_TAG, 0xEA1. Xen may clobber x1..x4
 * and x16 (debug builds do), so they are in-out operands here.
 */
#ifndef XG_ARCH_H
#define XG_ARCH_H

#include <stdbool.h>
#include <stdint.h>

static inline long xg_arch_hypercall(unsigned long op, unsigned long a1,
				     unsigned long a2, unsigned long a3,
				     unsigned long a4, unsigned long a5)
{
	register unsigned long x0 __asm__("x0") = a1;
	register unsigned long x1 __asm__("x1") = a2;
	register unsigned long x2 __asm__("x2") = a3;
	register unsigned long x3 __asm__("x3") = a4;
	register unsigned long x4 __asm__("x4") = a5;
	register unsigned long x16 __asm__("x16") = op;

	__asm__ volatile("hvc #0xEA1"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4),
			   "+r"(x16)
			 :
			 : "memory");
	return (long)x0;
}

/* arm has no CPUID: Xen is found through the device tree. */
static inline bool xg_arch_cpuid(uint32_t leaf, uint32_t subleaf,
				 uint32_t regs[4])
{
	(void)leaf;
	(void)subleaf;
	(void)regs;
	return false;
}

/* Store-store ordering is cheaper than a full dmb ish. */
#define xg_arch_wmb() __asm__ volatile("dmb ishst" ::: "memory")

#endif /* XG_ARCH_H */
