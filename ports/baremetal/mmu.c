// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * Stage-1 page tables (see mmu.h).
 *
 * Two maps are built, both identity maps from a static pool of tables:
 *
 *  - the boot map, built with the MMU off before any C code that needs
 *    Normal memory runs: only the kernel image and the DTB. It exists so
 *    that libfdt (which may do unaligned loads, fine on Normal memory and
 *    an alignment fault on Device memory) can parse the device tree.
 *  - the final map, built from the device tree with the MMU on.
 *
 * The boot map's entries are non-global (nG) and used with ASID 0; the
 * final map runs with ASID 1. Switching TTBR0 to a map whose blocks have
 * different sizes for the same addresses could otherwise leave two
 * overlapping TLB entries live at once (a TLB conflict abort on real
 * hardware); tagging the old entries with another ASID avoids that
 * without ever turning the MMU off.
 */
#include "mmu.h"
#include "arch.h"
#include "dt.h"
#include "hypervisor.h"

/* Descriptor bits (4 KiB granule). */
#define PTE_VALID (1UL << 0)
#define PTE_TABLE (3UL << 0)   /* levels 0-2: next-level table */
#define PTE_BLOCK (1UL << 0)   /* levels 1-2: block */
#define PTE_PAGE (3UL << 0)    /* level 3: page */
#define PTE_TYPE_MASK (3UL << 0)
#define PTE_ATTRINDX(i) ((uint64_t)(i) << 2)
#define PTE_SH_INNER (3UL << 8)
#define PTE_AF (1UL << 10)     /* access flag: set, or the first access faults */
#define PTE_NG (1UL << 11)
#define PTE_PXN (1UL << 53)
#define PTE_UXN (1UL << 54)
#define PTE_ADDR_MASK 0x0000fffffffff000UL

/* MAIR_EL1 slots. */
#define ATTR_DEVICE 0
#define ATTR_NORMAL 1

/* TCR_EL1 fields. */
#define TCR_T0SZ(bits) (64UL - (bits))
#define TCR_IRGN0_WBWA (1UL << 8)
#define TCR_ORGN0_WBWA (1UL << 10)
#define TCR_SH0_INNER (3UL << 12)
#define TCR_TG0_4K (0UL << 14)
#define TCR_EPD1 (1UL << 23)   /* no TTBR1 walks: the kernel lives low */
#define TCR_IPS_SHIFT 32

/* SCTLR_EL1 bits. */
#define SCTLR_M (1UL << 0)
#define SCTLR_A (1UL << 1)
#define SCTLR_C (1UL << 2)
#define SCTLR_SA (1UL << 3)
#define SCTLR_I (1UL << 12)
#define SCTLR_WXN (1UL << 19)
#define SCTLR_E0E (1UL << 24)
#define SCTLR_EE (1UL << 25)

#define VA_BITS 48
#define TTBR_ASID(a) ((uint64_t)(a) << 48)
#define ASID_BOOT 0
#define ASID_FINAL 1

#define PT_ENTRIES 512
#define PT_POOL_PAGES 48

static uint64_t pt_pool[PT_POOL_PAGES][PT_ENTRIES] __aligned(PAGE_SIZE);
static unsigned pt_pool_used;
static uint64_t *boot_root, *final_root;
/* Serialises table updates; taken by mmu_map() once CPUs run. */
static uint32_t mmu_lock;

struct mmu_regs mmu_boot_regs;
struct mmu_regs mmu_secondary_regs;

static uint64_t *pt_alloc(void)
{
	/* The pool is in .bss, zeroed by boot.S: fresh tables are empty. */
	if (pt_pool_used >= PT_POOL_PAGES)
		return NULL;
	return pt_pool[pt_pool_used++];
}

static unsigned level_shift(int level)
{
	return PAGE_SHIFT + 9 * (3 - level); /* L0 39, L1 30, L2 21, L3 12 */
}

static uint64_t leaf_attrs(enum mem_attr attr, bool non_global)
{
	uint64_t a = PTE_AF | (non_global ? PTE_NG : 0);

	if (attr == MEM_DEVICE)
		return a | PTE_ATTRINDX(ATTR_DEVICE) | PTE_PXN | PTE_UXN;
	/* Normal RAM: EL1 read/write/execute, never EL0 (AP = 00). */
	return a | PTE_ATTRINDX(ATTR_NORMAL) | PTE_SH_INNER | PTE_UXN;
}

/*
 * Map [va, end) identically at @level of @table, using the largest
 * blocks that fit (1 GiB at level 1, 2 MiB at level 2, else 4 KiB pages).
 * Runs with the MMU off too, so: no library calls, aligned accesses only.
 */
static int map_level(uint64_t *table, int level, uint64_t va, uint64_t end,
		     uint64_t attrs)
{
	uint64_t block = 1UL << level_shift(level);

	while (va < end) {
		uint64_t next = ALIGN_DOWN(va, block) + block;
		uint64_t *e = &table[(va >> level_shift(level)) & (PT_ENTRIES - 1)];
		uint64_t *sub;
		int rc;

		if (next > end || next == 0)
			next = end;
		if (level >= 1 && IS_ALIGNED(va, block) && next - va == block) {
			uint64_t want = va | attrs | (level == 3 ? PTE_PAGE : PTE_BLOCK);

			if (!(*e & PTE_VALID))
				*e = want;
			else if (*e != want)
				return -EEXIST;
		} else if (!(*e & PTE_VALID)) {
			sub = pt_alloc();
			if (!sub)
				return -ENOMEM;
			*e = (uintptr_t)sub | PTE_TABLE;
			rc = map_level(sub, level + 1, va, next, attrs);
			if (rc)
				return rc;
		} else if ((*e & PTE_TYPE_MASK) == PTE_TABLE && level < 3) {
			sub = (uint64_t *)(uintptr_t)(*e & PTE_ADDR_MASK);
			rc = map_level(sub, level + 1, va, next, attrs);
			if (rc)
				return rc;
		} else if ((*e & ~PTE_ADDR_MASK) != (attrs | PTE_BLOCK)) {
			/* an existing block maps this part differently */
			return -EEXIST;
		}
		va = next;
	}
	return 0;
}

static int map_range(uint64_t *root, uint64_t base, uint64_t size,
		     enum mem_attr attr, bool non_global)
{
	uint64_t start = ALIGN_DOWN(base, PAGE_SIZE);
	uint64_t end = ALIGN_UP(base + size, PAGE_SIZE);

	if (size == 0 || end <= start || end > (1UL << VA_BITS))
		return -ERANGE;
	return map_level(root, 0, start, end, leaf_attrs(attr, non_global));
}

uint64_t mmu_pa_limit(void)
{
	/* ID_AA64MMFR0_EL1.PARange: 32, 36, 40, 42, 44, 48, 52 bits. */
	static const uint8_t bits[] = { 32, 36, 40, 42, 44, 48, 48 };
	uint64_t r = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	return 1UL << bits[r < ARRAY_SIZE(bits) ? r : 5];
}

static uint64_t tcr_value(void)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	if (parange > 5)
		parange = 5; /* 52-bit output needs the LPA2/64K formats */
	return TCR_T0SZ(VA_BITS) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA |
	       TCR_SH0_INNER | TCR_TG0_4K | TCR_EPD1 | (parange << TCR_IPS_SHIFT);
}

static uint64_t sctlr_value(void)
{
	uint64_t s = read_sysreg(sctlr_el1);

	s |= SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA;
	s &= ~(SCTLR_A | SCTLR_WXN | SCTLR_EE | SCTLR_E0E);
	return s;
}

/* Big-endian 32-bit load by bytes: the MMU is off, so no unaligned or
 * wide loads of data that may not be aligned. */
static uint32_t be32_bytes(const volatile uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

void mmu_early_init(uintptr_t image_base, uintptr_t dtb)
{
	const volatile uint8_t *hdr = (const volatile uint8_t *)dtb;
	uint64_t dtb_size = 0;

	boot_root = pt_alloc();
	map_range(boot_root, image_base, (uintptr_t)_end - image_base, MEM_NORMAL, true);
	if (dtb && be32_bytes(hdr) == 0xd00dfeed) { /* FDT_MAGIC */
		dtb_size = be32_bytes(hdr + 4);          /* totalsize */
		map_range(boot_root, dtb, dtb_size, MEM_NORMAL, true);
	}
	/* A failure here (pool exhausted: impossible for two ranges) shows up
	 * as a fault right after the MMU comes on; kmain checks the DTB. */
	mmu_boot_regs.mair = (uint64_t)MAIR_DEVICE_nGnRE << (8 * ATTR_DEVICE) |
			     (uint64_t)MAIR_NORMAL_WB << (8 * ATTR_NORMAL);
	mmu_boot_regs.tcr = tcr_value();
	mmu_boot_regs.ttbr0 = (uintptr_t)boot_root | TTBR_ASID(ASID_BOOT);
	mmu_boot_regs.sctlr = sctlr_value();
}

static void lock_tables(void)
{
	while (__atomic_exchange_n(&mmu_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void unlock_tables(void)
{
	__atomic_store_n(&mmu_lock, 0, __ATOMIC_RELEASE);
}

int mmu_map(uint64_t base, uint64_t size, enum mem_attr attr)
{
	uint64_t flags;
	int rc;

	if (!final_root)
		return -EINVAL; /* before mmu_init() */
	flags = irq_save();
	lock_tables();
	rc = map_range(final_root, base, size, attr, false);
	/* New entries replace invalid ones: no TLB invalidation needed, only
	 * make the stores visible to the table walkers of every CPU. */
	dsb_ishst();
	isb();
	unlock_tables();
	irq_restore(flags);
	return rc;
}

/* Map every "reg" range of a node. */
static int map_node_regs(const void *fdt, int node, enum mem_attr attr)
{
	uint64_t base, size;
	int rc = 0;

	for (int i = 0; rc == 0 && dt_reg(fdt, node, i, &base, &size) == 0; i++) {
		if (size)
			rc = map_range(final_root, base, size, attr, false);
	}
	return rc;
}

static int map_compatible(const void *fdt, const char *compat, enum mem_attr attr)
{
	int rc = 0;

	for (int node = fdt_node_offset_by_compatible(fdt, -1, compat);
	     node >= 0 && rc == 0;
	     node = fdt_node_offset_by_compatible(fdt, node, compat))
		rc = map_node_regs(fdt, node, attr);
	return rc;
}

static int map_memory_nodes(const void *fdt)
{
	int rc = 0;

	for (int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
	     node >= 0 && rc == 0;
	     node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", 7))
		rc = map_node_regs(fdt, node, MEM_NORMAL);
	return rc;
}

/* Xen's grant-table region and extended regions: foreign pages and grant
 * frames appear there, and xenguest uses atomics on them, so Normal. The
 * domU extended region can reach 1 TiB; clip to what the CPU can address. */
static int map_xen_regions(void)
{
	uint64_t limit = mmu_pa_limit();
	const struct phys_range *r;
	int rc = 0;

	for (unsigned i = 0; rc == 0 && i <= xen_info.n_ext; i++) {
		r = i == 0 ? &xen_info.grant_region : &xen_info.ext[i - 1];
		if (r->size == 0 || r->base >= limit)
			continue;
		rc = map_range(final_root, r->base, MIN(r->size, limit - r->base),
			       MEM_NORMAL, false);
	}
	return rc;
}

static void switch_to_final_map(void)
{
	/* Make the table writes visible to the walker, then switch; the
	 * boot map's entries are tagged with ASID_BOOT and cannot match. */
	dsb_ishst();
	write_sysreg(ttbr0_el1, (uintptr_t)final_root | TTBR_ASID(ASID_FINAL));
	isb();
	__asm__ volatile("tlbi aside1, %0" ::"r"(TTBR_ASID(ASID_BOOT)) : "memory");
	dsb_ish();
	isb();
}

int mmu_init(const void *fdt)
{
	int rc;

	final_root = pt_alloc();
	if (!final_root)
		return -ENOMEM;
	rc = map_memory_nodes(fdt);
	/* The image and the DTB are in RAM already; mapping them again is a
	 * no-op unless a loader put them outside the /memory ranges. */
	if (rc == 0)
		rc = map_range(final_root, (uintptr_t)_head, (uintptr_t)_end - (uintptr_t)_head,
			       MEM_NORMAL, false);
	if (rc == 0)
		rc = map_range(final_root, (uintptr_t)fdt, fdt_totalsize(fdt), MEM_NORMAL, false);
	if (rc == 0)
		rc = map_xen_regions();
	if (rc == 0)
		rc = map_compatible(fdt, "arm,gic-v3", MEM_DEVICE);
	if (rc == 0)
		rc = map_compatible(fdt, "arm,pl011", MEM_DEVICE);
	if (rc == 0)
		rc = map_compatible(fdt, "arm,sbsa-uart", MEM_DEVICE);
	if (rc)
		return rc;
	switch_to_final_map();

	/* Secondary CPUs read these with their MMU off, i.e. straight from
	 * memory: clean them out of this CPU's cache. */
	mmu_secondary_regs = mmu_boot_regs;
	mmu_secondary_regs.ttbr0 = (uintptr_t)final_root | TTBR_ASID(ASID_FINAL);
	dcache_clean_range(&mmu_secondary_regs, &mmu_secondary_regs + 1);
	return 0;
}

int mmu_probe_attr(uint64_t va)
{
	uint64_t flags = irq_save();
	uint64_t par;

	__asm__ volatile("at s1e1r, %0" ::"r"(va) : "memory");
	isb();
	par = read_sysreg(par_el1);
	irq_restore(flags);
	if (par & 1) /* PAR_EL1.F: the translation faulted */
		return -1;
	return (int)(par >> 56);
}
