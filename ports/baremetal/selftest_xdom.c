// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * xenguest between two domains under real Xen: dom0 and each domU meet
 * on the domU's exchange page (xchg.h) and run, in lock step:
 *
 *   1. interdomain events both ways, lock-step (each event acknowledged
 *      by an event back), taken as the upcall GIC PPI;
 *   2. the same while the receiver moves its port from vCPU to vCPU
 *      after every event (xg_intr_bind_cpu()): none may be lost, and
 *      every event that brings nothing new is counted as a duplicate;
 *   3. close and rebind cycles of an interdomain channel;
 *   4. grants from the domU (v1 or v2 by boot argument) mapped, written
 *      and copied by dom0 (xg_gnttab_map/copy);
 *   5. ending access while dom0 still maps a page: EBUSY, deferred by
 *      xg_gnttab_end_access_free(), reclaimed once dom0 unmaps;
 *   6. a split driver: an io/ring.h request/response ring on a granted
 *      page plus an event channel, frontend in the domU, backend in
 *      dom0, every payload checked both ways, requests per second.
 *
 * Each side prints its own TAP line per test. Steps are numbered: a side
 * publishes the step it reached and waits for the peer's (barrier()),
 * with a time limit, so a dead peer fails the tests instead of hanging.
 */
#include <xenguest/error.h>
#include <xenguest/gnttab.h>
#include <xenguest/intr.h>

#include "arch.h"
#include "bm_xenguest.h"
#include "hypervisor.h"
#include "page.h"
#include "selftest.h"
#include "smp.h"
#include "timer.h"
#include "xchg.h"
#include "xen_public.h"

/* io/ring.h wants the barriers named; Normal memory, inner shareable. */
#define xen_mb() __asm__ volatile("dmb ish" ::: "memory")
#define xen_rmb() __asm__ volatile("dmb ishld" ::: "memory")
#define xen_wmb() __asm__ volatile("dmb ishst" ::: "memory")
#include <xen/io/ring.h>

#define MS 1000000UL
#define STEP_NS (60000 * MS)   /* a barrier: bounds a dead peer only */
#define EVENT_NS (5000 * MS)   /* one acknowledgement */
#define TURN_NS (600000 * MS)  /* a domU waiting for dom0 to serve it */
#define PINGS 100              /* lock-step events per direction */
/* Events while the receiver rebinds, by default; "xgbm.flood=N" on both
 * sides' command lines changes it (selftest.c). */
#define FLOOD 1000
#define CYCLES 20              /* close/rebind cycles */
#define GRANT_PAGES 4
#define RING_REQUESTS 4000
#define PAYLOAD_WORDS 12

#define XDOM_TESTS 9

unsigned selftest_xdom_flood = FLOOD;

unsigned selftest_xdom_count(void)
{
	return XDOM_TESTS;
}

/* ---- the two halves of the exchange page ---------------------------------- */

static struct xchg_page *xp;
static struct xchg_side *me, *peer; /* peer: read with XCHG_LOAD only */
static unsigned peer_dom;
static bool peer_lost;
static uint32_t step;

static bool peer_reached(void *arg)
{
	return XCHG_LOAD(peer->step) >= *(uint32_t *)arg;
}

/* Poll (the peer writes memory, it sends no event) until @fn(@arg) or
 * @ns pass. */
static bool poll_until(bool (*fn)(void *), void *arg, uint64_t ns)
{
	uint64_t deadline = timer_ticks() + timer_ns_to_ticks(ns), nap = MS / 10;

	/* Back off to 5 ms naps: a domU waiting for its turn while dom0
	 * serves another one should not keep waking up (each wakeup is a
	 * trip through Xen, expensive under emulation). */
	while (!fn(arg)) {
		if (timer_ticks() > deadline)
			return false;
		timer_sleep_ns(nap);
		nap = MIN(nap * 2, 5 * MS);
	}
	return true;
}

/* Publish the next step and wait (up to @ns) until the peer has reached
 * it too. */
static bool barrier_within(uint64_t ns)
{
	step++;
	XCHG_STORE(me->step, step);
	if (peer_lost)
		return false;
	if (!poll_until(peer_reached, &step, ns)) {
		kprintf("# xdom: peer d%u never reached step %u\n", peer_dom, step);
		peer_lost = true;
	}
	return !peer_lost;
}

static bool barrier(void)
{
	return barrier_within(STEP_NS);
}

/* ---- events: lock-step sequence numbers ------------------------------------- */

/* What this side's handler of the test channel saw. */
static struct {
	uint64_t calls;      /* handler runs */
	uint64_t fresh;      /* the peer's next sequence number */
	uint64_t skipped;    /* a jump in the peer's sequence: events merged */
	uint64_t dups;       /* runs that brought nothing new */
	uint64_t acks;       /* the peer acknowledged our sequence number */
	uint64_t irqs_on;    /* runs with interrupts enabled (must be 0) */
	uint64_t per_cpu[MAX_CPUS];
	uint32_t peer_ack;   /* last acknowledgement seen */
} evs;
static struct xg_isrc *ev_src;

#define INC(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)
#define GET(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)

/* Runs in the upcall. A fresh sequence number is acknowledged by writing
 * it back and sending an event; an acknowledgement wakes the sender. */
static int xdom_event(struct xg_isrc *isrc, void *arg)
{
	uint32_t seq = XCHG_LOAD(peer->seq), ack = XCHG_LOAD(peer->ack);
	bool useful = false;

	(void)arg;
	INC(evs.calls);
	INC(evs.per_cpu[this_cpu()->index]);
	if (irqs_enabled())
		INC(evs.irqs_on);
	if (seq != me->ack) {
		if (seq == me->ack + 1)
			INC(evs.fresh);
		else
			INC(evs.skipped);
		XCHG_STORE(me->ack, seq);
		xg_intr_notify(isrc);
		useful = true;
		xg_port_wakeup(&evs);
	}
	if (ack != evs.peer_ack) {
		evs.peer_ack = ack;
		INC(evs.acks);
		useful = true;
		xg_port_wakeup(&evs);
	}
	if (!useful)
		INC(evs.dups);
	return XG_ISRC_HANDLED;
}

struct count_target {
	uint64_t *counter;
	uint64_t target;
};

static bool count_reached(void *arg)
{
	struct count_target *t = arg;

	return GET(*t->counter) >= t->target;
}

/* Send @n events in lock step: each waits for the peer's acknowledgement
 * (an event back). A missing one is a lost event: counted, re-sent. */
static unsigned send_lockstep(unsigned n, unsigned *lost)
{
	unsigned sent = 0;

	*lost = 0;
	while (sent < n && *lost < 3) {
		struct count_target t = { &evs.acks, GET(evs.acks) + 1 };

		XCHG_STORE(me->seq, me->seq + 1);
		xg_intr_notify(ev_src);
		while (xg_port_wait(&evs, count_reached, &t, EVENT_NS) != 0) {
			kprintf("# xdom: event %u to d%u not acknowledged in %lu ms\n",
				me->seq, peer_dom, EVENT_NS / MS);
			xenguest_dump_cpu("no acknowledgement");
			xenguest_dump_port(ev_src->port); /* the answer comes here */
			if (++*lost >= 3)
				break;
			xg_intr_notify(ev_src);
		}
		sent += *lost < 3;
	}
	return sent;
}

static bool peer_seq_reached(void *arg)
{
	return XCHG_LOAD(me->ack) >= *(uint32_t *)arg;
}

/* Receive until the peer's sequence number reaches @last; with @rebind,
 * move the port to the next vCPU after every event seen. */
static bool receive_until(uint32_t last, bool rebind, unsigned *rebinds, int *rebind_rc)
{
	unsigned cpu = ev_src->cpu;
	uint32_t seen = XCHG_LOAD(me->ack);

	*rebinds = 0;
	*rebind_rc = 0;
	if (!rebind || ncpus < 2)
		return xg_port_wait(&evs, peer_seq_reached, &last, STEP_NS) == 0 ||
		       peer_seq_reached(&last);
	while (!peer_seq_reached(&last)) {
		uint32_t next = seen + 1;
		int rc;

		/* Sleep until the handler saw the next event, then move the
		 * port while the sender is already sending the one after. */
		/* Look before the sender's re-send (after EVENT_NS) changes
		 * the port's state. */
		if (xg_port_wait(&evs, peer_seq_reached, &next, EVENT_NS / 2) != 0) {
			kprintf("# xdom: event %u from d%u not seen in %lu ms\n", next, peer_dom,
				EVENT_NS / 2 / MS);
			xenguest_dump_port(ev_src->port);
			if (xg_port_wait(&evs, peer_seq_reached, &next, STEP_NS) != 0)
				return false;
		}
		seen = XCHG_LOAD(me->ack);
		do
			cpu = (cpu + 1) % ncpus;
		while (!cpus[cpu].online);
		rc = xg_intr_bind_cpu(ev_src, cpu);
		if (rc && !*rebind_rc)
			*rebind_rc = rc;
		*rebinds += rc == 0;
	}
	xg_intr_bind_cpu(ev_src, 0);
	return true;
}

static unsigned cpus_used(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ncpus; i++)
		n += GET(evs.per_cpu[i]) != 0;
	return n;
}

/* The upcall PPIs this domain took, on every CPU (port.c counts them). */
static uint64_t upcall_irqs(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < ncpus; i++)
		n += __atomic_load_n(&cpus[i].upcall_irqs, __ATOMIC_RELAXED);
	return n;
}

/* One direction of lock-step events; @sender says which side this is. */
static void test_events_n(bool sender, unsigned n, bool rebind, const char *what)
{
	uint64_t fresh0 = GET(evs.fresh), dups0 = GET(evs.dups), irqs0 = upcall_irqs();
	unsigned sent = 0, lost = 0, rebinds = 0;
	uint32_t last = XCHG_LOAD(peer->seq) + n;
	uint64_t t0;
	bool ok, synced;
	int rc = 0;

	memset(evs.per_cpu, 0, sizeof(evs.per_cpu));
	synced = barrier();
	t0 = timer_ns();
	if (!synced) {
		ok = false;
	} else if (sender) {
		sent = send_lockstep(n, &lost);
		ok = sent == n && lost == 0;
	} else {
		ok = receive_until(last, rebind, &rebinds, &rc);
	}
	uint64_t us = (timer_ns() - t0) / 1000;
	uint64_t fresh = GET(evs.fresh) - fresh0, dups = GET(evs.dups) - dups0;

	if (sender) {
		tap(ok, "xdom %s: %u of %u events sent to d%u, each acknowledged by an event "
			"back, %u lost, %lu us/round trip",
		    what, sent, n, peer_dom, lost, sent ? us / sent : 0);
	} else {
		ok = ok && fresh == n && GET(evs.skipped) == 0 && GET(evs.irqs_on) == 0 &&
		     (!rebind || ncpus < 2 || (rc == 0 && cpus_used() > 1));
		tap(ok, "xdom %s: %lu of %u events from d%u handled in the upcall (%lu GIC upcall "
			"PPIs, on %u CPUs, %u rebinds, rc %d), %lu lost, %lu duplicates",
		    what, fresh, n, peer_dom, upcall_irqs() - irqs0, cpus_used(), rebinds, rc,
		    n - MIN(fresh, n), dups);
	}
	barrier();
}

/* The rebind-while-flooding tests run with xgbm.flood=N events (N > 0). */
static void test_events(bool sender, unsigned n, bool rebind, const char *what)
{
	if (n == 0) {
		/* xgbm.flood=0 on both sides: neither waits at the barriers. */
		tap(true, "xdom %s # SKIP xgbm.flood=0", what);
		return;
	}
	test_events_n(sender, n, rebind, what);
}

/* ---- close and rebind cycles -------------------------------------------------- */

static uint64_t cycle_hits;

static int cycle_event(struct xg_isrc *isrc, void *arg)
{
	(void)isrc;
	(void)arg;
	INC(cycle_hits);
	xg_port_wakeup(&cycle_hits);
	return XG_ISRC_HANDLED;
}

static bool wait_cycle_hit(uint64_t before)
{
	struct count_target t = { &cycle_hits, before + 1 };

	return xg_port_wait(&cycle_hits, count_reached, &t, EVENT_NS) == 0;
}

struct side_value {
	uint32_t *field;
	uint32_t value;
};

static bool field_is(void *arg)
{
	struct side_value *v = arg;

	return XCHG_LOAD(*v->field) == v->value;
}

/* domU: allocate a port, dom0 binds it and sends, we answer, dom0
 * closes, our port must be unbound again; we close it; next cycle. */
static void domu_cycles(void)
{
	long before = xenguest_isrcs_outstanding();
	unsigned done = 0, first = 0, last = 0;
	bool unbound_after = true;
	int rc = 0;

	if (!barrier())
		goto out;
	for (unsigned i = 1; i <= CYCLES; i++) {
		struct xg_isrc *s = NULL;
		struct xg_evtchn_status st;
		uint64_t hits = GET(cycle_hits);
		struct side_value closed = { &peer->cycle, i };

		rc = xg_intr_alloc_unbound(&xg_ev, 0, "cycle", cycle_event, NULL, XG_INTR_ENABLE,
					   &s);
		if (rc)
			break;
		first = first ? first : s->port;
		last = s->port;
		XCHG_STORE(me->cycle_port, s->port);
		XCHG_STORE(me->cycle, i);
		if (!wait_cycle_hit(hits) || xg_intr_notify(s) != 0 ||
		    !poll_until(field_is, &closed, STEP_NS)) {
			xg_intr_unbind(s);
			rc = XG_ETIMEDOUT;
			break;
		}
		/* dom0 closed its end: ours is waiting for a peer again */
		rc = xg_evtchn_status(&xg_ev, s->port, &st);
		unbound_after = unbound_after && rc == 0 && st.state == EVTCHNSTAT_unbound;
		rc = xg_intr_unbind(s);
		if (rc)
			break;
		done++;
	}
out:
	tap(done == CYCLES && unbound_after && xenguest_isrcs_outstanding() == before,
	    "xdom cycles: %u of %u close/rebind cycles with d0 (ports %u..%u), port unbound "
	    "again after each close by d0: %d, sources balanced (rc %d)",
	    done, CYCLES, first, last, unbound_after, rc);
	barrier();
}

/* dom0: the other side of domu_cycles(). */
static void dom0_cycles(void)
{
	long before = xenguest_isrcs_outstanding();
	unsigned done = 0;
	int rc = 0;

	if (!barrier())
		goto out;
	for (unsigned i = 1; i <= CYCLES; i++) {
		struct side_value published = { &peer->cycle, i };
		struct xg_isrc *s = NULL;
		uint64_t hits = GET(cycle_hits);

		if (!poll_until(field_is, &published, STEP_NS)) {
			rc = XG_ETIMEDOUT;
			break;
		}
		rc = xg_intr_bind_interdomain(&xg_ev, (uint16_t)peer_dom,
					      XCHG_LOAD(peer->cycle_port), "cycle", cycle_event,
					      NULL, XG_INTR_ENABLE, &s);
		if (rc)
			break;
		if (xg_intr_notify(s) != 0 || !wait_cycle_hit(hits)) {
				xg_intr_unbind(s);
			rc = XG_ETIMEDOUT;
			break;
		}
		rc = xg_intr_unbind(s);
		XCHG_STORE(me->cycle, i);
		if (rc)
			break;
		done++;
	}
out:
	tap(done == CYCLES && xenguest_isrcs_outstanding() == before,
	    "xdom cycles: %u of %u bind/notify/close cycles with d%u's fresh ports, sources "
	    "balanced (rc %d)",
	    done, CYCLES, peer_dom, rc);
	barrier();
}

/* ---- grants ---------------------------------------------------------------------- */

static uint32_t pattern(unsigned page, unsigned word, uint32_t salt)
{
	return (salt ^ (page * 0x01000193u) ^ (word * 0x9e3779b9u)) | 1;
}

static void fill(void *p, unsigned page, uint32_t salt)
{
	uint32_t *w = p;

	for (unsigned i = 0; i < PAGE_SIZE / 4; i++)
		w[i] = pattern(page, i, salt);
}

static bool check(const void *p, unsigned page, uint32_t salt)
{
	const volatile uint32_t *w = p;

	for (unsigned i = 0; i < PAGE_SIZE / 4; i++) {
		if (w[i] != pattern(page, i, salt))
			return false;
	}
	return true;
}

#define SALT_DOMU 0x0d0e0f00u
#define SALT_DOM0_WRITE 0x77770000u
#define SALT_DOM0_COPY 0x55550000u

static void *grant_pages[GRANT_PAGES];
static xg_gref_t grant_refs[GRANT_PAGES];

/* domU: page 0 read-only, pages 1..3 read-write; dom0 reads 0 and 1
 * through mappings, writes 1, copies 2 out and copies into 3. */
static void domu_grants(void)
{
	bool ok = true, content;
	int rc = 0, end_rc = 0;

	for (unsigned i = 0; i < GRANT_PAGES && rc == 0; i++) {
		grant_pages[i] = page_alloc(1);
		if (!grant_pages[i]) {
			rc = XG_ENOMEM;
			break;
		}
		fill(grant_pages[i], i, SALT_DOMU);
		rc = xg_gnttab_grant_alloc(&xg_gt, 0, xg_port_virt_to_gfn(grant_pages[i]), i == 0,
					   &grant_refs[i]);
		if (rc == 0)
			XCHG_STORE(me->grefs[i], grant_refs[i]);
	}
	ok = barrier(); /* granted */
	ok = barrier() && ok && rc == 0; /* dom0 is done */
	content = ok && check(grant_pages[0], 0, SALT_DOMU) &&
		  check(grant_pages[1], 1, SALT_DOM0_WRITE) &&
		  check(grant_pages[2], 2, SALT_DOMU) && check(grant_pages[3], 3, SALT_DOM0_COPY);
	for (unsigned i = 0; i < GRANT_PAGES && grant_pages[i]; i++) {
		/* dom0 unmapped everything: ending access must succeed now */
		int e = xg_gnttab_end_access(&xg_gt, grant_refs[i]);

		if (e == 0) {
			xg_gnttab_free(&xg_gt, grant_refs[i]);
			page_free(grant_pages[i], 1);
		} else if (!end_rc) {
			end_rc = e;
		}
	}
	tap(content && end_rc == 0,
	    "xdom grants v%u: %d pages granted to d0 (refs %u..%u), d0 wrote page 1 through "
	    "its mapping and copied into page 3, pages 0 and 2 unchanged, access ended (rc %d/%d)",
	    xg_gt.version, GRANT_PAGES, grant_refs[0], grant_refs[GRANT_PAGES - 1], rc, end_rc);
	barrier();
}

/* dom0: map pages 0 and 1, try to map read-only page 0 writable (must
 * be refused), copy page 2 to a local page and a local page to page 3. */
static void dom0_grants(void)
{
	struct xg_gnttab_map_op map[2], bad;
	struct xg_gnttab_copy_op cp[2];
	uint64_t va = hypervisor_alloc_foreign_space(3);
	uint8_t *local = page_alloc(2);
	xg_gref_t refs[GRANT_PAGES];
	int map_rc = XG_EINVAL, bad_rc = 0, copy_rc = XG_EINVAL, unmap_rc = XG_EINVAL;
	bool read_ok = false, copy_ok = false;

	if (!barrier() || !va || !local)
		goto out;
	for (unsigned i = 0; i < GRANT_PAGES; i++)
		refs[i] = XCHG_LOAD(peer->grefs[i]);
	xg_gnttab_map_op_set(&map[0], (void *)(uintptr_t)va, (uint16_t)peer_dom, refs[0], true);
	xg_gnttab_map_op_set(&map[1], (void *)(uintptr_t)(va + PAGE_SIZE), (uint16_t)peer_dom,
			     refs[1], false);
	map_rc = xg_gnttab_map(map, 2);
	if (map_rc == 0) {
		read_ok = check((void *)(uintptr_t)va, 0, SALT_DOMU) &&
			  check((void *)(uintptr_t)(va + PAGE_SIZE), 1, SALT_DOMU);
		fill((void *)(uintptr_t)(va + PAGE_SIZE), 1, SALT_DOM0_WRITE);
	}
	xg_gnttab_map_op_set(&bad, (void *)(uintptr_t)(va + 2 * PAGE_SIZE), (uint16_t)peer_dom,
			     refs[0], false);
	bad_rc = xg_gnttab_map(&bad, 1);
	if (bad_rc == 0)
		xg_gnttab_unmap(&bad, 1);

	fill(local + PAGE_SIZE, 3, SALT_DOM0_COPY);
	cp[0] = (struct xg_gnttab_copy_op){
		.source = { .u.ref = refs[2], .domid = (uint16_t)peer_dom },
		.dest = { .u.gfn = xg_port_virt_to_gfn(local), .domid = DOMID_SELF },
		.len = PAGE_SIZE, .flags = XG_GNTCOPY_SOURCE_GREF,
	};
	cp[1] = (struct xg_gnttab_copy_op){
		.source = { .u.gfn = xg_port_virt_to_gfn(local + PAGE_SIZE), .domid = DOMID_SELF },
		.dest = { .u.ref = refs[3], .domid = (uint16_t)peer_dom },
		.len = PAGE_SIZE, .flags = XG_GNTCOPY_DEST_GREF,
	};
	copy_rc = xg_gnttab_copy(cp, 2);
	copy_ok = copy_rc == 0 && check(local, 2, SALT_DOMU);
	unmap_rc = map_rc == 0 ? xg_gnttab_unmap(map, 2) : XG_EINVAL;
out:
	/* Xen 4.17 refuses a writable pin of a read-only grant with
	 * GNTST_general_error (XG_EIO); XG_EACCES would be as good. */
	tap(map_rc == 0 && read_ok && (bad_rc == XG_EIO || bad_rc == XG_EACCES) && copy_ok &&
		    unmap_rc == 0,
	    "xdom grants: d%u's pages mapped in one batch and read, page 1 written, read-only "
	    "page mapped writable refused (%d), page 2 copied out and page 3 copied in "
	    "(map %d, copy %d, unmap %d)",
	    peer_dom, bad_rc, map_rc, copy_rc, unmap_rc);
	if (local)
		page_free(local, 2);
	barrier();
	barrier();
}

/* ---- ending access while the peer maps --------------------------------------- */

static volatile xg_gref_t reclaimed_ref = XG_GREF_INVALID;

void selftest_grant_reclaimed(struct xg_gnttab *gt, xg_gref_t ref, uint64_t gfn)
{
	(void)gt;
	(void)gfn;
	__atomic_store_n(&reclaimed_ref, ref, __ATOMIC_RELEASE);
	xg_port_wakeup((const void *)&reclaimed_ref);
}

static bool ref_reclaimed(void *arg)
{
	return __atomic_load_n(&reclaimed_ref, __ATOMIC_ACQUIRE) == *(xg_gref_t *)arg;
}

static void domu_end_access(void)
{
	struct xg_gnttab_stats s0, s1, s2;
	void *page = page_alloc(1);
	xg_gref_t ref = XG_GREF_INVALID;
	int rc = XG_ENOMEM, busy = 0, deferred = 0;
	bool reclaimed = false;
	uint64_t t0 = 0;

	xg_gnttab_stats(&xg_gt, &s0);
	if (page)
		rc = xg_gnttab_grant_alloc(&xg_gt, 0, xg_port_virt_to_gfn(page), false, &ref);
	if (rc == 0)
		XCHG_STORE(me->grefs[GRANT_PAGES], ref);
	barrier(); /* granted */
	if (barrier() && rc == 0) { /* dom0 mapped it */
		busy = xg_gnttab_end_access(&xg_gt, ref);
		deferred = xg_gnttab_end_access_free(&xg_gt, ref);
	}
	xg_gnttab_stats(&xg_gt, &s1);
	t0 = timer_ns();
	barrier(); /* dom0 may unmap now */
	if (barrier() && deferred == XG_EBUSY) /* dom0 unmapped */
		reclaimed = xg_port_wait((const void *)&reclaimed_ref, ref_reclaimed, &ref,
					 STEP_NS) == 0;
	xg_gnttab_stats(&xg_gt, &s2);
	tap(rc == 0 && busy == XG_EBUSY && deferred == XG_EBUSY &&
		    s1.deferred == s0.deferred + 1 && s1.pending == s0.pending + 1 && reclaimed &&
		    s2.reclaimed == s0.reclaimed + 1 && s2.pending == s0.pending,
	    "xdom end access: while d0 maps ref %u: end_access %d, end_access_free %d "
	    "(deferred), reclaimed %lu ms after d0 unmapped (%lu reclaim passes)",
	    ref, busy, deferred, reclaimed ? (timer_ns() - t0) / MS : 0,
	    s2.reclaim_passes - s0.reclaim_passes);
	if (reclaimed)
		page_free(page, 1); /* ours again: Xen and dom0 are done with it */
	barrier();
}

static void dom0_end_access(void)
{
	struct xg_gnttab_map_op op;
	uint64_t va = hypervisor_alloc_foreign_space(1);
	int map_rc = XG_EINVAL, unmap_rc = XG_EINVAL;

	if (barrier() && va) { /* granted */
		xg_gnttab_map_op_set(&op, (void *)(uintptr_t)va, (uint16_t)peer_dom,
				     XCHG_LOAD(peer->grefs[GRANT_PAGES]), false);
		map_rc = xg_gnttab_map(&op, 1);
	}
	barrier(); /* mapped */
	barrier(); /* the domU tried to end access */
	if (map_rc == 0)
		unmap_rc = xg_gnttab_unmap(&op, 1);
	barrier(); /* unmapped */
	tap(map_rc == 0 && unmap_rc == 0,
	    "xdom end access: d%u's page mapped while it ended access, then unmapped "
	    "(map %d, unmap %d)",
	    peer_dom, map_rc, unmap_rc);
	barrier();
}

/* ---- the split driver -------------------------------------------------------------- */

struct xd_request {
	uint32_t id;
	uint32_t words;
	uint32_t data[PAYLOAD_WORDS];
};

struct xd_response {
	uint32_t id;
	int32_t status;
	uint32_t data[PAYLOAD_WORDS];
};

DEFINE_RING_TYPES(xd, struct xd_request, struct xd_response);

static uint32_t req_word(uint32_t id, unsigned k)
{
	return id * 2654435761u ^ (k + 1) * 0x85ebca6bu;
}

static uint32_t rsp_word(uint32_t id, unsigned k)
{
	return ~req_word(id, k) + k;
}

static struct xg_isrc *ring_src;
static uint64_t ring_events;

static int ring_event(struct xg_isrc *isrc, void *arg)
{
	(void)isrc;
	(void)arg;
	INC(ring_events);
	xg_port_wakeup(&ring_events);
	return XG_ISRC_HANDLED;
}

static bool has_responses(void *arg)
{
	return RING_HAS_UNCONSUMED_RESPONSES((struct xd_front_ring *)arg);
}

static bool has_requests(void *arg)
{
	return RING_HAS_UNCONSUMED_REQUESTS((struct xd_back_ring *)arg);
}

static void domu_ring(void)
{
	struct xd_sring *sring = page_alloc(1);
	struct xd_front_ring front;
	xg_gref_t ref = XG_GREF_INVALID;
	unsigned sent = 0, done = 0, bad = 0, notifies = 0;
	uint64_t t0 = 0, ns = 1;
	int rc = XG_ENOMEM, end_rc = XG_EINVAL;

	if (sring) {
		SHARED_RING_INIT(sring);
		FRONT_RING_INIT(&front, sring, PAGE_SIZE);
		rc = xg_gnttab_grant_alloc(&xg_gt, 0, xg_port_virt_to_gfn(sring), false, &ref);
	}
	if (rc == 0)
		rc = xg_intr_alloc_unbound(&xg_ev, 0, "xd-front", ring_event, NULL,
					   XG_INTR_ENABLE, &ring_src);
	if (rc == 0) {
		XCHG_STORE(me->ring_gref, ref);
		XCHG_STORE(me->ring_port, ring_src->port);
		XCHG_STORE(me->ring_requests, RING_REQUESTS);
	}
	if (!barrier() || !barrier() || rc) /* published; backend attached */
		goto out;
	t0 = timer_ns();
	while (done < RING_REQUESTS) {
		int more, notify;

		while (sent < RING_REQUESTS && !RING_FULL(&front)) {
			struct xd_request *rq = RING_GET_REQUEST(&front, front.req_prod_pvt);

			rq->id = sent;
			rq->words = PAYLOAD_WORDS;
			for (unsigned k = 0; k < PAYLOAD_WORDS; k++)
				rq->data[k] = req_word(sent, k);
			front.req_prod_pvt++;
			sent++;
		}
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
		if (notify) {
			xg_intr_notify(ring_src);
			notifies++;
		}
		do {
			while (RING_HAS_UNCONSUMED_RESPONSES(&front)) {
				/* The backend is another domain: copy, then check. */
				struct xd_response r = *RING_GET_RESPONSE(&front, front.rsp_cons);
				bool good = r.id == done && r.status == 0;

				for (unsigned k = 0; good && k < PAYLOAD_WORDS; k++)
					good = r.data[k] == rsp_word(done, k);
				bad += !good;
				front.rsp_cons++;
				done++;
			}
			RING_FINAL_CHECK_FOR_RESPONSES(&front, more);
		} while (more);
		if (done < sent && (sent == RING_REQUESTS || RING_FULL(&front)) &&
		    xg_port_wait(&ring_events, has_responses, &front, EVENT_NS) != 0) {
			kprintf("# xdom ring: no response for %lu ms (%u of %u done)\n",
				EVENT_NS / MS, done, sent);
			break;
		}
	}
	ns = timer_ns() - t0;
out:
	if (!barrier()) /* every response is in */
		done = 0;
	barrier(); /* the backend unmapped the ring */
	if (ref != XG_GREF_INVALID) {
		end_rc = xg_gnttab_end_access(&xg_gt, ref);
		if (end_rc == 0) {
			xg_gnttab_free(&xg_gt, ref);
			page_free(sring, 1);
		}
	}
	if (ring_src)
		xg_intr_unbind(ring_src);
	ring_src = NULL;
	tap(rc == 0 && done == RING_REQUESTS && bad == 0 && end_rc == 0,
	    "xdom split driver (frontend): %u of %u requests answered by d0's backend over an "
	    "io/ring.h ring (%u slots, gref %u, port %u), %u bad responses, %u notifications; "
	    "%lu requests/s under emulation",
	    done, RING_REQUESTS, (unsigned)RING_SIZE(&front), ref, XCHG_LOAD(me->ring_port), bad,
	    notifies, (uint64_t)done * 1000000000UL / (ns ? ns : 1));
}

static void dom0_ring(void)
{
	uint64_t va = hypervisor_alloc_foreign_space(1);
	struct xg_gnttab_map_op op;
	struct xd_back_ring back;
	uint32_t total = 0;
	unsigned served = 0, bad = 0, notifies = 0;
	uint64_t t0 = 0, ns = 1;
	int map_rc = XG_EINVAL, rc = XG_EINVAL, unmap_rc = XG_EINVAL;

	if (barrier() && va) { /* the frontend published */
		total = XCHG_LOAD(peer->ring_requests);
		xg_gnttab_map_op_set(&op, (void *)(uintptr_t)va, (uint16_t)peer_dom,
				     XCHG_LOAD(peer->ring_gref), false);
		map_rc = xg_gnttab_map(&op, 1);
	}
	rc = map_rc ? map_rc
		    : xg_intr_bind_interdomain(&xg_ev, (uint16_t)peer_dom,
					       XCHG_LOAD(peer->ring_port), "xd-back", ring_event,
					       NULL, XG_INTR_ENABLE, &ring_src);
	if (rc == 0)
		BACK_RING_INIT(&back, (struct xd_sring *)(uintptr_t)va, PAGE_SIZE);
	if (!barrier() || rc) /* attached */
		goto out;
	t0 = timer_ns();
	while (served < total && total <= RING_REQUESTS) {
		int more, notify;

		if (xg_port_wait(&ring_events, has_requests, &back, EVENT_NS) != 0) {
			kprintf("# xdom ring: no request for %lu ms (%u served)\n", EVENT_NS / MS,
				served);
			break;
		}
		do {
			while (RING_HAS_UNCONSUMED_REQUESTS(&back)) {
				/* Copy the request once: the frontend may change it. */
				struct xd_request q = *RING_GET_REQUEST(&back, back.req_cons);
				struct xd_response *r = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
				bool good = q.id == served && q.words == PAYLOAD_WORDS;

				for (unsigned k = 0; good && k < PAYLOAD_WORDS; k++)
					good = q.data[k] == req_word(q.id, k);
				back.req_cons++;
				r->id = q.id;
				r->status = good ? 0 : -1;
				for (unsigned k = 0; k < PAYLOAD_WORDS; k++)
					r->data[k] = rsp_word(q.id, k);
				back.rsp_prod_pvt++;
				bad += !good;
				served++;
			}
			RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
			if (notify) {
				xg_intr_notify(ring_src);
				notifies++;
			}
			RING_FINAL_CHECK_FOR_REQUESTS(&back, more);
		} while (more);
	}
	ns = timer_ns() - t0;
out:
	barrier(); /* the frontend has every response */
	if (ring_src)
		xg_intr_unbind(ring_src);
	ring_src = NULL;
	unmap_rc = map_rc == 0 ? xg_gnttab_unmap(&op, 1) : map_rc;
	barrier(); /* the frontend may end access now */
	tap(rc == 0 && total == RING_REQUESTS && served == total && bad == 0 && unmap_rc == 0,
	    "xdom split driver (backend): %u of %u requests from d%u served, every payload "
	    "checked (%u bad), %u notifications, %lu requests/s under emulation (unmap %d)",
	    served, total, peer_dom, bad, notifies, (uint64_t)served * 1000000000UL / (ns ? ns : 1),
	    unmap_rc);
}

/* ---- the two sides ------------------------------------------------------------------ */

static void reset_side(struct xchg_page *x, bool dom0, unsigned peer_domid)
{
	xp = x;
	me = dom0 ? &x->dom0 : &x->domu;
	peer = dom0 ? &x->domu : &x->dom0;
	peer_dom = peer_domid;
	peer_lost = false;
	step = 0;
	memset(&evs, 0, sizeof(evs));
	me->seq = 0;
	me->ack = XCHG_LOAD(peer->seq);
	evs.peer_ack = XCHG_LOAD(peer->ack);
}

/* Grant @x to dom0 at XCHG_GREF in the library's table: references 0..7
 * are never handed out by xenguest, so the kernel may use one for its
 * own rendezvous. The entry is written like xg_gnttab_grant() would. */
static void grant_xchg(struct xchg_page *x)
{
	uint64_t gfn = xg_port_virt_to_gfn(x);

	if (xg_gt.version == 2) {
		volatile grant_entry_v2_t *e = (grant_entry_v2_t *)xg_gt.entries + XCHG_GREF;

		e->full_page.frame = gfn;
		e->hdr.domid = 0;
		dmb_ish();
		e->hdr.flags = GTF_permit_access;
	} else {
		volatile grant_entry_v1_t *e = (grant_entry_v1_t *)xg_gt.entries + XCHG_GREF;

		e->frame = (uint32_t)gfn;
		e->domid = 0;
		dmb_ish();
		e->flags = GTF_permit_access;
	}
}

int selftest_xdom_domu_prepare(struct xchg_page *x)
{
	int rc;

	reset_side(x, false, 0);
	x->gnttab_version = xg_gt.version;
	x->evtchn_fifo = xg_ev.abi == XG_EVTCHN_ABI_FIFO;
	x->domu.ncpus = ncpus;
	rc = xg_intr_alloc_unbound(&xg_ev, 0, "xdom", xdom_event, NULL, XG_INTR_ENABLE, &ev_src);
	if (rc)
		return rc;
	x->domu.port = ev_src->port;
	x->has_xenguest = 1;
	dmb_ish();
	grant_xchg(x);
	return 0;
}

void selftest_xdom_domu(struct xchg_page *x)
{
	if (x && !x->has_xenguest) {
		for (int i = 0; i < XDOM_TESTS; i++)
			tap(true, "xdom # SKIP xenguest is not up here (no /hypervisor node)");
		return;
	}
	if (!x || !ev_src) {
		for (int i = 0; i < XDOM_TESTS; i++)
			tap(false, "xdom: no exchange page");
		return;
	}
	/* dom0 bound our port: it serves the domUs one after the other, so
	 * the wait for our turn is bounded by run.sh's limit, not STEP_NS. */
	if (!barrier_within(TURN_NS))
		peer_lost = true;
	test_events(false, PINGS, false, "d0->domU");
	test_events(true, PINGS, false, "domU->d0");
	test_events(false, selftest_xdom_flood, true, "d0->domU, port moving across our vCPUs");
	test_events(true, selftest_xdom_flood, false, "domU->d0, d0 moving its port");
	domu_cycles();
	domu_grants();
	domu_end_access();
	domu_ring();
	int rc = xg_intr_unbind(ev_src);

	ev_src = NULL;
	tap(rc == 0 && !peer_lost, "xdom: done with d0, event channel closed (rc %d)", rc);
}

void selftest_xdom_dom0(unsigned domid, struct xchg_page *x)
{
	int rc;

	if (x && !XCHG_LOAD(x->has_xenguest)) {
		for (int i = 0; i < XDOM_TESTS; i++)
			tap(true, "xdom d%u # SKIP the domU runs without xenguest", domid);
		return;
	}
	if (!x || xenguest_boot_rc != 0) {
		for (int i = 0; i < XDOM_TESTS; i++)
			tap(false, "xdom d%u: %s", domid, x ? "xenguest is not up" : "no exchange page");
		return;
	}
	reset_side(x, true, domid);
	rc = xg_intr_bind_interdomain(&xg_ev, (uint16_t)domid, XCHG_LOAD(x->domu.port), "xdom",
				      xdom_event, NULL, XG_INTR_ENABLE, &ev_src);
	tap(rc == 0 && barrier(),
	    "xdom d%u: exchange page mapped (gref %d, its grant table v%u, %s events, %u vCPUs), "
	    "its port %u bound as our port %u (rc %d)",
	    domid, XCHG_GREF, XCHG_LOAD(x->gnttab_version),
	    XCHG_LOAD(x->evtchn_fifo) ? "FIFO" : "2-level", XCHG_LOAD(x->domu.ncpus),
	    XCHG_LOAD(x->domu.port), ev_src ? ev_src->port : 0, rc);
	if (rc)
		peer_lost = true; /* the domU's barriers time out, then fail fast */
	test_events(true, PINGS, false, "d0->domU");
	test_events(false, PINGS, false, "domU->d0");
	test_events(true, selftest_xdom_flood, false, "d0->domU, domU moving its port");
	test_events(false, selftest_xdom_flood, true, "domU->d0, port moving across our vCPUs");
	dom0_cycles();
	dom0_grants();
	dom0_end_access();
	dom0_ring();
	if (ev_src)
		xg_intr_unbind(ev_src);
	ev_src = NULL;
}
