/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Page allocator over the free RAM the device tree describes: /memory
 * minus the kernel image, the DTB, /memreserve/ entries and
 * /reserved-memory. A bitmap per free range, first fit, physically
 * contiguous runs. Pages come back zeroed.
 */
#ifndef BM_PAGE_H
#define BM_PAGE_H

#include "kernel.h"

int page_init(const void *fdt);

/* @npages contiguous zeroed pages, or NULL. Context: any (IRQ-safe lock). */
void *page_alloc(size_t npages);

/* Return pages from page_alloc(); panics on a page that is not
 * allocated (double free, wild pointer). */
void page_free(void *va, size_t npages);

size_t page_free_count(void);
size_t page_total_count(void);

/* Is [base, base + size) entirely inside memory the allocator manages? */
bool page_owns(uint64_t base, uint64_t size);

#endif /* BM_PAGE_H */
