// SPDX-License-Identifier: GPL-2.0-only
/*
 * Console on Xen's emulated SBSA UART (vpl011 at GUEST_PL011_BASE), polled.
 * Xen's vpl011 takes 32-bit accesses only; with its backend in Xen it prints
 * each line as "(XEN) DOM<n>: ...", cut at 126 characters.
 */
#include <stdarg.h>
#include "bm_internal.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)

void bm_putc(char c)
{
	unsigned int spin = 1000000;

	while ((mmio_read32(GUEST_PL011_BASE + UART_FR) & UART_FR_TXFF) && --spin)
		;
	mmio_write32(GUEST_PL011_BASE + UART_DR, (unsigned char)c);
}

void bm_puts(const char *s)
{
	while (*s)
		bm_putc(*s++);
}

struct out {
	char *buf;
	size_t len, pos;	/* pos counts every character, even past len */
};

static void out_c(struct out *o, char c)
{
	if (o->pos + 1 < o->len)
		o->buf[o->pos] = c;
	o->pos++;
}

static void out_num(struct out *o, uint64_t v, unsigned int base, int neg, int upper,
		    int width, char pad, int left)
{
	char tmp[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v && n < (int)sizeof(tmp));
	len = n + neg;
	if (neg && pad == '0')
		out_c(o, '-');
	if (!left)
		for (; width > len; width--)
			out_c(o, pad);
	if (neg && pad != '0')
		out_c(o, '-');
	while (n)
		out_c(o, tmp[--n]);
	if (left)
		for (; width > len; width--)
			out_c(o, ' ');
}

int bm_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct out o = { buf, len, 0 };

	for (; *fmt; fmt++) {
		int width = 0, left = 0, lng = 0, prec = -1;
		char pad = ' ';

		if (*fmt != '%') {
			out_c(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9' && width < 256)
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			prec = 0;
			for (fmt++; *fmt >= '0' && *fmt <= '9' && prec < 256; fmt++)
				prec = prec * 10 + (*fmt - '0');
		}
		while (*fmt == 'l' || *fmt == 'z') {
			lng = 1;
			fmt++;
		}
		if (left)
			pad = ' ';
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			out_num(&o, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10, v < 0, 0,
				width, pad, left);
			break;
		}
		case 'u':
			out_num(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 10, 0,
				0, width, pad, left);
			break;
		case 'x':
		case 'X':
			out_num(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 16, 0,
				*fmt == 'X', width, pad, left);
			break;
		case 'p':
			out_c(&o, '0');
			out_c(&o, 'x');
			out_num(&o, (uintptr_t)va_arg(ap, void *), 16, 0, 0, width, pad, left);
			break;
		case 'c':
			out_c(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n;

			if (!s)
				s = "(null)";
			for (n = 0; s[n] && (prec < 0 || n < prec); n++)
				;
			if (!left)
				for (; width > n; width--)
					out_c(&o, ' ');
			for (int k = 0; k < n; k++)
				out_c(&o, s[k]);
			if (left)
				for (; width > n; width--)
					out_c(&o, ' ');
			break;
		}
		case '%':
			out_c(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			out_c(&o, '%');
			out_c(&o, *fmt);
			break;
		}
	}
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = '\0';
	return (int)o.pos;
}

int bm_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = bm_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

/* One formatted piece at a time, at most 255 characters (longer is cut). */
int bm_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = bm_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	bm_puts(buf);
	return n;
}
