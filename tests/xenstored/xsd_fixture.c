/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Copyright (c) 2026 The xenguest authors
 *
 * xsd_fixture: start/stop a real xenstore daemon through xsd.sh and reach
 * it as dom0 over its socket, its shared page and the FIFO event channel.
 */
#define _GNU_SOURCE
#include "xsd_fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* xsd.sh start may install packages on first use. */
#define SCRIPT_START_TIMEOUT_MS (300 * 1000)
#define SCRIPT_STOP_TIMEOUT_MS (30 * 1000)

static void fx_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fx_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("xsd_fixture: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

const char *xsdfx_kind_name(enum xsdfx_kind kind)
{
	return kind == XSDFX_OCAML ? "ocaml" : "c";
}

/* ------------------------------------------------------------------ */
/* running xsd.sh                                                       */

/*
 * xsd.sh leaves the daemon's `timeout` supervisor orphaned.  Adopting
 * orphans lets us reap it in xsdfx_stop() instead of leaving a zombie on
 * hosts whose init does not reap (containers).
 */
static void adopt_orphans(void)
{
#ifdef __linux__
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif
}

static void exec_script(const char *const args[])
{
	const char *script = getenv("XSDFX_SCRIPT");
	const char *bash = getenv("XSDFX_BASH");
	const char *shim = getenv("XSDFX_SHIM");
	char *argv[8];
	int i = 0;

	if (shim && shim[0])
		setenv("XSD_SHIM", shim, 1);
	argv[i++] = (char *)(bash && bash[0] ? bash : "bash");
	argv[i++] = (char *)script;
	for (; *args && i < 7; args++)
		argv[i++] = (char *)*args;
	argv[i] = NULL;
	execvp(argv[0], argv);
	fx_error("exec %s: %s", argv[0], strerror(errno));
	_exit(127);
}

/* Waits for @child up to @timeout_ms; kills it past that.  Returns status. */
static int wait_bounded(pid_t child, long timeout_ms)
{
	long deadline = monotonic_ms() + timeout_ms;
	int status;
	pid_t got;

	for (;;) {
		got = waitpid(child, &status, WNOHANG);
		if (got == child)
			return status;
		if (got < 0 && errno != EINTR)
			return -1;
		if (monotonic_ms() >= deadline) {
			fx_error("xsd.sh timed out after %ld ms", timeout_ms);
			kill(child, SIGTERM);
			sleep_ms(200);
			kill(child, SIGKILL);
			waitpid(child, &status, 0);
			return -1;
		}
		sleep_ms(5);
	}
}

/* Runs `bash xsd.sh ARGS...`; 0 if it exited with status 0. */
static int run_script(long timeout_ms, const char *const args[])
{
	const char *script = getenv("XSDFX_SCRIPT");
	pid_t child;
	int status;

	if (!script || !script[0]) {
		fx_error("XSDFX_SCRIPT (path of xsd.sh) is not set");
		return -1;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		fx_error("fork: %s", strerror(errno));
		return -1;
	}
	if (child == 0)
		exec_script(args);
	status = wait_bounded(child, timeout_ms);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fx_error("xsd.sh %s failed (status %d)", args[0], status);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* WORKDIR/env                                                          */

static bool copy_value(char *dst, size_t size, const char *value)
{
	size_t len = strlen(value);

	if (len == 0 || len >= size)
		return false;
	memcpy(dst, value, len + 1);
	return true;
}

static bool parse_long(long *out, const char *value)
{
	char *end;

	errno = 0;
	*out = strtol(value, &end, 10);
	return errno == 0 && end != value && *end == '\0';
}

/* Keys xsd.sh must write, each owning one bit of the "seen" mask. */
enum env_key {
	ENV_SOCKET,
	ENV_RING,
	ENV_KICK_FIFO,
	ENV_NOTIFY_FIFO,
	ENV_PID,
	ENV_PGID,
	ENV_DOM0_PORT,
	ENV_START_MS,
	ENV_KEY_COUNT,
};

static const char *const env_key_names[ENV_KEY_COUNT] = {
	[ENV_SOCKET] = "SOCKET",	   [ENV_RING] = "RING",
	[ENV_KICK_FIFO] = "KICK_FIFO",	   [ENV_NOTIFY_FIFO] = "NOTIFY_FIFO",
	[ENV_PID] = "PID",		   [ENV_PGID] = "PGID",
	[ENV_DOM0_PORT] = "DOM0_PORT",	   [ENV_START_MS] = "START_MS",
};

static char *env_string_field(struct xsdfx_daemon *d, enum env_key key)
{
	switch (key) {
	case ENV_SOCKET:
		return d->socket_path;
	case ENV_RING:
		return d->ring_path;
	case ENV_KICK_FIFO:
		return d->kick_path;
	case ENV_NOTIFY_FIFO:
		return d->notify_path;
	default:
		return NULL;
	}
}

static void set_number_field(struct xsdfx_daemon *d, enum env_key key, long n)
{
	if (key == ENV_PID)
		d->pid = (pid_t)n;
	else if (key == ENV_PGID)
		d->pgid = (pid_t)n;
	else if (key == ENV_DOM0_PORT)
		d->dom0_port = (uint32_t)n;
	else
		d->start_ms = n;
}

/* Applies one KEY=VALUE line; unknown keys are ignored. */
static bool apply_env_line(struct xsdfx_daemon *d, const char *name,
			   const char *value, unsigned int *seen)
{
	enum env_key key;
	char *field;
	long n;

	for (key = 0; key < ENV_KEY_COUNT; key++) {
		if (!strcmp(name, env_key_names[key]))
			break;
	}
	if (key == ENV_KEY_COUNT)
		return true;
	*seen |= 1u << key;
	field = env_string_field(d, key);
	if (field)
		return copy_value(field, XSDFX_PATH_MAX, value);
	if (!parse_long(&n, value) || n < 0)
		return false;
	set_number_field(d, key, n);
	return true;
}

static int read_env(struct xsdfx_daemon *d)
{
	char path[XSDFX_PATH_MAX + 8], line[XSDFX_PATH_MAX + 32];
	unsigned int seen = 0;
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/env", d->workdir);
	f = fopen(path, "re");
	if (!f) {
		fx_error("%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');

		line[strcspn(line, "\n")] = '\0';
		if (!eq)
			continue;
		*eq = '\0';
		if (!apply_env_line(d, line, eq + 1, &seen)) {
			fx_error("%s: bad value for %s", path, line);
			rc = -1;
		}
	}
	fclose(f);
	if (rc == 0 && seen != (1u << ENV_KEY_COUNT) - 1) {
		fx_error("%s: missing keys (mask %#x)", path, seen);
		rc = -1;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* page and FIFOs                                                       */

static int map_ring(struct xsdfx_daemon *d)
{
	struct stat st;
	int fd = open(d->ring_path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fx_error("%s: %s", d->ring_path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || st.st_size != XSDFX_PAGE_SIZE) {
		fx_error("%s: not a %d-byte page", d->ring_path, XSDFX_PAGE_SIZE);
		close(fd);
		return -1;
	}
	d->ring = mmap(NULL, XSDFX_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);
	close(fd);
	if (d->ring == MAP_FAILED) {
		d->ring = NULL;
		fx_error("mmap %s: %s", d->ring_path, strerror(errno));
		return -1;
	}
	return 0;
}

static int open_fifos(struct xsdfx_daemon *d)
{
	/* The daemon holds both FIFOs open read/write, so neither blocks. */
	d->kick_fd = open(d->kick_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	d->notify_fd = open(d->notify_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (d->kick_fd < 0 || d->notify_fd < 0) {
		fx_error("opening FIFOs: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* start / stop                                                         */

static void reset(struct xsdfx_daemon *d, enum xsdfx_kind kind)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->kick_fd = -1;
	d->notify_fd = -1;
}

static int make_workdir(struct xsdfx_daemon *d)
{
	const char *tmp = getenv("TMPDIR");
	int n;

	if (!tmp || !tmp[0])
		tmp = "/tmp";
	n = snprintf(d->workdir, sizeof(d->workdir), "%s/xsdfx-%s-XXXXXX",
		     tmp, xsdfx_kind_name(d->kind));
	if (n < 0 || (size_t)n >= sizeof(d->workdir) || !mkdtemp(d->workdir)) {
		fx_error("cannot create a work directory under %s", tmp);
		d->workdir[0] = '\0';
		return -1;
	}
	return 0;
}

int xsdfx_start(struct xsdfx_daemon *d, enum xsdfx_kind kind)
{
	const char *args[] = { "start", xsdfx_kind_name(kind), NULL, NULL };

	const char *script = getenv("XSDFX_SCRIPT");

	reset(d, kind);
	if (!script || access(script, R_OK)) {
		fx_error("XSDFX_SCRIPT must name xsd.sh (got %s)",
			 script ? script : "nothing");
		return -1;
	}
	adopt_orphans();
	if (make_workdir(d))
		return -1;
	args[2] = d->workdir;
	if (run_script(SCRIPT_START_TIMEOUT_MS, args) || read_env(d) ||
	    map_ring(d) || open_fifos(d)) {
		xsdfx_stop(d);
		return -1;
	}
	return 0;
}

/* Reaps the adopted supervisor, which exits right after the daemon. */
static void reap_supervisor(pid_t pgid)
{
	long deadline = monotonic_ms() + 2000;

	while (pgid > 0 && monotonic_ms() < deadline) {
		pid_t got = waitpid(pgid, NULL, WNOHANG);

		if (got == pgid || (got < 0 && errno == ECHILD))
			return;
		sleep_ms(5);
	}
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int xsdfx_stop(struct xsdfx_daemon *d)
{
	const char *args[] = { "stop", d->workdir, NULL };
	int rc = 0;

	if (d->kick_fd >= 0)
		close(d->kick_fd);
	if (d->notify_fd >= 0)
		close(d->notify_fd);
	if (d->ring)
		munmap(d->ring, XSDFX_PAGE_SIZE);
	if (d->workdir[0]) {
		rc = run_script(SCRIPT_STOP_TIMEOUT_MS, args);
		reap_supervisor(d->pgid);
		/* Keep the logs of a daemon we failed to stop. */
		if (rc == 0 &&
		    nftw(d->workdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS))
			fx_error("cannot remove %s", d->workdir);
	}
	reset(d, d->kind);
	return rc;
}

/* ------------------------------------------------------------------ */
/* talking to the daemon                                                */

int xsdfx_connect(const struct xsdfx_daemon *d)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(d->socket_path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(addr.sun_path, d->socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int xsdfx_kick(const struct xsdfx_daemon *d)
{
	uint32_t port = d->dom0_port;
	ssize_t n = write(d->kick_fd, &port, sizeof(port));

	/* A full FIFO already holds unread kicks: the event is pending. */
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n != (ssize_t)sizeof(port))
		return -1;
	return 0;
}

static void drain_notifications(int fd)
{
	uint32_t ports[64];

	while (read(fd, ports, sizeof(ports)) > 0)
		;
}

int xsdfx_wait_notify(const struct xsdfx_daemon *d, int timeout_ms)
{
	struct pollfd pfd = { .fd = d->notify_fd, .events = POLLIN };
	int n;

	do {
		n = poll(&pfd, 1, timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n;
	if (!(pfd.revents & POLLIN)) {
		/* No writer left: the daemon is gone. */
		errno = EPIPE;
		return -1;
	}
	drain_notifications(d->notify_fd);
	return 1;
}
