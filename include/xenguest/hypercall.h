/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/**
 * DOC: typed hypercall wrappers
 *
 * One function per Xen hypercall the library uses, written once in
 * common code over the per-architecture instruction in
 * src/hypercall/<arch>/xg_arch.h (arm64: hvc #0xEA1 with the number in
 * x16; x86_64: vmcall or vmmcall by CPU vendor, or the classic hypercall
 * page). Argument structures are Xen's own (xen/include/public); this
 * header takes them as void pointers so that it does not force the
 * host's copy of the Xen headers, or their interface version, on the
 * includer.
 *
 * Every wrapper returns what Xen returns: 0 or a positive value on
 * success, a negative Xen errno (equal to the XG_E* code) on failure.
 *
 * Context: any, for every wrapper, unless the sub-operation itself blocks
 * in Xen (SCHEDOP_block, SCHEDOP_poll: thread).
 * Locking: none.
 */
#ifndef XENGUEST_HYPERCALL_H
#define XENGUEST_HYPERCALL_H

#include <stdint.h>

long xg_hc_event_channel_op(int cmd, void *arg);
long xg_hc_memory_op(unsigned int cmd, void *arg);
long xg_hc_vcpu_op(int cmd, uint32_t vcpuid, void *arg);
long xg_hc_grant_table_op(unsigned int cmd, void *uop, unsigned int count);
long xg_hc_hvm_op(unsigned int op, void *arg);
long xg_hc_xen_version(int cmd, void *arg);
long xg_hc_console_io(int cmd, unsigned int count, const char *buf);
long xg_hc_sched_op(int cmd, void *arg);
long xg_hc_physdev_op(int cmd, void *arg);

/**
 * xg_hc_use_hypercall_page() - switch to the classic hypercall page (x86)
 * @page: one zeroed page of guest memory, per @npages
 * @npages: from struct xg_cpuid_info.hypercall_pages (normally 1)
 * @msr: from struct xg_cpuid_info.hypercall_msr
 *
 * By default x86_64 issues vmcall or vmmcall directly, chosen once from
 * the CPUID vendor. A host that prefers Xen's page (for example to run
 * on a Xen that patches it for a PV-in-HVM shim) installs it here; every
 * later hypercall calls into it.
 *
 * Returns: 0; XG_EOPNOTSUPP on architectures without a hypercall page.
 * Context: thread, before other CPUs issue hypercalls. Locking: none.
 */
int xg_hc_use_hypercall_page(void *page, uint32_t npages, uint32_t msr);

#endif /* XENGUEST_HYPERCALL_H */
