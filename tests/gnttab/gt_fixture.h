/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Shared set-up for the grant table tests on the fake hypervisor: a
 * frontend domain (domid 1) with the library brought up, a backend
 * domain (domid 0) that maps its grants, and helpers to run the
 * deferred work and to catch XG_ASSERT with CMocka.
 */
#ifndef GT_FIXTURE_H
#define GT_FIXTURE_H

#define _GNU_SOURCE /* MAP_FIXED_NOREPLACE */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <cmocka.h>

#include <xenguest/core.h>
#include <xenguest/error.h>
#include <xenguest/gnttab.h>

#include "fakexen/fakexen.h"
#include "fakexen/gnttab.h"
#include "xg_hosted.h"

#define GT_FRONT 1
#define GT_BACK 0

static struct xg_xen gt_xen;
static struct xg_cpu gt_cpus[1];
static struct fx_domain *gt_front_dom, *gt_back_dom;

/* Create both domains and bring the core up in the frontend. */
static inline void gt_fixture_up(void)
{
	fx_reset();
	xg_hosted_reset();
	fx_gnttab_install();
	gt_back_dom = fx_domain_create(GT_BACK, 1);
	gt_front_dom = fx_domain_create(GT_FRONT, 1);
	fx_enter(gt_front_dom, 0);
	assert_int_equal(xg_xen_init(&gt_xen, gt_cpus, 1, NULL), 0);
}

static inline void gt_fixture_down(void)
{
	fx_enter(gt_front_dom, 0);
	xg_xen_fini(&gt_xen);
}

static inline void gt_as_front(void)
{
	fx_enter(gt_front_dom, 0);
}

static inline void gt_as_back(void)
{
	fx_enter(gt_back_dom, 0);
}

/* Run the deferred work once its back-off delay has passed. */
static inline void gt_run_work(void)
{
	uint64_t delay = xg_hosted_worker_last_delay();
	struct timespec ts = {
		.tv_sec = (time_t)(delay / 1000000000u),
		.tv_nsec = (long)(delay % 1000000000u),
	};

	if (delay != 0)
		nanosleep(&ts, NULL);
	xg_xen_run_work(&gt_xen);
}

/*
 * A page whose gfn fits the 32-bit frame field of a v1 grant entry. The
 * hosted port's pages live high in the address space (gfn = va / 4096
 * is above 2^32 there), so pages to grant come from the low 2 GiB, which
 * is also outside the ASan and TSan shadow ranges.
 */
static inline void *gt_low_page(void)
{
	static uintptr_t next = 0x40000000u;
	unsigned tries;

	for (tries = 0; tries < 4096; tries++, next += 4096) {
		void *p = mmap((void *)next, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			       -1, 0);

		if (p == MAP_FAILED)
			continue;
		if (p != (void *)next) { /* an old kernel ignored the flag */
			munmap(p, 4096);
			continue;
		}
		next += 4096;
		return p;
	}
	fail_msg("no low page for a v1 grant");
	return NULL;
}

static inline void gt_low_page_free(void *p)
{
	munmap(p, 4096);
}

/* XG_ASSERT -> CMocka's mock_assert, so expect_assert_failure() works. */
static inline void gt_panic_to_cmocka(const char *file, int line,
				      const char *what)
{
	mock_assert(0, what, file, line);
}

#endif /* GT_FIXTURE_H */
