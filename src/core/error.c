/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
#include <xenguest/error.h>
#include <stddef.h>

#include "../xg_internal.h"

struct xg_errdesc {
	short code;
	const char *name;
	const char *text;
};

/* One table serves xg_strerror(), xg_errname() and the xenstore error
 * strings, so the three can never disagree. */
static const struct xg_errdesc xg_errors[] = {
	{ XG_EOK, "EOK", "success" },
	{ XG_EPERM, "EPERM", "operation not permitted" },
	{ XG_ENOENT, "ENOENT", "no such entry" },
	{ XG_ESRCH, "ESRCH", "no such domain or vCPU" },
	{ XG_EINTR, "EINTR", "interrupted" },
	{ XG_EIO, "EIO", "I/O error" },
	{ XG_ENXIO, "ENXIO", "no such device or address" },
	{ XG_E2BIG, "E2BIG", "argument list too long" },
	{ XG_ENOEXEC, "ENOEXEC", "exec format error" },
	{ XG_EBADF, "EBADF", "bad handle" },
	{ XG_ECHILD, "ECHILD", "no child processes" },
	{ XG_EAGAIN, "EAGAIN", "try again" },
	{ XG_ENOMEM, "ENOMEM", "out of memory" },
	{ XG_EACCES, "EACCES", "permission denied" },
	{ XG_EFAULT, "EFAULT", "bad address" },
	{ XG_EBUSY, "EBUSY", "busy" },
	{ XG_EEXIST, "EEXIST", "already exists" },
	{ XG_EXDEV, "EXDEV", "cross-device link" },
	{ XG_ENODEV, "ENODEV", "no such device" },
	{ XG_ENOTDIR, "ENOTDIR", "not a directory" },
	{ XG_EISDIR, "EISDIR", "is a directory" },
	{ XG_EINVAL, "EINVAL", "invalid argument" },
	{ XG_ENFILE, "ENFILE", "table overflow" },
	{ XG_EMFILE, "EMFILE", "too many open objects" },
	{ XG_ENOSPC, "ENOSPC", "no space left" },
	{ XG_EROFS, "EROFS", "read-only" },
	{ XG_EMLINK, "EMLINK", "too many links" },
	{ XG_EDOM, "EDOM", "argument out of domain" },
	{ XG_ERANGE, "ERANGE", "result out of range" },
	{ XG_EDEADLK, "EDEADLK", "deadlock would occur" },
	{ XG_ENAMETOOLONG, "ENAMETOOLONG", "name too long" },
	{ XG_ENOLCK, "ENOLCK", "no locks available" },
	{ XG_ENOSYS, "ENOSYS", "not implemented" },
	{ XG_ENOTEMPTY, "ENOTEMPTY", "not empty" },
	{ XG_ENODATA, "ENODATA", "no data available" },
	{ XG_ETIME, "ETIME", "timer expired" },
	{ XG_EBADMSG, "EBADMSG", "malformed message" },
	{ XG_EOVERFLOW, "EOVERFLOW", "value too large" },
	{ XG_EILSEQ, "EILSEQ", "illegal byte sequence" },
	{ XG_ERESTART, "ERESTART", "restart the call" },
	{ XG_ENOTSOCK, "ENOTSOCK", "not a socket" },
	{ XG_EMSGSIZE, "EMSGSIZE", "message too large" },
	{ XG_EOPNOTSUPP, "EOPNOTSUPP", "operation not supported" },
	{ XG_EADDRINUSE, "EADDRINUSE", "address already in use" },
	{ XG_EADDRNOTAVAIL, "EADDRNOTAVAIL", "address not available" },
	{ XG_ENOBUFS, "ENOBUFS", "no buffer space" },
	{ XG_EISCONN, "EISCONN", "already connected" },
	{ XG_ENOTCONN, "ENOTCONN", "not connected" },
	{ XG_ETIMEDOUT, "ETIMEDOUT", "timed out" },
	{ XG_ECONNREFUSED, "ECONNREFUSED", "connection refused" },
};

static const struct xg_errdesc *xg_errlookup(int err)
{
	size_t i;

	if (err > 0)
		err = -err;
	for (i = 0; i < sizeof(xg_errors) / sizeof(xg_errors[0]); i++)
		if (xg_errors[i].code == err)
			return &xg_errors[i];
	return NULL;
}

const char *xg_strerror(int err)
{
	const struct xg_errdesc *d = xg_errlookup(err);

	return d ? d->text : "unknown error";
}

const char *xg_errname(int err)
{
	const struct xg_errdesc *d = xg_errlookup(err);

	return d ? d->name : NULL;
}

int xg_errcode_(const char *name)
{
	size_t i, j;

	for (i = 1; i < sizeof(xg_errors) / sizeof(xg_errors[0]); i++) {
		const char *n = xg_errors[i].name;

		for (j = 0; n[j] != '\0' && n[j] == name[j]; j++)
			;
		if (n[j] == '\0' && name[j] == '\0')
			return xg_errors[i].code;
	}
	return XG_EIO;
}
