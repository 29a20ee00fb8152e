/* The PDU checks shared by fuzz_frame and fuzz_pdu (fuzz.h: fz_check_pdu). */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "lsoe/pdu.h"

/* Entries of one encapsulation PDU: at least 6 octets each after a 5-octet header. */
#define FZ_MAX_ENTRIES ((LSOE_PDU_MAX_LEN - LSOE_ENCAP_HDR_LEN) / 6u + 1u)

static struct lsoe_encap entries[FZ_MAX_ENTRIES];

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* p lies within [buf, buf + len] and so do its n octets. */
static bool within(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
	return p >= buf && p <= buf + len && n <= (size_t)(buf + len - p);
}

static void encode_exact(struct lsoe_pdu *pdu, const uint8_t *want, size_t len)
{
	uint8_t *out = malloc(len);
	CHECK(out != NULL);
	memset(out, 0xA5, len);
	size_t n = 0;
	enum lsoe_err e = lsoe_pdu_encode(pdu, out, len, &n);
	CHECK(e == LSOE_OK);
	CHECK(n == len && pdu->length == len);
	CHECK(memcmp(out, want, len) == 0);
	/* One octet short must be refused, with nothing reported written. */
	CHECK(lsoe_pdu_encode(pdu, out, len - 1, &n) == LSOE_E_BUFFER && n == 0);
	free(out);
}

/* The fields of a decoded PDU against its octets b (len of them). */
static void check_fields(const struct lsoe_pdu *pdu, const uint8_t *b, size_t len)
{
	switch (pdu->type) {
	case LSOE_PDU_HELLO:
	case LSOE_PDU_KEEPALIVE:
		CHECK(len == LSOE_PDU_HDR_LEN);
		break;
	case LSOE_PDU_OPEN: {
		const struct lsoe_open *o = &pdu->u.open;
		CHECK(len == LSOE_OPEN_MIN_LEN + (size_t)o->attr_count + o->auth_len);
		CHECK(o->nonce == get32(b + 3) && memcmp(o->local_id, b + 7, LSOE_LOCAL_ID_LEN) == 0);
		CHECK(o->attr_count == b[17] && o->attrs == b + 18);
		CHECK(o->auth_len == get16(b + 18 + o->attr_count) && o->auth == b + 20 + o->attr_count);
		CHECK(within(o->auth, o->auth_len, b, len));
		break;
	}
	case LSOE_PDU_ACK: {
		const struct lsoe_ack *a = &pdu->u.ack;
		CHECK(len == LSOE_ACK_LEN);
		CHECK(lsoe_pdu_type_is_acked(a->pdu_type) && a->pdu_type == b[3]);
		CHECK(a->etype <= 15 && a->code <= 0xFFF && a->hint == get16(b + 6));
		CHECK(a->etype != LSOE_ETYPE_NONE || (a->code == 0 && a->hint == 0));
		CHECK(lsoe_etype_name(a->etype) != NULL);
		break;
	}
	case LSOE_PDU_VENDOR: {
		const struct lsoe_vendor *v = &pdu->u.vendor;
		CHECK(len >= LSOE_VENDOR_MIN_LEN && v->data_len == len - LSOE_VENDOR_MIN_LEN);
		CHECK(v->enterprise == get32(b + 3) && v->ent_type == b[7] && v->data == b + LSOE_VENDOR_MIN_LEN);
		break;
	}
	default: {
		CHECK(lsoe_pdu_type_is_encap(pdu->type));
		const struct lsoe_encap_list *l = &pdu->u.encap;
		CHECK(len >= LSOE_ENCAP_HDR_LEN && l->count == get16(b + 3));
		CHECK(l->entries == NULL && l->wire == b + LSOE_ENCAP_HDR_LEN && l->wire_len == len - LSOE_ENCAP_HDR_LEN);
		break;
	}
	}
}

/* Walk the entries with lsoe_encap_iter, re-encode from them, and try a bad prefix length. */
static void check_encap(const struct lsoe_pdu *pdu, const uint8_t *buf, size_t len)
{
	struct lsoe_encap_iter it;
	lsoe_encap_iter_init(&it, pdu);
	size_t k = 0, octets = 0;
	unsigned alen = lsoe_encap_addr_len(pdu->type);
	while (k < FZ_MAX_ENTRIES && lsoe_encap_iter_next(&it, &entries[k])) {
		const struct lsoe_encap *e = &entries[k];
		CHECK(e->prefix_len <= alen * 8u);
		CHECK(lsoe_encap_is_mpls(pdu->type) || e->nlabels == 0);
		CHECK(e->nlabels == 0 || within(e->labels, (size_t)LSOE_LABEL_LEN * e->nlabels, buf, len));
		for (unsigned i = alen; i < sizeof(e->addr); i++)
			CHECK(e->addr[i] == 0); /* an IPv4 address leaves the rest zero */
		for (unsigned i = 0; i < e->nlabels; i++) {
			CHECK(lsoe_label_value(e->labels, i) <= 0xFFFFFu && lsoe_label_tc(e->labels, i) <= 7u);
			CHECK(lsoe_label_raw(e->labels, i) == (lsoe_label_value(e->labels, i) << 4 |
			    lsoe_label_tc(e->labels, i) << 1 | (lsoe_label_bos(e->labels, i) ? 1u : 0u)));
		}
		octets += lsoe_encap_entry_len(pdu->type, e->nlabels);
		k++;
	}
	CHECK(k == pdu->u.encap.count);
	CHECK(octets == pdu->u.encap.wire_len);
	CHECK(it.p == it.end && it.left == 0);
	struct lsoe_encap e1;
	CHECK(!lsoe_encap_iter_next(&it, &e1));

	/* From typed entries, as a sender builds them. */
	struct lsoe_pdu typed;
	memset(&typed, 0, sizeof(typed));
	typed.type = pdu->type;
	typed.u.encap.count = pdu->u.encap.count;
	typed.u.encap.entries = entries;
	CHECK(lsoe_pdu_encoded_len(&typed) == len);
	encode_exact(&typed, buf, len);

	/* The encoder refuses what the decoder would: a prefix longer than the address. */
	if (k) {
		uint8_t *out = malloc(len);
		CHECK(out != NULL);
		uint8_t saved = entries[k - 1].prefix_len;
		entries[k - 1].prefix_len = (uint8_t)(alen * 8u + 1u);
		size_t n = 1;
		CHECK(lsoe_pdu_encode(&typed, out, len, &n) == LSOE_E_ENCAP_PREFIX_LEN && n == 0);
		entries[k - 1].prefix_len = saved;
		free(out);
	}
}

enum lsoe_err fz_check_pdu(const uint8_t *pdu_in, size_t len)
{
	uint8_t *buf = malloc(len ? len : 1); /* exactly the PDU: ASan sees any read past it */
	CHECK(buf != NULL);
	if (len)
		memcpy(buf, pdu_in, len);
	struct lsoe_pdu pdu;
	enum lsoe_err e = lsoe_pdu_decode(buf, len, &pdu);
	CHECK(e < LSOE_ERR_COUNT);
	CHECK(lsoe_err_name(e) != NULL && lsoe_err_desc(e) != NULL);
	if (e != LSOE_OK) {
		free(buf);
		return e;
	}
	CHECK(len >= LSOE_PDU_HDR_LEN && pdu.length == len && buf[0] == pdu.type);
	CHECK(lsoe_pdu_type_name(pdu.type) != NULL);
	CHECK(lsoe_pdu_type_from_name(lsoe_pdu_type_name(pdu.type)) == pdu.type);
	CHECK(lsoe_pdu_type_slot(pdu.type) < LSOE_PDU_TYPE_SLOTS);
	CHECK(lsoe_pdu_encoded_len(&pdu) == len);
	check_fields(&pdu, buf, len);

	/* As decoded: encapsulation entries are copied from the wire. */
	struct lsoe_pdu copy = pdu;
	encode_exact(&copy, buf, len);

	if (lsoe_pdu_type_is_encap(pdu.type))
		check_encap(&pdu, buf, len);
	free(buf);
	return e;
}
