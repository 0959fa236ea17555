/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Atomics and barriers on memory shared with Xen and other domains.
 *
 * Event-channel bitmaps are arrays of xen_ulong_t, which is 64-bit on
 * arm (even for a 32-bit guest) and unsigned long on x86, so the bit
 * operations take xen_ulong_t words. Grant entry flags are 16-bit and
 * FIFO event words 32-bit, hence the sized compare-exchanges. Everything
 * is built on the compiler's __atomic builtins; an architecture's
 * xg_arch.h may override a barrier with something cheaper.
 *
 * Note for arm64 builds: compile with -mno-outline-atomics, or GCC calls
 * libgcc's __aarch64_* helpers, which a kernel does not link.
 */
#ifndef XG_ATOMIC_H
#define XG_ATOMIC_H

#include <stdbool.h>
#include <stdint.h>

#include "../xg_abi.h"
#include "xg_arch.h"

#define XG_ULONG_BITS (8u * (unsigned)sizeof(xen_ulong_t))

/* Full barrier: orders all earlier loads and stores before later ones. */
#ifndef xg_arch_mb
#define xg_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#else
#define xg_mb() xg_arch_mb()
#endif

/* Read barrier: earlier loads before later loads. */
#ifndef xg_arch_rmb
#define xg_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#else
#define xg_rmb() xg_arch_rmb()
#endif

/* Write barrier: earlier stores before later stores. */
#ifndef xg_arch_wmb
#define xg_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#else
#define xg_wmb() xg_arch_wmb()
#endif

/* Keep the compiler from caching, tearing or re-reading shared memory:
 * every value a peer writes is read exactly once through these. */
#define XG_READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define XG_WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static inline xen_ulong_t xg_bit_mask(unsigned nr)
{
	return (xen_ulong_t)1 << (nr % XG_ULONG_BITS);
}

static inline bool xg_test_bit(unsigned nr, const xen_ulong_t *words)
{
	return (__atomic_load_n(&words[nr / XG_ULONG_BITS], __ATOMIC_RELAXED) &
		xg_bit_mask(nr)) != 0;
}

static inline void xg_set_bit(unsigned nr, xen_ulong_t *words)
{
	__atomic_fetch_or(&words[nr / XG_ULONG_BITS], xg_bit_mask(nr),
			  __ATOMIC_SEQ_CST);
}

static inline void xg_clear_bit(unsigned nr, xen_ulong_t *words)
{
	__atomic_fetch_and(&words[nr / XG_ULONG_BITS], ~xg_bit_mask(nr),
			   __ATOMIC_SEQ_CST);
}

static inline bool xg_test_and_set_bit(unsigned nr, xen_ulong_t *words)
{
	return (__atomic_fetch_or(&words[nr / XG_ULONG_BITS], xg_bit_mask(nr),
				  __ATOMIC_SEQ_CST) &
		xg_bit_mask(nr)) != 0;
}

static inline bool xg_test_and_clear_bit(unsigned nr, xen_ulong_t *words)
{
	return (__atomic_fetch_and(&words[nr / XG_ULONG_BITS],
				   ~xg_bit_mask(nr), __ATOMIC_SEQ_CST) &
		xg_bit_mask(nr)) != 0;
}

static inline xen_ulong_t xg_xchg_ulong(xen_ulong_t *p, xen_ulong_t v)
{
	return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}

static inline uint8_t xg_xchg8(uint8_t *p, uint8_t v)
{
	return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}

static inline uint32_t xg_xchg32(uint32_t *p, uint32_t v)
{
	return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}

/* Compare-exchange returning the value found: equal to @old on success. */
static inline uint16_t xg_cmpxchg16(uint16_t *p, uint16_t old, uint16_t new_)
{
	__atomic_compare_exchange_n(p, &old, new_, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return old;
}

static inline uint32_t xg_cmpxchg32(uint32_t *p, uint32_t old, uint32_t new_)
{
	__atomic_compare_exchange_n(p, &old, new_, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return old;
}

static inline uint64_t xg_cmpxchg64(uint64_t *p, uint64_t old, uint64_t new_)
{
	__atomic_compare_exchange_n(p, &old, new_, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return old;
}

#endif /* XG_ATOMIC_H */
