/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/**
 * DOC: grant tables
 *
 * Frontend side (this domain shares its pages):
 *
 *  - xg_gnttab_init() maps the first grant frames (XENMEM_add_to_physmap,
 *    XENMAPSPACE_grant_table) into guest-physical space the port provides
 *    (xg_port_gnttab_space_alloc(); on arm the device tree's grant region)
 *    and grows the table on demand up to GNTTABOP_query_size's maximum.
 *  - References come from an O(1) allocator: a free list threaded through
 *    a private side array, never a scan. Batches take the lock once;
 *    private pools hand out references without the global lock; a
 *    caller that finds the table full registers a waiter that is called
 *    back from deferred work when references come back. Nothing blocks.
 *  - xg_gnttab_end_access() succeeds only when the peer has no mapping,
 *    checked atomically with the change of the entry's flags (v1: a
 *    compare-exchange on the flags; v2: the flags are cleared, then the
 *    status word is checked). xg_gnttab_end_access_free() hands a grant
 *    that is still mapped to a reclaim queue that deferred work retries
 *    with back-off, so a busy reference is never leaked and never reused
 *    while the peer maps it (the XSA-396 rule).
 *
 * Backend side (this domain maps or copies a peer's grants):
 * xg_gnttab_map(), xg_gnttab_unmap() and xg_gnttab_copy() issue one
 * hypercall per batch, retry GNTST_eagain with back-off and report each
 * entry's status as an XG_E* code.
 *
 * Grant table v1 is the default; v2 (XG_CONFIG_GNTTAB_V2) is chosen in
 * struct xg_gnttab_config and the API does not change.
 *
 * Everything in a grant entry may be written by Xen on behalf of a peer:
 * the library reads it once and never asserts on it.
 */
#ifndef XENGUEST_GNTTAB_H
#define XENGUEST_GNTTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenguest/config.h>
#include <xenguest/core.h>
#include <xenguest/port.h>

/* A grant reference: an index into this domain's grant table. */
typedef uint32_t xg_gref_t;

/* No reference (what xg_gnttab_pool_alloc() etc. never return). */
#define XG_GREF_INVALID 0xffffffffu

/* Default cap on the frames the library uses, whatever Xen allows
 * (32 v1 frames = 16384 references); see xg_gnttab_config.max_frames. */
#define XG_GNTTAB_DEFAULT_MAX_FRAMES 32u

struct xg_gnttab;

/* Called back from deferred work when references may be available. */
struct xg_gnttab_waiter {
	void (*fn)(struct xg_gnttab_waiter *w);
	unsigned count;                  /* references the waiter needs */
	struct xg_gnttab_waiter *next_;  /* private */
	bool queued_;                    /* private */
};

/* A private reservation of references (xg_gnttab_pool_*). The owner
 * serialises its own use; the library takes no lock for it. */
struct xg_gnttab_pool {
	xg_gref_t head_;                 /* private */
	xg_gref_t tail_;                 /* private */
	unsigned count_;                 /* private */
};

struct xg_gnttab_config {
	/* 1 (default when 0) or 2 (needs XG_CONFIG_GNTTAB_V2). */
	unsigned version;
	/* Upper bound on frames used; 0 = XG_GNTTAB_DEFAULT_MAX_FRAMES.
	 * GNTTABOP_query_size lowers it further. */
	unsigned max_frames;
	/* Frames mapped at init; 0 = 1. */
	unsigned initial_frames;
	/* A grant that xg_gnttab_end_access_free() deferred was released:
	 * the peer unmapped it, the reference is free again and the page
	 * at @gfn may be reused. Thread context (deferred work). May be
	 * NULL. */
	void (*reclaimed)(struct xg_gnttab *gt, xg_gref_t ref, uint64_t gfn);
};

struct xg_gnttab_stats {
	uint64_t deferred;    /* end_access_free calls that found a mapping */
	uint64_t reclaimed;   /* of those, released later */
	uint64_t reclaim_passes; /* runs of the reclaim work */
	uint32_t pending;     /* references still waiting for the peer */
	uint32_t free;        /* references on the free list or never used */
	uint32_t nr_frames;   /* grant frames mapped */
	uint32_t grows;       /* times the table grew */
};

/* One instance per guest. Fields are public only for allocation. */
struct xg_gnttab {
	struct xg_xen *xen;
	unsigned version;            /* 1 or 2 */
	unsigned nr_frames;          /* grant frames mapped */
	unsigned max_frames;         /* frames the region can hold */
	unsigned xen_max_frames;     /* from GNTTABOP_query_size */
	void *entries;               /* grant frames, contiguous */
	uint16_t *status;            /* v2: status frames, else NULL */
	uint64_t region_gfn;         /* first gfn of the region */
	size_t region_frames;        /* frames of the region */
	void (*reclaimed)(struct xg_gnttab *gt, xg_gref_t ref, uint64_t gfn);
	xg_port_lock_t lock;         /* protects the fields below */
	uint32_t *link_;             /* private: one word per reference */
	size_t link_pages_;          /* private */
	xg_gref_t free_head_;        /* private: free list */
	uint32_t nr_free_;           /* private: length of the free list */
	uint32_t bump_;              /* private: refs >= bump_ never used */
	uint32_t nr_refs_;           /* private: entries in mapped frames */
	xg_gref_t reclaim_head_;     /* private: deferred references */
	struct xg_gnttab_waiter *wait_head_; /* private */
	struct xg_gnttab_waiter *wait_tail_; /* private */
	struct xg_work work_;        /* private: reclaim and waiters */
	unsigned backoff_shift_;     /* private: reclaim retry back-off */
	bool suspended_;             /* private */
	struct xg_gnttab_stats stats_; /* private: see xg_gnttab_stats() */
};

/**
 * xg_gnttab_init() - set up this domain's grant table
 * @gt: caller-owned, fully written here
 * @xen: the initialised core instance (deferred work runs on it)
 * @cfg: options; NULL for the defaults (v1)
 *
 * Selects the version (GNTTABOP_set_version for v2), asks Xen for the
 * table's maximum size (GNTTABOP_query_size), gets guest-physical space
 * for that many frames from xg_port_gnttab_space_alloc(), allocates the
 * side array and maps @cfg->initial_frames frames, highest first, so
 * that Xen grows its table once. References 0..7 are reserved for the
 * toolstack (console, xenstore) and never handed out.
 *
 * Returns: 0; XG_EINVAL for a bad argument or version; XG_EOPNOTSUPP for
 * v2 when XG_CONFIG_GNTTAB_V2 is 0; XG_ENOMEM when the port gives no
 * memory; or the XG_E* code of the hypercall that failed. On failure
 * nothing stays allocated.
 * Context: thread.
 * Locking: none held.
 */
int xg_gnttab_init(struct xg_gnttab *gt, struct xg_xen *xen,
		   const struct xg_gnttab_config *cfg);

/**
 * xg_gnttab_fini() - release the table's memory (tests, shutdown)
 * @gt: the instance
 *
 * Xen cannot unmap grant frames; call this only when the domain goes
 * away or in tests. Every grant should have ended first, and no reclaim
 * may be pending (xg_gnttab_stats().pending == 0): the instance's work
 * item must not stay queued on @gt->xen.
 *
 * Context: thread. Locking: none held.
 */
void xg_gnttab_fini(struct xg_gnttab *gt);

/**
 * xg_gnttab_alloc() - allocate one reference
 * @gt: the instance
 * @ref: out: the reference
 *
 * Pops the free list; when it is empty takes a never-used reference,
 * growing the table by one frame (XENMEM_add_to_physmap) if needed.
 *
 * Returns: 0; XG_ENOSPC when the table is at its maximum and every
 * reference is in use (never blocks: see xg_gnttab_wait()); or the
 * XG_E* code of a failed growth.
 * Context: any.
 * Locking: takes gt->lock.
 */
int xg_gnttab_alloc(struct xg_gnttab *gt, xg_gref_t *ref);

/**
 * xg_gnttab_free() - free a reference that grants nothing
 * @gt: the instance
 * @ref: from xg_gnttab_alloc*(); its access must have ended
 *
 * Freeing a reference twice, one never allocated or one still granted
 * is a caller bug (XG_ASSERT).
 *
 * Context: any.
 * Locking: takes gt->lock.
 */
void xg_gnttab_free(struct xg_gnttab *gt, xg_gref_t ref);

/**
 * xg_gnttab_alloc_batch() - allocate @n references under one lock
 * @gt: the instance
 * @refs: out: @n references
 * @n: how many
 *
 * All or nothing.
 *
 * Returns: 0; XG_ENOSPC if fewer than @n can be had (none are taken);
 * or the XG_E* code of a failed growth.
 * Context: any.
 * Locking: takes gt->lock once.
 */
int xg_gnttab_alloc_batch(struct xg_gnttab *gt, xg_gref_t *refs, unsigned n);

/**
 * xg_gnttab_free_batch() - free @n references under one lock
 * @gt: the instance
 * @refs: references as for xg_gnttab_free()
 * @n: how many
 *
 * Context: any.
 * Locking: takes gt->lock once.
 */
void xg_gnttab_free_batch(struct xg_gnttab *gt, const xg_gref_t *refs,
			  unsigned n);

/**
 * xg_gnttab_alloc_contig() - allocate @n consecutive references
 * @gt: the instance
 * @n: how many (at least 1)
 * @first: out: the first; the run is @first .. @first + @n - 1
 *
 * Runs are cut from the never-used top of the table, growing it as
 * needed; they are freed one by one like any reference (and then join
 * the free list, not a run).
 *
 * Returns: 0; XG_EINVAL for @n == 0; XG_ENOSPC when the table cannot
 * grow far enough; or the XG_E* code of a failed growth.
 * Context: any.
 * Locking: takes gt->lock.
 */
int xg_gnttab_alloc_contig(struct xg_gnttab *gt, unsigned n, xg_gref_t *first);

/**
 * xg_gnttab_pool_fill() - move @n references into a private pool
 * @gt: the instance
 * @pool: caller-owned; zero it before its first use
 * @n: how many to add
 *
 * Returns: 0; XG_ENOSPC (nothing moved) or a growth error.
 * Context: any.
 * Locking: takes gt->lock once.
 */
int xg_gnttab_pool_fill(struct xg_gnttab *gt, struct xg_gnttab_pool *pool,
			unsigned n);

/**
 * xg_gnttab_pool_alloc() - take a reference from a pool
 * @gt: the instance
 * @pool: the pool
 *
 * Returns: a reference, or XG_GREF_INVALID when the pool is empty.
 * Context: any.
 * Locking: none; the caller serialises use of @pool.
 */
xg_gref_t xg_gnttab_pool_alloc(struct xg_gnttab *gt,
			       struct xg_gnttab_pool *pool);

/**
 * xg_gnttab_pool_free() - give a reference back to a pool
 * @gt: the instance
 * @pool: the pool
 * @ref: as for xg_gnttab_free()
 *
 * Context: any.
 * Locking: none; the caller serialises use of @pool.
 */
void xg_gnttab_pool_free(struct xg_gnttab *gt, struct xg_gnttab_pool *pool,
			 xg_gref_t ref);

/**
 * xg_gnttab_pool_drain() - return every pooled reference to the table
 * @gt: the instance
 * @pool: the pool; empty afterwards
 *
 * Context: any.
 * Locking: takes gt->lock once (O(1) splice).
 */
void xg_gnttab_pool_drain(struct xg_gnttab *gt, struct xg_gnttab_pool *pool);

/**
 * xg_gnttab_pool_count() - references left in a pool
 * @pool: the pool
 *
 * Returns: the count.
 * Context: any. Locking: none.
 */
unsigned xg_gnttab_pool_count(const struct xg_gnttab_pool *pool);

/**
 * xg_gnttab_wait() - be called back when references are available
 * @gt: the instance
 * @w: caller-owned; @w->fn and @w->count set
 *
 * For a caller that got XG_ENOSPC. @w->fn runs once, from deferred work
 * (thread context), when at least @w->count references are free; it is
 * a hint, not a reservation: allocate in the callback and register again
 * if that fails. If enough are free already the callback is scheduled
 * at once, so no wakeup is lost between the failed allocation and this
 * call. Registering a queued waiter again does nothing.
 *
 * Context: any.
 * Locking: takes gt->lock.
 */
void xg_gnttab_wait(struct xg_gnttab *gt, struct xg_gnttab_waiter *w);

/**
 * xg_gnttab_wait_cancel() - withdraw a waiter
 * @gt: the instance
 * @w: a waiter, queued or not
 *
 * Returns: true if it was queued (its callback will not run).
 * Context: any.
 * Locking: takes gt->lock.
 */
bool xg_gnttab_wait_cancel(struct xg_gnttab *gt, struct xg_gnttab_waiter *w);

/**
 * xg_gnttab_grant() - let a domain access one of our pages
 * @gt: the instance
 * @ref: an allocated reference that grants nothing yet
 * @domid: the peer
 * @gfn: our page (xg_port_virt_to_gfn())
 * @readonly: the peer may only read
 *
 * Writes the entry's frame and domain, then (after a write barrier) its
 * flags, which makes it valid.
 *
 * Context: any.
 * Locking: none; the caller owns @ref.
 */
void xg_gnttab_grant(struct xg_gnttab *gt, xg_gref_t ref, uint16_t domid,
		     uint64_t gfn, bool readonly);

/**
 * xg_gnttab_grant_alloc() - allocate a reference and grant it
 * @gt: the instance
 * @domid, @gfn, @readonly: as for xg_gnttab_grant()
 * @ref: out: the reference
 *
 * Returns: as xg_gnttab_alloc().
 * Context: any. Locking: takes gt->lock.
 */
int xg_gnttab_grant_alloc(struct xg_gnttab *gt, uint16_t domid, uint64_t gfn,
			  bool readonly, xg_gref_t *ref);

/**
 * xg_gnttab_end_access() - revoke a grant if the peer does not map it
 * @gt: the instance
 * @ref: a granted reference
 *
 * v1: compare-exchanges the flags to 0 only while neither GTF_reading
 * nor GTF_writing is set. v2: clears the flags (no new mapping can
 * start), then reads the status word. The reference stays allocated
 * either way.
 *
 * Returns: 0 when access has ended (the page may be reused); XG_EBUSY
 * when the peer still maps it: the caller keeps the reference and must
 * not reuse the page; retry later or use xg_gnttab_end_access_free().
 * Context: any.
 * Locking: none; the caller owns @ref.
 */
int xg_gnttab_end_access(struct xg_gnttab *gt, xg_gref_t ref);

/**
 * xg_gnttab_end_access_free() - revoke a grant and free its reference
 * @gt: the instance
 * @ref: a granted reference; the caller gives it up in every case
 *
 * Returns: 0 when access ended and the reference is free (the page may
 * be reused now); XG_EBUSY when the peer still maps it: the reference
 * moved to the reclaim queue, deferred work retries it with back-off
 * and, once the peer unmaps, frees it and calls the config's reclaimed
 * callback; until then the caller must not reuse the page.
 * Context: any.
 * Locking: takes gt->lock; may queue work on xen->work_lock.
 */
int xg_gnttab_end_access_free(struct xg_gnttab *gt, xg_gref_t ref);

/**
 * xg_gnttab_stats() - counters
 * @gt: the instance
 * @out: filled in
 *
 * Context: any. Locking: takes gt->lock.
 */
void xg_gnttab_stats(struct xg_gnttab *gt, struct xg_gnttab_stats *out);

/**
 * xg_gnttab_suspend() - the domain is about to be suspended
 * @gt: the instance
 *
 * Stops growth until xg_gnttab_resume(). References keep their state.
 *
 * Context: thread. Locking: takes gt->lock.
 */
void xg_gnttab_suspend(struct xg_gnttab *gt);

/**
 * xg_gnttab_resume() - re-establish the table after resume
 * @gt: the instance
 *
 * Sets the version again and maps every frame that was mapped, highest
 * first, at the same guest-physical addresses. Allocated references
 * stay allocated; the table Xen gives a resumed domain starts empty, so
 * drivers grant their pages again (same references). Peers lost their
 * mappings across the suspension, so deferred references are freed
 * here, calling the reclaimed callback (with gfn 0: the old entries are
 * gone), and waiters whose count is now available are called.
 *
 * Returns: 0 or the XG_E* code of the hypercall that failed.
 * Context: thread. Locking: takes gt->lock.
 */
int xg_gnttab_resume(struct xg_gnttab *gt);

/* ---- backend: mapping and copying a peer's grants ----------------------- */

/* Flags of struct xg_gnttab_map_op (Xen's GNTMAP_*). */
#define XG_GNTMAP_HOST_MAP (1u << 1)
#define XG_GNTMAP_READONLY (1u << 2)

/*
 * One mapping, laid out exactly like Xen's struct gnttab_map_grant_ref
 * (the library checks this at compile time) so a batch goes to Xen as
 * is. Fill the IN fields with xg_gnttab_map_op_set().
 */
struct xg_gnttab_map_op {
	uint64_t host_addr;     /* IN: guest-physical address to map at */
	uint32_t flags;         /* IN: XG_GNTMAP_* */
	xg_gref_t ref;          /* IN: the peer's reference */
	uint16_t domid;         /* IN: the peer */
	int16_t status;         /* OUT: 0 or XG_E* */
	uint32_t handle;        /* OUT: for xg_gnttab_unmap() */
	uint64_t dev_bus_addr;  /* OUT: unused on HVM/PVH/arm */
};

/**
 * xg_gnttab_map_op_set() - describe one mapping
 * @op: the entry
 * @va: page-aligned address of guest-physical space that holds no RAM
 *      (see "Grant tables" in port.h: arm extended regions, x86
 *      ballooned pages); the peer's page appears there
 * @domid: the granting domain
 * @ref: its reference
 * @readonly: map read-only
 *
 * Context: any. Locking: none.
 */
static inline void xg_gnttab_map_op_set(struct xg_gnttab_map_op *op,
					const void *va, uint16_t domid,
					xg_gref_t ref, bool readonly)
{
	op->host_addr = xg_port_virt_to_gfn(va) << 12;
	op->flags = XG_GNTMAP_HOST_MAP | (readonly ? XG_GNTMAP_READONLY : 0);
	op->ref = ref;
	op->domid = domid;
	op->status = 0;
	op->handle = 0;
	op->dev_bus_addr = 0;
}

/**
 * xg_gnttab_map() - map a batch of a peer's grants
 * @ops: @n entries from xg_gnttab_map_op_set()
 * @n: how many
 *
 * One GNTTABOP_map_grant_ref for the batch. Entries that come back with
 * GNTST_eagain (the peer's page is paged out) are retried one by one
 * with back-off (1, 2, 4 ... ms, about 1 s in all) before XG_EAGAIN.
 *
 * Returns: 0 when every entry is mapped; else the status of the first
 * entry that failed. Each entry's status is 0 or XG_E*: XG_EACCES
 * (not granted to us, or read-only), XG_EBADF (bad reference), XG_ESRCH
 * (no such domain), XG_EAGAIN, XG_EFAULT (bad address), XG_EIO
 * (general error) and so on; see docs. If the hypercall itself fails
 * every status is its code.
 * Context: thread (the eagain back-off waits with xg_port_wait()).
 * Locking: none held.
 */
int xg_gnttab_map(struct xg_gnttab_map_op *ops, unsigned n);

/**
 * xg_gnttab_unmap() - unmap a batch mapped by xg_gnttab_map()
 * @ops: entries whose status is 0 (others are skipped)
 * @n: how many
 *
 * GNTTABOP_unmap_grant_ref in chunks of 16 entries.
 *
 * Returns: 0 or the status of the first entry that failed; each entry's
 * status is set to 0 or its XG_E* code.
 * Context: thread.
 * Locking: none held.
 */
int xg_gnttab_unmap(struct xg_gnttab_map_op *ops, unsigned n);

/* Flags of struct xg_gnttab_copy_op (Xen's GNTCOPY_*). */
#define XG_GNTCOPY_SOURCE_GREF (1u << 0)
#define XG_GNTCOPY_DEST_GREF   (1u << 1)

/* One side of a copy: a peer's grant or a local gfn. */
struct xg_gnttab_copy_ptr {
	union {
		xg_gref_t ref;
		uint64_t gfn;
	} u;
	uint16_t domid;         /* the grant's domain, or DOMID_SELF */
	uint16_t offset;        /* byte offset in the page */
};

/* One copy, laid out exactly like Xen's struct gnttab_copy. */
struct xg_gnttab_copy_op {
	struct xg_gnttab_copy_ptr source;
	struct xg_gnttab_copy_ptr dest;
	uint16_t len;           /* bytes; must stay within both pages */
	uint16_t flags;         /* XG_GNTCOPY_* */
	int16_t status;         /* OUT: 0 or XG_E* */
};

/**
 * xg_gnttab_copy() - copy between grants and local pages in a batch
 * @ops: entries
 * @n: how many
 *
 * One GNTTABOP_copy for the batch; GNTST_eagain entries are retried one
 * by one with back-off as in xg_gnttab_map().
 *
 * Returns: 0 or the status of the first failed entry (XG_EACCES,
 * XG_ERANGE for a copy crossing a page, ...).
 * Context: thread.
 * Locking: none held.
 */
int xg_gnttab_copy(struct xg_gnttab_copy_op *ops, unsigned n);

/**
 * xg_gnttab_status_to_errno() - Xen's GNTST_* as an XG_E* code
 * @gntst: a GNTST_* value (0 or negative)
 *
 * Returns: 0 for GNTST_okay; an XG_E* code otherwise (XG_EIO for an
 * unknown value).
 * Context: any. Locking: none.
 */
int xg_gnttab_status_to_errno(int gntst);

#endif /* XENGUEST_GNTTAB_H */
