/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Common definitions of the bare-metal reference kernel.
 */
#ifndef BM_KERNEL_H
#define BM_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((uint64_t)(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define __noreturn __attribute__((noreturn))
#define __printf(f, a) __attribute__((format(printf, f, a)))
#define __aligned(n) __attribute__((aligned(n)))

/* Errors are negative errno values, the same numbers Xen uses. */
#define EPERM 1
#define ENOENT 2
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EINVAL 22
#define ENOSPC 28
#define ENOMEM 12
#define ERANGE 34
#define ETIMEDOUT 110

/* Linker-script symbols: the loaded image and its parts. */
extern char _head[], _end[];
extern char __bss_start[], __bss_end[];

/* string.c: what the compiler, libfdt and xenguest expect to find. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
unsigned long strtoul(const char *s, char **end, int base);

/* printf.c */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__printf(3, 4) int snprintf(char *buf, size_t size, const char *fmt, ...);

/* console.c: output goes to Xen's console (HYPERVISOR_console_io). */
__printf(1, 2) void kprintf(const char *fmt, ...);
void kvprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t len);
__printf(1, 2) __noreturn void panic(const char *fmt, ...);
__noreturn void kernel_halt(bool crashed);

#define KASSERT(cond)                                                   \
	do {                                                            \
		if (!(cond))                                            \
			panic("assertion failed: %s (%s:%d)", #cond,    \
			      __FILE__, __LINE__);                      \
	} while (0)

#endif /* BM_KERNEL_H */
