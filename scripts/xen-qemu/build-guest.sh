#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Cross-build the bare-metal arm64 reference kernel (ports/baremetal) into
# an arm64 "Image" that Xen boots as dom0 or as a dom0less domU.
#
#   build-guest.sh [--out DIR] [--cache DIR] [--kernel-only]
#
# Output: DIR/xgbm.bin (the Image), DIR/xgbm.elf (for gdb/objdump).
# DIR defaults to build/xen-qemu/guest; the cache (libfdt) is fetch.sh's.
# By default the kernel links xenguest (src/, as libxenguest-kernel.a)
# through its port (ports/baremetal/port.c) and its self-test covers the
# library too; --kernel-only builds the kernel and its own tests alone.
#
# The image must run wherever Xen puts it (0x70080000 for dom0,
# 0x40080000 for a domU), so it is built -fpie and linked -pie; after the
# link this script checks that the kernel's own objects have no absolute
# relocations and that the image needs only R_AARCH64_RELATIVE fix-ups
# (applied by boot.S).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build/xen-qemu/guest
cache=${XG_XEN_CACHE:-$root/build/xen-qemu/cache}
with_lib=1
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	--kernel-only) with_lib=0; shift ;;
	-h | --help) sed -n '4,21p' "$0"; exit 0 ;;
	*) echo "build-guest.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

"$here/fetch.sh" --cache "$cache" tools libfdt
cache=$(cd "$cache" && pwd)
mkdir -p "$out/obj" "$out/include"
out=$(cd "$out" && pwd)

# Several runs may build into the same directory at once (meson runs
# tests in parallel): one builds, the others wait for it. An image built
# from the same sources is kept (the stamp is a hash of every input).
exec 9>"$out/.lock"
flock 9
stamp=$( (echo "with_lib=$with_lib ${CROSS:-}"; cat "$0"
	find "$root/ports/baremetal" "$root/src" "$root/include" "$root/examples/blkfront" -type f \( -name '*.[chS]' -o -name '*.ld' \) \
		-print0 | sort -z | xargs -0 cat) | sha256sum | cut -d' ' -f1)
if [ -f "$out/xgbm.bin" ] && [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "build-guest.sh: $out/xgbm.bin is up to date"
	exit 0
fi
rm -f "$out/.stamp"

CROSS=${CROSS:-aarch64-linux-gnu-}
src=$root/ports/baremetal
libfdt=$cache/libfdt/usr
# Only Xen's headers from /usr/include: a private directory holding a link
# to them keeps the host's libc headers off the include path.
ln -sfn /usr/include/xen "$out/include/xen"

# The same flags for the kernel and the library: freestanding, position
# independent, no FP/SIMD registers, LL/SC atomics inline (no libgcc).
cflags=(
	-std=gnu11 -O2 -g -Wall -Wextra -Werror=implicit-function-declaration
	-ffreestanding -nostdinc -isystem "$("${CROSS}gcc" -print-file-name=include)"
	-fpie -mcmodel=small -include "$src/visibility.h"
	-mgeneral-regs-only -mno-outline-atomics -mstrict-align
	-fno-stack-protector -fno-common -fno-tree-loop-distribute-patterns
	-fno-asynchronous-unwind-tables -fno-unwind-tables
	-I "$src" -I "$src/include" -I "$libfdt/include" -I "$out/include"
	-I "$root/include" -I "$root/examples/blkfront" "-DBM_WITH_XENGUEST=$with_lib"
)
asflags=(-D__ASSEMBLY__ -I "$src" -I "$out/include")
# Kernel files that exist only to host the library.
lib_glue='port.c selftest_xenguest.c selftest_xdom.c selftest_blkfront.c'
# Drivers on xenguest that this kernel hosts: the blkfront example.
examples=("$root/examples/blkfront/blkfront.c")

rm -f "$out"/obj/*.o "$out"/lib/*.o
objs=()
[ $with_lib = 1 ] || examples=()
for f in "$src"/*.S "$src"/*.c "${examples[@]}"; do
	if [ $with_lib = 0 ] && [[ " $lib_glue " == *" $(basename "$f") "* ]]; then
		continue
	fi
	o=$out/obj/$(basename "${f%.*}").o
	case $f in
	*.S) "${CROSS}gcc" "${asflags[@]}" -c "$f" -o "$o" ;;
	*.c) "${CROSS}gcc" "${cflags[@]}" -c "$f" -o "$o" ;;
	esac
	objs+=("$o")
done

# xenguest itself: every module under src/ plus the arm64 hypercall
# layer, archived so the link takes only what the kernel uses.
libs=()
if [ $with_lib = 1 ]; then
	mkdir -p "$out/lib"
	libobjs=()
	for f in "$root"/src/*/*.c; do
		o=$out/lib/$(basename "$(dirname "$f")")_$(basename "${f%.c}").o
		"${CROSS}gcc" "${cflags[@]}" -I "$root/src" -I "$root/src/hypercall/arm64" \
			-Wno-error -c "$f" -o "$o"
		libobjs+=("$o")
	done
	rm -f "$out/libxenguest-kernel.a"
	"${CROSS}ar" rcs "$out/libxenguest-kernel.a" "${libobjs[@]}"
	libs+=("$out/libxenguest-kernel.a")
fi

# No absolute relocations in the kernel's code and data: they would point
# at the link address (0), not where Xen loaded the image. (Debug info is
# not loaded, so its relocations do not matter. The library and libfdt
# may have some, e.g. tables of function pointers: the link turns those
# into R_AARCH64_RELATIVE entries that boot.S applies.)
abs=$("${CROSS}readelf" -rW "${objs[@]}" | awk '
	/^File:/ { file = $2 }
	/^Relocation section/ { sec = $3 }
	sec !~ /debug/ && $3 ~ /^R_AARCH64_(ABS(64|32|16)|MOVW_UABS)/ { print file, sec, $3, $5 }')
if [ -n "$abs" ]; then
	echo "build-guest.sh: absolute relocations in the kernel objects:" >&2
	echo "$abs" >&2
	exit 1
fi

"${CROSS}ld" -pie --no-dynamic-linker -z text -z noexecstack --no-warn-rwx-segments --build-id=none \
	-nostdlib -T "$src/kernel.ld" -Map "$out/xgbm.map" \
	-o "$out/xgbm.elf" "${objs[@]}" "${libs[@]}" "$libfdt/lib/aarch64-linux-gnu/libfdt.a"

bad=$("${CROSS}readelf" -rW "$out/xgbm.elf" | awk '/^[0-9a-f]+ +[0-9a-f]+ R_AARCH64_/ && $3 != "R_AARCH64_RELATIVE"')
if [ -n "$bad" ]; then
	echo "build-guest.sh: the image needs relocations boot.S cannot apply:" >&2
	echo "$bad" >&2
	exit 1
fi
"${CROSS}objcopy" -O binary "$out/xgbm.elf" "$out/xgbm.bin"
if [ "$(dd if="$out/xgbm.bin" bs=1 skip=56 count=4 2>/dev/null)" != $'ARM\x64' ]; then
	echo "build-guest.sh: no arm64 Image magic in xgbm.bin" >&2
	exit 1
fi
nrel=$("${CROSS}readelf" -rW "$out/xgbm.elf" | grep -c R_AARCH64_RELATIVE || true)
echo "$stamp" >"$out/.stamp"
echo "build-guest.sh: $out/xgbm.bin ($(stat -c %s "$out/xgbm.bin") bytes," \
	"$nrel RELATIVE relocations)"
