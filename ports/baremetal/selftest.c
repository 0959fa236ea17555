// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * Smoke test of the kernel itself: every test checks something that
 * would be visibly wrong if the mechanism were broken (a fault taken, an
 * interrupt counted, a CPU reporting in), never just "the call returned".
 *
 * Dom0 and the dom0less domUs run the same image. A domU ends by
 * granting dom0 a page holding its result (grant reference
 * RESULT_GREF); dom0 polls GNTTABOP_map_grant_ref for each domU named
 * by the "xgbm.domus=N" boot argument, reports each result as a test,
 * then shuts down, which makes Xen power the machine off.
 */
#include "selftest.h"
#include "arch.h"
#include "dt.h"
#include "exception.h"
#include "gic.h"
#include "hypervisor.h"
#include "mmu.h"
#include "page.h"
#include "pic.h"
#include "psci.h"
#include "smp.h"
#include "timer.h"
#include "xen_public.h"
#include "xchg.h"

#define TEXT_OFFSET 0x80000
#define UNMAPPED_VA 0x1000UL    /* nothing is mapped below the devices */
#define BRK_TEST_IMM 0x7e57
#define SGI_TEST 1
#define ATOMIC_ROUNDS 20000
#define MS 1000000UL            /* nanoseconds */
/* Deadlines that only bound a failure. Generous: on an overcommitted TCG
 * host (say 16 vCPUs on 2 host cores) a vCPU may wait seconds for a
 * physical CPU while the virtual counter runs on. */
#define SANITY_NS (30000 * MS)

static unsigned tap_number, tap_failed;

bool tap(bool ok, const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tap_number++;
	if (!ok)
		tap_failed++;
	kprintf("%sok %u - %s\n", ok ? "" : "not ", tap_number, buf);
	return ok;
}

unsigned tap_failures(void)
{
	return tap_failed;
}

/* ---- secondary CPUs' side ------------------------------------------- */

static struct {
	bool ready;       /* finished its own checks */
	bool identity_ok; /* TPIDR/MPIDR/index agree */
	bool timer_ok;    /* took its own timer PPI */
	bool atomics_done;
} sec[MAX_CPUS];

static uint64_t *atomic_counter; /* on a page from page_alloc() */
static bool atomic_go;

static bool flag_set(void *p)
{
	return __atomic_load_n((bool *)p, __ATOMIC_ACQUIRE);
}

static void sgi_test_filter(uint32_t intid, void *arg)
{
	(void)intid;
	(void)arg;
	__atomic_fetch_add(&this_cpu()->sgi_irqs, 1, __ATOMIC_RELAXED);
}

static void hammer_counter(void)
{
	for (int i = 0; i < ATOMIC_ROUNDS; i++)
		__atomic_fetch_add(atomic_counter, 1, __ATOMIC_RELAXED);
}

static void kick_others(void)
{
	for (unsigned i = 0; i < ncpus; i++) {
		if (i != this_cpu()->index && __atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE))
			smp_kick(i);
	}
}

/* Arm this CPU's timer @delay_ns ahead and spin, interrupts on, until
 * its PPI has been taken (the filter counts it). Spinning, not WFI: a
 * WFI may also end for another interrupt, which would prove nothing. */
static bool timer_roundtrip(uint64_t delay_ns, uint64_t *took_ns)
{
	uint64_t before = __atomic_load_n(&this_cpu()->timer_irqs, __ATOMIC_RELAXED);
	uint64_t t0 = timer_ticks(), deadline = t0 + timer_ns_to_ticks(delay_ns + SANITY_NS);
	bool fired = true;

	timer_arm(t0 + timer_ns_to_ticks(delay_ns));
	while (__atomic_load_n(&this_cpu()->timer_irqs, __ATOMIC_RELAXED) == before) {
		if (timer_ticks() > deadline) {
			fired = false;
			break;
		}
		cpu_relax();
	}
	timer_arm(0);
	*took_ns = timer_ticks_to_ns(timer_ticks() - t0);
	return fired && *took_ns >= delay_ns;
}

void selftest_secondary(void)
{
	struct percpu *me = this_cpu();
	unsigned i = me->index;
	uint64_t took;

	intr_enable(SGI_TEST);
	sec[i].identity_ok = me == &cpus[i] && smp_cpu_index(cpu_mpidr()) == (int)i;
	sec[i].timer_ok = timer_roundtrip(2 * MS, &took);
	kprintf("# cpu %u up: MPIDR %#lx, stack %p, GICR %#lx\n", i, me->mpidr,
		(void *)&me, me->gicr_rd);
	__atomic_store_n(&sec[i].ready, true, __ATOMIC_RELEASE);
	kick_others();

	cpu_wait_until(flag_set, &atomic_go, 0);
	hammer_counter();
	__atomic_store_n(&sec[i].atomics_done, true, __ATOMIC_RELEASE);
	kick_others();
}

/* ---- boot CPU's tests -------------------------------------------------- */

static bool is_bank_start(const void *fdt, uint64_t addr)
{
	uint64_t base, size;

	for (int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
	     node >= 0;
	     node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", 7)) {
		for (int i = 0; dt_reg(fdt, node, i, &base, &size) == 0; i++) {
			if (base == addr)
				return true;
		}
	}
	return false;
}

static void test_boot(const void *fdt, uintptr_t load_base)
{
	bool magic = memcmp(_head + 0x38, "ARM\x64", 4) == 0;
	bool placed = is_bank_start(fdt, load_base - TEXT_OFFSET);

	tap(magic && placed && load_base == (uintptr_t)_head,
	    "boot: %s Image at %#lx = RAM bank + text_offset, DTB %p (%u bytes), Xen %u.%u",
	    xen_info.is_dom0 ? "dom0" : "domU", load_base, fdt, fdt_totalsize(fdt),
	    xen_info.version >> 16, xen_info.version & 0xffff);
}

struct elf64_rela {
	uint64_t offset, info;
	int64_t addend;
};
extern const struct elf64_rela __rela_start[], __rela_end[];
extern uint64_t __stack_chk_guard;

static void test_relocation(void)
{
	size_t n = (size_t)(__rela_end - __rela_start);
	uint64_t *got_value;

	/* The GOT slot libfdt uses for the canary: boot.S must have
	 * relocated it to the canary's run-time address. */
	__asm__("adrp %0, :got:__stack_chk_guard\n\t"
		"ldr %0, [%0, :got_lo12:__stack_chk_guard]"
		: "=r"(got_value));
	tap(n > 0 && got_value == &__stack_chk_guard,
	    "self-relocation: %zu RELATIVE relocations applied, GOT entry -> %p", n,
	    (void *)got_value);
}

static void test_mmu(void)
{
	uint64_t sctlr = read_sysreg(sctlr_el1);
	int text = mmu_probe_attr((uintptr_t)_head);
	int stack = mmu_probe_attr((uintptr_t)&sctlr);
	int gicd = mmu_probe_attr(gic_dist_base());
	int ext = xen_info.n_ext ? mmu_probe_attr(xen_info.ext[0].base) : MAIR_NORMAL_WB;
	int hole = mmu_probe_attr(UNMAPPED_VA);

	tap((sctlr & 5) == 5 && text == MAIR_NORMAL_WB && stack == MAIR_NORMAL_WB &&
		    gicd == MAIR_DEVICE_nGnRE && ext == MAIR_NORMAL_WB && hole == -1,
	    "mmu: on (SCTLR %#lx); RAM attr %#x, GICD attr %#x, %s attr %#x, %#lx unmapped",
	    sctlr, text, gicd, xen_info.n_ext ? "extended region" : "(no extended region)",
	    ext, UNMAPPED_VA);
}

static void test_data_abort(void)
{
	uint64_t v = 0;
	int rc = probe_read64(UNMAPPED_VA, &v);
	uint64_t esr = this_cpu()->last_fault_esr;

	tap(rc == -EFAULT && ESR_EC(esr) == EC_DABT_CUR && ESR_DFSC_IS_TRANSLATION(esr) &&
		    this_cpu()->last_fault_far == UNMAPPED_VA,
	    "exceptions: read of unmapped %#lx -> data abort, ESR %#lx FAR %#lx, recovered",
	    UNMAPPED_VA, esr, this_cpu()->last_fault_far);
}

static unsigned brk_seen;
static uint64_t brk_esr;

static bool brk_hook(struct trapframe *tf, uint16_t imm)
{
	if (imm != BRK_TEST_IMM)
		return false;
	brk_seen++;
	brk_esr = tf->esr;
	return true;
}

static void test_brk(void)
{
	exception_set_brk_hook(brk_hook);
	__asm__ volatile("brk %0" ::"i"(BRK_TEST_IMM));
	exception_set_brk_hook(NULL);
	tap(brk_seen == 1 && ESR_EC(brk_esr) == EC_BRK64,
	    "exceptions: brk #%#x -> synchronous exception, ESR %#lx, resumed after it",
	    BRK_TEST_IMM, brk_esr);
}

static bool page_is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i])
			return false;
	}
	return true;
}

static bool outside_image_and_dtb(const void *p, size_t n, const void *fdt)
{
	uintptr_t a = (uintptr_t)p, e = a + n;
	uintptr_t f = (uintptr_t)fdt, fe = f + fdt_totalsize(fdt);

	return (e <= (uintptr_t)_head || a >= (uintptr_t)_end) && (e <= f || a >= fe);
}

static void test_pages(const void *fdt)
{
	size_t total = page_total_count(), before = page_free_count();
	uint8_t *a = page_alloc(1), *b = page_alloc(1), *c = page_alloc(8);
	bool ok = a && b && c && a != b;
	bool zeroed;

	ok = ok && IS_ALIGNED((uintptr_t)a, PAGE_SIZE) && IS_ALIGNED((uintptr_t)c, PAGE_SIZE);
	ok = ok && page_owns((uintptr_t)c, 8 * PAGE_SIZE) && outside_image_and_dtb(a, PAGE_SIZE, fdt) &&
	     outside_image_and_dtb(c, 8 * PAGE_SIZE, fdt);
	ok = ok && page_free_count() == before - 10;
	if (ok) {
		memset(a, 0xa5, PAGE_SIZE);
		c[8 * PAGE_SIZE - 1] = 1; /* the whole run is writable */
		page_free(a, 1);
		a = page_alloc(1); /* first fit: the same page, zeroed again */
		zeroed = a && page_is_zero(a, PAGE_SIZE);
		ok = zeroed && page_alloc(total + 1) == NULL;
	}
	if (a)
		page_free(a, 1);
	if (b)
		page_free(b, 1);
	if (c)
		page_free(c, 8);
	tap(ok && page_free_count() == before,
	    "page allocator: %zu pages (%zu MiB) free RAM; alloc/free/zero/contiguous/exhaustion ok",
	    total, total * PAGE_SIZE >> 20);
}

static void test_delay(void)
{
	uint64_t t0 = timer_ns(), elapsed;

	udelay(2000);
	elapsed = timer_ns() - t0;
	tap(timer_freq() && elapsed >= 2 * MS && elapsed < SANITY_NS,
	    "arch timer: CNTFRQ %lu Hz, udelay(2000) took %lu us", timer_freq(),
	    elapsed / 1000);
}

struct timed_work {
	struct work work;
	uint64_t ran_at_ns;
	bool ran;
	bool irqs_were_on;
};

static void timed_work_fn(struct work *w)
{
	struct timed_work *tw = (struct timed_work *)w;

	tw->ran_at_ns = timer_ns();
	tw->irqs_were_on = irqs_enabled();
	__atomic_store_n(&tw->ran, true, __ATOMIC_RELEASE);
}

static void test_timer_irq(void)
{
	uint64_t took;
	bool ok = timer_roundtrip(5 * MS, &took);

	tap(ok, "GIC+PIC: virtual timer PPI %u taken %lu us after arming it for 5000 us",
	    timer_intid(), took / 1000);
}

static void test_deferred_work(void)
{
	struct timed_work tw = { .ran = false };
	uint64_t t0 = timer_ns();
	bool ran;

	/* The waiting loop sleeps in WFI with the timer armed for the
	 * item's due time, then runs it in thread context. */
	work_init(&tw.work, timed_work_fn);
	work_schedule(&tw.work, 5 * MS);
	ran = cpu_wait_until(flag_set, &tw.ran, timer_ticks() + timer_ns_to_ticks(SANITY_NS));
	tap(ran && tw.irqs_were_on && tw.ran_at_ns - t0 >= 5 * MS,
	    "deferred work: queued for 5000 us, ran after %lu us in thread context",
	    (tw.ran_at_ns - t0) / 1000);
}

/* Send SGI_TEST to @cpu and wait for its handler to count it. */
static bool sgi_roundtrip(unsigned cpu)
{
	uint64_t before = __atomic_load_n(&cpus[cpu].sgi_irqs, __ATOMIC_RELAXED);
	uint64_t deadline = timer_ticks() + timer_ns_to_ticks(SANITY_NS);

	gic_send_sgi(SGI_TEST, cpus[cpu].mpidr);
	while (__atomic_load_n(&cpus[cpu].sgi_irqs, __ATOMIC_RELAXED) == before) {
		if (timer_ticks() > deadline)
			return false;
		timer_sleep_ns(1 * MS);
	}
	return true;
}

static void test_sgi_self(void)
{
	bool ok = sgi_roundtrip(this_cpu()->index);

	tap(ok, "GIC: SGI %d to self delivered through ICC_SGI1R_EL1 / ICC_IAR1_EL1", SGI_TEST);
}

static void test_psci(void)
{
	uint32_t v = psci_version();
	int again = PSCI_ALREADY_ON;
	unsigned other = this_cpu()->index == 0 ? 1 : 0;

	/* Asking PSCI to start a CPU that is running must fail. */
	if (ncpus > 1 && cpus[other].online)
		again = psci_cpu_on(cpus[other].mpidr, 0, 0);
	tap(psci_uses_hvc() && v >= 0x2 && again == PSCI_ALREADY_ON,
	    "PSCI %u.%u over HVC; CPU_ON of a running CPU -> ALREADY_ON (%d)", v >> 16,
	    v & 0xffff, again);
}

static void test_secondary(unsigned i)
{
	struct percpu *c = &cpus[i];
	bool ready = cpu_wait_until(flag_set, &sec[i].ready,
				    timer_ticks() + timer_ns_to_ticks(SANITY_NS));
	bool sgi = ready && sgi_roundtrip(i);

	tap(c->online && ready && sec[i].identity_ok && sec[i].timer_ok && sgi,
	    "cpu %u (MPIDR %#lx) started by PSCI CPU_ON: per-CPU data %d, own timer PPI %d, "
	    "SGI from cpu %u %d",
	    i, c->mpidr, sec[i].identity_ok, sec[i].timer_ok, this_cpu()->index, sgi);
}

static bool all_secondaries_done(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < ncpus; i++) {
		if (i != this_cpu()->index && cpus[i].online &&
		    !__atomic_load_n(&sec[i].atomics_done, __ATOMIC_ACQUIRE))
			return false;
	}
	return true;
}

static void test_atomics(void)
{
	unsigned online = 0;
	uint64_t cas_old = 5;
	bool cas_ok, done;

	atomic_counter = page_alloc(1);
	if (!atomic_counter) {
		tap(false, "atomics: no page");
		return;
	}
	for (unsigned i = 0; i < ncpus; i++)
		online += cpus[i].online;
	/* compare-and-swap: fails on a stale value, succeeds on the right one */
	*atomic_counter = 7;
	cas_ok = !__atomic_compare_exchange_n(atomic_counter, &cas_old, 9, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) &&
		 cas_old == 7 &&
		 __atomic_compare_exchange_n(atomic_counter, &cas_old, 0, false,
					     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	__atomic_store_n(&atomic_go, true, __ATOMIC_RELEASE);
	kick_others();
	hammer_counter();
	done = cpu_wait_until(all_secondaries_done, NULL,
			      timer_ticks() + timer_ns_to_ticks(SANITY_NS));
	tap(cas_ok && done && *atomic_counter == (uint64_t)online * ATOMIC_ROUNDS,
	    "atomics (exclusive load/store on Normal memory): %u CPUs x %d increments = %lu",
	    online, ATOMIC_ROUNDS, *atomic_counter);
	page_free(atomic_counter, 1);
}

/* ---- dom0 <-> domU rendezvous and completion handshake ---------------- */

/* domU without the library: grant the page through a grant table of its
 * own (frame 0 only, v1), as a kernel would before any driver exists. */
static int domu_grant_raw(uint64_t gfn)
{
	/* Grant frame 0 goes where Xen suggests (/hypervisor reg 0), or over
	 * a page of our RAM when there is no /hypervisor node. */
	uint64_t frame = xen_info.grant_region.size ? xen_info.grant_region.base
						    : (uintptr_t)page_alloc(1);
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_grant_table,
		.idx = 0,
		.gpfn = frame >> PAGE_SHIFT,
	};
	volatile struct grant_entry_v1 *gt = (volatile struct grant_entry_v1 *)(uintptr_t)frame;
	long rc;

	if (!frame)
		return -ENOMEM;
	rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp);
	if (rc)
		return (int)rc;
	gt[XCHG_GREF].domid = 0;
	gt[XCHG_GREF].frame = (uint32_t)gfn;
	dmb_ish(); /* domid and frame before the flags that make it valid */
	gt[XCHG_GREF].flags = GTF_permit_access;
	return 0;
}

static struct xchg_page *xchg;

/* domU: grant dom0 the exchange page, before the cross-domain tests. */
static void domu_publish_xchg(void)
{
	bool lib = false;
	int rc;

	xchg = page_alloc(1);
	if (!xchg) {
		tap(false, "exchange page for dom0: no memory");
		return;
	}
	memcpy(xchg->magic, XCHG_MAGIC, sizeof(XCHG_MAGIC));
	xchg->ncpus = ncpus;
#if BM_WITH_XENGUEST
	lib = xenguest_boot_rc == 0;
#endif
	if (lib) {
#if BM_WITH_XENGUEST
		rc = selftest_xdom_domu_prepare(xchg);
#endif
	} else {
		rc = domu_grant_raw((uintptr_t)xchg >> PAGE_SHIFT);
	}
	tap(rc == 0, "exchange page granted to dom0 at gref %d (%s, grant table v%u): rc %d",
	    XCHG_GREF, lib ? "xenguest" : "own grant table", lib ? xchg->gnttab_version : 1, rc);
	if (rc)
		xchg = NULL;
}

/* domU: the final result, for dom0 to report. */
static void domu_publish_result(void)
{
	if (!xchg)
		return;
	xchg->planned = tap_number;
	xchg->passed = tap_number - tap_failed;
	xchg->failed = tap_failed;
	XCHG_STORE(xchg->done, 1);
}

/* dom0: map domain @domid's exchange page at @va; false until granted. */
static bool dom0_map_xchg(unsigned domid, uint64_t va, uint32_t *handle)
{
	struct gnttab_map_grant_ref map = {
		.host_addr = va,
		.flags = GNTMAP_host_map,
		.ref = XCHG_GREF,
		.dom = (domid_t)domid,
	};

	if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &map, 1) != 0 ||
	    map.status != GNTST_okay)
		return false;
	*handle = map.handle;
	return true;
}

static void dom0_unmap_xchg(uint64_t va, uint32_t handle)
{
	struct gnttab_unmap_grant_ref unmap = { .host_addr = va, .handle = handle };

	HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &unmap, 1);
}

static bool xchg_done(void *arg)
{
	return XCHG_LOAD(((struct xchg_page *)arg)->done) != 0;
}

static void dom0_serve(unsigned domid, uint64_t deadline, uint64_t wait_ms)
{
	uint64_t va = hypervisor_alloc_foreign_space(1);
	struct xchg_page *x = (struct xchg_page *)(uintptr_t)va;
	struct xchg_page r;
	uint32_t handle = 0;
	bool mapped, done;

	while (!(mapped = va && dom0_map_xchg(domid, va, &handle)) && timer_ticks() < deadline)
		timer_sleep_ns(10 * MS);
	/* The page is another domain's: check the magic before trusting
	 * anything else in it. */
	mapped = mapped && memcmp(x->magic, XCHG_MAGIC, sizeof(XCHG_MAGIC)) == 0;
#if BM_WITH_XENGUEST
	selftest_xdom_dom0(domid, mapped ? x : NULL);
#endif
	if (!mapped) {
		tap(false, "d%u reported its self-test result (no exchange page within %lu ms)",
		    domid, wait_ms);
		return;
	}
	done = xchg_done(x);
	while (!done && timer_ticks() < deadline) {
		timer_sleep_ns(10 * MS);
		done = xchg_done(x);
	}
	/* Copy once, then judge the copy only. */
	memcpy(&r, x, sizeof(r));
	dom0_unmap_xchg(va, handle);
	tap(done && r.failed == 0 && r.passed == r.planned && r.planned > 0,
	    "d%u reported its self-test result: %u passed, %u failed of %u, %u CPUs", domid,
	    r.passed, r.failed, r.planned, r.ncpus);
}

/* ---- main ------------------------------------------------------------------ */

void selftest_main(const void *fdt, uintptr_t load_base)
{
	unsigned ndomus = xen_info.is_dom0 ? (unsigned)dt_bootarg_ulong(fdt, "xgbm.domus", 0) : 0;
#if BM_WITH_XENGUEST
	unsigned xenguest_tests = selftest_xenguest_count();
	unsigned xdom_tests = selftest_xdom_count();

	selftest_xdom_flood = (unsigned)dt_bootarg_ulong(fdt, "xgbm.flood", selftest_xdom_flood);
#else
	unsigned xenguest_tests = 0;
	unsigned xdom_tests = 0;
#endif
	uint64_t wait_ms = dt_bootarg_ulong(fdt, "xgbm.wait_ms", 120000);
	int rc;

	/* dom0: per domU its cross-domain tests and its result; a domU: the
	 * exchange page and its side of the cross-domain tests. */
	kprintf("1..%u\n", 12 + (ncpus - 1) + xenguest_tests + (1 + xdom_tests) *
						(xen_info.is_dom0 ? ndomus : 1));
	intr_register(SGI_TEST, sgi_test_filter, NULL);
	intr_enable(SGI_TEST);
	/* One CPU first: nothing but the tests' own interrupts arrives. */
	test_boot(fdt, load_base);
	test_relocation();
	test_mmu();
	test_data_abort();
	test_brk();
	test_pages(fdt);
	test_delay();
	test_timer_irq();
	test_deferred_work();
	test_sgi_self();

	for (unsigned i = 0; i < ncpus; i++) {
		if (i != this_cpu()->index && (rc = smp_start_cpu(i)) != 0)
			kprintf("# cpu %u did not start: %d\n", i, rc);
	}
	test_psci();
	for (unsigned i = 0; i < ncpus; i++) {
		if (i != this_cpu()->index)
			test_secondary(i);
	}
	test_atomics();
#if BM_WITH_XENGUEST
	selftest_xenguest(xenguest_boot_rc);
#endif

	if (!xen_info.is_dom0) {
		domu_publish_xchg();
#if BM_WITH_XENGUEST
		selftest_xdom_domu(xchg);
#endif
		domu_publish_result();
		kprintf("# domU done after %lu ms\n", timer_ns() / MS);
		return;
	}
	if (ndomus) {
		uint64_t deadline = timer_ticks() + timer_ns_to_ticks(wait_ms * MS);

		kprintf("# dom0: waiting up to %lu ms for %u domU(s)\n", wait_ms, ndomus);
		for (unsigned d = 1; d <= ndomus; d++)
			dom0_serve(d, deadline, wait_ms);
	}
	kprintf("# dom0 done after %lu ms: %u of %u tests failed; powering off\n",
		timer_ns() / MS, tap_failed, tap_number);
	kernel_halt(false);
}
