#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Checks tap-verdict.awk (run.sh's judge) on made-up console logs: it
# must pass a clean run and fail every kind of broken one.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# check NAME NDOMUS EXPECTED_RC EXPECTED_SUMMARY <<< LOG
check() {
	local name=$1 ndomus=$2 want_rc=$3 want_sum=$4 rc=0 out
	cat >"$tmp/log"
	out=$(awk -v ndomus="$ndomus" -f "$here/tap-verdict.awk" "$tmp/log") || rc=$?
	if [ "$rc" = "$want_rc" ] && [ "$(tail -n 1 <<<"$out")" = "$want_sum" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $name: rc $rc (want $want_rc), got:"
		echo "$out"
	fi
}

check "clean dom0 + domU" 1 0 "3 passed, 0 failed" <<'EOF'
[   0.100] (XEN) Xen version 4.17
[   0.700] 1..2
[   0.701] (d1) 1..1
[   0.702] ok 1 - first
[   0.703] (d1) ok 1 - domU test
[   0.704] ok 2 - second # SKIP not here
EOF

check "not ok in a domU" 1 1 "2 passed, 1 failed" <<'EOF'
1..2
ok 1 - a
ok 2 - b
(d1) 1..1
(d1) not ok 1 - broken
EOF

check "domU never printed a plan" 1 1 "1 passed, 0 failed" <<'EOF'
1..1
ok 1 - a
(d1) # booting
EOF

check "dom0 died half way" 0 1 "1 passed, 1 failed" <<'EOF'
1..2
ok 1 - a
(XEN) Hardware Dom0 crashed: rebooting machine in 5 seconds.
EOF

check "bail out" 0 1 "1 passed, 0 failed" <<'EOF'
1..1
ok 1 - a
Bail out! no memory
EOF

check "Xen's own lines are not TAP" 0 1 "0 passed, 0 failed" <<'EOF'
(XEN) 1..1
(XEN) ok 1 - not a guest line
EOF

check "two-digit domain ids" 10 1 "1 passed, 0 failed" <<'EOF'
(d10) 1..1
(d10) ok 1 - only d10
EOF

check "domU line inside a long dom0 line" 1 0 "4 passed, 0 failed" <<'EOF'
[   0.700] 1..2
[   0.701] (d1) 1..2
[   0.702] ok 1 - a long dom0 line cut by Xen after 128 bytes (d1) ok 1 - domU test
[   0.703]  and its rest
[   0.704] (d1) ok 2 - another domU test
[   0.705] ok 2 - second
EOF

check "split dom0 line that says not ok" 1 1 "2 passed, 1 failed" <<'EOF'
1..2
(d1) 1..1
not ok 1 - a long failing dom0 line(d1) ok 1 - domU test
 and its rest
ok 2 - b
EOF

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
