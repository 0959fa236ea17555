/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Entry points: the arm64 Image header, the boot CPU's entry from Xen and
 * the secondary CPUs' entry from PSCI CPU_ON.
 *
 * Xen loads an arm64 "Image" at <start of the domain's first RAM bank> +
 * text_offset (dom0, mapped 1:1: 0x70080000 on QEMU virt; a dom0less
 * domU: 0x40080000) and enters it at EL1 with the MMU off and x0 = the
 * physical address of the device tree. The kernel is linked at 0 as a
 * position-independent executable and relocates itself (applies its
 * R_AARCH64_RELATIVE relocations) before running any C code.
 */

#include "asm.h"

#define R_AARCH64_RELATIVE	1027
#define CPACR_FPEN_ALL		(3 << 20)	/* no FP/SIMD traps at EL1/EL0 */

	.section .text.head, "ax"
	.globl	_head
_head:
	b	primary_entry		/* code0: the loader jumps here */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset: load offset in the RAM bank */
	.quad	_end - _head		/* image_size, including .bss */
	.quad	0xa			/* flags: little endian, 4K pages, any 2M-aligned base */
	.quad	0, 0, 0			/* res2..res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE/COFF header */

	.text
primary_entry:
	msr	daifset, #0xf		/* nothing may interrupt early boot */
	mov	x19, x0			/* x19 = DTB address */
	adr	x20, _head		/* x20 = load address = relocation offset (linked at 0) */

	/* 1. Relocate: for each Elf64_Rela {offset, info, addend} of type
	 * RELATIVE, store load address + addend at load address + offset.
	 * The build checks that there is no other type; hang if one shows. */
	adr_l	x1, __rela_start
	adr_l	x2, __rela_end
1:	cmp	x1, x2
	b.hs	2f
	ldp	x3, x4, [x1], #16	/* r_offset, r_info */
	ldr	x5, [x1], #8		/* r_addend */
	cmp	w4, #R_AARCH64_RELATIVE
	b.ne	.			/* unsupported relocation: stop here */
	add	x5, x5, x20
	str	x5, [x20, x3]
	b	1b

	/* 2. Zero .bss (16-byte aligned by the linker script). */
2:	adr_l	x1, __bss_start
	adr_l	x2, __bss_end
3:	cmp	x1, x2
	b.hs	4f
	stp	xzr, xzr, [x1], #16
	b	3b

	/* 3. A stack, FP/SIMD access (libfdt from Debian is compiled with
	 * SIMD; kernel code itself is built -mgeneral-regs-only), vectors. */
4:	adr_l	x1, boot_stack_top
	mov	sp, x1
	mov	x1, #CPACR_FPEN_ALL
	msr	cpacr_el1, x1
	adr_l	x1, exception_vectors
	msr	vbar_el1, x1
	isb

	/* 4. Build the boot page tables (C, still with the MMU off). */
	mov	x0, x20
	mov	x1, x19
	bl	mmu_early_init

	/* 5. Everything above was written with the MMU off, straight to
	 * memory. Invalidate the image's cache lines so no stale line can
	 * shadow it once the caches are on. */
	adr_l	x0, _head
	adr_l	x1, _end
	bl	dcache_inval_range

	/* 6. MMU on, then C. */
	adr_l	x0, mmu_boot_regs
	bl	mmu_enable
	mov	x0, x19
	mov	x1, x20
	bl	kmain
5:	wfi
	b	5b

/*
 * Secondary CPUs: PSCI CPU_ON enters here at EL1, MMU off, with x0 = the
 * context id, which smp.c sets to the CPU's index. The MMU registers were
 * cleaned to memory by the boot CPU; the stack is read after the MMU is on.
 */
	.globl	secondary_entry
secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	mov	x1, #CPACR_FPEN_ALL
	msr	cpacr_el1, x1
	adr_l	x1, exception_vectors
	msr	vbar_el1, x1
	isb
	adr_l	x0, mmu_secondary_regs
	bl	mmu_enable
	adr_l	x1, smp_stack_tops
	ldr	x1, [x1, x19, lsl #3]
	mov	sp, x1
	mov	x0, x19
	bl	secondary_main
6:	wfi
	b	6b

/*
 * mmu_enable(const struct mmu_regs *r): program MAIR, TCR, TTBR0 and turn
 * on SCTLR_EL1.{M,C,I}. Uses no stack (secondaries have none yet).
 */
mmu_enable:
	ldp	x1, x2, [x0]		/* mair, tcr */
	msr	mair_el1, x1
	msr	tcr_el1, x2
	ldp	x1, x2, [x0, #16]	/* ttbr0, sctlr */
	msr	ttbr0_el1, x1
	isb
	tlbi	vmalle1			/* no stale translations from before */
	dsb	nsh
	isb
	msr	sctlr_el1, x2
	isb
	ic	iallu			/* drop instructions fetched uncached */
	dsb	nsh
	isb
	ret

/* dcache_inval_range(start, end): invalidate to the point of coherency. */
dcache_inval_range:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		/* DminLine: log2(words) */
	mov	x2, #4
	lsl	x2, x2, x3		/* line size in bytes */
	sub	x3, x2, #1
	bic	x0, x0, x3
7:	dc	ivac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	7b
	dsb	sy
	ret

	.bss
	.balign	16
boot_stack:
	.space	16384
boot_stack_top:
