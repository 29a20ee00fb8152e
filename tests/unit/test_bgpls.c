/*
 * BGP-LS export (core/bgpls.c, core/bgp_msg.c; lsoe/bgpls.h) against byte-exact vectors.
 *
 * Every expected octet string below was written by hand from the RFCs, field by field
 * (never copied from what the implementation produced), and each is commented:
 *   RFC 4271  BGP-4: header (4.1), OPEN (4.2), UPDATE (4.3), NOTIFICATION (4.5),
 *             KEEPALIVE (4.4), attribute flags and order (4.3, 5), errors (6.1-6.3)
 *   RFC 4760  MP_REACH_NLRI (14) and MP_UNREACH_NLRI (15) (3, 4); capability 1 (8)
 *   RFC 5492  the Capabilities optional parameter (type 2)
 *   RFC 6793  the 4-octet AS capability (65), AS_TRANS, AS4_PATH (17) (4.1, 4.2.2)
 *   RFC 2918  ROUTE-REFRESH (3)
 *   RFC 7606  error handling, which updates RFC 4271: MP_REACH_NLRI/MP_UNREACH_NLRI first
 *             among the attributes (5.1), which malformations reset the session (3, 7)
 *   RFC 7607  AS 0 (3); RFC 4724 End-of-RIB (2)
 *   RFC 9552  BGP-LS: AFI 16388, SAFI 71, the Link NLRI (5.2), node descriptor sub-TLVs
 *             512/513/515 (5.2.1.4), link descriptors 259-262 (5.2.2), the BGP-LS
 *             attribute 29 (5.3) and Router-ID TLVs 1028-1031 (5.3.2)
 *   RFC 9086  BGP Router-ID 516 (4.1) and Peer-Adjacency-SID 1102 (5)
 * Where a vector and the code disagree, the message shows the first differing octet.
 * Each message vector also checks itself first (its own length fields against its size),
 * so a slip in a vector is told apart from a fault in the code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lsoe/bgpls.h"
#include "lsoe/event.h"
#include "lsoe/node.h"
#include "lsoe/pdu.h"

#define MARKER                                                                                               \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

/* ------------------------------------------------------------------ helpers */

static void assert_bytes_eq(const char *what, const uint8_t *want, size_t want_len, const uint8_t *got,
    size_t got_len)
{
	size_t n = want_len < got_len ? want_len : got_len;
	for (size_t i = 0; i < n; i++) {
		if (want[i] != got[i])
			fail_msg("%s: octet %zu is 0x%02x, expected 0x%02x (lengths: got %zu, expected %zu)", what, i,
			    got[i], want[i], got_len, want_len);
	}
	if (want_len != got_len)
		fail_msg("%s: %zu octets, expected %zu (the first %zu agree)", what, got_len, want_len, n);
}

/* A vector of a whole BGP message: its marker and length field agree with its size. */
static void vector_is_message(const char *what, const uint8_t *v, size_t len, uint8_t type)
{
	for (int i = 0; i < 16; i++)
		if (v[i] != 0xff)
			fail_msg("vector %s: marker octet %d", what, i);
	if ((size_t)(v[16] << 8 | v[17]) != len)
		fail_msg("vector %s: length field %u, size %zu", what, (unsigned)(v[16] << 8 | v[17]), len);
	if (v[18] != type)
		fail_msg("vector %s: type %u", what, v[18]);
}

/*
 * A vector of an UPDATE: withdrawn length + attribute length + 23 <= message length, and
 * the path attributes tile the attribute length exactly.
 */
static void vector_is_update(const char *what, const uint8_t *v, size_t len)
{
	vector_is_message(what, v, len, 2);
	size_t wl = (size_t)(v[19] << 8 | v[20]);
	size_t al = (size_t)(v[21 + wl] << 8 | v[22 + wl]);
	if (23 + wl + al > len)
		fail_msg("vector %s: withdrawn %zu + attributes %zu + 23 > %zu", what, wl, al, len);
	size_t off = 23 + wl, end = off + al;
	while (off + 3 <= end) {
		size_t hdr = (v[off] & 0x10) ? 4 : 3;
		size_t vl = hdr == 4 ? (size_t)(v[off + 2] << 8 | v[off + 3]) : v[off + 2];
		off += hdr + vl;
	}
	if (off != end)
		fail_msg("vector %s: attributes end at %zu, not %zu", what, off, end);
}

/* A vector of a Link NLRI: its length field is its size less 4; the 256/257 TLVs fit. */
static void vector_is_nlri(const char *what, const uint8_t *v, size_t len)
{
	if (v[0] != 0 || v[1] != 2)
		fail_msg("vector %s: NLRI type", what);
	if ((size_t)(v[2] << 8 | v[3]) + 4 != len)
		fail_msg("vector %s: NLRI length field %u, size %zu", what, (unsigned)(v[2] << 8 | v[3]), len);
	/* TLVs after Protocol-ID and Identifier tile the rest exactly */
	size_t off = 4 + 1 + 8;
	while (off + 4 <= len)
		off += 4 + (size_t)(v[off + 2] << 8 | v[off + 3]);
	if (off != len)
		fail_msg("vector %s: TLVs end at %zu, size %zu", what, off, len);
}

/* A TLV sequence tiles exactly. */
static void vector_is_tlvs(const char *what, const uint8_t *v, size_t len)
{
	size_t off = 0;
	while (off + 4 <= len)
		off += 4 + (size_t)(v[off + 2] << 8 | v[off + 3]);
	if (off != len)
		fail_msg("vector %s: TLVs end at %zu, size %zu", what, off, len);
}

static const uint8_t OUR_BGP_ID[4] = { 192, 0, 2, 1 };

/* ------------------------------------------------------------------ node descriptors */

/* 00..00 || Router-ID 192.0.2.1: b[0..5] all zero */
static const uint8_t ID_RID[LSOE_LOCAL_ID_LEN] = { 0, 0, 0, 0, 0, 0, 192, 0, 2, 1 };
static const uint8_t DESC_RID[] = {
	0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, /* 512 Autonomous System, len 4: b[2..5] = 0 */
	0x02, 0x03, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01, /* 515 IGP Router-ID, len 4: b[6..9] (b[0..5] all 0) */
	0x02, 0x04, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01, /* 516 BGP Router-ID, len 4: b[6..9] */
};

/* 00 00 || ASN 4200000001 (0xfa56ea01) || Router-ID 192.0.2.2 */
static const uint8_t ID_ASN4[LSOE_LOCAL_ID_LEN] = { 0, 0, 0xfa, 0x56, 0xea, 0x01, 192, 0, 2, 2 };
static const uint8_t DESC_ASN4[] = {
	0x02, 0x00, 0x00, 0x04, 0xfa, 0x56, 0xea, 0x01, /* 512 AS, len 4: 4200000001 */
	0x02, 0x03, 0x00, 0x08,                         /* 515 IGP Router-ID, len 8: b[2..9] */
	0xfa, 0x56, 0xea, 0x01, 0xc0, 0x00, 0x02, 0x02,
	0x02, 0x04, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x02, /* 516 BGP Router-ID: 192.0.2.2 */
};

/* 00 00 || ASN 65001 (0x0000fde9) || Router-ID 10.0.0.1: b[4..5] not 0, so 515 is 8 octets */
static const uint8_t ID_ASN2[LSOE_LOCAL_ID_LEN] = { 0, 0, 0, 0, 0xfd, 0xe9, 10, 0, 0, 1 };
static const uint8_t DESC_ASN2[] = {
	0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0xfd, 0xe9, /* 512 AS: 65001 */
	0x02, 0x03, 0x00, 0x08,                         /* 515, len 8: b[2..9] */
	0x00, 0x00, 0xfd, 0xe9, 0x0a, 0x00, 0x00, 0x01,
	0x02, 0x04, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x01, /* 516: 10.0.0.1 */
};

/* An 80-bit System-ID style ID: top octets 49 00 not zero (does not "fit") */
static const uint8_t ID_SYS[LSOE_LOCAL_ID_LEN] = { 0x49, 0x00, 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t DESC_SYS[] = {
	0x02, 0x00, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04, /* 512 AS: b[2..5] */
	0x02, 0x01, 0x00, 0x04, 0x00, 0x00, 0x49, 0x00, /* 513 BGP-LS Identifier: 0, 0, b[0], b[1] */
	0x02, 0x03, 0x00, 0x08,                         /* 515, len 8: b[2..9] */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x02, 0x04, 0x00, 0x04, 0x05, 0x06, 0x07, 0x08, /* 516: b[6..9] */
};

/* Only b[1] set: 513 present; b[0..5] not all zero, so 515 is 8 octets */
static const uint8_t ID_B1[LSOE_LOCAL_ID_LEN] = { 0, 1, 0, 0, 0, 0, 10, 0, 0, 1 };
static const uint8_t DESC_B1[] = {
	0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, /* 512 AS: b[2..5] = 0 */
	0x02, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, /* 513: 0, 0, b[0] = 0, b[1] = 1 */
	0x02, 0x03, 0x00, 0x08,                         /* 515, len 8: b[2..9] */
	0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01,
	0x02, 0x04, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x01, /* 516: 10.0.0.1 */
};

static void check_desc(const char *what, const uint8_t id[LSOE_LOCAL_ID_LEN], const uint8_t *want, size_t want_len)
{
	vector_is_tlvs(what, want, want_len);
	uint8_t out[64];
	memset(out, 0xee, sizeof(out));
	size_t n = lsoe_bgpls_node_descriptor(id, out, sizeof(out));
	assert_bytes_eq(what, want, want_len, out, n);
	assert_true(n <= LSOE_BGPLS_NODE_DESC_MAX);
	assert_int_equal(out[n], 0xee); /* nothing written past the end */
	/* exactly enough room works; one octet short writes nothing useful and says 0 */
	uint8_t exact[LSOE_BGPLS_NODE_DESC_MAX];
	assert_int_equal(lsoe_bgpls_node_descriptor(id, exact, want_len), want_len);
	assert_memory_equal(exact, want, want_len);
	assert_int_equal(lsoe_bgpls_node_descriptor(id, exact, want_len - 1), 0);
	assert_int_equal(lsoe_bgpls_node_descriptor(id, exact, 0), 0);
}

static void test_node_descriptor_shapes(void **state)
{
	(void)state;
	check_desc("00..00||RouterID", ID_RID, DESC_RID, sizeof(DESC_RID));
	check_desc("00 00||ASN4||RouterID", ID_ASN4, DESC_ASN4, sizeof(DESC_ASN4));
	check_desc("00 00||ASN2||RouterID", ID_ASN2, DESC_ASN2, sizeof(DESC_ASN2));
	check_desc("system id (top octets set)", ID_SYS, DESC_SYS, sizeof(DESC_SYS));
	check_desc("only b[1] set", ID_B1, DESC_B1, sizeof(DESC_B1));
	assert_int_equal(sizeof(DESC_SYS), LSOE_BGPLS_NODE_DESC_MAX); /* the largest shape is the cap */
}

static void test_node_descriptor_distinct(void **state)
{
	(void)state;
	/* IDs that differ only in b[0] or b[1] still give different descriptors (via 513) */
	uint8_t a[LSOE_LOCAL_ID_LEN] = { 0, 0, 0, 0, 0, 0, 10, 0, 0, 1 };
	uint8_t b[LSOE_LOCAL_ID_LEN] = { 0, 1, 0, 0, 0, 0, 10, 0, 0, 1 };
	uint8_t c[LSOE_LOCAL_ID_LEN] = { 1, 0, 0, 0, 0, 0, 10, 0, 0, 1 };
	uint8_t da[64], db[64], dc[64];
	size_t na = lsoe_bgpls_node_descriptor(a, da, sizeof(da));
	size_t nb = lsoe_bgpls_node_descriptor(b, db, sizeof(db));
	size_t nc = lsoe_bgpls_node_descriptor(c, dc, sizeof(dc));
	assert_true(na && nb && nc);
	assert_false(na == nb && memcmp(da, db, na) == 0);
	assert_false(nb == nc && memcmp(db, dc, nb) == 0);
	assert_false(na == nc && memcmp(da, dc, na) == 0);
	/* and IDs that differ only in b[2..5] with b[0..5] otherwise 0 (4 vs 8 octet 515) */
	uint8_t d[LSOE_LOCAL_ID_LEN] = { 0, 0, 0, 0, 0, 1, 10, 0, 0, 1 };
	uint8_t dd[64];
	size_t nd = lsoe_bgpls_node_descriptor(d, dd, sizeof(dd));
	assert_false(na == nd && memcmp(da, dd, na) == 0);
}

static void test_id_fits(void **state)
{
	(void)state;
	assert_true(lsoe_bgpls_id_fits(ID_RID));
	assert_true(lsoe_bgpls_id_fits(ID_ASN4));
	assert_true(lsoe_bgpls_id_fits(ID_ASN2));
	assert_false(lsoe_bgpls_id_fits(ID_SYS));
	assert_false(lsoe_bgpls_id_fits(ID_B1));
	const uint8_t top0[LSOE_LOCAL_ID_LEN] = { 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	const uint8_t all1[LSOE_LOCAL_ID_LEN] = { 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	assert_false(lsoe_bgpls_id_fits(top0));
	assert_true(lsoe_bgpls_id_fits(all1));
}

/* ------------------------------------------------------------------ Link NLRI */

static const uint8_t ID_L[LSOE_LOCAL_ID_LEN] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a };
static const uint8_t ID_P[LSOE_LOCAL_ID_LEN] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b };

/* 192.0.2.1 (ours) -> 192.0.2.0 (peer's), IDs ...0a / ...0b, Protocol-ID 7, Identifier 0 */
static const uint8_t NLRI_V4[] = {
	0x00, 0x02,                                     /* NLRI Type 2: Link NLRI */
	0x00, 0x51,                                     /* Total NLRI Length 81 */
	0x07,                                           /* Protocol-ID 7: BGP (RFC 9086) */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* Identifier 0 */
	0x01, 0x00, 0x00, 0x18,                         /* 256 Local Node Descriptors, len 24 */
	0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, /*   512 AS 0 */
	0x02, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0a, /*   515 IGP Router-ID 0.0.0.10 */
	0x02, 0x04, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0a, /*   516 BGP Router-ID 0.0.0.10 */
	0x01, 0x01, 0x00, 0x18,                         /* 257 Remote Node Descriptors, len 24 */
	0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, /*   512 AS 0 */
	0x02, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0b, /*   515 0.0.0.11 */
	0x02, 0x04, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0b, /*   516 0.0.0.11 */
	0x01, 0x03, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01, /* 259 IPv4 interface address 192.0.2.1 */
	0x01, 0x04, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x00, /* 260 IPv4 neighbor address 192.0.2.0 */
};

/* Same IDs, 198.51.100.1 -> 198.51.100.2, Protocol-ID 4 (Direct), Identifier 0x0102030405060708 */
static const uint8_t NLRI_V4_PARAMS[] = {
	0x00, 0x02,                                     /* Link NLRI */
	0x00, 0x51,                                     /* length 81 */
	0x04,                                           /* Protocol-ID 4 */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* Identifier, big-endian */
	0x01, 0x00, 0x00, 0x18,                         /* 256, len 24 */
	0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0a,
	0x02, 0x04, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0a,
	0x01, 0x01, 0x00, 0x18,                         /* 257, len 24 */
	0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0b,
	0x02, 0x04, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0b,
	0x01, 0x03, 0x00, 0x04, 0xc6, 0x33, 0x64, 0x01, /* 259: 198.51.100.1 */
	0x01, 0x04, 0x00, 0x04, 0xc6, 0x33, 0x64, 0x02, /* 260: 198.51.100.2 */
};

/* Local ID_ASN4, peer ID_SYS, 2001:db8::1 -> 2001:db8::2, Protocol-ID 7, Identifier 0 */
static const uint8_t NLRI_V6[] = {
	0x00, 0x02,                                     /* Link NLRI */
	0x00, 0x79,                                     /* length 121 = 1 + 8 + 32 + 40 + 20 + 20 */
	0x07,                                           /* Protocol-ID BGP */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* Identifier 0 */
	0x01, 0x00, 0x00, 0x1c,                         /* 256, len 28 */
	0x02, 0x00, 0x00, 0x04, 0xfa, 0x56, 0xea, 0x01, /*   512 AS 4200000001 */
	0x02, 0x03, 0x00, 0x08,                         /*   515, len 8 */
	0xfa, 0x56, 0xea, 0x01, 0xc0, 0x00, 0x02, 0x02,
	0x02, 0x04, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x02, /*   516 192.0.2.2 */
	0x01, 0x01, 0x00, 0x24,                         /* 257, len 36 */
	0x02, 0x00, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04, /*   512 */
	0x02, 0x01, 0x00, 0x04, 0x00, 0x00, 0x49, 0x00, /*   513 */
	0x02, 0x03, 0x00, 0x08,                         /*   515, len 8 */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x02, 0x04, 0x00, 0x04, 0x05, 0x06, 0x07, 0x08, /*   516 */
	0x01, 0x05, 0x00, 0x10,                         /* 261 IPv6 interface address */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x01, 0x06, 0x00, 0x10,                         /* 262 IPv6 neighbor address */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
};

static const uint8_t V6_1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t V6_2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

static struct lsoe_bgpls_link link_v4(const uint8_t *lid, const uint8_t *pid, const uint8_t a[4], const uint8_t b[4])
{
	struct lsoe_bgpls_link l;
	memset(&l, 0, sizeof(l));
	memcpy(l.local_id, lid, LSOE_LOCAL_ID_LEN);
	memcpy(l.peer_id, pid, LSOE_LOCAL_ID_LEN);
	memcpy(l.local_addr, a, 4);
	memcpy(l.peer_addr, b, 4);
	return l;
}

static void check_nlri(const char *what, const struct lsoe_bgpls_params *p, const struct lsoe_bgpls_link *l,
    const uint8_t *want, size_t want_len)
{
	vector_is_nlri(what, want, want_len);
	uint8_t out[512];
	memset(out, 0xee, sizeof(out));
	size_t n = lsoe_bgpls_link_nlri(p, l, out, sizeof(out));
	assert_bytes_eq(what, want, want_len, out, n);
	assert_int_equal(out[n], 0xee);
	assert_int_equal(lsoe_bgpls_link_nlri(p, l, out, want_len), want_len);
	assert_int_equal(lsoe_bgpls_link_nlri(p, l, out, want_len - 1), 0);
}

static void test_link_nlri_v4(void **state)
{
	(void)state;
	const struct lsoe_bgpls_params p = { .protocol_id = LSOE_BGPLS_PROTO_BGP, .identifier = 0 };
	struct lsoe_bgpls_link l = link_v4(ID_L, ID_P, (const uint8_t[]){ 192, 0, 2, 1 }, (const uint8_t[]){ 192, 0, 2, 0 });
	check_nlri("IPv4 link NLRI", &p, &l, NLRI_V4, sizeof(NLRI_V4));
	/* the Router-IDs and labels belong in the attribute, never in the NLRI */
	l.local_rid.has_v4 = true;
	memcpy(l.local_rid.v4, (const uint8_t[]){ 10, 0, 0, 1 }, 4);
	l.label_count = 1;
	l.labels[0] = 24001;
	check_nlri("IPv4 link NLRI (rid, labels set)", &p, &l, NLRI_V4, sizeof(NLRI_V4));
}

static void test_link_nlri_params(void **state)
{
	(void)state;
	const struct lsoe_bgpls_params p = { .protocol_id = 4, .identifier = 0x0102030405060708ull };
	struct lsoe_bgpls_link l =
	    link_v4(ID_L, ID_P, (const uint8_t[]){ 198, 51, 100, 1 }, (const uint8_t[]){ 198, 51, 100, 2 });
	check_nlri("IPv4 link NLRI, protocol 4, identifier", &p, &l, NLRI_V4_PARAMS, sizeof(NLRI_V4_PARAMS));
}

static void test_link_nlri_v6(void **state)
{
	(void)state;
	const struct lsoe_bgpls_params p = { .protocol_id = LSOE_BGPLS_PROTO_BGP, .identifier = 0 };
	struct lsoe_bgpls_link l;
	memset(&l, 0, sizeof(l));
	memcpy(l.local_id, ID_ASN4, LSOE_LOCAL_ID_LEN);
	memcpy(l.peer_id, ID_SYS, LSOE_LOCAL_ID_LEN);
	l.ipv6 = true;
	memcpy(l.local_addr, V6_1, 16);
	memcpy(l.peer_addr, V6_2, 16);
	check_nlri("IPv6 link NLRI", &p, &l, NLRI_V6, sizeof(NLRI_V6));
}

/*
 * The largest Link NLRI the header allows: both IDs with non-zero top octets (36-octet
 * descriptors) and an IPv6 pair: 4 + 1 + 8 + (4 + 36) * 2 + 20 * 2 = 133 octets. A
 * buffer of LSOE_BGPLS_NLRI_MAX ("one Link NLRI with its type and length") must hold it.
 */
static void test_link_nlri_largest_fits_max(void **state)
{
	(void)state;
	const struct lsoe_bgpls_params p = { .protocol_id = LSOE_BGPLS_PROTO_BGP, .identifier = 0 };
	struct lsoe_bgpls_link l;
	memset(&l, 0, sizeof(l));
	memcpy(l.local_id, ID_SYS, LSOE_LOCAL_ID_LEN);
	memcpy(l.peer_id, ID_B1, LSOE_LOCAL_ID_LEN);
	l.ipv6 = true;
	memcpy(l.local_addr, V6_1, 16);
	memcpy(l.peer_addr, V6_2, 16);
	uint8_t big[512];
	size_t n = lsoe_bgpls_link_nlri(&p, &l, big, sizeof(big));
	assert_int_equal(n, 133);
	if (n > LSOE_BGPLS_NLRI_MAX)
		fail_msg("the largest Link NLRI is %zu octets, LSOE_BGPLS_NLRI_MAX is %u", n, LSOE_BGPLS_NLRI_MAX);
	uint8_t capped[LSOE_BGPLS_NLRI_MAX];
	assert_int_equal(lsoe_bgpls_link_nlri(&p, &l, capped, sizeof(capped)), n);
}

/* ------------------------------------------------------------------ BGP-LS attribute */

static const uint8_t RID_L4[4] = { 10, 0, 0, 1 }, RID_P4[4] = { 10, 0, 0, 2 };
static const uint8_t RID_L6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t RID_P6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

static const uint8_t ATTR_FULL[] = {
	0x04, 0x04, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x01, /* 1028 IPv4 Router-ID of Local Node 10.0.0.1 */
	0x04, 0x05, 0x00, 0x10,                         /* 1029 IPv6 Router-ID of Local Node */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x04, 0x06, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x02, /* 1030 IPv4 Router-ID of Remote Node 10.0.0.2 */
	0x04, 0x07, 0x00, 0x10,                         /* 1031 IPv6 Router-ID of Remote Node */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x04, 0x4e, 0x00, 0x07,                         /* 1102 Peer-Adjacency-SID, len 7 */
	0xc0,                                           /*   Flags: V (0x80) and L (0x40) */
	0x00,                                           /*   Weight 0 */
	0x00, 0x00,                                     /*   Reserved */
	0x00, 0x5d, 0xc1,                               /*   3-octet label, 20 low bits: 24001 */
	0x04, 0x4e, 0x00, 0x07, 0xc0, 0x00, 0x00, 0x00, /* 1102 again: V|L, weight 0, reserved */
	0x0f, 0xff, 0xff,                               /*   label 1048575 (the largest 20-bit value) */
};

/* Local IPv4 and remote IPv6 Router-IDs only, one label 16 */
static const uint8_t ATTR_MIXED[] = {
	0x04, 0x04, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x01, /* 1028 10.0.0.1 */
	0x04, 0x07, 0x00, 0x10,                         /* 1031 2001:db8:ff::2 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x04, 0x4e, 0x00, 0x07, 0xc0, 0x00, 0x00, 0x00, /* 1102 V|L */
	0x00, 0x00, 0x10,                               /*   label 16 */
};

/* Labels only */
static const uint8_t ATTR_LABELS[] = {
	0x04, 0x4e, 0x00, 0x07, 0xc0, 0x00, 0x00, 0x00, 0x01, 0x86, 0xa0, /* 1102 label 100000 (0x186a0) */
};

static void check_attr(const char *what, const struct lsoe_bgpls_link *l, const uint8_t *want, size_t want_len)
{
	vector_is_tlvs(what, want, want_len);
	uint8_t out[512];
	memset(out, 0xee, sizeof(out));
	size_t n = lsoe_bgpls_link_attr(l, out, sizeof(out));
	assert_bytes_eq(what, want, want_len, out, n);
	assert_int_equal(out[n], 0xee);
	assert_true(n <= LSOE_BGPLS_ATTR_MAX);
	assert_int_equal(lsoe_bgpls_link_attr(l, out, want_len), want_len);
	assert_int_equal(lsoe_bgpls_link_attr(l, out, want_len - 1), 0);
}

static void test_link_attr(void **state)
{
	(void)state;
	struct lsoe_bgpls_link l = link_v4(ID_L, ID_P, (const uint8_t[]){ 192, 0, 2, 1 }, (const uint8_t[]){ 192, 0, 2, 0 });
	/* nothing to say: 0 */
	uint8_t out[LSOE_BGPLS_ATTR_MAX];
	assert_int_equal(lsoe_bgpls_link_attr(&l, out, sizeof(out)), 0);

	l.local_rid.has_v4 = l.local_rid.has_v6 = l.peer_rid.has_v4 = l.peer_rid.has_v6 = true;
	memcpy(l.local_rid.v4, RID_L4, 4);
	memcpy(l.local_rid.v6, RID_L6, 16);
	memcpy(l.peer_rid.v4, RID_P4, 4);
	memcpy(l.peer_rid.v6, RID_P6, 16);
	l.label_count = 2;
	l.labels[0] = 24001;
	l.labels[1] = 0xFFFFF;
	check_attr("attr: four Router-IDs, two labels", &l, ATTR_FULL, sizeof(ATTR_FULL));

	struct lsoe_bgpls_link m = link_v4(ID_L, ID_P, (const uint8_t[]){ 192, 0, 2, 1 }, (const uint8_t[]){ 192, 0, 2, 0 });
	m.local_rid.has_v4 = true;
	memcpy(m.local_rid.v4, RID_L4, 4);
	memcpy(m.local_rid.v6, RID_L6, 16); /* has_v6 false: not sent */
	m.peer_rid.has_v6 = true;
	memcpy(m.peer_rid.v6, RID_P6, 16);
	m.label_count = 1;
	m.labels[0] = 16;
	check_attr("attr: local IPv4, remote IPv6, one label", &m, ATTR_MIXED, sizeof(ATTR_MIXED));

	struct lsoe_bgpls_link k = link_v4(ID_L, ID_P, (const uint8_t[]){ 192, 0, 2, 1 }, (const uint8_t[]){ 192, 0, 2, 0 });
	k.label_count = 1;
	k.labels[0] = 100000;
	check_attr("attr: one label only", &k, ATTR_LABELS, sizeof(ATTR_LABELS));
}

static void test_link_attr_largest(void **state)
{
	(void)state;
	/* four Router-IDs and LSOE_BGPLS_LABELS_MAX labels: 8 + 20 + 8 + 20 + 16 * 11 = 232 */
	struct lsoe_bgpls_link l = link_v4(ID_L, ID_P, (const uint8_t[]){ 192, 0, 2, 1 }, (const uint8_t[]){ 192, 0, 2, 0 });
	l.local_rid.has_v4 = l.local_rid.has_v6 = l.peer_rid.has_v4 = l.peer_rid.has_v6 = true;
	l.label_count = LSOE_BGPLS_LABELS_MAX;
	for (unsigned i = 0; i < LSOE_BGPLS_LABELS_MAX; i++)
		l.labels[i] = 1000 + i;
	uint8_t out[LSOE_BGPLS_ATTR_MAX];
	size_t n = lsoe_bgpls_link_attr(&l, out, sizeof(out));
	assert_int_equal(n, 56 + LSOE_BGPLS_LABELS_MAX * 11);
	vector_is_tlvs("largest attr", out, n);
	/* the labels are the last TLVs, in the order given */
	for (unsigned i = 0; i < LSOE_BGPLS_LABELS_MAX; i++) {
		const uint8_t *t = out + 56 + i * 11;
		assert_int_equal(t[0] << 8 | t[1], 1102);
		assert_int_equal((uint32_t)(t[8] << 16 | t[9] << 8 | t[10]), 1000 + i);
	}
}

/* ------------------------------------------------------------------ OPEN, KEEPALIVE, NOTIFICATION */

static const uint8_t OPEN_65001[] = {
	MARKER,
	0x00, 0x2b,             /* Length 43 = 19 + 10 + 14 */
	0x01,                   /* Type OPEN */
	0x04,                   /* Version 4 */
	0xfd, 0xe9,             /* My Autonomous System 65001 */
	0x00, 0x5a,             /* Hold Time 90 */
	0xc0, 0x00, 0x02, 0x01, /* BGP Identifier 192.0.2.1 */
	0x0e,                   /* Opt Parm Len 14 */
	0x02, 0x0c,             /* Parm Type 2 (Capabilities), Parm Length 12 */
	0x01, 0x04,             /*   Capability 1 (Multiprotocol), length 4 */
	0x40, 0x04, 0x00, 0x47, /*     AFI 16388, Reserved 0, SAFI 71 */
	0x41, 0x04,             /*   Capability 65 (4-octet AS), length 4 */
	0x00, 0x00, 0xfd, 0xe9, /*     AS 65001 */
};

static const uint8_t OPEN_AS4_SPF[] = {
	MARKER,
	0x00, 0x2b,             /* Length 43 */
	0x01,                   /* OPEN */
	0x04,                   /* Version 4 */
	0x5b, 0xa0,             /* My AS: AS_TRANS 23456 (4200000001 does not fit) */
	0x00, 0x00,             /* Hold Time 0 */
	0xc0, 0x00, 0x02, 0x01, /* BGP Identifier */
	0x0e,                   /* Opt Parm Len 14 */
	0x02, 0x0c,             /* Capabilities, 12 */
	0x01, 0x04, 0x40, 0x04, 0x00, 0x50, /* MP: AFI 16388, SAFI 80 (BGP-LS-SPF) */
	0x41, 0x04, 0xfa, 0x56, 0xea, 0x01, /* 4-octet AS 4200000001 */
};

static void test_open_encode(void **state)
{
	(void)state;
	vector_is_message("OPEN_65001", OPEN_65001, sizeof(OPEN_65001), 1);
	vector_is_message("OPEN_AS4_SPF", OPEN_AS4_SPF, sizeof(OPEN_AS4_SPF), 1);
	uint8_t out[256];
	struct lsoe_bgp_open_params p = { .local_as = 65001, .hold_time = 90, .router_id = { 192, 0, 2, 1 },
		.afi = LSOE_BGP_AFI_LS, .safi = LSOE_BGP_SAFI_LS };
	memset(out, 0xee, sizeof(out));
	size_t n = lsoe_bgp_open(&p, out, sizeof(out));
	assert_bytes_eq("OPEN AS 65001", OPEN_65001, sizeof(OPEN_65001), out, n);
	assert_int_equal(out[n], 0xee);
	assert_int_equal(lsoe_bgp_open(&p, out, sizeof(OPEN_65001)), sizeof(OPEN_65001));
	assert_int_equal(lsoe_bgp_open(&p, out, sizeof(OPEN_65001) - 1), 0);

	struct lsoe_bgp_open_params q = { .local_as = 4200000001u, .hold_time = 0, .router_id = { 192, 0, 2, 1 },
		.afi = LSOE_BGP_AFI_LS, .safi = LSOE_BGP_SAFI_SPF };
	n = lsoe_bgp_open(&q, out, sizeof(out));
	assert_bytes_eq("OPEN AS 4200000001 (AS_TRANS)", OPEN_AS4_SPF, sizeof(OPEN_AS4_SPF), out, n);

	/* the edge of the 2-octet field: 65535 fits, 65536 is AS_TRANS */
	q.local_as = 65535;
	n = lsoe_bgp_open(&q, out, sizeof(out));
	assert_int_equal(n, 43);
	assert_int_equal(out[20] << 8 | out[21], 65535);
	q.local_as = 65536;
	n = lsoe_bgp_open(&q, out, sizeof(out));
	assert_int_equal(n, 43);
	assert_int_equal(out[20] << 8 | out[21], LSOE_BGP_AS_TRANS);
	assert_memory_equal(out + 39, ((const uint8_t[]){ 0x00, 0x01, 0x00, 0x00 }), 4);
}

static const uint8_t KEEPALIVE[] = {
	MARKER,
	0x00, 0x13, /* Length 19 */
	0x04,       /* Type KEEPALIVE */
};

static const uint8_t NOTIF_CEASE_SHUTDOWN[] = {
	MARKER,
	0x00, 0x15, /* Length 21 */
	0x03,       /* NOTIFICATION */
	0x06,       /* Error code 6: Cease */
	0x02,       /* Subcode 2: Administrative Shutdown */
};

static const uint8_t NOTIF_BAD_LENGTH[] = {
	MARKER,
	0x00, 0x17, /* Length 23 */
	0x03,       /* NOTIFICATION */
	0x01,       /* Message Header Error */
	0x02,       /* Bad Message Length */
	0x00, 0x12, /* Data: the erroneous Length field, 18 */
};

static void test_keepalive_notification_encode(void **state)
{
	(void)state;
	vector_is_message("KEEPALIVE", KEEPALIVE, sizeof(KEEPALIVE), 4);
	vector_is_message("NOTIF_CEASE_SHUTDOWN", NOTIF_CEASE_SHUTDOWN, sizeof(NOTIF_CEASE_SHUTDOWN), 3);
	vector_is_message("NOTIF_BAD_LENGTH", NOTIF_BAD_LENGTH, sizeof(NOTIF_BAD_LENGTH), 3);
	uint8_t out[64];
	memset(out, 0xee, sizeof(out));
	size_t n = lsoe_bgp_keepalive(out, sizeof(out));
	assert_bytes_eq("KEEPALIVE", KEEPALIVE, sizeof(KEEPALIVE), out, n);
	assert_int_equal(out[n], 0xee);
	assert_int_equal(lsoe_bgp_keepalive(out, 19), 19);
	assert_int_equal(lsoe_bgp_keepalive(out, 18), 0);

	struct lsoe_bgp_error e = { .code = 6, .subcode = 2 };
	n = lsoe_bgp_notification(&e, out, sizeof(out));
	assert_bytes_eq("NOTIFICATION Cease/Administrative Shutdown", NOTIF_CEASE_SHUTDOWN, sizeof(NOTIF_CEASE_SHUTDOWN),
	    out, n);
	assert_int_equal(lsoe_bgp_notification(&e, out, 20), 0);

	struct lsoe_bgp_error f = { .code = 1, .subcode = 2, .data = { 0x00, 0x12 }, .data_len = 2, .why = "x" };
	n = lsoe_bgp_notification(&f, out, sizeof(out));
	assert_bytes_eq("NOTIFICATION Bad Message Length", NOTIF_BAD_LENGTH, sizeof(NOTIF_BAD_LENGTH), out, n);
	assert_int_equal(lsoe_bgp_notification(&f, out, 23), 23);
	assert_int_equal(lsoe_bgp_notification(&f, out, 22), 0);
}

/* ------------------------------------------------------------------ UPDATE encode */

/* The BGP-LS attribute value of the UPDATE vectors: 1028, 1030, one 1102. 27 octets. */
static const uint8_t UPD_ATTR[] = {
	0x04, 0x04, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x01, /* 1028 10.0.0.1 */
	0x04, 0x06, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x02, /* 1030 10.0.0.2 */
	0x04, 0x4e, 0x00, 0x07, 0xc0, 0x00, 0x00, 0x00, /* 1102 V|L, weight 0, reserved */
	0x00, 0x5d, 0xc1,                               /*   label 24001 */
};

#define NLRI_V4_BYTES                                                                                        \
	0x00, 0x02, 0x00, 0x51, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x18,    \
	    0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0a,      \
	    0x02, 0x04, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x01, 0x00, 0x18, 0x02, 0x00, 0x00, 0x04,      \
	    0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x04, 0x00, 0x04,      \
	    0x00, 0x00, 0x00, 0x0b, 0x01, 0x03, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01, 0x01, 0x04, 0x00, 0x04,      \
	    0xc0, 0x00, 0x02, 0x00 /* = NLRI_V4 (checked in test_update_vectors_agree) */

#define UPD_ATTR_BYTES                                                                                       \
	0x04, 0x04, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x01, 0x04, 0x06, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x02, 0x04,    \
	    0x4e, 0x00, 0x07, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x5d, 0xc1 /* = UPD_ATTR */

/*
 * Attribute order: RFC 7606 section 5.1 (which updates RFC 4271): "The MP_REACH_NLRI or
 * MP_UNREACH_NLRI attribute (if present) SHALL be encoded as the very first path
 * attribute in an UPDATE message", so that a receiver can still find the NLRI when a
 * later attribute is malformed. The others follow in ascending type order (RFC 4271
 * section 5, SHOULD). Flags: ORIGIN, AS_PATH and LOCAL_PREF are well-known (Optional 0,
 * Transitive 1: 0x40); MP_REACH_NLRI (RFC 4760 3) and BGP-LS (RFC 9552 5.3) optional
 * non-transitive (0x80); AS4_PATH optional transitive (0xc0, RFC 6793 3). The Extended
 * Length bit (0x10) only where the value exceeds 255 octets.
 */
static const uint8_t UPD_IBGP[] = {
	MARKER,
	0x00, 0xa4,             /* Length 164 = 19 + 2 + 2 + 141 */
	0x02,                   /* UPDATE */
	0x00, 0x00,             /* Withdrawn Routes Length 0 */
	0x00, 0x8d,             /* Total Path Attribute Length 141 = 97 + 4 + 3 + 7 + 30 */
	0x80, 0x0e, 0x5e,       /* MP_REACH_NLRI (first): optional non-transitive, len 94 = 9 + 85 */
	0x40, 0x04,             /*   AFI 16388 */
	0x47,                   /*   SAFI 71 */
	0x04,                   /*   Length of Next Hop 4 */
	0xc0, 0x00, 0x02, 0x01, /*   Next Hop 192.0.2.1 */
	0x00,                   /*   Reserved */
	NLRI_V4_BYTES,          /*   NLRI: the 85-octet IPv4 Link NLRI */
	0x40, 0x01, 0x01, 0x00, /* ORIGIN: well-known transitive, len 1, IGP */
	0x40, 0x02, 0x00,       /* AS_PATH: well-known transitive, len 0 (iBGP, originated here) */
	0x40, 0x05, 0x04,       /* LOCAL_PREF: well-known transitive, len 4 */
	0x00, 0x00, 0x00, 0x64, /*   100 */
	0x80, 0x1d, 0x1b,       /* BGP-LS attribute (29): optional non-transitive, len 27 */
	UPD_ATTR_BYTES,
};

static const uint8_t UPD_EBGP_AS4[] = {
	MARKER,
	0x00, 0xa3,             /* Length 163 = 19 + 4 + 140 */
	0x02,                   /* UPDATE */
	0x00, 0x00,             /* Withdrawn Routes Length 0 */
	0x00, 0x8c,             /* Total Path Attribute Length 140 = 97 + 4 + 9 + 30 */
	0x80, 0x0e, 0x5e,       /* MP_REACH_NLRI, len 94 */
	0x40, 0x04, 0x47, 0x04, 0xc0, 0x00, 0x02, 0x01, 0x00,
	NLRI_V4_BYTES,
	0x40, 0x01, 0x01, 0x00, /* ORIGIN IGP */
	0x40, 0x02, 0x06,       /* AS_PATH, len 6 */
	0x02, 0x01,             /*   AS_SEQUENCE of 1 AS */
	0xfa, 0x56, 0xea, 0x01, /*   4-octet AS 4200000001 (the peer speaks 4-octet AS) */
	                        /* no LOCAL_PREF to an external peer (RFC 4271 5.1.5) */
	0x80, 0x1d, 0x1b,       /* BGP-LS attribute, len 27 */
	UPD_ATTR_BYTES,
};

static const uint8_t UPD_EBGP_AS2_TRANS[] = {
	MARKER,
	0x00, 0xaa,             /* Length 170 = 19 + 4 + 147 */
	0x02,                   /* UPDATE */
	0x00, 0x00,             /* Withdrawn Routes Length 0 */
	0x00, 0x93,             /* Total Path Attribute Length 147 = 97 + 4 + 7 + 9 + 30 */
	0x80, 0x0e, 0x5e,       /* MP_REACH_NLRI (14), len 94 */
	0x40, 0x04, 0x47, 0x04, 0xc0, 0x00, 0x02, 0x01, 0x00,
	NLRI_V4_BYTES,
	0x40, 0x01, 0x01, 0x00, /* ORIGIN IGP */
	0x40, 0x02, 0x04,       /* AS_PATH, len 4 */
	0x02, 0x01,             /*   AS_SEQUENCE of 1 AS */
	0x5b, 0xa0,             /*   2-octet AS_TRANS 23456 (the peer is OLD, RFC 6793 4.2.2) */
	0xc0, 0x11, 0x06,       /* AS4_PATH (17): optional transitive, len 6 */
	0x02, 0x01,             /*   AS_SEQUENCE of 1 AS */
	0xfa, 0x56, 0xea, 0x01, /*   4200000001 */
	0x80, 0x1d, 0x1b,       /* BGP-LS attribute (29), len 27 */
	UPD_ATTR_BYTES,
};

static const uint8_t UPD_EBGP_AS2_MAPPABLE[] = {
	MARKER,
	0x00, 0xa1,             /* Length 161 = 19 + 4 + 138 */
	0x02,                   /* UPDATE */
	0x00, 0x00,             /* Withdrawn Routes Length 0 */
	0x00, 0x8a,             /* Total Path Attribute Length 138 = 97 + 4 + 7 + 30 */
	0x80, 0x0e, 0x5e,       /* MP_REACH_NLRI, len 94 */
	0x40, 0x04, 0x47, 0x04, 0xc0, 0x00, 0x02, 0x01, 0x00,
	NLRI_V4_BYTES,
	0x40, 0x01, 0x01, 0x00, /* ORIGIN IGP */
	0x40, 0x02, 0x04,       /* AS_PATH, len 4 */
	0x02, 0x01,             /*   AS_SEQUENCE of 1 AS */
	0xfd, 0xe9,             /*   2-octet 65001; no AS4_PATH: every AS is mappable (RFC 6793 4.2.2: */
	                        /*   "the NEW BGP speaker SHOULD NOT send the AS4_PATH attribute") */
	0x80, 0x1d, 0x1b,       /* BGP-LS attribute, len 27 */
	UPD_ATTR_BYTES,
};

/* iBGP, no BGP-LS attribute, three NLRIs: MP_REACH_NLRI is 9 + 255 = 264 octets, Extended Length */
static const uint8_t UPD_IBGP_3_HEAD[] = {
	MARKER,
	0x01, 0x31,             /* Length 305 = 19 + 4 + 282 */
	0x02,                   /* UPDATE */
	0x00, 0x00,             /* Withdrawn Routes Length 0 */
	0x01, 0x1a,             /* Total Path Attribute Length 282 = 268 + 4 + 3 + 7 */
	0x90, 0x0e,             /* MP_REACH_NLRI: optional (0x80) | Extended Length (0x10) */
	0x01, 0x08,             /*   2-octet length 264 */
	0x40, 0x04, 0x47,       /*   AFI 16388, SAFI 71 */
	0x04, 0xc0, 0x00, 0x02, 0x01, /* Next Hop: 4 octets, 192.0.2.1 */
	0x00,                   /*   Reserved */
	                        /*   then NLRI_V4 three times, then UPD_IBGP_3_TAIL */
};
static const uint8_t UPD_IBGP_3_TAIL[] = {
	0x40, 0x01, 0x01, 0x00, /* ORIGIN IGP */
	0x40, 0x02, 0x00,       /* AS_PATH empty */
	0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0x64, /* LOCAL_PREF 100 */
};

static const uint8_t NH_V4[4] = { 192, 0, 2, 1 };

static void check_update(const char *what, const struct lsoe_bgp_update_params *p, const uint8_t *nlris,
    size_t nlri_len, const uint8_t *attr, size_t attr_len, const uint8_t *want, size_t want_len)
{
	vector_is_update(what, want, want_len);
	static uint8_t out[LSOE_BGP_MSG_MAX + 64];
	memset(out, 0xee, sizeof(out));
	size_t n = lsoe_bgp_update_reach(p, nlris, nlri_len, attr, attr_len, out, sizeof(out));
	assert_bytes_eq(what, want, want_len, out, n);
	assert_int_equal(out[n], 0xee);
	assert_int_equal(lsoe_bgp_update_reach(p, nlris, nlri_len, attr, attr_len, out, want_len), want_len);
	assert_int_equal(lsoe_bgp_update_reach(p, nlris, nlri_len, attr, attr_len, out, want_len - 1), 0);
	/* what we send, we accept */
	size_t ml = 0;
	struct lsoe_bgp_error err;
	memset(&err, 0, sizeof(err));
	assert_int_equal(lsoe_bgp_frame(want, want_len, &ml, &err), 1);
	assert_int_equal(ml, want_len);
	if (!lsoe_bgp_parse_update(want, want_len, &err))
		fail_msg("%s: parse_update refuses it: %u/%u %s", what, err.code, err.subcode, err.why ? err.why : "");
}

static void test_update_vectors_agree(void **state)
{
	(void)state;
	/* the macros used inside the UPDATE vectors are the vectors checked above */
	const uint8_t n[] = { NLRI_V4_BYTES }, a[] = { UPD_ATTR_BYTES };
	assert_int_equal(sizeof(n), sizeof(NLRI_V4));
	assert_memory_equal(n, NLRI_V4, sizeof(n));
	assert_int_equal(sizeof(a), sizeof(UPD_ATTR));
	assert_memory_equal(a, UPD_ATTR, sizeof(a));
	vector_is_tlvs("UPD_ATTR", UPD_ATTR, sizeof(UPD_ATTR));
}

static void test_update_reach_ibgp(void **state)
{
	(void)state;
	struct lsoe_bgp_update_params p = { .afi = LSOE_BGP_AFI_LS, .safi = LSOE_BGP_SAFI_LS, .ebgp = false,
		.as4 = true, .local_as = 65001, .next_hop = NH_V4, .next_hop_len = 4 };
	check_update("UPDATE iBGP", &p, NLRI_V4, sizeof(NLRI_V4), UPD_ATTR, sizeof(UPD_ATTR), UPD_IBGP,
	    sizeof(UPD_IBGP));
	/* iBGP to an OLD peer: the path is empty, so still no AS4_PATH; same octets */
	p.as4 = false;
	p.local_as = 4200000001u;
	check_update("UPDATE iBGP, 2-octet peer", &p, NLRI_V4, sizeof(NLRI_V4), UPD_ATTR, sizeof(UPD_ATTR), UPD_IBGP,
	    sizeof(UPD_IBGP));
}

static void test_update_reach_ebgp(void **state)
{
	(void)state;
	struct lsoe_bgp_update_params p = { .afi = LSOE_BGP_AFI_LS, .safi = LSOE_BGP_SAFI_LS, .ebgp = true,
		.as4 = true, .local_as = 4200000001u, .next_hop = NH_V4, .next_hop_len = 4 };
	check_update("UPDATE eBGP, 4-octet peer", &p, NLRI_V4, sizeof(NLRI_V4), UPD_ATTR, sizeof(UPD_ATTR),
	    UPD_EBGP_AS4, sizeof(UPD_EBGP_AS4));
}

static void test_update_reach_ebgp_as2_trans(void **state)
{
	(void)state;
	struct lsoe_bgp_update_params p = { .afi = LSOE_BGP_AFI_LS, .safi = LSOE_BGP_SAFI_LS, .ebgp = true,
		.as4 = false, .local_as = 4200000001u, .next_hop = NH_V4, .next_hop_len = 4 };
	check_update("UPDATE eBGP, 2-octet peer, AS_TRANS + AS4_PATH", &p, NLRI_V4, sizeof(NLRI_V4), UPD_ATTR,
	    sizeof(UPD_ATTR), UPD_EBGP_AS2_TRANS, sizeof(UPD_EBGP_AS2_TRANS));
}

static void test_update_reach_ebgp_as2_mappable(void **state)
{
	(void)state;
	struct lsoe_bgp_update_params p = { .afi = LSOE_BGP_AFI_LS, .safi = LSOE_BGP_SAFI_LS, .ebgp = true,
		.as4 = false, .local_as = 65001, .next_hop = NH_V4, .next_hop_len = 4 };
	check_update("UPDATE eBGP, 2-octet peer, 2-octet AS", &p, NLRI_V4, sizeof(NLRI_V4), UPD_ATTR,
	    sizeof(UPD_ATTR), UPD_EBGP_AS2_MAPPABLE, sizeof(UPD_EBGP_AS2_MAPPABLE));
}

static void test_update_reach_extended_length(void **state)
{
	(void)state;
	uint8_t nlris[3 * sizeof(NLRI_V4)];
	uint8_t want[sizeof(UPD_IBGP_3_HEAD) + sizeof(nlris) + sizeof(UPD_IBGP_3_TAIL)];
	for (int i = 0; i < 3; i++)
		memcpy(nlris + i * sizeof(NLRI_V4), NLRI_V4, sizeof(NLRI_V4));
	memcpy(want, UPD_IBGP_3_HEAD, sizeof(UPD_IBGP_3_HEAD));
	memcpy(want + sizeof(UPD_IBGP_3_HEAD), nlris, sizeof(nlris));
	memcpy(want + sizeof(UPD_IBGP_3_HEAD) + sizeof(nlris), UPD_IBGP_3_TAIL, sizeof(UPD_IBGP_3_TAIL));
	struct lsoe_bgp_update_params p = { .afi = LSOE_BGP_AFI_LS, .safi = LSOE_BGP_SAFI_LS, .ebgp = false,
		.as4 = true, .local_as = 65001, .next_hop = NH_V4, .next_hop_len = 4 };
	check_update("UPDATE, MP_REACH_NLRI with Extended Length", &p, nlris, sizeof(nlris), NULL, 0, want,
	    sizeof(want));
}

static void test_update_reach_v6_next_hop(void **state)
{
	(void)state;
	/* a 16-octet next hop: only the MP_REACH_NLRI header changes */
	struct lsoe_bgp_update_params p = { .afi = LSOE_BGP_AFI_LS, .safi = LSOE_BGP_SAFI_SPF, .ebgp = false,
		.as4 = true, .local_as = 65001, .next_hop = V6_1, .next_hop_len = 16 };
	uint8_t out[512];
	size_t n = lsoe_bgp_update_reach(&p, NLRI_V4, sizeof(NLRI_V4), NULL, 0, out, sizeof(out));
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x92,             /* Length 146 = 19 + 4 + 123 */
		0x02,                   /* UPDATE */
		0x00, 0x00,             /* no withdrawn routes */
		0x00, 0x7b,             /* attributes 123 = (3 + 106) + 4 + 3 + 7 */
		0x80, 0x0e, 0x6a,       /* MP_REACH_NLRI (first), len 106 = 2 + 1 + 1 + 16 + 1 + 85 */
		0x40, 0x04, 0x50,       /*   AFI 16388, SAFI 80 */
		0x10,                   /*   Next Hop length 16 */
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00,                   /*   Reserved */
		NLRI_V4_BYTES,
		0x40, 0x01, 0x01, 0x00, /* ORIGIN IGP */
		0x40, 0x02, 0x00,       /* AS_PATH empty */
		0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0x64, /* LOCAL_PREF 100 */
	};
	vector_is_update("UPDATE v6 next hop", want, sizeof(want));
	assert_bytes_eq("UPDATE with a 16-octet next hop", want, sizeof(want), out, n);
}

static void test_update_reach_too_big(void **state)
{
	(void)state;
	/* 48 NLRIs of 85 octets: 4080 octets of NLRI cannot fit a 4096-octet message */
	static uint8_t nlris[48 * sizeof(NLRI_V4)], out[2 * LSOE_BGP_MSG_MAX];
	for (int i = 0; i < 48; i++)
		memcpy(nlris + i * sizeof(NLRI_V4), NLRI_V4, sizeof(NLRI_V4));
	struct lsoe_bgp_update_params p = { .afi = LSOE_BGP_AFI_LS, .safi = LSOE_BGP_SAFI_LS, .ebgp = false,
		.as4 = true, .local_as = 65001, .next_hop = NH_V4, .next_hop_len = 4 };
	assert_int_equal(lsoe_bgp_update_reach(&p, nlris, sizeof(nlris), NULL, 0, out, sizeof(out)), 0);
	/* 47 fit: 19 + 4 + 14 + 4 + 9 + 3995 = 4045 */
	size_t n = lsoe_bgp_update_reach(&p, nlris, 47 * sizeof(NLRI_V4), NULL, 0, out, sizeof(out));
	assert_int_equal(n, 4045);
	size_t ml;
	struct lsoe_bgp_error err;
	assert_int_equal(lsoe_bgp_frame(out, n, &ml, &err), 1);
	assert_true(lsoe_bgp_parse_update(out, n, &err));
}

/* ------------------------------------------------------------------ UPDATE withdraw */

/*
 * MP_UNREACH_NLRI always with the Extended Length bit and a 2-octet length: valid for
 * any length (RFC 4271 4.3: the bit says whether the length field is one or two
 * octets), and what LSOE_BGP_UNREACH_NLRI_MAX counts on (its "- 4" is a 4-octet
 * attribute header).
 */
static const uint8_t UPD_UNREACH[] = {
	MARKER,
	0x00, 0x73,             /* Length 115 = 19 + 4 + 92 */
	0x02,                   /* UPDATE */
	0x00, 0x00,             /* Withdrawn Routes Length 0 (not IPv4 unicast routes) */
	0x00, 0x5c,             /* Total Path Attribute Length 92 */
	0x90, 0x0f,             /* MP_UNREACH_NLRI (15): optional non-transitive, Extended Length */
	0x00, 0x58,             /*   len 88 = 3 + 85 */
	0x40, 0x04,             /*   AFI 16388 */
	0x47,                   /*   SAFI 71 */
	NLRI_V4_BYTES,          /*   Withdrawn Routes: the Link NLRI */
};

/* End-of-RIB for AFI 16388 / SAFI 71 (RFC 4724 2): MP_UNREACH_NLRI with AFI and SAFI only */
static const uint8_t UPD_EOR_LS[] = {
	MARKER,
	0x00, 0x1e,             /* Length 30 */
	0x02,                   /* UPDATE */
	0x00, 0x00,             /* no withdrawn routes */
	0x00, 0x07,             /* attributes 7 */
	0x90, 0x0f, 0x00, 0x03, /* MP_UNREACH_NLRI, Extended Length, len 3 */
	0x40, 0x04, 0x47,       /*   AFI 16388, SAFI 71, nothing withdrawn */
};

static void test_update_unreach(void **state)
{
	(void)state;
	vector_is_update("UPD_UNREACH", UPD_UNREACH, sizeof(UPD_UNREACH));
	uint8_t out[LSOE_BGP_MSG_MAX + 16];
	memset(out, 0xee, sizeof(out));
	size_t n = lsoe_bgp_update_unreach(LSOE_BGP_AFI_LS, LSOE_BGP_SAFI_LS, NLRI_V4, sizeof(NLRI_V4), out, sizeof(out));
	assert_bytes_eq("UPDATE MP_UNREACH_NLRI", UPD_UNREACH, sizeof(UPD_UNREACH), out, n);
	assert_int_equal(out[n], 0xee);
	assert_int_equal(lsoe_bgp_update_unreach(LSOE_BGP_AFI_LS, LSOE_BGP_SAFI_LS, NLRI_V4, sizeof(NLRI_V4), out,
			     sizeof(UPD_UNREACH) - 1),
	    0);
	size_t ml;
	struct lsoe_bgp_error err;
	assert_int_equal(lsoe_bgp_frame(UPD_UNREACH, sizeof(UPD_UNREACH), &ml, &err), 1);
	assert_true(lsoe_bgp_parse_update(UPD_UNREACH, sizeof(UPD_UNREACH), &err));
}

static void test_update_unreach_max(void **state)
{
	(void)state;
	/* LSOE_BGP_UNREACH_NLRI_MAX octets fill a 4096-octet message exactly (Extended Length) */
	static uint8_t nlris[LSOE_BGP_UNREACH_NLRI_MAX + 1], out[LSOE_BGP_MSG_MAX + 16];
	memset(nlris, 0x5a, sizeof(nlris));
	size_t n = lsoe_bgp_update_unreach(LSOE_BGP_AFI_LS, LSOE_BGP_SAFI_LS, nlris, LSOE_BGP_UNREACH_NLRI_MAX, out,
	    sizeof(out));
	assert_int_equal(n, LSOE_BGP_MSG_MAX);
	static const uint8_t head[] = {
		MARKER,
		0x10, 0x00,             /* Length 4096 */
		0x02,                   /* UPDATE */
		0x00, 0x00,             /* no withdrawn routes */
		0x0f, 0xe9,             /* attributes 4073 = 4 + 4069 */
		0x90, 0x0f, 0x0f, 0xe5, /* MP_UNREACH_NLRI, Extended Length, len 4069 = 3 + 4066 */
		0x40, 0x04, 0x47,       /* AFI 16388, SAFI 71 */
	};
	assert_bytes_eq("largest MP_UNREACH UPDATE header", head, sizeof(head), out, sizeof(head));
	assert_int_equal(lsoe_bgp_update_unreach(LSOE_BGP_AFI_LS, LSOE_BGP_SAFI_LS, nlris,
			     LSOE_BGP_UNREACH_NLRI_MAX + 1, out, sizeof(out)),
	    0);
}

static void test_update_end_of_rib(void **state)
{
	(void)state;
	vector_is_update("UPD_EOR_LS", UPD_EOR_LS, sizeof(UPD_EOR_LS));
	uint8_t out[64];
	size_t n = lsoe_bgp_update_unreach(LSOE_BGP_AFI_LS, LSOE_BGP_SAFI_LS, NULL, 0, out, sizeof(out));
	assert_bytes_eq("End-of-RIB (RFC 4724)", UPD_EOR_LS, sizeof(UPD_EOR_LS), out, n);
	struct lsoe_bgp_error err;
	assert_true(lsoe_bgp_parse_update(UPD_EOR_LS, sizeof(UPD_EOR_LS), &err));
}

/* ------------------------------------------------------------------ framing */

static void expect_frame_error(const char *what, const uint8_t *buf, size_t len, uint8_t sub, const uint8_t *data,
    uint8_t data_len)
{
	size_t ml = 12345;
	struct lsoe_bgp_error err;
	memset(&err, 0, sizeof(err));
	int r = lsoe_bgp_frame(buf, len, &ml, &err);
	if (r != -1)
		fail_msg("%s: lsoe_bgp_frame returned %d, expected -1", what, r);
	if (err.code != LSOE_BGP_ERR_HEADER || err.subcode != sub)
		fail_msg("%s: error %u/%u, expected 1/%u", what, err.code, err.subcode, sub);
	assert_bytes_eq(what, data, data_len, err.data, err.data_len);
}

static void test_frame(void **state)
{
	(void)state;
	uint8_t buf[256];
	size_t ml = 0;
	struct lsoe_bgp_error err;

	/* partial: every prefix of a KEEPALIVE is "more needed" */
	for (size_t k = 0; k < sizeof(KEEPALIVE); k++)
		assert_int_equal(lsoe_bgp_frame(KEEPALIVE, k, &ml, &err), 0);
	/* exact */
	assert_int_equal(lsoe_bgp_frame(KEEPALIVE, sizeof(KEEPALIVE), &ml, &err), 1);
	assert_int_equal(ml, 19);
	/* a whole header but not the whole OPEN: more needed */
	for (size_t k = 19; k < sizeof(OPEN_65001); k++)
		assert_int_equal(lsoe_bgp_frame(OPEN_65001, k, &ml, &err), 0);
	/* more than one message: the first one's length */
	memcpy(buf, OPEN_65001, sizeof(OPEN_65001));
	memcpy(buf + sizeof(OPEN_65001), KEEPALIVE, 10);
	ml = 0;
	assert_int_equal(lsoe_bgp_frame(buf, sizeof(OPEN_65001) + 10, &ml, &err), 1);
	assert_int_equal(ml, sizeof(OPEN_65001));

	/* bad marker: 1/1, no data */
	memcpy(buf, KEEPALIVE, 19);
	buf[7] = 0xfe;
	expect_frame_error("bad marker", buf, 19, 1, NULL, 0);
	memcpy(buf, KEEPALIVE, 19);
	buf[0] = 0x00;
	expect_frame_error("bad marker (first octet)", buf, 19, 1, NULL, 0);

	/* bad lengths: 1/2, the Length field as data (RFC 4271 6.1) */
	static const uint8_t len18[] = { MARKER, 0x00, 0x12, 0x04 };
	expect_frame_error("length 18", len18, sizeof(len18), 2, (const uint8_t[]){ 0x00, 0x12 }, 2);
	static const uint8_t len0[] = { MARKER, 0x00, 0x00, 0x02 };
	expect_frame_error("length 0", len0, sizeof(len0), 2, (const uint8_t[]){ 0x00, 0x00 }, 2);
	static const uint8_t len4097[] = { MARKER, 0x10, 0x01, 0x02 };
	expect_frame_error("length 4097", len4097, sizeof(len4097), 2, (const uint8_t[]){ 0x10, 0x01 }, 2);
	static const uint8_t ka20[] = { MARKER, 0x00, 0x14, 0x04, 0x00 };
	expect_frame_error("KEEPALIVE of 20", ka20, sizeof(ka20), 2, (const uint8_t[]){ 0x00, 0x14 }, 2);
	static const uint8_t open28[] = { MARKER, 0x00, 0x1c, 0x01, 4, 0xfd, 0xe9, 0, 90, 192, 0, 2, 2 };
	expect_frame_error("OPEN of 28", open28, sizeof(open28), 2, (const uint8_t[]){ 0x00, 0x1c }, 2);
	static const uint8_t upd22[] = { MARKER, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00 };
	expect_frame_error("UPDATE of 22", upd22, sizeof(upd22), 2, (const uint8_t[]){ 0x00, 0x16 }, 2);
	static const uint8_t notif20[] = { MARKER, 0x00, 0x14, 0x03, 0x06 };
	expect_frame_error("NOTIFICATION of 20", notif20, sizeof(notif20), 2, (const uint8_t[]){ 0x00, 0x14 }, 2);
	/* a bad length is seen from the header alone */
	expect_frame_error("length 4097, header only", len4097, 19, 2, (const uint8_t[]){ 0x10, 0x01 }, 2);

	/* bad type: 1/3, the Type field as data */
	static const uint8_t type6[] = { MARKER, 0x00, 0x13, 0x06 };
	expect_frame_error("type 6", type6, sizeof(type6), 3, (const uint8_t[]){ 0x06 }, 1);
	static const uint8_t type0[] = { MARKER, 0x00, 0x13, 0x00 };
	expect_frame_error("type 0", type0, sizeof(type0), 3, (const uint8_t[]){ 0x00 }, 1);
	static const uint8_t type255[] = { MARKER, 0x00, 0x17, 0xff, 0, 0, 0, 0 };
	expect_frame_error("type 255", type255, sizeof(type255), 3, (const uint8_t[]){ 0xff }, 1);

	/* the largest message is fine */
	static uint8_t big[LSOE_BGP_MSG_MAX];
	memset(big, 0, sizeof(big));
	memset(big, 0xff, 16);
	big[16] = 0x10;
	big[17] = 0x00;
	big[18] = 2;
	assert_int_equal(lsoe_bgp_frame(big, sizeof(big), &ml, &err), 1);
	assert_int_equal(ml, 4096);
}

/* ------------------------------------------------------------------ OPEN parse */

/* A GoBGP-like OPEN: all capabilities in one Capabilities parameter. */
static const uint8_t OPEN_GOBGP[] = {
	MARKER,
	0x00, 0x40,             /* Length 64 = 19 + 10 + 35 */
	0x01,                   /* OPEN */
	0x04,                   /* Version 4 */
	0xfd, 0xea,             /* My AS 65002 */
	0x00, 0x5a,             /* Hold Time 90 */
	0xc0, 0x00, 0x02, 0x02, /* BGP Identifier 192.0.2.2 */
	0x23,                   /* Opt Parm Len 35 */
	0x02, 0x21,             /* Capabilities, Parm Length 33 */
	0x02, 0x00,             /*   2 Route Refresh, len 0 */
	0x01, 0x04, 0x00, 0x01, 0x00, 0x01, /* 1 MP: IPv4 unicast */
	0x01, 0x04, 0x40, 0x04, 0x00, 0x47, /* 1 MP: BGP-LS (16388/71) */
	0x41, 0x04, 0x00, 0x00, 0xfd, 0xea, /* 65 4-octet AS 65002 */
	0x40, 0x02, 0x00, 0x78, /*   64 Graceful Restart, len 2: restart time 120 (not ours: ignored) */
	0x49, 0x07,             /*   73 FQDN, len 7 (not ours: ignored) */
	0x05, 'g', 'o', 'b', 'g', 'p', /* hostname "gobgp" */
	0x00,                   /*     no domain */
};

/* One capability per Capabilities parameter (as some speakers send them) */
static const uint8_t OPEN_SPLIT[] = {
	MARKER,
	0x00, 0x31,             /* Length 49 = 19 + 10 + 20 */
	0x01,                   /* OPEN */
	0x04,                   /* Version 4 */
	0xfd, 0xea,             /* My AS 65002 */
	0x00, 0x03,             /* Hold Time 3, the least allowed but 0 */
	0xc0, 0x00, 0x02, 0x02, /* BGP Identifier */
	0x14,                   /* Opt Parm Len 20 */
	0x02, 0x06, 0x01, 0x04, 0x40, 0x04, 0x00, 0x47, /* Capabilities: MP BGP-LS */
	0x02, 0x06, 0x41, 0x04, 0x00, 0x00, 0xfd, 0xea, /* Capabilities: 4-octet AS 65002 */
	0x02, 0x02, 0x02, 0x00,                         /* Capabilities: Route Refresh */
};

/* An OPEN with no optional parameters at all (an OLD speaker of RFC 4271 alone) */
static const uint8_t OPEN_PLAIN[] = {
	MARKER,
	0x00, 0x1d,             /* Length 29 */
	0x01,                   /* OPEN */
	0x04,                   /* Version 4 */
	0xfd, 0xea,             /* My AS 65002 */
	0x00, 0x00,             /* Hold Time 0 */
	0xc0, 0x00, 0x02, 0x02, /* BGP Identifier */
	0x00,                   /* Opt Parm Len 0 */
};

/* Only IPv4 unicast offered; a 4-octet AS 4200000002 behind AS_TRANS */
static const uint8_t OPEN_NO_LS[] = {
	MARKER,
	0x00, 0x2b,             /* Length 43 */
	0x01, 0x04,             /* OPEN, Version 4 */
	0x5b, 0xa0,             /* My AS AS_TRANS */
	0x00, 0xb4,             /* Hold Time 180 */
	0x0a, 0x00, 0x00, 0x02, /* BGP Identifier 10.0.0.2 */
	0x0e,                   /* Opt Parm Len 14 */
	0x02, 0x0c,             /* Capabilities, 12 */
	0x01, 0x04, 0x00, 0x01, 0x00, 0x01, /* MP IPv4 unicast */
	0x41, 0x04, 0xfa, 0x56, 0xea, 0x02, /* 4-octet AS 4200000002 */
};

static bool parse_open(const uint8_t *m, size_t len, uint32_t expect_as, uint8_t safi, struct lsoe_bgp_open_info *info,
    struct lsoe_bgp_error *err)
{
	memset(info, 0xa5, sizeof(*info));
	memset(err, 0, sizeof(*err));
	return lsoe_bgp_parse_open(m, len, expect_as, OUR_BGP_ID, LSOE_BGP_AFI_LS, safi, info, err);
}

static void test_parse_open_good(void **state)
{
	(void)state;
	vector_is_message("OPEN_GOBGP", OPEN_GOBGP, sizeof(OPEN_GOBGP), 1);
	vector_is_message("OPEN_SPLIT", OPEN_SPLIT, sizeof(OPEN_SPLIT), 1);
	vector_is_message("OPEN_PLAIN", OPEN_PLAIN, sizeof(OPEN_PLAIN), 1);
	vector_is_message("OPEN_NO_LS", OPEN_NO_LS, sizeof(OPEN_NO_LS), 1);
	struct lsoe_bgp_open_info info;
	struct lsoe_bgp_error err;

	if (!parse_open(OPEN_GOBGP, sizeof(OPEN_GOBGP), 65002, LSOE_BGP_SAFI_LS, &info, &err))
		fail_msg("GoBGP OPEN refused: %u/%u %s", err.code, err.subcode, err.why ? err.why : "");
	assert_int_equal(info.version, 4);
	assert_int_equal(info.peer_as, 65002);
	assert_int_equal(info.hold_time, 90);
	assert_memory_equal(info.router_id, ((const uint8_t[]){ 192, 0, 2, 2 }), 4);
	assert_true(info.as4);
	assert_true(info.route_refresh);
	assert_true(info.family);
	assert_int_equal(info.mp_count, 2);
	/* any AS */
	assert_true(parse_open(OPEN_GOBGP, sizeof(OPEN_GOBGP), 0, LSOE_BGP_SAFI_LS, &info, &err));
	assert_int_equal(info.peer_as, 65002);
	/* not the SPF family: ok, family false */
	assert_true(parse_open(OPEN_GOBGP, sizeof(OPEN_GOBGP), 65002, LSOE_BGP_SAFI_SPF, &info, &err));
	assert_false(info.family);
	assert_int_equal(info.mp_count, 2);

	assert_true(parse_open(OPEN_SPLIT, sizeof(OPEN_SPLIT), 65002, LSOE_BGP_SAFI_LS, &info, &err));
	assert_int_equal(info.peer_as, 65002);
	assert_int_equal(info.hold_time, 3);
	assert_true(info.as4);
	assert_true(info.route_refresh);
	assert_true(info.family);
	assert_int_equal(info.mp_count, 1);

	assert_true(parse_open(OPEN_PLAIN, sizeof(OPEN_PLAIN), 65002, LSOE_BGP_SAFI_LS, &info, &err));
	assert_int_equal(info.peer_as, 65002);
	assert_int_equal(info.hold_time, 0);
	assert_false(info.as4);
	assert_false(info.route_refresh);
	assert_false(info.family);
	assert_int_equal(info.mp_count, 0);
}

static void test_parse_open_missing_family(void **state)
{
	(void)state;
	struct lsoe_bgp_open_info info;
	struct lsoe_bgp_error err;
	if (!parse_open(OPEN_NO_LS, sizeof(OPEN_NO_LS), 4200000002u, LSOE_BGP_SAFI_LS, &info, &err))
		fail_msg("OPEN without our family refused: %u/%u", err.code, err.subcode);
	assert_false(info.family);
	assert_int_equal(info.mp_count, 1);
	assert_true(info.as4);
	assert_int_equal(info.peer_as, 4200000002u); /* from the capability, not My AS (RFC 6793 4.1) */
	assert_int_equal(info.hold_time, 180);
	assert_false(info.route_refresh);
	/* AS_TRANS is not the peer's AS */
	assert_false(parse_open(OPEN_NO_LS, sizeof(OPEN_NO_LS), LSOE_BGP_AS_TRANS, LSOE_BGP_SAFI_LS, &info, &err));
	assert_int_equal(err.code, 2);
	assert_int_equal(err.subcode, 2);
}

/* A copy of OPEN_GOBGP with one octet changed. */
static void open_with(uint8_t *m, size_t off, uint8_t v)
{
	memcpy(m, OPEN_GOBGP, sizeof(OPEN_GOBGP));
	m[off] = v;
}

static void expect_open_error(const char *what, const uint8_t *m, size_t len, uint32_t expect_as, uint8_t sub,
    const uint8_t *data, uint8_t data_len)
{
	struct lsoe_bgp_open_info info;
	struct lsoe_bgp_error err;
	if (parse_open(m, len, expect_as, LSOE_BGP_SAFI_LS, &info, &err))
		fail_msg("%s: accepted", what);
	if (err.code != LSOE_BGP_ERR_OPEN || err.subcode != sub)
		fail_msg("%s: error %u/%u, expected 2/%u", what, err.code, err.subcode, sub);
	if (data)
		assert_bytes_eq(what, data, data_len, err.data, err.data_len);
}

static void test_parse_open_errors(void **state)
{
	(void)state;
	uint8_t m[sizeof(OPEN_GOBGP)];

	/* version 3: 2/1, data the 2-octet version we support (RFC 4271 6.2) */
	open_with(m, 19, 3);
	expect_open_error("version 3", m, sizeof(m), 65002, 1, (const uint8_t[]){ 0x00, 0x04 }, 2);
	open_with(m, 19, 5);
	expect_open_error("version 5", m, sizeof(m), 65002, 1, (const uint8_t[]){ 0x00, 0x04 }, 2);

	/* bad peer AS: 2/2 (the 4-octet capability says 65002) */
	expect_open_error("peer AS 65002, expected 65001", OPEN_GOBGP, sizeof(OPEN_GOBGP), 65001, 2, NULL, 0);
	expect_open_error("peer AS 65002 (no capability), expected 65001", OPEN_PLAIN, sizeof(OPEN_PLAIN), 65001, 2,
	    NULL, 0);

	/* hold time 1 and 2: 2/6 */
	open_with(m, 23, 1);
	m[22] = 0;
	expect_open_error("hold time 1", m, sizeof(m), 65002, 6, NULL, 0);
	open_with(m, 23, 2);
	m[22] = 0;
	expect_open_error("hold time 2", m, sizeof(m), 65002, 6, NULL, 0);

	/* BGP Identifier 0, or ours: 2/3 */
	memcpy(m, OPEN_GOBGP, sizeof(m));
	memset(m + 24, 0, 4);
	expect_open_error("BGP Identifier 0", m, sizeof(m), 65002, 3, NULL, 0);
	memcpy(m, OPEN_GOBGP, sizeof(m));
	memcpy(m + 24, OUR_BGP_ID, 4);
	expect_open_error("BGP Identifier ours", m, sizeof(m), 65002, 3, NULL, 0);

	/* an optional parameter of an unknown type (1, the deprecated Authentication): 2/4 */
	static const uint8_t auth[] = {
		MARKER, 0x00, 0x21, 0x01, /* Length 33 */
		0x04, 0xfd, 0xea, 0x00, 0x5a, 0xc0, 0x00, 0x02, 0x02,
		0x04,                     /* Opt Parm Len 4 */
		0x01, 0x02, 0x00, 0x00,   /* Parm Type 1, length 2 */
	};
	vector_is_message("auth", auth, sizeof(auth), 1);
	expect_open_error("optional parameter type 1", auth, sizeof(auth), 65002, 4, NULL, 0);
}

/* RFC 7607 3: zero as the peer AS, in My AS or in the 4-octet AS capability, is Bad Peer AS (2/2). */
static void test_parse_open_as0(void **state)
{
	(void)state;
	uint8_t m[sizeof(OPEN_NO_LS)];
	memcpy(m, OPEN_PLAIN, sizeof(OPEN_PLAIN));
	m[20] = m[21] = 0;                                  /* My AS 0, no capability */
	expect_open_error("My AS 0, any AS expected", m, sizeof(OPEN_PLAIN), 0, 2, NULL, 0);
	memcpy(m, OPEN_NO_LS, sizeof(OPEN_NO_LS));
	memset(m + 39, 0, 4);                               /* 4-octet AS capability: AS 0 */
	expect_open_error("4-octet AS 0, any AS expected", m, sizeof(OPEN_NO_LS), 0, 2, NULL, 0);
}

static void test_parse_open_malformed(void **state)
{
	(void)state;
	struct lsoe_bgp_open_info info;
	struct lsoe_bgp_error err;

	/* the parameter runs past Opt Parm Len (parameter says 12, only 10 left) */
	static const uint8_t trunc_param[] = {
		MARKER, 0x00, 0x29, 0x01, /* Length 41 */
		0x04, 0xfd, 0xea, 0x00, 0x5a, 0xc0, 0x00, 0x02, 0x02,
		0x0c,                     /* Opt Parm Len 12 */
		0x02, 0x0c,               /* Capabilities, Parm Length 12: needs 14 */
		0x01, 0x04, 0x40, 0x04, 0x00, 0x47, 0x41, 0x04, 0x00, 0x00,
	};
	vector_is_message("trunc_param", trunc_param, sizeof(trunc_param), 1);
	assert_false(parse_open(trunc_param, sizeof(trunc_param), 65002, LSOE_BGP_SAFI_LS, &info, &err));
	assert_int_equal(err.code, LSOE_BGP_ERR_OPEN);

	/* Opt Parm Len runs past the message */
	static const uint8_t trunc_opl[] = {
		MARKER, 0x00, 0x23, 0x01, /* Length 35 */
		0x04, 0xfd, 0xea, 0x00, 0x5a, 0xc0, 0x00, 0x02, 0x02,
		0x0e,                     /* Opt Parm Len 14, only 6 follow */
		0x02, 0x04, 0x02, 0x00, 0x02, 0x00,
	};
	vector_is_message("trunc_opl", trunc_opl, sizeof(trunc_opl), 1);
	assert_false(parse_open(trunc_opl, sizeof(trunc_opl), 65002, LSOE_BGP_SAFI_LS, &info, &err));
	assert_int_equal(err.code, LSOE_BGP_ERR_OPEN);

	/* Opt Parm Len shorter than what follows (trailing octets) */
	static const uint8_t trailing[] = {
		MARKER, 0x00, 0x23, 0x01, /* Length 35 */
		0x04, 0xfd, 0xea, 0x00, 0x5a, 0xc0, 0x00, 0x02, 0x02,
		0x02,                     /* Opt Parm Len 2, 6 follow */
		0x02, 0x00, 0x02, 0x02, 0x02, 0x00,
	};
	assert_false(parse_open(trailing, sizeof(trailing), 65002, LSOE_BGP_SAFI_LS, &info, &err));
	assert_int_equal(err.code, LSOE_BGP_ERR_OPEN);

	/* a capability runs past its parameter */
	static const uint8_t trunc_cap[] = {
		MARKER, 0x00, 0x25, 0x01, /* Length 37 */
		0x04, 0xfd, 0xea, 0x00, 0x5a, 0xc0, 0x00, 0x02, 0x02,
		0x08,                     /* Opt Parm Len 8 */
		0x02, 0x06,               /* Capabilities, 6 */
		0x01, 0x08, 0x40, 0x04, 0x00, 0x47, /* MP says 8 octets, 4 left */
	};
	vector_is_message("trunc_cap", trunc_cap, sizeof(trunc_cap), 1);
	assert_false(parse_open(trunc_cap, sizeof(trunc_cap), 65002, LSOE_BGP_SAFI_LS, &info, &err));
	assert_int_equal(err.code, LSOE_BGP_ERR_OPEN);

	/* a capability header cut in half */
	static const uint8_t half_cap[] = {
		MARKER, 0x00, 0x20, 0x01, /* Length 32 */
		0x04, 0xfd, 0xea, 0x00, 0x5a, 0xc0, 0x00, 0x02, 0x02,
		0x03,                     /* Opt Parm Len 3 */
		0x02, 0x01, 0x41,         /* Capabilities, 1: code 65 with no length */
	};
	vector_is_message("half_cap", half_cap, sizeof(half_cap), 1);
	assert_false(parse_open(half_cap, sizeof(half_cap), 65002, LSOE_BGP_SAFI_LS, &info, &err));
	assert_int_equal(err.code, LSOE_BGP_ERR_OPEN);

	/* an unknown capability is ignored (RFC 5492 3) */
	static const uint8_t unknown_cap[] = {
		MARKER, 0x00, 0x24, 0x01, /* Length 36 */
		0x04, 0xfd, 0xea, 0x00, 0x5a, 0xc0, 0x00, 0x02, 0x02,
		0x07,                     /* Opt Parm Len 7 */
		0x02, 0x05,               /* Capabilities, 5 */
		0xf0, 0x03, 0x01, 0x02, 0x03, /* code 240, 3 octets */
	};
	vector_is_message("unknown_cap", unknown_cap, sizeof(unknown_cap), 1);
	if (!parse_open(unknown_cap, sizeof(unknown_cap), 65002, LSOE_BGP_SAFI_LS, &info, &err))
		fail_msg("unknown capability refused: %u/%u", err.code, err.subcode);
	assert_false(info.family);
	assert_false(info.as4);
}

/* ------------------------------------------------------------------ NOTIFICATION, ROUTE-REFRESH parse */

static void test_parse_notification(void **state)
{
	(void)state;
	static const uint8_t shutdown_msg[] = {
		MARKER, 0x00, 0x1b, 0x03, /* Length 27, NOTIFICATION */
		0x06, 0x02,               /* Cease / Administrative Shutdown */
		0x05, 'm', 'a', 'i', 'n', 't', /* data: Shutdown Communication (RFC 9003), length 5 */
	};
	vector_is_message("shutdown", shutdown_msg, sizeof(shutdown_msg), 3);
	struct lsoe_bgp_notification_info info;
	struct lsoe_bgp_error err;
	assert_true(lsoe_bgp_parse_notification(shutdown_msg, sizeof(shutdown_msg), &info, &err));
	assert_int_equal(info.code, 6);
	assert_int_equal(info.subcode, 2);
	assert_int_equal(info.data_len, 6);
	assert_ptr_equal(info.data, shutdown_msg + 21);

	assert_true(lsoe_bgp_parse_notification(NOTIF_CEASE_SHUTDOWN, sizeof(NOTIF_CEASE_SHUTDOWN), &info, &err));
	assert_int_equal(info.code, 6);
	assert_int_equal(info.subcode, 2);
	assert_int_equal(info.data_len, 0);

	assert_true(lsoe_bgp_parse_notification(NOTIF_BAD_LENGTH, sizeof(NOTIF_BAD_LENGTH), &info, &err));
	assert_int_equal(info.code, 1);
	assert_int_equal(info.subcode, 2);
	assert_int_equal(info.data_len, 2);
	assert_memory_equal(info.data, ((const uint8_t[]){ 0x00, 0x12 }), 2);
}

static void test_parse_route_refresh(void **state)
{
	(void)state;
	static const uint8_t rr[] = {
		MARKER, 0x00, 0x17, 0x05, /* Length 23, ROUTE-REFRESH */
		0x40, 0x04,               /* AFI 16388 */
		0x00,                     /* Reserved */
		0x47,                     /* SAFI 71 */
	};
	static const uint8_t rr_borr[] = {
		MARKER, 0x00, 0x17, 0x05,
		0x00, 0x01,               /* AFI 1 */
		0x01,                     /* Reserved: "ignored by the receiver" (RFC 2918; BoRR in RFC 7313) */
		0x01,                     /* SAFI 1 */
	};
	vector_is_message("rr", rr, sizeof(rr), 5);
	uint16_t afi = 0;
	uint8_t safi = 0;
	struct lsoe_bgp_error err;
	size_t ml;
	assert_int_equal(lsoe_bgp_frame(rr, sizeof(rr), &ml, &err), 1);
	assert_true(lsoe_bgp_parse_route_refresh(rr, sizeof(rr), &afi, &safi, &err));
	assert_int_equal(afi, LSOE_BGP_AFI_LS);
	assert_int_equal(safi, LSOE_BGP_SAFI_LS);
	assert_true(lsoe_bgp_parse_route_refresh(rr_borr, sizeof(rr_borr), &afi, &safi, &err));
	assert_int_equal(afi, 1);
	assert_int_equal(safi, 1);
	/* a ROUTE-REFRESH of 24 octets is not one (frame or parse refuses it) */
	static const uint8_t rr24[] = { MARKER, 0x00, 0x18, 0x05, 0x40, 0x04, 0x00, 0x47, 0x00 };
	int r = lsoe_bgp_frame(rr24, sizeof(rr24), &ml, &err);
	assert_true(r == -1 || !lsoe_bgp_parse_route_refresh(rr24, sizeof(rr24), &afi, &safi, &err));
}

/* ------------------------------------------------------------------ UPDATE parse */

static const uint8_t UPD_CLASSIC[] = {
	MARKER,
	0x00, 0x2f,             /* Length 47 */
	0x02,                   /* UPDATE */
	0x00, 0x00,             /* Withdrawn Routes Length 0 */
	0x00, 0x14,             /* Total Path Attribute Length 20 */
	0x40, 0x01, 0x01, 0x00, /* ORIGIN IGP */
	0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xea, /* AS_PATH: SEQUENCE [65002] */
	0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x02, /* NEXT_HOP 192.0.2.2 */
	0x18, 0xc6, 0x33, 0x64, /* NLRI 198.51.100.0/24 */
};

static const uint8_t UPD_WITHDRAW_ONLY[] = {
	MARKER,
	0x00, 0x1b,             /* Length 27 */
	0x02,                   /* UPDATE */
	0x00, 0x04,             /* Withdrawn Routes Length 4 */
	0x18, 0xc6, 0x33, 0x64, /*   198.51.100.0/24 */
	0x00, 0x00,             /* no attributes */
};

static const uint8_t UPD_EOR_V4[] = {
	MARKER, 0x00, 0x17, 0x02, /* Length 23, UPDATE */
	0x00, 0x00, 0x00, 0x00,   /* nothing: the IPv4 unicast End-of-RIB */
};

static void expect_update_ok(const char *what, const uint8_t *m, size_t len)
{
	vector_is_update(what, m, len);
	struct lsoe_bgp_error err;
	memset(&err, 0, sizeof(err));
	if (!lsoe_bgp_parse_update(m, len, &err))
		fail_msg("%s: refused: %u/%u %s", what, err.code, err.subcode, err.why ? err.why : "");
}

static void expect_update_error(const char *what, const uint8_t *m, size_t len, int sub1, int sub2)
{
	vector_is_message(what, m, len, 2);
	struct lsoe_bgp_error err;
	memset(&err, 0, sizeof(err));
	if (lsoe_bgp_parse_update(m, len, &err))
		fail_msg("%s: accepted", what);
	if (err.code != LSOE_BGP_ERR_UPDATE || (err.subcode != sub1 && err.subcode != sub2))
		fail_msg("%s: error %u/%u, expected 3/%d or 3/%d", what, err.code, err.subcode, sub1, sub2);
}

static void test_parse_update_good(void **state)
{
	(void)state;
	expect_update_ok("classic IPv4 UPDATE", UPD_CLASSIC, sizeof(UPD_CLASSIC));
	expect_update_ok("withdrawn routes only", UPD_WITHDRAW_ONLY, sizeof(UPD_WITHDRAW_ONLY));
	expect_update_ok("IPv4 End-of-RIB", UPD_EOR_V4, sizeof(UPD_EOR_V4));
	expect_update_ok("BGP-LS End-of-RIB", UPD_EOR_LS, sizeof(UPD_EOR_LS));
	expect_update_ok("iBGP reach", UPD_IBGP, sizeof(UPD_IBGP));
	expect_update_ok("eBGP reach", UPD_EBGP_AS4, sizeof(UPD_EBGP_AS4));
	expect_update_ok("eBGP reach with AS4_PATH", UPD_EBGP_AS2_TRANS, sizeof(UPD_EBGP_AS2_TRANS));
	expect_update_ok("unreach", UPD_UNREACH, sizeof(UPD_UNREACH));
}

static void test_parse_update_malformed(void **state)
{
	(void)state;
	/* Withdrawn Routes Length 16 but 6 octets left: Malformed Attribute List (RFC 4271 6.3) */
	static const uint8_t wd_over[] = {
		MARKER, 0x00, 0x1b, 0x02, /* Length 27 */
		0x00, 0x10,               /* Withdrawn Routes Length 16 */
		0x18, 0xc6, 0x33, 0x64, 0x00, 0x00,
	};
	expect_update_error("withdrawn length overruns", wd_over, sizeof(wd_over), 1, 1);

	/* Withdrawn Routes Length leaves no room for Total Path Attribute Length */
	static const uint8_t wd_no_tpal[] = {
		MARKER, 0x00, 0x1b, 0x02, /* Length 27 */
		0x00, 0x06,               /* Withdrawn Routes Length 6: takes the attribute length's place */
		0x18, 0xc6, 0x33, 0x64, 0x00, 0x00,
	};
	expect_update_error("withdrawn length eats attribute length", wd_no_tpal, sizeof(wd_no_tpal), 1, 1);

	/* Total Path Attribute Length 8 but 4 octets left: Malformed Attribute List */
	static const uint8_t tpal_over[] = {
		MARKER, 0x00, 0x1b, 0x02, /* Length 27 */
		0x00, 0x00,
		0x00, 0x08,               /* Total Path Attribute Length 8 */
		0x40, 0x01, 0x01, 0x00,
	};
	expect_update_error("attribute length overruns", tpal_over, sizeof(tpal_over), 1, 1);

	/* an attribute's length runs past the attributes: 3/1 or 3/5 */
	static const uint8_t attr_over[] = {
		MARKER, 0x00, 0x1e, 0x02, /* Length 30 */
		0x00, 0x00,
		0x00, 0x07,               /* Total Path Attribute Length 7 */
		0x40, 0x01, 0x01, 0x00,   /* ORIGIN IGP */
		0x40, 0x02, 0x05,         /* AS_PATH says 5 octets, none left */
	};
	expect_update_error("an attribute runs past the list", attr_over, sizeof(attr_over), 1, 5);

	/* an Extended Length attribute header cut short */
	static const uint8_t attr_hdr_cut[] = {
		MARKER, 0x00, 0x1a, 0x02, /* Length 26 */
		0x00, 0x00,
		0x00, 0x03,               /* Total Path Attribute Length 3 */
		0x90, 0x0e, 0x01,         /* MP_REACH_NLRI, Extended Length: the second length octet is missing */
	};
	expect_update_error("extended length header cut", attr_hdr_cut, sizeof(attr_hdr_cut), 1, 5);

	/* MP_REACH_NLRI whose next hop runs past it */
	static const uint8_t mp_nh_over[] = {
		MARKER, 0x00, 0x1f, 0x02, /* Length 31 */
		0x00, 0x00,
		0x00, 0x08,               /* Total Path Attribute Length 8 */
		0x80, 0x0e, 0x05,         /* MP_REACH_NLRI, len 5 */
		0x40, 0x04, 0x47,         /*   AFI, SAFI */
		0x10,                     /*   Next Hop length 16: 1 octet left */
		0xc0,
	};
	vector_is_update("mp_nh_over", mp_nh_over, sizeof(mp_nh_over));
	struct lsoe_bgp_error err;
	assert_false(lsoe_bgp_parse_update(mp_nh_over, sizeof(mp_nh_over), &err));
	assert_int_equal(err.code, LSOE_BGP_ERR_UPDATE);

	/* MP_REACH_NLRI without its Reserved octet */
	static const uint8_t mp_no_res[] = {
		MARKER, 0x00, 0x22, 0x02, /* Length 34 */
		0x00, 0x00,
		0x00, 0x0b,               /* Total Path Attribute Length 11 */
		0x80, 0x0e, 0x08,         /* MP_REACH_NLRI, len 8 */
		0x40, 0x04, 0x47, 0x04, 0xc0, 0x00, 0x02, 0x01, /* AFI, SAFI, NH 4 + 4: no Reserved octet */
	};
	vector_is_update("mp_no_res", mp_no_res, sizeof(mp_no_res));
	assert_false(lsoe_bgp_parse_update(mp_no_res, sizeof(mp_no_res), &err));
	assert_int_equal(err.code, LSOE_BGP_ERR_UPDATE);

	/* MP_UNREACH_NLRI shorter than AFI + SAFI */
	static const uint8_t mpu_short[] = {
		MARKER, 0x00, 0x1c, 0x02, /* Length 28 */
		0x00, 0x00,
		0x00, 0x05,               /* Total Path Attribute Length 5 */
		0x80, 0x0f, 0x02, 0x40, 0x04, /* MP_UNREACH_NLRI, len 2: no SAFI */
	};
	vector_is_update("mpu_short", mpu_short, sizeof(mpu_short));
	assert_false(lsoe_bgp_parse_update(mpu_short, sizeof(mpu_short), &err));
	assert_int_equal(err.code, LSOE_BGP_ERR_UPDATE);

	/* MP_UNREACH_NLRI twice: Malformed Attribute List (RFC 7606 3(g): MP attributes only) */
	static const uint8_t mpu_twice[] = {
		MARKER, 0x00, 0x24, 0x02, /* Length 36 = 19 + 4 + 13 */
		0x00, 0x00,
		0x00, 0x0d,               /* Total Path Attribute Length 13 = 7 + 6 */
		0x90, 0x0f, 0x00, 0x03, 0x40, 0x04, 0x47, /* MP_UNREACH_NLRI: End-of-RIB */
		0x80, 0x0f, 0x03, 0x40, 0x04, 0x47,       /* and again */
	};
	vector_is_update("mpu_twice", mpu_twice, sizeof(mpu_twice));
	expect_update_error("MP_UNREACH_NLRI twice", mpu_twice, sizeof(mpu_twice), 1, 1);
}

/*
 * RFC 7606 (which updates RFC 4271 section 6.3) replaces the session reset for most
 * malformed attributes: ORIGIN (7.1), AS_PATH (7.2), NEXT_HOP (7.3), MED (7.4) and
 * LOCAL_PREF (7.5) are "treat-as-withdraw", ATOMIC_AGGREGATE (7.6) and AGGREGATOR (7.7)
 * "attribute discard", conflicting flags treat-as-withdraw (3(c)), and a repeated
 * attribute other than MP_REACH/MP_UNREACH_NLRI is discarded after its first occurrence
 * (3(g)); only MP_REACH/MP_UNREACH_NLRI (7.11) and the structure (section 4) still reset
 * the session. An export-only speaker keeps no route, so withdrawing or discarding is
 * doing nothing: each of these UPDATEs must be accepted, not answered with a NOTIFICATION.
 */
static void test_parse_update_rfc7606_no_reset(void **state)
{
	(void)state;
	static const uint8_t origin_len[] = {
		MARKER, 0x00, 0x2b, 0x02, /* Length 43 = 19 + 4 + 16 + 4 */
		0x00, 0x00,
		0x00, 0x10,               /* Total Path Attribute Length 16 */
		0x40, 0x01, 0x02, 0x00, 0x00, /* ORIGIN, len 2 (7.1) */
		0x40, 0x02, 0x00,         /* AS_PATH empty */
		0x40, 0x03, 0x05, 0xc0, 0x00, 0x02, 0x02, 0x00, /* NEXT_HOP, len 5 (7.3) */
		0x18, 0xc6, 0x33, 0x64,   /* NLRI 198.51.100.0/24: withdrawn, as it were */
	};
	static const uint8_t origin_value[] = {
		MARKER, 0x00, 0x1b, 0x02, /* Length 27 */
		0x00, 0x00,
		0x00, 0x04,               /* Total Path Attribute Length 4 */
		0x40, 0x01, 0x01, 0x07,   /* ORIGIN 7: undefined (7.1) */
	};
	static const uint8_t lp_len[] = {
		MARKER, 0x00, 0x1d, 0x02, /* Length 29 */
		0x00, 0x00,
		0x00, 0x06,               /* Total Path Attribute Length 6 */
		0x40, 0x05, 0x03, 0x00, 0x00, 0x64, /* LOCAL_PREF, len 3 (7.5) */
	};
	static const uint8_t med_len[] = {
		MARKER, 0x00, 0x1c, 0x02, /* Length 28 */
		0x00, 0x00,
		0x00, 0x05,               /* Total Path Attribute Length 5 */
		0x80, 0x04, 0x02, 0x00, 0x01, /* MED, len 2 (7.4) */
	};
	static const uint8_t atomic_len[] = {
		MARKER, 0x00, 0x1b, 0x02, /* Length 27 */
		0x00, 0x00,
		0x00, 0x04,               /* Total Path Attribute Length 4 */
		0x40, 0x06, 0x01, 0x00,   /* ATOMIC_AGGREGATE, len 1 (7.6) */
	};
	static const uint8_t aggregator_len[] = {
		MARKER, 0x00, 0x1f, 0x02, /* Length 31 */
		0x00, 0x00,
		0x00, 0x08,               /* Total Path Attribute Length 8 */
		0xc0, 0x07, 0x05,         /* AGGREGATOR, len 5: neither 6 nor 8 (7.7) */
		0xfd, 0xea, 0xc0, 0x00, 0x02,
	};
	static const uint8_t aspath_bad[] = {
		MARKER, 0x00, 0x1d, 0x02, /* Length 29 */
		0x00, 0x00,
		0x00, 0x06,               /* Total Path Attribute Length 6 */
		0x40, 0x02, 0x03, 0x02, 0x05, 0x00, /* AS_PATH: a SEQUENCE of 5 ASes in 1 octet (7.2) */
	};
	static const uint8_t origin_flags[] = {
		MARKER, 0x00, 0x1b, 0x02, /* Length 27 */
		0x00, 0x00,
		0x00, 0x04,               /* Total Path Attribute Length 4 */
		0x80, 0x01, 0x01, 0x00,   /* ORIGIN flagged optional non-transitive (3(c)) */
	};
	static const uint8_t origin_twice[] = {
		MARKER, 0x00, 0x1f, 0x02, /* Length 31 */
		0x00, 0x00,
		0x00, 0x08,               /* Total Path Attribute Length 8 */
		0x40, 0x01, 0x01, 0x00,   /* ORIGIN IGP */
		0x40, 0x01, 0x01, 0x02,   /* ORIGIN again (3(g): discarded) */
	};
	const struct {
		const char *what;
		const uint8_t *m;
		size_t len;
	} cases[] = {
		{ "ORIGIN of 2 octets", origin_len, sizeof(origin_len) },
		{ "ORIGIN 7", origin_value, sizeof(origin_value) },
		{ "LOCAL_PREF of 3 octets", lp_len, sizeof(lp_len) },
		{ "MED of 2 octets", med_len, sizeof(med_len) },
		{ "ATOMIC_AGGREGATE of 1 octet", atomic_len, sizeof(atomic_len) },
		{ "AGGREGATOR of 5 octets", aggregator_len, sizeof(aggregator_len) },
		{ "AS_PATH segment overruns", aspath_bad, sizeof(aspath_bad) },
		{ "ORIGIN with the Optional flag", origin_flags, sizeof(origin_flags) },
		{ "ORIGIN twice", origin_twice, sizeof(origin_twice) },
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vector_is_update(cases[i].what, cases[i].m, cases[i].len);
		struct lsoe_bgp_error err;
		memset(&err, 0, sizeof(err));
		if (!lsoe_bgp_parse_update(cases[i].m, cases[i].len, &err)) {
			print_message("RFC 7606: %s would reset the session with %u/%u (%s)\n", cases[i].what, err.code,
			    err.subcode, err.why ? err.why : "");
			failed++;
		}
	}
	if (failed)
		fail_msg("%d UPDATEs RFC 7606 handles without a session reset were refused", failed);
}

/* ------------------------------------------------------------------ names */

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(lsoe_bgp_msg_name(1), "OPEN");
	assert_string_equal(lsoe_bgp_msg_name(2), "UPDATE");
	assert_string_equal(lsoe_bgp_msg_name(3), "NOTIFICATION");
	assert_string_equal(lsoe_bgp_msg_name(4), "KEEPALIVE");
	assert_string_equal(lsoe_bgp_msg_name(5), "ROUTE-REFRESH");
	assert_null(lsoe_bgp_msg_name(0));
	assert_null(lsoe_bgp_msg_name(9));
	assert_string_equal(lsoe_bgp_code_name(6), "Cease");
	const char *s = lsoe_bgp_subcode_name(6, 2);
	assert_non_null(s);
	assert_non_null(strstr(s, "Administrative Shutdown"));
	s = lsoe_bgp_subcode_name(2, 7);
	assert_non_null(s);
	assert_non_null(strstr(s, "Unsupported Capability"));
	/* every code and subcode has some printable name or NULL, never garbage */
	for (unsigned c = 0; c < 256; c++) {
		const char *cn = lsoe_bgp_code_name((uint8_t)c);
		if (cn)
			assert_true(strlen(cn) > 0);
		for (unsigned sc = 0; sc < 256; sc += 17) {
			const char *sn = lsoe_bgp_subcode_name((uint8_t)c, (uint8_t)sc);
			if (sn)
				assert_true(strlen(sn) > 0);
		}
	}
}

/* ------------------------------------------------------------------ Router-IDs and session links */

static struct lsoe_encap e4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t plen, uint8_t flags)
{
	struct lsoe_encap e;
	memset(&e, 0, sizeof(e));
	e.flags = flags;
	e.prefix_len = plen;
	e.addr[0] = a;
	e.addr[1] = b;
	e.addr[2] = c;
	e.addr[3] = d;
	return e;
}

static struct lsoe_encap e6(const uint8_t a[16], uint8_t plen, uint8_t flags)
{
	struct lsoe_encap e;
	memset(&e, 0, sizeof(e));
	e.flags = flags;
	e.prefix_len = plen;
	memcpy(e.addr, a, 16);
	return e;
}

static void test_pick_router_ids(void **state)
{
	(void)state;
	const uint8_t LB = LSOE_ENCAP_LOOPBACK, PR = LSOE_ENCAP_PRIMARY;
	struct lsoe_bgpls_router_ids r;

	/* nothing at all */
	const struct lsoe_encap *none[4] = { NULL, NULL, NULL, NULL };
	const uint16_t zero[4] = { 0, 0, 0, 0 };
	memset(&r, 0xa5, sizeof(r));
	lsoe_bgpls_pick_router_ids(none, zero, &r);
	assert_false(r.has_v4);
	assert_false(r.has_v6);

	/* type 4: a primary link address (not a loopback), a loopback, a primary loopback */
	struct lsoe_encap t4[] = { e4(192, 0, 2, 1, 31, PR), e4(10, 0, 0, 1, 32, LB), e4(10, 0, 0, 9, 32, LB | PR) };
	const struct lsoe_encap *l1[4] = { t4, NULL, NULL, NULL };
	const uint16_t c1[4] = { 3, 0, 0, 0 };
	lsoe_bgpls_pick_router_ids(l1, c1, &r);
	assert_true(r.has_v4);
	assert_memory_equal(r.v4, ((const uint8_t[]){ 10, 0, 0, 9 }), 4);
	assert_false(r.has_v6);

	/* no primary loopback: the first loopback in list order */
	struct lsoe_encap t4b[] = { e4(192, 0, 2, 1, 31, PR), e4(10, 0, 0, 3, 32, LB), e4(10, 0, 0, 2, 32, LB) };
	const struct lsoe_encap *l2[4] = { t4b, NULL, NULL, NULL };
	lsoe_bgpls_pick_router_ids(l2, c1, &r);
	assert_memory_equal(r.v4, ((const uint8_t[]){ 10, 0, 0, 3 }), 4);

	/* IPv4 loopbacks from type 6 too; a primary one there beats a plain one in type 4 */
	struct lsoe_encap t4c[] = { e4(10, 0, 0, 4, 32, LB) };
	struct lsoe_encap t6c[] = { e4(10, 0, 0, 6, 32, LB | PR) };
	const struct lsoe_encap *l3[4] = { t4c, NULL, t6c, NULL };
	const uint16_t c3[4] = { 1, 0, 1, 0 };
	lsoe_bgpls_pick_router_ids(l3, c3, &r);
	assert_true(r.has_v4);
	assert_memory_equal(r.v4, ((const uint8_t[]){ 10, 0, 0, 6 }), 4);
	/* only type 6 has one */
	const struct lsoe_encap *l4[4] = { NULL, NULL, t6c, NULL };
	const uint16_t c4[4] = { 0, 0, 1, 0 };
	lsoe_bgpls_pick_router_ids(l4, c4, &r);
	assert_true(r.has_v4);
	assert_memory_equal(r.v4, ((const uint8_t[]){ 10, 0, 0, 6 }), 4);
	/* plain type 4 first when neither is primary */
	struct lsoe_encap t6d[] = { e4(10, 0, 0, 7, 32, LB) };
	const struct lsoe_encap *l5[4] = { t4c, NULL, t6d, NULL };
	lsoe_bgpls_pick_router_ids(l5, c3, &r);
	assert_memory_equal(r.v4, ((const uint8_t[]){ 10, 0, 0, 4 }), 4);

	/* IPv6 from types 5 and 7 */
	const uint8_t a1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	const uint8_t a2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
	const uint8_t ll[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	struct lsoe_encap t5[] = { e6(ll, 64, PR), e6(a1, 128, LB) };
	struct lsoe_encap t7[] = { e6(a2, 128, LB | PR) };
	const struct lsoe_encap *l6[4] = { NULL, t5, NULL, t7 };
	const uint16_t c6[4] = { 0, 2, 0, 1 };
	lsoe_bgpls_pick_router_ids(l6, c6, &r);
	assert_false(r.has_v4);
	assert_true(r.has_v6);
	assert_memory_equal(r.v6, a2, 16);
	const uint16_t c7[4] = { 0, 2, 0, 0 };
	lsoe_bgpls_pick_router_ids(l6, c7, &r);
	assert_true(r.has_v6);
	assert_memory_equal(r.v6, a1, 16);
}

#define MAX_COLLECT 16
struct collect {
	size_t n;
	struct lsoe_bgpls_link l[MAX_COLLECT];
};

static void collect_fn(void *ctx, const struct lsoe_bgpls_link *l)
{
	struct collect *c = ctx;
	if (c->n < MAX_COLLECT)
		c->l[c->n] = *l;
	c->n++;
}

static const uint8_t SV_LOCAL[LSOE_LOCAL_ID_LEN] = { 0, 0, 0, 0, 0xfd, 0xe9, 10, 0, 0, 1 };
static const uint8_t SV_PEER[LSOE_LOCAL_ID_LEN] = { 0, 0, 0, 0, 0xfd, 0xea, 10, 0, 0, 2 };
static const uint8_t SV_V6_L[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t SV_V6_P[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t SV_V6M_L[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t SV_V6M_P[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static const uint8_t SV_LB6_P[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

struct sv_world {
	struct lsoe_session_view v;
	struct lsoe_link l4[2], l5[1], l6[1], l7[1];
	struct lsoe_encap p4[2], p5[2], p6[1], p7[1];
	uint8_t lab6_local[2 * 3], lab6_peer[3], lab7_local[3], lab7_peer[3];
	struct lsoe_bgpls_router_ids ours;
};

/*
 * The session: IPv4 192.0.2.1/31 <-> 192.0.2.0/31 as a plain pair and as an MPLS pair
 * (our labels 100, 200; the peer's 300), IPv6 2001:db8::1/127 <-> 2001:db8::/127 plain,
 * and 2001:db8:1::1/64 <-> 2001:db8:1::2/64 only as MPLS (our label 500). The peer's
 * loopbacks 10.0.0.2/32 and 2001:db8:ff::2/128 are in its type 4 and 5 lists.
 */
static void sv_setup(struct sv_world *w)
{
	memset(w, 0, sizeof(*w));
	struct lsoe_session_view *v = &w->v;
	v->port = 1;
	v->port_name = "eth1";
	v->state = LSOE_STATE_ESTABLISHED;
	v->has_peer_id = true;
	memcpy(v->peer_id, SV_PEER, LSOE_LOCAL_ID_LEN);

	w->p4[0] = e4(192, 0, 2, 0, 31, 0);
	w->p4[1] = e4(10, 0, 0, 2, 32, LSOE_ENCAP_LOOPBACK);
	w->p5[0] = e6(SV_V6_P, 127, 0);
	w->p5[1] = e6(SV_LB6_P, 128, LSOE_ENCAP_LOOPBACK);
	w->p6[0] = e4(192, 0, 2, 0, 31, 0);
	w->p7[0] = e6(SV_V6M_P, 64, 0);
	lsoe_label_put(w->lab6_local, 0, 100, 0, false);
	lsoe_label_put(w->lab6_local, 1, 200, 0, true);
	lsoe_label_put(w->lab6_peer, 0, 300, 0, true);
	lsoe_label_put(w->lab7_local, 0, 500, 0, true);
	lsoe_label_put(w->lab7_peer, 0, 600, 0, true);
	w->p6[0].nlabels = 1;
	w->p6[0].labels = w->lab6_peer;
	w->p7[0].nlabels = 1;
	w->p7[0].labels = w->lab7_peer;

	w->l4[0].local = e4(192, 0, 2, 1, 31, 0);
	w->l4[0].peer = w->p4[0];
	w->l5[0].local = e6(SV_V6_L, 127, 0);
	w->l5[0].peer = w->p5[0];
	w->l6[0].local = e4(192, 0, 2, 1, 31, 0);
	w->l6[0].local.nlabels = 2;
	w->l6[0].local.labels = w->lab6_local;
	w->l6[0].peer = w->p6[0];
	w->l7[0].local = e6(SV_V6M_L, 64, 0);
	w->l7[0].local.nlabels = 1;
	w->l7[0].local.labels = w->lab7_local;
	w->l7[0].peer = w->p7[0];

	for (int t = 0; t < 4; t++)
		v->encaps_received[t] = true;
	v->encaps[0] = w->p4;
	v->encap_count[0] = 2;
	v->encaps[1] = w->p5;
	v->encap_count[1] = 2;
	v->encaps[2] = w->p6;
	v->encap_count[2] = 1;
	v->encaps[3] = w->p7;
	v->encap_count[3] = 1;
	v->links[0] = w->l4;
	v->link_count[0] = 1;
	v->links[1] = w->l5;
	v->link_count[1] = 1;
	v->links[2] = w->l6;
	v->link_count[2] = 1;
	v->links[3] = w->l7;
	v->link_count[3] = 1;

	w->ours.has_v4 = true;
	memcpy(w->ours.v4, RID_L4, 4);
	w->ours.has_v6 = true;
	memcpy(w->ours.v6, RID_L6, 16);
}

static void assert_link_common(const struct sv_world *w, const struct lsoe_bgpls_link *l)
{
	assert_memory_equal(l->local_id, SV_LOCAL, LSOE_LOCAL_ID_LEN);
	assert_memory_equal(l->peer_id, SV_PEER, LSOE_LOCAL_ID_LEN);
	assert_true(l->local_rid.has_v4);
	assert_memory_equal(l->local_rid.v4, w->ours.v4, 4);
	assert_true(l->local_rid.has_v6);
	assert_memory_equal(l->local_rid.v6, w->ours.v6, 16);
	assert_true(l->peer_rid.has_v4);
	assert_memory_equal(l->peer_rid.v4, ((const uint8_t[]){ 10, 0, 0, 2 }), 4);
	assert_true(l->peer_rid.has_v6);
	assert_memory_equal(l->peer_rid.v6, SV_LB6_P, 16);
}

static void test_session_links(void **state)
{
	(void)state;
	static struct sv_world w;
	sv_setup(&w);
	struct collect c;
	memset(&c, 0, sizeof(c));
	size_t n = lsoe_bgpls_session_links(&w.v, SV_LOCAL, &w.ours, collect_fn, &c);
	assert_int_equal(n, 3);
	assert_int_equal(c.n, 3);

	/* 1: the IPv4 pair, plain and MPLS the same link, with our labels of the MPLS pair */
	const struct lsoe_bgpls_link *l = &c.l[0];
	assert_link_common(&w, l);
	assert_false(l->ipv6);
	assert_memory_equal(l->local_addr, ((const uint8_t[]){ 192, 0, 2, 1 }), 4);
	assert_memory_equal(l->peer_addr, ((const uint8_t[]){ 192, 0, 2, 0 }), 4);
	assert_int_equal(l->label_count, 2);
	assert_int_equal(l->labels[0], 100);
	assert_int_equal(l->labels[1], 200);

	/* 2: the plain IPv6 pair, no labels */
	l = &c.l[1];
	assert_link_common(&w, l);
	assert_true(l->ipv6);
	assert_memory_equal(l->local_addr, SV_V6_L, 16);
	assert_memory_equal(l->peer_addr, SV_V6_P, 16);
	assert_int_equal(l->label_count, 0);

	/* 3: the MPLS-only IPv6 pair, our label 500 (not the peer's 600) */
	l = &c.l[2];
	assert_link_common(&w, l);
	assert_true(l->ipv6);
	assert_memory_equal(l->local_addr, SV_V6M_L, 16);
	assert_memory_equal(l->peer_addr, SV_V6M_P, 16);
	assert_int_equal(l->label_count, 1);
	assert_int_equal(l->labels[0], 500);

	/* the NLRI and attribute of link 1, end to end */
	uint8_t nlri[LSOE_BGPLS_NLRI_MAX], attr[LSOE_BGPLS_ATTR_MAX];
	const struct lsoe_bgpls_params p = { .protocol_id = LSOE_BGPLS_PROTO_BGP, .identifier = 0 };
	size_t nn = lsoe_bgpls_link_nlri(&p, &c.l[0], nlri, sizeof(nlri));
	static const uint8_t want_nlri[] = {
		0x00, 0x02, 0x00, 0x59,                         /* Link NLRI, length 89 = 9 + 32 + 32 + 16 */
		0x07, 0, 0, 0, 0, 0, 0, 0, 0,                   /* Protocol-ID 7, Identifier 0 */
		0x01, 0x00, 0x00, 0x1c,                         /* 256, len 28 */
		0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0xfd, 0xe9, /*   512 AS 65001 */
		0x02, 0x03, 0x00, 0x08, 0x00, 0x00, 0xfd, 0xe9, 0x0a, 0x00, 0x00, 0x01, /* 515 */
		0x02, 0x04, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x01, /*   516 10.0.0.1 */
		0x01, 0x01, 0x00, 0x1c,                         /* 257, len 28 */
		0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0xfd, 0xea, /*   512 AS 65002 */
		0x02, 0x03, 0x00, 0x08, 0x00, 0x00, 0xfd, 0xea, 0x0a, 0x00, 0x00, 0x02, /* 515 */
		0x02, 0x04, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x02, /*   516 10.0.0.2 */
		0x01, 0x03, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01, /* 259 192.0.2.1 */
		0x01, 0x04, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x00, /* 260 192.0.2.0 */
	};
	vector_is_nlri("session link NLRI", want_nlri, sizeof(want_nlri));
	assert_bytes_eq("session link NLRI", want_nlri, sizeof(want_nlri), nlri, nn);
	size_t na = lsoe_bgpls_link_attr(&c.l[0], attr, sizeof(attr));
	static const uint8_t want_attr[] = {
		0x04, 0x04, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x01, /* 1028 ours 10.0.0.1 */
		0x04, 0x05, 0x00, 0x10,                         /* 1029 ours 2001:db8:ff::1 */
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x04, 0x06, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x02, /* 1030 peer's 10.0.0.2 */
		0x04, 0x07, 0x00, 0x10,                         /* 1031 peer's 2001:db8:ff::2 */
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
		0x04, 0x4e, 0x00, 0x07, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, /* 1102 label 100 */
		0x04, 0x4e, 0x00, 0x07, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc8, /* 1102 label 200 */
	};
	vector_is_tlvs("session link attr", want_attr, sizeof(want_attr));
	assert_bytes_eq("session link attr", want_attr, sizeof(want_attr), attr, na);
}

static void test_session_links_not_established(void **state)
{
	(void)state;
	static struct sv_world w;
	sv_setup(&w);
	struct collect c;
	memset(&c, 0, sizeof(c));
	w.v.state = LSOE_STATE_OPENING;
	assert_int_equal(lsoe_bgpls_session_links(&w.v, SV_LOCAL, &w.ours, collect_fn, &c), 0);
	w.v.state = LSOE_STATE_HOLD;
	assert_int_equal(lsoe_bgpls_session_links(&w.v, SV_LOCAL, &w.ours, collect_fn, &c), 0);
	assert_int_equal(c.n, 0);
}

static void test_session_links_duplicate_pair(void **state)
{
	(void)state;
	static struct sv_world w;
	sv_setup(&w);
	/* the same addresses listed twice with different prefix lengths: one link */
	w.l4[0].local = e4(192, 0, 2, 1, 24, 0);
	w.l4[0].peer = e4(192, 0, 2, 0, 24, 0);
	w.l4[1].local = e4(192, 0, 2, 1, 31, 0);
	w.l4[1].peer = e4(192, 0, 2, 0, 31, 0);
	w.v.link_count[0] = 2;
	w.v.link_count[1] = 0;
	w.v.link_count[2] = 0;
	w.v.link_count[3] = 0;
	struct collect c;
	memset(&c, 0, sizeof(c));
	assert_int_equal(lsoe_bgpls_session_links(&w.v, SV_LOCAL, &w.ours, collect_fn, &c), 1);
	assert_int_equal(c.n, 1);
	assert_memory_equal(c.l[0].local_addr, ((const uint8_t[]){ 192, 0, 2, 1 }), 4);
	assert_memory_equal(c.l[0].peer_addr, ((const uint8_t[]){ 192, 0, 2, 0 }), 4);
	assert_int_equal(c.l[0].label_count, 0);
}

static void test_session_links_mpls_only_and_label_cap(void **state)
{
	(void)state;
	static struct sv_world w;
	sv_setup(&w);
	/* only the MPLS-IPv4 pair, with 20 labels of ours: 16 exported */
	static uint8_t many[20 * 3];
	for (unsigned i = 0; i < 20; i++)
		lsoe_label_put(many, i, 1000 + i, 0, i == 19);
	w.l6[0].local.nlabels = 20;
	w.l6[0].local.labels = many;
	w.v.link_count[0] = 0;
	w.v.link_count[1] = 0;
	w.v.link_count[3] = 0;
	struct collect c;
	memset(&c, 0, sizeof(c));
	assert_int_equal(lsoe_bgpls_session_links(&w.v, SV_LOCAL, &w.ours, collect_fn, &c), 1);
	assert_false(c.l[0].ipv6);
	assert_memory_equal(c.l[0].local_addr, ((const uint8_t[]){ 192, 0, 2, 1 }), 4);
	assert_int_equal(c.l[0].label_count, LSOE_BGPLS_LABELS_MAX);
	for (unsigned i = 0; i < LSOE_BGPLS_LABELS_MAX; i++)
		assert_int_equal(c.l[0].labels[i], 1000 + i);
	/* no loopbacks at the peer: no peer Router-IDs */
	w.v.encap_count[0] = 1;
	w.v.encap_count[1] = 1;
	memset(&c, 0, sizeof(c));
	assert_int_equal(lsoe_bgpls_session_links(&w.v, SV_LOCAL, &w.ours, collect_fn, &c), 1);
	assert_false(c.l[0].peer_rid.has_v4);
	assert_false(c.l[0].peer_rid.has_v6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_descriptor_shapes),
		cmocka_unit_test(test_node_descriptor_distinct),
		cmocka_unit_test(test_id_fits),
		cmocka_unit_test(test_link_nlri_v4),
		cmocka_unit_test(test_link_nlri_params),
		cmocka_unit_test(test_link_nlri_v6),
		cmocka_unit_test(test_link_nlri_largest_fits_max),
		cmocka_unit_test(test_link_attr),
		cmocka_unit_test(test_link_attr_largest),
		cmocka_unit_test(test_open_encode),
		cmocka_unit_test(test_keepalive_notification_encode),
		cmocka_unit_test(test_update_vectors_agree),
		cmocka_unit_test(test_update_reach_ibgp),
		cmocka_unit_test(test_update_reach_ebgp),
		cmocka_unit_test(test_update_reach_ebgp_as2_trans),
		cmocka_unit_test(test_update_reach_ebgp_as2_mappable),
		cmocka_unit_test(test_update_reach_extended_length),
		cmocka_unit_test(test_update_reach_v6_next_hop),
		cmocka_unit_test(test_update_reach_too_big),
		cmocka_unit_test(test_update_unreach),
		cmocka_unit_test(test_update_unreach_max),
		cmocka_unit_test(test_update_end_of_rib),
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_parse_open_good),
		cmocka_unit_test(test_parse_open_missing_family),
		cmocka_unit_test(test_parse_open_errors),
		cmocka_unit_test(test_parse_open_as0),
		cmocka_unit_test(test_parse_open_malformed),
		cmocka_unit_test(test_parse_notification),
		cmocka_unit_test(test_parse_route_refresh),
		cmocka_unit_test(test_parse_update_good),
		cmocka_unit_test(test_parse_update_malformed),
		cmocka_unit_test(test_parse_update_rfc7606_no_reset),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_pick_router_ids),
		cmocka_unit_test(test_session_links),
		cmocka_unit_test(test_session_links_not_established),
		cmocka_unit_test(test_session_links_duplicate_pair),
		cmocka_unit_test(test_session_links_mpls_only_and_label_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
