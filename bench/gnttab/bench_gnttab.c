/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Grant table benchmark on the fake hypervisor.
 *
 *   bench_gnttab               run every loop, print ns/op and the
 *                              hypercalls per map/unmap/copy batch
 *   bench_gnttab LOOP N        run one loop N times (for callgrind:
 *                              bench/gnttab/callgrind.sh divides the
 *                              instructions of loop_LOOP by N)
 *
 * Loops: alloc_free, grant_end, grant_end_free, batch32, pool.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <xenguest/core.h>
#include <xenguest/error.h>
#include <xenguest/gnttab.h>

#include "fakexen/fakexen.h"
#include "fakexen/gnttab.h"
#include "xg_hosted.h"

#define NOINLINE __attribute__((noinline))

static struct xg_xen xen;
static struct xg_cpu cpus[1];
static struct xg_gnttab gt;
static struct fx_domain *front, *back;
static unsigned char *pages; /* 32 low pages (v1 frames are 32-bit) */

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_gnttab: %s: %d\n", what, rc);
	exit(1);
}

static void check(int rc, const char *what)
{
	if (rc != 0)
		die(what, rc);
}

static void *low_pages(size_t n)
{
	uintptr_t at;

	for (at = 0x40000000u; at < 0x80000000u; at += 0x100000u) {
		void *p = mmap((void *)at, n * 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			       -1, 0);

		if (p == (void *)at)
			return p;
		if (p != MAP_FAILED)
			munmap(p, n * 4096);
	}
	die("no low memory", 0);
	return NULL;
}

static void bring_up(void)
{
	struct xg_gnttab_config cfg = { .max_frames = 32 };

	fx_reset();
	xg_hosted_reset();
	fx_gnttab_install();
	back = fx_domain_create(0, 1);
	front = fx_domain_create(1, 1);
	fx_enter(front, 0);
	check(xg_xen_init(&xen, cpus, 1, NULL), "xen init");
	check(xg_gnttab_init(&gt, &xen, &cfg), "gnttab init");
	pages = low_pages(32);
}

/* ---- the measured loops ---------------------------------------------------- */

NOINLINE void loop_alloc_free(unsigned long n);
NOINLINE void loop_grant_end(unsigned long n);
NOINLINE void loop_grant_end_free(unsigned long n);
NOINLINE void loop_batch32(unsigned long n);
NOINLINE void loop_pool(unsigned long n);

NOINLINE void loop_alloc_free(unsigned long n)
{
	xg_gref_t r;

	while (n--) {
		if (xg_gnttab_alloc(&gt, &r) != 0)
			die("alloc", 0);
		xg_gnttab_free(&gt, r);
	}
}

NOINLINE void loop_grant_end(unsigned long n)
{
	uint64_t gfn = xg_port_virt_to_gfn(pages);
	xg_gref_t r;

	check(xg_gnttab_alloc(&gt, &r), "alloc");
	while (n--) {
		xg_gnttab_grant(&gt, r, 0, gfn, false);
		if (xg_gnttab_end_access(&gt, r) != 0)
			die("end_access", 0);
	}
	xg_gnttab_free(&gt, r);
}

NOINLINE void loop_grant_end_free(unsigned long n)
{
	uint64_t gfn = xg_port_virt_to_gfn(pages);
	xg_gref_t r;

	while (n--) {
		check(xg_gnttab_grant_alloc(&gt, 0, gfn, false, &r), "grant");
		if (xg_gnttab_end_access_free(&gt, r) != 0)
			die("end_access_free", 0);
	}
}

NOINLINE void loop_batch32(unsigned long n)
{
	xg_gref_t refs[32];

	while (n--) {
		check(xg_gnttab_alloc_batch(&gt, refs, 32), "batch");
		xg_gnttab_free_batch(&gt, refs, 32);
	}
}

NOINLINE void loop_pool(unsigned long n)
{
	struct xg_gnttab_pool pool = { 0 };
	xg_gref_t r;

	check(xg_gnttab_pool_fill(&gt, &pool, 32), "pool");
	while (n--) {
		r = xg_gnttab_pool_alloc(&gt, &pool);
		xg_gnttab_pool_free(&gt, &pool, r);
	}
	xg_gnttab_pool_drain(&gt, &pool);
}

static const struct {
	const char *name;
	void (*fn)(unsigned long n);
	const char *what;
} loops[] = {
	{ "alloc_free", loop_alloc_free, "alloc + free" },
	{ "grant_end", loop_grant_end, "grant + end_access" },
	{ "grant_end_free", loop_grant_end_free,
	  "grant_alloc + end_access_free" },
	{ "batch32", loop_batch32, "alloc_batch(32) + free_batch(32)" },
	{ "pool", loop_pool, "pool_alloc + pool_free" },
};

/* ---- hypercalls per backend batch ------------------------------------------ */

static unsigned long gt_calls(int cmd)
{
	return fx_count(__HYPERVISOR_grant_table_op, cmd);
}

static void backend_batches(void)
{
	struct xg_gnttab_map_op ops[32];
	struct xg_gnttab_copy_op copies[32];
	unsigned char *slots = low_pages(32);
	xg_gref_t refs[32];
	unsigned long m, u, c;
	unsigned i;

	for (i = 0; i < 32; i++)
		check(xg_gnttab_grant_alloc(&gt, 0,
			xg_port_virt_to_gfn(pages + 4096 * i), false, &refs[i]),
		      "grant");
	fx_enter(back, 0);
	fx_counts_reset();
	for (i = 0; i < 32; i++)
		xg_gnttab_map_op_set(&ops[i], slots + 4096 * i, 1, refs[i], false);
	check(xg_gnttab_map(ops, 32), "map");
	m = gt_calls(GNTTABOP_map_grant_ref);
	check(xg_gnttab_unmap(ops, 32), "unmap");
	u = gt_calls(GNTTABOP_unmap_grant_ref);
	memset(copies, 0, sizeof(copies));
	for (i = 0; i < 32; i++) {
		copies[i].source.u.ref = refs[i];
		copies[i].source.domid = 1;
		copies[i].dest.u.gfn = xg_port_virt_to_gfn(slots + 4096 * i);
		copies[i].dest.domid = DOMID_SELF;
		copies[i].len = 4096;
		copies[i].flags = XG_GNTCOPY_SOURCE_GREF;
	}
	check(xg_gnttab_copy(copies, 32), "copy");
	c = gt_calls(GNTTABOP_copy);
	fx_enter(front, 0);
	for (i = 0; i < 32; i++)
		check(xg_gnttab_end_access_free(&gt, refs[i]), "end");
	printf("hypercalls per batch of 32: map %lu, unmap %lu, copy %lu\n",
	       m, u, c);
}

static void growth(void)
{
	static xg_gref_t refs[32 * 512];
	unsigned long before = fx_count(__HYPERVISOR_memory_op,
					XENMEM_add_to_physmap);
	unsigned grows = fx_gnttab_grows(front), n = 31 * 512;

	check(xg_gnttab_alloc_batch(&gt, refs, n), "grow");
	printf("growth 1 -> %u frames in one batch: %lu add_to_physmap, "
	       "%u table growth(s) in Xen\n", gt.nr_frames,
	       fx_count(__HYPERVISOR_memory_op, XENMEM_add_to_physmap) - before,
	       fx_gnttab_grows(front) - grows);
	xg_gnttab_free_batch(&gt, refs, n);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long n = 1000000;
	unsigned i;

	bring_up();
	if (argc == 3) {
		n = strtoul(argv[2], NULL, 0);
		for (i = 0; i < sizeof(loops) / sizeof(loops[0]); i++) {
			if (strcmp(argv[1], loops[i].name) == 0) {
				loops[i].fn(n);
				return 0;
			}
		}
		die("unknown loop", 0);
	}
	for (i = 0; i < sizeof(loops) / sizeof(loops[0]); i++) {
		double t0 = now_ns();

		loops[i].fn(n);
		printf("%-34s %7.1f ns/op (hosted port: pthread mutex)\n",
		       loops[i].what, (now_ns() - t0) / n);
	}
	backend_batches();
	growth();
	return 0;
}
