/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Exception vectors. Every entry saves a struct trapframe (exception.h)
 * on the current stack and calls exception_dispatch(kind, tf); the
 * handler may change tf->elr (to skip or redirect the faulting
 * instruction) before the registers are restored and ERET returns.
 * Interrupts stay masked in handlers (no nesting).
 */
#include "asm.h"

#define TF_SIZE		288	/* x0..x30, sp, elr, spsr, esr, far */
#define TF_SP		248
#define TF_ELR		256
#define TF_ESR		272

	.macro	ventry kind
	.balign	0x80
	sub	sp, sp, #TF_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	exception_entry
	.endm

	.text
	.balign	0x800
	.globl	exception_vectors
exception_vectors:
	/* kind = 4 * source + type; type: 0 sync, 1 IRQ, 2 FIQ, 3 SError */
	ventry	0	/* current EL with SP_EL0 */
	ventry	1
	ventry	2
	ventry	3
	ventry	4	/* current EL with SP_EL1: where this kernel runs */
	ventry	5
	ventry	6
	ventry	7
	ventry	8	/* lower EL, AArch64 (no EL0 code here: unexpected) */
	ventry	9
	ventry	10
	ventry	11
	ventry	12	/* lower EL, AArch32 */
	ventry	13
	ventry	14
	ventry	15

exception_entry:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x1, sp, #TF_SIZE	/* the interrupted code's sp */
	stp	x30, x1, [sp, #240]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #TF_ELR]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	stp	x1, x2, [sp, #TF_ESR]
	mov	x1, sp
	bl	exception_dispatch

	ldp	x1, x2, [sp, #TF_ELR]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #TF_SIZE
	eret

/*
 * int probe_read64(uint64_t addr, uint64_t *val): read a 64-bit word
 * that may not be mapped. A data abort at probe_read64_insn is turned
 * by exception.c into a return of -EFAULT (an "exception table" of one
 * entry, like copyin()/fuword() in BSD kernels).
 */
	.globl	probe_read64, probe_read64_insn, probe_read64_fixup
probe_read64:
probe_read64_insn:
	ldr	x2, [x0]
	str	x2, [x1]
	mov	x0, #0
	ret
probe_read64_fixup:
	mov	x0, #-14		/* -EFAULT */
	ret
