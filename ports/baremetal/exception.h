/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
#ifndef BM_EXCEPTION_H
#define BM_EXCEPTION_H

#include "kernel.h"

/* Saved by vectors.S; field offsets are fixed there. */
struct trapframe {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

/* ESR_EL1 exception classes this kernel looks at. */
#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define EC_DABT_CUR 0x25 /* data abort at the current EL */
#define EC_BRK64 0x3c    /* BRK instruction */
#define ESR_ISS(esr) ((esr) & 0x1ffffff)
#define ESR_DFSC_IS_TRANSLATION(esr) (((esr) & 0x3c) == 0x04)

/*
 * A BRK hook: called for "brk #imm"; return true when handled, and
 * execution resumes after the BRK. Any other BRK is fatal.
 */
typedef bool (*brk_hook_t)(struct trapframe *tf, uint16_t imm);
void exception_set_brk_hook(brk_hook_t hook);

/* vectors.S: read a word that may not be mapped; 0 or -EFAULT. The
 * faulting ESR/FAR are left in this_cpu()->last_fault_{esr,far}. */
int probe_read64(uint64_t addr, uint64_t *val);

void exception_dispatch(unsigned long kind, struct trapframe *tf);

#endif /* BM_EXCEPTION_H */
