// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * xenguest's xenstore client against the REAL xenstored, over the real
 * ring, in a dom0less domU whose dom0 is Linux (scripts/xen-linux/run.sh;
 * boot argument "xgbm.xenstore=1").
 *
 * The connection, late start included, is the kernel's own (store.c):
 * these tests report each of its steps.
 *
 * Talking to dom0's init script (scripts/xen-linux/init.sh) through the
 * store: the domU writes data/ready once its watch on data/ping is
 * registered; dom0 then writes "pong" there; at the end the domU writes
 * data/result ("pass" or "fail N") and data/hello for dom0 to check.
 */
#include "kernel.h"

#if BM_WITH_XENGUEST
#include "selftest.h"
#include "store.h"
#include "timer.h"
#include "bm_xenguest.h"

#include <xenguest/error.h>
#include <xenguest/intr.h>
#include <xenguest/xenstore.h>

#define XS_NS_PER_MS 1000000ull
#define XS_STORE_WAIT_NS (180000 * XS_NS_PER_MS) /* dom0 boots Linux first */
#define XS_DOM0_WAIT_NS (60000 * XS_NS_PER_MS)
#define XS_CALL_TIMEOUT_NS (20000 * XS_NS_PER_MS)
#define XS_BIG_ENTRIES 200 /* dom0 makes them: names of 27 bytes, a 5.6 KB listing */

enum { XS_TESTS = 21 };

static char xs_buf[8192];
static char xs_val[256];

static unsigned xs_failed0; /* tap_failures() before these tests */

static uint64_t ms_since(uint64_t t0)
{
	return (timer_ns() - t0) / XS_NS_PER_MS;
}

static bool str_eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Does the NUL-separated list @list of @len bytes hold @name? */
static bool list_has(const char *list, int len, const char *name)
{
	for (int off = 0; off < len; off += (int)strlen(list + off) + 1) {
		if (str_eq(list + off, name))
			return true;
	}
	return false;
}

static int list_count(const char *list, int len)
{
	int n = 0;

	for (int off = 0; off < len; off += (int)strlen(list + off) + 1)
		n++;
	return n;
}

/* Late start: bind the store port, wait for init-dom0less, connect
 * (store.c), one TAP line per step. */
static bool xs_connect(void)
{
	struct bm_store_steps st;
	int rc = bm_store_connect(XS_CALL_TIMEOUT_NS, XS_STORE_WAIT_NS, &st);

	tap((st.params_rc == XG_EAGAIN || st.params_rc == 0) && st.port != 0,
	     "xenstore: store params at boot: rc %d (late start: %d), event channel %u",
	     st.params_rc, XG_EAGAIN, st.port);
	if (st.port == 0)
		return false;
	if (!tap(st.bind_rc == 0,
		  "xenstore: store event channel %u bound through the interrupt registry: %d",
		  st.port, st.bind_rc))
		return false;
	if (!tap(st.wait_rc == 0 && st.gfn != 0,
		  "xenstore: store page appeared: gfn %#lx after %lu ms (rc %d)",
		  (unsigned long)st.gfn, (unsigned long)(st.wait_ns / XS_NS_PER_MS), st.wait_rc))
		return false;
	return tap(rc == 0, "xenstore: client over the ring at %#lx: %d",
		    (unsigned long)(st.gfn << PAGE_SHIFT), rc);
}

static void xs_test_reads(void)
{
	int n, m;

	n = xg_xs_read(&bm_xs, 0, "domid", xs_val, sizeof(xs_val));
	tap(n == 1 && str_eq(xs_val, "1"), "xenstore: read domid -> %d '%s'", n,
	    n >= 0 ? xs_val : "");
	n = xg_xs_get_domain_path(&bm_xs, 1, xs_val, sizeof(xs_val));
	tap(n > 0 && str_eq(xs_val, "/local/domain/1"), "xenstore: get_domain_path(1) -> '%s'",
	    n > 0 ? xs_val : "");
	n = xg_xs_directory(&bm_xs, 0, "control", xs_buf, sizeof(xs_buf));
	tap(n > 0 && list_has(xs_buf, n, "shutdown"),
	    "xenstore: directory control -> %d entries, has shutdown", n > 0 ? list_count(xs_buf, n) : n);
	n = xg_xs_read(&bm_xs, 0, "/local/domain/0/name", xs_val, sizeof(xs_val));
	m = xg_xs_write(&bm_xs, 0, "/local/domain/0/xgbm", "x", 1);
	tap(n == XG_EACCES && m == XG_EACCES,
	    "xenstore: dom0's nodes: read %d, write %d (EACCES %d)", n, m, XG_EACCES);
}

static void xs_test_writes(void)
{
	static const char perms[] = "n1\0r0";
	int w, r, p, s, d;

	w = xg_xs_write(&bm_xs, 0, "data/xgbm/value", "hello dom0", 10);
	r = xg_xs_read(&bm_xs, 0, "data/xgbm/value", xs_val, sizeof(xs_val));
	tap(w == 0 && r == 10 && str_eq(xs_val, "hello dom0"),
	    "xenstore: write then read back data/xgbm/value: %d, %d", w, r);
	w = xg_xs_mkdir(&bm_xs, 0, "data/xgbm/dir");
	r = xg_xs_read(&bm_xs, 0, "data/xgbm/dir", xs_val, sizeof(xs_val));
	d = xg_xs_rm(&bm_xs, 0, "data/xgbm/dir");
	s = xg_xs_read(&bm_xs, 0, "data/xgbm/dir", xs_val, sizeof(xs_val));
	tap(w == 0 && r == 0 && d == 0 && s == XG_ENOENT,
	    "xenstore: mkdir %d, read empty %d, rm %d, read after rm %d", w, r, d, s);
	s = xg_xs_set_perms(&bm_xs, 0, "data/xgbm/value", perms, sizeof(perms));
	p = xg_xs_get_perms(&bm_xs, 0, "data/xgbm/value", xs_val, sizeof(xs_val));
	tap(s == 0 && p == (int)sizeof(perms) && memcmp(xs_val, perms, sizeof(perms)) == 0,
	    "xenstore: set_perms n1,r0 %d, get_perms %d bytes", s, p);
}

/* A transaction that a write outside it invalidates must fail EAGAIN. */
static void xs_test_transaction_conflict(void)
{
	uint32_t tx = 0;
	int st, rd, out, in, end, check;

	(void)xg_xs_write(&bm_xs, 0, "data/xgbm/tx", "0", 1);
	st = xg_xs_transaction_start(&bm_xs, &tx);
	rd = st == 0 ? xg_xs_read(&bm_xs, tx, "data/xgbm/tx", xs_val, sizeof(xs_val)) : st;
	out = xg_xs_write(&bm_xs, 0, "data/xgbm/tx", "outside", 7);
	in = st == 0 ? xg_xs_write(&bm_xs, tx, "data/xgbm/tx", "inside", 6) : st;
	end = st == 0 ? xg_xs_transaction_end(&bm_xs, tx, true) : st;
	check = xg_xs_read(&bm_xs, 0, "data/xgbm/tx", xs_val, sizeof(xs_val));
	tap(st == 0 && rd == 1 && out == 0 && in == 0 && end == XG_EAGAIN && check == 7 &&
		    str_eq(xs_val, "outside"),
	    "xenstore: conflicting transaction: start %d read %d, outside write %d, end %d "
	    "(EAGAIN %d), value '%s'", st, rd, out, end, XG_EAGAIN, check >= 0 ? xs_val : "");
}

struct xs_tx_body {
	unsigned tries;
};

/* First attempt: a write outside the transaction makes it conflict. */
static int xs_tx_body(struct xg_xs *c, uint32_t tx, void *arg)
{
	struct xs_tx_body *b = arg;
	char v[16];
	int rc = xg_xs_read(c, tx, "data/xgbm/counter", v, sizeof(v));

	if (rc < 0)
		return rc;
	if (b->tries++ == 0)
		(void)xg_xs_write(c, 0, "data/xgbm/counter", "1", 1);
	rc = xg_xs_write(c, tx, "data/xgbm/counter", v[0] == '1' ? "2" : "bad", v[0] == '1' ? 1 : 3);
	return rc < 0 ? rc : (int)b->tries;
}

static void xs_test_transaction_retry(void)
{
	struct xs_tx_body b = { 0 };
	int w = xg_xs_write(&bm_xs, 0, "data/xgbm/counter", "0", 1);
	int rc = xg_xs_transaction(&bm_xs, xs_tx_body, &b, 4);
	int r = xg_xs_read(&bm_xs, 0, "data/xgbm/counter", xs_val, sizeof(xs_val));

	tap(w == 0 && rc == 2 && b.tries == 2 && r == 1 && str_eq(xs_val, "2"),
	    "xenstore: transaction retried after a conflict: rc %d, tries %u, counter '%s'", rc,
	    b.tries, r >= 0 ? xs_val : "");
}

static struct xg_xs_watch xs_ping_watch;
static char xs_ping_queue[256];

static bool xs_ping_fired_twice(void *arg)
{
	(void)arg;
	return __atomic_load_n(&xs_ping_watch.events, __ATOMIC_ACQUIRE) >= 2;
}

/* Copy data/ping into data/seen, in a transaction. */
static int xs_copy_ping(struct xg_xs *c, uint32_t tx, void *arg)
{
	char v[16];
	int n = xg_xs_read(c, tx, "data/ping", v, sizeof(v));

	(void)arg;
	return n < 0 ? n : xg_xs_write(c, tx, "data/seen", v, (uint32_t)n);
}

/*
 * The initial event, then the one dom0's write of "pong" causes. A
 * transaction that read data/ping before dom0 wrote it must then fail to
 * commit (EAGAIN), and succeed when retried.
 */
static void xs_test_watch_dom0(void)
{
	uint64_t t0;
	uint32_t tx = 0;
	int w, add, ready, wait, r, rm, st, trd, twr, tend, retry, seen;

	w = xg_xs_write(&bm_xs, 0, "data/ping", "wait", 4);
	xs_ping_watch.path = "data/ping";
	xs_ping_watch.queue = xs_ping_queue;
	xs_ping_watch.queue_size = sizeof(xs_ping_queue);
	add = xg_xs_watch_add(&bm_xs, &xs_ping_watch);
	tap(w == 0 && add == 0, "xenstore: watch on data/ping registered: %d, %d", w, add);
	st = xg_xs_transaction_start(&bm_xs, &tx);
	trd = st == 0 ? xg_xs_read(&bm_xs, tx, "data/ping", xs_val, sizeof(xs_val)) : st;
	t0 = timer_ns();
	ready = xg_xs_write(&bm_xs, 0, "data/ready", "1", 1);
	wait = xg_xs_wait_until(&bm_xs, xs_ping_fired_twice, NULL, XS_DOM0_WAIT_NS);
	twr = st == 0 ? xg_xs_write(&bm_xs, tx, "data/seen", "wait", 4) : st;
	tend = st == 0 ? xg_xs_transaction_end(&bm_xs, tx, true) : st;
	retry = xg_xs_transaction(&bm_xs, xs_copy_ping, NULL, 4);
	seen = xg_xs_read(&bm_xs, 0, "data/seen", xs_val, sizeof(xs_val));
	tap(st == 0 && trd == 4 && twr == 0 && tend == XG_EAGAIN && retry == 0 && seen == 4 &&
		     str_eq(xs_val, "pong"),
	     "xenstore: transaction vs dom0's write: start %d, read %d, commit %d (EAGAIN %d), "
	     "retried %d, data/seen '%s'", st, trd, tend, XG_EAGAIN, retry, seen >= 0 ? xs_val : "");
	r = xg_xs_read(&bm_xs, 0, "data/ping", xs_val, sizeof(xs_val));
	tap(ready == 0 && wait == 0 && r == 4 && str_eq(xs_val, "pong"),
	    "xenstore: watch fired when dom0 wrote data/ping: %d events after %lu ms, value '%s'",
	    __atomic_load_n(&xs_ping_watch.events, __ATOMIC_ACQUIRE),
	    (unsigned long)ms_since(t0), r >= 0 ? xs_val : "");
	rm = xg_xs_watch_remove(&bm_xs, &xs_ping_watch);
	tap(rm == 0, "xenstore: watch removed: %d", rm);
}

/* A directory whose listing exceeds one message (XS_DIRECTORY_PART):
 * dom0 makes it before it answers the watch, because a domU's node may
 * not grow past xenstored's entry-size quota (2 KB of names). */
static void xs_test_big_directory(void)
{
	int one, all, rm, gone;

	one = xg_xs_directory(&bm_xs, 0, "data/big", xs_buf, sizeof(xs_buf));
	all = xg_xs_directory_all(&bm_xs, 0, "data/big", xs_buf, sizeof(xs_buf));
	tap(one == XG_E2BIG && all > (int)XG_XS_PAYLOAD_MAX &&
		     list_count(xs_buf, all) == XS_BIG_ENTRIES &&
		     list_has(xs_buf, all, "entry-100-abcdefghijklmnop") &&
		     list_has(xs_buf, all, "entry-299-abcdefghijklmnop"),
	     "xenstore: dom0's %u-entry directory: directory %d (E2BIG %d), directory_all %d "
	     "bytes, %d names", XS_BIG_ENTRIES, one, XG_E2BIG, all,
	     all > 0 ? list_count(xs_buf, all) : all);
	rm = xg_xs_rm(&bm_xs, 0, "data/big");
	gone = xg_xs_read(&bm_xs, 0, "data/big", xs_val, sizeof(xs_val));
	tap(rm == 0 && gone == XG_ENOENT, "xenstore: rm of dom0's data/big: %d, then read %d", rm,
	     gone);
}

static void xs_report_to_dom0(void)
{
	static const char hello[] = "xenguest domU1 was here";
	unsigned failed = tap_failures() - xs_failed0;
	char res[32];
	int w, r;

	snprintf(res, sizeof(res), failed == 0 ? "pass" : "fail %u", failed);
	w = xg_xs_write(&bm_xs, 0, "data/hello", hello, sizeof(hello) - 1);
	r = xg_xs_write(&bm_xs, 0, "data/result", res, (uint32_t)strlen(res));
	tap(w == 0 && r == 0, "xenstore: result '%s' written for dom0: %d, %d", res, w, r);
}

void selftest_xenstore(int boot_rc)
{
	uint64_t t0 = timer_ns();

	kprintf("1..%u\n", XS_TESTS);
	xs_failed0 = tap_failures();
	if (!tap(boot_rc == 0, "xenstore: xenguest up: %d", boot_rc) || !xs_connect()) {
		kprintf("Bail out! no xenstore connection\n");
		return;
	}
	xs_test_reads();
	xs_test_writes();
	xs_test_transaction_conflict();
	xs_test_transaction_retry();
	xs_test_watch_dom0();
	xs_test_big_directory();
	xs_report_to_dom0();
	kprintf("# domU xenstore tests done after %lu ms: %u failed\n",
		(unsigned long)ms_since(t0), tap_failures() - xs_failed0);
}

#endif /* BM_WITH_XENGUEST */
