/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Copyright (c) 2026 The xenguest authors
 *
 * xsd_fixture: test-side helper around xsd.sh, which runs a real xenstore
 * daemon (C xenstored or OCaml oxenstored) on the host under the xsshim
 * LD_PRELOAD shim.  Hosted POSIX code for tests only; not part of xenguest.
 *
 * The fixture gives a test three ways to reach the daemon as dom0:
 *   - the daemon's Unix socket (xsdfx_connect),
 *   - dom0's shared xenstore page, a 4096-byte file mapped MAP_SHARED
 *     (xsdfx_daemon.ring), to speak the real ring protocol,
 *   - the event channel emulation: xsdfx_kick() and xsdfx_wait_notify().
 *
 * Environment read by xsdfx_start():
 *   XSDFX_SCRIPT  path of xsd.sh (required)
 *   XSDFX_BASH    bash to run it with (default "bash" from PATH)
 *   XSDFX_SHIM    prebuilt xsshim.so, passed on as XSD_SHIM (optional)
 *   TMPDIR        where work directories are created (default /tmp)
 */
#ifndef XSD_FIXTURE_H
#define XSD_FIXTURE_H

#include <stdint.h>
#include <sys/types.h>

/* Long enough for any sockaddr_un path plus the work directory layout. */
#define XSDFX_PATH_MAX 256

/* Size of the shared xenstore page (one Xen page). */
#define XSDFX_PAGE_SIZE 4096

enum xsdfx_kind {
	XSDFX_C,     /* C xenstored */
	XSDFX_OCAML, /* OCaml oxenstored */
};

/**
 * struct xsdfx_daemon - a running daemon, as started by xsdfx_start()
 * @kind:        which daemon
 * @workdir:     private directory (created by xsdfx_start, removed by stop)
 * @socket_path: the daemon's Unix socket
 * @ring_path:   file backing dom0's xenstore page
 * @pid:         the daemon's pid
 * @pgid:        session/process group of its supervisor
 * @dom0_port:   local event channel port of dom0's connection
 * @start_ms:    time xsd.sh measured from launch to first answer
 * @ring:        dom0's page, mapped read/write shared (opaque bytes; cast
 *               to struct xenstore_domain_interface from io/xs_wire.h)
 * @kick_fd:     write end of the client->daemon FIFO
 * @notify_fd:   read end of the daemon->client FIFO
 */
struct xsdfx_daemon {
	enum xsdfx_kind kind;
	char workdir[XSDFX_PATH_MAX];
	char socket_path[XSDFX_PATH_MAX];
	char ring_path[XSDFX_PATH_MAX];
	char kick_path[XSDFX_PATH_MAX];
	char notify_path[XSDFX_PATH_MAX];
	pid_t pid;
	pid_t pgid;
	uint32_t dom0_port;
	long start_ms;
	void *ring;
	int kick_fd;
	int notify_fd;
};

/**
 * xsdfx_kind_name() - name of a daemon kind as xsd.sh spells it
 * @kind: daemon kind
 *
 * Returns: "c" or "ocaml".
 */
const char *xsdfx_kind_name(enum xsdfx_kind kind);

/**
 * xsdfx_start() - start a daemon in a fresh temporary work directory
 * @d:    filled in on success; on failure left stopped (safe to stop again)
 * @kind: which daemon
 *
 * Runs `xsd.sh start`, parses WORKDIR/env, maps dom0's page and opens both
 * FIFOs.  Bounded in time: xsd.sh is killed after 300 s (package install).
 *
 * Returns: 0, or -1 with a message on stderr.
 */
int xsdfx_start(struct xsdfx_daemon *d, enum xsdfx_kind kind);

/**
 * xsdfx_stop() - stop the daemon and remove its work directory
 * @d: daemon from xsdfx_start(); a zeroed or already stopped one is fine
 *
 * Returns: 0, or -1 if xsd.sh stop failed (the work directory is kept).
 */
int xsdfx_stop(struct xsdfx_daemon *d);

/**
 * xsdfx_connect() - open a new connection to the daemon's Unix socket
 * @d: running daemon
 *
 * Returns: a connected stream socket fd, or -1 with errno set.
 */
int xsdfx_connect(const struct xsdfx_daemon *d);

/**
 * xsdfx_kick() - signal dom0's event channel to the daemon
 * @d: running daemon
 *
 * Returns: 0, or -1 with errno set.
 */
int xsdfx_kick(const struct xsdfx_daemon *d);

/**
 * xsdfx_wait_notify() - wait until the daemon notifies dom0's channel
 * @d:          running daemon
 * @timeout_ms: how long to wait; 0 polls
 *
 * Consumes all notifications queued so far: like an event channel, several
 * notifications may collapse into one wakeup, so callers re-check the ring.
 *
 * Returns: 1 if notified, 0 on timeout, -1 with errno set on error.
 */
int xsdfx_wait_notify(const struct xsdfx_daemon *d, int timeout_ms);

#endif /* XSD_FIXTURE_H */
