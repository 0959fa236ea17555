#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Runs every test xenguest has, on a fresh Debian 12 machine (installs
# what it needs with apt). This is the README's test command and what CI
# runs. Stages:
#   1. native build and every Meson test suite (unit, modules, real
#      xenstore daemons, real Xen under QEMU where present)
#   2. the same under AddressSanitizer + UBSan
#   3. the thread stress tests under ThreadSanitizer (clang)
#   4. freestanding cross builds: arm64 and x86_64, gcc and clang, -Werror,
#      the undefined-symbol allow-list, src/sources.mk against Meson
#   5. fuzz targets, briefly (FUZZ_SECONDS each, default 20)
# Set XG_SKIP="xen san tsan cross fuzz" to leave stages out while iterating.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${XG_BUILD_ROOT:-$top/build-ci}
skip=" ${XG_SKIP:-} "
fuzz_seconds=${FUZZ_SECONDS:-20}
jobs=$(nproc)

bash scripts/deps.sh build cross check
declare -a summary=()
stage() { echo; echo "=== $* ==="; }
note() { summary+=("$*"); }
passed=0 failed=0
mtest() { # meson test ARGS...: run, show, and add its counts to the totals
  local log rc=0
  log=$(mktemp)
  meson test "$@" | tee "$log" || rc=$?
  passed=$((passed + $(awk '/^Ok:/ { print $2; exit }' "$log")))
  failed=$((failed + $(awk '/^Fail:/ { print $2; exit }' "$log")))
  rm -f "$log"
  return $rc
}

setup() { # setup DIR ARGS...: (re)configure a build dir
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

stage "1. native build and tests"
setup "$out/native"
ninja -C "$out/native" >/dev/null
if [[ $skip == *" xen "* ]]; then
  mtest -C "$out/native" --num-processes "$jobs" --print-errorlogs --no-suite xen --no-suite xen-stress --no-suite xen-linux
  note "native: all suites but xen passed"
else
  # The real-Xen boots run one at a time: two emulated machines on two
  # cores would only slow each other down.
  mtest -C "$out/native" --num-processes "$jobs" --print-errorlogs --no-suite xen --no-suite xen-stress --no-suite xen-linux
  mtest -C "$out/native" --num-processes 1 --print-errorlogs --suite xen
  # The full stack: Linux dom0 (xenstored, xen-blkback) + xenguest domUs.
  mtest -C "$out/native" --num-processes 1 --print-errorlogs --suite xen-linux
  note "native: all suites passed, real Xen and the Linux-dom0 full stack included"
fi

if [[ $skip != *" san "* ]]; then
  stage "2. AddressSanitizer + UndefinedBehaviorSanitizer"
  setup "$out/asan" -Db_sanitize=address,undefined -Db_lundef=false
  ninja -C "$out/asan" >/dev/null
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    mtest -C "$out/asan" --num-processes "$jobs" --print-errorlogs \
      --no-suite xen --no-suite xen-stress --no-suite xen-linux --timeout-multiplier 3
  note "asan+ubsan: all host suites passed"
fi

if [[ $skip != *" tsan "* ]]; then
  stage "3. ThreadSanitizer (clang)"
  CC=clang setup "$out/tsan" -Db_sanitize=thread -Db_lundef=false
  ninja -C "$out/tsan" >/dev/null
  TSAN_OPTIONS=halt_on_error=1 \
    mtest -C "$out/tsan" --num-processes "$jobs" --print-errorlogs \
      --suite unit --suite evtchn --suite gnttab --suite freebsd --suite xenstore \
      --timeout-multiplier 5
  note "tsan: unit and module suites passed"
fi

if [[ $skip != *" cross "* ]]; then
  stage "4. freestanding cross builds"
  for c in aarch64-gcc aarch64-clang x86_64-gcc x86_64-clang; do
    setup "$out/$c" --cross-file "cross/$c.txt" -Dwerror=true -Dbuildtype=minsize
    ninja -C "$out/$c" >/dev/null
    case $c in
      aarch64-gcc) nm=aarch64-linux-gnu-nm arch=arm64 ;;
      x86_64-gcc) nm=nm arch=x86_64 ;;
      *-clang) nm=llvm-nm arch=${c%%-*}; arch=${arch/aarch64/arm64} ;;
    esac
    scripts/check-symbols.sh "$nm" "$out/$c/libxenguest-kernel.a"
    scripts/check-sources.sh "$out/$c" "$arch"
  done
  scripts/check-sources.sh "$out/native" host
  # The FreeBSD glue's FreeBSD-independent half compiles for FreeBSD
  # targets anywhere; the glue itself needs a FreeBSD sys/ tree.
  for t in aarch64-unknown-freebsd14 x86_64-unknown-freebsd14; do
    clang --target=$t -std=c11 -ffreestanding -fsyntax-only -Wall -Wextra \
      -Werror -Wmissing-prototypes -Wcast-qual -Iinclude -Iports/template \
      ports/freebsd/xg_fbsd_glue.c
  done
  if [ -n "${FREEBSD_SYS:-}" ]; then
    scripts/check-freebsd.sh
    note "freebsd: glue checked against $FREEBSD_SYS"
  else
    echo "check-freebsd: skipped (set FREEBSD_SYS to a FreeBSD sys/ tree; see ports/freebsd/README.md)"
  fi
  note "cross: arm64 + x86_64, gcc + clang, -Werror, symbols and sources.mk checked"
fi

if [[ $skip != *" fuzz "* ]]; then
  stage "5. fuzz targets (${fuzz_seconds}s each)"
  CC=clang setup "$out/fuzz" -Dfuzz=true -Db_sanitize=address -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link
  ninja -C "$out/fuzz" >/dev/null
  for f in "$out"/fuzz/tests/fuzz/fuzz_*; do
    [ -f "$f" ] && [ -x "$f" ] || continue
    corpus="$out/fuzz/corpus-$(basename "$f")"
    mkdir -p "$corpus"
    # Seed the device-tree fuzzer with the real and malformed trees.
    [ "$(basename "$f")" = fuzz_fdt ] && cp "$out"/fuzz/tests/*.dtb "$corpus"/
    "$f" -max_total_time="$fuzz_seconds" -print_final_stats=0 \
      "$out/fuzz/corpus-$(basename "$f")" 2>&1 | tail -n 2
  done
  note "fuzz: every target ran ${fuzz_seconds}s clean"
fi

echo
echo "=== summary ==="
printf '  %s\n' "${summary[@]}"
echo "total: $passed passed, $failed failed"
