/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/**
 * DOC: xenguest
 *
 * Portable Xen guest primitives for BSD and RTOS kernels. Include this
 * umbrella header, or only the module headers you use. The host kernel
 * implements the contract in <xenguest/port.h>.
 */
#ifndef XENGUEST_XENGUEST_H
#define XENGUEST_XENGUEST_H

#define XG_VERSION_MAJOR 0
#define XG_VERSION_MINOR 1
#define XG_VERSION_PATCH 0
#define XG_VERSION \
	((XG_VERSION_MAJOR << 16) | (XG_VERSION_MINOR << 8) | XG_VERSION_PATCH)

#include <xenguest/config.h>
#include <xenguest/error.h>
#include <xenguest/port.h>
#include <xenguest/hypercall.h>
#include <xenguest/core.h>
#include <xenguest/xenstore.h>
#include <xenguest/xenbus.h>
#include <xenguest/evtchn.h>
#include <xenguest/intr.h>
#include <xenguest/gnttab.h>

#endif /* XENGUEST_XENGUEST_H */
