#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Get everything the Xen-on-QEMU runs need, from Debian's archive only.
#
#   fetch.sh [--cache DIR] [tools] [xen] [libfdt]     (no component = all)
#
#   tools   apt-get install: qemu-system-arm, the aarch64 cross gcc and
#           binutils, device-tree-compiler (dtc, fdtput, fdtget) and
#           libxen-dev (Xen's public headers).
#   xen     Debian's xen-hypervisor-4.17-arm64 (needs the arm64 foreign
#           architecture), unpacked into DIR/xen; the binary is
#           DIR/xen/boot/xen-4.17-arm64.
#   libfdt  Debian's arm64 libfdt-dev, unpacked into DIR/libfdt: libfdt.a
#           for the freestanding guest build, and the headers.
#
# DIR defaults to $XG_XEN_CACHE, else build/xen-qemu/cache in the source
# tree. Idempotent: components already present are not fetched again.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${XG_XEN_CACHE:-$root/build/xen-qemu/cache}
XEN_PKG=xen-hypervisor-4.17-arm64
APT_OPTS=(-q -y -o DPkg::Lock::Timeout=300)

components=()
while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=$2; shift 2 ;;
	--cache=*) cache=${1#--cache=}; shift ;;
	tools | xen | libfdt) components+=("$1"); shift ;;
	-h | --help) sed -n '4,20p' "$0"; exit 0 ;;
	*) echo "fetch.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ ${#components[@]} -gt 0 ] || components=(tools xen libfdt)
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

apt_updated=0
apt_update_once() {
	if [ $apt_updated = 0 ]; then
		apt-get "${APT_OPTS[@]}" update >/dev/null
		apt_updated=1
	fi
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "fetch.sh: $1 needs root (apt-get); run as root or install it by hand" >&2
		exit 1
	fi
}

fetch_tools() {
	local missing=() pkg
	command -v qemu-system-aarch64 >/dev/null || missing+=(qemu-system-arm)
	command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
	command -v aarch64-linux-gnu-ld >/dev/null || missing+=(binutils-aarch64-linux-gnu)
	for pkg in dtc fdtput fdtget; do
		command -v $pkg >/dev/null || { missing+=(device-tree-compiler); break; }
	done
	[ -f /usr/include/xen/xen.h ] || missing+=(libxen-dev)
	[ ${#missing[@]} -eq 0 ] && return 0
	need_root "installing ${missing[*]}"
	echo "fetch.sh: installing ${missing[*]}"
	apt_update_once
	DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install --no-install-recommends \
		"${missing[@]}" >/dev/null
}

# apt-get download of an arm64 package into $cache/debs, unpacked into $2.
fetch_arm64_deb() {
	local pkg=$1 dest=$2 deb
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		need_root "adding the arm64 architecture"
		dpkg --add-architecture arm64
		apt_updated=0
	fi
	mkdir -p "$cache/debs"
	deb=$(ls "$cache/debs/${pkg}"_*_arm64.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		if ! apt-cache show "$pkg:arm64" >/dev/null 2>&1; then
			need_root "apt-get update"
			apt_update_once
		fi
		echo "fetch.sh: downloading $pkg:arm64"
		# apt drops privileges to _apt for downloads: give it a
		# directory it may write to, then move the result.
		local tmp
		tmp=$(mktemp -d)
		chmod 777 "$tmp"
		(cd "$tmp" && apt-get -q download "$pkg:arm64" >/dev/null)
		mv "$tmp"/*.deb "$cache/debs/"
		rmdir "$tmp"
		deb=$(ls "$cache/debs/${pkg}"_*_arm64.deb | head -n 1)
	fi
	rm -rf "$dest.tmp"
	dpkg-deb -x "$deb" "$dest.tmp"
	rm -rf "$dest"
	mv "$dest.tmp" "$dest"
	basename "$deb" >"$dest/.deb"
}

fetch_xen() {
	if [ -f "$cache/xen/boot/xen-4.17-arm64" ]; then
		return 0
	fi
	fetch_arm64_deb "$XEN_PKG" "$cache/xen"
	[ -f "$cache/xen/boot/xen-4.17-arm64" ] ||
		{ echo "fetch.sh: $XEN_PKG has no boot/xen-4.17-arm64" >&2; exit 1; }
	echo "fetch.sh: Xen: $cache/xen/boot/xen-4.17-arm64 ($(cat "$cache/xen/.deb"))"
}

fetch_libfdt() {
	if [ -f "$cache/libfdt/usr/lib/aarch64-linux-gnu/libfdt.a" ]; then
		return 0
	fi
	fetch_arm64_deb libfdt-dev "$cache/libfdt"
	echo "fetch.sh: libfdt: $cache/libfdt ($(cat "$cache/libfdt/.deb"))"
}

for c in "${components[@]}"; do
	"fetch_$c"
done
