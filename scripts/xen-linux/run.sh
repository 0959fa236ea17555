#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Full stack under real Xen: Debian's Xen 4.17 (arm64) in
# qemu-system-aarch64 (TCG) boots Debian's Linux 6.1 as dom0 with an
# initramfs that runs the real xenstored and init-dom0less
# (mkinitramfs.sh, init.sh), and the bare-metal reference kernel
# (ports/baremetal, with xenguest) as a dom0less domU with xen,enhanced,
# which finds its xenstore late and runs its xenstore tests over the real
# ring ("xgbm.xenstore=1").
#
#   run.sh [options]
#
#   --guest IMAGE      the domU kernel (default: build it with
#                      scripts/xen-qemu/build-guest.sh)
#   --no-domu          dom0 only
#   --cpu CPU          QEMU CPU model (default cortex-a57)
#   --smp N            physical CPUs (default 1)
#   --mem MB           machine RAM (default 1024)
#   --dom0-mem SIZE    dom0's RAM (default 256M)
#   --build-dir DIR    initramfs, DTB and logs (default build/xen-linux)
#   --timeout S        hard limit for the whole boot (default 300)
#   --log FILE         console log (default DIR/logs/<config>.log)
#   --verbose          print every result line
#
# Pass: dom0's init printed a plan "DOM0: 1..K" and K "DOM0: ok" lines,
# the domU (lines "(d1) ...") a plan and as many "ok" lines, nobody
# printed "not ok" or "Bail out!", and QEMU exited on its own (dom0
# powers off) before the timeout. Exit status 0 = pass, 1 = fail,
# 2 = usage error. On failure the tail of the log is printed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../xen-qemu/common.sh
. "$root/scripts/xen-qemu/common.sh"

guest='' domu=1 cpu=cortex-a57 smp=1 mem=1024 dom0_mem=256M tmo=300 log='' verbose=0
bdir=$root/build/xen-linux
while [ $# -gt 0 ]; do
	case $1 in
	--guest) guest=$2; shift ;;
	--no-domu) domu=0 ;;
	--cpu) cpu=$2; shift ;;
	--smp) smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	--dom0-mem) dom0_mem=$2; shift ;;
	--build-dir) bdir=$2; shift ;;
	--timeout) tmo=$2; shift ;;
	--log) log=$2; shift ;;
	--verbose) verbose=1 ;;
	-h | --help) sed -n '4,31p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
case $smp in [1-8]) ;; *) echo "run.sh: --smp must be 1..8" >&2; exit 2 ;; esac

cache=${XG_XEN_CACHE:-$root/build/xen-qemu/cache}
"$here/fetch.sh" --cache "$cache"
xen=$cache/xen/boot/xen-4.17-arm64
kernel=$cache/linux/kernel/Image
mkdir -p "$bdir"
bdir=$(cd "$bdir" && pwd)
"$here/mkinitramfs.sh" --cache "$cache" --out "$bdir/initramfs.cpio.gz"
if [ $domu = 1 ] && [ -z "$guest" ]; then
	"$root/scripts/xen-qemu/build-guest.sh" --cache "$cache" --out "$bdir/guest" >/dev/null
	guest=$bdir/guest/xgbm.bin
fi

tag="$cpu-smp$smp-m$mem-dom0-$dom0_mem"
[ $domu = 1 ] && tag+="-domu" || tag+="-nodomu"
[ -n "$log" ] || log=$bdir/logs/$tag.log
mkdir -p "$(dirname "$log")"
work=$(mktemp -d)
dtb=$work/virt.dtb
cleanup() {
	xg_kill_qemu # only the QEMU process this script started
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

dtb_args=(--out "$dtb" --cpu "$cpu" --smp "$smp" --mem "$mem" --dom0-mem "$dom0_mem"
	--kernel "$kernel" --initrd "$bdir/initramfs.cpio.gz")
[ $domu = 0 ] || dtb_args+=(--domu "$guest" --domu-bootargs "xgbm.xenstore=1")
"$here/mkdtb.sh" "${dtb_args[@]}"
mapfile -t loaders <"$dtb.qemu"

echo "run.sh: $tag: Xen + Linux dom0 + $domu domU, timeout ${tmo}s, log $log"
xg_boot "$work" "$log" "$tmo" "$cpu" "$mem" "$smp" "$xen" "$dtb" "${loaders[@]}"

# The verdict: dom0's "DOM0: " lines and domU 1's "(d1) " lines, each a
# TAP stream of its own (dom0 prints its plan last).
set +e
awk -v want_domu=$domu -v verbose=$verbose '
function judge(name, plan, oks, bad, bail) {
	if (plan == "") { print "run.sh: " name ": no TAP plan"; return 1 }
	if (bad || bail || oks != plan) {
		print "run.sh: " name ": " oks + 0 " ok of " plan ", " bad + 0 " not ok" (bail ? ", bailed out" : "")
		return 1
	}
	print "run.sh: " name ": " oks "/" plan " ok"
	return 0
}
function line(s) {
	if (s ~ /^DOM0: /) {
		s = substr(s, 7)
		if (s ~ /^1\.\.[0-9]+$/) p0 = substr(s, 4) + 0
		else if (s ~ /^ok /) { o0++; if (verbose) print "  dom0: " s }
		else if (s ~ /^not ok /) { b0++; print "  dom0: " s }
	} else if (s ~ /^\(d1\) /) {
		s = substr(s, 6)
		if (s ~ /^1\.\.[0-9]+$/) p1 = substr(s, 4) + 0
		else if (s ~ /^ok /) { o1++; if (verbose) print "  domU: " s }
		else if (s ~ /^not ok /) { b1++; print "  domU: " s }
		else if (s ~ /^Bail out!/) { x1 = 1; print "  domU: " s }
	}
}
# Xen interleaves the domains: a domU line may start in the middle of one
# of dom0s, so every marker starts a fragment of its own.
{
	gsub(/\r/, "")
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "")
	gsub(/\(d1\) /, "\n(d1) ")
	gsub(/DOM0: /, "\nDOM0: ")
	n = split($0, frag, "\n")
	for (i = 1; i <= n; i++) line(frag[i])
}
END {
	rc = judge("dom0 (Linux init)", p0, o0, b0, 0)
	if (want_domu) rc += judge("domU 1 (xenguest)", p1, o1, b1, x1)
	exit rc != 0
}' "$log"
tap_rc=$?
set -e

xg_verdict "$tag" "$log" "$tmo" "$tap_rc"
