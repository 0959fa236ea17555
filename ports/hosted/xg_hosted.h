/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Hosted port: controls and checks for tests. The port checks the
 * contract as it runs (no allocation, waiting or sleeping with a library
 * lock held; unlock only what this thread locked) and counts what must
 * balance at teardown: locks held and pages allocated.
 */
#ifndef XG_HOSTED_H
#define XG_HOSTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenguest/port.h>

/* Number of CPUs the port reports (default 1); call before init. */
void xg_hosted_set_cpu_count(unsigned n);
/* The calling thread acts as this CPU (default 0). */
void xg_hosted_set_cpu(unsigned cpu);
/* Xen vCPU id of a CPU (default: the CPU index). */
void xg_hosted_set_vcpu_id(unsigned cpu, uint32_t vcpu_id);

/* Make the next @n page allocations succeed, then fail one; -1 = never. */
void xg_hosted_fail_alloc_after(long n);

/* Counters. */
long xg_hosted_pages_outstanding(void);
long xg_hosted_locks_held(void);      /* all threads */
unsigned xg_hosted_irq_depth(void);   /* this thread's disable depth */
unsigned long xg_hosted_log_count(int level);
unsigned long xg_hosted_worker_kicks(void);
uint64_t xg_hosted_worker_last_delay(void);

/* Interrupt sources from xg_port_isrc_alloc() not yet released (also
 * checked by xg_hosted_check_balanced()), upcall raises, and a fault:
 * the next @n source allocations succeed, then one fails (-1 = never). */
long xg_hosted_isrcs_outstanding(void);
unsigned long xg_hosted_upcall_raises(void);
void xg_hosted_fail_isrc_after(long n);

/* The upcall the library attached, or NULL before xg_port_upcall_attach. */
const struct xg_upcall *xg_hosted_upcall(void);

/*
 * Returns true when no lock is held and no page is outstanding;
 * otherwise prints what is unbalanced to stderr and returns false.
 */
bool xg_hosted_check_balanced(void);

/* Reset every counter and setting (between tests). */
void xg_hosted_reset(void);

/* Instead of abort(), call @hook on xg_port_panic(); for tests that
 * expect an assertion (it must not return: longjmp out). */
void xg_hosted_set_panic_hook(void (*hook)(const char *file, int line,
					   const char *what));

/* Messages at or below this level go to stderr (default XG_LOG_WARN,
 * or $XG_HOSTED_LOG). */
void xg_hosted_set_log_level(int level);

/* ---- polling before sleeping (ports/hosted/poll.c) ------------------- */

/*
 * A waiter that polls for up to @window_ns before it sleeps, where that
 * has measured cheaper per byte received than sleeping at once (time of
 * the wait and of the caller's work since the previous one; it tries the
 * other mode every 16th wait). One thread uses a poller at a time. Fields
 * private.
 */
enum xg_hosted_poll_mode { XG_HOSTED_SLEEP, XG_HOSTED_POLL };

struct xg_hosted_poll {
	uint64_t window_ns;   /* 0: always sleep at once */
	uint64_t cost_ns[2];  /* average time per byte, by mode */
	uint64_t last_end_ns; /* when the previous wait returned */
	unsigned waits;
};

/* Default window: about twice a cross-CPU round trip to xenstored. */
#define XG_HOSTED_POLL_WINDOW_NS 50000ull

void xg_hosted_poll_init(struct xg_hosted_poll *p, uint64_t window_ns);

/*
 * One wait: calls @ready (the bytes there now, 0 if none; non-zero also
 * for an error the caller must see) until it is non-zero or the window
 * ends, yielding the CPU between calls, then @sleep (block until bytes
 * may be there or @timeout_ns passes; returns the bytes there). Returns
 * the last non-zero count, or 0 after a timeout.
 */
size_t xg_hosted_poll_wait(struct xg_hosted_poll *p,
			   size_t (*ready)(void *arg),
			   size_t (*sleep)(void *arg, uint64_t timeout_ns),
			   void *arg, uint64_t timeout_ns);

/* The policy alone, for tests: the mode of the next wait, and the
 * outcome of a wait in that mode: when it started and ended
 * (CLOCK_MONOTONIC ns) and the bytes it returned. */
enum xg_hosted_poll_mode xg_hosted_poll_mode(struct xg_hosted_poll *p);
void xg_hosted_poll_finish(struct xg_hosted_poll *p,
			   enum xg_hosted_poll_mode mode, uint64_t start_ns,
			   uint64_t end_ns, size_t bytes);

/* ---- xenstore over a Unix socket (ports/hosted/xs_socket.c) ---------- */
#include <xenguest/xenstore.h>

/* One thread waits on a socket at a time (the stash and the poller are
 * not shared). */
struct xg_hosted_xs_socket {
	int fd;
	char path[108];
	size_t stash_off, stash_len; /* bytes the wait hook received */
	struct xg_hosted_poll poll;  /* window XG_HOSTED_POLL_WINDOW_NS */
	char stash[8192];
};

/* Connect to xenstored's socket at @path and fill @out with a transport
 * for struct xg_xs_config (wait blocks until the daemon has sent something and
 * takes all of it in one recv(); reset reconnects).
 * Returns 0 or a negative XG_E* / -errno code. */
int xg_hosted_xs_socket_open(struct xg_hosted_xs_socket *s, const char *path,
			     struct xg_xs_transport *out);
void xg_hosted_xs_socket_close(struct xg_hosted_xs_socket *s);

#endif /* XG_HOSTED_H */
