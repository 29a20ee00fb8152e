#include "format.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

char *lsoe_fmt_mac(char out[LSOE_MAC_STRLEN], const uint8_t mac[6])
{
	snprintf(out, LSOE_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return out;
}

char *lsoe_fmt_hexcolon(char *out, size_t cap, const uint8_t *p, size_t n)
{
	size_t o = 0;
	if (cap)
		out[0] = '\0';
	for (size_t i = 0; i < n && o + 3 <= cap; i++)
		o += (size_t)snprintf(out + o, cap - o, i ? ":%02x" : "%02x", p[i]);
	return out;
}

char *lsoe_fmt_seconds(char out[LSOE_SECS_STRLEN], uint64_t ns)
{
	uint64_t frac = ns % 1000000000u;
	if (!frac) {
		snprintf(out, LSOE_SECS_STRLEN, "%" PRIu64, ns / 1000000000u);
		return out;
	}
	int n = snprintf(out, LSOE_SECS_STRLEN, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u, frac);
	while (n > 0 && out[n - 1] == '0')
		out[--n] = '\0';
	return out;
}

char *lsoe_fmt_hex(char *out, size_t cap, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n && o + 2 < cap; i++) {
		out[o++] = digits[p[i] >> 4];
		out[o++] = digits[p[i] & 15];
	}
	if (cap)
		out[o < cap ? o : cap - 1] = '\0';
	return out;
}

char *lsoe_fmt_encap_addr(char out[LSOE_ADDR_STRLEN], unsigned type, const struct lsoe_encap *e)
{
	int af = lsoe_encap_addr_len(type) == 4 ? AF_INET : AF_INET6;
	if (!inet_ntop(af, e->addr, out, LSOE_ADDR_STRLEN))
		snprintf(out, LSOE_ADDR_STRLEN, "?");
	return out;
}

char *lsoe_fmt_quotable(char *out, size_t cap, const char *s, size_t len)
{
	size_t o = 0;
	if (!cap)
		return out;
	for (size_t i = 0; i < len && o + 8 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i >= 64) {
			o += (size_t)snprintf(out + o, cap - o, "...");
			break;
		}
		if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o < cap ? o : cap - 1] = '\0';
	return out;
}

/* Not core's lsoe_hexval: that header is the core's own. */
static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool lsoe_parse_hexcolon(const char *s, uint8_t *out, size_t n)
{
	size_t len = strlen(s);
	if (len == 2 * n) { /* plain hex */
		for (size_t i = 0; i < n; i++) {
			int h = hexval(s[2 * i]), l = hexval(s[2 * i + 1]);
			if (h < 0 || l < 0)
				return false;
			out[i] = (uint8_t)(h << 4 | l);
		}
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		int h = hexval(s[0]), l = h < 0 ? -1 : hexval(s[1]);
		if (h < 0)
			return false;
		if (l < 0) { /* single digit octet, e.g. "0:1:2" */
			out[i] = (uint8_t)h;
			s += 1;
		} else {
			out[i] = (uint8_t)(h << 4 | l);
			s += 2;
		}
		if (i + 1 < n) {
			if (*s != ':' && *s != '-')
				return false;
			s++;
		}
	}
	return *s == '\0';
}

bool lsoe_parse_mac(const char *s, uint8_t mac[6])
{
	return lsoe_parse_hexcolon(s, mac, 6);
}
