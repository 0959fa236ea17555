/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Strict CMocka mocks of the host backend: every hypercall must have been
 * expected, with its exact op and argument registers, in order. Pointer
 * arguments are checked with expect_check() callbacks and outputs are
 * written by an optional effect function.
 *
 *   expect_hc(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0x40011);
 *   expect_hc_fx(op, a1, check_a2, a3, effect, rc)
 */
#ifndef MOCK_XEN_H
#define MOCK_XEN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* Runs inside the mocked hypercall, after the checks, to write outputs. */
typedef void (*mock_hc_effect)(unsigned long a1, unsigned long a2,
			       unsigned long a3);

#define MOCK_ANY_ARG ((unsigned long)-1)

#define expect_hc_(op_, a1_, a3_, effect_, rc_) \
	do { \
		expect_value(xg_host_hypercall, op, (op_)); \
		expect_value(xg_host_hypercall, a1, (unsigned long)(a1_)); \
		if ((unsigned long)(a3_) == MOCK_ANY_ARG) \
			expect_any(xg_host_hypercall, a3); \
		else \
			expect_value(xg_host_hypercall, a3, (unsigned long)(a3_)); \
		expect_value(xg_host_hypercall, a4, 0); \
		expect_value(xg_host_hypercall, a5, 0); \
		will_return(xg_host_hypercall, (uintptr_t)(effect_)); \
		will_return(xg_host_hypercall, (long)(rc_)); \
	} while (0)

/* a2 compared as a value (or MOCK_ANY_ARG). */
#define expect_hc(op_, a1_, a2_, a3_, rc_) \
	do { \
		if ((unsigned long)(a2_) == MOCK_ANY_ARG) \
			expect_any(xg_host_hypercall, a2); \
		else \
			expect_value(xg_host_hypercall, a2, (unsigned long)(a2_)); \
		expect_hc_(op_, a1_, a3_, NULL, rc_); \
	} while (0)

/* a2 is a pointer checked by @check_(value, @data_); @effect_ may be NULL. */
#define expect_hc_fx(op_, a1_, check_, data_, a3_, effect_, rc_) \
	do { \
		expect_check(xg_host_hypercall, a2, (check_), (data_)); \
		expect_hc_(op_, a1_, a3_, (effect_), rc_); \
	} while (0)

/* CPUID leaves the mocked CPU reports; unknown leaves read as zero. */
void mock_cpuid_reset(void);
void mock_cpuid_set(uint32_t leaf, uint32_t a, uint32_t b, uint32_t c,
		    uint32_t d);
void mock_cpuid_absent(void); /* the CPU has no CPUID (like arm) */
unsigned mock_cpuid_calls(void);

#endif /* MOCK_XEN_H */
