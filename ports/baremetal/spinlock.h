/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Spinlocks. The lock word lives in Normal cacheable memory (exclusive
 * load/store is only architecturally reliable there). Waiters sleep in
 * WFE: unlock issues SEV, and under Xen a WFE traps and yields the vCPU,
 * so a waiter does not burn the physical CPU the lock holder may need.
 */
#ifndef BM_SPINLOCK_H
#define BM_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "arch.h"

typedef struct {
	uint32_t locked;
} spinlock_t;

#define SPINLOCK_INIT { 0 }

static inline bool spin_trylock(spinlock_t *l)
{
	return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void spin_lock(spinlock_t *l)
{
	while (!spin_trylock(l)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			__asm__ volatile("wfe" ::: "memory");
	}
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	dsb_ishst();                      /* the store is visible before... */
	__asm__ volatile("sev" ::: "memory"); /* ...waiters re-check it */
}

/* For data shared with interrupt handlers: mask IRQs on this CPU first,
 * or a handler that wants the lock would spin forever on its own CPU. */
static inline uint64_t spin_lock_irqsave(spinlock_t *l)
{
	uint64_t flags = irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, uint64_t flags)
{
	spin_unlock(l);
	irq_restore(flags);
}

#endif /* BM_SPINLOCK_H */
