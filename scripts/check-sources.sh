#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# check-sources.sh BUILDDIR ARCH
# Checks that src/sources.mk lists exactly the library sources Meson
# builds in BUILDDIR (configured with every module on), and that every .c
# file under src/ appears in sources.mk, so kernels that use the plain
# list never miss a file.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1 arch=$2
mk="$top/src/sources.mk"

# Every variable's files, except other architectures' lists.
mk_files=$(awk -v arch="$arch" '
  /^XG_SRCS_[A-Za-z0-9_]+ *:=/ { v=$1; keep = (v !~ /^XG_SRCS_ARCH_/ || v == "XG_SRCS_ARCH_" arch); next }
  /^[^ \t#]/ { keep = 0 }
  keep && /src\// { for (i = 1; i <= NF; i++) if ($i ~ /^src\//) print $i }
' "$mk" | sort -u)

meson_files=$(meson introspect --targets "$build" | python3 -c '
import json, os, sys
top = sys.argv[1]
for t in json.load(sys.stdin):
    if t["name"] != "xenguest-kernel":
        continue
    for s in t["target_sources"]:
        for f in s.get("sources", []):
            print(os.path.relpath(f, top))
' "$top" | sort -u)

all_src=$(cd "$top" && find src -name '*.c' | sort -u)
mk_all=$(grep -oE 'src/[A-Za-z0-9_/.-]+\.c' "$mk" | sort -u)

rc=0
if [ "$mk_files" != "$meson_files" ]; then
  echo "check-sources: src/sources.mk and meson.build disagree for $arch:" >&2
  diff <(echo "$mk_files") <(echo "$meson_files") | sed 's/^</  only in sources.mk:/; s/^>/  only in meson:/' | grep only >&2 || true
  rc=1
fi
missing=$(comm -23 <(echo "$all_src") <(echo "$mk_all"))
if [ -n "$missing" ]; then
  echo "check-sources: not listed in src/sources.mk: $missing" >&2
  rc=1
fi
[ $rc -eq 0 ] && echo "check-sources: $arch: $(echo "$meson_files" | wc -l) files, sources.mk matches meson"
exit $rc
