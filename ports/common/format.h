/* Text forms of wire values, shared by every program (lsoe-dump, lsoe-sim, lsoed, lsoectl). */
#ifndef LSOE_FORMAT_H
#define LSOE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsoe/pdu.h"

#define LSOE_MAC_STRLEN 18       /* "aa:bb:cc:dd:ee:ff" + NUL */
#define LSOE_ID_STRLEN 30        /* 10 octets colon-separated + NUL */
#define LSOE_ADDR_STRLEN 46      /* INET6_ADDRSTRLEN */
#define LSOE_SECS_STRLEN 32      /* 2^64 ns in seconds, a point, 9 digits, NUL */
#define LSOE_QUOTABLE_STRLEN 268 /* 64 octets as \xHH, "...", NUL, and lsoe_fmt_quotable's margin */

/* "02:00:00:00:00:0a" */
char *lsoe_fmt_mac(char out[LSOE_MAC_STRLEN], const uint8_t mac[6]);
/* Colon-separated hex of n octets into out (cap >= 3n). */
char *lsoe_fmt_hexcolon(char *out, size_t cap, const uint8_t *p, size_t n);
/* Plain hex of n octets into out (cap >= 2n + 1). */
char *lsoe_fmt_hex(char *out, size_t cap, const uint8_t *p, size_t n);
/* The address of an entry of encapsulation type `type`, as text. */
char *lsoe_fmt_encap_addr(char out[LSOE_ADDR_STRLEN], unsigned type, const struct lsoe_encap *e);

/* ns as exact seconds with trailing zeros dropped: "60", "12.0001" (for people; JSON
 * uses lsoe_json_seconds' fixed nine digits). */
char *lsoe_fmt_seconds(char out[LSOE_SECS_STRLEN], uint64_t ns);

/* A file's or user's text (len octets, not terminated) made safe to quote in a message:
 * control characters, quotes and backslashes as \xHH, cut with "..." after 64 octets. */
char *lsoe_fmt_quotable(char *out, size_t cap, const char *s, size_t len);

/* Parse "aa:bb:cc:dd:ee:ff" (also '-' separated). */
bool lsoe_parse_mac(const char *s, uint8_t mac[6]);
/* Parse n octets of colon- or dash-separated hex (or n*2 plain hex digits). */
bool lsoe_parse_hexcolon(const char *s, uint8_t *out, size_t n);

#endif
