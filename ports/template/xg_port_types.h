/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Template port: the two types port.h needs. Copy this folder into your
 * kernel (e.g. sys/dev/xenguest/port/) and replace the definitions with
 * your kernel's: FreeBSD would use `struct mtx` (MTX_SPIN) and
 * `register_t`; an RTOS its spinlock and saved-DAIF/EFLAGS type.
 */
#ifndef XG_PORT_TYPES_H
#define XG_PORT_TYPES_H

#include <stdint.h>

/* An interrupt-safe spinlock. The template uses a plain word so that it
 * compiles anywhere; a real port wraps its kernel's spinlock. */
typedef struct {
	volatile uint32_t word;
} xg_port_lock_t;

/* Whatever the kernel's "disable interrupts" returns (DAIF, RFLAGS). */
typedef unsigned long xg_port_irqstate_t;

#endif /* XG_PORT_TYPES_H */
