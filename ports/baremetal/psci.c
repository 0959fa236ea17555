// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
#include "psci.h"
#include "dt.h"

/* SMC Calling Convention function ids (64-bit calls where it matters). */
#define PSCI_0_2_FN_PSCI_VERSION 0x84000000U
#define PSCI_0_2_FN64_CPU_ON 0xC4000003U

/* hypercall.S */
long psci_call_hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
long psci_call_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

static bool use_hvc = true;

static long psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return use_hvc ? psci_call_hvc(fn, a1, a2, a3) : psci_call_smc(fn, a1, a2, a3);
}

int psci_init(const void *fdt)
{
	int node = dt_find_compatible(fdt, "arm,psci-0.2");
	const char *method;

	if (node < 0)
		node = dt_find_compatible(fdt, "arm,psci-1.0");
	if (node < 0)
		return -ENOENT;
	method = fdt_getprop(fdt, node, "method", NULL);
	if (!method)
		return -ENOENT;
	if (strcmp(method, "hvc") == 0)
		use_hvc = true;
	else if (strcmp(method, "smc") == 0)
		use_hvc = false;
	else
		return -EINVAL;
	return 0;
}

bool psci_uses_hvc(void)
{
	return use_hvc;
}

uint32_t psci_version(void)
{
	return (uint32_t)psci_call(PSCI_0_2_FN_PSCI_VERSION, 0, 0, 0);
}

int psci_cpu_on(uint64_t mpidr, uintptr_t entry, uint64_t context)
{
	return (int)psci_call(PSCI_0_2_FN64_CPU_ON, mpidr, entry, context);
}
