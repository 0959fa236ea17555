#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Full stack under real Xen: Debian's Xen 4.17 (arm64) in
# qemu-system-aarch64 (TCG) boots Debian's Linux 6.1 as dom0 with an
# initramfs that runs the real xenstored and init-dom0less
# (mkinitramfs.sh, init.sh), and the bare-metal reference kernel
# (ports/baremetal, with xenguest) as dom0less domUs with xen,enhanced:
# domain 1 finds its xenstore late and runs its xenstore tests over the
# real ring ("xgbm.xenstore=1"); domain 2 runs the blkfront example
# (examples/blkfront) against Linux's xen-blkback serving a RAM disk
# ("xgbm.blkfront=1"; dom0's init creates the backend and checks the disk).
#
#   run.sh [options]
#
#   --guest IMAGE      the domU kernel (default: build it with
#                      scripts/xen-qemu/build-guest.sh)
#   --no-domu          dom0 only
#   --no-blk           no blkfront domU (domain 1 only)
#   --linux-domu       also domain 3: Linux with its own xen-blkfront against
#                      the same kind of backend, after the xenguest blkfront
#                      is done; prints both throughputs and their ratio
#                      (machine RAM 1536 MB unless --mem is given)
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
# each domU (lines "(d1) ...", "(d2) ...") a plan and as many "ok" lines, nobody
# printed "not ok" or "Bail out!", and QEMU exited on its own (dom0
# powers off) before the timeout. Exit status 0 = pass, 1 = fail,
# 2 = usage error. On failure the tail of the log is printed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../xen-qemu/common.sh
. "$root/scripts/xen-qemu/common.sh"

guest='' domu=1 blk=1 ldomu=0 cpu=cortex-a57 smp=1 mem= dom0_mem=256M tmo=300 log='' verbose=0
bdir=$root/build/xen-linux
while [ $# -gt 0 ]; do
	case $1 in
	--guest) guest=$2; shift ;;
	--no-domu) domu=0 blk=0 ;;
	--no-blk) blk=0 ;;
	--linux-domu) ldomu=1 ;;
	--cpu) cpu=$2; shift ;;
	--smp) smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	--dom0-mem) dom0_mem=$2; shift ;;
	--build-dir) bdir=$2; shift ;;
	--timeout) tmo=$2; shift ;;
	--log) log=$2; shift ;;
	--verbose) verbose=1 ;;
	-h | --help) sed -n '4,39p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
case $smp in [1-8]) ;; *) echo "run.sh: --smp must be 1..8" >&2; exit 2 ;; esac
[ $ldomu = 0 ] || [ $blk = 1 ] || { echo "run.sh: --linux-domu needs the blkfront domU" >&2; exit 2; }
[ -n "$mem" ] || { [ $ldomu = 1 ] && mem=1536 || mem=1024; }

cache=${XG_XEN_CACHE:-$root/build/xen-qemu/cache}
"$here/fetch.sh" --cache "$cache"
xen=$cache/xen/boot/xen-4.17-arm64
kernel=$cache/linux/kernel/Image
mkdir -p "$bdir"
bdir=$(cd "$bdir" && pwd)
"$here/mkinitramfs.sh" --cache "$cache" --out "$bdir/initramfs.cpio.gz"
[ $ldomu = 0 ] || "$here/mkinitramfs.sh" --cache "$cache" --linux-domu --out "$bdir/linux-domu.cpio.gz"
if [ $domu = 1 ] && [ -z "$guest" ]; then
	"$root/scripts/xen-qemu/build-guest.sh" --cache "$cache" --out "$bdir/guest" >/dev/null
	guest=$bdir/guest/xgbm.bin
fi

tag="$cpu-smp$smp-m$mem-dom0-$dom0_mem"
[ $domu = 1 ] && tag+="-domu" || tag+="-nodomu"
[ $blk = 0 ] || tag+="-blk"
[ $ldomu = 0 ] || tag+="-linuxdomu"
[ -n "$log" ] || log=$bdir/logs/$tag.log
mkdir -p "$(dirname "$log")"
xg_scratch

dtb_args=(--out "$dtb" --cpu "$cpu" --smp "$smp" --mem "$mem" --dom0-mem "$dom0_mem"
	--kernel "$kernel" --initrd "$bdir/initramfs.cpio.gz")
[ $domu = 0 ] || dtb_args+=(--domu "$guest" --domu-bootargs "xgbm.xenstore=1")
if [ $ldomu = 1 ]; then
	dtb_args+=(--domu2 "$guest" --domu2-bootargs "xgbm.blkfront=1"
		--linux-domu "$bdir/linux-domu.cpio.gz" --dom0-bootargs "xgl.blk=2 xgl.linuxdomu=3")
elif [ $blk = 1 ]; then
	dtb_args+=(--domu2 "$guest" --domu2-bootargs "xgbm.blkfront=1" --dom0-bootargs "xgl.blk=2")
fi
"$here/mkdtb.sh" "${dtb_args[@]}"
mapfile -t loaders <"$dtb.qemu"

echo "run.sh: $tag: Xen + Linux dom0 + $((domu + blk + ldomu)) domU(s), timeout ${tmo}s, log $log"
xg_boot "$work" "$log" "$tmo" "$cpu" "$mem" "$smp" "$xen" "$dtb" "${loaders[@]}"

# The verdict: dom0's "DOM0: " lines and each domU's "(dN) " lines, each a
# TAP stream of its own (dom0 prints its plan last).
set +e
awk -v want_domu=$domu -v want_blk=$blk -v want_linux=$ldomu -v verbose=$verbose '
function judge(name, k) {
	if (!(k in plan)) { print "run.sh: " name ": no TAP plan"; return 1 }
	if (bad[k] || bail[k] || oks[k] != plan[k]) {
		print "run.sh: " name ": " oks[k] + 0 " ok of " plan[k] ", " bad[k] + 0 " not ok" \
			(bail[k] ? ", bailed out" : "")
		return 1
	}
	print "run.sh: " name ": " oks[k] "/" plan[k] " ok"
	return 0
}
function line(s,   k) {
	if (s ~ /^DOM0: /) { k = "dom0"; s = substr(s, 7) }
	else if (s ~ /^\(d[12]\) /) { k = "domU" substr(s, 3, 1); s = substr(s, 6) }
	else if (s ~ /^\(d3\) .*xglinux: /) { linux_line(substr(s, index(s, "xglinux: ") + 9)); return }
	else return
	if (s ~ /^1\.\.[0-9]+$/) plan[k] = substr(s, 4) + 0
	else if (s ~ /^ok /) { oks[k]++; if (verbose) print "  " k ": " s }
	else if (s ~ /^not ok /) { bad[k]++; print "  " k ": " s }
	else if (s ~ /^Bail out!/) { bail[k] = 1; print "  " k ": " s }
	else if (s ~ /^# blkfront throughput/) {
		print "  " k ": " s
		split(s, f, " ")
		xg_w = f[5] + 0; xg_r = f[8] + 0
	}
}
# The Linux domU: "throughput: write M MiB in T ms, read M MiB in T ms", "done".
function linux_line(s,   f) {
	if (verbose || s ~ /^throughput|^no |failed/) print "  linux domU: " s
	if (s ~ /^throughput: /) {
		split(s, f, " ")
		if (f[6] > 0) lx_w = f[3] * 1000 / f[6]
		if (f[12] > 0) lx_r = f[9] * 1000 / f[12]
	}
	if (s == "done") lx_done = 1
}
# Xen interleaves the domains: a domU line may start in the middle of one
# of dom0s, so every marker starts a fragment of its own.
{
	gsub(/\r/, "")
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "")
	gsub(/\(d1\) /, "\n(d1) ")
	gsub(/\(d2\) /, "\n(d2) ")
	gsub(/\(d3\) /, "\n(d3) ")
	gsub(/DOM0: /, "\nDOM0: ")
	n = split($0, frag, "\n")
	for (i = 1; i <= n; i++) line(frag[i])
}
END {
	rc = judge("dom0 (Linux init)", "dom0")
	if (want_domu) rc += judge("domU 1 (xenguest xenstore)", "domU1")
	if (want_blk) rc += judge("domU 2 (xenguest blkfront)", "domU2")
	if (want_linux) {
		if (!lx_done || !lx_w || !lx_r) { print "run.sh: domU 3 (Linux xen-blkfront): no result"; rc++ }
		else {
			printf "run.sh: side by side, 1 MiB requests one at a time, same backend: " \
				"xenguest blkfront write %.1f read %.1f MiB/s; Linux xen-blkfront write %.1f " \
				"read %.1f MiB/s; xenguest/Linux: write %.2f, read %.2f\n", xg_w, xg_r, lx_w, \
				lx_r, xg_w / lx_w, xg_r / lx_r
		}
	}
	exit rc != 0
}' "$log"
tap_rc=$?
set -e

xg_verdict "$tag" "$log" "$tmo" "$tap_rc"
