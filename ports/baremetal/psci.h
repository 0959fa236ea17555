/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * PSCI (Power State Coordination Interface): how an arm64 kernel starts
 * and stops CPUs. Under Xen the "firmware" is Xen itself, reached with
 * HVC; the device tree's /psci node says which conduit to use.
 */
#ifndef BM_PSCI_H
#define BM_PSCI_H

#include "kernel.h"

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED -1
#define PSCI_INVALID_PARAMETERS -2
#define PSCI_DENIED -3
#define PSCI_ALREADY_ON -4
#define PSCI_ON_PENDING -5
#define PSCI_INTERNAL_FAILURE -6

int psci_init(const void *fdt);

/* PSCI_VERSION: major << 16 | minor. */
uint32_t psci_version(void);

/* Start the CPU with MPIDR affinity @mpidr at physical address @entry,
 * MMU off, with x0 = @context. Returns a PSCI_* code. */
int psci_cpu_on(uint64_t mpidr, uintptr_t entry, uint64_t context);

/* Is the conduit HVC (true under Xen)? */
bool psci_uses_hvc(void);

#endif /* BM_PSCI_H */
