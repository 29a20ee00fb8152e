/*
 * The LSOE transport: Ethernet framing, the 8-octet datagram header and
 * fragmentation of a PDU into datagrams (digest 2.1 - 2.4, 2.6).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lsoe/checksum.h"
#include "lsoe/error.h"
#include "lsoe/pdu.h"
#include "lsoe/wire.h"
#include "support.h"

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Recompute the checksum of a hand-edited datagram of n octets. */
static void reseal(uint8_t *d, size_t n)
{
	put32(d + 4, 0);
	put32(d + 4, lsoe_checksum(d, n));
}

/* Fixed-seed xorshift64 for reproducible test data. */
static uint64_t xs_state;
static void xs_seed(uint64_t s) { xs_state = s; }
static uint8_t xs_byte(void)
{
	xs_state ^= xs_state << 13;
	xs_state ^= xs_state >> 7;
	xs_state ^= xs_state << 17;
	return (uint8_t)(xs_state >> 32);
}

#define HELLO_WIRE "00 80 00 0b ea 89 ca 1c 00 00 03"

/* ---- lsoe_dgram_decode ---- */

static void test_decode_valid(void **state)
{
	(void)state;
	uint8_t b[16];
	size_t n = test_hex(HELLO_WIRE, b, sizeof(b));
	struct lsoe_dgram d;
	assert_int_equal(lsoe_dgram_decode(b, n, &d), LSOE_OK);
	assert_int_equal(d.version, 0);
	assert_true(d.last);
	assert_int_equal(d.number, 0);
	assert_int_equal(d.length, 11);
	assert_int_equal(d.checksum, 0xEA89CA1Cu);
	assert_true(d.checksum_ok);
	assert_ptr_equal(d.bytes, b);
	assert_ptr_equal(d.payload, b + 8);
	assert_int_equal(d.payload_len, 3);
	static const uint8_t hello[] = { 0x00, 0x00, 0x03 };
	assert_memory_equal(d.payload, hello, 3);
}

static void test_decode_spec_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *hex;
		uint16_t len;
		uint32_t ck;
	} v[] = {
		{ "00 80 00 0b 50 89 ca 1c 02 00 03", 11, 0x5089CA1Cu },
		{ "00 80 00 10 6e 2d 9f 06 03 00 08 01 00 00 00 00", 16, 0x6E2D9F06u },
		{ "00 80 00 1c ba da ab f7 01 00 14 de ad be ef 00 00 00 00 00 00 c0 00 02 01 00 00 00", 28,
		    0xBADAABF7u },
		{ "00 80 00 13 20 a3 bf 76 04 00 0b 00 01 80 c0 00 02 01 18", 19, 0x20A3BF76u },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t b[64];
		size_t n = test_hex(v[i].hex, b, sizeof(b));
		struct lsoe_dgram d;
		assert_int_equal(lsoe_dgram_decode(b, n, &d), LSOE_OK);
		assert_int_equal(d.length, v[i].len);
		assert_int_equal(d.checksum, v[i].ck);
		assert_true(d.last);
		assert_int_equal(d.number, 0);
		assert_int_equal(d.payload_len, v[i].len - 8u);
		/* The PDU length field inside agrees with the datagram length. */
		assert_int_equal(get16(d.payload + 1), d.payload_len);
	}
}

static void test_decode_short(void **state)
{
	(void)state;
	uint8_t b[16];
	test_hex(HELLO_WIRE, b, sizeof(b));
	for (size_t n = 0; n < LSOE_DGRAM_HDR_LEN; n++) {
		struct lsoe_dgram d;
		memset(&d, 0xAA, sizeof(d));
		assert_int_equal(lsoe_dgram_decode(b, n, &d), LSOE_E_DGRAM_SHORT);
		/* Nothing could be read: everything is cleared. */
		assert_int_equal(d.version, 0);
		assert_int_equal(d.length, 0);
		assert_int_equal(d.checksum, 0);
		assert_false(d.checksum_ok);
		assert_null(d.bytes);
		assert_null(d.payload);
		assert_int_equal(d.payload_len, 0);
	}
	/* Exactly the header, with a length field of 8 and a correct checksum: an empty datagram. */
	uint8_t h[8] = { 0x00, 0x85, 0x00, 0x08 };
	reseal(h, 8);
	struct lsoe_dgram d;
	assert_int_equal(lsoe_dgram_decode(h, 8, &d), LSOE_OK);
	assert_int_equal(d.number, 5);
	assert_true(d.last);
	assert_int_equal(d.payload_len, 0);
}

static void test_decode_version(void **state)
{
	(void)state;
	static const uint8_t versions[] = { 1, 2, 0x80, 0xff };
	for (size_t i = 0; i < sizeof(versions); i++) {
		uint8_t b[16];
		size_t n = test_hex(HELLO_WIRE, b, sizeof(b));
		b[0] = versions[i];
		b[1] = 0x03; /* not last, number 3 */
		reseal(b, n);
		uint32_t ck = get32(b + 4);
		struct lsoe_dgram d;
		assert_int_equal(lsoe_dgram_decode(b, n, &d), LSOE_E_DGRAM_VERSION);
		/* Header fields are still filled in, and the checksum was verified. */
		assert_int_equal(d.version, versions[i]);
		assert_false(d.last);
		assert_int_equal(d.number, 3);
		assert_int_equal(d.length, 11);
		assert_int_equal(d.checksum, ck);
		assert_true(d.checksum_ok);
		assert_ptr_equal(d.bytes, b);
		assert_ptr_equal(d.payload, b + 8);
		assert_int_equal(d.payload_len, 3);

		/* A bad version is reported before a bad checksum. */
		b[4] ^= 0x01;
		assert_int_equal(lsoe_dgram_decode(b, n, &d), LSOE_E_DGRAM_VERSION);
		assert_false(d.checksum_ok);
	}
}

static void test_decode_length_short(void **state)
{
	(void)state;
	for (uint16_t l = 0; l < LSOE_DGRAM_HDR_LEN; l++) {
		uint8_t b[16];
		size_t n = test_hex(HELLO_WIRE, b, sizeof(b));
		put16(b + 2, l);
		struct lsoe_dgram d;
		assert_int_equal(lsoe_dgram_decode(b, n, &d), LSOE_E_DGRAM_LENGTH_SHORT);
		assert_int_equal(d.version, 0);
		assert_true(d.last);
		assert_int_equal(d.number, 0);
		assert_int_equal(d.length, l);
		assert_int_equal(d.checksum, 0xEA89CA1Cu);
		assert_false(d.checksum_ok);
		assert_ptr_equal(d.bytes, b);
		assert_null(d.payload);
		assert_int_equal(d.payload_len, 0);
	}
}

static void test_decode_truncated(void **state)
{
	(void)state;
	uint8_t b[16];
	size_t n = test_hex(HELLO_WIRE, b, sizeof(b));
	struct lsoe_dgram d;
	/* The whole datagram, less its last octet. */
	assert_int_equal(lsoe_dgram_decode(b, n - 1, &d), LSOE_E_DGRAM_TRUNCATED);
	assert_int_equal(d.length, 11);
	assert_int_equal(d.checksum, 0xEA89CA1Cu);
	assert_true(d.last);
	assert_ptr_equal(d.bytes, b);
	assert_null(d.payload);
	assert_false(d.checksum_ok);
	/* Only the header. */
	assert_int_equal(lsoe_dgram_decode(b, 8, &d), LSOE_E_DGRAM_TRUNCATED);
	/* A length field one past the buffer, and the largest one. */
	put16(b + 2, 12);
	assert_int_equal(lsoe_dgram_decode(b, n, &d), LSOE_E_DGRAM_TRUNCATED);
	assert_int_equal(d.length, 12);
	put16(b + 2, 0xffff);
	assert_int_equal(lsoe_dgram_decode(b, n, &d), LSOE_E_DGRAM_TRUNCATED);
	assert_int_equal(d.length, 0xffff);
}

static void test_decode_checksum(void **state)
{
	(void)state;
	uint8_t b[16];
	size_t n = test_hex(HELLO_WIRE, b, sizeof(b));
	b[7] ^= 0x01; /* 0xEA89CA1D */
	struct lsoe_dgram d;
	assert_int_equal(lsoe_dgram_decode(b, n, &d), LSOE_E_DGRAM_CHECKSUM);
	assert_int_equal(d.version, 0);
	assert_true(d.last);
	assert_int_equal(d.number, 0);
	assert_int_equal(d.length, 11);
	assert_int_equal(d.checksum, 0xEA89CA1Du); /* as carried on the wire */
	assert_false(d.checksum_ok);
	assert_ptr_equal(d.bytes, b);
	assert_ptr_equal(d.payload, b + 8);
	assert_int_equal(d.payload_len, 3);

	/* A zero checksum field is not special. */
	put32(b + 4, 0);
	assert_int_equal(lsoe_dgram_decode(b, n, &d), LSOE_E_DGRAM_CHECKSUM);
	assert_int_equal(d.checksum, 0);
	/* A corrupted payload with the original checksum. */
	test_hex(HELLO_WIRE, b, sizeof(b));
	b[10] = 0x04;
	assert_int_equal(lsoe_dgram_decode(b, n, &d), LSOE_E_DGRAM_CHECKSUM);
}

/* A 60-octet frame (minimum without FCS) carrying an 11-octet HELLO datagram plus padding. */
static void test_decode_ethernet_padding(void **state)
{
	(void)state;
	static const uint8_t dst[6] = LSOE_MAC_NEAREST_BRIDGE;
	static const uint8_t src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t pads[] = { 0x00, 0xA5, 0xFF };
	for (size_t p = 0; p < sizeof(pads); p++) {
		uint8_t frame[LSOE_ETH_MIN_FRAME];
		memset(frame, pads[p], sizeof(frame));
		assert_int_equal(lsoe_eth_encode_header(frame, dst, src, LSOE_ETHERTYPE_DEFAULT), 14);
		size_t n = test_hex(HELLO_WIRE, frame + 14, sizeof(frame) - 14);
		assert_int_equal(n, 11);
		if (pads[p] == 0xA5) /* garbage padding: not even constant */
			for (size_t i = 14 + n; i < sizeof(frame); i++)
				frame[i] = (uint8_t)(i * 37u);

		struct lsoe_eth eth;
		assert_int_equal(lsoe_eth_decode(frame, sizeof(frame), &eth), LSOE_OK);
		assert_int_equal(eth.payload_len, 46);
		struct lsoe_dgram d;
		assert_int_equal(lsoe_dgram_decode(eth.payload, eth.payload_len, &d), LSOE_OK);
		assert_int_equal(d.length, 11);
		assert_int_equal(d.payload_len, 3);
		assert_ptr_equal(d.payload, frame + 14 + 8);
		assert_true(d.checksum_ok);
	}
	/* Padding that happens to look like another datagram is ignored too. */
	uint8_t two[22];
	test_hex(HELLO_WIRE HELLO_WIRE, two, sizeof(two));
	struct lsoe_dgram d;
	assert_int_equal(lsoe_dgram_decode(two, sizeof(two), &d), LSOE_OK);
	assert_int_equal(d.length, 11);
	assert_int_equal(d.payload_len, 3);
}

/* Every single-bit error in a 40-octet datagram is detected, with the exact code. */
static void test_decode_every_bit_flip(void **state)
{
	(void)state;
	enum { LEN = 40 };
	uint8_t orig[LEN];
	xs_seed(0xC0FFEEull);
	for (size_t i = 0; i < LEN; i++)
		orig[i] = xs_byte();
	/* A vendor PDU filling the payload, so the datagram is also a plausible one. */
	orig[8] = 0xff;
	put16(orig + 9, LEN - 8);
	assert_int_equal(lsoe_dgram_seal(orig, 0, true, LEN - 8), LEN);
	struct lsoe_dgram d;
	assert_int_equal(lsoe_dgram_decode(orig, LEN, &d), LSOE_OK);

	unsigned counts[LSOE_ERR_COUNT] = { 0 };
	for (size_t bit = 0; bit < LEN * 8; bit++) {
		uint8_t b[LEN];
		memcpy(b, orig, LEN);
		size_t octet = bit / 8;
		b[octet] ^= (uint8_t)(0x80u >> (bit % 8));

		enum lsoe_err want;
		if (octet == 0) {
			want = LSOE_E_DGRAM_VERSION;
		} else if (octet == 2 || octet == 3) {
			uint16_t l = get16(b + 2);
			if (l < LSOE_DGRAM_HDR_LEN)
				want = LSOE_E_DGRAM_LENGTH_SHORT;
			else if (l > LEN)
				want = LSOE_E_DGRAM_TRUNCATED;
			else
				want = LSOE_E_DGRAM_CHECKSUM; /* 8 or 32: a shorter datagram, wrong sum */
		} else {
			want = LSOE_E_DGRAM_CHECKSUM; /* L/number, checksum field, payload */
		}
		enum lsoe_err got = lsoe_dgram_decode(b, LEN, &d);
		if (got != want)
			fail_msg("bit %zu: got %s want %s", bit, lsoe_err_name(got), lsoe_err_name(want));
		counts[got]++;
	}
	assert_int_equal(counts[LSOE_OK], 0);
	assert_int_equal(counts[LSOE_E_DGRAM_VERSION], 8);
	/* Length 40 = 0x0028: flipping 0x0020 gives 8, 0x0008 gives 32, the other 14 bits > 40. */
	assert_int_equal(counts[LSOE_E_DGRAM_TRUNCATED], 14);
	assert_int_equal(counts[LSOE_E_DGRAM_LENGTH_SHORT], 0);
	assert_int_equal(counts[LSOE_E_DGRAM_CHECKSUM], LEN * 8 - 8 - 14);
}

/* ---- lsoe_dgram_seal ---- */

static void test_seal_spec_vectors(void **state)
{
	(void)state;
	static const char *const v[] = {
		HELLO_WIRE,
		"00 80 00 0b 50 89 ca 1c 02 00 03",
		"00 80 00 10 6e 2d 9f 06 03 00 08 01 00 00 00 00",
		"00 80 00 1c ba da ab f7 01 00 14 de ad be ef 00 00 00 00 00 00 c0 00 02 01 00 00 00",
		"00 80 00 13 20 a3 bf 76 04 00 0b 00 01 80 c0 00 02 01 18",
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t want[64], out[64];
		size_t n = test_hex(v[i], want, sizeof(want));
		memset(out, 0xEE, sizeof(out)); /* garbage header to be overwritten */
		memcpy(out + 8, want + 8, n - 8);
		assert_int_equal(lsoe_dgram_seal(out, 0, true, n - 8), n);
		assert_memory_equal(out, want, n);
		assert_int_equal(out[n], 0xEE); /* nothing written past the datagram */
	}
}

static void test_seal_header_fields(void **state)
{
	(void)state;
	uint8_t out[32];
	memset(out, 0, sizeof(out));
	for (unsigned num = 0; num <= LSOE_DGRAM_NUM_MAX; num++) {
		for (int last = 0; last <= 1; last++) {
			out[8] = (uint8_t)num;
			out[9] = 0x5A;
			assert_int_equal(lsoe_dgram_seal(out, (uint8_t)num, last != 0, 2), 10);
			assert_int_equal(out[0], 0);
			assert_int_equal(out[1], num | (last ? 0x80u : 0u));
			assert_int_equal(get16(out + 2), 10);
			uint8_t z[10];
			memcpy(z, out, 10);
			memset(z + 4, 0, 4);
			assert_int_equal(get32(out + 4), lsoe_checksum(z, 10));
			struct lsoe_dgram d;
			assert_int_equal(lsoe_dgram_decode(out, 10, &d), LSOE_OK);
			assert_int_equal(d.number, num);
			assert_int_equal(d.last, last != 0);
			assert_int_equal(d.payload_len, 2);
		}
	}
	/* Empty payload. */
	assert_int_equal(lsoe_dgram_seal(out, 0, true, 0), 8);
	assert_int_equal(get16(out + 2), 8);
	/* Number out of range. */
	assert_int_equal(lsoe_dgram_seal(out, 128, true, 2), 0);
	assert_int_equal(lsoe_dgram_seal(out, 255, false, 2), 0);
}

static void test_seal_max_length(void **state)
{
	(void)state;
	static uint8_t big[LSOE_DGRAM_MAX_LEN];
	xs_seed(7);
	for (size_t i = 8; i < sizeof(big); i++)
		big[i] = xs_byte();
	/* 65527 payload octets make a 65535-octet datagram; one more is refused. */
	assert_int_equal(lsoe_dgram_seal(big, 0, true, LSOE_DGRAM_MAX_LEN - 8 + 1), 0);
	assert_int_equal(lsoe_dgram_seal(big, 0, true, LSOE_DGRAM_MAX_LEN - 8), LSOE_DGRAM_MAX_LEN);
	assert_int_equal(get16(big + 2), 0xffff);
	struct lsoe_dgram d;
	assert_int_equal(lsoe_dgram_decode(big, sizeof(big), &d), LSOE_OK);
	assert_int_equal(d.payload_len, LSOE_DGRAM_MAX_LEN - 8);
}

/* ---- lsoe_eth_decode ---- */

static const uint8_t mac_dst[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e };
static const uint8_t mac_src[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

/* A frame: MACs, then the given 16-bit words (tags and type), then payload_len octets 0..n-1. */
static size_t build_frame(uint8_t *f, const uint16_t *words, size_t nwords, size_t payload_len)
{
	memcpy(f, mac_dst, 6);
	memcpy(f + 6, mac_src, 6);
	size_t off = 12;
	for (size_t i = 0; i < nwords; i++, off += 2)
		put16(f + off, words[i]);
	for (size_t i = 0; i < payload_len; i++)
		f[off + i] = (uint8_t)i;
	return off + payload_len;
}

static void test_eth_plain(void **state)
{
	(void)state;
	uint8_t f[64];
	static const uint16_t w[] = { LSOE_ETHERTYPE_DEFAULT };
	size_t n = build_frame(f, w, 1, 46);
	assert_int_equal(n, 60);
	struct lsoe_eth e;
	assert_int_equal(lsoe_eth_decode(f, n, &e), LSOE_OK);
	assert_memory_equal(e.dst, mac_dst, 6);
	assert_memory_equal(e.src, mac_src, 6);
	assert_int_equal(e.ethertype, 0x88B5);
	assert_int_equal(e.nvlan, 0);
	assert_ptr_equal(e.payload, f + 14);
	assert_int_equal(e.payload_len, 46);
	assert_true(lsoe_mac_is_group(e.dst));
	assert_false(lsoe_mac_is_group(e.src));

	/* py-lsoed's EtherType is reported as is; filtering is the caller's business. */
	put16(f + 12, LSOE_ETHERTYPE_PYLSOED);
	assert_int_equal(lsoe_eth_decode(f, n, &e), LSOE_OK);
	assert_int_equal(e.ethertype, 0x8885);

	/* A header and nothing else. */
	assert_int_equal(lsoe_eth_decode(f, 14, &e), LSOE_OK);
	assert_int_equal(e.payload_len, 0);
	assert_ptr_equal(e.payload, f + 14);
}

static void test_eth_one_tag(void **state)
{
	(void)state;
	static const uint16_t tpids[] = { 0x8100, 0x88a8 };
	for (size_t t = 0; t < 2; t++) {
		uint8_t f[64];
		/* PCP 7, DEI 1, VID 0x123: only the VID is kept. */
		const uint16_t w[] = { tpids[t], 0xF123, LSOE_ETHERTYPE_DEFAULT };
		size_t n = build_frame(f, w, 3, 42);
		struct lsoe_eth e;
		assert_int_equal(lsoe_eth_decode(f, n, &e), LSOE_OK);
		assert_int_equal(e.nvlan, 1);
		assert_int_equal(e.vlan[0], 0x123);
		assert_int_equal(e.ethertype, 0x88B5);
		assert_ptr_equal(e.payload, f + 18);
		assert_int_equal(e.payload_len, 42);
		assert_int_equal(e.payload[0], 0);
		assert_int_equal(e.payload[41], 41);
		assert_memory_equal(e.src, mac_src, 6);
		/* Tag and type, no payload. */
		assert_int_equal(lsoe_eth_decode(f, 18, &e), LSOE_OK);
		assert_int_equal(e.payload_len, 0);
		/* Tag but no inner type. */
		for (size_t len = 14; len < 18; len++)
			assert_int_equal(lsoe_eth_decode(f, len, &e), LSOE_E_FRAME_SHORT);
	}
}

static void test_eth_two_tags(void **state)
{
	(void)state;
	uint8_t f[64];
	static const uint16_t w[] = { 0x88a8, 0x0064, 0x8100, 0x2FFF, LSOE_ETHERTYPE_DEFAULT };
	size_t n = build_frame(f, w, 5, 38);
	assert_int_equal(n, 60);
	struct lsoe_eth e;
	assert_int_equal(lsoe_eth_decode(f, n, &e), LSOE_OK);
	assert_int_equal(e.nvlan, 2);
	assert_int_equal(e.vlan[0], 100);   /* outermost first */
	assert_int_equal(e.vlan[1], 0xFFF);
	assert_int_equal(e.ethertype, 0x88B5);
	assert_ptr_equal(e.payload, f + 22);
	assert_int_equal(e.payload_len, 38);
	assert_int_equal(lsoe_eth_decode(f, 22, &e), LSOE_OK);
	assert_int_equal(e.payload_len, 0);
	for (size_t len = 18; len < 22; len++)
		assert_int_equal(lsoe_eth_decode(f, len, &e), LSOE_E_FRAME_SHORT);

	/* Two 802.1Q tags and the legacy 0x9100 QinQ TPID are accepted the same way. */
	static const uint16_t w2[] = { 0x9100, 0x0005, 0x8100, 0x0006, 0x0800 };
	n = build_frame(f, w2, 5, 10);
	assert_int_equal(lsoe_eth_decode(f, n, &e), LSOE_OK);
	assert_int_equal(e.nvlan, 2);
	assert_int_equal(e.vlan[0], 5);
	assert_int_equal(e.vlan[1], 6);
	assert_int_equal(e.ethertype, 0x0800);
}

static void test_eth_three_tags(void **state)
{
	(void)state;
	uint8_t f[64];
	static const uint16_t w[] = { 0x88a8, 0x0001, 0x8100, 0x0002, 0x8100, 0x0003, LSOE_ETHERTYPE_DEFAULT };
	size_t n = build_frame(f, w, 7, 34);
	struct lsoe_eth e;
	assert_int_equal(lsoe_eth_decode(f, n, &e), LSOE_E_FRAME_VLAN_DEPTH);
	/* What was read is kept. */
	assert_int_equal(e.nvlan, 2);
	assert_int_equal(e.vlan[0], 1);
	assert_int_equal(e.vlan[1], 2);
	assert_memory_equal(e.src, mac_src, 6);
	/* A third TPID is reported as too deep even if the frame ends right after it. */
	assert_int_equal(lsoe_eth_decode(f, 22, &e), LSOE_E_FRAME_VLAN_DEPTH);
}

static void test_eth_short(void **state)
{
	(void)state;
	uint8_t f[64];
	static const uint16_t w[] = { LSOE_ETHERTYPE_DEFAULT };
	build_frame(f, w, 1, 46);
	for (size_t len = 0; len < LSOE_ETH_HDR_LEN; len++) {
		struct lsoe_eth e;
		assert_int_equal(lsoe_eth_decode(f, len, &e), LSOE_E_FRAME_SHORT);
		assert_int_equal(e.nvlan, 0);
		assert_null(e.payload);
		assert_int_equal(e.payload_len, 0);
	}
}

static void test_eth_encode_header(void **state)
{
	(void)state;
	uint8_t out[16];
	memset(out, 0xEE, sizeof(out));
	assert_int_equal(lsoe_eth_encode_header(out, mac_dst, mac_src, 0x88B5), LSOE_ETH_HDR_LEN);
	static const uint8_t want[14] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x02, 0x11, 0x22, 0x33, 0x44,
		0x55, 0x88, 0xb5 };
	assert_memory_equal(out, want, 14);
	assert_int_equal(out[14], 0xEE);
}

/* ---- fragmentation ---- */

static uint8_t pdu_big[LSOE_PDU_MAX_LEN + 1];
static uint8_t reasm_buf[LSOE_PDU_MAX_LEN];
static uint8_t dgram_buf[LSOE_DGRAM_MAX_LEN];

static void fill_pdu(size_t len)
{
	xs_seed(0x5EED0000ull + len);
	for (size_t i = 0; i < len; i++)
		pdu_big[i] = xs_byte();
}

/*
 * Fragment pdu_big[0..len) at mtu and check every datagram: length, number, L,
 * that it decodes, and that the payloads concatenate back to the PDU. The
 * datagram lengths are stored in lens[] (up to 128). Returns the count.
 */
static unsigned fragment_and_check(size_t len, size_t mtu, size_t *lens)
{
	struct lsoe_frag f;
	assert_int_equal(lsoe_frag_init(&f, pdu_big, len, mtu), LSOE_OK);
	unsigned total = lsoe_frag_count(&f);
	assert_true(total >= 1 && total <= 128);
	assert_int_equal(total, (len + (mtu - 8) - 1) / (mtu - 8));
	size_t off = 0;
	for (unsigned i = 0; i < total; i++) {
		enum lsoe_err err = LSOE_E_INVALID;
		size_t dl = lsoe_frag_next(&f, dgram_buf, sizeof(dgram_buf), &err);
		assert_int_equal(err, LSOE_OK);
		assert_true(dl > LSOE_DGRAM_HDR_LEN && dl <= mtu);
		if (lens)
			lens[i] = dl;
		/* Every datagram but the last is full. */
		if (i + 1 < total)
			assert_int_equal(dl, mtu);
		assert_int_equal(dgram_buf[0], 0);
		assert_int_equal(dgram_buf[1], i | (i + 1 == total ? 0x80u : 0u));
		assert_int_equal(get16(dgram_buf + 2), dl);
		struct lsoe_dgram d;
		assert_int_equal(lsoe_dgram_decode(dgram_buf, dl, &d), LSOE_OK);
		assert_int_equal(d.number, i);
		assert_int_equal(d.last, i + 1 == total);
		assert_true(off + d.payload_len <= len);
		memcpy(reasm_buf + off, d.payload, d.payload_len);
		off += d.payload_len;
	}
	assert_int_equal(off, len);
	assert_memory_equal(reasm_buf, pdu_big, len);
	/* Then the iterator is exhausted, without an error. */
	enum lsoe_err err = LSOE_E_INVALID;
	assert_int_equal(lsoe_frag_next(&f, dgram_buf, sizeof(dgram_buf), &err), 0);
	assert_int_equal(err, LSOE_OK);
	assert_int_equal(lsoe_frag_next(&f, dgram_buf, sizeof(dgram_buf), NULL), 0);
	return total;
}

static void test_frag_digest_example(void **state)
{
	(void)state;
	fill_pdu(3000);
	size_t lens[128];
	assert_int_equal(fragment_and_check(3000, LSOE_MTU_DEFAULT, lens), 3);
	assert_int_equal(lens[0], 1500);
	assert_int_equal(lens[1], 1500);
	assert_int_equal(lens[2], 24);

	/* Header octet 1 of each: 0x00, 0x01, 0x82. */
	static const uint8_t octet1[3] = { 0x00, 0x01, 0x82 };
	struct lsoe_frag f;
	assert_int_equal(lsoe_frag_init(&f, pdu_big, 3000, 1500), LSOE_OK);
	for (unsigned i = 0; i < 3; i++) {
		uint8_t out[1500];
		size_t dl = lsoe_frag_next(&f, out, sizeof(out), NULL);
		assert_int_equal(dl, lens[i]);
		assert_int_equal(out[1], octet1[i]);
		assert_memory_equal(out + 8, pdu_big + i * 1492u, dl - 8);
	}
}

static void test_frag_exact_fit(void **state)
{
	(void)state;
	size_t lens[128];
	fill_pdu(1492);
	assert_int_equal(fragment_and_check(1492, 1500, lens), 1);
	assert_int_equal(lens[0], 1500);
	struct lsoe_frag f;
	uint8_t out[1500];
	assert_int_equal(lsoe_frag_init(&f, pdu_big, 1492, 1500), LSOE_OK);
	assert_int_equal(lsoe_frag_next(&f, out, sizeof(out), NULL), 1500);
	assert_int_equal(out[1], 0x80);

	fill_pdu(1493);
	assert_int_equal(fragment_and_check(1493, 1500, lens), 2);
	assert_int_equal(lens[0], 1500);
	assert_int_equal(lens[1], 9);

	/* A small PDU: one datagram, header + PDU. */
	static const uint8_t hello[3] = { 0x00, 0x00, 0x03 };
	uint8_t want[11];
	test_hex(HELLO_WIRE, want, sizeof(want));
	assert_int_equal(lsoe_frag_init(&f, hello, 3, LSOE_MTU_DEFAULT), LSOE_OK);
	assert_int_equal(lsoe_frag_count(&f), 1);
	assert_int_equal(lsoe_frag_next(&f, out, sizeof(out), NULL), 11);
	assert_memory_equal(out, want, 11);
}

static void test_frag_mtu_bounds(void **state)
{
	(void)state;
	struct lsoe_frag f;
	fill_pdu(LSOE_PDU_MAX_LEN);
	assert_int_equal(lsoe_frag_init(&f, pdu_big, 100, LSOE_MTU_MIN - 1), LSOE_E_MTU);
	assert_int_equal(lsoe_frag_count(&f), 0);
	assert_int_equal(lsoe_frag_next(&f, dgram_buf, sizeof(dgram_buf), NULL), 0);
	assert_int_equal(lsoe_frag_init(&f, pdu_big, 100, 0), LSOE_E_MTU);
	assert_int_equal(lsoe_frag_init(&f, pdu_big, 100, 65536), LSOE_E_MTU);
	assert_int_equal(lsoe_frag_init(&f, pdu_big, 100, (size_t)-1), LSOE_E_MTU);

	/* MTU 9: one PDU octet per datagram. */
	size_t lens[128];
	assert_int_equal(LSOE_MTU_MIN, 9);
	assert_int_equal(fragment_and_check(3, LSOE_MTU_MIN, lens), 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(lens[i], 9);

	/* MTU 65535: a maximal PDU needs two datagrams, 65535 and 16 octets. */
	assert_int_equal(fragment_and_check(LSOE_PDU_MAX_LEN, 65535, lens), 2);
	assert_int_equal(lens[0], 65535);
	assert_int_equal(lens[1], 16);
	assert_int_equal(fragment_and_check(65527, 65535, lens), 1);
	assert_int_equal(lens[0], 65535);
}

static void test_frag_max_pdu(void **state)
{
	(void)state;
	size_t lens[128];
	fill_pdu(LSOE_PDU_MAX_LEN);
	/* 44 datagrams at MTU 1500 (digest 2.3): 43 x 1492 + 1379. */
	assert_int_equal(fragment_and_check(LSOE_PDU_MAX_LEN, 1500, lens), 44);
	assert_int_equal(lens[43], 1379 + 8);
	/* A 9000-octet jumbo MTU. */
	assert_int_equal(fragment_and_check(LSOE_PDU_MAX_LEN, 9000, lens), 8);

	struct lsoe_frag f;
	assert_int_equal(lsoe_frag_init(&f, pdu_big, LSOE_PDU_MAX_LEN + 1, 1500), LSOE_E_PDU_TOO_BIG);
	assert_int_equal(lsoe_frag_init(&f, pdu_big, 0, 1500), LSOE_E_INVALID);
}

static void test_frag_128_datagrams(void **state)
{
	(void)state;
	size_t lens[128];
	struct lsoe_frag f;
	fill_pdu(LSOE_PDU_MAX_LEN);
	/* MTU 9: 128 octets need exactly 128 datagrams, numbered 0..127; 129 are too many. */
	assert_int_equal(fragment_and_check(128, 9, lens), 128);
	assert_int_equal(lsoe_frag_init(&f, pdu_big, 128, 9), LSOE_OK);
	for (unsigned i = 0; i < 128; i++)
		assert_int_equal(lsoe_frag_next(&f, dgram_buf, sizeof(dgram_buf), NULL), 9);
	assert_int_equal(dgram_buf[1], 0xFF); /* L + number 127 */
	assert_int_equal(lsoe_frag_init(&f, pdu_big, 129, 9), LSOE_E_TOO_MANY_FRAGMENTS);

	/* A maximal PDU: 128 x 512 >= 65535 at MTU 520, but 128 x 511 < 65535 at MTU 519. */
	assert_int_equal(fragment_and_check(LSOE_PDU_MAX_LEN, 520, lens), 128);
	assert_int_equal(lens[127], 65535 - 127 * 512 + 8);
	assert_int_equal(lsoe_frag_init(&f, pdu_big, LSOE_PDU_MAX_LEN, 519), LSOE_E_TOO_MANY_FRAGMENTS);
	/* At MTU 519, 128 full slices is the most that fits. */
	assert_int_equal(fragment_and_check(128 * 511, 519, lens), 128);
	assert_int_equal(lsoe_frag_init(&f, pdu_big, 128 * 511 + 1, 519), LSOE_E_TOO_MANY_FRAGMENTS);
}

static void test_frag_buffer_too_small(void **state)
{
	(void)state;
	fill_pdu(3000);
	struct lsoe_frag f;
	uint8_t out[1500];
	assert_int_equal(lsoe_frag_init(&f, pdu_big, 3000, 1500), LSOE_OK);

	enum lsoe_err err = LSOE_OK;
	assert_int_equal(lsoe_frag_next(&f, out, 1499, &err), 0);
	assert_int_equal(err, LSOE_E_BUFFER);
	assert_int_equal(lsoe_frag_next(&f, out, 0, &err), 0);
	assert_int_equal(err, LSOE_E_BUFFER);
	/* Nothing was consumed: the same datagram 0 comes out with a big enough buffer. */
	assert_int_equal(lsoe_frag_next(&f, out, 1500, &err), 1500);
	assert_int_equal(err, LSOE_OK);
	assert_int_equal(out[1], 0x00);
	assert_int_equal(lsoe_frag_next(&f, out, 1500, &err), 1500);
	assert_int_equal(out[1], 0x01);
	/* The last one needs exactly 24. */
	assert_int_equal(lsoe_frag_next(&f, out, 23, &err), 0);
	assert_int_equal(err, LSOE_E_BUFFER);
	assert_int_equal(lsoe_frag_next(&f, out, 24, &err), 24);
	assert_int_equal(err, LSOE_OK);
	assert_int_equal(out[1], 0x82);
	assert_memory_equal(out + 8, pdu_big + 2984, 16);
	assert_int_equal(lsoe_frag_next(&f, out, 24, &err), 0);
	assert_int_equal(err, LSOE_OK);
}

/* A sweep of PDU sizes and MTUs, all reconstructed exactly. */
static void test_frag_sweep(void **state)
{
	(void)state;
	static const size_t mtus[] = { 9, 10, 11, 64, 576, 1500, 1501, 9000 };
	for (size_t m = 0; m < sizeof(mtus) / sizeof(mtus[0]); m++) {
		size_t slice = mtus[m] - 8;
		for (size_t len = 1; len <= 3 * slice + 1 && len <= 128 * slice; len += (len < 40 ? 1 : 97)) {
			fill_pdu(len);
			fragment_and_check(len, mtus[m], NULL);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_valid),
		cmocka_unit_test(test_decode_spec_vectors),
		cmocka_unit_test(test_decode_short),
		cmocka_unit_test(test_decode_version),
		cmocka_unit_test(test_decode_length_short),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_decode_checksum),
		cmocka_unit_test(test_decode_ethernet_padding),
		cmocka_unit_test(test_decode_every_bit_flip),
		cmocka_unit_test(test_seal_spec_vectors),
		cmocka_unit_test(test_seal_header_fields),
		cmocka_unit_test(test_seal_max_length),
		cmocka_unit_test(test_eth_plain),
		cmocka_unit_test(test_eth_one_tag),
		cmocka_unit_test(test_eth_two_tags),
		cmocka_unit_test(test_eth_three_tags),
		cmocka_unit_test(test_eth_short),
		cmocka_unit_test(test_eth_encode_header),
		cmocka_unit_test(test_frag_digest_example),
		cmocka_unit_test(test_frag_exact_fit),
		cmocka_unit_test(test_frag_mtu_bounds),
		cmocka_unit_test(test_frag_max_pdu),
		cmocka_unit_test(test_frag_128_datagrams),
		cmocka_unit_test(test_frag_buffer_too_small),
		cmocka_unit_test(test_frag_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
