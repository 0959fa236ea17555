/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The arm generic timer, virtual view: CNTVCT_EL0 counts at CNTFRQ_EL0
 * and each CPU has a one-shot comparator (CNTV_CVAL_EL0) that raises the
 * virtual timer PPI (INTID 27 on QEMU virt and under Xen). The virtual
 * counter is what Xen gives guests (it starts near 0 at domain creation).
 */
#ifndef BM_TIMER_H
#define BM_TIMER_H

#include "kernel.h"

/* Boot CPU: frequency and interrupt from the device tree. */
int timer_init(const void *fdt);
/* Every CPU: comparator off, its PPI enabled. */
void timer_init_cpu(void);

uint64_t timer_ticks(void);
uint64_t timer_freq(void);
uint64_t timer_ns(void);
uint64_t timer_ns_to_ticks(uint64_t ns);
uint64_t timer_ticks_to_ns(uint64_t ticks);
uint32_t timer_intid(void);

/* Fire the timer interrupt on this CPU once the counter reaches
 * @deadline (ticks); 0 disarms. Used by the waiting code. */
void timer_arm(uint64_t deadline);

/* Busy-wait (no interrupts needed). */
void udelay(uint64_t us);

/* Sleep in WFI for @ns (interrupts must be enabled). */
void timer_sleep_ns(uint64_t ns);

#endif /* BM_TIMER_H */
