/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * libFuzzer target: arbitrary bytes as a device tree. The probe and the
 * shared-memory scan must reject or parse them without reading outside
 * the buffer (ASan) and report only documented results.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xenguest/core.h>
#include <xenguest/error.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xg_fdt_info info;
	struct xg_shmem shm[2];
	/* libfdt needs 8-byte alignment; a fresh heap copy also lets ASan
	 * see the exact end of the blob. */
	void *blob = malloc(size ? size : 1);
	int rc;

	if (blob == NULL)
		return 0;
	memcpy(blob, data, size);
	/* libfdt bounds every access by the header's totalsize, so the
	 * buffer must really hold that many bytes, as a boot loader's
	 * does: inputs that claim more are not device trees at all. */
	if (size < 40 || be32(data + 4) > size) {
		free(blob);
		return 0;
	}
	rc = xg_fdt_probe(blob, &info);
	if (rc != 0 && rc != XG_ENODEV && rc != XG_EINVAL)
		abort();
	if (rc == 0 && info.ext_count > XG_FDT_MAX_EXT_REGIONS)
		abort();
	rc = xg_fdt_shared_mem(blob, shm, 2);
	if (rc < 0 && rc != XG_EINVAL)
		abort();
	free(blob);
	return 0;
}
