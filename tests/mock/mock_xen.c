/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
#include <stdbool.h>
#include <string.h>

#include "mock_xen.h"

long xg_host_hypercall(unsigned long op, unsigned long a1, unsigned long a2,
		       unsigned long a3, unsigned long a4, unsigned long a5);
bool xg_host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

long xg_host_hypercall(unsigned long op, unsigned long a1, unsigned long a2,
		       unsigned long a3, unsigned long a4, unsigned long a5)
{
	mock_hc_effect effect;

	check_expected(op);
	check_expected(a1);
	check_expected(a2);
	check_expected(a3);
	check_expected(a4);
	check_expected(a5);
	effect = (mock_hc_effect)mock_type(uintptr_t);
	if (effect != NULL)
		effect(a1, a2, a3);
	return mock_type(long);
}

#define MOCK_LEAVES 32

static struct {
	uint32_t leaf;
	uint32_t r[4];
} mock_leaves[MOCK_LEAVES];
static unsigned mock_nleaves;
static bool mock_no_cpuid;
static unsigned mock_calls;

void mock_cpuid_reset(void)
{
	mock_nleaves = 0;
	mock_no_cpuid = false;
	mock_calls = 0;
}

void mock_cpuid_set(uint32_t leaf, uint32_t a, uint32_t b, uint32_t c,
		    uint32_t d)
{
	assert_true(mock_nleaves < MOCK_LEAVES);
	mock_leaves[mock_nleaves].leaf = leaf;
	mock_leaves[mock_nleaves].r[0] = a;
	mock_leaves[mock_nleaves].r[1] = b;
	mock_leaves[mock_nleaves].r[2] = c;
	mock_leaves[mock_nleaves].r[3] = d;
	mock_nleaves++;
}

void mock_cpuid_absent(void)
{
	mock_no_cpuid = true;
}

unsigned mock_cpuid_calls(void)
{
	return mock_calls;
}

bool xg_host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	unsigned i;

	(void)subleaf;
	mock_calls++;
	if (mock_no_cpuid)
		return false;
	memset(regs, 0, 4 * sizeof(regs[0]));
	for (i = 0; i < mock_nleaves; i++)
		if (mock_leaves[i].leaf == leaf)
			memcpy(regs, mock_leaves[i].r, sizeof(mock_leaves[i].r));
	return true;
}
