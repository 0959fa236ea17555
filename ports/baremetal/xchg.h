/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The dom0 <-> domU rendezvous without xenstore: each domU grants dom0
 * one page, read-write, at a grant reference both sides know
 * (XCHG_GREF). Dom0 maps it and the two kernels meet there: port numbers,
 * grant references, step counters for their barriers and, at the end,
 * the domU's self-test result.
 *
 * Each half is written by one side only; the other side reads it with
 * single atomic loads (the peer is another domain: every value is
 * checked before use).
 */
#ifndef BM_XCHG_H
#define BM_XCHG_H

#include <stdint.h>

/* One of the references 0..7 that Xen's toolstack reserves (console,
 * xenstore) and xenguest never hands out; without a toolstack (dom0less)
 * nobody else uses it. In frame 0 for grant table v1 and v2 alike. */
#define XCHG_GREF 7
#define XCHG_MAGIC "xgbm-xchg-v2"
#define XCHG_NGREFS 8

/* The part of the page one side writes. */
struct xchg_side {
	uint32_t step;          /* barriers: last step this side reached */
	uint32_t seq;           /* events: last sequence number sent */
	uint32_t ack;           /* events: last sequence number received */
	uint32_t port;          /* domU: the unbound port for the event tests */
	uint32_t cycle;         /* close/rebind cycles: last cycle done */
	uint32_t cycle_port;    /* domU: this cycle's unbound port */
	uint32_t ring_port;     /* domU: the split driver's port */
	uint32_t ring_gref;     /* domU: the split driver's ring page */
	uint32_t ring_requests; /* domU: requests the frontend will send */
	uint32_t grefs[XCHG_NGREFS]; /* domU: pages for the grant tests */
	uint32_t ncpus;
};

struct xchg_page {
	char magic[16];
	uint32_t has_xenguest;  /* domU: the library is up, run the tests */
	uint32_t gnttab_version;
	uint32_t evtchn_fifo;   /* domU: 1 = FIFO, 0 = 2-level */
	uint32_t done;          /* domU: the result below is final */
	uint32_t planned;       /* domU's TAP plan, passed, failed */
	uint32_t passed;
	uint32_t failed;
	uint32_t ncpus;
	struct xchg_side domu;  /* written by the domU only */
	struct xchg_side dom0;  /* written by dom0 only */
};

#define XCHG_LOAD(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define XCHG_STORE(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)

#endif /* BM_XCHG_H */
