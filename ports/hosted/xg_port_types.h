/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Hosted (POSIX threads) port: the types port.h asks for. A mutex stands
 * in for the spinlock so ThreadSanitizer and helgrind understand it;
 * "interrupts" are a per-thread disable depth (see port_hosted.c).
 */
#ifndef XG_PORT_TYPES_H
#define XG_PORT_TYPES_H

#include <pthread.h>

typedef struct {
	pthread_mutex_t mutex;
	int initialised; /* lock used before xg_port_lock_init() is a bug */
} xg_port_lock_t;

/* The simulated interrupt-disable depth before the lock was taken. */
typedef unsigned xg_port_irqstate_t;

#endif /* XG_PORT_TYPES_H */
