#!/bin/busybox sh
# shellcheck shell=dash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# /init of the Linux domU (run.sh --linux-domu): Linux's own xen-blkfront
# against the same kind of backend the xenguest blkfront example uses, for
# a side-by-side throughput figure. The domU has no console backend (no
# xenconsoled), so results go to the kernel log, which reaches Xen's
# console through the boot console (earlycon=xenboot keep_bootcon): lines
# "xglinux: ...". When done it unbinds xen-blkfront from the device, which
# switches the frontend to Closed: that is dom0's signal.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say() { echo "xglinux: $*" >/dev/kmsg; }
# Centiseconds since boot.
cs() { tr -d . </proc/uptime | cut -d' ' -f1; }

ROUNDS=8 # whole-disk passes each way, 1 MiB requests, O_DIRECT
say "userspace up: $(uname -r)"
insmod /lib/modules/xen-blkfront.ko || say "insmod xen-blkfront failed"
i=0
while [ ! -b /dev/xvda ] && [ $i -lt 1500 ]; do sleep 0.2; i=$((i + 1)); done
if [ -b /dev/xvda ]; then
	mib=$(($(cat /sys/block/xvda/size) / 2048))
	say "xvda: $mib MiB; $(dmesg | grep -o 'xvda: .*' | head -1)"
	t0=$(cs)
	r=0
	while [ $r -lt $ROUNDS ]; do
		dd if=/dev/zero of=/dev/xvda bs=1M count="$mib" oflag=direct 2>/dev/null || say "dd write failed"
		r=$((r + 1))
	done
	t1=$(cs)
	r=0
	while [ $r -lt $ROUNDS ]; do
		dd if=/dev/xvda of=/dev/null bs=1M count="$mib" iflag=direct 2>/dev/null || say "dd read failed"
		r=$((r + 1))
	done
	t2=$(cs)
	say "throughput: write $((mib * ROUNDS)) MiB in $(((t1 - t0) * 10)) ms, read $((mib * ROUNDS)) MiB in $(((t2 - t1) * 10)) ms"
else
	say "no /dev/xvda after 300 s"
fi
# Unbinding the driver closes the frontend (xenbus switches it to Closed).
echo vbd-51712 >/sys/bus/xen/drivers/vbd/unbind || say "unbind failed"
say "done"
while :; do sleep 3600; done
