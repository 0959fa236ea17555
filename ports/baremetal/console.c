// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * Console output through Xen: HYPERVISOR_console_io(CONSOLEIO_write).
 * Works from the first instruction (no device to set up) for dom0 and,
 * with Xen's "(dN)" prefix, for domUs. Each kprintf() is formatted into
 * one buffer and written with one hypercall so lines from different CPUs
 * do not interleave.
 */
#include "hypervisor.h"
#include "smp.h"
#include "spinlock.h"
#include "xen_public.h"

#define LINE_MAX 256

static spinlock_t console_lock;
static int console_owner = -1; /* CPU index holding console_lock */

static int cpu_index_or_zero(void)
{
	struct percpu *c = this_cpu();

	return c ? (int)c->index : 0;
}

void console_write(const char *s, size_t len)
{
	while (len) {
		long n = HYPERVISOR_console_io(CONSOLEIO_write, len, s);

		if (n < 0)
			return; /* nowhere else to report it */
		/* Xen 4.17 returns 0 when it consumed everything; newer Xen
		 * may return the count written. */
		if (n == 0 || (size_t)n >= len)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/* The lock is recursive per CPU, so a fault or panic while printing on
 * this CPU still gets its message out instead of deadlocking. */
static uint64_t console_lock_take(bool *nested)
{
	uint64_t flags = irq_save();
	int me = cpu_index_or_zero();

	*nested = __atomic_load_n(&console_owner, __ATOMIC_RELAXED) == me;
	if (!*nested) {
		spin_lock(&console_lock);
		console_owner = me;
	}
	return flags;
}

static void console_lock_drop(uint64_t flags, bool nested)
{
	if (!nested) {
		console_owner = -1;
		spin_unlock(&console_lock);
	}
	irq_restore(flags);
}

void kvprintf(const char *fmt, va_list ap)
{
	char buf[LINE_MAX];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	bool nested;
	uint64_t flags;

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) { /* truncated: keep the line ending */
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	flags = console_lock_take(&nested);
	console_write(buf, (size_t)n);
	console_lock_drop(flags, nested);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

__noreturn void kernel_halt(bool crashed)
{
	struct sched_shutdown sd = {
		.reason = crashed ? SHUTDOWN_crash : SHUTDOWN_poweroff,
	};

	irq_disable();
	HYPERVISOR_sched_op(SCHEDOP_shutdown, &sd);
	for (;;) /* not reached under Xen */
		wfi();
}

__noreturn void panic(const char *fmt, ...)
{
	static int panicking;
	char buf[LINE_MAX];
	int n;
	va_list ap;

	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		kernel_halt(true); /* another CPU or a nested panic: just stop */
	n = snprintf(buf, sizeof(buf), "panic (cpu %d): ", cpu_index_or_zero());
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if ((size_t)n >= sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* No lock: the panicking CPU may hold it. */
	console_write(buf, (size_t)n);
	kernel_halt(true);
}
