/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Device-tree helpers over libfdt: the few questions the kernel asks.
 */
#ifndef BM_DT_H
#define BM_DT_H

#include <libfdt.h>
#include "kernel.h"

/* Entry @index of a node's "reg", decoded with the parent's
 * #address-cells and #size-cells. Returns 0 or -ENOENT. */
int dt_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size);

/* First node whose "compatible" list contains @compat, or < 0. */
int dt_find_compatible(const void *fdt, const char *compat);

/* Entry @index of a GIC "interrupts" property (3 cells: type, number,
 * flags) as a GIC INTID (SPI n = 32 + n, PPI n = 16 + n).
 * Returns 0 or -ENOENT. */
int dt_irq(const void *fdt, int node, int index, uint32_t *intid, uint32_t *flags);

/* The /chosen bootargs, or "" when there are none. */
const char *dt_bootargs(const void *fdt);

/* Value of "key=<number>" in the bootargs, or @fallback. */
unsigned long dt_bootarg_ulong(const void *fdt, const char *key, unsigned long fallback);

#endif /* BM_DT_H */
