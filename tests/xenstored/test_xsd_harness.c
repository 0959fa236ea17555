/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Copyright (c) 2026 The xenguest authors
 *
 * Proves the real-xenstored harness: for each daemon (C xenstored, OCaml
 * oxenstored) it speaks the raw xenstore wire protocol as dom0 over both the
 * Unix socket and the shared ring page, checks a transaction conflict
 * (EAGAIN) and a watch event delivered asynchronously over the ring.
 *
 * Usage: test_xsd_harness [c|ocaml]...   (default: both daemons)
 */
#define _GNU_SOURCE
#include <stdint.h>
#define __XEN_INTERFACE_VERSION__ 0x00040d00
#include <xen/io/xs_wire.h>

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "xsd_fixture.h"

/* Generous: the machine is shared, but a healthy reply takes < 1 ms. */
#define REPLY_TIMEOUT_MS 5000
#define MAX_QUEUED_EVENTS 8

_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xsd_sockmsg layout");
_Static_assert(sizeof(struct xenstore_domain_interface) <= XSDFX_PAGE_SIZE,
	       "xenstore page layout");

static long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* a message and a connection over either transport                     */

struct xs_msg {
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1]; /* always NUL-terminated */
};

struct xs_conn;

struct xs_transport {
	const char *name;
	/* Both return 0, or -1 on error or when @deadline_ms passes. */
	int (*send)(struct xs_conn *c, const void *buf, size_t len,
		    long deadline_ms);
	int (*recv)(struct xs_conn *c, void *buf, size_t len,
		    long deadline_ms);
};

struct xs_conn {
	const struct xs_transport *transport;
	const struct xsdfx_daemon *daemon;
	int fd; /* socket transport only */
	uint32_t next_req_id;
	/* Watch events that arrived while waiting for a reply. */
	struct xs_msg events[MAX_QUEUED_EVENTS];
	unsigned int n_events;
};

/* ---- Unix socket ---- */

static int wait_fd(int fd, short events, long deadline_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	long left = deadline_ms - monotonic_ms();
	int n;

	if (left < 0)
		return -1;
	n = poll(&pfd, 1, (int)left);
	return n == 1 ? 0 : -1;
}

static int socket_send(struct xs_conn *c, const void *buf, size_t len,
		       long deadline_ms)
{
	const char *p = buf;

	while (len) {
		ssize_t n;

		if (wait_fd(c->fd, POLLOUT, deadline_ms))
			return -1;
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int socket_recv(struct xs_conn *c, void *buf, size_t len,
		       long deadline_ms)
{
	char *p = buf;

	while (len) {
		ssize_t n;

		if (wait_fd(c->fd, POLLIN, deadline_ms))
			return -1;
		n = read(c->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static const struct xs_transport socket_transport = {
	.name = "socket", .send = socket_send, .recv = socket_recv,
};

/* ---- shared ring (dom0's page), as a guest would drive it ---- */

static volatile struct xenstore_domain_interface *ring_of(struct xs_conn *c)
{
	return c->daemon->ring;
}

static int wait_daemon(struct xs_conn *c, long deadline_ms)
{
	long left = deadline_ms - monotonic_ms();

	if (left < 0)
		return -1;
	return xsdfx_wait_notify(c->daemon, (int)left) == 1 ? 0 : -1;
}

static int ring_send(struct xs_conn *c, const void *buf, size_t len,
		     long deadline_ms)
{
	volatile struct xenstore_domain_interface *intf = ring_of(c);
	const char *p = buf;

	while (len) {
		XENSTORE_RING_IDX cons = intf->req_cons, prod = intf->req_prod;
		uint32_t used, off, chunk;

		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		used = prod - cons;
		if (used > XENSTORE_RING_SIZE)
			return -1; /* the daemon corrupted the indexes */
		if (used == XENSTORE_RING_SIZE) {
			if (xsdfx_kick(c->daemon) || wait_daemon(c, deadline_ms))
				return -1;
			continue;
		}
		off = MASK_XENSTORE_IDX(prod);
		chunk = XENSTORE_RING_SIZE - off;
		if (chunk > XENSTORE_RING_SIZE - used)
			chunk = XENSTORE_RING_SIZE - used;
		if (chunk > len)
			chunk = (uint32_t)len;
		memcpy((char *)intf->req + off, p, chunk);
		/* The bytes must be visible before the index that covers them. */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		intf->req_prod = prod + chunk;
		p += chunk;
		len -= chunk;
	}
	return xsdfx_kick(c->daemon);
}

static int ring_recv(struct xs_conn *c, void *buf, size_t len,
		     long deadline_ms)
{
	volatile struct xenstore_domain_interface *intf = ring_of(c);
	char *p = buf;

	while (len) {
		XENSTORE_RING_IDX cons = intf->rsp_cons, prod = intf->rsp_prod;
		uint32_t avail, off, chunk;

		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		avail = prod - cons;
		if (avail > XENSTORE_RING_SIZE)
			return -1;
		if (avail == 0) {
			/*
			 * A reply larger than the ring stalls until we say we
			 * made room: kick before sleeping, not only at the end.
			 */
			if (xsdfx_kick(c->daemon) || wait_daemon(c, deadline_ms))
				return -1;
			continue;
		}
		off = MASK_XENSTORE_IDX(cons);
		chunk = XENSTORE_RING_SIZE - off;
		if (chunk > avail)
			chunk = avail;
		if (chunk > len)
			chunk = (uint32_t)len;
		memcpy(p, (const char *)intf->rsp + off, chunk);
		/* Finish reading before handing the space back. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		intf->rsp_cons = cons + chunk;
		p += chunk;
		len -= chunk;
	}
	/* The daemon may be waiting for room in rsp[]. */
	return xsdfx_kick(c->daemon);
}

static const struct xs_transport ring_transport = {
	.name = "ring", .send = ring_send, .recv = ring_recv,
};

/* ---- connections ---- */

static void conn_open_socket(struct xs_conn *c, const struct xsdfx_daemon *d)
{
	memset(c, 0, sizeof(*c));
	c->transport = &socket_transport;
	c->daemon = d;
	c->next_req_id = 1;
	c->fd = xsdfx_connect(d);
	assert_true(c->fd >= 0);
}

static void conn_open_ring(struct xs_conn *c, const struct xsdfx_daemon *d)
{
	volatile struct xenstore_domain_interface *intf = d->ring;

	memset(c, 0, sizeof(*c));
	c->transport = &ring_transport;
	c->daemon = d;
	c->next_req_id = 0x1000;
	c->fd = -1;
	/* Earlier tests must have left the page idle and consistent. */
	assert_true(intf->req_prod - intf->req_cons <= XENSTORE_RING_SIZE);
	assert_int_equal(intf->rsp_prod, intf->rsp_cons);
}

static void conn_close(struct xs_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* ------------------------------------------------------------------ */
/* wire protocol                                                        */

static int read_msg(struct xs_conn *c, struct xs_msg *m, long deadline_ms)
{
	if (c->transport->recv(c, &m->hdr, sizeof(m->hdr), deadline_ms))
		return -1;
	if (m->hdr.len > XENSTORE_PAYLOAD_MAX)
		return -1; /* hostile or broken peer */
	if (c->transport->recv(c, m->body, m->hdr.len, deadline_ms))
		return -1;
	m->body[m->hdr.len] = '\0';
	return 0;
}

static void queue_event(struct xs_conn *c, const struct xs_msg *m)
{
	if (c->n_events == MAX_QUEUED_EVENTS) {
		memmove(&c->events[0], &c->events[1],
			sizeof(c->events[0]) * (MAX_QUEUED_EVENTS - 1));
		c->n_events--;
	}
	c->events[c->n_events++] = *m;
}

/* Sends one request and returns its reply in @reply (events are queued). */
static void request(struct xs_conn *c, enum xsd_sockmsg_type type,
		    uint32_t tx_id, const void *payload, uint32_t len,
		    struct xs_msg *reply)
{
	struct xsd_sockmsg hdr = {
		.type = type, .req_id = c->next_req_id++, .tx_id = tx_id,
		.len = len,
	};
	long deadline = monotonic_ms() + REPLY_TIMEOUT_MS;
	char buf[sizeof(hdr) + XENSTORE_PAYLOAD_MAX];

	assert_true(len <= XENSTORE_PAYLOAD_MAX);
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), payload, len);
	assert_int_equal(c->transport->send(c, buf, sizeof(hdr) + len, deadline), 0);
	for (;;) {
		assert_int_equal(read_msg(c, reply, deadline), 0);
		if (reply->hdr.type != XS_WATCH_EVENT)
			break;
		queue_event(c, reply);
	}
	assert_int_equal(reply->hdr.req_id, hdr.req_id);
	assert_int_equal(reply->hdr.tx_id, tx_id);
}

/* Payload "a\0b" (+ "\0" if @nul_after_b); returns its length. */
static uint32_t join(char *buf, size_t size, const char *a, const char *b,
		     bool nul_after_b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t len = la + 1 + lb + (nul_after_b ? 1 : 0);

	assert_true(len <= size);
	memcpy(buf, a, la + 1);
	memcpy(buf + la + 1, b, lb);
	if (nul_after_b)
		buf[la + 1 + lb] = '\0';
	return (uint32_t)len;
}

static void expect_ok(const struct xs_msg *reply, enum xsd_sockmsg_type type)
{
	if (reply->hdr.type == XS_ERROR)
		fail_msg("request %d failed: %s", type, reply->body);
	assert_int_equal(reply->hdr.type, type);
	assert_string_equal(reply->body, "OK");
}

static void expect_error(const struct xs_msg *reply, const char *err)
{
	assert_int_equal(reply->hdr.type, XS_ERROR);
	assert_string_equal(reply->body, err);
}

static void xs_write(struct xs_conn *c, uint32_t tx, const char *path,
		     const char *value, struct xs_msg *reply)
{
	char payload[XENSTORE_PAYLOAD_MAX];
	uint32_t len = join(payload, sizeof(payload), path, value, false);

	request(c, XS_WRITE, tx, payload, len, reply);
}

static void xs_read(struct xs_conn *c, uint32_t tx, const char *path,
		    struct xs_msg *reply)
{
	request(c, XS_READ, tx, path, (uint32_t)strlen(path) + 1, reply);
}

static void write_ok(struct xs_conn *c, uint32_t tx, const char *path,
		     const char *value)
{
	struct xs_msg reply;

	xs_write(c, tx, path, value, &reply);
	expect_ok(&reply, XS_WRITE);
}

/* The value is returned without a terminating NUL: check the length too. */
static void read_expect(struct xs_conn *c, uint32_t tx, const char *path,
			const char *value)
{
	struct xs_msg reply;

	xs_read(c, tx, path, &reply);
	if (reply.hdr.type == XS_ERROR)
		fail_msg("read %s: %s", path, reply.body);
	assert_int_equal(reply.hdr.type, XS_READ);
	assert_int_equal(reply.hdr.len, strlen(value));
	assert_memory_equal(reply.body, value, strlen(value));
}

/* True if the NUL-separated list in @m holds exactly @names (any order). */
static bool list_is(const struct xs_msg *m, const char *const *names,
		    size_t count)
{
	size_t found = 0, off = 0;

	while (off < m->hdr.len) {
		const char *entry = m->body + off;
		size_t i;

		for (i = 0; i < count && strcmp(entry, names[i]); i++)
			;
		if (i == count)
			return false;
		found++;
		off += strlen(entry) + 1;
	}
	return found == count;
}

static void directory_expect(struct xs_conn *c, const char *path,
			     const char *const *names, size_t count)
{
	struct xs_msg reply;

	request(c, XS_DIRECTORY, 0, path, (uint32_t)strlen(path) + 1, &reply);
	assert_int_equal(reply.hdr.type, XS_DIRECTORY);
	assert_true(list_is(&reply, names, count));
}

static uint32_t transaction_start(struct xs_conn *c)
{
	struct xs_msg reply;
	char *end;
	unsigned long id;

	request(c, XS_TRANSACTION_START, 0, "", 1, &reply);
	assert_int_equal(reply.hdr.type, XS_TRANSACTION_START);
	id = strtoul(reply.body, &end, 10);
	assert_true(end != reply.body && *end == '\0');
	assert_true(id != 0 && id <= UINT32_MAX);
	return (uint32_t)id;
}

static void transaction_end(struct xs_conn *c, uint32_t tx,
			    struct xs_msg *reply)
{
	request(c, XS_TRANSACTION_END, tx, "T", 2, reply);
}

/* Waits for the watch event (@path, @token), skipping other events. */
static void expect_event(struct xs_conn *c, const char *path,
			 const char *token)
{
	long deadline = monotonic_ms() + REPLY_TIMEOUT_MS;
	struct xs_msg m;

	for (;;) {
		if (c->n_events) {
			m = c->events[0];
			memmove(&c->events[0], &c->events[1],
				sizeof(c->events[0]) * --c->n_events);
		} else {
			assert_int_equal(read_msg(c, &m, deadline), 0);
		}
		assert_int_equal(m.hdr.type, XS_WATCH_EVENT);
		if (!strcmp(m.body, path)) {
			size_t plen = strlen(m.body);

			assert_true(plen + 1 < m.hdr.len);
			assert_string_equal(m.body + plen + 1, token);
			return;
		}
	}
}

/* ------------------------------------------------------------------ */
/* tests                                                                */

static void basic_ops(struct xs_conn *c, const char *dir)
{
	static const char *const names[] = { "alpha", "beta" };
	char a[64], b[64], missing[64];
	struct xs_msg reply;

	snprintf(a, sizeof(a), "%s/alpha", dir);
	snprintf(b, sizeof(b), "%s/beta", dir);
	snprintf(missing, sizeof(missing), "%s/missing", dir);

	write_ok(c, 0, a, "first value");
	write_ok(c, 0, b, "");
	read_expect(c, 0, a, "first value");
	read_expect(c, 0, b, "");
	write_ok(c, 0, a, "v2");
	read_expect(c, 0, a, "v2");
	directory_expect(c, dir, names, 2);

	xs_read(c, 0, missing, &reply);
	expect_error(&reply, "ENOENT");
}

static void test_socket_ops(void **state)
{
	const struct xsdfx_daemon *d = *state;
	struct xs_conn c;

	conn_open_socket(&c, d);
	basic_ops(&c, "/xsdfx/socket");
	conn_close(&c);
}

static void test_ring_ops(void **state)
{
	const struct xsdfx_daemon *d = *state;
	struct xs_conn ring, sock;

	conn_open_ring(&ring, d);
	basic_ops(&ring, "/xsdfx/ring");

	/* Same store behind both doors. */
	conn_open_socket(&sock, d);
	read_expect(&sock, 0, "/xsdfx/ring/alpha", "v2");
	write_ok(&sock, 0, "/xsdfx/ring/from-socket", "hello ring");
	read_expect(&ring, 0, "/xsdfx/ring/from-socket", "hello ring");
	conn_close(&sock);
	conn_close(&ring);
}

static void test_ring_large_message(void **state)
{
	const struct xsdfx_daemon *d = *state;
	/*
	 * Twice XENSTORE_RING_SIZE, so the request and the reply each wrap
	 * the ring; both daemons cap a node at 2048 bytes by default.
	 */
	static char value[2001];
	struct xs_conn c;

	memset(value, 'x', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	conn_open_ring(&c, d);
	write_ok(&c, 0, "/xsdfx/ring/large", value);
	read_expect(&c, 0, "/xsdfx/ring/large", value);
	conn_close(&c);
}

static void test_transaction_conflict(void **state)
{
	const struct xsdfx_daemon *d = *state;
	const char *key = "/xsdfx/tx/counter";
	struct xs_conn a, b;
	struct xs_msg reply;
	uint32_t tx_a, tx_b;

	conn_open_socket(&a, d);
	conn_open_socket(&b, d);
	write_ok(&a, 0, key, "0");

	tx_a = transaction_start(&a);
	tx_b = transaction_start(&b);
	read_expect(&a, tx_a, key, "0");
	read_expect(&b, tx_b, key, "0");
	write_ok(&a, tx_a, key, "1");
	write_ok(&b, tx_b, key, "2");

	/* Invisible outside the transaction until commit. */
	read_expect(&a, 0, key, "0");

	transaction_end(&a, tx_a, &reply);
	expect_ok(&reply, XS_TRANSACTION_END);
	transaction_end(&b, tx_b, &reply);
	expect_error(&reply, "EAGAIN");

	read_expect(&b, 0, key, "1");
	conn_close(&a);
	conn_close(&b);
}

static void test_watch_event_over_ring(void **state)
{
	const struct xsdfx_daemon *d = *state;
	const char *dir = "/xsdfx/watch";
	struct xs_conn ring, sock;
	struct xs_msg reply;
	char payload[128];
	uint32_t len;

	conn_open_socket(&sock, d);
	write_ok(&sock, 0, dir, "");
	conn_open_ring(&ring, d);

	len = join(payload, sizeof(payload), dir, "harness-token", true);
	request(&ring, XS_WATCH, 0, payload, len, &reply);
	expect_ok(&reply, XS_WATCH);
	/* Registration fires once for the watched path itself. */
	expect_event(&ring, dir, "harness-token");

	/* Another connection's write reaches us asynchronously. */
	write_ok(&sock, 0, "/xsdfx/watch/child", "x");
	expect_event(&ring, "/xsdfx/watch/child", "harness-token");

	request(&ring, XS_UNWATCH, 0, payload, len, &reply);
	expect_ok(&reply, XS_UNWATCH);
	conn_close(&sock);
	conn_close(&ring);
}

/* ------------------------------------------------------------------ */
/* groups: one daemon per group                                         */

static struct xsdfx_daemon the_daemon;

static int start_daemon(void **state, enum xsdfx_kind kind)
{
	if (xsdfx_start(&the_daemon, kind))
		return -1;
	printf("# %s daemon pid %d started in %ld ms\n", xsdfx_kind_name(kind),
	       (int)the_daemon.pid, the_daemon.start_ms);
	*state = &the_daemon;
	return 0;
}

static int start_c(void **state)
{
	return start_daemon(state, XSDFX_C);
}

static int start_ocaml(void **state)
{
	return start_daemon(state, XSDFX_OCAML);
}

/* Also runs after a failed start (cmocka calls it with *state unset). */
static int stop_daemon(void **state)
{
	struct xsdfx_daemon *d = &the_daemon;
	enum xsdfx_kind kind = d->kind;
	long t0 = monotonic_ms();
	int rc;

	(void)state;
	if (!d->workdir[0])
		return 0;
	rc = xsdfx_stop(d);

	printf("# %s daemon stopped in %ld ms\n", xsdfx_kind_name(kind),
	       monotonic_ms() - t0);
	return rc;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_socket_ops),
	cmocka_unit_test(test_ring_ops),
	cmocka_unit_test(test_ring_large_message),
	cmocka_unit_test(test_transaction_conflict),
	cmocka_unit_test(test_watch_event_over_ring),
};

static int run_for(const char *kind)
{
	if (!strcmp(kind, "c"))
		return cmocka_run_group_tests_name("xenstored-c", tests, start_c,
						   stop_daemon);
	if (!strcmp(kind, "ocaml"))
		return cmocka_run_group_tests_name("oxenstored", tests,
						   start_ocaml, stop_daemon);
	fprintf(stderr, "unknown daemon kind '%s' (want c or ocaml)\n", kind);
	return 1;
}

int main(int argc, char **argv)
{
	int failed = 0;
	int i;

	if (argc < 2)
		return run_for("c") + run_for("ocaml");
	for (i = 1; i < argc; i++)
		failed += run_for(argv[i]);
	return failed;
}
