#include "json_pdu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

void lsoe_json_key(yajl_gen g, const char *key)
{
	yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

void lsoe_json_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void lsoe_json_kstr(yajl_gen g, const char *key, const char *s)
{
	lsoe_json_key(g, key);
	lsoe_json_str(g, s);
}

void lsoe_json_kint(yajl_gen g, const char *key, long long v)
{
	lsoe_json_key(g, key);
	yajl_gen_integer(g, v);
}

void lsoe_json_kbool(yajl_gen g, const char *key, int v)
{
	lsoe_json_key(g, key);
	yajl_gen_bool(g, v);
}

void lsoe_json_kdecimal(yajl_gen g, const char *key, const char *text)
{
	lsoe_json_key(g, key);
	yajl_gen_number(g, text, strlen(text));
}

void lsoe_json_kattrs(yajl_gen g, const char *key, const uint8_t *attrs, unsigned count)
{
	lsoe_json_key(g, key);
	yajl_gen_array_open(g);
	for (unsigned i = 0; attrs && i < count; i++)
		yajl_gen_integer(g, attrs[i]);
	yajl_gen_array_close(g);
}

void lsoe_json_print_line(yajl_gen g, FILE *out)
{
	const unsigned char *buf;
	size_t len;
	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		fwrite(buf, 1, len, out);
	fputc('\n', out);
}

static void json_klabels(yajl_gen g, const struct lsoe_encap *e)
{
	lsoe_json_key(g, "labels");
	yajl_gen_array_open(g);
	for (unsigned i = 0; i < e->nlabels; i++)
		yajl_gen_integer(g, lsoe_label_value(e->labels, i));
	yajl_gen_array_close(g);
}

void lsoe_json_encap_entry(yajl_gen g, unsigned type, const struct lsoe_encap *e)
{
	char addr[LSOE_ADDR_STRLEN];
	yajl_gen_map_open(g);
	lsoe_json_kbool(g, "primary", (e->flags & LSOE_ENCAP_PRIMARY) != 0);
	lsoe_json_kbool(g, "loopback", (e->flags & LSOE_ENCAP_LOOPBACK) != 0);
	lsoe_json_kstr(g, "address", lsoe_fmt_encap_addr(addr, type, e));
	lsoe_json_kint(g, "prefix_len", e->prefix_len);
	json_klabels(g, e);
	yajl_gen_map_close(g);
}

void lsoe_json_link_end_fields(yajl_gen g, unsigned type, const struct lsoe_encap *e)
{
	char addr[LSOE_ADDR_STRLEN];
	lsoe_json_kstr(g, "address", lsoe_fmt_encap_addr(addr, type, e));
	lsoe_json_kint(g, "prefix_len", e->prefix_len);
	lsoe_json_kbool(g, "primary", (e->flags & LSOE_ENCAP_PRIMARY) != 0);
	json_klabels(g, e);
}

void lsoe_json_link_end(yajl_gen g, unsigned type, const struct lsoe_encap *e)
{
	yajl_gen_map_open(g);
	lsoe_json_link_end_fields(g, type, e);
	yajl_gen_map_close(g);
}

/* Hex of up to 65535 octets: sized on the heap, never a large stack buffer. */
static void json_khex(yajl_gen g, const char *key, const uint8_t *p, size_t n)
{
	char *buf = malloc(2 * n + 1);
	lsoe_json_key(g, key);
	if (!buf) {
		yajl_gen_null(g);
		return;
	}
	lsoe_json_str(g, lsoe_fmt_hex(buf, 2 * n + 1, p, n));
	free(buf);
}

static void json_open(yajl_gen g, const struct lsoe_open *o)
{
	char buf[LSOE_ID_STRLEN];
	snprintf(buf, sizeof(buf), "0x%08x", o->nonce);
	lsoe_json_kstr(g, "nonce", buf);
	lsoe_json_kstr(g, "local_id", lsoe_fmt_hexcolon(buf, sizeof(buf), o->local_id, LSOE_LOCAL_ID_LEN));
	lsoe_json_kattrs(g, "attributes", o->attrs, o->attr_count);
	lsoe_json_kint(g, "auth_length", o->auth_len);
	if (o->auth_len)
		json_khex(g, "auth", o->auth, o->auth_len);
}

static void json_ack(yajl_gen g, const struct lsoe_ack *a)
{
	const char *n = lsoe_pdu_type_name(a->pdu_type);
	lsoe_json_kstr(g, "ack_type", n ? n : "?");
	lsoe_json_kint(g, "error_type", a->etype);
	lsoe_json_kstr(g, "error_type_name", lsoe_etype_name(a->etype));
	lsoe_json_kint(g, "error_code", a->code);
	lsoe_json_kint(g, "error_hint", a->hint);
}

static void json_encaps(yajl_gen g, const struct lsoe_pdu *pdu)
{
	lsoe_json_kint(g, "count", pdu->u.encap.count);
	lsoe_json_key(g, "encaps");
	yajl_gen_array_open(g);
	struct lsoe_encap_iter it;
	struct lsoe_encap e;
	lsoe_encap_iter_init(&it, pdu);
	while (lsoe_encap_iter_next(&it, &e))
		lsoe_json_encap_entry(g, pdu->type, &e);
	yajl_gen_array_close(g);
}

static void json_vendor(yajl_gen g, const struct lsoe_vendor *v)
{
	lsoe_json_kint(g, "enterprise_number", v->enterprise);
	lsoe_json_kint(g, "enterprise_type", v->ent_type);
	json_khex(g, "data", v->data, v->data_len);
}

void lsoe_json_pdu(yajl_gen g, const struct lsoe_pdu *pdu)
{
	const char *name = lsoe_pdu_type_name(pdu->type);
	yajl_gen_map_open(g);
	lsoe_json_kstr(g, "type", name ? name : "UNKNOWN");
	lsoe_json_kint(g, "length", pdu->length);
	switch (pdu->type) {
	case LSOE_PDU_OPEN:
		json_open(g, &pdu->u.open);
		break;
	case LSOE_PDU_ACK:
		json_ack(g, &pdu->u.ack);
		break;
	case LSOE_PDU_VENDOR:
		json_vendor(g, &pdu->u.vendor);
		break;
	default:
		if (lsoe_pdu_type_is_encap(pdu->type))
			json_encaps(g, pdu);
		break;
	}
	yajl_gen_map_close(g);
}
