#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# One test of the 'xen' Meson suite: xenguest under real Xen 4.17 (arm64)
# in QEMU, through scripts/xen-qemu/run.sh.
#
#   xen-test.sh --build-dir DIR setup          install QEMU, the cross
#                                              compiler, Xen; build the guest
#   xen-test.sh --build-dir DIR run [run.sh options...]
#
# DIR (the Meson build directory's tests/xen) holds the package cache,
# the guest image and the console logs. If QEMU or the Xen package cannot
# be installed the test FAILS, loudly, unless XG_ALLOW_NO_XEN=1 is set:
# then it is reported as skipped (exit 77).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runner=$root/scripts/xen-qemu

[ "${1:-}" = --build-dir ] && [ $# -ge 3 ] || { echo "usage: $0 --build-dir DIR setup|run [run.sh options]" >&2; exit 2; }
bdir=$2 mode=$3
shift 3
export XG_XEN_CACHE=$bdir/cache

no_xen() {
	if [ "${XG_ALLOW_NO_XEN:-0}" = 1 ]; then
		echo "xen-test.sh: SKIP: $1 (XG_ALLOW_NO_XEN=1)"
		exit 77
	fi
	echo "xen-test.sh: FAIL: $1" >&2
	echo "xen-test.sh: the 'xen' suite needs qemu-system-aarch64, gcc-aarch64-linux-gnu," \
		"device-tree-compiler and Debian's xen-hypervisor-4.17-arm64 (see docs/xen-qemu.md);" \
		"set XG_ALLOW_NO_XEN=1 to skip it on a machine that cannot have them" >&2
	exit 1
}

# Idempotent: a no-op once everything is in the cache.
if ! "$runner/fetch.sh" --cache "$XG_XEN_CACHE" tools xen libfdt; then
	no_xen "QEMU, the arm64 cross compiler or the Xen package could not be installed"
fi

case $mode in
setup)
	"$runner/build-guest.sh" --cache "$XG_XEN_CACHE" --out "$bdir/guest"
	;;
run)
	exec "$runner/run.sh" --build-dir "$bdir" "$@"
	;;
*)
	echo "xen-test.sh: unknown mode '$mode'" >&2
	exit 2
	;;
esac
