// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
/*
 * A tiny vsnprintf: %d %i %u %x %X %p %s %c %%, flags '-' '0' '#',
 * a field width (digits or '*'), a precision for %s, and the length
 * modifiers hh h l ll z t. Enough for the kernel and for xg_port_log().
 */
#include "kernel.h"

struct outbuf {
	char *buf;
	size_t size;
	size_t len; /* characters produced, even past the end of buf */
};

static void put_char(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padding(struct outbuf *o, int count, char c)
{
	while (count-- > 0)
		put_char(o, c);
}

struct spec {
	bool left;       /* '-' */
	bool zero;       /* '0' */
	bool alt;        /* '#' */
	int width;
	int precision;   /* -1: none */
	int length;      /* 0 int, 1 long, 2 long long / size_t / ptrdiff_t */
	int short_len;   /* 1 short (h), 2 char (hh) */
};

static void put_string(struct outbuf *o, const struct spec *sp, const char *s)
{
	size_t len;

	if (!s)
		s = "(null)";
	len = sp->precision >= 0 ? strnlen(s, (size_t)sp->precision) : strlen(s);
	if (!sp->left)
		put_padding(o, sp->width - (int)len, ' ');
	for (size_t i = 0; i < len; i++)
		put_char(o, s[i]);
	if (sp->left)
		put_padding(o, sp->width - (int)len, ' ');
}

static void put_number(struct outbuf *o, const struct spec *sp, uint64_t v,
		       bool negative, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, prefix_len, pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	prefix_len = negative ? 1 : (sp->alt && base == 16) ? 2 : 0;
	pad = sp->width - n - prefix_len;
	if (!sp->left && !sp->zero)
		put_padding(o, pad, ' ');
	if (negative)
		put_char(o, '-');
	else if (prefix_len == 2) {
		put_char(o, '0');
		put_char(o, upper ? 'X' : 'x');
	}
	if (!sp->left && sp->zero)
		put_padding(o, pad, '0');
	while (n)
		put_char(o, tmp[--n]);
	if (sp->left)
		put_padding(o, pad, ' ');
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .precision = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->precision = sp->precision * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'l')
			sp->length++;
		else if (*f == 'z' || *f == 't')
			sp->length = 2;
		else if (*f == 'h')
			sp->short_len++;
		else
			break;
	}
	return f;
}

static uint64_t fetch_unsigned(const struct spec *sp, va_list *ap)
{
	uint64_t v;

	if (sp->length >= 2)
		v = va_arg(*ap, unsigned long long);
	else if (sp->length == 1)
		v = va_arg(*ap, unsigned long);
	else
		v = va_arg(*ap, unsigned int);
	if (sp->short_len == 1)
		v = (uint16_t)v;
	else if (sp->short_len >= 2)
		v = (uint8_t)v;
	return v;
}

static int64_t fetch_signed(const struct spec *sp, va_list *ap)
{
	int64_t v;

	if (sp->length >= 2)
		v = va_arg(*ap, long long);
	else if (sp->length == 1)
		v = va_arg(*ap, long);
	else
		v = va_arg(*ap, int);
	if (sp->short_len == 1)
		v = (int16_t)v;
	else if (sp->short_len >= 2)
		v = (int8_t)v;
	return v;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { .buf = buf, .size = size };
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put_char(&o, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp, &args);
		switch (*f) {
		case 'd':
		case 'i': {
			int64_t v = fetch_signed(&sp, &args);

			put_number(&o, &sp, v < 0 ? -(uint64_t)v : (uint64_t)v,
				   v < 0, 10, false);
			break;
		}
		case 'u':
			put_number(&o, &sp, fetch_unsigned(&sp, &args), false, 10, false);
			break;
		case 'x':
		case 'X':
			put_number(&o, &sp, fetch_unsigned(&sp, &args), false, 16, *f == 'X');
			break;
		case 'p':
			sp.alt = true;
			put_number(&o, &sp, (uintptr_t)va_arg(args, void *), false, 16, false);
			break;
		case 's':
			put_string(&o, &sp, va_arg(args, const char *));
			break;
		case 'c':
			put_char(&o, (char)va_arg(args, int));
			break;
		case '%':
			put_char(&o, '%');
			break;
		case '\0':
			f--; /* a lone '%' at the end: stop */
			break;
		default: /* unknown conversion: print it as is */
			put_char(&o, '%');
			put_char(&o, *f);
			break;
		}
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
