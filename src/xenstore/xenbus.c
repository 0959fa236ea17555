/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* xenbus helpers: state machine, paths, formatted values, features. */
#include "xs_internal.h"

#include <xenguest/xenbus.h>

/* ---- a small formatter (no libc in src/) ------------------------------- */

struct xb_out {
	char *buf;
	uint32_t size, len;
};

static void xb_putc(struct xb_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void xb_puts(struct xb_out *o, const char *s)
{
	while (*s != '\0')
		xb_putc(o, *s++);
}

static void xb_putu(struct xb_out *o, uint64_t v, unsigned base)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[24];
	unsigned n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	while (n > 0)
		xb_putc(o, tmp[--n]);
}

/* Reads the argument for one conversion; @lng: 0 int, 1 long, 2 llong/z. */
#define XB_ARG_U(ap, lng) \
	((lng) == 2 ? __builtin_va_arg(ap, unsigned long long) : \
	 (lng) == 1 ? __builtin_va_arg(ap, unsigned long) : \
		      __builtin_va_arg(ap, unsigned int))
#define XB_ARG_S(ap, lng) \
	((lng) == 2 ? __builtin_va_arg(ap, long long) : \
	 (lng) == 1 ? __builtin_va_arg(ap, long) : __builtin_va_arg(ap, int))

static int xb_vformat(char *buf, uint32_t size, const char *fmt,
		      __builtin_va_list ap)
{
	struct xb_out o = { buf, size, 0 };

	for (; *fmt != '\0'; fmt++) {
		int lng = 0;
		long long sv;

		if (*fmt != '%') {
			xb_putc(&o, *fmt);
			continue;
		}
		fmt++;
		while (*fmt == 'l' || *fmt == 'z') {
			lng += *fmt == 'z' ? 2 : 1;
			fmt++;
		}
		if (lng > 2)
			return XG_EINVAL;
		switch (*fmt) {
		case '%':
			xb_putc(&o, '%');
			break;
		case 'c':
			xb_putc(&o, (char)__builtin_va_arg(ap, int));
			break;
		case 's':
			xb_puts(&o, __builtin_va_arg(ap, const char *));
			break;
		case 'u':
			xb_putu(&o, XB_ARG_U(ap, lng), 10);
			break;
		case 'x':
			xb_putu(&o, XB_ARG_U(ap, lng), 16);
			break;
		case 'd':
			sv = XB_ARG_S(ap, lng);
			if (sv < 0)
				xb_putc(&o, '-');
			xb_putu(&o, sv < 0 ? 0 - (uint64_t)sv : (uint64_t)sv,
				10);
			break;
		default:
			return XG_EINVAL;
		}
	}
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len < size ? (int)o.len : XG_ERANGE;
}

int xg_xenbus_format(char *buf, uint32_t size, const char *fmt, ...)
{
	__builtin_va_list ap;
	int rc;

	__builtin_va_start(ap, fmt);
	rc = xb_vformat(buf, size, fmt, ap);
	__builtin_va_end(ap);
	return rc;
}

int xg_xenbus_path(char *buf, uint32_t size, const char *fmt, ...)
{
	__builtin_va_list ap;
	int rc;

	__builtin_va_start(ap, fmt);
	rc = xb_vformat(buf, size, fmt, ap);
	__builtin_va_end(ap);
	return rc;
}

/* "<dir>/<node>" into @path. */
static int xb_join(char *path, const char *dir, const char *node)
{
	int rc = xg_xenbus_format(path, XG_XENBUS_PATH_MAX, "%s/%s", dir,
				  node);

	return rc == XG_ERANGE ? XG_ENAMETOOLONG : rc;
}

int xg_xenbus_printf(struct xg_xs *xs, uint32_t tx, const char *dir,
		     const char *node, const char *fmt, ...)
{
	char path[XG_XENBUS_PATH_MAX], value[256];
	__builtin_va_list ap;
	int rc = xb_join(path, dir, node), len;

	if (rc < 0)
		return rc;
	__builtin_va_start(ap, fmt);
	len = xb_vformat(value, sizeof(value), fmt, ap);
	__builtin_va_end(ap);
	if (len < 0)
		return len;
	return xg_xs_write(xs, tx, path, value, (uint32_t)len);
}

int xg_xenbus_read_u64(struct xg_xs *xs, uint32_t tx, const char *dir,
		       const char *node, uint64_t *out)
{
	char path[XG_XENBUS_PATH_MAX], value[24];
	int rc = xb_join(path, dir, node);

	if (rc >= 0)
		rc = xg_xs_read(xs, tx, path, value, sizeof(value));
	if (rc == XG_ERANGE)
		return XG_EINVAL;
	if (rc < 0)
		return rc;
	return xg_xs_atou_(value, UINT64_MAX, out);
}

int xg_xenbus_gather(struct xg_xs *xs, uint32_t tx, const char *dir,
		     const struct xg_xenbus_field *fields, unsigned n)
{
	char path[XG_XENBUS_PATH_MAX];
	unsigned i;
	int rc = 0;

	for (i = 0; i < n && rc >= 0; i++) {
		const struct xg_xenbus_field *f = &fields[i];

		if (f->str == NULL) {
			rc = xg_xenbus_read_u64(xs, tx, dir, f->node, f->num);
			continue;
		}
		rc = xb_join(path, dir, f->node);
		if (rc >= 0)
			rc = xg_xs_read(xs, tx, path, f->str, f->str_size);
	}
	return rc < 0 ? rc : 0;
}

/* ---- device state ---------------------------------------------------------- */

static int xb_read_state_tx(struct xg_xs *xs, uint32_t tx, const char *dir,
			    enum xg_xenbus_state *state)
{
	uint64_t v;
	int rc = xg_xenbus_read_u64(xs, tx, dir, "state", &v);

	*state = XG_XENBUS_UNKNOWN;
	if (rc == XG_ENOENT || rc == XG_EINVAL)
		return 0;
	if (rc < 0)
		return rc;
	if (v <= XG_XENBUS_RECONFIGURED)
		*state = (enum xg_xenbus_state)v;
	return 0;
}

int xg_xenbus_read_state(struct xg_xs *xs, const char *dir,
			 enum xg_xenbus_state *state)
{
	return xb_read_state_tx(xs, 0, dir, state);
}

struct xb_switch {
	const char *dir;
	enum xg_xenbus_state to;
};

static int xb_switch_body(struct xg_xs *xs, uint32_t tx, void *arg)
{
	struct xb_switch *s = arg;
	enum xg_xenbus_state cur;
	int rc = xb_read_state_tx(xs, tx, s->dir, &cur);

	if (rc < 0 || cur == s->to)
		return rc;
	return xg_xenbus_printf(xs, tx, s->dir, "state", "%u",
				(unsigned)s->to);
}

int xg_xenbus_switch_state(struct xg_xs *xs, const char *dir,
			   enum xg_xenbus_state state)
{
	struct xb_switch s = { dir, state };
	int rc = xg_xs_transaction(xs, xb_switch_body, &s, 0);

	return rc < 0 ? rc : 0;
}

struct xb_wait {
	struct xg_xs_watch *w;
	uint32_t seen;
};

static bool xb_event_since(void *arg)
{
	struct xb_wait *x = arg;

	return __atomic_load_n(&x->w->events, __ATOMIC_RELAXED) != x->seen;
}

int xg_xenbus_wait_state(struct xg_xs *xs, const char *dir, uint32_t mask,
			 uint64_t timeout_ns, enum xg_xenbus_state *state)
{
	char path[XG_XENBUS_PATH_MAX];
	struct xg_xs_watch w;
	struct xb_wait x = { &w, 0 };
	uint64_t deadline = timeout_ns ? xg_port_time_ns() + timeout_ns : 0;
	int rc = xb_join(path, dir, "state");

	if (rc < 0)
		return rc;
	xg_memset(&w, 0, sizeof(w));
	w.path = path;
	rc = xg_xs_watch_add(xs, &w);
	while (rc == 0) {
		uint64_t now = xg_port_time_ns();

		x.seen = __atomic_load_n(&w.events, __ATOMIC_RELAXED);
		rc = xb_read_state_tx(xs, 0, dir, state);
		if (rc < 0 || (mask & (1u << *state)) != 0)
			break;
		if (deadline && now >= deadline) {
			rc = XG_ETIMEDOUT;
			break;
		}
		rc = xg_xs_wait_until(xs, xb_event_since, &x,
				      deadline ? deadline - now : 0);
	}
	(void)xg_xs_watch_remove(xs, &w);
	return rc;
}

/* ---- other end, features, rings ------------------------------------------------ */

int xg_xenbus_otherend(struct xg_xs *xs, const char *dir, const char *node,
		       char *path, uint32_t size, uint32_t *domid)
{
	char key[XG_XENBUS_PATH_MAX];
	uint64_t id;
	int rc = xb_join(key, dir, node);

	if (rc >= 0)
		rc = xg_xs_read(xs, 0, key, path, size);
	if (rc < 0)
		return rc;
	rc = xg_xenbus_format(key, sizeof(key), "%s-id", node);
	if (rc >= 0)
		rc = xg_xenbus_read_u64(xs, 0, dir, key, &id);
	if (rc < 0)
		return rc;
	if (id > UINT16_MAX)
		return XG_EINVAL;
	*domid = (uint32_t)id;
	return 0;
}

bool xg_xenbus_read_feature(struct xg_xs *xs, const char *dir,
			    const char *name)
{
	uint64_t v;

	return xg_xenbus_read_u64(xs, 0, dir, name, &v) == 0 && v != 0;
}

int xg_xenbus_max_ring_order(struct xg_xs *xs, const char *dir, unsigned max,
			     unsigned *order)
{
	uint64_t v;
	int rc = xg_xenbus_read_u64(xs, 0, dir, "max-ring-page-order", &v);

	*order = 0;
	if (rc == XG_ENOENT || rc == XG_EINVAL)
		return 0;
	if (rc < 0)
		return rc;
	if (max > XG_XENBUS_MAX_RING_ORDER)
		max = XG_XENBUS_MAX_RING_ORDER;
	*order = v < max ? (unsigned)v : max;
	return 0;
}

int xg_xenbus_write_ring_refs(struct xg_xs *xs, uint32_t tx, const char *dir,
			      const uint32_t *refs, unsigned order)
{
	char node[24];
	unsigned i;
	int rc;

	if (order > XG_XENBUS_MAX_RING_ORDER)
		return XG_EINVAL;
	if (order == 0)
		return xg_xenbus_printf(xs, tx, dir, "ring-ref", "%u", refs[0]);
	rc = xg_xenbus_printf(xs, tx, dir, "ring-page-order", "%u", order);
	for (i = 0; rc == 0 && i < (1u << order); i++) {
		(void)xg_xenbus_format(node, sizeof(node), "ring-ref%u", i);
		rc = xg_xenbus_printf(xs, tx, dir, node, "%u", refs[i]);
	}
	return rc;
}
