/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Hosted port: xenguest on POSIX threads, for tests and host tools.
 *
 * Each thread plays one CPU (xg_hosted_set_cpu). "Disabling interrupts"
 * raises a per-thread depth; the fake hypervisor delivers an upcall to a
 * thread only when its depth is zero, which is what a real CPU does.
 */
#define _GNU_SOURCE /* MAP_32BIT */
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <xenguest/error.h>
#include <xenguest/intr.h>
#include <xenguest/port.h>

#include "xg_hosted.h"

#define XG_HOSTED_MAX_CPUS 256
#define XG_HOSTED_PAGE 4096u

static _Thread_local unsigned hosted_cpu;
static _Thread_local unsigned hosted_irq_depth;
static _Thread_local unsigned hosted_locks_mine;

static unsigned hosted_ncpus = 1;
static uint32_t hosted_vcpu_ids[XG_HOSTED_MAX_CPUS];
static bool hosted_vcpu_ids_set[XG_HOSTED_MAX_CPUS];
static long hosted_pages;
static long hosted_locks;
static long hosted_fail_after = -1;
static unsigned long hosted_logs[XG_LOG_DEBUG + 1];
static unsigned long hosted_kicks;
static uint64_t hosted_kick_delay;
static int hosted_log_level = -1;
static struct xg_upcall hosted_upcall;
static bool hosted_upcall_set;
static void (*hosted_panic_hook)(const char *, int, const char *);

static pthread_mutex_t hosted_wait_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hosted_wait_cond = PTHREAD_COND_INITIALIZER;

/* ---- contract checks ---------------------------------------------- */

static void hosted_require(bool ok, const char *what)
{
	if (!ok)
		xg_port_panic(__FILE__, __LINE__, what);
}

/* ---- locks ---------------------------------------------------------- */

void xg_port_lock_init(xg_port_lock_t *lock)
{
	pthread_mutex_init(&lock->mutex, NULL);
	lock->initialised = 1;
}

xg_port_irqstate_t xg_port_lock(xg_port_lock_t *lock)
{
	xg_port_irqstate_t st = hosted_irq_depth;

	hosted_require(lock->initialised == 1, "lock used before init");
	hosted_irq_depth++;
	pthread_mutex_lock(&lock->mutex);
	hosted_locks_mine++;
	__atomic_fetch_add(&hosted_locks, 1, __ATOMIC_RELAXED);
	return st;
}

void xg_port_unlock(xg_port_lock_t *lock, xg_port_irqstate_t state)
{
	hosted_require(hosted_locks_mine > 0, "unlock without a lock held");
	hosted_require(hosted_irq_depth == state + 1,
		       "unlock out of order (irq state mismatch)");
	hosted_locks_mine--;
	__atomic_fetch_sub(&hosted_locks, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&lock->mutex);
	hosted_irq_depth = state;
}

/* ---- diagnostics ---------------------------------------------------- */

void xg_port_panic(const char *file, int line, const char *what)
{
	if (hosted_panic_hook != NULL)
		hosted_panic_hook(file, line, what);
	fprintf(stderr, "xenguest panic: %s:%d: %s\n", file, line, what);
	abort();
}

static int hosted_effective_log_level(void)
{
	if (hosted_log_level < 0) {
		const char *e = getenv("XG_HOSTED_LOG");

		hosted_log_level = e ? atoi(e) : XG_LOG_WARN;
	}
	return hosted_log_level;
}

void xg_port_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level >= 0 && level <= XG_LOG_DEBUG)
		__atomic_fetch_add(&hosted_logs[level], 1, __ATOMIC_RELAXED);
	if (level > hosted_effective_log_level())
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* ---- CPUs ------------------------------------------------------------ */

unsigned xg_port_cpu_self(void)
{
	return hosted_cpu;
}

unsigned xg_port_cpu_count(void)
{
	return hosted_ncpus;
}

uint32_t xg_port_cpu_vcpu_id(unsigned cpu)
{
	hosted_require(cpu < XG_HOSTED_MAX_CPUS, "cpu index out of range");
	return hosted_vcpu_ids_set[cpu] ? hosted_vcpu_ids[cpu] : cpu;
}

/* ---- memory ---------------------------------------------------------- */

/*
 * Pages come from the low 2 GiB where the OS allows (Linux MAP_32BIT), so
 * their frame numbers fit a v1 grant entry's 32-bit frame field, as a
 * small guest's would; elsewhere anywhere.
 */
#define XG_HOSTED_LOW_LIMIT ((uintptr_t)1 << 32)

static void *hosted_low_pages(size_t npages)
{
	void *p;

#ifdef MAP_32BIT
	p = mmap(NULL, npages * XG_HOSTED_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

	if (p != MAP_FAILED && (uintptr_t)p < XG_HOSTED_LOW_LIMIT)
		return p;
	if (p != MAP_FAILED)
		munmap(p, npages * XG_HOSTED_PAGE);
#endif
	p = mmap(NULL, npages * XG_HOSTED_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void *xg_port_page_alloc(size_t npages)
{
	void *p;

	hosted_require(hosted_locks_mine == 0, "page_alloc with a lock held");
	hosted_require(npages > 0, "page_alloc of zero pages");
	if (hosted_fail_after == 0) {
		hosted_fail_after = -1;
		return NULL;
	}
	if (hosted_fail_after > 0)
		hosted_fail_after--;
	p = hosted_low_pages(npages);
	if (p == NULL)
		return NULL;
	memset(p, 0, npages * XG_HOSTED_PAGE);
	__atomic_fetch_add(&hosted_pages, (long)npages, __ATOMIC_RELAXED);
	return p;
}

void xg_port_page_free(void *va, size_t npages)
{
	hosted_require(hosted_locks_mine == 0, "page_free with a lock held");
	hosted_require(((uintptr_t)va & (XG_HOSTED_PAGE - 1)) == 0,
		       "page_free of an unaligned pointer");
	__atomic_fetch_sub(&hosted_pages, (long)npages, __ATOMIC_RELAXED);
	munmap(va, npages * XG_HOSTED_PAGE);
}

/* Guest "physical" memory is the process's address space: gfn = va/4K. */
uint64_t xg_port_virt_to_gfn(const void *va)
{
	return (uint64_t)(uintptr_t)va >> 12;
}

/* Grant frames: ordinary pages here, since the fake hypervisor backs a
 * grant frame with whatever page the guest maps it at. */
void *xg_port_gnttab_space_alloc(const struct xg_xen *xen, size_t nframes,
				 uint64_t *gfn)
{
	void *va = xg_port_page_alloc(nframes);

	(void)xen;
	if (va != NULL)
		*gfn = xg_port_virt_to_gfn(va);
	return va;
}

void xg_port_gnttab_space_free(void *va, size_t nframes)
{
	xg_port_page_free(va, nframes);
}

/* ---- time, waiting, work --------------------------------------------- */

uint64_t xg_port_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Waiters re-check their condition at least every millisecond, so a
 * wakeup that races with the check costs latency, never a hang. */
int xg_port_wait(const void *chan, bool (*done)(void *arg), void *arg,
		 uint64_t timeout_ns)
{
	uint64_t end = timeout_ns ? xg_port_time_ns() + timeout_ns : 0;

	(void)chan;
	hosted_require(hosted_locks_mine == 0, "wait with a lock held");
	hosted_require(hosted_irq_depth == 0, "wait with interrupts off");
	for (;;) {
		struct timespec ts;

		if (done(arg))
			return 0;
		if (end && xg_port_time_ns() >= end)
			return XG_ETIMEDOUT;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&hosted_wait_mutex);
		pthread_cond_timedwait(&hosted_wait_cond, &hosted_wait_mutex,
				       &ts);
		pthread_mutex_unlock(&hosted_wait_mutex);
	}
}

void xg_port_wakeup(const void *chan)
{
	(void)chan;
	pthread_mutex_lock(&hosted_wait_mutex);
	pthread_cond_broadcast(&hosted_wait_cond);
	pthread_mutex_unlock(&hosted_wait_mutex);
}

void xg_port_worker_kick(uint64_t delay_ns)
{
	__atomic_fetch_add(&hosted_kicks, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&hosted_kick_delay, delay_ns, __ATOMIC_RELAXED);
}

int xg_port_upcall_attach(struct xg_upcall *up)
{
	if (up->kind == XG_UPCALL_VECTOR)
		up->vector = 0xf3; /* what a kernel might pick */
	hosted_upcall = *up;
	hosted_upcall_set = true;
	return 0;
}

/* ---- interrupt sources: a malloc'd host object around each xg_isrc ---- */

#define HOSTED_ISRC_MAGIC 0x15c0ffeeu

struct hosted_isrc {
	unsigned magic;
	unsigned type;
	struct xg_isrc isrc;
};

static long hosted_isrcs;
static unsigned long hosted_raises;
static long hosted_isrc_fail_after = -1;

struct xg_isrc *xg_port_isrc_alloc(unsigned type, unsigned cpu,
				   const char *name)
{
	struct hosted_isrc *h;

	(void)cpu, (void)name;
	hosted_require(hosted_locks_mine == 0, "isrc_alloc with a lock held");
	if (hosted_isrc_fail_after == 0) {
		hosted_isrc_fail_after = -1;
		return NULL;
	}
	if (hosted_isrc_fail_after > 0)
		hosted_isrc_fail_after--;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->magic = HOSTED_ISRC_MAGIC;
	h->type = type;
	__atomic_fetch_add(&hosted_isrcs, 1, __ATOMIC_RELAXED);
	return &h->isrc;
}

void xg_port_isrc_release(struct xg_isrc *isrc)
{
	struct hosted_isrc *h = (struct hosted_isrc *)(void *)((char *)isrc -
		offsetof(struct hosted_isrc, isrc));

	hosted_require(hosted_locks_mine == 0, "isrc_release with a lock held");
	hosted_require(h->magic == HOSTED_ISRC_MAGIC, "isrc_release of a "
		       "source the port did not allocate (or twice)");
	h->magic = 0;
	__atomic_fetch_sub(&hosted_isrcs, 1, __ATOMIC_RELAXED);
	free(h);
}

/* The fake hypervisor's vCPU loops poll evtchn_upcall_pending, so a
 * raise needs no signal: it is counted for the tests. */
void xg_port_upcall_raise(void)
{
	hosted_require(hosted_irq_depth > 0, "upcall_raise with interrupts on");
	__atomic_fetch_add(&hosted_raises, 1, __ATOMIC_RELAXED);
}

long xg_hosted_isrcs_outstanding(void)
{
	return __atomic_load_n(&hosted_isrcs, __ATOMIC_RELAXED);
}

unsigned long xg_hosted_upcall_raises(void)
{
	return __atomic_load_n(&hosted_raises, __ATOMIC_RELAXED);
}

void xg_hosted_fail_isrc_after(long n)
{
	hosted_isrc_fail_after = n;
}

/* ---- test controls ---------------------------------------------------- */

void xg_hosted_set_cpu_count(unsigned n)
{
	hosted_require(n >= 1 && n <= XG_HOSTED_MAX_CPUS, "bad cpu count");
	hosted_ncpus = n;
}

void xg_hosted_set_cpu(unsigned cpu)
{
	hosted_cpu = cpu;
}

void xg_hosted_set_vcpu_id(unsigned cpu, uint32_t vcpu_id)
{
	hosted_require(cpu < XG_HOSTED_MAX_CPUS, "cpu index out of range");
	hosted_vcpu_ids[cpu] = vcpu_id;
	hosted_vcpu_ids_set[cpu] = true;
}

void xg_hosted_fail_alloc_after(long n)
{
	hosted_fail_after = n;
}

long xg_hosted_pages_outstanding(void)
{
	return __atomic_load_n(&hosted_pages, __ATOMIC_RELAXED);
}

long xg_hosted_locks_held(void)
{
	return __atomic_load_n(&hosted_locks, __ATOMIC_RELAXED);
}

unsigned xg_hosted_irq_depth(void)
{
	return hosted_irq_depth;
}

unsigned long xg_hosted_log_count(int level)
{
	if (level < 0 || level > XG_LOG_DEBUG)
		return 0;
	return __atomic_load_n(&hosted_logs[level], __ATOMIC_RELAXED);
}

unsigned long xg_hosted_worker_kicks(void)
{
	return __atomic_load_n(&hosted_kicks, __ATOMIC_RELAXED);
}

uint64_t xg_hosted_worker_last_delay(void)
{
	return __atomic_load_n(&hosted_kick_delay, __ATOMIC_RELAXED);
}

const struct xg_upcall *xg_hosted_upcall(void)
{
	return hosted_upcall_set ? &hosted_upcall : NULL;
}

bool xg_hosted_check_balanced(void)
{
	long pages = xg_hosted_pages_outstanding();
	long locks = xg_hosted_locks_held();
	long isrcs = xg_hosted_isrcs_outstanding();

	if (isrcs != 0)
		fprintf(stderr, "hosted port: %ld interrupt source(s) not "
				"released\n", isrcs);
	if (pages != 0)
		fprintf(stderr, "hosted port: %ld page(s) still allocated\n",
			pages);
	if (locks != 0)
		fprintf(stderr, "hosted port: %ld lock(s) still held\n", locks);
	return pages == 0 && locks == 0 && isrcs == 0;
}

void xg_hosted_reset(void)
{
	hosted_cpu = 0;
	hosted_irq_depth = 0;
	hosted_locks_mine = 0;
	hosted_ncpus = 1;
	memset(hosted_vcpu_ids_set, 0, sizeof(hosted_vcpu_ids_set));
	hosted_pages = 0;
	hosted_locks = 0;
	hosted_fail_after = -1;
	memset(hosted_logs, 0, sizeof(hosted_logs));
	hosted_kicks = 0;
	hosted_kick_delay = 0;
	hosted_upcall_set = false;
	hosted_isrcs = 0;
	hosted_raises = 0;
	hosted_isrc_fail_after = -1;
	hosted_panic_hook = NULL;
}

void xg_hosted_set_panic_hook(void (*hook)(const char *, int, const char *))
{
	hosted_panic_hook = hook;
}

void xg_hosted_set_log_level(int level)
{
	hosted_log_level = level;
}
