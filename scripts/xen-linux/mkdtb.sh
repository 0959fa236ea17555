#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# The device tree Xen boots with: QEMU virt's own DTB (dumped for exactly
# the machine options run.sh uses) plus Xen's /chosen nodes: the Linux
# dom0 kernel and its ramdisk as multiboot modules, and optionally one
# dom0less domU (xen,enhanced, so it gets a xenstore from dom0).
#
#   mkdtb.sh --out DTB --cpu CPU --smp N --mem MB --dom0-mem SIZE
#            --kernel IMAGE --initrd FILE [--domu IMAGE]
#            [--domu-bootargs STR] [--dom0-bootargs STR]
#
# Also writes DTB.qemu: the -device loader arguments that put each
# module where the DTB says, one per line.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../xen-qemu/common.sh
. "$root/scripts/xen-qemu/common.sh"

out='' cpu=cortex-a57 smp=1 mem=1024 dom0_mem=256M kernel='' initrd='' domu=''
domu_args='' dom0_args=''
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2 ;;
	--cpu) cpu=$2 ;;
	--smp) smp=$2 ;;
	--mem) mem=$2 ;;
	--dom0-mem) dom0_mem=$2 ;;
	--kernel) kernel=$2 ;;
	--initrd) initrd=$2 ;;
	--domu) domu=$2 ;;
	--domu-bootargs) domu_args=$2 ;;
	--dom0-bootargs) dom0_args=$2 ;;
	-h | --help) sed -n '4,15p' "$0"; exit 0 ;;
	*) echo "mkdtb.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift 2
done
[ -n "$out" ] && [ -n "$kernel" ] && [ -n "$initrd" ] ||
	{ echo "mkdtb.sh: --out, --kernel and --initrd are required" >&2; exit 2; }

# Where QEMU's loader puts the modules (RAM starts at 0x40000000; Xen
# copies each into its domain). The 32 MB kernel Image sits between the
# domU and the ramdisk.
DOMU_ADDR=0x47800000
KERNEL_ADDR=0x50000000
INITRD_ADDR=0x54000000
size() { printf '0x%x' "$(stat -L -c %s "$1")"; }
[ $(($(size "$kernel"))) -le $((INITRD_ADDR - KERNEL_ADDR)) ] ||
	{ echo "mkdtb.sh: $kernel does not fit below the ramdisk" >&2; exit 1; }
[ -z "$domu" ] || [ $(($(size "$domu"))) -le $((KERNEL_ADDR - DOMU_ADDR)) ] ||
	{ echo "mkdtb.sh: $domu does not fit below the dom0 kernel" >&2; exit 1; }

qemu-system-aarch64 -machine "$XG_QEMU_MACHINE,dumpdtb=$out" -cpu "$cpu" -m "$mem" \
	-smp "$smp" -nographic >/dev/null 2>&1
c=/chosen
fdtput -t s "$out" $c xen,xen-bootargs \
	"console=dtuart dtuart=/pl011@9000000 dom0_mem=$dom0_mem loglvl=all guest_loglvl=all"
# earlycon=xenboot: Linux's early console name on arm64 under Xen.
fdtput -t s "$out" $c xen,dom0-bootargs \
	"console=hvc0 earlycon=xenboot rdinit=/init xgl.domus=$([ -n "$domu" ] && echo 1 || echo 0)${dom0_args:+ $dom0_args}"
fdtput -t x "$out" $c '#address-cells' 2
fdtput -t x "$out" $c '#size-cells' 2
fdtput -c "$out" $c/module@50000000
fdtput -t s "$out" $c/module@50000000 compatible "multiboot,kernel" "multiboot,module"
fdtput -t x "$out" $c/module@50000000 reg 0 $KERNEL_ADDR 0 "$(size "$kernel")"
fdtput -c "$out" $c/module@54000000
fdtput -t s "$out" $c/module@54000000 compatible "multiboot,ramdisk" "multiboot,module"
fdtput -t x "$out" $c/module@54000000 reg 0 $INITRD_ADDR 0 "$(size "$initrd")"
{
	echo "-device"; echo "loader,file=$kernel,addr=$KERNEL_ADDR,force-raw=on"
	echo "-device"; echo "loader,file=$initrd,addr=$INITRD_ADDR,force-raw=on"
} >"$out.qemu"
if [ -n "$domu" ]; then
	d=$c/domU1
	fdtput -c "$out" $d
	fdtput -t s "$out" $d compatible "xen,domain"
	fdtput -t x "$out" $d '#address-cells' 1
	fdtput -t x "$out" $d '#size-cells' 1
	fdtput -t x "$out" $d memory 0 0x10000 # KiB: 64 MiB
	fdtput -t x "$out" $d cpus 1
	fdtput -t s "$out" $d xen,enhanced "enabled"
	fdtput -c "$out" $d/module@47800000
	fdtput -t s "$out" $d/module@47800000 compatible "multiboot,kernel" "multiboot,module"
	fdtput -t x "$out" $d/module@47800000 reg $DOMU_ADDR "$(size "$domu")"
	fdtput -t s "$out" $d/module@47800000 bootargs "${domu_args:-xgbm}"
	{ echo "-device"; echo "loader,file=$domu,addr=$DOMU_ADDR,force-raw=on"; } >>"$out.qemu"
fi
