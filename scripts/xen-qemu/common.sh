# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Shared by mkdtb.sh and run.sh (sourced, not run).
# shellcheck shell=bash disable=SC2034
#
# The DTB handed to Xen must be QEMU's own DTB for exactly the machine
# options used at boot (mkdtb.sh dumps it with dumpdtb=), so the machine
# string lives here once.

# GICv3 (Xen's vGIC for arm64 guests), EL2 for Xen.
XG_QEMU_MACHINE=virt,virtualization=on,gic-version=3

# Guest kernels are placed in the machine's RAM (0x40000000..) by QEMU's
# generic loader and described to Xen as multiboot modules: dom0's at
# 0x47000000, domU N's 2 MiB further up per N. Xen copies each one into
# its domain, so these only need to stay clear of Xen itself (loaded low
# by QEMU, then relocated by Xen to the top of RAM) and of each other.
xg_module_addr() { # domain number (0 = dom0)
	printf '0x%x' $((0x47000000 + $1 * 0x200000))
}
XG_MODULE_MAX_SIZE=$((0x200000))

# ---- booting (run.sh here and scripts/xen-linux/run.sh) -----------------

# The QEMU (timeout) process while xg_boot runs: an EXIT trap calls
# xg_kill_qemu so an interrupted run leaves nothing behind.
xg_qemu_pid=''

xg_kill_qemu() {
	if [ -n "$xg_qemu_pid" ] && kill -0 "$xg_qemu_pid" 2>/dev/null; then
		kill -TERM "$xg_qemu_pid" 2>/dev/null || true
		wait "$xg_qemu_pid" 2>/dev/null || true
	fi
}

# xg_scratch: $work, a fresh temporary directory, and $dtb in it; on exit
# the QEMU this script started is killed and the directory removed.
xg_scratch() {
	work=$(mktemp -d)
	dtb=$work/virt.dtb
	trap xg_scratch_cleanup EXIT
	trap 'exit 130' INT TERM
}
xg_scratch_cleanup() {
	xg_kill_qemu # only the QEMU process this script started
	rm -rf "$work"
}

# Stamp each console line with host seconds since QEMU started; drop
# carriage returns (Linux's lines reach Xen's console ending in two).
xg_stamp() {
	local t0=${EPOCHREALTIME/./} now line
	while IFS= read -r line || [ -n "$line" ]; do
		now=$((${EPOCHREALTIME/./} - t0))
		printf '[%4d.%03d] %s\n' $((now / 1000000)) $((now / 1000 % 1000)) "${line//$'\r'/}"
	done
}

# xg_boot WORKDIR LOG TIMEOUT CPU MEM SMP XEN DTB [QEMU LOADER ARGS...]
# Boots Xen in QEMU under a hard time limit, the console stamped into
# LOG. Sets xg_qemu_rc (124/137: timed out) and xg_boot_us (QEMU start to
# exit, microseconds).
xg_boot() {
	local work=$1 log=$2 tmo=$3 cpu=$4 mem=$5 smp=$6 xen=$7 dtb=$8 start stamp_pid
	shift 8
	mkfifo "$work/console"
	xg_stamp <"$work/console" >"$log" &
	stamp_pid=$!
	start=${EPOCHREALTIME/./}
	timeout -k 10 "$tmo" qemu-system-aarch64 -machine "$XG_QEMU_MACHINE" -cpu "$cpu" \
		-m "$mem" -smp "$smp" -nographic -no-reboot \
		-kernel "$xen" -dtb "$dtb" "$@" \
		</dev/null >"$work/console" 2>&1 &
	xg_qemu_pid=$!
	set +e
	wait "$xg_qemu_pid"
	xg_qemu_rc=$?
	set -e
	xg_qemu_pid=''
	xg_boot_us=$((${EPOCHREALTIME/./} - start))
	wait "$stamp_pid" # it ends when QEMU closes the FIFO
}

# xg_verdict TAG LOG TIMEOUT TAP_RC: report the boot; on failure print the
# log's tail and exit 1.
xg_verdict() {
	local tag=$1 log=$2 tmo=$3 tap_rc=$4 secs
	secs=$(printf '%d.%02d' $((xg_boot_us / 1000000)) $((xg_boot_us / 10000 % 100)))
	if [ "$xg_qemu_rc" = 124 ] || [ "$xg_qemu_rc" = 137 ]; then
		echo "run.sh: $tag: TIMEOUT after ${tmo}s"
	elif [ "$xg_qemu_rc" != 0 ]; then
		echo "run.sh: $tag: QEMU exited with status $xg_qemu_rc"
	fi
	if [ "$tap_rc" != 0 ] || [ "$xg_qemu_rc" != 0 ]; then
		echo "run.sh: $tag: FAIL after ${secs}s; last lines of $log:"
		tail -n 60 "$log"
		exit 1
	fi
	echo "run.sh: $tag: PASS in ${secs}s (QEMU start to power-off)"
}
