/*
 * LSOE PDUs: a typed struct, an encoder and a validating decoder for every type
 * of draft-ietf-lsvr-lsoe-01 (sections 8-14; digest 3).
 *
 * Decoding validates every rule of the digest and never allocates: variable-length
 * parts (attributes, auth data, encapsulation entries, vendor data, label stacks)
 * are pointers into the caller's buffer. encode(decode(x)) == x for every valid x.
 */
#ifndef LSOE_PDU_H
#define LSOE_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsoe/error.h"

#define LSOE_PDU_HDR_LEN     3u
#define LSOE_PDU_MAX_LEN     65535u
#define LSOE_LOCAL_ID_LEN    10u
#define LSOE_OPEN_MIN_LEN    20u
#define LSOE_ACK_LEN         8u
#define LSOE_ENCAP_HDR_LEN   5u
#define LSOE_VENDOR_MIN_LEN  8u
#define LSOE_LABEL_LEN       3u

/* Encapsulation entry flags (draft 12.2: bit 0 is the most significant). */
#define LSOE_ENCAP_PRIMARY   0x80u
#define LSOE_ENCAP_LOOPBACK  0x40u

enum lsoe_pdu_type {
	LSOE_PDU_HELLO = 0,
	LSOE_PDU_OPEN = 1,
	LSOE_PDU_KEEPALIVE = 2,
	LSOE_PDU_ACK = 3,
	LSOE_PDU_IPV4_ENCAP = 4,
	LSOE_PDU_IPV6_ENCAP = 5,
	LSOE_PDU_MPLS_IPV4_ENCAP = 6,
	LSOE_PDU_MPLS_IPV6_ENCAP = 7,
	LSOE_PDU_VENDOR = 255,
};

/* ACK error types (draft 11; digest 6). */
enum lsoe_etype {
	LSOE_ETYPE_NONE = 0,
	LSOE_ETYPE_WARNING = 1,
	LSOE_ETYPE_RESTART = 2,
	LSOE_ETYPE_HOPELESS = 3,
};

/* ACK error codes. */
enum lsoe_ecode {
	LSOE_ECODE_NONE = 0,
	LSOE_ECODE_ADDR_CONFLICT = 1,
	LSOE_ECODE_AUTH_FAILURE = 2,
};

struct lsoe_open {
	uint32_t nonce;
	uint8_t local_id[LSOE_LOCAL_ID_LEN];
	uint8_t attr_count;
	const uint8_t *attrs;        /* attr_count octets */
	uint16_t auth_len;
	const uint8_t *auth;         /* auth_len octets */
};

struct lsoe_ack {
	uint8_t pdu_type;            /* the type being acknowledged */
	uint8_t etype;               /* 4 bits */
	uint16_t code;               /* 12 bits */
	uint16_t hint;
};

/*
 * One encapsulation entry. IPv4 addresses occupy addr[0..3]. Labels are kept as
 * on the wire (3 octets each, RFC 3032 without TTL) so a round trip is exact;
 * use lsoe_label_* to read and write them.
 */
struct lsoe_encap {
	uint8_t flags;
	uint8_t prefix_len;
	uint8_t nlabels;             /* MPLS types only */
	uint8_t addr[16];
	const uint8_t *labels;       /* nlabels * 3 octets */
};

struct lsoe_encap_list {
	uint16_t count;
	/* Encode: count entries. */
	const struct lsoe_encap *entries;
	/* Decode: the validated entries as on the wire; walk them with lsoe_encap_iter. */
	const uint8_t *wire;
	size_t wire_len;
};

struct lsoe_vendor {
	uint32_t enterprise;
	uint8_t ent_type;
	const uint8_t *data;
	uint16_t data_len;
};

struct lsoe_pdu {
	uint8_t type;                /* enum lsoe_pdu_type */
	uint16_t length;             /* set by decode and by encode */
	union {
		struct lsoe_open open;
		struct lsoe_ack ack;
		struct lsoe_encap_list encap;
		struct lsoe_vendor vendor;
	} u;
};

/* The nine defined types as a dense index 0..8 (VENDOR is 8), for per-type arrays. */
#define LSOE_PDU_TYPE_SLOTS 9u
static inline unsigned lsoe_pdu_type_slot(unsigned type) { return type == LSOE_PDU_VENDOR ? 8u : type; }

/* Name as used in JSON ("HELLO", "IPV4_ENCAP", ...), or NULL for an unknown type. */
const char *lsoe_pdu_type_name(unsigned type);
/* Parse a name (as above); returns -1 if unknown. */
int lsoe_pdu_type_from_name(const char *name);
/* True for types the draft requires to be acknowledged. */
bool lsoe_pdu_type_is_acked(unsigned type);
/* True for the four encapsulation types. */
static inline bool lsoe_pdu_type_is_encap(unsigned type)
{
	return type >= LSOE_PDU_IPV4_ENCAP && type <= LSOE_PDU_MPLS_IPV6_ENCAP;
}
/* Address length (4 or 16) of an encapsulation type. */
static inline unsigned lsoe_encap_addr_len(unsigned type)
{
	return (type == LSOE_PDU_IPV4_ENCAP || type == LSOE_PDU_MPLS_IPV4_ENCAP) ? 4u : 16u;
}
static inline bool lsoe_encap_is_mpls(unsigned type)
{
	return type == LSOE_PDU_MPLS_IPV4_ENCAP || type == LSOE_PDU_MPLS_IPV6_ENCAP;
}
/* Octets one entry occupies on the wire. */
static inline size_t lsoe_encap_entry_len(unsigned type, unsigned nlabels)
{
	return 2u + lsoe_encap_addr_len(type) + (lsoe_encap_is_mpls(type) ? 1u + LSOE_LABEL_LEN * nlabels : 0u);
}
const char *lsoe_etype_name(unsigned etype);

/* Decode and validate a complete PDU of exactly len octets. */
enum lsoe_err lsoe_pdu_decode(const uint8_t *buf, size_t len, struct lsoe_pdu *pdu);

/* Octets pdu will occupy when encoded, or 0 if it cannot be encoded. */
size_t lsoe_pdu_encoded_len(const struct lsoe_pdu *pdu);

/*
 * Encode pdu into out (cap octets); sets *out_len and pdu->length. Fields are
 * checked (prefix lengths, sizes); a decoded encapsulation PDU (entries == NULL)
 * is encoded from its wire entries.
 */
enum lsoe_err lsoe_pdu_encode(struct lsoe_pdu *pdu, uint8_t *out, size_t cap, size_t *out_len);

/* Iterate the entries of a decoded encapsulation PDU. */
struct lsoe_encap_iter {
	uint8_t type;
	const uint8_t *p;
	const uint8_t *end;
	uint16_t left;
};
void lsoe_encap_iter_init(struct lsoe_encap_iter *it, const struct lsoe_pdu *pdu);
/* Fills *e and returns true while entries remain. */
bool lsoe_encap_iter_next(struct lsoe_encap_iter *it, struct lsoe_encap *e);

/* Labels: 20-bit label, 3-bit traffic class (Exp), bottom-of-stack bit. */
static inline uint32_t lsoe_label_raw(const uint8_t *labels, unsigned i)
{
	const uint8_t *p = labels + (size_t)i * LSOE_LABEL_LEN;
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}
static inline uint32_t lsoe_label_value(const uint8_t *labels, unsigned i) { return lsoe_label_raw(labels, i) >> 4; }
static inline unsigned lsoe_label_tc(const uint8_t *labels, unsigned i) { return (lsoe_label_raw(labels, i) >> 1) & 7u; }
static inline bool lsoe_label_bos(const uint8_t *labels, unsigned i) { return lsoe_label_raw(labels, i) & 1u; }
static inline void lsoe_label_put(uint8_t *labels, unsigned i, uint32_t value, unsigned tc, bool bos)
{
	uint32_t raw = (value & 0xFFFFFu) << 4 | (tc & 7u) << 1 | (bos ? 1u : 0u);
	uint8_t *p = labels + (size_t)i * LSOE_LABEL_LEN;
	p[0] = (uint8_t)(raw >> 16);
	p[1] = (uint8_t)(raw >> 8);
	p[2] = (uint8_t)raw;
}

#endif
