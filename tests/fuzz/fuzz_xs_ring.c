/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * libFuzzer target: arbitrary server-side contents of the xenstore ring
 * page (response bytes, both server indexes, the features, connection and
 * error words), applied in rounds to a client that has a watch registered
 * and several requests in flight. The client must neither crash nor read
 * or write out of bounds (ASan), whatever the page says.
 *
 * Each round takes 16 bytes of control words then up to 1024 ring bytes:
 *   u32 rsp_prod advance, u32 req_cons advance, u32 features,
 *   u32 connection (low byte) / error (next byte) / flags, ring bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../src/xg_abi.h"
#include <xen/io/xs_wire.h>

#include <xenguest/error.h>
#include <xenguest/xenstore.h>

#include "xg_hosted.h"

#define NREQ 6

static struct xenstore_domain_interface page __attribute__((aligned(4096)));
static struct xg_xs xs;
static struct xg_xs_ring ring;
static struct xg_xs_req reqs[NREQ];
static char replies[NREQ][64];
static char queue[96];
static struct xg_xs_watch watch;

static void kick(void *arg)
{
	(void)arg;
}

static void on_event(struct xg_xs_watch *w, const char *path)
{
	/* Touch every byte: ASan checks the string is in bounds. */
	(void)w;
	(void)strlen(path);
}

/* Server side: a well-formed reply at the current producer index. */
static void put_reply(uint32_t type, uint32_t id, const char *p, uint32_t n)
{
	struct xsd_sockmsg h = { type, id, 0, n };
	const char *hp = (const char *)&h;
	uint32_t i;

	for (i = 0; i < sizeof(h) + n; i++)
		page.rsp[MASK_XENSTORE_IDX(page.rsp_prod + i)] =
			i < sizeof(h) ? hp[i] : p[i - sizeof(h)];
	page.rsp_prod += sizeof(h) + n;
}

static void set_up(void)
{
	struct xg_xs_config cfg;
	static const uint32_t sizes[NREQ] = { 64, 1, 8, 64, 16, 0 };
	static const uint32_t types[NREQ] = {
		XG_XS_READ, XG_XS_READ, XG_XS_DIRECTORY,
		XG_XS_TRANSACTION_START, XG_XS_GET_PERMS, XG_XS_WRITE,
	};
	unsigned i;

	memset(&page, 0, sizeof(page));
	memset(&cfg, 0, sizeof(cfg));
	xg_xs_ring_init(&ring, &page, kick, NULL, NULL, &cfg.transport);
	cfg.timeout_ns = 1000000;
	xg_xs_init(&xs, &cfg);

	/* Register a watch: its OK is already waiting in the ring. */
	memset(&watch, 0, sizeof(watch));
	watch.path = "/w";
	watch.fn = on_event;
	watch.queue = queue;
	watch.queue_size = sizeof(queue);
	put_reply(XS_WATCH, 1, "OK", 3);
	xg_xs_watch_add(&xs, &watch);

	memset(reqs, 0, sizeof(reqs));
	for (i = 0; i < NREQ; i++) {
		reqs[i].reply = sizes[i] ? replies[i] : NULL;
		reqs[i].reply_size = sizes[i];
		xg_xs_submit(&xs, &reqs[i], types[i], 0, "/k", 3,
			     types[i] == XG_XS_WRITE ? "v" : NULL, 1);
	}
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned i;

	xg_hosted_reset();
	xg_hosted_set_log_level(XG_LOG_ERR);
	set_up();
	while (size >= 16) {
		uint32_t advance = get32(data), cons = get32(data + 4);
		uint32_t ctl = get32(data + 12);
		size_t n = size - 16 < XENSTORE_RING_SIZE ? size - 16
							 : XENSTORE_RING_SIZE;

		for (i = 0; i < n; i++)
			page.rsp[MASK_XENSTORE_IDX(page.rsp_prod + i)] =
				(char)data[16 + i];
		/* Mostly plausible advances, sometimes wild ones. */
		page.rsp_prod += (ctl & 0x10000) ? advance : advance % (n + 1);
		page.req_cons += (ctl & 0x20000) ? cons : 0;
		page.server_features = get32(data + 8) & 3;
		page.connection = ctl & 1;
		page.error = (ctl >> 8) & 3;
		(void)xg_xs_poll(&xs);
		xg_xs_run_watches(&xs);
		if (ctl & 0x40000) {
			/* The server finished a reconnection. */
			page.req_cons = page.req_prod = 0;
			page.rsp_cons = page.rsp_prod = 0;
			page.connection = XENSTORE_CONNECTED;
			(void)xg_xs_poll(&xs);
		}
		data += 16 + n;
		size -= 16 + n;
	}
	for (i = 0; i < NREQ; i++) {
		if (xg_xs_req_done(&reqs[i]) && reqs[i].error == 0 &&
		    reqs[i].reply != NULL &&
		    strlen(reqs[i].reply) > reqs[i].reply_len)
			__builtin_trap(); /* the NUL we promise is missing */
		(void)xg_xs_cancel(&xs, &reqs[i]);
	}
	/* xg_xs_init() starts the next run afresh: nothing to undo. */
	return 0;
}
