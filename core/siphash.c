/* SipHash-2-4, streamed (siphash.h); the reference implementation's order of operations. */
#include "siphash.h"

static uint64_t rotl(uint64_t x, unsigned b) { return (x << b) | (x >> (64 - b)); }

static void round2(struct siphash *h)
{
	for (int i = 0; i < 2; i++) {
		h->v0 += h->v1;
		h->v1 = rotl(h->v1, 13) ^ h->v0;
		h->v0 = rotl(h->v0, 32);
		h->v2 += h->v3;
		h->v3 = rotl(h->v3, 16) ^ h->v2;
		h->v0 += h->v3;
		h->v3 = rotl(h->v3, 21) ^ h->v0;
		h->v2 += h->v1;
		h->v1 = rotl(h->v1, 17) ^ h->v2;
		h->v2 = rotl(h->v2, 32);
	}
}

static void compress(struct siphash *h, uint64_t m)
{
	h->v3 ^= m;
	round2(h);
	h->v0 ^= m;
}

void siphash_init(struct siphash *h, uint64_t k0, uint64_t k1)
{
	h->v0 = k0 ^ 0x736f6d6570736575ull;
	h->v1 = k1 ^ 0x646f72616e646f6dull;
	h->v2 = k0 ^ 0x6c7967656e657261ull;
	h->v3 = k1 ^ 0x7465646279746573ull;
	h->tail = 0;
	h->len = 0;
}

void siphash_bytes(struct siphash *h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h->tail |= (uint64_t)p[i] << (8 * (h->len & 7));
		if ((++h->len & 7) == 0) {
			compress(h, h->tail);
			h->tail = 0;
		}
	}
}

uint64_t siphash_final(struct siphash *h)
{
	compress(h, h->tail | (h->len & 0xff) << 56);
	h->v2 ^= 0xff;
	round2(h);
	round2(h);
	return h->v0 ^ h->v1 ^ h->v2 ^ h->v3;
}
