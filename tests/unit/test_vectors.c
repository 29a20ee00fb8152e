/*
 * The reference captures of tests/data (see its README): every frame decoded
 * with lsoe_eth_decode, lsoe_dgram_decode, lsoe_reasm_input and lsoe_pdu_decode,
 * every datagram re-sealed and every PDU re-encoded to the same bytes, and the
 * facts of the README asserted. Each capture is run twice: as recorded (frames
 * not padded) and with every frame zero-padded to 60 octets as a NIC delivers
 * it; both runs must give identical results.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lsoe/pdu.h"
#include "lsoe/reasm.h"
#include "lsoe/wire.h"
#include "support.h"

static const uint8_t MAC_A[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t MAC_NEAREST_BRIDGE[6] = LSOE_MAC_NEAREST_BRIDGE;
static const uint8_t ID_A[LSOE_LOCAL_ID_LEN] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x01 };
static const uint8_t ID_B[LSOE_LOCAL_ID_LEN] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x02 };

/* Most entries an encapsulation PDU can hold (IPv4: (65535 - 5) / 6). */
#define MAX_ENTRIES 10921u
/* Entries kept per (node, encapsulation type) for the checks below. */
#define KEEP_ENTRIES 128u
#define MAX_OPENS 8u

enum { NODE_A = 0, NODE_B = 1 };

struct entry {
	uint8_t flags, prefix_len, nlabels;
	uint8_t addr[16];
};

struct open_seen {
	int node;
	uint32_t nonce;
};

struct vec_result {
	size_t frames;
	size_t padded_frames;       /* frames that were shorter than 60 octets */
	size_t dgrams;
	size_t pdus;
	size_t pdus_multi;
	size_t by_type[256];
	size_t dgram_len_sum;       /* sum of datagram length fields */
	uint64_t dgram_hash;        /* FNV-1a over every datagram, in order */
	uint64_t pdu_hash;          /* FNV-1a over every reassembled PDU, in order */
	/* the multi-datagram PDUs */
	size_t multi_len[4];
	size_t multi_dgram_len[4][2];
	size_t multi_frame_len[4][2];
	uint8_t multi_type[4];
	int multi_node[4];
	/* encapsulation PDUs: count per (node, type - 4), last list seen */
	size_t encap_pdus[2][4];
	size_t encap_count[2][4];
	struct entry encap[2][4][KEEP_ENTRIES];
	/* OPENs in order */
	size_t opens;
	struct open_seen open[MAX_OPENS];
};

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001B3ull;
	}
	return h;
}

static int node_of(const uint8_t mac[6])
{
	if (memcmp(mac, MAC_A, 6) == 0)
		return NODE_A;
	if (memcmp(mac, MAC_B, 6) == 0)
		return NODE_B;
	fail_msg("frame from an unknown MAC %02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
	    mac[4], mac[5]);
	return -1;
}

/* Re-encode a decoded PDU; encapsulation PDUs from their typed entries, not the wire slice. */
static void check_reencode(const struct lsoe_pdu *p, const uint8_t *bytes, size_t len, struct lsoe_encap *ents,
    uint8_t *out)
{
	struct lsoe_pdu q;
	if (lsoe_pdu_type_is_encap(p->type)) {
		struct lsoe_encap_iter it;
		lsoe_encap_iter_init(&it, p);
		size_t n = 0;
		struct lsoe_encap e;
		while (lsoe_encap_iter_next(&it, &e)) {
			assert_true(n < MAX_ENTRIES);
			ents[n++] = e;
		}
		assert_int_equal(n, p->u.encap.count);
		memset(&q, 0, sizeof(q));
		q.type = p->type;
		q.u.encap.count = (uint16_t)n;
		q.u.encap.entries = ents;
	} else {
		q = *p;
	}
	q.length = 0;
	assert_int_equal(lsoe_pdu_encoded_len(&q), len);
	size_t out_len = 0;
	assert_int_equal(lsoe_pdu_encode(&q, out, LSOE_PDU_MAX_LEN, &out_len), LSOE_OK);
	assert_int_equal(out_len, len);
	assert_int_equal(q.length, len);
	assert_memory_equal(out, bytes, len);
	/* One octet short of room is refused, not truncated. */
	assert_int_equal(lsoe_pdu_encode(&q, out, len - 1, &out_len), LSOE_E_BUFFER);
	assert_int_equal(out_len, 0);
}

static void record_pdu(struct vec_result *res, int node, const struct lsoe_pdu *p)
{
	if (p->type == LSOE_PDU_OPEN) {
		assert_true(res->opens < MAX_OPENS);
		res->open[res->opens].node = node;
		res->open[res->opens].nonce = p->u.open.nonce;
		res->opens++;
		assert_memory_equal(p->u.open.local_id, node == NODE_A ? ID_A : ID_B, LSOE_LOCAL_ID_LEN);
		assert_int_equal(p->u.open.attr_count, 0);
		assert_int_equal(p->u.open.auth_len, 0);
	} else if (p->type == LSOE_PDU_ACK) {
		/* py-lsoed never sends an error ACK. */
		assert_true(lsoe_pdu_type_is_acked(p->u.ack.pdu_type));
		assert_int_equal(p->u.ack.etype, LSOE_ETYPE_NONE);
		assert_int_equal(p->u.ack.code, 0);
		assert_int_equal(p->u.ack.hint, 0);
	} else if (lsoe_pdu_type_is_encap(p->type)) {
		unsigned t = p->type - LSOE_PDU_IPV4_ENCAP;
		res->encap_pdus[node][t]++;
		res->encap_count[node][t] = p->u.encap.count;
		struct lsoe_encap_iter it;
		lsoe_encap_iter_init(&it, p);
		struct lsoe_encap e;
		size_t n = 0;
		while (lsoe_encap_iter_next(&it, &e)) {
			assert_true(n < KEEP_ENTRIES);
			struct entry *x = &res->encap[node][t][n++];
			x->flags = e.flags;
			x->prefix_len = e.prefix_len;
			x->nlabels = e.nlabels;
			memcpy(x->addr, e.addr, 16);
		}
		assert_int_equal(n, p->u.encap.count);
		for (; n < KEEP_ENTRIES; n++)
			memset(&res->encap[node][t][n], 0, sizeof(struct entry));
	}
}

/* Decode one capture, frame by frame, asserting everything that holds for every frame. */
static void run_capture(const char *name, bool pad, struct vec_result *res)
{
	memset(res, 0, sizeof(*res));
	res->dgram_hash = res->pdu_hash = 0xCBF29CE484222325ull;

	struct test_frame *frames = NULL;
	size_t nframes = test_read_pcap(name, &frames);
	assert_true(nframes > 0);

	struct test_alloc ta;
	test_alloc_init(&ta);
	struct lsoe_reasm_config cfg;
	lsoe_reasm_config_default(&cfg);
	struct lsoe_reasm *r = lsoe_reasm_create(&cfg, &ta.a);
	assert_non_null(r);

	uint8_t *frame = malloc(LSOE_ETH_HDR_LEN + LSOE_DGRAM_MAX_LEN);
	uint8_t *seal = malloc(LSOE_DGRAM_MAX_LEN);
	uint8_t *enc = malloc(LSOE_PDU_MAX_LEN);
	struct lsoe_encap *ents = calloc(MAX_ENTRIES, sizeof(*ents));
	assert_non_null(frame);
	assert_non_null(seal);
	assert_non_null(enc);
	assert_non_null(ents);

	uint64_t prev_time = 0;
	size_t multi_frame_len[2] = { 0, 0 }, multi_dgram_len[2] = { 0, 0 };
	for (size_t i = 0; i < nframes; i++) {
		const struct test_frame *f = &frames[i];
		assert_true(f->len <= LSOE_ETH_HDR_LEN + LSOE_DGRAM_MAX_LEN);
		assert_true(f->time_ns >= prev_time);
		prev_time = f->time_ns;
		/* As recorded, frames are not padded (README). */
		assert_true(f->len >= LSOE_ETH_HDR_LEN + LSOE_DGRAM_HDR_LEN);
		size_t len = f->len;
		memcpy(frame, f->data, f->len);
		if (f->len < LSOE_ETH_MIN_FRAME)
			res->padded_frames++;
		if (pad && len < LSOE_ETH_MIN_FRAME) {
			memset(frame + len, 0, LSOE_ETH_MIN_FRAME - len);
			len = LSOE_ETH_MIN_FRAME;
		}
		res->frames++;

		struct lsoe_eth eth;
		assert_int_equal(lsoe_eth_decode(frame, len, &eth), LSOE_OK);
		assert_int_equal(eth.ethertype, LSOE_ETHERTYPE_PYLSOED);
		assert_int_equal(eth.nvlan, 0);
		assert_false(lsoe_mac_is_group(eth.src));
		int node = node_of(eth.src);
		assert_int_equal(eth.payload_len, len - LSOE_ETH_HDR_LEN);

		struct lsoe_dgram d;
		assert_int_equal(lsoe_dgram_decode(eth.payload, eth.payload_len, &d), LSOE_OK);
		assert_true(d.checksum_ok);
		assert_int_equal(d.version, 0);
		assert_ptr_equal(d.bytes, eth.payload);
		/* The length field is the frame as sent; padding is not part of the datagram. */
		assert_int_equal(d.length, f->len - LSOE_ETH_HDR_LEN);
		if (!pad)
			assert_int_equal(d.length, eth.payload_len);
		assert_int_equal(d.payload_len, d.length - LSOE_DGRAM_HDR_LEN);
		res->dgrams++;
		res->dgram_len_sum += d.length;
		res->dgram_hash = fnv1a(res->dgram_hash, d.bytes, d.length);

		/* Re-seal: same header, same checksum, same bytes as on the wire. */
		memcpy(seal + LSOE_DGRAM_HDR_LEN, d.payload, d.payload_len);
		assert_int_equal(lsoe_dgram_seal(seal, d.number, d.last, d.payload_len), d.length);
		assert_memory_equal(seal, f->data + LSOE_ETH_HDR_LEN, d.length);

		if (!d.last || d.number != 0) {
			assert_true(d.number < 2);
			multi_frame_len[d.number] = f->len;
			multi_dgram_len[d.number] = d.length;
		}

		bool complete = false;
		const uint8_t *pdu = NULL;
		size_t pdu_len = 0;
		assert_int_equal(lsoe_reasm_input(r, 0, eth.src, &d, f->time_ns, &complete, &pdu, &pdu_len), LSOE_OK);
		if (!complete) {
			assert_false(d.last);
			continue;
		}
		assert_true(d.last);
		res->pdus++;
		res->pdu_hash = fnv1a(res->pdu_hash, pdu, pdu_len);
		if (d.number == 0) {
			assert_ptr_equal(pdu, d.payload);
		} else {
			assert_true(res->pdus_multi < 4);
			size_t k = res->pdus_multi++;
			res->multi_len[k] = pdu_len;
			res->multi_type[k] = pdu[0];
			res->multi_node[k] = node;
			for (int j = 0; j < 2; j++) {
				res->multi_frame_len[k][j] = multi_frame_len[j];
				res->multi_dgram_len[k][j] = multi_dgram_len[j];
			}
		}

		struct lsoe_pdu p;
		assert_int_equal(lsoe_pdu_decode(pdu, pdu_len, &p), LSOE_OK);
		assert_int_equal(p.length, pdu_len);
		res->by_type[p.type]++;
		/* HELLO goes to the Nearest Bridge group; everything else to the peer. */
		if (p.type == LSOE_PDU_HELLO)
			assert_memory_equal(eth.dst, MAC_NEAREST_BRIDGE, 6);
		else
			assert_memory_equal(eth.dst, node == NODE_A ? MAC_B : MAC_A, 6);
		check_reencode(&p, pdu, pdu_len, ents, enc);
		record_pdu(res, node, &p);
	}

	const struct lsoe_reasm_stats *st = lsoe_reasm_stats(r);
	for (int e = 0; e < LSOE_ERR_COUNT; e++)
		if (st->errors[e] != 0)
			fail_msg("%s: %llu x %s", name, (unsigned long long)st->errors[e], lsoe_err_name((enum lsoe_err)e));
	assert_int_equal(st->pdus, res->pdus);
	assert_int_equal(st->pdus_multi, res->pdus_multi);
	assert_int_equal(st->abandoned, 0);
	assert_int_equal(st->expired, 0);
	assert_int_equal(st->sources, 0);
	lsoe_reasm_destroy(r);
	assert_int_equal(ta.live_bytes, 0);
	assert_int_equal(ta.live_allocs, 0);

	free(ents);
	free(enc);
	free(seal);
	free(frame);
	test_free_frames(frames, nframes);
}

static void assert_same(const struct vec_result *a, const struct vec_result *b)
{
	assert_int_equal(a->frames, b->frames);
	assert_int_equal(a->padded_frames, b->padded_frames);
	assert_int_equal(a->dgrams, b->dgrams);
	assert_int_equal(a->pdus, b->pdus);
	assert_int_equal(a->pdus_multi, b->pdus_multi);
	for (int t = 0; t < 256; t++)
		assert_int_equal(a->by_type[t], b->by_type[t]);
	assert_int_equal(a->dgram_len_sum, b->dgram_len_sum);
	assert_int_equal(a->dgram_hash, b->dgram_hash);
	assert_int_equal(a->pdu_hash, b->pdu_hash);
	for (size_t k = 0; k < a->pdus_multi; k++) {
		assert_int_equal(a->multi_len[k], b->multi_len[k]);
		assert_int_equal(a->multi_type[k], b->multi_type[k]);
		assert_int_equal(a->multi_node[k], b->multi_node[k]);
	}
	for (int n = 0; n < 2; n++) {
		for (int t = 0; t < 4; t++) {
			assert_int_equal(a->encap_pdus[n][t], b->encap_pdus[n][t]);
			assert_int_equal(a->encap_count[n][t], b->encap_count[n][t]);
			for (unsigned i = 0; i < KEEP_ENTRIES; i++) {
				const struct entry *x = &a->encap[n][t][i], *y = &b->encap[n][t][i];
				assert_int_equal(x->flags, y->flags);
				assert_int_equal(x->prefix_len, y->prefix_len);
				assert_int_equal(x->nlabels, y->nlabels);
				assert_memory_equal(x->addr, y->addr, 16);
			}
		}
	}
	assert_int_equal(a->opens, b->opens);
	for (size_t i = 0; i < a->opens; i++) {
		assert_int_equal(a->open[i].node, b->open[i].node);
		assert_int_equal(a->open[i].nonce, b->open[i].nonce);
	}
}

struct counts {
	size_t frames, hello, open, ack, keepalive, v4, v6, mpls4, mpls6;
};

static void assert_counts(const struct vec_result *r, const struct counts *c)
{
	assert_int_equal(r->frames, c->frames);
	assert_int_equal(r->by_type[LSOE_PDU_HELLO], c->hello);
	assert_int_equal(r->by_type[LSOE_PDU_OPEN], c->open);
	assert_int_equal(r->by_type[LSOE_PDU_ACK], c->ack);
	assert_int_equal(r->by_type[LSOE_PDU_KEEPALIVE], c->keepalive);
	assert_int_equal(r->by_type[LSOE_PDU_IPV4_ENCAP], c->v4);
	assert_int_equal(r->by_type[LSOE_PDU_IPV6_ENCAP], c->v6);
	assert_int_equal(r->by_type[LSOE_PDU_MPLS_IPV4_ENCAP], c->mpls4);
	assert_int_equal(r->by_type[LSOE_PDU_MPLS_IPV6_ENCAP], c->mpls6);
	size_t total = c->hello + c->open + c->ack + c->keepalive + c->v4 + c->v6 + c->mpls4 + c->mpls6;
	assert_int_equal(r->pdus, total);
	size_t sum = 0;
	for (int t = 0; t < 256; t++)
		sum += r->by_type[t];
	assert_int_equal(sum, total); /* nothing of any other type */
	/* Each encapsulation type is sent by both nodes equally often. */
	for (int t = 0; t < 4; t++) {
		assert_int_equal(r->encap_pdus[NODE_A][t], r->encap_pdus[NODE_B][t]);
		assert_int_equal(r->encap_pdus[NODE_A][t] + r->encap_pdus[NODE_B][t], r->by_type[LSOE_PDU_IPV4_ENCAP + t]);
	}
}

/* Does list (node, type) hold this entry? */
static bool has_entry(const struct vec_result *r, int node, unsigned type, uint8_t flags, const uint8_t *addr,
    unsigned alen, uint8_t plen)
{
	unsigned t = type - LSOE_PDU_IPV4_ENCAP;
	for (size_t i = 0; i < r->encap_count[node][t] && i < KEEP_ENTRIES; i++) {
		const struct entry *x = &r->encap[node][t][i];
		if (x->flags == flags && x->prefix_len == plen && memcmp(x->addr, addr, alen) == 0)
			return true;
	}
	return false;
}

static const uint8_t V4_LO[4] = { 127, 0, 0, 1 };
static const uint8_t V4_A[4] = { 192, 0, 2, 1 };
static const uint8_t V4_B[4] = { 192, 0, 2, 0 };
static const uint8_t V6_LO[16] = { [15] = 1 };
static const uint8_t V6_A[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a };
static const uint8_t V6_B[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x0b };
static const uint8_t V6_LL_B[16] = { 0xfe, 0x80, [11] = 0xff, [12] = 0xfe, [15] = 0x0b };
static const uint8_t V6_LL_A[16] = { 0xfe, 0x80, [11] = 0xff, [12] = 0xfe, [15] = 0x0a };

/* The address lists of the README, common to the three captures (B's IPv6 aside). */
static void assert_common_lists(const struct vec_result *r, size_t b_v6_count)
{
	/* IPv4: exactly {127.0.0.1/8 loopback, 192.0.2.x/31}. */
	assert_int_equal(r->encap_count[NODE_A][0], 2);
	assert_true(has_entry(r, NODE_A, LSOE_PDU_IPV4_ENCAP, LSOE_ENCAP_LOOPBACK, V4_LO, 4, 8));
	assert_true(has_entry(r, NODE_A, LSOE_PDU_IPV4_ENCAP, 0, V4_A, 4, 31));
	assert_int_equal(r->encap_count[NODE_B][0], 2);
	assert_true(has_entry(r, NODE_B, LSOE_PDU_IPV4_ENCAP, LSOE_ENCAP_LOOPBACK, V4_LO, 4, 8));
	assert_true(has_entry(r, NODE_B, LSOE_PDU_IPV4_ENCAP, 0, V4_B, 4, 31));
	/* IPv6: ::1/128 loopback, 2001:db8::x/127, fe80::ff:fe00:x/64. */
	assert_int_equal(r->encap_count[NODE_A][1], 3);
	assert_true(has_entry(r, NODE_A, LSOE_PDU_IPV6_ENCAP, LSOE_ENCAP_LOOPBACK, V6_LO, 16, 128));
	assert_true(has_entry(r, NODE_A, LSOE_PDU_IPV6_ENCAP, 0, V6_A, 16, 127));
	assert_true(has_entry(r, NODE_A, LSOE_PDU_IPV6_ENCAP, 0, V6_LL_A, 16, 64));
	assert_int_equal(r->encap_count[NODE_B][1], b_v6_count);
	assert_true(has_entry(r, NODE_B, LSOE_PDU_IPV6_ENCAP, LSOE_ENCAP_LOOPBACK, V6_LO, 16, 128));
	assert_true(has_entry(r, NODE_B, LSOE_PDU_IPV6_ENCAP, 0, V6_B, 16, 127));
	assert_true(has_entry(r, NODE_B, LSOE_PDU_IPV6_ENCAP, 0, V6_LL_B, 16, 64));
	/* MPLS lists are sent empty. */
	for (int n = 0; n < 2; n++) {
		assert_int_equal(r->encap_count[n][2], 0);
		assert_int_equal(r->encap_count[n][3], 0);
	}
}

static void run_both(const char *name, struct vec_result **plain, struct vec_result **padded)
{
	*plain = malloc(sizeof(**plain));
	*padded = malloc(sizeof(**padded));
	assert_non_null(*plain);
	assert_non_null(*padded);
	run_capture(name, false, *plain);
	run_capture(name, true, *padded);
	assert_same(*plain, *padded);
	/* The padded run did pad something: most LSOE frames are shorter than 60 octets. */
	assert_true((*plain)->padded_frames > 0);
}

static void check_basic(const struct vec_result *r)
{
	static const struct counts c = { .frames = 44, .hello = 8, .open = 2, .ack = 10, .keepalive = 16,
		.v4 = 2, .v6 = 2, .mpls4 = 2, .mpls6 = 2 };
	assert_counts(r, &c);
	assert_int_equal(r->dgrams, 44);
	assert_int_equal(r->pdus_multi, 0);
	assert_common_lists(r, 3);
	assert_int_equal(r->opens, 2);
	assert_true(r->open[0].node != r->open[1].node);
}

static void test_ref_basic(void **state)
{
	(void)state;
	struct vec_result *a, *b;
	run_both("ref-basic.pcap", &a, &b);
	check_basic(a);
	check_basic(b);
	/* B's IPv4 list, in wire order: 127.0.0.1/8 (loopback), 192.0.2.0/31. */
	const struct entry *v4 = a->encap[NODE_B][0];
	assert_int_equal(v4[0].flags, LSOE_ENCAP_LOOPBACK);
	assert_memory_equal(v4[0].addr, V4_LO, 4);
	assert_int_equal(v4[0].prefix_len, 8);
	assert_int_equal(v4[1].flags, 0);
	assert_memory_equal(v4[1].addr, V4_B, 4);
	assert_int_equal(v4[1].prefix_len, 31);
	free(a);
	free(b);
}

/* The 16-bit value whose hex spelling is the decimal spelling of n (e.g. 120 -> 0x120). */
static unsigned hex_spelling(unsigned n)
{
	unsigned v = 0, mul = 1;
	do {
		v += (n % 10) * mul;
		mul *= 16;
		n /= 10;
	} while (n);
	return v;
}

static void check_bigencap(const struct vec_result *r)
{
	static const struct counts c = { .frames = 39, .hello = 6, .open = 2, .ack = 10, .keepalive = 12,
		.v4 = 2, .v6 = 2, .mpls4 = 2, .mpls6 = 2 };
	assert_counts(r, &c);
	assert_int_equal(r->dgrams, 39);
	assert_common_lists(r, 123);

	/* One PDU spanned two datagrams: B's IPv6 list, frames of 1514 and 749 octets. */
	assert_int_equal(r->pdus_multi, 1);
	assert_int_equal(r->multi_type[0], LSOE_PDU_IPV6_ENCAP);
	assert_int_equal(r->multi_node[0], NODE_B);
	assert_int_equal(r->multi_len[0], 5 + 123 * 18);
	assert_int_equal(r->multi_frame_len[0][0], 1514);
	assert_int_equal(r->multi_frame_len[0][1], 749);
	assert_int_equal(r->multi_dgram_len[0][0], 1500);
	assert_int_equal(r->multi_dgram_len[0][1], 735);

	/*
	 * B's 123 entries: ::1/128 (loopback), 120 addresses in 2001:db8:1::/64, then
	 * 2001:db8::b/127 and fe80::ff:fe00:b/64. The 120 are /128, no flags, and their
	 * last 16 bits are the decimal numbers 1..120 read as hex: 2001:db8:1::1 ..
	 * 2001:db8:1::9, 2001:db8:1::10 (= 0x10) .. 2001:db8:1::120 (= 0x120), in
	 * descending order on the wire.
	 */
	const struct entry *v6 = r->encap[NODE_B][1];
	static const uint8_t pfx[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01 };
	size_t in_pfx = 0;
	bool seen[121] = { false };
	for (size_t i = 0; i < 123; i++) {
		if (memcmp(v6[i].addr, pfx, 6) != 0)
			continue;
		in_pfx++;
		assert_int_equal(v6[i].flags, 0);
		assert_int_equal(v6[i].prefix_len, 128);
		for (int j = 6; j < 14; j++)
			assert_int_equal(v6[i].addr[j], 0);
		unsigned low = (unsigned)v6[i].addr[14] << 8 | v6[i].addr[15];
		unsigned n = 0;
		for (unsigned k = 1; k <= 120; k++)
			if (hex_spelling(k) == low)
				n = k;
		assert_true(n >= 1 && n <= 120);
		assert_false(seen[n]);
		seen[n] = true;
		/* wire order: entry i (1..120) is the number 121 - i */
		assert_int_equal(n, 121 - i);
	}
	assert_int_equal(in_pfx, 120);
	assert_int_equal(v6[0].flags, LSOE_ENCAP_LOOPBACK);
	assert_memory_equal(v6[0].addr, V6_LO, 16);
	assert_memory_equal(v6[121].addr, V6_B, 16);
	assert_int_equal(v6[121].prefix_len, 127);
	assert_memory_equal(v6[122].addr, V6_LL_B, 16);
	assert_int_equal(v6[122].prefix_len, 64);
}

static void test_ref_bigencap(void **state)
{
	(void)state;
	struct vec_result *a, *b;
	run_both("ref-bigencap.pcap", &a, &b);
	check_bigencap(a);
	check_bigencap(b);
	free(a);
	free(b);
}

static void check_restart(const struct vec_result *r)
{
	static const struct counts c = { .frames = 76, .hello = 12, .open = 4, .ack = 20, .keepalive = 24,
		.v4 = 4, .v6 = 4, .mpls4 = 4, .mpls6 = 4 };
	assert_counts(r, &c);
	assert_int_equal(r->dgrams, 76);
	assert_int_equal(r->pdus_multi, 0);
	assert_common_lists(r, 3);

	/* 4 OPENs, two from each node; B's nonce changes across its restart (and A's too). */
	assert_int_equal(r->opens, 4);
	size_t distinct = 0;
	for (size_t i = 0; i < r->opens; i++) {
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup = dup || r->open[j].nonce == r->open[i].nonce;
		distinct += !dup;
	}
	assert_true(distinct >= 3);
	assert_int_equal(distinct, 4);
	uint32_t nonce[2][2];
	size_t per[2] = { 0, 0 };
	for (size_t i = 0; i < r->opens; i++) {
		int n = r->open[i].node;
		assert_true(per[n] < 2);
		nonce[n][per[n]++] = r->open[i].nonce;
	}
	assert_int_equal(per[NODE_A], 2);
	assert_int_equal(per[NODE_B], 2);
	assert_true(nonce[NODE_B][0] != nonce[NODE_B][1]);
	assert_true(nonce[NODE_A][0] != nonce[NODE_A][1]);
}

static void test_ref_restart(void **state)
{
	(void)state;
	struct vec_result *a, *b;
	run_both("ref-restart.pcap", &a, &b);
	check_restart(a);
	check_restart(b);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_basic),
		cmocka_unit_test(test_ref_bigencap),
		cmocka_unit_test(test_ref_restart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
