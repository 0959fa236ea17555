/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * FreeBSD port: what the port files share. xg_port_freebsd.c holds the
 * library instance and the port hooks that do not depend on the
 * interrupt framework; xg_intrng_arm64.c (INTRNG) or xg_intr_x86.c (x86
 * struct pic) adds the interrupt-source and upcall hooks.
 */
#ifndef XG_FREEBSD_H
#define XG_FREEBSD_H

#include <sys/param.h>
#include <sys/malloc.h>

#include <xenguest/core.h>
#include <xenguest/evtchn.h>
#include <xenguest/intr.h>

#include "xg_fbsd_glue.h"

MALLOC_DECLARE(M_XENGUEST);

/* The library instance (one guest, one instance). */
extern struct xg_xen xg_fbsd_xen;
extern struct xg_evtchn xg_fbsd_ev;
extern struct xg_fbsd_glue xg_fbsd_glue;

/*
 * Bring the library up on the boot CPU: xg_xen_init() with @fdt (arm: the
 * device-tree blob; NULL on x86), the glue's pool (@create, @reuse,
 * @limit), xg_evtchn_init() (which calls xg_port_upcall_attach()) and
 * xg_intr_cpu_init() for the boot CPU. The other CPUs are brought up by
 * a SYSINIT once SMP is running. Returns 0 or a FreeBSD errno.
 * Thread context, boot CPU, before any Xen device attaches.
 */
int xg_fbsd_start(const void *fdt, unsigned limit, xg_fbsd_create_fn *create,
		  xg_fbsd_reuse_fn *reuse);

/* True once xg_fbsd_start() succeeded. */
bool xg_fbsd_started(void);

#endif /* XG_FREEBSD_H */
