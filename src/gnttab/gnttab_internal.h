/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Grant table internals shared by the files in src/gnttab/.
 *
 * Every reference has one word in the side array gt->link_, owned by
 * whoever holds the reference: gt->lock for free and deferred ones, the
 * caller (or its pool) for allocated ones. The top two bits say which:
 *
 *   FREE     on the free list or in a pool; low bits: next reference
 *   RECLAIM  waiting for the peer to unmap; low bits: next deferred one
 *   USED     allocated, its entry grants nothing
 *   GRANTED  allocated and granted
 *
 * Invariant (gt->lock held or not): a reference whose word is FREE or
 * RECLAIM is on exactly one list; a GRANTED reference is never on a
 * list; references >= gt->bump_ have never been handed out and their
 * words are meaningless.
 */
#ifndef XG_GNTTAB_INTERNAL_H
#define XG_GNTTAB_INTERNAL_H

#include <xenguest/gnttab.h>

#include "../xg_abi.h"
#include "../xg_internal.h"
#include "../hypercall/xg_atomic.h"

#define XG_L_TAG      0xc0000000u
#define XG_L_FREE     0x00000000u
#define XG_L_RECLAIM  0x40000000u
#define XG_L_USED     0x80000000u
#define XG_L_GRANTED  0xc0000000u
#define XG_L_NEXT     0x3fffffffu /* also "end of list" */

/* The toolstack owns references 0..7 (console, xenstore). */
#define XG_GNTTAB_FIRST_REF GNTTAB_NR_RESERVED_ENTRIES

#define XG_GNTTAB_V1_PER_FRAME (XG_PAGE_SIZE / sizeof(struct grant_entry_v1))
#define XG_GNTTAB_V2_PER_FRAME (XG_PAGE_SIZE / sizeof(union grant_entry_v2))
#define XG_GNTTAB_STATUS_PER_FRAME (XG_PAGE_SIZE / sizeof(grant_status_t))

static inline uint32_t xg_link_next_enc(xg_gref_t next)
{
	return next == XG_GREF_INVALID ? XG_L_NEXT : next;
}

static inline xg_gref_t xg_link_next(uint32_t word)
{
	uint32_t n = word & XG_L_NEXT;

	return n == XG_L_NEXT ? XG_GREF_INVALID : n;
}

static inline unsigned xg_gnttab_per_frame(const struct xg_gnttab *gt)
{
	return gt->version == 2 ? XG_GNTTAB_V2_PER_FRAME
				: XG_GNTTAB_V1_PER_FRAME;
}

/* Status frames v2 needs for @nr_frames grant frames. */
static inline unsigned xg_gnttab_status_frames(unsigned nr_frames)
{
	return (nr_frames * XG_GNTTAB_V2_PER_FRAME +
		XG_GNTTAB_STATUS_PER_FRAME - 1) / XG_GNTTAB_STATUS_PER_FRAME;
}

/* A caller's reference must be one the allocator handed out. */
static inline void xg_gnttab_check_ref(const struct xg_gnttab *gt,
				       xg_gref_t ref)
{
	XG_ASSERT(ref >= XG_GNTTAB_FIRST_REF &&
		  ref < __atomic_load_n(&gt->bump_, __ATOMIC_RELAXED));
}

static inline uint32_t xg_link_get(const struct xg_gnttab *gt, xg_gref_t ref)
{
	return __atomic_load_n(&gt->link_[ref], __ATOMIC_RELAXED);
}

static inline void xg_link_set(struct xg_gnttab *gt, xg_gref_t ref,
			       uint32_t word)
{
	__atomic_store_n(&gt->link_[ref], word, __ATOMIC_RELAXED);
}

/* gnttab.c: grow the table to hold @frames frames; gt->lock held. */
int xg_gnttab_grow_locked_(struct xg_gnttab *gt, unsigned frames);
/* gnttab.c: try to end access to a granted entry (no lock needed). */
int xg_gnttab_try_end_(struct xg_gnttab *gt, xg_gref_t ref);
/* alloc.c: push a reference on the free list; gt->lock held. */
void xg_gnttab_push_free_locked_(struct xg_gnttab *gt, xg_gref_t ref);
/* alloc.c: true if waiters should run now; gt->lock held. */
bool xg_gnttab_waiters_ready_locked_(const struct xg_gnttab *gt);
/* alloc.c: call the waiters whose count is available (thread). */
void xg_gnttab_run_waiters_(struct xg_gnttab *gt);

#if XG_CONFIG_GNTTAB_V2
/* v2.c */
void xg_gnttab_v2_grant_(struct xg_gnttab *gt, xg_gref_t ref,
			 uint16_t domid, uint64_t gfn, bool readonly);
int xg_gnttab_v2_try_end_(struct xg_gnttab *gt, xg_gref_t ref);
uint64_t xg_gnttab_v2_frame_(const struct xg_gnttab *gt, xg_gref_t ref);
#endif

#endif /* XG_GNTTAB_INTERNAL_H */
