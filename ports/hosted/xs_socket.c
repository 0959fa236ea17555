/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Hosted port: the xenstore client over a xenstored Unix socket (the
 * same xsd_sockmsg framing as the ring). Non-blocking reads and writes;
 * the wait hook blocks in recv(), after polling for up to 50 us when that
 * has measured faster (poll.c).
 * reset() reconnects: a fresh stream.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenguest/error.h>

#include "xg_hosted.h"

static int xs_socket_errno(int e)
{
	return e == EPIPE || e == ECONNRESET ? XG_ENOTCONN : -e;
}

static int xs_socket_write(void *ctx, const void *buf, size_t len)
{
	struct xg_hosted_xs_socket *s = ctx;
	ssize_t n;

	do {
		n = send(s->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : xs_socket_errno(errno);
	return (int)n;
}

static int xs_socket_recv(struct xg_hosted_xs_socket *s, void *buf,
			  size_t len)
{
	ssize_t n;

	do {
		n = recv(s->fd, buf, len, MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n == 0)
		return XG_ENOTCONN; /* the daemon closed the connection */
	if (n < 0)
		return errno == EAGAIN ? 0 : xs_socket_errno(errno);
	return (int)n;
}

/*
 * Hands over what the wait hook received, else what the socket has now.
 * Stash bytes alone make a short read, which tells the client the
 * transport is drained: the next wait's recv() picks up anything newer,
 * so no recv() that would only say EAGAIN is made.
 */
static int xs_socket_read(void *ctx, void *buf, size_t len)
{
	struct xg_hosted_xs_socket *s = ctx;
	size_t n = len < s->stash_len ? len : s->stash_len;

	if (n == 0)
		return xs_socket_recv(s, buf, len);
	memcpy(buf, s->stash + s->stash_off, n);
	s->stash_off += n;
	s->stash_len -= n;
	return (int)n;
}

/*
 * One recv() into the stash: the bytes there, 0 if none came (nothing
 * yet, EINTR, or SO_RCVTIMEO ran out: the client re-checks its deadline),
 * 1 for EOF or an error, which the next read() reports.
 */
static size_t xs_socket_stash(struct xg_hosted_xs_socket *s, int flags)
{
	ssize_t n = recv(s->fd, s->stash, sizeof(s->stash), flags);

	if (n > 0) {
		s->stash_len = (size_t)n;
		return (size_t)n;
	}
	return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : 1;
}

static size_t xs_socket_ready(void *arg)
{
	return xs_socket_stash(arg, MSG_DONTWAIT);
}

static size_t xs_socket_sleep(void *arg, uint64_t timeout_ns)
{
	(void)timeout_ns; /* SO_RCVTIMEO bounds it */
	return xs_socket_stash(arg, 0);
}

/*
 * Waiting for replies receives everything the daemon has sent so far into
 * a stash the next read() hands over: any number of replies cost one
 * system call and one wakeup. It does not wait for a message to be whole:
 * the stash need not start at a message boundary (the client may hold
 * part of one), so only the client can tell; a reply whose header and
 * payload the daemon wrote separately (C xenstored does) may take a
 * second wait. The poller (poll.c) decides whether a wait first polls
 * with non-blocking recv()s or blocks in one at once.
 */
static int xs_socket_wait(void *ctx, bool want_write, uint64_t timeout_ns)
{
	struct xg_hosted_xs_socket *s = ctx;
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN | POLLOUT };

	if (s->stash_len > 0)
		return 0;
	if (want_write) {
		int ms = (int)((timeout_ns + 999999) / 1000000);

		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			return -errno;
		return 0;
	}
	s->stash_off = 0;
	(void)xg_hosted_poll_wait(&s->poll, xs_socket_ready, xs_socket_sleep,
				  s, timeout_ns);
	return 0;
}

static int xs_socket_connect(struct xg_hosted_xs_socket *s)
{
	struct timeval slice = { .tv_sec = 0, .tv_usec = 10000 };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(s->path) >= sizeof(addr.sun_path))
		return XG_ENAMETOOLONG;
	strcpy(addr.sun_path, s->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	/* Bounds a blocking wait; the client re-checks its deadline. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &slice, sizeof(slice))) {
		int e = errno;

		close(fd);
		return -e;
	}
	s->fd = fd;
	s->stash_len = s->stash_off = 0;
	return 0;
}

static int xs_socket_reset(void *ctx)
{
	struct xg_hosted_xs_socket *s = ctx;

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	return xs_socket_connect(s);
}

int xg_hosted_xs_socket_open(struct xg_hosted_xs_socket *s, const char *path,
			     struct xg_xs_transport *out)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (strlen(path) >= sizeof(s->path))
		return XG_ENAMETOOLONG;
	strcpy(s->path, path);
	xg_hosted_poll_init(&s->poll, XG_HOSTED_POLL_WINDOW_NS);
	rc = xs_socket_connect(s);
	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	out->write = xs_socket_write;
	out->read = xs_socket_read;
	out->wait = xs_socket_wait;
	out->reset = xs_socket_reset;
	out->ctx = s;
	return 0;
}

void xg_hosted_xs_socket_close(struct xg_hosted_xs_socket *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
