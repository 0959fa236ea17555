// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/* Page allocator (see page.h). */
#include "page.h"
#include "dt.h"
#include "hypervisor.h"
#include "spinlock.h"

#define MAX_RANGES 32
#define MAX_REGIONS 16
#define BITS_PER_WORD 64

struct rangeset {
	struct phys_range r[MAX_RANGES];
	unsigned n;
};

struct region {
	uint64_t base;
	size_t npages;
	uint64_t *bitmap; /* bit set = page allocated; kept in the region */
	size_t nfree;
};

static struct region regions[MAX_REGIONS];
static unsigned nregions;
static spinlock_t page_lock;
static size_t total_pages;

static void rangeset_add(struct rangeset *s, uint64_t base, uint64_t size)
{
	if (size == 0)
		return;
	if (s->n == MAX_RANGES) {
		kprintf("# page: too many memory ranges, ignoring %#lx+%#lx\n", base, size);
		return;
	}
	s->r[s->n++] = (struct phys_range){ base, size };
}

/* Remove [base, base + size) from every range of @s, splitting ranges. */
static void rangeset_remove(struct rangeset *s, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	unsigned n = s->n;

	for (unsigned i = 0; i < n; i++) {
		uint64_t mb = s->r[i].base, me = mb + s->r[i].size;
		uint64_t ob = MAX(mb, base), oe = MIN(me, end);

		if (ob >= oe)
			continue; /* no overlap */
		s->r[i].size = ob - mb;   /* keep the part below */
		rangeset_add(s, oe, me - oe); /* and the part above */
	}
}

static void collect_memory(const void *fdt, struct rangeset *s)
{
	uint64_t base, size;

	for (int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
	     node >= 0;
	     node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", 7)) {
		for (int i = 0; dt_reg(fdt, node, i, &base, &size) == 0; i++)
			rangeset_add(s, base, size);
	}
}

static void remove_reserved(const void *fdt, struct rangeset *s)
{
	uint64_t base, size;
	int resmem = fdt_path_offset(fdt, "/reserved-memory");
	int node;

	rangeset_remove(s, (uintptr_t)_head, (uintptr_t)_end - (uintptr_t)_head);
	rangeset_remove(s, (uintptr_t)fdt, fdt_totalsize(fdt));
	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0)
			rangeset_remove(s, base, size);
	}
	if (resmem >= 0) {
		fdt_for_each_subnode(node, fdt, resmem) {
			for (int i = 0; dt_reg(fdt, node, i, &base, &size) == 0; i++)
				rangeset_remove(s, base, size);
		}
	}
}

/* Turn one free range into a region whose first pages hold its bitmap. */
static void add_region(uint64_t base, uint64_t size)
{
	uint64_t start = ALIGN_UP(base, PAGE_SIZE);
	uint64_t end = ALIGN_DOWN(base + size, PAGE_SIZE);
	struct region *r;
	size_t npages, bitmap_pages;

	if (end <= start || nregions == MAX_REGIONS)
		return;
	npages = (end - start) / PAGE_SIZE;
	bitmap_pages = (npages + 8 * PAGE_SIZE - 1) / (8 * PAGE_SIZE);
	if (npages <= bitmap_pages)
		return;
	r = &regions[nregions++];
	r->base = start;
	r->npages = npages;
	r->bitmap = (uint64_t *)(uintptr_t)start;
	memset(r->bitmap, 0, bitmap_pages * PAGE_SIZE);
	for (size_t i = 0; i < bitmap_pages; i++)
		r->bitmap[i / BITS_PER_WORD] |= 1UL << (i % BITS_PER_WORD);
	/* Bits past the end of the region stay clear but are never scanned. */
	r->nfree = npages - bitmap_pages;
	total_pages += r->nfree;
}

int page_init(const void *fdt)
{
	struct rangeset s = { .n = 0 };

	collect_memory(fdt, &s);
	remove_reserved(fdt, &s);
	for (unsigned i = 0; i < s.n; i++)
		add_region(s.r[i].base, s.r[i].size);
	return nregions ? 0 : -ENOMEM;
}

static bool page_used(const struct region *r, size_t i)
{
	return r->bitmap[i / BITS_PER_WORD] & (1UL << (i % BITS_PER_WORD));
}

static void mark(struct region *r, size_t first, size_t n, bool used)
{
	for (size_t i = first; i < first + n; i++) {
		if (used)
			r->bitmap[i / BITS_PER_WORD] |= 1UL << (i % BITS_PER_WORD);
		else
			r->bitmap[i / BITS_PER_WORD] &= ~(1UL << (i % BITS_PER_WORD));
	}
	r->nfree = used ? r->nfree - n : r->nfree + n;
}

/* First fit: index of the first run of @n free pages, or -1. */
static long find_run(const struct region *r, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < r->npages; i++) {
		run = page_used(r, i) ? 0 : run + 1;
		if (run == n)
			return (long)(i + 1 - n);
	}
	return -1;
}

void *page_alloc(size_t npages)
{
	void *p = NULL;
	uint64_t flags;

	if (npages == 0)
		return NULL;
	flags = spin_lock_irqsave(&page_lock);
	for (unsigned i = 0; i < nregions && !p; i++) {
		struct region *r = &regions[i];
		long first;

		if (r->nfree < npages)
			continue;
		first = find_run(r, npages);
		if (first >= 0) {
			mark(r, (size_t)first, npages, true);
			p = (void *)(uintptr_t)(r->base + (uint64_t)first * PAGE_SIZE);
		}
	}
	spin_unlock_irqrestore(&page_lock, flags);
	if (p)
		memset(p, 0, npages * PAGE_SIZE);
	return p;
}

void page_free(void *va, size_t npages)
{
	uint64_t addr = (uintptr_t)va;
	uint64_t flags = spin_lock_irqsave(&page_lock);

	for (unsigned i = 0; i < nregions; i++) {
		struct region *r = &regions[i];
		size_t first;

		if (addr < r->base || addr >= r->base + r->npages * PAGE_SIZE)
			continue;
		first = (addr - r->base) / PAGE_SIZE;
		if (!IS_ALIGNED(addr, PAGE_SIZE) || npages > r->npages - first)
			break;
		for (size_t j = first; j < first + npages; j++) {
			if (!page_used(r, j))
				panic("page_free(%p, %zu): page %#lx is not allocated",
				      va, npages, r->base + j * PAGE_SIZE);
		}
		mark(r, first, npages, false);
		spin_unlock_irqrestore(&page_lock, flags);
		return;
	}
	panic("page_free(%p, %zu): not memory from page_alloc()", va, npages);
}

size_t page_free_count(void)
{
	uint64_t flags = spin_lock_irqsave(&page_lock);
	size_t n = 0;

	for (unsigned i = 0; i < nregions; i++)
		n += regions[i].nfree;
	spin_unlock_irqrestore(&page_lock, flags);
	return n;
}

size_t page_total_count(void)
{
	return total_pages;
}

bool page_owns(uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < nregions; i++) {
		const struct region *r = &regions[i];

		if (base >= r->base && base + size <= r->base + r->npages * PAGE_SIZE)
			return true;
	}
	return false;
}
