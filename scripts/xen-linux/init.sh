#!/bin/busybox sh
# shellcheck shell=dash disable=SC2016
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# /init of the Linux dom0 initramfs (mkinitramfs.sh). Loads the Xen
# drivers, starts the real xenstored, introduces the dom0less domUs with
# init-dom0less, serves the xenguest domU's xenstore test (it writes
# data/ready, dom0 answers "pong" in data/ping) and checks from dom0's
# side what the domU wrote. Every result line starts with "DOM0: " in
# TAP form (the plan comes last), so run.sh tells them from the kernel's
# and the domU's lines. Then the machine powers off.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/usr/lib/xen-4.17/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mkdir -p /run/xen /run/xenstored

n=0
ok() { n=$((n + 1)); echo "DOM0: ok $n - $*"; }
notok() { n=$((n + 1)); echo "DOM0: not ok $n - $*"; }
check() { # check "description" command...
	d=$1; shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
note() { echo "DOM0: # [$(cut -d' ' -f1 /proc/uptime)] $*"; }
# wait_node PATH SECONDS: poll until the node exists; its value on stdout.
wait_node() {
	i=0
	while [ $i -lt $(($2 * 5)) ]; do
		xenstore-read "$1" 2>/dev/null && return 0
		sleep 0.2; i=$((i + 1))
	done
	return 1
}
finish() {
	echo "DOM0: 1..$n"
	note "powering off"
	sync
	poweroff -f
}

domus=$(sed -n 's/.*xgl\.domus=\([0-9]*\).*/\1/p' /proc/cmdline)
domus=${domus:-0}
# xgl.blk=N: domain N runs the blkfront example against xen-blkback.
blk=$(sed -n 's/.*xgl\.blk=\([0-9]*\).*/\1/p' /proc/cmdline)
# xgl.linuxdomu=N: domain N is Linux with xen-blkfront (run.sh --linux-domu).
linuxdomu=$(sed -n 's/.*xgl\.linuxdomu=\([0-9]*\).*/\1/p' /proc/cmdline)

# ---- the block backend (blkfront example) ----------------------------------
BLK_KB=8192           # the RAM disk: 16384 sectors
VDEV=51712            # xvda (202 << 8), the frontend's device id and handle
MARKER_SECTOR=12345   # must match ports/baremetal/selftest_blkfront.c
MARKER="dom0 wrote this while the frontend was closed"

# brd: two RAM disks (ram1 for run.sh --linux-domu), and the backend.
blk_modules() {
	check "insmod brd (2 x $BLK_KB KiB) and xen-blkback" eval \
		'insmod /lib/modules/brd.ko rd_nr=2 rd_size=$BLK_KB max_part=0 &&
		 insmod /lib/modules/xen-blkback.ko'
	check "/dev/ram0: $(cat /sys/block/ram0/size 2>/dev/null) sectors" \
		[ "$(cat /sys/block/ram0/size 2>/dev/null)" = $((BLK_KB * 2)) ]
}

# blk_setup DOMID N: Xen's block backend serving /dev/ramN to DOMID
# (kept in $bd: check() uses $d), created the way the toolstack does:
# frontend and backend directories in one transaction (xenstore-write
# writes all its pairs in one), after their parents got the permissions
# the nodes inherit: the frontend directory owned by the domU, the
# backend's owned by dom0 and readable by the domU. Linux blkback probes
# when backend/vbd/<dom>/<dev> appears and wants the frontend to exist by
# then; physical-device (major:minor, hex) is what the hotplug script
# would write once the disk is ready.
blk_setup() {
	bd=$1
	B=/local/domain/0/backend/vbd/$bd/$VDEV
	F=/local/domain/$bd/device/vbd/$VDEV
	xenstore-write /local/domain/$bd/device/vbd "" /local/domain/0/backend/vbd/$bd ""
	xenstore-chmod /local/domain/$bd/device/vbd n$bd r0
	xenstore-chmod /local/domain/0/backend/vbd/$bd n0 r$bd
	check "frontend and backend nodes written" xenstore-write \
		$F/backend $B $F/backend-id 0 $F/state 1 $F/virtual-device $VDEV \
		$F/device-type disk \
		$B/frontend $F $B/frontend-id $bd $B/online 1 $B/state 1 $B/type phy \
		$B/mode w $B/params /dev/ram$2 $B/dev xvda $B/removable 0 $B/bootable 1 \
		$B/physical-device 1:$2
	xenstore-ls -fp $B 2>&1 | sed 's/^/DOM0: # /'
}

# crc32 of the whole RAM disk, read past dom0's page cache.
disk_crc() {
	echo 3 >/proc/sys/vm/drop_caches
	dd if=/dev/ram0 bs=1M 2>/dev/null | crc32
}

# blk_wait NODE SECONDS: wait_node, but give up at once when the domU
# wrote its result early (it bailed out).
blk_wait() {
	i=0
	while [ $i -lt $(($2 * 5)) ]; do
		xenstore-read "$1" 2>/dev/null && return 0
		[ "$1" != $D/blk-result ] && xenstore-exists $D/blk-result && return 1
		sleep 0.2; i=$((i + 1))
	done
	return 1
}

# The Linux domU (run.sh --linux-domu): its xen-blkfront against
# /dev/ram1, before the xenguest blkfront gets its disk, so that the two
# throughput runs do not overlap. The domU unbinds xen-blkfront when done,
# which closes the frontend.
linux_serve() {
	ld=$1
	blk_setup "$ld" 1
	i=0 last=''
	while [ $i -lt 1500 ]; do
		st=$(xenstore-read /local/domain/$ld/device/vbd/$VDEV/state 2>/dev/null)
		[ "$st" = "$last" ] || note "Linux domU frontend state $st, backend $(xenstore-read $B/state)"
		last=$st
		[ "$st" = 6 ] && break
		sleep 0.2; i=$((i + 1))
	done
	check "Linux domU's xen-blkfront connected to blkback" eval \
		'dmesg | grep -q "backend/vbd/$ld/$VDEV: using"'
	check "Linux domU done (xen-blkfront unbound, frontend Closed)" \
		[ "$(xenstore-read /local/domain/$ld/device/vbd/$VDEV/state)" = 6 ]
}

# A backend driver restart: unbind blkback from the device and bind it
# again (Linux's allow_rebind). blkback lets go of the ring and the event
# channel, then probes again, finds the frontend Connected and maps the
# same ring at its current indexes; the frontend is told (data/blk-rebound)
# once the backend is Connected again and must carry on as if nothing
# happened.
blk_rebind() {
	dev=vbd-$bd-$VDEV drv=/sys/bus/xen-backend/drivers/vbd
	check "unbind $dev from blkback" eval 'echo $dev >$drv/unbind'
	check "bind $dev to blkback again" eval 'echo $dev >$drv/bind'
	i=0
	while [ "$(xenstore-read $B/state)" != 4 ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
	check "backend Connected again after the rebind (state $(xenstore-read $B/state))" \
		[ "$(xenstore-read $B/state)" = 4 ]
	xenstore-write $D/blk-rebound 1
}

# The domU writes pattern 1 and publishes its crc32; dom0 compares, writes
# its marker sector and closes the backend as the toolstack's detach does
# (backend state 5, Closing); the frontend closes, reconnects, checks,
# writes pattern 2; dom0 checks again, restarts the backend driver
# (blk_rebind); the frontend reads pattern 2 back and detaches.
blk_serve() {
	bd=$1
	B=/local/domain/0/backend/vbd/$bd/$VDEV
	F=/local/domain/$bd/device/vbd/$VDEV
	D=/local/domain/$bd/data
	v=$(blk_wait $D/blk-pass1 120) || v="(none)"
	got=$(disk_crc)
	check "disk after the domU's pattern 1: crc32 $got, domU says $v" [ "$got" = "$v" ]
	s=$(dd if=/dev/ram0 bs=512 skip=4097 count=1 2>/dev/null | head -c 18)
	check "sector 4097 starts '$s'" [ "$s" = "xgblk p1 s00001001" ]
	check "dom0 wrote its marker into sector $MARKER_SECTOR" eval \
		'printf "%s" "$MARKER" | dd of=/dev/ram0 bs=512 seek=$MARKER_SECTOR count=1 conv=sync,fsync 2>/dev/null'
	check "dom0 closes the backend (state 5, as the toolstack's detach)" \
		xenstore-write $B/state 5
	v=$(blk_wait $D/blk-pass2 120) || v="(none)"
	got=$(disk_crc)
	check "disk after the domU's pattern 2: crc32 $got, domU says $v" [ "$got" = "$v" ]
	blk_rebind
	result=$(blk_wait $D/blk-result 120) || result="(none)"
	check "domU blkfront result: '$result'" [ "$result" = pass ]
	check "blkback went from Closed back to InitWait ('prepare for reconnect')" eval \
		'dmesg | grep -q "vbd/$bd/$VDEV: prepare for reconnect"'
	bs=$(xenstore-read $B/state) fs=$(xenstore-read $F/state)
	check "both ends Closed after the detach: backend $bs, frontend $fs" \
		[ "$bs.$fs" = 6.6 ]
	dmesg | grep -i 'blkback\|blkif' | sed 's/^/DOM0: # /'
}
note "userspace up: $(uname -r), domUs expected: $domus"

mods_ok=1
for m in xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc; do
	insmod /lib/modules/$m.ko || { note "insmod $m failed"; mods_ok=0; }
done
check "insmod xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc" [ $mods_ok = 1 ]
mount -t xenfs xenfs /proc/xen
check "xenfs mounted, capabilities control_d" grep -q control_d /proc/xen/capabilities

xenstored -N --pid-file /run/xenstored.pid >/run/xenstored.log 2>&1 &
i=0
while [ ! -S /run/xenstored/socket ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "xenstored running (socket up)" [ -S /run/xenstored/socket ]
xenstore-write /local/domain/0/domid 0
check "xen-init-dom0" xen-init-dom0
check "init-dom0less" init-dom0less
if [ "$domus" = 0 ]; then
	finish
fi
check "init-dom0less introduced domain 1" xenstore-exists /local/domain/1
[ -z "$blk" ] || blk_modules

D=/local/domain/1/data
if wait_node $D/ready 120 >/dev/null; then
	ok "domU registered its watch (data/ready)"
	# A directory too large for one XS_DIRECTORY reply (200 names of 27
	# bytes). dom0 makes it: a domU's node may not exceed xenstored's
	# entry-size quota (2 KB), dom0 is exempt.
	set --
	i=100
	while [ $i -lt 300 ]; do
		set -- "$@" $D/big/entry-$i-abcdefghijklmnop ""
		i=$((i + 1))
	done
	check "dom0 made data/big with 200 entries" xenstore-write "$@"
	check "dom0 wrote data/ping = pong" xenstore-write $D/ping pong
else
	notok "domU registered its watch (data/ready) within 120 s"
fi
result=$(wait_node $D/result 120) || result="(none)"
check "domU result: '$result'" [ "$result" = pass ]
v=$(xenstore-read $D/hello 2>/dev/null)
check "dom0 reads data/hello = '$v'" [ "$v" = "xenguest domU1 was here" ]
v=$(xenstore-read $D/seen 2>/dev/null)
check "dom0 reads data/seen (the domU's retried transaction) = '$v'" [ "$v" = pong ]
v=$(xenstore-read $D/xgbm/value 2>/dev/null)
check "dom0 reads data/xgbm/value = '$v'" [ "$v" = "hello dom0" ]
v=$(xenstore-read $D/xgbm/counter 2>/dev/null)
check "dom0 reads the retried transaction's counter = '$v'" [ "$v" = 2 ]
v=$(xenstore-ls -p $D/xgbm 2>/dev/null | grep '^value ')
check "data/xgbm/value perms n1,r0 ('$v')" eval 'echo "$v" | grep -q "(n1,r0)"'
check "domU removed data/big" eval '! xenstore-exists $D/big'
xenstore-ls -fp /local/domain/1 | sed 's/^/DOM0: # /'
[ -z "$linuxdomu" ] || linux_serve "$linuxdomu"
if [ -n "$blk" ]; then
	blk_setup "$blk" 0
	blk_serve "$blk"
fi
finish
