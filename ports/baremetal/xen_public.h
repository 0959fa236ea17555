/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Xen's public headers (Debian libxen-dev, /usr/include/xen) as this
 * kernel uses them; also included by hypercall.S.
 *
 * __XEN_INTERFACE_VERSION__ must be set before the first Xen header: a
 * guest that does not set it silently gets the pre-3.2 interface, where
 * e.g. __HYPERVISOR_sched_op names the old compat hypercall (6, not 29),
 * which Xen on arm does not implement. Same version as xenguest
 * (src/xg_abi.h).
 */
#ifndef BM_XEN_PUBLIC_H
#define BM_XEN_PUBLIC_H

#define __XEN_INTERFACE_VERSION__ 0x00040d00

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif
#include <xen/xen.h>
#ifndef __ASSEMBLY__
#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/version.h>
#endif

#endif /* BM_XEN_PUBLIC_H */
