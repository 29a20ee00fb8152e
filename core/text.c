#include "text.h"

#include <string.h>

struct sink {
	char *out;
	size_t cap, len;
};

static void put(struct sink *s, char c)
{
	if (s->len + 1 < s->cap)
		s->out[s->len] = c;
	s->len++;
}

static void put_padded(struct sink *s, const char *p, size_t n, unsigned width, bool left, char pad)
{
	size_t fill = width > n ? width - n : 0;
	if (!left)
		while (fill--)
			put(s, pad);
	while (n--)
		put(s, *p++);
	if (left)
		while (fill--)
			put(s, ' ');
}

static void put_uint(struct sink *s, unsigned long long v, unsigned base, bool upper, bool neg, unsigned width,
    bool left, bool zero, int prec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	size_t n = 0;
	if (prec >= 0)
		zero = false; /* as in C: a precision overrides the '0' flag */
	if (v || prec != 0) {
		do {
			buf[sizeof(buf) - 1 - n++] = digits[v % base];
			v /= base;
		} while (v);
	}
	/* at least prec digits (up to 23: more is taken as 23) */
	while (prec > 0 && n < (size_t)prec && n < sizeof(buf) - 1)
		buf[sizeof(buf) - 1 - n++] = '0';
	if (neg) {
		if (zero && !left && width > 0) {
			put(s, '-');
			width--;
		} else
			buf[sizeof(buf) - 1 - n++] = '-';
	}
	put_padded(s, buf + sizeof(buf) - n, n, width, left, zero && !left ? '0' : ' ');
}

size_t lsoe_vfmt(char *out, size_t cap, const char *fmt, va_list ap)
{
	struct sink s = { out, cap, 0 };
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&s, *f);
			continue;
		}
		f++;
		bool left = false, zero = false;
		for (;; f++) {
			if (*f == '-')
				left = true;
			else if (*f == '0')
				zero = true;
			else
				break;
		}
		unsigned width = 0;
		if (*f == '*') {
			int w = va_arg(ap, int);
			if (w < 0) { /* as in C: a negative width is the '-' flag */
				left = true;
				width = 0u - (unsigned)w;
			} else
				width = (unsigned)w;
			f++;
		}
		while (*f >= '0' && *f <= '9')
			width = width * 10 + (unsigned)(*f++ - '0');
		int prec = -1; /* none */
		if (*f == '.') {
			prec = 0;
			if (*++f == '*') {
				int p = va_arg(ap, int);
				prec = p >= 0 ? p : -1;
				f++;
			}
			while (*f >= '0' && *f <= '9')
				prec = prec * 10 + (*f++ - '0');
		}
		int lng = 0; /* -2 hh, -1 h, 1 l, 2 ll, 3 z */
		if (*f == 'h') {
			lng = -1;
			if (*++f == 'h') {
				lng = -2;
				f++;
			}
		} else if (*f == 'l') {
			lng = 1;
			if (*++f == 'l') {
				lng = 2;
				f++;
			}
		} else if (*f == 'z') {
			lng = 3;
			f++;
		}
		switch (*f) {
		case 's': {
			const char *p = va_arg(ap, const char *);
			if (!p)
				p = "(null)";
			size_t n = 0; /* with a precision, p need not be NUL-terminated */
			while ((prec < 0 || n < (size_t)prec) && p[n])
				n++;
			put_padded(&s, p, n, width, left, ' ');
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_padded(&s, &c, 1, width, left, ' ');
			break;
		}
		case 'd':
		case 'i': {
			long long v = lng == 2 ? va_arg(ap, long long) : lng == 1 ? va_arg(ap, long)
			    : lng == 3 ? (long long)va_arg(ap, size_t) : va_arg(ap, int);
			if (lng == -1)
				v = (short)v;
			else if (lng == -2)
				v = (signed char)v;
			unsigned long long m = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
			put_uint(&s, m, 10, false, v < 0, width, left, zero, prec);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long v = lng == 2 ? va_arg(ap, unsigned long long)
			    : lng == 1 ? va_arg(ap, unsigned long)
			    : lng == 3 ? va_arg(ap, size_t) : va_arg(ap, unsigned);
			if (lng == -1)
				v = (unsigned short)v;
			else if (lng == -2)
				v = (unsigned char)v;
			put_uint(&s, v, *f == 'u' ? 10 : 16, *f == 'X', false, width, left, zero, prec);
			break;
		}
		case '%':
			put(&s, '%');
			break;
		case '\0':
			f--;
			break;
		default: /* unsupported: show it rather than misread the arguments */
			put(&s, '%');
			put(&s, *f);
			break;
		}
	}
	if (cap)
		out[s.len < cap ? s.len : cap - 1] = '\0';
	return s.len;
}

size_t lsoe_fmt(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = lsoe_vfmt(out, cap, fmt, ap);
	va_end(ap);
	return n;
}

char *lsoe_text_mac(char out[18], const uint8_t mac[6])
{
	lsoe_fmt(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return out;
}

char *lsoe_text_hexcolon(char *out, size_t cap, const uint8_t *p, size_t n)
{
	size_t o = 0;
	if (cap)
		out[0] = '\0';
	for (size_t i = 0; i < n && o + (i ? 3u : 2u) < cap; i++) /* whole octets only */
		o += lsoe_fmt(out + o, cap - o, i ? ":%02x" : "%02x", p[i]);
	return out;
}

char *lsoe_text_seconds(char *out, size_t cap, uint64_t ns)
{
	uint64_t whole = ns / 1000000000u, frac = ns % 1000000000u;
	if (!frac) {
		lsoe_fmt(out, cap, "%llu", (unsigned long long)whole);
		return out;
	}
	unsigned digits = 9;
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	lsoe_fmt(out, cap, "%llu.%0*llu", (unsigned long long)whole, (int)digits, (unsigned long long)frac);
	return out;
}

bool lsoe_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool lsoe_parse_seconds(const char *s, uint64_t *ns)
{
	uint64_t whole = 0, frac = 0;
	unsigned fd = 0;
	bool any = false;
	for (; *s >= '0' && *s <= '9'; s++, any = true) {
		if (whole > UINT64_MAX / 1000000000ull) /* already too many seconds for 64-bit nanoseconds */
			return false;
		whole = whole * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, any = true) {
			if (fd == 9)
				return false; /* finer than a nanosecond */
			frac = frac * 10 + (uint64_t)(*s - '0');
			fd++;
		}
	}
	if (*s || !any)
		return false;
	while (fd++ < 9)
		frac *= 10;
	if (whole > UINT64_MAX / 1000000000ull || whole * 1000000000ull > UINT64_MAX - frac)
		return false; /* more than 2^64 - 1 nanoseconds (about 584 years) */
	*ns = whole * 1000000000ull + frac;
	return true;
}

int lsoe_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
