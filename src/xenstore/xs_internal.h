/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* Shared by the xenstore client's files; not installed. */
#ifndef XG_XS_INTERNAL_H
#define XG_XS_INTERNAL_H

#include "../xg_abi.h"
#include <xen/io/xs_wire.h>
#include "../xg_internal.h"
#include "../hypercall/xg_atomic.h"
#include <xenguest/xenstore.h>

/* Life of a request: QUEUED (waiting for txbuf room), SENT (bytes in
 * txbuf or on the wire, reply awaited), COMPLETING (taken off every list
 * under the lock, callback not yet run), DONE. */
enum xs_req_state {
	XS_REQ_IDLE = 0,
	XS_REQ_QUEUED,
	XS_REQ_SENT,
	XS_REQ_COMPLETING,
	XS_REQ_DONE,
};

/* Written under the client lock, read locklessly by xg_xs_req_done(). */
static inline void xs_set_state(struct xg_xs_req *req, uint32_t state)
{
	__atomic_store_n(&req->state_, state, __ATOMIC_RELAXED);
}

/* Requests finished under the lock, completed after it is dropped. */
struct xs_done_list {
	struct xg_xs_req *head, *tail;
	unsigned events; /* watch events queued while locked */
};

static inline uint32_t xs_strsize_(const char *s)
{
	return (uint32_t)xg_strnlen(s, XG_XS_ABS_PATH_MAX + 1) + 1;
}

/* xs_watch.c: a watch event arrived (client lock held). */
void xg_xs_watch_event_(struct xg_xs *xs, const char *payload, uint32_t len,
			struct xs_done_list *dl);
/* xs_watch.c: register again every watch the server forgot. */
void xg_xs_rewatch_(struct xg_xs *xs);
/* xs.c: submit with the lock held. */
int xg_xs_submit_locked_(struct xg_xs *xs, struct xg_xs_req *req);
/* xs.c: remove a request from the lists; true if found (lock held). */
bool xg_xs_unlink_locked_(struct xg_xs *xs, struct xg_xs_req *req);
/* xs_ops.c: decimal digits of @v into @buf (no NUL); returns the count. */
unsigned xg_xs_utoa_(char *buf, uint64_t v);
/* xs_ops.c: parse a whole NUL-terminated decimal; XG_EINVAL if not one. */
int xg_xs_atou_(const char *s, uint64_t max, uint64_t *out);

#endif /* XG_XS_INTERNAL_H */
