/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Finding Xen through CPUID (x86). Written once over xg_arch_cpuid() so
 * the scan is tested on the host with fake leaves; on arm the arch
 * function reports that there is no CPUID.
 */
#include <xenguest/core.h>
#include <xenguest/error.h>

#include "../xg_abi.h"
#include <xen/arch-x86/cpuid.h>
#include "xg_arch.h"

#define XG_CPUID_FIRST 0x40000000u
#define XG_CPUID_LAST 0x40010000u
#define XG_CPUID_STEP 0x100u

static bool xg_cpuid_is_xen(const uint32_t r[4], uint32_t base)
{
	/* "XenVMMXenVMM", and at least leaves base+1 and base+2. */
	return r[1] == XEN_CPUID_SIGNATURE_EBX &&
	       r[2] == XEN_CPUID_SIGNATURE_ECX &&
	       r[3] == XEN_CPUID_SIGNATURE_EDX && r[0] >= base + 2;
}

static int xg_cpuid_find_base(uint32_t *base, uint32_t *max_leaf)
{
	uint32_t b, r[4];

	for (b = XG_CPUID_FIRST; b <= XG_CPUID_LAST; b += XG_CPUID_STEP) {
		if (!xg_arch_cpuid(b, 0, r))
			return XG_ENODEV;
		if (xg_cpuid_is_xen(r, b)) {
			*base = b;
			*max_leaf = r[0];
			return 0;
		}
	}
	return XG_ENODEV;
}

int xg_cpuid_probe(struct xg_cpuid_info *info)
{
	uint32_t r[4];
	int rc;

	if (info == NULL)
		return XG_EINVAL;
	*info = (struct xg_cpuid_info){ 0 };
	rc = xg_cpuid_find_base(&info->base, &info->max_leaf);
	if (rc != 0)
		return rc;
	xg_arch_cpuid(info->base + 1, 0, r);
	info->version_major = r[0] >> 16;
	info->version_minor = r[0] & 0xffffu;
	xg_arch_cpuid(info->base + 2, 0, r);
	info->hypercall_pages = r[0];
	info->hypercall_msr = r[1];
	if (info->max_leaf >= info->base + 4) {
		xg_arch_cpuid(info->base + 4, 0, r);
		if (r[0] & XEN_HVM_CPUID_VCPU_ID_PRESENT) {
			info->have_vcpu_id = true;
			info->vcpu_id = r[1];
		}
	}
	return 0;
}
