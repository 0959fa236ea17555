/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The kernel's own smoke test, printed as TAP ("1..N", "ok N - ...",
 * "not ok N - ..."), which scripts/xen-qemu/run.sh checks per domain.
 */
#ifndef BM_SELFTEST_H
#define BM_SELFTEST_H

#include "kernel.h"

/* Boot CPU, after bring-up. dom0 waits for the domUs' results and powers
 * the machine off; a domU reports its result to dom0 and returns. */
void selftest_main(const void *fdt, uintptr_t load_base);

/* Each secondary CPU, once online. */
void selftest_secondary(void);

/* Print one TAP result line; returns @ok. */
__printf(2, 3) bool tap(bool ok, const char *fmt, ...);
/* "not ok" lines printed so far. */
unsigned tap_failures(void);

/* selftest_xenguest.c: the library's tests. @boot_rc is what
 * xenguest_boot_init() returned, or 1 if it was not run. */
unsigned selftest_xenguest_count(void);
void selftest_xenguest(int boot_rc);

#if BM_WITH_XENGUEST
#include <xenguest/gnttab.h>
#include <xenguest/intr.h>

struct xchg_page;

/* Handlers main.c configures: the IPI slot and reclaimed grants. */
int selftest_ipi_handler(struct xg_isrc *isrc, void *arg);
void selftest_grant_reclaimed(struct xg_gnttab *gt, xg_gref_t ref, uint64_t gfn);

/* selftest_xdom.c: dom0 <-> domU tests through the exchange page.
 * selftest_xdom_count() tests on each side (per domU on dom0). The domU
 * calls _prepare() to fill in and grant @x, then _domu(); dom0 calls
 * _dom0() per domU with the mapped page, or NULL (all fail). */
unsigned selftest_xdom_count(void);
extern unsigned selftest_xdom_flood;
int selftest_xdom_domu_prepare(struct xchg_page *x);
void selftest_xdom_domu(struct xchg_page *x);
void selftest_xdom_dom0(unsigned domid, struct xchg_page *x);

/* selftest_xenstore.c: a dom0less domU ("xgbm.xenstore=1") against the
 * real xenstored of a Linux dom0: late start, every client operation, a
 * watch dom0 fires. Prints its own TAP plan; @boot_rc as above. */
void selftest_xenstore(int boot_rc);

/* selftest_blkfront.c: a dom0less domU ("xgbm.blkfront=1") running the
 * blkfront example (examples/blkfront) against Linux's xen-blkback: data
 * pattern, backend close and reconnect, every grant ended. Prints its
 * own TAP plan; @boot_rc as above. */
void selftest_blkfront(int boot_rc);
#endif

/* main.c: xenguest_boot_init()'s result, 1 = not run (no /hypervisor). */
extern int xenguest_boot_rc;
extern unsigned xenguest_gnttab_asked;

#endif /* BM_SELFTEST_H */
