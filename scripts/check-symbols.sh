#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# check-symbols.sh NM LIBXENGUEST.a
# The library may need from its host only mem*/str*, libfdt's fdt_* and
# the port's xg_port_* hooks, and may export only xg_* names: never the
# HYPERVISOR_*, evtchn_*, gnttab_*, xs_* names a host kernel already has.
set -euo pipefail
nm=$1 lib=$2
rc=0
undef=$("$nm" -u "$lib" | awk 'NF == 2 && $1 == "U" { print $2 }' | sort -u)
bad_undef=$(echo "$undef" | grep -Ev '^(mem[a-z]*|str[a-z]*|fdt_[a-z0-9_]+|xg_port_[a-z0-9_]+)$' || true)
# Symbols defined in one object and used by another are fine.
defined=$("$nm" -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u)
bad_undef=$(comm -23 <(echo "$bad_undef" | sed '/^$/d') <(echo "$defined"))
if [ -n "$bad_undef" ]; then
  echo "check-symbols: $lib needs symbols outside the allow-list:" >&2
  echo "$bad_undef" | sed 's/^/  /' >&2
  rc=1
fi
bad_def=$(echo "$defined" | grep -Ev '^xg_' || true)
if [ -n "$bad_def" ]; then
  echo "check-symbols: $lib exports names without the xg_ prefix:" >&2
  echo "$bad_def" | sed 's/^/  /' >&2
  rc=1
fi
if [ $rc -eq 0 ]; then
  echo "check-symbols: $(basename "$lib"): $(echo "$undef" | sed '/^$/d' | wc -l) undefined (all allowed), $(echo "$defined" | wc -l) exported (all xg_)"
fi
exit $rc
