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
