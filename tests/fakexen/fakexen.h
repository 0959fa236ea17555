/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * A stateful fake hypervisor for host tests. The library's host backend
 * (src/hypercall/host/) sends every hypercall and CPUID here, where it is
 * handled with Xen's semantics against fake domains whose guest memory is
 * this process's memory (gfn = address / 4096, as in the hosted port).
 *
 * Each test thread runs as one vCPU of one domain (fx_enter). Hypercalls
 * are serialised by one lock, like a tiny Xen. Modules add their own
 * hypercalls (fx_register_op) and physmap spaces (fx_register_space), and
 * keep per-domain state in fx_domain.ext[].
 *
 * Fault injection: fx_fail_nth() makes the Nth matching call fail with a
 * chosen Xen errno, before the handler runs (so state is untouched).
 * Counters: every call is counted per (op, cmd) for tests and benchmarks.
 */
#ifndef FAKEXEN_H
#define FAKEXEN_H

#include <stdbool.h>
#include <stdint.h>

#include "../../src/xg_abi.h"

#define FX_MAX_DOMAINS 8
#define FX_MAX_VCPUS 128
#define FX_MAX_OPS 64
#define FX_MAX_CMDS 64
#define FX_MAX_EXT 4
#define FX_CONSOLE_MAX 4096

enum fx_ext_slot { FX_EXT_EVTCHN = 0, FX_EXT_GNTTAB = 1, FX_EXT_XS = 2 };

struct fx_vcpu {
	uint32_t id;
	struct vcpu_info *vcpu_info; /* registered slot, or legacy */
	bool registered;
};

struct fx_domain {
	domid_t domid;
	bool in_use;
	bool is_dom0;
	uint32_t features;          /* XENVER_get_features submap 0 */
	struct shared_info *shared_info; /* NULL until mapped */
	unsigned nr_vcpus;
	struct fx_vcpu vcpu[FX_MAX_VCPUS];
	uint64_t hvm_param[HVM_NR_PARAMS];
	char console[FX_CONSOLE_MAX];
	unsigned console_len;
	void *ext[FX_MAX_EXT];      /* module state (evtchn, gnttab, ...) */
};

/* Arguments as the guest passed them; a1 is the sub-command. */
typedef long (*fx_op_fn)(struct fx_domain *d, unsigned vcpu,
			 unsigned long a1, unsigned long a2, unsigned long a3,
			 unsigned long a4, unsigned long a5);
/* XENMEM_add_to_physmap for one space: map @idx at guest frame @gpfn. */
typedef long (*fx_space_fn)(struct fx_domain *d, xen_ulong_t idx,
			    xen_pfn_t gpfn);

/* Forget every domain, handler override, fault and counter. */
void fx_reset(void);

/* A domain with @nr_vcpus vCPUs (ids 0..n-1); dom0 gets XENFEAT_dom0. */
struct fx_domain *fx_domain_create(domid_t domid, unsigned nr_vcpus);
struct fx_domain *fx_domain_get(domid_t domid);

/* The calling thread now runs as @vcpu of @d. */
void fx_enter(struct fx_domain *d, unsigned vcpu);
struct fx_domain *fx_current(void);
unsigned fx_current_vcpu(void);

/* Xen version reported by XENVER_version and CPUID (default 4.17). */
void fx_set_version(unsigned major, unsigned minor);
/* CPUID: Xen's leaves start here (default 0x40000000); 0 hides Xen. */
void fx_set_cpuid_base(uint32_t base);

void fx_register_op(unsigned op, fx_op_fn fn);
/* The core's hvm_op (get/set_param), for a module's handler that
 * overrides hvm_op and passes on what it does not handle itself. */
long fx_builtin_hvm_op(struct fx_domain *d, unsigned vcpu, unsigned long op,
		       unsigned long arg, unsigned long a3, unsigned long a4,
		       unsigned long a5);
void fx_register_space(unsigned space, fx_space_fn fn);

/* The @nth (1-based) call of @op with sub-command @cmd (-1: any) from
 * now on fails with -@xen_errno. One pending fault per (op, cmd). */
void fx_fail_nth(unsigned op, int cmd, unsigned nth, int xen_errno);

unsigned long fx_count(unsigned op, int cmd); /* cmd -1: all of @op */
void fx_counts_reset(void);

/* The big hypervisor lock, for module handlers that run outside a
 * hypercall (e.g. a test injecting a VIRQ). Not recursive. */
void fx_lock(void);
void fx_unlock(void);

/* Guest memory access: the frame a guest gfn names. */
static inline void *fx_gfn_to_virt(xen_pfn_t gfn)
{
	return (void *)(uintptr_t)((uint64_t)gfn << 12);
}

#endif /* FAKEXEN_H */
