/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The two types include/xenguest/port.h needs, as this kernel has them:
 * its IRQ-safe spinlock and the DAIF value irq_save() returns.
 */
#ifndef XG_PORT_TYPES_H
#define XG_PORT_TYPES_H

#include <stdint.h>
#include "spinlock.h"

typedef spinlock_t xg_port_lock_t;
typedef uint64_t xg_port_irqstate_t;

#endif /* XG_PORT_TYPES_H */
