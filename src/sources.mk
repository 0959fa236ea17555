# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# xenguest's source list for kernels with their own build system (lwIP's
# Filelists.mk idea). Paths are relative to the xenguest top folder.
# scripts/check-sources.sh checks in CI that this matches Meson's lists.
#
# Build:   $(XG_SRCS_CORE) $(XG_SRCS_ARCH_$(XG_ARCH)) plus the modules you
#          enable (each has a matching XG_CONFIG_* option, default on).
# Include: include/ src/ src/hypercall/$(XG_ARCH)/ your port's folder with
#          xg_port_types.h, the folder holding xen/ (Xen public headers)
#          and libfdt.h.
# XG_ARCH: arm64 or x86_64 (host is the test backend).

XG_SRCS_CORE := \
	src/core/error.c \
	src/core/cpuid.c \
	src/core/xen.c \
	src/hypercall/hypercall.c

# XG_CONFIG_FDT (needs libfdt)
XG_SRCS_FDT := \
	src/core/fdt.c

XG_SRCS_ARCH_arm64 := \
	src/hypercall/no_hypercall_page.c

XG_SRCS_ARCH_x86_64 := \
	src/hypercall/x86_64/hypercall_x86.c

XG_SRCS_ARCH_host := \
	src/hypercall/no_hypercall_page.c

# Grant tables (v1 always; v2.c with XG_CONFIG_GNTTAB_V2)
XG_SRCS_GNTTAB := \
	src/gnttab/gnttab.c \
	src/gnttab/alloc.c \
	src/gnttab/backend.c

XG_SRCS_GNTTAB_V2 := \
	src/gnttab/v2.c

# Event channels and the interrupt-source registry (always needed; the
# ABI files are empty unless XG_CONFIG_EVTCHN_2L / _FIFO is on). Reset,
# resume, lateeoi and PIRQ support are separate objects: a kernel that
# links the static library gets them only if it calls them.
XG_SRCS_EVTCHN := \
	src/evtchn/evtchn.c \
	src/evtchn/evtchn_2l.c \
	src/evtchn/evtchn_fifo.c \
	src/evtchn/evtchn_reset.c \
	src/intr/intr.c \
	src/intr/intr_lateeoi.c \
	src/intr/intr_pirq.c \
	src/intr/intr_resume.c

# XG_CONFIG_XENSTORE: xenstore client (request machine, watches, ring)
# and xenbus helpers
XG_SRCS_XENSTORE := \
	src/xenstore/xs.c \
	src/xenstore/xs_ops.c \
	src/xenstore/xs_watch.c \
	src/xenstore/xs_ring.c \
	src/xenstore/xs_store.c \
	src/xenstore/xenbus.c
