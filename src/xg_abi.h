/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The one place that includes Xen's public headers. It sets
 * __XEN_INTERFACE_VERSION__ first: without it xen-compat.h silently
 * selects the legacy (0x00000000) interface, which renames grant_entry_v1
 * and hides grant table v2. 0x00040d00 (Xen 4.13) is the oldest
 * interface with everything the library uses; newer hypervisors accept
 * it, and older copies of the headers a kernel may point us at know it.
 * The headers include no system header and need <stdint.h> first.
 */
#ifndef XG_ABI_H
#define XG_ABI_H

#if defined(__XEN_INTERFACE_VERSION__) && __XEN_INTERFACE_VERSION__ != 0x00040d00
#error "xenguest: __XEN_INTERFACE_VERSION__ is set once, in src/xg_abi.h; do not define it on the command line"
#endif
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040d00
#endif

#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>

/* Xen's page size is 4 KiB on every architecture and host page size. */
#define XG_PAGE_SHIFT 12
#define XG_PAGE_SIZE (1u << XG_PAGE_SHIFT)

#endif /* XG_ABI_H */
