/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * blkfront: a small PV block frontend built only on xenguest's public API
 * (xenbus helpers, grant tables, the interrupt registry) and Xen's
 * io/blkif.h ring. It is the model driver: read blkfront.c top to bottom
 * and README.md for the order of events. The host supplies pages and
 * waiting through port.h (xg_port_page_alloc(), xg_port_wait(),
 * xg_port_wakeup()), nothing else, so it builds in any port.
 *
 * Use (thread context throughout):
 *   blkfront_attach()  find the backend, negotiate, connect
 *   blkfront_io()      read or write whole sectors, waits for completion
 *   blkfront_poll()    react to a backend state change (a backend-initiated
 *                      close: tear down, then reconnect)
 *   blkfront_detach()  clean close; every grant this driver made is ended
 */
#ifndef XG_EXAMPLE_BLKFRONT_H
#define XG_EXAMPLE_BLKFRONT_H

#include <stdbool.h>
#include <stdint.h>
#include <xenguest/gnttab.h>
#include <xenguest/intr.h>
#include <xenguest/xenbus.h>

/* Xen's public headers select an interface version; xenguest's (4.13)
 * is what the library itself is built with (src/xg_abi.h). */
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040d00
#endif
/* io/ring.h wants its barriers named. C11 fences are right for ordinary
 * cacheable shared memory on every architecture xenguest supports. */
#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#include <xen/io/blkif.h>

#define BLKFRONT_SECTOR 512u          /* blkif counts in 512-byte sectors */
#define BLKFRONT_PAGE 4096u           /* one grant = one 4 KiB page */
#define BLKFRONT_MAX_RING_ORDER 4u    /* up to 16 ring pages (512 slots) */
#define BLKFRONT_SLOTS 8u             /* requests in flight at once */
/* Segments per indirect request: one indirect page of descriptors each
 * (a page holds 512), 1 MiB of data. */
#define BLKFRONT_MAX_INDIRECT 256u
#define BLKFRONT_MAX_SEGS BLKFRONT_MAX_INDIRECT

/* One request in flight. The id sent to the backend is the slot index. */
struct blkfront_slot {
	/* The data pages, then (indirect requests) the descriptor page. */
	xg_gref_t refs[BLKFRONT_MAX_SEGS + 1];
	xg_gref_t ind_ref;                 /* the indirect page, or INVALID */
	uint16_t nsegs;
	uint8_t op;                        /* BLKIF_OP_READ or _WRITE */
	bool busy;                         /* owned by the backend */
	bool done;                         /* response seen (set in the upcall) */
	int16_t status;                    /* BLKIF_RSP_* from the response */
};

struct blkfront_stats {
	uint64_t requests, indirect_requests, sectors_read, sectors_written;
	uint64_t grants_made, grants_ended, grants_deferred;
	uint32_t bad_responses;  /* ids out of range, duplicates, wrong op */
	uint32_t connects, backend_closes;
};

struct blkfront_config {
	struct xg_xs *xs;
	struct xg_gnttab *gt;
	struct xg_evtchn *ev;
	const char *dir;         /* own device directory, "device/vbd/51712" */
	uint64_t timeout_ns;     /* per state change and per I/O; 0 = forever */
};

struct blkfront {
	struct blkfront_config cfg;
	xg_port_lock_t lock;               /* slots and responses vs the upcall */
	char backend[XG_XENBUS_PATH_MAX];
	uint32_t backend_id;
	uint32_t handle;                   /* virtual-device: blkif's handle */
	/* what the backend offered, after negotiation */
	unsigned ring_order;
	unsigned max_segs;                 /* per request: 11 or indirect */
	uint64_t sectors;                  /* disk size in 512-byte sectors */
	uint64_t sector_size;              /* the disk's logical sector */
	uint64_t info;                     /* VDISK_* flags */
	/* the connection */
	bool connected;
	bool broken;                       /* the backend broke the ring */
	blkif_front_ring_t ring;
	void *sring_pages;
	xg_gref_t ring_refs[1u << BLKFRONT_MAX_RING_ORDER];
	struct xg_isrc *isrc;
	void *indirect_pages;              /* one page per slot */
	struct blkfront_slot slots[BLKFRONT_SLOTS];
	struct xg_xs_watch state_watch;    /* backend's state, counting only */
	char state_path[XG_XENBUS_PATH_MAX];
	uint32_t state_events_seen;
	bool watching;
	struct blkfront_stats stats;
};

/**
 * blkfront_attach() - connect to the backend of @cfg->dir
 * @bf: caller-owned, zeroed or not; fully written here
 * @cfg: clients and the device directory (copied)
 * Returns: 0; XG_ETIMEDOUT if the backend never got ready; XG_ENOMEM;
 * xenstore, grant or event-channel errors. On failure nothing stays
 * granted or bound (a grant the backend still maps is reclaimed later).
 * Context: thread.
 */
int blkfront_attach(struct blkfront *bf, const struct blkfront_config *cfg);

/**
 * blkfront_io() - read or write whole sectors, and wait
 * @bf: a connected frontend
 * @write: true to write
 * @sector: first 512-byte sector
 * @buf: 4 KiB aligned; granted to the backend page by page (zero copy)
 * @nsectors: count; a multiple of sector_size / 512
 * Splits the transfer into requests of at most @bf->max_segs pages
 * (indirect ones when the backend offers them and a request needs more
 * than 11), keeps up to BLKFRONT_SLOTS in flight, waits for all.
 * Returns: 0; XG_EINVAL (alignment, range); XG_ENOTCONN; XG_EIO (the
 * backend reported an error, or broke the ring); XG_ETIMEDOUT; XG_EBUSY
 * if the backend still maps a page after answering (the buffer must not
 * be reused until the grant table reclaims it).
 * Context: thread; one caller at a time.
 */
int blkfront_io(struct blkfront *bf, bool write, uint64_t sector, void *buf,
		uint32_t nsectors);

/**
 * blkfront_poll() - handle a change of the backend's state
 * @bf: the frontend
 * If the backend is closing (a toolstack detach, a backend restart), the
 * frontend closes its side, waits for the backend to let go of the ring,
 * ends every grant and then reconnects (the backend re-offers its
 * features). Cheap when nothing changed.
 * Returns: 0 when connected afterwards; errors of the reconnection.
 * Context: thread; not while blkfront_io() runs.
 */
int blkfront_poll(struct blkfront *bf);

/**
 * blkfront_backend_changed() - has the backend's state node changed?
 * @bf: the frontend
 * Returns: true if blkfront_poll() has something to look at.
 * Context: any.
 */
bool blkfront_backend_changed(const struct blkfront *bf);

/**
 * blkfront_detach() - close the device from the frontend's side
 * @bf: the frontend
 * Closing, Closed, waits for the backend to close, ends every grant.
 * Returns: 0, or the first error (teardown completes anyway).
 * Context: thread.
 */
int blkfront_detach(struct blkfront *bf);

#endif /* XG_EXAMPLE_BLKFRONT_H */
