/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * A scripted, hostile xenstore server behind an in-process transport.
 * Everything the client writes is collected and cut into requests; an
 * optional responder answers each one (or not, or wrongly); tests can
 * also push arbitrary bytes, including lies about lengths and ids, and
 * deliver them in tiny fragments.
 */
#ifndef HOSTILE_SERVER_H
#define HOSTILE_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <xenguest/xenstore.h>

#define HS_IN_MAX (64 * 1024)
#define HS_OUT_MAX (256 * 1024)

struct hs_msg {
	uint32_t type, req_id, tx_id, len;
	const char *payload;
};

struct hs;
typedef void (*hs_responder)(struct hs *s, const struct hs_msg *req);

struct hs {
	unsigned char in[HS_IN_MAX];
	size_t in_len, in_parsed;
	unsigned char out[HS_OUT_MAX];
	size_t out_len, out_off;
	size_t chunk;           /* bytes per read; 0 = as many as asked */
	size_t write_room;      /* bytes per write; 0 = unlimited */
	hs_responder respond;   /* called for each whole request */
	void *arg;
	unsigned requests;
	struct hs_msg last;     /* header of the last request (payload NULL) */
	unsigned resets;
	int reset_rc;           /* what the reset hook returns */
	int read_error;         /* returned by read when non-zero */
};

void hs_init(struct hs *s, struct xg_xs_transport *tp);
/* Queue a message whose header says @len_field but which carries @len
 * bytes of @payload. */
void hs_push_raw(struct hs *s, uint32_t type, uint32_t req_id,
		 uint32_t len_field, const void *payload, size_t len);
/* Queue a well-formed message. */
void hs_push(struct hs *s, uint32_t type, uint32_t req_id,
	     const void *payload, uint32_t len);
/* Queue bytes as they are. */
void hs_push_bytes(struct hs *s, const void *bytes, size_t len);
/* A responder that answers every request with "OK" or an echo. */
void hs_respond_ok(struct hs *s, const struct hs_msg *req);

#endif /* HOSTILE_SERVER_H */
