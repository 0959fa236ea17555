/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * host: the test backend. Hypercalls and CPUID become calls to functions
 * that the test program links in: tests/mock/ (strict CMocka
 * expectations) or tests/fakexen/ (a stateful fake hypervisor). This is
 * link-time substitution, so the library code under test is the very
 * code a kernel builds, not a --wrap'd variant.
 */
#ifndef XG_ARCH_H
#define XG_ARCH_H

#include <stdbool.h>
#include <stdint.h>

long xg_host_hypercall(unsigned long op, unsigned long a1, unsigned long a2,
		       unsigned long a3, unsigned long a4, unsigned long a5);
bool xg_host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

static inline long xg_arch_hypercall(unsigned long op, unsigned long a1,
				     unsigned long a2, unsigned long a3,
				     unsigned long a4, unsigned long a5)
{
	return xg_host_hypercall(op, a1, a2, a3, a4, a5);
}

static inline bool xg_arch_cpuid(uint32_t leaf, uint32_t subleaf,
				 uint32_t regs[4])
{
	return xg_host_cpuid(leaf, subleaf, regs);
}

#endif /* XG_ARCH_H */
