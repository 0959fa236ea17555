/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* Assembler helpers shared by the .S files. */
#ifndef BM_ASM_H
#define BM_ASM_H

/* Address of a symbol, PC-relative (+-4 GiB): position independent and
 * correct whether the MMU is on or off in an identity-mapped kernel. */
	.macro	adr_l, reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
	.endm

#endif
