#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# deps.sh GROUP...   Install the Debian 12 packages a job needs, if missing.
#   build   compilers, Meson, CMocka, libfdt, Xen public headers
#   cross   arm64 cross compiler, clang/LLVM for both architectures
#   check   valgrind (benchmarks), clang runtimes (sanitizers, libFuzzer)
#   xen     QEMU for arm64 and device-tree tools (the Xen package itself
#           is fetched by scripts/xen-qemu/fetch.sh)
set -euo pipefail

declare -A pkgs=(
  [build]="meson ninja-build gcc pkg-config libcmocka-dev libfdt-dev libxen-dev device-tree-compiler python3"
  [cross]="gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu clang llvm lld"
  [check]="valgrind clang libclang-rt-14-dev"
  [xen]="qemu-system-arm device-tree-compiler gcc-aarch64-linux-gnu"
)

want=()
for g in "$@"; do
  [ -n "${pkgs[$g]:-}" ] || { echo "deps.sh: unknown group $g" >&2; exit 2; }
  for p in ${pkgs[$g]}; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || want+=("$p")
  done
done
[ ${#want[@]} -eq 0 ] && exit 0

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps.sh: installing ${want[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
