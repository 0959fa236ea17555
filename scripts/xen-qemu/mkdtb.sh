#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Make the device tree Xen boots with under qemu-system-aarch64: QEMU's
# own DTB for the machine, plus Xen's /chosen properties, the dom0 kernel
# module and optional dom0less domUs (Xen's docs/misc/arm/device-tree/
# booting.txt describes the bindings).
#
#   mkdtb.sh --out FILE --dom0 IMAGE [options] [--domu SPEC]...
#
#   --cpu CPU             QEMU -cpu (default cortex-a57)
#   --smp N               QEMU -smp (default 2)
#   --mem MB              machine RAM (default 1024)
#   --dom0-mem MB         dom0_mem (default 128)
#   --dom0-vcpus N        dom0_max_vcpus (default: one per physical CPU)
#   --dom0-bootargs STR   extra dom0 command line
#   --xen-bootargs STR    extra Xen command line
#   --domu SPEC           one dom0less domU per option, SPEC is a comma
#                         list: kernel=PATH (default: the dom0 image),
#                         vcpus=N (1), mem=MB (64), enhanced (xen,enhanced
#                         = "enabled": /hypervisor node, xenstore),
#                         vpl011, bootargs=STRING (must come last: it
#                         takes the rest of SPEC, commas included)
#
# Besides FILE it writes FILE.qemu: the QEMU arguments that load the
# kernels at the addresses the DTB names, one per line.
# Dom0's command line gets "xgbm.domus=N" so dom0 knows how many domUs to
# wait for.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

out='' cpu=cortex-a57 smp=2 mem=1024 dom0='' dom0_mem=128 dom0_vcpus=''
dom0_args='' xen_args='' domus=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2 ;;
	--dom0) dom0=$2 ;;
	--cpu) cpu=$2 ;;
	--smp) smp=$2 ;;
	--mem) mem=$2 ;;
	--dom0-mem) dom0_mem=$2 ;;
	--dom0-vcpus) dom0_vcpus=$2 ;;
	--dom0-bootargs) dom0_args=$2 ;;
	--xen-bootargs) xen_args=$2 ;;
	--domu) domus+=("$2") ;;
	-h | --help) sed -n '4,31p' "$0"; exit 0 ;;
	*) echo "mkdtb.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift 2
done
[ -n "$out" ] && [ -n "$dom0" ] || { echo "mkdtb.sh: --out and --dom0 are required" >&2; exit 2; }
for tool in qemu-system-aarch64 fdtput; do
	command -v $tool >/dev/null || { echo "mkdtb.sh: $tool missing (run fetch.sh tools)" >&2; exit 1; }
done

hex() { printf '0x%x' "$1"; } # fdtput -t x parses every number as hex

image_size() { # file -> size, checked against the module slot
	local size
	size=$(stat -c %s "$1")
	if [ "$size" -gt "$XG_MODULE_MAX_SIZE" ]; then
		echo "mkdtb.sh: $1 is larger than a module slot ($XG_MODULE_MAX_SIZE bytes)" >&2
		exit 1
	fi
	echo "$size"
}

# add_module <node path> <domain number> <image> [bootargs]
add_module() {
	local node addr size
	addr=$(xg_module_addr "$2")
	size=$(image_size "$3")
	node=$1/module@${addr#0x}
	fdtput -c "$out" "$node"
	fdtput -t s "$out" "$node" compatible "multiboot,kernel" "multiboot,module"
	fdtput -t x "$out" "$node" reg 0 "$addr" 0 "$(hex "$size")"
	[ -z "${4:-}" ] || fdtput -t s "$out" "$node" bootargs "$4"
	echo "-device" >>"$out.qemu"
	echo "loader,file=$(realpath "$3"),addr=$addr,force-raw=on" >>"$out.qemu"
}

# 1. QEMU's DTB for exactly these machine options.
rm -f "$out" "$out.qemu"
timeout 60 qemu-system-aarch64 -machine "$XG_QEMU_MACHINE,dumpdtb=$out" \
	-cpu "$cpu" -m "$mem" -smp "$smp" -nographic </dev/null >/dev/null 2>&1 ||
	[ -s "$out" ] || { echo "mkdtb.sh: QEMU did not dump a DTB" >&2; exit 1; }

# 2. Xen and dom0.
xen_cmd="console=dtuart dtuart=/pl011@9000000 dom0_mem=${dom0_mem}M loglvl=all guest_loglvl=all"
[ -z "$dom0_vcpus" ] || xen_cmd+=" dom0_max_vcpus=$dom0_vcpus"
[ -z "$xen_args" ] || xen_cmd+=" $xen_args"
fdtput -t s "$out" /chosen xen,xen-bootargs "$xen_cmd"
fdtput -t s "$out" /chosen xen,dom0-bootargs "xgbm.domus=${#domus[@]}${dom0_args:+ $dom0_args}"
fdtput -t x "$out" /chosen '#address-cells' 2
fdtput -t x "$out" /chosen '#size-cells' 2
add_module /chosen 0 "$dom0"

# 3. dom0less domUs: /chosen/domUN { compatible = "xen,domain"; ... }.
n=0
for spec in "${domus[@]}"; do
	n=$((n + 1))
	kernel=$dom0 vcpus=1 mb=64 enhanced=0 vpl011=0 args=''
	rest=$spec
	while [ -n "$rest" ]; do
		case $rest in
		bootargs=*) args=${rest#bootargs=}; break ;;
		esac
		item=${rest%%,*}
		[ "$item" = "$rest" ] && rest='' || rest=${rest#*,}
		case $item in
		kernel=*) kernel=${item#kernel=} ;;
		vcpus=*) vcpus=${item#vcpus=} ;;
		mem=*) mb=${item#mem=} ;;
		enhanced) enhanced=1 ;;
		vpl011) vpl011=1 ;;
		'') ;;
		*) echo "mkdtb.sh: unknown domU option '$item' in '$spec'" >&2; exit 2 ;;
		esac
	done
	node=/chosen/domU$n
	fdtput -c "$out" "$node"
	fdtput -t s "$out" "$node" compatible "xen,domain"
	fdtput -t x "$out" "$node" '#address-cells' 2
	fdtput -t x "$out" "$node" '#size-cells' 2
	fdtput -t x "$out" "$node" memory 0 "$(hex $((mb * 1024)))" # KiB, 64-bit
	fdtput -t x "$out" "$node" cpus "$(hex "$vcpus")"
	[ $enhanced = 0 ] || fdtput -t s "$out" "$node" xen,enhanced "enabled"
	[ $vpl011 = 0 ] || fdtput -t s "$out" "$node" vpl011 ""
	add_module "$node" "$n" "$kernel" "$args"
done
echo "mkdtb.sh: $out: dom0 + ${#domus[@]} domU(s), $smp CPUs, $cpu"
