/*
 * JSON renderings shared by every program: a PDU (lsoe-dump), an encapsulation
 * list (lsoe-dump, events, lsoectl). Lists stay lists at every length.
 */
#ifndef LSOE_JSON_PDU_H
#define LSOE_JSON_PDU_H

#include <stdio.h>
#include <yajl/yajl_gen.h>

#include "lsoe/pdu.h"

/* Small helpers over yajl_gen for C strings. */
void lsoe_json_key(yajl_gen g, const char *key);
void lsoe_json_str(yajl_gen g, const char *s);
void lsoe_json_kstr(yajl_gen g, const char *key, const char *s);
void lsoe_json_kint(yajl_gen g, const char *key, long long v);
void lsoe_json_kbool(yajl_gen g, const char *key, int v);
/* A number with up to 9 decimals, e.g. seconds: written as a JSON number. */
void lsoe_json_kdecimal(yajl_gen g, const char *key, const char *text);
/* An OPEN's attribute list as an array of numbers ([] when attrs is NULL). */
void lsoe_json_kattrs(yajl_gen g, const char *key, const uint8_t *attrs, unsigned count);
/* What g generated so far, then a newline, onto out: one JSON line. */
void lsoe_json_print_line(yajl_gen g, FILE *out);

/* {primary, loopback, address, prefix_len, labels} */
void lsoe_json_encap_entry(yajl_gen g, unsigned type, const struct lsoe_encap *e);
/*
 * One end of a link pair, without the enclosing object (callers add their own keys
 * beside it): "address", "prefix_len", "primary", "labels" [int...].
 */
void lsoe_json_link_end_fields(yajl_gen g, unsigned type, const struct lsoe_encap *e);
/* The same as an object: {address, prefix_len, primary, labels}. */
void lsoe_json_link_end(yajl_gen g, unsigned type, const struct lsoe_encap *e);
/* The "pdu" object of lsoe-dump: type, length and the fields of that type. */
void lsoe_json_pdu(yajl_gen g, const struct lsoe_pdu *pdu);

#endif
