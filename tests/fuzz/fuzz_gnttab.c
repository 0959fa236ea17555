/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * libFuzzer target: hostile values in the grant entry words that Xen (on
 * behalf of a peer) writes, interleaved with the frontend's calls. The
 * input is a list of operations on a v1 or v2 table in the fake
 * hypervisor. Checked on every step:
 *
 *  - end of access reports success only if the word Xen writes showed
 *    no mapping, and leaves the entry revoked;
 *  - the allocator never hands out a reference the caller owns or one
 *    waiting for a peer to unmap (no reuse while mapped);
 *  - the library never asserts on peer data (an assert aborts the run).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenguest/core.h>
#include <xenguest/error.h>
#include <xenguest/gnttab.h>

#include "../fakexen/fakexen.h"
#include "../fakexen/gnttab.h"
#include "xg_hosted.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REFS 1024u /* 2 v1 frames, 4 v2 frames */

enum ref_state { R_FREE = 0, R_OWNED, R_GRANTED, R_PENDING, R_RESERVED };

static struct xg_xen xen;
static struct xg_cpu cpus[1];
static struct xg_gnttab gt;
static struct fx_domain *front;
static uint8_t state[MAX_REFS];
static void *page;

#define REQUIRE(c) \
	do { \
		if (!(c)) { \
			fprintf(stderr, "fuzz_gnttab: %s (line %d)\n", #c, \
				__LINE__); \
			abort(); \
		} \
	} while (0)

static void on_reclaimed(struct xg_gnttab *g, xg_gref_t ref, uint64_t gfn)
{
	(void)g, (void)gfn;
	REQUIRE(ref < MAX_REFS && state[ref] == R_PENDING);
	state[ref] = R_FREE;
}

/* The word Xen writes for a reference: v1 flags or the v2 status. */
static uint16_t *xen_word(xg_gref_t ref)
{
	return gt.version == 2 ? fx_gnttab_status_word(front, ref)
			       : fx_gnttab_flags_word(front, ref);
}

static xg_gref_t pick(const uint8_t *p, enum ref_state want)
{
	unsigned start = p[0] | (unsigned)p[1] << 8, i;

	for (i = 0; i < MAX_REFS; i++) {
		xg_gref_t r = (start + i) % MAX_REFS;

		if (state[r] == want)
			return r;
	}
	return XG_GREF_INVALID;
}

static void op_alloc(void)
{
	xg_gref_t r;

	if (xg_gnttab_alloc(&gt, &r) != 0)
		return;
	REQUIRE(r < MAX_REFS && state[r] == R_FREE);
	state[r] = R_OWNED;
}

static void op_grant(const uint8_t *p)
{
	xg_gref_t r = pick(p, R_OWNED);

	if (r == XG_GREF_INVALID)
		return;
	xg_gnttab_grant(&gt, r, 0, xg_port_virt_to_gfn(page), p[2] & 1);
	state[r] = R_GRANTED;
}

static void op_hostile(const uint8_t *p)
{
	xg_gref_t r = pick(p, (p[2] & 1) ? R_PENDING : R_GRANTED);

	if (r != XG_GREF_INVALID)
		__atomic_store_n(xen_word(r), (uint16_t)(p[3] | p[4] << 8),
				 __ATOMIC_SEQ_CST);
}

static bool busy(xg_gref_t r)
{
	return (*xen_word(r) & (GTF_reading | GTF_writing)) != 0;
}

static void op_end(const uint8_t *p, bool and_free)
{
	xg_gref_t r = pick(p, R_GRANTED);
	bool was_busy;
	int rc;

	if (r == XG_GREF_INVALID)
		return;
	was_busy = busy(r);
	rc = and_free ? xg_gnttab_end_access_free(&gt, r)
		      : xg_gnttab_end_access(&gt, r);
	REQUIRE(rc == 0 || rc == XG_EBUSY);
	REQUIRE(rc == (was_busy ? XG_EBUSY : 0));
	if (rc == 0)
		REQUIRE(*fx_gnttab_flags_word(front, r) == 0);
	if (rc == 0)
		state[r] = and_free ? R_FREE : R_OWNED;
	else if (and_free)
		state[r] = R_PENDING;
}

static void op_free(const uint8_t *p)
{
	xg_gref_t r = pick(p, R_OWNED);

	if (r != XG_GREF_INVALID) {
		xg_gnttab_free(&gt, r);
		state[r] = R_FREE;
	}
}

/* Save and restore: every grant is forgotten, deferred ones freed. */
static void op_resume(void)
{
	struct xg_gnttab_stats s;
	unsigned i;

	xg_gnttab_suspend(&gt);
	fx_gnttab_restore(front);
	REQUIRE(xg_gnttab_resume(&gt) == 0);
	xg_xen_run_work(&xen);
	xg_gnttab_stats(&gt, &s);
	REQUIRE(s.pending == 0);
	for (i = 0; i < MAX_REFS; i++) {
		REQUIRE(state[i] != R_PENDING);
		if (state[i] == R_GRANTED)
			state[i] = R_OWNED;
	}
}

static void bring_up(unsigned version)
{
	struct xg_gnttab_config cfg = {
		.version = version,
		.max_frames = version == 2 ? 4 : 2,
		.reclaimed = on_reclaimed,
	};
	struct fx_domain *back;

	fx_reset();
	xg_hosted_reset();
	fx_gnttab_install();
	back = fx_domain_create(0, 1);
	front = fx_domain_create(1, 1);
	(void)back;
	fx_enter(front, 0);
	REQUIRE(xg_xen_init(&xen, cpus, 1, NULL) == 0);
	REQUIRE(xg_gnttab_init(&gt, &xen, &cfg) == 0);
	memset(state, 0, sizeof(state));
	memset(state, R_RESERVED, 8); /* the toolstack's: never handed out */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	if (page == NULL) {
		/* v1 frames are 32-bit: a page in the low 2 GiB. */
		page = mmap((void *)0x40000000, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			    -1, 0);
		REQUIRE(page == (void *)0x40000000);
	}
	if (size < 1)
		return 0;
	bring_up((data[0] & 1) ? 2 : 1);
	for (i = 1; i + 6 <= size; i += 6) { /* an op and 5 argument bytes */
		const uint8_t *p = &data[i + 1];

		switch (data[i] % 8) {
		case 0: op_alloc(); break;
		case 1: op_grant(p); break;
		case 2: op_hostile(p); break;
		case 3: op_end(p, false); break;
		case 4: op_end(p, true); break;
		case 5: op_free(p); break;
		case 6: op_resume(); break;
		case 7: xg_xen_run_work(&xen); break;
		}
	}
	xg_gnttab_fini(&gt);
	xg_xen_fini(&xen);
	REQUIRE(xg_hosted_check_balanced());
	return 0;
}
