/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * The xenstore client against a hostile server: malformed replies, huge
 * lengths, unknown req_ids, wrong types, unterminated strings, bad
 * numbers; the ring transport against a page whose indexes lie; the
 * dom0less late start through mocked HVM params. Run under ASan too: a
 * read or write out of bounds fails the build's sanitizer run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/xg_abi.h"
#include <xen/io/xs_wire.h>

#include <xenguest/error.h>
#include <xenguest/xenbus.h>
#include <xenguest/xenstore.h>

#include "hostile_server.h"
#include "../mock/mock_xen.h"
#include "xg_hosted.h"

static struct hs srv;
static struct xg_xs xs;

static int setup(void **state)
{
	struct xg_xs_config cfg;

	(void)state;
	xg_hosted_reset();
	xg_hosted_set_log_level(XG_LOG_ERR);
	memset(&cfg, 0, sizeof(cfg));
	hs_init(&srv, &cfg.transport);
	cfg.timeout_ns = 200000000ull; /* nothing here needs a real wait */
	return xg_xs_init(&xs, &cfg);
}

static int teardown(void **state)
{
	(void)state;
	assert_true(xg_hosted_check_balanced());
	return 0;
}

/* Submit a READ with a reply buffer of @size; returns its req_id. */
static uint32_t submit_read(struct xg_xs_req *req, char *buf, uint32_t size)
{
	memset(req, 0, sizeof(*req));
	req->reply = buf;
	req->reply_size = size;
	assert_int_equal(xg_xs_submit(&xs, req, XG_XS_READ, 0, "/k", 3, NULL,
				      0), 0);
	assert_int_equal(srv.last.type, XG_XS_READ);
	return srv.last.req_id;
}

static struct xg_xs_stats stats(void)
{
	struct xg_xs_stats st;

	xg_xs_stats(&xs, &st);
	return st;
}

static void test_good_reply_fragmented(void **state)
{
	struct xg_xs_req req;
	char buf[16];
	uint32_t id = submit_read(&req, buf, sizeof(buf));
	int i;

	(void)state;
	srv.chunk = 1;
	hs_push(&srv, XS_READ, id, "abc", 3);
	for (i = 0; i < 40 && !xg_xs_req_done(&req); i++)
		assert_true(xg_xs_poll(&xs) >= 0);
	assert_true(xg_xs_req_done(&req));
	assert_int_equal(req.error, 0);
	assert_int_equal(req.reply_len, 3);
	assert_string_equal(buf, "abc");
}

static void test_huge_length_breaks_stream(void **state)
{
	struct xg_xs_req req;
	char buf[16];
	uint32_t id = submit_read(&req, buf, sizeof(buf));

	(void)state;
	srv.reset_rc = XG_EIO; /* a transport that cannot start over */
	hs_push_raw(&srv, XS_READ, id, 0xffffffffu, "abc", 3);
	assert_int_equal(xg_xs_poll(&xs), XG_EBADMSG);
	assert_true(xg_xs_req_done(&req));
	assert_int_equal(req.error, XG_EIO);
	assert_int_equal(srv.resets, 1);
	/* Broken for good: new requests are refused, nothing is read. */
	assert_int_equal(xg_xs_submit(&xs, &req, XG_XS_READ, 0, "/k", 3, NULL,
				      0), XG_EBADMSG);
	assert_int_equal(xg_xs_read(&xs, 0, "/k", buf, sizeof(buf)),
			 XG_EBADMSG);
}

static void test_huge_length_then_reset_recovers(void **state)
{
	char buf[16];
	struct xg_xs_req req;
	uint32_t id = submit_read(&req, buf, sizeof(buf));

	(void)state;
	hs_push_raw(&srv, XS_READ, id, 70000, NULL, 0);
	assert_true(xg_xs_poll(&xs) >= 0); /* reset succeeded */
	assert_int_equal(req.error, XG_EIO);
	assert_int_equal(stats().resets, 1);
	srv.respond = hs_respond_ok;
	assert_int_equal(xg_xs_read(&xs, 0, "/k", buf, sizeof(buf)), 5);
	assert_string_equal(buf, "value");
}

/* Over the limit but framed: fail that request, skip, carry on. */
static void test_oversized_reply_skipped(void **state)
{
	static char big[9000];
	struct xg_xs_req a, b;
	char buf[16], buf2[16];
	uint32_t ida = submit_read(&a, buf, sizeof(buf));
	uint32_t idb = submit_read(&b, buf2, sizeof(buf2));

	(void)state;
	memset(big, 'x', sizeof(big));
	srv.chunk = 1000;
	hs_push(&srv, XS_READ, ida, big, sizeof(big));
	hs_push(&srv, XS_READ, idb, "ok", 2);
	while (!xg_xs_req_done(&b))
		assert_true(xg_xs_poll(&xs) >= 0);
	assert_int_equal(a.error, XG_E2BIG);
	assert_int_equal(b.error, 0);
	assert_string_equal(buf2, "ok");
	assert_int_equal(stats().oversized, 1);
	assert_int_equal(srv.resets, 0);
}

static void test_unknown_req_id_dropped(void **state)
{
	struct xg_xs_req req;
	char buf[16];
	uint32_t id = submit_read(&req, buf, sizeof(buf));

	(void)state;
	hs_push(&srv, XS_READ, id + 100, "evil", 4);
	hs_push(&srv, XS_READ, 0, "evil", 4);
	assert_int_equal(xg_xs_poll(&xs), 0);
	assert_false(xg_xs_req_done(&req));
	assert_int_equal(stats().unknown_replies, 2);
	hs_push(&srv, XS_READ, id, "good", 4);
	assert_int_equal(xg_xs_poll(&xs), 1);
	assert_string_equal(buf, "good");
	/* A second reply to a finished request is unknown too. */
	hs_push(&srv, XS_READ, id, "again", 5);
	assert_int_equal(xg_xs_poll(&xs), 0);
	assert_int_equal(stats().unknown_replies, 3);
	assert_string_equal(buf, "good");
}

static void test_wrong_type_rejected(void **state)
{
	struct xg_xs_req req;
	char buf[16];
	uint32_t id = submit_read(&req, buf, sizeof(buf));

	(void)state;
	hs_push(&srv, XS_DIRECTORY, id, "a\0b\0", 4);
	assert_int_equal(xg_xs_poll(&xs), 1);
	assert_int_equal(req.error, XG_EBADMSG);
	assert_int_equal(stats().bad_replies, 1);
}

static void test_error_strings(void **state)
{
	static const struct {
		const char *payload;
		uint32_t len;
		int expect;
	} cases[] = {
		{ "ENOENT", 7, XG_ENOENT },
		{ "EAGAIN", 7, XG_EAGAIN },
		{ "E2BIG", 6, XG_E2BIG },
		{ "EQUOTA", 7, XG_EIO },            /* unknown name */
		{ "ENOENT", 6, XG_EBADMSG },        /* unterminated */
		{ "EAVERYLONGERRORNAME", 20, XG_EIO },
		{ "", 0, XG_EBADMSG },
		{ "\0garbage", 9, XG_EIO },
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xg_xs_req req;
		char buf[16];
		uint32_t id = submit_read(&req, buf, sizeof(buf));

		hs_push(&srv, XS_ERROR, id, cases[i].payload, cases[i].len);
		assert_int_equal(xg_xs_poll(&xs), 1);
		assert_int_equal(req.error, cases[i].expect);
	}
}

static void test_reply_larger_than_buffer(void **state)
{
	struct xg_xs_req req;
	char buf[8];
	uint32_t id = submit_read(&req, buf, 4);

	(void)state;
	memset(buf, 'z', sizeof(buf));
	hs_push(&srv, XS_READ, id, "four", 4); /* needs 5 with the NUL */
	assert_int_equal(xg_xs_poll(&xs), 1);
	assert_int_equal(req.error, XG_ERANGE);
	assert_int_equal(req.reply_len, 4);
	assert_int_equal(buf[0], 'z');
}

/* Replies chosen by the test for every request, in order. */
struct script {
	uint32_t type;
	const char *payload;
	uint32_t len;
};
static const struct script *script_next;

static void respond_script(struct hs *s, const struct hs_msg *req)
{
	const struct script *r = script_next++;

	hs_push(s, r->type ? r->type : req->type, req->req_id, r->payload,
		r->len);
}

static int run_script(const struct script *replies)
{
	script_next = replies;
	srv.respond = respond_script;
	return 0;
}

static void test_bad_transaction_ids(void **state)
{
	static const struct script replies[] = {
		{ 0, "12a", 4 }, { 0, "0", 2 }, { 0, "99999999999", 12 },
		{ 0, "", 1 }, { 0, "5", 1 /* unterminated */ }, { 0, "42", 3 },
	};
	uint32_t tx = 0;

	(void)state;
	run_script(replies);
	assert_int_equal(xg_xs_transaction_start(&xs, &tx), XG_EBADMSG);
	assert_int_equal(xg_xs_transaction_start(&xs, &tx), XG_EBADMSG);
	assert_int_equal(xg_xs_transaction_start(&xs, &tx), XG_EBADMSG);
	assert_int_equal(xg_xs_transaction_start(&xs, &tx), XG_EBADMSG);
	/* "5" without NUL: copied and terminated by us, so it parses. */
	assert_int_equal(xg_xs_transaction_start(&xs, &tx), 0);
	assert_int_equal(tx, 5);
	assert_int_equal(xg_xs_transaction_start(&xs, &tx), 0);
	assert_int_equal(tx, 42);
}

static void test_bad_lists(void **state)
{
	static const struct script replies[] = {
		{ 0, "a\0b", 3 },                  /* unterminated list */
		{ 0, "x\0", 2 },
		{ XS_ERROR, "E2BIG", 6 },          /* DIRECTORY: too big */
		{ 0, "notanumber\0a\0", 13 },       /* PART: bad generation */
		{ XS_ERROR, "E2BIG", 6 },
		{ 0, "1\0a\0b", 5 },                /* PART: unterminated */
		{ XS_ERROR, "E2BIG", 6 },
		{ 0, "1\0", 2 },                    /* PART: no names, not last */
	};
	char buf[64];

	(void)state;
	run_script(replies);
	assert_int_equal(xg_xs_directory(&xs, 0, "/d", buf, sizeof(buf)),
			 XG_EBADMSG);
	assert_int_equal(xg_xs_directory(&xs, 0, "/d", buf, sizeof(buf)), 2);
	assert_int_equal(xg_xs_directory_all(&xs, 0, "/d", buf, sizeof(buf)),
			 XG_EBADMSG);
	assert_int_equal(xg_xs_directory_all(&xs, 0, "/d", buf, sizeof(buf)),
			 XG_EBADMSG);
	assert_int_equal(xg_xs_directory_all(&xs, 0, "/d", buf, sizeof(buf)),
			 XG_EBADMSG);
}

/* The node changes between parts: the listing starts over. */
static void test_directory_part_restart(void **state)
{
	static const struct script replies[] = {
		{ XS_ERROR, "E2BIG", 6 },
		{ 0, "1\0a\0b\0", 6 },
		{ 0, "2\0c\0\0", 5 },              /* generation moved */
		{ 0, "2\0a\0", 4 },
		{ 0, "2\0c\0\0", 5 },
	};
	char buf[64];

	(void)state;
	run_script(replies);
	assert_int_equal(xg_xs_directory_all(&xs, 0, "/d", buf, sizeof(buf)),
			 4);
	assert_memory_equal(buf, "a\0c\0", 4);
}

static unsigned watch_calls;

static void count_watch(struct xg_xs_watch *w, const char *path)
{
	(void)w;
	(void)path;
	watch_calls++;
}

static void test_malformed_watch_events(void **state)
{
	static char queue[32];
	struct xg_xs_watch w = { .path = "/w", .fn = count_watch,
				 .queue = queue, .queue_size = sizeof(queue) };
	char ev[64];

	(void)state;
	srv.respond = hs_respond_ok;
	assert_int_equal(xg_xs_watch_add(&xs, &w), 0);
	srv.respond = NULL;
	memcpy(ev, "/w\0", 3);
	memcpy(ev + 3, w.token_, 11);
	hs_push(&srv, XS_WATCH_EVENT, 0, ev, 14);            /* good */
	hs_push(&srv, XS_WATCH_EVENT, 0, "/w", 2);           /* no NUL */
	hs_push(&srv, XS_WATCH_EVENT, 0, ev, 13);            /* token cut */
	hs_push(&srv, XS_WATCH_EVENT, 0, "/w\0xg99999999", 14); /* stale */
	hs_push(&srv, XS_WATCH_EVENT, 0, "\0x", 3);          /* empty path */
	hs_push(&srv, XS_WATCH_EVENT, 0, "", 0);
	/* A path too long for the queue: dropped, not truncated. */
	memset(ev, 'p', 40);
	ev[40] = '\0';
	memcpy(ev + 41, w.token_, 11);
	hs_push(&srv, XS_WATCH_EVENT, 0, ev, 52);
	assert_int_equal(xg_xs_poll(&xs), 0);
	assert_int_equal(w.events, 2);
	assert_int_equal(w.dropped, 1);
	assert_int_equal(stats().bad_replies, 4);
	assert_int_equal(stats().stale_events, 1);
	xg_xs_run_watches(&xs);
	assert_int_equal(watch_calls, 1);
	/* The server forgot the watch: unwatch's ENOENT is fine. */
	static const struct script enoent[] = { { XS_ERROR, "ENOENT", 7 } };
	run_script(enoent);
	assert_int_equal(xg_xs_watch_remove(&xs, &w), 0);
	assert_int_equal(xg_xs_watch_remove(&xs, &w), 0);
	assert_int_equal(srv.requests, 2);
}

/* After a reset the client registers its watches again by itself. */
static void test_rewatch_after_reset(void **state)
{
	struct xg_xs_watch w = { .path = "/w" };

	(void)state;
	srv.respond = hs_respond_ok;
	assert_int_equal(xg_xs_watch_add(&xs, &w), 0);
	assert_int_equal(srv.requests, 1);
	assert_int_equal(xg_xs_reset(&xs), 0);
	assert_int_equal(srv.requests, 2);
	assert_int_equal(srv.last.type, XG_XS_WATCH);
	assert_true(xg_xs_poll(&xs) >= 0);
	assert_true(xg_xs_req_done(&w.req_));
	assert_int_equal(w.req_.error, 0);
	assert_true(w.registered_);
	assert_int_equal(xg_xs_watch_remove(&xs, &w), 0);
}

static void test_timeout_cancels(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(xg_xs_read(&xs, 0, "/k", buf, sizeof(buf)),
			 XG_ETIMEDOUT);
	/* The late reply is unknown now, not written to a dead buffer. */
	hs_push(&srv, XS_READ, srv.last.req_id, "late", 4);
	assert_int_equal(xg_xs_poll(&xs), 0);
	assert_int_equal(stats().unknown_replies, 1);
}

static void test_argument_checks(void **state)
{
	static char big[XG_XS_PAYLOAD_MAX + 1];
	struct xg_xs_req req;
	char path[XG_XS_ABS_PATH_MAX + 10];
	struct xg_xs_config cfg;

	(void)state;
	memset(&req, 0, sizeof(req));
	assert_int_equal(xg_xs_submit(&xs, &req, XG_XS_WRITE, 0, "/k", 3, big,
				      sizeof(big)), XG_EMSGSIZE);
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(xg_xs_read(&xs, 0, path, big, 8), XG_ENAMETOOLONG);
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(xg_xs_init(&xs, &cfg), XG_EINVAL);
	assert_int_equal(srv.requests, 0);
}

/* ---- the ring against a lying page ----------------------------------------- */

static struct xenstore_domain_interface page
	__attribute__((aligned(4096)));
static unsigned kicks;

static void ring_kick(void *arg)
{
	(void)arg;
	kicks++;
}

/* A fresh page whose indexes start at @req and @rsp. */
static void ring_setup_at(struct xg_xs_ring *r, uint32_t req, uint32_t rsp)
{
	struct xg_xs_config cfg;

	memset(&page, 0, sizeof(page));
	page.req_cons = page.req_prod = req;
	page.rsp_cons = page.rsp_prod = rsp;
	memset(&cfg, 0, sizeof(cfg));
	kicks = 0;
	assert_int_equal(xg_xs_ring_init(r, &page, ring_kick, NULL, NULL,
					 &cfg.transport), 0);
	cfg.timeout_ns = 100000000ull;
	assert_int_equal(xg_xs_init(&xs, &cfg), 0);
}

static void ring_setup(struct xg_xs_ring *r)
{
	ring_setup_at(r, 0, 0);
}

/* Server side: put a reply into rsp[]. */
static void ring_reply(uint32_t type, uint32_t id, const char *p, uint32_t n)
{
	struct xsd_sockmsg h = { type, id, 0, n };
	char msg[64];
	uint32_t i;

	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), p, n);
	for (i = 0; i < sizeof(h) + n; i++)
		page.rsp[MASK_XENSTORE_IDX(page.rsp_prod + i)] = msg[i];
	page.rsp_prod += sizeof(h) + n;
}

static void test_ring_roundtrip_and_lies(void **state)
{
	struct xg_xs_ring r;
	struct xg_xs_req req;
	struct xsd_sockmsg h;
	char buf[16];

	(void)state;
	/* Indexes near the wrap point: the header straddles it. */
	ring_setup_at(&r, 0xfffffff0u, 0xfffffff8u);
	memset(&req, 0, sizeof(req));
	req.reply = buf;
	req.reply_size = sizeof(buf);
	assert_int_equal(xg_xs_submit(&xs, &req, XG_XS_READ, 0, "/k", 3, NULL,
				      0), 0);
	assert_int_equal(page.req_prod, 0xfffffff0u + 19);
	assert_int_equal(kicks, 1);
	{
		char got[19];
		uint32_t i;

		for (i = 0; i < 19; i++)
			got[i] = page.req[MASK_XENSTORE_IDX(0xfffffff0u + i)];
		memcpy(&h, got, sizeof(h));
		assert_int_equal(h.type, XS_READ);
		assert_memory_equal(got + 16, "/k", 3);
	}
	/* The server scribbles on our own indexes: ignored. */
	page.req_prod = 12345;
	page.rsp_cons = 777;
	ring_reply(XS_READ, h.req_id, "v", 1);
	assert_int_equal(xg_xs_poll(&xs), 1);
	assert_string_equal(buf, "v");
	assert_int_equal(page.rsp_cons, page.rsp_prod);
}

static void test_ring_producer_too_far_ahead(void **state)
{
	struct xg_xs_ring r;
	char buf[8];

	(void)state;
	ring_setup(&r);
	page.rsp_prod = XENSTORE_RING_SIZE + 1;
	assert_int_equal(xg_xs_read(&xs, 0, "/k", buf, sizeof(buf)), XG_EIO);
	assert_int_equal(stats().resets, 1);
	/* No RECONNECTION feature: the client stays broken. */
	assert_int_equal(xg_xs_read(&xs, 0, "/k", buf, sizeof(buf)), XG_EIO);
}

static void test_ring_consumer_lies(void **state)
{
	struct xg_xs_ring r;
	char buf[8];

	(void)state;
	ring_setup(&r);
	page.req_cons = 0x80000000u; /* "consumed" bytes never produced */
	assert_int_equal(xg_xs_read(&xs, 0, "/k", buf, sizeof(buf)), XG_EIO);
}

static void test_ring_reconnect(void **state)
{
	struct xg_xs_ring r;
	struct xg_xs_req req;
	char buf[8];

	(void)state;
	ring_setup(&r);
	page.server_features = XENSTORE_SERVER_FEATURE_RECONNECTION;
	memset(&req, 0, sizeof(req));
	req.reply = buf;
	req.reply_size = sizeof(buf);
	assert_int_equal(xg_xs_submit(&xs, &req, XG_XS_READ, 0, "/k", 3, NULL,
				      0), 0);
	page.rsp_prod = 5000; /* corrupt */
	assert_int_equal(xg_xs_poll(&xs), 1);
	assert_int_equal(req.error, XG_EIO);
	assert_int_equal(page.connection, XENSTORE_RECONNECT);
	/* Until the server answers, nothing moves. */
	assert_int_equal(xg_xs_submit(&xs, &req, XG_XS_READ, 0, "/k", 3, NULL,
				      0), 0);
	assert_int_equal(page.req_prod, 19);
	/* The server resets the page and says CONNECTED. */
	memset(&page, 0, offsetof(struct xenstore_domain_interface,
				  server_features));
	page.connection = XENSTORE_CONNECTED;
	assert_int_equal(xg_xs_poll(&xs), 0);
	assert_int_equal(page.req_prod, 19);
	ring_reply(XS_READ, 2, "ok", 2);
	assert_int_equal(xg_xs_poll(&xs), 1);
	assert_int_equal(req.error, 0);
	assert_string_equal(buf, "ok");
}

static void test_ring_error_word(void **state)
{
	struct xg_xs_ring r;
	char buf[8];

	(void)state;
	ring_setup(&r);
	page.server_features = XENSTORE_SERVER_FEATURE_ERROR;
	page.error = XENSTORE_ERROR_RINGIDX;
	assert_int_equal(xg_xs_read(&xs, 0, "/k", buf, sizeof(buf)), XG_EIO);
}

/* ---- dom0less late start ---------------------------------------------------- */

static uint64_t param_value[2];
static unsigned param_calls;

static int check_param(const LargestIntegralType value,
		       const LargestIntegralType data)
{
	const struct xen_hvm_param *p = (const void *)(uintptr_t)value;

	return p->domid == DOMID_SELF && p->index == (uint32_t)data;
}

static void param_effect(unsigned long a1, unsigned long a2, unsigned long a3)
{
	struct xen_hvm_param *p = (void *)a2;

	(void)a1;
	(void)a3;
	p->value = param_value[p->index == HVM_PARAM_STORE_PFN];
	param_calls++;
}

static void expect_params(uint64_t evtchn, uint64_t pfn)
{
	param_value[0] = evtchn;
	param_value[1] = pfn;
	expect_hc_fx(__HYPERVISOR_hvm_op, HVMOP_get_param, check_param,
		     HVM_PARAM_STORE_EVTCHN, 0, param_effect, 0);
	expect_hc_fx(__HYPERVISOR_hvm_op, HVMOP_get_param, check_param,
		     HVM_PARAM_STORE_PFN, 0, param_effect, 0);
}

static void test_store_params(void **state)
{
	uint64_t gfn = 0;
	uint32_t port = 0;

	(void)state;
	expect_params(3, 0xfeffc);
	assert_int_equal(xg_xs_store_params(&gfn, &port), 0);
	assert_int_equal(gfn, 0xfeffc);
	assert_int_equal(port, 3);
	expect_params(3, ~0ull);
	assert_int_equal(xg_xs_store_params(&gfn, &port), XG_EAGAIN);
	expect_params(0, 0);
	assert_int_equal(xg_xs_store_params(&gfn, &port), XG_ENODEV);
	expect_hc_fx(__HYPERVISOR_hvm_op, HVMOP_get_param, check_param,
		     HVM_PARAM_STORE_EVTCHN, 0, NULL, XG_EINVAL);
	assert_int_equal(xg_xs_store_params(&gfn, &port), XG_EINVAL);
}

/* The page appears on the third look; each look follows an event. */
static void late_effect(unsigned long a1, unsigned long a2, unsigned long a3)
{
	struct xen_hvm_param *p = (void *)a2;

	(void)a1;
	(void)a3;
	param_calls++;
	if (p->index == HVM_PARAM_STORE_EVTCHN)
		p->value = 9;
	else
		p->value = param_calls >= 6 ? 0x1234 : ~0ull;
	xg_xs_store_event();
}

static void test_store_late_start(void **state)
{
	uint64_t gfn = 0;
	uint32_t port = 0;
	int i;

	(void)state;
	param_calls = 0;
	for (i = 0; i < 3; i++) {
		expect_hc_fx(__HYPERVISOR_hvm_op, HVMOP_get_param, check_param,
			     HVM_PARAM_STORE_EVTCHN, 0, late_effect, 0);
		expect_hc_fx(__HYPERVISOR_hvm_op, HVMOP_get_param, check_param,
			     HVM_PARAM_STORE_PFN, 0, late_effect, 0);
	}
	assert_int_equal(xg_xs_store_wait(&gfn, &port, 5000000000ull), 0);
	assert_int_equal(gfn, 0x1234);
	assert_int_equal(port, 9);
}

/* ---- xenbus helpers on bad values ------------------------------------------ */

static void test_xenbus_bad_values(void **state)
{
	static const struct script replies[] = {
		{ 0, "99", 2 },                    /* state out of range */
		{ 0, "4x", 2 },                    /* not a number */
		{ XS_ERROR, "ENOENT", 7 },         /* no state node */
		{ XS_ERROR, "EACCES", 7 },         /* a real error */
		{ 0, "1x", 2 },                    /* feature: not a number */
		{ 0, "18446744073709551616", 20 }, /* overflows u64 */
		{ 0, "12345678901234567890123", 23 }, /* longer than buffer */
	};
	enum xg_xenbus_state st = XG_XENBUS_CONNECTED;
	char dir[300];
	uint64_t v;

	(void)state;
	run_script(replies);
	assert_int_equal(xg_xenbus_read_state(&xs, "/d", &st), 0);
	assert_int_equal(st, XG_XENBUS_UNKNOWN);
	assert_int_equal(xg_xenbus_read_state(&xs, "/d", &st), 0);
	assert_int_equal(st, XG_XENBUS_UNKNOWN);
	assert_int_equal(xg_xenbus_read_state(&xs, "/d", &st), 0);
	assert_int_equal(st, XG_XENBUS_UNKNOWN);
	assert_int_equal(xg_xenbus_read_state(&xs, "/d", &st), XG_EACCES);
	assert_false(xg_xenbus_read_feature(&xs, "/d", "feature-x"));
	assert_int_equal(xg_xenbus_read_u64(&xs, 0, "/d", "n", &v), XG_EINVAL);
	assert_int_equal(xg_xenbus_read_u64(&xs, 0, "/d", "n", &v), XG_EINVAL);
	assert_int_equal(srv.requests, 7);
	/* Paths too long for the helpers never reach the server. */
	memset(dir, 'd', sizeof(dir) - 1);
	dir[0] = '/';
	dir[sizeof(dir) - 1] = '\0';
	assert_int_equal(xg_xenbus_printf(&xs, 0, dir, "k", "%u", 1u),
			 XG_ENAMETOOLONG);
	assert_int_equal(xg_xenbus_read_u64(&xs, 0, dir, "k", &v),
			 XG_ENAMETOOLONG);
	assert_int_equal(srv.requests, 7);
}

/* ---- the formatter --------------------------------------------------------- */

static void test_format(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(xg_xenbus_format(buf, sizeof(buf), "%d|%u|%x|%s|%c%%",
					  -42, 7u, 0xabcu, "str", 'z'), 16);
	assert_string_equal(buf, "-42|7|abc|str|z%");
	assert_int_equal(xg_xenbus_format(buf, sizeof(buf), "%llu|%lx|%zu",
					  18446744073709551615ull, 0xfffful,
					  (size_t)5), 27);
	assert_string_equal(buf, "18446744073709551615|ffff|5");
	assert_int_equal(xg_xenbus_format(buf, 4, "%s", "toolong"), XG_ERANGE);
	assert_string_equal(buf, "too");
	{
		/* Not a literal, so the compiler cannot object to it. */
		const char *bad = getenv("XG_NO_SUCH_VAR") ? "%d" : "%q";

		assert_int_equal(xg_xenbus_format(buf, sizeof(buf), bad),
				 XG_EINVAL);
	}
	assert_int_equal(xg_xenbus_format(buf, sizeof(buf), "%d",
					  (int)-2147483647 - 1), 11);
	assert_string_equal(buf, "-2147483648");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_good_reply_fragmented),
		T(test_huge_length_breaks_stream),
		T(test_huge_length_then_reset_recovers),
		T(test_oversized_reply_skipped),
		T(test_unknown_req_id_dropped),
		T(test_wrong_type_rejected),
		T(test_error_strings),
		T(test_reply_larger_than_buffer),
		T(test_bad_transaction_ids),
		T(test_bad_lists),
		T(test_directory_part_restart),
		T(test_malformed_watch_events),
		T(test_rewatch_after_reset),
		T(test_timeout_cancels),
		T(test_argument_checks),
		T(test_ring_roundtrip_and_lies),
		T(test_ring_producer_too_far_ahead),
		T(test_ring_consumer_lies),
		T(test_ring_reconnect),
		T(test_ring_error_word),
		T(test_store_params),
		T(test_store_late_start),
		T(test_xenbus_bad_values),
		T(test_format),
#undef T
	};

	return cmocka_run_group_tests_name("xs-hostile", tests, NULL, NULL);
}
