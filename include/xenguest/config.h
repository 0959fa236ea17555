/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/**
 * DOC: compile-time configuration
 *
 * Every option has a default here. A kernel that vendors xenguest
 * overrides them either with -D flags or by defining XG_CONFIG_HEADER to
 * a header of its own (e.g. -DXG_CONFIG_HEADER='"my_xg_config.h"'), which
 * is included first. The Meson build generates such a header from its
 * options. Options are 0/1 unless stated; public structure layouts do not
 * depend on them, so a library and its users cannot disagree about sizes.
 */
#ifndef XENGUEST_CONFIG_H
#define XENGUEST_CONFIG_H

#ifdef XG_CONFIG_HEADER
#include XG_CONFIG_HEADER
#endif

/* 2-level event channel ABI (every Xen version). */
#ifndef XG_CONFIG_EVTCHN_2L
#define XG_CONFIG_EVTCHN_2L 1
#endif

/* FIFO event channel ABI (Xen 4.4+): 131072 ports, 16 priorities. */
#ifndef XG_CONFIG_EVTCHN_FIFO
#define XG_CONFIG_EVTCHN_FIFO 1
#endif

/* Grant table v2 as an option (v1 is always built and is the default). */
#ifndef XG_CONFIG_GNTTAB_V2
#define XG_CONFIG_GNTTAB_V2 1
#endif

/* Xenstore client and xenbus helpers. */
#ifndef XG_CONFIG_XENSTORE
#define XG_CONFIG_XENSTORE 1
#endif

/* Device-tree detection with libfdt (arm64 needs it; x86 may drop it). */
#ifndef XG_CONFIG_FDT
#define XG_CONFIG_FDT 1
#endif

/* Internal consistency checks that catch caller bugs (double free of a
 * grant reference, unlocking an unlocked lock, ...). They call
 * xg_port_panic(). Peer-controlled input never reaches an assert. */
#ifndef XG_CONFIG_ASSERT
#define XG_CONFIG_ASSERT 1
#endif

/* Most verbose log level compiled in (XG_LOG_* in port.h); messages
 * above it cost no code. */
#ifndef XG_CONFIG_LOG_LEVEL
#define XG_CONFIG_LOG_LEVEL 3
#endif

#if !XG_CONFIG_EVTCHN_2L && !XG_CONFIG_EVTCHN_FIFO
#error "xenguest: enable at least one event channel ABI: XG_CONFIG_EVTCHN_2L (works on every Xen) or XG_CONFIG_EVTCHN_FIFO"
#endif

#if XG_CONFIG_LOG_LEVEL < 0 || XG_CONFIG_LOG_LEVEL > 4
#error "xenguest: XG_CONFIG_LOG_LEVEL must be 0 (errors only) to 4 (debug); see XG_LOG_* in port.h"
#endif

#endif /* XENGUEST_CONFIG_H */
