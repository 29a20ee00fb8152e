/*
 * Unit tests of the reassembler (core/reasm.c, lsoe/reasm.h; digest 2.4, 2.6).
 *
 * Datagrams are produced with lsoe_frag_init / lsoe_frag_next, or by hand with
 * lsoe_dgram_seal for sequences a correct sender never produces. Every test runs
 * the reassembler on the counting allocator of support.c and checks, besides the
 * returned codes and bytes, that the stats agree with what the allocator sees
 * (bytes_buffered == live bytes minus the table) and that nothing is left live
 * after lsoe_reasm_destroy.
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

#define SEC 1000000000ull

static const uint8_t MAC_A[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

/* ---- helpers ---- */

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* A PDU of len octets: type, a length field claiming `claim`, then seeded filler. */
static void make_pdu_claim(uint8_t *p, size_t len, uint8_t type, size_t claim, uint64_t seed)
{
	uint64_t s = seed ? seed : 0x9E3779B97F4A7C15ull;
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)xorshift64(&s);
	if (len >= 1)
		p[0] = type;
	if (len >= 3) {
		p[1] = (uint8_t)(claim >> 8);
		p[2] = (uint8_t)claim;
	}
}

static void make_pdu(uint8_t *p, size_t len, uint8_t type, uint64_t seed)
{
	make_pdu_claim(p, len, type, len, seed);
}

static void mac_of(uint8_t mac[6], uint32_t i)
{
	mac[0] = 0x02; /* locally administered, unicast */
	mac[1] = 0x5a;
	mac[2] = (uint8_t)(i >> 24);
	mac[3] = (uint8_t)(i >> 16);
	mac[4] = (uint8_t)(i >> 8);
	mac[5] = (uint8_t)i;
}

/* The datagrams of one PDU, as lsoe_frag_next produces them. */
struct frags {
	unsigned n;
	size_t len[LSOE_DGRAM_NUM_MAX + 1];
	uint8_t *dg[LSOE_DGRAM_NUM_MAX + 1];
};

static void frag_all(struct frags *fs, const uint8_t *pdu, size_t len, size_t mtu)
{
	struct lsoe_frag f;
	assert_int_equal(lsoe_frag_init(&f, pdu, len, mtu), LSOE_OK);
	memset(fs, 0, sizeof(*fs));
	for (;;) {
		uint8_t *b = malloc(mtu);
		assert_non_null(b);
		enum lsoe_err err = LSOE_E_INVALID;
		size_t l = lsoe_frag_next(&f, b, mtu, &err);
		assert_int_equal(err, LSOE_OK);
		if (l == 0) {
			free(b);
			break;
		}
		assert_true(fs->n <= LSOE_DGRAM_NUM_MAX);
		fs->dg[fs->n] = b;
		fs->len[fs->n] = l;
		fs->n++;
	}
	assert_int_equal(fs->n, lsoe_frag_count(&f));
}

static void frags_free(struct frags *fs)
{
	for (unsigned i = 0; i < fs->n; i++)
		free(fs->dg[i]);
	memset(fs, 0, sizeof(*fs));
}

/* Hand-built datagram: any number, any L bit, payload of n octets. Returns its length. */
static size_t hand_dgram(uint8_t *out, unsigned number, bool last, const uint8_t *payload, size_t n)
{
	if (n)
		memmove(out + LSOE_DGRAM_HDR_LEN, payload, n);
	size_t l = lsoe_dgram_seal(out, (uint8_t)number, last, n);
	assert_int_equal(l, LSOE_DGRAM_HDR_LEN + n);
	return l;
}

struct out {
	bool complete;
	const uint8_t *pdu;
	size_t len;
	const uint8_t *payload; /* where the datagram's payload was */
};

/* Decode (must be valid) and feed one datagram. */
static enum lsoe_err feed(struct lsoe_reasm *r, uint32_t port, const uint8_t mac[6], const uint8_t *dg,
    size_t len, uint64_t now, struct out *o)
{
	struct lsoe_dgram d;
	assert_int_equal(lsoe_dgram_decode(dg, len, &d), LSOE_OK);
	o->payload = d.payload;
	o->complete = true; /* must be overwritten */
	o->pdu = dg;
	o->len = 12345;
	enum lsoe_err e = lsoe_reasm_input(r, port, mac, &d, now, &o->complete, &o->pdu, &o->len);
	if (e != LSOE_OK || !o->complete) {
		assert_false(o->complete);
		assert_null(o->pdu);
		assert_int_equal(o->len, 0);
	}
	return e;
}

static enum lsoe_err feed_frag(struct lsoe_reasm *r, uint32_t port, const uint8_t mac[6],
    const struct frags *fs, unsigned i, uint64_t now, struct out *o)
{
	assert_true(i < fs->n);
	return feed(r, port, mac, fs->dg[i], fs->len[i], now, o);
}

/* A reassembler on a counting allocator. */
struct env {
	struct test_alloc ta;
	struct lsoe_reasm_config cfg;
	struct lsoe_reasm *r;
	size_t footprint;
};

static void env_init(struct env *e, const struct lsoe_reasm_config *cfg)
{
	memset(e, 0, sizeof(*e));
	test_alloc_init(&e->ta);
	if (cfg)
		e->cfg = *cfg;
	else
		lsoe_reasm_config_default(&e->cfg);
	e->r = lsoe_reasm_create(&e->cfg, &e->ta.a);
	assert_non_null(e->r);
	e->footprint = lsoe_reasm_footprint(e->r);
	/* The table is the only allocation until a partial PDU is held. */
	assert_int_equal(e->ta.live_allocs, 1);
	assert_int_equal(e->ta.live_bytes, e->footprint);
	const struct lsoe_reasm_stats *st = lsoe_reasm_stats(e->r);
	assert_int_equal(st->pdus, 0);
	assert_int_equal(st->sources, 0);
	assert_int_equal(st->bytes_buffered, 0);
}

/* Invariants that hold after every call. */
static void env_check(const struct env *e)
{
	const struct lsoe_reasm_stats *st = lsoe_reasm_stats(e->r);
	assert_int_equal(e->ta.live_bytes, e->footprint + st->bytes_buffered);
	assert_true(st->bytes_buffered <= e->cfg.max_total_bytes);
	assert_true(st->bytes_buffered_peak <= e->cfg.max_total_bytes);
	assert_true(st->bytes_buffered <= st->bytes_buffered_peak);
	assert_true(st->sources <= e->cfg.max_sources);
	assert_true(st->sources <= st->sources_peak);
	assert_true(st->sources_peak <= e->cfg.max_sources);
}

static void env_done(struct env *e)
{
	env_check(e);
	lsoe_reasm_destroy(e->r);
	e->r = NULL;
	assert_int_equal(e->ta.live_bytes, 0);
	assert_int_equal(e->ta.live_allocs, 0);
}

static void expect_stats(const struct lsoe_reasm *r, uint64_t pdus, uint64_t multi, uint64_t abandoned,
    uint64_t expired, uint32_t sources)
{
	const struct lsoe_reasm_stats *st = lsoe_reasm_stats(r);
	assert_int_equal(st->pdus, pdus);
	assert_int_equal(st->pdus_multi, multi);
	assert_int_equal(st->abandoned, abandoned);
	assert_int_equal(st->expired, expired);
	assert_int_equal(st->sources, sources);
}

/* Every error counter is zero except the (code, count) pairs given; end the list with LSOE_OK. */
static void expect_errors(const struct lsoe_reasm *r, ...)
{
	uint64_t want[LSOE_ERR_COUNT] = { 0 };
	va_list ap;
	va_start(ap, r);
	for (;;) {
		int code = va_arg(ap, int);
		if (code == LSOE_OK)
			break;
		assert_true(code > 0 && code < LSOE_ERR_COUNT);
		want[code] = (uint64_t)va_arg(ap, int);
	}
	va_end(ap);
	const struct lsoe_reasm_stats *st = lsoe_reasm_stats(r);
	for (int i = 0; i < LSOE_ERR_COUNT; i++) {
		if (st->errors[i] != want[i])
			fail_msg("errors[%s] = %llu, expected %llu", lsoe_err_name((enum lsoe_err)i),
			    (unsigned long long)st->errors[i], (unsigned long long)want[i]);
	}
}

/* ---- create / config ---- */

static void test_create_invalid(void **state)
{
	(void)state;
	struct test_alloc ta;
	test_alloc_init(&ta);
	struct lsoe_reasm_config cfg;
	lsoe_reasm_config_default(&cfg);
	assert_int_equal(cfg.timeout_ns, SEC);
	assert_int_equal(cfg.max_sources, 256);
	assert_int_equal(cfg.max_source_bytes, 65535);
	assert_int_equal(cfg.max_total_bytes, 4u * 1024u * 1024u);

	assert_null(lsoe_reasm_create(NULL, &ta.a));
	assert_null(lsoe_reasm_create(&cfg, NULL));
	struct lsoe_reasm_config zero = cfg;
	zero.max_sources = 0;
	assert_null(lsoe_reasm_create(&zero, &ta.a));
	struct lsoe_allocator noalloc = ta.a;
	noalloc.alloc = NULL;
	assert_null(lsoe_reasm_create(&cfg, &noalloc));
	/* The allocator refusing the table. */
	ta.fail_after = 0;
	assert_null(lsoe_reasm_create(&cfg, &ta.a));
	assert_int_equal(ta.live_bytes, 0);
	assert_int_equal(ta.live_allocs, 0);
	lsoe_reasm_destroy(NULL);
}

/* ---- single-datagram PDUs: in place, no buffer ---- */

static void test_single_in_place(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, NULL);
	size_t allocs = e.ta.live_allocs, bytes = e.ta.live_bytes, peak = e.ta.peak_bytes;
	e.ta.fail_after = 0; /* any allocation from here on would fail */

	static const uint8_t hello[3] = { 0x00, 0x00, 0x03 };
	uint8_t dg[16];
	size_t n = hand_dgram(dg, 0, true, hello, sizeof(hello));
	assert_int_equal(n, 11);
	struct out o;
	assert_int_equal(feed(e.r, 0, MAC_A, dg, n, 1000, &o), LSOE_OK);
	assert_true(o.complete);
	assert_ptr_equal(o.pdu, dg + LSOE_DGRAM_HDR_LEN); /* in place, not copied */
	assert_int_equal(o.len, 3);
	assert_memory_equal(o.pdu, hello, 3);

	/* The largest single datagram (65535 octets) is also returned in place. */
	uint8_t *big = malloc(LSOE_DGRAM_MAX_LEN);
	assert_non_null(big);
	make_pdu(big + LSOE_DGRAM_HDR_LEN, LSOE_DGRAM_MAX_LEN - LSOE_DGRAM_HDR_LEN, LSOE_PDU_IPV6_ENCAP, 7);
	n = lsoe_dgram_seal(big, 0, true, LSOE_DGRAM_MAX_LEN - LSOE_DGRAM_HDR_LEN);
	assert_int_equal(n, LSOE_DGRAM_MAX_LEN);
	assert_int_equal(feed(e.r, 0, MAC_B, big, n, 2000, &o), LSOE_OK);
	assert_true(o.complete);
	assert_ptr_equal(o.pdu, big + LSOE_DGRAM_HDR_LEN);
	assert_int_equal(o.len, LSOE_DGRAM_MAX_LEN - LSOE_DGRAM_HDR_LEN);

	/* A PDU of exactly one MTU slice, through the fragmenter. */
	uint8_t pdu[1492];
	make_pdu(pdu, sizeof(pdu), LSOE_PDU_IPV4_ENCAP, 8);
	struct frags fs;
	frag_all(&fs, pdu, sizeof(pdu), 1500);
	assert_int_equal(fs.n, 1);
	assert_int_equal(fs.len[0], 1500);
	assert_int_equal(fs.dg[0][1], 0x80);
	assert_int_equal(feed_frag(e.r, 3, MAC_A, &fs, 0, 3000, &o), LSOE_OK);
	assert_true(o.complete);
	assert_ptr_equal(o.pdu, fs.dg[0] + LSOE_DGRAM_HDR_LEN);
	assert_int_equal(o.len, sizeof(pdu));
	frags_free(&fs);
	free(big);

	assert_int_equal(e.ta.live_allocs, allocs);
	assert_int_equal(e.ta.live_bytes, bytes);
	assert_int_equal(e.ta.peak_bytes, peak);
	expect_stats(e.r, 3, 0, 0, 0, 0);
	expect_errors(e.r, LSOE_OK);
	const struct lsoe_reasm_stats *st = lsoe_reasm_stats(e.r);
	assert_int_equal(st->bytes_buffered, 0);
	assert_int_equal(st->bytes_buffered_peak, 0);
	assert_int_equal(st->sources_peak, 0);
	e.ta.fail_after = -1;
	env_done(&e);
}

/* ---- in-order multi-datagram PDUs ---- */

static void test_two_datagrams(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, NULL);
	uint8_t pdu[2500];
	make_pdu(pdu, sizeof(pdu), LSOE_PDU_IPV6_ENCAP, 1);
	struct frags fs;
	frag_all(&fs, pdu, sizeof(pdu), 1500);
	assert_int_equal(fs.n, 2);
	assert_int_equal(fs.len[0], 1500);
	assert_int_equal(fs.len[1], 8 + 2500 - 1492);
	assert_int_equal(fs.dg[0][1], 0x00);
	assert_int_equal(fs.dg[1][1], 0x81);

	struct out o;
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, 1000, &o), LSOE_OK);
	assert_false(o.complete);
	expect_stats(e.r, 0, 0, 0, 0, 1);
	const struct lsoe_reasm_stats *st = lsoe_reasm_stats(e.r);
	assert_true(st->bytes_buffered >= 1492);
	assert_true(st->bytes_buffered <= e.cfg.max_source_bytes);
	assert_int_equal(e.ta.live_allocs, 2);
	env_check(&e);

	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, 2000, &o), LSOE_OK);
	assert_true(o.complete);
	assert_int_equal(o.len, sizeof(pdu));
	assert_true(o.pdu != o.payload);
	assert_memory_equal(o.pdu, pdu, sizeof(pdu));
	expect_stats(e.r, 1, 1, 0, 0, 0);
	expect_errors(e.r, LSOE_OK);
	env_check(&e);

	/* The returned buffer stays valid (and unchanged) until the next call. */
	frags_free(&fs);
	uint8_t scratch[4096];
	make_pdu(scratch, sizeof(scratch), 0xEE, 99);
	(void)lsoe_reasm_stats(e.r);
	assert_memory_equal(o.pdu, pdu, sizeof(pdu));
	assert_true(lsoe_reasm_stats(e.r)->bytes_buffered >= sizeof(pdu));

	/* The next call releases it. */
	static const uint8_t ka[3] = { 0x02, 0x00, 0x03 };
	uint8_t dg[16];
	size_t n = hand_dgram(dg, 0, true, ka, 3);
	assert_int_equal(feed(e.r, 0, MAC_A, dg, n, 3000, &o), LSOE_OK);
	assert_true(o.complete);
	assert_ptr_equal(o.pdu, dg + 8);
	assert_int_equal(lsoe_reasm_stats(e.r)->bytes_buffered, 0);
	assert_int_equal(e.ta.live_bytes, e.footprint);
	assert_int_equal(e.ta.live_allocs, 1);
	expect_stats(e.r, 2, 1, 0, 0, 0);
	env_done(&e);
}

static void test_max_pdu_44_datagrams(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, NULL);
	uint8_t *pdu = malloc(LSOE_PDU_MAX_LEN);
	assert_non_null(pdu);
	make_pdu(pdu, LSOE_PDU_MAX_LEN, LSOE_PDU_IPV6_ENCAP, 44);
	struct frags fs;
	frag_all(&fs, pdu, LSOE_PDU_MAX_LEN, LSOE_MTU_DEFAULT);
	assert_int_equal(fs.n, 44);
	for (unsigned i = 0; i < 43; i++) {
		assert_int_equal(fs.len[i], 1500);
		assert_int_equal(fs.dg[i][1], i);
	}
	assert_int_equal(fs.len[43], 8 + 65535 - 43 * 1492);
	assert_int_equal(fs.dg[43][1], 0x80 | 43);

	struct out o;
	uint64_t t = 5 * SEC;
	for (unsigned i = 0; i < 43; i++) {
		assert_int_equal(feed_frag(e.r, 7, MAC_B, &fs, i, t + i * 1000, &o), LSOE_OK);
		assert_false(o.complete);
		expect_stats(e.r, 0, 0, 0, 0, 1);
		env_check(&e);
	}
	assert_int_equal(feed_frag(e.r, 7, MAC_B, &fs, 43, t + 43 * 1000, &o), LSOE_OK);
	assert_true(o.complete);
	assert_int_equal(o.len, LSOE_PDU_MAX_LEN);
	assert_memory_equal(o.pdu, pdu, LSOE_PDU_MAX_LEN);
	expect_stats(e.r, 1, 1, 0, 0, 0);
	expect_errors(e.r, LSOE_OK);
	/* One source never holds more than max_source_bytes (65535), and it held a full PDU. */
	assert_int_equal(lsoe_reasm_stats(e.r)->bytes_buffered_peak, LSOE_PDU_MAX_LEN);
	assert_int_equal(lsoe_reasm_stats(e.r)->sources_peak, 1);
	assert_true(e.ta.peak_bytes <= e.footprint + 2u * LSOE_PDU_MAX_LEN);
	frags_free(&fs);
	free(pdu);
	env_done(&e);
}

/* The PDU length field is only a sizing hint: a PDU that claims less still reassembles exactly. */
static void test_growth_without_hint(void **state)
{
	(void)state;
	static const size_t claims[] = { 3, 0, 1500 };
	for (size_t c = 0; c < sizeof(claims) / sizeof(claims[0]); c++) {
		struct env e;
		env_init(&e, NULL);
		uint8_t *pdu = malloc(20000);
		assert_non_null(pdu);
		make_pdu_claim(pdu, 20000, LSOE_PDU_IPV4_ENCAP, claims[c], 3 + c);
		struct frags fs;
		frag_all(&fs, pdu, 20000, 1500);
		assert_int_equal(fs.n, 14);
		struct out o;
		for (unsigned i = 0; i < fs.n; i++) {
			assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, i, 100 + i, &o), LSOE_OK);
			assert_int_equal(o.complete, i + 1 == fs.n);
			env_check(&e);
		}
		assert_int_equal(o.len, 20000);
		assert_memory_equal(o.pdu, pdu, 20000);
		expect_stats(e.r, 1, 1, 0, 0, 0);
		expect_errors(e.r, LSOE_OK);
		frags_free(&fs);
		free(pdu);
		env_done(&e);
	}
}

/* ---- out of order ---- */

static void test_orphan_fragment(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, NULL);
	uint8_t pdu[2000];
	make_pdu(pdu, sizeof(pdu), LSOE_PDU_IPV6_ENCAP, 2);
	struct frags fs;
	frag_all(&fs, pdu, sizeof(pdu), 1500);
	assert_int_equal(fs.n, 2);
	struct out o;

	/* 1 before 0. */
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, 1000, &o), LSOE_E_FRAG_NO_START);
	assert_false(o.complete);
	expect_stats(e.r, 0, 0, 0, 0, 0);
	expect_errors(e.r, LSOE_E_FRAG_NO_START, 1, LSOE_OK);
	assert_int_equal(lsoe_reasm_stats(e.r)->bytes_buffered, 0);
	env_check(&e);

	/* The sender's retransmission then completes. */
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, 2000, &o), LSOE_OK);
	assert_false(o.complete);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, 3000, &o), LSOE_OK);
	assert_true(o.complete);
	assert_int_equal(o.len, sizeof(pdu));
	assert_memory_equal(o.pdu, pdu, sizeof(pdu));
	expect_stats(e.r, 1, 1, 0, 0, 0);
	expect_errors(e.r, LSOE_E_FRAG_NO_START, 1, LSOE_OK);
	frags_free(&fs);
	env_done(&e);
}

static void test_gap(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, NULL);
	uint8_t pdu[5000];
	make_pdu(pdu, sizeof(pdu), LSOE_PDU_IPV4_ENCAP, 3);
	struct frags fs;
	frag_all(&fs, pdu, sizeof(pdu), 1500);
	assert_int_equal(fs.n, 4);
	struct out o;

	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, 1000, &o), LSOE_OK);
	expect_stats(e.r, 0, 0, 0, 0, 1);
	/* 0, 2: datagram 1 was lost; the partial PDU goes too. */
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 2, 1001, &o), LSOE_E_FRAG_OUT_OF_ORDER);
	assert_false(o.complete);
	expect_stats(e.r, 0, 0, 0, 0, 0);
	assert_int_equal(lsoe_reasm_stats(e.r)->bytes_buffered, 0);
	assert_int_equal(e.ta.live_bytes, e.footprint);
	/* So the last datagram, 3, has nothing to join. */
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 3, 1002, &o), LSOE_E_FRAG_NO_START);
	assert_false(o.complete);
	expect_stats(e.r, 0, 0, 0, 0, 0);
	expect_errors(e.r, LSOE_E_FRAG_OUT_OF_ORDER, 1, LSOE_E_FRAG_NO_START, 1, LSOE_OK);

	/* A complete retransmission is then accepted. */
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, i, 2000 + i, &o), LSOE_OK);
	assert_true(o.complete);
	assert_int_equal(o.len, sizeof(pdu));
	assert_memory_equal(o.pdu, pdu, sizeof(pdu));
	expect_stats(e.r, 1, 1, 0, 0, 0);
	expect_errors(e.r, LSOE_E_FRAG_OUT_OF_ORDER, 1, LSOE_E_FRAG_NO_START, 1, LSOE_OK);
	frags_free(&fs);
	env_done(&e);
}

static void test_duplicate(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, NULL);
	uint8_t pdu[4000];
	make_pdu(pdu, sizeof(pdu), LSOE_PDU_IPV6_ENCAP, 4);
	struct frags fs;
	frag_all(&fs, pdu, sizeof(pdu), 1500);
	assert_int_equal(fs.n, 3);
	struct out o;

	/* 0, 1, 1: the duplicate is out of order and the partial PDU is discarded. */
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, 10, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, 11, &o), LSOE_OK);
	expect_stats(e.r, 0, 0, 0, 0, 1);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, 12, &o), LSOE_E_FRAG_OUT_OF_ORDER);
	expect_stats(e.r, 0, 0, 0, 0, 0);
	assert_int_equal(lsoe_reasm_stats(e.r)->bytes_buffered, 0);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 2, 13, &o), LSOE_E_FRAG_NO_START);
	assert_false(o.complete);
	expect_stats(e.r, 0, 0, 0, 0, 0);
	expect_errors(e.r, LSOE_E_FRAG_OUT_OF_ORDER, 1, LSOE_E_FRAG_NO_START, 1, LSOE_OK);

	/* 0, 0, 1, 2: a duplicated 0 restarts cleanly and the PDU still completes. */
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, 20, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, 21, &o), LSOE_OK);
	assert_false(o.complete);
	expect_stats(e.r, 0, 0, 1, 0, 1);
	env_check(&e);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, 22, &o), LSOE_OK);
	assert_false(o.complete);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 2, 23, &o), LSOE_OK);
	assert_true(o.complete);
	assert_int_equal(o.len, sizeof(pdu));
	assert_memory_equal(o.pdu, pdu, sizeof(pdu));
	expect_stats(e.r, 1, 1, 1, 0, 0);
	expect_errors(e.r, LSOE_E_FRAG_OUT_OF_ORDER, 1, LSOE_E_FRAG_NO_START, 1, LSOE_OK);

	/* The same with a two-datagram PDU: 0, 0, 1. */
	struct frags f2;
	frag_all(&f2, pdu, 2000, 1500);
	assert_int_equal(f2.n, 2);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &f2, 0, 30, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &f2, 0, 31, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &f2, 1, 32, &o), LSOE_OK);
	assert_true(o.complete);
	assert_int_equal(o.len, 2000);
	assert_memory_equal(o.pdu, pdu, 2000);
	expect_stats(e.r, 2, 2, 2, 0, 0);
	expect_errors(e.r, LSOE_E_FRAG_OUT_OF_ORDER, 1, LSOE_E_FRAG_NO_START, 1, LSOE_OK);
	frags_free(&f2);
	frags_free(&fs);
	env_done(&e);
}

/* A number > 0 that was never sent by a correct sender (a replayed later datagram). */
static void test_backwards_number(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, NULL);
	uint8_t pay[100], dg[128];
	make_pdu(pay, sizeof(pay), 4, 5);
	struct out o;
	size_t n = hand_dgram(dg, 0, false, pay, 40);
	assert_int_equal(feed(e.r, 0, MAC_A, dg, n, 0, &o), LSOE_OK);
	n = hand_dgram(dg, 1, false, pay + 40, 30);
	assert_int_equal(feed(e.r, 0, MAC_A, dg, n, 0, &o), LSOE_OK);
	n = hand_dgram(dg, 2, false, pay + 70, 10);
	assert_int_equal(feed(e.r, 0, MAC_A, dg, n, 0, &o), LSOE_OK);
	/* 1 again after 2: out of order, not a new start. */
	n = hand_dgram(dg, 1, true, pay + 40, 30);
	assert_int_equal(feed(e.r, 0, MAC_A, dg, n, 0, &o), LSOE_E_FRAG_OUT_OF_ORDER);
	expect_stats(e.r, 0, 0, 0, 0, 0);
	/* An L=1 datagram with the right number completes, whatever the PDU claims. */
	n = hand_dgram(dg, 0, false, pay, 40);
	assert_int_equal(feed(e.r, 0, MAC_A, dg, n, 0, &o), LSOE_OK);
	n = hand_dgram(dg, 1, true, pay + 40, 60);
	assert_int_equal(feed(e.r, 0, MAC_A, dg, n, 0, &o), LSOE_OK);
	assert_true(o.complete);
	assert_int_equal(o.len, 100);
	assert_memory_equal(o.pdu, pay, 100);
	expect_stats(e.r, 1, 1, 0, 0, 0);
	expect_errors(e.r, LSOE_E_FRAG_OUT_OF_ORDER, 1, LSOE_OK);
	env_done(&e);
}

/* ---- missing last fragment, then a new PDU ---- */

static void test_abandoned(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, NULL);
	uint8_t px[4000], py[2500];
	make_pdu(px, sizeof(px), LSOE_PDU_IPV6_ENCAP, 10);
	make_pdu(py, sizeof(py), LSOE_PDU_IPV4_ENCAP, 11);
	struct frags fx, fy;
	frag_all(&fx, px, sizeof(px), 1500);
	frag_all(&fy, py, sizeof(py), 1500);
	assert_int_equal(fx.n, 3);
	assert_int_equal(fy.n, 2);
	struct out o;

	assert_int_equal(feed_frag(e.r, 1, MAC_B, &fx, 0, 100, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 1, MAC_B, &fx, 1, 101, &o), LSOE_OK);
	/* X's last datagram is lost; Y starts. */
	assert_int_equal(feed_frag(e.r, 1, MAC_B, &fy, 0, 102, &o), LSOE_OK);
	assert_false(o.complete);
	expect_stats(e.r, 0, 0, 1, 0, 1);
	env_check(&e);
	assert_int_equal(feed_frag(e.r, 1, MAC_B, &fy, 1, 103, &o), LSOE_OK);
	assert_true(o.complete);
	assert_int_equal(o.len, sizeof(py));
	assert_memory_equal(o.pdu, py, sizeof(py));
	expect_stats(e.r, 1, 1, 1, 0, 0);

	/* X's lost last datagram arriving late now has no partial to join. */
	assert_int_equal(feed_frag(e.r, 1, MAC_B, &fx, 2, 104, &o), LSOE_E_FRAG_NO_START);

	/* A partial PDU replaced by a single-datagram PDU: abandoned, and the new one in place. */
	assert_int_equal(feed_frag(e.r, 1, MAC_B, &fx, 0, 200, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 1, MAC_B, &fx, 1, 201, &o), LSOE_OK);
	static const uint8_t hello[3] = { 0, 0, 3 };
	uint8_t dg[16];
	size_t n = hand_dgram(dg, 0, true, hello, 3);
	assert_int_equal(feed(e.r, 1, MAC_B, dg, n, 202, &o), LSOE_OK);
	assert_true(o.complete);
	assert_ptr_equal(o.pdu, dg + 8);
	assert_int_equal(o.len, 3);
	expect_stats(e.r, 2, 1, 2, 0, 0);
	assert_int_equal(lsoe_reasm_stats(e.r)->bytes_buffered, 0);
	assert_int_equal(e.ta.live_bytes, e.footprint);
	expect_errors(e.r, LSOE_E_FRAG_NO_START, 1, LSOE_OK);
	frags_free(&fx);
	frags_free(&fy);
	env_done(&e);
}

/* ---- timeout ---- */

static void test_stale_boundary(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, NULL);
	const uint64_t T = e.cfg.timeout_ns;
	const uint64_t t0 = 5 * SEC + 123;
	uint8_t pdu[2000], p3[4000];
	make_pdu(pdu, sizeof(pdu), LSOE_PDU_IPV6_ENCAP, 20);
	make_pdu(p3, sizeof(p3), LSOE_PDU_IPV6_ENCAP, 21);
	struct frags fs, f3;
	frag_all(&fs, pdu, sizeof(pdu), 1500);
	frag_all(&f3, p3, sizeof(p3), 1500);
	assert_int_equal(fs.n, 2);
	assert_int_equal(f3.n, 3);
	struct out o;

	/* Just before the timeout: completes. */
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, t0, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, t0 + T - 1, &o), LSOE_OK);
	assert_true(o.complete);
	assert_memory_equal(o.pdu, pdu, sizeof(pdu));
	expect_stats(e.r, 1, 1, 0, 0, 0);
	expect_errors(e.r, LSOE_OK);

	/* Exactly at the timeout (now - started == timeout): stale. */
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, t0 + 10 * T, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, t0 + 11 * T, &o), LSOE_E_FRAG_STALE);
	assert_false(o.complete);
	expect_stats(e.r, 1, 1, 0, 1, 0);
	expect_errors(e.r, LSOE_E_FRAG_STALE, 1, LSOE_OK);
	assert_int_equal(lsoe_reasm_stats(e.r)->bytes_buffered, 0);
	assert_int_equal(e.ta.live_bytes, e.footprint);
	/* The partial is gone: the same datagram again is an orphan, not stale. */
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, t0 + 11 * T, &o), LSOE_E_FRAG_NO_START);
	expect_errors(e.r, LSOE_E_FRAG_STALE, 1, LSOE_E_FRAG_NO_START, 1, LSOE_OK);

	/* The age counts from datagram 0, not from the latest datagram. */
	const uint64_t t1 = t0 + 20 * T;
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &f3, 0, t1, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &f3, 1, t1 + T / 2, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &f3, 2, t1 + T, &o), LSOE_E_FRAG_STALE);
	expect_stats(e.r, 1, 1, 0, 2, 0);
	expect_errors(e.r, LSOE_E_FRAG_STALE, 2, LSOE_E_FRAG_NO_START, 1, LSOE_OK);

	/* A stale partial replaced by a new datagram 0 counts as expired, not abandoned. */
	const uint64_t t2 = t0 + 30 * T;
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &f3, 0, t2, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, t2 + T, &o), LSOE_OK);
	expect_stats(e.r, 1, 1, 0, 3, 1);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, t2 + 2 * T - 1, &o), LSOE_OK);
	assert_true(o.complete);
	assert_memory_equal(o.pdu, pdu, sizeof(pdu));
	expect_stats(e.r, 2, 2, 0, 3, 0);
	expect_errors(e.r, LSOE_E_FRAG_STALE, 2, LSOE_E_FRAG_NO_START, 1, LSOE_OK);

	frags_free(&fs);
	frags_free(&f3);
	env_done(&e);
}

static void test_expire(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, NULL);
	const uint64_t T = e.cfg.timeout_ns;
	const uint64_t t0 = 100 * SEC;

	/* Nothing held. */
	assert_int_equal(lsoe_reasm_expire(e.r, 0), UINT64_MAX);
	assert_int_equal(lsoe_reasm_expire(e.r, UINT64_MAX - 1), UINT64_MAX);

	uint8_t pdu[3000];
	make_pdu(pdu, sizeof(pdu), LSOE_PDU_IPV6_ENCAP, 30);
	struct frags fs;
	frag_all(&fs, pdu, sizeof(pdu), 1500);
	assert_int_equal(fs.n, 3);
	struct out o;
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, t0, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 0, MAC_B, &fs, 0, t0 + 100, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 1, MAC_A, &fs, 0, t0 + 200, &o), LSOE_OK);
	expect_stats(e.r, 0, 0, 0, 0, 3);

	assert_int_equal(lsoe_reasm_expire(e.r, t0), t0 + T);
	assert_int_equal(lsoe_reasm_expire(e.r, t0 + T - 1), t0 + T);
	expect_stats(e.r, 0, 0, 0, 0, 3);
	/* A continuation does not restart the clock. */
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, t0 + T - 1, &o), LSOE_OK);
	assert_int_equal(lsoe_reasm_expire(e.r, t0 + T - 1), t0 + T);

	assert_int_equal(lsoe_reasm_expire(e.r, t0 + T), t0 + T + 100);
	expect_stats(e.r, 0, 0, 0, 1, 2);
	env_check(&e);
	assert_int_equal(lsoe_reasm_expire(e.r, t0 + T + 199), t0 + T + 200);
	expect_stats(e.r, 0, 0, 0, 2, 1);
	assert_int_equal(lsoe_reasm_expire(e.r, t0 + T + 200), UINT64_MAX);
	expect_stats(e.r, 0, 0, 0, 3, 0);
	assert_int_equal(lsoe_reasm_stats(e.r)->bytes_buffered, 0);
	assert_int_equal(e.ta.live_bytes, e.footprint);
	expect_errors(e.r, LSOE_OK);

	/* Dropped by expire: a late continuation is then an orphan. */
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 2, t0 + T + 300, &o), LSOE_E_FRAG_NO_START);
	expect_errors(e.r, LSOE_E_FRAG_NO_START, 1, LSOE_OK);

	/* Time going backwards never expires anything. */
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, t0 + 10 * T, &o), LSOE_OK);
	assert_int_equal(lsoe_reasm_expire(e.r, t0), t0 + 11 * T);
	expect_stats(e.r, 0, 0, 0, 3, 1);
	frags_free(&fs);
	env_done(&e);
}

/* ---- sources are independent ---- */

static void test_sources_interleaved(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, NULL);
	/* A on port 0, B on port 0, and A again on port 1 (a device reusing its MAC). */
	struct {
		uint32_t port;
		const uint8_t *mac;
		uint8_t pdu[4200];
		size_t len;
		struct frags fs;
	} s[3] = {
		{ .port = 0, .mac = MAC_A, .len = 4100 },
		{ .port = 0, .mac = MAC_B, .len = 3500 },
		{ .port = 1, .mac = MAC_A, .len = 4200 },
	};
	for (int i = 0; i < 3; i++) {
		make_pdu(s[i].pdu, s[i].len, LSOE_PDU_IPV6_ENCAP, 40u + (unsigned)i);
		frag_all(&s[i].fs, s[i].pdu, s[i].len, 1500);
		assert_int_equal(s[i].fs.n, 3);
	}
	struct out o;
	uint64_t t = 1000;
	for (unsigned k = 0; k < 2; k++) {
		for (int i = 0; i < 3; i++) {
			assert_int_equal(feed_frag(e.r, s[i].port, s[i].mac, &s[i].fs, k, t++, &o), LSOE_OK);
			assert_false(o.complete);
		}
		expect_stats(e.r, 0, 0, 0, 0, 3);
		env_check(&e);
	}
	/* Complete them in another order: B, A port 1, A port 0. */
	static const int order[3] = { 1, 2, 0 };
	for (int j = 0; j < 3; j++) {
		int i = order[j];
		assert_int_equal(feed_frag(e.r, s[i].port, s[i].mac, &s[i].fs, 2, t++, &o), LSOE_OK);
		assert_true(o.complete);
		assert_int_equal(o.len, s[i].len);
		assert_memory_equal(o.pdu, s[i].pdu, s[i].len);
		expect_stats(e.r, (uint64_t)j + 1, (uint64_t)j + 1, 0, 0, 2u - (uint32_t)j);
	}
	assert_int_equal(lsoe_reasm_stats(e.r)->sources_peak, 3);
	expect_errors(e.r, LSOE_OK);

	/* One source's error does not disturb another's partial. */
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &s[0].fs, 0, t++, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 1, MAC_A, &s[2].fs, 0, t++, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 1, MAC_A, &s[2].fs, 2, t++, &o), LSOE_E_FRAG_OUT_OF_ORDER);
	assert_int_equal(feed_frag(e.r, 0, MAC_B, &s[1].fs, 1, t++, &o), LSOE_E_FRAG_NO_START);
	expect_stats(e.r, 3, 3, 0, 0, 1);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &s[0].fs, 1, t++, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &s[0].fs, 2, t++, &o), LSOE_OK);
	assert_true(o.complete);
	assert_memory_equal(o.pdu, s[0].pdu, s[0].len);
	expect_stats(e.r, 4, 4, 0, 0, 0);
	expect_errors(e.r, LSOE_E_FRAG_OUT_OF_ORDER, 1, LSOE_E_FRAG_NO_START, 1, LSOE_OK);
	for (int i = 0; i < 3; i++)
		frags_free(&s[i].fs);
	env_done(&e);
}

static void test_flush_port(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, NULL);
	uint8_t pdu[2500];
	make_pdu(pdu, sizeof(pdu), LSOE_PDU_IPV4_ENCAP, 50);
	struct frags fs;
	frag_all(&fs, pdu, sizeof(pdu), 1500);
	assert_int_equal(fs.n, 2);
	struct out o;

	assert_int_equal(feed_frag(e.r, 1, MAC_A, &fs, 0, 10, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 1, MAC_B, &fs, 0, 11, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 2, MAC_A, &fs, 0, 12, &o), LSOE_OK);
	expect_stats(e.r, 0, 0, 0, 0, 3);

	lsoe_reasm_flush(e.r, 3); /* nothing there */
	expect_stats(e.r, 0, 0, 0, 0, 3);
	lsoe_reasm_flush(e.r, 1);
	expect_stats(e.r, 0, 0, 0, 0, 1); /* flushing is neither expiry nor abandonment */
	env_check(&e);

	assert_int_equal(feed_frag(e.r, 1, MAC_A, &fs, 1, 20, &o), LSOE_E_FRAG_NO_START);
	assert_int_equal(feed_frag(e.r, 1, MAC_B, &fs, 1, 21, &o), LSOE_E_FRAG_NO_START);
	assert_int_equal(feed_frag(e.r, 2, MAC_A, &fs, 1, 22, &o), LSOE_OK);
	assert_true(o.complete);
	assert_int_equal(o.len, sizeof(pdu));
	assert_memory_equal(o.pdu, pdu, sizeof(pdu));
	expect_stats(e.r, 1, 1, 0, 0, 0);
	expect_errors(e.r, LSOE_E_FRAG_NO_START, 2, LSOE_OK);

	/* Flush everything. */
	for (uint32_t p = 0; p < 5; p++)
		assert_int_equal(feed_frag(e.r, p, MAC_B, &fs, 0, 30 + p, &o), LSOE_OK);
	expect_stats(e.r, 1, 1, 0, 0, 5);
	lsoe_reasm_flush(e.r, UINT32_MAX);
	expect_stats(e.r, 1, 1, 0, 0, 0);
	assert_int_equal(lsoe_reasm_stats(e.r)->bytes_buffered, 0);
	assert_int_equal(e.ta.live_bytes, e.footprint);
	assert_int_equal(lsoe_reasm_expire(e.r, 100 * SEC), UINT64_MAX);
	frags_free(&fs);
	env_done(&e);
}

/* ---- bounds ---- */

static void test_source_limit(void **state)
{
	(void)state;
	struct lsoe_reasm_config cfg;
	lsoe_reasm_config_default(&cfg);
	uint8_t pdu[6000];
	make_pdu(pdu, sizeof(pdu), LSOE_PDU_IPV6_ENCAP, 60);
	struct out o;

	/* 6000 octets against a 4000-octet limit: the third datagram (4476 octets) is refused. */
	{
		cfg.max_source_bytes = 4000;
		struct env e;
		env_init(&e, &cfg);
		struct frags fs;
		frag_all(&fs, pdu, sizeof(pdu), 1500);
		assert_int_equal(fs.n, 5);
		assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, 1, &o), LSOE_OK);
		assert_true(lsoe_reasm_stats(e.r)->bytes_buffered <= 4000);
		env_check(&e);
		assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, 2, &o), LSOE_OK);
		assert_true(lsoe_reasm_stats(e.r)->bytes_buffered <= 4000);
		env_check(&e);
		assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 2, 3, &o), LSOE_E_REASM_SOURCE_LIMIT);
		assert_false(o.complete);
		expect_stats(e.r, 0, 0, 0, 0, 0);
		assert_int_equal(lsoe_reasm_stats(e.r)->bytes_buffered, 0);
		assert_true(lsoe_reasm_stats(e.r)->bytes_buffered_peak <= 4000);
		assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 3, 4, &o), LSOE_E_FRAG_NO_START);
		expect_errors(e.r, LSOE_E_REASM_SOURCE_LIMIT, 1, LSOE_E_FRAG_NO_START, 1, LSOE_OK);
		frags_free(&fs);
		env_done(&e);
	}
	/* A PDU of exactly the limit completes. */
	{
		cfg.max_source_bytes = 2984;
		struct env e;
		env_init(&e, &cfg);
		struct frags fs;
		frag_all(&fs, pdu, 2984, 1500);
		assert_int_equal(fs.n, 2);
		assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, 1, &o), LSOE_OK);
		assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, 2, &o), LSOE_OK);
		assert_true(o.complete);
		assert_int_equal(o.len, 2984);
		assert_memory_equal(o.pdu, pdu, 2984);
		assert_true(lsoe_reasm_stats(e.r)->bytes_buffered_peak <= 2984);
		expect_errors(e.r, LSOE_OK);
		frags_free(&fs);
		env_done(&e);
	}
	/* A first datagram already over the limit; single-datagram PDUs are never buffered. */
	{
		cfg.max_source_bytes = 1000;
		struct env e;
		env_init(&e, &cfg);
		struct frags fs;
		frag_all(&fs, pdu, 3000, 1500);
		assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, 1, &o), LSOE_E_REASM_SOURCE_LIMIT);
		expect_stats(e.r, 0, 0, 0, 0, 0);
		assert_int_equal(e.ta.live_bytes, e.footprint);
		assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, 2, &o), LSOE_E_FRAG_NO_START);
		struct frags f1;
		frag_all(&f1, pdu, 1400, 1500);
		assert_int_equal(f1.n, 1);
		assert_int_equal(feed_frag(e.r, 0, MAC_A, &f1, 0, 3, &o), LSOE_OK);
		assert_true(o.complete);
		assert_int_equal(o.len, 1400);
		expect_stats(e.r, 1, 0, 0, 0, 0);
		expect_errors(e.r, LSOE_E_REASM_SOURCE_LIMIT, 1, LSOE_E_FRAG_NO_START, 1, LSOE_OK);
		frags_free(&f1);
		frags_free(&fs);
		env_done(&e);
	}
}

static void test_total_limit(void **state)
{
	(void)state;
	struct lsoe_reasm_config cfg;
	lsoe_reasm_config_default(&cfg);
	cfg.max_total_bytes = 10000;
	cfg.max_sources = 64;
	struct env e;
	env_init(&e, &cfg);
	uint8_t pdu[2900];
	make_pdu(pdu, sizeof(pdu), LSOE_PDU_IPV6_ENCAP, 70);
	struct frags fs;
	frag_all(&fs, pdu, sizeof(pdu), 1500);
	assert_int_equal(fs.n, 2);
	struct out o;
	uint8_t mac[6];

	/* Sources each hold datagram 0 of a 2900-octet PDU until the total is reached. */
	uint32_t admitted = 0;
	enum lsoe_err err = LSOE_OK;
	for (uint32_t i = 0; i < 64; i++) {
		mac_of(mac, i);
		err = feed_frag(e.r, 0, mac, &fs, 0, 1000 + i, &o);
		env_check(&e);
		if (err != LSOE_OK)
			break;
		admitted++;
	}
	assert_int_equal(err, LSOE_E_REASM_TOTAL_LIMIT);
	const struct lsoe_reasm_stats *st = lsoe_reasm_stats(e.r);
	/* The buffer is sized from the PDU length field: 2900 octets each, so exactly 3 fit. */
	assert_int_equal(st->bytes_buffered, 2900u * admitted);
	assert_int_equal(admitted, 10000 / 2900);
	expect_stats(e.r, 0, 0, 0, 0, admitted);
	/* Every further source is refused too, and the total never goes over. */
	for (uint32_t i = 100; i < 110; i++) {
		mac_of(mac, i);
		assert_int_equal(feed_frag(e.r, 0, mac, &fs, 0, 2000 + i, &o), LSOE_E_REASM_TOTAL_LIMIT);
		env_check(&e);
	}
	expect_errors(e.r, LSOE_E_REASM_TOTAL_LIMIT, 11, LSOE_OK);
	assert_true(st->bytes_buffered <= cfg.max_total_bytes);
	assert_true(st->bytes_buffered_peak <= cfg.max_total_bytes);

	/* A single-datagram PDU needs no buffer. */
	static const uint8_t ka[3] = { 2, 0, 3 };
	uint8_t dg[16];
	size_t n = hand_dgram(dg, 0, true, ka, 3);
	mac_of(mac, 200);
	assert_int_equal(feed(e.r, 0, mac, dg, n, 3000, &o), LSOE_OK);
	assert_true(o.complete);

	/* Held partials complete, and once one is released a new source fits. */
	mac_of(mac, 0);
	assert_int_equal(feed_frag(e.r, 0, mac, &fs, 1, 3001, &o), LSOE_OK);
	assert_true(o.complete);
	assert_memory_equal(o.pdu, pdu, sizeof(pdu));
	mac_of(mac, 300);
	assert_int_equal(feed_frag(e.r, 0, mac, &fs, 0, 3002, &o), LSOE_OK);
	expect_stats(e.r, 2, 1, 0, 0, admitted);
	env_check(&e);
	frags_free(&fs);
	env_done(&e);

	/*
	 * A PDU that cannot fit in the total whatever the buffer policy: exactly one
	 * of its datagrams is refused with TOTAL_LIMIT, and the rest are orphans.
	 * Once with an honest length field, once with one that hides the size.
	 */
	static const size_t claims[2] = { 4476, 3 };
	for (int c = 0; c < 2; c++) {
		lsoe_reasm_config_default(&cfg);
		cfg.max_total_bytes = 3000;
		env_init(&e, &cfg);
		uint8_t big[4476];
		make_pdu_claim(big, sizeof(big), LSOE_PDU_IPV6_ENCAP, claims[c], 71);
		frag_all(&fs, big, sizeof(big), 1500);
		assert_int_equal(fs.n, 3);
		unsigned refused = 0, orphans = 0;
		for (unsigned i = 0; i < fs.n; i++) {
			err = feed_frag(e.r, 0, MAC_A, &fs, i, 10 + i, &o);
			assert_false(o.complete);
			env_check(&e);
			if (err == LSOE_E_REASM_TOTAL_LIMIT) {
				assert_int_equal(orphans, 0);
				refused++;
			} else if (err == LSOE_E_FRAG_NO_START) {
				assert_int_equal(refused, 1);
				orphans++;
			} else {
				assert_int_equal(err, LSOE_OK);
				assert_int_equal(refused, 0);
			}
		}
		assert_int_equal(refused, 1);
		expect_errors(e.r, LSOE_E_REASM_TOTAL_LIMIT, 1, LSOE_E_FRAG_NO_START, (int)orphans, LSOE_OK);
		expect_stats(e.r, 0, 0, 0, 0, 0);
		assert_int_equal(e.ta.live_bytes, e.footprint);
		frags_free(&fs);
		env_done(&e);
	}
}

static void test_table_full(void **state)
{
	(void)state;
	struct lsoe_reasm_config cfg;
	lsoe_reasm_config_default(&cfg);
	cfg.max_sources = 4;
	struct env e;
	env_init(&e, &cfg);
	const uint64_t T = cfg.timeout_ns;
	const uint64_t t0 = 10 * SEC;
	uint8_t pdu[4000];
	make_pdu(pdu, sizeof(pdu), LSOE_PDU_IPV6_ENCAP, 80);
	struct frags fs;
	frag_all(&fs, pdu, sizeof(pdu), 1500);
	assert_int_equal(fs.n, 3);
	struct out o;
	uint8_t mac[6];

	for (uint32_t i = 0; i < 4; i++) {
		mac_of(mac, i);
		assert_int_equal(feed_frag(e.r, 0, mac, &fs, 0, t0 + i, &o), LSOE_OK);
	}
	expect_stats(e.r, 0, 0, 0, 0, 4);
	mac_of(mac, 4);
	assert_int_equal(feed_frag(e.r, 0, mac, &fs, 0, t0 + 10, &o), LSOE_E_REASM_TABLE_FULL);
	expect_stats(e.r, 0, 0, 0, 0, 4);
	expect_errors(e.r, LSOE_E_REASM_TABLE_FULL, 1, LSOE_OK);
	env_check(&e);

	/* Full table: single-datagram PDUs and known sources still get through. */
	static const uint8_t hello[3] = { 0, 0, 3 };
	uint8_t dg[16];
	size_t n = hand_dgram(dg, 0, true, hello, 3);
	assert_int_equal(feed(e.r, 0, mac, dg, n, t0 + 11, &o), LSOE_OK);
	assert_true(o.complete);
	uint8_t mac0[6];
	mac_of(mac0, 0);
	assert_int_equal(feed_frag(e.r, 0, mac0, &fs, 1, t0 + 12, &o), LSOE_OK);
	/* The same MAC on another port is another source. */
	assert_int_equal(feed_frag(e.r, 1, mac0, &fs, 0, t0 + 13, &o), LSOE_E_REASM_TABLE_FULL);

	/* Just before the oldest partial's timeout: still full. */
	assert_int_equal(feed_frag(e.r, 0, mac, &fs, 0, t0 + T - 1, &o), LSOE_E_REASM_TABLE_FULL);
	expect_stats(e.r, 1, 0, 0, 0, 4);
	/* At its timeout the oldest is expired and the new source admitted. */
	assert_int_equal(feed_frag(e.r, 0, mac, &fs, 0, t0 + T, &o), LSOE_OK);
	expect_stats(e.r, 1, 0, 0, 1, 4);
	mac_of(mac, 5);
	assert_int_equal(feed_frag(e.r, 0, mac, &fs, 0, t0 + T, &o), LSOE_E_REASM_TABLE_FULL);
	/* Once the other three are stale too, there is room again. */
	assert_int_equal(feed_frag(e.r, 0, mac, &fs, 0, t0 + T + 3, &o), LSOE_OK);
	expect_stats(e.r, 1, 0, 0, 4, 2);
	expect_errors(e.r, LSOE_E_REASM_TABLE_FULL, 4, LSOE_OK);
	assert_int_equal(lsoe_reasm_stats(e.r)->sources_peak, 4);

	/* The expired source's continuation is an orphan. */
	assert_int_equal(feed_frag(e.r, 0, mac0, &fs, 2, t0 + T + 4, &o), LSOE_E_FRAG_NO_START);
	/* The admitted ones complete. */
	for (uint32_t i = 4; i <= 5; i++) {
		mac_of(mac, i);
		assert_int_equal(feed_frag(e.r, 0, mac, &fs, 1, t0 + T + 5, &o), LSOE_OK);
		assert_int_equal(feed_frag(e.r, 0, mac, &fs, 2, t0 + T + 6, &o), LSOE_OK);
		assert_true(o.complete);
		assert_memory_equal(o.pdu, pdu, sizeof(pdu));
	}
	expect_stats(e.r, 3, 2, 0, 4, 0);
	frags_free(&fs);
	env_done(&e);
}

static void test_pdu_too_big(void **state)
{
	(void)state;
	uint8_t *pay = malloc(LSOE_DGRAM_MAX_LEN + 16); /* a 65535-octet PDU and a few octets more */
	uint8_t *dg = malloc(LSOE_DGRAM_MAX_LEN);
	assert_non_null(pay);
	assert_non_null(dg);
	make_pdu(pay, LSOE_DGRAM_MAX_LEN, LSOE_PDU_IPV6_ENCAP, 90);
	memset(pay + LSOE_DGRAM_MAX_LEN, 0x5A, 16);
	struct out o;

	/* 44 datagrams of 1492 octets = 65648 > 65535; even a larger max_source_bytes allows no more. */
	static const uint32_t limits[2] = { 65535, 1000000 };
	for (int l = 0; l < 2; l++) {
		struct lsoe_reasm_config cfg;
		lsoe_reasm_config_default(&cfg);
		cfg.max_source_bytes = limits[l];
		cfg.max_total_bytes = 10u * 1024u * 1024u;
		struct env e;
		env_init(&e, &cfg);
		size_t n;
		for (unsigned i = 0; i < 43; i++) {
			n = hand_dgram(dg, i, false, pay + (size_t)i * 1492 % 60000, 1492);
			assert_int_equal(feed(e.r, 0, MAC_A, dg, n, 100 + i, &o), LSOE_OK);
			env_check(&e);
		}
		n = hand_dgram(dg, 43, true, pay, 1492);
		assert_int_equal(feed(e.r, 0, MAC_A, dg, n, 200, &o), LSOE_E_REASM_PDU_TOO_BIG);
		assert_false(o.complete);
		expect_stats(e.r, 0, 0, 0, 0, 0);
		assert_int_equal(e.ta.live_bytes, e.footprint);
		n = hand_dgram(dg, 44, true, pay, 10);
		assert_int_equal(feed(e.r, 0, MAC_A, dg, n, 201, &o), LSOE_E_FRAG_NO_START);
		expect_errors(e.r, LSOE_E_REASM_PDU_TOO_BIG, 1, LSOE_E_FRAG_NO_START, 1, LSOE_OK);
		env_done(&e);
	}

	/* Jumbo datagrams: 65527 + 9 octets is one too many, 65527 + 8 is exactly 65535. */
	struct env e;
	env_init(&e, NULL);
	const size_t first = LSOE_DGRAM_MAX_LEN - LSOE_DGRAM_HDR_LEN;
	size_t n = hand_dgram(dg, 0, false, pay, first);
	assert_int_equal(n, LSOE_DGRAM_MAX_LEN);
	assert_int_equal(feed(e.r, 0, MAC_B, dg, n, 1, &o), LSOE_OK);
	uint8_t small[32];
	n = hand_dgram(small, 1, true, pay + first, 9);
	assert_int_equal(feed(e.r, 0, MAC_B, small, n, 2, &o), LSOE_E_REASM_PDU_TOO_BIG);
	expect_stats(e.r, 0, 0, 0, 0, 0);
	assert_int_equal(e.ta.live_bytes, e.footprint);

	n = hand_dgram(dg, 0, false, pay, first);
	assert_int_equal(feed(e.r, 0, MAC_B, dg, n, 3, &o), LSOE_OK);
	n = hand_dgram(small, 1, true, pay + first, 8);
	assert_int_equal(feed(e.r, 0, MAC_B, small, n, 4, &o), LSOE_OK);
	assert_true(o.complete);
	assert_int_equal(o.len, LSOE_PDU_MAX_LEN);
	assert_memory_equal(o.pdu, pay, LSOE_PDU_MAX_LEN);
	expect_stats(e.r, 1, 1, 0, 0, 0);
	expect_errors(e.r, LSOE_E_REASM_PDU_TOO_BIG, 1, LSOE_OK);
	env_done(&e);
	free(dg);
	free(pay);
}

static void test_nomem(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, NULL);
	uint8_t pdu[2500];
	make_pdu(pdu, sizeof(pdu), LSOE_PDU_IPV6_ENCAP, 100);
	struct frags fs;
	frag_all(&fs, pdu, sizeof(pdu), 1500);
	assert_int_equal(fs.n, 2);
	struct out o;

	e.ta.fail_after = 0;
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, 1, &o), LSOE_E_REASM_NOMEM);
	assert_false(o.complete);
	expect_stats(e.r, 0, 0, 0, 0, 0);
	expect_errors(e.r, LSOE_E_REASM_NOMEM, 1, LSOE_OK);
	assert_int_equal(e.ta.live_bytes, e.footprint);
	assert_int_equal(e.ta.live_allocs, 1);
	env_check(&e);
	e.ta.fail_after = -1;
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, 2, &o), LSOE_E_FRAG_NO_START);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 0, 3, &o), LSOE_OK);
	assert_int_equal(feed_frag(e.r, 0, MAC_A, &fs, 1, 4, &o), LSOE_OK);
	assert_true(o.complete);
	assert_memory_equal(o.pdu, pdu, sizeof(pdu));
	expect_errors(e.r, LSOE_E_REASM_NOMEM, 1, LSOE_E_FRAG_NO_START, 1, LSOE_OK);
	frags_free(&fs);
	env_done(&e);

	/*
	 * Failure while a buffer grows (the length field hides the size, so the buffer
	 * cannot be sized up front): let k allocations succeed, for k = 0, 1, ...
	 */
	uint8_t *big = malloc(20000);
	assert_non_null(big);
	make_pdu_claim(big, 20000, LSOE_PDU_IPV6_ENCAP, 3, 101);
	frag_all(&fs, big, 20000, 1500);
	assert_int_equal(fs.n, 14);
	bool completed = false, grew = false;
	for (long k = 0; k < 32 && !completed; k++) {
		env_init(&e, NULL);
		e.ta.fail_after = k;
		int failed_at = -1;
		for (unsigned i = 0; i < fs.n; i++) {
			enum lsoe_err err = feed_frag(e.r, 0, MAC_A, &fs, i, 10 + i, &o);
			env_check(&e);
			if (failed_at < 0 && err == LSOE_E_REASM_NOMEM) {
				failed_at = (int)i;
				expect_stats(e.r, 0, 0, 0, 0, 0);
				assert_int_equal(e.ta.live_bytes, e.footprint);
			} else if (failed_at >= 0) {
				assert_int_equal(err, LSOE_E_FRAG_NO_START);
			} else {
				assert_int_equal(err, LSOE_OK);
			}
		}
		if (k == 0)
			assert_int_equal(failed_at, 0);
		if (failed_at > 0)
			grew = true;
		if (failed_at < 0) {
			completed = true;
			assert_true(o.complete);
			assert_int_equal(o.len, 20000);
			assert_memory_equal(o.pdu, big, 20000);
			expect_errors(e.r, LSOE_OK);
		} else {
			expect_errors(e.r, LSOE_E_REASM_NOMEM, 1, LSOE_E_FRAG_NO_START, (int)fs.n - 1 - failed_at, LSOE_OK);
		}
		e.ta.fail_after = -1;
		env_done(&e);
	}
	assert_true(completed);
	assert_true(grew);
	frags_free(&fs);
	free(big);
}

/* ---- flood ---- */

struct flood_result {
	uint64_t ok, total_limit, table_full;
};

/*
 * 10,000 distinct source MACs, each sending datagram 0 of a 65535-octet PDU, one
 * per millisecond; the caller runs lsoe_reasm_expire at the deadlines it returns,
 * as the daemon does. Memory and table stay within what the config allows.
 */
static struct flood_result flood(const struct lsoe_reasm_config *cfg)
{
	struct env e;
	env_init(&e, cfg);
	uint8_t *pdu = malloc(LSOE_PDU_MAX_LEN);
	assert_non_null(pdu);
	make_pdu(pdu, LSOE_PDU_MAX_LEN, LSOE_PDU_IPV6_ENCAP, 110);
	struct frags fs;
	frag_all(&fs, pdu, LSOE_PDU_MAX_LEN, 1500);
	assert_int_equal(fs.n, 44);

	struct flood_result res = { 0, 0, 0 };
	uint64_t deadline = UINT64_MAX;
	uint64_t now = 50 * SEC;
	uint64_t seed = 0x243F6A8885A308D3ull;
	const size_t bound = e.footprint + cfg->max_total_bytes + cfg->max_source_bytes;
	for (uint32_t i = 0; i < 10000; i++) {
		now += 1000000; /* 1 ms */
		if (now >= deadline)
			deadline = lsoe_reasm_expire(e.r, now);
		uint8_t mac[6];
		mac_of(mac, i);
		mac[1] = (uint8_t)xorshift64(&seed) & 0xFEu; /* spread, still distinct by the low octets */
		struct out o;
		enum lsoe_err err = feed_frag(e.r, (uint32_t)(i % 3), mac, &fs, 0, now, &o);
		assert_false(o.complete);
		switch (err) {
		case LSOE_OK:
			res.ok++;
			if (now + cfg->timeout_ns < deadline)
				deadline = now + cfg->timeout_ns;
			break;
		case LSOE_E_REASM_TOTAL_LIMIT:
			res.total_limit++;
			break;
		case LSOE_E_REASM_TABLE_FULL:
			res.table_full++;
			break;
		default:
			fail_msg("unexpected %s", lsoe_err_name(err));
		}
		const struct lsoe_reasm_stats *st = lsoe_reasm_stats(e.r);
		assert_true(st->sources <= cfg->max_sources);
		assert_true(st->bytes_buffered <= cfg->max_total_bytes);
		assert_true(e.ta.peak_bytes <= bound);
		if ((i & 255) == 0)
			env_check(&e);
	}
	const struct lsoe_reasm_stats *st = lsoe_reasm_stats(e.r);
	assert_int_equal(res.ok + res.total_limit + res.table_full, 10000);
	/* Every admitted partial was either expired or is still held (none completed). */
	assert_int_equal(st->expired, res.ok - st->sources);
	assert_int_equal(st->pdus, 0);
	assert_int_equal(st->abandoned, 0);
	assert_int_equal(st->errors[LSOE_E_REASM_TOTAL_LIMIT], res.total_limit);
	assert_int_equal(st->errors[LSOE_E_REASM_TABLE_FULL], res.table_full);
	assert_true(st->sources_peak <= cfg->max_sources);
	assert_true(st->bytes_buffered_peak <= cfg->max_total_bytes);
	assert_true(e.ta.peak_bytes <= bound);
	frags_free(&fs);
	free(pdu);
	env_done(&e);
	return res;
}

static void test_flood(void **state)
{
	(void)state;
	struct lsoe_reasm_config cfg;

	/*
	 * 256 sources, 512 KiB: memory is the binding limit. A partial reserves at most 4x
	 * what arrived (a 1492-octet slice: 5968 octets), not the 65535 it claims, so 87 fit.
	 */
	lsoe_reasm_config_default(&cfg);
	cfg.max_total_bytes = 512u * 1024u;
	struct flood_result r1 = flood(&cfg);
	assert_true(r1.ok >= 87);
	assert_true(r1.total_limit > 0);
	assert_int_equal(r1.table_full, 0);

	/* Defaults (256 sources, 4 MiB): with claims capped, 4 MiB holds more than the table. */
	lsoe_reasm_config_default(&cfg);
	struct flood_result r0 = flood(&cfg);
	assert_true(r0.ok >= 256);
	assert_int_equal(r0.total_limit, 0);
	assert_true(r0.table_full > 0);

	/* 64 sources, 8 MiB: the table is the binding limit. */
	lsoe_reasm_config_default(&cfg);
	cfg.max_sources = 64;
	cfg.max_total_bytes = 8u * 1024u * 1024u;
	struct flood_result r2 = flood(&cfg);
	assert_true(r2.ok >= 64);
	assert_true(r2.table_full > 0);
	assert_int_equal(r2.total_limit, 0);

	/* Without anyone calling expire, a full table still recovers at the timeout. */
	lsoe_reasm_config_default(&cfg);
	cfg.max_sources = 16;
	struct env e;
	env_init(&e, &cfg);
	uint8_t pdu[3000];
	make_pdu(pdu, sizeof(pdu), LSOE_PDU_IPV6_ENCAP, 111);
	struct frags fs;
	frag_all(&fs, pdu, sizeof(pdu), 1500);
	uint64_t ok = 0;
	for (uint32_t i = 0; i < 10000; i++) {
		uint8_t mac[6];
		mac_of(mac, i);
		struct out o;
		enum lsoe_err err = feed_frag(e.r, 0, mac, &fs, 0, (uint64_t)i * 1000000, &o);
		if (err == LSOE_OK)
			ok++;
		else
			assert_int_equal(err, LSOE_E_REASM_TABLE_FULL);
		assert_true(lsoe_reasm_stats(e.r)->sources <= 16);
	}
	/* 16 admitted per second of the 10 s. */
	assert_int_equal(ok, 16 * 10);
	expect_stats(e.r, 0, 0, 0, ok - 16, 16);
	expect_errors(e.r, LSOE_E_REASM_TABLE_FULL, (int)(10000 - ok), LSOE_OK);
	frags_free(&fs);
	env_done(&e);
}

/* ---- model-based churn: many sources, table insert/delete in every order ---- */

#define CH_MACS  40
#define CH_PORTS 2
#define CH_SRC   (CH_MACS * CH_PORTS)
#define CH_SLICE 32u
#define CH_MAXS  16u

struct ch_src {
	uint8_t mac[6];
	uint32_t port;
	uint8_t pdu[5 * CH_SLICE];
	size_t len;
	unsigned total;
	unsigned send_next;
	uint64_t gen;
	/* the model of the reassembler's state for this source */
	uint8_t mbuf[5 * CH_SLICE];  /* what the partial PDU holds (may mix two of the sender's PDUs) */
	size_t mlen;
	bool partial;
	unsigned next;
	uint64_t started;
};

struct ch_model {
	struct ch_src src[CH_SRC];
	uint64_t timeout;
	uint64_t pdus, multi, abandoned, expired;
	uint64_t errors[LSOE_ERR_COUNT];
	uint32_t sources;
};

static void ch_new_pdu(struct ch_src *s, uint64_t *seed)
{
	s->len = 3 + (size_t)(xorshift64(seed) % (5 * CH_SLICE - 2));
	s->total = (unsigned)((s->len + CH_SLICE - 1) / CH_SLICE);
	make_pdu(s->pdu, s->len, LSOE_PDU_IPV4_ENCAP, xorshift64(seed) | 1);
	s->send_next = 0;
	s->gen++;
}

static bool ch_stale(const struct ch_model *m, const struct ch_src *s, uint64_t now)
{
	return now >= s->started && now - s->started >= m->timeout;
}

static uint64_t ch_expire(struct ch_model *m, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	for (int i = 0; i < CH_SRC; i++) {
		struct ch_src *s = &m->src[i];
		if (!s->partial)
			continue;
		if (ch_stale(m, s, now)) {
			s->partial = false;
			m->sources--;
			m->expired++;
		} else if (s->started + m->timeout < next) {
			next = s->started + m->timeout;
		}
	}
	return next;
}

static enum lsoe_err ch_input(struct ch_model *m, struct ch_src *s, unsigned k, bool last, const uint8_t *pay,
    size_t n, uint64_t now, bool *complete)
{
	*complete = false;
	bool was_stale = false;
	if (s->partial && ch_stale(m, s, now)) {
		s->partial = false;
		m->sources--;
		m->expired++;
		was_stale = true;
	}
	enum lsoe_err e = LSOE_OK;
	if (k == 0) {
		if (s->partial) {
			s->partial = false;
			m->sources--;
			m->abandoned++;
		}
		if (last) {
			m->pdus++;
			*complete = true;
			return LSOE_OK;
		}
		if (m->sources >= CH_MAXS) {
			ch_expire(m, now);
			if (m->sources >= CH_MAXS) {
				m->errors[LSOE_E_REASM_TABLE_FULL]++;
				return LSOE_E_REASM_TABLE_FULL;
			}
		}
		s->partial = true;
		s->next = 1;
		s->started = now;
		memcpy(s->mbuf, pay, n);
		s->mlen = n;
		m->sources++;
		return LSOE_OK;
	}
	if (!s->partial)
		e = was_stale ? LSOE_E_FRAG_STALE : LSOE_E_FRAG_NO_START;
	else if (k != s->next) {
		s->partial = false;
		m->sources--;
		e = LSOE_E_FRAG_OUT_OF_ORDER;
	}
	if (e != LSOE_OK) {
		m->errors[e]++;
		return e;
	}
	s->next++;
	assert_true(s->mlen + n <= sizeof(s->mbuf));
	memcpy(s->mbuf + s->mlen, pay, n);
	s->mlen += n;
	if (last) {
		s->partial = false;
		m->sources--;
		m->pdus++;
		m->multi++;
		*complete = true;
	}
	return LSOE_OK;
}

static void ch_compare(const struct env *e, const struct ch_model *m)
{
	const struct lsoe_reasm_stats *st = lsoe_reasm_stats(e->r);
	assert_int_equal(st->pdus, m->pdus);
	assert_int_equal(st->pdus_multi, m->multi);
	assert_int_equal(st->abandoned, m->abandoned);
	assert_int_equal(st->expired, m->expired);
	assert_int_equal(st->sources, m->sources);
	for (int i = 0; i < LSOE_ERR_COUNT; i++)
		assert_int_equal(st->errors[i], m->errors[i]);
	env_check(e);
}

static void test_churn_model(void **state)
{
	(void)state;
	struct lsoe_reasm_config cfg;
	lsoe_reasm_config_default(&cfg);
	cfg.max_sources = CH_MAXS;
	cfg.hash_seed = 0x0123456789ABCDEFull;
	struct env e;
	env_init(&e, &cfg);
	struct ch_model *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	m->timeout = cfg.timeout_ns;
	uint64_t seed = 0xD1B54A32D192ED03ull;
	for (int i = 0; i < CH_SRC; i++) {
		struct ch_src *s = &m->src[i];
		mac_of(s->mac, (uint32_t)(i % CH_MACS) * 7919u);
		s->port = (uint32_t)(i / CH_MACS);
		ch_new_pdu(s, &seed);
	}

	uint64_t now = SEC;
	uint8_t expect[5 * CH_SLICE];
	const uint8_t *held = NULL; /* the last returned multi-datagram PDU */
	size_t held_len = 0;
	uint64_t completes = 0, singles = 0, intact = 0;
	struct ch_src *s = &m->src[0];
	for (int step = 0; step < 200000; step++) {
		/* The previously returned PDU is intact until this step's call. */
		if (held)
			assert_memory_equal(held, expect, held_len);

		/* Sub-millisecond steps; senders are bursty (often the same source again). */
		now += xorshift64(&seed) % (cfg.timeout_ns / 2000);
		unsigned action = (unsigned)(xorshift64(&seed) % 1000);
		if (xorshift64(&seed) & 1)
			s = &m->src[xorshift64(&seed) % CH_SRC];
		if (action < 30) {
			uint64_t got = lsoe_reasm_expire(e.r, now);
			assert_int_equal(got, ch_expire(m, now));
			held = NULL;
			ch_compare(&e, m);
			continue;
		}
		if (action < 33) {
			uint32_t port = (xorshift64(&seed) & 7) == 0 ? UINT32_MAX : (uint32_t)(xorshift64(&seed) % CH_PORTS);
			lsoe_reasm_flush(e.r, port);
			for (int i = 0; i < CH_SRC; i++) {
				if (m->src[i].partial && (port == UINT32_MAX || m->src[i].port == port)) {
					m->src[i].partial = false;
					m->sources--;
				}
			}
			held = NULL;
			ch_compare(&e, m);
			continue;
		}
		if (action < 36) {
			now += cfg.timeout_ns / 2 + xorshift64(&seed) % cfg.timeout_ns;
			continue;
		}
		unsigned k;
		if (action < 86) { /* lost: the sender moves on */
			if (++s->send_next >= s->total)
				ch_new_pdu(s, &seed);
			continue;
		} else if (action < 236) {
			k = (unsigned)(xorshift64(&seed) % s->total);
		} else {
			k = s->send_next;
		}
		bool last = k + 1 == s->total;
		size_t off = (size_t)k * CH_SLICE;
		size_t n = s->len - off < CH_SLICE ? s->len - off : CH_SLICE;
		uint8_t dg[LSOE_DGRAM_HDR_LEN + CH_SLICE];
		size_t dl = hand_dgram(dg, k, last, s->pdu + off, n);

		bool want_complete;
		enum lsoe_err want = ch_input(m, s, k, last, s->pdu + off, n, now, &want_complete);
		struct out o;
		enum lsoe_err got = feed(e.r, s->port, s->mac, dg, dl, now, &o);
		if (got != want)
			fail_msg("step %d: got %s, model says %s", step, lsoe_err_name(got), lsoe_err_name(want));
		assert_int_equal(o.complete, want_complete);
		held = NULL;
		if (o.complete) {
			completes++;
			if (k == 0) {
				singles++;
				assert_ptr_equal(o.pdu, dg + LSOE_DGRAM_HDR_LEN);
				assert_int_equal(o.len, s->len);
				assert_memory_equal(o.pdu, s->pdu, s->len);
			} else {
				/* Exactly the datagrams the model accepted, in order. */
				assert_int_equal(o.len, s->mlen);
				assert_memory_equal(o.pdu, s->mbuf, s->mlen);
				if (o.len == s->len && memcmp(o.pdu, s->pdu, s->len) == 0)
					intact++;
				memcpy(expect, s->mbuf, s->mlen);
				held = o.pdu;
				held_len = s->mlen;
			}
		}
		ch_compare(&e, m);
		if (last)
			ch_new_pdu(s, &seed);
		else
			s->send_next = k + 1;
	}
	/* The run exercised every path. */
	assert_true(completes > 1000);
	assert_true(completes > singles);
	assert_true(intact > 1000);
	assert_true(m->abandoned > 0);
	assert_true(m->expired > 0);
	assert_true(m->errors[LSOE_E_REASM_TABLE_FULL] > 0);
	assert_true(m->errors[LSOE_E_FRAG_OUT_OF_ORDER] > 0);
	assert_true(m->errors[LSOE_E_FRAG_NO_START] > 0);
	assert_true(m->errors[LSOE_E_FRAG_STALE] > 0);
	assert_int_equal(lsoe_reasm_stats(e.r)->sources_peak, CH_MAXS);
	free(m);
	env_done(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_invalid),
		cmocka_unit_test(test_single_in_place),
		cmocka_unit_test(test_two_datagrams),
		cmocka_unit_test(test_max_pdu_44_datagrams),
		cmocka_unit_test(test_growth_without_hint),
		cmocka_unit_test(test_orphan_fragment),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_backwards_number),
		cmocka_unit_test(test_abandoned),
		cmocka_unit_test(test_stale_boundary),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_sources_interleaved),
		cmocka_unit_test(test_flush_port),
		cmocka_unit_test(test_source_limit),
		cmocka_unit_test(test_total_limit),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_pdu_too_big),
		cmocka_unit_test(test_nomem),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_churn_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
