/*
 * The LSOE datagram checksum (draft-ietf-lsvr-lsoe-01 section 7; digest 2.5).
 *
 * Checks lsoe_checksum() and lsoe_checksum_datagram() against the digest's known
 * answers and against a byte-wise reference written here straight from the
 * draft's code (its own copy of the S-box, not the core's table), over every
 * length 0..2000 at every start alignment 0..15, constant buffers and the
 * maximum 65535-octet datagram.
 *
 * lsoe_checksum_datagram() is documented for n >= 8 only (a datagram always has
 * its 8-octet header; lsoe_dgram_decode rejects anything shorter before it
 * computes a checksum), so it is never called here with n < 8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lsoe/checksum.h"
#include "support.h"

/* The draft's S-box (the Skipjack F-table), copied from digest 2.5. */
static const uint8_t ref_sbox[256] = {
	0xa3, 0xd7, 0x09, 0x83, 0xf8, 0x48, 0xf6, 0xf4, 0xb3, 0x21, 0x15, 0x78, 0x99, 0xb1, 0xaf, 0xf9,
	0xe7, 0x2d, 0x4d, 0x8a, 0xce, 0x4c, 0xca, 0x2e, 0x52, 0x95, 0xd9, 0x1e, 0x4e, 0x38, 0x44, 0x28,
	0x0a, 0xdf, 0x02, 0xa0, 0x17, 0xf1, 0x60, 0x68, 0x12, 0xb7, 0x7a, 0xc3, 0xe9, 0xfa, 0x3d, 0x53,
	0x96, 0x84, 0x6b, 0xba, 0xf2, 0x63, 0x9a, 0x19, 0x7c, 0xae, 0xe5, 0xf5, 0xf7, 0x16, 0x6a, 0xa2,
	0x39, 0xb6, 0x7b, 0x0f, 0xc1, 0x93, 0x81, 0x1b, 0xee, 0xb4, 0x1a, 0xea, 0xd0, 0x91, 0x2f, 0xb8,
	0x55, 0xb9, 0xda, 0x85, 0x3f, 0x41, 0xbf, 0xe0, 0x5a, 0x58, 0x80, 0x5f, 0x66, 0x0b, 0xd8, 0x90,
	0x35, 0xd5, 0xc0, 0xa7, 0x33, 0x06, 0x65, 0x69, 0x45, 0x00, 0x94, 0x56, 0x6d, 0x98, 0x9b, 0x76,
	0x97, 0xfc, 0xb2, 0xc2, 0xb0, 0xfe, 0xdb, 0x20, 0xe1, 0xeb, 0xd6, 0xe4, 0xdd, 0x47, 0x4a, 0x1d,
	0x42, 0xed, 0x9e, 0x6e, 0x49, 0x3c, 0xcd, 0x43, 0x27, 0xd2, 0x07, 0xd4, 0xde, 0xc7, 0x67, 0x18,
	0x89, 0xcb, 0x30, 0x1f, 0x8d, 0xc6, 0x8f, 0xaa, 0xc8, 0x74, 0xdc, 0xc9, 0x5d, 0x5c, 0x31, 0xa4,
	0x70, 0x88, 0x61, 0x2c, 0x9f, 0x0d, 0x2b, 0x87, 0x50, 0x82, 0x54, 0x64, 0x26, 0x7d, 0x03, 0x40,
	0x34, 0x4b, 0x1c, 0x73, 0xd1, 0xc4, 0xfd, 0x3b, 0xcc, 0xfb, 0x7f, 0xab, 0xe6, 0x3e, 0x5b, 0xa5,
	0xad, 0x04, 0x23, 0x9c, 0x14, 0x51, 0x22, 0xf0, 0x29, 0x79, 0x71, 0x7e, 0xff, 0x8c, 0x0e, 0xe2,
	0x0c, 0xef, 0xbc, 0x72, 0x75, 0x6f, 0x37, 0xa1, 0xec, 0xd3, 0x8e, 0x62, 0x8b, 0x86, 0x10, 0xe8,
	0x08, 0x77, 0x11, 0xbe, 0x92, 0x4f, 0x24, 0xc5, 0x32, 0x36, 0x9d, 0xcf, 0xf3, 0xa6, 0xbb, 0xac,
	0x5e, 0x6c, 0xa9, 0x13, 0x57, 0x25, 0xb5, 0xe3, 0xbd, 0xa8, 0x3a, 0x01, 0x05, 0x59, 0x2a, 0x46,
};

/* The intermediate values of the draft's algorithm, for the worked example. */
struct ref_trace {
	uint32_t s[4];
	uint64_t combined, fold1, fold2;
};

/*
 * The draft's code, byte by byte: four lane sums, combined with 8-bit shifts,
 * folded twice. The caller has zeroed the checksum field.
 */
static uint32_t ref_checksum_trace(const uint8_t *d, size_t n, struct ref_trace *t)
{
	uint32_t s[4] = { 0, 0, 0, 0 };
	for (size_t i = 0; i < n; i++)
		s[i & 3] += ref_sbox[d[i]];
	uint64_t r = ((uint64_t)s[0] << 24) + ((uint64_t)s[1] << 16) + ((uint64_t)s[2] << 8) + s[3];
	if (t) {
		memcpy(t->s, s, sizeof(s));
		t->combined = r;
	}
	r = (r >> 32) + (r & 0xffffffffu);
	if (t)
		t->fold1 = r;
	r = (r >> 32) + (r & 0xffffffffu);
	if (t)
		t->fold2 = r;
	return (uint32_t)r;
}

static uint32_t ref_checksum(const uint8_t *d, size_t n)
{
	return ref_checksum_trace(d, n, NULL);
}

/* The reference over a datagram whose octets 4..7 are taken as zero (d is restored). */
static uint32_t ref_checksum_dgram(uint8_t *d, size_t n)
{
	uint8_t saved[4];
	memcpy(saved, d + 4, 4);
	memset(d + 4, 0, 4);
	uint32_t c = ref_checksum(d, n);
	memcpy(d + 4, saved, 4);
	return c;
}

/* Fixed-seed xorshift64: reproducible pseudo-random octets, no rand(). */
static uint64_t xs_state;

static void xs_seed(uint64_t seed) { xs_state = seed; }

static uint8_t xs_byte(void)
{
	xs_state ^= xs_state << 13;
	xs_state ^= xs_state >> 7;
	xs_state ^= xs_state << 17;
	return (uint8_t)(xs_state >> 32);
}

static void xs_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = xs_byte();
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- known answers (digest 2.5) ---- */

static void test_reference_sbox_is_permutation(void **state)
{
	(void)state;
	/* Guards the copy above: the Skipjack F-table is a permutation of 0..255. */
	uint8_t seen[256] = { 0 };
	for (unsigned i = 0; i < 256; i++)
		seen[ref_sbox[i]]++;
	for (unsigned i = 0; i < 256; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(ref_sbox[0x00], 0xa3);
	assert_int_equal(ref_sbox[0x80], 0x42);
	assert_int_equal(ref_sbox[0xff], 0x46);
}

static void test_hello_worked_example(void **state)
{
	(void)state;
	uint8_t d[16];
	size_t n = test_hex("00 80 00 0b 00 00 00 00 00 00 03", d, sizeof(d));
	assert_int_equal(n, 11);

	/* Every intermediate value of the digest's table, through the reference. */
	struct ref_trace t;
	assert_int_equal(ref_checksum_trace(d, n, &t), 0xEA89CA1Cu);
	assert_int_equal(t.s[0], 0x1e9);
	assert_int_equal(t.s[1], 0x188);
	assert_int_equal(t.s[2], 0x1c9);
	assert_int_equal(t.s[3], 0x11b);
	assert_true(t.combined == 0x00000001ea89ca1bull);
	assert_true(t.fold1 == 0xea89ca1cull);
	assert_true(t.fold2 == 0xea89ca1cull);

	/* The implementation, with the field zeroed and with the field on the wire. */
	assert_int_equal(lsoe_checksum(d, n), 0xEA89CA1Cu);
	assert_int_equal(lsoe_checksum_datagram(d, n), 0xEA89CA1Cu);

	uint8_t wire[16], expect[16];
	size_t wn = test_hex("00 80 00 0b ea 89 ca 1c 00 00 03", wire, sizeof(wire));
	assert_int_equal(wn, 11);
	memcpy(expect, wire, wn);
	assert_int_equal(lsoe_checksum_datagram(wire, wn), 0xEA89CA1Cu);
	/* The datagram variant neither copies into nor modifies the caller's buffer. */
	assert_memory_equal(wire, expect, wn);
}

struct vector {
	const char *name;
	const char *wire;
	uint32_t checksum;
	size_t len;
};

static const struct vector vectors[] = {
	{ "HELLO", "00 80 00 0b ea 89 ca 1c 00 00 03", 0xEA89CA1Cu, 11 },
	{ "KEEPALIVE", "00 80 00 0b 50 89 ca 1c 02 00 03", 0x5089CA1Cu, 11 },
	{ "ACK of OPEN", "00 80 00 10 6e 2d 9f 06 03 00 08 01 00 00 00 00", 0x6E2D9F06u, 16 },
	{ "OPEN", "00 80 00 1c ba da ab f7 01 00 14 de ad be ef 00 00 00 00 00 00 c0 00 02 01 00 00 00",
	    0xBADAABF7u, 28 },
	{ "IPv4 Encap", "00 80 00 13 20 a3 bf 76 04 00 0b 00 01 80 c0 00 02 01 18", 0x20A3BF76u, 19 },
};

static void test_spec_vectors(void **state)
{
	(void)state;
	for (size_t v = 0; v < sizeof(vectors) / sizeof(vectors[0]); v++) {
		uint8_t wire[64], zeroed[64];
		size_t n = test_hex(vectors[v].wire, wire, sizeof(wire));
		assert_int_equal(n, vectors[v].len);
		/* The vector carries its own checksum at offset 4. */
		assert_int_equal(get32(wire + 4), vectors[v].checksum);

		memcpy(zeroed, wire, n);
		memset(zeroed + 4, 0, 4);
		assert_int_equal(ref_checksum(zeroed, n), vectors[v].checksum);
		assert_int_equal(lsoe_checksum(zeroed, n), vectors[v].checksum);
		assert_int_equal(lsoe_checksum_datagram(zeroed, n), vectors[v].checksum);
		assert_int_equal(lsoe_checksum_datagram(wire, n), vectors[v].checksum);

		/* Any value in the field is treated as zero. */
		memset(wire + 4, 0xff, 4);
		assert_int_equal(lsoe_checksum_datagram(wire, n), vectors[v].checksum);
		memset(wire + 4, 0x5a, 4);
		assert_int_equal(lsoe_checksum_datagram(wire, n), vectors[v].checksum);

		/* lsoe_checksum takes the field as it is: with the checksum in place it differs. */
		memcpy(wire + 4, zeroed + 4, 4);
		wire[4] = (uint8_t)(vectors[v].checksum >> 24);
		assert_int_not_equal(lsoe_checksum(wire, n), vectors[v].checksum);
	}
}

/* Closed-form answers for constant buffers, computed independently (digest 2.5 arithmetic). */
static void test_constant_buffers_known(void **state)
{
	(void)state;
	static uint8_t zeros[65535], ones[65535];
	memset(zeros, 0x00, sizeof(zeros));
	memset(ones, 0xff, sizeof(ones));

	static const struct {
		size_t n;
		uint32_t c00, cff;
	} k[] = {
		{ 0, 0x00000000u, 0x00000000u },
		{ 1, 0xa3000000u, 0x46000000u },
		{ 2, 0xa3a30000u, 0x46460000u },
		{ 3, 0xa3a3a300u, 0x46464600u },
		{ 4, 0xa3a3a3a3u, 0x46464646u },
		{ 8, 0x47474747u, 0x8c8c8c8cu },
		{ 65535, 0xe8e8e845u, 0x9191914bu },
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		assert_int_equal(ref_checksum(zeros, k[i].n), k[i].c00);
		assert_int_equal(ref_checksum(ones, k[i].n), k[i].cff);
		assert_int_equal(lsoe_checksum(zeros, k[i].n), k[i].c00);
		assert_int_equal(lsoe_checksum(ones, k[i].n), k[i].cff);
	}
	/* On all-zero buffers the datagram variant equals the plain one. */
	assert_int_equal(lsoe_checksum_datagram(zeros, 8), 0x47474747u);
	assert_int_equal(lsoe_checksum_datagram(zeros, 65535), 0xe8e8e845u);
	/* On all-0xFF buffers the field (0xFFFFFFFF) counts as zero. */
	ones[4] = ones[5] = ones[6] = ones[7] = 0;
	uint32_t cff_field_zero = lsoe_checksum(ones, 65535);
	assert_int_equal(cff_field_zero, ref_checksum(ones, 65535));
	ones[4] = ones[5] = ones[6] = ones[7] = 0xff;
	assert_int_equal(lsoe_checksum_datagram(ones, 65535), cff_field_zero);
	assert_int_not_equal(cff_field_zero, 0x9191914bu);
}

/*
 * The second fold matters only when the first one carries into bit 32, which
 * random data almost never does; these inputs are built so that it does.
 */
static void test_second_fold(void **state)
{
	(void)state;
	struct ref_trace t;
	uint8_t d[16];

	/* Lane sums 511, 255, 255, 255: R = 0x1FFFFFFFF, fold 1 = 0x100000000, fold 2 = 1. */
	size_t n = test_hex("cc cc cc cc cc 69 69 69 fb 69 69 69", d, sizeof(d));
	assert_int_equal(ref_checksum_trace(d, n, &t), 1);
	assert_true(t.combined == 0x1ffffffffull);
	assert_true(t.fold1 == 0x100000000ull);
	assert_int_equal(lsoe_checksum(d, n), 0x00000001u);

	/* The same lane sums for a datagram whose field (de ad be ef) counts as zero. */
	n = test_hex("cc 9d 9d 9d de ad be ef 9c 69 69 69", d, sizeof(d));
	assert_int_equal(lsoe_checksum_datagram(d, n), 0x00000001u);
	assert_int_equal(ref_checksum_dgram(d, n), 0x00000001u);

	/* At the maximum length: 65535 x 0xcc except 69 69 fb fc; fold 1 = 0x100000005. */
	static uint8_t big[65535];
	memset(big, 0xcc, sizeof(big));
	big[0] = 0x69;
	big[1] = 0x69;
	big[2] = 0xfb;
	big[3] = 0xfc;
	assert_int_equal(ref_checksum_trace(big, sizeof(big), &t), 6);
	assert_true(t.combined == 0x3ffeffffc007ull);
	assert_true(t.fold1 == 0x100000005ull);
	assert_int_equal(lsoe_checksum(big, sizeof(big)), 0x00000006u);
}

/* ---- equality with the reference ---- */

#define SWEEP_MAX 2000u
#define ALIGN_MAX 16u

static void test_reference_sweep(void **state)
{
	(void)state;
	static uint8_t buf[SWEEP_MAX + ALIGN_MAX + 16];
	xs_seed(0x9E3779B97F4A7C15ull);
	xs_fill(buf, sizeof(buf));

	for (size_t align = 0; align < ALIGN_MAX; align++) {
		uint8_t *d = buf + align;
		for (size_t n = 0; n <= SWEEP_MAX; n++) {
			uint32_t want = ref_checksum(d, n);
			uint32_t got = lsoe_checksum(d, n);
			if (got != want)
				fail_msg("lsoe_checksum align %zu len %zu: got %08x want %08x", align, n,
				    (unsigned)got, (unsigned)want);
			if (n >= 8) {
				want = ref_checksum_dgram(d, n);
				got = lsoe_checksum_datagram(d, n);
				if (got != want)
					fail_msg("lsoe_checksum_datagram align %zu len %zu: got %08x want %08x",
					    align, n, (unsigned)got, (unsigned)want);
			}
		}
	}
}

static void test_reference_constant_sweep(void **state)
{
	(void)state;
	static uint8_t buf[SWEEP_MAX + ALIGN_MAX];
	static const uint8_t fills[] = { 0x00, 0xff };
	for (size_t f = 0; f < sizeof(fills); f++) {
		memset(buf, fills[f], sizeof(buf));
		for (size_t align = 0; align < ALIGN_MAX; align++) {
			for (size_t n = 0; n <= SWEEP_MAX; n++) {
				uint8_t *d = buf + align;
				assert_int_equal(lsoe_checksum(d, n), ref_checksum(d, n));
				if (n >= 8)
					assert_int_equal(lsoe_checksum_datagram(d, n), ref_checksum_dgram(d, n));
			}
		}
	}
}

static void test_maximum_length(void **state)
{
	(void)state;
	static uint8_t buf[65535 + ALIGN_MAX];
	xs_seed(0x0123456789ABCDEFull);
	xs_fill(buf, sizeof(buf));
	for (size_t align = 0; align < ALIGN_MAX; align++) {
		uint8_t *d = buf + align;
		assert_int_equal(lsoe_checksum(d, 65535), ref_checksum(d, 65535));
		assert_int_equal(lsoe_checksum_datagram(d, 65535), ref_checksum_dgram(d, 65535));
		/* A few lengths just below the maximum hit every tail length of the fast loop. */
		for (size_t n = 65535 - 17; n < 65535; n++)
			assert_int_equal(lsoe_checksum(d, n), ref_checksum(d, n));
	}
	/* Largest per-lane sums: every octet maps to the largest S-box value 0xff (octet 0xcc). */
	assert_int_equal(ref_sbox[0xcc], 0xff);
	memset(buf, 0xcc, sizeof(buf));
	assert_int_equal(lsoe_checksum(buf, 65535), ref_checksum(buf, 65535));
	assert_int_equal(lsoe_checksum_datagram(buf, 65535), ref_checksum_dgram(buf, 65535));
}

/* A change to any single octet (outside the checksum field) changes the checksum. */
static void test_single_octet_changes(void **state)
{
	(void)state;
	uint8_t d[64];
	xs_seed(42);
	xs_fill(d, sizeof(d));
	uint32_t base = lsoe_checksum_datagram(d, sizeof(d));
	for (size_t i = 0; i < sizeof(d); i++) {
		uint8_t orig = d[i];
		for (unsigned v = 0; v < 256; v++) {
			if (v == orig)
				continue;
			d[i] = (uint8_t)v;
			uint32_t c = lsoe_checksum_datagram(d, sizeof(d));
			assert_int_equal(c, ref_checksum_dgram(d, sizeof(d)));
			if (i >= 4 && i < 8)
				assert_int_equal(c, base);
			else
				assert_int_not_equal(c, base);
		}
		d[i] = orig;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_sbox_is_permutation),
		cmocka_unit_test(test_hello_worked_example),
		cmocka_unit_test(test_spec_vectors),
		cmocka_unit_test(test_constant_buffers_known),
		cmocka_unit_test(test_second_fold),
		cmocka_unit_test(test_reference_sweep),
		cmocka_unit_test(test_reference_constant_sweep),
		cmocka_unit_test(test_maximum_length),
		cmocka_unit_test(test_single_octet_changes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
