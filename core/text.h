/*
 * Text for logs and configuration inside the core, which may not use <stdio.h>:
 * a printf subset and number parsing. Internal to core/.
 */
#ifndef LSOE_TEXT_H
#define LSOE_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * snprintf subset: %s %c %% and the integers d i u x X with the length modifiers
 * h hh l ll z, flags '0' and '-', a field width and a precision (decimal or *;
 * "%.*s" prints at most that many characters of a string that need not be
 * NUL-terminated). Always NUL-terminates (when cap > 0); returns the length it
 * would have written.
 */
size_t lsoe_vfmt(char *out, size_t cap, const char *fmt, va_list ap);
size_t lsoe_fmt(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "aa:bb:cc:dd:ee:ff" into out[18]. */
char *lsoe_text_mac(char out[18], const uint8_t mac[6]);
/* n octets as colon-separated hex into out (cap >= 3n). */
char *lsoe_text_hexcolon(char *out, size_t cap, const uint8_t *p, size_t n);
/* Nanoseconds as seconds with up to 9 decimals, trailing zeros trimmed: "1", "0.25". */
char *lsoe_text_seconds(char *out, size_t cap, uint64_t ns);

/* Parse an unsigned decimal integer (whole string). */
bool lsoe_parse_u64(const char *s, uint64_t *out);
/* Parse seconds with up to 9 decimals ("1", "1.5", ".25") into nanoseconds. */
bool lsoe_parse_seconds(const char *s, uint64_t *ns);
/* Hex digit value or -1. */
int lsoe_hexval(int c);

#endif
