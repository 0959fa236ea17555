/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * libfdt's environment header for a freestanding kernel. libfdt.h
 * includes <libfdt_env.h> to get fixed-width types, its big-endian types
 * and conversions, and the string functions it uses; a hosted build gets
 * them from libc, this kernel provides them itself (string.c).
 *
 * Written for this project against the documented interface of libfdt
 * 1.6 (dtc's libfdt/libfdt_env.h names what must be defined).
 */
#ifndef LIBFDT_ENV_H
#define LIBFDT_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* <limits.h> without a C library behind GCC's copy: the one limit
 * libfdt uses, from the compiler's predefined macro. */
#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#endif

typedef uint16_t fdt16_t;
typedef uint32_t fdt32_t;
typedef uint64_t fdt64_t;

/* The device tree is big-endian; arm64 kernels here run little-endian. */
static inline uint16_t fdt16_to_cpu(fdt16_t x) { return __builtin_bswap16(x); }
static inline fdt16_t cpu_to_fdt16(uint16_t x) { return __builtin_bswap16(x); }
static inline uint32_t fdt32_to_cpu(fdt32_t x) { return __builtin_bswap32(x); }
static inline fdt32_t cpu_to_fdt32(uint32_t x) { return __builtin_bswap32(x); }
static inline uint64_t fdt64_to_cpu(fdt64_t x) { return __builtin_bswap64(x); }
static inline fdt64_t cpu_to_fdt64(uint64_t x) { return __builtin_bswap64(x); }

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
unsigned long strtoul(const char *s, char **end, int base);

#endif /* LIBFDT_ENV_H */
