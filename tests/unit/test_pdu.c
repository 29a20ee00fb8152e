/*
 * LSOE PDUs (digest 3): every type encodes, decodes back to the same fields and
 * re-encodes to the same octets; the digest's vectors decode to the fields it
 * shows; every validation rule rejects its own malformed input with its own code;
 * the encoder refuses what it must not emit.
 *
 * Decoding is always done from an exact-size heap copy, so that a sanitizer
 * build catches any read past the end of the PDU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lsoe/error.h"
#include "lsoe/pdu.h"
#include "lsoe/wire.h"
#include "support.h"

#define CANARY 0xC5u

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* An exact-size heap copy of n octets (so ASan sees any over-read). */
static uint8_t *dup_exact(const uint8_t *b, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	assert_non_null(c);
	if (n)
		memcpy(c, b, n);
	return c;
}

/* Large enough for any PDU, plus a canary octet. */
static uint8_t out_buf[LSOE_PDU_MAX_LEN + 64];
static uint8_t hex_buf[LSOE_PDU_MAX_LEN + 64];
/* Typed entries for re-encoding a decoded encapsulation PDU. */
static struct lsoe_encap iter_entries[11000];

/* Encode pdu into out_buf, check success, the length and that nothing is written past it. */
static size_t encode_ok(struct lsoe_pdu *pdu)
{
	size_t n = 0;
	memset(out_buf, CANARY, sizeof(out_buf));
	enum lsoe_err err = lsoe_pdu_encode(pdu, out_buf, sizeof(out_buf), &n);
	if (err != LSOE_OK)
		fail_msg("encode type %u: %s", pdu->type, lsoe_err_name(err));
	assert_true(n >= LSOE_PDU_HDR_LEN && n <= LSOE_PDU_MAX_LEN);
	assert_int_equal(pdu->length, n);
	assert_int_equal(get16(out_buf + 1), n);
	assert_int_equal(out_buf[0], pdu->type);
	assert_int_equal(out_buf[n], CANARY);
	assert_int_equal(lsoe_pdu_encoded_len(pdu), n);
	return n;
}

/* Encoding is refused with want; *out_len is 0. */
static void encode_fails(struct lsoe_pdu *pdu, enum lsoe_err want)
{
	size_t n = 12345;
	enum lsoe_err err = lsoe_pdu_encode(pdu, out_buf, sizeof(out_buf), &n);
	if (err != want)
		fail_msg("encode type %u: got %s want %s", pdu->type, lsoe_err_name(err), lsoe_err_name(want));
	assert_int_equal(n, 0);
}

/* Collect the entries of a decoded encapsulation PDU; checks the iterator yields exactly count. */
static size_t collect_entries(const struct lsoe_pdu *pdu)
{
	struct lsoe_encap_iter it;
	lsoe_encap_iter_init(&it, pdu);
	size_t k = 0;
	while (k < sizeof(iter_entries) / sizeof(iter_entries[0]) && lsoe_encap_iter_next(&it, &iter_entries[k]))
		k++;
	assert_int_equal(k, pdu->u.encap.count);
	struct lsoe_encap extra;
	assert_false(lsoe_encap_iter_next(&it, &extra));
	return k;
}

/*
 * b (n octets) is a valid PDU: decode it (from an exact-size copy) into *pdu,
 * then check encode(decode(b)) == b. For encapsulation PDUs the re-encoding is
 * done from typed entries collected with lsoe_encap_iter, and once more from the
 * decoded wire slice. The copy is returned (the decoded pointers point into it);
 * the caller frees it.
 */
static uint8_t *roundtrip(const uint8_t *b, size_t n, struct lsoe_pdu *pdu)
{
	uint8_t *c = dup_exact(b, n);
	enum lsoe_err err = lsoe_pdu_decode(c, n, pdu);
	if (err != LSOE_OK)
		fail_msg("decode type %u len %zu: %s", n ? b[0] : 0u, n, lsoe_err_name(err));
	assert_int_equal(pdu->type, b[0]);
	assert_int_equal(pdu->length, n);
	assert_int_equal(lsoe_pdu_encoded_len(pdu), n);

	struct lsoe_pdu again = *pdu;
	if (lsoe_pdu_type_is_encap(pdu->type)) {
		size_t k = collect_entries(pdu);
		again.u.encap.entries = iter_entries;
		again.u.encap.wire = NULL;
		again.u.encap.wire_len = 0;
		assert_int_equal(again.u.encap.count, k);
	}
	again.length = 0;
	size_t m = encode_ok(&again);
	assert_int_equal(m, n);
	assert_memory_equal(out_buf, b, n);

	if (lsoe_pdu_type_is_encap(pdu->type)) {
		struct lsoe_pdu wire = *pdu;
		assert_null(wire.u.encap.entries);
		m = encode_ok(&wire);
		assert_int_equal(m, n);
		assert_memory_equal(out_buf, b, n);
	}
	return c;
}

/* Decode the hex PDU and expect exactly want. */
static void expect_decode(const char *hex, enum lsoe_err want)
{
	size_t n = test_hex(hex, hex_buf, sizeof(hex_buf));
	/* Guard against typos in the tables: only PDU_SHORT/PDU_LENGTH cases may have a wrong length. */
	if (want != LSOE_E_PDU_SHORT && want != LSOE_E_PDU_LENGTH) {
		assert_true(n >= 3);
		if (get16(hex_buf + 1) != n)
			fail_msg("test vector length field %u != %zu: %s", get16(hex_buf + 1), n, hex);
	}
	uint8_t *c = dup_exact(hex_buf, n);
	struct lsoe_pdu pdu;
	enum lsoe_err got = lsoe_pdu_decode(c, n, &pdu);
	free(c);
	if (got != want)
		fail_msg("decode %s: got %s want %s", hex, lsoe_err_name(got), lsoe_err_name(want));
}

static void hex_roundtrip(const char *hex, struct lsoe_pdu *pdu, uint8_t **copy)
{
	size_t n = test_hex(hex, hex_buf, sizeof(hex_buf));
	*copy = roundtrip(hex_buf, n, pdu);
}

static void expect_bytes(size_t n, const char *hex)
{
	uint8_t want[512];
	size_t wn = test_hex(hex, want, sizeof(want));
	assert_int_equal(n, wn);
	assert_memory_equal(out_buf, want, wn);
}

#define ID_HEX "00 00 00 00 00 00 c0 00 02 01"
static const uint8_t test_id[LSOE_LOCAL_ID_LEN] = { 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0x02, 0x01 };

/* ================= every type, encode / decode / round trip ================= */

static void test_hello(void **state)
{
	(void)state;
	struct lsoe_pdu p = { .type = LSOE_PDU_HELLO };
	expect_bytes(encode_ok(&p), "00 00 03");
	assert_int_equal(p.length, 3);
	struct lsoe_pdu d;
	uint8_t *c;
	hex_roundtrip("00 00 03", &d, &c);
	assert_int_equal(d.type, LSOE_PDU_HELLO);
	free(c);
}

static void test_keepalive(void **state)
{
	(void)state;
	struct lsoe_pdu p = { .type = LSOE_PDU_KEEPALIVE };
	expect_bytes(encode_ok(&p), "02 00 03");
	struct lsoe_pdu d;
	uint8_t *c;
	hex_roundtrip("02 00 03", &d, &c);
	assert_int_equal(d.type, LSOE_PDU_KEEPALIVE);
	assert_int_equal(d.length, 3);
	free(c);
}

static void test_open_attrs_auth(void **state)
{
	(void)state;
	static const uint8_t attrs[] = { 0x01, 0x02, 0xfe };
	static const uint8_t auth[] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	struct lsoe_pdu p = { .type = LSOE_PDU_OPEN };
	p.u.open.nonce = 0x01020304u;
	for (unsigned i = 0; i < LSOE_LOCAL_ID_LEN; i++)
		p.u.open.local_id[i] = (uint8_t)(0x10 + i);
	p.u.open.attr_count = sizeof(attrs);
	p.u.open.attrs = attrs;
	p.u.open.auth_len = sizeof(auth);
	p.u.open.auth = auth;
	const char *hex = "01 00 1c 01 02 03 04 10 11 12 13 14 15 16 17 18 19 03 01 02 fe 00 05 aa bb cc dd ee";
	expect_bytes(encode_ok(&p), hex);

	struct lsoe_pdu d;
	uint8_t *c;
	hex_roundtrip(hex, &d, &c);
	assert_int_equal(d.length, 28);
	assert_int_equal(d.u.open.nonce, 0x01020304u);
	assert_memory_equal(d.u.open.local_id, p.u.open.local_id, LSOE_LOCAL_ID_LEN);
	assert_int_equal(d.u.open.attr_count, 3);
	assert_ptr_equal(d.u.open.attrs, c + 18);
	assert_memory_equal(d.u.open.attrs, attrs, 3);
	assert_int_equal(d.u.open.auth_len, 5);
	assert_ptr_equal(d.u.open.auth, c + 23);
	assert_memory_equal(d.u.open.auth, auth, 5);
	free(c);

	/* Attributes only, auth only. */
	p.u.open.auth_len = 0;
	p.u.open.auth = NULL;
	expect_bytes(encode_ok(&p), "01 00 17 01 02 03 04 10 11 12 13 14 15 16 17 18 19 03 01 02 fe 00 00");
	hex_roundtrip("01 00 17 01 02 03 04 10 11 12 13 14 15 16 17 18 19 03 01 02 fe 00 00", &d, &c);
	assert_int_equal(d.u.open.attr_count, 3);
	assert_int_equal(d.u.open.auth_len, 0);
	free(c);
	p.u.open.attr_count = 0;
	p.u.open.attrs = NULL;
	p.u.open.auth_len = 2;
	p.u.open.auth = auth;
	expect_bytes(encode_ok(&p), "01 00 16 01 02 03 04 10 11 12 13 14 15 16 17 18 19 00 00 02 aa bb");
	hex_roundtrip("01 00 16 01 02 03 04 10 11 12 13 14 15 16 17 18 19 00 00 02 aa bb", &d, &c);
	assert_int_equal(d.u.open.attr_count, 0);
	assert_int_equal(d.u.open.auth_len, 2);
	assert_memory_equal(d.u.open.auth, auth, 2);
	free(c);
}

static void test_open_large(void **state)
{
	(void)state;
	static uint8_t attrs[255], auth[1000];
	for (unsigned i = 0; i < sizeof(attrs); i++)
		attrs[i] = (uint8_t)i;
	for (unsigned i = 0; i < sizeof(auth); i++)
		auth[i] = (uint8_t)(i * 7u);
	struct lsoe_pdu p = { .type = LSOE_PDU_OPEN };
	p.u.open.nonce = 0xffffffffu;
	memset(p.u.open.local_id, 0xff, LSOE_LOCAL_ID_LEN);
	p.u.open.attr_count = 255;
	p.u.open.attrs = attrs;
	p.u.open.auth_len = sizeof(auth);
	p.u.open.auth = auth;
	size_t n = encode_ok(&p);
	assert_int_equal(n, 20 + 255 + 1000);
	assert_int_equal(out_buf[17], 255);
	assert_int_equal(get16(out_buf + 18 + 255), 1000);
	static uint8_t copy[20 + 255 + 1000];
	memcpy(copy, out_buf, n);
	struct lsoe_pdu d;
	uint8_t *c = roundtrip(copy, n, &d);
	assert_int_equal(d.u.open.nonce, 0xffffffffu);
	assert_int_equal(d.u.open.attr_count, 255);
	assert_memory_equal(d.u.open.attrs, attrs, 255);
	assert_int_equal(d.u.open.auth_len, 1000);
	assert_memory_equal(d.u.open.auth, auth, 1000);
	free(c);
}

static void test_ack_all(void **state)
{
	(void)state;
	static const uint8_t acked[] = { 1, 4, 5, 6, 7, 255 };
	for (size_t t = 0; t < sizeof(acked); t++) {
		for (unsigned et = 0; et <= 3; et++) {
			struct lsoe_pdu p = { .type = LSOE_PDU_ACK };
			p.u.ack.pdu_type = acked[t];
			p.u.ack.etype = (uint8_t)et;
			p.u.ack.code = et ? 0xABC : 0;
			p.u.ack.hint = et ? 0x1234 : 0;
			size_t n = encode_ok(&p);
			assert_int_equal(n, 8);
			uint8_t want[8] = { 0x03, 0x00, 0x08, acked[t], (uint8_t)(et << 4), 0, 0, 0 };
			if (et) {
				want[4] |= 0x0A;
				want[5] = 0xBC;
				want[6] = 0x12;
				want[7] = 0x34;
			}
			assert_memory_equal(out_buf, want, 8);

			struct lsoe_pdu d;
			uint8_t *c = roundtrip(want, 8, &d);
			assert_int_equal(d.u.ack.pdu_type, acked[t]);
			assert_int_equal(d.u.ack.etype, et);
			assert_int_equal(d.u.ack.code, et ? 0xABC : 0);
			assert_int_equal(d.u.ack.hint, et ? 0x1234 : 0);
			free(c);
		}
	}
	/* Exact bytes of one, from the layout in digest 3.5. */
	struct lsoe_pdu d;
	uint8_t *c;
	hex_roundtrip("03 00 08 04 2a bc 12 34", &d, &c);
	assert_int_equal(d.u.ack.pdu_type, 4);
	assert_int_equal(d.u.ack.etype, LSOE_ETYPE_RESTART);
	assert_int_equal(d.u.ack.code, 0xABC);
	assert_int_equal(d.u.ack.hint, 0x1234);
	free(c);
	/* The 12-bit code spans the low nibble of octet 4: the extremes. */
	hex_roundtrip("03 00 08 01 1f ff ff ff", &d, &c);
	assert_int_equal(d.u.ack.etype, 1);
	assert_int_equal(d.u.ack.code, 0xFFF);
	assert_int_equal(d.u.ack.hint, 0xFFFF);
	free(c);
	hex_roundtrip("03 00 08 ff 31 00 00 00", &d, &c);
	assert_int_equal(d.u.ack.pdu_type, 255);
	assert_int_equal(d.u.ack.etype, LSOE_ETYPE_HOPELESS);
	assert_int_equal(d.u.ack.code, 0x100);
	free(c);
	/* The draft's codes: addressing conflict (warning) and auth failure (restart). */
	hex_roundtrip("03 00 08 05 10 01 00 02", &d, &c);
	assert_int_equal(d.u.ack.code, LSOE_ECODE_ADDR_CONFLICT);
	assert_int_equal(d.u.ack.hint, 2);
	free(c);
	hex_roundtrip("03 00 08 01 20 02 00 00", &d, &c);
	assert_int_equal(d.u.ack.code, LSOE_ECODE_AUTH_FAILURE);
	free(c);
	/* Reserved ETypes 4..15 are carried (the session layer decides what they mean). */
	hex_roundtrip("03 00 08 01 f0 00 00 00", &d, &c);
	assert_int_equal(d.u.ack.etype, 15);
	assert_int_equal(d.u.ack.code, 0);
	free(c);
	hex_roundtrip("03 00 08 06 4f ff 00 09", &d, &c);
	assert_int_equal(d.u.ack.etype, 4);
	assert_int_equal(d.u.ack.code, 0xFFF);
	free(c);
}

static void test_encap_ipv4(void **state)
{
	(void)state;
	const struct lsoe_encap e[] = {
		{ .flags = LSOE_ENCAP_PRIMARY, .prefix_len = 24, .addr = { 192, 0, 2, 1 } },
		{ .flags = LSOE_ENCAP_LOOPBACK, .prefix_len = 32, .addr = { 10, 0, 0, 1 } },
		{ .flags = LSOE_ENCAP_PRIMARY | LSOE_ENCAP_LOOPBACK, .prefix_len = 0, .addr = { 0, 0, 0, 0 } },
		{ .flags = 0x3F, .prefix_len = 31, .addr = { 198, 51, 100, 7 } }, /* reserved bits: carried */
	};
	struct lsoe_pdu p = { .type = LSOE_PDU_IPV4_ENCAP };
	p.u.encap.count = 4;
	p.u.encap.entries = e;
	const char *hex = "04 00 1d 00 04 80 c0 00 02 01 18 40 0a 00 00 01 20 c0 00 00 00 00 00 3f c6 33 64 07 1f";
	expect_bytes(encode_ok(&p), hex);

	struct lsoe_pdu d;
	uint8_t *c;
	hex_roundtrip(hex, &d, &c);
	assert_int_equal(d.u.encap.count, 4);
	assert_ptr_equal(d.u.encap.wire, c + 5);
	assert_int_equal(d.u.encap.wire_len, 24);
	assert_null(d.u.encap.entries);
	assert_int_equal(collect_entries(&d), 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(iter_entries[i].flags, e[i].flags);
		assert_int_equal(iter_entries[i].prefix_len, e[i].prefix_len);
		assert_int_equal(iter_entries[i].nlabels, 0);
		assert_memory_equal(iter_entries[i].addr, e[i].addr, 16); /* IPv4 in addr[0..3], rest zero */
	}
	assert_true(iter_entries[0].flags & LSOE_ENCAP_PRIMARY);
	assert_false(iter_entries[0].flags & LSOE_ENCAP_LOOPBACK);
	assert_true(iter_entries[1].flags & LSOE_ENCAP_LOOPBACK);
	assert_false(iter_entries[1].flags & LSOE_ENCAP_PRIMARY);
	free(c);
}

static void test_encap_ipv6(void **state)
{
	(void)state;
	const struct lsoe_encap e[] = {
		{ .flags = LSOE_ENCAP_PRIMARY, .prefix_len = 64,
		    .addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } },
		{ .flags = LSOE_ENCAP_LOOPBACK, .prefix_len = 128,
		    .addr = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } },
		{ .flags = 0x3F, .prefix_len = 0 },
	};
	struct lsoe_pdu p = { .type = LSOE_PDU_IPV6_ENCAP };
	p.u.encap.count = 3;
	p.u.encap.entries = e;
	const char *hex = "05 00 3b 00 03 80 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 40 40 fe 80 00 00 00 00 00 "
	                  "00 00 00 00 00 00 00 00 01 80 3f 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
	expect_bytes(encode_ok(&p), hex);

	struct lsoe_pdu d;
	uint8_t *c;
	hex_roundtrip(hex, &d, &c);
	assert_int_equal(d.length, 59);
	assert_int_equal(collect_entries(&d), 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(iter_entries[i].flags, e[i].flags);
		assert_int_equal(iter_entries[i].prefix_len, e[i].prefix_len);
		assert_memory_equal(iter_entries[i].addr, e[i].addr, 16);
	}
	free(c);
}

/* Three MPLS-IPv4 entries with 0, 1 and 3 labels (checked against an independent encoder). */
static const char MPLS4_HEX[] = "06 00 26 00 03 80 00 0a 01 01 01 1f 00 01 00 01 01 0a 01 02 01 1e 40 03 00 3e 8a ff ff fe 00 00 31 c0 00 02 09 20";

static void test_encap_mpls_ipv4(void **state)
{
	(void)state;
	uint8_t l1[3], l3[9];
	lsoe_label_put(l1, 0, 16, 0, true);
	lsoe_label_put(l3, 0, 1000, 5, false);
	lsoe_label_put(l3, 1, 0xFFFFF, 7, false);
	lsoe_label_put(l3, 2, 3, 0, true);
	const struct lsoe_encap e[] = {
		{ .flags = LSOE_ENCAP_PRIMARY, .prefix_len = 31, .nlabels = 0, .addr = { 10, 1, 1, 1 } },
		{ .flags = 0, .prefix_len = 30, .nlabels = 1, .labels = l1, .addr = { 10, 1, 2, 1 } },
		{ .flags = LSOE_ENCAP_LOOPBACK, .prefix_len = 32, .nlabels = 3, .labels = l3, .addr = { 192, 0, 2, 9 } },
	};
	struct lsoe_pdu p = { .type = LSOE_PDU_MPLS_IPV4_ENCAP };
	p.u.encap.count = 3;
	p.u.encap.entries = e;
	const char *hex = MPLS4_HEX;
	expect_bytes(encode_ok(&p), hex);

	struct lsoe_pdu d;
	uint8_t *c;
	hex_roundtrip(hex, &d, &c);
	assert_int_equal(collect_entries(&d), 3);
	const struct lsoe_encap *g = iter_entries;
	assert_int_equal(g[0].nlabels, 0);
	assert_int_equal(g[0].flags, LSOE_ENCAP_PRIMARY);
	assert_int_equal(g[0].prefix_len, 31);
	assert_memory_equal(g[0].addr, e[0].addr, 16);

	assert_int_equal(g[1].nlabels, 1);
	assert_ptr_equal(g[1].labels, c + 5 + 7 + 2);
	assert_int_equal(lsoe_label_value(g[1].labels, 0), 16);
	assert_int_equal(lsoe_label_tc(g[1].labels, 0), 0);
	assert_true(lsoe_label_bos(g[1].labels, 0));
	assert_memory_equal(g[1].addr, e[1].addr, 16);
	assert_int_equal(g[1].prefix_len, 30);

	assert_int_equal(g[2].nlabels, 3);
	assert_int_equal(lsoe_label_value(g[2].labels, 0), 1000);
	assert_int_equal(lsoe_label_tc(g[2].labels, 0), 5);
	assert_false(lsoe_label_bos(g[2].labels, 0));
	assert_int_equal(lsoe_label_value(g[2].labels, 1), 0xFFFFF);
	assert_int_equal(lsoe_label_tc(g[2].labels, 1), 7);
	assert_false(lsoe_label_bos(g[2].labels, 1));
	assert_int_equal(lsoe_label_value(g[2].labels, 2), 3);
	assert_int_equal(lsoe_label_tc(g[2].labels, 2), 0);
	assert_true(lsoe_label_bos(g[2].labels, 2));
	assert_int_equal(lsoe_label_raw(g[2].labels, 1), 0xFFFFFE);
	assert_int_equal(g[2].flags, LSOE_ENCAP_LOOPBACK);
	assert_int_equal(g[2].prefix_len, 32);
	assert_memory_equal(g[2].addr, e[2].addr, 16);
	free(c);
}

static void test_encap_mpls_ipv6(void **state)
{
	(void)state;
	uint8_t l2[6];
	lsoe_label_put(l2, 0, 299792, 3, false);
	lsoe_label_put(l2, 1, 24001, 0, true);
	const struct lsoe_encap e[] = {
		{ .flags = LSOE_ENCAP_PRIMARY, .prefix_len = 64, .nlabels = 2, .labels = l2,
		    .addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } },
		{ .flags = LSOE_ENCAP_LOOPBACK, .prefix_len = 128, .nlabels = 0,
		    .addr = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } },
	};
	struct lsoe_pdu p = { .type = LSOE_PDU_MPLS_IPV6_ENCAP };
	p.u.encap.count = 2;
	p.u.encap.entries = e;
	const char *hex = "07 00 31 00 02 80 02 49 31 06 05 dc 11 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 40 "
	                  "40 00 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01 80";
	expect_bytes(encode_ok(&p), hex);

	struct lsoe_pdu d;
	uint8_t *c;
	hex_roundtrip(hex, &d, &c);
	assert_int_equal(collect_entries(&d), 2);
	assert_int_equal(iter_entries[0].nlabels, 2);
	assert_int_equal(lsoe_label_value(iter_entries[0].labels, 0), 299792);
	assert_int_equal(lsoe_label_tc(iter_entries[0].labels, 0), 3);
	assert_false(lsoe_label_bos(iter_entries[0].labels, 0));
	assert_int_equal(lsoe_label_value(iter_entries[0].labels, 1), 24001);
	assert_true(lsoe_label_bos(iter_entries[0].labels, 1));
	assert_memory_equal(iter_entries[0].addr, e[0].addr, 16);
	assert_int_equal(iter_entries[0].prefix_len, 64);
	assert_int_equal(iter_entries[1].nlabels, 0);
	assert_memory_equal(iter_entries[1].addr, e[1].addr, 16);
	assert_int_equal(iter_entries[1].prefix_len, 128);
	free(c);
}

static void test_encap_mpls_many_labels(void **state)
{
	(void)state;
	/* 255 labels (the most a Label Count can say) on one entry of each MPLS type. */
	static uint8_t labels[255 * 3];
	for (unsigned i = 0; i < 255; i++)
		lsoe_label_put(labels, i, 0x10000u + i, i % 8u, i == 254);
	for (unsigned type = LSOE_PDU_MPLS_IPV4_ENCAP; type <= LSOE_PDU_MPLS_IPV6_ENCAP; type++) {
		struct lsoe_encap e[2] = {
			{ .flags = 0, .prefix_len = 8, .nlabels = 255, .labels = labels, .addr = { 10 } },
			{ .flags = LSOE_ENCAP_PRIMARY, .prefix_len = 16, .nlabels = 1, .labels = labels + 3 * 254,
			    .addr = { 172, 16 } },
		};
		struct lsoe_pdu p = { .type = (uint8_t)type };
		p.u.encap.count = 2;
		p.u.encap.entries = e;
		size_t n = encode_ok(&p);
		assert_int_equal(n, 5 + lsoe_encap_entry_len(type, 255) + lsoe_encap_entry_len(type, 1));
		static uint8_t copy[2048];
		memcpy(copy, out_buf, n);
		struct lsoe_pdu d;
		uint8_t *c = roundtrip(copy, n, &d);
		assert_int_equal(collect_entries(&d), 2);
		assert_int_equal(iter_entries[0].nlabels, 255);
		for (unsigned i = 0; i < 255; i++) {
			assert_int_equal(lsoe_label_value(iter_entries[0].labels, i), 0x10000u + i);
			assert_int_equal(lsoe_label_tc(iter_entries[0].labels, i), i % 8u);
			assert_int_equal(lsoe_label_bos(iter_entries[0].labels, i), i == 254);
		}
		assert_int_equal(iter_entries[1].nlabels, 1);
		assert_int_equal(lsoe_label_value(iter_entries[1].labels, 0), 0x10000u + 254);
		assert_int_equal(iter_entries[1].addr[0], 172);
		free(c);
	}
}

static void test_labels(void **state)
{
	(void)state;
	static const uint32_t values[] = { 0, 1, 3, 15, 16, 1000, 0x7FFFF, 0x80000, 0xFFFFE, 0xFFFFF };
	uint8_t l[6];
	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		for (unsigned tc = 0; tc < 8; tc++) {
			for (int bos = 0; bos <= 1; bos++) {
				memset(l, 0xEE, sizeof(l));
				lsoe_label_put(l, 1, values[v], tc, bos != 0);
				assert_int_equal(l[0], 0xEE); /* index 1 writes octets 3..5 only */
				assert_int_equal(lsoe_label_value(l, 1), values[v]);
				assert_int_equal(lsoe_label_tc(l, 1), tc);
				assert_int_equal(lsoe_label_bos(l, 1), bos != 0);
				assert_int_equal(lsoe_label_raw(l, 1), values[v] << 4 | tc << 1 | (unsigned)bos);
			}
		}
	}
	/* Exact octets: label 16, TC 0, S = 00 01 01; the 20-bit maximum with TC 7, S = ff ff ff. */
	lsoe_label_put(l, 0, 16, 0, true);
	assert_int_equal(l[0], 0x00);
	assert_int_equal(l[1], 0x01);
	assert_int_equal(l[2], 0x01);
	lsoe_label_put(l, 0, 0xFFFFF, 7, true);
	assert_int_equal(l[0], 0xff);
	assert_int_equal(l[1], 0xff);
	assert_int_equal(l[2], 0xff);
	/* Out-of-range inputs are masked to their field widths. */
	lsoe_label_put(l, 0, 0x123456, 9, false);
	assert_int_equal(lsoe_label_value(l, 0), 0x23456);
	assert_int_equal(lsoe_label_tc(l, 0), 1);
	assert_false(lsoe_label_bos(l, 0));
}

static void test_encap_empty_lists(void **state)
{
	(void)state;
	for (unsigned type = LSOE_PDU_IPV4_ENCAP; type <= LSOE_PDU_MPLS_IPV6_ENCAP; type++) {
		static const struct lsoe_encap none[1];
		/* Count 0 with no entries array and with one. */
		for (int with_array = 0; with_array <= 1; with_array++) {
			struct lsoe_pdu p = { .type = (uint8_t)type };
			p.u.encap.count = 0;
			p.u.encap.entries = with_array ? none : NULL;
			size_t n = encode_ok(&p);
			assert_int_equal(n, 5);
			const uint8_t want[5] = { (uint8_t)type, 0x00, 0x05, 0x00, 0x00 };
			assert_memory_equal(out_buf, want, 5);
		}
		const uint8_t b[5] = { (uint8_t)type, 0x00, 0x05, 0x00, 0x00 };
		struct lsoe_pdu d;
		uint8_t *c = roundtrip(b, 5, &d);
		assert_int_equal(d.u.encap.count, 0);
		assert_int_equal(d.u.encap.wire_len, 0);
		struct lsoe_encap_iter it;
		struct lsoe_encap e;
		lsoe_encap_iter_init(&it, &d);
		assert_false(lsoe_encap_iter_next(&it, &e));
		free(c);
	}
}

static void test_vendor(void **state)
{
	(void)state;
	static const uint8_t data[] = { 0x01, 0x02, 0x03 };
	struct lsoe_pdu p = { .type = LSOE_PDU_VENDOR };
	p.u.vendor.enterprise = 32473; /* 0x7ED9, the documentation PEN (RFC 5612) */
	p.u.vendor.ent_type = 7;
	p.u.vendor.data = data;
	p.u.vendor.data_len = 3;
	expect_bytes(encode_ok(&p), "ff 00 0b 00 00 7e d9 07 01 02 03");
	struct lsoe_pdu d;
	uint8_t *c;
	hex_roundtrip("ff 00 0b 00 00 7e d9 07 01 02 03", &d, &c);
	assert_int_equal(d.type, LSOE_PDU_VENDOR);
	assert_int_equal(d.u.vendor.enterprise, 32473);
	assert_int_equal(d.u.vendor.ent_type, 7);
	assert_int_equal(d.u.vendor.data_len, 3);
	assert_ptr_equal(d.u.vendor.data, c + 8);
	assert_memory_equal(d.u.vendor.data, data, 3);
	free(c);

	/* Without data. */
	p.u.vendor.data = NULL;
	p.u.vendor.data_len = 0;
	p.u.vendor.enterprise = 0xFFFFFFFFu;
	p.u.vendor.ent_type = 0xFF;
	expect_bytes(encode_ok(&p), "ff 00 08 ff ff ff ff ff");
	hex_roundtrip("ff 00 08 ff ff ff ff ff", &d, &c);
	assert_int_equal(d.u.vendor.enterprise, 0xFFFFFFFFu);
	assert_int_equal(d.u.vendor.ent_type, 0xFF);
	assert_int_equal(d.u.vendor.data_len, 0);
	free(c);
}

/* ================= the digest's vectors (2.5, 3.2, 3.4) ================= */

static void test_spec_vectors(void **state)
{
	(void)state;
	struct lsoe_pdu d;
	uint8_t b[64];
	size_t n;
	struct lsoe_dgram g;

	/* HELLO, KEEPALIVE as datagrams; their PDUs are 00 00 03 and 02 00 03. */
	n = test_hex("00 80 00 0b ea 89 ca 1c 00 00 03", b, sizeof(b));
	assert_int_equal(lsoe_dgram_decode(b, n, &g), LSOE_OK);
	assert_int_equal(lsoe_pdu_decode(g.payload, g.payload_len, &d), LSOE_OK);
	assert_int_equal(d.type, LSOE_PDU_HELLO);
	assert_int_equal(d.length, 3);
	n = test_hex("00 80 00 0b 50 89 ca 1c 02 00 03", b, sizeof(b));
	assert_int_equal(lsoe_dgram_decode(b, n, &g), LSOE_OK);
	assert_int_equal(lsoe_pdu_decode(g.payload, g.payload_len, &d), LSOE_OK);
	assert_int_equal(d.type, LSOE_PDU_KEEPALIVE);
	assert_int_equal(d.length, 3);

	/* ACK of OPEN, no error. */
	n = test_hex("00 80 00 10 6e 2d 9f 06 03 00 08 01 00 00 00 00", b, sizeof(b));
	assert_int_equal(lsoe_dgram_decode(b, n, &g), LSOE_OK);
	assert_int_equal(lsoe_pdu_decode(g.payload, g.payload_len, &d), LSOE_OK);
	assert_int_equal(d.type, LSOE_PDU_ACK);
	assert_int_equal(d.length, 8);
	assert_int_equal(d.u.ack.pdu_type, LSOE_PDU_OPEN);
	assert_int_equal(d.u.ack.etype, LSOE_ETYPE_NONE);
	assert_int_equal(d.u.ack.code, 0);
	assert_int_equal(d.u.ack.hint, 0);
	struct lsoe_pdu ack = { .type = LSOE_PDU_ACK, .u.ack = { .pdu_type = LSOE_PDU_OPEN } };
	n = encode_ok(&ack);
	assert_memory_equal(out_buf, g.payload, 8);

	/* OPEN, nonce de ad be ef, ID 00 00 00 00 00 00 c0 00 02 01, 0 attrs, no auth. */
	n = test_hex("00 80 00 1c ba da ab f7 01 00 14 de ad be ef " ID_HEX " 00 00 00", b, sizeof(b));
	assert_int_equal(lsoe_dgram_decode(b, n, &g), LSOE_OK);
	assert_int_equal(lsoe_pdu_decode(g.payload, g.payload_len, &d), LSOE_OK);
	assert_int_equal(d.type, LSOE_PDU_OPEN);
	assert_int_equal(d.length, 20);
	assert_int_equal(d.u.open.nonce, 0xdeadbeefu);
	assert_memory_equal(d.u.open.local_id, test_id, LSOE_LOCAL_ID_LEN);
	assert_int_equal(d.u.open.attr_count, 0);
	assert_int_equal(d.u.open.auth_len, 0);
	struct lsoe_pdu open = { .type = LSOE_PDU_OPEN, .u.open = { .nonce = 0xdeadbeefu } };
	memcpy(open.u.open.local_id, test_id, LSOE_LOCAL_ID_LEN);
	n = encode_ok(&open);
	assert_int_equal(n, 20);
	assert_memory_equal(out_buf, g.payload, 20);

	/* IPv4 Encap, 1 entry: primary, 192.0.2.1/24. */
	n = test_hex("00 80 00 13 20 a3 bf 76 04 00 0b 00 01 80 c0 00 02 01 18", b, sizeof(b));
	assert_int_equal(lsoe_dgram_decode(b, n, &g), LSOE_OK);
	assert_int_equal(lsoe_pdu_decode(g.payload, g.payload_len, &d), LSOE_OK);
	assert_int_equal(d.type, LSOE_PDU_IPV4_ENCAP);
	assert_int_equal(d.length, 11);
	assert_int_equal(d.u.encap.count, 1);
	assert_int_equal(collect_entries(&d), 1);
	assert_int_equal(iter_entries[0].flags, LSOE_ENCAP_PRIMARY);
	static const uint8_t a4[16] = { 192, 0, 2, 1 };
	assert_memory_equal(iter_entries[0].addr, a4, 16);
	assert_int_equal(iter_entries[0].prefix_len, 24);
	struct lsoe_pdu enc = { .type = LSOE_PDU_IPV4_ENCAP };
	enc.u.encap.count = 1;
	enc.u.encap.entries = iter_entries;
	n = encode_ok(&enc);
	assert_int_equal(n, 11);
	assert_memory_equal(out_buf, g.payload, 11);
}

/* ================= validation: every rule, its own code ================= */

struct bad {
	const char *hex;
	enum lsoe_err want;
};

static void run_bad(const struct bad *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_decode(t[i].hex, t[i].want);
}

#define RUN_BAD(t) run_bad(t, sizeof(t) / sizeof(t[0]))

static void test_bad_pdu_short(void **state)
{
	(void)state;
	static const struct bad t[] = {
		{ "", LSOE_E_PDU_SHORT },
		{ "00", LSOE_E_PDU_SHORT },
		{ "00 00", LSOE_E_PDU_SHORT },
		{ "02 00", LSOE_E_PDU_SHORT },
		{ "ff ff", LSOE_E_PDU_SHORT },
	};
	RUN_BAD(t);
}

static void test_bad_pdu_length(void **state)
{
	(void)state;
	static const struct bad t[] = {
		/* Length field larger than the buffer. */
		{ "00 00 04", LSOE_E_PDU_LENGTH },
		{ "02 ff ff", LSOE_E_PDU_LENGTH },
		{ "03 00 09 01 00 00 00 00", LSOE_E_PDU_LENGTH },
		{ "04 00 0c 00 01 80 c0 00 02 01 18", LSOE_E_PDU_LENGTH },
		{ "01 00 15 de ad be ef " ID_HEX " 00 00 00", LSOE_E_PDU_LENGTH },
		/* Length field smaller than the buffer. */
		{ "00 00 03 00", LSOE_E_PDU_LENGTH },
		{ "03 00 07 01 00 00 00 00", LSOE_E_PDU_LENGTH },
		{ "ff 00 08 00 00 00 00 00 00", LSOE_E_PDU_LENGTH },
		/* Below the header size. */
		{ "00 00 00", LSOE_E_PDU_LENGTH },
		{ "00 00 02", LSOE_E_PDU_LENGTH },
		{ "02 00 02 00", LSOE_E_PDU_LENGTH },
		/* Checked before the type: an unknown type with a bad length is a length error. */
		{ "08 00 04", LSOE_E_PDU_LENGTH },
	};
	RUN_BAD(t);
}

static void test_bad_unknown_type(void **state)
{
	(void)state;
	static const struct bad t[] = {
		{ "08 00 03", LSOE_E_PDU_UNKNOWN_TYPE },
		{ "64 00 03", LSOE_E_PDU_UNKNOWN_TYPE }, /* 100 */
		{ "fe 00 03", LSOE_E_PDU_UNKNOWN_TYPE }, /* 254 */
		{ "08 00 05 00 00", LSOE_E_PDU_UNKNOWN_TYPE },
		{ "fe 00 08 00 00 00 00 00", LSOE_E_PDU_UNKNOWN_TYPE },
	};
	RUN_BAD(t);
	/* Every type from 8 to 254. */
	for (unsigned type = 8; type <= 254; type++) {
		uint8_t b[3] = { (uint8_t)type, 0x00, 0x03 };
		struct lsoe_pdu d;
		assert_int_equal(lsoe_pdu_decode(b, 3, &d), LSOE_E_PDU_UNKNOWN_TYPE);
		assert_int_equal(d.type, type);
		assert_int_equal(d.length, 3);
	}
}

static void test_bad_hello_keepalive_length(void **state)
{
	(void)state;
	static const struct bad t[] = {
		{ "00 00 04 00", LSOE_E_HELLO_LENGTH },
		{ "00 00 05 00 00", LSOE_E_HELLO_LENGTH },
		{ "00 00 0b 00 00 00 00 00 00 00 00", LSOE_E_HELLO_LENGTH },
		{ "02 00 04 00", LSOE_E_KEEPALIVE_LENGTH },
		{ "02 00 08 00 00 00 00 00", LSOE_E_KEEPALIVE_LENGTH },
	};
	RUN_BAD(t);
}

static void test_bad_open(void **state)
{
	(void)state;
	static const struct bad t[] = {
		/* Shorter than 20 octets. */
		{ "01 00 03", LSOE_E_OPEN_SHORT },
		{ "01 00 07 de ad be ef", LSOE_E_OPEN_SHORT },
		{ "01 00 11 de ad be ef " ID_HEX, LSOE_E_OPEN_SHORT },                 /* 17: no attr count */
		{ "01 00 13 de ad be ef " ID_HEX " 00 00", LSOE_E_OPEN_SHORT },        /* 19 */
		/* Attribute count overruns the PDU. */
		{ "01 00 14 de ad be ef " ID_HEX " 01 00 00", LSOE_E_OPEN_LENGTH },
		{ "01 00 14 de ad be ef " ID_HEX " ff 00 00", LSOE_E_OPEN_LENGTH },
		{ "01 00 16 de ad be ef " ID_HEX " 03 0a 0b 0c 00", LSOE_E_OPEN_LENGTH }, /* no room for auth len */
		/* Auth length overruns the PDU. */
		{ "01 00 14 de ad be ef " ID_HEX " 00 00 01", LSOE_E_OPEN_LENGTH },
		{ "01 00 14 de ad be ef " ID_HEX " 00 ff ff", LSOE_E_OPEN_LENGTH },
		{ "01 00 17 de ad be ef " ID_HEX " 01 0a 00 03 aa bb", LSOE_E_OPEN_LENGTH },
		/* Trailing octets after the auth data. */
		{ "01 00 15 de ad be ef " ID_HEX " 00 00 00 ff", LSOE_E_OPEN_LENGTH },
		{ "01 00 17 de ad be ef " ID_HEX " 01 0a 00 01 aa bb", LSOE_E_OPEN_LENGTH },
		{ "01 00 16 de ad be ef " ID_HEX " 01 0a 00 00 00", LSOE_E_OPEN_LENGTH },
	};
	RUN_BAD(t);
	/* The same with consistent counts is fine. */
	expect_decode("01 00 17 de ad be ef " ID_HEX " 01 0a 00 02 aa bb", LSOE_OK);
	expect_decode("01 00 17 de ad be ef " ID_HEX " 03 0a 0b 0c 00 00", LSOE_OK);
}

static void test_bad_ack(void **state)
{
	(void)state;
	static const struct bad t[] = {
		{ "03 00 03", LSOE_E_ACK_LENGTH },
		{ "03 00 07 01 00 00 00", LSOE_E_ACK_LENGTH },
		{ "03 00 09 01 00 00 00 00 00", LSOE_E_ACK_LENGTH },
		/* ACK of a type that is never ACKed. */
		{ "03 00 08 00 00 00 00 00", LSOE_E_ACK_PDU_TYPE }, /* HELLO */
		{ "03 00 08 02 00 00 00 00", LSOE_E_ACK_PDU_TYPE }, /* KEEPALIVE */
		{ "03 00 08 03 00 00 00 00", LSOE_E_ACK_PDU_TYPE }, /* ACK */
		{ "03 00 08 08 00 00 00 00", LSOE_E_ACK_PDU_TYPE }, /* reserved 8 */
		{ "03 00 08 fe 00 00 00 00", LSOE_E_ACK_PDU_TYPE }, /* reserved 254 */
		{ "03 00 08 02 1a bc 12 34", LSOE_E_ACK_PDU_TYPE }, /* with an error, still */
		/* EType 0 with a non-zero code or hint. */
		{ "03 00 08 01 00 01 00 00", LSOE_E_ACK_NOERROR_NONZERO },
		{ "03 00 08 01 08 00 00 00", LSOE_E_ACK_NOERROR_NONZERO }, /* code 0x800: the top code bit */
		{ "03 00 08 04 0f ff 00 00", LSOE_E_ACK_NOERROR_NONZERO },
		{ "03 00 08 ff 00 00 00 01", LSOE_E_ACK_NOERROR_NONZERO }, /* hint 1 */
		{ "03 00 08 05 00 00 80 00", LSOE_E_ACK_NOERROR_NONZERO }, /* hint 0x8000 */
	};
	RUN_BAD(t);
	/* ACK of every one of the 256 type values: exactly the six ACKed types pass. */
	for (unsigned type = 0; type < 256; type++) {
		uint8_t b[8] = { 0x03, 0x00, 0x08, (uint8_t)type, 0, 0, 0, 0 };
		struct lsoe_pdu d;
		enum lsoe_err want = lsoe_pdu_type_is_acked(type) ? LSOE_OK : LSOE_E_ACK_PDU_TYPE;
		assert_int_equal(lsoe_pdu_decode(b, 8, &d), want);
	}
}

static void test_bad_encap_short(void **state)
{
	(void)state;
	static const struct bad t[] = {
		{ "04 00 03", LSOE_E_ENCAP_SHORT },
		{ "04 00 04 00", LSOE_E_ENCAP_SHORT },
		{ "05 00 03", LSOE_E_ENCAP_SHORT },
		{ "05 00 04 00", LSOE_E_ENCAP_SHORT },
		{ "06 00 03", LSOE_E_ENCAP_SHORT },
		{ "06 00 04 00", LSOE_E_ENCAP_SHORT },
		{ "07 00 03", LSOE_E_ENCAP_SHORT },
		{ "07 00 04 00", LSOE_E_ENCAP_SHORT },
	};
	RUN_BAD(t);
}

#define V6A "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"

static void test_bad_encap_truncated(void **state)
{
	(void)state;
	static const struct bad t[] = {
		/* Count larger than the entries present. */
		{ "04 00 05 00 01", LSOE_E_ENCAP_TRUNCATED },
		{ "04 00 0b 00 02 80 c0 00 02 01 18", LSOE_E_ENCAP_TRUNCATED },
		{ "04 00 0b ff ff 80 c0 00 02 01 18", LSOE_E_ENCAP_TRUNCATED },
		{ "05 00 05 00 01", LSOE_E_ENCAP_TRUNCATED },
		{ "05 00 17 00 02 80 " V6A " 40", LSOE_E_ENCAP_TRUNCATED },
		{ "06 00 05 00 01", LSOE_E_ENCAP_TRUNCATED },
		{ "06 00 0c 00 02 80 00 c0 00 02 01 18", LSOE_E_ENCAP_TRUNCATED },
		{ "07 00 05 00 01", LSOE_E_ENCAP_TRUNCATED },
		{ "07 00 18 00 02 80 00 " V6A " 40", LSOE_E_ENCAP_TRUNCATED },
		/* A partial entry. */
		{ "04 00 0a 00 01 80 c0 00 02 01", LSOE_E_ENCAP_TRUNCATED },
		{ "05 00 16 00 01 80 " V6A, LSOE_E_ENCAP_TRUNCATED },
		{ "06 00 06 00 01 80", LSOE_E_ENCAP_TRUNCATED }, /* no label count */
		{ "06 00 0b 00 01 80 00 c0 00 02 01", LSOE_E_ENCAP_TRUNCATED },
		/* MPLS label count overrunning the PDU. */
		{ "06 00 0c 00 01 80 01 c0 00 02 01 18", LSOE_E_ENCAP_TRUNCATED },
		{ "06 00 0f 00 01 80 05 00 01 01 c0 00 02 01 18", LSOE_E_ENCAP_TRUNCATED },
		{ "06 00 0f 00 01 80 ff 00 01 01 c0 00 02 01 18", LSOE_E_ENCAP_TRUNCATED },
		{ "07 00 18 00 01 80 01 " V6A " 40", LSOE_E_ENCAP_TRUNCATED },
		/* ... in the second entry. */
		{ "06 00 15 00 02 80 01 00 01 01 c0 00 02 01 18 00 02 00 01 01 0a", LSOE_E_ENCAP_TRUNCATED },
	};
	RUN_BAD(t);
}

static void test_bad_encap_trailing(void **state)
{
	(void)state;
	static const struct bad t[] = {
		{ "04 00 06 00 00 00", LSOE_E_ENCAP_TRAILING },
		{ "04 00 0c 00 01 80 c0 00 02 01 18 00", LSOE_E_ENCAP_TRAILING },
		{ "04 00 11 00 01 80 c0 00 02 01 18 80 c0 00 02 02 18", LSOE_E_ENCAP_TRAILING },
		{ "05 00 18 00 01 80 " V6A " 40 00", LSOE_E_ENCAP_TRAILING },
		{ "06 00 06 00 00 00", LSOE_E_ENCAP_TRAILING },
		/* Label count 0 but a label present: the entry ends early, the rest is left over. */
		{ "06 00 0f 00 01 80 00 00 01 01 c0 00 02 01 18", LSOE_E_ENCAP_TRAILING },
		{ "07 00 1a 00 01 80 00 " V6A " 40 00 00", LSOE_E_ENCAP_TRAILING },
	};
	RUN_BAD(t);
}

static void test_bad_encap_prefix_len(void **state)
{
	(void)state;
	static const struct bad t[] = {
		{ "04 00 0b 00 01 80 c0 00 02 01 21", LSOE_E_ENCAP_PREFIX_LEN },  /* 33 */
		{ "04 00 0b 00 01 80 c0 00 02 01 ff", LSOE_E_ENCAP_PREFIX_LEN },  /* 255 */
		{ "04 00 11 00 02 80 c0 00 02 01 18 00 c0 00 02 02 21", LSOE_E_ENCAP_PREFIX_LEN }, /* 2nd */
		{ "05 00 17 00 01 80 " V6A " 81", LSOE_E_ENCAP_PREFIX_LEN },     /* 129 */
		{ "05 00 17 00 01 80 " V6A " ff", LSOE_E_ENCAP_PREFIX_LEN },
		{ "06 00 0c 00 01 80 00 c0 00 02 01 21", LSOE_E_ENCAP_PREFIX_LEN },
		{ "06 00 0f 00 01 80 01 00 01 01 c0 00 02 01 21", LSOE_E_ENCAP_PREFIX_LEN },
		{ "07 00 18 00 01 80 00 " V6A " 81", LSOE_E_ENCAP_PREFIX_LEN },
		{ "07 00 1b 00 01 80 01 00 01 01 " V6A " 81", LSOE_E_ENCAP_PREFIX_LEN },
		/* An IPv4 prefix length valid for IPv6 is still wrong in an IPv4 list. */
		{ "04 00 0b 00 01 80 c0 00 02 01 40", LSOE_E_ENCAP_PREFIX_LEN },
		{ "06 00 0c 00 01 80 00 c0 00 02 01 80", LSOE_E_ENCAP_PREFIX_LEN },
		/* A bad prefix before a truncation is reported first (entries are checked in order). */
		{ "04 00 0b 00 02 80 c0 00 02 01 21", LSOE_E_ENCAP_PREFIX_LEN },
	};
	RUN_BAD(t);
	/* The maxima are accepted (and round-trip). */
	static const char *const ok[] = {
		"04 00 0b 00 01 80 c0 00 02 01 20",
		"04 00 0b 00 01 80 c0 00 02 01 00",
		"05 00 17 00 01 80 " V6A " 80",
		"06 00 0c 00 01 80 00 c0 00 02 01 20",
		"06 00 0f 00 01 80 01 00 01 01 c0 00 02 01 20",
		"07 00 18 00 01 80 00 " V6A " 80",
		"07 00 1b 00 01 80 01 00 01 01 " V6A " 80",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct lsoe_pdu d;
		uint8_t *c;
		hex_roundtrip(ok[i], &d, &c);
		assert_int_equal(collect_entries(&d), 1);
		assert_int_equal(iter_entries[0].prefix_len, c[d.length - 1]);
		free(c);
	}
}

static void test_bad_vendor(void **state)
{
	(void)state;
	static const struct bad t[] = {
		{ "ff 00 03", LSOE_E_VENDOR_SHORT },
		{ "ff 00 04 00", LSOE_E_VENDOR_SHORT },
		{ "ff 00 07 00 00 7e d9", LSOE_E_VENDOR_SHORT },
	};
	RUN_BAD(t);
	expect_decode("ff 00 08 00 00 7e d9 00", LSOE_OK);
}

/* Every strict prefix of a valid PDU is rejected (the length field no longer matches). */
static void test_bad_every_truncation(void **state)
{
	(void)state;
	static const char *const valid[] = {
		"00 00 03",
		"01 00 1c 01 02 03 04 10 11 12 13 14 15 16 17 18 19 03 01 02 fe 00 05 aa bb cc dd ee",
		"03 00 08 04 2a bc 12 34",
		MPLS4_HEX,
		"ff 00 0b 00 00 7e d9 07 01 02 03",
	};
	for (size_t v = 0; v < sizeof(valid) / sizeof(valid[0]); v++) {
		size_t n = test_hex(valid[v], hex_buf, sizeof(hex_buf));
		for (size_t k = 0; k < n; k++) {
			uint8_t *c = dup_exact(hex_buf, k);
			struct lsoe_pdu d;
			assert_int_equal(lsoe_pdu_decode(c, k, &d), k < 3 ? LSOE_E_PDU_SHORT : LSOE_E_PDU_LENGTH);
			free(c);
		}
	}
}

/* ================= encoder refusals ================= */

static void test_encode_bad_prefix(void **state)
{
	(void)state;
	uint8_t l[3];
	lsoe_label_put(l, 0, 100, 0, true);
	static const struct {
		uint8_t type;
		uint8_t bad, good;
	} t[] = {
		{ LSOE_PDU_IPV4_ENCAP, 33, 32 },
		{ LSOE_PDU_IPV6_ENCAP, 129, 128 },
		{ LSOE_PDU_MPLS_IPV4_ENCAP, 33, 32 },
		{ LSOE_PDU_MPLS_IPV6_ENCAP, 129, 128 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct lsoe_encap e[2] = {
			{ .prefix_len = 8, .nlabels = 1, .labels = l, .addr = { 10 } },
			{ .prefix_len = t[i].bad, .addr = { 10, 1 } },
		};
		struct lsoe_pdu p = { .type = t[i].type };
		p.u.encap.count = 2;
		p.u.encap.entries = e;
		encode_fails(&p, LSOE_E_ENCAP_PREFIX_LEN);
		e[1].prefix_len = 255;
		encode_fails(&p, LSOE_E_ENCAP_PREFIX_LEN);
		e[1].prefix_len = t[i].good;
		size_t n = encode_ok(&p);
		assert_int_equal(out_buf[n - 1], t[i].good);
	}
	/* An IPv6 prefix length in an IPv4 list. */
	struct lsoe_encap e4 = { .prefix_len = 64 };
	struct lsoe_pdu p = { .type = LSOE_PDU_IPV4_ENCAP };
	p.u.encap.count = 1;
	p.u.encap.entries = &e4;
	encode_fails(&p, LSOE_E_ENCAP_PREFIX_LEN);
}

static void test_encode_bad_ack(void **state)
{
	(void)state;
	static const uint8_t not_acked[] = { 0, 2, 3, 8, 100, 254 };
	for (size_t i = 0; i < sizeof(not_acked); i++) {
		struct lsoe_pdu p = { .type = LSOE_PDU_ACK, .u.ack = { .pdu_type = not_acked[i] } };
		encode_fails(&p, LSOE_E_ACK_PDU_TYPE);
		p.u.ack.etype = 1;
		p.u.ack.code = 1;
		encode_fails(&p, LSOE_E_ACK_PDU_TYPE);
	}
	/* EType 0 with a code or a hint. */
	struct lsoe_pdu p = { .type = LSOE_PDU_ACK, .u.ack = { .pdu_type = 1, .etype = 0, .code = 1 } };
	encode_fails(&p, LSOE_E_ACK_NOERROR_NONZERO);
	p.u.ack.code = 0;
	p.u.ack.hint = 0x8000;
	encode_fails(&p, LSOE_E_ACK_NOERROR_NONZERO);
	p.u.ack.hint = 0;
	expect_bytes(encode_ok(&p), "03 00 08 01 00 00 00 00");
	/* Fields wider than their wire widths. */
	p.u.ack.etype = 16;
	encode_fails(&p, LSOE_E_INVALID);
	p.u.ack.etype = 1;
	p.u.ack.code = 0x1000;
	encode_fails(&p, LSOE_E_INVALID);
	p.u.ack.code = 0xFFF;
	expect_bytes(encode_ok(&p), "03 00 08 01 1f ff 00 00");
}

static void test_encode_buffer_too_small(void **state)
{
	(void)state;
	static const uint8_t attrs[2] = { 1, 2 }, data[4] = { 9, 9, 9, 9 };
	struct lsoe_encap e = { .flags = LSOE_ENCAP_PRIMARY, .prefix_len = 24, .addr = { 192, 0, 2, 1 } };
	struct lsoe_pdu pdus[] = {
		{ .type = LSOE_PDU_HELLO },
		{ .type = LSOE_PDU_KEEPALIVE },
		{ .type = LSOE_PDU_OPEN, .u.open = { .attr_count = 2, .attrs = attrs } },
		{ .type = LSOE_PDU_ACK, .u.ack = { .pdu_type = 4 } },
		{ .type = LSOE_PDU_IPV4_ENCAP, .u.encap = { .count = 1, .entries = &e } },
		{ .type = LSOE_PDU_MPLS_IPV6_ENCAP, .u.encap = { .count = 1, .entries = &e } },
		{ .type = LSOE_PDU_VENDOR, .u.vendor = { .data = data, .data_len = 4 } },
	};
	for (size_t i = 0; i < sizeof(pdus) / sizeof(pdus[0]); i++) {
		size_t need = lsoe_pdu_encoded_len(&pdus[i]);
		assert_true(need >= 3);
		uint8_t buf[64];
		for (size_t cap = 0; cap < need; cap++) {
			memset(buf, CANARY, sizeof(buf));
			size_t n = 999;
			assert_int_equal(lsoe_pdu_encode(&pdus[i], buf, cap, &n), LSOE_E_BUFFER);
			assert_int_equal(n, 0);
			for (size_t k = 0; k < sizeof(buf); k++)
				assert_int_equal(buf[k], CANARY); /* nothing written */
		}
		size_t n = 0;
		memset(buf, CANARY, sizeof(buf));
		assert_int_equal(lsoe_pdu_encode(&pdus[i], buf, need, &n), LSOE_OK);
		assert_int_equal(n, need);
		assert_int_equal(buf[need], CANARY);
		struct lsoe_pdu d;
		assert_int_equal(lsoe_pdu_decode(buf, n, &d), LSOE_OK);
	}
}

static struct lsoe_encap big_entries[10922];

static void test_encode_too_big(void **state)
{
	(void)state;
	/* IPv4: 5 + 6 x 10921 = 65531 is the largest list; 10922 entries (65537) do not fit. */
	for (unsigned i = 0; i < 10922; i++) {
		big_entries[i].flags = i == 0 ? LSOE_ENCAP_PRIMARY : 0;
		big_entries[i].prefix_len = (uint8_t)(i % 33u);
		big_entries[i].addr[0] = 10;
		big_entries[i].addr[1] = (uint8_t)(i >> 16);
		big_entries[i].addr[2] = (uint8_t)(i >> 8);
		big_entries[i].addr[3] = (uint8_t)i;
	}
	struct lsoe_pdu p = { .type = LSOE_PDU_IPV4_ENCAP };
	p.u.encap.entries = big_entries;
	p.u.encap.count = 10922;
	assert_int_equal(lsoe_pdu_encoded_len(&p), 0);
	encode_fails(&p, LSOE_E_PDU_TOO_BIG);
	p.u.encap.count = 10921;
	size_t n = encode_ok(&p);
	assert_int_equal(n, 65531);
	assert_int_equal(get16(out_buf + 3), 10921);
	static uint8_t copy[LSOE_PDU_MAX_LEN];
	memcpy(copy, out_buf, n);
	struct lsoe_pdu d;
	uint8_t *c = roundtrip(copy, n, &d);
	assert_int_equal(d.u.encap.count, 10921);
	assert_int_equal(collect_entries(&d), 10921);
	for (unsigned i = 0; i < 10921; i++) {
		assert_int_equal(iter_entries[i].flags, big_entries[i].flags);
		assert_int_equal(iter_entries[i].prefix_len, big_entries[i].prefix_len);
		assert_memory_equal(iter_entries[i].addr, big_entries[i].addr, 16);
	}
	free(c);
	/* And it fragments into 44 datagrams at MTU 1500. */
	struct lsoe_frag f;
	assert_int_equal(lsoe_frag_init(&f, copy, n, 1500), LSOE_OK);
	assert_int_equal(lsoe_frag_count(&f), 44);

	/* IPv6: 3640 entries (65525) fit, 3641 do not. */
	for (unsigned i = 0; i < 3641; i++)
		big_entries[i].prefix_len = 64;
	p.type = LSOE_PDU_IPV6_ENCAP;
	p.u.encap.count = 3641;
	encode_fails(&p, LSOE_E_PDU_TOO_BIG);
	p.u.encap.count = 3640;
	assert_int_equal(encode_ok(&p), 65525);

	/* MPLS-IPv4 with 255 labels per entry: 772-octet entries, 84 fit, 85 do not. */
	static uint8_t labels[255 * 3];
	for (unsigned i = 0; i < 85; i++) {
		big_entries[i].nlabels = 255;
		big_entries[i].labels = labels;
		big_entries[i].prefix_len = 32;
	}
	p.type = LSOE_PDU_MPLS_IPV4_ENCAP;
	p.u.encap.count = 85;
	encode_fails(&p, LSOE_E_PDU_TOO_BIG);
	p.u.encap.count = 84;
	assert_int_equal(encode_ok(&p), 5 + 84 * 772);

	/* VENDOR: 65527 data octets fit, 65528 do not. */
	static uint8_t vdata[65535];
	struct lsoe_pdu v = { .type = LSOE_PDU_VENDOR };
	v.u.vendor.data = vdata;
	v.u.vendor.data_len = 65528;
	encode_fails(&v, LSOE_E_PDU_TOO_BIG);
	v.u.vendor.data_len = 65535;
	encode_fails(&v, LSOE_E_PDU_TOO_BIG);
	v.u.vendor.data_len = 65527;
	assert_int_equal(encode_ok(&v), 65535);

	/* OPEN: 20 + 255 attributes + 65260 auth = 65535 fits; one more auth octet does not. */
	static uint8_t attrs[255];
	struct lsoe_pdu o = { .type = LSOE_PDU_OPEN };
	o.u.open.attr_count = 255;
	o.u.open.attrs = attrs;
	o.u.open.auth = vdata;
	o.u.open.auth_len = 65261;
	encode_fails(&o, LSOE_E_PDU_TOO_BIG);
	o.u.open.auth_len = 65260;
	assert_int_equal(encode_ok(&o), 65535);
	memcpy(copy, out_buf, 65535);
	c = roundtrip(copy, 65535, &d);
	assert_int_equal(d.u.open.auth_len, 65260);
	free(c);
}

static void test_encode_invalid(void **state)
{
	(void)state;
	/* Types that do not exist. */
	static const uint8_t bad_types[] = { 8, 100, 254 };
	for (size_t i = 0; i < sizeof(bad_types); i++) {
		struct lsoe_pdu p = { .type = bad_types[i] };
		assert_int_equal(lsoe_pdu_encoded_len(&p), 0);
		encode_fails(&p, LSOE_E_PDU_UNKNOWN_TYPE);
	}
	/* A non-zero count or length with no data behind it. */
	struct lsoe_pdu o = { .type = LSOE_PDU_OPEN, .u.open = { .attr_count = 1 } };
	encode_fails(&o, LSOE_E_INVALID);
	o.u.open.attr_count = 0;
	o.u.open.auth_len = 1;
	encode_fails(&o, LSOE_E_INVALID);
	struct lsoe_pdu v = { .type = LSOE_PDU_VENDOR, .u.vendor = { .data_len = 1 } };
	encode_fails(&v, LSOE_E_INVALID);
	struct lsoe_encap e = { .nlabels = 2, .labels = NULL, .prefix_len = 8 };
	struct lsoe_pdu m = { .type = LSOE_PDU_MPLS_IPV4_ENCAP, .u.encap = { .count = 1, .entries = &e } };
	encode_fails(&m, LSOE_E_INVALID);
	/* Label counts are ignored for the non-MPLS types. */
	m.type = LSOE_PDU_IPV4_ENCAP;
	expect_bytes(encode_ok(&m), "04 00 0b 00 01 00 00 00 00 00 08");
}

/*
 * An encapsulation PDU with no typed entries is encoded from its wire slice.
 * A count with no (or too few) entries behind it must be refused, not emitted
 * as a PDU every receiver drops.
 */
static void test_encode_wire_slice(void **state)
{
	(void)state;
	/* A valid slice is copied as is. */
	static const uint8_t slice[6] = { 0x80, 192, 0, 2, 1, 24 };
	struct lsoe_pdu p = { .type = LSOE_PDU_IPV4_ENCAP };
	p.u.encap.count = 1;
	p.u.encap.wire = slice;
	p.u.encap.wire_len = sizeof(slice);
	expect_bytes(encode_ok(&p), "04 00 0b 00 01 80 c0 00 02 01 18");

	/* Count 2 over a one-entry slice; count 1 and no slice at all. */
	p.u.encap.count = 2;
	encode_fails(&p, LSOE_E_ENCAP_TRUNCATED);
	p.u.encap.count = 1;
	p.u.encap.wire = NULL;
	p.u.encap.wire_len = 0;
	encode_fails(&p, LSOE_E_ENCAP_TRUNCATED);
	/* Count 0 over a non-empty slice. */
	p.u.encap.count = 0;
	p.u.encap.wire = slice;
	p.u.encap.wire_len = sizeof(slice);
	encode_fails(&p, LSOE_E_ENCAP_TRAILING);
	/* A length with no slice pointer. */
	p.u.encap.wire = NULL;
	encode_fails(&p, LSOE_E_INVALID);
	/* A slice with a bad prefix length. */
	static const uint8_t bad[6] = { 0x80, 192, 0, 2, 1, 33 };
	p.u.encap.count = 1;
	p.u.encap.wire = bad;
	encode_fails(&p, LSOE_E_ENCAP_PREFIX_LEN);
}

/* ================= names ================= */

static void test_err_names(void **state)
{
	(void)state;
	assert_string_equal(lsoe_err_name(LSOE_OK), "ok");
	assert_string_equal(lsoe_err_name(LSOE_E_DGRAM_CHECKSUM), "bad_checksum");
	assert_string_equal(lsoe_err_name(LSOE_E_PDU_TOO_BIG), "pdu_too_big");
	for (int i = 0; i < LSOE_ERR_COUNT; i++) {
		const char *n = lsoe_err_name((enum lsoe_err)i);
		assert_non_null(n);
		assert_true(n[0] != '\0');
		/* snake_case, stable: lower-case letters, digits and '_' only. */
		for (const char *q = n; *q; q++)
			assert_true((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_');
		const char *desc = lsoe_err_desc((enum lsoe_err)i);
		assert_non_null(desc);
		assert_true(desc[0] != '\0');
		for (int j = 0; j < i; j++)
			assert_string_not_equal(n, lsoe_err_name((enum lsoe_err)j));
	}
	assert_string_equal(lsoe_err_name(LSOE_ERR_COUNT), "unknown_error");
	assert_non_null(lsoe_err_desc(LSOE_ERR_COUNT));
}

static void test_type_names(void **state)
{
	(void)state;
	static const struct {
		unsigned type;
		const char *name;
	} t[] = {
		{ 0, "HELLO" }, { 1, "OPEN" }, { 2, "KEEPALIVE" }, { 3, "ACK" }, { 4, "IPV4_ENCAP" },
		{ 5, "IPV6_ENCAP" }, { 6, "MPLS_IPV4_ENCAP" }, { 7, "MPLS_IPV6_ENCAP" }, { 255, "VENDOR" },
	};
	unsigned named = 0;
	for (unsigned type = 0; type < 256; type++)
		if (lsoe_pdu_type_name(type))
			named++;
	assert_int_equal(named, 9);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_non_null(lsoe_pdu_type_name(t[i].type));
		assert_string_equal(lsoe_pdu_type_name(t[i].type), t[i].name);
		assert_int_equal(lsoe_pdu_type_from_name(t[i].name), (int)t[i].type);
		assert_int_equal(lsoe_pdu_type_from_name(lsoe_pdu_type_name(t[i].type)), (int)t[i].type);
	}
	assert_null(lsoe_pdu_type_name(8));
	assert_null(lsoe_pdu_type_name(254));
	assert_null(lsoe_pdu_type_name(256));
	assert_int_equal(lsoe_pdu_type_from_name("hello"), -1); /* case matters */
	assert_int_equal(lsoe_pdu_type_from_name(""), -1);
	assert_int_equal(lsoe_pdu_type_from_name("ERROR"), -1);

	/* ACKed types (digest 3.1) and encapsulation types. */
	for (unsigned type = 0; type < 256; type++) {
		bool acked = type == 1 || (type >= 4 && type <= 7) || type == 255;
		assert_int_equal(lsoe_pdu_type_is_acked(type), acked);
		assert_int_equal(lsoe_pdu_type_is_encap(type), type >= 4 && type <= 7);
	}
	assert_int_equal(lsoe_encap_addr_len(LSOE_PDU_IPV4_ENCAP), 4);
	assert_int_equal(lsoe_encap_addr_len(LSOE_PDU_IPV6_ENCAP), 16);
	assert_int_equal(lsoe_encap_addr_len(LSOE_PDU_MPLS_IPV4_ENCAP), 4);
	assert_int_equal(lsoe_encap_addr_len(LSOE_PDU_MPLS_IPV6_ENCAP), 16);
	/* Entry sizes from the digest's table (3.6). */
	assert_int_equal(lsoe_encap_entry_len(LSOE_PDU_IPV4_ENCAP, 5), 6);
	assert_int_equal(lsoe_encap_entry_len(LSOE_PDU_IPV6_ENCAP, 0), 18);
	assert_int_equal(lsoe_encap_entry_len(LSOE_PDU_MPLS_IPV4_ENCAP, 0), 7);
	assert_int_equal(lsoe_encap_entry_len(LSOE_PDU_MPLS_IPV4_ENCAP, 2), 13);
	assert_int_equal(lsoe_encap_entry_len(LSOE_PDU_MPLS_IPV6_ENCAP, 1), 22);

	assert_string_equal(lsoe_etype_name(0), "none");
	assert_string_equal(lsoe_etype_name(1), "warning");
	assert_string_equal(lsoe_etype_name(2), "restart");
	assert_string_equal(lsoe_etype_name(3), "hopeless");
	assert_string_equal(lsoe_etype_name(4), "reserved");
	assert_string_equal(lsoe_etype_name(15), "reserved");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_open_attrs_auth),
		cmocka_unit_test(test_open_large),
		cmocka_unit_test(test_ack_all),
		cmocka_unit_test(test_encap_ipv4),
		cmocka_unit_test(test_encap_ipv6),
		cmocka_unit_test(test_encap_mpls_ipv4),
		cmocka_unit_test(test_encap_mpls_ipv6),
		cmocka_unit_test(test_encap_mpls_many_labels),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_encap_empty_lists),
		cmocka_unit_test(test_vendor),
		cmocka_unit_test(test_spec_vectors),
		cmocka_unit_test(test_bad_pdu_short),
		cmocka_unit_test(test_bad_pdu_length),
		cmocka_unit_test(test_bad_unknown_type),
		cmocka_unit_test(test_bad_hello_keepalive_length),
		cmocka_unit_test(test_bad_open),
		cmocka_unit_test(test_bad_ack),
		cmocka_unit_test(test_bad_encap_short),
		cmocka_unit_test(test_bad_encap_truncated),
		cmocka_unit_test(test_bad_encap_trailing),
		cmocka_unit_test(test_bad_encap_prefix_len),
		cmocka_unit_test(test_bad_vendor),
		cmocka_unit_test(test_bad_every_truncation),
		cmocka_unit_test(test_encode_bad_prefix),
		cmocka_unit_test(test_encode_bad_ack),
		cmocka_unit_test(test_encode_buffer_too_small),
		cmocka_unit_test(test_encode_too_big),
		cmocka_unit_test(test_encode_invalid),
		cmocka_unit_test(test_encode_wire_slice),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_type_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
