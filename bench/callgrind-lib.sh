# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Sourced by the callgrind.sh scripts of bench/*/: valgrind installed, a
# scratch directory $tmp removed on exit, and the sum of callgrind
# annotate's inclusive counts.
if ! command -v valgrind >/dev/null; then
  { apt-get update && apt-get install -y valgrind; } >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# inclusive OUT PATTERN: inclusive Ir of the lines of callgrind output OUT
# matching PATTERN ("PROGRAM TOTALS": the whole collected run).
inclusive() {
  callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$1" 2>/dev/null |
    awk -v pat="$2" '$0 ~ pat { gsub(",", "", $1); s += $1 } END { print s + 0 }'
}
