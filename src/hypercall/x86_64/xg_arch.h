/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * x86_64 (HVM and PVH guests): hypercalls, CPUID, MSR.
 *
 * Xen's guest ABI: number in rax, arguments in rdi rsi rdx r10 r8, result
 * in rax. The instruction is vmcall on Intel and vmmcall on AMD/Hygon;
 * the wrong one faults (or is emulated slowly), so the choice is made
 * once from the CPUID vendor string (hypercall_x86.c). A host may
 * instead install Xen's classic hypercall page and call into it; entry
 * n sits at page + 32 * n. Argument registers and rcx/r11 may be
 * clobbered.
 */
#ifndef XG_ARCH_H
#define XG_ARCH_H

#include <stdbool.h>
#include <stdint.h>

enum xg_x86_hc_mode {
	XG_X86_HC_UNKNOWN = 0, /* not chosen yet: first hypercall decides */
	XG_X86_HC_VMCALL,
	XG_X86_HC_VMMCALL,
	XG_X86_HC_PAGE,
};

extern enum xg_x86_hc_mode xg_x86_hc_mode_;
extern char *xg_x86_hc_page_;
void xg_x86_hc_choose_(void);

static inline bool xg_arch_cpuid(uint32_t leaf, uint32_t subleaf,
				 uint32_t regs[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(regs[0]), "=b"(regs[1]), "=c"(regs[2]),
			   "=d"(regs[3])
			 : "0"(leaf), "2"(subleaf));
	return true;
}

static inline void xg_arch_wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val),
			 "d"((uint32_t)(val >> 32))
			 : "memory");
}

static inline long xg_arch_hypercall(unsigned long op, unsigned long a1,
				     unsigned long a2, unsigned long a3,
				     unsigned long a4, unsigned long a5)
{
	register unsigned long r10 __asm__("r10") = a4;
	register unsigned long r8 __asm__("r8") = a5;
	unsigned long ret = op;

	if (__builtin_expect(xg_x86_hc_mode_ == XG_X86_HC_UNKNOWN, 0))
		xg_x86_hc_choose_();
	switch (xg_x86_hc_mode_) {
	case XG_X86_HC_VMMCALL:
		__asm__ volatile("vmmcall"
				 : "+a"(ret), "+D"(a1), "+S"(a2), "+d"(a3),
				   "+r"(r10), "+r"(r8)
				 :
				 : "rcx", "r11", "memory");
		break;
	case XG_X86_HC_PAGE:
		__asm__ volatile("call *%[entry]"
				 : "+a"(ret), "+D"(a1), "+S"(a2), "+d"(a3),
				   "+r"(r10), "+r"(r8)
				 : [entry] "r"(xg_x86_hc_page_ + 32 * op)
				 : "rcx", "r11", "memory");
		break;
	default:
		__asm__ volatile("vmcall"
				 : "+a"(ret), "+D"(a1), "+S"(a2), "+d"(a3),
				   "+r"(r10), "+r"(r8)
				 :
				 : "rcx", "r11", "memory");
		break;
	}
	return (long)ret;
}

#endif /* XG_ARCH_H */
