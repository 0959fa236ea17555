# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Sourced by run.sh and cost.sh (which set $top and the array $kinds):
# a scratch directory for the daemons, stopped and removed on exit.
xsd=$top/tests/xenstored/xsd.sh

xs_bench_cleanup() {
	for k in "${kinds[@]}"; do
		bash "$xsd" stop "$work/$k" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}

# xs_bench_work NAME: sets $work to a fresh /tmp/NAME.XXXXXX directory.
xs_bench_work() {
	work=$(mktemp -d "/tmp/$1.XXXXXX")
	trap xs_bench_cleanup EXIT
}
