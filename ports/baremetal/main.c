// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * kmain(): the boot CPU's C entry, called by boot.S with the MMU on (boot
 * map: image + DTB only). Brings the kernel up in dependency order, then
 * runs the self-test.
 */
#include "arch.h"
#if BM_WITH_XENGUEST
#include "bm_xenguest.h"
#endif
#include "dt.h"
#include "gic.h"
#include "hypervisor.h"
#include "mmu.h"
#include "page.h"
#include "pic.h"
#include "psci.h"
#include "selftest.h"
#include "smp.h"
#include "timer.h"

/*
 * Debian's libfdt.a is built with -fstack-protector-strong: it reads the
 * canary from __stack_chk_guard (through the GOT, which boot.S relocates)
 * and calls __stack_chk_fail on a mismatch. The kernel itself is built
 * without the stack protector.
 */
uint64_t __stack_chk_guard = 0x595e9fbd94fda766UL;

__noreturn void __stack_chk_fail(void)
{
	panic("stack smashing detected (libfdt)");
}

static void check(int rc, const char *what)
{
	if (rc < 0)
		panic("%s failed: %d", what, rc);
}

/* Per-CPU setup every CPU runs on itself. */
static void cpu_local_init(void)
{
	check(gic_init_cpu(), "gic_init_cpu");
	timer_init_cpu();
	intr_enable(SGI_KICK);
}

/* 0 = xenguest up on the boot CPU, < 0 its error, 1 = not started (no
 * /hypervisor node, or a kernel built without the library). */
int xenguest_boot_rc = 1;
unsigned xenguest_gnttab_asked = 1; /* grant table version on the command line */

/* Secondary CPUs, from secondary_main() (MMU on, own stack). */
void kernel_secondary_start(void)
{
	cpu_local_init();
	irq_enable();
#if BM_WITH_XENGUEST
	if (xenguest_boot_rc == 0)
		this_cpu()->xenguest_rc = xenguest_cpu_init();
#endif
	smp_mark_online();
	selftest_secondary();
}

__noreturn void kmain(uintptr_t dtb, uintptr_t load_base)
{
	const void *fdt = (const void *)dtb;
	int rc;

	smp_early_init();
	/* No libfdt frame is live yet: the canary may still change. */
	__stack_chk_guard ^= read_sysreg(cntvct_el0) * 0x9e3779b97f4a7c15UL;
	kprintf("# xenguest bare-metal reference kernel: loaded at %#lx, DTB at %#lx\n",
		load_base, dtb);
	rc = fdt_check_header(fdt);
	if (rc != 0)
		panic("no valid device tree at %#lx: %s", dtb, fdt_strerror(rc));

	check(hypervisor_init(fdt), "hypervisor_init");
	check(mmu_init(fdt), "mmu_init");
	check(page_init(fdt), "page_init");
	check(smp_init(fdt), "smp_init");
	check(gic_init(fdt), "gic_init");
	pic_init();
	check(timer_init(fdt), "timer_init");
	check(psci_init(fdt), "psci_init");
	cpu_local_init();
	irq_enable();
#if BM_WITH_XENGUEST
	{
		/* "xgbm.evtchn_2l=1" forces the 2-level ABI (default: FIFO);
		 * "xgbm.gnttab_v2=1" selects grant table v2 (default: v1).
		 * One IPI slot per CPU, for the self-test's cross-CPU calls. */
		struct xg_evtchn_config cfg = {
			.abi = dt_bootarg_ulong(fdt, "xgbm.evtchn_2l", 0) ? XG_EVTCHN_ABI_2L
									  : XG_EVTCHN_ABI_AUTO,
			.nr_ipis = 1,
			.ipi_handler = selftest_ipi_handler,
		};
		xenguest_gnttab_asked = dt_bootarg_ulong(fdt, "xgbm.gnttab_v2", 0) ? 2 : 1;
		struct xg_gnttab_config gcfg = {
			.version = xenguest_gnttab_asked,
			.reclaimed = selftest_grant_reclaimed,
		};

		/* xenguest needs the /hypervisor node for its upcall PPI. */
		xenguest_boot_rc = xen_info.present ? xenguest_boot_init(fdt, &cfg, &gcfg) : 1;
	}
	/* A domU under a Linux dom0 (scripts/xen-linux): no bare-metal dom0
	 * collects the usual self-test, so only the xenstore tests run. */
	if (!xen_info.is_dom0 && dt_bootarg_ulong(fdt, "xgbm.xenstore", 0)) {
		selftest_xenstore(xenguest_boot_rc);
		idle_loop();
	}
	/* The same, for the blkfront example against Linux's xen-blkback. */
	if (!xen_info.is_dom0 && dt_bootarg_ulong(fdt, "xgbm.blkfront", 0)) {
		selftest_blkfront(xenguest_boot_rc);
		idle_loop();
	}
#endif

	selftest_main(fdt, load_base);
	/* selftest_main() powers dom0 off; a domU stays up for dom0 to
	 * collect its result. */
	idle_loop();
}
