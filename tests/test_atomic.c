/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* Bit operations and compare-exchange on xen_ulong_t words. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <cmocka.h>

#include "../src/hypercall/xg_atomic.h"

static void test_bits_span_words(void **state)
{
	xen_ulong_t w[3] = { 0 };
	unsigned nr;

	(void)state;
	for (nr = 0; nr < 3 * XG_ULONG_BITS; nr += 7) {
		assert_false(xg_test_and_set_bit(nr, w));
		assert_true(xg_test_bit(nr, w));
		assert_true(xg_test_and_set_bit(nr, w));
	}
	for (nr = 0; nr < 3 * XG_ULONG_BITS; nr += 7) {
		assert_true(xg_test_and_clear_bit(nr, w));
		assert_false(xg_test_bit(nr, w));
		assert_false(xg_test_and_clear_bit(nr, w));
	}
	assert_true(w[0] == 0 && w[1] == 0 && w[2] == 0);
	xg_set_bit(XG_ULONG_BITS - 1, w);
	assert_true(w[0] == (xen_ulong_t)1 << (XG_ULONG_BITS - 1));
	xg_clear_bit(XG_ULONG_BITS - 1, w);
	assert_true(w[0] == 0);
}

static void test_cmpxchg_sizes(void **state)
{
	uint16_t h = 5;
	uint32_t s = 7;
	uint64_t d = 9;
	xen_ulong_t u = 3;

	(void)state;
	assert_int_equal(xg_cmpxchg16(&h, 5, 6), 5);
	assert_int_equal(h, 6);
	assert_int_equal(xg_cmpxchg16(&h, 5, 7), 6); /* fails, reports 6 */
	assert_int_equal(h, 6);
	assert_int_equal(xg_cmpxchg32(&s, 7, 8), 7);
	assert_int_equal(xg_cmpxchg32(&s, 7, 1), 8);
	assert_int_equal(xg_cmpxchg64(&d, 9, 10), 9);
	assert_int_equal(d, 10);
	assert_int_equal(xg_xchg_ulong(&u, 4), 3);
	assert_int_equal(u, 4);
	assert_int_equal(xg_xchg32(&s, 2), 8);
}

/* Two threads each own alternate bits of the same words: no update may
 * be lost, which a non-atomic read-modify-write would do. */
static xen_ulong_t shared_words[4];

static void *flip_bits(void *arg)
{
	unsigned parity = (unsigned)(uintptr_t)arg, i, nr;

	for (i = 0; i < 20000; i++)
		for (nr = parity; nr < 4 * XG_ULONG_BITS; nr += 2) {
			xg_set_bit(nr, shared_words);
			xg_clear_bit(nr, shared_words);
			xg_set_bit(nr, shared_words);
		}
	return NULL;
}

static void test_no_lost_updates(void **state)
{
	pthread_t t[2];
	unsigned i;

	(void)state;
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, flip_bits, (void *)(uintptr_t)i);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 4; i++)
		assert_true(shared_words[i] == (xen_ulong_t)~(xen_ulong_t)0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bits_span_words),
		cmocka_unit_test(test_cmpxchg_sizes),
		cmocka_unit_test(test_no_lost_updates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
