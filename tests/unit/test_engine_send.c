/*
 * Engine tests, building datagrams (core/node.c node_send_pdu): small ones on the
 * stack, a larger one in a buffer of its size for the call only. A node holds no
 * datagram buffer between sends; a buffer refused by the platform sends nothing,
 * and the retransmission sends the PDU later.
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

#define T0 (1000 * SEC)
#define D (10 * MS)
#define P 1u
#define N4 300u /* 300 IPv4 entries: a PDU of 1,805 octets, two datagrams at MTU 1500 */

static void pair_init(struct h_pair *p)
{
	h_pair_init(p, T0, P, D);
	h_run_until(&p->w, T0 + 1 * SEC);
}

static struct lsoe_encap list4[N4];

static void make_list4(void)
{
	for (unsigned i = 0; i < N4; i++)
		list4[i] = h_ipv4(10, 0, (uint8_t)(i >> 6), (uint8_t)(4 * (i & 63)), 30, 0);
}

static uint16_t at_b(struct h_pair *p)
{
	struct lsoe_session_view v;
	assert_true(h_session(p->b, p->a->mac[P], &v));
	return v.encap_count[0];
}

static void test_large_pdu_buffer_for_the_call(void **state)
{
	(void)state;
	struct h_pair p;
	pair_init(&p);
	make_list4();
	const uint64_t dgrams = p.a->dgrams_sent;
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, list4, N4), LSOE_OK);
	assert_int_equal(p.a->dgrams_sent - dgrams, 2);
	/* The list and its PDU stay; the 1,500-octet datagram buffer is gone. */
	const size_t held = p.a->live_bytes;
	h_run_for(&p.w, 1 * SEC);
	assert_int_equal(at_b(&p), N4);
	/* And, once the list is ACKed, its retransmission slot: the session's side (24 + 16 octets, node_internal.h). */
	assert_int_equal(p.a->live_bytes, held - 40);
	assert_true(p.a->peak_bytes >= held + 1500);
	h_world_free(&p.w);
}

static void test_large_pdu_no_memory_retransmitted(void **state)
{
	(void)state;
	struct h_pair p;
	pair_init(&p);
	make_list4();
	const uint64_t dgrams = p.a->dgrams_sent;
	const uint64_t t = p.w.now;
	/*
	 * The list is made (one block with its PDU), room for it in the session and room to
	 * decode it in the node; the datagram buffer is refused.
	 */
	p.a->fail_allocs_after = 3;
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, list4, N4), LSOE_OK);
	p.a->fail_allocs_after = -1;
	assert_int_equal(p.a->dgrams_sent, dgrams);
	assert_int_equal(h_counters(p.a->node)->alloc_failures, 1);
	/* Sent at the retransmission, one retransmit-initial-interval (1 s) later. */
	h_run_until(&p.w, t + 1 * SEC + 2 * D);
	uint64_t times[4];
	assert_int_equal(h_sent_times(p.a, LSOE_PDU_IPV4_ENCAP, 0, times, 4), 1);
	assert_int_equal(times[0], t + 1 * SEC);
	assert_int_equal(at_b(&p), N4);
	h_world_free(&p.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_large_pdu_buffer_for_the_call),
		cmocka_unit_test(test_large_pdu_no_memory_retransmitted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
