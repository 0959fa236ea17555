/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Fake hypervisor: grant tables with Xen's permission rules.
 *
 * Each fake domain has a grant table whose frames are the guest pages it
 * mapped them at (XENMAPSPACE_grant_table); status frames (v2) likewise.
 * Another domain maps, unmaps and copies grants with GNTTABOP_* under
 * Xen's rules: only the domain named in the entry may use it, read-only
 * entries refuse writable maps and copies into them, a map sets
 * GTF_reading/GTF_writing (v1 flags, v2 status word) with a
 * compare-exchange like Xen, and the last unmap clears them.
 *
 * A mapping cannot alias memory inside one process, so the fake copies
 * the granted page into the mapper's page at map time and writes it back
 * at unmap time (writable maps only). Tests access a mapping between
 * the map and unmap calls, never concurrently with the granter.
 */
#ifndef FAKEXEN_GNTTAB_H
#define FAKEXEN_GNTTAB_H

#include <stdint.h>

#include "fakexen.h"

#define FX_GT_MAX_FRAMES 64u
#define FX_GT_MAX_MAPS 4096u

/* Register the handlers and forget all grant state (after fx_reset). */
void fx_gnttab_install(void);

/* What GNTTABOP_query_size reports as the maximum (default 64). */
void fx_gnttab_set_max_frames(struct fx_domain *d, unsigned n);

unsigned fx_gnttab_nr_frames(struct fx_domain *d);
unsigned fx_gnttab_version(struct fx_domain *d);
/* Times the table grew (a mapping beyond its size). */
unsigned fx_gnttab_grows(struct fx_domain *d);
/* Live mappings made by any domain. */
unsigned fx_gnttab_active_maps(void);

/* The domain was saved and restored: its table is empty again, every
 * mapping of its grants is gone and frames must be mapped again. */
void fx_gnttab_restore(struct fx_domain *d);

/* The words Xen writes, for tests that play a hostile hypervisor or
 * peer: the v1 flags (or v2 header flags) and the v2 status word.
 * NULL when the frame holding them is not mapped. */
uint16_t *fx_gnttab_flags_word(struct fx_domain *d, uint32_t ref);
uint16_t *fx_gnttab_status_word(struct fx_domain *d, uint32_t ref);

#endif /* FAKEXEN_GNTTAB_H */
