// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * printf-style formatting for hosts without a libc, with the Linux
 * kernel's rules where they differ from ISO C, so that the core's messages
 * read the same as in the vendor's kernel log:
 *  - an integer always prints at least one digit: "%2.d" of 0 is " 0"
 *    (C prints no digit for a zero precision and value);
 *  - "%#x" of 0 is "0x0" (C drops the prefix for zero); "%#o" of 0 is "0";
 *  - the '0' flag still pads when a precision is given ("%05.3d" of 7 is
 *    "00007"; C ignores the flag).
 * %p prints the address itself, "0x" and lowercase hex (the kernel hashes
 * it; an RTOS has no user to hide addresses from); a NULL %p or %s prints
 * "(null)". Supported: flags "-0+ #", width and precision (digits or *),
 * lengths hh h l ll z t j, conversions d i u x X o c s p %. An unknown
 * conversion is printed as written. No floating point, no %n.
 * Depends on nothing: not even the port interface.
 */
#include "osal.h"

/* Widths and precisions are capped here: a bigger one is a bug, and
 * padding it would spin for a long time counting characters. */
#define RTOS_MAX_WIDTH 4096

#define F_LEFT (1u << 0)
#define F_ZERO (1u << 1)
#define F_PLUS (1u << 2)
#define F_SPACE (1u << 3)
#define F_ALT (1u << 4)

enum len_mod { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_PTRDIFF, LEN_MAX };

/* Output cursor: counts every character, stores those that fit. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	unsigned int flags;
	int width;      /* 0 = none */
	int precision;  /* -1 = none */
	enum len_mod len;
};

static void put_str(struct out *o, const char *s, const struct spec *sp)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (sp->precision < 0 || n < sp->precision))
		n++;
	if (!(sp->flags & F_LEFT))
		put_n(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->flags & F_LEFT)
		put_n(o, ' ', sp->width - n);
}

static void put_num(struct out *o, uint64_t v, bool negative, unsigned int base, bool upper,
		    const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24]; /* 2^64 in octal is 22 digits */
	const char *prefix = "";
	char sign = 0;
	int n = 0, precision, pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);

	if (negative)
		sign = '-';
	else if (sp->flags & F_PLUS)
		sign = '+';
	else if (sp->flags & F_SPACE)
		sign = ' ';
	if (sp->flags & F_ALT) {
		if (base == 16)
			prefix = upper ? "0X" : "0x";
		else if (base == 8 && !(n == 1 && tmp[0] == '0'))
			prefix = "0";
	}
	precision = sp->precision > n ? sp->precision : n;
	pad = sp->width - precision - (sign ? 1 : 0);
	for (const char *p = prefix; *p; p++)
		pad--;

	if (!(sp->flags & (F_LEFT | F_ZERO)))
		put_n(o, ' ', pad);
	if (sign)
		put(o, sign);
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	if ((sp->flags & (F_LEFT | F_ZERO)) == F_ZERO)
		put_n(o, '0', pad);
	put_n(o, '0', precision - n);
	while (n)
		put(o, tmp[--n]);
	if (sp->flags & F_LEFT)
		put_n(o, ' ', pad);
}

static int parse_int(const char **fmt)
{
	int v = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		if (v <= RTOS_MAX_WIDTH) /* no overflow on absurd widths */
			v = v * 10 + (**fmt - '0');
		(*fmt)++;
	}
	return v > RTOS_MAX_WIDTH ? RTOS_MAX_WIDTH : v;
}

static int64_t get_signed(va_list *ap, enum len_mod len)
{
	switch (len) {
	case LEN_CHAR: return (signed char)va_arg(*ap, int);
	case LEN_SHORT: return (short)va_arg(*ap, int);
	case LEN_LONG: return va_arg(*ap, long);
	case LEN_LLONG: return va_arg(*ap, long long);
	case LEN_SIZE: return va_arg(*ap, ptrdiff_t); /* the signed type of size_t's width */
	case LEN_PTRDIFF: return va_arg(*ap, ptrdiff_t);
	case LEN_MAX: return va_arg(*ap, intmax_t);
	default: return va_arg(*ap, int);
	}
}

static uint64_t get_unsigned(va_list *ap, enum len_mod len)
{
	switch (len) {
	case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG: return va_arg(*ap, unsigned long);
	case LEN_LLONG: return va_arg(*ap, unsigned long long);
	case LEN_SIZE: return va_arg(*ap, size_t);
	case LEN_PTRDIFF: return (size_t)va_arg(*ap, ptrdiff_t);
	case LEN_MAX: return va_arg(*ap, uintmax_t);
	default: return va_arg(*ap, unsigned int);
	}
}

/* Parses flags, width, precision and length after a '%'. */
static void parse_spec(const char **fmt, va_list *ap, struct spec *sp)
{
	const char *f = *fmt;

	sp->flags = 0;
	for (;; f++) {
		if (*f == '-')
			sp->flags |= F_LEFT;
		else if (*f == '0')
			sp->flags |= F_ZERO;
		else if (*f == '+')
			sp->flags |= F_PLUS;
		else if (*f == ' ')
			sp->flags |= F_SPACE;
		else if (*f == '#')
			sp->flags |= F_ALT;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->flags |= F_LEFT;
			sp->width = sp->width < -RTOS_MAX_WIDTH ? RTOS_MAX_WIDTH : -sp->width;
		}
		if (sp->width > RTOS_MAX_WIDTH)
			sp->width = RTOS_MAX_WIDTH;
		f++;
	} else {
		sp->width = parse_int(&f);
	}
	sp->precision = -1;
	if (*f == '.') {
		f++;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int); /* negative: as if none */
			if (sp->precision < 0)
				sp->precision = -1;
			else if (sp->precision > RTOS_MAX_WIDTH)
				sp->precision = RTOS_MAX_WIDTH;
			f++;
		} else {
			sp->precision = parse_int(&f);
		}
	}
	sp->len = LEN_INT;
	switch (*f) {
	case 'h':
		f++;
		sp->len = LEN_SHORT;
		if (*f == 'h') {
			f++;
			sp->len = LEN_CHAR;
		}
		break;
	case 'l':
		f++;
		sp->len = LEN_LONG;
		if (*f == 'l') {
			f++;
			sp->len = LEN_LLONG;
		}
		break;
	case 'z':
		f++;
		sp->len = LEN_SIZE;
		break;
	case 't':
		f++;
		sp->len = LEN_PTRDIFF;
		break;
	case 'j':
		f++;
		sp->len = LEN_MAX;
		break;
	default:
		break;
	}
	*fmt = f;
}

int rnpu_osal_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	va_list args;

	/* A copy, so that helpers can take it by pointer whatever va_list is
	 * (an array type on some ABIs). */
	va_copy(args, ap);
	while (*fmt) {
		const char *start = fmt;
		struct spec sp;
		int64_t sv;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		parse_spec(&fmt, &args, &sp);
		switch (*fmt) {
		case 'd':
		case 'i':
			sv = get_signed(&args, sp.len);
			put_num(&o, sv < 0 ? 0 - (uint64_t)sv : (uint64_t)sv, sv < 0, 10, false, &sp);
			break;
		case 'u':
			put_num(&o, get_unsigned(&args, sp.len), false, 10, false, &sp);
			break;
		case 'x':
		case 'X':
			put_num(&o, get_unsigned(&args, sp.len), false, 16, *fmt == 'X', &sp);
			break;
		case 'o':
			put_num(&o, get_unsigned(&args, sp.len), false, 8, false, &sp);
			break;
		case 'c': {
			char c = (char)va_arg(args, int);

			if (!(sp.flags & F_LEFT))
				put_n(&o, ' ', sp.width - 1);
			put(&o, c);
			if (sp.flags & F_LEFT)
				put_n(&o, ' ', sp.width - 1);
			break;
		}
		case 's':
			put_str(&o, va_arg(args, const char *), &sp);
			break;
		case 'p': {
			void *p = va_arg(args, void *);

			if (!p) {
				sp.precision = -1;
				put_str(&o, NULL, &sp);
			} else {
				sp.flags |= F_ALT;
				put_num(&o, (uintptr_t)p, false, 16, false, &sp);
			}
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			/* A lone '%' at the end: print it rather than read past. */
			put(&o, '%');
			continue;
		default:
			/* Unknown: print the directive as written. */
			while (start <= fmt)
				put(&o, *start++);
			break;
		}
		fmt++;
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > 0x7fffffff ? 0x7fffffff : (int)o.len;
}

int rnpu_osal_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rnpu_osal_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
