/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/**
 * DOC: xenstore client
 *
 * A non-blocking request machine speaking the xenstore wire protocol
 * (struct xsd_sockmsg framing) over a transport: the shared ring of
 * struct xenstore_domain_interface (xg_xs_ring_*), or anything else that
 * moves bytes (the hosted port's Unix socket). Many requests may be
 * outstanding; replies are matched by req_id and finish with a callback.
 * Blocking wrappers (xg_xs_read() ...) are thin layers over the transport's
 * wait hook or xg_port_wait(), so a kernel without sleep works by polling.
 *
 * All state lives in caller-owned structures: struct xg_xs (about 16 KiB
 * of buffers; static storage is fine), one struct xg_xs_req per request
 * in flight, one struct xg_xs_watch per watch. Nothing is allocated.
 *
 * Everything the server sends is checked: lengths are bounded by
 * XG_XS_PAYLOAD_MAX, replies with an unknown req_id are dropped and
 * counted, replies of the wrong type fail their request with XG_EBADMSG,
 * strings must be NUL-terminated, ring indexes are read once and
 * validated. A broken stream fails every request in flight with XG_EIO
 * and asks the transport to reset (ring: the RECONNECTION handshake);
 * watches are then registered again.
 */
#ifndef XENGUEST_XENSTORE_H
#define XENGUEST_XENSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenguest/config.h>
#include <xenguest/port.h>
#include <xenguest/core.h>

/* Wire limits (io/xs_wire.h). */
#define XG_XS_PAYLOAD_MAX 4096u
#define XG_XS_ABS_PATH_MAX 3072u
#define XG_XS_HDR_SIZE 16u
/* Client buffers: several small replies arrive in one transport read. */
#define XG_XS_RXBUF_SIZE (2u * (XG_XS_HDR_SIZE + XG_XS_PAYLOAD_MAX))
#define XG_XS_TXBUF_SIZE (XG_XS_HDR_SIZE + XG_XS_PAYLOAD_MAX)

/* Message types (enum xsd_sockmsg_type). */
enum xg_xs_type {
	XG_XS_CONTROL = 0,
	XG_XS_DIRECTORY = 1,
	XG_XS_READ = 2,
	XG_XS_GET_PERMS = 3,
	XG_XS_WATCH = 4,
	XG_XS_UNWATCH = 5,
	XG_XS_TRANSACTION_START = 6,
	XG_XS_TRANSACTION_END = 7,
	XG_XS_GET_DOMAIN_PATH = 10,
	XG_XS_WRITE = 11,
	XG_XS_MKDIR = 12,
	XG_XS_RM = 13,
	XG_XS_SET_PERMS = 14,
	XG_XS_WATCH_EVENT = 15,
	XG_XS_ERROR = 16,
	XG_XS_RESET_WATCHES = 21,
	XG_XS_DIRECTORY_PART = 22,
};

/**
 * struct xg_xs_transport - how the client moves bytes
 * @write:  copy up to @len bytes out; returns the count taken (0 when
 *          full) or an XG_E* code (the connection is broken). Context:
 *          any, called with the client lock held.
 * @read:   copy up to @len bytes in; returns the count (0 when nothing is
 *          there) or an XG_E* code. Context: any, client lock held.
 * @notify: optional; tell the peer that bytes were produced or consumed
 *          (ring: send the event). Client lock held.
 * @wait:   optional; block the calling thread until the peer may have
 *          something (reply or room), at most @timeout_ns. Without it the
 *          blocking calls use xg_port_wait() and rely on xg_xs_event().
 *          Returns 0 or an XG_E* code. Context: thread, no lock held.
 * @reset:  optional; resynchronise a corrupt stream (ring: reconnect).
 *          Returns 0 if a fresh stream will follow, else an XG_E* code
 *          and the client stays broken. Client lock held.
 * @ctx:    passed to every hook.
 */
struct xg_xs_transport {
	int (*write)(void *ctx, const void *buf, size_t len);
	int (*read)(void *ctx, void *buf, size_t len);
	void (*notify)(void *ctx);
	int (*wait)(void *ctx, bool want_write, uint64_t timeout_ns);
	int (*reset)(void *ctx);
	void *ctx;
};

struct xg_xs_req;
typedef void (*xg_xs_done_fn)(struct xg_xs_req *req);

/**
 * struct xg_xs_req - one request, owned by the caller until it completes
 * @done:       completion callback, or NULL. Runs in the context that
 *              drove the client (xg_xs_event() from the interrupt,
 *              xg_xs_poll() from a thread), with no library lock held; it
 *              must not block and may start new requests.
 * @arg:        for the caller.
 * @reply:      where the reply payload goes (NUL-terminated), or NULL to
 *              discard it; needs reply_len + 1 bytes.
 * @reply_size: size of @reply.
 * @error:      result: 0 or an XG_E* code (XS_ERROR strings are mapped,
 *              XG_ERANGE if @reply was too small).
 * @reply_len:  result: payload length, also on XG_ERANGE.
 */
struct xg_xs_req {
	xg_xs_done_fn done;
	void *arg;
	char *reply;
	uint32_t reply_size;
	int error;
	uint32_t reply_len;
	/* private */
	struct xg_xs_req *next_;
	const void *seg_[2];
	uint32_t seglen_[2];
	uint32_t type_, req_id_, tx_id_;
	uint32_t state_;
};

struct xg_xs_watch;
typedef void (*xg_xs_watch_fn)(struct xg_xs_watch *w, const char *path);

/**
 * struct xg_xs_watch - a registered watch, owned by the caller
 * @path:       node to watch; must stay valid while registered.
 * @fn:         callback for each event, in thread context (see
 *              xg_xs_run_watches()); NULL makes a counting-only watch.
 * @arg:        for the caller.
 * @queue:      storage for events not yet delivered; each takes
 *              strlen(path) + 1 bytes. A full queue drops the event.
 * @queue_size: size of @queue.
 * @events:     every event received for this watch (delivered or not).
 * @dropped:    events lost because @queue was full.
 * The two counters are updated atomically; read them with an atomic load
 * (e.g. __atomic_load_n) when other CPUs may be polling the client.
 */
struct xg_xs_watch {
	const char *path;
	xg_xs_watch_fn fn;
	void *arg;
	char *queue;
	uint32_t queue_size;
	uint32_t events;
	uint32_t dropped;
	/* private */
	struct xg_xs_watch *next_;
	struct xg_xs_req req_;
	uint32_t qlen_;
	char token_[12];
	bool linked_;
	bool registered_;
};

/* Counters of what the server got wrong, for tests and diagnostics. */
struct xg_xs_stats {
	uint32_t unknown_replies; /* req_id matched nothing in flight */
	uint32_t bad_replies;     /* wrong type or malformed payload */
	uint32_t oversized;       /* replies over XG_XS_PAYLOAD_MAX, skipped */
	uint32_t stale_events;    /* watch event for no registered token */
	uint32_t resets;          /* stream resynchronisations */
};

/**
 * struct xg_xs_config - options for xg_xs_init()
 * @transport:  the byte mover (copied).
 * @xen:        if set, watch callbacks run from xg_xen_run_work() through
 *              xg_xen_work_queue(); otherwise the host calls
 *              xg_xs_run_watches() itself when @watch_kick says so.
 * @watch_kick: optional, with @xen NULL: events are waiting. Any context.
 * @kick_arg:   for @watch_kick.
 * @timeout_ns: limit for every blocking call; 0 waits forever.
 */
struct xg_xs_config {
	struct xg_xs_transport transport;
	struct xg_xen *xen;
	void (*watch_kick)(void *arg);
	void *kick_arg;
	uint64_t timeout_ns;
};

/* The client. Every field is private; read stats through xg_xs_stats(). */
struct xg_xs {
	struct xg_xs_config cfg_;
	xg_port_lock_t lock_;
	int broken_;
	uint32_t next_req_id_;
	uint32_t next_watch_id_;
	struct xg_xs_req *txq_head_, *txq_tail_;
	struct xg_xs_req *inflight_;
	struct xg_xs_watch *watches_;
	bool rewatch_;
	bool running_watches_;
	uint32_t waiters_;
	uint32_t completing_;
	struct xg_work work_;
	struct xg_xs_stats stats_;
	uint32_t tx_off_, tx_len_;
	uint32_t rx_off_, rx_len_;
	uint32_t rx_skip_;
	char txbuf_[XG_XS_TXBUF_SIZE];
	char rxbuf_[XG_XS_RXBUF_SIZE];
	char evbuf_[XG_XS_PAYLOAD_MAX + 1];
};

/* ---- the request machine -------------------------------------------- */

/**
 * xg_xs_init() - set up a client over a transport
 * @xs: caller-owned client
 * @cfg: options; @cfg->transport.read and .write are required
 *
 * Returns: 0 or XG_EINVAL.
 * Context: thread. Locking: none held.
 */
int xg_xs_init(struct xg_xs *xs, const struct xg_xs_config *cfg);

/**
 * xg_xs_submit() - start a request without waiting
 * @xs: the client
 * @req: caller's request; @req->done, reply and reply_size set. Must stay
 *       untouched until it completes or xg_xs_cancel() returns.
 * @type: XG_XS_* message type
 * @tx_id: transaction id, 0 for none
 * @a: first payload part (normally a NUL-terminated path, NUL included)
 * @alen: its length
 * @b: second part or NULL (a value, a token, ...)
 * @blen: its length
 *
 * The parts must stay valid until the request completes. Completion is
 * reported through @req->done from xg_xs_poll() or xg_xs_event().
 *
 * Returns: 0 once queued; XG_EMSGSIZE if the payload exceeds
 * XG_XS_PAYLOAD_MAX; XG_EIO (or the transport's error) if the connection
 * is broken. On error @req is not queued and done is not called.
 * Context: any. Locking: takes the client lock.
 */
int xg_xs_submit(struct xg_xs *xs, struct xg_xs_req *req, uint32_t type,
		 uint32_t tx_id, const void *a, uint32_t alen, const void *b,
		 uint32_t blen);

/**
 * xg_xs_cancel() - forget a request that has not completed
 * @xs: the client
 * @req: a submitted request
 *
 * Its reply, if one comes, is dropped as unknown. done is not called.
 *
 * Returns: true if it was still in flight; false if it had completed.
 * Context: any. Locking: takes the client lock.
 */
bool xg_xs_cancel(struct xg_xs *xs, struct xg_xs_req *req);

/**
 * xg_xs_req_done() - has a request completed?
 * @req: a submitted request
 *
 * Returns: true once its result fields are final.
 * Context: any. Locking: none.
 */
bool xg_xs_req_done(const struct xg_xs_req *req);

/**
 * xg_xs_poll() - move bytes both ways and complete what arrived
 * @xs: the client
 *
 * Returns: the number of requests completed, or the XG_E* code that
 * broke the connection.
 * Context: any (thread or the store event's interrupt).
 * Locking: takes the client lock; runs callbacks without it.
 */
int xg_xs_poll(struct xg_xs *xs);

/**
 * xg_xs_event() - entry point for the store event channel
 * @xs: the client
 *
 * Call from the event's handler. Polls, then wakes blocked callers.
 *
 * Context: any, normally interrupt. Locking: as xg_xs_poll().
 */
void xg_xs_event(struct xg_xs *xs);

/**
 * xg_xs_wait() - wait for a submitted request to complete
 * @xs: the client
 * @req: a submitted request
 *
 * Drives the client while waiting (transport wait hook, or xg_port_wait()
 * polling). On timeout the request is cancelled.
 *
 * Returns: @req->error, or XG_ETIMEDOUT.
 * Context: thread. Locking: none held.
 */
int xg_xs_wait(struct xg_xs *xs, struct xg_xs_req *req);

/**
 * xg_xs_wait_until() - drive the client until a condition holds
 * @xs: the client
 * @cond: checked after every poll; cheap, no blocking
 * @arg: for @cond
 * @timeout_ns: 0 waits forever
 *
 * What xg_xs_wait() and the xenbus helpers build on.
 *
 * Returns: 0 once @cond is true; XG_ETIMEDOUT.
 * Context: thread. Locking: none held.
 */
int xg_xs_wait_until(struct xg_xs *xs, bool (*cond)(void *arg), void *arg,
		     uint64_t timeout_ns);

/**
 * xg_xs_call() - one blocking request
 * @xs: the client
 * @type: XG_XS_* type
 * @tx_id: transaction id or 0
 * @a: first payload part
 * @alen: its length
 * @b: second part or NULL
 * @blen: its length
 * @reply: buffer for the reply payload (NUL-terminated), or NULL
 * @size: its size
 *
 * Returns: reply length (>= 0); XG_ERANGE if @reply is too small; any
 * error xg_xs_submit() or xg_xs_wait() returns; the server's error.
 * Context: thread. Locking: none held.
 */
int xg_xs_call(struct xg_xs *xs, uint32_t type, uint32_t tx_id,
	       const void *a, uint32_t alen, const void *b, uint32_t blen,
	       char *reply, uint32_t size);

/**
 * xg_xs_reset() - recover a broken client
 * @xs: the client
 *
 * Fails everything in flight with XG_EIO, empties the buffers, asks the
 * transport to reset (if it has the hook) and queues the registration of
 * every watch again. Use after resume, or when the host re-established
 * the transport.
 *
 * Returns: 0, or the transport's error (the client stays broken).
 * Context: any. Locking: takes the client lock.
 */
int xg_xs_reset(struct xg_xs *xs);

/**
 * xg_xs_stats() - counters of peer misbehaviour
 * @xs: the client
 * @out: filled in
 *
 * Context: any. Locking: takes the client lock.
 */
void xg_xs_stats(struct xg_xs *xs, struct xg_xs_stats *out);

/* ---- blocking operations ---------------------------------------------
 * Every one returns what xg_xs_call() returns, and 0 (or a length) on
 * success. Context: thread. Locking: none held. Paths are NUL-terminated
 * absolute or domain-relative xenstore paths.
 */

/**
 * xg_xs_read() - read a value
 * @xs: client
 * @tx: transaction or 0
 * @path: node
 * @buf: receives the value, NUL-terminated
 * @size: its size
 *
 * Returns: value length; XG_ENOENT; XG_ERANGE if it does not fit.
 * Context: thread. Locking: none held.
 */
int xg_xs_read(struct xg_xs *xs, uint32_t tx, const char *path, char *buf,
	       uint32_t size);

/**
 * xg_xs_write() - write a value (creating missing parents)
 * @xs: client
 * @tx: transaction or 0
 * @path: node
 * @value: bytes
 * @len: how many
 *
 * Returns: 0 or an error (XG_EACCES, XG_ENOSPC, XG_EAGAIN ...).
 * Context: thread. Locking: none held.
 */
int xg_xs_write(struct xg_xs *xs, uint32_t tx, const char *path,
		const void *value, uint32_t len);

/**
 * xg_xs_mkdir() - create a node with an empty value if missing
 * @xs: client
 * @tx: transaction or 0
 * @path: node
 *
 * Returns: 0 or an error.
 * Context: thread. Locking: none held.
 */
int xg_xs_mkdir(struct xg_xs *xs, uint32_t tx, const char *path);

/**
 * xg_xs_rm() - remove a node and its children
 * @xs: client
 * @tx: transaction or 0
 * @path: node
 *
 * Returns: 0 (also if missing while its parent exists) or an error.
 * Context: thread. Locking: none held.
 */
int xg_xs_rm(struct xg_xs *xs, uint32_t tx, const char *path);

/**
 * xg_xs_directory() - list children in one message
 * @xs: client
 * @tx: transaction or 0
 * @path: node
 * @buf: receives NUL-terminated names back to back
 * @size: its size
 *
 * Returns: bytes used in @buf (0: no children); XG_E2BIG if the list is
 * larger than one message (use xg_xs_directory_all()); XG_ERANGE.
 * Context: thread. Locking: none held.
 */
int xg_xs_directory(struct xg_xs *xs, uint32_t tx, const char *path,
		    char *buf, uint32_t size);

/**
 * xg_xs_directory_all() - list children of any count (DIRECTORY_PART)
 * @xs: client
 * @tx: transaction or 0
 * @path: node
 * @buf: receives NUL-terminated names back to back; may exceed one
 *       message
 * @size: its size
 *
 * Tries XS_DIRECTORY; on XG_E2BIG reads the list in parts, restarting if
 * the node's generation changes between parts.
 *
 * Returns: bytes used in @buf; XG_ERANGE if @buf is too small; XG_EAGAIN
 * if the node kept changing; XG_EBADMSG for a malformed part; errors.
 * Context: thread. Locking: none held.
 */
int xg_xs_directory_all(struct xg_xs *xs, uint32_t tx, const char *path,
			char *buf, uint32_t size);

/**
 * xg_xs_get_perms() - read permissions
 * @xs: client
 * @tx: transaction or 0
 * @path: node
 * @buf: receives "b0\0r1\0..."
 * @size: its size
 *
 * Returns: bytes used, or an error.
 * Context: thread. Locking: none held.
 */
int xg_xs_get_perms(struct xg_xs *xs, uint32_t tx, const char *path,
		    char *buf, uint32_t size);

/**
 * xg_xs_set_perms() - set permissions
 * @xs: client
 * @tx: transaction or 0
 * @path: node
 * @perms: NUL-terminated entries back to back ("n0\0r5\0")
 * @len: bytes
 *
 * Returns: 0 or an error.
 * Context: thread. Locking: none held.
 */
int xg_xs_set_perms(struct xg_xs *xs, uint32_t tx, const char *path,
		    const char *perms, uint32_t len);

/**
 * xg_xs_get_domain_path() - the home path of a domain
 * @xs: client
 * @domid: domain
 * @buf: receives "/local/domain/N"
 * @size: its size
 *
 * Returns: length or an error.
 * Context: thread. Locking: none held.
 */
int xg_xs_get_domain_path(struct xg_xs *xs, uint32_t domid, char *buf,
			  uint32_t size);

/**
 * xg_xs_transaction_start() - open a transaction
 * @xs: client
 * @tx: receives its id (never 0)
 *
 * Returns: 0; XG_EBADMSG if the id is not a number; errors.
 * Context: thread. Locking: none held.
 */
int xg_xs_transaction_start(struct xg_xs *xs, uint32_t *tx);

/**
 * xg_xs_transaction_end() - commit or abort
 * @xs: client
 * @tx: from xg_xs_transaction_start()
 * @commit: false aborts
 *
 * Returns: 0; XG_EAGAIN if a conflicting change forces a retry; errors.
 * Context: thread. Locking: none held.
 */
int xg_xs_transaction_end(struct xg_xs *xs, uint32_t tx, bool commit);

/**
 * xg_xs_transaction() - run @body in a transaction, retrying on EAGAIN
 * @xs: client
 * @body: does the reads and writes with the given transaction id; a
 *        negative return aborts and is returned
 * @arg: for @body
 * @max_tries: attempts before giving up with XG_EAGAIN (0 means 16)
 *
 * Returns: what @body returned (>= 0) after a successful commit; @body's
 * error; XG_EAGAIN after @max_tries conflicts; other errors.
 * Context: thread. Locking: none held.
 */
int xg_xs_transaction(struct xg_xs *xs,
		      int (*body)(struct xg_xs *xs, uint32_t tx, void *arg),
		      void *arg, unsigned max_tries);

/**
 * xg_xs_reset_watches() - drop every watch the server holds for us
 * @xs: client
 *
 * Use at start-up (kexec, a previous instance's leftovers). Watches the
 * client knows are marked unregistered; xg_xs_watch_add() them again.
 *
 * Returns: 0 or an error (XG_EINVAL from an old server).
 * Context: thread. Locking: none held.
 */
int xg_xs_reset_watches(struct xg_xs *xs);

/* ---- watches ---------------------------------------------------------- */

/**
 * xg_xs_watch_add() - register a watch and wait for the server's OK
 * @xs: client
 * @w: caller's watch with @path, @fn, @queue set
 *
 * The server fires one event at once (the initial state). If the stream
 * is reset later, the client registers the watch again by itself.
 *
 * Returns: 0; XG_EBUSY if @w is already registered; server errors.
 * Context: thread. Locking: none held.
 */
int xg_xs_watch_add(struct xg_xs *xs, struct xg_xs_watch *w);

/**
 * xg_xs_watch_remove() - unregister a watch; idempotent
 * @xs: client
 * @w: a watch, registered or not
 *
 * Undelivered events are discarded. The server's ENOENT (the watch was
 * already gone, e.g. after a reset) counts as success. Do not free @w
 * while its callback may still run on another thread.
 *
 * Returns: 0, or a transport error (the watch is forgotten anyway).
 * Context: thread, including the watch's own callback. Locking: none held.
 */
int xg_xs_watch_remove(struct xg_xs *xs, struct xg_xs_watch *w);

/**
 * xg_xs_run_watches() - deliver queued watch events
 * @xs: client
 *
 * Calls each watch's @fn for its queued events. Only one thread delivers
 * at a time; a concurrent call returns at once. Called by the client's
 * own work item when @cfg->xen is set.
 *
 * Context: thread. Locking: none held (callbacks run without locks).
 */
void xg_xs_run_watches(struct xg_xs *xs);

/* ---- the shared ring ------------------------------------------------------ */

/**
 * struct xg_xs_ring - transport over struct xenstore_domain_interface
 * All fields private; set up with xg_xs_ring_init().
 */
struct xg_xs_ring {
	void *intf_;
	void (*notify_)(void *arg);
	int (*wait_)(void *arg, uint64_t timeout_ns);
	void *arg_;
	uint32_t req_prod_;
	uint32_t rsp_cons_;
	bool reconnecting_;
};

/**
 * xg_xs_ring_init() - a transport over a mapped xenstore page
 * @r: caller-owned ring state
 * @intf: the mapped page (struct xenstore_domain_interface)
 * @notify: sends the store event (the host's event-channel code)
 * @wait: optional; blocks until the store event fires or @timeout_ns
 *        passes (e.g. SCHEDOP_poll); NULL: the host calls xg_xs_event()
 * @arg: for @notify and @wait
 * @out: the transport to put in struct xg_xs_config
 *
 * Our indexes start where the page says. After kexec the page may hold
 * a previous kernel's half-sent bytes: call xg_xs_reset() once the client
 * exists (the RECONNECTION handshake, when the server offers it).
 *
 * Returns: 0; XG_EIO if the page's indexes are already inconsistent.
 * Context: thread. Locking: none.
 */
int xg_xs_ring_init(struct xg_xs_ring *r, void *intf,
		    void (*notify)(void *arg),
		    int (*wait)(void *arg, uint64_t timeout_ns), void *arg,
		    struct xg_xs_transport *out);

/**
 * xg_xs_store_params() - where the store is (HVM_PARAM_STORE_*)
 * @gfn: receives HVM_PARAM_STORE_PFN
 * @port: receives HVM_PARAM_STORE_EVTCHN
 *
 * Returns: 0; XG_EAGAIN if the page is not there yet (dom0less late
 * start: the value is all ones) while @port is valid: bind it and call
 * xg_xs_store_wait(); the hypercall's error.
 * Context: any. Locking: none.
 */
int xg_xs_store_params(uint64_t *gfn, uint32_t *port);

/**
 * xg_xs_store_wait() - dom0less late start: wait until the page exists
 * @gfn: receives HVM_PARAM_STORE_PFN once valid
 * @port: receives HVM_PARAM_STORE_EVTCHN
 * @timeout_ns: 0 waits forever
 *
 * Waits on the store event (the host's handler calls
 * xg_xs_store_event()) and re-reads the parameter each time.
 *
 * Returns: 0; XG_ETIMEDOUT; the hypercall's error.
 * Context: thread. Locking: none held.
 */
int xg_xs_store_wait(uint64_t *gfn, uint32_t *port, uint64_t timeout_ns);

/**
 * xg_xs_store_event() - the store event fired before the client exists
 *
 * Context: any, normally interrupt. Locking: none.
 */
void xg_xs_store_event(void);

#endif /* XENGUEST_XENSTORE_H */
