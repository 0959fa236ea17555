/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* The fake hypervisor's core: domains, dispatch, faults, counters. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakexen.h"

#include <xen/arch-x86/cpuid.h>

#define FX_EPERM 1
#define FX_ENOENT 2
#define FX_ESRCH 3
#define FX_EINVAL 22
#define FX_ENOSYS 38
#define FX_EBUSY 16

struct fx_fault {
	bool armed;
	unsigned remaining;
	int err;
};

static struct fx_domain fx_domains[FX_MAX_DOMAINS];
static fx_op_fn fx_ops[FX_MAX_OPS];
static fx_space_fn fx_spaces[16];
static struct fx_fault fx_faults[FX_MAX_OPS][FX_MAX_CMDS + 1];
static unsigned long fx_counts[FX_MAX_OPS][FX_MAX_CMDS + 1];
static uint32_t fx_version = (4u << 16) | 17u;
static uint32_t fx_cpuid_base = 0x40000000u;
static pthread_mutex_t fx_mutex = PTHREAD_MUTEX_INITIALIZER;

static _Thread_local struct fx_domain *fx_self;
static _Thread_local unsigned fx_self_vcpu;

void fx_lock(void)
{
	pthread_mutex_lock(&fx_mutex);
}

void fx_unlock(void)
{
	pthread_mutex_unlock(&fx_mutex);
}

/* ---- domains ----------------------------------------------------------- */

struct fx_domain *fx_domain_get(domid_t domid)
{
	unsigned i;

	for (i = 0; i < FX_MAX_DOMAINS; i++)
		if (fx_domains[i].in_use && fx_domains[i].domid == domid)
			return &fx_domains[i];
	return NULL;
}

struct fx_domain *fx_domain_create(domid_t domid, unsigned nr_vcpus)
{
	unsigned i;

	if (nr_vcpus == 0 || nr_vcpus > FX_MAX_VCPUS || fx_domain_get(domid))
		return NULL;
	for (i = 0; i < FX_MAX_DOMAINS; i++) {
		struct fx_domain *d = &fx_domains[i];
		unsigned v;

		if (d->in_use)
			continue;
		memset(d, 0, sizeof(*d));
		d->in_use = true;
		d->domid = domid;
		d->is_dom0 = domid == 0;
		d->nr_vcpus = nr_vcpus;
		/* What Xen 4.17 on arm reports (recipe: dom0 0x26805, domU
		 * 0x16005), less the dom0 bit for domUs. */
		d->features = domid == 0 ? 0x26805u : 0x16005u;
		for (v = 0; v < nr_vcpus; v++)
			d->vcpu[v].id = v;
		return d;
	}
	return NULL;
}

void fx_enter(struct fx_domain *d, unsigned vcpu)
{
	fx_self = d;
	fx_self_vcpu = vcpu;
}

struct fx_domain *fx_current(void)
{
	return fx_self;
}

unsigned fx_current_vcpu(void)
{
	return fx_self_vcpu;
}

void fx_set_version(unsigned major, unsigned minor)
{
	fx_version = (major << 16) | minor;
}

void fx_set_cpuid_base(uint32_t base)
{
	fx_cpuid_base = base;
}

void fx_register_op(unsigned op, fx_op_fn fn)
{
	if (op < FX_MAX_OPS)
		fx_ops[op] = fn;
}

void fx_register_space(unsigned space, fx_space_fn fn)
{
	if (space < sizeof(fx_spaces) / sizeof(fx_spaces[0]))
		fx_spaces[space] = fn;
}

/* ---- faults and counters --------------------------------------------- */

static unsigned fx_cmd_slot(int cmd)
{
	return (cmd >= 0 && cmd < FX_MAX_CMDS) ? (unsigned)cmd : FX_MAX_CMDS;
}

void fx_fail_nth(unsigned op, int cmd, unsigned nth, int xen_errno)
{
	struct fx_fault *f = &fx_faults[op][cmd < 0 ? FX_MAX_CMDS
						    : fx_cmd_slot(cmd)];

	f->armed = nth > 0;
	f->remaining = nth;
	f->err = xen_errno;
}

/* Returns the errno to fail with, or 0. Checks the exact (op, cmd) fault
 * first, then the any-command one. */
static int fx_fault_check(unsigned op, unsigned long cmd)
{
	struct fx_fault *cand[2] = {
		cmd < FX_MAX_CMDS ? &fx_faults[op][cmd] : NULL,
		&fx_faults[op][FX_MAX_CMDS],
	};
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct fx_fault *f = cand[i];

		if (f == NULL || !f->armed)
			continue;
		if (--f->remaining == 0) {
			f->armed = false;
			return f->err;
		}
	}
	return 0;
}

unsigned long fx_count(unsigned op, int cmd)
{
	unsigned long n = 0;
	unsigned c;

	if (op >= FX_MAX_OPS)
		return 0;
	if (cmd >= 0)
		return fx_counts[op][fx_cmd_slot(cmd)];
	for (c = 0; c <= FX_MAX_CMDS; c++)
		n += fx_counts[op][c];
	return n;
}

void fx_counts_reset(void)
{
	memset(fx_counts, 0, sizeof(fx_counts));
}

void fx_reset(void)
{
	memset(fx_domains, 0, sizeof(fx_domains));
	memset(fx_faults, 0, sizeof(fx_faults));
	memset(fx_counts, 0, sizeof(fx_counts));
	memset(fx_ops, 0, sizeof(fx_ops));
	memset(fx_spaces, 0, sizeof(fx_spaces));
	fx_version = (4u << 16) | 17u;
	fx_cpuid_base = 0x40000000u;
	fx_self = NULL;
	fx_self_vcpu = 0;
}

/* ---- built-in hypercalls ----------------------------------------------- */

static long fx_xen_version(struct fx_domain *d, unsigned vcpu,
			   unsigned long cmd, unsigned long arg,
			   unsigned long a3, unsigned long a4, unsigned long a5)
{
	(void)vcpu, (void)a3, (void)a4, (void)a5;
	switch (cmd) {
	case XENVER_version:
		return (long)fx_version;
	case XENVER_get_features: {
		struct xen_feature_info *fi = (void *)arg;

		if (fi->submap_idx >= XENFEAT_NR_SUBMAPS)
			return -FX_EINVAL;
		fi->submap = d->features;
		return 0;
	}
	case XENVER_extraversion:
		memset((void *)arg, 0, XEN_EXTRAVERSION_LEN);
		memcpy((void *)arg, ".0-fake", 7);
		return 0;
	default:
		return -FX_ENOSYS;
	}
}

static long fx_map_shared_info(struct fx_domain *d, xen_ulong_t idx,
			       xen_pfn_t gpfn)
{
	if (idx != 0)
		return -FX_EINVAL;
	d->shared_info = fx_gfn_to_virt(gpfn);
	/* Xen hands over a page whose event bits start clear and masks
	 * nothing: the page content is Xen's from now on. */
	memset(d->shared_info, 0, 4096);
	return 0;
}

static long fx_memory_op(struct fx_domain *d, unsigned vcpu,
			 unsigned long cmd, unsigned long arg,
			 unsigned long a3, unsigned long a4, unsigned long a5)
{
	(void)vcpu, (void)a3, (void)a4, (void)a5;
	if (cmd == XENMEM_add_to_physmap) {
		struct xen_add_to_physmap *x = (void *)arg;

		if (x->domid != DOMID_SELF && x->domid != d->domid)
			return -FX_EPERM;
		if (x->space == XENMAPSPACE_shared_info)
			return fx_map_shared_info(d, x->idx, x->gpfn);
		if (x->space < sizeof(fx_spaces) / sizeof(fx_spaces[0]) &&
		    fx_spaces[x->space] != NULL)
			return fx_spaces[x->space](d, x->idx, x->gpfn);
		return -FX_EINVAL;
	}
	return -FX_ENOSYS;
}

static long fx_vcpu_op(struct fx_domain *d, unsigned vcpu,
		       unsigned long cmd, unsigned long vcpuid,
		       unsigned long arg, unsigned long a4, unsigned long a5)
{
	(void)vcpu, (void)a4, (void)a5;
	if (vcpuid >= d->nr_vcpus)
		return -FX_ENOENT;
	if (cmd == VCPUOP_register_vcpu_info) {
		struct vcpu_register_vcpu_info *r = (void *)arg;
		struct fx_vcpu *v = &d->vcpu[vcpuid];

		/* Xen: the slot must fit in the page, once per vCPU. */
		if (r->offset + sizeof(struct vcpu_info) > 4096)
			return -FX_EINVAL;
		if (v->registered)
			return -FX_EINVAL;
		v->vcpu_info = (void *)((char *)fx_gfn_to_virt(r->mfn) +
					r->offset);
		v->registered = true;
		return 0;
	}
	if (cmd == VCPUOP_is_up)
		return 1;
	return -FX_ENOSYS;
}

static long fx_console_io(struct fx_domain *d, unsigned vcpu,
			  unsigned long cmd, unsigned long count,
			  unsigned long buf, unsigned long a4, unsigned long a5)
{
	(void)vcpu, (void)a4, (void)a5;
	if (cmd != CONSOLEIO_write)
		return -FX_ENOSYS;
	if (count > FX_CONSOLE_MAX - d->console_len)
		count = FX_CONSOLE_MAX - d->console_len;
	memcpy(d->console + d->console_len, (const void *)buf, count);
	d->console_len += (unsigned)count;
	return 0;
}

long fx_builtin_hvm_op(struct fx_domain *d, unsigned vcpu, unsigned long op,
		      unsigned long arg, unsigned long a3, unsigned long a4,
		      unsigned long a5)
{
	struct xen_hvm_param *p = (void *)arg;

	(void)vcpu, (void)a3, (void)a4, (void)a5;
	if (op != HVMOP_get_param && op != HVMOP_set_param)
		return -FX_ENOSYS;
	if (p->index >= HVM_NR_PARAMS)
		return -FX_EINVAL;
	if (p->domid != DOMID_SELF && p->domid != d->domid)
		return -FX_EPERM;
	if (op == HVMOP_get_param)
		p->value = d->hvm_param[p->index];
	else
		d->hvm_param[p->index] = p->value;
	return 0;
}

static long fx_sched_op(struct fx_domain *d, unsigned vcpu,
			unsigned long cmd, unsigned long arg,
			unsigned long a3, unsigned long a4, unsigned long a5)
{
	(void)d, (void)vcpu, (void)arg, (void)a3, (void)a4, (void)a5;
	return cmd == SCHEDOP_yield ? 0 : -FX_ENOSYS;
}

static fx_op_fn fx_builtin(unsigned long op)
{
	switch (op) {
	case __HYPERVISOR_xen_version:
		return fx_xen_version;
	case __HYPERVISOR_memory_op:
		return fx_memory_op;
	case __HYPERVISOR_vcpu_op:
		return fx_vcpu_op;
	case __HYPERVISOR_console_io:
		return fx_console_io;
	case __HYPERVISOR_hvm_op:
		return fx_builtin_hvm_op;
	case __HYPERVISOR_sched_op:
		return fx_sched_op;
	default:
		return NULL;
	}
}

/* ---- the host backend's entry points ------------------------------------ */

long xg_host_hypercall(unsigned long op, unsigned long a1, unsigned long a2,
		       unsigned long a3, unsigned long a4, unsigned long a5)
{
	struct fx_domain *d = fx_self;
	fx_op_fn fn;
	long rc;
	int err;

	if (d == NULL) {
		fprintf(stderr, "fakexen: hypercall %lu from a thread that "
				"runs no domain (fx_enter)\n", op);
		abort();
	}
	if (op >= FX_MAX_OPS)
		return -FX_ENOSYS;
	fx_lock();
	fx_counts[op][a1 < FX_MAX_CMDS ? a1 : FX_MAX_CMDS]++;
	err = fx_fault_check((unsigned)op, a1);
	if (err != 0) {
		fx_unlock();
		return -err;
	}
	fn = fx_ops[op] != NULL ? fx_ops[op] : fx_builtin(op);
	rc = fn != NULL ? fn(d, fx_self_vcpu, a1, a2, a3, a4, a5) : -FX_ENOSYS;
	fx_unlock();
	return rc;
}

bool xg_host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	uint32_t base = fx_cpuid_base;

	(void)subleaf;
	regs[0] = regs[1] = regs[2] = regs[3] = 0;
	if (base == 0 || leaf < base || leaf > base + 4)
		return true;
	switch (leaf - base) {
	case 0:
		regs[0] = base + 5;
		regs[1] = XEN_CPUID_SIGNATURE_EBX;
		regs[2] = XEN_CPUID_SIGNATURE_ECX;
		regs[3] = XEN_CPUID_SIGNATURE_EDX;
		break;
	case 1:
		regs[0] = fx_version;
		break;
	case 2:
		regs[0] = 1;
		regs[1] = 0x40000000u; /* hypercall page MSR */
		break;
	case 4:
		regs[0] = XEN_HVM_CPUID_VCPU_ID_PRESENT;
		regs[1] = fx_self_vcpu;
		break;
	}
	return true;
}
