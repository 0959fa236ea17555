#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# cost.sh [BUILDDIR] [c|ocaml ...]: where the time of one operation goes.
# Runs the same clients as run.sh against each real daemon and prints, per
# operation: the client's CPU time and context switches (rusage of the
# child), the daemon's CPU time and context switches (/proc/PID/task/*/
# schedstat and status, all threads), and the ceiling the daemon's CPU
# time implies when it has one CPU to itself (1e6 / daemon us per op).
# With STRACE=1 each client also runs once under `strace -c -f` and the
# system calls per operation are printed (strace slows the run: its ops/s
# mean nothing). With CALLGRIND=1 it also counts the client's user-space
# instructions per operation with valgrind, (Ir(3000 pairs) - Ir(1000
# pairs)) / 4000, which cancels start-up. PIN="D C" as in run.sh; PAIRS
# (default 5000); SCHED=batch and POLL_US as in run.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build-xenstore}
shift || true
kinds=("$@")
((${#kinds[@]})) || kinds=(c ocaml)
pairs=${PAIRS:-5000}
read -r pin_daemon pin_client <<<"${PIN:-}" || true
[[ ${SCHED:-other} == @(other|batch) ]] || { echo "cost.sh: SCHED is other or batch" >&2; exit 2; }
. "$top/bench/xenstore/lib.sh"
bin=$build/bench/xenstore
xs_bench_work xg-cost-xs

command -v python3 >/dev/null || { apt-get update && apt-get install -y python3; }
if [[ ${STRACE:-0} == 1 ]] && ! command -v strace >/dev/null; then
	apt-get update && apt-get install -y strace
fi
if [[ ${CALLGRIND:-0} == 1 ]] && ! command -v valgrind >/dev/null; then
	apt-get update && apt-get install -y valgrind
fi
[[ -x $bin/bench_xs ]] || ninja -C "$build" bench/xenstore/bench_xs

for k in "${kinds[@]}"; do
	bash "$xsd" start "$k" "$work/$k" >/dev/null
	envf=$work/$k/env
	pid=$(sed -n 's/^PID=//p' "$envf")
	sock=$(sed -n 's/^SOCKET=//p' "$envf")
	[[ -z ${pin_daemon:-} ]] || taskset -apc "$pin_daemon" "$pid" >/dev/null
	clients=()
	[[ ! -x $bin/xs_libxenstore ]] || clients+=("$bin/xs_libxenstore -s $sock -n $pairs")
	poll=${POLL_US:+-p $POLL_US}
	for t in socket ring; do
		clients+=("$bin/bench_xs -e $envf -t $t -n $pairs $poll")
		clients+=("$bin/bench_xs -e $envf -t $t -n $pairs -q 16 $poll")
	done
	echo "== daemon: $k ($pairs pairs per run, pin: ${PIN:-none}, clients: SCHED_${SCHED:-other}, poll window (us): ${POLL_US:-default})"
	python3 - "$pid" "$((2 * pairs))" "${pin_client:-}" "${STRACE:-0}" \
		"${CALLGRIND:-0}" "${SCHED:-other}" "${clients[@]}" <<'PY'
import glob, os, re, resource, subprocess, sys

pid, ops, pin, strace, callgrind, sched = sys.argv[1], int(sys.argv[2]), \
    sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]

def daemon():
    """CPU ns and context switches of every thread of the daemon."""
    ns = cs = 0
    for task in glob.glob(f'/proc/{pid}/task/*'):
        ns += int(open(f'{task}/schedstat').read().split()[0])
        st = open(f'{task}/status').read()
        cs += sum(int(x) for x in re.findall(r'ctxt_switches:\s+(\d+)', st))
    return ns, cs

def run(cmd):
    argv = cmd.split()
    if pin:
        argv = ['taskset', '-c', pin] + argv
    if sched == 'batch':
        argv = ['chrt', '-b', '0'] + argv
    return subprocess.run(['timeout', '300'] + argv, check=True,
                          capture_output=True, text=True).stdout.strip()

print(f'{"client":34} {"ops/s":>8} {"cli us":>7} {"cli cs":>6} '
      f'{"dmn us":>7} {"dmn cs":>6} {"dmn ceiling":>11}' +
      (' instr/op' if callgrind == '1' else '') +
      ('  syscalls/op (strace -c -f)' if strace == '1' else ''))

def instructions(cmd, pairs):
    """Instructions the client executed, whole run (callgrind)."""
    cmd = re.sub(r'-n \d+', f'-n {pairs}', cmd)
    err = subprocess.run(['timeout', '600', 'valgrind', '--tool=callgrind',
                          '--callgrind-out-file=/dev/null'] + cmd.split(),
                         check=True, capture_output=True, text=True).stderr
    return int(re.search(r'Collected : (\d+)', err).group(1))

for cmd in sys.argv[7:]:
    r0, d0 = resource.getrusage(resource.RUSAGE_CHILDREN), daemon()
    out = run(cmd)
    r1, d1 = resource.getrusage(resource.RUSAGE_CHILDREN), daemon()
    rate = int(re.search(r'= (\d+) ops/s', out).group(1))
    name = out.split(':')[0].strip() if out.startswith('xenguest') else \
        'libxenstore socket sync'
    cli_us = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1e6 / ops
    cli_cs = (r1.ru_nvcsw + r1.ru_nivcsw - r0.ru_nvcsw - r0.ru_nivcsw) / ops
    dmn_us = (d1[0] - d0[0]) / 1e3 / ops
    dmn_cs = (d1[1] - d0[1]) / ops
    line = (f'{name:34} {rate:8d} {cli_us:7.2f} {cli_cs:6.2f} '
            f'{dmn_us:7.2f} {dmn_cs:6.2f} {1e6 / dmn_us:11.0f}')
    if callgrind == '1':
        ir = (instructions(cmd, 3000) - instructions(cmd, 1000)) / 4000
        line += f' {ir:8.0f}'
    if strace == '1':
        f = f'/tmp/xg-cost-strace.{os.getpid()}'
        run('strace -c -f -o ' + f + ' ' + cmd)
        calls = {}
        for l in open(f):
            m = re.match(r'\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$', l)
            if m and m.group(2) != 'total':
                calls[m.group(2)] = int(m.group(1))
        os.unlink(f)
        hot = {k: v / ops for k, v in calls.items() if v >= ops / 20}
        line += '  ' + ' '.join(f'{k} {v:.2f}' for k, v in
                                sorted(hot.items(), key=lambda x: -x[1]))
        line += f'  = {sum(hot.values()):.2f}'
    print(line, flush=True)
PY
	bash "$xsd" stop "$work/$k" >/dev/null
done
