/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The hosted port's poller (ports/hosted/poll.c): which mode it picks
 * from what it measured, how often it tries the other one, and that a
 * wait polls within its window and its timeout, then sleeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "xg_hosted.h"

/* A made-up clock for the policy: the time now, in ns. */
static uint64_t clock_ns = 1000000000ull;

/* One wait of @ns returning @bytes, right after the previous one. */
static void wait_for(struct xg_hosted_poll *p, enum xg_hosted_poll_mode mode,
		     uint64_t ns, size_t bytes)
{
	xg_hosted_poll_finish(p, mode, clock_ns, clock_ns + ns, bytes);
	clock_ns += ns;
}

/* Feeds @n waits of the chosen mode: sleeping costs @sleep_ns, polling
 * @poll_ns, for 32 bytes each. Returns how many polled. */
static unsigned feed(struct xg_hosted_poll *p, unsigned n, uint64_t sleep_ns,
		     uint64_t poll_ns)
{
	unsigned polled = 0;

	while (n-- > 0) {
		enum xg_hosted_poll_mode mode = xg_hosted_poll_mode(p);

		polled += mode == XG_HOSTED_POLL;
		wait_for(p, mode, mode == XG_HOSTED_POLL ? poll_ns : sleep_ns,
			 32);
	}
	return polled;
}

static void test_window_zero_never_polls(void **state)
{
	struct xg_hosted_poll p;

	(void)state;
	xg_hosted_poll_init(&p, 0);
	assert_int_equal(feed(&p, 100, 40000, 1000), 0);
}

/* The first wait sleeps, the second polls: both are measured. */
static void test_measures_both_modes_first(void **state)
{
	struct xg_hosted_poll p;

	(void)state;
	xg_hosted_poll_init(&p, XG_HOSTED_POLL_WINDOW_NS);
	assert_int_equal(xg_hosted_poll_mode(&p), XG_HOSTED_SLEEP);
	wait_for(&p, XG_HOSTED_SLEEP, 40000, 32);
	assert_int_equal(xg_hosted_poll_mode(&p), XG_HOSTED_POLL);
}

/* Replies from another CPU: polling halves the wait, so it is used, and
 * sleeping is tried one wait in 16. */
static void test_polls_when_it_pays(void **state)
{
	struct xg_hosted_poll p;
	unsigned polled;

	(void)state;
	xg_hosted_poll_init(&p, XG_HOSTED_POLL_WINDOW_NS);
	feed(&p, 2, 45000, 22000);
	polled = feed(&p, 160, 45000, 22000);
	assert_int_equal(polled, 150);
}

/* A daemon on this CPU answers as fast either way: polling saves less
 * than a fifth, so waits sleep, and poll one in 16. */
static void test_sleeps_when_polling_does_not_pay(void **state)
{
	struct xg_hosted_poll p;

	(void)state;
	xg_hosted_poll_init(&p, XG_HOSTED_POLL_WINDOW_NS);
	feed(&p, 2, 20000, 18000);
	assert_int_equal(feed(&p, 160, 20000, 18000), 10);
}

/* Polling was cheaper until the daemon slowed down: the average follows
 * and the poller goes back to sleeping within a few waits. */
static void test_follows_a_change(void **state)
{
	struct xg_hosted_poll p;

	(void)state;
	xg_hosted_poll_init(&p, XG_HOSTED_POLL_WINDOW_NS);
	feed(&p, 40, 45000, 22000);
	assert_true(feed(&p, 16, 45000, 22000) >= 15);
	/* Each polled wait now runs out its window and sleeps as well. */
	feed(&p, 16, 45000, 95000);
	assert_true(feed(&p, 32, 45000, 95000) <= 2);
}

/* Costs are per byte: a polled wait that returns one reply does not
 * beat a sleep that returns eight. */
static void test_cost_is_per_byte(void **state)
{
	struct xg_hosted_poll p;
	unsigned n, polled = 0;

	(void)state;
	xg_hosted_poll_init(&p, XG_HOSTED_POLL_WINDOW_NS);
	for (n = 0; n < 64; n++) {
		enum xg_hosted_poll_mode mode = xg_hosted_poll_mode(&p);

		polled += mode == XG_HOSTED_POLL;
		if (mode == XG_HOSTED_POLL)
			wait_for(&p, XG_HOSTED_POLL, 20000, 32);
		else
			wait_for(&p, XG_HOSTED_SLEEP, 40000, 8 * 32);
	}
	assert_true(polled <= 5);
}

/* A timeout or a spurious wakeup returns no bytes and teaches nothing. */
static void test_empty_wait_is_ignored(void **state)
{
	struct xg_hosted_poll p;

	(void)state;
	xg_hosted_poll_init(&p, XG_HOSTED_POLL_WINDOW_NS);
	wait_for(&p, XG_HOSTED_SLEEP, 10000000, 0);
	assert_int_equal(xg_hosted_poll_mode(&p), XG_HOSTED_SLEEP);
}

/* ---- xg_hosted_poll_wait() --------------------------------------------- */

struct fake {
	unsigned ready_calls, ready_after; /* ready() says bytes on this call */
	unsigned sleeps;
	uint64_t sleep_timeout;
};

static size_t fake_ready(void *arg)
{
	struct fake *f = arg;

	return ++f->ready_calls == f->ready_after ? 40 : 0;
}

static size_t fake_sleep(void *arg, uint64_t timeout_ns)
{
	struct fake *f = arg;

	f->sleeps++;
	f->sleep_timeout = timeout_ns;
	return 24;
}

/* Trains @p to poll. */
static void prefer_polling(struct xg_hosted_poll *p, uint64_t window_ns)
{
	xg_hosted_poll_init(p, window_ns);
	wait_for(p, XG_HOSTED_SLEEP, 1000000, 1);
	wait_for(p, XG_HOSTED_POLL, 1000, 1);
}

static void test_wait_returns_what_polling_found(void **state)
{
	struct xg_hosted_poll p;
	struct fake f = { .ready_after = 3 };

	(void)state;
	prefer_polling(&p, 1000000000ull);
	assert_int_equal(xg_hosted_poll_wait(&p, fake_ready, fake_sleep, &f,
					     5000000000ull), 40);
	assert_int_equal(f.ready_calls, 3);
	assert_int_equal(f.sleeps, 0);
}

/* Nothing within the window: sleep for what is left of the timeout. */
static void test_wait_sleeps_after_the_window(void **state)
{
	struct xg_hosted_poll p;
	struct fake f = { .ready_after = 0 };

	(void)state;
	prefer_polling(&p, 200000);
	/* A timeout far past the window: a loaded machine may stall us. */
	assert_int_equal(xg_hosted_poll_wait(&p, fake_ready, fake_sleep, &f,
					     1000000000ull), 24);
	assert_true(f.ready_calls >= 1);
	assert_int_equal(f.sleeps, 1);
	assert_true(f.sleep_timeout <= 1000000000ull - 200000);
	assert_true(f.sleep_timeout > 0);
}

/* A timeout shorter than the window ends the wait without a sleep. */
static void test_wait_timeout_inside_the_window(void **state)
{
	struct xg_hosted_poll p;
	struct fake f = { .ready_after = 0 };

	(void)state;
	prefer_polling(&p, 1000000000ull);
	assert_int_equal(xg_hosted_poll_wait(&p, fake_ready, fake_sleep, &f,
					     100000), 0);
	assert_int_equal(f.sleeps, 0);
}

/* In sleeping mode ready() is not called at all. */
static void test_wait_sleeping_mode_sleeps_at_once(void **state)
{
	struct xg_hosted_poll p;
	struct fake f = { .ready_after = 1 };

	(void)state;
	xg_hosted_poll_init(&p, 0);
	assert_int_equal(xg_hosted_poll_wait(&p, fake_ready, fake_sleep, &f,
					     10000000ull), 24);
	assert_int_equal(f.ready_calls, 0);
	assert_int_equal(f.sleeps, 1);
	assert_int_equal(f.sleep_timeout, 10000000ull);
}

/*
 * The caller's work between two waits counts when it is short (the
 * caller is busy with the daemon): 200 us of it before a 10 us wait of
 * 1000 bytes makes 210 ns a byte. Work of 2 ms is the caller's own
 * business and is left out: 10 ns a byte.
 */
static void test_counts_short_work_between_waits(void **state)
{
	struct xg_hosted_poll p;

	(void)state;
	xg_hosted_poll_init(&p, 0);
	xg_hosted_poll_finish(&p, XG_HOSTED_SLEEP, 1000000, 1010000, 1000);
	assert_int_equal(p.cost_ns[XG_HOSTED_SLEEP], 11);
	xg_hosted_poll_init(&p, 0);
	xg_hosted_poll_finish(&p, XG_HOSTED_SLEEP, 1000000, 1010000, 1000);
	p.cost_ns[XG_HOSTED_SLEEP] = 0; /* look at the second sample alone */
	xg_hosted_poll_finish(&p, XG_HOSTED_SLEEP, 1210000, 1220000, 1000);
	assert_int_equal(p.cost_ns[XG_HOSTED_SLEEP], 211);
}

static void test_leaves_out_long_work(void **state)
{
	struct xg_hosted_poll p;

	(void)state;
	xg_hosted_poll_init(&p, 0);
	xg_hosted_poll_finish(&p, XG_HOSTED_SLEEP, 1000000, 1010000, 1000);
	p.cost_ns[XG_HOSTED_SLEEP] = 0;
	xg_hosted_poll_finish(&p, XG_HOSTED_SLEEP, 3010000, 3020000, 1000);
	assert_int_equal(p.cost_ns[XG_HOSTED_SLEEP], 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_zero_never_polls),
		cmocka_unit_test(test_measures_both_modes_first),
		cmocka_unit_test(test_polls_when_it_pays),
		cmocka_unit_test(test_sleeps_when_polling_does_not_pay),
		cmocka_unit_test(test_follows_a_change),
		cmocka_unit_test(test_cost_is_per_byte),
		cmocka_unit_test(test_empty_wait_is_ignored),
		cmocka_unit_test(test_wait_returns_what_polling_found),
		cmocka_unit_test(test_wait_sleeps_after_the_window),
		cmocka_unit_test(test_wait_timeout_inside_the_window),
		cmocka_unit_test(test_wait_sleeping_mode_sleeps_at_once),
		cmocka_unit_test(test_counts_short_work_between_waits),
		cmocka_unit_test(test_leaves_out_long_work),
	};

	return cmocka_run_group_tests_name("hosted-poll", tests, NULL, NULL);
}
