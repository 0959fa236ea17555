#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# The 'xen-linux' Meson suite's test: one boot of scripts/xen-linux/run.sh
# (Linux dom0, xenstore domU, blkfront domU) under a hard time limit.
#
#   xen-linux-test.sh --build-dir DIR [run.sh options...]
#
# DIR (the Meson build directory's tests/xen-linux) holds the initramfs,
# DTB, guest image and console logs. The package cache (Xen, QEMU tools,
# Debian's arm64 kernel and dom0 userland) is shared with the 'xen' suite
# (tests/xen/cache) so that a build directory downloads it once. If the
# tools or packages cannot be installed the test FAILS, unless
# XG_ALLOW_NO_XEN=1: then it is reported as skipped (exit 77).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

[ "${1:-}" = --build-dir ] && [ $# -ge 2 ] || { echo "usage: $0 --build-dir DIR [run.sh options]" >&2; exit 2; }
bdir=$2
shift 2
mkdir -p "$bdir/../xen/cache"
export XG_XEN_CACHE=${XG_XEN_CACHE:-$(cd "$bdir/../xen/cache" && pwd)}

if ! "$root/scripts/xen-linux/fetch.sh" --cache "$XG_XEN_CACHE" >/dev/null; then
	if [ "${XG_ALLOW_NO_XEN:-0}" = 1 ]; then
		echo "xen-linux-test.sh: SKIP: QEMU, Xen or the Debian arm64 packages could not be installed (XG_ALLOW_NO_XEN=1)"
		exit 77
	fi
	echo "xen-linux-test.sh: FAIL: QEMU, Xen or the Debian arm64 packages could not be installed" \
		"(see scripts/xen-linux/README.md); set XG_ALLOW_NO_XEN=1 to skip" >&2
	exit 1
fi
# The whole boot takes 10-20 s here; the limit bounds a hang, the runner
# prints the log tail on failure.
exec "$root/scripts/xen-linux/run.sh" --build-dir "$bdir" --timeout 240 "$@"
