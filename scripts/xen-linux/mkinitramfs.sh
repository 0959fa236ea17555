#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Build the Linux dom0's initramfs (cpio newc + gzip) from the Debian
# arm64 packages fetch.sh unpacked: static busybox, the real xenstored,
# init-dom0less, xen-init-dom0, the xenstore-* tools, the shared
# libraries those need (their NEEDED closure, resolved inside the
# unpacked packages), Debian's Xen driver modules (loaded with insmod:
# the package has no modules.dep) and init.sh as /init.
#
#   mkinitramfs.sh [--cache DIR] [--linux-domu] --out FILE
#
# --linux-domu builds the Linux domU's initramfs instead (run.sh
# --linux-domu): static busybox, xen-blkfront.ko and linux-domu-init.sh
# as /init.
#
# Rebuilt only when an input changed (a hash of init.sh, this script and
# the package list is kept next to FILE).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${XG_XEN_CACHE:-$root/build/xen-qemu/cache}
out='' flavour=dom0
while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--linux-domu) flavour=linux-domu; shift ;;
	-h | --help) sed -n '4,19p' "$0"; exit 0 ;;
	*) echo "mkinitramfs.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || { echo "mkinitramfs.sh: --out FILE is required" >&2; exit 2; }
"$here/fetch.sh" --cache "$cache" >/dev/null
stage=$cache/linux/stage
kdir=$cache/linux/kernel
mkdir -p "$(dirname "$out")"

stamp=$( (echo $flavour; cat "$0" "$here/init.sh" "$here/linux-domu-init.sh"; ls "$cache/debs") |
	sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
kver=$(ls "$kdir/lib/modules")

# pack: cpio newc + gzip of the tree into $out, with its stamp.
pack() {
	(cd "$tree" && find . | sort | cpio -o -H newc --owner=0:0 --quiet) | gzip -9 >"$out.tmp"
	mv "$out.tmp" "$out"
	echo "$stamp" >"$out.stamp"
	echo "mkinitramfs.sh: $out ($(stat -c %s "$out") bytes, $flavour, kernel $kver)"
}

if [ $flavour = linux-domu ]; then
	mkdir -p "$tree"/{bin,lib/modules,proc,sys,dev}
	cp "$stage/bin/busybox" "$tree/bin/busybox"
	cp "$kdir/lib/modules/$kver/kernel/drivers/block/xen-blkfront.ko" "$tree/lib/modules/"
	install -m 755 "$here/linux-domu-init.sh" "$tree/init"
	pack
	exit 0
fi
mkdir -p "$tree"/{bin,sbin,usr/bin,usr/sbin,lib/aarch64-linux-gnu,lib/modules,proc,sys,dev,run,tmp,etc,root}
mkdir -p "$tree"/{usr/lib/xen-4.17/bin,var/lib/xen,var/lib/xenstored,var/log/xen}
ln -s ../run "$tree/var/run"
cp "$stage/bin/busybox" "$tree/bin/busybox"
bins=(usr/lib/xen-4.17/bin/xenstored usr/lib/xen-4.17/bin/init-dom0less
	usr/lib/xen-4.17/bin/xen-init-dom0 usr/bin/xenstore)
for b in "${bins[@]}"; do cp "$stage/$b" "$tree/$b"; done
# xenstore-utils' tools are one binary that looks at its name.
for t in ls read write list rm exists chmod watch; do
	ln -s xenstore "$tree/usr/bin/xenstore-$t"
done

# The NEEDED closure, breadth first, resolved inside the stage only.
declare -A seen=()
queue=("${bins[@]/#/$stage/}")
while [ ${#queue[@]} -gt 0 ]; do
	f=${queue[0]}
	queue=("${queue[@]:1}")
	for so in $(aarch64-linux-gnu-readelf -d "$f" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
		[ -z "${seen[$so]:-}" ] || continue
		seen[$so]=1
		lib=''
		for d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu; do
			[ -e "$stage/$d/$so" ] && { lib=$stage/$d/$so; break; }
		done
		[ -n "$lib" ] || { echo "mkinitramfs.sh: $so (needed by $f) is in no package" >&2; exit 1; }
		cp -L "$lib" "$tree/lib/aarch64-linux-gnu/$so"
		queue+=("$(readlink -f "$lib")")
	done
done
ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$tree/lib/ld-linux-aarch64.so.1"

m=$kdir/lib/modules/$kver/kernel/drivers/xen
cp "$m/xen-privcmd.ko" "$m/xenfs/xenfs.ko" "$m/xen-evtchn.ko" "$m/xen-gntdev.ko" \
	"$m/xen-gntalloc.ko" "$tree/lib/modules/"
# The block backend and the RAM disk it serves (the blkfront example).
b=$kdir/lib/modules/$kver/kernel/drivers/block
cp "$b/brd.ko" "$b/xen-blkback/xen-blkback.ko" "$tree/lib/modules/"
install -m 755 "$here/init.sh" "$tree/init"
echo "root:x:0:0:root:/root:/bin/sh" >"$tree/etc/passwd"
aarch64-linux-gnu-strip --strip-unneeded "$tree"/lib/aarch64-linux-gnu/* \
	"$tree"/usr/lib/xen-4.17/bin/* "$tree/usr/bin/xenstore"
pack
