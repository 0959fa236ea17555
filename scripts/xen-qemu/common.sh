# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Shared by mkdtb.sh and run.sh (sourced, not run).
# shellcheck shell=bash disable=SC2034
#
# The DTB handed to Xen must be QEMU's own DTB for exactly the machine
# options used at boot (mkdtb.sh dumps it with dumpdtb=), so the machine
# string lives here once.

# GICv3 (Xen's vGIC for arm64 guests), EL2 for Xen.
XG_QEMU_MACHINE=virt,virtualization=on,gic-version=3

# Guest kernels are placed in the machine's RAM (0x40000000..) by QEMU's
# generic loader and described to Xen as multiboot modules: dom0's at
# 0x47000000, domU N's 2 MiB further up per N. Xen copies each one into
# its domain, so these only need to stay clear of Xen itself (loaded low
# by QEMU, then relocated by Xen to the top of RAM) and of each other.
xg_module_addr() { # domain number (0 = dom0)
	printf '0x%x' $((0x47000000 + $1 * 0x200000))
}
XG_MODULE_MAX_SIZE=$((0x200000))
