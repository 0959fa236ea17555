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

/* ---- xenstore over a Unix socket (ports/hosted/xs_socket.c) ---------- */
#include <xenguest/xenstore.h>

struct xg_hosted_xs_socket {
	int fd;
	char path[108];
	size_t stash_off, stash_len; /* bytes the wait hook received */
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
