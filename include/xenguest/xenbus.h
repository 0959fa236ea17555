/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/**
 * DOC: xenbus helpers
 *
 * The usual split-driver patterns on top of the xenstore client: device
 * state read and switch (in a transaction, retried on EAGAIN), waiting for
 * the other end's state through a watch, path building and printf/scanf
 * style value helpers (a small formatter of our own: %s %c %d %u %x with
 * l, ll and z, and %%), and feature negotiation (feature-*, multi-page
 * rings). All calls block: Context: thread, Locking: none held, unless
 * stated otherwise. Paths built here are limited to XG_XENBUS_PATH_MAX.
 */
#ifndef XENGUEST_XENBUS_H
#define XENGUEST_XENBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <xenguest/xenstore.h>

#define XG_XENBUS_PATH_MAX 256u
#define XG_XENBUS_MAX_RING_ORDER 8u

/* enum xenbus_state (io/xenbus.h). */
enum xg_xenbus_state {
	XG_XENBUS_UNKNOWN = 0,
	XG_XENBUS_INITIALISING = 1,
	XG_XENBUS_INITWAIT = 2,
	XG_XENBUS_INITIALISED = 3,
	XG_XENBUS_CONNECTED = 4,
	XG_XENBUS_CLOSING = 5,
	XG_XENBUS_CLOSED = 6,
	XG_XENBUS_RECONFIGURING = 7,
	XG_XENBUS_RECONFIGURED = 8,
};

/**
 * xg_xenbus_format() - snprintf with the library's own small formatter
 * @buf: destination, always NUL-terminated when @size > 0
 * @size: its size
 * @fmt: %s %c %d %u %x (with l, ll, z) and %%
 *
 * Returns: the length written; XG_ERANGE if it did not fit; XG_EINVAL for
 * an unsupported conversion.
 * Context: any. Locking: none.
 */
int xg_xenbus_format(char *buf, uint32_t size, const char *fmt, ...)
	XG_PRINTF(3, 4);

/**
 * xg_xenbus_path() - build a path, like xg_xenbus_format()
 * @buf: destination
 * @size: its size
 * @fmt: format
 *
 * Returns: as xg_xenbus_format().
 * Context: any. Locking: none.
 */
int xg_xenbus_path(char *buf, uint32_t size, const char *fmt, ...)
	XG_PRINTF(3, 4);

/**
 * xg_xenbus_printf() - write a formatted value to @dir/@node
 * @xs: client
 * @tx: transaction or 0
 * @dir: device directory
 * @node: key below it
 * @fmt: value format
 *
 * Returns: 0; XG_ENAMETOOLONG; XG_ERANGE if the value exceeds 255 bytes;
 * XG_EINVAL; xenstore errors.
 * Context: thread. Locking: none held.
 */
int xg_xenbus_printf(struct xg_xs *xs, uint32_t tx, const char *dir,
		     const char *node, const char *fmt, ...) XG_PRINTF(5, 6);

/**
 * xg_xenbus_read_u64() - read @dir/@node as an unsigned decimal
 * @xs: client
 * @tx: transaction or 0
 * @dir: directory
 * @node: key
 * @out: the value
 *
 * Returns: 0; XG_EINVAL if it is not a decimal number; XG_ENOENT; errors.
 * Context: thread. Locking: none held.
 */
int xg_xenbus_read_u64(struct xg_xs *xs, uint32_t tx, const char *dir,
		       const char *node, uint64_t *out);

/* One key for xg_xenbus_gather(). */
struct xg_xenbus_field {
	const char *node;   /* key below the directory */
	char *str;          /* if set: the value, NUL-terminated, here */
	uint32_t str_size;  /* size of @str */
	uint64_t *num;      /* else: the value as an unsigned decimal, here */
};

/**
 * xg_xenbus_gather() - read several keys of one directory
 * @xs: client
 * @tx: transaction or 0 (use one for a consistent snapshot)
 * @dir: directory
 * @fields: what to read and where
 * @n: how many
 *
 * Stops at the first failure.
 *
 * Returns: 0; XG_ENOENT, XG_EINVAL (not a number), XG_ERANGE (string too
 * long) or another error of the first field that failed.
 * Context: thread. Locking: none held.
 */
int xg_xenbus_gather(struct xg_xs *xs, uint32_t tx, const char *dir,
		     const struct xg_xenbus_field *fields, unsigned n);

/**
 * xg_xenbus_read_state() - read @dir/state
 * @xs: client
 * @dir: device directory
 * @state: the state; a missing node
 *      or a value out of range reads as XG_XENBUS_UNKNOWN
 *
 * Returns: 0 or a xenstore error other than XG_ENOENT.
 * Context: thread. Locking: none held.
 */
int xg_xenbus_read_state(struct xg_xs *xs, const char *dir,
			 enum xg_xenbus_state *state);

/**
 * xg_xenbus_switch_state() - write @dir/state in a transaction
 * @xs: client
 * @dir: own device directory
 * @state: new state
 *
 * Reads the current state first and writes only if it differs; retries
 * when the transaction conflicts.
 *
 * Returns: 0; XG_EAGAIN after repeated conflicts; errors.
 * Context: thread. Locking: none held.
 */
int xg_xenbus_switch_state(struct xg_xs *xs, const char *dir,
			   enum xg_xenbus_state state);

/**
 * xg_xenbus_wait_state() - wait until @dir/state is in @mask
 * @xs: client
 * @dir: the other end's directory
 * @mask: bit (1u << state) for each acceptable state
 * @timeout_ns: 0 waits forever
 * @state: the last state read
 *
 * Registers a counting-only watch on @dir/state and re-reads the state
 * after each event; the watch is removed before returning.
 *
 * Returns: 0; XG_ETIMEDOUT; errors.
 * Context: thread. Locking: none held.
 */
int xg_xenbus_wait_state(struct xg_xs *xs, const char *dir, uint32_t mask,
			 uint64_t timeout_ns, enum xg_xenbus_state *state);

/**
 * xg_xenbus_otherend() - read "<dir>/<node>" and "<dir>/<node>-id"
 * @xs: client
 * @dir: own device directory
 * @node: "backend" (in a frontend) or "frontend" (in a backend)
 * @path: receives the other end's directory
 * @size: its size
 * @domid: receives its domain id
 *
 * Returns: 0; XG_EINVAL if the id is not a number; errors.
 * Context: thread. Locking: none held.
 */
int xg_xenbus_otherend(struct xg_xs *xs, const char *dir, const char *node,
		       char *path, uint32_t size, uint32_t *domid);

/**
 * xg_xenbus_read_feature() - is "<dir>/<name>" a non-zero number?
 * @xs: client
 * @dir: the other end's directory
 * @name: "feature-..."
 *
 * Returns: true if present and non-zero; false if absent, zero, not a
 * number or unreadable.
 * Context: thread. Locking: none held.
 */
bool xg_xenbus_read_feature(struct xg_xs *xs, const char *dir,
			    const char *name);

/**
 * xg_xenbus_max_ring_order() - negotiate a multi-page ring
 * @xs: client
 * @dir: the backend's directory
 * @max: the largest order this frontend supports
 * @order: min(@max, backend's max-ring-page-order), 0 when absent
 *
 * Returns: 0 or a xenstore error other than XG_ENOENT.
 * Context: thread. Locking: none held.
 */
int xg_xenbus_max_ring_order(struct xg_xs *xs, const char *dir, unsigned max,
			     unsigned *order);

/**
 * xg_xenbus_write_ring_refs() - publish ring grant references
 * @xs: client
 * @tx: transaction or 0
 * @dir: own device directory
 * @refs: 1 << @order grant references
 * @order: 0 writes "ring-ref"; otherwise "ring-page-order" and
 *         "ring-ref0".."ring-refN"
 *
 * Returns: 0; XG_EINVAL if @order exceeds XG_XENBUS_MAX_RING_ORDER; errors.
 * Context: thread. Locking: none held.
 */
int xg_xenbus_write_ring_refs(struct xg_xs *xs, uint32_t tx, const char *dir,
			      const uint32_t *refs, unsigned order);

#endif /* XENGUEST_XENBUS_H */
