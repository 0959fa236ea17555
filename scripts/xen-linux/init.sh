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
finish
