#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Syntax-check the FreeBSD port glue (ports/freebsd/*.c) the way a FreeBSD
# kernel build would compile it, without a FreeBSD machine: clang with a
# FreeBSD target triple, -D_KERNEL -nostdinc -ffreestanding, the kernel's
# warning flags plus -Werror, and a generated build directory that mimics what
# config(8)/kern.post.mk create (machine/x86 include links, opt_*.h,
# *_if.h from the .m interface files).
#
# Usage:
#   FREEBSD_SYS=/path/to/freebsd-src/sys scripts/check-freebsd.sh [file.c ...]
#
# Without file arguments every ports/freebsd/*.c is checked.  Which
# architectures a file is checked for follows its name:
#   *arm64*            -> arm64 only
#   *x86* or *amd64*   -> amd64 only
#   anything else      -> arm64 and amd64
# FREEBSD_ARCHES="arm64 amd64" overrides that choice for every file.
#
# Other environment knobs:
#   CLANG            compiler to use (default: clang)
#   XG_INCLUDE       xenguest public headers (default: <repo>/include)
#   XEN_PUBLIC_DIR   Xen public headers, reached as <xen/...>
#                    (default: /usr/include/xen from Debian's libxen-dev)
#   FREEBSD_OPTIONS  extra kernel options for opt_global.h, e.g.
#                    "INVARIANTS INVARIANT_SUPPORT WITNESS"
#   EXTRA_CFLAGS     appended to every compile
#   KEEP_GEN=DIR     build the generated tree in DIR and keep it (debugging)
#
# Exit status: 0 when every file passes for every architecture it is meant
# for; non-zero on the first setup error or after reporting all failures.

set -euo pipefail

die() {
	echo "check-freebsd: error: $*" >&2
	exit 2
}

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)

if [[ -z "${FREEBSD_SYS:-}" ]]; then
	die "FREEBSD_SYS is not set; point it at a FreeBSD source tree's sys/ directory" \
	    "(e.g. FREEBSD_SYS=\$HOME/freebsd-src/sys $0)"
fi
[[ -d "$FREEBSD_SYS" ]] || die "FREEBSD_SYS=$FREEBSD_SYS is not a directory"
sys=$(cd "$FREEBSD_SYS" && pwd)
for must in sys/param.h sys/bus.h kern/bus_if.m kern/device_if.m \
    tools/makeobjops.awk conf/options; do
	[[ -e "$sys/$must" ]] ||
	    die "FREEBSD_SYS=$sys does not look like a FreeBSD sys/ tree (no $must)"
done

CLANG=${CLANG:-clang}
XG_INCLUDE=${XG_INCLUDE:-$repo_root/include}
XEN_PUBLIC_DIR=${XEN_PUBLIC_DIR:-/usr/include/xen}

# Install a missing tool from Debian (we run as root in CI and dev boxes).
ensure_tool() {
	local tool=$1 pkg=$2
	command -v "$tool" >/dev/null 2>&1 && return 0
	echo "check-freebsd: installing $pkg" >&2
	if ! apt-get install -y --no-install-recommends "$pkg" >/dev/null 2>&1; then
		apt-get update >/dev/null
		apt-get install -y --no-install-recommends "$pkg" >/dev/null
	fi
	command -v "$tool" >/dev/null 2>&1 || die "installing $pkg did not provide $tool"
}
# Debian's clang ships every LLVM target, so the FreeBSD triples need nothing
# else.  FreeBSD's own awk is the One True AWK (Debian: original-awk); the
# kernel's generator scripts rely on it, e.g. genoffset.sh compares hex
# offsets numerically, which mawk does not do.
if [[ "$CLANG" == clang ]]; then
	ensure_tool clang clang
else
	command -v "$CLANG" >/dev/null 2>&1 || die "CLANG=$CLANG not found"
fi
ensure_tool original-awk original-awk
AWK=original-awk
[[ -d "$XG_INCLUDE" ]] ||
    echo "check-freebsd: note: XG_INCLUDE=$XG_INCLUDE does not exist (yet)" >&2
[[ -f "$XEN_PUBLIC_DIR/xen.h" ]] ||
    die "XEN_PUBLIC_DIR=$XEN_PUBLIC_DIR has no xen.h (apt-get install libxen-dev)"

# Files to check.
files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
	shopt -s nullglob
	files=("$repo_root"/ports/freebsd/*.c)
	shopt -u nullglob
	[[ ${#files[@]} -gt 0 ]] ||
	    die "no files given and no ports/freebsd/*.c in $repo_root"
fi
for f in "${files[@]}"; do
	[[ -f "$f" ]] || die "no such file: $f"
done

if [[ -n "${KEEP_GEN:-}" ]]; then
	gen_root=$KEEP_GEN
	rm -rf "$gen_root"
	mkdir -p "$gen_root"
else
	gen_root=$(mktemp -d "${TMPDIR:-/tmp}/check-freebsd.XXXXXX")
	trap 'rm -rf "$gen_root"' EXIT
fi

# Warning flags of sys/conf/kern.mk (CWARNFLAGS, clang CWARNEXTRA and
# FORMAT_EXTENSIONS) as a current FreeBSD kernel/module build passes them, plus
# -Werror as kern.pre.mk's WERROR does for kernel sources.
cwarnflags=(
	-Wall -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith
	-Wcast-qual -Wundef -Wno-pointer-sign
	-D__printf__=__freebsd_kprintf__
	-Wmissing-include-dirs -fdiagnostics-show-option
	-Wno-unknown-pragmas -Wswitch
	-Wno-error=tautological-compare -Wno-error=empty-body
	-Wno-error=parentheses-equality -Wno-error=unused-function
	-Wno-error=pointer-sign -Wno-error=shift-negative-value
	-Wno-address-of-packed-member -Wno-format-zero-length
	-Werror
)
common_cflags=(
	-fsyntax-only -std=gnu17 -nostdinc -ffreestanding
	-D_KERNEL -DHAVE_KERNEL_OPTION_HEADERS -include opt_global.h
	-fno-common -fwrapv -fno-omit-frame-pointer
)

# Per-architecture code generation flags from kern.mk.
arch_cflags() {
	case "$1" in
	arm64)
		echo --target=aarch64-unknown-freebsd14 \
		    -mgeneral-regs-only -ffixed-x18 -mbranch-protection=standard
		;;
	amd64)
		echo --target=x86_64-unknown-freebsd14 \
		    -mcmodel=kernel -mno-red-zone -mno-mmx -mno-sse \
		    -msoft-float -fno-asynchronous-unwind-tables \
		    -mno-aes -mno-avx
		;;
	*) die "unknown architecture $1" ;;
	esac
}

# Options GENERIC enables that change what the interrupt headers declare.
arch_global_options() {
	case "$1" in
	arm64) echo SMP INTRNG ;;
	amd64) echo SMP XENHVM ;;
	esac
}

# Directories whose .m interface files the architecture's kernel can use.
# Other architectures' directories are left out because some .m names
# repeat across them (arm/arm/pic_if.m vs kern/pic_if.m).
arch_m_dirs() {
	local d
	for d in kern dev xen net geom cam opencrypto; do
		echo "$sys/$d"
	done
	case "$1" in
	arm64) echo "$sys/arm64" ;;
	amd64) echo "$sys/x86" "$sys/amd64" ;;
	esac
}

# Mirror of what config(8) and kern.post.mk leave in the kernel build
# directory, which the kernel compiles with as "-I.".
make_build_dir() {
	local arch=$1 dir=$2 m opt name opts_files

	mkdir -p "$dir/shim" "$dir/xenpub"
	ln -s "$sys/$arch/include" "$dir/machine"
	if [[ $arch == amd64 ]]; then
		ln -s "$sys/x86/include" "$dir/x86"
		ln -s "$sys/i386/include" "$dir/i386"
	fi

	# Every option header named in conf/options*, empty, as config(8)
	# writes them when no option of the header is set.
	opts_files=("$sys/conf/options")
	[[ -f "$sys/conf/options.$arch" ]] && opts_files+=("$sys/conf/options.$arch")
	awk '!/^#/ && NF >= 2 && $2 ~ /^opt_.*\.h$/ { print $2 }' \
	    "${opts_files[@]}" | sort -u | while read -r opt; do
		: >"$dir/$opt"
	done
	: >"$dir/opt_global.h"
	for name in $(arch_global_options "$arch") ${FREEBSD_OPTIONS:-}; do
		echo "#define $name 1" >>"$dir/opt_global.h"
	done
	# GENERIC has "device acpi" on both and "options FDT" on arm64.
	echo "#define DEV_ACPI 1" >"$dir/opt_acpi.h"
	[[ $arch == arm64 ]] && echo "#define FDT 1" >"$dir/opt_platform.h"

	# *_if.h from the interface definitions, as the kernel Makefile does.
	local -a m_dirs
	mapfile -t m_dirs < <(arch_m_dirs "$arch")
	while read -r m; do
		(cd "$dir" && "$AWK" -f "$sys/tools/makeobjops.awk" "$m" -h) ||
		    die "makeobjops.awk failed on $m"
	done < <(find "${m_dirs[@]}" -name '*.m' 2>/dev/null | sort)
	[[ -f "$dir/bus_if.h" && -f "$dir/device_if.h" ]] ||
	    die "bus_if.h/device_if.h were not generated in $dir"
	if [[ $arch == arm64 && ! -f "$dir/pic_if.h" ]]; then
		die "pic_if.h was not generated for arm64"
	fi

	# Xen public headers as <xen/...>.  They sit after $sys in the search
	# order, so sys/xen/*.h of the same name win, as in the kernel.
	ln -s "$XEN_PUBLIC_DIR" "$dir/xenpub/xen"

	# xenguest's headers use the C11 freestanding headers; in the FreeBSD
	# kernel those types come from sys/ headers instead.
	printf '#include <sys/stdint.h>\n' >"$dir/shim/stdint.h"
	printf '#include <sys/stddef.h>\n' >"$dir/shim/stddef.h"
	printf '#include <sys/types.h>\n' >"$dir/shim/stdbool.h"
}

# Search order: build dir ("-I." of the kernel build), sys/ and its contrib
# dirs, then the port's own headers.  Directories that do not exist are left
# out, because -Wmissing-include-dirs -Werror would reject them.
include_flags() {
	local dir=$1 d
	for d in "$dir" "$sys" "$sys/contrib/ck/include" "$sys/contrib/libfdt" \
	    "$XG_INCLUDE" "$repo_root/ports/freebsd" "$dir/xenpub" "$dir/shim"; do
		[[ -d "$d" ]] && echo "-I$d"
	done
	return 0
}

# Older trees (FreeBSD 12 and early 13) include a generated offset.inc from
# sys/kpilite.h: "struct thread_lite", a padded copy of a few struct thread
# members.  kern.post.mk compiles kern/genoffset.c, whose OFFSYM() entries
# encode each member's offset in four 16-bit symbol values, and decodes them
# with kern/genoffset.sh.  That script sorts hex offsets as strings under
# every awk available on Debian, so decode them here, sorting numerically.
make_offset_inc() {
	local arch=$1 dir=$2 nm
	[[ -f "$sys/kern/genoffset.c" ]] || return 0
	nm=$(command -v llvm-nm || command -v nm) || die "nm is needed for offset.inc"
	local -a aflags incs
	mapfile -t aflags < <(arch_cflags "$arch" | tr ' ' '\n')
	mapfile -t incs < <(include_flags "$dir")
	# -fcommon: the OFFSYM() symbols are meant to be common symbols.
	"$CLANG" "${aflags[@]}" -c -fcommon -o "$dir/genoffset.o" -std=gnu17 \
	    -nostdinc -ffreestanding -D_KERNEL -DHAVE_KERNEL_OPTION_HEADERS \
	    -include opt_global.h "${incs[@]}" "$sys/kern/genoffset.c" ||
	    die "compiling kern/genoffset.c for $arch failed"
	# shellcheck disable=SC2016 # awk program, not shell
	"$nm" "$dir/genoffset.o" | "$AWK" '
	function low16(v) { return substr(v, length(v) - 3, 4) }
	$3 ~ /_datatype_/ { sub(/.*_datatype_/, "", $3); type = $3 }
	$3 ~ /_parenttype_/ { sub(/.*_parenttype_/, "", $3); parent = $3 }
	$3 ~ /sign$/ { neg = (low16($1) + 0 != 0) }
	$3 ~ /w[0-3]$/ { w[substr($3, length($3))] = low16($1) }
	$3 ~ /w3$/ {
		member = $3; sub(/w3$/, "", member)
		hex = w[3] w[2] w[1] w[0]; off = 0
		for (i = 1; i <= length(hex); i++)
			off = off * 16 + index("0123456789abcdef",
			    tolower(substr(hex, i, 1))) - 1
		if (neg) off = -off
		n[parent]++
		moff[parent, n[parent]] = off
		mline[parent, n[parent]] = type " " member
	}
	END {
		print "#ifndef _OFFSET_INC_"
		print "#define _OFFSET_INC_"
		print "#if !defined(GENOFFSET) && (!defined(KLD_MODULE) || defined(KLD_TIED))"
		for (p in n) {
			for (i = 1; i <= n[p]; i++)
				for (j = i + 1; j <= n[p]; j++)
					if (moff[p, j] < moff[p, i]) {
						t = moff[p, i]; moff[p, i] = moff[p, j]; moff[p, j] = t
						t = mline[p, i]; mline[p, i] = mline[p, j]; mline[p, j] = t
					}
			printf "struct %s_lite {\n", p
			prev = "0"
			for (i = 1; i <= n[p]; i++) {
				split(mline[p, i], m, " ")
				printf "\tu_char\tpad_%s[%d - %s];\n", m[2], moff[p, i], prev
				printf "\t%s\t%s;\n", m[1], m[2]
				prev = sprintf("(%d + sizeof(%s))", moff[p, i], m[1])
			}
			print "};"
		}
		print "#endif"
		print "#endif"
	}' >"$dir/offset.inc" || die "decoding genoffset.o for $arch failed"
}

arches_for() {
	local f=$1
	if [[ -n "${FREEBSD_ARCHES:-}" ]]; then
		echo "$FREEBSD_ARCHES"
		return
	fi
	case "$(basename "$f")" in
	*arm64*) echo arm64 ;;
	*x86* | *amd64*) echo amd64 ;;
	*) echo arm64 amd64 ;;
	esac
}

declare -A built=()
failures=0
checked=0
for f in "${files[@]}"; do
	for arch in $(arches_for "$f"); do
		dir=$gen_root/$arch
		if [[ -z "${built[$arch]:-}" ]]; then
			make_build_dir "$arch" "$dir"
			make_offset_inc "$arch" "$dir"
			built[$arch]=1
		fi
		# shellcheck disable=SC2207
		aflags=($(arch_cflags "$arch"))
		# shellcheck disable=SC2206
		extra=(${EXTRA_CFLAGS:-})
		mapfile -t incs < <(include_flags "$dir")
		cmd=("$CLANG" "${aflags[@]}" "${common_cflags[@]}"
		    "${cwarnflags[@]}" "${incs[@]}"
		    "${extra[@]}" "$f")
		checked=$((checked + 1))
		if "${cmd[@]}"; then
			echo "PASS $arch $f"
		else
			echo "FAIL $arch $f"
			failures=$((failures + 1))
		fi
	done
done

echo "check-freebsd: $((checked - failures)) passed, $failures failed"
[[ $failures -eq 0 ]]
