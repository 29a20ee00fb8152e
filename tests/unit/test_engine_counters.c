/*
 * Engine tests, per-port counters (core/counters.c): a port stores only the
 * counters it has incremented, the first 23 inside the port and the rest in an
 * array that grows on demand. Whatever the storage, the port view shows the
 * whole struct, and on a node with one port it equals the node's counters. An
 * array that cannot grow (no memory) loses the port's count, never the node's.
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
#include "lsoe/wire.h"

#define T0 (1000 * SEC)
#define D (10 * MS)
#define P 1u

/* A and B linked, both announcing an IPv4 and an IPv6 address: a port of a fabric link. */
static void pair_init(struct h_pair *p)
{
	h_pair_init(p, T0, P, D);
	const uint16_t ga[8] = { 0x2001, 0xdb8, 0, 0, 0, 0, 0, 0 }, gb[8] = { 0x2001, 0xdb8, 0, 0, 0, 0, 0, 1 };
	struct lsoe_encap a4 = h_ipv4(192, 0, 2, 0, 31, 0), b4 = h_ipv4(192, 0, 2, 1, 31, 0);
	struct lsoe_encap a6 = h_ipv6(ga, 127, 0), b6 = h_ipv6(gb, 127, 0);
	assert_int_equal(lsoe_node_set_encaps(p->a->node, P, LSOE_PDU_IPV4_ENCAP, &a4, 1), LSOE_OK);
	assert_int_equal(lsoe_node_set_encaps(p->a->node, P, LSOE_PDU_IPV6_ENCAP, &a6, 1), LSOE_OK);
	assert_int_equal(lsoe_node_set_encaps(p->b->node, P, LSOE_PDU_IPV4_ENCAP, &b4, 1), LSOE_OK);
	assert_int_equal(lsoe_node_set_encaps(p->b->node, P, LSOE_PDU_IPV6_ENCAP, &b6, 1), LSOE_OK);
	h_run_until(&p->w, T0 + 5 * SEC);
}

static struct lsoe_counters seen;

static void copy_counters(void *ctx, const struct lsoe_port_view *v)
{
	(void)ctx;
	seen = *v->counters;
}

static struct lsoe_counters port_counters(struct h_node *n)
{
	memset(&seen, 0xff, sizeof(seen));
	lsoe_node_foreach_port(n->node, copy_counters, NULL);
	return seen;
}

/* Counters with a nonzero value: each is one the port stores. */
static unsigned nonzero(const struct lsoe_counters *c)
{
	uint64_t w[sizeof(*c) / sizeof(uint64_t)];
	memcpy(w, c, sizeof(w));
	unsigned k = 0;
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		k += w[i] != 0;
	return k;
}

/* A datagram with this PDU (raw octets), sealed with its checksum, padded to 46. */
static size_t sealed(uint8_t *out, uint8_t number, bool last, const uint8_t *pdu, size_t len)
{
	memset(out, 0, 46);
	memcpy(out + LSOE_DGRAM_HDR_LEN, pdu, len);
	size_t dl = lsoe_dgram_seal(out, number, last, len);
	return dl < 46 ? 46 : dl;
}

/* Frames A drops, each for another reason (and one A sees as its own). */
static void inject_bad(struct h_pair *p)
{
	struct h_node *a = p->a;
	const uint8_t *mb = p->b->mac[P], *ma = a->mac[P];
	static const uint8_t group[6] = { 0x03, 0, 0, 0, 0, 9 }, other[6] = { 0x02, 0x66, 0, 0, 0, 2 };
	static const uint8_t hello[3] = { LSOE_PDU_HELLO, 0, 3 }, long_hello[4] = { LSOE_PDU_HELLO, 0, 4, 0 };
	static const uint8_t unknown[3] = { 0x50, 0, 3 };
	uint8_t f[64];
	size_t fl;

	fl = sealed(f, 0, true, hello, sizeof(hello));
	h_inject(&p->w, a, P, group, ma, f, fl);                /* src_multicast */
	h_inject(&p->w, a, P, mb, other, f, fl);                /* not_for_us */
	h_inject(&p->w, a, P, ma, ma, f, fl);                   /* rx_own_frames */
	h_inject(&p->w, a, P, mb, ma, f, 4);                    /* datagram_short */
	f[4] ^= 1;
	h_inject(&p->w, a, P, mb, ma, f, fl);                   /* bad_checksum */
	f[0] = 1;
	h_inject(&p->w, a, P, mb, ma, f, fl);                   /* datagram_version */
	f[0] = 0;
	f[3] = 4;
	h_inject(&p->w, a, P, mb, ma, f, fl);                   /* datagram_length_short */
	f[3] = 200;
	h_inject(&p->w, a, P, mb, ma, f, fl);                   /* datagram_truncated */
	fl = sealed(f, 1, true, hello, sizeof(hello));
	h_inject(&p->w, a, P, mb, ma, f, fl);                   /* fragment_orphan */
	fl = sealed(f, 0, true, unknown, sizeof(unknown));
	h_inject(&p->w, a, P, mb, ma, f, fl);                   /* pdu_unknown_type */
	fl = sealed(f, 0, true, long_hello, sizeof(long_hello));
	h_inject(&p->w, a, P, mb, ma, f, fl);                   /* hello_length */
}

/* On a node with one port, every counter but alloc_failures is counted on both. */
static void assert_port_is_node(struct h_node *n)
{
	struct lsoe_counters pc = port_counters(n), nc = *h_counters(n->node);
	assert_int_equal(pc.alloc_failures, 0);
	nc.alloc_failures = 0;
	for (size_t i = 0; i < lsoe_counter_count(); i++)
		assert_int_equal(lsoe_counter_value(&pc, i), lsoe_counter_value(&nc, i));
	assert_memory_equal(&pc, &nc, sizeof(pc));
}

static void test_port_equals_node(void **state)
{
	(void)state;
	struct h_pair p;
	pair_init(&p);
	struct lsoe_counters c = port_counters(p.a);
	/* A fabric port: frames and PDUs, HELLO OPEN KEEPALIVE ACK IPv4 IPv6 each way, created, established. */
	assert_int_equal(nonzero(&c), 21);
	assert_port_is_node(p.a);

	inject_bad(&p);
	inject_bad(&p);
	h_run_for(&p.w, 3 * SEC);
	c = port_counters(p.a);
	assert_int_equal(nonzero(&c), 21 + 2 + 10); /* rx_dropped, rx_own_frames, ten reasons */
	assert_int_equal(c.rx_errors[LSOE_E_DGRAM_CHECKSUM], 2);
	assert_int_equal(c.rx_errors[LSOE_E_HELLO_LENGTH], 2);
	assert_int_equal(c.rx_own_frames, 2);
	assert_int_equal(c.rx_dropped, 20);
	assert_port_is_node(p.a);

	/* The session goes (the port down): the KEEPALIVEs it counted stay in the port's counters. */
	uint64_t sent = port_counters(p.a).tx_keepalives;
	assert_true(sent > 0);
	assert_int_equal(lsoe_node_port_set_up(p.a->node, P, false), LSOE_OK);
	assert_int_equal(port_counters(p.a).tx_keepalives, sent);
	assert_port_is_node(p.a);

	/* The port's storage goes with it. */
	const size_t before = p.a->live_bytes;
	assert_int_equal(lsoe_node_port_remove(p.a->node, P), LSOE_OK);
	assert_true(p.a->live_bytes < before);
	h_world_free(&p.w);
}

static void test_no_memory_loses_port_counts_only(void **state)
{
	(void)state;
	struct h_pair p;
	pair_init(&p);
	p.a->fail_allocs_after = 0;
	inject_bad(&p);
	p.a->fail_allocs_after = -1;
	struct lsoe_counters pc = port_counters(p.a), nc = *h_counters(p.a->node);
	/*
	 * The inline room (21) takes two more counters; the array beyond it could not be made.
	 * Two more show: the KEEPALIVEs sent (tx_keepalives, tx_by_type), counted in the session
	 * until folded into the port, so not yet stored in it.
	 */
	assert_int_equal(nonzero(&pc), 21 + 2);
	assert_true(nc.alloc_failures >= 1);
	assert_int_equal(nc.rx_dropped, 10);
	assert_int_equal(nc.rx_own_frames, 1);

	/* Later counts are stored again; what was lost stays lost on the port only. */
	inject_bad(&p);
	h_run_for(&p.w, 3 * SEC);
	pc = port_counters(p.a);
	nc = *h_counters(p.a->node);
	assert_int_equal(nonzero(&pc), 21 + 2 + 10);
	assert_int_equal(nc.rx_dropped, 20);
	assert_int_equal(nc.rx_errors[LSOE_E_HELLO_LENGTH], 2);
	assert_int_equal(pc.rx_errors[LSOE_E_HELLO_LENGTH], 1);
	assert_int_equal(pc.tx_keepalives, nc.tx_keepalives);
	assert_int_equal(pc.rx_by_type[lsoe_pdu_type_slot(LSOE_PDU_KEEPALIVE)],
	    nc.rx_by_type[lsoe_pdu_type_slot(LSOE_PDU_KEEPALIVE)]);
	bool exists;
	assert_int_equal(h_state(p.a, p.b->mac[P], &exists), LSOE_STATE_ESTABLISHED);
	assert_true(exists);
	h_world_free(&p.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_equals_node),
		cmocka_unit_test(test_no_memory_loses_port_counts_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
