/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
#include <xenguest/error.h>
#include <xenguest/hypercall.h>

/* arm64 traps with HVC and the host test backend dispatches directly:
 * neither has a hypercall page to install. */
int xg_hc_use_hypercall_page(void *page, uint32_t npages, uint32_t msr)
{
	(void)page;
	(void)npages;
	(void)msr;
	return XG_EOPNOTSUPP;
}
