#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# The xenguest demo: real Xen, real guests, one command.
#
#   scripts/demo.sh [--quick] [--fake]
#
# Installs what is missing (QEMU, the arm64 cross compiler, dtc and
# Debian's Xen 4.17 for arm64, all from Debian's archive; needs root for
# apt-get), builds the bare-metal reference kernel with xenguest
# (ports/baremetal) and boots Xen in qemu-system-aarch64 twice, once per
# event channel ABI (FIFO, then 2-level): dom0 plus two dom0less domUs
# with 2 vCPUs each, every one of them running the library's self-test.
# Then it prints what was tested and what happened: tests passed per
# domain, interdomain events delivered as GIC interrupts (lost, duplicate),
# IPIs, grant mappings and copies, and the split driver's requests per
# second under emulation. A third boot runs the full stack: Debian's Linux
# as dom0 (real xenstored, xen-blkback) and xenguest domUs that use its
# xenstore and its block backend (scripts/xen-linux/run.sh).
#
#   --quick   one domU instead of two
#   --no-linux  leave out the Linux-dom0 boot (it downloads about 70 MB
#             of Debian arm64 packages the first time)
#   --fake    skip Xen: run the fake-hypervisor demo (what happens
#             automatically when QEMU or Xen cannot be installed)
#
# Exit status: 0 when every test of every domain passed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
runner=$here/xen-qemu
out=$root/build/demo
ndomus=2 fake=0 linux=1
while [ $# -gt 0 ]; do
	case $1 in
	--quick) ndomus=1 ;;
	--fake) fake=1 ;;
	--no-linux) linux=0 ;;
	-h | --help) sed -n '4,29p' "$0"; exit 0 ;;
	*) echo "demo.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
mkdir -p "$out"

say() { printf '%s\n' "$*"; }
rule() { say "------------------------------------------------------------------------"; }

# ---- fallback: two fake domains on the fake hypervisor --------------------------

fake_demo() {
	local why=$1 bdir=$root/build/demo-fake rc=0
	rule
	say "xenguest demo: FAKE HYPERVISOR FALLBACK"
	say "  Real Xen is not used: $why."
	say "  Instead the library runs against tests/fakexen, an in-process model of"
	say "  Xen's event channel and grant table hypercalls, with the hosted POSIX port"
	say "  (threads play the vCPUs, a second fake domain plays the peer)."
	rule
	command -v meson >/dev/null && command -v ninja >/dev/null ||
		{ [ "$(id -u)" = 0 ] && apt-get -q -y install --no-install-recommends meson ninja-build \
			libcmocka-dev libfdt-dev pkg-config >/dev/null; } || true
	if [ ! -f "$bdir/build.ninja" ]; then
		meson setup "$bdir" "$root" >"$out/fake-setup.log" 2>&1 ||
			{ say "demo.sh: meson setup failed, see $out/fake-setup.log"; return 1; }
	fi
	meson test -C "$bdir" --suite evtchn --suite gnttab --print-errorlogs \
		>"$out/fake-test.log" 2>&1 || rc=$?
	grep -E '^ *[0-9]+/[0-9]+ ' "$out/fake-test.log" | sed 's/^/  /' || true
	say ""
	grep -E '^(Ok|Fail|Skipped|Timeout):' "$out/fake-test.log" | sed 's/^/  /' || true
	rule
	if [ $rc = 0 ]; then
		say "RESULT: PASS (fake hypervisor only; install QEMU and Xen for the real demo)"
	else
		say "RESULT: FAIL (see $out/fake-test.log)"
	fi
	return $rc
}

if [ $fake = 1 ]; then
	fake_demo "--fake was given"
	exit
fi

# ---- real Xen ------------------------------------------------------------------------

say "xenguest demo: setting up (QEMU, aarch64 cross compiler, dtc, Xen 4.17 arm64)..."
if ! "$runner/fetch.sh" tools xen libfdt >"$out/setup.log" 2>&1; then
	tail -n 5 "$out/setup.log" | sed 's/^/  /'
	fake_demo "QEMU or the Xen package could not be installed (see $out/setup.log)"
	exit
fi
say "xenguest demo: building the bare-metal reference kernel with xenguest..."
"$runner/build-guest.sh" --out "$out/guest" >"$out/build.log" 2>&1 ||
	{ cat "$out/build.log"; say "RESULT: FAIL (guest build)"; exit 1; }

# sum_field LOG REGEX: add up the first number a line's match starts with.
sum_field() {
	grep -v '(XEN)' "$1" | grep -oE "$2" | grep -oE '^[0-9]+' | awk '{ s += $1 } END { print s + 0 }'
}

# One boot; prints its part of the report. $1 = label, rest = run.sh options.
overall=0
demo_run() {
	local label=$1 log rc=0 secs
	shift
	log=$out/$(echo "$label" | tr ' A-Z' '-a-z').log
	"$runner/run.sh" --build-dir "$out" --guest "$out/guest/xgbm.bin" --log "$log" \
		--domus "$ndomus" --domu-vcpus 2 --enhanced --timeout 240 "$@" \
		>"$log.verdict" 2>&1 || rc=$?
	secs=$(grep -oE '(PASS in|FAIL after) [0-9.]+s' "$log.verdict" | grep -oE '[0-9.]+' || echo '?')
	rule
	say "$label: Xen 4.17 on ${smp} emulated CPUs; dom0 (${smp} vCPUs) + $ndomus domU(s) (2 vCPUs each)"
	say ""
	say "  domain  tests passed  result"
	grep -E '^d[0-9]+: [0-9]+ ok, ' "$log.verdict" | while IFS= read -r line; do
		# "d1: 33 ok, 0 not ok, plan 33: ok"
		local d ok plan verdict
		d=${line%%:*}
		ok=$(sed -E 's/^d[0-9]+: ([0-9]+) ok.*/\1/' <<<"$line")
		plan=$(sed -E 's/.*plan ([0-9a-z]+):.*/\1/' <<<"$line")
		verdict=$(sed -E 's/.*plan [0-9a-z]+: //' <<<"$line")
		[ "$verdict" = ok ] && verdict=PASS
		printf '  %-6s  %5s of %-5s  %s\n' "$d" "$ok" "$plan" "$verdict"
	done
	grep -E '^d[0-9]+: (not ok|Bail)' "$log.verdict" | sed 's/^/  failed: /' | cut -c1-150 || true
	say ""
	local ev lost dups ipis rings rate grants reclaim v2
	ev=$(sum_field "$log" '[0-9]+ of [0-9]+ events from d[0-9]+ handled in the upcall')
	lost=$(sum_field "$log" '[0-9]+ lost, [0-9]+ duplicates')
	dups=$(grep -v '(XEN)' "$log" | grep -oE '[0-9]+ duplicates' | awk '{ s += $1 } END { print s + 0 }')
	ipis=$(sum_field "$log" '[0-9]+ rounds: handled on')
	rings=$(sum_field "$log" '[0-9]+ of [0-9]+ requests answered')
	rate=$(grep -v '(XEN)' "$log" | grep -oE 'frontend\).* [0-9]+ requests/s' |
		grep -oE '[0-9]+ requests/s' | awk '{ printf "%s%s", sep, $1; sep = ", " } END { print "" }')
	grants=$(grep -v '(XEN)' "$log" | grep -cE '^\[ *[0-9.]+\] ok [0-9]+ - xdom grants:' || true)
	reclaim=$(grep -v '(XEN)' "$log" | grep -oE 'reclaimed [0-9]+ ms after d0 unmapped' |
		awk '{ print $2 }' | awk '{ printf "%s%s ms", sep, $1; sep = ", " } END { print "" }')
	v2=$(grep -v '(XEN)' "$log" | grep -c 'refused v2' || true)
	say "  interdomain events dom0 <-> domUs, as GIC interrupts: $ev delivered, $lost lost, $dups duplicates"
	say "    (lock-step both ways, then with the receiver moving its port to another vCPU after every event)"
	say "  IPIs between vCPUs (vcpu_info of every vCPU in use):    $ipis round trips"
	say "  grants: domU pages mapped, written and copied by dom0:   $grants domU(s) ok"
	say "  end access while dom0 maps: deferred, then reclaimed:    ${reclaim:-none} after dom0 unmapped"
	say "  split driver (io/ring.h ring, granted page + event):     $rings requests, every payload checked"
	say "    requests per second under emulation (TCG):            ${rate:-none} (per domU)"
	[ "$v2" = 0 ] || say "  grant table v2 asked for: Xen/arm refuses it (XSA-268), the guests checked that and used v1"
	say "  boot to power-off: ${secs}s; console log: $log"
	if [ $rc != 0 ]; then
		overall=1
		say "  FAILED: last lines of the log:"
		tail -n 25 "$log.verdict" | sed 's/^/    /'
	fi
}

# The full stack: Linux dom0 serving two xenguest domUs (xenstore, blkfront).
linux_done=''
linux_run() {
	local log=$out/linux-dom0.log rc=0 secs v line
	rule
	say "Run 3, the full stack: Debian's Linux 6.1 as dom0 (its real xenstored and"
	say "xen-blkback, nothing written by this project) and two xenguest domUs"
	if ! "$here/xen-linux/fetch.sh" >"$out/linux-setup.log" 2>&1; then
		say "  skipped: the Debian arm64 packages could not be downloaded (see $out/linux-setup.log)"
		return 0
	fi
	"$here/xen-linux/run.sh" --build-dir "$out/xen-linux" --guest "$out/guest/xgbm.bin" \
		--log "$log" --timeout 240 >"$log.verdict" 2>&1 || rc=$?
	secs=$(grep -oE '(PASS in|FAIL after) [0-9.]+s' "$log.verdict" | grep -oE '[0-9.]+' || echo '?')
	say ""
	grep -E '^run.sh: (dom0|domU)' "$log.verdict" | sed 's/^run.sh: /  /' || true
	say ""
	say "  domU 1 found its xenstore late (dom0less), then used every operation of"
	say "    xenguest's client against Linux's xenstored over the shared ring:"
	say "    reads, writes, permissions, transactions (one that dom0's write made"
	say "    conflict, retried), a watch that dom0 fired, a 200-entry directory."
	v=$(grep -v '(XEN)' "$log" | grep -oE 'negotiated a [0-9]+-page ring .* indirect requests' | head -1)
	say "  domU 2 ran the blkfront example (examples/blkfront) against xen-blkback"
	say "    serving dom0's 8 MiB RAM disk: ${v:-no negotiation seen};"
	say "    wrote a pattern over every sector, read every sector back;"
	line=$(grep -v '(XEN)' "$log" | grep -oE 'disk after the domU.s pattern 1: crc32 [0-9a-f]+, domU says [0-9a-f]+' | head -1)
	say "    dom0 read /dev/ram0 itself: ${line:-no check seen}"
	line=$(grep -v '(XEN)' "$log" | grep -oE 'reconnected after [0-9]+ ms' | head -1)
	say "  dom0 then closed the backend, as the toolstack's detach does: the domU"
	say "    closed its side, ended its grants and ${line:-did NOT reconnect}, and read"
	say "    back the sector dom0 had written meanwhile."
	line=$(grep -v '(XEN)' "$log" | grep -cE '\(d2\) ok [0-9]+ - blkfront: blkback unbound and bound again' || true)
	[ "$line" = 0 ] || say "  dom0 restarted the backend driver (unbind, bind): the domU stayed connected."
	line=$(grep -v '(XEN)' "$log" | grep -oE 'every grant ended: [0-9]+ made, [0-9]+ ended' | head -1)
	say "  after a clean detach: ${line:-grant check missing} (nothing leaked)."
	line=$(grep -v '(XEN)' "$log" | grep -oE 'write [0-9.]+ MiB/s read [0-9.]+ MiB/s' | head -1)
	say "  block I/O under emulation (TCG): ${line:-none}"
	say "  boot to power-off: ${secs}s; console log: $log"
	if [ $rc != 0 ]; then
		overall=1
		say "  FAILED: last lines of the log:"
		tail -n 25 "$log.verdict" | sed 's/^/    /'
	else
		linux_done=1
	fi
}

rule
say "xenguest demo under real Xen"
say ""
say "Each domain boots the same bare-metal arm64 kernel (ports/baremetal), brings"
say "xenguest up on every vCPU and prints TAP results; dom0 meets each domU on a"
say "page the domU grants it (no xenstore), then both run: events both ways,"
say "events while ports move between vCPUs, close/rebind cycles, grants mapped"
say "and copied, end of access while mapped, and a request/response ring driver."
smp=2
demo_run "Run 1, FIFO event channels" --smp 2 --evtchn fifo --gnttab 1
demo_run "Run 2, 2-level event channels" --smp 2 --evtchn 2l --gnttab 2
[ $linux = 0 ] || linux_run
rule
if [ $overall = 0 ]; then
	say "RESULT: PASS: every test in every domain passed, with both event channel ABIs${linux_done:+, and under a Linux dom0}"
else
	say "RESULT: FAIL (see the logs above)"
fi
exit $overall
