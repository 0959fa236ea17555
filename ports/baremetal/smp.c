// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * CPU enumeration and bring-up with PSCI CPU_ON (see smp.h).
 */
#include "smp.h"
#include "dt.h"
#include "gic.h"
#include "page.h"
#include "pic.h"
#include "psci.h"
#include "timer.h"

#define CPU_ON_TIMEOUT_NS 30000000000UL /* TCG on an overcommitted host is slow */

struct percpu cpus[MAX_CPUS];
unsigned ncpus = 1;
uintptr_t smp_stack_tops[MAX_CPUS];

extern char secondary_entry[];
void kernel_secondary_start(void); /* main.c: per-CPU setup after the MMU */

void smp_early_init(void)
{
	/* Until smp_init() knows the boot CPU's index, it uses slot 0. */
	cpus[0].mpidr = cpu_mpidr();
	write_sysreg(tpidr_el1, &cpus[0]);
}

int smp_cpu_index(uint64_t mpidr)
{
	for (unsigned i = 0; i < ncpus; i++) {
		if (cpus[i].mpidr == (mpidr & MPIDR_AFF_MASK))
			return (int)i;
	}
	return -ENOENT;
}

int smp_init(const void *fdt)
{
	int cpus_node = fdt_path_offset(fdt, "/cpus");
	struct percpu boot = cpus[0];
	unsigned n = 0;
	int node, self;

	if (cpus_node < 0)
		return -ENOENT;
	fdt_for_each_subnode(node, fdt, cpus_node) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		uint64_t reg, unused;

		if (!type || strcmp(type, "cpu") != 0)
			continue;
		if (dt_reg(fdt, node, 0, &reg, &unused) != 0)
			continue;
		if (n == MAX_CPUS) {
			kprintf("# smp: more than %d CPUs, using the first %d\n", MAX_CPUS, MAX_CPUS);
			break;
		}
		cpus[n] = (struct percpu){ .index = n, .mpidr = reg & MPIDR_AFF_MASK };
		n++;
	}
	if (n == 0)
		return -ENOENT;
	ncpus = n;
	self = smp_cpu_index(boot.mpidr);
	if (self < 0)
		return -ENOENT;
	/* Move the boot CPU's early state into its real slot. */
	boot.index = (unsigned)self;
	cpus[self] = boot;
	cpus[self].online = true;
	write_sysreg(tpidr_el1, &cpus[self]);
	return 0;
}

static bool cpu_is_online(void *arg)
{
	return __atomic_load_n(&((struct percpu *)arg)->online, __ATOMIC_ACQUIRE);
}

int smp_start_cpu(unsigned idx)
{
	struct percpu *c = &cpus[idx];
	void *stack;
	int rc;

	if (idx >= ncpus)
		return -EINVAL;
	if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
		return -EEXIST;
	stack = page_alloc(CPU_STACK_PAGES);
	if (!stack)
		return -ENOMEM;
	/* Read by boot.S after the new CPU's MMU is on: coherent, no
	 * cache maintenance needed (unlike mmu_secondary_regs). */
	smp_stack_tops[idx] = (uintptr_t)stack + CPU_STACK_PAGES * PAGE_SIZE;
	dsb_ish();
	/* Identity map: the entry's virtual address is its physical one. */
	rc = psci_cpu_on(c->mpidr, (uintptr_t)secondary_entry, idx);
	if (rc != PSCI_SUCCESS) {
		page_free(stack, CPU_STACK_PAGES);
		return rc == PSCI_ALREADY_ON ? -EEXIST : -EINVAL;
	}
	if (!cpu_wait_until(cpu_is_online, c, timer_ticks() + timer_ns_to_ticks(CPU_ON_TIMEOUT_NS)))
		return -ETIMEDOUT;
	return 0;
}

void smp_kick(unsigned idx)
{
	if (idx < ncpus)
		gic_send_sgi(SGI_KICK, cpus[idx].mpidr);
}

void smp_mark_online(void)
{
	struct percpu *me = this_cpu();

	__atomic_store_n(&me->online, true, __ATOMIC_RELEASE);
	/* Whoever started us sleeps in WFI until a deadline: wake it. */
	for (unsigned i = 0; i < ncpus; i++) {
		if (i != me->index && __atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE))
			smp_kick(i);
	}
}

__noreturn void secondary_main(unsigned idx)
{
	struct percpu *me = &cpus[idx];

	write_sysreg(tpidr_el1, me);
	kernel_secondary_start();
	idle_loop();
}
