/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * bench_xs: ops/s of small write+read pairs through xenguest's xenstore
 * client against a real daemon started by tests/xenstored/xsd.sh, over
 * its Unix socket or dom0's shared ring (page file + FIFO event channel),
 * synchronously or with N requests in flight. Every read is checked
 * against the value written before it, so a broken client cannot look
 * fast. bench/xenstore/run.sh runs it beside libxenstore.
 *
 *   bench_xs -e WORKDIR/env -t socket|ring [-n PAIRS] [-q INFLIGHT] [-p US]
 *
 * -p sets the hosted poller's window (ports/hosted/poll.c) for either
 * transport; 0 makes every wait sleep at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xenguest/error.h>
#include <xenguest/xenstore.h>
#include <xen/io/xs_wire.h>

#include "xg_hosted.h"

#define MAX_INFLIGHT 64

struct env {
	char socket[256], ring[256], kick[256], notify[256];
	uint32_t port;
};

static struct env env;
static int kick_fd = -1, notify_fd = -1;
static struct xg_hosted_poll ring_poll;

static void die(const char *what)
{
	fprintf(stderr, "bench_xs: %s\n", what);
	exit(1);
}

static void read_env(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		die("cannot open the env file");
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq++ = '\0';
		eq[strcspn(eq, "\n")] = '\0';
		if (!strcmp(line, "SOCKET"))
			snprintf(env.socket, sizeof(env.socket), "%s", eq);
		else if (!strcmp(line, "RING"))
			snprintf(env.ring, sizeof(env.ring), "%s", eq);
		else if (!strcmp(line, "KICK_FIFO"))
			snprintf(env.kick, sizeof(env.kick), "%s", eq);
		else if (!strcmp(line, "NOTIFY_FIFO"))
			snprintf(env.notify, sizeof(env.notify), "%s", eq);
		else if (!strcmp(line, "DOM0_PORT"))
			env.port = (uint32_t)strtoul(eq, NULL, 10);
	}
	fclose(f);
}

/* ---- the ring's event channel: the shim's FIFOs ---------------------- */

static void fifo_kick(void *arg)
{
	(void)arg;
	if (write(kick_fd, &env.port, sizeof(env.port)) < 0 && errno != EAGAIN)
		die("kick");
}

/* Replies in the ring now: what a kernel's wait would look at first. */
static size_t ring_ready(void *arg)
{
	volatile struct xenstore_domain_interface *intf = arg;

	return (uint32_t)(intf->rsp_prod - intf->rsp_cons);
}

/* Sleeps on the event until the ring has replies or time is up. */
static size_t ring_sleep(void *arg, uint64_t timeout_ns)
{
	struct pollfd pfd = { .fd = notify_fd, .events = POLLIN };
	uint32_t ports[1024];
	size_t n;

	/* An event the poller beat to its reply leaves the FIFO readable:
	 * drain it and sleep again rather than report nothing. */
	while ((n = ring_ready(arg)) == 0 &&
	       poll(&pfd, 1, (int)(timeout_ns / 1000000) + 1) > 0)
		while (read(notify_fd, ports, sizeof(ports)) > 0)
			;
	return n;
}

/* The ring's wait hook: the hosted poller over the two above. */
static int ring_wait(void *arg, uint64_t timeout_ns)
{
	(void)xg_hosted_poll_wait(&ring_poll, ring_ready, ring_sleep, arg,
				  timeout_ns);
	return 0;
}

static void open_ring(struct xg_xs_ring *r, struct xg_xs_transport *tp)
{
	int fd = open(env.ring, O_RDWR);
	void *page;

	if (fd < 0)
		die("cannot open the ring page");
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	kick_fd = open(env.kick, O_WRONLY | O_NONBLOCK);
	notify_fd = open(env.notify, O_RDONLY | O_NONBLOCK);
	if (page == MAP_FAILED || kick_fd < 0 || notify_fd < 0)
		die("cannot map the ring or open the FIFOs");
	if (xg_xs_ring_init(r, page, fifo_kick, ring_wait, page, tp))
		die("ring init");
}

/* ---- the workload ------------------------------------------------------ */

struct slot {
	struct xg_xs_req req;
	char key[32], value[24], reply[32];
	unsigned long pairs_left;
	unsigned long n;
	bool reading;
};

static struct xg_xs xs;
static struct slot slots[MAX_INFLIGHT];
static unsigned long ops_done;
static unsigned errors;

static void slot_next(struct slot *s);

static void slot_done(struct xg_xs_req *req)
{
	struct slot *s = req->arg;

	ops_done++;
	if (req->error != 0 ||
	    (s->reading && strcmp(s->reply, s->value) != 0)) {
		errors++;
		return;
	}
	if (s->reading)
		s->pairs_left--;
	s->reading = !s->reading;
	if (s->pairs_left > 0)
		slot_next(s);
}

static void slot_next(struct slot *s)
{
	int rc;

	if (!s->reading) {
		snprintf(s->value, sizeof(s->value), "v%lu", s->n++);
		rc = xg_xs_submit(&xs, &s->req, XG_XS_WRITE, 0, s->key,
				  (uint32_t)strlen(s->key) + 1, s->value,
				  (uint32_t)strlen(s->value));
	} else {
		rc = xg_xs_submit(&xs, &s->req, XG_XS_READ, 0, s->key,
				  (uint32_t)strlen(s->key) + 1, NULL, 0);
	}
	if (rc)
		errors++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double run_sync(unsigned long pairs)
{
	double t0 = now();
	unsigned long i;
	char value[24], got[32];

	for (i = 0; i < pairs; i++) {
		int n = snprintf(value, sizeof(value), "v%lu", i);

		if (xg_xs_write(&xs, 0, "/bench/xenguest", value, (uint32_t)n) ||
		    xg_xs_read(&xs, 0, "/bench/xenguest", got, sizeof(got)) != n ||
		    strcmp(got, value))
			die("sync write/read failed");
	}
	return now() - t0;
}

static double run_pipelined(unsigned long pairs, unsigned inflight)
{
	const struct xg_xs_transport *tp = &xs.cfg_.transport;
	unsigned long total = 2 * pairs;
	double t0 = now();
	unsigned i;

	for (i = 0; i < inflight; i++) {
		struct slot *s = &slots[i];

		memset(s, 0, sizeof(*s));
		snprintf(s->key, sizeof(s->key), "/bench/xenguest%u", i);
		s->req.done = slot_done;
		s->req.arg = s;
		s->req.reply = s->reply;
		s->req.reply_size = sizeof(s->reply);
		s->pairs_left = pairs / inflight + (i < pairs % inflight);
		if (s->pairs_left)
			slot_next(s);
	}
	while (ops_done < total && errors == 0) {
		int rc = xg_xs_poll(&xs);

		if (rc < 0)
			die("poll failed");
		if (rc == 0)
			tp->wait(tp->ctx, false, 10000000);
	}
	if (errors)
		die("pipelined request failed");
	return now() - t0;
}

int main(int argc, char **argv)
{
	const char *env_path = NULL, *transport = "socket";
	unsigned long pairs = 20000;
	unsigned inflight = 1;
	uint64_t window_ns = XG_HOSTED_POLL_WINDOW_NS;
	struct xg_hosted_xs_socket sock;
	struct xg_xs_ring ring;
	struct xg_xs_config cfg;
	double t;
	int c;

	while ((c = getopt(argc, argv, "e:t:n:q:p:")) != -1) {
		if (c == 'e')
			env_path = optarg;
		else if (c == 't')
			transport = optarg;
		else if (c == 'n')
			pairs = strtoul(optarg, NULL, 10);
		else if (c == 'q')
			inflight = (unsigned)strtoul(optarg, NULL, 10);
		else if (c == 'p')
			window_ns = strtoull(optarg, NULL, 10) * 1000;
		else
			die("usage: bench_xs -e ENV -t socket|ring [-n PAIRS] [-q INFLIGHT] [-p US]");
	}
	if (!env_path || pairs == 0 || inflight == 0 || inflight > MAX_INFLIGHT)
		die("usage: bench_xs -e ENV -t socket|ring [-n PAIRS] [-q INFLIGHT] [-p US]");
	read_env(env_path);
	memset(&cfg, 0, sizeof(cfg));
	xg_hosted_poll_init(&ring_poll, window_ns);
	if (!strcmp(transport, "ring"))
		open_ring(&ring, &cfg.transport);
	else if (xg_hosted_xs_socket_open(&sock, env.socket, &cfg.transport))
		die("cannot connect to the socket");
	else
		xg_hosted_poll_init(&sock.poll, window_ns);
	cfg.timeout_ns = 10000000000ull;
	if (xg_xs_init(&xs, &cfg))
		die("init");
	t = inflight == 1 ? run_sync(pairs) : run_pipelined(pairs, inflight);
	printf("xenguest %-6s %-5s q=%-2u: %lu write+read pairs, %lu ops in "
	       "%.3f s = %.0f ops/s (%.1f us/op)\n", transport,
	       inflight == 1 ? "sync" : "pipe", inflight, pairs, 2 * pairs, t,
	       (double)(2 * pairs) / t, t * 1e6 / (double)(2 * pairs));
	return 0;
}
