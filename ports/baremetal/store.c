// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * The domain's xenstore connection (store.h).
 *
 * A dom0less domU with xen,enhanced starts before any xenstored exists:
 * HVM_PARAM_STORE_PFN reads all ones until dom0's init-dom0less sets it.
 * The store event channel (HVM_PARAM_STORE_EVTCHN) exists from the start,
 * so it is bound through the interrupt registry first; its handler wakes
 * xg_xs_store_wait() until the client exists and drives the client
 * (xg_xs_event()) afterwards.
 */
#include "kernel.h"

#if BM_WITH_XENGUEST
#include "mmu.h"
#include "store.h"
#include "timer.h"
#include "bm_xenguest.h"

#include <xenguest/error.h>
#include <xenguest/intr.h>

struct xg_xs bm_xs;
static struct xg_xs_ring store_ring;
static struct xg_isrc *store_isrc;
static bool store_client_up; /* the handler drives the client once set */

/* The store event, in the upcall. */
static int store_irq(struct xg_isrc *isrc, void *arg)
{
	(void)isrc;
	(void)arg;
	if (__atomic_load_n(&store_client_up, __ATOMIC_ACQUIRE))
		xg_xs_event(&bm_xs);
	else
		xg_xs_store_event();
	return XG_ISRC_HANDLED;
}

static void store_notify(void *arg)
{
	(void)xg_intr_notify(arg);
}

int bm_store_connect(uint64_t call_ns, uint64_t wait_ns, struct bm_store_steps *st)
{
	struct bm_store_steps local;
	struct xg_xs_config cfg = { .timeout_ns = call_ns };
	uint64_t t0 = timer_ns();
	int rc;

	if (st == NULL)
		st = &local;
	*st = (struct bm_store_steps){ 0 };
	st->params_rc = xg_xs_store_params(&st->gfn, &st->port);
	if (st->port == 0)
		return st->params_rc < 0 ? st->params_rc : XG_ENOENT;
	st->bind_rc = xg_intr_bind_port(&xg_ev, st->port, "xenstore", store_irq, NULL,
					XG_INTR_ENABLE | XG_INTR_NOCLOSE, &store_isrc);
	if (st->bind_rc != 0)
		return st->bind_rc;
	if (st->params_rc != 0)
		st->wait_rc = xg_xs_store_wait(&st->gfn, &st->port, wait_ns);
	st->wait_ns = timer_ns() - t0;
	if (st->wait_rc != 0)
		return st->wait_rc;
	if (st->gfn == 0)
		return XG_ENOENT;
	rc = mmu_map(st->gfn << PAGE_SHIFT, PAGE_SIZE, MEM_NORMAL);
	if (rc == 0)
		rc = xg_xs_ring_init(&store_ring, (void *)(uintptr_t)(st->gfn << PAGE_SHIFT),
				     store_notify, NULL, store_isrc, &cfg.transport);
	if (rc == 0)
		rc = xg_xs_init(&bm_xs, &cfg);
	if (rc == 0)
		__atomic_store_n(&store_client_up, true, __ATOMIC_RELEASE);
	return rc;
}
#endif /* BM_WITH_XENGUEST */
