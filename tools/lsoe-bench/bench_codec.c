/*
 * lsoe-bench codec: the receive path of the codec, one core.
 *
 *   small_frames_per_s           HELLO and KEEPALIVE alternately, each a 60-octet
 *                                padded frame as a NIC delivers it, through
 *                                lsoe_eth_decode, lsoe_dgram_decode (checksum
 *                                included), lsoe_reasm_input (single-datagram fast
 *                                path) and lsoe_pdu_decode
 *   checksum_bytes_per_s         lsoe_checksum_datagram over a real 1500-octet LSOE
 *                                datagram (datagram 0 of the 123-entry IPv6
 *                                encapsulation PDU of ref-bigencap.pcap)
 *   checksum_random_bytes_per_s  the same over 1500 pseudo-random octets
 *   big_pdu_per_s                that PDU: lsoe_reasm_input of both datagrams,
 *                                lsoe_pdu_decode, and a walk of all 123 entries with
 *                                lsoe_encap_iter
 *
 * Every loop varies one octet per iteration (one the work depends on, never one
 * that would make the input invalid) and folds results into the sink, and each
 * checks that every frame decoded as expected: a benchmark of failures is useless.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "heap.h"
#include "bench_data.h"
#include "lsoe/checksum.h"
#include "lsoe/pdu.h"
#include "lsoe/reasm.h"
#include "lsoe/wire.h"

#define BIG_ENTRIES     123u
#define DGRAM_BYTES     1500u

static const char usage_text[] =
    "usage: lsoe-bench codec [--json] [--reps N] [--seconds S]\n\n"
    "Decode throughput of the LSOE codec on one core (a benchmark, not a test):\n"
    "  small_frames_per_s           60-octet HELLO/KEEPALIVE frames: Ethernet + datagram\n"
    "                               (checksum) + reassembly fast path + PDU decode\n"
    "  checksum_bytes_per_s         lsoe_checksum_datagram over a real 1500-octet datagram\n"
    "  checksum_random_bytes_per_s  the same over 1500 pseudo-random octets\n"
    "  checksum_bytewise_bytes_per_s  the draft's byte-wise loop on the real datagram (baseline)\n"
    "  big_pdu_per_s                reassembly of a 2-datagram, 123-entry IPv6 encapsulation\n"
    "                               PDU (from ref-bigencap.pcap, embedded) + decode + entry walk\n\n"
    "  --json         one line: {\"benchmark\":\"codec\", the four figures, \"repetitions\"}\n"
    "  --reps N       repetitions per figure; the median is reported (default 7)\n"
    "  --seconds S    duration of one repetition (default 0.25)\n"
    "  -h, --help     this text\n";

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t mac_bridge[6] = LSOE_MAC_NEAREST_BRIDGE;

static struct lsoe_reasm *new_reasm(void)
{
	struct lsoe_reasm_config cfg;
	lsoe_reasm_config_default(&cfg);
	struct lsoe_reasm *r = lsoe_reasm_create(&cfg, &lsoe_heap_allocator);
	if (!r)
		bench_die("cannot create a reassembler");
	return r;
}

/* xorshift64* with a fixed seed: the same "random" octets on every run. */
static uint64_t xorshift64s(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* ---- small frames ---- */

struct small_ctx {
	_Alignas(64) uint8_t frame[2][64]; /* [0] HELLO, [1] KEEPALIVE; 60 octets used */
	struct lsoe_reasm *r;
	uint64_t now;
};

/* A one-datagram PDU of `type` in a 60-octet frame, zero-padded, built with the codec. */
static void build_small_frame(uint8_t out[64], unsigned type, const uint8_t dst[6], const uint8_t src[6])
{
	struct lsoe_pdu pdu = { .type = (uint8_t)type };
	uint8_t pbuf[16];
	size_t plen;
	if (lsoe_pdu_encode(&pdu, pbuf, sizeof(pbuf), &plen) != LSOE_OK)
		bench_die("cannot encode a %s PDU", lsoe_pdu_type_name(type));
	struct lsoe_frag f;
	enum lsoe_err err;
	if (lsoe_frag_init(&f, pbuf, plen, LSOE_MTU_DEFAULT) != LSOE_OK || lsoe_frag_count(&f) != 1)
		bench_die("cannot fragment a %s PDU", lsoe_pdu_type_name(type));
	memset(out, 0, 64);
	size_t h = lsoe_eth_encode_header(out, dst, src, LSOE_ETHERTYPE_DEFAULT);
	size_t n = lsoe_frag_next(&f, out + h, LSOE_ETH_MIN_FRAME - h, &err);
	if (n == 0 || err != LSOE_OK)
		bench_die("cannot build a %s frame", lsoe_pdu_type_name(type));
	/* out[h + n .. 59] stay zero: the Ethernet padding the receiver must ignore. */
}

static uint64_t work_small(void *vctx, uint64_t iters)
{
	struct small_ctx *c = vctx;
	uint64_t acc = 0;
	unsigned bad = 0;
	for (uint64_t i = 0; i < iters; i++) {
		uint8_t *f = c->frame[i & 1];
		f[11] = (uint8_t)i; /* last octet of the source MAC: read by every stage, not checksummed */
		struct lsoe_eth eth;
		struct lsoe_dgram d;
		struct lsoe_pdu pdu;
		bool complete;
		const uint8_t *p;
		size_t plen;
		bad |= (unsigned)lsoe_eth_decode(f, LSOE_ETH_MIN_FRAME, &eth);
		bad |= eth.ethertype != LSOE_ETHERTYPE_DEFAULT;
		bad |= (unsigned)lsoe_dgram_decode(eth.payload, eth.payload_len, &d);
		bad |= (unsigned)lsoe_reasm_input(c->r, 0, eth.src, &d, c->now++, &complete, &p, &plen);
		bad |= !complete;
		bad |= (unsigned)lsoe_pdu_decode(p, plen, &pdu);
		acc += pdu.type + d.checksum + eth.src[5];
	}
	if (bad)
		bench_die("small frames: a frame failed to decode");
	return acc;
}

/* ---- checksum ---- */

struct csum_ctx {
	uint32_t (*sum)(const uint8_t *, size_t);
	uint8_t *dgram;
	size_t len;
	size_t vary;                 /* the octet changed every iteration */
};

static uint64_t work_csum(void *vctx, uint64_t iters)
{
	struct csum_ctx *c = vctx;
	uint64_t acc = 0;
	for (uint64_t i = 0; i < iters; i++) {
		c->dgram[c->vary] = (uint8_t)i;
		acc += c->sum(c->dgram, c->len);
	}
	return acc;
}

/*
 * The draft's byte-wise loop (section 7), exactly, as the baseline the pair-table
 * checksum is measured against. It runs over a copy whose checksum field is zero.
 */
static uint8_t draft_sbox[256];

static void draft_sbox_init(void)
{
	/* The checksum of the single octet x is sbox[x] << 24 (no fold can carry). */
	for (unsigned x = 0; x < 256; x++) {
		uint8_t b = (uint8_t)x;
		draft_sbox[x] = (uint8_t)(lsoe_checksum(&b, 1) >> 24);
	}
}

static uint32_t checksum_draft(const uint8_t *b, size_t n)
{
	uint32_t sum[4] = { 0, 0, 0, 0 };
	uint64_t result = 0;
	for (size_t i = 0; i < n; i++)
		sum[i & 3] += draft_sbox[*b++];
	for (int i = 0; i < 4; i++)
		result = (result << 8) + sum[i];
	result = (result >> 32) + (result & 0xFFFFFFFFu);
	result = (result >> 32) + (result & 0xFFFFFFFFu);
	return (uint32_t)result;
}

/* ---- the big PDU ---- */

struct big_ctx {
	uint8_t *frame[2];           /* private copies of the embedded frames */
	struct lsoe_dgram d[2];      /* decoded (and checksum-verified) once */
	uint8_t src[6];
	uint8_t *vary;               /* last address octet of the last entry */
	struct lsoe_reasm *r;
	uint64_t now;
};

static uint64_t work_big(void *vctx, uint64_t iters)
{
	struct big_ctx *c = vctx;
	uint64_t acc = 0;
	unsigned bad = 0;
	for (uint64_t i = 0; i < iters; i++) {
		*c->vary = (uint8_t)i;
		bool complete;
		const uint8_t *p;
		size_t plen;
		bad |= (unsigned)lsoe_reasm_input(c->r, 0, c->src, &c->d[0], c->now, &complete, &p, &plen);
		bad |= complete;
		bad |= (unsigned)lsoe_reasm_input(c->r, 0, c->src, &c->d[1], c->now++, &complete, &p, &plen);
		bad |= !complete;
		struct lsoe_pdu pdu;
		bad |= (unsigned)lsoe_pdu_decode(p, plen, &pdu);
		struct lsoe_encap_iter it;
		struct lsoe_encap e;
		unsigned n = 0;
		lsoe_encap_iter_init(&it, &pdu);
		while (lsoe_encap_iter_next(&it, &e)) {
			acc += (uint64_t)e.flags + e.prefix_len + e.addr[15];
			n++;
		}
		bad |= n != BIG_ENTRIES;
	}
	if (bad)
		bench_die("big PDU: reassembly or decoding failed");
	return acc;
}

/* Copy and decode one embedded frame; it must be a valid LSOE datagram. */
static uint8_t *load_frame(const uint8_t *data, size_t len, struct lsoe_eth *eth, struct lsoe_dgram *d)
{
	uint8_t *f = malloc(len);
	if (!f)
		bench_die("out of memory");
	memcpy(f, data, len);
	enum lsoe_err e = lsoe_eth_decode(f, len, eth);
	if (e == LSOE_OK)
		e = lsoe_dgram_decode(eth->payload, eth->payload_len, d);
	if (e != LSOE_OK)
		bench_die("embedded frame from %s: %s", lsoe_bench_big_source, lsoe_err_desc(e));
	return f;
}

static void setup_big(struct big_ctx *c)
{
	struct lsoe_eth eth[2];
	c->frame[0] = load_frame(lsoe_bench_big_frame0, lsoe_bench_big_frame0_len, &eth[0], &c->d[0]);
	c->frame[1] = load_frame(lsoe_bench_big_frame1, lsoe_bench_big_frame1_len, &eth[1], &c->d[1]);
	if (c->d[0].number != 0 || c->d[0].last || c->d[1].number != 1 || !c->d[1].last ||
	    c->d[0].length != DGRAM_BYTES || memcmp(eth[0].src, eth[1].src, 6) != 0)
		bench_die("embedded frames from %s are not a 1500-octet datagram 0 and its last datagram 1",
		    lsoe_bench_big_source);
	memcpy(c->src, eth[0].src, 6);
	/* Entries are 18 octets (flags, 16 address octets, prefix length): the one before the end is an address octet. */
	size_t last_addr_octet = (size_t)(c->d[1].payload - c->frame[1]) + c->d[1].payload_len - 2;
	c->vary = c->frame[1] + last_addr_octet;
	c->r = new_reasm();
	c->now = 0;
	/* One run outside the clock proves the data: 123 entries, an IPv6 encapsulation PDU. */
	bool complete;
	const uint8_t *p;
	size_t plen;
	struct lsoe_pdu pdu;
	if (lsoe_reasm_input(c->r, 0, c->src, &c->d[0], 0, &complete, &p, &plen) != LSOE_OK || complete ||
	    lsoe_reasm_input(c->r, 0, c->src, &c->d[1], 0, &complete, &p, &plen) != LSOE_OK || !complete ||
	    lsoe_pdu_decode(p, plen, &pdu) != LSOE_OK || pdu.type != LSOE_PDU_IPV6_ENCAP ||
	    pdu.u.encap.count != BIG_ENTRIES)
		bench_die("embedded PDU from %s is not a %u-entry IPv6 encapsulation PDU", lsoe_bench_big_source,
		    BIG_ENTRIES);
	work_big(c, 1);
}

int bench_codec_main(int argc, char **argv)
{
	struct bench_opts o;
	bench_opts_default(&o);
	int rc = bench_parse_opts(argc, argv, &o, usage_text);
	if (rc >= 0)
		return rc;

	/* Small frames, built with the codec. */
	static struct small_ctx small;
	build_small_frame(small.frame[0], LSOE_PDU_HELLO, mac_bridge, mac_a);
	build_small_frame(small.frame[1], LSOE_PDU_KEEPALIVE, mac_b, mac_a);
	small.r = new_reasm();
	work_small(&small, 2); /* checks both frames decode */

	/* The big PDU and its first datagram, the real 1500-octet one. */
	struct big_ctx big;
	setup_big(&big);
	struct csum_ctx real = { .sum = lsoe_checksum_datagram, .len = DGRAM_BYTES, .vary = DGRAM_BYTES / 2 };
	real.dgram = malloc(DGRAM_BYTES);
	if (!real.dgram)
		bench_die("out of memory");
	memcpy(real.dgram, big.d[0].bytes, DGRAM_BYTES);
	struct csum_ctx zeroed = { .sum = checksum_draft, .len = DGRAM_BYTES, .vary = DGRAM_BYTES / 2 };
	zeroed.dgram = malloc(DGRAM_BYTES);
	if (!zeroed.dgram)
		bench_die("out of memory");
	memcpy(zeroed.dgram, real.dgram, DGRAM_BYTES);
	memset(zeroed.dgram + 4, 0, 4);
	draft_sbox_init();
	if (checksum_draft(zeroed.dgram, DGRAM_BYTES) != lsoe_checksum_datagram(real.dgram, DGRAM_BYTES))
		bench_die("the draft's byte-wise loop disagrees with lsoe_checksum_datagram");

	struct csum_ctx rnd = { .sum = lsoe_checksum_datagram, .len = DGRAM_BYTES, .vary = DGRAM_BYTES / 2 };
	rnd.dgram = malloc(DGRAM_BYTES);
	if (!rnd.dgram)
		bench_die("out of memory");
	uint64_t seed = 0x9E3779B97F4A7C15ull;
	for (size_t i = 0; i < DGRAM_BYTES; i++)
		rnd.dgram[i] = (uint8_t)(xorshift64s(&seed) >> 56);

	struct bench_metric m[] = {
		{ .key = "small_frames_per_s", .unit = "frames/s", .op = "frame", .units_per_op = 1 },
		{ .key = "checksum_bytes_per_s", .unit = "bytes/s", .op = "1500B", .units_per_op = DGRAM_BYTES },
		{ .key = "checksum_random_bytes_per_s", .unit = "bytes/s", .op = "1500B", .units_per_op = DGRAM_BYTES },
		{ .key = "checksum_bytewise_bytes_per_s", .unit = "bytes/s", .op = "1500B", .units_per_op = DGRAM_BYTES },
		{ .key = "big_pdu_per_s", .unit = "PDUs/s", .op = "PDU", .units_per_op = 1 },
	};
	m[0].rate = bench_measure(&o, work_small, &small, 1);
	m[1].rate = bench_measure(&o, work_csum, &real, DGRAM_BYTES);
	m[2].rate = bench_measure(&o, work_csum, &rnd, DGRAM_BYTES);
	m[3].rate = bench_measure(&o, work_csum, &zeroed, DGRAM_BYTES);
	m[4].rate = bench_measure(&o, work_big, &big, 1);
	bench_report("codec", &o, m, sizeof(m) / sizeof(m[0]));
	if (!o.json)
		printf("\n  small frames: 60-octet HELLO/KEEPALIVE, Ethernet + datagram (checksum) + reassembly + PDU decode\n"
		       "  checksum:     lsoe_checksum_datagram, 1500 octets (datagram 0 of the big PDU; random octets);\n"
		       "                bytewise: the draft's one-octet-at-a-time loop on the same datagram, for comparison\n"
		       "  big PDU:      %s, 2 datagrams (1500 + %u octets), reassembly + decode + %u-entry walk\n",
		    lsoe_bench_big_source, (unsigned)big.d[1].length, BIG_ENTRIES);

	lsoe_reasm_destroy(small.r);
	lsoe_reasm_destroy(big.r);
	free(big.frame[0]);
	free(big.frame[1]);
	free(real.dgram);
	free(rnd.dgram);
	free(zeroed.dgram);
	return 0;
}
