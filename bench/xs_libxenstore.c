/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Copyright (c) 2026 The xenguest authors
 *
 * xs_libxenstore: throughput baseline of Xen's official client library
 * (libxenstore) against a real xenstore daemon over its Unix socket.
 * It does N pairs of xs_write + xs_read of a small value on one key and
 * prints operations per second, for comparison with xenguest's own client.
 *
 * Build (needs libxen-dev):
 *   cc -O2 -Wall -o xs_libxenstore bench/xs_libxenstore.c -lxenstore
 * or with meson: executable(..., dependencies: dependency('xenstore')).
 *
 * Run against a daemon started by tests/xenstored/xsd.sh:
 *   tests/xenstored/xsd.sh start c /tmp/xsd
 *   ./xs_libxenstore -s "$(sed -n 's/^SOCKET=//p' /tmp/xsd/env)" -n 20000
 *   tests/xenstored/xsd.sh stop /tmp/xsd
 *
 * Options: -s SOCKET (default: $XENSTORED_PATH), -n PAIRS (default 20000),
 *          -k KEY (default /bench/xs_libxenstore).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

struct options {
	const char *socket;
	const char *key;
	unsigned long pairs;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-s SOCKET] [-n PAIRS] [-k KEY]\n", prog);
	exit(2);
}

static struct options parse_options(int argc, char **argv)
{
	struct options opt = {
		.socket = getenv("XENSTORED_PATH"),
		.key = "/bench/xs_libxenstore",
		.pairs = 20000,
	};
	char *end;
	int c;

	while ((c = getopt(argc, argv, "s:n:k:")) != -1) {
		switch (c) {
		case 's':
			opt.socket = optarg;
			break;
		case 'n':
			opt.pairs = strtoul(optarg, &end, 10);
			if (*end || opt.pairs == 0)
				usage(argv[0]);
			break;
		case 'k':
			opt.key = optarg;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (!opt.socket || !opt.socket[0]) {
		fprintf(stderr, "no socket: pass -s or set XENSTORED_PATH\n");
		usage(argv[0]);
	}
	return opt;
}

/* One write then one read back, checked, so a broken daemon cannot look fast. */
static bool write_read_pair(struct xs_handle *xs, const char *key,
			    unsigned long i)
{
	char value[32];
	unsigned int len;
	int n = snprintf(value, sizeof(value), "v%lu", i);
	char *got;
	bool same;

	if (!xs_write(xs, XBT_NULL, key, value, (unsigned int)n)) {
		perror("xs_write");
		return false;
	}
	got = xs_read(xs, XBT_NULL, key, &len);
	if (!got) {
		perror("xs_read");
		return false;
	}
	same = len == (unsigned int)n && memcmp(got, value, len) == 0;
	free(got);
	if (!same)
		fprintf(stderr, "read back a different value at pair %lu\n", i);
	return same;
}

int main(int argc, char **argv)
{
	struct options opt = parse_options(argc, argv);
	struct xs_handle *xs;
	double t0, elapsed;
	unsigned long i;

	/* libxenstore takes the socket path from the environment only. */
	setenv("XENSTORED_PATH", opt.socket, 1);
	xs = xs_open(0);
	if (!xs) {
		perror("xs_open");
		return 1;
	}
	t0 = now_seconds();
	for (i = 0; i < opt.pairs; i++) {
		if (!write_read_pair(xs, opt.key, i)) {
			xs_close(xs);
			return 1;
		}
	}
	elapsed = now_seconds() - t0;
	xs_rm(xs, XBT_NULL, opt.key);
	xs_close(xs);

	printf("libxenstore: %lu write+read pairs, %lu ops in %.3f s = "
	       "%.0f ops/s (%.1f us/op)\n",
	       opt.pairs, 2 * opt.pairs, elapsed,
	       (double)(2 * opt.pairs) / elapsed,
	       elapsed * 1e6 / (double)(2 * opt.pairs));
	return 0;
}
