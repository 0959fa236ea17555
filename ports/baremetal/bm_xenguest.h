/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * How this kernel brings xenguest up (port.c implements the hooks of
 * include/xenguest/port.h and these two calls).
 */
#ifndef BM_XENGUEST_H
#define BM_XENGUEST_H

#include <xenguest/core.h>
#include <xenguest/evtchn.h>
#include <xenguest/gnttab.h>

extern struct xg_xen xg_xen;
extern struct xg_evtchn xg_ev;
extern struct xg_gnttab xg_gt;
extern struct xg_cpu xg_cpus[];            /* indexed by CPU index */
extern struct xg_evtchn_cpu xg_ev_cpus[];

/* Boot CPU, after the kernel is up (interrupts on): xg_xen_init(),
 * xg_evtchn_init() with @cfg (may be NULL), xg_intr_cpu_init(), then
 * xg_gnttab_init() with @gcfg (may be NULL).
 * Returns 0 or an XG_E* code. */
int xenguest_boot_init(const void *fdt, const struct xg_evtchn_config *cfg,
		       const struct xg_gnttab_config *gcfg);

/* Each secondary CPU, on itself, once it takes interrupts: enables the
 * upcall PPI here and runs xg_intr_cpu_init(). */
int xenguest_cpu_init(void);

/* Statistics of the port, for the self-test. */
unsigned long xenguest_upcall_raises(void);
long xenguest_isrcs_outstanding(void);
void xenguest_dump_cpu(const char *why);
void xenguest_dump_port(uint32_t port);

/* Grant table v2 was asked for and Xen refused it (XG_E*; 0 = not so):
 * xenguest_boot_init() then carries on with v1. */
extern int xenguest_gnttab_v2_rc;

#endif /* BM_XENGUEST_H */
