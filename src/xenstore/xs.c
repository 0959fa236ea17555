/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The xenstore request machine. Requests go QUEUED -> SENT -> COMPLETING
 * -> DONE. Under the client lock, queued requests are copied whole into
 * txbuf (so a cancelled request leaves nothing dangling) and flushed to
 * the transport; received bytes collect in rxbuf and are cut into
 * messages, each checked before it is believed. Completion callbacks run
 * after the lock is dropped.
 *
 * Invariants (client lock held): every request on txq is QUEUED, every
 * one on inflight is SENT; tx_off <= tx_len <= TXBUF; rx_off <= rx_len <=
 * RXBUF; after a receive pass rx_off == 0 or the partial message left is
 * shorter than a whole one, and a whole message always fits in rxbuf.
 */
#include "xs_internal.h"

_Static_assert(sizeof(struct xsd_sockmsg) == XG_XS_HDR_SIZE, "header");
_Static_assert(XG_XS_PAYLOAD_MAX == XENSTORE_PAYLOAD_MAX, "payload max");
_Static_assert(XG_XS_ABS_PATH_MAX == XENSTORE_ABS_PATH_MAX, "path max");
_Static_assert((int)XG_XS_READ == (int)XS_READ &&
		       (int)XG_XS_WATCH_EVENT == (int)XS_WATCH_EVENT &&
		       (int)XG_XS_ERROR == (int)XS_ERROR &&
		       (int)XG_XS_RESET_WATCHES == (int)XS_RESET_WATCHES &&
		       (int)XG_XS_DIRECTORY_PART == (int)XS_DIRECTORY_PART &&
		       (int)XG_XS_SET_PERMS == (int)XS_SET_PERMS,
	       "message types");

static void xs_kick_locked(struct xg_xs *xs, struct xs_done_list *dl);
static void xs_complete(struct xg_xs *xs, struct xs_done_list *dl);

static void xs_work_fn(struct xg_work *w)
{
	xg_xs_run_watches(XG_CONTAINER_OF(w, struct xg_xs, work_));
}

int xg_xs_init(struct xg_xs *xs, const struct xg_xs_config *cfg)
{
	if (xs == NULL || cfg == NULL || cfg->transport.read == NULL ||
	    cfg->transport.write == NULL)
		return XG_EINVAL;
	xg_memset(xs, 0, sizeof(*xs));
	xs->cfg_ = *cfg;
	xg_port_lock_init(&xs->lock_);
	xs->next_req_id_ = 1;
	xs->next_watch_id_ = 1;
	xs->work_.fn = xs_work_fn;
	return 0;
}

/* ---- lists ------------------------------------------------------------ */

static void xs_done_add(struct xs_done_list *dl, struct xg_xs_req *req,
			int error)
{
	req->error = error;
	xs_set_state(req, XS_REQ_COMPLETING);
	req->next_ = NULL;
	if (dl->tail != NULL)
		dl->tail->next_ = req;
	else
		dl->head = req;
	dl->tail = req;
}

static struct xg_xs_req *xs_take_inflight(struct xg_xs *xs, uint32_t req_id)
{
	struct xg_xs_req **pp, *req;

	for (pp = &xs->inflight_; (req = *pp) != NULL; pp = &req->next_) {
		if (req->req_id_ == req_id) {
			*pp = req->next_;
			return req;
		}
	}
	return NULL;
}

bool xg_xs_unlink_locked_(struct xg_xs *xs, struct xg_xs_req *req)
{
	struct xg_xs_req **pp, *prev = NULL;

	if (req->state_ == XS_REQ_SENT)
		return xs_take_inflight(xs, req->req_id_) == req;
	if (req->state_ != XS_REQ_QUEUED)
		return false;
	for (pp = &xs->txq_head_; *pp != NULL; prev = *pp, pp = &(*pp)->next_) {
		if (*pp == req) {
			*pp = req->next_;
			if (xs->txq_tail_ == req)
				xs->txq_tail_ = prev;
			return true;
		}
	}
	return false;
}

/* Everything in flight fails; the buffers are emptied. */
static void xs_fail_all_locked(struct xg_xs *xs, int error,
			       struct xs_done_list *dl)
{
	struct xg_xs_req *req, *next;

	for (req = xs->txq_head_; req != NULL; req = next) {
		next = req->next_;
		xs_done_add(dl, req, error);
	}
	for (req = xs->inflight_; req != NULL; req = next) {
		next = req->next_;
		xs_done_add(dl, req, error);
	}
	xs->txq_head_ = xs->txq_tail_ = xs->inflight_ = NULL;
	xs->tx_off_ = xs->tx_len_ = xs->rx_off_ = xs->rx_len_ = 0;
	xs->rx_skip_ = 0;
}

/* Fail everything in flight and ask the transport to start over. Returns
 * 0 if a fresh stream follows, else what the client stays broken on:
 * @error, or the transport's own error when @error is 0. Without a reset
 * hook the host has re-established the transport: @error 0 means fine. */
static int xs_reset_locked(struct xg_xs *xs, int error,
			   struct xs_done_list *dl)
{
	const struct xg_xs_transport *tp = &xs->cfg_.transport;

	xs->stats_.resets++;
	xs_fail_all_locked(xs, XG_EIO, dl);
	if (tp->reset != NULL) {
		int rc = tp->reset(tp->ctx);

		error = rc == 0 ? 0 : error != 0 ? error : rc;
	}
	xs->broken_ = error;
	xs->rewatch_ = error == 0;
	return error;
}

/* The stream can no longer be trusted. */
static void xs_break_locked(struct xg_xs *xs, int error,
			    struct xs_done_list *dl)
{
	xg_warn("xenstore: connection broken (%d), resetting\n", error);
	(void)xs_reset_locked(xs, error < 0 ? error : XG_EIO, dl);
}

/* ---- sending ---------------------------------------------------------- */

int xg_xs_submit_locked_(struct xg_xs *xs, struct xg_xs_req *req)
{
	if (xs->broken_)
		return xs->broken_;
	req->req_id_ = xs->next_req_id_++;
	if (xs->next_req_id_ == 0)
		xs->next_req_id_ = 1;
	xs_set_state(req, XS_REQ_QUEUED);
	req->error = 0;
	req->reply_len = 0;
	req->next_ = NULL;
	if (xs->txq_tail_ != NULL)
		xs->txq_tail_->next_ = req;
	else
		xs->txq_head_ = req;
	xs->txq_tail_ = req;
	return 0;
}

int xg_xs_submit(struct xg_xs *xs, struct xg_xs_req *req, uint32_t type,
		 uint32_t tx_id, const void *a, uint32_t alen, const void *b,
		 uint32_t blen)
{
	struct xs_done_list dl = { NULL, NULL, 0 };
	xg_port_irqstate_t st;
	int rc;
	uint32_t state = __atomic_load_n(&req->state_, __ATOMIC_RELAXED);

	XG_ASSERT(state != XS_REQ_QUEUED && state != XS_REQ_SENT);
	if (alen > XG_XS_PAYLOAD_MAX || blen > XG_XS_PAYLOAD_MAX - alen)
		return XG_EMSGSIZE;
	req->type_ = type;
	req->tx_id_ = tx_id;
	req->seg_[0] = a;
	req->seglen_[0] = alen;
	req->seg_[1] = b;
	req->seglen_[1] = b != NULL ? blen : 0;
	st = xg_port_lock(&xs->lock_);
	rc = xg_xs_submit_locked_(xs, req);
	/* From a completion callback: the poll that runs it sends the whole
	 * batch afterwards, in one transport write. */
	if (rc == 0 && xs->completing_ == 0)
		xs_kick_locked(xs, &dl);
	xg_port_unlock(&xs->lock_, st);
	xs_complete(xs, &dl);
	return rc;
}

/* Copy whole queued messages into txbuf while they fit. */
static void xs_fill_txbuf(struct xg_xs *xs)
{
	struct xg_xs_req *req;

	if (xs->tx_off_ == xs->tx_len_) {
		xs->tx_off_ = xs->tx_len_ = 0;
	} else if (xs->tx_off_ > 0 && xs->txq_head_ != NULL) {
		__builtin_memmove(xs->txbuf_, xs->txbuf_ + xs->tx_off_,
				  xs->tx_len_ - xs->tx_off_);
		xs->tx_len_ -= xs->tx_off_;
		xs->tx_off_ = 0;
	}
	while ((req = xs->txq_head_) != NULL) {
		uint32_t len = req->seglen_[0] + req->seglen_[1];
		struct xsd_sockmsg hdr = { req->type_, req->req_id_,
					   req->tx_id_, len };
		char *p = xs->txbuf_ + xs->tx_len_;

		if (XG_XS_HDR_SIZE + len > XG_XS_TXBUF_SIZE - xs->tx_len_)
			break;
		xg_memcpy(p, &hdr, sizeof(hdr));
		xg_memcpy(p + sizeof(hdr), req->seg_[0], req->seglen_[0]);
		if (req->seglen_[1] != 0)
			xg_memcpy(p + sizeof(hdr) + req->seglen_[0],
				  req->seg_[1], req->seglen_[1]);
		xs->tx_len_ += XG_XS_HDR_SIZE + len;
		xs->txq_head_ = req->next_;
		if (xs->txq_head_ == NULL)
			xs->txq_tail_ = NULL;
		xs_set_state(req, XS_REQ_SENT);
		req->next_ = xs->inflight_;
		xs->inflight_ = req;
	}
}

/* Nothing queued and nothing half-written. */
static inline bool xs_tx_idle(const struct xg_xs *xs)
{
	return xs->txq_head_ == NULL && xs->tx_off_ == xs->tx_len_;
}

/* Returns bytes handed to the transport, or its error. */
static int xs_send_locked(struct xg_xs *xs)
{
	const struct xg_xs_transport *tp = &xs->cfg_.transport;
	int total = 0;

	for (;;) {
		int n;

		xs_fill_txbuf(xs);
		if (xs->tx_off_ == xs->tx_len_)
			return total;
		n = tp->write(tp->ctx, xs->txbuf_ + xs->tx_off_,
			      xs->tx_len_ - xs->tx_off_);
		if (n < 0)
			return n;
		if (n == 0 || (uint32_t)n > xs->tx_len_ - xs->tx_off_)
			return total;
		xs->tx_off_ += (uint32_t)n;
		total += n;
	}
}

/* Sends what is queued now; replies are left for the next poll, which
 * saves a read that would find nothing on the synchronous path. */
static void xs_kick_locked(struct xg_xs *xs, struct xs_done_list *dl)
{
	const struct xg_xs_transport *tp = &xs->cfg_.transport;
	int sent = xs_send_locked(xs);

	if (sent < 0)
		xs_break_locked(xs, sent, dl);
	else if (sent > 0 && tp->notify != NULL)
		tp->notify(tp->ctx);
}

/* ---- receiving -------------------------------------------------------- */

/* An XS_ERROR payload: a NUL-terminated errno name. */
static int xs_error_code(const char *p, uint32_t len)
{
	char name[16];
	size_t n = xg_strnlen(p, len);

	if (n == len)
		return XG_EBADMSG;
	if (n >= sizeof(name))
		return XG_EIO;
	xg_memcpy(name, p, n);
	name[n] = '\0';
	return xg_errcode_(name);
}

static void xs_reply(struct xg_xs *xs, const struct xsd_sockmsg *hdr,
		     const char *payload, struct xs_done_list *dl)
{
	struct xg_xs_req *req = xs_take_inflight(xs, hdr->req_id);
	int error = 0;

	if (req == NULL) {
		xs->stats_.unknown_replies++;
		return;
	}
	req->reply_len = hdr->len;
	if (hdr->type == XS_ERROR) {
		error = xs_error_code(payload, hdr->len);
		req->reply_len = 0;
	} else if (hdr->type != req->type_) {
		error = XG_EBADMSG;
		req->reply_len = 0;
	} else if (req->reply != NULL) {
		if (hdr->len >= req->reply_size) {
			error = XG_ERANGE;
		} else {
			xg_memcpy(req->reply, payload, hdr->len);
			req->reply[hdr->len] = '\0';
		}
	}
	if (error == XG_EBADMSG)
		xs->stats_.bad_replies++;
	xs_done_add(dl, req, error);
}

/* Cuts whole messages out of rxbuf. Returns 0 or XG_EBADMSG. */
/*
 * oxenstored 4.17 answers XS_DIRECTORY of a big node with one message
 * larger than XENSTORE_PAYLOAD_MAX. The framing is still sound, so such a
 * reply fails its request with XG_E2BIG and its bytes are skipped, up to
 * a bound past which the length is taken for garbage.
 */
#define XS_SKIP_MAX (64u * 1024u)

static int xs_oversized(struct xg_xs *xs, const struct xsd_sockmsg *hdr,
			struct xs_done_list *dl)
{
	struct xg_xs_req *req;

	if (hdr->len > XS_SKIP_MAX || hdr->type == XS_WATCH_EVENT) {
		xs->stats_.bad_replies++;
		return XG_EBADMSG;
	}
	xs->stats_.oversized++;
	req = xs_take_inflight(xs, hdr->req_id);
	if (req != NULL)
		xs_done_add(dl, req, XG_E2BIG);
	else
		xs->stats_.unknown_replies++;
	xs->rx_skip_ = hdr->len;
	xs->rx_off_ += XG_XS_HDR_SIZE;
	return 0;
}

static bool xs_skipping(struct xg_xs *xs)
{
	uint32_t n = xs->rx_len_ - xs->rx_off_;

	if (n > xs->rx_skip_)
		n = xs->rx_skip_;
	xs->rx_off_ += n;
	xs->rx_skip_ -= n;
	return xs->rx_skip_ != 0;
}

static int xs_parse_locked(struct xg_xs *xs, struct xs_done_list *dl)
{
	while (!xs_skipping(xs) &&
	       xs->rx_len_ - xs->rx_off_ >= XG_XS_HDR_SIZE) {
		const char *p = xs->rxbuf_ + xs->rx_off_;
		struct xsd_sockmsg hdr;

		xg_memcpy(&hdr, p, sizeof(hdr));
		if (hdr.len > XG_XS_PAYLOAD_MAX) {
			if (xs_oversized(xs, &hdr, dl) < 0)
				return XG_EBADMSG;
			continue;
		}
		if (xs->rx_len_ - xs->rx_off_ < XG_XS_HDR_SIZE + hdr.len)
			break;
		if (hdr.type == XS_WATCH_EVENT)
			xg_xs_watch_event_(xs, p + XG_XS_HDR_SIZE, hdr.len, dl);
		else
			xs_reply(xs, &hdr, p + XG_XS_HDR_SIZE, dl);
		xs->rx_off_ += XG_XS_HDR_SIZE + hdr.len;
	}
	if (xs->rx_off_ == xs->rx_len_) {
		xs->rx_off_ = xs->rx_len_ = 0; /* the common case: all used */
	} else if (xs->rx_off_ > 0) {
		__builtin_memmove(xs->rxbuf_, xs->rxbuf_ + xs->rx_off_,
				  xs->rx_len_ - xs->rx_off_);
		xs->rx_len_ -= xs->rx_off_;
		xs->rx_off_ = 0;
	}
	return 0;
}

/* Returns bytes received, or an error that breaks the stream. */
static int xs_receive_locked(struct xg_xs *xs, struct xs_done_list *dl)
{
	const struct xg_xs_transport *tp = &xs->cfg_.transport;
	int total = 0;

	for (;;) {
		uint32_t space = XG_XS_RXBUF_SIZE - xs->rx_len_;
		int n = tp->read(tp->ctx, xs->rxbuf_ + xs->rx_len_, space);
		int rc;

		if (n < 0)
			return n;
		if ((uint32_t)n > space)
			return XG_EIO;
		xs->rx_len_ += (uint32_t)n;
		total += n;
		rc = xs_parse_locked(xs, dl);
		if (rc < 0)
			return rc;
		/* A short read means the transport is drained. */
		if ((uint32_t)n < space)
			return total;
	}
}

/* ---- driving ---------------------------------------------------------- */

static void xs_complete(struct xg_xs *xs, struct xs_done_list *dl)
{
	struct xg_xs_req *req = dl->head, *next;

	for (; req != NULL; req = next) {
		xg_xs_done_fn fn = req->done;

		next = req->next_;
		__atomic_store_n(&req->state_, XS_REQ_DONE, __ATOMIC_RELEASE);
		if (fn != NULL)
			fn(req);
	}
	if (dl->events != 0) {
		if (xs->cfg_.xen != NULL)
			xg_xen_work_queue(xs->cfg_.xen, &xs->work_, 0);
		else if (xs->cfg_.watch_kick != NULL)
			xs->cfg_.watch_kick(xs->cfg_.kick_arg);
	}
	if ((dl->head != NULL || dl->events != 0) &&
	    __atomic_load_n(&xs->waiters_, __ATOMIC_ACQUIRE) != 0)
		xg_port_wakeup(xs);
}

/* Runs callbacks with sends deferred, then flushes what they queued. */
static void xs_complete_batched(struct xg_xs *xs, struct xs_done_list *dl)
{
	struct xs_done_list more = { NULL, NULL, 0 };
	xg_port_irqstate_t st = xg_port_lock(&xs->lock_);

	xs->completing_++;
	xg_port_unlock(&xs->lock_, st);
	xs_complete(xs, dl);
	st = xg_port_lock(&xs->lock_);
	if (--xs->completing_ == 0 && xs->txq_head_ != NULL)
		xs_kick_locked(xs, &more);
	xg_port_unlock(&xs->lock_, st);
	xs_complete(xs, &more);
}

static int xs_poll_(struct xg_xs *xs, bool *tx_pending)
{
	const struct xg_xs_transport *tp = &xs->cfg_.transport;
	struct xs_done_list dl = { NULL, NULL, 0 };
	xg_port_irqstate_t st = xg_port_lock(&xs->lock_);
	int sent, got = 0, rc = xs->broken_, ndone = 0;
	bool rewatch, callbacks = false;
	struct xg_xs_req *req;

	if (rc == 0) {
		/* A poll usually finds nothing to send: skip the call. */
		sent = xs_tx_idle(xs) ? 0 : xs_send_locked(xs);
		if (sent >= 0)
			got = xs_receive_locked(xs, &dl);
		rc = sent < 0 ? sent : got < 0 ? got : 0;
		if (rc < 0)
			xs_break_locked(xs, rc, &dl);
		else if (got > 0 && xs->txq_head_ != NULL)
			/* Replies may have made room for more requests. */
			xs_kick_locked(xs, &dl);
		else if (sent > 0 && tp->notify != NULL)
			tp->notify(tp->ctx);
	}
	rc = xs->broken_;
	*tx_pending = !xs_tx_idle(xs);
	rewatch = xs->rewatch_;
	xg_port_unlock(&xs->lock_, st);

	for (req = dl.head; req != NULL; req = req->next_) {
		ndone++;
		callbacks |= req->done != NULL;
	}
	/* Only callbacks can submit more; blocking calls skip the batching. */
	if (callbacks)
		xs_complete_batched(xs, &dl);
	else
		xs_complete(xs, &dl);
	if (rewatch)
		xg_xs_rewatch_(xs);
	return rc < 0 ? rc : ndone;
}

int xg_xs_poll(struct xg_xs *xs)
{
	bool tx_pending;

	return xs_poll_(xs, &tx_pending);
}

void xg_xs_event(struct xg_xs *xs)
{
	(void)xg_xs_poll(xs);
	xg_port_wakeup(xs);
}

bool xg_xs_req_done(const struct xg_xs_req *req)
{
	return __atomic_load_n(&req->state_, __ATOMIC_ACQUIRE) == XS_REQ_DONE;
}

bool xg_xs_cancel(struct xg_xs *xs, struct xg_xs_req *req)
{
	xg_port_irqstate_t st = xg_port_lock(&xs->lock_);
	bool found = xg_xs_unlink_locked_(xs, req);

	if (found)
		xs_set_state(req, XS_REQ_IDLE);
	xg_port_unlock(&xs->lock_, st);
	return found;
}

struct xs_wait_ctx {
	struct xg_xs *xs;
	bool (*cond)(void *arg);
	void *arg;
};

/* Polling here lets a kernel without interrupts make progress too. */
static bool xs_wait_cond(void *arg)
{
	struct xs_wait_ctx *c = arg;

	if (c->cond(c->arg))
		return true;
	(void)xg_xs_poll(c->xs);
	return c->cond(c->arg);
}

/* One bounded wait for the transport; slices keep deadlines honest. */
#define XS_WAIT_SLICE_NS 10000000ull

int xg_xs_wait_until(struct xg_xs *xs, bool (*cond)(void *arg), void *arg,
		     uint64_t timeout_ns)
{
	const struct xg_xs_transport *tp = &xs->cfg_.transport;
	uint64_t now = timeout_ns ? xg_port_time_ns() : 0;
	uint64_t deadline = timeout_ns ? now + timeout_ns : 0;
	struct xs_wait_ctx c = { xs, cond, arg };
	bool tx_pending = false;

	for (;;) {
		uint64_t slice = XS_WAIT_SLICE_NS;

		if (cond(arg))
			return 0;
		if (deadline && now >= deadline)
			return XG_ETIMEDOUT;
		if (deadline && deadline - now < slice)
			slice = deadline - now;
		if (tp->wait != NULL) {
			(void)tp->wait(tp->ctx, tx_pending, slice);
		} else {
			__atomic_fetch_add(&xs->waiters_, 1, __ATOMIC_ACQ_REL);
			(void)xg_port_wait(xs, xs_wait_cond, &c, slice);
			__atomic_fetch_sub(&xs->waiters_, 1, __ATOMIC_ACQ_REL);
		}
		(void)xs_poll_(xs, &tx_pending);
		/* Once per wait: a call that completes after a single wait
		 * reads the clock only to set its deadline. */
		if (deadline)
			now = xg_port_time_ns();
	}
}

static bool xs_req_is_done(void *arg)
{
	return xg_xs_req_done(arg);
}

int xg_xs_wait(struct xg_xs *xs, struct xg_xs_req *req)
{
	for (;;) {
		int rc = xg_xs_wait_until(xs, xs_req_is_done, req,
					  xs->cfg_.timeout_ns);

		if (rc == 0)
			return req->error;
		if (xg_xs_cancel(xs, req))
			return XG_ETIMEDOUT;
		/* Completing on another CPU right now: wait for it. */
	}
}

int xg_xs_call(struct xg_xs *xs, uint32_t type, uint32_t tx_id,
	       const void *a, uint32_t alen, const void *b, uint32_t blen,
	       char *reply, uint32_t size)
{
	struct xg_xs_req req;
	int rc;

	xg_memset(&req, 0, sizeof(req));
	req.reply = reply;
	req.reply_size = size;
	rc = xg_xs_submit(xs, &req, type, tx_id, a, alen, b, blen);
	if (rc == 0)
		rc = xg_xs_wait(xs, &req);
	return rc < 0 ? rc : (int)req.reply_len;
}

int xg_xs_reset(struct xg_xs *xs)
{
	struct xs_done_list dl = { NULL, NULL, 0 };
	xg_port_irqstate_t st = xg_port_lock(&xs->lock_);
	int rc = xs_reset_locked(xs, 0, &dl);

	xg_port_unlock(&xs->lock_, st);
	xs_complete(xs, &dl);
	if (rc == 0)
		xg_xs_rewatch_(xs);
	return rc;
}

void xg_xs_stats(struct xg_xs *xs, struct xg_xs_stats *out)
{
	xg_port_irqstate_t st = xg_port_lock(&xs->lock_);

	*out = xs->stats_;
	xg_port_unlock(&xs->lock_, st);
}
