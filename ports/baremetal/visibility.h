/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Force-included into every C file (-include). In a position-independent
 * build GCC reaches symbols that might live in a shared library through
 * the GOT, which would need run-time relocation of every such access.
 * A kernel is one static image: declaring everything hidden lets GCC use
 * direct PC-relative addressing (adrp/add) instead.
 */
#pragma GCC visibility push(hidden)
