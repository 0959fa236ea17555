/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* Device-tree detection against the /hypervisor nodes real Xen 4.17
 * writes, and against malformed trees. Blobs are built from tests/data
 * by dtc at build time; their folder comes in XG_TEST_DTB_DIR. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xenguest/core.h>
#include <xenguest/error.h>

static void *load_dtb(const char *name)
{
	const char *dir = getenv("XG_TEST_DTB_DIR");
	char path[512];
	FILE *f;
	void *buf = calloc(1, 65536);
	size_t n;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s.dtb", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, 65536, f);
	fclose(f);
	assert_true(n > 0);
	return buf;
}

static void test_dom0_node(void **state)
{
	void *fdt = load_dtb("dom0-xen417");
	struct xg_fdt_info info;

	(void)state;
	assert_int_equal(xg_fdt_probe(fdt, &info), 0);
	assert_int_equal(info.version_major, 4);
	assert_int_equal(info.version_minor, 17);
	assert_int_equal(info.grant_region.base, 0x40200000);
	assert_int_equal(info.grant_region.size, 0x40000);
	assert_int_equal(info.ext_count, 2);
	assert_int_equal(info.ext_regions[0].base, 0x40400000);
	assert_int_equal(info.ext_regions[0].size, 0x2fc00000);
	assert_int_equal(info.ext_regions[1].base, 0x78000000);
	assert_int_equal(info.ext_regions[1].size, 0x8000000);
	assert_true(info.have_irq);
	assert_int_equal(info.evtchn_intid, 16);
	assert_int_equal(info.evtchn_irq_flags, 0xf08);
	free(fdt);
}

static void test_domu_node(void **state)
{
	void *fdt = load_dtb("domu-xen417");
	struct xg_fdt_info info;

	(void)state;
	assert_int_equal(xg_fdt_probe(fdt, &info), 0);
	assert_int_equal(info.evtchn_intid, 31);
	assert_int_equal(info.grant_region.base, 0x38000000);
	assert_int_equal(info.ext_count, 2);
	assert_int_equal(info.ext_regions[1].base, 0x200000000ull);
	assert_int_equal(info.ext_regions[1].size, 0xfe00000000ull);
	free(fdt);
}

static void test_no_hypervisor_node(void **state)
{
	void *fdt = load_dtb("domu-plain");
	struct xg_fdt_info info;

	(void)state;
	assert_int_equal(xg_fdt_probe(fdt, &info), XG_ENODEV);
	free(fdt);
}

static void test_one_cell_spi_and_overflow(void **state)
{
	void *fdt = load_dtb("xen-32bit-cells");
	struct xg_fdt_info info;

	(void)state;
	assert_int_equal(xg_fdt_probe(fdt, &info), 0);
	assert_int_equal(info.version_major, 0); /* no "xen,xen-X.Y" */
	assert_int_equal(info.grant_region.base, 0x1000);
	assert_int_equal(info.ext_count, XG_FDT_MAX_EXT_REGIONS);
	assert_int_equal(info.ext_dropped, 10 - XG_FDT_MAX_EXT_REGIONS);
	assert_int_equal(info.ext_regions[0].base, 1);
	assert_int_equal(info.evtchn_intid, 32 + 5);
	free(fdt);
}

static void test_malformed_nodes(void **state)
{
	static const char *const bad[] = { "bad-reg", "bad-irq-cells",
					   "bad-irq-range", "bad-cells" };
	struct xg_fdt_info info;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		void *fdt = load_dtb(bad[i]);

		assert_int_equal(xg_fdt_probe(fdt, &info), XG_EINVAL);
		free(fdt);
	}
}

static void test_not_a_blob(void **state)
{
	struct xg_fdt_info info;
	char junk[256];
	void *fdt = load_dtb("dom0-xen417");

	(void)state;
	memset(junk, 0xd0, sizeof(junk));
	assert_int_equal(xg_fdt_probe(junk, &info), XG_EINVAL);
	assert_int_equal(xg_fdt_probe(NULL, &info), XG_EINVAL);
	assert_int_equal(xg_fdt_probe(fdt, NULL), XG_EINVAL);
	/* A header whose structure block lies outside the blob. */
	((unsigned char *)fdt)[8] = 0x7f;
	assert_int_equal(xg_fdt_probe(fdt, &info), XG_EINVAL);
	free(fdt);
}

static void test_shared_mem(void **state)
{
	void *fdt = load_dtb("domu-xen417");
	struct xg_shmem shm[4];

	(void)state;
	assert_int_equal(xg_fdt_shared_mem(fdt, shm, 4), 2);
	assert_int_equal(shm[0].range.base, 0x50000000);
	assert_int_equal(shm[0].range.size, 0x10000);
	assert_string_equal(shm[0].id, "ring-0");
	assert_int_equal(shm[1].range.base, 0x60000000);
	assert_int_equal(strlen(shm[1].id), sizeof(shm[1].id) - 1);
	/* Counting only. */
	assert_int_equal(xg_fdt_shared_mem(fdt, shm, 1), 2);
	assert_int_equal(xg_fdt_shared_mem(fdt, NULL, 0), 2);
	free(fdt);
	fdt = load_dtb("dom0-xen417");
	assert_int_equal(xg_fdt_shared_mem(fdt, shm, 4), 0);
	free(fdt);
	fdt = load_dtb("bad-shmem");
	assert_int_equal(xg_fdt_shared_mem(fdt, shm, 4), XG_EINVAL);
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dom0_node),
		cmocka_unit_test(test_domu_node),
		cmocka_unit_test(test_no_hypervisor_node),
		cmocka_unit_test(test_one_cell_spi_and_overflow),
		cmocka_unit_test(test_malformed_nodes),
		cmocka_unit_test(test_not_a_blob),
		cmocka_unit_test(test_shared_mem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
