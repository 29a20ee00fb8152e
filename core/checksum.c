/*
 * The checksum is a weighted sum: octet i adds sbox[octet] << (24 - 8 * (i mod 4))
 * to a 64-bit total (the draft's four lane sums combined with 8-bit shifts), which is
 * then folded twice. Because the combination is linear we can sum pairs of octets
 * with one lookup in a pair table and apply the lane weights at the end. This
 * reads two octets per lookup and keeps four independent accumulators, about three
 * times the byte-wise loop (see lsoe-bench codec).
 */
#include "lsoe/checksum.h"

#include "checksum_table.h"

/* Little-endian 64-bit load built from bytes: one load on LE hosts, correct on any. */
static inline uint64_t load_le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	    (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline uint64_t weight(size_t i) { return 24u - 8u * (unsigned)(i & 3u); }

/* The unfolded 64-bit total R of the draft. Never overflows for n < 2^40. */
static uint64_t sum_unfolded(const uint8_t *d, size_t n)
{
	/* a*: pairs at offsets 0 mod 4 (lanes 0,1, weight << 16); b*: offsets 2 mod 4. */
	uint64_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
	size_t i = 0;

	for (; i + 16 <= n; i += 16) {
		uint64_t w0 = load_le64(d + i), w1 = load_le64(d + i + 8);
		a0 += lsoe_sbox_pair[(uint16_t)w0];
		b0 += lsoe_sbox_pair[(uint16_t)(w0 >> 16)];
		a1 += lsoe_sbox_pair[(uint16_t)(w0 >> 32)];
		b1 += lsoe_sbox_pair[(uint16_t)(w0 >> 48)];
		a0 += lsoe_sbox_pair[(uint16_t)w1];
		b0 += lsoe_sbox_pair[(uint16_t)(w1 >> 16)];
		a1 += lsoe_sbox_pair[(uint16_t)(w1 >> 32)];
		b1 += lsoe_sbox_pair[(uint16_t)(w1 >> 48)];
	}
	uint64_t r = ((a0 + a1) << 16) + b0 + b1;
	for (; i < n; i++)
		r += (uint64_t)lsoe_sbox[d[i]] << weight(i);
	return r;
}

static uint32_t fold(uint64_t r)
{
	r = (r >> 32) + (r & 0xFFFFFFFFu);
	r = (r >> 32) + (r & 0xFFFFFFFFu);
	return (uint32_t)r;
}

uint32_t lsoe_checksum(const uint8_t *data, size_t n)
{
	return fold(sum_unfolded(data, n));
}

/* What the four zeroed checksum octets (offsets 4..7, one per lane) contribute. */
#define ZEROED_FIELD ((uint64_t)LSOE_SB_0 << 24 | (uint64_t)LSOE_SB_0 << 16 | (uint64_t)LSOE_SB_0 << 8 | LSOE_SB_0)

uint32_t lsoe_checksum_datagram(const uint8_t *dgram, size_t n)
{
	if (n < 8) { /* not a datagram; still never read past n */
		uint64_t r = 0;
		for (size_t i = 0; i < n; i++)
			r += (uint64_t)lsoe_sbox[i < 4 ? dgram[i] : 0] << weight(i);
		return fold(r);
	}
	/* Octets 0..3, the field as zeros, then octets 8.. (offset 8 keeps the lanes aligned). */
	uint64_t r = ZEROED_FIELD + sum_unfolded(dgram + 8, n - 8);
	for (size_t i = 0; i < 4; i++)
		r += (uint64_t)lsoe_sbox[dgram[i]] << weight(i);
	return fold(r);
}
