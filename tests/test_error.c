/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* XG_E* codes are Xen's errno values, negated; strerror covers them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <xenguest/error.h>

#include "../src/xg_internal.h"

/* Xen's public/errno.h, expanded as a table of (name, value). */
struct xen_errno_row {
	const char *name;
	int value;
};
static const struct xen_errno_row xen_errnos[] = {
#define XEN_ERRNO(name, value) { #name, value },
#include <xen/errno.h>
};

static void test_codes_match_xen(void **state)
{
	size_t i;

	(void)state;
	assert_true(sizeof(xen_errnos) / sizeof(xen_errnos[0]) > 40);
	for (i = 0; i < sizeof(xen_errnos) / sizeof(xen_errnos[0]); i++) {
		const struct xen_errno_row *r = &xen_errnos[i];
		const char *name = xg_errname(-r->value);

		/* Aliases (EWOULDBLOCK, EDEADLOCK) share a number. */
		assert_non_null(name);
		if (strcmp(r->name, "EWOULDBLOCK") && strcmp(r->name, "EDEADLOCK")) {
			assert_string_equal(name, r->name);
			assert_int_equal(xg_errcode_(r->name), -r->value);
		}
		assert_string_not_equal(xg_strerror(-r->value), "unknown error");
	}
}

static void test_pinned_values(void **state)
{
	(void)state;
	assert_int_equal(XG_EPERM, -1);
	assert_int_equal(XG_EAGAIN, -11);
	assert_int_equal(XG_ENOSYS, -38);
	assert_int_equal(XG_ETIMEDOUT, -110);
}

static void test_strerror_edges(void **state)
{
	(void)state;
	assert_string_equal(xg_strerror(0), "success");
	assert_string_equal(xg_strerror(XG_EAGAIN), xg_strerror(11));
	assert_string_equal(xg_strerror(-9999), "unknown error");
	assert_null(xg_errname(-9999));
	assert_int_equal(xg_errcode_("ENOTAREALERROR"), XG_EIO);
	assert_int_equal(xg_errcode_(""), XG_EIO);
	assert_int_equal(xg_errcode_("EAGAINX"), XG_EIO);
	assert_int_equal(xg_errcode_("EAGAIN"), XG_EAGAIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes_match_xen),
		cmocka_unit_test(test_pinned_values),
		cmocka_unit_test(test_strerror_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
