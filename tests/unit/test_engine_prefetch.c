/*
 * Engine tests, prefetch hints (core/prefetch.c): a hint changes nothing, whatever it is
 * given (any step, a port that does not exist, a node without ports), and a run fed
 * hints before every call is the run without them, event for event. Also the port
 * lookup's shortcut for ports numbered from 1 (node_internal.h port_find): ports
 * numbered otherwise are still found.
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

#define T0 (1000 * SEC)
#define D (10 * MS)

struct snap {
	struct lsoe_counters c;
	uint64_t deadline;
	size_t live, nevents, nsent;
};

static void take(const struct h_node *h, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->c = *h_counters(h->node);
	s->deadline = lsoe_node_next_deadline(h->node);
	s->live = h->live_bytes;
	s->nevents = h->nevents;
	s->nsent = h->nsent;
}

static void same(const struct snap *a, const struct snap *b)
{
	assert_memory_equal(&a->c, &b->c, sizeof(a->c));
	assert_int_equal(a->deadline, b->deadline);
	assert_int_equal(a->live, b->live);
	assert_int_equal(a->nevents, b->nevents);
	assert_int_equal(a->nsent, b->nsent);
}

/* Every hint there is: all steps and a few past them, ports that exist and ports that do not. */
static void hint_everything(struct lsoe_node *n)
{
	static const uint32_t ports[] = { 0, 1, 2, 3, 7, 8, 99, UINT32_MAX };
	for (unsigned step = 0; step < LSOE_PREFETCH_STEPS + 2; step++) {
		for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
			lsoe_node_prefetch_input(n, ports[i], step);
		lsoe_node_prefetch_run(n, step);
	}
}

static void test_hints_change_nothing(void **state)
{
	(void)state;
	struct h_world w;
	h_world_init(&w, T0);
	struct h_node *a = h_node_add(&w, "A", 1, NULL), *b = h_node_add(&w, "B", 2, NULL);
	struct h_node *lone = h_node_add(&w, "C", 3, NULL); /* no port at all */
	h_link(&w, a, 1, b, 1, D);
	h_link(&w, a, 2, b, 2, D);
	h_run_until(&w, T0 + 2 * SEC);
	struct lsoe_session_view v;
	assert_true(h_session(a, b->mac[1], &v)); /* the hints below meet sessions, not an empty node */

	struct h_node *all[] = { a, b, lone };
	for (size_t i = 0; i < 3; i++) {
		struct snap before, after;
		take(all[i], &before);
		hint_everything(all[i]->node);
		take(all[i], &after);
		same(&before, &after);
	}
	lsoe_node_prefetch_input(NULL, 1, 0);
	lsoe_node_prefetch_run(NULL, 0);
	h_world_free(&w);
}

/* Two identical worlds, one given every hint before each step of its run: the same events at the same times. */
static void test_hinted_run_is_the_same_run(void **state)
{
	(void)state;
	struct h_world w[2];
	struct h_node *n[2][2];
	for (int k = 0; k < 2; k++) {
		h_world_init(&w[k], T0);
		n[k][0] = h_node_add(&w[k], "A", 1, NULL);
		n[k][1] = h_node_add(&w[k], "B", 2, NULL);
		h_link(&w[k], n[k][0], 1, n[k][1], 1, D);
	}
	for (unsigned ms = 0; ms < 5000; ms += 7) {
		hint_everything(n[1][0]->node);
		hint_everything(n[1][1]->node);
		for (int k = 0; k < 2; k++)
			h_run_until(&w[k], T0 + ms * MS);
	}
	for (int i = 0; i < 2; i++) {
		assert_int_equal(n[0][i]->nevents, n[1][i]->nevents);
		assert_int_equal(n[0][i]->nsent, n[1][i]->nsent);
		for (size_t e = 0; e < n[0][i]->nevents; e++) {
			assert_int_equal(n[0][i]->events[e].time, n[1][i]->events[e].time);
			assert_int_equal(n[0][i]->events[e].type, n[1][i]->events[e].type);
		}
		assert_memory_equal(h_counters(n[0][i]->node), h_counters(n[1][i]->node),
		    sizeof(struct lsoe_counters));
	}
	assert_true(n[0][0]->nevents > 0);
	h_world_free(&w[0]);
	h_world_free(&w[1]);
}

/* What the platform's send hints named, per node of the hinted world. */
static size_t nhints, bad_hints;
static void count_hint(void *ctx, uint32_t port)
{
	(void)ctx;
	nhints++;
	if (port < 1 || port > 4) /* a hint names a port the node has (1 to 4 here) */
		bad_hints++;
}

/*
 * The platform's send hints (prefetch_send): a world whose platform takes them runs as
 * one whose platform does not, and every port hinted exists. Four sessions a node:
 * longer than the pipeline's hint distance, so that both its start and its steps hint.
 */
static void test_send_hints(void **state)
{
	(void)state;
	struct h_world w[2];
	struct h_node *n[2][2];
	nhints = bad_hints = 0;
	for (int k = 0; k < 2; k++) {
		h_prefetch_send = k ? count_hint : NULL;
		h_world_init(&w[k], T0);
		n[k][0] = h_node_add(&w[k], "A", 1, NULL);
		n[k][1] = h_node_add(&w[k], "B", 2, NULL);
		for (uint32_t p = 1; p <= 4; p++)
			h_link(&w[k], n[k][0], p, n[k][1], p, D);
	}
	h_prefetch_send = NULL;
	for (int k = 0; k < 2; k++)
		h_run_until(&w[k], T0 + 20 * SEC);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(n[0][i]->nevents, n[1][i]->nevents);
		assert_int_equal(n[0][i]->nsent, n[1][i]->nsent);
		for (size_t e = 0; e < n[0][i]->nsent; e++) {
			assert_int_equal(n[0][i]->sent[e].time, n[1][i]->sent[e].time);
			assert_int_equal(n[0][i]->sent[e].port, n[1][i]->sent[e].port);
		}
		assert_memory_equal(h_counters(n[0][i]->node), h_counters(n[1][i]->node),
		    sizeof(struct lsoe_counters));
	}
	assert_true(nhints > 4 * 15); /* 4 sessions a node, a KEEPALIVE a second each */
	assert_int_equal(bad_hints, 0);
	h_world_free(&w[0]);
	h_world_free(&w[1]);
}

/* Ports numbered 7 and 3 (not from 1): the lookup's shortcut must not take one for another. */
static void test_ports_numbered_sparsely(void **state)
{
	(void)state;
	struct h_world w;
	h_world_init(&w, T0);
	struct h_node *a = h_node_add(&w, "A", 1, NULL), *b = h_node_add(&w, "B", 2, NULL);
	h_link(&w, a, 7, b, 2, D);
	h_link(&w, a, 3, b, 1, D);
	h_run_until(&w, T0 + 2 * SEC);
	struct lsoe_session_view v;
	assert_true(h_session(a, b->mac[2], &v));
	assert_int_equal(v.port, 7);
	assert_true(h_session(a, b->mac[1], &v));
	assert_int_equal(v.port, 3);
	assert_true(h_session(b, a->mac[7], &v));
	assert_int_equal(v.port, 2);
	assert_true(h_session(b, a->mac[3], &v));
	assert_int_equal(v.port, 1);
	h_world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hints_change_nothing),
		cmocka_unit_test(test_hinted_run_is_the_same_run),
		cmocka_unit_test(test_ports_numbered_sparsely),
		cmocka_unit_test(test_send_hints),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
