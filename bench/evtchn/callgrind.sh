#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# callgrind.sh BUILDDIR [ROUNDS]
# Instructions per delivered event: for each ABI, bound-port count and
# pending count, runs bench_evtchn under callgrind collecting only inside
# xg_evtchn_upcall (the handler is a counter increment) and prints
# Ir / events. Then the hypercall counts and registry memory per port.
set -euo pipefail
build=${1:?usage: callgrind.sh BUILDDIR [ROUNDS]}
rounds=${2:-2000}
bench="$build/bench/evtchn/bench_evtchn"
. "$(dirname "$0")/../callgrind-lib.sh"
total_ir() { inclusive "$1" "PROGRAM TOTALS"; }

printf '%-5s %6s %8s %10s %10s\n' abi bound pending events "Ir/event"
for abi in 2l fifo; do
  for bound in 1 64 4000; do
    for pending in 1 8 64; do
      [ "$pending" -le "$bound" ] || continue
      out="$tmp/$abi-$bound-$pending.out"
      timeout 600 valgrind --tool=callgrind --callgrind-out-file="$out" \
        --toggle-collect=xg_evtchn_upcall \
        "$bench" upcall "$abi" "$bound" "$pending" "$rounds" >/dev/null 2>&1
      ir=$(total_ir "$out")
      ev=$((pending * rounds))
      awk -v a="$abi" -v b="$bound" -v p="$pending" -v e="$ev" -v i="$ir" \
        'BEGIN { printf "%-5s %6d %8d %10d %10.1f\n", a, b, p, e, i / e }'
    done
  done
done
# A CPU that gave ports away also checks them for strays (2-level).
printf '%-5s %6s %8s %10s %10s  (idle ports moved on to CPU 1)\n' abi bound pending events "Ir/event"
for cfg in "64 1" "64 8" "4000 8" "4000 64"; do
  set -- $cfg
  out="$tmp/moved-$1-$2.out"
  timeout 600 valgrind --tool=callgrind --callgrind-out-file="$out" \
    --toggle-collect=xg_evtchn_upcall \
    "$bench" upcall-moved 2l "$1" "$2" "$rounds" >/dev/null 2>&1
  ir=$(total_ir "$out")
  awk -v b="$1" -v p="$2" -v e="$(($2 * rounds))" -v i="$ir" \
    'BEGIN { printf "%-5s %6d %8d %10d %10.1f\n", "2l", b, p, e, i / e }'
done
for abi in 2l fifo; do
  timeout 60 "$bench" hypercalls "$abi"
done
for abi in 2l fifo; do
  timeout 60 "$bench" memory "$abi" 4000
done
