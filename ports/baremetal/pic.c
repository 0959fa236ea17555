// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/* The interrupt framework, deferred work and waiting (see pic.h). */
#include "pic.h"
#include "arch.h"
#include "gic.h"
#include "smp.h"
#include "spinlock.h"
#include "timer.h"

struct intr_slot {
	intr_filter_t filter;
	void *arg;
};

static struct intr_slot intr_table[GIC_MAX_INTID];
static spinlock_t intr_lock;

static spinlock_t work_lock;
static struct work *work_head;

int intr_register(uint32_t intid, intr_filter_t filter, void *arg)
{
	uint64_t flags;
	int rc = 0;

	if (intid >= GIC_MAX_INTID || !filter)
		return -EINVAL;
	flags = spin_lock_irqsave(&intr_lock);
	if (intr_table[intid].filter) {
		rc = -EEXIST;
	} else {
		intr_table[intid].arg = arg;
		/* Publish the filter after its argument: the dispatcher on
		 * another CPU reads them without the lock. */
		__atomic_store_n(&intr_table[intid].filter, filter, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&intr_lock, flags);
	return rc;
}

void intr_enable(uint32_t intid)
{
	gic_enable(intid);
}

void intr_disable(uint32_t intid)
{
	gic_disable(intid);
}

void intr_dispatch(void)
{
	struct percpu *me = this_cpu();

	for (;;) {
		uint32_t intid = gic_ack();
		intr_filter_t filter;

		if (intid >= GIC_INTID_SPURIOUS)
			return; /* nothing (left) pending */
		me->irqs++;
		filter = __atomic_load_n(&intr_table[intid].filter, __ATOMIC_ACQUIRE);
		if (filter)
			filter(intid, intr_table[intid].arg);
		else
			me->spurious_irqs++; /* enabled but nobody listens */
		gic_eoi(intid);
	}
}

static void kick_filter(uint32_t intid, void *arg)
{
	(void)intid;
	(void)arg; /* taking the interrupt was the point: WFI returned */
}

void pic_init(void)
{
	intr_register(SGI_KICK, kick_filter, NULL);
}

void work_schedule(struct work *w, uint64_t delay_ns)
{
	uint64_t due = delay_ns ? timer_ticks() + timer_ns_to_ticks(delay_ns) : 0;
	uint64_t flags = spin_lock_irqsave(&work_lock);

	if (!w->queued) {
		w->due = due;
		w->next = work_head;
		work_head = w;
		w->queued = true;
	} else if (due < w->due) {
		w->due = due;
	}
	spin_unlock_irqrestore(&work_lock, flags);
}

/* Unlink and return one due item, or NULL. */
static struct work *work_take_due(uint64_t now)
{
	uint64_t flags = spin_lock_irqsave(&work_lock);
	struct work **pp, *w = NULL;

	for (pp = &work_head; *pp; pp = &(*pp)->next) {
		if ((*pp)->due <= now) {
			w = *pp;
			*pp = w->next;
			w->queued = false; /* it may requeue itself while running */
			break;
		}
	}
	spin_unlock_irqrestore(&work_lock, flags);
	return w;
}

unsigned work_run_pending(void)
{
	unsigned ran = 0;
	struct work *w;

	while ((w = work_take_due(timer_ticks())) != NULL) {
		w->fn(w);
		ran++;
	}
	return ran;
}

/* Earliest due time of queued work, 0 if none. */
static uint64_t work_next_due(void)
{
	uint64_t flags = spin_lock_irqsave(&work_lock);
	uint64_t next = 0;

	for (struct work *w = work_head; w; w = w->next) {
		uint64_t due = w->due ? w->due : 1;

		if (next == 0 || due < next)
			next = due;
	}
	spin_unlock_irqrestore(&work_lock, flags);
	return next;
}

bool cpu_wait_until(bool (*done)(void *arg), void *arg, uint64_t deadline)
{
	for (;;) {
		uint64_t wake, flags;

		work_run_pending();
		/* Check and sleep with interrupts masked: an interrupt that
		 * arrives after the check stays pending, so WFI returns at
		 * once instead of missing it. */
		flags = irq_save();
		if (done && done(arg)) {
			irq_restore(flags);
			return true;
		}
		if (deadline && timer_ticks() >= deadline) {
			irq_restore(flags);
			return false;
		}
		wake = work_next_due();
		if (deadline && (wake == 0 || deadline < wake))
			wake = deadline;
		timer_arm(wake);
		wfi();
		timer_arm(0);
		irq_restore(flags); /* the pending interrupt is taken here */
	}
}

__noreturn void idle_loop(void)
{
	irq_enable();
	for (;;)
		cpu_wait_until(NULL, NULL, 0);
}
