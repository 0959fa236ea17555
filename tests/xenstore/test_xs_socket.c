/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The hosted Unix-socket transport (ports/hosted/xs_socket.c) against a
 * scripted server in a child process: replies split across writes and
 * pauses (as C xenstored writes header and payload separately), several
 * replies in one write, a length the wait hook's stash cannot hold, and a
 * connection that ends inside a message. The wait hook receives whatever
 * has arrived in one recv(), which may end anywhere in a message, and the
 * read hook hands its stash over before the socket: every case here
 * checks that no byte is lost, duplicated or believed early. Every case
 * runs twice: waits that block in recv() at once, and waits that poll
 * with non-blocking recv()s first (the hosted poller, trained to poll).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <xenguest/error.h>
#include <xenguest/xenstore.h>

#include "xg_hosted.h"

#define HDR 16u

static char sock_path[108];
static int listen_fd = -1;
static pid_t server_pid = -1;
static struct xg_hosted_xs_socket sock;
static struct xg_xs xs;
/* The poll window of the group running; 0: every wait sleeps at once. */
static uint64_t poll_window;
#define TRAINED_POLL_COST 1001u

/* ---- the scripted server (child process) ------------------------------ */

typedef void (*script_fn)(int fd);

static void pause_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static void put(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			_exit(3);
		p += n;
		len -= (size_t)n;
	}
}

/* One request from the client; returns its header (payload discarded). */
static void get_request(int fd, uint32_t hdr[4])
{
	char payload[4096];

	if (recv(fd, hdr, HDR, MSG_WAITALL) != HDR || hdr[3] > sizeof(payload) ||
	    (hdr[3] && recv(fd, payload, hdr[3], MSG_WAITALL) != hdr[3]))
		_exit(4);
}

/* A reply to @req carrying @value (with its NUL), into @out. */
static size_t make_reply(char *out, const uint32_t req[4], const char *value)
{
	uint32_t hdr[4] = { req[0], req[1], req[2],
			    (uint32_t)strlen(value) + 1 };

	memcpy(out, hdr, HDR);
	memcpy(out + HDR, value, hdr[3]);
	return HDR + hdr[3];
}

static void start_server(script_fn script)
{
	server_pid = fork();
	assert_true(server_pid >= 0);
	if (server_pid == 0) {
		int fd;

		alarm(20); /* never outlive a broken test */
		fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			_exit(2);
		script(fd);
		pause_us(50000); /* let the client read before EOF */
		_exit(0);
	}
}

/* The child must have run its whole script. */
static void reap_server(void)
{
	int status;

	assert_int_equal(waitpid(server_pid, &status, 0), server_pid);
	server_pid = -1;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- fixture ---------------------------------------------------------- */

static int setup(void **state)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	(void)state;
	xg_hosted_reset();
	xg_hosted_set_log_level(XG_LOG_ERR);
	snprintf(sock_path, sizeof(sock_path), "/tmp/xg-xs-socket-%d",
		 (int)getpid());
	unlink(sock_path);
	strcpy(addr.sun_path, sock_path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listen_fd < 0 ||
	    bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(listen_fd, 4))
		return -1;
	return 0;
}

static void connect_client(script_fn script)
{
	struct xg_xs_config cfg;

	start_server(script);
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(xg_hosted_xs_socket_open(&sock, sock_path,
						  &cfg.transport), 0);
	xg_hosted_poll_init(&sock.poll, poll_window);
	if (poll_window != 0) {
		/* Sleeping measured slow, polling fast: waits poll. */
		xg_hosted_poll_finish(&sock.poll, XG_HOSTED_SLEEP, 1,
				      1000000001ull, 1);
		xg_hosted_poll_finish(&sock.poll, XG_HOSTED_POLL, 2000000000ull,
				      2000001000ull, 1);
		assert_int_equal(sock.poll.cost_ns[XG_HOSTED_POLL],
				 TRAINED_POLL_COST);
		sock.poll.last_end_ns = 0; /* that was not a real clock */
	}
	cfg.timeout_ns = 5000000000ull;
	assert_int_equal(xg_xs_init(&xs, &cfg), 0);
}

static int teardown(void **state)
{
	(void)state;
	xg_hosted_xs_socket_close(&sock);
	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
		server_pid = -1;
	}
	close(listen_fd);
	unlink(sock_path);
	return 0;
}

/* ---- replies split across writes -------------------------------------- */

/* Header alone, a pause, then the payload in three pieces. */
static void script_split(int fd)
{
	uint32_t req[4];
	char out[64];
	size_t len;

	get_request(fd, req);
	len = make_reply(out, req, "split-value");
	put(fd, out, HDR);
	pause_us(20000);
	put(fd, out + HDR, 2);
	pause_us(5000);
	put(fd, out + HDR + 2, 3);
	pause_us(5000);
	put(fd, out + HDR + 5, len - HDR - 5);
}

static void test_split_reply(void **state)
{
	char buf[32];

	(void)state;
	connect_client(script_split);
	assert_int_equal(xg_xs_read(&xs, 0, "/k", buf, sizeof(buf)), 12);
	assert_string_equal(buf, "split-value");
	reap_server();
}

/* A header that arrives in two pieces, the payload after a pause. */
static void script_split_header(int fd)
{
	uint32_t req[4];
	char out[64];
	size_t len;

	get_request(fd, req);
	len = make_reply(out, req, "hv");
	put(fd, out, 7);
	pause_us(10000);
	put(fd, out + 7, HDR - 7);
	pause_us(10000);
	put(fd, out + HDR, len - HDR);
}

static void test_split_header(void **state)
{
	char buf[8];

	(void)state;
	connect_client(script_split_header);
	assert_int_equal(xg_xs_read(&xs, 0, "/k", buf, sizeof(buf)), 3);
	assert_string_equal(buf, "hv");
	reap_server();
}

/* ---- several replies at once ------------------------------------------ */

#define BATCH 5

/* All requests first, then every reply (in reverse order) in one write,
 * the last one cut short and finished after a pause. */
static void script_batch(int fd)
{
	uint32_t req[BATCH][4];
	char out[BATCH * 64], value[16];
	size_t len = 0;
	int i;

	for (i = 0; i < BATCH; i++)
		get_request(fd, req[i]);
	for (i = BATCH - 1; i >= 0; i--) {
		snprintf(value, sizeof(value), "reply%d", i);
		len += make_reply(out + len, req[i], value);
	}
	put(fd, out, len - 4);
	pause_us(20000);
	put(fd, out + len - 4, 4);
}

static void test_batched_replies(void **state)
{
	struct xg_xs_req req[BATCH];
	char buf[BATCH][16], want[16];
	int i;

	(void)state;
	connect_client(script_batch);
	for (i = 0; i < BATCH; i++) {
		memset(&req[i], 0, sizeof(req[i]));
		req[i].reply = buf[i];
		req[i].reply_size = sizeof(buf[i]);
		assert_int_equal(xg_xs_submit(&xs, &req[i], XG_XS_READ, 0, "/k",
					      3, NULL, 0), 0);
	}
	for (i = 0; i < BATCH; i++) {
		assert_int_equal(xg_xs_wait(&xs, &req[i]), 0);
		snprintf(want, sizeof(want), "reply%d", i);
		assert_string_equal(buf[i], want);
	}
	reap_server();
}

/* ---- lengths the stash cannot hold ------------------------------------ */

/* A reply announcing 20000 bytes (more than XENSTORE_PAYLOAD_MAX and than
 * the wait hook's stash), sent in full, then a good one. The client skips
 * the big one (XG_E2BIG) and stays in step. */
static void script_oversized(int fd)
{
	static char big[20000];
	uint32_t req[4], hdr[4];
	char out[64];

	get_request(fd, req);
	memcpy(hdr, req, sizeof(hdr));
	hdr[3] = sizeof(big);
	put(fd, hdr, HDR);
	pause_us(5000);
	put(fd, big, sizeof(big));
	get_request(fd, req);
	put(fd, out, make_reply(out, req, "after"));
}

static void test_oversized_reply(void **state)
{
	char buf[16];

	(void)state;
	connect_client(script_oversized);
	assert_int_equal(xg_xs_read(&xs, 0, "/k", buf, sizeof(buf)), XG_E2BIG);
	assert_int_equal(xg_xs_read(&xs, 0, "/k", buf, sizeof(buf)), 6);
	assert_string_equal(buf, "after");
	reap_server();
}

/* ---- the connection ends inside a message ----------------------------- */

static void script_eof_mid_message(int fd)
{
	uint32_t req[4];
	char out[64];

	get_request(fd, req);
	make_reply(out, req, "never-finished");
	put(fd, out, HDR + 3);
	close(fd);
	/* The client reconnects: answer there. */
	fd = accept(listen_fd, NULL, NULL);
	if (fd < 0)
		_exit(5);
	get_request(fd, req);
	put(fd, out, make_reply(out, req, "fresh"));
}

static void test_eof_mid_message(void **state)
{
	char buf[32];
	int rc;

	(void)state;
	connect_client(script_eof_mid_message);
	rc = xg_xs_read(&xs, 0, "/k", buf, sizeof(buf));
	assert_true(rc == XG_EIO || rc == XG_ENOTCONN);
	/* reset() reconnected: the next request gets a fresh stream. */
	assert_int_equal(xg_xs_read(&xs, 0, "/k", buf, sizeof(buf)), 6);
	assert_string_equal(buf, "fresh");
	reap_server();
}

static int group_sleeping(void **state)
{
	(void)state;
	poll_window = 0;
	return 0;
}

/* A window longer than any pause in the scripts: replies are caught by
 * polling, and a polled wait must have been measured. */
static int group_polling(void **state)
{
	(void)state;
	poll_window = 1000000000ull;
	return 0;
}

static int teardown_polling(void **state)
{
	bool polled = sock.poll.cost_ns[XG_HOSTED_POLL] != TRAINED_POLL_COST;

	teardown(state);
	return polled ? 0 : -1;
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TP(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown_polling)
#define CASES(X)                                                               \
	X(test_split_reply), X(test_split_header), X(test_batched_replies),    \
	X(test_oversized_reply), X(test_eof_mid_message)
	const struct CMUnitTest sleeping[] = { CASES(T) };
	const struct CMUnitTest polling[] = { CASES(TP) };
#undef CASES
#undef TP
#undef T
	int failed;

	signal(SIGPIPE, SIG_IGN);
	failed = cmocka_run_group_tests_name("xs-socket sleeping", sleeping,
					     group_sleeping, NULL);
	failed += cmocka_run_group_tests_name("xs-socket polling", polling,
					      group_polling, NULL);
	return failed;
}
