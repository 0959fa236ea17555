#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# run.sh [BUILDDIR] [c|ocaml ...]: one side-by-side run of small
# write+read pairs against the real daemons: libxenstore over the socket,
# then xenguest over the socket and the shared ring, synchronous and with
# 16 requests in flight. PAIRS (default 20000) sets the length of a run;
# REPEAT (default 3) interleaves that many rounds, since a shared 2-core
# machine is noisy: compare medians. PIN="D C" pins the daemon to CPU D and
# the clients to CPU C with taskset (e.g. "0 1" or "0 0"), which makes the
# figures far more repeatable than letting the scheduler place them.
# SCHED=batch runs every client, libxenstore included, as SCHED_BATCH
# (chrt -b 0): on a shared core a woken SCHED_OTHER client preempts the
# daemon at each reply it writes, which caps pipelining there (see
# docs/xenstore.md); a batch client does not preempt on wakeup.
# POLL_US sets xenguest's poll window before sleeping (bench_xs -p;
# default XG_HOSTED_POLL_WINDOW_NS, 0: always sleep at once, as
# libxenstore does).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build-xenstore}
shift || true
kinds=("$@")
((${#kinds[@]})) || kinds=(c ocaml)
pairs=${PAIRS:-20000}
repeat=${REPEAT:-3}
read -r pin_daemon pin_client <<<"${PIN:-}" || true
sched=${SCHED:-other}
poll=()
[[ -z ${POLL_US:-} ]] || poll=(-p "$POLL_US")
case $sched in
other) policy=() ;;
batch) policy=(chrt -b 0) ;;
*) echo "run.sh: SCHED is other or batch" >&2; exit 2 ;;
esac
run() { # run CMD...: a client, pinned and scheduled as asked
	if [[ -n ${pin_client:-} ]]; then
		timeout 300 "${policy[@]}" taskset -c "$pin_client" "$@"
	else
		timeout 300 "${policy[@]}" "$@"
	fi
}
. "$top/bench/xenstore/lib.sh"
xs_bench_work xg-bench-xs

[[ -x $build/bench/xenstore/bench_xs ]] || ninja -C "$build" bench/xenstore/bench_xs
# The machine is shared: record the load around the run, so a noisy one
# can be recognised and repeated.
echo "== load before: $(uptime)"
for k in "${kinds[@]}"; do
	{
	bash "$xsd" start "$k" "$work/$k" >/dev/null
	envf=$work/$k/env
	sock=$(sed -n 's/^SOCKET=//p' "$envf")
	if [[ -n ${pin_daemon:-} ]]; then
		taskset -pc "$pin_daemon" "$(sed -n 's/^PID=//p' "$envf")" >/dev/null
	fi
	echo "== daemon: $k ($pairs pairs per run, $repeat rounds, pin: ${PIN:-none}, clients: SCHED_${sched^^}, poll window (us): ${POLL_US:-default})"
	for ((round = 1; round <= repeat; round++)); do
		if [[ -x $build/bench/xenstore/xs_libxenstore ]]; then
			run "$build/bench/xenstore/xs_libxenstore" -s "$sock" -n "$pairs"
		fi
		for t in socket ring; do
			run "$build/bench/xenstore/bench_xs" -e "$envf" -t "$t" -n "$pairs" "${poll[@]}"
			run "$build/bench/xenstore/bench_xs" -e "$envf" -t "$t" -n "$pairs" -q 16 "${poll[@]}"
		done
	done
	bash "$xsd" stop "$work/$k" >/dev/null
	} | tee -a "$work/all.txt"
done

echo "== load after: $(uptime)"

# Medians per daemon and configuration, and the ratio to libxenstore.
python3 - "$work/all.txt" <<'PY'
import re, statistics, sys
runs, daemon = {}, None
for line in open(sys.argv[1]):
    m = re.match(r'== daemon: (\w+)', line)
    if m:
        daemon = m.group(1)
        continue
    m = re.search(r'= (\d+) ops/s', line)
    if m:
        key = line.split(':')[0].strip() if line.startswith('xenguest') else 'libxenstore socket sync'
        runs.setdefault((daemon, key), []).append(int(m.group(1)))
print('== medians')
base = {}
for (daemon, key), v in runs.items():
    med = statistics.median(v)
    base.setdefault(daemon, med if key.startswith('lib') else None)
    ratio = f'  x{med / base[daemon]:.2f} vs libxenstore' if base[daemon] else ''
    print(f'{daemon:6} {key:28} {med:9.0f} ops/s (min {min(v)}, max {max(v)}){ratio}')
PY
