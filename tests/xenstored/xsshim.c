/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Copyright (c) 2026 The xenguest authors
 *
 * xsshim: LD_PRELOAD shim that lets Debian's real xenstore daemons (C
 * xenstored and OCaml oxenstored, Xen 4.17) run on a Linux host without Xen,
 * with full dom0 initialisation.  Test-only code; never part of the library.
 *
 * What it fakes, and why:
 *   - libxenctrl: xc_interface_open/close, xc_domain_getinfo(list) and
 *     xc_map_foreign_range.  Both daemons refuse to start without a control
 *     handle, and ask it which domains exist.
 *   - libxengnttab: open/close/set_max_grants/map_grant_ref/unmap.  The C
 *     daemon maps an introduced domain's page through a grant.
 *   - libxenevtchn: the whole API the daemons import, backed by two FIFOs.
 *   - open() of /proc/xen/xsd_port and /proc/xen/xsd_kva, redirected to
 *     files in the shim directory, so dom0's xenstore page is a plain
 *     4096-byte file that a test process can mmap MAP_SHARED.
 *   - setrlimit(RLIMIT_NOFILE), clamped to the hard limit: oxenstored raises
 *     it to fs.nr_open, which needs CAP_SYS_RESOURCE, and aborts on EPERM.
 * libxenforeignmemory needs no fake: neither daemon calls it directly, and
 * xc_map_foreign_range (its only indirect user here) is faked above.
 *
 * Configuration (environment of the daemon):
 *   XSDSHIM_DIR      directory holding the files below (required)
 *   XSDSHIM_VERBOSE  if set, log every faked call to stderr
 *
 * Files in XSDSHIM_DIR:
 *   xsd_port     dom0's remote event channel port, ASCII digits, no newline
 *                (oxenstored parses the whole file as one integer)
 *   page.<domid> 4096-byte xenstore interface page of <domid>; page.0 is
 *                dom0's.  A domain "exists" iff it is 0 or its page exists.
 *   kick.fifo    client -> daemon: write one 4-byte host-endian local port
 *   notify.fifo  daemon -> client: the daemon writes the 4-byte local port
 *                it notifies (dropped when the FIFO is full)
 *
 * Local port numbers are deterministic so that clients know what to write
 * into kick.fifo: VIRQ_DOM_EXC is bound to port 1 (kicking it makes the
 * daemon re-scan which domains exist) and the interdomain channel of domain
 * D is bound to port 16 + D.
 */
#define _GNU_SOURCE
/*
 * We define open/open64 and setrlimit/setrlimit64 as distinct symbols; with
 * 64-bit file offsets requested (meson does by default) glibc's headers
 * would rename the plain ones to their *64 twins.
 */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* xc_map_foreign_range is a "compat" API, declared only on request. */
#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#define SHIM_PAGE_SIZE 4096
#define SHIM_VIRQ_PORT 1
#define SHIM_DOMAIN_PORT_BASE 16
/* Domain ids at or above DOMID_FIRST_RESERVED are not real domains. */
#define SHIM_MAX_DOMID (DOMID_FIRST_RESERVED - 1)

/* ------------------------------------------------------------------ */
/* configuration and logging                                            */

static const char *shim_dir(void)
{
	const char *dir = getenv("XSDSHIM_DIR");

	return (dir && dir[0]) ? dir : NULL;
}

static void shim_log(const char *fmt, ...)
{
	va_list ap;

	if (!getenv("XSDSHIM_VERBOSE"))
		return;
	va_start(ap, fmt);
	fputs("[xsshim] ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Builds "<XSDSHIM_DIR>/<name>"; false if unconfigured or too long. */
static bool shim_path(char *buf, size_t size, const char *name)
{
	const char *dir = shim_dir();
	int n;

	if (!dir) {
		fprintf(stderr, "[xsshim] XSDSHIM_DIR is not set\n");
		return false;
	}
	n = snprintf(buf, size, "%s/%s", dir, name);
	return n > 0 && (size_t)n < size;
}

static bool page_path(char *buf, size_t size, uint32_t domid)
{
	char name[32];

	snprintf(name, sizeof(name), "page.%u", domid);
	return shim_path(buf, size, name);
}

static bool domain_exists(uint32_t domid)
{
	char path[PATH_MAX];

	if (domid == 0)
		return true;
	return page_path(path, sizeof(path), domid) && access(path, F_OK) == 0;
}

/* ------------------------------------------------------------------ */
/* open() redirection of the two /proc/xen files                        */

/* Returns the path to really open: a shim file for /proc/xen/xsd_*. */
static const char *redirect(const char *path, char *buf, size_t size)
{
	const char *name = NULL;

	if (!path || !shim_dir())
		return path;
	if (strcmp(path, "/proc/xen/xsd_port") == 0)
		name = "xsd_port";
	else if (strcmp(path, "/proc/xen/xsd_kva") == 0)
		name = "page.0";
	if (!name || !shim_path(buf, size, name))
		return path;
	shim_log("open %s -> %s", path, buf);
	return buf;
}

/*
 * dlsym returns an object pointer; ISO C has no cast to a function pointer,
 * POSIX guarantees the representation is the same, so copy the bits.
 */
#define NEXT_SYMBOL(var, name)                                       \
	do {                                                         \
		void *sym_ = dlsym(RTLD_NEXT, (name));               \
		memcpy(&(var), &sym_, sizeof(var));                  \
	} while (0)

typedef int (*openat_fn)(int, const char *, int, ...);

static int real_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	static openat_fn next;

	if (!next)
		NEXT_SYMBOL(next, "openat");
	if (!next) {
		errno = ENOSYS;
		return -1;
	}
	return next(dirfd, path, flags, mode);
}

/* The mode argument only exists when the flags ask for file creation. */
#define SHIM_TAKE_MODE(flags, mode)                                  \
	do {                                                         \
		if ((flags) & (O_CREAT | O_TMPFILE)) {               \
			va_list ap_;                                 \
			va_start(ap_, flags);                        \
			(mode) = (mode_t)va_arg(ap_, int);           \
			va_end(ap_);                                 \
		}                                                    \
	} while (0)

static int shim_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	char buf[PATH_MAX];

	return real_openat(dirfd, redirect(path, buf, sizeof(buf)), flags,
			   mode);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	SHIM_TAKE_MODE(flags, mode);
	return shim_openat(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	SHIM_TAKE_MODE(flags, mode);
	return shim_openat(AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	SHIM_TAKE_MODE(flags, mode);
	return shim_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	SHIM_TAKE_MODE(flags, mode);
	return shim_openat(dirfd, path, flags, mode);
}

/* _FORTIFY_SOURCE builds call these for non-constant flags. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);

int __open_2(const char *path, int flags)
{
	return shim_openat(AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
	return shim_openat(AT_FDCWD, path, flags, 0);
}

/* ------------------------------------------------------------------ */
/* RLIMIT_NOFILE clamp                                                  */

typedef int (*setrlimit_fn)(__rlimit_resource_t, const struct rlimit *);

static int clamped_setrlimit(const char *symbol, __rlimit_resource_t res,
			     const struct rlimit *rl)
{
	setrlimit_fn next;
	struct rlimit cur, want;

	NEXT_SYMBOL(next, symbol);
	if (!next) {
		errno = ENOSYS;
		return -1;
	}
	if (!rl || res != RLIMIT_NOFILE || getrlimit(RLIMIT_NOFILE, &cur))
		return next(res, rl);
	want = *rl;
	if (want.rlim_max > cur.rlim_max)
		want.rlim_max = cur.rlim_max;
	if (want.rlim_cur > want.rlim_max)
		want.rlim_cur = want.rlim_max;
	shim_log("setrlimit(NOFILE, %llu) clamped to %llu",
		 (unsigned long long)rl->rlim_cur,
		 (unsigned long long)want.rlim_cur);
	return next(res, &want);
}

int setrlimit(__rlimit_resource_t res, const struct rlimit *rl)
{
	return clamped_setrlimit("setrlimit", res, rl);
}

int setrlimit64(__rlimit_resource_t res, const struct rlimit64 *rl)
{
	/* rlimit and rlimit64 are the same layout on LP64 Linux. */
	_Static_assert(sizeof(struct rlimit) == sizeof(struct rlimit64),
		       "rlimit layout");
	return clamped_setrlimit("setrlimit64", res,
				 (const struct rlimit *)(const void *)rl);
}

/* ------------------------------------------------------------------ */
/* page mapping (grant map and foreign map of an introduced domain)     */

static void *map_domain_page(uint32_t domid, size_t size, int prot)
{
	char path[PATH_MAX];
	void *addr;
	int fd;

	if (size != SHIM_PAGE_SIZE || !page_path(path, sizeof(path), domid)) {
		errno = EINVAL;
		return NULL;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	addr = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
	close(fd);
	shim_log("map page of dom%u -> %p", domid, addr);
	return addr == MAP_FAILED ? NULL : addr;
}

/* ------------------------------------------------------------------ */
/* libxenctrl                                                           */

/*
 * Opaque handles handed to the daemons.  They are zeroed, generously sized
 * buffers rather than tiny objects because an error path could pass them to
 * a real library function (e.g. xc_get_last_error) that reads a few fields.
 */
static union {
	long long align;
	unsigned char bytes[4096];
} fake_xc, fake_gnttab;

xc_interface *xc_interface_open(xentoollog_logger *logger,
				xentoollog_logger *dombuild_logger,
				unsigned open_flags)
{
	(void)logger;
	(void)dombuild_logger;
	(void)open_flags;
	if (!shim_dir())
		return NULL;
	shim_log("xc_interface_open");
	return (xc_interface *)(void *)&fake_xc;
}

int xc_interface_close(xc_interface *xch)
{
	(void)xch;
	return 0;
}

int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid,
		      unsigned int max_doms, xc_dominfo_t *info)
{
	uint32_t domid;

	(void)xch;
	/* The C daemon only asks about one domain at a time. */
	for (domid = first_domid; domid <= SHIM_MAX_DOMID; domid++) {
		if (!domain_exists(domid))
			continue;
		if (max_doms < 1)
			return 0;
		memset(info, 0, sizeof(*info));
		info->domid = domid;
		info->running = 1;
		return 1;
	}
	return 0;
}

/* Fills *ids with the existing domain ids >= first, in ascending order. */
static unsigned int list_domains(uint32_t first, uint32_t *ids,
				 unsigned int max)
{
	unsigned int n = 0;
	uint32_t domid;

	/* Few domains exist; a linear probe keeps the order sorted. */
	for (domid = first; domid <= SHIM_MAX_DOMID && n < max; domid++) {
		if (domain_exists(domid))
			ids[n++] = domid;
	}
	return n;
}

int xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain,
			  unsigned int max_domains, xc_domaininfo_t *info)
{
	uint32_t ids[64];
	unsigned int i, n;

	(void)xch;
	if (max_domains > 64)
		max_domains = 64;
	n = list_domains(first_domain, ids, max_domains);
	for (i = 0; i < n; i++) {
		memset(&info[i], 0, sizeof(info[i]));
		info[i].domain = (domid_t)ids[i];
		info[i].flags = XEN_DOMINF_running;
	}
	return (int)n;
}

/* oxenstored 4.17 maps an introduced domain's page this way. */
void *xc_map_foreign_range(xc_interface *xch, uint32_t dom, int size,
			   int prot, unsigned long mfn)
{
	(void)xch;
	(void)mfn;
	if (size <= 0) {
		errno = EINVAL;
		return NULL;
	}
	return map_domain_page(dom, (size_t)size, prot);
}

/* ------------------------------------------------------------------ */
/* libxengnttab                                                         */

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger,
				 unsigned int open_flags)
{
	(void)logger;
	(void)open_flags;
	if (!shim_dir())
		return NULL;
	shim_log("xengnttab_open");
	return (xengnttab_handle *)(void *)&fake_gnttab;
}

int xengnttab_close(xengnttab_handle *xgt)
{
	(void)xgt;
	return 0;
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	(void)xgt;
	(void)nr_grants;
	return 0;
}

void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid,
			      uint32_t ref, int prot)
{
	(void)xgt;
	(void)ref;
	return map_domain_page(domid, SHIM_PAGE_SIZE, prot);
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address,
		    uint32_t count)
{
	(void)xgt;
	return munmap(start_address, (size_t)SHIM_PAGE_SIZE * count);
}

/* ------------------------------------------------------------------ */
/* libxenevtchn over two FIFOs                                          */

struct xenevtchn_handle {
	int kick_fd;   /* read end: clients' kicks */
	int notify_fd; /* write end: our notifications */
};

static int open_fifo(const char *name)
{
	char path[PATH_MAX];

	if (!shim_path(path, sizeof(path), name))
		return -1;
	if (mkfifo(path, 0600) && errno != EEXIST)
		return -1;
	/* O_RDWR never blocks on a FIFO and keeps it open with no peer. */
	return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

static xenevtchn_handle *evtchn_handle_open(void)
{
	xenevtchn_handle *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->kick_fd = open_fifo("kick.fifo");
	h->notify_fd = open_fifo("notify.fifo");
	if (h->kick_fd < 0 || h->notify_fd < 0) {
		if (h->kick_fd >= 0)
			close(h->kick_fd);
		if (h->notify_fd >= 0)
			close(h->notify_fd);
		free(h);
		return NULL;
	}
	shim_log("xenevtchn_open kick_fd=%d notify_fd=%d", h->kick_fd,
		 h->notify_fd);
	return h;
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger,
				 unsigned int open_flags)
{
	(void)logger;
	(void)open_flags;
	return evtchn_handle_open();
}

/* Used for live update, where the fd is inherited: reopen the FIFOs. */
xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger, int fd,
				   unsigned int open_flags)
{
	(void)logger;
	(void)fd;
	(void)open_flags;
	return evtchn_handle_open();
}

int xenevtchn_close(xenevtchn_handle *xce)
{
	if (!xce)
		return 0;
	close(xce->kick_fd);
	close(xce->notify_fd);
	free(xce);
	return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->kick_fd;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	uint32_t value = port;

	/* A full FIFO means the client is not listening: drop, like a
	 * pending bit that is already set. */
	if (write(xce->notify_fd, &value, sizeof(value)) < 0 &&
	    errno != EAGAIN)
		return -1;
	return 0;
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce,
					      unsigned int virq)
{
	(void)xce;
	shim_log("bind_virq %u -> port %d", virq, SHIM_VIRQ_PORT);
	return SHIM_VIRQ_PORT;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce,
						     uint32_t domid,
						     evtchn_port_t remote_port)
{
	(void)xce;
	if (domid > SHIM_MAX_DOMID) {
		errno = EINVAL;
		return -1;
	}
	shim_log("bind_interdomain dom%u:%u -> port %u", domid, remote_port,
		 SHIM_DOMAIN_PORT_BASE + domid);
	return (xenevtchn_port_or_error_t)(SHIM_DOMAIN_PORT_BASE + domid);
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	(void)port;
	return 0;
}

/* A port a client may legitimately kick: the VIRQ or a bound domain. */
static bool kickable_port(uint32_t port)
{
	if (port == SHIM_VIRQ_PORT)
		return true;
	return port >= SHIM_DOMAIN_PORT_BASE &&
	       domain_exists(port - SHIM_DOMAIN_PORT_BASE);
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	uint32_t port;
	ssize_t got = read(xce->kick_fd, &port, sizeof(port));

	/*
	 * Called after poll() said readable; writes of 4 bytes to a FIFO are
	 * atomic, so a short read only happens on a spurious wakeup or a
	 * broken client.  oxenstored throws on unknown ports, so report
	 * dom0's port instead: at worst the daemon re-checks dom0's ring.
	 */
	if (got != (ssize_t)sizeof(port) || !kickable_port(port)) {
		shim_log("pending: bad kick (%zd bytes), using dom0 port", got);
		port = SHIM_DOMAIN_PORT_BASE;
	}
	return (xenevtchn_port_or_error_t)port;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	(void)port;
	return 0;
}
