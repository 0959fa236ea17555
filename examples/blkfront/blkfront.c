// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * A PV block frontend on xenguest (see blkfront.h and README.md).
 *
 * The file reads in the order a driver writer needs it:
 *   1. responses: the upcall handler, everything the backend wrote checked
 *   2. requests: grants, direct and indirect descriptors, the I/O loop
 *   3. the ring: pages, grants, event channel, and their teardown
 *   4. xenbus: the state machine, negotiation, close and reconnect
 *
 * The backend is another domain: everything it writes (the ring's
 * response producer, response ids, statuses, its xenstore nodes) is read
 * once into a local copy and checked before use. Every grant this driver
 * makes is ended by the driver, on success, on error and after a close.
 */
#include <stddef.h>
#include <xenguest/error.h>
#include <xenguest/port.h>
#include "blkfront.h"
#include <xen/io/protocols.h>

/* io/ring.h's SHARED_RING_INIT calls memset; port.h: every host has it. */
void *memset(void *dst, int c, size_t n);

#define SECTORS_PER_PAGE (BLKFRONT_PAGE / BLKFRONT_SECTOR)
#define DIRECT_SEGS BLKIF_MAX_SEGMENTS_PER_REQUEST /* in the request itself */
#define SEGS_PER_INDIRECT_PAGE (BLKFRONT_PAGE / sizeof(struct blkif_request_segment))
#define BIT(state) (1u << (state))

_Static_assert(BLKFRONT_MAX_INDIRECT <= SEGS_PER_INDIRECT_PAGE,
	       "one indirect page per request");
_Static_assert(BLKFRONT_SLOTS <= 32, "a one-page ring holds every slot");

/* ---- 1. responses ----------------------------------------------------- */

/* One response, copied out of the ring. Its id must name a request in
 * flight that has not been answered yet, with the operation we sent. */
static void blkfront_complete(struct blkfront *bf, const struct blkif_response *rsp)
{
	struct blkfront_slot *s;

	if (rsp->id >= BLKFRONT_SLOTS) {
		bf->stats.bad_responses++;
		return;
	}
	s = &bf->slots[rsp->id];
	/* An indirect request may be answered with either operation code. */
	if (!s->busy || s->done ||
	    (rsp->operation != s->op &&
	     !(rsp->operation == BLKIF_OP_INDIRECT && s->ind_ref != XG_GREF_INVALID))) {
		bf->stats.bad_responses++;
		return;
	}
	s->status = rsp->status;
	__atomic_store_n(&s->done, true, __ATOMIC_RELEASE);
}

/* Consume every response. The producer index is the backend's: read once
 * and bounded, or the ring is declared broken. */
static void blkfront_collect(struct blkfront *bf)
{
	xg_port_irqstate_t irq = xg_port_lock(&bf->lock);
	unsigned budget;
	int more = 0;

	if (bf->ring.sring == NULL || bf->broken)
		goto out;
	/* At most BLKFRONT_SLOTS requests are in flight: a backend that
	 * answers more than a ringful in one go is flooding the upcall. */
	budget = RING_SIZE(&bf->ring);
	do {
		RING_IDX prod = __atomic_load_n(&bf->ring.sring->rsp_prod, __ATOMIC_ACQUIRE);

		if (RING_RESPONSE_PROD_OVERFLOW(&bf->ring, prod) ||
		    prod - bf->ring.rsp_cons > budget) {
			bf->broken = true;
			goto out;
		}
		budget -= prod - bf->ring.rsp_cons;
		while (bf->ring.rsp_cons != prod) {
			struct blkif_response rsp;

			RING_COPY_RESPONSE(&bf->ring, bf->ring.rsp_cons, &rsp);
			bf->ring.rsp_cons++;
			blkfront_complete(bf, &rsp);
		}
		/* Ask for an event on the next response, then look again: one
		 * may have arrived before rsp_event was written. */
		RING_FINAL_CHECK_FOR_RESPONSES(&bf->ring, more);
	} while (more);
out:
	xg_port_unlock(&bf->lock, irq);
}

/* The event channel's handler, in the upcall. */
static int blkfront_event(struct xg_isrc *isrc, void *arg)
{
	struct blkfront *bf = arg;

	(void)isrc;
	blkfront_collect(bf);
	xg_port_wakeup(bf);
	return XG_ISRC_HANDLED;
}

/* ---- 2. requests ------------------------------------------------------ */

/* End one grant. A backend that still maps the page after answering is
 * misbehaving: the grant table reclaims the reference once it unmaps,
 * and the driver stops (the page must not be reused before that). */
static int blkfront_end_grant(struct blkfront *bf, xg_gref_t ref)
{
	int rc = xg_gnttab_end_access_free(bf->cfg.gt, ref);

	bf->stats.grants_ended++;
	if (rc == XG_EBUSY) {
		bf->stats.grants_deferred++;
		bf->broken = true;
	}
	return rc;
}

static void *blkfront_indirect_page(struct blkfront *bf, unsigned id)
{
	return (uint8_t *)bf->indirect_pages + (size_t)id * BLKFRONT_PAGE;
}

/* Grant the pages of @buf and describe them: whole pages of 8 sectors,
 * the last one possibly shorter. */
static void blkfront_fill_segs(struct blkfront *bf, struct blkfront_slot *s, bool write,
			       uint8_t *buf, uint32_t nsectors,
			       struct blkif_request_segment *segs)
{
	for (unsigned i = 0; i < s->nsegs; i++) {
		uint32_t left = nsectors - i * SECTORS_PER_PAGE;
		uint32_t n = left < SECTORS_PER_PAGE ? left : SECTORS_PER_PAGE;

		/* A write lets the backend read our page, a read lets it write. */
		xg_gnttab_grant(bf->cfg.gt, s->refs[i], (uint16_t)bf->backend_id,
				xg_port_virt_to_gfn(buf + (size_t)i * BLKFRONT_PAGE), write);
		bf->stats.grants_made++;
		segs[i].gref = s->refs[i];
		segs[i].first_sect = 0;
		segs[i].last_sect = (uint8_t)(n - 1);
	}
}

/* Write one request into the ring (not yet pushed). Up to 11 segments
 * travel in the request; more go in an indirect page that is granted
 * read-only too. */
static int blkfront_issue(struct blkfront *bf, unsigned id, bool write, uint64_t sector,
			  uint8_t *buf, uint32_t nsectors)
{
	struct blkfront_slot *s = &bf->slots[id];
	struct blkif_request_segment direct[DIRECT_SEGS];
	unsigned nsegs = (nsectors + SECTORS_PER_PAGE - 1) / SECTORS_PER_PAGE;
	bool indirect = nsegs > DIRECT_SEGS;
	struct blkif_request *req;
	xg_port_irqstate_t irq;
	int rc;

	rc = xg_gnttab_alloc_batch(bf->cfg.gt, s->refs, nsegs + (indirect ? 1 : 0));
	if (rc < 0)
		return rc;
	s->nsegs = (uint16_t)nsegs;
	s->op = write ? BLKIF_OP_WRITE : BLKIF_OP_READ;
	s->ind_ref = indirect ? s->refs[nsegs] : XG_GREF_INVALID;
	blkfront_fill_segs(bf, s, write, buf, nsectors,
			   indirect ? blkfront_indirect_page(bf, id) : direct);
	if (indirect) {
		xg_gnttab_grant(bf->cfg.gt, s->ind_ref, (uint16_t)bf->backend_id,
				xg_port_virt_to_gfn(blkfront_indirect_page(bf, id)), true);
		bf->stats.grants_made++;
		bf->stats.indirect_requests++;
	}

	irq = xg_port_lock(&bf->lock);
	s->busy = true;
	s->done = false;
	req = RING_GET_REQUEST(&bf->ring, bf->ring.req_prod_pvt);
	if (indirect) {
		struct blkif_request_indirect *ind = (struct blkif_request_indirect *)req;

		ind->operation = BLKIF_OP_INDIRECT;
		ind->indirect_op = s->op;
		ind->nr_segments = (uint16_t)nsegs;
		ind->id = id;
		ind->sector_number = sector;
		ind->handle = (blkif_vdev_t)bf->handle;
		ind->indirect_grefs[0] = s->ind_ref;
	} else {
		req->operation = s->op;
		req->nr_segments = (uint8_t)nsegs;
		req->handle = (blkif_vdev_t)bf->handle;
		req->id = id;
		req->sector_number = sector;
		for (unsigned i = 0; i < nsegs; i++)
			req->seg[i] = direct[i];
	}
	bf->ring.req_prod_pvt++;
	xg_port_unlock(&bf->lock, irq);
	bf->stats.requests++;
	return 0;
}

static void blkfront_push(struct blkfront *bf)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&bf->ring, notify);
	if (notify)
		(void)xg_intr_notify(bf->isrc);
}

/* The backend answered @id: end its grants, free the slot. */
static int blkfront_reap(struct blkfront *bf, unsigned id)
{
	struct blkfront_slot *s = &bf->slots[id];
	int rc = s->status == BLKIF_RSP_OKAY ? 0 : XG_EIO;
	unsigned n = s->nsegs + (s->ind_ref != XG_GREF_INVALID ? 1u : 0u);
	xg_port_irqstate_t irq;

	for (unsigned i = 0; i < n; i++) {
		if (blkfront_end_grant(bf, s->refs[i]) == XG_EBUSY && rc == 0)
			rc = XG_EBUSY;
	}
	irq = xg_port_lock(&bf->lock);
	s->busy = false;
	xg_port_unlock(&bf->lock, irq);
	return rc;
}

/* Requests the backend never answered (timeout, broken ring, close): end
 * their grants anyway; pages it still maps are reclaimed later. */
static void blkfront_abandon(struct blkfront *bf)
{
	for (unsigned id = 0; id < BLKFRONT_SLOTS; id++) {
		if (bf->slots[id].busy) {
			bf->slots[id].status = BLKIF_RSP_ERROR;
			(void)blkfront_reap(bf, id);
		}
	}
}

static bool blkfront_any_done(void *arg)
{
	struct blkfront *bf = arg;

	if (__atomic_load_n(&bf->broken, __ATOMIC_ACQUIRE))
		return true;
	for (unsigned id = 0; id < BLKFRONT_SLOTS; id++) {
		if (bf->slots[id].busy && __atomic_load_n(&bf->slots[id].done, __ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

static int blkfront_check_io(const struct blkfront *bf, const void *buf, uint64_t sector,
			     uint32_t nsectors)
{
	uint32_t per_block = (uint32_t)(bf->sector_size / BLKFRONT_SECTOR);

	if (!bf->connected || bf->broken)
		return bf->broken ? XG_EIO : XG_ENOTCONN;
	if (((uintptr_t)buf & (BLKFRONT_PAGE - 1)) != 0 || nsectors == 0 ||
	    nsectors % per_block != 0 || sector % per_block != 0 ||
	    sector > bf->sectors || nsectors > bf->sectors - sector)
		return XG_EINVAL;
	return 0;
}

/* Issue into every free slot while sectors remain; returns the first
 * error (grant table full, ...), after which nothing more is issued. */
static int blkfront_fill_slots(struct blkfront *bf, bool write, uint64_t *sector,
			       uint8_t **p, uint32_t *nsectors, unsigned *inflight)
{
	uint32_t per_req = bf->max_segs * SECTORS_PER_PAGE;

	for (unsigned id = 0; id < BLKFRONT_SLOTS && *nsectors > 0; id++) {
		uint32_t n = *nsectors < per_req ? *nsectors : per_req;
		int rc;

		if (bf->slots[id].busy)
			continue;
		rc = blkfront_issue(bf, id, write, *sector, *p, n);
		if (rc < 0)
			return rc;
		*p += (size_t)n * BLKFRONT_SECTOR;
		*sector += n;
		*nsectors -= n;
		(*inflight)++;
	}
	return 0;
}

int blkfront_io(struct blkfront *bf, bool write, uint64_t sector, void *buf,
		uint32_t nsectors)
{
	uint8_t *p = buf;
	unsigned inflight = 0;
	int err = blkfront_check_io(bf, buf, sector, nsectors);

	if (err != 0)
		return err;
	while (nsectors > 0 || inflight > 0) {
		err = err ? err : blkfront_fill_slots(bf, write, &sector, &p, &nsectors, &inflight);
		if (err != 0)
			nsectors = 0; /* stop issuing, collect what is in flight */
		blkfront_push(bf);
		if (inflight == 0)
			break;
		if (xg_port_wait(bf, blkfront_any_done, bf, bf->cfg.timeout_ns) != 0) {
			err = XG_ETIMEDOUT;
			break;
		}
		if (bf->broken) {
			err = err ? err : XG_EIO;
			break;
		}
		for (unsigned id = 0; id < BLKFRONT_SLOTS; id++) {
			if (bf->slots[id].busy &&
			    __atomic_load_n(&bf->slots[id].done, __ATOMIC_ACQUIRE)) {
				int rc = blkfront_reap(bf, id);

				err = err ? err : rc;
				inflight--;
			}
		}
		if (err != 0)
			nsectors = 0;
	}
	if (inflight > 0) {
		/* The backend is stuck or broke the ring: give up what it
		 * holds; the grant table reclaims pages it still maps. */
		bf->broken = true;
		blkfront_abandon(bf);
	}
	if (err == 0)
		*(write ? &bf->stats.sectors_written : &bf->stats.sectors_read) +=
			(uint64_t)(p - (uint8_t *)buf) / BLKFRONT_SECTOR;
	return err;
}

/* ---- 3. the ring ------------------------------------------------------ */

/* Shared pages, their grants (the backend writes responses: writable)
 * and an unbound event channel the backend will connect to. */
static int blkfront_ring_setup(struct blkfront *bf)
{
	unsigned npages = 1u << bf->ring_order;
	struct blkif_sring *sring;
	int rc;

	bf->sring_pages = xg_port_page_alloc(npages);
	if (bf->sring_pages == NULL)
		return XG_ENOMEM;
	sring = bf->sring_pages;
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&bf->ring, sring, (size_t)BLKFRONT_PAGE * npages);
	rc = xg_gnttab_alloc_batch(bf->cfg.gt, bf->ring_refs, npages);
	if (rc < 0) {
		bf->ring.sring = NULL;
		xg_port_page_free(bf->sring_pages, npages);
		bf->sring_pages = NULL;
		return rc;
	}
	for (unsigned i = 0; i < npages; i++) {
		xg_gnttab_grant(bf->cfg.gt, bf->ring_refs[i], (uint16_t)bf->backend_id,
				xg_port_virt_to_gfn((uint8_t *)bf->sring_pages + (size_t)i * BLKFRONT_PAGE),
				false);
		bf->stats.grants_made++;
	}
	return xg_intr_alloc_unbound(bf->cfg.ev, (uint16_t)bf->backend_id, "blkfront",
				     blkfront_event, bf, XG_INTR_ENABLE, &bf->isrc);
}

/* Undo blkfront_ring_setup(). Call once the backend has closed (it has
 * unmapped the ring) or is gone; pages it still maps are not freed. */
static void blkfront_ring_teardown(struct blkfront *bf)
{
	unsigned npages = 1u << bf->ring_order;
	bool mapped = false;
	xg_port_irqstate_t irq;

	if (bf->isrc != NULL) {
		(void)xg_intr_unbind(bf->isrc); /* closes our port */
		bf->isrc = NULL;
	}
	blkfront_abandon(bf);
	irq = xg_port_lock(&bf->lock);
	bf->ring.sring = NULL;
	xg_port_unlock(&bf->lock, irq);
	if (bf->sring_pages == NULL)
		return;
	for (unsigned i = 0; i < npages; i++)
		mapped |= blkfront_end_grant(bf, bf->ring_refs[i]) == XG_EBUSY;
	if (!mapped)
		xg_port_page_free(bf->sring_pages, npages);
	bf->sring_pages = NULL;
}

/* ---- 4. xenbus -------------------------------------------------------- */

static int blkfront_wait_backend(struct blkfront *bf, uint32_t mask,
				 enum xg_xenbus_state *state)
{
	return xg_xenbus_wait_state(bf->cfg.xs, bf->backend, mask, bf->cfg.timeout_ns, state);
}

/* What the backend offers before we connect (Linux blkback writes these
 * before it enters InitWait). */
static int blkfront_negotiate(struct blkfront *bf)
{
	uint64_t indirect = 0;
	int rc = xg_xenbus_max_ring_order(bf->cfg.xs, bf->backend, BLKFRONT_MAX_RING_ORDER,
					  &bf->ring_order);

	if (rc < 0)
		return rc;
	rc = xg_xenbus_read_u64(bf->cfg.xs, 0, bf->backend, "feature-max-indirect-segments",
				&indirect);
	if (rc < 0 && rc != XG_ENOENT && rc != XG_EINVAL)
		return rc;
	if (rc < 0 || indirect <= DIRECT_SEGS)
		bf->max_segs = DIRECT_SEGS;
	else
		bf->max_segs = indirect < BLKFRONT_MAX_INDIRECT ? (unsigned)indirect
								: BLKFRONT_MAX_INDIRECT;
	return 0;
}

/* Our half of the connection, in one transaction so that the backend
 * never sees ring references without their event channel. */
static int blkfront_publish(struct xg_xs *xs, uint32_t tx, void *arg)
{
	struct blkfront *bf = arg;
	const char *dir = bf->cfg.dir;
	char stale[XG_XENBUS_PATH_MAX];
	int rc = xg_xenbus_write_ring_refs(xs, tx, dir, bf->ring_refs, bf->ring_order);

	/* A single page after a multi-page connection: the backend must not
	 * read the old ring-page-order (ring-refN keys it then ignores). */
	if (rc == 0 && bf->ring_order == 0 &&
	    xg_xenbus_path(stale, sizeof(stale), "%s/ring-page-order", dir) >= 0) {
		rc = xg_xs_rm(xs, tx, stale);
		rc = rc == XG_ENOENT ? 0 : rc;
	}

	if (rc == 0)
		rc = xg_xenbus_printf(xs, tx, dir, "event-channel", "%u", bf->isrc->port);
	if (rc == 0)
		rc = xg_xenbus_printf(xs, tx, dir, "protocol", "%s", XEN_IO_PROTO_ABI_NATIVE);
	return rc;
}

/* The disk, as the backend describes it once Connected. */
static int blkfront_read_disk(struct blkfront *bf)
{
	const struct xg_xenbus_field fields[] = {
		{ .node = "sectors", .num = &bf->sectors },
		{ .node = "sector-size", .num = &bf->sector_size },
		{ .node = "info", .num = &bf->info },
	};
	int rc = xg_xenbus_gather(bf->cfg.xs, 0, bf->backend, fields, 3);

	if (rc < 0)
		return rc;
	if (bf->sectors == 0 || bf->sector_size < BLKFRONT_SECTOR ||
	    bf->sector_size > BLKFRONT_PAGE || bf->sector_size % BLKFRONT_SECTOR != 0)
		return XG_EINVAL;
	return 0;
}

static int blkfront_watch_backend(struct blkfront *bf)
{
	int rc;

	__builtin_memset(&bf->state_watch, 0, sizeof(bf->state_watch));
	bf->state_watch.path = bf->state_path; /* fn NULL: count events only */
	rc = xg_xs_watch_add(bf->cfg.xs, &bf->state_watch);
	bf->watching = rc == 0;
	bf->state_events_seen = 0;
	return rc;
}

/*
 * Initialising -> (backend InitWait) -> Initialised -> (backend
 * Connected) -> Connected. Also the way back after a close: Linux blkback
 * returns from Closed to InitWait when it sees Initialising.
 */
static int blkfront_connect(struct blkfront *bf)
{
	struct xg_xs *xs = bf->cfg.xs;
	enum xg_xenbus_state st;
	int rc = xg_xenbus_switch_state(xs, bf->cfg.dir, XG_XENBUS_INITIALISING);

	if (rc == 0)
		rc = blkfront_wait_backend(bf, BIT(XG_XENBUS_INITWAIT), &st);
	if (rc == 0)
		rc = blkfront_negotiate(bf);
	if (rc == 0)
		rc = blkfront_ring_setup(bf);
	if (rc == 0)
		rc = xg_xs_transaction(xs, blkfront_publish, bf, 0);
	if (rc == 0)
		rc = xg_xenbus_switch_state(xs, bf->cfg.dir, XG_XENBUS_INITIALISED);
	if (rc == 0)
		rc = blkfront_wait_backend(bf, BIT(XG_XENBUS_CONNECTED) | BIT(XG_XENBUS_CLOSING) |
					       BIT(XG_XENBUS_CLOSED), &st);
	if (rc == 0 && st != XG_XENBUS_CONNECTED)
		rc = XG_ENOTCONN;
	if (rc == 0)
		rc = blkfront_read_disk(bf);
	if (rc == 0)
		rc = xg_xenbus_switch_state(xs, bf->cfg.dir, XG_XENBUS_CONNECTED);
	if (rc == 0)
		rc = blkfront_watch_backend(bf);
	if (rc != 0) {
		blkfront_ring_teardown(bf);
		return rc;
	}
	bf->broken = false;
	bf->connected = true;
	bf->stats.connects++;
	return 0;
}

/* Closing -> (backend Closing) -> Closed -> (backend Closed: it has let
 * go of the ring) -> end every grant. If the backend does not answer in
 * time the grants are ended anyway and reclaimed once it unmaps. */
static int blkfront_close(struct blkfront *bf)
{
	const uint32_t gone = BIT(XG_XENBUS_CLOSED) | BIT(XG_XENBUS_UNKNOWN);
	struct xg_xs *xs = bf->cfg.xs;
	enum xg_xenbus_state st;
	int rc, rc2;

	if (bf->watching) {
		(void)xg_xs_watch_remove(xs, &bf->state_watch);
		bf->watching = false;
	}
	bf->connected = false;
	rc = xg_xenbus_switch_state(xs, bf->cfg.dir, XG_XENBUS_CLOSING);
	if (rc == 0)
		rc = blkfront_wait_backend(bf, BIT(XG_XENBUS_CLOSING) | gone, &st);
	/* Closed even if the backend did not answer: it may be gone. */
	rc2 = xg_xenbus_switch_state(xs, bf->cfg.dir, XG_XENBUS_CLOSED);
	if (rc2 == 0)
		rc2 = blkfront_wait_backend(bf, gone, &st);
	blkfront_ring_teardown(bf);
	return rc ? rc : rc2;
}

bool blkfront_backend_changed(const struct blkfront *bf)
{
	return bf->watching &&
	       __atomic_load_n(&bf->state_watch.events, __ATOMIC_ACQUIRE) != bf->state_events_seen;
}

int blkfront_poll(struct blkfront *bf)
{
	enum xg_xenbus_state st;
	int rc;

	if (bf->connected && !blkfront_backend_changed(bf))
		return 0;
	bf->state_events_seen = __atomic_load_n(&bf->state_watch.events, __ATOMIC_ACQUIRE);
	rc = xg_xenbus_read_state(bf->cfg.xs, bf->backend, &st);
	if (rc < 0)
		return rc;
	/* InitWait while connected is a backend driver that was unbound and
	 * bound again: Linux blkback re-attaches to the same ring itself. */
	if (bf->connected && st != XG_XENBUS_CLOSING && st != XG_XENBUS_CLOSED)
		return 0;
	if (bf->connected) {
		bf->stats.backend_closes++;
		(void)blkfront_close(bf);
	}
	return blkfront_connect(bf);
}

int blkfront_attach(struct blkfront *bf, const struct blkfront_config *cfg)
{
	uint64_t vdev = 0;
	int rc;

	__builtin_memset(bf, 0, sizeof(*bf));
	bf->cfg = *cfg;
	xg_port_lock_init(&bf->lock);
	rc = xg_xenbus_otherend(cfg->xs, cfg->dir, "backend", bf->backend,
				sizeof(bf->backend), &bf->backend_id);
	if (rc == 0)
		rc = xg_xenbus_read_u64(cfg->xs, 0, cfg->dir, "virtual-device", &vdev);
	if (rc == 0 && vdev > UINT16_MAX)
		rc = XG_EINVAL;
	if (rc == 0)
		rc = xg_xenbus_path(bf->state_path, sizeof(bf->state_path), "%s/state", bf->backend);
	if (rc < 0)
		return rc;
	bf->handle = (uint32_t)vdev;
	bf->indirect_pages = xg_port_page_alloc(BLKFRONT_SLOTS);
	if (bf->indirect_pages == NULL)
		return XG_ENOMEM;
	rc = blkfront_connect(bf);
	if (rc != 0 && bf->stats.grants_deferred == 0) {
		xg_port_page_free(bf->indirect_pages, BLKFRONT_SLOTS);
		bf->indirect_pages = NULL;
	}
	return rc;
}

int blkfront_detach(struct blkfront *bf)
{
	int rc = blkfront_close(bf);

	/* A page the backend may still map is never given back. */
	if (bf->indirect_pages != NULL && bf->stats.grants_deferred == 0)
		xg_port_page_free(bf->indirect_pages, BLKFRONT_SLOTS);
	bf->indirect_pages = NULL;
	return rc;
}
