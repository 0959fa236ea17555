/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/* Helpers shared by the library's source files; not installed. */
#ifndef XG_INTERNAL_H
#define XG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenguest/config.h>
#include <xenguest/error.h>
#include <xenguest/port.h>

#define XG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define XG_CONTAINER_OF(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))
#define XG_LIKELY(x) __builtin_expect(!!(x), 1)
#define XG_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define XG_STR_(x) #x
#define XG_STR(x) XG_STR_(x)

/* Caller bugs only: never use on anything a peer controls. */
#if XG_CONFIG_ASSERT
#define XG_ASSERT(c) \
	do { \
		if (XG_UNLIKELY(!(c))) \
			xg_port_panic(__FILE__, __LINE__, #c); \
	} while (0)
#else
#define XG_ASSERT(c) ((void)sizeof(c))
#endif

/* Log macros compile away above XG_CONFIG_LOG_LEVEL. */
#define XG_LOG_AT_(lvl, ...) \
	do { \
		if ((lvl) <= XG_CONFIG_LOG_LEVEL) \
			xg_port_log((lvl), __VA_ARGS__); \
	} while (0)
#define xg_err(...) XG_LOG_AT_(XG_LOG_ERR, __VA_ARGS__)
#define xg_warn(...) XG_LOG_AT_(XG_LOG_WARN, __VA_ARGS__)
#define xg_notice(...) XG_LOG_AT_(XG_LOG_NOTICE, __VA_ARGS__)
#define xg_info(...) XG_LOG_AT_(XG_LOG_INFO, __VA_ARGS__)
#define xg_debug(...) XG_LOG_AT_(XG_LOG_DEBUG, __VA_ARGS__)

/* Memory and string helpers. src/ includes no libc header; the compiler
 * expands these inline or calls mem*, which every kernel provides. */
#define xg_memset(d, c, n) __builtin_memset((d), (c), (n))
#define xg_memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define xg_memcmp(a, b, n) __builtin_memcmp((a), (b), (n))

static inline size_t xg_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* Map a xenstore error string ("ENOENT") to its XG_E* code; XG_EIO for
 * anything unknown (src/core/error.c). */
int xg_errcode_(const char *name);

#endif /* XG_INTERNAL_H */
