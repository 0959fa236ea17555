/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Hosted port: poll a little before sleeping, when that is measurably
 * faster.
 *
 * A reply from a daemon on another CPU is there in about 20 us. Sleeping
 * for it adds the wakeup of this CPU, which on a virtual machine without
 * guest halt-polling (and for a vCPU under Xen) is about as long again:
 * the CPU went idle, so the host must schedule it back in. Polling for a
 * short window catches the reply without that wakeup, but spends the CPU
 * meanwhile, and buys nothing when the daemon shares this CPU or answers
 * slowly. KVM's halt-polling and Linux's cpuidle-haltpoll trade the same
 * way; this poller decides by measuring instead of guessing: it keeps the
 * average time per byte received in each mode, uses the cheaper one, and
 * every 16th wait tries the other so that it notices when that changes.
 * The time counted is the wait plus the caller's work since the previous
 * wait (when that is short, i.e. the caller is busy with the daemon):
 * polling returns smaller batches sooner, and only the whole cycle shows
 * whether that made the caller faster. Polling must save a fifth to be
 * chosen; where it does not, its cost is one window in 16 waits.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <time.h>

#include "xg_hosted.h"

#define PROBE_EVERY 16u
/* Work between waits longer than this is the caller's own business. */
#define BUSY_GAP_NS 1000000ull

static uint64_t poll_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void xg_hosted_poll_init(struct xg_hosted_poll *p, uint64_t window_ns)
{
	*p = (struct xg_hosted_poll){ .window_ns = window_ns };
}

enum xg_hosted_poll_mode xg_hosted_poll_mode(struct xg_hosted_poll *p)
{
	enum xg_hosted_poll_mode usual;

	if (p->window_ns == 0)
		return XG_HOSTED_SLEEP;
	/* Measure each mode once before choosing. */
	if (p->cost_ns[XG_HOSTED_SLEEP] == 0)
		return XG_HOSTED_SLEEP;
	if (p->cost_ns[XG_HOSTED_POLL] == 0)
		return XG_HOSTED_POLL;
	/* Polling must save a fifth to be the usual mode. */
	usual = p->cost_ns[XG_HOSTED_POLL] * 5 < p->cost_ns[XG_HOSTED_SLEEP] * 4
			? XG_HOSTED_POLL : XG_HOSTED_SLEEP;
	if (++p->waits % PROBE_EVERY == 0) /* try the other one */
		return usual == XG_HOSTED_POLL ? XG_HOSTED_SLEEP
					       : XG_HOSTED_POLL;
	return usual;
}

/* Folds one wait's time per byte into its mode's average. */
static void poll_account(struct xg_hosted_poll *p,
			 enum xg_hosted_poll_mode mode, uint64_t ns,
			 size_t bytes)
{
	uint64_t sample, *avg = &p->cost_ns[mode];

	if (bytes == 0)
		return; /* a timeout or a spurious wakeup says nothing */
	sample = ns / bytes + 1; /* never 0: 0 means "not measured" */
	/* Average over about the last 8 waits in this mode. */
	if (*avg == 0)
		*avg = sample;
	else
		*avg = *avg - *avg / 8 + sample / 8;
}

void xg_hosted_poll_finish(struct xg_hosted_poll *p,
			   enum xg_hosted_poll_mode mode, uint64_t start_ns,
			   uint64_t end_ns, size_t bytes)
{
	uint64_t since = start_ns;

	if (p->last_end_ns != 0 && start_ns - p->last_end_ns < BUSY_GAP_NS)
		since = p->last_end_ns;
	poll_account(p, mode, end_ns - since, bytes);
	p->last_end_ns = end_ns;
}

size_t xg_hosted_poll_wait(struct xg_hosted_poll *p,
			   size_t (*ready)(void *arg),
			   size_t (*sleep)(void *arg, uint64_t timeout_ns),
			   void *arg, uint64_t timeout_ns)
{
	enum xg_hosted_poll_mode mode;
	uint64_t t0, waited = 0;
	size_t n = 0;

	if (p->window_ns == 0)
		return sleep(arg, timeout_ns); /* nothing to measure */
	mode = xg_hosted_poll_mode(p);
	t0 = poll_now_ns();

	if (mode == XG_HOSTED_POLL) {
		uint64_t window = p->window_ns < timeout_ns ? p->window_ns
							    : timeout_ns;

		/* Yielding lets a daemon on this CPU answer meanwhile. */
		while ((n = ready(arg)) == 0 &&
		       (waited = poll_now_ns() - t0) < window)
			sched_yield();
	}
	if (n == 0 && waited < timeout_ns)
		n = sleep(arg, timeout_ns - waited);
	xg_hosted_poll_finish(p, mode, t0, poll_now_ns(), n);
	return n;
}
