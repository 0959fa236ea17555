#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# callgrind.sh BUILDDIR [N]
# Instructions per operation of the grant table hot paths: runs each
# loop of bench_gnttab N times under callgrind, collecting only inside
# loop_<name>, and prints Ir/N, with and without the hosted port's lock
# (a pthread mutex plus test bookkeeping; a kernel spinlock costs a few
# instructions).
set -euo pipefail
build=${1:?usage: callgrind.sh BUILDDIR [N]}
n=${2:-100000}
bench="$build/bench/gnttab/bench_gnttab"
. "$(dirname "$0")/../callgrind-lib.sh"

printf '%-16s %12s %14s\n' loop "Ir/op" "Ir/op w/o lock"
for loop in alloc_free grant_end grant_end_free batch32 pool; do
  out="$tmp/$loop.out"
  timeout 300 valgrind --tool=callgrind --callgrind-out-file="$out" \
    --toggle-collect="loop_$loop" "$bench" "$loop" "$n" >/dev/null 2>&1
  total=$(inclusive "$out" "PROGRAM TOTALS")
  lock=$(inclusive "$out" ":xg_port_(un)?lock \\[")
  awk -v l="$loop" -v t="$total" -v k="$lock" -v n="$n" \
    'BEGIN { printf "%-16s %12.1f %14.1f\n", l, t / n, (t - k) / n }'
done
