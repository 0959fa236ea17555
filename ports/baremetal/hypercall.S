/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The kernel's own Xen hypercalls and PSCI calls.
 *
 * Xen arm64 ABI: hypercall number in x16, arguments in x0..x4, result in
 * x0, instruction "hvc #0xEA1" (XEN_HYPERCALL_TAG). The C arguments are
 * already in x0..x4 (AAPCS64), so each stub only loads x16. Xen may
 * clobber x0..x4 and x16; all are caller-saved, so nothing to preserve.
 *
 * These are the host kernel's HYPERVISOR_* symbols, named as FreeBSD and
 * Linux name theirs: xenguest never defines symbols with these names, so
 * linking it into this kernel also proves it coexists with them.
 */
#include "xen_public.h"

	.macro hypercall name, number
	.text
	.globl \name
	.type \name, %function
	.balign 8
\name:
	mov	x16, #\number
	hvc	#0xEA1
	ret
	.size \name, . - \name
	.endm

	hypercall HYPERVISOR_console_io,	__HYPERVISOR_console_io
	hypercall HYPERVISOR_sched_op,		__HYPERVISOR_sched_op
	hypercall HYPERVISOR_xen_version,	__HYPERVISOR_xen_version
	hypercall HYPERVISOR_memory_op,		__HYPERVISOR_memory_op
	hypercall HYPERVISOR_grant_table_op,	__HYPERVISOR_grant_table_op
	hypercall HYPERVISOR_event_channel_op,	__HYPERVISOR_event_channel_op

/*
 * PSCI (SMC Calling Convention): function id in x0, arguments in x1..x3,
 * result in x0. Xen implements PSCI for its guests behind "hvc #0";
 * firmware on real hardware may use "smc #0" (the /psci "method").
 */
	.globl psci_call_hvc
	.type psci_call_hvc, %function
psci_call_hvc:
	hvc	#0
	ret
	.size psci_call_hvc, . - psci_call_hvc

	.globl psci_call_smc
	.type psci_call_smc, %function
psci_call_smc:
	smc	#0
	ret
	.size psci_call_smc, . - psci_call_smc
