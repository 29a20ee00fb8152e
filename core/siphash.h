/*
 * SipHash-2-4 (Aumasson and Bernstein), streamed: a keyed 64-bit hash that an
 * adversary who does not know the key cannot steer into collisions. The engine
 * keeps such a hash of a view instead of the view itself (links.c).
 */
#ifndef LSOE_SIPHASH_H
#define LSOE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash {
	uint64_t v0, v1, v2, v3;
	uint64_t tail;               /* octets not yet hashed, little-endian */
	uint64_t len;                /* octets in all */
};

void siphash_init(struct siphash *h, uint64_t k0, uint64_t k1);
void siphash_bytes(struct siphash *h, const uint8_t *p, size_t n);
uint64_t siphash_final(struct siphash *h);

#endif
