/*
 * libFuzzer target: frame decode, datagram decode and reassembly, then PDU decode
 * and an exact re-encode of every PDU that decodes.
 *
 * Input: the whole input is first fed once as a single raw frame; then it is read
 * as a sequence of records
 *
 *     [flags: 1 octet][length: 2 octets, big-endian][frame: length octets]
 *
 * (a final record shorter than its length takes what is left). The flags octet:
 *
 *     bits 0-1  port the frame arrives on (0..3): reassembly is keyed by (port, source)
 *     bit 2     fix the checksum: write a valid datagram checksum into the frame first
 *               (when its length field is in range), so mutations reach reassembly
 *               and the PDU decoders instead of dying at the checksum
 *     bit 3     housekeeping before the frame: lsoe_reasm_expire(now); but when the
 *               time step t is 15, lsoe_reasm_flush(port) instead, and when it is 14,
 *               the allocator refuses the next allocation instead
 *     bits 4-7  time step t: the clock advances t*t*8 ms before the frame (0 to 1.8 s;
 *               the reassembly timeout is 1 s, crossed from t = 12)
 *
 * Every frame is copied to a buffer of exactly its size, and every complete PDU to one
 * of exactly its size, so ASan sees any read past either. Checks (abort() on failure):
 *  - lsoe_checksum_datagram agrees with lsoe_checksum over a copy with a zeroed field;
 *  - the reassembler's memory, counted by the allocator, never exceeds its footprint
 *    + max_total_bytes + 65535 (a buffer being grown is briefly held twice), equals
 *    footprint + bytes_buffered after every call, and is all freed at destroy; every
 *    free names a live block with the size it was allocated with;
 *  - sources and bytes stay within the configured limits; expire returns a deadline
 *    in the future, or UINT64_MAX exactly when nothing is held;
 *  - every complete PDU passes fz_check_pdu (pdu_check.c): a PDU that decodes
 *    re-encodes to exactly the same octets, both as decoded (wire entries) and, for
 *    encapsulation PDUs, from typed entries read with lsoe_encap_iter.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lsoe/checksum.h"
#include "lsoe/pdu.h"
#include "lsoe/reasm.h"
#include "lsoe/wire.h"

/*
 * Small limits, so that every bound is reachable with libFuzzer's default inputs of at
 * most 4 KiB: one source overflows 3 KiB with two datagrams, six sources whose first
 * datagram claims a large PDU (the buffer is sized from that claim) overflow 16 KiB,
 * nine overflow the table. The largest PDU of the reference captures (2219 octets) fits.
 */
#define FZ_MAX_SOURCES       8u
#define FZ_MAX_SOURCE_BYTES  (3u * 1024u)
#define FZ_MAX_TOTAL_BYTES   (16u * 1024u)
#define FZ_TIMEOUT_NS        1000000000ull
#define FZ_STEP_NS           8000000ull
#define FZ_HASH_SEED         0x9E3779B97F4A7C15ull

#define FLAG_PORT_MASK       0x03u
#define FLAG_FIX_CHECKSUM    0x04u
#define FLAG_HOUSEKEEPING    0x08u
#define FLAG_TIME_SHIFT      4

/* ---- the counting allocator ---- */

#define FZ_MAX_BLOCKS 64u        /* table + <= 8 partial PDUs + the done buffer + one being grown */

struct block {
	void *ptr;
	size_t size;
};

struct counting_alloc {
	struct lsoe_allocator a;
	size_t live_bytes, limit;
	bool fail_next;              /* refuse the next allocation */
	unsigned live_blocks;
	struct block blocks[FZ_MAX_BLOCKS];
};

static void *ca_alloc(void *ctx, size_t size)
{
	struct counting_alloc *ca = ctx;
	CHECK(size > 0);
	CHECK(ca->live_blocks < FZ_MAX_BLOCKS);
	if (ca->fail_next) {
		ca->fail_next = false;
		return NULL;
	}
	void *p = malloc(size); /* exactly size octets: ASan sees any overrun */
	if (!p)
		return NULL;
	ca->blocks[ca->live_blocks].ptr = p;
	ca->blocks[ca->live_blocks].size = size;
	ca->live_blocks++;
	ca->live_bytes += size;
	CHECK(ca->live_bytes <= ca->limit);
	return p;
}

static void ca_free(void *ctx, void *ptr, size_t size)
{
	struct counting_alloc *ca = ctx;
	CHECK(ptr != NULL);
	unsigned i = 0;
	while (i < ca->live_blocks && ca->blocks[i].ptr != ptr)
		i++;
	CHECK(i < ca->live_blocks);            /* a live block */
	CHECK(ca->blocks[i].size == size);     /* freed with the size it was allocated with */
	ca->blocks[i] = ca->blocks[--ca->live_blocks];
	ca->live_bytes -= size;
	free(ptr);
}

/* ---- state of one input ---- */

struct fz {
	struct counting_alloc ca;
	struct lsoe_reasm_config cfg;
	struct lsoe_reasm *r;
	size_t footprint;
	uint64_t now;
};

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void fz_init(struct fz *z)
{
	memset(z, 0, sizeof(*z));
	z->ca.a.alloc = ca_alloc;
	z->ca.a.free = ca_free;
	z->ca.a.ctx = &z->ca;
	z->ca.limit = SIZE_MAX; /* until the table exists */
	lsoe_reasm_config_default(&z->cfg);
	z->cfg.timeout_ns = FZ_TIMEOUT_NS;
	z->cfg.max_sources = FZ_MAX_SOURCES;
	z->cfg.max_source_bytes = FZ_MAX_SOURCE_BYTES;
	z->cfg.max_total_bytes = FZ_MAX_TOTAL_BYTES;
	z->cfg.hash_seed = FZ_HASH_SEED;
	z->r = lsoe_reasm_create(&z->cfg, &z->ca.a);
	CHECK(z->r != NULL);
	z->footprint = lsoe_reasm_footprint(z->r);
	CHECK(z->ca.live_bytes == z->footprint && z->ca.live_blocks == 1);
	z->ca.limit = z->footprint + FZ_MAX_TOTAL_BYTES + LSOE_PDU_MAX_LEN;
}

static void fz_destroy(struct fz *z)
{
	lsoe_reasm_destroy(z->r);
	CHECK(z->ca.live_bytes == 0 && z->ca.live_blocks == 0);
}

/* After every call into the reassembler. */
static void check_reasm(const struct fz *z)
{
	const struct lsoe_reasm_stats *st = lsoe_reasm_stats(z->r);
	CHECK(z->ca.live_bytes == z->footprint + st->bytes_buffered);
	CHECK(st->bytes_buffered <= z->cfg.max_total_bytes);
	CHECK(st->bytes_buffered <= st->bytes_buffered_peak);
	CHECK(st->sources <= z->cfg.max_sources && st->sources_peak <= z->cfg.max_sources);
	CHECK(st->pdus_multi <= st->pdus);
}

/* ---- frames ---- */

static void feed_frame(struct fz *z, uint32_t port, const uint8_t *in, size_t len, bool fix_checksum)
{
	uint8_t *frame = malloc(len ? len : 1); /* exactly the frame */
	CHECK(frame != NULL);
	if (len)
		memcpy(frame, in, len);

	struct lsoe_eth eth;
	if (lsoe_eth_decode(frame, len, &eth) != LSOE_OK)
		goto out;
	CHECK(eth.nvlan <= LSOE_ETH_VLAN_MAX);
	CHECK(eth.payload + eth.payload_len == frame + len);
	/* Any EtherType is decoded: filtering is the port's job, and it would only cost coverage. */

	uint8_t *pl = frame + (eth.payload - frame);
	if (fix_checksum && eth.payload_len >= LSOE_DGRAM_HDR_LEN) {
		uint16_t dlen = get16(pl + 2);
		if (dlen >= LSOE_DGRAM_HDR_LEN && dlen <= eth.payload_len)
			put32(pl + 4, lsoe_checksum_datagram(pl, dlen));
	}

	struct lsoe_dgram d;
	enum lsoe_err e = lsoe_dgram_decode(eth.payload, eth.payload_len, &d);
	CHECK(e < LSOE_ERR_COUNT);
	if (d.bytes && d.length >= LSOE_DGRAM_HDR_LEN && d.length <= eth.payload_len) {
		/* The two checksum entry points agree. */
		uint8_t *z4 = malloc(d.length);
		CHECK(z4 != NULL);
		memcpy(z4, d.bytes, d.length);
		memset(z4 + 4, 0, 4);
		uint32_t c = lsoe_checksum(z4, d.length);
		CHECK(c == lsoe_checksum_datagram(d.bytes, d.length));
		CHECK(d.checksum_ok == (c == d.checksum));
		free(z4);
	}
	if (e != LSOE_OK)
		goto out;
	CHECK(d.version == LSOE_VERSION && d.checksum_ok && d.number <= LSOE_DGRAM_NUM_MAX);
	CHECK(d.payload == d.bytes + LSOE_DGRAM_HDR_LEN && d.payload_len + LSOE_DGRAM_HDR_LEN == d.length);

	bool complete = true;
	const uint8_t *pdu = NULL;
	size_t pdu_len = 1;
	e = lsoe_reasm_input(z->r, port, eth.src, &d, z->now, &complete, &pdu, &pdu_len);
	CHECK(e < LSOE_ERR_COUNT);
	check_reasm(z);
	if (e == LSOE_OK && complete) {
		CHECK(pdu_len <= LSOE_PDU_MAX_LEN);
		CHECK(pdu != NULL || pdu_len == 0);
		fz_check_pdu(pdu, pdu_len);
	} else {
		CHECK(!complete && pdu == NULL && pdu_len == 0);
	}
out:
	free(frame);
}

static void housekeeping(struct fz *z, uint8_t flags)
{
	uint32_t port = flags & FLAG_PORT_MASK;
	if ((flags >> FLAG_TIME_SHIFT) == 15) {
		lsoe_reasm_flush(z->r, port);
		check_reasm(z);
		return;
	}
	if ((flags >> FLAG_TIME_SHIFT) == 14) {
		z->ca.fail_next = true;
		return;
	}
	uint64_t next = lsoe_reasm_expire(z->r, z->now);
	check_reasm(z);
	const struct lsoe_reasm_stats *st = lsoe_reasm_stats(z->r);
	if (next == UINT64_MAX)
		CHECK(st->sources == 0);
	else
		CHECK(st->sources > 0 && next > z->now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z;
	fz_init(&z);

	/* The raw input, once, as one frame. */
	feed_frame(&z, 0, data, size, false);

	size_t off = 0;
	while (size - off >= 3) {
		uint8_t flags = data[off];
		size_t n = get16(data + off + 1);
		off += 3;
		if (n > size - off)
			n = size - off;
		uint64_t t = flags >> FLAG_TIME_SHIFT;
		z.now += t * t * FZ_STEP_NS;
		if (flags & FLAG_HOUSEKEEPING)
			housekeeping(&z, flags);
		feed_frame(&z, flags & FLAG_PORT_MASK, data + off, n, (flags & FLAG_FIX_CHECKSUM) != 0);
		off += n;
	}

	fz_destroy(&z);
	return 0;
}
