/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
#include <xenguest/error.h>
#include <xenguest/hypercall.h>
#include <xenguest/port.h>

#include "xg_arch.h"

/*
 * The hypercall instruction, chosen once. These are the library's only
 * globals outside caller-owned state: every CPU of a guest runs on the
 * same vendor, so per-instance state would only cost a pointer in every
 * call.
 */
enum xg_x86_hc_mode xg_x86_hc_mode_;
char *xg_x86_hc_page_;

static bool xg_x86_vendor_is_amd(void)
{
	uint32_t r[4];

	xg_arch_cpuid(0, 0, r);
	/* "AuthenticAMD" and "HygonGenuine" use vmmcall: EBX "Auth"/"Hygo". */
	return r[1] == 0x68747541u || r[1] == 0x6f677948u;
}

void xg_x86_hc_choose_(void)
{
	xg_x86_hc_mode_ = xg_x86_vendor_is_amd() ? XG_X86_HC_VMMCALL
						 : XG_X86_HC_VMCALL;
}

int xg_hc_use_hypercall_page(void *page, uint32_t npages, uint32_t msr)
{
	uint64_t gpa;

	if (page == NULL || npages != 1)
		return XG_EINVAL;
	/* Xen fills the page when the MSR is written with its address. */
	gpa = xg_port_virt_to_gfn(page) << 12;
	xg_arch_wrmsr(msr, gpa);
	xg_x86_hc_page_ = page;
	__atomic_store_n(&xg_x86_hc_mode_, XG_X86_HC_PAGE, __ATOMIC_RELEASE);
	return 0;
}
