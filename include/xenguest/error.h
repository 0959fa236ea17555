/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/**
 * DOC: error codes
 *
 * Every xenguest call that can fail returns 0 (or a non-negative value)
 * on success and a negative XG_E* code on failure. The numbers are pinned
 * to Xen's public/errno.h, so a hypercall's negative return value passes
 * through untouched and means the same thing. A host kernel converts them
 * to its own errno space once, at its boundary (FreeBSD's EAGAIN is 35,
 * Xen's is 11).
 */
#ifndef XENGUEST_ERROR_H
#define XENGUEST_ERROR_H

#define XG_EOK            0
#define XG_EPERM         -1   /* operation not permitted */
#define XG_ENOENT        -2   /* no such entry */
#define XG_ESRCH         -3   /* no such domain or vCPU */
#define XG_EINTR         -4   /* interrupted */
#define XG_EIO           -5   /* I/O error; peer violated the protocol */
#define XG_ENXIO         -6   /* no such device or address */
#define XG_E2BIG         -7   /* argument list too long */
#define XG_ENOEXEC       -8   /* exec format error */
#define XG_EBADF         -9   /* bad port, reference or handle */
#define XG_ECHILD       -10   /* no child processes */
#define XG_EAGAIN       -11   /* try again */
#define XG_ENOMEM       -12   /* out of memory */
#define XG_EACCES       -13   /* permission denied */
#define XG_EFAULT       -14   /* bad address */
#define XG_EBUSY        -16   /* busy (e.g. grant still mapped) */
#define XG_EEXIST       -17   /* already exists */
#define XG_EXDEV        -18   /* cross-device link */
#define XG_ENODEV       -19   /* no such device (e.g. not running on Xen) */
#define XG_ENOTDIR      -20   /* not a directory */
#define XG_EISDIR       -21   /* is a directory */
#define XG_EINVAL       -22   /* invalid argument */
#define XG_ENFILE       -23   /* table overflow */
#define XG_EMFILE       -24   /* too many open objects */
#define XG_ENOSPC       -28   /* no space left */
#define XG_EROFS        -30   /* read-only */
#define XG_EMLINK       -31   /* too many links */
#define XG_EDOM         -33   /* argument out of domain */
#define XG_ERANGE       -34   /* result out of range */
#define XG_EDEADLK      -35   /* deadlock would occur */
#define XG_ENAMETOOLONG -36   /* name too long */
#define XG_ENOLCK       -37   /* no locks available */
#define XG_ENOSYS       -38   /* not implemented by this hypervisor */
#define XG_ENOTEMPTY    -39   /* not empty */
#define XG_ENODATA      -61   /* no data available */
#define XG_ETIME        -62   /* timer expired */
#define XG_EBADMSG      -74   /* malformed message from a peer */
#define XG_EOVERFLOW    -75   /* value too large */
#define XG_EILSEQ       -84   /* illegal byte sequence */
#define XG_ERESTART     -85   /* interrupted call should be restarted */
#define XG_ENOTSOCK     -88   /* not a socket */
#define XG_EMSGSIZE     -90   /* message too large */
#define XG_EOPNOTSUPP   -95   /* operation not supported */
#define XG_EADDRINUSE   -98   /* address already in use */
#define XG_EADDRNOTAVAIL -99  /* address not available */
#define XG_ENOBUFS     -105   /* no buffer space */
#define XG_EISCONN     -106   /* already connected */
#define XG_ENOTCONN    -107   /* not connected */
#define XG_ETIMEDOUT   -110   /* timed out */
#define XG_ECONNREFUSED -111  /* connection refused */

/**
 * xg_strerror() - describe an error code
 * @err: an XG_E* code (negative) or 0; positive values are also accepted
 *       and treated as their negation
 *
 * Returns: a static, NUL-terminated description; "unknown error" for a
 * value that is not an XG_E* code. Never NULL.
 * Context: any, including interrupt.
 * Locking: none.
 */
const char *xg_strerror(int err);

/**
 * xg_errname() - the symbolic name of an error code
 * @err: as for xg_strerror()
 *
 * Returns: the name without the XG_ prefix ("EAGAIN", ...), which is also
 * the spelling xenstore uses on the wire; NULL for an unknown code.
 * Context: any, including interrupt.
 * Locking: none.
 */
const char *xg_errname(int err);

#endif /* XENGUEST_ERROR_H */
