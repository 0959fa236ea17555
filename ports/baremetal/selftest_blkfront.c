// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * The blkfront example (examples/blkfront) against Linux's xen-blkback,
 * in a dom0less domU whose dom0 is Linux (scripts/xen-linux/run.sh; boot
 * argument "xgbm.blkfront=1"). dom0's init (scripts/xen-linux/init.sh)
 * serves a RAM disk (brd) and creates the backend and frontend nodes the
 * way the toolstack does.
 *
 * The conversation with dom0, through this domain's data/ directory:
 *   domU writes data/blk-pass1 = "<crc32 in hex>" after writing pattern 1
 *     over the whole disk; dom0 checks /dev/ram0 with busybox crc32, writes a
 *     marker into sector MARKER_SECTOR and closes the backend (state 5,
 *     what the toolstack writes to detach a disk);
 *   the frontend closes, ends its grants, reconnects, and sees pattern 1
 *     plus dom0's marker; writes pattern 2 everywhere, data/blk-pass2;
 *   dom0 checks pattern 2 on the disk, unbinds blkback from the device
 *     and binds it again (a backend driver restart), then writes
 *     data/blk-rebound; the frontend, still connected, reads pattern 2
 *     back, detaches and writes data/blk-result ("pass" or "fail N").
 * Each sector starts with "xgblk p<pass> s<sector, 8 hex digits>\n", so
 * dom0 can also spot-check sectors with dd.
 */
#include "kernel.h"

#if BM_WITH_XENGUEST
#include "page.h"
#include "selftest.h"
#include "store.h"
#include "timer.h"
#include "bm_xenguest.h"
#include "blkfront.h" /* examples/blkfront */

#include <xenguest/error.h>
#include <xenguest/intr.h>
#include <xenguest/xenstore.h>

#define BF_MS 1000000ull
#define BF_STORE_WAIT_NS (180000 * BF_MS) /* dom0 boots Linux first */
#define BF_DOM0_WAIT_NS (300000 * BF_MS) /* a Linux domU may go first */
#define BF_CALL_NS (20000 * BF_MS)
#define BF_CHUNK_SECTORS 2048u            /* 1 MiB buffer */
#define BF_DIRECT_SECTORS 88u             /* 11 pages: one direct request */
#define BF_BENCH_ROUNDS 8u                /* whole-disk passes timed */
#define MARKER_SECTOR 12345u
static const char marker[] = "dom0 wrote this while the frontend was closed";

enum { BF_TESTS = 17 };

static bool xs_up;
static struct blkfront bf;
static uint8_t *buf;                      /* BF_CHUNK_SECTORS sectors */
static char dir[64];
static unsigned failed0; /* tap_failures() before these tests */
static uint32_t crc_table[256];
static bool dom0_marked; /* dom0 wrote its marker during the close */

/* ---- the pattern and its CRC-32 (zlib's, as busybox crc32 prints) ------ */

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int b = 0; b < 8; b++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

/* Start with crc 0xffffffff, complement at the end. */
static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n)
{
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

static void pattern_fill(uint8_t *p, uint64_t sector, unsigned pass)
{
	int n = snprintf((char *)p, BLKFRONT_SECTOR, "xgblk p%u s%08lx\n", pass,
			 (unsigned long)sector);

	for (unsigned i = (unsigned)n; i < BLKFRONT_SECTOR; i++)
		p[i] = (uint8_t)(sector * 7 + i * 13 + pass * 101);
}

static bool pattern_ok(const uint8_t *p, uint64_t sector, unsigned pass)
{
	uint8_t want[BLKFRONT_SECTOR];

	if (pass == 1 && sector == MARKER_SECTOR && dom0_marked) {
		memset(want, 0, sizeof(want));
		memcpy(want, marker, sizeof(marker) - 1);
	} else {
		pattern_fill(want, sector, pass);
	}
	return memcmp(p, want, sizeof(want)) == 0;
}

/* ---- whole-disk passes ----------------------------------------------------- */

struct pass_result {
	int rc;
	uint64_t bad_sectors, first_bad, io_ns;
	uint32_t crc;
};

/* Write @pass over [from, to) in requests of @per_call sectors. */
static void disk_write(uint64_t from, uint64_t to, uint32_t per_call, unsigned pass,
		       struct pass_result *r)
{
	for (uint64_t s = from; s < to && r->rc == 0;) {
		uint32_t n = to - s < BF_CHUNK_SECTORS ? (uint32_t)(to - s) : BF_CHUNK_SECTORS;
		uint64_t t0;

		for (uint32_t i = 0; i < n; i++)
			pattern_fill(buf + (size_t)i * BLKFRONT_SECTOR, s + i, pass);
		r->crc = crc_update(r->crc, buf, (size_t)n * BLKFRONT_SECTOR);
		t0 = timer_ns();
		for (uint32_t done = 0; done < n && r->rc == 0; done += per_call) {
			uint32_t k = n - done < per_call ? n - done : per_call;

			r->rc = blkfront_io(&bf, true, s + done, buf + (size_t)done * BLKFRONT_SECTOR, k);
		}
		r->io_ns += timer_ns() - t0;
		s += n;
	}
}

/* Read [from, to) back and check every sector against @pass. */
static void disk_verify(uint64_t from, uint64_t to, uint32_t per_call, unsigned pass,
			struct pass_result *r)
{
	for (uint64_t s = from; s < to && r->rc == 0;) {
		uint32_t n = to - s < BF_CHUNK_SECTORS ? (uint32_t)(to - s) : BF_CHUNK_SECTORS;
		uint64_t t0;

		memset(buf, 0xa5, (size_t)n * BLKFRONT_SECTOR);
		t0 = timer_ns();
		for (uint32_t done = 0; done < n && r->rc == 0; done += per_call) {
			uint32_t k = n - done < per_call ? n - done : per_call;

			r->rc = blkfront_io(&bf, false, s + done, buf + (size_t)done * BLKFRONT_SECTOR, k);
		}
		r->io_ns += timer_ns() - t0;
		for (uint32_t i = 0; i < n && r->rc == 0; i++) {
			if (!pattern_ok(buf + (size_t)i * BLKFRONT_SECTOR, s + i, pass) &&
			    r->bad_sectors++ == 0)
				r->first_bad = s + i;
		}
		s += n;
	}
}

/* MiB/s times 10, for one decimal. */
static unsigned long rate10(uint64_t bytes, uint64_t ns)
{
	return ns ? (unsigned long)(bytes * 10 * 1000000000ull / 1048576 / ns) : 0;
}

static void publish(const char *node, const char *value)
{
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "data/%s", node);
	rc = xg_xs_write(&bm_xs, 0, path, value, (uint32_t)strlen(value));
	if (rc != 0)
		kprintf("# blkfront: writing %s failed: %d\n", path, rc);
}

/* ---- the steps -------------------------------------------------------------- */

struct vbd_wait {
	struct xg_xs_watch watch;
	uint32_t seen;
};

static bool vbd_event(void *arg)
{
	struct vbd_wait *w = arg;

	return __atomic_load_n(&w->watch.events, __ATOMIC_ACQUIRE) != w->seen;
}

/* dom0 creates device/vbd/<id> when it is ready; the first entry is ours.
 * A watch fires for a node that does not exist yet once it appears. */
static bool find_device(void)
{
	static struct vbd_wait w;
	char names[64];
	uint64_t t0 = timer_ns();
	int n = XG_ENOENT, rc;

	w.watch.path = "device/vbd";
	rc = xg_xs_watch_add(&bm_xs, &w.watch);
	while (rc == 0) {
		w.seen = __atomic_load_n(&w.watch.events, __ATOMIC_ACQUIRE);
		n = xg_xs_directory(&bm_xs, 0, "device/vbd", names, sizeof(names));
		if (n > 0)
			break;
		rc = xg_xs_wait_until(&bm_xs, vbd_event, &w, BF_DOM0_WAIT_NS);
	}
	(void)xg_xs_watch_remove(&bm_xs, &w.watch);
	snprintf(dir, sizeof(dir), "device/vbd/%s", n > 0 ? names : "?");
	return tap(rc == 0 && n > 0, "blkfront: found %s after %lu ms (%d)", dir,
		     (unsigned long)((timer_ns() - t0) / BF_MS), rc);
}

static bool attach(void)
{
	struct blkfront_config cfg = {
		.xs = &bm_xs, .gt = &xg_gt, .ev = &xg_ev, .dir = dir, .timeout_ns = BF_DOM0_WAIT_NS,
	};
	int rc = blkfront_attach(&bf, &cfg);

	if (rc != 0) {
		static const char nodes[3][24] = { "state", "max-ring-page-order", "frontend" };
		char path[160];

		for (unsigned i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "%s/%s", bf.backend, nodes[i]);
			kprintf("# read %s: %d\n", path, xg_xs_read(&bm_xs, 0, path, path, sizeof(path)));
		}
	}

	tap(rc == 0 && bf.sectors > 0 && bf.sector_size == BLKFRONT_SECTOR,
	      "blkfront: connected to %s (dom%u): rc %d, %lu sectors of %lu bytes, info %#lx",
	      bf.backend, bf.backend_id, rc, (unsigned long)bf.sectors,
	      (unsigned long)bf.sector_size, (unsigned long)bf.info);
	return tap(rc == 0 && bf.ring_order > 0 && bf.max_segs > BLKIF_MAX_SEGMENTS_PER_REQUEST,
		     "blkfront: negotiated a %u-page ring (ring-page-order %u) and %u-segment "
		     "indirect requests", 1u << bf.ring_order, bf.ring_order, bf.max_segs) &&
	       rc == 0;
}

/* Pattern 1: the first MiB with direct 11-segment requests, the rest
 * with indirect ones of 1 MiB; then read all back. */
static void pass1(void)
{
	uint64_t direct_end = bf.sectors < BF_CHUNK_SECTORS ? bf.sectors : BF_CHUNK_SECTORS;
	struct pass_result w = { .crc = ~0u }, r = { 0 }, d = { 0 };
	uint64_t ind0 = bf.stats.indirect_requests, req0 = bf.stats.requests;
	char v[40];

	disk_write(0, direct_end, BF_DIRECT_SECTORS, 1, &w);
	tap(w.rc == 0 && bf.stats.indirect_requests == ind0 && bf.stats.requests - req0 >= 23,
	      "blkfront: wrote the first %lu KiB with %lu direct 11-segment requests: %d",
	      (unsigned long)(direct_end / 2), (unsigned long)(bf.stats.requests - req0), w.rc);
	ind0 = bf.stats.indirect_requests;
	w.io_ns = 0;
	disk_write(direct_end, bf.sectors, BF_CHUNK_SECTORS, 1, &w);
	tap(w.rc == 0 && bf.stats.indirect_requests > ind0,
	      "blkfront: wrote pattern 1 over the rest (%lu MiB) with %lu indirect requests: %d, "
	      "%lu.%lu MiB/s", (unsigned long)((bf.sectors - direct_end) / 2048),
	      (unsigned long)(bf.stats.indirect_requests - ind0), w.rc,
	      rate10((bf.sectors - direct_end) * 512, w.io_ns) / 10,
	      rate10((bf.sectors - direct_end) * 512, w.io_ns) % 10);
	disk_verify(0, bf.sectors, BF_CHUNK_SECTORS, 1, &r);
	tap(r.rc == 0 && r.bad_sectors == 0,
	      "blkfront: read back all %lu sectors (indirect): %d, %lu bad (first %lu), %lu.%lu MiB/s",
	      (unsigned long)bf.sectors, r.rc, (unsigned long)r.bad_sectors,
	      (unsigned long)r.first_bad, rate10(bf.sectors * 512, r.io_ns) / 10,
	      rate10(bf.sectors * 512, r.io_ns) % 10);
	disk_verify(0, direct_end, BF_DIRECT_SECTORS, 1, &d);
	disk_verify(bf.sectors - 1, bf.sectors, 1, 1, &d);
	disk_verify(4097, 4098, 1, 1, &d);
	tap(d.rc == 0 && d.bad_sectors == 0 && bf.stats.bad_responses == 0,
	      "blkfront: direct multi-segment and single-sector reads: %d, %lu bad; "
	      "%u bad responses from the backend", d.rc, (unsigned long)d.bad_sectors,
	      bf.stats.bad_responses);
	snprintf(v, sizeof(v), "%08x", ~w.crc);
	publish("blk-pass1", v);
}

static bool backend_changed(void *arg)
{
	(void)arg;
	return blkfront_backend_changed(&bf);
}

/* dom0 checks the disk, writes its marker and closes the backend. */
static void close_and_reconnect(void)
{
	struct xg_gnttab_stats gs;
	uint64_t t0 = timer_ns();
	int rc = 0;

	while (rc == 0 && bf.stats.backend_closes == 0) {
		rc = xg_xs_wait_until(&bm_xs, backend_changed, NULL, BF_DOM0_WAIT_NS);
		if (rc == 0)
			rc = blkfront_poll(&bf);
	}
	tap(rc == 0 && bf.connected && bf.stats.connects == 2,
	      "blkfront: backend closed, frontend closed and reconnected after %lu ms: %d "
	      "(connects %u, backend closes %u)", (unsigned long)((timer_ns() - t0) / BF_MS), rc,
	      bf.stats.connects, bf.stats.backend_closes);
	dom0_marked = true;
	/* Live now: only the new ring's pages. */
	xg_gnttab_stats(&xg_gt, &gs);
	tap(bf.stats.grants_made - bf.stats.grants_ended == (1u << bf.ring_order) &&
		      bf.stats.grants_deferred == 0 && gs.pending == 0,
	      "blkfront: the old connection's grants all ended: made %lu, ended %lu, deferred %lu, "
	      "gnttab pending %u", (unsigned long)bf.stats.grants_made,
	      (unsigned long)bf.stats.grants_ended, (unsigned long)bf.stats.grants_deferred,
	      gs.pending);
}

/* Throughput: BF_BENCH_ROUNDS more writes of pattern 2 and reads of the
 * whole disk in 1 MiB requests, one at a time (like dd bs=1M oflag=direct
 * in the Linux domU of run.sh --linux-domu); only the I/O is timed. */
static void bench(struct pass_result *w, struct pass_result *r)
{
	struct pass_result scratch = { 0 };
	uint64_t t0;

	for (unsigned i = 1; i < BF_BENCH_ROUNDS && w->rc == 0; i++)
		disk_write(0, bf.sectors, BF_CHUNK_SECTORS, 2, w);
	for (unsigned i = 0; i < BF_BENCH_ROUNDS && r->rc == 0; i++) {
		for (uint64_t s = 0; s < bf.sectors && r->rc == 0; s += BF_CHUNK_SECTORS) {
			t0 = timer_ns();
			r->rc = blkfront_io(&bf, false, s, buf, BF_CHUNK_SECTORS);
			r->io_ns += timer_ns() - t0;
		}
	}
	disk_verify(0, bf.sectors, BF_CHUNK_SECTORS, 2, &scratch);
	r->bad_sectors = scratch.bad_sectors;
	r->rc = r->rc ? r->rc : scratch.rc;
}

static void pass2(void)
{
	struct pass_result r1 = { 0 }, w = { .crc = ~0u }, r2 = { 0 };
	uint64_t bytes = bf.sectors * BLKFRONT_SECTOR * BF_BENCH_ROUNDS;
	char v[40];

	disk_verify(0, bf.sectors, BF_CHUNK_SECTORS, 1, &r1);
	tap(r1.rc == 0 && r1.bad_sectors == 0,
	      "blkfront: after reconnect, pattern 1 and dom0's marker in sector %u: %d, %lu bad "
	      "(first %lu)", MARKER_SECTOR, r1.rc, (unsigned long)r1.bad_sectors,
	      (unsigned long)r1.first_bad);
	disk_write(0, bf.sectors, BF_CHUNK_SECTORS, 2, &w);
	snprintf(v, sizeof(v), "%08x", ~w.crc);
	bench(&w, &r2);
	tap(w.rc == 0 && r2.rc == 0 && r2.bad_sectors == 0,
	      "blkfront: pattern 2 written %u times and read back: %d, %d, %lu bad; write %lu.%lu "
	      "MiB/s, read %lu.%lu MiB/s", BF_BENCH_ROUNDS, w.rc, r2.rc,
	      (unsigned long)r2.bad_sectors, rate10(bytes, w.io_ns) / 10,
	      rate10(bytes, w.io_ns) % 10, rate10(bytes, r2.io_ns) / 10,
	      rate10(bytes, r2.io_ns) % 10);
	kprintf("# blkfront throughput: write %lu.%lu MiB/s read %lu.%lu MiB/s (%lu MiB each way, "
		"1 MiB requests)\n", rate10(bytes, w.io_ns) / 10, rate10(bytes, w.io_ns) % 10,
		rate10(bytes, r2.io_ns) / 10, rate10(bytes, r2.io_ns) % 10,
		(unsigned long)(bytes >> 20));
	publish("blk-pass2", v);
}

static bool dom0_rebound(void *arg)
{
	char v[8];

	(void)arg;
	return xg_xs_read(&bm_xs, 0, "data/blk-rebound", v, sizeof(v)) > 0;
}

/* dom0 unbinds blkback from the device and binds it again: the backend
 * goes InitWait, re-attaches to the same ring and event channel, and is
 * Connected again. The frontend stays connected and its I/O goes on. */
static void backend_rebind(void)
{
	struct pass_result r = { 0 };
	uint64_t t0 = timer_ns();
	int rc = 0, prc = 0;

	/* Poll while dom0 works, as a driver would on each watch event. */
	while (rc == 0 && !dom0_rebound(NULL)) {
		rc = xg_xs_wait_until(&bm_xs, backend_changed, NULL, 250 * BF_MS);
		if (rc == XG_ETIMEDOUT && timer_ns() - t0 < BF_DOM0_WAIT_NS)
			rc = 0;
		if (rc == 0 && prc == 0)
			prc = blkfront_poll(&bf);
	}
	if (prc == 0)
		prc = blkfront_poll(&bf);
	disk_verify(0, bf.sectors, BF_CHUNK_SECTORS, 2, &r);
	tap(rc == 0 && prc == 0 && bf.connected && bf.stats.connects == 2 && r.rc == 0 &&
		      r.bad_sectors == 0,
	      "blkfront: blkback unbound and bound again in dom0: still connected (connects %u, "
	      "poll %d), pattern 2 read back through the re-attached backend: %d, %lu bad",
	      bf.stats.connects, prc, r.rc, (unsigned long)r.bad_sectors);
}

static void detach(const struct xg_gnttab_stats *before)
{
	struct xg_gnttab_stats gs;
	enum xg_xenbus_state st = XG_XENBUS_UNKNOWN;
	int rc = blkfront_detach(&bf);
	int rs = xg_xenbus_read_state(&bm_xs, bf.backend, &st);

	tap(rc == 0 && rs == 0 && st == XG_XENBUS_CLOSED,
	      "blkfront: detached: %d, backend state %d (Closed %d)", rc, st, XG_XENBUS_CLOSED);
	xg_gnttab_stats(&xg_gt, &gs);
	tap(bf.stats.grants_made == bf.stats.grants_ended && bf.stats.grants_deferred == 0 &&
		      gs.pending == 0 && gs.free == before->free,
	      "blkfront: every grant ended: %lu made, %lu ended, %lu deferred; gnttab free %u "
	      "(before %u), pending %u", (unsigned long)bf.stats.grants_made,
	      (unsigned long)bf.stats.grants_ended, (unsigned long)bf.stats.grants_deferred,
	      gs.free, before->free, gs.pending);
}

void selftest_blkfront(int boot_rc)
{
	struct xg_gnttab_stats before;
	uint64_t t0 = timer_ns();
	char res[32];
	unsigned failed;
	int rc;

	kprintf("1..%u\n", BF_TESTS);
	failed0 = tap_failures();
	crc_init();
	buf = page_alloc(BF_CHUNK_SECTORS * BLKFRONT_SECTOR / PAGE_SIZE);
	if (!tap(boot_rc == 0 && buf != NULL, "blkfront: xenguest up: %d, buffer %p", boot_rc,
		   (void *)buf))
		goto bail;
	rc = bm_store_connect(BF_CALL_NS, BF_STORE_WAIT_NS, NULL);
	xs_up = rc == 0;
	if (!tap(rc == 0, "blkfront: xenstore client up after %lu ms: %d",
		   (unsigned long)((timer_ns() - t0) / BF_MS), rc))
		goto bail;
	xg_gnttab_stats(&xg_gt, &before);
	if (!find_device() || !attach())
		goto bail;
	pass1();
	close_and_reconnect();
	pass2();
	backend_rebind();
	detach(&before);
	failed = tap_failures() - failed0;
	snprintf(res, sizeof(res), failed == 0 ? "pass" : "fail %u", failed);
	publish("blk-result", res);
	tap(failed == 0, "blkfront: result '%s' written for dom0", res);
	kprintf("# domU blkfront tests done after %lu ms: %u failed\n",
		(unsigned long)((timer_ns() - t0) / BF_MS), tap_failures() - failed0);
	return;
bail:
	kprintf("Bail out! blkfront: no device\n");
	if (xs_up)
		publish("blk-result", "bail");
}

#endif /* BM_WITH_XENGUEST */
