/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * A minimal interrupt framework, the shape BSD kernels use:
 *
 *  - a table of filters, one per INTID: a filter runs in interrupt
 *    context with interrupts masked, does the minimum (acknowledge the
 *    source, note what happened) and may schedule deferred work;
 *  - deferred work items, run later in thread context from the idle
 *    loop (or any waiting loop) with interrupts enabled;
 *  - waiting: sleep in WFI until an interrupt, a deadline or a kick.
 *
 * The kernel has no scheduler: each CPU runs one flow of control and
 * waits for events in cpu_wait_until().
 */
#ifndef BM_PIC_H
#define BM_PIC_H

#include "kernel.h"

typedef void (*intr_filter_t)(uint32_t intid, void *arg);

/* Install @filter for @intid (one per INTID; PPIs and SGIs use the same
 * filter on every CPU). -EEXIST if taken, -EINVAL if out of range. */
int intr_register(uint32_t intid, intr_filter_t filter, void *arg);

/* Enable @intid on the calling CPU (SGI/PPI) or route it here (SPI). */
void intr_enable(uint32_t intid);
void intr_disable(uint32_t intid);

/* Called by the IRQ vector: acknowledge, filter and EOI every pending
 * interrupt. */
void intr_dispatch(void);

/* ---- deferred work ---- */

struct work {
	struct work *next;
	void (*fn)(struct work *w);
	uint64_t due;      /* counter ticks; 0 = as soon as possible */
	bool queued;
};

static inline void work_init(struct work *w, void (*fn)(struct work *w))
{
	*w = (struct work){ .fn = fn };
}

/* Queue @w to run in thread context no sooner than @delay_ns from now.
 * If it is already queued the earlier due time wins (kicks coalesce).
 * Context: any, including interrupt. */
void work_schedule(struct work *w, uint64_t delay_ns);

/* Run the work items that are due; returns how many ran.
 * Context: thread, interrupts enabled. */
unsigned work_run_pending(void);

/* ---- waiting ---- */

/* Wait until @done(@arg) is true or the counter reaches @deadline
 * (ticks, 0 = no deadline). Sleeps in WFI between interrupts and runs
 * due work. Returns true if @done became true.
 * Context: thread, interrupts enabled. */
bool cpu_wait_until(bool (*done)(void *arg), void *arg, uint64_t deadline);

/* What a CPU does when it has nothing else to do. */
__noreturn void idle_loop(void);

/* SGI used to wake a CPU out of WFI; its filter does nothing. */
#define SGI_KICK 0

void pic_init(void);

#endif /* BM_PIC_H */
