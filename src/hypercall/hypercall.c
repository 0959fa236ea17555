/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Typed wrappers, written once over the architecture's
 * xg_arch_hypercall(). Pointers travel as guest virtual addresses: Xen
 * translates them through the guest's page tables (x86 HVM/PVH) or its
 * stage-1 tables (arm), so arguments may live on the stack.
 */
#include <xenguest/hypercall.h>

#include "../xg_abi.h"
#include "xg_arch.h"

#define XG_HC(op, a1, a2, a3) \
	xg_arch_hypercall((op), (unsigned long)(a1), (unsigned long)(a2), \
			  (unsigned long)(a3), 0, 0)

long xg_hc_event_channel_op(int cmd, void *arg)
{
	return XG_HC(__HYPERVISOR_event_channel_op, cmd, arg, 0);
}

long xg_hc_memory_op(unsigned int cmd, void *arg)
{
	return XG_HC(__HYPERVISOR_memory_op, cmd, arg, 0);
}

long xg_hc_vcpu_op(int cmd, uint32_t vcpuid, void *arg)
{
	return XG_HC(__HYPERVISOR_vcpu_op, cmd, vcpuid, arg);
}

long xg_hc_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
	return XG_HC(__HYPERVISOR_grant_table_op, cmd, uop, count);
}

long xg_hc_hvm_op(unsigned int op, void *arg)
{
	return XG_HC(__HYPERVISOR_hvm_op, op, arg, 0);
}

long xg_hc_xen_version(int cmd, void *arg)
{
	return XG_HC(__HYPERVISOR_xen_version, cmd, arg, 0);
}

long xg_hc_console_io(int cmd, unsigned int count, const char *buf)
{
	return XG_HC(__HYPERVISOR_console_io, cmd, count, buf);
}

long xg_hc_sched_op(int cmd, void *arg)
{
	return XG_HC(__HYPERVISOR_sched_op, cmd, arg, 0);
}

long xg_hc_physdev_op(int cmd, void *arg)
{
	return XG_HC(__HYPERVISOR_physdev_op, cmd, arg, 0);
}
