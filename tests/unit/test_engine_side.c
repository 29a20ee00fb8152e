/*
 * Engine tests, a session's side (core/node_internal.h struct session_side): the
 * retransmission slots live apart from the session, only while a PDU waits for its
 * ACK. A list set or a VENDOR PDU makes room first; without memory it is refused and
 * nothing changes: nothing sent, the list and the peer's view as they were, nothing
 * held. Entering ESTABLISHED never needs memory: the room was made with the OPEN.
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

static void pair_init(struct h_pair *p)
{
	h_pair_init(p, T0, P, D);
	h_run_until(&p->w, T0 + 1 * SEC);
}

static uint16_t at_b(struct h_pair *p, unsigned type)
{
	struct lsoe_session_view v;
	assert_true(h_session(p->b, p->a->mac[P], &v));
	assert_int_equal(v.state, LSOE_STATE_ESTABLISHED);
	return v.encap_count[type - LSOE_PDU_IPV4_ENCAP];
}

static uint64_t alloc_failures(const struct h_node *n) { return h_counters(n->node)->alloc_failures; }

/* Memory is held while the list waits for its ACK, and no more after: the same as before it. */
static void test_held_only_while_unacked(void **state)
{
	(void)state;
	struct h_pair p;
	pair_init(&p);
	const struct lsoe_encap a4 = h_ipv4(192, 0, 2, 1, 31, 0);
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, &a4, 1), LSOE_OK);
	h_run_for(&p.w, 1 * SEC);
	assert_int_equal(at_b(&p, LSOE_PDU_IPV4_ENCAP), 1);
	const size_t idle = p.a->live_bytes;
	const uint8_t data[4] = { 1, 2, 3, 4 };
	assert_int_equal(lsoe_node_vendor_send(p.a->node, P, p.b->mac[P], 32473, 1, data, sizeof(data)), LSOE_OK);
	assert_int_equal(lsoe_node_unacked(p.a->node), 1);
	assert_true(p.a->live_bytes > idle);
	h_run_for(&p.w, 1 * SEC);
	assert_int_equal(lsoe_node_unacked(p.a->node), 0);
	assert_int_equal(p.a->live_bytes, idle);
	h_world_free(&p.w);
}

/* No room for the new list in the session: refused, and everything stays as it was. */
static void test_list_refused_without_room(void **state)
{
	(void)state;
	struct h_pair p;
	pair_init(&p);
	const struct lsoe_encap a4 = h_ipv4(192, 0, 2, 1, 31, 0);
	const struct lsoe_encap a4n[2] = { h_ipv4(192, 0, 2, 1, 31, 0), h_ipv4(198, 51, 100, 1, 31, 0) };
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, &a4, 1), LSOE_OK);
	h_run_for(&p.w, 1 * SEC);
	const size_t idle = p.a->live_bytes;
	const uint64_t dgrams = p.a->dgrams_sent, failures = alloc_failures(p.a);
	p.a->fail_allocs_after = 1; /* the new list is made; room for it in the session is not */
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, a4n, 2), LSOE_E_NOMEM);
	p.a->fail_allocs_after = -1;
	assert_int_equal(alloc_failures(p.a), failures + 1);
	assert_int_equal(p.a->dgrams_sent, dgrams);
	assert_int_equal(p.a->live_bytes, idle);
	assert_int_equal(lsoe_node_unacked(p.a->node), 0);
	h_run_for(&p.w, 3 * SEC);
	assert_int_equal(at_b(&p, LSOE_PDU_IPV4_ENCAP), 1); /* the old list, still up */
	/* With memory, the same call goes through. */
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, a4n, 2), LSOE_OK);
	h_run_for(&p.w, 1 * SEC);
	assert_int_equal(at_b(&p, LSOE_PDU_IPV4_ENCAP), 2);
	h_world_free(&p.w);
}

/* A new MTU that cuts a list, without room to send the cut one: refused, the MTU as it was. */
static void test_mtu_refused_without_room(void **state)
{
	(void)state;
	struct h_pair p;
	pair_init(&p);
	static struct lsoe_encap v4[300]; /* 1,805 octets: whole at MTU 1500, cut at 128 */
	for (unsigned i = 0; i < 300; i++)
		v4[i] = h_ipv4(10, 0, (uint8_t)(i >> 6), (uint8_t)(4 * (i & 63)), 30, 0);
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, v4, 300), LSOE_OK);
	h_run_for(&p.w, 2 * SEC);
	assert_int_equal(at_b(&p, LSOE_PDU_IPV4_ENCAP), 300);
	const size_t idle = p.a->live_bytes;
	const uint64_t dgrams = p.a->dgrams_sent;
	p.a->fail_allocs_after = 1; /* the cut list is planned; room in the session is not made */
	assert_int_equal(lsoe_node_port_set_mtu(p.a->node, P, LSOE_MTU_MIN), LSOE_E_NOMEM);
	p.a->fail_allocs_after = -1;
	assert_int_equal(p.a->dgrams_sent, dgrams);
	assert_int_equal(p.a->live_bytes, idle);
	h_run_for(&p.w, 3 * SEC);
	assert_int_equal(at_b(&p, LSOE_PDU_IPV4_ENCAP), 300);
	assert_int_equal(lsoe_node_port_set_mtu(p.a->node, P, LSOE_MTU_MIN), LSOE_OK);
	h_run_for(&p.w, 5 * SEC);
	assert_true(at_b(&p, LSOE_PDU_IPV4_ENCAP) < 300);
	h_world_free(&p.w);
}

/* A VENDOR PDU without room: LSOE_E_NOMEM, nothing sent or held. */
static void test_vendor_refused_without_room(void **state)
{
	(void)state;
	struct h_pair p;
	pair_init(&p);
	h_run_for(&p.w, 1 * SEC);
	const size_t idle = p.a->live_bytes;
	const uint64_t dgrams = p.a->dgrams_sent;
	const uint8_t data[4] = { 1, 2, 3, 4 };
	p.a->fail_allocs_after = 1; /* the PDU is made; room for it is not */
	assert_int_equal(lsoe_node_vendor_send(p.a->node, P, p.b->mac[P], 32473, 1, data, sizeof(data)), LSOE_E_NOMEM);
	p.a->fail_allocs_after = -1;
	assert_int_equal(p.a->dgrams_sent, dgrams);
	assert_int_equal(p.a->live_bytes, idle);
	assert_int_equal(lsoe_node_unacked(p.a->node), 0);
	h_world_free(&p.w);
}

/*
 * No memory for the OPEN's room: nothing sent or held, and the peer's next HELLO has
 * it made again (act_nudge_open). Before, the session waited in OPENING for the idle
 * timeout (300 s), the peer's HELLOs doing nothing.
 */
static void test_open_without_room_retried(void **state)
{
	(void)state;
	struct h_pair p;
	h_pair_init(&p, T0, P, D);
	struct h_world *w = &p.w;
	struct h_node *a = p.a, *b = p.b;
	/* B's first HELLO reaches A after D: A makes the session and its OPEN, and no room for it. */
	a->fail_allocs_after = 2;
	h_run_until(w, T0 + D + 1 * MS);
	a->fail_allocs_after = -1;
	struct lsoe_session_view v;
	assert_true(h_session(a, b->mac[P], &v));
	assert_int_equal(v.state, LSOE_STATE_OPENING);
	assert_int_equal(alloc_failures(a), 1);
	assert_int_equal(lsoe_node_unacked(a->node), 0);
	h_run_until(w, T0 + 61 * SEC); /* B's next HELLO (hello-interval 60 s) */
	assert_true(h_session(a, b->mac[P], &v));
	assert_int_equal(v.state, LSOE_STATE_ESTABLISHED);
	assert_true(h_session(b, a->mac[P], &v));
	assert_int_equal(v.state, LSOE_STATE_ESTABLISHED);
	h_world_free(w);
}

/* Types set on the port while the session opens: the side, made for the OPEN, grows to send them all once established. */
static void test_types_set_while_opening(void **state)
{
	(void)state;
	struct h_pair p;
	h_pair_init(&p, T0, P, D);
	struct h_world *w = &p.w;
	struct h_node *a = p.a, *b = p.b;
	const struct lsoe_encap a4 = h_ipv4(192, 0, 2, 1, 31, 0);
	const uint16_t g[8] = { 0x2001, 0xdb8, 0, 0, 0, 0, 0, 1 };
	const struct lsoe_encap a6 = h_ipv6(g, 127, 0);
	assert_int_equal(lsoe_node_set_encaps(a->node, P, LSOE_PDU_IPV4_ENCAP, &a4, 1), LSOE_OK);
	h_run_until(w, T0 + D + 1 * MS); /* A's OPEN is out, the session not yet up */
	struct lsoe_session_view v;
	assert_true(h_session(a, b->mac[P], &v));
	assert_int_equal(v.state, LSOE_STATE_OPENING);
	assert_int_equal(lsoe_node_set_encaps(a->node, P, LSOE_PDU_IPV6_ENCAP, &a6, 1), LSOE_OK);
	assert_int_equal(lsoe_node_set_encaps(a->node, P, LSOE_PDU_MPLS_IPV4_ENCAP, NULL, 0), LSOE_OK);
	h_run_until(w, T0 + 1 * SEC);
	assert_true(h_session(b, a->mac[P], &v));
	assert_int_equal(v.state, LSOE_STATE_ESTABLISHED);
	assert_int_equal(v.encap_count[0], 1);
	assert_int_equal(v.encap_count[1], 1);
	assert_true(v.encaps_received[0] && v.encaps_received[1] && v.encaps_received[2]); /* the empty MPLS IPv4 list too */
	assert_int_equal(lsoe_node_unacked(a->node), 0);
	h_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_held_only_while_unacked),
		cmocka_unit_test(test_list_refused_without_room),
		cmocka_unit_test(test_mtu_refused_without_room),
		cmocka_unit_test(test_vendor_refused_without_room),
		cmocka_unit_test(test_open_without_room_retried),
		cmocka_unit_test(test_types_set_while_opening),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
