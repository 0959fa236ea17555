// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * Exception handling: IRQs go to the interrupt framework; synchronous
 * exceptions are either expected (a BRK the self-test plants, a fault in
 * probe_read64()) or fatal: print ESR/ELR/FAR and the registers, halt.
 */
#include "exception.h"
#include "pic.h"
#include "smp.h"

enum { SRC_SP0, SRC_SPX, SRC_LOWER64, SRC_LOWER32 };
enum { TYPE_SYNC, TYPE_IRQ, TYPE_FIQ, TYPE_SERROR };

extern char probe_read64_insn[], probe_read64_fixup[];
static brk_hook_t brk_hook;

void exception_set_brk_hook(brk_hook_t hook)
{
	brk_hook = hook;
}

static const char *ec_name(unsigned ec)
{
	switch (ec) {
	case 0x00: return "unknown/undefined instruction";
	case 0x07: return "FP/SIMD access trapped";
	case 0x15: return "SVC";
	case 0x16: return "HVC";
	case 0x17: return "SMC";
	case 0x18: return "system register trap";
	case 0x21: return "instruction abort";
	case 0x22: return "PC alignment fault";
	case EC_DABT_CUR: return "data abort";
	case 0x26: return "SP alignment fault";
	case 0x2f: return "SError";
	case EC_BRK64: return "BRK";
	default: return "other";
	}
}

static __noreturn void fatal_exception(unsigned long kind, struct trapframe *tf)
{
	/* Arrays of characters, not of pointers: a table of pointers would
	 * need load-time relocation, which this kernel avoids in its own code. */
	static const char type[][12] = { "synchronous", "IRQ", "FIQ", "SError" };
	static const char source[][14] = { "EL1/SP0", "EL1", "EL0 (AArch64)", "EL0 (AArch32)" };
	unsigned ec = ESR_EC(tf->esr);

	/* panic() prints without taking the console lock; print the whole
	 * state first with the same unlocked path. */
	kprintf("*** unexpected %s exception from %s on cpu %u\n", type[kind & 3],
		source[(kind >> 2) & 3], this_cpu() ? this_cpu()->index : 0);
	kprintf("*** ESR_EL1=%#lx (EC %#x: %s, ISS %#lx)\n", tf->esr, ec, ec_name(ec),
		(unsigned long)ESR_ISS(tf->esr));
	kprintf("*** ELR_EL1=%#lx FAR_EL1=%#lx SPSR_EL1=%#lx SP=%#lx\n", tf->elr, tf->far,
		tf->spsr, tf->sp);
	for (int i = 0; i < 31; i += 4) {
		kprintf("***  x%-2d %016lx x%-2d %016lx x%-2d %016lx x%-2d %016lx\n",
			i, tf->x[i], i + 1, tf->x[i + 1], i + 2, tf->x[i + 2],
			i + 3, i + 3 < 31 ? tf->x[i + 3] : 0);
	}
	panic("unhandled exception (ESR %#lx at ELR %#lx, FAR %#lx)", tf->esr, tf->elr, tf->far);
}

static void handle_sync(unsigned long kind, struct trapframe *tf)
{
	unsigned ec = ESR_EC(tf->esr);

	if (ec == EC_BRK64 && brk_hook && brk_hook(tf, (uint16_t)ESR_ISS(tf->esr))) {
		tf->elr += 4; /* ELR points at the BRK itself */
		return;
	}
	if (ec == EC_DABT_CUR && tf->elr == (uintptr_t)probe_read64_insn) {
		this_cpu()->last_fault_esr = tf->esr;
		this_cpu()->last_fault_far = tf->far;
		tf->elr = (uintptr_t)probe_read64_fixup;
		return;
	}
	fatal_exception(kind, tf);
}

void exception_dispatch(unsigned long kind, struct trapframe *tf)
{
	if (kind == SRC_SPX * 4 + TYPE_SYNC)
		handle_sync(kind, tf);
	else if (kind == SRC_SPX * 4 + TYPE_IRQ)
		intr_dispatch();
	else
		fatal_exception(kind, tf);
}
