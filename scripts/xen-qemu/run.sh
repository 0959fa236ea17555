#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Boot Debian's Xen 4.17 (arm64) under qemu-system-aarch64 (TCG) with the
# bare-metal guest as dom0 and optional dom0less domUs, and judge the
# guests' TAP output.
#
#   run.sh [options]
#
#   --smp N              physical CPUs (default 2; 1..8)
#   --cpu CPU            QEMU CPU model (default cortex-a57; "max" works)
#   --mem MB             machine RAM (default 1024)
#   --domus N            add N domUs configured by the next three options
#   --domu-vcpus N       vCPUs of each --domus domU (default 1)
#   --domu-mem MB        RAM of each --domus domU (default 64)
#   --enhanced           give the --domus domUs xen,enhanced
#   --domu SPEC          add one domU described as in mkdtb.sh --domu
#   --dom0-vcpus N       dom0's vCPUs (default: one per physical CPU)
#   --dom0-bootargs STR  extra dom0 command line
#   --evtchn ABI         event channel ABI of every domain: fifo (default) or 2l
#   --gnttab N           grant table version every domain asks for: 1 (default)
#                        or 2 (Xen/arm refuses v2: the guests check the refusal
#                        and carry on with v1)
#   --flood N            events per direction in the rebind-while-flooding test
#                        (default 1000, set in the guest)
#   --guest IMAGE        guest kernel (default: build it with build-guest.sh)
#   --build-dir DIR      where the guest is built and logs go (default build/xen-qemu)
#   --kernel-only        build the guest without xenguest (its own tests only)
#   --timeout S          hard limit for the whole boot (default 300)
#   --log FILE           console log (default build/xen-qemu/logs/<config>.log)
#   --verbose            print every TAP line, not only failures
#
# Each domain prints TAP on the Xen console: dom0's lines as they are,
# a domU's prefixed "(dN) " by Xen. The run passes when every domain
# (d0, d1..dN) printed a plan "1..K" and exactly K "ok" lines, with no
# "not ok" and no "Bail out!", and QEMU exited on its own before the
# timeout. Exit status 0 = pass, 1 = fail, 2 = usage error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

smp=2 cpu=cortex-a57 mem=1024 ndomus=0 domu_vcpus=1 domu_mem=64 enhanced=0
dom0_vcpus='' dom0_args='' guest='' tmo=300 log='' verbose=0 specs=() build_args=()
evtchn=fifo gnttab=1 flood='' bdir=$root/build/xen-qemu
while [ $# -gt 0 ]; do
	case $1 in
	--smp) smp=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--mem) mem=$2; shift ;;
	--domus) ndomus=$2; shift ;;
	--domu-vcpus) domu_vcpus=$2; shift ;;
	--domu-mem) domu_mem=$2; shift ;;
	--enhanced) enhanced=1 ;;
	--domu) specs+=("$2"); shift ;;
	--dom0-vcpus) dom0_vcpus=$2; shift ;;
	--dom0-bootargs) dom0_args=$2; shift ;;
	--guest) guest=$2; shift ;;
	--evtchn) evtchn=$2; shift ;;
	--gnttab) gnttab=$2; shift ;;
	--flood) flood=$2; shift ;;
	--build-dir) bdir=$2; shift ;;
	--kernel-only) build_args+=(--kernel-only) ;;
	--timeout) tmo=$2; shift ;;
	--log) log=$2; shift ;;
	--verbose) verbose=1 ;;
	-h | --help) sed -n '4,32p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
case $smp in [1-8]) ;; *) echo "run.sh: --smp must be 1..8" >&2; exit 2 ;; esac
case $evtchn in fifo | 2l) ;; *) echo "run.sh: --evtchn must be fifo or 2l" >&2; exit 2 ;; esac
case $gnttab in 1 | 2) ;; *) echo "run.sh: --gnttab must be 1 or 2" >&2; exit 2 ;; esac
# Boot arguments every domain gets (main.c reads them).
guest_args=''
[ "$evtchn" = fifo ] || guest_args+=' xgbm.evtchn_2l=1'
[ "$gnttab" = 1 ] || guest_args+=' xgbm.gnttab_v2=1'
[ -z "$flood" ] || guest_args+=" xgbm.flood=$flood"
guest_args=${guest_args# }

cache=${XG_XEN_CACHE:-$root/build/xen-qemu/cache}
"$here/fetch.sh" --cache "$cache" tools xen
xen=$cache/xen/boot/xen-4.17-arm64
if [ -z "$guest" ]; then
	"$here/build-guest.sh" --cache "$cache" --out "$bdir/guest" "${build_args[@]}" >/dev/null
	guest=$bdir/guest/xgbm.bin
fi

for ((i = 0; i < ndomus; i++)); do
	spec="vcpus=$domu_vcpus,mem=$domu_mem"
	[ $enhanced = 0 ] || spec+=",enhanced"
	[ -z "$guest_args" ] || spec+=",bootargs=$guest_args"
	specs+=("$spec")
done
tag="$cpu-smp$smp-domus${#specs[@]}"
[ $enhanced = 0 ] || tag+="-enh"
tag+="-$evtchn-gnttab$gnttab"
[ -n "$log" ] || log=$bdir/logs/$tag.log
mkdir -p "$(dirname "$log")"
xg_scratch

mkdtb_args=(--out "$dtb" --dom0 "$guest" --cpu "$cpu" --smp "$smp" --mem "$mem")
[ -z "$dom0_vcpus" ] || mkdtb_args+=(--dom0-vcpus "$dom0_vcpus")
dom0_args="$guest_args${dom0_args:+ $dom0_args}"
[ -z "${dom0_args# }" ] || mkdtb_args+=(--dom0-bootargs "${dom0_args# }")
for spec in "${specs[@]}"; do mkdtb_args+=(--domu "$spec"); done
"$here/mkdtb.sh" "${mkdtb_args[@]}" >/dev/null
mapfile -t loaders <"$dtb.qemu"

echo "run.sh: $tag: Xen + dom0 + ${#specs[@]} domU(s), timeout ${tmo}s, log $log"
xg_boot "$work" "$log" "$tmo" "$cpu" "$mem" "$smp" "$xen" "$dtb" "${loaders[@]}"

# Judge the TAP output of every domain.
set +e
awk -v ndomus="${#specs[@]}" -v verbose=$verbose -f "$here/tap-verdict.awk" "$log"
tap_rc=$?
set -e

xg_verdict "$tag" "$log" "$tmo" "$tap_rc"
