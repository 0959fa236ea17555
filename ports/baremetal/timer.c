// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
#include "timer.h"
#include "arch.h"
#include "dt.h"
#include "pic.h"
#include "smp.h"

#define CNTV_CTL_ENABLE (1UL << 0)
#define CNTV_CTL_IMASK (1UL << 1)
#define NSEC_PER_SEC 1000000000UL
#define DEFAULT_VIRT_TIMER_INTID 27

static uint64_t freq;
static uint32_t virt_intid = DEFAULT_VIRT_TIMER_INTID;

uint64_t timer_ticks(void)
{
	isb(); /* do not let the read be speculated ahead of earlier code */
	return read_sysreg(cntvct_el0);
}

uint64_t timer_freq(void)
{
	return freq;
}

uint32_t timer_intid(void)
{
	return virt_intid;
}

/* ticks * 1e9 / freq without a 128-bit division (no libgcc here). */
uint64_t timer_ticks_to_ns(uint64_t ticks)
{
	return ticks / freq * NSEC_PER_SEC + ticks % freq * NSEC_PER_SEC / freq;
}

uint64_t timer_ns_to_ticks(uint64_t ns)
{
	return ns / NSEC_PER_SEC * freq + ns % NSEC_PER_SEC * freq / NSEC_PER_SEC;
}

uint64_t timer_ns(void)
{
	return timer_ticks_to_ns(timer_ticks());
}

void timer_arm(uint64_t deadline)
{
	if (deadline == 0) {
		write_sysreg(cntv_ctl_el0, 0);
	} else {
		write_sysreg(cntv_cval_el0, deadline);
		write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	}
	isb();
}

/* The timer's level-triggered output stays high while the deadline has
 * passed, so the filter switches the comparator off; whoever armed it
 * re-arms it if it still needs to wait. */
static void timer_filter(uint32_t intid, void *arg)
{
	(void)intid;
	(void)arg;
	write_sysreg(cntv_ctl_el0, CNTV_CTL_IMASK);
	isb();
	this_cpu()->timer_irqs++;
}

int timer_init(const void *fdt)
{
	int node = dt_find_compatible(fdt, "arm,armv8-timer");
	uint32_t intid;

	freq = read_sysreg(cntfrq_el0);
	if (freq == 0)
		return -EINVAL;
	/* "interrupts": secure phys, non-secure phys, virtual, hypervisor. */
	if (node >= 0 && dt_irq(fdt, node, 2, &intid, NULL) == 0)
		virt_intid = intid;
	return intr_register(virt_intid, timer_filter, NULL);
}

void timer_init_cpu(void)
{
	timer_arm(0);
	intr_enable(virt_intid);
}

void udelay(uint64_t us)
{
	uint64_t end = timer_ticks() + timer_ns_to_ticks(us * 1000);

	while (timer_ticks() < end)
		cpu_relax();
}

void timer_sleep_ns(uint64_t ns)
{
	cpu_wait_until(NULL, NULL, timer_ticks() + timer_ns_to_ticks(ns));
}
