#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Get the Debian arm64 packages a Linux dom0 needs under Xen on QEMU.
#
#   fetch.sh [--cache DIR]
#
# Xen, QEMU and the cross tools come from scripts/xen-qemu/fetch.sh.
# Then apt-get download (no chroot, no debootstrap) of Debian's arm64
# Linux kernel (the package linux-image-arm64 depends on), busybox-static,
# xen-utils-4.17 (xenstored, init-dom0less, xen-init-dom0),
# xenstore-utils and the shared libraries those binaries need, each
# unpacked with dpkg-deb -x into DIR/linux/stage (the kernel into
# DIR/linux/kernel). DIR defaults to $XG_XEN_CACHE, else
# build/xen-qemu/cache. Idempotent: a package already downloaded is not
# fetched again; a finished stage is kept.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${XG_XEN_CACHE:-$root/build/xen-qemu/cache}
while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=$2; shift 2 ;;
	-h | --help) sed -n '4,17p' "$0"; exit 0 ;;
	*) echo "fetch.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
"$root/scripts/xen-qemu/fetch.sh" --cache "$cache" tools xen
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
out=$cache/linux
debs=$cache/debs

# Userland of the dom0 initramfs and the NEEDED closure of its binaries
# (libxenmisc4.17 holds libxenctrl, libxenguest and libxenlight).
USER_PKGS=(busybox-static libc6 xen-utils-4.17 xenstore-utils libxenstore4
	libxencall1 libxendevicemodel1 libxenevtchn1 libxenforeignmemory1
	libxengnttab1 libxenhypfs1 libxenmisc4.17 libxentoolcore1 libxentoollog1
	libfdt1 libuuid1 libyajl2 zlib1g)

# cpio packs the initramfs (mkinitramfs.sh).
command -v cpio >/dev/null || {
	apt-get -q -y update >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get -q -y install --no-install-recommends cpio >/dev/null
}
if [ -f "$out/.done" ]; then
	exit 0
fi

# The versioned kernel package behind the linux-image-arm64 metapackage.
kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
	sed -n 's/.*Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n 1)
if [ -z "$kpkg" ]; then
	apt-get -q -y update >/dev/null
	kpkg=$(apt-cache depends linux-image-arm64:arm64 |
		sed -n 's/.*Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n 1)
fi
[ -n "$kpkg" ] || { echo "fetch.sh: no kernel behind linux-image-arm64:arm64" >&2; exit 1; }

mkdir -p "$debs"
missing=()
for p in "$kpkg" "${USER_PKGS[@]}"; do
	ls "$debs/${p}"_*_arm64.deb >/dev/null 2>&1 || missing+=("$p:arm64")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "fetch.sh: downloading ${missing[*]}"
	# apt drops privileges to _apt while downloading: a directory it may
	# write to, then the results move into the cache.
	tmp=$(mktemp -d)
	chmod 777 "$tmp"
	(cd "$tmp" && apt-get -q download "${missing[@]}" >/dev/null)
	mv "$tmp"/*.deb "$debs/"
	rmdir "$tmp"
fi

rm -rf "$out.tmp"
mkdir -p "$out.tmp/stage" "$out.tmp/kernel"
dpkg-deb -x "$(ls "$debs/${kpkg}"_*_arm64.deb | head -n 1)" "$out.tmp/kernel"
for p in "${USER_PKGS[@]}"; do
	dpkg-deb -x "$(ls "$debs/${p}"_*_arm64.deb | head -n 1)" "$out.tmp/stage"
done
# Debian's arm64 vmlinuz is already an uncompressed Image ("ARM\x64").
img=$(ls "$out.tmp/kernel/boot/vmlinuz-"* | head -n 1)
if [ "$(dd if="$img" bs=1 skip=56 count=4 2>/dev/null)" != $'ARM\x64' ]; then
	echo "fetch.sh: $img is not an arm64 Image" >&2
	exit 1
fi
ln -s "boot/$(basename "$img")" "$out.tmp/kernel/Image"
echo "$kpkg" >"$out.tmp/kernel/.pkg"
rm -rf "$out"
mv "$out.tmp" "$out"
touch "$out/.done"
echo "fetch.sh: Linux $kpkg and dom0 userland in $out"
