/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The xenstore shared ring (struct xenstore_domain_interface): two
 * 1024-byte byte rings. We own req_prod and rsp_cons and keep private
 * copies of them, so nothing the server scribbles on those words is ever
 * believed. The server's indexes (req_cons, rsp_prod) are read once per
 * call and must stay within one ring size of ours; otherwise the ring is
 * corrupt and the client resets it with the RECONNECTION handshake (or
 * gives up when the server lacks the feature).
 *
 * This file knows nothing about event channels: the host passes a notify
 * callback and calls xg_xs_event() when the store event fires.
 */
#include "xs_internal.h"

static struct xenstore_domain_interface *xs_intf(struct xg_xs_ring *r)
{
	return r->intf_;
}

/* False while the server has not finished a reconnection. */
static bool xs_ring_ready(struct xg_xs_ring *r)
{
	struct xenstore_domain_interface *intf = xs_intf(r);

	if (XG_READ_ONCE(intf->connection) != XENSTORE_CONNECTED)
		return false;
	if (r->reconnecting_) {
		/* The server zeroed every index before saying CONNECTED. */
		xg_rmb();
		r->req_prod_ = 0;
		r->rsp_cons_ = 0;
		r->reconnecting_ = false;
	}
	return true;
}

/* The server may report a fault in the page's error word. */
static bool xs_ring_faulted(struct xenstore_domain_interface *intf)
{
	return (XG_READ_ONCE(intf->server_features) &
		XENSTORE_SERVER_FEATURE_ERROR) != 0 &&
	       XG_READ_ONCE(intf->error) != XENSTORE_ERROR_NONE;
}

/* Copy @len bytes into a ring at index @idx, wrapping. */
static void xs_ring_put(char *ring, uint32_t idx, const char *src,
			uint32_t len)
{
	uint32_t off = MASK_XENSTORE_IDX(idx), first = XENSTORE_RING_SIZE - off;

	if (first > len)
		first = len;
	xg_memcpy(ring + off, src, first);
	xg_memcpy(ring, src + first, len - first);
}

static void xs_ring_get(char *dst, const char *ring, uint32_t idx,
			uint32_t len)
{
	uint32_t off = MASK_XENSTORE_IDX(idx), first = XENSTORE_RING_SIZE - off;

	if (first > len)
		first = len;
	xg_memcpy(dst, ring + off, first);
	xg_memcpy(dst + first, ring, len - first);
}

static int xs_ring_write(void *ctx, const void *buf, size_t len)
{
	struct xg_xs_ring *r = ctx;
	struct xenstore_domain_interface *intf = xs_intf(r);
	uint32_t cons, used, n;

	if (!xs_ring_ready(r))
		return 0;
	cons = XG_READ_ONCE(intf->req_cons);
	/* The server must have read the bytes before we overwrite them. */
	xg_mb();
	used = r->req_prod_ - cons;
	if (used > XENSTORE_RING_SIZE || xs_ring_faulted(intf))
		return XG_EIO;
	n = XENSTORE_RING_SIZE - used;
	if (n > len)
		n = (uint32_t)len;
	if (n == 0)
		return 0;
	xs_ring_put(intf->req, r->req_prod_, buf, n);
	/* Bytes before the index that publishes them. */
	xg_wmb();
	r->req_prod_ += n;
	XG_WRITE_ONCE(intf->req_prod, r->req_prod_);
	return (int)n;
}

static int xs_ring_read(void *ctx, void *buf, size_t len)
{
	struct xg_xs_ring *r = ctx;
	struct xenstore_domain_interface *intf = xs_intf(r);
	uint32_t prod, avail, n;

	if (!xs_ring_ready(r))
		return 0;
	prod = XG_READ_ONCE(intf->rsp_prod);
	/* The index before the bytes it covers. */
	xg_rmb();
	avail = prod - r->rsp_cons_;
	if (avail > XENSTORE_RING_SIZE || xs_ring_faulted(intf))
		return XG_EIO;
	n = avail < len ? avail : (uint32_t)len;
	if (n == 0)
		return 0;
	xs_ring_get(buf, intf->rsp, r->rsp_cons_, n);
	/* Done reading before the server may reuse the space. */
	xg_mb();
	r->rsp_cons_ += n;
	XG_WRITE_ONCE(intf->rsp_cons, r->rsp_cons_);
	/*
	 * Wake the server only if it may be waiting for room: the ring was
	 * full at some point since our previous index. Re-reading the
	 * producer after publishing ours closes the race with a server
	 * that fills the ring right now. Saves an event per reply.
	 */
	xg_mb();
	if (XG_READ_ONCE(intf->rsp_prod) - (r->rsp_cons_ - n) >=
	    XENSTORE_RING_SIZE)
		r->notify_(r->arg_);
	return (int)n;
}

static void xs_ring_notify(void *ctx)
{
	struct xg_xs_ring *r = ctx;

	r->notify_(r->arg_);
}

static int xs_ring_wait(void *ctx, bool want_write, uint64_t timeout_ns)
{
	struct xg_xs_ring *r = ctx;

	(void)want_write;
	return r->wait_(r->arg_, timeout_ns);
}

/* A corrupt ring: ask the server to start over, if it can. */
static int xs_ring_reset(void *ctx)
{
	struct xg_xs_ring *r = ctx;
	struct xenstore_domain_interface *intf = xs_intf(r);

	if ((XG_READ_ONCE(intf->server_features) &
	     XENSTORE_SERVER_FEATURE_RECONNECTION) == 0)
		return XG_EIO;
	XG_WRITE_ONCE(intf->connection, XENSTORE_RECONNECT);
	xg_mb();
	r->reconnecting_ = true;
	r->notify_(r->arg_);
	return 0;
}

int xg_xs_ring_init(struct xg_xs_ring *r, void *intf,
		    void (*notify)(void *arg),
		    int (*wait)(void *arg, uint64_t timeout_ns), void *arg,
		    struct xg_xs_transport *out)
{
	struct xenstore_domain_interface *page = intf;

	if (r == NULL || intf == NULL || notify == NULL || out == NULL)
		return XG_EINVAL;
	xg_memset(r, 0, sizeof(*r));
	r->intf_ = intf;
	r->notify_ = notify;
	r->wait_ = wait;
	r->arg_ = arg;
	/* Start where a previous user (boot loader, kexec) left off. */
	r->req_prod_ = XG_READ_ONCE(page->req_prod);
	r->rsp_cons_ = XG_READ_ONCE(page->rsp_cons);
	xg_memset(out, 0, sizeof(*out));
	out->write = xs_ring_write;
	out->read = xs_ring_read;
	out->notify = xs_ring_notify;
	out->wait = wait != NULL ? xs_ring_wait : NULL;
	out->reset = xs_ring_reset;
	out->ctx = r;
	if (r->req_prod_ - XG_READ_ONCE(page->req_cons) > XENSTORE_RING_SIZE ||
	    XG_READ_ONCE(page->rsp_prod) - r->rsp_cons_ > XENSTORE_RING_SIZE)
		return XG_EIO;
	return 0;
}
