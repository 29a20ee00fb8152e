/*
 * PDU encode and decode. Each decoder checks every rule of digest 3 and reports
 * the first rule broken; each encoder refuses what the decoder would refuse, so we
 * never emit a PDU that a conforming peer must drop.
 */
#include <string.h>

#include "bytes.h"
#include "lsoe/pdu.h"

static const char *const type_names[] = {
	[LSOE_PDU_HELLO] = "HELLO",
	[LSOE_PDU_OPEN] = "OPEN",
	[LSOE_PDU_KEEPALIVE] = "KEEPALIVE",
	[LSOE_PDU_ACK] = "ACK",
	[LSOE_PDU_IPV4_ENCAP] = "IPV4_ENCAP",
	[LSOE_PDU_IPV6_ENCAP] = "IPV6_ENCAP",
	[LSOE_PDU_MPLS_IPV4_ENCAP] = "MPLS_IPV4_ENCAP",
	[LSOE_PDU_MPLS_IPV6_ENCAP] = "MPLS_IPV6_ENCAP",
};

const char *lsoe_pdu_type_name(unsigned type)
{
	if (type == LSOE_PDU_VENDOR)
		return "VENDOR";
	return type < sizeof(type_names) / sizeof(type_names[0]) ? type_names[type] : NULL;
}

int lsoe_pdu_type_from_name(const char *name)
{
	for (unsigned t = 0; t < 256; t++) {
		const char *n = lsoe_pdu_type_name(t);
		if (n && strcmp(n, name) == 0)
			return (int)t;
	}
	return -1;
}

bool lsoe_pdu_type_is_acked(unsigned type)
{
	return type == LSOE_PDU_OPEN || lsoe_pdu_type_is_encap(type) || type == LSOE_PDU_VENDOR;
}

const char *lsoe_etype_name(unsigned etype)
{
	static const char *const n[] = { "none", "warning", "restart", "hopeless" };
	return etype < 4 ? n[etype] : "reserved";
}

/* ---- decode ---- */

static enum lsoe_err decode_open(const uint8_t *b, size_t len, struct lsoe_open *o)
{
	if (len < LSOE_OPEN_MIN_LEN)
		return LSOE_E_OPEN_SHORT;
	o->nonce = lsoe_get32(b + 3);
	memcpy(o->local_id, b + 7, LSOE_LOCAL_ID_LEN);
	o->attr_count = b[17];
	o->attrs = b + 18;
	size_t auth_off = 18u + o->attr_count;
	if (auth_off + 2 > len)
		return LSOE_E_OPEN_LENGTH;
	o->auth_len = lsoe_get16(b + auth_off);
	o->auth = b + auth_off + 2;
	if (LSOE_OPEN_MIN_LEN + (size_t)o->attr_count + o->auth_len != len)
		return LSOE_E_OPEN_LENGTH;
	return LSOE_OK;
}

static enum lsoe_err decode_ack(const uint8_t *b, size_t len, struct lsoe_ack *a)
{
	if (len != LSOE_ACK_LEN)
		return LSOE_E_ACK_LENGTH;
	a->pdu_type = b[3];
	a->etype = b[4] >> 4;
	a->code = (uint16_t)((b[4] & 0x0Fu) << 8 | b[5]);
	a->hint = lsoe_get16(b + 6);
	if (!lsoe_pdu_type_is_acked(a->pdu_type))
		return LSOE_E_ACK_PDU_TYPE;
	if (a->etype == LSOE_ETYPE_NONE && (a->code != 0 || a->hint != 0))
		return LSOE_E_ACK_NOERROR_NONZERO;
	return LSOE_OK;
}

/* Parse one entry at p (at most avail octets). Returns its length, or 0 and *err. */
static size_t parse_entry(unsigned type, const uint8_t *p, size_t avail, struct lsoe_encap *e, enum lsoe_err *err)
{
	unsigned alen = lsoe_encap_addr_len(type);
	bool mpls = lsoe_encap_is_mpls(type);
	size_t fixed = mpls ? 2u : 1u;
	if (avail < fixed) {
		*err = LSOE_E_ENCAP_TRUNCATED;
		return 0;
	}
	e->flags = p[0];
	e->nlabels = mpls ? p[1] : 0;
	size_t need = lsoe_encap_entry_len(type, e->nlabels);
	if (avail < need) {
		*err = LSOE_E_ENCAP_TRUNCATED;
		return 0;
	}
	e->labels = p + fixed;
	const uint8_t *a = e->labels + (size_t)LSOE_LABEL_LEN * e->nlabels;
	memset(e->addr, 0, sizeof(e->addr));
	memcpy(e->addr, a, alen);
	e->prefix_len = a[alen];
	if (e->prefix_len > alen * 8u) {
		*err = LSOE_E_ENCAP_PREFIX_LEN;
		return 0;
	}
	return need;
}

/* Check that count entries exactly fill the len octets at p. */
static enum lsoe_err check_entries(unsigned type, unsigned count, const uint8_t *p, size_t len)
{
	if (!p)
		return len ? LSOE_E_INVALID : count ? LSOE_E_ENCAP_TRUNCATED : LSOE_OK;
	const uint8_t *end = p + len;
	for (unsigned i = 0; i < count; i++) {
		struct lsoe_encap e;
		enum lsoe_err err = LSOE_OK;
		size_t n = parse_entry(type, p, (size_t)(end - p), &e, &err);
		if (n == 0)
			return err;
		p += n;
	}
	return p == end ? LSOE_OK : LSOE_E_ENCAP_TRAILING;
}

static enum lsoe_err decode_encap(unsigned type, const uint8_t *b, size_t len, struct lsoe_encap_list *l)
{
	if (len < LSOE_ENCAP_HDR_LEN)
		return LSOE_E_ENCAP_SHORT;
	l->count = lsoe_get16(b + 3);
	l->wire = b + LSOE_ENCAP_HDR_LEN;
	l->wire_len = len - LSOE_ENCAP_HDR_LEN;
	return check_entries(type, l->count, l->wire, l->wire_len);
}

static enum lsoe_err decode_vendor(const uint8_t *b, size_t len, struct lsoe_vendor *v)
{
	if (len < LSOE_VENDOR_MIN_LEN)
		return LSOE_E_VENDOR_SHORT;
	v->enterprise = lsoe_get32(b + 3);
	v->ent_type = b[7];
	v->data = b + LSOE_VENDOR_MIN_LEN;
	v->data_len = (uint16_t)(len - LSOE_VENDOR_MIN_LEN);
	return LSOE_OK;
}

enum lsoe_err lsoe_pdu_decode(const uint8_t *buf, size_t len, struct lsoe_pdu *pdu)
{
	memset(pdu, 0, sizeof(*pdu));
	if (len < LSOE_PDU_HDR_LEN)
		return LSOE_E_PDU_SHORT;
	pdu->type = buf[0];
	pdu->length = lsoe_get16(buf + 1);
	if (pdu->length != len)
		return LSOE_E_PDU_LENGTH;
	/*
	 * The header-only types, the bulk of steady-state traffic, are tested before the
	 * switch: a conditional branch that is taken for both, where the switch's jump
	 * table would be an indirect branch whose target flips between them unpredictably.
	 */
	if (pdu->type == LSOE_PDU_HELLO || pdu->type == LSOE_PDU_KEEPALIVE) {
		if (len == LSOE_PDU_HDR_LEN)
			return LSOE_OK;
		return pdu->type == LSOE_PDU_HELLO ? LSOE_E_HELLO_LENGTH : LSOE_E_KEEPALIVE_LENGTH;
	}
	switch (pdu->type) {
	case LSOE_PDU_OPEN:
		return decode_open(buf, len, &pdu->u.open);
	case LSOE_PDU_ACK:
		return decode_ack(buf, len, &pdu->u.ack);
	case LSOE_PDU_IPV4_ENCAP:
	case LSOE_PDU_IPV6_ENCAP:
	case LSOE_PDU_MPLS_IPV4_ENCAP:
	case LSOE_PDU_MPLS_IPV6_ENCAP:
		return decode_encap(pdu->type, buf, len, &pdu->u.encap);
	case LSOE_PDU_VENDOR:
		return decode_vendor(buf, len, &pdu->u.vendor);
	default:
		return LSOE_E_PDU_UNKNOWN_TYPE;
	}
}

void lsoe_encap_iter_init(struct lsoe_encap_iter *it, const struct lsoe_pdu *pdu)
{
	it->type = pdu->type;
	it->p = pdu->u.encap.wire;
	it->end = pdu->u.encap.wire + pdu->u.encap.wire_len;
	it->left = pdu->u.encap.wire ? pdu->u.encap.count : 0;
}

bool lsoe_encap_iter_next(struct lsoe_encap_iter *it, struct lsoe_encap *e)
{
	if (it->left == 0)
		return false;
	enum lsoe_err err = LSOE_OK;
	size_t n = parse_entry(it->type, it->p, (size_t)(it->end - it->p), e, &err);
	if (n == 0) { /* only reachable on a list that was not validated */
		it->left = 0;
		return false;
	}
	it->p += n;
	it->left--;
	return true;
}

/* ---- encode ---- */

static size_t encap_body_len(unsigned type, const struct lsoe_encap_list *l)
{
	if (!l->entries)
		return l->wire_len;
	size_t n = 0;
	for (unsigned i = 0; i < l->count; i++)
		n += lsoe_encap_entry_len(type, lsoe_encap_is_mpls(type) ? l->entries[i].nlabels : 0);
	return n;
}

size_t lsoe_pdu_encoded_len(const struct lsoe_pdu *pdu)
{
	size_t n;
	switch (pdu->type) {
	case LSOE_PDU_HELLO:
	case LSOE_PDU_KEEPALIVE:
		n = LSOE_PDU_HDR_LEN;
		break;
	case LSOE_PDU_OPEN:
		n = LSOE_OPEN_MIN_LEN + (size_t)pdu->u.open.attr_count + pdu->u.open.auth_len;
		break;
	case LSOE_PDU_ACK:
		n = LSOE_ACK_LEN;
		break;
	case LSOE_PDU_IPV4_ENCAP:
	case LSOE_PDU_IPV6_ENCAP:
	case LSOE_PDU_MPLS_IPV4_ENCAP:
	case LSOE_PDU_MPLS_IPV6_ENCAP:
		n = LSOE_ENCAP_HDR_LEN + encap_body_len(pdu->type, &pdu->u.encap);
		break;
	case LSOE_PDU_VENDOR:
		n = LSOE_VENDOR_MIN_LEN + (size_t)pdu->u.vendor.data_len;
		break;
	default:
		return 0;
	}
	return n <= LSOE_PDU_MAX_LEN ? n : 0;
}

static enum lsoe_err encode_encap(unsigned type, const struct lsoe_encap_list *l, uint8_t *p)
{
	lsoe_put16(p, l->count);
	p += 2;
	if (!l->entries) {
		/* Not necessarily from the decoder: refuse a slice that does not match count. */
		enum lsoe_err err = check_entries(type, l->count, l->wire, l->wire_len);
		if (err != LSOE_OK)
			return err;
		if (l->wire_len)
			memcpy(p, l->wire, l->wire_len);
		return LSOE_OK;
	}
	unsigned alen = lsoe_encap_addr_len(type);
	bool mpls = lsoe_encap_is_mpls(type);
	for (unsigned i = 0; i < l->count; i++) {
		const struct lsoe_encap *e = &l->entries[i];
		if (e->prefix_len > alen * 8u)
			return LSOE_E_ENCAP_PREFIX_LEN;
		*p++ = e->flags;
		if (mpls) {
			*p++ = e->nlabels;
			if (e->nlabels) {
				if (!e->labels)
					return LSOE_E_INVALID;
				memcpy(p, e->labels, (size_t)LSOE_LABEL_LEN * e->nlabels);
				p += (size_t)LSOE_LABEL_LEN * e->nlabels;
			}
		}
		memcpy(p, e->addr, alen);
		p += alen;
		*p++ = e->prefix_len;
	}
	return LSOE_OK;
}

enum lsoe_err lsoe_pdu_encode(struct lsoe_pdu *pdu, uint8_t *out, size_t cap, size_t *out_len)
{
	*out_len = 0;
	if (!lsoe_pdu_type_name(pdu->type))
		return LSOE_E_PDU_UNKNOWN_TYPE;
	size_t n = lsoe_pdu_encoded_len(pdu);
	if (n == 0)
		return LSOE_E_PDU_TOO_BIG;
	if (n > cap)
		return LSOE_E_BUFFER;
	out[0] = pdu->type;
	lsoe_put16(out + 1, (uint16_t)n);
	uint8_t *p = out + LSOE_PDU_HDR_LEN;
	enum lsoe_err err = LSOE_OK;

	switch (pdu->type) {
	case LSOE_PDU_OPEN: {
		const struct lsoe_open *o = &pdu->u.open;
		if ((o->attr_count && !o->attrs) || (o->auth_len && !o->auth))
			return LSOE_E_INVALID;
		lsoe_put32(p, o->nonce);
		memcpy(p + 4, o->local_id, LSOE_LOCAL_ID_LEN);
		p[14] = o->attr_count;
		if (o->attr_count)
			memcpy(p + 15, o->attrs, o->attr_count);
		lsoe_put16(p + 15 + o->attr_count, o->auth_len);
		if (o->auth_len)
			memcpy(p + 17 + o->attr_count, o->auth, o->auth_len);
		break;
	}
	case LSOE_PDU_ACK: {
		const struct lsoe_ack *a = &pdu->u.ack;
		if (!lsoe_pdu_type_is_acked(a->pdu_type))
			return LSOE_E_ACK_PDU_TYPE;
		if (a->etype > 15 || a->code > 0xFFF)
			return LSOE_E_INVALID;
		if (a->etype == LSOE_ETYPE_NONE && (a->code || a->hint))
			return LSOE_E_ACK_NOERROR_NONZERO;
		p[0] = a->pdu_type;
		p[1] = (uint8_t)(a->etype << 4 | a->code >> 8);
		p[2] = (uint8_t)a->code;
		lsoe_put16(p + 3, a->hint);
		break;
	}
	case LSOE_PDU_IPV4_ENCAP:
	case LSOE_PDU_IPV6_ENCAP:
	case LSOE_PDU_MPLS_IPV4_ENCAP:
	case LSOE_PDU_MPLS_IPV6_ENCAP:
		err = encode_encap(pdu->type, &pdu->u.encap, p);
		break;
	case LSOE_PDU_VENDOR: {
		const struct lsoe_vendor *v = &pdu->u.vendor;
		if (v->data_len && !v->data)
			return LSOE_E_INVALID;
		lsoe_put32(p, v->enterprise);
		p[4] = v->ent_type;
		if (v->data_len)
			memcpy(p + 5, v->data, v->data_len);
		break;
	}
	default: /* HELLO, KEEPALIVE: header only */
		break;
	}
	if (err != LSOE_OK)
		return err;
	pdu->length = (uint16_t)n;
	*out_len = n;
	return LSOE_OK;
}
