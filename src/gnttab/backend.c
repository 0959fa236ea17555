/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Grant table backend: mapping, unmapping and copying a peer's grants in
 * batches. The public op structures are laid out like Xen's, so a batch
 * goes to Xen without copying and the per-entry GNTST_* status is turned
 * into an XG_E* code in place.
 */
#include <xenguest/hypercall.h>

#include "gnttab_internal.h"

#define XG_SAME_FIELD(xs, xf, ys, yf) \
	(offsetof(xs, xf) == offsetof(ys, yf) && \
	 sizeof(((xs *)0)->xf) == sizeof(((ys *)0)->yf))

_Static_assert(sizeof(struct xg_gnttab_map_op) ==
		       sizeof(struct gnttab_map_grant_ref) &&
	       XG_SAME_FIELD(struct xg_gnttab_map_op, host_addr,
			     struct gnttab_map_grant_ref, host_addr) &&
	       XG_SAME_FIELD(struct xg_gnttab_map_op, flags,
			     struct gnttab_map_grant_ref, flags) &&
	       XG_SAME_FIELD(struct xg_gnttab_map_op, ref,
			     struct gnttab_map_grant_ref, ref) &&
	       XG_SAME_FIELD(struct xg_gnttab_map_op, domid,
			     struct gnttab_map_grant_ref, dom) &&
	       XG_SAME_FIELD(struct xg_gnttab_map_op, status,
			     struct gnttab_map_grant_ref, status) &&
	       XG_SAME_FIELD(struct xg_gnttab_map_op, handle,
			     struct gnttab_map_grant_ref, handle) &&
	       XG_SAME_FIELD(struct xg_gnttab_map_op, dev_bus_addr,
			     struct gnttab_map_grant_ref, dev_bus_addr),
	       "xg_gnttab_map_op must match gnttab_map_grant_ref");
_Static_assert(sizeof(struct xg_gnttab_copy_op) == sizeof(struct gnttab_copy) &&
	       XG_SAME_FIELD(struct xg_gnttab_copy_op, source.u.ref,
			     struct gnttab_copy, source.u.ref) &&
	       XG_SAME_FIELD(struct xg_gnttab_copy_op, source.u.gfn,
			     struct gnttab_copy, source.u.gmfn) &&
	       XG_SAME_FIELD(struct xg_gnttab_copy_op, source.domid,
			     struct gnttab_copy, source.domid) &&
	       XG_SAME_FIELD(struct xg_gnttab_copy_op, source.offset,
			     struct gnttab_copy, source.offset) &&
	       XG_SAME_FIELD(struct xg_gnttab_copy_op, dest.u.gfn,
			     struct gnttab_copy, dest.u.gmfn) &&
	       XG_SAME_FIELD(struct xg_gnttab_copy_op, dest.domid,
			     struct gnttab_copy, dest.domid) &&
	       XG_SAME_FIELD(struct xg_gnttab_copy_op, dest.offset,
			     struct gnttab_copy, dest.offset) &&
	       XG_SAME_FIELD(struct xg_gnttab_copy_op, len,
			     struct gnttab_copy, len) &&
	       XG_SAME_FIELD(struct xg_gnttab_copy_op, flags,
			     struct gnttab_copy, flags) &&
	       XG_SAME_FIELD(struct xg_gnttab_copy_op, status,
			     struct gnttab_copy, status),
	       "xg_gnttab_copy_op must match gnttab_copy");
_Static_assert(XG_GNTMAP_HOST_MAP == GNTMAP_host_map &&
	       XG_GNTMAP_READONLY == GNTMAP_readonly &&
	       XG_GNTCOPY_SOURCE_GREF == GNTCOPY_source_gref &&
	       XG_GNTCOPY_DEST_GREF == GNTCOPY_dest_gref,
	       "GNTMAP/GNTCOPY flags");

/* Unmaps per hypercall; the unmap structures live on the stack. */
#define XG_UNMAP_CHUNK 16u
/* GNTST_eagain back-off: 1 ms doubling, about 1 s in all. */
#define XG_EAGAIN_FIRST_NS 1000000ull
#define XG_EAGAIN_TRIES 10u

int xg_gnttab_status_to_errno(int gntst)
{
	switch (gntst) {
	case GNTST_okay:
		return 0;
	case GNTST_bad_domain:
		return XG_ESRCH;
	case GNTST_bad_gntref:
		return XG_EBADF;
	case GNTST_bad_handle:
		return XG_ENOENT;
	case GNTST_bad_virt_addr:
	case GNTST_bad_dev_addr:
		return XG_EFAULT;
	case GNTST_no_device_space:
		return XG_ENOBUFS;
	case GNTST_permission_denied:
		return XG_EACCES;
	case GNTST_bad_page:
		return XG_EINVAL;
	case GNTST_bad_copy_arg:
		return XG_ERANGE;
	case GNTST_address_too_big:
		return XG_EOVERFLOW;
	case GNTST_eagain:
		return XG_EAGAIN;
	case GNTST_no_space:
		return XG_ENOSPC;
	default: /* GNTST_general_error and anything unknown */
		return XG_EIO;
	}
}

static bool xg_never(void *arg)
{
	(void)arg;
	return false;
}

/* Sleep for the @try-th back-off step (thread context). */
static void xg_eagain_backoff(unsigned try)
{
	static const char chan;

	(void)xg_port_wait(&chan, xg_never, NULL, XG_EAGAIN_FIRST_NS << try);
}

/* Re-issue one op until it stops saying GNTST_eagain; returns the
 * hypercall's error, the op's status is left in GNTST_* form. */
static long xg_retry_eagain(unsigned cmd, void *op, volatile int16_t *status)
{
	unsigned try;
	long rc = 0;

	for (try = 0; try < XG_EAGAIN_TRIES && *status == GNTST_eagain; try++) {
		xg_eagain_backoff(try);
		rc = xg_hc_grant_table_op(cmd, op, 1);
		if (rc < 0)
			return rc;
	}
	return rc;
}

/* The status of op @i of a batch laid out like Xen's (stride @size). */
static int16_t *xg_batch_status(void *ops, size_t size, size_t status_off,
				unsigned i)
{
	return (int16_t *)(void *)((char *)ops + i * size + status_off);
}

/*
 * Issue a batched grant-table op whose entries have Xen's layout, retry
 * the entries Xen answered GNTST_eagain, then turn every status into an
 * XG_E* code in place. Returns the first failure, or the hypercall's
 * error (then every entry carries it: some may have been done before the
 * failure, and a caller cannot tell which).
 */
static int xg_batch_op(unsigned cmd, void *ops, unsigned n, size_t size,
		       size_t status_off)
{
	long rc;
	unsigned i;
	int first = 0;

	if (n == 0)
		return 0;
	rc = xg_hc_grant_table_op(cmd, ops, n);
	for (i = 0; rc >= 0 && i < n; i++) {
		int16_t *st = xg_batch_status(ops, size, status_off, i);

		if (XG_UNLIKELY(*st == GNTST_eagain))
			rc = xg_retry_eagain(cmd, (char *)ops + i * size, st);
	}
	for (i = 0; i < n; i++) {
		int16_t *st = xg_batch_status(ops, size, status_off, i);
		int e = rc < 0 ? (int)rc : xg_gnttab_status_to_errno(*st);

		*st = (int16_t)e;
		if (e != 0 && first == 0)
			first = e;
	}
	return rc < 0 ? (int)rc : first;
}

int xg_gnttab_map(struct xg_gnttab_map_op *ops, unsigned n)
{
	return xg_batch_op(GNTTABOP_map_grant_ref, ops, n, sizeof(*ops),
			   offsetof(struct xg_gnttab_map_op, status));
}

static int xg_unmap_chunk(struct xg_gnttab_map_op *ops, unsigned n)
{
	struct gnttab_unmap_grant_ref u[XG_UNMAP_CHUNK];
	unsigned i, k = 0, idx[XG_UNMAP_CHUNK];
	long rc = 0;
	int first = 0;

	for (i = 0; i < n; i++) {
		if (ops[i].status != 0)
			continue;
		u[k] = (struct gnttab_unmap_grant_ref){
			.host_addr = ops[i].host_addr,
			.dev_bus_addr = 0,
			.handle = ops[i].handle,
		};
		idx[k++] = i;
	}
	if (k != 0)
		rc = xg_hc_grant_table_op(GNTTABOP_unmap_grant_ref, u, k);
	for (i = 0; rc >= 0 && i < k; i++)
		if (XG_UNLIKELY(u[i].status == GNTST_eagain))
			rc = xg_retry_eagain(GNTTABOP_unmap_grant_ref, &u[i],
					     &u[i].status);
	for (i = 0; i < k; i++) {
		int e = rc < 0 ? (int)rc : xg_gnttab_status_to_errno(u[i].status);

		ops[idx[i]].status = (int16_t)e;
		if (e != 0 && first == 0)
			first = e;
	}
	return first;
}

int xg_gnttab_unmap(struct xg_gnttab_map_op *ops, unsigned n)
{
	unsigned done, chunk;
	int rc, first = 0;

	for (done = 0; done < n; done += chunk) {
		chunk = n - done < XG_UNMAP_CHUNK ? n - done : XG_UNMAP_CHUNK;
		rc = xg_unmap_chunk(ops + done, chunk);
		if (rc != 0 && first == 0)
			first = rc;
	}
	return first;
}

int xg_gnttab_copy(struct xg_gnttab_copy_op *ops, unsigned n)
{
	return xg_batch_op(GNTTABOP_copy, ops, n, sizeof(*ops),
			   offsetof(struct xg_gnttab_copy_op, status));
}
