#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# The device tree Xen boots with: QEMU virt's own DTB (dumped for exactly
# the machine options run.sh uses) plus Xen's /chosen nodes: the Linux
# dom0 kernel and its ramdisk as multiboot modules, and optionally one or
# two dom0less domUs (xen,enhanced, so they get a xenstore from dom0).
#
#   mkdtb.sh --out DTB --cpu CPU --smp N --mem MB --dom0-mem SIZE
#            --kernel IMAGE --initrd FILE [--domu IMAGE]
#            [--domu-bootargs STR] [--domu2 IMAGE --domu2-bootargs STR]
#            [--linux-domu INITRD] [--dom0-bootargs STR]
#
# --linux-domu adds domain 3: the same Linux kernel as dom0 with INITRD,
# 256 MiB, printing through Xen's console (earlycon=xenboot keep_bootcon).
#
# Also writes DTB.qemu: the -device loader arguments that put each
# module where the DTB says, one per line.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../xen-qemu/common.sh
. "$root/scripts/xen-qemu/common.sh"

out='' cpu=cortex-a57 smp=1 mem=1024 dom0_mem=256M kernel='' initrd='' domu=''
domu_args='' dom0_args='' domu2='' domu2_args='' linux_initrd=''
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
	--domu2) domu2=$2 ;;
	--domu2-bootargs) domu2_args=$2 ;;
	--linux-domu) linux_initrd=$2 ;;
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
# domUs and the ramdisk.
DOMU_ADDR=0x47800000
DOMU2_ADDR=0x4c000000
LDOMU_KERNEL_ADDR=0x58000000 # the Linux domU: a copy of dom0's kernel
LDOMU_INITRD_ADDR=0x5c000000
KERNEL_ADDR=0x50000000
INITRD_ADDR=0x54000000
size() { printf '0x%x' "$(stat -L -c %s "$1")"; }
[ $(($(size "$kernel"))) -le $((INITRD_ADDR - KERNEL_ADDR)) ] ||
	{ echo "mkdtb.sh: $kernel does not fit below the ramdisk" >&2; exit 1; }
[ -z "$domu" ] || [ $(($(size "$domu"))) -le $((DOMU2_ADDR - DOMU_ADDR)) ] ||
	{ echo "mkdtb.sh: $domu does not fit below the second domU" >&2; exit 1; }
[ -z "$domu2" ] || [ $(($(size "$domu2"))) -le $((KERNEL_ADDR - DOMU2_ADDR)) ] ||
	{ echo "mkdtb.sh: $domu2 does not fit below the dom0 kernel" >&2; exit 1; }

qemu-system-aarch64 -machine "$XG_QEMU_MACHINE,dumpdtb=$out" -cpu "$cpu" -m "$mem" \
	-smp "$smp" -nographic >/dev/null 2>&1
c=/chosen
fdtput -t s "$out" $c xen,xen-bootargs \
	"console=dtuart dtuart=/pl011@9000000 dom0_mem=$dom0_mem loglvl=all guest_loglvl=all"
# earlycon=xenboot: Linux's early console name on arm64 under Xen.
fdtput -t s "$out" $c xen,dom0-bootargs \
	"console=hvc0 earlycon=xenboot rdinit=/init xgl.domus=$(( (${#domu} > 0) + (${#domu2} > 0) + (${#linux_initrd} > 0) ))${dom0_args:+ $dom0_args}"
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
# add_domu NAME ADDR IMAGE BOOTARGS [KIB]: a dom0less domU, 1 vCPU, 64 MiB
# unless KIB says otherwise.
add_domu() {
	local d=$c/$1 m=$c/$1/module@${2#0x}
	fdtput -c "$out" "$d"
	fdtput -t s "$out" "$d" compatible "xen,domain"
	fdtput -t x "$out" "$d" '#address-cells' 1
	fdtput -t x "$out" "$d" '#size-cells' 1
	fdtput -t x "$out" "$d" memory 0 "${5:-0x10000}" # KiB
	fdtput -t x "$out" "$d" cpus 1
	fdtput -t s "$out" "$d" xen,enhanced "enabled"
	fdtput -c "$out" "$m"
	fdtput -t s "$out" "$m" compatible "multiboot,kernel" "multiboot,module"
	fdtput -t x "$out" "$m" reg "$2" "$(size "$3")"
	fdtput -t s "$out" "$m" bootargs "$4"
	{ echo "-device"; echo "loader,file=$3,addr=$2,force-raw=on"; } >>"$out.qemu"
}
# Xen numbers dom0less domains in device-tree order, and fdtput -c makes
# the new node the first child: add the last domain first.
if [ -n "$linux_initrd" ]; then
	add_domu domU3 $LDOMU_KERNEL_ADDR "$kernel" \
		"console=hvc0 earlycon=xenboot keep_bootcon rdinit=/init" 0x40000
	fdtput -c "$out" $c/domU3/module@${LDOMU_INITRD_ADDR#0x}
	fdtput -t s "$out" $c/domU3/module@${LDOMU_INITRD_ADDR#0x} compatible "multiboot,ramdisk" "multiboot,module"
	fdtput -t x "$out" $c/domU3/module@${LDOMU_INITRD_ADDR#0x} reg $LDOMU_INITRD_ADDR "$(size "$linux_initrd")"
	{ echo "-device"; echo "loader,file=$linux_initrd,addr=$LDOMU_INITRD_ADDR,force-raw=on"; } >>"$out.qemu"
fi
[ -z "$domu2" ] || add_domu domU2 $DOMU2_ADDR "$domu2" "${domu2_args:-xgbm}"
[ -z "$domu" ] || add_domu domU1 $DOMU_ADDR "$domu" "${domu_args:-xgbm}"
