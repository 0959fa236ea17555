#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# stage-headers.sh DEST XEN_HEADERS LIBFDT_HEADERS
# Links Xen's public headers (DEST/xen) and libfdt's three headers into
# DEST, so a freestanding build adds DEST to its include path instead of
# all of /usr/include (which would shadow the cross compiler's own).
set -euo pipefail
dest=$1 xen=$2 fdt=$3
if [ ! -f "$xen/xen/xen.h" ]; then
  echo "stage-headers: no Xen public headers at $xen/xen (apt-get install libxen-dev, or -Dxen_headers=DIR)" >&2
  exit 1
fi
mkdir -p "$dest"
ln -sfn "$xen/xen" "$dest/xen"
for h in libfdt.h fdt.h libfdt_env.h; do
  if [ -f "$fdt/$h" ]; then
    ln -sfn "$fdt/$h" "$dest/$h"
  fi
done
