/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * FreeBSD port: the two types port.h asks for. The library's locks are
 * spin mutexes: they are taken in the upcall, and mtx_lock_spin() also
 * disables interrupts on the local CPU (and nests), so the saved state
 * the library threads through xg_port_lock()/xg_port_unlock() is unused.
 */
#ifndef XG_PORT_TYPES_H
#define XG_PORT_TYPES_H

#include <sys/param.h>
#include <sys/lock.h>
#include <sys/mutex.h>

typedef struct mtx xg_port_lock_t;
typedef int xg_port_irqstate_t;

#endif /* XG_PORT_TYPES_H */
