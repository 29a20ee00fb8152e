/*
 * Engine tests, the KEEPALIVE shortcut (node.c keepalive_fast, session.c session_keepalive):
 * a node that takes it ends where the general way (decode, checksum, transition table)
 * ends. The general way is forced by debug logging, the only difference between the
 * two worlds here, and both are fed the same frames: keepalives padded with garbage,
 * one with a flipped bit, one from an unknown peer, and keepalives while a partial
 * PDU waits for its next fragment (the shortcut must then stand aside).
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
#include "lsoe/wire.h"

#define T0 (1000 * SEC)
#define D (10 * MS)

static const uint8_t keepalive[11] = { 0x00, 0x80, 0x00, 0x0b, 0x50, 0x89, 0xca, 0x1c, 0x02, 0x00, 0x03 };

struct world {
	struct h_world w;
	struct h_node *a, *b;
};

static void make(struct world *x, bool debug)
{
	struct lsoe_config c;
	h_world_init(&x->w, T0);
	h_config(&c, 1);
	c.keepalive_receive_timeout = 3 * SEC;
	if (debug)
		memcpy(c.log_level, "debug", 6);
	x->a = h_node_add(&x->w, "A", 1, &c);
	x->b = h_node_add(&x->w, "B", 2, NULL);
	h_link(&x->w, x->a, 1, x->b, 1, D);
	h_link(&x->w, x->a, 2, x->b, 2, D);
}

/* What A received, as it would show it. */
static void same_node(struct h_node *x, struct h_node *y, const uint8_t *const peers[], size_t npeers)
{
	assert_memory_equal(h_counters(x->node), h_counters(y->node), sizeof(struct lsoe_counters));
	assert_int_equal(lsoe_node_next_deadline(x->node), lsoe_node_next_deadline(y->node));
	assert_int_equal(x->nevents, y->nevents);
	for (size_t e = 0; e < x->nevents; e++) {
		assert_int_equal(x->events[e].time, y->events[e].time);
		assert_int_equal(x->events[e].type, y->events[e].type);
		assert_int_equal(x->events[e].reason, y->events[e].reason);
	}
	assert_int_equal(x->nsent, y->nsent);
	for (size_t i = 0; i < npeers; i++) {
		struct lsoe_session_view u, v;
		bool has = h_session(x, peers[i], &u);
		assert_int_equal(has, h_session(y, peers[i], &v));
		if (!has)
			continue;
		assert_int_equal(u.state, v.state);
		assert_int_equal(u.since_ns, v.since_ns);
		assert_int_equal(u.last_rx_ns, v.last_rx_ns);
		assert_int_equal(u.port, v.port);
	}
}

static void feed(struct world *x, uint32_t port, const uint8_t src[6], const uint8_t *frame, size_t len)
{
	static const uint8_t group[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e };
	h_inject(&x->w, x->a, port, src, group, frame, len);
}

static void test_shortcut_is_the_general_way(void **state)
{
	(void)state;
	struct world x[2];
	make(&x[0], true);
	make(&x[1], false);
	static const uint8_t stranger[6] = { 0x02, 0x55, 0, 0, 0, 9 };
	const uint8_t *peers[] = { x[0].b->mac[1], x[0].b->mac[2], stranger };

	uint8_t padded[46], flipped[46], first[64];
	memset(padded, 0xAA, sizeof(padded)); /* padding is whatever the NIC left there */
	memcpy(padded, keepalive, sizeof(keepalive));
	memcpy(flipped, padded, sizeof(flipped));
	flipped[9] ^= 0x10;
	/* The first of two fragments of a PDU: A then holds a partial PDU from B's port 2. */
	memset(first, 0, sizeof(first));
	first[LSOE_DGRAM_HDR_LEN] = LSOE_PDU_IPV4_ENCAP;
	size_t first_len = lsoe_dgram_seal(first, 0, false, 20);
	assert_true(first_len > 0);

	for (int k = 0; k < 2; k++) {
		struct world *w = &x[k];
		h_run_until(&w->w, T0 + 3 * SEC);
		struct lsoe_session_view v;
		assert_true(h_session(w->a, w->b->mac[1], &v));
		assert_int_equal(v.state, LSOE_STATE_ESTABLISHED);
		for (int i = 0; i < 5; i++) {
			h_run_for(&w->w, 137 * MS);
			feed(w, 1, w->b->mac[1], padded, sizeof(padded));
			feed(w, 1, w->b->mac[1], keepalive, sizeof(keepalive));
			feed(w, 2, w->b->mac[2], flipped, sizeof(flipped));
			feed(w, 1, w->b->mac[1], keepalive, sizeof(keepalive) - 1); /* truncated */
		}
		feed(w, 2, stranger, keepalive, sizeof(keepalive)); /* no session: the table starts one */
		feed(w, 2, w->b->mac[2], first, first_len);
		for (int i = 0; i < 5; i++) {
			h_run_for(&w->w, 11 * MS);
			feed(w, 1, w->b->mac[1], padded, sizeof(padded));
			feed(w, 2, w->b->mac[2], keepalive, sizeof(keepalive));
		}
		h_run_until(&w->w, T0 + 12 * SEC);
	}
	same_node(x[0].a, x[1].a, peers, 3);
	const struct lsoe_counters *c = h_counters(x[1].a->node);
	assert_true(c->rx_by_type[LSOE_PDU_KEEPALIVE] > 20);
	assert_true(c->rx_errors[LSOE_E_DGRAM_CHECKSUM] == 5);
	assert_int_equal(c->sessions_created, 3); /* the unknown peer got one too, as the table says */
	for (int k = 0; k < 2; k++)
		h_world_free(&x[k].w);
}

/* The shortcut feeds the receive timer: keepalives injected alone keep a session whose peer went silent. */
static void test_shortcut_feeds_the_receive_timer(void **state)
{
	(void)state;
	struct world x;
	make(&x, false);
	h_run_until(&x.w, T0 + 3 * SEC);
	h_link_set_up(&x.w, 0, false); /* B's frames on link 0 no longer arrive; A's port stays up */
	for (int i = 0; i < 20; i++) {
		h_run_for(&x.w, 500 * MS);
		feed(&x, 1, x.b->mac[1], keepalive, sizeof(keepalive));
	}
	struct lsoe_session_view v;
	assert_true(h_session(x.a, x.b->mac[1], &v));
	assert_int_equal(v.state, LSOE_STATE_ESTABLISHED);
	assert_int_equal(v.last_rx_ns, x.w.now);
	h_run_for(&x.w, 20 * SEC); /* and without them the session times out */
	assert_false(h_session(x.a, x.b->mac[1], &v) && v.state == LSOE_STATE_ESTABLISHED);
	h_world_free(&x.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shortcut_is_the_general_way),
		cmocka_unit_test(test_shortcut_feeds_the_receive_timer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
