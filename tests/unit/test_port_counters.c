/*
 * The per-port counter store itself (core/counters.c, white box): values of 32 bits
 * that carry into a high word past 2^32 - 1, on the hot path (a hot counter at its
 * bit), the population-count path and beyond the inline positions; a carry without
 * memory sticks at 2^32 - 1 instead of wrapping to a small count. And the node's own
 * store: 32 bits each, carried the same way, and the copy lsoe_node_counters keeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "node_internal.h"

static bool refuse;
static size_t live;

static uint64_t p_now(void *ctx) { (void)ctx; return 1; }
static void p_send(void *ctx, uint32_t port, const uint8_t dst[6], const uint8_t *d, size_t len)
{
	(void)ctx, (void)port, (void)dst, (void)d, (void)len;
}
static void p_random(void *ctx, void *buf, size_t n) { (void)ctx; memset(buf, 7, n); }
static void *p_alloc(void *ctx, size_t n)
{
	(void)ctx;
	if (refuse)
		return NULL;
	live += n;
	return malloc(n);
}
static void p_free(void *ctx, void *p, size_t n) { (void)ctx; live -= n; free(p); }

static struct lsoe_node *node(void)
{
	static const struct lsoe_platform pf = { .now_ns = p_now, .send = p_send, .random = p_random,
		.alloc = p_alloc, .free = p_free };
	struct lsoe_config cfg;
	lsoe_config_default(&cfg);
	refuse = false;
	struct lsoe_node *n = lsoe_node_create(&cfg, &pf);
	assert_non_null(n);
	return n;
}

static struct lsoe_counters expand(const struct port_ctr *c)
{
	struct lsoe_counters out;
	port_ctr_expand(c, &out);
	return out;
}

#define TWO32 4294967296ull

static void test_hot_counter_carries(void **state)
{
	(void)state;
	struct lsoe_node *n = node();
	struct port_ctr c;
	memset(&c, 0, sizeof(c));
	port_count(n, &c, CTR_INDEX(rx_frames));
	assert_int_equal(c.v[0], 1);
	c.v[0] = UINT32_MAX - 1;
	for (int i = 0; i < 3; i++)
		port_count(n, &c, CTR_INDEX(rx_frames));
	assert_int_equal(expand(&c).rx_frames, TWO32 + 1);
	assert_int_equal(port_ctr_get(&c, CTR_INDEX(rx_frames)), TWO32 + 1);
	assert_int_equal(c.nwide, 1);
	/* A second wrap adds to the same high word. */
	c.v[0] = UINT32_MAX;
	port_count(n, &c, CTR_INDEX(rx_frames));
	assert_int_equal(expand(&c).rx_frames, 2 * TWO32);
	assert_int_equal(c.nwide, 1);
	port_ctr_free(n, &c);
	lsoe_node_destroy(n);
	assert_int_equal(live, 0);
}

static void test_other_counters_carry(void **state)
{
	(void)state;
	struct lsoe_node *n = node();
	struct port_ctr c;
	memset(&c, 0, sizeof(c));
	/* A counter that is not hot, and enough others that some live beyond the inline positions. */
	for (unsigned e = 1; e <= 40; e++)
		port_count(n, &c, CTR_INDEX(rx_errors) + e);
	port_count(n, &c, CTR_INDEX(tx_frames));
	assert_int_equal(c.n, 41);
	assert_non_null(c.more);
	unsigned bit = ctr_bit(CTR_INDEX(rx_errors) + 40), pos = port_ctr_pos(&c, bit);
	assert_true(pos >= PORT_CTR_INLINE);
	*port_ctr_at(&c, pos) = UINT32_MAX;
	port_count(n, &c, CTR_INDEX(rx_errors) + 40);
	port_count(n, &c, CTR_INDEX(rx_errors) + 40);
	/* tx_frames (a hot counter, not at its bit here: the population-count path) wraps too. */
	*port_ctr_at(&c, port_ctr_pos(&c, ctr_bit(CTR_INDEX(tx_frames)))) = UINT32_MAX;
	port_count(n, &c, CTR_INDEX(tx_frames));
	struct lsoe_counters v = expand(&c);
	assert_int_equal(v.rx_errors[40], TWO32 + 1);
	assert_int_equal(v.rx_errors[39], 1);
	assert_int_equal(v.tx_frames, TWO32);
	/* A new counter inserted below them moves them, not their high words. */
	port_count(n, &c, CTR_INDEX(rx_dropped));
	v = expand(&c);
	assert_int_equal(v.rx_errors[40], TWO32 + 1);
	assert_int_equal(v.tx_frames, TWO32);
	assert_int_equal(v.rx_dropped, 1);
	port_ctr_free(n, &c);
	lsoe_node_destroy(n);
	assert_int_equal(live, 0);
}

/* Adding k at once (a session's KEEPALIVEs folded in) is k increments: stored on the first, carried past 2^32 - 1. */
static void test_add_is_k_increments(void **state)
{
	(void)state;
	struct lsoe_node *n = node();
	struct port_ctr c;
	memset(&c, 0, sizeof(c));
	port_count_add(n, &c, CTR_INDEX(tx_keepalives), 1);
	assert_int_equal(expand(&c).tx_keepalives, 1);
	port_count_add(n, &c, CTR_INDEX(tx_keepalives), 41);
	assert_int_equal(expand(&c).tx_keepalives, 42);
	port_count_add(n, &c, CTR_INDEX(tx_keepalives), UINT32_MAX - 1);
	assert_int_equal(expand(&c).tx_keepalives, 41 + (uint64_t)UINT32_MAX);
	port_count_add(n, &c, CTR_INDEX(tx_keepalives), UINT32_MAX);
	assert_int_equal(expand(&c).tx_keepalives, 41 + 2 * (uint64_t)UINT32_MAX);
	/* A counter never stored before, not hot: from nothing to k. */
	port_count_add(n, &c, CTR_INDEX(retransmits), 7);
	assert_int_equal(expand(&c).retransmits, 7);
	assert_int_equal(expand(&c).tx_keepalives, 41 + 2 * (uint64_t)UINT32_MAX);
	port_ctr_free(n, &c);
	lsoe_node_destroy(n);
	assert_int_equal(live, 0);
}

static void test_carry_without_memory_sticks(void **state)
{
	(void)state;
	struct lsoe_node *n = node();
	struct port_ctr c;
	memset(&c, 0, sizeof(c));
	port_count(n, &c, CTR_INDEX(rx_pdus));
	c.v[0] = UINT32_MAX;
	refuse = true;
	port_count(n, &c, CTR_INDEX(rx_pdus));
	port_count(n, &c, CTR_INDEX(rx_pdus));
	refuse = false;
	assert_int_equal(expand(&c).rx_pdus, UINT32_MAX);
	assert_true(lsoe_node_counters(n)->alloc_failures >= 1);
	port_ctr_free(n, &c);
	lsoe_node_destroy(n);
	assert_int_equal(live, 0);
}

/* The node's counters that are not hot: 32 bits, carried past 2^32 - 1, stuck there without memory. */
static void test_node_counters_carry(void **state)
{
	(void)state;
	struct lsoe_node *n = node();
	struct lsoe_counters v;
	node_count(n, CTR_INDEX(rx_dropped));
	n->cold.lo[CTR_INDEX(rx_dropped)] = UINT32_MAX;
	node_count(n, CTR_INDEX(rx_dropped));
	node_count(n, CTR_INDEX(rx_dropped));
	lsoe_node_counters_get(n, &v);
	assert_int_equal(v.rx_dropped, TWO32 + 1);
	assert_int_equal(n->cold.nwide, 1);
	/* A hot one is 64 bits where it is: no carry. */
	for (int i = 0; i < 3; i++)
		node_count(n, CTR_INDEX(rx_frames));
	lsoe_node_counters_get(n, &v);
	assert_int_equal(v.rx_frames, 3);
	/* Without memory for a high word: stuck at 2^32 - 1, and the failure counted. */
	n->cold.lo[CTR_INDEX(retransmits)] = UINT32_MAX - 1;
	node_count(n, CTR_INDEX(retransmits));
	assert_int_equal(n->cold.wide_cap, 2);
	n->cold.wide[1] = (struct ctr_wide){ CTR_INDEX(rx_pdus), 0 };
	n->cold.nwide = 2; /* the array is full: the next carry must grow it */
	refuse = true;
	node_count(n, CTR_INDEX(retransmits));
	refuse = false;
	n->cold.nwide = 1;
	lsoe_node_counters_get(n, &v);
	assert_int_equal(v.retransmits, UINT32_MAX);
	assert_int_equal(v.alloc_failures, 1);
	assert_int_equal(v.rx_dropped, TWO32 + 1);
	lsoe_node_destroy(n);
	assert_int_equal(live, 0);
}

/* lsoe_node_counters: a copy made at the first call only, brought up to date at each; NULL without memory. */
static void test_node_counters_copy(void **state)
{
	(void)state;
	struct lsoe_node *n = node();
	const size_t before = live;
	refuse = true;
	assert_null(lsoe_node_counters(n));
	refuse = false;
	assert_int_equal(live, before);
	node_count(n, CTR_INDEX(rx_dropped));
	const struct lsoe_counters *c = lsoe_node_counters(n);
	assert_non_null(c);
	assert_int_equal(live, before + sizeof(struct lsoe_counters));
	assert_int_equal(c->rx_dropped, 1);
	assert_int_equal(c->alloc_failures, 1);
	node_count(n, CTR_INDEX(rx_dropped));
	assert_ptr_equal(lsoe_node_counters(n), c);
	assert_int_equal(live, before + sizeof(struct lsoe_counters));
	assert_int_equal(c->rx_dropped, 2);
	struct lsoe_counters v;
	lsoe_node_counters_get(n, &v);
	assert_memory_equal(&v, c, sizeof(v));
	lsoe_node_destroy(n);
	assert_int_equal(live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hot_counter_carries),
		cmocka_unit_test(test_other_counters_carry),
		cmocka_unit_test(test_add_is_k_increments),
		cmocka_unit_test(test_carry_without_memory_sticks),
		cmocka_unit_test(test_node_counters_carry),
		cmocka_unit_test(test_node_counters_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
