/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Watches. Each registered watch has a token "xgNNNNNNNN" unique in the
 * client; events are matched by token (never by path, which the server
 * reports as the changed node, not the watched one). An event is copied
 * into the watch's own bounded queue under the client lock, or counted as
 * dropped: a storm costs a counter, not memory. xg_xs_run_watches()
 * delivers queued events in thread context, one runner at a time.
 *
 * Invariants (client lock held): a watch is on the list iff linked_;
 * registered_ implies linked_ and means the server acknowledged it, so
 * only registered watches are registered again after a reset.
 */
#include "xs_internal.h"

static struct xg_xs_watch *xs_watch_by_token(struct xg_xs *xs,
					     const char *token, uint32_t len)
{
	struct xg_xs_watch *w;

	for (w = xs->watches_; w != NULL; w = w->next_)
		if (xg_strnlen(w->token_, sizeof(w->token_)) == len &&
		    xg_memcmp(w->token_, token, len) == 0)
			return w;
	return NULL;
}

/* Payload "path\0token\0"; anything else is malformed. */
void xg_xs_watch_event_(struct xg_xs *xs, const char *payload, uint32_t len,
			struct xs_done_list *dl)
{
	uint32_t plen = (uint32_t)xg_strnlen(payload, len), tlen;
	struct xg_xs_watch *w;

	if (plen == len || plen == 0) {
		xs->stats_.bad_replies++;
		return;
	}
	tlen = (uint32_t)xg_strnlen(payload + plen + 1, len - plen - 1);
	if (tlen == len - plen - 1) {
		xs->stats_.bad_replies++;
		return;
	}
	w = xs_watch_by_token(xs, payload + plen + 1, tlen);
	if (w == NULL) {
		xs->stats_.stale_events++;
		return;
	}
	/* Counters are public: readers poll them without the lock. */
	__atomic_fetch_add(&w->events, 1, __ATOMIC_RELAXED);
	dl->events++;
	if (w->fn == NULL)
		return;
	if (w->queue == NULL || plen + 1 > w->queue_size - w->qlen_) {
		__atomic_fetch_add(&w->dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	xg_memcpy(w->queue + w->qlen_, payload, plen + 1);
	w->qlen_ += plen + 1;
}

static void xs_watch_unlink_locked(struct xg_xs *xs, struct xg_xs_watch *w)
{
	struct xg_xs_watch **pp;

	for (pp = &xs->watches_; *pp != NULL; pp = &(*pp)->next_) {
		if (*pp == w) {
			*pp = w->next_;
			break;
		}
	}
	w->linked_ = false;
	w->registered_ = false;
	w->qlen_ = 0;
	(void)xg_xs_unlink_locked_(xs, &w->req_);
}

static void xs_watch_token(struct xg_xs_watch *w, uint32_t id)
{
	static const char hex[] = "0123456789abcdef";
	unsigned i;

	w->token_[0] = 'x';
	w->token_[1] = 'g';
	for (i = 0; i < 8; i++)
		w->token_[2 + i] = hex[(id >> (28 - 4 * i)) & 0xf];
	w->token_[10] = '\0';
}

static void xs_watch_prepare(struct xg_xs_watch *w, xg_xs_done_fn done)
{
	struct xg_xs_req *req = &w->req_;

	req->done = done;
	req->arg = w;
	req->reply = NULL;
	req->reply_size = 0;
	req->type_ = XG_XS_WATCH;
	req->tx_id_ = 0;
	req->seg_[0] = w->path;
	req->seglen_[0] = xs_strsize_(w->path);
	req->seg_[1] = w->token_;
	req->seglen_[1] = 11;
}

int xg_xs_watch_add(struct xg_xs *xs, struct xg_xs_watch *w)
{
	xg_port_irqstate_t st;
	int rc;

	if (w->path == NULL || xs_strsize_(w->path) > XG_XS_ABS_PATH_MAX + 1)
		return XG_EINVAL;
	st = xg_port_lock(&xs->lock_);
	if (w->linked_) {
		xg_port_unlock(&xs->lock_, st);
		return XG_EBUSY;
	}
	xs_watch_token(w, xs->next_watch_id_++);
	w->qlen_ = 0;
	w->events = 0;
	w->dropped = 0;
	w->registered_ = false;
	w->linked_ = true;
	w->next_ = xs->watches_;
	xs->watches_ = w;
	xs_watch_prepare(w, NULL);
	xs_set_state(&w->req_, XS_REQ_IDLE);
	rc = xg_xs_submit_locked_(xs, &w->req_);
	xg_port_unlock(&xs->lock_, st);
	if (rc == 0) {
		(void)xg_xs_poll(xs); /* send it now, not after a wait slice */
		rc = xg_xs_wait(xs, &w->req_);
	}
	st = xg_port_lock(&xs->lock_);
	if (rc == 0 && w->linked_)
		w->registered_ = true;
	else if (w->linked_)
		xs_watch_unlink_locked(xs, w);
	xg_port_unlock(&xs->lock_, st);
	return rc;
}

int xg_xs_watch_remove(struct xg_xs *xs, struct xg_xs_watch *w)
{
	xg_port_irqstate_t st = xg_port_lock(&xs->lock_);
	bool was_linked = w->linked_;
	int rc;

	if (was_linked)
		xs_watch_unlink_locked(xs, w);
	xg_port_unlock(&xs->lock_, st);
	if (!was_linked)
		return 0;
	rc = xg_xs_call(xs, XG_XS_UNWATCH, 0, w->path, xs_strsize_(w->path),
			w->token_, 11, NULL, 0);
	return rc == XG_ENOENT ? 0 : rc < 0 ? rc : 0;
}

static void xs_rewatch_done(struct xg_xs_req *req)
{
	if (req->error != 0)
		xg_warn("xenstore: watch %s not registered again: %d\n",
			((struct xg_xs_watch *)req->arg)->path, req->error);
}

/* After a reset: the server forgot our watches, so send them again.
 * A watch whose previous request is still finishing waits for the next
 * poll (rewatch_ stays set). */
void xg_xs_rewatch_(struct xg_xs *xs)
{
	xg_port_irqstate_t st = xg_port_lock(&xs->lock_);
	struct xg_xs_watch *w;
	bool again = false;

	for (w = xs->watches_; w != NULL && xs->broken_ == 0; w = w->next_) {
		uint32_t s = w->req_.state_;

		if (!w->registered_)
			continue;
		if (s == XS_REQ_QUEUED || s == XS_REQ_SENT ||
		    s == XS_REQ_COMPLETING) {
			again = s == XS_REQ_COMPLETING || again;
			continue;
		}
		xs_watch_prepare(w, xs_rewatch_done);
		(void)xg_xs_submit_locked_(xs, &w->req_);
	}
	xs->rewatch_ = again;
	xg_port_unlock(&xs->lock_, st);
	/* Send them now; with rewatch_ clear this cannot recurse. */
	if (!again)
		(void)xg_xs_poll(xs);
}

static struct xg_xs_watch *xs_watch_with_events(struct xg_xs *xs)
{
	struct xg_xs_watch *w;

	for (w = xs->watches_; w != NULL; w = w->next_)
		if (w->qlen_ != 0)
			return w;
	return NULL;
}

void xg_xs_run_watches(struct xg_xs *xs)
{
	xg_port_irqstate_t st = xg_port_lock(&xs->lock_);
	struct xg_xs_watch *w;

	if (xs->running_watches_) {
		xg_port_unlock(&xs->lock_, st);
		return;
	}
	xs->running_watches_ = true;
	while ((w = xs_watch_with_events(xs)) != NULL) {
		uint32_t n = (uint32_t)xg_strnlen(w->queue, w->qlen_) + 1;
		xg_xs_watch_fn fn = w->fn;

		xg_memcpy(xs->evbuf_, w->queue, n);
		__builtin_memmove(w->queue, w->queue + n, w->qlen_ - n);
		w->qlen_ -= n;
		xg_port_unlock(&xs->lock_, st);
		fn(w, xs->evbuf_);
		st = xg_port_lock(&xs->lock_);
	}
	xs->running_watches_ = false;
	xg_port_unlock(&xs->lock_, st);
}

int xg_xs_reset_watches(struct xg_xs *xs)
{
	int rc = xg_xs_call(xs, XG_XS_RESET_WATCHES, 0, "", 1, NULL, 0, NULL,
			    0);
	xg_port_irqstate_t st;

	if (rc < 0)
		return rc;
	st = xg_port_lock(&xs->lock_);
	while (xs->watches_ != NULL)
		xs_watch_unlink_locked(xs, xs->watches_);
	xg_port_unlock(&xs->lock_, st);
	return 0;
}
