// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * Smoke test of xenguest through this port, under real Xen: detection
 * from the device tree, bring-up on every CPU, shared_info, event
 * channels delivered by the upcall PPI (to the boot CPU and to another
 * CPU), IPIs between vCPUs (each one's vcpu_info in use), an unmask that
 * re-raises the upcall, the deferred work queue, and unbinding. Needs a
 * /hypervisor node (dom0, or a domU with xen,enhanced); elsewhere each
 * test is reported as a TAP SKIP. selftest_xdom.c tests two domains.
 */
#include <xenguest/error.h>
#include <xenguest/gnttab.h>
#include <xenguest/intr.h>

#include "arch.h"
#include "bm_xenguest.h"
#include "hypervisor.h"
#include "page.h"
#include "pic.h"
#include "selftest.h"
#include "smp.h"
#include "timer.h"
#include "xen_public.h"

#define MS 1000000UL
#define WAIT_NS (30000 * MS) /* bounds a failure only (see selftest.c) */

#define XG_TESTS 10
#define IPI_ROUNDS 50

/* What a source's handler saw. */
struct probe {
	uint64_t hits;
	unsigned last_cpu;
	bool irqs_were_masked;
};

static int probe_handler(struct xg_isrc *isrc, void *arg)
{
	struct probe *p = arg;

	(void)isrc;
	p->last_cpu = this_cpu()->index;
	p->irqs_were_masked = !irqs_enabled();
	__atomic_fetch_add(&p->hits, 1, __ATOMIC_RELEASE);
	xg_port_wakeup(p); /* the waiter may sleep on another CPU */
	return XG_ISRC_HANDLED;
}

struct hits_above {
	struct probe *p;
	uint64_t before;
};

static bool probe_hit(void *arg)
{
	struct hits_above *h = arg;

	return __atomic_load_n(&h->p->hits, __ATOMIC_ACQUIRE) > h->before;
}

/* Send on @from and wait (xg_port_wait) until @to's handler ran. */
static bool notify_and_wait(struct xg_isrc *from, struct probe *to)
{
	struct hits_above h = { to, __atomic_load_n(&to->hits, __ATOMIC_ACQUIRE) };

	if (xg_intr_notify(from) != 0)
		return false;
	if (xg_port_wait(to, probe_hit, &h, WAIT_NS) == 0)
		return true;
	xenguest_dump_cpu("event not delivered");
	return false;
}

unsigned selftest_xenguest_count(void)
{
	return XG_TESTS;
}

static void skip_all(const char *why)
{
	for (int i = 0; i < XG_TESTS; i++)
		tap(true, "xenguest # SKIP %s", why);
}

static void test_bringup(int boot_rc)
{
	unsigned up = 0, online = 0;

	for (unsigned i = 0; i < ncpus; i++) {
		online += cpus[i].online;
		up += cpus[i].online && cpus[i].xenguest_rc == 0;
	}
	tap(boot_rc == 0 && xg_xen.version == xen_info.version &&
		    xg_xen_is_dom0(&xg_xen) == xen_info.is_dom0 && up == online,
	    "xenguest: up on %u of %u CPUs (boot rc %d), Xen %u.%u, %s event channels, "
	    "upcall PPI %u, grant table v%u (%u of %u frames)",
	    up, online, boot_rc, xg_xen.version >> 16, xg_xen.version & 0xffff,
	    xg_ev.abi == XG_EVTCHN_ABI_FIFO ? "FIFO" : "2-level", xen_info.upcall_intid,
	    xg_gt.version, xg_gt.nr_frames, xg_gt.max_frames);
}

/* The version the command line asked for, or a clean refusal of v2 by
 * Xen on arm (XSA-268 disabled it) and v1 instead. */
static void test_gnttab_version(void)
{
	struct xg_gnttab_stats st;
	bool refused = xenguest_gnttab_asked == 2 && xenguest_gnttab_v2_rc == XG_ENOSYS;

	xg_gnttab_stats(&xg_gt, &st);
	tap(st.nr_frames >= 1 &&
		    (xg_gt.version == xenguest_gnttab_asked || (refused && xg_gt.version == 1)),
	    "xenguest: grant table v%u asked for, v%u in use (%u frames mapped, %u refs free)%s",
	    xenguest_gnttab_asked, xg_gt.version, st.nr_frames, st.free,
	    refused ? ": Xen/arm refused v2 (GNTTABOP_set_version -> ENOSYS, XSA-268)" : "");
}

/* The library's own device-tree probe must agree with the kernel's
 * (hypervisor.c) on everything the port relies on. */
static void test_detection(void)
{
	const struct xg_fdt_info *f = &xg_xen.fdt;
	uint32_t dt_version = f->version_major << 16 | f->version_minor;

	tap(xg_xen.have_fdt && dt_version == xen_info.version && f->have_irq &&
		    f->evtchn_intid == xen_info.upcall_intid &&
		    f->grant_region.base == xen_info.grant_region.base &&
		    f->grant_region.size == xen_info.grant_region.size &&
		    f->ext_count == xen_info.n_ext,
	    "xenguest: detected from the device tree: xen,xen-%u.%u, event PPI %u, grant "
	    "region %#lx+%#lx, %u extended regions",
	    f->version_major, f->version_minor, f->evtchn_intid, f->grant_region.base,
	    f->grant_region.size, f->ext_count);
}

/* ---- IPIs: each vCPU's upcall, hence its own vcpu_info ------------------- */

static struct {
	uint64_t hits;
	uint64_t wrong_cpu;
} ipi_seen[MAX_CPUS];

/* The IPI slot main.c binds on every CPU. A secondary answers the boot
 * CPU with an IPI of its own: both directions between vCPUs. */
int selftest_ipi_handler(struct xg_isrc *isrc, void *arg)
{
	unsigned me = this_cpu()->index;

	(void)arg;
	if (isrc->cpu != me || isrc->type != XG_ISRC_IPI)
		__atomic_fetch_add(&ipi_seen[me].wrong_cpu, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&ipi_seen[me].hits, 1, __ATOMIC_RELEASE);
	if (me != 0)
		xg_intr_ipi_send(&xg_ev, 0, 0);
	xg_port_wakeup(ipi_seen);
	return XG_ISRC_HANDLED;
}

struct ipi_wait {
	unsigned cpu;
	uint64_t before;
};

static bool ipi_arrived(void *arg)
{
	struct ipi_wait *w = arg;

	return __atomic_load_n(&ipi_seen[w->cpu].hits, __ATOMIC_ACQUIRE) > w->before;
}

/* Send IPI slot 0 to @cpu and wait for the boot CPU's hit: the answer
 * from @cpu, or the IPI itself when @cpu is the boot CPU. */
static bool ipi_roundtrip(unsigned cpu)
{
	struct ipi_wait w = { 0, __atomic_load_n(&ipi_seen[0].hits, __ATOMIC_ACQUIRE) };

	if (xg_intr_ipi_send(&xg_ev, cpu, 0) != 0)
		return false;
	if (xg_port_wait(ipi_seen, ipi_arrived, &w, WAIT_NS) == 0)
		return true;
	xenguest_dump_cpu("IPI answer not delivered");
	return false;
}

static void test_ipis(void)
{
	unsigned cpus_ok = 0, online = 0, rounds = 0;
	uint64_t upcalls_before[MAX_CPUS];
	bool distinct = true;

	for (unsigned i = 0; i < ncpus; i++)
		upcalls_before[i] = xg_ev_cpus[i].upcalls;
	for (unsigned i = 0; i < ncpus; i++) {
		uint64_t hits = __atomic_load_n(&ipi_seen[i].hits, __ATOMIC_ACQUIRE);
		bool ok = cpus[i].online && xg_cpus[i].online && xg_cpus[i].vcpu_info;

		if (!cpus[i].online)
			continue;
		online++;
		for (unsigned r = 0; ok && r < IPI_ROUNDS; r++, rounds++)
			ok = ipi_roundtrip(i);
		/* Every IPI ran on its own CPU, through that CPU's upcall,
		 * which reads that CPU's registered vcpu_info. */
		ok = ok && __atomic_load_n(&ipi_seen[i].hits, __ATOMIC_ACQUIRE) - hits >= IPI_ROUNDS &&
		     ipi_seen[i].wrong_cpu == 0 && xg_ev_cpus[i].upcalls > upcalls_before[i];
		for (unsigned j = 0; j < i; j++)
			distinct = distinct && xg_cpus[j].vcpu_info != xg_cpus[i].vcpu_info;
		cpus_ok += ok;
	}
	tap(cpus_ok == online && distinct,
	    "xenguest: IPIs (library IPI binding) cpu %u <-> each vCPU, %u rounds: handled on "
	    "%u of %u vCPUs, each through its own upcall and vcpu_info",
	    this_cpu()->index, rounds, cpus_ok, online);
}

static struct probe pa, pb;
static struct xg_isrc *src_a, *src_b;
static long isrcs_before; /* the IPI sources stay bound */

static void test_loopback(void)
{
	int rc;

	isrcs_before = xenguest_isrcs_outstanding();
	rc = xg_intr_alloc_unbound(&xg_ev, DOMID_SELF, "test-a", probe_handler, &pa,
				   XG_INTR_ENABLE, &src_a);
	bool ab = false, ba = false;

	if (rc == 0)
		rc = xg_intr_bind_interdomain(&xg_ev, DOMID_SELF, src_a->port, "test-b",
					      probe_handler, &pb, XG_INTR_ENABLE, &src_b);
	if (rc == 0) {
		ab = notify_and_wait(src_b, &pa);
		ba = notify_and_wait(src_a, &pb);
	}
	tap(rc == 0 && ab && ba && pa.irqs_were_masked && pb.irqs_were_masked,
	    "xenguest: loopback event channel %u <-> %u, both directions through the upcall "
	    "(rc %d)",
	    src_a ? src_a->port : 0, src_b ? src_b->port : 0, rc);
}

static bool bit_set(const xen_ulong_t *map, uint32_t bit)
{
	return (__atomic_load_n(&map[bit / (8 * sizeof(xen_ulong_t))], __ATOMIC_ACQUIRE) >>
		(bit % (8 * sizeof(xen_ulong_t)))) & 1;
}

/* shared_info is the page Xen writes: with 2-level events the pending
 * bit of a masked port appears in its evtchn_pending bitmap. */
static void test_shared_info(void)
{
	const struct shared_info *si = xg_xen.shared_info;
	bool fifo = xg_ev.abi == XG_EVTCHN_ABI_FIFO, seen_raw = false, pending;
	struct hits_above h = { &pa, 0 };
	bool delivered;

	if (!src_a || !src_b || !si) {
		tap(false, "xenguest: shared_info (no ports)");
		return;
	}
	xg_intr_disable(src_a);
	h.before = __atomic_load_n(&pa.hits, __ATOMIC_ACQUIRE);
	xg_intr_notify(src_b);
	udelay(2000);
	pending = xg_evtchn_is_pending(&xg_ev, src_a->port);
	if (!fifo)
		seen_raw = bit_set(si->evtchn_pending, src_a->port) &&
			   bit_set(si->evtchn_mask, src_a->port);
	xg_intr_enable(src_a);
	delivered = xg_port_wait(&pa, probe_hit, &h, WAIT_NS) == 0;
	tap(pending && (fifo || seen_raw) && delivered && page_owns((uintptr_t)si, PAGE_SIZE),
	    "xenguest: shared_info at gfn %#lx (wc_version %u, wc_sec %u): masked port %u "
	    "pending%s, delivered on unmask",
	    (uintptr_t)si >> PAGE_SHIFT, si->wc_version, si->wc_sec, src_a->port,
	    fifo ? " (FIFO: in the event array)" : " and masked in shared_info's bitmaps");
}

static void test_other_cpu(void)
{
	unsigned target = this_cpu()->index == 0 ? 1 : 0;
	bool delivered;
	int rc;

	if (ncpus < 2 || !src_a || !src_b || !cpus[target].online) {
		tap(true, "xenguest: event on another CPU # SKIP one CPU");
		return;
	}
	rc = xg_intr_bind_cpu(src_a, target);
	delivered = rc == 0 && notify_and_wait(src_b, &pa);
	tap(delivered && pa.last_cpu == target,
	    "xenguest: port %u moved to cpu %u, its event handled there (rc %d, ran on cpu %u)",
	    src_a->port, target, rc, pa.last_cpu);
	if (rc == 0)
		xg_intr_bind_cpu(src_a, this_cpu()->index);
}

/* Mask a port, let an event arrive, unmask: the library finds it pending
 * and must get the upcall to run again (xg_port_upcall_raise() here, or a
 * hypercall), or the event is lost. */
static void test_unmask_pending(void)
{
	struct hits_above h = { &pa, 0 };
	unsigned long raises = xenguest_upcall_raises();
	bool held, delivered;

	if (!src_a || !src_b) {
		tap(false, "xenguest: unmask of a pending port (no ports)");
		return;
	}
	xg_intr_disable(src_a);
	h.before = __atomic_load_n(&pa.hits, __ATOMIC_ACQUIRE);
	xg_intr_notify(src_b);
	held = xg_port_wait(&pa, probe_hit, &h, 20 * MS) == XG_ETIMEDOUT;
	xg_intr_enable(src_a);
	delivered = xg_port_wait(&pa, probe_hit, &h, WAIT_NS) == 0;
	tap(held && delivered,
	    "xenguest: masked port held its event, unmask delivered it (%lu upcall raises)",
	    xenguest_upcall_raises() - raises);
}

struct timed_item {
	struct xg_work w;
	uint64_t ran_at;
	bool ran;
	bool irqs_on;
};

static void timed_item_fn(struct xg_work *w)
{
	struct timed_item *t = (struct timed_item *)w;

	t->ran_at = timer_ns();
	t->irqs_on = irqs_enabled();
	__atomic_store_n(&t->ran, true, __ATOMIC_RELEASE);
	xg_port_wakeup(t); /* any idle CPU may have run it */
}

static bool item_ran(void *arg)
{
	return __atomic_load_n(&((struct timed_item *)arg)->ran, __ATOMIC_ACQUIRE);
}

static void test_work(void)
{
	struct timed_item t = { .w = { .fn = timed_item_fn } };
	uint64_t t0 = timer_ns();
	bool ran;

	xg_xen_work_queue(&xg_xen, &t.w, 3 * MS);
	ran = xg_port_wait(&t, item_ran, &t, WAIT_NS) == 0;
	tap(ran && t.irqs_on && t.ran_at - t0 >= 3 * MS,
	    "xenguest: deferred work queued for 3000 us ran after %lu us via the port's worker",
	    (t.ran_at - t0) / 1000);
}

static void test_unbind(void)
{
	int ra = src_a ? xg_intr_unbind(src_a) : -1;
	int rb = src_b ? xg_intr_unbind(src_b) : -1;

	tap(ra == 0 && rb == 0 && xenguest_isrcs_outstanding() == isrcs_before,
	    "xenguest: both sources unbound and returned to the port (rc %d/%d, %ld left, "
	    "%ld before)", ra, rb, xenguest_isrcs_outstanding(), isrcs_before);
}

void selftest_xenguest(int boot_rc)
{
	if (boot_rc == 1) {
		skip_all("no /hypervisor node (domU without xen,enhanced)");
		return;
	}
	test_bringup(boot_rc);
	if (boot_rc != 0) {
		for (int i = 1; i < XG_TESTS; i++)
			tap(false, "xenguest: not initialised");
		return;
	}
	test_detection();
	test_gnttab_version();
	test_ipis();
	test_loopback();
	test_shared_info();
	test_other_cpu();
	test_unmask_pending();
	test_work();
	test_unbind();
}
