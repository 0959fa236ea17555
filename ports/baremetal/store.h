/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * This kernel's xenstore connection (store.c): how a kernel on xenguest
 * finds its store, including a dom0less domU's late start.
 */
#ifndef BM_STORE_H
#define BM_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <xenguest/xenstore.h>

/* What bm_store_connect() saw, step by step, for a caller that reports
 * each one. */
struct bm_store_steps {
	int params_rc;    /* xg_xs_store_params() at boot: 0, or EAGAIN (late) */
	uint32_t port;    /* the store event channel (0: none) */
	int bind_rc;      /* binding it through the interrupt registry */
	int wait_rc;      /* xg_xs_store_wait() (0 when not needed) */
	uint64_t gfn;     /* the store page */
	uint64_t wait_ns; /* from the call until the page was known */
};

/* The client every caller shares, valid once bm_store_connect() said 0. */
extern struct xg_xs bm_xs;

/*
 * Thread context, once per boot. Binds the store event channel first
 * (it exists before the store does), waits up to @wait_ns for dom0 to
 * publish the store page (init-dom0less), maps it and starts the client
 * with @call_ns as the blocking calls' time limit. The channel's handler
 * wakes the wait until the client exists and drives the client after.
 * Returns 0 or an XG_E* code; @st (may be NULL) tells how far it got.
 */
int bm_store_connect(uint64_t call_ns, uint64_t wait_ns, struct bm_store_steps *st);

#endif /* BM_STORE_H */
