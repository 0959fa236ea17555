#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# size.sh [OUTDIR]
# Code size of the library as a kernel builds it: x86_64 and arm64
# freestanding kernel flags (cross/), -Os, no unwind tables, asserts and
# logging compiled out. Prints text+rodata per object and the size of the
# budgeted core: 2-level events (with the interrupt-source registry),
# grant table v1 (frontend: frames, allocator, grant/end access) and the
# xenstore core (request machine with the watch dispatch it references,
# ring transport).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build-size}
flags="-fno-asynchronous-unwind-tables -DXG_CONFIG_ASSERT=0"

measure() { # measure NAME CROSS SIZE-TOOL
  local name=$1 cross=$2 size=$3 dir="$out/$1"
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" >/dev/null
  else
    meson setup "$dir" --cross-file "$top/cross/$cross" -Dbuildtype=minsize \
      -Dlog_level=0 -Dc_args="$flags" >/dev/null
  fi
  ninja -C "$dir" >/dev/null
  echo "== $name (-Os, $flags, log_level=0)"
  # text+rodata of each object ('size -A' lists every section); Meson
  # names the object of src/a/b.c src_a_b.c.o.
  for src in $(cd "$top" && find src -name '*.c'); do
    o="$dir/libxenguest-kernel.a.p/$(echo "$src" | tr / _).o"
    [ -f "$o" ] || continue
    "$size" -A "$o" | awk -v f="${src#src/}" '
      $1 ~ /^\.text/ || $1 ~ /^\.rodata/ { t += $2 }
      END { printf "%7d  %s\n", t, f }'
  done | sort -k2 | tee "$dir/sizes.txt"
  awk '
    $2 ~ /^(evtchn\/evtchn\.c|evtchn\/evtchn_2l\.c|intr\/intr\.c)$/ { ev += $1 }
    $2 ~ /^gnttab\/(gnttab|alloc)\.c$/ { gt += $1 }
    $2 ~ /^xenstore\/(xs|xs_watch|xs_ring)\.c$/ { xs += $1 }
    END { printf "budgeted core: events+registry %d + grant v1 %d + xenstore core %d = %d bytes (budget 12288)\n", ev, gt, xs, ev + gt + xs }
  ' "$dir/sizes.txt"
}

measure x86_64 x86_64-gcc.txt size
measure arm64 aarch64-gcc.txt aarch64-linux-gnu-size
