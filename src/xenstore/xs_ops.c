/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* Blocking xenstore operations over xg_xs_call(), and transactions. */
#include "xs_internal.h"

unsigned xg_xs_utoa_(char *buf, uint64_t v)
{
	char tmp[20];
	unsigned n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

int xg_xs_atou_(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s[0] == '\0')
		return XG_EINVAL;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9 || v > (max - d) / 10)
			return XG_EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Requests whose payload is just the path. */
static int xs_path_call(struct xg_xs *xs, uint32_t type, uint32_t tx,
			const char *path, char *buf, uint32_t size)
{
	uint32_t len = xs_strsize_(path);

	if (len > XG_XS_ABS_PATH_MAX + 1)
		return XG_ENAMETOOLONG;
	return xg_xs_call(xs, type, tx, path, len, NULL, 0, buf, size);
}

int xg_xs_read(struct xg_xs *xs, uint32_t tx, const char *path, char *buf,
	       uint32_t size)
{
	return xs_path_call(xs, XG_XS_READ, tx, path, buf, size);
}

int xg_xs_write(struct xg_xs *xs, uint32_t tx, const char *path,
		const void *value, uint32_t len)
{
	uint32_t plen = xs_strsize_(path);
	int rc;

	if (plen > XG_XS_ABS_PATH_MAX + 1)
		return XG_ENAMETOOLONG;
	rc = xg_xs_call(xs, XG_XS_WRITE, tx, path, plen, len ? value : "",
			len, NULL, 0);
	return rc < 0 ? rc : 0;
}

int xg_xs_mkdir(struct xg_xs *xs, uint32_t tx, const char *path)
{
	int rc = xs_path_call(xs, XG_XS_MKDIR, tx, path, NULL, 0);

	return rc < 0 ? rc : 0;
}

int xg_xs_rm(struct xg_xs *xs, uint32_t tx, const char *path)
{
	int rc = xs_path_call(xs, XG_XS_RM, tx, path, NULL, 0);

	return rc < 0 ? rc : 0;
}

/* A list of names must end with a NUL (or be empty). */
static int xs_check_list(const char *buf, int len)
{
	return len > 0 && buf[len - 1] != '\0' ? XG_EBADMSG : len;
}

int xg_xs_directory(struct xg_xs *xs, uint32_t tx, const char *path,
		    char *buf, uint32_t size)
{
	int rc = xs_path_call(xs, XG_XS_DIRECTORY, tx, path, buf, size);

	return rc < 0 ? rc : xs_check_list(buf, rc);
}

int xg_xs_get_perms(struct xg_xs *xs, uint32_t tx, const char *path,
		    char *buf, uint32_t size)
{
	int rc = xs_path_call(xs, XG_XS_GET_PERMS, tx, path, buf, size);

	return rc < 0 ? rc : xs_check_list(buf, rc);
}

int xg_xs_set_perms(struct xg_xs *xs, uint32_t tx, const char *path,
		    const char *perms, uint32_t len)
{
	uint32_t plen = xs_strsize_(path);
	int rc;

	if (plen > XG_XS_ABS_PATH_MAX + 1)
		return XG_ENAMETOOLONG;
	if (len == 0 || perms[len - 1] != '\0')
		return XG_EINVAL;
	rc = xg_xs_call(xs, XG_XS_SET_PERMS, tx, path, plen, perms, len, NULL,
			0);
	return rc < 0 ? rc : 0;
}

int xg_xs_get_domain_path(struct xg_xs *xs, uint32_t domid, char *buf,
			  uint32_t size)
{
	char id[12];
	unsigned n = xg_xs_utoa_(id, domid);
	int rc;

	id[n] = '\0';
	rc = xg_xs_call(xs, XG_XS_GET_DOMAIN_PATH, 0, id, n + 1, NULL, 0, buf,
			size);
	/* The server sends the terminating NUL; report the string length. */
	return rc < 0 ? rc : (int)xg_strnlen(buf, (uint32_t)rc);
}

/*
 * One DIRECTORY_PART reply is "<generation>\0<name>\0...<name>\0", plus
 * an empty name when the list is complete. The reply lands at @buf + @off
 * and the names are moved down over the generation.
 * Returns bytes of names added, with *@last set on the final part.
 */
static int xs_directory_part(struct xg_xs *xs, uint32_t tx, const char *path,
			     uint32_t plen, char *buf, uint32_t size,
			     uint32_t off, uint64_t *gen, bool *last)
{
	char offset[24];
	unsigned n = xg_xs_utoa_(offset, off);
	char *p = buf + off;
	uint32_t glen, names;
	int rc;

	offset[n] = '\0';
	rc = xg_xs_call(xs, XG_XS_DIRECTORY_PART, tx, path, plen, offset,
			n + 1, p, size - off);
	if (rc < 0)
		return rc;
	glen = (uint32_t)xg_strnlen(p, (uint32_t)rc);
	if (glen == (uint32_t)rc || xg_xs_atou_(p, UINT64_MAX, gen) != 0 ||
	    xs_check_list(p, rc) < 0)
		return XG_EBADMSG;
	names = (uint32_t)rc - glen - 1;
	*last = names == 1 || (names >= 2 && p[rc - 2] == '\0');
	if (*last)
		names--;
	__builtin_memmove(p, p + glen + 1, names);
	return (int)names;
}

/* Tries this many times when the node keeps changing between parts. */
#define XS_DIRECTORY_RETRIES 8

int xg_xs_directory_all(struct xg_xs *xs, uint32_t tx, const char *path,
			char *buf, uint32_t size)
{
	uint32_t plen = xs_strsize_(path);
	unsigned tries;
	int rc;

	rc = xg_xs_directory(xs, tx, path, buf, size);
	if (rc != XG_E2BIG)
		return rc;
	for (tries = 0; tries < XS_DIRECTORY_RETRIES; tries++) {
		uint64_t gen0 = 0, gen;
		uint32_t off = 0;
		bool last = false;

		while (!last) {
			rc = xs_directory_part(xs, tx, path, plen, buf, size,
					       off, &gen, &last);
			if (rc < 0)
				return rc;
			if (off != 0 && gen != gen0)
				break;
			gen0 = gen;
			off += (uint32_t)rc;
			if (rc == 0 && !last)
				return XG_EBADMSG;
		}
		if (last && gen == gen0)
			return (int)off;
	}
	return XG_EAGAIN;
}

int xg_xs_transaction_start(struct xg_xs *xs, uint32_t *tx)
{
	char reply[16];
	uint64_t id;
	int rc = xg_xs_call(xs, XG_XS_TRANSACTION_START, 0, "", 1, NULL, 0,
			    reply, sizeof(reply));

	if (rc < 0)
		return rc;
	if (xg_xs_atou_(reply, UINT32_MAX, &id) != 0 || id == 0)
		return XG_EBADMSG;
	*tx = (uint32_t)id;
	return 0;
}

int xg_xs_transaction_end(struct xg_xs *xs, uint32_t tx, bool commit)
{
	int rc = xg_xs_call(xs, XG_XS_TRANSACTION_END, tx, commit ? "T" : "F",
			    2, NULL, 0, NULL, 0);

	return rc < 0 ? rc : 0;
}

int xg_xs_transaction(struct xg_xs *xs,
		      int (*body)(struct xg_xs *xs, uint32_t tx, void *arg),
		      void *arg, unsigned max_tries)
{
	unsigned i;

	if (max_tries == 0)
		max_tries = 16;
	for (i = 0; i < max_tries; i++) {
		uint32_t tx;
		int rc = xg_xs_transaction_start(xs, &tx), ret;

		if (rc < 0)
			return rc;
		ret = body(xs, tx, arg);
		if (ret < 0) {
			(void)xg_xs_transaction_end(xs, tx, false);
			if (ret != XG_EAGAIN)
				return ret;
			continue;
		}
		rc = xg_xs_transaction_end(xs, tx, true);
		if (rc == 0)
			return ret;
		if (rc != XG_EAGAIN)
			return rc;
	}
	return XG_EAGAIN;
}
