/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
#include "hostile_server.h"

#include <assert.h>
#include <string.h>

static int hs_write(void *ctx, const void *buf, size_t len)
{
	struct hs *s = ctx;

	if (s->write_room && len > s->write_room)
		len = s->write_room;
	assert(s->in_len + len <= sizeof(s->in));
	memcpy(s->in + s->in_len, buf, len);
	s->in_len += len;
	while (s->in_len - s->in_parsed >= 16) {
		struct hs_msg m;

		memcpy(&m, s->in + s->in_parsed, 16);
		if (s->in_len - s->in_parsed < 16 + (size_t)m.len)
			break;
		m.payload = (const char *)s->in + s->in_parsed + 16;
		s->in_parsed += 16 + (size_t)m.len;
		s->requests++;
		s->last = m;
		s->last.payload = NULL;
		if (s->respond)
			s->respond(s, &m);
	}
	return (int)len;
}

static int hs_read(void *ctx, void *buf, size_t len)
{
	struct hs *s = ctx;
	size_t n = s->out_len - s->out_off;

	if (s->read_error)
		return s->read_error;
	if (n > len)
		n = len;
	if (s->chunk && n > s->chunk)
		n = s->chunk;
	memcpy(buf, s->out + s->out_off, n);
	s->out_off += n;
	return (int)n;
}

static int hs_reset(void *ctx)
{
	struct hs *s = ctx;

	s->resets++;
	s->out_len = s->out_off = 0;
	s->in_len = s->in_parsed = 0;
	return s->reset_rc;
}

void hs_init(struct hs *s, struct xg_xs_transport *tp)
{
	memset(s, 0, sizeof(*s));
	memset(tp, 0, sizeof(*tp));
	tp->write = hs_write;
	tp->read = hs_read;
	tp->reset = hs_reset;
	tp->ctx = s;
}

void hs_push_bytes(struct hs *s, const void *bytes, size_t len)
{
	assert(s->out_len + len <= sizeof(s->out));
	memcpy(s->out + s->out_len, bytes, len);
	s->out_len += len;
}

void hs_push_raw(struct hs *s, uint32_t type, uint32_t req_id,
		 uint32_t len_field, const void *payload, size_t len)
{
	uint32_t hdr[4] = { type, req_id, 0, len_field };

	hs_push_bytes(s, hdr, sizeof(hdr));
	if (len)
		hs_push_bytes(s, payload, len);
}

void hs_push(struct hs *s, uint32_t type, uint32_t req_id,
	     const void *payload, uint32_t len)
{
	hs_push_raw(s, type, req_id, len, payload, len);
}

void hs_respond_ok(struct hs *s, const struct hs_msg *req)
{
	if (req->type == XG_XS_READ)
		hs_push(s, req->type, req->req_id, "value", 5);
	else if (req->type == XG_XS_TRANSACTION_START)
		hs_push(s, req->type, req->req_id, "7", 2);
	else
		hs_push(s, req->type, req->req_id, "OK", 3);
}
