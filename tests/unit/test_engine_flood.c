/*
 * Engine tests, resource bounds under a flood (core/node.c session cap,
 * core/reasm.c through the node; digest 9 "implementation hardening").
 *
 * 10,000 spoofed source MACs hit one port of A at the same virtual instant TF:
 * each sends a HELLO, or an OPEN, or the first datagram of a two-datagram PDU.
 * A must hold at most max-sessions-per-port sessions, count every refusal, keep
 * its memory (the harness allocator's live and peak bytes) under a bound derived
 * below, report refusals rate-limited, clean up on its own timers, and then let
 * a legitimate peer (B, whose port comes up later on the same link) open a
 * session as if nothing had happened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "lsoe/node.h"
#include "lsoe/pdu.h"
#include "lsoe/reasm.h"
#include "lsoe/wire.h"

#define T0 (1000 * SEC)
#define TF (T0 + 1 * SEC)
#define D (10 * MS)
#define P 1u
#define NS 1ull
#define NFLOOD 10000u

static void spoofed_mac(uint8_t mac[6], unsigned i)
{
	const uint8_t m[6] = { 0x02, 0xaa, 0x00, 0x00, (uint8_t)(i >> 8), (uint8_t)i };
	memcpy(mac, m, 6);
}

struct flood {
	struct h_world w;
	struct h_node *a, *b;
	uint32_t cap;
	size_t baseline;
};

/* A on port 1, wired to B whose port is not there yet. */
static void flood_init(struct flood *f)
{
	h_world_init(&f->w, T0);
	f->a = h_node_add(&f->w, "A", 1, NULL);
	f->b = h_node_add(&f->w, "B", 2, NULL);
	h_wire(&f->w, f->a, P, f->b, P, D);
	h_port_add(f->a, P);
	h_run_until(&f->w, TF);
	f->cap = f->a->cfg.max_sessions_per_port;
	assert_int_equal(f->cap, 64); /* the default (digest 7, config.c) */
	f->baseline = f->a->live_bytes;
	f->a->peak_bytes = f->baseline;
}

/* B's port comes up at TB: B's HELLO reaches A at TB+D, A's OPEN reaches B at TB+2D, A is up at TB+3D, B at TB+4D. */
static void legit_peer_opens(struct flood *f, uint64_t TB)
{
	h_run_until(&f->w, TB);
	h_port_add(f->b, P);
	h_run_until(&f->w, TB + 2 * SEC);
	assert_int_equal(h_count_events(f->a, LSOE_EV_SESSION_UP), 1);
	const struct h_event *up = h_nth_event(f->a, LSOE_EV_SESSION_UP, 0);
	assert_int_equal(up->time, TB + 3 * D);
	assert_memory_equal(up->peer_mac, f->b->mac[P], 6);
	assert_int_equal(h_count_events(f->b, LSOE_EV_SESSION_UP), 1);
	assert_int_equal(h_nth_event(f->b, LSOE_EV_SESSION_UP, 0)->time, TB + 4 * D);
	struct lsoe_node_memory m;
	lsoe_node_memory(f->a->node, &m);
	assert_int_equal(m.sessions, 1);
}

static void run_session_flood(uint8_t pdu_type)
{
	struct flood f;
	flood_init(&f);
	uint32_t max_seen = 0;
	struct lsoe_node_memory m;
	for (unsigned i = 0; i < NFLOOD; i++) {
		uint8_t mac[6];
		spoofed_mac(mac, i);
		if (pdu_type == LSOE_PDU_HELLO) {
			h_inject_hello(&f.w, f.a, P, mac);
		} else {
			struct lsoe_pdu open = { .type = LSOE_PDU_OPEN };
			open.u.open.nonce = 0x1000u + i;
			open.u.open.local_id[8] = (uint8_t)(i >> 8);
			open.u.open.local_id[9] = (uint8_t)i;
			h_inject_pdu(&f.w, f.a, P, mac, &open, 1500);
		}
		lsoe_node_memory(f.a->node, &m);
		if (m.sessions > max_seen)
			max_seen = m.sessions;
	}
	const struct lsoe_counters *c = h_counters(f.a->node);
	assert_int_equal(max_seen, f.cap);
	assert_int_equal(c->sessions_created, f.cap);
	assert_int_equal(c->sessions_refused, NFLOOD - f.cap);
	/* One OPEN per admitted peer (plus an ACK for spoofed OPENs), none for the refused. */
	assert_int_equal(h_sent_between(f.a, LSOE_PDU_OPEN, 0, TF, TF), f.cap);
	assert_int_equal(h_sent_between(f.a, LSOE_PDU_ACK, LSOE_PDU_OPEN, TF, TF),
	    pdu_type == LSOE_PDU_OPEN ? f.cap : 0);
	/*
	 * Refusals are reported at the first and then at powers of two: 1, 2, 4, ...,
	 * 8192 of 9936 refusals is 14 events.
	 */
	assert_int_equal(h_count_errors(f.a, LSOE_ERRK_SESSION_CAP), 14);
	/*
	 * Memory: under 1 KiB per admitted session (the session, its OPEN, its share
	 * of the timer heap and hash table), nothing per refused peer.
	 */
	assert_true(f.a->peak_bytes <= f.baseline + (size_t)f.cap * 1024);
	assert_true(f.a->live_bytes <= f.baseline + (size_t)f.cap * 1024);
	lsoe_node_memory(f.a->node, &m);
	assert_int_equal(m.bytes, f.a->live_bytes);

	/* The spoofed peers never answer: their OPENs (sent at TF, TF+1s, TF+3s) fail at TF+7s. */
	h_run_until(&f.w, TF + 7 * SEC - NS);
	lsoe_node_memory(f.a->node, &m);
	assert_int_equal(m.sessions, f.cap);
	h_run_until(&f.w, TF + 7 * SEC);
	lsoe_node_memory(f.a->node, &m);
	assert_int_equal(m.sessions, 0);
	c = h_counters(f.a->node);
	assert_int_equal(c->retransmit_failures, f.cap);
	assert_int_equal(h_count_events(f.a, LSOE_EV_SESSION_UP), 0);
	assert_int_equal(h_count_events(f.a, LSOE_EV_SESSION_DOWN), 0);
	/*
	 * What is left is the grown hash table and timer heap: at most 128 octets a session
	 * of the cap (three heap entries of 24 octets, the key kept beside the pointer, with
	 * up to half again of slack: 108; two bucket pointers: 16).
	 */
	assert_true(f.a->live_bytes <= f.baseline + (size_t)f.cap * 128);

	legit_peer_opens(&f, TF + 8 * SEC);
	h_world_free(&f.w);
}

static void test_flood_hellos(void **state)
{
	(void)state;
	run_session_flood(LSOE_PDU_HELLO);
}

static void test_flood_opens(void **state)
{
	(void)state;
	run_session_flood(LSOE_PDU_OPEN);
}

/* The first datagram of a 2219-octet IPv6 encapsulation PDU (of two at MTU 1500). */
static size_t first_fragment(uint8_t *dg, size_t cap)
{
	static struct lsoe_encap v[123];
	for (unsigned i = 0; i < 123; i++) {
		const uint16_t g[8] = { 0x2001, 0xdb8, 0, 0, 0, 0, 0, (uint16_t)i };
		v[i] = h_ipv6(g, 128, 0);
	}
	struct lsoe_pdu pdu = { .type = LSOE_PDU_IPV6_ENCAP };
	pdu.u.encap.count = 123;
	pdu.u.encap.entries = v;
	static uint8_t buf[4096];
	size_t len;
	assert_int_equal(lsoe_pdu_encode(&pdu, buf, sizeof(buf), &len), LSOE_OK);
	assert_int_equal(len, 2219);
	struct lsoe_frag fr;
	assert_int_equal(lsoe_frag_init(&fr, buf, len, 1500), LSOE_OK);
	assert_int_equal(lsoe_frag_count(&fr), 2);
	return lsoe_frag_next(&fr, dg, cap, NULL);
}

static void *plain_alloc(void *ctx, size_t size) { (void)ctx; return test_malloc(size); }
static void plain_free(void *ctx, void *p, size_t size) { (void)ctx; (void)size; test_free(p); }

/* The reassembler's own table at these bounds: the node makes it at the first fragment. */
static size_t reasm_table_bytes(uint32_t max_sources)
{
	struct lsoe_reasm_config rc;
	lsoe_reasm_config_default(&rc);
	rc.max_sources = max_sources;
	struct lsoe_allocator a = { plain_alloc, plain_free, NULL };
	struct lsoe_reasm *r = lsoe_reasm_create(&rc, &a);
	assert_non_null(r);
	size_t bytes = lsoe_reasm_footprint(r);
	lsoe_reasm_destroy(r);
	return bytes;
}

static void test_flood_partial_pdus(void **state)
{
	(void)state;
	struct flood f;
	flood_init(&f);
	static uint8_t dg[2048];
	size_t dl = first_fragment(dg, sizeof(dg));
	assert_int_equal(dl, 1500);
	const struct lsoe_config *cfg = &f.a->cfg;
	assert_int_equal(cfg->reassembly_max_sources, 256);
	assert_int_equal(cfg->reassembly_timeout, 1 * SEC);
	for (unsigned i = 0; i < NFLOOD; i++) {
		uint8_t mac[6];
		spoofed_mac(mac, i);
		h_inject(&f.w, f.a, P, mac, f.a->mac[P], dg, dl);
	}
	const struct lsoe_counters *c = h_counters(f.a->node);
	struct lsoe_node_memory m;
	lsoe_node_memory(f.a->node, &m);
	/* Incomplete PDUs create no session; the reassembler holds max-sources of them and refuses the rest. */
	assert_int_equal(m.sessions, 0);
	assert_int_equal(c->sessions_created, 0);
	assert_int_equal(c->rx_frames, NFLOOD);
	assert_int_equal(c->rx_pdus, 0);
	assert_int_equal(c->rx_errors[LSOE_E_REASM_TABLE_FULL], NFLOOD - cfg->reassembly_max_sources);
	assert_int_equal(c->rx_dropped, NFLOOD - cfg->reassembly_max_sources);
	/*
	 * Memory: the reassembler's table (made at the first fragment) and the buffered
	 * partials and nothing else, within reassembly-max-bytes; each holds the claimed 2219.
	 */
	const size_t table = reasm_table_bytes(cfg->reassembly_max_sources);
	const size_t held = f.a->live_bytes - f.baseline;
	assert_true(held - table <= cfg->reassembly_max_bytes);
	assert_true(held - table <= (size_t)cfg->reassembly_max_sources * 2219);
	assert_true(held - table >= (size_t)cfg->reassembly_max_sources * 1492);
	assert_true(f.a->peak_bytes <= f.baseline + table + cfg->reassembly_max_bytes);

	/* The reassembly timeout frees them all, to the octet, and the table with them. */
	h_run_until(&f.w, TF + SEC - NS);
	assert_int_equal(f.a->live_bytes - f.baseline, held);
	h_run_until(&f.w, TF + SEC);
	assert_int_equal(f.a->live_bytes, f.baseline);

	legit_peer_opens(&f, TF + 2 * SEC);
	assert_int_equal(c->rx_dropped, NFLOOD - cfg->reassembly_max_sources);
	h_world_free(&f.w);
}

/*
 * Unicast frames for another station (a promiscuous port, a shared segment) are
 * not ours: dropped as not_for_us, no session, nothing sent in reply. HELLO to
 * our own unicast address is still accepted (digest 12.28).
 */
static void test_not_for_us(void **state)
{
	(void)state;
	struct h_world w;
	h_world_init(&w, 1000 * SEC);
	struct h_node *a = h_node_add(&w, "A", 0x0a, NULL);
	assert_int_equal(lsoe_node_port_add(a->node, 1, "eth1", a->mac[1], LSOE_PORT_UP), LSOE_OK);
	static const uint8_t stranger[6] = { 0x02, 0x55, 0, 0, 0, 1 }, other_station[6] = { 0x02, 0x66, 0, 0, 0, 2 };
	uint8_t hello[46] = { 0x00, 0x80, 0x00, 0x0b, 0xea, 0x89, 0xca, 0x1c, 0x00, 0x00, 0x03 };
	size_t sent_before = a->nsent;
	h_inject(&w, a, 1, stranger, other_station, hello, sizeof(hello));
	const struct lsoe_counters *c = h_counters(a->node);
	assert_int_equal(c->rx_errors[LSOE_E_NOT_FOR_US], 1);
	assert_int_equal(c->sessions_created, 0);
	assert_int_equal(a->nsent, sent_before);
	/* The same HELLO to our own MAC: accepted, a session starts with an OPEN. */
	h_inject(&w, a, 1, stranger, a->mac[1], hello, sizeof(hello));
	c = h_counters(a->node);
	assert_int_equal(c->sessions_created, 1);
	assert_int_equal(a->nsent, sent_before + 1);
	assert_int_equal(a->sent[a->nsent - 1].type, LSOE_PDU_OPEN);
	h_world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_hellos),
		cmocka_unit_test(test_flood_opens),
		cmocka_unit_test(test_flood_partial_pdus),
		cmocka_unit_test(test_not_for_us),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
